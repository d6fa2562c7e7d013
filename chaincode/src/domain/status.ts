import type { Agency } from './agencies.js';
import type { CorrectionType } from './documents.js';
import { GENESIS_HASH } from './hashing.js';

export const STATES = [
  'NONE',
  'ASSESSING',
  'ASSESSED',
  'PENDING_REPORT',
  'UNDER_CORRECTION',
  'RELEASED',
  'REVOKED',
  'COMMITTED',
  'DECEASED',
] as const;
export type State = (typeof STATES)[number];

export interface SubjectFlags {
  /** 失联/脱管: lost contact, police must help find the subject. */
  readonly absconded: boolean;
  readonly detained: boolean;
  readonly revocationPending: boolean;
  readonly electronicMonitoring: boolean;
}

/** A procuratorial opinion awaiting its written reply. */
export interface OpenMatter {
  readonly opinionEntryId: string;
  readonly addressedTo: Agency;
  readonly openedAt: string;
}

/** Everything the public ledger knows about a subject, derived from its entries alone. */
export interface SubjectStatus {
  readonly subjectRef: string;
  readonly state: State;
  readonly correctionType: CorrectionType | null;
  /** The agency that decided the correction (records handover, revocation rulings for 暂外). */
  readonly decisionOrgan: Agency | null;
  readonly commissionedBy: Agency | null;
  readonly effectiveDate: string | null;
  readonly termStart: string | null;
  readonly termEnd: string | null;
  readonly executionPlace: string | null;
  readonly flags: SubjectFlags;
  /** Approved leave window (dates, inclusive), if one was granted. */
  readonly leave: { readonly from: string; readonly to: string } | null;
  readonly warningCount: number;
  readonly reprimandCount: number;
  readonly openMatters: readonly OpenMatter[];
  /** Exit-Entry Law art. 12: a convict with an unfinished sentence may not leave the country. */
  readonly mayLeaveCountry: boolean;
  readonly entryCount: number;
  readonly lastEntryId: string | null;
  readonly lastHash: string;
  readonly updatedAt: string | null;
}

export function initialStatus(subjectRef: string): SubjectStatus {
  return {
    subjectRef,
    state: 'NONE',
    correctionType: null,
    decisionOrgan: null,
    commissionedBy: null,
    effectiveDate: null,
    termStart: null,
    termEnd: null,
    executionPlace: null,
    flags: { absconded: false, detained: false, revocationPending: false, electronicMonitoring: false },
    leave: null,
    warningCount: 0,
    reprimandCount: 0,
    openMatters: [],
    mayLeaveCountry: true,
    entryCount: 0,
    lastEntryId: null,
    lastHash: GENESIS_HASH,
    updatedAt: null,
  };
}

const SENTENCE_UNFINISHED: readonly State[] = ['PENDING_REPORT', 'UNDER_CORRECTION', 'REVOKED', 'COMMITTED'];

export function mayLeaveCountryIn(state: State): boolean {
  return !SENTENCE_UNFINISHED.includes(state);
}
