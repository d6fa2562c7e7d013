import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { expect } from 'chai';
import { calculateJwkThumbprint, decodeJwt, exportJWK, generateKeyPair } from 'jose';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { runCli, startChildGateway, type ChildGateway } from '../support/child-gateway.js';
import { tempDir } from '../support/temp.js';
import { launch, newContext, screenshot, seriousViolations } from './browser.js';

/** What the browser's IndexedDB holds of the user's key: whether its private half can leave. */
const STORED_KEY_CHECK = `
  new Promise((resolve, reject) => {
    const open = indexedDB.open('keyval-store');
    open.onerror = () => reject(open.error);
    open.onsuccess = () => {
      const read = open.result.transaction('keyval').objectStore('keyval').get('correction-ledger/user-key');
      read.onsuccess = async () => {
        const key = read.result;
        const exported = await crypto.subtle.exportKey('jwk', key.privateKey).then(() => true, () => false);
        resolve({ type: key.privateKey.type, extractable: key.privateKey.extractable, exported, kid: key.kid });
      };
    };
  })`;

interface StoredKey { type: string; extractable: boolean; exported: boolean; kid: string }

/** The gateway checks iss and aud: tokens signed in the browser carry what /v1/token-claims says. */
const TOKEN_CLAIMS = { TOKEN_ISSUER: 'https://id.court.example.cn', TOKEN_AUDIENCE: 'correction-ledger' };

/**
 * Key login (秘钥登录), the whole loop in a browser: a key made in the browser, refused while no
 * directory knows it, registered by an administrator with `correction-ledger directory add`, then
 * accepted once the gateway reads its directory again — for the agency and role it was issued for only.
 */
describe('key login in a browser', function () {
  this.timeout(120_000);
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let gateway: ChildGateway;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let kid: string;

  before(async () => {
    dir = await tempDir('console-key-');
    gateway = await startChildGateway(join(dir.path, 'data'), TOKEN_CLAIMS);
    browser = await launch();
    context = await newContext(browser);
    page = await context.newPage();
  });
  after(async () => {
    await browser.close();
    await gateway.stop();
    await dir.remove();
  });

  const signIn = async (agency: string, role: string, sub: string) => {
    await page.getByLabel('机关').selectOption(agency);
    await page.getByLabel('角色').selectOption(role);
    await page.getByLabel('用户编号').fill(sub);
    await page.getByRole('button', { name: '登录' }).click();
  };

  it('makes an ES256 key in the browser whose private half cannot be exported, and shows its public JWK', async () => {
    await page.goto(`${gateway.url}/key`);
    await page.getByText('本浏览器尚无密钥。').waitFor();
    await page.getByRole('button', { name: '生成新密钥' }).click();
    kid = (await page.getByTestId('kid').textContent()) ?? '';
    expect(kid).to.match(/^[A-Za-z0-9_-]{43}$/);
    const publicJwk = JSON.parse(await page.getByLabel('导出公钥（交管理员登记）').inputValue()) as Record<string, unknown>;
    expect(publicJwk).to.include({ kty: 'EC', crv: 'P-256', kid, alg: 'ES256' });
    expect(publicJwk).not.to.have.property('d');
    expect(await calculateJwkThumbprint({ kty: 'EC', crv: 'P-256', x: String(publicJwk['x']), y: String(publicJwk['y']) })).to.equal(kid);
    const stored = await page.evaluate<StoredKey>(STORED_KEY_CHECK);
    expect(stored).to.deep.equal({ type: 'private', extractable: false, exported: false, kid });
  });

  it('is refused while no directory knows the key', async () => {
    await signIn('COURT', 'clerk', 'key-clerk');
    const alert = page.getByRole('alert');
    await alert.waitFor();
    expect(await alert.textContent()).to.include('登录被拒绝: token refused (ERR_JWKS_NO_MATCHING_KEY)');
    expect((await seriousViolations(page)).map((v) => v.id)).to.deep.equal([]);
    await screenshot(page, 'key-login');
  });

  it('signs in once the administrator registered the exported public key, for that agency and role only', async () => {
    const download = page.waitForEvent('download');
    await page.getByRole('button', { name: '导出公钥（交管理员登记）' }).click();
    const file = join(dir.path, (await download).suggestedFilename());
    await (await download).saveAs(file);
    const added = await runCli(['directory', 'add', '--jwk', file, '--agency', 'COURT', '--unit', '*', '--role', 'clerk', '--data-dir', join(dir.path, 'data')]);
    expect(added.code, added.stderr).to.equal(0);
    expect(added.stdout.trim()).to.equal(kid);
    // The gateway reads its directory file when it starts: restarted on the same port (the same browser origin).
    const port = new URL(gateway.url).port;
    await gateway.stop();
    gateway = await startChildGateway(join(dir.path, 'data'), { ...TOKEN_CLAIMS, PORT: port });
    await page.reload();
    expect(await page.getByTestId('kid').textContent(), 'the key stayed in the browser').to.equal(kid);
    await signIn('COURT', 'auditor', 'key-clerk');
    await page.getByRole('alert').waitFor();
    expect(await page.getByRole('alert').textContent()).to.include('the key was not issued for the role auditor');
    expect(await (await fetch(`${gateway.url}/v1/token-claims`)).json()).to.deep.equal({ issuer: TOKEN_CLAIMS.TOKEN_ISSUER, audience: TOKEN_CLAIMS.TOKEN_AUDIENCE, maxLifetimeSeconds: 12 * 3600 });
    const sent = page.waitForRequest((request) => request.url().endsWith('/v1/catalog'));
    await signIn('COURT', 'clerk', 'key-clerk');
    await page.getByRole('heading', { name: '请选择工作' }).waitFor();
    const token = (await sent).headers()['authorization']?.slice('Bearer '.length) ?? '';
    // Signed in at all, the gateway took iss and aud; the token also lives no longer than 15 minutes.
    const claims = decodeJwt(token);
    expect(claims).to.include({ iss: TOKEN_CLAIMS.TOKEN_ISSUER, aud: TOKEN_CLAIMS.TOKEN_AUDIENCE, sub: 'key-clerk', agency: 'COURT', role: 'clerk' });
    expect((claims.exp ?? 0) - (claims.iat ?? 0)).to.equal(15 * 60);
    expect(await page.locator('.who').textContent()).to.include('key-clerk');
    await page.getByRole('link', { name: '法院书记员：交付执行' }).click();
    await page.getByLabel('判决/决定文书号').waitFor();
  });

  it('imports a private key from a JWK file once, keeping it non-extractable', async () => {
    const fresh = await newContext(browser);
    page = await fresh.newPage();
    const { privateKey } = await generateKeyPair('ES256', { extractable: true });
    const jwk = await exportJWK(privateKey);
    const file = join(dir.path, 'officer.private.jwk');
    await writeFile(file, JSON.stringify(jwk));
    await page.goto(`${gateway.url}/key`);
    await page.getByLabel('从文件导入私钥（JWK）').setInputFiles(file);
    const shown = await page.getByTestId('kid').textContent();
    expect(shown).to.equal(await calculateJwkThumbprint({ kty: 'EC', crv: 'P-256', x: jwk.x ?? '', y: jwk.y ?? '' }));
    const stored = await page.evaluate<StoredKey>(STORED_KEY_CHECK);
    expect(stored).to.include({ extractable: false, exported: false });
    expect(await readFile(file, 'utf8')).to.include('"d"');
    await fresh.close();
  });
});
