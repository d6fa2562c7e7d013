import canonicalize from 'canonicalize';
import { sha256, toHex, utf8 } from './bytes.js';

/** The public fields of a ledger entry that the verifier relies on. */
export interface EntryLike {
  readonly id: string;
  readonly subjectRef: string;
  readonly seq: number;
  readonly docHash: string;
  readonly prevHash: string;
  readonly txId: string;
  readonly hash: string;
  readonly [field: string]: unknown;
}

export const GENESIS_HASH = '0'.repeat(64);

const sha256Hex = (text: string): string => toHex(sha256(utf8(text)));

function canonical(value: unknown): string {
  const text = canonicalize(value);
  if (text === undefined) throw new TypeError('value has no JSON form');
  return text;
}

/** SHA-256 of the RFC 8785 canonical JSON of a document: what the ledger records as docHash. */
export function documentHash(document: unknown): string {
  return sha256Hex(canonical(document));
}

/** SHA-256 of the RFC 8785 canonical JSON of an entry without its `hash` field. */
export function recomputeEntryHash(entry: EntryLike): string {
  const rest: Record<string, unknown> = { ...entry };
  delete rest['hash'];
  return sha256Hex(canonical(rest));
}
