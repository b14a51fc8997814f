// Foundation: layout, pages, security headers, catalog, login/logout, CSRF,
// sessions, voucherctl errors. One behaviour per test case, one server.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { startServer, timeScale } from '../lib/server.mjs';
import {
  Client, csrfFrom, login, links, tags, textOf, element, attrsOf,
} from '../lib/http.mjs';

const PW = 'demo-passwort';
const PAGES = ['/', '/kurse', '/faq', '/impressum', '/datenschutz', '/login'];

let srv;

before(async () => {
  srv = await startServer({ limits: { login_max_failures: 3, login_window_seconds: 900 } });
}, { timeout: 120000 * timeScale });

after(async () => {
  if (srv) await srv.stop();
}, { timeout: 30000 * timeScale });

const client = () => new Client(srv.baseUrl);

function writeTmp(name, content) {
  const file = path.join(srv.dir, name);
  fs.writeFileSync(file, content);
  return file;
}

function assertOneLineError(r, what) {
  assert.equal(r.code, 1, `${what}: expected exit status 1, got ${r.code}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`);
  const msg = r.stderr.trim();
  assert.ok(msg.length > 0, `${what}: expected a message on stderr`);
  assert.ok(!msg.includes('\n'), `${what}: expected a one-line message on stderr, got:\n${r.stderr}`);
}

function assertSecurityHeaders(res, what) {
  const csp = res.headers.get('content-security-policy');
  assert.ok(csp, `${what}: Content-Security-Policy header missing`);
  assert.match(csp, /default-src 'self'/, `${what}: CSP lacks default-src 'self': ${csp}`);
  assert.match(csp, /frame-ancestors 'none'/, `${what}: CSP lacks frame-ancestors 'none': ${csp}`);
  assert.doesNotMatch(csp, /unsafe-inline/, `${what}: CSP allows 'unsafe-inline': ${csp}`);
  assert.equal(res.headers.get('x-content-type-options'), 'nosniff', `${what}: X-Content-Type-Options`);
  const rp = res.headers.get('referrer-policy');
  assert.ok(rp && rp.trim().length > 0, `${what}: Referrer-Policy header missing`);
}

function assertHtml(res, what) {
  assert.match(res.headers.get('content-type') ?? '', /^text\/html;\s*charset=utf-8$/i, `${what}: Content-Type`);
}

/** Parse one Set-Cookie header: {name, value, attrs: {lowercased name: value|true}}. */
function parseSetCookie(sc) {
  const [pair, ...rest] = sc.split(';');
  const eq = pair.indexOf('=');
  const attrs = {};
  for (const a of rest) {
    const i = a.indexOf('=');
    if (i < 0) attrs[a.trim().toLowerCase()] = true;
    else attrs[a.slice(0, i).trim().toLowerCase()] = a.slice(i + 1).trim();
  }
  return { name: pair.slice(0, eq).trim(), value: pair.slice(eq + 1).trim(), attrs };
}

function sessionCookieOf(res) {
  const found = res.headers.getSetCookie().map(parseSetCookie).filter((c) => c.name === 'vp_session' && c.value);
  return found.at(-1) ?? null;
}

function assertRedirectTo(res, target, what) {
  assert.equal(res.status, 303, `${what}: expected 303, got ${res.status}\n${res.text.slice(0, 500)}`);
  const loc = res.headers.get('location');
  assert.ok(loc === target || loc === srv.baseUrl + target, `${what}: Location should be ${target}, got ${loc}`);
}

/** Logged in = the page carries the logout form (the "Abmelden" button). */
function isLoggedInPage(html) {
  return /<form\b[^>]*\baction="\/logout"/i.test(html);
}

/** Text of the page from `title` up to the next of `stops` (or maxLen chars). */
function segmentAfter(text, title, stops, maxLen = 600) {
  const start = text.indexOf(title);
  assert.ok(start >= 0, `"${title}" not found on the page`);
  let end = Math.min(text.length, start + title.length + maxLen);
  for (const s of stops) {
    if (s === title) continue;
    const i = text.indexOf(s, start + title.length);
    if (i >= 0 && i < end) end = i;
  }
  return text.slice(start, end);
}

// ---------------------------------------------------------------------------
// Pages and layout

test('GET /healthz answers 200 "ok"', async () => {
  const res = await client().get('/healthz');
  assert.equal(res.status, 200);
  assert.equal(res.text.trim(), 'ok');
});

test('public pages answer 200 with text/html; charset=utf-8', async () => {
  for (const p of PAGES) {
    const res = await client().get(p);
    assert.equal(res.status, 200, `GET ${p}`);
    assertHtml(res, `GET ${p}`);
  }
});

