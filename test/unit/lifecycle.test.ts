import { expect } from 'chai';
import { DomainError, EVENT_CATALOG, EVENT_TYPES, STATES, type Agency, type EventType, type OpenMatter, type SubjectStatus } from 'correction-chaincode/domain';
import { Chain, chainIn } from '../support/chain.js';
import { sampleDocument } from '../support/documents.js';

/**
 * The lifecycle as DOMAIN.md states it, written out independently of the catalog:
 * from which states each event is legal. 'ANY' = any state of a subject with entries.
 */
const LEGAL_FROM: Readonly<Record<EventType, readonly string[] | 'ANY'>> = {
  ASSESSMENT_COMMISSIONED: ['NONE'],
  ASSESSMENT_OPINION: ['ASSESSING'],
  SENTENCE_HANDOVER: ['NONE', 'ASSESSING', 'ASSESSED'],
  DOCUMENTS_SERVED: ['PENDING_REPORT', 'UNDER_CORRECTION'],
  HANDOVER_RECEIPT: ['PENDING_REPORT', 'UNDER_CORRECTION'],
  SUBJECT_RECEIVED: ['PENDING_REPORT'],
  LEAVE_APPROVED: ['UNDER_CORRECTION'],
  EXECUTION_PLACE_CHANGED: ['UNDER_CORRECTION'],
  MONITORING_CHANGED: ['UNDER_CORRECTION'],
  WARNING_ISSUED: ['UNDER_CORRECTION'],
  COMMENDATION_ISSUED: ['UNDER_CORRECTION'],
  PENALTY_REQUESTED: ['UNDER_CORRECTION'],
  PENALTY_DECIDED: ['UNDER_CORRECTION'],
  // L50: a subject who flees after the ruling, before committal, is pursued.
  LOST_CONTACT: ['UNDER_CORRECTION', 'REVOKED'],
  SUBJECT_LOCATED: ['UNDER_CORRECTION', 'REVOKED'],
  DETENTION_NOTIFIED: ['UNDER_CORRECTION'],
  DETENTION_ENDED: ['UNDER_CORRECTION'],
  COMMUTATION_PROPOSED: ['UNDER_CORRECTION'],
  COMMUTATION_RULED: ['UNDER_CORRECTION'],
  REVOCATION_PROPOSED: ['UNDER_CORRECTION'],
  ARREST_DECIDED: ['UNDER_CORRECTION'],
  REVOCATION_RULED: ['UNDER_CORRECTION'],
  COMMITTED_TO_PRISON: ['REVOKED'],
  CORRECTION_RELEASED: ['UNDER_CORRECTION'],
  DEATH_RECORDED: ['UNDER_CORRECTION', 'PENDING_REPORT'],
  PROCURATORIAL_OPINION: 'ANY',
  PROCURATORIAL_REPLY: 'ANY',
  RECONSIDERATION_REQUESTED: 'ANY',
  RECONSIDERATION_ANSWERED: 'ANY',
  COMPLAINT_RECEIVED: 'ANY',
  AMENDMENT: 'ANY',
};

/** State after a legal event, where it moves the subject. */
const MOVES_TO: Partial<Record<EventType, string>> = {
  ASSESSMENT_COMMISSIONED: 'ASSESSING',
  ASSESSMENT_OPINION: 'ASSESSED',
  SENTENCE_HANDOVER: 'PENDING_REPORT',
  SUBJECT_RECEIVED: 'UNDER_CORRECTION',
  REVOCATION_RULED: 'REVOKED',
  COMMITTED_TO_PRISON: 'COMMITTED',
  CORRECTION_RELEASED: 'RELEASED',
  DEATH_RECORDED: 'DECEASED',
};

