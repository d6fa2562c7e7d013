import { z } from 'zod';

/**
 * Zod schemas of the documents behind each event. A document is private: it travels as private
 * data to the agencies entitled to it, and only its hash and the fields an event names as public
 * reach the public ledger.
 *
 * Documents are strict: every field is declared and bounded, and an unknown field is refused
 * rather than hashed. What a document may say beyond its event's own fields is declared once
 * (`PRIVATE_FIELDS`): the subject's name, remarks, and `extras`, one bounded map for what an
 * agency's own forms add.
 */

export const CORRECTION_TYPES = ['PROBATION', 'PAROLE', 'CONTROL', 'TEMPORARY_OUTSIDE_PRISON'] as const;
export type CorrectionType = (typeof CORRECTION_TYPES)[number];

/** The founding of the People's Republic: no date of this legal order lies before it. */
export const EARLIEST_DATE = '1949-10-01';

/** A date (or date-time) written on or after 1949-10-01: a pattern, so that the API's schema says it too. */
const SINCE_1949 = /^(?:1949-1[0-2]|19[5-9]\d|[2-9]\d{3})/;
const date = z.iso.date().regex(SINCE_1949, `must not be before ${EARLIEST_DATE}`);
const dateTime = z.iso.datetime({ offset: true }).regex(SINCE_1949, `must not be before ${EARLIEST_DATE}`);
/** When an event happened: an ISO 8601 date-time with its offset, not before 1949-10-01. */
export const OCCURRED_AT = dateTime;
/**
 * Text a document may hold: well-formed Unicode (no lone surrogate, which has no UTF-8 form and so
 * no stable hash) and no null character (it truncates in C-based tools).
 */
const words = (max: number) =>
  z
    .string()
    .trim()
    .min(1)
    .max(max)
    // eslint-disable-next-line no-control-regex -- the null character is exactly what this refuses
    .regex(/^[^\u0000\uD800-\uDFFF]*$/u, 'must be well-formed text without null characters');
/** A document number (文号): short, one line. */
const docNo = words(100);
/** A person's or an institution's name. */
const name = words(100);
/** Free text: a judgment, an opinion, a reason. */
const text = words(20_000);
/** A short phrase: a destination, a penalty. */
const phrase = words(500);
const entryId = z.string().regex(/^[0-9a-f]{32}$/, 'must be an entry id (32 hex characters)');
/** Administrative division code (GB/T 2260) of the place where correction is carried out. */
const placeCode = z.string().regex(/^\d{6}$/, 'must be a 6-digit administrative division code');
const sha256 = z.string().regex(/^[0-9a-f]{64}$/, 'must be a SHA-256 hex digest');

/** Fields any document may carry beside its event's own: private, never on the public ledger. */
export const PRIVATE_FIELDS = {
  subjectName: name.optional(),
  remarks: text.optional(),
  /** Agency-specific additions: at most 20 short named values. */
  extras: z
    .record(z.string().regex(/^[A-Za-z][A-Za-z0-9_]{0,63}$/, 'must be a name of letters, digits and _ (at most 64)'), words(2_000))
    .refine((value) => Object.keys(value).length <= 20, 'holds at most 20 values')
    .meta({ maxProperties: 20 })
    .optional(),
} as const;

const doc = <S extends z.core.$ZodLooseShape>(shape: S) => z.strictObject({ ...shape, ...PRIVATE_FIELDS });

/**
 * The shape of each event's document: every field declared and bounded. Cross-field rules
 * (a term ends after it starts) are applied by DOCUMENT_SCHEMAS below.
 */
