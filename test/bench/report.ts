import { mkdir, writeFile } from 'node:fs/promises';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import type { AuditBenchResult } from './audit-bench.js';
import type { HttpBenchResult, LoadResult, ServerResult } from './http-bench.js';

/** What the project aims for. Shown beside the results; a miss is reported, never thrown. */
export const TARGETS = {
  eventsPerSecond: 2000,
  shareOfEcho: 0.5,
  p99Ms: 50,
  auditEntriesPerSecond: 100_000,
  gatewayRssMb: 300,
} as const;

const MB = 1024 * 1024;
const int = (n: number) => Math.round(n).toLocaleString('en-US');
const mb = (bytes: number) => `${(bytes / MB).toFixed(0)} MB`;
const ms = (n: number) => `${n.toFixed(1)} ms`;
const pct = (n: number) => `${(n * 100).toFixed(0)}%`;

type Row = readonly [what: string, measured: string, target: string, pass?: boolean];

function table(rows: readonly Row[]): string {
  const head: Row = ['', 'measured', 'target'];
  const width = [0, 1, 2].map((i) => Math.max(...[head, ...rows].map((row) => String(row[i]).length)));
  const line = (row: Row) => {
    const mark = row[3] === undefined ? '' : row[3] ? '  PASS' : '  MISS';
    return `  ${row[0].padEnd(width[0] ?? 0)}  ${row[1].padStart(width[1] ?? 0)}  ${row[2].padEnd(width[2] ?? 0)}${mark}`.trimEnd();
  };
  return [line(head), `  ${'-'.repeat((width[0] ?? 0) + (width[1] ?? 0) + (width[2] ?? 0) + 10)}`, ...rows.map(line)].join('\n');
}

const cores = (r: ServerResult): string =>
  [r.serverCpuCores, r.loadGeneratorCpuCores, r.otherCpuCores].map((n) => (n === undefined ? '?' : n.toFixed(2))).join(' / ');

const errorsOf = (r: LoadResult): string => {
  const codes = Object.entries(r.statusCodes)
    .filter(([code]) => !code.startsWith('2'))
    .map(([code, count]) => `${count}×${code}`);
  return [`${int(r.non2xx)} non-2xx${codes.length ? ` (${codes.join(', ')})` : ''}`, `${int(r.errors)} socket errors/timeouts`].join(', ');
};

export function formatReport(
  http: HttpBenchResult | undefined,
  audit: AuditBenchResult | undefined,
  loadAverage: { readonly start: number; readonly end: number },
): string {
  const out: string[] = [
    `machine: ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, node ${process.version}; load average (1 min) ${loadAverage.start.toFixed(2)} at start, ${loadAverage.end.toFixed(2)} at end`,
    '',
  ];
  if (http) out.push(...httpSection(http));
  if (audit) out.push(...auditSection(audit));
  return out.join('\n');
}

function httpSection(http: HttpBenchResult): string[] {
  const { gateway, echo, settings } = http;
  const g = gateway.measured;
  const e = echo.measured;
  return [
    `HTTP: ${settings.connections} connections, ${settings.warmupSeconds} s warm-up, ${settings.seconds} s measured, autocannon in the parent, servers in child processes`,
    table([
      ['gateway POST /v1/events (2xx/s)', int(g.okPerSecond), `>= ${int(TARGETS.eventsPerSecond)}`, g.okPerSecond >= TARGETS.eventsPerSecond],
      ['gateway latency p50', ms(g.latencyMs.p50), ''],
      ['gateway latency p99', ms(g.latencyMs.p99), `<= ${TARGETS.p99Ms} ms`, g.latencyMs.p99 <= TARGETS.p99Ms],
      ['gateway errors', int(g.non2xx + g.errors), '0', g.non2xx + g.errors === 0],
      ['express echo (2xx/s)', int(e.okPerSecond), ''],
      ['echo latency p50 / p99', `${ms(e.latencyMs.p50)} / ${ms(e.latencyMs.p99)}`, ''],
      ['gateway / echo', pct(http.gatewayToEcho), `>= ${pct(TARGETS.shareOfEcho)}`, http.gatewayToEcho >= TARGETS.shareOfEcho],
      ['gateway peak RSS (measured run)', mb(gateway.peakRssBytes), `<= ${TARGETS.gatewayRssMb} MB`, gateway.peakRssBytes <= TARGETS.gatewayRssMb * MB],
      ['gateway CPU per recorded event', ms((gateway.serverCpuCores * 1000) / g.okPerSecond), ''],
      ['echo CPU per request', ms((echo.serverCpuCores * 1000) / e.okPerSecond), ''],
      ['CPU cores busy: gateway / autocannon / other', cores(gateway), `of ${cpus().length}`],
      ['CPU cores busy: echo / autocannon / other', cores(echo), `of ${cpus().length}`],
    ]),
    `  gateway: ${int(g.ok)} recorded in ${g.seconds.toFixed(1)} s; ${errorsOf(g)}`,
    `  gateway memory: lifetime peak RSS (VmHWM) ${gateway.lifetimePeakRssBytes ? mb(gateway.lifetimePeakRssBytes) : 'n/a'}, V8 heap in use at the end ${mb(gateway.heapUsedBytes)} (+ ${mb(gateway.externalBytes)} external), RSS every ${Math.ceil(gateway.rssPerSecondBytes.length / 8)} s: ${gateway.rssPerSecondBytes.filter((_, i, all) => i % Math.ceil(all.length / 8) === 0 || i === all.length - 1).map((b) => (b / MB).toFixed(0)).join(' ')} MB`,
    `  gateway Merkle log: ${logCatchUp(gateway.log)}`,
    `  echo:    ${int(e.ok)} echoed in ${e.seconds.toFixed(1)} s; ${errorsOf(e)}`,
    '',
  ];
}

