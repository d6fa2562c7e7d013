import { createHash } from 'node:crypto';
import canonicalize from 'canonicalize';

/** RFC 8785 canonical JSON of a value. */
export function canonicalJson(value: unknown): string {
  const text = canonicalize(value);
  if (text === undefined) throw new TypeError('value has no JSON form');
  return text;
}

export function sha256Hex(data: string | Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

/** SHA-256 (hex) of a document's canonical JSON: what an outsider recomputes from the document alone. */
export function documentHash(document: unknown): string {
  return sha256Hex(canonicalJson(document));
}

/** The prevHash of a subject's first entry. */
export const GENESIS_HASH = '0'.repeat(64);
