/**
 * npm run bench: HTTP record throughput of the gateway against an express echo baseline, and the
 * speed of auditing a large embedded ledger. Prints a table and writes JSON to bench-results/.
 *
 * Environment:
 *   BENCH_ONLY=http|audit       run one part only
 *   BENCH_CONNECTIONS=50        autocannon connections
 *   BENCH_SECONDS=15            measured seconds per server (after BENCH_WARMUP_SECONDS=3)
 *   BENCH_AUDIT_ENTRIES=1000000 entries of the audited ledger (built once, then cached)
 *   BENCH_AUDIT_BLOCK=2000      transactions per block of that ledger
 *   BENCH_AUDIT_REBUILD=1       build it again even if cached
 *   BENCH_CPU_PROF=1            profile both servers over the measured run into bench-results/profiles/
 */
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runAuditBench, type AuditBenchResult } from './audit-bench.js';
import { killAllChildren } from './children.js';
import { runHttpBench, type HttpBenchResult } from './http-bench.js';
import { formatReport, writeResults } from './report.js';
import { revision } from './revision.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const RESULTS = join(ROOT, 'bench-results');

function numberFromEnv(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw.replaceAll('_', ''));
  if (!Number.isFinite(value) || value <= 0) throw new Error(`${name} must be a positive number, not ${JSON.stringify(raw)}`);
  return value;
}

async function main(): Promise<void> {
  const only = process.env['BENCH_ONLY'];
  const loadAverage = { start: loadavg()[0] ?? 0, end: 0 };
  let http: HttpBenchResult | undefined;
  let audit: AuditBenchResult | undefined;
  if (!only || only === 'http') {
    http = await runHttpBench({
      connections: numberFromEnv('BENCH_CONNECTIONS', 50),
      seconds: numberFromEnv('BENCH_SECONDS', 15),
      warmupSeconds: numberFromEnv('BENCH_WARMUP_SECONDS', 3),
      cpuProfileDir: process.env['BENCH_CPU_PROF'] ? join(RESULTS, 'profiles') : undefined,
    });
  }
  if (!only || only === 'audit') {
    audit = await runAuditBench({
      entries: Math.round(numberFromEnv('BENCH_AUDIT_ENTRIES', 1_000_000)),
      blockSize: Math.round(numberFromEnv('BENCH_AUDIT_BLOCK', 2000)),
      cacheDir: join(RESULTS, 'cache'),
      rebuild: Boolean(process.env['BENCH_AUDIT_REBUILD']),
    });
  }
  loadAverage.end = loadavg()[0] ?? 0;
  const tree = revision(ROOT);
  process.stdout.write(`\ntree: ${tree}\n${formatReport(http, audit, loadAverage)}`);
  const file = await writeResults(RESULTS, { tree, loadAverage, http, audit });
  process.stdout.write(`results: ${file}\n`);
}

main().catch((error: unknown) => {
  killAllChildren();
  process.stderr.write(`bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exitCode = 1;
});
