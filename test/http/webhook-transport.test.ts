import { readFile } from 'node:fs/promises';
import { createServer as createTlsServer } from 'node:https';
import { expect } from 'chai';
import { destinationPolicy } from '../../gateway/src/services/webhook-destinations.js';
import { createWebhookTransport, type NoticePost } from '../../gateway/src/services/webhook-transport.js';
import { closedPort, listen, receiver, resolver, type Listener } from '../support/receivers.js';
import { waitFor } from '../support/sse.js';

const notice = (url: string): NoticePost => ({ url, headers: { 'content-type': 'application/jose', 'x-notice-id': '1' }, body: 'a.b.c' });

describe('webhook transport', function () {
  this.timeout(20_000);
  const loopbackPolicy = destinationPolicy({ allowedHosts: ['127.0.0.1', 'localhost', '*.hooks.test'], allowedAddresses: ['127.0.0.1/32'] });
  const listeners: Listener[] = [];
  const track = (listener: Listener) => {
    listeners.push(listener);
    return listener;
  };
  afterEach(async () => {
    await Promise.all(listeners.splice(0).map((l) => l.close()));
  });

  it('connects to the address it checked, sending the host name it was given', async () => {
    const target = track(await receiver((_req, res) => res.writeHead(204).end()));
    const names = resolver({ 'pinned.hooks.test': ['127.0.0.1'] });
    const transport = createWebhookTransport({ policy: loopbackPolicy, resolve: names, timeoutMs: 5_000, concurrency: 4 });
    const outcome = await transport.post(notice(`http://pinned.hooks.test:${target.port}/hook`), new AbortController().signal);
    expect(outcome).to.deep.equal({ ok: true, status: 204 });
    // Resolved once, by the check; the connection asked no one else (the system resolver knows no *.hooks.test).
    expect(names.calls).to.deep.equal(['pinned.hooks.test']);
    expect(target.requests[0]?.headers.host).to.equal(`pinned.hooks.test:${target.port}`);
  });

  it('refuses a name with any refused address before connecting to any of them', async () => {
    const target = track(await receiver((_req, res) => res.writeHead(204).end()));
    const names = resolver({ 'split.hooks.test': ['127.0.0.1', '10.0.0.7'] });
    const transport = createWebhookTransport({ policy: loopbackPolicy, resolve: names, timeoutMs: 5_000, concurrency: 4 });
    const outcome = await transport.post(notice(`http://split.hooks.test:${target.port}/`), new AbortController().signal);
    expect(outcome).to.deep.equal({ ok: false, status: null, error: 'REFUSED_ADDRESS' });
    expect(target.connections()).to.equal(0);
    expect(await transport.refusal(new URL(`http://split.hooks.test:${target.port}/`))).to.deep.include({ code: 'REFUSED_ADDRESS' });
  });

  it('names a host off the allow-list REFUSED_HOST without resolving it', async () => {
    const names = resolver({});
    const transport = createWebhookTransport({ policy: loopbackPolicy, resolve: names, timeoutMs: 5_000, concurrency: 4 });
    expect(await transport.post(notice('http://elsewhere.test/'), new AbortController().signal)).to.deep.equal({ ok: false, status: null, error: 'REFUSED_HOST' });
    expect(names.calls).to.deep.equal([]);
  });

  it('does not follow a redirect: the attempt fails as REDIRECT and the target sees nothing', async () => {
    const target = track(await receiver((_req, res) => res.writeHead(204).end()));
    const redirecting = track(await receiver((_req, res) => res.writeHead(302, { location: `http://127.0.0.1:${target.port}/` }).end()));
    const transport = createWebhookTransport({ policy: loopbackPolicy, timeoutMs: 5_000, concurrency: 4 });
    const outcome = await transport.post(notice(`http://127.0.0.1:${redirecting.port}/`), new AbortController().signal);
    expect(outcome).to.deep.equal({ ok: false, status: 302, error: 'REDIRECT' });
    expect(target.connections()).to.equal(0);
  });

  it('names each way an attempt fails: ECONNREFUSED, ENOTFOUND, ETIMEDOUT, HTTP status, TLS certificate', async () => {
    const silent = track(await receiver(() => undefined));
    const failing = track(await receiver((_req, res) => res.writeHead(503).end()));
    const tls = track(
      await listen(
        createTlsServer({ key: await readFile('test/support/tls/self-signed.key.pem'), cert: await readFile('test/support/tls/self-signed.cert.pem') }),
        (_req, res) => res.writeHead(204).end(),
      ),
    );
    const transport = createWebhookTransport({ policy: loopbackPolicy, resolve: resolver({}), timeoutMs: 300, concurrency: 4 });
    const attempt = async (url: string) => transport.post(notice(url), new AbortController().signal);
    expect(await attempt(`http://127.0.0.1:${await closedPort()}/`)).to.deep.equal({ ok: false, status: null, error: 'ECONNREFUSED' });
    expect(await attempt('http://missing.hooks.test/')).to.deep.equal({ ok: false, status: null, error: 'ENOTFOUND' });
    expect(await attempt(`http://127.0.0.1:${silent.port}/`)).to.deep.equal({ ok: false, status: null, error: 'ETIMEDOUT' });
    expect(await attempt(`http://127.0.0.1:${failing.port}/`)).to.deep.equal({ ok: false, status: 503, error: 'HTTP_503' });
    expect(await attempt(`https://127.0.0.1:${tls.port}/`)).to.deep.equal({ ok: false, status: null, error: 'DEPTH_ZERO_SELF_SIGNED_CERT' });
  });

  it('abandons an attempt in flight when its signal aborts, with no outcome to record', async () => {
    const silent = track(await receiver(() => undefined));
    const transport = createWebhookTransport({ policy: loopbackPolicy, timeoutMs: 10_000, concurrency: 4 });
    const abort = new AbortController();
    const pending = transport.post(notice(`http://127.0.0.1:${silent.port}/`), abort.signal);
    await waitFor(() => silent.requests.length > 0 || undefined);
    abort.abort();
    expect(await pending).to.equal(undefined);
  });
});
