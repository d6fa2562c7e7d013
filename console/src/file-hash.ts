import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex } from '@noble/hashes/utils.js';

/** The attachment types the ledger takes (PDF, OFD, JPEG, PNG), by the browser's type or the file's extension. */
const MEDIA_TYPES: Readonly<Record<string, string>> = { pdf: 'application/pdf', ofd: 'application/ofd', jpg: 'image/jpeg', jpeg: 'image/jpeg', png: 'image/png' };

/**
 * SHA-256 (hex) of a file's bytes, computed in the browser as they are read from `stream()`:
 * the file is never held in memory whole, and never sent anywhere to be hashed.
 */
export async function sha256Hex(file: Blob): Promise<string> {
  const hash = sha256.create();
  const reader = file.stream().getReader();
  for (let read = await reader.read(); !read.done; read = await reader.read()) hash.update(read.value);
  return bytesToHex(hash.digest());
}

/** The extension a file of a media type the ledger takes is saved with. */
export const EXTENSIONS: Readonly<Record<string, string>> = { 'application/pdf': '.pdf', 'application/ofd': '.ofd', 'image/jpeg': '.jpg', 'image/png': '.png' };

export function mediaTypeOf(file: File): string | undefined {
  const known = Object.values(MEDIA_TYPES);
  if (known.includes(file.type)) return file.type;
  return MEDIA_TYPES[file.name.split('.').pop()?.toLowerCase() ?? ''];
}