test('every page is HTML5 in German with a skip link to #inhalt', async () => {
  for (const p of PAGES) {
    const { text } = await client().get(p);
    assert.match(text, /^\s*<!doctype html>/i, `${p}: HTML5 doctype`);
    assert.match(text, /<html\b[^>]*\blang="de"/i, `${p}: <html lang="de">`);
    assert.ok(links(text).some((l) => l.href === '#inhalt'), `${p}: skip link to #inhalt`);
    assert.match(text, /\bid="inhalt"/, `${p}: target element id="inhalt"`);
  }
});

test('every page has the header with the academy name and the red "Voucher einlösen" button', async () => {
  for (const p of PAGES) {
    const { text } = await client().get(p);
    const header = element(text, 'header');
    assert.ok(header, `${p}: <header> element`);
    assert.match(textOf(header), /Städtebund Academy/, `${p}: academy name in the header`);
    const btn = links(header).filter((l) => l.class.split(/\s+/).includes('btn-redeem'));
    assert.equal(btn.length, 1, `${p}: exactly one a.btn-redeem in the header`);
    assert.equal(btn[0].href, '/voucher/einloesen', `${p}: red button href`);
    assert.equal(btn[0].text, 'Voucher einlösen', `${p}: red button text`);
  }
});

test('every page has the menu Start, Kurse, FAQ, Anmelden for guests', async () => {
  const want = [['/', 'Start'], ['/kurse', 'Kurse'], ['/faq', 'FAQ'], ['/login', 'Anmelden']];
  for (const p of PAGES) {
    const { text } = await client().get(p);
    const ls = links(text);
    for (const [href, label] of want) {
      assert.ok(ls.some((l) => l.href === href && l.text === label), `${p}: menu link ${label} → ${href}`);
    }
    assert.ok(!isLoggedInPage(text), `${p}: a guest must not see "Abmelden"`);
  }
});

test('every page has the footer links Impressum, Datenschutz, FAQ', async () => {
  const want = [['/impressum', 'Impressum'], ['/datenschutz', 'Datenschutz'], ['/faq', 'FAQ']];
  for (const p of PAGES) {
    const { text } = await client().get(p);
    const footer = element(text, 'footer');
    assert.ok(footer, `${p}: <footer> element`);
    const ls = links(footer);
    for (const [href, label] of want) {
      assert.ok(ls.some((l) => l.href === href && l.text === label), `${p}: footer link ${label} → ${href}`);
    }
  }
});

test('every page uses /static/style.css', async () => {
  for (const p of PAGES) {
    const { text } = await client().get(p);
    const sheets = tags(text, 'link').filter((t) => /\bstylesheet\b/i.test(t.attrs.rel ?? ''));
    assert.ok(sheets.some((t) => t.attrs.href === '/static/style.css'), `${p}: <link rel="stylesheet" href="/static/style.css">`);
  }
});

test('/static/style.css is served as text/css with Cache-Control', async () => {
  const res = await client().get('/static/style.css');
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type') ?? '', /^text\/css\b/i);
  assert.ok(res.headers.get('cache-control'), 'Cache-Control header on the stylesheet');
  assert.ok(res.text.length > 100, 'stylesheet is not empty');
});

test('an unknown path answers 404 with a page in the layout saying "Seite nicht gefunden"', async () => {
  const res = await client().get('/gibt-es-nicht-' + Date.now());
  assert.equal(res.status, 404);
  assertHtml(res, '404');
  assert.match(res.text, /Seite nicht gefunden/);
  assert.match(res.text, /<html\b[^>]*\blang="de"/i);
  assert.ok(links(res.text).some((l) => l.class.includes('btn-redeem')), '404 page has the layout with the red button');
});

test('DELETE / answers 405', async () => {
  const res = await client().request('DELETE', '/');
  assert.equal(res.status, 405);
});

test('POST /kurse with a valid csrf token answers 405', async () => {
  const c = client();
  const csrf = csrfFrom((await c.get('/login')).text);
  assert.ok(csrf, 'csrf token on /login');
  const res = await c.post('/kurse', { csrf });
  assert.equal(res.status, 405);
});

test('security headers are sent on pages, 404, 405 and 403 responses', async () => {
  for (const p of PAGES) assertSecurityHeaders(await client().get(p), `GET ${p}`);
  assertSecurityHeaders(await client().get('/nicht-da'), '404');
  assertSecurityHeaders(await client().request('DELETE', '/'), '405');
  assertSecurityHeaders(await client().post('/login', { username: 'x', password: 'y' }), '403');
});

