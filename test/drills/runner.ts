import { parseArgs } from 'node:util';
import type { Drill, DrillContext } from './drill.js';
import type { FabricNetwork } from './fabric-network.js';
import type { GatewayLauncher } from './gateways.js';
import { formatTable, passed, writeReport, type DrillReport } from './report.js';

export interface DrillOptions {
  /** The CI subset: every drill with smaller numbers (a short soak). */
  readonly fast: boolean;
  readonly drills: readonly Drill[];
}

/** `--fast` and `--only name,name` from the command line; an unknown name is an error that lists the known ones. */
export function drillOptions(argv: readonly string[], known: readonly Drill[]): DrillOptions {
  const { values } = parseArgs({ args: [...argv], options: { fast: { type: 'boolean', default: false }, only: { type: 'string' } }, strict: true });
  if (values.only === undefined) return { fast: values.fast, drills: known };
  const names = values.only.split(',').map((name) => name.trim()).filter(Boolean);
  const unknown = names.filter((name) => !known.some((drill) => drill.name === name));
  if (unknown.length > 0 || names.length === 0) {
    throw new Error(`unknown drill ${unknown.join(', ') || '(none given)'}; the drills are: ${known.map((drill) => drill.name).join(', ')}`);
  }
  return { fast: values.fast, drills: known.filter((drill) => names.includes(drill.name)) };
}

async function runOne(drill: Drill, context: DrillContext): Promise<DrillReport> {
  const started = performance.now();
  const seconds = () => (performance.now() - started) / 1000;
  try {
    const outcome = await drill.run(context);
    return { name: drill.name, summary: drill.summary, seconds: seconds(), measurements: outcome.measurements, figures: outcome.figures };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    context.log(`stopped: ${error instanceof Error ? (error.stack ?? message) : message}`);
    return {
      name: drill.name,
      summary: drill.summary,
      seconds: seconds(),
      measurements: [{ what: 'ran to the end', result: message.split('\n')[0] ?? message, target: 'no error', pass: false }],
      error: message,
    };
  }
}

/**
 * Runs the drills one after another against gateways from `launcher` (and the Fabric network,
 * when given), prints each drill's figures
 * as it goes and then the table, and writes the run as JSON under `resultsDir`. Resolves whether
 * every drill met every target.
 */
export async function runDrills(launcher: GatewayLauncher, options: DrillOptions, resultsDir: string, tree: string, network?: FabricNetwork): Promise<boolean> {
  const ledger = network ? 'fabric' : launcher.ledger;
  const out = (line: string) => process.stdout.write(`${line}\n`);
  const reports: DrillReport[] = [];
  const started = performance.now();
  for (const drill of options.drills) {
    out(`\n== ${drill.name}: ${drill.summary}`);
    const context: DrillContext = { gateways: launcher, ...(network ? { network } : {}), fast: options.fast, log: (line) => out(`   ${line}`) };
    const report = await runOne(drill, context);
    out(`   ${passed(report) ? 'PASS' : 'FAIL'} in ${report.seconds.toFixed(1)} s`);
    reports.push(report);
  }
  const seconds = (performance.now() - started) / 1000;
  const ok = reports.every(passed);
  out(`\ndrills on the ${ledger} ledger${options.fast ? ' (--fast)' : ''}, tree ${tree}, ${seconds.toFixed(0)} s\n`);
  out(formatTable(reports));
  const file = await writeReport(resultsDir, { ledger, fast: options.fast, tree, seconds, ok, drills: reports });
  out(`\n${reports.filter(passed).length} passed, ${reports.filter((r) => !passed(r)).length} failed`);
  out(`results: ${file}`);
  return ok;
}
