// Redemption (/voucher/einloesen, /meine-kurse) through nginx + voucherd:
// every error number V01-V11 with the code's state afterwards, both ways of
// redeeming, exactly-once under a race of 50 requests, the attempt log,
// double clicks, escaping.  One behaviour per test case.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { assertEveryErrorAtItsField } from '../lib/forms.mjs';
import { startServer } from '../lib/server.mjs';
import { until } from '../lib/wait.mjs';
import { Client, csrfFrom, login, links, tags, textOf } from '../lib/http.mjs';
import {
  ALPHABET, sql, sqlValue, order, voucherState, accountId, addUsers, wellFormed, openForm, redeemExisting,
  newUserFields, redeemNew, redeemError, inputById, spooledMail, spooledMailAll,
} from '../lib/redeem.mjs';

let srv;

before(async () => {
  // The race alone makes 49 failures from 127.0.0.1: keep V11 out of the way here.
  srv = await startServer({ limits: { redeem_max_failures: 1000, redeem_window_seconds: 900 } });
}, { timeout: 120000 });

after(async () => {
  if (srv) await srv.stop();
}, { timeout: 30000 });

const one = (item = 'dsgvo-grundlagen=1') => order(srv, item)[0];
const DATE = /\d\d\.\d\d\.\d{4}/;

function assertRefusal(res, number, what) {
  assert.equal(res.status, number === 'V11' ? 429 : 422, `${what}: status\n${textOf(res.text).slice(0, 800)}`);
  const err = redeemError(res.text);
  assert.ok(err, `${what}: error box with number and reference\n${textOf(res.text).slice(0, 800)}`);
  assert.equal(err.number, number, `${what}: ${err.text}`);
  assert.ok(err.text.length > 40, `${what}: a sentence saying what to do next`);
  return err;
}

const assertOpen = (v, what) => assert.equal(voucherState(srv, v.id).redeemed_at, null, `${what}: code stays open`);

function lastAttempt() {
  const [row] = sql(srv, `SELECT at, coalesce(ip, ''), username, coalesce(hex(code_hash), ''), result, reference,
    coalesce(voucher_id, 0) FROM redemption_attempts ORDER BY id DESC LIMIT 1`);
  return { at: Number(row[0]), ip: row[1], username: row[2], codeHash: row[3], result: row[4], reference: row[5],
    voucherId: Number(row[6]) };
}

// ---------------------------------------------------------------------------
// The page

test('GET /voucher/einloesen shows both forms with labelled inputs and the code help', async () => {
  const { page } = await openForm(srv);
  const forms = tags(page.text, 'form').filter((f) => f.attrs.action === '/voucher/einloesen');
  assert.equal(forms.length, 2, 'two forms');
  const text = textOf(page.text);
  assert.match(text, /Ich habe bereits ein Konto/);
  assert.match(text, /Ich bin neu hier/);
  assert.match(text, /E-Mail von IT-Kommunal/);
  assert.match(text, /Bindestriche/);
  const modes = tags(page.text, 'input').filter((t) => t.attrs.name === 'mode').map((t) => t.attrs.value);
  assert.deepEqual(modes, ['existing', 'new']);
  const labelled = new Set(tags(page.text, 'label').map((t) => t.attrs.for));
  for (const input of tags(page.text, 'input').filter((t) => t.attrs.type !== 'hidden')) {
    assert.ok(labelled.has(input.attrs.id), `input ${input.attrs.name} (#${input.attrs.id}) has a label`);
  }
  for (const name of ['code', 'first_name', 'last_name', 'email', 'username', 'password', 'password2', 'privacy']) {
    assert.ok(tags(page.text, 'input').some((t) => t.attrs.name === name), `field ${name}`);
  }
  assert.ok(inputById(page.text, 'ex-code')['aria-describedby'].includes('code-help'), 'code help linked');
});

test('the fresh guest form is kept: byte for byte the form rendered for ?code= (empty), with each guest\'s own token', async () => {
  const a = new Client(srv.baseUrl);
  const pages = [];
  for (let i = 0; i < 9; i++) pages.push(await a.get('/voucher/einloesen')); // every worker keeps one
  const rendered = await a.get('/voucher/einloesen?code='); // not the kept page: ?code= is read
  assert.equal(rendered.status, 200);
  const token = csrfFrom(rendered.text);
  assert.equal(rendered.text.split(`value="${token}"`).length, 3, 'the token in both forms');
  for (const p of pages) assert.equal(p.text, rendered.text);
  const b = new Client(srv.baseUrl);
  const other = await b.get('/voucher/einloesen');
  const otherToken = csrfFrom(other.text);
  assert.notEqual(otherToken, token, 'another guest, another token');
  assert.equal(other.text.replaceAll(otherToken, token), rendered.text);
});

test('the red button of the start page leads to /voucher/einloesen', async () => {
  const home = await new Client(srv.baseUrl).get('/');
  assert.ok(links(home.text).some((l) => l.href === '/voucher/einloesen' && l.class.includes('btn-redeem')));
});

// ---------------------------------------------------------------------------
// Each error number, and the code's state afterwards

