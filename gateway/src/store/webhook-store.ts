import type { Level } from 'level';

/** Whether a webhook's deliveries run: a webhook whose receiver kept failing past the give-up time pauses until resumed. */
export type WebhookState = 'active' | 'failing';

/** A webhook an agency registered: where its notices go, and how far deliveries have got. */
export interface Webhook {
  readonly id: string;
  readonly agency: string;
  /** The unit that registered it: it gets the notices of that unit and the units below. Absent on webhooks registered before units, which are the agency's as a whole. */
  readonly unit?: string;
  readonly url: string;
  /** Entry types and notice kinds it wants; '*' for all. */
  readonly events: readonly string[];
  readonly createdAt: string;
  /** The last notice acknowledged by the receiver: deliveries resume after it. */
  readonly cursor: number;
  readonly state: WebhookState;
  /** The first failed attempt since the receiver last acknowledged a notice; null while it acknowledges. */
  readonly failingSince: string | null;
  /** When deliveries paused, having failed since `failingSince` for the give-up time. */
  readonly pausedAt: string | null;
  /** Delivery attempts so far; numbers the delivery log. */
  readonly attempts: number;
  /** When the latest attempt was made. */
  readonly lastAttemptAt: string | null;
}

/** One attempt to deliver a notice to a webhook. */
export interface Delivery {
  readonly webhookId: string;
  readonly noticeId: number;
  readonly attempt: number;
  readonly at: string;
  readonly ok: boolean;
  readonly status: number | null;
  /** Why it failed: a connection error code (ECONNREFUSED …), REFUSED_ADDRESS, REDIRECT, HTTP_503 … */
  readonly error?: string;
}

/** Delivery attempts kept per webhook unless the operator says otherwise. */
export const DEFAULT_DELIVERY_LOG_SIZE = 100;

/** Delivery keys sort by webhook, then by attempt number. */
const deliveryKey = (webhookId: string, attempt: number): string => `${webhookId}\u0000${String(attempt).padStart(15, '0')}`;
const deliveryRange = (webhookId: string) => ({ gt: `${webhookId}\u0000`, lt: `${webhookId}\u0001` });

/** Records written before webhooks had states read as active ones with no attempts counted. */
function readWebhook(raw: string): Webhook {
  const stored = JSON.parse(raw) as Partial<Webhook> & Pick<Webhook, 'id' | 'agency' | 'url' | 'events' | 'createdAt' | 'cursor'>;
  return { state: 'active', failingSince: null, pausedAt: null, attempts: 0, lastAttemptAt: null, ...stored };
}

/**
 * Webhooks and their delivery logs, in the gateway's LevelDB. Each attempt is written in one batch
 * with the webhook it moved on and without the attempt that fell out of the log, so the log holds
 * at most `deliveryLogSize` attempts per webhook whatever the receiver does.
 */
export class WebhookStore {
  readonly #db: Level;
  readonly #webhooks;
  readonly #deliveries;
  readonly #deliveryLogSize: number;

  private constructor(db: Level, deliveryLogSize: number) {
    this.#db = db;
    this.#webhooks = db.sublevel('webhook', { valueEncoding: 'utf8' });
    // Attempts are numbered per webhook; earlier versions keyed them by time, in 'delivery'.
    this.#deliveries = db.sublevel('delivery-log', { valueEncoding: 'utf8' });
    this.#deliveryLogSize = deliveryLogSize;
  }

  /** Opens the webhooks of an open LevelDB, dropping the unbounded, time-keyed delivery log of earlier versions. */
  static async open(db: Level, deliveryLogSize: number): Promise<WebhookStore> {
    await db.sublevel('delivery', { valueEncoding: 'utf8' }).clear();
    return new WebhookStore(db, deliveryLogSize);
  }

  async put(webhook: Webhook): Promise<void> {
    await this.#webhooks.put(webhook.id, JSON.stringify(webhook));
  }

  async get(id: string): Promise<Webhook | undefined> {
    const raw = await this.#webhooks.get(id);
    return raw === undefined ? undefined : readWebhook(raw);
  }

  async all(): Promise<Webhook[]> {
    return (await this.#webhooks.values().all()).map(readWebhook);
  }

  /** An agency's webhooks, oldest first. */
  async ofAgency(agency: string): Promise<Webhook[]> {
    return (await this.all()).filter((webhook) => webhook.agency === agency).sort((a, b) => a.createdAt.localeCompare(b.createdAt));
  }

  /**
   * Records an attempt with the webhook as it stands after it (`next.attempts` numbers the attempt),
   * and drops the attempt that falls out of the log: one write.
   */
  async recordAttempt(next: Webhook, delivery: Delivery): Promise<void> {
    const dropped = next.attempts - this.#deliveryLogSize;
    await this.#db.batch([
      { type: 'put', key: deliveryKey(next.id, next.attempts), value: JSON.stringify(delivery), sublevel: this.#deliveries },
      { type: 'put', key: next.id, value: JSON.stringify(next), sublevel: this.#webhooks },
      ...(dropped > 0 ? [{ type: 'del' as const, key: deliveryKey(next.id, dropped), sublevel: this.#deliveries }] : []),
    ]);
  }

  /** The delivery log of a webhook, oldest first. */
  async deliveries(webhookId: string): Promise<Delivery[]> {
    const rows = await this.#deliveries.values({ ...deliveryRange(webhookId), reverse: true, limit: this.#deliveryLogSize }).all();
    return rows.map((raw) => JSON.parse(raw) as Delivery).reverse();
  }

  /** Removes a webhook and its delivery log: one write. */
  async remove(webhookId: string): Promise<void> {
    const keys = await this.#deliveries.keys(deliveryRange(webhookId)).all();
    await this.#db.batch([
      { type: 'del', key: webhookId, sublevel: this.#webhooks },
      ...keys.map((key) => ({ type: 'del' as const, key, sublevel: this.#deliveries })),
    ]);
  }
}
