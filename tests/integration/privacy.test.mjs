// voucherctl user export | erase (SPEC, Operation; issue 12 item 8) against a
// running nginx + voucherd: the export holds every personal datum of the
// account; after erase its name, e-mail and username are in no table (the
// whole database dumped and searched), the account can no longer log in,
// the invoices read as before, and the audit says who erased.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { startServer } from '../lib/server.mjs';
import { Client, login, textOf } from '../lib/http.mjs';
import { pdfText } from '../lib/pdf.mjs';
import { sql, sqlValue, order, redeemExisting } from '../lib/redeem.mjs';

const PW = 'ein-gutes-passwort';
const USER = 'pprivatova';
const EMAIL = 'philippa.privatova@musterstadt.gv.at';
const FIRST = 'Philippa';
const LAST = 'Privatova';
let srv;

before(async () => {
  srv = await startServer();
}, { timeout: 120000 });

after(async () => {
  if (srv) await srv.stop();
}, { timeout: 30000 });

const dump = () => {
  const r = spawnSync('sqlite3', ['-cmd', '.timeout 5000', path.join(srv.dir, 'voucher.db'), '.dump'],
    { encoding: 'utf8', maxBuffer: 64 << 20 });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout;
};

/** The person's data as the web makes it: a login, a failed login, a redeemed
 * code (attempt, enrollment, confirmation mail), a completion (certificate),
 * a code handed to her address, a profile change (audited). */
async function makePerson() {
  const add = srv.ctl(['user', 'add', '--username', USER, '--email', EMAIL, '--first-name', FIRST,
    '--last-name', LAST, '--role', 'user', '--tenant', '30604'], { input: `${PW}\n` });
  assert.equal(add.code, 0, add.stderr);
  const [v, handed] = order(srv, 'dsgvo-grundlagen=1', 'buergerservice=1');
  const res = await redeemExisting(srv, USER, v.code);
  assert.equal(res.status, 200, textOf(res.text).slice(0, 300));
  sql(srv, `UPDATE enrollments SET enrolled_at = strftime('%s', '2024-06-01') WHERE voucher_id = ${v.id}`);
  const csv = path.join(srv.dir, 'completions-privacy.csv');
  fs.writeFileSync(csv, `username,course,completed_on\n${USER},dsgvo-grundlagen,2025-03-04\n`);
  const imp = srv.ctl(['completions', 'import', csv]);
  assert.equal(imp.code, 0, imp.stderr);
  sql(srv, `UPDATE vouchers SET issued_to = '${FIRST} ${LAST}', recipient_email = '${EMAIL}',
    assigned_at = strftime('%s','now') WHERE id = ${handed.id}`);
  const c = new Client(srv.baseUrl);
  const ok = await login(c, USER, PW);
  assert.equal(ok.status, 303);
  // A wrong password afterwards (a successful login clears the count).
  const wrong = await login(new Client(srv.baseUrl), USER, 'falsches-passwort');
  assert.notEqual(wrong.status, 303);
  return { c, handed };
}

