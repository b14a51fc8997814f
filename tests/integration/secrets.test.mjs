// Secrets stay secret (issue 12, item 6): after a run that uses codes the
// way people do — redemption links with ?code=, redemptions, support
// searching a code (the form and its own links), revoking (and its
// redirect), logins, a password typed into the username field — no plain
// code and no password is in any log (nginx access and error log, voucherd's
// output), in the database or in its WAL.  Only usernames of real accounts
// are stored with failed logins and redemption attempts.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { startServer } from '../lib/server.mjs';
import { Client, csrfFrom, login, links, textOf } from '../lib/http.mjs';
import { order, redeemExisting, redeemNew, newUserFields, sql } from '../lib/redeem.mjs';

let srv;
before(async () => {
  srv = await startServer();
}, { timeout: 120000 });
after(async () => {
  if (srv) await srv.stop();
}, { timeout: 30000 });

const PASSWORD_IN_USERNAME = 'Mein-Geheimes-Passwort-7731';
const NEW_PASSWORD = 'ein-sehr-geheimes-passwort-4242';

test('no code and no password in any log, in the database or its WAL', async () => {
  const codes = order(srv, 'dsgvo-grundlagen=4').map((c) => c.code);
  const [linkCode, redeemed, searched, fresh] = codes;

  // The redemption link of the e-mails and printed vouchers.
  const guest = new Client(srv.baseUrl);
  const page = await guest.get(`/voucher/einloesen?code=${encodeURIComponent(linkCode)}`);
  assert.equal(page.status, 200);
  assert.equal((await redeemExisting(srv, 'mitarbeiterin', redeemed)).status, 200);
  const created = await redeemNew(srv, newUserFields('neue.person', fresh, { password: NEW_PASSWORD, password2: NEW_PASSWORD }));
  assert.equal(created.status, 303, textOf(created.text).slice(0, 300));
  // A password typed into the username field, at the login and at the redemption.
  const c = new Client(srv.baseUrl);
  assert.equal((await login(c, PASSWORD_IN_USERNAME, 'irgendwas')).status, 401);
  const wrong = await redeemExisting(srv, PASSWORD_IN_USERNAME, linkCode);
  assert.equal(wrong.status, 422);

  // Support: the search form (POST), the page's own link to the code, revoking and its redirect.
  const s = new Client(srv.baseUrl);
  assert.equal((await login(s, 'support', 'demo-passwort')).status, 303);
  const form = await s.get('/support');
  assert.match(form.text, /<form method="post" action="\/support"/);
  const found = await s.post('/support', { csrf: csrfFrom(form.text), q: searched });
  assert.equal(found.status, 200);
  assert.match(textOf(found.text), /DSGVO-Grundlagen/);
  const byRedeemer = await s.post('/support', { csrf: csrfFrom(form.text), q: 'mitarbeiterin' });
  const codeLinks = links(byRedeemer.text).filter((l) => l.href?.startsWith('/support?'));
  assert.ok(codeLinks.length > 0, 'links to codes on the support page');
  for (const l of codeLinks) {
    for (const code of codes) assert.ok(!l.href.includes(code.slice(4, 10)), `link ${l.href} carries no code`);
  }
  const viaLink = await s.get(codeLinks.find((l) => l.href.includes('code_id=')).href);
  assert.equal(viaLink.status, 200);
  assert.ok(textOf(viaLink.text).includes(redeemed), 'the linked page shows the code in its body');
  const revoke = await s.post('/support/codes/revoke', { csrf: csrfFrom(found.text), code: searched, reason: 'Test' });
  assert.equal(revoke.status, 303, textOf(revoke.text).slice(0, 400));
  const location = revoke.headers.get('location');
  assert.match(location, /^\/support\?code_id=\d+&done=revoke$/);
  const after = await s.get(location);
  assert.match(textOf(after.text), /Der Code wurde widerrufen/);
  assert.ok(textOf(after.text).includes(searched));

  // Only real accounts are named in what is stored about failures.
  const stored = sql(srv, `SELECT key FROM login_failures UNION ALL SELECT coalesce(username, '') FROM redemption_attempts
    UNION ALL SELECT subject FROM audit_log`).map((r) => r[0].toLowerCase());
  assert.ok(!stored.some((v) => v.includes(PASSWORD_IN_USERNAME.toLowerCase())), 'typed text stored');

  // Every log of the run, the database and its WAL.
  const files = fs.readdirSync(srv.dir)
    .filter((f) => f.endsWith('.log') || f === 'voucher.db' || f === 'voucher.db-wal')
    .map((f) => path.join(srv.dir, f));
  assert.ok(files.some((f) => f.endsWith('nginx-access.log')));
  assert.ok(files.some((f) => f.endsWith('voucher.db-wal')), 'the WAL is checked too');
  const access = fs.readFileSync(path.join(srv.dir, 'nginx-access.log'), 'utf8');
  assert.match(access, /"GET \/voucher\/einloesen HTTP/, 'the access log has the redemption link, without its query');
  const secrets = [PASSWORD_IN_USERNAME, PASSWORD_IN_USERNAME.toLowerCase(), NEW_PASSWORD, 'demo-passwort'];
  for (const code of codes) secrets.push(code, code.slice(4).replaceAll('-', ''), encodeURIComponent(code));
  for (const f of files) {
    const bytes = fs.readFileSync(f);
    for (const secret of secrets) {
      assert.equal(bytes.indexOf(Buffer.from(secret)), -1, `${path.basename(f)} holds ${secret}`);
    }
  }
});
