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
