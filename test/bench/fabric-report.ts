import type { CpuUsage } from './fabric-probe.js';
import type { FabricLevel, PathResult, TxSizes, UnknownOutcomes } from './fabric-run.js';

/** What the project aims for on Fabric. Markers beside the results; a miss is reported, never thrown. */
export const FABRIC_TARGETS = {
  /** Gateway events/s at least this share of the baseline's transactions/s at the same level. */
  shareOfBaseline: 0.8,
  /** Gateway submit-to-commit p99 at most this. */
  p99Ms: 2000,
} as const;

interface Context {
  readonly machine: { readonly cpus: number; readonly cpuModel: string | undefined; readonly node: string; readonly loadAverage: { readonly start: number; readonly end: number } };
  readonly network: Readonly<Record<string, string>>;
  readonly settings: { readonly seconds: number; readonly warmupSeconds: number; readonly agency: string; readonly subjectsUsed: number; readonly baselineValueBytes: number };
  /** CPU of the network with no load, subtracted from each level's CPU per transaction. */
  readonly idle?: CpuUsage | undefined;
  readonly txSizes?: TxSizes;
  readonly unknownOutcomes?: readonly UnknownOutcomes[];
}

const fixed = (n: number | undefined, digits = 0): string => (n === undefined || !Number.isFinite(n) ? '-' : n.toFixed(digits));
const pct = (n: number | undefined): string => (n === undefined || !Number.isFinite(n) ? '-' : `${(n * 100).toFixed(0)}%`);
const mark = (pass: boolean | undefined): string => (pass === undefined ? '' : pass ? 'PASS' : 'MISS');

function grid(rows: readonly (readonly string[])[], rightAlignFrom = 1): string {
  const widths: number[] = [];
  for (const row of rows) row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, cell.length)));
  return rows
    .map((row) => `  ${row.map((cell, i) => (i >= rightAlignFrom ? cell.padStart(widths[i] ?? 0) : cell.padEnd(widths[i] ?? 0))).join('  ')}`.trimEnd())
    .join('\n');
}

/** CPU milliseconds per successful transaction of some groups of processes, above what they use idle. */
const cpuMsPerTx = (p: PathResult, idle: CpuUsage | undefined, ...groups: string[]): number => {
  const groupsOf = groups.length > 0 ? groups : Object.keys(p.cpu.cores);
  let cores = 0;
  for (const group of groupsOf) cores += (p.cpu.cores[group] ?? 0) - (idle?.cores[group] ?? 0);
  // Rates over rates: the probes' window may open a little late on a busy machine.
  return p.load.okPerSecond > 0 ? (cores * 1000) / p.load.okPerSecond : NaN;
};
const sumCores = (cpu: CpuUsage): number => Object.values(cpu.cores).reduce((a, b) => a + b, 0);

const shimCalls = (p: PathResult): string =>
  Object.entries(p.fabric.shimCallsPerEndorsement)
    .filter(([, n]) => n >= 0.05)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([type, n]) => `${type.replace('_STATE', '').replace('_PRIVATE_DATA', '_PVT').toLowerCase()} ${fixed(n, 1)}`)
    .join(', ');

const foreign = (p: PathResult, ours: string): string => {
  const others = Object.entries(p.fabric.committed).filter(([name]) => name !== ours);
  return others.length === 0 ? 'none' : others.map(([name, n]) => `${n} ${name}`).join(', ');
};

export function formatFabricReport(levels: readonly FabricLevel[], context: Context): string {
  const head = ['clients', 'gateway ev/s', 'p50 ms', 'p99 ms', 'errors', 'baseline tx/s', 'p50 ms', 'p99 ms', 'errors', 'gateway/baseline', `>= ${pct(FABRIC_TARGETS.shareOfBaseline)}`, `p99 <= ${FABRIC_TARGETS.p99Ms / 1000} s`];
  const out: string[] = [...setupLines(context), '', grid([head, ...levels.map(levelRow)]), ''];
  const errors = errorLines(levels, context.unknownOutcomes ?? []);
  if (errors.length > 0) out.push('errors:', ...errors, '');
  out.push(...breakdown(levels, context));
  return out.join('\n');
}

