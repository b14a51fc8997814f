// Certificates through nginx + voucherd: recording completions three ways
// (voucherctl completions import, the support form, the LMS's JSON endpoint
// with a bearer token), the PDF for its holder only, the link in Meine
// Kurse, and the public verification page.  One behaviour per test case.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { assertEveryErrorAtItsField } from '../lib/forms.mjs';
import { startServer } from '../lib/server.mjs';
import { Client, csrfFrom, links, login, tags, textOf } from '../lib/http.mjs';
import { pdfText } from '../lib/pdf.mjs';
import { sql, sqlValue, order, redeemExisting } from '../lib/redeem.mjs';

let TOKEN; // made by `voucherctl api-token add` in before()
const PW = 'ein-gutes-passwort';
const NUMBER_RE = /^Z-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}$/;

let srv;
let seq = 0;

before(async () => {
  srv = await startServer();
  const made = srv.ctl(['api-token', 'add', 'certs-test']);
  assert.equal(made.code, 0, made.stderr);
  TOKEN = made.stdout.trim();
}, { timeout: 120000 });

after(async () => {
  if (srv) await srv.stop();
}, { timeout: 30000 });

/** A new account of role user in Musterstadt (password PW): its username. */
function newUser(first = 'Clara', last = 'Certa') {
  const username = `cert${++seq}`;
  const r = srv.ctl(['user', 'add', '--username', username, '--email', `${username}@musterstadt.gv.at`,
    '--first-name', first, '--last-name', last, '--role', 'user', '--tenant', '30604'], { input: `${PW}\n` });
  assert.equal(r.code, 0, r.stderr);
  return username;
}

/**
 * Enrolls the user in the course the way people do: a code ordered and
 * redeemed; the enrollment is then dated 2024-06-01 (the tests record
 * completions in 2025, and a completion before the enrollment is refused).
 */
async function enroll(username, slug = 'dsgvo-grundlagen') {
  const [v] = order(srv, `${slug}=1`);
  const res = await redeemExisting(srv, username, v.code);
  assert.equal(res.status, 200, textOf(res.text).slice(0, 400));
  sql(srv, `UPDATE enrollments SET enrolled_at = strftime('%s', '2024-06-01') WHERE voucher_id = ${v.id}`);
}

const completedOn = (username, slug) => sqlValue(srv, `SELECT coalesce(e.completed_on, 'null') FROM enrollments e
  JOIN accounts a ON a.id = e.account_id JOIN catalog_items c ON c.id = e.course_id
  WHERE a.username = '${username}' AND c.slug = '${slug}'`);
const certificateOf = (username, slug = 'dsgvo-grundlagen') => {
  const [row] = sql(srv, `SELECT z.id, z.number, z.holder_name, z.course_title, z.hours, z.completed_on
    FROM certificates z JOIN enrollments e ON e.id = z.enrollment_id JOIN accounts a ON a.id = e.account_id
    JOIN catalog_items c ON c.id = e.course_id WHERE a.username = '${username}' AND c.slug = '${slug}'`);
  return row && { id: Number(row[0]), number: row[1], holder: row[2], course: row[3], hours: Number(row[4]),
    completedOn: row[5] };
};

function importCsv(text) {
  const file = path.join(srv.dir, `completions-${++seq}.csv`);
  fs.writeFileSync(file, text);
  return srv.ctl(['completions', 'import', file]);
}

const HEADER = 'username,course,completed_on\n';

/** POST /api/v1/completions as the LMS. */
function api(body, { token = TOKEN, base = srv.baseUrl } = {}) {
  const headers = { 'content-type': 'application/json' };
  if (token !== null) headers.authorization = `Bearer ${token}`;
  return fetch(`${base}/api/v1/completions`, { method: 'POST', headers, body: typeof body === 'string' ? body
    : JSON.stringify(body), signal: AbortSignal.timeout(15000) });
}

async function loggedIn(username, password = PW) {
  const c = new Client(srv.baseUrl);
  const res = await login(c, username, password);
  assert.equal(res.status, 303, `login ${username}`);
  return c;
}

/** A user with a completed course (through the import): {username, cert}. */
async function completedUser(first, last) {
  const username = newUser(first, last);
  await enroll(username);
  const r = importCsv(`${HEADER}${username},dsgvo-grundlagen,2025-01-15\n`);
  assert.equal(r.code, 0, r.stderr);
  return { username, cert: certificateOf(username) };
}

