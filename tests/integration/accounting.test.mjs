// Accounting (issue 11) through nginx + voucherd: invoice content and layout (long texts wrap, nothing
// overlaps: pdftotext -bbox), the invoice journal with filters, totals and CSV, payment status, credit notes
// (Storno/Gutschrift) with their own gapless series, and ebInterface 6.1 XML validated against the schema.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { assertEveryErrorAtItsField } from '../lib/forms.mjs';
import { repoRoot, startServer } from '../lib/server.mjs';
import { Client, login, textOf } from '../lib/http.mjs';
import { assertNoOverlap, pdfText, pdfTextIn } from '../lib/pdf.mjs';
import { simpleParser } from 'mailparser';
import { redeemError, redeemExisting, sql, sqlValue } from '../lib/redeem.mjs';

const PW = 'demo-passwort';
let srv;
let seq = 0;

before(async () => {
  srv = await startServer();
}, { timeout: 120000 });

after(async () => {
  if (srv) await srv.stop();
}, { timeout: 30000 });

async function as(username) {
  const c = new Client(srv.baseUrl);
  const res = await login(c, username, PW);
  assert.equal(res.status, 303, `login as ${username}`);
  return c;
}

async function download(c, url) {
  const res = await fetch(`${srv.baseUrl}${url}`, { headers: { cookie: c.cookieHeader() } });
  return { status: res.status, type: res.headers.get('content-type'), body: Buffer.from(await res.arrayBuffer()) };
}

function mustCtl(args, input) {
  const r = srv.ctl(args, { input });
  assert.equal(r.code, 0, `voucherctl ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

/** A municipality with its admin (password PW): {gkz, admin}. */
function tenant({ name, address = 'Hauptstraße 1\n1234 Irgendwo', uid = '' }) {
  const gkz = String(70000 + ++seq);
  const args = ['tenant', 'add', '--gkz', gkz, '--name', name, '--email', `rechnung${seq}@gemeinde.gv.at`,
    '--address', address];
  if (uid) args.push('--uid', uid);
  mustCtl(args);
  const admin = `admin${seq}`;
  mustCtl(['user', 'add', '--username', admin, '--email', `${admin}@gemeinde.gv.at`, '--first-name', 'Ulrike',
    '--last-name', 'Überweiser', '--role', 'tenant_admin', '--tenant', gkz], `${PW}\n`);
  return { gkz, admin };
}

/** A course of the catalog (slug, title, price). */
function course(slug, title, priceCents = 14900) {
  const file = path.join(srv.dir, `catalog-${++seq}.csv`);
  const q = (s) => `"${s.replace(/"/g, '""')}"`;
  fs.writeFileSync(file, `kind,slug,title,description,hours,price_cents,courses\ncourse,${slug},${q(title)},,4,${priceCents},\n`);
  mustCtl(['catalog', 'import', file]);
}

/** Places an order as that admin: {id, invoice}. */
function placeOrder(admin, items, reference = '') {
  const args = ['order', 'add', '--username', admin];
  for (const it of items) args.push('--item', it);
  if (reference) args.push('--reference', reference);
  const out = mustCtl(args);
  const id = Number(out.split('\n')[0].split(' ')[1]);
  return { id, invoice: sqlValue(srv, `SELECT invoice_number FROM orders WHERE id = ${id}`) };
}

const LONG_NAME = 'Marktgemeinde ' + 'Großweikersdorf-an-der-Schmida '.repeat(3).slice(0, 86);
const LONG_REFERENCE = 'GZ ' + 'Bürgerservice-Ausschreibung-2026 '.repeat(4).slice(0, 97);
const LONG_TITLE = 'Datenschutz & Informationssicherheit in der Gemeindeverwaltung: '.repeat(5).slice(0, 300);
const LONG_ADDRESS = ('Bürgermeister-Johann-Müller-Straße 123/Stiege 4/Tür 56, ' +
  'Amt für Finanzen und Buchhaltung, zu Handen der Rechnungsprüfung\n').repeat(4).slice(0, 499);

