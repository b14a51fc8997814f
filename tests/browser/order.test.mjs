// Browser test of ordering (issue 3): the demo admin orders 3 × a course and
// 2 × a package, reviews and confirms; the order page shows 5 codes "offen"
// and the SMTP server holds one mail with them.  Screenshots of the form, the
// review and the order page go to tests/artifacts/; axe-core checks each.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { startSmtp } from '../lib/smtp.mjs';
import { serverWithBrowser, withPage as withBrowserPage, loginAs, shot, axeProblems as axe } from '../lib/browser.mjs';
const CODE_RE = /SBA-[0-9A-Z]{6}-[0-9A-Z]{6}-[0-9A-Z]{6}-[0-9A-Z]{6}/g;

let smtp;
const suite = serverWithBrowser(async () => {
  smtp = await startSmtp();
  return { smtpUrl: `smtp://127.0.0.1:${smtp.port}` };
});
after(async () => {
  if (smtp) await smtp.close();
}, { timeout: 60000 });
const withPage = (fn) => withBrowserPage(suite.browser, fn);

test('the demo admin orders 3 courses and 2 packages; 5 codes "offen" and one mail', async () => {
  const problems = [];
  await withPage(async (page) => {
    await loginAs(page, suite.srv.baseUrl, 'gemeinde');

    await Promise.all([page.waitForURL(suite.srv.baseUrl + '/bestellen'),
      page.getByRole('link', { name: 'Bestellen', exact: true }).click()]);
    await page.getByLabel('DSGVO-Grundlagen für Gemeinden').fill('3');
    await page.getByLabel('Paket Digitales Amt').fill('2');
    await page.getByLabel('Ihr Bestellzeichen (optional)').fill('GZ Browser-1');
    problems.push(...await axe(page));
    await shot(page, 'order-form');

    await page.getByRole('button', { name: 'Weiter zur Übersicht' }).click();
    await page.getByRole('heading', { name: 'Bestellung prüfen' }).waitFor();
    const review = await page.locator('main').innerText();
    for (const s of ['1.045,00 €', '209,00 €', '1.254,00 €', 'buchhaltung@musterstadt.gv.at']) {
      assert.ok(review.includes(s), `review shows ${s}`);
    }
    problems.push(...await axe(page));
    await shot(page, 'order-review');

    await Promise.all([page.waitForURL(/\/bestellungen\/\d+$/),
      page.getByRole('button', { name: 'Zahlungspflichtig bestellen' }).click()]);
    const rows = page.locator('tr[id^="code-"]');
    assert.equal(await rows.count(), 5);
    for (let i = 0; i < 5; i++) assert.match(await rows.nth(i).innerText(), /offen/);
    const codes = [...new Set((await page.locator('main').innerText()).match(CODE_RE))];
    assert.equal(codes.length, 5);
    problems.push(...await axe(page));
    await shot(page, 'order-placed');

    const invoice = (await page.locator('main').innerText()).match(/RE-\d{4}-\d{6}/)[0];
    const mail = await smtp.waitFor((m) => m.mail.subject.includes(invoice), 10000);
    assert.deepEqual([...new Set(mail.mail.text.match(CODE_RE))].sort(), [...codes].sort());
    assert.deepEqual(mail.mail.attachments.map((a) => a.filename).sort(), ['Rechnung-' + invoice + '.pdf', 'codes.csv'].sort());
    // One SMTP transfer per recipient (a refusing address cannot stop the others): each got one copy.
    // The transfers follow one another: wait for each recipient's before counting them.
    for (const to of mail.mail.to.value) {
      await smtp.waitFor((m) => m.mail.subject.includes(invoice) && m.envelope.rcptTo.some((r) => r.address === to.address), 10000);
    }
    const rcpts = smtp.messages.flatMap((m) => m.envelope.rcptTo.map((r) => r.address)).sort();
    assert.deepEqual(rcpts, mail.mail.to.value.map((a) => a.address).sort());
    assert.equal(new Set(smtp.messages.map((m) => m.mail.messageId)).size, 1, 'the copies are one message');

    await Promise.all([page.waitForURL(suite.srv.baseUrl + '/bestellungen'),
      page.getByRole('link', { name: 'Bestellungen', exact: true }).click()]);
    problems.push(...await axe(page));
    await shot(page, 'orders-list');
  });
  assert.deepEqual(problems, [], `axe-core violations:\n${problems.join('\n')}`);
});

test('a wrong quantity shows the message next to the field', async () => {
  await withPage(async (page) => {
    await page.goto(suite.srv.baseUrl + '/login?next=/bestellen');
    await page.locator('input[name="username"]').fill('gemeinde');
    await page.locator('input[name="password"]').fill('demo-passwort');
    await Promise.all([page.waitForURL(suite.srv.baseUrl + '/bestellen'), page.getByRole('button', { name: 'Anmelden' }).click()]);
    await page.getByLabel('DSGVO-Grundlagen für Gemeinden').fill('10001');
    await page.getByRole('button', { name: 'Weiter zur Übersicht' }).click();
    const field = page.getByLabel('DSGVO-Grundlagen für Gemeinden');
    await field.waitFor();
    assert.equal(await field.getAttribute('aria-invalid'), 'true');
    assert.equal(await field.inputValue(), '10001');
    const msg = page.locator('#' + await field.getAttribute('aria-describedby'));
    assert.match(await msg.innerText(), /0 bis 10\.000/);
    const violations = await axe(page);
    await shot(page, 'order-form-error');
    assert.deepEqual(violations, []);
  });
});
