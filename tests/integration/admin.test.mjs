// Administration (/admin/...) through nginx: roles and CSRF, the catalog
// (add, price change, taking out of the catalog while sold codes still
// redeem, packages), municipalities, accounts (add, disable, password), the
// audit log and escaping.  One server; each case one behaviour.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { assertEveryErrorAtItsField as assertAtFields } from '../lib/forms.mjs';
import { startServer } from '../lib/server.mjs';
import { Client, csrfFrom, login, textOf, tags } from '../lib/http.mjs';
import { order, redeemExisting, redeemError, sql, sqlValue, voucherState, accountId } from '../lib/redeem.mjs';

const PW = 'demo-passwort';
let srv;

before(async () => {
  srv = await startServer();
}, { timeout: 120000 });

after(async () => {
  if (srv) await srv.stop();
}, { timeout: 30000 });

async function loggedIn(username, password = PW) {
  const c = new Client(srv.baseUrl);
  const res = await login(c, username, password);
  assert.equal(res.status, 303, `login as ${username}: ${res.status}`);
  return c;
}

/** GETs page, then POSTs fields with the page's csrf token. */
async function submit(c, page, action, fields) {
  const got = await c.get(page);
  assert.equal(got.status, 200, `GET ${page}: ${got.status}`);
  const csrf = csrfFrom(got.text);
  return c.post(action, Array.isArray(fields) ? [['csrf', csrf], ...fields] : { csrf, ...fields });
}

/** fields: an object (merged with defaults for a course) or an array of pairs sent as they are (repeated names). */
const addItem = (c, fields) => submit(c, '/admin/kurse/neu', '/admin/kurse/neu', Array.isArray(fields) ? fields
  : { kind: 'course', description: 'Beschreibung', hours: '4', active: '1', ...fields });
const editItem = (c, slug, fields) => submit(c, `/admin/kurse/${slug}/bearbeiten`, `/admin/kurse/${slug}/bearbeiten`, fields);
const errorOf = (html) => textOf(html.match(/<div class="alert" role="alert" id="admin-error">([\s\S]*?)<\/div>/)?.[1] ?? '');
const kurse = async () => textOf((await new Client(srv.baseUrl).get('/kurse')).text);
const auditCount = (action, subject) =>
  Number(sqlValue(srv, `SELECT count(*) FROM audit_log WHERE action = '${action}' AND subject = '${subject}'`));

const GETS = ['/admin', '/admin/protokoll', '/admin/kurse', '/admin/kurse/neu', '/admin/kurse/dsgvo-grundlagen/bearbeiten',
  '/admin/gemeinden', '/admin/gemeinden/neu', '/admin/gemeinden/30604/bearbeiten', '/admin/konten',
  '/admin/konten/neu', '/admin/konten/1'];
const POSTS = ['/admin/kurse/neu', '/admin/kurse/dsgvo-grundlagen/bearbeiten', '/admin/gemeinden/neu',
  '/admin/gemeinden/30604/bearbeiten', '/admin/konten/neu', '/admin/konten/1/sperren',
  '/admin/konten/1/freigeben', '/admin/konten/1/passwort'];

// ---------------------------------------------------------------------------
// Roles and CSRF

test('a guest is sent to the login for every admin page and refused every admin POST', async () => {
  const c = new Client(srv.baseUrl);
  const csrf = csrfFrom((await c.get('/login')).text);
  for (const p of GETS) {
    const res = await c.get(p);
    assert.equal(res.status, 303, `GET ${p}`);
    assert.equal(res.headers.get('location'), `/login?next=${p}`);
  }
  for (const p of POSTS) assert.equal((await c.post(p, { csrf })).status, 403, `POST ${p}`);
});

test('user, tenant_admin and support get 403 on every admin page and POST', async () => {
  for (const who of ['mitarbeiterin', 'gemeinde', 'support']) {
    const c = await loggedIn(who);
    const csrf = csrfFrom((await c.get('/')).text);
    for (const p of GETS) assert.equal((await c.get(p)).status, 403, `${who}: GET ${p}`);
    for (const p of POSTS) {
      assert.equal((await c.post(p, { csrf, slug: 'x-rolle', title: 'X', hours: '1', price: '1', kind: 'course' })).status,
        403, `${who}: POST ${p}`);
    }
    assert.ok(!tags((await c.get('/')).text, 'a').some((a) => a.attrs.href === '/admin'), `${who}: no menu item Verwaltung`);
  }
  assert.equal(sqlValue(srv, "SELECT count(*) FROM catalog_items WHERE slug = 'x-rolle'"), '0');
});

