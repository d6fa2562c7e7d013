import { expect } from 'chai';
import type { Browser, Page } from 'playwright-core';
import { parseNote, parseTrustFileText, verifyCheckpoint } from 'correction-verifier';
import { readFile } from 'node:fs/promises';
import { devKeyPaths } from '../../gateway/src/keys.js';
import { Api } from '../support/api.js';
import { startChildGateway, type ChildGateway } from '../support/child-gateway.js';
import { sampleDocument } from '../support/documents.js';
import { residentId } from '../support/ids.js';
import { tempDir } from '../support/temp.js';
import { until } from '../support/until.js';
import { childTarget } from './child-target.js';
import { collectErrors, devSignIn as signInAsDev, launch, newContext, sayBrowserErrors, screenshot, seriousViolations } from './browser.js';

interface Listed { treeSize: number; root: string; note: string }

/** Checkpoints the console shows on a page. */
const CHECKPOINTS_PER_PAGE = 10;
/** The agencies as the console names them in Chinese. */
const AGENCY_ZH: Readonly<Record<string, string>> = { COURT: '法院', PROCURATORATE: '检察院', POLICE: '公安机关', JUSTICE: '司法行政机关' };

/** More final checkpoints than one page shows: the history pages, and consistency is proven between any two. */
const CHECKPOINTS = CHECKPOINTS_PER_PAGE + 2;

/**
 * The history of final checkpoints in a browser: listed a page at a time, each with the agencies
 * that cosigned it (verified in the browser against the trust file, or shown unverified without
 * one), and consistency between two checkpoints verified in the browser — an altered proof refused.
 */
