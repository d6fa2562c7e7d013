import { expect } from 'chai';
import { importJWK, SignJWT } from 'jose';
import { devKeyPaths, readJwk } from '../../gateway/src/keys.js';
import { sampleDocument } from '../support/documents.js';
import { residentId } from '../support/ids.js';
import { raw, type RawAnswer } from '../support/raw-http.js';
import { embeddedTarget, type EmbeddedTarget } from '../support/target.js';

const OCCURRED = '2024-01-10T09:00:00+08:00';

function expectCode(answer: RawAnswer, status: number, code: string): void {
  expect(answer.status, answer.text).to.equal(status);
  expect(answer.headers['content-type']).to.match(/^application\/problem\+json/);
  expect((answer.json as { code: string }).code).to.equal(code);
}

async function waitFor(condition: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

const paths = (answer: RawAnswer): string[] => ((answer.json as { errors?: Array<{ path: string }> }).errors ?? []).map((e) => e.path);

/** A JSON object nested `depth` levels deep under `field`, written by hand (JSON.stringify would recurse). */
const nested = (depth: number): string => `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;

describe('the gateway under hostile input', () => {
  let target: EmbeddedTarget;
  let base: string;
  let court: string;
  let justice: string;
  const handover = (document: string, id = residentId(9101)): string =>
    `{"type":"SENTENCE_HANDOVER","subject":{"idNumber":"${id}"},"occurredAt":"${OCCURRED}","document":${document}}`;
  const post = (path: string, body: string | Buffer, headers: Record<string, string> = {}, token = court) =>
    raw(base, { method: 'POST', path, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', ...headers }, body });

  before(async () => {
    target = await embeddedTarget();
    base = target.url();
    court = await target.token('COURT');
    justice = await target.token('JUSTICE');
  });
  after(() => target.close());

  describe('bodies', () => {
    it('refuses a lone surrogate in any document string with 400 naming the field, on record and verify', async () => {
      const doc = JSON.stringify(sampleDocument('SENTENCE_HANDOVER')).replace('"判决书全文"', '"\\ud800"');
      const recorded = await post('/v1/events', handover(doc));
      expectCode(recorded, 400, 'VALIDATION_FAILED');
      expect(paths(recorded)).to.deep.equal(['document.judgment']);
      const verified = await post('/v1/verify', `{"entryId":"${'0'.repeat(32)}","document":{"name":"\\udc00x"}}`);
      expectCode(verified, 400, 'VALIDATION_FAILED');
      expect(paths(verified)).to.deep.equal(['document.name']);
    });

    it('refuses null characters and invalid UTF-8 rather than replacing them, so a hash is always over what was sent', async () => {
      const withNull = await post('/v1/events', handover(JSON.stringify(sampleDocument('SENTENCE_HANDOVER', { subjectName: 'a\u0000b' }))));
      expectCode(withNull, 400, 'VALIDATION_FAILED');
      expect(paths(withNull)).to.deep.equal(['document.subjectName']);
      const bytes = Buffer.concat([Buffer.from(handover(JSON.stringify(sampleDocument('SENTENCE_HANDOVER'))).replace('判决书全文', 'XX')), Buffer.alloc(0)]);
      const at = bytes.indexOf('XX');
      bytes[at] = 0xff;
      bytes[at + 1] = 0xfe;
      const invalid = await post('/v1/events', bytes);
      expectCode(invalid, 400, 'VALIDATION_FAILED');
      expect((invalid.json as { errors: Array<{ message: string }> }).errors[0]?.message).to.include('UTF-8');
    });

    it('refuses nesting deeper than 32 levels and more than 1,000 keys, so no entry is recorded that cannot be read back', async () => {
      const deep = await post('/v1/events', handover(nested(10_000)));
      expectCode(deep, 400, 'VALIDATION_FAILED');
      expect((deep.json as { errors: Array<{ message: string }> }).errors[0]?.message).to.include('deeper than 32');
      const deepInField = await post('/v1/events', handover(JSON.stringify(sampleDocument('SENTENCE_HANDOVER')).replace('"判决书全文"', nested(40))));
      expect(paths(deepInField)[0]).to.match(/^document\.judgment(\.a)+$/);
      const keys = Object.fromEntries(Array.from({ length: 1_001 }, (_, i) => [`k${i}`, i]));
      const wide = await post('/v1/verify', JSON.stringify({ entryId: '0'.repeat(32), document: keys }));
      expectCode(wide, 400, 'VALIDATION_FAILED');
      expect((wide.json as { errors: Array<{ message: string }> }).errors[0]?.message).to.include('1000 keys');
      // Nothing was recorded: the subject has no entries.
      const lookup = await post('/v1/subjects/lookup', JSON.stringify({ idNumber: residentId(9101) }));
      expectCode(lookup, 404, 'NOT_FOUND');
    });

    it('answers 415 to another charset, a content coding, or a body that is not JSON', async () => {
      const body = handover(JSON.stringify(sampleDocument('SENTENCE_HANDOVER')));
      const variants: Array<Record<string, string>> = [
        { 'content-type': 'application/json; charset=latin1' },
        { 'content-type': 'application/json; charset=gbk' },
        { 'content-encoding': 'br' },
        { 'content-encoding': 'gzip' },
        { 'content-type': 'text/plain' },
        { 'content-type': 'application/x-www-form-urlencoded' },
      ];
      for (const headers of variants) {
        expectCode(await post('/v1/events', body, headers), 415, 'UNSUPPORTED_MEDIA_TYPE');
      }
    });

    it('checks the token before it reads a body: a stranger gets 401 whatever it sends, or 413 for a declared oversized body', async () => {
      for (const headers of [{ 'content-type': 'application/json; charset=latin1' }, { 'content-encoding': 'gzip' }, {}] as Array<Record<string, string>>) {
        expectCode(await post('/v1/events', '{"broken', headers, 'not-a-token'), 401, 'UNAUTHENTICATED');
      }
      const huge = await raw(base, { method: 'POST', path: '/v1/events', headers: { 'content-type': 'application/json', 'content-length': String(50 * 1024 * 1024) } });
      expectCode(huge, 413, 'PAYLOAD_TOO_LARGE');
    });

    it('refuses an unknown document field, an empty name, a term ending before it starts and the year 0001, each as 400 naming the field', async () => {
      const cases: Array<[Record<string, unknown>, string, string]> = [
        [{ favouriteColour: 'red' }, OCCURRED, 'document.favouriteColour'],
        [{ subjectName: '' }, OCCURRED, 'document.subjectName'],
        [{ termEnd: '2023-01-01' }, OCCURRED, 'document.termEnd'],
        [{}, '0001-01-01T00:00:00Z', 'occurredAt'],
      ];
      for (const [extra, occurredAt, field] of cases) {
        const answer = await post('/v1/events', JSON.stringify({ type: 'SENTENCE_HANDOVER', subject: { idNumber: residentId(9102) }, occurredAt, document: sampleDocument('SENTENCE_HANDOVER', extra) }));
        expectCode(answer, 400, 'VALIDATION_FAILED');
        expect(paths(answer)).to.deep.equal([field]);
      }
    });
  });

  describe('paths and methods', () => {
    it('answers malformed percent-encoding in a path parameter with 400', async () => {
      for (const path of ['/v1/entries/%', '/v1/entries/%ff%fe', '/v1/subjects/%E0%A4%A', '/v1/webhooks/%']) {
        expectCode(await raw(base, { path, headers: { authorization: `Bearer ${court}` } }), 400, 'VALIDATION_FAILED');
      }
    });

    it('takes a number in a query only as decimal digits: an empty value, spaces, hex, exponents or a repeat are 400 naming it', async () => {
      const get = (path: string) => raw(base, { path, headers: { authorization: `Bearer ${court}` } });
      for (const [path, field] of [
        ['/v1/log/leaves?start=0&end=', 'end'],
        ['/v1/log/leaves?start=%207', 'start'],
        ['/v1/log/leaves?start=0x10', 'start'],
        ['/v1/log/inclusion?index=0&size=1e3', 'size'],
        ['/v1/log/checkpoints?limit=1001', 'limit'],
        ['/v1/log/consistency?from=1&from=2&to=3', 'from'],
      ] as const) {
        const answer = await get(path);
        expectCode(answer, 400, 'VALIDATION_FAILED');
        expect(paths(answer), path).to.include(field);
      }
      expect((await get('/v1/log/checkpoints?limit=1000')).status).to.equal(200);
    });

    it('answers an unknown method on a known route with 405 and Allow, and a preflight with 204 and no token', async () => {
      const deleted = await raw(base, { method: 'DELETE', path: '/v1/events', headers: { authorization: `Bearer ${court}` } });
      expectCode(deleted, 405, 'METHOD_NOT_ALLOWED');
      expect(deleted.headers['allow']).to.equal('POST, OPTIONS');
      const traced = await raw(base, { method: 'TRACE', path: `/v1/subjects/${'a'.repeat(64)}` });
      expectCode(traced, 405, 'METHOD_NOT_ALLOWED');
      expect(traced.headers['allow']).to.equal('GET, HEAD, OPTIONS');
      // A literal path is its own resource, not a value of the parameter beside it.
      const lookup = await raw(base, { method: 'GET', path: '/v1/subjects/lookup', headers: { authorization: `Bearer ${court}` } });
      expectCode(lookup, 405, 'METHOD_NOT_ALLOWED');
      expect(lookup.headers['allow']).to.equal('POST, OPTIONS');
      const preflight = await raw(base, { method: 'OPTIONS', path: '/v1/events', headers: { origin: 'https://elsewhere.example', 'access-control-request-method': 'POST' } });
      expect(preflight.status).to.equal(204);
      expect(preflight.headers['access-control-allow-origin']).to.equal(undefined);
      expectCode(await raw(base, { path: '/v1/nothing-here', headers: { authorization: `Bearer ${court}` } }), 404, 'NOT_FOUND');
    });
  });

  describe('tokens', () => {
    const sign = async (claims: { iat: number; exp: number }) => {
      const key = await importJWK(await readJwk(devKeyPaths(target.dataDir).agencyKey('COURT')), 'ES256');
      return new SignJWT({ agency: 'COURT', role: 'clerk' }).setProtectedHeader({ alg: 'ES256', kid: 'COURT' }).setSubject('x').setIssuedAt(claims.iat).setExpirationTime(claims.exp).sign(key);
    };
    const statusWith = async (token: string) => (await raw(base, { path: `/v1/subjects/${'a'.repeat(64)}`, headers: { authorization: `Bearer ${token}` } })).status;

    it('refuses a token that lives longer than 12 hours, or was issued in the future', async () => {
      const now = Math.floor(Date.now() / 1000);
      expect(await statusWith(await sign({ iat: now, exp: now + 100 * 365 * 86_400 }))).to.equal(401);
      expect(await statusWith(await sign({ iat: now + 86_400, exp: now + 86_400 + 3600 }))).to.equal(401);
      expect(await statusWith(await sign({ iat: now + 30, exp: now + 3600 }))).to.equal(404);
      expect(await statusWith(await sign({ iat: now, exp: now + 12 * 3600 }))).to.equal(404);
    });
  });

  describe('headers', () => {
    it('sends nosniff, frame denial and a CSP everywhere, and no-store on every /v1 answer', async () => {
      for (const path of ['/healthz', '/docs/', `/v1/subjects/${'a'.repeat(64)}`]) {
        const answer = await raw(base, { path, headers: { authorization: `Bearer ${justice}` } });
        expect(answer.headers['x-content-type-options']).to.equal('nosniff');
        expect(answer.headers['x-frame-options']).to.equal('DENY');
        expect(answer.headers['content-security-policy']).to.include("script-src 'self'").and.include("frame-ancestors 'none'");
      }
      const v1 = await raw(base, { path: `/v1/subjects/${'a'.repeat(64)}`, headers: { authorization: `Bearer ${justice}` } });
      expect(v1.headers['cache-control']).to.equal('no-store');
      // The docs page runs no inline script, so the CSP above lets it work.
      const docs = await raw(base, { path: '/docs/' });
      expect(docs.text).to.not.match(/<script>(?!\s*<\/script>)/);
    });
  });
});

describe('the gateway under a flood', () => {
  let target: EmbeddedTarget;

  before(async () => {
    target = await embeddedTarget({ RATE_LIMIT_AGENCY: '2:5', RATE_LIMIT_UNAUTHENTICATED: '1:3', CORS_ORIGINS: 'https://console.justice.example' });
  });
  after(() => target.close());

  it('answers a stranger 429 with Retry-After and RateLimit after a few refused tokens, while tokens accepted before still work', async () => {
    const subject = `/v1/subjects/${'a'.repeat(64)}`;
    const known = await target.token('COURT');
    expect((await raw(target.url(), { path: subject, headers: { authorization: `Bearer ${known}` } })).status).to.equal(404);
    const answers = [];
    for (let i = 0; i < 6; i++) answers.push(await raw(target.url(), { path: subject, headers: { authorization: 'Bearer nope' } }));
    expect(answers.map((a) => a.status)).to.deep.equal([401, 401, 401, 429, 429, 429]);
    expectCode(answers[3] as RawAnswer, 429, 'RATE_LIMITED');
    expect(Number(answers[3]?.headers['retry-after'])).to.be.greaterThan(0);
    // Like every 429, the penalty names its budget: three refused tokens, refilled in three seconds.
    expect(answers[3]?.headers['ratelimit-policy']).to.equal('"unauthenticated";q=3;w=3');
    expect(answers[3]?.headers['ratelimit']).to.match(/^"unauthenticated";r=0;t=\d+$/);
    // The address is in penalty: a token it has not shown before waits, one already accepted does not.
    const fresh = await target.token('PROCURATORATE');
    expectCode(await raw(target.url(), { path: subject, headers: { authorization: `Bearer ${fresh}` } }), 429, 'RATE_LIMITED');
    expect((await raw(target.url(), { path: subject, headers: { authorization: `Bearer ${known}` } })).status).to.equal(404);
  });

  it('answers an agency over its budget 429 with RateLimit headers, and lets it in again once tokens refill', async () => {
    const token = await target.token('POLICE', 'officer');
    // Accepted once the stranger's penalty above has passed, then remembered.
    await waitFor(async () => (await raw(target.url(), { path: `/v1/subjects/${'b'.repeat(64)}`, headers: { authorization: `Bearer ${token}` } })).status === 404);
    const statuses: number[] = [];
    let last: RawAnswer | undefined;
    for (let i = 0; i < 8; i++) {
      last = await raw(target.url(), { path: `/v1/subjects/${'b'.repeat(64)}`, headers: { authorization: `Bearer ${token}` } });
      statuses.push(last.status);
    }
    expect(statuses.slice(0, 3)).to.deep.equal([404, 404, 404]);
    expect(statuses.slice(5)).to.deep.equal([429, 429, 429]);
    expect(last?.headers['ratelimit-policy']).to.equal('"agency";q=5;w=3');
    expect(last?.headers['ratelimit']).to.match(/^"agency";r=0;t=\d+$/);
    const wait = Number(last?.headers['retry-after']);
    expect(wait).to.be.within(1, 2);
    // Retry-After is the gateway's own promise: after it, the agency is let in.
    await new Promise((resolve) => setTimeout(resolve, wait * 1000));
    expect((await raw(target.url(), { path: `/v1/subjects/${'b'.repeat(64)}`, headers: { authorization: `Bearer ${token}` } })).status).to.equal(404);
  });

  it('answers a preflight from an allowed console origin with CORS headers, and one from elsewhere without', async () => {
    const ask = (origin: string) =>
      raw(target.url(), { method: 'OPTIONS', path: '/v1/events', headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization,content-type,idempotency-key' } });
    const allowed = await ask('https://console.justice.example');
    expect(allowed.status).to.equal(204);
    expect(allowed.headers['access-control-allow-origin']).to.equal('https://console.justice.example');
    expect(String(allowed.headers['access-control-allow-headers']).toLowerCase()).to.include('idempotency-key');
    const other = await ask('https://attacker.example');
    expect(other.headers['access-control-allow-origin']).to.equal(undefined);
  });
});
