/**
 * npm run bench:fabric — throughput and submit-to-commit latency on the running Fabric network
 * (`npm run network:up` first), in one run:
 *
 *   gateway   COURT's real REST gateway (a child process, LEDGER=fabric, as fabric-target.ts sets it
 *             up) answering POST /v1/events: each request a SENTENCE_HANDOVER of a new subject, which
 *             the gateway answers after the transaction committed on COURT's peer;
 *   baseline  the same network driving the minimal `baseline` chaincode, Put(unique key, value),
 *             straight through @hyperledger/fabric-gateway (endorse + submit + wait for commit) with
 *             the same COURT `gateway` identity and the same peer;
 *
 * each with closed-loop clients at every concurrency level, the two interleaved level by level so
 * that a change in the machine's load hits both. Alongside, per level: CPU of every process (peers,
 * orderers, chaincode servers, REST gateway, this process, everything else) and the peers' own
 * metrics (endorsement time, chaincode calls, private data pushes, blocks), to tell where a
 * difference comes from. Prints a table and writes bench-results/fabric-<timestamp>.json.
 *
 * Environment:
 *   BENCH_FABRIC_LEVELS=1,10,50       concurrent clients per level
 *   BENCH_FABRIC_SECONDS=20           measured seconds per level and path
 *   BENCH_FABRIC_WARMUP_SECONDS=3     warm-up before each measured window
 *   BENCH_FABRIC_ONLY=gateway|baseline one path only
 *   BENCH_FABRIC_IDLE_SECONDS=5       CPU of the idle network, measured once before the levels
 *   BENCH_CPU_PROF=1                  profile the REST gateway's CPU over each measured gateway window
 *   NETWORK_DIR=.network
 */
import { execFile } from 'node:child_process';
import { access, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { Agent, request as httpRequest } from 'node:http';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { GatewayError, type Contract } from '@hyperledger/fabric-gateway';
import { peer } from '@hyperledger/fabric-protos';
import { ensureDevKeys, mintDevToken } from '../../gateway/src/keys.js';
import { sampleDocument } from '../support/documents.js';
import { residentId } from '../support/ids.js';
import { connectFabric } from '../support/fabric-target.js';
import { killAllChildren, startServerChild, type ServerChild } from './children.js';
import { closedLoop, type LevelResult, type Outcome } from './fabric-load.js';
import { cpuSnapshot, cpuUsage, fabricBreakdown, metricsDelta, metricsSnapshot, type CpuSnapshot, type CpuUsage, type FabricBreakdown, type MetricsSnapshot } from './fabric-probe.js';
import { formatFabricReport, FABRIC_TARGETS } from './fabric-report.js';

const exec = promisify(execFile);
const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const RESULTS = join(ROOT, 'bench-results');
const NETWORK_DIR = resolve(ROOT, process.env['NETWORK_DIR'] ?? '.network');
const AGENCY = 'COURT';
const EXTRAS = new Set(['gateway', 'bench']);

export interface PathResult {
  readonly load: LevelResult;
  readonly cpu: CpuUsage;
  readonly fabric: FabricBreakdown;
  /** The REST gateway's own view (gateway path only): mean ms it spent on a 201 POST /v1/events. */
  readonly restServerMs?: number;
  readonly metricsDelta: MetricsSnapshot;
}

export interface FabricLevel {
  readonly concurrency: number;
  readonly gateway?: PathResult;
  readonly baseline?: PathResult;
  /** Gateway events/s over baseline transactions/s. */
  readonly ratio?: number;
}

/**
 * Requests whose outcome was unknown when answered (the gateway's 202 with a submission, its 5xx,
 * the client's Submit/CommitStatus errors), checked once the run is over: was the transaction
 * committed after all?
 */
export interface UnknownOutcomes {
  readonly path: 'gateway' | 'baseline';
  readonly failed: number;
  readonly checked: number;
  readonly committedAnyway: number;
}

/** Size of one committed transaction of each path, as the COURT peer stores it (qscc GetTransactionByID). */
export interface TxSizes {
  readonly gateway?: { readonly txId: string; readonly bytes: number };
  readonly baseline?: { readonly txId: string; readonly bytes: number };
}

function numbersFromEnv(name: string, fallback: number[]): number[] {
  const raw = process.env[name];
  if (!raw) return fallback;
  const values = raw.split(',').map((v) => Number(v.trim()));
  if (values.some((v) => !Number.isFinite(v) || v <= 0)) throw new Error(`${name} must be positive numbers separated by commas, not ${JSON.stringify(raw)}`);
  return values;
}
const numberFromEnv = (name: string, fallback: number): number => numbersFromEnv(name, [fallback])[0] ?? fallback;

// ---------------------------------------------------------------------------------------------
// The REST gateway path

const agent = new Agent({ keepAlive: true, maxSockets: 256 });

function post(port: number, path: string, body: string, token: string): Promise<{ status: number; text: string }> {
  return new Promise((resolvePost, reject) => {
    const req = httpRequest(
      {
        host: '127.0.0.1',
        port,
        path,
        method: 'POST',
        agent,
        timeout: 120_000,
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), authorization: `Bearer ${token}` },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => {
          resolvePost({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') });
        });
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error('no answer in 120 s')));
    req.on('error', reject);
    req.end(body);
  });
}

