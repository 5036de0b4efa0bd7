// A strict HTTP/1.1 client (undici, whose llhttp parser refuses any framing error) over the valid part of the
// conformance corpus, pipelined: every request kind is sent ROUNDS times on one connection, 10 in flight.
// Checks each answer: the expected status, a Date in IMF-fixdate form, never both Content-Length and
// Transfer-Encoding, no body after HEAD, 204 or 304. Prints one JSON line; exits 1 on any error.
//   node strict-client.mjs http://127.0.0.1:PORT [ROUNDS]
import { Client } from 'undici';
import { Readable } from 'node:stream';

const origin = process.argv[2];
const rounds = Number(process.argv[3] || 50);
const client = new Client(origin, { pipelining: 10, connections: 1 });
const IMF = /^(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d{2} (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{4} \d{2}:\d{2}:\d{2} GMT$/;

const corpus = [
  { name: 'GET /', opts: { path: '/', method: 'GET' }, status: 200, body: /Hello from worker/ },
  { name: 'HEAD /', opts: { path: '/', method: 'HEAD' }, status: 200, empty: true },
  { name: 'GET /missing', opts: { path: '/missing', method: 'GET' }, status: 404, body: /Not Found/ },
  { name: 'GET / with a query', opts: { path: '/?a=1&b=%20', method: 'GET' }, status: 200 },
  { name: 'OPTIONS /', opts: { path: '/', method: 'OPTIONS' }, status: 204, empty: true },
  { name: 'POST / with Content-Length', opts: { path: '/', method: 'POST', body: 'x'.repeat(100) }, status: 405 },
  { name: 'POST / chunked', opts: () => ({ path: '/', method: 'POST', body: Readable.from(['ab', 'cd']) }), status: 405 },
  { name: 'HEAD /missing', opts: { path: '/missing', method: 'HEAD' }, status: 404, empty: true },
  { name: 'GET / with many headers', opts: { path: '/', method: 'GET', headers: Object.fromEntries(
      Array.from({ length: 40 }, (_, i) => [`x-h${i}`, 'v'.repeat(50)])) }, status: 200 },
];

const errors = [];
const byStatus = {};
let requests = 0;

async function one(c) {
  const opts = typeof c.opts === 'function' ? c.opts() : c.opts;
  try {
    const res = await client.request(opts);
    const body = await res.body.text();
    requests++;
    byStatus[res.statusCode] = (byStatus[res.statusCode] || 0) + 1;
    const h = res.headers;
    const problems = [];
    if (res.statusCode !== c.status) problems.push(`status ${res.statusCode}, expected ${c.status}`);
    if (!IMF.test(h['date'] || '')) problems.push(`Date '${h['date']}'`);
    if (h['content-length'] !== undefined && h['transfer-encoding'] !== undefined) problems.push('Content-Length and Transfer-Encoding');
    if (c.empty && body.length) problems.push(`a body after ${c.name}: ${body.length} bytes`);
    if (c.body && !c.body.test(body)) problems.push(`body ${JSON.stringify(body.slice(0, 80))}`);
    if (problems.length) errors.push(`${c.name}: ${problems.join('; ')}`);
  } catch (e) {
    requests++;
    errors.push(`${c.name}: ${e.code || ''} ${e.message}`);
  }
}

const all = [];
for (let r = 0; r < rounds; r++) for (const c of corpus) all.push(one(c));
await Promise.all(all);
await client.close();
console.log(JSON.stringify({ client: 'undici', requests, errors: errors.length, byStatus, firstErrors: errors.slice(0, 5) }));
process.exit(errors.length ? 1 : 0);
