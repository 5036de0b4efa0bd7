const cluster = require('cluster');
const os = require('os');
const express = require('express');

const numCPUs = os.cpus().length;
const PORT = Number(process.env.PORT || 8000);

if (cluster.isPrimary) {
    console.log(`Primary process ${process.pid} is running`);

    // Fork workers.
    for (let i = 0; i < numCPUs; i++) {
        cluster.fork();
    }

    cluster.on('exit', (worker, code, signal) => {
        console.log(`Worker ${worker.process.pid} died`);
        cluster.fork(); // the one line more than cluster.js: replace the dead worker
    });
} else {
    // Worker processes can share any TCP connection
    // In this case, it is an HTTP server
    const app = express();

    app.get('/', (req, res) => {
        res.json({ message: `Hello from worker ${process.pid}` });
    });

    app.listen(PORT, () => {
        console.log(`Worker ${process.pid} started`);
    });
}