test('V01: a code of the wrong length is refused, linked to the code field, and logged without a hash', async () => {
  const res = await redeemExisting(srv, 'mitarbeiterin', 'SBA-1234');
  const err = assertRefusal(res, 'V01', 'short code');
  assert.match(err.text, /24 Zeichen/);
  const input = inputById(res.text, 'ex-code');
  assert.equal(input['aria-invalid'], 'true');
  assert.ok(input['aria-describedby'].split(' ').includes('redeem-error-text'), 'message linked to the field');
  assert.equal(input.value, 'SBA-1234', 'typed code shown again');
  const a = lastAttempt();
  assert.deepEqual([a.result, a.reference, a.codeHash, a.username, a.ip], ['V01', err.reference, '', 'mitarbeiterin',
    '127.0.0.1']);
});

test('V02: a code with two neighbours swapped is refused as mistyped; the real code stays open', async () => {
  const v = one();
  const chars = v.code.replace(/-/g, '').slice(3).split('');
  let i = 0;
  while (chars[i] === chars[i + 1]) i++;
  [chars[i], chars[i + 1]] = [chars[i + 1], chars[i]];
  const res = await redeemExisting(srv, 'mitarbeiterin', chars.join(''));
  const err = assertRefusal(res, 'V02', 'swapped symbols');
  assert.match(err.text, /vertippt/);
  assertOpen(v, 'V02');
  assert.equal(lastAttempt().codeHash.length, 64, 'a mistyped code is logged by its hash');
});

test('V03: a well-formed code that was never sold is unknown', async () => {
  const res = await redeemExisting(srv, 'mitarbeiterin', wellFormed('7K3QDM9XWR2HF8NC4TJPZ5A'));
  assertRefusal(res, 'V03', 'unknown code');
});

test('V03 comes before the username: an unknown code with an unknown or taken username says nothing about it', async () => {
  const code = wellFormed('K7QMD2XHD9PRAWE4TNB3CQ5');
  assertRefusal(await redeemExisting(srv, 'gibt-es-nicht', code), 'V03', 'unknown user');
  assertRefusal(await redeemNew(srv, newUserFields('mitarbeiterin', code)), 'V03', 'taken username');
  assertRefusal(await redeemNew(srv, newUserFields('x', code, { email: 'kaputt' })), 'V03', 'invalid form');
});

test('V04: a code redeemed by someone else shows the date, never by whom', async () => {
  const v = one();
  assert.equal((await redeemExisting(srv, 'mitarbeiterin', v.code)).status, 200);
  const res = await redeemExisting(srv, 'gemeinde', v.code);
  const err = assertRefusal(res, 'V04', 'redeemed');
  assert.match(err.text, DATE);
  assert.doesNotMatch(textOf(res.text), /mitarbeiterin|Maria/i);
  assert.equal(voucherState(srv, v.id).redeemed_by, accountId(srv, 'mitarbeiterin'), 'still the first redeemer');
});

test('V05: an expired code shows "gültig bis" and stays unredeemed', async () => {
  const v = one();
  sql(srv, `UPDATE vouchers SET valid_until = strftime('%s') - 86400 WHERE id = ${v.id}`);
  const err = assertRefusal(await redeemExisting(srv, 'mitarbeiterin', v.code), 'V05', 'expired');
  assert.match(err.text, new RegExp(`gültig bis ${DATE.source}`));
  assertOpen(v, 'V05');
});

test('V06: a revoked code never redeems', async () => {
  const v = one();
  sql(srv, `UPDATE vouchers SET revoked_at = strftime('%s'), revoke_reason = 'Test' WHERE id = ${v.id}`);
  assertRefusal(await redeemExisting(srv, 'mitarbeiterin', v.code), 'V06', 'revoked');
  assertOpen(v, 'V06');
});

test('V07: an unknown username is refused at the username field; the code stays open', async () => {
  const v = one();
  const res = await redeemExisting(srv, 'niemand.hier', v.code);
  assertRefusal(res, 'V07', 'unknown user');
  assert.equal(inputById(res.text, 'ex-username')['aria-invalid'], 'true');
  assert.equal(inputById(res.text, 'ex-username').value, 'niemand.hier');
  assertOpen(v, 'V07');
});

test('V07: a disabled account cannot redeem', async () => {
  const [user] = addUsers(srv, 'gesperrt', 1);
  sql(srv, `UPDATE accounts SET disabled = 1 WHERE username = '${user}'`);
  const v = one();
  assertRefusal(await redeemExisting(srv, user, v.code), 'V07', 'disabled');
  assertOpen(v, 'V07 disabled');
});

test('V08: a user already enrolled in the course keeps the second code open', async () => {
  const [user] = addUsers(srv, 'doppelt', 1);
  const [first, second] = order(srv, 'dsgvo-grundlagen=2');
  assert.equal((await redeemExisting(srv, user, first.code)).status, 200);
  const err = assertRefusal(await redeemExisting(srv, user, second.code), 'V08', 'enrolled');
  assert.match(err.text, /nicht verbraucht/);
  assertOpen(second, 'V08');
});

