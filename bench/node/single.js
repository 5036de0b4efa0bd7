const express = require('express');
const app = express();

app.get('/', (req, res) => {
    res.json({ message: 'Hello from Express server' });
});

app.listen(8000, () => {
    console.log('Server started on port 8000');
});