test('the invoice PDF with the longest allowed texts wraps them: no two words overlap (pdftotext -bbox)', async () => {
  assert.equal(LONG_NAME.length, 100);
  assert.equal(LONG_REFERENCE.length, 100);
  const t = tenant({ name: LONG_NAME, address: LONG_ADDRESS, uid: 'ATU99887766' });
  course('lang-kurs', LONG_TITLE);
  const o = placeOrder(t.admin, ['lang-kurs=3', 'dsgvo-grundlagen=500'], LONG_REFERENCE);
  const c = await as(t.admin);
  const pdf = await download(c, `/bestellungen/${o.id}/rechnung.pdf`);
  assert.equal(pdf.status, 200);
  assertNoOverlap(pdf.body);
  // Whole in their columns: the reference right of its label, name and address in the recipient's column.
  const nows = (s) => s.replace(/\s+/g, '');
  assert.ok(pdfTextIn(pdf.body, { x: 415, y: 0, w: 180, h: 500 }).includes(nows(LONG_REFERENCE)), 'reference whole');
  const left = pdfTextIn(pdf.body, { x: 45, y: 0, w: 270, h: 600 });
  assert.ok(left.includes(nows(LONG_NAME)), 'municipality name whole');
  assert.ok(left.includes(nows(LONG_ADDRESS)), 'address whole');
  assert.ok(pdfTextIn(pdf.body, { x: 120, y: 0, w: 258, h: 842 }).includes(nows(`Voucher: ${LONG_TITLE}`)),
    'course title whole in its column');
  const text = pdfText(pdf.body).replace(/\s+/g, ' ');
  for (const s of ['Ihr Bestellzeichen', 'Marktgemeinde', 'GKZ: ' + t.gkz,
    'Bestellt von', 'Ulrike Überweiser', 'Stk',
    'BIC', 'GIBAATWWXXX', 'Erste Bank der oesterreichischen Sparkassen AG', 'FN 123456a', 'Handelsgericht Wien',
    'buchhaltung@it-kommunal.at', 'ATU99887766', 'Fällig am']) {
    assert.ok(text.includes(s), `invoice shows ${s}\n${text}`);
  }
});

test('the certificate PDF with the longest names, municipality and course title: no two words overlap', async () => {
  const t = tenant({ name: LONG_NAME });
  course('zert-lang', LONG_TITLE, 100);
  const username = `langname${seq}`;
  const first = 'Maximiliane-Konstanze ' + 'Wilhelmine-'.repeat(8).slice(0, 78);
  const last = 'von Hohenberg-' + 'Schwarzenau-'.repeat(8).slice(0, 86);
  mustCtl(['user', 'add', '--username', username, '--email', `${username}@gemeinde.gv.at`, '--first-name', first,
    '--last-name', last, '--role', 'user', '--tenant', t.gkz], `${PW}\n`);
  const code = mustCtl(['order', 'add', '--username', t.admin, '--item', 'zert-lang=1']).trim().split('\n')[1].split('\t')[1];
  const redeemed = await redeemExisting(srv, username, code);
  assert.equal(redeemed.status, 200, textOf(redeemed.text).slice(0, 300));
  const file = path.join(srv.dir, `completions-${seq}.csv`);
  const today = new Date().toISOString().slice(0, 10);
  fs.writeFileSync(file, `username,course,completed_on\n${username},zert-lang,${today}\n`);
  mustCtl(['completions', 'import', file]);
  const id = sqlValue(srv, `SELECT z.id FROM certificates z JOIN enrollments e ON e.id = z.enrollment_id
    JOIN accounts a ON a.id = e.account_id WHERE a.username = '${username}'`);
  const c = await as(username);
  const pdf = await download(c, `/zertifikat/${id}.pdf`);
  assert.equal(pdf.status, 200, pdf.body.toString().slice(0, 300));
  assertNoOverlap(pdf.body);
  const text = pdfText(pdf.body).replace(/\s+/g, ' ');
  for (const s of ['Maximiliane-Konstanze', 'Hohenberg', 'Großweikersdorf', 'Datenschutz & Informationssicherheit',
    'Zertifikatsnummer']) {
    assert.ok(text.includes(s), `certificate shows ${s}\n${text}`);
  }
});

// ---- the invoice journal and payment status -----------------------------------------------------------

const euro = (cents) => {
  const v = Math.abs(cents);
  const int = String(Math.floor(v / 100)).replace(/\B(?=(\d{3})+(?!\d))/g, '.');
  return `${cents < 0 ? '-' : ''}${int},${String(v % 100).padStart(2, '0')} €`;
};
const vatOf = (net) => Math.floor((net * 20 + 50) / 100);