async function get(port: number, path: string): Promise<{ status: number; text: string }> {
  const response = await fetch(`http://127.0.0.1:${port}${path}`, { signal: AbortSignal.timeout(10_000) });
  return { status: response.status, text: await response.text() };
}

/** Sum and count of a gateway metric's series whose labels include `labels`. */
async function gatewayMetric(port: number, name: string, labels: readonly string[] = []): Promise<number> {
  const { text } = await get(port, '/metrics');
  let sum = 0;
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    if (labels.every((l) => line.includes(l))) sum += Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return sum;
}

/**
 * A gateway with no event checkpoint replays the contract's chaincode events from block 0 when it
 * starts; waits until that settles (fewer than 20 more a second) so the replay does not load the
 * measured runs. Returns how many it saw and how long it took.
 */
async function waitForEventReplay(port: number): Promise<{ events: number; seconds: number }> {
  const started = Date.now();
  let last = await gatewayMetric(port, 'ledger_chaincode_events_total');
  for (;;) {
    await new Promise((r) => setTimeout(r, 1_000));
    const now = await gatewayMetric(port, 'ledger_chaincode_events_total');
    if (now - last < 20 || Date.now() - started > 180_000) return { events: now, seconds: (Date.now() - started) / 1000 };
    last = now;
  }
}

function handoverBody(n: number): string {
  return JSON.stringify({
    type: 'SENTENCE_HANDOVER',
    subject: { idNumber: residentId(n) },
    occurredAt: '2024-01-10T09:00:00+08:00',
    document: sampleDocument('SENTENCE_HANDOVER', { decisionNo: `(2024)京0105刑初${n}号` }),
  });
}

// ---------------------------------------------------------------------------------------------
// The raw Fabric baseline


/** COURT's `gateway` identity on COURT's peer, with the REST gateway's own deadlines. */
async function connectBaseline(): Promise<{ contract: Contract; qscc: Contract; channel: string; close: () => void; identity: string }> {
  const { gateway, settings, close } = await connectFabric(AGENCY);
  return {
    contract: gateway.getNetwork(settings.channel).getContract('baseline'),
    qscc: gateway.getNetwork(settings.channel).getContract('qscc'),
    channel: settings.channel,
    identity: `${settings.mspId} ${settings.certPath.replace(/.*\/users\//, '').replace(/\/.*/, '')} → ${settings.peerEndpoint}`,
    close,
  };
}

function fabricOutcome(error: unknown): Outcome & { detail: string; txId?: string } {
  if (error instanceof GatewayError) {
    const details = error.details.map((d) => `${d.mspId}: ${d.message}`).join('; ');
    const txId = (error as { transactionId?: unknown }).transactionId;
    return { ok: false, code: `${error.name} ${error.code}`, detail: `${error.message}${details ? ` (${details})` : ''}`, ...(typeof txId === 'string' ? { txId } : {}) };
  }
  const e = error as { name?: string; code?: string | number; message?: string };
  return { ok: false, code: `${e.name ?? 'Error'}${e.code === undefined ? '' : ` ${e.code}`}`, detail: e.message ?? String(error) };
}

// ---------------------------------------------------------------------------------------------

async function networkIsUp(): Promise<boolean> {
  try {
    await exec('bash', [join(ROOT, 'scripts/network-status.sh')], { cwd: ROOT, env: { ...process.env, NETWORK_DIR } });
    return true;
  } catch {
    return false;
  }
}

async function git(...args: string[]): Promise<string> {
  return exec('git', args, { cwd: ROOT }).then(
    (r) => r.stdout.trim(),
    () => '',
  );
}

