// Browser tests of redemption (headless Debian chromium via playwright-core):
// from the red button as a new user to Meine Kurse, as an existing user with
// the keyboard only, every error page V01-V11 (screenshots in
// tests/artifacts/redeem-*.png) and axe-core on the form with errors.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from '../lib/server.mjs';
import { serverWithBrowser, withPage as withBrowserPage, shot, axeViolations, submitAndWait, overflow } from '../lib/browser.mjs';
import { sql, order, addUsers, wellFormed, voucherState, accountId } from '../lib/redeem.mjs';

const suite = serverWithBrowser({ limits: { redeem_max_failures: 1000 } });
const withPage = (fn, viewport) => withBrowserPage(suite.browser, fn, viewport);

const code = (item = 'dsgvo-grundlagen=1') => order(suite.srv, item)[0];

/** Opens the form from the red button on the start page. */
async function fromRedButton(page, base = suite.srv.baseUrl) {
  await page.goto(base + '/');
  await Promise.all([page.waitForURL(base + '/voucher/einloesen'), page.locator('a.btn-redeem').click()]);
}

/** Goes to the form unless the page shows it (error pages do). */
async function ensureForm(page) {
  if (await page.locator('input[name="mode"]').count() === 0) await page.goto(suite.srv.baseUrl + '/voucher/einloesen');
}

async function fillNew(page, fields) {
  await ensureForm(page);
  const form = page.locator('form:has(input[name="mode"][value="new"])');
  for (const [label, value] of fields) await form.getByLabel(label, { exact: true }).fill(value);
  return form;
}

const newUser = (username, c, extra = {}) => ({
  Vouchercode: c, Vorname: 'Nora', Nachname: 'Neumann', 'E-Mail-Adresse': `${username}@musterstadt.gv.at`,
  Benutzername: username, Passwort: 'ein-gutes-passwort', 'Passwort wiederholen': 'ein-gutes-passwort', ...extra,
});

async function submitNew(page, values, consent = true) {
  const form = await fillNew(page, Object.entries(values));
  if (consent) await form.locator('#nw-privacy').check();
  await submitAndWait(page, () => form.getByRole('button').click());
}

async function submitExisting(page, username, c) {
  await ensureForm(page);
  const form = page.locator('form:has(input[name="mode"][value="existing"])');
  await form.getByLabel('Benutzername', { exact: true }).fill(username);
  await form.getByLabel('Vouchercode', { exact: true }).fill(c);
  await submitAndWait(page, () => form.getByRole('button').click());
}

/** Asserts the error box shows number and reference, and keeps a screenshot. */
async function assertErrorPage(page, number) {
  const alert = page.getByRole('alert');
  await alert.waitFor();
  const text = await alert.innerText();
  assert.match(text, new RegExp(`Fehlernummer ${number}, Referenz F-[0-9A-Z]{4}`), text);
  await shot(page, `redeem-${number}`);
}

test('a new user clicks the red button, redeems and lands on Meine Kurse', async () => {
  const v = code('digitales-amt=1');
  await withPage(async (page) => {
    await fromRedButton(page);
    await shot(page, 'redeem-form');
    await submitNew(page, newUser('browser.neu', v.code.toLowerCase()));
    assert.equal(new URL(page.url()).pathname, '/meine-kurse');
    await page.getByRole('heading', { name: 'Meine Kurse' }).waitFor();
    assert.equal(await page.locator('tbody tr').count(), 3, 'the three courses of the package');
    assert.ok(await page.getByText('Nora Neumann').isVisible(), 'logged in');
    await shot(page, 'redeem-new-user-meine-kurse');
  });
});

test('an existing user redeems with the keyboard only and sees the confirmation', async () => {
  const v = code();
  const [user] = addUsers(suite.srv, 'tastatur', 1);
  await withPage(async (page) => {
    await page.goto(suite.srv.baseUrl + '/');
    const focusOn = async (selector) => {
      for (let i = 0; i < 40; i++) {
        await page.keyboard.press('Tab');
        if (await page.locator(selector).evaluate((el) => el === document.activeElement)) return;
      }
      assert.fail(`Tab never reached ${selector}`);
    };
    await focusOn('a.btn-redeem');
    await Promise.all([page.waitForURL(suite.srv.baseUrl + '/voucher/einloesen'), page.keyboard.press('Enter')]);
    await focusOn('#ex-username');
    await page.keyboard.type(user);
    await page.keyboard.press('Tab');
    await page.keyboard.type(v.code);
    await submitAndWait(page, () => page.keyboard.press('Enter'));
    await page.getByRole('heading', { name: 'Voucher eingelöst' }).waitFor();
    assert.match(await page.getByRole('status').innerText(), new RegExp(`dem Konto „${user}“ zugeordnet`));
    await shot(page, 'redeem-existing-user-done');
  });
  assert.equal(voucherState(suite.srv, v.id).redeemed_by, accountId(suite.srv, user));
});

