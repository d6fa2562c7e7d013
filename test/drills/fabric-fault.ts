import { AGENCIES } from 'correction-chaincode/domain';
import { raw } from '../support/raw-http.js';
import { measured, type DrillContext, type DrillOutcome, type Measurement } from './drill.js';
import { until, type Consortium, type FabricNetwork } from './fabric-network.js';
import { countOnLedger, keyedAnswer, keyedWarning, sendKeyed, settledAnswer, untilSettled, type KeyedRequest, type LedgerCount } from './keyed-writes.js';
import { StatusTally } from './statuses.js';
import { bearer, setUpSubject, type Subject } from './subjects.js';

/** A node of the network a drill kills under load, and how it picks it. */
export interface Fault {
  /** What is killed, for the table: "a peer (peer-justice)". */
  readonly what: string;
  pick(network: FabricNetwork): Promise<string>;
  /** What the network says of the fault once the node is back (the BFT leader now …), for the table. */
  aftermath?(network: FabricNetwork, node: string): Promise<string>;
}

interface Sizes {
  readonly writers: number;
  /** Answers seen before the kill, and after the node is back before the load stops. */
  readonly answersBefore: number;
  readonly answersAfter: number;
  /** How long the node stays down while the load goes on. */
  readonly downSeconds: number;
  /**
   * Requests a writer starts per second at most: with its peer down a gateway answers 202 at
   * once, and an unpaced writer would fill the outbox faster than Fabric can ever drain it.
   */
  readonly perWriterPerSecond: number;
}

const SIZES: Record<'fast' | 'full', Sizes> = {
  fast: { writers: 4, answersBefore: 8, answersAfter: 8, downSeconds: 10, perWriterPerSecond: 0.5 },
  full: { writers: 8, answersBefore: 40, answersAfter: 40, downSeconds: 30, perWriterPerSecond: 1 },
};

/** A request the gateway did not settle (503, a dead socket …) is sent again with its key after this. */
const RETRY_MS = 500;
const GIVE_UP_MS = 240_000;
/** Fabric drains an outbox one transaction per subject at a time. */
const DRAIN_DEADLINE_MS = 600_000;

/** Subject numbers of their own each run: the Fabric ledger outlives runs (residentId(n) is distinct below 20,000,000). */
const subjectBase = (): number => 12_000_000 + (Math.floor(Date.now() / 1000) % 700_000) * 10;

class Load {
  readonly tally = new StatusTally();
  readonly requests: KeyedRequest[] = [];
  socketErrors = 0;
  answers = 0;
  stopping = false;
  readonly #url: string;
  readonly #run: string;

  readonly #intervalMs: number;

  constructor(url: string, run: string, perWriterPerSecond: number) {
    this.#url = url;
    this.#run = run;
    this.#intervalMs = 1000 / perWriterPerSecond;
  }

  /** One writer: its subject's warnings one after another, paced, each retried with its key until settled. */
  async writer(subject: Subject, token: string, w: number): Promise<void> {
    for (let k = 0; !this.stopping; k++) {
      const started = performance.now();
      const request = keyedWarning(subject, `${this.#run}-w${w}-${k}`);
      this.requests.push(request);
      await this.#settle(request, token);
      const rest = this.#intervalMs - (performance.now() - started);
      if (rest > 0) await new Promise((resolve) => setTimeout(resolve, rest));
    }
  }

  async #settle(request: KeyedRequest, token: string): Promise<void> {
    const deadline = Date.now() + GIVE_UP_MS;
    while (!settledAnswer(request.answer) && Date.now() < deadline) {
      const answer = await sendKeyed(this.#url, token, request).catch(() => undefined);
      if (answer) {
        this.tally.add(answer.status);
        request.answer = keyedAnswer(answer);
      } else this.socketErrors++;
      if (settledAnswer(request.answer)) this.answers++;
      else await new Promise((resolve) => setTimeout(resolve, RETRY_MS));
    }
  }
}

