import { canonicalJson, sha256Hex } from './hashing.js';
import type { Entry } from './entry.js';
import { DomainError, invalid } from './errors.js';
import { deriveStatus } from './lifecycle.js';
import type { SubjectStatus } from './status.js';

/**
 * An idempotency key as the ledger holds it: SHA-256 (hex) of the key a client sent, or of one its
 * gateway generated. The key itself never reaches the ledger.
 */
export const KEY_HASH_PATTERN = /^[0-9a-f]{64}$/;

/** What the ledger keeps per agency and key hash, written in the same transaction as the entry. */
export interface IdempotencyRecord {
  readonly entryId: string;
  readonly requestHash: string;
}

/** The parts of a record request that make it the same request. */
export interface RequestFacts {
  readonly subjectRef: string;
  readonly type: string;
  readonly occurredAt: string;
  readonly amends: string | null;
  readonly docHash: string;
}

/**
 * SHA-256 of the canonical JSON of the request's facts: the contract and the gateway compute it
 * alike, so a retry names the subject by ID number or by reference and is still the same request.
 */
export function requestHash(facts: RequestFacts): string {
  return sha256Hex(
    canonicalJson({ subjectRef: facts.subjectRef, type: facts.type, occurredAt: facts.occurredAt, amends: facts.amends ?? null, docHash: facts.docHash }),
  );
}

export function checkKeyHash(keyHash: string): void {
  if (!KEY_HASH_PATTERN.test(keyHash)) {
    throw invalid([{ path: 'idempotencyKey', message: 'must be the SHA-256 (hex) of an idempotency key' }]);
  }
}

/**
 * A key already used: the same request is answered with its first entry, a different one refused.
 * Decided before any lifecycle check, so that a retried handover replays instead of meeting a
 * subject its first attempt already moved on.
 */
export function checkReplay(record: IdempotencyRecord, hash: string): void {
  if (record.requestHash !== hash) {
    throw new DomainError('IDEMPOTENCY_KEY_REUSED', 'this idempotency key was used for a different request', { entryId: record.entryId });
  }
}

/** The subject's status right after an entry: what the first answer said, derived from the chain up to it. */
export function statusAfter(chain: readonly Entry[], entry: Entry): SubjectStatus {
  return deriveStatus(entry.subjectRef, chain.filter((e) => e.seq <= entry.seq));
}
