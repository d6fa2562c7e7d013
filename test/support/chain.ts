import {
  recordEntry,
  type Actor,
  type Agency,
  type Entry,
  type EventType,
  type RecordOutcome,
  type SubjectStatus,
} from 'correction-chaincode/domain';
import { actor } from './actors.js';
import { sampleDocument } from './documents.js';

let txCounter = 0;

/**
 * One subject's chain kept in memory, recorded through the domain's pure recordEntry: what the
 * contract does, without a ledger. Transaction time advances a minute per entry.
 */
export class Chain {
  readonly subjectRef: string;
  readonly entries: Entry[] = [];
  status: SubjectStatus | undefined;
  #clock = Date.parse('2026-01-01T00:00:00Z');

  constructor(subjectRef = 'ab'.repeat(32)) {
    this.subjectRef = subjectRef;
  }

  /**
   * Records an event as an agency (acting agency-wide) or as a principal of one of its units;
   * `type` is any string, so that tests can try types the catalog does not know.
   */
  record(
    who: Agency | Actor,
    type: string,
    document: unknown = sampleDocument(type as EventType),
    options: { occurredAt?: string; amends?: string } = {},
  ): RecordOutcome {
    this.#clock += 60_000;
    const recordedAt = new Date(this.#clock).toISOString();
    const amended = options.amends ? this.entries.find((e) => e.id === options.amends) : undefined;
    const acknowledges = (document as { acknowledges?: unknown } | null)?.acknowledges;
    const acknowledged = this.entries.find((e) => e.id === acknowledges);
    const outcome = recordEntry(
      { subjectRef: this.subjectRef, type, actor: typeof who === 'string' ? actor(who) : who, occurredAt: options.occurredAt ?? '2025-12-01T09:00:00+08:00', document, amends: options.amends ?? null },
      { txId: `tx${++txCounter}`, recordedAt },
      { status: this.status, amended, acknowledged, history: this.entries },
    );
    this.entries.push(outcome.entry);
    this.status = outcome.status;
    return outcome;
  }

  get last(): Entry {
    const entry = this.entries.at(-1);
    if (!entry) throw new Error('empty chain');
    return entry;
  }
}

/** Paths from nothing to each lifecycle state, as DOMAIN.md draws them. */
export const PATHS: Readonly<Record<string, ReadonlyArray<readonly [Agency, EventType, Record<string, unknown>?]>>> = {
  NONE: [],
  ASSESSING: [['COURT', 'ASSESSMENT_COMMISSIONED']],
  ASSESSED: [['COURT', 'ASSESSMENT_COMMISSIONED'], ['JUSTICE', 'ASSESSMENT_OPINION']],
  PENDING_REPORT: [['COURT', 'SENTENCE_HANDOVER']],
  UNDER_CORRECTION: [['COURT', 'SENTENCE_HANDOVER'], ['JUSTICE', 'SUBJECT_RECEIVED']],
  RELEASED: [['COURT', 'SENTENCE_HANDOVER'], ['JUSTICE', 'SUBJECT_RECEIVED'], ['JUSTICE', 'CORRECTION_RELEASED']],
  REVOKED: [
    ['COURT', 'SENTENCE_HANDOVER'],
    ['JUSTICE', 'SUBJECT_RECEIVED'],
    ['JUSTICE', 'REVOCATION_PROPOSED'],
    ['COURT', 'REVOCATION_RULED', { revoked: true }],
  ],
  COMMITTED: [
    ['COURT', 'SENTENCE_HANDOVER'],
    ['JUSTICE', 'SUBJECT_RECEIVED'],
    ['JUSTICE', 'REVOCATION_PROPOSED'],
    ['COURT', 'REVOCATION_RULED', { revoked: true }],
    ['POLICE', 'COMMITTED_TO_PRISON'],
  ],
  DECEASED: [['COURT', 'SENTENCE_HANDOVER'], ['JUSTICE', 'SUBJECT_RECEIVED'], ['JUSTICE', 'DEATH_RECORDED']],
};

export function chainIn(state: string): Chain {
  const chain = new Chain();
  for (const [agency, type, extra] of PATHS[state] ?? []) chain.record(agency, type, sampleDocument(type, extra));
  return chain;
}
