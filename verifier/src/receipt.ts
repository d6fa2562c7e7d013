import { compactVerify, importJWK } from 'jose';
import { RECEIPT_TYPE } from './checkpoint.js';
import { fromBase64Url, fromUtf8 } from './bytes.js';
import { gatewayKeysOf, type GatewayKey, type TrustFile } from './trust.js';

/** What a receipt attests: this entry, with this hash, was committed in this transaction. */
export interface ReceiptClaims {
  readonly entryId: string;
  readonly entryHash: string;
  readonly subjectRef: string;
  readonly txId: string;
  readonly recordedAt: string;
  readonly blockNumber: number;
  /** Agency whose gateway issued the receipt. */
  readonly agency: string;
}

/** Verifies a compact JWS (ES256) of the given type against any of the keys; returns its payload, or undefined. */
export async function verifyJws(jws: string, keys: readonly GatewayKey[], typ: string): Promise<Uint8Array | undefined> {
  for (const jwk of keys) {
    try {
      const { payload, protectedHeader } = await compactVerify(jws, await importJWK({ ...jwk }, 'ES256'), { algorithms: ['ES256'] });
      if (protectedHeader.typ === typ && (!jwk.kid || protectedHeader.kid === jwk.kid)) return payload;
    } catch {
      // try the next key
    }
  }
  return undefined;
}

/** The agency a receipt names in its payload, read before its signature is checked (to pick the keys). */
function claimedAgency(receipt: string): string | undefined {
  try {
    const payload = receipt.split('.')[1] ?? '';
    const claims = JSON.parse(fromUtf8(fromBase64Url(payload))) as { agency?: unknown };
    return typeof claims.agency === 'string' ? claims.agency : undefined;
  } catch {
    return undefined;
  }
}

/**
 * A receipt of this consortium: a `receipt+jws` signed by a gateway key of the agency it names.
 * Returns its claims, or undefined when it is not one.
 */
export async function verifyReceipt(receipt: string, trust: TrustFile): Promise<ReceiptClaims | undefined> {
  const agency = claimedAgency(receipt);
  if (agency === undefined) return undefined;
  const payload = await verifyJws(receipt, gatewayKeysOf(trust, agency), RECEIPT_TYPE);
  if (!payload) return undefined;
  try {
    const claims = JSON.parse(fromUtf8(payload)) as ReceiptClaims;
    return claims.agency === agency ? claims : undefined;
  } catch {
    return undefined;
  }
}
