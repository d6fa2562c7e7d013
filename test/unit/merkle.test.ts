import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { expect } from 'chai';
import { MerkleTree } from 'merkletreejs';
import { fromHex, leafHash, rootOfLeafHashes, toHex, verifyConsistency, verifyInclusion } from 'correction-verifier';
import { LogProjections } from '../../gateway/src/log/projections/log-projections.js';
import type { TreeStore } from '../../gateway/src/log/projections/tree-store.js';
import { tempDir } from '../support/temp.js';

interface Vectors {
  leafInputs: string[];
  rootHashes: string[];
  inclusion: Array<{ file: string; leafIdx: number; treeSize: number; root: string | null; leafHash: string | null; proof: string[]; desc: string; wantErr: boolean }>;
  consistency: Array<{ file: string; size1: number; size2: number; root1: string | null; root2: string | null; proof: string[]; desc: string; wantErr: boolean }>;
}

/** RFC 6962/9162 test vectors of transparency-dev/merkle (source and commit inside the file). */
const VECTORS = JSON.parse(readFileSync('test/vectors/rfc9162-transparency-dev.json', 'utf8')) as Vectors;
const h = (hex: string | null) => fromHex(hex ?? '');

async function logOf(leafData: readonly string[]): Promise<{ log: TreeStore; done: () => Promise<void> }> {
  const dir = await tempDir();
  const projections = await LogProjections.open(dir.path);
  const leaves = leafData.map((entryHash, i) => ({ entryId: `e${i}`, entryHash, block: i }));
  for (let i = 0; i < leaves.length; i += 500) {
    await projections.apply({ position: { block: i, eventsInBlock: 1 }, leaves: leaves.slice(i, i + 500) });
  }
  return { log: projections.tree, done: async () => { await projections.close(); await dir.remove(); } };
}

const entryHashes = (n: number): string[] => Array.from({ length: n }, (_, i) => createHash('sha256').update(`entry ${i}`).digest('hex'));

