import {
  auditChain,
  sha256Hex,
  type Entry,
  type SubjectStatus,
} from 'correction-chaincode/domain';
import type { AuditProblem, AuditReport } from '../../services/correction-service.js';
import { blockHash, dataHashOf, ZERO_HASH, type Block } from './block.js';
import type { EmbeddedLedger } from './embedded-ledger.js';
import { privateKey } from './stub.js';

export type AuditPhase = 'blocks' | 'subjects';
export type AuditProgress = (phase: AuditPhase, done: number, total: number) => void;

const ENTRY_PREFIX = '\u0000entry\u0000';
const SUBJECT_PREFIX = '\u0000subject\u0000';
const END = '\u{10FFFF}';

/**
 * Audits an embedded ledger from its LevelDB files, trusting nothing in them:
 * 1. blocks: each block's data hash, each header's link to the next, the tip; every entry and
 *    document the blocks wrote against what the state now holds;
 * 2. subjects: every chain recomputed from the canonical JSON of its entries, every link, and
 *    every stored status against the status its chain derives.
 * Each problem names the block, subject or entry where it was found.
 */
export async function auditEmbeddedLedger(ledger: EmbeddedLedger, onProgress?: AuditProgress): Promise<AuditReport> {
  const { store } = ledger;
  const problems: AuditProblem[] = [];
  const height = await ledger.height();
  const tip = JSON.parse((await store.meta.get('tip')) ?? 'null') as { height: number; hash: string } | null;

  let expected = 0;
  let previous: Block | undefined;
  let entries = 0;
  for await (const raw of store.blocks.values()) {
    const block = JSON.parse(raw) as Block;
    const n = block.header.number;
    if (n !== expected) {
      problems.push({ kind: 'BLOCK_MISSING', block: expected, detail: `expected block ${expected}, found ${n}` });
    }
    expected = n + 1;
    if (dataHashOf(block.transactions) !== block.header.dataHash) {
      problems.push({ kind: 'BLOCK_DATA_ALTERED', block: n, detail: 'transactions do not match the header data hash' });
    }
    const linkTo = previous ? blockHash(previous.header) : ZERO_HASH;
    if (block.header.previousHash !== linkTo) {
      const altered = previous ? previous.header.number : n;
      problems.push({ kind: 'BLOCK_HEADER_ALTERED', block: altered, detail: `block ${n} does not link to the hash of block ${altered}` });
    }
    for (const tx of block.transactions) {
      for (const [key, value] of tx.writes) {
        if (!key.startsWith(ENTRY_PREFIX) || value === null) continue;
        entries++;
        const now = store.state.getSync(key);
        if (now !== value) {
          const entry = JSON.parse(value) as Entry;
          problems.push({
            kind: now === undefined ? 'ENTRY_MISSING' : 'ENTRY_DIFFERS_FROM_BLOCK',
            block: n,
            subjectRef: entry.subjectRef,
            entryId: entry.id,
            seq: entry.seq,
            detail: now === undefined ? 'the entry written in this block is gone' : 'the entry differs from what this block wrote',
          });
        }
      }
      for (const [collection, key, hash] of tx.privateWrites) {
        const document = store.privateData.getSync(privateKey(collection, key));
        if (document === undefined || sha256Hex(document) !== hash) {
          problems.push({ kind: 'DOCUMENT_ALTERED', block: n, entryId: key, detail: `document in ${collection} does not match its hash` });
        }
      }
    }
    previous = block;
    onProgress?.('blocks', n + 1, height);
  }
  if (previous && tip && blockHash(previous.header) !== tip.hash) {
    problems.push({ kind: 'BLOCK_HEADER_ALTERED', block: previous.header.number, detail: 'the last block does not match the recorded tip' });
  }
  if (tip && expected !== tip.height) {
    problems.push({ kind: 'BLOCK_MISSING', block: expected, detail: `the tip says height ${tip.height}, blocks end at ${expected}` });
  }

  let subjects = 0;
  let checked = 0;
  const statuses = store.state.iterator({ gte: SUBJECT_PREFIX, lt: SUBJECT_PREFIX + END });
  const chain = store.state.iterator({ gte: ENTRY_PREFIX, lt: ENTRY_PREFIX + END });
  // Entries are grouped by the subject in their key, not by what their (possibly altered) JSON says.
  let pending: { ref: string; entry: Entry } | undefined;
  try {
    for await (const [key, value] of statuses) {
      const subjectRef = key.slice(SUBJECT_PREFIX.length, -1);
      const status = JSON.parse(value) as SubjectStatus;
      const subjectEntries: Entry[] = [];
      while (true) {
        if (!pending) {
          const next = await chain.next();
          if (!next) break;
          pending = { ref: next[0].slice(ENTRY_PREFIX.length).split('\u0000')[0] ?? '', entry: JSON.parse(next[1]) as Entry };
        }
        if (pending.ref < subjectRef) {
          problems.push({ kind: 'ORPHAN_ENTRY', subjectRef: pending.ref, entryId: pending.entry.id, detail: 'entry of a subject with no status' });
          pending = undefined;
          continue;
        }
        if (pending.ref !== subjectRef) break;
        subjectEntries.push(pending.entry);
        pending = undefined;
      }
      problems.push(...auditChain(subjectRef, subjectEntries, status));
      subjects++;
      checked += subjectEntries.length;
      onProgress?.('subjects', checked, entries);
    }
  } finally {
    await statuses.close();
    await chain.close();
  }
  return { ok: problems.length === 0, scope: 'ledger', blocks: height, subjects, entries, problems };
}