test('V09: a taken username (in any case) refuses the new account and leaves the code open', async () => {
  const v = one();
  const before = sqlValue(srv, 'SELECT count(*) FROM accounts');
  const res = await redeemNew(srv, newUserFields('MitarbeiterIn', v.code));
  assertRefusal(res, 'V09', 'taken');
  assert.equal(inputById(res.text, 'nw-username')['aria-invalid'], 'true');
  assert.equal(sqlValue(srv, 'SELECT count(*) FROM accounts'), before, 'no account created');
  assertOpen(v, 'V09');
});

test('V10: a bad e-mail is named at its field, the form keeps the entries but not the passwords, the code stays open', async () => {
  const v = one();
  const res = await redeemNew(srv, newUserFields('neu.v10', v.code, { email: 'kein-at-zeichen', first_name: 'Vera' }));
  assertRefusal(res, 'V10', 'bad e-mail');
  const email = inputById(res.text, 'nw-email');
  assert.equal(email['aria-invalid'], 'true');
  assert.ok(email['aria-describedby'].split(' ').includes('nw_email-error'));
  assert.match(textOf(res.text.match(/<p class="error-text" id="nw_email-error">[\s\S]*?<\/p>/)[0]), /E-Mail-Adresse/);
  assert.equal(email.value, 'kein-at-zeichen');
  assert.equal(inputById(res.text, 'nw-first-name').value, 'Vera');
  assert.equal(inputById(res.text, 'nw-code').value, v.code);
  assert.equal(inputById(res.text, 'nw-privacy').checked, '', 'consent kept');
  assert.equal(inputById(res.text, 'nw-password').value, undefined, 'password not shown again');
  assert.equal(inputById(res.text, 'nw-password2').value, undefined, 'password2 not shown again');
  assert.equal(accountId(srv, 'neu.v10'), null);
  assertOpen(v, 'V10');
});

test('V10: short password, different repetition, missing consent, bad username each say what is wrong', async () => {
  const v = one();
  const res = await redeemNew(srv, newUserFields('a', v.code, { password: 'kurz', password2: 'anders', privacy: '' }));
  assertRefusal(res, 'V10', 'several fields');
  for (const id of ['nw-username', 'nw-password', 'nw-password2', 'nw-privacy']) {
    assert.equal(inputById(res.text, id)['aria-invalid'], 'true', id);
    assert.match(res.text, new RegExp(`id="${id.replace('-', '_')}-error"`), `${id} has its message`);
  }
  assertOpen(v, 'V10 several');
});

test('V10: a bad e-mail, a short password and a different repeat are all named at once, each at its field', async () => {
  const v = one();
  const res = await redeemNew(srv, newUserFields('neu.drei', v.code, { email: 'kein-at', password: 'kurz',
    password2: 'anders' }));
  assertRefusal(res, 'V10', 'three fields');
  assertEveryErrorAtItsField(res, [['nw-email', 'nw_email-error', /E-Mail-Adresse/],
    ['nw-password', 'nw_password-error', /mindestens 10 Zeichen/],
    ['nw-password2', 'nw_password2-error', /stimmen nicht überein/]],
  [['nw-first-name', 'nw_first_name-error'], ['nw-last-name', 'nw_last_name-error'],
    ['nw-username', 'nw_username-error'], ['nw-privacy', 'nw_privacy-error']],
  { summary: /markierten Felder/ });
  assert.equal(accountId(srv, 'neu.drei'), null);
  assertOpen(v, 'V10 three');
});

test('V10 with a taken username names it too; the number stays V10', async () => {
  const v = one();
  const res = await redeemNew(srv, newUserFields('Mitarbeiterin', v.code, { email: 'kein-at' }));
  assertRefusal(res, 'V10', 'bad e-mail and taken username');
  assertEveryErrorAtItsField(res, [['nw-email', 'nw_email-error', /E-Mail-Adresse/],
    ['nw-username', 'nw_username-error', /gibt es bereits/]], [], { summary: /markierten Felder/ });
  assertOpen(v, 'V10 taken');
});

test('V01 in the existing-user form with no username names both; the number stays V01, a code error', async () => {
  const res = await redeemExisting(srv, '', 'SBA-1234');
  const err = assertRefusal(res, 'V01', 'short code, no username');
  assert.match(err.text, /24 Zeichen/);
  assertEveryErrorAtItsField(res, [['ex-username', 'ex_username-error', /Benutzernamen ein/]], [],
    { summary: /außerdem/ });
  assert.equal(inputById(res.text, 'ex-code')['aria-invalid'], 'true', 'the code is marked');
  assert.equal(lastAttempt().result, 'V01');
});

test('a new-user form with a malformed code and bad fields: V01 (the code), the fields named at their inputs', async () => {
  const res = await redeemNew(srv, newUserFields('neu.v01', 'SBA-12', { email: 'kein-at', privacy: '' }));
  assertRefusal(res, 'V01', 'short code, bad fields');
  assertEveryErrorAtItsField(res, [['nw-email', 'nw_email-error', /E-Mail-Adresse/],
    ['nw-privacy', 'nw_privacy-error', /Datenschutzerklärung/]], [], { summary: /außerdem/ });
  assert.equal(inputById(res.text, 'nw-code')['aria-invalid'], 'true');
});

