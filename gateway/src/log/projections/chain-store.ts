import type { Entry, Obligation } from 'correction-chaincode/domain';
import type { Level } from 'level';
import type { StoredObligation } from '../records.js';
import type { Commit, LogBatch, Projection } from './projection.js';
import { noCommit, opened } from './projection.js';

/** What one update brings to the subjects' chains and the statutory clock. */
export interface ChainUpdate {
  /** Public entries to keep per subject (the chains the statutory clock reads). */
  readonly entries?: readonly Entry[];
  /** Each subject's obligations, recomputed from its chain. */
  readonly obligations?: ReadonlyArray<{ readonly subjectRef: string; readonly obligations: readonly Obligation[] }>;
  /** Obligations whose overdue notice this update carries, so that none is sent twice. */
  readonly noticedOverdue?: readonly StoredObligation[];
}

const obligationKey = (o: { subjectRef: string; rule: string; startedBy: string }) => `${o.subjectRef}\u0000${o.rule}\u0000${o.startedBy}`;

/**
 * Each subject's public chain as the log has followed it, and the obligations computed from it:
 * what the statutory clock reads without asking the ledger.
 */
export class ChainStore implements Projection<ChainUpdate> {
  readonly #chains;
  readonly #obligations;

  private constructor(db: Level) {
    this.#chains = db.sublevel('chain', { valueEncoding: 'utf8' });
    this.#obligations = db.sublevel('obligation', { valueEncoding: 'utf8' });
  }

  static async open(db: Level): Promise<ChainStore> {
    const store = new ChainStore(db);
    await opened(store.#chains, store.#obligations);
    return store;
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

  /** Chains and obligations live on disk only: nothing to take in after the write. */
  stage(batch: LogBatch, update: ChainUpdate): Commit {
    this.#putChains(batch, update.entries ?? []);
    this.#putObligations(batch, update.obligations ?? [], update.noticedOverdue ?? []);
    return noCommit;
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
  #putObligations(batch: LogBatch, recomputed: NonNullable<ChainUpdate['obligations']>, noticedOverdue: readonly StoredObligation[]): void {
    for (const { subjectRef, obligations } of recomputed) {
      for (const obligation of obligations) {
        const key = obligationKey({ subjectRef, ...obligation });
        const previous = this.#obligations.getSync(key);
        const noticed = previous ? (JSON.parse(previous) as StoredObligation).overdueNoticed === true : false;
        batch.put(key, JSON.stringify({ subjectRef, ...obligation, ...(noticed ? { overdueNoticed: true } : {}) }), { sublevel: this.#obligations });
      }
    }
    // Marked on the obligation as it stands now: one the follower recomputed since the sweep read it keeps its news.
    for (const obligation of noticedOverdue) {
      const key = obligationKey(obligation);
      const current = this.#obligations.getSync(key);
      const latest = current === undefined ? obligation : (JSON.parse(current) as StoredObligation);
      batch.put(key, JSON.stringify({ ...latest, overdueNoticed: true }), { sublevel: this.#obligations });
    }
  }
}
