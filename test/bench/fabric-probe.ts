/**
 * Where the time and CPU of a Fabric benchmark level go, measured from outside the processes:
 * CPU ticks of every network process (from .network/pids and /proc), of the REST gateway child and
 * of this process, the machine's total, and the Prometheus metrics of every peer and orderer
 * (operations endpoints), each as the difference over a level's run.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';

const TICKS_PER_SECOND = 100; // USER_HZ on Linux

// ---------------------------------------------------------------------------------------------
// CPU

export interface CpuSnapshot {
  readonly atMs: number;
  readonly machine: { readonly busyTicks: number; readonly totalTicks: number };
  /** Process name (pid file name, or an extra's name) → pid and its CPU ticks (user + system). */
  readonly processes: Readonly<Record<string, { readonly pid: number; readonly ticks: number }>>;
}

export interface CpuUsage {
  readonly seconds: number;
  /** Cores busy on the whole machine (1 = one core all the time), and how many it has. */
  readonly machineBusyCores: number;
  /** Cores busy per group of processes: peer, orderer, cc-correction, cc-baseline, gateway, bench. */
  readonly cores: Readonly<Record<string, number>>;
  /** Cores busy in processes that are none of ours (other people's tests, builds …). */
  readonly otherCores: number;
  /** Processes whose pid changed during the run (restarted): their CPU is only partly counted. */
  readonly restarted: readonly string[];
}

async function processTicks(pid: number): Promise<number | undefined> {
  try {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
    // The command name (2nd field) may hold spaces; fields after its closing parenthesis are fixed.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(fields[11]) + Number(fields[12]); // utime, stime (fields 14 and 15)
  } catch {
    return undefined;
  }
}

async function machineTicks(): Promise<{ busyTicks: number; totalTicks: number }> {
  const line = (await readFile('/proc/stat', 'utf8')).split('\n', 1)[0] ?? '';
  const values = line.trim().split(/\s+/).slice(1, 9).map(Number);
  const total = values.reduce((a, b) => a + b, 0);
  const idle = (values[3] ?? 0) + (values[4] ?? 0); // idle + iowait
  return { busyTicks: total - idle, totalTicks: total };
}

/** CPU ticks of the network's processes (by pid file) and of the extra processes named. */
export async function cpuSnapshot(networkDir: string, extras: Readonly<Record<string, number>>): Promise<CpuSnapshot> {
  const pids: Record<string, number> = { ...extras };
  const dir = join(networkDir, 'pids');
  for (const file of await readdir(dir).catch(() => [] as string[])) {
    if (!file.endsWith('.pid')) continue;
    const pid = Number((await readFile(join(dir, file), 'utf8').catch(() => '')).trim());
    if (Number.isInteger(pid) && pid > 0) pids[file.slice(0, -'.pid'.length)] = pid;
  }
  const processes: Record<string, { pid: number; ticks: number }> = {};
  for (const [name, pid] of Object.entries(pids)) {
    const ticks = await processTicks(pid);
    if (ticks !== undefined) processes[name] = { pid, ticks };
  }
  return { atMs: Date.now(), machine: await machineTicks(), processes };
}

/** 'peer-court' → 'peer', 'cc-correction-justice' → 'cc-correction'; extras keep their name. */
const groupOf = (name: string, extras: ReadonlySet<string>): string => (extras.has(name) ? name : name.replace(/-[^-]+$/, ''));

export function cpuUsage(before: CpuSnapshot, after: CpuSnapshot, extras: ReadonlySet<string>): CpuUsage {
  const seconds = (after.atMs - before.atMs) / 1000;
  const cores: Record<string, number> = {};
  const restarted: string[] = [];
  let ours = 0;
  for (const [name, now] of Object.entries(after.processes)) {
    const then = before.processes[name];
    const ticks = then && then.pid === now.pid ? now.ticks - then.ticks : now.ticks;
    if (!then || then.pid !== now.pid) restarted.push(name);
    const group = groupOf(name, extras);
    cores[group] = (cores[group] ?? 0) + ticks / TICKS_PER_SECOND / seconds;
    ours += ticks;
  }
  const busy = after.machine.busyTicks - before.machine.busyTicks;
  return {
    seconds,
    machineBusyCores: busy / TICKS_PER_SECOND / seconds,
    cores,
    otherCores: Math.max(0, (busy - ours) / TICKS_PER_SECOND / seconds),
    restarted,
  };
}

// ---------------------------------------------------------------------------------------------
// Prometheus metrics of peers and orderers

