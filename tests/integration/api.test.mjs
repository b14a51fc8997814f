// The LMS API v1 through nginx + voucherd: named bearer tokens (voucherctl
// api-token), the enrollment change feed under 50 concurrent redemptions,
// the webhook into a real HTTP receiver in this process (signature checked,
// its first three calls refused), completions, the account look-up, and the
// course's address in the LMS ("Zum Kurs").  Every API answer is validated
// against docs/openapi.yaml.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { startServer, freePort } from '../lib/server.mjs';
import { Client, csrfFrom, links, login, tags, textOf } from '../lib/http.mjs';
import { checkResponse } from '../lib/openapi.mjs';
import { addUsers, order, redeemExisting, spooledMail, sql, sqlValue } from '../lib/redeem.mjs';

const SECRET = 'webhook-geheimnis-für-tests';
let srv;
let token;
let hook;

/** A real HTTP receiver: refuses its first `failFirst` calls with 500, then accepts. */
async function startReceiver(failFirst) {
  const r = { calls: 0, accepted: new Map(), badSignatures: 0, bodies: [] };
  r.server = http.createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      r.calls++;
      const raw = Buffer.concat(chunks);
      const mac = crypto.createHmac('sha256', SECRET).update(raw).digest('hex');
      const sent = req.headers['x-voucher-signature'] ?? '';
      const ok = sent.length === mac.length + 7 &&
        crypto.timingSafeEqual(Buffer.from(sent), Buffer.from(`sha256=${mac}`));
      if (!ok) r.badSignatures++;
      if (r.calls <= failFirst || !ok) {
        res.writeHead(500).end('not now');
        return;
      }
      const id = Number(req.headers['x-voucher-event-id']);
      const body = JSON.parse(raw.toString('utf8'));
      assert.equal(body.seq, id, 'X-Voucher-Event-Id is the seq');
      r.accepted.set(id, (r.accepted.get(id) ?? 0) + 1);
      r.bodies.push(body);
      res.writeHead(204).end();
    });
  });
  r.port = await freePort();
  await new Promise((resolve) => r.server.listen(r.port, '127.0.0.1', resolve));
  return r;
}

before(async () => {
  hook = await startReceiver(3);
  srv = await startServer({ extraConf: {
    mail: { retry_base_seconds: 1 },
    lms: { webhook_url: `http://127.0.0.1:${hook.port}/hook`, webhook_secret: SECRET },
  } });
  const r = srv.ctl(['api-token', 'add', 'moodle']);
  assert.equal(r.code, 0, r.stderr);
  token = r.stdout.trim();
}, { timeout: 120000 });

after(async () => {
  if (srv) await srv.stop();
  if (hook) await new Promise((r) => hook.server.close(r));
}, { timeout: 30000 });