/** What a run measures, from the environment. */
interface RunSettings {
  readonly levels: readonly number[];
  readonly seconds: number;
  readonly warmupSeconds: number;
  readonly idleSeconds: number;
  readonly only: 'gateway' | 'baseline' | undefined;
  readonly profileDir: string | undefined;
}

function runSettings(): RunSettings {
  return {
    levels: numbersFromEnv('BENCH_FABRIC_LEVELS', [1, 10, 50]).map(Math.round),
    seconds: numberFromEnv('BENCH_FABRIC_SECONDS', 20),
    warmupSeconds: numberFromEnv('BENCH_FABRIC_WARMUP_SECONDS', 3),
    idleSeconds: numberFromEnv('BENCH_FABRIC_IDLE_SECONDS', 5),
    only: onlyPath(),
    profileDir: process.env['BENCH_CPU_PROF'] ? join(RESULTS, 'profiles') : undefined,
  };
}

function onlyPath(): 'gateway' | 'baseline' | undefined {
  const only = process.env['BENCH_FABRIC_ONLY'];
  if (!only) return undefined;
  if (only === 'gateway' || only === 'baseline') return only;
  throw new Error('BENCH_FABRIC_ONLY must be gateway or baseline');
}

/** The network's settings as network-up wrote them (package ids left out). */
async function networkSettings(): Promise<Record<string, string>> {
  return Object.fromEntries(
    (await readFile(join(NETWORK_DIR, 'network.env'), 'utf8').catch(() => ''))
      .split('\n')
      .filter((l) => /^[A-Z_]+=/.test(l) && !l.startsWith('PACKAGE_ID'))
      .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
  );
}

type Baseline = Awaited<ReturnType<typeof connectBaseline>>;
type Request = (worker: number) => Promise<Outcome & { detail?: string }>;

/** One run of the bench: the gateway child and the baseline client, and what both paths have done so far. */
class FabricBenchRun {
  readonly settings: RunSettings;
  readonly temp: string;
  // Distinct subjects: a base from the clock, so reruns (and other suites) do not reuse ID numbers.
  // residentId(n) is distinct for n < 20,000,000; the bench uses 10,000,000 and up.
  readonly subjectBase = 10_000_000 + ((Math.floor(Date.now() / 1000) * 97) % 9_000_000);
  nextSubject = this.subjectBase;
  readonly runId: string;
  nextKey = 0;
  readonly baselineValue = 'x'.repeat(200); // about a handover document's size
  child: ServerChild | undefined;
  baseline: Baseline | undefined;
  tokens: string[] = [];
  readonly levelResults: FabricLevel[] = [];
  startup: { gatewaySeconds: number; replay: { events: number; seconds: number } } | undefined;
  idle: CpuUsage | undefined;
  readonly lastTx: { gateway?: string; baseline?: string } = {};
  /** Subjects whose handover the gateway answered 202 or 5xx, and baseline transactions that failed after endorsement. */
  readonly unknown = { gateway: [] as number[], baseline: [] as string[] };
  readonly unknownOutcomes: UnknownOutcomes[] = [];
  readonly txSizes: { gateway?: { txId: string; bytes: number }; baseline?: { txId: string; bytes: number } } = {};

  constructor(settings: RunSettings, temp: string, startedAt: Date) {
    this.settings = settings;
    this.temp = temp;
    this.runId = startedAt.toISOString().replace(/[-:]/g, '').replace(/\..*/, '');
  }

  /** COURT's REST gateway in a child process, once it is ready and has replayed the chain's events. */
  async startGateway(): Promise<void> {
    const began = Date.now();
    const child = await startServerChild(new URL('./fabric-gateway-child.js', import.meta.url), {
      env: {
        ...process.env,
        NETWORK_DIR,
        BENCH_AGENCY: AGENCY,
        BENCH_DATA_DIR: this.temp,
        BENCH_LOG_FILE: join(this.temp, 'gateway.log'),
      },
    });
    this.child = child;
    const port = child.port;
    for (let i = 0; ; i++) {
      if ((await get(port, '/readyz').catch(() => ({ status: 0 }))).status === 200) break;
      if (i > 60) throw new Error('the REST gateway did not become ready in 30 s');
      await new Promise((r) => setTimeout(r, 500));
    }
    const replay = await waitForEventReplay(port);
    this.startup = { gatewaySeconds: (Date.now() - began) / 1000, replay };
    process.stdout.write(`REST gateway (${AGENCY}, pid ${child.pid}) ready on port ${port}; replayed ${replay.events} chaincode events in ${replay.seconds.toFixed(0)} s\n`);
  }

