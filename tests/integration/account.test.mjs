// "Passwort vergessen" / "Passwort neu" and "/konto" through nginx + voucherd,
// with the real SMTP server of tests/lib/smtp.mjs receiving the links.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from '../lib/server.mjs';
import { startSmtp } from '../lib/smtp.mjs';
import { assertEveryErrorAtItsField } from '../lib/forms.mjs';
import { Client, csrfFrom, links, login, tags, textOf } from '../lib/http.mjs';
import { order, redeemExisting, sql, sqlValue } from '../lib/redeem.mjs';

const PW = 'ein-gutes-passwort';
let srv;
let smtp;
let seq = 0;

before(async () => {
  smtp = await startSmtp();
  srv = await startServer({ smtpUrl: `smtp://127.0.0.1:${smtp.port}` });
}, { timeout: 120000 });

after(async () => {
  if (srv) await srv.stop();
  if (smtp) await smtp.close();
}, { timeout: 30000 });

/** A new account of role user (password PW): {username, email}. */
function newUser(s = srv) {
  const username = `konto${++seq}`;
  const email = `${username}@musterstadt.gv.at`;
  const r = s.ctl(['user', 'add', '--username', username, '--email', email, '--first-name', 'Karla',
    '--last-name', 'Konto', '--role', 'user', '--tenant', '30604'], { input: `${PW}\n` });
  assert.equal(r.code, 0, r.stderr);
  return { username, email };
}

/** POST /passwort-vergessen as a fresh guest: the response. */
async function askReset(s, loginText) {
  const c = new Client(s.baseUrl);
  const form = await c.get('/passwort-vergessen');
  assert.equal(form.status, 200);
  return c.post('/passwort-vergessen', { csrf: csrfFrom(form.text), login: loginText });
}

