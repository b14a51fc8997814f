// Ordering (issue 3) through nginx + voucherd as a tenant_admin, with a real
// SMTP server in this process receiving the e-mail: the form, the review,
// errors, placing an order once, codes, codes.csv, the invoice PDF, the
// order pages, recipients, tenant isolation, and mail while SMTP is down.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { startServer, freePort } from '../lib/server.mjs';
import { startSmtp } from '../lib/smtp.mjs';
import { Client, csrfFrom, login, tags, textOf } from '../lib/http.mjs';
import { pdfText } from '../lib/pdf.mjs';
import { sql } from '../lib/redeem.mjs';
import { until } from '../lib/wait.mjs';

const PW = 'demo-passwort';
const CODE_RE = /SBA-[0-9A-Z]{6}-[0-9A-Z]{6}-[0-9A-Z]{6}-[0-9A-Z]{6}/g;
const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

let smtp;
let srv;

before(async () => {
  smtp = await startSmtp();
  srv = await startServer({
    smtpUrl: `smtp://127.0.0.1:${smtp.port}`,
    extraConf: { mail: { retry_base_seconds: 1 } },
  });
}, { timeout: 120000 });

after(async () => {
  if (srv) await srv.stop();
  if (smtp) await smtp.close();
}, { timeout: 30000 });

/** True when the code's 24 symbols fold to 0 in GF(32) (x^5 + x^2 + 1). */
function wellFormed(code) {
  const symbols = code.replace(/^SBA-/, '').replace(/-/g, '');
  let s = 0;
  for (const ch of symbols) {
    s <<= 1;
    if (s & 0x20) s ^= 0x25;
    s ^= ALPHABET.indexOf(ch);
  }
  return symbols.length === 24 && s === 0;
}

async function admin(username = 'gemeinde') {
  const c = new Client(srv.baseUrl);
  const res = await login(c, username, PW);
  assert.equal(res.status, 303, `login as ${username}`);
  return c;
}

/** The form's hidden fields (csrf, order_token) from GET /bestellen. */
async function openForm(c) {
  const page = await c.get('/bestellen');
  assert.equal(page.status, 200);
  const token = tags(page.text, 'input').find((t) => t.attrs.name === 'order_token')?.attrs.value;
  return { page, csrf: csrfFrom(page.text), order_token: token };
}

/** Every input of the form that contains the named button, as [name, value] pairs. */
function formFields(html, buttonText) {
  const forms = [...html.matchAll(/<form\b[\s\S]*?<\/form>/gi)].map((m) => m[0]);
  const form = forms.find((f) => f.includes(buttonText));
  assert.ok(form, `a form with "${buttonText}"`);
  return tags(form, 'input').filter((t) => t.attrs.name).map((t) => [t.attrs.name, t.attrs.value ?? '']);
}

/** Review, then confirm through the review page's form; returns the confirmation response. */
async function order(c, quantities, reference = '') {
  const { csrf, order_token } = await openForm(c);
  const fields = { csrf, order_token, reference };
  for (const [slug, q] of Object.entries(quantities)) fields[`qty_${slug}`] = String(q);
  const review = await c.post('/bestellen', fields);
  assert.equal(review.status, 200, textOf(review.text).slice(0, 500));
  const confirm = formFields(review.text, 'Zahlungspflichtig bestellen');
  const res = await c.post('/bestellen', confirm);
  assert.equal(res.status, 303, textOf(res.text).slice(0, 500));
  return { res, review, confirm, id: Number(res.headers.get('location').match(/^\/bestellungen\/(\d+)$/)[1]) };
}

const invoiceOf = (page) => textOf(page).match(/RE-\d{4}-\d{6}/)[0];
const mailFor = (invoice) => smtp.waitFor((m) => (m.mail.subject || '').includes(invoice));

// ---------------------------------------------------------------------------
// access and the form

test('GET /bestellen as a guest redirects to the login', async () => {
  const res = await new Client(srv.baseUrl).get('/bestellen');
  assert.equal(res.status, 303);
  assert.equal(res.headers.get('location'), '/login?next=/bestellen');
});

