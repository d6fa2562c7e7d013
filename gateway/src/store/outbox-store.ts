import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { Level } from 'level';
import type { Actor, Agency, Entry, MinimalStatus, SubjectStatus } from 'correction-chaincode/domain';
import { SealedSublevel } from './sealed-sublevel.js';
import type { Sealer } from './sealer.js';

/** What a pending submission will ask the ledger: the subject by reference, never by ID number. */
export interface SubmissionRequest {
  readonly subjectRef: string;
  readonly type: string;
  readonly occurredAt: string;
  readonly amends: string | null;
  readonly document: unknown;
}

/** An entry as the gateway answers it: the entry, the status after it, and this gateway's receipt. */
export interface RecordedResponse {
  readonly entry: Entry;
  /** The status after the entry, as the recorder may read it. */
  readonly status: SubjectStatus | MinimalStatus;
  readonly receipt: string;
}

/** A refusal as the API answers it (RFC 9457 problem details with a stable code). */
export interface RefusalProblem {
  readonly code: string;
  readonly status: number;
  readonly detail: string;
  readonly [extension: string]: unknown;
}

export type SubmissionState = 'pending' | 'committed' | 'refused';

/** A request the gateway accepted while it could not settle it with the ledger. */
export interface Submission {
  readonly id: string;
  /** Acceptance order: the drainer submits each subject's submissions in this order. */
  readonly seq: number;
  readonly agency: Agency;
  /** Who asked: the ledger is told, when the submission goes out, that this person of this unit acts. */
  readonly actor: Actor;
  /** SHA-256 of the idempotency key the ledger records with the entry. */
  readonly keyHash: string;
  /** The client sent the key (a retry can name it); otherwise the gateway made one up. */
  readonly clientKey: boolean;
  readonly requestHash: string;
  readonly subjectRef: string;
  readonly type: string;
  readonly acceptedAt: string;
  readonly state: SubmissionState;
  /** What to submit, kept while pending only: a settled submission holds no document. */
  readonly request?: SubmissionRequest;
  readonly settledAt?: string;
  readonly recorded?: RecordedResponse;
  readonly problem?: RefusalProblem;
}

export type NewSubmission = Omit<Submission, 'seq' | 'state' | 'settledAt' | 'recorded' | 'problem'> & { readonly request: SubmissionRequest };

/** How a submission settled: committed with its entry, or refused with the ledger's problem. */
export type Settlement = { readonly recorded: RecordedResponse } | { readonly problem: RefusalProblem };

const pad = (n: number): string => String(n).padStart(16, '0');
const keyOf = (agency: string, keyHash: string): string => `${agency}\u0000${keyHash}`;
/** Every write reaches the disk before it is acknowledged: an accepted request survives a power cut. */
const DURABLE = { sync: true } as const;

export interface OutboxStoreOptions {
  /** Seals the submissions (a pending one holds its document) under the gateway's document key. */
  readonly sealer: Sealer;
}

/**
 * The outbox: requests accepted (202) while the ledger could not take them, in LevelDB of their
 * own, written with sync. Submissions are sealed; their indexes (acceptance order, agency and key
 * hash) hold ids and hashes only. Each settles once, dropping its document; a refusal stays listed
 * as not yet noticed until its notice is numbered.
 */
export class OutboxStore {
  readonly #db: Level;
  readonly #submissions: SealedSublevel;
  readonly #queue;
  readonly #keys;
  readonly #unnoticed;
  readonly #meta;
  /** Pending submissions per subject, so that a new request can tell whether it must queue. */
  readonly #pendingBySubject = new Map<string, number>();
  #seq = 0;
  /** Acceptances and settlements one at a time: a key is claimed once, a sequence number given once. */
  #writing: Promise<unknown> = Promise.resolve();

  private constructor(db: Level, sealer: Sealer) {
    this.#db = db;
    this.#submissions = new SealedSublevel(db, 'submission', sealer);
    this.#queue = db.sublevel('queue', { valueEncoding: 'utf8' });
    this.#keys = db.sublevel('key', { valueEncoding: 'utf8' });
    this.#unnoticed = db.sublevel('unnoticed', { valueEncoding: 'utf8' });
    this.#meta = db.sublevel('meta', { valueEncoding: 'utf8' });
  }

  static async open(dataDir: string, options: Readonly<OutboxStoreOptions>): Promise<OutboxStore> {
    const dir = join(dataDir, 'outbox');
    await mkdir(dir, { recursive: true, mode: 0o700 });
    const db = new Level(dir, { valueEncoding: 'utf8' });
    await db.open();
    const store = new OutboxStore(db, options.sealer);
    await store.#load();
    return store;
  }

  async close(): Promise<void> {
    await this.#writing;
    await this.#db.close();
  }

