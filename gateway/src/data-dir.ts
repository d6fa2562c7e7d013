import { chmod, lstat, mkdir, readdir } from 'node:fs/promises';
import { join } from 'node:path';

const GROUP_OTHERS = 0o077;

/**
 * Makes DATA_DIR the gateway user's alone: creates it 0700 and takes group and others' access
 * away from anything already in it, so that a directory from an earlier release, or one an
 * operator copied in, keeps no readable files. New files are private by the process umask (see
 * cli.ts); LevelDB creates its own files, so a mode at each write could not cover them.
 * Symbolic links are not followed: what they point to is the operator's to protect.
 * Returns how many files and directories were tightened.
 */
export async function secureDataDir(dataDir: string): Promise<number> {
  await mkdir(dataDir, { recursive: true, mode: 0o700 });
  return tighten(dataDir);
}

async function tighten(path: string): Promise<number> {
  const stat = await lstat(path);
  if (stat.isSymbolicLink()) return 0;
  let tightened = 0;
  if ((stat.mode & GROUP_OTHERS) !== 0) {
    await chmod(path, stat.mode & 0o700);
    tightened++;
  }
  if (stat.isDirectory()) {
    for (const name of await readdir(path)) tightened += await tighten(join(path, name));
  }
  return tightened;
}
