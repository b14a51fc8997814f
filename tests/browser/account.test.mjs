// Browser test of "Passwort vergessen" (headless Debian chromium via
// playwright-core): from the login page to the link in the e-mail (received
// by the real SMTP server of tests/lib/smtp.mjs), a new password, and the
// login with it; axe-core checks every page, at 1280 px and 375 px.
// Screenshots: tests/artifacts/reset-*.png.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { serverWithBrowser, withPage, shot, axeProblems } from '../lib/browser.mjs';
import { startSmtp } from '../lib/smtp.mjs';

let smtp;
const suite = serverWithBrowser(async () => {
  smtp = await startSmtp();
  return { smtpUrl: `smtp://127.0.0.1:${smtp.port}` };
});
after(async () => { if (smtp) await smtp.close(); });

for (const [label, viewport] of [['desktop', { width: 1280, height: 900 }], ['mobile', { width: 375, height: 740 }]]) {
  test(`${label}: login page → "Passwort vergessen" → link from the mail → new password → logged in`, async () => {
    const base = suite.srv.baseUrl;
    const password = `neu-${label}-passwort`;
    const problems = [];
    await withPage(suite.browser, async (page) => {
      await page.goto(base + '/login');
      await Promise.all([page.waitForURL(base + '/passwort-vergessen'),
        page.getByRole('link', { name: 'Passwort vergessen?' }).click()]);
      problems.push(...await axeProblems(page));
      await page.getByLabel('Benutzername oder E-Mail-Adresse').fill('maria.mitarbeiterin@musterstadt.gv.at');
      const before = smtp.messages.length;
      await page.getByRole('button', { name: 'Link anfordern' }).click();
      await page.getByRole('status').filter({ hasText: 'Wenn ein Konto zu dieser Angabe passt' }).waitFor();
      problems.push(...await axeProblems(page));
      await shot(page, `reset-asked-${label}`);
      const deadline = Date.now() + 20000;
      while (smtp.messages.length <= before && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      const mail = smtp.messages[before].mail;
      assert.equal(mail.to.value[0].address, 'maria.mitarbeiterin@musterstadt.gv.at');
      const link = mail.text.match(/http:\/\/\S+\/passwort-neu\?t=[A-Za-z0-9_-]{43}/)[0];

      await page.goto(link);
      problems.push(...await axeProblems(page));
      await page.getByLabel('Neues Passwort', { exact: true }).fill(password);
      await page.getByLabel('Neues Passwort wiederholen').fill(password);
      await page.getByRole('button', { name: 'Passwort setzen' }).click();
      await page.getByRole('status').filter({ hasText: 'neues Passwort ist gesetzt' }).waitFor();
      problems.push(...await axeProblems(page));
      await shot(page, `reset-done-${label}`);

      await Promise.all([page.waitForURL(base + '/login'), page.getByRole('link', { name: 'Jetzt anmelden' }).click()]);
      await page.locator('input[name="username"]').fill('mitarbeiterin');
      await page.locator('input[name="password"]').fill(password);
      await Promise.all([page.waitForURL(base + '/'), page.getByRole('button', { name: 'Anmelden' }).click()]);
      assert.ok(await page.getByRole('link', { name: /Maria Mitarbeiterin/ }).isVisible(), 'logged in');

      await page.goto(link);
      assert.ok(await page.getByText('bereits verwendet').isVisible(), 'the link works only once');
      problems.push(...await axeProblems(page));
    }, viewport);
    assert.deepEqual(problems, []);
  });
}
