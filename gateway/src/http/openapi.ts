import { z } from 'zod';
import { AuditQuery, ConsistencyQuery, EvidenceRequest, LookupBody, ObligationsQuery, RecordEventBody, VerifyBody, WebhookBody } from './schemas.js';
import {
  AuditReportSchema,
  EntrySchema,
  EntryWithDocumentSchema,
  LookupResultSchema,
  ProblemSchema,
  RecordedSchema,
  SubjectStatusSchema,
  VerifyResultSchema,
} from './responses.js';

// These schemas register themselves in zod's global registry by their meta id; naming them here
// keeps their modules loaded, so every one of them becomes a component.
export const DOCUMENTED_SCHEMAS = [RecordEventBody, LookupBody, VerifyBody, AuditQuery, EvidenceRequest, ConsistencyQuery, ObligationsQuery, WebhookBody, EntrySchema, SubjectStatusSchema, RecordedSchema, LookupResultSchema, EntryWithDocumentSchema, VerifyResultSchema, AuditReportSchema, ProblemSchema];

/** Every registered schema as an OpenAPI component, nested ones by reference. */
function componentSchemas(): Record<string, unknown> {
  const { schemas } = z.toJSONSchema(z.globalRegistry, {
    target: 'openapi-3.0',
    io: 'input',
    unrepresentable: 'any',
    uri: (id) => `#/components/schemas/${id}`,
  });
  // OpenAPI 3.0 schema objects have no $id.
  return Object.fromEntries(Object.entries(schemas).map(([id, { $id: _id, ...schema }]) => [id, schema]));
}

const problem = (description: string) => ({
  description,
  content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } },
});
const ok = (schema: string, description = 'OK') => ({
  description,
  content: { 'application/json': { schema: { $ref: `#/components/schemas/${schema}` } } },
});
const body = (schema: string) => ({
  required: true,
  content: { 'application/json': { schema: { $ref: `#/components/schemas/${schema}` } } },
});
const refParam = { name: 'ref', in: 'path', required: true, schema: { type: 'string', pattern: '^[0-9a-f]{64}$' } };
const idParam = { name: 'id', in: 'path', required: true, schema: { type: 'string', pattern: '^[0-9a-f]{32}$' } };
const common = { '400': problem('Invalid input, every bad field listed'), '401': problem('No or bad token') };

