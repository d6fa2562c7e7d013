import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { expect } from 'chai';
import { parseTrustFile, verifyCheckpoint, verifyEvidence, type EvidenceBundle, type TrustFile } from 'correction-verifier';
import { fabricTrustFromConfigBlock, verifyFabricBlock } from 'correction-verifier/fabric';
import { devKeyPaths } from '../../gateway/src/keys.js';
import { readTrust } from '../../gateway/src/services/receipts.js';
import { Api } from '../support/api.js';
import { sampleDocument } from '../support/documents.js';
import { NETWORK_DIR, type FabricTarget } from '../support/fabric-target.js';
import { sharedFabricTarget } from './shared.js';
import { residentId } from '../support/ids.js';

describe('evidence bundles on Fabric', function () {
  this.timeout(180_000);
  let target: FabricTarget;
  let trust: TrustFile;
  let n = (Math.floor(Date.now() / 1000) % 1_000_000) + 8_000_000;

  before(async () => {
    target = await sharedFabricTarget();
    const fabric = fabricTrustFromConfigBlock(await readFile(join(NETWORK_DIR, 'config', 'corrections.block')));
    trust = parseTrustFile({ ...(await readTrust(devKeyPaths(target.keysDir).trust)), fabric });
  });
  // A before hook that failed may have left no target.
  after(() => (target as FabricTarget | undefined)?.close());

  it('verifies offline: entry, chain, receipt, inclusion, cosigned checkpoint, and the block the orderers signed', async () => {
    const court = new Api(target, 'COURT');
    const document = sampleDocument('SENTENCE_HANDOVER');
    const recorded = await court.record('SENTENCE_HANDOVER', { idNumber: residentId(++n) }, document, '2024-01-10T09:00:00+08:00');
    expect(recorded.status).to.equal(201);
    const entryId = recorded.body.entry.id;
    let bundle: EvidenceBundle | undefined;
    for (let tries = 0; !bundle && tries < 240; tries++) {
      const answer = await court.get(`/v1/entries/${entryId}/evidence`);
      if (answer.status === 200) bundle = answer.body as EvidenceBundle;
      else await new Promise((resolve) => setTimeout(resolve, 500));
    }
    if (!bundle) throw new Error('no final checkpoint covered the entry within two minutes');
    const verdict = await verifyEvidence(bundle, trust, { document, fabricCheck: verifyFabricBlock });
    expect(verdict.checks.filter((c) => !c.ok), JSON.stringify(verdict.checks, null, 1)).to.deep.equal([]);
    const block = verdict.checks.find((c) => c.name === 'fabric block');
    expect(block?.detail).to.match(/signed by [34] of 3 required orderers/);
    expect(verifyCheckpoint(bundle.checkpoint, trust).agencies).to.have.length.of.at.least(3);

    // The block is the orderers' word: a changed byte in it, or a trust file with other roots, fails.
    const fabric = bundle.fabric;
    if (!fabric || !trust.fabric) throw new Error('the bundle or the trust file has no Fabric part');
    const tampered = { ...bundle, fabric: { ...fabric, block: flipByte(fabric.block, 200) } };
    expect((await verifyFabricBlock(tampered.fabric, bundle.entry, trust)).ok).to.equal(false);
    const strangers = { ...trust, fabric: { ...trust.fabric, mspRoots: {} } };
    expect((await verifyFabricBlock(fabric, bundle.entry, strangers)).ok).to.equal(false);
  });
});

function flipByte(base64: string, index: number): string {
  const bytes = Buffer.from(base64, 'base64');
  bytes[index] = (bytes[index] ?? 0) ^ 0xff;
  return bytes.toString('base64');
}
