// The results dashboard in a real headless Chromium: a wrong password is refused, the school's
// gemachtigde logs in, filters (leerweg, sector, kwalificatie: each shows figures), switches to the praktijkopleiders and another theme tab,
// and every figure on the page — theme score, respons line, each question, for the instelling and
// landelijk — equals the `tekst` the reporting API gives for the same selection. Then the SBB
// analist logs in, picks the instelling, and sees the same figures. Pages are checked with axe-core
// and on a phone's width. The Excel download is a workbook, and the page printed by Chromium to
// a PDF (read back with poppler's pdftotext) is an A4 report with one theme per page. The
// gemachtigde adds a lezer limited to one aanbieder, who then sees that aanbieder's figures only.
//
// Needs BPV_DASHBOARD_URL (…/dashboard of a running `bpv demo`), BPV_REPORTING_API_URL and
// BPV_API_TOKEN (a token of the demo client of 25LX with scope resultaten:read);
// scripts/browser-tests.sh sets all three.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PHONE, assertAccessible, assertFitsPhone, launchChromium } from './lib.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const ARTIFACTS = join(here, 'artifacts');

const DASHBOARD_URL = process.env.BPV_DASHBOARD_URL;
const API_URL = process.env.BPV_REPORTING_API_URL;
const TOKEN = process.env.BPV_API_TOKEN;
const SCHOOL = 'gemachtigde@amstelvliet.example';
const SBB = 'analist@sbb.example';
const PASSWORD = 'demo-wachtwoord-2026';
const BRIN = '25LX';
const THEMA = 'begeleiding';
// The demo's earlier surveys cover the last months; the previous calendar year is always in them.
const YEAR = new Date().getFullYear() - 1;
const DESKTOP = { width: 1100, height: 800 };

let browser;
let page;
/** Messages of resources the CSP blocked, and script errors: the dashboard must cause none. */
const cspViolations = [];
const pageErrors = [];

