import { checkpointers, type ChaincodeEvent, type CloseableAsyncIterable, type Network } from '@hyperledger/fabric-gateway';
import type { LedgerEvent } from '../port.js';

export interface EventFollowerOptions {
  readonly network: Network;
  readonly chaincode: string;
  /** File keeping the position of the last event handled; a restarted follower resumes after it. */
  readonly checkpointFile: string;
  /** Called for each event in commit order; the checkpoint advances only after it returns. */
  readonly onEvent: (event: LedgerEvent) => void | Promise<void>;
  /** Called when the event stream breaks; the follower reconnects from its checkpoint. */
  readonly onError?: (error: unknown) => void;
}

const RECONNECT_MS = 1_000;

/**
 * Follows the contract's chaincode events with a file checkpoint, so that a gateway that stops
 * and starts again misses none and repeats none. With no checkpoint yet it starts at block 0.
 */
export class ChaincodeEventFollower {
  readonly #options: EventFollowerOptions;
  #stream: CloseableAsyncIterable<ChaincodeEvent> | undefined;
  #closed = false;
  readonly #done: Promise<void>;

  private constructor(options: EventFollowerOptions) {
    this.#options = options;
    this.#done = this.#run();
  }

  static start(options: Readonly<EventFollowerOptions>): ChaincodeEventFollower {
    return new ChaincodeEventFollower(options);
  }

  async close(): Promise<void> {
    this.#closed = true;
    this.#stream?.close();
    await this.#done;
  }

  async #run(): Promise<void> {
    const checkpoint = await checkpointers.file(this.#options.checkpointFile);
    while (!this.#closed) {
      try {
        this.#stream = await this.#options.network.getChaincodeEvents(this.#options.chaincode, { checkpoint, startBlock: 0n });
        for await (const event of this.#stream) {
          await this.#options.onEvent({
            blockNumber: Number(event.blockNumber),
            txId: event.transactionId,
            name: event.eventName,
            payload: event.payload,
          });
          await checkpoint.checkpointChaincodeEvent(event);
          if (this.#closed) break;
        }
      } catch (error) {
        if (this.#closed) break;
        this.#options.onError?.(error);
        await new Promise((resolve) => setTimeout(resolve, RECONNECT_MS));
      } finally {
        this.#stream?.close();
      }
    }
  }
}
