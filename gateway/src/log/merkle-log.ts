import { EventEmitter } from 'node:events';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { Level, type ChainedBatch } from 'level';
import { EMPTY_ROOT, fromHex, leafHash, nodeHash, splitPoint, toHex, type Hash } from 'correction-verifier';
import type { Agency, CheckpointCosignature, Entry, Obligation } from 'correction-chaincode/domain';
import { promised } from '../promised.js';

/** Where the log stands in the ledger: the last block it read from, and how many events of it. */
export interface LogPosition {
  readonly block: number;
  readonly eventsInBlock: number;
}

export interface LogLeaf {
  readonly entryId: string;
  /** The entry hash (hex); the leaf is H(0x00 ‖ its 32 bytes). */
  readonly entryHash: string;
  readonly block: number;
}

/**
 * Something an agency must learn: a new entry that concerns it, an obligation gone overdue, or a
 * submission of its own that the ledger refused after the gateway had accepted it (202).
 */
export interface Notice {
  readonly kind: 'entry' | 'obligation-overdue' | 'submission-refused';
  /** Agencies the notice is for. */
  readonly agencies: readonly Agency[];
  readonly data: Readonly<Record<string, unknown>>;
}

/** A notice with its place in this gateway's notice sequence (the SSE event id). */
export interface NumberedNotice extends Notice {
  readonly id: number;
}

/** What one batch of ledger events changed in the log, written atomically with the new position. */
export interface LogUpdate {
  /** The new position in the ledger; unchanged when absent (updates that read no ledger events). */
  readonly position?: LogPosition;
  readonly leaves?: readonly LogLeaf[];
  readonly cosignatures?: readonly CheckpointCosignature[];
  readonly notices?: readonly Notice[];
  /** Public entries to keep per subject (the chains the statutory clock reads). */
  readonly entries?: readonly Entry[];
  /** Each subject's obligations, recomputed from its chain. */
  readonly obligations?: ReadonlyArray<{ readonly subjectRef: string; readonly obligations: readonly Obligation[] }>;
  /** Obligations whose overdue notice this update carries, so that none is sent twice. */
  readonly noticedOverdue?: readonly StoredObligation[];
  /**
   * Notices that do not come from the ledger, each under a key that makes it once-only: a notice
   * whose key the log already holds is not numbered again.
   */
  readonly onceNotices?: ReadonlyArray<{ readonly key: string; readonly notice: Notice }>;
}

/** A checkpoint that the trust file's policy makes final: its size, root and signed note. */
export interface FinalCheckpoint {
  readonly treeSize: number;
  /** The Merkle root, hex. */
  readonly root: string;
  /** The C2SP checkpoint with every valid agency and witness cosignature the gateway holds. */
  readonly note: string;
  /** When this gateway found it final. */
  readonly finalAt: string;
}

/** An obligation as the gateway keeps it: with its subject, and whether its overdue notice went out. */
export interface StoredObligation extends Obligation {
  readonly subjectRef: string;
  readonly overdueNoticed?: boolean;
}

const obligationKey = (o: { subjectRef: string; rule: string; startedBy: string }) => `${o.subjectRef}\u0000${o.rule}\u0000${o.startedBy}`;

type LogBatch = ChainedBatch<Level, string, string>;

const pad = (n: number, width = 16): string => String(n).padStart(width, '0');
const nodeKey = (level: number, index: number): string => `${pad(level, 2)}:${pad(index)}`;

/**
 * An append-only RFC 9162 Merkle log of entry hashes in LevelDB. It stores every complete
 * subtree (about two nodes per leaf), so any root, inclusion proof or consistency proof needs
 * O(log n) reads. Leaves, index and position change in one atomic batch.
 *
 * Emits 'notice' (NumberedNotice) once a notice is written.
 *
 * merkletreejs does not fit here: it keeps the whole tree in memory, rebuilds it on every
 * change and has no RFC 9162 consistency proofs; the tests use it as an independent check.
 */
