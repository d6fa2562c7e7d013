import { join } from 'node:path';
import { expect } from 'chai';
import { Level } from 'level';
import { afterAttempt } from '../../gateway/src/services/webhook-attempts.js';
import { WebhookStore, type Delivery, type Webhook } from '../../gateway/src/store/webhook-store.js';
import { tempDir } from '../support/temp.js';
import { webhook } from '../support/webhooks.js';

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
    const { state: _state, failingSince: _since, pausedAt: _paused, attempts: _attempts, lastAttemptAt: _last, ...legacy } = webhook;
    await db.sublevel('webhook', { valueEncoding: 'utf8' }).put(webhook.id, JSON.stringify(legacy));
    const old = db.sublevel('delivery', { valueEncoding: 'utf8' });
    for (let n = 0; n < 50; n++) await old.put(`${webhook.id}\u0000${String(n).padStart(24, '0')}`, '{}');
    const store = await WebhookStore.open(db, 5);
    expect(await store.get(webhook.id)).to.deep.equal(webhook);
    expect(await old.keys().all()).to.deep.equal([]);
  });
});
