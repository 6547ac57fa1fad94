// screenshots.mjs URL OUTDIR — every page of a running `mamori serve`
// (loopback, no token) in English and Japanese, as PNG files in OUTDIR:
// for reviewing what the pages say over a real store, and for
// docs/images/hub-summary.png (summary-en.png at 1400 px wide).
//
//   mamori scan --db /tmp/demo.db && mamori serve --db /tmp/demo.db --port 8099 &
//   node tests/browser/screenshots.mjs http://127.0.0.1:8099/ /tmp/shots
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium } from 'playwright-core';

const [url, out] = process.argv.slice(2);
if (!url || !out) {
  console.error('usage: node screenshots.mjs URL OUTDIR');
  process.exit(2);
}
mkdirSync(out, { recursive: true });
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  headless: true,
  args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking'],
});
const problems = [];
for (const lang of ['en', 'ja']) {
  const context = await browser.newContext({ viewport: { width: 1400, height: 1000 }, locale: lang === 'ja' ? 'ja-JP' : 'en-US' });
  await context.addCookies([{ name: 'mamori_lang', value: lang, url }]);
  const page = await context.newPage();
  page.on('pageerror', (e) => problems.push(lang + ': ' + e.message));
  page.on('console', (m) => { if (m.type() === 'error') problems.push(lang + ': ' + m.text()); });
  await page.goto(url);
  await page.waitForSelector('body[data-ready="true"]');
  const shots = [['#/summary', 'summary'], ['#/findings', 'findings'], ['#/resources', 'resources'],
    ['#/standards', 'standards'], ['#/scans', 'scans']];
  for (const [hash, name] of shots) {
    await page.evaluate((h) => { window.location.hash = h; }, hash);
    await page.waitForSelector(`body[data-page="${name}"]`);
    await page.waitForTimeout(150);
    await page.screenshot({ path: join(out, `${name}-${lang}.png`), fullPage: !process.env.VIEWPORT_ONLY });
  }
  // the first finding of the list, and its resource
  await page.evaluate(() => { window.location.hash = '#/findings?open=true'; });
  await page.waitForSelector('#findings-table');
  await page.locator('#findings-table tbody tr .title').first().click();
  await page.waitForSelector('body[data-page="finding"] #asff');
  await page.screenshot({ path: join(out, `finding-${lang}.png`), fullPage: !process.env.VIEWPORT_ONLY });
  const res = page.locator('main dd a[href^="#/resource"]');
  if (await res.count()) {
    await res.first().click();
    await page.waitForSelector('body[data-page="resource"]');
    await page.screenshot({ path: join(out, `resource-${lang}.png`), fullPage: !process.env.VIEWPORT_ONLY });
  }
  await context.close();
}
await browser.close();
if (problems.length) {
  console.error(problems.join('\n'));
  process.exit(1);
}
console.log('screenshots in ' + out);
