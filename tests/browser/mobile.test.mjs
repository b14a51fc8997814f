// Browser test at phone width (375 × 740 CSS pixels, headless chromium):
// every page of every role must fit the screen — the document never scrolls
// sideways (document.documentElement.scrollWidth <= innerWidth) — and the
// controls a person needs there are visible and wholly on screen: the order
// form's quantity inputs, the review's gross total and its buttons, the
// certificate link on Meine Kurse, the support forms.  Screenshots in
// tests/artifacts/mobile-*.png.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { serverWithBrowser, withPage, loginAs, shot, overflow } from '../lib/browser.mjs';
import { order, redeemExisting, sql, sqlValue } from '../lib/redeem.mjs';

const PHONE = { width: 375, height: 740 };
const env = serverWithBrowser({ limits: { redeem_max_failures: 1000 } });

/** Problems of a control: missing, hidden, or not wholly inside the screen's width. */
async function offScreen(locator, what) {
  if (await locator.count() === 0) return [`${what}: not found`];
  const problems = [];
  for (const one of await locator.all()) {
    await one.scrollIntoViewIfNeeded();
    const box = await one.boundingBox();
    if (!box || !(await one.isVisible())) problems.push(`${what}: not visible`);
    else if (box.x < 0 || box.x + box.width > PHONE.width + 0.5) {
      problems.push(`${what}: x ${Math.round(box.x)}..${Math.round(box.x + box.width)} outside 0..${PHONE.width}`);
    }
  }
  return problems;
}

/** Visits each path and collects overflow problems (one screenshot each). */
async function visitAll(page, paths, prefix) {
  const problems = [];
  for (const [i, p] of paths.entries()) {
    const res = await page.goto(env.srv.baseUrl + p);
    assert.ok(res.status() < 400 || p === '/gibt-es-nicht', `${p}: status ${res.status()}`);
    problems.push(...await overflow(page));
    // Named by position and path without the query (a code searched for never goes into a file name).
    await shot(page, `mobile-${prefix}-${i + 1}-${p.split('?')[0].replace(/[^a-z0-9]+/gi, '-').replace(/^-|-$/g, '') || 'start'}`);
  }
  return problems;
}

test('at 375 px no public page scrolls sideways and the redemption form fits', async () => {
  const problems = await withPage(env.browser, async (page) => {
    const found = await visitAll(page, ['/', '/kurse', '/faq', '/impressum', '/datenschutz', '/voucher/einloesen',
      '/login', '/passwort-vergessen', '/zertifikat/pruefen', '/zertifikat/pruefen?nr=Z-0000-0000-0000', '/gibt-es-nicht'], 'gast');
    await page.goto(env.srv.baseUrl + '/voucher/einloesen');
    found.push(...await offScreen(page.locator('form button[type="submit"]'), 'redeem buttons'));
    found.push(...await offScreen(page.locator('a.btn-redeem'), 'red button'));
    return found;
  }, PHONE);
  assert.deepEqual(problems, []);
});

test('at 375 px the order form shows its quantity inputs, the review its gross total and buttons', async () => {
  const [v] = order(env.srv, 'dsgvo-grundlagen=2');
  const id = sqlValue(env.srv, `SELECT order_id FROM vouchers WHERE id = ${v.id}`);
  const problems = await withPage(env.browser, async (page) => {
    await loginAs(page, env.srv.baseUrl, 'gemeinde');
    const found = await visitAll(page, ['/', '/bestellen', '/bestellungen', `/bestellungen/${id}`, '/gemeinde/schulungen', '/konto', '/konto/passwort'],
      'gemeinde');
    await page.goto(env.srv.baseUrl + '/bestellen');
    found.push(...await offScreen(page.locator('input[name^="qty_"]'), 'quantity input'));
    await page.getByLabel('DSGVO-Grundlagen für Gemeinden').fill('3');
    await Promise.all([page.waitForURL(env.srv.baseUrl + '/bestellen', { waitUntil: 'load' }),
      page.getByRole('button', { name: 'Weiter zur Übersicht' }).click()]);
    await page.getByRole('heading', { name: 'Bestellung prüfen' }).waitFor();
    found.push(...await overflow(page));
    found.push(...await offScreen(page.locator('#sum-gross'), 'gross total'));
    found.push(...await offScreen(page.getByRole('button', { name: 'Zahlungspflichtig bestellen' }), 'order button'));
    found.push(...await offScreen(page.getByRole('button', { name: 'Ändern' }), 'change button'));
    await shot(page, 'mobile-gemeinde-review');
    return found;
  }, PHONE);
  assert.deepEqual(problems, []);
});

test('at 375 px Meine Kurse shows the certificate link on screen', async () => {
  const [v] = order(env.srv, 'informationssicherheit=1');
  assert.equal((await redeemExisting(env.srv, 'mitarbeiterin', v.code)).status, 200);
  sql(env.srv, `UPDATE enrollments SET enrolled_at = strftime('%s', '2024-06-01') WHERE voucher_id = ${v.id}`);
  const file = path.join(env.srv.dir, 'mobile-done.csv');
  fs.writeFileSync(file, 'username,course,completed_on\nmitarbeiterin,informationssicherheit,2025-02-03\n');
  const r = env.srv.ctl(['completions', 'import', file]);
  assert.equal(r.code, 0, r.stderr);
  const problems = await withPage(env.browser, async (page) => {
    await loginAs(page, env.srv.baseUrl, 'mitarbeiterin');
    const found = await visitAll(page, ['/meine-kurse', '/konto/passwort'], 'mitarbeiterin');
    await page.goto(env.srv.baseUrl + '/meine-kurse');
    found.push(...await offScreen(page.getByRole('link', { name: /Zertifikat \(PDF\)/ }), 'certificate link'));
    return found;
  }, PHONE);
  assert.deepEqual(problems, []);
});

test('at 375 px the support and administration pages fit, with their forms on screen', async () => {
  const [v] = order(env.srv, 'buergerservice=1');
  await redeemExisting(env.srv, 'vertippt', v.code);
  const problems = await withPage(env.browser, async (page) => {
    await loginAs(page, env.srv.baseUrl, 'admin');
    const found = await visitAll(page, ['/support', `/support?q=${encodeURIComponent(v.code)}`,
      '/support?q=mitarbeiterin', '/support?q=RE-2026-000001', '/support/abschluss',
      '/support/abschluss?username=mitarbeiterin', '/admin', '/admin/kurse', '/admin/kurse/neu',
      '/admin/kurse/digitales-amt/bearbeiten', '/admin/gemeinden', '/admin/gemeinden/neu', '/admin/konten',
      '/admin/konten/neu', '/admin/protokoll'], 'admin');
    await page.goto(env.srv.baseUrl + `/support?q=${encodeURIComponent(v.code)}`);
    found.push(...await offScreen(page.locator('.support-actions button'), 'support change button'));
    return found;
  }, PHONE);
  assert.deepEqual(problems, []);
});
