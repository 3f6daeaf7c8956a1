// The buildfarm web page in Debian's headless chromium (playwright-core, no browser download).
// Run by tests/integration/browser_page_test.cc, which starts a farm with real jobs and passes:
//   BUILDFARM_URL, BUILDFARM_VIEWER_TOKEN, BUILDFARM_SCHEDULER_PID (this script stops it to test the
//   offline path), BUILDFARM_SCREENSHOT_DIR, BUILDFARM_EXPECT_MESSAGES (subjects in the expected order,
//   '|'-separated, or empty when the scheduler has no messages API), BUILDFARM_WEB_DIR (dashboards/web,
//   for the static-site mode).
// Every feature is checked with a click or a keypress and an assertion; prints one line per check.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const env = (name) => {
  if (process.env[name] === undefined) throw new Error(`${name} is not set`);
  return process.env[name];
};
const baseUrl = env('BUILDFARM_URL');
const viewerToken = env('BUILDFARM_VIEWER_TOKEN');
const schedulerPid = Number(env('BUILDFARM_SCHEDULER_PID'));
const shots = env('BUILDFARM_SCREENSHOT_DIR');
// Subjects in the order the page must list them, '|'-separated; empty: no messages API.
const expectMessages = (process.env.BUILDFARM_EXPECT_MESSAGES || '').split('|').filter(Boolean);
const webDir = env('BUILDFARM_WEB_DIR');
const fixtures = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures', 'pages');
// Short timers so that stale, offline and backoff show within seconds.
const refreshSeconds = 4;
const backoffMs = 400;

let failures = 0;
async function check(name, body) {
  try {
    await body();
    console.log(`ok - ${name}`);
  } catch (err) {
    failures += 1;
    console.log(`not ok - ${name}\n  ${String(err.stack || err).split('\n').join('\n  ')}`);
  }
}

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  args: ['--no-sandbox'], // root in CI containers; the page is local and trusted
});

// Collects CSP violations (the page reports them as events, chromium also on the console).
async function watchPage(page) {
  const seen = { csp: [], apiRequests: [], failedApi: [] };
  await page.addInitScript(() => {
    window.cspViolations = [];
    document.addEventListener('securitypolicyviolation',
      (e) => window.cspViolations.push(`${e.violatedDirective} ${e.blockedURI}`));
  });
  page.on('console', (msg) => {
    if (/Content Security Policy/i.test(msg.text())) seen.csp.push(msg.text());
  });
  const started = new Map();
  page.on('request', (request) => {
    if (!request.url().includes('/api/v1/')) return;
    seen.apiRequests.push({ url: request.url(), at: Date.now() });
    started.set(request, Date.now());
  });
  page.on('requestfailed', (request) => {
    if (started.has(request)) seen.failedApi.push({ url: request.url(), at: started.get(request) });
  });
  return seen;
}

const visibleCount = (page, selector) => page.locator(selector).filter({ visible: true }).count();
const jobRow = (page, id) => page.locator('#jobs tr').filter({ hasText: id });

