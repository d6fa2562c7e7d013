import { canonicalJson, sha256Hex } from 'correction-chaincode/domain';

/** One committed transaction as the embedded ledger keeps it in its block. */
export interface BlockTransaction {
  readonly txId: string;
  /** Transaction time, milliseconds since the epoch. */
  readonly timestamp: number;
  readonly mspId: string;
  readonly fn: string;
  readonly args: readonly string[];
  /** Public writes in order: key and value (null for a delete). */
  readonly writes: ReadonlyArray<readonly [string, string | null]>;
  /** Private writes: collection, key and SHA-256 of the value; the values stay off the block, as on Fabric. */
  readonly privateWrites: ReadonlyArray<readonly [string, string, string]>;
  readonly event: { readonly name: string; readonly payload: string } | null;
}

export interface BlockHeader {
  readonly number: number;
  /** Hash of the previous block's header, or 64 zeros for block 0. */
  readonly previousHash: string;
  /** SHA-256 of the block's transactions as stored. */
  readonly dataHash: string;
}

export interface Block {
  readonly header: BlockHeader;
  readonly transactions: readonly BlockTransaction[];
}

export const ZERO_HASH = '0'.repeat(64);

export function dataHashOf(transactions: readonly BlockTransaction[]): string {
  return sha256Hex(JSON.stringify(transactions));
}

/** The block's identity: SHA-256 of its canonical header. The next header carries it. */
export function blockHash(header: BlockHeader): string {
  return sha256Hex(canonicalJson(header));
}

export function makeBlock(number: number, previousHash: string, transactions: readonly BlockTransaction[]): Block {
  return { header: { number, previousHash, dataHash: dataHashOf(transactions) }, transactions };
}
