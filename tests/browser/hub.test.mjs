// The mamori hub in a real browser: Playwright (playwright-core) driving
// Debian's Chromium headless.  Started by tests/e2e/test_browser.sh, which
// runs `mamori serve --require-token` over a store holding the demo's
// findings and hostile ones (every string field a script / HTML /
// attribute-breaking payload) and passes MAMORI_URL, MAMORI_TOKEN and
// ARTIFACTS (where the screenshots go).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';

const URL = process.env.MAMORI_URL;
const TOKEN = process.env.MAMORI_TOKEN;
const ARTIFACTS = process.env.ARTIFACTS || join(tmpdir(), 'mamori-browser');
const CATALOGUE = JSON.parse(readFileSync(new globalThis.URL('../../web/i18n/en.json', import.meta.url)));
mkdirSync(ARTIFACTS, { recursive: true });

let context, page, profile;
const problems = []; // dialogs, page errors, CSP violations: none may happen

before(async () => {
  assert.ok(URL && TOKEN, 'MAMORI_URL and MAMORI_TOKEN are set by test_browser.sh');
  profile = mkdtempSync(join(tmpdir(), 'mamori-chromium-'));
  context = await chromium.launchPersistentContext(profile, {
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    viewport: { width: 1400, height: 1000 },
    locale: 'en-US',
  });
  // any script that runs because of stored text would show up here
  await context.addInitScript(() => {
    window.__violations = [];
    document.addEventListener('securitypolicyviolation', (e) => {
      window.__violations.push(e.violatedDirective + ' ' + e.blockedURI);
    });
  });
  page = context.pages()[0] || await context.newPage();
  page.on('dialog', async (d) => { problems.push('dialog: ' + d.message()); await d.dismiss(); });
  page.on('pageerror', (e) => problems.push('page error: ' + e.message));
  page.on('console', (m) => { if (m.type() === 'error') problems.push('console: ' + m.text()); });
});

after(async () => {
  await context?.close();
  if (profile) rmSync(profile, { recursive: true, force: true });
});

async function rendered(name) {
  await page.waitForSelector(`body[data-page="${name}"]`);
}

async function shot(name) {
  await page.screenshot({ path: join(ARTIFACTS, name + '.png'), fullPage: true });
}

async function noScriptRan() {
  const state = await page.evaluate(() => ({ xss: window.__xss, violations: window.__violations }));
  assert.equal(state.xss, undefined, 'a stored payload executed');
  assert.deepEqual(state.violations, [], 'CSP had to block something');
  assert.deepEqual(problems, []);
}

/* Long hostile text wraps or is cut: nothing pushes the page wider than the window. */
async function fitsTheWindow(name) {
  const w = await page.evaluate(() => [document.documentElement.scrollWidth, window.innerWidth]);
  assert.ok(w[0] <= w[1], `${name} is ${w[0]} px wide in a ${w[1]} px window`);
}

/* Navigate inside the app and wait for the page to be drawn again. */
async function go(hash, name) {
  const before = Number(await page.getAttribute('body', 'data-rendered') || 0);
  await page.evaluate((h) => {
    if (window.location.hash === h) window.dispatchEvent(new HashChangeEvent('hashchange'));
    else window.location.hash = h;
  }, hash);
  await page.waitForFunction((n) => Number(document.body.getAttribute('data-rendered') || 0) > n, before);
  await rendered(name);
}

async function kpi(sev) {
  const text = await page.locator(`a.kpi.sev-${sev} b`).textContent();
  return Number(text.replace(/[^0-9]/g, ''));
}

test('log in: a wrong token is refused, the right one opens the dashboard', async () => {
  await page.goto(URL);
  await page.waitForURL(/\/login$/);
  await page.waitForSelector('#token');
  await shot('login-en');
  await page.fill('#token', 'mamori_wrong');
  await page.click('#login-submit');
  await page.waitForSelector('#login-error:not([hidden])');
  // the refusal itself is a 401 the browser logs: expected, not a problem
  problems.splice(0, problems.length, ...problems.filter((p) => !p.includes('401')));
  await page.fill('#token', TOKEN);
  await page.click('#login-submit');
  await page.waitForURL(URL);
  await rendered('summary');
  const cookies = await context.cookies();
  const session = cookies.find((c) => c.name === 'mamori_session');
  assert.ok(session.httpOnly, 'the session cookie is HttpOnly');
  assert.equal(session.sameSite, 'Strict');
  await noScriptRan();
});

