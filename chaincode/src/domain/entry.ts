import type { Agency, CollectionName } from './agencies.js';
import type { EventType, Facts } from './catalog.js';
import { canonicalEntryWithoutHash } from './entry-canonical.js';
import { sha256Hex } from './hashing.js';

/**
 * One correction event on the public ledger. Entries are never edited or deleted: an AMENDMENT
 * adds a new entry that supersedes public facts of an earlier one.
 */
export interface Entry {
  readonly id: string;
  readonly subjectRef: string;
  /** Position in the subject's chain, from 1. */
  readonly seq: number;
  readonly type: EventType;
  readonly agency: Agency;
  /** The recording unit (a division code, or `*` for the whole agency). */
  readonly unit: string;
  readonly occurredAt: string;
  /** Transaction time, never the clock of whoever executed the contract. */
  readonly recordedAt: string;
  readonly facts: Facts;
  /** Agencies that must see this entry (DOMAIN.md's notify column, resolved for this subject). */
  readonly notify: readonly Agency[];
  /** The units it is addressed to: for each notified agency, the unit of the subject's place or of its decision. */
  readonly to: readonly NoticeAddress[];
  /** Private data collection holding the document. */
  readonly collection: CollectionName;
  readonly docHash: string;
  readonly amends: string | null;
  /** Hash of the subject's previous entry, or GENESIS_HASH. */
  readonly prevHash: string;
  readonly txId: string;
  /** SHA-256 of the RFC 8785 canonical JSON of every other field. */
  readonly hash: string;
}

/** A unit a notice is addressed to: the agency and the unit's code. */
export interface NoticeAddress {
  readonly agency: Agency;
  readonly unit: string;
}

export type UnhashedEntry = Omit<Entry, 'hash'>;

export function entryHash(entry: UnhashedEntry | Entry): string {
  return sha256Hex(canonicalEntryWithoutHash(entry as unknown as Record<string, unknown>));
}

export function sealEntry(entry: UnhashedEntry): Entry {
  return { ...entry, hash: entryHash(entry) };
}

/** Entry ids are derived from the subject and position: deterministic, and no global counter. */
export function entryIdFor(subjectRef: string, seq: number): string {
  return sha256Hex(`${subjectRef}:${seq}`).slice(0, 32);
}

export const ENTRY_ID_PATTERN = /^[0-9a-f]{32}$/;
