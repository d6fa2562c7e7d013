import type { EventType } from './catalog.js';

export type DeadlineUnit = 'days' | 'workingDays' | 'hours' | 'months';

/**
 * When an event is due. Rules marked `unverified` come from the Implementation Measures and are
 * not yet checked against its text; they live here, in one table, never as literals elsewhere.
 */
export interface DeadlineRule {
  readonly id: string;
  /** The event that meets the obligation. */
  readonly due: EventType;
  /** Where the clock starts: an earlier event, or a date fact of the handover. */
  readonly from: { readonly event: EventType } | { readonly fact: 'effectiveDate' | 'termEnd' };
  readonly amount: number;
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
  /** Only when the starting entry's public fact has this value (an arrest was requested, the ruling revoked). */
  readonly when?: { readonly fact: string; readonly equals: unknown };
}

export const DEADLINE_RULES: readonly DeadlineRule[] = [
  { id: 'ASSESSMENT_OPINION', due: 'ASSESSMENT_OPINION', from: { event: 'ASSESSMENT_COMMISSIONED' }, amount: 10, unit: 'workingDays', expedited: { flag: 'expedited', amount: 5 }, basis: 'L18', unverified: true },
  { id: 'SENTENCE_HANDOVER', due: 'SENTENCE_HANDOVER', from: { fact: 'effectiveDate' }, amount: 5, unit: 'days', basis: 'L20, SPCI519' },
  { id: 'DOCUMENTS_SERVED', due: 'DOCUMENTS_SERVED', from: { fact: 'effectiveDate' }, amount: 10, unit: 'days', basis: 'L20' },
  { id: 'HANDOVER_RECEIPT', due: 'HANDOVER_RECEIPT', from: { event: 'DOCUMENTS_SERVED' }, amount: 5, unit: 'days', basis: 'IM', unverified: true },
  { id: 'SUBJECT_RECEIVED', due: 'SUBJECT_RECEIVED', from: { fact: 'effectiveDate' }, amount: 10, unit: 'days', basis: 'L21, L22' },
  { id: 'EXECUTION_PLACE_CHANGED', due: 'EXECUTION_PLACE_CHANGED', from: { event: 'EXECUTION_PLACE_CHANGED' }, amount: 7, unit: 'days', basis: 'L27', unverified: true, untracked: true },
  { id: 'MONITORING_CHANGED', due: 'MONITORING_CHANGED', from: { event: 'MONITORING_CHANGED' }, amount: 3, unit: 'months', basis: 'L29', when: { fact: 'enabled', equals: true } },
  { id: 'DETENTION_NOTIFIED', due: 'DETENTION_NOTIFIED', from: { event: 'DETENTION_NOTIFIED' }, amount: 0, unit: 'days', basis: 'L32', untracked: true },
  { id: 'COMMUTATION_RULED', due: 'COMMUTATION_RULED', from: { event: 'COMMUTATION_PROPOSED' }, amount: 30, unit: 'days', basis: 'L33' },
  { id: 'ARREST_DECIDED', due: 'ARREST_DECIDED', from: { event: 'REVOCATION_PROPOSED' }, amount: 48, unit: 'hours', basis: 'L47', when: { fact: 'arrestRequested', equals: true } },
  { id: 'REVOCATION_RULED', due: 'REVOCATION_RULED', from: { event: 'REVOCATION_PROPOSED' }, amount: 30, unit: 'days', basis: 'L48, L49' },
  { id: 'COMMITTED_TO_PRISON', due: 'COMMITTED_TO_PRISON', from: { event: 'REVOCATION_RULED' }, amount: 0, unit: 'days', basis: 'L48, L49', when: { fact: 'revoked', equals: true } },
  { id: 'CORRECTION_RELEASED', due: 'CORRECTION_RELEASED', from: { fact: 'termEnd' }, amount: 0, unit: 'days', basis: 'L44' },
  { id: 'DEATH_RECORDED', due: 'DEATH_RECORDED', from: { event: 'DEATH_RECORDED' }, amount: 5, unit: 'days', basis: 'L51', unverified: true, untracked: true },
  { id: 'PROCURATORIAL_REPLY', due: 'PROCURATORIAL_REPLY', from: { event: 'PROCURATORIAL_OPINION' }, amount: 15, unit: 'days', basis: 'L62, SPPR642-644', unverified: true },
];