// ---------------------------------------------------------------------------
// voucherctl completions import

test('completions import records each line and issues a certificate with a snapshot', async () => {
  const a = newUser('Anna', 'Abschluss');
  const b = newUser('Bernd', 'Beendet');
  await enroll(a);
  await enroll(b, 'informationssicherheit');
  const r = importCsv(`${HEADER}${a},dsgvo-grundlagen,2025-01-10\n\n${b},informationssicherheit,2025-12-01\n`);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /2 Abschlüsse erfasst/);
  assert.equal(completedOn(a, 'dsgvo-grundlagen'), '2025-01-10');
  const cert = certificateOf(b, 'informationssicherheit');
  assert.match(cert.number, NUMBER_RE);
  assert.deepEqual([cert.holder, cert.course, cert.hours, cert.completedOn],
    ['Bernd Beendet', 'Informationssicherheit im Gemeindeamt', 4, '2025-12-01']);
});

test('completions import of the same file again changes nothing and keeps the number', async () => {
  const { username, cert } = await completedUser();
  const r = importCsv(`${HEADER}${username},dsgvo-grundlagen,2025-01-15\n`);
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(certificateOf(username), cert);
});

test('a completion dated before the enrollment or in the future is refused everywhere, and nothing is recorded', async () => {
  const u = newUser();
  await enroll(u); // enrolled on 2024-06-01
  const r = importCsv(`${HEADER}${u},dsgvo-grundlagen,2024-05-31\n`);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /Zeile 2: Das Abschlussdatum liegt vor der Einschreibung in den Kurs am 01\.06\.2024/);
  const res = await api({ username: u, course: 'dsgvo-grundlagen', completed_on: '2024-01-01' });
  assert.equal(res.status, 422);
  assert.match((await res.json()).error, /vor der Einschreibung/);
  const tomorrow = new Date(Date.now() + 2 * 86400000).toISOString().slice(0, 10);
  const future = await api({ username: u, course: 'dsgvo-grundlagen', completed_on: tomorrow });
  assert.equal(future.status, 422);
  const c = await loggedIn('support', 'demo-passwort');
  const form = await c.get('/support/abschluss');
  const page = await c.post('/support/abschluss', { csrf: csrfFrom(form.text), username: u, course: 'dsgvo-grundlagen',
    completed_on: '2024-05-31' });
  assert.equal(page.status, 422);
  assert.match(textOf(page.text), /vor der Einschreibung/);
  assert.equal(completedOn(u, 'dsgvo-grundlagen'), 'null');
  assert.equal(certificateOf(u), undefined);
  assert.equal(importCsv(`${HEADER}${u},dsgvo-grundlagen,2024-06-01\n`).code, 0, 'the day of the enrollment is fine');
});

test('completions import: a bad line changes nothing and names its physical line', async () => {
  const a = newUser();
  const b = newUser();
  await enroll(a);
  await enroll(b);
  const before = sqlValue(srv, 'SELECT count(*) FROM certificates');
  const r = importCsv(`${HEADER}${a},dsgvo-grundlagen,2025-01-10\n\n${b},dsgvo-grundlagen,2999-01-01\n`);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /Zeile 4: .*Datum/);
  assert.equal(completedOn(a, 'dsgvo-grundlagen'), 'null', 'the good line before it is not recorded');
  assert.equal(sqlValue(srv, 'SELECT count(*) FROM certificates'), before);
});

test('completions import refuses a user not enrolled, an unknown user, an unknown course, a bad header', () => {
  const u = newUser();
  const cases = [
    [`${HEADER}${u},dsgvo-grundlagen,2025-01-10\n`, /Zeile 2: .*nicht im Kurs dsgvo-grundlagen eingeschrieben/],
    [`${HEADER}niemand-hier,dsgvo-grundlagen,2025-01-10\n`, /Zeile 2: unbekannter Benutzername niemand-hier/],
    [`${HEADER}${u},kein-kurs,2025-01-10\n`, /Zeile 2: unbekannter Kurs kein-kurs/],
    [`${HEADER}${u},digitales-amt,2025-01-10\n`, /Zeile 2: unbekannter Kurs digitales-amt/],
    [`${HEADER}${u},dsgvo-grundlagen,10.01.2025\n`, /Zeile 2: .*JJJJ-MM-TT/],
    [`${HEADER}${u},dsgvo-grundlagen\n`, /Zeile 2: 3 Spalten/],
    ['user,course,date\n', /Zeile 1: Kopfzeile/],
  ];
  for (const [csv, message] of cases) {
    const r = importCsv(csv);
    assert.equal(r.code, 1, csv);
    assert.match(r.stderr, message, csv);
  }
});

