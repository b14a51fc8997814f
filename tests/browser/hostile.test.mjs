// Hostile input, the browser half (issue 12, item 5): XSS payloads stored
// through the forms (a municipality's name and address, a course's title and
// description, a person's name, an order reference, a code's recipient) and
// reflected by forms (login, redemption, order review, support search) are
// shown in Chromium on every page that has them, and none runs: each payload
// calls alert() or sets a global, a dialog listener and the global stay
// untouched, no Content-Security-Policy violation fires (an injected inline
// script or handler would be blocked by the CSP and report one), and no
// injected element exists in the DOM.  The integration half is
// tests/integration/hostile.test.mjs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { serverWithBrowser, withPage, loginAs, submitAndWait } from '../lib/browser.mjs';
import { Client, csrfFrom, login, tags } from '../lib/http.mjs';
import { order } from '../lib/redeem.mjs';

const PW = 'demo-passwort';
const COURSE = 'dsgvo-grundlagen';
// At most 100 characters (a person name's limit); breaks out of attributes, runs as an element or a handler.
const XSS = `"'><img src=x onerror=alert(1)><script>window.__xss=2</script><svg onload=alert(3)>`;

const env = serverWithBrowser({ limits: { redeem_max_failures: 1000, login_max_failures: 1000 } });
let orderId;
let mariaId;
let invoice;

async function client(username) {
  const c = new Client(env.srv.baseUrl);
  assert.equal((await login(c, username, PW)).status, 303, username);
  return c;
}

/** POST the form at `page` with its own values, changed by `changes` (an edit form of the administration). */
async function edit(c, page, changes) {
  const html = (await c.get(page)).text;
  const form = [...html.matchAll(/<form\b[^>]*>[\s\S]*?<\/form>/gi)].map((m) => m[0])
    .find((f) => tags(f, 'form')[0].attrs.action === page);
  const pairs = [];
  for (const { attrs } of tags(form, 'input')) {
    if (!attrs.name || ((attrs.type === 'checkbox' || attrs.type === 'radio') && !('checked' in attrs))) continue;
    pairs.push([attrs.name, attrs.value ?? '']);
  }
  for (const m of form.matchAll(/<textarea\b[^>]*name="([^"]+)"[^>]*>([\s\S]*?)<\/textarea>/gi)) pairs.push([m[1], m[2]]);
  for (const m of form.matchAll(/<select\b[^>]*name="([^"]+)"[^>]*>([\s\S]*?)<\/select>/gi)) {
    const opts = tags(m[2], 'option');
    pairs.push([m[1], (opts.find((o) => 'selected' in o.attrs) ?? opts[0]).attrs.value]);
  }
  const values = pairs.filter(([k]) => !Object.hasOwn(changes, k)).concat(Object.entries(changes));
  const res = await c.post(page, values);
  assert.ok([200, 303].includes(res.status), `${page}: ${res.status}`);
  assert.doesNotMatch(res.text, /aria-invalid="true"/, `${page}: accepted`);
}

async function inject() {
  const admin = await client('admin');
  await edit(admin, '/admin/gemeinden/30604/bearbeiten', { name: `Gemeinde ${XSS}`, address: `Hauptplatz 1\n${XSS}` });
  await edit(admin, `/admin/kurse/${COURSE}/bearbeiten`, { title: `Kurs ${XSS}`, description: XSS });
  await edit(await client('mitarbeiterin'), '/konto', { first_name: XSS });
  const codes = order(env.srv, `${COURSE}=2`);
  const gemeinde = await client('gemeinde');
  const csrf = csrfFrom((await gemeinde.get('/bestellen')).text);
  const res = await gemeinde.post(`/bestellungen/codes/${codes[0].id}`, { csrf, name: XSS, email: 'eva@example.org' });
  assert.equal(res.status, 303);
  orderId = Number(res.headers.get('location').match(/^\/bestellungen\/(\d+)/)[1]);
  const page = (await admin.get('/admin/konten?q=mitarbeiterin')).text;
  mariaId = page.match(/\/admin\/konten\/(\d+)/)[1];
  invoice = (await gemeinde.get(`/bestellungen/${orderId}`)).text.match(/RE-\d{4}-\d{6}/)[0];
}
let injected;
const ready = () => (injected ??= inject());

