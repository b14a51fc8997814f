// Handing codes out (issue 10) through nginx + voucherd with a real SMTP
// server in this process: a pasted list with preview and confirmation (all
// or nothing, bad lines named), one e-mail per person with their own code,
// assigning and re-assigning one code, resending, codes.csv for Excel, the
// code list's filters and pages, printable vouchers with QR codes read back
// by zbarimg, expiry reminders as of day 335 and 358, and 404 for another
// municipality.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { assertEveryErrorAtItsField } from '../lib/forms.mjs';
import { startServer, voucherctlBin } from '../lib/server.mjs';
import { startSmtp } from '../lib/smtp.mjs';
import { Client, csrfFrom, login, tags, textOf } from '../lib/http.mjs';
import { pdfText } from '../lib/pdf.mjs';
import { until } from '../lib/wait.mjs';

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

test('every bad line is named at once, at the list; a course not of the order is named beside them; nothing assigned', async () => {
  const c = await as();
  const csrf = csrfFrom((await c.get(`/bestellungen/${orderId}`)).text);
  const lines = people(6, 1, 'multi');
  lines[1] = 'Person ohne Adresse';
  lines[4] = 'Person 5; keine-adresse';
  const res = await c.post(`/bestellungen/${orderId}/verteilen`, { csrf, course: COURSE, recipients: lines.join('\n') });
  assert.equal(res.status, 422);
  const text = textOf(res.text);
  assert.match(text, /Zeile 2: Name und E-Mail-Adresse müssen durch/);
  assert.match(text, /Zeile 5: Die E-Mail-Adresse ist ungültig/);
  assertEveryErrorAtItsField(res, [['recipients', 'recipients-error', /Bitte korrigieren Sie Zeile 2 und 5\./]], [],
    { summary: /Die Liste enthält Fehler/ });
  const both = await c.post(`/bestellungen/${orderId}/verteilen`, { csrf, course: 'gibt-es-nicht', recipients: lines.join('\n') });
  assertEveryErrorAtItsField(both, [['course', 'course-error', /Kurs dieser Bestellung/],
    ['recipients', 'recipients-error', /Zeile 2 \(Name und E-Mail-Adresse.*\) und 5 \(Die E-Mail-Adresse ist ungültig/]]);
  assert.ok(both.text.includes('Person ohne Adresse'), 'the list is shown again to correct');
  assert.equal((await csvRows(c)).filter((r) => r['ausgegeben an'].startsWith('Person multi')).length, 0, 'nothing assigned');
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
  // delivered mails show "versendet am" in the list and the CSV (once the sender has recorded the
  // delivery, a moment after the SMTP server accepted the last one)
  await until(async () => (await csvRows(c)).filter((r) => r['ausgegeben an'] !== '')
    .every((r) => /^\d\d\.\d\d\.\d{4}$/.test(r['versendet am'])), { ms: 20000, what: 'versendet am in the CSV' });
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

/** voucherctl without blocking this process (whose SMTP server it may talk to). */
function ctlAsync(args) {
  return new Promise((resolve, reject) => {
    const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('VOUCHER_')));
    const child = spawn(voucherctlBin, ['-c', srv.conf, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => { stdout += d; });
    child.stderr.on('data', (d) => { stderr += d; });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** The Vienna calendar date `days` days after today, as YYYY-MM-DD. */
function viennaDatePlus(days) {
  const today = new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Vienna' }).format(new Date());
  const d = new Date(`${today}T12:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}

test('reminders: as of day 335 and day 358 one e-mail each to the ordering admin, never twice', async () => {
  const r = srv.ctl(['order', 'add', '--username', 'gemeinde', '--item', 'verwaltungsverfahren=3']);
  assert.equal(r.code, 0, r.stderr);
  const id = Number(r.stdout.split(' ')[1]);
  const codes = r.stdout.trim().split('\n').slice(1).map((l) => l.split('\t')[1]);
  const c = await as();
  const page = await c.get(`/bestellungen/${id}`);
  const vid = tags(page.text, 'tr').find((t) => /^code-\d+$/.test(t.attrs.id ?? '')).attrs.id.slice(5);
  assert.equal((await c.post(`/bestellungen/codes/${vid}`, { csrf: csrfFrom(page.text), name: 'Rita Reminder', email: 'rita@musterstadt.at' })).status, 303);
  const mine = () => smtp.messages.filter((m) => (m.mail.subject || '').includes(`Bestellung Nr. ${id} `));
  const run = async (day) => {
    const res = await ctlAsync(['reminders', 'send', '--as-of', viennaDatePlus(day)]);
    assert.equal(res.code, 0, res.stderr);
    assert.match(res.stdout, /^\d+ reminders queued; \d+ sent, 0 failed$/m, res.stderr);
  };
  await run(334);
  assert.equal(mine().length, 0, 'nothing on day 334');
  await run(335);
  const first = await smtp.waitFor((m) => (m.mail.subject || '').includes(`Bestellung Nr. ${id} `));
  assert.deepEqual(first.envelope.rcptTo.map((x) => x.address), ['gerda.gemeindeamt@musterstadt.gv.at'], 'to the ordering admin');
  assert.match(first.mail.text, /in höchstens 30 Tagen/);
  for (const code of codes) assert.ok(first.mail.text.includes(code), `${code} listed`);
  assert.match(first.mail.text, /ausgegeben an Rita Reminder <rita@musterstadt.at>/);
  assert.match(first.mail.text, /noch niemandem zugewiesen/);
  await run(335);
  await run(336);
  await run(357);
  assert.equal(mine().length, 1, 'the 30-day reminder once');
  await run(358);
  await until(() => mine().length === 2, { ms: 20000, what: 'the 7-day reminder' });
  assert.match(mine()[1].mail.text, /in höchstens 7 Tagen/);
  await run(358);
  await run(360);
  const s = await ctlAsync(['mail', 'send']);
  assert.equal(s.code, 0, s.stderr);
  assert.equal(mine().length, 2, 'never twice');
  assert.ok(!smtp.messages.some((m) => m.envelope.rcptTo[0].address === 'rita@musterstadt.at' && m.mail.subject.startsWith('Erinnerung')));
}, { timeout: 60000 });

test('/gemeinde/schulungen and schulungen.csv: who holds which course, status, completion and certificate', async () => {
  const file = path.join(srv.dir, 'done.csv');
  fs.writeFileSync(file, `username,course,completed_on\nmitarbeiterin,${COURSE},${viennaDatePlus(0)}\n`);
  const imp = srv.ctl(['completions', 'import', file]);
  assert.equal(imp.code, 0, imp.stderr);
  const c = await as();
  const page = await c.get('/gemeinde/schulungen');
  assert.equal(page.status, 200);
  const text = textOf(page.text);
  assert.match(text, /mitarbeiterin DSGVO-Grundlagen für Gemeinden abgeschlossen \d\d\.\d\d\.\d{4} \d\d\.\d\d\.\d{4} Z-[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}/);
  const open = textOf((await c.get('/gemeinde/schulungen?status=eingeschrieben')).text);
  assert.ok(!open.includes('DSGVO-Grundlagen für Gemeinden abgeschlossen'), 'the status filter');
  const other = textOf((await c.get('/gemeinde/schulungen?course=buergerservice')).text);
  assert.match(other, /Keine Einträge passen zu diesem Filter/);
  const res = await fetch(`${srv.baseUrl}/gemeinde/schulungen.csv?status=abgeschlossen`, { headers: { cookie: c.cookieHeader() } });
  assert.equal(res.status, 200);
  const bytes = Buffer.from(await res.arrayBuffer());
  assert.deepEqual([...bytes.subarray(0, 3)], [0xef, 0xbb, 0xbf], 'BOM');
  const lines = bytes.subarray(3).toString('utf8').replace(/\r\n$/, '').split('\r\n');
  assert.equal(lines[0], 'Nachname;Vorname;Benutzername;E-Mail;Kurs;Status;eingeschrieben am;abgeschlossen am;Zertifikatsnummer');
  const row = lines.map(splitFields).find((f) => f[2] === 'mitarbeiterin' && f[4] === 'DSGVO-Grundlagen für Gemeinden');
  assert.ok(row, 'the completed course in the CSV');
  assert.equal(row[5], 'abgeschlossen');
  assert.match(row[8], /^Z-[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}$/);
  const g2 = await as('gemeinde2');
  assert.ok(!textOf((await g2.get('/gemeinde/schulungen')).text).includes('mitarbeiterin'), 'not for another municipality');
  assert.ok(!(await g2.get('/gemeinde/schulungen.csv')).text.includes('mitarbeiterin'));
  assert.equal((await (await as('mitarbeiterin')).get('/gemeinde/schulungen')).status, 403, 'staff do not see it');
});

test('/bestellungen searches reference, invoice number and course, and pages 50 orders at a time', async () => {
  const r = srv.ctl(['order', 'add', '--username', 'gemeinde', '--item', 'digitales-amt=1', '--reference', 'Bauamt-2026/17']);
  assert.equal(r.code, 0, r.stderr);
  const [, id, invoice] = r.stdout.split('\n')[0].split(' ');
  const c = await as();
  const links = (html) => [...html.matchAll(/href="\/bestellungen\/(\d+)"/g)].map((m) => m[1]);
  assert.deepEqual(links((await c.get('/bestellungen?q=bauamt-2026')).text), [id], 'by reference, any case');
  assert.deepEqual(links((await c.get(`/bestellungen?q=${invoice}`)).text), [id], 'by invoice number');
  const byCourse = links((await c.get('/bestellungen?q=Digitales%20Amt')).text);
  assert.ok(byCourse.includes(id) && !byCourse.includes(String(orderId)), 'by course title');
  assert.match(textOf((await c.get('/bestellungen?q=gibt-es-nicht')).text), /Keine Bestellung passt zu „gibt-es-nicht“/);
  // 60 more orders (copies of this one, written straight into the database) make two pages
  const sql = `WITH RECURSIVE n(k) AS (SELECT 1 UNION ALL SELECT k + 1 FROM n WHERE k < 60)
    INSERT INTO orders (municipality_id, account_id, idempotency_token, reference, invoice_year, invoice_seq,
      invoice_number, recipient_name, recipient_address, recipient_uid, vat_percent, net_cents, vat_cents,
      gross_cents, created_at)
    SELECT municipality_id, account_id, 'copy-' || k, 'Kopie ' || k, 2099, k, printf('RE-2099-%06d', k),
      recipient_name, recipient_address, recipient_uid, vat_percent, net_cents, vat_cents, gross_cents, created_at - k
    FROM orders, n WHERE id = ${id};
    INSERT INTO vouchers (code_hash, code_sealed, order_id, order_line_id, item_id, municipality_id, created_at, valid_until)
    SELECT randomblob(32), v.code_sealed, o.id, v.order_line_id, v.item_id, v.municipality_id, v.created_at, v.valid_until
    FROM orders o, vouchers v WHERE o.invoice_year = 2099 AND v.order_id = ${id};`;
  const ins = spawnSync('sqlite3', [path.join(srv.dir, 'voucher.db')], { input: sql, encoding: 'utf8' });
  assert.equal(ins.status, 0, ins.stderr);
  const first = await c.get('/bestellungen');
  const total = Number(textOf(first.text).match(/Bestellungen 1 bis 50 von (\d+) \(Seite 1 von 2\)/)[1]);
  assert.ok(total > 60);
  assert.equal(links(first.text).length, 50);
  assert.ok(first.text.includes('href="/bestellungen?seite=2"'));
  const second = await c.get('/bestellungen?seite=2');
  assert.equal(links(second.text).length, total - 50);
  const found = await c.get('/bestellungen?q=Kopie');
  assert.match(textOf(found.text), /Bestellungen 1 bis 50 von 60 \(Seite 1 von 2\)/);
  assert.ok(found.text.includes('href="/bestellungen?q=Kopie&amp;seite=2"'), 'the search kept in the page links');
  assert.equal(links((await c.get('/bestellungen?q=Kopie&seite=2')).text).length, 10);
  assert.ok(!textOf((await (await as('gemeinde2')).get('/bestellungen?q=Kopie')).text).includes('Kopie 1'), 'own municipality only');
});