test('GET /bestellen and /bestellungen as a user or support answer 403', async () => {
  for (const who of ['mitarbeiterin', 'support']) {
    const c = await admin(who);
    assert.equal((await c.get('/bestellen')).status, 403, who);
    assert.equal((await c.get('/bestellungen')).status, 403, who);
  }
});

test('the form lists every paid item with a labelled quantity field, not the free course', async () => {
  const c = await admin();
  const { page, order_token } = await openForm(c);
  assert.match(order_token, /^[A-Za-z0-9_-]{43}$/);
  const qty = tags(page.text, 'input').filter((t) => t.attrs.name?.startsWith('qty_')).map((t) => t.attrs.name);
  assert.deepEqual(qty.sort(), ['qty_barrierefreie-dokumente', 'qty_buergerservice', 'qty_digitales-amt',
    'qty_dsgvo-grundlagen', 'qty_informationssicherheit', 'qty_verwaltung-kompakt',
    'qty_verwaltungsverfahren'].sort());
  for (const name of qty) assert.ok(page.text.includes(`<label for="${name}">`), `label for ${name}`);
  assert.ok(page.text.includes('<label for="reference">'), 'label for the reference');
  const text = textOf(page.text);
  assert.ok(text.includes('149,00 €') && text.includes('8 Stunden'), 'net price and hours');
  assert.ok(!page.text.includes('qty_e-government-einstieg'), 'free course not orderable');
  const menu = textOf(page.text.match(/<nav class="main-nav"[\s\S]*?<\/nav>/)[0]);
  assert.ok(menu.includes('Bestellen') && menu.includes('Bestellungen'), 'menu entries');
});

test('a POST without confirm shows the review with totals and recipients and orders nothing', async () => {
  const c = await admin();
  const before = (await c.get('/bestellungen')).text;
  const { csrf, order_token } = await openForm(c);
  const res = await c.post('/bestellen', {
    csrf, order_token, 'qty_dsgvo-grundlagen': '3', 'qty_digitales-amt': '2', reference: 'GZ 12/2026',
  });
  assert.equal(res.status, 200);
  const text = textOf(res.text);
  for (const s of ['DSGVO-Grundlagen für Gemeinden', 'Paket Digitales Amt', '447,00 €', '598,00 €',
    'Summe netto 1.045,00 €', 'USt 20 % 209,00 €', 'Gesamtbetrag brutto 1.254,00 €',
    'buchhaltung@musterstadt.gv.at', 'gerda.gemeindeamt@musterstadt.gv.at', 'Stadtgemeinde Musterstadt',
    'GZ 12/2026']) {
    assert.ok(text.includes(s), `review shows ${s}`);
  }
  const confirm = Object.fromEntries(formFields(res.text, 'Zahlungspflichtig bestellen'));
  assert.equal(confirm.confirm, '1');
  assert.equal(confirm.order_token, order_token);
  assert.equal(confirm['qty_dsgvo-grundlagen'], '3');
  assert.equal(confirm.reference, 'GZ 12/2026');
  assert.equal((await c.get('/bestellungen')).text, before, 'nothing ordered by the review');
});

// ---------------------------------------------------------------------------
// errors

async function postForm(c, extra) {
  const { csrf, order_token } = await openForm(c);
  return c.post('/bestellen', { csrf, order_token, reference: 'Ref <b>1</b>', ...extra });
}

test('nothing ordered re-shows the form with a German message', async () => {
  const res = await postForm(await admin(), { 'qty_dsgvo-grundlagen': '0' });
  assert.equal(res.status, 422);
  assert.ok(textOf(res.text).includes('Bitte geben Sie bei mindestens einem Kurs oder Paket eine Anzahl an.'));
  assert.ok(res.text.includes('value="Ref &lt;b&gt;1&lt;/b&gt;"'), 'reference re-shown, escaped');
  assert.ok(res.text.includes('aria-describedby="order-error"'), 'fields point at the message');
});

