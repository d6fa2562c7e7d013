/**
 * npm run drills:fabric: faults of the running four-agency Fabric network (`npm run network:up`
 * first) under keyed load through real gateways, each agency's in a child process. Prints each
 * drill's figures and a table, writes JSON to bench-results/drills-fabric-<time>.json, and exits 1
 * if any drill misses a target. Every node it kills it brings back (scripts/network-up.sh).
 *
 *   npm run drills:fabric                       every drill at full size
 *   npm run drills:fabric -- --fast             the CI subset: the same faults, shorter
 *   npm run drills:fabric -- --only peer-kill   the drills named (see fabric-registry.ts)
 *
 * Environment: NETWORK_DIR (default .network), FABRIC_HOME and FABRIC_PORT_BASE as for network-up.
 */
import { access } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { killAllChildren } from '../bench/children.js';
import { revision } from '../bench/revision.js';
import { embeddedGateways } from './embedded-gateways.js';
import { FabricNetwork } from './fabric-network.js';
import { FABRIC_DRILLS } from './fabric-registry.js';
import { drillOptions, runDrills } from './runner.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

async function main(): Promise<void> {
  const options = drillOptions(process.argv.slice(2), FABRIC_DRILLS);
  const network = new FabricNetwork(ROOT, resolve(ROOT, process.env['NETWORK_DIR'] ?? '.network'));
  await access(join(network.dir, 'READY')).catch(() => {
    throw new Error(`no network is up in ${network.dir}: npm run network:up first`);
  });
  await network.status();
  const ok = await runDrills(embeddedGateways(), options, join(ROOT, 'bench-results'), revision(ROOT), network);
  process.exitCode = ok ? 0 : 1;
}

main().catch((error: unknown) => {
  killAllChildren();
  process.stderr.write(`drills:fabric failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exitCode = 2;
});
