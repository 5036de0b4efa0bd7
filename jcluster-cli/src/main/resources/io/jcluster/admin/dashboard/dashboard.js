// The dashboard's entry: polls /api/status about once a second, feeds the table and the charts, follows
// /api/events, and shows the controls when the endpoint allows them. When the primary goes away the page
// says "disconnected" and keeps trying; a primary with another pid starts the page afresh.

import * as f from './format.js';
import { Fleet } from './fleet.js';
import { TimeChart } from './charts.js';
import { EventList } from './events.js';
import { Controls } from './controls.js';
import { WorkerTable } from './table.js';

const POLL_MS = 1000;
const RETRY_MS = 2000;
const TIMEOUT_MS = 5000;
const HISTORY = 300; // samples kept per chart: 5 minutes at one a second

const $ = id => document.getElementById(id);
const fleet = new Fleet();
const table = new WorkerTable($('workers-body'), $('workers-empty'));
const controls = new Controls(document);

const workerSeries = k => ({ label: `worker ${k}`, stroke: f.colour(k), order: Number(k) || 0 });
const charts = {
  rate: new TimeChart($('chart-rate'), {
    capacity: HISTORY, format: v => f.rate(v), empty: 'no requests counted yet',
    series: workerSeries, // the total is in the header: on the same axis it would flatten the workers' lines
  }),
  latency: new TimeChart($('chart-latency'), {
    capacity: HISTORY, format: v => msText(v), log: true,
    empty: 'no latency reported (only apps on jcluster\'s HTTP API report it)',
    series: k => {
      const [id, q] = k.split(':');
      return { label: `worker ${id} ${q}`, stroke: f.colour(id), dash: q === 'p50' ? [4, 3] : undefined,
        order: (Number(id) || 0) * 2 + (q === 'p99' ? 1 : 0) };
    },
  }),
  rss: new TimeChart($('chart-rss'), {
    capacity: HISTORY, format: v => Math.round(v).toLocaleString('en-US'), empty: 'no memory figures yet',
    series: workerSeries,
  }),
  cpu: new TimeChart($('chart-cpu'), {
    capacity: HISTORY, format: v => `${Math.round(v)}`, empty: 'no CPU figures yet', series: workerSeries,
  }),
};

const events = new EventList({
  list: $('events'), empty: $('events-empty'), state: $('events-state'),
  onEvent: e => {
    if (e.type === 'exit' && fleet.exited(e)) render(false);
    if (e.worker !== undefined || e.type === 'scale' || e.type === 'reload') pollSoon();
  },
});

// Read-only hooks for tests and the curious: the chart objects (their uPlot instances and rings).
window.jclusterDashboard = Object.freeze({ charts, fleet });

function msText(ms) {
  if (ms < 1) return String(Number(ms.toPrecision(2)));
  return ms < 10 ? ms.toFixed(1) : Math.round(ms).toLocaleString('en-US');
}

let timer = null;
let connected = null;

function schedule(ms) {
  clearTimeout(timer);
  timer = setTimeout(poll, ms);
}

/** After an event about a worker: poll shortly, not a second later. */
function pollSoon() {
  schedule(150);
}

async function poll() {
  clearTimeout(timer);
  const started = performance.now();
  const abort = new AbortController();
  const watchdog = setTimeout(() => abort.abort(), TIMEOUT_MS);
  let ok = false;
  try {
    const r = await fetch('/api/status', { cache: 'no-store', signal: abort.signal });
    if (!r.ok) throw new Error(`HTTP ${r.status}`);
    const status = await r.json();
    onStatus(status);
    ok = true;
  } catch (e) {
    onDisconnected(e);
  } finally {
    clearTimeout(watchdog);
  }
  schedule(ok ? Math.max(100, POLL_MS - (performance.now() - started)) : RETRY_MS);
}

function onStatus(status) {
  const now = performance.now();
  const reset = fleet.update(status, now);
  if (reset) {
    Object.values(charts).forEach(c => c.clear());
    events.clear();
  }
  if (reset || connected === false) {
    events.open(); // another primary, or the same one back: its history again, the shown part skipped
    controls.probe();
  }
  if (connected !== true) {
    setConnection('connected', 'live');
    connected = true;
  }
  render(false);
  sample(Date.now() / 1000);
}

function onDisconnected(e) {
  if (connected !== false) {
    connected = false;
    sample(Date.now() / 1000, true); // a gap in the lines
    render(true);
  }
  let why = 'cannot reach the primary';
  if (e && e.name === 'AbortError') why = `no answer within ${TIMEOUT_MS / 1000} s`;
  else if (e && /^HTTP \d+$/.test(e.message)) why = `/api/status answered ${e.message}`;
  else if (e instanceof SyntaxError) why = '/api/status did not answer JSON';
  setConnection('disconnected', `disconnected (${why}); retrying every ${RETRY_MS / 1000} s`);
}

function setConnection(cls, text) {
  const el = $('connection');
  el.className = `connection ${cls}`;
  if (el.textContent !== text) el.textContent = text;
  document.body.classList.toggle('disconnected', cls === 'disconnected');
}

function render(stale) {
  table.render(fleet.rows(), stale);
  const s = fleet.status || {};
  const name = f.text(s.name);
  setText('cluster-name', name);
  document.title = s.name ? `${s.name} · jcluster` : 'jcluster';
  setText('cluster-state', f.text(s.state));
  const list = Array.isArray(s.workers) ? s.workers : [];
  const listening = list.filter(w => w && w.state === 'listening').length;
  setText('cluster-workers', `${listening} listening / ${f.text(s.target ?? list.length)}`);
  setText('cluster-generation', f.integer(s.generation));
  setText('cluster-pid', f.text(s.pid));
  setText('cluster-uptime', f.duration(s.uptimeSeconds));
  setText('cluster-addresses', Array.isArray(s.addresses) && s.addresses.length ? s.addresses.join(', ') : f.NONE);
  setText('cluster-rate', f.rate(fleet.totalRate()));
  controls.target(f.num(s.target));
}

function setText(id, v) {
  const el = $(id);
  if (el.textContent !== v) el.textContent = v;
}

function sample(t, gap) {
  const rate = new Map();
  const latency = new Map();
  const rss = new Map();
  const cpu = new Map();
  if (!gap) {
    for (const r of fleet.rows()) {
      if (r.gone || !r.w || r.w.state === 'dead') continue; // a dead process's figures read 0: not a sample
      rate.set(r.id, r.rate);
      latency.set(`${r.id}:p50`, ms(r.w.latencyP50Seconds));
      latency.set(`${r.id}:p99`, ms(r.w.latencyP99Seconds));
      const b = f.num(r.w.rssBytes);
      rss.set(r.id, b === null || b <= 0 ? null : b / (1024 * 1024)); // 0: the process was gone when read
      cpu.set(r.id, f.num(r.w.cpuPercent));
    }
  }
  charts.rate.push(t, rate);
  charts.latency.push(t, latency);
  charts.rss.push(t, rss);
  charts.cpu.push(t, cpu);
}

function ms(seconds) {
  const s = f.num(seconds);
  return s === null ? null : s * 1000;
}

controls.probe();
events.open();
poll();
