// Browser test of the administration: the admin logs in, opens Verwaltung,
// changes a course price through the edit form (after one refused try) and
// sees it on /kurse; screenshots of the three lists and of the form with an
// error go to tests/artifacts/; axe-core checks each page.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { serverWithBrowser, loggedInPage, shot, axeProblems as axe } from '../lib/browser.mjs';

const suite = serverWithBrowser();

test('the admin changes a course price; lists and the form with an error pass axe', async () => {
  const { context, page } = await loggedInPage(suite.browser, suite.srv.baseUrl, 'admin');
  const problems = [];
  try {
    await Promise.all([page.waitForURL(suite.srv.baseUrl + '/admin'), page.getByRole('link', { name: 'Verwaltung' }).click()]);
    problems.push(...await axe(page));

    await Promise.all([page.waitForURL(suite.srv.baseUrl + '/admin/kurse'), page.getByRole('link', { name: 'Kurse und Pakete' }).click()]);
    problems.push(...await axe(page));
    await shot(page, 'admin-catalog-list');

    await page.getByRole('link', { name: 'DSGVO-Grundlagen für Gemeinden' }).click();
    await page.getByRole('heading', { name: 'Kurs bearbeiten' }).waitFor();
    await page.getByLabel('Preis netto in Euro').fill('149,999');
    await page.getByRole('button', { name: 'Speichern' }).click();
    await page.locator('#admin-error').waitFor();
    const price = page.getByLabel('Preis netto in Euro');
    assert.equal(await price.getAttribute('aria-invalid'), 'true');
    assert.equal(await price.inputValue(), '149,999', 'typed value shown again');
    assert.match(await page.locator('#admin-error').innerText(), /Preis/);
    problems.push(...await axe(page));
    await shot(page, 'admin-catalog-form-error');

    await price.fill('159,00');
    await Promise.all([page.waitForURL(suite.srv.baseUrl + '/admin/kurse'), page.getByRole('button', { name: 'Speichern' }).click()]);
    assert.match(await page.locator('main').innerText(), /DSGVO-Grundlagen für Gemeinden[^]*159,00 €/);
    await page.goto(suite.srv.baseUrl + '/kurse');
    assert.match(await page.locator('main').innerText(), /DSGVO-Grundlagen für Gemeinden[^]*190,80 €/);

    await page.goto(suite.srv.baseUrl + '/admin/gemeinden');
    problems.push(...await axe(page));
    await shot(page, 'admin-tenants-list');
    await page.goto(suite.srv.baseUrl + '/admin/gemeinden/30604/bearbeiten');
    problems.push(...await axe(page));

    await page.goto(suite.srv.baseUrl + '/admin/konten');
    problems.push(...await axe(page));
    await shot(page, 'admin-accounts-list');
    await page.getByRole('link', { name: 'mitarbeiterin' }).click();
    await page.getByRole('heading', { name: 'Konto mitarbeiterin' }).waitFor();
    problems.push(...await axe(page));
    await shot(page, 'admin-account');
    await page.goto(suite.srv.baseUrl + '/admin/konten/neu');
    problems.push(...await axe(page));
    for (const form of ['/admin/kurse/neu', '/admin/gemeinden/neu']) {
      await page.goto(suite.srv.baseUrl + form);
      problems.push(...await axe(page));
    }
    await shot(page, 'admin-tenant-new');
    await page.goto(suite.srv.baseUrl + '/admin/protokoll');
    problems.push(...await axe(page));
    await shot(page, 'admin-audit');
  } finally {
    await context.close();
  }
  assert.deepEqual(problems, [], `axe-core violations:\n${problems.join('\n')}`);
});
