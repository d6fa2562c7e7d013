import { raw, type RawAnswer } from '../support/raw-http.js';
import { burst, type BurstResult } from './burst.js';
import { measured, type Drill, type DrillContext, type DrillOutcome, type Measurement } from './drill.js';
import type { DrillGateway } from './gateways.js';
import { bearer, setUpSubject, type Subject } from './subjects.js';

/** Small buckets, so that a burst a laptop can send goes far beyond them. */
const LIMITS = { RATE_LIMIT_ADDRESS: '50:100', RATE_LIMIT_AGENCY: '20:40', RATE_LIMIT_UNAUTHENTICATED: '1:3' } as const;
/** Loopback addresses: the user, the stranger, and an agency's busy system. */
const USER = '127.0.3.1';
const STRANGER = '127.0.3.2';
const BUSY = '127.0.3.3';

interface Phases {
  readonly strangers: BurstResult;
  readonly userAtStrangersAddress: number;
  readonly freshTokenAtStrangersAddress: number;
  readonly flood: BurstResult;
  readonly userDuringFlood: BurstResult;
  readonly agencyFlood: BurstResult;
  readonly otherAgencyDuringFlood: BurstResult;
  readonly afterRetryAfter: number;
}

/** The most requests a bucket `rate:burst` lets through in a burst lasting `seconds` (one more for a refill landing mid-request). */
function budget(setting: string, seconds: number): number {
  const [rate = 0, size = 0] = setting.split(':').map(Number);
  return size + Math.ceil(rate * seconds) + 1;
}

async function run({ gateways, fast, log }: DrillContext): Promise<DrillOutcome> {
  const gateway = await gateways.start(LIMITS);
  try {
    const subject = await setUpSubject(gateway.url, { court: await gateway.token('COURT'), justice: await gateway.token('JUSTICE') }, 4);
    const phases = await attack(gateway, subject, fast ? 1_000 : 5_000, log);
    return { measurements: verdict(phases), figures: { limits: LIMITS, ...summaries(phases) } };
  } finally {
    await gateway.close();
  }
}

/** Sends bad tokens until the address is answered 429: its bucket of refused tokens is empty. */
async function untilPenalty(send: () => Promise<RawAnswer>): Promise<void> {
  for (let tries = 0; tries < 10; tries++) {
    if ((await send()).status === 429) return;
  }
  throw new Error('the stranger was never put in penalty');
}

async function attack(gateway: DrillGateway, subject: Subject, size: number, log: (line: string) => void): Promise<Phases> {
  const read = (token: string | undefined, localAddress: string): Promise<RawAnswer> =>
    raw(gateway.url, { path: `/v1/subjects/${subject.ref}`, headers: token === undefined ? {} : bearer(token), localAddress });
  // The user's token is accepted before the attack starts.
  const user = await gateway.token('JUSTICE', 'officer', 'drill-user');
  await read(user, USER);
  // A stranger with bad tokens, staying under the address budget: 401 three times, then the penalty.
  const strangers = await burst(60, 1, (i) => read(i % 2 ? 'not-a-token' : undefined, STRANGER));
  log(`stranger, 60 refused tokens: ${strangers.tally.toString()}`);
  const fresh = await gateway.token('PROCURATORATE', 'officer', 'drill-fresh');
  const userAtStrangersAddress = (await read(user, STRANGER)).status;
  // The penalty refills at 1/s: a bad token first, so the token never seen meets an empty bucket however slow this machine is.
  await untilPenalty(() => read('not-a-token', STRANGER));
  const freshTokenAtStrangersAddress = (await read(fresh, STRANGER)).status;
  log(`at the stranger's address in penalty: the user's known token ${userAtStrangersAddress}, a token never seen ${freshTokenAtStrangersAddress}`);
  // The stranger floods far beyond the address budget while the user, elsewhere, goes on working.
  const [floodResult, userDuringFlood] = await Promise.all([burst(size, 50, () => read('not-a-token', STRANGER)), burst(20, 1, () => read(user, USER))]);
  log(`stranger's flood of ${size}: ${floodResult.tally.toString()}; the user meanwhile: ${userDuringFlood.tally.toString()}`);
  // An agency's own system floods with valid tokens: its agency's budget runs out, another agency's does not.
  const police = await Promise.all(Array.from({ length: 5 }, (_, i) => gateway.token('POLICE', 'clerk', `drill-busy-${i}`)));
  const [agencyFlood, otherAgencyDuringFlood] = await Promise.all([
    burst(size, 50, (i) => read(police[i % police.length], BUSY)),
    burst(20, 1, () => read(user, USER)),
  ]);
  log(`police system's flood of ${size}: ${agencyFlood.tally.toString()}; the justice user meanwhile: ${otherAgencyDuringFlood.tally.toString()}`);
  // Retry-After is the gateway's own promise: after it, the agency is let in again.
  await new Promise((resolve) => setTimeout(resolve, agencyFlood.maxRetryAfter * 1000));
  const afterRetryAfter = (await read(police[0], BUSY)).status;
  log(`police after waiting Retry-After (${agencyFlood.maxRetryAfter} s): ${afterRetryAfter}`);
  return { strangers, userAtStrangersAddress, freshTokenAtStrangersAddress, flood: floodResult, userDuringFlood, agencyFlood, otherAgencyDuringFlood, afterRetryAfter };
}

