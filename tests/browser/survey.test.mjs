// The respondent survey in a real headless Chromium, opened from a link in a mail the dispatcher
// really sent (to Postfix's smtp-sink): the form is checked with axe-core and on a phone's width,
// submitted once without the grade (the error summary links to it), then completed
// by clicking, and the thank-you page shows the grade given; the link then says it was used.
//
// Needs BPV_SURVEY_LINK (a `/s/<token>` link taken from a sent mail, served by a running
// `bpv demo`). With BPV_SURVEY_RESULT set, writes what was answered there as JSON, so that
// scripts/browser-tests.sh can compare it with the database. That script sets both.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PHONE, assertAccessible, assertFitsPhone, launchChromium } from './lib.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const ARTIFACTS = join(here, 'artifacts');

const LINK = process.env.BPV_SURVEY_LINK;
const RESULT_FILE = process.env.BPV_SURVEY_RESULT;
const GRADE = '8';
const SCALE_ANSWER = 'Eens'; // value 4
const NVT = 'Niet van toepassing';
const REMARK = process.env.BPV_SURVEY_REMARK || 'Vaker een kort gesprek met mijn praktijkopleider — één keer per week.';
const DESKTOP = { width: 1100, height: 800 };

let browser;
let page;
/** Messages of resources the CSP blocked, and script errors: the survey pages must cause none. */
const cspViolations = [];
const pageErrors = [];
/** What this test answered, by item code ('nvt' for "Niet van toepassing"). */
const answered = {};

before(async () => {
  assert.ok(LINK, 'set BPV_SURVEY_LINK to a /s/<token> link from a sent mail, served by a running `bpv demo` (scripts/browser-tests.sh does)');
  assert.match(LINK, /^https?:\/\/[^/]+\/s\/[A-Za-z0-9_-]{22}$/, 'BPV_SURVEY_LINK is a survey link');
  mkdirSync(ARTIFACTS, { recursive: true });
  browser = await launchChromium();
  page = await browser.newPage({ viewport: DESKTOP });
  page.on('console', (msg) => {
    if (msg.text().includes('Content Security Policy')) cspViolations.push(msg.text());
  });
  page.on('pageerror', (e) => pageErrors.push(String(e)));
});

after(async () => {
  await browser?.close();
});

// ---- helpers ----


const questions = () => page.locator('form fieldset.vraag');

/** Click the visible label of one choice in a question (the way a respondent answers). */
async function clickChoice(fieldset, text) {
  const label = fieldset.locator('label.keuze').filter({ has: page.getByText(text, { exact: true }) });
  assert.equal(await label.count(), 1, `exactly one choice "${text}" in ${await fieldset.getAttribute('id')}`);
  await label.click();
  assert.ok(await label.locator('input[type=radio]').isChecked(), `clicking "${text}" checks its radio button`);
  return label.locator('input[type=radio]').getAttribute('value');
}

/** Answer every question by clicking, except the ones named in `skip`. */
async function answerAll({ skip = [] } = {}) {
  const all = await questions().all();
  assert.ok(all.length >= 5, `the form has questions (found ${all.length})`);
  let scaleItems = 0;
  for (const fieldset of all) {
    const code = await fieldset.getAttribute('id');
    if (skip.includes(code)) continue;
    if (code === 'cijfer') {
      answered[code] = await clickChoice(fieldset, GRADE);
    } else {
      // One "Niet van toepassing" among the "Eens" answers, to see it stored as no answer.
      answered[code] = await clickChoice(fieldset, scaleItems === 1 ? NVT : SCALE_ANSWER);
      scaleItems += 1;
    }
  }
  return all.length;
}

/** Click "Versturen" and wait for the page the server answers with; returns that response. */
async function submit() {
  const posted = page.waitForResponse((r) => r.request().method() === 'POST' && r.url().startsWith(LINK));
  const navigated = page.waitForEvent('framenavigated', (f) => f === page.mainFrame());
  await page.getByRole('button', { name: 'Versturen' }).click();
  const [res] = await Promise.all([posted, navigated]);
  await page.waitForLoadState('load');
  return res;
}

// ---- the flow (tests in a file run in order) ----

test('the link from the mail opens the questionnaire, accessible and fitting a phone', async () => {
  const res = await page.goto(LINK);
  assert.equal(res.status(), 200);
  assert.equal(await page.getAttribute('html', 'lang'), 'nl');
  assert.match(await page.title(), /Vragenlijst/);
  assert.equal(await page.locator('h1').count(), 1);
  assert.ok(await page.getByRole('main').isVisible());
  const grade = page.locator('fieldset#cijfer');
  assert.ok(await grade.isVisible(), 'the grade question is there');
  assert.equal(await grade.locator('input[type=radio][name=cijfer]').count(), 10, 'grades 1 to 10');
  assert.ok(await page.getByRole('textbox').first().isVisible());
  await assertAccessible(page, 'the questionnaire');
  await assertFitsPhone(page, 'the questionnaire');
  await page.setViewportSize(PHONE);
  await page.screenshot({ path: join(ARTIFACTS, 'survey-form-phone.png'), fullPage: false });
  await page.setViewportSize(DESKTOP);
});

