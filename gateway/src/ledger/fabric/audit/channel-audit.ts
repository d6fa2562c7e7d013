import type { common } from '@hyperledger/fabric-protos';
import { LedgerUnavailableError } from '../../port.js';
import type { AuditCheckpoint, AuditStore } from './audit-store.js';
import { BlockChecker } from './block-check.js';
import { BlockStep, checkTransactions } from './entry-check.js';
import { noFindings } from './findings.js';
import { compareRoot, type AuditedLog } from './log-check.js';
import { channelReport, type ChannelAuditReport } from './report.js';
import { findMissing, readState, settleSuspects, type StateDigestReader } from './state-check.js';

/** Where the channel's blocks, state and log come from. */
export interface ChannelAuditSources {
  readonly channel: string;
  readonly chaincode: string;
  /** The channel's blocks from a number on, in order, as the agency's peer delivers them (or a test's altered copy). */
  readonly blocks: (fromBlock: number, signal: AbortSignal) => AsyncIterable<common.Block>;
  /** The peer's block height now. */
  readonly height: () => Promise<number>;
  readonly stateDigests: StateDigestReader;
  /** The gateway's Merkle log; without one, the log check has nothing to compare. */
  readonly log?: AuditedLog | undefined;
  readonly store: AuditStore;
}

export interface ChannelAuditProgress {
  readonly phase: 'blocks' | 'state';
  /** Blocks read of the height, or state keys read. */
  readonly done: number;
  readonly total: number;
  readonly entries: number;
}

export interface ChannelAuditOptions {
  readonly onProgress?: (progress: ChannelAuditProgress) => void;
  /** Stops the audit at its next step, with its checkpoint saved: a later run continues from it. */
  readonly signal?: AbortSignal;
  /** Most blocks in one step (a checkpoint each); 200 unless given. */
  readonly stepBlocks?: number;
}

/** A step of the block pass ends after this many blocks or entries, whichever comes first. */
const STEP_BLOCKS = 200;
const STEP_ENTRIES = 5_000;

function freshCheckpoint(sources: ChannelAuditSources): AuditCheckpoint {
  return {
    channel: sources.channel,
    chaincode: sources.chaincode,
    genesisHash: '',
    nextBlock: 0,
    previousHeaderHash: '',
    signers: null,
    policy: null,
    entries: 0,
    transactions: 0,
    subjects: 0,
    log: { leaves: 0, compared: 0, edge: [], ended: false },
    state: null,
    suspects: [],
    stateHeight: 0,
    findings: noFindings(),
    finished: false,
  };
}

/**
 * Audits a Fabric channel through the agency's own peer: every block from the checkpoint on (header
 * chain, data hash, orderer signatures under the configuration in force), every valid transaction
 * of the chaincode (the subject chains it extends, the Merkle log's leaves), then the world state
 * against what the blocks wrote. Resumes from the checkpoint in its store; a finished audit
 * continues with the blocks added since and reads state afresh.
 */
export async function auditChannel(sources: ChannelAuditSources, options: ChannelAuditOptions = {}): Promise<ChannelAuditReport> {
  const saved = await sources.store.checkpoint();
  if (saved && (saved.channel !== sources.channel || saved.chaincode !== sources.chaincode)) {
    throw new Error(`the audit checkpoint is of ${saved.channel}/${saved.chaincode}: start over to audit ${sources.channel}/${sources.chaincode}`);
  }
  const checkpoint = saved ?? freshCheckpoint(sources);
  const resumedFromBlock = checkpoint.nextBlock;
  if (checkpoint.finished) {
    checkpoint.finished = false;
    checkpoint.state = null;
    await sources.store.clearSeen();
  }
  const audit = new ChannelAudit(sources, checkpoint, options);
  const complete = await audit.run();
  return channelReport(checkpoint, { complete, resumedFromBlock, logSize: sources.log?.size });
}

