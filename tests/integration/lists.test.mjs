// Admin lists at size (issue 8): /admin/gemeinden, /admin/konten, /admin/protokoll and /admin/kurse page with
// page links that keep the search, in a stable order, and every row appears on exactly one page; the account
// form's municipality is a GKZ field with suggestions, not a select of every municipality.  The rows beyond the
// demo data are written with sqlite3 (the lists only read them).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from '../lib/server.mjs';
import { Client, login, tags, textOf } from '../lib/http.mjs';
import { sql, sqlValue } from '../lib/redeem.mjs';

const PW = 'demo-passwort';
const EXTRA = 230; // municipalities and accounts added: three pages of 100
let srv;
let admin;

before(async () => {
  srv = await startServer();
  const now = Math.floor(Date.now() / 1000);
  const values = [];
  for (let i = 0; i < EXTRA; i++) {
    const gkz = String(90000 + i);
    values.push(`('${gkz}', 'Listengemeinde ${String(i).padStart(3, '0')}', 'gemeinde${i}@example.at', ${now})`);
  }
  sql(srv, `INSERT INTO municipalities (gkz, name, invoice_email, created_at) VALUES ${values.join(',')};`);
  sql(srv, `INSERT INTO accounts (username, email, first_name, last_name, role, municipality_id, password_hash,
    created_at) SELECT 'liste.' || substr(gkz, 3), 'post' || substr(gkz, 3) || '@liste.example.at', 'Vorname',
    'Listennachname' || substr(gkz, 3), 'user', id, 'x', ${now} FROM municipalities WHERE gkz >= '90000';`);
  const audit = [];
  for (let i = 0; i < EXTRA; i++) audit.push(`(${now}, 'list.test', 'eintrag-${i}', 'detail')`);
  sql(srv, `INSERT INTO audit_log (at, action, subject, detail) VALUES ${audit.join(',')};`);
  admin = new Client(srv.baseUrl);
  assert.equal((await login(admin, 'admin', PW)).status, 303);
}, { timeout: 120000 });

after(async () => {
  if (srv) await srv.stop();
}, { timeout: 30000 });

const hrefs = (html, re) => tags(html, 'a').map((a) => a.attrs.href).filter((h) => re.test(h));
const nextOf = (html) => tags(html, 'a').find((a) => a.attrs.rel === 'next')?.attrs.href;
const prevOf = (html) => tags(html, 'a').find((a) => a.attrs.rel === 'prev')?.attrs.href;

/** Follows the "Nächste Seite" links from url; returns the pages' html. */
async function allPages(url) {
  const pages = [];
  for (let next = url; next && pages.length < 50; next = nextOf(pages.at(-1))) {
    const res = await admin.get(next);
    assert.equal(res.status, 200, `GET ${next}`);
    pages.push(res.text);
  }
  return pages;
}

test('/admin/gemeinden: 100 a page by name, page links, every municipality on exactly one page', async () => {
  const pages = await allPages('/admin/gemeinden');
  const total = Number(sqlValue(srv, 'SELECT count(*) FROM municipalities'));
  assert.equal(pages.length, Math.ceil(total / 100));
  const seen = pages.flatMap((p) => hrefs(p, /^\/admin\/gemeinden\/\d{5}\/bearbeiten$/));
  assert.equal(seen.length, total);
  assert.equal(new Set(seen).size, total, 'no municipality twice');
  const expected = sql(srv, 'SELECT gkz FROM municipalities ORDER BY name, gkz').map((r) => `/admin/gemeinden/${r[0]}/bearbeiten`);
  assert.deepEqual(seen, expected, 'ordered by name, then GKZ');
  assert.equal(prevOf(pages[0]), undefined, 'no previous page on page 1');
  assert.equal(nextOf(pages.at(-1)), undefined, 'no next page on the last');
  assert.equal(prevOf(pages[1]), '/admin/gemeinden', 'page 2 links back to page 1');
  assert.match(textOf(pages[1]), /Seite 2/);
});

