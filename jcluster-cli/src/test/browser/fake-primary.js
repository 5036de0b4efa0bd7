// A stand-in for the primary's admin endpoint, to work on the dashboard without a cluster:
//   node fake-primary.js [--port 8001] [--workers 4] [--token secret] [--no-latency] --uplot DIR
// DIR holds uPlot.iife.min.js and uPlot.min.css (the WebJar's dist/). Serves the page from the jar's resources,
// /api/status with made-up workers, /api/events (SSE), /api/admin, POST /api/reload and /api/scale, and
// POST /fake/kill?worker=ID (the worker exits by SIGKILL and a replacement is forked), POST /fake/stop (it exits).
// No dependency.
'use strict';
const http = require('node:http');
const fs = require('node:fs');
const path = require('node:path');

const args = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : dflt;
};
const PORT = Number(opt('--port', '8001'));
const TOKEN = opt('--token', null);
const LATENCY = !args.includes('--no-latency');
const UPLOT = opt('--uplot', null);
const PAGE = path.resolve(__dirname, '../../main/resources/io/jcluster/admin/dashboard');
const TYPES = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8' };

const started = Date.now();
let nextId = 1;
let generation = 1;
let target = Number(opt('--workers', '4'));
const workers = new Map();
const ring = [];
const clients = new Set();

function emit(type, fields) {
  const e = { type, time: new Date().toISOString(), ...fields };
  ring.push(e);
  if (ring.length > 100) ring.shift();
  for (const res of clients) res.write(`event: ${type}\ndata: ${JSON.stringify(e)}\n\n`);
}

function fork(slot) {
  const id = nextId++;
  const w = { id, pid: 40000 + id * 7, slot, instance: slot - 1, generation, state: 'spawned', forkedAt: Date.now(),
    restarts: 0, requests: 0, connections: 0, rss: 60e6 + Math.random() * 30e6, cpu: 0 };
  workers.set(id, w);
  const about = { worker: id, pid: w.pid, slot, generation };
  emit('fork', about);
  setTimeout(() => { w.state = 'online'; emit('online', about); }, 300);
  setTimeout(() => { w.state = 'listening'; emit('listening', about); }, 700);
  return w;
}

function kill(id) {
  const w = workers.get(id);
  if (!w) return false;
  workers.delete(id);
  emit('exit', { worker: id, pid: w.pid, slot: w.slot, generation: w.generation, code: null, signal: 'SIGKILL' });
  setTimeout(() => {
    const n = fork(w.slot);
    n.restarts = w.restarts + 1;
    emit('restart', { worker: n.id, pid: n.pid, slot: n.slot, generation: n.generation });
  }, 400);
  return true;
}

for (let s = 1; s <= target; s++) fork(s);

setInterval(() => {
  for (const w of workers.values()) {
    if (w.state !== 'listening') continue;
    const load = 200 + 150 * Math.sin((Date.now() - started) / 20000 + w.id);
    w.requests += Math.max(0, Math.round(load + Math.random() * 50));
    w.connections = Math.round(5 + Math.random() * 10);
    w.rss = Math.min(400e6, w.rss + Math.random() * 2e6 - 0.8e6);
    w.cpu = Math.round((10 + Math.random() * 30) * 10) / 10;
  }
}, 1000);

function status() {
  return {
    name: 'fake', pid: process.pid, app: 'fake.jar', started: new Date(started).toISOString(),
    uptimeSeconds: Math.floor((Date.now() - started) / 1000), state: 'running', generation, target,
    logDir: '/tmp/fake', cpus: 2, memoryBudgetBytes: 4e9, memoryPerWorkerBytes: 1e9, addresses: ['127.0.0.1:8080'],
    workers: [...workers.values()].map(w => ({
      id: w.id, pid: w.pid, state: w.state, generation: w.generation, slot: w.slot, instance: w.instance,
      uptimeSeconds: Math.floor((Date.now() - w.forkedAt) / 1000), restarts: w.restarts, rssBytes: Math.round(w.rss),
      cpuPercent: w.state === 'spawned' ? null : w.cpu, connections: w.connections, requests: w.requests,
      heapUsedBytes: Math.round(w.rss / 3), gcPauseSeconds: 0.012, cpuSeconds: 3.2, acceptedConnections: w.requests,
      heartbeatLagSeconds: w.state === 'listening' ? Math.random() * 0.004 : null,
      latencyP50Seconds: LATENCY && w.requests ? 0.0008 + Math.random() * 0.0004 : null,
      latencyP99Seconds: LATENCY && w.requests ? 0.004 + Math.random() * 0.003 : null,
    })),
  };
}

