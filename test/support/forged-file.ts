import { createHash, randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ATTACHMENT_MEDIA_TYPES, type AttachmentMediaType } from '../../gateway/src/store/file-store.js';
import type { Sealer } from '../../gateway/src/store/sealer.js';

/** Plaintext bytes per chunk, as the store writes them. */
const CHUNK_BYTES = 64 * 1024;
const MAGIC = Buffer.from([0x43, 0x4c, 0x46, 0x01]);

/**
 * What an operator holding the document key could do (in the store's format: header, chunks, trailer) to its own gateway's store: put other bytes,
 * sealed with the store's chunk sealer, under the name and header of the file `claimedHash`, so
 * that the store opens and serves them as that file. Only another gateway, hashing what it
 * receives against the entry, can tell.
 */
export async function forgeStoredFile(dataDir: string, sealer: Sealer, claimedHash: string, bytes: Buffer, mediaType: AttachmentMediaType = 'application/pdf'): Promise<void> {
  if (createHash('sha256').update(bytes).digest('hex') === claimedHash) throw new Error('these are the genuine bytes');
  const fileId = randomBytes(16);
  const binding = Buffer.alloc(4 + 8 + 1 + 32);
  binding.writeUInt32BE(CHUNK_BYTES, 0);
  binding.writeBigUInt64BE(BigInt(bytes.length), 4);
  binding[12] = ATTACHMENT_MEDIA_TYPES.indexOf(mediaType);
  Buffer.from(claimedHash, 'hex').copy(binding, 13);
  const chunks = sealer.forFile(fileId);
  const count = Math.ceil(bytes.length / CHUNK_BYTES);
  const sealed = Array.from({ length: count }, (_, index) => chunks.seal(index, bytes.subarray(index * CHUNK_BYTES, (index + 1) * CHUNK_BYTES)));
  // The trailer: an empty final chunk whose associated data binds the header.
  const trailer = chunks.seal(count, new Uint8Array(0), binding);
  await writeFile(join(dataDir, 'files', claimedHash.slice(0, 2), claimedHash), Buffer.concat([MAGIC, fileId, binding, ...sealed, trailer]));
}
