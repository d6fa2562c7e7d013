import { canonicalJson, type Entry, type SubjectStatus } from 'correction-chaincode/domain';
import type { VerifyResult } from 'correction-chaincode';
import type { Caller, Ledger } from '../ledger/port.js';

export interface RecordRequest {
  readonly subjectRef: string;
  readonly type: string;
  readonly occurredAt: string;
  readonly document: unknown;
  readonly amends?: string | undefined;
}

export interface Recorded {
  readonly entry: Entry;
  readonly status: SubjectStatus;
  readonly blockNumber: number;
}

const decoder = new TextDecoder();
const encoder = new TextEncoder();
/** What each transaction of the contract answers, as JSON (chaincode/src/contract.ts). */
interface ContractReplies {
  RecordEvent: { entry: Entry; status: SubjectStatus };
  GetSubjectStatus: SubjectStatus;
  GetSubjectEntries: Entry[];
  GetEntry: Entry;
  GetDocument: unknown;
  VerifyDocument: VerifyResult;
}

/** The contract's answer to a transaction: its JSON is the contract's own, trusted as the type it declares. */
function replyOf<F extends keyof ContractReplies>(_fn: F, bytes: Uint8Array): ContractReplies[F] {
  return JSON.parse(decoder.decode(bytes)) as ContractReplies[F];
}

/** The correction contract's transactions, typed, over either ledger. */
export class CorrectionClient {
  readonly #ledger: Ledger;

  constructor(ledger: Ledger) {
    this.#ledger = ledger;
  }

  async recordEvent(caller: Caller, request: RecordRequest): Promise<Recorded> {
    const result = await this.#ledger.submit(
      caller,
      'RecordEvent',
      [request.subjectRef, request.type, request.occurredAt, request.amends ?? ''],
      // The document travels as transient data: it never appears in the transaction itself.
      { document: encoder.encode(canonicalJson(request.document)) },
    );
    const { entry, status } = replyOf('RecordEvent', result.payload);
    return { entry, status, blockNumber: result.blockNumber };
  }

  async status(caller: Caller, subjectRef: string): Promise<SubjectStatus> {
    return this.#evaluate(caller, 'GetSubjectStatus', [subjectRef]);
  }

  async entries(caller: Caller, subjectRef: string): Promise<Entry[]> {
    return this.#evaluate(caller, 'GetSubjectEntries', [subjectRef]);
  }

  async entry(caller: Caller, entryId: string): Promise<Entry> {
    return this.#evaluate(caller, 'GetEntry', [entryId]);
  }

  async document(caller: Caller, entryId: string): Promise<unknown> {
    return this.#evaluate(caller, 'GetDocument', [entryId]);
  }

  async verify(caller: Caller, entryId: string, docHash: string): Promise<VerifyResult> {
    return this.#evaluate(caller, 'VerifyDocument', [entryId, docHash]);
  }

  async #evaluate<F extends keyof ContractReplies>(caller: Caller, fn: F, args: readonly string[]): Promise<ContractReplies[F]> {
    return replyOf(fn, await this.#ledger.evaluate(caller, fn, args));
  }
}
