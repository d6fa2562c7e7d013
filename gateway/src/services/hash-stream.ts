import { createHash } from 'node:crypto';
import type { AttachmentMediaType } from 'correction-chaincode/domain';
import { fileTooLarge, fileTypeNotAccepted } from '../store/file-errors.js';
import { sniffMediaType, SNIFF_BYTES } from '../store/media-type.js';

/**
 * SHA-256 (hex) and size of a stream, read within a byte limit (FILE_TOO_LARGE past it); nothing is
 * kept. With `declared`, the bytes must be of that type by their leading bytes (FILE_TYPE_NOT_ACCEPTED).
 */
export async function hashStream(source: AsyncIterable<Uint8Array>, maxBytes: number, declared?: AttachmentMediaType): Promise<{ hash: string; size: number }> {
  const hash = createHash('sha256');
  let size = 0;
  let head = Buffer.alloc(0);
  for await (const piece of source) {
    size += piece.length;
    if (size > maxBytes) throw fileTooLarge(maxBytes);
    if (declared && head.length < SNIFF_BYTES) {
      head = Buffer.concat([head, piece.subarray(0, SNIFF_BYTES - head.length)]);
      if (head.length >= SNIFF_BYTES && sniffMediaType(head) !== declared) throw fileTypeNotAccepted();
    }
    hash.update(piece);
  }
  if (declared && sniffMediaType(head) !== declared) throw fileTypeNotAccepted();
  return { hash: hash.digest('hex'), size };
}