test('V07: an unknown username is named once, by the error box, not twice', async () => {
  const v = one();
  const res = await redeemExisting(srv, '', v.code);
  assertRefusal(res, 'V07', 'no username, valid code');
  assert.ok(!res.text.includes('id="ex_username-error"'), 'no second message at the field');
  assert.equal(inputById(res.text, 'ex-username')['aria-invalid'], 'true');
  assertOpen(v, 'V07 empty');
});

// ---------------------------------------------------------------------------
// Success

test('an existing user redeems a package code: every course of the package, confirmation e-mail, attempt logged', async () => {
  const [user] = addUsers(srv, 'paket', 1);
  const v = order(srv, 'digitales-amt=1')[0];
  const res = await redeemExisting(srv, user, v.code.toLowerCase().replace(/-/g, ' '));
  assert.equal(res.status, 200, textOf(res.text).slice(0, 500));
  const text = textOf(res.text);
  assert.match(text, new RegExp(`Paket „Paket Digitales Amt“ wurden dem Konto „${user}“ diese Kurse neu zugeordnet`));
  assert.doesNotMatch(text, /bereits eingeschrieben/);
  assert.ok(links(res.text).some((l) => l.href === '/login?next=/meine-kurse'), 'link to log in');
  const id = accountId(srv, user);
  assert.deepEqual(voucherState(srv, v.id).redeemed_by, id);
  assert.equal(sqlValue(srv, `SELECT count(*) FROM enrollments WHERE account_id = ${id} AND voucher_id = ${v.id}`), '3');
  const mail = await spooledMail(srv, `${user}@musterstadt.gv.at`);
  assert.ok(mail, 'confirmation e-mail sent');
  assert.match(mail.text, /Informationssicherheit/);
  const a = lastAttempt();
  assert.deepEqual([a.result, a.username, a.voucherId, a.ip], ['OK', user, v.id, '127.0.0.1']);
});

test('a package code names the courses newly enrolled and, as such, the ones already held (page and e-mail)', async () => {
  const [user] = addUsers(srv, 'teilweise', 1);
  const [course] = order(srv, 'informationssicherheit=1');
  assert.equal((await redeemExisting(srv, user, course.code)).status, 200);
  const v = order(srv, 'digitales-amt=1')[0];
  const res = await redeemExisting(srv, user, v.code);
  assert.equal(res.status, 200, textOf(res.text).slice(0, 500));
  const html = res.text;
  const newList = html.slice(html.indexOf('neu zugeordnet'), html.indexOf('bereits eingeschrieben'));
  const heldList = html.slice(html.indexOf('bereits eingeschrieben'));
  assert.match(newList, /DSGVO-Grundlagen/);
  assert.doesNotMatch(newList, /Informationssicherheit/);
  assert.match(heldList.slice(0, heldList.indexOf('</ul>')), /Informationssicherheit im Gemeindeamt/);
  assert.equal(sqlValue(srv, `SELECT count(*) FROM enrollments WHERE voucher_id = ${v.id}`), '2');
  const mail = await until(async () => {
    const files = sql(srv, `SELECT count(*) FROM outbox WHERE recipients = '${user}@musterstadt.gv.at' AND sent_at IS NOT NULL`);
    return files[0][0] === '2' && spooledMailAll(srv, `${user}@musterstadt.gv.at`);
  }, { what: 'both confirmation e-mails' });
  const pkg = mail.find((m) => /bereits vorher eingeschrieben/.test(m.text));
  assert.ok(pkg, 'the package mail names the course held before');
  const [added, held] = pkg.text.split('bereits vorher eingeschrieben');
  assert.match(added, /DSGVO-Grundlagen/);
  assert.doesNotMatch(added, /Informationssicherheit/);
  assert.match(held, /Informationssicherheit im Gemeindeamt/);
  // Sent again from the same browser (a double click) it shows the same split, not V04.
  const again = await redeemExisting(srv, user, v.code, res.client);
  assert.equal(again.status, 200);
  assert.match(textOf(again.text), /bereits eingeschrieben.*Informationssicherheit/);
});

test('a code for a course since taken out of the catalog still redeems', async () => {
  const [user] = addUsers(srv, 'alt', 1);
  const v = one('buergerservice=1');
  sql(srv, `UPDATE catalog_items SET active = 0 WHERE slug = 'buergerservice'`);
  try {
    const res = await redeemExisting(srv, user, v.code);
    assert.equal(res.status, 200, textOf(res.text).slice(0, 500));
    assert.match(textOf(res.text), /Bürger\*innenservice am Telefon/);
  } finally {
    sql(srv, `UPDATE catalog_items SET active = 1 WHERE slug = 'buergerservice'`);
  }
});