  /** CPU of the network with no load, over a few seconds. */
  async measureIdle(): Promise<void> {
    const extras = this.#extras();
    const before = await cpuSnapshot(NETWORK_DIR, extras);
    await new Promise((r) => setTimeout(r, this.settings.idleSeconds * 1000));
    const idle = cpuUsage(before, await cpuSnapshot(NETWORK_DIR, extras), EXTRAS);
    this.idle = idle;
    process.stdout.write(`idle network: ${idle.machineBusyCores.toFixed(2)} of ${cpus().length} cores busy (ours ${Object.values(idle.cores).reduce((a, b) => a + b, 0).toFixed(2)}, other people's ${idle.otherCores.toFixed(2)}) over ${this.settings.idleSeconds} s\n`);
  }

  /** Both paths at one level of concurrency, one after the other. */
  async runLevel(concurrency: number): Promise<void> {
    const { seconds, warmupSeconds, only } = this.settings;
    process.stdout.write(`level ${concurrency}: ${warmupSeconds} s warm-up + ${seconds} s measured per path\n`);
    const child = this.child;
    const gateway = child ? await this.#measure('gateway', concurrency, this.#gatewayRequest(child)) : undefined;
    const baseline = this.baseline;
    const base = baseline && only !== 'gateway' ? await this.#measure('baseline', concurrency, this.#baselineRequest(baseline)) : undefined;
    this.levelResults.push({
      concurrency,
      ...(gateway ? { gateway } : {}),
      ...(base ? { baseline: base } : {}),
      ...(gateway && base && base.load.okPerSecond > 0 ? { ratio: gateway.load.okPerSecond / base.load.okPerSecond } : {}),
    });
  }

  /** Failed requests whose transaction may have been ordered: did it commit after all? */
  async checkUnknownOutcomes(baseline: Baseline): Promise<void> {
    if (this.unknown.gateway.length > 0 && this.child) {
      const token = this.tokens[0] ?? '';
      const sample = this.unknown.gateway.slice(0, 100);
      let committed = 0;
      for (const n of sample) {
        const answer = await post(this.child.port, '/v1/subjects/lookup', JSON.stringify({ idNumber: residentId(n) }), token).catch(() => ({ status: 0, text: '' }));
        if (answer.status === 200) committed++;
      }
      this.unknownOutcomes.push({ path: 'gateway', failed: this.unknown.gateway.length, checked: sample.length, committedAnyway: committed });
    }
    if (this.unknown.baseline.length > 0) {
      const sample = this.unknown.baseline.slice(0, 100);
      let committed = 0;
      for (const txId of sample) {
        const bytes = await baseline.qscc.evaluateTransaction('GetTransactionByID', baseline.channel, txId).catch(() => undefined);
        if (bytes && peer.ProcessedTransaction.deserializeBinary(bytes).getValidationcode() === peer.TxValidationCode.VALID) committed++;
      }
      this.unknownOutcomes.push({ path: 'baseline', failed: this.unknown.baseline.length, checked: sample.length, committedAnyway: committed });
    }
  }

  /** The size of the last committed transaction of each path, as the peer stores it. */
  async readTxSizes(baseline: Baseline): Promise<void> {
    for (const path of ['gateway', 'baseline'] as const) {
      const answer = this.lastTx[path];
      if (!answer) continue;
      const parsed = JSON.parse(answer) as { txId?: string; entry?: { txId?: string } };
      const txId = parsed.entry?.txId ?? parsed.txId;
      if (!txId) continue;
      const bytes = await baseline.qscc.evaluateTransaction('GetTransactionByID', baseline.channel, txId).then(
        (b) => b.length,
        () => NaN,
      );
      this.txSizes[path] = { txId, bytes };
    }
  }

