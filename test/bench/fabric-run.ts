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
        res.on('end', () => resolvePost({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
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
  const e = error as { name?: string; code?: unknown; message?: string };
  return { ok: false, code: `${e.name ?? 'Error'}${e.code === undefined ? '' : ` ${String(e.code)}`}`, detail: e.message ?? String(error) };
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

async function main(): Promise<void> {
  const levels = numbersFromEnv('BENCH_FABRIC_LEVELS', [1, 10, 50]).map(Math.round);
  const seconds = numberFromEnv('BENCH_FABRIC_SECONDS', 20);
  const warmupSeconds = numberFromEnv('BENCH_FABRIC_WARMUP_SECONDS', 3);
  const idleSeconds = numberFromEnv('BENCH_FABRIC_IDLE_SECONDS', 5);
  const only = process.env['BENCH_FABRIC_ONLY'];
  if (only && only !== 'gateway' && only !== 'baseline') throw new Error('BENCH_FABRIC_ONLY must be gateway or baseline');
  const profileDir = process.env['BENCH_CPU_PROF'] ? join(RESULTS, 'profiles') : undefined;
  if (!(await networkIsUp())) throw new Error(`the Fabric network in ${NETWORK_DIR} is not (all) up: npm run network:up, then npm run network:status`);

  const startedAt = new Date();
  const loadAverage = { start: loadavg()[0] ?? 0, end: 0 };
  const networkEnv = Object.fromEntries(
    (await readFile(join(NETWORK_DIR, 'network.env'), 'utf8').catch(() => ''))
      .split('\n')
      .filter((l) => /^[A-Z_]+=/.test(l) && !l.startsWith('PACKAGE_ID'))
      .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
  );
  // Distinct subjects: a base from the clock, so reruns (and other suites) do not reuse ID numbers.
  // residentId(n) is distinct for n < 20,000,000; the bench uses 10,000,000 and up.
  const subjectBase = 10_000_000 + ((Math.floor(Date.now() / 1000) * 97) % 9_000_000);
  let nextSubject = subjectBase;
  const runId = startedAt.toISOString().replace(/[-:]/g, '').replace(/\..*/, '');
  let nextKey = 0;
  const baselineValue = 'x'.repeat(200); // about a handover document's size

  const temp = await mkdtemp(join(tmpdir(), 'correction-fabric-bench-'));
  let child: ServerChild | undefined;
  let baseline: Awaited<ReturnType<typeof connectBaseline>> | undefined;
  const levelResults: FabricLevel[] = [];
  let startup: { gatewaySeconds: number; replay: { events: number; seconds: number } } | undefined;
  let idle: CpuUsage | undefined;
  const lastTx: { gateway?: string; baseline?: string } = {};
  /** Subjects whose handover the gateway answered 202 or 5xx, and baseline transactions that failed after endorsement. */
  const unknown = { gateway: [] as number[], baseline: [] as string[] };
  const unknownOutcomes: UnknownOutcomes[] = [];
  const txSizes: { gateway?: { txId: string; bytes: number }; baseline?: { txId: string; bytes: number } } = {};
  try {
    // Fresh dev keys for the consortium (the gateway child reads them in dev mode): a fresh subject
    // key, so subject references from other runs never collide with this one's.
    await ensureDevKeys(temp);
    const began = Date.now();
    if (only !== 'baseline') {
      child = await startServerChild(new URL('./fabric-gateway-child.js', import.meta.url), {
        env: {
          ...process.env,
          NETWORK_DIR,
          BENCH_AGENCY: AGENCY,
          BENCH_DATA_DIR: temp,
          BENCH_LOG_FILE: join(temp, 'gateway.log'),
        },
      });
      const port = child.port;
      for (let i = 0; ; i++) {
        if ((await get(port, '/readyz').catch(() => ({ status: 0 }))).status === 200) break;
        if (i > 60) throw new Error('the REST gateway did not become ready in 30 s');
        await new Promise((r) => setTimeout(r, 500));
      }
      const replay = await waitForEventReplay(port);
      startup = { gatewaySeconds: (Date.now() - began) / 1000, replay };
      process.stdout.write(`REST gateway (${AGENCY}, pid ${child.pid}) ready on port ${port}; replayed ${replay.events} chaincode events in ${replay.seconds.toFixed(0)} s\n`);
    }
    // Connected even for BENCH_FABRIC_ONLY=gateway: it reads the transaction sizes at the end.
    baseline = await connectBaseline();
    process.stdout.write(`baseline client: ${baseline.identity}\n`);
    {
      const extras: Record<string, number> = { bench: process.pid, ...(child ? { gateway: child.pid } : {}) };
      const before = await cpuSnapshot(NETWORK_DIR, extras);
      await new Promise((r) => setTimeout(r, idleSeconds * 1000));
      idle = cpuUsage(before, await cpuSnapshot(NETWORK_DIR, extras), EXTRAS);
      process.stdout.write(`idle network: ${idle.machineBusyCores.toFixed(2)} of ${cpus().length} cores busy (ours ${Object.values(idle.cores).reduce((a, b) => a + b, 0).toFixed(2)}, other people's ${idle.otherCores.toFixed(2)}) over ${idleSeconds} s\n`);
    }
    const tokens = await Promise.all(
      Array.from({ length: Math.max(...levels) }, (_, i) => mintDevToken(temp, { agency: AGENCY, role: 'clerk', sub: `bench-clerk-${i}`, expiresIn: '4h' })),
    );

    /** One path at one level, with CPU and metrics probes over exactly its measured window. */
    const measure = async (path: 'gateway' | 'baseline', concurrency: number, request: (worker: number) => Promise<Outcome & { detail?: string }>): Promise<PathResult> => {
      const extras: Record<string, number> = { bench: process.pid, ...(child ? { gateway: child.pid } : {}) };
      let cpuBefore: CpuSnapshot | undefined, cpuAfter: CpuSnapshot | undefined;
      let metricsBefore: MetricsSnapshot = {}, metricsAfter: MetricsSnapshot = {};
      let restBefore = { sum: 0, count: 0 }, restAfter = { sum: 0, count: 0 };
      const rest = async () => {
        if (path !== 'gateway' || !child) return { sum: 0, count: 0 };
        const labels = ['method="POST"', 'route="/v1/events"', 'status="201"'];
        const [sum, count] = await Promise.all([
          gatewayMetric(child.port, 'http_request_duration_seconds_sum', labels),
          gatewayMetric(child.port, 'http_request_duration_seconds_count', labels),
        ]);
        return { sum, count };
      };
      process.stdout.write(`  ${path.padEnd(8)} ${String(concurrency).padStart(3)} clients: `);
      const load = await closedLoop(
        {
          concurrency,
          warmupSeconds,
          seconds,
          onWindow: {
            start: async () => {
              if (profileDir && path === 'gateway') child?.profileStart();
              cpuBefore = await cpuSnapshot(NETWORK_DIR, extras);
              [metricsBefore, restBefore] = await Promise.all([metricsSnapshot(NETWORK_DIR), rest()]);
            },
            end: async () => {
              cpuAfter = await cpuSnapshot(NETWORK_DIR, extras);
              [metricsAfter, restAfter] = await Promise.all([metricsSnapshot(NETWORK_DIR), rest()]);
              if (profileDir && path === 'gateway' && child) {
                await mkdir(profileDir, { recursive: true });
                await child.profileStop(join(profileDir, `fabric-gateway-${concurrency}.cpuprofile`));
              }
            },
          },
        },
        request,
      );
      if (!cpuBefore || !cpuAfter) throw new Error('the CPU probes did not run');
      const delta = metricsDelta(metricsBefore, metricsAfter);
      const restCount = restAfter.count - restBefore.count;
      const result: PathResult = {
        load,
        cpu: cpuUsage(cpuBefore, cpuAfter, EXTRAS),
        fabric: fabricBreakdown(delta, path === 'gateway' ? 'correction' : 'baseline', load.ok),
        ...(path === 'gateway' ? { restServerMs: restCount > 0 ? ((restAfter.sum - restBefore.sum) / restCount) * 1000 : NaN } : {}),
        metricsDelta: delta,
      };
      process.stdout.write(
        `${load.okPerSecond.toFixed(1)}/s, p50 ${load.latencyMs.p50.toFixed(0)} ms, p99 ${load.latencyMs.p99.toFixed(0)} ms, ${load.errors} errors; machine ${result.cpu.machineBusyCores.toFixed(2)} of ${cpus().length} cores busy\n`,
      );
      return result;
    };

    for (const concurrency of levels) {
      process.stdout.write(`level ${concurrency}: ${warmupSeconds} s warm-up + ${seconds} s measured per path\n`);
      const gateway = child
        ? await measure('gateway', concurrency, async (worker) => {
            const n = nextSubject++;
            try {
              const answer = await post(child!.port, '/v1/events', handoverBody(n), tokens[worker] ?? '');
              if (answer.status === 201) {
                lastTx.gateway = answer.text;
                return { ok: true, code: '201' };
              }
              let code = '';
              try {
                code = String((JSON.parse(answer.text) as { code?: unknown }).code ?? '');
              } catch {
                // not JSON
              }
              // 202: sent, no commit seen in time; the outbox settles it.
              if (answer.status >= 500 || answer.status === 202) unknown.gateway.push(n);
              return { ok: false, code: `${answer.status}${code ? ` ${code}` : ''}`, detail: answer.text };
            } catch (error) {
              return { ok: false, code: (error as { code?: string }).code ?? 'HTTP error', detail: (error as Error).message };
            }
          })
        : undefined;
      const base = baseline && only !== 'gateway'
        ? await measure('baseline', concurrency, async () => {
            try {
              const result = await baseline!.contract.submitTransaction('Put', `bench-${runId}-${nextKey++}`, baselineValue);
              lastTx.baseline = new TextDecoder().decode(result);
              return { ok: true, code: 'VALID' };
            } catch (error) {
              const outcome = fabricOutcome(error);
              if (outcome.txId && !/^EndorseError/.test(outcome.code)) unknown.baseline.push(outcome.txId);
              return outcome;
            }
          })
        : undefined;
      levelResults.push({
        concurrency,
        ...(gateway ? { gateway } : {}),
        ...(base ? { baseline: base } : {}),
        ...(gateway && base && base.load.okPerSecond > 0 ? { ratio: gateway.load.okPerSecond / base.load.okPerSecond } : {}),
      });
    }
    // Failed requests whose transaction may have been ordered: did it commit after all?
    if (unknown.gateway.length > 0 && child) {
      const token = tokens[0] ?? '';
      const sample = unknown.gateway.slice(0, 100);
      let committed = 0;
      for (const n of sample) {
        const answer = await post(child.port, '/v1/subjects/lookup', JSON.stringify({ idNumber: residentId(n) }), token).catch(() => ({ status: 0, text: '' }));
        if (answer.status === 200) committed++;
      }
      unknownOutcomes.push({ path: 'gateway', failed: unknown.gateway.length, checked: sample.length, committedAnyway: committed });
    }
    if (unknown.baseline.length > 0 && baseline) {
      const sample = unknown.baseline.slice(0, 100);
      let committed = 0;
      for (const txId of sample) {
        const bytes = await baseline.qscc.evaluateTransaction('GetTransactionByID', baseline.channel, txId).catch(() => undefined);
        if (bytes && peer.ProcessedTransaction.deserializeBinary(bytes).getValidationcode() === peer.TxValidationCode.VALID) committed++;
      }
      unknownOutcomes.push({ path: 'baseline', failed: unknown.baseline.length, checked: sample.length, committedAnyway: committed });
    }
    for (const path of ['gateway', 'baseline'] as const) {
      const answer = lastTx[path];
      if (!answer || !baseline) continue;
      const parsed = JSON.parse(answer) as { txId?: string; entry?: { txId?: string } };
      const txId = parsed.entry?.txId ?? parsed.txId;
      if (!txId) continue;
      const bytes = await baseline.qscc.evaluateTransaction('GetTransactionByID', baseline.channel, txId).then(
        (b) => b.length,
        () => NaN,
      );
      txSizes[path] = { txId, bytes };
    }
  } finally {
    baseline?.close();
    await child?.stop();
    agent.destroy();
    await rm(temp, { recursive: true, force: true });
  }

  loadAverage.end = loadavg()[0] ?? 0;
  const settings = { levels, seconds, warmupSeconds, agency: AGENCY, subjectBase, subjectsUsed: nextSubject - subjectBase, baselineKeysUsed: nextKey, baselineValueBytes: baselineValue.length };
  const machine = { cpus: cpus().length, cpuModel: cpus()[0]?.model, memoryBytes: totalmem(), node: process.version, loadAverage };
  process.stdout.write(`\n${formatFabricReport(levelResults, { machine, network: networkEnv, settings, idle, txSizes, unknownOutcomes })}\n`);

  await mkdir(RESULTS, { recursive: true });
  await access(join(RESULTS, '.gitignore')).catch(() => writeFile(join(RESULTS, '.gitignore'), '*\n'));
  const file = join(RESULTS, `fabric-${startedAt.toISOString().replaceAll(':', '-').replace(/\..*/, '')}.json`);
  const json = {
    at: startedAt.toISOString(),
    command: 'npm run bench:fabric',
    git: { head: await git('rev-parse', 'HEAD'), uncommitted: (await git('status', '--porcelain')).split('\n').filter(Boolean) },
    machine,
    network: networkEnv,
    settings,
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
