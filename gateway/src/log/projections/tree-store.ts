import { EMPTY_ROOT, fromHex, leafHash, nodeHash, toHex, type Hash } from 'correction-verifier';
import type { Level } from 'level';
import { promised } from '../../promised.js';
import { consistencyPlan, foldPlan, inclusionPlan, rootPlan, type NodeId, type NodePlan } from '../proof-nodes.js';
import type { LogLeaf } from '../records.js';
import { opened, pad, type Commit, type LogBatch, type Projection } from './projection.js';

/** Where a leaf sits in the log. */
export interface LocatedLeaf {
  readonly index: number;
  readonly block: number;
  readonly entryHash: string;
}

/** A complete subtree on the right edge of the tree. */
interface EdgeNode {
  readonly level: number;
  readonly hash: Hash;
}

const nodeKey = ({ level, index }: NodeId): string => `${pad(level, 2)}:${pad(index)}`;

/**
 * The RFC 9162 Merkle tree of entry hashes. It stores every complete subtree (about two nodes per
 * leaf), so a root or proof is O(log n) reads: proof-nodes.ts says which nodes, from sizes alone,
 * and the store reads them in one go. An entry id index and the leaves by position sit beside it.
 *
 * merkletreejs does not fit here: it keeps the whole tree in memory, rebuilds it on every
 * change and has no RFC 9162 consistency proofs; the tests use it as an independent check.
 */
export class TreeStore implements Projection<{ readonly leaves?: readonly LogLeaf[] }> {
  readonly #nodes;
  readonly #entries;
  readonly #leaves;
  /** The complete subtrees that make up the current size, largest first. */
  #edge: EdgeNode[] = [];
  #size = 0;

  private constructor(db: Level) {
    this.#nodes = db.sublevel('node', { valueEncoding: 'utf8' });
    this.#entries = db.sublevel('entry', { valueEncoding: 'utf8' });
    this.#leaves = db.sublevel('leaf', { valueEncoding: 'utf8' });
  }

  /** Opens the tree in the log's LevelDB: its size is its last leaf's position, plus one. */
  static async open(db: Level): Promise<TreeStore> {
    const tree = new TreeStore(db);
    await opened(tree.#nodes, tree.#entries, tree.#leaves);
    const [last] = await tree.#leaves.keys({ reverse: true, limit: 1 }).all();
    tree.#size = last === undefined ? 0 : Number(last) + 1;
    tree.#edge = tree.#edgeOf(tree.#size);
    return tree;
  }

  get size(): number {
    return this.#size;
  }

  /** Writes the leaves and every subtree they complete; the new right edge and size take effect on commit. */
  stage(batch: LogBatch, { leaves = [] }: { readonly leaves?: readonly LogLeaf[] }): Commit {
    const edge = [...this.#edge];
    let size = this.#size;
    for (const leaf of leaves) {
      let hash = leafHash(fromHex(leaf.entryHash));
      let node: NodeId = { level: 0, index: size };
      batch.put(nodeKey(node), toHex(hash), { sublevel: this.#nodes });
      // Merge equal-level subtrees on the right edge: each merge completes a stored node.
      for (let left = edge.at(-1); left?.level === node.level; left = edge.at(-1)) {
        edge.pop();
        hash = nodeHash(left.hash, hash);
        node = { level: node.level + 1, index: Math.floor(node.index / 2) };
        batch.put(nodeKey(node), toHex(hash), { sublevel: this.#nodes });
      }
      edge.push({ level: node.level, hash });
      batch.put(leaf.entryId, JSON.stringify({ index: size, block: leaf.block, entryHash: leaf.entryHash }), { sublevel: this.#entries });
      batch.put(pad(size), JSON.stringify({ entryId: leaf.entryId, block: leaf.block, entryHash: leaf.entryHash }), { sublevel: this.#leaves });
      size++;
    }
    return () => {
      this.#edge = edge;
      this.#size = size;
    };
  }

  /** The leaf index and block of an entry, if the log holds it. */
  locate(entryId: string): Promise<LocatedLeaf | undefined> {
    return promised(() => {
      const raw = this.#entries.getSync(entryId);
      return raw === undefined ? undefined : (JSON.parse(raw) as LocatedLeaf);
    });
  }

  /** The entry hashes of leaves [start, end), as far as the log holds them. */
  leafHashes(start: number, end: number): Array<{ index: number; entryHash: string }> {
    const found: Array<{ index: number; entryHash: string }> = [];
    for (let index = start; index < Math.min(end, this.#size); index++) {
      const raw = this.#leaves.getSync(pad(index));
      if (raw === undefined) throw new Error(`log leaf ${index} is missing`);
      const leaf = JSON.parse(raw) as { entryId: string; entryHash?: string };
      const entryHash = leaf.entryHash ?? (JSON.parse(this.#entries.getSync(leaf.entryId) ?? '{}') as { entryHash: string }).entryHash;
      found.push({ index, entryHash });
    }
    return found;
  }

  /** The block height at which the log reached `size` (the block of leaf size-1, plus one). */
  blockHeightAt(size: number): number {
    this.#checkSize(size);
    if (size === 0) return 0;
    const raw = this.#leaves.getSync(pad(size - 1));
    if (raw === undefined) throw new Error(`log leaf ${size - 1} is missing`);
    return (JSON.parse(raw) as { block: number }).block + 1;
  }

  /** Root of the first `size` leaves. */
  rootAt(size: number): Hash {
    this.#checkSize(size);
    return size === 0 ? EMPTY_ROOT : (this.#answer(rootPlan(size))[0] as Hash);
  }

  /** RFC 9162 inclusion proof (audit path) of leaf `index` in the tree of `size` leaves. */
  inclusionProof(index: number, size: number): Hash[] {
    this.#checkSize(size);
    return this.#answer(inclusionPlan(index, size));
  }

  /** RFC 9162 consistency proof that the tree of size2 extends the tree of size1. */
  consistencyProof(size1: number, size2: number): Hash[] {
    this.#checkSize(size2);
    return this.#answer(consistencyPlan(size1, size2));
  }

  #answer(plan: NodePlan): Hash[] {
    return foldPlan(plan, this.#read(plan.nodes));
  }

  /** Reads the nodes a plan names, all at once. */
  #read(ids: readonly NodeId[]): Hash[] {
    return ids.map((id) => {
      const raw = this.#nodes.getSync(nodeKey(id));
      if (raw === undefined) throw new Error(`log node ${id.level}/${id.index} is missing`);
      return fromHex(raw);
    });
  }

  /** The right edge of a tree of `size` leaves: the binary decomposition of the size, largest subtree first. */
  #edgeOf(size: number): EdgeNode[] {
    const ids = rootPlan(size).nodes;
    const hashes = this.#read(ids);
    return ids.map((id, i) => ({ level: id.level, hash: hashes[i] as Hash }));
  }

  #checkSize(size: number): void {
    if (!Number.isSafeInteger(size) || size < 0 || size > this.#size) throw new RangeError(`the log has ${this.#size} leaves, not ${size}`);
  }
}
