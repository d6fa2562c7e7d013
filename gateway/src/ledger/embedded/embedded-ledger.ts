import { createHash, randomBytes } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { Level, type ChainedBatch } from 'level';
import { MSP_OF_AGENCY, sha256Hex } from 'correction-chaincode/domain';
import type { Sealer } from '../../store/sealer.js';
import { actorTransient, LedgerUnavailableError, type Caller, type Ledger, type LedgerEvent, type SubmitResult } from '../port.js';
import { blockHash, makeBlock, ZERO_HASH, type Block, type BlockTransaction } from './block.js';
import { loadContract, type ContractRuntime } from './contract-runtime.js';
import { maintenanceOf } from './maintenance.js';
import { EmbeddedStub, type TransactionInput, type WriteSet } from './stub.js';
import { BlockOverlay, blockKey, CommittedState, historyKey, LedgerStore } from './world-state.js';

export interface EmbeddedLedgerOptions {
  /** Folder of the LevelDB files. */
  readonly dataDir: string;
  /** Seals private documents at rest, under the gateway's document key. */
  readonly sealer: Sealer;
  /** Most transactions cut into one block. */
  readonly maxBlockTransactions?: number;
  /**
   * The unit prefixes (comma-separated) the agencies' identities may act for, as the
   * `correction.units` certificate attribute bounds a gateway on Fabric; unset for any unit.
   */
  readonly units?: string | undefined;
}

interface Pending {
  readonly input: TransactionInput;
  readonly resolve: (result: SubmitResult) => void;
  readonly reject: (error: unknown) => void;
}

/** A transaction that ran, with the payload its submitter gets once its block is written. */
interface Accepted {
  readonly pending: Pending;
  readonly payload: Uint8Array;
}

type LedgerBatch = ChainedBatch<Level, string, string>;

interface ChainTip {
  readonly height: number;
  readonly hash: string;
}

const encoder = new TextEncoder();

/**
 * The real contract run in-process over LevelDB. Transactions are executed one at a time; those
 * waiting while a block is written are cut into the next block, whose header chains to the
 * previous one by SHA-256. A failed transaction writes nothing. Emits 'block' after each commit;
 * followEvents replays and follows the chaincode events.
 */
export class EmbeddedLedger extends EventEmitter implements Ledger {
  readonly store: LedgerStore;
  readonly #dataDir: string;
  readonly #runtime: ContractRuntime;
  readonly #maxBlockTransactions: number;
  readonly #units: string | null;
  #tip: ChainTip;
  #pending: Pending[] = [];
  #cutting = false;
  #closed = false;

  private constructor(dataDir: string, store: LedgerStore, runtime: ContractRuntime, tip: ChainTip, options: Readonly<EmbeddedLedgerOptions>) {
    super();
    this.#dataDir = dataDir;
    this.store = store;
    this.#runtime = runtime;
    this.#tip = tip;
    this.#maxBlockTransactions = options.maxBlockTransactions ?? 500;
    this.#units = options.units ?? null;
  }

  static async open(options: Readonly<EmbeddedLedgerOptions>): Promise<EmbeddedLedger> {
    const dir = join(options.dataDir, 'ledger');
    await mkdir(dir, { recursive: true, mode: 0o700 });
    const db = new Level<string, string>(dir, { keyEncoding: 'utf8', valueEncoding: 'utf8' });
    await db.open();
    const store = new LedgerStore(db, options.sealer);
    const tip = await readTip(store);
    const runtime = await loadContract();
    return new EmbeddedLedger(options.dataDir, store, runtime, tip, options);
  }

