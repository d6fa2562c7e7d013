import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';

export const CLI = join(process.cwd(), 'dist', 'gateway', 'src', 'cli.js');

/** `correction-ledger serve` in a child process of its own: a gateway that can really be killed. */
export interface ChildGateway {
  readonly url: string;
  readonly pid: number;
  /** SIGKILL: no handler runs, nothing is flushed or closed. */
  kill9(): Promise<void>;
  /** SIGTERM: the gateway closes its stores and exits. */
  stop(): Promise<void>;
}

const running = new Set<ChildProcess>();
// A failed test must not leave a gateway holding its LevelDB lock or a port.
process.on('exit', () => {
  for (const child of running) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
});

const exited = (child: ChildProcess): Promise<void> =>
  child.exitCode !== null || child.signalCode !== null ? Promise.resolve() : once(child, 'exit').then(() => undefined);

/** Starts a gateway on a free port over `dataDir`; resolves once it listens. */
export async function startChildGateway(dataDir: string, env: Record<string, string> = {}): Promise<ChildGateway> {
  const child = spawn(process.execPath, [CLI, 'serve'], {
    env: { ...process.env, PORT: '0', DATA_DIR: dataDir, LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  running.add(child);
  child.once('exit', () => running.delete(child));
  let stderr = '';
  const url = await new Promise<string>((resolve, reject) => {
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      const match = /gateway on (http:\/\/[\d.]+:\d+)/.exec(stderr);
      if (match?.[1]) resolve(match[1]);
    });
    child.once('exit', (code, signal) => {
      reject(new Error(`serve exited (${signal ?? String(code)}): ${stderr}`));
    });
  });
  const pid = child.pid;
  if (pid === undefined) throw new Error('the gateway has no pid');
  return {
    url,
    pid,
    async kill9() {
      const done = exited(child);
      process.kill(pid, 'SIGKILL');
      await done;
    },
    async stop() {
      const done = exited(child);
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await done;
    },
  };
}

/** Runs a CLI command to its end. */
export async function runCli(args: readonly string[], env: Record<string, string> = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [CLI, ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const [code] = (await once(child, 'exit')) as [number | null];
  return { code, stdout, stderr };
}
