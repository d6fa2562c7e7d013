import { rmSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { ensureDevKeys, mintDevToken } from '../../gateway/src/keys.js';
import { machineCpu, residentSetSize, sampleRss, startServerChild, type ServerChild } from './children.js';
import { DISTINCT_RESIDENT_IDS, handoverRequestBody } from './events.js';

export interface HttpSettings {
  readonly connections: number;
  readonly seconds: number;
  readonly warmupSeconds: number;
  /** When set, each server child's CPU is profiled over the measured run into <dir>/<server>.cpuprofile. */
  readonly cpuProfileDir?: string | undefined;
}

/** One autocannon run. Latencies cover every response, 2xx or not (autocannon's default). */
export interface LoadResult {
  readonly seconds: number;
  readonly responses: number;
  readonly ok: number;
  readonly non2xx: number;
  /** Connection errors and timeouts. */
  readonly errors: number;
  readonly timeouts: number;
  readonly statusCodes: Readonly<Record<string, number>>;
  /** 2xx responses per second. */
  readonly okPerSecond: number;
  readonly latencyMs: { readonly p50: number; readonly p90: number; readonly p99: number; readonly mean: number; readonly max: number };
}

export interface ServerResult {
  readonly warmup: LoadResult;
  readonly measured: LoadResult;
  /** CPU the server used during the measured run, in cores (1 = one core busy all the time). */
  readonly serverCpuCores: number;
  /** CPU the load generator (this process, autocannon) used meanwhile, in cores. */
  readonly loadGeneratorCpuCores: number;
  /** CPU every other process on the machine used meanwhile, in cores: noise in the measurement. */
  readonly otherCpuCores: number | undefined;
  /** Largest RSS sampled during the measured run, and the peak over the process's whole life. */
  readonly peakRssBytes: number;
  readonly lifetimePeakRssBytes: number | undefined;
  /** RSS once a second through the measured run (growth here with no plateau would be a leak). */
  readonly rssPerSecondBytes: readonly number[];
  /** V8 heap in use, and memory outside it (Buffers, native addons' allocations V8 knows of), at the end of the measured run. */
  readonly heapUsedBytes: number;
  readonly externalBytes: number;
}

/**
 * How far the gateway's Merkle log (GET /v1/log) trails the ledger when the load stops, and how
 * long it takes to catch up. A log that falls behind holds the blocks it has yet to append in memory.
 */
export interface LogLag {
  readonly entries: number;
  readonly logSizeAtEnd: number;
  /** Seconds until the log held every entry, or null if it had not within the time allowed. */
  readonly catchUpSeconds: number | null;
  /** CPU the gateway spent meanwhile (catching up is work the measured run left undone), core-seconds. */
  readonly catchUpCpuSeconds: number;
  /** The gateway's memory once the log had caught up (or given up on). */
  readonly afterCatchUp: { readonly rssBytes: number; readonly heapUsedBytes: number };
}

export interface HttpBenchResult {
  readonly settings: HttpSettings;
  readonly gateway: ServerResult & { readonly subjectsUsed: number; readonly log: LogLag | undefined };
  readonly echo: ServerResult;
  readonly gatewayToEcho: number;
}

interface Target {
  readonly port: number;
  readonly path: string;
  readonly tokens: readonly string[];
  readonly nextBody: () => string;
}

/** Drives one server with autocannon: POST JSON, one bearer token per connection, a new body per request. */
async function load(target: Target, connections: number, seconds: number): Promise<LoadResult> {
  let client = 0;
  const statusCodes: Record<string, number> = {};
  const result = await new Promise<autocannon.Result>((resolve, reject) => {
    const instance = autocannon(
      {
        url: `http://127.0.0.1:${target.port}`,
        connections,
        duration: seconds,
        timeout: 10,
        setupClient(c) {
          const token = target.tokens[client++ % target.tokens.length] ?? '';
          c.setHeaders({ 'content-type': 'application/json', authorization: `Bearer ${token}` });
        },
        requests: [{ method: 'POST', path: target.path, setupRequest: (request) => ({ ...request, body: target.nextBody() }) }],
      },
      (error: unknown, done) => {
        if (error) reject(error instanceof Error ? error : new Error('autocannon failed', { cause: error }));
        else resolve(done);
      },
    );
    instance.on('response', (_client, statusCode) => {
      statusCodes[statusCode] = (statusCodes[statusCode] ?? 0) + 1;
    });
  });
  const ok = result['2xx'];
  return {
    seconds: result.duration,
    responses: result.requests.total,
    ok,
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
    statusCodes,
    okPerSecond: ok / result.duration,
    latencyMs: {
      p50: result.latency.p50,
      p90: result.latency.p90,
      p99: result.latency.p99,
      mean: result.latency.average,
      max: result.latency.max,
    },
  };
}

async function logLag(child: ServerChild, token: string, entries: number, waitSeconds = 180): Promise<LogLag | undefined> {
  const logSize = async (): Promise<number | undefined> => {
    const response = await fetch(`http://127.0.0.1:${child.port}/v1/log`, { headers: { authorization: `Bearer ${token}` } });
    const body = (await response.json().catch(() => ({}))) as { size?: unknown };
    return response.ok && typeof body.size === 'number' ? body.size : undefined;
  };
  const before = await child.usage();
  const logSizeAtEnd = await logSize().catch(() => undefined);
  if (logSizeAtEnd === undefined) return undefined;
  const started = performance.now();
  let size = logSizeAtEnd;
  while (size < entries && performance.now() - started < waitSeconds * 1000) {
    await new Promise((resolve) => setTimeout(resolve, 500));
    size = (await logSize()) ?? size;
  }
  const usage = await child.usage();
  return {
    entries,
    logSizeAtEnd,
    catchUpSeconds: size >= entries ? (performance.now() - started) / 1000 : null,
    catchUpCpuSeconds: (usage.cpuMicros - before.cpuMicros) / 1e6,
    afterCatchUp: { rssBytes: usage.rss, heapUsedBytes: usage.heapUsed },
  };
}

/**
 * Starts a server child, warms it up, measures it, lets `afterRun` look at it, and stops it again
 * (also on failure).
 */
async function measureServer<Extra>(
  name: string,
  env: NodeJS.ProcessEnv,
  target: Omit<Target, 'port'>,
  settings: HttpSettings,
  afterRun: (child: ServerChild, recorded: number) => Promise<Extra>,
): Promise<ServerResult & Extra> {
  const child = await startServerChild(new URL(`./${name}-child.js`, import.meta.url), { env });
  try {
    const t = { ...target, port: child.port };
    const warmup = await load(t, settings.connections, settings.warmupSeconds);
    if (settings.cpuProfileDir) child.profileStart();
    const before = await child.usage();
    const rss = sampleRss(child.pid);
    const ownBefore = process.cpuUsage();
    const machineBefore = machineCpu();
    const measured = await load(t, settings.connections, settings.seconds);
    const own = process.cpuUsage(ownBefore);
    const machineAfter = machineCpu();
    const rssSamples = rss.stop();
    const after = await child.usage();
    if (settings.cpuProfileDir) {
      await mkdir(settings.cpuProfileDir, { recursive: true });
      await child.profileStop(join(settings.cpuProfileDir, `${name}.cpuprofile`));
    }
    const serverCpuCores = (after.cpuMicros - before.cpuMicros) / (measured.seconds * 1e6);
    const loadGeneratorCpuCores = (own.user + own.system) / (measured.seconds * 1e6);
    const machineCores = machineBefore && machineAfter ? (machineAfter.busy - machineBefore.busy) / measured.seconds : undefined;
    const lifetimePeakRssBytes = residentSetSize(child.pid)?.peak;
    return {
      ...(await afterRun(child, warmup.ok + measured.ok)),
      warmup,
      measured,
      serverCpuCores,
      loadGeneratorCpuCores,
      otherCpuCores: machineCores === undefined ? undefined : Math.max(0, machineCores - serverCpuCores - loadGeneratorCpuCores),
      peakRssBytes: rssSamples.peak,
      rssPerSecondBytes: rssSamples.perSecond,
      heapUsedBytes: after.heapUsed,
      externalBytes: after.external,
      lifetimePeakRssBytes,
    };
  } finally {
    await child.stop();
  }
}

/**
 * Record throughput of the real gateway on the embedded ledger, against a bare express echo of
 * bodies of the same size under the same load. Each request is a SENTENCE_HANDOVER for a subject
 * never seen before, sent by one of `connections` court clerks (one token per connection): the
 * gateway verifies the JWT, runs the contract, hashes the entry, cuts a block and signs a receipt.
 */
export async function runHttpBench(settings: HttpSettings): Promise<HttpBenchResult> {
  const dataDir = await mkdtemp(join(tmpdir(), 'bench-gateway-'));
  // Also when interrupted: children.ts kills the children, then exits.
  const removeDataDir = () => {
    rmSync(dataDir, { recursive: true, force: true });
  };
  process.once('exit', removeDataDir);
  try {
    await ensureDevKeys(dataDir);
    const tokens = await Promise.all(
      Array.from({ length: settings.connections }, (_, i) =>
        mintDevToken(dataDir, { agency: 'COURT', role: 'clerk', sub: `bench-clerk-${i}`, expiresIn: '2h' }),
      ),
    );
    let subjects = 0;
    const nextHandover = () => handoverRequestBody((subjects++ % DISTINCT_RESIDENT_IDS) + 1);
    const gateway = await measureServer(
      'gateway',
      { ...process.env, BENCH_DATA_DIR: dataDir },
      { path: '/v1/events', tokens, nextBody: nextHandover },
      settings,
      async (child, recorded) => ({ subjectsUsed: subjects, log: await logLag(child, tokens[0] ?? '', recorded) }),
    );
    if (subjects > DISTINCT_RESIDENT_IDS) {
      process.stderr.write(`warning: ${subjects} requests but only ${DISTINCT_RESIDENT_IDS} distinct resident IDs; repeats fail with 409\n`);
    }
    let echoed = 0;
    const echo = await measureServer(
      'echo',
      process.env,
      { path: '/echo', tokens, nextBody: () => handoverRequestBody((echoed++ % DISTINCT_RESIDENT_IDS) + 1) },
      settings,
      () => Promise.resolve({}),
    );
    return {
      settings,
      gateway,
      echo,
      gatewayToEcho: gateway.measured.okPerSecond / echo.measured.okPerSecond,
    };
  } finally {
    process.off('exit', removeDataDir);
    await rm(dataDir, { recursive: true, force: true });
  }
}