interface Series {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

/** Node name ('peer-court', 'orderer-police') → series key → value; histogram buckets left out. */
export type MetricsSnapshot = Record<string, Record<string, number>>;

interface OperationsNode {
  readonly agency: string;
  readonly operationsAddress: string;
}

async function nodesOf(networkDir: string): Promise<Array<{ name: string; address: string }>> {
  const read = async (file: string, kind: string) => {
    const nodes = JSON.parse(await readFile(join(networkDir, file), 'utf8')) as OperationsNode[];
    return nodes.map((n) => ({ name: `${kind}-${n.agency.toLowerCase()}`, address: n.operationsAddress }));
  };
  return [...(await read('peers.json', 'peer')), ...(await read('orderers.json', 'orderer'))];
}

const SERIES = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})?\s+(\S+)/;

function parseKey(key: string): Series {
  const match = SERIES.exec(`${key} 0`);
  const labels: Record<string, string> = {};
  for (const pair of (match?.[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)) labels[pair[1] ?? ''] = pair[2] ?? '';
  return { name: match?.[1] ?? key, labels, value: 0 };
}

export async function metricsSnapshot(networkDir: string): Promise<MetricsSnapshot> {
  const snapshot: MetricsSnapshot = {};
  await Promise.all(
    (await nodesOf(networkDir)).map(async ({ name, address }) => {
      const values: Record<string, number> = {};
      try {
        const response = await fetch(`http://${address}/metrics`, { signal: AbortSignal.timeout(5_000) });
        for (const line of (await response.text()).split('\n')) {
          if (line.startsWith('#')) continue;
          const match = SERIES.exec(line);
          if (!match?.[1] || match[1].endsWith('_bucket')) continue;
          values[`${match[1]}{${match[2] ?? ''}}`] = Number(match[3]);
        }
      } catch {
        // a node that does not answer contributes nothing; the report shows the gap
      }
      snapshot[name] = values;
    }),
  );
  return snapshot;
}

/** What changed between two snapshots (counters and histogram sums/counts that moved). */
export function metricsDelta(before: MetricsSnapshot, after: MetricsSnapshot): MetricsSnapshot {
  const delta: MetricsSnapshot = {};
  for (const [node, values] of Object.entries(after)) {
    const out: Record<string, number> = {};
    for (const [key, value] of Object.entries(values)) {
      const change = value - (before[node]?.[key] ?? 0);
      if (change !== 0 && (key.includes('_sum{') || key.includes('_count{') || key.includes('_total{') || /^(ledger_transaction_count|gossip_comm_messages_(sent|received))\{/.test(key))) {
        out[key] = change;
      }
    }
    delta[node] = out;
  }
  return delta;
}

/** Sum of a delta's series named `name` over the nodes selected, whose labels match. */
function total(delta: MetricsSnapshot, nodes: (node: string) => boolean, name: string, match: (labels: Readonly<Record<string, string>>) => boolean = () => true): number {
  let sum = 0;
  for (const [node, values] of Object.entries(delta)) {
    if (!nodes(node)) continue;
    for (const [key, value] of Object.entries(values)) {
      if (!key.startsWith(`${name}{`)) continue;
      if (match(parseKey(key).labels)) sum += value;
    }
  }
  return sum;
}

const isPeer = (node: string) => node.startsWith('peer-');
const meanMs = (sumSeconds: number, count: number) => (count > 0 ? (sumSeconds / count) * 1000 : NaN);

/** The Fabric side of one level, per transaction of the chaincode driven, from the peers' own metrics. */
export interface FabricBreakdown {
  /** COURT peer's Gateway service: mean time of each call the client makes (ms). */
  readonly courtGatewayMs: { readonly endorse: number; readonly submit: number; readonly commitStatus: number };
  /** ProcessProposal on each peer (simulation + signing + private data push), mean ms, and how many per transaction. */
  readonly endorsementMs: Readonly<Record<string, number>>;
  readonly endorsementsPerTx: number;
  /** Chaincode → peer calls during simulation (GET_STATE, PUT_STATE, PUT_PRIVATE_DATA …) per endorsement, and their total ms. */
  readonly shimCallsPerEndorsement: Readonly<Record<string, number>>;
  readonly shimMsPerEndorsement: number;
  /** Private data pushes to other peers at endorsement: per transaction, and mean ms each. */
  readonly privateDataPushesPerTx: number;
  readonly privateDataPushMs: number;
  /** Blocks the COURT peer committed, transactions per block (all chaincodes), mean commit times (all peers, ms). */
  readonly blocks: number;
  readonly txPerBlock: number;
  readonly blockProcessingMs: number;
  readonly privateDataCommitBlockMs: number;
  readonly stateCommitMs: number;
  /** Valid transactions per chaincode the COURT peer committed meanwhile: anything but ours is someone else's load. */
  readonly committed: Readonly<Record<string, number>>;
  /** Gossip messages sent by all peers per transaction. */
  readonly gossipMessagesPerTx: number;
}

type Labels = Readonly<Record<string, string>>;

export function fabricBreakdown(delta: MetricsSnapshot, chaincode: string, transactions: number): FabricBreakdown {
  const court = (node: string) => node === 'peer-court';
  const gatewayCall = (method: string) =>
    meanMs(
      total(delta, court, 'grpc_server_unary_request_duration_sum', (l) => l['service'] === 'gateway_Gateway' && l['method'] === method),
      total(delta, court, 'grpc_server_unary_request_duration_count', (l) => l['service'] === 'gateway_Gateway' && l['method'] === method),
    );
  const ours = (l: Labels) => l['chaincode'] === chaincode && l['success'] === 'true';
  const endorsementMs = endorsementMsByPeer(delta, ours);
  const endorsements = total(delta, isPeer, 'endorser_proposal_duration_count', ours);
  endorsementMs['all'] = meanMs(total(delta, isPeer, 'endorser_proposal_duration_sum', ours), endorsements);
  const shimOf = (l: Labels) => (l['chaincode'] ?? '').startsWith(`${chaincode}_`);
  const blocks = total(delta, court, 'ledger_block_processing_time_count');
  const committed = committedByChaincode(delta['peer-court'] ?? {});
  const committedTx = Object.values(committed).reduce((a, b) => a + b, 0);
  const peerMean = (name: string) => meanMs(total(delta, isPeer, `${name}_sum`), total(delta, isPeer, `${name}_count`));
  const tx = Math.max(1, transactions);
  return {
    courtGatewayMs: { endorse: gatewayCall('Endorse'), submit: gatewayCall('Submit'), commitStatus: gatewayCall('CommitStatus') },
    endorsementMs,
    endorsementsPerTx: endorsements / tx,
    shimCallsPerEndorsement: shimCallsPerEndorsement(delta, shimOf, endorsements),
    shimMsPerEndorsement: (total(delta, isPeer, 'chaincode_shim_request_duration_sum', shimOf) * 1000) / Math.max(1, endorsements),
    privateDataPushesPerTx: total(delta, isPeer, 'gossip_privdata_send_duration_count') / tx,
    privateDataPushMs: peerMean('gossip_privdata_send_duration'),
    blocks,
    txPerBlock: blocks > 0 ? committedTx / blocks : NaN,
    blockProcessingMs: peerMean('ledger_block_processing_time'),
    privateDataCommitBlockMs: peerMean('gossip_privdata_commit_block_duration'),
    stateCommitMs: peerMean('gossip_state_commit_duration'),
    committed,
    gossipMessagesPerTx: total(delta, isPeer, 'gossip_comm_messages_sent') / tx,
  };
}

/** Mean ProcessProposal time of our chaincode's successful endorsements, per peer. */
function endorsementMsByPeer(delta: MetricsSnapshot, ours: (l: Labels) => boolean): Record<string, number> {
  const endorsementMs: Record<string, number> = {};
  for (const node of Object.keys(delta).filter(isPeer)) {
    endorsementMs[node] = meanMs(total(delta, (n) => n === node, 'endorser_proposal_duration_sum', ours), total(delta, (n) => n === node, 'endorser_proposal_duration_count', ours));
  }
  return endorsementMs;
}

/** Chaincode → peer calls of each type, per endorsement, over all peers. */
function shimCallsPerEndorsement(delta: MetricsSnapshot, shimOf: (l: Labels) => boolean, endorsements: number): Record<string, number> {
  const calls: Record<string, number> = {};
  for (const [node, values] of Object.entries(delta)) {
    if (!isPeer(node)) continue;
    for (const [key, value] of Object.entries(values)) {
      if (!key.startsWith('chaincode_shim_request_duration_count{')) continue;
      const { labels } = parseKey(key);
      if (!shimOf(labels)) continue;
      const type = labels['type'] ?? '?';
      calls[type] = (calls[type] ?? 0) + value / Math.max(1, endorsements);
    }
  }
  return calls;
}

/** Transactions a peer committed, by chaincode, with the validation code when it is not VALID. */
function committedByChaincode(values: Readonly<Record<string, number>>): Record<string, number> {
  const committed: Record<string, number> = {};
  for (const [key, value] of Object.entries(values)) {
    if (!key.startsWith('ledger_transaction_count{')) continue;
    const { labels } = parseKey(key);
    const name = `${labels['chaincode'] ?? '?'}${labels['validation_code'] === 'VALID' ? '' : ` ${labels['validation_code'] ?? ''}`}`;
    committed[name] = (committed[name] ?? 0) + value;
  }
  return committed;
}
