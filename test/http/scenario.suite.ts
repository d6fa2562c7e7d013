import { expect } from 'chai';
import type { z } from 'zod';
import type { VerifyResult } from 'correction-chaincode';
import { documentHash, GENESIS_HASH, type Agency, type Entry, type EventType, type SubjectStatus, type UnitKind } from 'correction-chaincode/domain';
import type { Role } from '../../gateway/src/keys.js';
import {
  AccessTrailSchema,
  EntrySchema,
  EntryWithDocumentSchema,
  LookupResultSchema,
  ProblemSchema,
  RecordedSchema,
  SubjectObligationsSchema,
  SubjectStatusSchema,
  VerifyResultSchema,
} from '../../gateway/src/http/responses.js';
import { full } from '../support/actors.js';
import { Api } from '../support/api.js';
import { sampleDocument } from '../support/documents.js';
import { residentId } from '../support/ids.js';
import { subscribe, waitFor } from '../support/sse.js';
import { testSub, type Target } from '../support/target.js';

/** Asserts a problem+json answer with its status and stable code. */
export function expectProblem(answer: { status: number; body: unknown; headers: Headers }, status: number, code: string): z.infer<typeof ProblemSchema> {
  expect(answer.status, JSON.stringify(answer.body)).to.equal(status);
  expect(answer.headers.get('content-type')).to.match(/^application\/problem\+json/);
  const problem = ProblemSchema.parse(answer.body);
  expect(problem.code).to.equal(code);
  expect(problem.status).to.equal(status);
  return problem;
}

function expectRecorded(answer: { status: number; body: unknown }): { entry: Entry; status: SubjectStatus } {
  expect(answer.status, JSON.stringify(answer.body)).to.equal(201);
  return RecordedSchema.parse(answer.body) as unknown as { entry: Entry; status: SubjectStatus };
}

/**
 * The HTTP scenarios every ledger must pass, over real HTTP against real gateways.
 * `seed` keeps subjects of different runs apart on a ledger that outlives the suite.
 */
