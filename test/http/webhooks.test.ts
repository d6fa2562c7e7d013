import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect } from 'chai';
import type { z } from 'zod';
import { verifyJws } from 'correction-verifier';
import { loadConfig } from '../../gateway/src/config.js';
import { createGateway, type Gateway } from '../../gateway/src/gateway.js';
import { DeliverySchema, WebhookListSchema, WebhookSchema } from '../../gateway/src/http/responses.js';
import { devKeyPaths, mintDevToken } from '../../gateway/src/keys.js';
import { NOTICE_TYPE, readTrust } from '../../gateway/src/services/receipts.js';
import { Api } from '../support/api.js';
import { REFUSED_DESTINATIONS } from '../support/destinations.js';
import { sampleDocument } from '../support/documents.js';
import { residentId } from '../support/ids.js';
import { receiver, resolver, type Listener } from '../support/receivers.js';
import { waitFor } from '../support/sse.js';
import { embeddedTarget, type EmbeddedTarget } from '../support/target.js';
import { tempDir } from '../support/temp.js';

/** The receivers of these tests listen on loopback: the operator allows it explicitly. */
const LOOPBACK_RECEIVERS = { WEBHOOK_ALLOWED_HOSTS: '127.0.0.1', WEBHOOK_ALLOWED_ADDRESSES: '127.0.0.1/32' };

type Hook = z.output<typeof WebhookSchema>;
type WebhookList = z.output<typeof WebhookListSchema>;
type Delivery = z.output<typeof DeliverySchema>;
interface Problem {
  readonly code: string;
  readonly limit?: number;
  readonly errors: ReadonlyArray<{ readonly path: string; readonly message: string }>;
}

/** A public address the tests' resolvers give names that must be accepted; nothing ever connects to it. */
const PUBLIC = '93.184.215.14';

