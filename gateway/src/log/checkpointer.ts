import { toHex } from 'correction-verifier';
import { AGENCIES, checkpointState, type Agency, type CheckpointCosignature, type CheckpointState } from 'correction-chaincode/domain';
import type { Ledger } from '../ledger/port.js';
import type { Logger } from '../logger.js';
import type { GatewaySigner } from '../services/receipts.js';
import type { LogFollower } from './log-follower.js';
import type { MerkleLog } from './merkle-log.js';

export interface CheckpointerOptions {
  readonly ledger: Ledger;
  readonly log: MerkleLog;
  readonly follower: LogFollower;
  readonly signer: GatewaySigner;
  /** Cosign at every multiple of this many entries. */
  readonly every: number;
  /** And after this long when the log grew without a checkpoint. */
  readonly intervalMs: number;
  readonly logger?: Logger | undefined;
}

/**
 * Cosigns the log for the agencies this gateway holds keys for, and anchors each cosignature on
 * chain. Sizes are chosen so that independent gateways agree: every multiple of `every`, any size
 * another agency anchored (once this log has reached it), and — after `intervalMs` of growth
 * without one — the current size, proposed by one agency per interval in turn and then cosigned
 * by the others.
 */
export class Checkpointer {
  readonly #o: CheckpointerOptions;
  readonly #pending = new Set<number>();
  #queue: Promise<void> = Promise.resolve();
  #timer: NodeJS.Timeout | undefined;
  #lastCosigned = 0;
  readonly #startedAt = Date.now();
  #appendedUpTo: number;
  #lastCosignedAt = Date.now();

  constructor(options: Readonly<CheckpointerOptions>) {
    this.#o = options;
    this.#appendedUpTo = options.log.size;
  }

  start(): void {
    this.#o.follower.on('appended', this.#onAppended);
    this.#o.follower.on('cosignature', this.#onCosignature);
    this.#timer = setInterval(() => {
      this.#onTimer();
    }, Math.max(50, Math.min(this.#o.intervalMs, 1_000)));
    this.#timer.unref();
  }

  async close(): Promise<void> {
    this.#o.follower.off('appended', this.#onAppended);
    this.#o.follower.off('cosignature', this.#onCosignature);
    if (this.#timer) clearInterval(this.#timer);
    await this.#queue;
  }

  /** The largest log size with a final checkpoint (cosigned by a quorum with one root), if any. */
  async latestFinal(): Promise<CheckpointState | undefined> {
    for (const size of await this.#o.log.cosignedSizes()) {
      const state = checkpointState(size, await this.#o.log.cosignaturesAt(size));
      if (state.final) return state;
    }
    return undefined;
  }

  /** The final checkpoint of exactly this size, if it is final. */
  async finalAt(size: number): Promise<CheckpointState | undefined> {
    const state = checkpointState(size, await this.#o.log.cosignaturesAt(size));
    return state.final ? state : undefined;
  }

  /** Cosigns a size now for every agency this gateway signs for (used by the timer and tests). */
  cosign(size: number): Promise<void> {
    if (size <= 0 || this.#pending.has(size)) return this.#queue;
    this.#pending.add(size);
    this.#queue = this.#queue.then(() => this.#cosign(size)).finally(() => this.#pending.delete(size));
    return this.#queue;
  }

  readonly #onAppended = (size: number): void => {
    // A batch may step over several multiples of `every`: cosign each one it passed.
    for (let multiple = Math.floor(size / this.#o.every) * this.#o.every; multiple > this.#appendedUpTo && multiple > 0; multiple -= this.#o.every) {
      void this.cosign(multiple);
    }
    this.#appendedUpTo = size;
  };

  readonly #onCosignature = (cosignature: CheckpointCosignature): void => {
    // Anchors from before this gateway started are history it is catching up on, not requests.
    if (Date.parse(cosignature.anchoredAt) < this.#startedAt - this.#o.intervalMs) return;
    if (cosignature.treeSize <= this.#o.log.size) void this.cosign(cosignature.treeSize);
  };

  #onTimer(): void {
    const size = this.#o.log.size;
    if (size <= this.#lastCosigned || Date.now() - this.#lastCosignedAt < this.#o.intervalMs) return;
    // One agency proposes per interval, in turn, so the consortium cosigns one size rather than four.
    const proposer = AGENCIES[Math.floor(Date.now() / this.#o.intervalMs) % AGENCIES.length] as Agency;
    if (this.#o.signer.agencies.includes(proposer)) void this.cosign(size);
  }

  async #cosign(size: number): Promise<void> {
    const { log, ledger, signer, logger } = this.#o;
    if (size > log.size) return;
    // A size that is already final, or older than a final one, needs no more cosignatures.
    const cosignatures = await log.cosignaturesAt(size);
    const latest = await this.latestFinal();
    if (checkpointState(size, cosignatures).final || (latest && latest.treeSize > size)) return;
    const done = new Set(cosignatures.map((c) => c.agency));
    const body = { log: 'correction-ledger' as const, treeSize: size, root: toHex(log.rootAt(size)), blockHeight: log.blockHeightAt(size) };
    for (const agency of signer.agencies.filter((a: Agency) => !done.has(a))) {
      try {
        const jws = await signer.signCheckpoint(agency, body);
        await ledger.submit({ agency }, 'AnchorCheckpoint', [String(size), body.root, String(body.blockHeight), jws]);
      } catch (error) {
        logger?.warn({ agency, treeSize: size, err: { name: (error as Error).name, code: (error as { code?: unknown }).code } }, 'could not anchor a checkpoint');
      }
    }
    this.#lastCosigned = Math.max(this.#lastCosigned, size);
    this.#lastCosignedAt = Date.now();
  }
}
