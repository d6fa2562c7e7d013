import { sha256 as nobleSha256 } from '@noble/hashes/sha2.js';
import { bytesToHex, concatBytes, hexToBytes, utf8ToBytes } from '@noble/hashes/utils.js';
import { base64 as base64Coder, base64urlnopad } from '@scure/base';

/**
 * Bytes, text and hashes without node:crypto or Buffer, so that the verifier runs unchanged in a
 * browser: SHA-256 from @noble/hashes, base64 (RFC 4648 §4, padded) from @scure/base.
 */
export const sha256 = (...parts: readonly Uint8Array[]): Uint8Array => nobleSha256(parts.length === 1 ? (parts[0] as Uint8Array) : concatBytes(...parts));

export const utf8 = (text: string): Uint8Array => utf8ToBytes(text);

const strictDecoder = new TextDecoder('utf-8', { fatal: true });

/** UTF-8 bytes as text; invalid UTF-8 throws rather than being replaced. */
export const fromUtf8 = (bytes: Uint8Array): string => strictDecoder.decode(bytes);

export const toHex = (bytes: Uint8Array): string => bytesToHex(bytes);

/** Lower- or upper-case hex of whole bytes; anything else throws. */
export function fromHex(hex: string): Uint8Array {
  if (!/^([0-9a-f]{2})*$/i.test(hex)) throw new TypeError('not hex');
  return hexToBytes(hex.toLowerCase());
}

export const toBase64 = (bytes: Uint8Array): string => base64Coder.encode(bytes);

/** Standard padded base64; anything else (URL alphabet, missing padding, spaces) throws. */
export const fromBase64 = (text: string): Uint8Array => base64Coder.decode(text);

/** Unpadded base64url (JWS segments); anything else throws. */
export const fromBase64Url = (text: string): Uint8Array => base64urlnopad.decode(text);

export const concat = (...parts: readonly Uint8Array[]): Uint8Array => concatBytes(...parts);

export function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let difference = 0;
  for (let i = 0; i < a.length; i++) difference |= (a[i] ?? 0) ^ (b[i] ?? 0);
  return difference === 0;
}
