// Unit tests (node --test) for the dashboard's DOM-free logic: the fleet model, the chart ring, the number
// formats and the event lines. The page's modules are plain ES modules in the jar's resources; they are copied
// beside a package.json that says so, so that any Node version loads them as modules.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const src = path.resolve(here, '../../main/resources/io/jcluster/admin/dashboard');
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'jcluster-dashboard-'));
for (const f of fs.readdirSync(src).filter(n => n.endsWith('.js'))) fs.copyFileSync(path.join(src, f), path.join(dir, f));
fs.writeFileSync(path.join(dir, 'package.json'), '{"type":"module"}');
const load = name => import(pathToFileURL(path.join(dir, name)).href);
const { Fleet, sampleRate, stateText, GONE_KEEP_MS } = await load('fleet.js');
const { Ring } = await load('charts.js');
const f = await load('format.js');
const { describe } = await load('events.js');
process.on('exit', () => fs.rmSync(dir, { recursive: true, force: true }));

const worker = (id, extra = {}) => ({ id, pid: 1000 + id, state: 'listening', requests: 0, ...extra });

test('rate: requests per second over the last seconds, null for the first 2 s, reset when the counter goes back', () => {
  const s = [];
  assert.equal(sampleRate(s, 0, 0), null);
  assert.equal(sampleRate(s, 100, 1000), null);
  assert.equal(sampleRate(s, 100, 2000), 50); // the heartbeat had not moved the counter yet
  assert.equal(sampleRate(s, 400, 3000), 400 / 3);
  assert.equal(sampleRate(s, 5, 4000), null); // a new process
  assert.equal(sampleRate(s, null, 5000), null);
  assert.equal(s.length, 0);
});

test('rate: looks back about five seconds, not to the first sample', () => {
  const s = [];
  for (let t = 0; t <= 20; t++) sampleRate(s, t < 10 ? t * 1000 : 10000 + (t - 10) * 10, t * 1000);
  assert.ok(Math.abs(sampleRate(s, 10110, 21000) - 10) < 1e-9);
});

test('fleet: a worker that leaves stays, marked gone with how it exited, until it ages out', () => {
  const fl = new Fleet();
  fl.update({ pid: 1, workers: [worker(1), worker(2)] }, 0);
  fl.update({ pid: 1, workers: [worker(2), worker(3, { state: 'spawned' })] }, 1000);
  assert.deepEqual(fl.rows().map(r => [r.id, r.gone]), [['2', false], ['3', false], ['1', true]]);
  assert.equal(stateText(fl.workers.get('1')), 'gone');
  assert.ok(fl.exited({ type: 'exit', worker: 1, pid: 1001, code: null, signal: 'SIGKILL' }));
  assert.equal(stateText(fl.workers.get('1')), 'exited (SIGKILL)');
  assert.equal(fl.exited({ type: 'exit', worker: 99, code: 1 }), false, 'an unknown worker makes no row');
  fl.update({ pid: 1, workers: [worker(2), worker(3)] }, 1000 + GONE_KEEP_MS + 1);
  assert.deepEqual(fl.rows().map(r => r.id), ['2', '3']);
});

test('fleet: tolerates missing fields, null workers and odd answers', () => {
  const fl = new Fleet();
  assert.equal(fl.update({}, 0), false);
  fl.update({ pid: 1, workers: [null, { id: 4 }, { pid: 7 }] }, 10);
  assert.deepEqual(fl.rows().map(r => r.id), ['4']);
  assert.equal(stateText(fl.workers.get('4')), 'unknown');
  assert.equal(fl.workers.get('4').rate, null);
  assert.equal(fl.totalRate(), null);
  fl.update(null, 20);
  assert.equal(fl.rows()[0].gone, true);
});

test('fleet: another primary (pid) starts afresh', () => {
  const fl = new Fleet();
  fl.update({ pid: 1, workers: [worker(1), worker(2)] }, 0);
  assert.equal(fl.update({ pid: 2, workers: [worker(1)] }, 1000), true);
  assert.deepEqual(fl.rows().map(r => [r.id, r.gone]), [['1', false]]);
});

test('fleet: the state says why a worker leaves, and a dead one how it exited', () => {
  const fl = new Fleet();
  fl.update({ pid: 1, workers: [worker(1, { leaving: 'reload' }), worker(2, { state: 'dead' })] }, 0);
  assert.equal(stateText(fl.workers.get('1')), 'listening, leaving (reload)');
  assert.equal(stateText(fl.workers.get('2')), 'dead');
  fl.exited({ worker: 2, pid: 1002, code: 3, signal: null });
  assert.equal(stateText(fl.workers.get('2')), 'exited (code 3)');
});