test('a new user is created in the code\'s municipality, logged in at once and taken to Meine Kurse', async () => {
  const v = one('informationssicherheit=1');
  const res = await redeemNew(srv, newUserFields('nora.neu', v.code));
  assert.equal(res.status, 303, textOf(res.text).slice(0, 500));
  assert.equal(res.headers.get('location'), '/meine-kurse');
  const [acc] = sql(srv, `SELECT a.role, m.gkz, a.email FROM accounts a JOIN municipalities m ON m.id = a.municipality_id
    WHERE a.username = 'nora.neu'`);
  assert.deepEqual(acc, ['user', '30604', 'nora.neu@musterstadt.gv.at']);
  assert.equal(voucherState(srv, v.id).redeemed_by, accountId(srv, 'nora.neu'));
  const page = await res.client.get('/meine-kurse');
  assert.equal(page.status, 200);
  const text = textOf(page.text);
  assert.match(text, /Nora Neumann/, 'logged in');
  assert.match(text, new RegExp(`Informationssicherheit im Gemeindeamt ${DATE.source} eingeschrieben`));
  assert.ok(links(page.text).some((l) => l.href === '/meine-kurse' && l.text === 'Meine Kurse'), 'menu item');
  const mail = await spooledMail(srv, 'nora.neu@musterstadt.gv.at');
  assert.ok(mail, 'welcome e-mail sent');
  assert.match(mail.text, /Benutzername: nora\.neu/);
});

test('Meine Kurse shows a completed course as "abgeschlossen" and needs a login', async () => {
  const guest = await new Client(srv.baseUrl).get('/meine-kurse');
  assert.equal(guest.status, 303);
  const [user] = addUsers(srv, 'fertig', 1);
  sql(srv, `UPDATE accounts SET password_hash = (SELECT password_hash FROM accounts WHERE username = 'mitarbeiterin')
    WHERE username = '${user}'`);
  const v = one();
  assert.equal((await redeemExisting(srv, user, v.code)).status, 200);
  sql(srv, `UPDATE enrollments SET completed_on = '2026-03-05' WHERE voucher_id = ${v.id}`);
  const c = new Client(srv.baseUrl);
  assert.equal((await login(c, user, 'demo-passwort')).status, 303);
  const page = await c.get('/meine-kurse');
  assert.match(textOf(page.text), /DSGVO-Grundlagen für Gemeinden \d\d\.\d\d\.\d{4} abgeschlossen am 05\.03\.2026/);
});

// ---------------------------------------------------------------------------
// Double clicks

test('the same existing user sending the code again from the same browser sees the success page again, not V04', async () => {
  const [user] = addUsers(srv, 'klick', 1);
  const v = one();
  const first = await redeemExisting(srv, user, v.code);
  assert.equal(first.status, 200);
  const again = await redeemExisting(srv, user.toUpperCase(), v.code, first.client);
  assert.equal(again.status, 200, textOf(again.text).slice(0, 500));
  assert.match(textOf(again.text), /wurde dem Konto/);
  assert.equal(sqlValue(srv, `SELECT count(*) FROM enrollments WHERE voucher_id = ${v.id}`), '1');
  assert.equal(sqlValue(srv, `SELECT count(*) FROM outbox WHERE recipients = '${user}@musterstadt.gv.at'`), '1',
    'one confirmation only');
});

test('a new user sending the same form twice at once (a double click) sees the success twice; another password gets V04', async () => {
  const v = one();
  const fields = newUserFields('zweimal', v.code);
  const { client, csrf } = await openForm(srv);
  // both requests leave before either answer: the same guest cookies and token
  const both = await Promise.all([client.post('/voucher/einloesen', { csrf, ...fields }),
    client.post('/voucher/einloesen', { csrf, ...fields })]);
  assert.deepEqual(both.map((r) => r.status), [303, 303], both.map((r) => textOf(r.text).slice(0, 300)).join('\n'));
  assert.match(textOf((await client.get('/meine-kurse')).text), /Nora Neumann/);
  assertRefusal(await redeemNew(srv, { ...fields, password: 'ein-anderes-passwort', password2: 'ein-anderes-passwort' },
    client), 'V04', 'other password');
  assert.equal(sqlValue(srv, `SELECT count(*) FROM accounts WHERE username = 'zweimal'`), '1');
  assert.equal(sqlValue(srv, `SELECT count(*) FROM enrollments WHERE voucher_id = ${v.id}`), '1');
});

// The repeat success belongs to the browser that redeemed: anyone else holding the used code learns nothing about
// who redeemed it, however well they guess the username (or the whole new-user form).
test('another browser with the used code and the right username gets V04, not the success page', async () => {
  const [user] = addUsers(srv, 'fremd', 1);
  const v = one();
  const first = await redeemExisting(srv, user, v.code);
  assert.equal(first.status, 200);
  for (const name of [user, user.toUpperCase()]) {
    const other = await redeemExisting(srv, name, v.code); // a fresh client: another browser
    assertRefusal(other, 'V04', `another browser, username ${name}`);
    assert.doesNotMatch(textOf(other.text), /wurde dem Konto/);
  }
  // the redeemer, logged in from a second browser, is another browser too
  const second = new Client(srv.baseUrl);
  sql(srv, `UPDATE accounts SET password_hash = (SELECT password_hash FROM accounts WHERE username = 'mitarbeiterin')
    WHERE username = '${user}'`);
  assert.equal((await login(second, user, 'demo-passwort')).status, 303);
  assertRefusal(await redeemExisting(srv, user, v.code, second), 'V04', 'the redeemer in another browser');
  // the browser that redeemed still sees its success
  const own = await redeemExisting(srv, user, v.code, first.client);
  assert.equal(own.status, 200, textOf(own.text).slice(0, 400));
  assert.match(textOf(own.text), /wurde dem Konto/);
  assert.equal(sqlValue(srv, `SELECT count(*) FROM redemption_attempts WHERE voucher_id = ${v.id} AND result = 'V04'`), '3');
  assert.equal(sqlValue(srv, `SELECT count(*) FROM enrollments WHERE voucher_id = ${v.id}`), '1');
});

