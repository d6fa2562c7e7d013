import { createHash } from 'node:crypto';
import { expect } from 'chai';
import type { CheckpointCosignature, Entry } from 'correction-chaincode/domain';
import { LogProjections, type LogUpdate } from '../../gateway/src/log/projections/log-projections.js';
import type { NumberedNotice } from '../../gateway/src/log/records.js';
import { tempDir } from '../support/temp.js';

const hashOf = (text: string) => createHash('sha256').update(text).digest('hex');

/** One follower step touching every projection: a leaf, its entry, its notice, an anchored cosignature. */
function step(n: number, entryHash = hashOf(`entry ${n}`)): LogUpdate {
  const entry = { id: `e${n}`, subjectRef: 'subject-1', seq: n, hash: entryHash } as unknown as Entry;
  const cosignature = { treeSize: n, agency: 'COURT', root: hashOf(`root ${n}`), signature: `— court ${n}`, anchoredAt: '2026-01-01T00:00:00Z' } as unknown as CheckpointCosignature;
  return {
    position: { block: n, eventsInBlock: 2 },
    leaves: [{ entryId: entry.id, entryHash, block: n }],
    entries: [entry],
    notices: [{ kind: 'entry', agencies: ['JUSTICE'], data: { entry } }],
    cosignatures: [cosignature],
  };
}

/** What every projection holds, side by side. */
async function heldBy(log: LogProjections) {
  return {
    position: log.position,
    size: log.tree.size,
    notices: (await log.notices.noticesAfter(0, { agency: 'JUSTICE', unit: '*' })).map((n) => n.id),
    lastNoticeId: log.notices.lastNoticeId,
    chain: log.chains.subjectChain('subject-1').map((e) => e.id),
    cosigned: (await log.checkpoints.cosignaturesAt(1)).length + (await log.checkpoints.cosignaturesAt(2)).length,
  };
}

describe('log projections written as one', () => {
  let dir: Awaited<ReturnType<typeof tempDir>>;
  beforeEach(async () => (dir = await tempDir()));
  afterEach(() => dir.remove());

  it('reopen together at the position written with them', async () => {
    let log = await LogProjections.open(dir.path);
    await log.apply(step(1));
    await log.apply(step(2));
    const before = await heldBy(log);
    expect(before).to.deep.equal({ position: { block: 2, eventsInBlock: 2 }, size: 2, notices: [1, 2], lastNoticeId: 2, chain: ['e1', 'e2'], cosigned: 2 });
    await log.close();
    log = await LogProjections.open(dir.path);
    try {
      expect(await heldBy(log)).to.deep.equal(before);
    } finally {
      await log.close();
    }
  });

  it('write nothing of a step one projection cannot take: no leaf, notice, chain, cosignature or position, on disk or in memory', async () => {
    let log = await LogProjections.open(dir.path);
    await log.apply(step(1));
    const before = await heldBy(log);
    const announced: NumberedNotice[] = [];
    log.notices.on('notice', (notice: NumberedNotice) => announced.push(notice));
    // The tree refuses a leaf that is not a hash: the step's notice, chain link and cosignature go with it.
    await log.apply(step(2, 'not a hash')).then(
      () => expect.fail('the step was applied'),
      (error: unknown) => expect(error).to.be.instanceOf(TypeError),
    );
    expect(await heldBy(log)).to.deep.equal(before);
    expect(announced).to.deep.equal([]);
    // The next step takes the place the failed one did not.
    await log.apply(step(2));
    expect(announced.map((n) => n.id)).to.deep.equal([2]);
    await log.close();
    log = await LogProjections.open(dir.path);
    try {
      expect(await heldBy(log)).to.deep.include({ size: 2, notices: [1, 2], chain: ['e1', 'e2'], position: { block: 2, eventsInBlock: 2 } });
    } finally {
      await log.close();
    }
  });
});
