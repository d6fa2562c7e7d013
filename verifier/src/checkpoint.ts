import canonicalize from 'canonicalize';
import { compactVerify, importJWK, type JWK } from 'jose';
import type { AgencyCode } from './trust.js';

/** What an agency gateway signs: the log had this size and root after this block height. */
export interface CheckpointBody {
  readonly log: 'correction-ledger';
  readonly treeSize: number;
  /** Merkle root (hex) of the first treeSize entry hashes. */
  readonly root: string;
  /** Ledger height (blocks) at which the log reached treeSize. */
  readonly blockHeight: number;
}

export interface Cosignature {
  readonly agency: AgencyCode;
  /** Compact JWS (ES256, typ checkpoint+jws) over the canonical JSON of the CheckpointBody. */
  readonly jws: string;
}

export const CHECKPOINT_TYPE = 'checkpoint+jws';
export const RECEIPT_TYPE = 'receipt+jws';

/** The exact bytes a checkpoint signature covers. */
export function checkpointPayload(body: CheckpointBody): Uint8Array {
  const text = canonicalize({ log: body.log, treeSize: body.treeSize, root: body.root, blockHeight: body.blockHeight });
  return new TextEncoder().encode(text ?? '');
}

/** Verifies a compact JWS of the given type against any of the keys; returns its payload, or undefined. */
export async function verifyJws(jws: string, keys: readonly JWK[], typ: string): Promise<Uint8Array | undefined> {
  for (const jwk of keys) {
    try {
      const { payload, protectedHeader } = await compactVerify(jws, await importJWK(jwk, 'ES256'), { algorithms: ['ES256'] });
      if (protectedHeader.typ === typ && (!jwk.kid || protectedHeader.kid === jwk.kid)) return payload;
    } catch {
      // try the next key
    }
  }
  return undefined;
}