/** The journal page's rows: [{nr, municipality, net, vat, gross, status}] and its totals. */
function journalOf(html) {
  const body = html.match(/<table class="journal-table">[\s\S]*?<\/table>/)?.[0] ?? '';
  const rows = [...body.matchAll(/<tr><td><a href="\/admin\/rechnungen\/([^"]+)">[\s\S]*?<\/tr>/g)].map((m) => {
    const cells = [...m[0].matchAll(/<td[^>]*>([\s\S]*?)<\/td>/g)].map((c) => textOf(c[1]));
    return { nr: m[1], municipality: cells[2], net: cells[3], vat: cells[4], gross: cells[5], status: cells[7],
      credits: cells[8] };
  });
  const total = (id) => textOf(html.match(new RegExp(`id="${id}">([^<]*)<`))?.[1] ?? '');
  return { rows, sumNet: total('sum-net'), sumVat: total('sum-vat'), sumGross: total('sum-gross'),
    creditGross: total('credit-gross'), count: Number(html.match(/<th scope="row">(\d+) Rechnungen/)?.[1]) };
}

const isoDay = (offsetDays = 0) => {
  const d = new Date(Date.now() + offsetDays * 86400000);
  return new Intl.DateTimeFormat('sv-SE', { timeZone: 'Europe/Vienna' }).format(d);
};

let books; // two municipalities with orders: {a, b, orders: [{id, invoice, net}]}

test('the journal lists the invoices with their amounts; filters by municipality, period and status; totals add up', async () => {
  course('journal-kurs', 'Buchhaltung für Gemeinden', 12345);
  const a = tenant({ name: 'Stadtgemeinde Journalstadt' });
  const b = tenant({ name: 'Marktgemeinde Filterdorf' });
  const placed = [
    { ...placeOrder(a.admin, ['journal-kurs=2']), net: 2 * 12345 },
    { ...placeOrder(a.admin, ['journal-kurs=7']), net: 7 * 12345 },
    { ...placeOrder(b.admin, ['journal-kurs=1']), net: 12345 },
  ];
  // The first invoice was issued 40 days ago (payable within 14 days): it is overdue now.
  sql(srv, `UPDATE orders SET created_at = created_at - 40 * 86400, due_at = due_at - 40 * 86400
    WHERE id = ${placed[0].id}`);
  books = { a, b, orders: placed };
  const c = await as('admin');

  const all = journalOf((await c.get(`/admin/rechnungen?tenant=${a.gkz}`)).text);
  assert.deepEqual(all.rows.map((r) => r.nr), [placed[1].invoice, placed[0].invoice], 'newest first, only A');
  assert.equal(all.count, 2);
  const netA = placed[0].net + placed[1].net;
  const vatA = vatOf(placed[0].net) + vatOf(placed[1].net);
  assert.equal(all.sumNet, euro(netA));
  assert.equal(all.sumVat, euro(vatA));
  assert.equal(all.sumGross, euro(netA + vatA));
  assert.equal(all.rows[1].net, euro(placed[0].net));
  assert.equal(all.rows[1].status, 'überfällig');
  assert.equal(all.rows[0].status, 'offen');
  assert.equal(all.rows[0].municipality, `Stadtgemeinde Journalstadt (${a.gkz})`);

  const recent = journalOf((await c.get(`/admin/rechnungen?tenant=${a.gkz}&from=${isoDay(-1)}&to=${isoDay(0)}`)).text);
  assert.deepEqual(recent.rows.map((r) => r.nr), [placed[1].invoice], 'period: the older invoice is left out');
  const older = journalOf((await c.get(`/admin/rechnungen?from=${isoDay(-41)}&to=${isoDay(-39)}`)).text);
  assert.deepEqual(older.rows.map((r) => r.nr), [placed[0].invoice]);
  const overdue = journalOf((await c.get(`/admin/rechnungen?status=ueberfaellig&tenant=${a.gkz}`)).text);
  assert.deepEqual(overdue.rows.map((r) => r.nr), [placed[0].invoice]);
  assert.equal(overdue.sumNet, euro(placed[0].net));
  const onlyB = journalOf((await c.get(`/admin/rechnungen?tenant=${b.gkz}&status=offen`)).text);
  assert.deepEqual(onlyB.rows.map((r) => r.nr), [placed[2].invoice]);

  const bad = await c.get('/admin/rechnungen?from=2026-13-45&tenant=12');
  assert.equal(bad.status, 200);
  assert.match(textOf(bad.text), /kein gültiges Datum/);
});

