// Browser test of the accountant's day: the admin opens the invoice journal, an invoice, records its payment
// and cancels the open codes of another one through the forms (no JavaScript needed); the journal, the invoice
// page with its credit note and the order page pass axe at 1280 px and do not scroll sideways at 375 px.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { serverWithBrowser, loggedInPage, shot, submitAndWait, axeProblems as axe } from '../lib/browser.mjs';

const suite = serverWithBrowser();

function placeOrder(items, reference) {
  const args = ['order', 'add', '--username', 'gemeinde', '--reference', reference];
  for (const it of items) args.push('--item', it);
  const r = suite.srv.ctl(args);
  assert.equal(r.code, 0, r.stderr);
  return Number(r.stdout.split('\n')[0].split(' ')[1]);
}

test('the admin records a payment and cancels open codes with a credit note; the pages pass axe and fit 375 px', async () => {
  const base = suite.srv.baseUrl;
  placeOrder(['dsgvo-grundlagen=2'], 'GZ Browser & Buchhaltung');
  const stornoId = placeOrder(['digitales-amt=3'], 'GZ Fehlbestellung');
  const { context, page } = await loggedInPage(suite.browser, base, 'admin');
  const problems = [];
  try {
    await page.goto(base + '/admin');
    await Promise.all([page.waitForURL(base + '/admin/rechnungen'), page.getByRole('link', { name: 'Rechnungen' }).click()]);
    assert.equal(await page.locator('.journal-table tbody tr').count(), 2);
    problems.push(...await axe(page));
    await shot(page, 'accounting-journal');

    await page.getByRole('link', { name: 'RE-', exact: false }).last().click();
    await page.getByRole('heading', { name: /^Rechnung RE-/ }).waitFor();
    await submitAndWait(page, () => page.getByRole('button', { name: 'Als bezahlt vermerken' }).click());
    assert.match(await page.locator('[role="status"]').innerText(), /Zahlung ist vermerkt/);
    assert.match(await page.locator('#invoice-status').innerText(), /bezahlt/);
    problems.push(...await axe(page));

    await page.goto(base + '/admin/rechnungen');
    await page.getByRole('link', { name: 'RE-', exact: false }).first().click();
    await page.getByRole('heading', { name: /^Rechnung RE-/ }).waitFor();
    await page.getByLabel('Grund').fill('Fehlbestellung: Paket doppelt');
    await page.getByLabel('nur die offenen (nicht eingelösten) Codes').check();
    await submitAndWait(page, () => page.getByRole('button', { name: 'Gutschrift ausstellen und Codes widerrufen' }).click());
    assert.match(await page.locator('[role="status"]').innerText(), /Gutschrift ist ausgestellt/);
    assert.match(await page.locator('.credits-table').innerText(), /GS-\d{4}-000001[^]*3 Stk Paket Digitales Amt/);
    assert.match(await page.locator('#invoice-status').innerText(), /storniert/);
    problems.push(...await axe(page));
    await shot(page, 'accounting-invoice-credit-note');

    await page.goto(`${base}/bestellungen/${stornoId}`);
    assert.match(await page.locator('main').innerText(), /Gutschriften \(Storno\)[^]*GS-\d{4}-000001/);
    problems.push(...await axe(page));

    await page.setViewportSize({ width: 375, height: 800 });
    for (const url of ['/admin/rechnungen', `/bestellungen/${stornoId}`]) {
      await page.goto(base + url);
      const [scroll, inner] = await page.evaluate(() => [document.documentElement.scrollWidth, window.innerWidth]);
      const wide = await page.evaluate(() => [...document.querySelectorAll("main *")].filter((e) => e.scrollWidth > e.clientWidth + 1 && getComputedStyle(e).overflowX === "visible" && !e.classList.contains("visually-hidden")).slice(0, 5).map((e) => `${e.tagName}.${e.className} ${e.scrollWidth}/${e.clientWidth}`).join(", "));
      assert.ok(scroll <= inner, `${url} scrolls sideways at 375 px (${scroll} > ${inner}): ${wide}`);
    }
    await page.goto(base + '/admin/rechnungen');
    await shot(page, 'accounting-journal-375');
  } finally {
    await context.close();
  }
  assert.deepEqual(problems, [], `axe-core violations:\n${problems.join('\n')}`);
});
