/**
 * npm run bench:checkpoints — fast finality: at a steady rate of entries (100/s by default), how
 * long from an entry's commit (its 201 answer) until the court's gateway holds a final checkpoint
 * covering it (p50, p99), and how many anchoring transactions the checkpoints cost. Target: p99
 * within 2 s, on both ledgers.
 *
 * Everything is read as a monitor would, over HTTP: the entry's leaf index from its inclusion
 * proof, the final checkpoints (each with the time it became final) from /v1/log/checkpoints, the
 * log's size sampled every 50 ms, the chaincode events the gateway followed from /metrics.
 *
 * Environment: BENCH_LEDGER=embedded|fabric (fabric: the network of `npm run network:up`, four
 * gateways, each in a process of its own as each agency runs its own, or with
 * BENCH_GATEWAYS=one-process all four in the bench's process), BENCH_RATE=100, BENCH_SECONDS=30.
 * Results go to bench-results/checkpoints-<ledger>.json.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { AGENCIES, CHECKPOINT_EVENT } from 'correction-chaincode/domain';
import { Api } from '../support/api.js';
import { sampleDocument } from '../support/documents.js';
import { residentId } from '../support/ids.js';
import { embeddedTarget } from '../support/target.js';
import type { Target } from '../support/target.js';
import { gatewayProcesses } from './checkpoint-gateways.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const ledger = process.env['BENCH_LEDGER'] === 'fabric' ? 'fabric' : 'embedded';
const gateways = ledger === 'embedded' ? 'one-process' : process.env['BENCH_GATEWAYS'] === 'one-process' ? 'one-process' : 'processes';
const rate = Number(process.env['BENCH_RATE'] ?? 100);
const seconds = Number(process.env['BENCH_SECONDS'] ?? 30);
const SAMPLE_MS = 50;

const percentile = (sorted: readonly number[], p: number): number => sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] ?? Number.NaN;

interface Committed {
  readonly entryId: string;
  /** Wall-clock time of the 201 (the gateways' final checkpoints carry wall-clock times too). */
  readonly at: number;
  /** From sending the request to its 201: how the ledger keeps up with the rate. */
  readonly tookMs: number;
}

interface LogState {
  readonly size: number;
  readonly latestFinal: { readonly treeSize: number } | null;
}

interface CheckpointPage {
  readonly checkpoints: ReadonlyArray<{ readonly treeSize: number; readonly finalAt: string }>;
  readonly next?: number;
}

/** Gateway settings the bench passes on when set: the slot and the in-flight bound. */
function passedSettings(): Record<string, string> {
  const names = ['CHECKPOINT_INTERVAL_SECONDS', 'LEDGER_MAX_IN_FLIGHT'];
  return Object.fromEntries(names.flatMap((name) => (process.env[name] ? [[name, process.env[name]]] : [])));
}

async function targetOf(): Promise<Target> {
  if (ledger === 'embedded') {
    return embeddedTarget({ LOG_LEVEL: 'warn', RATE_LIMIT_AGENCY: '10000:20000', RATE_LIMIT_ADDRESS: '10000:20000', ...passedSettings() });
  }
  if (gateways === 'processes') return gatewayProcesses(passedSettings());
  const { fabricTarget } = await import('../support/fabric-target.js');
  return fabricTarget(passedSettings());
}

/** Records entries at a steady rate (open loop: one every 1/rate s, whatever the answers take). */
async function load(target: Target): Promise<{ committed: Committed[]; statuses: Record<number, number> }> {
  const court = new Api(target, 'COURT');
  const committed: Committed[] = [];
  const statuses: Record<number, number> = {};
  const start = performance.now();
  const total = Math.round(rate * seconds);
  const requests: Array<Promise<void>> = [];
  for (let i = 0; i < total; i++) {
    const due = start + (i * 1000) / rate;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    requests.push(
      court.record('SENTENCE_HANDOVER', { idNumber: residentId(5_000_000 + Math.floor(Math.random() * 4_000_000)) }, sampleDocument('SENTENCE_HANDOVER'), '2024-01-10T09:00:00+08:00').then((answer) => {
        statuses[answer.status] = (statuses[answer.status] ?? 0) + 1;
        if (answer.status === 201) committed.push({ entryId: answer.body.entry.id, at: Date.now(), tookMs: performance.now() - due });
      }),
    );
  }
  await Promise.all(requests);
  return { committed, statuses };
}

