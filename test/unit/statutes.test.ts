import { expect } from 'chai';
import { AGENCIES, DomainError, obligationsOf, workingCalendar, type Agency, type EventType } from 'correction-chaincode/domain';
import { actor } from '../support/actors.js';
import { Chain, chainIn } from '../support/chain.js';
import { sampleDocument, temporaryHandover } from '../support/documents.js';

/** The domain error a step is refused with. */
function refusal(run: () => unknown): DomainError {
  try {
    run();
  } catch (error) {
    if (error instanceof DomainError) return error;
    throw error;
  }
  throw new Error('was accepted');
}

/** The fields an invalid document is refused for. */
function invalidFields(run: () => unknown): string[] {
  const error = refusal(run);
  expect(error.code, error.message).to.equal('INVALID_INPUT');
  return (error.details.issues ?? []).map((issue) => issue.path);
}

/** A document without one of its fields. */
function without(document: Record<string, unknown>, field: string): Record<string, unknown> {
  return Object.fromEntries(Object.entries(document).filter(([key]) => key !== field));
}

describe('the lifecycle as the statutes write it', () => {
  describe('assessment', () => {
    it('L18: the commission names the proposed place of execution, a 6- or 9-digit division code, and the status shows it until the handover sets it', () => {
      const chain = new Chain();
      const commission = chain.record('COURT', 'ASSESSMENT_COMMISSIONED', sampleDocument('ASSESSMENT_COMMISSIONED', { executionPlace: '110105001' }));
      expect(commission.entry.facts).to.include({ executionPlace: '110105001' });
      expect(commission.status.executionPlace).to.equal('110105001');
      chain.record('JUSTICE', 'ASSESSMENT_OPINION');
      expect(chain.record('COURT', 'SENTENCE_HANDOVER', sampleDocument('SENTENCE_HANDOVER', { executionPlace: '110106' })).status.executionPlace).to.equal('110106');

      for (const executionPlace of ['1101051', '11010500', '1101050010']) {
        expect(invalidFields(() => new Chain().record('COURT', 'ASSESSMENT_COMMISSIONED', sampleDocument('ASSESSMENT_COMMISSIONED', { executionPlace })))).to.deep.equal(['document.executionPlace']);
      }
      expect(invalidFields(() => new Chain().record('COURT', 'ASSESSMENT_COMMISSIONED', without(sampleDocument('ASSESSMENT_COMMISSIONED'), 'executionPlace')))).to.deep.equal(['document.executionPlace']);
    });

    it('EEL 12(二): a defendant being assessed may not leave the country', () => {
      const chain = new Chain();
      expect(chain.record('COURT', 'ASSESSMENT_COMMISSIONED').status.mayLeaveCountry).to.equal(false);
      expect(chain.record('JUSTICE', 'ASSESSMENT_OPINION', sampleDocument('ASSESSMENT_OPINION', { suitable: false })).status.mayLeaveCountry).to.equal(false);
    });
  });

  describe('handover', () => {
    it('L21 ¶2: a 暂予监外执行 handover names the day the custodian received the decision, and keeps it through amendments', () => {
      expect(invalidFields(() => new Chain().record('JUSTICE', 'SENTENCE_HANDOVER', sampleDocument('SENTENCE_HANDOVER', { correctionType: 'TEMPORARY_OUTSIDE_PRISON' }))))
        .to.deep.equal(['document.custodianReceivedOn']);
      expect(new Chain().record('JUSTICE', 'SENTENCE_HANDOVER', temporaryHandover()).entry.facts).to.include({ custodianReceivedOn: '2024-01-12' });

      const chain = new Chain();
      const handover = chain.record('COURT', 'SENTENCE_HANDOVER').entry;
      const toTemporary = sampleDocument('AMENDMENT', { corrections: { correctionType: 'TEMPORARY_OUTSIDE_PRISON' } });
      expect(invalidFields(() => chain.record('COURT', 'AMENDMENT', toTemporary, { amends: handover.id }))).to.deep.equal(['document.corrections.custodianReceivedOn']);
    });
  });

  describe('arrest and revocation', () => {
    it('L47: an arrest decision may refuse; only an approval detains', () => {
      const chain = chainIn('UNDER_CORRECTION');
      chain.record('JUSTICE', 'REVOCATION_PROPOSED');
      expect(invalidFields(() => chain.record('COURT', 'ARREST_DECIDED', without(sampleDocument('ARREST_DECIDED'), 'approved')))).to.deep.equal(['document.approved']);
      const refused = chain.record('COURT', 'ARREST_DECIDED', sampleDocument('ARREST_DECIDED', { approved: false }));
      expect(refused.entry.facts).to.deep.equal({ approved: false });
      expect(refused.status).to.deep.include({ detention: null, flags: { absconded: false, detained: false, revocationPending: true, electronicMonitoring: false } });
      const approved = chain.record('COURT', 'ARREST_DECIDED', sampleDocument('ARREST_DECIDED', { decisionNo: 'AD-2' }));
      expect(approved.entry.facts).to.deep.equal({ approved: true });
      expect(approved.status.detention).to.equal('ARREST');
      expect(approved.status.flags.detained).to.equal(true);
    });

    it('L47: arrest concerns revoking probation or parole, never the 收监 of 暂予监外执行, and needs a pending proposal', () => {
      const temporary = new Chain();
      temporary.record('JUSTICE', 'SENTENCE_HANDOVER', temporaryHandover());
      temporary.record('JUSTICE', 'SUBJECT_RECEIVED');
      const asked = refusal(() => temporary.record('JUSTICE', 'REVOCATION_PROPOSED', sampleDocument('REVOCATION_PROPOSED', { arrestRequested: true })));
      expect(asked.code).to.equal('ILLEGAL_TRANSITION');
      expect(asked.message).to.include('L47');
      temporary.record('JUSTICE', 'REVOCATION_PROPOSED', sampleDocument('REVOCATION_PROPOSED', { arrestRequested: false }));
      const arrest = refusal(() => temporary.record('COURT', 'ARREST_DECIDED'));
      expect(arrest.code).to.equal('ILLEGAL_TRANSITION');
      expect(arrest.message).to.include('TEMPORARY_OUTSIDE_PRISON');
      expect(temporary.status?.flags.detained).to.equal(false);

      expect(refusal(() => chainIn('UNDER_CORRECTION').record('COURT', 'ARREST_DECIDED')).code).to.equal('ILLEGAL_TRANSITION');
    });

    it('L48 ¶4: a refused revocation releases at once a subject arrested for it, but not one held for another cause', () => {
      const arrested = chainIn('UNDER_CORRECTION');
      arrested.record('JUSTICE', 'REVOCATION_PROPOSED');
      arrested.record('COURT', 'ARREST_DECIDED');
      const ruled = arrested.record('COURT', 'REVOCATION_RULED', sampleDocument('REVOCATION_RULED', { revoked: false }));
      expect(ruled.status).to.deep.include({ state: 'UNDER_CORRECTION', detention: null });
      expect(ruled.status.flags).to.include({ detained: false, revocationPending: false });

      const heldElsewhere = chainIn('UNDER_CORRECTION');
      heldElsewhere.record('POLICE', 'DETENTION_NOTIFIED');
      heldElsewhere.record('JUSTICE', 'REVOCATION_PROPOSED', sampleDocument('REVOCATION_PROPOSED', { arrestRequested: false }));
      const stillHeld = heldElsewhere.record('COURT', 'REVOCATION_RULED', sampleDocument('REVOCATION_RULED', { revoked: false }));
      expect(stillHeld.status.detention).to.equal('OTHER');
      expect(stillHeld.status.flags.detained).to.equal(true);
    });

    it('L46 ¶2: a new-crime revocation concerns probation and parole, names its judgment, revokes, and settles a pending proposal', () => {
      const newCrime = sampleDocument('REVOCATION_RULED', { newCrime: true, judgmentNo: '(2025)沪0104刑初77号' });
      expect(invalidFields(() => chainIn('UNDER_CORRECTION').record('COURT', 'REVOCATION_RULED', sampleDocument('REVOCATION_RULED', { newCrime: true, revoked: false }))))
        .to.have.members(['document.revoked', 'document.judgmentNo']);

      const controlled = new Chain();
      controlled.record('COURT', 'SENTENCE_HANDOVER', sampleDocument('SENTENCE_HANDOVER', { correctionType: 'CONTROL' }));
      controlled.record('JUSTICE', 'SUBJECT_RECEIVED');
      expect(refusal(() => controlled.record('COURT', 'REVOCATION_RULED', newCrime)).code).to.equal('ILLEGAL_TRANSITION');

      const pending = chainIn('UNDER_CORRECTION');
      pending.record('JUSTICE', 'REVOCATION_PROPOSED');
      const ruled = pending.record('COURT', 'REVOCATION_RULED', newCrime);
      expect(ruled.status.state).to.equal('REVOKED');
      expect(ruled.status.flags.revocationPending).to.equal(false);
    });
  });

  describe('liberty', () => {
    it('L32: any authority that restricts liberty notifies the detention, telling the justice bureau and the procuratorate of the place; its end clears it', () => {
      // Each detaining body of the place itself, but the prison administration of the province: the bureau of the place is told.
      const detaining = {
        COURT: actor('COURT', { unit: '110105', unitKind: 'COURT' }),
        PROCURATORATE: actor('PROCURATORATE', { unit: '110105', unitKind: 'PROCURATORATE' }),
        POLICE: actor('POLICE', { unit: '110105', unitKind: 'PUBLIC_SECURITY' }),
        JUSTICE: actor('JUSTICE', { unit: '11', unitKind: 'PRISON_ADMINISTRATION' }),
      };
      for (const agency of AGENCIES) {
        const chain = chainIn('UNDER_CORRECTION');
        const told = ['PROCURATORATE', 'JUSTICE'].filter((a) => a !== agency || agency === 'JUSTICE');
        const notified = chain.record(detaining[agency], 'DETENTION_NOTIFIED');
        expect(notified.status.detention, agency).to.equal('OTHER');
        expect(notified.status.flags.detained).to.equal(true);
        expect(notified.entry.notify).to.deep.equal(told);
        expect(notified.entry.to.map((a) => a.unit)).to.deep.equal(told.map(() => '110105'));
        expect(refusal(() => chain.record(detaining[agency], 'DETENTION_NOTIFIED')).code).to.equal('ILLEGAL_TRANSITION');
        const ended = chain.record(detaining[agency], 'DETENTION_ENDED');
        expect(ended.status.detention).to.equal(null);
        expect(ended.status.flags.detained).to.equal(false);
        expect(ended.entry.notify).to.deep.equal(told);
        expect(refusal(() => chain.record(detaining[agency], 'DETENTION_ENDED')).code).to.equal('ILLEGAL_TRANSITION');
      }
    });

    it('L50: a subject who flees after the revocation ruling is reported lost and located, and committal ends the pursuit', () => {
      const chain = chainIn('REVOKED');
      expect(chain.record('JUSTICE', 'LOST_CONTACT').status).to.deep.include({ state: 'REVOKED' });
      expect(chain.status?.flags.absconded).to.equal(true);
      expect(chain.record('POLICE', 'SUBJECT_LOCATED').status.flags.absconded).to.equal(false);
      chain.record('JUSTICE', 'LOST_CONTACT');
      const committed = chain.record('POLICE', 'COMMITTED_TO_PRISON');
      expect(committed.status.state).to.equal('COMMITTED');
      expect(committed.status.flags).to.include({ absconded: false, detained: false });
    });
  });

  describe('the end of correction', () => {
    const early = { occurredAt: '2024-10-01T09:00:00+08:00' };

    it('L44: a pardon ends correction before the term, naming the pardon order; any other early release is refused', () => {
      const chain = chainIn('UNDER_CORRECTION');
      const before = refusal(() => chain.record('JUSTICE', 'CORRECTION_RELEASED', undefined, early));
      expect(before.code).to.equal('ILLEGAL_TRANSITION');
      expect(before.message).to.include('pardon');
      expect(invalidFields(() => chain.record('JUSTICE', 'CORRECTION_RELEASED', sampleDocument('CORRECTION_RELEASED', { ground: 'PARDON' }), early))).to.deep.equal(['document.pardonOrderNo']);
      const pardoned = chain.record('JUSTICE', 'CORRECTION_RELEASED', sampleDocument('CORRECTION_RELEASED', { ground: 'PARDON', pardonOrderNo: '主席特赦令第一号' }), early);
      expect(pardoned.entry.facts).to.deep.equal({ ground: 'PARDON' });
      expect(pardoned.status).to.include({ state: 'RELEASED', mayLeaveCountry: true });

      expect(chainIn('RELEASED').last.facts).to.deep.equal({ ground: 'TERM_ENDED' });
    });

    it('L44, L48, L50: no release while a revocation is pending, or while the subject is absconded or detained', () => {
      type Step = readonly [Agency, EventType, Record<string, unknown>?];
      const blocks: ReadonlyArray<{ why: string; block: Step; clear: Step }> = [
        { why: 'revocation proposal is pending', block: ['JUSTICE', 'REVOCATION_PROPOSED'], clear: ['COURT', 'REVOCATION_RULED', { revoked: false }] },
        { why: 'absconded', block: ['JUSTICE', 'LOST_CONTACT'], clear: ['POLICE', 'SUBJECT_LOCATED'] },
        { why: 'detained', block: ['POLICE', 'DETENTION_NOTIFIED'], clear: ['POLICE', 'DETENTION_ENDED'] },
      ];
      for (const { why, block, clear } of blocks) {
        const chain = chainIn('UNDER_CORRECTION');
        chain.record(block[0], block[1]);
        const refused = refusal(() => chain.record('JUSTICE', 'CORRECTION_RELEASED'));
        expect(refused.code, why).to.equal('ILLEGAL_TRANSITION');
        expect(refused.message).to.include(why);
        expect(refused.details.currentState).to.equal('UNDER_CORRECTION');
        chain.record(clear[0], clear[1], sampleDocument(clear[1], clear[2]));
        expect(chain.record('JUSTICE', 'CORRECTION_RELEASED').status.state, why).to.equal('RELEASED');
      }
    });
  });

  describe('sanctions and commendations', () => {
    it('L28: commendations are counted beside warnings and reprimands, and the procuratorate is told', () => {
      const chain = chainIn('UNDER_CORRECTION');
      const first = chain.record('JUSTICE', 'COMMENDATION_ISSUED');
      expect(first.entry.notify).to.deep.equal(['PROCURATORATE']);
      expect(first.entry.facts).to.deep.equal({});
      chain.record('JUSTICE', 'WARNING_ISSUED');
      chain.record('JUSTICE', 'COMMENDATION_ISSUED', sampleDocument('COMMENDATION_ISSUED', { decisionNo: 'CM-2' }));
      expect(chain.status).to.include({ commendationCount: 2, warningCount: 1, reprimandCount: 0 });
    });

    it('SPCI543: two warnings move nothing and start no clock — revoking for them also takes continued non-compliance, which the court weighs', () => {
      const calendar = workingCalendar({});
      const chain = chainIn('UNDER_CORRECTION');
      const rulesBefore = obligationsOf(chain.entries, '2025-12-30T00:00:00+08:00', calendar).map((o) => o.rule);
      chain.record('JUSTICE', 'WARNING_ISSUED');
      chain.record('JUSTICE', 'WARNING_ISSUED', sampleDocument('WARNING_ISSUED', { decisionNo: 'WN-2' }));
      expect(chain.status).to.deep.include({ state: 'UNDER_CORRECTION', warningCount: 2 });
      expect(chain.status?.flags.revocationPending).to.equal(false);
      expect(obligationsOf(chain.entries, '2025-12-30T00:00:00+08:00', calendar).map((o) => o.rule)).to.deep.equal(rulesBefore);
    });
  });

  describe('supervision', () => {
    it('L62: an opinion states the period for its reply; a reply says whether the opinion was adopted, and why not', () => {
      const chain = chainIn('UNDER_CORRECTION');
      expect(invalidFields(() => chain.record('PROCURATORATE', 'PROCURATORIAL_OPINION', without(sampleDocument('PROCURATORIAL_OPINION'), 'replyWithinDays')))).to.deep.equal(['document.replyWithinDays']);
      const opinion = chain.record('PROCURATORATE', 'PROCURATORIAL_OPINION').entry;
      expect(opinion.facts).to.include({ replyWithinDays: 15 });
      expect(invalidFields(() => chain.record('JUSTICE', 'PROCURATORIAL_REPLY', sampleDocument('PROCURATORIAL_REPLY', { answers: opinion.id, adopted: false })))).to.deep.equal(['document.reason']);
      const reply = chain.record('JUSTICE', 'PROCURATORIAL_REPLY', sampleDocument('PROCURATORIAL_REPLY', { answers: opinion.id, adopted: false, reason: '所指情形已依法处理' }));
      expect(reply.entry.facts).to.deep.equal({ answers: opinion.id, adopted: false });
      expect(reply.status.openMatters).to.deep.equal([]);
    });

    it('SPPR554: the addressed agency asks for reconsideration; the matter stays open until the procuratorate answers and the agency replies', () => {
      const chain = chainIn('UNDER_CORRECTION');
      const opinion = chain.record('PROCURATORATE', 'PROCURATORIAL_OPINION').entry;
      const ask = (agency: 'POLICE' | 'JUSTICE') => () => chain.record(agency, 'RECONSIDERATION_REQUESTED', sampleDocument('RECONSIDERATION_REQUESTED', { answers: opinion.id }));
      expect(refusal(ask('POLICE')).code).to.equal('FORBIDDEN');
      const request = ask('JUSTICE')();
      expect(request.entry.notify).to.deep.equal(['PROCURATORATE']);
      expect(request.entry.facts).to.deep.equal({ answers: opinion.id });
      expect(request.status.openMatters).to.deep.equal([
        { opinionEntryId: opinion.id, addressedTo: 'JUSTICE', openedAt: opinion.occurredAt, reconsideration: { requestEntryId: request.entry.id, state: 'REQUESTED' } },
      ]);
      expect(refusal(ask('JUSTICE')).code).to.equal('ILLEGAL_TRANSITION');

      const answer = (answers: string) => () => chain.record('PROCURATORATE', 'RECONSIDERATION_ANSWERED', sampleDocument('RECONSIDERATION_ANSWERED', { answers }));
      expect(refusal(answer(opinion.id)).code).to.equal('ILLEGAL_TRANSITION');
      const upheld = answer(request.entry.id)();
      expect(upheld.entry.notify).to.deep.equal(['JUSTICE']);
      expect(upheld.entry.facts).to.deep.equal({ answers: request.entry.id, upheld: true });
      expect(upheld.status.openMatters.map((m) => m.reconsideration?.state)).to.deep.equal(['UPHELD']);
      expect(refusal(answer(request.entry.id)).code).to.equal('ILLEGAL_TRANSITION');
      expect(refusal(ask('JUSTICE')).code).to.equal('ILLEGAL_TRANSITION');

      expect(chain.record('JUSTICE', 'PROCURATORIAL_REPLY', sampleDocument('PROCURATORIAL_REPLY', { answers: opinion.id })).status.openMatters).to.deep.equal([]);
    });

    it('SPPR554: an opinion not upheld on reconsideration is withdrawn', () => {
      const chain = chainIn('UNDER_CORRECTION');
      const opinion = chain.record('PROCURATORATE', 'PROCURATORIAL_OPINION').entry;
      const request = chain.record('JUSTICE', 'RECONSIDERATION_REQUESTED', sampleDocument('RECONSIDERATION_REQUESTED', { answers: opinion.id })).entry;
      const withdrawn = chain.record('PROCURATORATE', 'RECONSIDERATION_ANSWERED', sampleDocument('RECONSIDERATION_ANSWERED', { answers: request.id, upheld: false, text: '经复查，撤销原意见' }));
      expect(withdrawn.status.openMatters).to.deep.equal([]);
      expect(refusal(() => chain.record('JUSTICE', 'PROCURATORIAL_REPLY', sampleDocument('PROCURATORIAL_REPLY', { answers: opinion.id }))).code).to.equal('ILLEGAL_TRANSITION');
    });

    it('L34 ¶2: the procuratorate records a subject\'s complaint and tells the justice bureau; the complaint stays off the public ledger', () => {
      const chain = chainIn('UNDER_CORRECTION');
      const complaint = chain.record('PROCURATORATE', 'COMPLAINT_RECEIVED');
      expect(complaint.entry.notify).to.deep.equal(['JUSTICE']);
      expect(complaint.entry.facts).to.deep.equal({});
      expect(complaint.collection).to.equal('enforcementDocs');
      expect(JSON.stringify(complaint.entry)).to.not.include('外出申请');
      expect(refusal(() => chain.record('JUSTICE', 'COMPLAINT_RECEIVED')).code).to.equal('FORBIDDEN');
      expect(chainIn('RELEASED').record('PROCURATORATE', 'COMPLAINT_RECEIVED').status.state).to.equal('RELEASED');
    });
  });
});