/** Watches a page for any sign of a payload running: dialogs, the global, CSP violations. */
async function watch(page) {
  const dialogs = [];
  page.on('dialog', (d) => { dialogs.push(d.message()); d.dismiss().catch(() => {}); });
  await page.addInitScript(() => {
    window.__csp = [];
    document.addEventListener('securitypolicyviolation', (e) => window.__csp.push(`${e.violatedDirective} ${e.sample}`));
  });
  return async (what) => {
    const state = await page.evaluate(() => ({
      xss: window.__xss ?? null,
      csp: window.__csp,
      injected: document.querySelectorAll('img[src="x"], svg[onload], script:not([src])').length,
      shown: document.body.innerText.includes('<img src=x onerror=alert(1)>'),
    }));
    assert.deepEqual(dialogs, [], `${what}: a dialog opened`);
    assert.equal(state.xss, null, `${what}: a script ran`);
    assert.deepEqual(state.csp, [], `${what}: CSP violations (injected markup)`);
    assert.equal(state.injected, 0, `${what}: injected elements`);
    return state.shown;
  };
}

const PAGES = {
  null: ['/kurse', '/voucher/einloesen'],
  mitarbeiterin: ['/konto', '/meine-kurse'],
  gemeinde: ['/bestellen', '/bestellungen', () => `/bestellungen/${orderId}`, '/gemeinde/schulungen'],
  admin: ['/admin/gemeinden', '/admin/kurse', () => `/admin/kurse/${COURSE}/bearbeiten`, '/admin/gemeinden/30604/bearbeiten',
    () => `/admin/konten/${mariaId}`, () => `/admin/rechnungen/${invoice}`, '/admin/protokoll'],
  support: ['/support?q=mitarbeiterin', () => `/bestellungen/${orderId}`],
};

test('stored payloads on every page that shows them: shown as text, none runs', async () => {
  await ready();
  const base = env.srv.baseUrl;
  let shownOn = 0;
  for (const [who, pages] of Object.entries(PAGES)) {
    await withPage(env.browser, async (page) => {
      const check = await watch(page);
      if (who !== 'null') await loginAs(page, base, who);
      for (const p of pages) {
        const url = typeof p === 'function' ? p() : p;
        const res = await page.goto(base + url);
        assert.equal(res.status(), 200, url);
        if (await check(`${who} ${url}`)) shownOn++;
      }
    });
  }
  assert.ok(shownOn >= 12, `the payload is shown as text on ${shownOn} pages`);
});

test('reflected payloads (login, redemption, order review, support search): shown as text, none runs', async () => {
  await ready();
  const base = env.srv.baseUrl;
  await withPage(env.browser, async (page) => {
    const check = await watch(page);
    await page.goto(base + '/login');
    await page.locator('input[name="username"]').fill(XSS);
    await page.locator('input[name="password"]').fill('falsch');
    await submitAndWait(page, () => page.getByRole('button', { name: 'Anmelden' }).click());
    await check('login');
    assert.equal(await page.locator('input[name="username"]').inputValue(), XSS, 'the login form keeps the value as text');
    await page.goto(base + '/voucher/einloesen');
    await page.locator('#ex-code').fill(XSS);
    await page.locator('#ex-username').fill(XSS);
    await submitAndWait(page, () => page.locator('form[action="/voucher/einloesen"] button[type="submit"]').first().click());
    await check('redemption');
  });
  await withPage(env.browser, async (page) => {
    const check = await watch(page);
    await loginAs(page, base, 'gemeinde');
    await page.goto(base + '/bestellen');
    await page.locator('input[name="reference"]').fill(XSS);
    await page.locator(`input[name="qty_${COURSE}"]`).fill('1');
    await submitAndWait(page, () => page.locator('form[action="/bestellen"] button[type="submit"]').first().click());
    assert.ok(await check('order review'), 'the review shows the reference as text');
  });
  await withPage(env.browser, async (page) => {
    const check = await watch(page);
    await loginAs(page, base, 'support');
    await page.goto(base + '/support');
    await page.locator('input[name="q"]').first().fill(XSS);
    await submitAndWait(page, () => page.locator('form[action="/support"] button[type="submit"]').first().click());
    await check('support search');
  });
});
