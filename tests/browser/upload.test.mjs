// The manual upload page in a real headless Chromium: log in as the demo gemachtigde, have a
// Dutch Excel-style CSV checked (a bad line is shown, nothing can be stored), fix it, store it,
// store it again (nothing changes), and check every page with axe-core.
//
// Needs BPV_UPLOAD_URL (the `uploadpagina` URL printed by `bpv demo`); scripts/browser-tests.sh
// starts the demo and sets it.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { assertAccessible, assertFitsPhone, launchChromium } from './lib.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const ARTIFACTS = join(here, 'artifacts');

const UPLOAD_URL = process.env.BPV_UPLOAD_URL;
const EMAIL = 'gemachtigde@amstelvliet.example';
const PASSWORD = 'demo-wachtwoord-2026';

let browser;
let page;
/** Messages of resources the CSP blocked: our own pages must need none. */
const cspViolations = [];

before(async () => {
  assert.ok(UPLOAD_URL, 'set BPV_UPLOAD_URL to the upload page of a running `bpv demo` (scripts/browser-tests.sh does)');
  mkdirSync(ARTIFACTS, { recursive: true });
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1100, height: 800 } });
  page.on('console', (msg) => {
    if (msg.text().includes('Content Security Policy')) cspViolations.push(msg.text());
  });
});

after(async () => {
  await browser?.close();
});

// ---- helpers ----


function ddmmjjjj(date) {
  const p = (n) => String(n).padStart(2, '0');
  return `${p(date.getDate())}-${p(date.getMonth() + 1)}-${date.getFullYear()}`;
}

const DAY = 24 * 3600 * 1000;
// Placements that started recently and end well after the invitation window opens, so the
// records are valid and planned for the survey whenever the test runs.
const START = ddmmjjjj(new Date(Date.now() - 30 * DAY));
const END = ddmmjjjj(new Date(Date.now() + 150 * DAY));
// Unique per run, so the test also works against a demo database that was used before.
const RUN = Date.now().toString(36).toUpperCase();

/** A file as Dutch Excel saves it: UTF-8 with a BOM, `;`-separated, CRLF, dd-mm-jjjj dates. */
function csvFile(secondCrebo) {
  const header =
    'Correlatie_id;Leerbedrijf_code;Crebo_code;Emailadres;Studentcode;Naam;Startdatum;Geplande_einddatum;' +
    'Leerweg_naam;Schoolnaam;Locatiecode;Aanbiedercode';
  const lines = [
    [`BT-${RUN}-1`, '100200300', '25604', 'zoe.celik@student.example', 'S100001', 'Zoë Çelik', START, END, 'BOL'],
    [`BT-${RUN}-2`, '100200300', secondCrebo, '', 'S100002', 'Daan de Wit', START, END, 'BBL'],
    [`BT-${RUN}-3`, '100200301', '25604', 'noor.bakker@student.example', 'S100003', 'Noor Bakker', START, END, 'BOL'],
  ].map((l) => [...l, 'ROC Amstelvliet', '251X111', '251A100'].join(';'));
  const text = [header, ...lines].join('\r\n') + '\r\n';
  return Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text, 'utf8')]);
}

async function chooseAndCheck(buffer) {
  await page.goto(UPLOAD_URL);
  await page.setInputFiles('#csv', { name: 'bpvo-export.csv', mimeType: 'text/csv', buffer });
  await Promise.all([page.waitForURL(/\/upload\/controleren$/), page.getByRole('button', { name: 'Controleren' }).click()]);
  assert.equal(await page.locator('h1').textContent(), 'Controle van het bestand');
}

async function store() {
  await Promise.all([page.waitForURL(/\/upload\/opslaan$/), page.getByRole('button', { name: 'Opslaan' }).click()]);
  assert.equal(await page.locator('h1').textContent(), 'Upload verwerkt');
}

const count = async (id) => (await page.locator(`#${id}`).textContent()).trim();

// ---- the flow (tests in a file run in order) ----

test('login page is accessible and refuses a wrong password without saying which part was wrong', async () => {
  const res = await page.goto(UPLOAD_URL);
  assert.equal(res.status(), 200);
  assert.equal(await page.title(), 'Inloggen · BPV Monitor uploadmodule');
  assert.equal(await page.getAttribute('html', 'lang'), 'nl');
  await assertAccessible(page, 'the login page');
  await assertFitsPhone(page, 'the login page');

  await page.getByLabel('E-mailadres').fill(EMAIL);
  await page.getByLabel('Wachtwoord').fill('niet-het-wachtwoord');
  await page.getByRole('button', { name: 'Inloggen' }).click();
  await page.getByRole('alert').waitFor();
  assert.equal((await page.getByRole('alert').textContent()).trim(), 'E-mailadres of wachtwoord onjuist');
  await assertAccessible(page, 'the login page with an error');
});

test('the demo gemachtigde logs in and sees the upload form', async () => {
  await page.goto(UPLOAD_URL);
  await page.getByLabel('E-mailadres').fill(EMAIL);
  await page.getByLabel('Wachtwoord').fill(PASSWORD);
  await Promise.all([page.waitForURL(UPLOAD_URL), page.getByRole('button', { name: 'Inloggen' }).click()]);
  assert.equal(await page.locator('h1').textContent(), 'Bestand uploaden');
  assert.ok(await page.getByText('ROC Amstelvliet').first().isVisible());
  assert.ok(await page.getByLabel("CSV-bestand met bpvo's").isVisible());
  await assertAccessible(page, 'the upload form');
  await assertFitsPhone(page, 'the upload form');
});

