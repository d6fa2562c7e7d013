import { z } from 'zod';

/**
 * Zod schemas of the documents behind each event. A document is private: it travels as private
 * data to the agencies entitled to it, and only its hash and the fields an event names as public
 * reach the public ledger. Documents may carry further fields (names, texts) beyond those checked.
 */

export const CORRECTION_TYPES = ['PROBATION', 'PAROLE', 'CONTROL', 'TEMPORARY_OUTSIDE_PRISON'] as const;
export type CorrectionType = (typeof CORRECTION_TYPES)[number];

const date = z.iso.date();
const dateTime = z.iso.datetime({ offset: true });
const docNo = z.string().trim().min(1).max(100);
const text = z.string().trim().min(1).max(20_000);
const entryId = z.string().regex(/^[0-9a-f]{32}$/, 'must be an entry id (32 hex characters)');
/** Administrative division code (GB/T 2260) of the place where correction is carried out. */
const placeCode = z.string().regex(/^\d{6}$/, 'must be a 6-digit administrative division code');
const sha256 = z.string().regex(/^[0-9a-f]{64}$/, 'must be a SHA-256 hex digest');

export const DOCUMENT_SCHEMAS = {
  ASSESSMENT_COMMISSIONED: z.looseObject({
    letterNo: docNo,
    proposedType: z.enum(CORRECTION_TYPES),
    expedited: z.boolean().default(false),
  }),
  ASSESSMENT_OPINION: z.looseObject({
    opinionNo: docNo,
    suitable: z.boolean(),
  }),
  SENTENCE_HANDOVER: z.looseObject({
    decisionNo: docNo,
    correctionType: z.enum(CORRECTION_TYPES),
    effectiveDate: date,
    termStart: date,
    termEnd: date,
    executionPlace: placeCode,
  }),
  DOCUMENTS_SERVED: z.looseObject({
    documents: z.array(z.looseObject({ title: docNo, hash: sha256 })).min(1),
  }),
  HANDOVER_RECEIPT: z.looseObject({
    acknowledges: entryId,
    receivedAt: dateTime,
  }),
  SUBJECT_RECEIVED: z.looseObject({
    escorted: z.boolean().default(false),
  }),
  LEAVE_APPROVED: z.looseObject({
    approvalNo: docNo,
    leaveFrom: date,
    leaveTo: date,
  }),
  EXECUTION_PLACE_CHANGED: z.looseObject({
    decisionNo: docNo,
    executionPlace: placeCode,
  }),
  MONITORING_CHANGED: z.looseObject({
    approvalNo: docNo,
    enabled: z.boolean(),
    until: date.optional(),
  }),
  WARNING_ISSUED: z.looseObject({
    decisionNo: docNo,
    kind: z.enum(['WARNING', 'REPRIMAND']).default('WARNING'),
  }),
  PENALTY_REQUESTED: z.looseObject({ requestNo: docNo }),
  PENALTY_DECIDED: z.looseObject({ decisionNo: docNo }),
  LOST_CONTACT: z.looseObject({ lastContactAt: dateTime.optional() }),
  SUBJECT_LOCATED: z.looseObject({ locatedAt: dateTime.optional() }),
  DETENTION_NOTIFIED: z.looseObject({ detainedAt: dateTime.optional() }),
  COMMUTATION_PROPOSED: z.looseObject({ proposalNo: docNo }),
  COMMUTATION_RULED: z.looseObject({
    rulingNo: docNo,
    newTermEnd: date,
  }),
  REVOCATION_PROPOSED: z.looseObject({
    proposalNo: docNo,
    arrestRequested: z.boolean().default(false),
  }),
  ARREST_DECIDED: z.looseObject({ decisionNo: docNo }),
  REVOCATION_RULED: z.looseObject({
    rulingNo: docNo,
    revoked: z.boolean(),
  }),
  COMMITTED_TO_PRISON: z.looseObject({ institution: docNo }),
  CORRECTION_RELEASED: z.looseObject({ certificateNo: docNo }),
  DEATH_RECORDED: z.looseObject({ dateOfDeath: date }),
  PROCURATORIAL_OPINION: z.looseObject({
    opinionNo: docNo,
    kind: z.enum(['CORRECTION_OPINION', 'PROCURATORIAL_SUGGESTION']),
    addressedTo: z.enum(['COURT', 'POLICE', 'JUSTICE']),
    concerning: entryId.optional(),
    text,
  }),
  PROCURATORIAL_REPLY: z.looseObject({
    answers: entryId,
    text,
  }),
  AMENDMENT: z.looseObject({
    reason: text,
    corrections: z.record(z.string(), z.unknown()),
  }),
} as const;
