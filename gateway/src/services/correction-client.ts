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
const parse = <T>(bytes: Uint8Array): T => JSON.parse(decoder.decode(bytes)) as T;

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
    const { entry, status } = parse<{ entry: Entry; status: SubjectStatus }>(result.payload);
    return { entry, status, blockNumber: result.blockNumber };
  }

  async status(caller: Caller, subjectRef: string): Promise<SubjectStatus> {
    return parse(await this.#ledger.evaluate(caller, 'GetSubjectStatus', [subjectRef]));
  }

  async entries(caller: Caller, subjectRef: string): Promise<Entry[]> {
    return parse(await this.#ledger.evaluate(caller, 'GetSubjectEntries', [subjectRef]));
  }

  async entry(caller: Caller, entryId: string): Promise<Entry> {
    return parse(await this.#ledger.evaluate(caller, 'GetEntry', [entryId]));
  }

  async document(caller: Caller, entryId: string): Promise<unknown> {
    return parse(await this.#ledger.evaluate(caller, 'GetDocument', [entryId]));
  }

  async verify(caller: Caller, entryId: string, docHash: string): Promise<VerifyResult> {
    return parse(await this.#ledger.evaluate(caller, 'VerifyDocument', [entryId, docHash]));
  }
}