test('a page forbidden by role says "nicht berechtigt" in plain words, not that a form expired', async () => {
  const c = await loggedIn('mitarbeiterin');
  const csrf = csrfFrom((await c.get('/')).text);
  for (const res of [await c.get('/admin'), await c.get('/bestellen'), await c.post('/admin/kurse/neu', { csrf })]) {
    assert.equal(res.status, 403);
    const text = textOf(res.text);
    assert.match(text, /Nicht berechtigt/);
    assert.match(text, /nicht berechtigt/);
    assert.doesNotMatch(text, /abgelaufen|Sicherheitsprüfung/);
  }
  const expired = await c.post('/konto/passwort', { csrf: 'x'.repeat(43) });
  assert.equal(expired.status, 403);
  assert.match(textOf(expired.text), /Sicherheitsprüfung fehlgeschlagen.*Formular ist abgelaufen/s);
});

test('the admin sees the menu item Verwaltung and the overview links to the three lists', async () => {
  const c = await loggedIn('admin');
  const home = await c.get('/');
  assert.ok(tags(home.text, 'a').some((a) => a.attrs.href === '/admin'), 'menu link /admin');
  const page = await c.get('/admin');
  assert.equal(page.status, 200);
  for (const href of ['/admin/kurse', '/admin/gemeinden', '/admin/konten']) {
    assert.ok(tags(page.text, 'a').some((a) => a.attrs.href === href), `link ${href}`);
  }
});

test('an admin POST without a valid csrf token is refused with 403 and writes nothing', async () => {
  const c = await loggedIn('admin');
  const res = await c.post('/admin/kurse/neu', { kind: 'course', slug: 'ohne-csrf', title: 'Ohne', hours: '1', price: '1' });
  assert.equal(res.status, 403);
  const wrong = await c.post('/admin/kurse/neu', { csrf: 'A'.repeat(43), kind: 'course', slug: 'ohne-csrf', title: 'Ohne', hours: '1', price: '1' });
  assert.equal(wrong.status, 403);
  assert.equal(sqlValue(srv, "SELECT count(*) FROM catalog_items WHERE slug = 'ohne-csrf'"), '0');
});

// ---------------------------------------------------------------------------
// Catalog

test('an added course appears at once on /kurse (guest cache renewed) and in /bestellen', async () => {
  await kurse(); // the guest page is cached now
  const c = await loggedIn('admin');
  const res = await addItem(c, { slug: 'neu-kurs', title: 'Neuer Testkurs Gemeinderecht', price: '149,00' });
  assert.equal(res.status, 303, errorOf(res.text));
  const text = await kurse();
  assert.ok(text.includes('Neuer Testkurs Gemeinderecht'), 'on /kurse');
  assert.match(text, /Neuer Testkurs Gemeinderecht[^]{0,300}178,80 €/, 'gross price 178,80 €');
  const form = await (await loggedIn('gemeinde')).get('/bestellen');
  assert.ok(tags(form.text, 'input').some((t) => t.attrs.name === 'qty_neu-kurs'), 'orderable');
  assert.equal(auditCount('catalog.add', 'neu-kurs'), 1);
});

test('a changed price shows on /kurse with the new gross price, audited old → new', async () => {
  const c = await loggedIn('admin');
  assert.equal((await addItem(c, { slug: 'preis-kurs', title: 'Preiskurs', price: '100' })).status, 303);
  assert.match(await kurse(), /Preiskurs[^]{0,300}120,00 €/);
  const res = await editItem(c, 'preis-kurs', { title: 'Preiskurs', description: 'x', hours: '4', price: '159,50', active: '1' });
  assert.equal(res.status, 303, errorOf(res.text));
  assert.match(await kurse(), /Preiskurs[^]{0,300}191,40 €/);
  const detail = sqlValue(srv, "SELECT detail FROM audit_log WHERE action = 'catalog.edit' AND subject = 'preis-kurs'");
  assert.match(detail, /100,00 € → 159,50 €/);
});

test('a course taken out of the catalog is gone from /kurse and /bestellen, but a sold code still redeems', async () => {
  const c = await loggedIn('admin');
  assert.equal((await addItem(c, { slug: 'alt-kurs', title: 'Auslaufkurs Archivwesen', price: '50' })).status, 303);
  const [v] = order(srv, 'alt-kurs=1');
  const res = await editItem(c, 'alt-kurs', { title: 'Auslaufkurs Archivwesen', hours: '4', price: '50' }); // active off
  assert.equal(res.status, 303, errorOf(res.text));
  assert.ok(!(await kurse()).includes('Auslaufkurs Archivwesen'), 'gone from /kurse');
  const form = await (await loggedIn('gemeinde')).get('/bestellen');
  assert.ok(!tags(form.text, 'input').some((t) => t.attrs.name === 'qty_alt-kurs'), 'gone from /bestellen');
  const list = await c.get('/admin/kurse');
  assert.ok(textOf(list.text).includes('Auslaufkurs Archivwesen'), 'still listed for the admin');
  const redeemed = await redeemExisting(srv, 'mitarbeiterin', v.code);
  assert.equal(redeemError(redeemed.text), null, 'no redemption error');
  assert.notEqual(voucherState(srv, v.id).redeemed_at, null, 'code redeemed');
});

