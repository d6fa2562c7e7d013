import { CompactSign, compactVerify, importJWK, type CryptoKey, type JWK, type KeyObject } from 'jose';
import type { Entry } from 'correction-chaincode/domain';

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

export const RECEIPT_TYPE = 'receipt+jws';

export interface ReceiptSigner {
  readonly kid: string;
  sign(entry: Entry, blockNumber: number): Promise<string>;
}

/** Signs receipts (compact JWS, ES256) with the gateway's own key. */
export async function createReceiptSigner(privateJwk: JWK): Promise<ReceiptSigner> {
  const key = await importJWK(privateJwk, 'ES256');
  const kid = privateJwk.kid ?? 'gateway';
  const encoder = new TextEncoder();
  return {
    kid,
    async sign(entry, blockNumber) {
      const claims: ReceiptClaims = {
        entryId: entry.id,
        entryHash: entry.hash,
        subjectRef: entry.subjectRef,
        txId: entry.txId,
        recordedAt: entry.recordedAt,
        blockNumber,
        agency: entry.agency,
      };
      return new CompactSign(encoder.encode(JSON.stringify(claims)))
        .setProtectedHeader({ alg: 'ES256', kid, typ: RECEIPT_TYPE })
        .sign(key);
    },
  };
}

/** Verifies a receipt against the issuing gateway's public key; throws if the signature does not hold. */
export async function verifyReceipt(receipt: string, publicJwk: JWK): Promise<ReceiptClaims> {
  const key: CryptoKey | KeyObject | Uint8Array = await importJWK(publicJwk, 'ES256');
  const { payload, protectedHeader } = await compactVerify(receipt, key, { algorithms: ['ES256'] });
  if (protectedHeader.typ !== RECEIPT_TYPE) throw new Error(`not a receipt (typ ${protectedHeader.typ ?? 'missing'})`);
  return JSON.parse(new TextDecoder().decode(payload)) as ReceiptClaims;
}
