import { createHash } from 'node:crypto';
import { mkdir, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Presets, SingleBar } from 'cli-progress';
import { canonicalJson, type Agency } from 'correction-chaincode/domain';
import { auditEmbeddedLedger } from '../../gateway/src/ledger/embedded/audit.js';
import type { Block } from '../../gateway/src/ledger/embedded/block.js';
import { EmbeddedLedger } from '../../gateway/src/ledger/embedded/embedded-ledger.js';
import { freshKeyHash } from '../../gateway/src/services/correction-client.js';
import { createSealer } from '../../gateway/src/store/sealer.js';
import { caller } from '../support/actors.js';
import { day, handoverDocument, occurredAt } from './events.js';

export interface AuditSettings {
  readonly entries: number;
  readonly blockSize: number;
  /** Folder under which built ledgers are kept, one per entry count and block size. */
  readonly cacheDir: string;
  readonly rebuild: boolean;
}

export interface BuildInfo {
  readonly entries: number;
  readonly subjects: number;
  readonly blocks: number;
  readonly seconds: number;
  readonly entriesPerSecond: number;
  readonly builtAt: string;
}

export interface AuditBenchResult {
  readonly settings: AuditSettings;
  readonly ledgerDir: string;
  readonly cached: boolean;
  readonly build: BuildInfo;
  readonly diskBytes: number;
  readonly auditSeconds: number;
  /** Seconds in each of the audit's two passes: blocks (hashes, links, state) and subjects (chains, statuses). */
  readonly phaseSeconds: { readonly blocks: number; readonly subjects: number };
  readonly entriesPerSecond: number;
  /** CPU time this process spent auditing (main thread plus LevelDB's threads), seconds. */
  readonly auditCpuSeconds: number;
  readonly report: { readonly ok: boolean; readonly blocks: number; readonly subjects: number; readonly entries: number; readonly problems: number };
}

interface Step {
  readonly agency: Agency;
  readonly type: string;
  readonly afterDays: number;
  readonly document: (k: number) => Record<string, unknown>;
}

/** A subject's story: handed over by a court, then received, warned and given leave by the justice bureau. */
const STORY: readonly Step[] = [
  { agency: 'COURT', type: 'SENTENCE_HANDOVER', afterDays: 0, document: handoverDocument },
  { agency: 'JUSTICE', type: 'SUBJECT_RECEIVED', afterDays: 6, document: () => ({ escorted: false, announcement: true }) },
  { agency: 'JUSTICE', type: 'WARNING_ISSUED', afterDays: 60, document: (k) => ({ decisionNo: `警告${k}`, kind: 'WARNING', reason: '未按时报告' }) },
  {
    agency: 'JUSTICE',
    type: 'LEAVE_APPROVED',
    afterDays: 90,
    document: (k) => ({ approvalNo: `外出${k}`, leaveFrom: day((k % 600) + 95), leaveTo: day((k % 600) + 100), destination: '省内就医' }),
  },
];
/** Subject k's chain has 1 to 4 entries (2.5 on average). */
const chainLength = (k: number): number => 1 + (k % STORY.length);
const subjectRef = (k: number): string => createHash('sha256').update(`bench-audit-subject-${k}`).digest('hex');
const encoder = new TextEncoder();

/** A fixed document key: the cached ledger is reopened run after run, and holds synthetic documents only. */
export const BENCH_SEALER = createSealer(Buffer.alloc(32, 0xbe));
/** The cached ledger's folder (its documents sealed under BENCH_SEALER). */
export const benchLedgerName = (entries: number, blockSize: number): string => `audit-ledger-sealed-${entries}-block${blockSize}`;

/**
 * Records `entries` entries straight into an embedded ledger, keeping about three blocks' worth of
 * transactions queued so that every block (but the first, cut on the first submission) is full.
 */
