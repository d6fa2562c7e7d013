import { lstat, readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';

export interface FileMode {
  readonly path: string;
  readonly kind: 'file' | 'dir' | 'link';
  /** Permission bits, e.g. 0o600. */
  readonly mode: number;
}

/** Every file, directory and link under `root` (root included), with its permission bits. */
export async function walk(root: string): Promise<FileMode[]> {
  const stat = await lstat(root);
  const kind = stat.isSymbolicLink() ? 'link' : stat.isDirectory() ? 'dir' : 'file';
  const here: FileMode = { path: root, kind, mode: stat.mode & 0o777 };
  if (kind !== 'dir') return [here];
  const below = await Promise.all((await readdir(root)).map((name) => walk(join(root, name))));
  return [here, ...below.flat()];
}

/** The files under `root` whose bytes contain any of `needles`. */
export async function filesContaining(root: string, needles: readonly Uint8Array[]): Promise<string[]> {
  const found: string[] = [];
  for (const entry of await walk(root)) {
    if (entry.kind !== 'file') continue;
    const bytes = await readFile(entry.path);
    if (needles.some((needle) => bytes.includes(Buffer.from(needle)))) found.push(entry.path);
  }
  return found;
}

/** The byte forms a text may take in a file: UTF-8, UTF-16 (both orders), and JSON's \u escapes. */
export function encodingsOf(text: string): Uint8Array[] {
  // Code unit by code unit, as JSON escapes them (a character beyond the BMP as its two surrogates).
  const escaped = text.replace(/[\u0080-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  return [Buffer.from(text, 'utf8'), Buffer.from(text, 'utf16le'), Buffer.from(text, 'utf16le').swap16(), Buffer.from(escaped, 'utf8')];
}

/** The files a file store under `filesDir` keeps under a hash (its temporary folder aside). */
export async function keptFiles(filesDir: string): Promise<string[]> {
  const shards = (await readdir(filesDir)).filter((name) => name !== 'tmp');
  return (await Promise.all(shards.map((shard) => readdir(join(filesDir, shard))))).flat();
}
