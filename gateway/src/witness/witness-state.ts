import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { Level } from 'level';

/** The latest checkpoint a witness cosigned for one log: its size, root and the note it served. */
export interface WitnessedCheckpoint {
  readonly size: number;
  /** Root, base64. */
  readonly root: string;
  /** The submitted checkpoint with the witness's own cosignature added. */
  readonly note: string;
}

/**
 * What a witness remembers, per origin, in LevelDB: the latest checkpoint it cosigned (written
 * before it answers, synchronously to disk), and the refused checkpoints that were validly
 * signed yet inconsistent — evidence that a log misbehaved.
 */
export class WitnessState {
  readonly #db: Level;
  readonly #latest;
  readonly #refused;

  private constructor(db: Level) {
    this.#db = db;
    this.#latest = db.sublevel('latest', { valueEncoding: 'utf8' });
    this.#refused = db.sublevel('refused', { valueEncoding: 'utf8' });
  }

  static async open(dataDir: string): Promise<WitnessState> {
    const dir = join(dataDir, 'state');
    await mkdir(dir, { recursive: true, mode: 0o700 });
    const db = new Level<string, string>(dir, { valueEncoding: 'utf8' });
    await db.open();
    return new WitnessState(db);
  }

  async latest(origin: string): Promise<WitnessedCheckpoint | undefined> {
    const raw = await this.#latest.get(origin);
    return raw === undefined ? undefined : (JSON.parse(raw) as WitnessedCheckpoint);
  }

  async record(origin: string, checkpoint: WitnessedCheckpoint): Promise<void> {
    await this.#db.batch([{ type: 'put', sublevel: this.#latest, key: origin, value: JSON.stringify(checkpoint) }], { sync: true });
  }

  /** Keeps a validly signed checkpoint that was inconsistent with what the witness had cosigned. */
  async keepRefused(origin: string, note: string, reason: string): Promise<void> {
    await this.#db.batch([{ type: 'put', sublevel: this.#refused, key: `${origin}\u0000${new Date().toISOString()}`, value: JSON.stringify({ note, reason }) }], { sync: true });
  }

  async refusedCount(): Promise<number> {
    return (await this.#refused.keys().all()).length;
  }

  async close(): Promise<void> {
    await this.#db.close();
  }
}
