// The praktijkopleider's assessment (Praktijkloket) in a real headless Chromium, opened from a
// link in a mail the dispatcher really sent (to Postfix's smtp-sink): the form is checked with
// axe-core and on a phone's width, sent once with a werkproces left open (the error summary
// links to it, the other choices are kept), then completed by clicking; the thank-you page
// says how many werkprocessen were judged beheerst, and the link then says it was used.
//
// Needs BPV_BEOORDELING_LINK (a `/b/<token>` link from a sent mail, served by a running
// `bpv demo`). With BPV_BEOORDELING_RESULT set, writes what was chosen there as JSON, so that
// scripts/browser-tests.sh can compare it with the database. That script sets both.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PHONE, assertAccessible, assertFitsPhone, launchChromium } from './lib.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const ARTIFACTS = join(here, 'artifacts');
const LINK = process.env.BPV_BEOORDELING_LINK;
const RESULT_FILE = process.env.BPV_BEOORDELING_RESULT;

let browser;
let page;
const problems = [];
/** What this test chose, by werkproces code. */
const chosen = {};

before(async () => {
  assert.ok(LINK, 'set BPV_BEOORDELING_LINK to a /b/<token> link from a sent mail (scripts/browser-tests.sh does)');
  assert.match(LINK, /^https?:\/\/[^/]+\/b\/[A-Za-z0-9_-]{22}$/, 'BPV_BEOORDELING_LINK is an assessment link');
  mkdirSync(ARTIFACTS, { recursive: true });
  browser = await launchChromium();
  page = await browser.newPage({ viewport: PHONE });
  page.on('console', (msg) => {
    if (msg.text().includes('Content Security Policy')) problems.push(msg.text());
  });
  page.on('pageerror', (e) => problems.push(String(e)));
});

after(async () => {
  await browser?.close();
});

const werkprocessen = () => page.locator('form fieldset.vraag');

/** Click the visible label of a choice, as a praktijkopleider on a phone does. */
async function choose(fieldset, text) {
  const label = fieldset.locator('label.keuze').filter({ has: page.getByText(text, { exact: true }) });
  assert.equal(await label.count(), 1, `one choice "${text}" in ${await fieldset.getAttribute('id')}`);
  await label.click();
  assert.ok(await label.locator('input').isChecked());
  chosen[(await fieldset.getAttribute('id')).replace(/^wp-/, '')] = await label.locator('input').getAttribute('value');
}

async function send() {
  const posted = page.waitForResponse((r) => r.request().method() === 'POST' && r.url().startsWith(LINK));
  const navigated = page.waitForEvent('framenavigated', (f) => f === page.mainFrame());
  await page.getByRole('button', { name: 'Beoordeling versturen' }).click();
  const [res] = await Promise.all([posted, navigated]);
  await page.waitForLoadState('load');
  return res;
}

test('the link from the mail opens the werkprocessen, accessible and fitting a phone', async () => {
  const res = await page.goto(LINK);
  assert.equal(res.status(), 200);
  assert.equal(await page.getAttribute('html', 'lang'), 'nl');
  assert.match(await page.locator('h1').textContent(), /^Wat kan .+ in de praktijk\?$/);
  const n = await werkprocessen().count();
  assert.ok(n >= 1, `the form lists werkprocessen (found ${n})`);
  for (const fs of await werkprocessen().all()) {
    assert.match(await fs.locator('legend').textContent(), /^B\d-K\d-W\d+ \S/, 'each werkproces is named with its code');
    assert.equal(await fs.locator('input[type=radio]').count(), 2, 'beheerst or nog niet');
  }
  assert.ok((await page.getByLabel('Beoordeeld door').inputValue()).length > 0, 'the name is filled in from the document');
  await assertAccessible(page, 'the assessment form');
  await assertFitsPhone(page, 'the assessment form');
  await page.screenshot({ path: join(ARTIFACTS, 'beoordeling-form-phone.png'), fullPage: true });
});

test('a werkproces left open is named in the error summary; the other choices stay', async () => {
  const all = await werkprocessen().all();
  for (const fs of all.slice(1)) await choose(fs, 'Beheerst');
  const res = await send();
  assert.equal(res.status(), 400);
  const summary = page.getByRole('alert');
  assert.equal(await summary.count(), 1);
  const links = summary.getByRole('link');
  assert.equal(await links.count(), 1, await summary.textContent());
  const first = await werkprocessen().first().getAttribute('id');
  assert.equal(await links.first().getAttribute('href'), `#${first}`);
  assert.match(await links.first().textContent(), /kies beheerst of nog niet/);
  for (const [code, value] of Object.entries(chosen)) {
    assert.ok(await page.locator(`input[name="wp-${code}"][value="${value}"]`).isChecked(), `${code} is kept`);
  }
  await assertAccessible(page, 'the assessment form with an error');
  await assertFitsPhone(page, 'the assessment form with an error');
});

test('completing and sending thanks the praktijkopleider with the count', async () => {
  await choose(werkprocessen().first(), 'Nog niet');
  const res = await send();
  assert.equal(res.status(), 200);
  assert.equal((await page.locator('h1').textContent()).trim(), 'Bedankt voor uw beoordeling');
  const total = Object.keys(chosen).length;
  const beheerst = Object.values(chosen).filter((v) => v === 'beheerst').length;
  assert.match(await page.getByRole('status').textContent(), new RegExp(`${beheerst} van de ${total} werkprocessen`));
  await assertAccessible(page, 'the thank-you page');
  await page.screenshot({ path: join(ARTIFACTS, 'beoordeling-bedankt-phone.png'), fullPage: true });
  if (RESULT_FILE) writeFileSync(RESULT_FILE, JSON.stringify({ link: LINK, oordelen: chosen }, null, 2));
});

test('the same link again says the assessment was already sent, with no form', async () => {
  const res = await page.goto(LINK);
  assert.equal(res.status(), 200);
  assert.match(await page.locator('h1').textContent(), /al ingevuld/);
  assert.equal(await page.locator('form').count(), 0);
  await assertAccessible(page, 'the already-sent page');
});

test('no Content-Security-Policy violations and no script errors', () => {
  assert.deepEqual(problems, []);
});
