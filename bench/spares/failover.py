#!/usr/bin/env python3
"""kill -9 of a worker in rotation -> the first new connection served by its successor.

Starts the hello example under `bin/jcluster start` (2 workers, with or without hot spares), keeps new-connection
requests going from a few client threads (each a fresh TCP connection, `Connection: close`), kills a worker in
rotation with SIGKILL and reports, per kill:
  * first_ms: from the kill to the first response from the worker that takes its place: the promoted spare
    (--spares K), else a pid never seen before (the restart policy's new JVM);
  * failed: requests on new connections that failed (connect, reset, no response) from the kill until the
    successor served.
Usage: failover.py --spares K --kills N --port P --out FILE.jsonl
"""
import argparse, json, os, re, signal, socket, subprocess, sys, tempfile, threading, time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
HELLO = os.path.join(ROOT, "examples/hello/target/jcluster-example-hello-0.1.0-SNAPSHOT.jar")


def get(port):
    s = socket.create_connection(("127.0.0.1", port), timeout=10)
    try:
        s.settimeout(10)
        s.sendall(b"GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        data = b""
        while True:
            b = s.recv(4096)
            if not b:
                break
            data += b
    finally:
        s.close()
    m = re.search(rb"Hello from worker (\d+)", data)
    if not data.startswith(b"HTTP/1.1 200") or not m:
        raise IOError("bad response: %r" % data[:80])
    return int(m.group(1))


def promoted_ms(home, name, successor, wall_kill):
    """From the kill to the primary's log line of the promotion (its timestamp, ms resolution, local time)."""
    if successor is None:
        return None
    import datetime
    path = os.path.join(home, "logs", name, name + ".log")
    deadline = time.time() + 10
    while time.time() < deadline:
        try:
            for line in open(path):
                if "spare worker" in line and "(pid %d) promoted" % successor in line:
                    ts = datetime.datetime.strptime(line[:23], "%Y-%m-%dT%H:%M:%S.%f").timestamp()
                    return round((ts - wall_kill) * 1000, 1)
        except OSError:
            pass
        time.sleep(0.2)
    return None


def status(env, name):
    out = subprocess.run([os.path.join(ROOT, "bin/jcluster"), "status", name, "--json"], env=env,
                         capture_output=True, text=True, timeout=120).stdout
    return json.loads(out)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--spares", type=int, default=1)
    ap.add_argument("--kills", type=int, default=5)
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--threads", type=int, default=4)
    ap.add_argument("--out", required=True)
    ap.add_argument("--cold", action="store_true",
                    help="workers without the HTTP layer's warm-up (-Djcluster.http.warmup=false): the spare's "
                         "first request loads its classes")
    ap.add_argument("--jvm-args", default="", help="more worker JVM flags (jcluster start --jvm-args)")
    a = ap.parse_args()
    home = tempfile.mkdtemp(prefix="jcluster-bench-spares-")
    env = dict(os.environ, JCLUSTER_HOME=home)
    name = "spares%d%s" % (a.spares, "cold" if a.cold else "")
    cmd = [os.path.join(ROOT, "bin/jcluster"), "start", "--name", name, "--instances", "2", "--spares", str(a.spares),
           "--classpath", HELLO, "--main-class", "io.jcluster.examples.hello.HelloApp"]
    jvm = ((a.jvm_args + " ") if a.jvm_args else "") + ("-Djcluster.http.warmup=false" if a.cold else "")
    if jvm.strip():
        cmd += ["--jvm-args", jvm.strip()]
    cmd += ["--", "--port", str(a.port), "--host", "127.0.0.1"]
    primary = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    lines = []
    threading.Thread(target=lambda: [lines.append(l) for l in primary.stdout], daemon=True).start()
    try:
        deadline = time.time() + 180
        while not any(" is up: " in l for l in lines):
            if time.time() > deadline or primary.poll() is not None:
                sys.exit("the cluster did not come up:\n" + "".join(lines))
            time.sleep(0.1)
        log = []  # (t_start, t_end, pid or None)
        errors = []  # (t_start, what)
        stop = threading.Event()

        def client():
            while not stop.is_set():
                t0 = time.monotonic()
                try:
                    pid = get(a.port)
                except Exception as e:
                    pid = None
                    errors.append((t0, repr(e)[:120]))
                log.append((t0, time.monotonic(), pid))

        ts = [threading.Thread(target=client, daemon=True) for _ in range(a.threads)]
        [t.start() for t in ts]
        with open(a.out, "a") as out:
            for k in range(a.kills):
                # wait until the cluster is whole again: 2 in rotation listening, the spares listening
                deadline = time.time() + 180
                while True:
                    ws = status(env, name)["workers"]
                    rot = [w for w in ws if not w.get("spare") and w["state"] == "listening" and "leaving" not in w]
                    sp = [w for w in ws if w.get("spare") and w["state"] == "listening"]
                    if len(rot) == 2 and len(sp) == a.spares and len(ws) == 2 + a.spares:
                        break
                    if time.time() > deadline:
                        sys.exit("the cluster did not recover: %s" % ws)
                    time.sleep(0.5)
                time.sleep(1.0)
                known = {w["pid"] for w in ws}
                spare_pids = [w["pid"] for w in sp]
                victim = rot[0]["pid"]
                t_kill = time.monotonic()
                wall_kill = time.time()
                os.kill(victim, signal.SIGKILL)
                successor = spare_pids[0] if spare_pids else None
                first = None
                while first is None and time.monotonic() - t_kill < 120:
                    for (t0, t1, pid) in list(log):
                        if t1 >= t_kill and pid is not None and (pid == successor if successor else pid not in known):
                            first = t1 if first is None else min(first, t1)
                    time.sleep(0.005)
                time.sleep(1.0)  # requests in flight at the kill end (or fail) meanwhile
                end = first if first is not None else time.monotonic()
                snap = list(log)
                failed_new = sum(1 for (t0, t1, pid) in snap if pid is None and t0 >= t_kill and t0 <= end)
                failed_inflight = sum(1 for (t0, t1, pid) in snap if pid is None and t0 < t_kill and t1 >= t_kill)
                served = sum(1 for (t0, t1, pid) in snap if pid is not None and t1 >= t_kill and t0 <= end)
                what = sorted({e for (t0, e) in list(errors) if t0 >= t_kill - 15 and t0 <= end})
                rec = {"spares": a.spares, "warm": not a.cold, "kill": k + 1, "victim": victim, "successor": successor,
                       "first_ms": None if first is None else round((first - t_kill) * 1000, 1),
                       "promoted_ms": promoted_ms(home, name, successor, wall_kill),
                       "failed_new": failed_new, "failed_inflight": failed_inflight, "errors": what,
                       "served_meanwhile": served, "load1": os.getloadavg()[0]}
                print(json.dumps(rec), flush=True)
                out.write(json.dumps(rec) + "\n")
        stop.set()
        [t.join(15) for t in ts]
    finally:
        subprocess.run([os.path.join(ROOT, "bin/jcluster"), "stop", name], env=env, capture_output=True, timeout=120)
        try:
            primary.wait(60)
        except subprocess.TimeoutExpired:
            primary.kill()


if __name__ == "__main__":
    main()
