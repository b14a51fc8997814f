// Hostile input through nginx + voucherd (issue 12, item 5), table-driven
// over one server: the table FORMS names every POST route of src/routes.c
// with every input it reads, and a first test checks it against routes.c
// and src/fields.c (the one table of accepted inputs), so a new route or
// field cannot stay untested.  Over that table: invalid UTF-8 and %00 in
// every field (400, or 403 while a malformed body's csrf is unread, nothing
// stored), 100 kB values, SQL metacharacters (stored verbatim or refused,
// never a 5xx, no other row changed), XSS payloads reflected by every form,
// CSRF missing, foreign or from another session (403, nothing changed).
// Then: the body limit (413), XSS payloads stored through the forms and
// checked on every page, PDF (pdftotext), CSV, XML and e-mail (real SMTP
// server) that shows them, CR/LF in every value that reaches an e-mail or
// HTTP header (raw message and raw response inspected), path traversal on
// static, PDF and CSV routes, session fixation, and IDOR over every
// id-carrying route of routes.c as another municipality's admin or another
// user.  The browser half (tests/browser/hostile.test.mjs) proves in
// Chromium that no stored payload runs.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { startServer, repoRoot } from '../lib/server.mjs';
import { startSmtp } from '../lib/smtp.mjs';
import { Client, csrfFrom, login, tags, textOf } from '../lib/http.mjs';
import { pdfText } from '../lib/pdf.mjs';
import { sql, sqlValue } from '../lib/redeem.mjs';
import { until } from '../lib/wait.mjs';

const PW = 'demo-passwort';
const COURSE = 'dsgvo-grundlagen';
const EDITED_COURSE = 'informationssicherheit';
// An XSS payload of at most 100 characters (a person name's limit) that breaks out of attributes too.
const XSS = `"'><img src=x onerror=xss(1)><script>xss(2)</script>`;
const RAW_MARKERS = ['<img src=x', '<script>xss'];
const FORMULA = '=HYPERLINK("https://evil.example";"x")';
const ESCAPED = '&lt;img src=x onerror=xss(1)&gt;&lt;script&gt;xss(2)&lt;/script&gt;';
const SQLI = [`x'); DROP TABLE accounts; --" OR 1=1 --`, `\\'; SELECT * FROM sessions; -- %' OR '1'='1`];

let smtp;
let srv;
const as = {}; // logged-in clients by username
const ids = {}; // ids the table rows act on, filled in before()

const vienna = () => new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Vienna' }).format(new Date());
const sq = (s) => `'${String(s).replace(/'/g, "''")}'`;

async function loggedIn(username) {
  const c = new Client(srv.baseUrl);
  const res = await login(c, username, PW);
  assert.equal(res.status, 303, `login as ${username}`);
  return c;
}

/** A token for this client's forms (its session's, or its browser's vp_csrf for a guest). */
const csrfCache = new WeakMap();
async function csrfOf(c, { fresh = false } = {}) {
  if (!fresh && csrfCache.has(c)) return csrfCache.get(c);
  const page = await c.get('/login');
  const t = csrfFrom(page.text) || csrfFrom((await c.get('/konto')).text);
  assert.ok(t, 'a csrf token');
  csrfCache.set(c, t);
  return t;
}

function orderAdd(username, item) {
  const r = srv.ctl(['order', 'add', '--username', username, '--item', item]);
  assert.equal(r.code, 0, r.stderr);
  return Number(r.stdout.split(' ')[1]);
}

/** The business state a refused request must leave alone (not sessions, login counters or sent flags). */
function snapshot() {
  const tables = ['accounts', 'municipalities', 'catalog_items', 'package_courses', 'orders', 'order_lines',
    'vouchers', 'enrollments', 'certificates', 'credit_notes', 'password_resets'];
  const parts = tables.map((t) => `SELECT '${t}', * FROM ${t};`);
  parts.push("SELECT 'outbox', count(*) FROM outbox;", "SELECT 'audit', count(*) FROM audit_log;");
  return sql(srv, parts.join('\n')).map((r) => r.join('\t')).join('\n');
}

function diff(a, b) {
  const la = new Set(a.split('\n'));
  const lb = new Set(b.split('\n'));
  return [...[...la].filter((l) => !lb.has(l)).map((l) => `- ${l}`),
    ...[...lb].filter((l) => !la.has(l)).map((l) => `+ ${l}`)].slice(0, 10).join('\n');
}

// ---------------------------------------------------------------------------
// The table of forms: every POST route of routes.c, who posts it, where, and
// a baseline of plausible values for every input it reads (the attack
// replaces one of them).  fields(i) gets a counter, for values that must be
// new on every call (slugs, GKZ, usernames).

const FORMS = [
  { route: '/login', who: null, fields: () => ({ username: 'niemand', password: 'falsch', next: '/konto' }) },
  { route: '/logout', who: 'scratch', fields: () => ({}) },
  { route: '/passwort-vergessen', who: null, fields: () => ({ login: 'niemand@example.org' }) },
  { route: '/passwort-neu', who: null,
    fields: () => ({ t: 'A'.repeat(43), password: 'neues-passwort-1', password2: 'neues-passwort-1' }) },
  { route: '/konto', who: 'mitarbeiterin',
    fields: () => ({ first_name: 'Maria', last_name: 'Mitarbeiterin', email: 'maria.mitarbeiterin@musterstadt.gv.at' }) },
  { route: '/konto/passwort', who: 'mitarbeiterin',
    fields: () => ({ current_password: 'nicht-das-passwort', password: 'neues-passwort-1', password2: 'neues-passwort-1' }) },
  { route: '/voucher/einloesen', who: null,
    fields: () => ({ mode: 'new', code: 'SBA-000000-000000-000000-000000', first_name: 'Nora', last_name: 'Neu',
      email: 'nora@example.org', username: 'nora', password: 'ein-gutes-passwort', password2: 'ein-gutes-passwort',
      privacy: '1' }) },
  { route: '/bestellen', who: 'gemeinde', fields: async () => {
    const page = await as.gemeinde.get('/bestellen');
    const token = tags(page.text, 'input').find((t) => t.attrs.name === 'order_token').attrs.value;
    return { order_token: token, reference: 'Ref', [`qty_${COURSE}`]: '1', edit: '1' };
  } },
  { route: '/bestellungen/*/verteilen', path: () => `/bestellungen/${ids.orderA}/verteilen`, who: 'gemeinde',
    fields: () => ({ course: COURSE, recipients: 'Eva Test; eva@example.org' }) },
  { route: '/bestellungen/codes/*', path: () => `/bestellungen/codes/${ids.codeA}`, who: 'gemeinde',
    fields: () => ({ name: 'Eva Test', email: 'eva@example.org' }) },
  { route: '/bestellungen/codes/*/senden', path: () => `/bestellungen/codes/${ids.codeUnassigned}/senden`, who: 'gemeinde',
    fields: () => ({}) },
  { route: '/admin/rechnungen/*/bezahlt', path: () => `/admin/rechnungen/${ids.invoiceStorno}/bezahlt`, who: 'admin',
    fields: () => ({ paid_on: '2999-01-01' }) },
  { route: '/admin/rechnungen/*/storno', path: () => `/admin/rechnungen/${ids.invoiceStorno}/storno`, who: 'admin',
    fields: () => ({ reason: 'Irrtum', scope: 'all' }) },
  { route: '/admin/kurse/neu', who: 'admin',
    fields: (i) => ({ kind: 'course', slug: `hx-${i}`, title: 'Kurs', description: 'Text', hours: '2', price: '10,00',
      url: 'https://lms.example.org/kurs', active: '1' }) },
  { route: '/admin/kurse/neu', who: 'admin', label: 'a package',
    fields: (i) => ({ kind: 'package', slug: `hp-${i}`, title: 'Paket', description: '', price: '20,00',
      courses: COURSE, active: '1' }) },
  { route: '/admin/kurse/*/bearbeiten', path: () => `/admin/kurse/${EDITED_COURSE}/bearbeiten`, who: 'admin',
    fields: () => ({ kind: 'course', slug: EDITED_COURSE, title: 'Informationssicherheit im Gemeindeamt',
      description: 'Text', hours: '4', price: '79,00', url: '', active: '1' }) },
  { route: '/admin/gemeinden/neu', who: 'admin',
    fields: (i) => ({ gkz: String(70000 + i), name: `Gemeinde ${i}`, address: 'Platz 1\n1234 Ort',
      uid: '', email: 'amt@example.org' }) },
  { route: '/admin/gemeinden/*/bearbeiten', path: () => '/admin/gemeinden/61234/bearbeiten', who: 'admin',
    fields: () => ({ gkz: '61234', name: 'Marktgemeinde Beispielsdorf', address: 'Marktplatz 3\n8234 Beispielsdorf',
      uid: '', email: 'amt@beispielsdorf.gv.at' }) },
  { route: '/admin/konten/neu', who: 'admin',
    fields: (i) => ({ username: `hk${i}`, first_name: 'Hanna', last_name: 'Konto', email: `hk${i}@example.org`,
      role: 'user', tenant: '30604', password: 'ein-gutes-passwort' }) },
  { route: '/admin/konten/*/sperren', path: () => `/admin/konten/${ids.targetId}/sperren`, who: 'admin', fields: () => ({}) },
  { route: '/admin/konten/*/freigeben', path: () => `/admin/konten/${ids.disabledId}/freigeben`, who: 'admin', fields: () => ({}) },
  { route: '/admin/konten/*/passwort', path: () => `/admin/konten/${ids.targetId}/passwort`, who: 'admin',
    fields: () => ({ password: 'ein-neues-passwort', password2: 'ein-neues-passwort' }) },
  { route: '/support', who: 'support', fields: () => ({ q: 'mitarbeiterin' }) },
  { route: '/support/codes/revoke', who: 'support', fields: () => ({ code: ids.codeRevoke, reason: 'Verloren', q: 'x' }) },
  { route: '/support/codes/extend', who: 'support',
    fields: () => ({ code: ids.codeRevoke, reason: 'Kulanz', valid_until: '2999-12-31', q: 'x' }) },
  { route: '/support/codes/release', who: 'support', fields: () => ({ code: ids.codeRevoke, reason: 'Fehler', q: 'x' }) },
  { route: '/support/codes/unrevoke', who: 'support', fields: () => ({ code: ids.codeRevoke, reason: 'Irrtum', q: 'x' }) },
  { route: '/support/sperren/aufheben', who: 'support', fields: () => ({ ip: '192.0.2.1', username: 'mitarbeiterin', q: 'x' }) },
  { route: '/support/bestellungen/mail', who: 'support', fields: () => ({ mail: String(ids.mailId), q: 'x' }) },
  { route: '/support/abschluss', who: 'support',
    fields: () => ({ username: 'gemeinde2', course: COURSE, completed_on: vienna() }) },
];

