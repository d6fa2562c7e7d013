import type autocannon from 'autocannon';
import { handoverDocument } from '../bench/events.js';
import { residentSetSize, sampleRss } from '../bench/children.js';
import { residentId } from '../support/ids.js';
import { measured, type Drill, type DrillContext, type DrillOutcome, type Measurement } from './drill.js';
import type { DrillGateway } from './gateways.js';
import { drive, type LoadRun } from './steady-load.js';
import { bearer, eventBody, setUpSubject, type Subject } from './subjects.js';

const MB = 1024 * 1024;
/** The gateway's memory target, as in the benchmark. */
const RSS_LIMIT_MB = 300;
/**
 * Growth of the heap that survives a full collection, over the whole soak, that still counts as
 * flat: about 1 MB goes to warming up (compiled code, caches), whatever the length; a leak of 100
 * bytes a request shows over a 10-minute soak at 85 requests a second. RSS also holds what fills
 * up to a bound (LevelDB's caches and write buffers, V8's heap capacity between collections), so
 * a leak shows in the kept heap first.
 */
const FLAT_GROWTH_MB = 5;
/** The soak measures memory, not the rate limits: buckets no load here reaches. */
const UNLIMITED = { RATE_LIMIT_AGENCY: '1000000:1000000', RATE_LIMIT_ADDRESS: '1000000:1000000' } as const;
/** New subjects of the write path start here, well clear of other drills' numbers. */
const FIRST_NEW_SUBJECT = 100_000;

function soakSeconds(fast: boolean): number {
  const raw = process.env['DRILLS_SOAK_SECONDS'];
  if (raw === undefined || raw === '') return fast ? 30 : 600;
  const seconds = Number(raw);
  if (!Number.isFinite(seconds) || seconds < 5) throw new Error(`DRILLS_SOAK_SECONDS must be a number of seconds, at least 5, not ${JSON.stringify(raw)}`);
  return seconds;
}

/**
 * The mix each connection sends in turn: a court hands over a subject never seen (the write path:
 * token, contract, block, receipt), and the justice bureau reads a known subject's status, one of
 * its entries, and looks it up by ID number.
 */
async function workload(gateway: DrillGateway, subject: Subject): Promise<autocannon.Request[]> {
  const court = bearer(await gateway.token('COURT', 'clerk', 'drill-soak-court'));
  const justice = bearer(await gateway.token('JUSTICE', 'officer', 'drill-soak-justice'));
  let next = FIRST_NEW_SUBJECT;
  const handover = () => {
    const n = next++;
    return JSON.stringify(eventBody('SENTENCE_HANDOVER', { idNumber: residentId(n) }, handoverDocument(n), n));
  };
  const json = { 'content-type': 'application/json' };
  return [
    { method: 'POST', path: '/v1/events', headers: { ...court, ...json }, setupRequest: (request) => ({ ...request, body: handover() }) },
    { method: 'GET', path: `/v1/subjects/${subject.ref}`, headers: justice },
    { method: 'GET', path: `/v1/entries/${subject.entryIds[0] ?? ''}`, headers: justice },
    { method: 'POST', path: '/v1/subjects/lookup', headers: { ...justice, ...json }, body: JSON.stringify({ idNumber: subject.idNumber }) },
  ];
}

/** Least-squares slope of bytes over time, in MB per minute, of samples taken every `everySeconds`. */
function slopeMbPerMinute(samples: readonly number[], everySeconds = 1): number {
  const n = samples.length;
  if (n < 2) return 0;
  const meanX = (n - 1) / 2;
  const meanY = samples.reduce((sum, y) => sum + y, 0) / n;
  let num = 0;
  let den = 0;
  samples.forEach((y, x) => {
    num += (x - meanX) * (y - meanY);
    den += (x - meanX) ** 2;
  });
  return ((num / den) * 60) / everySeconds / MB;
}

/** The heap that survives a full collection, every `everySeconds` while the soak runs. */
function sampleRetainedHeap(gateway: DrillGateway, everySeconds: number): { stop(): Promise<number[]> } {
  const samples: number[] = [];
  let pending: Promise<void> = Promise.resolve();
  const take = () => {
    pending = pending.then(async () => {
      samples.push((await gateway.retainedMemory()).heapUsed);
    });
  };
  take();
  const timer = setInterval(take, everySeconds * 1000);
  return {
    async stop() {
      clearInterval(timer);
      take();
      await pending;
      return samples;
    },
  };
}

interface Memory {
  readonly startMb: number;
  readonly maxMb: number;
  readonly endMb: number;
  /** RSS over the whole soak, and over its second half (after caches and the heap have grown to their working size). */
  readonly slope: number;
  readonly slopeSecondHalf: number;
  readonly perSecondMb: readonly number[];
  /** The heap that survives a full collection, sampled every `retainedEverySeconds`: what a leak would keep. */
  readonly retainedMb: readonly number[];
  readonly retainedEverySeconds: number;
  readonly retainedSlope: number;
}

const mb = (bytes: number): number => Math.round((bytes / MB) * 10) / 10;

