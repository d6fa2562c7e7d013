import { expect } from 'chai';
import { Api } from '../support/api.js';
import { sampleDocument } from '../support/documents.js';
import { residentId } from '../support/ids.js';
import { embeddedTarget, type EmbeddedTarget } from '../support/target.js';
import { expectProblem } from './scenario.suite.js';

describe('obligations over HTTP', () => {
  let target: EmbeddedTarget;
  let now = new Date('2024-01-12T12:00:00+08:00');

  before(async () => {
    target = await embeddedTarget({}, { clock: () => now });
  });
  after(() => target.close());

  it('lists a subject\'s deadlines as of the gateway clock, and moves them when the clock moves', async () => {
    const court = new Api(target, 'COURT');
    const procuratorate = new Api(target, 'PROCURATORATE');
    const handover = await court.record('SENTENCE_HANDOVER', { idNumber: residentId(8801) }, sampleDocument('SENTENCE_HANDOVER'), '2024-01-10T09:00:00+08:00');
    const ref = handover.body.entry.subjectRef as string;
    const states = async () => {
      const answer = await procuratorate.get(`/v1/subjects/${ref}/obligations`);
      expect(answer.status).to.equal(200);
      expect(answer.body.asOf).to.equal(now.toISOString());
      return Object.fromEntries((answer.body.obligations as Array<{ rule: string; state: string; agency: string }>).map((o) => [o.rule, `${o.state} ${o.agency}`]));
    };
    expect(await states()).to.deep.include({ SENTENCE_HANDOVER: 'met COURT', DOCUMENTS_SERVED: 'open COURT', SUBJECT_RECEIVED: 'open JUSTICE' });
    now = new Date('2024-01-21T09:00:00+08:00');
    expect(await states()).to.deep.include({ DOCUMENTS_SERVED: 'overdue COURT', SUBJECT_RECEIVED: 'overdue JUSTICE' });
    await new Api(target, 'JUSTICE').record('SUBJECT_RECEIVED', { ref }, sampleDocument('SUBJECT_RECEIVED'), '2024-01-21T09:00:00+08:00');
    expect(await states()).to.deep.include({ SUBJECT_RECEIVED: 'late JUSTICE' });
    expectProblem(await procuratorate.get(`/v1/subjects/${'a'.repeat(64)}/obligations`), 404, 'NOT_FOUND');
  });
});
