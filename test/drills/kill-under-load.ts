import { measured, type Drill, type DrillContext, type DrillOutcome, type Measurement } from './drill.js';
import type { DrillGateway, OfflineAudit } from './gateways.js';
import { countOnLedger, keyedAnswer, keyedWarning, sendKeyed, settledAnswer, untilSettled, type KeyedRequest, type LedgerCount } from './keyed-writes.js';
import { StatusTally } from './statuses.js';
import { setUpSubject, type Subject } from './subjects.js';

const WRITERS = 16;
const ROUNDS = 3;

/** What one round of load, kill and retry came to. */
interface Round {
  readonly sent: number;
  readonly inFlight: number;
  /** Unanswered at the kill, yet committed: their retry replayed the entry. */
  readonly committedUnanswered: number;
  readonly restartSeconds: number;
}

interface Load {
  readonly tally: StatusTally;
  readonly requests: KeyedRequest[];
}

/**
 * One writer per subject sends keyed warnings one after another (a justice clerk of its own
 * each) until the gateway is killed, the moment the `killAfter`-th answer arrives: the other
 * writers' requests are then in flight.
 */
async function loadUntilKilled(gateway: DrillGateway, subjects: readonly Subject[], tokens: readonly string[], round: number, killAfter: number, load: Load): Promise<KeyedRequest[]> {
  const url = gateway.url;
  const sent: KeyedRequest[] = [];
  let answers = 0;
  let killing: Promise<void> | undefined;
  await Promise.all(
    subjects.map(async (subject, w) => {
      for (let k = 0; !killing; k++) {
        const request = keyedWarning(subject, `kill${round}-writer${w}-${k}`);
        sent.push(request);
        const answer = await sendKeyed(url, tokens[w] ?? '', request).catch(() => undefined);
        if (!answer) break;
        load.tally.add(answer.status);
        request.answer = keyedAnswer(answer);
        if (++answers === killAfter) killing = gateway.kill9();
      }
    }),
  );
  await killing;
  return sent;
}

/** Retries every request whose answer was not seen, with its key and body, until the gateway settles it. */
async function retryUnanswered(gateway: DrillGateway, tokens: readonly string[], subjects: readonly Subject[], sent: readonly KeyedRequest[], load: Load): Promise<number> {
  let committedUnanswered = 0;
  for (const request of sent.filter((r) => !settledAnswer(r.answer))) {
    const answer = await sendKeyed(gateway.url, tokens[subjects.indexOf(request.subject)] ?? '', request);
    load.tally.add(answer.status);
    request.answer = keyedAnswer(answer);
    if (answer.headers['idempotent-replayed'] === 'true') committedUnanswered++;
  }
  return committedUnanswered;
}

/** Sends every request once more with its key: each must replay the entry it was first given. */
async function replays(gateway: DrillGateway, tokens: readonly string[], subjects: readonly Subject[], requests: readonly KeyedRequest[]): Promise<number> {
  let mismatched = 0;
  for (const request of requests) {
    const again = keyedAnswer(await sendKeyed(gateway.url, tokens[subjects.indexOf(request.subject)] ?? '', request));
    if (again.status !== 201 || (request.answer?.entryId !== undefined && again.entryId !== request.answer.entryId)) mismatched++;
  }
  return mismatched;
}