test('marking an invoice paid: status bezahlt with the date, audited; a date in the future is refused', async () => {
  const inv = books.orders[1];
  const c = await as('admin');
  const page = await c.get(`/admin/rechnungen/${inv.invoice}`);
  assert.equal(page.status, 200);
  const csrf = page.text.match(/name="csrf" value="([^"]+)"/)[1];
  const future = await c.post(`/admin/rechnungen/${inv.invoice}/bezahlt`, { csrf, paid_on: isoDay(3) });
  assert.equal(future.status, 422);
  assert.match(textOf(future.text), /Zahlungsdatum muss zwischen/);
  assert.equal(sqlValue(srv, `SELECT coalesce(paid_on, 'null') FROM orders WHERE id = ${inv.id}`), 'null');
  const noCsrf = await c.post(`/admin/rechnungen/${inv.invoice}/bezahlt`, { paid_on: isoDay(0) });
  assert.equal(noCsrf.status, 403);
  const ok = await c.post(`/admin/rechnungen/${inv.invoice}/bezahlt`, { csrf, paid_on: isoDay(0) });
  assert.equal(ok.status, 303);
  const shown = await c.get(ok.headers.get('location'));
  assert.match(textOf(shown.text), /Die Zahlung ist vermerkt/);
  const [d, m, y] = [isoDay(0).slice(8), isoDay(0).slice(5, 7), isoDay(0).slice(0, 4)];
  assert.match(textOf(shown.text), new RegExp(`bezahlt am ${d}\\.${m}\\.${y}`));
  const paid = journalOf((await c.get(`/admin/rechnungen?status=bezahlt&tenant=${books.a.gkz}`)).text);
  assert.deepEqual(paid.rows.map((r) => r.nr), [inv.invoice]);
  assert.match(paid.rows[0].status, /^bezahlt am /);
  assert.equal(sqlValue(srv, `SELECT count(*) FROM audit_log WHERE action = 'invoice.paid' AND subject = '${inv.invoice}'`), '1');
  const user = await as('gemeinde');
  assert.equal((await user.get(`/admin/rechnungen/${inv.invoice}`)).status, 403);
});

test('rechnungen.csv: BOM, ";" separated, amounts as 1234,50, read back it matches the orders', async () => {
  const c = await as('admin');
  const res = await download(c, `/admin/rechnungen.csv?tenant=${books.a.gkz}`);
  assert.equal(res.status, 200);
  assert.match(res.type, /^text\/csv/);
  assert.deepEqual([...res.body.subarray(0, 3)], [0xef, 0xbb, 0xbf], 'UTF-8 BOM');
  const text = res.body.subarray(3).toString('utf8');
  assert.ok(text.endsWith('\r\n'));
  const lines = text.split('\r\n').filter((l) => l !== '');
  const header = lines[0].split(';');
  assert.deepEqual(header.slice(0, 10), ['Rechnungsnummer', 'Rechnungsdatum', 'Gemeinde', 'GKZ', 'Netto', 'USt',
    'Brutto', 'Fällig am', 'Status', 'Bezahlt am']);
  const rows = lines.slice(1).map((l) => Object.fromEntries(l.split(';').map((v, i) => [header[i], v])));
  assert.deepEqual(rows.map((r) => r.Rechnungsnummer), [books.orders[0].invoice, books.orders[1].invoice], 'oldest first');
  const cents = (s) => { assert.match(s, /^-?\d+,\d\d$/); return Math.round(Number(s.replace(',', '.')) * 100); };
  for (const [i, o] of [books.orders[0], books.orders[1]].entries()) {
    assert.equal(cents(rows[i].Netto), o.net);
    assert.equal(cents(rows[i].USt), vatOf(o.net));
    assert.equal(cents(rows[i].Brutto), o.net + vatOf(o.net));
    assert.equal(rows[i].GKZ, books.a.gkz);
  }
  assert.equal(rows[0].Status, 'überfällig');
  assert.equal(rows[1].Status, 'bezahlt');
  assert.match(rows[1]['Bezahlt am'], /^\d\d\.\d\d\.\d{4}$/);
  assert.equal(sqlValue(srv, `SELECT count(*) FROM audit_log WHERE action = 'download.journal'`), '1');
});

// ---- credit notes (Storno/Gutschrift) -----------------------------------------------------------------

