import { z } from 'zod';
import {
  AGENCIES,
  ENTRY_ID_PATTERN,
  EVENT_CATALOG,
  EVENT_TYPES,
  OCCURRED_AT,
  PURPOSE,
  READ_REASONS,
  residentIdProblem,
  SUBJECT_REF_PATTERN,
  type EventType,
} from 'correction-chaincode/domain';

/** An 18-character resident ID (GB 11643) with a valid check digit. Only ever in request bodies. */
export const idNumber = z
  .string()
  .regex(/^\s*\d{6}(?:19|20)\d\d(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])\d{3}[\dXx]\s*$/, 'must be 18 characters: region, birth date, sequence and a check digit (0-9 or X)')
  .superRefine((value, ctx) => {
    const problem = residentIdProblem(value);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  })
  .meta({ description: 'Resident identity number (GB 11643), 18 characters with a valid check digit', example: '11010519491231002X' });

export const subjectRef = z
  .string()
  .regex(SUBJECT_REF_PATTERN, 'must be a subject reference (64 hex characters)')
  .meta({ description: 'Subject reference: HMAC-SHA256 of the ID number under the consortium key' });
export const entryId = z.string().regex(ENTRY_ID_PATTERN, 'must be an entry id (32 hex characters)');
export const sha256Hex = z.string().regex(/^[0-9a-f]{64}$/, 'must be a SHA-256 hex digest');

export const SubjectInput = z
  .union([z.strictObject({ idNumber }), z.strictObject({ ref: subjectRef })])
  .meta({ id: 'SubjectInput', description: 'The subject, by ID number or by reference' });

const documentId = (type: string): string => `${type.toLowerCase().replace(/(^|_)([a-z])/g, (_all, _u: string, c: string) => c.toUpperCase())}Document`;

/** Each event's document schema, named as an OpenAPI component. */
const DOCUMENTS = new Map<EventType, z.ZodType>(
  EVENT_TYPES.map((type) => [type, EVENT_CATALOG[type].document.meta({ id: documentId(type), description: `The ${EVENT_CATALOG[type].name} document (private)` })]),
);
const documentOf = (type: EventType): z.ZodType => DOCUMENTS.get(type) ?? EVENT_CATALOG[type].document;

/** One variant of the record-event body per event type, each with its own strict document. */
function recordVariant(type: EventType) {
  const document = documentOf(type);
  const envelope = { type: z.literal(type), subject: SubjectInput, occurredAt: OCCURRED_AT, document };
  return type === 'AMENDMENT' ? z.strictObject({ ...envelope, amends: entryId }) : z.strictObject(envelope);
}

export const RecordEventBody = z
  .discriminatedUnion('type', EVENT_TYPES.map(recordVariant) as unknown as [ReturnType<typeof recordVariant>, ...Array<ReturnType<typeof recordVariant>>])
  .meta({ id: 'RecordEventBody' });
export type RecordEventBody = z.infer<typeof RecordEventBody> & { readonly amends?: string };

/** Why a sealed record is read: a case number and a reason (SPCI581). Only in bodies and queries, never logged. */
export const Purpose = PURPOSE.meta({ id: 'Purpose', description: 'Why a sealed record is read: the case and a reason code (SPCI581)' });

export const LookupBody = z.strictObject({ idNumber, purpose: Purpose.optional() }).meta({ id: 'LookupBody' });

const PURPOSE_QUERY_FIELDS = {
  reason: z.enum(READ_REASONS).optional().meta({ description: 'Why a sealed record is read (with caseNumber)' }),
  caseNumber: PURPOSE.shape.caseNumber.optional().meta({ description: 'The case it is read for (with reason)' }),
};

/**
 * A query of `shape` that may state a read's purpose: `reason` and `caseNumber` together, or
 * neither. Readers of a sealed record outside those who read it in full must give them.
 */
export function withPurposeQuery<S extends z.ZodRawShape>(shape: S) {
  return z
    .strictObject({ ...shape, ...PURPOSE_QUERY_FIELDS })
    .refine((q: { reason?: unknown; caseNumber?: unknown }) => (q.reason === undefined) === (q.caseNumber === undefined), { error: 'give reason and caseNumber together', path: ['caseNumber'] });
}

/** A read's purpose in a query, alone. */
export const PurposeQuery = withPurposeQuery({}).meta({ id: 'PurposeQuery' });
export type PurposeQuery = z.infer<typeof PurposeQuery>;

/** The purpose a query states, if any. */
export function purposeOf(query: PurposeQuery): z.infer<typeof PURPOSE> | null {
  return query.reason !== undefined && query.caseNumber !== undefined ? { reason: query.reason, caseNumber: query.caseNumber } : null;
}

/** A document any event could have recorded: only such a document can match an entry. */
const RecordableDocument = z
  .union(EVENT_TYPES.map(documentOf) as unknown as [z.ZodType, ...z.ZodType[]])
  .meta({ id: 'RecordableDocument' });

export const VerifyBody = z
  .xor([z.strictObject({ entryId, document: RecordableDocument, purpose: Purpose.optional() }), z.strictObject({ entryId, docHash: sha256Hex, purpose: Purpose.optional() })], {
    error: 'give entryId with either document or docHash',
  })
  .meta({ id: 'VerifyBody' });
export type VerifyBody = z.infer<typeof VerifyBody>;

export const AuditQuery = withPurposeQuery({ subject: subjectRef.optional() }).meta({ id: 'AuditQuery' });

export const EvidenceRequest = z
  .strictObject({ receipt: z.string().max(4096).regex(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/, 'must be a compact JWS') })
  .meta({ id: 'EvidenceRequest' });

export const ObligationsQuery = z
  .strictObject({
    agency: z.enum(AGENCIES).optional(),
    state: z.enum(['open', 'overdue', 'met', 'late', 'void']).optional(),
  })
  .meta({ id: 'ObligationsQuery' });

export const WebhookBody = z
  .strictObject({
    url: z.url({ protocol: /^https?$/ }).max(2048),
    /** Entry types (SENTENCE_HANDOVER …), notice kinds (entry, obligation-overdue, submission-refused), or '*'. */
    events: z
      .array(z.union([z.enum(EVENT_TYPES as [string, ...string[]]), z.enum(['entry', 'obligation-overdue', 'submission-refused', '*'])]))
      .min(1)
      .max(64)
      .default(['*']),
  })
  .meta({ id: 'WebhookBody' });
