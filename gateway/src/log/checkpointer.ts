import { checkpointText } from 'correction-verifier';
import { MAX_ANCHORS_PER_TRANSACTION, type Agency, type CheckpointAnchor, type CheckpointCosignature, type Entry } from 'correction-chaincode/domain';
import type { Ledger } from '../ledger/port.js';
import type { Logger } from '../logger.js';
import type { NoteSigner } from '../note-keys.js';
import type { LogFollower } from './log-follower.js';
import type { MerkleLog } from './merkle-log.js';

export interface CheckpointerOptions {
  readonly ledger: Ledger;
  readonly log: MerkleLog;
  readonly follower: LogFollower;
  /** The note keys of the agencies this gateway cosigns for. */
  readonly cosigners: ReadonlyMap<Agency, NoteSigner>;
  /** The checkpoint origin (the trust file's). */
  readonly origin: string;
  /** The slot: a checkpoint closes when the log's entries reach into a new one; and the quiet period after which the log's tail is cosigned. */
  readonly intervalMs: number;
  /** Also cosign every multiple of this many entries (0: none). */
  readonly every: number;
  readonly logger?: Logger | undefined;
  /** The time now (tests move it). */
  readonly now?: () => number;
}

/**
 * Cosigns the log for the agencies this gateway holds note keys for, and anchors the cosignatures
 * on chain. Independent gateways pick the same sizes without talking to each other, because the
 * sizes follow from the chain they all read:
 *
 * - under load, the log size just before the first entry whose transaction time falls in a later
 *   slot of `intervalMs` than every entry before it — one checkpoint per slot, decided the moment
 *   that entry arrives, so a checkpoint is final about one slot and one commit after its entries;
 * - when the log has been quiet for `intervalMs`, its whole size (every gateway then sees the same);
 * - every multiple of `every`, if set;
 * - any size another agency anchored, once this log holds it (a gateway that missed a slot joins in).
 *
 * Sizes waiting to be cosigned go out together, one transaction per agency for up to
 * MAX_ANCHORS_PER_TRANSACTION sizes, so the chain carries a handful of anchors per slot however
 * fast entries come.
 */
export class Checkpointer {
  readonly #o: CheckpointerOptions;
  readonly #now: () => number;
  /** Sizes to cosign, and sizes other agencies anchored beyond this log's size. */
  readonly #wanted = new Set<number>();
  readonly #awaited = new Set<number>();
  #anchoring: Promise<void> | undefined;
  #timer: NodeJS.Timeout | undefined;
  /** The latest transaction time among the entries appended, and its slot. */
  #latestEntryMs: number | undefined;
  #lastAppendAt: number;
  /** The largest size this gateway cosigned (or asked to), so a quiet log is cosigned once. */
  #cosignedUpTo: number;
  readonly #startedAt: number;

  constructor(options: Readonly<CheckpointerOptions>) {
    this.#o = options;
    this.#now = options.now ?? Date.now;
    this.#startedAt = this.#now();
    this.#lastAppendAt = this.#startedAt;
    this.#cosignedUpTo = options.log.latestFinal?.treeSize ?? 0;
  }

  start(): void {
    this.#o.follower.on('appended', this.#onAppended);
    this.#o.follower.on('cosignature', this.#onCosignature);
    this.#timer = setInterval(() => {
      this.#onQuietCheck();
    }, Math.max(20, Math.min(this.#o.intervalMs / 4, 1_000)));
    this.#timer.unref();
  }

  async close(): Promise<void> {
    this.#o.follower.off('appended', this.#onAppended);
    this.#o.follower.off('cosignature', this.#onCosignature);
    if (this.#timer) clearInterval(this.#timer);
    await this.#anchoring;
  }

  /** Cosigns a size now for every agency this gateway cosigns for (timers and tests). */
  cosign(size: number): Promise<void> {
    if (size > 0) this.#wanted.add(size);
    this.#cosignedUpTo = Math.max(this.#cosignedUpTo, size);
    this.#anchoring ??= this.#drain().finally(() => {
      this.#anchoring = undefined;
    });
    return this.#anchoring;
  }

