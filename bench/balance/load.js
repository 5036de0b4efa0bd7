// The balance benchmark's load: long connections held open and busy, interleaved at connect time with short
// ones, then fast requests each on a new connection measured while the long ones keep their workers busy.
// Usage: node load.js --port P [--longs 6] [--shorts 12] [--slow-ms 20] [--think-ms 80] [--duration 20]
//        [--warmup 5] [--label NAME]
// Prints one JSON line: where the long connections are (by worker pid), where the fast requests went, and
// the fast requests' latency (connect to the end of the response) p50/p99/max.
const net = require('net');

const opt = { port: 0, longs: 6, shorts: 12, 'slow-ms': 20, 'think-ms': 80, duration: 20, warmup: 5, label: '' };
for (let i = 2; i < process.argv.length; i += 2) {
    const k = process.argv[i].replace(/^--/, '');
    if (!(k in opt)) {
        console.error(`unknown option --${k}`);
        process.exit(2);
    }
    opt[k] = typeof opt[k] === 'number' ? Number(process.argv[i + 1]) : process.argv[i + 1];
}

const sleep = ms => new Promise(r => setTimeout(r, ms));

/** Reads HTTP responses off a socket: each next() resolves with the body of one (by Content-Length). */
function responses(sock) {
    let buf = Buffer.alloc(0);
    let waiting = null;
    let failed = null;
    const tryParse = () => {
        if (!waiting) return;
        const end = buf.indexOf('\r\n\r\n');
        if (end < 0) return;
        const head = buf.subarray(0, end).toString('latin1');
        const m = /content-length:\s*(\d+)/i.exec(head);
        const len = m ? Number(m[1]) : 0;
        if (buf.length < end + 4 + len) return;
        const body = buf.subarray(end + 4, end + 4 + len).toString();
        buf = buf.subarray(end + 4 + len);
        const w = waiting;
        waiting = null;
        w.resolve({ status: Number(head.split(' ')[1]), body });
    };
    sock.on('data', d => { buf = Buffer.concat([buf, d]); tryParse(); });
    const fail = e => { failed = e || new Error('closed'); if (waiting) { waiting.reject(failed); waiting = null; } };
    sock.on('error', fail);
    sock.on('close', () => fail(new Error('closed')));
    return () => new Promise((resolve, reject) => {
        if (failed) return reject(failed);
        waiting = { resolve, reject };
        tryParse();
    });
}

function connect() {
    return new Promise((resolve, reject) => {
        const s = net.connect(opt.port, '127.0.0.1', () => resolve(s));
        s.once('error', reject);
        s.setNoDelay(true);
    });
}

const pidOf = body => JSON.parse(body).pid;

/** A long connection: kept alive, asked for /slow?ms=... again and again. */
async function openLong() {
    const s = await connect();
    const next = responses(s);
    s.write('GET /slow?ms=1 HTTP/1.1\r\nHost: b\r\n\r\n');
    const r = await next();
    return { s, next, pid: pidOf(r.body) };
}

/** One fast request on a new connection (Connection: close), waited for to its close: [pid, ms]. */
async function shortRequest() {
    const t0 = process.hrtime.bigint();
    const s = await connect();
    const next = responses(s);
    const closed = new Promise(r => s.once('close', r));
    s.write('GET / HTTP/1.1\r\nHost: b\r\nConnection: close\r\n\r\n');
    const r = await next();
    const ms = Number(process.hrtime.bigint() - t0) / 1e6;
    await closed;
    if (r.status !== 200) throw new Error('status ' + r.status);
    return [pidOf(r.body), ms];
}

function quantile(sorted, q) {
    if (sorted.length === 0) return null;
    return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)];
}

async function shortsFor(seconds, record) {
    const until = Date.now() + seconds * 1000;
    let errors = 0;
    await Promise.all(Array.from({ length: opt.shorts }, async () => {
        while (Date.now() < until) {
            try {
                const [pid, ms] = await shortRequest();
                record(pid, ms);
            } catch (e) {
                errors++;
            }
        }
    }));
    return errors;
}

(async () => {
    // Warm-up: short requests only (the JITs), none left open.
    await shortsFor(opt.warmup, () => {});
    await sleep(200);
    // Placement: long, short, long, short... as a page that opens a socket and then fetches an asset.
    const longs = [];
    for (let i = 0; i < opt.longs; i++) {
        longs.push(await openLong());
        await shortRequest();
        await sleep(20);
    }
    const longsPerPid = {};
    longs.forEach(l => { longsPerPid[l.pid] = (longsPerPid[l.pid] || 0) + 1; });
    // Measured: the long ones busy, fast requests on new connections.
    let running = true;
    let longErrors = 0;
    const busy = longs.map(async l => {
        while (running) {
            l.s.write(`GET /slow?ms=${opt['slow-ms']} HTTP/1.1\r\nHost: b\r\n\r\n`);
            try {
                await l.next();
            } catch (e) {
                longErrors++;
                return;
            }
            await sleep(opt['think-ms']);
        }
    });
    const lat = [];
    const fastPerPid = {};
    const errors = await shortsFor(opt.duration, (pid, ms) => {
        lat.push(ms);
        fastPerPid[pid] = (fastPerPid[pid] || 0) + 1;
    });
    running = false;
    await Promise.all(busy);
    longs.forEach(l => l.s.destroy());
    lat.sort((a, b) => a - b);
    const r2 = x => x == null ? null : Math.round(x * 100) / 100;
    console.log(JSON.stringify({
        label: opt.label, longsPerPid, fastPerPid, fastRequests: lat.length, errors, longErrors,
        p50ms: r2(quantile(lat, 0.5)), p99ms: r2(quantile(lat, 0.99)), maxms: r2(lat[lat.length - 1]),
    }));
})().catch(e => { console.error(e); process.exit(1); });
