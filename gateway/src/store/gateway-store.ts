import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { Level } from 'level';

/** A response kept for an Idempotency-Key: a retry gets it back instead of a second entry. */
export interface StoredResponse {
  readonly requestHash: string;
  readonly status: number;
  readonly body: unknown;
}

/** The gateway's own LevelDB (not the ledger): idempotency keys. */
export class GatewayStore {
  readonly #db: Level<string, string>;
  readonly #idempotency;

  private constructor(db: Level<string, string>) {
    this.#db = db;
    this.#idempotency = db.sublevel<string, string>('idempotency', { valueEncoding: 'utf8' });
  }

  static async open(dataDir: string): Promise<GatewayStore> {
    const dir = join(dataDir, 'gateway');
    await mkdir(dir, { recursive: true });
    const db = new Level<string, string>(dir, { valueEncoding: 'utf8' });
    await db.open();
    return new GatewayStore(db);
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