test('a package naming an unknown course is refused with a message and nothing is written', async () => {
  const c = await loggedIn('admin');
  const version = sqlValue(srv, 'SELECT version FROM catalog_version');
  const res = await addItem(c, { kind: 'package', slug: 'paket-kaputt', title: 'Paket Kaputt', price: '10',
    courses: 'dsgvo-grundlagen gibt-es-nicht' });
  assert.equal(res.status, 422);
  assert.match(errorOf(res.text), /gibt-es-nicht/);
  assert.match(tags(res.text, 'fieldset')[0].attrs['aria-describedby'], /courses-error/, 'the course choice is marked');
  assert.match(textOf(res.text.match(/<p class="error-text" id="courses-error">[\s\S]*?<\/p>/)[0]), /gibt-es-nicht/);
  assert.ok(tags(res.text, 'input').find((t) => t.attrs.id === 'course-dsgvo-grundlagen').attrs.checked !== undefined,
    'the chosen course stays ticked');
  assert.equal(tags(res.text, 'input').find((t) => t.attrs.id === 'title').attrs.value, 'Paket Kaputt', 'values shown again');
  assert.equal(sqlValue(srv, "SELECT count(*) FROM catalog_items WHERE slug = 'paket-kaputt'"), '0');
  assert.equal(sqlValue(srv, 'SELECT version FROM catalog_version'), version, 'catalog unchanged');
});

test('a package with known courses is added and lists them on /kurse', async () => {
  const c = await loggedIn('admin');
  const res = await addItem(c, { kind: 'package', slug: 'paket-neu', title: 'Paket Neu Zwei Kurse', price: '300',
    courses: 'dsgvo-grundlagen buergerservice' });
  assert.equal(res.status, 303, errorOf(res.text));
  assert.match(await kurse(), /Paket Neu Zwei Kurse[^]{0,400}DSGVO-Grundlagen[^]{0,200}Bürger\*innenservice/);
});

