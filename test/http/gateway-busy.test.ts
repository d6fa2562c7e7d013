import { expect } from 'chai';
import { Api } from '../support/api.js';
import { sampleDocument } from '../support/documents.js';
import { residentId } from '../support/ids.js';
import { embeddedTarget, type EmbeddedTarget } from '../support/target.js';

describe('a gateway offered more ledger requests than it takes at once', () => {
  let target: EmbeddedTarget;
  before(async () => (target = await embeddedTarget({ LEDGER_MAX_IN_FLIGHT: '2' })));
  after(() => target.close());

  const handOver = (court: Api, n: number) => court.record('SENTENCE_HANDOVER', { idNumber: residentId(95_000 + n) }, sampleDocument('SENTENCE_HANDOVER'), '2024-01-10T09:00:00+08:00');

  it('answers those past LEDGER_MAX_IN_FLIGHT 503 GATEWAY_BUSY with Retry-After at once, records the rest, and takes new ones once answered', async () => {
    const court = new Api(target, 'COURT');
    const answers = await Promise.all(Array.from({ length: 40 }, (_, n) => handOver(court, n)));
    const busy = answers.filter((a) => a.status === 503);
    expect(answers.every((a) => a.status === 201 || a.status === 503), answers.map((a) => a.status).join()).to.equal(true);
    expect(answers.filter((a) => a.status === 201).length).to.be.at.least(2);
    expect(busy.length).to.be.greaterThan(0);
    for (const answer of busy) {
      expect(answer.body).to.deep.include({ code: 'GATEWAY_BUSY', status: 503 });
      expect(answer.headers.get('retry-after')).to.equal('1');
    }
    // Every place was given back: one at a time, each is taken.
    for (let n = 100; n < 105; n++) expect((await handOver(court, n)).status).to.equal(201);
  });
});