// Inputs only GET requests read (list filters, pages, notices, the LMS feed), by the route that reads them.
const QUERIES = [
  { path: '/admin/konten', who: 'admin', fields: { q: 'x', role: 'user', tenant: '30604', seite: '1' } },
  { path: '/admin/protokoll', who: 'admin', fields: { q: 'x', seite: '1' } },
  { path: '/admin/rechnungen', who: 'admin', fields: { from: '2020-01-01', to: '2999-01-01', status: 'bezahlt', tenant: '30604' } },
  { path: '/bestellungen', who: 'gemeinde', fields: { q: 'x' } },
  { path: () => `/bestellungen/${ids.orderA}`, who: 'gemeinde',
    fields: { status: 'offen', zugewiesen: 'ja', course: COURSE, seite: '1', hinweis: 'gespeichert', code_id: '1' } },
  { path: '/support', who: 'support', fields: { q: 'x', done: 'revoke', code_id: '1' } },
  { path: '/zertifikat/pruefen', who: null, fields: { nr: 'Z-0000-0000-0000' } },
  { path: '/login', who: null, fields: { next: '/konto' } },
  { path: '/passwort-neu', who: null, fields: { t: 'A'.repeat(43) } },
  { path: '/gemeinde/schulungen', who: 'gemeinde', fields: { course: COURSE, status: 'offen' } },
  { path: '/admin/kurse', who: 'admin', fields: { q: 'x', edit: '1' } },
];
// The LMS's JSON routes (bearer token): their inputs, checked as JSON below.
const API = [
  { method: 'GET', path: '/api/v1/enrollments', query: { after: '0', limit: '10' } },
  { method: 'POST', path: '/api/v1/completions', json: { username: 'mitarbeiterin', course: COURSE, completed_on: '2026-01-01' } },
];

before(async () => {
  smtp = await startSmtp();
  srv = await startServer({
    smtpUrl: `smtp://127.0.0.1:${smtp.port}`,
    limits: { login_max_failures: 1000, redeem_max_failures: 1000, reset_max_requests: 1000, verify_max_failures: 1000 },
    extraConf: { mail: { retry_base_seconds: 1 } },
  });
  for (const u of ['admin', 'support', 'gemeinde', 'gemeinde2', 'mitarbeiterin']) as[u] = await loggedIn(u);
  for (const [u, gkz] of [['scratch', '30604'], ['kollegin', '30604'], ['gesperrt', '30604'], ['ziel', '30604']]) {
    const r = srv.ctl(['user', 'add', '--username', u, '--role', 'user', '--tenant', gkz, '--email', `${u}@musterstadt.gv.at`,
      '--first-name', 'Sara', '--last-name', 'Scratch'], { input: `${PW}\n${PW}\n` });
    assert.equal(r.code, 0, r.stderr);
  }
  as.scratch = await loggedIn('scratch');
  as.kollegin = await loggedIn('kollegin');
  ids.scratchId = Number(sqlValue(srv, "SELECT id FROM accounts WHERE username = 'scratch'"));
  ids.targetId = Number(sqlValue(srv, "SELECT id FROM accounts WHERE username = 'ziel'"));
  ids.disabledId = Number(sqlValue(srv, "SELECT id FROM accounts WHERE username = 'gesperrt'"));
  sql(srv, `UPDATE accounts SET disabled = 1 WHERE id = ${ids.disabledId}`);
  ids.orderA = orderAdd('gemeinde', `${COURSE}=6`);
  ids.orderB = orderAdd('gemeinde2', `${COURSE}=2`);
  ids.orderStorno = orderAdd('gemeinde', `${COURSE}=1`);
  const codesA = sql(srv, `SELECT id FROM vouchers WHERE order_id = ${ids.orderA} ORDER BY id`).map((r) => Number(r[0]));
  [ids.codeA, ids.codeUnassigned, ids.codeRevokeId, ids.codeRedeem, ids.codeAssignXss] = codesA;
  ids.invoiceA = sqlValue(srv, `SELECT invoice_number FROM orders WHERE id = ${ids.orderA}`);
  ids.invoiceStorno = sqlValue(srv, `SELECT invoice_number FROM orders WHERE id = ${ids.orderStorno}`);
  ids.mailId = Number(sqlValue(srv, 'SELECT max(id) FROM outbox'));
  // The plain code of one voucher, for support's revoke row: support finds codes by code only.
  const r = srv.ctl(['order', 'add', '--username', 'gemeinde', '--item', `${COURSE}=1`]);
  ids.codeRevoke = r.stdout.trim().split('\n')[1].split('\t')[1];
  ids.codeToRedeem = srv.ctl(['order', 'add', '--username', 'gemeinde', '--item', `${COURSE}=1`])
    .stdout.trim().split('\n')[1].split('\t')[1];
}, { timeout: 120000 });

after(async () => {
  if (srv) await srv.stop();
  if (smtp) await smtp.close();
}, { timeout: 30000 });

const clientOf = (who) => (who ? as[who] : new Client(srv.baseUrl));
const pathOf = (row) => (row.path ? (typeof row.path === 'function' ? row.path() : row.path) : row.route);

/** The body: every pair urlencoded, except `raw` (name → bytes already encoded, sent as they are). */
function body(pairs, raw = {}) {
  const parts = [];
  for (const [k, v] of Object.entries(pairs)) {
    if (Object.hasOwn(raw, k)) continue;
    parts.push(Buffer.from(`${encodeURIComponent(k)}=${encodeURIComponent(v)}`));
  }
  for (const [k, v] of Object.entries(raw)) parts.push(Buffer.concat([Buffer.from(`${encodeURIComponent(k)}=`), Buffer.from(v)]));
  const out = [];
  parts.forEach((p, i) => { if (i) out.push(Buffer.from('&')); out.push(p); });
  return Buffer.concat(out);
}

