import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { expect } from 'chai';
import { CONSOLE_DIR } from '../../gateway/src/http/console.js';
import { CONSOLE_PAGES } from '../../gateway/src/http/console-pages.js';
import { devKeyPaths, ensureDevKeys } from '../../gateway/src/keys.js';
import { embeddedTarget, type EmbeddedTarget } from '../support/target.js';
import { tempDir } from '../support/temp.js';

/** The console as the gateway serves it, and dev mode's token route, which only dev mode has. */
describe('console serving and dev tokens', function () {
  this.timeout(60_000);

  describe('a dev-mode gateway', () => {
    let target: EmbeddedTarget;
    before(async () => {
      target = await embeddedTarget();
    });
    after(async () => {
      await target.close();
    });
    const get = (path: string, init?: RequestInit) => fetch(`${target.url()}${path}`, init);

    it('answers each of the console pages with its index.html, revalidated every time, under the CSP', async () => {
      for (const page of CONSOLE_PAGES) {
        const answer = await get(page);
        expect(answer.status, page).to.equal(200);
        expect(answer.headers.get('content-type')).to.match(/^text\/html/);
        expect(answer.headers.get('cache-control')).to.equal('no-cache');
        expect(answer.headers.get('content-security-policy')).to.include("script-src 'self'");
        const html = await answer.text();
        expect(html).to.match(/<script type="module" src="\/assets\/main-[A-Z0-9]+\.js"><\/script>/);
        expect(html, 'no inline script').not.to.match(/<script(?![^>]*\bsrc=)[^>]*>/);
      }
    });

    it('serves the content-hashed assets cached for a year, and an unknown asset as 404', async () => {
      const assets = await readdir(join(CONSOLE_DIR, 'assets'));
      expect(assets.some((name) => name.endsWith('.js'))).to.equal(true);
      for (const name of assets) {
        const answer = await get(`/assets/${name}`);
        expect(answer.status, name).to.equal(200);
        expect(answer.headers.get('cache-control')).to.equal('public, max-age=31536000, immutable');
      }
      expect((await get('/assets/main-NOPE.js')).status).to.equal(404);
    });

    it('never falls back to the app for the API, the docs, operations or unknown paths', async () => {
      for (const path of ['/v1/nothing', '/v1', '/metricsx', '/clerk/x', '/nope', '/login.php']) {
        const answer = await get(path, { headers: { accept: 'text/html' } });
        expect(answer.status, path).to.equal(404);
        expect(answer.headers.get('content-type'), path).to.match(/^application\/problem\+json/);
      }
      expect((await get('/healthz')).headers.get('content-type')).to.match(/json/);
      expect(await (await get('/docs/')).text()).to.include('swagger');
    });

    it('mints a dev token that the API accepts, for the agency, unit and role asked', async () => {
      const answer = await get('/v1/dev/tokens', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ agency: 'POLICE', role: 'officer', sub: 'officer-7', unit: '110105' }),
      });
      expect(answer.status).to.equal(201);
      const { token, expiresAt } = (await answer.json()) as { token: string; expiresAt: string };
      expect(Date.parse(expiresAt)).to.be.greaterThan(Date.now());
      const claims = JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString()) as Record<string, unknown>;
      expect(claims).to.include({ agency: 'POLICE', role: 'officer', sub: 'officer-7', unit: '110105' });
      const catalog = await get('/v1/catalog', { headers: { authorization: `Bearer ${token}` } });
      expect(catalog.status).to.equal(200);
    });

    it('refuses a malformed dev token request with 400 naming the field', async () => {
      const cases: Array<[unknown, string]> = [
        [{ agency: 'ARMY', role: 'clerk', sub: 'x' }, 'agency'],
        [{ agency: 'COURT', role: 'clerk', sub: 'a b/c' }, 'sub'],
        [{ agency: 'COURT', role: 'clerk', sub: 'x', unitKind: 'PUBLIC_SECURITY' }, 'unitKind'],
        [{ agency: 'COURT', role: 'clerk', sub: 'x', unit: '1' }, 'unit'],
        [{ agency: 'COURT', role: 'clerk', sub: 'x', extra: true }, ''],
      ];
      for (const [body, field] of cases) {
        const answer = await get('/v1/dev/tokens', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
        expect(answer.status, JSON.stringify(body)).to.equal(400);
        const problem = (await answer.json()) as { code: string; errors: Array<{ path: string }> };
        expect(problem.code).to.equal('VALIDATION_FAILED');
        if (field) expect(problem.errors.map((e) => e.path)).to.include(field);
      }
    });

    it('declares the dev token route in its OpenAPI document', async () => {
      const spec = (await (await get('/openapi.json')).json()) as { paths: Record<string, unknown> };
      expect(spec.paths).to.have.property('/v1/dev/tokens');
    });
  });

  describe('a gateway outside dev mode', () => {
    let target: EmbeddedTarget;
    let keys: Awaited<ReturnType<typeof tempDir>>;
    before(async () => {
      keys = await tempDir();
      await ensureDevKeys(keys.path);
      const paths = devKeyPaths(keys.path);
      target = await embeddedTarget({
        DEV_MODE: 'false', SUBJECT_KEY: paths.subjectKey, DOCUMENT_KEY: paths.documentKey, TOKEN_JWKS: paths.jwks,
        RECEIPT_KEY: paths.gatewayKey('COURT'), NOTE_KEY: paths.noteKey('COURT'), AGENCY: 'COURT', TRUST_FILE: paths.trust,
      });
    });
    after(async () => {
      await target.close();
      await keys.remove();
    });

    it('has no dev token route: 404, absent from its OpenAPI document, while the console is served', async () => {
      const minted = await fetch(`${target.url()}/v1/dev/tokens`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ agency: 'COURT', role: 'clerk', sub: 'x' }),
      });
      expect(minted.status).to.equal(404);
      expect((await fetch(`${target.url()}/v1/dev/tokens`, { method: 'OPTIONS' })).status).to.equal(404);
      const spec = (await (await fetch(`${target.url()}/openapi.json`)).json()) as { paths: Record<string, unknown> };
      expect(spec.paths).not.to.have.property('/v1/dev/tokens');
      expect((await fetch(`${target.url()}/login`)).status).to.equal(200);
    });
  });
});
