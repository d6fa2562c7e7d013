import type { BatchOperation, Level } from 'level';
import type { Sealer } from './sealer.js';

type Db = Level;
const rawSublevel = (db: Db, name: string) => db.sublevel<string, Uint8Array>(name, { keyEncoding: 'utf8', valueEncoding: 'view' });
/** A sublevel of sealed bytes, as stored. */
export type RawSublevel = ReturnType<typeof rawSublevel>;
export type Snapshot = ReturnType<Db['snapshot']>;
/** An operation of `db.batch([...], options)` on sealed and plain sublevels alike. */
export type MixedOperation = BatchOperation<Db, string, string | Uint8Array>;
/** A chained batch of the database (`db.batch()`). */
export type ChainedBatch = ReturnType<Db['batch']>;

export interface KeyRange {
  readonly gt?: string;
  readonly gte?: string;
  readonly lt?: string;
  readonly lte?: string;
  readonly reverse?: boolean;
  readonly limit?: number;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/**
 * A LevelDB sublevel whose values are sealed: text in, text out, only ciphertext on disk. Each
 * value is bound to `name ‖ U+0000 ‖ key`, so a value moved to another key or another sealed
 * sublevel does not open (SealedValueError). Keys stay in clear, as they must to be looked up.
 *
 * A store seals a sublevel in one line — `new SealedSublevel(db, 'outbox', sealer)` instead of
 * `db.sublevel('outbox', …)` — and writes it atomically with other sublevels: putOperation /
 * delOperation in `db.batch([...], options)`, or putIn / delIn on a chained batch (`db.batch()`).
 */
export class SealedSublevel {
  /** The sealed bytes as stored, for chained batches and for audits that open values one by one. */
  readonly raw: RawSublevel;
  readonly name: string;
  readonly #sealer: Sealer;

  constructor(db: Db, name: string, sealer: Sealer) {
    this.raw = rawSublevel(db, name);
    this.name = name;
    this.#sealer = sealer;
  }

  /** The value sealed for `key`, as stored by put(). */
  seal(key: string, value: string): Uint8Array {
    return this.#sealer.seal(this.#record(key), encoder.encode(value));
  }

  /** Opens a value stored under `key`; throws SealedValueError when it does not authenticate. */
  open(key: string, sealed: Uint8Array): string {
    return decoder.decode(this.#sealer.open(this.#record(key), sealed));
  }

  async get(key: string, options: { snapshot?: Snapshot } = {}): Promise<string | undefined> {
    const sealed = await this.raw.get(key, options);
    return sealed === undefined ? undefined : this.open(key, sealed);
  }

  /** A synchronous read: LevelDB answers point reads from its cache faster than a thread-pool round trip. */
  getSync(key: string, options: { snapshot?: Snapshot } = {}): string | undefined {
    const sealed = this.raw.getSync(key, options);
    return sealed === undefined ? undefined : this.open(key, sealed);
  }

  async put(key: string, value: string): Promise<void> {
    await this.raw.put(key, this.seal(key, value));
  }

  async del(key: string): Promise<void> {
    await this.raw.del(key);
  }

  /**
   * A sealed put for `db.batch([...], options)`, so that it commits atomically with other
   * sublevels. Typed with a text value too, so that it sits in one array with plain operations.
   */
  putOperation(key: string, value: string): MixedOperation {
    return { type: 'put', key, value: this.seal(key, value), sublevel: this.raw };
  }

  delOperation(key: string): MixedOperation {
    return { type: 'del', key, sublevel: this.raw };
  }

  /** Adds a sealed put to a chained batch, so that it commits atomically with other sublevels. */
  putIn(batch: ChainedBatch, key: string, value: string): void {
    batch.put(key, this.seal(key, value), { sublevel: this.raw });
  }

  delIn(batch: ChainedBatch, key: string): void {
    batch.del(key, { sublevel: this.raw });
  }

  /** Opened entries in key order; the first value that does not open throws SealedValueError. */
  async *entries(range: KeyRange = {}): AsyncGenerator<[string, string]> {
    for await (const [key, sealed] of this.raw.iterator({ ...range })) yield [key, this.open(key, sealed)];
  }

  async *values(range: KeyRange = {}): AsyncGenerator<string> {
    for await (const [, value] of this.entries(range)) yield value;
  }

  #record(key: string): string {
    return `${this.name}\u0000${key}`;
  }
}
