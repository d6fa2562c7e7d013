import { DomainError } from './errors.js';
import type { SubjectStatus } from './status.js';
import { covers, type Actor, type Purpose, type UnitKind } from './units.js';

/** What a read asks for. */
export const READ_TARGETS = ['status', 'entries', 'entry', 'document', 'verification'] as const;
export type ReadTarget = (typeof READ_TARGETS)[number];

/** The contract's read-only transactions whose reads may have to be recorded, and what each reads. */
export const READ_FUNCTIONS = {
  GetSubjectStatus: 'status',
  GetSubjectEntries: 'entries',
  GetEntry: 'entry',
  GetDocument: 'document',
  VerifyDocument: 'verification',
} as const satisfies Record<string, ReadTarget>;
export type ReadFunction = keyof typeof READ_FUNCTIONS;

/** How much of a subject a reader sees: everything public, or the minimal status. */
export type ReadView = 'full' | 'minimal';

/** The read allowed, and whether it must leave an access entry on the ledger. */
export interface ReadDecision {
  readonly view: ReadView;
  readonly recorded: boolean;
}

/**
 * Who reads a subject in full: the agencies of its jurisdiction (units covering its place of
 * execution), the organ that decided it and the one that commissioned its assessment (units
 * covering theirs). Border control, and every unit elsewhere, reads only what it needs.
 */
export function readsInFull(actor: Actor, status: SubjectStatus): boolean {
  if (actor.unitKind === 'BORDER') return false;
  if (covers(actor.unit, status.executionPlace)) return true;
  if (actor.agency === status.decisionOrgan && covers(actor.unit, status.decisionUnit)) return true;
  return actor.agency === status.commissionedBy && covers(actor.unit, status.commissioningUnit);
}

const JUSTICE_BUREAU: ReadonlySet<UnitKind | null> = new Set(['BUREAU', null]);

/**
 * Who reads a sealed record in full (SPCI581, CPL286, L54): the justice bureau and the
 * procuratorate of the jurisdiction, and the deciding court (or the court that commissioned the
 * assessment, before a decision), in their casework. An auditor's read is an inquiry like any
 * other: it states its purpose.
 */
export function readsSealedInFull(actor: Actor, status: SubjectStatus): boolean {
  if (actor.role === 'auditor') return false;
  if (actor.agency === 'COURT') return decidingCourt(actor, status);
  const ofPlace = covers(actor.unit, status.executionPlace);
  if (actor.agency === 'PROCURATORATE') return ofPlace;
  return actor.agency === 'JUSTICE' && JUSTICE_BUREAU.has(actor.unitKind) && ofPlace;
}

/** The court that decided the correction, or before a decision the court that commissioned its assessment. */
function decidingCourt(actor: Actor, status: SubjectStatus): boolean {
  if (status.decisionOrgan === 'COURT') return covers(actor.unit, status.decisionUnit);
  return status.decisionOrgan === null && status.commissionedBy === 'COURT' && covers(actor.unit, status.commissioningUnit);
}

/** Whether the actor reads this subject in full: by the rule for sealed records if it is one. */
export function readsFully(actor: Actor, status: SubjectStatus): boolean {
  return status.sealed ? readsSealedInFull(actor, status) : readsInFull(actor, status);
}

function beyondMinimal(actor: Actor, status: SubjectStatus, target: ReadTarget): DomainError {
  const why = status.sealed
    ? 'a sealed record is read only by the justice bureau and procuratorate of its jurisdiction and the deciding court (SPCI581)'
    : `a unit outside the jurisdiction (${status.executionPlace ?? 'unknown'}) reads the minimal status only`;
  return new DomainError('FORBIDDEN', `${describe(actor)} may not read the ${target} of this subject: ${why}`, { agency: actor.agency, unit: actor.unit });
}

const describe = (actor: Actor): string => `${actor.agency}${actor.unitKind === null ? '' : ` ${actor.unitKind}`} unit ${actor.unit}`;

/**
 * Decides a read of a subject. A reader outside the subject's jurisdiction gets the minimal status
 * and nothing else. A sealed record is read in full only by those of readsSealedInFull; anyone
 * else must state a purpose and gets the minimal status. Every read of a sealed record, and every
 * read of a document, must be recorded: asked of a read-only transaction it answers
 * ACCESS_MUST_BE_RECORDED, so that the caller submits it again as a recording read.
 */
export function decideRead(actor: Actor, status: SubjectStatus, target: ReadTarget, purpose: Purpose | null, recording: boolean): ReadDecision {
  const full = readsFully(actor, status);
  if (!full && target !== 'status') throw beyondMinimal(actor, status, target);
  const recorded = status.sealed || target === 'document';
  if (recorded && !recording) throw new DomainError('ACCESS_MUST_BE_RECORDED', `reading the ${target} of this subject leaves an access entry: submit it as ReadRecorded`);
  if (status.sealed && !full && purpose === null) {
    throw new DomainError('PURPOSE_REQUIRED', 'a sealed record is read only for a stated purpose: a case number and a reason (SPCI581)', { reasons: true });
  }
  return { view: full ? 'full' : 'minimal', recorded };
}

/** What every trace on a subject's access trail says: which transaction, when, and who (as its gateway asserted). */
export interface Trace {
  readonly subjectRef: string;
  readonly txId: string;
  /** Transaction time. */
  readonly at: string;
  readonly agency: Actor['agency'];
  readonly unit: string;
  readonly unitKind: UnitKind | null;
  readonly role: Actor['role'];
  readonly sub: string;
}

/**
 * One read that left a trace on the ledger: who (staff id, unit, kind, role), why, what and when —
 * never what was read.
 */
export interface AccessEntry extends Trace {
  readonly purpose: Purpose | null;
  readonly what: ReadTarget;
  /** The entry read, for a read of one entry, its document or its verification. */
  readonly entryId: string | null;
  readonly view: ReadView;
}

/** Who wrote an entry, as its gateway asserted: kept beside the entry for the procuratorate to check. */
export interface WriterRecord extends Trace {
  readonly entryId: string;
  readonly seq: number;
  readonly type: string;
}

/** A subject's access trail: every recorded read, and who wrote each entry. */
export interface AccessTrail {
  readonly subjectRef: string;
  readonly reads: readonly AccessEntry[];
  readonly writes: readonly WriterRecord[];
}

/**
 * Who may read a subject's access trail: the procuratorate of its jurisdiction, which supervises
 * the keeping of juvenile records (L61, SPCI581), and auditors.
 */
export function trailRefusal(actor: Actor, status: SubjectStatus): string | undefined {
  if (actor.role === 'auditor') return undefined;
  if (actor.agency === 'PROCURATORATE' && covers(actor.unit, status.executionPlace)) return undefined;
  return 'the access trail is for auditors and the procuratorate of the jurisdiction';
}