  readonly #onAppended = (size: number, entries: readonly Entry[]): void => {
    this.#lastAppendAt = this.#now();
    for (const boundary of this.#slotBoundaries(size - entries.length, entries)) void this.cosign(boundary);
    for (const multiple of this.#multiples(size - entries.length, size)) void this.cosign(multiple);
    for (const awaited of [...this.#awaited].filter((s) => s <= size)) {
      this.#awaited.delete(awaited);
      void this.cosign(awaited);
    }
  };

  /** Sizes just before each entry that reaches into a later slot than every entry before it. */
  #slotBoundaries(firstIndex: number, entries: readonly Entry[]): number[] {
    const boundaries: number[] = [];
    entries.forEach((entry, i) => {
      const at = Date.parse(entry.recordedAt);
      if (!Number.isFinite(at)) return;
      const previous = this.#latestEntryMs;
      if (previous !== undefined && Math.floor(at / this.#o.intervalMs) > Math.floor(previous / this.#o.intervalMs) && firstIndex + i > 0) {
        boundaries.push(firstIndex + i);
      }
      this.#latestEntryMs = Math.max(previous ?? at, at);
    });
    return boundaries;
  }

  #multiples(from: number, to: number): number[] {
    const every = this.#o.every;
    if (every <= 0) return [];
    const sizes: number[] = [];
    for (let multiple = (Math.floor(from / every) + 1) * every; multiple <= to; multiple += every) sizes.push(multiple);
    return sizes;
  }

  readonly #onCosignature = (cosignature: CheckpointCosignature): void => {
    // Anchors from before this gateway started are history it is catching up on, not requests.
    if (Date.parse(cosignature.anchoredAt) < this.#startedAt - this.#o.intervalMs) return;
    if (!this.#o.cosigners.size || this.#o.cosigners.has(cosignature.agency)) return;
    if (cosignature.treeSize <= this.#o.log.size) void this.cosign(cosignature.treeSize);
    else this.#awaited.add(cosignature.treeSize);
  };

  /** A log that stopped growing is cosigned whole, once. */
  #onQuietCheck(): void {
    const size = this.#o.log.size;
    if (size > this.#cosignedUpTo && this.#now() - this.#lastAppendAt >= this.#o.intervalMs) void this.cosign(size);
  }

  /** Anchors every wanted size, a batch at a time, until none is left. */
  async #drain(): Promise<void> {
    while (this.#wanted.size > 0) {
      const latestFinal = this.#o.log.latestFinal?.treeSize ?? 0;
      const sizes = [...this.#wanted].sort((a, b) => a - b).slice(0, MAX_ANCHORS_PER_TRANSACTION);
      for (const size of sizes) this.#wanted.delete(size);
      // A size older than a final checkpoint needs no more cosignatures.
      const due = sizes.filter((size) => size <= this.#o.log.size && size >= latestFinal);
      if (due.length > 0) await Promise.all([...this.#o.cosigners.keys()].map((agency) => this.#anchor(agency, due)));
    }
  }

  /** One transaction: the agency's cosignatures of every due size it has not anchored yet. */
  async #anchor(agency: Agency, sizes: readonly number[]): Promise<void> {
    const { log, ledger, logger, origin } = this.#o;
    const signer = this.#o.cosigners.get(agency);
    if (!signer) return;
    const anchors: CheckpointAnchor[] = [];
    const timestamp = Math.floor(this.#now() / 1000);
    for (const size of sizes) {
      if ((await log.cosignaturesAt(size)).some((c) => c.agency === agency)) continue;
      const root = log.rootAt(size);
      anchors.push({ treeSize: size, root: Buffer.from(root).toString('hex'), signature: signer.cosign(checkpointText({ origin, size, root }), timestamp) });
    }
    if (anchors.length === 0) return;
    try {
      await ledger.submit({ agency }, 'AnchorCheckpoint', [JSON.stringify(anchors)]);
    } catch (error) {
      logger?.warn({ agency, sizes: anchors.map((a) => a.treeSize), err: { name: (error as Error).name, code: (error as { code?: unknown }).code } }, 'could not anchor checkpoints');
    }
  }
}
