import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { Level } from 'level';
import { WebhookStore } from './webhook-store.js';

/** A response kept for an Idempotency-Key: a retry gets it back instead of a second entry. */
export interface StoredResponse {
  readonly requestHash: string;
  readonly status: number;
  readonly body: unknown;
}

export interface GatewayStoreOptions {
  /** Delivery attempts kept per webhook. */
  readonly deliveryLogSize: number;
}

/** The gateway's own LevelDB (not the ledger): idempotency keys here, webhooks in their own store over the same database. */
export class GatewayStore {
  readonly #db: Level;
  readonly #idempotency;
  readonly webhooks: WebhookStore;

  private constructor(db: Level, webhooks: WebhookStore) {
    this.#db = db;
    this.#idempotency = db.sublevel('idempotency', { valueEncoding: 'utf8' });
    this.webhooks = webhooks;
  }

  static async open(dataDir: string, options: Readonly<GatewayStoreOptions>): Promise<GatewayStore> {
    const dir = join(dataDir, 'gateway');
    await mkdir(dir, { recursive: true });
    const db = new Level(dir, { valueEncoding: 'utf8' });
    await db.open();
    return new GatewayStore(db, await WebhookStore.open(db, options.deliveryLogSize));
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
