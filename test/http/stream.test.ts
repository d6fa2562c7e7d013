import { expect } from 'chai';
import type { Entry } from 'correction-chaincode/domain';
import { Api } from '../support/api.js';
import { sampleDocument } from '../support/documents.js';
import { residentId } from '../support/ids.js';
import { subscribe, waitFor } from '../support/sse.js';
import { embeddedTarget, type EmbeddedTarget } from '../support/target.js';
import { expectProblem } from './scenario.suite.js';

describe('the notice stream (server-sent events)', () => {
  let target: EmbeddedTarget;
  let court: Api;

  before(async () => {
    target = await embeddedTarget();
    court = new Api(target, 'COURT');
  });
  after(() => target.close());

  const handover = async (n: number) => {
    const answer = await court.record('SENTENCE_HANDOVER', { idNumber: residentId(n) }, sampleDocument('SENTENCE_HANDOVER'), '2024-01-10T09:00:00+08:00');
    expect(answer.status).to.equal(201);
    return { id: answer.body.entry.id, committedAt: Date.now() };
  };

  it('delivers the court\'s handover to the justice bureau within a second of commit', async () => {
    const stream = subscribe(`${target.url()}/v1/stream`, await target.token('JUSTICE', 'officer'));
    await stream.ready;
    try {
      const { id, committedAt } = await handover(9001);
      const event = await waitFor(() => stream.events.find((e) => e.data.entry?.id === id));
      expect(event.event).to.equal('entry');
      expect(event.data.entry).to.include({ type: 'SENTENCE_HANDOVER', agency: 'COURT' });
      expect(event.receivedAt - committedAt).to.be.below(1_000);
    } finally {
      stream.close();
    }
  });

  it('gives a client that reconnects with Last-Event-ID exactly the entries it missed', async () => {
    const token = await target.token('POLICE', 'officer');
    const first = subscribe(`${target.url()}/v1/stream`, token);
    await first.ready;
    const seen = await handover(9002);
    const last = await waitFor(() => first.events.find((e) => e.data.entry?.id === seen.id));
    first.close();
    const missed = [(await handover(9003)).id, (await handover(9004)).id];
    const second = subscribe(`${target.url()}/v1/stream`, token, last.id);
    await second.ready;
    try {
      const later = (await handover(9005)).id;
      await waitFor(() => second.events.find((e) => e.data.entry?.id === later));
      expect(second.events.map((e) => e.data.entry?.id)).to.deep.equal([...missed, later]);
      const ids = second.events.map((e) => Number(e.id));
      expect(ids).to.deep.equal([...ids].sort((a, b) => a - b));
      expect(ids[0]).to.be.greaterThan(Number(last.id));
    } finally {
      second.close();
    }
  });

  it('carries only entries that concern the agency', async () => {
    const stream = subscribe(`${target.url()}/v1/stream`, await target.token('COURT'));
    await stream.ready;
    try {
      const own = await handover(9006);
      const ref = (await court.get<{ entry: Entry }>(`/v1/entries/${own.id}`)).body.entry.subjectRef;
      const received = await new Api(target, 'JUSTICE').record('SUBJECT_RECEIVED', { ref }, sampleDocument('SUBJECT_RECEIVED'), '2024-01-15T09:00:00+08:00');
      await waitFor(() => stream.events.find((e) => e.data.entry?.id === received.body.entry.id));
      // The court recorded the handover itself: it is not notified of its own entry.
      expect(stream.events.some((e) => e.data.entry?.id === own.id)).to.equal(false);
    } finally {
      stream.close();
    }
  });

  it('refuses a malformed Last-Event-ID and an anonymous client', async () => {
    expectProblem(await court.request('GET', '/v1/stream', undefined, { 'last-event-id': 'yesterday' }), 400, 'VALIDATION_FAILED');
    expect((await fetch(`${target.url()}/v1/stream`)).status).to.equal(401);
  });
});