// ---------------------------------------------------------------------------
// Catalog

test('/kurse shows the demo catalog with free courses ("kostenlos") and durations', async () => {
  const text = textOf((await client().get('/kurse')).text);
  assert.match(text, /kostenlos/, 'a free demo course shows "kostenlos"');
  assert.match(text, /\d+ Stunden/, 'durations like "8 Stunden"');
  assert.match(text, /\d{1,3}(\.\d{3})*,\d{2} €/, 'prices like "1.234,50 €"');
});

const CATALOG_CSV = [
  'kind,slug,title,description,hours,price_cents,courses',
  'course,t-buchhaltung,Testkurs Buchhaltung Kommunal,Doppik für Einsteiger*innen,8,123450,',
  'course,t-barrierefrei,Testkurs Barrierefreiheit,Barrierefreie Dokumente erstellen,3,0,',
  'course,t-datenschutz,Testkurs Datenschutz Praxis,DSGVO im Gemeindeamt,16,9999,',
  'package,t-paket,Testpaket Verwaltung Kompakt,Drei Kurse zum Paketpreis,27,200000,t-buchhaltung t-barrierefrei t-datenschutz',
].join('\n') + '\n';
const MY_TITLES = [
  'Testkurs Buchhaltung Kommunal', 'Testkurs Barrierefreiheit', 'Testkurs Datenschutz Praxis', 'Testpaket Verwaltung Kompakt',
];

let catalogImported = false;
function importCatalog() {
  if (catalogImported) return;
  const r = srv.ctl(['catalog', 'import', writeTmp('catalog.csv', CATALOG_CSV)]);
  assert.equal(r.code, 0, `catalog import failed: ${r.stderr}`);
  catalogImported = true;
}

test('voucherctl catalog import exits 0 and the courses appear on /kurse', async () => {
  importCatalog();
  const text = textOf((await client().get('/kurse')).text);
  for (const t of MY_TITLES) assert.ok(text.includes(t), `"${t}" on /kurse`);
});

test('/kurse shows description, hours, net and gross price (20 % USt) of a course', async () => {
  importCatalog();
  const text = textOf((await client().get('/kurse')).text);
  const seg = segmentAfter(text, 'Testkurs Buchhaltung Kommunal', MY_TITLES);
  assert.match(seg, /Doppik für Einsteiger\*innen/, `description in: ${seg}`);
  assert.match(seg, /\b8 Stunden\b/, `hours in: ${seg}`);
  assert.match(seg, /1\.234,50\s€/, `net price 1.234,50 € in: ${seg}`);
  assert.match(seg, /1\.481,40\s€/, `gross price 1.481,40 € in: ${seg}`);
  const seg2 = segmentAfter(text, 'Testkurs Datenschutz Praxis', MY_TITLES);
  assert.match(seg2, /\b16 Stunden\b/, `hours in: ${seg2}`);
  assert.match(seg2, /99,99\s€/, `net price 99,99 € in: ${seg2}`);
  assert.match(seg2, /119,99\s€/, `gross price 119,99 € in: ${seg2}`);
});

test('/kurse shows "kostenlos" for a course with price 0', async () => {
  importCatalog();
  const text = textOf((await client().get('/kurse')).text);
  const seg = segmentAfter(text, 'Testkurs Barrierefreiheit', MY_TITLES, 300);
  assert.match(seg, /kostenlos/, `"kostenlos" in: ${seg}`);
  assert.match(seg, /\b3 Stunden\b/, `hours in: ${seg}`);
});

test('/kurse shows a package with its price and the titles of its courses', async () => {
  importCatalog();
  const text = textOf((await client().get('/kurse')).text);
  const start = text.indexOf('Testpaket Verwaltung Kompakt');
  assert.ok(start >= 0, 'package title on /kurse');
  const seg = text.slice(start, start + 1500);
  assert.match(seg, /2\.000,00\s€/, `package net price in: ${seg}`);
  assert.match(seg, /2\.400,00\s€/, `package gross price in: ${seg}`);
  for (const t of MY_TITLES.slice(0, 3)) assert.ok(seg.includes(t), `package lists "${t}": ${seg}`);
});