test('another browser sending the whole new-user form again (names, e-mail, password) gets V04 and no login', async () => {
  const v = one();
  const fields = newUserFields('nachmacher', v.code);
  assert.equal((await redeemNew(srv, fields)).status, 303);
  const other = await redeemNew(srv, fields);
  assertRefusal(other, 'V04', 'another browser');
  assert.equal(other.client.cookies.get('vp_session'), undefined, 'no session for the other browser');
  assert.doesNotMatch(textOf((await other.client.get('/meine-kurse')).text), /Nora Neumann/);
});

test('a new user going Back after success and sending the form again sees the success, not 403', async () => {
  const v = one();
  const fields = newUserFields('zurueck', v.code);
  const { client, csrf } = await openForm(srv); // the form as a guest: its token is the guest one
  const first = await client.post('/voucher/einloesen', { csrf, ...fields });
  assert.equal(first.status, 303);
  // Back: the browser shows the cached form with the guest token, now logged in with the new session.
  const again = await client.post('/voucher/einloesen', { csrf, ...fields });
  assert.equal(again.status, 303, textOf(again.text).slice(0, 500));
  assert.equal(again.headers.get('location'), '/meine-kurse');
  assert.match(textOf((await client.get('/meine-kurse')).text), /Nora Neumann/);
  assert.equal(sqlValue(srv, `SELECT count(*) FROM accounts WHERE username = 'zurueck'`), '1');
  assert.equal(sqlValue(srv, `SELECT count(*) FROM enrollments WHERE voucher_id = ${v.id}`), '1');
});

// ---------------------------------------------------------------------------
// Exactly once

test('50 concurrent redemptions of one code through nginx: one success, 49 × V04, one enrollment', async () => {
  const users = addUsers(srv, 'rennen', 50);
  const v = one();
  const forms = await Promise.all(users.map(() => openForm(srv)));
  const results = await Promise.all(forms.map(({ client, csrf }, i) =>
    client.post('/voucher/einloesen', { csrf, mode: 'existing', username: users[i], code: v.code })));
  const ok = results.filter((r) => r.status === 200);
  const refused = results.map((r) => redeemError(r.text)?.number).filter((n) => n);
  assert.equal(ok.length, 1, `exactly one success (statuses: ${results.map((r) => r.status).join(' ')})`);
  assert.equal(refused.length, 49);
  assert.ok(refused.every((n) => n === 'V04'), `all others V04: ${refused.join(' ')}`);
  const state = voucherState(srv, v.id);
  assert.ok(users.map((u) => accountId(srv, u)).includes(state.redeemed_by), 'redeemed by one of them');
  assert.equal(sqlValue(srv, `SELECT count(*) FROM enrollments WHERE voucher_id = ${v.id}`), '1');
  assert.equal(sqlValue(srv, `SELECT count(*) FROM redemption_attempts WHERE voucher_id = ${v.id} AND result = 'OK'`), '1');
  assert.equal(sqlValue(srv, `SELECT count(*) FROM redemption_attempts WHERE voucher_id = ${v.id} AND result = 'V04'`), '49');
});

// ---------------------------------------------------------------------------
// Escaping

test('a name with <script> is escaped on every page that shows it', async () => {
  const evil = '<script>alert(1)</script>';
  const v = one();
  const refused = await redeemNew(srv, newUserFields('skript', v.code, { first_name: evil, email: 'kaputt' }));
  assertRefusal(refused, 'V10', 'evil name');
  assert.ok(!refused.text.includes(evil), 'form re-shown escaped');
  assert.equal(inputById(refused.text, 'nw-first-name').value, evil, 'value kept, as text');
  const res = await redeemNew(srv, newUserFields('skript', v.code, { first_name: evil }));
  assert.equal(res.status, 303);
  for (const p of ['/', '/kurse', '/faq', '/meine-kurse', '/voucher/einloesen']) {
    const page = await res.client.get(p);
    assert.equal(page.status, 200, p);
    assert.ok(!page.text.includes(evil), `${p}: raw <script> must not appear`);
    assert.ok(page.text.includes('&lt;script&gt;alert(1)&lt;/script&gt; Neumann'), `${p}: the name shown escaped`);
  }
});

// ---------------------------------------------------------------------------
// V11 on a server of its own with small limits