export function scenarioSuite(makeTarget: () => Promise<Target>, seed = 0): void {
  let target: Target;
  let court: Api, justice: Api, police: Api, procuratorate: Api, auditor: Api;
  let n = seed;
  let cases: Map<string, number>;
  /** Lets an agency's gateway catch up with what the others recorded (a Fabric peer may lag by a block). */
  const caughtUp = (api: Api, ref: string) => api.sees(ref, cases.get(ref) ?? 0);
  const nextId = () => residentId(++n);

  before(async function () {
    this.timeout(120_000);
    target = await makeTarget();
    cases = new Map<string, number>();
    court = new Api(target, 'COURT', 'clerk', cases);
    justice = new Api(target, 'JUSTICE', 'officer', cases);
    police = new Api(target, 'POLICE', 'officer', cases);
    procuratorate = new Api(target, 'PROCURATORATE', 'clerk', cases);
    auditor = new Api(target, 'PROCURATORATE', 'auditor', cases);
  });
  after(async () => {
    // A before hook that failed may have left no target.
    await (target as Target | undefined)?.close();
  });

  it('carries one subject from assessment to release, each agency doing its part', async () => {
    const idNumber = nextId();
    const subject = { idNumber };
    expectRecorded(await court.record('ASSESSMENT_COMMISSIONED', subject, sampleDocument('ASSESSMENT_COMMISSIONED'), '2023-12-01T09:00:00+08:00'));
    expectRecorded(await justice.record('ASSESSMENT_OPINION', subject, sampleDocument('ASSESSMENT_OPINION'), '2023-12-10T09:00:00+08:00'));
    const handover = expectRecorded(await court.record('SENTENCE_HANDOVER', subject, sampleDocument('SENTENCE_HANDOVER'), '2024-01-10T09:00:00+08:00'));
    expect(handover.status.state).to.equal('PENDING_REPORT');
    expect(handover.entry.notify).to.deep.equal(['PROCURATORATE', 'POLICE', 'JUSTICE']);
    const ref = handover.entry.subjectRef;
    const served = expectRecorded(await court.record('DOCUMENTS_SERVED', { ref }, sampleDocument('DOCUMENTS_SERVED'), '2024-01-11T09:00:00+08:00'));
    const receipt = expectRecorded(await justice.record('HANDOVER_RECEIPT', { ref }, sampleDocument('HANDOVER_RECEIPT', { acknowledges: served.entry.id }), '2024-01-12T09:00:00+08:00'));
    // The court sees that the justice bureau received its documents, and when.
    await caughtUp(court, ref);
    const acknowledged = EntryWithDocumentSchema.parse((await court.get(`/v1/entries/${served.entry.id}`)).body);
    expect(acknowledged.answeredBy).to.deep.equal([
      { entryId: receipt.entry.id, type: 'HANDOVER_RECEIPT', agency: 'JUSTICE', occurredAt: '2024-01-12T09:00:00+08:00', recordedAt: receipt.entry.recordedAt },
    ]);
    expectRecorded(await justice.record('SUBJECT_RECEIVED', { ref }, sampleDocument('SUBJECT_RECEIVED'), '2024-01-15T09:00:00+08:00'));
    expectRecorded(await justice.record('LEAVE_APPROVED', { ref }, sampleDocument('LEAVE_APPROVED'), '2024-02-20T09:00:00+08:00'));
    expectRecorded(await justice.record('WARNING_ISSUED', { ref }, sampleDocument('WARNING_ISSUED'), '2024-04-01T09:00:00+08:00'));

    // Police look the subject up by ID number: under correction, on leave window, one warning, may not leave the country.
    await caughtUp(police, ref);
    const looked = await police.post('/v1/subjects/lookup', { idNumber });
    expect(looked.status).to.equal(200);
    const status = full(LookupResultSchema.parse(looked.body).status);
    expect(status).to.include({ state: 'UNDER_CORRECTION', warningCount: 1, mayLeaveCountry: false, termEnd: '2025-01-09' });
    expect(status.leave).to.deep.equal({ from: '2024-03-01', to: '2024-03-05' });

    const released = expectRecorded(await justice.record('CORRECTION_RELEASED', { ref }, sampleDocument('CORRECTION_RELEASED'), '2025-01-09T10:00:00+08:00'));
    expect(released.status.state).to.equal('RELEASED');

    await caughtUp(police, ref);
    const chain = await police.get(`/v1/subjects/${ref}/entries`);
    expect(chain.status).to.equal(200);
    const entries = (chain.body as unknown[]).map((e) => EntrySchema.parse(e));
    expect(entries.map((e) => e.type)).to.deep.equal([
      'ASSESSMENT_COMMISSIONED', 'ASSESSMENT_OPINION', 'SENTENCE_HANDOVER', 'DOCUMENTS_SERVED', 'HANDOVER_RECEIPT',
      'SUBJECT_RECEIVED', 'LEAVE_APPROVED', 'WARNING_ISSUED', 'CORRECTION_RELEASED',
    ]);
    entries.forEach((entry, i) => expect(entry.prevHash).to.equal(i === 0 ? GENESIS_HASH : entries[i - 1]?.hash));

    await caughtUp(court, ref);
    const final = await court.get(`/v1/subjects/${ref}`);
    expect(SubjectStatusSchema.parse(final.body)).to.include({ state: 'RELEASED', mayLeaveCountry: true, entryCount: 9 });

    await caughtUp(auditor, ref);
    const audit = await auditor.get(`/v1/audit?subject=${ref}`);
    expect(audit.status).to.equal(200);
    expect(audit.body).to.include({ ok: true, entries: 9 });
  });

  it('revokes a probation after absconding and commits the subject to prison', async () => {
    const subject = { idNumber: nextId() };
    const { entry } = expectRecorded(await court.record('SENTENCE_HANDOVER', subject, sampleDocument('SENTENCE_HANDOVER'), '2024-01-10T09:00:00+08:00'));
    const ref = entry.subjectRef;
    expectRecorded(await justice.record('SUBJECT_RECEIVED', { ref }, sampleDocument('SUBJECT_RECEIVED'), '2024-01-15T09:00:00+08:00'));
    expectRecorded(await justice.record('LOST_CONTACT', { ref }, sampleDocument('LOST_CONTACT'), '2024-02-02T09:00:00+08:00'));
    await caughtUp(police, ref);
    const absconded = await police.get(`/v1/subjects/${ref}`);
    expect(SubjectStatusSchema.parse(absconded.body).flags.absconded).to.equal(true);
    expectRecorded(await police.record('SUBJECT_LOCATED', { ref }, sampleDocument('SUBJECT_LOCATED'), '2024-02-04T09:00:00+08:00'));
    expectRecorded(await justice.record('REVOCATION_PROPOSED', { ref }, sampleDocument('REVOCATION_PROPOSED'), '2024-02-05T09:00:00+08:00'));
    expectRecorded(await court.record('ARREST_DECIDED', { ref }, sampleDocument('ARREST_DECIDED'), '2024-02-06T09:00:00+08:00'));
    const revoked = expectRecorded(await court.record('REVOCATION_RULED', { ref }, sampleDocument('REVOCATION_RULED'), '2024-02-20T09:00:00+08:00'));
    expect(revoked.status.state).to.equal('REVOKED');
    const committed = expectRecorded(await police.record('COMMITTED_TO_PRISON', { ref }, sampleDocument('COMMITTED_TO_PRISON'), '2024-02-21T09:00:00+08:00'));
    expect(committed.status).to.include({ state: 'COMMITTED', mayLeaveCountry: false });
    // A terminal state accepts no further lifecycle event.
    const late = await justice.record('WARNING_ISSUED', { ref }, sampleDocument('WARNING_ISSUED'), '2024-03-01T09:00:00+08:00');
    expect(expectProblem(late, 409, 'ILLEGAL_TRANSITION').currentState).to.equal('COMMITTED');
  });

  it('shows an entry committed through one agency\'s gateway to every other agency', async () => {
    const { entry } = expectRecorded(await court.record('SENTENCE_HANDOVER', { idNumber: nextId() }, sampleDocument('SENTENCE_HANDOVER'), '2024-01-10T09:00:00+08:00'));
    for (const api of [justice, police, procuratorate]) {
      await api.sees(entry.subjectRef, 1);
      const seen = await api.get(`/v1/entries/${entry.id}`);
      expect(seen.status).to.equal(200);
      expect(EntryWithDocumentSchema.parse(seen.body).entry.hash).to.equal(entry.hash);
    }
  });

  it('hands a document only to agencies entitled to it, while its hash is public', async () => {
    const { entry } = expectRecorded(await court.record('SENTENCE_HANDOVER', { idNumber: nextId() }, sampleDocument('SENTENCE_HANDOVER'), '2024-01-10T09:00:00+08:00'));
    const ref = entry.subjectRef;
    expectRecorded(await justice.record('SUBJECT_RECEIVED', { ref }, sampleDocument('SUBJECT_RECEIVED'), '2024-01-15T09:00:00+08:00'));
    const proposal = expectRecorded(await justice.record('REVOCATION_PROPOSED', { ref }, sampleDocument('REVOCATION_PROPOSED'), '2024-02-05T09:00:00+08:00'));
    await caughtUp(court, ref);
    await caughtUp(police, ref);
    const forCourt = EntryWithDocumentSchema.parse((await court.get(`/v1/entries/${proposal.entry.id}`)).body);
    expect(forCourt.document).to.deep.equal(sampleDocument('REVOCATION_PROPOSED'));
    const forPolice = EntryWithDocumentSchema.parse((await police.get(`/v1/entries/${proposal.entry.id}`)).body);
    expect(forPolice.document).to.equal(undefined);
    expect(forPolice.entry.docHash).to.equal(documentHash(sampleDocument('REVOCATION_PROPOSED')));
  });

  it('verifies a document against its entry and names the check that fails', async () => {
    const document = sampleDocument('SENTENCE_HANDOVER');
    const { entry } = expectRecorded(await court.record('SENTENCE_HANDOVER', { idNumber: nextId() }, document, '2024-01-10T09:00:00+08:00'));
    await caughtUp(auditor, entry.subjectRef);
    await caughtUp(police, entry.subjectRef);
    const good = await auditor.post('/v1/verify', { entryId: entry.id, document });
    expect(VerifyResultSchema.parse(good.body)).to.deep.include({ valid: true, checks: { docHash: true, chainLink: true, entryHash: true } });
    const altered = await auditor.post('/v1/verify', { entryId: entry.id, document: { ...document, termEnd: '2030-01-01' } });
    expect(VerifyResultSchema.parse(altered.body)).to.deep.include({ valid: false, checks: { docHash: false, chainLink: true, entryHash: true } });
    const byHash = await police.post<VerifyResult>('/v1/verify', { entryId: entry.id, docHash: documentHash(document) });
    expect(byHash.body.valid).to.equal(true);
  });

  it('answers the same Idempotency-Key with the first result and records once', async () => {
    const subject = { idNumber: nextId() };
    const key = `handover-${n}-${Date.now()}`;
    const first = expectRecorded(await court.record('SENTENCE_HANDOVER', subject, sampleDocument('SENTENCE_HANDOVER'), '2024-01-10T09:00:00+08:00', {}, { 'idempotency-key': key }));
    const again = await court.record('SENTENCE_HANDOVER', subject, sampleDocument('SENTENCE_HANDOVER'), '2024-01-10T09:00:00+08:00', {}, { 'idempotency-key': key });
    expect(again.status).to.equal(201);
    expect(again.headers.get('idempotent-replayed')).to.equal('true');
    expect(again.body).to.deep.equal(JSON.parse(JSON.stringify({ ...first, receipt: again.body.receipt })));
    expect(again.body.receipt).to.equal((await court.record('SENTENCE_HANDOVER', subject, sampleDocument('SENTENCE_HANDOVER'), '2024-01-10T09:00:00+08:00', {}, { 'idempotency-key': key })).body.receipt);
    const status = await court.get<SubjectStatus>(`/v1/subjects/${first.entry.subjectRef}`);
    expect(status.body.entryCount).to.equal(1);
    const reused = await court.record('SENTENCE_HANDOVER', { idNumber: nextId() }, sampleDocument('SENTENCE_HANDOVER'), '2024-01-10T09:00:00+08:00', {}, { 'idempotency-key': key });
    expectProblem(reused, 422, 'IDEMPOTENCY_KEY_REUSED');
  });

  it('records one entry when the same Idempotency-Key arrives twice at once', async () => {
    const subject = { idNumber: nextId() };
    const key = `race-${n}-${Date.now()}`;
    const send = () => court.record('SENTENCE_HANDOVER', subject, sampleDocument('SENTENCE_HANDOVER'), '2024-01-10T09:00:00+08:00', {}, { 'idempotency-key': key });
    const [a, b] = await Promise.all([send(), send()]);
    expect([a.status, b.status]).to.deep.equal([201, 201]);
    expect(a.body.entry.id).to.equal(b.body.entry.id);
    expect((await court.get<SubjectStatus>(`/v1/subjects/${a.body.entry.subjectRef}`)).body.entryCount).to.equal(1);
  });

  describe('the lifecycle as the statutes write it', () => {
    /** A probation handed over and received: the subject is under correction. */
    const underCorrection = async (handover: Record<string, unknown> = {}): Promise<string> => {
      const { entry } = expectRecorded(await court.record('SENTENCE_HANDOVER', { idNumber: nextId() }, sampleDocument('SENTENCE_HANDOVER', handover), '2024-01-10T09:00:00+08:00'));
      expectRecorded(await justice.record('SUBJECT_RECEIVED', { ref: entry.subjectRef }, sampleDocument('SUBJECT_RECEIVED'), '2024-01-15T09:00:00+08:00'));
      return entry.subjectRef;
    };
    const statusFor = async (api: Api, ref: string) => {
      await caughtUp(api, ref);
      return SubjectStatusSchema.parse((await api.get(`/v1/subjects/${ref}`)).body);
    };

    it('L47: the court refuses an arrest; the subject stays free while the revocation is pending, and supervision goes on when it is refused', async () => {
      const ref = await underCorrection();
      expectRecorded(await justice.record('REVOCATION_PROPOSED', { ref }, sampleDocument('REVOCATION_PROPOSED', { arrestRequested: true }), '2024-02-05T09:00:00+08:00'));
      const refused = expectRecorded(await court.record('ARREST_DECIDED', { ref }, sampleDocument('ARREST_DECIDED', { approved: false }), '2024-02-06T09:00:00+08:00'));
      expect(refused.entry.facts).to.deep.equal({ approved: false });
      expect(refused.entry.notify).to.deep.equal(['PROCURATORATE', 'POLICE', 'JUSTICE']);
      const pending = await statusFor(police, ref);
      expect(pending).to.deep.include({ detention: null, flags: { absconded: false, detained: false, revocationPending: true, electronicMonitoring: false } });
      const ruled = expectRecorded(await court.record('REVOCATION_RULED', { ref }, sampleDocument('REVOCATION_RULED', { revoked: false }), '2024-02-20T09:00:00+08:00'));
      expect(ruled.status.state).to.equal('UNDER_CORRECTION');
    });

    it('L46 ¶2: a court trying a new crime revokes probation with no proposal pending, tells the other agencies, and the police commit the subject', async () => {
      const ref = await underCorrection();
      const ruling = sampleDocument('REVOCATION_RULED', { rulingNo: '(2024)沪0104刑初88号', newCrime: true, judgmentNo: '(2024)沪0104刑初88号' });
      expectProblem(await justice.record('REVOCATION_RULED', { ref }, ruling, '2024-03-01T09:00:00+08:00'), 403, 'FORBIDDEN');
      const revoked = expectRecorded(await court.record('REVOCATION_RULED', { ref }, ruling, '2024-03-01T09:00:00+08:00'));
      expect(revoked.entry.facts).to.deep.equal({ revoked: true, newCrime: true });
      expect(revoked.entry.notify).to.deep.equal(['PROCURATORATE', 'POLICE', 'JUSTICE']);
      expect(revoked.status.state).to.equal('REVOKED');
      const committed = expectRecorded(await police.record('COMMITTED_TO_PRISON', { ref }, sampleDocument('COMMITTED_TO_PRISON'), '2024-03-02T09:00:00+08:00'));
      expect(committed.status.state).to.equal('COMMITTED');
    });

    it('L44: a pardon releases the subject before the term ends; police see the ground, and the subject may leave the country', async () => {
      const ref = await underCorrection();
      const early = '2024-10-01T09:00:00+08:00';
      expect(expectProblem(await justice.record('CORRECTION_RELEASED', { ref }, sampleDocument('CORRECTION_RELEASED'), early), 409, 'ILLEGAL_TRANSITION').currentState).to.equal('UNDER_CORRECTION');
      const pardoned = expectRecorded(await justice.record('CORRECTION_RELEASED', { ref }, sampleDocument('CORRECTION_RELEASED', { ground: 'PARDON', pardonOrderNo: '主席特赦令第一号' }), early));
      expect(pardoned.status.state).to.equal('RELEASED');
      expect(await statusFor(police, ref)).to.include({ state: 'RELEASED', mayLeaveCountry: true, termEnd: '2025-01-09' });
      const entries = (await police.get(`/v1/subjects/${ref}/entries`)).body as unknown[];
      expect(EntrySchema.parse(entries.at(-1)).facts).to.deep.equal({ ground: 'PARDON' });
    });

    it('L28: the justice bureau commends a subject; the procuratorate is told and every agency sees the count', async () => {
      const ref = await underCorrection();
      const commended = expectRecorded(await justice.record('COMMENDATION_ISSUED', { ref }, sampleDocument('COMMENDATION_ISSUED'), '2024-05-01T09:00:00+08:00'));
      expect(commended.entry.notify).to.deep.equal(['PROCURATORATE']);
      expect(await statusFor(police, ref)).to.include({ commendationCount: 1, warningCount: 0 });
      expectProblem(await police.record('COMMENDATION_ISSUED', { ref }, sampleDocument('COMMENDATION_ISSUED'), '2024-05-02T09:00:00+08:00'), 403, 'FORBIDDEN');
    });

    it('SPPR554: a reconsideration the procuratorate answers after 7 days is on record as late; the opinion stands and the reply closes it', async () => {
      const ref = await underCorrection();
      const opinion = expectRecorded(await procuratorate.record('PROCURATORIAL_OPINION', { ref }, sampleDocument('PROCURATORIAL_OPINION', { replyWithinDays: 20 }), '2024-03-01T09:00:00+08:00'));
      const request = expectRecorded(await justice.record('RECONSIDERATION_REQUESTED', { ref }, sampleDocument('RECONSIDERATION_REQUESTED', { answers: opinion.entry.id }), '2024-03-04T09:00:00+08:00'));
      expect(request.entry.notify).to.deep.equal(['PROCURATORATE']);
      const answer = expectRecorded(await procuratorate.record('RECONSIDERATION_ANSWERED', { ref }, sampleDocument('RECONSIDERATION_ANSWERED', { answers: request.entry.id }), '2024-03-13T09:00:00+08:00'));
      expect(answer.entry.notify).to.deep.equal(['JUSTICE']);
      expect(answer.status.openMatters).to.have.length(1);
      const reply = expectRecorded(await justice.record('PROCURATORIAL_REPLY', { ref }, sampleDocument('PROCURATORIAL_REPLY', { answers: opinion.entry.id, adopted: true }), '2024-03-15T09:00:00+08:00'));
      expect(reply.status.openMatters).to.deep.equal([]);

      await caughtUp(procuratorate, ref);
      const { obligations } = SubjectObligationsSchema.parse((await procuratorate.get(`/v1/subjects/${ref}/obligations`)).body);
      const byRule = new Map(obligations.map((o) => [o.rule, o]));
      expect(byRule.get('RECONSIDERATION_ANSWERED')).to.include({
        startedBy: request.entry.id, metBy: answer.entry.id, state: 'late', agency: 'PROCURATORATE', basis: 'SPPR554',
        dueAt: new Date('2024-03-11T23:59:59.999+08:00').toISOString(),
      });
      expect(byRule.get('PROCURATORIAL_REPLY')).to.include({ metBy: reply.entry.id, state: 'met', dueAt: new Date('2024-03-21T23:59:59.999+08:00').toISOString() });
      const asked = EntryWithDocumentSchema.parse((await procuratorate.get(`/v1/entries/${request.entry.id}`)).body);
      expect(asked.answeredBy.map((a) => a.entryId)).to.deep.equal([answer.entry.id]);
    });

    it('L34 ¶2: the procuratorate records a subject\'s complaint for the justice bureau; the court gets no copy and the ledger no text', async () => {
      const ref = await underCorrection();
      const document = sampleDocument('COMPLAINT_RECEIVED');
      const complaint = expectRecorded(await procuratorate.record('COMPLAINT_RECEIVED', { ref }, document, '2024-03-02T09:00:00+08:00'));
      expect(complaint.entry.notify).to.deep.equal(['JUSTICE']);
      expect(complaint.entry.facts).to.deep.equal({});
      expect(JSON.stringify(complaint.entry)).to.not.include(String(document['complaint']));
      await caughtUp(justice, ref);
      expect(EntryWithDocumentSchema.parse((await justice.get(`/v1/entries/${complaint.entry.id}`)).body).document).to.deep.equal(document);
      await caughtUp(court, ref);
      expect(EntryWithDocumentSchema.parse((await court.get(`/v1/entries/${complaint.entry.id}`)).body).document).to.equal(undefined);
      expectProblem(await justice.record('COMPLAINT_RECEIVED', { ref }, document, '2024-03-03T09:00:00+08:00'), 403, 'FORBIDDEN');
    });
  });

  describe('units: two counties and a sealed subject', () => {
    const CHAOYANG = '110105';
    const HAIDIAN = '110108';
    const of = (agency: Agency, role: Role, unit: string, unitKind?: UnitKind) => new Api(target, agency, role, cases, { unit, ...(unitKind ? { unitKind } : {}) });
    const CASE = { caseNumber: '(2024)京0105刑初123号', reason: 'CASE_HANDLING' } as const;
    const withPurpose = `?caseNumber=${encodeURIComponent(CASE.caseNumber)}&reason=${CASE.reason}`;
    /** An event sent as is: a unit outside the jurisdiction cannot wait to see the subject first. */
    const attempt = (api: Api, type: EventType, ref: string, occurredAt: string) => api.post('/v1/events', { type, subject: { ref }, occurredAt, document: sampleDocument(type) });

    it('L27, L8, L9: a handover to Chaoyang, a change of place to Haidian; Chaoyang\'s justice bureau is refused afterwards and Haidian\'s is told and takes over', async () => {
      const courtChaoyang = of('COURT', 'clerk', CHAOYANG);
      const justiceChaoyang = of('JUSTICE', 'officer', CHAOYANG, 'BUREAU');
      const justiceHaidian = of('JUSTICE', 'officer', HAIDIAN, 'BUREAU');
      const policeHaidian = of('POLICE', 'officer', HAIDIAN);
      const handover = expectRecorded(await courtChaoyang.record('SENTENCE_HANDOVER', { idNumber: nextId() }, sampleDocument('SENTENCE_HANDOVER', { executionPlace: CHAOYANG }), '2024-01-10T09:00:00+08:00'));
      expect(handover.entry.unit).to.equal(CHAOYANG);
      expect(handover.status).to.include({ executionPlace: CHAOYANG, decisionUnit: CHAOYANG, sealed: false });
      const ref = handover.entry.subjectRef;
      // Before the change Haidian is elsewhere: it records nothing for the subject, and reads the minimal status.
      expectProblem(await attempt(justiceHaidian, 'SUBJECT_RECEIVED', ref, '2024-01-15T09:00:00+08:00'), 403, 'FORBIDDEN');
      expectRecorded(await justiceChaoyang.record('SUBJECT_RECEIVED', { ref }, sampleDocument('SUBJECT_RECEIVED'), '2024-01-15T09:00:00+08:00'));

      const haidianStream = subscribe(`${target.url('JUSTICE')}/v1/stream`, await target.token('JUSTICE', 'officer', { unit: HAIDIAN, unitKind: 'BUREAU' }));
      try {
        await haidianStream.ready;
        const moved = expectRecorded(await justiceChaoyang.record('EXECUTION_PLACE_CHANGED', { ref }, sampleDocument('EXECUTION_PLACE_CHANGED', { executionPlace: HAIDIAN }), '2024-03-01T09:00:00+08:00'));
        expect(moved.entry.facts).to.deep.equal({ executionPlace: HAIDIAN });
        // The old and the new place's bodies are told; never the recording unit itself.
        expect(moved.entry.to).to.deep.include.members([
          { agency: 'JUSTICE', unit: HAIDIAN }, { agency: 'POLICE', unit: CHAOYANG }, { agency: 'POLICE', unit: HAIDIAN },
          { agency: 'PROCURATORATE', unit: CHAOYANG }, { agency: 'PROCURATORATE', unit: HAIDIAN }, { agency: 'COURT', unit: CHAOYANG },
        ]);
        expect(moved.entry.to).to.not.deep.include({ agency: 'JUSTICE', unit: CHAOYANG });
        const told = await waitFor(() => haidianStream.events.find((e) => e.data.entry?.id === moved.entry.id), 15_000);
        expect(told.data.entry?.type).to.equal('EXECUTION_PLACE_CHANGED');
      } finally {
        haidianStream.close();
      }

      const refused = expectProblem(await attempt(justiceChaoyang, 'WARNING_ISSUED', ref, '2024-04-01T09:00:00+08:00'), 403, 'FORBIDDEN');
      expect(refused.detail).to.match(/110108/);
      expectRecorded(await justiceHaidian.record('WARNING_ISSUED', { ref }, sampleDocument('WARNING_ISSUED'), '2024-04-01T09:00:00+08:00'));
      await caughtUp(policeHaidian, ref);
      expect(SubjectStatusSchema.parse((await policeHaidian.get(`/v1/subjects/${ref}`)).body)).to.include({ executionPlace: HAIDIAN, warningCount: 1 });
      // Chaoyang's bureau now reads what any unit elsewhere reads: the minimal status.
      const chaoyangView = await justiceChaoyang.get<Record<string, unknown>>(`/v1/subjects/${ref}`);
      expect(chaoyangView.status).to.equal(200);
      expect(chaoyangView.body).to.deep.equal({ subjectRef: ref, view: 'minimal', state: 'UNDER_CORRECTION', correctionType: 'PROBATION', mayLeaveCountry: false, absconded: false, sealed: false });
      expectProblem(await justiceChaoyang.get(`/v1/subjects/${ref}/entries`), 403, 'FORBIDDEN');
    });

    it('L54, SPCI581, PIPL28: a sealed subject — police without a purpose get 403, with one the minimal status and an access entry an auditor lists', async () => {
      const courtChaoyang = of('COURT', 'clerk', CHAOYANG);
      const justiceChaoyang = of('JUSTICE', 'officer', CHAOYANG, 'BUREAU');
      const policeChaoyang = of('POLICE', 'officer', CHAOYANG);
      const idNumber = nextId();
      const handover = expectRecorded(await courtChaoyang.record('SENTENCE_HANDOVER', { idNumber }, sampleDocument('SENTENCE_HANDOVER', { minorAtOffence: true }), '2024-01-10T09:00:00+08:00'));
      expect(handover.status).to.include({ sealed: true });
      const ref = handover.entry.subjectRef;
      expectRecorded(await justiceChaoyang.record('SUBJECT_RECEIVED', { ref }, sampleDocument('SUBJECT_RECEIVED'), '2024-01-15T09:00:00+08:00'));
      await caughtUp(justiceChaoyang, ref);

      expectProblem(await policeChaoyang.get(`/v1/subjects/${ref}`), 403, 'PURPOSE_REQUIRED');
      expectProblem(await policeChaoyang.post('/v1/subjects/lookup', { idNumber }), 403, 'PURPOSE_REQUIRED');
      const read = await policeChaoyang.get<Record<string, unknown>>(`/v1/subjects/${ref}${withPurpose}`);
      expect(read.status, JSON.stringify(read.body)).to.equal(200);
      expect(read.body).to.deep.equal({ subjectRef: ref, view: 'minimal', state: 'UNDER_CORRECTION', correctionType: 'PROBATION', mayLeaveCountry: false, absconded: false, sealed: true });
      // A purpose opens the minimal status, nothing more.
      expectProblem(await policeChaoyang.get(`/v1/subjects/${ref}/entries${withPurpose}`), 403, 'FORBIDDEN');
      // The police may not list the trail; an auditor may, and finds the police read in it.
      expectProblem(await policeChaoyang.get(`/v1/subjects/${ref}/access`), 403, 'FORBIDDEN');
      const policeRead = await waitFor(async () => {
        const trail = AccessTrailSchema.parse((await auditor.get(`/v1/subjects/${ref}/access`)).body);
        return trail.reads.find((r) => r.agency === 'POLICE');
      }, 15_000);
      expect(policeRead).to.deep.include({ unit: CHAOYANG, role: 'officer', what: 'status', view: 'minimal', purpose: CASE, entryId: null });
      expect(policeRead.sub).to.equal(testSub('POLICE', 'officer', { unit: CHAOYANG }));
      // The justice bureau of the place reads it in full, and that read is on the trail too.
      expect(full(SubjectStatusSchema.parse((await justiceChaoyang.get(`/v1/subjects/${ref}`)).body))).to.include({ state: 'UNDER_CORRECTION', sealed: true });
      await waitFor(async () => AccessTrailSchema.parse((await auditor.get(`/v1/subjects/${ref}/access`)).body).reads.find((r) => r.agency === 'JUSTICE' && r.view === 'full'), 15_000);
    });
  });

  describe('errors', () => {
    it('400 lists every bad field, of the envelope and of the document', async () => {
      const answer = await court.post('/v1/events', {
        type: 'SENTENCE_HANDOVER',
        subject: { idNumber: '110105194912310021' },
        occurredAt: 'yesterday',
        document: { correctionType: 'HOUSE_ARREST', termStart: '2024-01-10' },
        extra: true,
      });
      const paths = (expectProblem(answer, 400, 'VALIDATION_FAILED').errors ?? []).map((e) => e.path);
      expect(paths).to.include.members(['subject.idNumber', 'extra', 'occurredAt', 'document.correctionType', 'document.decisionNo', 'document.termEnd', 'document.executionPlace']);
      expect(JSON.stringify(answer.body)).to.not.include('110105194912310021');
    });

    it('400 for a malformed ID number in a lookup, 400 for a malformed reference in a URL', async () => {
      expectProblem(await police.post('/v1/subjects/lookup', { idNumber: '123' }), 400, 'VALIDATION_FAILED');
      expectProblem(await police.get('/v1/subjects/not-a-ref'), 400, 'VALIDATION_FAILED');
    });

    it('401 without a token or with a bad one', async () => {
      const none = await fetch(`${target.url('COURT')}/v1/subjects/${'a'.repeat(64)}`);
      expect(none.status).to.equal(401);
      expect(none.headers.get('www-authenticate')).to.equal('Bearer');
      expect(((await none.json()) as { code: string }).code).to.equal('UNAUTHENTICATED');
      const token = await target.token('COURT');
      const forged = `${token.slice(0, -4)}${token.slice(-4) === 'AAAA' ? 'BBBB' : 'AAAA'}`;
      const bad = await fetch(`${target.url('COURT')}/v1/subjects/${'a'.repeat(64)}`, { headers: { authorization: `Bearer ${forged}` } });
      expect(bad.status).to.equal(401);
    });

    it('403 when the agency may not record the event, or an auditor tries to write', async () => {
      const { entry } = expectRecorded(await court.record('SENTENCE_HANDOVER', { idNumber: nextId() }, sampleDocument('SENTENCE_HANDOVER'), '2024-01-10T09:00:00+08:00'));
      const ref = entry.subjectRef;
      expectRecorded(await justice.record('SUBJECT_RECEIVED', { ref }, sampleDocument('SUBJECT_RECEIVED'), '2024-01-15T09:00:00+08:00'));
      expectProblem(await police.record('CORRECTION_RELEASED', { ref }, sampleDocument('CORRECTION_RELEASED'), '2025-02-01T09:00:00+08:00'), 403, 'FORBIDDEN');
      expectProblem(await auditor.record('PROCURATORIAL_OPINION', { ref }, sampleDocument('PROCURATORIAL_OPINION'), '2025-02-01T09:00:00+08:00'), 403, 'FORBIDDEN');
      await caughtUp(court, ref);
      expect((await court.get<SubjectStatus>(`/v1/subjects/${ref}`)).body.entryCount).to.equal(2);
    });

    it('404 for an unknown subject or entry', async () => {
      expectProblem(await police.get(`/v1/subjects/${'a'.repeat(64)}`), 404, 'NOT_FOUND');
      expectProblem(await police.get(`/v1/subjects/${'a'.repeat(64)}/entries`), 404, 'NOT_FOUND');
      expectProblem(await police.get(`/v1/entries/${'b'.repeat(32)}`), 404, 'NOT_FOUND');
      expectProblem(await police.post('/v1/subjects/lookup', { idNumber: nextId() }), 404, 'NOT_FOUND');
      expectProblem(await justice.record('SUBJECT_RECEIVED', { idNumber: nextId() }, sampleDocument('SUBJECT_RECEIVED'), '2024-01-15T09:00:00+08:00'), 404, 'NOT_FOUND');
    });

    it('409 for an illegal lifecycle step, naming the current state', async () => {
      const { entry } = expectRecorded(await court.record('SENTENCE_HANDOVER', { idNumber: nextId() }, sampleDocument('SENTENCE_HANDOVER'), '2024-01-10T09:00:00+08:00'));
      const answer = await justice.record('CORRECTION_RELEASED', { ref: entry.subjectRef }, sampleDocument('CORRECTION_RELEASED'), '2025-02-01T09:00:00+08:00');
      expect(expectProblem(answer, 409, 'ILLEGAL_TRANSITION').currentState).to.equal('PENDING_REPORT');
      expect((await court.get<SubjectStatus>(`/v1/subjects/${entry.subjectRef}`)).body.entryCount).to.equal(1);
    });
  });
}