test('catalog import upserts: importing a changed row updates the course, no duplicate', async () => {
  importCatalog();
  const csv = 'kind,slug,title,description,hours,price_cents,courses\n' +
    'course,t-upsert,Testkurs Upsert Alt,Erste Fassung,2,5000,\n';
  assert.equal(srv.ctl(['catalog', 'import', writeTmp('upsert1.csv', csv)]).code, 0);
  const csv2 = csv.replace('Testkurs Upsert Alt,Erste Fassung,2,5000', 'Testkurs Upsert Neu,Zweite Fassung,4,7000');
  assert.equal(srv.ctl(['catalog', 'import', writeTmp('upsert2.csv', csv2)]).code, 0);
  const text = textOf((await client().get('/kurse')).text);
  assert.ok(!text.includes('Testkurs Upsert Alt'), 'old title is gone');
  assert.equal(text.split('Testkurs Upsert Neu').length - 1, 1, 'new title shown exactly once');
  const seg = segmentAfter(text, 'Testkurs Upsert Neu', MY_TITLES, 300);
  assert.match(seg, /70,00\s€/, `updated price in: ${seg}`);
});

test('a course title with HTML is escaped on /kurse, never raw', async () => {
  const csv = 'kind,slug,title,description,hours,price_cents,courses\n' +
    'course,t-xss,<script>alert(1)</script>,Tom & Jerry <b>fett</b>,1,1000,\n';
  const r = srv.ctl(['catalog', 'import', writeTmp('xss.csv', csv)]);
  assert.equal(r.code, 0, r.stderr);
  const { text } = await client().get('/kurse');
  assert.ok(text.includes('&lt;script&gt;alert(1)&lt;/script&gt;'), 'escaped title present');
  assert.ok(!text.includes('<script>alert(1)</script>'), 'raw title must not appear');
  assert.ok(!text.includes('<b>fett</b>'), 'raw HTML in the description must not appear');
  assert.ok(text.includes('Tom &amp; Jerry'), 'ampersand escaped');
});

test('catalog import of a malformed CSV exits 1, names the line, changes nothing', async () => {
  const csv = 'kind,slug,title,description,hours,price_cents,courses\n' +
    'course,t-neu-ok,Testkurs Soll Nicht Erscheinen,Gültige Zeile,4,1000,\n' +
    'course,t-kaputt,Testkurs Kaputt,Preis ist keine Zahl,4,zehn Euro,\n';
  const before = textOf((await client().get('/kurse')).text);
  const r = srv.ctl(['catalog', 'import', writeTmp('bad.csv', csv)]);
  assertOneLineError(r, 'malformed CSV');
  assert.match(r.stderr, /\b3\b/, `stderr names line 3: ${r.stderr}`);
  const afterText = textOf((await client().get('/kurse')).text);
  assert.ok(!afterText.includes('Testkurs Soll Nicht Erscheinen'), 'the valid line before the error was not imported');
  assert.ok(!afterText.includes('Testkurs Kaputt'));
  assert.equal(afterText, before, 'catalog page text unchanged');
});

test('catalog import of a package with an unknown course slug exits 1 and changes nothing', async () => {
  const csv = 'kind,slug,title,description,hours,price_cents,courses\n' +
    'course,t-paketkurs,Testkurs Paketteil,Gültige Zeile,4,1000,\n' +
    'package,t-paket-kaputt,Testpaket Unbekannt,Verweist ins Leere,4,5000,t-paketkurs t-gibt-es-nicht\n';
  const r = srv.ctl(['catalog', 'import', writeTmp('badpkg.csv', csv)]);
  assertOneLineError(r, 'unknown course in package');
  const text = (await client().get('/kurse')).text;
  assert.ok(!text.includes('Testpaket Unbekannt'));
  assert.ok(!text.includes('Testkurs Paketteil'));
});

// ---------------------------------------------------------------------------
// Login, logout, sessions

test('login succeeds: 303 to / with an HttpOnly, SameSite=Lax session cookie', async () => {
  const c = client();
  const res = await login(c, 'gemeinde', PW);
  assertRedirectTo(res, '/', 'login');
  const ck = sessionCookieOf(res);
  assert.ok(ck, `Set-Cookie vp_session missing: ${res.headers.getSetCookie().join(' | ')}`);
  assert.equal(ck.attrs.path, '/', 'Path=/');
  assert.equal(ck.attrs.httponly, true, 'HttpOnly');
  assert.equal(String(ck.attrs.samesite).toLowerCase(), 'lax', 'SameSite=Lax');
  assert.ok(!('secure' in ck.attrs), 'no Secure attribute over plain http');
});

