import { createPrivateKey, createPublicKey, randomBytes, sign, type KeyObject } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { cosignatureMessage, cosignerVkey, isKeyName, keyIdOf, SIGNATURE_TYPE, signatureLine } from 'correction-verifier';

/**
 * Ed25519 note keys for C2SP checkpoint cosignatures (cosignature/v1): each agency's, and a
 * witness's. A private key is one line of text, as Go's note package writes them:
 * `PRIVATE+KEY+<name>+<hex key ID>+base64(0x04 ‖ 32-byte seed)`. Signing goes through node:crypto;
 * the verifier checks every signature with an independent implementation.
 */
export interface NoteSigner {
  readonly name: string;
  readonly keyId: number;
  readonly publicKey: Uint8Array;
  /** The verifier key to publish in the trust file. */
  readonly vkey: string;
  /** A cosignature/v1 signature line over the note text, dated `timestamp` (POSIX seconds). */
  cosign(text: string, timestamp: number): string;
}

export class NoteKeyError extends Error {
  override readonly name = 'NoteKeyError';
}

/** PKCS#8 DER of an Ed25519 private key: this prefix, then the 32-byte seed (RFC 8410). */
const PKCS8_ED25519_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');

function keysOfSeed(seed: Uint8Array): { privateKey: KeyObject; publicKey: Uint8Array } {
  const privateKey = createPrivateKey({ key: Buffer.concat([PKCS8_ED25519_PREFIX, seed]), format: 'der', type: 'pkcs8' });
  const jwk = createPublicKey(privateKey).export({ format: 'jwk' });
  return { privateKey, publicKey: Buffer.from(jwk.x ?? '', 'base64url') };
}

function signerOf(name: string, seed: Uint8Array): NoteSigner {
  const { privateKey, publicKey } = keysOfSeed(seed);
  const keyId = keyIdOf(name, SIGNATURE_TYPE.cosignatureV1, publicKey);
  return {
    name,
    keyId,
    publicKey,
    vkey: cosignerVkey(name, publicKey),
    cosign(text, timestamp) {
      const stamp = Buffer.alloc(8);
      stamp.writeBigUInt64BE(BigInt(timestamp));
      const signature = sign(null, cosignatureMessage(timestamp, text), privateKey);
      return signatureLine(name, keyId, Buffer.concat([stamp, signature]));
    },
  };
}

/** A new key: its private text (keep it secret) and its verifier key (publish it). */
export function generateNoteKey(name: string): { readonly skey: string; readonly vkey: string } {
  if (!isKeyName(name)) throw new NoteKeyError(`${JSON.stringify(name)} is not a key name (no spaces or plus)`);
  const seed = randomBytes(32);
  const signer = signerOf(name, seed);
  const hexId = signer.keyId.toString(16).padStart(8, '0');
  return { skey: `PRIVATE+KEY+${name}+${hexId}+${Buffer.concat([Buffer.of(SIGNATURE_TYPE.cosignatureV1), seed]).toString('base64')}`, vkey: signer.vkey };
}

/** Reads a private note key's text; the key ID must match its name and key. */
export function noteSignerOf(skey: string): NoteSigner {
  // The base64 key may itself hold plus signs: it is everything after the fourth.
  const [private1, private2, name = '', hexId = '', ...material] = skey.trim().split('+');
  const bytes = Buffer.from(material.join('+'), 'base64');
  if (private1 !== 'PRIVATE' || private2 !== 'KEY' || !isKeyName(name) || !/^[0-9a-f]{8}$/.test(hexId)) {
    throw new NoteKeyError('not a private note key (PRIVATE+KEY+name+keyid+key)');
  }
  if (bytes.length !== 33 || bytes[0] !== SIGNATURE_TYPE.cosignatureV1) throw new NoteKeyError('not an Ed25519 cosignature/v1 key');
  const signer = signerOf(name, bytes.subarray(1));
  if (signer.keyId !== Number.parseInt(hexId, 16)) throw new NoteKeyError('the key ID does not match the name and key');
  return signer;
}

export async function readNoteSigner(path: string): Promise<NoteSigner> {
  return noteSignerOf(await readFile(path, 'utf8'));
}