/** The spooled e-mail whose subject matches re, with its attachments (polls up to ms). */
async function mailWithSubject(re, ms = 15000) {
  const spool = path.join(srv.dir, 'spool');
  for (const end = Date.now() + ms; Date.now() < end; await new Promise((r) => setTimeout(r, 100))) {
    for (const f of fs.existsSync(spool) ? fs.readdirSync(spool).filter((n) => n.endsWith('.eml')) : []) {
      const mail = await simpleParser(fs.readFileSync(path.join(spool, f)));
      if (re.test(mail.subject)) return mail;
    }
  }
  return null;
}

/** Places an order and returns its codes too: {id, invoice, codes: [code...]}. */
function orderWithCodes(admin, items, reference = '') {
  const args = ['order', 'add', '--username', admin];
  for (const it of items) args.push('--item', it);
  if (reference) args.push('--reference', reference);
  const out = mustCtl(args).trim().split('\n');
  const id = Number(out[0].split(' ')[1]);
  return { id, invoice: sqlValue(srv, `SELECT invoice_number FROM orders WHERE id = ${id}`),
    codes: out.slice(1).map((l) => l.split('\t')[1]) };
}

async function storno(c, invoice, fields) {
  const page = await c.get(`/admin/rechnungen/${invoice}`);
  assert.equal(page.status, 200);
  const csrf = page.text.match(/name="csrf" value="([^"]+)"/)[1];
  return c.post(`/admin/rechnungen/${invoice}/storno`, { csrf, ...fields });
}

const GS_RE = /^GS-\d{4}-\d{6}$/;
let partial; // {tenant, order, note}

test('a credit note for the open codes only: those codes give V06, the journal says teilstorniert, "all" was refused', async () => {
  const t = tenant({ name: 'Stadtgemeinde Stornohausen & Söhne' });
  const o = orderWithCodes(t.admin, ['journal-kurs=4']);
  const user = `storno${seq}`;
  mustCtl(['user', 'add', '--username', user, '--email', `${user}@gemeinde.gv.at`, '--first-name', 'Sepp',
    '--last-name', 'Storno', '--role', 'user', '--tenant', t.gkz], `${PW}\n`);
  assert.equal((await redeemExisting(srv, user, o.codes[0])).status, 200);
  const c = await as('admin');

  const all = await storno(c, o.invoice, { scope: 'all', reason: 'Fehlbestellung' });
  assert.equal(all.status, 422);
  assert.match(textOf(all.text), /bereits eingelöst/);
  assert.equal(sqlValue(srv, `SELECT count(*) FROM credit_notes WHERE order_id = ${o.id}`), '0');
  assert.equal(sqlValue(srv, `SELECT count(*) FROM vouchers WHERE order_id = ${o.id} AND revoked_at IS NOT NULL`), '0');
  assert.equal((await storno(c, o.invoice, { scope: 'open', reason: '' })).status, 422, 'a reason is required');
  const both = await storno(c, o.invoice, { scope: 'teil', reason: 'zwei\nZeilen' });
  assertEveryErrorAtItsField(both, [['scope-open', 'scope-error', /was storniert wird/],
    ['reason', 'reason-error', /Grund des Stornos/]]);
  assert.match(all.text, /id="scope-error"/, 'a refused scope is named at the choice');
  assert.equal(sqlValue(srv, `SELECT count(*) FROM credit_notes WHERE order_id = ${o.id}`), '0');

  const res = await storno(c, o.invoice, { scope: 'open', reason: 'Fehlbestellung: drei Codes zu viel' });
  assert.equal(res.status, 303, textOf(res.text).slice(0, 300));
  const shown = await c.get(res.headers.get('location'));
  assert.match(textOf(shown.text), /Die Gutschrift ist ausgestellt/);
  const [note] = sql(srv, `SELECT number, net_cents, vat_cents, gross_cents FROM credit_notes WHERE order_id = ${o.id}`);
  assert.match(note[0], GS_RE);
  assert.equal(Number(note[1]), 3 * 12345);
  assert.equal(Number(note[2]), vatOf(3 * 12345));
  assert.equal(Number(note[3]), 3 * 12345 + vatOf(3 * 12345));
  assert.equal(sqlValue(srv, `SELECT count(*) FROM vouchers WHERE order_id = ${o.id} AND revoked_at IS NOT NULL
    AND credit_note_id IS NOT NULL`), '3');
  for (const code of o.codes.slice(1)) {
    const r = await redeemExisting(srv, user, code);
    assert.equal(redeemError(r.text)?.number, 'V06', `cancelled code ${code} is revoked`);
  }
  assert.ok(textOf(shown.text).includes(note[0]), 'the invoice page lists the credit note');
  assert.ok(textOf(shown.text).includes('3 Stk Buchhaltung für Gemeinden'));
  const journal = journalOf((await c.get(`/admin/rechnungen?tenant=${t.gkz}`)).text);
  assert.equal(journal.rows[0].status, 'teilstorniert');
  assert.equal(journal.rows[0].credits, note[0]);
  assert.equal(journal.creditGross, euro(Number(note[3])));
  assert.deepEqual(journalOf((await c.get(`/admin/rechnungen?tenant=${t.gkz}&status=teilstorniert`)).text).rows
    .map((r) => r.nr), [o.invoice]);

  const again = await storno(c, o.invoice, { scope: 'open', reason: 'noch einmal' });
  assert.equal(again.status, 422);
  assert.match(textOf(again.text), /keine offenen Codes mehr/);
  assert.equal(sqlValue(srv, `SELECT count(*) FROM audit_log WHERE action = 'invoice.cancel' AND subject = '${o.invoice}'`), '1');
  partial = { tenant: t, order: o, note: { number: note[0], net: Number(note[1]), vat: Number(note[2]), gross: Number(note[3]) } };
});