test('after login a page shows "Abmelden" as a POST form to /logout with csrf', async () => {
  const c = client();
  assertRedirectTo(await login(c, 'gemeinde', PW), '/', 'login');
  const { status, text } = await c.get('/kurse');
  assert.equal(status, 200);
  assert.ok(isLoggedInPage(text), '"Abmelden" shown');
  const form = text.match(/<form\b[^>]*\baction="\/logout"[^>]*>[\s\S]*?<\/form>/i);
  assert.ok(form, 'a form with action="/logout"');
  assert.equal((attrsOf(form[0].match(/^<form\b[^>]*>/i)[0]).method ?? '').toLowerCase(), 'post', 'logout form uses POST');
  assert.ok(csrfFrom(form[0]), 'logout form carries a csrf field');
  assert.match(textOf(form[0]), /Abmelden/);
  assert.ok(!links(element(text, 'header')).some((l) => l.href === '/login' && l.text === 'Anmelden'),
    'no "Anmelden" link in the header when logged in');
});

const DEMO_USERS = ['admin', 'support', 'gemeinde', 'gemeinde2', 'mitarbeiterin'];

test('voucherctl demo prints the demo logins', () => {
  for (const u of DEMO_USERS) {
    assert.match(srv.demoOutput, new RegExp(`\\b${u}\\b`), `demo output names ${u}:\n${srv.demoOutput}`);
  }
});

test('every demo account logs in with demo-passwort', async () => {
  for (const u of DEMO_USERS) {
    const c = client();
    assertRedirectTo(await login(c, u, PW), '/', `login as ${u}`);
    assert.ok(isLoggedInPage((await c.get('/')).text), `${u} is logged in`);
  }
});

test('usernames are case-insensitive at login', async () => {
  const c = client();
  assertRedirectTo(await login(c, 'GEMEINDE', PW), '/', 'login as GEMEINDE');
  assert.ok(isLoggedInPage((await c.get('/')).text));
});

test('after login the page shows the person\'s name', async () => {
  const add = srv.ctl(['user', 'add', '--username', 'namenstest', '--email', 'namenstest@musterstadt.gv.at',
    '--first-name', 'Henriette', '--last-name', 'Namensträgerin', '--role', 'user', '--tenant', '30604'],
  { input: 'Sicheres-Passwort-2026!\n' });
  assert.equal(add.code, 0, add.stderr);
  const c = client();
  assertRedirectTo(await login(c, 'namenstest', 'Sicheres-Passwort-2026!'), '/', 'login');
  const text = textOf((await c.get('/')).text);
  assert.match(text, /Henriette/, 'first name shown');
  assert.match(text, /Namensträgerin/, 'last name shown');
});

test('wrong password: 401, the form again with a message and the username kept, password empty', async () => {
  const c = client();
  const res = await login(c, 'mitarbeiterin', 'falsches-passwort');
  assert.equal(res.status, 401);
  assertHtml(res, 'failed login');
  assert.match(textOf(res.text), /Benutzername oder Passwort ist falsch\./);
  const inputs = tags(res.text, 'input');
  const user = inputs.find((t) => t.attrs.name === 'username');
  assert.ok(user, 'username field');
  assert.equal(user.attrs.value, 'mitarbeiterin', 'entered username kept');
  const pw = inputs.find((t) => t.attrs.name === 'password');
  assert.ok(pw, 'password field');
  assert.equal(pw.attrs.type, 'password');
  assert.ok(!pw.attrs.value, 'password field is empty');
  assert.ok(!res.text.includes('falsches-passwort'), 'the password is never echoed');
  assert.ok(!isLoggedInPage((await c.get('/')).text), 'no session after a failed login');
});

test('after login_max_failures failures the username is locked (429 "Zu viele"), other users are not', async () => {
  const pw = 'Richtiges-Passwort-2026!';
  const add = srv.ctl(['user', 'add', '--username', 'sperrtest', '--email', 'sperrtest@musterstadt.gv.at',
    '--first-name', 'Sabine', '--last-name', 'Sperr', '--role', 'user', '--tenant', '30604'], { input: pw + '\n' });
  assert.equal(add.code, 0, add.stderr);
  for (let i = 1; i <= 3; i++) {
    const r = await login(client(), 'sperrtest', 'falsch-' + i);
    assert.equal(r.status, 401, `failure ${i} answers 401`);
  }
  const c = client();
  const locked = await login(c, 'sperrtest', pw);
  assert.equal(locked.status, 429, 'the right password after 3 failures answers 429');
  assert.match(textOf(locked.text), /Zu viele/);
  assert.ok(!sessionCookieOf(locked) || !isLoggedInPage((await c.get('/')).text), 'no session while locked');
  // The limit is per username: someone else still gets in.
  assertRedirectTo(await login(client(), 'support', PW), '/', 'another user logs in');
});

