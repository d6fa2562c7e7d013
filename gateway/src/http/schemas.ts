import { z } from 'zod';
import {
  AGENCIES,
  ENTRY_ID_PATTERN,
  EVENT_CATALOG,
  EVENT_TYPES,
  isEventType,
  residentIdProblem,
  SUBJECT_REF_PATTERN,
  type FieldIssue,
} from 'correction-chaincode/domain';
import { validationFailed } from '../errors.js';

/** An 18-character resident ID (GB 11643) with a valid check digit. Only ever in request bodies. */
export const idNumber = z
  .string()
  .max(32)
  .superRefine((value, ctx) => {
    const problem = residentIdProblem(value);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  })
  .meta({ description: 'Resident identity number (GB 11643), 18 characters', example: '11010519491231002X' });

export const subjectRef = z
  .string()
  .regex(SUBJECT_REF_PATTERN, 'must be a subject reference (64 hex characters)')
  .meta({ description: 'Subject reference: HMAC-SHA256 of the ID number under the consortium key' });
export const entryId = z.string().regex(ENTRY_ID_PATTERN, 'must be an entry id (32 hex characters)');
const sha256Hex = z.string().regex(/^[0-9a-f]{64}$/, 'must be a SHA-256 hex digest');

export const SubjectInput = z
  .union([z.strictObject({ idNumber }), z.strictObject({ ref: subjectRef })])
  .meta({ description: 'The subject, by ID number or by reference' });

export const RecordEventBody = z
  .strictObject({
    type: z.enum(EVENT_TYPES as [string, ...string[]]),
    subject: SubjectInput,
    occurredAt: z.iso.datetime({ offset: true }),
    document: z.record(z.string(), z.unknown()).meta({ description: 'The event document (private)' }),
    amends: entryId.optional(),
  })
  .meta({ id: 'RecordEventBody' });
export type RecordEventBody = z.infer<typeof RecordEventBody>;

export const LookupBody = z.strictObject({ idNumber }).meta({ id: 'LookupBody' });

export const VerifyBody = z
  .strictObject({
    entryId,
    document: z.record(z.string(), z.unknown()).optional(),
    docHash: sha256Hex.optional(),
  })
  .refine((body) => (body.document === undefined) !== (body.docHash === undefined), {
    message: 'give either document or docHash',
    path: ['document'],
  })
  .meta({ id: 'VerifyBody' });
export type VerifyBody = z.infer<typeof VerifyBody>;

export const AuditQuery = z.strictObject({ subject: subjectRef.optional() }).meta({ id: 'AuditQuery' });

export function issuesOf(error: z.ZodError, prefix: readonly string[] = []): FieldIssue[] {
  return error.issues.flatMap((issue) => {
    const at = [...prefix, ...issue.path.map(String)];
    // One issue per unexpected field, named by its own path.
    if (issue.code === 'unrecognized_keys') {
      return issue.keys.map((key) => ({ path: [...at, key].join('.'), message: 'is not an allowed field' }));
    }
    return [{ path: at.join('.') || '(body)', message: issue.message }];
  });
}

/** Parses a body with a schema, or throws 400 listing every bad field. */
export function parseBody<T>(schema: z.ZodType<T>, body: unknown): T {
  const result = schema.safeParse(body ?? {});
  if (!result.success) throw validationFailed(issuesOf(result.error));
  return result.data;
}

/**
 * A record-event body, with the document checked against its event's schema in the same pass,
 * so that one 400 lists every bad field of the envelope and of the document.
 */
export function parseRecordEvent(body: unknown): RecordEventBody {
  const envelope = RecordEventBody.safeParse(body ?? {});
  const issues = envelope.success ? [] : issuesOf(envelope.error);
  const raw = (body ?? {}) as { type?: unknown; document?: unknown };
  if (isEventType(raw.type) && raw.document && typeof raw.document === 'object') {
    const document = EVENT_CATALOG[raw.type].document.safeParse(raw.document);
    if (!document.success) issues.push(...issuesOf(document.error, ['document']));
  }
  if (!envelope.success || issues.length > 0) throw validationFailed(issues);
  return envelope.data;
}

export const ConsistencyQuery = z
  .strictObject({ from: z.coerce.number().int().min(1), to: z.coerce.number().int().min(1) })
  .meta({ id: 'ConsistencyQuery' });

export const EvidenceRequest = z
  .strictObject({ receipt: z.string().regex(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/, 'must be a compact JWS') })
  .meta({ id: 'EvidenceRequest' });

export const ObligationsQuery = z
  .strictObject({
    agency: z.enum(AGENCIES).optional(),
    state: z.enum(['open', 'overdue', 'met', 'late', 'void']).optional(),
  })
  .meta({ id: 'ObligationsQuery' });

export const WebhookBody = z
  .strictObject({
    url: z.url({ protocol: /^https?$/ }),
    /** Entry types (SENTENCE_HANDOVER …), notice kinds (entry, obligation-overdue), or '*'. */
    events: z.array(z.union([z.enum(EVENT_TYPES as [string, ...string[]]), z.enum(['entry', 'obligation-overdue', '*'])])).min(1).default(['*']),
  })
  .meta({ id: 'WebhookBody' });