/** The machine, the network, both paths and how they were loaded. */
function setupLines(context: Context): string[] {
  const { machine, network, settings, idle } = context;
  return [
    `machine: ${machine.cpus} × ${machine.cpuModel ?? 'cpu'}, node ${machine.node}; load average (1 min) ${machine.loadAverage.start.toFixed(2)} at start, ${machine.loadAverage.end.toFixed(2)} at end`,
    `network: ${network['ORDERER_TYPE'] ?? '?'} ordering, 4 agencies × (peer, orderer, 2 chaincode servers) on this machine, endorsement MAJORITY (3 of 4)`,
    `gateway:  POST /v1/events to ${settings.agency}'s REST gateway (child process), SENTENCE_HANDOVER of a new subject each; answered after commit`,
    `baseline: baseline.Put(unique key, ${settings.baselineValueBytes} B) through @hyperledger/fabric-gateway as ${settings.agency}'s gateway identity (endorse + submit + commit status)`,
    `closed loop, ${settings.warmupSeconds} s warm-up + ${settings.seconds} s measured per level and path, paths interleaved per level; latency = request sent → committed answer (successes only)`,
    ...(idle ? [`idle network: ${sumCores(idle).toFixed(2)} cores (peers ${fixed(idle.cores['peer'], 2)}, orderers ${fixed(idle.cores['orderer'], 2)}); other people's processes ${idle.otherCores.toFixed(2)} cores`] : []),
    ...txSizeLines(context.txSizes),
  ];
}

function txSizeLines(txSizes: TxSizes | undefined): string[] {
  if (!txSizes?.gateway && !txSizes?.baseline) return [];
  return [`one committed transaction as stored: gateway ${txSizes.gateway ? `${txSizes.gateway.bytes} B` : '-'}, baseline ${txSizes.baseline ? `${txSizes.baseline.bytes} B` : '-'}`];
}

/** One level: both paths' rate, latency and errors, their ratio, and the targets. */
function levelRow(level: FabricLevel): string[] {
  const g = level.gateway?.load;
  return [
    String(level.concurrency),
    ...loadCells(g),
    ...loadCells(level.baseline?.load),
    pct(level.ratio),
    mark(level.ratio === undefined ? undefined : level.ratio >= FABRIC_TARGETS.shareOfBaseline),
    mark(g ? g.latencyMs.p99 <= FABRIC_TARGETS.p99Ms : undefined),
  ];
}

function loadCells(load: PathResult['load'] | undefined): string[] {
  return [fixed(load?.okPerSecond, 1), fixed(load?.latencyMs.p50), fixed(load?.latencyMs.p99), load ? String(load.errors) : '-'];
}

function errorLines(levels: readonly FabricLevel[], unknownOutcomes: readonly UnknownOutcomes[]): string[] {
  const errors = levels.flatMap((level) =>
    (['gateway', 'baseline'] as const).flatMap((path) => {
      const load = level[path]?.load;
      if (!load || load.errors === 0) return [];
      const codes = Object.entries(load.errorCodes).map(([code, n]) => `${n}× ${code}`).join(', ');
      return [`  ${path} at ${level.concurrency}: ${codes}${load.errorSamples[0] ? ` — e.g. ${load.errorSamples[0]}` : ''}`];
    }),
  );
  for (const u of unknownOutcomes) {
    errors.push(`  ${u.path}: of ${u.failed} failed after endorsement (unknown outcome), ${u.committedAnyway} of ${u.checked} checked were committed after all`);
  }
  return errors;
}

