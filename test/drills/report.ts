import { mkdir, writeFile } from 'node:fs/promises';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import type { Measurement } from './drill.js';

/** One drill as run: its verdict lines, its figures, or the error that stopped it. */
export interface DrillReport {
  readonly name: string;
  readonly summary: string;
  readonly seconds: number;
  readonly measurements: readonly Measurement[];
  readonly figures?: Readonly<Record<string, unknown>> | undefined;
  readonly error?: string | undefined;
}

export const passed = (report: DrillReport): boolean => report.error === undefined && report.measurements.every((m) => m.pass);

const HEAD = ['drill', 'what was measured', 'result', 'target', 'PASS/FAIL'] as const;

/** The table the runner prints: drill | what was measured | result | target | PASS/FAIL. */
export function formatTable(reports: readonly DrillReport[]): string {
  const rows = reports.flatMap((report) =>
    report.measurements.map((m, i) => [i === 0 ? report.name : '', m.what, m.result, m.target, m.pass ? 'PASS' : 'FAIL'] as const),
  );
  const width = HEAD.map((_, column) => Math.max(...[HEAD, ...rows].map((row) => (row[column] ?? '').length)));
  const line = (row: readonly string[]) => `| ${row.map((cell, column) => cell.padEnd(width[column] ?? 0)).join(' | ')} |`;
  return [line(HEAD), `|${width.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...rows.map(line)].join('\n');
}

/** Makes the results folder, which git ignores by a .gitignore of its own. */
export async function resultsDir(dir: string): Promise<string> {
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, '.gitignore'), '*\n');
  return dir;
}

/** Writes the run as JSON to `dir`/drills-<time>.json (drills-fabric-<time>.json for a run on Fabric). */
export async function writeReport(dir: string, run: Readonly<Record<string, unknown>>): Promise<string> {
  await resultsDir(dir);
  const at = new Date();
  const machine = { node: process.version, platform: process.platform, cpus: cpus().length, cpuModel: cpus()[0]?.model, memoryBytes: totalmem() };
  const file = join(dir, `drills-${run['ledger'] === 'fabric' ? 'fabric-' : ''}${at.toISOString().replaceAll(':', '-').replace(/\..*/, '')}.json`);
  await writeFile(file, `${JSON.stringify({ at: at.toISOString(), machine, ...run }, null, 2)}\n`);
  return file;
}