test('every error page V01-V10 shows its number, a sentence and a reference', async () => {
  const taken = code();
  const [user] = addUsers(suite.srv, 'fehler', 1);
  const expired = code();
  sql(suite.srv, `UPDATE vouchers SET valid_until = strftime('%s') - 86400 WHERE id = ${expired.id}`);
  const revoked = code();
  sql(suite.srv, `UPDATE vouchers SET revoked_at = strftime('%s') WHERE id = ${revoked.id}`);
  const enrolledFirst = code();
  const open = code();
  const cases = [
    ['V01', (p) => submitExisting(p, user, 'SBA-1234-5678')],
    ['V02', (p) => submitExisting(p, user, wellFormed('7K3QDM9XWR2HF8NC4TJPZ5A').replace('7K', 'K7'))],
    ['V03', (p) => submitExisting(p, user, wellFormed('7K3QDM9XWR2HF8NC4TJPZ5A'))],
    ['V04', async (p) => { await submitExisting(p, user, taken.code); await submitExisting(p, 'mitarbeiterin', taken.code); }],
    ['V05', (p) => submitExisting(p, user, expired.code)],
    ['V06', (p) => submitExisting(p, user, revoked.code)],
    ['V07', (p) => submitExisting(p, 'gibt.es.nicht', open.code)],
    ['V08', async (p) => { await submitExisting(p, user, enrolledFirst.code); await submitExisting(p, user, open.code); }],
    ['V09', (p) => submitNew(p, newUser('mitarbeiterin', open.code))],
    ['V10', (p) => submitNew(p, newUser('ok.name', open.code, { 'E-Mail-Adresse': 'kein-at', Passwort: 'kurz' }), false)],
  ];
  for (const [number, act] of cases) {
    await withPage(async (page) => {
      await act(page);
      await assertErrorPage(page, number);
    });
  }
  assert.equal(voucherState(suite.srv, open.id).redeemed_at, null, 'the open code survived V07-V10');
});

test('V11 error page after too many failures (server with a limit of 3)', async () => {
  const small = await startServer({ limits: { redeem_max_failures: 3, redeem_window_seconds: 60 } });
  try {
    await withPage(async (page) => {
      await fromRedButton(page, small.baseUrl);
      for (const last of 'ABCD') await submitExisting(page, 'mitarbeiterin', wellFormed(`7K3QDM9XWR2HF8NC4TJPZ5${last}`));
      await assertErrorPage(page, 'V11');
    });
  } finally {
    await small.stop();
  }
});

test('the new-account form with a bad e-mail, a short password and a different repeat: all three at their fields, at 1280 and 375 px', async () => {
  const v = code();
  for (const [width, height] of [[1280, 900], [375, 740]]) {
    await withPage(async (page) => {
      await page.goto(suite.srv.baseUrl + '/voucher/einloesen');
      await submitNew(page, newUser(`drei.${width}`, v.code, { 'E-Mail-Adresse': 'kein-at', Passwort: 'kurz',
        'Passwort wiederholen': 'anders' }));
      await assertErrorPage(page, 'V10');
      await shot(page, `redeem-new-three-errors-${width}`);
      const alert = page.getByRole('alert');
      for (const [id, message] of [['nw-email', /E-Mail-Adresse/], ['nw-password', /mindestens 10 Zeichen/],
        ['nw-password2', /stimmen nicht überein/]]) {
        const input = page.locator(`#${id}`);
        assert.equal(await input.getAttribute('aria-invalid'), 'true', `${width}: ${id} marked`);
        const msg = page.locator(`#${id.replace('-', '_')}-error`);
        assert.match(await msg.innerText(), message, `${width}: ${id} message`);
        assert.ok((await input.getAttribute('aria-describedby')).split(' ').includes(`${id.replace('-', '_')}-error`));
        // the message stands right above its input, in the same column, both wholly inside the viewport's width
        const [m, i] = [await msg.boundingBox(), await input.boundingBox()];
        assert.ok(m.y + m.height <= i.y + 1 && i.y - (m.y + m.height) < 40, `${width}: ${id} message just above the input`);
        assert.ok(Math.abs(m.x - i.x) < 2, `${width}: ${id} message aligned with its input`);
        assert.ok(i.x >= 0 && i.x + i.width <= width && m.x + m.width <= width,
          `${width}: ${id} not clipped (input ${JSON.stringify(i)}, message ${JSON.stringify(m)})`);
        assert.equal(await alert.locator(`a[href="#${id.replace('-', '_')}-error"]`).count(), 1, `${width}: listed at the top`);
      }
      const button = page.locator('form:has(input[name="mode"][value="new"]) button');
      const b = await button.boundingBox();
      assert.ok(b.x >= 0 && b.x + b.width <= width, `${width}: the submit button is wholly on screen`);
      assert.deepEqual(await overflow(page), [], `${width}: no sideways scroll`);
      assert.deepEqual((await axeViolations(page)).map((x) => `${x.id}: ${x.help} (${x.nodes[0]?.target})`), []);
    }, { width, height });
  }
  assert.equal(voucherState(suite.srv, v.id).redeemed_at, null, 'the code stays open');
});

test('axe-core finds no WCAG 2.1 A/AA violations on the form with errors, the confirmation and Meine Kurse', async () => {
  const v = code();
  await withPage(async (page) => {
    const problems = [];
    const check = async (name) => {
      for (const x of await axeViolations(page)) problems.push(`${name}: ${x.id}: ${x.help} (${x.nodes[0]?.target})`);
    };
    await page.goto(suite.srv.baseUrl + '/voucher/einloesen');
    await submitNew(page, newUser('a', v.code, { 'E-Mail-Adresse': 'kaputt', 'Passwort wiederholen': 'anders' }), false);
    await check('V10');
    await submitNew(page, newUser('axe.test', v.code));
    await check('Meine Kurse');
    assert.deepEqual(problems, []);
  }, { width: 375, height: 800 });
});
