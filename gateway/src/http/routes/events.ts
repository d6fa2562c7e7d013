import { z } from 'zod';
import { AuditReportSchema, RecordedSchema, SubmissionSchema, VerifyResultSchema } from '../responses.js';
import { json, route, type AnyRoute } from '../route.js';
import { AuditQuery, purposeOf, RecordEventBody, VerifyBody } from '../schemas.js';
import type { RouteServices } from './deps.js';

/** Visible ASCII, as the IETF Idempotency-Key draft's examples use; long enough for a UUID and a prefix. */
export const IdempotencyHeaders = z.strictObject({
  'idempotency-key': z
    .string()
    .regex(/^[\x21-\x7e]{1,200}$/, 'must be 1-200 visible ASCII characters')
    .optional()
    .meta({ description: 'The same key with the same request records once; a retry gets the first answer' }),
});

/** Recording, verifying and auditing entries. */
export function eventRoutes({ service, recorder }: RouteServices): AnyRoute[] {
  return [
    route({
      method: 'post',
      path: '/v1/events',
      summary: 'Record a correction event',
      access: 'agency',
      headers: IdempotencyHeaders,
      body: RecordEventBody,
      ledger: true,
      responses: {
        201: { description: 'Recorded; the receipt is signed by this gateway', schema: RecordedSchema, headers: ['Location', 'Idempotent-Replayed'] },
        202: {
          description: 'Accepted while the ledger could not settle it (with an Idempotency-Key, or when the outcome is unknown): the submission commits or is refused later',
          schema: SubmissionSchema,
          headers: ['Location'],
        },
        403: { description: 'The agency, unit, kind of unit or role may not record this event for this subject' },
        404: { description: 'Unknown subject, amended or acknowledged entry' },
        409: { description: 'Not allowed in the current lifecycle state (currentState named)' },
        422: { description: 'Idempotency-Key reused with a different request' },
      },
      async handle({ principal, headers, body }) {
        const answer = await recorder.record(principal, body, headers['idempotency-key']);
        if (answer.kind === 'accepted') {
          return json(202, answer.submission, { Location: `/v1/submissions/${answer.submission.id}` });
        }
        return json(201, answer.response, {
          Location: `/v1/entries/${answer.response.entry.id}`,
          ...(answer.replayed ? { 'Idempotent-Replayed': 'true' } : {}),
        });
      },
    }),
    route({
      method: 'post',
      path: '/v1/verify',
      summary: 'Verify a document (or its hash) against an entry',
      access: 'agency',
      body: VerifyBody,
      ledger: true,
      responses: {
        200: { description: 'The checks, each named', schema: VerifyResultSchema },
        403: { description: 'Outside the jurisdiction of its subject; PURPOSE_REQUIRED for a sealed record' },
        404: { description: 'Unknown entry' },
      },
      async handle({ principal, body }) {
        return json(200, await service.verify(principal, body));
      },
    }),
    route({
      method: 'get',
      path: '/v1/audit',
      summary: 'Integrity report of the ledger or one subject (auditors, procuratorate)',
      access: 'agency',
      query: AuditQuery,
      ledger: true,
      responses: {
        200: { description: 'The report; every problem names where it was found', schema: AuditReportSchema },
        403: { description: 'Not an auditor or the procuratorate; a subject outside the caller\'s reach' },
        404: { description: 'Unknown subject' },
      },
      async handle({ principal, query }) {
        return json(200, await service.audit(principal, query.subject, purposeOf(query)));
      },
    }),
  ];
}