/** How far the Merkle log lagged behind the load, and how it caught up. */
function logCatchUp(log: HttpBenchResult['gateway']['log']): string {
  if (!log) return 'n/a (no GET /v1/log)';
  return (
    `${int(log.entries - log.logSizeAtEnd)} of ${int(log.entries)} entries not yet in the log when the load stopped; ` +
    (log.catchUpSeconds === null ? 'had not caught up after 180 s' : `caught up ${log.catchUpSeconds.toFixed(1)} s later`) +
    ` using ${log.catchUpCpuSeconds.toFixed(1)} CPU-s` +
    `; then RSS ${mb(log.afterCatchUp.rssBytes)}, V8 heap ${mb(log.afterCatchUp.heapUsedBytes)}`
  );
}

function auditSection(audit: AuditBenchResult): string[] {
  const { build, report } = audit;
  return [
    `Audit: ${int(build.entries)} entries, ${int(build.subjects)} subjects, ${int(build.blocks)} blocks of up to ${int(audit.settings.blockSize)} transactions`,
    table([
      ['auditEmbeddedLedger (entries/s)', int(audit.entriesPerSecond), `>= ${int(TARGETS.auditEntriesPerSecond)}`, audit.entriesPerSecond >= TARGETS.auditEntriesPerSecond],
      ['audit time (CPU time)', `${audit.auditSeconds.toFixed(1)} s (${audit.auditCpuSeconds.toFixed(1)} s)`, ''],
      ['  blocks pass / subjects pass', `${audit.phaseSeconds.blocks.toFixed(1)} s / ${audit.phaseSeconds.subjects.toFixed(1)} s`, ''],
      ['audit verdict', report.ok ? 'intact' : `${report.problems} problems`, 'intact', report.ok],
      [`ledger build${audit.cached ? ' (cached)' : ''} (entries/s)`, int(build.entriesPerSecond), ''],
      ['ledger on disk', mb(audit.diskBytes), ''],
    ]),
    `  ledger: ${audit.ledgerDir}${audit.cached ? ` (built ${build.builtAt} in ${build.seconds.toFixed(0)} s)` : ''}`,
    '',
  ];
}

/** Writes the results as JSON under `dir` (a folder git ignores by a .gitignore of its own). */
export async function writeResults(dir: string, results: Record<string, unknown>): Promise<string> {
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, '.gitignore'), '*\n');
  const machine = { node: process.version, platform: process.platform, cpus: cpus().length, cpuModel: cpus()[0]?.model, memoryBytes: totalmem() };
  const text = JSON.stringify({ at: new Date().toISOString(), machine, targets: TARGETS, ...results }, null, 2);
  const file = join(dir, `bench-${new Date().toISOString().replaceAll(':', '-').replace(/\..*/, '')}.json`);
  await writeFile(file, `${text}\n`);
  await writeFile(join(dir, 'latest.json'), `${text}\n`);
  return file;
}
