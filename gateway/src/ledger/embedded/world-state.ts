import type { Level } from 'level';
import { promised } from '../../promised.js';
import { SealedSublevel } from '../../store/sealed-sublevel.js';
import type { Sealer } from '../../store/sealer.js';
import { privateKey } from './stub.js';

type Db = Level;
const sub = (db: Db, name: string) => db.sublevel(name, { keyEncoding: 'utf8', valueEncoding: 'utf8' });
type Sub = ReturnType<typeof sub>;
export type Snapshot = ReturnType<Db['snapshot']>;

export interface HistoryRecord {
  readonly txId: string;
  readonly timestamp: number;
  readonly value: string | null;
}

/** What a transaction reads: committed state, plus the writes of earlier transactions of the same block. */
export interface WorldState {
  get(key: string): Promise<string | null | undefined>;
  /** Rows in [start, end) in key order; at most `limit` of the committed ones when given. */
  range(start: string, end: string, limit?: number): Promise<Array<[string, string | null]>>;
  history(key: string): Promise<HistoryRecord[]>;
  getPrivate(collection: string, key: string): Promise<string | null | undefined>;
}

/**
 * The LevelDB layout of the embedded ledger. Private documents are sealed under the document key;
 * everything else is public ledger data (entries, statuses, blocks with hashes), kept in clear.
 */
export class LedgerStore {
  readonly db: Db;
  readonly state: Sub;
  readonly privateData: SealedSublevel;
  readonly history: Sub;
  readonly blocks: Sub;
  readonly txIndex: Sub;
  readonly meta: Sub;

  constructor(db: Db, sealer: Sealer) {
    this.db = db;
    this.state = sub(db, 'state');
    this.privateData = new SealedSublevel(db, 'private', sealer);
    this.history = sub(db, 'history');
    this.blocks = sub(db, 'blocks');
    this.txIndex = sub(db, 'tx');
    this.meta = sub(db, 'meta');
  }
}

export const blockKey = (n: number): string => String(n).padStart(12, '0');
export const historyKey = (key: string, block: number, tx: number): string =>
  `${key}\u0000${blockKey(block)}${String(tx).padStart(6, '0')}`;

/** Committed state, read through one LevelDB snapshot so a query never straddles a block. */
export class CommittedState implements WorldState {
  readonly #store: LedgerStore;
  readonly #options: { snapshot?: Snapshot };

  constructor(store: LedgerStore, snapshot?: Snapshot) {
    this.#store = store;
    this.#options = snapshot ? { snapshot } : {};
  }

  // Point reads are synchronous: LevelDB answers them from its cache in microseconds, far less
  // than a round trip through the libuv thread pool, and transactions execute one at a time.
  async get(key: string): Promise<string | undefined> {
    return this.#store.state.getSync(key, this.#options);
  }

  async range(start: string, end: string, limit?: number): Promise<Array<[string, string]>> {
    return this.#store.state.iterator({ gte: start, lt: end, ...(limit === undefined ? {} : { limit }), ...this.#options }).all();
  }

  async history(key: string): Promise<HistoryRecord[]> {
    const rows = await this.#store.history
      .values({ gt: `${key}\u0000`, lt: `${key}\u0001`, ...this.#options })
      .all();
    return rows.map((row) => JSON.parse(row) as HistoryRecord);
  }

  getPrivate(collection: string, key: string): Promise<string | undefined> {
    // Opening a sealed document that does not authenticate throws: the promise rejects with it.
    return promised(() => this.#store.privateData.getSync(privateKey(collection, key), this.#options));
  }
}

/** Committed state with the uncommitted writes of the block being cut laid over it. */
export class BlockOverlay implements WorldState {
  readonly writes = new Map<string, string | null>();
  readonly privateWrites = new Map<string, string>();
  readonly #base: WorldState;

  constructor(base: WorldState) {
    this.#base = base;
  }

  async get(key: string): Promise<string | null | undefined> {
    return this.writes.has(key) ? this.writes.get(key) : this.#base.get(key);
  }

  async range(start: string, end: string, limit?: number): Promise<Array<[string, string | null]>> {
    const merged = new Map(await this.#base.range(start, end, limit));
    for (const [key, value] of this.writes) if (key >= start && key < end) merged.set(key, value);
    return [...merged.entries()];
  }

  history(key: string): Promise<HistoryRecord[]> {
    // Writes of the block being cut are not history yet, as on Fabric.
    return this.#base.history(key);
  }

  async getPrivate(collection: string, key: string): Promise<string | null | undefined> {
    return this.privateWrites.get(privateKey(collection, key)) ?? this.#base.getPrivate(collection, key);
  }
}
