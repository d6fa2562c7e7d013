/** The attachment types the ledger takes (PDF, OFD, JPEG, PNG), by the browser's type or the file's extension. */
const MEDIA_TYPES: Readonly<Record<string, string>> = { pdf: 'application/pdf', ofd: 'application/ofd', jpg: 'image/jpeg', jpeg: 'image/jpeg', png: 'image/png' };

/** SHA-256 (hex) of a file's bytes, computed in the browser: the file itself is not sent. */
export async function sha256Hex(file: Blob): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', await file.arrayBuffer());
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('');
}

export function mediaTypeOf(file: File): string | undefined {
  const known = Object.values(MEDIA_TYPES);
  if (known.includes(file.type)) return file.type;
  return MEDIA_TYPES[file.name.split('.').pop()?.toLowerCase() ?? ''];
}