/** The reset link (path and query) in the newest mail to this address. */
async function linkFromMail(email, nth = 1) {
  const pred = (m) => m.envelope.rcptTo.some((r) => r.address === email);
  const deadline = Date.now() + 20000;
  while (smtp.messages.filter(pred).length < nth) {
    if (Date.now() > deadline) throw new Error(`no reset mail #${nth} to ${email}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  const mail = smtp.messages.filter(pred)[nth - 1].mail;
  const m = mail.text.match(/(http:\/\/127\.0\.0\.1:\d+)(\/passwort-neu\?t=[A-Za-z0-9_-]{43})\b/);
  assert.ok(m, `no link in the mail: ${mail.text}`);
  assert.equal(m[1], srv.baseUrl);
  return { path: m[2], mail };
}

/** The value attribute of the input with this id. */
const inputValue = (html, id) => tags(html, 'input').find((t) => t.attrs.id === id)?.attrs.value;

/** The answer sentence of the request page, without the page's own token. */
const answerOf = (html) => textOf(html.match(/<div class="notice"[\s\S]*?<\/div>/)?.[0] ?? '');

test('the login page links to "Passwort vergessen"', async () => {
  const page = await new Client(srv.baseUrl).get('/login');
  assert.ok(links(page.text).some((l) => l.href === '/passwort-vergessen' && /Passwort vergessen/.test(l.text)));
});

test('a reset link from the mail sets a new password once, ends every session and lets the person in', async () => {
  const { username, email } = newUser();
  const other = new Client(srv.baseUrl); // a browser that stayed logged in
  assert.equal((await login(other, username, PW)).status, 303);
  const res = await askReset(srv, username);
  assert.equal(res.status, 200);
  assert.match(answerOf(res.text), /Wenn ein Konto zu dieser Angabe passt/);
  const { path, mail } = await linkFromMail(email);
  assert.match(mail.subject, /Neues Passwort/);
  assert.match(mail.text, new RegExp(`„${username}“`), 'the mail names the username');
  assert.doesNotMatch(sqlValue(srv, 'SELECT hex(token_hash) FROM password_resets ORDER BY id DESC LIMIT 1'),
    new RegExp(path.split('=')[1]), 'only a hash is stored');

  const c = new Client(srv.baseUrl);
  const form = await c.get(path);
  assert.equal(form.status, 200);
  const token = path.split('=')[1];
  const mismatch = await c.post('/passwort-neu', { csrf: csrfFrom(form.text), t: token, password: 'neues-passwort-1',
    password2: 'anderes-passwort' });
  assert.equal(mismatch.status, 422);
  assert.match(textOf(mismatch.text), /stimmen nicht überein/);
  const short = await c.post('/passwort-neu', { csrf: csrfFrom(form.text), t: token, password: 'kurz',
    password2: 'kurz' });
  assert.equal(short.status, 422);
  const done = await c.post('/passwort-neu', { csrf: csrfFrom(form.text), t: token, password: 'neues-passwort-1',
    password2: 'neues-passwort-1' });
  assert.equal(done.status, 200);
  assert.match(textOf(done.text), /neues Passwort ist gesetzt/);

  assert.equal((await other.get('/meine-kurse')).status, 303, 'the other session ended');
  assert.equal((await login(new Client(srv.baseUrl), username, PW)).status, 401, 'the old password is gone');
  assert.equal((await login(new Client(srv.baseUrl), username, 'neues-passwort-1')).status, 303);

  const again = await new Client(srv.baseUrl).get(path);
  assert.equal(again.status, 410);
  assert.match(textOf(again.text), /bereits verwendet/);
  assert.ok(links(again.text).some((l) => l.href === '/passwort-vergessen'), 'a link to ask again');
  const reuse = await c.post('/passwort-neu', { csrf: csrfFrom(form.text), t: token, password: 'drittes-passwort',
    password2: 'drittes-passwort' });
  assert.equal(reuse.status, 410);
  assert.equal((await login(new Client(srv.baseUrl), username, 'drittes-passwort')).status, 401);
  assert.equal(sqlValue(srv, `SELECT count(*) FROM audit_log WHERE action = 'account.password_reset'
    AND subject = '${username}'`), '1');
});

test('an e-mail address works as the login too, in any case', async () => {
  const { email } = newUser();
  const res = await askReset(srv, email.toUpperCase());
  assert.equal(res.status, 200);
  await linkFromMail(email);
});

test('an unknown account gets the very same answer and no mail', async () => {
  const { username, email } = newUser();
  const before = smtp.messages.length;
  const unknown = await askReset(srv, 'niemand-hier');
  const known = await askReset(srv, username);
  assert.equal(unknown.status, known.status);
  assert.equal(answerOf(unknown.text), answerOf(known.text));
  assert.equal(unknown.text.replace(/value="[^"]*"/g, ''), known.text.replace(/value="[^"]*"/g, ''),
    'the pages differ only in their form tokens');
  await linkFromMail(email);
  assert.equal(smtp.messages.length, before + 1, 'only the known account got a mail');
});

test('a disabled account gets no link', async () => {
  const { username } = newUser();
  sql(srv, `UPDATE accounts SET disabled = 1 WHERE username = '${username}'`);
  const res = await askReset(srv, username);
  assert.equal(res.status, 200);
  assert.match(answerOf(res.text), /Wenn ein Konto zu dieser Angabe passt/);
  assert.equal(sqlValue(srv, `SELECT count(*) FROM password_resets r JOIN accounts a ON a.id = r.account_id
    WHERE a.username = '${username}'`), '0');
});

test('links per account are limited: the answer stays the same, no further mail', async () => {
  const { username } = newUser();
  for (let i = 0; i < 5; i++) {
    const res = await askReset(srv, username);
    assert.equal(res.status, 200);
    assert.match(answerOf(res.text), /Wenn ein Konto zu dieser Angabe passt/);
  }
  assert.equal(sqlValue(srv, `SELECT count(*) FROM password_resets r JOIN accounts a ON a.id = r.account_id
    WHERE a.username = '${username}'`), '3', '[limits] reset_max_requests = 3 by default');
});

test('an unknown or malformed token gets a clear message', async () => {
  for (const t of ['x', 'A'.repeat(43)]) {
    const res = await new Client(srv.baseUrl).get(`/passwort-neu?t=${t}`);
    assert.equal(res.status, 410);
    assert.match(textOf(res.text), /ungültig/);
  }
});

test('a reset link expires after the configured lifetime', async () => {
  const s = await startServer({ smtpUrl: `smtp://127.0.0.1:${smtp.port}`,
    extraConf: { security: { password_reset_seconds: 1 } } });
  try {
    const username = `kurz${++seq}`;
    const email = `${username}@musterstadt.gv.at`;
    assert.equal(s.ctl(['user', 'add', '--username', username, '--email', email, '--first-name', 'K',
      '--last-name', 'Kurz', '--role', 'user', '--tenant', '30604'], { input: `${PW}\n` }).code, 0);
    const res = await askReset(s, username);
    assert.equal(res.status, 200);
    const pred = (m) => m.envelope.rcptTo.some((r) => r.address === email);
    const { mail } = await smtp.waitFor(pred);
    const path = mail.text.match(/\/passwort-neu\?t=[A-Za-z0-9_-]{43}/)[0];
    const c = new Client(s.baseUrl);
    let page;
    const deadline = Date.now() + 15000;
    do {
      page = await c.get(path);
    } while (page.status === 200 && Date.now() < deadline && (await new Promise((r) => setTimeout(r, 100)), true));
    assert.equal(page.status, 410);
    assert.match(textOf(page.text), /abgelaufen/);
    assert.equal((await login(new Client(s.baseUrl), username, PW)).status, 303, 'the old password still works');
  } finally {
    await s.stop();
  }
});

