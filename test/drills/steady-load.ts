import autocannon from 'autocannon';
import { StatusTally } from './statuses.js';

/** What one autocannon run got back. */
export interface LoadRun {
  readonly seconds: number;
  readonly responses: number;
  readonly statuses: StatusTally;
  /** Connection errors, and requests that timed out. */
  readonly errors: number;
  readonly timeouts: number;
  readonly perSecond: number;
  readonly latencyMs: { readonly p50: number; readonly p99: number; readonly max: number };
}

export interface LoadSettings {
  readonly connections: number;
  readonly seconds: number;
  /** Requests per second from all connections together; as fast as the server answers when absent. */
  readonly overallRate?: number | undefined;
}

/** Drives the gateway with autocannon: each connection sends `requests` in turn, over and over. */
export async function drive(url: string, requests: autocannon.Request[], settings: LoadSettings): Promise<LoadRun> {
  const statuses = new StatusTally();
  const result = await new Promise<autocannon.Result>((resolve, reject) => {
    const instance = autocannon(
      {
        url,
        connections: settings.connections,
        duration: settings.seconds,
        timeout: 10,
        requests,
        ...(settings.overallRate === undefined ? {} : { overallRate: settings.overallRate }),
      },
      (error: unknown, done) => {
        if (error) reject(error instanceof Error ? error : new Error('autocannon failed', { cause: error }));
        else resolve(done);
      },
    );
    instance.on('response', (_client, statusCode) => {
      statuses.add(statusCode);
    });
  });
  return {
    seconds: result.duration,
    responses: result.requests.total,
    statuses,
    errors: result.errors,
    timeouts: result.timeouts,
    perSecond: result.requests.total / result.duration,
    latencyMs: { p50: result.latency.p50, p99: result.latency.p99, max: result.latency.max },
  };
}
