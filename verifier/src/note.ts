import { ed25519 } from '@noble/curves/ed25519.js';
import { concat, fromBase64, fromUtf8, sha256, toBase64, toHex, utf8 } from './bytes.js';

/**
 * C2SP signed notes (c2sp.org/signed-note) and Ed25519 checkpoint cosignatures
 * (c2sp.org/tlog-cosignature, `cosignature/v1`): parsing, verifier keys and verification.
 * Signing lives with whoever holds a private key (the gateway, the witness).
 */

/** A signature line of a note: `— <name> base64(key ID ‖ signature)`. */
export interface NoteSignature {
  readonly name: string;
  /** The 32-bit key ID (first four bytes of the base64 payload). */
  readonly keyId: number;
  /** What follows the key ID: for cosignature/v1, 8 bytes of timestamp then 64 of Ed25519. */
  readonly signature: Uint8Array;
  /** The line as it stood, without its newline. */
  readonly line: string;
}

export interface SignedNote {
  /** The note text, ending in a newline, without the blank line that separates the signatures. */
  readonly text: string;
  readonly signatures: readonly NoteSignature[];
}

export class NoteError extends Error {
  override readonly name = 'NoteError';
}

/** Signature type bytes of c2sp.org/signed-note. */
export const SIGNATURE_TYPE = { ed25519: 0x01, cosignatureV1: 0x04 } as const;

/** Bounds a note must keep: the spec asks verifiers to accept at least 16 signatures. */
export const NOTE_LIMITS = { maxBytes: 64 * 1024, maxSignatures: 64 } as const;

const EM_DASH = '\u2014';
const SIGNATURE_LINE = /^\u2014 (\S+) ([A-Za-z0-9+/]+={0,2})$/;

/** Key names: non-empty, no Unicode spaces, no plus; 255 bytes at most (as Go's note package). */
export function isKeyName(name: string): boolean {
  return name.length > 0 && utf8(name).length <= 255 && !/[\s+]/u.test(name);
}

/** Splits a signed note into its text and signature lines; throws NoteError on anything malformed. */
export function parseNote(note: string): SignedNote {
  if (utf8(note).length > NOTE_LIMITS.maxBytes) throw new NoteError(`the note is larger than ${NOTE_LIMITS.maxBytes} bytes`);
  // Control characters other than newline are not allowed anywhere in a note.
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u0009\u000b-\u001f\u007f]/.test(note)) throw new NoteError('the note holds control characters');
  const split = note.lastIndexOf('\n\n');
  if (split < 0 || !note.endsWith('\n')) throw new NoteError('the note has no blank line before its signatures');
  const text = note.slice(0, split + 1);
  const lines = note.slice(split + 2, -1).split('\n');
  if (lines.length > NOTE_LIMITS.maxSignatures) throw new NoteError(`the note has more than ${NOTE_LIMITS.maxSignatures} signatures`);
  return { text, signatures: lines.map(parseSignatureLine) };
}

function parseSignatureLine(line: string): NoteSignature {
  const match = SIGNATURE_LINE.exec(line);
  const name = match?.[1] ?? '';
  if (!match || !isKeyName(name)) throw new NoteError('a signature line is malformed');
  let bytes: Uint8Array;
  try {
    bytes = fromBase64(match[2] ?? '');
  } catch {
    throw new NoteError(`the signature of ${name} is not base64`);
  }
  if (bytes.length < 5) throw new NoteError(`the signature of ${name} is too short`);
  const keyId = new DataView(bytes.buffer, bytes.byteOffset, 4).getUint32(0);
  return { name, keyId, signature: bytes.slice(4), line };
}

/** The note text followed by its signature lines. */
export function formatNote(text: string, signatureLines: readonly string[]): string {
  return `${text}\n${signatureLines.map((line) => `${line}\n`).join('')}`;
}

/** `— <name> base64(key ID ‖ signature)`. */
export function signatureLine(name: string, keyId: number, signature: Uint8Array): string {
  const id = new Uint8Array(4);
  new DataView(id.buffer).setUint32(0, keyId);
  return `${EM_DASH} ${name} ${toBase64(concat(id, signature))}`;
}

/** SHA-256(name ‖ 0x0A ‖ type ‖ public key)[:4], big-endian. */
export function keyIdOf(name: string, type: number, publicKey: Uint8Array): number {
  const hash = sha256(utf8(`${name}\n`), Uint8Array.of(type), publicKey);
  return new DataView(hash.buffer, hash.byteOffset, 4).getUint32(0);
}

/** A cosigner's public key, as a verifier key (vkey) names it. */
export interface CosignerKey {
  readonly name: string;
  readonly keyId: number;
  /** The 32-byte Ed25519 public key. */
  readonly publicKey: Uint8Array;
  /** The vkey text: `<name>+<hex key ID>+base64(0x04 ‖ public key)`. */
  readonly vkey: string;
}

