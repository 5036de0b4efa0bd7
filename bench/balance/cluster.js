// The balance benchmark's Node contender: Node's cluster module (round-robin), one worker per argument count,
// the same two routes as SlowApp.java: GET / answers at once, GET /slow?ms=N holds the event loop N ms first
// (Atomics.wait: a blocked loop without burning CPU, as Thread.sleep on jcluster's loop). Body {"pid":PID}.
// Usage: node cluster.js PORT WORKERS
const cluster = require('cluster');
const http = require('http');

const PORT = Number(process.argv[2]);
const WORKERS = Number(process.argv[3] || 2);

if (cluster.isPrimary) {
    for (let i = 0; i < WORKERS; i++) {
        cluster.fork();
    }
    let up = 0;
    cluster.on('listening', () => {
        if (++up === WORKERS) {
            console.log(`node cluster up: ${WORKERS} workers on ${PORT}`);
        }
    });
} else {
    const blocker = new Int32Array(new SharedArrayBuffer(4));
    const body = JSON.stringify({ pid: process.pid });
    http.createServer((req, res) => {
        const u = new URL(req.url, 'http://x');
        if (u.pathname === '/slow') {
            Atomics.wait(blocker, 0, 0, Number(u.searchParams.get('ms')));
        }
        res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) });
        res.end(body);
    }).listen(PORT, '127.0.0.1');
}