/** Subject heads (entry count and last hash) as each agency's gateway reads them from its own peer. */
async function headsAgree(consortium: Consortium, officers: ReadonlyMap<string, string>, subjects: readonly Subject[]): Promise<number> {
  let agreeing = 0;
  for (const subject of subjects) {
    const heads = await Promise.all(
      AGENCIES.map(async (agency) => {
        const answer = await raw(consortium.url(agency), { path: `/v1/subjects/${subject.ref}`, headers: bearer(officers.get(agency) ?? '') });
        const status = answer.json as { entryCount?: number; lastHash?: string } | undefined;
        return answer.status === 200 ? `${String(status?.entryCount)}:${String(status?.lastHash)}` : `HTTP ${answer.status}`;
      }),
    );
    if (heads.every((head) => head === heads[0] && !head.startsWith('HTTP'))) agreeing++;
  }
  return agreeing;
}

interface Timeline {
  readonly node: string;
  readonly pid: number;
  readonly answersAtKill: number;
  readonly downSeconds: number;
  readonly restoreSeconds: number;
  readonly recoverySeconds: number;
  readonly aftermath: string;
}

/** Waits for the load to warm up, kills the node, keeps it down a while under load, brings it back, waits for answers again. */
async function inflict(fault: Fault, network: FabricNetwork, load: Load, sizes: Sizes, log: (line: string) => void): Promise<Timeline> {
  await until(`${sizes.answersBefore} answers before the kill`, () => Promise.resolve(load.answers >= sizes.answersBefore), 180_000);
  const node = await fault.pick(network);
  const answersAtKill = load.answers;
  const pid = await network.kill9(node);
  const killedAt = performance.now();
  log(`killed ${node} (pid ${pid}) after ${answersAtKill} answers`);
  // The load goes on against the network without the node: this is the outage, not a wait for a condition.
  await new Promise((resolve) => setTimeout(resolve, sizes.downSeconds * 1000));
  const restoreSeconds = await network.restore();
  const downSeconds = (performance.now() - killedAt) / 1000;
  const back = load.answers;
  log(`${node} down ${downSeconds.toFixed(1)} s (network-up took ${restoreSeconds.toFixed(1)} s); ${back - answersAtKill} answers while it was down`);
  const recoverySeconds = await until(`${sizes.answersAfter} answers after the restart`, () => Promise.resolve(load.answers >= back + sizes.answersAfter), 180_000);
  const aftermath = fault.aftermath ? await fault.aftermath(network, node).catch((error: unknown) => String(error)) : '';
  return { node, pid, answersAtKill, downSeconds, restoreSeconds, recoverySeconds, aftermath };
}

interface Settlement {
  readonly accepted: number;
  readonly notCommitted: number;
  readonly drainSeconds: number;
}

function verdict(fault: Fault, timeline: Timeline, load: Load, settlement: Settlement, count: LedgerCount, agreeing: number, subjects: number, statusOk: boolean): Measurement[] {
  const unanswered = load.requests.filter((r) => !settledAnswer(r.answer)).length;
  const internal = load.tally.count(500);
  return [
    measured(
      `kill -9 of ${fault.what} mid-load`,
      `${timeline.node} after ${timeline.answersAtKill} answers; down ${timeline.downSeconds.toFixed(0)} s; answering again ${timeline.recoverySeconds.toFixed(1)} s after restart${timeline.aftermath ? `; ${timeline.aftermath}` : ''}`,
      'killed, restarted',
      true,
    ),
    measured('network after the restart (network-status)', statusOk ? 'every node up' : 'a node is down', 'every node up', statusOk),
    measured('keyed requests / answers by status (with retries)', `${load.requests.length}; ${load.tally.toString()}; ${load.socketErrors} dead sockets`, '201/202 in the end', unanswered === 0),
    measured('500 answers', internal, '0', internal === 0),
    measured('accepted 202, then committed', `${settlement.accepted - settlement.notCommitted} of ${settlement.accepted} (${settlement.drainSeconds.toFixed(1)} s)`, 'all', settlement.notCommitted === 0),
    measured('lost (answered 201/202, not on the chain)', count.lost, '0', count.lost === 0),
    measured('duplicated (entries per key beyond one)', count.duplicated, '0', count.duplicated === 0),
    measured('phantom warnings / subjects out of order', `${count.phantom} / ${count.outOfOrder} of ${count.subjects}`, '0 / 0', count.phantom === 0 && count.outOfOrder === 0),
    measured('subjects whose head all four peers agree on', `${agreeing} of ${subjects}`, 'all', agreeing === subjects),
  ];
}