/** A recorder allowed for the event on a subject the court handed over. */
const RECORDER: Readonly<Record<EventType, Agency>> = {
  ASSESSMENT_COMMISSIONED: 'COURT', ASSESSMENT_OPINION: 'JUSTICE', SENTENCE_HANDOVER: 'COURT', DOCUMENTS_SERVED: 'COURT',
  HANDOVER_RECEIPT: 'JUSTICE', SUBJECT_RECEIVED: 'JUSTICE', LEAVE_APPROVED: 'JUSTICE', EXECUTION_PLACE_CHANGED: 'JUSTICE',
  MONITORING_CHANGED: 'JUSTICE', WARNING_ISSUED: 'JUSTICE', COMMENDATION_ISSUED: 'JUSTICE', PENALTY_REQUESTED: 'JUSTICE',
  PENALTY_DECIDED: 'POLICE', LOST_CONTACT: 'JUSTICE', SUBJECT_LOCATED: 'POLICE', DETENTION_NOTIFIED: 'POLICE',
  DETENTION_ENDED: 'POLICE', COMMUTATION_PROPOSED: 'JUSTICE', COMMUTATION_RULED: 'COURT', REVOCATION_PROPOSED: 'JUSTICE',
  ARREST_DECIDED: 'COURT', REVOCATION_RULED: 'COURT', COMMITTED_TO_PRISON: 'POLICE', CORRECTION_RELEASED: 'JUSTICE',
  DEATH_RECORDED: 'JUSTICE', PROCURATORIAL_OPINION: 'PROCURATORATE', PROCURATORIAL_REPLY: 'JUSTICE',
  RECONSIDERATION_REQUESTED: 'JUSTICE', RECONSIDERATION_ANSWERED: 'PROCURATORATE', COMPLAINT_RECEIVED: 'PROCURATORATE',
  AMENDMENT: 'COURT',
};

/** An opinion addressed to the justice bureau, open on the subject; with a request to reconsider it, if asked. */
const openOpinion = (status: SubjectStatus, reconsideration: OpenMatter['reconsideration'] = null): SubjectStatus => ({
  ...status,
  openMatters: [{ opinionEntryId: 'f'.repeat(32), addressedTo: 'JUSTICE', openedAt: '2025-01-01T00:00:00Z', reconsideration }],
});

/** What recording an event takes: who records it, the document, and the entry it amends. */
interface Prepared {
  readonly document: Record<string, unknown>;
  readonly amends?: string;
  readonly agency: Agency;
}

/**
 * The situation an event needs besides its state, set up on a chain that has a status: a pending
 * proposal, an open opinion, an entry to acknowledge or amend. Undefined when the sample document
 * will do.
 */
const SITUATIONS: Partial<Record<EventType, (chain: Chain, status: SubjectStatus, agency: Agency) => Prepared | undefined>> = {
  REVOCATION_RULED: (chain, status) => {
    chain.status = { ...status, flags: { ...status.flags, revocationPending: true } };
    return undefined;
  },
  ARREST_DECIDED: (chain, status) => {
    chain.status = { ...status, flags: { ...status.flags, revocationPending: true } };
    return undefined;
  },
  DETENTION_ENDED: (chain, status) => {
    chain.status = { ...status, flags: { ...status.flags, detained: true }, detention: 'OTHER' };
    return undefined;
  },
  SUBJECT_LOCATED: (chain, status) => {
    chain.status = { ...status, flags: { ...status.flags, absconded: true } };
    return undefined;
  },
  PROCURATORIAL_REPLY: (chain, status, agency) => {
    chain.status = openOpinion(status);
    return { agency, document: sampleDocument('PROCURATORIAL_REPLY', { answers: 'f'.repeat(32) }) };
  },
  RECONSIDERATION_REQUESTED: (chain, status, agency) => {
    chain.status = openOpinion(status);
    return { agency, document: sampleDocument('RECONSIDERATION_REQUESTED', { answers: 'f'.repeat(32) }) };
  },
  RECONSIDERATION_ANSWERED: (chain, status, agency) => {
    chain.status = openOpinion(status, { requestEntryId: 'd'.repeat(32), state: 'REQUESTED' });
    return { agency, document: sampleDocument('RECONSIDERATION_ANSWERED', { answers: 'd'.repeat(32) }) };
  },
  HANDOVER_RECEIPT: (chain, _status, agency) => {
    const handover = chain.entries.find((e) => e.type === 'SENTENCE_HANDOVER');
    return handover ? { agency, document: sampleDocument('HANDOVER_RECEIPT', { acknowledges: handover.id }) } : undefined;
  },
  AMENDMENT: (chain) => {
    const first = chain.entries[0];
    if (!first) return undefined;
    const field = EVENT_CATALOG[first.type].publicFields[0] ?? 'termEnd';
    const value = first.facts[field] ?? (first.type === 'ASSESSMENT_COMMISSIONED' ? 'PAROLE' : '2025-02-01');
    return { agency: first.agency, amends: first.id, document: sampleDocument('AMENDMENT', { corrections: { [field]: value } }) };
  },
};