test('completions import: a different date for a completed course is refused', async () => {
  const { username, cert } = await completedUser();
  const r = importCsv(`${HEADER}${username},dsgvo-grundlagen,2025-01-16\n`);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /Zeile 2: Kurs ist bereits mit Datum 2025-01-15 abgeschlossen/);
  assert.deepEqual(certificateOf(username), cert);
});

// ---------------------------------------------------------------------------
// the LMS endpoint

test('POST /api/v1/completions without a token or with a wrong one answers 401 in JSON', async () => {
  const u = newUser();
  await enroll(u);
  const body = { username: u, course: 'dsgvo-grundlagen', completed_on: '2025-02-01' };
  for (const token of [null, 'wrong-token', `${TOKEN}x`, '']) {
    const res = await api(body, { token });
    assert.equal(res.status, 401, `token ${token}`);
    assert.match(res.headers.get('content-type'), /^application\/json/);
    assert.ok((await res.json()).error);
  }
  assert.equal(completedOn(u, 'dsgvo-grundlagen'), 'null');
});

test('POST /api/v1/completions with the token records the completion and answers the number', async () => {
  const u = newUser();
  await enroll(u);
  const res = await api({ username: u, course: 'dsgvo-grundlagen', completed_on: '2025-02-01' });
  assert.equal(res.status, 200);
  const json = await res.json();
  assert.equal(json.status, 'ok');
  assert.match(json.certificate, NUMBER_RE);
  assert.equal(certificateOf(u).number, json.certificate);
  const again = await api({ username: u, course: 'dsgvo-grundlagen', completed_on: '2025-02-01' });
  assert.equal((await again.json()).certificate, json.certificate, 'sent twice: the same certificate');
});

test('POST /api/v1/completions decodes JSON escapes', async () => {
  const u = newUser();
  await enroll(u);
  const body = `{"username":"${u.replace('c', '\\u0063')}", "course" : "dsgvo\\u002dgrundlagen",\n"completed_on":"2025-02-02"}`;
  const res = await api(body);
  assert.equal(res.status, 200, await res.clone().text());
  assert.equal(completedOn(u, 'dsgvo-grundlagen'), '2025-02-02');
});

test('POST /api/v1/completions with malformed JSON answers 400 in JSON', async () => {
  for (const body of ['{"username": "a"', '[]', '{"username": 1}', '{"a":{"b":"c"}}', 'username=a', '']) {
    const res = await api(body);
    assert.equal(res.status, 400, body);
    assert.ok((await res.json()).error, body);
  }
});

test('POST /api/v1/completions refuses missing fields with 422, a user not enrolled with 409', async () => {
  const u = newUser();
  const missing = await api({ username: u });
  assert.equal(missing.status, 422);
  assert.ok((await missing.json()).error.length > 10);
  const notEnrolled = await api({ username: u, course: 'dsgvo-grundlagen', completed_on: '2025-02-01' });
  assert.equal(notEnrolled.status, 409);
  assert.match((await notEnrolled.json()).error, /nicht im Kurs/);
});

test('POST /api/v1/completions answers 404 for an unknown user or course, 409 for another date', async () => {
  const u = newUser();
  await enroll(u);
  for (const body of [{ username: 'gibt-es-nicht', course: 'dsgvo-grundlagen', completed_on: '2025-02-01' },
    { username: u, course: 'gibt-es-nicht', completed_on: '2025-02-01' }]) {
    const res = await api(body);
    assert.equal(res.status, 404, JSON.stringify(body));
    assert.ok((await res.json()).error);
  }
  assert.equal((await api({ username: u, course: 'dsgvo-grundlagen', completed_on: '2025-02-01' })).status, 200);
  const other = await api({ username: u, course: 'dsgvo-grundlagen', completed_on: '2025-02-03' });
  assert.equal(other.status, 409);
  assert.match((await other.json()).error, /bereits/);
});