/** The OpenAPI 3 document of the REST API, generated from the same zod schemas that validate requests and responses. */
export function openApiDocument(version: string): Record<string, unknown> {
  return {
    openapi: '3.0.3',
    info: {
      title: 'correction-ledger gateway',
      version,
      description:
        'Community-correction events of the court, procuratorate, police and justice bureaus on one consortium ledger. ' +
        'ID numbers travel only in request bodies. Errors are RFC 9457 problem+json with a stable `code`.',
    },
    components: {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT (ES256, agency-issued)' } },
      schemas: componentSchemas(),
    },
    security: [{ bearer: [] }],
    paths: {
      '/v1/events': {
        post: {
          summary: 'Record a correction event',
          parameters: [{ name: 'Idempotency-Key', in: 'header', required: false, schema: { type: 'string', maxLength: 200 } }],
          requestBody: body('RecordEventBody'),
          responses: {
            '201': ok('Recorded', 'Recorded; the receipt is signed by this gateway'),
            ...common,
            '403': problem('The agency or role may not record this event'),
            '404': problem('Unknown subject or amended entry'),
            '409': problem('Not allowed in the current lifecycle state (currentState named)'),
            '422': problem('Idempotency-Key reused with a different request'),
          },
        },
      },
      '/v1/subjects/lookup': {
        post: {
          summary: 'Reference and status for an ID number',
          requestBody: body('LookupBody'),
          responses: { '200': ok('LookupResult'), ...common, '404': problem('No entries for this subject') },
        },
      },
      '/v1/subjects/{ref}': {
        get: {
          summary: 'Status of a subject',
          parameters: [refParam],
          responses: { '200': ok('SubjectStatus'), ...common, '404': problem('Unknown subject') },
        },
      },
      '/v1/subjects/{ref}/entries': {
        get: {
          summary: "The subject's chain of entries, in order",
          parameters: [refParam],
          responses: {
            '200': { description: 'OK', content: { 'application/json': { schema: { type: 'array', items: { $ref: '#/components/schemas/Entry' } } } } },
            ...common,
            '404': problem('Unknown subject'),
          },
        },
      },
      '/v1/subjects/{ref}/obligations': {
        get: {
          summary: "The subject's statutory obligations: open, overdue, met, late or void as of now",
          parameters: [refParam],
          responses: { '200': { description: 'OK' }, ...common, '404': problem('Unknown subject') },
        },
      },
      '/v1/entries/{id}': {
        get: {
          summary: 'An entry, with its document when the caller is entitled',
          parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string', pattern: '^[0-9a-f]{32}$' } }],
          responses: { '200': ok('EntryWithDocument'), ...common, '404': problem('Unknown entry') },
        },
      },
      '/v1/verify': {
        post: {
          summary: 'Verify a document (or its hash) against an entry',
          requestBody: body('VerifyBody'),
          responses: { '200': ok('VerifyResult'), ...common, '404': problem('Unknown entry') },
        },
      },
      '/v1/audit': {
        get: {
          summary: 'Integrity report of the ledger or one subject (auditors, procuratorate)',
          parameters: [{ name: 'subject', in: 'query', required: false, schema: { type: 'string', pattern: '^[0-9a-f]{64}$' } }],
          responses: { '200': ok('AuditReport'), ...common, '403': problem('Not an auditor or the procuratorate') },
        },
      },
      '/v1/webhooks': {
        post: {
          summary: "Register a webhook for the caller's agency: notices are POSTed as JWS (application/jose), retried until 2xx",
          requestBody: body('WebhookBody'),
          responses: { '201': { description: 'the webhook' }, ...common, '403': problem('An auditor') },
        },
      },
      '/v1/webhooks/{id}': {
        get: { summary: 'A webhook of the caller\'s agency, with its delivery cursor', parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }], responses: { '200': { description: 'OK' }, ...common, '404': problem('Unknown webhook') } },
      },
      '/v1/entries/{id}/proof': {
        get: {
          summary: 'RFC 9162 inclusion proof of the entry in the latest final checkpoint',
          parameters: [idParam],
          responses: { '200': { description: 'entryId, entryHash, leafIndex, treeSize, auditPath, checkpoint' }, ...common, '404': problem('Unknown entry'), '409': problem('NOT_YET_CHECKPOINTED: no final checkpoint covers the entry yet (Retry-After)') },
        },
      },
      '/v1/entries/{id}/evidence': {
        get: {
          summary: 'A self-contained evidence bundle, to check offline with correction-ledger verify-evidence',
          parameters: [idParam],
          responses: { '200': { description: 'the evidence bundle' }, ...common, '404': problem('Unknown entry'), '409': problem('NOT_YET_CHECKPOINTED') },
        },
      },
      '/v1/evidence': {
        post: {
          summary: 'Exchange a receipt from POST /v1/events for the evidence bundle of its entry',
          requestBody: body('EvidenceRequest'),
          responses: { '200': { description: 'the evidence bundle' }, ...common, '409': problem('NOT_YET_CHECKPOINTED') },
        },
      },
      '/v1/log': { get: { summary: "The Merkle log's size, root and latest final checkpoint", responses: { '200': { description: 'OK' }, ...common } } },
      '/v1/log/consistency': {
        get: {
          summary: 'RFC 9162 consistency proof between two final checkpoints',
          parameters: [
            { name: 'from', in: 'query', required: true, schema: { type: 'integer', minimum: 1 } },
            { name: 'to', in: 'query', required: true, schema: { type: 'integer', minimum: 1 } },
          ],
          responses: { '200': { description: 'from, to, proof' }, ...common, '404': problem('No final checkpoint of that size') },
        },
      },
      '/v1/webhooks/{id}/deliveries': {
        get: { summary: "A webhook's delivery log", parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }], responses: { '200': { description: 'OK' }, ...common, '404': problem('Unknown webhook') } },
      },
      '/v1/obligations': {
        get: {
          summary: 'Statutory obligations across subjects, by obligated agency and state (open, overdue, met, late, void)',
          parameters: [
            { name: 'agency', in: 'query', required: false, schema: { type: 'string', enum: ['COURT', 'PROCURATORATE', 'POLICE', 'JUSTICE'] } },
            { name: 'state', in: 'query', required: false, schema: { type: 'string', enum: ['open', 'overdue', 'met', 'late', 'void'] } },
          ],
          responses: { '200': { description: 'OK' }, ...common },
        },
      },
      '/v1/stream': {
        get: {
          summary: "Server-sent events: every new entry that concerns the caller's agency; resume with Last-Event-ID",
          parameters: [{ name: 'Last-Event-ID', in: 'header', required: false, schema: { type: 'integer', minimum: 0 } }],
          responses: { '200': { description: 'text/event-stream' }, ...common },
        },
      },
      '/healthz': { get: { summary: 'Liveness', security: [], responses: { '200': { description: 'alive' } } } },
      '/readyz': { get: { summary: 'Readiness', security: [], responses: { '200': { description: 'ready' }, '503': problem('not ready') } } },
      '/openapi.json': { get: { summary: 'This document', security: [], responses: { '200': { description: 'OpenAPI 3.0' } } } },
      '/metrics': { get: { summary: 'Prometheus metrics', security: [], responses: { '200': { description: 'text exposition format' } } } },
    },
  };
}
