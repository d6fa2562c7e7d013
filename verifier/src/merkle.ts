import { equalBytes, sha256 } from './bytes.js';

/**
 * RFC 9162 (Certificate Transparency 2.0) Merkle tree hashing and proof verification, SHA-256:
 * leaf = H(0x00 ‖ data), node = H(0x01 ‖ left ‖ right); a tree of n leaves splits at the largest
 * power of two smaller than n.
 */
export type Hash = Uint8Array;

const LEAF_PREFIX = Uint8Array.of(0);
const NODE_PREFIX = Uint8Array.of(1);

export function leafHash(data: Uint8Array): Hash {
  return sha256(LEAF_PREFIX, data);
}

export function nodeHash(left: Hash, right: Hash): Hash {
  return sha256(NODE_PREFIX, left, right);
}

export const EMPTY_ROOT: Hash = sha256(new Uint8Array(0));

export function equalHashes(a: Hash, b: Hash): boolean {
  return equalBytes(a, b);
}

/** The largest power of two smaller than n (n > 1). */
export function splitPoint(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

/** MTH(D[n]) of RFC 9162 §2.1.1 over leaf hashes, computed from scratch (for small trees and tests). */
export function rootOfLeafHashes(leaves: readonly Hash[]): Hash {
  if (leaves.length === 0) return EMPTY_ROOT;
  if (leaves.length === 1) return leaves[0] as Hash;
  const k = splitPoint(leaves.length);
  return nodeHash(rootOfLeafHashes(leaves.slice(0, k)), rootOfLeafHashes(leaves.slice(k)));
}

/**
 * Where a proof's walk up the tree stands, as RFC 9162 §2.1.3.2 names it: fn is the node's index
 * on its level, sn the index of the last node on that level.
 */
interface Walk {
  readonly fn: number;
  readonly sn: number;
}

/** One level up: both indices halve. */
const up = ({ fn, sn }: Walk): Walk => ({ fn: Math.floor(fn / 2), sn: Math.floor(sn / 2) });

/** A proof hash goes on the left when the node is a right child, or the last node of its level. */
const hashGoesLeft = ({ fn, sn }: Walk): boolean => fn % 2 === 1 || fn === sn;

/**
 * After a left-hand hash at the last node of a level, the walk climbs past the levels where the
 * node has no sibling (until fn is a right child or the root's column).
 */
function climbPastLoneNodes(walk: Walk): Walk {
  let at = walk;
  while (at.fn % 2 === 0 && at.fn !== 0) at = up(at);
  return at;
}

const isLeafOf = (leafIndex: number, treeSize: number): boolean =>
  Number.isSafeInteger(leafIndex) && Number.isSafeInteger(treeSize) && leafIndex >= 0 && leafIndex < treeSize;

/**
 * The root an inclusion proof leads to (RFC 9162 §2.1.3.2), or undefined when the proof cannot
 * belong to a tree of that size (wrong length, index out of range).
 */
export function rootFromInclusionProof(leafIndex: number, treeSize: number, leaf: Hash, proof: readonly Hash[]): Hash | undefined {
  if (!isLeafOf(leafIndex, treeSize)) return undefined;
  let walk: Walk = { fn: leafIndex, sn: treeSize - 1 };
  let r = leaf;
  for (const p of proof) {
    if (walk.sn === 0) return undefined;
    if (hashGoesLeft(walk)) {
      r = nodeHash(p, r);
      walk = climbPastLoneNodes(walk);
    } else {
      r = nodeHash(r, p);
    }
    walk = up(walk);
  }
  return walk.sn === 0 ? r : undefined;
}

const HASH_BYTES = 32;
const wellFormed = (...hashes: readonly Hash[]): boolean => hashes.every((h) => h.length === HASH_BYTES);

export function verifyInclusion(leafIndex: number, treeSize: number, leaf: Hash, proof: readonly Hash[], root: Hash): boolean {
  if (!wellFormed(leaf, root, ...proof)) return false;
  const computed = rootFromInclusionProof(leafIndex, treeSize, leaf, proof);
  return computed !== undefined && equalHashes(computed, root);
}

const isConsistencyRange = (size1: number, size2: number): boolean =>
  Number.isSafeInteger(size1) && Number.isSafeInteger(size2) && size1 > 0 && size2 >= size1;

/**
 * RFC 9162 §2.1.4.2: does the proof show that the tree of size2 extends the tree of size1?
 * As in transparency-dev/merkle, a proof from the empty tree proves nothing and is refused.
 */
export function verifyConsistency(size1: number, size2: number, proof: readonly Hash[], root1: Hash, root2: Hash): boolean {
  if (!isConsistencyRange(size1, size2)) return false;
  if (size1 === size2) return proof.length === 0 && equalHashes(root1, root2);
  if (!wellFormed(root1, root2, ...proof)) return false;
  const [head, ...tail] = proof;
  if (head === undefined) return false;
  // If size1 is a power of two, the first tree is a complete subtree of the second: its root starts the path.
  const roots = Number.isInteger(Math.log2(size1))
    ? rootsFromConsistencyPath(size1, size2, root1, proof)
    : rootsFromConsistencyPath(size1, size2, head, tail);
  return roots !== undefined && equalHashes(roots.first, root1) && equalHashes(roots.second, root2);
}

/**
 * The roots of both trees that a consistency path (its first node, then the rest) leads to, or
 * undefined when the path is too long or too short for the sizes.
 */
function rootsFromConsistencyPath(size1: number, size2: number, start: Hash, rest: readonly Hash[]): { first: Hash; second: Hash } | undefined {
  let walk: Walk = { fn: size1 - 1, sn: size2 - 1 };
  while (walk.fn % 2 === 1) walk = up(walk);
  let fr = start;
  let sr = start;
  for (const c of rest) {
    if (walk.sn === 0) return undefined;
    if (hashGoesLeft(walk)) {
      fr = nodeHash(c, fr);
      sr = nodeHash(c, sr);
      walk = climbPastLoneNodes(walk);
    } else {
      sr = nodeHash(sr, c);
    }
    walk = up(walk);
  }
  return walk.sn === 0 ? { first: fr, second: sr } : undefined;
}
