import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { Level } from 'level';
import type { ChainTip, DigestKind } from 'correction-chaincode/domain';
import type { BlockSigners } from 'correction-verifier/fabric-block';
import type { BlockPolicy } from './block-policy.js';
import type { Findings } from './findings.js';

/** What a block wrote to a key of state: where, and the SHA-256 (hex) of the value. */
export interface Written {
  readonly block: number;
  readonly digest: string;
  readonly txId: string;
}

/** Where the audit stands, saved with every step so that a second run continues from it. */
export interface AuditCheckpoint {
  readonly channel: string;
  readonly chaincode: string;
  /** The hash of block 0's header: the channel's genesis, which the audit trusts and names. */
  genesisHash: string;
  /** The next block to read, and the header hash of the one before it. */
  nextBlock: number;
  previousHeaderHash: string;
  /** Who signs blocks, and how many must, as the last configuration block read says. */
  signers: BlockSigners | null;
  policy: BlockPolicy | null;
  /** Entries and transactions of the chaincode read so far (valid ones). */
  entries: number;
  transactions: number;
  /** Subjects whose chains the blocks started. */
  subjects: number;
  /**
   * The Merkle log: leaves the blocks made so far, those compared with the log, the right edge of
   * their tree, and whether the log ended first.
   */
  log: { leaves: number; compared: number; edge: Array<{ level: number; hash: string }>; ended: boolean };
  /** Keys whose state did not match the blocks when the state pass read them: checked again once the blocks are read to the new height. */
  suspects: Array<{ kind: DigestKind; attributes: string[] }>;
  /** The height the blocks were read to when the state pass began: everything written below it must be in state. */
  stateHeight: number;
  /** Where the state pass stands: the kind of state and the bookmark of its next page; null before it starts. */
  state: { kind: DigestKind; bookmark: string } | null;
  findings: Findings;
  /** Whether the last run finished; a finished audit continues with the blocks added since. */
  finished: boolean;
}

type Db = Level;

/**
 * The audit's checkpoint in the data directory (audit/fabric, LevelDB): where it stands, each
 * subject's chain tip, and the digest of every entry and status the blocks wrote, with the keys the
 * state pass has found. Each step commits in one synchronous batch, so a killed audit resumes
 * from its last step with nothing counted twice.
 */
export class AuditStore {
  readonly #db: Db;
  readonly tips;
  readonly written;
  readonly seen;
  readonly #meta;

  private constructor(db: Db) {
    this.#db = db;
    this.tips = db.sublevel('tip', { valueEncoding: 'utf8' });
    this.written = db.sublevel('written', { valueEncoding: 'utf8' });
    this.seen = db.sublevel('seen', { valueEncoding: 'utf8' });
    this.#meta = db.sublevel('meta', { valueEncoding: 'utf8' });
  }

  /** Opens the checkpoint under the data directory; `restart` drops what a previous audit left. */
  static async open(dataDir: string, restart = false): Promise<AuditStore> {
    const dir = join(dataDir, 'audit', 'fabric');
    if (restart) await rm(dir, { recursive: true, force: true });
    await mkdir(dir, { recursive: true, mode: 0o700 });
    const db: Db = new Level(dir, { valueEncoding: 'utf8' });
    await db.open();
    const store = new AuditStore(db);
    await Promise.all([store.tips.open(), store.written.open(), store.seen.open(), store.#meta.open()]);
    return store;
  }

  async checkpoint(): Promise<AuditCheckpoint | undefined> {
    const raw = await this.#meta.get('checkpoint');
    return raw === undefined ? undefined : (JSON.parse(raw) as AuditCheckpoint);
  }

  tip(subjectRef: string): ChainTip | undefined {
    const raw = this.tips.getSync(subjectRef);
    return raw === undefined ? undefined : (JSON.parse(raw) as ChainTip);
  }

  writtenAt(key: string): Written | undefined {
    const raw = this.written.getSync(key);
    return raw === undefined ? undefined : (JSON.parse(raw) as Written);
  }

  /** Commits one step: the tips and writes it read, the keys it found in state, and where the audit stands. */
  async commit(step: { tips?: ReadonlyMap<string, ChainTip>; written?: ReadonlyMap<string, Written>; seen?: readonly string[] }, checkpoint: AuditCheckpoint): Promise<void> {
    const batch = this.#db.batch();
    for (const [ref, tip] of step.tips ?? []) batch.put(ref, JSON.stringify(tip), { sublevel: this.tips });
    for (const [key, written] of step.written ?? []) batch.put(key, JSON.stringify(written), { sublevel: this.written });
    for (const key of step.seen ?? []) batch.put(key, '', { sublevel: this.seen });
    batch.put('checkpoint', JSON.stringify(checkpoint), { sublevel: this.#meta });
    await batch.write({ sync: true });
  }

  /** Forgets which keys the last state pass found: a new pass reads state afresh. */
  async clearSeen(): Promise<void> {
    await this.seen.clear();
  }

  close(): Promise<void> {
    return this.#db.close();
  }
}

/** The audit's key for a state key: its kind and composite-key attributes, in the order state sorts them. */
export const stateKeyOf = (kind: DigestKind, attributes: readonly string[]): string => [kind, ...attributes].join('\u0000');
