import type { EventType } from './catalog.js';

export type DeadlineUnit = 'days' | 'workingDays' | 'hours' | 'months';

/** The date facts of a handover a clock may start from. */
export const HANDOVER_DATE_FACTS = ['effectiveDate', 'termEnd', 'custodianReceivedOn'] as const;
export type HandoverDateFact = (typeof HANDOVER_DATE_FACTS)[number];

/**
 * A condition on the starting entry's public facts: the fact equals a value, or is one of several.
 * A fact the entry does not carry meets neither.
 */
export type FactCondition =
  | { readonly fact: string; readonly equals: unknown }
  | { readonly fact: string; readonly oneOf: readonly unknown[] };

/**
 * When an event is due. Each rule names its article; rules marked `unverified` come from the
 * Implementation Measures, whose text has not been checked. They live here, in one table, never as
 * literals elsewhere.
 */
export interface DeadlineRule {
  readonly id: string;
  /** The event that meets the obligation. */
  readonly due: EventType;
  /** Where the clock starts: an earlier event, or a date fact of the handover. */
  readonly from: { readonly event: EventType } | { readonly fact: HandoverDateFact };
  /** How many units: a number, or the public fact of the starting entry that states the period. */
  readonly amount: number | { readonly fact: string };
  readonly unit: DeadlineUnit;
  /** A shorter limit that applies when the starting document says so (e.g. expedited assessments). */
  readonly expedited?: { readonly flag: string; readonly amount: number };
  readonly basis: string;
  readonly unverified?: true;
  /**
   * Where the clock starts in a private document or outside the ledger (a subject reporting in at
   * a new place, the moment of detention, the date of death): the public ledger cannot track it.
   */
  readonly untracked?: true;
  /** Only when the starting entry's public facts say so (an arrest was requested, the ruling revoked). */
  readonly when?: FactCondition;
}

/** The correction types a court, not a custodian, hands over: their reception clock starts at the judgment's effect. */
const DECIDED_IN_COURT = ['PROBATION', 'PAROLE', 'CONTROL'];

export const DEADLINE_RULES: readonly DeadlineRule[] = [
  // L18 sets no period for the assessment; the ten (five) working days are the Implementation Measures'.
  { id: 'ASSESSMENT_OPINION', due: 'ASSESSMENT_OPINION', from: { event: 'ASSESSMENT_COMMISSIONED' }, amount: 10, unit: 'workingDays', expedited: { flag: 'expedited', amount: 5 }, basis: 'IM', unverified: true },
  { id: 'SENTENCE_HANDOVER', due: 'SENTENCE_HANDOVER', from: { fact: 'effectiveDate' }, amount: 5, unit: 'days', basis: 'L20, SPCI519' },
  { id: 'DOCUMENTS_SERVED', due: 'DOCUMENTS_SERVED', from: { fact: 'effectiveDate' }, amount: 10, unit: 'days', basis: 'L20, SPCI519' },
  { id: 'HANDOVER_RECEIPT', due: 'HANDOVER_RECEIPT', from: { event: 'DOCUMENTS_SERVED' }, amount: 5, unit: 'days', basis: 'IM', unverified: true },
  { id: 'SUBJECT_RECEIVED', due: 'SUBJECT_RECEIVED', from: { fact: 'effectiveDate' }, amount: 10, unit: 'days', basis: 'L21, SPCI515', when: { fact: 'correctionType', oneOf: DECIDED_IN_COURT } },
  // 暂予监外执行: the custodian hands the subject over within ten days of receiving the decision.
  { id: 'SUBJECT_ESCORTED', due: 'SUBJECT_RECEIVED', from: { fact: 'custodianReceivedOn' }, amount: 10, unit: 'days', basis: 'L21 ¶2, SPCI515', when: { fact: 'correctionType', equals: 'TEMPORARY_OUTSIDE_PRISON' } },
  // L27 sets no number of days for reporting at a new place.
  { id: 'EXECUTION_PLACE_CHANGED', due: 'EXECUTION_PLACE_CHANGED', from: { event: 'EXECUTION_PLACE_CHANGED' }, amount: 7, unit: 'days', basis: 'IM', unverified: true, untracked: true },
  { id: 'MONITORING_CHANGED', due: 'MONITORING_CHANGED', from: { event: 'MONITORING_CHANGED' }, amount: 3, unit: 'months', basis: 'L29', when: { fact: 'enabled', equals: true } },
  { id: 'DETENTION_NOTIFIED', due: 'DETENTION_NOTIFIED', from: { event: 'DETENTION_NOTIFIED' }, amount: 0, unit: 'days', basis: 'L32', untracked: true },
  { id: 'COMMUTATION_RULED', due: 'COMMUTATION_RULED', from: { event: 'COMMUTATION_PROPOSED' }, amount: 30, unit: 'days', basis: 'L33' },
  { id: 'ARREST_DECIDED', due: 'ARREST_DECIDED', from: { event: 'REVOCATION_PROPOSED' }, amount: 48, unit: 'hours', basis: 'L47, SPCI544', when: { fact: 'arrestRequested', equals: true } },
  // An arrested subject is held at most thirty days before the revocation is ruled on.
  { id: 'ARREST_CUSTODY', due: 'REVOCATION_RULED', from: { event: 'ARREST_DECIDED' }, amount: 30, unit: 'days', basis: 'L47', when: { fact: 'approved', equals: true } },
  { id: 'REVOCATION_RULED', due: 'REVOCATION_RULED', from: { event: 'REVOCATION_PROPOSED' }, amount: 30, unit: 'days', basis: 'L48, L49, SPCI545' },
  { id: 'COMMITTED_TO_PRISON', due: 'COMMITTED_TO_PRISON', from: { event: 'REVOCATION_RULED' }, amount: 0, unit: 'days', basis: 'L48, L49', when: { fact: 'revoked', equals: true } },
  { id: 'CORRECTION_RELEASED', due: 'CORRECTION_RELEASED', from: { fact: 'termEnd' }, amount: 0, unit: 'days', basis: 'L44' },
  // L51 asks for prompt notice; the five days are the Implementation Measures'.
  { id: 'DEATH_RECORDED', due: 'DEATH_RECORDED', from: { event: 'DEATH_RECORDED' }, amount: 5, unit: 'days', basis: 'IM', unverified: true, untracked: true },
  // SPPR553: the reply is due within the period the opinion itself states.
  { id: 'PROCURATORIAL_REPLY', due: 'PROCURATORIAL_REPLY', from: { event: 'PROCURATORIAL_OPINION' }, amount: { fact: 'replyWithinDays' }, unit: 'days', basis: 'L62, SPPR553' },
  { id: 'RECONSIDERATION_ANSWERED', due: 'RECONSIDERATION_ANSWERED', from: { event: 'RECONSIDERATION_REQUESTED' }, amount: 7, unit: 'days', basis: 'SPPR554' },
];
