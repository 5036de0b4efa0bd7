// The seed's step 2 cluster, with Node's bare `http` module in place of Express:
// how much of node-cluster's cost is Express rather than clustering.
const cluster = require('cluster');
const os = require('os');
const http = require('http');

const numCPUs = os.cpus().length;
const PORT = Number(process.env.PORT || 8000);

if (cluster.isPrimary) {
    console.log(`Primary process ${process.pid} is running`);

    for (let i = 0; i < numCPUs; i++) {
        cluster.fork();
    }

    cluster.on('exit', (worker, code, signal) => {
        console.log(`Worker ${worker.process.pid} died`);
    });
} else {
    const body = JSON.stringify({ message: `Hello from worker ${process.pid}` });

    http.createServer((req, res) => {
        if (req.method === 'GET' && req.url === '/') {
            res.writeHead(200, {
                'Content-Type': 'application/json; charset=utf-8',
                'Content-Length': Buffer.byteLength(body),
            });
            res.end(body);
        } else {
            res.writeHead(404, { 'Content-Length': 0 });
            res.end();
        }
    }).listen(PORT, () => {
        console.log(`Worker ${process.pid} started`);
    });
}