describe('RFC 9162 Merkle log', () => {
  describe('interoperability with transparency-dev/merkle test vectors', () => {
    it('computes the published root of every tree size', async () => {
      const { log, done } = await logOf(VECTORS.leafInputs);
      try {
        VECTORS.rootHashes.forEach((root, size) => expect(toHex(log.rootAt(size)), `size ${size}`).to.equal(root));
      } finally {
        await done();
      }
    });

    it('accepts every valid published inclusion proof and refuses every broken one', () => {
      expect(VECTORS.inclusion.length).to.be.greaterThan(90);
      for (const p of VECTORS.inclusion) {
        const ok = verifyInclusion(p.leafIdx, p.treeSize, h(p.leafHash), p.proof.map(h), h(p.root));
        expect(ok, `${p.file}: ${p.desc}`).to.equal(!p.wantErr);
      }
    });

    it('accepts every valid published consistency proof and refuses every broken one', () => {
      expect(VECTORS.consistency.length).to.be.greaterThan(90);
      for (const p of VECTORS.consistency) {
        const ok = verifyConsistency(p.size1, p.size2, p.proof.map(h), h(p.root1), h(p.root2));
        expect(ok, `${p.file}: ${p.desc}`).to.equal(!p.wantErr);
      }
    });

    it('generates the published proofs', async () => {
      const { log, done } = await logOf(VECTORS.leafInputs);
      try {
        for (const p of VECTORS.inclusion.filter((v) => !v.wantErr && v.treeSize > 0)) {
          expect(log.inclusionProof(p.leafIdx, p.treeSize).map(toHex), p.file).to.deep.equal(p.proof);
        }
        for (const p of VECTORS.consistency.filter((v) => !v.wantErr && v.size1 > 0)) {
          expect(log.consistencyProof(p.size1, p.size2).map(toHex), p.file).to.deep.equal(p.proof);
        }
      } finally {
        await done();
      }
    });
  });

  describe('a log of thousands of entries', () => {
    const SIZE = 3000;
    let log: TreeStore;
    let done: () => Promise<void>;
    const hashes = entryHashes(SIZE);
    before(async () => ({ log, done } = await logOf(hashes)));
    after(() => done());

    it('has the root an independent implementation (merkletreejs with RFC 9162 prefixes) computes', () => {
      const leaves = hashes.map((hex) => leafHash(fromHex(hex)));
      const tree = new MerkleTree(leaves.map((l) => Buffer.from(l)), (data: Buffer) => createHash('sha256').update(data).digest(), {
        concatenator: (inputs: Buffer[]) => Buffer.concat([Buffer.of(1), ...inputs]),
      });
      for (const size of [SIZE, 1, 2, 3, 1024, 1025, 2047]) {
        const partial = size === SIZE ? tree : new MerkleTree(leaves.slice(0, size).map((l) => Buffer.from(l)), (data: Buffer) => createHash('sha256').update(data).digest(), {
          concatenator: (inputs: Buffer[]) => Buffer.concat([Buffer.of(1), ...inputs]),
        });
        expect(toHex(log.rootAt(size)), `size ${size}`).to.equal(partial.getRoot().toString('hex'));
        expect(toHex(log.rootAt(size))).to.equal(toHex(rootOfLeafHashes(leaves.slice(0, size))));
      }
    });

    it('proves every entry included in the whole log and in trees of other sizes', () => {
      for (const size of [SIZE, 1_537, 64]) {
        const root = log.rootAt(size);
        for (let i = 0; i < size; i++) {
          const proof = log.inclusionProof(i, size);
          expect(verifyInclusion(i, size, leafHash(fromHex(hashes[i] as string)), proof, root), `leaf ${i} of ${size}`).to.equal(true);
        }
      }
    });

    it('proves consistency between every pair of sizes up to 300', () => {
      const roots = Array.from({ length: 301 }, (_, size) => log.rootAt(size));
      for (let size2 = 1; size2 <= 300; size2++) {
        for (let size1 = 1; size1 <= size2; size1++) {
          const proof = log.consistencyProof(size1, size2);
          expect(verifyConsistency(size1, size2, proof, roots[size1] as Uint8Array, roots[size2] as Uint8Array), `${size1} → ${size2}`).to.equal(true);
        }
      }
    });

    it('refuses a proof for the wrong leaf, size or root', () => {
      const root = log.rootAt(SIZE);
      const proof = log.inclusionProof(100, SIZE);
      const leaf = leafHash(fromHex(hashes[100] as string));
      expect(verifyInclusion(101, SIZE, leaf, proof, root)).to.equal(false);
      expect(verifyInclusion(100, 1024, leaf, proof, root)).to.equal(false);
      expect(verifyInclusion(100, SIZE, leaf, proof, log.rootAt(SIZE - 1))).to.equal(false);
      expect(verifyConsistency(10, 20, log.consistencyProof(10, 20), log.rootAt(11), log.rootAt(20))).to.equal(false);
    });
  });

  it('survives a restart with the same roots and keeps appending', async () => {
    const dir = await tempDir();
    const hashes = entryHashes(777);
    let log = await LogProjections.open(dir.path);
    await log.apply({ position: { block: 3, eventsInBlock: 500 }, leaves: hashes.slice(0, 500).map((entryHash, i) => ({ entryId: `e${i}`, entryHash, block: 3 })) });
    const root500 = toHex(log.tree.rootAt(500));
    await log.close();
    log = await LogProjections.open(dir.path);
    try {
      expect(log.tree.size).to.equal(500);
      expect(log.position).to.deep.equal({ block: 3, eventsInBlock: 500 });
      expect(toHex(log.tree.rootAt(500))).to.equal(root500);
      await log.apply({ position: { block: 4, eventsInBlock: 277 }, leaves: hashes.slice(500).map((entryHash, i) => ({ entryId: `e${500 + i}`, entryHash, block: 4 })) });
      expect(toHex(log.tree.rootAt(777))).to.equal(toHex(rootOfLeafHashes(hashes.map((x) => leafHash(fromHex(x))))));
      expect(await log.tree.locate('e600')).to.deep.include({ index: 600, block: 4 });
      expect(log.tree.blockHeightAt(500)).to.equal(4);
      expect(log.tree.blockHeightAt(777)).to.equal(5);
    } finally {
      await log.close();
      await dir.remove();
    }
  });
});
