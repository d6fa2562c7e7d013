import { expect } from 'chai';
import { documentHash } from 'correction-chaincode/domain';
import { pauseLedger, resumeLedger } from '../../gateway/src/ledger/embedded/maintenance.js';
import { devKeyPaths } from '../../gateway/src/keys.js';
import { EntrySchema, RecordedSchema, SubmissionSchema } from '../../gateway/src/http/responses.js';
import { readTrust, verifyReceipt } from '../../gateway/src/services/receipts.js';
import { Api, type Answer } from '../support/api.js';
import { sampleDocument } from '../support/documents.js';
import { residentId } from '../support/ids.js';
import { subscribe, waitFor } from '../support/sse.js';
import { embeddedTarget, type EmbeddedTarget } from '../support/target.js';
import { expectProblem } from './scenario.suite.js';

type Submission = ReturnType<typeof SubmissionSchema.parse>;
interface NoticeData {
  readonly submission: { readonly id: string };
}

/**
 * The outbox on the embedded ledger, made unreachable the way an operator does it: the ledger is
 * paused for maintenance (`correction-ledger pause`) and takes no transaction until resumed.
 */
describe('the outbox while the ledger is paused', function () {
  this.timeout(60_000);
  let target: EmbeddedTarget;
  let court: Api;
  let justice: Api;
  let n = 40_000;

  before(async () => {
    target = await embeddedTarget({ OUTBOX_RETRY_BASE_MS: '20', OUTBOX_RETRY_MAX_MS: '200' });
    court = new Api(target, 'COURT');
    justice = new Api(target, 'JUSTICE', 'officer');
  });
  afterEach(() => resumeLedger(target.dataDir));
  after(() => target.close());

  /** A subject handed over and received: warnings and leave may be recorded for it. */
  async function underCorrection(): Promise<string> {
    const handover = await court.record('SENTENCE_HANDOVER', { idNumber: residentId(++n) }, sampleDocument('SENTENCE_HANDOVER'), '2024-01-10T09:00:00+08:00');
    const ref = RecordedSchema.parse(handover.body).entry.subjectRef;
    expect((await justice.record('SUBJECT_RECEIVED', { ref }, sampleDocument('SUBJECT_RECEIVED'), '2024-01-15T09:00:00+08:00')).status).to.equal(201);
    return ref;
  }

  const warning = (ref: string, decisionNo: string, key?: string) =>
    justice.post('/v1/events', { type: 'WARNING_ISSUED', subject: { ref }, occurredAt: '2024-04-01T09:00:00+08:00', document: sampleDocument('WARNING_ISSUED', { decisionNo }) }, key ? { 'idempotency-key': key } : {});

  function expectAccepted(answer: Answer): Submission {
    expect(answer.status, JSON.stringify(answer.body)).to.equal(202);
    const submission = SubmissionSchema.parse(answer.body);
    expect(answer.headers.get('location')).to.equal(`/v1/submissions/${submission.id}`);
    expect(submission.state).to.equal('pending');
    return submission;
  }

  /** Polls a submission until it settles (or the deadline passes). */
  async function settled(api: Api, id: string, timeoutMs = 20_000): Promise<Submission> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const answer = await api.get(`/v1/submissions/${id}`);
      expect(answer.status).to.equal(200);
      const submission = SubmissionSchema.parse(answer.body);
      if (submission.state !== 'pending') return submission;
      if (Date.now() > deadline) throw new Error(`submission ${id} still pending after ${timeoutMs} ms`);
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  }

  it('accepts keyed requests with 202, keeps them pending, and commits them in order per subject once the ledger is back', async () => {
    const [a, b] = [await underCorrection(), await underCorrection()];
    await pauseLedger(target.dataDir, 'backup of the ledger files');
    const sent: Array<{ ref: string; decisionNo: string; key: string; submission: Submission }> = [];
    for (let i = 1; i <= 3; i++) {
      for (const ref of [a, b]) {
        const decisionNo = `W-${ref.slice(0, 6)}-${i}`;
        const key = `warning-${decisionNo}`;
        sent.push({ ref, decisionNo, key, submission: expectAccepted(await warning(ref, decisionNo, key)) });
      }
    }
    for (const { submission } of sent) {
      expect(SubmissionSchema.parse((await justice.get(`/v1/submissions/${submission.id}`)).body)).to.include({ state: 'pending', subjectRef: submission.subjectRef });
    }
    // A retry of a pending submission gets the same submission; the key with another request is refused.
    const first = sent[0] as (typeof sent)[number];
    expect(expectAccepted(await warning(first.ref, first.decisionNo, first.key)).id).to.equal(first.submission.id);
    expectProblem(await warning(first.ref, 'W-other', first.key), 422, 'IDEMPOTENCY_KEY_REUSED');
    // Without a key nothing is queued: the ledger is known not to have it.
    const unkeyed = await warning(a, 'W-unkeyed');
    expectProblem(unkeyed, 503, 'LEDGER_UNAVAILABLE');
    expect(unkeyed.headers.get('retry-after')).to.equal('5');
    expect((await justice.get<{ entryCount: number }>(`/v1/subjects/${a}`)).body.entryCount).to.equal(2);

    await resumeLedger(target.dataDir);
    const trust = await readTrust(devKeyPaths(target.dataDir).trust);
    for (const { submission } of sent) {
      const done = await settled(justice, submission.id);
      expect(done.state).to.equal('committed');
      const entry = EntrySchema.parse(done.entry);
      const claims = await verifyReceipt(done.receipt ?? '', trust);
      expect(claims).to.include({ entryId: entry.id, entryHash: entry.hash, txId: entry.txId });
    }
    for (const ref of [a, b]) {
      // Each warning's document names its decision: the chain holds them once each, in the order sent.
      const chain = (await justice.get(`/v1/subjects/${ref}/entries`)).body as Array<{ type: string; docHash: string }>;
      const warnings = chain.filter((e) => e.type === 'WARNING_ISSUED').map((e) => e.docHash);
      expect(warnings).to.deep.equal(sent.filter((s) => s.ref === ref).map((s) => documentHash(sampleDocument('WARNING_ISSUED', { decisionNo: s.decisionNo }))));
    }
    // Once committed, the key answers with the entry.
    const replay = await warning(first.ref, first.decisionNo, first.key);
    expect(replay.status).to.equal(201);
    expect(replay.headers.get('idempotent-replayed')).to.equal('true');
    expect(RecordedSchema.parse(replay.body).entry.id).to.equal((await settled(justice, first.submission.id)).entry?.id);
  });

  it('refuses at drain what the ledger refuses, keeps the problem on the submission and tells the agency on its stream', async () => {
    const handover = await court.record('SENTENCE_HANDOVER', { idNumber: residentId(++n) }, sampleDocument('SENTENCE_HANDOVER'), '2024-01-10T09:00:00+08:00');
    const ref = RecordedSchema.parse(handover.body).entry.subjectRef;
    const stream = subscribe(`${target.url()}/v1/stream`, await target.token('JUSTICE', 'officer'), String(target.gateway.log.lastNoticeId));
    await stream.ready;
    try {
      await pauseLedger(target.dataDir, 'maintenance');
      // Not yet received: a warning is not allowed while the subject is PENDING_REPORT.
      const key = `early-warning-${ref}`;
      const accepted = expectAccepted(await warning(ref, 'W-early', key));
      await resumeLedger(target.dataDir);
      const refused = await settled(justice, accepted.id);
      expect(refused.state).to.equal('refused');
      expect(refused.problem).to.include({ code: 'ILLEGAL_TRANSITION', status: 409, currentState: 'PENDING_REPORT' });
      expect(refused.entry).to.equal(undefined);

      const refusedNotice = (e: { event: string; data: unknown }) => e.event === 'submission-refused' && (e.data as NoticeData).submission.id === accepted.id;
      const notice = await waitFor(() => stream.events.find(refusedNotice));
      expect((notice.data as NoticeData).submission).to.deep.include({ state: 'refused', subjectRef: ref, type: 'WARNING_ISSUED' });
      expect(JSON.stringify(notice.data)).to.not.include('W-early');
      // Its key keeps answering with the refusal; another agency does not see the submission at all.
      const again = await warning(ref, 'W-early', key);
      expectProblem(again, 409, 'ILLEGAL_TRANSITION');
      expectProblem(await court.get(`/v1/submissions/${accepted.id}`), 404, 'NOT_FOUND');
      expect(stream.events.filter(refusedNotice)).to.have.length(1);
    } finally {
      stream.close();
    }
  });

  it('answers 404 for a submission id it does not know and 400 for one that is not a UUID', async () => {
    expectProblem(await justice.get('/v1/submissions/00000000-0000-4000-8000-000000000000'), 404, 'NOT_FOUND');
    expectProblem(await justice.get('/v1/submissions/not-a-uuid'), 400, 'VALIDATION_FAILED');
  });
});

