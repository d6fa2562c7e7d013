import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Presets, SingleBar } from 'cli-progress';
import { agencyOfMsp } from 'correction-chaincode/domain';
import { LogProjections } from '../../../log/projections/log-projections.js';
import type { AuditProblem } from '../../../services/correction-service.js';
import { FabricConnection, FabricLedger } from '../fabric-ledger.js';
import type { ChannelAuditProgress } from './channel-audit.js';
import { runFabricAudit } from './fabric-auditor.js';
import type { ChannelAuditReport } from './report.js';

export interface FabricAuditCommand {
  /** The gateway's Fabric connection settings (FABRIC_CONNECTION). */
  readonly connection: string;
  /** The gateway's data directory: its Merkle log, and the audit's checkpoint. */
  readonly dataDir: string;
  readonly restart: boolean;
  readonly json: boolean;
  /** Progress on stderr: a bar on a terminal, a line now and then otherwise. */
  readonly interactive: boolean;
}

/**
 * `correction-ledger audit --fabric`: the whole channel through the agency's peer, with a progress
 * bar on stderr, stopping cleanly on Ctrl-C (the next run continues). Returns the exit code: 0
 * every check passed, 1 one failed, 2 stopped before the end.
 */
export async function fabricAuditCommand(command: FabricAuditCommand): Promise<number> {
  const connection = FabricConnection.parse(JSON.parse(await readFile(command.connection, 'utf8')));
  const agency = agencyOfMsp(connection.mspId);
  if (!agency) throw new Error(`${connection.mspId} is not the MSP of an agency`);
  const log = await openLog(command.dataDir);
  const ledger = await FabricLedger.open(connection);
  const stop = new AbortController();
  const onSignal = () => {
    stop.abort();
  };
  process.once('SIGINT', onSignal);
  const progress = new ChannelProgress(command.interactive && !command.json);
  try {
    const report = await runFabricAudit({ ledger, agency, dataDir: command.dataDir, log: log?.tree, restart: command.restart }, { onProgress: progress.update, signal: stop.signal });
    progress.stop();
    process.stdout.write(command.json ? `${JSON.stringify(report, null, 2)}\n` : channelSummary(report, progress.rate(report.resumedFromBlock > 0)));
    return report.complete ? (report.ok ? 0 : 1) : 2;
  } finally {
    process.off('SIGINT', onSignal);
    progress.stop();
    await ledger.close();
    await log?.close();
  }
}

/** The gateway's log, if it has one; a running gateway holds it, and then the audit is its to run. */
async function openLog(dataDir: string): Promise<LogProjections | undefined> {
  if (!existsSync(join(dataDir, 'log'))) return undefined;
  return LogProjections.open(dataDir).catch((error: unknown) => {
    const locked = (error as { cause?: { code?: string } }).cause?.code === 'LEVEL_LOCKED';
    throw new Error(locked ? 'the gateway\'s log is in use: stop the gateway, or ask it (GET /v1/audit)' : `cannot open the log: ${String(error)}`);
  });
}

/** One bar per pass on stderr: blocks read of the height with entries and their rate, then state keys. */
class ChannelProgress {
  readonly #interactive: boolean;
  readonly #started = performance.now();
  #bar: SingleBar | undefined;
  #phase: ChannelAuditProgress['phase'] | undefined;
  #entries = 0;
  #firstEntries: number | undefined;

  constructor(interactive: boolean) {
    this.#interactive = interactive;
  }

  readonly update = (progress: ChannelAuditProgress): void => {
    this.#firstEntries ??= progress.entries;
    this.#entries = progress.entries;
    if (progress.phase !== this.#phase) {
      this.#bar?.stop();
      this.#phase = progress.phase;
      const unit = progress.phase === 'blocks' ? 'blocks' : 'keys';
      this.#bar = new SingleBar(
        { format: `${progress.phase.padEnd(6)} [{bar}] {percentage}% {value}/{total} ${unit} | {entries} entries | {rate} entries/s | {eta_formatted}`, noTTYOutput: !this.#interactive, stream: process.stderr },
        Presets.shades_classic,
      );
      this.#bar.start(progress.total, 0, { entries: 0, rate: 0 });
    }
    this.#bar?.setTotal(progress.total);
    this.#bar?.update(progress.done, { entries: progress.entries, rate: this.rate() });
  };

  /**
   * Entries per second this run has read so far. A run from block 0 read them all; a resumed run
   * counts from its first report (progress is reported a step at a time, so a small channel may
   * give one report only, which already holds every entry).
   */
  rate(resumed = true): number {
    const seconds = (performance.now() - this.#started) / 1000;
    const before = resumed ? (this.#firstEntries ?? 0) : 0;
    return seconds > 0 ? Math.round((this.#entries - before) / seconds) : 0;
  }

  stop(): void {
    this.#bar?.stop();
    this.#bar = undefined;
  }
}

/** The report for a person: one line per check, its first failure named, then the totals. */
export function channelSummary(report: ChannelAuditReport, rate?: number): string {
  const lines = [`genesis block ${report.genesisHash}${report.resumedFromBlock > 0 ? `; continued from block ${report.resumedFromBlock}` : ''}\n`];
  for (const check of report.checks) {
    lines.push(`${check.status}  ${check.name}: ${check.detail}\n`);
    if (check.firstFailure) lines.push(`      ${check.failures} failure(s); first: ${check.firstFailure.kind} ${location(check.firstFailure)}: ${check.firstFailure.detail}\n`);
  }
  const verdict = !report.complete ? 'stopped before the end: run again to continue' : report.ok ? 'intact' : `${report.problems.length} problem(s)`;
  lines.push(`blocks ${report.blocks ?? 0}, subjects ${report.subjects}, entries ${report.entries}${rate === undefined ? '' : ` (${rate} entries/s)`}: ${verdict}\n`);
  return lines.join('');
}

function location(p: AuditProblem): string {
  return [p.block !== undefined ? `block ${p.block}` : '', p.txId ? `tx ${p.txId}` : '', p.entryId ? `entry ${p.entryId}` : '', p.subjectRef ? `subject ${p.subjectRef.slice(0, 16)}…` : '']
    .filter(Boolean)
    .join(', ');
}
