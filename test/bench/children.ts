import { fork, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import type { ChildMessage, ParentMessage } from './child-protocol.js';

/** A server running in a child process that this bench started. */
export interface ServerChild {
  readonly pid: number;
  readonly port: number;
  /**
   * CPU time (µs) and memory as the child itself reports them; with `collected`, after a full
   * garbage collection (when the child runs with --expose-gc).
   */
  usage(options?: { readonly collected?: boolean }): Promise<{ cpuMicros: number; rss: number; heapUsed: number; external: number; arrayBuffers: number }>;
  /** Starts profiling the child's CPU; profileStop writes the profile to `file` (a .cpuprofile). */
  profileStart(): void;
  profileStop(file: string): Promise<void>;
  /** Asks the child to close and exit; kills it if it does not within the grace period. */
  stop(graceMs?: number): Promise<void>;
  /** SIGKILL: no handler runs in the child, nothing is flushed or closed. Resolves once it is gone. */
  kill9(): Promise<void>;
}

const running = new Map<number, ChildProcess>();

/** Kills every child still running, by pid. Safe to call from an 'exit' handler. */
export function killAllChildren(): void {
  for (const [pid, child] of running) {
    if (child.exitCode === null && child.signalCode === null) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
    running.delete(pid);
  }
}

process.on('exit', killAllChildren);
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  process.once(signal, () => {
    killAllChildren();
    process.exit(130);
  });
}

const exited = (child: ChildProcess): Promise<void> =>
  child.exitCode !== null || child.signalCode !== null
    ? Promise.resolve()
    : new Promise((resolve) => {
        child.once('exit', () => {
          resolve();
        });
      });

/** Forks a compiled child script and waits for it to report the port it listens on. */
export async function startServerChild(
  script: URL,
  options: { env?: NodeJS.ProcessEnv; execArgv?: string[]; startTimeoutMs?: number } = {},
): Promise<ServerChild> {
  const child = fork(script, [], {
    env: options.env ?? process.env,
    execArgv: options.execArgv ?? [],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const pid = child.pid;
  if (pid === undefined) throw new Error(`could not start ${script.pathname}`);
  running.set(pid, child);
  child.once('exit', () => running.delete(pid));
  const kill = () => {
    if (child.exitCode === null && child.signalCode === null) process.kill(pid, 'SIGKILL');
  };

  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => {
      reject(new Error(`${script.pathname} did not start in time`));
    }, options.startTimeoutMs ?? 60_000);
    const onMessage = (message: ChildMessage) => {
      if (message.kind !== 'ready') return;
      clearTimeout(timer);
      child.off('message', onMessage);
      resolve(message.port);
    };
    child.on('message', onMessage);
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`${script.pathname} exited before listening (${signal ?? code})`));
    });
  }).catch((error: unknown) => {
    kill();
    throw error;
  });

  /** Sends a message and waits for the child's answer of the given kind. */
  const ask = <K extends ChildMessage['kind']>(message: ParentMessage, kind: K): Promise<Extract<ChildMessage, { kind: K }>> =>
    new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        reject(new Error(`the child did not answer ${kind}`));
      }, 30_000);
      const onMessage = (answer: ChildMessage) => {
        if (answer.kind !== kind) return;
        clearTimeout(timer);
        child.off('message', onMessage);
        resolve(answer as Extract<ChildMessage, { kind: K }>);
      };
      child.on('message', onMessage);
      child.send(message);
    });

  return {
    pid,
    port,
    usage: (options = {}) => ask(options.collected ? 'usage:collected' : 'usage', 'usage'),
    profileStart() {
      child.send('profile:start' satisfies ParentMessage);
    },
    async profileStop(file) {
      await ask({ kind: 'profile:stop', file }, 'profiled');
    },
    async stop(graceMs = 10_000) {
      if (child.exitCode !== null || child.signalCode !== null) return;
      if (child.connected) child.send('stop' satisfies ParentMessage);
      const timer = setTimeout(kill, graceMs);
      await exited(child);
      clearTimeout(timer);
    },
    async kill9() {
      const gone = exited(child);
      kill();
      await gone;
    },
  };
}

/** Resident set size of a process from /proc (Linux): now (VmRSS) and its peak so far (VmHWM), in bytes. */
export function residentSetSize(pid: number): { rss: number; peak: number } | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kib = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN) * 1024;
    return { rss: kib('VmRSS'), peak: kib('VmHWM') };
  } catch {
    return undefined;
  }
}

/** Samples a process's RSS every few hundred milliseconds: the largest seen, and one sample a second. */
export function sampleRss(pid: number, everyMs = 200): { stop(): { peak: number; perSecond: number[] } } {
  let peak = 0;
  const perSecond: number[] = [];
  const started = performance.now();
  const take = () => {
    const rss = residentSetSize(pid)?.rss ?? 0;
    peak = Math.max(peak, rss);
    if (performance.now() - started >= perSecond.length * 1000) perSecond.push(rss);
  };
  take();
  const timer = setInterval(take, everyMs);
  return {
    stop() {
      clearInterval(timer);
      take();
      return { peak, perSecond };
    },
  };
}

/** CPU time of the whole machine so far (Linux /proc/stat), in core-seconds: busy and total. */
export function machineCpu(): { busy: number; total: number } | undefined {
  try {
    const fields = readFileSync('/proc/stat', 'utf8').split('\n')[0]?.trim().split(/\s+/).slice(1, 9).map(Number) ?? [];
    const total = fields.reduce((sum, n) => sum + n, 0);
    const idle = (fields[3] ?? 0) + (fields[4] ?? 0);
    // USER_HZ is 100 on Linux.
    return { busy: (total - idle) / 100, total: total / 100 };
  } catch {
    return undefined;
  }
}