test('V11 after the configured number of unknown codes from one address; it clears after the window', async () => {
  const small = await startServer({ limits: { redeem_max_failures: 3, redeem_window_seconds: 2 } });
  try {
    const v = order(small, 'dsgvo-grundlagen=1')[0];
    for (let i = 0; i < 3; i++) {
      const r = await redeemExisting(small, 'mitarbeiterin', wellFormed(`7K3QDM9XWR2HF8NC4TJPZ5${'ABC'[i]}`));
      assert.equal(redeemError(r.text)?.number, 'V03', `failure ${i + 1}`);
    }
    const limited = await redeemExisting(small, 'mitarbeiterin', v.code);
    assert.equal(limited.status, 429);
    const err = redeemError(limited.text);
    assert.equal(err.number, 'V11');
    assert.match(err.text, /warten Sie/);
    assert.equal(voucherState(small, v.id).redeemed_at, null, 'V11 redeems nothing');
    // The block ends with the window: poll (a V11 answer is no guess and does not prolong it).
    const later = await until(async () => {
      const r = await redeemExisting(small, 'mitarbeiterin', v.code);
      return r.status !== 429 && r;
    }, { ms: 20000, every: 250, what: 'the block to end' });
    assert.equal(later.status, 200, textOf(later.text).slice(0, 500));
  } finally {
    await small.stop();
  }
});

test('V11 counts only guesses: typos (V01, V02) and V08-V10 never lock an office out', async () => {
  const small = await startServer({ limits: { redeem_max_failures: 3, redeem_window_seconds: 900 } });
  try {
    const [held, v] = order(small, 'dsgvo-grundlagen=2');
    assert.equal((await redeemExisting(small, 'mitarbeiterin', held.code)).status, 200);
    // One symbol changed (never a no-op, unlike a swap of two equal neighbours): the check symbol catches it.
    const typo = (c) => c.slice(0, 12) + ALPHABET[(ALPHABET.indexOf(c[12]) + 1) % 32] + c.slice(13);
    for (let i = 0; i < 5; i++) {
      assert.equal(redeemError((await redeemExisting(small, 'mitarbeiterin', 'SBA-1234')).text).number, 'V01');
      assert.equal(redeemError((await redeemExisting(small, 'mitarbeiterin', typo(v.code))).text).number, 'V02');
      assert.equal(redeemError((await redeemNew(small, newUserFields('neu.x', v.code, { email: 'kaputt' }))).text).number, 'V10');
      assert.equal(redeemError((await redeemNew(small, newUserFields('gemeinde', v.code))).text).number, 'V09');
    }
    const [other] = order(small, 'dsgvo-grundlagen=1');
    assert.equal(redeemError((await redeemExisting(small, 'mitarbeiterin', other.code)).text).number, 'V08');
    const [fresh] = addUsers(small, 'buero', 1);
    const ok = await redeemExisting(small, fresh, v.code);
    assert.equal(ok.status, 200, textOf(ok.text).slice(0, 500));
  } finally {
    await small.stop();
  }
});

test('V11 counts unknown usernames with a valid code per address', async () => {
  const small = await startServer({ limits: { redeem_max_failures: 3, redeem_window_seconds: 900 } });
  try {
    const [v] = order(small, 'dsgvo-grundlagen=1');
    for (let i = 0; i < 3; i++) {
      assert.equal(redeemError((await redeemExisting(small, `niemand${i}`, v.code)).text).number, 'V07');
    }
    assert.equal((await redeemExisting(small, 'mitarbeiterin', v.code)).status, 429, 'the address is blocked');
    // V07 does not count per username: a username guessed from elsewhere is not blocked by it.
    sql(small, `INSERT INTO redemption_attempts (at, ip, username, result, reference)
      SELECT strftime('%s'), '192.0.2.7', 'mitarbeiterin', 'V07', 'F-TEST' FROM (SELECT 1 UNION ALL SELECT 2
      UNION ALL SELECT 3 UNION ALL SELECT 4)`);
    sql(small, `DELETE FROM redemption_attempts WHERE ip = '127.0.0.1'`);
    assert.equal((await redeemExisting(small, 'mitarbeiterin', v.code)).status, 200);
  } finally {
    await small.stop();
  }
});