/** Puts a chain in the situation an event needs besides its state (a pending proposal, an open opinion …). */
export function prepare(chain: Chain, type: EventType): Prepared {
  const agency = RECORDER[type];
  const status = chain.status;
  const prepared = status ? SITUATIONS[type]?.(chain, status, agency) : undefined;
  if (prepared) return prepared;
  if (type === 'AMENDMENT') return { agency, amends: 'e'.repeat(32), document: sampleDocument(type) };
  return { agency, document: sampleDocument(type) };
}

function attempt(state: string, type: EventType): { ok: true; state: string } | { ok: false; error: DomainError } {
  const chain = chainIn(state);
  const { agency, document, amends } = prepare(chain, type);
  try {
    const outcome = chain.record(agency, type, document, { occurredAt: '2025-12-01T09:00:00+08:00', ...(amends ? { amends } : {}) });
    return { ok: true, state: outcome.status.state };
  } catch (error) {
    if (error instanceof DomainError) return { ok: false, error };
    throw error;
  }
}

describe('lifecycle state machine', () => {
  it('has a catalog row for each of the 31 event codes', () => {
    expect(EVENT_TYPES).to.have.length(31);
    expect(Object.keys(LEGAL_FROM).sort()).to.deep.equal([...EVENT_TYPES].sort());
  });

  for (const type of EVENT_TYPES) {
    describe(type, () => {
      for (const state of STATES) {
        const legal = LEGAL_FROM[type] === 'ANY' ? state !== 'NONE' : LEGAL_FROM[type].includes(state);
        if (legal) {
          it(`is recorded from ${state}`, () => {
            const result = attempt(state, type);
            if (!result.ok) return expect.fail(`${result.error.code}: ${result.error.message}`);
            expect(result.state).to.equal(type === 'REVOCATION_RULED' ? 'REVOKED' : (MOVES_TO[type] ?? state));
          });
        } else {
          it(`is refused from ${state}`, () => {
            const result = attempt(state, type);
            expect(result.ok, `${type} from ${state} should be refused`).to.equal(false);
            if (result.ok) return;
            if (state === 'NONE') {
              expect(result.error.code).to.equal('NOT_FOUND');
            } else {
              expect(result.error.code).to.equal('ILLEGAL_TRANSITION');
              expect(result.error.details.currentState).to.equal(state);
            }
          });
        }
      }
    });
  }
});

