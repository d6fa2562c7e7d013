import { createHash } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { expect } from 'chai';
import type { Browser, BrowserContext, Page, Request } from 'playwright-core';
import type { Agency, EventType } from 'correction-chaincode/domain';
import { devKeyPaths } from '../../gateway/src/keys.js';
import { Api } from '../support/api.js';
import { bundleOnceFinal } from '../support/checkpoints.js';
import { startChildGateway, type ChildGateway } from '../support/child-gateway.js';
import { sampleDocument } from '../support/documents.js';
import { uploadFile } from '../support/file-transfer.js';
import { residentId } from '../support/ids.js';
import { samplePdf, sha256 } from '../support/sample-files.js';
import { tempDir } from '../support/temp.js';
import { childTarget } from './child-target.js';
import { collectErrors, devSignIn as signInAsDev, launch, newContext, sayBrowserErrors, screenshot, seriousViolations } from './browser.js';

/** A small, well-formed PDF: one empty page. */
const PDF = Buffer.from(
  '%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n' +
    '3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n',
);

/**
 * Each role's main job, end to end, in Debian's chromium against a real gateway (a child process
 * on the embedded ledger). Every page is checked with axe-core and photographed for the README.
 */
describe('the agency console in a browser', function () {
  this.timeout(120_000);
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let gateway: ChildGateway;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let errors: string[];
  const requests: Request[] = [];
  const idNumber = residentId(4242);
  let judgmentPdf: string;
  const judgmentHash = createHash('sha256').update(PDF).digest('hex');

  let police: Api;
  let auditor: Api;
  const lookUp = async (id: string) => (await police.post<{ status: { entryCount: number; lastEntryId: string } }>('/v1/subjects/lookup', { idNumber: id })).body.status;
  const record = async (agency: Agency, type: EventType, id: string) => {
    const answer = await new Api(childTarget(gateway, dir.path), agency).record(type, { idNumber: id }, sampleDocument(type), '2026-01-10T09:00:00+08:00');
    expect(answer.status, JSON.stringify(answer.body)).to.equal(201);
  };
  const expectAccessible = async (name: string) => {
    const violations = await seriousViolations(page);
    expect(violations, `${name}: ${JSON.stringify(violations, null, 1)}`).to.deep.equal([]);
    await screenshot(page, name);
  };
  const devSignIn = (agency: string, role: string, user?: string) => signInAsDev(page, agency, role, user);
  const storageText = () => page.evaluate<string>('JSON.stringify([Object.entries(localStorage), Object.entries(sessionStorage)])');

  before(async () => {
    dir = await tempDir('console-');
    judgmentPdf = join(dir.path, '判决书.pdf');
    await writeFile(judgmentPdf, PDF);
    gateway = await startChildGateway(dir.path);
    police = new Api(childTarget(gateway, dir.path), 'POLICE', 'officer');
    auditor = new Api(childTarget(gateway, dir.path), 'PROCURATORATE', 'auditor');
    browser = await launch();
    context = await newContext(browser);
    page = await context.newPage();
    errors = collectErrors(page);
    page.on('request', (request) => requests.push(request));
  });
  after(async () => {
    await browser.close();
    await gateway.stop();
    await dir.remove();
  });
  afterEach(sayBrowserErrors(() => errors));

  it('opens at the dev login, which says plainly it is dev mode and lists agencies and roles; usable at once', async () => {
    await page.goto(`${gateway.url}/`);
    await page.getByRole('button', { name: '登录' }).waitFor();
    const cold = await usableAfterMs(page);
    await page.reload();
    await page.getByRole('button', { name: '登录' }).waitFor();
    process.stdout.write(`      console: first page usable ${cold} ms after navigation start (first load), ${await usableAfterMs(page)} ms (reload)\n`);
    expect(await page.getByRole('note').textContent()).to.include('开发模式');
    expect(await page.getByRole('heading', { name: '开发模式登录' }).count()).to.equal(1);
    for (const agency of ['法院', '检察院', '公安机关', '司法行政机关']) expect(await page.getByLabel(agency, { exact: true }).count(), agency).to.equal(1);
    for (const role of ['书记员 / 经办人', '执法人员', '审计人员']) expect(await page.getByLabel(role, { exact: true }).count(), role).to.equal(1);
    await expectAccessible('login');
  });

  it('signs a court clerk in with a dev token and switches between Chinese and English', async () => {
    await devSignIn('法院', '书记员 / 经办人', 'clerk-li');
    await page.getByRole('heading', { name: '请选择工作' }).waitFor();
    expect(await page.locator('.who').textContent()).to.include('clerk-li');
    await expectAccessible('home');
    await page.getByRole('button', { name: 'English' }).click();
    await page.getByRole('heading', { name: 'Choose your work' }).waitFor();
    expect(await page.getAttribute('html', 'lang')).to.equal('en');
    await screenshot(page, 'home-en');
    await page.getByRole('button', { name: '中文' }).click();
    await page.getByRole('heading', { name: '请选择工作' }).waitFor();
  });

  it('court clerk: the handover form is built from the catalog and says the API\'s refusals in Chinese, by field', async () => {
    await page.getByRole('link', { name: '法院书记员：交付执行' }).click();
    await page.getByLabel('判决/决定文书号').waitFor();
    // Fields from the SENTENCE_HANDOVER document schema, with its enum and dates.
    expect(await page.getByLabel('矫正类别').locator('option').allTextContents()).to.include.members(['缓刑', '假释', '管制', '暂予监外执行']);
    expect(await page.getByLabel('生效日期').getAttribute('type')).to.equal('date');
    await page.getByLabel('身份证号').fill('110105194912310021');
    await page.getByRole('button', { name: '提交' }).click();
    const alert = page.getByRole('alert');
    await alert.waitFor();
    const said = await alert.textContent();
    expect(said).to.include('请更正以下字段');
    expect(said).to.include('身份证号');
    expect(said).to.include('校验码');
    expect(said).to.include('判决/决定文书号: 必填');
    await expectAccessible('clerk-refused');
  });

  it('court clerk: a double click records the handover once; the signed receipt is shown and downloadable; my handovers lists it', async () => {
    await page.getByLabel('身份证号').fill(idNumber);
    await page.getByLabel('判决/决定文书号').fill('(2026)京0105刑初1号');
    await page.getByLabel('矫正类别').selectOption('PROBATION');
    await page.getByLabel('生效日期').fill('2026-01-10');
    await page.getByLabel('矫正期起').fill('2026-01-10');
    await page.getByLabel('矫正期止').fill('2027-01-09');
    await page.getByLabel('执行地（区划代码）').fill('110105');
    await page.getByLabel('拖放文件到此处，或点击选择').setInputFiles(judgmentPdf);
    await page.getByTestId('attachment').filter({ hasText: judgmentHash.slice(0, 16) }).waitFor();
    expect(await page.getByLabel('附件名称 1').inputValue(), 'titled as the catalog expects').to.equal('判决书');
    const before = requests.length;
    await page.getByRole('button', { name: '提交' }).dblclick();
    await page.getByRole('heading', { name: '已记录上链' }).waitFor();
    const entryId = await page.getByTestId('entry-id').textContent();
    expect(entryId).to.match(/^[0-9a-f]{32}$/);
    const posts = requests.slice(before).filter((r) => r.url().endsWith('/v1/events'));
    expect(posts.length).to.be.within(1, 2);
    for (const post of posts) expect(post.headers()['idempotency-key']).to.equal(posts[0]?.headers()['idempotency-key']);
    const status = await lookUp(idNumber);
    expect(status.entryCount, 'recorded once').to.equal(1);
    expect(status.lastEntryId).to.equal(entryId);
    const recorded = await police.get<{ entry: { facts: { attachments?: unknown } } }>(`/v1/entries/${entryId ?? ''}`);
    // Recorded at all, the file was uploaded: an event listing a file the gateway does not hold is refused.
    expect(recorded.body.entry.facts.attachments, 'the entry pins the file hashed in the browser').to.deep.equal([{ title: '判决书', hash: judgmentHash, size: PDF.length, mediaType: 'application/pdf' }]);
    const receipt = await page.getByLabel('签名回执').inputValue();
    expect(receipt.split('.')).to.have.length(3);
    const download = page.waitForEvent('download');
    await page.getByRole('button', { name: '下载回执' }).click();
    const saved = await download;
    expect(saved.suggestedFilename()).to.equal(`receipt-${entryId ?? ''}.jws`);
    const path = await saved.path();
    expect(await readFile(path, 'utf8')).to.equal(receipt);
    expect(await page.getByTestId('my-handover').count()).to.equal(1);
    expect(await page.getByLabel('身份证号').inputValue(), 'the field is emptied').to.equal('');
    expect(await storageText()).not.to.include(idNumber);
    expect(requests.some((r) => r.url().includes(idNumber)), 'never in a URL').to.equal(false);
    await expectAccessible('clerk');
  });

  it('police officer: looks a subject up by ID number in a POST body, never in a URL nor kept, and sees the status card', async () => {
    await page.getByRole('button', { name: '退出' }).click();
    await devSignIn('公安机关', '执法人员', 'officer-wang');
    await page.getByRole('link', { name: '公安民警：身份查询' }).click();
    const before = requests.length;
    await page.getByLabel('身份证号').fill(idNumber);
    await page.getByRole('button', { name: '查询' }).click();
    await page.getByTestId('status-card').waitFor();
    expect(await page.getByTestId('status-state').textContent()).to.equal('待报到');
    const card = await page.getByTestId('status-card').textContent();
    expect(card).to.include('缓刑');
    expect(card).to.include('2027-01-09');
    const sent = requests.slice(before).find((r) => r.url().endsWith('/v1/subjects/lookup'));
    expect(sent?.method()).to.equal('POST');
    expect(sent?.postData()).to.include(idNumber);
    expect(requests.some((r) => r.url().includes(idNumber))).to.equal(false);
    expect(await page.getByLabel('身份证号').inputValue()).to.equal('');
    expect(await storageText()).not.to.include(idNumber);
    await expectAccessible('police');
  });

  it('police officer: a subject who lost contact is shown with an alert', async () => {
    const lost = residentId(4243);
    await record('COURT', 'SENTENCE_HANDOVER', lost);
    await record('JUSTICE', 'SUBJECT_RECEIVED', lost);
    await record('JUSTICE', 'LOST_CONTACT', lost);
    await page.getByLabel('身份证号').fill(lost);
    await page.getByRole('button', { name: '查询' }).click();
    await page.getByText('警示：该人员已失去联系（脱管）。').waitFor();
    await expectAccessible('police-alert');
  });

  it('auditor: a dropped evidence bundle is verified in the browser, every check PASS, without asking the gateway', async () => {
    const bundle = await bundleOnceFinal(auditor, (await lookUp(idNumber)).lastEntryId);
    await page.getByRole('button', { name: '退出' }).click();
    await devSignIn('检察院', '审计人员');
    await page.getByRole('link', { name: '审计：证据核验' }).click();
    await page.getByLabel('联盟信任文件（trust.json）').setInputFiles(devKeyPaths(dir.path).trust);
    await dropFile(page, 'drop-bundle-file', 'evidence.json', JSON.stringify(bundle));
    await page.getByLabel('要核对的文件（可选）').setInputFiles(judgmentPdf);
    const before = requests.length;
    await page.getByRole('button', { name: '核验' }).click();
    await page.getByTestId('verdict').waitFor();
    expect(await page.getByTestId('verdict').textContent()).to.equal('核验通过：证据完整');
    const marks = await page.getByTestId('check').locator('.mark').allTextContents();
    expect(marks.length).to.be.at.least(5);
    for (const mark of marks) expect(mark).to.match(/^PASS/);
    expect(await page.getByTestId('check').filter({ hasText: 'attachment' }).textContent()).to.include(judgmentHash);
    // The verifier's code is fetched when first needed, as a static asset; the API is never asked.
    const asked = requests.slice(before).map((r) => new URL(r.url()).pathname);
    expect(asked.filter((path) => !/^\/assets\/chunk-[A-Z0-9]+\.js$/.test(path)), 'no request to the API').to.deep.equal([]);
    await expectAccessible('auditor');
  });

  it('auditor: a tampered bundle is refused, the failing checks named FAIL', async () => {
    const bundle = await bundleOnceFinal(auditor, (await lookUp(idNumber)).lastEntryId);
    const tampered = { ...bundle, entry: { ...bundle.entry, facts: { ...(bundle.entry['facts'] as Record<string, unknown>), termEnd: '2026-02-01' } } };
    await dropFile(page, 'drop-bundle-file', 'tampered.json', JSON.stringify(tampered));
    await page.getByRole('button', { name: '核验' }).click();
    await page.getByText('核验未通过：证据被拒绝').waitFor();
    const rows = await page.getByTestId('check').allTextContents();
    expect(rows.find((row) => row.includes('entry hash'))).to.match(/^FAIL/);
    await expectAccessible('auditor-refused');
  });

  it('auditor: a file and an entry id are checked in the browser: the attached judgment passes and is named, a changed byte fails, an unknown entry is said plainly', async () => {
    const entryId = (await lookUp(idNumber)).lastEntryId;
    const card = page.getByTestId('file-check');
    const check = async (id: string) => {
      await card.getByLabel('条目编号').fill(id);
      await card.getByRole('button', { name: '核对文件' }).click();
    };
    const before = requests.length;
    await card.getByLabel('要与条目核对的文件').setInputFiles(judgmentPdf);
    await check(entryId);
    await card.getByTestId('verdict').filter({ hasText: '核对通过：文件是该条目的附件，条目在链上' }).waitFor();
    expect(await card.getByTestId('matched-attachment').locator('dd').allTextContents()).to.deep.equal(['判决书', `${String(PDF.length)} B`, 'application/pdf', '1 / 1']);
    const marks = await card.getByTestId('check').locator('.mark').allTextContents();
    expect(marks, 'attachment, entry hash, inclusion, cosignatures').to.have.length(4);
    for (const mark of marks) expect(mark).to.match(/^PASS/);
    // Only the entry and its proof were asked for; the file was not sent (no upload, no body).
    const asked = requests.slice(before).filter((r) => !new URL(r.url()).pathname.startsWith('/assets/'));
    expect(asked.map((r) => `${r.method()} ${new URL(r.url()).pathname}`)).to.deep.equal([`GET /v1/entries/${entryId}`, `GET /v1/entries/${entryId}/proof`]);
    expect(asked.every((r) => r.postData() === null)).to.equal(true);
    await expectAccessible('auditor-file-check');

    const changed = Buffer.from(PDF);
    changed[20] = (changed[20] ?? 0) ^ 1;
    const changedPdf = join(dir.path, 'changed.pdf');
    await writeFile(changedPdf, changed);
    await card.getByLabel('要与条目核对的文件').setInputFiles(changedPdf);
    await check(entryId);
    await card.getByTestId('verdict').filter({ hasText: '核对未通过：文件与该条目的任何附件都不符' }).waitFor();
    const attachmentRow = await card.getByTestId('check').filter({ hasText: '附件' }).textContent();
    expect(attachmentRow).to.match(/^FAIL/);
    expect(attachmentRow).to.include(createHash('sha256').update(changed).digest('hex'));
    expect(await card.getByTestId('matched-attachment').count()).to.equal(0);

    await check('0'.repeat(32));
    expect(await card.getByRole('alert').textContent()).to.equal('未找到该条目：请检查条目编号');
    expect(await card.getByTestId('verdict').count()).to.equal(0);
    await check('not-an-entry');
    expect(await card.getByRole('alert').textContent()).to.equal('条目编号须为 32 位十六进制字符');
  });

  it('justice officer: the inbox counts unread notices from the stream; one action acknowledges a handover; the next events are the catalog\'s', async () => {
    const handover = (await lookUp(idNumber)).lastEntryId;
    await page.getByRole('button', { name: '退出' }).click();
    await devSignIn('司法行政机关', '执法人员', 'officer-zhao');
    await page.getByRole('link', { name: '司法所：收件箱' }).click();
    await page.getByText('通知流已连接').waitFor();
    const handovers = page.getByTestId('notice').filter({ hasText: '交付执行' });
    await handovers.nth(1).waitFor();
    const unread = Number(await page.getByTestId('unread').textContent());
    expect(unread).to.equal(await page.getByTestId('notice').count());
    // The oldest handover is the clerk's, recorded first.
    await handovers.last().getByRole('button').click();
    await page.getByTestId('notice-detail').waitFor();
    expect(Number(await page.getByTestId('unread').textContent())).to.equal(unread - 1);
    await page.getByTestId('subject-state').filter({ hasText: /^待报到$/ }).waitFor();
    await page.getByTestId('notice-detail').getByText('(2026)京0105刑初1号', { exact: true }).waitFor();
    await page.getByRole('button', { name: '确认接收' }).click();
    await page.getByTestId('acknowledged').waitFor();
    const answered = await new Api(childTarget(gateway, dir.path), 'JUSTICE', 'officer').get<{ answeredBy: Array<{ type: string }> }>(`/v1/entries/${handover}`);
    expect(answered.body.answeredBy.map((a) => a.type)).to.deep.equal(['HANDOVER_RECEIPT']);
    const choices = await page.getByLabel('选择事件').locator('option').allTextContents();
    expect(choices).to.include('报到接收');
    expect(choices, 'only the justice bureau\'s events from PENDING_REPORT').not.to.include('交付执行');
    await page.getByLabel('选择事件').selectOption('SUBJECT_RECEIVED');
    await page.getByRole('button', { name: '提交' }).click();
    await page.getByTestId('subject-state').filter({ hasText: '矫正中' }).waitFor();
    await expectAccessible('officer');
  });

  it('justice officer: downloads the judgment the clerk attached, with the token in a header, saved under its title, its bytes the attachment\'s hash', async () => {
    const before = requests.length;
    const download = page.waitForEvent('download');
    await page.getByTestId('notice-detail').getByRole('button', { name: '下载 判决书.pdf' }).click();
    const saved = await download;
    expect(saved.suggestedFilename()).to.equal('判决书.pdf');
    expect(createHash('sha256').update(await readFile(await saved.path())).digest('hex')).to.equal(judgmentHash);
    const fetched = requests.slice(before).find((r) => new URL(r.url()).pathname === `/v1/documents/${judgmentHash}`);
    expect(fetched?.headers()['authorization']).to.match(/^Bearer [\w-]+\.[\w-]+\.[\w-]+$/);
    const token = fetched?.headers()['authorization']?.slice('Bearer '.length) ?? '';
    expect(new URL(fetched?.url() ?? '').search).to.match(/^\?entry=[0-9a-f]{32}$/);
    expect(requests.some((r) => r.url().includes(token))).to.equal(false);
  });

  it('justice officer: a new handover arrives in the inbox live, counted unread', async () => {
    const unread = Number(await page.getByTestId('unread').textContent());
    await record('COURT', 'SENTENCE_HANDOVER', residentId(4244));
    await page.getByTestId('unread').filter({ hasText: new RegExp(`^${String(unread + 1)}$`) }).waitFor();
  });

  it('court clerk: my handovers shows the justice bureau\'s acknowledgement and the deadlines still open', async () => {
    await page.getByRole('button', { name: '退出' }).click();
    await devSignIn('法院', '书记员 / 经办人');
    await page.getByRole('link', { name: '法院书记员：交付执行' }).click();
    const row = page.getByTestId('my-handover');
    await row.getByTestId('acknowledged-at').filter({ hasText: /^\d{4}\/\d{1,2}\/\d{1,2}/ }).waitFor();
    // The term ends 2027-01-09: release falls due then.
    await row.getByText('解除社区矫正 2027-01-09').waitFor();
    const download = page.waitForEvent('download');
    await row.getByRole('button', { name: '下载 判决书.pdf' }).click();
    expect(createHash('sha256').update(await readFile(await (await download).path())).digest('hex')).to.equal(judgmentHash);
  });

  it('prosecutor: the obligations board counts open and overdue obligations by agency, lists the overdue ones and charts them by month', async () => {
    await page.getByRole('button', { name: '退出' }).click();
    await devSignIn('检察院', '执法人员', 'prosecutor-sun');
    await page.getByRole('link', { name: '检察院：期限监督' }).click();
    await page.getByTestId('by-agency').waitFor();
    const expected = await new Api(childTarget(gateway, dir.path), 'PROCURATORATE', 'officer').get<{ obligations: Array<{ agency: string | null; state: string }> }>('/v1/obligations?state=overdue');
    // The handovers of 2024 and early 2026 are long past their statutory deadlines.
    expect(expected.body.obligations.length).to.be.greaterThan(0);
    expect(await page.getByTestId('overdue').count()).to.equal(expected.body.obligations.length);
    for (const agency of ['COURT', 'PROCURATORATE', 'POLICE', 'JUSTICE']) {
      const shown = await page.getByTestId(`agency-${agency}`).locator('td[data-state="overdue"]').textContent();
      expect(Number(shown), agency).to.equal(expected.body.obligations.filter((o) => o.agency === agency).length);
    }
    expect(await page.getByTestId('obligation-chart').locator('rect').count()).to.be.greaterThan(0);
    await expectAccessible('prosecutor');
  });

  it('a subject\'s timeline: the chain in order, each hash linking to the one before, the acknowledgement answering the handover, obligations as bars', async () => {
    await page.getByRole('link', { name: '社区矫正协同账本' }).click();
    await page.getByRole('link', { name: '对象时间线' }).click();
    await page.getByLabel('身份证号').fill(idNumber);
    await page.getByRole('button', { name: '显示时间线' }).click();
    await page.getByTestId('timeline').waitFor();
    const entries = await page.getByTestId('timeline-entry').allTextContents();
    expect(entries.map((text) => /^#\d+ \S+/.exec(text)?.[0])).to.deep.equal(['#1 交付执行', '#2 接收回执', '#3 报到接收']);
    expect(await page.getByTestId('link').allTextContents()).to.deep.equal(['✓ 链接至 起点', '✓ 链接至 #1', '✓ 链接至 #2']);
    expect(await page.getByTestId('answers').allTextContents()).to.deep.equal(['↩ 回应 #1']);
    expect(await page.getByTestId('obligation-bars').locator('rect').count()).to.be.greaterThan(0);
    expect(requests.some((r) => r.url().includes(idNumber))).to.equal(false);
    expect(await storageText()).not.to.include(idNumber);
    await expectAccessible('timeline');
  });

  it('police officer: on the timeline, a file of a document the police may not read is refused, said plainly; the handover\'s judgment downloads', async () => {
    // A commutation proposal goes to the judicial collection: court, procuratorate and justice bureau only.
    const justice = new Api(childTarget(gateway, dir.path), 'JUSTICE', 'officer');
    const proposal = samplePdf(2_048, 'proposal');
    const uploaded = await uploadFile(childTarget(gateway, dir.path), 'JUSTICE', proposal, 'application/pdf', 'officer');
    expect(uploaded.status).to.equal(201);
    const attachments = [{ title: '减刑建议书', hash: sha256(proposal), size: proposal.length, mediaType: 'application/pdf' }];
    const proposed = await justice.record('COMMUTATION_PROPOSED', { idNumber }, sampleDocument('COMMUTATION_PROPOSED', { attachments }), '2026-03-01T09:00:00+08:00');
    expect(proposed.status, JSON.stringify(proposed.body)).to.equal(201);
    await page.getByRole('button', { name: '退出' }).click();
    await devSignIn('公安机关', '执法人员', 'officer-wang');
    await page.getByRole('link', { name: '对象时间线' }).click();
    await page.getByLabel('身份证号').fill(idNumber);
    await page.getByRole('button', { name: '显示时间线' }).click();
    const entry = page.getByTestId('timeline-entry').filter({ hasText: '减刑建议' });
    await entry.getByRole('button', { name: '下载 减刑建议书.pdf' }).click();
    expect(await entry.getByRole('alert').textContent()).to.match(/^无权下载：本机关不可阅读该条目的文书/);
    const download = page.waitForEvent('download');
    await page.getByTestId('timeline-entry').filter({ hasText: '交付执行' }).getByRole('button', { name: '下载 判决书.pdf' }).click();
    expect(createHash('sha256').update(await readFile(await (await download).path())).digest('hex')).to.equal(judgmentHash);
    await expectAccessible('timeline-refused');
  });

  it('reflows to a tablet\'s width without sideways scrolling', async () => {
    const tablet = await newContext(browser, 768);
    const small = await tablet.newPage();
    await small.goto(`${gateway.url}/login`);
    await small.getByRole('button', { name: '登录' }).waitFor();
    process.stdout.write(`      console: first page usable ${await usableAfterMs(small)} ms after navigation start (a new profile, empty cache)\n`);
    await small.getByRole('button', { name: '登录' }).click();
    await small.getByRole('link', { name: '法院书记员：交付执行' }).click();
    await small.getByLabel('判决/决定文书号').waitFor();
    expect(await small.evaluate<boolean>('document.documentElement.scrollWidth <= window.innerWidth')).to.equal(true);
    await small.screenshot({ path: join('docs', 'screenshots', 'clerk-tablet.png'), fullPage: true });
    await tablet.close();
  });

});

/** Drops a file on a drop zone as a user dragging it from the desktop would. */
async function dropFile(page: Page, testId: string, name: string, text: string): Promise<void> {
  const transfer = await page.evaluateHandle(
    `(() => { const t = new DataTransfer(); t.items.add(new File([${JSON.stringify(text)}], ${JSON.stringify(name)}, { type: 'application/json' })); return t; })()`,
  );
  await page.getByTestId(testId).dispatchEvent('drop', { dataTransfer: transfer });
  await page.getByTestId(testId).getByText(name).waitFor();
}

/** When the console marked its first page usable, in ms since the navigation started. */
async function usableAfterMs(page: Page): Promise<number> {
  await page.waitForFunction("performance.getEntriesByName('console-usable').length > 0");
  return Math.round(await page.evaluate<number>("performance.getEntriesByName('console-usable')[0].startTime"));
}