test('a negative or huge quantity re-shows the form with the value and a linked message', async () => {
  for (const bad of ['-1', '10001', '1e3', 'drei']) {
    const res = await postForm(await admin(), { 'qty_dsgvo-grundlagen': bad, 'qty_digitales-amt': '2' });
    assert.equal(res.status, 422, bad);
    const input = tags(res.text, 'input').find((t) => t.attrs.name === 'qty_dsgvo-grundlagen');
    assert.equal(input.attrs.value, bad);
    assert.equal(input.attrs['aria-invalid'], 'true');
    const msgId = input.attrs['aria-describedby'];
    assert.ok(res.text.includes(`id="${msgId}"`), 'message element exists');
    assert.ok(textOf(res.text).includes('ganze Zahl von 0 bis 10.000'), bad);
    assert.equal(tags(res.text, 'input').find((t) => t.attrs.name === 'qty_digitales-amt').attrs.value, '2');
  }
});

test('a quantity for a free, inactive or unknown item is refused', async () => {
  for (const slug of ['e-government-einstieg', 'gibt-es-nicht']) {
    const res = await postForm(await admin(), { [`qty_${slug}`]: '1', 'qty_dsgvo-grundlagen': '1' });
    assert.equal(res.status, 422, slug);
    assert.ok(textOf(res.text).includes('kann nicht bestellt werden'), slug);
  }
});

test('a confirmation for an item taken out of the catalog since the review is refused', async () => {
  const c = await admin();
  const { csrf, order_token } = await openForm(c);
  const file = path.join(srv.dir, 'catalog-extra.csv');
  fs.writeFileSync(file, 'kind,slug,title,description,hours,price_cents,courses\n' +
    'course,auslauf-kurs,Auslaufkurs,Bald nicht mehr,2,5000,\n');
  assert.equal(srv.ctl(['catalog', 'import', file]).code, 0);
  const review = await c.post('/bestellen', { csrf, order_token, 'qty_auslauf-kurs': '1' });
  assert.equal(review.status, 200);
  // No command takes an item off sale yet (the admin pages will): do it in the database.
  const off = spawnSync('sqlite3', [path.join(srv.dir, 'voucher.db'),
    "UPDATE catalog_items SET active = 0 WHERE slug = 'auslauf-kurs'"], { encoding: 'utf8' });
  assert.equal(off.status, 0, off.stderr);
  const res = await c.post('/bestellen', formFields(review.text, 'Zahlungspflichtig bestellen'));
  assert.equal(res.status, 422);
  assert.ok(textOf(res.text).includes('kann nicht bestellt werden'));
  assert.ok(!textOf((await c.get('/bestellungen')).text).includes('60,00 €'), 'no order');
});

// ---------------------------------------------------------------------------
// placing an order, the e-mail, the documents

let placed; // { id, codes, invoice, mail }

test('confirming places the order: the order page shows the 5 codes as "offen"', async () => {
  const c = await admin();
  const { id } = await order(c, { 'dsgvo-grundlagen': 3, 'digitales-amt': 2 }, 'GZ 4711/2026');
  const page = await c.get(`/bestellungen/${id}`);
  assert.equal(page.status, 200);
  const codes = [...new Set(page.text.match(CODE_RE))];
  assert.equal(codes.length, 5);
  for (const code of codes) assert.ok(wellFormed(code), `${code} well-formed`);
  const rows = [...page.text.matchAll(/<tr id="code-\d+">[\s\S]*?<\/tr>/g)].map((m) => textOf(m[0]));
  assert.equal(rows.length, 5);
  for (const row of rows) assert.match(row, /offen/);
  assert.equal(rows.filter((r) => r.includes('DSGVO-Grundlagen')).length, 3);
  placed = { id, codes, invoice: invoiceOf(page.text) };
  const list = textOf((await c.get('/bestellungen')).text);
  assert.ok(list.includes(placed.invoice) && list.includes('GZ 4711/2026') && list.includes('1.254,00 €'), list);
});

