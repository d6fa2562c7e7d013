import type { Entry } from 'correction-chaincode/domain';
import type { Caller } from '../ledger/port.js';
import type { RecordedResponse, SubmissionRequest } from '../store/outbox-store.js';
import type { CorrectionClient } from './correction-client.js';
import type { GatewaySigner } from './receipts.js';

export type { RecordedResponse };

/** An entry the ledger holds for a request, and whether it was there before this submission. */
export interface Written {
  readonly response: RecordedResponse;
  readonly replayed: boolean;
}

export interface LedgerWriterDeps {
  readonly client: CorrectionClient;
  readonly signer: GatewaySigner;
  /** Called once per entry this gateway recorded, not for replays (metrics). */
  readonly onRecorded?: ((entry: Entry) => void) | undefined;
}

/**
 * The one path from a record request to the ledger, for the direct answer and the outbox alike:
 * submit with the idempotency key, then sign a receipt for the entry and the block that committed
 * it. A replay's receipt is issued again from the ledger's entry and its original block.
 */
export class LedgerWriter {
  readonly #deps: LedgerWriterDeps;

  constructor(deps: Readonly<LedgerWriterDeps>) {
    this.#deps = deps;
  }

  async write(caller: Caller, request: SubmissionRequest, keyHash: string): Promise<Written> {
    const recorded = await this.#deps.client.recordEvent(caller, {
      subjectRef: request.subjectRef,
      type: request.type,
      occurredAt: request.occurredAt,
      document: request.document,
      amends: request.amends ?? undefined,
      keyHash,
    });
    const receipt = await this.#deps.signer.sign(recorded.entry, recorded.blockNumber);
    if (!recorded.replayed) this.#deps.onRecorded?.(recorded.entry);
    return { response: { entry: recorded.entry, status: recorded.status, receipt }, replayed: recorded.replayed };
  }
}
