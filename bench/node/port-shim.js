// Preloaded (node --require) only when the harness runs on a port other than 8000:
// single.js is the seed verbatim and listens on 8000, so this moves that listen to $PORT.
const http = require('http');
const port = Number(process.env.PORT);
const listen = http.Server.prototype.listen;
http.Server.prototype.listen = function (p, ...rest) {
    return listen.call(this, p === 8000 && port ? port : p, ...rest);
};