describe('a subject with submissions waiting for the ledger', function () {
  this.timeout(60_000);
  let target: EmbeddedTarget;

  // The drainer waits two seconds after a failed attempt: long enough for the ledger to be back
  // while the subject's first submission is still pending.
  before(async () => {
    target = await embeddedTarget({ OUTBOX_RETRY_BASE_MS: '2000', OUTBOX_RETRY_MAX_MS: '2000' });
  });
  afterEach(() => resumeLedger(target.dataDir));
  after(() => target.close());

  it('takes a new keyed request behind them even when the ledger is back, and refuses an unkeyed one', async () => {
    const court = new Api(target, 'COURT');
    const justice = new Api(target, 'JUSTICE', 'officer');
    const handover = await court.record('SENTENCE_HANDOVER', { idNumber: residentId(48_000) }, sampleDocument('SENTENCE_HANDOVER'), '2024-01-10T09:00:00+08:00');
    const ref = RecordedSchema.parse(handover.body).entry.subjectRef;
    const record = (type: 'SUBJECT_RECEIVED' | 'WARNING_ISSUED', key?: string) =>
      justice.post('/v1/events', { type, subject: { ref }, occurredAt: '2024-04-01T09:00:00+08:00', document: sampleDocument(type) }, key ? { 'idempotency-key': key } : {});

    await pauseLedger(target.dataDir, 'maintenance');
    const received = await record('SUBJECT_RECEIVED', `received-${ref}`);
    expect(received.status).to.equal(202);
    await resumeLedger(target.dataDir);
    // The ledger takes transactions again, but the reception is still waiting: a warning sent
    // straight away would be refused as illegal before it. It queues instead.
    const queued = await record('WARNING_ISSUED', `warning-${ref}`);
    expect(queued.status, JSON.stringify(queued.body)).to.equal(202);
    expectProblem(await record('WARNING_ISSUED'), 503, 'LEDGER_UNAVAILABLE');

    const deadline = Date.now() + 20_000;
    let states: string[] = [];
    while (Date.now() < deadline) {
      states = await Promise.all([received, queued].map(async (answer) => SubmissionSchema.parse((await justice.get(`/v1/submissions/${(answer.body as { id: string }).id}`)).body).state));
      if (states.every((state) => state !== 'pending')) break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(states).to.deep.equal(['committed', 'committed']);
    const chain = (await justice.get(`/v1/subjects/${ref}/entries`)).body as Array<{ type: string }>;
    expect(chain.map((e) => e.type)).to.deep.equal(['SENTENCE_HANDOVER', 'SUBJECT_RECEIVED', 'WARNING_ISSUED']);
  });
});