describe('status effects', () => {
  it('counts warnings, and reprimands apart from them', () => {
    const chain = chainIn('UNDER_CORRECTION');
    chain.record('JUSTICE', 'WARNING_ISSUED');
    chain.record('JUSTICE', 'WARNING_ISSUED', sampleDocument('WARNING_ISSUED', { kind: 'REPRIMAND' }));
    chain.record('JUSTICE', 'WARNING_ISSUED');
    expect(chain.status?.warningCount).to.equal(2);
    expect(chain.status?.reprimandCount).to.equal(1);
  });

  it('sets and clears the absconded flag, and refuses to lose contact twice', () => {
    const chain = chainIn('UNDER_CORRECTION');
    chain.record('JUSTICE', 'LOST_CONTACT');
    expect(chain.status?.flags.absconded).to.equal(true);
    expect(() => chain.record('JUSTICE', 'LOST_CONTACT')).to.throw(DomainError).with.property('code', 'ILLEGAL_TRANSITION');
    chain.record('POLICE', 'SUBJECT_LOCATED');
    expect(chain.status?.flags.absconded).to.equal(false);
  });

  it('a refused revocation clears the pending flag and supervision continues', () => {
    const chain = chainIn('UNDER_CORRECTION');
    chain.record('JUSTICE', 'REVOCATION_PROPOSED');
    expect(chain.status?.flags.revocationPending).to.equal(true);
    expect(() => chain.record('JUSTICE', 'REVOCATION_PROPOSED')).to.throw(DomainError);
    chain.record('COURT', 'REVOCATION_RULED', sampleDocument('REVOCATION_RULED', { revoked: false }));
    expect(chain.status?.state).to.equal('UNDER_CORRECTION');
    expect(chain.status?.flags.revocationPending).to.equal(false);
  });

  it('refuses a ruling when no revocation is pending', () => {
    const chain = chainIn('UNDER_CORRECTION');
    expect(() => chain.record('COURT', 'REVOCATION_RULED')).to.throw(DomainError).with.property('code', 'ILLEGAL_TRANSITION');
  });

  it('moves the term end on commutation, and refuses release before the term ends', () => {
    const chain = chainIn('UNDER_CORRECTION');
    chain.record('COURT', 'COMMUTATION_RULED', sampleDocument('COMMUTATION_RULED', { newTermEnd: '2024-10-01' }));
    expect(chain.status?.termEnd).to.equal('2024-10-01');
    expect(() => chain.record('JUSTICE', 'CORRECTION_RELEASED', undefined, { occurredAt: '2024-09-30T09:00:00+08:00' }))
      .to.throw(DomainError)
      .with.property('code', 'ILLEGAL_TRANSITION');
    chain.record('JUSTICE', 'CORRECTION_RELEASED', undefined, { occurredAt: '2024-10-01T09:00:00+08:00' });
    expect(chain.status?.state).to.equal('RELEASED');
  });

  it('keeps a convict with an unfinished sentence from leaving the country until release', () => {
    const chain = chainIn('UNDER_CORRECTION');
    expect(chain.status?.mayLeaveCountry).to.equal(false);
    chain.record('JUSTICE', 'CORRECTION_RELEASED');
    expect(chain.status?.mayLeaveCountry).to.equal(true);
  });

  it('sets type, term and place from the handover, and records the decision organ', () => {
    const chain = chainIn('PENDING_REPORT');
    expect(chain.status).to.include({ correctionType: 'PROBATION', termStart: '2024-01-10', termEnd: '2025-01-09', executionPlace: '110105', decisionOrgan: 'COURT' });
  });

  it('opens a procuratorial matter and closes it with the reply of the addressed agency', () => {
    const chain = chainIn('UNDER_CORRECTION');
    const opinion = chain.record('PROCURATORATE', 'PROCURATORIAL_OPINION').entry;
    expect(chain.status?.openMatters).to.deep.equal([{ opinionEntryId: opinion.id, addressedTo: 'JUSTICE', openedAt: opinion.occurredAt, reconsideration: null }]);
    expect(() => chain.record('POLICE', 'PROCURATORIAL_REPLY', sampleDocument('PROCURATORIAL_REPLY', { answers: opinion.id })))
      .to.throw(DomainError)
      .with.property('code', 'FORBIDDEN');
    chain.record('JUSTICE', 'PROCURATORIAL_REPLY', sampleDocument('PROCURATORIAL_REPLY', { answers: opinion.id }));
    expect(chain.status?.openMatters).to.deep.equal([]);
  });

  it('records supervision entries on a released subject but no lifecycle event', () => {
    const chain = chainIn('RELEASED');
    chain.record('PROCURATORATE', 'PROCURATORIAL_OPINION');
    expect(chain.status?.state).to.equal('RELEASED');
    expect(() => chain.record('JUSTICE', 'WARNING_ISSUED')).to.throw(DomainError).with.property('code', 'ILLEGAL_TRANSITION');
  });
});

