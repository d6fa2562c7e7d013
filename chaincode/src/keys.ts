import type { ChaincodeStub } from 'fabric-shim-api';

/**
 * World-state keys. State is per subject and per entry; no key is written by every transaction,
 * so transactions about different subjects never conflict under MVCC.
 */
export const subjectKey = (stub: ChaincodeStub, subjectRef: string): string =>
  stub.createCompositeKey('subject', [subjectRef]);

/** Entries of one subject sort by position: a range scan returns the chain in order. */
export const entryKey = (stub: ChaincodeStub, subjectRef: string, seq: number): string =>
  stub.createCompositeKey('entry', [subjectRef, String(seq).padStart(10, '0')]);

/** Where an entry id points: its subject and position. */
export const entryIndexKey = (stub: ChaincodeStub, entryId: string): string =>
  stub.createCompositeKey('entryId', [entryId]);

export interface EntryLocation {
  readonly subjectRef: string;
  readonly seq: number;
}

/** An agency's idempotency key (its hash): one per agency and key, never shared between agencies. */
export const idempotencyRecordKey = (stub: ChaincodeStub, agency: string, keyHash: string): string =>
  stub.createCompositeKey('idempotency', [agency, keyHash]);

/** Who wrote a subject's entry at a position, as the gateway asserted it; kept beside the entry. */
export const writerKey = (stub: ChaincodeStub, subjectRef: string, seq: number): string =>
  stub.createCompositeKey('writer', [subjectRef, String(seq).padStart(10, '0')]);

/** One recorded read of a subject, under the transaction that made it: no key is shared by two reads. */
export const accessKey = (stub: ChaincodeStub, subjectRef: string, txId: string): string =>
  stub.createCompositeKey('access', [subjectRef, txId]);
