import { expect } from 'chai';
import { Api } from '../support/api.js';
import { sampleDocument } from '../support/documents.js';
import type { FabricTarget } from '../support/fabric-target.js';
import { residentId } from '../support/ids.js';
import { sharedFabricTarget } from './shared.js';

/**
 * Each agency's gateway sends its checkpoint cosignatures straight to the other three, so a
 * checkpoint is final once three of them computed the same root — before any anchor of it need
 * commit on the channel.
 */
describe('cosignatures exchanged between the agencies\' gateways on Fabric', function () {
  this.timeout(180_000);
  let target: FabricTarget;

  before(async () => {
    target = await sharedFabricTarget();
  });
  after(() => (target as FabricTarget | undefined)?.close());

  it('makes a checkpoint covering a new entry final at every gateway, from cosignatures the other gateways sent', async () => {
    const court = new Api(target, 'COURT');
    const recorded = await court.record('SENTENCE_HANDOVER', { idNumber: residentId((Math.floor(Date.now() / 1000) % 1_000_000) + 9_100_000) }, sampleDocument('SENTENCE_HANDOVER'), '2024-01-10T09:00:00+08:00');
    expect(recorded.status).to.equal(201);
    const finals = await Promise.all(
      [...target.gateways].map(async ([agency, gateway]) => {
        const located = await waitFor(() => gateway.log.tree.locate(recorded.body.entry.id), `${agency}'s log holds the entry`);
        const final = await waitFor(() => {
          const latest = gateway.log.checkpoints.latestFinal;
          return Promise.resolve(latest && latest.treeSize > located.index ? latest : undefined);
        }, `${agency} holds a final checkpoint covering the entry`);
        return { agency, gateway, final };
      }),
    );
    for (const { agency, gateway, final } of finals) {
      // Lines from the other agencies reached this gateway off chain.
      const offChain = Object.keys(await gateway.log.checkpoints.offChainCosignaturesAt(final.treeSize));
      expect(offChain.filter((a) => a !== agency), `${agency} at ${final.treeSize}`).to.have.length.of.at.least(2);
    }
    // The gateways agree: the same size has the same root everywhere.
    const sizes = new Set(finals.map((f) => f.final.treeSize));
    for (const size of sizes) {
      const roots = new Set(await Promise.all(finals.map(async ({ gateway }) => (await gateway.log.checkpoints.finalAt(size))?.root).filter(Boolean)));
      expect(roots.size).to.be.at.most(1);
    }
  });
});

async function waitFor<T>(probe: () => Promise<T | undefined>, what: string, deadlineMs = 120_000): Promise<T> {
  const end = Date.now() + deadlineMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > end) throw new Error(`${what}: not within ${deadlineMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
