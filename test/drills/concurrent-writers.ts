import { raw } from '../support/raw-http.js';
import { measured, type Drill, type DrillContext, type DrillOutcome, type Measurement } from './drill.js';
import type { DrillGateway, OfflineAudit } from './gateways.js';
import { StatusTally } from './statuses.js';
import { bearer, postJson, setUpSubject, warningBody, type Subject } from './subjects.js';

const WRITERS = 50;

interface Writes {
  readonly tally: StatusTally;
  /** Entry ids of the 201 answers, in the order they came. */
  readonly recorded: readonly string[];
  readonly socketErrors: number;
  readonly seconds: number;
}

/** Each writer (a justice bureau clerk of its own) records its warnings one after another; all writers at once. */
async function writeConcurrently(gateway: DrillGateway, subject: Subject, perWriter: number): Promise<Writes> {
  const tokens = await Promise.all(Array.from({ length: WRITERS }, (_, w) => gateway.token('JUSTICE', 'clerk', `drill-writer-${w}`)));
  const tally = new StatusTally();
  const recorded: string[] = [];
  let socketErrors = 0;
  const started = performance.now();
  await Promise.all(
    tokens.map(async (token, w) => {
      for (let k = 0; k < perWriter; k++) {
        const answer = await postJson(gateway.url, '/v1/events', token, warningBody(subject, `WN-${w}-${k}`)).catch(() => undefined);
        if (!answer) {
          socketErrors++;
          continue;
        }
        tally.add(answer.status);
        const id = (answer.json as { entry?: { id?: unknown } } | undefined)?.entry?.id;
        if (answer.status === 201 && typeof id === 'string') recorded.push(id);
      }
    }),
  );
  return { tally, recorded, socketErrors, seconds: (performance.now() - started) / 1000 };
}

interface ChainView {
  readonly ids: readonly string[];
  readonly warningCount: number;
  readonly auditOk: boolean;
  readonly auditProblems: number;
}

/** The subject's chain, status and audit as the gateway shows them to the justice bureau and an auditor. */
async function readChain(gateway: DrillGateway, subject: Subject): Promise<ChainView> {
  const justice = bearer(await gateway.token('JUSTICE', 'officer'));
  const auditor = bearer(await gateway.token('PROCURATORATE', 'auditor'));
  const [entries, status, audit] = await Promise.all([
    raw(gateway.url, { path: `/v1/subjects/${subject.ref}/entries`, headers: justice }),
    raw(gateway.url, { path: `/v1/subjects/${subject.ref}`, headers: justice }),
    raw(gateway.url, { path: `/v1/audit?subject=${subject.ref}`, headers: auditor }),
  ]);
  const report = audit.json as { ok?: boolean; problems?: unknown[] } | undefined;
  return {
    ids: ((entries.json ?? []) as Array<{ id: string }>).map((entry) => entry.id),
    warningCount: (status.json as { warningCount?: number } | undefined)?.warningCount ?? -1,
    auditOk: audit.status === 200 && report?.ok === true,
    auditProblems: report?.problems?.length ?? -1,
  };
}

function verdict(writes: Writes, chain: ChainView, subject: Subject, offline: OfflineAudit | undefined, attempted: number): Measurement[] {
  const occurrences = new Map<string, number>();
  for (const id of chain.ids) occurrences.set(id, (occurrences.get(id) ?? 0) + 1);
  const once = writes.recorded.filter((id) => occurrences.get(id) === 1).length;
  const answered = new Set([...subject.entryIds, ...writes.recorded]);
  const unanswered = chain.ids.filter((id) => !answered.has(id)).length;
  const created = writes.tally.count(201);
  return [
    measured('warnings recorded (201)', `${created} of ${attempted} in ${writes.seconds.toFixed(1)} s`, `all ${attempted}`, created === attempted),
    measured('answers by status', writes.tally.toString(), '201 only', writes.tally.count(201) === writes.tally.total && writes.socketErrors === 0),
    measured('5xx answers', writes.tally.serverErrors, '0', writes.tally.serverErrors === 0),
    measured('each 201 in the chain exactly once', `${once} of ${writes.recorded.length}`, 'all', once === writes.recorded.length),
    measured('phantom entries (in the chain, never answered 201)', unanswered, '0', unanswered === 0),
    measured('warningCount in the status', chain.warningCount, String(created), chain.warningCount === created),
    measured('GET /v1/audit?subject= (auditor)', chain.auditOk ? 'intact' : `${chain.auditProblems} problem(s)`, 'intact', chain.auditOk),
    offline
      ? measured('offline audit (cli audit)', offline.ok ? `intact, ${offline.entries} entries, exit ${offline.exitCode}` : `${offline.problems} problem(s), exit ${offline.exitCode}`, 'intact, exit 0', offline.ok && offline.exitCode === 0)
      : measured('offline audit (cli audit)', 'not available on this ledger', 'intact, exit 0', false),
  ];
}

async function run({ gateways, fast, log }: DrillContext): Promise<DrillOutcome> {
  const perWriter = fast ? 4 : 20;
  const gateway = await gateways.start();
  try {
    const subject = await setUpSubject(gateway.url, { court: await gateway.token('COURT'), justice: await gateway.token('JUSTICE') }, 1);
    log(`${WRITERS} writers × ${perWriter} warnings on one subject under correction`);
    const writes = await writeConcurrently(gateway, subject, perWriter);
    log(`answers: ${writes.tally.toString()}; ${writes.socketErrors} socket errors; ${(writes.recorded.length / writes.seconds).toFixed(0)} recorded/s`);
    const chain = await readChain(gateway, subject);
    log(`chain: ${chain.ids.length} entries, warningCount ${chain.warningCount}, audit ${chain.auditOk ? 'intact' : 'NOT intact'}`);
    const offline = await gateway.close({ auditOffline: true });
    if (offline) log(`offline audit: ${offline.blocks} blocks, ${offline.entries} entries, ${offline.problems} problems, exit ${offline.exitCode}`);
    return {
      measurements: verdict(writes, chain, subject, offline, WRITERS * perWriter),
      figures: { writers: WRITERS, perWriter, statuses: writes.tally.toJSON(), socketErrors: writes.socketErrors, seconds: writes.seconds, chainLength: chain.ids.length, offline },
    };
  } finally {
    await gateway.close();
  }
}

export const concurrentWriters: Drill = {
  name: 'concurrent-writers',
  summary: `${WRITERS} justice clerks record warnings on ONE subject at once: every 201 is in the chain exactly once, the chain audits intact online and offline`,
  run,
};