test('/konto shows and corrects the own name and e-mail, audited; the header links there', async () => {
  const { username } = newUser();
  const c = new Client(srv.baseUrl);
  await login(c, username, PW);
  const home = await c.get('/');
  assert.ok(links(home.text).some((l) => l.href === '/konto' && l.text.includes('Karla Konto')));
  const page = await c.get('/konto');
  assert.equal(page.status, 200);
  assert.ok(links(page.text).some((l) => l.href === '/konto/passwort'), 'the password change is linked');
  assert.match(textOf(page.text), new RegExp(username));
  const bad = await c.post('/konto', { csrf: csrfFrom(page.text), first_name: 'Karla', last_name: 'Konto',
    email: 'keine-adresse' });
  assert.equal(bad.status, 422);
  assert.match(textOf(bad.text), /gültige E-Mail-Adresse/);
  assert.equal(sqlValue(srv, `SELECT email FROM accounts WHERE username = '${username}'`),
    `${username}@musterstadt.gv.at`, 'nothing changed');
  const ok = await c.post('/konto', { csrf: csrfFrom(page.text), first_name: 'Karoline', last_name: 'Kontö',
    email: `neu.${username}@musterstadt.gv.at` });
  assert.equal(ok.status, 200);
  assert.match(textOf(ok.text), /gespeichert/);
  assert.ok(links(ok.text).some((l) => l.href === '/konto' && l.text.includes('Karoline Kontö')),
    'the header shows the new name at once');
  assert.deepEqual(sql(srv, `SELECT first_name, last_name, email FROM accounts WHERE username = '${username}'`)[0],
    ['Karoline', 'Kontö', `neu.${username}@musterstadt.gv.at`]);
  const audit = sqlValue(srv, `SELECT detail FROM audit_log WHERE action = 'account.profile' AND subject = '${username}'`);
  assert.match(audit, /Karla Konto .* -> Karoline Kontö/);
  const guest = await new Client(srv.baseUrl).get('/konto');
  assert.equal(guest.status, 303);
  const noCsrf = await c.post('/konto', { first_name: 'X', last_name: 'Y', email: 'x@y.at' });
  assert.equal(noCsrf.status, 403);
});

test('/konto reports every wrong field at once, each at its input, and changes nothing', async () => {
  const { username } = newUser();
  const c = new Client(srv.baseUrl);
  await login(c, username, PW);
  const page = await c.get('/konto');
  const bad = await c.post('/konto', { csrf: csrfFrom(page.text), first_name: '', last_name: 'x'.repeat(101),
    email: 'keine-adresse' });
  assertEveryErrorAtItsField(bad, [['first-name', 'first_name-error', /Vornamen/],
    ['last-name', 'last_name-error', /Nachnamen/], ['email', 'email-error', /gültige E-Mail-Adresse/]]);
  const one = await c.post('/konto', { csrf: csrfFrom(page.text), first_name: 'Karla', last_name: 'Konto',
    email: 'keine-adresse' });
  assertEveryErrorAtItsField(one, [['email', 'email-error', /gültige E-Mail-Adresse/]],
    [['first-name', 'first_name-error'], ['last-name', 'last_name-error']]);
  assert.match(textOf(one.text), /gültige E-Mail-Adresse/);
  assert.equal(inputValue(one.text, 'first-name'), 'Karla', 'the entries are kept');
  assert.deepEqual(sql(srv, `SELECT first_name, last_name, email FROM accounts WHERE username = '${username}'`)[0],
    ['Karla', 'Konto', `${username}@musterstadt.gv.at`], 'nothing changed');
});