async function buildLedger(dataDir: string, entries: number, blockSize: number): Promise<BuildInfo> {
  await rm(dataDir, { recursive: true, force: true });
  await mkdir(dataDir, { recursive: true });
  const ledger = await EmbeddedLedger.open({ dataDir, maxBlockTransactions: blockSize, sealer: BENCH_SEALER });
  const bar = new SingleBar(
    {
      format: 'building ledger [{bar}] {percentage}% {value}/{total} entries, {rate}/s, eta {eta_formatted}',
      stream: process.stderr,
      // Without a terminal, print a line every 10 s instead of redrawing the bar.
      noTTYOutput: true,
      notTTYSchedule: 10_000,
    },
    Presets.shades_classic,
  );
  const started = performance.now();
  let committed = 0;
  ledger.on('block', (block: Block) => {
    committed += block.transactions.length;
    const seconds = (performance.now() - started) / 1000;
    bar.update(committed, { rate: Math.round(committed / seconds) });
  });
  bar.start(entries, 0, { rate: 0 });

  const high = 3 * blockSize;
  const low = 2 * blockSize;
  let inFlight = 0;
  let failure: Error | undefined;
  let wake: (() => void) | undefined;
  const settled = () => {
    inFlight--;
    if (wake && (inFlight <= low || failure !== undefined)) {
      const w = wake;
      wake = undefined;
      w();
    }
  };
  let submitted = 0;
  let subject = 0;
  let step = 0;
  try {
    while (submitted < entries && failure === undefined) {
      while (inFlight < high && submitted < entries) {
        const s = STORY[step] as Step;
        inFlight++;
        ledger
          .submit(caller(s.agency), 'RecordEvent', [subjectRef(subject), s.type, occurredAt(subject, s.afterDays), '', freshKeyHash()], {
            document: encoder.encode(canonicalJson(s.document(subject))),
          })
          .then(settled, (error: unknown) => {
            failure ??= error instanceof Error ? error : new Error(String(error));
            settled();
          });
        submitted++;
        if (++step === chainLength(subject)) {
          step = 0;
          subject++;
        }
      }
      await new Promise<void>((resolve) => (wake = resolve));
    }
    while (inFlight > 0) await new Promise((resolve) => setTimeout(resolve, 10));
    if (failure !== undefined) throw failure;
  } finally {
    bar.stop();
    await ledger.close();
  }
  const seconds = (performance.now() - started) / 1000;
  return {
    entries,
    subjects: subject + (step > 0 ? 1 : 0),
    blocks: await ledger.height(),
    seconds,
    entriesPerSecond: entries / seconds,
    builtAt: new Date().toISOString(),
  };
}

async function diskUsage(dir: string): Promise<number> {
  let total = 0;
  for (const entry of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) total += (await stat(join(entry.parentPath, entry.name))).size;
  }
  return total;
}

/**
 * Audit speed: builds (once, then cached) an embedded ledger of `entries` entries and times
 * auditEmbeddedLedger over it, on a freshly opened ledger so LevelDB's caches start cold.
 */
export async function runAuditBench(settings: AuditSettings): Promise<AuditBenchResult> {
  const ledgerDir = join(settings.cacheDir, benchLedgerName(settings.entries, settings.blockSize));
  const marker = join(ledgerDir, 'built.json');
  let build = settings.rebuild
    ? undefined
    : await readFile(marker, 'utf8').then((text) => JSON.parse(text) as BuildInfo, () => undefined);
  const cached = build !== undefined;
  if (build) {
    process.stderr.write(`using the ledger of ${build.entries} entries built ${build.builtAt} in ${ledgerDir}\n`);
  } else {
    build = await buildLedger(ledgerDir, settings.entries, settings.blockSize);
    await writeFile(marker, JSON.stringify(build, null, 2));
  }

  const ledger = await EmbeddedLedger.open({ dataDir: ledgerDir, sealer: BENCH_SEALER });
  process.stderr.write(`auditing ${build.entries} entries …\n`);
  const started = performance.now();
  const cpuBefore = process.cpuUsage();
  let subjectsStarted: number | undefined;
  const report = await auditEmbeddedLedger(ledger, (phase) => {
    if (phase === 'subjects') subjectsStarted ??= performance.now();
  }).finally(() => ledger.close());
  const ended = performance.now();
  const cpu = process.cpuUsage(cpuBefore);
  const auditSeconds = (ended - started) / 1000;
  const split = subjectsStarted ?? ended;
  if (report.entries !== build.entries) {
    process.stderr.write(`warning: the audit saw ${report.entries} entries, the build recorded ${build.entries}\n`);
  }
  return {
    settings,
    ledgerDir,
    cached,
    build,
    diskBytes: await diskUsage(ledgerDir),
    auditSeconds,
    phaseSeconds: { blocks: (split - started) / 1000, subjects: (ended - split) / 1000 },
    entriesPerSecond: report.entries / auditSeconds,
    auditCpuSeconds: (cpu.user + cpu.system) / 1e6,
    report: { ok: report.ok, blocks: report.blocks ?? 0, subjects: report.subjects, entries: report.entries, problems: report.problems.length },
  };
}
