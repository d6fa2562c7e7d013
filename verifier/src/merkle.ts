import { createHash } from 'node:crypto';

/**
 * RFC 9162 (Certificate Transparency 2.0) Merkle tree hashing and proof verification, SHA-256:
 * leaf = H(0x00 ‖ data), node = H(0x01 ‖ left ‖ right); a tree of n leaves splits at the largest
 * power of two smaller than n.
 */
export type Hash = Uint8Array;

const LEAF_PREFIX = Uint8Array.of(0);
const NODE_PREFIX = Uint8Array.of(1);

export function leafHash(data: Uint8Array): Hash {
  return createHash('sha256').update(LEAF_PREFIX).update(data).digest();
}

export function nodeHash(left: Hash, right: Hash): Hash {
  return createHash('sha256').update(NODE_PREFIX).update(left).update(right).digest();
}

export const EMPTY_ROOT: Hash = createHash('sha256').digest();

export function toHex(hash: Hash): string {
  return Buffer.from(hash).toString('hex');
}

export function fromHex(hex: string): Hash {
  if (!/^([0-9a-f]{2})*$/i.test(hex)) throw new TypeError('not hex');
  return Buffer.from(hex, 'hex');
}

export function equalHashes(a: Hash, b: Hash): boolean {
  return a.length === b.length && Buffer.compare(a, b) === 0;
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
 * The root an inclusion proof leads to (RFC 9162 §2.1.3.2), or undefined when the proof cannot
 * belong to a tree of that size (wrong length, index out of range).
 */
export function rootFromInclusionProof(leafIndex: number, treeSize: number, leaf: Hash, proof: readonly Hash[]): Hash | undefined {
  if (!Number.isSafeInteger(leafIndex) || !Number.isSafeInteger(treeSize) || leafIndex < 0 || leafIndex >= treeSize) return undefined;
  let fn = leafIndex;
  let sn = treeSize - 1;
  let r = leaf;
  for (const p of proof) {
    if (sn === 0) return undefined;
    if (fn % 2 === 1 || fn === sn) {
      r = nodeHash(p, r);
      if (fn % 2 === 0) {
        while (fn % 2 === 0 && fn !== 0) {
          fn = Math.floor(fn / 2);
          sn = Math.floor(sn / 2);
        }
      }
    } else {
      r = nodeHash(r, p);
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  return sn === 0 ? r : undefined;
}

const HASH_BYTES = 32;
const wellFormed = (...hashes: readonly Hash[]): boolean => hashes.every((h) => h.length === HASH_BYTES);

export function verifyInclusion(leafIndex: number, treeSize: number, leaf: Hash, proof: readonly Hash[], root: Hash): boolean {
  if (!wellFormed(leaf, root, ...proof)) return false;
  const computed = rootFromInclusionProof(leafIndex, treeSize, leaf, proof);
  return computed !== undefined && equalHashes(computed, root);
}

/**
 * RFC 9162 §2.1.4.2: does the proof show that the tree of size2 extends the tree of size1?
 * As in transparency-dev/merkle, a proof from the empty tree proves nothing and is refused.
 */
export function verifyConsistency(size1: number, size2: number, proof: readonly Hash[], root1: Hash, root2: Hash): boolean {
  if (!Number.isSafeInteger(size1) || !Number.isSafeInteger(size2) || size1 <= 0 || size2 < size1) return false;
  if (size1 === size2) return proof.length === 0 && equalHashes(root1, root2);
  if (!wellFormed(root1, root2, ...proof)) return false;
  if (proof.length === 0) return false;
  let path = [...proof];
  // If size1 is a power of two, the first tree is a complete subtree of the second: its root starts the path.
  if (Number.isInteger(Math.log2(size1))) path = [root1, ...path];
  let fn = size1 - 1;
  let sn = size2 - 1;
  while (fn % 2 === 1) {
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  let fr = path[0] as Hash;
  let sr = path[0] as Hash;
  for (const c of path.slice(1)) {
    if (sn === 0) return false;
    if (fn % 2 === 1 || fn === sn) {
      fr = nodeHash(c, fr);
      sr = nodeHash(c, sr);
      if (fn % 2 === 0) {
        while (fn % 2 === 0 && fn !== 0) {
          fn = Math.floor(fn / 2);
          sn = Math.floor(sn / 2);
        }
      }
    } else {
      sr = nodeHash(sr, c);
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  return sn === 0 && equalHashes(fr, root1) && equalHashes(sr, root2);
}