test('logout: POST /logout with csrf answers 303 to / and the old session cookie is dead', async () => {
  const c = client();
  assertRedirectTo(await login(c, 'gemeinde2', PW), '/', 'login');
  const oldCookie = c.cookies.get('vp_session');
  assert.ok(oldCookie, 'session cookie kept');
  const page = await c.get('/');
  const form = page.text.match(/<form\b[^>]*\baction="\/logout"[^>]*>[\s\S]*?<\/form>/i);
  assert.ok(form, 'logout form');
  const res = await c.post('/logout', { csrf: csrfFrom(form[0]) });
  assertRedirectTo(res, '/', 'logout');
  const after1 = (await c.get('/')).text;
  assert.ok(!isLoggedInPage(after1), 'client is logged out');
  // Replay the old cookie in a fresh client.
  const replay = client();
  replay.setCookie('vp_session', oldCookie);
  const after2 = (await replay.get('/')).text;
  assert.ok(!isLoggedInPage(after2), 'old session cookie no longer logs in');
  assert.ok(links(after2).some((l) => l.href === '/login' && l.text === 'Anmelden'), '"Anmelden" shown again');
});

test('session token is not stored in plain text in the database', async () => {
  const c = client();
  const res = await login(c, 'admin', PW);
  assertRedirectTo(res, '/', 'login');
  const token = sessionCookieOf(res).value;
  assert.ok(token.length >= 16, 'session token is long enough');
  const db = path.join(srv.dir, 'voucher.db');
  const q = (sql) => {
    const r = spawnSync('sqlite3', ['-cmd', '.timeout 5000', db, sql], { encoding: 'utf8' });
    assert.equal(r.status, 0, `sqlite3: ${r.stderr}`);
    return r.stdout;
  };
  assert.ok(Number(q('SELECT count(*) FROM sessions;').trim()) >= 1, 'sessions table has rows');
  assert.ok(!q('SELECT * FROM sessions;').includes(token), 'cookie value found in the sessions table');
  assert.ok(!q('.dump').includes(token), 'cookie value found somewhere in the database');
});

// ---------------------------------------------------------------------------
// CSRF

test('POST /login without csrf answers 403 "Sicherheitsprüfung" and logs nobody in', async () => {
  const c = client();
  await c.get('/login');
  const res = await c.post('/login', { username: 'gemeinde', password: PW });
  assert.equal(res.status, 403);
  assertHtml(res, '403');
  assert.match(textOf(res.text), /Sicherheitsprüfung/);
  assert.ok(!sessionCookieOf(res) || !isLoggedInPage((await c.get('/')).text), 'no session');
  assert.ok(!isLoggedInPage((await c.get('/')).text), 'not logged in');
});

test('POST /login with a wrong csrf token answers 403 and logs nobody in', async () => {
  const c = client();
  const csrf = csrfFrom((await c.get('/login')).text);
  const wrong = csrf.slice(0, -2) + (csrf.endsWith('AA') ? 'BB' : 'AA');
  const res = await c.post('/login', { csrf: wrong, username: 'gemeinde', password: PW });
  assert.equal(res.status, 403);
  assert.match(textOf(res.text), /Sicherheitsprüfung/);
  assert.ok(!isLoggedInPage((await c.get('/')).text), 'not logged in');
});

test('a csrf token from one client does not work with another client\'s cookies', async () => {
  const a = client();
  const tokenA = csrfFrom((await a.get('/login')).text);
  assert.ok(tokenA);
  const b = client();
  await b.get('/login'); // b has its own cookies
  const res = await b.post('/login', { csrf: tokenA, username: 'gemeinde', password: PW });
  assert.equal(res.status, 403);
  assert.ok(!isLoggedInPage((await b.get('/')).text), 'not logged in');
  const bare = client(); // no cookies at all
  const res2 = await bare.post('/login', { csrf: tokenA, username: 'gemeinde', password: PW });
  assert.equal(res2.status, 403, 'token without its cookie');
});

test('POST /logout without csrf answers 403 and keeps the session', async () => {
  const c = client();
  assertRedirectTo(await login(c, 'gemeinde', PW), '/', 'login');
  const res = await c.post('/logout', {});
  assert.equal(res.status, 403);
  assert.ok(isLoggedInPage((await c.get('/')).text), 'still logged in');
});

// ---------------------------------------------------------------------------
// voucherctl

test('voucherctl with an unknown command prints one line and exits 1; without a command the list', () => {
  for (const args of [['frobnicate'], ['user', 'frobnicate'], ['tenant']]) {
    const r = srv.ctl(args);
    assertOneLineError(r, args.join(' '));
    assert.match(r.stderr, /unknown command/, args.join(' '));
  }
  const bare = srv.ctl([]);
  assert.equal(bare.code, 1);
  assert.match(bare.stderr, /^usage: voucherctl/);
  assert.match(bare.stderr, /catalog import FILE\.csv/);
});