function percentiles(values: number[]): { p50: number; p99: number } {
  const sorted = [...values].sort((a, b) => a - b);
  return { p50: Math.round(percentile(sorted, 0.5)), p99: Math.round(percentile(sorted, 0.99)) };
}

const logState = async (api: Api): Promise<LogState> => (await api.get<LogState>('/v1/log')).body;

/** A counter of the gateway's /metrics, summed over its labels (those given must match). */
async function metric(target: Target, name: string, label = ''): Promise<number> {
  const text = await (await fetch(`${target.url('COURT')}/metrics`)).text();
  const lines = text.split('\n').filter((l) => (l.startsWith(`${name} `) || l.startsWith(`${name}{`)) && l.includes(label));
  return lines.reduce((sum, l) => sum + Number(l.split(' ').pop()), 0);
}

/** The chaincode events (entries and anchors of every agency) the gateway has followed. */
const chainEvents = (target: Target) => metric(target, 'ledger_chaincode_events_total');

/** The anchoring transactions the gateway has followed: each carries one event. */
const anchorEvents = (target: Target) => metric(target, 'ledger_chaincode_events_total', `event="${CHECKPOINT_EVENT}"`);

/**
 * Waits, with a deadline, until every gateway has followed the ledger to its end: fresh gateways on
 * a long-lived network first replay its history, which is not the load being measured. The end is
 * reached when the four logs have one size and no gateway has followed anything for 3 s.
 */
