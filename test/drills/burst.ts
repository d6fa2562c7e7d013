import type { RawAnswer } from '../support/raw-http.js';
import { StatusTally } from './statuses.js';

/** What a burst of requests got back. */
export interface BurstResult {
  readonly tally: StatusTally;
  readonly socketErrors: number;
  /** 429 answers lacking Retry-After (a positive number of seconds), and lacking RateLimit or RateLimit-Policy. */
  readonly withoutRetryAfter: number;
  readonly withoutRateLimit: number;
  /** The longest Retry-After promised. */
  readonly maxRetryAfter: number;
  readonly seconds: number;
}

const header = (answer: RawAnswer, name: string): string | undefined => {
  const value = answer.headers[name];
  return Array.isArray(value) ? value.join(', ') : value;
};

/** Sends `count` requests, at most `concurrency` at a time, and checks what every 429 says about when to come back. */
export async function burst(count: number, concurrency: number, send: (i: number) => Promise<RawAnswer>): Promise<BurstResult> {
  const tally = new StatusTally();
  let socketErrors = 0;
  let withoutRetryAfter = 0;
  let withoutRateLimit = 0;
  let maxRetryAfter = 0;
  let next = 0;
  const started = performance.now();
  const worker = async () => {
    while (next < count) {
      const answer = await send(next++).catch(() => undefined);
      if (!answer) {
        socketErrors++;
        continue;
      }
      tally.add(answer.status);
      if (answer.status !== 429) continue;
      const retryAfter = Number(header(answer, 'retry-after'));
      if (!(retryAfter >= 1)) withoutRetryAfter++;
      else maxRetryAfter = Math.max(maxRetryAfter, retryAfter);
      if (!header(answer, 'ratelimit') || !header(answer, 'ratelimit-policy')) withoutRateLimit++;
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return { tally, socketErrors, withoutRetryAfter, withoutRateLimit, maxRetryAfter, seconds: (performance.now() - started) / 1000 };
}
