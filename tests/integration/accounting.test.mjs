// Accounting (issue 11) through nginx + voucherd: invoice content and layout (long texts wrap, nothing
// overlaps: pdftotext -bbox), the invoice journal with filters, totals and CSV, payment status, credit notes
// (Storno/Gutschrift) with their own gapless series, and ebInterface 6.1 XML validated against the schema.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { startServer } from '../lib/server.mjs';
import { Client, login, textOf } from '../lib/http.mjs';
import { assertNoOverlap, pdfText, pdfTextIn } from '../lib/pdf.mjs';
import { redeemExisting, sql, sqlValue } from '../lib/redeem.mjs';

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
