import { createHash } from 'node:crypto';
import { auditChain, entryIdFor, type Entry, type SubjectStatus } from 'correction-chaincode/domain';
import type { AuditProblem, AuditReport } from '../../services/correction-service.js';
import { SealedValueError } from '../../store/sealer.js';
import { blockHash, ZERO_HASH, type BlockHeader, type BlockTransaction } from './block.js';
import type { EmbeddedLedger } from './embedded-ledger.js';
import type { LedgerStore } from './world-state.js';

export type AuditPhase = 'blocks' | 'subjects';
export type AuditProgress = (phase: AuditPhase, done: number, total: number) => void;

const ENTRY_PREFIX = '\u0000entry\u0000';
const SUBJECT_PREFIX = '\u0000subject\u0000';
const END = '\u{10FFFF}';
const TRANSACTIONS = ',"transactions":';
const BATCH = 1_000;

const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');

/** Where an entry was written, and the digest of what was written. */
interface Written {
  readonly block: number;
  readonly digest: string;
}

interface ChainTip {
  readonly height: number;
  readonly hash: string;
}

/** What the blocks say was written, and where the blocks end. */
interface BlocksRead {
  readonly entriesWritten: Map<string, Written>;
  readonly documentsWritten: Map<string, Written>;
  /** The number the block after the last one would have. */
  readonly expected: number;
  readonly last: BlockHeader | undefined;
}

/** A LevelDB iterator read a batch of rows at a time. */
interface RowIterator {
  nextv(size: number): Promise<Array<[string, string]>>;
  close(): Promise<void>;
}

/**
 * Audits an embedded ledger from its LevelDB files, trusting nothing in them:
 * 1. blocks, in order: each block's data hash over its stored transactions, each header's link to
 *    the next and to the tip; the digest of every entry and document the blocks wrote is kept;
 * 2. state, read sequentially: every document opened with the ledger's document key (one that does
 *    not open is named, by entry), every entry and document against the digest its block wrote, every
 *    subject chain recomputed from the canonical JSON of its entries, every link, and every stored
 *    status against the status its chain derives.
 * Each problem names the block, subject or entry where it was found.
 */
export async function auditEmbeddedLedger(ledger: EmbeddedLedger, onProgress?: AuditProgress): Promise<AuditReport> {
  const { store } = ledger;
  const problems: AuditProblem[] = [];
  const height = await ledger.height();
  const tip = JSON.parse((await store.meta.get('tip')) ?? 'null') as ChainTip | null;
  const blocks = await auditBlocks(store, height, problems, onProgress);
  if (tip) auditTip(blocks, tip, problems);
  await auditDocuments(store, blocks.documentsWritten, problems);
  const total = blocks.entriesWritten.size;
  const subjects = await auditSubjects(store, blocks.entriesWritten, total, problems, onProgress);
  for (const [key, written] of blocks.entriesWritten) problems.push(missingEntry(key, written));
  return { ok: problems.length === 0, scope: 'ledger', blocks: height, subjects, entries: total, problems };
}

/** Phase 1: every block in order, keeping the digest of each entry and document it wrote. */
async function auditBlocks(store: LedgerStore, height: number, problems: AuditProblem[], onProgress?: AuditProgress): Promise<BlocksRead> {
  const entriesWritten = new Map<string, Written>();
  const documentsWritten = new Map<string, Written>();
  let expected = 0;
  let previous: BlockHeader | undefined;
  for await (const raw of store.blocks.values()) {
    // The data hash covers the stored transactions text: hash it as stored, parse only what is used.
    const split = raw.indexOf(TRANSACTIONS);
    const header = JSON.parse(raw.slice('{"header":'.length, split)) as BlockHeader;
    const transactionsText = raw.slice(split + TRANSACTIONS.length, -1);
    auditBlock(header, transactionsText, expected, previous, problems);
    expected = header.number + 1;
    for (const tx of JSON.parse(transactionsText) as BlockTransaction[]) {
      for (const [key, value] of tx.writes) {
        if (value !== null && key.startsWith(ENTRY_PREFIX)) entriesWritten.set(key, { block: header.number, digest: sha256(value) });
      }
      for (const [collection, key, digest] of tx.privateWrites) documentsWritten.set(`${collection}\u0000${key}`, { block: header.number, digest });
    }
    previous = header;
    onProgress?.('blocks', header.number + 1, height);
  }
  return { entriesWritten, documentsWritten, expected, last: previous };
}