test('voucherctl tenant add with a GKZ that is not 5 digits exits 1', () => {
  assertOneLineError(srv.ctl(['tenant', 'add', '--gkz', '123', '--name', 'X', '--email', 'a@b.at']), 'gkz 123');
});

test('voucherctl tenant add succeeds with exit 0', () => {
  const r = srv.ctl(['tenant', 'add', '--gkz', '40101', '--name', 'Testgemeinde Neudorf',
    '--email', 'rechnung@neudorf.gv.at', '--address', 'Hauptplatz 1, 4010 Neudorf']);
  assert.equal(r.code, 0, r.stderr);
});

test('voucherctl tenant add with a GKZ already present exits 1', () => {
  assertOneLineError(srv.ctl(['tenant', 'add', '--gkz', '30604', '--name', 'Doppelt', '--email', 'x@y.at']), 'duplicate gkz');
});

test('voucherctl user add with an unknown tenant exits 1', () => {
  const r = srv.ctl(['user', 'add', '--username', 'niemand', '--email', 'niemand@x.at', '--first-name', 'N',
    '--last-name', 'N', '--role', 'user', '--tenant', '99999'], { input: 'Sicheres-Passwort-2026!\n' });
  assertOneLineError(r, 'unknown tenant');
});

test('voucherctl user add with a duplicate username in other case exits 1', () => {
  const r = srv.ctl(['user', 'add', '--username', 'MITARBEITERIN', '--email', 'doppelt@x.at', '--first-name', 'D',
    '--last-name', 'D', '--role', 'user', '--tenant', '30604'], { input: 'Sicheres-Passwort-2026!\n' });
  assertOneLineError(r, 'duplicate username');
});

test('voucherctl user add with an unknown role exits 1', () => {
  const r = srv.ctl(['user', 'add', '--username', 'rollentest', '--email', 'rolle@x.at', '--first-name', 'R',
    '--last-name', 'R', '--role', 'superuser', '--tenant', '30604'], { input: 'Sicheres-Passwort-2026!\n' });
  assertOneLineError(r, 'unknown role');
});

test('voucherctl user add (password from stdin) exits 0 and the account can log in', async () => {
  const r = srv.ctl(['user', 'add', '--username', 'neudorf-admin', '--email', 'admin@neudorf.gv.at',
    '--first-name', 'Nora', '--last-name', 'Neudorfer', '--role', 'tenant_admin', '--tenant', '30604'],
  { input: 'Neudorf-Passwort-2026!\n' });
  assert.equal(r.code, 0, r.stderr);
  const c = client();
  assertRedirectTo(await login(c, 'neudorf-admin', 'Neudorf-Passwort-2026!'), '/', 'login as the new account');
  assert.ok(isLoggedInPage((await c.get('/')).text));
});

test('voucherctl config prints the effective configuration with overrides applied and secrets masked', () => {
  const r = srv.ctl(['config'], { env: { VOUCHER_SERVER_THREADS: '7', VOUCHER_MAIL_SMTP_PASSWORD: 'geheim-123' } });
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^\[server\]\n/);
  assert.match(r.stdout, /\nthreads = 7\n/);
  assert.match(r.stdout, /\nsmtp_password = \*{8}\n/);
  assert.doesNotMatch(r.stdout, /geheim-123/);
  const bad = srv.ctl(['config'], { env: { VOUCHER_SERVER_THREDS: '7' } });
  assert.equal(bad.code, 1, 'an unknown key in the environment is refused');
  assert.match(bad.stderr, /THREDS|threds/i);
});

