import { expect } from 'chai';
import type { CheckpointCosignature } from 'correction-chaincode/domain';
import type { CheckpointPage } from '../../gateway/src/services/proof-service.js';
import { Api } from '../support/api.js';
import { sampleDocument } from '../support/documents.js';
import { residentId } from '../support/ids.js';
import { embeddedTarget, type EmbeddedTarget } from '../support/target.js';
import { until } from '../support/until.js';

const SLOT_MS = 100;
const ANCHOR_SLOT_MS = 1_500;

/** Sizes just before each entry whose transaction time reaches into a later slot than every entry before it. */
function boundaries(recordedAt: readonly number[], slotMs: number): number[] {
  const sizes: number[] = [];
  let latest: number | undefined;
  recordedAt.forEach((at, index) => {
    if (latest !== undefined && Math.floor(at / slotMs) > Math.floor(latest / slotMs)) sizes.push(index);
    latest = Math.max(latest ?? at, at);
  });
  return sizes;
}

describe('anchoring checkpoints that are final off chain', function () {
  this.timeout(90_000);
  let target: EmbeddedTarget;
  const anchored = new Map<number, Set<string>>();
  let finals = new Set<number>();
  let checkpointSizes: number[] = [];
  let anchorSizes: number[] = [];
  /** Sizes at which the log stood still for most of an anchoring slot while the entries went on (a busy machine): a quiet log is anchored. */
  const stalls = new Set<number>();
  let size = 0;

  before(async () => {
    // This gateway holds every agency's note key, so its checkpoints are final off chain.
    target = await embeddedTarget({ CHECKPOINT_INTERVAL_SECONDS: String(SLOT_MS / 1000), CHECKPOINT_ANCHOR_INTERVAL_SECONDS: String(ANCHOR_SLOT_MS / 1000) });
    target.gateway.follower.on('cosignature', (c: CheckpointCosignature) => {
      anchored.set(c.treeSize, (anchored.get(c.treeSize) ?? new Set<string>()).add(c.agency));
    });
    const court = new Api(target, 'COURT');
    const auditor = new Api(target, 'COURT', 'auditor');
    const recordedAt: number[] = [];
    let answeredAt = Date.now();
    // Entries one after another for 2 s: many checkpoint slots, one or two anchoring slots.
    for (let i = 0, start = Date.now(); Date.now() - start < 2_000; i++) {
      const answer = await court.record('SENTENCE_HANDOVER', { idNumber: residentId(9500 + i) }, sampleDocument('SENTENCE_HANDOVER'), '2024-01-10T09:00:00+08:00');
      recordedAt.push(Date.parse(answer.body.entry.recordedAt));
      if (Date.now() - answeredAt > ANCHOR_SLOT_MS / 2) stalls.add(recordedAt.length - 1);
      answeredAt = Date.now();
    }
    size = recordedAt.length;
    checkpointSizes = [...boundaries(recordedAt, SLOT_MS), size];
    anchorSizes = [...boundaries(recordedAt, ANCHOR_SLOT_MS), size];
    // Every slot's checkpoint and the quiet log's become final; the quiet log is anchored once quiet for an anchoring slot.
    await until(async () => {
      finals = new Set((await auditor.get<CheckpointPage>('/v1/log/checkpoints?limit=1000')).body.checkpoints.map((c) => c.treeSize));
      return checkpointSizes.every((s) => finals.has(s)) && anchored.get(size)?.size === 4;
    }, 'every checkpoint final and the quiet log anchored', 30_000);
  });
  after(() => target.close());

  it('makes the checkpoint of every slot final, off chain', () => {
    expect(checkpointSizes.length).to.be.greaterThan(anchorSizes.length);
    for (const s of checkpointSizes) expect(finals.has(s), `size ${String(s)}`).to.equal(true);
  });

  it('anchors only the checkpoints that close an anchoring slot, and the quiet log', () => {
    const sizes = [...anchored.keys()];
    expect(sizes).to.include.members(anchorSizes);
    for (const s of sizes) expect(anchorSizes.includes(s) || stalls.has(s), `size ${String(s)} anchored`).to.equal(true);
  });

  it('anchors each of those for every agency', () => {
    for (const [s, agencies] of anchored) expect([...agencies].sort(), `size ${String(s)}`).to.deep.equal(['COURT', 'JUSTICE', 'POLICE', 'PROCURATORATE']);
  });
});