/** A block's number, its data hash over the transactions as stored, and its link to the block before. */
function auditBlock(header: BlockHeader, transactionsText: string, expected: number, previous: BlockHeader | undefined, problems: AuditProblem[]): void {
  const n = header.number;
  if (n !== expected) problems.push({ kind: 'BLOCK_MISSING', block: expected, detail: `expected block ${expected}, found ${n}` });
  if (sha256(transactionsText) !== header.dataHash) {
    problems.push({ kind: 'BLOCK_DATA_ALTERED', block: n, detail: 'transactions do not match the header data hash' });
  }
  const linkTo = previous ? blockHash(previous) : ZERO_HASH;
  if (header.previousHash !== linkTo) {
    const altered = previous ? previous.number : n;
    problems.push({ kind: 'BLOCK_HEADER_ALTERED', block: altered, detail: `block ${n} does not link to the hash of block ${altered}` });
  }
}

/** The recorded tip names the last block's hash and the height the blocks reach. */
function auditTip(blocks: BlocksRead, tip: ChainTip, problems: AuditProblem[]): void {
  if (blocks.last && blockHash(blocks.last) !== tip.hash) {
    problems.push({ kind: 'BLOCK_HEADER_ALTERED', block: blocks.last.number, detail: 'the last block does not match the recorded tip' });
  }
  if (blocks.expected !== tip.height) {
    problems.push({ kind: 'BLOCK_MISSING', block: blocks.expected, detail: `the tip says height ${tip.height}, blocks end at ${blocks.expected}` });
  }
}

/**
 * Phase 2: statuses and entries are both stored in subject order, so one pass over each pairs
 * every subject's status with its chain. Returns the number of subjects audited.
 */
async function auditSubjects(
  store: LedgerStore,
  entriesWritten: Map<string, Written>,
  total: number,
  problems: AuditProblem[],
  onProgress?: AuditProgress,
): Promise<number> {
  let subjects = 0;
  let checked = 0;
  const statuses = store.state.iterator({ gte: SUBJECT_PREFIX, lt: SUBJECT_PREFIX + END });
  const entries = new EntryCursor(store.state.iterator({ gte: ENTRY_PREFIX, lt: ENTRY_PREFIX + END }), entriesWritten, problems);
  try {
    for (let rows = await statuses.nextv(BATCH); rows.length > 0; rows = await statuses.nextv(BATCH)) {
      for (const [key, value] of rows) {
        const subjectRef = key.slice(SUBJECT_PREFIX.length, -1);
        const status = JSON.parse(value) as SubjectStatus;
        const subjectEntries = await entries.takeSubject(subjectRef);
        problems.push(...auditChain(subjectRef, subjectEntries, status));
        subjects++;
        checked += subjectEntries.length;
        if (subjects % 1_000 === 0) onProgress?.('subjects', checked, total);
      }
    }
  } finally {
    await statuses.close();
    await entries.close();
  }
  onProgress?.('subjects', checked, total);
  return subjects;
}

/** An entry as read from state, with the subject its key files it under. */
interface KeyedEntry {
  readonly ref: string;
  readonly entry: Entry;
}

/**
 * Reads the stored entries in key order, a batch at a time, checking each against the block that
 * wrote it as it is read. Entries are grouped by the subject in their key, not their JSON.
 */
class EntryCursor {
  readonly #rows: RowIterator;
  readonly #entriesWritten: Map<string, Written>;
  readonly #problems: AuditProblem[];
  #buffered: Array<[string, string]> = [];
  #position = 0;
  #pending: KeyedEntry | undefined;

  constructor(rows: RowIterator, entriesWritten: Map<string, Written>, problems: AuditProblem[]) {
    this.#rows = rows;
    this.#entriesWritten = entriesWritten;
    this.#problems = problems;
  }

  /** The subject's entries; entries of subjects before it, which have no status, are orphans. */
  async takeSubject(subjectRef: string): Promise<Entry[]> {
    const entries: Entry[] = [];
    for (let next = await this.#peek(); next && next.ref <= subjectRef; next = await this.#peek()) {
      if (next.ref < subjectRef) {
        this.#problems.push({ kind: 'ORPHAN_ENTRY', subjectRef: next.ref, entryId: next.entry.id, detail: 'entry of a subject with no status' });
      } else {
        entries.push(next.entry);
      }
      this.#pending = undefined;
    }
    return entries;
  }

