import type { CheckpointCosignature } from 'correction-chaincode/domain';
import type { Level } from 'level';
import type { FinalCheckpoint } from '../records.js';
import { noCommit, opened, pad, type Commit, type LogBatch, type Projection } from './projection.js';

/** The agency cosignatures one update found anchored on chain. */
export interface CosignatureUpdate {
  readonly cosignatures?: readonly CheckpointCosignature[];
}

/**
 * Checkpoints and who signed them: agency cosignatures as the chain anchored them (fed by the
 * follower), witness cosignatures as the witnesses answered, and the checkpoints found final.
 * Witness lines and final checkpoints are this gateway's own conclusions, not the ledger's: they
 * are written when reached, and reached again from the anchored cosignatures after a crash.
 */
export class CheckpointStore implements Projection<CosignatureUpdate> {
  readonly #cosignatures;
  readonly #witnessed;
  readonly #offChain;
  readonly #final;
  #latestFinal: FinalCheckpoint | undefined;

  private constructor(db: Level) {
    this.#cosignatures = db.sublevel('cosig', { valueEncoding: 'utf8' });
    this.#witnessed = db.sublevel('witnessed', { valueEncoding: 'utf8' });
    this.#offChain = db.sublevel('offchain', { valueEncoding: 'utf8' });
    this.#final = db.sublevel('final', { valueEncoding: 'utf8' });
  }

  static async open(db: Level): Promise<CheckpointStore> {
    const store = new CheckpointStore(db);
    await opened(store.#cosignatures, store.#witnessed, store.#offChain, store.#final);
    const [latest] = await store.#final.values({ reverse: true, limit: 1 }).all();
    if (latest !== undefined) store.#latestFinal = JSON.parse(latest) as FinalCheckpoint;
    return store;
  }

  stage(batch: LogBatch, { cosignatures = [] }: CosignatureUpdate): Commit {
    for (const c of cosignatures) {
      batch.put(`${pad(c.treeSize)}:${c.agency}`, JSON.stringify(c), { sublevel: this.#cosignatures });
    }
    return noCommit;
  }

  /** Every cosignature the log has seen for a size. */
  async cosignaturesAt(size: number): Promise<CheckpointCosignature[]> {
    const rows = await this.#cosignatures.values({ gte: `${pad(size)}:`, lt: `${pad(size)}:~` }).all();
    return rows.map((row) => JSON.parse(row) as CheckpointCosignature);
  }

  /** Witnesses' cosignature lines for a size, by witness name. */
  async witnessCosignaturesAt(size: number): Promise<Record<string, string>> {
    const raw = await this.#witnessed.get(pad(size));
    return raw === undefined ? {} : (JSON.parse(raw) as Record<string, string>);
  }

  /**
   * Agency cosignature lines for a size that reached this gateway off chain — its own, and those
   * other agencies' gateways sent it — by agency: they make a checkpoint final before any anchor
   * commits.
   */
  async offChainCosignaturesAt(size: number): Promise<Record<string, string>> {
    const rows = await this.#offChain.iterator({ gte: `${pad(size)}:`, lt: `${pad(size)}:~` }).all();
    return Object.fromEntries(rows.map(([key, line]) => [key.slice(key.indexOf(':') + 1), line]));
  }

  /** Keeps an agency's cosignature line for a size, verified by the caller (one per agency: the latest). */
  async putOffChainCosignature(size: number, agency: string, line: string): Promise<void> {
    await this.#offChain.put(`${pad(size)}:${agency}`, line);
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
}