test('/admin/gemeinden searches by the start of the GKZ and by a part of the name, and the page links keep it', async () => {
  const byGkz = await admin.get('/admin/gemeinden?q=9010');
  assert.deepEqual(hrefs(byGkz.text, /bearbeiten$/).length, 10);
  const pages = await allPages('/admin/gemeinden?q=listengemeinde');
  assert.equal(pages.length, 3);
  assert.equal(nextOf(pages[0]), '/admin/gemeinden?q=listengemeinde&seite=2');
  assert.equal(pages.flatMap((p) => hrefs(p, /bearbeiten$/)).length, EXTRA);
  const none = await admin.get('/admin/gemeinden?q=gibt-es-nicht');
  assert.match(textOf(none.text), /Keine Gemeinden gefunden/);
  const encoded = await admin.get('/admin/gemeinden?seite=2&q=' + encodeURIComponent('gemeinde 0'));
  assert.equal(encoded.status, 200);
  assert.equal(prevOf(encoded.text), '/admin/gemeinden?q=gemeinde%200', 'the search is kept, encoded');
});

test('/admin/konten pages by username with the filters kept in the links; search by the start of a name or e-mail', async () => {
  const pages = await allPages('/admin/konten?role=user');
  const users = Number(sqlValue(srv, "SELECT count(*) FROM accounts WHERE role = 'user'"));
  const seen = pages.flatMap((p) => hrefs(p, /^\/admin\/konten\/\d+$/));
  assert.equal(seen.length, users);
  assert.equal(new Set(seen).size, users);
  const expected = sql(srv, "SELECT id FROM accounts WHERE role = 'user' ORDER BY username").map((r) => `/admin/konten/${r[0]}`);
  assert.deepEqual(seen, expected);
  assert.equal(nextOf(pages[0]), '/admin/konten?role=user&seite=2');

  const byMail = await admin.get('/admin/konten?q=POST01');
  assert.equal(hrefs(byMail.text, /^\/admin\/konten\/\d+$/).length, 10, 'e-mail prefix, any case');
  const byName = await admin.get('/admin/konten?q=listennachname');
  assert.equal(hrefs(byName.text, /^\/admin\/konten\/\d+$/).length, 100);
  assert.equal(nextOf(byName.text), '/admin/konten?q=listennachname&seite=2');
  const tenant = await admin.get('/admin/konten?tenant=90007');
  assert.deepEqual(hrefs(tenant.text, /^\/admin\/konten\/\d+$/),
    [`/admin/konten/${sqlValue(srv, "SELECT id FROM accounts WHERE username = 'liste.007'")}`]);
  const past = await admin.get('/admin/konten?role=user&seite=999');
  assert.equal(past.status, 200);
  assert.match(textOf(past.text), /Keine Konten gefunden/);
  assert.equal(prevOf(past.text), '/admin/konten?role=user&seite=998');
});

test('/admin/protokoll pages newest first; /admin/kurse searches by slug or title', async () => {
  const pages = await allPages('/admin/protokoll?q=eintrag-');
  assert.equal(pages.length, 3);
  const subjects = pages.flatMap((p) => [...p.matchAll(/<td>(eintrag-\d+)<\/td>/g)].map((m) => m[1]));
  assert.equal(subjects.length, EXTRA);
  assert.equal(subjects[0], `eintrag-${EXTRA - 1}`, 'newest first');
  assert.equal(new Set(subjects).size, EXTRA);
  const kurse = await admin.get('/admin/kurse?q=DSGVO');
  const edits = hrefs(kurse.text, /^\/admin\/kurse\/[^/]+\/bearbeiten$/);
  assert.ok(edits.includes('/admin/kurse/dsgvo-grundlagen/bearbeiten'));
  const all = hrefs((await admin.get('/admin/kurse')).text, /^\/admin\/kurse\/[^/]+\/bearbeiten$/);
  assert.ok(edits.length < all.length, 'the search narrows the list');
});

test('the account form asks for the GKZ with suggestions instead of a select of every municipality', async () => {
  for (const page of ['/admin/konten/neu', '/admin/konten']) {
    const { text } = await admin.get(page);
    assert.ok(!/<select[^>]*name="tenant"/.test(text), `${page}: no select`);
    const input = tags(text, 'input').find((t) => t.attrs.name === 'tenant');
    assert.equal(input?.attrs.list, 'gemeinden', `${page}: the field names its suggestions`);
    const options = tags(text.slice(text.indexOf('<datalist id="gemeinden">')), 'option');
    assert.ok(options.some((o) => o.attrs.value === '90229'), `${page}: suggestions hold every municipality`);
  }
});