test('the credit note goes out as PDF by e-mail, refers to the invoice, lists the lines, and is on the order page', async () => {
  const { tenant: t, order: o, note } = partial;
  const mail = await mailWithSubject(new RegExp(`Gutschrift ${note.number} zur Rechnung ${o.invoice}`));
  assert.ok(mail, 'credit note e-mail spooled');
  assert.ok(mail.to.value.some((a) => a.address === `${t.admin}@gemeinde.gv.at`));
  const att = mail.attachments.find((a) => a.filename === `Gutschrift-${note.number}.pdf`);
  assert.ok(att, 'PDF attached');
  assertNoOverlap(att.content);
  const text = pdfText(att.content).replace(/\s+/g, ' ');
  for (const s of ['Gutschrift', note.number, o.invoice, 'zur Rechnung', 'Voucher: Buchhaltung für Gemeinden', 'Stk',
    euro(note.net), euro(note.vat), euro(note.gross), 'Fehlbestellung: drei Codes zu viel', 'Stornohausen & Söhne']) {
    assert.ok(text.includes(s), `credit note shows ${s}\n${text}`);
  }
  assert.match(text, /vom \d\d\.\d\d\.\d{4}/);

  const owner = await as(t.admin);
  const page = await owner.get(`/bestellungen/${o.id}`);
  assert.equal(page.status, 200);
  assert.ok(textOf(page.text).includes(note.number), 'order page lists the credit note');
  const pdf = await download(owner, `/gutschriften/${note.number}.pdf`);
  assert.equal(pdf.status, 200);
  assert.equal(pdf.type, 'application/pdf');
  const other = await as('gemeinde');
  assert.equal((await download(other, `/gutschriften/${note.number}.pdf`)).status, 404, 'not another municipality');
});

test('support and admin open any order page, invoice PDF and codes.csv (audited); support sees the credit note', async () => {
  const { order: o, note } = partial;
  const support = await as('support');
  const before = Number(sqlValue(srv, `SELECT count(*) FROM audit_log WHERE action = 'download.document'`));
  const page = await support.get(`/bestellungen/${o.id}`);
  assert.equal(page.status, 200);
  assert.ok(textOf(page.text).includes(note.number));
  assert.ok(!page.text.includes('class="note-form"'), 'support sees the notes but cannot change them');
  assert.equal((await download(support, `/bestellungen/${o.id}/codes.csv`)).status, 200);
  assert.equal((await download(support, `/bestellungen/${o.id}/rechnung.pdf`)).status, 200);
  assert.equal((await download(support, `/gutschriften/${note.number}.pdf`)).status, 200);
  assert.equal(Number(sqlValue(srv, `SELECT count(*) FROM audit_log WHERE action = 'download.document'`)), before + 3);
  const search = await support.get(`/support?q=${o.invoice}`);
  assert.match(textOf(search.text), new RegExp(`teilstorniert; Gutschriften ${note.number}`));
  const admin = await as('admin');
  assert.equal((await admin.get(`/bestellungen/${o.id}`)).status, 200);
  const user = await as('mitarbeiterin');
  assert.equal((await user.get(`/bestellungen/${o.id}`)).status, 403);
});

