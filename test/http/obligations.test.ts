import { expect } from 'chai';
import type { Obligation } from 'correction-chaincode/domain';
import { CatalogSchema } from '../../gateway/src/http/responses.js';
import type { ObligationList } from '../../gateway/src/services/obligations.js';
import { Api } from '../support/api.js';
import { sampleDocument } from '../support/documents.js';
import { residentId } from '../support/ids.js';
import { embeddedTarget, type EmbeddedTarget } from '../support/target.js';
import { waitFor, type ServerEvent } from '../support/sse.js';
import { expectProblem } from './scenario.suite.js';

type ObligationsAnswer = Awaited<ReturnType<ObligationList['list']>>;

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
    const ref = handover.body.entry.subjectRef;
    const states = async () => {
      const answer = await procuratorate.get<{ asOf: string; obligations: Obligation[] }>(`/v1/subjects/${ref}/obligations`);
      expect(answer.status).to.equal(200);
      expect(answer.body.asOf).to.equal(now.toISOString());
      return Object.fromEntries(answer.body.obligations.map((o) => [o.rule, `${o.state} ${String(o.agency)}`]));
    };
    expect(await states()).to.deep.include({ SENTENCE_HANDOVER: 'met COURT', DOCUMENTS_SERVED: 'open COURT', SUBJECT_RECEIVED: 'open JUSTICE' });
    now = new Date('2024-01-21T09:00:00+08:00');
    expect(await states()).to.deep.include({ DOCUMENTS_SERVED: 'overdue COURT', SUBJECT_RECEIVED: 'overdue JUSTICE' });
    await new Api(target, 'JUSTICE').record('SUBJECT_RECEIVED', { ref }, sampleDocument('SUBJECT_RECEIVED'), '2024-01-21T09:00:00+08:00');
    expect(await states()).to.deep.include({ SUBJECT_RECEIVED: 'late JUSTICE' });
    expectProblem(await procuratorate.get(`/v1/subjects/${'a'.repeat(64)}/obligations`), 404, 'NOT_FOUND');
  });

  it('shows a unit the obligations that fall to it and to the units below it: Chaoyang\'s reception to Chaoyang and Beijing, not to Haidian', async () => {
    const court = new Api(target, 'COURT', 'clerk', new Map(), { unit: '110105' });
    const handover = await court.record('SENTENCE_HANDOVER', { idNumber: residentId(8802) }, sampleDocument('SENTENCE_HANDOVER', { executionPlace: '110105' }), '2024-01-10T09:00:00+08:00');
    const ref = handover.body.entry.subjectRef;
    const receptionFor = async (unit: string) => {
      const justice = new Api(target, 'JUSTICE', 'officer', new Map(), { unit, unitKind: 'BUREAU' });
      const answer = await justice.get<ObligationsAnswer>('/v1/obligations?agency=JUSTICE');
      expect(answer.status).to.equal(200);
      return answer.body.obligations.find((o) => o.subjectRef === ref && o.rule === 'SUBJECT_RECEIVED');
    };
    // The gateway numbers obligations as it follows the ledger: wait for the one of this handover.
    const chaoyang = await waitFor(() => receptionFor('110105'));
    expect(chaoyang).to.include({ agency: 'JUSTICE', unit: '110105' });
    expect(await receptionFor('11')).to.include({ unit: '110105' });
    expect(await receptionFor('110108')).to.equal(undefined);
    expect(await receptionFor('110105001'), 'a township office below the obligated county').to.equal(undefined);
  });
});