test('the old POST /api/completions is gone (404 in JSON)', async () => {
  const res = await fetch(`${srv.baseUrl}/api/completions`, { method: 'POST', headers: {
    'content-type': 'application/json', authorization: `Bearer ${TOKEN}` }, body: '{}' });
  assert.equal(res.status, 404);
  assert.ok((await res.json()).error);
});

test('a config that still names [lms] api_token is refused with a message saying what replaced it', () => {
  const r = srv.ctl(['config'], { env: { VOUCHER_LMS_API_TOKEN: 'altes-geheimnis' } });
  assert.equal(r.code, 1);
  assert.match(r.stderr, /api_token was removed.*voucherctl api-token add NAME/);
  assert.doesNotMatch(r.stderr + r.stdout, /altes-geheimnis/);
});

test('a form POST to /api/v1/completions with a session but no token is refused', async () => {
  const c = await loggedIn('support', 'demo-passwort');
  const res = await c.post('/api/v1/completions', { username: 'x', course: 'y', completed_on: '2025-01-01' });
  assert.equal(res.status, 401);
});

// ---------------------------------------------------------------------------
// the support form

test('GET /support/abschluss: guests go to the login, users and tenant admins get 403', async () => {
  const guest = await new Client(srv.baseUrl).get('/support/abschluss');
  assert.equal(guest.status, 303);
  assert.equal(guest.headers.get('location'), '/login?next=/support/abschluss');
  for (const who of ['mitarbeiterin', 'gemeinde']) {
    const c = await loggedIn(who, 'demo-passwort');
    assert.equal((await c.get('/support/abschluss')).status, 403, who);
    assert.equal((await c.post('/support/abschluss', { csrf: csrfFrom((await c.get('/meine-kurse')).text) || 'x',
      username: 'x', course: 'y', completed_on: '2025-01-01' })).status, 403, who);
  }
});

test('POST /support/abschluss without a valid csrf field answers 403 and records nothing', async () => {
  const u = newUser();
  await enroll(u);
  const c = await loggedIn('support', 'demo-passwort');
  const res = await c.post('/support/abschluss', { username: u, course: 'dsgvo-grundlagen', completed_on: '2025-01-05' });
  assert.equal(res.status, 403);
  assert.equal(completedOn(u, 'dsgvo-grundlagen'), 'null');
});

test('support and admin record a completion through the form; the audit log has it', async () => {
  for (const who of ['support', 'admin']) {
    const u = newUser();
    await enroll(u);
    const c = await loggedIn(who, 'demo-passwort');
    const first = await c.get('/support/abschluss');
    assert.equal(first.status, 200);
    assert.ok(first.text.includes('<label for="username">'));
    const page = await c.get(`/support/abschluss?username=${u}`);
    assert.equal(page.status, 200);
    for (const id of ['username', 'course', 'completed_on']) assert.ok(page.text.includes(`<label for="${id}">`));
    const res = await c.post('/support/abschluss', { csrf: csrfFrom(page.text), username: u,
      course: 'dsgvo-grundlagen', completed_on: '2025-01-05' });
    assert.equal(res.status, 200, textOf(res.text).slice(0, 500));
    const number = certificateOf(u).number;
    assert.ok(textOf(res.text).includes(`Zertifikat ${number} ist ausgestellt`), who);
    assert.equal(sqlValue(srv, `SELECT count(*) FROM audit_log WHERE action = 'completion'
      AND account_id = (SELECT id FROM accounts WHERE username = '${who}') AND detail LIKE '${number}%via form'`), '1');
  }
});

test('the support form offers the person\'s open courses by title to choose from, never a typed slug', async () => {
  const u = newUser();
  await enroll(u, 'dsgvo-grundlagen');
  await enroll(u, 'buergerservice');
  const done = newUser();
  const c = await loggedIn('support', 'demo-passwort');
  const page = await c.get(`/support/abschluss?username=${u}`);
  assert.ok(!tags(page.text, 'input').some((t) => t.attrs.name === 'course'), 'no text field for the course');
  const options = [...page.text.matchAll(/<option value="([^"]*)"[^>]*>([^<]*)<\/option>/g)].map((m) => [m[1], m[2]]);
  assert.deepEqual(options.map((o) => o[0]), ['buergerservice', 'dsgvo-grundlagen']);
  assert.match(options[1][1], /^DSGVO-Grundlagen für Gemeinden \(eingeschrieben am 01\.06\.2024\)$/);
  assert.equal(importCsv(`${HEADER}${u},buergerservice,2025-01-05\n`).code, 0);
  const after = await c.get(`/support/abschluss?username=${u}`);
  assert.doesNotMatch(after.text, /value="buergerservice"/, 'a completed course is no longer offered');
  assert.match(textOf((await c.get(`/support/abschluss?username=${done}`)).text), /keinen offenen Kurs/);
  const unknown = await c.get('/support/abschluss?username=gibt-es-nicht');
  assert.match(textOf(unknown.text), /kein Konto mit dem Benutzernamen „gibt-es-nicht“/);
});

