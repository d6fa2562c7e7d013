import { expect } from 'chai';
import type { Entry } from 'correction-chaincode/domain';
import { EmbeddedLedger } from '../../gateway/src/ledger/embedded/embedded-ledger.js';
import { Api } from '../support/api.js';
import { SAMPLE_NAME, sampleDocument } from '../support/documents.js';
import { residentId } from '../support/ids.js';
import { embeddedTarget, type EmbeddedTarget } from '../support/target.js';

describe('sealed records over HTTP', () => {
  let target: EmbeddedTarget;

  before(async () => {
    target = await embeddedTarget();
  });
  after(() => target.close());

  it('answers 500 STORED_DATA_UNREADABLE for a document whose ciphertext came from another entry, naming no document anywhere', async () => {
    const court = new Api(target, 'COURT');
    const record = async (n: number) =>
      (await court.record('SENTENCE_HANDOVER', { idNumber: residentId(n) }, sampleDocument('SENTENCE_HANDOVER'), '2024-01-10T09:00:00+08:00')).body as { entry: Entry };
    const { entry: first } = await record(801);
    const { entry: second } = await record(802);
    const { ledger } = target.gateway;
    if (!(ledger instanceof EmbeddedLedger)) throw new Error('the target runs the embedded ledger');
    const documents = ledger.store.privateData.raw;
    const moved = await documents.get(`${first.collection}\u0000${first.id}`);
    await documents.put(`${second.collection}\u0000${second.id}`, moved as Uint8Array);

    const answer = await court.get<{ code: string }>(`/v1/entries/${second.id}`);
    expect(answer.status).to.equal(500);
    expect(answer.body.code).to.equal('STORED_DATA_UNREADABLE');
    expect(JSON.stringify(answer.body)).to.not.include(SAMPLE_NAME);
    expect(target.logs.filter((line) => line.includes('"SealedValueError"') && line.includes('"SEALED_VALUE_UNREADABLE"'))).to.have.length(1);
    expect(target.logs.join('\n')).to.not.include(SAMPLE_NAME);
    expect((await court.get<{ document: unknown }>(`/v1/entries/${first.id}`)).body.document).to.deep.equal(sampleDocument('SENTENCE_HANDOVER'));
  });
});
