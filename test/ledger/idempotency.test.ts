import { expect } from 'chai';
import { DomainError, subjectRefFor } from 'correction-chaincode/domain';
import type { Block } from '../../gateway/src/ledger/embedded/block.js';
import { EmbeddedLedger } from '../../gateway/src/ledger/embedded/embedded-ledger.js';
import { CorrectionClient, keyHashOf, type RecordRequest } from '../../gateway/src/services/correction-client.js';
import { caller, full } from '../support/actors.js';
import { sampleDocument } from '../support/documents.js';
import { residentId } from '../support/ids.js';
import { testSealer } from '../support/sealer.js';
import { tempDir } from '../support/temp.js';

const KEY = Buffer.alloc(32, 7);
const refOf = (n: number) => subjectRefFor(KEY, residentId(n));
const COURT = caller('COURT');
const JUSTICE = caller('JUSTICE');
const PROCURATORATE = caller('PROCURATORATE');

/**
 * The contract records each idempotency key (its hash, per agency) in the same write as the entry,
 * so a retry is answered by the ledger itself: run here through the real contract on the embedded
 * ledger, as on Fabric.
 */
describe('idempotency keys on the ledger', () => {
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let ledger: EmbeddedLedger;
  let client: CorrectionClient;

  beforeEach(async () => {
    dir = await tempDir();
    ledger = await EmbeddedLedger.open({ dataDir: dir.path, sealer: testSealer() });
    client = new CorrectionClient(ledger);
  });
  afterEach(async () => {
    await ledger.close();
    await dir.remove();
  });

  const handover = (n: number, keyHash: string, extra: Partial<RecordRequest> = {}): RecordRequest => ({
    subjectRef: refOf(n),
    type: 'SENTENCE_HANDOVER',
    occurredAt: '2024-01-10T09:00:00+08:00',
    document: sampleDocument('SENTENCE_HANDOVER'),
    keyHash,
    ...extra,
  });
  const refusal = (promise: Promise<unknown>): Promise<unknown> => promise.then(() => undefined, (error: unknown) => error);

  async function stateRows(): Promise<Array<[string, string]>> {
    return ledger.store.state.iterator().all();
  }

  async function lastBlock(): Promise<Block> {
    let last: Block | undefined;
    for await (const block of ledger.blocks()) last = block;
    if (!last) throw new Error('no blocks');
    return last;
  }

  it('answers a second RecordEvent with the same key with the first entry, and writes nothing', async () => {
    const key = keyHashOf('handover-1');
    const first = await client.recordEvent(COURT, handover(1, key));
    expect(first.replayed).to.equal(false);
    const before = await stateRows();
    const height = await ledger.height();

    const again = await client.recordEvent(COURT, handover(1, key));
    expect(again.replayed).to.equal(true);
    expect(again.entry).to.deep.equal(first.entry);
    expect(again.status).to.deep.equal(first.status);
    // The receipt block is the first transaction's, not the replay's.
    expect(again.blockNumber).to.equal(first.blockNumber);
    expect(await stateRows()).to.deep.equal(before);
    expect(await ledger.height()).to.equal(height + 1);
    const replay = (await lastBlock()).transactions[0];
    expect(replay?.writes).to.deep.equal([]);
    expect(replay?.privateWrites).to.deep.equal([]);
    expect(replay?.event).to.equal(null);
    expect(full(await client.status(COURT, refOf(1))).entryCount).to.equal(1);
  });

  it('refuses a different request under a used key with IDEMPOTENCY_KEY_REUSED', async () => {
    const key = keyHashOf('reused');
    await client.recordEvent(COURT, handover(2, key));
    const otherSubject = await refusal(client.recordEvent(COURT, handover(3, key)));
    expect(otherSubject).to.be.instanceOf(DomainError).with.property('code', 'IDEMPOTENCY_KEY_REUSED');
    const otherDocument = await refusal(client.recordEvent(COURT, handover(2, key, { document: sampleDocument('SENTENCE_HANDOVER', { decisionNo: 'J-2' }) })));
    expect(otherDocument).to.be.instanceOf(DomainError).with.property('code', 'IDEMPOTENCY_KEY_REUSED');
    const otherTime = await refusal(client.recordEvent(COURT, handover(2, key, { occurredAt: '2024-01-11T09:00:00+08:00' })));
    expect(otherTime).to.be.instanceOf(DomainError).with.property('code', 'IDEMPOTENCY_KEY_REUSED');
    const status = await refusal(client.status(COURT, refOf(3)));
    expect(status).to.be.instanceOf(DomainError).with.property('code', 'NOT_FOUND');
  });

  it('replays a retried handover instead of refusing it as an illegal step (no 409)', async () => {
    const key = keyHashOf('handover-4');
    const first = await client.recordEvent(COURT, handover(4, key));
    // The subject has moved on: a fresh handover would be illegal now.
    await client.recordEvent(JUSTICE, { subjectRef: refOf(4), type: 'SUBJECT_RECEIVED', occurredAt: '2024-01-15T09:00:00+08:00', document: sampleDocument('SUBJECT_RECEIVED'), keyHash: keyHashOf('received-4') });
    const fresh = await refusal(client.recordEvent(COURT, handover(4, keyHashOf('another key'))));
    expect(fresh).to.be.instanceOf(DomainError).with.property('code', 'ILLEGAL_TRANSITION');

    const retried = await client.recordEvent(COURT, handover(4, key));
    expect(retried.replayed).to.equal(true);
    expect(retried.entry.id).to.equal(first.entry.id);
    // The status the first answer gave, not today's.
    expect(retried.status).to.deep.equal(first.status);
    expect(retried.status.state).to.equal('PENDING_REPORT');
    expect(full(await client.status(COURT, refOf(4))).entryCount).to.equal(2);
  });

  it('scopes keys to the calling agency', async () => {
    const key = keyHashOf('shared-key');
    const court = await client.recordEvent(COURT, handover(5, key));
    // Another agency's use of the same key is its own request, recorded as such.
    const opinion = await client.recordEvent(PROCURATORATE, {
      subjectRef: refOf(5),
      type: 'PROCURATORIAL_OPINION',
      occurredAt: '2024-01-11T09:00:00+08:00',
      document: sampleDocument('PROCURATORIAL_OPINION'),
      keyHash: key,
    });
    expect(opinion.replayed).to.equal(false);
    expect(opinion.entry.seq).to.equal(2);
    expect((await client.recordEvent(COURT, handover(5, key))).entry.id).to.equal(court.entry.id);
  });

  it('records one entry when the same key arrives twice in one block', async () => {
    const key = keyHashOf('twice-at-once');
    const [a, b] = await Promise.all([client.recordEvent(COURT, handover(6, key)), client.recordEvent(COURT, handover(6, key))]);
    expect(a.entry.id).to.equal(b.entry.id);
    expect([a.replayed, b.replayed].sort()).to.deep.equal([false, true]);
    expect(full(await client.status(COURT, refOf(6))).entryCount).to.equal(1);
  });

  it('refuses a RecordEvent whose key is not a SHA-256 digest, before any other check', async () => {
    const refused = await refusal(ledger.submit(COURT, 'RecordEvent', [refOf(7), 'SENTENCE_HANDOVER', '2024-01-10T09:00:00+08:00', '', 'handover-7'], {
      document: new TextEncoder().encode(JSON.stringify(sampleDocument('SENTENCE_HANDOVER'))),
    }));
    expect(refused).to.be.instanceOf(DomainError).with.property('code', 'INVALID_INPUT');
    expect((refused as DomainError).details.issues).to.deep.equal([{ path: 'idempotencyKey', message: 'must be the SHA-256 (hex) of an idempotency key' }]);
  });
});
