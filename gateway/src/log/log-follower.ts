import { EventEmitter } from 'node:events';
import { CHECKPOINT_CONFLICT_EVENT, CHECKPOINT_EVENT, ENTRY_EVENT, type CheckpointCosignature, type Entry } from 'correction-chaincode/domain';
import type { Ledger, LedgerEvent } from '../ledger/port.js';
import type { Logger } from '../logger.js';
import type { LogPosition, LogUpdate, MerkleLog } from './merkle-log.js';

const RETRY_MS = 1_000;
const decoder = new TextDecoder();

/**
 * Follows the ledger's committed events in order and appends every entry hash to the Merkle log,
 * recording checkpoint cosignatures as they are anchored. Its position lives in the log itself,
 * written with each change, so a restarted gateway catches up exactly where it stopped.
 *
 * Emits 'event' (every LedgerEvent applied), 'appended' (size), 'cosignature'
 * (CheckpointCosignature) and 'conflict' (cosignature with the differing roots of every agency).
 */
export class LogFollower extends EventEmitter {
  readonly #ledger: Ledger;
  readonly #log: MerkleLog;
  readonly #logger: Logger | undefined;
  readonly #abort = new AbortController();
  #running: Promise<void> | undefined;

  constructor(ledger: Ledger, log: MerkleLog, logger?: Logger) {
    super();
    this.#ledger = ledger;
    this.#log = log;
    this.#logger = logger;
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
    if (this.#log.size >= size) return;
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
        const start = this.#log.position;
        let skip = start.eventsInBlock;
        for await (const event of this.#ledger.followEvents(start.block, signal)) {
          // Events of the starting block that the log already holds.
          if (event.blockNumber === start.block && skip > 0) {
            skip--;
            continue;
          }
          await this.#apply(event);
        }
      } catch (error) {
        if (signal.aborted) break;
        this.#logger?.warn({ err: { name: (error as Error).name, code: (error as { code?: unknown }).code } }, 'log follower lost the ledger; resuming');
        await new Promise((resolve) => setTimeout(resolve, RETRY_MS));
      }
    }
  }

  async #apply(event: LedgerEvent): Promise<void> {
    const current = this.#log.position;
    const position: LogPosition =
      event.blockNumber === current.block
        ? { block: current.block, eventsInBlock: current.eventsInBlock + 1 }
        : { block: event.blockNumber, eventsInBlock: 1 };
    const payload = JSON.parse(decoder.decode(event.payload)) as Record<string, unknown>;
    const update: LogUpdate =
      event.name === ENTRY_EVENT
        ? { position, leaves: [{ entryId: (payload as unknown as Entry).id, entryHash: (payload as unknown as Entry).hash, block: event.blockNumber }] }
        : event.name === CHECKPOINT_EVENT || event.name === CHECKPOINT_CONFLICT_EVENT
          ? { position, cosignatures: [cosignatureOf(payload)] }
          : { position };
    await this.#log.apply(update);
    this.emit('event', event);
    if (update.leaves?.length) this.emit('appended', this.#log.size);
    for (const cosignature of update.cosignatures ?? []) {
      this.emit('cosignature', cosignature);
      if (event.name === CHECKPOINT_CONFLICT_EVENT) this.emit('conflict', { ...cosignature, roots: payload['roots'] });
    }
  }
}

function cosignatureOf(payload: Record<string, unknown>): CheckpointCosignature {
  const { roots: _roots, ...cosignature } = payload;
  return cosignature as unknown as CheckpointCosignature;
}
