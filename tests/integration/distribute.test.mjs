// Handing codes out (issue 10) through nginx + voucherd with a real SMTP
// server in this process: a pasted list with preview and confirmation (all
// or nothing, bad lines named), one e-mail per person with their own code,
// assigning and re-assigning one code, resending, codes.csv for Excel, the
// code list's filters and pages, printable vouchers with QR codes read back
// by zbarimg, and 404 for another municipality.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startServer } from '../lib/server.mjs';
import { startSmtp } from '../lib/smtp.mjs';
import { Client, csrfFrom, login, tags, textOf } from '../lib/http.mjs';
import { pdfText } from '../lib/pdf.mjs';

const PW = 'demo-passwort';
const CODE_RE = /SBA-[0-9A-Z]{6}-[0-9A-Z]{6}-[0-9A-Z]{6}-[0-9A-Z]{6}/g;
const COURSE = 'dsgvo-grundlagen';

let smtp;
let srv;
let orderId;

before(async () => {
  smtp = await startSmtp();
  srv = await startServer({ smtpUrl: `smtp://127.0.0.1:${smtp.port}`, extraConf: { mail: { retry_base_seconds: 1 } } });
  const r = srv.ctl(['order', 'add', '--username', 'gemeinde', '--item', `${COURSE}=250`, '--item', 'buergerservice=2']);
  assert.equal(r.code, 0, r.stderr);
  orderId = Number(r.stdout.split(' ')[1]);
}, { timeout: 120000 });

after(async () => {
  if (srv) await srv.stop();
  if (smtp) await smtp.close();
}, { timeout: 30000 });

async function as(username = 'gemeinde') {
  const c = new Client(srv.baseUrl);
  assert.equal((await login(c, username, PW)).status, 303, `login as ${username}`);
  return c;
}

/** One CSV line split at ';' as Excel does: "…" quotes with "" inside. */
function splitFields(line) {
  const out = [];
  let cur = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i];
    if (quoted) {
      if (ch === '"' && line[i + 1] === '"') { cur += '"'; i++; } else if (ch === '"') quoted = false; else cur += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ';') { out.push(cur); cur = ''; } else cur += ch;
  }
  out.push(cur);
  return out;
}

/** codes.csv parsed as Excel reads it: BOM, ';', CRLF; rows as objects by header. */
async function csvRows(c, id = orderId) {
  const res = await fetch(`${srv.baseUrl}/bestellungen/${id}/codes.csv`, { headers: { cookie: c.cookieHeader() } });
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type'), /^text\/csv; charset=utf-8/);
  const bytes = Buffer.from(await res.arrayBuffer());
  assert.deepEqual([...bytes.subarray(0, 3)], [0xef, 0xbb, 0xbf], 'UTF-8 BOM first');
  const text = bytes.subarray(3).toString('utf8');
  assert.ok(text.endsWith('\r\n') && !/[^\r]\n/.test(text), 'CRLF line ends');
  const [head, ...lines] = text.replace(/\r\n$/, '').split('\r\n');
  const names = head.split(';');
  assert.deepEqual(names, ['Kurs', 'Code', 'gültig bis', 'Status', 'eingelöst am', 'eingelöst von', 'ausgegeben an',
    'E-Mail', 'versendet am', 'Einlöse-Link']);
  return lines.map((l) => {
    const f = splitFields(l);
    assert.equal(f.length, 10, l);
    return Object.fromEntries(names.map((n, i) => [n, f[i]]));
  });
}

const people = (n, from = 1, tag = 'p') => Array.from({ length: n }, (_, i) =>
  `Person ${tag}${i + from}; ${tag}${i + from}@musterstadt.at`);