async function postRaw(c, p, buf) {
  return c.request('POST', p, { body: buf, headers: { 'content-type': 'application/x-www-form-urlencoded' } });
}

let counter = 0;
/** Row's client, path and baseline (with a fresh csrf token). */
async function prepare(row) {
  const c = row.who ? as[row.who] : (row.guest ??= new Client(srv.baseUrl));
  const csrf = await csrfOf(c);
  return { c, p: pathOf(row), pairs: { csrf, ...(await row.fields(++counter)) } };
}

const rowName = (row) => `POST ${row.route}${row.label ? ` (${row.label})` : ''}`;

function noRawPayload(res, where) {
  for (const m of RAW_MARKERS) assert.ok(!res.text.includes(m), `${where}: raw "${m}" in the answer`);
}

// ---------------------------------------------------------------------------

test('the table names every POST route of routes.c and every input of fields.c', () => {
  const routes = fs.readFileSync(path.join(repoRoot, 'src', 'routes.c'), 'utf8');
  const posts = [...routes.matchAll(/\{(M_[A-Z_ |]+), "([^"]+)", (\w+), ([^}]+)\}/g)]
    .filter((m) => m[1].includes('M_POST')).map((m) => ({ route: m[2], lms: /\bLMS\b/.test(m[4]) }));
  assert.ok(posts.length >= 30, `routes.c parsed (${posts.length} POST routes)`);
  const covered = new Set([...FORMS.map((f) => f.route), ...API.filter((a) => a.method === 'POST').map((a) => a.path)]);
  for (const p of posts) assert.ok(covered.has(p.route), `POST ${p.route} of routes.c has a row in FORMS`);
  for (const f of FORMS) assert.ok(posts.some((p) => p.route === f.route), `FORMS row ${f.route} is a route of routes.c`);

  const fieldsC = fs.readFileSync(path.join(repoRoot, 'src', 'fields.c'), 'utf8');
  const names = [...fieldsC.matchAll(/\[F_[A-Z0-9_]+\] = \{"([^"]+)"/g)].map((m) => m[1]);
  assert.ok(names.length >= 50, `fields.c parsed (${names.length} inputs)`);
  const seen = new Set(['csrf']);
  // the baselines of rows that need no ids (ids are filled in before(); the names are what counts)
  for (const f of FORMS) for (const k of f.names ?? Object.keys(f.fields(0))) seen.add(k);
  for (const q of QUERIES) for (const k of Object.keys(q.fields)) seen.add(k);
  for (const a of API) for (const k of Object.keys(a.query ?? a.json)) seen.add(k);
  seen.add('confirm'); // the second step of /bestellen and /bestellungen/*/verteilen, sent in the malformed test
  for (const n of names) assert.ok(seen.has(n), `input "${n}" of fields.c is sent by some row of FORMS, QUERIES or API`);
});

// The /bestellen row's fields() is async (it loads the form for a token): its names are known without it.
const ORDER_FIELDS = ['order_token', 'reference', `qty_${COURSE}`, 'edit'];
FORMS.find((f) => f.route === '/bestellen').names = ORDER_FIELDS;

test('a body over [limits] body_max_bytes answers 413 (nginx) and stores nothing', async () => {
  const before = snapshot();
  const c = as.gemeinde;
  const csrf = await csrfOf(c);
  const big = body({ csrf, reference: 'x'.repeat(1024 * 1024 + 10) });
  for (const p of ['/bestellen', '/login', '/voucher/einloesen']) {
    const res = await postRaw(c, p, big);
    assert.equal(res.status, 413, `${p}: ${res.status}`);
  }
  assert.equal(snapshot(), before);
});

/** Sends each attack in `values` (raw bytes) in every field of every row; asserts `check(res)` and no change. */
async function everyFieldRaw(values, check) {
  let n = 0;
  for (const row of FORMS) {
    const { c, p, pairs } = await prepare(row);
    if (row.route === '/bestellen' || row.route.endsWith('/verteilen')) pairs.confirm = '1';
    const before = snapshot();
    for (const name of Object.keys(pairs)) {
      for (const v of values) {
        const res = await postRaw(c, p, body(pairs, { [name]: v }));
        check(res, `${rowName(row)} ${name}=${Buffer.from(v).toString('latin1')}`);
        n++;
      }
    }
    assert.equal(diff(before, snapshot()), '', `${rowName(row)}: nothing stored`);
  }
  return n;
}

// A malformed form body is refused by the body parser (src/req.c) before routing: 400 with the German page,
// whatever else the body holds (its csrf field is not read either).  Every way form_parse refuses a body:
const MALFORMED_STATUS = [400];
const MALFORMED = [
  '%FF', '%C3%28', '%C0%AF', '%ED%A0%80', '%F4%90%80%80', Buffer.from([0x61, 0xfe, 0x62]), // invalid UTF-8
  'a%00b', Buffer.from([0x61, 0x00, 0x62]), '%01', '%1B', Buffer.from([0x61, 0x07]), // NUL and control characters
  '%', '%4', '%G1', 'a%zz', // bad percent-escapes
];

function malformedAnswer(res, what) {
  assert.ok(MALFORMED_STATUS.includes(res.status), `${what}: ${res.status}`);
  assert.match(textOf(res.text), /Ungültige Anfrage.*ungültige Zeichen/, what);
}

test('invalid UTF-8, NUL, control characters and bad escapes in every field of every form answer 400 and store nothing', async (t) => {
  const n = await everyFieldRaw(MALFORMED, malformedAnswer);
  t.diagnostic(`${n} requests`);
  assert.ok(n > 800, `${n} requests`);
});

test('a malformed name, too many pairs, or a malformed body without csrf answer 400 too, never 403', async () => {
  const before = snapshot();
  for (const row of FORMS) {
    const { c, p, pairs } = await prepare(row);
    malformedAnswer(await postRaw(c, p, Buffer.concat([body(pairs), Buffer.from('&%FF=1')])), `${rowName(row)} bad name`);
    malformedAnswer(await postRaw(c, p, Buffer.from('csrf=x&a=%FF')), `${rowName(row)} foreign csrf`);
  }
  // more pairs than the parser holds (20,100): 40 kB, far below the body limit
  const c = as.gemeinde;
  const many = Buffer.concat([body({ csrf: await csrfOf(c) }), Buffer.from('&a'.repeat(20200))]);
  malformedAnswer(await postRaw(c, '/bestellen', many), 'too many pairs');
  malformedAnswer(await postRaw(new Client(srv.baseUrl), '/login', Buffer.from('username=%FF')), 'guest without csrf');
  assert.equal(snapshot(), before);
});

test('invalid UTF-8 and %00 in every query input of every list answer 400', async () => {
  for (const q of QUERIES) {
    const c = clientOf(q.who);
    const p = typeof q.path === 'function' ? q.path() : q.path;
    for (const name of Object.keys(q.fields)) {
      for (const v of ['%FF', 'a%00b', '%C3%28']) {
        const qs = Object.entries(q.fields).map(([k, x]) => `${k}=${k === name ? v : encodeURIComponent(x)}`).join('&');
        const res = await c.get(`${p}?${qs}`);
        assert.equal(res.status, 400, `GET ${p} ${name}=${v}: ${res.status}`);
        assert.match(textOf(res.text), /ungültige Zeichen/);
      }
    }
  }
});

test('the LMS API: invalid UTF-8 and \\u0000 in JSON and query inputs answer 400 JSON and store nothing', async () => {
  const token = srv.ctl(['api-token', 'add', 'hostile']).stdout.match(/[A-Za-z0-9_-]{43}/)[0];
  const auth = { authorization: `Bearer ${token}` };
  const before = snapshot();
  const c = new Client(srv.baseUrl);
  for (const a of API) {
    const fields = a.query ?? a.json;
    for (const name of Object.keys(fields)) {
      if (a.method === 'GET') {
        for (const v of ['%FF', 'a%00b']) {
          const qs = Object.entries(fields).map(([k, x]) => `${k}=${k === name ? v : x}`).join('&');
          const res = await c.get(`${a.path}?${qs}`, { headers: auth });
          assert.equal(res.status, 400, `${a.path} ${name}=${v}`);
          assert.ok(JSON.parse(res.text).error);
        }
      } else {
        const ok = JSON.stringify(fields);
        const variants = [
          Buffer.from(ok.replace(`"${name}":"`, `"${name}":"\\u0000`)),
          Buffer.concat([Buffer.from(ok.replace(new RegExp(`"${name}":"[^"]*"`), `"${name}":"`)), Buffer.from([0xff, 0x22, 0x7d])]),
        ];
        for (const v of variants) {
          const res = await c.request('POST', a.path, { body: v, headers: { ...auth, 'content-type': 'application/json' } });
          assert.equal(res.status, 400, `${a.path} ${name}: ${res.status} ${res.text}`);
          assert.ok(JSON.parse(res.text).error);
        }
      }
    }
  }
  assert.equal(diff(before, snapshot()), '');
});

/** Each value in every non-csrf field of every row, each through the handler; check(res, what) per answer. */
async function everyField(values, check, only = () => true) {
  let n = 0;
  for (const row of FORMS) {
    for (const v of values) {
      const { pairs: probe } = await prepare(row);
      for (const name of Object.keys(probe).filter((k) => k !== 'csrf' && only(probe[k]))) {
        const { c, p, pairs } = await prepare(row);
        pairs[name] = v;
        const res = await postRaw(c, p, body(pairs));
        await check(res, `${rowName(row)} ${name}`, { row, name, value: v });
        n++;
      }
    }
  }
  return n;
}

const notServerError = (res, what) => {
  assert.ok(res.status < 500, `${what}: ${res.status} ${textOf(res.text).slice(0, 300)}`);
};

test('100 kB in every field of every form: answered (no 5xx), never stored', async (t) => {
  const big = 'ä'.repeat(51200); // 100 kB of UTF-8
  const n = await everyField([big], (res, what) => {
    notServerError(res, what);
    if (!what.endsWith(' recipients')) assert.ok(!res.text.includes('ä'.repeat(2001)), `${what}: the whole value is not re-shown`);
  });
  t.diagnostic(`${n} requests`);
  assert.ok(n > 60, `${n} requests`);
  const dump = spawnSync('sqlite3', [path.join(srv.dir, 'voucher.db'), '.dump'], { encoding: 'utf8', maxBuffer: 1 << 28 });
  assert.equal(dump.status, 0);
  assert.ok(!dump.stdout.includes('ä'.repeat(2001)), 'no 100 kB value in the database');
  assert.equal((await new Client(srv.baseUrl).get('/healthz')).status, 200);
});

test('SQL metacharacters in every field of every form: never a 5xx; stored verbatim where stored; tables intact', async (t) => {
  const n = await everyField(SQLI, (res, what) => notServerError(res, what));
  t.diagnostic(`${n} requests`);
  assert.ok(n > 150, `${n} requests`);
  for (const t of ['accounts', 'sessions', 'vouchers', 'orders']) assert.ok(Number(sqlValue(srv, `SELECT count(*) FROM ${t}`)) > 0, t);
  // stored verbatim, and no other row changed: the profile, a municipality, a course title, a code's recipient
  const others = sql(srv, "SELECT * FROM accounts WHERE username <> 'mitarbeiterin' ORDER BY id").map((r) => r.join('|')).join('\n');
  for (const value of SQLI) {
    const c = as.mitarbeiterin;
    const res = await c.post('/konto', { csrf: await csrfOf(c), first_name: value, last_name: value,
      email: 'maria.mitarbeiterin@musterstadt.gv.at' });
    assert.ok([200, 303].includes(res.status), `${res.status} ${textOf(res.text).slice(0, 200)}`);
    assert.equal(sqlValue(srv, "SELECT first_name FROM accounts WHERE username = 'mitarbeiterin'"), value);
    const t = await as.admin.post('/admin/gemeinden/61234/bearbeiten', { csrf: await csrfOf(as.admin), gkz: '61234',
      name: value, address: `${value}\n8234 Beispielsdorf`, uid: '', email: 'amt@beispielsdorf.gv.at' });
    assert.equal(t.status, 303, textOf(t.text).slice(0, 300));
    assert.equal(sqlValue(srv, "SELECT name FROM municipalities WHERE gkz = '61234'"), value);
    const a = await as.gemeinde.post(`/bestellungen/codes/${ids.codeA}`, { csrf: await csrfOf(as.gemeinde), name: value.replace(/^[ ]/, ''), email: '' });
    assert.ok(a.status === 303 || a.status === 422, `${a.status} ${textOf(a.text).slice(0, 200)}`);
  }
  assert.equal(sql(srv, "SELECT * FROM accounts WHERE username <> 'mitarbeiterin' ORDER BY id").map((r) => r.join('|')).join('\n'), others,
    'no other account changed');
  assert.equal(sqlValue(srv, "SELECT count(*) FROM municipalities WHERE name = 'Stadtgemeinde Musterstadt'"), '1');
});

test('numbers and dates out of every range in every number, date and id field of every form and list: never a 5xx', async (t) => {
  const extremes = ['-1', '9223372036854775808', '2026-02-30', '１２', '1e9', ''];
  const n = await everyField(extremes, (res, what) => notServerError(res, what), (baseline) => /^[\d.,-]+$/.test(baseline));
  let m = 0;
  for (const q of QUERIES) {
    const c = clientOf(q.who);
    const p = typeof q.path === 'function' ? q.path() : q.path;
    for (const name of Object.keys(q.fields)) {
      for (const v of extremes) {
        const res = await c.get(`${p}?${new URLSearchParams({ ...q.fields, [name]: v })}`);
        notServerError(res, `GET ${p} ${name}=${v}`);
        m++;
      }
    }
  }
  // an order form with quantities out of range and names that are no course
  const { c, pairs } = await prepare(FORMS.find((f) => f.route === '/bestellen'));
  for (const [k, v] of [[`qty_${COURSE}`, '100000'], [`qty_${COURSE}`, '-5'], ['qty_' + 'x'.repeat(64), '1'], ['qty_../../etc', '1'],
    [`qty_${COURSE}`, '99999999999999999999']]) {
    const res = await c.post('/bestellen', { ...pairs, [k]: v, confirm: '1' });
    notServerError(res, `/bestellen ${k}=${v}`);
  }
  const many = Object.fromEntries(Array.from({ length: 5000 }, (_, i) => [`qty_k${i}`, '1']));
  notServerError(await c.post('/bestellen', { ...pairs, ...many }), '/bestellen with 5000 quantities');
  t.diagnostic(`${n} + ${m} requests`);
  assert.ok(n > 50 && m > 150, `${n} + ${m} requests`);
});

test('CSRF: every POST route without a token, with another session\'s token or a token of this user\'s other session → 403, nothing changed', async (t) => {
  const second = {}; // a second session of the same user
  let n = 0;
  for (const row of FORMS) {
    const { c, p, pairs } = await prepare(row);
    const own = pairs.csrf;
    const foreignClient = row.who === 'gemeinde2' ? as.gemeinde : as.gemeinde2;
    const foreign = await csrfOf(foreignClient);
    let otherSession;
    if (row.who) {
      second[row.who] ??= await loggedIn(row.who);
      otherSession = await csrfOf(second[row.who]);
    } else {
      otherSession = await csrfOf(as.mitarbeiterin); // a logged-in session's token in a guest's browser
    }
    assert.notEqual(foreign, own);
    assert.notEqual(otherSession, own);
    const before = snapshot();
    for (const [label, token] of [['missing', null], ['foreign', foreign], ['other session', otherSession], ['empty', '']]) {
      const f = { ...pairs };
      if (token === null) delete f.csrf; else f.csrf = token;
      const res = await postRaw(c, p, body(f));
      assert.equal(res.status, 403, `${rowName(row)} csrf ${label}: ${res.status}`);
      n++;
    }
    assert.equal(diff(before, snapshot()), '', `${rowName(row)}: nothing changed`);
  }
  t.diagnostic(`${n} requests over ${FORMS.length} rows`);
  assert.ok(n >= 4 * FORMS.length);
  // the sessions are still alive (a refused POST /logout ended nothing)
  assert.match((await as.scratch.get('/konto')).text, /Abmelden/);
});

test('XSS payloads in every field of every form come back escaped, never as markup', async (t) => {
  const n = await everyField([XSS], (res, what) => {
    notServerError(res, what);
    noRawPayload(res, what);
  });
  for (const q of QUERIES) {
    const c = clientOf(q.who);
    const p = typeof q.path === 'function' ? q.path() : q.path;
    for (const name of Object.keys(q.fields)) {
      const res = await c.get(`${p}?${new URLSearchParams({ ...q.fields, [name]: XSS })}`);
      notServerError(res, `GET ${p} ${name}`);
      noRawPayload(res, `GET ${p} ${name}`);
    }
  }
  t.diagnostic(`${n} requests`);
  assert.ok(n > 60, `${n} requests`);
});

// ---------------------------------------------------------------------------
// Stored XSS: payloads through the forms, then every page and document that shows them

/** Every input of the form with this action as {name: value} (text inputs, checked boxes, selected options, textareas). */
function formValues(html, action) {
  const form = [...html.matchAll(/<form\b[^>]*>[\s\S]*?<\/form>/gi)].map((m) => m[0])
    .find((f) => tags(f, 'form')[0].attrs.action === action);
  assert.ok(form, `a form to ${action}`);
  const out = {};
  for (const { attrs } of tags(form, 'input')) {
    if (!attrs.name) continue;
    if ((attrs.type === 'checkbox' || attrs.type === 'radio') && !('checked' in attrs)) continue;
    out[attrs.name] = out[attrs.name] !== undefined && attrs.type === 'checkbox' ? [].concat(out[attrs.name], attrs.value) : attrs.value ?? '';
  }
  for (const m of form.matchAll(/<textarea\b[^>]*name="([^"]+)"[^>]*>([\s\S]*?)<\/textarea>/gi)) out[m[1]] = textOf(m[2]);
  for (const m of form.matchAll(/<select\b[^>]*name="([^"]+)"[^>]*>([\s\S]*?)<\/select>/gi)) {
    const opts = tags(m[2], 'option');
    out[m[1]] = (opts.find((o) => 'selected' in o.attrs) ?? opts[0]).attrs.value;
  }
  return out;
}

const pairsOf = (o) => Object.entries(o).flatMap(([k, v]) => (Array.isArray(v) ? v.map((x) => [k, x]) : [[k, v]]));

async function submitEdit(c, page, action, changes) {
  const form = await c.get(page);
  assert.equal(form.status, 200, page);
  const values = { ...formValues(form.text, action), ...changes };
  const res = await c.post(action, pairsOf(values));
  assert.ok([200, 303].includes(res.status) && !/aria-invalid="true"/.test(res.text), `${action}: ${res.status} ${textOf(res.text).slice(0, 400)}`);
  return res;
}

const stored = {};

async function download(c, p) {
  const res = await fetch(srv.baseUrl + p, { headers: { cookie: c.cookieHeader() }, redirect: 'manual' });
  return { status: res.status, headers: res.headers, bytes: Buffer.from(await res.arrayBuffer()) };
}

/** The payload's parts, as a text extractor (PDF, CSV, mail) gives them: verbatim, maybe wrapped. */
function showsVerbatim(text, what) {
  const flat = text.replace(/\s+/g, ' ');
  for (const part of ['onerror=xss(1)>', '<script>xss(2)</script>']) assert.ok(flat.includes(part), `${what} shows "${part}": ${flat.slice(0, 300)}`);
}

test('XSS payloads stored through the forms come out escaped on every page, and verbatim (inert) in PDF, CSV, XML and e-mail', async () => {
  // the municipality, a course, a person, an order reference, a code's recipient, a completion, a cancellation
  await submitEdit(as.admin, '/admin/gemeinden/30604/bearbeiten', '/admin/gemeinden/30604/bearbeiten',
    { name: `Gemeinde ${XSS}`, address: `Hauptplatz 1\n${XSS}` });
  await submitEdit(as.admin, `/admin/kurse/${COURSE}/bearbeiten`, `/admin/kurse/${COURSE}/bearbeiten`,
    { title: `Kurs ${XSS}`, description: XSS });
  await submitEdit(as.mitarbeiterin, '/konto', '/konto', { first_name: XSS, last_name: FORMULA });
  const form = await as.gemeinde.get('/bestellen');
  const token = tags(form.text, 'input').find((t) => t.attrs.name === 'order_token').attrs.value;
  const review = await as.gemeinde.post('/bestellen', { csrf: await csrfOf(as.gemeinde), order_token: token, reference: XSS, [`qty_${COURSE}`]: '3' });
  assert.equal(review.status, 200, textOf(review.text).slice(0, 300));
  noRawPayload(review, 'order review');
  assert.ok(review.text.includes(ESCAPED), 'the review shows the reference escaped');
  const confirmForm = [...review.text.matchAll(/<form\b[\s\S]*?<\/form>/gi)].map((m) => m[0]).find((f) => f.includes('Zahlungspflichtig bestellen'));
  const placed = await as.gemeinde.post('/bestellen', tags(confirmForm, 'input').filter((t) => t.attrs.name).map((t) => [t.attrs.name, t.attrs.value ?? '']));
  assert.equal(placed.status, 303, textOf(placed.text).slice(0, 300));
  const orderX = Number(placed.headers.get('location').match(/^\/bestellungen\/(\d+)$/)[1]);
  const invoiceX = sqlValue(srv, `SELECT invoice_number FROM orders WHERE id = ${orderX}`);
  const codeX = Number(sqlValue(srv, `SELECT min(id) FROM vouchers WHERE order_id = ${orderX}`));
  const before = smtp.messages.length;
  let res = await as.gemeinde.post(`/bestellungen/codes/${codeX}`, { csrf: await csrfOf(as.gemeinde), name: XSS, email: 'eva.xss@example.org' });
  assert.equal(res.status, 303, textOf(res.text).slice(0, 300));
  res = await as.gemeinde.post(`/bestellungen/codes/${codeX}/senden`, { csrf: await csrfOf(as.gemeinde) });
  res = await as.gemeinde.post(`/bestellungen/codes/${codeX + 1}`, { csrf: await csrfOf(as.gemeinde), name: FORMULA, email: 'formel@example.org' });
  assert.equal(res.status, 303, textOf(res.text).slice(0, 300));
  assert.equal(res.status, 303, textOf(res.text).slice(0, 300));
  const vouchersPdf = await download(as.gemeinde, `/bestellungen/${orderX}/voucher.pdf`); // before the cancellation
  assert.equal(vouchersPdf.status, 200);
  showsVerbatim(pdfText(vouchersPdf.bytes), 'the vouchers PDF');
  const redeem = new Client(srv.baseUrl);
  res = await redeem.post('/voucher/einloesen', { csrf: await csrfOf(redeem), mode: 'existing', username: 'mitarbeiterin', code: ids.codeToRedeem });
  assert.ok([200, 303].includes(res.status), `redeem: ${res.status}`);
  assert.equal(sqlValue(srv, `SELECT count(*) FROM enrollments e JOIN accounts a ON a.id = e.account_id WHERE a.username = 'mitarbeiterin'`), '1',
    textOf(res.text).slice(0, 300));
  res = await as.support.post('/support/abschluss', { csrf: await csrfOf(as.support), username: 'mitarbeiterin', course: COURSE, completed_on: vienna() });
  assert.ok(res.status < 400, `completion: ${res.status} ${textOf(res.text).slice(0, 300)}`);
  const [cert, certId] = sql(srv, `SELECT c.number, c.id FROM certificates c JOIN enrollments e ON e.id = c.enrollment_id
    JOIN accounts a ON a.id = e.account_id WHERE a.username = 'mitarbeiterin'`)[0] ?? [];
  assert.ok(cert, 'a certificate');
  res = await as.admin.post(`/admin/rechnungen/${invoiceX}/storno`, { csrf: await csrfOf(as.admin), reason: XSS, scope: 'open' });
  assert.equal(res.status, 303, `storno: ${res.status} ${textOf(res.text).slice(0, 300)}`);
  const credit = sqlValue(srv, `SELECT number FROM credit_notes WHERE order_id = ${orderX}`);
  Object.assign(stored, { orderX, invoiceX, cert, certId, credit });
  const maria = sqlValue(srv, "SELECT id FROM accounts WHERE username = 'mitarbeiterin'");

  const pages = [
    [null, '/kurse'], ['mitarbeiterin', '/konto'], ['mitarbeiterin', '/meine-kurse'],
    ['gemeinde', '/bestellen'], ['gemeinde', '/bestellungen'], ['gemeinde', `/bestellungen/${orderX}`],
    ['gemeinde', `/bestellungen/${orderX}/verteilen`, 'POST', { course: COURSE, recipients: `${XSS}; eva2@example.org` }],
    ['gemeinde', '/gemeinde/schulungen'], ['admin', '/admin/gemeinden'], ['admin', '/admin/kurse'],
    ['admin', `/admin/kurse/${COURSE}/bearbeiten`], ['admin', '/admin/gemeinden/30604/bearbeiten'],
    ['admin', '/admin/konten?q=mitarbeiterin'], ['admin', `/admin/konten/${maria}`], ['admin', '/admin/rechnungen'],
    ['admin', `/admin/rechnungen/${invoiceX}`], ['admin', '/admin/protokoll'], ['support', '/support?q=mitarbeiterin'],
    ['support', `/bestellungen/${orderX}`], [null, `/zertifikat/pruefen?nr=${cert}`],
  ];
  for (const [who, p, method, fields] of pages) {
    const c = who ? as[who] : new Client(srv.baseUrl);
    const r = method ? await c.post(p, { csrf: await csrfOf(c), ...fields }) : await c.get(p);
    assert.equal(r.status, method ? r.status : 200, `${who} ${p}: ${r.status}`);
    assert.ok(r.status === 200 || r.status === 422, `${who} ${p}: ${r.status}`);
    noRawPayload(r, `${who} ${p}`);
    assert.ok(r.text.includes(ESCAPED) || r.text.includes(ESCAPED.replace(/'/g, '&#39;')), `${who} ${p} shows the payload escaped`);
  }

  // PDFs: the text as written, in a valid PDF (no markup runs in a PDF)
  for (const [who, p] of [['gemeinde', `/bestellungen/${orderX}/rechnung.pdf`],
    ['mitarbeiterin', `/zertifikat/${certId}.pdf`], ['gemeinde', `/gutschriften/${credit}.pdf`]]) {
    const d = await download(as[who], p);
    assert.equal(d.status, 200, p);
    assert.equal(d.headers.get('content-type'), 'application/pdf', p);
    showsVerbatim(pdfText(d.bytes), p);
  }
  // CSV: the value in its cell, the row's columns intact
  for (const [who, p] of [['gemeinde', `/bestellungen/${orderX}/codes.csv`], ['gemeinde', '/gemeinde/schulungen.csv'], ['admin', '/admin/rechnungen.csv']]) {
    const d = await download(as[who], p);
    assert.equal(d.status, 200, p);
    const text = d.bytes.toString('utf8');
    assert.ok(text.includes(XSS.replace(/"/g, '""')) || text.includes(`Gemeinde ${XSS}`.replace(/"/g, '""')), `${p} holds the value quoted: ${text.slice(0, 400)}`);
    // a value that Excel would run as a formula starts with ' in its cell
    if (p.endsWith('/codes.csv')) {
      assert.ok(text.includes(`"'${FORMULA.replace(/"/g, '""')}"`) || text.includes(`'${FORMULA}`), `${p}: the formula is guarded`);
      assert.ok(!/(^|;)"?=HYP/m.test(text), `${p}: no cell starts with the formula`);
    }
  }
  // XML: well-formed, the payload as character data
  for (const [who, p] of [['gemeinde', `/bestellungen/${orderX}/rechnung.xml`], ['gemeinde', `/gutschriften/${credit}.xml`],
    ['admin', `/admin/rechnungen/${invoiceX}.xml`]]) {
    const d = await download(as[who], p);
    assert.equal(d.status, 200, p);
    const lint = spawnSync('xmllint', ['--noout', '-'], { input: d.bytes, encoding: 'utf8' });
    assert.equal(lint.status, 0, `${p}: ${lint.stderr}`);
    const text = d.bytes.toString('utf8');
    for (const m of RAW_MARKERS) assert.ok(!text.includes(m), `${p}: raw ${m}`);
    assert.ok(text.includes('&lt;img src=x onerror=xss(1)&gt;'), `${p}: escaped payload`);
  }
  // e-mails: the order's confirmation and the code's mail; the display name in To: encoded, one recipient
  const codeMail = await smtp.waitFor((m) => m.envelope.rcptTo.some((r) => r.address === 'eva.xss@example.org'));
  assert.deepEqual(codeMail.envelope.rcptTo.map((r) => r.address), ['eva.xss@example.org']);
  assert.equal(codeMail.mail.to.value.length, 1);
  assert.equal(codeMail.mail.to.value[0].address, 'eva.xss@example.org');
  const codeHead = codeMail.raw.toString('latin1').split('\r\n\r\n')[0];
  assert.ok(!INJECTED.test(codeHead), codeHead);
  assert.ok([XSS, ''].includes(codeMail.mail.to.value[0].name), codeHead);
  assert.ok(codeMail.mail.subject.includes(`Kurs ${XSS}`), `the subject carries the course title: ${codeMail.mail.subject}`);
  showsVerbatim(codeMail.mail.text, 'the code mail');
  assert.ok(!codeMail.mail.html, 'text only');
  const orderMail = await smtp.waitFor((m) => (m.mail.subject || '').includes(invoiceX) || (m.mail.text || '').includes(invoiceX));
  showsVerbatim(orderMail.mail.text, 'the order confirmation');
  assert.ok(smtp.messages.length > before);
});

// ---------------------------------------------------------------------------
// CR/LF in values that reach a header

/** A raw HTTP/1.1 exchange (the path sent exactly as given): {status, head, body}. */
function rawHttp(request) {
  return new Promise((resolve, reject) => {
    const sock = net.connect(srv.port, '127.0.0.1');
    const chunks = [];
    sock.setTimeout(15000, () => { sock.destroy(); reject(new Error('raw request timed out')); });
    sock.on('data', (c) => chunks.push(c));
    sock.on('error', reject);
    sock.on('end', () => {
      const text = Buffer.concat(chunks).toString('latin1');
      const end = text.indexOf('\r\n\r\n');
      resolve({ status: Number(text.slice(9, 12)), head: text.slice(0, end), body: text.slice(end + 4) });
    });
    sock.write(request);
  });
}
const rawGet = (p, cookie = '') => rawHttp(`GET ${p} HTTP/1.1\r\nHost: 127.0.0.1\r\n${cookie ? `Cookie: ${cookie}\r\n` : ''}Connection: close\r\n\r\n`);
const INJECTED = /^(x-injected|bcc|set-cookie: evil)/im;

test('CR/LF in every field of every form and in paths: no injected HTTP header, no injected e-mail header', async (t) => {
  const crlf = 'Eva\r\nX-Injected: 1\r\nBcc: evil@example.org\r\nSet-Cookie: evil=1';
  const n = await everyField([crlf, `/konto\r\nX-Injected: 1`], (res, what) => {
    notServerError(res, what);
    assert.equal(res.headers.get('x-injected'), null, what);
    assert.equal(res.headers.get('bcc'), null, what);
    assert.ok(!(res.headers.getSetCookie?.() ?? []).some((c) => c.startsWith('evil=')), what);
    const loc = res.headers.get('location');
    if (loc) assert.ok(!/[\r\n]/.test(loc), `${what}: Location ${JSON.stringify(loc)}`);
  });
  t.diagnostic(`${n} requests`);
  assert.ok(n > 100, `${n} requests`);
  // login's next (a redirect target) with CR/LF, raw
  const guest = new Client(srv.baseUrl);
  const csrf = await csrfOf(guest);
  const loginBody = `csrf=${csrf}&username=kollegin&password=${PW}&next=%2Fkonto%0D%0AX-Injected%3A%201`;
  let r = await rawHttp(`POST /login HTTP/1.1\r\nHost: 127.0.0.1\r\nCookie: ${guest.cookieHeader()}\r\n` +
    `Content-Type: application/x-www-form-urlencoded\r\nContent-Length: ${loginBody.length}\r\nConnection: close\r\n\r\n${loginBody}`);
  assert.equal(r.status, 303, r.head);
  assert.ok(!INJECTED.test(r.head), r.head);
  assert.match(r.head, /^Location: \/\r?$/m, 'the refused next is dropped');
  // login's next: only a local path is followed, never another host
  for (const next of ['//evil.example/', '/\\evil.example', 'https://evil.example/', '\\\\evil.example', ' //evil.example',
    '/%2F/evil.example', 'javascript:alert(1)', '/\t/evil.example']) {
    const g = new Client(srv.baseUrl);
    const res = await g.post('/login', { csrf: await csrfOf(g), username: 'kollegin', password: PW, next });
    assert.equal(res.status, 303, next);
    const loc = res.headers.get('location');
    assert.ok(loc.startsWith('/') && !/^\/[\/\\]/.test(loc) && !/[\s]/.test(loc), `next=${JSON.stringify(next)}: Location ${loc}`);
  }
  // paths with CR/LF where a path becomes a header (the login redirect's next, a download's filename)
  for (const p of ['/konto%0D%0AX-Injected:%201', '/bestellen%0D%0ASet-Cookie:%20evil=1', '/zertifikat/Z%0D%0AX-Injected:1.pdf',
    `/bestellungen/${ids.orderA}%0D%0AX-Injected:%201/rechnung.pdf`, '/meine-kurse%0AX-Injected:%201']) {
    r = await rawGet(p);
    assert.ok([400, 404].includes(r.status), `${p}: ${r.status}`);
    assert.ok(!INJECTED.test(r.head), `${p}: ${r.head}`);
  }
  // every e-mail of this run: no injected header, no recipient from a value
  await until(() => Number(sqlValue(srv, 'SELECT count(*) FROM outbox WHERE sent_at IS NULL AND given_up_at IS NULL')) === 0,
    { ms: 30000, what: 'the outbox delivered' });
  assert.ok(smtp.messages.length > 0);
  for (const m of smtp.messages) {
    const head = m.raw.toString('latin1').split('\r\n\r\n')[0];
    assert.ok(!INJECTED.test(head), head);
    assert.ok(!m.envelope.rcptTo.some((x) => x.address.includes('evil')), JSON.stringify(m.envelope));
  }
  assert.equal(sqlValue(srv, "SELECT count(*) FROM outbox WHERE recipients LIKE '%evil%'"), '0');
});

// ---------------------------------------------------------------------------

test('a forged Host header never reaches a link: the reset mail links to [server] base_url', async () => {
  const g = new Client(srv.baseUrl);
  const csrf = await csrfOf(g);
  const form = `csrf=${csrf}&login=${encodeURIComponent('kollegin@musterstadt.gv.at')}`;
  const before = smtp.messages.length;
  const r = await rawHttp(`POST /passwort-vergessen HTTP/1.1\r\nHost: evil.example\r\nX-Forwarded-Host: evil.example\r\n` +
    `Cookie: ${g.cookieHeader()}\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: ${form.length}\r\n` +
    `Connection: close\r\n\r\n${form}`);
  assert.equal(r.status, 200, r.head);
  const mail = await smtp.waitFor((m, i) => smtp.messages.indexOf(m) >= before &&
    m.envelope.rcptTo.some((x) => x.address === 'kollegin@musterstadt.gv.at'));
  assert.ok(mail.mail.text.includes(`${srv.baseUrl}/passwort-neu?t=`), mail.mail.text);
  assert.ok(!mail.raw.toString('latin1').includes('evil.example'));
});

test('path traversal on static, PDF and CSV routes answers 400 or 404 and never a file outside', async () => {
  const conf = fs.readFileSync(srv.conf, 'utf8');
  const probes = [
    '/static/../voucher.conf', '/static/..%2fvoucher.conf', '/static/%2e%2e/voucher.conf', '/static/%2e%2e%2fvoucher.conf',
    '/static/..%2f..%2f..%2f..%2f..%2fetc%2fpasswd', '/static/../../../../../etc/passwd', '/static/..\\..\\etc\\passwd',
    '/static/%2e%2e%5c%2e%2e%5cetc%5cpasswd', '/static//etc/passwd', '/static/%252e%252e/voucher.conf', '/static../voucher.conf',
    '/static/style.css%00.html', '/static/style.css/../../voucher.conf', '/static/%c0%ae%c0%ae/voucher.conf',
    '/bestellungen/../voucher.conf', `/bestellungen/${ids.orderA}/..%2f..%2fvoucher.conf`, '/bestellungen/..%2f..%2fetc%2fpasswd/rechnung.pdf',
    `/bestellungen/%2e%2e/codes.csv`, '/bestellungen/1%00/rechnung.pdf',
    '/zertifikat/..%2f..%2fetc%2fpasswd.pdf', '/zertifikat/%2e%2e%2fvoucher.pdf', '/gutschriften/..%2fvoucher.pdf',
    '/gemeinde/schulungen.csv/../../voucher.conf', '/gemeinde/..%2fschulungen.csv', '/admin/rechnungen.csv%2f..%2f..%2fvoucher.conf',
    '/admin/rechnungen/..%2f..%2fvoucher.xml', '/%2e%2e/%2e%2e/etc/passwd', '/..%2f..%2fetc/passwd',
  ];
  const cookie = as.gemeinde.cookieHeader();
  for (const p of probes) {
    const r = await rawGet(p, cookie);
    assert.ok([400, 404].includes(r.status), `${p}: ${r.status}\n${r.head}`);
    assert.ok(!r.body.includes('root:x:0:0') && !r.body.includes('[security]') && !r.body.includes(conf.slice(0, 40)), `${p}: a file's content`);
  }
  // the real file is served (the probes could have succeeded)
  const ok = await rawGet('/static/style.css');
  assert.equal(ok.status, 200);
});

test('session fixation: a cookie set before login is never the session after it', async () => {
  // a value chosen by an attacker
  const fixed = 'A'.repeat(43);
  const c = new Client(srv.baseUrl);
  c.setCookie('vp_session', fixed);
  let res = await login(c, 'kollegin', PW);
  assert.equal(res.status, 303);
  const after = c.cookies.get('vp_session');
  assert.ok(after && after !== fixed, 'a new session cookie');
  const attacker = new Client(srv.baseUrl);
  attacker.setCookie('vp_session', fixed);
  assert.doesNotMatch((await attacker.get('/konto')).text, /Abmelden/, 'the fixed value is no session');
  // the attacker's own, real session planted in the victim's browser
  const planted = as.gemeinde2.cookies.get('vp_session');
  const victim = new Client(srv.baseUrl);
  const form = await new Client(srv.baseUrl).get('/login');
  victim.setCookie('vp_session', planted);
  // the victim, logged in as the attacker without knowing, logs in as themself
  const victimForm = await victim.get('/login');
  assert.equal(victimForm.status, 303, 'a logged-in browser is sent away from /login');
  victim.cookies.delete('vp_session');
  victim.setCookie('vp_session', planted.slice(0, -1) + (planted.endsWith('A') ? 'B' : 'A')); // a near miss
  res = await login(victim, 'gemeinde', PW);
  assert.equal(res.status, 303);
  assert.notEqual(victim.cookies.get('vp_session'), planted);
  // the attacker's session is still the attacker's: not upgraded to the victim's account
  const attackerPage = await as.gemeinde2.get('/konto');
  assert.match(attackerPage.text, /bernd\.beispiel@beispielsdorf\.gv\.at/);
  assert.doesNotMatch(attackerPage.text, /gerda\.gemeindeamt/);
  assert.ok(form.status === 200);
});

test('CSRF across login and logout: a token from before the login authorises nothing after it, nor after the logout', async () => {
  const c = new Client(srv.baseUrl);
  const guestToken = csrfFrom((await c.get('/login')).text);
  const guestCookie = c.cookies.get('vp_csrf');
  assert.ok(guestToken && guestCookie, 'a guest token and its vp_csrf cookie');
  assert.equal((await c.post('/login', { csrf: guestToken, username: 'kollegin', password: PW })).status, 303);
  assert.ok(c.cookies.get('vp_csrf') && c.cookies.get('vp_csrf') !== guestCookie, 'vp_csrf rotated at login');
  const before = snapshot();
  const loggedIn = async () => /Abmelden/.test((await c.get('/konto')).text);
  // a POST after the login with the token known before it: 403, nothing changed, still logged in
  let res = await c.post('/logout', { csrf: guestToken });
  assert.equal(res.status, 403, 'pre-login token after login');
  assert.match(textOf(res.text), /Das Formular ist abgelaufen/);
  res = await c.post('/konto', { csrf: guestToken, first_name: 'Gekapert', last_name: 'X', email: 'x@example.org' });
  assert.equal(res.status, 403, 'pre-login token on a change of the account');
  // also when the old vp_csrf cookie is put back into the browser (planted, or kept by an attacker)
  c.setCookie('vp_csrf', guestCookie);
  assert.equal((await c.post('/logout', { csrf: guestToken })).status, 403, 'pre-login token with its cookie back');
  assert.ok(await loggedIn(), 'the session survived every refused POST');
  assert.equal(snapshot(), before);
  // the session's own token works; the logout rotates again
  const own = csrfFrom((await c.get('/konto')).text);
  assert.notEqual(own, guestToken);
  assert.equal((await c.post('/logout', { csrf: own })).status, 303);
  assert.ok(c.cookies.get('vp_csrf') && c.cookies.get('vp_csrf') !== guestCookie, 'vp_csrf rotated at logout');
  for (const [label, token] of [['pre-login', guestToken], ['the ended session\'s', own]]) {
    res = await c.post('/login', { csrf: token, username: 'kollegin', password: PW });
    assert.equal(res.status, 403, `${label} token after logout`);
    assert.equal(c.cookies.get('vp_session'), undefined, `${label} token: no session`);
  }
  assert.equal((await login(c, 'kollegin', PW)).status, 303, 'a fresh form logs in');
});

// ---------------------------------------------------------------------------
// IDOR: every id-carrying route of routes.c, with another municipality's ids

test('IDOR: every id-carrying route as another municipality\'s admin or another user answers 404 (or 403 by role)', async (t) => {
  const routes = fs.readFileSync(path.join(repoRoot, 'src', 'routes.c'), 'utf8');
  const idRoutes = [...routes.matchAll(/\{(M_[A-Z_ |]+), "([^"]*[*~][^"]*)", (\w+), ([^}]+)\}/g)]
    .map((m) => ({ method: m[1].includes('M_POST') ? 'POST' : 'GET', route: m[2], roles: m[4] }));
  assert.ok(idRoutes.length >= 20, `${idRoutes.length} id routes`);
  const cnA = sqlValue(srv, `SELECT c.number FROM credit_notes c JOIN orders o ON o.id = c.order_id
    JOIN municipalities m ON m.id = o.municipality_id WHERE m.gkz = '30604' LIMIT 1`);
  assert.ok(cnA && stored.cert, 'a credit note and a certificate of municipality 30604');
  const mariaId = sqlValue(srv, "SELECT id FROM accounts WHERE username = 'mitarbeiterin'");
  const arg = {
    '/bestellungen/*': ids.orderA, '/bestellungen/*/codes.csv': ids.orderA, '/bestellungen/*/rechnung.pdf': ids.orderA,
    '/bestellungen/*/rechnung.xml': ids.orderA, '/bestellungen/*/voucher.pdf': ids.orderA, '/bestellungen/*/verteilen': ids.orderA,
    '/bestellungen/codes/*': ids.codeA, '/bestellungen/codes/*/senden': ids.codeA,
    '/gutschriften/*.pdf': cnA, '/gutschriften/*.xml': cnA, '/zertifikat/*.pdf': stored.certId,
    '/admin/rechnungen/*': ids.invoiceA, '/admin/rechnungen/*/bezahlt': ids.invoiceA, '/admin/rechnungen/*/storno': ids.invoiceA,
    '/admin/rechnungen/*.xml': ids.invoiceA, '/admin/kurse/*/bearbeiten': COURSE, '/admin/gemeinden/*/bearbeiten': '30604',
    '/admin/konten/*': mariaId, '/admin/konten/*/sperren': mariaId, '/admin/konten/*/freigeben': mariaId,
    '/admin/konten/*/passwort': mariaId, '/api/v1/accounts/~': 'mitarbeiterin',
  };
  const before = snapshot();
  let checks = 0;
  for (const r of idRoutes) {
    assert.ok(Object.hasOwn(arg, r.route), `${r.method} ${r.route} of routes.c has an id in the IDOR table`);
    const p = r.route.replace(/[*~]/, String(arg[r.route]));
    const send = async (c) => (r.method === 'POST' ? c.post(p, { csrf: await csrfOf(c), name: '', email: '', course: COURSE,
      recipients: 'Eva; eva@example.org', reason: 'x', scope: 'all', paid_on: '2999-01-01', password: 'ein-gutes-passwort' }) : c.get(p));
    if (/\bLMS\b/.test(r.roles)) {
      assert.equal((await as.gemeinde2.get(p)).status, 401, `${p}: the LMS's, by token only`);
      checks++;
      continue;
    }
    const forTenants = /ROLE_TENANT_ADMIN/.test(r.roles);
    const forUsers = /ANY_ACCOUNT/.test(r.roles);
    const res2 = await send(as.gemeinde2);
    assert.equal(res2.status, forTenants || forUsers ? 404 : 403, `${r.method} ${p} as gemeinde2`);
    const resU = await send(as.kollegin);
    assert.equal(resU.status, forUsers ? 404 : 403, `${r.method} ${p} as another user`);
    checks += 2;
  }
  // the ids walked: every order and code id as the other municipality's admin, every certificate as another user
  const maxOrder = Number(sqlValue(srv, 'SELECT max(id) FROM orders'));
  for (let id = 1; id <= maxOrder + 1; id++) {
    const own = sqlValue(srv, `SELECT count(*) FROM orders o JOIN municipalities m ON m.id = o.municipality_id WHERE o.id = ${id} AND m.gkz = '61234'`) === '1';
    for (const suffix of ['', '/rechnung.pdf', '/codes.csv']) {
      const res = await download(as.gemeinde2, `/bestellungen/${id}${suffix}`);
      assert.equal(res.status, own ? 200 : 404, `order ${id}${suffix}`);
      checks++;
    }
  }
  const codes = sql(srv, "SELECT v.id FROM vouchers v JOIN municipalities m ON m.id = v.municipality_id WHERE m.gkz = '30604'").map((x) => x[0]);
  for (const id of codes) {
    const res = await as.gemeinde2.post(`/bestellungen/codes/${id}`, { csrf: await csrfOf(as.gemeinde2), name: 'Fremd', email: 'fremd@example.org' });
    assert.equal(res.status, 404, `code ${id}`);
    checks++;
  }
  for (const [nr] of sql(srv, 'SELECT id FROM certificates')) {
    for (const c of [as.kollegin, as.gemeinde2]) {
      assert.equal((await download(c, `/zertifikat/${nr}.pdf`)).status, 404, `certificate ${nr}`);
      checks++;
    }
  }
  assert.equal((await download(as.mitarbeiterin, `/zertifikat/${stored.certId}.pdf`)).status, 200, 'the holder gets it');
  // the lists and searches of the other municipality's admin show none of it
  for (const p of [`/bestellungen?q=${ids.invoiceA}`, '/bestellungen', '/gemeinde/schulungen', '/gemeinde/schulungen.csv',
    `/gemeinde/schulungen?course=${COURSE}`]) {
    const res = await download(as.gemeinde2, p);
    assert.equal(res.status, 200, p);
    let text = res.bytes.toString('utf8');
    if (p.includes('?q=')) { // the search term is shown back: no order found instead
      assert.match(textOf(text), /Keine Bestellung passt/, p);
      text = text.replaceAll(ids.invoiceA, '');
    }
    for (const foreign of [ids.invoiceA, 'mitarbeiterin', 'Musterstadt', `/bestellungen/${ids.orderA}"`]) {
      assert.ok(!text.includes(foreign), `${p} as gemeinde2 shows "${foreign}"`);
    }
    checks++;
  }
  assert.equal(diff(before, snapshot()), '', 'nothing changed');
  t.diagnostic(`${idRoutes.length} id routes, ${checks} checks`);
  assert.ok(checks > 60, `${checks} checks`);
});
