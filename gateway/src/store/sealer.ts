import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { createChunkSealer, type ChunkSealer } from './chunk-sealer.js';

/** The document key: AES-256. */
export const DOCUMENT_KEY_BYTES = 32;

/**
 * Format 1: `0x01 ‖ nonce (12 bytes) ‖ AES-256-GCM ciphertext ‖ tag (16 bytes)`, with
 * `0x01 ‖ UTF-8 record name` as associated data. The leading byte lets a later format (another
 * cipher, a key id for rotation) be told apart from this one; it is authenticated with the rest.
 */
const FORMAT_1 = 0x01;
const NONCE_BYTES = 12;
const TAG_BYTES = 16;
const CIPHER = 'aes-256-gcm';

/** Why a stored value could not be opened. */
export type UnreadableReason = 'UNKNOWN_FORMAT' | 'NOT_AUTHENTIC';

/**
 * A stored value that does not open: sealed in a format this code does not know, or not
 * authentic — another key, another record's ciphertext, or altered bytes. Never garbage.
 * The message names neither the value nor the record: record keys may be client-chosen.
 */
export class SealedValueError extends Error {
  override readonly name = 'SealedValueError';
  readonly code = 'SEALED_VALUE_UNREADABLE';
  readonly reason: UnreadableReason;
  constructor(reason: UnreadableReason) {
    super(reason === 'UNKNOWN_FORMAT' ? 'a stored value is not in a sealed format this gateway reads' : 'a stored value does not authenticate under the document key');
    this.reason = reason;
  }
}

/**
 * Encrypts values at rest, each bound to the record it belongs to: a ciphertext copied to another
 * record does not open there.
 */
export interface Sealer {
  /** Seals `plaintext` for the record named `record`, under a fresh random nonce. */
  seal(record: string, plaintext: Uint8Array): Uint8Array;
  /** Opens what seal() gave for the same record; throws SealedValueError when it does not authenticate. */
  open(record: string, sealed: Uint8Array): Uint8Array;
  /** Seals a file in chunks under the same document key, each chunk opened on its own (Range reads). */
  forFile(fileId: Uint8Array): ChunkSealer;
}

/** A sealer under a 32-byte document key (AES-256-GCM from node:crypto). */
export function createSealer(key: Uint8Array): Sealer {
  if (key.length !== DOCUMENT_KEY_BYTES) throw new RangeError(`the document key must be ${DOCUMENT_KEY_BYTES} bytes, not ${key.length}`);
  const secret = Buffer.from(key);
  return {
    seal(record, plaintext) {
      // A random 96-bit nonce per value: with one key, the chance of a repeat stays negligible far
      // beyond the number of documents a consortium records (NIST SP 800-38D, 2^32 invocations).
      const nonce = randomBytes(NONCE_BYTES);
      const cipher = createCipheriv(CIPHER, secret, nonce, { authTagLength: TAG_BYTES });
      cipher.setAAD(associatedData(record));
      const body = Buffer.concat([cipher.update(plaintext), cipher.final()]);
      return Buffer.concat([Uint8Array.of(FORMAT_1), nonce, body, cipher.getAuthTag()]);
    },
    open(record, sealed) {
      if (sealed[0] !== FORMAT_1) throw new SealedValueError('UNKNOWN_FORMAT');
      if (sealed.length < 1 + NONCE_BYTES + TAG_BYTES) throw new SealedValueError('NOT_AUTHENTIC');
      const bytes = Buffer.from(sealed.buffer, sealed.byteOffset, sealed.byteLength);
      const decipher = createDecipheriv(CIPHER, secret, bytes.subarray(1, 1 + NONCE_BYTES), { authTagLength: TAG_BYTES });
      decipher.setAAD(associatedData(record));
      decipher.setAuthTag(bytes.subarray(bytes.length - TAG_BYTES));
      try {
        return Buffer.concat([decipher.update(bytes.subarray(1 + NONCE_BYTES, bytes.length - TAG_BYTES)), decipher.final()]);
      } catch {
        throw new SealedValueError('NOT_AUTHENTIC');
      }
    },
    forFile(fileId) {
      return createChunkSealer(secret, fileId);
    },
  };
}

function associatedData(record: string): Buffer {
  return Buffer.concat([Uint8Array.of(FORMAT_1), Buffer.from(record, 'utf8')]);
}
