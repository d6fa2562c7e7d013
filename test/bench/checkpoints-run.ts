/**
 * npm run bench:checkpoints — fast finality: at a steady rate of entries (100/s by default), how
 * long from an entry's commit (its 201 answer) until this gateway holds a final checkpoint
 * covering it (p50, p99), and how many anchoring transactions the checkpoints cost. Target: p99
 * within 2 s, on both ledgers.
 *
 * Environment: BENCH_LEDGER=embedded|fabric (fabric: the network of `npm run network:up`, four
 * gateways, entries spread over the agencies that may record a handover), BENCH_RATE=100,
 * BENCH_SECONDS=30. Results go to bench-results/checkpoints-<ledger>.json.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { CheckpointCosignature } from 'correction-chaincode/domain';
import type { Gateway } from '../../gateway/src/gateway.js';
import type { FinalCheckpoint } from '../../gateway/src/log/merkle-log.js';
import { Api } from '../support/api.js';
import { sampleDocument } from '../support/documents.js';
import { residentId } from '../support/ids.js';
import { embeddedTarget } from '../support/target.js';
import type { Target } from '../support/target.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const ledger = process.env['BENCH_LEDGER'] === 'fabric' ? 'fabric' : 'embedded';
const rate = Number(process.env['BENCH_RATE'] ?? 100);
const seconds = Number(process.env['BENCH_SECONDS'] ?? 30);

const percentile = (sorted: readonly number[], p: number): number => sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] ?? Number.NaN;

interface Committed {
  readonly entryId: string;
  readonly at: number;
  /** From sending the request to its 201: how the ledger keeps up with the rate. */
  readonly tookMs: number;
}

async function targetOf(): Promise<{ target: Target; gateway: Gateway; close: () => Promise<void> }> {
  if (ledger === 'embedded') {
    const target = await embeddedTarget({ LOG_LEVEL: 'warn', RATE_LIMIT_AGENCY: '10000:20000', RATE_LIMIT_ADDRESS: '10000:20000' });
    return { target, gateway: target.gateway, close: () => target.close() };
  }
  const { fabricTarget } = await import('../support/fabric-target.js');
  const target = await fabricTarget();
  const court = target.gateways.get('COURT');
  if (!court) throw new Error('no court gateway');
  return { target, gateway: court, close: () => target.close() };
}

/** Records entries at a steady rate (open loop: one every 1/rate s, whatever the answers take). */
async function load(target: Target): Promise<Committed[]> {
  const court = new Api(target, 'COURT');
  const committed: Committed[] = [];
  const start = performance.now();
  const total = Math.round(rate * seconds);
  const requests: Array<Promise<void>> = [];
  for (let i = 0; i < total; i++) {
    const due = start + (i * 1000) / rate;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    requests.push(
      court.record('SENTENCE_HANDOVER', { idNumber: residentId(5_000_000 + Math.floor(Math.random() * 4_000_000)) }, sampleDocument('SENTENCE_HANDOVER'), '2024-01-10T09:00:00+08:00').then((answer) => {
        if (answer.status === 201) committed.push({ entryId: answer.body.entry.id, at: performance.now(), tookMs: performance.now() - due });
      }),
    );
  }
  await Promise.all(requests);
  return committed;
}

function percentiles(values: number[]): { p50: number; p99: number } {
  const sorted = [...values].sort((a, b) => a - b);
  return { p50: Math.round(percentile(sorted, 0.5)), p99: Math.round(percentile(sorted, 0.99)) };
}

type Moments = ReadonlyArray<{ readonly size: number; readonly at: number }>;

/** For each entry: commit → first final checkpoint covering it, and commit → this gateway's log holding it. */
async function coverage(gateway: Gateway, committed: readonly Committed[], appended: Moments, finals: Moments) {
  const latencies: number[] = [];
  const follows: number[] = [];
  let uncovered = 0;
  for (const { entryId, at } of committed) {
    const located = await gateway.log.locate(entryId);
    const index = located?.index ?? Number.POSITIVE_INFINITY;
    const followed = appended.find((a) => a.size > index);
    const final = finals.find((f) => f.size > index);
    if (followed) follows.push(Math.max(0, followed.at - at));
    if (final) latencies.push(Math.max(0, final.at - at));
    else uncovered++;
  }
  latencies.sort((a, b) => a - b);
  return { latencies, follows, uncovered };
}

async function main(): Promise<void> {
  const { target, gateway, close } = await targetOf();
  const finals: Array<{ size: number; at: number }> = [];
  const anchorTransactions = new Set<string>();
  const appended: Array<{ size: number; at: number }> = [];
  gateway.follower.on('appended', (size: number) => appended.push({ size, at: performance.now() }));
  gateway.finality.on('final', (checkpoint: FinalCheckpoint) => finals.push({ size: checkpoint.treeSize, at: performance.now() }));
  gateway.follower.on('cosignature', (c: CheckpointCosignature) => anchorTransactions.add(c.txId));
  try {
    const startSize = gateway.log.size;
    const committed = await load(target);
    // Wait, with a deadline, until a final checkpoint covers the last entry.
    const until = performance.now() + 30_000;
    while ((gateway.log.latestFinal?.treeSize ?? 0) < gateway.log.size && performance.now() < until) await new Promise((resolve) => setTimeout(resolve, 20));
    const { latencies, follows, uncovered } = await coverage(gateway, committed, appended, finals);
    const result = {
      ledger,
      rate,
      seconds,
      entries: committed.length,
      uncovered,
      finalityMs: { p50: Math.round(percentile(latencies, 0.5)), p99: Math.round(percentile(latencies, 0.99)), max: Math.round(latencies[latencies.length - 1] ?? Number.NaN) },
      /** Commit → this gateway's log holds the entry: the part of finality the follower takes. */
      recordMs: percentiles(committed.map((c) => c.tookMs)),
      followMs: percentiles(follows),
      checkpoints: finals.length,
      anchorTransactionsPerSecond: Math.round((anchorTransactions.size / seconds) * 10) / 10,
      logGrew: gateway.log.size - startSize,
      target: { p99Ms: 2000 },
    };
    process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
    process.stdout.write(`commit → final checkpoint at ${rate}/s on ${ledger}: p50 ${result.finalityMs.p50} ms, p99 ${result.finalityMs.p99} ms (target ≤ 2000 ms); ${result.anchorTransactionsPerSecond} anchoring transactions/s\n`);
    await mkdir(join(ROOT, 'bench-results'), { recursive: true });
    await writeFile(join(ROOT, 'bench-results', `checkpoints-${ledger}.json`), JSON.stringify(result, null, 2));
  } finally {
    await close();
  }
}

await main();
