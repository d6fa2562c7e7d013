import { randomUUID } from 'node:crypto';
import type { Agency } from 'correction-chaincode/domain';
import { ApiError } from '../errors.js';
import type { Logger } from '../logger.js';
import type { Delivery, Webhook, WebhookStore } from '../store/webhook-store.js';
import { KeyedQueue } from './keyed-queue.js';
import type { GatewaySigner } from './receipts.js';
import { resumed } from './webhook-attempts.js';
import type { NoticeRecipient } from '../log/records.js';
import type { NoticeReader } from './notice-reader.js';
import { WebhookRunner } from './webhook-runner.js';
import type { WebhookTransport } from './webhook-transport.js';

export interface WebhookOptions {
  readonly store: WebhookStore;
  /** Notices to read, a signal when one is numbered, and the last number. */
  readonly notices: NoticeReader;
  readonly signer: Pick<GatewaySigner, 'signNotice'>;
  /** Checks destinations and POSTs to them. */
  readonly transport: WebhookTransport;
  /** First retry delay; each later wait lasts as long as the receiver has been failing, up to a minute. */
  readonly retryBaseMs: number;
  /** How long a receiver may keep failing before its webhook turns failing and pauses. */
  readonly giveUpMs: number;
  /** Webhooks an agency may have at once. */
  readonly maxPerAgency: number;
  readonly now?: () => Date;
  readonly logger?: Logger | undefined;
}

/**
 * Webhooks of the agencies this gateway serves: registered within a per-agency limit to checked
 * destinations only, each delivered by a runner of its own (see WebhookRunner), paused when its
 * receiver fails past the give-up time, resumed and removed by a clerk.
 */
export class Webhooks {
  readonly #o: WebhookOptions;
  readonly #now: () => Date;
  readonly #runners = new Map<string, WebhookRunner>();
  /** Registrations per agency, and changes per webhook, one at a time. */
  readonly #queue = new KeyedQueue();
  #closed = false;

  constructor(options: Readonly<WebhookOptions>) {
    this.#o = options;
    this.#now = options.now ?? (() => new Date());
  }

  async start(): Promise<void> {
    this.#o.notices.on('notice', this.#onNotice);
    for (const webhook of await this.#o.store.all()) this.#run(webhook);
  }

  async close(): Promise<void> {
    this.#closed = true;
    this.#o.notices.off('notice', this.#onNotice);
    await Promise.all([...this.#runners.values()].map((runner) => runner.stop()));
  }

  /**
   * Registers a webhook of a unit; deliveries start with the next notice addressed to it or a unit below it. The URL's host must be on
   * the allow-list and every address it stands for allowed; the agency must be under its limit.
   */
  async register({ agency, unit }: NoticeRecipient, url: string, events: readonly string[]): Promise<Webhook> {
    const destination = new URL(url);
    const refusal = await this.#o.transport.refusal(destination);
    // A well-formed URL the operator's policy refuses: forbidden, not invalid (no schema can say where a name resolves).
    if (refusal) throw new ApiError('DESTINATION_REFUSED', refusal.message, { errors: [{ path: 'url', message: refusal.message }] });
    return this.#queue.run(`agency\u0000${agency}`, async () => {
      const { maxPerAgency } = this.#o;
      if ((await this.#o.store.ofAgency(agency)).length >= maxPerAgency) {
        throw new ApiError('WEBHOOK_LIMIT_REACHED', `${agency} already has ${maxPerAgency} webhooks; remove one first`, { limit: maxPerAgency });
      }
      const webhook: Webhook = {
        id: randomUUID(), agency, unit, url: destination.href, events: [...events], createdAt: this.#now().toISOString(),
        cursor: this.#o.notices.lastNoticeId, state: 'active', failingSince: null, pausedAt: null, attempts: 0, lastAttemptAt: null,
      };
      await this.#o.store.put(webhook);
      this.#run(webhook);
      return webhook;
    });
  }

  /** Webhooks an agency may have at once. */
  get maxPerAgency(): number {
    return this.#o.maxPerAgency;
  }

  /** The agency's webhooks, oldest first. */
  list(agency: Agency): Promise<Webhook[]> {
    return this.#o.store.ofAgency(agency);
  }

  async webhook(agency: Agency, id: string): Promise<Webhook> {
    const webhook = await this.#o.store.get(id);
    if (webhook?.agency !== agency) throw new ApiError('NOT_FOUND', 'no such webhook for this agency');
    return webhook;
  }

  async deliveries(agency: Agency, id: string): Promise<Delivery[]> {
    await this.webhook(agency, id);
    return this.#o.store.deliveries(id);
  }

  /** Removes a webhook: an attempt in flight is abandoned, and nothing more is sent. */
  remove(agency: Agency, id: string): Promise<void> {
    return this.#queue.run(`webhook\u0000${id}`, async () => {
      await this.webhook(agency, id);
      await this.#runners.get(id)?.stop({ abandon: true });
      await this.#o.store.remove(id);
    });
  }

  /** Resumes a failing webhook from where its deliveries stopped; an active one is left as it is. */
  resume(agency: Agency, id: string): Promise<Webhook> {
    return this.#queue.run(`webhook\u0000${id}`, async () => {
      const webhook = await this.webhook(agency, id);
      if (webhook.state === 'active') return webhook;
      // A runner that has just turned the webhook failing may still be ending.
      await this.#runners.get(id)?.stop();
      const active = resumed(webhook);
      await this.#o.store.put(active);
      this.#run(active);
      return active;
    });
  }

  readonly #onNotice = (): void => {
    for (const runner of this.#runners.values()) runner.notify();
  };

  #run(webhook: Webhook): void {
    if (this.#closed || webhook.state !== 'active' || this.#runners.has(webhook.id)) return;
    const runner = new WebhookRunner(webhook, {
      store: this.#o.store, notices: this.#o.notices, signer: this.#o.signer, transport: this.#o.transport,
      retryBaseMs: this.#o.retryBaseMs, giveUpMs: this.#o.giveUpMs, now: this.#now, logger: this.#o.logger,
    });
    this.#runners.set(webhook.id, runner);
    void runner.done.then(() => {
      if (this.#runners.get(webhook.id) === runner) this.#runners.delete(webhook.id);
    });
  }
}
