import { execFile } from 'node:child_process';
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { expect } from 'chai';
import { FabricNetwork, until } from '../drills/fabric-network.js';
import { Api } from '../support/api.js';
import { sampleDocument } from '../support/documents.js';
import { NETWORK_DIR, type FabricTarget } from '../support/fabric-target.js';
import { residentId } from '../support/ids.js';
import { tempDir } from '../support/temp.js';
import { sharedFabricTarget } from './shared.js';

const exec = promisify(execFile);
const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

/** A shell block of the README, between `<!-- readme-NAME:start -->` and its end marker. */
async function readmeBlock(name: string): Promise<string> {
  const readme = await readFile(join(ROOT, 'README.md'), 'utf8');
  const block = new RegExp(`<!-- readme-${name}:start -->\\s*\`\`\`sh\\n([\\s\\S]*?)\`\`\`\\s*<!-- readme-${name}:end -->`).exec(readme);
  if (!block?.[1]) throw new Error(`README has no ${name} block`);
  return block[1];
}

/** A peer's height on the channel, asked of the peer itself as its agency's admin. */
async function heightOf(agency: string): Promise<number> {
  const { stdout } = await exec('bash', ['-c', `source "$NETWORK_DIR/env.sh" ${agency} >/dev/null && peer channel getinfo --channelID corrections 2>/dev/null`], { env: { ...process.env, NETWORK_DIR } });
  return (JSON.parse(stdout.slice(stdout.indexOf('{'))) as { height: number }).height;
}

describe('backup and restore of a peer (the README\'s commands)', function () {
  this.timeout(240_000);
  const network = new FabricNetwork(ROOT, NETWORK_DIR);
  const peerData = join(NETWORK_DIR, 'nodes', 'peer-police', 'data');
  let target: FabricTarget;
  let court: Api, police: Api;
  let tmp: Awaited<ReturnType<typeof tempDir>>;
  let n = (Math.floor(Date.now() / 1000) % 1_000_000) + 19_000_000;

  /** A handover through the court's gateway; its subject reference. */
  async function handover(): Promise<string> {
    const recorded = await court.record('SENTENCE_HANDOVER', { idNumber: residentId(++n) }, sampleDocument('SENTENCE_HANDOVER'), '2024-01-10T09:00:00+08:00');
    expect(recorded.status, JSON.stringify(recorded.body)).to.equal(201);
    return recorded.body.entry.subjectRef;
  }

  /** Stops the police's peer as an operator would (SIGTERM), and waits until it is gone. */
  async function stopPeer(): Promise<void> {
    const pid = await network.pidOf('peer-police');
    process.kill(pid, 'SIGTERM');
    await until('the police peer to stop', () => {
      try {
        process.kill(pid, 0);
        return Promise.resolve(false);
      } catch {
        return Promise.resolve(true);
      }
    }, 30_000, 50);
  }

  const run = async (block: string) => exec('bash', ['-euo', 'pipefail', '-c', await readmeBlock(block)], { env: { ...process.env, PEER_DATA: peerData, BACKUP: join(tmp.path, 'peer-police.tgz') } });

  before(async () => {
    target = await sharedFabricTarget();
    court = new Api(target, 'COURT', 'clerk');
    police = new Api(target, 'POLICE', 'officer');
    tmp = await tempDir('correction-peer-backup-');
  });
  after(async () => {
    await tmp.remove();
  });

  it('restores a peer from an older backup; it takes the blocks since from the orderers and serves what was recorded after the backup', async () => {
    await handover();
    const backedUpHeight = await heightOf('POLICE');
    await stopPeer();
    await run('peer-backup');
    await network.restore();
    await until('the police peer to serve again', async () => (await heightOf('POLICE')) > 0, 60_000);

    // Recorded after the backup: the restored peer has never seen these blocks.
    const later = [await handover(), await handover()];
    const height = await heightOf('COURT');

    await stopPeer();
    await run('peer-restore');
    const log = join(NETWORK_DIR, 'logs', 'peer-police.log');
    const logBefore = (await stat(log)).size;
    await network.restore();
    await until('the restored police peer to catch up with the court\'s', async () => (await heightOf('POLICE')) >= height, 120_000);
    // Started from the backup, it committed again the first block after it, which it had before.
    const since = (await readFile(log)).subarray(logBefore).toString('utf8');
    expect(since).to.include(`Committed block [${String(backedUpHeight)}]`);
    for (const ref of later) await police.sees(ref, 1, 60_000);
    const status = await police.get<{ state?: string; entryCount?: number }>(`/v1/subjects/${later[1] ?? ''}`);
    expect(status.status).to.equal(200);
    expect(status.body).to.include({ state: 'PENDING_REPORT', entryCount: 1 });
  });
});
