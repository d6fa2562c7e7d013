import { nodeHash, splitPoint, type Hash } from 'correction-verifier';

/**
 * Which stored nodes a root or an RFC 9162 proof needs, computed from sizes alone, as
 * transparency-dev/merkle's proof.Inclusion and proof.Consistency return node ids: the store then
 * reads them in one go, and no storage read happens inside the recursion.
 */

/** A complete subtree: leaves [index·2^level, (index+1)·2^level). The log stores every one. */
export interface NodeId {
  readonly level: number;
  readonly index: number;
}

/**
 * The nodes an answer needs, left to right, and how they make its hashes: hash i folds the next
 * `runs[i]` nodes from the right (nodes a, b, c give H(a, H(b, c))), as RFC 9162's MTH splits a range.
 */
export interface NodePlan {
  readonly nodes: readonly NodeId[];
  readonly runs: readonly number[];
}

/** A leaf range [start, end) of a proof or root. */
interface Range {
  readonly start: number;
  readonly end: number;
}

/**
 * The complete subtrees whose right fold is MTH(leaves[start, end)): the binary decomposition of
 * the width, largest first. Every range a proof asks for starts at a multiple of its largest part.
 */
export function rangeNodes({ start, end }: Range): NodeId[] {
  const nodes: NodeId[] = [];
  for (let at = start; at < end; ) {
    const width = isPowerOfTwo(end - at) ? end - at : splitPoint(end - at);
    if (at % width !== 0) throw new RangeError(`leaves [${at}, ${at + width}) are not a stored subtree`);
    nodes.push({ level: Math.round(Math.log2(width)), index: at / width });
    at += width;
  }
  return nodes;
}

/** Exact up to 2^53: Math.log2 alone rounds 2^52 + 1 to 52. */
const isPowerOfTwo = (n: number): boolean => n >= 1 && 2 ** Math.round(Math.log2(n)) === n;

function planOf(ranges: readonly Range[]): NodePlan {
  const parts = ranges.map(rangeNodes);
  return { nodes: parts.flat(), runs: parts.map((p) => p.length) };
}

/** The nodes of the root of a tree of `size` leaves (none for the empty tree). */
export function rootPlan(size: number): NodePlan {
  checkSize(size);
  return planOf(size === 0 ? [] : [{ start: 0, end: size }]);
}

/** The nodes of the audit path of leaf `index` in a tree of `size` leaves, from the leaf up. */
export function inclusionPlan(index: number, size: number): NodePlan {
  checkSize(size);
  if (!Number.isSafeInteger(index) || index < 0 || index >= size) throw new RangeError(`leaf ${index} is not in a tree of ${size}`);
  const siblings: Range[] = [];
  let start = 0;
  let n = size;
  let m = index;
  while (n > 1) {
    const k = splitPoint(n);
    if (m < k) {
      siblings.push({ start: start + k, end: start + n });
      n = k;
    } else {
      siblings.push({ start, end: start + k });
      start += k;
      m -= k;
      n -= k;
    }
  }
  // Found top-down; the path runs from the leaf up.
  return planOf(siblings.reverse());
}

/** The nodes of the consistency proof that the tree of size2 extends the tree of size1. */
export function consistencyPlan(size1: number, size2: number): NodePlan {
  checkSize(size2);
  if (!Number.isSafeInteger(size1) || size1 < 0 || size1 > size2) throw new RangeError(`no consistency from ${size1} to ${size2}`);
  if (size1 === 0 || size1 === size2) return { nodes: [], runs: [] };
  const tail: Range[] = [];
  let start = 0;
  let n = size2;
  let m = size1;
  let complete = true;
  while (m !== n) {
    const k = splitPoint(n);
    if (m <= k) {
      tail.push({ start: start + k, end: start + n });
      n = k;
    } else {
      tail.push({ start, end: start + k });
      start += k;
      m -= k;
      n -= k;
      complete = false;
    }
  }
  // The old tree's last subtree leads unless the old tree is itself a subtree of the new one.
  return planOf([...(complete ? [] : [{ start, end: start + n }]), ...tail.reverse()]);
}

/** The answer's hashes from the plan's nodes, read in the plan's order. */
export function foldPlan(plan: NodePlan, hashes: readonly Hash[]): Hash[] {
  if (hashes.length !== plan.nodes.length) throw new RangeError(`the plan needs ${plan.nodes.length} nodes, not ${hashes.length}`);
  const answer: Hash[] = [];
  let at = 0;
  for (const run of plan.runs) {
    let hash = hashes[at + run - 1] as Hash;
    for (let i = at + run - 2; i >= at; i--) hash = nodeHash(hashes[i] as Hash, hash);
    answer.push(hash);
    at += run;
  }
  return answer;
}

function checkSize(size: number): void {
  if (!Number.isSafeInteger(size) || size < 0) throw new RangeError(`no tree of ${size} leaves`);
}
