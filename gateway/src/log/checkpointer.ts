import { LRUCache } from 'lru-cache';
import { checkpointText, type Hash } from 'correction-verifier';
import { MAX_ANCHORS_PER_TRANSACTION, type Agency, type CheckpointAnchor, type CheckpointCosignature, type Entry } from 'correction-chaincode/domain';
import type { Ledger } from '../ledger/port.js';
import type { Logger } from '../logger.js';
import type { NoteSigner } from '../note-keys.js';
import type { OffChainCosignature } from './off-chain-cosignatures.js';
import type { LogFollower } from './log-follower.js';
import type { FinalCheckpoint } from './records.js';

/** The log as the checkpointer reads it: the tree it cosigns, and what is anchored or final already. */
export interface CosignedLog {
  readonly tree: { readonly size: number; rootAt(size: number): Hash };
  readonly checkpoints: { readonly latestFinal: FinalCheckpoint | undefined; cosignaturesAt(size: number): Promise<CheckpointCosignature[]> };
}

export interface CheckpointerOptions {
  readonly ledger: Ledger;
  readonly log: CosignedLog;
  readonly follower: LogFollower;
  /** The note keys of the agencies this gateway cosigns for. */
  readonly cosigners: ReadonlyMap<Agency, NoteSigner>;
  /** The checkpoint origin (the trust file's). */
  readonly origin: string;
  /** The slot: a checkpoint closes when the log's entries reach into a new one; and the quiet period after which the log's tail is cosigned. */
  readonly intervalMs: number;
  /** Also cosign every multiple of this many entries (0: none). */
  readonly every: number;
  /**
   * The anchoring slot (a multiple of `intervalMs`; `intervalMs` when not given): under load only
   * the checkpoints that close one are anchored. For gateways whose checkpoints become final from
   * cosignatures sent off chain, so that the chain carries an anchor per agency every few seconds
   * rather than one for every checkpoint.
   */
  readonly anchorIntervalMs?: number | undefined;
  readonly logger?: Logger | undefined;
  /** Sends this gateway's cosignatures to the other agencies' gateways the moment they are made (and keeps them). */
  readonly publish?: ((cosignatures: OffChainCosignature[]) => Promise<void>) | undefined;
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
  /** Sizes to anchor, and sizes other agencies cosigned beyond this log's size (true: anchored). */
  readonly #wanted = new Set<number>();
  readonly #awaited = new Map<number, boolean>();
  #anchoring: Promise<void> | undefined;
  #timer: NodeJS.Timeout | undefined;
  /** The latest transaction time among the entries appended. */
  #latestEntryMs: number | undefined;
  readonly #anchorIntervalMs: number;
  #lastAppendAt: number;
  /** The largest size this gateway cosigned (or asked to), and anchored, so a quiet log is cosigned and anchored once. */
  #cosignedUpTo: number;
  #anchoredUpTo: number;
  /** Lines signed and sent off chain, by size and agency, until they are anchored: one signature per size and agency. */
  readonly #signed = new Map<number, Map<Agency, string>>();
  /**
   * Sizes this gateway signed off chain lately: a size is signed and sent once, however many
   * peers' lines or anchors for it arrive later — otherwise gateways would answer each other's
   * lines with new ones for ever.
   */
  readonly #sent = new LRUCache<number, true>({ max: 65_536 });
  /** Off-chain sends in progress, awaited on close. */
  readonly #publishing = new Set<Promise<void>>();
  readonly #startedAt: number;

