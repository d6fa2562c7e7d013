import { execFileSync } from 'node:child_process';

/** The commit measured, and whether the work tree differed from it. */
export function revision(root: string): string {
  try {
    const git = (...args: string[]) => execFileSync('git', args, { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    return `${git('rev-parse', '--short', 'HEAD')}${git('status', '--porcelain', '--untracked-files=no') ? ' + local changes' : ''}`;
  } catch {
    return 'unknown';
  }
}