test('ring: a new key gets a column padded with nulls; a column that aged out is dropped', () => {
  const r = new Ring(3);
  assert.equal(r.push(1, new Map([['a', 1]])), true);
  assert.equal(r.push(2, new Map([['a', 2], ['b', 5]])), true);
  assert.deepEqual(r.data(['a', 'b']), [[1, 2], [1, 2], [null, 5]]);
  assert.equal(r.push(3, new Map([['b', 6]])), false);
  assert.equal(r.push(4, new Map([['b', 7]])), false);
  assert.deepEqual(r.data(['a', 'b']), [[2, 3, 4], [2, null, null], [5, 6, 7]]);
  assert.equal(r.push(5, new Map([['b', 8]])), true, 'a is all null now');
  assert.deepEqual(r.keys(), ['b']);
});

test('ring: a key that only ever has nulls (no latency reported) never becomes a column', () => {
  const r = new Ring(10);
  for (let t = 0; t < 5; t++) assert.equal(r.push(t, new Map([['1:p50', null], ['1:p99', undefined]])), false);
  assert.deepEqual(r.keys(), []);
  assert.equal(r.push(5, new Map([['1:p50', NaN]])), false);
});

test('formats: null and missing give a dash; numbers read well', () => {
  for (const fn of [f.bytes, f.duration, f.percent, f.rate, f.millis, f.integer]) {
    assert.equal(fn(null), f.NONE);
    assert.equal(fn(undefined), f.NONE);
    assert.equal(fn('12'), f.NONE);
  }
  assert.equal(f.bytes(75 * 1024 * 1024), '75.0 MB');
  assert.equal(f.bytes(300 * 1024 * 1024), '300 MB');
  assert.equal(f.bytes(12 * 1024 * 1024 * 1024), '12.0 GB');
  assert.equal(f.duration(59), '59s');
  assert.equal(f.duration(3725), '1h 02m');
  assert.equal(f.duration(90061), '1d 1h');
  assert.equal(f.rate(2.345), '2.3');
  assert.equal(f.rate(12345.6), '12,346');
  assert.equal(f.millis(0.0004), '0.4 ms');
  assert.equal(f.millis(0.25), '250 ms');
  assert.equal(f.percent(12.34), '12.3%');
  assert.notEqual(f.colour(1), f.colour(16));
  assert.equal(f.colour(3), f.colour('3'));
});

test('events: one line per event, in the CLI\'s terms, whatever fields it has', () => {
  assert.equal(describe({ type: 'exit', worker: 3, pid: 77, slot: 2, generation: 1, code: null, signal: 'SIGKILL' }),
    'worker 3 (pid 77, slot 2, gen 1) killed by SIGKILL');
  assert.equal(describe({ type: 'exit', worker: 3, code: 3, signal: null }), 'worker 3 exited with code 3');
  assert.equal(describe({ type: 'recycle', worker: 4, reason: 'max-memory' }), 'worker 4 recycled: max-memory');
  assert.equal(describe({ type: 'hang', worker: 5, dumpFile: '/tmp/d.txt' }), 'worker 5 hung; thread dump in /tmp/d.txt');
  assert.equal(describe({ type: 'reload', message: 'replacing worker 1 (1/2)' }), 'replacing worker 1 (1/2)');
  assert.equal(describe({ type: 'stopping' }), 'the cluster is stopping');
  assert.equal(describe({ type: 'stopping', message: 'stopping web (SIGTERM)' }), 'stopping web (SIGTERM)');
  assert.equal(describe({ type: 'exit', worker: 2, code: 0, signal: null, reason: 'reload' }),
    'worker 2 exited with code 0 (reload)');
  assert.equal(describe({ type: 'listening', worker: 2, address: '*:8080' }), 'worker 2 listening on *:8080');
  assert.equal(describe({ type: 'giveup', worker: 2, reason: 'crash loop' }), 'worker 2 not restarted any more: crash loop');
  assert.equal(describe({ type: 'fork', worker: 9 }), 'worker 9 forked');
  assert.equal(describe({ type: 'restart', worker: 9, pid: 5 }), 'worker 9 (pid 5) restarted');
  assert.equal(describe({ type: 'something-new' }), 'something-new');
});
