import { createHash } from 'node:crypto';
import type { common } from '@hyperledger/fabric-protos';
import { auditLink, ENTRY_EVENT, type ChainTip, type Entry } from 'correction-chaincode/domain';
import { stateKeyOf, type AuditCheckpoint, type AuditStore, type Written } from './audit-store.js';
import { addProblem, type Findings } from './findings.js';
import { compareLeaf, type AuditedLog } from './log-check.js';
import { chaincodeTransactions, type ChaincodeTransaction } from './transactions.js';

/** The digest recorded for a key a transaction deleted. */
export const DELETED = 'deleted';
const decoder = new TextDecoder();
const sha256 = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');

/** What one step of the block pass read, committed in one batch: chain tips and written digests. */
export class BlockStep {
  readonly tips = new Map<string, ChainTip>();
  readonly written = new Map<string, Written>();
  blocks = 0;
  entries = 0;
}

export interface EntryCheckContext {
  readonly chaincode: string;
  readonly store: AuditStore;
  readonly checkpoint: AuditCheckpoint;
  readonly findings: Findings;
  readonly log: AuditedLog | undefined;
}

/**
 * The chaincode's valid transactions in a block: each entry written is checked as the next link of
 * its subject's chain (hash recomputed, prevHash, position), its event against what it wrote, its
 * place in the gateway's Merkle log; every entry and status written is kept by digest for the
 * state pass.
 */
export function checkTransactions(block: common.Block, number: number, step: BlockStep, context: EntryCheckContext): void {
  for (const tx of chaincodeTransactions(block, context.chaincode)) {
    context.checkpoint.transactions++;
    for (const write of tx.writes) {
      if (write.objectType !== 'entry' && write.objectType !== 'subject') continue;
      const digest = write.value ? sha256(write.value) : DELETED;
      step.written.set(stateKeyOf(write.objectType, write.attributes), { block: number, digest, txId: tx.txId });
      if (write.objectType === 'entry' && write.value) checkEntry(write.attributes[0] ?? '', write.value, number, tx, step, context);
    }
  }
}

function checkEntry(subjectRef: string, value: Uint8Array, block: number, tx: ChaincodeTransaction, step: BlockStep, context: EntryCheckContext): void {
  const { checkpoint, findings } = context;
  let entry: Entry;
  try {
    entry = JSON.parse(decoder.decode(value)) as Entry;
  } catch {
    addProblem(findings, 'subject chains', { kind: 'ENTRY_UNREADABLE', block, txId: tx.txId, subjectRef, detail: 'the entry this transaction wrote is not JSON' });
    return;
  }
  extendChain(subjectRef, entry, { block, txId: tx.txId }, step, context);
  const at = { block, txId: tx.txId, entryId: entry.id };
  if (tx.event?.name !== ENTRY_EVENT || !Buffer.from(tx.event.payload).equals(value)) {
    addProblem(findings, 'subject chains', { kind: 'EVENT_DIFFERS_FROM_ENTRY', ...at, subjectRef, detail: `the transaction's ${ENTRY_EVENT} event is not the entry it wrote` });
  }
  // The log appends what the event says: a leaf for every entry event, whatever it holds.
  if (tx.event?.name === ENTRY_EVENT) compareLeaf(context.log, checkpoint.log, eventHash(tx.event.payload) ?? entry.hash, at, findings);
}

/** Checks the entry as the next link of its subject's chain, and makes it the chain's tip. */
function extendChain(subjectRef: string, entry: Entry, at: { block: number; txId: string }, step: BlockStep, context: EntryCheckContext): void {
  const { checkpoint, findings } = context;
  const previous = step.tips.get(subjectRef) ?? context.store.tip(subjectRef);
  for (const problem of auditLink(subjectRef, entry, previous)) addProblem(findings, 'subject chains', { ...problem, ...at });
  if (!previous) checkpoint.subjects++;
  step.tips.set(subjectRef, { seq: (previous?.seq ?? 0) + 1, hash: entry.hash });
  checkpoint.entries++;
  step.entries++;
}

function eventHash(payload: Uint8Array): string | undefined {
  try {
    return (JSON.parse(decoder.decode(payload)) as Partial<Entry>).hash;
  } catch {
    return undefined;
  }
}
