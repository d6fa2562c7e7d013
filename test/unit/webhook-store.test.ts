import { join } from 'node:path';
import { expect } from 'chai';
import { Level } from 'level';
import { afterAttempt, resumed } from '../../gateway/src/services/webhook-attempts.js';
import { WebhookStore, type Delivery, type Webhook } from '../../gateway/src/store/webhook-store.js';
import { tempDir } from '../support/temp.js';

const webhook: Webhook = {
  id: '6f1c2f4e-5b7a-4d3c-9a8b-1e2f3a4b5c6d', agency: 'JUSTICE', url: 'https://hooks.justice.example/', events: ['*'],
  createdAt: '2024-01-10T00:00:00.000Z', cursor: 0, state: 'active', failingSince: null, pausedAt: null, attempts: 0,
};

const failed = (next: Webhook, attempt: number): Delivery => ({
  webhookId: next.id, noticeId: 1, attempt, at: new Date().toISOString(), ok: false, status: 503, error: 'HTTP_503',
});

describe('webhook store', () => {
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let db: Level;
  beforeEach(async () => {
    dir = await tempDir();
    db = new Level(join(dir.path, 'gateway'), { valueEncoding: 'utf8' });
    await db.open();
  });
  afterEach(async () => {
    await db.close();
    await dir.remove();
  });

  it('keeps at most the log size of attempts per webhook, dropping the oldest in the same write', async () => {
    const store = await WebhookStore.open(db, 5);
    let current = webhook;
    for (let attempt = 1; attempt <= 12; attempt++) {
      current = afterAttempt(current, 1, false, new Date(), 3_600_000);
      await store.recordAttempt(current, failed(current, attempt));
    }
    const stored = await db.sublevel('delivery-log', { valueEncoding: 'utf8' }).keys().all();
    expect(stored).to.have.length(5);
    expect((await store.deliveries(webhook.id)).map((d) => d.attempt)).to.deep.equal([8, 9, 10, 11, 12]);
    expect((await store.get(webhook.id))?.attempts).to.equal(12);
  });

  it('removes a webhook with its delivery log', async () => {
    const store = await WebhookStore.open(db, 5);
    const next = afterAttempt(webhook, 1, false, new Date(), 3_600_000);
    await store.recordAttempt(next, failed(next, 1));
    await store.remove(webhook.id);
    expect(await store.get(webhook.id)).to.equal(undefined);
    expect(await db.sublevel('delivery-log', { valueEncoding: 'utf8' }).keys().all()).to.deep.equal([]);
  });

  it('reads webhooks of earlier versions as active, and drops their unbounded delivery log', async () => {
    const { state: _state, failingSince: _since, pausedAt: _paused, attempts: _attempts, ...legacy } = webhook;
    await db.sublevel('webhook', { valueEncoding: 'utf8' }).put(webhook.id, JSON.stringify(legacy));
    const old = db.sublevel('delivery', { valueEncoding: 'utf8' });
    for (let n = 0; n < 50; n++) await old.put(`${webhook.id}\u0000${String(n).padStart(24, '0')}`, '{}');
    const store = await WebhookStore.open(db, 5);
    expect(await store.get(webhook.id)).to.deep.equal(webhook);
    expect(await old.keys().all()).to.deep.equal([]);
  });
});

describe('webhook attempts', () => {
  const start = new Date('2024-01-10T00:00:00Z');
  const later = (ms: number) => new Date(start.getTime() + ms);

  it('starts a failure streak at the first failed attempt, and turns failing once it lasts the give-up time', () => {
    const first = afterAttempt(webhook, 1, false, start, 1_000);
    expect(first).to.deep.include({ state: 'active', failingSince: start.toISOString(), attempts: 1, cursor: 0 });
    const almost = afterAttempt(first, 1, false, later(999), 1_000);
    expect(almost).to.deep.include({ state: 'active', failingSince: start.toISOString() });
    const given = afterAttempt(almost, 1, false, later(1_000), 1_000);
    expect(given).to.deep.include({ state: 'failing', failingSince: start.toISOString(), pausedAt: later(1_000).toISOString(), attempts: 3, cursor: 0 });
  });

  it('ends the streak and moves the cursor when the receiver acknowledges', () => {
    const failedOnce = afterAttempt(webhook, 7, false, start, 1_000);
    expect(afterAttempt(failedOnce, 7, true, later(500), 1_000)).to.deep.include({ state: 'active', failingSince: null, cursor: 7, attempts: 2 });
  });

  it('resumes with a fresh give-up time from the same cursor', () => {
    const paused = afterAttempt(afterAttempt(webhook, 3, false, start, 1), 3, false, later(5), 1);
    expect(paused.state).to.equal('failing');
    expect(resumed(paused)).to.deep.include({ state: 'active', failingSince: null, pausedAt: null, cursor: 0, attempts: 2 });
  });
});
