import { createHash } from 'node:crypto';
import { fileTooLarge } from '../store/file-errors.js';

/** SHA-256 (hex) and size of a stream, read within a byte limit (FILE_TOO_LARGE past it); nothing is kept. */
export async function hashStream(source: AsyncIterable<Uint8Array>, maxBytes: number): Promise<{ hash: string; size: number }> {
  const hash = createHash('sha256');
  let size = 0;
  for await (const piece of source) {
    size += piece.length;
    if (size > maxBytes) throw fileTooLarge(maxBytes);
    hash.update(piece);
  }
  return { hash: hash.digest('hex'), size };
}
