// Browser tests (headless Debian chromium via playwright-core): the red button,
// the menu, logging in through the form, the small screen, and axe-core
// (WCAG 2.1 A/AA) on the public pages. Screenshots go to tests/artifacts/.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { serverWithBrowser, withPage as withBrowserPage, shot, axeViolations } from '../lib/browser.mjs';

const AXE_PAGES = ['/', '/kurse', '/faq', '/impressum', '/datenschutz', '/login', '/voucher/einloesen'];

const suite = serverWithBrowser();
/** Runs fn(page) in a fresh context, 1280 × 800 unless told. */
const withPage = (fn, viewport = { width: 1280, height: 800 }) => withBrowserPage(suite.browser, fn, viewport);

/** Computed background colour of an element as [r, g, b] (any CSS colour syntax). */
function backgroundRgb(locator) {
  return locator.evaluate((el) => {
    const css = getComputedStyle(el).backgroundColor;
    const canvas = document.createElement('canvas');
    canvas.width = canvas.height = 1;
    const ctx = canvas.getContext('2d');
    ctx.fillStyle = css;
    ctx.fillRect(0, 0, 1, 1);
    const [r, g, b, a] = ctx.getImageData(0, 0, 1, 1).data;
    return { css, rgb: [r, g, b], a };
  });
}

test('the red "Voucher einlösen" button is visible at the top right', async () => {
  await withPage(async (page) => {
    const res = await page.goto(suite.srv.baseUrl + '/');
    assert.equal(res.status(), 200);
    await shot(page, 'start-desktop');
    const btn = page.locator('a.btn-redeem');
    assert.equal(await btn.count(), 1, 'exactly one a.btn-redeem');
    assert.ok(await btn.isVisible(), 'button visible');
    assert.equal((await btn.innerText()).trim(), 'Voucher einlösen');
    assert.equal(await btn.getAttribute('href'), '/voucher/einloesen');
    const box = await btn.boundingBox();
    const vw = page.viewportSize().width;
    assert.ok(box.x + box.width >= vw * 0.7, `right edge ${box.x + box.width} within the right 30 % of ${vw}`);
    assert.ok(box.x + box.width <= vw, `right edge ${box.x + box.width} inside the viewport`);
    assert.ok(box.y < 150, `top ${box.y} within the top 150 px`);
    const bg = await backgroundRgb(btn);
    const [r, g, b] = bg.rgb;
    assert.ok(bg.a > 200 && r > 150 && g < 80 && b < 80, `background is red: ${bg.css} → rgb(${r}, ${g}, ${b}) alpha ${bg.a}`);
  });
});

test('the menu link "Kurse" leads to the catalog', async () => {
  await withPage(async (page) => {
    await page.goto(suite.srv.baseUrl + '/');
    await Promise.all([
      page.waitForURL(suite.srv.baseUrl + '/kurse'),
      page.getByRole('link', { name: 'Kurse', exact: true }).first().click(),
    ]);
    assert.equal(new URL(page.url()).pathname, '/kurse');
    assert.ok(await page.getByText(/Stunden/).first().isVisible(), 'catalog content shown');
    await shot(page, 'kurse');
  });
});

