/**
 * npm run drills: attacks and faults against real gateways on the embedded ledger, each gateway in
 * a child process with data of its own. Prints each drill's figures and a table
 * (drill | what was measured | result | target | PASS/FAIL), writes JSON to
 * bench-results/drills-<time>.json, and exits 1 if any drill misses a target.
 *
 *   npm run drills                      every drill at full size (the soak runs 10 minutes)
 *   npm run drills -- --fast            the CI subset: the same drills, smaller numbers, a 30 s soak
 *   npm run drills -- --only flood,soak the drills named (see registry.ts)
 *
 * Environment:
 *   DRILLS_SOAK_SECONDS=600             length of the soak at half the peak rate (30 with --fast)
 */
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { killAllChildren } from '../bench/children.js';
import { revision } from '../bench/revision.js';
import { embeddedGateways } from './embedded-gateways.js';
import { DRILLS } from './registry.js';
import { drillOptions, runDrills } from './runner.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

async function main(): Promise<void> {
  const options = drillOptions(process.argv.slice(2), DRILLS);
  const ok = await runDrills(embeddedGateways(), options, join(ROOT, 'bench-results'), revision(ROOT));
  process.exitCode = ok ? 0 : 1;
}

main().catch((error: unknown) => {
  killAllChildren();
  process.stderr.write(`drills failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exitCode = 2;
});
