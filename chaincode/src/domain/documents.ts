import { z } from 'zod';
import { ATTACHMENTS_FIELD } from './attachments.js';

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

/** Why correction ends by release: the term ended, or a pardon (赦免) ended it (L44). */
export const RELEASE_GROUNDS = ['TERM_ENDED', 'PARDON'] as const;

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
    .max(max)
    // eslint-disable-next-line no-control-regex -- the null character is exactly what this refuses
    .regex(/^[^\u0000\uD800-\uDFFF]*$/u, 'must be well-formed text without null characters')
    // Checked as sent, not trimmed: the schema the API publishes says exactly what is accepted.
    .regex(/\S/u, 'must not be blank');
/** A document number (文号): short, one line. */
const docNo = words(100);
/** A person's or an institution's name. */
const name = words(100);
/** Free text: a judgment, an opinion, a reason. */
const text = words(20_000);
/** A short phrase: a destination, a penalty. */
const phrase = words(500);
const entryId = z.string().regex(/^[0-9a-f]{32}$/, 'must be an entry id (32 hex characters)');
/**
 * Where correction is carried out: a county-level division code of GB/T 2260 (6 digits), or a
 * township-level code (9 digits: the county's code and the township's three, GB/T 10114), where
 * the judicial office (司法所) that supervises the subject sits.
 */
