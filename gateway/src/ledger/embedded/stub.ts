import { createHash } from 'node:crypto';
import type { Iterators, StateQueryResponse } from 'fabric-shim-api';
import { MSP_OF_AGENCY, UNITS_ATTRIBUTE, type Agency, type CollectionName, COLLECTIONS } from 'correction-chaincode/domain';
import { promised } from '../../promised.js';
import type { WorldState } from './world-state.js';

const COMPOSITE_KEY_NAMESPACE = '\u0000';
const MIN_UNICODE_RUNE = '\u0000';
const MAX_UNICODE_RUNE = '\u{10FFFF}';

export interface TransactionInput {
  readonly txId: string;
  readonly timestamp: Date;
  readonly agency: Agency;
  readonly fn: string;
  readonly args: readonly string[];
  readonly transient: ReadonlyMap<string, Uint8Array>;
}

/** What a transaction wrote, in the order it wrote it. Nothing reaches the store unless it commits. */
export interface WriteSet {
  readonly writes: Map<string, string | null>;
  readonly privateWrites: Map<string, string>;
  event?: { name: string; payload: string };
}

export const privateKey = (collection: string, key: string): string => `${collection}\u0000${key}`;

const decoder = new TextDecoder();
const encoder = new TextEncoder();

/**
 * The parts of Fabric's ChaincodeStub the contract uses, over the embedded world state.
 * Reads see the transaction's own writes; private data honours collection membership
 * (memberOnlyRead / memberOnlyWrite) as the peer does.
 */
export class EmbeddedStub {
  readonly writeSet: WriteSet = { writes: new Map(), privateWrites: new Map() };
  readonly #state: WorldState;
  readonly #tx: TransactionInput;

  constructor(state: WorldState, tx: TransactionInput) {
    this.#state = state;
    this.#tx = tx;
  }

  getTxID(): string {
    return this.#tx.txId;
  }

  getChannelID(): string {
    return 'corrections';
  }

  getTxTimestamp(): { seconds: number; nanos: number } {
    const ms = this.#tx.timestamp.getTime();
    return { seconds: Math.floor(ms / 1000), nanos: (ms % 1000) * 1_000_000 };
  }