try {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, acceptDownloads: true });
  const page = await context.newPage();
  const seen = await watchPage(page);
  const url = `${baseUrl}?refresh=${refreshSeconds}&backoff_ms=${backoffMs}`;
  await page.goto(url);

  await check('asks for a token, and keeps it out of every URL', async () => {
    await page.locator('#token-form').waitFor({ state: 'visible' });
    await page.fill('#token', viewerToken);
    await page.click('#token-form button[type=submit]');
    await page.locator('#servers .card').first().waitFor();
    assert.equal(await page.locator('#token-form').isVisible(), false);
    for (const request of seen.apiRequests) assert.ok(!request.url.includes(viewerToken), request.url);
    assert.ok(!page.url().includes(viewerToken));
  });

  await check('servers show health, CPU, memory, disk, temperature and the current job', async () => {
    assert.equal(await page.locator('#servers .card').count(), 2);
    const text = await page.locator('#servers').innerText();
    for (const want of ['n1', 'n2', 'ready', '62%', '18%', 'GiB free', '45.0 °C', 'web-long']) {
      assert.ok(text.includes(want), `servers lack ${want}:\n${text}`);
    }
    assert.equal(await page.locator('#servers .card.health-ok').count(), 2);
    assert.equal(await page.locator('#connection').getAttribute('data-state'), 'fresh');
  });

  await check('jobs show state, node and duration, with a log link that opens the log', async () => {
    assert.match(await jobRow(page, 'web-build-ok').innerText(), /completed\s+n[12]\s+main\s+\d+s/);
    assert.match(await jobRow(page, 'web-build-fail').innerText(), /failed/);
    assert.match(await jobRow(page, 'web-long').innerText(), /running\s+n[12]/);
    assert.match(await jobRow(page, 'web-queued').innerText(), /queued/);
    assert.equal(await jobRow(page, 'web-queued').locator('a.log-link').count(), 0); // never started: no log
    await jobRow(page, 'web-build-ok').locator('a.log-link').click();
    await page.locator('#log-text').filter({ hasText: 'compiling web-build-ok' }).waitFor({ timeout: 5000 });
    assert.equal(page.url(), url); // the click opened the panel, not the raw URL (it needs the token)
    await page.click('#log-close');
  });

  await check(expectMessages.length ? 'messages are listed, unread by priority'
    : 'messages say "not available" without breaking the page', async () => {
    if (expectMessages.length) {
      assert.deepEqual(await page.locator('#messages .subject').allInnerTexts(), expectMessages);
    } else {
      assert.match(await page.locator('#messages').innerText(), /not available/);
    }
  });

  await page.screenshot({ path: path.join(shots, 'desktop.png'), fullPage: true });

  await check('search filters servers, jobs and messages as one types', async () => {
    await page.fill('#search', 'web-build-f');
    assert.equal(await visibleCount(page, '#jobs tr'), 1);
    assert.equal(await visibleCount(page, '#servers .card'), 0);
    assert.match(await page.locator('#jobs-count').innerText(), /1 of 4/);
    await page.fill('#search', 'N2');
    assert.equal(await visibleCount(page, '#servers .card'), 1);
    await page.locator('#search').press('Escape');
    assert.equal(await visibleCount(page, '#jobs tr'), 4);
  });

  await check('export downloads the data as JSON', async () => {
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#export')]);
    assert.match(download.suggestedFilename(), /^buildfarm-.*\.json$/);
    const data = JSON.parse(fs.readFileSync(await download.path(), 'utf8'));
    assert.equal(data.source, 'api');
    assert.deepEqual(data.nodes.map((n) => n.name).sort(), ['n1', 'n2']);
    assert.deepEqual(data.jobs.map((j) => j.id).sort(), ['web-build-fail', 'web-build-ok', 'web-long', 'web-queued']);
  });

  const theme = () => page.evaluate(() => document.documentElement.dataset.theme);
  const background = () => page.evaluate(() => getComputedStyle(document.body).backgroundColor);

  await check('theme toggle switches the CSS variables and survives a reload', async () => {
    const before = await theme();
    const beforeColor = await background();
    await page.click('#theme');
    const after = await theme();
    assert.notEqual(after, before);
    assert.notEqual(await background(), beforeColor);
    await page.reload();
    await page.locator('#servers .card').first().waitFor();
    assert.equal(await theme(), after);
    assert.equal(await page.locator('#token-form').isVisible(), false); // the token was kept too
  });

  await check('Ctrl+R refetches the data without reloading the page', async () => {
    await page.evaluate(() => { window.notReloaded = true; });
    const before = seen.apiRequests.length;
    await page.keyboard.press('Control+r');
    await page.waitForFunction(() => true);
    for (let i = 0; i < 50 && seen.apiRequests.length < before + 2; i += 1) await page.waitForTimeout(100);
    assert.ok(seen.apiRequests.length >= before + 2, `${seen.apiRequests.length - before} requests`);
    assert.equal(await page.evaluate(() => window.notReloaded), true);
  });

  await check('Ctrl+F focuses the search box', async () => {
    await page.locator('h1').click();
    await page.keyboard.press('Control+f');
    assert.equal(await page.evaluate(() => document.activeElement.id), 'search');
  });

  await check('Ctrl+T toggles the theme', async () => {
    const before = await theme();
    await page.locator('h1').click();
    await page.keyboard.press('Control+t');
    assert.notEqual(await theme(), before);
    await page.keyboard.press('Control+t');
    assert.equal(await theme(), before);
  });

  await check('phone width: one column and nothing wider than the screen', async () => {
    await page.setViewportSize({ width: 375, height: 812 });
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    assert.ok(overflow <= 0, `page is ${overflow}px wider than the screen`);
    const cards = await page.locator('#servers .card').evaluateAll((els) => els.map((e) => e.getBoundingClientRect().x));
    assert.equal(new Set(cards).size, 1, 'cards side by side');
    await page.screenshot({ path: path.join(shots, 'phone.png'), fullPage: true });
    await page.setViewportSize({ width: 1280, height: 900 });
  });

  await check('scheduler stopped: stale, then offline, retrying with growing gaps', async () => {
    assert.equal(await page.locator('#connection').getAttribute('data-state'), 'fresh');
    process.kill(schedulerPid, 'SIGTERM');
    // Gone once it refuses connections (its pid lingers as a zombie until the C++ test reaps it).
    for (let i = 0; i < 100; i += 1) {
      try { await fetch(new URL('healthz', baseUrl)); } catch { break; }
      await page.waitForTimeout(100);
    }
    const stoppedAt = Date.now();
    await page.keyboard.press('Control+r');
    await page.locator('#connection[data-state="stale"]').waitFor({ timeout: 5000 });
    assert.match(await page.locator('#error').innerText(), /retrying in/);
    await page.locator('#connection[data-state="offline"]').waitFor({ timeout: refreshSeconds * 4000 });
    // Failed attempts only: a keep-alive connection may still be served while the scheduler shuts down.
    const attempts = seen.failedApi.filter((r) => r.at >= stoppedAt && r.url.includes('/api/v1/nodes')).map((r) => r.at);
    assert.ok(attempts.length >= 4, `${attempts.length} attempts`);
    const gaps = attempts.slice(1).map((t, i) => t - attempts[i]);
    // 400, 800, 1600, 3200 ms, then capped at the refresh interval: each gap below the cap doubles.
    const belowCap = gaps.filter((g) => g < refreshSeconds * 1000 - 300);
    assert.ok(belowCap.length >= 3, `too few retries before the cap: ${gaps.join(', ')}`);
    for (let i = 1; i < belowCap.length; i += 1) {
      assert.ok(belowCap[i] > belowCap[i - 1] * 1.5, `gaps do not grow: ${gaps.join(', ')}`);
    }
    assert.ok(gaps.every((g) => g <= refreshSeconds * 1000 + 500), `gap beyond the cap: ${gaps.join(', ')}`);
  });

  await check('no Content-Security-Policy violation', async () => {
    assert.deepEqual(await page.evaluate(() => window.cspViolations), []);
    assert.deepEqual(seen.csp, []);
  });
  await context.close();

  // The same files as a static site (GitHub Pages): no API, the published JSON beside the page.
  await check('static-site mode reads nodes/*/status.json and coordination/*.json', async () => {
    const site = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const pages = await site.newPage();
    const pagesSeen = await watchPage(pages);
    await pages.route('http://pages.invalid/**', (route) => {
      const rel = new URL(route.request().url()).pathname.replace(/^\/buildfarm\//, '') || 'index.html';
      const file = [path.join(webDir, rel), path.join(fixtures, rel)].find((f) => !rel.includes('..') && fs.existsSync(f) && fs.statSync(f).isFile());
      if (!file) return route.fulfill({ status: 404, body: 'not found' });
      const types = { '.html': 'text/html', '.css': 'text/css', '.js': 'text/javascript', '.json': 'application/json' };
      return route.fulfill({ status: 200, body: fs.readFileSync(file), contentType: types[path.extname(file)],
        headers: { 'Content-Security-Policy': "default-src 'self'" } });
    });
    await pages.goto('http://pages.invalid/buildfarm/');
    await pages.locator('#servers .card').first().waitFor();
    assert.match(await pages.locator('#source').innerText(), /published JSON/);
    assert.equal(await pages.locator('#token-form').isVisible(), false);
    const servers = await pages.locator('#servers').innerText();
    for (const want of ['build1', 'building', '72%', '58.0 °C', '3.2 ms', 'pages-job-1', 'build2', 'offline']) {
      assert.ok(servers.includes(want), `servers lack ${want}:\n${servers}`);
    }
    assert.equal(await pages.locator('#servers .card.health-bad').count(), 1);
    assert.match(await jobRow(pages, 'pages-job-0').innerText(), /completed\s+build2\s+main\s+12m 34s/);
    const subjects = await pages.locator('#messages .subject').allInnerTexts();
    assert.deepEqual(subjects, ['High priority unread', 'Low priority note', 'Old critical notice']);
    assert.equal(await pages.locator('#messages li.unread').count(), 2);
    assert.deepEqual(await pages.evaluate(() => window.cspViolations), []);
    assert.deepEqual(pagesSeen.csp, []);
    await site.close();
  });
} finally {
  await browser.close();
}

console.log(failures ? `${failures} check(s) failed` : 'all checks passed');
process.exit(failures ? 1 : 0);
