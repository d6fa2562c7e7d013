import type { Agency } from 'correction-chaincode/domain';
import type { Logger } from '../logger.js';
import type { LogUpdate } from './projections/log-projections.js';
import type { Notice, StoredObligation } from './records.js';

/** The obligations the watcher sweeps, and where the notices and their marks go, together. */
export interface WatchedLog {
  readonly chains: { obligations(): AsyncIterable<StoredObligation> };
  apply(update: Pick<LogUpdate, 'notices' | 'noticedOverdue'>): Promise<void>;
}

/**
 * Watches the statutory clock: once an obligation passes its due date unmet, an
 * `obligation-overdue` notice goes to the obligated agency and to the procuratorate, once.
 */
export class DeadlineWatcher {
  readonly #log: WatchedLog;
  readonly #now: () => Date;
  readonly #intervalMs: number;
  readonly #logger: Logger | undefined;
  #timer: NodeJS.Timeout | undefined;
  #sweeping: Promise<number> = Promise.resolve(0);

  constructor(options: { log: WatchedLog; now: () => Date; intervalMs: number; logger?: Logger | undefined }) {
    this.#log = options.log;
    this.#now = options.now;
    this.#intervalMs = options.intervalMs;
    this.#logger = options.logger;
  }

  start(): void {
    this.#timer = setInterval(() => void this.sweep(), this.#intervalMs);
    this.#timer.unref();
  }

  async close(): Promise<void> {
    if (this.#timer) clearInterval(this.#timer);
    await this.#sweeping;
  }

  /** Sends the notices of every obligation newly overdue; resolves with how many. */
  sweep(): Promise<number> {
    this.#sweeping = this.#sweeping.then(() => this.#sweep()).catch((error: unknown) => {
      this.#logger?.warn({ err: { name: (error as Error).name } }, 'deadline sweep failed');
      return 0;
    });
    return this.#sweeping;
  }

  async #sweep(): Promise<number> {
    const now = this.#now().getTime();
    const overdue: StoredObligation[] = [];
    for await (const obligation of this.#log.chains.obligations()) {
      if (obligation.metBy === null && obligation.state !== 'void' && !obligation.overdueNoticed && Date.parse(obligation.dueAt) < now) {
        overdue.push(obligation);
      }
    }
    if (overdue.length === 0) return 0;
    const notices: Notice[] = overdue.map((obligation) => ({
      kind: 'obligation-overdue',
      agencies: [...new Set<Agency>([...(obligation.agency ? [obligation.agency] : []), 'PROCURATORATE'])],
      data: { obligation: { ...obligation, state: 'overdue', overdueNoticed: undefined } },
    }));
    await this.#log.apply({ notices, noticedOverdue: overdue });
    return notices.length;
  }
}
