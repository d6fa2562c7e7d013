import { randomUUID } from 'node:crypto';
import { AGENCY_WIDE, type Agency } from 'correction-chaincode/domain';
import { ApiError } from '../errors.js';
import type { Logger } from '../logger.js';
import type { MerkleLog, NumberedNotice } from '../log/merkle-log.js';
import type { Delivery, GatewayStore, Webhook } from '../store/gateway-store.js';
import type { GatewaySigner } from './receipts.js';

export interface WebhookOptions {
  readonly store: GatewayStore;
  readonly log: MerkleLog;
  readonly signer: GatewaySigner;
  /** First retry delay; each further one doubles, up to a minute. */
  readonly retryBaseMs: number;
  readonly logger?: Logger | undefined;
}

const MAX_BACKOFF_MS = 60_000;
const DELIVERY_TIMEOUT_MS = 10_000;

const wants = (webhook: Webhook, notice: NumberedNotice): boolean => {
  const type = (notice.data['entry'] as { type?: string } | undefined)?.type;
  return webhook.events.includes('*') || webhook.events.includes(notice.kind) || (type !== undefined && webhook.events.includes(type));
};

/**
 * Webhooks of the agencies this gateway serves. Each webhook gets its agency's notices in order,
 * signed (JWS by the agency's gateway key), each retried with backoff until the receiver answers
 * 2xx; only then does its cursor — kept in LevelDB — move on, so a restart loses nothing.
 */
export class Webhooks {
  readonly #o: WebhookOptions;
  readonly #running = new Map<string, Promise<void>>();
  readonly #wake = new Map<string, () => void>();
  #closed = false;

  constructor(options: Readonly<WebhookOptions>) {
    this.#o = options;
  }

  async start(): Promise<void> {
    this.#o.log.on('notice', this.#onNotice);
    for (const webhook of await this.#o.store.webhooks()) this.#run(webhook);
  }

  async close(): Promise<void> {
    this.#closed = true;
    this.#o.log.off('notice', this.#onNotice);
    for (const wake of this.#wake.values()) wake();
    await Promise.all(this.#running.values());
  }

  /** Registers a webhook; deliveries start with the agency's next notice. */
  async register(agency: Agency, url: string, events: readonly string[]): Promise<Webhook> {
    const parsed = new URL(url);
    if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') {
      throw new ApiError('VALIDATION_FAILED', 'webhook URL must be http(s)', { errors: [{ path: 'url', message: 'must be http or https' }] });
    }
    const webhook: Webhook = { id: randomUUID(), agency, url, events: [...events], createdAt: new Date().toISOString(), cursor: this.#o.log.lastNoticeId };
    await this.#o.store.putWebhook(webhook);
    this.#run(webhook);
    return webhook;
  }

  async webhook(agency: Agency, id: string): Promise<Webhook> {
    const webhook = await this.#o.store.getWebhook(id);
    if (!webhook || webhook.agency !== agency) throw new ApiError('NOT_FOUND', 'no such webhook for this agency');
    return webhook;
  }

  async deliveries(agency: Agency, id: string): Promise<Delivery[]> {
    await this.webhook(agency, id);
    return this.#o.store.deliveries(id);
  }

  readonly #onNotice = (): void => {
    for (const wake of this.#wake.values()) wake();
  };

  #run(webhook: Webhook): void {
    if (this.#running.has(webhook.id)) return;
    this.#running.set(webhook.id, this.#deliverAll(webhook).finally(() => this.#running.delete(webhook.id)));
  }

  async #deliverAll(start: Webhook): Promise<void> {
    let webhook = start;
    while (!this.#closed) {
      // Until webhooks belong to units, each is its agency's as a whole.
      const pending = await this.#o.log.noticesAfter(webhook.cursor, { agency: webhook.agency as Agency, unit: AGENCY_WIDE }, 100);
      const next = pending.find((notice) => wants(webhook, notice));
      if (!next) {
        // Skip past notices it does not want, then wait for more.
        const last = pending.at(-1);
        if (last) {
          webhook = { ...webhook, cursor: last.id };
          await this.#o.store.putWebhook(webhook);
          continue;
        }
        await new Promise<void>((resolve) => this.#wake.set(webhook.id, resolve));
        continue;
      }
      webhook = await this.#deliver(webhook, next);
    }
  }

  /** Delivers one notice until the receiver acknowledges it (or the gateway closes). */
  async #deliver(webhook: Webhook, notice: NumberedNotice): Promise<Webhook> {
    const body = await this.#o.signer.signNotice(webhook.agency as Agency, { webhook: webhook.id, id: notice.id, kind: notice.kind, data: notice.data });
    for (let attempt = 1; !this.#closed; attempt++) {
      let status: number | null = null;
      let error: string | undefined;
      try {
        const response = await fetch(webhook.url, {
          method: 'POST',
          headers: { 'content-type': 'application/jose', 'x-notice-id': String(notice.id), 'x-webhook-id': webhook.id },
          body,
          signal: AbortSignal.timeout(DELIVERY_TIMEOUT_MS),
        });
        status = response.status;
        await response.arrayBuffer();
      } catch (failure) {
        error = failure instanceof Error ? failure.name : 'error';
      }
      const ok = status !== null && status >= 200 && status < 300;
      const recorded = await this.#o.store.recordDelivery(webhook, {
        webhookId: webhook.id, noticeId: notice.id, attempt, at: new Date().toISOString(), ok, status, ...(error ? { error } : {}),
      });
      if (ok) return recorded;
      const delay = Math.min(MAX_BACKOFF_MS, this.#o.retryBaseMs * 2 ** (attempt - 1));
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, delay);
        this.#wake.set(webhook.id, () => {
          if (this.#closed) {
            clearTimeout(timer);
            resolve();
          }
        });
      });
    }
    return webhook;
  }
}