test('the support form re-shows the values and the reason when it refuses', async () => {
  const u = newUser();
  const c = await loggedIn('support', 'demo-passwort');
  const page = await c.get('/support/abschluss');
  const res = await c.post('/support/abschluss', { csrf: csrfFrom(page.text), username: u,
    course: 'dsgvo-grundlagen', completed_on: '2025-01-05' });
  assert.equal(res.status, 422);
  assert.match(textOf(res.text), /nicht im Kurs dsgvo-grundlagen eingeschrieben/);
  assert.ok(res.text.includes(`value="${u}"`));
  await enroll(u, 'dsgvo-grundlagen');
  await enroll(u, 'buergerservice');
  const again = await c.post('/support/abschluss', { csrf: csrfFrom(page.text), username: u,
    course: 'dsgvo-grundlagen', completed_on: '2024-05-01' });
  assert.equal(again.status, 422);
  assert.match(textOf(again.text), /vor der Einschreibung/);
  assert.ok(again.text.includes('value="2024-05-01"'), 'the date is shown again');
  assert.match(again.text, /<option value="dsgvo-grundlagen" selected>/, 'the chosen course stays chosen');
});

test('the support form names a missing course and a future or malformed date together, each at its input', async () => {
  const u = newUser();
  await enroll(u, 'dsgvo-grundlagen');
  const c = await loggedIn('support', 'demo-passwort');
  const page = await c.get(`/support/abschluss?username=${u}`);
  const future = await c.post('/support/abschluss', { csrf: csrfFrom(page.text), username: u, course: '',
    completed_on: '2999-01-01' });
  assertEveryErrorAtItsField(future, [['course', 'course-error', /Bitte wählen Sie den Kurs/],
    ['completed_on', 'completed_on-error', /nicht in der Zukunft/]]);
  const malformed = await c.post('/support/abschluss', { csrf: csrfFrom(page.text), username: u, course: '',
    completed_on: '5.1.2025' });
  assertEveryErrorAtItsField(malformed, [['course', 'course-error', /Kurs/],
    ['completed_on', 'completed_on-error', /JJJJ-MM-TT/]]);
  const before = await c.post('/support/abschluss', { csrf: csrfFrom(page.text), username: u,
    course: 'dsgvo-grundlagen', completed_on: '2024-05-01' });
  assertEveryErrorAtItsField(before, [['completed_on', 'completed_on-error', /vor der Einschreibung/]],
    [['course', 'course-error']]);
  assert.equal(completedOn(u, 'dsgvo-grundlagen'), 'null', 'nothing recorded');
});

// ---------------------------------------------------------------------------
// Meine Kurse and the PDF

test('Meine Kurse links the certificate of a completed course, not of an open one', async () => {
  const { username, cert } = await completedUser();
  await enroll(username, 'buergerservice');
  const c = await loggedIn(username);
  const page = await c.get('/meine-kurse');
  const certLinks = links(page.text).filter((l) => l.text.startsWith('Zertifikat (PDF)'));
  assert.deepEqual(certLinks.map((l) => l.href), [`/zertifikat/${cert.id}.pdf`]);
  assert.match(certLinks[0].text, /für DSGVO-Grundlagen/);
  assert.match(textOf(page.text), /abgeschlossen am 15\.01\.2025/);
});