test('a list of 100 with a bad line 57 assigns nothing and names "Zeile 57", preview or confirmed', async () => {
  const c = await as();
  const page = await c.get(`/bestellungen/${orderId}`);
  const csrf = csrfFrom(page.text);
  const lines = people(100, 1, 'bad');
  lines[56] = 'Person 57 ohne Adresse';
  for (const confirm of [undefined, '1']) {
    const fields = { csrf, course: COURSE, recipients: lines.join('\n') };
    if (confirm) fields.confirm = confirm;
    const res = await c.post(`/bestellungen/${orderId}/verteilen`, fields);
    assert.equal(res.status, 422);
    const text = textOf(res.text);
    assert.match(text, /Zeile 57: Name und E-Mail-Adresse müssen durch/);
    assert.match(text, /Es wurde nichts zugewiesen/);
    assert.ok(!text.includes('Zeile 56:') && !text.includes('Zeile 58:'), 'only the bad line named');
    assert.ok(!res.text.includes('Zuweisen und E-Mails senden'), 'no confirmation offered');
  }
  lines[56] = 'Person 57; keine-adresse';
  const bad = await c.post(`/bestellungen/${orderId}/verteilen`, { csrf, course: COURSE, recipients: lines.join('\n'), confirm: '1' });
  assert.match(textOf(bad.text), /Zeile 57: Die E-Mail-Adresse ist ungültig/);
  const rows = await csvRows(c);
  assert.equal(rows.filter((r) => r['ausgegeben an'] !== '').length, 0, 'nothing assigned');
  assert.equal(smtp.messages.filter((m) => m.envelope.rcptTo[0].address.startsWith('bad')).length, 0, 'no mail');
});

test('more people than open codes of the course: refused in the preview, nothing assigned', async () => {
  const c = await as();
  const csrf = csrfFrom((await c.get(`/bestellungen/${orderId}`)).text);
  const res = await c.post(`/bestellungen/${orderId}/verteilen`, { csrf, course: 'buergerservice', recipients: people(3, 1, 'many').join('\r\n'), confirm: '1' });
  assert.equal(res.status, 422);
  assert.match(textOf(res.text), /nur 2 offene, noch nicht zugewiesene Codes, Sie haben 3 Personen eingegeben/);
  assert.equal((await csvRows(c)).filter((r) => r['ausgegeben an'] !== '').length, 0);
});

