import { measured, type Drill, type DrillContext, type DrillOutcome, type Measurement } from './drill.js';
import type { DrillGateway, LedgerMaintenance, OfflineAudit } from './gateways.js';
import { chainWarnings, countOnLedger, keyedAnswer, keyedWarning, sendKeyed, untilSettled, type KeyedRequest, type LedgerCount } from './keyed-writes.js';
import { StatusTally } from './statuses.js';
import { setUpSubject, type Subject } from './subjects.js';

/** The drainer tries the ledger again soon: the drill measures the drain, not the back-off. */
const OUTBOX_ENV = { OUTBOX_RETRY_BASE_MS: '50', OUTBOX_RETRY_MAX_MS: '500' };
const DRAIN_DEADLINE_MS = 300_000;

interface Accepted {
  readonly tally: StatusTally;
  /** 202 answers whose Location is /v1/submissions/{the submission's id}. */
  readonly located: number;
  readonly requests: readonly KeyedRequest[];
}

/** Each subject's warnings one after another, the subjects side by side, all while the ledger is down. */
async function submitWhileDown(gateway: DrillGateway, subjects: readonly Subject[], perSubject: number): Promise<Accepted> {
  const tally = new StatusTally();
  const requests: KeyedRequest[] = [];
  let located = 0;
  await Promise.all(
    subjects.map(async (subject, s) => {
      const token = await gateway.token('JUSTICE', 'clerk', `drill-outbox-${s}`);
      for (let k = 0; k < perSubject; k++) {
        const request = keyedWarning(subject, `outbox-subject${s}-${k}`);
        requests.push(request);
        const answer = keyedAnswer(await sendKeyed(gateway.url, token, request));
        tally.add(answer.status);
        request.answer = answer;
        if (answer.status === 202 && answer.submissionId !== undefined && answer.location === `/v1/submissions/${answer.submissionId}`) located++;
      }
    }),
  );
  // Sent in parallel across subjects: each subject's own order is the order of its keys.
  const order = (r: KeyedRequest) => Number(/-(\d+)$/.exec(r.key)?.[1]);
  requests.sort((a, b) => a.subject.n - b.subject.n || order(a) - order(b));
  return { tally, located, requests };
}

/** Warnings on the subjects' chains: none may appear while the ledger is down. */
async function warningsOnChains(gateway: DrillGateway, token: string, subjects: readonly Subject[]): Promise<number> {
  const chains = await Promise.all(subjects.map((subject) => chainWarnings(gateway.url, token, subject.ref)));
  return chains.reduce((sum, chain) => sum + chain.length, 0);
}

interface Drain {
  readonly committed: number;
  readonly notCommitted: number;
  readonly seconds: number;
}

function verdict(accepted: Accepted, committedWhileDown: number, drain: Drain, count: LedgerCount, offline: OfflineAudit | undefined): Measurement[] {
  const n = accepted.requests.length;
  return [
    measured('keyed requests while the ledger is down', `${accepted.tally.toString()}; ${accepted.located} with Location`, `${n}×202 with Location`, accepted.tally.count(202) === n && accepted.located === n),
    measured('5xx answers', accepted.tally.serverErrors, '0', accepted.tally.serverErrors === 0),
    measured('on the chain before the ledger is back', committedWhileDown, '0', committedWhileDown === 0),
    measured('submissions committed after resume', `${drain.committed} of ${n} in ${drain.seconds.toFixed(1)} s`, `all, within ${DRAIN_DEADLINE_MS / 1000} s`, drain.committed === n && drain.notCommitted === 0),
    measured('lost (answered 202, not on the chain)', count.lost, '0', count.lost === 0),
    measured('duplicated (entries per key beyond one)', count.duplicated, '0', count.duplicated === 0),
    measured('subjects out of order / phantom warnings', `${count.outOfOrder} of ${count.subjects} / ${count.phantom}`, '0 / 0', count.outOfOrder === 0 && count.phantom === 0),
    offline
      ? measured('offline audit (cli audit)', offline.ok ? `intact, ${offline.entries} entries, exit ${offline.exitCode}` : `${offline.problems} problem(s), exit ${offline.exitCode}`, 'intact, exit 0', offline.ok && offline.exitCode === 0)
      : measured('offline audit (cli audit)', 'not available on this ledger', 'intact, exit 0', false),
  ];
}

async function drill(gateway: DrillGateway, maintenance: LedgerMaintenance, fast: boolean, log: (line: string) => void): Promise<DrillOutcome> {
  const [subjectCount, perSubject] = fast ? [8, 5] : [16, 25];
  const setup = { court: await gateway.token('COURT'), justice: await gateway.token('JUSTICE') };
  const subjects: Subject[] = [];
  for (let n = 1; n <= subjectCount; n++) subjects.push(await setUpSubject(gateway.url, setup, n));
  const officer = await gateway.token('JUSTICE', 'officer');

  await maintenance.pause('drill: ledger down');
  const accepted = await submitWhileDown(gateway, subjects, perSubject);
  const committedWhileDown = await warningsOnChains(gateway, officer, subjects);
  log(`ledger paused: ${accepted.requests.length} keyed warnings on ${subjectCount} subjects answered ${accepted.tally.toString()}; ${committedWhileDown} on the chains`);

  await maintenance.resume();
  const ids = accepted.requests.flatMap((r) => (r.answer?.submissionId ? [r.answer.submissionId] : []));
  const { states, seconds } = await untilSettled(gateway.url, officer, ids, DRAIN_DEADLINE_MS);
  const committed = [...states.values()].filter((state) => state === 'committed').length;
  const drain = { committed, notCommitted: states.size - committed, seconds };
  log(`resumed: ${committed} of ${ids.length} committed in ${seconds.toFixed(1)} s (${(committed / Math.max(seconds, 0.001)).toFixed(0)}/s)`);

  const count = await countOnLedger(gateway.url, officer, accepted.requests);
  log(`chains: ${count.entries} warnings; lost ${count.lost}, duplicated ${count.duplicated}, out of order ${count.outOfOrder}`);
  const offline = await gateway.close({ auditOffline: true });
  return {
    measurements: verdict(accepted, committedWhileDown, drain, count, offline),
    figures: { subjects: subjectCount, perSubject, statuses: accepted.tally.toJSON(), committedWhileDown, drain, ledger: count, offline },
  };
}

async function run({ gateways, fast, log }: DrillContext): Promise<DrillOutcome> {
  const gateway = await gateways.start(OUTBOX_ENV);
  try {
    if (!gateway.maintenance) return { measurements: [measured('a way to take the ledger down', 'none on this ledger', 'pause/resume', false)] };
    return await drill(gateway, gateway.maintenance, fast, log);
  } finally {
    // Never leave a paused ledger behind a failed drill (its data goes with the gateway anyway).
    await gateway.close();
  }
}

export const outboxDrain: Drill = {
  name: 'outbox-drain',
  summary: 'the ledger is taken down (correction-ledger pause) under keyed writes: all 202 with Location, kept in the outbox, drained once it is back (resume) — none lost, none twice, each subject in order',
  run,
};
