import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { Level } from 'level';
import { SealedSublevel } from './sealed-sublevel.js';
import type { Sealer } from './sealer.js';

/** A response kept for an Idempotency-Key: a retry gets it back instead of a second entry. */
export interface StoredResponse {
  readonly requestHash: string;
  readonly status: number;
  readonly body: unknown;
}

/** A webhook an agency registered: where its notices go, and how far deliveries have got. */
export interface Webhook {
  readonly id: string;
  readonly agency: string;
  readonly url: string;
  /** Entry types and notice kinds it wants; '*' for all. */
  readonly events: readonly string[];
  readonly createdAt: string;
  /** The last notice acknowledged by the receiver: deliveries resume after it. */
  readonly cursor: number;
}

/** One attempt to deliver a notice to a webhook. */
export interface Delivery {
  readonly webhookId: string;
  readonly noticeId: number;
  readonly attempt: number;
  readonly at: string;
  readonly ok: boolean;
  readonly status: number | null;
  readonly error?: string;
}

export interface GatewayStoreOptions {
  /** Seals the records that may carry personal data, under the gateway's document key. */
  readonly sealer: Sealer;
}

/**
 * The gateway's own LevelDB (not the ledger): idempotency keys, webhooks and their deliveries.
 * The responses kept for idempotency keys are sealed under the document key.
 */
export class GatewayStore {
  readonly #db: Level;
  readonly #idempotency: SealedSublevel;
  readonly #webhooks;
  readonly #deliveries;
  #deliveryCount = 0;

  private constructor(db: Level, sealer: Sealer) {
    this.#db = db;
    this.#idempotency = new SealedSublevel(db, 'idempotency', sealer);
    this.#webhooks = db.sublevel('webhook', { valueEncoding: 'utf8' });
    this.#deliveries = db.sublevel('delivery', { valueEncoding: 'utf8' });
  }

  async putWebhook(webhook: Webhook): Promise<void> {
    await this.#webhooks.put(webhook.id, JSON.stringify(webhook));
  }

  async getWebhook(id: string): Promise<Webhook | undefined> {
    const raw = await this.#webhooks.get(id);
    return raw === undefined ? undefined : (JSON.parse(raw) as Webhook);
  }

  async webhooks(): Promise<Webhook[]> {
    return (await this.#webhooks.values().all()).map((raw) => JSON.parse(raw) as Webhook);
  }

  /** Records an attempt and, when it succeeded, moves the webhook's cursor past the notice: one write. */
  async recordDelivery(webhook: Webhook, delivery: Delivery): Promise<Webhook> {
    const next = delivery.ok ? { ...webhook, cursor: delivery.noticeId } : webhook;
    const key = `${webhook.id}\u0000${String(Date.now()).padStart(15, '0')}${String(++this.#deliveryCount).padStart(9, '0')}`;
    await this.#db.batch([
      { type: 'put', key, value: JSON.stringify(delivery), sublevel: this.#deliveries },
      { type: 'put', key: webhook.id, value: JSON.stringify(next), sublevel: this.#webhooks },
    ]);
    return next;
  }

  async deliveries(webhookId: string, limit = 500): Promise<Delivery[]> {
    const rows = await this.#deliveries.values({ gt: `${webhookId}\u0000`, lt: `${webhookId}\u0001`, reverse: true, limit }).all();
    return rows.map((raw) => JSON.parse(raw) as Delivery).reverse();
  }

  static async open(dataDir: string, options: Readonly<GatewayStoreOptions>): Promise<GatewayStore> {
    const dir = join(dataDir, 'gateway');
    await mkdir(dir, { recursive: true, mode: 0o700 });
    const db = new Level(dir, { valueEncoding: 'utf8' });
    await db.open();
    return new GatewayStore(db, options.sealer);
  }

  async getResponse(scope: string, key: string): Promise<StoredResponse | undefined> {
    const raw = await this.#idempotency.get(`${scope}\u0000${key}`);
    return raw === undefined ? undefined : (JSON.parse(raw) as StoredResponse);
  }

  async putResponse(scope: string, key: string, response: StoredResponse): Promise<void> {
    await this.#idempotency.put(`${scope}\u0000${key}`, JSON.stringify(response));
  }

  async close(): Promise<void> {
    await this.#db.close();
  }
}
