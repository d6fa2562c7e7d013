import { randomBytes } from 'node:crypto';
import {
  canonicalJson,
  DomainError,
  sha256Hex,
  type AccessTrail,
  type Entry,
  type MinimalStatus,
  type Purpose,
  type ReadFunction,
  type SubjectStatus,
} from 'correction-chaincode/domain';
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
  /** The status after the entry, as the recorder may read it. */
  readonly status: SubjectStatus | MinimalStatus;
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
  GetSubjectStatus: SubjectStatus | MinimalStatus;
  GetSubjectEntries: Entry[];
  GetEntry: Entry;
  GetDocument: unknown;
  VerifyDocument: VerifyResult;
  GetAccessTrail: AccessTrail;
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

  /** The subject's status: in full within the caller's jurisdiction, the minimal status elsewhere. */
  async status(caller: Caller, subjectRef: string, purpose: Purpose | null = null): Promise<SubjectStatus | MinimalStatus> {
    return this.#read(caller, 'GetSubjectStatus', [subjectRef], purpose);
  }

  async entries(caller: Caller, subjectRef: string, purpose: Purpose | null = null): Promise<Entry[]> {
    return this.#read(caller, 'GetSubjectEntries', [subjectRef], purpose);
  }

  async entry(caller: Caller, entryId: string, purpose: Purpose | null = null): Promise<Entry> {
    return this.#read(caller, 'GetEntry', [entryId], purpose);
  }

  /** An entry's document: every read of one leaves an access entry, so it is submitted at once. */
  async document(caller: Caller, entryId: string, purpose: Purpose | null = null): Promise<unknown> {
    return this.#recorded(caller, 'GetDocument', [entryId], purpose);
  }

  async verify(caller: Caller, entryId: string, docHash: string, purpose: Purpose | null = null): Promise<VerifyResult> {
    return this.#read(caller, 'VerifyDocument', [entryId, docHash], purpose);
  }

  /** Who read the subject's record, and who wrote its entries. */
  async accessTrail(caller: Caller, subjectRef: string): Promise<AccessTrail> {
    return replyOf('GetAccessTrail', await this.#ledger.evaluate(caller, 'GetAccessTrail', [subjectRef]));
  }

  /**
   * A read: evaluated, unless the contract answers that it must be recorded (a sealed record),
   * then submitted as ReadRecorded with the reader's purpose, which writes its access entry.
   */
  async #read<F extends ReadFunction>(caller: Caller, fn: F, args: readonly string[], purpose: Purpose | null): Promise<ContractReplies[F]> {
    try {
      return replyOf(fn, await this.#ledger.evaluate(caller, fn, args));
    } catch (error) {
      if (!(error instanceof DomainError && error.code === 'ACCESS_MUST_BE_RECORDED')) throw error;
    }
    return this.#recorded(caller, fn, args, purpose);
  }

  async #recorded<F extends ReadFunction>(caller: Caller, fn: F, args: readonly string[], purpose: Purpose | null): Promise<ContractReplies[F]> {
    const result = await this.#ledger.submit(caller, 'ReadRecorded', [fn, JSON.stringify(args), purpose ? JSON.stringify(purpose) : '']);
    return replyOf(fn, result.payload);
  }
}
