import { z } from 'zod';
import { EntryWithDocumentSchema, EvidenceBundleSchema, InclusionProofSchema } from '../responses.js';
import { querySize } from '../query-integer.js';
import { json, route, type AnyRoute } from '../route.js';
import { entryId, EvidenceRequest, PurposeQuery, purposeOf } from '../schemas.js';
import type { RouteServices } from './deps.js';

const IdParams = z.strictObject({ id: entryId });
const ProofQuery = z.strictObject({ size: querySize().optional() });
const notYet = { description: 'NOT_YET_CHECKPOINTED: no final checkpoint covers the entry yet (Retry-After)', headers: ['Retry-After'] };

/** Entries, their proofs and evidence bundles. */
export function entryRoutes({ service, proofs }: RouteServices): AnyRoute[] {
  return [
    route({
      method: 'get',
      path: '/v1/entries/{id}',
      summary: 'An entry, with its document when the caller is entitled (every document read is recorded), and the later entries that answer it',
      access: 'agency',
      params: IdParams,
      query: PurposeQuery,
      ledger: true,
      responses: {
        200: { description: 'The entry', schema: EntryWithDocumentSchema },
        403: { description: 'Outside the jurisdiction of its subject, or a sealed record the caller does not read' },
        404: { description: 'Unknown entry' },
      },
      async handle({ principal, params, query }) {
        return json(200, await service.entry(principal, params.id, purposeOf(query)));
      },
    }),
    route({
      method: 'get',
      path: '/v1/entries/{id}/proof',
      summary: 'RFC 9162 inclusion proof of the entry in the latest final checkpoint, or in the final checkpoint of a chosen size',
      access: 'agency',
      params: IdParams,
      query: ProofQuery,
      ledger: true,
      responses: {
        200: { description: 'The proof', schema: InclusionProofSchema },
        403: { description: 'Outside the jurisdiction of its subject' },
        404: { description: 'Unknown entry, no final checkpoint of that size, or one too small to hold the entry' },
        409: notYet,
      },
      async handle({ principal, params, query }) {
        return json(200, await proofs.inclusion(principal, params.id, query.size));
      },
    }),
    route({
      method: 'get',
      path: '/v1/entries/{id}/evidence',
      summary: 'A self-contained evidence bundle, to check offline with correction-verify',
      access: 'agency',
      params: IdParams,
      ledger: true,
      responses: { 200: { description: 'The evidence bundle', schema: EvidenceBundleSchema }, 403: { description: 'Outside the jurisdiction of its subject' }, 404: { description: 'Unknown entry' }, 409: notYet },
      async handle({ principal, params }) {
        return json(200, await proofs.evidence(principal, params.id));
      },
    }),
    route({
      method: 'post',
      path: '/v1/evidence',
      summary: 'Exchange a receipt from POST /v1/events for the evidence bundle of its entry',
      access: 'agency',
      body: EvidenceRequest,
      ledger: true,
      responses: {
        200: { description: 'The evidence bundle', schema: EvidenceBundleSchema },
        403: { description: 'Outside the jurisdiction of its subject' },
        404: { description: 'The receipt is not one of this consortium, or names an unknown entry' },
        409: { description: 'Not yet in a final checkpoint, or the receipt names another version of the entry', headers: ['Retry-After'] },
      },
      async handle({ principal, body }) {
        return json(200, await proofs.evidenceForReceipt(principal, body.receipt));
      },
    }),
  ];
}