test('summary, filter, open a finding, suppress it with a note, see the summary change', async () => {
  await go('#/summary', 'summary');
  await page.waitForSelector('svg[role="img"]'); // the severity donut
  await shot('summary-en');
  const critical = await kpi('CRITICAL');
  assert.ok(critical > 0, 'the demo has open critical findings');

  await go('#/findings', 'findings');
  await page.check('input[name="severity"][value="CRITICAL"]');
  await page.selectOption('#f-open', 'true');
  const before = Number(await page.getAttribute('body', 'data-rendered'));
  await page.click('#apply-filters');
  await page.waitForFunction((n) => Number(document.body.getAttribute('data-rendered')) > n, before);
  const sevs = await page.locator('#findings-table tbody tr .badge').allTextContents();
  assert.equal(sevs.length, critical, 'the filter shows every open critical finding');
  assert.ok(sevs.every((s) => s === CATALOGUE['sev.CRITICAL']));
  await shot('findings-en');

  // open the first one (the demo's own, not a hostile one)
  const row = page.locator('#findings-table tbody tr').filter({ hasNotText: 'XSS-TITLE' }).first();
  await row.locator('a').first().click();
  await rendered('finding');
  await page.waitForSelector('#history');
  await shot('finding-en');
  await page.click('#do-suppress');
  await page.waitForSelector('#note-dialog[open]');
  await page.click('#note-ok'); // no note: refused
  assert.ok(await page.locator('#note-dialog[open]').count() === 1);
  await page.fill('#note-text', 'Public by design: the CDN origin (browser test)');
  const n = Number(await page.getAttribute('body', 'data-rendered'));
  await page.click('#note-ok');
  await page.waitForFunction((k) => Number(document.body.getAttribute('data-rendered')) > k, n);
  assert.equal((await page.locator('#workflow-status').textContent()).trim(), CATALOGUE['wf.SUPPRESSED']);
  assert.ok((await page.locator('#history').textContent()).includes('Public by design: the CDN origin (browser test)'));

  await go('#/summary', 'summary');
  assert.equal(await kpi('CRITICAL'), critical - 1, 'the summary counts one critical finding less');
  await noScriptRan();
});

test('bulk workflow from the list: resolve then reopen', async () => {
  await go('#/findings?severity=LOW&open=true', 'findings');
  const rows = await page.locator('#findings-table tbody tr').count();
  assert.ok(rows >= 1);
  await page.locator('#findings-table tbody tr input.pick').first().check();
  await page.click('#bulk-resolved');
  await page.fill('#note-text', 'fixed in the bulk test');
  let n = Number(await page.getAttribute('body', 'data-rendered'));
  await page.click('#note-ok');
  await page.waitForFunction((k) => Number(document.body.getAttribute('data-rendered')) > k, n);
  assert.equal(await page.locator('#findings-table tbody tr').count(), rows - 1);
  // the resolved one, reopened from the list of resolved LOW findings
  await go('#/findings?severity=LOW&status=RESOLVED&open=false', 'findings');
  const resolved = await page.locator('#findings-table tbody tr').count();
  assert.ok(resolved >= 1);
  const row = page.locator('#findings-table tbody tr').filter({ hasText: CATALOGUE['wf.RESOLVED'] }).first();
  const href = await row.locator('a').first().getAttribute('href');
  await row.locator('input.pick').check();
  await page.click('#bulk-new');
  await page.fill('#note-text', 'not fixed after all (bulk test)');
  n = Number(await page.getAttribute('body', 'data-rendered'));
  await page.click('#note-ok');
  await page.waitForFunction((k) => Number(document.body.getAttribute('data-rendered')) > k, n);
  assert.equal(await page.locator('#findings-table tbody tr').count(), resolved - 1);
  await go(href, 'finding');
  await page.waitForSelector('#history');
  assert.equal((await page.locator('#workflow-status').textContent()).trim(), CATALOGUE['wf.NEW']);
  assert.ok((await page.locator('#history').textContent()).includes('not fixed after all (bulk test)'));
  await noScriptRan();
});

test('every page renders: resources, one resource, standards, scans', async () => {
  await go('#/resources', 'resources');
  await page.waitForSelector('#resources-table');
  await shot('resources-en');
  await page.locator('#resources-table tbody tr a').filter({ hasText: 'acme' }).first().click();
  await rendered('resource');
  await shot('resource-en');
  await go('#/standards', 'standards');
  await page.waitForSelector('table.matrix');
  await shot('standards-en');
  await go('#/scans', 'scans');
  await page.waitForSelector('#scans-table');
  await shot('scans-en');
  await noScriptRan();
});

