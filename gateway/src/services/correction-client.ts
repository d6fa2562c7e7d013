import { randomBytes } from 'node:crypto';
import { canonicalJson, sha256Hex, type Entry, type SubjectStatus } from 'correction-chaincode/domain';
import type { RecordReply, VerifyResult } from 'correction-chaincode';
import { LedgerUnavailableError, type Caller, type Ledger } from '../ledger/port.js';

export interface RecordRequest {
  readonly subjectRef: string;
  readonly type: string;
  readonly occurredAt: string;
  readonly document: unknown;
  readonly amends?: string | undefined;
  /**
   * SHA-256 (hex) of the idempotency key the ledger records with the entry. A request without one
   * gets a fresh key: every RecordEvent carries one.
   */
  readonly keyHash?: string | undefined;
}

export interface Recorded {
  readonly entry: Entry;
  readonly status: SubjectStatus;
  /** The block that committed the entry (for a replay, the first transaction's block). */
  readonly blockNumber: number;
  /** The key had been used for this request before: the first entry, nothing written now. */
  readonly replayed: boolean;
}

/** The hash under which the ledger records an idempotency key: the key itself never leaves the gateway. */
export const keyHashOf = (key: string): string => sha256Hex(key);

/** A key for a request that came without one, so that even its retry by the gateway records once. */
export const freshKeyHash = (): string => keyHashOf(randomBytes(32).toString('base64url'));

const decoder = new TextDecoder();
const encoder = new TextEncoder();
/** What each transaction of the contract answers, as JSON (chaincode/src/contract.ts). */
interface ContractReplies {
  RecordEvent: RecordReply;
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
      [request.subjectRef, request.type, request.occurredAt, request.amends ?? '', request.keyHash ?? freshKeyHash()],
      // The document travels as transient data: it never appears in the transaction itself.
      { document: encoder.encode(canonicalJson(request.document)) },
    );
    const { entry, status, replayed } = replyOf('RecordEvent', result.payload);
    if (!replayed) return { entry, status, blockNumber: result.blockNumber, replayed };
    const first = await this.#ledger.blockNumberOf(entry.txId);
    if (first === undefined) throw new LedgerUnavailableError(`the ledger does not yet show the block of transaction ${entry.txId}`);
    return { entry, status, blockNumber: first, replayed };
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
