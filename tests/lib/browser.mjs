// Shared pieces of the browser tests: headless Debian chromium through
// playwright-core, full-page screenshots in tests/artifacts/, and axe-core
// (WCAG 2.1 A/AA) on the current page.
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { chromium } from 'playwright-core';
import { before, after } from 'node:test';
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

/**
 * Registers before/after hooks of a browser test file: a test server (with
 * serverOpts, see startServer) and chromium.  Returns {srv, browser}, filled
 * in once the before hook has run.
 */
export function browserSuite(serverOpts = {}) {
  const suite = {};
  before(async () => {
    suite.srv = await startServer(serverOpts);
    suite.browser = await launchBrowser();
  }, { timeout: 120000 });
  after(async () => {
    if (suite.browser) await suite.browser.close();
    if (suite.srv) await suite.srv.stop();
  }, { timeout: 60000 });
  return suite;
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