test('a control leads to its findings; search, day range and the control filter narrow the list', async () => {
  // from the standards matrix: a failing control's cell, in one account
  await go('#/standards', 'standards');
  const cell = page.locator('table.matrix td.cell a').filter({ has: page.locator('.state-FAILED') }).first();
  const href = await cell.getAttribute('href');
  assert.match(href, /control=.+%2F.+&account=\d{12}/, 'a cell links to its control in its account');
  await cell.click();
  await rendered('findings');
  const control = new URLSearchParams(href.split('?')[1]).get('control');
  assert.equal((await page.locator('#control-filter code').textContent()), control);
  const rows = await page.locator('#findings-table tbody tr').count();
  assert.ok(rows >= 1, 'a failing control has findings');
  // every one of them belongs to that control
  for (const h of await page.locator('#findings-table .title').evaluateAll((els) => els.map((e) => e.closest('a').getAttribute('href')))) {
    const hash = decodeURIComponent(h.split('/').pop());
    const d = await page.evaluate(async (x) => (await fetch('/api/v1/findings/' + x)).json(), hash);
    assert.ok(d.finding.Compliance.RelatedRequirements.includes(control), 'a finding of the control');
  }
  await shot('control-findings-en');
  // the filter stays while others are added, and goes with its link
  let n = Number(await page.getAttribute('body', 'data-rendered'));
  await page.selectOption('#f-open', 'false');
  await page.click('#apply-filters');
  await page.waitForFunction((k) => Number(document.body.getAttribute('data-rendered')) > k, n);
  assert.equal(await page.locator('#control-filter').count(), 1);
  await page.locator('#control-filter a').click();
  await page.waitForFunction(() => !document.querySelector('#control-filter'));

  // a text search through the trigram index, case-insensitive
  await go('#/findings', 'findings');
  await page.fill('#f-q', 'ACME-WEB');
  n = Number(await page.getAttribute('body', 'data-rendered'));
  await page.click('#apply-filters');
  await page.waitForFunction((k) => Number(document.body.getAttribute('data-rendered')) > k, n);
  const found = await page.locator('#findings-table tbody tr').allTextContents();
  assert.ok(found.length >= 1 && found.every((r) => r.toLowerCase().includes('acme-web')), 'the search finds acme-web-assets');

  // a day range in the past holds nothing; one up to today holds them all again
  await go('#/findings?open=false', 'findings');
  const everything = await page.locator('#findings-table tbody tr').count();
  await page.fill('#f-from', '2001-01-01');
  await page.fill('#f-to', '2001-01-31');
  n = Number(await page.getAttribute('body', 'data-rendered'));
  await page.click('#apply-filters');
  await page.waitForFunction((k) => Number(document.body.getAttribute('data-rendered')) > k, n);
  assert.match(page.url(), /since=2001-01-01T00%3A00%3A00Z&until=2001-02-01T00%3A00%3A00Z|until=2001-02-01T00%3A00%3A00Z/);
  assert.equal(await page.locator('#findings-table tbody tr').count(), 0);
  assert.equal(await page.inputValue('#f-to'), '2001-01-31', 'the inclusive day comes back');
  const today = new Date().toISOString().slice(0, 10);
  await page.fill('#f-to', today);
  n = Number(await page.getAttribute('body', 'data-rendered'));
  await page.click('#apply-filters');
  await page.waitForFunction((k) => Number(document.body.getAttribute('data-rendered')) > k, n);
  assert.equal(await page.locator('#findings-table tbody tr').count(), everything);
  await noScriptRan();
});