test('/konto/passwort names the wrong current password, the short new one and the different repeat together', async () => {
  const { username } = newUser();
  const c = new Client(srv.baseUrl);
  await login(c, username, PW);
  const post = async (fields) => c.post('/konto/passwort', { csrf: csrfFrom((await c.get('/konto/passwort')).text), ...fields });
  const all = await post({ current_password: 'falsch-falsch', password: 'kurz', password2: 'anders' });
  assertEveryErrorAtItsField(all, [['current-password', 'current_password-error', /bisherige Passwort stimmt nicht/],
    ['new-password', 'password-error', /mindestens 10 Zeichen/], ['repeat-password', 'password2-error', /stimmen nicht überein/]]);
  const none = await post({ current_password: '', password: '', password2: '' });
  assertEveryErrorAtItsField(none, [['current-password', 'current_password-error', /bisheriges Passwort ein/],
    ['new-password', 'password-error', /neues Passwort/]], [['repeat-password', 'password2-error']]);
  const repeat = await post({ current_password: PW, password: 'neues-passwort-7', password2: 'neues-passwort-8' });
  assertEveryErrorAtItsField(repeat, [['repeat-password', 'password2-error', /stimmen nicht überein/]],
    [['current-password', 'current_password-error'], ['new-password', 'password-error']]);
  assert.equal((await login(new Client(srv.baseUrl), username, PW)).status, 303, 'the password is unchanged');
});

test('/passwort-neu names the short new password and the different repeat together', async () => {
  const { username, email } = newUser();
  assert.equal((await askReset(srv, username)).status, 200);
  const { path } = await linkFromMail(email);
  const c = new Client(srv.baseUrl);
  const form = await c.get(path);
  const res = await c.post('/passwort-neu', { csrf: csrfFrom(form.text), t: path.split('=')[1], password: username,
    password2: 'anders' });
  assertEveryErrorAtItsField(res, [['new-password', 'password-error', /Benutzernamen|mindestens 10 Zeichen/],
    ['repeat-password', 'password2-error', /stimmen nicht überein/]]);
  assert.equal((await login(new Client(srv.baseUrl), username, PW)).status, 303, 'the password is unchanged');
  assert.equal((await c.get(path)).status, 200, 'the link still works');
});

test('V07 (unknown username) links to "Passwort vergessen"', async () => {
  const [v] = order(srv, 'dsgvo-grundlagen=1');
  const res = await redeemExisting(srv, 'gibt-es-sicher-nicht', v.code);
  assert.equal(res.status, 422);
  assert.match(textOf(res.text), /Fehler V07/);
  assert.ok(links(res.text).some((l) => l.href === '/passwort-vergessen'), 'a link to ask for the username');
});

test('a new password through the link lifts the login block of the account', async () => {
  const { username, email } = newUser();
  for (let i = 0; i < 5; i++) assert.equal((await login(new Client(srv.baseUrl), username, 'falsch-' + i)).status, 401);
  assert.equal((await login(new Client(srv.baseUrl), username, PW)).status, 429, 'blocked after five wrong passwords');
  assert.equal((await askReset(srv, username)).status, 200);
  const { path } = await linkFromMail(email);
  const c = new Client(srv.baseUrl);
  const form = await c.get(path);
  const done = await c.post('/passwort-neu', { csrf: csrfFrom(form.text), t: path.split('=')[1],
    password: 'entsperrt-passwort', password2: 'entsperrt-passwort' });
  assert.equal(done.status, 200);
  assert.equal((await login(new Client(srv.baseUrl), username, 'entsperrt-passwort')).status, 303);
});