test('the holder downloads the PDF: name, course, hours, date, municipality, number, check address', async () => {
  const { username, cert } = await completedUser('Zoë', 'Österreicher');
  const c = await loggedIn(username);
  const res = await fetch(`${srv.baseUrl}/zertifikat/${cert.id}.pdf`, { headers: { cookie: c.cookieHeader() } });
  assert.equal(res.status, 200);
  assert.equal(res.headers.get('content-type'), 'application/pdf');
  const text = pdfText(Buffer.from(await res.arrayBuffer()));
  for (const s of ['Zertifikat', 'Zoë Österreicher', 'DSGVO-Grundlagen für Gemeinden', '8 Stunden', '15.01.2025',
    'Stadtgemeinde Musterstadt', cert.number, `Prüfen unter ${srv.baseUrl}/zertifikat/pruefen?nr=${cert.number}`]) {
    assert.ok(text.includes(s), `PDF has ${s}\n${text}`);
  }
});

test('anyone but the holder gets 404 for a certificate; guests go to the login', async () => {
  const { cert } = await completedUser();
  for (const who of ['mitarbeiterin', 'support', 'admin']) {
    const c = await loggedIn(who, 'demo-passwort');
    assert.equal((await c.get(`/zertifikat/${cert.id}.pdf`)).status, 404, who);
  }
  const c = await loggedIn('mitarbeiterin', 'demo-passwort');
  for (const p of ['/zertifikat/999999.pdf', '/zertifikat/0.pdf', '/zertifikat/abc.pdf']) {
    assert.equal((await c.get(p)).status, 404, p);
  }
  assert.equal((await new Client(srv.baseUrl).get(`/zertifikat/${cert.id}.pdf`)).status, 303);
});

// ---------------------------------------------------------------------------
// the public verification page

test('GET /zertifikat/pruefen shows a labelled form', async () => {
  const res = await new Client(srv.baseUrl).get('/zertifikat/pruefen');
  assert.equal(res.status, 200);
  assert.ok(res.text.includes('<label for="nr">'));
  assert.doesNotMatch(textOf(res.text), /nicht gefunden|ist echt/);
});

test('the verification page confirms a genuine certificate with holder, course and date', async () => {
  const { cert } = await completedUser('Vera', 'Verifiziert');
  const res = await new Client(srv.baseUrl).get(`/zertifikat/pruefen?nr=${cert.number}`);
  assert.equal(res.status, 200);
  const text = textOf(res.text);
  assert.match(text, /Dieses Zertifikat ist echt/);
  for (const s of ['Vera Verifiziert', 'DSGVO-Grundlagen für Gemeinden', '15.01.2025', cert.number]) {
    assert.ok(text.includes(s), s);
  }
});

test('a name corrected at /konto shows on the verification page and the PDF; the number stays', async () => {
  const { username, cert } = await completedUser('Rita', 'Tippfehlr');
  const c = await loggedIn(username);
  const page = await c.get('/konto');
  const saved = await c.post('/konto', { csrf: csrfFrom(page.text), first_name: 'Rita', last_name: 'Tippfehler',
    email: `${username}@musterstadt.gv.at` });
  assert.equal(saved.status, 200);
  const check = textOf((await new Client(srv.baseUrl).get(`/zertifikat/pruefen?nr=${cert.number}`)).text);
  assert.ok(check.includes('Rita Tippfehler'), 'the name as it is now');
  assert.ok(!check.includes('Rita Tippfehlr'));
  const pdf = await fetch(`${srv.baseUrl}/zertifikat/${cert.id}.pdf`, { headers: { cookie: c.cookieHeader() } });
  assert.equal(pdf.status, 200);
  assert.ok(pdfText(Buffer.from(await pdf.arrayBuffer())).includes('Rita Tippfehler'), 'the PDF too');
  assert.equal(certificateOf(username).number, cert.number, 'the number is kept');
});

test('the verification page accepts the number in lower case, without dashes, with O/I/L mix-ups', async () => {
  const { cert } = await completedUser();
  const bare = cert.number.slice(2).replaceAll('-', '');
  const typed = [bare.toLowerCase(), `z ${bare.slice(0, 6)} ${bare.slice(6)}`, `Z${bare}`,
    cert.number.replaceAll('0', 'O').replaceAll('1', 'l')];
  for (const nr of typed) {
    const res = await new Client(srv.baseUrl).get(`/zertifikat/pruefen?nr=${encodeURIComponent(nr)}`);
    assert.ok(textOf(res.text).includes(`Zertifikatsnummer ${cert.number}`), nr);
  }
});

