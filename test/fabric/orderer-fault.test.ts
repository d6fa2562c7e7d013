import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { expect } from 'chai';
import { Api } from '../support/api.js';
import { sampleDocument } from '../support/documents.js';
import { NETWORK_DIR, type FabricTarget } from '../support/fabric-target.js';
import { sharedFabricTarget } from './shared.js';
import { residentId } from '../support/ids.js';

const exec = promisify(execFile);

/** BFT with four orderers tolerates one faulty node (f = 1): with one stopped, submissions still commit. */
describe('ordering with one orderer stopped', function () {
  this.timeout(180_000);
  let target: FabricTarget;
  let n = (Math.floor(Date.now() / 1000) % 1_000_000) + 6_000_000;
  let stopped = 'orderer-police';

  before(async function () {
    const network = await readFile(join(NETWORK_DIR, 'network.env'), 'utf8').catch(() => '');
    if (!/ORDERER_TYPE=bft/.test(network)) throw new Error('the network is not running BFT ordering');
    target = await sharedFabricTarget();
  });
  after(async () => {
    // A before hook that failed may have left no target.
    await (target as FabricTarget | undefined)?.close();
    // Bring the stopped orderer back: network-up reconciles a network with a dead node.
    await exec('bash', ['scripts/network-up.sh'], { maxBuffer: 16 * 1024 * 1024 });
  });

  it('commits handovers while one orderer is down', async () => {
    // Stop a follower, not the current leader: with f = 1 the other three still make a quorum.
    // (A stopped leader is replaced by a view change, which takes a complain timeout first.)
    const orderers = JSON.parse(await readFile(join(NETWORK_DIR, 'orderers.json'), 'utf8')) as Array<{ agency: string; operationsAddress: string }>;
    const metrics = await (await fetch(`http://${orderers[0]?.operationsAddress}/metrics`)).text();
    const leaderId = Number(/consensus_BFT_leader_id\{[^}]*\} (\d+)/.exec(metrics)?.[1]);
    // Consenter ids follow the agencies' order in the channel configuration, from 1.
    const follower = orderers.find((_, i) => i + 1 !== leaderId);
    stopped = `orderer-${follower?.agency.toLowerCase()}`;
    const pid = Number((await readFile(join(NETWORK_DIR, 'pids', `${stopped}.pid`), 'utf8')).trim());
    process.kill(pid, 'SIGKILL');
    for (let alive = true; alive; ) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      try {
        process.kill(pid, 0);
      } catch {
        alive = false;
      }
    }
    // network-status exits non-zero while a node is down; its report is on stdout either way.
    const { stdout } = await exec('bash', ['scripts/network-status.sh']).catch((error: unknown) => error as { stdout: string });
    expect(stdout).to.match(new RegExp(`${stopped}\\s+down`, "i"));

    const court = new Api(target, 'COURT');
    for (let i = 0; i < 3; i++) {
      const answer = await court.record('SENTENCE_HANDOVER', { idNumber: residentId(++n) }, sampleDocument('SENTENCE_HANDOVER'), '2024-01-10T09:00:00+08:00');
      expect(answer.status, JSON.stringify(answer.body)).to.equal(201);
    }
  });
});
