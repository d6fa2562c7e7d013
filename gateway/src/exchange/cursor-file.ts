import { constants } from 'node:fs';
import { open, readFile, rename } from 'node:fs/promises';
import { dirname } from 'node:path';

/**
 * A number kept in a small file that survives kill -9: written to a temporary file, synced,
 * renamed over the old one, and the directory synced.
 */
export class CursorFile {
  readonly #path: string;
  /** Writes one after another: the last one asked for wins. */
  #writing: Promise<void> = Promise.resolve();

  constructor(path: string) {
    this.#path = path;
  }

  /** The number last written, or 0 before any. */
  async read(): Promise<number> {
    try {
      const value = Number(JSON.parse(await readFile(this.#path, 'utf8')));
      return Number.isSafeInteger(value) && value > 0 ? value : 0;
    } catch (error) {
      if ((error as { code?: unknown }).code === 'ENOENT') return 0;
      throw error;
    }
  }

  write(value: number): Promise<void> {
    this.#writing = this.#writing.then(() => this.#write(value));
    return this.#writing;
  }

  async #write(value: number): Promise<void> {
    const temporary = `${this.#path}.tmp`;
    const file = await open(temporary, 'w', 0o600);
    try {
      await file.writeFile(`${String(value)}\n`);
      await file.sync();
    } finally {
      await file.close();
    }
    await rename(temporary, this.#path);
    const dir = await open(dirname(this.#path), constants.O_RDONLY | constants.O_DIRECTORY);
    try {
      await dir.sync();
    } finally {
      await dir.close();
    }
  }
}