test('one e-mail arrives at both addresses with the 5 codes grouped by course', async () => {
  assert.ok(placed, 'order placed');
  const m = await mailFor(placed.invoice);
  placed.mail = m;
  // One message (one Message-ID), one SMTP transfer per recipient: a refusing address cannot stop the other.
  const copies = await until(() => {
    const list = smtp.messages.filter((x) => x.mail.subject.includes(placed.invoice));
    return list.length >= 2 && list;
  }, { what: 'the copy for each recipient' });
  assert.deepEqual(copies.flatMap((x) => x.envelope.rcptTo.map((r) => r.address)).sort(),
    ['buchhaltung@musterstadt.gv.at', 'gerda.gemeindeamt@musterstadt.gv.at']);
  assert.equal(new Set(copies.map((x) => x.mail.messageId)).size, 1);
  assert.deepEqual(m.mail.to.value.map((a) => a.address).sort(),
    ['buchhaltung@musterstadt.gv.at', 'gerda.gemeindeamt@musterstadt.gv.at']);
  assert.equal(m.mail.from.value[0].address, 'noreply@staedtebund-academy.at');
  assert.equal(m.mail.from.value[0].name, 'Städtebund Academy');
  assert.ok(m.mail.subject.includes('Städtebund Academy'), m.mail.subject);
  assert.ok(m.mail.messageId && m.mail.date instanceof Date);
  const body = m.mail.text;
  assert.deepEqual([...new Set(body.match(CODE_RE))].sort(), [...placed.codes].sort());
  const validUntil = body.match(/gültig bis (\d\d\.\d\d\.\d{4})/)[1];
  const dsgvo = body.indexOf('DSGVO-Grundlagen für Gemeinden – 3 Codes');
  const paket = body.indexOf('Paket Digitales Amt – 2 Codes');
  assert.ok(dsgvo >= 0 && paket > dsgvo, 'groups by course');
  assert.equal(body.slice(dsgvo, paket).match(CODE_RE).length, 3);
  const year = new Date().getFullYear();
  assert.match(validUntil, new RegExp(`\\.${year + 1}$`));
  assert.equal(smtp.messages.filter((x) => x.mail.subject.includes(placed.invoice)).length, 2, 'one copy per recipient');
  for (const line of m.raw.toString('latin1').split('\r\n')) assert.ok(line.length <= 78, `line too long: ${line}`);
});

test('codes.csv is attached with course, code and validity of every code', async () => {
  const csv = placed.mail.mail.attachments.find((a) => a.filename === 'codes.csv');
  assert.ok(csv, 'codes.csv attached');
  assert.match(csv.contentType, /^text\/csv/);
  const text = csv.content.toString('utf8');
  assert.ok(text.startsWith('\ufeff'), 'with BOM for Excel');
  const lines = text.slice(1).trim().split(/\r\n/);
  assert.equal(lines[0], 'Kurs;Code;gültig bis;Status;eingelöst am;eingelöst von;ausgegeben an;E-Mail;versendet am;Einlöse-Link');
  assert.equal(lines.length, 6);
  const codes = lines.slice(1).map((l) => l.split(';')[1]);
  assert.deepEqual(codes.sort(), [...placed.codes].sort());
  assert.ok(lines.slice(1).every((l) => /^[^;]+;[^;]+;\d\d\.\d\d\.\d{4};offen;/.test(l)));
});

test('the invoice PDF names the invoice number, the municipality, its UID and the totals', async () => {
  const pdf = placed.mail.mail.attachments.find((a) => a.filename === `Rechnung-${placed.invoice}.pdf`);
  assert.ok(pdf, 'invoice attached');
  assert.equal(pdf.contentType, 'application/pdf');
  const text = pdfText(pdf.content);
  for (const s of [placed.invoice, 'Stadtgemeinde Musterstadt', 'ATU11223344', 'IT-Kommunal GmbH', 'ATU12345678',
    'DSGVO-Grundlagen für Gemeinden', '447,00 €', '1.045,00 €', 'USt 20 %', '209,00 €', '1.254,00 €',
    'AT61 1904 3002 3457 3201', 'GZ 4711/2026', 'Rechnungsempfänger', '14 Tagen']) {
    assert.ok(text.includes(s), `PDF shows ${s}\n${text}`);
  }
});