  submit(
    caller: Caller,
    fn: string,
    args: readonly string[],
    transient: Readonly<Record<string, Uint8Array>> = {},
  ): Promise<SubmitResult> {
    if (this.#closed) return Promise.reject(new LedgerUnavailableError('the embedded ledger is closed'));
    const maintenance = maintenanceOf(this.#dataDir);
    if (maintenance) return Promise.reject(new LedgerUnavailableError(`the embedded ledger is paused for maintenance since ${maintenance.since}`));
    const input = newTransaction(caller, fn, args, transient);
    return new Promise((resolve, reject) => {
      this.#pending.push({ input, resolve, reject });
      if (!this.#cutting) void this.#cutBlocks();
    });
  }

  async evaluate(caller: Caller, fn: string, args: readonly string[]): Promise<Uint8Array> {
    if (this.#closed) throw new LedgerUnavailableError('the embedded ledger is closed');
    const snapshot = this.store.db.snapshot();
    try {
      const stub = new EmbeddedStub(new CommittedState(this.store, snapshot), newTransaction(caller, fn, args, {}));
      return encoder.encode(await this.#runtime.invoke(stub, { agency: caller.agency, units: this.#units }, fn, args));
    } finally {
      await snapshot.close();
    }
  }

  height(): Promise<number> {
    return Promise.resolve(this.#tip.height);
  }

  async blockNumberOf(txId: string): Promise<number | undefined> {
    if (this.#closed) throw new LedgerUnavailableError('the embedded ledger is closed');
    const block = await this.store.txIndex.get(txId);
    return block === undefined ? undefined : Number(block);
  }

  ready(): Promise<boolean> {
    return Promise.resolve(!this.#closed && this.store.db.status === 'open');
  }

  /** Committed blocks from `from` on, in order. */
  async *blocks(from = 0): AsyncGenerator<Block> {
    for await (const value of this.store.blocks.values({ gte: blockKey(from) })) {
      yield JSON.parse(value) as Block;
    }
  }

  async *followEvents(fromBlock: number, signal: AbortSignal): AsyncGenerator<LedgerEvent> {
    // Listen before reading stored blocks, so that no block falls between the two.
    const arrived: Block[] = [];
    let wake: (() => void) | undefined;
    const onBlock = (block: Block) => {
      arrived.push(block);
      wake?.();
    };
    const onAbort = () => wake?.();
    this.on('block', onBlock);
    signal.addEventListener('abort', onAbort);
    try {
      let next = fromBlock;
      for await (const block of this.blocks(fromBlock)) {
        if (signal.aborted) return;
        yield* eventsOf(block);
        next = block.header.number + 1;
      }
      while (!signal.aborted) {
        const block = arrived.shift();
        if (!block) {
          await new Promise<void>((resolve) => (wake = resolve));
          continue;
        }
        if (block.header.number < next) continue;
        yield* eventsOf(block);
        next = block.header.number + 1;
      }
    } finally {
      this.off('block', onBlock);
      signal.removeEventListener('abort', onAbort);
    }
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    while (this.#cutting) await new Promise((resolve) => setTimeout(resolve, 5));
    await this.store.db.close();
  }

  async #cutBlocks(): Promise<void> {
    this.#cutting = true;
    try {
      while (this.#pending.length > 0) {
        await this.#commitBlock(this.#pending.splice(0, this.#maxBlockTransactions));
      }
    } finally {
      this.#cutting = false;
    }
  }

  async #commitBlock(batch: readonly Pending[]): Promise<void> {
    const overlay = new BlockOverlay(new CommittedState(this.store));
    const { transactions, accepted } = await this.#execute(batch, overlay);
    if (transactions.length === 0) return;

    const block = makeBlock(this.#tip.height, this.#tip.hash, transactions);
    const hash = blockHash(block.header);
    const batchOps = this.#blockWrites(block, hash, overlay);
    try {
      await batchOps.write();
    } catch (cause) {
      const error = new LedgerUnavailableError('could not write the block', { cause });
      for (const { pending } of accepted) pending.reject(error);
      return;
    }
    this.#tip = { height: block.header.number + 1, hash };
    for (const { pending, payload } of accepted) {
      pending.resolve({ payload, txId: pending.input.txId, blockNumber: block.header.number });
    }
    this.emit('block', block);
  }

  /**
   * Runs each transaction over the block's overlay, so that later ones see earlier ones' writes.
   * A failed transaction is rejected at once and leaves nothing behind.
   */
  async #execute(batch: readonly Pending[], overlay: BlockOverlay): Promise<{ transactions: BlockTransaction[]; accepted: Accepted[] }> {
    const transactions: BlockTransaction[] = [];
    const accepted: Accepted[] = [];
    for (const pending of batch) {
      const { input } = pending;
      const stub = new EmbeddedStub(overlay, input);
      try {
        const payload = await this.#runtime.invoke(stub, { agency: input.agency, units: this.#units }, input.fn, input.args);
        const { writes, privateWrites } = stub.writeSet;
        for (const [key, value] of writes) overlay.writes.set(key, value);
        for (const [key, value] of privateWrites) overlay.privateWrites.set(key, value);
        transactions.push(blockTransaction(input, stub.writeSet));
        accepted.push({ pending, payload: encoder.encode(payload) });
      } catch (error) {
        pending.reject(error);
      }
    }
    return { transactions, accepted };
  }

  /** The block, its state, history, index and private writes, and the new tip, as one batch. */
  #blockWrites(block: Block, hash: string, overlay: BlockOverlay): LedgerBatch {
    const batchOps = this.store.db.batch();
    block.transactions.forEach((tx, txNumber) => {
      for (const [key, value] of tx.writes) {
        if (value === null) batchOps.del(key, { sublevel: this.store.state });
        else batchOps.put(key, value, { sublevel: this.store.state });
        const record = JSON.stringify({ txId: tx.txId, timestamp: tx.timestamp, value });
        batchOps.put(historyKey(key, block.header.number, txNumber), record, { sublevel: this.store.history });
      }
      batchOps.put(tx.txId, String(block.header.number), { sublevel: this.store.txIndex });
    });
    // Sealed as they are written: the block recorded the hash of the plaintext, which audits check.
    for (const [compound, value] of overlay.privateWrites) this.store.privateData.putIn(batchOps, compound, value);
    batchOps.put(blockKey(block.header.number), JSON.stringify(block), { sublevel: this.store.blocks });
    batchOps.put('tip', JSON.stringify({ height: block.header.number + 1, hash }), { sublevel: this.store.meta });
    return batchOps;
  }
}

/** A transaction as its block keeps it: private writes by collection, key and hash of the value only. */
function blockTransaction(input: TransactionInput, writeSet: WriteSet): BlockTransaction {
  return {
    txId: input.txId,
    timestamp: input.timestamp.getTime(),
    mspId: MSP_OF_AGENCY[input.agency],
    fn: input.fn,
    args: input.args,
    writes: [...writeSet.writes],
    privateWrites: [...writeSet.privateWrites].map(([compound, value]) => {
      const [collection = '', key = ''] = compound.split('\u0000');
      return [collection, key, sha256Hex(value)] as const;
    }),
    event: writeSet.event ?? null,
  };
}

/** The chaincode events of a block, in transaction order. */
function* eventsOf(block: Block): Generator<LedgerEvent> {
  for (const tx of block.transactions) {
    if (tx.event) {
      yield { blockNumber: block.header.number, txId: tx.txId, name: tx.event.name, payload: encoder.encode(tx.event.payload) };
    }
  }
}

/** A transaction proposal as a peer would receive it: id from a nonce and the creator, as Fabric does. */
function newTransaction(
  caller: Caller,
  fn: string,
  args: readonly string[],
  transient: Readonly<Record<string, Uint8Array>>,
): TransactionInput {
  const txId = createHash('sha256').update(randomBytes(24)).update(MSP_OF_AGENCY[caller.agency]).digest('hex');
  const all = { ...transient, ...actorTransient(caller) };
  return { txId, timestamp: new Date(), agency: caller.agency, fn, args: [...args], transient: new Map(Object.entries(all)) };
}

async function readTip(store: LedgerStore): Promise<ChainTip> {
  const raw = await store.meta.get('tip');
  return raw ? (JSON.parse(raw) as ChainTip) : { height: 0, hash: ZERO_HASH };
}

