// What both browser suites share: Chromium launched as this machine allows, and the checks every
// page must pass — axe-core (serious and critical violations) under the page's real CSP, and
// fitting a 360 px phone screen.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const here = dirname(fileURLToPath(import.meta.url));
const AXE_SOURCE = readFileSync(join(here, 'node_modules/axe-core/axe.min.js'), 'utf8');

export const PHONE = { width: 360, height: 740 };

/** Debian's Chromium, headless, with the flags that keep it off the (closed) network. */
export function launchChromium() {
  return chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
      '--disable-quic',
    ],
  });
}

/** Serious and critical axe-core violations of the current page, described for the failure message. */
export async function seriousViolations(page) {
  // The pages' CSP (script-src 'self') refuses the inline <script> addScriptTag would add;
  // evaluating the source through the DevTools protocol is not subject to it, so the pages are
  // tested with their real CSP in force.
  await page.evaluate(AXE_SOURCE);
  const { violations, passes } = await page.evaluate(async () => {
    const r = await globalThis.axe.run();
    return { violations: r.violations, passes: r.passes.length };
  });
  assert.ok(passes > 10, `axe ran only ${passes} passing checks; did it see the page?`);
  return violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.impact} ${v.id}: ${v.help} — ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
}

export async function assertAccessible(page, what) {
  assert.deepEqual(await seriousViolations(page), [], `axe finds serious problems on ${what}`);
}

/** The page fits a phone's width: nothing forces sideways scrolling of the whole page. */
export async function assertFitsPhone(page, what) {
  const size = page.viewportSize();
  await page.setViewportSize(PHONE);
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  await page.setViewportSize(size);
  assert.ok(overflow <= 0, `${what} is ${overflow}px wider than a 360px phone screen`);
}
