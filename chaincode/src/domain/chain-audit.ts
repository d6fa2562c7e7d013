import { canonicalJson } from './hashing.js';
import { entryHash, entryIdFor, type Entry } from './entry.js';
import { GENESIS_HASH } from './hashing.js';
import { deriveStatus } from './lifecycle.js';
import type { SubjectStatus } from './status.js';

export type ChainProblemKind =
  /** The entry's stored hash is not the hash of its contents: the entry was edited. */
  | 'ENTRY_ALTERED'
  /** The entry does not link to the hash of the entry before it: one was edited, removed or inserted. */
  | 'CHAIN_BROKEN'
  /** Positions are not 1, 2, 3 … or ids do not match positions. */
  | 'SEQUENCE_BROKEN'
  /** The stored status is not what the chain derives. */
  | 'STATUS_MISMATCH';

export interface ChainProblem {
  readonly kind: ChainProblemKind;
  readonly subjectRef: string;
  readonly entryId?: string;
  readonly seq?: number;
  readonly detail: string;
}

/** Where a subject's chain stands: the position and hash of its last entry. */
export interface ChainTip {
  readonly seq: number;
  readonly hash: string;
}

/**
 * Checks one entry as the next link of its subject's chain after `previous` (none: the first):
 * its position and id, its hash recomputed from its canonical JSON, and its link to the previous hash.
 */
export function auditLink(subjectRef: string, entry: Entry, previous: ChainTip | undefined): ChainProblem[] {
  const problems: ChainProblem[] = [];
  const seq = (previous?.seq ?? 0) + 1;
  const at = { subjectRef, entryId: entry.id, seq };
  if (entry.seq !== seq || entry.id !== entryIdFor(subjectRef, seq) || entry.subjectRef !== subjectRef) {
    problems.push({ ...at, kind: 'SEQUENCE_BROKEN', detail: `entry at position ${seq} says seq ${entry.seq}` });
  }
  if (entryHash(entry) !== entry.hash) {
    problems.push({ ...at, kind: 'ENTRY_ALTERED', detail: 'stored hash does not match the entry contents' });
  }
  if (entry.prevHash !== (previous?.hash ?? GENESIS_HASH)) {
    problems.push({ ...at, kind: 'CHAIN_BROKEN', detail: 'prevHash does not match the previous entry' });
  }
  return problems;
}

/**
 * Checks one subject's chain as an outsider would: every entry's hash recomputed from its canonical
 * JSON, every link to the previous hash, positions, and the stored status against the status the
 * chain derives. Returns every problem found, each naming the entry.
 */
export function auditChain(subjectRef: string, entries: readonly Entry[], stored?: SubjectStatus): ChainProblem[] {
  const problems: ChainProblem[] = [];
  let previous: ChainTip | undefined;
  entries.forEach((entry, index) => {
    problems.push(...auditLink(subjectRef, entry, previous));
    previous = { seq: index + 1, hash: entry.hash };
  });
  if (stored) {
    const derived = deriveStatus(subjectRef, entries);
    if (canonicalJson(derived) !== canonicalJson(stored)) {
      problems.push({ subjectRef, kind: 'STATUS_MISMATCH', detail: 'stored status differs from the status the chain derives' });
    }
  }
  return problems;
}
