import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { Level } from 'level';
import { SealedSublevel } from './sealed-sublevel.js';
import type { Sealer } from './sealer.js';
import { DEFAULT_DELIVERY_LOG_SIZE, WebhookStore } from './webhook-store.js';

/**
 * A response kept per agency and idempotency key hash, so that a retry is answered without a
 * round trip to the ledger. Only a cache: the ledger records each key with its entry, and a retry
 * the cache does not know is replayed by the contract.
 */
export interface StoredResponse {
  readonly requestHash: string;
  readonly status: number;
  readonly body: unknown;
}

export interface GatewayStoreOptions {
  /** Seals the records that may carry personal data, under the gateway's document key. */
  readonly sealer: Sealer;
  /** Delivery attempts kept per webhook (DEFAULT_DELIVERY_LOG_SIZE unless set). */
  readonly deliveryLogSize?: number;
}

/**
 * The gateway's own LevelDB (not the ledger): first answers per idempotency key hash, sealed under
 * the document key; webhooks and their delivery logs in their own store over the same database.
 */
export class GatewayStore {
  readonly #db: Level;
  readonly #idempotency: SealedSublevel;
  readonly webhooks: WebhookStore;

  private constructor(db: Level, sealer: Sealer, webhooks: WebhookStore) {
    this.#db = db;
    this.#idempotency = new SealedSublevel(db, 'idempotency', sealer);
    this.webhooks = webhooks;
  }

  static async open(dataDir: string, options: Readonly<GatewayStoreOptions>): Promise<GatewayStore> {
    const dir = join(dataDir, 'gateway');
    await mkdir(dir, { recursive: true, mode: 0o700 });
    const db = new Level(dir, { valueEncoding: 'utf8' });
    await db.open();
    return new GatewayStore(db, options.sealer, await WebhookStore.open(db, options.deliveryLogSize ?? DEFAULT_DELIVERY_LOG_SIZE));
  }

  async getResponse(scope: string, keyHash: string): Promise<StoredResponse | undefined> {
    const raw = await this.#idempotency.get(`${scope}\u0000${keyHash}`);
    return raw === undefined ? undefined : (JSON.parse(raw) as StoredResponse);
  }

  async putResponse(scope: string, keyHash: string, response: StoredResponse): Promise<void> {
    await this.#idempotency.put(`${scope}\u0000${keyHash}`, JSON.stringify(response));
  }

  async close(): Promise<void> {
    await this.#db.close();
  }
}