test('the database file holds none of the codes in plain text', () => {
  const db = path.join(srv.dir, 'voucher.db');
  const bytes = Buffer.concat([db, `${db}-wal`].filter((f) => fs.existsSync(f)).map((f) => fs.readFileSync(f)));
  for (const code of placed.codes) {
    const canon = code.slice(4).replace(/-/g, '');
    for (const form of [code, canon, canon.slice(0, 12), canon.slice(12)]) {
      assert.equal(bytes.indexOf(Buffer.from(form)), -1, `${form} found in the database`);
    }
  }
});

test('/bestellungen/{id}/codes.csv and rechnung.pdf give the same codes and invoice', async () => {
  const c = await admin();
  const csv = await c.get(`/bestellungen/${placed.id}/codes.csv`);
  assert.equal(csv.status, 200);
  assert.match(csv.headers.get('content-type'), /^text\/csv/);
  assert.match(csv.headers.get('content-disposition'), /attachment/);
  assert.deepEqual([...new Set(csv.text.match(CODE_RE))].sort(), [...placed.codes].sort());
  const res = await fetch(`${srv.baseUrl}/bestellungen/${placed.id}/rechnung.pdf`, { headers: { cookie: c.cookieHeader() } });
  assert.equal(res.status, 200);
  assert.equal(res.headers.get('content-type'), 'application/pdf');
  const text = pdfText(Buffer.from(await res.arrayBuffer()));
  assert.ok(text.includes(placed.invoice) && text.includes('1.254,00 €'));
});

test('a recipient (name and e-mail) per code is kept and shown, with "gespeichert"', async () => {
  const c = await admin();
  const page = await c.get(`/bestellungen/${placed.id}`);
  const input = tags(page.text, 'input').find((t) => t.attrs.name === 'name');
  const vid = input.attrs.id.replace('name-', '');
  assert.ok(page.text.includes(`<label for="name-${vid}">Name`), 'name labelled');
  assert.ok(page.text.includes(`<label for="email-${vid}">E-Mail`), 'e-mail labelled');
  const res = await c.post(`/bestellungen/codes/${vid}`, { csrf: csrfFrom(page.text), name: 'Maria <Muster>', email: 'maria@bauamt.at' });
  assert.equal(res.status, 303);
  assert.equal(res.headers.get('location'), `/bestellungen/${placed.id}?hinweis=gespeichert&code_id=${vid}#code-${vid}`);
  const after = await c.get(res.headers.get('location'));
  assert.equal(tags(after.text, 'input').find((t) => t.attrs.id === `name-${vid}`).attrs.value, 'Maria <Muster>');
  assert.ok(after.text.includes('Maria &lt;Muster&gt;'), 'escaped');
  const row = after.text.match(new RegExp(`<tr id="code-${vid}">[\\s\\S]*?</tr>`))[0];
  assert.match(textOf(row), /zugewiesen gespeichert/);
  assert.equal((await c.post(`/bestellungen/codes/${vid}`, { name: 'x', email: 'x@y.at' })).status, 403, 'without csrf');
});

test('another municipality\'s order answers 404 and is not listed', async () => {
  const c = await admin('gemeinde2');
  for (const p of [`/bestellungen/${placed.id}`, `/bestellungen/${placed.id}/codes.csv`,
    `/bestellungen/${placed.id}/rechnung.pdf`, '/bestellungen/999999', '/bestellungen/abc']) {
    assert.equal((await c.get(p)).status, 404, p);
  }
  const list = await c.get('/bestellungen');
  assert.equal(list.status, 200);
  assert.ok(!list.text.includes(placed.invoice));
  const own = await c.get(`/bestellungen/${placed.id}`);
  assert.ok(!CODE_RE.test(own.text));
  const page = await (await admin()).get(`/bestellungen/${placed.id}`);
  const vid = tags(page.text, 'input').find((t) => t.attrs.name === 'name').attrs.id.replace('name-', '');
  const res = await c.post(`/bestellungen/codes/${vid}`, { csrf: csrfFrom(list.text), name: 'fremd', email: 'f@x.at' });
  assert.equal(res.status, 404, 'recipient of a foreign code');
});