test('a logged-in person changes their own password: checks, new password works, other sessions end', async () => {
  assert.equal(srv.ctl(['user', 'add', '--username', 'pwchange', '--email', 'pw@musterstadt.gv.at',
    '--first-name', 'Paula', '--last-name', 'Wechsel', '--role', 'user', '--tenant', '30604'],
  { input: 'altes-passwort-1\n' }).code, 0);
  const other = new Client(srv.baseUrl);
  assert.equal((await login(other, 'pwchange', 'altes-passwort-1')).status, 303);
  const c = new Client(srv.baseUrl);
  assert.equal((await login(c, 'pwchange', 'altes-passwort-1')).status, 303);
  const home = await c.get('/');
  assert.ok(home.text.includes('href="/konto"'), 'the name in the header links to the own account page');
  assert.ok((await c.get('/konto')).text.includes('href="/konto/passwort"'), 'which links to the password page');
  const change = async (fields) => {
    const form = await c.get('/konto/passwort');
    assert.equal(form.status, 200);
    return c.post('/konto/passwort', { csrf: csrfFrom(form.text), ...fields });
  };
  let res = await change({ current_password: 'falsch-falsch', password: 'neues-passwort-2', password2: 'neues-passwort-2' });
  assert.equal(res.status, 422);
  assert.match(textOf(res.text), /Das bisherige Passwort stimmt nicht/);
  res = await change({ current_password: 'altes-passwort-1', password: 'neues-passwort-2', password2: 'anderes-passwort' });
  assert.match(textOf(res.text), /stimmen nicht überein/);
  res = await change({ current_password: 'altes-passwort-1', password: 'kurz', password2: 'kurz' });
  assert.match(textOf(res.text), /mindestens 10 Zeichen/);
  res = await change({ current_password: 'altes-passwort-1', password: 'neues-passwort-2', password2: 'neues-passwort-2' });
  assert.equal(res.status, 200);
  assert.match(textOf(res.text), /Ihr Passwort wurde geändert/);
  assert.match(textOf((await c.get('/')).text), /Abmelden/, 'still logged in here');
  const out = await c.post('/logout', { csrf: csrfFrom(res.text) });
  assert.equal(out.status, 303, 'the forms of the page after the change carry a token for the new session');
  assert.equal((await login(c, 'pwchange', 'neues-passwort-2')).status, 303);
  assert.doesNotMatch(textOf((await other.get('/')).text), /Abmelden/, 'the other session ended');
  assert.equal((await login(new Client(srv.baseUrl), 'pwchange', 'altes-passwort-1')).status, 401);
  assert.equal((await login(new Client(srv.baseUrl), 'pwchange', 'neues-passwort-2')).status, 303);
  const audited = spawnSync('sqlite3', [path.join(srv.dir, 'voucher.db'),
    "SELECT count(*) FROM audit_log WHERE action = 'account.password' AND subject = 'pwchange'"], { encoding: 'utf8' });
  assert.equal(audited.stdout.trim(), '1');
});

test('the password page needs a login and a csrf token', async () => {
  const guest = await new Client(srv.baseUrl).get('/konto/passwort');
  assert.equal(guest.status, 303);
  assert.equal(guest.headers.get('location'), '/login?next=/konto/passwort');
  const c = new Client(srv.baseUrl);
  assert.equal((await login(c, 'mitarbeiterin', 'demo-passwort')).status, 303);
  const res = await c.post('/konto/passwort', { current_password: 'demo-passwort', password: 'x'.repeat(12), password2: 'x'.repeat(12) });
  assert.equal(res.status, 403);
});

test('guessing the current password on the password page is limited like logins', async () => {
  assert.equal(srv.ctl(['user', 'add', '--username', 'pwguess', '--email', 'pg@musterstadt.gv.at',
    '--first-name', 'Paul', '--last-name', 'Rater', '--role', 'user', '--tenant', '30604'],
  { input: 'richtiges-passwort\n' }).code, 0);
  const c = new Client(srv.baseUrl);
  assert.equal((await login(c, 'pwguess', 'richtiges-passwort')).status, 303);
  const attempt = async (current) => {
    const form = await c.get('/konto/passwort');
    return c.post('/konto/passwort', { csrf: csrfFrom(form.text), current_password: current,
      password: 'neues-passwort-9', password2: 'neues-passwort-9' });
  };
  let res;
  for (let i = 0; i < 5 && (res = await attempt(`falsch-${i}`)).status === 422; i++);
  assert.equal(res.status, 429, 'limited after the configured number of failures');
  assert.match(textOf(res.text), /Zu viele fehlgeschlagene Versuche/);
  assert.equal((await attempt('richtiges-passwort')).status, 429, 'even with the right password');
});

test('malformed query text is answered in the dispatcher\'s order: 404 for no route, login first, then 400', async () => {
  const guest = new Client(srv.baseUrl);
  assert.equal((await guest.get('/gibt-es-nicht?x=%ZZ')).status, 404);
  const protectedPage = await guest.get('/bestellungen?x=%ZZ');
  assert.equal(protectedPage.status, 303, 'a guest is sent to the login first');
  const bad = await guest.get('/kurse?x=%ZZ');
  assert.equal(bad.status, 400);
  assert.match(textOf(bad.text), /Ungültige Anfrage/);
  assert.equal((await guest.get('/kurse?x=%C3%A4')).status, 200, 'well-formed UTF-8 is fine');
});
