import { readFile } from 'node:fs/promises';
import { createPrivateKey, sign, type JsonWebKey, type KeyObject } from 'node:crypto';
import type { JWK } from 'jose';
import { parseTrustFileText, RECEIPT_TYPE, verifyReceipt as verifyConsortiumReceipt, type ReceiptClaims, type TrustFile } from 'correction-verifier';
import type { Agency, Entry } from 'correction-chaincode/domain';
import { promised } from '../promised.js';

export { RECEIPT_TYPE, type ReceiptClaims };

/** Signs what an agency's gateway attests: receipts for entries, notices to webhooks. */
export interface GatewaySigner {
  /** The agencies this gateway holds keys for. */
  readonly agencies: readonly Agency[];
  /** A receipt for an entry, signed with the key of the agency that recorded it. */
  sign(entry: Entry, blockNumber: number): Promise<string>;
  /** A notice delivered to a webhook, signed by the agency's gateway. */
  signNotice(agency: Agency, notice: unknown): Promise<string>;
}

export const NOTICE_TYPE = 'notice+jws';

/**
 * Signs (compact JWS, ES256) with each agency gateway key this gateway holds. Signing goes
 * straight through node:crypto (a third of the cost of the WebCrypto path on this hot path);
 * every signature it makes is verified with jose by the verifier and the tests.
 */
export function createGatewaySigner(privateJwks: ReadonlyMap<Agency, JWK>): Promise<GatewaySigner> {
  return promised(() => gatewaySigner(privateJwks));
}

function gatewaySigner(privateJwks: ReadonlyMap<Agency, JWK>): GatewaySigner {
  const keys = new Map<Agency, { key: KeyObject; kid: string }>();
  for (const [agency, jwk] of privateJwks) {
    keys.set(agency, { key: createPrivateKey({ key: jwk as JsonWebKey, format: 'jwk' }), kid: jwk.kid ?? `gateway-${agency}` });
  }
  const keyOf = (agency: Agency) => {
    const found = keys.get(agency);
    if (!found) throw new Error(`this gateway holds no key for ${agency}`);
    return found;
  };
  const compactJws = (agency: Agency, typ: string, payload: Uint8Array): string => {
    const { key, kid } = keyOf(agency);
    const input = `${Buffer.from(JSON.stringify({ alg: 'ES256', kid, typ })).toString('base64url')}.${Buffer.from(payload).toString('base64url')}`;
    const signature = sign('sha256', Buffer.from(input), { key, dsaEncoding: 'ieee-p1363' });
    return `${input}.${signature.toString('base64url')}`;
  };
  const encoder = new TextEncoder();
  return {
    agencies: [...keys.keys()],
    signNotice(agency, notice) {
      return promised(() => compactJws(agency, NOTICE_TYPE, encoder.encode(JSON.stringify(notice))));
    },
    sign(entry, blockNumber) {
      return promised(() => {
        const claims: ReceiptClaims = {
          entryId: entry.id,
          entryHash: entry.hash,
          subjectRef: entry.subjectRef,
          txId: entry.txId,
          recordedAt: entry.recordedAt,
          blockNumber,
          agency: entry.agency,
        };
        return compactJws(entry.agency, RECEIPT_TYPE, encoder.encode(JSON.stringify(claims)));
      });
    },
  };
}

/** Verifies a receipt against the consortium trust file: it must be signed by the recording agency's gateway. */
export async function verifyReceipt(receipt: string, trust: TrustFile): Promise<ReceiptClaims> {
  const claims = await verifyConsortiumReceipt(receipt, trust);
  if (!claims) throw new Error('the receipt is not signed by a gateway key of the agency it names');
  return claims;
}

/** Reads the consortium trust file, strictly: every problem named at once (TrustFileError). */
export async function readTrust(path: string): Promise<TrustFile> {
  return parseTrustFileText(await readFile(path, 'utf8'));
}