describe('handover receipts', () => {
  it('must acknowledge the handover or served documents of the same subject', () => {
    const chain = chainIn('PENDING_REPORT');
    const handover = chain.entries[0]?.id ?? '';
    expect(() => chain.record('JUSTICE', 'HANDOVER_RECEIPT', sampleDocument('HANDOVER_RECEIPT', { acknowledges: 'e'.repeat(32) })))
      .to.throw(DomainError).with.property('code', 'NOT_FOUND');
    chain.record('PROCURATORATE', 'PROCURATORIAL_OPINION');
    expect(() => chain.record('JUSTICE', 'HANDOVER_RECEIPT', sampleDocument('HANDOVER_RECEIPT', { acknowledges: chain.last.id })))
      .to.throw(DomainError).with.property('code', 'INVALID_INPUT');
    expect(chain.record('JUSTICE', 'HANDOVER_RECEIPT', sampleDocument('HANDOVER_RECEIPT', { acknowledges: handover })).entry.facts['acknowledges']).to.equal(handover);
  });
});

describe('amendments', () => {
  it('supersede public facts of an earlier entry without editing it', () => {
    const chain = chainIn('UNDER_CORRECTION');
    const handover = chain.entries[0];
    if (!handover) throw new Error('no handover');
    const before = JSON.stringify(handover);
    chain.record('COURT', 'AMENDMENT', sampleDocument('AMENDMENT', { corrections: { termEnd: '2025-06-30' } }), { amends: handover.id });
    expect(chain.status?.termEnd).to.equal('2025-06-30');
    expect(JSON.stringify(chain.entries[0])).to.equal(before);
    expect(chain.last.amends).to.equal(handover.id);
  });

  it('are refused to an agency that did not record the amended entry', () => {
    const chain = chainIn('UNDER_CORRECTION');
    const handover = chain.entries[0];
    expect(() =>
      chain.record('JUSTICE', 'AMENDMENT', sampleDocument('AMENDMENT'), { amends: handover?.id ?? '' }),
    ).to.throw(DomainError).with.property('code', 'FORBIDDEN');
  });

  it('may only correct the amended entry\'s public fields, leaving them valid', () => {
    const chain = chainIn('UNDER_CORRECTION');
    const id = chain.entries[0]?.id ?? '';
    const tryCorrect = (corrections: Record<string, unknown>) => () =>
      chain.record('COURT', 'AMENDMENT', sampleDocument('AMENDMENT', { corrections }), { amends: id });
    expect(tryCorrect({ judgment: 'x' })).to.throw(DomainError).with.property('code', 'INVALID_INPUT');
    expect(tryCorrect({ termEnd: 'not a date' })).to.throw(DomainError).with.property('code', 'INVALID_INPUT');
    expect(tryCorrect({})).to.throw(DomainError).with.property('code', 'INVALID_INPUT');
  });

  it('must name an entry of the same subject', () => {
    const chain = chainIn('UNDER_CORRECTION');
    expect(() => chain.record('COURT', 'AMENDMENT', sampleDocument('AMENDMENT'), { amends: 'e'.repeat(32) }))
      .to.throw(DomainError)
      .with.property('code', 'NOT_FOUND');
    expect(() => chain.record('COURT', 'AMENDMENT', sampleDocument('AMENDMENT'))).to.throw(DomainError).with.property('code', 'INVALID_INPUT');
  });
});