test('user export holds every personal datum; erase leaves none of name, e-mail, username', async () => {
  const { c } = await makePerson();
  const ex = srv.ctl(['user', 'export', USER.toUpperCase()]);
  assert.equal(ex.code, 0, ex.stderr);
  const data = JSON.parse(ex.stdout);
  assert.deepEqual([data.account.username, data.account.email, data.account.first_name, data.account.last_name,
    data.account.role, data.account.municipality_gkz, data.account.has_password],
  [USER, EMAIL, FIRST, LAST, 'user', '30604', 1]);
  assert.equal(data.enrollments.length, 1);
  assert.equal(data.enrollments[0].course, 'dsgvo-grundlagen');
  assert.equal(data.enrollments[0].completed_on, '2025-03-04');
  assert.match(data.enrollments[0].certificate, /^Z-/);
  assert.equal(data.certificates.length, 1);
  assert.equal(data.certificates[0].holder_name, `${FIRST} ${LAST}`);
  assert.equal(data.certificates[0].number, data.enrollments[0].certificate);
  assert.equal(data.redemptions.length, 1);
  assert.match(data.redemptions[0].invoice_number, /^RE-\d{4}-\d{6}$/);
  assert.ok(data.redemption_attempts.some((r) => r.result === 'OK'), ex.stdout);
  assert.deepEqual(data.codes_received.map((r) => [r.course, r.name, r.email]),
    [['buergerservice', `${FIRST} ${LAST}`, EMAIL]]);
  assert.ok(data.sessions.length >= 1);
  assert.ok(data.login_failures >= 1);
  assert.ok(data.audit.some((l) => l.action === 'login' && l.by_this_account), ex.stdout);
  // A sent mail to her exists before the erase (the redemption confirmation).
  assert.ok(Number(sqlValue(srv, `SELECT count(*) FROM outbox WHERE recipients = '${EMAIL}'`)) >= 1);

  const before = dump();
  for (const s of [USER, EMAIL, LAST]) assert.ok(before.includes(s), `${s} is in the database before`);

  const er = srv.ctl(['user', 'erase', USER], { env: { SUDO_USER: 'betrieb-anna' } });
  assert.equal(er.code, 0, er.stderr);
  const id = sqlValue(srv, `SELECT id FROM accounts WHERE username = 'geloescht-' || id AND disabled = 1`);
  assert.ok(id, 'the account row stays, anonymised');
  assert.match(er.stdout, new RegExp(`geloescht-${id}`));

  const after = dump().toLowerCase();
  for (const s of [USER, EMAIL, FIRST, LAST]) {
    const at = after.indexOf(s.toLowerCase());
    assert.ok(at < 0, `${s} is gone from every table, but: ${after.slice(Math.max(0, at - 200), at + 80)}`);
  }

  // Enrollment and certificate stay, without the name; the session is over.
  assert.equal(sqlValue(srv, `SELECT count(*) FROM enrollments WHERE account_id = ${id}`), '1');
  assert.equal(sqlValue(srv, `SELECT z.holder_name || '|' || z.completed_on FROM certificates z
    JOIN enrollments e ON e.id = z.enrollment_id WHERE e.account_id = ${id}`), '|2025-03-04');
  const home = await c.get('/meine-kurse');
  assert.notEqual(home.status, 200, 'the old session no longer works');
  const relog = await login(new Client(srv.baseUrl), USER, PW);
  assert.notEqual(relog.status, 303);
  // The audit says who erased, with the placeholder as subject.
  assert.equal(sqlValue(srv, `SELECT subject || '|' || detail || '|' || coalesce(account_id, 'null')
    FROM audit_log WHERE action = 'account.erase'`), `geloescht-${id}|anonymisiert mit voucherctl durch betrieb-anna|null`);
  // Export of the old name: one German line, exit 1; of the new one: empty names.
  const gone = srv.ctl(['user', 'export', USER]);
  assert.equal(gone.code, 1);
  assert.equal(gone.stderr.trim().split('\n').length, 1);
  assert.match(gone.stderr, /Es gibt kein Konto mit dem Benutzernamen/);
  const anon = JSON.parse(srv.ctl(['user', 'export', `geloescht-${id}`]).stdout);
  assert.deepEqual([anon.account.email, anon.account.first_name, anon.account.last_name, anon.account.has_password,
    anon.sessions.length, anon.codes_received.length], ['', '', '', 0, 0, 0]);
}, { timeout: 120000 });