test('credit note numbers stay gapless under concurrent cancellations; one invoice is never credited twice', async () => {
  const t = tenant({ name: 'Marktgemeinde Gleichzeitig' });
  const orders = Array.from({ length: 6 }, () => orderWithCodes(t.admin, ['journal-kurs=2']));
  const c = await as('admin');
  const forms = await Promise.all(orders.map(async (o) => {
    const page = await c.get(`/admin/rechnungen/${o.invoice}`);
    return { o, csrf: page.text.match(/name="csrf" value="([^"]+)"/)[1] };
  }));
  // Six invoices at once, and the first one a second time at the same moment.
  const results = await Promise.all([...forms, forms[0]].map((f) =>
    c.post(`/admin/rechnungen/${f.o.invoice}/storno`, { csrf: f.csrf, scope: 'all', reason: 'Sammelstorno' })));
  const statuses = results.map((r) => r.status);
  assert.deepEqual(statuses.slice(1, 6), [303, 303, 303, 303, 303]);
  assert.deepEqual([statuses[0], statuses[6]].sort(), [303, 422], 'the same invoice once only');
  assert.equal(sqlValue(srv, `SELECT count(*) FROM credit_notes WHERE order_id = ${orders[0].id}`), '1');
  const numbers = sql(srv, 'SELECT number, seq, year FROM credit_notes ORDER BY seq');
  const year = numbers[0][2];
  numbers.forEach(([nr, seqNo, y], i) => {
    assert.equal(Number(seqNo), i + 1, `no gap before ${nr}`);
    assert.equal(nr, `GS-${y}-${String(i + 1).padStart(6, '0')}`);
    assert.equal(y, year);
  });
  assert.equal(numbers[0][0], `GS-${year}-000001`);
  const journal = journalOf((await c.get(`/admin/rechnungen?tenant=${t.gkz}&status=storniert`)).text);
  assert.equal(journal.rows.length, 6);
  assert.equal(journal.sumGross, journal.creditGross, 'all of it credited');
});

// ---- ebInterface 6.1 ---------------------------------------------------------------------------------

const SCHEMA = path.join(repoRoot, 'tests', 'standards', 'ebinterface-6.1', 'Invoice.xsd');

/** Validates the XML against the official schema with xmllint; returns the XML text. */
function assertValidEbInterface(buffer, name) {
  const file = path.join(srv.dir, `${name}.xml`);
  fs.writeFileSync(file, buffer);
  const r = spawnSync('xmllint', ['--noout', '--schema', SCHEMA, file], { encoding: 'utf8' });
  assert.equal(r.status, 0, `xmllint: ${r.stderr}`);
  return buffer.toString('utf8');
}

const unescapeXml = (s) => s.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"')
  .replace(/&apos;/g, "'").replace(/&amp;/g, '&');
const xmlValues = (xml, tag) => [...xml.matchAll(new RegExp(`<${tag}(?: [^>]*)?>([^<]*)</${tag}>`, 'g'))]
  .map((m) => unescapeXml(m[1]));
const xmlCents = (s) => { assert.match(s, /^-?\d+\.\d\d$/); return Math.round(Number(s) * 100); };

/** The amounts of an ebInterface document: every line amount, net, USt, gross (cents). */
function amountsOf(xml) {
  const tax = xml.match(/<Tax>[\s\S]*?<\/Tax>/)[0];
  return {
    lines: xmlValues(xml, 'LineItemAmount').map(xmlCents),
    net: xmlCents(xmlValues(tax, 'TaxableAmount')[0]),
    vat: xmlCents(xmlValues(tax, 'TaxAmount')[0]),
    gross: xmlCents(xmlValues(xml, 'TotalGrossAmount')[0]),
    payable: xmlCents(xmlValues(xml, 'PayableAmount')[0]),
  };
}

/** Every amount of the document appears on its PDF as "1.234,50 €". */
function assertSameAmounts(xml, pdf) {
  const a = amountsOf(xml);
  const text = pdfText(pdf);
  for (const cents of [...a.lines, a.net, a.vat, a.gross]) {
    assert.ok(text.includes(euro(cents)), `PDF shows ${euro(cents)}\n${text}`);
  }
  assert.equal(a.lines.reduce((x, y) => x + y, 0), a.net, 'lines add up to the net total');
  assert.equal(a.net + a.vat, a.gross);
  assert.equal(a.payable, a.gross);
  return a;
}

