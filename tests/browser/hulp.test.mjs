// Help at the moment it matters: a student who answers a sociale-veiligheid item on the unsafe
// side sees, on their own thank-you page, where to go (the school's contact or the national text,
// and the national reporting point), and that SBB passes no name on — checked with axe-core and
// on a phone's width. (survey.test.mjs checks that safe answers show none of it.)
//
// Needs BPV_HULP_LINK (a `/s/<token>` student link from a sent mail, served by a running
// `bpv demo`); scripts/browser-tests.sh sets it.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PHONE, assertAccessible, assertFitsPhone, launchChromium } from './lib.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const ARTIFACTS = join(here, 'artifacts');
const LINK = process.env.BPV_HULP_LINK;

let browser;
let page;
const problems = [];

before(async () => {
  assert.ok(LINK, 'set BPV_HULP_LINK to a /s/<token> student link (scripts/browser-tests.sh does)');
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

async function choose(fieldset, text) {
  const label = fieldset.locator('label.keuze').filter({ has: page.getByText(text, { exact: true }) });
  assert.equal(await label.count(), 1, `one choice "${text}" in ${await fieldset.getAttribute('id')}`);
  await label.click();
}

test('an unsafe answer shows where to get help, accessible and fitting a phone', async () => {
  assert.equal((await page.goto(LINK)).status(), 200);
  for (const fieldset of await page.locator('form fieldset.vraag').all()) {
    const id = await fieldset.getAttribute('id');
    if (id === 'cijfer') await choose(fieldset, '6');
    else if (id === 'sociale_veiligheid_1') await choose(fieldset, 'Oneens');
    else await choose(fieldset, 'Eens');
  }
  const navigated = page.waitForEvent('framenavigated', (f) => f === page.mainFrame());
  await page.getByRole('button', { name: 'Versturen' }).click();
  await navigated;
  await page.waitForLoadState('load');
  assert.equal((await page.getByRole('heading', { level: 1 }).textContent()).trim(), 'Bedankt!');
  const hulp = page.getByRole('region', { name: /niet veilig/ });
  assert.ok(await hulp.isVisible(), 'the help section is there, named by its heading');
  const text = await hulp.textContent();
  assert.match(text, /vertrouwenspersoon|klachten/i, 'the school side');
  assert.match(text, /Meldpunt/, 'the national reporting point');
  assert.match(text, /SBB geeft je naam niet door/);
  const links = hulp.getByRole('link');
  assert.ok((await links.count()) >= 1);
  for (const l of await links.all()) assert.match(await l.getAttribute('href'), /^https:\/\//);
  await assertAccessible(page, 'the thank-you page with help');
  await assertFitsPhone(page, 'the thank-you page with help');
  await page.screenshot({ path: join(ARTIFACTS, 'survey-hulp-phone.png'), fullPage: true });
});

test('no Content-Security-Policy violations and no script errors', () => {
  assert.deepEqual(problems, []);
});
