// Drives the dashboard of a running primary in Debian's headless Chromium (playwright-core; never a downloaded
// browser) and reports what a user would see, as one line `RESULT {json}` on stdout. DashboardIT asserts on it.
//   node dashboard-check.js --url http://127.0.0.1:PORT/ --workers N [--app-port P] [--token T]
//        [--screenshot FILE] [--kill signal|fake] [--stop-primary] [--view-only]
// Steps: load the page; wait for N listening rows; send traffic to the app (when --app-port) so the rate has
// something to draw; wait until every chart has data; kill the first worker (SIGKILL to its pid, or the fake
// primary's /fake/kill) and wait for its row to change and a new row to listen; with --token: a wrong token is
// refused (401 shown), the right one scales up by one; screenshot; with --stop-primary: SIGTERM to the primary,
// and the page says it is disconnected. --view-only: the page loads and shows the rows and events, nothing more.
// Exit status 0 when the steps ran; the assertions on what they saw are DashboardIT's.
'use strict';
const fs = require('node:fs');
const http = require('node:http');
const os = require('node:os');
const path = require('node:path');
const { chromium } = require('playwright-core');

const args = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = args.indexOf(name);
  return i >= 0 && i + 1 < args.length ? args[i + 1] : dflt;
};
const URL_ = opt('--url', 'http://127.0.0.1:8001/');
const WORKERS = Number(opt('--workers', '2'));
const APP_PORT = opt('--app-port', null);
const TOKEN = opt('--token', null);
const SCREENSHOT = opt('--screenshot', null);
const KILL = opt('--kill', 'signal');
const STOP_PRIMARY = args.includes('--stop-primary');
const VIEW_ONLY = args.includes('--view-only');
const CHROMIUM = opt('--chromium', '/usr/bin/chromium');
const WAIT = Number(opt('--wait-ms', '60000'));

// Console errors are kept with the phase they came in: during 'wrong-token' Chromium itself logs the 401 of
// the refused request (any 4xx answer to fetch is logged so); anywhere else there must be none.
const result = { consoleErrors: [], pageErrors: [], failedRequests: [], steps: [] };
let phase = 'view';
const step = s => {
  result.steps.push(s);
  process.stderr.write(`dashboard-check: ${s}\n`);
};