test('submitting without the grade shows an error summary that links to it, keeping the other answers', async () => {
  const count = await answerAll({ skip: ['cijfer'] });
  await page.getByLabel(/Wat kan er/).click();
  await page.keyboard.type(REMARK);
  await submit();

  const summary = page.getByRole('alert');
  assert.equal(await summary.count(), 1, 'one error summary (role=alert)');
  assert.ok(await summary.isVisible());
  const links = summary.getByRole('link');
  assert.equal(await links.count(), 1, `one error, for the grade: ${await summary.textContent()}`);
  assert.equal(await links.first().getAttribute('href'), '#cijfer', 'the error links to the grade question');
  assert.match(await page.locator('fieldset#cijfer legend').textContent(), /cijfer/i, 'the linked question is the grade');

  // Every link in the summary takes keyboard focus, and following it lands on the question.
  for (const link of await links.all()) {
    await link.focus();
    assert.ok(await link.evaluate((el) => el === document.activeElement), 'an error link takes focus');
  }
  await links.first().click();
  assert.ok(page.url().endsWith('#cijfer'));
  await page.keyboard.press('Tab');
  const focused = await page.evaluate(() => ({ name: document.activeElement?.name, value: document.activeElement?.value }));
  assert.equal(focused.name, 'cijfer', 'Tab after following the error link goes to the grade choices');

  // The question itself shows the error, tied to it for screen readers.
  const fieldset = page.locator('fieldset#cijfer');
  const describedBy = await fieldset.getAttribute('aria-describedby');
  assert.ok(describedBy, 'the grade question is described by its error');
  assert.match(await page.locator(`#${describedBy}`).textContent(), /\S/);

  // Nothing clicked before is lost.
  assert.equal(await questions().count(), count);
  for (const [code, value] of Object.entries(answered)) {
    assert.ok(await page.locator(`input[name="${code}"][value="${value}"]`).isChecked(), `${code} is still answered`);
  }
  assert.equal(await page.getByLabel(/Wat kan er/).inputValue(), REMARK);

  await assertAccessible(page, 'the questionnaire with an error');
  await assertFitsPhone(page, 'the questionnaire with an error');
  await page.setViewportSize(PHONE);
  await page.locator('h1').scrollIntoViewIfNeeded();
  await page.screenshot({ path: join(ARTIFACTS, 'survey-errors-phone.png'), fullPage: false });
  await page.setViewportSize(DESKTOP);
});

// Out of its context (a screen reader's list of links, WCAG 2.4.4) a link must say which question
// it leads to.
test('the error summary names the missing question in its link text', async () => {
  const link = page.getByRole('alert').getByRole('link').first();
  assert.match(await link.textContent(), /cijfer/i, 'the link to the missing grade names the grade');
});

test('choosing the grade and sending shows the thank-you page with that grade', async () => {
  // On a phone, as most students will.
  await page.setViewportSize(PHONE);
  answered.cijfer = await clickChoice(page.locator('fieldset#cijfer'), GRADE);
  await submit();

  assert.equal((await page.getByRole('heading', { level: 1 }).textContent()).trim(), 'Bedankt!');
  assert.equal(await page.locator('#hulp-kop').count(), 0, 'no help section after safe answers');
  assert.equal((await page.locator('#eigen-cijfer').textContent()).trim(), GRADE);
  assert.equal(await page.getByRole('alert').count(), 0);
  // Own answers per theme beside the national figures the results engine published at start.
  const rows = page.locator('#vergelijking tbody tr');
  assert.ok((await rows.count()) >= 3, 'a row per theme with own answers');
  for (const row of await rows.all()) {
    assert.match((await row.locator('td[data-kant=eigen]').textContent()).trim(), /^[1-5],\d$/);
    assert.match((await row.locator('td[data-kant=landelijk]').textContent()).trim(), /^([1-5],\d|onvoldoende antwoorden)$/);
  }
  assert.match(await page.locator('#bron').textContent(), /sinds [a-z]+ \d{4}, zoals gepubliceerd op \d/);
  assert.ok(await page.locator('#bewaar').isVisible(), 'how to keep or print the page');
  await page.screenshot({ path: join(ARTIFACTS, 'survey-thanks-phone.png'), fullPage: true });
  await page.setViewportSize(DESKTOP);
  await assertAccessible(page, 'the thank-you page');
  await assertFitsPhone(page, 'the thank-you page');
  await page.screenshot({ path: join(ARTIFACTS, 'survey-thanks.png'), fullPage: true });

  if (RESULT_FILE) {
    const items = Object.fromEntries(Object.entries(answered).filter(([code]) => code !== 'cijfer'));
    writeFileSync(RESULT_FILE, JSON.stringify({ link: LINK, cijfer: Number(GRADE), items, verbeterpunten: REMARK }, null, 2));
  }
});

test('the same link again says the questionnaire was already filled in', async () => {
  const res = await page.goto(LINK);
  assert.equal(res.status(), 200);
  assert.match(await page.locator('h1').textContent(), /al ingevuld/);
  assert.equal(await page.locator('form').count(), 0, 'no form to send a second time');
  await assertAccessible(page, 'the already-answered page');
  await assertFitsPhone(page, 'the already-answered page');
});

test('the pages need nothing their Content-Security-Policy forbids and throw no script errors', () => {
  assert.deepEqual(cspViolations, []);
  assert.deepEqual(pageErrors, []);
});