test('a package is edited with checkboxes of course titles; changing only the price keeps its courses', async () => {
  const c = await loggedIn('admin');
  const res = await addItem(c, [['kind', 'package'], ['slug', 'paket-haken'], ['title', 'Paket Haken'], ['price', '300'],
    ['courses', 'dsgvo-grundlagen'], ['courses', 'buergerservice']].concat([['description', 'x'], ['hours', '4'],
    ['active', '1']]));
  assert.equal(res.status, 303, errorOf(res.text));
  const form = await c.get('/admin/kurse/paket-haken/bearbeiten');
  assert.doesNotMatch(form.text, /\[0, ?1/, 'no list of indexes');
  const boxes = tags(form.text, 'input').filter((t) => t.attrs.name === 'courses');
  assert.ok(boxes.length >= 6 && boxes.every((t) => t.attrs.type === 'checkbox'), 'one checkbox per course');
  assert.deepEqual(boxes.filter((t) => t.attrs.checked !== undefined).map((t) => t.attrs.value),
    ['dsgvo-grundlagen', 'buergerservice']);
  assert.match(textOf(form.text), /DSGVO-Grundlagen für Gemeinden/, 'labelled by title');
  // The browser sends the form as it is, only the price changed.
  const fields = [['title', 'Paket Haken'], ['description', 'x'], ['hours', '4'], ['price', '320,00'], ['active', '1'],
    ...boxes.filter((t) => t.attrs.checked !== undefined).map((t) => ['courses', t.attrs.value])];
  const saved = await editItem(c, 'paket-haken', fields);
  assert.equal(saved.status, 303, errorOf(saved.text));
  assert.equal(sqlValue(srv, "SELECT price_cents FROM catalog_items WHERE slug = 'paket-haken'"), '32000');
  assert.equal(sqlValue(srv, `SELECT group_concat(c.slug, ' ') FROM package_courses pc
    JOIN catalog_items c ON c.id = pc.course_id JOIN catalog_items p ON p.id = pc.package_id
    WHERE p.slug = 'paket-haken' ORDER BY pc.position`), 'dsgvo-grundlagen buergerservice');
});

test('a catalog form with several mistakes reports all of them at once, each at its field', async () => {
  const c = await loggedIn('admin');
  const res = await addItem(c, { slug: 'Falsch Kürzel', title: '', price: '12,345', hours: 'acht' });
  assert.equal(res.status, 422);
  assert.match(errorOf(res.text), /Bitte korrigieren Sie die 4 markierten Felder/);
  for (const [field, message] of [['slug', /Kürzel/], ['title', /Titel/], ['price', /Preis/], ['hours', /Dauer/]]) {
    const input = tags(res.text, 'input').find((t) => t.attrs.id === field);
    assert.equal(input.attrs['aria-invalid'], 'true', `${field} marked`);
    assert.ok(input.attrs['aria-describedby'].includes(`${field}-error`), `${field} described by its message`);
    const at = res.text.match(new RegExp(`<p class="error-text" id="${field}-error">([\\s\\S]*?)</p>`));
    assert.ok(at, `${field}: a message at the field`);
    assert.match(textOf(at[1]), message);
  }
  assert.ok(!res.text.includes('id="description-error"'), 'a field that is fine has no message');
  assert.equal(sqlValue(srv, "SELECT count(*) FROM catalog_items WHERE title = ''"), '0');
});

test('bad catalog values are refused in German with the values shown again', async () => {
  const c = await loggedIn('admin');
  const cases = [
    [{ slug: 'Gross Buchstaben', title: 'T', price: '1' }, /Kürzel/, 'slug'],
    [{ slug: 'ok-titel', title: '', price: '1' }, /Titel/, 'title'],
    [{ slug: 'ok-preis', title: 'T', price: '12,345' }, /Preis/, 'price'],
    [{ slug: 'ok-stunden', title: 'T', price: '1', hours: 'acht' }, /Dauer/, 'hours'],
    [{ slug: 'dsgvo-grundlagen', title: 'T', price: '1' }, /schon vergeben/, 'slug'],
  ];
  for (const [fields, message, field] of cases) {
    const res = await addItem(c, fields);
    assert.equal(res.status, 422, JSON.stringify(fields));
    assert.match(errorOf(res.text), message);
    const input = tags(res.text, 'input').find((t) => t.attrs.id === field);
    assert.equal(input.attrs['aria-invalid'], 'true', `${field} marked`);
    assert.ok(input.attrs['aria-describedby'].includes(`${field}-error`), `${field}: described by its message`);
    assert.match(textOf(res.text.match(new RegExp(`<p class="error-text" id="${field}-error">[\\s\\S]*?</p>`))[0]), message,
      `${field}: the message at the field`);
  }
  assert.equal(sqlValue(srv, "SELECT count(*) FROM catalog_items WHERE slug LIKE 'ok-%'"), '0');
});

test('the slug of an item cannot be changed by editing', async () => {
  const c = await loggedIn('admin');
  const res = await editItem(c, 'dsgvo-grundlagen', { slug: 'umbenannt', title: 'DSGVO-Grundlagen für Gemeinden',
    description: 'x', hours: '8', price: '149,00', active: '1' });
  assert.equal(res.status, 303);
  assert.equal(sqlValue(srv, "SELECT count(*) FROM catalog_items WHERE slug = 'umbenannt'"), '0');
});

// ---------------------------------------------------------------------------
// Municipalities

const addTenant = (c, fields) => submit(c, '/admin/gemeinden/neu', '/admin/gemeinden/neu',
  { name: 'Testgemeinde', email: 'rechnung@test.gv.at', address: 'Hauptplatz 1\n1234 Testdorf', uid: '', ...fields });

test('a municipality is added and edited (GKZ fixed), both audited, and listed with its counts', async () => {
  const c = await loggedIn('admin');
  assert.equal((await addTenant(c, { gkz: '50101', name: 'Marktgemeinde Neuhaus' })).status, 303);
  const res = await submit(c, '/admin/gemeinden/50101/bearbeiten', '/admin/gemeinden/50101/bearbeiten',
    { gkz: '99999', name: 'Marktgemeinde Neuhaus am See', email: 'buchhaltung@neuhaus.gv.at', address: 'Platz 2', uid: 'ATU12345678' });
  assert.equal(res.status, 303, errorOf(res.text));
  assert.equal(sql(srv, "SELECT name, invoice_email, uid FROM municipalities WHERE gkz = '50101'")[0].join('|'),
    'Marktgemeinde Neuhaus am See|buchhaltung@neuhaus.gv.at|ATU12345678');
  assert.equal(sqlValue(srv, "SELECT count(*) FROM municipalities WHERE gkz = '99999'"), '0');
  assert.equal(auditCount('tenant.add', '50101'), 1);
  assert.equal(auditCount('tenant.edit', '50101'), 1);
  const list = textOf((await c.get('/admin/gemeinden')).text);
  assert.match(list, /30604 Stadtgemeinde Musterstadt buchhaltung@musterstadt\.gv\.at ATU11223344 \d+ \d+/);
});

test('the account pages suggest a municipality added or renamed at once, on every worker', async () => {
  const c = await loggedIn('admin');
  const option = (html, gkz) => html.match(new RegExp(`<option value="${gkz}">([^<]*)</option>`))?.[1];
  // every worker renders the suggestions and keeps them (several requests reach every one of them)
  for (let i = 0; i < 8; i++) assert.equal(option((await c.get('/admin/konten')).text, '50202'), undefined);
  assert.equal((await addTenant(c, { gkz: '50202', name: 'Gemeinde Vorher' })).status, 303);
  for (let i = 0; i < 8; i++) {
    assert.equal(option((await c.get('/admin/konten')).text, '50202'), 'Gemeinde Vorher');
    assert.equal(option((await c.get('/admin/konten/neu')).text, '50202'), 'Gemeinde Vorher');
  }
  const res = await submit(c, '/admin/gemeinden/50202/bearbeiten', '/admin/gemeinden/50202/bearbeiten',
    { gkz: '50202', name: 'Gemeinde Nachher', email: 'rechnung@test.gv.at', address: 'Platz 1', uid: '' });
  assert.equal(res.status, 303, errorOf(res.text));
  for (let i = 0; i < 8; i++) {
    assert.equal(option((await c.get('/admin/konten')).text, '50202'), 'Gemeinde Nachher');
    assert.equal(option((await c.get('/admin/konten/neu')).text, '50202'), 'Gemeinde Nachher');
  }
  // a change of another column (the invoice address) leaves the names' version as it is
  const v = sqlValue(srv, 'SELECT version FROM municipality_names_version');
  assert.equal((await submit(c, '/admin/gemeinden/50202/bearbeiten', '/admin/gemeinden/50202/bearbeiten',
    { gkz: '50202', name: 'Gemeinde Nachher', email: 'rechnung@test.gv.at', address: 'Platz 3', uid: '' })).status, 303);
  assert.equal(sqlValue(srv, 'SELECT version FROM municipality_names_version'), v);
});

test('a municipality with a bad GKZ or a GKZ already taken is refused', async () => {
  const c = await loggedIn('admin');
  const bad = await addTenant(c, { gkz: '123' });
  assert.equal(bad.status, 422);
  assert.match(errorOf(bad.text), /5 Ziffern/);
  const dup = await addTenant(c, { gkz: '30604' });
  assert.equal(dup.status, 422);
  assert.match(errorOf(dup.text), /gibt es bereits/);
  assert.equal(tags(dup.text, 'input').find((t) => t.attrs.id === 'gkz').attrs.value, '30604');
  assert.equal(sqlValue(srv, "SELECT count(*) FROM municipalities WHERE gkz IN ('123', '30604')"), '1');
});


/** The admin forms' inputs and messages share their names: [field, text] is input #field, message #field-error. */
function assertEveryErrorAtItsField(res, expected, fine) {
  assertAtFields(res, expected.map(([f, text]) => [f, `${f}-error`, text]), fine.map((f) => [f, `${f}-error`]));
}

test('a municipality form with several mistakes reports all of them at once, each at its field; nothing is written', async () => {
  const c = await loggedIn('admin');
  const before = sqlValue(srv, 'SELECT count(*) FROM municipalities');
  const res = await addTenant(c, { gkz: '12a', name: '', email: 'keine-adresse', uid: 'AT1234' });
  assertEveryErrorAtItsField(res, [['gkz', /genau 5 Ziffern/], ['name', /Name der Gemeinde fehlt/],
    ['email', /Rechnungs-E-Mail-Adresse ist ungültig/], ['uid', /ATU12345678/]], ['address']);
  assert.equal(tags(res.text, 'input').find((t) => t.attrs.id === 'uid').attrs.value, 'AT1234', 'values shown again');
  // a GKZ already taken is named together with the other mistakes
  const dup = await addTenant(c, { gkz: '30604', email: 'x@' });
  assertEveryErrorAtItsField(dup, [['gkz', /GKZ 30604 gibt es bereits/], ['email', /ungültig/]], ['name', 'uid']);
  assert.equal(sqlValue(srv, 'SELECT count(*) FROM municipalities'), before);
  assert.equal(sqlValue(srv, "SELECT count(*) FROM audit_log WHERE action = 'tenant.add' AND subject IN ('12a', '30604')"), '0');
  // editing: the same, and the municipality stays as it was
  const was = sql(srv, "SELECT name, invoice_email, uid FROM municipalities WHERE gkz = '30604'")[0].join('|');
  const edit = await submit(c, '/admin/gemeinden/30604/bearbeiten', '/admin/gemeinden/30604/bearbeiten',
    { name: '', email: 'kaputt', address: 'Platz 1', uid: 'DE123' });
  assertEveryErrorAtItsField(edit, [['name', /Name der Gemeinde/], ['email', /ungültig/], ['uid', /ATU12345678/]],
    ['address']);
  assert.equal(sql(srv, "SELECT name, invoice_email, uid FROM municipalities WHERE gkz = '30604'")[0].join('|'), was);
});

// ---------------------------------------------------------------------------
// Accounts

const addAccount = (c, fields) => submit(c, '/admin/konten/neu', '/admin/konten/neu', {
  first_name: 'Test', last_name: 'Person', email: 'test@musterstadt.gv.at', role: 'user', tenant: '30604',
  password: 'ein-langes-passwort', ...fields,
});
const accountAction = (c, id, action, fields = {}) => submit(c, `/admin/konten/${id}`, `/admin/konten/${id}/${action}`, fields);

test('an added account can log in; duplicates in other case and short passwords are refused', async () => {
  const c = await loggedIn('admin');
  const res = await addAccount(c, { username: 'neu.person' });
  assert.equal(res.status, 303, errorOf(res.text));
  assert.equal(res.headers.get('location'), `/admin/konten/${accountId(srv, 'neu.person')}`);
  await loggedIn('neu.person', 'ein-langes-passwort');
  const dup = await addAccount(c, { username: 'NEU.PERSON' });
  assert.equal(dup.status, 422);
  assert.match(errorOf(dup.text), /gibt es bereits/);
  const short = await addAccount(c, { username: 'kurz.pw', password: 'kurz' });
  assert.equal(short.status, 422);
  assert.match(errorOf(short.text), /mindestens 10 Zeichen/);
  assert.equal(tags(short.text, 'input').find((t) => t.attrs.id === 'password').attrs['aria-invalid'], 'true');
  assert.ok(!tags(short.text, 'input').find((t) => t.attrs.id === 'password').attrs.value, 'password never shown again');
  assert.equal(tags(short.text, 'input').find((t) => t.attrs.id === 'username').attrs.value, 'kurz.pw');
  assert.equal(accountId(srv, 'kurz.pw'), null);
  assert.equal(auditCount('account.add', 'neu.person'), 1);
});

test('an account form with several mistakes reports all of them at once, each at its field; nothing is written', async () => {
  const c = await loggedIn('admin');
  const before = sqlValue(srv, 'SELECT count(*) FROM accounts');
  const res = await addAccount(c, { username: 'x', first_name: '', email: 'nicht-gültig', tenant: '99999', password: 'kurz' });
  assertEveryErrorAtItsField(res, [['username', /3–40 Zeichen/], ['first_name', /Vorname/], ['email', /ungültig/],
    ['tenant', /Unbekannte Gemeinde \(GKZ 99999\)/], ['password', /mindestens 10 Zeichen/]], ['last_name']);
  assert.equal(tags(res.text, 'input').find((t) => t.attrs.id === 'last_name').attrs.value, 'Person', 'values shown again');
  assert.ok(!tags(res.text, 'input').find((t) => t.attrs.id === 'password').attrs.value, 'password never shown again');
  // a username already taken (other case) is named together with the other mistakes
  const dup = await addAccount(c, { username: 'ADMIN', role: 'tenant_admin', tenant: '', last_name: '' });
  assertEveryErrorAtItsField(dup, [['username', /Den Benutzernamen ADMIN gibt es bereits/], ['last_name', /Nachname/],
    ['tenant', /wählen Sie bitte eine Gemeinde/]], ['first_name', 'email', 'password']);
  const role = await addAccount(c, { username: 'rolle.falsch', role: 'chef', email: '' });
  assertEveryErrorAtItsField(role, [['email', /ungültig/], ['role', /Unbekannte Rolle/]], ['username', 'tenant']);
  assert.equal(sqlValue(srv, 'SELECT count(*) FROM accounts'), before);
  assert.equal(sqlValue(srv, "SELECT count(*) FROM audit_log WHERE action = 'account.add' AND subject IN ('x', 'ADMIN', 'rolle.falsch')"), '0');
});

test('a disabled account cannot log in (normal message) and its session ends; enabled again it can', async () => {
  const admin = await loggedIn('admin');
  assert.equal((await addAccount(admin, { username: 'sperr.person' })).status, 303);
  const id = accountId(srv, 'sperr.person');
  const victim = await loggedIn('sperr.person', 'ein-langes-passwort');
  const res = await accountAction(admin, id, 'sperren');
  assert.equal(res.status, 200);
  assert.match(textOf(res.text), /gesperrt/);
  assert.ok(!/action="\/logout"/.test((await victim.get('/')).text), 'old session ended');
  assert.equal(sqlValue(srv, `SELECT count(*) FROM sessions WHERE account_id = ${id}`), '0');
  const again = await login(new Client(srv.baseUrl), 'sperr.person', 'ein-langes-passwort');
  assert.equal(again.status, 401);
  assert.match(textOf(again.text), /Benutzername oder Passwort ist falsch/);
  assert.equal((await accountAction(admin, id, 'freigeben')).status, 200);
  await loggedIn('sperr.person', 'ein-langes-passwort');
  assert.equal(auditCount('account.disable', 'sperr.person'), 1);
  assert.equal(auditCount('account.enable', 'sperr.person'), 1);
});

test('a new password set by the admin works and the old one no longer does', async () => {
  const admin = await loggedIn('admin');
  assert.equal((await addAccount(admin, { username: 'pw.person' })).status, 303);
  const id = accountId(srv, 'pw.person');
  const short = await accountAction(admin, id, 'passwort', { password: 'zu-kurz' });
  assert.equal(short.status, 422);
  assert.match(errorOf(short.text), /mindestens 10 Zeichen/);
  assert.equal((await accountAction(admin, id, 'passwort', { password: 'ganz-neues-passwort' })).status, 200);
  assert.equal((await login(new Client(srv.baseUrl), 'pw.person', 'ein-langes-passwort')).status, 401);
  await loggedIn('pw.person', 'ganz-neues-passwort');
  assert.equal(auditCount('account.password', 'pw.person'), 1);
  assert.ok(!sqlValue(srv, "SELECT group_concat(detail) FROM audit_log WHERE action = 'account.password'")?.includes('ganz-neues'));
});

test('an admin cannot disable themself', async () => {
  const admin = await loggedIn('admin');
  const id = accountId(srv, 'admin');
  const page = await admin.get(`/admin/konten/${id}`);
  assert.ok(!page.text.includes(`/admin/konten/${id}/sperren`), 'no disable button for oneself');
  const res = await admin.post(`/admin/konten/${id}/sperren`, { csrf: csrfFrom(page.text) });
  assert.equal(res.status, 422);
  assert.match(errorOf(res.text), /eigenes Konto/);
  assert.equal(sqlValue(srv, `SELECT disabled FROM accounts WHERE id = ${id}`), '0');
  assert.equal((await admin.get('/admin')).status, 200, 'still logged in');
});

test('the account list filters by text, role and municipality', async () => {
  const c = await loggedIn('admin');
  const names = async (query) => tags((await c.get(`/admin/konten?${query}`)).text, 'a')
    .map((a) => a.attrs.href).filter((h) => /^\/admin\/konten\/\d+$/.test(h));
  const all = await names('');
  assert.ok(all.length >= 5);
  assert.deepEqual(await names('q=MITARBEITERIN'), [`/admin/konten/${accountId(srv, 'mitarbeiterin')}`]);
  const support = await names('role=support');
  assert.deepEqual(support, [`/admin/konten/${accountId(srv, 'support')}`]);
  const gkz = await names('tenant=30604');
  assert.ok(gkz.includes(`/admin/konten/${accountId(srv, 'gemeinde')}`));
  assert.ok(!gkz.includes(`/admin/konten/${accountId(srv, 'gemeinde2')}`));
});

// ---------------------------------------------------------------------------
// Escaping

test('<script> in a title, a municipality name and a person name comes out escaped on the admin lists', async () => {
  const c = await loggedIn('admin');
  const evil = '<script>alert(1)</script>';
  assert.equal((await addItem(c, { slug: 'xss-kurs', title: evil, price: '1' })).status, 303);
  assert.equal((await addTenant(c, { gkz: '50199', name: evil })).status, 303);
  assert.equal((await addAccount(c, { username: 'xss.person', first_name: evil })).status, 303);
  for (const page of ['/admin/kurse', '/admin/gemeinden', '/admin/konten']) {
    const { text } = await c.get(page);
    assert.ok(text.includes('&lt;script&gt;alert(1)&lt;/script&gt;'), `${page}: escaped`);
    assert.ok(!text.includes(evil), `${page}: never raw`);
  }
});

test('the audit log page lists admin changes newest first, filters, and escapes what it shows', async () => {
  const c = await loggedIn('admin');
  assert.equal((await addItem(c, { slug: 'protokoll-kurs', title: 'Protokollkurs', price: '10' })).status, 303);
  const res = await editItem(c, 'protokoll-kurs', {
    title: 'Protokollkurs <i>am Telefon</i>', description: 'x', hours: '4', price: '12,00', active: '1',
  });
  assert.equal(res.status, 303, errorOf(res.text));
  const page = await c.get('/admin/protokoll?q=protokoll-kurs');
  assert.equal(page.status, 200);
  assert.match(page.text, /Katalogeintrag geändert[^]*Katalogeintrag angelegt/, 'newest first');
  assert.match(page.text, /&lt;i&gt;am Telefon&lt;\/i&gt;/);
  assert.doesNotMatch(page.text, /<i>am Telefon<\/i>/);
  const rows = tags(page.text, 'tr').length - 1;
  assert.ok(rows >= 1, 'one row or more');
  const other = await c.get('/admin/protokoll?q=gibt-es-nicht-xyz');
  assert.match(textOf(other.text), /Keine Einträge gefunden/);
  const all = textOf((await c.get('/admin/protokoll')).text);
  assert.match(all, /Anmeldung/, 'logins are in the log too');
});

test('an item of 1.000 € or more saves unchanged from its edit form (the price is shown as it is read back)', async () => {
  const c = await loggedIn('admin');
  assert.equal((await addItem(c, { slug: 'teurer-kurs', title: 'Teurer Kurs', price: '1234,50' })).status, 303);
  const form = await c.get('/admin/kurse/teurer-kurs/bearbeiten');
  const price = tags(form.text, 'input').find((t) => t.attrs.name === 'price')?.attrs.value;
  assert.equal(price, '1.234,50', 'shown in the app\'s own format');
  const res = await editItem(c, 'teurer-kurs', { title: 'Teurer Kurs', description: 'Beschreibung', hours: '4', price, active: '1' });
  assert.equal(res.status, 303, errorOf(res.text));
  assert.match(await kurse(), /Teurer Kurs[^]{0,300}1\.234,50 €/);
  assert.equal(sqlValue(srv, "SELECT price_cents FROM catalog_items WHERE slug = 'teurer-kurs'"), '123450');
});

test('the price field takes the app\'s own format: 1.234,50 and 2.000,00 € are saved as such', async () => {
  const c = await loggedIn('admin');
  assert.equal((await addItem(c, { slug: 'punkt-kurs', title: 'Punktkurs', price: '1.234,50' })).status, 303);
  assert.equal(sqlValue(srv, "SELECT price_cents FROM catalog_items WHERE slug = 'punkt-kurs'"), '123450');
  const res = await editItem(c, 'punkt-kurs', { title: 'Punktkurs', description: 'x', hours: '1', price: '2.000,00 €', active: '1' });
  assert.equal(res.status, 303, errorOf(res.text));
  assert.equal(sqlValue(srv, "SELECT price_cents FROM catalog_items WHERE slug = 'punkt-kurs'"), '200000');
  const bad = await editItem(c, 'punkt-kurs', { title: 'Punktkurs', description: 'x', hours: '1', price: '1.23,50', active: '1' });
  assert.equal(bad.status, 422);
  assert.equal(sqlValue(srv, "SELECT price_cents FROM catalog_items WHERE slug = 'punkt-kurs'"), '200000');
});

test('durations say "1 Stunde" and "8 Stunden" on /kurse, /bestellen and the admin list', async () => {
  const c = await loggedIn('admin');
  assert.equal((await addItem(c, { slug: 'kurz-kurs', title: 'Kurzkurs', price: '10', hours: '1' })).status, 303);
  const pages = [await kurse(), textOf((await (await loggedIn('gemeinde')).get('/bestellen')).text),
    textOf((await c.get('/admin/kurse')).text)];
  for (const text of pages) {
    assert.match(text, /Kurzkurs[^]{0,300}\b1 Stunde\b/);
    assert.doesNotMatch(text, /\b1 Stunden\b/);
    assert.match(text, /\b8 Stunden\b/, 'DSGVO-Grundlagen: 8 Stunden');
  }
});

test('the audit log shows German action names', async () => {
  const c = await loggedIn('admin');
  assert.equal((await addItem(c, { slug: 'deutsch-kurs', title: 'Deutschkurs', price: '10' })).status, 303);
  await login(new Client(srv.baseUrl), 'admin', 'falsches-passwort');
  const page = await c.get('/admin/protokoll');
  const text = textOf(page.text);
  assert.match(text, /Katalogeintrag angelegt/);
  assert.match(text, /Anmeldung fehlgeschlagen/);
  assert.doesNotMatch(text, /catalog\.add|login\.failed/);
});