test('support sees the active blocks on /support and lifts one by address and one by username, audited', async () => {
  const small = await startServer({ limits: { redeem_max_failures: 3, redeem_window_seconds: 900 } });
  try {
    const [v] = order(small, 'dsgvo-grundlagen=1');
    // Three unknown codes from this address, each with another username (no username reaches the limit).
    for (let i = 0; i < 3; i++) await redeemExisting(small, `rater${i}`, wellFormed(`7K3QDM9XWR2HF8NC4TJPZ5${'ABC'[i]}`));
    sql(small, `INSERT INTO redemption_attempts (at, ip, username, result, reference)
      SELECT strftime('%s'), '192.0.2.9', 'opfer2', 'V03', 'F-TEST' FROM (SELECT 1 UNION ALL SELECT 2 UNION ALL SELECT 3)`);
    assert.equal((await redeemExisting(small, 'mitarbeiterin', v.code)).status, 429);
    const sup = new Client(small.baseUrl);
    assert.equal((await login(sup, 'support', 'demo-passwort')).status, 303);
    let page = await sup.get('/support');
    const blocks = textOf(page.text.slice(page.text.indexOf('blocks-heading')));
    assert.match(blocks, /IP-Adresse 127\.0\.0\.1 3/);
    assert.match(blocks, /IP-Adresse 192\.0\.2\.9 3/);
    assert.match(blocks, /Benutzername opfer2 3/);
    const csrf = csrfFrom(page.text);
    const before = sqlValue(small, 'SELECT count(*) FROM audit_log');
    let res = await sup.post('/support/sperren/aufheben', { csrf, ip: '127.0.0.1', reason: ' ' });
    assert.equal(res.status, 422);
    assert.match(textOf(res.text), /Bitte geben Sie einen Grund an/);
    res = await sup.post('/support/sperren/aufheben', { csrf, ip: '127.0.0.1', username: 'opfer2', reason: 'x' });
    assert.equal(res.status, 422, 'one block at a time');
    res = await sup.post('/support/sperren/aufheben', { csrf, ip: '198.51.100.1', reason: 'x' });
    assert.equal(res.status, 422);
    assert.match(textOf(res.text), /keine aktive Sperre/);
    assert.equal(sqlValue(small, 'SELECT count(*) FROM audit_log'), before, 'refusals change nothing');
    assert.equal((await redeemExisting(small, 'mitarbeiterin', v.code)).status, 429, 'still blocked');
    res = await sup.post('/support/sperren/aufheben', { csrf, ip: '127.0.0.1', reason: 'Gemeindeamt, Tippfehler' });
    assert.equal(res.status, 303);
    assert.equal(res.headers.get('location'), '/support?done=lift');
    page = await sup.get('/support?done=lift');
    assert.match(textOf(page.text), /Die Sperre wurde aufgehoben/);
    assert.doesNotMatch(textOf(page.text.slice(page.text.indexOf('blocks-heading'))), /127\.0\.0\.1/);
    res = await sup.post('/support/sperren/aufheben', { csrf, username: 'OPFER2', reason: 'Anruf der Person' });
    assert.equal(res.status, 303);
    const rows = sql(small, `SELECT action, subject, detail FROM audit_log WHERE action LIKE 'block.%' ORDER BY id`);
    assert.deepEqual(rows.map((r) => r[0]), ['block.lift_ip', 'block.lift_username']);
    assert.equal(rows[0][1], 'IP-Adresse 127.0.0.1');
    assert.match(rows[0][2], /Grund: Gemeindeamt, Tippfehler; 3 Fehlversuche/);
    const ok = await redeemExisting(small, 'mitarbeiterin', v.code);
    assert.equal(ok.status, 200, textOf(ok.text).slice(0, 400));
    const guest = new Client(small.baseUrl);
    assert.equal((await guest.get('/support')).status, 303, 'a guest is sent to the login');
  } finally {
    await small.stop();
  }
});

test('V11 also counts per username, from any address', async () => {
  // 1000 failures logged for one username from another address (rows only, no traffic).
  sql(srv, `WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 1000)
    INSERT INTO redemption_attempts (at, ip, username, result, reference)
    SELECT strftime('%s'), '192.0.2.1', 'opfer', 'V03', 'F-TEST' FROM n`);
  const v = one();
  assertRefusal(await redeemExisting(srv, 'OPFER', v.code), 'V11', 'limited username');
  assertOpen(v, 'V11 username');
  const [user] = addUsers(srv, 'frei', 1);
  assert.equal((await redeemExisting(srv, user, v.code)).status, 200, 'another username from the same address');
});

test('client addresses in the attempt log are erased after the retention period', async () => {
  sql(srv, `INSERT INTO redemption_attempts (at, ip, username, result, reference)
    VALUES (strftime('%s') - 91 * 86400, '192.0.2.2', 'alt', 'V03', 'F-ALT0'),
           (strftime('%s') - 89 * 86400, '192.0.2.3', 'jung', 'V03', 'F-JUNG')`);
  assert.equal(srv.ctl(['housekeeping']).code, 0); // what voucherd's background thread runs every 10 minutes
  assert.equal(sqlValue(srv, `SELECT coalesce(ip, 'gelöscht') FROM redemption_attempts WHERE reference = 'F-ALT0'`),
    'gelöscht');
  assert.equal(sqlValue(srv, `SELECT ip FROM redemption_attempts WHERE reference = 'F-JUNG'`), '192.0.2.3');
});

test('a form without csrf is refused with 403 and writes nothing', async () => {
  const v = one();
  const c = new Client(srv.baseUrl);
  await c.get('/voucher/einloesen');
  const res = await c.post('/voucher/einloesen', { mode: 'existing', username: 'mitarbeiterin', code: v.code });
  assert.equal(res.status, 403);
  assertOpen(v, 'no csrf');
  const { client, csrf } = await openForm(srv);
  assert.equal((await client.post('/voucher/einloesen', { csrf, code: v.code })).status, 400, 'no mode: 400');
  assert.ok(csrfFrom((await client.get('/voucher/einloesen')).text));
});
