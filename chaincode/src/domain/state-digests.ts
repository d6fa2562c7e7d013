import type { Actor } from './units.js';
import { DomainError, type FieldIssue } from './errors.js';

/**
 * Digests of world state for a whole-channel audit: which keys of a kind the state holds and the
 * SHA-256 of each stored value, a page at a time. A digest says nothing the channel's blocks do
 * not already say (every value was written by a transaction in them), so no record is read here;
 * an auditor compares them with the values the blocks wrote.
 */

/** The kinds of state an audit compares: entries and subject statuses. */
export const DIGEST_KINDS = ['entry', 'subject'] as const;
export type DigestKind = (typeof DIGEST_KINDS)[number];

/** Most digests in one page: a page stays well under a megabyte. */
export const MAX_DIGEST_PAGE = 2_000;
const MAX_BOOKMARK_LENGTH = 512;

/** One stored value: the attributes of its composite key, and the SHA-256 (hex) of its bytes. */
export interface StateDigest {
  readonly key: readonly string[];
  readonly digest: string;
}

/** A page of digests in key order, and the bookmark of the next page ('' after the last). */
export interface StateDigestPage {
  readonly digests: readonly StateDigest[];
  readonly bookmark: string;
}

export interface DigestQuery {
  readonly kind: DigestKind;
  readonly bookmark: string;
  readonly pageSize: number;
}

/** Only auditors and the procuratorate audit the ledger, as they alone may ask for its report. */
export function digestReadRefusal(actor: Actor): string | undefined {
  return actor.role === 'auditor' || actor.agency === 'PROCURATORATE' ? undefined : 'state digests are for auditors and the procuratorate';
}

/**
 * The query's arguments, checked: a known kind, a bookmark that is one of that kind's keys (or ''),
 * and a page size within bounds. `keyPrefix` is the composite-key prefix of a kind.
 */
export function parseDigestQuery(kind: string, bookmark: string, pageSize: string, keyPrefix: (kind: DigestKind) => string): DigestQuery {
  const issues: FieldIssue[] = [];
  const known = DIGEST_KINDS.find((k) => k === kind);
  if (!known) issues.push({ path: 'kind', message: `must be one of ${DIGEST_KINDS.join(', ')}` });
  if (!bookmarkFits(bookmark, known, keyPrefix)) issues.push({ path: 'bookmark', message: 'must be empty or a bookmark this query returned' });
  const size = pageSizeOf(pageSize);
  if (size === undefined) issues.push({ path: 'pageSize', message: `must be an integer from 1 to ${MAX_DIGEST_PAGE}` });
  if (!known || size === undefined || issues.length > 0) throw new DomainError('INVALID_INPUT', 'invalid state digest query', { issues });
  return { kind: known, bookmark, pageSize: size };
}

function bookmarkFits(bookmark: string, kind: DigestKind | undefined, keyPrefix: (kind: DigestKind) => string): boolean {
  if (bookmark.length > MAX_BOOKMARK_LENGTH) return false;
  return bookmark === '' || kind === undefined || bookmark.startsWith(keyPrefix(kind));
}

function pageSizeOf(text: string): number | undefined {
  const size = /^\d{1,5}$/.test(text) ? Number(text) : 0;
  return size >= 1 && size <= MAX_DIGEST_PAGE ? size : undefined;
}