function memoryOf(rss: { peak: number; perSecond: readonly number[] }, retained: readonly number[], retainedEverySeconds: number): Memory {
  return {
    startMb: mb(rss.perSecond[0] ?? 0),
    maxMb: mb(rss.peak),
    endMb: mb(rss.perSecond.at(-1) ?? 0),
    slope: slopeMbPerMinute(rss.perSecond),
    slopeSecondHalf: slopeMbPerMinute(rss.perSecond.slice(Math.floor(rss.perSecond.length / 2))),
    perSecondMb: rss.perSecond.map(mb),
    retainedMb: retained.map(mb),
    retainedEverySeconds,
    retainedSlope: slopeMbPerMinute(retained, retainedEverySeconds),
  };
}

function verdict(peak: LoadRun, soak: LoadRun, rate: number, memory: Memory): Measurement[] {
  const nonOk = soak.statuses.countWhere((status) => status >= 300);
  const serverErrors = peak.statuses.serverErrors + soak.statuses.serverErrors;
  const retainedGrowth = (memory.retainedMb.at(-1) ?? 0) - (memory.retainedMb[0] ?? 0);
  return [
    measured('peak rate (autocannon, as fast as answered)', `${peak.perSecond.toFixed(0)} req/s, p99 ${peak.latencyMs.p99} ms`, 'measured', peak.statuses.serverErrors === 0),
    measured(`soak at half of it for ${soak.seconds.toFixed(0)} s`, `${soak.perSecond.toFixed(0)} req/s, p99 ${soak.latencyMs.p99} ms`, `${rate} req/s`, soak.perSecond >= rate * 0.9),
    measured(
      'RSS start / max / end; slope (second half)',
      `${memory.startMb} / ${memory.maxMb} / ${memory.endMb} MB; ${memory.slope.toFixed(1)} (${memory.slopeSecondHalf.toFixed(1)}) MB/min`,
      `max < ${RSS_LIMIT_MB} MB`,
      memory.maxMb < RSS_LIMIT_MB,
    ),
    measured(
      'heap kept after full GC: start / end; slope',
      `${memory.retainedMb[0] ?? 0} / ${memory.retainedMb.at(-1) ?? 0} MB; ${memory.retainedSlope.toFixed(2)} MB/min`,
      `flat: grows < ${FLAT_GROWTH_MB} MB`,
      retainedGrowth < FLAT_GROWTH_MB,
    ),
    measured('answers by status (soak)', soak.statuses.toString(), '2xx only', nonOk === 0 && soak.errors === 0),
    measured('5xx answers (peak + soak)', serverErrors, '0', serverErrors === 0),
  ];
}

async function run({ gateways, fast, log }: DrillContext): Promise<DrillOutcome> {
  const seconds = soakSeconds(fast);
  const gateway = await gateways.start(UNLIMITED);
  try {
    const subject = await setUpSubject(gateway.url, { court: await gateway.token('COURT'), justice: await gateway.token('JUSTICE') }, 5);
    const requests = await workload(gateway, subject);
    const peak = await drive(gateway.url, requests, { connections: 20, seconds: fast ? 5 : 10 });
    const rate = Math.max(1, Math.round(peak.perSecond / 2));
    log(`peak: ${peak.perSecond.toFixed(0)} req/s (${peak.statuses.toString()}); soaking at ${rate} req/s for ${seconds} s`);
    // RSS every second as the process runs; the heap after a forced full collection only ten times, to disturb it little.
    const retainedEvery = Math.max(3, Math.round(seconds / 10));
    const rss = sampleRss(gateway.pid, 1000);
    const heap = sampleRetainedHeap(gateway, retainedEvery);
    const soak = await drive(gateway.url, requests, { connections: 20, seconds, overallRate: rate });
    const rssSamples = rss.stop();
    const memory = memoryOf({ ...rssSamples, peak: Math.max(rssSamples.peak, residentSetSize(gateway.pid)?.rss ?? 0) }, await heap.stop(), retainedEvery);
    log(`soak: ${soak.statuses.toString()}, p99 ${soak.latencyMs.p99} ms`);
    log(`RSS start ${memory.startMb} MB, max ${memory.maxMb} MB, end ${memory.endMb} MB; slope ${memory.slope.toFixed(2)} MB/min (second half ${memory.slopeSecondHalf.toFixed(2)})`);
    log(`heap kept after a full GC, every ${retainedEvery} s: ${memory.retainedMb.join(' ')} MB; slope ${memory.retainedSlope.toFixed(2)} MB/min`);
    return {
      measurements: verdict(peak, soak, rate, memory),
      figures: { peak: { ...peak, statuses: peak.statuses.toJSON() }, soak: { ...soak, statuses: soak.statuses.toJSON() }, rate, memory },
    };
  } finally {
    await gateway.close();
  }
}

export const soak: Drill = {
  name: 'soak',
  summary: "the gateway's peak rate first (autocannon: handovers, status reads, entry reads, lookups), then half of it for 10 minutes (30 s with --fast), RSS sampled every second, the heap kept after a full GC ten times",
  run,
};