test('the verification page says clearly when a number is not found', async () => {
  for (const nr of ['Z-0000-0000-0000', 'Z-1234', 'kein zertifikat']) {
    const res = await new Client(srv.baseUrl).get(`/zertifikat/pruefen?nr=${encodeURIComponent(nr)}`);
    assert.equal(res.status, 200);
    const text = textOf(res.text);
    assert.match(text, /Zertifikat nicht gefunden/, nr);
    assert.ok(text.includes(`Zur Nummer „${nr}“`), nr);
  }
});

test('names on the verification page are escaped', async () => {
  const { cert } = await completedUser('<script>alert(1)</script>', 'Test"');
  const res = await new Client(srv.baseUrl).get(`/zertifikat/pruefen?nr=${cert.number}`);
  assert.ok(!res.text.includes('<script>alert(1)</script>'));
  assert.ok(res.text.includes('&lt;script&gt;alert(1)&lt;/script&gt;'));
  const typed = await new Client(srv.baseUrl).get(`/zertifikat/pruefen?nr=${encodeURIComponent('<b>x</b>')}`);
  assert.ok(!typed.text.includes('<b>x</b>'));
});

// ---------------------------------------------------------------------------
// The public check, rate-limited per address: [limits] verify_max_failures
// wrong numbers within verify_window_seconds, then 429 for every look-up.

test('/zertifikat/pruefen: 60 concurrent wrong numbers get 5 answers and 55 × 429; valid numbers never count', async () => {
  const small = await startServer({ limits: { verify_max_failures: 5, verify_window_seconds: 900 } });
  try {
    const [v] = order(small, 'dsgvo-grundlagen=1');
    assert.equal((await redeemExisting(small, 'mitarbeiterin', v.code)).status, 200);
    sql(small, `UPDATE enrollments SET enrolled_at = strftime('%s', '2024-06-01') WHERE voucher_id = ${v.id}`);
    const file = path.join(small.dir, 'done.csv');
    fs.writeFileSync(file, `${HEADER}mitarbeiterin,dsgvo-grundlagen,2025-01-15\n`);
    const imported = small.ctl(['completions', 'import', file]);
    assert.equal(imported.code, 0, imported.stderr);
    const number = sqlValue(small, 'SELECT number FROM certificates');
    const check = (nr) => new Client(small.baseUrl).get(`/zertifikat/pruefen?nr=${encodeURIComponent(nr)}`);
    const counted = () => Number(sqlValue(small, `SELECT count(*) FROM login_failures WHERE key LIKE 'verify-ip:%'`));

    // a municipality checking the same genuine certificate 20 times is never limited
    for (let i = 0; i < 20; i++) {
      const res = await check(number);
      assert.equal(res.status, 200, `valid check ${i + 1}`);
      assert.match(textOf(res.text), /Dieses Zertifikat ist echt/);
    }
    assert.equal(counted(), 0, 'a valid number is never counted');

    // 60 wrong numbers at once (the attack of the issue): exactly the limit is answered
    const wrong = Array.from({ length: 60 }, (_, i) => `Z-0000-0000-${String(i).padStart(4, '0')}`);
    const results = await Promise.all(wrong.map(check));
    const statuses = results.map((r) => r.status);
    assert.equal(statuses.filter((s) => s === 200).length, 5, `5 answered: ${statuses.join(' ')}`);
    assert.equal(statuses.filter((s) => s === 429).length, 55, `55 refused: ${statuses.join(' ')}`);
    for (const r of results) {
      const text = textOf(r.text);
      if (r.status === 200) assert.match(text, /Zertifikat nicht gefunden/);
      else assert.match(text, /Zu viele Nummern ohne Treffer.*Bitte warten Sie 15 Minuten/);
    }
    assert.equal(counted(), 5, 'the refused look-ups are not counted (a 429 does not prolong the block)');

    // while the address is blocked, a genuine number is refused too: a 200 would tell which numbers exist
    const blocked = await check(number);
    assert.equal(blocked.status, 429);
    assert.doesNotMatch(textOf(blocked.text), /ist echt/);
    assert.ok(!textOf(blocked.text).includes(sqlValue(small, 'SELECT holder_name FROM certificates')), 'no holder');
    assert.equal(counted(), 5);

    // once the wrong numbers are older than the window, the check answers again
    sql(small, `UPDATE login_failures SET at = at - 901 WHERE key LIKE 'verify-ip:%'`);
    const again = await check(number);
    assert.equal(again.status, 200);
    assert.match(textOf(again.text), /Dieses Zertifikat ist echt/);
  } finally {
    await small.stop();
  }
});
