import { TRANSIENT_ACTOR, type Actor, type Agency } from 'correction-chaincode/domain';

/** Who is calling the ledger: an agency's gateway acting for one of its users. */
export interface Caller {
  readonly agency: Agency;
  /**
   * The person the gateway acts for — unit, kind, role, staff id — asserted to the contract with
   * every transaction; absent for the gateway's own (checkpoint cosignatures).
   */
  readonly actor?: Actor;
}

const encoder = new TextEncoder();

/** The caller's acting principal as the contract reads it: transient data, so that it is not in the proposal. */
export function actorTransient(caller: Caller): Record<string, Uint8Array> {
  if (!caller.actor) return {};
  const { unit, unitKind, role, sub } = caller.actor;
  return { [TRANSIENT_ACTOR]: encoder.encode(JSON.stringify({ unit, unitKind, role, sub })) };
}

export interface SubmitResult {
  /** The transaction function's return value. */
  readonly payload: Uint8Array;
  readonly txId: string;
  readonly blockNumber: number;
}

/** A chaincode event of a committed transaction, in commit order. */
export interface LedgerEvent {
  readonly blockNumber: number;
  readonly txId: string;
  readonly name: string;
  readonly payload: Uint8Array;
}

/**
 * The ledger port: one contract on one channel. Both adapters (the embedded ledger and Fabric)
 * execute the same contract; errors the contract raises arrive as DomainError. A submission the
 * ledger is known not to have taken (never sent for ordering, or invalidated) fails with
 * LedgerUnavailableError; one sent whose commit was not seen before the deadline, with
 * OutcomeUnknownError: it may still commit.
 */
export interface Ledger {
  /** Endorses, orders and commits a transaction, asserting the caller's acting principal; resolves once it is committed. */
  submit(
    caller: Caller,
    fn: string,
    args: readonly string[],
    transient?: Readonly<Record<string, Uint8Array>>,
  ): Promise<SubmitResult>;
  /** Runs a read-only transaction against committed state, asserting the caller's acting principal. */
  evaluate(caller: Caller, fn: string, args: readonly string[]): Promise<Uint8Array>;
  /**
   * The chaincode events of committed transactions from `fromBlock` on, in commit order, then
   * new ones as they commit, until the signal aborts.
   */
  followEvents(fromBlock: number, signal: AbortSignal): AsyncIterable<LedgerEvent>;
  /** The block that committed a transaction, or undefined if the ledger holds no such transaction. */
  blockNumberOf(txId: string): Promise<number | undefined>;
  /** Committed block height. */
  height(): Promise<number>;
  /** Ready to serve (store open, peer reachable). */
  ready(): Promise<boolean>;
  close(): Promise<void>;
}

/** The ledger did not take the transaction: it was never sent for ordering, or it was invalidated. */
export class LedgerUnavailableError extends Error {
  override readonly name = 'LedgerUnavailableError';
  readonly code = 'LEDGER_UNAVAILABLE';
}

/**
 * The transaction was sent for ordering and no commit was seen before the deadline: it may yet
 * commit. Only a resubmission with the same idempotency key settles it (it replays if the first
 * one committed).
 */
export class OutcomeUnknownError extends Error {
  override readonly name = 'OutcomeUnknownError';
  readonly code = 'OUTCOME_UNKNOWN';
  readonly txId: string;
  constructor(txId: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.txId = txId;
  }
}