describe('the history of final checkpoints in a browser', function () {
  this.timeout(120_000);
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let gateway: ChildGateway;
  let browser: Browser;
  let page: Page;
  let errors: string[];
  let listed: Listed[];

  const devSignIn = async (agency: string, role: string) => {
    await signInAsDev(page, agency, role);
    await page.getByRole('heading', { name: '请选择工作' }).waitFor();
  };
  const shownSizes = async () => (await page.getByTestId('checkpoint-size').allTextContents()).map(Number);

  before(async () => {
    dir = await tempDir('console-checkpoints-');
    // Short checkpoint slots: each entry, recorded once the one before is final, closes a checkpoint of its own.
    gateway = await startChildGateway(dir.path, { CHECKPOINT_INTERVAL_SECONDS: '0.05' });
    const court = new Api(childTarget(gateway, dir.path), 'COURT');
    const auditor = new Api(childTarget(gateway, dir.path), 'PROCURATORATE', 'auditor');
    for (let i = 1; i <= CHECKPOINTS; i += 1) {
      const recorded = await court.record('SENTENCE_HANDOVER', { idNumber: residentId(7000 + i) }, sampleDocument('SENTENCE_HANDOVER'), '2026-01-10T09:00:00+08:00');
      expect(recorded.status).to.equal(201);
      await until(async () => (await auditor.get<{ latestFinal: { treeSize: number } | null }>('/v1/log')).body.latestFinal?.treeSize === i, `checkpoint ${String(i)} final`);
    }
    listed = (await auditor.get<{ checkpoints: Listed[] }>(`/v1/log/checkpoints?limit=${String(CHECKPOINTS)}`)).body.checkpoints;
    expect(listed.map((c) => c.treeSize)).to.deep.equal(Array.from({ length: CHECKPOINTS }, (_, i) => CHECKPOINTS - i));
    browser = await launch();
    page = await (await newContext(browser)).newPage();
    errors = collectErrors(page);
  });
  after(async () => {
    await browser.close();
    await gateway.stop();
    await dir.remove();
  });
  afterEach(sayBrowserErrors(() => errors));

  it('reachable for every role: without a trust file the cosigners are shown as each note states them, marked unverified', async () => {
    await page.goto(`${gateway.url}/login`);
    await devSignIn('公安机关', '执法人员');
    await page.getByRole('link', { name: '最终检查点历史' }).click();
    await page.getByTestId('checkpoints').waitFor();
    expect(await shownSizes()).to.deep.equal(listed.slice(0, CHECKPOINTS_PER_PAGE).map((c) => c.treeSize));
    const named = (c: Listed) => `${parseNote(c.note).signatures.map((s) => s.name).join(', ')} (未经核验)`;
    expect(await page.getByTestId('cosigners').allTextContents()).to.deep.equal(listed.slice(0, CHECKPOINTS_PER_PAGE).map(named));
    expect((await seriousViolations(page)).map((v) => v.id)).to.deep.equal([]);
    await screenshot(page, 'checkpoints-unverified');
  });

  it('auditor: with the trust file each checkpoint\'s cosigning agencies are verified in the browser; older and newer pages', async () => {
    await page.getByRole('button', { name: '退出' }).click();
    await devSignIn('检察院', '审计人员');
    await page.getByRole('link', { name: '审计：证据核验' }).click();
    await page.getByLabel('联盟信任文件（trust.json）').setInputFiles(devKeyPaths(dir.path).trust);
    await page.getByRole('link', { name: '最终检查点历史' }).click();
    await page.getByTestId('checkpoints').waitFor();
    const trust = parseTrustFileText(await readFile(devKeyPaths(dir.path).trust, 'utf8'));
    const expected = (c: Listed) => verifyCheckpoint(c.note, trust).agencies.map((a) => AGENCY_ZH[a]).join('、');
    const firstPage = listed.slice(0, CHECKPOINTS_PER_PAGE);
    expect(firstPage.every((c) => expected(c).length > 0)).to.equal(true);
    expect(await page.getByTestId('cosigners').allTextContents()).to.deep.equal(firstPage.map(expected));
    expect(await page.getByTestId('checkpoint').first().locator('code').getAttribute('title')).to.equal(listed[0]?.root);
    expect((await seriousViolations(page)).map((v) => v.id)).to.deep.equal([]);
    await screenshot(page, 'checkpoints');
    await page.getByRole('button', { name: '较旧' }).click();
    await page.getByTestId('page-number').filter({ hasText: '第 2 页' }).waitFor();
    await page.getByTestId('checkpoints').waitFor();
    expect(await shownSizes()).to.deep.equal(listed.slice(CHECKPOINTS_PER_PAGE).map((c) => c.treeSize));
    expect(await page.getByRole('button', { name: '较旧' }).isDisabled()).to.equal(true);
    await page.getByRole('button', { name: '较新' }).click();
    await page.getByTestId('page-number').filter({ hasText: '第 1 页' }).waitFor();
    await page.getByTestId('checkpoints').waitFor();
    expect(await shownSizes()).to.deep.equal(firstPage.map((c) => c.treeSize));
  });

  it('auditor: consistency between the two newest checkpoints, then between two chosen ones, is verified in the browser', async () => {
    await page.getByRole('button', { name: '核验一致性' }).click();
    await page.getByTestId('verdict').filter({ hasText: '一致：较晚的检查点延续了较早的检查点' }).waitFor();
    const marks = await page.getByTestId('check').locator('.mark').allTextContents();
    expect(marks).to.have.length(3);
    for (const mark of marks) expect(mark).to.match(/^PASS/);
    expect(await page.getByTestId('check').last().textContent()).to.include(`${String(CHECKPOINTS - 1)} → ${String(CHECKPOINTS)}`);
    await page.getByLabel('较早的检查点（大小）').selectOption(String(CHECKPOINTS - CHECKPOINTS_PER_PAGE + 1));
    await page.getByLabel('较晚的检查点（大小）').selectOption(String(CHECKPOINTS - 1));
    await page.getByRole('button', { name: '核验一致性' }).click();
    await page.getByTestId('check').last().filter({ hasText: `${String(CHECKPOINTS - CHECKPOINTS_PER_PAGE + 1)} → ${String(CHECKPOINTS - 1)}` }).waitFor();
    expect(await page.getByTestId('verdict').textContent()).to.equal('一致：较晚的检查点延续了较早的检查点');
    expect((await seriousViolations(page)).map((v) => v.id)).to.deep.equal([]);
    await screenshot(page, 'checkpoints-consistency');
  });

  it('auditor: a consistency proof altered on its way to the browser is refused, and a reversed choice is refused before asking', async () => {
    await page.route('**/v1/log/consistency?*', async (route) => {
      const answer = await route.fetch();
      const body = (await answer.json()) as { proof: string[] };
      body.proof[0] = (body.proof[0] ?? '').replace(/^./, (c) => (c === '0' ? '1' : '0'));
      await route.fulfill({ response: answer, json: body });
    });
    await page.getByRole('button', { name: '核验一致性' }).click();
    await page.getByTestId('verdict').filter({ hasText: '不一致：证明被拒绝' }).waitFor();
    expect(await page.getByTestId('check').last().locator('.mark').textContent()).to.match(/^FAIL/);
    await page.unroute('**/v1/log/consistency?*');
    await page.getByLabel('较早的检查点（大小）').selectOption(String(CHECKPOINTS));
    await page.getByRole('button', { name: '核验一致性' }).click();
    expect(await page.getByRole('alert').textContent()).to.equal('请选择两个不同的检查点，较早（较小）的在前');
  });
});
