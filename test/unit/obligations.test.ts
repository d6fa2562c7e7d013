import { expect } from 'chai';
import { DEADLINE_RULES, dueAt, obligationsOf, workingCalendar, type DeadlineRule, type Obligation } from 'correction-chaincode/domain';
import { Chain } from '../support/chain.js';
import { sampleDocument, temporaryHandover } from '../support/documents.js';

/** National Day 2025: 1–8 October off, Sunday 28 September and Saturday 11 October worked instead. */
const CALENDAR = workingCalendar({
  holidays: ['2025-10-01', '2025-10-02', '2025-10-03', '2025-10-04', '2025-10-05', '2025-10-06', '2025-10-07', '2025-10-08'],
  workdays: ['2025-09-28', '2025-10-11'],
});
const WEEKENDS_ONLY = workingCalendar({});
const endOfDay = (date: string) => new Date(`${date}T23:59:59.999+08:00`).toISOString();

describe('the statutory clock', () => {
  describe('due dates', () => {
    it('counts calendar days after the start day, due at the end of the last day in China time', () => {
      expect(dueAt('2024-01-10T09:00:00+08:00', 5, 'days', WEEKENDS_ONLY)).to.equal(endOfDay('2024-01-15'));
      expect(dueAt('2024-01-10', 10, 'days', WEEKENDS_ONLY)).to.equal(endOfDay('2024-01-20'));
      // 23:30 UTC on the 9th is already the 10th in China.
      expect(dueAt('2024-01-09T23:30:00Z', 0, 'days', WEEKENDS_ONLY)).to.equal(endOfDay('2024-01-10'));
    });

    it('counts working days past weekends', () => {
      // Friday 12 January 2024: ten working days end on Friday the 26th.
      expect(dueAt('2024-01-12T10:00:00+08:00', 10, 'workingDays', WEEKENDS_ONLY)).to.equal(endOfDay('2024-01-26'));
      expect(dueAt('2024-01-12T10:00:00+08:00', 1, 'workingDays', WEEKENDS_ONLY)).to.equal(endOfDay('2024-01-15'));
    });

    it('skips holidays and counts the weekend days worked instead', () => {
      // Friday 26 September 2025: Sun 28 (worked), Mon 29, Tue 30, then 1–8 Oct off, Thu 9, Fri 10, Sat 11 (worked), Mon 13 …
      expect(dueAt('2025-09-26T10:00:00+08:00', 10, 'workingDays', CALENDAR)).to.equal(endOfDay('2025-10-16'));
      expect(dueAt('2025-09-26T10:00:00+08:00', 5, 'workingDays', CALENDAR)).to.equal(endOfDay('2025-10-10'));
      expect(dueAt('2025-09-26T10:00:00+08:00', 5, 'workingDays', WEEKENDS_ONLY)).to.equal(endOfDay('2025-10-03'));
    });

    it('counts hours exactly and months to the same day, or the month\'s last', () => {
      expect(dueAt('2024-02-05T09:00:00+08:00', 48, 'hours', WEEKENDS_ONLY)).to.equal(new Date('2024-02-07T09:00:00+08:00').toISOString());
      expect(dueAt('2024-01-31T09:00:00+08:00', 3, 'months', WEEKENDS_ONLY)).to.equal(endOfDay('2024-04-30'));
      expect(dueAt('2024-11-15T09:00:00+08:00', 3, 'months', WEEKENDS_ONLY)).to.equal(endOfDay('2025-02-15'));
    });
  });

  describe('obligations of a subject', () => {
    const at = (date: string) => `${date}T10:00:00+08:00`;
    const find = (obligations: Obligation[], rule: string) => obligations.filter((o) => o.rule === rule);

    it('follows every tracked rule from the entry that starts it to the entry that meets it', () => {
      const chain = new Chain();
      chain.record('COURT', 'ASSESSMENT_COMMISSIONED', sampleDocument('ASSESSMENT_COMMISSIONED', { expedited: true }), { occurredAt: at('2025-09-26') });
      chain.record('JUSTICE', 'ASSESSMENT_OPINION', undefined, { occurredAt: at('2025-10-13') });
      chain.record('COURT', 'SENTENCE_HANDOVER', sampleDocument('SENTENCE_HANDOVER', { effectiveDate: '2025-10-14', termStart: '2025-10-14', termEnd: '2026-10-13' }), { occurredAt: at('2025-10-16') });
      const served = chain.record('COURT', 'DOCUMENTS_SERVED', undefined, { occurredAt: at('2025-10-20') }).entry;
      chain.record('JUSTICE', 'HANDOVER_RECEIPT', sampleDocument('HANDOVER_RECEIPT', { acknowledges: served.id }), { occurredAt: at('2025-10-27') });
      chain.record('JUSTICE', 'SUBJECT_RECEIVED', undefined, { occurredAt: at('2025-10-22') });
      chain.record('JUSTICE', 'MONITORING_CHANGED', undefined, { occurredAt: at('2025-11-01') });
      chain.record('JUSTICE', 'COMMUTATION_PROPOSED', undefined, { occurredAt: at('2025-11-03') });
      const opinion = chain.record('PROCURATORATE', 'PROCURATORIAL_OPINION', undefined, { occurredAt: at('2025-11-04') }).entry;
      chain.record('JUSTICE', 'PROCURATORIAL_REPLY', sampleDocument('PROCURATORIAL_REPLY', { answers: opinion.id }), { occurredAt: at('2025-11-10') });
      chain.record('JUSTICE', 'REVOCATION_PROPOSED', undefined, { occurredAt: at('2025-11-20') });

      const obligations = obligationsOf(chain.entries, '2025-12-30T00:00:00+08:00', CALENDAR);
      const one = (rule: string) => {
        const found = find(obligations, rule);
        expect(found, rule).to.have.length(1);
        return found[0] as Obligation;
      };
      // Expedited: five working days across National Day, met on the 13th, after the 10th: late.
      expect(one('ASSESSMENT_OPINION')).to.include({ dueAt: endOfDay('2025-10-10'), state: 'late', agency: 'JUSTICE' });
      expect(one('SENTENCE_HANDOVER')).to.include({ dueAt: endOfDay('2025-10-19'), state: 'met', agency: 'COURT' });
      expect(one('DOCUMENTS_SERVED')).to.include({ dueAt: endOfDay('2025-10-24'), state: 'met', agency: 'COURT' });
      expect(one('HANDOVER_RECEIPT')).to.include({ dueAt: endOfDay('2025-10-25'), state: 'late', agency: 'JUSTICE' });
      expect(one('SUBJECT_RECEIVED')).to.include({ dueAt: endOfDay('2025-10-24'), state: 'met', agency: 'JUSTICE' });
      expect(one('MONITORING_CHANGED')).to.include({ dueAt: endOfDay('2026-02-01'), state: 'open', agency: 'JUSTICE' });
      expect(one('COMMUTATION_RULED')).to.include({ dueAt: endOfDay('2025-12-03'), state: 'overdue', agency: 'COURT' });
      expect(one('PROCURATORIAL_REPLY')).to.include({ dueAt: endOfDay('2025-11-19'), state: 'met', agency: 'JUSTICE' });
      expect(one('REVOCATION_RULED')).to.include({ dueAt: endOfDay('2025-12-20'), state: 'overdue', agency: 'COURT' });
      expect(one('ARREST_DECIDED')).to.include({ dueAt: new Date('2025-11-22T10:00:00+08:00').toISOString(), state: 'overdue', agency: 'COURT' });
      expect(one('CORRECTION_RELEASED')).to.include({ dueAt: endOfDay('2026-10-13'), state: 'open', agency: 'JUSTICE' });
      expect(find(obligations, 'COMMITTED_TO_PRISON')).to.deep.equal([]);
    });

    it('voids what a subject can no longer do, and starts only what the public facts call for', () => {
      const chain = new Chain();
      chain.record('COURT', 'SENTENCE_HANDOVER', sampleDocument('SENTENCE_HANDOVER', { effectiveDate: '2025-10-14', termStart: '2025-10-14', termEnd: '2026-10-13' }), { occurredAt: at('2025-10-16') });
      chain.record('JUSTICE', 'DEATH_RECORDED', undefined, { occurredAt: at('2025-10-20') });
      const obligations = obligationsOf(chain.entries, '2025-12-30T00:00:00+08:00', CALENDAR);
      expect(find(obligations, 'SUBJECT_RECEIVED')[0]).to.include({ state: 'void' });
      expect(find(obligations, 'CORRECTION_RELEASED')[0]).to.include({ state: 'void' });
      expect(find(obligations, 'DEATH_RECORDED')).to.deep.equal([]);

      const revoked = new Chain('cd'.repeat(32));
      revoked.record('COURT', 'SENTENCE_HANDOVER', undefined, { occurredAt: at('2024-01-10') });
      revoked.record('JUSTICE', 'SUBJECT_RECEIVED', undefined, { occurredAt: at('2024-01-15') });
      revoked.record('JUSTICE', 'REVOCATION_PROPOSED', sampleDocument('REVOCATION_PROPOSED', { arrestRequested: false }), { occurredAt: at('2024-02-01') });
      revoked.record('COURT', 'REVOCATION_RULED', undefined, { occurredAt: at('2024-02-10') });
      const after = obligationsOf(revoked.entries, '2024-02-20T00:00:00+08:00', CALENDAR);
      expect(find(after, 'ARREST_DECIDED')).to.deep.equal([]);
      expect(find(after, 'COMMITTED_TO_PRISON')[0]).to.include({ dueAt: endOfDay('2024-02-10'), state: 'overdue', agency: 'POLICE' });
      expect(find(after, 'REVOCATION_RULED')[0]).to.include({ state: 'met' });
    });

    it('moves the release due date with a commutation', () => {
      const chain = new Chain();
      chain.record('COURT', 'SENTENCE_HANDOVER', undefined, { occurredAt: at('2024-01-10') });
      chain.record('JUSTICE', 'SUBJECT_RECEIVED', undefined, { occurredAt: at('2024-01-15') });
      chain.record('COURT', 'COMMUTATION_RULED', sampleDocument('COMMUTATION_RULED', { newTermEnd: '2024-11-30' }), { occurredAt: at('2024-06-01') });
      const release = obligationsOf(chain.entries, '2024-06-02T00:00:00+08:00', CALENDAR).find((o) => o.rule === 'CORRECTION_RELEASED');
      expect(release).to.include({ dueAt: endOfDay('2024-11-30'), state: 'open' });
    });
  });

  describe('deadlines as the statutes set them', () => {
    const at = (date: string) => `${date}T10:00:00+08:00`;
    const only = (obligations: Obligation[], rule: string): Obligation => {
      const found = obligations.filter((o) => o.rule === rule);
      expect(found, rule).to.have.length(1);
      return found[0] as Obligation;
    };
    const handover = (chain: Chain, date: string) =>
      chain.record('COURT', 'SENTENCE_HANDOVER', sampleDocument('SENTENCE_HANDOVER', { effectiveDate: date, termStart: date, termEnd: '2026-10-13' }), { occurredAt: at(date) });

    it('names an article for every rule, and keeps unverified the figures DOMAIN.md\'s legal review could not source', () => {
      // The review's table, written out: amount, unit, and whether a statute sets the figure.
      const REVIEW: Readonly<Record<string, readonly [DeadlineRule['amount'], DeadlineRule['unit'], boolean]>> = {
        SENTENCE_HANDOVER: [5, 'days', true],
        DOCUMENTS_SERVED: [10, 'days', true],
        SUBJECT_RECEIVED: [10, 'days', true],
        SUBJECT_ESCORTED: [10, 'days', true],
        MONITORING_CHANGED: [3, 'months', true],
        DETENTION_NOTIFIED: [0, 'days', true],
        COMMUTATION_RULED: [30, 'days', true],
        ARREST_DECIDED: [48, 'hours', true],
        ARREST_CUSTODY: [30, 'days', true],
        REVOCATION_RULED: [30, 'days', true],
        COMMITTED_TO_PRISON: [0, 'days', true],
        CORRECTION_RELEASED: [0, 'days', true],
        PROCURATORIAL_REPLY: [{ fact: 'replyWithinDays' }, 'days', true],
        RECONSIDERATION_ANSWERED: [7, 'days', true],
        ASSESSMENT_OPINION: [10, 'workingDays', false],
        HANDOVER_RECEIPT: [5, 'days', false],
        EXECUTION_PLACE_CHANGED: [7, 'days', false],
        DEATH_RECORDED: [5, 'days', false],
      };
      expect(DEADLINE_RULES.map((r) => r.id).sort()).to.deep.equal(Object.keys(REVIEW).sort());
      for (const rule of DEADLINE_RULES) {
        const [amount, unit, verified] = REVIEW[rule.id] ?? [];
        expect({ amount: rule.amount, unit: rule.unit, unverified: rule.unverified === true }, rule.id).to.deep.equal({ amount, unit, unverified: !verified });
        expect(rule.basis, rule.id).to.match(verified ? /\b(?:L|SPCI|SPPR)\d+/ : /^IM$/);
      }
    });

    it('L21 ¶2, SPCI515: for 暂予监外执行 the ten days run from the custodian\'s receipt of the decision, not from its effect', () => {
      const chain = new Chain();
      const dates = { effectiveDate: '2025-10-14', termStart: '2025-10-14', termEnd: '2026-10-13', custodianReceivedOn: '2025-10-20' };
      chain.record('JUSTICE', 'SENTENCE_HANDOVER', temporaryHandover(dates), { occurredAt: at('2025-10-16') });
      const obligations = obligationsOf(chain.entries, '2025-10-27T00:00:00+08:00', CALENDAR);
      expect(obligations.filter((o) => o.rule === 'SUBJECT_RECEIVED')).to.deep.equal([]);
      expect(only(obligations, 'SUBJECT_ESCORTED')).to.include({ event: 'SUBJECT_RECEIVED', dueAt: endOfDay('2025-10-30'), state: 'open', agency: 'JUSTICE' });
      chain.record('JUSTICE', 'SUBJECT_RECEIVED', sampleDocument('SUBJECT_RECEIVED', { escorted: true }), { occurredAt: at('2025-10-29') });
      expect(only(obligationsOf(chain.entries, '2025-11-01T00:00:00+08:00', CALENDAR), 'SUBJECT_ESCORTED')).to.include({ state: 'met' });
    });

    it('SPPR553: a reply is due by the period the opinion itself states', () => {
      const chain = new Chain();
      handover(chain, '2025-10-14');
      const short = chain.record('PROCURATORATE', 'PROCURATORIAL_OPINION', sampleDocument('PROCURATORIAL_OPINION', { replyWithinDays: 5 }), { occurredAt: at('2025-11-04') }).entry;
      const long = chain.record('PROCURATORATE', 'PROCURATORIAL_OPINION', sampleDocument('PROCURATORIAL_OPINION', { opinionNo: 'PO-2', replyWithinDays: 30 }), { occurredAt: at('2025-11-04') }).entry;
      chain.record('JUSTICE', 'PROCURATORIAL_REPLY', sampleDocument('PROCURATORIAL_REPLY', { answers: short.id }), { occurredAt: at('2025-11-10') });
      const replies = obligationsOf(chain.entries, '2025-11-20T00:00:00+08:00', CALENDAR).filter((o) => o.rule === 'PROCURATORIAL_REPLY');
      expect(replies.map((o) => [o.startedBy, o.dueAt, o.state])).to.deep.equal([
        [short.id, endOfDay('2025-11-09'), 'late'],
        [long.id, endOfDay('2025-12-04'), 'open'],
      ]);
    });

    it('SPPR554: the procuratorate answers a request for reconsideration within 7 days; a later answer is late, and the request does not stand for the reply', () => {
      const chain = new Chain();
      handover(chain, '2025-10-14');
      const opinion = chain.record('PROCURATORATE', 'PROCURATORIAL_OPINION', undefined, { occurredAt: at('2025-11-04') }).entry;
      const request = chain.record('JUSTICE', 'RECONSIDERATION_REQUESTED', sampleDocument('RECONSIDERATION_REQUESTED', { answers: opinion.id }), { occurredAt: at('2025-11-06') }).entry;
      const pending = obligationsOf(chain.entries, '2025-11-10T00:00:00+08:00', CALENDAR);
      expect(only(pending, 'RECONSIDERATION_ANSWERED')).to.include({ startedBy: request.id, dueAt: endOfDay('2025-11-13'), state: 'open', agency: 'PROCURATORATE', basis: 'SPPR554' });
      chain.record('PROCURATORATE', 'RECONSIDERATION_ANSWERED', sampleDocument('RECONSIDERATION_ANSWERED', { answers: request.id }), { occurredAt: at('2025-11-14') });
      const after = obligationsOf(chain.entries, '2025-11-25T00:00:00+08:00', CALENDAR);
      expect(only(after, 'RECONSIDERATION_ANSWERED')).to.include({ state: 'late' });
      expect(only(after, 'PROCURATORIAL_REPLY')).to.include({ state: 'overdue', agency: 'JUSTICE' });
    });

    it('SPPR554: an opinion withdrawn on reconsideration needs no reply, and a matter the reply closed needs no answer to its reconsideration', () => {
      const chain = new Chain();
      handover(chain, '2025-10-14');
      const withdrawn = chain.record('PROCURATORATE', 'PROCURATORIAL_OPINION', undefined, { occurredAt: at('2025-11-04') }).entry;
      const request = chain.record('JUSTICE', 'RECONSIDERATION_REQUESTED', sampleDocument('RECONSIDERATION_REQUESTED', { answers: withdrawn.id }), { occurredAt: at('2025-11-05') }).entry;
      chain.record('PROCURATORATE', 'RECONSIDERATION_ANSWERED', sampleDocument('RECONSIDERATION_ANSWERED', { answers: request.id, upheld: false }), { occurredAt: at('2025-11-07') });
      const replied = chain.record('PROCURATORATE', 'PROCURATORIAL_OPINION', sampleDocument('PROCURATORIAL_OPINION', { opinionNo: 'PO-2' }), { occurredAt: at('2025-11-08') }).entry;
      const pending = chain.record('JUSTICE', 'RECONSIDERATION_REQUESTED', sampleDocument('RECONSIDERATION_REQUESTED', { answers: replied.id }), { occurredAt: at('2025-11-09') }).entry;
      chain.record('JUSTICE', 'PROCURATORIAL_REPLY', sampleDocument('PROCURATORIAL_REPLY', { answers: replied.id }), { occurredAt: at('2025-11-10') });
      const obligations = obligationsOf(chain.entries, '2026-01-01T00:00:00+08:00', CALENDAR);
      expect(obligations.filter((o) => o.rule === 'PROCURATORIAL_REPLY').map((o) => [o.startedBy, o.state])).to.deep.equal([[withdrawn.id, 'void'], [replied.id, 'met']]);
      expect(obligations.filter((o) => o.rule === 'RECONSIDERATION_ANSWERED').map((o) => [o.startedBy, o.state])).to.deep.equal([[request.id, 'met'], [pending.id, 'void']]);
    });

    it('L47: an approved arrest holds the subject at most 30 days until the ruling; a refused one starts no clock', () => {
      const chain = new Chain();
      handover(chain, '2024-01-10');
      chain.record('JUSTICE', 'SUBJECT_RECEIVED', undefined, { occurredAt: at('2024-01-15') });
      chain.record('JUSTICE', 'REVOCATION_PROPOSED', undefined, { occurredAt: at('2024-02-01') });
      chain.record('COURT', 'ARREST_DECIDED', sampleDocument('ARREST_DECIDED', { approved: false }), { occurredAt: at('2024-02-02') });
      const arrest = chain.record('COURT', 'ARREST_DECIDED', sampleDocument('ARREST_DECIDED', { decisionNo: 'AD-2' }), { occurredAt: at('2024-02-03') }).entry;
      const held = obligationsOf(chain.entries, '2024-03-10T00:00:00+08:00', CALENDAR);
      // 2024 is a leap year: thirty days after 3 February is 4 March.
      expect(only(held, 'ARREST_CUSTODY')).to.include({ startedBy: arrest.id, event: 'REVOCATION_RULED', dueAt: endOfDay('2024-03-04'), state: 'overdue', agency: 'COURT', basis: 'L47' });
      chain.record('COURT', 'REVOCATION_RULED', sampleDocument('REVOCATION_RULED', { revoked: false }), { occurredAt: at('2024-03-01') });
      expect(only(obligationsOf(chain.entries, '2024-03-10T00:00:00+08:00', CALENDAR), 'ARREST_CUSTODY')).to.include({ state: 'met' });
    });
  });
});
