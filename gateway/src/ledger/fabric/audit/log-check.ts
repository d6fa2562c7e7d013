import { fromHex, leafHash, nodeHash, toHex, type Hash } from 'correction-verifier';
import type { AuditCheckpoint } from './audit-store.js';
import { addProblem, type Findings } from './findings.js';

/** The gateway's Merkle log as the audit reads it: its leaves' entry hashes and its roots. */
export interface AuditedLog {
  readonly size: number;
  leafHashes(start: number, end: number): ReadonlyArray<{ readonly index: number; readonly entryHash: string }>;
  rootAt(size: number): Hash;
}

type LogState = AuditCheckpoint['log'];

/**
 * Compares the log's leaves with the entries the blocks recorded, in block order, leaf by leaf,
 * and keeps the right edge of the tree those entries make so that the log's root can be
 * recomputed at the end. A log that ends before the blocks (its gateway behind, or stopped) is
 * compared as far as it goes.
 */
export function compareLeaf(log: AuditedLog | undefined, state: LogState, entryHash: string, at: { block: number; txId: string; entryId: string }, findings: Findings): void {
  const index = state.leaves++;
  if (!log || state.ended) return;
  if (index >= log.size) {
    state.ended = true;
    return;
  }
  const held = log.leafHashes(index, index + 1)[0];
  if (held?.entryHash !== entryHash) {
    addProblem(findings, 'Merkle log', { kind: 'LOG_LEAF_DIFFERS', ...at, detail: `log leaf ${index} is not the entry this transaction recorded` });
  }
  pushLeaf(state, leafHash(fromHex(entryHash)));
  state.compared++;
}

/** Adds a leaf to the right edge, merging complete subtrees of equal height. */
function pushLeaf(state: LogState, leaf: Hash): void {
  let node = { level: 0, hash: leaf };
  for (let left = state.edge.at(-1); left?.level === node.level; left = state.edge.at(-1)) {
    state.edge.pop();
    node = { level: node.level + 1, hash: nodeHash(fromHex(left.hash), node.hash) };
  }
  state.edge.push({ level: node.level, hash: toHex(node.hash) });
}

/** The root of the compared leaves, folded from the right edge, checked against the log's own root at that size. */
export function compareRoot(log: AuditedLog | undefined, state: LogState, findings: Findings): void {
  if (!log || state.compared === 0) return;
  let root: Hash | undefined;
  for (let i = state.edge.length - 1; i >= 0; i--) {
    const node = fromHex(state.edge[i]?.hash ?? '');
    root = root ? nodeHash(node, root) : node;
  }
  if (root && toHex(root) !== toHex(log.rootAt(state.compared))) {
    addProblem(findings, 'Merkle log', { kind: 'LOG_ROOT_DIFFERS', detail: `the log's root at size ${state.compared} is not the root of the entries the blocks recorded` });
  }
}