export class MerkleLog extends EventEmitter {
  readonly #db: Level;
  readonly #nodes;
  readonly #entries;
  readonly #leaves;
  readonly #cosignatures;
  readonly #meta;
  readonly #notices;
  readonly #chains;
  readonly #obligations;
  readonly #witnessed;
  readonly #final;
  #latestFinal: FinalCheckpoint | undefined;
  readonly #noticeKeys;
  #noticeCount = 0;
  /** Writes happen one at a time: the follower and the deadline watcher both apply updates. */
  #writing: Promise<void> = Promise.resolve();
  /** Right edge of the tree: the complete subtrees that make up the current size, largest first. */
  #frontier: Array<{ level: number; hash: Hash }> = [];
  #size = 0;
  #position: LogPosition = { block: 0, eventsInBlock: 0 };

  private constructor(db: Level) {
    super();
    this.#db = db;
    this.#nodes = db.sublevel('node', { valueEncoding: 'utf8' });
    this.#entries = db.sublevel('entry', { valueEncoding: 'utf8' });
    this.#leaves = db.sublevel('leaf', { valueEncoding: 'utf8' });
    this.#cosignatures = db.sublevel('cosig', { valueEncoding: 'utf8' });
    this.#meta = db.sublevel('meta', { valueEncoding: 'utf8' });
    this.#notices = db.sublevel('notice', { valueEncoding: 'utf8' });
    this.#chains = db.sublevel('chain', { valueEncoding: 'utf8' });
    this.#obligations = db.sublevel('obligation', { valueEncoding: 'utf8' });
    this.#witnessed = db.sublevel('witnessed', { valueEncoding: 'utf8' });
    this.#final = db.sublevel('final', { valueEncoding: 'utf8' });
    this.#noticeKeys = db.sublevel('noticeKey', { valueEncoding: 'utf8' });
  }

  static async open(dataDir: string): Promise<MerkleLog> {
    const dir = join(dataDir, 'log');
    await mkdir(dir, { recursive: true, mode: 0o700 });
    const db = new Level<string, string>(dir, { valueEncoding: 'utf8' });
    await db.open();
    const log = new MerkleLog(db);
    await log.#load();
    return log;
  }

  get size(): number {
    return this.#size;
  }

  get position(): LogPosition {
    return this.#position;
  }

  /** A subject's public chain as the log has followed it. */
  subjectChain(subjectRef: string): Entry[] {
    const raw = this.#chains.getSync(subjectRef);
    return raw === undefined ? [] : (JSON.parse(raw) as Entry[]);
  }