describe('overdue notices', () => {
  let target: EmbeddedTarget;
  let now = new Date('2024-01-12T12:00:00+08:00');

  before(async () => {
    target = await embeddedTarget({ DEADLINE_SWEEP_SECONDS: '3600' }, { clock: () => now });
  });
  after(() => target.close());

  it('tells the obligated agency and the procuratorate once an obligation passes its due date, once', async () => {
    const { subscribe, waitFor } = await import('../support/sse.js');
    const justice = subscribe(`${target.url()}/v1/stream`, await target.token('JUSTICE', 'officer'));
    const procuratorate = subscribe(`${target.url()}/v1/stream`, await target.token('PROCURATORATE'));
    const police = subscribe(`${target.url()}/v1/stream`, await target.token('POLICE', 'officer'));
    await Promise.all([justice.ready, procuratorate.ready, police.ready]);
    try {
      const court = new Api(target, 'COURT');
      const handover = await court.record('SENTENCE_HANDOVER', { idNumber: residentId(8901) }, sampleDocument('SENTENCE_HANDOVER'), '2024-01-10T09:00:00+08:00');
      const ref = handover.body.entry.subjectRef;
      await target.gateway.follower.reach(1);
      expect(await target.gateway.deadlines.sweep()).to.equal(0);

      now = new Date('2024-01-21T09:00:00+08:00'); // both the documents (10 days) and the reception (10 days) are late
      expect(await target.gateway.deadlines.sweep()).to.equal(2);
      expect(await target.gateway.deadlines.sweep()).to.equal(0);
      const overdue = (events: readonly ServerEvent[]) =>
        events.flatMap((e) => (e.event === 'obligation-overdue' && e.data.obligation ? [e.data.obligation] : [])).map((o) => `${o.rule} ${String(o.agency)}`).sort();
      await waitFor(() => overdue(procuratorate.events).length === 2 || undefined);
      expect(overdue(procuratorate.events)).to.deep.equal(['DOCUMENTS_SERVED COURT', 'SUBJECT_RECEIVED JUSTICE']);
      await waitFor(() => overdue(justice.events).length === 1 || undefined);
      expect(overdue(justice.events)).to.deep.equal(['SUBJECT_RECEIVED JUSTICE']);
      expect(overdue(police.events)).to.deep.equal([]);

      const listed = await new Api(target, 'PROCURATORATE').get<ObligationsAnswer>('/v1/obligations?agency=JUSTICE&state=overdue');
      expect(listed.status).to.equal(200);
      expect(listed.body.obligations.map((o: { rule: string; subjectRef: string }) => [o.rule, o.subjectRef])).to.deep.equal([['SUBJECT_RECEIVED', ref]]);

      // Met late: recorded as late, not forgotten.
      await new Api(target, 'JUSTICE').record('SUBJECT_RECEIVED', { ref }, sampleDocument('SUBJECT_RECEIVED'), '2024-01-21T09:00:00+08:00');
      await target.gateway.follower.reach(2);
      const late = await new Api(target, 'PROCURATORATE').get<ObligationsAnswer>('/v1/obligations?agency=JUSTICE&state=late');
      expect(late.body.obligations.map((o: { rule: string }) => o.rule)).to.deep.equal(['SUBJECT_RECEIVED']);
      expectProblem(await new Api(target, 'COURT').get('/v1/obligations?state=lost'), 400, 'VALIDATION_FAILED');
    } finally {
      justice.close();
      procuratorate.close();
      police.close();
    }
  });
});

describe('a deadline table of the operator\'s own', () => {
  it('replaces the built-in rules, and a malformed one stops the gateway naming the bad rule', async () => {
    const { writeFile } = await import('node:fs/promises');
    const { tempDir } = await import('../support/temp.js');
    const { parseDeadlineRules } = await import('../../gateway/src/deadline-rules.js');
    const dir = await tempDir();
    const file = `${dir.path}/rules.json`;
    await writeFile(file, JSON.stringify([{ id: 'REPORT_IN', due: 'SUBJECT_RECEIVED', from: { fact: 'effectiveDate' }, amount: 3, unit: 'days', basis: 'local rule' }]));
    const target = await embeddedTarget({ DEADLINE_RULES: file }, { clock: () => new Date('2024-01-12T12:00:00+08:00') });
    try {
      const court = new Api(target, 'COURT');
      const handover = await court.record('SENTENCE_HANDOVER', { idNumber: residentId(8951) }, sampleDocument('SENTENCE_HANDOVER'), '2024-01-10T09:00:00+08:00');
      await target.gateway.follower.reach(1);
      const listed = await court.get<ObligationsAnswer>('/v1/obligations');
      expect(listed.body.obligations.map((o: { rule: string; dueAt: string; subjectRef: string }) => [o.rule, o.dueAt, o.subjectRef])).to.deep.equal([
        ['REPORT_IN', new Date('2024-01-13T23:59:59.999+08:00').toISOString(), handover.body.entry.subjectRef],
      ]);
      // The published catalog shows the rules this gateway applies.
      const published = CatalogSchema.parse((await court.get('/v1/catalog')).body);
      expect(published.events.find((e) => e.code === 'SUBJECT_RECEIVED')?.deadlines).to.deep.equal([
        { id: 'REPORT_IN', from: { fact: 'effectiveDate' }, amount: 3, unit: 'days', expedited: null, when: null, basis: 'local rule', unverified: false, untracked: false },
      ]);
      expect(published.events.find((e) => e.code === 'COMMUTATION_RULED')?.deadlines).to.deep.equal([]);
    } finally {
      await target.close();
      await dir.remove();
    }
    expect(() => parseDeadlineRules([{ id: 'X', due: 'PARDON', from: { event: 'SENTENCE_HANDOVER' }, amount: -1, unit: 'weeks', basis: '' }]))
      .to.throw(/DEADLINE_RULES 0\.due[\s\S]*0\.amount[\s\S]*0\.unit/);
  });
});