test('"Ändern" on the review goes back to the form with every quantity and the reference kept; nothing ordered', async () => {
  const c = await admin();
  const before = await countOrders(c);
  const { csrf, order_token } = await openForm(c);
  const review = await c.post('/bestellen', {
    csrf, order_token, 'qty_dsgvo-grundlagen': '3', 'qty_digitales-amt': '2', reference: 'GZ 13/2026',
  });
  assert.equal(review.status, 200);
  const back = await c.post('/bestellen', formFields(review.text, 'Ändern'));
  assert.equal(back.status, 200, textOf(back.text).slice(0, 500));
  const inputs = Object.fromEntries(tags(back.text, 'input').filter((t) => t.attrs.name).map((t) => [t.attrs.name, t.attrs.value]));
  assert.equal(inputs['qty_dsgvo-grundlagen'], '3');
  assert.equal(inputs['qty_digitales-amt'], '2');
  assert.equal(inputs['qty_informationssicherheit'], '0');
  assert.equal(inputs.reference, 'GZ 13/2026');
  assert.equal(inputs.order_token, order_token, 'the same order, not a second one');
  assert.ok(!('confirm' in inputs), 'the form, not a confirmation');
  assert.equal(await countOrders(c), before, 'nothing ordered');
  // Changed and reviewed again, it is placed once with the new quantities.
  const again = await c.post('/bestellen', { ...inputs, 'qty_dsgvo-grundlagen': '4' });
  const confirm = Object.fromEntries(formFields(again.text, 'Zahlungspflichtig bestellen'));
  assert.equal(confirm['qty_dsgvo-grundlagen'], '4');
  const res = await c.post('/bestellen', confirm);
  assert.equal(res.status, 303);
  assert.equal(await countOrders(c), before + 1);
});

// ---------------------------------------------------------------------------
// one order per confirmation

async function countOrders(c) {
  return [...(await c.get('/bestellungen')).text.matchAll(/href="\/bestellungen\/\d+"/g)].length;
}

test('a confirmation sent twice (and twice at once) places one order and sends one mail', async () => {
  const c = await admin();
  const before = await countOrders(c);
  const { res, confirm } = await order(c, { buergerservice: 1 });
  const again = await c.post('/bestellen', confirm);
  const [x, y] = await Promise.all([c.post('/bestellen', confirm), c.post('/bestellen', confirm)]);
  for (const r of [again, x, y]) {
    assert.equal(r.status, 303);
    assert.equal(r.headers.get('location'), res.headers.get('location'));
  }
  assert.equal(await countOrders(c), before + 1);
  const invoice = invoiceOf((await c.get(res.headers.get('location'))).text);
  await mailFor(invoice);
  // The outbox holds one message for the order and it is marked sent: nothing more will go out.
  const rows = await until(() => {
    const r = sql(srv, `SELECT sent_at IS NOT NULL FROM outbox WHERE subject LIKE '%${invoice}%'`);
    return r.length > 0 && r.every(([sent]) => sent === '1') && r;
  }, { what: 'the order mail marked sent' });
  assert.equal(rows.length, 1, 'one message queued');
  const copies = smtp.messages.filter((m) => m.mail.subject.includes(invoice));
  assert.equal(new Set(copies.map((m) => m.mail.messageId)).size, 1, 'one message');
  const rcpts = copies.flatMap((m) => m.envelope.rcptTo.map((r) => r.address));
  assert.equal(new Set(rcpts).size, rcpts.length, 'each recipient once');
});

test('concurrent first confirmations of one form place one order', async () => {
  const c = await admin();
  const before = await countOrders(c);
  const { csrf, order_token } = await openForm(c);
  const fields = { csrf, order_token, 'qty_informationssicherheit': '2', confirm: '1' };
  const results = await Promise.all([1, 2, 3, 4].map(() => c.post('/bestellen', fields)));
  const locations = new Set(results.map((r) => r.headers.get('location')));
  assert.deepEqual(results.map((r) => r.status), [303, 303, 303, 303]);
  assert.equal(locations.size, 1);
  assert.equal(await countOrders(c), before + 1);
});