  constructor(options: Readonly<CheckpointerOptions>) {
    this.#o = options;
    this.#now = options.now ?? Date.now;
    this.#startedAt = this.#now();
    this.#lastAppendAt = this.#startedAt;
    this.#cosignedUpTo = options.log.checkpoints.latestFinal?.treeSize ?? 0;
    this.#anchoredUpTo = this.#cosignedUpTo;
    this.#anchorIntervalMs = Math.max(options.intervalMs, options.anchorIntervalMs ?? options.intervalMs);
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
    await Promise.all(this.#publishing);
  }

  /**
   * Cosigns a size now for every agency this gateway cosigns for (timers and tests): signed and
   * sent off chain, and anchored unless `anchor` is false.
   */
  cosign(size: number, anchor = true): Promise<void> {
    if (size > 0) {
      if (anchor) this.#wanted.add(size);
      this.#signOffChain(size, anchor);
    }
    this.#cosignedUpTo = Math.max(this.#cosignedUpTo, size);
    if (anchor) this.#anchoredUpTo = Math.max(this.#anchoredUpTo, size);
    this.#anchoring ??= this.#drain().finally(() => {
      this.#anchoring = undefined;
    });
    return this.#anchoring;
  }

  readonly #onAppended = (size: number, entries: readonly Entry[]): void => {
    this.#lastAppendAt = this.#now();
    for (const boundary of this.#slotBoundaries(size - entries.length, entries)) void this.cosign(boundary.size, boundary.anchor);
    for (const multiple of this.#multiples(size - entries.length, size)) void this.cosign(multiple);
    for (const [awaited, anchor] of [...this.#awaited].filter(([s]) => s <= size)) {
      this.#awaited.delete(awaited);
      void this.cosign(awaited, anchor);
    }
  };

  /**
   * Sizes just before each entry that reaches into a later slot than every entry before it; those
   * that also reach into a later anchoring slot are anchored.
   */
  #slotBoundaries(firstIndex: number, entries: readonly Entry[]): Array<{ size: number; anchor: boolean }> {
    const boundaries: Array<{ size: number; anchor: boolean }> = [];
    const later = (at: number, previous: number, slotMs: number) => Math.floor(at / slotMs) > Math.floor(previous / slotMs);
    entries.forEach((entry, i) => {
      const at = Date.parse(entry.recordedAt);
      if (!Number.isFinite(at)) return;
      const previous = this.#latestEntryMs;
      if (previous !== undefined && later(at, previous, this.#o.intervalMs) && firstIndex + i > 0) {
        boundaries.push({ size: firstIndex + i, anchor: later(at, previous, this.#anchorIntervalMs) });
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
    this.join(cosignature, true);
  };

  /**
   * Another agency cosigned a size (anchored, or sent off chain): this gateway cosigns it too, once
   * its log holds it — and anchors it too if the other agency's was anchored.
   */
  join(cosignature: { readonly treeSize: number; readonly agency: Agency }, anchored: boolean): void {
    if (!this.#o.cosigners.size || this.#o.cosigners.has(cosignature.agency)) return;
    // A size below a final checkpoint needs no more cosignatures.
    if (cosignature.treeSize < (this.#o.log.checkpoints.latestFinal?.treeSize ?? 0)) return;
    if (cosignature.treeSize <= this.#o.log.tree.size) void this.cosign(cosignature.treeSize, anchored);
    else this.#awaited.set(cosignature.treeSize, anchored || (this.#awaited.get(cosignature.treeSize) ?? false));
  }

  /** A log that stopped growing for a slot is cosigned whole, once; and anchored once it has been quiet for an anchoring slot. */
  #onQuietCheck(): void {
    const size = this.#o.log.tree.size;
    const quietMs = this.#now() - this.#lastAppendAt;
    if (size > this.#anchoredUpTo && quietMs >= this.#anchorIntervalMs) void this.cosign(size);
    else if (size > this.#cosignedUpTo && quietMs >= this.#o.intervalMs) void this.cosign(size, false);
  }

  /**
   * Signs a size for every agency this gateway cosigns for and sends the lines to the peers at
   * once, without waiting for the anchors: the same lines are anchored later.
   */
  #signOffChain(size: number, anchor: boolean): void {
    const { publish, log, origin } = this.#o;
    if (!publish || this.#sent.has(size) || size > log.tree.size) return;
    this.#sent.set(size, true);
    const root = log.tree.rootAt(size);
    const timestamp = Math.floor(this.#now() / 1000);
    const lines = new Map<Agency, string>();
    for (const [agency, signer] of this.#o.cosigners) lines.set(agency, signer.cosign(checkpointText({ origin, size, root }), timestamp));
    // Kept for the anchor, which carries the same lines.
    if (anchor) this.#signed.set(size, lines);
    const rootHex = Buffer.from(root).toString('hex');
    const sending = publish([...lines].map(([agency, signature]) => ({ treeSize: size, root: rootHex, agency, signature })))
      .catch((error: unknown) => {
        this.#o.logger?.warn({ treeSize: size, err: { name: (error as Error).name } }, 'could not publish cosignatures');
      })
      .finally(() => this.#publishing.delete(sending));
    this.#publishing.add(sending);
  }

  /** Anchors every wanted size, a batch at a time, until none is left. */
  async #drain(): Promise<void> {
    while (this.#wanted.size > 0) {
      const latestFinal = this.#o.log.checkpoints.latestFinal?.treeSize ?? 0;
      const sizes = [...this.#wanted].sort((a, b) => a - b).slice(0, MAX_ANCHORS_PER_TRANSACTION);
      for (const size of sizes) this.#wanted.delete(size);
      // A size older than a final checkpoint needs no more cosignatures.
      const due = sizes.filter((size) => size <= this.#o.log.tree.size && size >= latestFinal);
      for (const size of sizes) if (!due.includes(size)) this.#signed.delete(size);
      if (due.length > 0) await Promise.all([...this.#o.cosigners.keys()].map((agency) => this.#anchor(agency, due)));
    }
  }

  /** The line already signed (and sent off chain) for a size and agency, which the anchor then carries. */
  #takeSigned(size: number, agency: Agency): string | undefined {
    const lines = this.#signed.get(size);
    const line = lines?.get(agency);
    lines?.delete(agency);
    if (lines?.size === 0) this.#signed.delete(size);
    return line;
  }

  /** One transaction: the agency's cosignatures of every due size it has not anchored yet. */
  async #anchor(agency: Agency, sizes: readonly number[]): Promise<void> {
    const { log, ledger, logger, origin } = this.#o;
    const signer = this.#o.cosigners.get(agency);
    if (!signer) return;
    const anchors: CheckpointAnchor[] = [];
    const timestamp = Math.floor(this.#now() / 1000);
    for (const size of sizes) {
      const signed = this.#takeSigned(size, agency);
      if ((await log.checkpoints.cosignaturesAt(size)).some((c) => c.agency === agency)) continue;
      const root = log.tree.rootAt(size);
      anchors.push({ treeSize: size, root: Buffer.from(root).toString('hex'), signature: signed ?? signer.cosign(checkpointText({ origin, size, root }), timestamp) });
    }
    if (anchors.length === 0) return;
    try {
      await ledger.submit({ agency }, 'AnchorCheckpoint', [JSON.stringify(anchors)]);
    } catch (error) {
      logger?.warn({ agency, sizes: anchors.map((a) => a.treeSize), err: { name: (error as Error).name, code: (error as { code?: unknown }).code } }, 'could not anchor checkpoints');
    }
  }
}