/**
 * Reads an Ed25519 cosignature/v1 verifier key (signature type 0x04); throws NoteError when it is
 * malformed, of another type, or its key ID does not match its name and key.
 */
export function parseCosignerKey(vkey: string): CosignerKey {
  // Name and key ID end at the first two plus signs; base64 may hold more.
  const [name = '', hexId = '', ...material64] = vkey.split('+');
  const material = material64.join('+');
  if (!isKeyName(name) || !/^[0-9a-f]{8}$/.test(hexId)) throw new NoteError('the verifier key is malformed');
  let bytes: Uint8Array;
  try {
    bytes = fromBase64(material);
  } catch {
    throw new NoteError('the verifier key is not base64');
  }
  if (bytes.length !== 33 || bytes[0] !== SIGNATURE_TYPE.cosignatureV1) throw new NoteError('the verifier key is not an Ed25519 cosignature/v1 key');
  const publicKey = bytes.slice(1);
  const keyId = keyIdOf(name, SIGNATURE_TYPE.cosignatureV1, publicKey);
  if (keyId !== Number.parseInt(hexId, 16)) throw new NoteError('the verifier key ID does not match its name and key');
  return { name, keyId, publicKey, vkey };
}

/** The vkey of an Ed25519 cosigner. */
export function cosignerVkey(name: string, publicKey: Uint8Array): string {
  if (!isKeyName(name)) throw new NoteError('invalid key name');
  const keyId = keyIdOf(name, SIGNATURE_TYPE.cosignatureV1, publicKey);
  return `${name}+${keyId.toString(16).padStart(8, '0')}+${toBase64(concat(Uint8Array.of(SIGNATURE_TYPE.cosignatureV1), publicKey))}`;
}

/** What a cosignature/v1 signs: `cosignature/v1\ntime <T>\n` then the whole note text. */
export function cosignatureMessage(timestamp: number, text: string): Uint8Array {
  return utf8(`cosignature/v1\ntime ${timestamp}\n${text}`);
}

/** A verified cosignature: who signed, and when they say they did. */
export interface VerifiedCosignature {
  readonly key: CosignerKey;
  /** POSIX seconds. */
  readonly timestamp: number;
}

export type CosignatureCheck = { readonly valid: true; readonly cosignature: VerifiedCosignature } | { readonly valid: false; readonly reason: string };

/** Remembers which signatures verified, so a caller that sees the same lines again skips the curve arithmetic. */
export interface SignatureCache {
  get(key: string): boolean | undefined;
  set(key: string, verified: boolean): unknown;
}

/** An RFC 8032 Ed25519 verification: a host with a native one (Node's) may bring it. */
export type Ed25519Verify = (signature: Uint8Array, message: Uint8Array, publicKey: Uint8Array) => boolean;

/** How signatures are checked: remembered, and with which Ed25519. */
export interface SignatureChecking {
  readonly cache?: SignatureCache | undefined;
  readonly ed25519?: Ed25519Verify | undefined;
}

/** Whether a signature line is a valid cosignature/v1 of the text by this key (name and key ID must match). */
export function verifyCosignature(text: string, signature: NoteSignature, key: CosignerKey, checking: SignatureChecking = {}): CosignatureCheck {
  if (signature.name !== key.name || signature.keyId !== key.keyId) return { valid: false, reason: 'another key' };
  if (signature.signature.length !== 8 + 64) return { valid: false, reason: 'not a cosignature/v1 signature' };
  const view = new DataView(signature.signature.buffer, signature.signature.byteOffset, 8);
  const timestamp = Number(view.getBigUint64(0));
  if (!Number.isSafeInteger(timestamp)) return { valid: false, reason: 'a timestamp out of range' };
  const cacheKey = `${key.vkey}\n${signature.line}\n${text}`;
  let verified = checking.cache?.get(cacheKey);
  if (verified === undefined) {
    verified = ed25519Verifies(signature.signature.slice(8), cosignatureMessage(timestamp, text), key.publicKey, checking.ed25519);
    checking.cache?.set(cacheKey, verified);
  }
  return verified ? { valid: true, cosignature: { key, timestamp } } : { valid: false, reason: 'a signature that does not verify' };
}

/** RFC 8032 verification (not ZIP 215's laxer rules, which Go's crypto/ed25519 does not follow); malformed input fails. */
function ed25519Verifies(signature: Uint8Array, message: Uint8Array, publicKey: Uint8Array, native?: Ed25519Verify): boolean {
  try {
    return native ? native(signature, message, publicKey) : ed25519.verify(signature, message, publicKey, { zip215: false });
  } catch {
    return false;
  }
}

/** A key's identity whatever name it carries: the hex of its public key. */
export const keyThumbprint = (key: CosignerKey): string => toHex(key.publicKey);

/** The note text as UTF-8, for callers that hold bytes. */
export const noteFromBytes = (bytes: Uint8Array): string => fromUtf8(bytes);