  close(): Promise<void> {
    return this.#rows.close();
  }

  async #peek(): Promise<KeyedEntry | undefined> {
    if (this.#pending) return this.#pending;
    const row = await this.#nextRow();
    if (row) this.#pending = this.#check(row[0], row[1]);
    return this.#pending;
  }

  async #nextRow(): Promise<[string, string] | undefined> {
    if (this.#position >= this.#buffered.length) {
      this.#buffered = await this.#rows.nextv(BATCH);
      this.#position = 0;
    }
    return this.#buffered[this.#position++];
  }

  /** Checks an entry against its block. */
  #check(key: string, value: string): KeyedEntry {
    const entry = JSON.parse(value) as Entry;
    const written = this.#entriesWritten.get(key);
    if (!written) {
      this.#problems.push({ kind: 'ENTRY_NOT_IN_ANY_BLOCK', subjectRef: entry.subjectRef, entryId: entry.id, seq: entry.seq, detail: 'no block wrote this entry' });
    } else if (sha256(value) !== written.digest) {
      this.#problems.push({ kind: 'ENTRY_DIFFERS_FROM_BLOCK', block: written.block, subjectRef: entry.subjectRef, entryId: entry.id, seq: entry.seq, detail: 'the entry differs from what this block wrote' });
    }
    this.#entriesWritten.delete(key);
    return { ref: key.slice(ENTRY_PREFIX.length).split('\u0000')[0] ?? '', entry };
  }
}

/** An entry a block wrote that state no longer holds. */
function missingEntry(key: string, written: Written): AuditProblem {
  const [ref = '', seq = ''] = key.slice(ENTRY_PREFIX.length).split('\u0000');
  return { kind: 'ENTRY_MISSING', block: written.block, subjectRef: ref, entryId: entryIdFor(ref, Number(seq)), seq: Number(seq), detail: 'the entry written in this block is gone' };
}

/**
 * Documents: every one a block wrote, as stored now, opened with the ledger's document key and
 * checked against the digest of the plaintext its block wrote. One that does not open — a wrong
 * key, or altered ciphertext — is named by its entry.
 */
async function auditDocuments(store: LedgerStore, documentsWritten: Map<string, Written>, problems: AuditProblem[]): Promise<void> {
  const documents = store.privateData.raw.iterator();
  try {
    for (let rows = await documents.nextv(BATCH); rows.length > 0; rows = await documents.nextv(BATCH)) {
      for (const [key, sealed] of rows) {
        const problem = documentProblem(store, key, sealed, documentsWritten.get(key));
        if (problem) problems.push(problem);
        documentsWritten.delete(key);
      }
    }
  } finally {
    await documents.close();
  }
  for (const [key, written] of documentsWritten) {
    problems.push({ kind: 'DOCUMENT_ALTERED', block: written.block, entryId: documentEntryId(key), detail: 'the document written in this block is gone' });
  }
}

/** What is wrong with one stored document, if anything. */
function documentProblem(store: LedgerStore, key: string, sealed: Uint8Array, written: Written | undefined): AuditProblem | undefined {
  const collection = key.split('\u0000')[0] ?? '';
  let document: string;
  try {
    document = store.privateData.open(key, sealed);
  } catch (error) {
    if (!(error instanceof SealedValueError)) throw error;
    const detail = error.reason === 'UNKNOWN_FORMAT'
      ? `the document in ${collection} is not in a sealed format this audit reads`
      : `the document in ${collection} does not open with this document key: a wrong key, or altered bytes`;
    return { kind: 'DOCUMENT_UNREADABLE', ...(written ? { block: written.block } : {}), entryId: documentEntryId(key), detail };
  }
  if (written && sha256(document) !== written.digest) {
    return { kind: 'DOCUMENT_ALTERED', block: written.block, entryId: documentEntryId(key), detail: `document in ${collection} does not match its hash` };
  }
  return undefined;
}

/** A document's key is its collection and its entry's id. */
const documentEntryId = (key: string): string => key.split('\u0000')[1] ?? key;
