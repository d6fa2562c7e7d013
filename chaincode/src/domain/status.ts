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
  /**
   * 失联/脱管: lost contact, police must help find the subject (L30); after a revocation, the
   * police pursue (L50).
   */
  readonly absconded: boolean;
  /** Held by an authority (see `detention` for why): true exactly when `detention` is not null. */
  readonly detained: boolean;
  readonly revocationPending: boolean;
  readonly electronicMonitoring: boolean;
}

/**
 * Why a subject is held: an arrest pending a revocation ruling (L47), which a refused revocation
 * ends at once (L48 ¶4), or any other restriction of liberty an authority notified (L32).
 */
export const DETENTION_GROUNDS = ['ARREST', 'OTHER'] as const;
export type DetentionGround = (typeof DETENTION_GROUNDS)[number];

/** The addressed agency's request to reconsider (复查) an opinion, and how far it got (SPPR554). */
export interface Reconsideration {
  readonly requestEntryId: string;
  /** REQUESTED until the procuratorate answers; UPHELD once it answered that the opinion stands. */
  readonly state: 'REQUESTED' | 'UPHELD';
}

/** A procuratorial opinion awaiting its written reply. */
export interface OpenMatter {
  readonly opinionEntryId: string;
  readonly addressedTo: Agency;
  readonly openedAt: string;
  readonly reconsideration: Reconsideration | null;
}

/** Everything the public ledger knows about a subject, derived from its entries alone. */
export interface SubjectStatus {
  readonly subjectRef: string;
  readonly state: State;
  readonly correctionType: CorrectionType | null;
  /** The agency that decided the correction (records handover, revocation rulings for 暂外). */
  readonly decisionOrgan: Agency | null;
  /** The unit that recorded the handover: the sentencing court, or the deciding prison administration or police. */
  readonly decisionUnit: string | null;
  readonly commissionedBy: Agency | null;
  /** The unit that commissioned the assessment. */
  readonly commissioningUnit: string | null;
  readonly effectiveDate: string | null;
  readonly termStart: string | null;
  readonly termEnd: string | null;
  /**
   * Division code of the place of execution, the subject's jurisdiction: proposed by an
   * assessment's commission, set by the handover, moved by EXECUTION_PLACE_CHANGED.
   */
  readonly executionPlace: string | null;
  /**
   * A juvenile's record (the subject was a minor at the offence): sealed, read in full only by the
   * justice bureau and procuratorate of the jurisdiction and the deciding court, every read on
   * the access trail. The seal never lifts, past the age of 18 included (L54, L58, CPL286, SPCI581).
   */
  readonly sealed: boolean;
  readonly flags: SubjectFlags;
  readonly detention: DetentionGround | null;
  /** Approved leave window (dates, inclusive), if one was granted. */
  readonly leave: { readonly from: string; readonly to: string } | null;
  /**
   * Warnings (警告) issued. The status shows the count and decides nothing with it: revoking
   * probation or parole for warnings takes two warnings and continued non-compliance
   * (SPCI543(四)), which the court weighs on a proposal.
   */
  readonly warningCount: number;
  /** Reprimands (训诫), counted apart from warnings. */
  readonly reprimandCount: number;
  /** Commendations (表扬, L28). */
  readonly commendationCount: number;
  readonly openMatters: readonly OpenMatter[];
  /**
   * Exit-Entry Administration Law art. 12(二): neither a convict whose sentence is unfinished nor a
   * defendant or suspect in a criminal case may leave the country. A subject being assessed is a
   * defendant (or a prisoner proposed for parole or 暂予监外执行).
   */
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
    decisionUnit: null,
    commissionedBy: null,
    commissioningUnit: null,
    effectiveDate: null,
    termStart: null,
    termEnd: null,
    executionPlace: null,
    sealed: false,
    flags: { absconded: false, detained: false, revocationPending: false, electronicMonitoring: false },
    detention: null,
    leave: null,
    warningCount: 0,
    reprimandCount: 0,
    commendationCount: 0,
    openMatters: [],
    mayLeaveCountry: true,
    entryCount: 0,
    lastEntryId: null,
    lastHash: GENESIS_HASH,
    updatedAt: null,
  };
}

/** States in which the subject is a defendant or a convict whose sentence is unfinished (EEL 12(二)). */
const EXIT_BARRED: readonly State[] = ['ASSESSING', 'ASSESSED', 'PENDING_REPORT', 'UNDER_CORRECTION', 'REVOKED', 'COMMITTED'];

export function mayLeaveCountryIn(state: State): boolean {
  return !EXIT_BARRED.includes(state);
}

/**
 * What a reader outside the subject's jurisdiction learns (police or border control elsewhere, a
 * reader of a sealed record who stated a purpose): whether the subject is under correction, of
 * which kind, whether it may leave the country and whether it is being looked for.
 */
export interface MinimalStatus {
  readonly subjectRef: string;
  readonly view: 'minimal';
  readonly state: State;
  readonly correctionType: CorrectionType | null;
  readonly mayLeaveCountry: boolean;
  readonly absconded: boolean;
  readonly sealed: boolean;
}

export function minimalStatus(status: SubjectStatus): MinimalStatus {
  return {
    subjectRef: status.subjectRef,
    view: 'minimal',
    state: status.state,
    correctionType: status.correctionType,
    mayLeaveCountry: status.mayLeaveCountry,
    absconded: status.flags.absconded,
    sealed: status.sealed,
  };
}
