import { mkdir, readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';

/** Debian's chromium (apt), never a downloaded browser. */
export const CHROMIUM = process.env['CHROMIUM'] ?? '/usr/bin/chromium';
/** Where the tests write a screenshot of every page; the README shows them. */
export const SCREENSHOTS = join(process.cwd(), 'docs', 'screenshots');

export async function launch(): Promise<Browser> {
  // Without a sandbox: CI runs as root in a container, where chromium's sandbox cannot start.
  return chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-dev-shm-usage'] });
}

/** A fresh browser profile (its own IndexedDB and storage) at 1280 px, or a tablet's width. */
export async function newContext(browser: Browser, width = 1280): Promise<BrowserContext> {
  return browser.newContext({ viewport: { width, height: 900 }, locale: 'zh-CN', acceptDownloads: true });
}

export async function screenshot(page: Page, name: string): Promise<void> {
  await mkdir(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true });
}

const axeSource = readFile(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

export interface AxeViolation {
  readonly id: string;
  readonly impact: string | null;
  readonly help: string;
  readonly nodes: readonly { readonly target: readonly string[] }[];
}

/**
 * axe-core's WCAG 2 A/AA rules on the page as it stands; returns the serious and critical
 * violations. axe is evaluated through the DevTools protocol, which the page's CSP does not govern.
 */
export async function seriousViolations(page: Page): Promise<AxeViolation[]> {
  await page.evaluate(await axeSource);
  const violations = await page.evaluate<AxeViolation[]>(`
    axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'] } })
      .then((r) => r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map((n) => ({ target: n.target })) })))
  `);
  return violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
}

/** Console messages and page errors, to show why a page failed. */
export function collectErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(`pageerror: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(`console: ${message.text()}`);
  });
  return errors;
}

/** Signs in on the dev login page as an agency and role (labels as the page shows them), and a user id. */
export async function devSignIn(page: Page, agency: string, role: string, user?: string): Promise<void> {
  await page.getByLabel(agency, { exact: true }).check();
  await page.getByLabel(role, { exact: true }).check();
  if (user !== undefined) await page.getByLabel('用户编号').fill(user);
  await page.getByRole('button', { name: '登录' }).click();
}

/** An afterEach hook: when a test failed, what the browser said (its errors), to show why. */
export function sayBrowserErrors(errors: () => readonly string[]): (this: Mocha.Context) => void {
  return function () {
    const said = errors();
    if (this.currentTest?.state === 'failed' && said.length > 0) process.stderr.write(`browser said:\n  ${said.join('\n  ')}\n`);
  };
}
