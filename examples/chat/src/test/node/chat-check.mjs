// ChatIT's clients: real WebSocket clients (npm ws) on a clustered chat. Connects clients until two sit on
// workers of different pids, has each say a line, and checks the other one hears it (through Cluster.broadcast).
// Usage: node chat-check.mjs PORT. Prints one line "RESULT {json}" and exits 0 when the check passed, 1 if not.
import WebSocket from "ws";

const port = Number(process.argv[2]);
const deadline = Date.now() + 60_000;

function open(name) {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://127.0.0.1:${port}/chat?name=${name}`);
    const c = { name, ws, heard: [], welcome: null, waiters: [] };
    ws.on("message", data => {
      const m = JSON.parse(data.toString());
      if (m.type === "welcome") {
        c.welcome = m;
        resolve(c);
      } else {
        c.heard.push(m);
        c.waiters.forEach(w => w());
      }
    });
    ws.on("error", reject);
    setTimeout(() => reject(new Error(`${name}: no welcome within 30 s`)), 30_000);
  });
}

function hear(c, from, text) {
  return new Promise((resolve, reject) => {
    const check = () => {
      const m = c.heard.find(m => m.from === from && m.text === text);
      if (m) resolve(m);
    };
    c.waiters.push(check);
    check();
    setTimeout(() => reject(new Error(`${c.name} did not hear ${from}: ${text}`)), Math.max(1, deadline - Date.now()));
  });
}

const clients = [];
try {
  let a, b;
  for (let i = 0; i < 8 && !(a && b); i++) { // round-robin alternates workers; a few tries are plenty
    const c = await open(`client${i}`);
    clients.push(c);
    a = clients[0];
    b = clients.find(x => x.welcome.pid !== a.welcome.pid);
  }
  if (!b) throw new Error(`every client landed on pid ${a.welcome.pid}`);
  a.ws.send("hello from A");
  const gotA = await hear(b, a.name, "hello from A");
  b.ws.send("hi back from B");
  const gotB = await hear(a, b.name, "hi back from B");
  console.log("RESULT " + JSON.stringify({
    ok: true, pidA: a.welcome.pid, pidB: b.welcome.pid, bHeardFromPid: gotA.pid, aHeardFromPid: gotB.pid,
  }));
  process.exitCode = 0;
} catch (e) {
  console.log("RESULT " + JSON.stringify({ ok: false, error: String(e) }));
  process.exitCode = 1;
} finally {
  clients.forEach(c => c.ws.close(1000, "done"));
  setTimeout(() => process.exit(), 2000).unref();
}