class ChannelAudit {
  readonly #sources: ChannelAuditSources;
  readonly #checkpoint: AuditCheckpoint;
  readonly #options: ChannelAuditOptions;
  readonly #blocks = new BlockChecker();
  #height = 0;
  #stateKeys = 0;

  constructor(sources: ChannelAuditSources, checkpoint: AuditCheckpoint, options: ChannelAuditOptions) {
    this.#sources = sources;
    this.#checkpoint = checkpoint;
    this.#options = options;
  }

  /** True when every pass finished; false when stopped, with the checkpoint saved. */
  async run(): Promise<boolean> {
    const { store } = this.#sources;
    const checkpoint = this.#checkpoint;
    if (checkpoint.state === null) {
      if (!(await this.#readBlocksTo(await this.#sources.height()))) return false;
      checkpoint.stateHeight = checkpoint.nextBlock;
    }
    const state = { read: this.#sources.stateDigests, store, checkpoint, signal: this.#options.signal, onPage: (keys: number) => {
      this.#statePage(keys);
    } };
    if (!(await readState(state))) return false;
    if (checkpoint.suspects.length > 0) {
      if (!(await this.#readBlocksTo(await this.#sources.height()))) return false;
      await settleSuspects(state, checkpoint.findings);
    }
    await findMissing(store, checkpoint, checkpoint.findings);
    compareRoot(this.#sources.log, checkpoint.log, checkpoint.findings);
    checkpoint.finished = true;
    await store.commit({}, checkpoint);
    return true;
  }

  /** Reads blocks up to (not including) `height`, a step at a time; false if stopped first. */
  async #readBlocksTo(height: number): Promise<boolean> {
    this.#height = height;
    const checkpoint = this.#checkpoint;
    if (checkpoint.nextBlock >= height) return true;
    const source = new AbortController();
    try {
      await this.#readSteps(height, source.signal);
    } finally {
      source.abort();
    }
    if (checkpoint.nextBlock < height && !this.#options.signal?.aborted) {
      throw new LedgerUnavailableError(`the peer stopped delivering blocks at block ${checkpoint.nextBlock} of ${height}`);
    }
    return checkpoint.nextBlock >= height;
  }

  /** Reads blocks a step at a time, committing each; stops at the height, or after a step once asked to. */
  async #readSteps(height: number, signal: AbortSignal): Promise<void> {
    const checkpoint = this.#checkpoint;
    const stepBlocks = this.#options.stepBlocks ?? STEP_BLOCKS;
    let step = new BlockStep();
    for await (const block of this.#sources.blocks(checkpoint.nextBlock, signal)) {
      this.#readBlock(block, step);
      const reached = checkpoint.nextBlock >= height;
      if (!reached && step.blocks < stepBlocks && step.entries < STEP_ENTRIES) continue;
      await this.#commit(step);
      step = new BlockStep();
      if (reached || this.#options.signal?.aborted) return;
    }
    if (step.blocks > 0) await this.#commit(step);
  }

  #readBlock(block: common.Block, step: BlockStep): void {
    const checkpoint = this.#checkpoint;
    const number = checkpoint.nextBlock;
    this.#blocks.check(block, checkpoint, checkpoint.findings);
    checkTransactions(block, number, step, {
      chaincode: this.#sources.chaincode,
      store: this.#sources.store,
      checkpoint,
      findings: checkpoint.findings,
      log: this.#sources.log,
    });
    step.blocks++;
  }

  async #commit(step: BlockStep): Promise<void> {
    await this.#sources.store.commit({ tips: step.tips, written: step.written }, this.#checkpoint);
    this.#options.onProgress?.({ phase: 'blocks', done: this.#checkpoint.nextBlock, total: this.#height, entries: this.#checkpoint.entries });
  }

  #statePage(keys: number): void {
    this.#stateKeys += keys;
    this.#options.onProgress?.({ phase: 'state', done: this.#stateKeys, total: this.#checkpoint.entries + this.#checkpoint.subjects, entries: this.#checkpoint.entries });
  }
}