  #extras(): Record<string, number> {
    return { bench: process.pid, ...(this.child ? { gateway: this.child.pid } : {}) };
  }

  /** A new subject's handover through the REST gateway, per request. */
  #gatewayRequest(child: ServerChild): Request {
    return async (worker) => {
      const n = this.nextSubject++;
      try {
        const answer = await post(child.port, '/v1/events', handoverBody(n), this.tokens[worker] ?? '');
        if (answer.status === 201) {
          this.lastTx.gateway = answer.text;
          return { ok: true, code: '201' };
        }
        const code = problemCode(answer.text);
        // 202: sent, no commit seen in time; the outbox settles it.
        if (answer.status >= 500 || answer.status === 202) this.unknown.gateway.push(n);
        return { ok: false, code: `${answer.status}${code ? ` ${code}` : ''}`, detail: answer.text };
      } catch (error) {
        return { ok: false, code: (error as { code?: string }).code ?? 'HTTP error', detail: (error as Error).message };
      }
    };
  }

  /** A Put of a new key straight to the baseline chaincode, per request. */
  #baselineRequest(baseline: Baseline): Request {
    return async () => {
      try {
        const result = await baseline.contract.submitTransaction('Put', `bench-${this.runId}-${this.nextKey++}`, this.baselineValue);
        this.lastTx.baseline = new TextDecoder().decode(result);
        return { ok: true, code: 'VALID' };
      } catch (error) {
        const outcome = fabricOutcome(error);
        if (outcome.txId && !/^EndorseError/.test(outcome.code)) this.unknown.baseline.push(outcome.txId);
        return outcome;
      }
    };
  }

  /** One path at one level, with CPU and metrics probes over exactly its measured window. */
  async #measure(path: 'gateway' | 'baseline', concurrency: number, request: Request): Promise<PathResult> {
    const { seconds, warmupSeconds } = this.settings;
    const extras = this.#extras();
    const probes = new WindowProbes(path === 'gateway' ? this.child : undefined, extras);
    process.stdout.write(`  ${path.padEnd(8)} ${String(concurrency).padStart(3)} clients: `);
    const load = await closedLoop(
      {
        concurrency,
        warmupSeconds,
        seconds,
        onWindow: {
          start: async () => {
            if (this.#profiling(path)) this.child?.profileStart();
            await probes.start();
          },
          end: async () => {
            await probes.end();
            const profileDir = this.settings.profileDir;
            if (profileDir && this.#profiling(path) && this.child) {
              await mkdir(profileDir, { recursive: true });
              await this.child.profileStop(join(profileDir, `fabric-gateway-${concurrency}.cpuprofile`));
            }
          },
        },
      },
      request,
    );
    const result = probes.result(path, load);
    process.stdout.write(
      `${load.okPerSecond.toFixed(1)}/s, p50 ${load.latencyMs.p50.toFixed(0)} ms, p99 ${load.latencyMs.p99.toFixed(0)} ms, ${load.errors} errors; machine ${result.cpu.machineBusyCores.toFixed(2)} of ${cpus().length} cores busy\n`,
    );
    return result;
  }

  #profiling(path: 'gateway' | 'baseline'): boolean {
    return this.settings.profileDir !== undefined && path === 'gateway';
  }
}

/** The problem code in a refusal's body, if it has one. */
function problemCode(text: string): string {
  try {
    const code = (JSON.parse(text) as { code?: unknown }).code;
    return typeof code === 'string' ? code : '';
  } catch {
    return ''; // not JSON
  }
}

/** CPU of every process, the peers' metrics and the REST gateway's own timing, at the start and end of a measured window. */
class WindowProbes {
  readonly #child: ServerChild | undefined;
  readonly #extras: Record<string, number>;
  #cpuBefore: CpuSnapshot | undefined;
  #cpuAfter: CpuSnapshot | undefined;
  #metricsBefore: MetricsSnapshot = {};
  #metricsAfter: MetricsSnapshot = {};
  #restBefore = { sum: 0, count: 0 };
  #restAfter = { sum: 0, count: 0 };

  /** `child` is the REST gateway when the gateway path is measured. */
  constructor(child: ServerChild | undefined, extras: Record<string, number>) {
    this.#child = child;
    this.#extras = extras;
  }