test('a confirmation posted without order_token twice still places one order', async () => {
  const c = await admin();
  const before = await countOrders(c);
  const { csrf } = await openForm(c);
  const fields = { csrf, 'qty_verwaltungsverfahren': '1', reference: 'ohne Token', confirm: '1' };
  const first = await c.post('/bestellen', fields);
  const second = await c.post('/bestellen', fields);
  assert.equal(first.status, 303);
  assert.equal(second.headers.get('location'), first.headers.get('location'));
  assert.equal(await countOrders(c), before + 1);
});

test('voucherctl order add prints the order and one line per code, and the mail follows', async () => {
  const r = srv.ctl(['order', 'add', '--username', 'gemeinde', '--item', 'dsgvo-grundlagen=2', '--reference', 'CLI']);
  assert.equal(r.code, 0, r.stderr);
  const lines = r.stdout.trim().split('\n');
  const [, id, invoice] = lines[0].match(/^order (\d+) (RE-\d{4}-\d{6})$/);
  assert.ok(Number(id) > 0);
  assert.equal(lines.length, 3);
  for (const l of lines.slice(1)) assert.match(l, /^dsgvo-grundlagen\tSBA-[0-9A-Z]{6}(-[0-9A-Z]{6}){3}$/);
  const m = await mailFor(invoice);
  assert.equal(m.mail.text.match(CODE_RE).length, 2);
  const send = srv.ctl(['mail', 'send']);
  assert.equal(send.code, 0, send.stderr);
  assert.match(send.stdout, /^0 sent, 0 failed$/m);
});

// ---------------------------------------------------------------------------
// SMTP down

test('with the SMTP server down the order succeeds and the mail arrives once when it is back', async () => {
  const port = await freePort();
  const down = await startServer({ smtpUrl: `smtp://127.0.0.1:${port}`, extraConf: { mail: { retry_base_seconds: 1 } } });
  let late;
  try {
    const c = new Client(down.baseUrl);
    assert.equal((await login(c, 'gemeinde', PW)).status, 303);
    const { csrf, order_token } = await openForm(c);
    const res = await c.post('/bestellen', { csrf, order_token, 'qty_dsgvo-grundlagen': '1', confirm: '1' });
    assert.equal(res.status, 303, 'the order does not wait for the mail server');
    const page = await c.get(res.headers.get('location'));
    const invoice = invoiceOf(page.text);
    await until(() => sql(down, `SELECT attempts > 0 AND last_error <> '' FROM outbox
      WHERE subject LIKE '%${invoice}%'`)[0]?.[0] === '1', { what: 'a failed delivery attempt', ms: 30000 });
    late = await startSmtp(port);
    const m = await late.waitFor((x) => x.mail.subject.includes(invoice), 30000);
    assert.deepEqual([...m.mail.text.match(CODE_RE)], [...page.text.match(CODE_RE)].slice(0, 1));
    const send = down.ctl(['mail', 'send']);
    assert.equal(send.code, 0, send.stderr);
    await until(() => sql(down, `SELECT count(*) FROM outbox WHERE subject LIKE '%${invoice}%'
      AND sent_at IS NOT NULL`)[0]?.[0] === '1', { what: 'the mail marked sent' });
    assert.match(send.stdout, /^0 sent, 0 failed$/m, 'the manual run finds nothing left to send');
    // One transfer per recipient: each address got it exactly once.
    const rcpts = late.messages.flatMap((x) => x.envelope.rcptTo.map((r) => r.address)).sort();
    assert.deepEqual(rcpts, m.mail.to.value.map((a) => a.address).sort(), 'delivered exactly once to each');
  } finally {
    await down.stop();
    if (late) await late.close();
  }
}, { timeout: 90000 });

