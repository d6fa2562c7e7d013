import { EventEmitter } from 'node:events';
import {
  CHECKPOINT_CONFLICT_EVENT,
  CHECKPOINT_EVENT,
  ENTRY_EVENT,
  obligationsOf,
  type CheckpointCosignature,
  type CheckpointEventPayload,
  type DeadlineRule,
  type Entry,
  type WorkingCalendar,
} from 'correction-chaincode/domain';
import type { Ledger, LedgerEvent } from '../ledger/port.js';
import type { Logger } from '../logger.js';
import type { LogUpdate } from './projections/log-projections.js';
import type { LogLeaf, LogPosition, Notice } from './records.js';

/** The calendar and the time now, for deadlines. */
export interface StatutoryClock {
  readonly calendar: WorkingCalendar;
  readonly now: () => Date;
  /** The deadline rules in force (DEADLINE_RULES unless the operator configured others). */
  readonly rules: readonly DeadlineRule[];
}

/** The log as the follower feeds it: where it stands, and the chains it reads to recompute obligations. */
export interface FollowedLog {
  readonly position: LogPosition;
  readonly tree: { readonly size: number };
  readonly chains: { subjectChain(subjectRef: string): Entry[] };
  /** Writes one step's changes to every projection with the new position, atomically. */
  apply(update: LogUpdate): Promise<void>;
}

const RETRY_MS = 1_000;
/** Most events applied in one LevelDB batch; reading pauses while this many wait. */
const MAX_BATCH = 2_000;
const decoder = new TextDecoder();

/**
 * Follows the ledger's committed events in order and feeds the log's projections: every entry hash
 * to the Merkle tree, the notices it owes, each subject's chain and obligations, and checkpoint
 * cosignatures as they are anchored. Its position is written with each step's changes in one
 * batch, so a restarted gateway catches up exactly where it stopped, every projection alike.
 *
 * Emits 'event' (every LedgerEvent applied), 'appended' (size, the entries appended), 'cosignature'
 * (CheckpointCosignature) and 'conflict' (a size with the differing roots of every agency);
 * the notices it writes for the agencies an entry concerns come from the log.
 */
export class LogFollower extends EventEmitter {
  readonly #ledger: Ledger;
  readonly #log: FollowedLog;
  readonly #logger: Logger | undefined;
  readonly #clock: StatutoryClock | undefined;
  readonly #abort = new AbortController();
  #running: Promise<void> | undefined;

  /**
   * With a statutory clock, the follower also keeps each subject's public chain and recomputes its
   * obligations whenever an entry arrives.
   */
  constructor(ledger: Ledger, log: FollowedLog, logger?: Logger, clock?: StatutoryClock) {
    super();
    this.#ledger = ledger;
    this.#log = log;
    this.#logger = logger;
    this.#clock = clock;
  }