const placeCode = z.string().regex(/^\d{6}(?:\d{3})?$/, 'must be a 6- or 9-digit administrative division code');
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
  /** Files the document comes with (a judgment, an execution notice …), each pinned by its hash; listed on the public entry. */
  attachments: ATTACHMENTS_FIELD,
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
    /** The proposed place of execution: where the subject lives, and so where the assessment happens. */
    executionPlace: placeCode,
    expedited: z.boolean().default(false),
    /** The subject was a minor at the offence: the record is sealed (L54, CPL286, SPCI581). */
    minorAtOffence: z.boolean().optional(),
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
    /**
     * 暂予监外执行: the day the custodian (看守所 or 监狱) received the decision; the ten days to
     * hand the subject over run from it (L21 ¶2, SPCI515).
     */
    custodianReceivedOn: date.optional(),
    /** The subject was a minor at the offence: the record is sealed for good (L54, L58, CPL286, SPCI581). */
    minorAtOffence: z.boolean().optional(),
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
  COMMENDATION_ISSUED: doc({
    decisionNo: docNo,
    reason: text.optional(),
  }),
  PENALTY_REQUESTED: doc({ requestNo: docNo, conduct: text.optional() }),
  PENALTY_DECIDED: doc({ decisionNo: docNo, penalty: phrase.optional() }),
  LOST_CONTACT: doc({ lastContactAt: dateTime.optional() }),
  SUBJECT_LOCATED: doc({ locatedAt: dateTime.optional() }),
  DETENTION_NOTIFIED: doc({ detainedAt: dateTime.optional(), measure: phrase.optional() }),
  DETENTION_ENDED: doc({ endedAt: dateTime.optional(), reason: phrase.optional() }),
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
  /** The court decides on a request to arrest: it may refuse (L47). */
  ARREST_DECIDED: doc({ decisionNo: docNo, approved: z.boolean() }),
  REVOCATION_RULED: doc({
    rulingNo: docNo,
    revoked: z.boolean(),
    /** Ruled by the court trying a new crime, on its own motion (L46 ¶2, SPCI542). */
    newCrime: z.boolean().default(false),
    /** The new crime's judgment, for a new-crime revocation. */
    judgmentNo: docNo.optional(),
  }),
  COMMITTED_TO_PRISON: doc({ institution: name }),
  CORRECTION_RELEASED: doc({
    certificateNo: docNo,
    /** The term ended, or a pardon (赦免) ended correction before it (L44). */
    ground: z.enum(RELEASE_GROUNDS).default('TERM_ENDED'),
    pardonOrderNo: docNo.optional(),
  }),
  DEATH_RECORDED: doc({ dateOfDeath: date }),
  PROCURATORIAL_OPINION: doc({
    opinionNo: docNo,
    kind: z.enum(['CORRECTION_OPINION', 'PROCURATORIAL_SUGGESTION']),
    addressedTo: z.enum(['COURT', 'POLICE', 'JUSTICE']),
    concerning: entryId.optional(),
    /** The period the opinion gives for a written reply (SPPR553). */
    replyWithinDays: z.number().int().min(1).max(365),
    text,
  }),
  PROCURATORIAL_REPLY: doc({
    answers: entryId,
    /** Whether the opinion was adopted; if not, `reason` says why (L62). */
    adopted: z.boolean(),
    reason: text.optional(),
    text,
  }),
  /** The addressed agency asks the procuratorate to reconsider (复查) its opinion (SPPR554). */
  RECONSIDERATION_REQUESTED: doc({
    answers: entryId,
    reason: text,
  }),
  RECONSIDERATION_ANSWERED: doc({
    /** The request for reconsideration this answers. */
    answers: entryId,
    /** The opinion stands; otherwise it is withdrawn. */
    upheld: z.boolean(),
    text,
  }),
  /** A subject's complaint (申诉、控告) to the procuratorate (L34 ¶2). */
  COMPLAINT_RECEIVED: doc({
    complaint: text,
    receivedOn: date.optional(),
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
export interface OrderRule {
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

/**
 * A field a document must carry — and, where `equals` is given, the value it must hold — when
 * another field holds a given value. Plain data, so that the published JSON Schema says it too
 * (as `if`/`then`).
 */
export interface ConditionalRule {
  readonly when: { readonly field: string; readonly equals: string | boolean };
  readonly then: { readonly field: string; readonly equals?: string | boolean };
}

/** What a document must say in the cases the statutes single out. */
export const CONDITIONAL_RULES: Partial<Readonly<Record<DocumentType, readonly ConditionalRule[]>>> = {
  // L21 ¶2: for 暂予监外执行 the clock of the handover to the agency starts at the custodian.
  SENTENCE_HANDOVER: [{ when: { field: 'correctionType', equals: 'TEMPORARY_OUTSIDE_PRISON' }, then: { field: 'custodianReceivedOn' } }],
  // L46 ¶2: the court trying the new crime revokes, on the strength of its own judgment.
  REVOCATION_RULED: [
    { when: { field: 'newCrime', equals: true }, then: { field: 'revoked', equals: true } },
    { when: { field: 'newCrime', equals: true }, then: { field: 'judgmentNo' } },
  ],
  // L44: a pardon ends correction by an order that the release names.
  CORRECTION_RELEASED: [{ when: { field: 'ground', equals: 'PARDON' }, then: { field: 'pardonOrderNo' } }],
  // L62: a reply that does not adopt the opinion says why.
  PROCURATORIAL_REPLY: [{ when: { field: 'adopted', equals: false }, then: { field: 'reason' } }],
};

type Fields = Readonly<Record<string, unknown>>;
interface CrossFieldIssue {
  readonly path: string;
  readonly message: string;
}

function orderIssues(rules: readonly OrderRule[], fields: Fields): CrossFieldIssue[] {
  return rules.flatMap(({ earlier, later, sameAllowed }) => {
    const from = fields[earlier];
    const to = fields[later];
    if (typeof from !== 'string' || typeof to !== 'string') return [];
    const wrong = sameAllowed ? to < from : to <= from;
    return wrong ? [{ path: later, message: `must be ${sameAllowed ? 'on or after' : 'after'} ${earlier}` }] : [];
  });
}

function conditionalIssues(rules: readonly ConditionalRule[], fields: Fields): CrossFieldIssue[] {
  return rules.flatMap(({ when, then }) => {
    if (fields[when.field] !== when.equals) return [];
    const condition = `when ${when.field} is ${String(when.equals)}`;
    if (fields[then.field] === undefined) return [{ path: then.field, message: `is required ${condition}` }];
    if (then.equals !== undefined && fields[then.field] !== then.equals) {
      return [{ path: then.field, message: `must be ${String(then.equals)} ${condition}` }];
    }
    return [];
  });
}

/**
 * Issues of the cross-field rules over a document's fields. `among` limits them to rules whose
 * fields all lie in it: an amendment sees an entry's public facts only, so it checks only the
 * rules between public facts.
 */
export function crossFieldIssues(type: string, fields: Fields, among?: ReadonlySet<string>): CrossFieldIssue[] {
  const within = (...names: string[]) => among === undefined || names.every((name) => among.has(name));
  const order = (ORDER_RULES[type as DocumentType] ?? []).filter((r) => within(r.earlier, r.later));
  const conditional = (CONDITIONAL_RULES[type as DocumentType] ?? []).filter((r) => within(r.when.field, r.then.field));
  return [...orderIssues(order, fields), ...conditionalIssues(conditional, fields)];
}

function withCrossFieldRules<S extends z.ZodType<Record<string, unknown>>>(type: DocumentType, shape: S): S {
  return shape.superRefine((value, ctx) => {
    for (const issue of crossFieldIssues(type, value)) ctx.addIssue({ code: 'custom', path: [issue.path], message: issue.message });
  });
}

/** Each event's document schema: its shape and its cross-field rules. */
export const DOCUMENT_SCHEMAS = Object.fromEntries(
  Object.entries(DOCUMENT_SHAPES).map(([type, shape]) => [type, withCrossFieldRules(type as DocumentType, shape)]),
) as unknown as typeof DOCUMENT_SHAPES;