/** Where the time and the CPU go, per level and path (means over the measured window). */
function breakdown(levels: readonly FabricLevel[], context: Context): string[] {
  const { machine, idle } = context;
  const columns: Array<{ title: string; p: PathResult; path: 'gateway' | 'baseline' }> = [];
  for (const level of levels) {
    if (level.gateway) columns.push({ title: `gw@${level.concurrency}`, p: level.gateway, path: 'gateway' });
    if (level.baseline) columns.push({ title: `base@${level.concurrency}`, p: level.baseline, path: 'baseline' });
  }
  if (columns.length === 0) return [];
  type Cell = (p: PathResult, path: 'gateway' | 'baseline') => string;
  const detail: Array<[string, Cell]> = [
    ['latency mean, client (ms)', (p) => fixed(p.load.latencyMs.mean)],
    ['  REST server, POST→201 (ms)', (p) => fixed(p.restServerMs)],
    ['  COURT peer Endorse (ms)', (p) => fixed(p.fabric.courtGatewayMs.endorse)],
    ['  COURT peer Submit (ms)', (p) => fixed(p.fabric.courtGatewayMs.submit)],
    ['  COURT peer CommitStatus (ms)', (p) => fixed(p.fabric.courtGatewayMs.commitStatus)],
    ['  outside the peer: client+REST (ms)', (p) => fixed(p.load.latencyMs.mean - p.fabric.courtGatewayMs.endorse - p.fabric.courtGatewayMs.submit - p.fabric.courtGatewayMs.commitStatus)],
    ['ProcessProposal, COURT peer (ms)', (p) => fixed(p.fabric.endorsementMs['peer-court'], 1)],
    ['ProcessProposal, all peers (ms)', (p) => fixed(p.fabric.endorsementMs['all'], 1)],
    ['endorsements per tx', (p) => fixed(p.fabric.endorsementsPerTx, 2)],
    ['chaincode calls per endorsement', (p) => shimCalls(p) || '-'],
    ['  their time per endorsement (ms)', (p) => fixed(p.fabric.shimMsPerEndorsement, 1)],
    ['private data pushes per tx', (p) => fixed(p.fabric.privateDataPushesPerTx, 1)],
    ['  mean push (ms)', (p) => fixed(p.fabric.privateDataPushMs, 1)],
    ['gossip messages sent per tx', (p) => fixed(p.fabric.gossipMessagesPerTx, 1)],
    ['blocks/s, tx per block', (p) => `${fixed(p.fabric.blocks / p.cpu.seconds, 1)}, ${fixed(p.fabric.txPerBlock, 1)}`],
    ['block commit on a peer (ms)', (p) => fixed(p.fabric.blockProcessingMs, 1)],
    ['  incl. private data (coordinator) (ms)', (p) => fixed(p.fabric.privateDataCommitBlockMs, 1)],
    ['CPU ms per tx above idle: 4 peers', (p) => fixed(cpuMsPerTx(p, idle, 'peer'), 1)],
    ['  4 orderers', (p) => fixed(cpuMsPerTx(p, idle, 'orderer'), 1)],
    ['  8 chaincode servers', (p) => fixed(cpuMsPerTx(p, idle, 'cc-correction', 'cc-baseline'), 1)],
    ['  REST gateway process', (p) => fixed(cpuMsPerTx(p, idle, 'gateway'), 1)],
    ['  bench process (clients)', (p) => fixed(cpuMsPerTx(p, idle, 'bench'), 1)],
    ['  all ours', (p) => fixed(cpuMsPerTx(p, idle), 1)],
    [`cores busy: machine (of ${machine.cpus})`, (p) => fixed(p.cpu.machineBusyCores, 2)],
    ['  ours', (p) => fixed(sumCores(p.cpu), 2)],
    ['  other people\'s processes', (p) => fixed(p.cpu.otherCores, 2)],
    ['other tx committed meanwhile', (p, path) => foreign(p, path === 'gateway' ? 'correction:1.0' : 'baseline:1.0')],
  ];
  const restarted = columns.flatMap((c) => c.p.cpu.restarted.filter((n) => n !== 'gateway' && n !== 'bench').map((n) => `${n} (${c.title})`));
  return [
    'where it goes (means over each measured window; COURT peer = the peer both paths talk to):',
    grid([['', ...columns.map((c) => c.title)], ...detail.map(([label, cell]) => [label, ...columns.map((c) => cell(c.p, c.path))])]),
    ...(restarted.length > 0 ? [`  restarted during a window (CPU partly counted): ${restarted.join(', ')}`] : []),
  ];
}
