import { performance } from 'node:perf_hooks';

/** What one request came to: `code` names the answer ('201', '409 ILLEGAL_TRANSITION', 'EndorseError 10' …). */
export interface Outcome {
  readonly ok: boolean;
  readonly code: string;
}

export interface Percentiles {
  readonly p50: number;
  readonly p90: number;
  readonly p99: number;
  readonly mean: number;
  readonly max: number;
}

/** One level of a closed-loop run: what completed inside the measured window. */
export interface LevelResult {
  readonly concurrency: number;
  readonly warmupSeconds: number;
  /** Length of the measured window, in seconds. */
  readonly seconds: number;
  /** Successful completions in the window, and per second. */
  readonly ok: number;
  readonly okPerSecond: number;
  /** Failed completions in the window (non-201 answers, transport or Fabric errors), by code. */
  readonly errors: number;
  readonly errorCodes: Readonly<Record<string, number>>;
  /** The first few error messages, to tell what went wrong. */
  readonly errorSamples: readonly string[];
  /** Latency of the successful completions in the window, request sent to answer received, in ms. */
  readonly latencyMs: Percentiles;
  /** Successful completions in each second of the window: stalls (a view change, a GC pause) show here. */
  readonly okPerSecondTimeline: readonly number[];
  /** Requests the run sent in all (warm-up, window and the drain after it). */
  readonly sent: number;
}

export interface ClosedLoopSettings {
  readonly concurrency: number;
  readonly warmupSeconds: number;
  readonly seconds: number;
  /** Called when the measured window opens and when it closes (to take probes over exactly the window). */
  readonly onWindow?: { readonly start: () => Promise<void>; readonly end: () => Promise<void> };
}

/** Nearest-rank percentiles of a sample, in its own unit. */
export function percentiles(values: readonly number[]): Percentiles {
  if (values.length === 0) return { p50: NaN, p90: NaN, p99: NaN, mean: NaN, max: NaN };
  const sorted = Float64Array.from(values).sort();
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))] ?? NaN;
  let sum = 0;
  for (const v of sorted) sum += v;
  return { p50: at(0.5), p90: at(0.9), p99: at(0.99), mean: sum / sorted.length, max: sorted[sorted.length - 1] ?? NaN };
}

/**
 * A closed-loop load generator: `concurrency` workers, each sending its next request as soon as
 * the previous one is answered, for a warm-up and then a measured window. A request counts when it
 * completes inside the window (whenever it started); after the window no worker starts another,
 * and the run waits for the ones in flight so that the next level starts from an idle system.
 * `request` must not throw: it turns every failure into an Outcome.
 */
export async function closedLoop(settings: ClosedLoopSettings, request: (worker: number) => Promise<Outcome & { detail?: string }>): Promise<LevelResult> {
  const start = performance.now();
  const windowStart = start + settings.warmupSeconds * 1000;
  const windowEnd = windowStart + settings.seconds * 1000;
  const latencies: number[] = [];
  const errorCodes: Record<string, number> = {};
  const errorSamples: string[] = [];
  const timeline = new Array<number>(Math.ceil(settings.seconds)).fill(0);
  let errors = 0;
  let sent = 0;

  const worker = async (index: number): Promise<void> => {
    while (performance.now() < windowEnd) {
      const sentAt = performance.now();
      sent++;
      const outcome = await request(index);
      const doneAt = performance.now();
      if (doneAt < windowStart || doneAt > windowEnd) continue;
      if (outcome.ok) {
        latencies.push(doneAt - sentAt);
        const second = Math.floor((doneAt - windowStart) / 1000);
        if (second < timeline.length) timeline[second] = (timeline[second] ?? 0) + 1;
      } else {
        errors++;
        errorCodes[outcome.code] = (errorCodes[outcome.code] ?? 0) + 1;
        if (errorSamples.length < 5) errorSamples.push(`${outcome.code}: ${outcome.detail ?? ''}`.slice(0, 500));
      }
    }
  };
  const at = (time: number, hook: (() => Promise<void>) | undefined): Promise<void> =>
    new Promise<void>((resolve) => setTimeout(resolve, Math.max(0, time - performance.now()))).then(() => hook?.());
  const probes = Promise.all([at(windowStart, settings.onWindow?.start), at(windowEnd, settings.onWindow?.end)]);
  await Promise.all(Array.from({ length: settings.concurrency }, (_, i) => worker(i)));
  await probes;

  return {
    concurrency: settings.concurrency,
    warmupSeconds: settings.warmupSeconds,
    seconds: settings.seconds,
    ok: latencies.length,
    okPerSecond: latencies.length / settings.seconds,
    errors,
    errorCodes,
    errorSamples,
    latencyMs: percentiles(latencies),
    okPerSecondTimeline: timeline,
    sent,
  };
}
