import { expect } from 'chai';
import { toHex } from 'correction-verifier';
import { subjectRefFor } from 'correction-chaincode/domain';
import { EmbeddedLedger } from '../../gateway/src/ledger/embedded/embedded-ledger.js';
import { LogFollower } from '../../gateway/src/log/log-follower.js';
import { LogProjections } from '../../gateway/src/log/projections/log-projections.js';
import { CorrectionClient } from '../../gateway/src/services/correction-client.js';
import { caller } from '../support/actors.js';
import { sampleDocument } from '../support/documents.js';
import { residentId } from '../support/ids.js';
import { testSealer } from '../support/sealer.js';
import { tempDir } from '../support/temp.js';

const KEY = Buffer.alloc(32, 5);

describe('log follower', function () {
  this.timeout(60_000);
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let ledger: EmbeddedLedger;
  let client: CorrectionClient;

  beforeEach(async () => {
    dir = await tempDir();
    ledger = await EmbeddedLedger.open({ dataDir: `${dir.path}/ledger-owner`, sealer: testSealer() });
    client = new CorrectionClient(ledger);
  });
  afterEach(async () => {
    await ledger.close();
    await dir.remove();
  });

  async function record(count: number, offset: number): Promise<string[]> {
    const results = await Promise.all(
      Array.from({ length: count }, (_, i) =>
        client.recordEvent(caller('COURT'), { subjectRef: subjectRefFor(KEY, residentId(offset + i)), type: 'SENTENCE_HANDOVER', occurredAt: '2024-01-10T09:00:00+08:00', document: sampleDocument('SENTENCE_HANDOVER') }),
      ),
    );
    return results.map((r) => r.entry.id);
  }

  async function following(name: string): Promise<{ log: LogProjections; follower: LogFollower; stop: () => Promise<void> }> {
    const log = await LogProjections.open(`${dir.path}/${name}`);
    const follower = new LogFollower(ledger, log);
    follower.start();
    return { log, follower, stop: async () => { await follower.close(); await log.close(); } };
  }

  it('gives two gateways fed the same blocks the same roots at every size', async () => {
    const a = await following('a');
    await record(300, 1);
    const b = await following('b');
    await record(200, 1000);
    await Promise.all([a.follower.reach(500), b.follower.reach(500)]);
    try {
      for (let size = 1; size <= 500; size++) expect(toHex(a.log.tree.rootAt(size)), `size ${size}`).to.equal(toHex(b.log.tree.rootAt(size)));
    } finally {
      await a.stop();
      await b.stop();
    }
  });

  it('appends entries in commit order, each once, and catches up after a restart', async () => {
    const ids = await record(50, 2000);
    let a = await following('a');
    await a.follower.reach(50);
    await a.stop();
    ids.push(...(await record(70, 3000)));
    a = await following('a');
    await a.follower.reach(120);
    try {
      expect(a.log.tree.size).to.equal(120);
      const located = await Promise.all(ids.map((id) => a.log.tree.locate(id)));
      expect(new Set(located.map((l) => l?.index)).size).to.equal(120);
      const fresh = await following('fresh');
      await fresh.follower.reach(120);
      expect(toHex(fresh.log.tree.rootAt(120))).to.equal(toHex(a.log.tree.rootAt(120)));
      await fresh.stop();
    } finally {
      await a.stop();
    }
  });
});
