import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { generateNoteKey, noteSignerOf, type NoteSigner } from '../note-keys.js';

/** The witness's Ed25519 note key under its data directory, made on first start (0600). */
export async function ensureWitnessKey(dataDir: string, name: string): Promise<NoteSigner> {
  await mkdir(dataDir, { recursive: true, mode: 0o700 });
  const path = join(dataDir, 'witness.key');
  const existing = await readFile(path, 'utf8').catch(() => undefined);
  if (existing !== undefined) return noteSignerOf(existing);
  const { skey } = generateNoteKey(name);
  await writeFile(path, `${skey}\n`, { mode: 0o600, flag: 'wx' });
  await chmod(path, 0o600);
  return noteSignerOf(skey);
}