test('an order of 450 codes shows them 200 per page; a saved recipient keeps its page; support lists the first 200', async () => {
  const r = srv.ctl(['order', 'add', '--username', 'gemeinde', '--item', 'dsgvo-grundlagen=450']);
  assert.equal(r.code, 0, r.stderr);
  const [head, ...lines] = r.stdout.trim().split('\n');
  const orderId = Number(head.split(' ')[1]);
  assert.equal(lines.length, 450);
  const c = await admin();
  const rows = (html) => tags(html, 'tr').filter((t) => /^code-\d+$/.test(t.attrs.id ?? '')).length;

  const first = await c.get(`/bestellungen/${orderId}`);
  assert.equal(first.status, 200);
  assert.equal(rows(first.text), 200);
  assert.match(textOf(first.text), /Codes 1 bis 200 von 450 \(Seite 1 von 3\)/);
  assert.ok(first.text.includes(`href="/bestellungen/${orderId}?seite=2#codes"`), 'link to the next page');

  const last = await c.get(`/bestellungen/${orderId}?seite=3`);
  assert.equal(rows(last.text), 50);
  assert.match(textOf(last.text), /Codes 401 bis 450 von 450/);
  assert.ok(last.text.includes(lines[449].split('\t')[1]), 'the last code is on the last page');
  assert.equal(rows((await c.get(`/bestellungen/${orderId}?seite=99`)).text), 50, 'a page past the end shows the last');

  const voucherId = tags(last.text, 'tr').find((t) => /^code-\d+$/.test(t.attrs.id ?? '')).attrs.id.slice(5);
  const saved = await c.post(`/bestellungen/codes/${voucherId}`, { csrf: csrfFrom(last.text), name: 'Sachbearbeitung', email: 'sb@musterstadt.at', seite: '3' });
  assert.equal(saved.status, 303);
  assert.equal(saved.headers.get('location'), `/bestellungen/${orderId}?hinweis=gespeichert&code_id=${voucherId}&seite=3#code-${voucherId}`);

  const s = new Client(srv.baseUrl);
  assert.equal((await login(s, 'support', PW)).status, 303);
  const invoice = head.split(' ')[2];
  const support = await s.get(`/support?q=${invoice}`);
  assert.equal(support.status, 200);
  assert.equal((support.text.match(CODE_RE) ?? []).length >= 200, true);
  assert.match(textOf(support.text), /Codes 1 bis 200 von 450 \(Seite 1\)/);
  const next = tags(support.text, 'a').find((a) => a.attrs.rel === 'next')?.attrs.href;
  assert.equal(next, `/support?q=${invoice}&seite=2`, 'support pages the codes too');
  const third = await s.get(next.replace('seite=2', 'seite=3'));
  assert.match(textOf(third.text), /Codes 401 bis 450 von 450 \(Seite 3\)/);
  assert.ok(third.text.includes(lines[449].split('\t')[1]), 'the last code on the last support page');
});

test('a failure half-way through a page becomes a clean 500 page in the layout, not a broken page', async () => {
  const r = srv.ctl(['order', 'add', '--username', 'gemeinde', '--item', 'dsgvo-grundlagen=2']);
  assert.equal(r.code, 0, r.stderr);
  const orderId = Number(r.stdout.split(' ')[1]);
  // A sealed code that no longer opens (as with a wrong key file): the page cannot be completed.
  const broken = spawnSync('sqlite3', [path.join(srv.dir, 'voucher.db'),
    `UPDATE vouchers SET code_sealed = zeroblob(64) WHERE id = (SELECT max(id) FROM vouchers WHERE order_id = ${orderId})`],
  { encoding: 'utf8' });
  assert.equal(broken.status, 0, broken.stderr);
  const c = await admin();
  const res = await c.get(`/bestellungen/${orderId}`);
  assert.equal(res.status, 500);
  assert.match(res.headers.get('content-type'), /^text\/html/);
  assert.match(textOf(res.text), /Interner Fehler/);
  assert.ok(res.text.includes('class="btn-redeem"'), 'in the layout');
  assert.equal(res.text.match(CODE_RE), null, 'nothing of the half-built page');
  assert.match(res.headers.get('content-security-policy') ?? '', /frame-ancestors 'none'/);
});
