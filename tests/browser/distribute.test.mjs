// Browser walk of handing codes out (issue 10): the demo admin orders 3 codes,
// pastes 3 colleagues, checks the preview and confirms; the SMTP server gets
// one mail per person; one of them opens the link from her mail and redeems
// as a new user (and lands in "Meine Kurse"); the order page then says who redeemed it.  A recipient saved
// by hand says "gespeichert" and its button is not clipped.  Screenshots at
// 1280 and 375 px go to tests/artifacts/; axe-core checks each page.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { startSmtp } from '../lib/smtp.mjs';
import { until } from '../lib/wait.mjs';
import { serverWithBrowser, withPage as withBrowserPage, loginAs, shot, axeProblems as axe, submitAndWait } from '../lib/browser.mjs';

const CODE_RE = /SBA-[0-9A-Z]{6}-[0-9A-Z]{6}-[0-9A-Z]{6}-[0-9A-Z]{6}/;
let smtp;
const suite = serverWithBrowser(async () => {
  smtp = await startSmtp();
  return { smtpUrl: `smtp://127.0.0.1:${smtp.port}` };
});
after(async () => {
  if (smtp) await smtp.close();
}, { timeout: 60000 });

/** Every "Speichern" button of the recipient forms lies inside its table cell and the viewport. */
async function buttonsInside(page) {
  return page.evaluate(() => [...document.querySelectorAll('.recipient-form button')].every((b) => {
    const r = b.getBoundingClientRect();
    const cell = b.closest('td').getBoundingClientRect();
    return r.width > 0 && r.left >= cell.left - 0.5 && r.right <= cell.right + 0.5;
  }));
}

test('order 3 codes, hand them to 3 people, each gets a mail, one redeems from the mail link', async () => {
  const problems = [];
  const base = suite.srv.baseUrl;
  let orderUrl;
  await withBrowserPage(suite.browser, async (page) => {
    await loginAs(page, base, 'gemeinde');
    await page.goto(base + '/bestellen');
    await page.getByLabel('DSGVO-Grundlagen für Gemeinden').fill('3');
    await page.getByRole('button', { name: 'Weiter zur Übersicht' }).click();
    await page.getByRole('heading', { name: 'Bestellung prüfen' }).waitFor();
    await submitAndWait(page, () => page.getByRole('button', { name: 'Zahlungspflichtig bestellen' }).click(), /\/bestellungen\/\d+$/);
    orderUrl = page.url();

    await page.getByLabel('Personen, eine pro Zeile: Name; E-Mail').fill(
      'Anna Huber; anna.huber@musterstadt.at\nBerta Bauer; berta.bauer@musterstadt.at\nCarl Czerny; carl.czerny@musterstadt.at');
    await submitAndWait(page, () => page.getByRole('button', { name: 'Vorschau' }).click());
    await page.getByRole('heading', { name: 'Codes verteilen' }).waitFor();
    assert.match(await page.locator('main').innerText(), /Diese 3 Personen bekommen je einen offenen Code/);
    problems.push(...await axe(page));
    await shot(page, 'distribute-preview');

    await submitAndWait(page, () => page.getByRole('button', { name: 'Zuweisen und E-Mails senden' }).click(), /hinweis=verteilt/);
    const main = await page.locator('main').innerText();
    assert.match(main, /Die Codes sind zugewiesen/);
    for (const n of ['Anna Huber', 'Berta Bauer', 'Carl Czerny']) {
      assert.ok(await page.locator(`input[name="name"][value="${n}"]`).count() === 1, `${n} shown`);
    }
    assert.ok(await buttonsInside(page), 'Speichern not clipped at 1280 px');
    problems.push(...await axe(page));
    await shot(page, 'distribute-assigned-1280');
    await page.setViewportSize({ width: 375, height: 800 });
    assert.ok(await buttonsInside(page), 'Speichern not clipped at 375 px');
    await shot(page, 'distribute-assigned-375');
    await page.setViewportSize({ width: 1280, height: 900 });

    // a hand-made correction says "gespeichert"
    const row = page.locator('tr[id^="code-"]').filter({ has: page.locator('input[value="Carl Czerny"]') });
    await row.getByLabel('Name').fill('Carl Czerny-Huber');
    await submitAndWait(page, () => row.getByRole('button', { name: 'Speichern' }).click(), /hinweis=gespeichert/);
    const saved = page.locator('tr[id^="code-"]').filter({ has: page.locator('input[value="Carl Czerny-Huber"]') });
    assert.match(await saved.innerText(), /gespeichert/);
    await assert.doesNotReject(page.getByRole('status').filter({ hasText: 'Gespeichert.' }).waitFor());
  });

  await until(() => smtp.messages.filter((m) => m.envelope.rcptTo[0].address.endsWith('@musterstadt.at') &&
    m.mail.subject.startsWith('Ihr Voucher')).length === 3, { ms: 30000, what: 'three mails' });
  const mail = smtp.messages.find((m) => m.envelope.rcptTo[0].address === 'berta.bauer@musterstadt.at');
  const link = mail.mail.text.match(/http\S+\/voucher\/einloesen\?code=\S+/)[0];
  const code = link.match(CODE_RE)[0];

  await withBrowserPage(suite.browser, async (page) => {
    await page.goto(link);
    const codeField = page.locator('#nw-code');
    if (await codeField.inputValue() === '') await codeField.fill(code);
    await page.getByLabel('Vorname').fill('Berta');
    await page.getByLabel('Nachname').fill('Bauer');
    await page.getByLabel('E-Mail-Adresse').fill('berta.bauer@musterstadt.at');
    await page.locator('#nw-username').fill('berta.bauer');
    await page.locator('#nw-password').fill('ein-sicheres-Passwort-1');
    await page.locator('#nw-password2').fill('ein-sicheres-Passwort-1');
    await page.locator('#nw-privacy').check();
    await submitAndWait(page, () => page.getByRole('button', { name: 'Konto anlegen und Code einlösen' }).click());
    await page.getByRole('heading', { name: 'Meine Kurse' }).waitFor();
    assert.match(await page.locator('main').innerText(), /DSGVO-Grundlagen für Gemeinden\s+\d\d\.\d\d\.\d{4}\s+eingeschrieben/);
    problems.push(...await axe(page));
    await shot(page, 'distribute-redeemed-from-mail');
  }, { width: 375, height: 800 });

  await withBrowserPage(suite.browser, async (page) => {
    await loginAs(page, base, 'gemeinde');
    await page.goto(orderUrl + '?status=eingeloest');
    const text = await page.locator('main').innerText();
    assert.ok(text.includes(code), 'the redeemed code');
    assert.match(text, /eingelöst am \d\d\.\d\d\.\d{4} von Berta Bauer/);
    problems.push(...await axe(page));
    await shot(page, 'distribute-order-after');
    // The proof of training names her with the course the code enrolled her in.
    await page.goto(base + '/gemeinde/schulungen');
    assert.match(await page.locator('main').innerText(), /Berta Bauer[\s\S]*DSGVO-Grundlagen für Gemeinden/);
    problems.push(...await axe(page));
    await shot(page, 'distribute-training');
  });
  assert.deepEqual(problems, [], `axe-core violations:\n${problems.join('\n')}`);
}, { timeout: 120000 });