async function caughtUp(target: Target): Promise<void> {
  const monitors = (ledger === 'embedded' ? (['COURT'] as const) : AGENCIES).map((agency) => new Api(target, agency, 'auditor'));
  const until = performance.now() + 600_000;
  let last = '';
  let stableSince = performance.now();
  while (performance.now() < until) {
    const sizes = await Promise.all(monitors.map(async (api) => (await logState(api)).size));
    const seen = `${sizes.join(',')}:${String(await chainEvents(target))}`;
    if (seen !== last) {
      last = seen;
      stableSince = performance.now();
    } else if (new Set(sizes).size === 1 && performance.now() - stableSince >= 3_000) return;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  throw new Error('the gateways did not catch up with the ledger in 10 minutes');
}

/** The court gateway's log size, sampled while the load runs: when it came to hold each entry. */
function sampleSizes(api: Api): { readonly samples: Array<{ size: number; at: number }>; stop: () => Promise<void> } {
  const samples: Array<{ size: number; at: number }> = [];
  const sampling = { running: true };
  const loop = (async () => {
    while (sampling.running) {
      const { size } = await logState(api);
      const at = Date.now();
      if (samples[samples.length - 1]?.size !== size) samples.push({ size, at });
      await new Promise((resolve) => setTimeout(resolve, SAMPLE_MS));
    }
  })();
  return {
    samples,
    stop: async () => {
      sampling.running = false;
      await loop;
    },
  };
}

/** Every final checkpoint above a size, with the time it became final. */
async function finalsAbove(api: Api, size: number): Promise<Array<{ size: number; at: number }>> {
  const finals: Array<{ size: number; at: number }> = [];
  for (let before: number | undefined; ; ) {
    const page = (await api.get<CheckpointPage>(`/v1/log/checkpoints?limit=1000${before === undefined ? '' : `&before=${String(before)}`}`)).body;
    const above = page.checkpoints.filter((c) => c.treeSize > size);
    finals.push(...above.map((c) => ({ size: c.treeSize, at: Date.parse(c.finalAt) })));
    if (page.next === undefined || above.length < page.checkpoints.length) return finals;
    before = page.next;
  }
}

/** For each entry: commit → the first final checkpoint covering it, and commit → the court's log holding it. */
async function coverage(api: Api, committed: readonly Committed[], appended: ReadonlyArray<{ size: number; at: number }>, finals: ReadonlyArray<{ size: number; at: number }>) {
  const latencies: number[] = [];
  const follows: number[] = [];
  let uncovered = 0;
  for (const { entryId, at } of committed) {
    const proof = await api.get<{ leafIndex: number }>(`/v1/entries/${entryId}/proof`);
    const index = proof.status === 200 ? proof.body.leafIndex : Number.POSITIVE_INFINITY;
    const followed = appended.find((a) => a.size > index);
    const covering = finals.filter((f) => f.size > index).map((f) => f.at);
    if (followed) follows.push(Math.max(0, followed.at - at));
    if (covering.length > 0) latencies.push(Math.max(0, Math.min(...covering) - at));
    else uncovered++;
  }
  latencies.sort((a, b) => a - b);
  return { latencies, follows, uncovered };
}

async function main(): Promise<void> {
  const target = await targetOf();
  try {
    await caughtUp(target);
    const auditor = new Api(target, 'COURT', 'auditor');
    const startSize = (await logState(auditor)).size;
    const anchorsBefore = await anchorEvents(target);
    const sampler = sampleSizes(auditor);
    const loadStart = performance.now();
    const { committed, statuses } = await load(target);
    const loadSeconds = (performance.now() - loadStart) / 1000;
    // Wait, with a deadline, until a final checkpoint covers the last entry.
    const until = performance.now() + 30_000;
    for (let state = await logState(auditor); (state.latestFinal?.treeSize ?? 0) < state.size && performance.now() < until; state = await logState(auditor)) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    await sampler.stop();
    const endSize = (await logState(auditor)).size;
    const anchorTransactions = (await anchorEvents(target)) - anchorsBefore;
    const finals = await finalsAbove(auditor, startSize);
    const { latencies, follows, uncovered } = await coverage(auditor, committed, sampler.samples, finals);
    const result = {
      ledger,
      gateways,
      rate,
      seconds,
      entries: committed.length,
      /** Answers by status: 503 is GATEWAY_BUSY, offered past LEDGER_MAX_IN_FLIGHT. */
      statuses,
      /** Over the time from the first request to the last answer: what the ledger really carried. */
      committedPerSecond: Math.round((committed.length / Math.max(seconds, loadSeconds)) * 10) / 10,
      uncovered,
      finalityMs: { p50: Math.round(percentile(latencies, 0.5)), p99: Math.round(percentile(latencies, 0.99)), max: Math.round(latencies[latencies.length - 1] ?? Number.NaN) },
      /** Commit → the court's log holds the entry (sampled every 50 ms): the part of finality the follower takes. */
      recordMs: percentiles(committed.map((c) => c.tookMs)),
      followMs: percentiles(follows),
      checkpoints: finals.length,
      anchorTransactionsPerSecond: Math.round((anchorTransactions / seconds) * 10) / 10,
      logGrew: endSize - startSize,
      target: { p99Ms: 2000 },
    };
    process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
    process.stdout.write(
      `commit → final checkpoint at ${String(rate)}/s offered (${String(result.committedPerSecond)}/s committed) on ${ledger} (gateways: ${gateways}): ` +
        `p50 ${String(result.finalityMs.p50)} ms, p99 ${String(result.finalityMs.p99)} ms (target ≤ 2000 ms); ${String(result.anchorTransactionsPerSecond)} anchoring transactions/s\n`,
    );
    await mkdir(join(ROOT, 'bench-results'), { recursive: true });
    await writeFile(join(ROOT, 'bench-results', `checkpoints-${ledger}.json`), JSON.stringify(result, null, 2));
  } finally {
    await target.close();
  }
}

await main();