async function afterwards(consortium: Consortium, network: FabricNetwork, load: Load, subjects: readonly Subject[]) {
  const justice = consortium.url('JUSTICE');
  const officer = await consortium.token('JUSTICE', 'officer');
  const ids = load.requests.flatMap((r) => (r.answer?.submissionId ? [r.answer.submissionId] : []));
  const { states, seconds } = await untilSettled(justice, officer, ids, DRAIN_DEADLINE_MS);
  const settlement = { accepted: ids.length, notCommitted: [...states.values()].filter((s) => s !== 'committed').length, drainSeconds: seconds };
  const count = await countOnLedger(justice, officer, load.requests);
  const officers = new Map(await Promise.all(AGENCIES.map(async (agency) => [agency, await consortium.token(agency, 'officer')] as const)));
  // The restarted node catches up by itself: wait for the peers to agree, up to a deadline.
  let agreeing = 0;
  await until('all peers to agree on the subjects\u2019 heads', async () => (agreeing = await headsAgree(consortium, officers, subjects)) === subjects.length, 120_000, 1000).catch(() => undefined);
  const statusOk = await network.status().then(() => true, () => false);
  return { settlement, count, agreeing, statusOk };
}

/**
 * Keyed writers record warnings through the justice bureau's gateway while `fault` kills a node
 * of the network (kill -9) and network-up brings it back; every request not settled is sent
 * again with its key and body. Then: every settled request on the chain once, 202s committed,
 * and all four peers agreeing on each subject's head.
 */
export async function faultUnderLoad(fault: Fault, { network, fast, log }: DrillContext): Promise<DrillOutcome> {
  if (!network) return { measurements: [measured('a Fabric network', 'none (npm run drills:fabric runs it)', 'running', false)] };
  const sizes = SIZES[fast ? 'fast' : 'full'];
  const consortium = await network.consortium();
  try {
    const tokens = { court: await consortium.token('COURT'), justice: await consortium.token('JUSTICE') };
    const base = subjectBase();
    const subjects: Subject[] = [];
    for (let w = 0; w < sizes.writers; w++) subjects.push(await setUpSubject({ court: consortium.url('COURT'), justice: consortium.url('JUSTICE') }, tokens, base + w));
    const load = new Load(consortium.url('JUSTICE'), `f${String(base)}`, sizes.perWriterPerSecond);
    const writers = subjects.map(async (subject, w) => load.writer(subject, await consortium.token('JUSTICE', 'clerk', `drill-fabric-writer-${w}`), w));
    let timeline: Timeline;
    try {
      timeline = await inflict(fault, network, load, sizes, log);
    } catch (error) {
      // Never leave the network short of a node behind a failed drill.
      await network.restore().catch(() => undefined);
      throw error;
    } finally {
      load.stopping = true;
      await Promise.all(writers);
    }
    log(`load: ${load.requests.length} keyed requests, ${load.tally.toString()}, ${load.socketErrors} dead sockets`);
    const { settlement, count, agreeing, statusOk } = await afterwards(consortium, network, load, subjects);
    log(`chains: ${count.entries} warnings; lost ${count.lost}, duplicated ${count.duplicated}; ${settlement.accepted} answered 202; peers agree on ${agreeing} of ${subjects.length} heads`);
    return {
      measurements: verdict(fault, timeline, load, settlement, count, agreeing, subjects.length, statusOk),
      figures: { sizes, timeline, statuses: load.tally.toJSON(), socketErrors: load.socketErrors, settlement, ledger: count, agreeing },
    };
  } finally {
    await consortium.close();
  }
}
