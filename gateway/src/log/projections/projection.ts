import type { ChainedBatch, Level } from 'level';

/** The one LevelDB batch that a follower step writes, every projection's part in it. */
export type LogBatch = ChainedBatch<Level, string, string>;

/**
 * A view of the ledger that the log follower feeds. Staging puts the projection's part of an
 * update into the shared batch and changes nothing else; the returned commit brings the
 * projection's memory up to date once that batch is written. A failed write leaves every
 * projection as it was, on disk and in memory alike.
 */
export interface Projection<Update> {
  stage(batch: LogBatch, update: Update): Commit;
}

/** Takes a written batch's changes into a projection's memory (sizes, counters, listeners). */
export type Commit = () => void;

/** Fixed-width decimal keys: LevelDB orders them as numbers. */
export const pad = (n: number, width = 16): string => String(n).padStart(width, '0');

/**
 * Opens a projection's sublevels before its first synchronous read: a sublevel made after its
 * database opened is still opening, and getSync refuses it until then.
 */
export async function opened(...sublevels: ReadonlyArray<{ open(): Promise<void> }>): Promise<void> {
  await Promise.all(sublevels.map((sublevel) => sublevel.open()));
}

/** Nothing to take in. */
export const noCommit: Commit = () => undefined;
