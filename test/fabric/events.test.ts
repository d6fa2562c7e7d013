import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { expect } from 'chai';
import { toHex } from 'correction-verifier';
import { FabricConnection, FabricLedger } from '../../gateway/src/ledger/fabric/fabric-ledger.js';
import { LogFollower } from '../../gateway/src/log/log-follower.js';
import { LogProjections } from '../../gateway/src/log/projections/log-projections.js';
import { Api } from '../support/api.js';
import { sampleDocument } from '../support/documents.js';
import { NETWORK_DIR } from '../support/fabric-target.js';
import { residentId } from '../support/ids.js';
import { tempDir } from '../support/temp.js';
import { sharedFabricTarget } from './shared.js';

/** A gateway's view of the chain: the justice bureau's ledger connection, a log and its follower. */
async function follow(dataDir: string): Promise<{ log: LogProjections; follower: LogFollower; stop: () => Promise<void> }> {
  const connection = FabricConnection.parse(JSON.parse(await readFile(join(NETWORK_DIR, 'gateways', 'JUSTICE.json'), 'utf8')));
  const ledger = await FabricLedger.open(connection);
  const log = await LogProjections.open(dataDir);
  const follower = new LogFollower(ledger, log);
  follower.start();
  return { log, follower, stop: async () => { await follower.close(); await log.close(); await ledger.close(); } };
}

async function until(condition: () => Promise<boolean>, what: string): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

describe('following chaincode events into the log', function () {
  this.timeout(180_000);
  let n = (Math.floor(Date.now() / 1000) % 1_000_000) + 4_000_000;

  it('resumes a gateway restarted mid-stream from its position, missing and repeating nothing', async () => {
    const court = new Api(await sharedFabricTarget(), 'COURT');
    const handover = async () => {
      const answer = await court.record('SENTENCE_HANDOVER', { idNumber: residentId(++n) }, sampleDocument('SENTENCE_HANDOVER'), '2024-01-10T09:00:00+08:00');
      expect(answer.status).to.equal(201);
      return answer.body.entry.id;
    };
    const dir = await tempDir();
    try {
      let gateway = await follow(join(dir.path, 'restarted'));
      const before = [await handover(), await handover()];
      await until(async () => (await Promise.all(before.map((id) => gateway.log.tree.locate(id)))).every(Boolean), 'the first entries');
      await gateway.stop();

      const missed = [await handover(), await handover(), await handover()];
      gateway = await follow(join(dir.path, 'restarted'));
      await until(async () => (await Promise.all(missed.map((id) => gateway.log.tree.locate(id)))).every(Boolean), 'the missed entries');
      const restarted = gateway;
      const indices = await Promise.all([...before, ...missed].map(async (id) => (await restarted.log.tree.locate(id))?.index));
      expect(new Set(indices).size).to.equal(5);
      // The justice bureau's notices of those handovers: each once, in order, none lost over the restart.
      const notices = (await restarted.log.notices.noticesAfter(0, { agency: 'JUSTICE', unit: '*' }, Number.MAX_SAFE_INTEGER)).map((n) => (n.data['entry'] as { id: string }).id);
      const ours = notices.filter((id) => [...before, ...missed].includes(id));
      expect(ours).to.deep.equal([...before, ...missed]);
      expect(indices).to.deep.equal([...indices].sort((a, b) => (a ?? 0) - (b ?? 0)));

      // A gateway that never stopped holds the same log: nothing lost, nothing twice.
      const uninterrupted = await follow(join(dir.path, 'fresh'));
      await until(() => Promise.resolve(uninterrupted.log.tree.size >= restarted.log.tree.size), 'the fresh follower');
      const size = restarted.log.tree.size;
      expect(toHex(uninterrupted.log.tree.rootAt(size))).to.equal(toHex(restarted.log.tree.rootAt(size)));
      await uninterrupted.stop();
      await restarted.stop();
    } finally {
      await dir.remove();
    }
  });
});