function verdict(load: Load, rounds: readonly Round[], count: LedgerCount, mismatched: number, pending: number, offline: OfflineAudit | undefined): Measurement[] {
  const inFlight = rounds.reduce((sum, r) => sum + r.inFlight, 0);
  const unanswered = load.requests.filter((r) => !settledAnswer(r.answer)).length;
  const committedUnanswered = rounds.reduce((sum, r) => sum + r.committedUnanswered, 0);
  const restarts = rounds.map((r) => r.restartSeconds.toFixed(1)).join(' / ');
  return [
    measured('kill -9 mid-load, restart on the same data', `${rounds.length} kills; restarts ${restarts} s`, `${ROUNDS} kills`, rounds.length === ROUNDS),
    measured('keyed requests sent / in flight at the kills', `${load.requests.length} / ${inFlight} (${committedUnanswered} had committed unanswered)`, 'some in flight', inFlight > 0),
    measured('answers by status (with retries)', load.tally.toString(), '201/202 only', load.tally.countWhere((s) => s !== 201 && s !== 202) === 0),
    measured('5xx answers', load.tally.serverErrors, '0', load.tally.serverErrors === 0),
    measured('requests unanswered after retry / still pending', `${unanswered} / ${pending}`, '0 / 0', unanswered === 0 && pending === 0),
    measured('lost (answered 201/202, not on the chain)', count.lost, '0', count.lost === 0),
    measured('duplicated (entries per key beyond one)', count.duplicated, '0', count.duplicated === 0),
    measured('phantom warnings / subjects out of order', `${count.phantom} / ${count.outOfOrder} of ${count.subjects}`, '0 / 0', count.phantom === 0 && count.outOfOrder === 0),
    measured('retry of every key replays its first entry', `${load.requests.length - mismatched} of ${load.requests.length}`, 'all', mismatched === 0),
    offline
      ? measured('offline audit (cli audit)', offline.ok ? `intact, ${offline.entries} entries, exit ${offline.exitCode}` : `${offline.problems} problem(s), exit ${offline.exitCode}`, 'intact, exit 0', offline.ok && offline.exitCode === 0)
      : measured('offline audit (cli audit)', 'not available on this ledger', 'intact, exit 0', false),
  ];
}

async function run({ gateways, fast, log }: DrillContext): Promise<DrillOutcome> {
  // Killed early, after a round of answers, and deep into the load.
  const killAfter = fast ? [WRITERS, 3 * WRITERS, 6 * WRITERS] : [4 * WRITERS, 25 * WRITERS, 60 * WRITERS];
  const gateway = await gateways.start();
  try {
    const setup = { court: await gateway.token('COURT'), justice: await gateway.token('JUSTICE') };
    const subjects: Subject[] = [];
    for (let n = 1; n <= WRITERS; n++) subjects.push(await setUpSubject(gateway.url, setup, n));
    const tokens = await Promise.all(subjects.map((_, w) => gateway.token('JUSTICE', 'clerk', `drill-keyed-writer-${w}`)));
    const load: Load = { tally: new StatusTally(), requests: [] };
    const rounds: Round[] = [];
    for (const [round, after] of killAfter.slice(0, ROUNDS).entries()) {
      const sent = await loadUntilKilled(gateway, subjects, tokens, round, after, load);
      const inFlight = sent.filter((r) => !settledAnswer(r.answer)).length;
      const started = performance.now();
      await gateway.restart();
      const restartSeconds = (performance.now() - started) / 1000;
      const committedUnanswered = await retryUnanswered(gateway, tokens, subjects, sent, load);
      load.requests.push(...sent);
      rounds.push({ sent: sent.length, inFlight, committedUnanswered, restartSeconds });
      log(`round ${round + 1}: killed after ${after} answers; ${sent.length} sent, ${inFlight} in flight, ${committedUnanswered} of those had committed; restarted in ${restartSeconds.toFixed(1)} s`);
    }
    const submissions = load.requests.flatMap((r) => (r.answer?.submissionId ? [r.answer.submissionId] : []));
    const officer = await gateway.token('JUSTICE', 'officer');
    const { states } = await untilSettled(gateway.url, officer, submissions, 60_000);
    const pending = [...states.values()].filter((state) => state !== 'committed').length;
    const count = await countOnLedger(gateway.url, officer, load.requests);
    const mismatched = await replays(gateway, tokens, subjects, load.requests);
    log(`chains: ${count.entries} warnings on ${count.subjects} subjects; lost ${count.lost}, duplicated ${count.duplicated}, phantom ${count.phantom}; ${submissions.length} answered 202`);
    const offline = await gateway.close({ auditOffline: true });
    if (offline) log(`offline audit: ${offline.blocks} blocks, ${offline.entries} entries, ${offline.problems} problems, exit ${offline.exitCode}`);
    return {
      measurements: verdict(load, rounds, count, mismatched, pending, offline),
      figures: { writers: WRITERS, killAfter, rounds, statuses: load.tally.toJSON(), ledger: count, accepted202: submissions.length, mismatchedReplays: mismatched, offline },
    };
  } finally {
    await gateway.close();
  }
}

export const killUnderLoad: Drill = {
  name: 'kill-under-load',
  summary: `${WRITERS} keyed writers record warnings; the gateway is killed (-9) mid-load and restarted on its data, ${ROUNDS} times; every unanswered request is retried with its key and body`,
  run,
};
