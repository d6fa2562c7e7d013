import { expect } from 'chai';
import { AGENCIES, DomainError, EVENT_CATALOG, EVENT_TYPES, isCollectionMember, type Agency, type EventType } from 'correction-chaincode/domain';
import { Chain, chainIn } from '../support/chain.js';
import { sampleDocument, temporaryHandover } from '../support/documents.js';
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
  COMMENDATION_ISSUED: ['JUSTICE'],
  PENALTY_REQUESTED: ['JUSTICE'],
  PENALTY_DECIDED: ['POLICE'],
  LOST_CONTACT: ['JUSTICE'],
  SUBJECT_LOCATED: ['POLICE', 'JUSTICE'],
  // L32: every authority that restricts a subject's liberty.
  DETENTION_NOTIFIED: ['COURT', 'PROCURATORATE', 'POLICE', 'JUSTICE'],
  DETENTION_ENDED: ['COURT', 'PROCURATORATE', 'POLICE', 'JUSTICE'],
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
  RECONSIDERATION_REQUESTED: ['JUSTICE'],
  RECONSIDERATION_ANSWERED: ['PROCURATORATE'],
  COMPLAINT_RECEIVED: ['PROCURATORATE'],
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
          const outcome = record();
          expect(outcome.entry.agency).to.equal(agency);
          // A collection's members alone may write to it: the recorder must be one.
          expect(isCollectionMember(outcome.collection, agency), outcome.collection).to.equal(true);
        } else {
          expect(record).to.throw(DomainError).with.property('code', 'FORBIDDEN');
        }
      });
    }
  }

  it('lets the prison administration (justice) and police hand over 暂予监外执行, but not probation', () => {
    for (const agency of ['JUSTICE', 'POLICE'] as const) {
      expect(new Chain().record(agency, 'SENTENCE_HANDOVER', temporaryHandover()).status.decisionOrgan).to.equal(agency);
      expect(() => new Chain().record(agency, 'SENTENCE_HANDOVER')).to.throw(DomainError).with.property('code', 'FORBIDDEN');
    }
  });

  it('L18, SPPR277: court and procuratorate commission an assessment for any type; prison administration (JUSTICE) and police for 暂予监外执行', () => {
    for (const agency of AGENCIES) {
      const outcome = new Chain().record(agency, 'ASSESSMENT_COMMISSIONED', sampleDocument('ASSESSMENT_COMMISSIONED', { proposedType: 'TEMPORARY_OUTSIDE_PRISON' }));
      expect(outcome.status.commissionedBy).to.equal(agency);
      expect(isCollectionMember(outcome.collection, agency)).to.equal(true);
    }
    for (const agency of ['COURT', 'PROCURATORATE'] as const) {
      expect(new Chain().record(agency, 'ASSESSMENT_COMMISSIONED').status.state).to.equal('ASSESSING');
    }
    for (const agency of ['POLICE', 'JUSTICE'] as const) {
      expect(() => new Chain().record(agency, 'ASSESSMENT_COMMISSIONED')).to.throw(DomainError).with.property('code', 'FORBIDDEN');
    }
  });

  it('L18: an assessment the police commissioned stays with the enforcement agencies, one the court commissioned with the judicial ones', () => {
    const byPolice = new Chain();
    expect(byPolice.record('POLICE', 'ASSESSMENT_COMMISSIONED', sampleDocument('ASSESSMENT_COMMISSIONED', { proposedType: 'TEMPORARY_OUTSIDE_PRISON' })).collection).to.equal('enforcementDocs');
    const opinion = byPolice.record('JUSTICE', 'ASSESSMENT_OPINION');
    expect(opinion.collection).to.equal('enforcementDocs');
    expect(opinion.entry.notify).to.deep.equal(['PROCURATORATE', 'POLICE']);
    const byCourt = new Chain('cd'.repeat(32));
    expect(byCourt.record('COURT', 'ASSESSMENT_COMMISSIONED').collection).to.equal('judicialDocs');
    expect(byCourt.record('JUSTICE', 'ASSESSMENT_OPINION').collection).to.equal('judicialDocs');
  });

  it('L32: a court\'s notice of detention goes to the judicial agencies, the police\'s to the enforcement ones', () => {
    expect(chainIn('UNDER_CORRECTION').record('COURT', 'DETENTION_NOTIFIED').collection).to.equal('judicialDocs');
    expect(chainIn('UNDER_CORRECTION').record('POLICE', 'DETENTION_NOTIFIED').collection).to.equal('enforcementDocs');
  });

  it('L49 ¶4: the prison administration takes in the subject where it decided 收监; the police everywhere, the justice bureau nowhere else', () => {
    const decidedByPrison = new Chain();
    decidedByPrison.record('JUSTICE', 'SENTENCE_HANDOVER', temporaryHandover());
    decidedByPrison.record('JUSTICE', 'SUBJECT_RECEIVED');
    decidedByPrison.record('JUSTICE', 'REVOCATION_PROPOSED', sampleDocument('REVOCATION_PROPOSED', { arrestRequested: false }));
    decidedByPrison.record('JUSTICE', 'REVOCATION_RULED');
    expect(decidedByPrison.record('JUSTICE', 'COMMITTED_TO_PRISON').status.state).to.equal('COMMITTED');

    const decidedByPolice = new Chain('cd'.repeat(32));
    decidedByPolice.record('POLICE', 'SENTENCE_HANDOVER', temporaryHandover());
    decidedByPolice.record('JUSTICE', 'SUBJECT_RECEIVED');
    decidedByPolice.record('JUSTICE', 'REVOCATION_PROPOSED', sampleDocument('REVOCATION_PROPOSED', { arrestRequested: false }));
    decidedByPolice.record('POLICE', 'REVOCATION_RULED');
    expect(() => decidedByPolice.record('JUSTICE', 'COMMITTED_TO_PRISON')).to.throw(DomainError).with.property('code', 'FORBIDDEN');
    expect(decidedByPolice.record('POLICE', 'COMMITTED_TO_PRISON').status.state).to.equal('COMMITTED');
  });

  it('lets only the decision organ rule on revoking 暂予监外执行', () => {
    const chain = new Chain();
    chain.record('JUSTICE', 'SENTENCE_HANDOVER', temporaryHandover());
    chain.record('JUSTICE', 'SUBJECT_RECEIVED');
    chain.record('JUSTICE', 'REVOCATION_PROPOSED', sampleDocument('REVOCATION_PROPOSED', { arrestRequested: false }));
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

  it('L46 ¶2, SPCI542: a court trying a new crime revokes without a proposal and tells the original decision organ, the correction agency, the procuratorate and police', () => {
    expect(EVENT_CATALOG.REVOCATION_RULED.notify).to.include.members(['DECISION_ORGAN', 'JUSTICE', 'PROCURATORATE', 'POLICE']);
    const newCrime = sampleDocument('REVOCATION_RULED', { newCrime: true, judgmentNo: '(2025)沪0104刑初77号' });
    for (const agency of ['JUSTICE', 'POLICE'] as const) {
      expect(() => chainIn('UNDER_CORRECTION').record(agency, 'REVOCATION_RULED', newCrime)).to.throw(DomainError).with.property('code', 'FORBIDDEN');
    }
    const paroled = new Chain();
    paroled.record('COURT', 'SENTENCE_HANDOVER', sampleDocument('SENTENCE_HANDOVER', { correctionType: 'PAROLE' }));
    paroled.record('JUSTICE', 'SUBJECT_RECEIVED');
    const ruling = paroled.record('COURT', 'REVOCATION_RULED', newCrime);
    expect(ruling.status.state).to.equal('REVOKED');
    expect(ruling.entry.facts).to.deep.equal({ revoked: true, newCrime: true });
    expect(ruling.entry.notify).to.deep.equal(['PROCURATORATE', 'POLICE', 'JUSTICE']);
  });
});