describe('input checks', () => {
  it('lists every bad document field at once', () => {
    const chain = new Chain();
    try {
      chain.record('COURT', 'SENTENCE_HANDOVER', { correctionType: 'HOUSE_ARREST', termStart: '2024-13-01', executionPlace: 'abc' });
      expect.fail('should have been refused');
    } catch (error) {
      const paths = (error as DomainError).details.issues?.map((i) => i.path);
      expect(paths).to.include.members(['document.decisionNo', 'document.correctionType', 'document.effectiveDate', 'document.termStart', 'document.termEnd', 'document.executionPlace']);
    }
  });

  it('refuses an occurrence in the future of the transaction time', () => {
    expect(() => new Chain().record('COURT', 'SENTENCE_HANDOVER', undefined, { occurredAt: '2030-01-01T00:00:00+08:00' }))
      .to.throw(DomainError)
      .with.property('code', 'INVALID_INPUT');
  });

  /** A rule between two fields of one document is the document's own validity, not a lifecycle state. */
  const invalidFields = (run: () => unknown): string[] => {
    try {
      run();
    } catch (error) {
      expect(error).to.be.instanceOf(DomainError).with.property('code', 'INVALID_INPUT');
      return ((error as DomainError).details.issues ?? []).map((i) => i.path);
    }
    throw new Error('was accepted');
  };

  it('refuses, as invalid input naming the field, a term that ends on or before its start', () => {
    for (const termEnd of ['2023-01-01', '2024-01-10']) {
      expect(invalidFields(() => new Chain().record('COURT', 'SENTENCE_HANDOVER', sampleDocument('SENTENCE_HANDOVER', { termEnd })))).to.deep.equal(['document.termEnd']);
    }
  });

  it('refuses, naming the field, dates before 1949-10-01, unknown fields, empty or overlong names and overlong texts', () => {
    expect(invalidFields(() => new Chain().record('COURT', 'SENTENCE_HANDOVER', sampleDocument('SENTENCE_HANDOVER', { effectiveDate: '1949-09-30' })))).to.deep.equal(['document.effectiveDate']);
    expect(invalidFields(() => new Chain().record('COURT', 'SENTENCE_HANDOVER', undefined, { occurredAt: '0001-01-01T00:00:00Z' }))).to.deep.equal(['occurredAt']);
    expect(invalidFields(() => new Chain().record('COURT', 'SENTENCE_HANDOVER', sampleDocument('SENTENCE_HANDOVER', { favouriteColour: 'red' })))).to.deep.equal(['document.favouriteColour']);
    expect(invalidFields(() => new Chain().record('COURT', 'SENTENCE_HANDOVER', sampleDocument('SENTENCE_HANDOVER', { subjectName: '' })))).to.deep.equal(['document.subjectName']);
    expect(invalidFields(() => new Chain().record('COURT', 'SENTENCE_HANDOVER', sampleDocument('SENTENCE_HANDOVER', { subjectName: '张'.repeat(101) })))).to.deep.equal(['document.subjectName']);
    expect(invalidFields(() => new Chain().record('COURT', 'SENTENCE_HANDOVER', sampleDocument('SENTENCE_HANDOVER', { judgment: '文'.repeat(20_001) })))).to.deep.equal(['document.judgment']);
  });

  it('refuses a leave that ends before it starts, and accepts one of a single day', () => {
    const chain = new Chain();
    chain.record('COURT', 'SENTENCE_HANDOVER');
    chain.record('JUSTICE', 'SUBJECT_RECEIVED');
    expect(invalidFields(() => chain.record('JUSTICE', 'LEAVE_APPROVED', sampleDocument('LEAVE_APPROVED', { leaveFrom: '2024-03-05', leaveTo: '2024-03-04' })))).to.deep.equal(['document.leaveTo']);
    expect(chain.record('JUSTICE', 'LEAVE_APPROVED', sampleDocument('LEAVE_APPROVED', { leaveFrom: '2024-03-05', leaveTo: '2024-03-05' })).entry.seq).to.equal(3);
  });

  it('refuses an amendment whose corrected term would end before it starts', () => {
    const chain = new Chain();
    const handover = chain.record('COURT', 'SENTENCE_HANDOVER');
    expect(invalidFields(() => chain.record('COURT', 'AMENDMENT', sampleDocument('AMENDMENT', { corrections: { termEnd: '2023-01-01' } }), { amends: handover.entry.id }))).to.deep.equal(['document.corrections.termEnd']);
  });

  it('refuses unknown event types', () => {
    expect(() => new Chain().record('COURT', 'PARDON')).to.throw(DomainError).with.property('code', 'INVALID_INPUT');
  });
});
