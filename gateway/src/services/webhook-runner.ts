import { setTimeout as sleep } from 'node:timers/promises';
import { AGENCY_WIDE, type Agency } from 'correction-chaincode/domain';
import type { Logger } from '../logger.js';
import type { NoticeRecipient, NumberedNotice } from '../log/records.js';
import type { Delivery, Webhook, WebhookStore } from '../store/webhook-store.js';
import type { GatewaySigner } from './receipts.js';
import { afterAttempt, MAX_RETRY_DELAY_MS, retryDelay } from './webhook-attempts.js';
import type { DeliveryOutcome, WebhookTransport } from './webhook-transport.js';

/** A unit's numbered notices (its own and those of the units below it), read from a cursor on. */
export interface NoticeFeed {
  noticesAfter(afterId: number, reader: NoticeRecipient, limit?: number): Promise<NumberedNotice[]>;
}

export interface WebhookRunnerDeps {
  readonly store: Pick<WebhookStore, 'put' | 'recordAttempt'>;
  readonly notices: NoticeFeed;
  readonly signer: Pick<GatewaySigner, 'signNotice'>;
  readonly transport: WebhookTransport;
  readonly retryBaseMs: number;
  readonly giveUpMs: number;
  readonly now: () => Date;
  readonly logger?: Logger | undefined;
}

/** Notices read per look at the log: a runner needs only the next one it wants, and a thousand runners read at once after a restart. */
const NOTICE_PAGE = 10;

const wants = (webhook: Webhook, notice: NumberedNotice): boolean => {
  const type = (notice.data['entry'] as { type?: string } | undefined)?.type;
  return webhook.events.includes('*') || webhook.events.includes(notice.kind) || (type !== undefined && webhook.events.includes(type));
};

/**
 * The delivery loop of one active webhook: its agency's notices in order, each retried with backoff
 * until the receiver acknowledges it, the cursor moving only then. It ends when the webhook turns
 * failing, or when stopped.
 */
export class WebhookRunner {
  readonly #deps: WebhookRunnerDeps;
  /** Ends waits and starts no further attempt. */
  readonly #stopped = new AbortController();
  /** Ends the attempt in flight too, unrecorded. */
  readonly #abandoned = new AbortController();
  #webhook: Webhook;
  /** A notice may have arrived since the log was last read. */
  #woken = false;
  #wake: (() => void) | undefined;
  /** Settles when the loop has ended and written its last record. */
  readonly done: Promise<void>;

  constructor(webhook: Webhook, deps: Readonly<WebhookRunnerDeps>) {
    this.#webhook = webhook;
    this.#deps = deps;
    this.done = this.#run();
  }

  /** A notice was numbered: look at the log again. */
  notify(): void {
    this.#woken = true;
    this.#wake?.();
  }

  /**
   * Ends the loop; resolves once it has ended. An attempt in flight is let finish and recorded, so
   * that a receiver's acknowledgement is not lost to a restart — unless `abandon` (the webhook is
   * being removed), when it is cut off unrecorded.
   */
  async stop(options: { readonly abandon?: boolean } = {}): Promise<void> {
    this.#stopped.abort();
    if (options.abandon === true) this.#abandoned.abort();
    this.notify();
    await this.done;
  }

  get #signal(): AbortSignal {
    return this.#stopped.signal;
  }

  async #run(): Promise<void> {
    while (!this.#signal.aborted && this.#webhook.state === 'active') {
      this.#woken = false;
      try {
        const next = await this.#nextNotice();
        if (next) await this.#deliver(next);
        else await this.#idle();
      } catch (error) {
        // The store or the signer failed (a full disk …): try again later rather than give up on the webhook.
        this.#deps.logger?.error({ err: error, webhook: this.#webhook.id }, 'webhook delivery loop failed; retrying');
        await this.#pause(MAX_RETRY_DELAY_MS);
      }
    }
  }

  /** The next notice the webhook wants, moving its cursor past those it does not. */
  async #nextNotice(): Promise<NumberedNotice | undefined> {
    while (!this.#signal.aborted) {
      const reader = { agency: this.#webhook.agency as Agency, unit: this.#webhook.unit ?? AGENCY_WIDE };
      const pending = await this.#deps.notices.noticesAfter(this.#webhook.cursor, reader, NOTICE_PAGE);
      const next = pending.find((notice) => wants(this.#webhook, notice));
      const last = pending.at(-1);
      if (next || !last) return next;
      this.#webhook = { ...this.#webhook, cursor: last.id };
      await this.#deps.store.put(this.#webhook);
    }
    return undefined;
  }

  async #idle(): Promise<void> {
    if (this.#woken) return;
    await new Promise<void>((resolve) => (this.#wake = resolve));
    this.#wake = undefined;
  }

  async #pause(ms: number): Promise<void> {
    await sleep(ms, undefined, { signal: this.#signal }).catch(() => undefined);
  }

  /** Attempts one notice until it is acknowledged, the webhook turns failing, or the runner stops. */
  async #deliver(notice: NumberedNotice): Promise<void> {
    const { id, agency, url } = this.#webhook;
    const body = await this.#deps.signer.signNotice(agency as Agency, { webhook: id, id: notice.id, kind: notice.kind, data: notice.data });
    const headers = { 'content-type': 'application/jose', 'x-notice-id': String(notice.id), 'x-webhook-id': id };
    for (let attempt = 1; ; attempt++) {
      const outcome = await this.#deps.transport.post({ url, headers, body }, this.#abandoned.signal);
      if (!outcome) return;
      await this.#record(notice, attempt, outcome);
      if (outcome.ok || this.#webhook.state === 'failing') return;
      await this.#pause(retryDelay(this.#webhook, this.#deps.now(), this.#deps.retryBaseMs));
      if (this.#signal.aborted) return;
    }
  }

  async #record(notice: NumberedNotice, attempt: number, outcome: DeliveryOutcome): Promise<void> {
    const at = this.#deps.now();
    const next = afterAttempt(this.#webhook, notice.id, outcome.ok, at, this.#deps.giveUpMs);
    const delivery: Delivery = {
      webhookId: next.id, noticeId: notice.id, attempt, at: at.toISOString(), ok: outcome.ok, status: outcome.status, ...(outcome.ok ? {} : { error: outcome.error }),
    };
    await this.#deps.store.recordAttempt(next, delivery);
    this.#webhook = next;
    if (next.state === 'failing') {
      this.#deps.logger?.warn({ webhook: next.id, agency: next.agency, failingSince: next.failingSince, error: delivery.error }, 'webhook failing: deliveries paused until resumed');
    }
  }
}
