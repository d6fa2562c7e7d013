import { expect } from 'chai';
import { fromHex, leafHash, rootOfLeafHashes, verifyCheckpoint, verifyConsistency, verifyInclusion, type TrustFile } from 'correction-verifier';
import { devKeyPaths } from '../../gateway/src/keys.js';
import type { CheckpointPage, ConsistencyProof, InclusionProof, LeafRange, LogState } from '../../gateway/src/services/proof-service.js';
import { readTrust } from '../../gateway/src/services/receipts.js';
import { Api } from '../support/api.js';
import { bundleOnceFinal } from '../support/checkpoints.js';
import { sampleDocument } from '../support/documents.js';
import { residentId } from '../support/ids.js';
import { embeddedTarget, type EmbeddedTarget } from '../support/target.js';

interface Reply<T> {
  readonly status: number;
  readonly body: T;
  readonly type: string | null;
}

/** A GET without any token, as a monitor outside the consortium makes it. */
async function anonymous<T = unknown>(target: EmbeddedTarget, path: string): Promise<Reply<T>> {
  const response = await fetch(`${target.url()}${path}`);
  const type = response.headers.get('content-type');
  const body: unknown = type?.includes('json') ? await response.json() : await response.text();
  return { status: response.status, body: body as T, type };
}

describe('the log for monitors', function () {
  this.timeout(60_000);
  let target: EmbeddedTarget;
  let trust: TrustFile;

  before(async () => {
    target = await embeddedTarget({ CHECKPOINT_INTERVAL_SECONDS: '0.2', CHECKPOINT_EVERY: '4' });
    trust = await readTrust(devKeyPaths(target.dataDir).trust);
    const court = new Api(target, 'COURT');
    let last = '';
    for (let i = 0; i < 10; i++) {
      last = (await court.record('SENTENCE_HANDOVER', { idNumber: residentId(9700 + i) }, sampleDocument('SENTENCE_HANDOVER'), '2024-01-10T09:00:00+08:00')).body.entry.id;
    }
    await bundleOnceFinal(court, last, 10);
  });
  after(() => target.close());

  it('serves the latest final checkpoint as a C2SP note, without a token on a loopback gateway', async () => {
    const answer = await anonymous<string>(target, '/v1/log/checkpoint');
    expect(answer.status).to.equal(200);
    expect(answer.type).to.match(/^text\/plain/);
    const verdict = verifyCheckpoint(answer.body, trust);
    expect(verdict.ok).to.equal(true);
    expect(verdict.checkpoint?.size).to.equal(10);
  });

  it('lists final checkpoints page by page, largest first', async () => {
    const first = await anonymous<CheckpointPage>(target, '/v1/log/checkpoints?limit=1');
    expect(first.status).to.equal(200);
    expect(first.body.checkpoints.map((c) => c.treeSize)).to.deep.equal([10]);
    const rest = await anonymous<CheckpointPage>(target, `/v1/log/checkpoints?before=${first.body.next ?? 0}`);
    expect(rest.body.checkpoints.map((c) => c.treeSize)).to.include.members([4, 8]);
    for (const checkpoint of rest.body.checkpoints) expect(verifyCheckpoint(checkpoint.note, trust).ok).to.equal(true);
  });

  it('gives the leaves a final checkpoint covers, which hash to its root', async () => {
    const { body } = await anonymous<LeafRange>(target, '/v1/log/leaves?start=0&end=100');
    expect(body.leaves.map((l) => l.index)).to.deep.equal([...Array(10).keys()]);
    const { latestFinal } = (await anonymous<LogState>(target, '/v1/log')).body;
    const root = rootOfLeafHashes(body.leaves.map((l) => leafHash(fromHex(l.entryHash))));
    expect(Buffer.from(root).toString('hex')).to.equal(latestFinal?.root);
    expect((await anonymous(target, '/v1/log/leaves?start=10')).status).to.equal(404);
  });

  it('proves inclusion of any leaf at a chosen signed size, and consistency between signed sizes', async () => {
    const proof = (await anonymous<InclusionProof>(target, '/v1/log/inclusion?index=2&size=4')).body;
    expect(proof.treeSize).to.equal(4);
    expect(verifyInclusion(2, 4, leafHash(fromHex(proof.entryHash)), proof.auditPath.map(fromHex), fromHex(proof.checkpoint.root))).to.equal(true);
    expect((await anonymous(target, '/v1/log/inclusion?index=5&size=4')).status).to.equal(404);
    const consistency = (await anonymous<ConsistencyProof>(target, '/v1/log/consistency?from=4&to=10')).body;
    expect(verifyConsistency(4, 10, consistency.proof.map(fromHex), fromHex(consistency.from.root), fromHex(consistency.to.root))).to.equal(true);
  });

  it('asks for a token when the operator closes the monitor routes (MONITOR_API=token)', async () => {
    const closed = await embeddedTarget({ MONITOR_API: 'token' });
    try {
      expect((await anonymous(closed, '/v1/log')).status).to.equal(401);
      expect((await anonymous(closed, '/v1/log/checkpoint')).status).to.equal(401);
      const withToken = await new Api(closed, 'POLICE', 'auditor').get<LogState>('/v1/log');
      expect(withToken.status).to.equal(200);
      expect(withToken.body.origin).to.equal((await readTrust(devKeyPaths(closed.dataDir).trust)).origin);
    } finally {
      await closed.close();
    }
  });
});