test('hostile text is shown as text and never runs', async () => {
  await go('#/findings?q=XSS-TITLE&open=false', 'findings');
  const titles = await page.locator('#findings-table .title').allTextContents();
  assert.ok(titles.length >= 10, 'the hostile findings are listed');
  assert.ok(titles.some((t) => t.includes('<script>window.__xss=1</script>')), 'a payload is shown literally');
  assert.ok(titles.some((t) => t.includes('"><img src=x onerror="window.__xss=2">')));
  await shot('hostile-findings');
  // every hostile finding's detail page, and its resource
  const hrefs = await page.locator('#findings-table .title').evaluateAll((els) => els.map((e) => e.closest('a').getAttribute('href')));
  for (const [i, href] of hrefs.entries()) {
    await go(href, 'finding');
    await page.waitForSelector('#asff');
    assert.ok((await page.locator('#finding-title').textContent()).includes('XSS-TITLE'));
    // the remediation link is made only for http(s) URLs
    const links = await page.locator('main a[href^="javascript:"]').count();
    assert.equal(links, 0, 'no javascript: link');
    if (i === 0) await shot('hostile-finding');
    await noScriptRan();
  }
  await go('#/resources', 'resources');
  await fitsTheWindow('resources');
  await go('#/standards', 'standards');
  await shot('hostile-standards');
  await go('#/scans', 'scans');
  await fitsTheWindow('scans');
  await go('#/summary', 'summary');
  await fitsTheWindow('summary');
  await shot('hostile-summary');
  await noScriptRan();
  // the stylesheet payload did not hide the page
  assert.ok(await page.locator('main h1').isVisible());
});

test('Japanese: every page in 日本語, no key left untranslated', async () => {
  const ja = JSON.parse(readFileSync(new globalThis.URL('../../web/i18n/ja.json', import.meta.url)));
  await page.selectOption('#lang', 'ja');
  await page.waitForFunction(() => document.documentElement.lang === 'ja');
  await rendered('summary');
  assert.equal((await page.locator('#nav a[data-page="summary"]').textContent()).trim(), ja['nav.summary']);
  const keyLike = new RegExp('\\b(' + [...new Set(Object.keys(ja).map((k) => k.split('.')[0]))].join('|') + ')\\.[A-Za-z_]+\\b');
  // an English text of the catalogue (one that Japanese says differently) on a Japanese page
  const english = [...new Set(Object.keys(CATALOGUE).filter((k) => ja[k] !== CATALOGUE[k] && !/\{\w+\}/.test(CATALOGUE[k]))
    .map((k) => CATALOGUE[k].trim()))];
  async function untranslated(p, name) {
    const text = await p.locator('body').innerText();
    const leaked = text.split('\n').filter((line) => keyLike.test(line) && !/XSS|window|arn:|mamori\.|rule-/.test(line));
    assert.deepEqual(leaked, [], 'untranslated keys on ' + name);
    const texts = await p.evaluate(() => {
      const out = [];
      const walk = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
      for (let n = walk.nextNode(); n; n = walk.nextNode()) {
        const e = n.parentElement;
        if (e && e.closest('#asff, pre, option') === null && e.getClientRects().length) out.push(n.textContent.trim());
      }
      for (const e of document.querySelectorAll('[title], [placeholder], [aria-label]'))
        for (const a of ['title', 'placeholder', 'aria-label']) if (e.getAttribute(a)) out.push(e.getAttribute(a).trim());
      return out;
    });
    assert.deepEqual(texts.filter((x) => english.includes(x)), [], 'English text left on the Japanese ' + name + ' page');
  }
  for (const [hash, name] of [['#/summary', 'summary'], ['#/findings', 'findings'], ['#/resources', 'resources'],
    ['#/standards', 'standards'], ['#/scans', 'scans']]) {
    await go(hash, name);
    await untranslated(page, name);
    await shot(name + '-ja');
  }
  await go('#/findings?severity=HIGH', 'findings');
  await page.locator('#findings-table tbody tr').filter({ hasNotText: 'XSS-TITLE' }).first().locator('a').first().click();
  await rendered('finding');
  await page.waitForSelector('#history');
  await untranslated(page, 'finding');
  await shot('finding-ja');
  await page.locator('main dd a[href^="#/resource"]').first().click();
  await rendered('resource');
  await untranslated(page, 'resource');
  await shot('resource-ja');
  await noScriptRan();
  // the login page, in a second tab: the language cookie set above holds for it too
  const login = await context.newPage();
  await login.goto(URL + 'login');
  await login.waitForFunction(() => document.documentElement.lang === 'ja');
  assert.equal((await login.locator('h1').textContent()).trim(), ja['login.heading']);
  await untranslated(login, 'login');
  await login.screenshot({ path: join(ARTIFACTS, 'login-ja.png'), fullPage: true });
  await login.close();
});

test('log out ends the session', async () => {
  await page.click('#logout');
  await page.waitForURL(/\/login$/);
  const res = await page.request.get(URL + 'api/v1/summary');
  assert.equal(res.status(), 401);
});
