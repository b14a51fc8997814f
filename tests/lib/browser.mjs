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

/**
 * Starts headless chromium and warms it up: one page is rendered and
 * captured before any test runs, so the first real screenshot does not meet a
 * compositor that is still starting (the source of "Unable to capture
 * screenshot" on a fresh, loaded machine).
 */
export async function launchBrowser() {
  const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  const page = await browser.newPage();
  try {
    await page.setContent('<!doctype html><title>warm-up</title><p>warm-up</p>');
    await settled(page);
    await page.screenshot({ timeout: 30000 });
  } catch (e) {
    console.warn(`# browser warm-up screenshot failed (ignored): ${e.message.split('\n')[0]}`);
  } finally {
    await page.close();
  }
  return browser;
}

/**
 * Resolves once the page's web fonts are loaded and two more frames have been
 * painted; rejects if that does not happen within ms (a bound, not a wait).
 */
async function settled(page, ms = 10000) {
  let timer;
  const bound = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`page not settled within ${ms} ms`)), ms);
  });
  try {
    await Promise.race([bound, page.evaluate(async () => {
      await document.fonts.ready;
      await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
    })]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Full-page screenshot as tests/artifacts/NAME.png.  A screenshot is an
 * artifact, not an assertion: it waits for fonts and a frame, retries the
 * one transient protocol error "Unable to capture screenshot" (each retry
 * first waits again for fonts and fresh frames), and if it still cannot be
 * taken, logs that and returns false: it never fails a test.
 */
export async function shot(page, name) {
  const file = path.join(artifacts, `${name}.png`);
  for (let attempt = 1; ; attempt++) {
    try {
      await settled(page);
      await page.screenshot({ path: file, fullPage: true, timeout: 10000 });
      return true;
    } catch (e) {
      const transient = /Unable to capture screenshot/.test(e.message);
      if (!transient || attempt >= 4) {
        console.warn(`# screenshot ${name} not taken (ignored, attempt ${attempt}): ${e.message.split('\n')[0]}`);
        return false;
      }
    }
  }
}

/** The page's horizontal overflow: [] when it fits, else a line naming the widest elements. */
export async function overflow(page) {
  return page.evaluate(() => {
    const width = window.innerWidth;
    if (document.documentElement.scrollWidth <= width) return [];
    const wide = [...document.querySelectorAll('body *')]
      .map((el) => ({ el, right: el.getBoundingClientRect().right }))
      .filter((x) => x.right > width + 0.5)
      .slice(0, 5)
      .map((x) => `${x.el.tagName.toLowerCase()}${x.el.id ? '#' + x.el.id : ''}${x.el.className ? '.' +
        String(x.el.className).split(' ').join('.') : ''} (right ${Math.round(x.right)})`);
    return [`${location.pathname}${location.search}: scrollWidth ${document.documentElement.scrollWidth} > ${width}: ${wide.join(', ')}`];
  });
}

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

/**
 * Runs action (a click or key press that submits a form) and resolves once the
 * page it leads to is loaded: it waits for the main frame to navigate (a POST
 * answered on the same address included, where waitForURL alone would return
 * at once) and then for that address to match url (string, RegExp or
 * predicate of a URL; default: any) with its load event.
 */
export async function submitAndWait(page, action, url = () => true) {
  const navigated = page.waitForEvent('framenavigated', { predicate: (f) => f === page.mainFrame() });
  await action();
  await navigated;
  await page.waitForURL(url, { waitUntil: 'load' });
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
