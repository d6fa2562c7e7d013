import { expect } from 'chai';
import { AGENCIES, DomainError, EVENT_TYPES, type Agency, type EventType } from 'correction-chaincode/domain';
import { Chain, chainIn } from '../support/chain.js';
import { sampleDocument } from '../support/documents.js';
import { prepare } from './lifecycle.test.js';

/** Who records what, per DOMAIN.md's catalog, on a subject the court handed over (written out independently). */
const MAY_RECORD: Readonly<Record<EventType, readonly Agency[]>> = {
  ASSESSMENT_COMMISSIONED: ['COURT', 'PROCURATORATE'],
  ASSESSMENT_OPINION: ['JUSTICE'],
  SENTENCE_HANDOVER: ['COURT'],
  DOCUMENTS_SERVED: ['COURT'],
  HANDOVER_RECEIPT: ['JUSTICE'],
  SUBJECT_RECEIVED: ['JUSTICE'],
  LEAVE_APPROVED: ['JUSTICE'],
  EXECUTION_PLACE_CHANGED: ['JUSTICE'],
  MONITORING_CHANGED: ['JUSTICE'],
  WARNING_ISSUED: ['JUSTICE'],
  PENALTY_REQUESTED: ['JUSTICE'],
  PENALTY_DECIDED: ['POLICE'],
  LOST_CONTACT: ['JUSTICE'],
  SUBJECT_LOCATED: ['POLICE', 'JUSTICE'],
  DETENTION_NOTIFIED: ['POLICE'],
  COMMUTATION_PROPOSED: ['JUSTICE'],
  COMMUTATION_RULED: ['COURT'],
  REVOCATION_PROPOSED: ['JUSTICE'],
  ARREST_DECIDED: ['COURT'],
  REVOCATION_RULED: ['COURT'],
  COMMITTED_TO_PRISON: ['POLICE'],
  CORRECTION_RELEASED: ['JUSTICE'],
  DEATH_RECORDED: ['JUSTICE'],
  PROCURATORIAL_OPINION: ['PROCURATORATE'],
  PROCURATORIAL_REPLY: ['JUSTICE'],
  AMENDMENT: ['COURT'],
};

/** A state in which each event is legal, so that only the agency decides. */
const LEGAL_STATE: Readonly<Record<EventType, string>> = Object.fromEntries(
  EVENT_TYPES.map((type) => [
    type,
    ({ ASSESSMENT_COMMISSIONED: 'NONE', ASSESSMENT_OPINION: 'ASSESSING', SENTENCE_HANDOVER: 'NONE', SUBJECT_RECEIVED: 'PENDING_REPORT', COMMITTED_TO_PRISON: 'REVOKED' } as Record<string, string>)[type] ?? 'UNDER_CORRECTION',
  ]),
) as Record<EventType, string>;

describe('who may record what', () => {
  for (const type of EVENT_TYPES) {
    for (const agency of AGENCIES) {
      const allowed = MAY_RECORD[type].includes(agency);
      it(`${allowed ? 'lets' : 'refuses'} ${agency} ${allowed ? 'record' : 'to record'} ${type}`, () => {
        const chain = chainIn(LEGAL_STATE[type]);
        const { document, amends } = prepare(chain, type);
        const record = () => chain.record(agency, type, document, amends ? { amends } : {});
        if (allowed) {
          expect(record().entry.agency).to.equal(agency);
        } else {
          expect(record).to.throw(DomainError).with.property('code', 'FORBIDDEN');
        }
      });
    }
  }

  it('lets the prison administration (justice) and police hand over 暂予监外执行, but not probation', () => {
    for (const agency of ['JUSTICE', 'POLICE'] as const) {
      expect(new Chain().record(agency, 'SENTENCE_HANDOVER', sampleDocument('SENTENCE_HANDOVER', { correctionType: 'TEMPORARY_OUTSIDE_PRISON' })).status.decisionOrgan).to.equal(agency);
      expect(() => new Chain().record(agency, 'SENTENCE_HANDOVER')).to.throw(DomainError).with.property('code', 'FORBIDDEN');
    }
  });

  it('lets only the decision organ rule on revoking 暂予监外执行', () => {
    const chain = new Chain();
    chain.record('JUSTICE', 'SENTENCE_HANDOVER', sampleDocument('SENTENCE_HANDOVER', { correctionType: 'TEMPORARY_OUTSIDE_PRISON' }));
    chain.record('JUSTICE', 'SUBJECT_RECEIVED');
    chain.record('JUSTICE', 'REVOCATION_PROPOSED');
    expect(() => chain.record('COURT', 'REVOCATION_RULED')).to.throw(DomainError).with.property('code', 'FORBIDDEN');
    expect(chain.record('JUSTICE', 'REVOCATION_RULED').status.state).to.equal('REVOKED');
  });

  it('notifies the agencies DOMAIN.md names, resolved for the subject, never the recorder', () => {
    const chain = chainIn('NONE');
    expect(chain.record('COURT', 'SENTENCE_HANDOVER').entry.notify).to.deep.equal(['PROCURATORATE', 'POLICE', 'JUSTICE']);
    expect(chain.record('JUSTICE', 'SUBJECT_RECEIVED').entry.notify).to.deep.equal(['COURT', 'PROCURATORATE', 'POLICE']);
    expect(chain.record('JUSTICE', 'LOST_CONTACT').entry.notify).to.deep.equal(['PROCURATORATE', 'POLICE']);
    const assessed = new Chain('cd'.repeat(32));
    assessed.record('PROCURATORATE', 'ASSESSMENT_COMMISSIONED');
    expect(assessed.record('JUSTICE', 'ASSESSMENT_OPINION').entry.notify).to.deep.equal(['PROCURATORATE']);
  });
});