  getDateTimestamp(): Date {
    return new Date(this.#tx.timestamp.getTime());
  }

  getFunctionAndParameters(): { fcn: string; params: string[] } {
    return { fcn: this.#tx.fn, params: [...this.#tx.args] };
  }

  getArgs(): string[] {
    return [this.#tx.fn, ...this.#tx.args];
  }

  getTransient(): Map<string, Uint8Array> {
    return new Map(this.#tx.transient);
  }

  getCreator(): { mspid: string; idBytes: Uint8Array } {
    return { mspid: MSP_OF_AGENCY[this.#tx.agency], idBytes: encoder.encode(`embedded:${this.#tx.agency}`) };
  }

  getMspID(): string {
    return MSP_OF_AGENCY[this.#tx.agency];
  }

  async getState(key: string): Promise<Uint8Array> {
    const own = this.writeSet.writes.get(key);
    const value = own !== undefined ? own : await this.#state.get(key);
    return value == null ? new Uint8Array() : encoder.encode(value);
  }

  putState(key: string, value: Uint8Array): Promise<void> {
    return promised(() => {
      if (!key) throw new Error('key must not be empty');
      this.writeSet.writes.set(key, decoder.decode(value));
    });
  }

  deleteState(key: string): Promise<void> {
    return promised(() => {
      this.writeSet.writes.set(key, null);
    });
  }

  createCompositeKey(objectType: string, attributes: string[]): string {
    for (const part of [objectType, ...attributes]) {
      if (part.includes(MIN_UNICODE_RUNE) || part.includes(MAX_UNICODE_RUNE)) {
        throw new Error('composite key parts must not contain U+0000 or U+10FFFF');
      }
    }
    return COMPOSITE_KEY_NAMESPACE + objectType + MIN_UNICODE_RUNE + attributes.map((a) => a + MIN_UNICODE_RUNE).join('');
  }

  splitCompositeKey(compositeKey: string): { objectType: string; attributes: string[] } {
    const parts = compositeKey.slice(1).split(MIN_UNICODE_RUNE);
    parts.pop();
    const [objectType = '', ...attributes] = parts;
    return { objectType, attributes };
  }

  async getStateByRange(startKey: string, endKey: string): Promise<Iterators.StateQueryIterator> {
    return this.#rangeIterator(startKey, endKey || MAX_UNICODE_RUNE);
  }

  async getStateByPartialCompositeKey(objectType: string, attributes: string[]): Promise<Iterators.StateQueryIterator> {
    const prefix = this.createCompositeKey(objectType, attributes);
    return this.#rangeIterator(prefix, prefix + MAX_UNICODE_RUNE);
  }

  /**
   * A page of a partial composite key's rows, as Fabric's LevelDB state answers it: the bookmark is
   * the key to start from, and the one returned is the first key of the next page ('' at the end).
   * Like Fabric, meant for read-only transactions.
   */
  async getStateByPartialCompositeKeyWithPagination(
    objectType: string,
    attributes: string[],
    pageSize: number,
    bookmark = '',
  ): Promise<StateQueryResponse<Iterators.StateQueryIterator>> {
    const prefix = this.createCompositeKey(objectType, attributes);
    const end = prefix + MAX_UNICODE_RUNE;
    const start = bookmark > prefix ? bookmark : prefix;
    const rows = await this.#rows(start, end, pageSize + 1);
    const next = rows.length > pageSize ? (rows[pageSize]?.key ?? '') : '';
    const page = rows.slice(0, pageSize);
    return { iterator: listIterator(page) as unknown as Iterators.StateQueryIterator, metadata: { fetchedRecordsCount: page.length, bookmark: next } };
  }

  async getHistoryForKey(key: string): Promise<Iterators.HistoryQueryIterator> {
    const history = await this.#state.history(key);
    return listIterator(
      history.map((h) => ({
        txId: h.txId,
        value: h.value == null ? new Uint8Array() : encoder.encode(h.value),
        isDelete: h.value == null,
        timestamp: { seconds: Math.floor(h.timestamp / 1000), nanos: (h.timestamp % 1000) * 1_000_000 },
      })),
    ) as unknown as Iterators.HistoryQueryIterator;
  }

  async getPrivateData(collection: string, key: string): Promise<Uint8Array> {
    this.#requireMember(collection, 'read');
    const own = this.writeSet.privateWrites.get(privateKey(collection, key));
    const value = own ?? (await this.#state.getPrivate(collection, key));
    return value == null ? new Uint8Array() : encoder.encode(value);
  }

  /** The hash of private data, readable by non-members as on Fabric. */
  async getPrivateDataHash(collection: string, key: string): Promise<Uint8Array> {
    this.#requireCollection(collection);
    const value = this.writeSet.privateWrites.get(privateKey(collection, key)) ?? (await this.#state.getPrivate(collection, key));
    return value == null ? new Uint8Array() : createHash('sha256').update(value).digest();
  }

  putPrivateData(collection: string, key: string, value: Uint8Array): Promise<void> {
    return promised(() => {
      this.#requireMember(collection, 'write');
      this.writeSet.privateWrites.set(privateKey(collection, key), decoder.decode(value));
    });
  }

  setEvent(name: string, payload: Uint8Array): void {
    // As on Fabric, only the last event of a transaction counts.
    this.writeSet.event = { name, payload: decoder.decode(payload) };
  }

  #requireCollection(collection: string): CollectionName {
    if (!Object.hasOwn(COLLECTIONS, collection)) throw new Error(`collection ${collection} is not defined`);
    return collection as CollectionName;
  }

  #requireMember(collection: string, access: 'read' | 'write'): void {
    const members = COLLECTIONS[this.#requireCollection(collection)] as readonly Agency[];
    if (!members.includes(this.#tx.agency)) {
      throw new Error(`tx creator does not have ${access} access permission on privatedata in collection ${collection}`);
    }
  }

  async #rangeIterator(start: string, end: string): Promise<Iterators.StateQueryIterator> {
    return listIterator(await this.#rows(start, end)) as unknown as Iterators.StateQueryIterator;
  }

  /** Committed rows with this transaction's own writes over them, in key order. */
  async #rows(start: string, end: string, limit?: number): Promise<Array<{ key: string; value: Uint8Array }>> {
    const merged = new Map<string, string | null>();
    for (const [key, value] of await this.#state.range(start, end, limit)) merged.set(key, value);
    for (const [key, value] of this.writeSet.writes) if (key >= start && key < end) merged.set(key, value);
    const rows = [...merged.entries()]
      .filter((row): row is [string, string] => row[1] !== null)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([key, value]) => ({ key, value: encoder.encode(value) }));
    return limit === undefined ? rows : rows.slice(0, limit);
  }
}

function listIterator<T>(rows: readonly T[]): { next(): Promise<{ value: T; done: boolean }>; close(): Promise<void> } {
  let index = 0;
  return {
    next() {
      const value = rows[index++];
      return Promise.resolve(value === undefined ? { value: undefined as unknown as T, done: true } : { value, done: false });
    },
    async close() {},
  };
}

/**
 * The caller's identity as the contract sees it through ctx.clientIdentity. Its one attribute is
 * the bound on the units it may act for, as fabric-ca writes `correction.units` into a certificate.
 */
export class EmbeddedClientIdentity {
  readonly #agency: Agency;
  readonly #units: string | null;
  constructor(agency: Agency, units: string | null = null) {
    this.#agency = agency;
    this.#units = units;
  }
  getMSPID(): string {
    return MSP_OF_AGENCY[this.#agency];
  }
  getID(): string {
    return `x509::CN=gateway,OU=${this.#agency}::CN=embedded-ca`;
  }
  getAttributeValue(name: string): string | null {
    return name === UNITS_ATTRIBUTE ? this.#units : null;
  }
  assertAttributeValue(name: string, value: string): boolean {
    return this.getAttributeValue(name) === value;
  }
}

