import { EventEmitter, setMaxListeners } from 'node:events';
import pLimit, { type LimitFunction } from 'p-limit';
import { AGENCY_WIDE, isCollectionMember, type Agency, type Entry } from 'correction-chaincode/domain';
import { ApiError } from '../errors.js';
import type { NumberedNotice } from '../log/records.js';
import type { Logger } from '../logger.js';
import { backoffDelay, sleep, type Backoff } from '../retry.js';
import type { NoticeReader } from '../services/notice-reader.js';
import type { CursorFile } from './cursor-file.js';
import type { HeldFile } from './exchange-server.js';
import { listedFiles } from './listed-files.js';

export interface PrefetcherOptions {
  /** The agency this gateway serves. */
  readonly agency: Agency;
  readonly notices: NoticeReader;
  readonly files: { stat(hash: string): Promise<HeldFile | undefined> };
  readonly remote: { fetch(entry: Entry, hash: string): Promise<HeldFile> };
  /** The last notice whose files were all fetched (or given up on), kept across restarts. */
  readonly cursor: CursorFile;
  /** Files fetched at once. */
  readonly concurrency: number;
  /** Waits between attempts while a file cannot be fetched. */
  readonly backoff: Backoff;
  /** Attempts at a file that fails for any reason other than its holder being unreachable; those are retried until it is back. */
  readonly attempts: number;
  readonly logger?: Logger | undefined;
}

/** Notices read ahead of those whose files are still being fetched. */
const MAX_PENDING_NOTICES = 256;

/**
 * Fetches, in the background, the files of the entries this agency is entitled to, as their
 * notices arrive: the documents are there before a clerk opens them. Notices are read in order
 * from a cursor kept on disk, which moves past a notice once every file it lists is held (or given
 * up on), so a restart carries on with what was still to fetch.
 *
 * Emits 'held' (hash) when a file it fetched is kept.
 */
export class Prefetcher extends EventEmitter {
  readonly #o: PrefetcherOptions;
  readonly #limit: LimitFunction;
  readonly #abort = new AbortController();
  /** Notices read whose files are not all fetched yet. */
  readonly #pending = new Set<number>();
  #read = 0;
  #saved = 0;
  #wake: (() => void) | undefined;
  #dirty = true;
  #running: Promise<void> | undefined;

  constructor(options: PrefetcherOptions) {
    super();
    this.#o = options;
    this.#limit = pLimit(options.concurrency);
    // Every file waiting for its next attempt listens for the stop: as many as there are such files.
    setMaxListeners(0, this.#abort.signal);
  }

  readonly #onNotice = (): void => {
    this.#dirty = true;
    this.#wake?.();
  };

  async start(): Promise<void> {
    this.#read = await this.#o.cursor.read();
    this.#saved = this.#read;
    this.#o.notices.on('notice', this.#onNotice);
    this.#running ??= this.#run();
  }

  async close(): Promise<void> {
    this.#abort.abort();
    this.#o.notices.off('notice', this.#onNotice);
    this.#wake?.();
    await this.#running;
    this.#limit.clearQueue();
  }

  async #run(): Promise<void> {
    const signal = this.#abort.signal;
    while (!signal.aborted) {
      if (!this.#dirty || this.#pending.size >= MAX_PENDING_NOTICES) {
        await new Promise<void>((resolve) => (this.#wake = resolve));
        continue;
      }
      this.#dirty = false;
      try {
        await this.#readNotices();
      } catch (error) {
        this.#o.logger?.warn({ err: { name: (error as Error).name } }, 'prefetch could not read the notices; trying again');
        this.#dirty = true;
        await sleep(this.#o.backoff.baseMs, signal);
      }
    }
  }

  async #readNotices(): Promise<void> {
    const recipient = { agency: this.#o.agency, unit: AGENCY_WIDE };
    for (let batch = await this.#o.notices.noticesAfter(this.#read, recipient, 100); batch.length > 0; batch = await this.#o.notices.noticesAfter(this.#read, recipient, 100)) {
      for (const notice of batch) {
        this.#read = notice.id;
        const entry = this.#entitledEntry(notice);
        if (entry) this.#fetchAll(notice.id, entry);
      }
      if (this.#pending.size >= MAX_PENDING_NOTICES || this.#abort.signal.aborted) {
        this.#dirty = true;
        break;
      }
    }
    this.#advance();
  }

  /** The entry a notice brings, when it lists files this agency is entitled to and did not record itself. */
  #entitledEntry(notice: NumberedNotice): Entry | undefined {
    const entry = (notice.kind === 'entry' ? notice.data['entry'] : undefined) as Entry | undefined;
    if (!entry || entry.agency === this.#o.agency || !isCollectionMember(entry.collection, this.#o.agency)) return undefined;
    return listedFiles(entry).length > 0 ? entry : undefined;
  }

  #fetchAll(noticeId: number, entry: Entry): void {
    this.#pending.add(noticeId);
    void Promise.all(listedFiles(entry).map((file) => this.#fetch(entry, file.hash))).then(() => {
      // Stopped before its files were held: the notice stays to be read again after a restart.
      if (this.#abort.signal.aborted) return;
      this.#pending.delete(noticeId);
      this.#advance();
      this.#wake?.();
    });
  }

  /** One file: attempts until it is held, the gateway closes, or it fails otherwise than by an unreachable holder too often. */
  async #fetch(entry: Entry, hash: string): Promise<void> {
    const signal = this.#abort.signal;
    for (let attempt = 1; !signal.aborted; attempt++) {
      try {
        const fetched = await this.#limit(async () => (signal.aborted ? undefined : (await this.#o.files.stat(hash)) ?? this.#o.remote.fetch(entry, hash)));
        if (fetched) this.emit('held', hash);
        return;
      } catch (error) {
        const unreachable = error instanceof ApiError && error.code === 'FILE_HOLDER_UNAVAILABLE';
        if (!unreachable && attempt >= this.#o.attempts) {
          this.#o.logger?.warn({ hash, entryId: entry.id, holder: entry.agency, code: (error as { code?: unknown }).code }, 'prefetch gave up on a file; it is fetched when first asked for');
          return;
        }
        const delayMs = backoffDelay(attempt, this.#o.backoff);
        this.#o.logger?.info({ hash, entryId: entry.id, holder: entry.agency, code: (error as { code?: unknown }).code, attempt, delayMs }, 'prefetch will try a file again');
        await sleep(delayMs, signal);
      }
    }
  }

  /** Keeps the cursor just before the first notice still being fetched. */
  #advance(): void {
    const waiting = [...this.#pending];
    const done = waiting.length === 0 ? this.#read : Math.min(...waiting) - 1;
    if (done <= this.#saved) return;
    this.#saved = done;
    this.#o.cursor.write(done).catch((error: unknown) => {
      this.#o.logger?.warn({ err: { name: (error as Error).name, code: (error as { code?: unknown }).code } }, 'prefetch could not save its place in the notices');
    });
  }
}