test('ebInterface 6.1: an invoice with a 100-character reference, umlauts and "&" and a package line is valid and has the PDF\'s amounts', async () => {
  const reference = 'GZ Ämter & Bürgerservice <Größe> "Öffentlichkeit" '.repeat(3).slice(0, 100);
  assert.equal(reference.length, 100);
  const t = tenant({ name: 'Marktgemeinde Groß-Enzersdorf & Umgebung', address: 'Rathausplatz 1\n2301 Groß-Enzersdorf',
    uid: 'ATU12121212' });
  const o = placeOrder(t.admin, ['journal-kurs=3', 'digitales-amt=2'], reference);
  const owner = await as(t.admin);
  const res = await download(owner, `/bestellungen/${o.id}/rechnung.xml`);
  assert.equal(res.status, 200);
  assert.match(res.type, /^application\/xml/);
  const xml = assertValidEbInterface(res.body, `invoice-${o.id}`);
  assert.match(xml, /DocumentType="Invoice"/);
  assert.deepEqual(xmlValues(xml, 'InvoiceNumber'), [o.invoice]);
  assert.deepEqual(xmlValues(xml, 'OrderID'), [reference], 'the reference whole, escaped by the writer');
  assert.ok(xmlValues(xml, 'Name').includes('Marktgemeinde Groß-Enzersdorf & Umgebung'));
  assert.deepEqual(xmlValues(xml, 'BillersInvoiceRecipientID'), [t.gkz]);
  assert.deepEqual(xmlValues(xml, 'VATIdentificationNumber'), ['ATU12345678', 'ATU12121212']);
  assert.deepEqual(xmlValues(xml, 'ZIP'), ['1010', '2301']);
  assert.deepEqual(xmlValues(xml, 'Town'), ['Wien', 'Groß-Enzersdorf']);
  assert.deepEqual(xmlValues(xml, 'IBAN'), ['AT611904300234573201']);
  assert.deepEqual(xmlValues(xml, 'BIC'), ['GIBAATWWXXX']);
  assert.equal(xmlValues(xml, 'DueDate').length, 1);
  const descriptions = xmlValues(xml, 'Description');
  assert.ok(descriptions.includes('Voucher: Buchhaltung für Gemeinden'));
  assert.ok(descriptions.includes('Voucher: Paket Digitales Amt'), 'the package line');
  assert.deepEqual(xmlValues(xml, 'Quantity'), ['3', '2']);
  const pdf = await download(owner, `/bestellungen/${o.id}/rechnung.pdf`);
  const a = assertSameAmounts(xml, pdf.body);
  assert.equal(a.gross, Number(sqlValue(srv, `SELECT gross_cents FROM orders WHERE id = ${o.id}`)));
  const admin = await as('admin');
  const byNumber = await download(admin, `/admin/rechnungen/${o.invoice}.xml`);
  assert.equal(byNumber.status, 200);
  assert.equal(byNumber.body.toString('utf8'), xml, 'the same document under the admin path');
  assert.equal((await download(await as('gemeinde'), `/bestellungen/${o.id}/rechnung.xml`)).status, 404);
});

test('ebInterface 6.1: a credit note is a valid CreditMemo naming the cancelled invoice, with the PDF\'s amounts', async () => {
  const { order: o, note } = partial;
  const admin = await as('admin');
  const res = await download(admin, `/admin/rechnungen/${note.number}.xml`);
  assert.equal(res.status, 200);
  const xml = assertValidEbInterface(res.body, `credit-${note.number}`);
  assert.match(xml, /DocumentType="CreditMemo"/);
  const cancelled = xml.match(/<CancelledOriginalDocument>[\s\S]*?<\/CancelledOriginalDocument>/)?.[0];
  assert.ok(cancelled, 'CancelledOriginalDocument');
  assert.deepEqual(xmlValues(cancelled, 'InvoiceNumber'), [o.invoice]);
  assert.equal(xmlValues(xml, 'InvoiceNumber')[0], note.number);
  const pdf = await download(admin, `/gutschriften/${note.number}.pdf`);
  const a = assertSameAmounts(xml, pdf.body);
  assert.deepEqual([a.net, a.vat, a.gross], [note.net, note.vat, note.gross]);
  const owner = await as(partial.tenant.admin);
  const own = await download(owner, `/gutschriften/${note.number}.xml`);
  assert.equal(own.status, 200);
  assert.equal(own.body.toString('utf8'), xml);
  // Every invoice of the test run is valid too.
  for (const [nr] of sql(srv, 'SELECT invoice_number FROM orders ORDER BY id')) {
    assertValidEbInterface((await download(admin, `/admin/rechnungen/${nr}.xml`)).body, `all-${nr}`);
  }
});
