import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { expect } from 'chai';
import fc from 'fast-check';
import { fromHex, leafHash, nodeHash, rootOfLeafHashes, toHex, verifyConsistency, verifyInclusion, type Hash } from 'correction-verifier';
import { consistencyPlan, foldPlan, inclusionPlan, rootPlan, type NodeId, type NodePlan } from '../../gateway/src/log/proof-nodes.js';

interface Vectors {
  leafInputs: string[];
  rootHashes: string[];
  inclusion: Array<{ file: string; leafIdx: number; treeSize: number; proof: string[]; wantErr: boolean }>;
  consistency: Array<{ file: string; size1: number; size2: number; proof: string[]; wantErr: boolean }>;
}

/** RFC 6962/9162 test vectors of transparency-dev/merkle (source and commit inside the file). */
const VECTORS = JSON.parse(readFileSync('test/vectors/rfc9162-transparency-dev.json', 'utf8')) as Vectors;

/**
 * transparency-dev/merkle's proof.Inclusion and proof.Consistency (proof/proof.go, compact/range.go),
 * transcribed with BigInt bit operations: node ids from sizes, with the run [begin, end) that
 * rehashes into the one ephemeral node. An independent derivation of the same answer.
 */
interface Id { readonly level: bigint; readonly index: bigint }
interface Nodes { readonly ids: Id[]; readonly begin: number; readonly end: number }

const bitLength = (x: bigint): bigint => BigInt(x.toString(2).length - (x === 0n ? 1 : 0));
const trailingZeros = (x: bigint): bigint => {
  let n = 0n;
  while (((x >> n) & 1n) === 0n) n++;
  return n;
};

function decompose(begin: bigint, end: bigint): [bigint, bigint] {
  if (begin === 0n) return [0n, end];
  const xbegin = begin - 1n;
  const mask = (1n << (bitLength(xbegin ^ end) - 1n)) - 1n;
  return [~xbegin & mask, end & mask];
}

function rangeNodes(begin: bigint, end: bigint): Id[] {
  let [left, right] = decompose(begin, end);
  const ids: Id[] = [];
  let pos = begin;
  while (left !== 0n) {
    const level = trailingZeros(left);
    ids.push({ level, index: pos >> level });
    pos += 1n << level;
    left ^= 1n << level;
  }
  while (right !== 0n) {
    const level = bitLength(right) - 1n;
    ids.push({ level, index: pos >> level });
    pos += 1n << level;
    right ^= 1n << level;
  }
  return ids;
}

function nodes(index: bigint, level: bigint, size: bigint): Nodes {
  const inner = bitLength(index ^ (size >> level)) - 1n;
  const fork = { level: level + inner, index: index >> inner };
  const begin = fork.index << fork.level;
  const end = (fork.index + 1n) << fork.level;
  const ids: Id[] = [{ level, index }];
  for (let node = { level, index }; node.level < fork.level; node = { level: node.level + 1n, index: node.index >> 1n }) {
    ids.push({ level: node.level, index: node.index ^ 1n });
  }
  const len1 = ids.length;
  ids.push(...rangeNodes(end, size).reverse());
  const len2 = ids.length;
  ids.push(...rangeNodes(0n, begin).reverse());
  return { ids, begin: len1, end: len2 };
}

const skipFirst = (n: Nodes): Nodes => ({ ids: n.ids.slice(1), begin: Math.max(0, n.begin - 1), end: Math.max(0, n.end - 1) });

const referenceInclusion = (index: bigint, size: bigint): Nodes => skipFirst(nodes(index, 0n, size));

function referenceConsistency(size1: bigint, size2: bigint): Nodes {
  if (size1 === 0n || size1 === size2) return { ids: [], begin: 0, end: 0 };
  const level = trailingZeros(size1);
  const index = (size1 - 1n) >> level;
  const found = nodes(index, level, size2);
  return index === 0n ? skipFirst(found) : found;
}

/** Each proof hash as the nodes it folds, left to right: the run rehashes into one. */
function referenceGroups(n: Nodes): string[][] {
  const out: string[][] = [];
  n.ids.forEach((id, i) => {
    const name = `${String(id.level)}/${String(id.index)}`;
    if (i > n.begin && i < n.end) (out.at(-1) as string[]).unshift(name);
    else out.push([name]);
  });
  return out;
}

/** A plan's hashes as the nodes each folds, left to right. */
function groups(plan: NodePlan): string[][] {
  const out: string[][] = [];
  let at = 0;
  for (const run of plan.runs) {
    out.push(plan.nodes.slice(at, at + run).map((id) => `${String(id.level)}/${String(id.index)}`));
    at += run;
  }
  return out;
}

/** Every complete subtree of a small tree, in memory: what the tree store keeps in LevelDB. */
function subtreesOf(leaves: readonly Hash[]): (id: NodeId) => Hash {
  const levels: Hash[][] = [[...leaves]];
  for (let level = 0; (levels[level]?.length ?? 0) > 1; level++) {
    const below = levels[level] as Hash[];
    const above: Hash[] = [];
    for (let i = 0; i + 1 < below.length; i += 2) above.push(nodeHash(below[i] as Hash, below[i + 1] as Hash));
    levels.push(above);
  }
  return ({ level, index }) => {
    const hash = levels[level]?.[index];
    if (!hash) throw new Error(`no subtree ${level}/${index}`);
    return hash;
  };
}

