// Browser test of the support desk (headless Debian chromium via
// playwright-core): support logs in, opens "Support" from the menu, looks up
// a code as a person would read it out, a mistyped code ("Meinten Sie …?"),
// an account, and a refused change; screenshots in
// tests/artifacts/support-*.png and axe-core on every page.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { serverWithBrowser, withPage, loginAs, shot, axeViolations, submitAndWait } from '../lib/browser.mjs';
import { order, addUsers, redeemExisting } from '../lib/redeem.mjs';

const env = serverWithBrowser({ limits: { redeem_max_failures: 1000 } });

/** A logged-in support page; fn(page, problems) where axe findings are collected. */
async function asSupport(fn) {
  const problems = [];
  await withPage(env.browser, async (page) => {
    const check = async (name) => {
      for (const x of await axeViolations(page)) problems.push(`${name}: ${x.id}: ${x.help} (${x.nodes[0]?.target})`);
    };
    await loginAs(page, env.srv.baseUrl, 'support');
    await Promise.all([page.waitForURL(env.srv.baseUrl + '/support'),
      page.getByRole('navigation', { name: 'Hauptmenü' }).getByRole('link', { name: 'Support', exact: true }).click()]);
    await fn(page, check);
  });
  assert.deepEqual(problems, []);
}

async function searchFor(page, q) {
  await page.getByLabel(/^Code, Benutzername/).fill(q);
  // The search is a POST (a code must not travel in a URL): the answer comes on /support itself.
  await submitAndWait(page, () => page.getByRole('button', { name: 'Suchen' }).click(),
    (u) => u.pathname === '/support' && u.search === '');
}

test('support finds a code read out in lower case with spaces and sees its details and failed attempts', async () => {
  const [v] = order(env.srv, 'digitales-amt=1');
  const [user] = addUsers(env.srv, 'browser', 1);
  await redeemExisting(env.srv, 'vertippt.name', v.code);
  assert.equal((await redeemExisting(env.srv, user, v.code)).status, 200);
  await asSupport(async (page, check) => {
    await check('search form');
    await searchFor(page, v.code.slice(4).toLowerCase().replace(/-/g, ' '));
    await page.getByRole('heading', { name: new RegExp(`Code ${v.code}`) }).waitFor();
    assert.match(await page.locator('.facts').first().innerText(), /Stadtgemeinde Musterstadt \(GKZ 30604\)/);
    assert.match(await page.getByRole('table', { name: /Fehlgeschlagene/ }).innerText(), /V07/);
    await shot(page, 'support-code');
    await check('code detail');
    const form = page.locator('form[action="/support/codes/release"]');
    await submitAndWait(page, () => form.getByRole('button').click());
    assert.match(await page.getByRole('alert').innerText(), /Grund/);
    await shot(page, 'support-refused');
    await check('refused change');
    await form.getByLabel('Grund').fill('Test im Browser');
    await submitAndWait(page, () => form.getByRole('button').click());
    assert.match(await page.getByRole('status').innerText(), /wieder offen/);
    await check('after release');
  });
});

test('support sees "Meinten Sie …?" for a mistyped code and an account by username', async () => {
  const [v] = order(env.srv, 'dsgvo-grundlagen=1');
  const chars = v.code.replace(/-/g, '').slice(3).split('');
  let i = 6;
  while (chars[i] === chars[i + 1]) i++;
  [chars[i], chars[i + 1]] = [chars[i + 1], chars[i]];
  await asSupport(async (page, check) => {
    await searchFor(page, chars.join(''));
    await page.getByRole('heading', { name: 'Meinten Sie …?' }).waitFor();
    assert.ok(await page.getByRole('link', { name: v.code }).isVisible());
    await shot(page, 'support-meinten-sie');
    await check('Meinten Sie');
    await searchFor(page, 'mitarbeiterin');
    await page.getByRole('heading', { name: 'Konten' }).waitFor();
    await shot(page, 'support-account');
    await check('account');
  });
});