/** An API call: {status, body} (JSON), checked against openapi.yaml under `template`. */
async function api(method, urlPath, template, { body, bearer = token } = {}) {
  const headers = {};
  if (bearer !== null) headers.authorization = `Bearer ${bearer}`;
  if (body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(srv.baseUrl + urlPath, { method, headers, body: body === undefined ? undefined
    : JSON.stringify(body), signal: AbortSignal.timeout(15000) });
  assert.match(res.headers.get('content-type') ?? '', /^application\/json/, `${method} ${urlPath}`);
  const json = await res.json();
  checkResponse(method.toLowerCase(), template, res.status, json);
  return { status: res.status, body: json };
}

const feed = (after, limit) => api('GET', `/api/v1/enrollments?after=${after}${limit ? `&limit=${limit}` : ''}`,
  '/enrollments');

/** Every feed entry after `after`, page by page. */
async function drain(after = 0, limit = 1000) {
  const all = [];
  for (;;) {
    const { status, body } = await feed(after, limit);
    assert.equal(status, 200);
    if (!body.enrollments.length) {
      assert.equal(body.next, after);
      return all;
    }
    all.push(...body.enrollments);
    after = body.next;
  }
}

async function until(cond, what, ms = 60000) {
  const deadline = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

test('a request without a token, with a wrong one or with a revoked one gets 401 in JSON', async () => {
  for (const bearer of [null, 'falsch', 'x'.repeat(43)]) {
    const res = await api('GET', '/api/v1/enrollments', '/enrollments', { bearer });
    assert.equal(res.status, 401);
  }
  const made = srv.ctl(['api-token', 'add', 'kurzlebig']);
  assert.equal(made.code, 0);
  const short = made.stdout.trim();
  assert.match(short, /^[A-Za-z0-9_-]{43}$/);
  assert.equal((await api('GET', '/api/v1/enrollments', '/enrollments', { bearer: short })).status, 200);
  assert.equal(srv.ctl(['api-token', 'add', 'kurzlebig']).code, 1, 'one valid token per name');
  const list = srv.ctl(['api-token', 'list']);
  assert.equal(list.code, 0);
  const line = list.stdout.split('\n').find((l) => l.startsWith('kurzlebig\t'));
  assert.match(line, /^kurzlebig\t\d\d\.\d\d\.\d{4} \d\d:\d\d\t\d\d\.\d\d\.\d{4} \d\d:\d\d\t-$/, 'last use recorded');
  assert.doesNotMatch(list.stdout, new RegExp(short), 'the token is never shown again');
  assert.equal(sqlValue(srv, `SELECT count(*) FROM api_tokens WHERE token_hash = CAST('${short}' AS BLOB)`), '0');
  assert.equal(srv.ctl(['api-token', 'revoke', 'kurzlebig']).code, 0);
  assert.equal((await api('GET', '/api/v1/enrollments', '/enrollments', { bearer: short })).status, 401);
  assert.equal((await api('GET', '/api/v1/enrollments', '/enrollments')).status, 200, 'other tokens still work');
  assert.equal(srv.ctl(['api-token', 'revoke', 'kurzlebig']).code, 1, 'nothing left to revoke');
});

test('the feed under 50 concurrent redemptions: every one exactly once, no gap, in order; webhook too', async () => {
  const start = (await drain()).at(-1)?.seq ?? 0;
  const users = addUsers(srv, 'feed', 50);
  const codes = order(srv, 'dsgvo-grundlagen=50');
  let polling = true;
  let seen = start;
  const poller = (async () => { // a platform polling while the redemptions run: never a gap
    while (polling) {
      const { body } = await feed(seen, 7);
      for (const e of body.enrollments) {
        assert.equal(e.seq, seen + 1, `the feed continues at ${seen + 1}`);
        seen = e.seq;
      }
    }
  })();
  const results = await Promise.all(users.map((u, i) => redeemExisting(srv, u, codes[i].code)));
  polling = false;
  await poller;
  assert.deepEqual(results.map((r) => r.status), users.map(() => 200));
  const entries = await drain(start, 13);
  assert.deepEqual(entries.map((e) => e.seq), entries.map((_, i) => start + 1 + i), 'no gap, no duplicate');
  assert.equal(entries.length, 50);
  for (const u of users) {
    const mine = entries.filter((e) => e.username === u);
    assert.equal(mine.length, 1, u);
    assert.equal(mine[0].event, 'enrolled');
    assert.equal(mine[0].course, 'dsgvo-grundlagen');
    assert.equal(mine[0].municipality_gkz, '30604');
    assert.equal(mine[0].email, `${u}@musterstadt.gv.at`);
  }
  const commitOrder = sql(srv, `SELECT a.username FROM enrollment_events ev JOIN accounts a ON a.id = ev.account_id
    WHERE ev.seq > ${start} ORDER BY ev.seq`).map((r) => r[0]);
  assert.deepEqual(entries.map((e) => e.username), commitOrder);

  // the webhook: each entry delivered and counted exactly once, every signature valid
  const last = entries.at(-1).seq;
  await until(() => [...Array(last).keys()].every((i) => hook.accepted.has(i + 1)), 'every webhook event');
  // The receiver counts an event when its request arrives; the sender marks it sent only after the answer:
  // wait for that mark too instead of reading it at once (the race that failed under load).
  await until(() => sqlValue(srv, 'SELECT count(*) FROM outbox WHERE event_seq IS NOT NULL AND sent_at IS NULL') === '0',
    'every webhook event marked sent');
  assert.ok(hook.calls >= last + 3, 'the first three calls were refused and retried');
  assert.equal(hook.badSignatures, 0);
  for (let s = 1; s <= last; s++) assert.equal(hook.accepted.get(s), 1, `event ${s} exactly once`);
  const body = hook.bodies.find((b) => b.seq === entries[0].seq);
  assert.deepEqual(body, entries[0], 'the webhook body is the feed entry');
});

test('feed parameters: limit 1..1000, numbers only', async () => {
  assert.equal((await feed(0, 1)).body.enrollments.length <= 1, true);
  for (const [q, status] of [['limit=0', 422], ['limit=1001', 422], ['after=abc', 400], ['limit=-1', 400]]) {
    const res = await api('GET', `/api/v1/enrollments?${q}`, '/enrollments');
    assert.equal(res.status, status, q);
    assert.ok(res.body.error);
  }
});

test('a release and a completion appear in the feed once each; completions are idempotent', async () => {
  const [u] = addUsers(srv, 'cycle', 1);
  const [v1, v2] = order(srv, 'dsgvo-grundlagen=1', 'buergerservice=1');
  const start = (await drain()).at(-1).seq;
  assert.equal((await redeemExisting(srv, u, v1.code)).status, 200);
  assert.equal((await redeemExisting(srv, u, v2.code)).status, 200);
  const support = new Client(srv.baseUrl);
  await login(support, 'support', 'demo-passwort');
  const page = await support.get('/support');
  const rel = await support.post('/support/codes/release', { csrf: csrfFrom(page.text), code: v2.code,
    reason: 'falsche Person' });
  assert.equal(rel.status, 303);
  // Today in Vienna: a completion may not be dated before the enrollment made just now.
  const today = new Intl.DateTimeFormat('sv-SE', { timeZone: 'Europe/Vienna' }).format(new Date());
  const body = { username: u, course: 'dsgvo-grundlagen', completed_on: today };
  const done = await api('POST', '/api/v1/completions', '/completions', { body });
  assert.equal(done.status, 200);
  const again = await api('POST', '/api/v1/completions', '/completions', { body });
  assert.equal(again.body.certificate, done.body.certificate);
  assert.equal((await api('POST', '/api/v1/completions', '/completions',
    { body: { ...body, course: 'gibt-es-nicht' } })).status, 404);
  assert.equal((await api('POST', '/api/v1/completions', '/completions', { body: { username: u } })).status, 422);
  const entries = await drain(start);
  assert.deepEqual(entries.map((e) => [e.event, e.course]), [['enrolled', 'dsgvo-grundlagen'],
    ['enrolled', 'buergerservice'], ['released', 'buergerservice'], ['completed', 'dsgvo-grundlagen']]);
});

test('GET /api/v1/accounts/{username}: the account and its enrollments, or 404', async () => {
  const [u] = addUsers(srv, 'look.up_', 1);
  const [v] = order(srv, 'dsgvo-grundlagen=1');
  assert.equal((await redeemExisting(srv, u, v.code)).status, 200);
  const res = await api('GET', `/api/v1/accounts/${u.toUpperCase()}`, '/accounts/{username}');
  assert.equal(res.status, 200);
  assert.equal(res.body.username, u);
  assert.equal(res.body.municipality_gkz, '30604');
  assert.deepEqual(res.body.enrollments.map((e) => [e.course, e.completed_on]), [['dsgvo-grundlagen', null]]);
  const none = await api('GET', '/api/v1/accounts/niemand', '/accounts/{username}');
  assert.equal(none.status, 404);
  const unknownPath = await fetch(`${srv.baseUrl}/api/v1/gibt-es-nicht`, { headers: { authorization: `Bearer ${token}` } });
  assert.equal(unknownPath.status, 404);
  assert.ok((await unknownPath.json()).error);
});

test('"Zum Kurs": the catalog url from the CSV on the success page, in the mail and on Meine Kurse', async () => {
  const csv = (url) => 'kind,slug,title,description,hours,price_cents,courses,url\n' +
    `course,lms-kurs,Kurs mit Lernplattform,Beschreibung,4,9900,,${url}\n`;
  const file = path.join(srv.dir, 'catalog-url.csv');
  fs.writeFileSync(file, csv('http://unsicher.example/kurs'));
  const bad = srv.ctl(['catalog', 'import', file]);
  assert.equal(bad.code, 1);
  assert.match(bad.stderr, /Zeile 2: url: .*https:\/\//);
  fs.writeFileSync(file, csv('https://lernen.example.at/course/17?x=1&y=2'));
  assert.equal(srv.ctl(['catalog', 'import', file]).code, 0);
  assert.equal(sqlValue(srv, "SELECT url FROM catalog_items WHERE slug = 'lms-kurs'"),
    'https://lernen.example.at/course/17?x=1&y=2');
  fs.writeFileSync(file, 'kind,slug,title,description,hours,price_cents,courses\ncourse,lms-kurs,Kurs mit Lernplattform,B,4,9900,\n');
  assert.equal(srv.ctl(['catalog', 'import', file]).code, 0, 'a file without the column still imports');
  assert.equal(sqlValue(srv, "SELECT url FROM catalog_items WHERE slug = 'lms-kurs'"),
    'https://lernen.example.at/course/17?x=1&y=2', 'and leaves the url as it was');

  const username = 'zumkurs';
  assert.equal(srv.ctl(['user', 'add', '--username', username, '--email', 'zum.kurs@musterstadt.gv.at',
    '--first-name', 'Zoe', '--last-name', 'Kurs', '--role', 'user', '--tenant', '30604'],
  { input: 'ein-gutes-passwort\n' }).code, 0);
  const c = new Client(srv.baseUrl);
  await login(c, username, 'ein-gutes-passwort');
  const [v] = order(srv, 'lms-kurs=1');
  const raw = v.code.replaceAll('-', '').toLowerCase().replace(/^sba/, '');
  const form = await c.get(`/voucher/einloesen?code=${raw}`);
  const values = Object.fromEntries(tags(form.text, 'input').filter((t) => t.attrs.id).map((t) => [t.attrs.id, t.attrs.value]));
  assert.equal(values['ex-code'], v.code, 'the code, normalised for display');
  assert.equal(values['nw-code'], v.code);
  assert.equal(values['ex-username'], username, 'the logged-in person\'s username');
  const done = await redeemExisting(srv, username, v.code, c);
  assert.equal(done.status, 200);
  const link = links(done.text).find((l) => l.class.includes('course-link'));
  assert.equal(link?.href, 'https://lernen.example.at/course/17?x=1&y=2');
  assert.match(link.text, /Zum Kurs.*Kurs mit Lernplattform/);
  const mail = await spooledMail(srv, 'zum.kurs@musterstadt.gv.at');
  assert.ok(mail, 'the confirmation mail');
  assert.match(mail.text, /Kurs mit Lernplattform: https:\/\/lernen\.example\.at\/course\/17\?x=1&y=2/);
  const mine = await c.get('/meine-kurse');
  const courseLink = links(mine.text).find((l) => l.class.includes('course-link'));
  assert.equal(courseLink?.href, 'https://lernen.example.at/course/17?x=1&y=2');
  assert.match(textOf(mine.text), /Zum Kurs/);
});

test('voucherctl accounts import: LMS accounts without a password, all lines or none, line numbers named', async () => {
  const file = path.join(srv.dir, 'accounts.csv');
  const head = 'username,email,first_name,last_name,gkz\n';
  fs.writeFileSync(file, `${head}lms.anna,anna@musterstadt.gv.at,Anna,Aus dem LMS,30604\n` +
    'lms.bert,keine-adresse,Bert,B,30604\n');
  const bad = srv.ctl(['accounts', 'import', file]);
  assert.equal(bad.code, 1);
  assert.match(bad.stderr, /Zeile 3: email/);
  assert.equal(sqlValue(srv, "SELECT count(*) FROM accounts WHERE username = 'lms.anna'"), '0', 'all lines or none');
  fs.writeFileSync(file, `${head}lms.anna,anna@musterstadt.gv.at,Anna,Aus dem LMS,30604\nlms.bert,b@x.at,Bert,B,99999\n`);
  assert.match(srv.ctl(['accounts', 'import', file]).stderr, /Zeile 3: gkz/);
  fs.writeFileSync(file, `${head}support,s@x.at,S,S,30604\n`);
  assert.match(srv.ctl(['accounts', 'import', file]).stderr, /Zeile 2: username: support ist ein Konto der Rolle support/);
  fs.writeFileSync(file, `${head}lms.anna,anna@musterstadt.gv.at,Anna,Aus dem LMS,30604\n` +
    'lms.bert,bert@beispielsdorf.gv.at,Bert,Berger,61234\n');
  const ok = srv.ctl(['accounts', 'import', file]);
  assert.equal(ok.code, 0, ok.stderr);
  assert.match(ok.stdout, /2 Konten angelegt, 0 aktualisiert/);
  fs.writeFileSync(file, `${head}LMS.ANNA,anna.neu@musterstadt.gv.at,Anna,Neu,30604\n`);
  assert.match(srv.ctl(['accounts', 'import', file]).stdout, /0 Konten angelegt, 1 aktualisiert/);
  assert.deepEqual(sql(srv, "SELECT email, last_name, password_hash FROM accounts WHERE username = 'lms.anna'")[0],
    ['anna.neu@musterstadt.gv.at', 'Neu', '']);
  assert.equal((await login(new Client(srv.baseUrl), 'lms.anna', '')).status, 422, 'no password to log in with');
  assert.equal((await login(new Client(srv.baseUrl), 'lms.anna', 'irgendwas-langes')).status, 401);
  const [v] = order(srv, 'dsgvo-grundlagen=1');
  assert.equal((await redeemExisting(srv, 'lms.anna', v.code)).status, 200, 'redeems with the username');
  const res = await api('GET', '/api/v1/accounts/lms.bert', '/accounts/{username}');
  assert.equal(res.body.municipality_gkz, '61234');
});

test('failing webhook deliveries are shown to support and kept for retrying', async () => {
  const dead = await freePort(); // nothing listens there
  const s = await startServer({ extraConf: { mail: { retry_base_seconds: 1 },
    lms: { webhook_url: `http://127.0.0.1:${dead}/hook`, webhook_secret: SECRET } } });
  try {
    const [u] = addUsers(s, 'tot', 1);
    const [v] = order(s, 'dsgvo-grundlagen=1');
    assert.equal((await redeemExisting(s, u, v.code)).status, 200);
    await until(() => Number(sqlValue(s, `SELECT count(*) FROM outbox WHERE event_seq IS NOT NULL
      AND sent_at IS NULL AND attempts > 0`)) > 0, 'a failed webhook attempt');
    const support = new Client(s.baseUrl);
    await login(support, 'support', 'demo-passwort');
    const page = textOf((await support.get('/support')).text);
    assert.match(page, /Lernplattform-Webhook: 1 Meldung\(en\) an die Lernplattform noch nicht zugestellt/);
    assert.match(page, /Letzter Fehler: .*(connect|Connection|refused)/i);
    assert.equal(sqlValue(s, 'SELECT count(*) FROM outbox WHERE event_seq IS NOT NULL AND given_up_at IS NOT NULL'),
      '0', 'never given up');
  } finally {
    await s.stop();
  }
});