/** Polls an asynchronous check until it yields a value, or fails at the deadline. */
async function eventually<T>(check: () => Promise<T | undefined>, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = await check();
    if (found !== undefined) return found;
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** A sentencing handover by the court: a notice for the justice bureau (and others). */
function handover(target: EmbeddedTarget, n: number) {
  return new Api(target, 'COURT').record('SENTENCE_HANDOVER', { idNumber: residentId(n) }, sampleDocument('SENTENCE_HANDOVER'), '2024-01-10T09:00:00+08:00');
}

async function removeAll(api: Api): Promise<void> {
  for (const { id } of (await api.get<{ webhooks: Array<{ id: string }> }>('/v1/webhooks')).body.webhooks) {
    expect((await api.request('DELETE', `/v1/webhooks/${id}`)).status).to.equal(204);
  }
}

/** A webhook receiver that refuses each notice three times, then accepts it. */
function flakyReceiver(): Promise<{ url: string; attempts: Map<number, number>; accepted: Array<{ id: number; jws: string }>; server: Server }> {
  const attempts = new Map<number, number>();
  const accepted: Array<{ id: number; jws: string }> = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      const id = Number(req.headers['x-notice-id']);
      const count = (attempts.get(id) ?? 0) + 1;
      attempts.set(id, count);
      if (count <= 3) {
        res.writeHead(503).end();
        return;
      }
      accepted.push({ id, jws: body });
      res.writeHead(204).end();
    });
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      resolve({ url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`, attempts, accepted, server });
    });
  });
}

describe('webhooks', function () {
  this.timeout(60_000);

  it('deliver every notice exactly once, in order, to a receiver that fails three times, across a gateway restart', async () => {
    const dir = await tempDir();
    const receiver = await flakyReceiver();
    const start = async () => {
      const gateway = await createGateway(loadConfig({ PORT: '0', DATA_DIR: dir.path, LOG_LEVEL: 'silent', WEBHOOK_RETRY_BASE_MS: '30', ...LOOPBACK_RECEIVERS }));
      return { gateway, url: `http://127.0.0.1:${await gateway.listen()}` };
    };
    let running: { gateway: Gateway; url: string } | undefined;
    try {
      running = await start();
      const token = (agency: 'COURT' | 'JUSTICE') => mintDevToken(dir.path, { agency, role: 'clerk', sub: 'test' });
      const post = async (path: string, body: unknown, agency: 'COURT' | 'JUSTICE') => {
        const response = await fetch(`${running?.url}${path}`, { method: 'POST', headers: { authorization: `Bearer ${await token(agency)}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
        return { status: response.status, body: (await response.json()) };
      };
      const hook = await post('/v1/webhooks', { url: receiver.url, events: ['SENTENCE_HANDOVER'] }, 'JUSTICE');
      expect(hook.status).to.equal(201);
      const hookId = (hook.body as { id: string }).id;
      const recordHandover = async (n: number) => ((await post('/v1/events', { type: 'SENTENCE_HANDOVER', subject: { idNumber: residentId(n) }, occurredAt: '2024-01-10T09:00:00+08:00', document: sampleDocument('SENTENCE_HANDOVER') }, 'COURT')).body as { entry: { id: string } }).entry.id;

      const recorded = [await recordHandover(9101), await recordHandover(9102)];
      await waitFor(() => receiver.accepted.length >= 1 || undefined, 20_000);
      // Restart while the second notice is still being retried.
      await running.gateway.close();
      running = await start();
      recorded.push(await recordHandover(9103));
      await waitFor(() => receiver.accepted.length >= 3 || undefined, 30_000);
      // Once the gateway has recorded the third acknowledgement its cursor is past every notice: nothing more can come.
      const acknowledged = await eventually(async () => {
        const log = await fetch(`${running?.url}/v1/webhooks/${hookId}/deliveries`, { headers: { authorization: `Bearer ${await token('JUSTICE')}` } });
        const deliveries = (await log.json()) as Array<{ noticeId: number; ok: boolean; status: number }>;
        return deliveries.filter((d) => d.ok).length >= 3 ? deliveries : undefined;
      });

      const ids = receiver.accepted.map((a) => a.id);
      expect(ids).to.have.length(3);
      expect(ids).to.deep.equal([...new Set(ids)].sort((a, b) => a - b));
      const trust = await readTrust(devKeyPaths(dir.path).trust);
      const delivered: string[] = [];
      for (const { jws } of receiver.accepted) {
        const payload = await verifyJws(jws, trust.agencies.JUSTICE?.gatewayKeys ?? [], NOTICE_TYPE);
        expect(payload, 'signed by the justice bureau gateway').to.not.equal(undefined);
        delivered.push((JSON.parse(new TextDecoder().decode(payload)) as { data: { entry: { id: string } } }).data.entry.id);
      }
      expect(delivered).to.deep.equal(recorded);
      for (const id of ids) expect(receiver.attempts.get(id)).to.equal(4);

      expect(acknowledged.filter((d) => d.ok).map((d) => d.noticeId)).to.deep.equal(ids);
      expect(acknowledged.filter((d) => !d.ok && d.status === 503).length).to.be.at.least(6);
      const foreign = await fetch(`${running.url}/v1/webhooks/${hookId}/deliveries`, { headers: { authorization: `Bearer ${await token('COURT')}` } });
      expect(foreign.status).to.equal(404);
    } finally {
      await running?.gateway.close();
      receiver.server.close();
      await dir.remove();
    }
  });

  describe('registration', () => {
    let target: EmbeddedTarget;
    const clerks = {} as Record<'JUSTICE' | 'POLICE', Api>;
    before(async () => {
      // Names resolve by the test's own resolver; no webhook here ever has a notice to deliver.
      const names = resolver({ 'hooks.justice.test': [PUBLIC], 'public.hooks.test': [PUBLIC], 'inside.hooks.test': ['10.0.0.5'], 'mapped.hooks.test': ['::ffff:127.0.0.1'] });
      target = await embeddedTarget({ LOG_LEVEL: 'silent', WEBHOOK_ALLOWED_HOSTS: 'hooks.justice.test,*.hooks.test' }, { resolveHost: names });
      clerks.JUSTICE = new Api(target, 'JUSTICE');
      clerks.POLICE = new Api(target, 'POLICE');
    });
    afterEach(async () => {
      for (const api of Object.values(clerks)) await removeAll(api);
    });
    after(async () => {
      await target.close();
    });

    it('refuses loopback, private, link-local, metadata, mapped and oddly spelled addresses with 403 DESTINATION_REFUSED naming url', async () => {
      for (const [url, why] of REFUSED_DESTINATIONS) {
        const answer = await clerks.JUSTICE.post<Problem>('/v1/webhooks', { url, events: ['*'] });
        expect(answer.status, url).to.equal(403);
        expect(answer.body.code, url).to.equal('DESTINATION_REFUSED');
        expect(answer.body.errors, url).to.have.length(1);
        expect(answer.body.errors[0]?.path, url).to.equal('url');
        expect(answer.body.errors[0]?.message, url).to.match(why);
      }
      expect((await clerks.JUSTICE.get<WebhookList>('/v1/webhooks')).body.webhooks).to.deep.equal([]);
    });

    it('refuses hosts off the allow-list, and allowed names that resolve to a refused address', async () => {
      const refusals = [
        ['https://justice.example/hooks', /not on the allow-list/],
        ['https://hooks.justice.test.evil.example/', /not on the allow-list/],
        ['https://hooks.test/', /not on the allow-list/],
        ['https://inside.hooks.test/', /resolves to 10\.0\.0\.5 is a private address/],
        ['https://mapped.hooks.test/', /resolves to 127\.0\.0\.1 is a loopback address/],
      ] as const;
      for (const [url, why] of refusals) {
        const answer = await clerks.JUSTICE.post<Problem>('/v1/webhooks', { url });
        expect(answer.status, url).to.equal(403);
        expect(answer.body.code, url).to.equal('DESTINATION_REFUSED');
        expect(answer.body.errors[0]?.path, url).to.equal('url');
        expect(answer.body.errors[0]?.message, url).to.match(why);
      }
    });

    it('accepts a host on the allow-list whose addresses are public, as an active webhook', async () => {
      const answer = await clerks.JUSTICE.post<Hook>('/v1/webhooks', { url: 'https://HOOKS.justice.test/corrections', events: ['SENTENCE_HANDOVER'] });
      expect(answer.status).to.equal(201);
      expect(answer.headers.get('location')).to.equal(`/v1/webhooks/${answer.body.id}`);
      expect(WebhookSchema.parse(answer.body)).to.deep.include({
        agency: 'JUSTICE', url: 'https://hooks.justice.test/corrections', state: 'active', failingSince: null, pausedAt: null, attempts: 0, lastAttemptAt: null,
      });
    });

    it('refuses the eleventh webhook of an agency with 409, and takes one again once one is removed', async () => {
      const ids: string[] = [];
      for (let n = 1; n <= 10; n++) {
        const answer = await clerks.JUSTICE.post<Hook>('/v1/webhooks', { url: `https://public.hooks.test/${n}` });
        expect(answer.status).to.equal(201);
        ids.push(answer.body.id);
      }
      const eleventh = await clerks.JUSTICE.post<Problem>('/v1/webhooks', { url: 'https://public.hooks.test/11' });
      expect(eleventh.status).to.equal(409);
      expect(eleventh.body).to.deep.include({ code: 'WEBHOOK_LIMIT_REACHED', limit: 10 });
      expect((await clerks.POLICE.post('/v1/webhooks', { url: 'https://public.hooks.test/police' })).status, 'another agency has its own limit').to.equal(201);
      expect((await clerks.JUSTICE.request('DELETE', `/v1/webhooks/${String(ids[0])}`)).status).to.equal(204);
      expect((await clerks.JUSTICE.post('/v1/webhooks', { url: 'https://public.hooks.test/11' })).status).to.equal(201);
    });

    it('registers, resumes and removes for clerks only; officers and auditors read', async () => {
      const officer = new Api(target, 'JUSTICE', 'officer');
      const auditor = new Api(target, 'JUSTICE', 'auditor');
      for (const api of [officer, auditor]) {
        const answer = await api.post<Problem>('/v1/webhooks', { url: 'https://public.hooks.test/x' });
        expect(answer.status, api.role).to.equal(403);
        expect(answer.body.code).to.equal('FORBIDDEN');
      }
      const { id } = (await clerks.JUSTICE.post<Hook>('/v1/webhooks', { url: 'https://public.hooks.test/x' })).body;
      for (const api of [officer, auditor]) {
        expect((await api.request('DELETE', `/v1/webhooks/${id}`)).status, `${api.role} removes`).to.equal(403);
        expect((await api.post(`/v1/webhooks/${id}/resume`, undefined)).status, `${api.role} resumes`).to.equal(403);
        expect((await api.get<WebhookList>('/v1/webhooks')).body.webhooks.map((w) => w.id), `${api.role} lists`).to.deep.equal([id]);
        expect((await api.get(`/v1/webhooks/${id}`)).status, `${api.role} reads`).to.equal(200);
        expect((await api.get(`/v1/webhooks/${id}/deliveries`)).status, `${api.role} reads the log`).to.equal(200);
      }
      expect((await clerks.JUSTICE.get(`/v1/webhooks/${id}`)).status, 'still there').to.equal(200);
    });

    it("lists only the agency's own webhooks, and another agency's is unknown to it", async () => {
      const mine = [
        (await clerks.JUSTICE.post<Hook>('/v1/webhooks', { url: 'https://public.hooks.test/a' })).body.id,
        (await clerks.JUSTICE.post<Hook>('/v1/webhooks', { url: 'https://public.hooks.test/b' })).body.id,
      ];
      const theirs = (await clerks.POLICE.post<Hook>('/v1/webhooks', { url: 'https://public.hooks.test/c' })).body.id;
      const listed = await clerks.JUSTICE.get<WebhookList>('/v1/webhooks');
      expect(WebhookListSchema.parse(listed.body).webhooks.map((w) => w.id)).to.deep.equal(mine);
      expect(listed.body.limit).to.equal(10);
      expect((await clerks.POLICE.get<WebhookList>('/v1/webhooks')).body.webhooks.map((w) => w.id)).to.deep.equal([theirs]);
      expect((await clerks.JUSTICE.get(`/v1/webhooks/${theirs}`)).status).to.equal(404);
      expect((await clerks.JUSTICE.request('DELETE', `/v1/webhooks/${theirs}`)).status).to.equal(404);
      expect((await clerks.JUSTICE.post(`/v1/webhooks/${theirs}/resume`, undefined)).status).to.equal(404);
      expect((await clerks.POLICE.get(`/v1/webhooks/${theirs}`)).status).to.equal(200);
    });
  });

  describe('delivery to a name that resolves elsewhere later (DNS rebinding)', () => {
    it('refuses a name that resolves to a loopback address at delivery time, naming REFUSED_ADDRESS, without connecting', async () => {
      const listener = await receiver((_req, res) => res.writeHead(204).end());
      // The name resolves to a public address when registered, then to the listener's loopback address.
      let registered = false;
      const names = resolver({ 'rebind.hooks.test': () => (registered ? ['127.0.0.1'] : [PUBLIC]) });
      const target = await embeddedTarget({ LOG_LEVEL: 'silent', WEBHOOK_ALLOWED_HOSTS: '*.hooks.test', WEBHOOK_RETRY_BASE_MS: '20' }, { resolveHost: names });
      try {
        const justice = new Api(target, 'JUSTICE');
        const hook = await justice.post<Hook>('/v1/webhooks', { url: `http://rebind.hooks.test:${listener.port}/hook`, events: ['SENTENCE_HANDOVER'] });
        expect(hook.status).to.equal(201);
        registered = true;
        expect((await handover(target, 9201)).status).to.equal(201);
        const log = await eventually(async () => {
          const deliveries = (await justice.get<Delivery[]>(`/v1/webhooks/${hook.body.id}/deliveries`)).body;
          return deliveries.length >= 2 ? deliveries : undefined;
        });
        for (const delivery of log) expect(delivery).to.deep.include({ ok: false, status: null, error: 'REFUSED_ADDRESS' });
        expect(listener.connections()).to.equal(0);
        expect(names.calls.length).to.be.at.least(3);
      } finally {
        await target.close();
        await listener.close();
      }
    });
  });

  describe('delivery', () => {
    let target: EmbeddedTarget;
    let justice: Api;
    let subject = 9300;
    before(async () => {
      target = await embeddedTarget({
        LOG_LEVEL: 'silent', ...LOOPBACK_RECEIVERS, WEBHOOK_RETRY_BASE_MS: '20', WEBHOOK_GIVE_UP_HOURS: '0.0005', WEBHOOK_DELIVERY_LOG_SIZE: '5',
      });
      justice = new Api(target, 'JUSTICE');
    });
    afterEach(async () => {
      await removeAll(justice);
    });
    after(async () => {
      await target.close();
    });
    const register = async (port: number) => {
      const answer = await justice.post<Hook>('/v1/webhooks', { url: `http://127.0.0.1:${port}/hook`, events: ['SENTENCE_HANDOVER'] });
      expect(answer.status).to.equal(201);
      return answer.body.id;
    };
    const webhook = async (id: string) => WebhookSchema.parse((await justice.get(`/v1/webhooks/${id}`)).body);
    const noticeIds = (listener: Listener) => listener.requests.map((req) => Number(req.headers['x-notice-id']));

    it("delivers to a unit's webhook what is addressed to that unit and the units below it, and nothing of another county", async () => {
      const chaoyangReceiver = await receiver((_req, res) => res.writeHead(204).end());
      const haidianReceiver = await receiver((_req, res) => res.writeHead(204).end());
      try {
        const clerkOf = (unit: string) => new Api(target, 'JUSTICE', 'clerk', new Map(), { unit, unitKind: 'BUREAU' });
        for (const [unit, listener] of [['110105', chaoyangReceiver], ['110108', haidianReceiver]] as const) {
          const answer = await clerkOf(unit).post<Hook>('/v1/webhooks', { url: `http://127.0.0.1:${listener.port}/hook`, events: ['SENTENCE_HANDOVER'] });
          expect(answer.status).to.equal(201);
          expect(answer.body.unit).to.equal(unit);
        }
        const court = new Api(target, 'COURT');
        const handoverTo = (place: string) => court.record('SENTENCE_HANDOVER', { idNumber: residentId(++subject) }, sampleDocument('SENTENCE_HANDOVER', { executionPlace: place }), '2024-01-10T09:00:00+08:00');
        expect((await handoverTo('110105')).status).to.equal(201);
        await waitFor(() => chaoyangReceiver.requests.length === 1 || undefined, 10_000);
        expect((await handoverTo('110108')).status).to.equal(201);
        await waitFor(() => haidianReceiver.requests.length === 1 || undefined, 10_000);
        // Deliveries go in order: had the Chaoyang handover been Haidian's, it would have come first.
        expect(noticeIds(haidianReceiver)[0]).to.be.greaterThan(noticeIds(chaoyangReceiver)[0] ?? Infinity);
        expect(chaoyangReceiver.requests).to.have.length(1);
      } finally {
        await Promise.all([chaoyangReceiver.close(), haidianReceiver.close()]);
      }
    });

    it('does not follow a redirect: the log names REDIRECT and the target sees nothing', async () => {
      const elsewhere = await receiver((_req, res) => res.writeHead(204).end());
      const redirecting = await receiver((_req, res) => res.writeHead(302, { location: `http://127.0.0.1:${elsewhere.port}/` }).end());
      try {
        const id = await register(redirecting.port);
        await handover(target, ++subject);
        const [first] = await eventually(async () => {
          const deliveries = (await justice.get<Delivery[]>(`/v1/webhooks/${id}/deliveries`)).body;
          return deliveries.length > 0 ? deliveries : undefined;
        });
        expect(first).to.deep.include({ ok: false, status: 302, error: 'REDIRECT' });
        expect(elsewhere.connections()).to.equal(0);
      } finally {
        await Promise.all([elsewhere.close(), redirecting.close()]);
      }
    });

    it('stops deliveries at once when a webhook is removed, cutting off the attempt in flight', async () => {
      const hanging = await receiver(() => undefined);
      const control = await receiver((_req, res) => res.writeHead(204).end());
      try {
        const id = await register(hanging.port);
        await register(control.port);
        await handover(target, ++subject);
        await waitFor(() => hanging.requests.length === 1 || undefined, 10_000);
        const cutOff = new Promise<void>((resolve) => hanging.requests[0]?.socket.once('close', resolve));
        const removed = await justice.request('DELETE', `/v1/webhooks/${id}`);
        expect(removed.status).to.equal(204);
        await cutOff;
        expect((await justice.get(`/v1/webhooks/${id}`)).status).to.equal(404);
        expect((await justice.get(`/v1/webhooks/${id}/deliveries`)).status).to.equal(404);
        // The next notice reaches the webhook that remains, and not the removed one.
        await handover(target, ++subject);
        await waitFor(() => control.requests.length === 2 || undefined, 10_000);
        expect(hanging.requests).to.have.length(1);
      } finally {
        await Promise.all([hanging.close(), control.close()]);
      }
    });

    it('pauses a webhook whose receiver fails past the give-up time, and resume delivers what was pending, in order', async () => {
      let working = false;
      const flaky = await receiver((_req, res) => res.writeHead(working ? 204 : 503).end());
      const control = await receiver((_req, res) => res.writeHead(204).end());
      try {
        const id = await register(flaky.port);
        await register(control.port);
        await handover(target, ++subject);
        const failing = await eventually(async () => {
          const now = await webhook(id);
          return now.state === 'failing' ? now : undefined;
        });
        expect(failing.failingSince).to.be.a('string');
        expect(Date.parse(String(failing.pausedAt)) - Date.parse(String(failing.failingSince))).to.be.at.least(1_800);
        const attemptsWhenPaused = flaky.requests.length;
        expect(attemptsWhenPaused).to.equal(failing.attempts);

        // Paused: a new notice reaches the other webhook, but no attempt reaches the failing receiver.
        await handover(target, ++subject);
        await waitFor(() => control.requests.length === 2 || undefined, 10_000);
        expect(flaky.requests).to.have.length(attemptsWhenPaused);
        expect((await webhook(id)).state).to.equal('failing');

        working = true;
        const resumed = await justice.post<Hook>(`/v1/webhooks/${id}/resume`, undefined);
        expect(resumed.status).to.equal(200);
        expect(resumed.body).to.deep.include({ state: 'active', failingSince: null, pausedAt: null, cursor: failing.cursor });
        const pending = noticeIds(control);
        await waitFor(() => flaky.requests.length === attemptsWhenPaused + 2 || undefined, 10_000);
        expect(noticeIds(flaky).slice(attemptsWhenPaused)).to.deep.equal(pending);
        const caughtUp = await eventually(async () => {
          const now = await webhook(id);
          return now.cursor === pending.at(-1) ? now : undefined;
        });
        expect(caughtUp).to.deep.include({ state: 'active', failingSince: null });
      } finally {
        await Promise.all([flaky.close(), control.close()]);
      }
    });

    it('keeps the latest WEBHOOK_DELIVERY_LOG_SIZE attempts of a webhook', async () => {
      const failing = await receiver((_req, res) => res.writeHead(503).end());
      try {
        const id = await register(failing.port);
        await handover(target, ++subject);
        // More attempts than the log keeps: on a slow machine the give-up time may pass after fewer, so resume until then.
        const paused = await eventually(async () => {
          const now = await webhook(id);
          if (now.state !== 'failing') return undefined;
          if (now.attempts > 5) return now;
          expect((await justice.post<Hook>(`/v1/webhooks/${id}/resume`, undefined)).status).to.equal(200);
          return undefined;
        });
        expect(paused.attempts).to.be.above(5);
        const log = (await justice.get<Delivery[]>(`/v1/webhooks/${id}/deliveries`)).body;
        expect(log.map((d) => d.attempt)).to.deep.equal([4, 3, 2, 1, 0].map((back) => paused.attempts - back));
        for (const delivery of log) expect(delivery.error).to.equal('HTTP_503');
      } finally {
        await failing.close();
      }
    });
  });
});
