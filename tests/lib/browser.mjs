// Shared pieces of the browser tests: headless Debian chromium through
// playwright-core, full-page screenshots in tests/artifacts/, and axe-core
// (WCAG 2.1 A/AA) on the current page; the hooks that start a server and a
// browser for a test file, and logging in through the form.
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { before, after } from 'node:test';
import { chromium } from 'playwright-core';
import { repoRoot, startServer } from './server.mjs';

const require = createRequire(import.meta.url);
const axeSource = fs.readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
export const artifacts = path.join(repoRoot, 'tests', 'artifacts');
fs.mkdirSync(artifacts, { recursive: true });

export function launchBrowser() {
  return chromium.launch({
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

/** Full-page screenshot as tests/artifacts/NAME.png. */
export const shot = (page, name) => page.screenshot({ path: path.join(artifacts, `${name}.png`), fullPage: true });

/** axe-core's WCAG 2.1 A/AA violations on the page (page.evaluate is not subject to the CSP). */
export async function axeViolations(page) {
  await page.evaluate(axeSource);
  const result = await page.evaluate(() => globalThis.axe.run(document, {
    runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] },
    resultTypes: ['violations'],
  }));
  return result.violations;
}

/** The axe-core violations of the page as lines "url: rule: help (targets)", for one assert at the end. */
export async function axeProblems(page) {
  return (await axeViolations(page)).map((v) =>
    `${page.url()}: ${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join(', ')})`);
}

/**
 * Registers the before/after hooks of a browser test file: a test server
 * (startServer options, or a function run in before() that returns them, for
 * options known only then) and a browser.  Returns {srv, browser}, filled once
 * before() has run; both are stopped after the file.
 */
export function serverWithBrowser(opts) {
  const env = {};
  before(async () => {
    env.srv = await startServer(typeof opts === 'function' ? await opts() : opts);
    env.browser = await launchBrowser();
  }, { timeout: 120000 });
  after(async () => {
    if (env.browser) await env.browser.close();
    if (env.srv) await env.srv.stop();
  }, { timeout: 60000 });
  return env;
}

/** Logs in through the login form (demo password by default) and waits for the start page. */
export async function loginAs(page, baseUrl, username, password = 'demo-passwort') {
  await page.goto(baseUrl + '/login');
  await page.locator('input[name="username"]').fill(username);
  await page.locator('input[name="password"]').fill(password);
  await Promise.all([page.waitForURL(baseUrl + '/'), page.getByRole('button', { name: 'Anmelden' }).click()]);
}

/** A new desktop context whose page is logged in as username (demo password) and on the start page: {context, page}. */
export async function loggedInPage(browser, baseUrl, username, password = 'demo-passwort') {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'de-AT' });
  const page = await context.newPage();
  page.setDefaultTimeout(15000);
  await loginAs(page, baseUrl, username, password);
  return { context, page };
}

/** Runs fn(page, context) in a fresh context (German locale), closed afterwards. */
export async function withPage(browser, fn, viewport = { width: 1280, height: 900 }) {
  const context = await browser.newContext({ viewport, locale: 'de-AT' });
  const page = await context.newPage();
  page.setDefaultTimeout(15000);
  try {
    return await fn(page, context);
  } finally {
    await context.close();
  }
}
