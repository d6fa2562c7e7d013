import { sign, type KeyObject } from 'node:crypto';
import type { Signer } from '@hyperledger/fabric-gateway';

/** The order n of each curve Fabric MSPs use (SEC 2): a signature's s must not exceed n / 2. */
const CURVE_ORDERS: Readonly<Record<string, bigint>> = {
  prime256v1: 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n,
  secp384r1: 0xffffffffffffffffffffffffffffffffffffffffffffffffc7634d81f4372ddf581a0db248b0a77aecec196accc52973n,
};

/**
 * A Fabric transaction signer on Node's own ECDSA (OpenSSL), for use with `hash.none`: it hashes
 * the message with SHA-256, as `hash.sha256` with the library's signer does, and signs it about
 * ten times faster than the library's portable signer, which is the client's largest CPU cost per
 * submission. Fabric refuses signatures whose s lies in the upper half of the curve order, so s is
 * folded into the lower half (as the library's signer does), then encoded as DER.
 */
export function nodeSigner(key: KeyObject): Signer {
  const curve = key.asymmetricKeyDetails?.namedCurve ?? '';
  const order = CURVE_ORDERS[curve];
  if (key.type !== 'private' || key.asymmetricKeyType !== 'ec' || order === undefined) {
    throw new Error(`a Fabric signing key must be a private P-256 or P-384 key, not ${key.asymmetricKeyType ?? key.type} ${curve}`.trim());
  }
  return (message) => {
    const raw = sign('sha256', message, { key, dsaEncoding: 'ieee-p1363' });
    const half = raw.length / 2;
    const r = raw.subarray(0, half);
    let s = BigInt(`0x${raw.subarray(half).toString('hex')}`);
    if (s > order / 2n) s = order - s;
    return Promise.resolve(derSignature(r, Buffer.from(s.toString(16).padStart(half * 2, '0'), 'hex')));
  };
}

/** SEQUENCE { INTEGER r, INTEGER s } (X9.62); both are under 64 bytes, so every length fits one byte. */
function derSignature(r: Buffer, s: Buffer): Uint8Array {
  const body = Buffer.concat([derInteger(r), derInteger(s)]);
  return Buffer.concat([Buffer.from([0x30, body.length]), body]);
}

/** A positive big-endian integer: leading zero bytes dropped, one added back if the high bit is set. */
function derInteger(bytes: Buffer): Buffer {
  let start = 0;
  while (start < bytes.length - 1 && bytes[start] === 0) start++;
  const value = bytes.subarray(start);
  const padded = (value[0] ?? 0) & 0x80 ? Buffer.concat([Buffer.from([0]), value]) : value;
  return Buffer.concat([Buffer.from([0x02, padded.length]), padded]);
}