  /**
   * Accepts a submission, or returns the one already accepted under the same agency and key
   * (two retries racing into the outbox make one submission).
   */
  accept(submission: NewSubmission): Promise<{ submission: Submission; created: boolean }> {
    return this.#serially(async () => {
      const existing = this.#byKeySync(submission.agency, submission.keyHash);
      if (existing) return { submission: existing, created: false };
      const accepted: Submission = { ...submission, seq: this.#seq + 1, state: 'pending' };
      await this.#db.batch(
        [
          this.#submissions.putOperation(accepted.id, encode(accepted)),
          { type: 'put', key: pad(accepted.seq), value: accepted.id, sublevel: this.#queue },
          { type: 'put', key: keyOf(accepted.agency, accepted.keyHash), value: accepted.id, sublevel: this.#keys },
          { type: 'put', key: 'seq', value: String(accepted.seq), sublevel: this.#meta },
        ],
        DURABLE,
      );
      this.#seq = accepted.seq;
      this.#pendingBySubject.set(accepted.subjectRef, (this.#pendingBySubject.get(accepted.subjectRef) ?? 0) + 1);
      return { submission: accepted, created: true };
    });
  }

  /** Settles a pending submission once; settling one already settled returns it unchanged. */
  settle(id: string, settlement: Settlement, at: Date): Promise<Submission> {
    return this.#serially(async () => {
      const current = this.#getSync(id);
      if (!current) throw new Error(`no submission ${id}`);
      if (current.state !== 'pending') return current;
      const { request: _request, ...rest } = current;
      const settled: Submission =
        'recorded' in settlement
          ? { ...rest, state: 'committed', settledAt: at.toISOString(), recorded: settlement.recorded }
          : { ...rest, state: 'refused', settledAt: at.toISOString(), problem: settlement.problem };
      await this.#db.batch(
        [
          this.#submissions.putOperation(id, encode(settled)),
          { type: 'del', key: pad(current.seq), sublevel: this.#queue },
          ...(settled.state === 'refused' ? [{ type: 'put' as const, key: id, value: '', sublevel: this.#unnoticed }] : []),
        ],
        DURABLE,
      );
      const left = (this.#pendingBySubject.get(current.subjectRef) ?? 1) - 1;
      if (left > 0) this.#pendingBySubject.set(current.subjectRef, left);
      else this.#pendingBySubject.delete(current.subjectRef);
      return settled;
    });
  }

  /** The refusal's notice is numbered: it is not to be sent again. */
  async markNoticed(id: string): Promise<void> {
    await this.#db.batch([{ type: 'del', key: id, sublevel: this.#unnoticed }], DURABLE);
  }

  /** Refusals whose notice may not have been numbered yet (a crash in between). */
  async unnoticed(): Promise<Submission[]> {
    const ids = await this.#unnoticed.keys().all();
    return ids.map((id) => this.#getSync(id)).filter((s): s is Submission => s !== undefined);
  }

  async get(id: string): Promise<Submission | undefined> {
    const raw = await this.#submissions.get(id);
    return raw === undefined ? undefined : decode(raw);
  }

  byKey(agency: Agency, keyHash: string): Submission | undefined {
    return this.#byKeySync(agency, keyHash);
  }

  /** Pending submissions in acceptance order. */
  async pending(): Promise<Submission[]> {
    const ids = await this.#queue.values().all();
    return ids.map((id) => this.#getSync(id)).filter((s): s is Submission => s?.state === 'pending');
  }

  hasPending(subjectRef: string): boolean {
    return this.#pendingBySubject.has(subjectRef);
  }

  get pendingCount(): number {
    let count = 0;
    for (const n of this.#pendingBySubject.values()) count += n;
    return count;
  }

  #serially<T>(work: () => Promise<T>): Promise<T> {
    const done = this.#writing.then(work);
    this.#writing = done.catch(() => undefined);
    return done;
  }

  #getSync(id: string): Submission | undefined {
    const raw = this.#submissions.getSync(id);
    return raw === undefined ? undefined : decode(raw);
  }

  #byKeySync(agency: string, keyHash: string): Submission | undefined {
    const id = this.#keys.getSync(keyOf(agency, keyHash));
    return id === undefined ? undefined : this.#getSync(id);
  }

  async #load(): Promise<void> {
    this.#seq = Number((await this.#meta.get('seq')) ?? '0');
    for (const submission of await this.pending()) {
      this.#pendingBySubject.set(submission.subjectRef, (this.#pendingBySubject.get(submission.subjectRef) ?? 0) + 1);
    }
  }
}

function encode(submission: Submission): string {
  return JSON.stringify(submission);
}

function decode(raw: string): Submission {
  return JSON.parse(raw) as Submission;
}