test('erasing the admin who ordered leaves the invoice as issued', async () => {
  const placed = srv.ctl(['order', 'add', '--username', 'gemeinde2', '--item', 'dsgvo-grundlagen=1']);
  assert.equal(placed.code, 0, placed.stderr);
  const orderId = Number(placed.stdout.split('\n')[0].split(' ')[1]);
  const nr = sqlValue(srv, `SELECT invoice_number FROM orders WHERE id = ${orderId}`);
  const a = new Client(srv.baseUrl);
  assert.equal((await login(a, 'admin', 'demo-passwort')).status, 303);
  const invoice = async () => {
    const res = await fetch(`${srv.baseUrl}/admin/rechnungen/${nr}.xml`, { headers: { cookie: a.cookieHeader() } });
    assert.equal(res.status, 200);
    const pdf = await fetch(`${srv.baseUrl}/bestellungen/${orderId}/rechnung.pdf`, { headers: { cookie: a.cookieHeader() } });
    assert.equal(pdf.status, 200);
    return { xml: await res.text(), pdf: pdfText(Buffer.from(await pdf.arrayBuffer())) };
  };
  const was = await invoice();
  assert.match(was.pdf, /Bernd Beispiel/);
  const er = srv.ctl(['user', 'erase', 'gemeinde2']);
  assert.equal(er.code, 0, er.stderr);
  const now = await invoice();
  assert.equal(now.xml, was.xml);
  assert.equal(now.pdf, was.pdf);
  assert.equal(sqlValue(srv, `SELECT count(*) FROM accounts WHERE username = 'gemeinde2'`), '0');
});

test('user erase of an unknown account: one line, exit 1, nothing changed', () => {
  const before = dump();
  const r = srv.ctl(['user', 'erase', 'niemand-hier']);
  assert.equal(r.code, 1);
  assert.equal(r.stderr.trim().split('\n').length, 1);
  assert.match(r.stderr, /Es gibt kein Konto mit dem Benutzernamen niemand-hier/);
  assert.equal(dump(), before);
  assert.equal(srv.ctl(['user', 'erase']).code, 1);
});

test('user erase touches only that account\'s audit rows: "_" in a username is a character, not a wildcard', async () => {
  // p_pan is erased; pxpan (which LIKE 'p_pan %' would match) keeps its completion row.
  for (const u of ['p_pan', 'pxpan']) {
    const add = srv.ctl(['user', 'add', '--username', u, '--email', `${u.replace('_', '.')}@musterstadt.gv.at`,
      '--first-name', 'Peter', '--last-name', `Pan${u.length}`, '--role', 'user', '--tenant', '30604'],
    { input: `${PW}\n` });
    assert.equal(add.code, 0, add.stderr);
    const [v] = order(srv, 'dsgvo-grundlagen=1');
    const res = await redeemExisting(srv, u, v.code);
    assert.equal(res.status, 200, textOf(res.text).slice(0, 300));
    sql(srv, `UPDATE enrollments SET enrolled_at = strftime('%s', '2024-06-01') WHERE voucher_id = ${v.id}`);
  }
  const csv = path.join(srv.dir, 'completions-underscore.csv');
  fs.writeFileSync(csv, 'username,course,completed_on\np_pan,dsgvo-grundlagen,2025-03-04\n'
    + 'pxpan,dsgvo-grundlagen,2025-03-05\n');
  const imp = srv.ctl(['completions', 'import', csv]);
  assert.equal(imp.code, 0, imp.stderr);
  const rows = () => sql(srv, `SELECT subject FROM audit_log WHERE action = 'completion'
    AND subject LIKE '%dsgvo-grundlagen' ORDER BY id`).map((r) => r[0]).join('\n');
  assert.match(rows(), /^p_pan dsgvo-grundlagen\npxpan dsgvo-grundlagen/m);

  const er = srv.ctl(['user', 'erase', 'p_pan']);
  assert.equal(er.code, 0, er.stderr);
  const id = sqlValue(srv, `SELECT id FROM accounts WHERE username = 'geloescht-' || id AND email = ''
    ORDER BY id DESC LIMIT 1`);
  const now = rows();
  assert.ok(now.includes(`geloescht-${id} dsgvo-grundlagen`), now);
  assert.ok(now.includes('pxpan dsgvo-grundlagen'), `pxpan's row is untouched:\n${now}`);
  assert.ok(!now.includes('p_pan'), now);
  assert.equal(srv.ctl(['user', 'export', 'pxpan']).code, 0, 'pxpan is still there');
});
