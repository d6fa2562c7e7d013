import { createCipheriv, createDecipheriv, hkdfSync } from 'node:crypto';
import { SealedValueError } from './sealer.js';

const CIPHER = 'aes-256-gcm';
const TAG_BYTES = 16;
/** Bytes a sealed chunk adds to its plaintext: the GCM tag (the nonce is the chunk's index, not stored). */
export const CHUNK_OVERHEAD = TAG_BYTES;
const KEY_INFO = Buffer.from('correction-ledger file chunks v1', 'utf8');

/**
 * Seals one file's chunks. Each file has its own key, derived from the document key and the
 * file's random id, so a chunk moved to another file does not open there; the nonce is the
 * chunk's index, so chunks cannot trade places; the associated data marks the final chunk and,
 * for it, binds what the file claims to be (its size, type and hash), so a truncated file or one
 * renamed under another hash does not open either.
 */
export interface ChunkSealer {
  seal(index: number, plaintext: Uint8Array, final?: Uint8Array): Buffer;
  /** Seals chunk `index` piece by piece as its plaintext streams in: end() gives the last ciphertext bytes and the tag. */
  begin(index: number, final?: Uint8Array): { update(piece: Uint8Array): Buffer; end(): Buffer };
  /** Throws SealedValueError('NOT_AUTHENTIC') when the chunk is not this file's chunk at this index. */
  open(index: number, sealed: Uint8Array, final?: Uint8Array): Buffer;
}

function nonceOf(index: number): Buffer {
  const nonce = Buffer.alloc(12);
  nonce.writeBigUInt64BE(BigInt(index), 4);
  return nonce;
}

/** `index ‖ final flag ‖ (the file's binding, for the final chunk)`. */
function associatedData(index: number, final: Uint8Array | undefined): Buffer {
  const head = Buffer.alloc(9);
  head.writeBigUInt64BE(BigInt(index), 0);
  head[8] = final ? 1 : 0;
  return final ? Buffer.concat([head, final]) : head;
}

/** The chunk sealer of the file `fileId` under the 32-byte document key `secret`. */
export function createChunkSealer(secret: Uint8Array, fileId: Uint8Array): ChunkSealer {
  const key = Buffer.from(hkdfSync('sha256', secret, fileId, KEY_INFO, 32));
  return {
    seal(index, plaintext, final) {
      const cipher = createCipheriv(CIPHER, key, nonceOf(index), { authTagLength: TAG_BYTES });
      cipher.setAAD(associatedData(index, final));
      return Buffer.concat([cipher.update(plaintext), cipher.final(), cipher.getAuthTag()]);
    },
    begin(index, final) {
      const cipher = createCipheriv(CIPHER, key, nonceOf(index), { authTagLength: TAG_BYTES });
      cipher.setAAD(associatedData(index, final));
      return {
        update: (piece) => cipher.update(piece),
        end: () => Buffer.concat([cipher.final(), cipher.getAuthTag()]),
      };
    },
    open(index, sealed, final) {
      if (sealed.length < TAG_BYTES) throw new SealedValueError('NOT_AUTHENTIC');
      const bytes = Buffer.from(sealed.buffer, sealed.byteOffset, sealed.byteLength);
      const decipher = createDecipheriv(CIPHER, key, nonceOf(index), { authTagLength: TAG_BYTES });
      decipher.setAAD(associatedData(index, final));
      decipher.setAuthTag(bytes.subarray(bytes.length - TAG_BYTES));
      try {
        const opened = decipher.update(bytes.subarray(0, bytes.length - TAG_BYTES));
        const rest = decipher.final();
        // GCM gives every byte from update(): the chunk is not copied once more to append nothing.
        return rest.length === 0 ? opened : Buffer.concat([opened, rest]);
      } catch {
        throw new SealedValueError('NOT_AUTHENTIC');
      }
    },
  };
}
