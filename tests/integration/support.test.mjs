// The support desk (/support, /support/codes/*) through nginx + voucherd:
// who may use it, finding a code however it was typed, its details, the
// failed attempts with their F-references, "Meinten Sie …?" for a typo and
// a swap, search by username, e-mail, order and invoice number and error
// reference, revoke / extend / release with their audit rows and refusals,
// CSRF and escaping.  One behaviour per test case.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from '../lib/server.mjs';
import { until } from '../lib/wait.mjs';
import { Client, csrfFrom, login, links, textOf } from '../lib/http.mjs';
import {
  ALPHABET, sql, sqlValue, order, voucherState, accountId, addUsers, redeemExisting, redeemError, spooledMailAll,
} from '../lib/redeem.mjs';

let srv;
let support;

before(async () => {
  srv = await startServer({ limits: { redeem_max_failures: 1000 } });
  support = await loggedIn('support');
}, { timeout: 120000 });

after(async () => {
  if (srv) await srv.stop();
}, { timeout: 30000 });

async function loggedIn(username) {
  const c = new Client(srv.baseUrl);
  const res = await login(c, username, 'demo-passwort');
  assert.equal(res.status, 303, `login as ${username}`);
  return c;
}

const search = (q, client = support) => client.get(`/support?q=${encodeURIComponent(q)}`);
const one = (item = 'dsgvo-grundlagen=1') => order(srv, item)[0];
const canon = (code) => code.replace(/-/g, '').slice(3);
const DATE = /\d\d\.\d\d\.\d{4}/;

/** Posts a change form with the csrf token of the support page. */
async function act(action, fields, client = support) {
  const page = await client.get('/support');
  return client.post(`/support/codes/${action}`, { csrf: csrfFrom(page.text), ...fields });
}

/** A code with one symbol replaced at position i (of the 24). */
function withTypo(code, i = 7) {
  const c = canon(code).split('');
  c[i] = ALPHABET[(ALPHABET.indexOf(c[i]) + 5) % 32];
  return c.join('');
}

/** A code with the first pair of different neighbours from position i swapped. */
function withSwap(code, i = 4) {
  const c = canon(code).split('');
  while (c[i] === c[i + 1]) i++;
  [c[i], c[i + 1]] = [c[i + 1], c[i]];
  return c.join('');
}

const audit = (action) => sql(srv, `SELECT account_id, subject, detail, coalesce(ip, '') FROM audit_log
  WHERE action = '${action}' ORDER BY id DESC LIMIT 1`)[0];

// ---------------------------------------------------------------------------
// Who may use it

test('a guest is sent to the login; user and tenant_admin get 403; support and admin see the page', async () => {
  const guest = await new Client(srv.baseUrl).get('/support?q=x');
  assert.equal(guest.status, 303);
  assert.match(guest.headers.get('location'), /^\/login\?next=\/support/);
  for (const who of ['mitarbeiterin', 'gemeinde']) {
    assert.equal((await search('x', await loggedIn(who))).status, 403, who);
  }
  const admin = await search('', await loggedIn('admin'));
  assert.equal(admin.status, 200);
  const page = await support.get('/support');
  assert.equal(page.status, 200);
  assert.ok(links(page.text).some((l) => l.href === '/support' && l.text === 'Support'), 'menu item Support');
  const gemeinde = await (await loggedIn('gemeinde')).get('/');
  assert.ok(!links(gemeinde.text).some((l) => l.href === '/support'), 'no Support item for tenant_admin');
});

test('a guest or a user cannot post a change', async () => {
  const v = one();
  const guest = new Client(srv.baseUrl);
  const form = await guest.get('/voucher/einloesen');
  const res = await guest.post('/support/codes/revoke', { csrf: csrfFrom(form.text), code: v.code, reason: 'x' });
  assert.equal(res.status, 403);
  const user = await loggedIn('mitarbeiterin');
  assert.equal((await act('revoke', { code: v.code, reason: 'x' }, user)).status, 403);
  assert.equal(voucherState(srv, v.id).revoked_at, null);
});

