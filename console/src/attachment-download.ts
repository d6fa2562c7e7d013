import { ApiProblem, type Problem } from './api.js';
import { EXTENSIONS, sha256Hex } from './file-hash.js';
import type { Words } from './i18n.js';

/** An attachment an entry lists in its facts: its hash, size and type, and its title unless the record is sealed. */
export interface ListedAttachment {
  readonly hash: string;
  readonly size?: number;
  readonly mediaType?: string;
  readonly title?: string;
}

/** The attachments an entry's facts list (none when it lists none, or in a shape not understood). */
export function listedAttachments(facts: Readonly<Record<string, unknown>>): readonly ListedAttachment[] {
  const listed = facts['attachments'];
  if (!Array.isArray(listed)) return [];
  return listed.filter((a): a is ListedAttachment => a !== null && typeof a === 'object' && typeof (a as { hash?: unknown }).hash === 'string');
}

/** The name a file is saved under: its title with its type's extension (as the gateway names it), or its hash. */
export function fileNameOf(attachment: ListedAttachment): string {
  const extension = EXTENSIONS[attachment.mediaType ?? ''] ?? '';
  const name = attachment.title ?? attachment.hash;
  const lower = name.toLowerCase();
  return lower.endsWith(extension) || (extension === '.jpg' && lower.endsWith('.jpeg')) ? name : `${name}${extension}`;
}

/**
 * Fetches an attachment an entry lists (GET /v1/documents/{hash}?entry=ID), the session's token in
 * the Authorization header — never in the URL — and checks here that the bytes hash to what the
 * entry lists before they are offered to save.
 */
export async function fetchAttachment(entryId: string, attachment: ListedAttachment, token: string): Promise<Blob> {
  const response = await fetch(`/v1/documents/${attachment.hash}?entry=${entryId}`, { headers: { authorization: `Bearer ${token}` }, cache: 'no-store' });
  if (!response.ok) {
    const problem = (await response.json().catch(() => ({}))) as Partial<Problem>;
    throw new ApiProblem({ status: response.status, code: problem.code ?? 'HTTP_ERROR', detail: problem.detail ?? response.statusText });
  }
  const blob = await response.blob();
  const hash = await sha256Hex(blob);
  if (hash !== attachment.hash) throw new ApiProblem({ status: 502, code: 'FILE_HASH_MISMATCH', detail: `the file hashes to ${hash}` });
  return blob;
}

/** Why a download failed, in the user's language. */
export function downloadRefusal(caught: unknown, t: Words): string {
  if (!(caught instanceof ApiProblem)) return `${t.error}: ${caught instanceof Error ? caught.message : String(caught)}`;
  const { status, detail } = caught.problem;
  if (status === 403) return `${t.downloadForbidden} (${detail})`;
  if (status === 404) return `${t.downloadNotFound} (${detail})`;
  if (status === 503) return `${t.downloadUnavailable} (${detail})`;
  if (status === 502) return t.downloadMismatch;
  return `${t.error}: ${detail}`;
}
