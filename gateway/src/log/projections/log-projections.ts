import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { Level } from 'level';
import type { LogLeaf, LogPosition, Notice } from '../records.js';
import { ChainStore, type ChainUpdate } from './chain-store.js';
import { CheckpointStore, type CosignatureUpdate } from './checkpoint-store.js';
import { NoticeLog, type NoticeUpdate } from './notice-log.js';
import type { Commit } from './projection.js';
import { TreeStore } from './tree-store.js';

/** What one follower step (or a notice from elsewhere) changes, each projection reading its part. */
export interface LogUpdate extends NoticeUpdate, ChainUpdate, CosignatureUpdate {
  /** The new position in the ledger; unchanged when absent (updates that read no ledger events). */
  readonly position?: LogPosition;
  readonly leaves?: readonly LogLeaf[];
}

const START: LogPosition = { block: 0, eventsInBlock: 0 };

/**
 * The log's projections of the ledger in one LevelDB — the Merkle tree, the notices, the subjects'
 * chains and obligations, the checkpoints — and the follower's position in the ledger. Every
 * update commits through one batch with the position, so a crash at any point leaves every
 * projection at the same place in the ledger, and a restarted follower resumes from there.
 */
export class LogProjections {
  readonly #db: Level;
  readonly #meta;
  readonly tree: TreeStore;
  readonly notices: NoticeLog;
  readonly chains: ChainStore;
  readonly checkpoints: CheckpointStore;
  #position: LogPosition;
  /** Updates are written one at a time: the follower, the deadline watcher and the outbox all apply them. */
  #writing: Promise<void> = Promise.resolve();

  private constructor(db: Level, parts: { tree: TreeStore; notices: NoticeLog; chains: ChainStore; checkpoints: CheckpointStore }, position: LogPosition) {
    this.#db = db;
    this.#meta = db.sublevel('meta', { valueEncoding: 'utf8' });
    this.tree = parts.tree;
    this.notices = parts.notices;
    this.chains = parts.chains;
    this.checkpoints = parts.checkpoints;
    this.#position = position;
  }

  static async open(dataDir: string): Promise<LogProjections> {
    const dir = join(dataDir, 'log');
    await mkdir(dir, { recursive: true, mode: 0o700 });
    const db = new Level<string, string>(dir, { valueEncoding: 'utf8' });
    await db.open();
    try {
      const [tree, notices, chains, checkpoints, state] = await Promise.all([
        TreeStore.open(db),
        NoticeLog.open(db),
        ChainStore.open(db),
        CheckpointStore.open(db),
        db.sublevel('meta', { valueEncoding: 'utf8' }).get('state'),
      ]);
      const position = state ? (JSON.parse(state) as { position: LogPosition }).position : START;
      return new LogProjections(db, { tree, notices, chains, checkpoints }, position);
    } catch (error) {
      await db.close();
      throw error;
    }
  }

  /** Where in the ledger every projection stands. */
  get position(): LogPosition {
    return this.#position;
  }

  /** Applies an update to every projection and moves the position, in one batch; one update at a time. */
  apply(update: LogUpdate): Promise<void> {
    const done = this.#writing.then(() => this.#apply(update));
    this.#writing = done.catch(() => undefined);
    return done;
  }

  /**
   * Numbers a notice that does not come from the ledger, serialised with the follower's writes.
   * Once-only by `key`: appending it again after a crash numbers nothing.
   */
  appendNotice(key: string, notice: Notice): Promise<void> {
    return this.apply({ onceNotices: [{ key, notice }] });
  }

  async close(): Promise<void> {
    await this.#writing;
    await this.#db.close();
  }

  async #apply(update: LogUpdate): Promise<void> {
    const batch = this.#db.batch();
    let commits: Commit[];
    try {
      commits = [this.tree.stage(batch, update), this.chains.stage(batch, update), this.checkpoints.stage(batch, update), this.notices.stage(batch, update)];
    } catch (error) {
      await batch.close();
      throw error;
    }
    const position = update.position ?? this.#position;
    batch.put('state', JSON.stringify({ position }), { sublevel: this.#meta });
    await batch.write();
    this.#position = position;
    for (const commit of commits) commit();
  }
}