const answer = (plan: NodePlan, read: (id: NodeId) => Hash): Hash[] => foldPlan(plan, plan.nodes.map(read));

/** Sizes up to 2^52 leaves, with the edges around powers of two drawn often. */
const size = fc.oneof(
  fc.bigInt({ min: 1n, max: 2n ** 52n }),
  fc.tuple(fc.integer({ min: 0, max: 52 }), fc.integer({ min: -2, max: 2 })).map(([k, d]) => { const n = 2n ** BigInt(k) + BigInt(d); return n < 1n ? 1n : n; }),
);
const sizePair = fc.tuple(size, size).map(([a, b]): [bigint, bigint] => (a <= b ? [a, b] : [b, a]));

describe('proof node selection (pure: sizes in, node ids out)', () => {
  it('names the nodes transparency-dev/merkle proof.Inclusion names, in trees up to 2^52 leaves', () => {
    fc.assert(
      fc.property(sizePair, ([a, n]) => {
        const index = a - 1n;
        expect(groups(inclusionPlan(Number(index), Number(n)))).to.deep.equal(referenceGroups(referenceInclusion(index, n)));
      }),
      { numRuns: 3_000 },
    );
  });

  it('names the nodes transparency-dev/merkle proof.Consistency names, in trees up to 2^52 leaves', () => {
    fc.assert(
      fc.property(sizePair, ([size1, size2]) => {
        expect(groups(consistencyPlan(Number(size1), Number(size2)))).to.deep.equal(referenceGroups(referenceConsistency(size1, size2)));
      }),
      { numRuns: 3_000 },
    );
  });

  it('names only complete subtrees inside the tree, at most two per level', () => {
    fc.assert(
      fc.property(sizePair, ([a, b]) => {
        const [n, m] = [Number(b), Number(a)];
        for (const plan of [rootPlan(n), inclusionPlan(m - 1, n), consistencyPlan(m, n)]) {
          expect(plan.runs.reduce((x, y) => x + y, 0)).to.equal(plan.nodes.length);
          expect(plan.nodes.length).to.be.at.most(2 * (Math.ceil(Math.log2(n)) + 1));
          for (const { level, index } of plan.nodes) {
            expect(Number.isSafeInteger(index) && index >= 0 && (index + 1) * 2 ** level <= n, `${level}/${index} in ${n}`).to.equal(true);
          }
        }
      }),
      { numRuns: 2_000 },
    );
  });

  it('answers every RFC 9162 vector — roots, inclusion and consistency proofs — from the subtrees alone', () => {
    const read = subtreesOf(VECTORS.leafInputs.map((hex) => leafHash(fromHex(hex))));
    VECTORS.rootHashes.forEach((root, n) => {
      expect(n === 0 ? root : toHex(answer(rootPlan(n), read)[0] as Hash), `root of ${n}`).to.equal(root);
    });
    const inclusion = VECTORS.inclusion.filter((v) => !v.wantErr && v.treeSize > 0);
    const consistency = VECTORS.consistency.filter((v) => !v.wantErr && v.size1 > 0);
    expect(inclusion.length + consistency.length).to.be.at.least(12);
    for (const p of inclusion) expect(answer(inclusionPlan(p.leafIdx, p.treeSize), read).map(toHex), p.file).to.deep.equal(p.proof);
    for (const p of consistency) expect(answer(consistencyPlan(p.size1, p.size2), read).map(toHex), p.file).to.deep.equal(p.proof);
  });

  it('folds into roots and proofs the verifier accepts, for random trees', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 300 }), fc.nat(), fc.nat(), (n, i, j) => {
        const leaves = Array.from({ length: n }, (_, k) => leafHash(createHash('sha256').update(`leaf ${k}`).digest()));
        const read = subtreesOf(leaves);
        const index = i % n;
        const size1 = 1 + (j % n);
        const root = answer(rootPlan(n), read)[0] as Hash;
        expect(toHex(root)).to.equal(toHex(rootOfLeafHashes(leaves)));
        expect(verifyInclusion(index, n, leaves[index] as Hash, answer(inclusionPlan(index, n), read), root)).to.equal(true);
        const root1 = answer(rootPlan(size1), read)[0] as Hash;
        expect(verifyConsistency(size1, n, answer(consistencyPlan(size1, n), read), root1, root)).to.equal(true);
      }),
      { numRuns: 300 },
    );
  });

  it('refuses a leaf outside the tree, a shrinking consistency and sizes that are no tree', () => {
    expect(() => inclusionPlan(5, 5)).to.throw(RangeError);
    expect(() => inclusionPlan(-1, 5)).to.throw(RangeError);
    expect(() => inclusionPlan(0.5, 5)).to.throw(RangeError);
    expect(() => consistencyPlan(6, 5)).to.throw(RangeError);
    expect(() => rootPlan(-1)).to.throw(RangeError);
    expect(() => rootPlan(2 ** 53)).to.throw(RangeError);
    expect(() => foldPlan(rootPlan(3), [])).to.throw(RangeError);
  });
});