test('logging in as gemeinde through the form shows "Abmelden"', async () => {
  await withPage(async (page) => {
    await page.goto(suite.srv.baseUrl + '/');
    await Promise.all([
      page.waitForURL(suite.srv.baseUrl + '/login'),
      page.getByRole('link', { name: 'Anmelden', exact: true }).first().click(),
    ]);
    await page.locator('input[name="username"]').fill('gemeinde');
    await page.locator('input[name="password"]').fill('demo-passwort');
    await shot(page, 'login');
    const form = page.locator('form:has(input[name="password"])');
    await Promise.all([
      page.waitForURL(suite.srv.baseUrl + '/'),
      form.locator('button, input[type="submit"]').first().click(),
    ]);
    const logout = page.getByRole('button', { name: 'Abmelden' });
    await logout.waitFor({ state: 'visible' });
    assert.ok(await logout.isVisible(), '"Abmelden" button visible');
    assert.equal(await page.locator('header').getByRole('link', { name: 'Anmelden', exact: true }).count(), 0,
      'no "Anmelden" link in the header any more');
    assert.ok(await page.locator('a.btn-redeem').isVisible(), 'red button still there when logged in');
    await shot(page, 'start-logged-in');
    await Promise.all([
      page.waitForURL(suite.srv.baseUrl + '/konto'),
      page.getByRole('link', { name: /Gerda Gemeindeamt\s*: Mein Konto/ }).click(),
    ]);
    const accountViolations = await axeViolations(page);
    assert.equal(accountViolations.length, 0, formatViolations('/konto', accountViolations));
    await shot(page, 'account-profile');
    await Promise.all([
      page.waitForURL(suite.srv.baseUrl + '/konto/passwort'),
      page.getByRole('main').getByRole('link', { name: 'Passwort ändern' }).click(),
    ]);
    await page.getByRole('button', { name: 'Passwort ändern' }).click();
    await page.getByRole('alert').waitFor();
    const violations = await axeViolations(page);
    assert.equal(violations.length, 0, formatViolations('/konto/passwort', violations));
    await shot(page, 'account-password-error');
  });
});

test('at a 375 px wide viewport the red button is still visible', async () => {
  await withPage(async (page) => {
    await page.goto(suite.srv.baseUrl + '/');
    await shot(page, 'start-mobile');
    const btn = page.locator('a.btn-redeem');
    assert.ok(await btn.isVisible(), 'button visible');
    const box = await btn.boundingBox();
    assert.ok(box.x >= 0 && box.x + box.width <= 375, `button inside the viewport horizontally: ${JSON.stringify(box)}`);
    assert.ok(box.y >= 0 && box.y + box.height <= 667, `button on the first screen: ${JSON.stringify(box)}`);
    const scrollWidth = await page.evaluate(() => document.documentElement.scrollWidth);
    assert.ok(scrollWidth <= 375, `no horizontal scrolling at 375 px (scrollWidth ${scrollWidth})`);
  }, { width: 375, height: 667 });
});

function formatViolations(url, violations) {
  return violations.map((v) => {
    const nodes = v.nodes.slice(0, 5).map((n) => `      ${n.target.join(' ')}\n        ${n.failureSummary?.replace(/\n/g, '\n        ')}`).join('\n');
    return `  ${url}: [${v.impact}] ${v.id}: ${v.help}\n    ${v.helpUrl}\n${nodes}`;
  }).join('\n');
}

test('axe-core finds no WCAG 2.1 A/AA violations on the public pages', async () => {
  const problems = [];
  await withPage(async (page) => {
    for (const p of AXE_PAGES) {
      const res = await page.goto(suite.srv.baseUrl + p);
      assert.equal(res.status(), 200, `GET ${p}`);
      const violations = await axeViolations(page);
      if (violations.length) problems.push(formatViolations(p, violations));
      await shot(page, 'axe' + (p === '/' ? '-start' : p.replace(/\//g, '-')));
    }
  });
  assert.equal(problems.length, 0, `axe-core violations:\n${problems.join('\n')}`);
});

test('the 404 page is in the layout (red button, menu) and has no WCAG 2.1 A/AA violations', async () => {
  await withPage(async (page) => {
    const res = await page.goto(suite.srv.baseUrl + '/gibt-es-nicht');
    assert.equal(res.status(), 404);
    await page.getByRole('heading', { name: 'Seite nicht gefunden' }).waitFor();
    assert.ok(await page.locator('a.btn-redeem').isVisible(), 'red button on the error page');
    const violations = await axeViolations(page);
    assert.equal(violations.length, 0, formatViolations('/gibt-es-nicht', violations));
    await shot(page, 'error-404');
  });
});
