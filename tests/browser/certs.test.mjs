// Browser test of certificates (headless Debian chromium via playwright-core):
// the demo user with a completed course opens Meine Kurse and downloads the
// certificate; support records a completion in the form; anyone checks a
// number on the verification page.  Screenshots go to
// tests/artifacts/certs-*.png; axe-core checks every page.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { serverWithBrowser, withPage as withBrowserPage, shot, axeProblems, submitAndWait, loginAs as loginThrough } from '../lib/browser.mjs';
import { pdfText } from '../lib/pdf.mjs';
import { order, redeemExisting, sql, sqlValue } from '../lib/redeem.mjs';

const suite = serverWithBrowser();
const withPage = (fn) => withBrowserPage(suite.browser, fn);

async function assertAccessible(page) {
  assert.deepEqual(await axeProblems(page), [], page.url());
}

const loginAs = (page, username) => loginThrough(page, suite.srv.baseUrl, username);

/** Enrolls mitarbeiterin in the course through a redeemed code, dated 2024-06-01 (before the completions). */
async function enroll(slug) {
  const [v] = order(suite.srv, `${slug}=1`);
  assert.equal((await redeemExisting(suite.srv, 'mitarbeiterin', v.code)).status, 200);
  sql(suite.srv, `UPDATE enrollments SET enrolled_at = strftime('%s', '2024-06-01') WHERE voucher_id = ${v.id}`);
}

test('a user with a completed course downloads the certificate from Meine Kurse', async () => {
  await enroll('dsgvo-grundlagen');
  await enroll('buergerservice');
  const file = path.join(suite.srv.dir, 'done.csv');
  fs.writeFileSync(file, 'username,course,completed_on\nmitarbeiterin,dsgvo-grundlagen,2025-01-20\n');
  assert.equal(suite.srv.ctl(['completions', 'import', file]).code, 0);
  const number = sqlValue(suite.srv, 'SELECT number FROM certificates');
  await withPage(async (page, context) => {
    await loginAs(page, 'mitarbeiterin');
    await page.getByRole('link', { name: 'Meine Kurse' }).click();
    const link = page.getByRole('link', { name: /Zertifikat \(PDF\)/ });
    assert.equal(await link.count(), 1, 'one certificate: the open course has none');
    await shot(page, 'certs-meine-kurse');
    await assertAccessible(page);
    const res = await context.request.get(suite.srv.baseUrl + await link.getAttribute('href'));
    assert.equal(res.status(), 200);
    assert.equal(res.headers()['content-type'], 'application/pdf');
    const text = pdfText(await res.body());
    for (const s of ['Zertifikat', 'Maria Mitarbeiterin', 'DSGVO-Grundlagen für Gemeinden', '20.01.2025', number]) {
      assert.ok(text.includes(s), s);
    }
  });
});

test('support records a completion in the form', async () => {
  await enroll('informationssicherheit');
  await withPage(async (page) => {
    await loginAs(page, 'support');
    await page.goto(suite.srv.baseUrl + '/support/abschluss');
    await assertAccessible(page);
    await page.getByLabel('Benutzername').fill('mitarbeiterin');
    await Promise.all([page.waitForURL((u) => u.searchParams.get('username') === 'mitarbeiterin'),
      page.getByRole('button', { name: 'Kurse der Person anzeigen' }).click()]);
    await assertAccessible(page);
    await page.getByLabel('Kurs', { exact: true }).selectOption('informationssicherheit');
    await page.getByLabel('Abschlussdatum').fill('2025-01-21');
    await submitAndWait(page, () => page.getByRole('button', { name: 'Abschluss eintragen' }).click());
    const status = await page.getByRole('status').innerText();
    assert.match(status, /Zertifikat Z-[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4} ist ausgestellt/);
    await shot(page, 'certs-support-form');
    await assertAccessible(page);
  });
});

test('the verification page confirms a number typed sloppily and says when one is not found', async () => {
  const number = sqlValue(suite.srv, 'SELECT number FROM certificates ORDER BY id LIMIT 1');
  await withPage(async (page) => {
    await page.goto(suite.srv.baseUrl + '/zertifikat/pruefen');
    await assertAccessible(page);
    await page.getByLabel('Zertifikatsnummer').fill(number.slice(2).replaceAll('-', ' ').toLowerCase());
    await Promise.all([page.waitForURL((u) => u.searchParams.has('nr')), page.getByRole('button', { name: 'Prüfen' }).click()]);
    const result = await page.getByRole('status').innerText();
    assert.match(result, /Dieses Zertifikat ist echt/);
    assert.match(result, /Maria Mitarbeiterin/);
    await shot(page, 'certs-pruefen-echt');
    await assertAccessible(page);
    await page.getByLabel('Zertifikatsnummer').fill('Z-0000-0000-0000');
    await Promise.all([page.waitForURL((u) => u.searchParams.get('nr') === 'Z-0000-0000-0000'),
      page.getByRole('button', { name: 'Prüfen' }).click()]);
    assert.match(await page.getByRole('alert').innerText(), /Zertifikat nicht gefunden/);
    await shot(page, 'certs-pruefen-nicht-gefunden');
    await assertAccessible(page);
  });
});

test('the verification page says plainly when an address has tried too many wrong numbers', async () => {
  // The address has used up its wrong numbers ([limits] verify_max_failures, default 30).
  sql(suite.srv, `WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 30)
    INSERT INTO login_failures (key, at) SELECT 'verify-ip:127.0.0.1', strftime('%s', 'now') FROM n`);
  const number = sqlValue(suite.srv, 'SELECT number FROM certificates ORDER BY id LIMIT 1');
  try {
    await withPage(async (page) => {
      const res = await page.goto(`${suite.srv.baseUrl}/zertifikat/pruefen?nr=${encodeURIComponent(number)}`);
      assert.equal(res.status(), 429);
      assert.match(await page.getByRole('alert').innerText(), /Zu viele .*15 Minuten/s);
      assert.doesNotMatch(await page.locator('main').innerText(), /Maria Mitarbeiterin/, 'no name while limited');
      assert.ok(await page.getByLabel('Zertifikatsnummer').isVisible(), 'the form stays for later');
      await shot(page, 'certs-pruefen-zu-viele');
      await assertAccessible(page);
    });
  } finally {
    sql(suite.srv, "DELETE FROM login_failures WHERE key = 'verify-ip:127.0.0.1'");
  }
});