async function main() {
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'jcluster-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync'],
    viewport: { width: 1440, height: 900 },
    deviceScaleFactor: 1,
    colorScheme: 'light',
  });
  let traffic = null;
  try {
    const page = context.pages()[0] || await context.newPage();
    page.on('console', m => {
      if (m.type() === 'error') result.consoleErrors.push({ phase, text: m.text() });
    });
    page.on('pageerror', e => result.pageErrors.push(String(e && e.stack ? e.stack : e)));
    page.on('requestfailed', r => result.failedRequests.push(`${r.method()} ${r.url()}: ${r.failure() && r.failure().errorText}`));
    page.setDefaultTimeout(WAIT);

    const response = await page.goto(URL_, { waitUntil: 'load' });
    result.pageStatus = response ? response.status() : null;
    step(`loaded ${URL_} (${result.pageStatus})`);

    await page.waitForFunction(n => document.querySelectorAll('#workers-body tr[data-state="listening"]').length === n,
      WORKERS);
    result.initial = await rows(page);
    result.title = await page.title();
    step(`${result.initial.length} rows: ${result.initial.map(r => `${r.id}:${r.state}`).join(' ')}`);
    result.controlsVisible = await page.isVisible('#controls');
    result.headers = await page.$$eval('#workers thead th', ths => ths.map(t => t.textContent.trim()));
    if (VIEW_ONLY) {
      await page.waitForFunction(() => document.querySelectorAll('#events li').length > 0);
      await page.waitForTimeout(2000); // a few more polls: errors they would cause are counted
      result.events = await page.$$eval('#events li', lis => lis.map(li => li.textContent.replace(/\s+/g, ' ').trim()));
      result.final = await rows(page);
      return;
    }

    if (APP_PORT) traffic = load(Number(APP_PORT));
    await page.waitForFunction(() => {
      const d = window.jclusterDashboard;
      if (!d) return false;
      return ['rate', 'rss', 'cpu'].every(k => d.charts[k].plot && d.charts[k].plot.data.length > 1
        && d.charts[k].plot.data.slice(1).some(col => col.filter(v => v !== null).length >= 3));
    });
    if (APP_PORT) {
      await page.waitForFunction(() => {
        const p = window.jclusterDashboard.charts.rate.plot;
        return p && p.data.slice(1).some(col => col.some(v => v !== null && v > 0));
      });
    }
    step('charts have data');

    const victim = result.initial[0];
    const before = new Set(result.initial.map(r => r.id));
    if (KILL === 'fake') {
      await fetch(new URL(`/fake/kill?worker=${victim.id}`, URL_), { method: 'POST' });
    } else {
      process.kill(Number(victim.pid), 'SIGKILL');
    }
    step(`killed worker ${victim.id} (pid ${victim.pid})`);
    await page.waitForFunction(id => {
      const tr = document.querySelector(`#workers-body tr[data-worker="${id}"]`);
      return tr && tr.dataset.state !== 'listening';
    }, victim.id);
    result.killed = { ...victim, after: (await rows(page)).find(r => r.id === victim.id) || null };
    step(`row ${victim.id} now: ${result.killed.after && result.killed.after.stateText}`);
    await page.waitForFunction(ids => [...document.querySelectorAll('#workers-body tr[data-state="listening"]')]
      .some(tr => !ids.includes(tr.dataset.worker)), [...before]);
    result.afterKill = await rows(page);
    step(`rows after the kill: ${result.afterKill.map(r => `${r.id}:${r.state}`).join(' ')}`);
    await page.waitForFunction(() => document.querySelectorAll('#events li').length > 0);
    result.events = await page.$$eval('#events li', lis => lis.slice(0, 30).map(li => li.textContent.replace(/\s+/g, ' ').trim()));

    if (result.controlsVisible && TOKEN) {
      await page.click('#reload-button');
      result.noToken = await answer(page);
      phase = 'wrong-token';
      await page.fill('#token-input', `${TOKEN}-wrong`);
      await page.click('#token-save');
      await page.fill('#scale-count', String(WORKERS + 1));
      await page.click('#scale-button');
      await page.waitForFunction(() => /\(\d{3}/.test(document.getElementById('answer-title').textContent));
      result.wrongToken = await answer(page);
      step(`wrong token: ${result.wrongToken.title}`);
      await page.waitForTimeout(200);
      phase = 'view';
      await page.fill('#token-input', TOKEN);
      await page.click('#token-save');
      await page.click('#scale-button');
      await page.waitForFunction(() => /\(\d{3}/.test(document.getElementById('answer-title').textContent)
        && !/401/.test(document.getElementById('answer-title').textContent));
      result.scaled = await answer(page);
      step(`scale: ${result.scaled.title}`);
      await page.waitForFunction(n => document.querySelectorAll('#workers-body tr[data-state="listening"]').length === n,
        WORKERS + 1);
      result.afterScale = await rows(page);
    }

    await page.waitForTimeout(3000); // a few more samples for the picture
    result.charts = await page.evaluate(() => {
      const out = {};
      for (const [name, c] of Object.entries(window.jclusterDashboard.charts)) {
        const p = c.plot;
        const canvas = c.figure.querySelector('canvas');
        let painted = 0;
        if (canvas) {
          const px = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
          for (let i = 3; i < px.length; i += 4) if (px[i] !== 0) painted++;
        }
        out[name] = {
          series: p ? p.series.slice(1).map(s => s.label) : [],
          points: p ? p.data.slice(1).reduce((n, col) => n + col.filter(v => v !== null).length, 0) : 0,
          painted,
          note: c.note.hidden ? null : c.note.textContent,
        };
      }
      return out;
    });
    result.final = await rows(page);
    if (SCREENSHOT) {
      fs.mkdirSync(path.dirname(path.resolve(SCREENSHOT)), { recursive: true });
      await page.screenshot({ path: SCREENSHOT, fullPage: true });
      result.screenshot = path.resolve(SCREENSHOT);
      step(`screenshot ${result.screenshot}`);
    }
    if (traffic) {
      await traffic.stop();
      traffic = null;
    }
    if (STOP_PRIMARY) {
      // The primary goes away (SIGTERM, a graceful stop): the page must say so, and keep trying.
      phase = 'primary-gone';
      const pid = Number(await page.textContent('#cluster-pid'));
      if (KILL === 'fake') await fetch(new URL('/fake/stop', URL_), { method: 'POST' }).catch(() => {});
      else process.kill(pid, 'SIGTERM');
      step(`stopped the primary (pid ${pid})`);
      await page.waitForFunction(() => document.getElementById('connection').classList.contains('disconnected'));
      result.disconnected = await page.textContent('#connection');
      step(`page says: ${result.disconnected}`);
    }
  } finally {
    if (traffic) await traffic.stop();
    await context.close();
    fs.rmSync(profile, { recursive: true, force: true });
  }
}

async function rows(page) {
  return page.$$eval('#workers-body tr', trs => trs.map(tr => ({
    id: tr.dataset.worker,
    state: tr.dataset.state,
    cells: [...tr.children].map(c => c.textContent.trim()),
    pid: tr.children[1].textContent.trim(),
    stateText: tr.children[2].textContent.trim(),
  })));
}

async function answer(page) {
  return page.evaluate(() => ({
    title: document.getElementById('answer-title').textContent,
    body: document.getElementById('answer-body').textContent,
    error: document.getElementById('answer').classList.contains('answer-error'),
  }));
}

/**
 * Four clients asking the app for `/` in a loop until stopped, each request on a new connection (so the
 * primary spreads them over the workers); errors (a killed worker's) are counted.
 */
function load(port) {
  let running = true;
  const stats = { ok: 0, failed: 0 };
  result.traffic = stats;
  const get = () => new Promise(resolve => {
    const req = http.get({ host: '127.0.0.1', port, path: '/', agent: false, timeout: 10000 }, res => {
      res.resume();
      res.on('end', () => resolve(true));
      res.on('error', () => resolve(false));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', () => resolve(false));
  });
  const one = async () => {
    while (running) {
      if (await get()) stats.ok++;
      else stats.failed++;
      await new Promise(res => setTimeout(res, 5));
    }
  };
  const all = Promise.all([one(), one(), one(), one()]);
  return { stop: async () => { running = false; await all; } };
}

main().then(() => {
  process.stdout.write(`RESULT ${JSON.stringify(result)}\n`);
}, e => {
  result.error = String(e && e.stack ? e.stack : e);
  process.stdout.write(`RESULT ${JSON.stringify(result)}\n`);
  process.exitCode = 1;
});
