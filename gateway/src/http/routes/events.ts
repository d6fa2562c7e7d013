import { z } from 'zod';
import { ATTACHMENT_MEDIA_TYPES } from 'correction-chaincode/domain';
import { ApiError, validationFailed } from '../../errors.js';
import type { Principal } from '../auth.js';
import type { DocumentService, FileMatch } from '../../services/documents.js';
import { hashStream } from '../../services/hash-stream.js';
import { hashFileForm } from '../file-form.js';
import { AuditReportSchema, RecordedSchema, SubmissionSchema, VerifyAnswerSchema } from '../responses.js';
import { json, route, type AnyRoute, type Upload } from '../route.js';
import { AuditQuery, entryId, purposeOf, RecordEventBody, VerifyBody, withPurposeQuery, type PurposeQuery } from '../schemas.js';
import type { RouteServices } from './deps.js';

/** Visible ASCII, as the IETF Idempotency-Key draft's examples use; long enough for a UUID and a prefix. */
export const IdempotencyHeaders = z.strictObject({
  'idempotency-key': z
    .string()
    .regex(/^[\x21-\x7e]{1,200}$/, 'must be 1-200 visible ASCII characters')
    .optional()
    .meta({ description: 'The same key with the same request records once; a retry gets the first answer' }),
});

const VerifyQuery = withPurposeQuery({
  entry: entryId.optional().meta({ description: 'The entry a file sent as the raw body is checked against (a form names it in entryId)' }),
}).meta({ id: 'VerifyQuery' });

/** A file checked against an entry: sent as the raw body (?entry=) or as a form (entryId, file). Hashed as it streams, not kept. */
async function verifyFile(documents: DocumentService, principal: Principal, upload: Upload, query: { entry?: string | undefined } & PurposeQuery): Promise<FileMatch> {
  const purpose = purposeOf(query);
  if (upload.mediaType === 'multipart/form-data') {
    const { fields, file } = await hashFileForm(upload, documents.maxBytes, ['entryId']);
    const parsed = entryId.safeParse(fields['entryId'] ?? query.entry);
    if (!parsed.success) throw validationFailed([{ path: 'entryId', message: 'is required: an entry id (32 hex characters)' }]);
    return documents.match(principal, parsed.data, file, purpose);
  }
  if (query.entry === undefined) throw validationFailed([{ path: 'entry', message: 'is required with a file as the body' }]);
  // A file sent as a PDF, OFD, JPEG or PNG must be one by its leading bytes; application/octet-stream says nothing.
  const declared = ATTACHMENT_MEDIA_TYPES.find((type) => type === upload.mediaType);
  return documents.match(principal, query.entry, await hashStream(upload.stream, documents.maxBytes, declared), purpose);
}

/** Recording, verifying and auditing entries. */
export function eventRoutes({ service, recorder, documents }: RouteServices): AnyRoute[] {
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
      summary: 'Verify a document (or its hash) against an entry, or say which of its attachments a file is',
      access: 'agency',
      query: VerifyQuery,
      body: VerifyBody,
      upload: {
        mediaTypes: [...ATTACHMENT_MEDIA_TYPES, 'application/octet-stream', 'multipart/form-data'],
        maxBytes: documents.maxBytes,
        form: { entryId: { description: 'The entry the file is checked against' }, file: { description: 'The file', binary: true } },
      },
      ledger: true,
      responses: {
        200: { description: 'For a document: the checks, each named (VerifyResult). For a file: which attachment it is, or none (FileMatch)', schema: VerifyAnswerSchema },
        403: { description: 'Outside the jurisdiction of its subject; PURPOSE_REQUIRED for a sealed record' },
        404: { description: 'Unknown entry' },
        415: { description: 'A body of another media type, or a file that is not the type it is sent as by its leading bytes (FILE_TYPE_NOT_ACCEPTED)' },
      },
      async handle({ principal, query, body, upload }) {
        if (upload) return json(200, await verifyFile(documents, principal, upload, query));
        if (query.entry !== undefined) throw new ApiError('VALIDATION_FAILED', 'entry goes with a file', { errors: [{ path: 'entry', message: 'is for a file sent as the body; a JSON body names its entryId' }] });
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
