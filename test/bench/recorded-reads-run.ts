/**
 * npm run bench:reads:fabric — what a read that must leave an access entry costs on Fabric, against
 * a read that need not. A police officer of Chaoyang reads the status of an ordinary subject (a
 * read-only evaluate on its peer) and of a sealed one with a purpose (the evaluate answers
 * ACCESS_MUST_BE_RECORDED, then ReadRecorded is endorsed, ordered and committed), one at a time
 * for latency, then many at once for throughput; and how many bytes each access entry adds to the
 * world state.
 *
 * Environment: NETWORK_DIR (the running network), BENCH_READS (sequential reads of each kind,
 * default 100), BENCH_READ_CONCURRENCY (reads in flight in the throughput run, default 16).
 */
import { readFile, mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { subjectRefFor, type Agency, type Purpose } from 'correction-chaincode/domain';
import { FabricConnection, FabricLedger } from '../../gateway/src/ledger/fabric/fabric-ledger.js';
import type { Caller } from '../../gateway/src/ledger/port.js';
import { CorrectionClient, freshKeyHash } from '../../gateway/src/services/correction-client.js';
import { caller } from '../support/actors.js';
import { sampleDocument } from '../support/documents.js';
import { residentId } from '../support/ids.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const NETWORK_DIR = resolve(process.env['NETWORK_DIR'] ?? join(ROOT, '.network'));
const READS = Number(process.env['BENCH_READS'] ?? 100);
const CONCURRENCY = Number(process.env['BENCH_READ_CONCURRENCY'] ?? 16);
const CHAOYANG = '110105';
const PURPOSE: Purpose = { caseNumber: '(2024)京0105刑初123号', reason: 'CASE_HANDLING' };

const percentile = (sorted: readonly number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] ?? 0;
const summary = (ms: number[]) => {
  const sorted = [...ms].sort((a, b) => a - b);
  const round = (x: number) => Math.round(x * 10) / 10;
  return { n: sorted.length, meanMs: round(sorted.reduce((a, b) => a + b, 0) / sorted.length), p50Ms: round(percentile(sorted, 0.5)), p99Ms: round(percentile(sorted, 0.99)) };
};

async function clientOf(agency: Agency): Promise<{ client: CorrectionClient; ledger: FabricLedger }> {
  const connection = FabricConnection.parse(JSON.parse(await readFile(join(NETWORK_DIR, 'gateways', `${agency}.json`), 'utf8')));
  const ledger = await FabricLedger.open(connection);
  return { client: new CorrectionClient(ledger), ledger };
}

async function timed(count: number, read: () => Promise<unknown>): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; i < count; i++) {
    const started = performance.now();
    await read();
    times.push(performance.now() - started);
  }
  return times;
}

/** Reads per second with `concurrency` reads in flight, `count` in all. */
async function throughput(count: number, concurrency: number, read: () => Promise<unknown>): Promise<number> {
  let left = count;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (left-- > 0) await read();
    }),
  );
  return Math.round((count / ((performance.now() - started) / 1000)) * 10) / 10;
}

async function subject(court: CorrectionClient, justice: CorrectionClient, ref: string, sealed: boolean): Promise<void> {
  const request = (type: 'SENTENCE_HANDOVER' | 'SUBJECT_RECEIVED', document: Record<string, unknown>, occurredAt: string) => ({ subjectRef: ref, type, occurredAt, document, keyHash: freshKeyHash() });
  await court.recordEvent(caller('COURT', { unit: CHAOYANG, unitKind: 'COURT' }), request('SENTENCE_HANDOVER', sampleDocument('SENTENCE_HANDOVER', sealed ? { minorAtOffence: true } : {}), '2024-01-10T09:00:00+08:00'));
  await justice.recordEvent(caller('JUSTICE', { unit: CHAOYANG, unitKind: 'BUREAU' }), request('SUBJECT_RECEIVED', sampleDocument('SUBJECT_RECEIVED'), '2024-01-15T09:00:00+08:00'));
}

async function main(): Promise<void> {
  const [court, justice, police] = await Promise.all([clientOf('COURT'), clientOf('JUSTICE'), clientOf('POLICE')]);
  try {
    const key = Buffer.alloc(32, 11);
    const n = (Math.floor(Date.now() / 1000) % 1_000_000) + 14_000_000;
    const plain = subjectRefFor(key, residentId(n));
    const sealed = subjectRefFor(key, residentId(n + 1));
    await subject(court.client, justice.client, plain, false);
    await subject(court.client, justice.client, sealed, true);
    const officer: Caller = caller('POLICE', { unit: CHAOYANG, unitKind: 'PUBLIC_SECURITY', role: 'officer', sub: 'bench-officer' });
    // Each kind warms up once, so that no first-call connection cost is counted.
    await police.client.status(officer, plain);
    await police.client.status(officer, sealed, PURPOSE);

    const unrecorded = summary(await timed(READS, () => police.client.status(officer, plain)));
    const recorded = summary(await timed(READS, () => police.client.status(officer, sealed, PURPOSE)));
    const unrecordedPerSecond = await throughput(READS * 4, CONCURRENCY, () => police.client.status(officer, plain));
    const recordedPerSecond = await throughput(READS, CONCURRENCY, () => police.client.status(officer, sealed, PURPOSE));

    const auditor = caller('PROCURATORATE', { unit: CHAOYANG, unitKind: 'PROCURATORATE', role: 'auditor', sub: 'bench-auditor' });
    const prosecutors = await clientOf('PROCURATORATE');
    const trail = await prosecutors.client.accessTrail(auditor, sealed);
    await prosecutors.ledger.close();
    const bytesPerEntry = Math.round(trail.reads.reduce((sum, read) => sum + Buffer.byteLength(JSON.stringify(read)), 0) / Math.max(1, trail.reads.length));

    const result = {
      measuredAt: new Date().toISOString(),
      network: 'four agencies, one peer each, four SmartBFT orderers, native processes on one host',
      reads: READS,
      concurrency: CONCURRENCY,
      unrecordedEvaluate: { latency: unrecorded, perSecond: unrecordedPerSecond },
      recordedRead: { latency: recorded, perSecond: recordedPerSecond },
      accessEntries: { onChain: trail.reads.length, bytesEach: bytesPerEntry },
    };
    await mkdir(join(ROOT, 'bench-results'), { recursive: true });
    await writeFile(join(ROOT, 'bench-results', 'recorded-reads-fabric.json'), `${JSON.stringify(result, null, 2)}\n`);
    process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
  } finally {
    await Promise.all([court.ledger.close(), justice.ledger.close(), police.ledger.close()]);
  }
}

await main();