  async start(): Promise<void> {
    this.#cpuBefore = await cpuSnapshot(NETWORK_DIR, this.#extras);
    [this.#metricsBefore, this.#restBefore] = await Promise.all([metricsSnapshot(NETWORK_DIR), this.#rest()]);
  }

  async end(): Promise<void> {
    this.#cpuAfter = await cpuSnapshot(NETWORK_DIR, this.#extras);
    [this.#metricsAfter, this.#restAfter] = await Promise.all([metricsSnapshot(NETWORK_DIR), this.#rest()]);
  }

  result(path: 'gateway' | 'baseline', load: LevelResult): PathResult {
    if (!this.#cpuBefore || !this.#cpuAfter) throw new Error('the CPU probes did not run');
    const delta = metricsDelta(this.#metricsBefore, this.#metricsAfter);
    const restCount = this.#restAfter.count - this.#restBefore.count;
    return {
      load,
      cpu: cpuUsage(this.#cpuBefore, this.#cpuAfter, EXTRAS),
      fabric: fabricBreakdown(delta, path === 'gateway' ? 'correction' : 'baseline', load.ok),
      ...(path === 'gateway' ? { restServerMs: restCount > 0 ? ((this.#restAfter.sum - this.#restBefore.sum) / restCount) * 1000 : NaN } : {}),
      metricsDelta: delta,
    };
  }

  async #rest(): Promise<{ sum: number; count: number }> {
    if (!this.#child) return { sum: 0, count: 0 };
    const labels = ['method="POST"', 'route="/v1/events"', 'status="201"'];
    const [sum, count] = await Promise.all([
      gatewayMetric(this.#child.port, 'http_request_duration_seconds_sum', labels),
      gatewayMetric(this.#child.port, 'http_request_duration_seconds_count', labels),
    ]);
    return { sum, count };
  }
}

async function main(): Promise<void> {
  const settings = runSettings();
  if (!(await networkIsUp())) throw new Error(`the Fabric network in ${NETWORK_DIR} is not (all) up: npm run network:up, then npm run network:status`);

  const startedAt = new Date();
  const loadAverage = { start: loadavg()[0] ?? 0, end: 0 };
  const networkEnv = await networkSettings();
  const temp = await mkdtemp(join(tmpdir(), 'correction-fabric-bench-'));
  const run = new FabricBenchRun(settings, temp, startedAt);
  try {
    // Fresh dev keys for the consortium (the gateway child reads them in dev mode): a fresh subject
    // key, so subject references from other runs never collide with this one's.
    await ensureDevKeys(temp);
    if (settings.only !== 'baseline') await run.startGateway();
    // Connected even for BENCH_FABRIC_ONLY=gateway: it reads the transaction sizes at the end.
    const baseline = await connectBaseline();
    run.baseline = baseline;
    process.stdout.write(`baseline client: ${baseline.identity}\n`);
    await run.measureIdle();
    run.tokens = await Promise.all(
      Array.from({ length: Math.max(...settings.levels) }, (_, i) => mintDevToken(temp, { agency: AGENCY, role: 'clerk', sub: `bench-clerk-${i}`, expiresIn: '4h' })),
    );
    for (const concurrency of settings.levels) await run.runLevel(concurrency);
    await run.checkUnknownOutcomes(baseline);
    await run.readTxSizes(baseline);
  } finally {
    run.baseline?.close();
    await run.child?.stop();
    agent.destroy();
    await rm(temp, { recursive: true, force: true });
  }

  loadAverage.end = loadavg()[0] ?? 0;
  const { levels, seconds, warmupSeconds } = settings;
  const reportSettings = { levels, seconds, warmupSeconds, agency: AGENCY, subjectBase: run.subjectBase, subjectsUsed: run.nextSubject - run.subjectBase, baselineKeysUsed: run.nextKey, baselineValueBytes: run.baselineValue.length };
  const machine = { cpus: cpus().length, cpuModel: cpus()[0]?.model, memoryBytes: totalmem(), node: process.version, loadAverage };
  const { idle, txSizes, unknownOutcomes, startup, levelResults } = run;
  process.stdout.write(`\n${formatFabricReport(levelResults, { machine, network: networkEnv, settings: reportSettings, idle, txSizes, unknownOutcomes })}\n`);

  await mkdir(RESULTS, { recursive: true });
  await access(join(RESULTS, '.gitignore')).catch(() => writeFile(join(RESULTS, '.gitignore'), '*\n'));
  const file = join(RESULTS, `fabric-${startedAt.toISOString().replaceAll(':', '-').replace(/\..*/, '')}.json`);
  const json = {
    at: startedAt.toISOString(),
    command: 'npm run bench:fabric',
    git: { head: await git('rev-parse', 'HEAD'), uncommitted: (await git('status', '--porcelain')).split('\n').filter(Boolean) },
    machine,
    network: networkEnv,
    settings: reportSettings,
    targets: FABRIC_TARGETS,
    startup,
    idle,
    txSizes,
    unknownOutcomes,
    levels: levelResults,
  };
  await writeFile(file, `${JSON.stringify(json, null, 2)}\n`);
  process.stdout.write(`results: ${file}\n`);
}

main().catch((error: unknown) => {
  killAllChildren();
  process.stderr.write(`bench:fabric failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exitCode = 1;
});