function json(res, code, body) {
  res.writeHead(code, { 'Content-Type': 'application/json' });
  res.end(JSON.stringify(body));
}

function authorised(req, res) {
  if (!TOKEN) return json(res, 403, { error: 'read-only: no --admin-token' }), false;
  if (req.headers.authorization !== `Bearer ${TOKEN}`) return json(res, 401, { error: 'wrong or missing token' }), false;
  return true;
}

function file(res, p) {
  fs.readFile(p, (err, data) => {
    if (err) return json(res, 404, { error: 'not found' });
    res.writeHead(200, { 'Content-Type': TYPES[path.extname(p)] || 'application/octet-stream' });
    res.end(data);
  });
}

http.createServer((req, res) => {
  const url = new URL(req.url, 'http://x');
  const p = url.pathname;
  if (req.method === 'GET' && p === '/') return file(res, path.join(PAGE, 'index.html'));
  if (req.method === 'GET' && p.startsWith('/assets/uplot/') && UPLOT) return file(res, path.join(UPLOT, path.basename(p)));
  if (req.method === 'GET' && p.startsWith('/assets/')) return file(res, path.join(PAGE, path.basename(p)));
  if (req.method === 'GET' && p === '/api/status') return json(res, 200, status());
  if (req.method === 'GET' && p === '/api/admin') return json(res, 200, { mutations: Boolean(TOKEN) });
  if (req.method === 'GET' && p === '/api/events') {
    res.writeHead(200, { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-cache' });
    res.write('retry: 2000\n\n');
    for (const e of ring) res.write(`event: ${e.type}\ndata: ${JSON.stringify(e)}\n\n`);
    clients.add(res);
    req.on('close', () => clients.delete(res));
    return undefined;
  }
  if (req.method === 'POST' && p === '/fake/stop') {
    emit('stopping', {});
    json(res, 200, { stopping: true });
    setTimeout(() => process.exit(0), 100);
    return undefined;
  }
  if (req.method === 'POST' && p === '/fake/kill') return json(res, 200, { killed: kill(Number(url.searchParams.get('worker'))) });
  if (req.method === 'POST' && p === '/api/reload') {
    if (!authorised(req, res)) return undefined;
    generation++;
    const old = [...workers.values()];
    old.forEach(w => { workers.delete(w.id); emit('exit', { worker: w.id, pid: w.pid, code: 0, signal: null }); fork(w.slot); });
    emit('reload', { message: `reloaded fake: ${old.length} worker(s) replaced, generation ${generation} serving` });
    return json(res, 200, { replaced: old.length, generation });
  }
  if (req.method === 'POST' && p === '/api/scale') {
    if (!authorised(req, res)) return undefined;
    let body = '';
    req.on('data', c => { body += c; });
    req.on('end', () => {
      const n = JSON.parse(body || '{}').count;
      if (!Number.isInteger(n) || n < 0) return json(res, 400, { error: 'count must be a whole number' });
      const from = target;
      target = n;
      while (workers.size < n) fork(workers.size + 1);
      while (workers.size > n) {
        const w = [...workers.values()][0];
        workers.delete(w.id);
        emit('exit', { worker: w.id, pid: w.pid, code: 0, signal: null });
      }
      emit('scale', { message: `scaled fake from ${from} to ${n}` });
      return json(res, 200, { from, to: n });
    });
    return undefined;
  }
  return json(res, 404, { error: 'not found' });
}).listen(PORT, '127.0.0.1', () => console.log(`fake primary on http://127.0.0.1:${PORT}/`));