  /** Every obligation the statutory clock knows, as last computed (states open/overdue are re-read by time). */
  async *obligations(): AsyncGenerator<StoredObligation> {
    for await (const value of this.#obligations.values()) yield JSON.parse(value) as StoredObligation;
  }

  /** The id of the last notice numbered (0 before any). */
  get lastNoticeId(): number {
    return this.#noticeCount;
  }

  /** Notices after `afterId` for an agency, in order. */
  async noticesAfter(afterId: number, agency: Agency, limit = 1_000): Promise<NumberedNotice[]> {
    const found: NumberedNotice[] = [];
    for await (const value of this.#notices.values({ gt: pad(afterId) })) {
      const notice = JSON.parse(value) as NumberedNotice;
      if (notice.agencies.includes(agency)) found.push(notice);
      if (found.length >= limit) break;
    }
    return found;
  }

  async close(): Promise<void> {
    await this.#db.close();
  }

  /**
   * Numbers a notice that does not come from the ledger, serialised with the follower's writes.
   * Once-only by `key`: appending it again after a crash numbers nothing.
   */
  appendNotice(key: string, notice: Notice): Promise<void> {
    return this.apply({ onceNotices: [{ key, notice }] });
  }

  /** Applies one ledger event's changes and the new position, atomically. */
  apply(update: LogUpdate): Promise<void> {
    const done = this.#writing.then(() => this.#apply(update));
    this.#writing = done.catch(() => undefined);
    return done;
  }

  async #apply(update: LogUpdate): Promise<void> {
    const batch = this.#db.batch();
    this.#putChains(batch, update.entries ?? []);
    this.#putObligations(batch, update.obligations ?? [], update.noticedOverdue ?? []);
    const { frontier, size } = this.#appendLeaves(batch, update.leaves ?? []);
    for (const c of update.cosignatures ?? []) {
      batch.put(`${pad(c.treeSize)}:${c.agency}`, JSON.stringify(c), { sublevel: this.#cosignatures });
    }
    const numbered = this.#numberNotices(batch, update.notices ?? []);
    numbered.push(...this.#numberOnceNotices(batch, update.onceNotices, this.#noticeCount + numbered.length));
    const notices = this.#noticeCount + numbered.length;
    const position = update.position ?? this.#position;
    batch.put('state', JSON.stringify({ size, position, notices }), { sublevel: this.#meta });
    await batch.write();
    this.#noticeCount = notices;
    this.#frontier = frontier;
    this.#size = size;
    this.#position = position;
    for (const notice of numbered) this.emit('notice', notice);
  }

  /** Each subject's chain is one value: read back synchronously, rewritten whole (chains are short). */
  #putChains(batch: LogBatch, entries: readonly Entry[]): void {
    const chains = new Map<string, Entry[]>();
    for (const entry of entries) {
      const chain = chains.get(entry.subjectRef) ?? this.subjectChain(entry.subjectRef);
      if (!chain.some((e) => e.seq === entry.seq)) chain.push(entry);
      chains.set(entry.subjectRef, chain);
    }
    for (const [subjectRef, chain] of chains) {
      batch.put(subjectRef, JSON.stringify(chain.sort((a, b) => a.seq - b.seq)), { sublevel: this.#chains });
    }
  }

  /** Recomputed obligations keep the mark of an overdue notice already sent; newly noticed ones get it. */
  #putObligations(batch: LogBatch, recomputed: NonNullable<LogUpdate['obligations']>, noticedOverdue: readonly StoredObligation[]): void {
    for (const { subjectRef, obligations } of recomputed) {
      for (const obligation of obligations) {
        const key = obligationKey({ subjectRef, ...obligation });
        const previous = this.#obligations.getSync(key);
        const noticed = previous ? (JSON.parse(previous) as StoredObligation).overdueNoticed === true : false;
        batch.put(key, JSON.stringify({ subjectRef, ...obligation, ...(noticed ? { overdueNoticed: true } : {}) }), { sublevel: this.#obligations });
      }
    }
    for (const obligation of noticedOverdue) {
      batch.put(obligationKey(obligation), JSON.stringify({ ...obligation, overdueNoticed: true }), { sublevel: this.#obligations });
    }
  }

  /** Writes the leaves and every subtree they complete; returns the new right edge and size, not yet in force. */
  #appendLeaves(batch: LogBatch, leaves: readonly LogLeaf[]): { frontier: Array<{ level: number; hash: Hash }>; size: number } {
    const frontier = [...this.#frontier];
    let size = this.#size;
    for (const leaf of leaves) {
      let hash = leafHash(fromHex(leaf.entryHash));
      let level = 0;
      let index = size;
      batch.put(nodeKey(0, index), toHex(hash), { sublevel: this.#nodes });
      // Merge equal-level subtrees on the right edge: each merge completes a stored node.
      while (frontier.length > 0 && frontier[frontier.length - 1]?.level === level) {
        const left = frontier.pop() as { level: number; hash: Hash };
        hash = nodeHash(left.hash, hash);
        level++;
        index = Math.floor(index / 2);
        batch.put(nodeKey(level, index), toHex(hash), { sublevel: this.#nodes });
      }
      frontier.push({ level, hash });
      batch.put(leaf.entryId, JSON.stringify({ index: size, block: leaf.block, entryHash: leaf.entryHash }), { sublevel: this.#entries });
      batch.put(pad(size), JSON.stringify({ entryId: leaf.entryId, block: leaf.block, entryHash: leaf.entryHash }), { sublevel: this.#leaves });
      size++;
    }
    return { frontier, size };
  }

  /** Numbers the notices after the last one written (or after `after`). */
  #numberNotices(batch: LogBatch, notices: readonly Notice[], after = this.#noticeCount): NumberedNotice[] {
    return notices.map((notice, i) => {
      const numbered: NumberedNotice = { id: after + i + 1, ...notice };
      batch.put(pad(numbered.id), JSON.stringify(numbered), { sublevel: this.#notices });
      return numbered;
    });
  }

  /** Numbers the once-only notices whose key the log does not hold yet, and records their keys. */
  #numberOnceNotices(batch: LogBatch, once: LogUpdate['onceNotices'], after: number): NumberedNotice[] {
    const fresh = new Map<string, Notice>();
    for (const { key, notice } of once ?? []) {
      if (!fresh.has(key) && this.#noticeKeys.getSync(key) === undefined) fresh.set(key, notice);
    }
    const numbered = this.#numberNotices(batch, [...fresh.values()], after);
    [...fresh.keys()].forEach((key, i) => {
      batch.put(key, String(after + i + 1), { sublevel: this.#noticeKeys });
    });
    return numbered;
  }

  /** The leaf index and block of an entry, if the log holds it. */
  locate(entryId: string): Promise<{ index: number; block: number; entryHash: string } | undefined> {
    return promised(() => {
      const raw = this.#entries.getSync(entryId);
      return raw === undefined ? undefined : (JSON.parse(raw) as { index: number; block: number; entryHash: string });
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
    return size === 0 ? EMPTY_ROOT : this.#rangeHash(0, size);
  }

  /** RFC 9162 inclusion proof (audit path) of leaf `index` in the tree of `size` leaves. */
  inclusionProof(index: number, size: number): Hash[] {
    this.#checkSize(size);
    if (!Number.isSafeInteger(index) || index < 0 || index >= size) throw new RangeError(`leaf ${index} is not in a tree of ${size}`);
    const path: Hash[] = [];
    let start = 0;
    let n = size;
    let m = index;
    const siblings: Hash[] = [];
    while (n > 1) {
      const k = splitPoint(n);
      if (m < k) {
        siblings.push(this.#rangeHash(start + k, start + n));
        n = k;
      } else {
        siblings.push(this.#rangeHash(start, start + k));
        start += k;
        m -= k;
        n -= k;
      }
    }
    // Collected top-down; the proof runs from the leaf up.
    for (let i = siblings.length - 1; i >= 0; i--) path.push(siblings[i] as Hash);
    return path;
  }

  /** RFC 9162 consistency proof that the tree of size2 extends the tree of size1. */
  consistencyProof(size1: number, size2: number): Hash[] {
    this.#checkSize(size2);
    if (!Number.isSafeInteger(size1) || size1 < 0 || size1 > size2) throw new RangeError(`no consistency from ${size1} to ${size2}`);
    if (size1 === 0 || size1 === size2) return [];
    const proof: Hash[] = [];
    let start = 0;
    let n = size2;
    let m = size1;
    let complete = true;
    const tail: Hash[] = [];
    while (m !== n) {
      const k = splitPoint(n);
      if (m <= k) {
        tail.push(this.#rangeHash(start + k, start + n));
        n = k;
      } else {
        tail.push(this.#rangeHash(start, start + k));
        start += k;
        m -= k;
        n -= k;
        complete = false;
      }
    }
    if (!complete) proof.push(this.#rangeHash(start, start + n));
    for (let i = tail.length - 1; i >= 0; i--) proof.push(tail[i] as Hash);
    return proof;
  }

  /** Every cosignature the log has seen for a size. */
  async cosignaturesAt(size: number): Promise<CheckpointCosignature[]> {
    const rows = await this.#cosignatures.values({ gte: `${pad(size)}:`, lt: `${pad(size)}:~` }).all();
    return rows.map((row) => JSON.parse(row) as CheckpointCosignature);
  }

  /** Sizes that have cosignatures, largest first. */
  async cosignedSizes(): Promise<number[]> {
    const sizes = new Set<number>();
    for await (const key of this.#cosignatures.keys({ reverse: true })) sizes.add(Number(key.slice(0, 16)));
    return [...sizes];
  }

  /** Witnesses' cosignature lines for a size, by witness name. */
  async witnessCosignaturesAt(size: number): Promise<Record<string, string>> {
    const raw = await this.#witnessed.get(pad(size));
    return raw === undefined ? {} : (JSON.parse(raw) as Record<string, string>);
  }

  /** Keeps a witness's cosignature line for a size (the witness's latest replaces its earlier one). */
  async putWitnessCosignature(size: number, witness: string, line: string): Promise<void> {
    const lines = { ...(await this.witnessCosignaturesAt(size)), [witness]: line };
    await this.#witnessed.put(pad(size), JSON.stringify(lines));
  }

  /** Records a final checkpoint (a later record of one size, with more cosignatures, replaces it). */
  async putFinal(checkpoint: FinalCheckpoint): Promise<void> {
    await this.#final.put(pad(checkpoint.treeSize), JSON.stringify(checkpoint));
    if (!this.#latestFinal || checkpoint.treeSize >= this.#latestFinal.treeSize) this.#latestFinal = checkpoint;
  }

  /** The final checkpoint of the largest size. */
  get latestFinal(): FinalCheckpoint | undefined {
    return this.#latestFinal;
  }

  async finalAt(size: number): Promise<FinalCheckpoint | undefined> {
    const raw = await this.#final.get(pad(size));
    return raw === undefined ? undefined : (JSON.parse(raw) as FinalCheckpoint);
  }

  /** Final checkpoints below a size, largest first. */
  async finalBefore(size: number, limit: number): Promise<FinalCheckpoint[]> {
    const rows = await this.#final.values({ lt: pad(size), reverse: true, limit }).all();
    return rows.map((row) => JSON.parse(row) as FinalCheckpoint);
  }

  #checkSize(size: number): void {
    if (!Number.isSafeInteger(size) || size < 0 || size > this.#size) throw new RangeError(`the log has ${this.#size} leaves, not ${size}`);
  }

  /** MTH of leaves [start, end): a stored node when the range is a complete aligned subtree. */
  #rangeHash(start: number, end: number): Hash {
    const width = end - start;
    if (width === 1) return this.#node(0, start);
    if (Number.isInteger(Math.log2(width)) && start % width === 0) return this.#node(Math.log2(width), start / width);
    const k = splitPoint(width);
    return nodeHash(this.#rangeHash(start, start + k), this.#rangeHash(start + k, end));
  }

  #node(level: number, index: number): Hash {
    const raw = this.#nodes.getSync(nodeKey(level, index));
    if (raw === undefined) throw new Error(`log node ${level}/${index} is missing`);
    return fromHex(raw);
  }

  async #load(): Promise<void> {
    const [latest] = await this.#final.values({ reverse: true, limit: 1 }).all();
    if (latest !== undefined) this.#latestFinal = JSON.parse(latest) as FinalCheckpoint;
    const raw = await this.#meta.get('state');
    if (!raw) return;
    const state = JSON.parse(raw) as { size: number; position: LogPosition; notices?: number };
    this.#size = state.size;
    this.#noticeCount = state.notices ?? 0;
    this.#position = state.position;
    // Rebuild the right edge: the binary decomposition of the size, largest subtree first.
    let start = 0;
    for (let level = 52; level >= 0; level--) {
      const width = 2 ** level;
      if (state.size - start >= width) {
        this.#frontier.push({ level, hash: this.#node(level, start / width) });
        start += width;
      }
    }
  }
}