test('100 people: preview, confirm, and each gets one e-mail with their own code and link', async () => {
  const c = await as();
  const csrf = csrfFrom((await c.get(`/bestellungen/${orderId}`)).text);
  const lines = people(100, 1, 'ok');
  lines[3] = 'Huber, Anna\tok4@musterstadt.at'; // a tab from Excel, a comma in the name
  lines[4] = 'Gruber Max,ok5@musterstadt.at';
  const preview = await c.post(`/bestellungen/${orderId}/verteilen`, { csrf, course: COURSE, recipients: lines.join('\r\n') + '\r\n\r\n' });
  assert.equal(preview.status, 200);
  assert.match(textOf(preview.text), /Diese 100 Personen bekommen je einen offenen Code/);
  assert.ok(textOf(preview.text).includes('Huber, Anna ok4@musterstadt.at'));
  assert.equal((await csvRows(c)).filter((r) => r['ausgegeben an'] !== '').length, 0, 'the preview assigns nothing');
  const form = [...preview.text.matchAll(/<form\b[\s\S]*?<\/form>/gi)].map((m) => m[0])
    .find((f) => f.includes('Zuweisen und E-Mails senden'));
  const fields = tags(form, 'input').map((t) => [t.attrs.name, t.attrs.value]);
  const res = await c.post(`/bestellungen/${orderId}/verteilen`, fields);
  assert.equal(res.status, 303, textOf(res.text).slice(0, 300));
  assert.match(res.headers.get('location'), new RegExp(`^/bestellungen/${orderId}\\?hinweis=verteilt`));
  const shown = await c.get(res.headers.get('location'));
  assert.match(textOf(shown.text), /Die Codes sind zugewiesen/);

  const rows = (await csvRows(c)).filter((r) => r['ausgegeben an'] !== '');
  assert.equal(rows.length, 100);
  const byMail = new Map(rows.map((r) => [r['E-Mail'], r]));
  assert.equal(byMail.get('ok4@musterstadt.at')['ausgegeben an'], 'Huber, Anna');
  assert.equal(byMail.get('ok5@musterstadt.at')['ausgegeben an'], 'Gruber Max');
  const deadline = Date.now() + 60000;
  const mine = () => smtp.messages.filter((m) => m.envelope.rcptTo[0].address.startsWith('ok'));
  while (mine().length < 100 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
  assert.equal(mine().length, 100, 'one mail per person');
  const seen = new Set();
  for (const m of mine()) {
    assert.equal(m.envelope.rcptTo.length, 1, 'each mail to one person');
    const to = m.envelope.rcptTo[0].address;
    const row = byMail.get(to);
    assert.ok(row, `a row for ${to}`);
    const codes = m.mail.text.match(CODE_RE);
    assert.deepEqual([...new Set(codes)], [row.Code], `${to} gets their own code`);
    assert.ok(m.mail.text.includes(`${srv.baseUrl}/voucher/einloesen?code=${row.Code}`), 'the redemption link');
    assert.ok(m.mail.text.includes('DSGVO') && m.mail.text.includes(`gültig bis ${row['gültig bis']}`));
    assert.match(m.mail.text, /Fragen beantwortet Ihnen .+ \(.+@.+\)/);
    assert.equal(row['Einlöse-Link'], `${srv.baseUrl}/voucher/einloesen?code=${row.Code}`);
    seen.add(row.Code);
  }
  assert.equal(seen.size, 100, 'a hundred different codes');
  // delivered mails show "versendet am" in the list and the CSV
  const after = await csvRows(c);
  const sentRows = after.filter((r) => r['ausgegeben an'] !== '');
  assert.ok(sentRows.every((r) => /^\d\d\.\d\d\.\d{4}$/.test(r['versendet am'])), 'versendet am in the CSV');
  const page = await c.get(`/bestellungen/${orderId}?zugewiesen=ja`);
  assert.match(textOf(page.text), /Codes 1 bis 100 von 100/);
  assert.match(textOf(page.text), /versendet am \d\d\.\d\d\.\d{4}/);
  // sending the same list again is refused (a double click assigns nothing new)
  const again = await c.post(`/bestellungen/${orderId}/verteilen`, fields);
  assert.equal(again.status, 422);
  assert.match(textOf(again.text), /Zeile 1: ok1@musterstadt.at hat in dieser Bestellung schon einen offenen Code/);
}, { timeout: 90000 });

test('the code list filters by course, status and assignment and pages all codes with page links', async () => {
  const c = await as();
  const rows = (html) => tags(html, 'tr').filter((t) => /^code-\d+$/.test(t.attrs.id ?? '')).length;
  const all = await c.get(`/bestellungen/${orderId}`);
  assert.match(textOf(all.text), /Codes 1 bis 200 von 252 \(Seite 1 von 2\)/);
  assert.ok(all.text.includes(`href="/bestellungen/${orderId}?seite=2#codes"`));
  const second = await c.get(`/bestellungen/${orderId}?seite=2`);
  assert.equal(rows(second.text), 52);
  const free = await c.get(`/bestellungen/${orderId}?course=${COURSE}&zugewiesen=nein`);
  assert.match(textOf(free.text), /Codes 1 bis 150 von 150/);
  const bs = await c.get(`/bestellungen/${orderId}?course=buergerservice&status=offen`);
  assert.equal(rows(bs.text), 2);
  const none = await c.get(`/bestellungen/${orderId}?status=eingeloest`);
  assert.match(textOf(none.text), /Keine Codes passen zu diesem Filter/);
  const paged = await c.get(`/bestellungen/${orderId}?status=offen`);
  assert.ok(paged.text.includes(`href="/bestellungen/${orderId}?status=offen&amp;seite=2#codes"`), 'filters kept in the page links');
});

test('one code: assign, re-assign (audited), refuse a bad address, send and resend', async () => {
  const c = await as();
  const page = await c.get(`/bestellungen/${orderId}?course=buergerservice`);
  const csrf = csrfFrom(page.text);
  const vid = tags(page.text, 'tr').find((t) => /^code-\d+$/.test(t.attrs.id ?? '')).attrs.id.slice(5);
  const bad = await c.post(`/bestellungen/codes/${vid}`, { csrf, name: 'Eva Egger', email: 'eva@' });
  assert.equal(bad.status, 422);
  assert.match(textOf(bad.text), /Die E-Mail-Adresse ist ungültig/);
  assert.equal((await c.post(`/bestellungen/codes/${vid}`, { csrf, name: 'Eva Egger', email: 'eva@musterstadt.at' })).status, 303);
  assert.equal((await c.post(`/bestellungen/codes/${vid}`, { csrf, name: 'Otto Ortner', email: 'otto@musterstadt.at' })).status, 303);
  const row = (await csvRows(c)).find((r) => r['E-Mail'] === 'otto@musterstadt.at');
  assert.equal(row['ausgegeben an'], 'Otto Ortner');
  assert.equal(row.Status, 'offen');
  const sent = await c.post(`/bestellungen/codes/${vid}/senden`, { csrf });
  assert.equal(sent.status, 303);
  assert.match(sent.headers.get('location'), /hinweis=gesendet/);
  const m = await smtp.waitFor((x) => x.envelope.rcptTo[0].address === 'otto@musterstadt.at');
  assert.ok(m.mail.text.includes(row.Code) && m.mail.text.includes('Otto Ortner'));
  assert.equal((await c.post(`/bestellungen/codes/${vid}/senden`, { csrf })).status, 303, 'resend');
  const deadline = Date.now() + 20000;
  while (smtp.messages.filter((x) => x.envelope.rcptTo[0].address === 'otto@musterstadt.at').length < 2) {
    assert.ok(Date.now() < deadline, 'the resent mail arrives');
    await new Promise((r) => setTimeout(r, 100));
  }
  assert.equal(smtp.messages.filter((x) => x.envelope.rcptTo[0].address === 'eva@musterstadt.at').length, 0);
  // an unassigned code cannot be sent
  const other = tags(page.text, 'tr').filter((t) => /^code-\d+$/.test(t.attrs.id ?? ''))[1].attrs.id.slice(5);
  const refused = await c.post(`/bestellungen/codes/${other}/senden`, { csrf });
  assert.equal(refused.status, 422);
  assert.match(textOf(refused.text), /noch niemandem zugewiesen/);
  // the audit log has the assignment and the change
  const a = await as('admin');
  const log = textOf((await a.get('/admin/protokoll?q=code.assign')).text);
  assert.match(log, /neu an Otto Ortner <otto@musterstadt.at> \(vorher Eva Egger <eva@musterstadt.at>\)/);
  // support sees the recipient and the delivery
  const s = await as('support');
  const found = textOf((await s.get(`/support?q=${encodeURIComponent(row.Code)}`)).text);
  assert.match(found, /Ausgegeben an Otto Ortner <otto@musterstadt.at>/);
  assert.match(found, /E-Mail an die Person (versendet am|wartet auf den Versand)/);
}, { timeout: 60000 });

test('a redeemed code cannot be re-assigned; its status says who redeemed it when', async () => {
  const c = await as();
  const row = (await csvRows(c)).find((r) => r['E-Mail'] === 'ok10@musterstadt.at');
  const g = new Client(srv.baseUrl);
  const form = await g.get('/voucher/einloesen');
  const res = await g.post('/voucher/einloesen', { csrf: csrfFrom(form.text), mode: 'existing', username: 'mitarbeiterin', code: row.Code });
  assert.ok([200, 303].includes(res.status), textOf(res.text).slice(0, 300));
  const after = (await csvRows(c)).find((r) => r.Code === row.Code);
  assert.equal(after.Status, 'eingelöst');
  assert.match(after['eingelöst von'], /\(mitarbeiterin\)$/);
  const page = await c.get(`/bestellungen/${orderId}?status=eingeloest`);
  assert.match(textOf(page.text), /eingelöst am \d\d\.\d\d\.\d{4} von /);
  const vid = tags(page.text, 'tr').find((t) => /^code-\d+$/.test(t.attrs.id ?? '')).attrs.id.slice(5);
  const re = await c.post(`/bestellungen/codes/${vid}`, { csrf: csrfFrom(page.text), name: 'Neu', email: 'neu@x.at' });
  assert.equal(re.status, 422);
  assert.match(textOf(re.text), /schon eingelöst/);
});

test('a tenant_admin of another municipality gets 404 on every route of handing out', async () => {
  const mine = await as();
  const page = await mine.get(`/bestellungen/${orderId}?zugewiesen=ja`);
  const vid = tags(page.text, 'tr').find((t) => /^code-\d+$/.test(t.attrs.id ?? '')).attrs.id.slice(5);
  const c = await as('gemeinde2');
  const csrf = csrfFrom((await c.get('/bestellungen')).text);
  for (const p of [`/bestellungen/${orderId}/codes.csv`, `/bestellungen/${orderId}/voucher.pdf`,
    `/bestellungen/${orderId}?zugewiesen=ja`]) {
    assert.equal((await c.get(p)).status, 404, p);
  }
  for (const [p, f] of [[`/bestellungen/${orderId}/verteilen`, { course: COURSE, recipients: 'X; x@y.at', confirm: '1' }],
    [`/bestellungen/codes/${vid}`, { name: 'X', email: 'x@y.at' }], [`/bestellungen/codes/${vid}/senden`, {}]]) {
    assert.equal((await c.post(p, { csrf, ...f })).status, 404, p);
  }
  const row = (await csvRows(mine)).find((r) => r['E-Mail'] === 'x@y.at');
  assert.equal(row, undefined, 'nothing changed');
});

test('voucher.pdf: eight cards a page, every QR code decodes to its code\'s redemption link', async () => {
  const r = srv.ctl(['order', 'add', '--username', 'gemeinde', '--item', 'informationssicherheit=10']);
  assert.equal(r.code, 0, r.stderr);
  const id = Number(r.stdout.split(' ')[1]);
  const codes = r.stdout.trim().split('\n').slice(1).map((l) => l.split('\t')[1]);
  const c = await as();
  const res = await fetch(`${srv.baseUrl}/bestellungen/${id}/voucher.pdf`, { headers: { cookie: c.cookieHeader() } });
  assert.equal(res.status, 200);
  assert.equal(res.headers.get('content-type'), 'application/pdf');
  const pdf = Buffer.from(await res.arrayBuffer());
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vouchers-'));
  try {
    fs.writeFileSync(path.join(dir, 'v.pdf'), pdf);
    const ppm = spawnSync('pdftoppm', ['-r', '150', '-png', path.join(dir, 'v.pdf'), path.join(dir, 'page')], { encoding: 'utf8' });
    assert.equal(ppm.status, 0, ppm.stderr);
    const pages = fs.readdirSync(dir).filter((f) => f.endsWith('.png')).sort();
    assert.equal(pages.length, 2, '10 cards on two pages');
    const links = [];
    for (const p of pages) {
      const z = spawnSync('zbarimg', ['-q', '--raw', path.join(dir, p)], { encoding: 'utf8' });
      assert.equal(z.status, 0, z.stderr);
      links.push(...z.stdout.trim().split('\n'));
    }
    assert.deepEqual(links.sort(), codes.map((code) => `${srv.baseUrl}/voucher/einloesen?code=${code}`).sort());
    const text = pdfText(pdf);
    for (const code of codes) assert.ok(text.includes(code), `${code} printed`);
    assert.match(text, /gültig bis \d\d\.\d\d\.\d{4}/);
    assert.ok(text.includes('Meine Kurse') && text.includes('QR-Code scannen'), 'the how-to');
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
  assert.equal((await (await as('gemeinde2')).get(`/bestellungen/${id}/voucher.pdf`)).status, 404);
}, { timeout: 60000 });