export const DOCUMENT_SHAPES = {
  ASSESSMENT_COMMISSIONED: doc({
    letterNo: docNo,
    proposedType: z.enum(CORRECTION_TYPES),
    expedited: z.boolean().default(false),
  }),
  ASSESSMENT_OPINION: doc({
    opinionNo: docNo,
    suitable: z.boolean(),
    summary: text.optional(),
  }),
  SENTENCE_HANDOVER: doc({
    decisionNo: docNo,
    correctionType: z.enum(CORRECTION_TYPES),
    effectiveDate: date,
    termStart: date,
    termEnd: date,
    executionPlace: placeCode,
    judgment: text.optional(),
    prohibitions: z.array(phrase).max(20).optional(),
  }),
  DOCUMENTS_SERVED: doc({
    documents: z.array(z.strictObject({ title: docNo, hash: sha256 })).min(1).max(50),
  }),
  HANDOVER_RECEIPT: doc({
    acknowledges: entryId,
    receivedAt: dateTime,
  }),
  SUBJECT_RECEIVED: doc({
    escorted: z.boolean().default(false),
    announcement: z.boolean().optional(),
  }),
  LEAVE_APPROVED: doc({
    approvalNo: docNo,
    leaveFrom: date,
    leaveTo: date,
    destination: phrase.optional(),
  }),
  EXECUTION_PLACE_CHANGED: doc({
    decisionNo: docNo,
    executionPlace: placeCode,
  }),
  MONITORING_CHANGED: doc({
    approvalNo: docNo,
    enabled: z.boolean(),
    until: date.optional(),
  }),
  WARNING_ISSUED: doc({
    decisionNo: docNo,
    kind: z.enum(['WARNING', 'REPRIMAND']).default('WARNING'),
    reason: text.optional(),
  }),
  PENALTY_REQUESTED: doc({ requestNo: docNo, conduct: text.optional() }),
  PENALTY_DECIDED: doc({ decisionNo: docNo, penalty: phrase.optional() }),
  LOST_CONTACT: doc({ lastContactAt: dateTime.optional() }),
  SUBJECT_LOCATED: doc({ locatedAt: dateTime.optional() }),
  DETENTION_NOTIFIED: doc({ detainedAt: dateTime.optional() }),
  COMMUTATION_PROPOSED: doc({ proposalNo: docNo }),
  COMMUTATION_RULED: doc({
    rulingNo: docNo,
    newTermEnd: date,
  }),
  REVOCATION_PROPOSED: doc({
    proposalNo: docNo,
    arrestRequested: z.boolean().default(false),
    grounds: z.array(phrase).max(20).optional(),
  }),
  ARREST_DECIDED: doc({ decisionNo: docNo }),
  REVOCATION_RULED: doc({
    rulingNo: docNo,
    revoked: z.boolean(),
  }),
  COMMITTED_TO_PRISON: doc({ institution: name }),
  CORRECTION_RELEASED: doc({ certificateNo: docNo }),
  DEATH_RECORDED: doc({ dateOfDeath: date }),
  PROCURATORIAL_OPINION: doc({
    opinionNo: docNo,
    kind: z.enum(['CORRECTION_OPINION', 'PROCURATORIAL_SUGGESTION']),
    addressedTo: z.enum(['COURT', 'POLICE', 'JUSTICE']),
    concerning: entryId.optional(),
    text,
  }),
  PROCURATORIAL_REPLY: doc({
    answers: entryId,
    text,
  }),
  AMENDMENT: doc({
    reason: text,
    /** New values of the amended entry's public fields (checked against that entry's own schema). */
    corrections: z.record(
      z.string().max(64),
      z.union([words(500), z.boolean(), z.number(), z.array(z.strictObject({ title: docNo, hash: sha256 })).max(50)]),
    ),
  }),
} as const;

export type DocumentType = keyof typeof DOCUMENT_SHAPES;

/** A rule between two fields of a document: the later one must not come before the earlier. */
interface OrderRule {
  readonly earlier: string;
  readonly later: string;
  /** True when the two may fall on the same day. */
  readonly sameAllowed: boolean;
}

/** The cross-field rules of each document. A term ends after it starts; a leave ends no earlier than it starts. */
export const ORDER_RULES: Partial<Readonly<Record<DocumentType, readonly OrderRule[]>>> = {
  SENTENCE_HANDOVER: [{ earlier: 'termStart', later: 'termEnd', sameAllowed: false }],
  LEAVE_APPROVED: [{ earlier: 'leaveFrom', later: 'leaveTo', sameAllowed: true }],
};

/** Issues of the cross-field rules over a document's fields (or an amended entry's facts). */
export function orderIssues(type: string, fields: Readonly<Record<string, unknown>>): Array<{ path: string; message: string }> {
  const rules = ORDER_RULES[type as DocumentType] ?? [];
  return rules.flatMap(({ earlier, later, sameAllowed }) => {
    const from = fields[earlier];
    const to = fields[later];
    if (typeof from !== 'string' || typeof to !== 'string') return [];
    const wrong = sameAllowed ? to < from : to <= from;
    return wrong ? [{ path: later, message: `must be ${sameAllowed ? 'on or after' : 'after'} ${earlier}` }] : [];
  });
}

function withOrderRules<S extends z.ZodType<Record<string, unknown>>>(type: DocumentType, shape: S): S {
  return shape.superRefine((value, ctx) => {
    for (const issue of orderIssues(type, value)) ctx.addIssue({ code: 'custom', path: [issue.path], message: issue.message });
  });
}

/** Each event's document schema: its shape and its cross-field rules. */
export const DOCUMENT_SCHEMAS = Object.fromEntries(
  Object.entries(DOCUMENT_SHAPES).map(([type, shape]) => [type, withOrderRules(type as DocumentType, shape)]),
) as unknown as typeof DOCUMENT_SHAPES;