before(async () => {
  assert.ok(DASHBOARD_URL, 'set BPV_DASHBOARD_URL to …/dashboard of a running `bpv demo` (scripts/browser-tests.sh does)');
  assert.ok(API_URL, 'set BPV_REPORTING_API_URL to the resultaten-API of the same `bpv demo`');
  assert.ok(TOKEN, 'set BPV_API_TOKEN to a resultaten:read token of the demo client of 25LX');
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

const text = async (locator) => (await locator.textContent()).trim();

async function login(email, password) {
  await page.getByLabel('E-mailadres').fill(email);
  await page.getByLabel('Wachtwoord').fill(password);
  // The answer is a new page: the login page with an error, or a redirect to the results.
  await Promise.all([
    page.waitForEvent('framenavigated', (f) => f === page.mainFrame()),
    page.getByRole('button', { name: 'Inloggen' }).click(),
  ]);
  await page.waitForLoadState();
}

/** Submit the filter form and wait for the page it loads. */
async function search() {
  await Promise.all([page.waitForURL(/\/dashboard\?/), page.locator('#zoeken').click()]);
}

/**
 * Follow a link on the page and wait until the browser is at its target. A dashboard page asked
 * without any period is sent on (303) to its default period: the browser then ends at the same
 * path and query plus `van` and `totEnMet`.
 */
async function follow(link) {
  const target = new URL(await link.getAttribute('href'), page.url());
  const noPeriod = !target.searchParams.has('van') && !target.searchParams.has('totEnMet');
  const arrived = (u) =>
    u.href === target.href ||
    (noPeriod &&
      u.pathname === target.pathname &&
      u.searchParams.has('van') &&
      u.searchParams.has('totEnMet') &&
      [...target.searchParams].every(([k, v]) => u.searchParams.getAll(k).includes(v)));
  await Promise.all([page.waitForURL(arrived), link.click()]);
}

/** Open a theme's tab (the filter form does not carry the theme). */
async function openTheme(code) {
  const tab = page.locator(`nav.tabs a[data-thema="${code}"]`);
  assert.equal(await tab.count(), 1, `a tab for ${code}`);
  if ((await tab.getAttribute('aria-current')) !== 'page') await follow(tab);
  assert.equal(await tab.getAttribute('aria-current'), 'page');
  assert.equal(await page.locator('nav.tabs a[aria-current=page]').count(), 1, 'one active theme tab');
  assert.equal(await page.locator('#thema').getAttribute('data-thema'), code);
}

/** The report the API gives for the selection in the page's URL (its query minus `thema`). */
async function apiReport() {
  const params = new URLSearchParams(new URL(page.url()).search);
  params.delete('thema');
  const url = `${API_URL}/v1/resultaten?${params}`;
  const res = await fetch(url, { headers: { Authorization: `Bearer ${TOKEN}`, Accept: 'application/json' } });
  const body = await res.text();
  assert.equal(res.status, 200, `GET ${url}: ${body}`);
  return { url, report: JSON.parse(body) };
}

/** What the page shows of the active theme: headline numbers, respons lines, every question. */
async function shown() {
  const kop = {};
  for (const kant of ['instelling', 'landelijk']) {
    const blok = page.locator(`#kop-${kant}`);
    kop[kant] = (await blok.count()) === 0 ? null : {
      getal: await text(blok.locator(`.getal[data-kant=${kant}]`)),
      respons: await text(blok.locator(`.respons[data-kant=${kant}]`)),
    };
  }
  const items = [];
  for (const li of await page.locator('#thema li.vraag').all()) {
    const waarde = async (kant) => {
      const w = li.locator(`.waarde[data-kant=${kant}]`);
      const n = await w.count();
      assert.ok(n <= 1, `at most one ${kant} value per question`);
      return n === 0 ? null : text(w);
    };
    items.push({
      code: await li.getAttribute('data-item'),
      tekst: await text(li.locator('.tekst')),
      instelling: await waarde('instelling'),
      landelijk: await waarde('landelijk'),
    });
  }
  return { thema: await page.locator('#thema').getAttribute('data-thema'), kop, items };
}

/** What the page must show of theme `code`, built from the API's report alone. */
function expected(report, code) {
  const thema = report.themas.find((t) => t.code === code);
  assert.ok(thema, `the API report has theme ${code} (has ${report.themas.map((t) => t.code).join(', ')})`);
  const kant = (k) => ({ getal: thema.score[k]?.tekst, respons: `Respons: ${report.respons[k]?.tekst}` });
  return {
    thema: code,
    kop: { instelling: report.selectie.instelling ? kant('instelling') : null, landelijk: kant('landelijk') },
    items: thema.items.map((i) => ({
      code: i.code,
      tekst: i.tekst,
      instelling: i.instelling ? i.instelling.gemiddelde.tekst : null,
      landelijk: i.landelijk.gemiddelde.tekst,
    })),
  };
}

/** The active theme on the page equals the API's report for the same selection. */
async function assertMatchesApi(what) {
  const { url, report } = await apiReport();
  const code = await page.locator('#thema').getAttribute('data-thema');
  const onPage = await shown();
  assert.deepEqual(onPage, expected(report, code), `${what}: the page shows what GET ${url} says`);
  // The tabs are the API's themes, in its order.
  const tabs = await page.locator('nav.tabs a').evaluateAll((as) => as.map((a) => [a.dataset.thema, a.textContent.trim()]));
  assert.deepEqual(tabs, report.themas.map((t) => [t.code, t.naam]), `${what}: one tab per theme of the API`);
  return { report, onPage };
}

/** A figure like "7,4" or "3,85" (not "onvoldoende respons" or "geen antwoorden"). */
const NUMBER = /^\d+(,\d+)?$/;

// ---- the flow (tests in a file run in order) ----

test('the login page is accessible; a wrong password shows the error and stays on the login page', async () => {
  const res = await page.goto(DASHBOARD_URL);
  assert.equal(res.status(), 200);
  assert.equal(await page.getAttribute('html', 'lang'), 'nl');
  assert.equal(await text(page.locator('h1')), 'Inloggen');
  assert.ok(await page.getByLabel('E-mailadres').isVisible());
  assert.ok(await page.getByLabel('Wachtwoord').isVisible());
  assert.equal(await page.locator('#filters').count(), 0, 'no results before logging in');
  await assertAccessible(page, 'the dashboard login page');
  await assertFitsPhone(page, 'the dashboard login page');

  await login(SCHOOL, 'niet-het-wachtwoord');
  await page.locator('#fout').waitFor();
  assert.equal(await text(page.locator('#fout')), 'E-mailadres of wachtwoord onjuist');
  assert.equal(await page.locator('#fout').getAttribute('role'), 'alert');
  assert.equal(await text(page.locator('h1')), 'Inloggen');
  assert.equal(await page.locator('#filters').count(), 0, 'still no results');
  assert.equal(await page.getByLabel('E-mailadres').inputValue(), SCHOOL, 'the address typed is kept');
  assert.equal(await page.getByLabel('Wachtwoord').inputValue(), '', 'the password is not sent back');
  const cookies = await page.context().cookies();
  assert.ok(!cookies.some((c) => c.name === 'bpv_dashboard' && c.value), 'no session cookie');
  await assertAccessible(page, 'the dashboard login page with an error');
});

test('the school gemachtigde logs in and sees the results of the instelling', async () => {
  await page.goto(DASHBOARD_URL);
  await login(SCHOOL, PASSWORD);
  assert.equal(new URL(page.url()).pathname, '/dashboard');
  assert.match(await text(page.locator('h1')), /^Resultaten \S/);
  assert.ok(await page.getByRole('button', { name: 'Uitloggen' }).isVisible());
  assert.ok(await page.locator('#filters').isVisible());
  assert.equal(await page.locator('#f-instelling').count(), 0, 'a school user cannot pick an instelling');
  // Opened without a period: a whole calendar year, in the URL and the fields, and said so.
  const opened = new URL(page.url()).searchParams;
  assert.match(opened.get('van') ?? '', /^\d{4}-01$/, 'the default period starts in January');
  assert.equal(opened.get('totEnMet'), `${opened.get('van').slice(0, 4)}-12`, 'and ends in December of that year');
  assert.equal(await page.locator('#f-van').inputValue(), opened.get('van'));
  assert.ok(await page.locator('#standaardperiode').isVisible(), 'the page says the period is the default');
  assert.ok(await page.locator('#kop-instelling').isVisible());
  assert.ok(await page.locator('#kop-landelijk').isVisible());
  assert.equal(await page.locator('#g-studenten').getAttribute('aria-current'), 'page', 'students by default');
  assert.equal(await page.locator('nav.tabs a[aria-current=page]').count(), 1, 'one active theme tab');
  const { report, onPage } = await assertMatchesApi('the first results page');
  assert.equal(report.selectie.instelling, BRIN);
  assert.equal(report.selectie.groep, 'studenten');
  // The demo holds answers of earlier surveys: nationally, the students' figures are numbers, so
  // the comparison is not only between two "geen antwoorden".
  const [, beantwoord] = onPage.kop.landelijk.respons.match(/\((\d[\d.]*) van /) ?? [];
  assert.ok(Number(beantwoord?.replaceAll('.', '')) > 0, `answers are counted nationally: "${onPage.kop.landelijk.respons}"`);
  assert.match(onPage.kop.landelijk.getal, NUMBER, `the national score of ${onPage.thema} is a number`);
});

test('the results page is accessible and fits a phone', async () => {
  await assertAccessible(page, 'the results page');
  await assertFitsPhone(page, 'the results page');
});

test('praktijkopleiders, theme Begeleiding, a whole year: every figure equals the API', async () => {
  await follow(page.locator('#g-praktijkopleiders'));
  assert.equal(await page.locator('#g-praktijkopleiders').getAttribute('aria-current'), 'page');
  assert.equal(await page.locator('#g-studenten').getAttribute('aria-current'), null);
  assert.equal(new URL(page.url()).searchParams.get('groep'), 'praktijkopleiders');

  await openTheme(THEMA);
  assert.equal(await page.locator('#g-praktijkopleiders').getAttribute('aria-current'), 'page', 'the tab keeps the group');
  await assertMatchesApi('praktijkopleiders, begeleiding');

  // A whole calendar year keeps every figure (results are never split within a year).
  await page.locator('#f-van').fill(`${YEAR}-01`);
  await page.locator('#f-totenmet').fill(`${YEAR}-12`);
  await search();
  assert.equal(await page.locator('#fouten').count(), 0, 'the selection is accepted');
  const params = new URL(page.url()).searchParams;
  assert.equal(params.get('van'), `${YEAR}-01`);
  assert.equal(params.get('totEnMet'), `${YEAR}-12`);
  assert.equal(await page.locator('#f-van').inputValue(), `${YEAR}-01`, 'the filter keeps its value');
  assert.equal(await page.locator('#g-praktijkopleiders').getAttribute('aria-current'), 'page', 'the filter form keeps the group');
  await openTheme(THEMA);
  assert.equal(new URL(page.url()).searchParams.get('van'), `${YEAR}-01`, 'the tab keeps the filter');

  const { report, onPage } = await assertMatchesApi(`praktijkopleiders, begeleiding, ${YEAR}`);
  assert.equal(report.selectie.groep, 'praktijkopleiders');
  assert.equal(report.selectie.van, `${YEAR}-01`);
  assert.ok(onPage.items.length >= 2, `the theme has questions (found ${onPage.items.length})`);
  assert.match(onPage.kop.landelijk.getal, NUMBER, `the national score of ${THEMA} in ${YEAR} is a number`);
  assert.match(onPage.kop.instelling.getal, NUMBER, `the score of ${BRIN} for ${THEMA} in ${YEAR} is a number`);
  assert.ok(onPage.items.every((i) => NUMBER.test(i.landelijk)), 'every national question figure is a number');
  await page.screenshot({ path: join(ARTIFACTS, 'dashboard.png'), fullPage: true });
  await page.setViewportSize(PHONE);
  await page.screenshot({ path: join(ARTIFACTS, 'dashboard-phone.png'), fullPage: true });
  await page.setViewportSize(DESKTOP);
});

/** The text of each page of a PDF (poppler's pdfinfo and pdftotext). */
function pdfPages(file) {
  const info = execFileSync('pdfinfo', [file], { encoding: 'utf8' });
  const count = Number(info.match(/^Pages:\s+(\d+)/m)?.[1]);
  assert.ok(count > 0, `pdfinfo reads the PDF: ${info}`);
  return Array.from({ length: count }, (_, i) =>
    execFileSync('pdftotext', ['-f', String(i + 1), '-l', String(i + 1), '-layout', file, '-'], { encoding: 'utf8' }));
}

/** Click a download link; returns the saved file's path and suggested name. */
async function download(link, name) {
  const [d] = await Promise.all([page.waitForEvent('download'), link.click()]);
  const file = join(ARTIFACTS, name);
  await d.saveAs(file);
  const head = [...readFileSync(file).subarray(0, 4)];
  assert.deepEqual(head, [0x50, 0x4b, 0x03, 0x04], `${name}: an xlsx is a zip container`);
  return d.suggestedFilename();
}

test('"Download als Excel" gives the workbook; printing gives an A4 report, one theme per page', async () => {
  assert.match(await download(page.locator('#xlsx'), 'resultaten.xlsx'), /^bpv-resultaten-25LX\.xlsx$/);
  const { report } = await apiReport();
  assert.equal(await text(page.locator('#periode')), `januari ${YEAR} t/m december ${YEAR}`);
  assert.match(await text(page.locator('#gepubliceerd')), /^\d{1,2} [a-z]+ \d{4} om \d{2}:\d{2}$/);
  const file = join(ARTIFACTS, 'dashboard-print.pdf');
  await page.pdf({ path: file, format: 'A4' });
  const pages = pdfPages(file);
  const first = pages[0];
  assert.match(first, /BPV Monitor: resultaten van de praktijkopleiders/);
  assert.match(first, new RegExp(`Periode: januari ${YEAR} t/m december ${YEAR}`));
  assert.match(first, /Cijfers gepubliceerd op \d/);
  for (const [i, p] of pages.entries()) {
    assert.ok((p.match(/Thema: /g) ?? []).length <= 1, `page ${i + 1} holds at most one theme`);
    assert.ok(!/Uitloggen|Zoeken|Download als/.test(p), `page ${i + 1}: no screen navigation on paper`);
  }
  let last = -1;
  for (const t of report.themas) {
    const on = pages.flatMap((p, i) => (p.includes(`Thema: ${t.naam}`) ? [i] : []));
    assert.equal(on.length, 1, `theme ${t.naam} starts on exactly one page (${on})`);
    assert.ok(on[0] > last, `theme ${t.naam} starts on a new page after the previous theme`);
    last = on[0];
    const flat = pages[on[0]].replace(/\s+/g, ' ');
    assert.ok(flat.includes(t.score.landelijk.tekst), `the page of ${t.naam} shows its national score ${t.score.landelijk.tekst}`);
    assert.ok(flat.includes(t.score.instelling.tekst), `the page of ${t.naam} shows the score of ${BRIN}`);
  }
  assert.ok(pages.length >= report.themas.length, `${pages.length} pages for ${report.themas.length} themes`);
});

test('leerweg BOL on top: the page still says what the API says', async () => {
  await page.locator('#f-leerweg').selectOption('BOL');
  await search();
  assert.equal(await page.locator('#fouten').count(), 0, 'the selection is accepted');
  assert.equal(new URL(page.url()).searchParams.get('leerweg'), 'BOL');
  assert.equal(await page.locator('#f-leerweg').inputValue(), 'BOL', 'the filter keeps its value');
  assert.equal(await page.locator('#f-van').inputValue(), `${YEAR}-01`, 'the other filters stay');
  await openTheme(THEMA);
  assert.equal(new URL(page.url()).searchParams.get('leerweg'), 'BOL', 'the tab keeps the filter');
  const { report, onPage } = await assertMatchesApi(`praktijkopleiders, begeleiding, ${YEAR}, BOL`);
  assert.equal(report.selectie.leerweg, 'BOL');
  // Small cells merge along the filters, so a leerweg filter counts answers, for the school and
  // nationally (before, every remainder straddled leerwegen and the page said "geen antwoorden").
  assert.match(onPage.kop.instelling.getal, NUMBER, `the score of ${BRIN} for BOL in ${YEAR} is a number`);
  assert.match(onPage.kop.landelijk.getal, NUMBER, `the national score for BOL in ${YEAR} is a number`);
  // Answers that fall only partly within the selection are left out, and the page says how many.
  const note = page.locator('#niet-meegeteld');
  const left = report.nietMeegeteld?.instelling ?? 0;
  if (left > 0) {
    const nl = String(left).replace(/\B(?=(\d{3})+(?!\d))/g, '.');
    assert.match(await text(note), new RegExp(`^${nl} antwoorden zitten in groepen`), 'the page names the answers left out');
    assert.ok((await text(note)).includes(report.nietMeegeteld.suggestie), 'and suggests a selection that counts more');
  } else {
    assert.equal(await note.count(), 0, 'no note when nothing is left out');
  }
});

/**
 * Choose, in the select `id`, the option whose selection counts the most answers for the school
 * (the API says), search, and check the page shows numbers beside the national ones.
 */
async function filterShowsFigures(id, key, groep) {
  if ((await page.locator(`#g-${groep}`).getAttribute('aria-current')) !== 'page') await follow(page.locator(`#g-${groep}`));
  await page.locator('#f-leerweg').selectOption('');
  for (const other of ['#f-sector', '#f-crebo']) await page.locator(other).selectOption('');
  const values = (await page.locator(`${id} option`).evaluateAll((os) => os.map((o) => o.value))).filter(Boolean);
  assert.ok(values.length > 0, `${id} offers values`);
  let best = null;
  for (const value of values) {
    const params = new URLSearchParams({ groep, van: `${YEAR}-01`, totEnMet: `${YEAR}-12`, [key]: value });
    const res = await fetch(`${API_URL}/v1/resultaten?${params}`, { headers: { Authorization: `Bearer ${TOKEN}` } });
    assert.equal(res.status, 200);
    const r = await res.json();
    if (!best || r.respons.instelling.beantwoord > best.n) best = { value, n: r.respons.instelling.beantwoord };
  }
  await page.locator(id).selectOption(best.value);
  await search();
  assert.equal(new URL(page.url()).searchParams.get(key), best.value);
  await openTheme(THEMA);
  const { report, onPage } = await assertMatchesApi(`${groep}, begeleiding, ${YEAR}, ${key} ${best.value}`);
  assert.equal(report.selectie[key], best.value);
  assert.ok(best.n >= report.k, `${key} ${best.value} counts ${best.n} answers of ${BRIN} (k = ${report.k})`);
  assert.match(onPage.kop.instelling.getal, NUMBER, `the score of ${BRIN} for ${key} ${best.value} is a number`);
  assert.match(onPage.kop.landelijk.getal, NUMBER, `the national score for ${key} ${best.value} is a number`);
  await page.screenshot({ path: join(ARTIFACTS, `dashboard-${key}.png`), fullPage: true });
}

test('a sector filter shows figures for the school and nationally', async () => {
  await filterShowsFigures('#f-sector', 'sector', 'praktijkopleiders');
});

test('a kwalificatie filter shows figures for the school and nationally', async () => {
  // Students: praktijkopleiders answer less, so per crebo a school's year is often below k.
  await filterShowsFigures('#f-crebo', 'crebo', 'studenten');
});

test('the filtered results page is accessible and fits a phone', async () => {
  await assertAccessible(page, 'the results page (studenten, begeleiding, a year, a kwalificatie)');
  await assertFitsPhone(page, 'the results page (studenten, begeleiding, a year, a kwalificatie)');
});

test('the data-quality tab shows the same indicators as the API, and the school\'s own records', async () => {
  await Promise.all([page.waitForURL(/\/dashboard\/datakwaliteit$/), page.getByRole('link', { name: 'Datakwaliteit' }).click()]);
  assert.equal(await text(page.locator('h1')), 'Datakwaliteit bpvo-registraties');
  const res = await fetch(new URL('/v1/datakwaliteit', API_URL), { headers: { Authorization: `Bearer ${TOKEN}` } });
  assert.equal(res.status, 200);
  const api = await res.json();
  const pct = (a) => (a === null ? 'n.v.t.' : a.percentage === null ? '–' : `${a.percentage.toFixed(1).replace('.', ',')}%`);
  for (const [id, totaal] of [[BRIN, api.instellingen[0].totaal], ['landelijk', api.landelijk.totaal]]) {
    const row = page.locator(`#indicatoren tr[data-rij="${id}"]`);
    assert.equal(await text(row.locator('td[data-kolom=erkend]')), pct(totaal.erkend), `${id} erkend`);
    assert.equal(await text(row.locator('td[data-kolom=tijdig]')), pct(totaal.tijdigGeregistreerd), `${id} tijdig`);
    assert.equal(await text(row.locator('td[data-kolom=email]')), pct(totaal.studentEmail), `${id} e-mail`);
  }
  const late = api.afwijkingen.nietTijdigGeregistreerd.length;
  assert.match(await text(page.locator('#afw-nietTijdigGeregistreerd summary')), new RegExp(`: ${late}$`));
  // The six questions: each score beside the national one, as the API gives them.
  assert.equal(api.vragen.length, 6);
  for (const v of api.vragen) {
    const row = page.locator(`#vragen tr[data-vraag="${v.nummer}"]`);
    assert.equal(await text(row.locator('td[data-kolom=instelling]')), pct(v.instelling), `question ${v.nummer}, ${BRIN}`);
    assert.equal(await text(row.locator('td[data-kolom=landelijk]')), pct(v.landelijk), `question ${v.nummer}, national`);
    assert.equal(await page.locator(`#vraag-${v.nummer} h3`).count(), 1);
  }
  // The school's meldingen per question, counted as the API lists them.
  for (const key of ['keuzedeelNietErkend', 'nietTijdigBijDuo', 'onbekendBijDuo', 'alleenBijDuo',
    'gestartVoorErkenningsbesluit', 'nietGeschiktVoorStagefonds']) {
    assert.match(await text(page.locator(`#afw-${key} summary`)), new RegExp(`: ${api.afwijkingen[key].length}$`), key);
  }
  assert.ok(api.afwijkingen.keuzedeelNietErkend.length > 0 && api.afwijkingen.alleenBijDuo.length > 0,
    'the demo has keuzedelen without erkenning and bpvo\'s only DUO knows');
  // The photo history per question: a server-rendered chart (the demo took this quarter's photo).
  assert.equal(await page.locator('#vraag-1 svg.grafiek').count(), 1, 'a chart of question 1');
  assert.equal(await page.locator('svg.grafiek[role=img] title').first().count(), 1);
  assert.ok((await page.locator('#fotos tr[data-kwartaal]').count()) >= 1, 'the demo took this quarter\'s photo');
  await assertAccessible(page, 'the data-quality tab');
  await assertFitsPhone(page, 'the data-quality tab');
  await page.screenshot({ path: join(ARTIFACTS, 'datakwaliteit.png'), fullPage: true });
  await page.goto(DASHBOARD_URL);
});

/** GET an API path with the school's token. */
async function api(path) {
  const url = new URL(path, API_URL);
  const res = await fetch(url, { headers: { Authorization: `Bearer ${TOKEN}`, Accept: 'application/json' } });
  const body = await res.text();
  assert.equal(res.status, 200, `GET ${url}: ${body}`);
  return JSON.parse(body);
}

test('the trend: the chart and its tables show the API\'s figures per quarter and school year', async () => {
  await follow(page.locator('#trend-link'));
  assert.equal(new URL(page.url()).pathname, '/dashboard/trend');
  const params = new URLSearchParams(new URL(page.url()).search);
  const trend = await api(`/v1/resultaten/trend?${params}`);
  assert.equal(trend.kwartalen.length, 20, 'five years of quarters by default');
  const series = { kwartaal: trend.kwartalen, jaar: trend.jaren, schooljaar: trend.schooljaren };
  for (const [id, points] of [['trend-kwartalen', trend.kwartalen], ['trend-jaren', trend.jaren], ['trend-schooljaren', trend.schooljaren]]) {
    const rows = page.locator(`#${id} tbody tr`);
    assert.equal(await rows.count(), points.length, `${id}: a row per period`);
    for (let i = 0; i < points.length; i += 1) {
      const p = points[i];
      const row = rows.nth(i);
      assert.equal(await text(row.locator('th')), p.periode);
      assert.equal(await text(row.locator('td[data-kant=instelling]')), p.cijfer.instelling.tekst, `${p.periode} instelling`);
      assert.equal(await text(row.locator('td[data-kant=landelijk]')), p.cijfer.landelijk.tekst, `${p.periode} landelijk`);
    }
  }
  // The chart draws the series it names (quarters when any has a national figure, else calendar
  // years): a point for every period with a figure, none for a withheld one.
  const per = await page.locator('figure[data-per]').getAttribute('data-per');
  const drawn = series[per];
  assert.ok(drawn, `the chart names its series (${per})`);
  if (per === 'jaar') {
    assert.ok(trend.kwartalen.every((p) => p.cijfer.landelijk.waarde === null), 'years only when no quarter has a figure');
  }
  for (const kant of ['instelling', 'landelijk']) {
    const want = drawn.filter((p) => p.cijfer[kant].waarde !== null).length;
    assert.equal(await page.locator(`#trend-grafiek g.lijn.${kant} circle`).count(), want, `${kant}: points`);
  }
  assert.ok(drawn.some((p) => p.cijfer.landelijk.waarde !== null), 'the demo has national figures in the charted series');
  // Calendar years count every answer: the demo's previous year has a figure.
  const year = trend.jaren.find((p) => p.periode === String(YEAR));
  assert.ok(year && year.cijfer.landelijk.waarde !== null, `the national grade of ${YEAR} is a number`);
  const box = await page.locator('#trend-grafiek').boundingBox();
  assert.ok(box && box.width > 300 && box.height > 100, 'the chart is drawn');
  await assertAccessible(page, 'the trend page');
  await assertFitsPhone(page, 'the trend page');
  await page.screenshot({ path: join(ARTIFACTS, 'trend.png'), fullPage: true });
  await follow(page.locator('#terug'));
});

test('the Respons tab shows the API\'s response per aanbieder, locatie, leerweg, sector, kwalificatie and channel', async () => {
  await page.goto(DASHBOARD_URL);
  await follow(page.locator('#tab-respons'));
  assert.equal(new URL(page.url()).pathname, '/dashboard/respons');
  const params = new URLSearchParams(new URL(page.url()).search);
  const o = await api(`/v1/respons?${params}`);
  assert.equal(o.groepen.length, 2, 'both groups');
  let rows = 0;
  for (const g of o.groepen) {
    const section = page.locator(`#respons-${g.groep}`);
    for (const d of g.per) {
      const table = section.locator(`table[data-indeling="${d.indeling}"]`);
      assert.equal(await table.locator('tbody tr').count(), d.rijen.length, `${g.groep} per ${d.indeling}`);
      for (const r of d.rijen) {
        const row = table.locator(`tr[data-code="${r.code}"]`);
        assert.equal(await text(row.locator('td[data-kant=instelling]')), r.instelling.tekst, `${g.groep} ${d.indeling} ${r.code}`);
        assert.equal(await text(row.locator('td[data-kant=landelijk]')), r.landelijk.tekst);
        rows += 1;
      }
    }
  }
  assert.ok(rows > 10, `the demo school has rows to show (${rows})`);
  // Small counts are bands, and no count below k is printed exactly.
  const texts = await page.locator('td[data-kant]').allTextContents();
  for (const t of texts) {
    for (const m of t.matchAll(/\((\d[\d.]*) van (\d[\d.]*)\)/g)) {
      assert.ok(Number(m[1].replaceAll('.', '')) >= o.k, `"${t}" shows fewer than k answered exactly`);
    }
  }
  assert.match(await download(page.locator('#xlsx'), 'respons.xlsx'), /^bpv-respons-25LX\.xlsx$/);
  await assertAccessible(page, 'the Respons tab');
  await assertFitsPhone(page, 'the Respons tab');
  await page.screenshot({ path: join(ARTIFACTS, 'respons.png'), fullPage: true });
  await page.goto(DASHBOARD_URL);
});

test('the gemachtigde adds a lezer for one aanbieder; the lezer reads exactly that aanbieder\'s results', async () => {
  await page.goto(DASHBOARD_URL);
  await follow(page.locator('#tab-lezers'));
  assert.equal(new URL(page.url()).pathname, '/dashboard/lezers');
  await assertAccessible(page, 'the Lezers page');
  await assertFitsPhone(page, 'the Lezers page');
  const email = `teamleider-${Date.now()}@amstelvliet.example`;
  await page.getByLabel('E-mailadres').fill(email);
  await page.getByLabel('Naam', { exact: true }).fill('Tea Leider');
  const box = page.locator('input[name=aanbieder]').first();
  const aanbieder = await box.getAttribute('value');
  await box.check();
  await Promise.all([page.waitForURL(/\/dashboard\/lezers$/), page.getByRole('button', { name: 'Toevoegen' }).click()]);
  await page.locator('#toegevoegd').waitFor();
  const password = await text(page.locator('#wachtwoord'));
  assert.equal(password.length, 43, 'a generated password, shown once');
  const row = page.locator('#lezers tbody tr', { hasText: email });
  assert.ok((await text(row)).includes(`aanbieder ${aanbieder}`), 'listed with its limit');
  await assertAccessible(page, 'the Lezers page after adding');
  await page.screenshot({ path: join(ARTIFACTS, 'lezers.png'), fullPage: true });

  await Promise.all([page.waitForURL(DASHBOARD_URL), page.getByRole('button', { name: 'Uitloggen' }).click()]);
  await login(email, password);
  assert.equal(new URL(page.url()).pathname, '/dashboard');
  const tabs = await page.locator('nav.onderdelen a').allTextContents();
  assert.deepEqual(tabs.map((t) => t.trim()), ['Resultaten', 'Respons'], 'a lezer has the results tabs only');
  const options = await page.locator('#f-aanbieder option').evaluateAll((os) => os.map((o) => o.value));
  assert.deepEqual(options, ['', aanbieder], 'only its aanbieder to choose');
  // Without a choice the lezer sees its aanbieder: the same figures as the API for that aanbieder.
  const headline = await shown();
  await page.goto(`${DASHBOARD_URL}?aanbieder=${aanbieder}&thema=${headline.thema}`);
  const { onPage } = await assertMatchesApi('the lezer, its aanbieder');
  assert.deepEqual(headline, onPage, 'no choice is the same as choosing its aanbieder');
  await assertAccessible(page, 'the results page of a lezer');
});

test('logging out returns to the login page; the results are gone', async () => {
  await Promise.all([page.waitForURL(DASHBOARD_URL), page.getByRole('button', { name: 'Uitloggen' }).click()]);
  assert.equal(await text(page.locator('h1')), 'Inloggen');
  assert.equal(await page.locator('#filters').count(), 0);
  await page.goto(`${DASHBOARD_URL}?leerweg=BOL`);
  assert.equal(await text(page.locator('h1')), 'Inloggen', 'no results without a session');
});

test('the SBB analist sees the national results and, for instelling 25LX, the same figures as the API', async () => {
  await login(SBB, PASSWORD);
  assert.equal(new URL(page.url()).pathname, '/dashboard');
  assert.equal(await text(page.locator('h1')), 'Resultaten landelijk', 'SBB starts with the national results');
  assert.equal(await page.locator('#kop-instelling').count(), 0, 'no instelling column nationally');
  assert.equal(await page.locator('li.vraag .waarde[data-kant=instelling]').count(), 0, 'no instelling figures nationally');
  // The national figures do not depend on the instelling the API token is bound to.
  const national = await shown();
  const { report: forSchool } = await apiReport();
  const want = expected(forSchool, national.thema);
  assert.deepEqual(
    { kop: national.kop.landelijk, items: national.items.map((i) => [i.code, i.landelijk]) },
    { kop: want.kop.landelijk, items: want.items.map((i) => [i.code, i.landelijk]) },
    'the national figures equal the API\'s landelijk figures',
  );
  assert.match(national.kop.landelijk.getal, NUMBER, 'the national score is a number');
  await assertAccessible(page, 'the national results page');

  const instelling = page.locator('#f-instelling');
  assert.ok(await instelling.isVisible(), 'SBB can pick an instelling');
  await instelling.selectOption(BRIN);
  await search();
  assert.equal(await page.locator('#fouten').count(), 0, 'the selection is accepted');
  assert.equal(new URL(page.url()).searchParams.get('instelling'), BRIN);
  assert.equal(await instelling.inputValue(), BRIN, 'the instelling stays selected');
  assert.match(await text(page.locator('h1')), /^Resultaten \S/);
  assert.notEqual(await text(page.locator('h1')), 'Resultaten landelijk');
  assert.ok(await page.locator('#kop-instelling').isVisible());
  // The school's token gives the figures of 25LX; SBB's view of 25LX must be the same.
  const { report, onPage } = await assertMatchesApi('SBB, instelling 25LX');
  assert.equal(report.selectie.instelling, BRIN);
  assert.match(onPage.kop.instelling.getal, NUMBER, `the score of ${BRIN} is a number`);

  // And on another group and theme.
  await follow(page.locator('#g-praktijkopleiders'));
  await openTheme(THEMA);
  assert.equal(new URL(page.url()).searchParams.get('instelling'), BRIN, 'the links keep the instelling');
  await assertMatchesApi('SBB, 25LX, praktijkopleiders, begeleiding');
  await page.screenshot({ path: join(ARTIFACTS, 'dashboard-sbb.png'), fullPage: true });
  await assertAccessible(page, 'the SBB results page of 25LX');
  await assertFitsPhone(page, 'the SBB results page of 25LX');
});

test('SBB\'s Instellingen tab: every instelling beside national, sortable; 25LX\'s row is its own report', async () => {
  await page.goto(DASHBOARD_URL);
  await follow(page.locator('#tab-instellingen'));
  assert.equal(new URL(page.url()).pathname, '/dashboard/instellingen');
  await page.locator('#f-van').fill(`${YEAR}-01`);
  await page.locator('#f-totenmet').fill(`${YEAR}-12`);
  await Promise.all([page.waitForURL(/\/dashboard\/instellingen\?/), page.locator('#zoeken').click()]);
  const rows = page.locator('#instellingen tbody tr');
  assert.ok((await rows.count()) >= 2, 'the demo has several instellingen');
  // The row of 25LX shows what the school's own report says for the same selection.
  const { report } = await (async () => {
    const res = await fetch(`${API_URL}/v1/resultaten?van=${YEAR}-01&totEnMet=${YEAR}-12`, { headers: { Authorization: `Bearer ${TOKEN}` } });
    assert.equal(res.status, 200);
    return { report: await res.json() };
  })();
  const cijfer = report.themas.flatMap((t) => t.items).find((i) => i.code === 'cijfer');
  const row = page.locator('#instellingen tr[data-instelling="25LX"]');
  assert.equal(await text(row.locator('td').first()), cijfer.instelling.gemiddelde.tekst, 'the grade of 25LX');
  assert.equal(await text(row.locator('td[data-kolom=respons]')), report.respons.instelling.tekst, 'the response of 25LX');
  const national = page.locator('#instellingen tr[data-instelling="landelijk"]');
  assert.equal(await text(national.locator('td').first()), cijfer.landelijk.gemiddelde.tekst, 'the national grade');
  // Sorting by grade: descending, rows without a figure last.
  await follow(page.locator('#instellingen th[data-kolom=cijfer] a'));
  assert.equal(await page.locator('#instellingen th[data-kolom=cijfer]').getAttribute('aria-sort'), 'descending');
  const grades = (await page.locator('#instellingen tbody tr td:first-of-type').allTextContents()).map((t) => t.trim());
  const numbers = grades.filter((g) => NUMBER.test(g)).map((g) => Number(g.replace(',', '.')));
  assert.deepEqual(numbers, [...numbers].sort((a, b) => b - a), `grades descending: ${grades}`);
  assert.deepEqual(grades.slice(0, numbers.length).every((g) => NUMBER.test(g)), true, 'figures first, withheld last');
  assert.match(await download(page.locator('#xlsx'), 'instellingen.xlsx'), /^bpv-instellingen-studenten\.xlsx$/);
  await assertAccessible(page, 'the Instellingen tab');
  await assertFitsPhone(page, 'the Instellingen tab');
  await page.screenshot({ path: join(ARTIFACTS, 'instellingen.png'), fullPage: true });
});

test('no resource was blocked by the CSP and no script failed', () => {
  assert.deepEqual(cspViolations, []);
  assert.deepEqual(pageErrors, []);
});
