import { EventEmitter } from 'node:events';
import type { Level } from 'level';
import { isAddressedTo, type Notice, type NoticeRecipient, type NumberedNotice } from '../records.js';
import { opened, pad, type Commit, type LogBatch, type Projection } from './projection.js';

/** The notices of one update: those the ledger brought, and once-only ones from elsewhere. */
export interface NoticeUpdate {
  readonly notices?: readonly Notice[];
  /**
   * Notices that do not come from the ledger, each under a key that makes it once-only: a notice
   * whose key the log already holds is not numbered again.
   */
  readonly onceNotices?: ReadonlyArray<{ readonly key: string; readonly notice: Notice }>;
}

/**
 * This gateway's numbered notices, in order: the SSE event ids and the webhooks' cursors. A
 * notice is stored as the record it was given, numbered, so new fields need nothing here.
 *
 * Emits 'notice' (NumberedNotice) once a notice is written.
 */
export class NoticeLog extends EventEmitter implements Projection<NoticeUpdate> {
  readonly #notices;
  readonly #keys;
  #count = 0;

  private constructor(db: Level) {
    super();
    this.#notices = db.sublevel('notice', { valueEncoding: 'utf8' });
    this.#keys = db.sublevel('noticeKey', { valueEncoding: 'utf8' });
  }

  /** Opens the notices in the log's LevelDB: the last one's id is the count. */
  static async open(db: Level): Promise<NoticeLog> {
    const log = new NoticeLog(db);
    await opened(log.#notices, log.#keys);
    const [last] = await log.#notices.keys({ reverse: true, limit: 1 }).all();
    log.#count = last === undefined ? 0 : Number(last);
    return log;
  }

  /** The id of the last notice numbered (0 before any). */
  get lastNoticeId(): number {
    return this.#count;
  }

  /** Notices after `afterId` for a recipient, in order. */
  async noticesAfter(afterId: number, recipient: NoticeRecipient, limit = 1_000): Promise<NumberedNotice[]> {
    const found: NumberedNotice[] = [];
    for await (const value of this.#notices.values({ gt: pad(afterId) })) {
      const notice = JSON.parse(value) as NumberedNotice;
      if (isAddressedTo(notice, recipient)) found.push(notice);
      if (found.length >= limit) break;
    }
    return found;
  }

  /** Numbers the ledger's notices, then the once-only ones not numbered before; announced on commit. */
  stage(batch: LogBatch, { notices = [], onceNotices = [] }: NoticeUpdate): Commit {
    const numbered = this.#number(batch, notices, this.#count);
    numbered.push(...this.#numberOnce(batch, onceNotices, this.#count + numbered.length));
    return () => {
      this.#count += numbered.length;
      for (const notice of numbered) this.emit('notice', notice);
    };
  }

  #number(batch: LogBatch, notices: readonly Notice[], after: number): NumberedNotice[] {
    return notices.map((notice, i) => {
      const numbered: NumberedNotice = { id: after + i + 1, ...notice };
      batch.put(pad(numbered.id), JSON.stringify(numbered), { sublevel: this.#notices });
      return numbered;
    });
  }

  /** Numbers the once-only notices whose key the log does not hold yet, and records their keys. */
  #numberOnce(batch: LogBatch, once: NonNullable<NoticeUpdate['onceNotices']>, after: number): NumberedNotice[] {
    const fresh = new Map<string, Notice>();
    for (const { key, notice } of once) {
      if (!fresh.has(key) && this.#keys.getSync(key) === undefined) fresh.set(key, notice);
    }
    const numbered = this.#number(batch, [...fresh.values()], after);
    [...fresh.keys()].forEach((key, i) => {
      batch.put(key, String(after + i + 1), { sublevel: this.#keys });
    });
    return numbered;
  }
}