// ---------------------------------------------------------------------------
// Finding a code

test('a code typed in lower case, with spaces, without prefix and with O/I/L confusions is found with its details', async () => {
  const codes = order(srv, 'dsgvo-grundlagen=8');
  const v = codes.find((c) => /[01]/.test(canon(c.code))) ?? codes[0];
  const typed = canon(v.code).toLowerCase().replace(/0/g, 'o').replace(/1/g, 'l')
    .replace(/(.{4})/g, '$1 ');
  const res = await search(` ${typed} `);
  assert.equal(res.status, 200);
  const text = textOf(res.text);
  assert.match(text, new RegExp(`Code ${v.code} offen`));
  assert.match(text, /Gilt für DSGVO-Grundlagen für Gemeinden Gemeinde/);
  assert.match(text, /Gemeinde Stadtgemeinde Musterstadt \(GKZ 30604\)/);
  const orderId = sqlValue(srv, `SELECT order_id FROM vouchers WHERE id = ${v.id}`);
  const invoice = sqlValue(srv, `SELECT invoice_number FROM orders WHERE id = ${orderId}`);
  assert.match(text, new RegExp(`Bestellung Nr. ${orderId} ?, Rechnung ${invoice}`));
  assert.match(text, new RegExp(`gültig bis ${DATE.source}`));
  assert.match(text, /Eingelöst nein/);
  assert.ok(res.text.includes('action="/support/codes/revoke"') && res.text.includes('action="/support/codes/extend"'));
  assert.ok(!res.text.includes('action="/support/codes/release"'), 'no release for an open code');
});

