// The seed's worker body (cluster.js's `else` branch, verbatim but for the port from PORT), for PM2's
// cluster mode: PM2's daemon is the primary (`pm2 start pm2-worker.js -i 2`).
const express = require('express');

const PORT = Number(process.env.PORT || 8000);

// Worker processes can share any TCP connection
// In this case, it is an HTTP server
const app = express();

app.get('/', (req, res) => {
    res.json({ message: `Hello from worker ${process.pid}` });
});

app.listen(PORT, () => {
    console.log(`Worker ${process.pid} started`);
});