function verdict(p: Phases): Measurement[] {
  const bursts = [p.strangers, p.flood, p.userDuringFlood, p.agencyFlood, p.otherAgencyDuringFlood];
  const tooMany = bursts.reduce((n, b) => n + b.tally.count(429), 0);
  const withoutRetryAfter = bursts.reduce((n, b) => n + b.withoutRetryAfter, 0);
  const withoutRateLimit = bursts.reduce((n, b) => n + b.withoutRateLimit, 0);
  const serverErrors = bursts.reduce((n, b) => n + b.tally.serverErrors + b.socketErrors, 0);
  // The stranger's bucket of refused tokens is empty when its flood starts, and refills at 1/s.
  const refusedBudget = budget(LIMITS.RATE_LIMIT_UNAUTHENTICATED, p.flood.seconds) - 3;
  const strangersBudget = budget(LIMITS.RATE_LIMIT_UNAUTHENTICATED, p.strangers.seconds);
  const agencyBudget = budget(LIMITS.RATE_LIMIT_AGENCY, p.agencyFlood.seconds);
  return [
    measured(
      `stranger's refused tokens (${p.strangers.seconds.toFixed(1)} s)`,
      p.strangers.tally.toString(),
      `401×3 (+1/s refill, ≤ ${strangersBudget}), then 429`,
      p.strangers.tally.count(401) >= 3 && p.strangers.tally.count(401) <= strangersBudget && p.strangers.tally.count(401) + p.strangers.tally.count(429) === p.strangers.tally.total,
    ),
    measured(
      `stranger's flood (bad tokens, ${p.flood.seconds.toFixed(1)} s)`,
      p.flood.tally.toString(),
      `401 ≤ ${refusedBudget} (1/s refill), rest 429`,
      p.flood.tally.count(401) <= refusedBudget && p.flood.tally.count(401) + p.flood.tally.count(429) === p.flood.tally.total,
    ),
    measured(
      `police system's flood (valid tokens, ${p.agencyFlood.seconds.toFixed(1)} s)`,
      p.agencyFlood.tally.toString(),
      `200 ≤ ${agencyBudget} (the agency's budget), rest 429`,
      p.agencyFlood.tally.count(200) > 0 && p.agencyFlood.tally.count(200) <= agencyBudget && p.agencyFlood.tally.count(200) + p.agencyFlood.tally.count(429) === p.agencyFlood.tally.total,
    ),
    measured('429s with Retry-After', `${tooMany - withoutRetryAfter} of ${tooMany}`, 'all', withoutRetryAfter === 0 && tooMany > 0),
    measured('429s with RateLimit and RateLimit-Policy', `${tooMany - withoutRateLimit} of ${tooMany}`, 'all', withoutRateLimit === 0 && tooMany > 0),
    measured("known token at the stranger's address in penalty", p.userAtStrangersAddress, '200', p.userAtStrangersAddress === 200),
    measured("new token at the stranger's address in penalty", p.freshTokenAtStrangersAddress, '429', p.freshTokenAtStrangersAddress === 429),
    measured('user elsewhere during the flood', p.userDuringFlood.tally.toString(), 'all 200', p.userDuringFlood.tally.count(200) === p.userDuringFlood.tally.total),
    measured("another agency's user during its flood", p.otherAgencyDuringFlood.tally.toString(), 'all 200', p.otherAgencyDuringFlood.tally.count(200) === p.otherAgencyDuringFlood.tally.total),
    measured('police again after Retry-After', p.afterRetryAfter, '200', p.afterRetryAfter === 200),
    measured('5xx answers and socket errors', serverErrors, '0', serverErrors === 0),
  ];
}

function summaries(p: Phases): Record<string, unknown> {
  const of = (b: BurstResult) => ({ statuses: b.tally.toJSON(), socketErrors: b.socketErrors, withoutRetryAfter: b.withoutRetryAfter, withoutRateLimit: b.withoutRateLimit, maxRetryAfter: b.maxRetryAfter });
  return {
    strangers: of(p.strangers),
    flood: of(p.flood),
    userDuringFlood: of(p.userDuringFlood),
    agencyFlood: of(p.agencyFlood),
    otherAgencyDuringFlood: of(p.otherAgencyDuringFlood),
    userAtStrangersAddress: p.userAtStrangersAddress,
    freshTokenAtStrangersAddress: p.freshTokenAtStrangersAddress,
    afterRetryAfter: p.afterRetryAfter,
  };
}

export const flood: Drill = {
  name: 'flood',
  summary: `bursts far beyond small buckets (${Object.entries(LIMITS).map(([k, v]) => `${k}=${v}`).join(', ')}), with bad tokens and with valid ones`,
  run,
};