  #obligationsOf(entries: readonly Entry[], clock: StatutoryClock): Pick<LogUpdate, 'entries' | 'obligations'> {
    const bySubject = new Map<string, Entry[]>();
    for (const entry of entries) bySubject.set(entry.subjectRef, [...(bySubject.get(entry.subjectRef) ?? []), entry]);
    const now = clock.now().toISOString();
    const obligations = [];
    for (const [subjectRef, added] of bySubject) {
      // A subject's first entries need no read: a handover starts its chain.
      const known = added[0]?.seq === 1 ? [] : this.#log.chains.subjectChain(subjectRef);
      const chain = [...known.filter((e) => !added.some((a) => a.seq === e.seq)), ...added].sort((a, b) => a.seq - b.seq);
      obligations.push({ subjectRef, obligations: obligationsOf(chain, now, clock.calendar, clock.rules) });
    }
    return { entries, obligations };
  }

  start(): void {
    this.#running ??= this.#run();
  }

  async close(): Promise<void> {
    this.#abort.abort();
    await this.#running;
  }

  /** Resolves once the log holds at least `size` entries. */
  async reach(size: number, timeoutMs = 30_000): Promise<void> {
    if (this.#log.tree.size >= size) return;
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.off('appended', check);
        reject(new Error(`the log did not reach ${size} entries in ${timeoutMs} ms`));
      }, timeoutMs);
      const check = (now: number) => {
        if (now < size) return;
        clearTimeout(timer);
        this.off('appended', check);
        resolve();
      };
      this.on('appended', check);
    });
  }

  async #run(): Promise<void> {
    const signal = this.#abort.signal;
    while (!signal.aborted) {
      try {
        await this.#follow(signal);
      } catch (error) {
        await this.#pauseAfter(error, signal);
      }
    }
  }

  /** A failure while stopping is the stop itself; any other is logged, and following resumes after a pause. */
  async #pauseAfter(error: unknown, signal: AbortSignal): Promise<void> {
    if (signal.aborted) return;
    this.#logger?.warn({ err: { name: (error as Error).name, code: (error as { code?: unknown }).code } }, 'log follower lost the ledger; resuming');
    await new Promise((resolve) => setTimeout(resolve, RETRY_MS));
  }

  /**
   * Reads events as fast as the ledger delivers them and applies whatever has arrived as one
   * batch: under load the log keeps up with one LevelDB write per batch, and reading pauses
   * while a full batch waits, so memory stays bounded.
   */
  async #follow(signal: AbortSignal): Promise<void> {
    const start = this.#log.position;
    let skip = start.eventsInBlock;
    const pending: LedgerEvent[] = [];
    let wakeWriter: (() => void) | undefined;
    let wakeReader: (() => void) | undefined;
    // The reader sets these while the writer awaits: on an object, the writer's checks read them afresh.
    const reading: { finished: boolean; failure?: { readonly error: unknown } } = { finished: false };
    const reader = (async () => {
      try {
        for await (const event of this.#ledger.followEvents(start.block, signal)) {
          // Events of the starting block that the log already holds.
          if (event.blockNumber === start.block && skip > 0) {
            skip--;
            continue;
          }
          pending.push(event);
          wakeWriter?.();
          while (pending.length >= MAX_BATCH && !signal.aborted) await new Promise<void>((resolve) => (wakeReader = resolve));
        }
      } catch (error) {
        reading.failure = { error };
      } finally {
        reading.finished = true;
        wakeWriter?.();
      }
    })();
    while (!signal.aborted) {
      if (pending.length > 0) {
        await this.#apply(pending.splice(0, MAX_BATCH));
        wakeReader?.();
        continue;
      }
      if (reading.finished) break;
      await new Promise<void>((resolve) => (wakeWriter = resolve));
    }
    wakeReader?.();
    await reader;
    if (reading.failure) throw reading.failure.error;
  }

  async #apply(events: readonly LedgerEvent[]): Promise<void> {
    const { position, leaves, cosignatures, conflicts, notices, entries } = readEvents(events, this.#log.position);
    const update: LogUpdate = {
      position,
      leaves,
      cosignatures,
      notices,
      ...(this.#clock ? this.#obligationsOf(entries, this.#clock) : {}),
    };
    await this.#log.apply(update);
    for (const event of events) this.emit('event', event);
    if (leaves.length > 0) this.emit('appended', this.#log.tree.size, entries);
    for (const cosignature of cosignatures) this.emit('cosignature', cosignature);
    for (const conflict of conflicts) this.emit('conflict', { ...conflict, source: 'chain' });
  }
}

/** What a batch of ledger events brings to the log, and the position after the last of them. */
interface EventsRead {
  readonly position: LogPosition;
  readonly leaves: LogLeaf[];
  readonly cosignatures: CheckpointCosignature[];
  /** Sizes whose anchored cosignatures name different roots, with each agency's root. */
  readonly conflicts: Array<CheckpointEventPayload['conflicts'][number]>;
  readonly notices: Notice[];
  readonly entries: Entry[];
}

function readEvents(events: readonly LedgerEvent[], from: LogPosition): EventsRead {
  const read: EventsRead = { position: from, leaves: [], cosignatures: [], conflicts: [], notices: [], entries: [] };
  let position = from;
  for (const event of events) {
    position = positionAfter(position, event);
    if (event.name === ENTRY_EVENT) readEntry(read, event);
    else if (event.name === CHECKPOINT_EVENT || event.name === CHECKPOINT_CONFLICT_EVENT) readCheckpointEvent(read, event);
  }
  return { ...read, position };
}

function readEntry(read: EventsRead, event: LedgerEvent): void {
  const entry = JSON.parse(decoder.decode(event.payload)) as Entry;
  read.leaves.push({ entryId: entry.id, entryHash: entry.hash, block: event.blockNumber });
  read.entries.push(entry);
  // Addressed to units: another unit of the recording agency may be among them (the original court of a new-crime revocation).
  if (entry.to.length > 0) read.notices.push({ kind: 'entry', agencies: entry.notify, to: entry.to, data: { entry } });
}

/** One anchoring transaction: the cosignatures it anchored, and the conflicts they made. */
function readCheckpointEvent(read: EventsRead, event: LedgerEvent): void {
  const payload = JSON.parse(decoder.decode(event.payload)) as CheckpointEventPayload;
  read.cosignatures.push(...payload.cosignatures);
  read.conflicts.push(...payload.conflicts);
}

const positionAfter = (position: LogPosition, event: LedgerEvent): LogPosition =>
  event.blockNumber === position.block
    ? { block: position.block, eventsInBlock: position.eventsInBlock + 1 }
    : { block: event.blockNumber, eventsInBlock: 1 };
