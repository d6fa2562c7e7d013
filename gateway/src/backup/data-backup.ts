import { randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { lstat, mkdir, readdir, rename, rm, stat } from 'node:fs/promises';
import { basename, dirname, join, relative, sep } from 'node:path';
import { Level } from 'level';
import { pipeline } from 'node:stream/promises';
import { create, extract, type ReadEntry } from 'tar';
import { syncPath } from '../store/sync-path.js';

/** A backup or restore refused: the message says why and what to do. */
export class BackupError extends Error {
  override readonly name = 'BackupError';
}

/** How far a backup or restore has come: bytes of the data directory's files packed or unpacked. */
export type BackupProgress = (done: number, total: number) => void;

export interface BackupSummary {
  readonly files: number;
  readonly bytes: number;
  readonly archiveBytes: number;
}

/** Uploads still streaming in when the gateway stopped: never kept, never backed up (paths as tar writes them). */
const SKIPPED = 'files/tmp/';
const isSkipped = (path: string): boolean => path.replace(/^\.\//, '').split(sep).join('/').startsWith(SKIPPED);

interface Walked {
  readonly files: number;
  readonly bytes: number;
  /** LevelDB databases: folders holding a LOCK file. */
  readonly databases: string[];
}

async function walk(root: string, dir = root, into: { files: number; bytes: number; databases: string[] } = { files: 0, bytes: 0, databases: [] }): Promise<Walked> {
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (isSkipped(relative(root, path))) continue;
    if (entry.isDirectory()) {
      await walk(root, path, into);
    } else if (entry.isFile()) {
      if (entry.name === 'LOCK') into.databases.push(dir);
      into.files++;
      into.bytes += (await stat(path)).size;
    }
  }
  return into;
}

/**
 * Opens and closes every database of the data directory: refused (BackupError) when one is held by
 * a running gateway. LevelDB finishes its own recovery on open, so what is then copied is a
 * consistent state.
 */
async function ensureStopped(databases: readonly string[]): Promise<void> {
  for (const dir of databases) {
    const db = new Level(dir, { createIfMissing: false });
    try {
      await db.open();
    } catch (error) {
      const code = (error as { code?: string; cause?: { code?: string } }).cause?.code;
      if (code === 'LEVEL_LOCKED') throw new BackupError(`the data directory is in use (${basename(dir)} is open): stop the gateway first, and keep it stopped until the backup ends`);
      throw error;
    }
    await db.close();
  }
}

/** Syncs every file and folder of a tree, folders after what they hold. */
async function syncTree(dir: string): Promise<void> {
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) await syncTree(path);
    else if (entry.isFile()) await syncPath(path, false);
  }
  await syncPath(dir, true);
}

const isMissing = (error: unknown): boolean => (error as { code?: string }).code === 'ENOENT';

/** What `read` answers, or undefined when the path does not exist. */
async function unlessMissing<T>(read: Promise<T>): Promise<T | undefined> {
  try {
    return await read;
  } catch (error) {
    if (isMissing(error)) return undefined;
    throw error;
  }
}

/**
 * Writes a gzipped tar of a stopped gateway's data directory to `out`: written beside it under
 * another name, synced and renamed into place, so that `out` is whole or absent. Refused while a
 * gateway holds the directory's databases, and again if one opened them while the archive was
 * written. Uploads that were still streaming in are left out.
 */
export async function backupDataDir(dataDir: string, out: string, onProgress?: BackupProgress): Promise<BackupSummary> {
  const found = await walk(dataDir).catch((error: unknown) => {
    throw isMissing(error) ? new BackupError(`no data directory at ${dataDir}`) : error;
  });
  if (found.databases.length === 0) throw new BackupError(`${dataDir} holds no gateway data`);
  await ensureStopped(found.databases);
  const outStat = await unlessMissing(lstat(out));
  if (outStat) throw new BackupError(`${out} exists: a backup does not overwrite a file`);
  const part = join(dirname(out), `.${basename(out)}.${randomBytes(6).toString('hex')}.part`);
  let packed = 0;
  try {
    await create(
      {
        gzip: true,
        cwd: dataDir,
        file: part,
        portable: true,
        filter: (path, entry) => {
          if (isSkipped(path)) return false;
          if ('isFile' in entry && entry.isFile()) {
            packed += entry.size;
            onProgress?.(Math.min(packed, found.bytes), found.bytes);
          }
          return true;
        },
      },
      ['.'],
    );
    // A gateway that started meanwhile may have changed what was being copied.
    await ensureStopped(found.databases);
    await syncPath(part, false);
    await rename(part, out);
    await syncPath(dirname(out), true);
  } catch (error) {
    await rm(part, { force: true });
    throw error;
  }
  return { files: found.files, bytes: found.bytes, archiveBytes: (await stat(out)).size };
}

/**
 * Restores a backup into `dataDir`, which must not exist or be empty: unpacked beside it under
 * another name (paths that would leave it refused), every file synced, then renamed into place,
 * so that `dataDir` is whole or absent. An archive that is cut short or altered does not unpack.
 */
export async function restoreDataDir(archive: string, dataDir: string, onProgress?: BackupProgress): Promise<BackupSummary> {
  const archiveBytes = await stat(archive).then(
    (s) => s.size,
    (error: unknown) => {
      throw isMissing(error) ? new BackupError(`no backup at ${archive}`) : error;
    },
  );
  const existing = await unlessMissing(readdir(dataDir));
  if (existing && existing.length > 0) throw new BackupError(`${dataDir} is not empty: a restore goes into a new or empty directory`);
  await mkdir(dirname(dataDir), { recursive: true });
  const part = join(dirname(dataDir), `.${basename(dataDir)}.${randomBytes(6).toString('hex')}.restoring`);
  await mkdir(part, { mode: 0o700 });
  let files = 0;
  let bytes = 0;
  try {
    let read = 0;
    const counted = createReadStream(archive).on('data', (chunk) => {
      read += chunk.length;
      onProgress?.(read, archiveBytes);
    });
    const unpack = extract({ cwd: part, strict: true, preservePaths: false }).on('entry', (entry: ReadEntry) => {
      if (entry.type === 'File') {
        files++;
        bytes += entry.size;
      }
    });
    await pipeline(counted, unpack).catch((error: unknown) => {
      throw new BackupError(`${archive} does not unpack: ${error instanceof Error ? error.message : String(error)}`);
    });
    if (files === 0) throw new BackupError(`${archive} holds no files`);
    await syncTree(part);
    if (existing) await rm(dataDir, { recursive: true });
    await rename(part, dataDir);
    await syncPath(dirname(dataDir), true);
  } catch (error) {
    await rm(part, { recursive: true, force: true });
    throw error;
  }
  return { files, bytes, archiveBytes };
}
