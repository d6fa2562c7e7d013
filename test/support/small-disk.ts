import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** A real filesystem that fills up: a tmpfs of `megabytes` MB mounted on a fresh folder (needs root). */
export async function mountSmallDisk(megabytes: number): Promise<{ path: string; remove: () => Promise<void> }> {
  const path = await mkdtemp(join(tmpdir(), 'small-disk-'));
  await run('mount', ['-t', 'tmpfs', '-o', `size=${megabytes}m,mode=0700`, 'tmpfs', path]);
  return {
    path,
    async remove() {
      await run('umount', [path]);
      await rm(path, { recursive: true, force: true });
    },
  };
}