test('a redeemed code shows by whom and when, and the enrollments it made', async () => {
  const v = one('digitales-amt=1');
  assert.equal((await redeemExisting(srv, 'mitarbeiterin', v.code)).status, 200);
  const text = textOf((await search(v.code)).text);
  assert.match(text, /eingelöst/);
  assert.match(text, new RegExp(`Eingelöst am ${DATE.source} \\d\\d:\\d\\d von Maria Mitarbeiterin \\( ?mitarbeiterin ?\\)`));
  assert.match(text, /Gilt für Paket Digitales Amt \(Kurse: DSGVO-Grundlagen für Gemeinden, Informationssicherheit/);
  assert.match(text, /Einschreibungen durch diesen Code/);
  assert.match(text, /Informationssicherheit im Gemeindeamt mitarbeiterin/);
});

test('failed attempts with the code or its usernames are listed with number, explanation, reference and IP', async () => {
  const v = one();
  const [user] = addUsers(srv, 'versuch', 1);
  const wrongUser = redeemError((await redeemExisting(srv, 'gibt.es.nicht', v.code)).text);
  assert.equal(wrongUser.number, 'V07');
  const otherCode = redeemError((await redeemExisting(srv, user, withTypo(v.code, 3))).text);
  assert.equal(otherCode.number, 'V02');
  await redeemExisting(srv, user, v.code); // the user tried this code too, and it worked
  const text = textOf((await search(v.code)).text);
  // An unknown username is not stored (it may be a password typed into the wrong field): shown as "–".
  assert.match(text, new RegExp(`– V07 Benutzername unbekannt oder Konto gesperrt ${wrongUser.reference} 127.0.0.1`));
  assert.ok(!text.includes('gibt.es.nicht'));
  assert.match(text, new RegExp(`${user} V02 Prüfzeichen falsch: vermutlich vertippt ${otherCode.reference}`),
    'a failure of a username that tried this code');
});

// ---------------------------------------------------------------------------
// Meinten Sie …?

test('"Meinten Sie" offers the real code for a one-symbol typo, with its course and status, and the attempts with the typo', async () => {
  const v = one('verwaltung-kompakt=1');
  const typo = withTypo(v.code, 10);
  const err = redeemError((await redeemExisting(srv, 'mitarbeiterin', typo)).text);
  assert.equal(err.number, 'V02');
  const res = await search(typo.toLowerCase());
  const text = textOf(res.text);
  assert.match(text, /Prüfzeichen stimmt nicht \(Fehler V02\)/);
  assert.match(text, /Meinten Sie …\?/);
  assert.match(text, new RegExp(`${v.code} Paket Verwaltung kompakt offen`));
  // The link names the code by its id: no code in a URL (access logs, browser history).
  assert.ok(links(res.text).some((l) => l.text === v.code && l.href === `/support?code_id=${v.id}`), 'link to the code');
  assert.match(text, new RegExp(`mitarbeiterin V02 .* ${err.reference}`));
});

test('"Meinten Sie" offers the real code for two swapped neighbours', async () => {
  const v = one();
  const text = textOf((await search(withSwap(v.code, 12))).text);
  assert.match(text, /Meinten Sie …\?/);
  assert.match(text, new RegExp(`${v.code} DSGVO-Grundlagen für Gemeinden offen`));
});

test('an unknown well-formed code says so (V03) and nothing else is made up', async () => {
  const text = textOf((await search('SBA-7K3QDM-9XWR2H-F8NC4T-JPZ5AH')).text);
  assert.match(text, /Diesen Code gibt es nicht \(Fehler V03\)/);
  assert.match(text, /Es gibt keinen gespeicherten Code/);
});

// ---------------------------------------------------------------------------
// Accounts, orders, references

test('search by username shows the account, its courses, its codes and its failed attempts', async () => {
  const v = one('informationssicherheit=1');
  const [user] = addUsers(srv, 'konto', 1);
  assert.equal((await redeemExisting(srv, user, v.code)).status, 200);
  const err = redeemError((await redeemExisting(srv, user, v.code.replace(/.$/, (c) => (c === 'A' ? 'B' : 'A')))).text);
  const res = await search(user.toUpperCase());
  const text = textOf(res.text);
  assert.match(text, new RegExp(`Test Person 1 ${user} ${user}@musterstadt.gv.at Mitarbeiter\\*in Stadtgemeinde Musterstadt \\(GKZ 30604\\) aktiv`));
  assert.match(text, /Kurse .*Kurs eingeschrieben am abgeschlossen am Informationssicherheit im Gemeindeamt/);
  assert.match(text, new RegExp(`Eingelöste Codes .*${v.code} Informationssicherheit`));
  assert.match(text, new RegExp(`${err.number} .* ${err.reference}`));
});

test('search by e-mail address (any case) finds the account', async () => {
  const text = textOf((await search('Maria.Mitarbeiterin@MUSTERSTADT.gv.at')).text);
  assert.match(text, /Maria Mitarbeiterin mitarbeiterin maria.mitarbeiterin@musterstadt.gv.at Mitarbeiter\*in/);
});

test('an unknown username is not kept with its failed attempt (it may be a password typed into the wrong field)', async () => {
  const v = one();
  const err = redeemError((await redeemExisting(srv, 'niemand.hier', v.code)).text);
  assert.equal(err.number, 'V07');
  const text = textOf((await search('niemand.hier')).text);
  assert.match(text, /Kein Konto mit diesem Benutzernamen/);
  assert.match(text, /Keine fehlgeschlagenen Einlöseversuche gespeichert/);
  // The attempt itself is kept, by its reference, without the typed name.
  assert.match(textOf((await search(err.reference)).text), /Benutzername – Ergebnis V07/);
});

test('search by invoice number and by order number shows the order with its codes and their statuses', async () => {
  const codes = order(srv, 'dsgvo-grundlagen=2', 'buergerservice=1');
  const orderId = sqlValue(srv, `SELECT order_id FROM vouchers WHERE id = ${codes[0].id}`);
  const invoice = sqlValue(srv, `SELECT invoice_number FROM orders WHERE id = ${orderId}`);
  sql(srv, `UPDATE vouchers SET revoked_at = strftime('%s') WHERE id = ${codes[1].id}`);
  for (const q of [invoice.toLowerCase(), String(orderId)]) {
    const res = await search(q);
    const text = textOf(res.text);
    assert.match(text, new RegExp(`Bestellung Nr. ${orderId} Gemeinde Stadtgemeinde Musterstadt \\(GKZ 30604\\)`), q);
    assert.match(text, new RegExp(`Rechnung ${invoice}`));
    assert.match(text, /Codes 2 offen, 0 eingelöst, 0 abgelaufen, 1 widerrufen/);
    for (const c of codes) assert.ok(links(res.text).some((l) => l.text === c.code), `${q}: code ${c.code} listed`);
  }
  assert.match(textOf((await search('RE-2020-999999')).text), /Zu der Rechnungsnummer „RE-2020-999999“ wurde nichts gefunden/);
});

test("an order's counts come from the kept per-order counts and stay right after redeem, revoke, expiry and storno", async () => {
  const codes = order(srv, 'dsgvo-grundlagen=4', 'buergerservice=2');
  const orderId = sqlValue(srv, `SELECT order_id FROM vouchers WHERE id = ${codes[0].id}`);
  const invoice = sqlValue(srv, `SELECT invoice_number FROM orders WHERE id = ${orderId}`);
  const shown = async () => {
    const m = textOf((await search(String(orderId))).text)
      .match(/Codes (\d+) offen, (\d+) eingelöst, (\d+) abgelaufen, (\d+) widerrufen/);
    assert.ok(m, 'the order page shows its counts');
    return m.slice(1).map(Number);
  };
  // A fresh count over the order's vouchers, as the page counted before migration 012's counts were used.
  const fresh = () => sql(srv, `SELECT
      coalesce(sum(redeemed_at IS NULL AND revoked_at IS NULL AND valid_until >= strftime('%s')), 0),
      coalesce(sum(redeemed_at IS NOT NULL), 0),
      coalesce(sum(redeemed_at IS NULL AND revoked_at IS NULL AND valid_until < strftime('%s')), 0),
      coalesce(sum(redeemed_at IS NULL AND revoked_at IS NOT NULL), 0)
    FROM vouchers WHERE order_id = ${orderId}`)[0].map(Number);
  assert.deepEqual(await shown(), [6, 0, 0, 0]);

  const [user] = addUsers(srv, 'zaehlung', 1);
  assert.equal((await redeemExisting(srv, user, codes[0].code)).status, 200);
  assert.deepEqual(await shown(), [5, 1, 0, 0]);

  assert.equal((await act('revoke', { code: canon(codes[1].code), reason: 'verloren' })).status, 303);
  assert.deepEqual(await shown(), [4, 1, 0, 1]);

  sql(srv, `UPDATE vouchers SET valid_until = strftime('%s') - 86400 WHERE id = ${codes[2].id}`);
  assert.deepEqual(await shown(), [3, 1, 1, 1]);
  assert.deepEqual(await shown(), fresh());

  const admin = await loggedIn('admin');
  const page = await admin.get(`/admin/rechnungen/${invoice}`);
  const res = await admin.post(`/admin/rechnungen/${invoice}/storno`,
    { csrf: csrfFrom(page.text), scope: 'open', reason: 'Zählprobe' });
  assert.equal(res.status, 303, textOf(res.text).slice(0, 300));
  const after = await shown();
  assert.equal(after[0], 0, 'the storno revoked every open code');
  assert.equal(after[1], 1);
  assert.ok(after[3] >= 4, `revoked after the storno: ${after[3]}`);
  assert.equal(after.reduce((x, y) => x + y), 6);
  assert.deepEqual(after, fresh());
});

test('an F-reference shows its attempt with the explanation, then the code', async () => {
  const v = one();
  const err = redeemError((await redeemExisting(srv, 'ref.test', v.code)).text);
  const text = textOf((await search(err.reference.toLowerCase())).text);
  assert.match(text, new RegExp(`Einlöseversuch mit der Referenz ${err.reference}`));
  assert.match(text, /Benutzername – Ergebnis V07 Benutzername unbekannt oder Konto gesperrt IP-Adresse 127.0.0.1/);
  assert.match(text, new RegExp(`Code ${v.code} offen`));
});

test('nothing found says what was searched', async () => {
  assert.match(textOf((await search('F-ZZZZ')).text), /Zu der Fehlerreferenz „F-ZZZZ“ wurde nichts gefunden/);
  assert.match(textOf((await search('kein.konto@nirgends.at')).text),
    /Zu der E-Mail-Adresse „kein.konto@nirgends.at“ wurde nichts gefunden/);
  assert.match(textOf((await search('?? !!')).text), /Der Suchbegriff „\?\? !!“ hat keine der gesuchten Formen/);
});

// ---------------------------------------------------------------------------
// Changing codes

test('revoke: the code is revoked, redeeming it gives V06, the audit row names support, reason and IP', async () => {
  const v = one();
  const res = await act('revoke', { code: canon(v.code).toLowerCase(), reason: 'Gemeinde hat Code verloren' });
  assert.equal(res.status, 303);
  assert.equal(res.headers.get('location'), `/support?code_id=${v.id}&done=revoke`);
  const page = textOf((await support.get(res.headers.get('location'))).text);
  assert.match(page, /Der Code wurde widerrufen/);
  assert.match(page, /widerrufen seit .*, Grund: Gemeinde hat Code verloren/);
  assert.equal(redeemError((await redeemExisting(srv, 'mitarbeiterin', v.code)).text).number, 'V06');
  const [accountIdCol, subject, detail, ip] = audit('code.revoke');
  assert.equal(Number(accountIdCol), accountId(srv, 'support'));
  assert.equal(subject, `voucher ${v.id} (SBA-${canon(v.code).slice(0, 6)}…)`);
  assert.ok(!subject.includes(canon(v.code)), 'never the full code in the audit log');
  assert.match(detail, /Grund: Gemeinde hat Code verloren; Status vorher offen/);
  assert.equal(ip, '127.0.0.1');
});

test('revoke refusals re-show the page with a German message and change nothing', async () => {
  const v = one();
  const before = sqlValue(srv, 'SELECT count(*) FROM audit_log');
  let res = await act('revoke', { code: v.code, reason: '   ' });
  assert.equal(res.status, 422);
  assert.match(textOf(res.text), /Bitte geben Sie einen Grund an/);
  assert.ok(res.text.includes('aria-describedby="support-error"'), 'the message is linked to the field');
  res = await act('revoke', { code: 'SBA-1234', reason: 'x' });
  assert.equal(res.status, 422);
  assert.match(textOf(res.text), /kein gültiger Vouchercode/);
  res = await act('revoke', { code: 'SBA-7K3QDM-9XWR2H-F8NC4T-JPZ5AH', reason: 'x' });
  assert.equal(res.status, 422);
  assert.match(textOf(res.text), /Diesen Code gibt es nicht/);
  assert.equal(voucherState(srv, v.id).revoked_at, null);
  assert.equal((await act('revoke', { code: v.code, reason: 'einmal' })).status, 303);
  res = await act('revoke', { code: v.code, reason: 'zweimal' });
  assert.equal(res.status, 422);
  assert.match(textOf(res.text), /bereits widerrufen/);
  assert.equal(Number(sqlValue(srv, 'SELECT count(*) FROM audit_log')), Number(before) + 1, 'one audit row: the one revoke');
});

test('extend: an expired code becomes valid until the end of the chosen Vienna day and redeems again', async () => {
  const v = one();
  sql(srv, `UPDATE vouchers SET valid_until = strftime('%s') - 86400 WHERE id = ${v.id}`);
  assert.match(textOf((await search(v.code)).text), /abgelaufen/);
  assert.equal(redeemError((await redeemExisting(srv, 'mitarbeiterin', v.code)).text).number, 'V05');
  let res = await act('extend', { code: v.code, reason: 'Kulanz', valid_until: '2020-01-01' });
  assert.equal(res.status, 422);
  assert.match(textOf(res.text), /muss heute oder später liegen/);
  assert.ok(res.text.includes('value="2020-01-01"') && res.text.includes('value="Kulanz"'), 'entered values re-shown');
  res = await act('extend', { code: v.code, reason: 'Kulanz', valid_until: '31.12.2030' });
  assert.equal(res.status, 422);
  assert.match(textOf(res.text), /als Datum an/);
  const year = new Date().getFullYear() + 2;
  res = await act('extend', { code: v.code, reason: 'Kulanz', valid_until: `${year}-01-15` });
  assert.equal(res.status, 303);
  // 23:59:59 Vienna time (CET, UTC+1) on 15 January
  assert.equal(voucherState(srv, v.id).valid_until, Date.UTC(year, 0, 15, 22, 59, 59) / 1000);
  assert.match(textOf((await support.get(res.headers.get('location'))).text), new RegExp(`gültig bis 15.01.${year}`));
  assert.match(audit('code.extend')[2], new RegExp(`Grund: Kulanz; gültig bis alt ${DATE.source}, neu 15.01.${year}`));
  const [user] = addUsers(srv, 'verlaengert', 1);
  assert.equal((await redeemExisting(srv, user, v.code)).status, 200);
});

test('release: the code is open again and its enrollments are gone', async () => {
  const v = one('verwaltung-kompakt=1');
  const [user] = addUsers(srv, 'freigabe', 1);
  assert.equal((await redeemExisting(srv, user, v.code)).status, 200);
  assert.equal(Number(sqlValue(srv, `SELECT count(*) FROM enrollments WHERE voucher_id = ${v.id}`)), 2);
  assert.ok((await search(v.code)).text.includes('action="/support/codes/release"'));
  const res = await act('release', { code: v.code, reason: 'falsche Person' });
  assert.equal(res.status, 303);
  assert.match(textOf((await support.get(res.headers.get('location'))).text), /Der Code ist wieder offen/);
  assert.deepEqual(voucherState(srv, v.id).redeemed_by, null);
  assert.equal(Number(sqlValue(srv, `SELECT count(*) FROM enrollments WHERE voucher_id = ${v.id}`)), 0);
  assert.match(audit('code.release')[2], new RegExp(`Grund: falsche Person; eingelöst am ${DATE.source}`));
  assert.equal((await redeemExisting(srv, 'mitarbeiterin', v.code)).status, 200, 'redeems again');
});

test('release e-mails the person the courses they lost and the reason', async () => {
  const v = one('verwaltung-kompakt=1');
  const [user] = addUsers(srv, 'freimail', 1);
  assert.equal((await redeemExisting(srv, user, v.code)).status, 200);
  const titles = sql(srv, `SELECT c.title FROM enrollments e JOIN catalog_items c ON c.id = e.course_id
    WHERE e.voucher_id = ${v.id}`).map((r) => r[0]);
  assert.equal(titles.length, 2);
  assert.equal((await act('release', { code: v.code, reason: 'an die falsche Person ausgegeben' })).status, 303);
  const mail = await until(async () => (await spooledMailAll(srv, `${user}@musterstadt.gv.at`))
    .find((m) => /rückgängig/.test(m.subject)), { what: 'the release e-mail' });
  for (const t of titles) assert.ok(mail.text.includes(t), `names ${t}`);
  assert.match(mail.text, /Grund: an die falsche Person ausgegeben/);
  assert.ok(!mail.text.includes(canon(v.code)), 'never the code itself');
});

test('unrevoke: a revoked code is valid again and redeems; audited; refused for a code that is not revoked', async () => {
  const v = one();
  assert.equal((await act('revoke', { code: v.code, reason: 'versehentlich' })).status, 303);
  const page = await search(v.code);
  assert.ok(page.text.includes('action="/support/codes/unrevoke"'), 'the revoked code offers "Widerruf aufheben"');
  let res = await act('unrevoke', { code: v.code, reason: '' });
  assert.equal(res.status, 422);
  assert.match(textOf(res.text), /Bitte geben Sie einen Grund an/);
  assert.notEqual(voucherState(srv, v.id).revoked_at, null, 'still revoked');
  res = await act('unrevoke', { code: v.code, reason: 'war ein Irrtum' });
  assert.equal(res.status, 303);
  assert.match(res.headers.get('location'), /^\/support\?.*&done=unrevoke$/);
  assert.match(textOf((await support.get(res.headers.get('location'))).text), /Der Widerruf wurde aufgehoben/);
  assert.equal(voucherState(srv, v.id).revoked_at, null);
  assert.match(audit('code.unrevoke')[2], /Grund: war ein Irrtum; Status vorher widerrufen/);
  res = await act('unrevoke', { code: v.code, reason: 'noch einmal' });
  assert.equal(res.status, 422);
  assert.match(textOf(res.text), /nicht widerrufen/);
  const [user] = addUsers(srv, 'wieder', 1);
  assert.equal((await redeemExisting(srv, user, v.code)).status, 200, 'redeems again');
});

test('release is refused when a course of the code is completed, and for an open code', async () => {
  const v = one();
  const [user] = addUsers(srv, 'fertig', 1);
  assert.equal((await redeemExisting(srv, user, v.code)).status, 200);
  sql(srv, `UPDATE enrollments SET completed_on = '2026-01-10' WHERE voucher_id = ${v.id}`);
  const page = await search(v.code);
  assert.ok(!page.text.includes('action="/support/codes/release"'), 'no release form');
  assert.match(textOf(page.text), /bereits abgeschlossen/);
  const res = await act('release', { code: v.code, reason: 'bitte' });
  assert.equal(res.status, 422);
  assert.match(textOf(res.text), /kann nicht rückgängig gemacht werden/);
  assert.equal(voucherState(srv, v.id).redeemed_by, accountId(srv, user));
  assert.equal(Number(sqlValue(srv, `SELECT count(*) FROM enrollments WHERE voucher_id = ${v.id}`)), 1);
  const open = one();
  assert.match(textOf((await act('release', { code: open.code, reason: 'x' })).text), /nicht eingelöst/);
});

test('a change without a valid csrf token is refused with 403', async () => {
  const v = one();
  assert.equal((await support.post('/support/codes/revoke', { code: v.code, reason: 'x' })).status, 403);
  assert.equal((await support.post('/support/codes/revoke', { csrf: 'A'.repeat(43), code: v.code, reason: 'x' })).status, 403);
  assert.equal(voucherState(srv, v.id).revoked_at, null);
});

// ---------------------------------------------------------------------------
// Escaping

test('<script> in a username, a reason and the search term comes out escaped', async () => {
  const v = one();
  const evil = '<script>alert(1)</script>';
  await redeemExisting(srv, evil, v.code);
  assert.equal((await act('revoke', { code: v.code, reason: `${evil} "quote"` })).status, 303);
  const res = await search(v.code);
  assert.ok(!res.text.includes(evil), 'no raw script tag');
  assert.ok(res.text.includes('&lt;script&gt;alert(1)&lt;/script&gt;'), 'escaped username and reason');
  const q = await search(evil);
  assert.ok(!q.text.includes(evil));
  assert.ok(q.text.includes('value="&lt;script&gt;alert(1)&lt;/script&gt;"'), 'the term re-shown escaped');
});