test('a file with a bad crebo shows the line and the error, and cannot be stored', async () => {
  await chooseAndCheck(csvFile('2560'));
  assert.equal(await count('regels'), '3');
  assert.ok(await page.getByText('puntkomma (;)').isVisible(), 'the separator is named');
  const errors = page.locator('ul.fouten');
  assert.ok(await errors.getByRole('heading', { name: /^Regel 3\b/ }).isVisible(), 'line 3 (header = line 1) is named');
  assert.ok(await errors.getByText('Crebo_code').isVisible());
  assert.ok(await errors.getByText(/Crebo-code moet bestaan uit precies 5 cijfers/).isVisible());
  assert.ok(await page.getByText('Herstel de fouten in uw bestand en upload het opnieuw.').isVisible());
  assert.equal(await page.getByRole('button', { name: 'Opslaan' }).count(), 0, 'no confirm button while there are errors');
  // The two good lines are shown, with the name as typed (UTF-8 with BOM read right).
  assert.ok(await page.getByRole('cell', { name: 'Zoë Çelik' }).isVisible());
  await assertAccessible(page, 'the check page with errors');
  await assertFitsPhone(page, 'the check page with errors');
  await page.screenshot({ path: join(ARTIFACTS, 'upload-check-errors.png'), fullPage: true });
});

test('the fixed file is checked, stored, and stored again without changes', async () => {
  const fixed = csvFile('25604');
  await chooseAndCheck(fixed);
  assert.ok(await page.getByText('Het bestand is in orde').isVisible());
  await assertAccessible(page, 'the check page without errors');
  const voorbeeld = await page.locator('input[name="voorbeeld"]').inputValue();
  const csrf = await page.locator('input[name="csrf"]').first().inputValue();

  await store();
  assert.equal(await count('aangemaakt'), '3');
  assert.equal(await count('bijgewerkt'), '0');
  assert.equal(await count('ongewijzigd'), '0');
  assert.equal(await count('afgewezen'), '0');
  await assertAccessible(page, 'the result page');
  await assertFitsPhone(page, 'the result page');
  await page.screenshot({ path: join(ARTIFACTS, 'upload-result.png'), fullPage: true });

  // Confirming the same check twice (a double click, a reload) stores nothing more.
  const again = await page.request.post(new URL('/upload/opslaan', UPLOAD_URL).href, {
    form: { voorbeeld, csrf },
    headers: { Origin: new URL(UPLOAD_URL).origin },
  });
  assert.equal(again.status(), 409);
  assert.match(await again.text(), /Deze upload is al verwerkt of verlopen/);

  await chooseAndCheck(fixed);
  await store();
  assert.equal(await count('aangemaakt'), '0');
  assert.equal(await count('ongewijzigd'), '3');

  // Both uploads are listed on the upload page.
  await page.goto(UPLOAD_URL);
  const recent = page.getByRole('region', { name: 'Laatste uploads van uw instelling' });
  assert.ok(await recent.getByText('3 nieuw, 0 bijgewerkt, 0 ongewijzigd').isVisible());
  assert.ok(await recent.getByText('0 nieuw, 0 bijgewerkt, 3 ongewijzigd').isVisible());
  await page.setViewportSize({ width: 390, height: 844 });
  await page.screenshot({ path: join(ARTIFACTS, 'upload-form-phone.png'), fullPage: true });
  await page.setViewportSize({ width: 1100, height: 800 });
});

test('the pages need nothing their Content-Security-Policy forbids', () => {
  assert.deepEqual(cspViolations, []);
});

test('a form posted from another origin is refused', async () => {
  const res = await page.request.post(new URL('/upload/uitloggen', UPLOAD_URL).href, {
    headers: { Origin: 'https://elders.example' },
  });
  assert.equal(res.status(), 403);
});

test('logging out ends the session', async () => {
  await page.goto(UPLOAD_URL);
  const cookie = (await page.context().cookies()).find((c) => c.name === 'bpv_upload');
  assert.ok(cookie, 'logged in before logging out');
  await Promise.all([page.waitForURL(UPLOAD_URL), page.getByRole('button', { name: 'Uitloggen' }).click()]);
  assert.equal(await page.locator('h1').textContent(), 'Inloggen');
  // A copy of the cookie (another tab, a shared computer) no longer works either: the session
  // ended on the server, not only in this browser.
  const copied = await fetch(UPLOAD_URL, { headers: { cookie: `bpv_upload=${cookie.value}` } });
  const html = await copied.text();
  assert.match(html, /<h1>Inloggen<\/h1>/, 'the old cookie shows the login form');
  assert.doesNotMatch(html, /Uitloggen/);
  const res = await page.request.post(new URL('/upload/controleren', UPLOAD_URL).href, {
    multipart: { csrf: 'x', csv: { name: 'a.csv', mimeType: 'text/csv', buffer: csvFile('25604') } },
  });
  assert.equal(res.status(), 401, 'no session, no check');
});
