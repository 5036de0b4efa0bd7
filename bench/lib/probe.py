#!/usr/bin/env python3
"""Live measurements for bench/run.sh: readiness, kill -9 recovery, RSS, and wrk output parsing.

Every subcommand appends one JSON object (one line) to --record FILE, tagged with --round and
--contender, and prints a one-line human summary on stdout. Nothing here sends traffic anywhere but
127.0.0.1, and every loop has a deadline.

  ready   poll the port with bursts of concurrent one-shot requests (Connection: close) until every
          expected worker has answered 200; times are from --t0-ns (the moment run.sh launched it).
  kill    kill -9 one worker that answered at start-up, then poll until a worker pid never seen before
          answers (the pids seen come from this round's "start" record in --record).
  rss     VmRSS (/proc/PID/status) and PSS (/proc/PID/smaps_rollup) of the primary and of each of its
          descendants, now; PSS counts a page shared by k processes as 1/k in each, so the cluster's total
          PSS counts shared pages (the JVM's library, the class data archive, Node's binary) once.
  rss-sample  the same, sampled every --interval until --stop-file appears; records the peak per process.
  wrk     parse a `wrk --latency` output file into req/s, p50/p99 latency and errors.
  head    the response head of one keep-alive and one `Connection: close` request, as sent.
  timed   run a command (a control command: `jcluster status`, `pm2 ls`, a reload) and record its time.
  load    record the load average (/proc/loadavg) before a measurement.
  openloop  latency at a fixed rate (--percent of this round's keep-alive req/s, from --record) with
          bench/lib/OpenLoop.java: requests due on a schedule, latency from the moment each was due.
"""

import argparse
import errno
import json
import os
import re
import selectors
import signal
import socket
import sys
import time

REQUEST = b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
INTEGER = re.compile(rb"(\d+)")


# ---------------------------------------------------------------------------------------------- HTTP

class Poller:
    """Keeps up to `concurrency` one-shot requests (Connection: close) in flight against the port.

    Every `interval` seconds it opens new connections to fill the free slots, all at once: concurrent
    connections make a round-robin primary spread them over its workers, and make workers that share
    one listen socket race for them. Each answer is timed when it arrives, independently of the others,
    so one connection stuck on a dead worker delays nothing but itself (it fails after `timeout`).
    """

    def __init__(self, port, concurrency, interval, timeout=1.0):
        self.port, self.concurrency, self.interval, self.timeout = port, concurrency, interval, timeout
        self.failed = 0

    def run(self, on_answer, deadline, keep_going=lambda: True):
        """Poll until on_answer(status, worker, when) returns True (then True), or until deadline()
        passes or keep_going() turns false, both checked every 0.1 s at most (then False).
        Failed probes (refused, reset, timed out, not HTTP) are counted in self.failed."""
        selector = selectors.DefaultSelector()
        inflight = {}  # socket -> [started, received bytes]
        next_fill = next_check = 0.0
        end = deadline()
        try:
            while True:
                now = time.time()
                if now >= next_check:
                    next_check, end = now + 0.1, deadline()
                    if not keep_going():
                        return False
                if now >= end:
                    return False
                if now >= next_fill:
                    next_fill = now + self.interval
                    while len(inflight) < self.concurrency:
                        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
                        sock.setblocking(False)
                        if sock.connect_ex(("127.0.0.1", self.port)) not in (0, errno.EINPROGRESS):
                            sock.close()
                            self.failed += 1
                            break
                        inflight[sock] = [now, b""]
                        selector.register(sock, selectors.EVENT_WRITE)
                wait = max(0.0, min(next_fill, end) - time.time())
                for key, _ in selector.select(timeout=wait) if inflight else []:
                    sock = key.fileobj
                    done = self._step(selector, sock, inflight[sock])
                    if done is not None:
                        selector.unregister(sock)
                        sock.close()
                        del inflight[sock]
                        status, worker = done
                        if status is None:
                            self.failed += 1
                        elif on_answer(status, worker, time.time()):
                            return True
                if not inflight:
                    time.sleep(max(0.0, min(next_fill, end) - time.time()))
                for sock, (started, _) in list(inflight.items()):
                    if time.time() - started > self.timeout:
                        selector.unregister(sock)
                        sock.close()
                        del inflight[sock]
                        self.failed += 1
        finally:
            for sock in inflight:
                sock.close()
            selector.close()

    @staticmethod
    def _step(selector, sock, state):
        """Advance one connection; returns (status, worker) when it is finished, else None."""
        if state[1] == b"" and selector.get_key(sock).events == selectors.EVENT_WRITE:
            if sock.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR):
                return (None, None)
            try:
                sock.send(REQUEST)  # tiny: fits the empty send buffer whole
            except OSError:
                return (None, None)
            selector.modify(sock, selectors.EVENT_READ)
            return None
        try:
            chunk = sock.recv(65536)
        except BlockingIOError:
            return None
        except OSError:
            return (None, None)
        if chunk and len(state[1]) < 65536:
            state[1] += chunk
            return None
        return parse_answer(state[1])


def parse_answer(data):
    """(status, worker id) from a raw HTTP response; the id is the last integer in the body.

    Bodies are {"message":"Hello from worker <pid>"}; a body without a number (the seed's single
    Express server) identifies its one process as "single".
    """
    head, _, body = data.partition(b"\r\n\r\n")
    try:
        status = int(head.split(b" ", 2)[1])
    except (IndexError, ValueError):
        return (None, None)
    numbers = INTEGER.findall(body)
    return (status, int(numbers[-1]) if numbers else "single")


# ------------------------------------------------------------------------------------------ /proc

def process_table():
    """{pid: ppid} for every live process."""
    table = {}
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            with open(f"/proc/{name}/stat", "rb") as f:
                stat = f.read()
        except OSError:
            continue
        # the command name (field 2) may hold spaces and parentheses: split after the last ')'
        fields = stat[stat.rfind(b")") + 2:].split()
        table[int(name)] = int(fields[1])
    return table


def descendants(root):
    table = process_table()
    children = {}
    for pid, ppid in table.items():
        children.setdefault(ppid, []).append(pid)
    found, todo = [], [root]
    while todo:
        for child in children.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return sorted(found)


def rss_kb(pid):
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return None


def pss_kb(pid):
    """Proportional set size from /proc/PID/smaps_rollup (kernel 4.14+), None if unreadable."""
    try:
        with open(f"/proc/{pid}/smaps_rollup") as f:
            for line in f:
                if line.startswith("Pss:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return None


def alive(pid):
    """True while the process exists and is not a zombie waiting to be reaped."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as f:
            stat = f.read()
    except OSError:
        return False
    return stat[stat.rfind(b")") + 2:stat.rfind(b")") + 3] != b"Z"


def worker_pids(primary):
    """The primary's descendants that are real workers (not short-lived helpers with no memory)."""
    return [p for p in descendants(primary) if rss_kb(p)]


# ------------------------------------------------------------------------------------------ output

def record(args, fields):
    fields = {"round": args.round, "contender": args.contender, **fields}
    with open(args.record, "a") as f:
        f.write(json.dumps(fields) + "\n")
    return fields


def ms(seconds):
    return None if seconds is None else round(seconds * 1000.0, 1)


# -------------------------------------------------------------------------------------- subcommands

def cmd_ready(args):
    t0 = args.t0_ns / 1e9
    deadline = time.time() + args.deadline
    first = None
    seen = {}  # worker id -> seconds from t0 to its first 200
    poller = Poller(args.port, max(2, args.expect), args.interval)

    def on_answer(status, worker, when):
        nonlocal first
        if status == 200:
            if first is None:
                first = when - t0
            seen.setdefault(worker, when - t0)
        return len(seen) >= args.expect

    def current_deadline():  # once something answered, the others get --grace seconds at most
        return deadline if first is None else min(deadline, t0 + first + args.grace)

    poller.run(on_answer, current_deadline, lambda: not args.pid or alive(args.pid))
    complete = len(seen) >= args.expect
    fields = record(args, {
        "kind": "start",
        "first_ms": ms(first),
        "ready_ms": ms(max(seen.values())) if complete else None,
        "workers_seen": len(seen),
        "workers_expected": args.expect,
        "pids": [w for w in seen if isinstance(w, int)],
    })
    if first is None:
        print(f"no HTTP 200 on 127.0.0.1:{args.port}"
              + (" (the process exited)" if args.pid and not alive(args.pid)
                 else f" within {args.deadline:g} s"))
        return 1
    if complete:
        print(f"ready: first 200 after {fields['first_ms']} ms, all {args.expect} worker(s) after "
              f"{fields['ready_ms']} ms")
    else:
        print(f"partly ready: {len(seen)}/{args.expect} worker(s) answered (first after "
              f"{fields['first_ms']} ms); the rest did not answer within {args.grace:g} s of the first")
    return 0


def pids_seen_at_start(args):
    """The worker pids that answered during this round's start-up, from the record file."""
    pids = []
    with open(args.record) as f:
        for line in f:
            r = json.loads(line)
            if (r["kind"], r["round"], r["contender"]) == ("start", args.round, args.contender):
                pids = r["pids"]
    return pids


def cmd_kill(args):
    seen = pids_seen_at_start(args)
    below = set(descendants(args.primary))
    known = set(seen) | below
    candidates = [p for p in seen if p in below]
    if not candidates:
        candidates = worker_pids(args.primary)
    if not candidates:
        record(args, {"kind": "kill", "victim": None, "replaced_ms": None, "failed_probes": 0,
                      "note": "no worker process found"})
        print("kill -9: no worker process found under the primary")
        return 0
    victim = candidates[0]
    poller = Poller(args.port, max(2, args.expect), args.interval)
    replaced, new_pid = None, None

    def on_answer(status, worker, when):
        nonlocal replaced, new_pid
        if status != 200:
            poller.failed += 1
        elif isinstance(worker, int) and worker not in known and worker != victim:
            replaced, new_pid = when - t0, worker
            return True
        return False

    os.kill(victim, signal.SIGKILL)
    t0 = time.time()
    poller.run(on_answer, lambda: t0 + args.deadline)
    failed = poller.failed
    record(args, {"kind": "kill", "victim": victim, "new_pid": new_pid, "replaced_ms": ms(replaced),
                  "failed_probes": failed, "deadline_ms": ms(args.deadline)})
    if replaced is None:
        print(f"kill -9 {victim}: no new worker answered within {args.deadline:g} s "
              f"({failed} failed probe requests)")
    else:
        print(f"kill -9 {victim}: new worker {new_pid} answered after {ms(replaced)} ms "
              f"({failed} failed probe requests)")
    return 0


def snapshot(primary):
    """{"rss"|"pss": {"primary_kb": kb, "workers": {pid: kb}}}, the same processes for both."""
    workers = worker_pids(primary)
    return {"rss": {"primary_kb": rss_kb(primary), "workers": {p: rss_kb(p) for p in workers}},
            "pss": {"primary_kb": pss_kb(primary), "workers": {p: pss_kb(p) for p in workers}}}


def rss_fields(kind, snap):
    """The record of one snapshot (or of the per-process peaks): RSS fields as before, PSS beside them."""
    fields = {"kind": kind}
    for measure, suffix in (("rss", "kb"), ("pss", "pss_kb")):
        primary_kb = snap[measure]["primary_kb"]
        values = [v for v in snap[measure]["workers"].values() if v]
        fields.update({
            f"primary_{suffix}": primary_kb,
            f"workers_{suffix}": values,
            f"worker_mean_{suffix}": round(sum(values) / len(values)) if values else None,
            f"worker_max_{suffix}": max(values) if values else None,
            f"total_{suffix}": (primary_kb or 0) + sum(values),
        })
    return fields


def print_rss(fields, label):
    for name, suffix in (("RSS", "kb"), ("PSS", "pss_kb")):
        workers = fields[f"workers_{suffix}"]
        primary = fields[f"primary_{suffix}"]
        text = f"{name} {label}: primary {(primary or 0) / 1024:.1f} MB"
        if workers:
            text += f", {len(workers)} worker(s) " + " ".join(f"{w / 1024:.1f}" for w in workers) + " MB"
        text += f", total {fields[f'total_{suffix}'] / 1024:.1f} MB"
        print(text)


def cmd_rss(args):
    fields = record(args, rss_fields(args.kind, snapshot(args.primary)))
    print_rss(fields, "idle" if args.kind == "rss_idle" else args.kind)
    return 0


def cmd_rss_sample(args):
    """Peaks per process over the samples (a worker replaced meanwhile keeps its own peak)."""
    peaks = {"rss": {"primary_kb": 0, "workers": {}}, "pss": {"primary_kb": 0, "workers": {}}}
    deadline = time.time() + args.max_seconds
    while time.time() < deadline:
        snap = snapshot(args.primary)
        for measure in ("rss", "pss"):
            peak, now = peaks[measure], snap[measure]
            peak["primary_kb"] = max(peak["primary_kb"], now["primary_kb"] or 0)
            for pid, kb in now["workers"].items():
                peak["workers"][pid] = max(peak["workers"].get(pid, 0), kb or 0)
        if os.path.exists(args.stop_file):
            break
        time.sleep(args.interval)
    fields = record(args, rss_fields(args.kind, peaks))
    print_rss(fields, "under load (peak)")
    return 0


def read_head(port, request, timeout=5.0):
    """The status line and headers of the answer to one raw request, as the server sent them."""
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as sock:
        sock.sendall(request)
        data = b""
        while b"\r\n\r\n" not in data and len(data) < 65536:
            chunk = sock.recv(65536)
            if not chunk:
                break
            data += chunk
    return data.partition(b"\r\n\r\n")[0].decode("latin-1")


def cmd_head(args):
    heads = {}
    for kind, request in (("keepalive", b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"), ("close", REQUEST)):
        try:
            heads[kind] = read_head(args.port, request)
        except OSError as e:
            heads[kind] = f"(no answer: {e})"
    record(args, {"kind": "head", "keepalive_head": heads["keepalive"], "close_head": heads["close"]})
    for kind, head in heads.items():
        print(f"response head ({kind}): " + " | ".join(head.split("\r\n")))
    return 0


def cmd_timed(args):
    import subprocess
    t0 = time.time()
    try:
        result = subprocess.run(args.cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                timeout=args.timeout)
        code, output = result.returncode, result.stdout.decode("utf-8", "replace")
    except subprocess.TimeoutExpired as e:
        code, output = None, (e.stdout or b"").decode("utf-8", "replace") + f"\n(timed out after {args.timeout:g} s)"
    seconds = time.time() - t0
    record(args, {"kind": args.kind, "ms": ms(seconds), "exit": code})
    last = [line for line in output.strip().splitlines() if line.strip()][-1:] or ["(no output)"]
    print(f"{args.kind}: {ms(seconds)} ms, exit {code}: {last[0][:160]}")
    return 0


def this_round(args, kind, field):
    """A figure this contender recorded earlier in this round, from --record (None if absent)."""
    value = None
    with open(args.record) as f:
        for line in f:
            r = json.loads(line)
            if (r["kind"], r["round"], r["contender"]) == (kind, args.round, args.contender):
                value = r.get(field)
    return value


def cmd_openloop(args):
    import subprocess
    kind = f"open{args.percent:g}"
    top = this_round(args, "keepalive", "rps")
    if not top:
        record(args, {"kind": kind, "note": "no keep-alive req/s this round"})
        print(f"open loop at {args.percent:g}%: no keep-alive req/s this round to take it from")
        return 0
    rate = max(1.0, top * args.percent / 100.0)
    command = ["java", "-XX:+UseSerialGC", "-Xms64m", "-cp", args.classpath, "OpenLoop", str(args.port),
               f"{rate:.0f}", str(args.connections), str(args.seconds), str(args.warmup)]
    try:
        result = subprocess.run(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                timeout=args.seconds + args.warmup + 60)
        output = result.stdout.decode("utf-8", "replace")
    except subprocess.TimeoutExpired:
        output = "timed out"
    line = next((l for l in output.splitlines() if l.startswith("rate=")), None)
    if line is None:
        record(args, {"kind": kind, "rate": round(rate), "note": output.strip()[-300:]})
        print(f"open loop at {args.percent:g}% ({rate:.0f} req/s): no result: {output.strip()[-300:]}")
        return 0
    values = dict(item.split("=", 1) for item in line.split())
    fields = {"kind": kind, "rate": round(rate), "max_rps": top}
    for key, value in values.items():
        if key == "rate":
            continue
        number = float(value)
        fields[key] = None if number != number else number   # NaN: nothing answered in time
    record(args, fields)
    print(f"open loop at {args.percent:g}% of {top:.0f} = {rate:.0f} req/s: p50 {fields.get('p50_ms')} ms  "
          f"p99 {fields.get('p99_ms')} ms  p99.9 {fields.get('p999_ms')} ms  achieved {fields.get('achieved')}/s  "
          f"unanswered {fields.get('unanswered'):.0f}  errors {fields.get('errors'):.0f}")
    return 0


def cmd_load(args):
    with open("/proc/loadavg") as f:
        load = f.read().split()[:3]
    record(args, {"kind": "load", "load1": float(load[0]), "load5": float(load[1]), "load15": float(load[2])})
    print(f"load average before measuring {args.contender}: {' '.join(load)}")
    return 0


UNITS = {"us": 1e-3, "ms": 1.0, "s": 1e3, "m": 60e3, "h": 3600e3}


def duration_ms(text):
    match = re.fullmatch(r"([\d.]+)(us|ms|s|m|h)", text)
    # Rounded to the nanosecond: 175.0us is 0.175 ms, not 0.17500000000000002.
    return round(float(match.group(1)) * UNITS[match.group(2)], 6) if match else None


def cmd_wrk(args):
    with open(args.file) as f:
        text = f.read()
    rps = re.search(r"Requests/sec:\s+([\d.]+)", text)
    if not rps:
        print("could not parse wrk output:\n" + text, file=sys.stderr)
        return 1
    pct = dict(re.findall(r"^\s+(50|99)(?:\.0+)?%\s+(\S+)", text, re.M))
    socket_errors = re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", text)
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", text)
    requests = re.search(r"(\d+) requests in", text)
    errors = (sum(int(g) for g in socket_errors.groups()) if socket_errors else 0) \
        + (int(non2xx.group(1)) if non2xx else 0)
    fields = record(args, {
        "kind": args.kind,
        "rps": float(rps.group(1)),
        "p50_ms": duration_ms(pct.get("50", "")),
        "p99_ms": duration_ms(pct.get("99", "")),
        "errors": errors,
        "requests": int(requests.group(1)) if requests else None,
        "socket_errors": socket_errors.group(0) if socket_errors else None,
    })
    print(f"{args.kind:9s} {fields['rps']:>10.0f} req/s  p50 {fields['p50_ms']} ms  "
          f"p99 {fields['p99_ms']} ms  errors {errors}")
    return 0


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)

    def common(p):
        p.add_argument("--record", required=True)
        p.add_argument("--round", type=int, required=True)
        p.add_argument("--contender", required=True)

    p = sub.add_parser("ready")
    common(p)
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--t0-ns", type=int, required=True)
    p.add_argument("--expect", type=int, required=True)
    p.add_argument("--pid", type=int, help="stop early if this process exits")
    p.add_argument("--deadline", type=float, default=30.0)
    p.add_argument("--grace", type=float, default=10.0)
    p.add_argument("--interval", type=float, default=0.005)
    p.set_defaults(func=cmd_ready)

    p = sub.add_parser("kill")
    common(p)
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--primary", type=int, required=True)
    p.add_argument("--expect", type=int, required=True)
    p.add_argument("--deadline", type=float, default=3.0)
    p.add_argument("--interval", type=float, default=0.005)
    p.set_defaults(func=cmd_kill)

    p = sub.add_parser("rss")
    common(p)
    p.add_argument("--primary", type=int, required=True)
    p.add_argument("--kind", default="rss_idle")
    p.set_defaults(func=cmd_rss)

    p = sub.add_parser("rss-sample")
    common(p)
    p.add_argument("--primary", type=int, required=True)
    p.add_argument("--kind", default="rss_load")
    p.add_argument("--stop-file", required=True)
    p.add_argument("--interval", type=float, default=0.25)
    p.add_argument("--max-seconds", type=float, default=300.0)
    p.set_defaults(func=cmd_rss_sample)

    p = sub.add_parser("wrk")
    common(p)
    p.add_argument("--kind", required=True)
    p.add_argument("--file", required=True)
    p.set_defaults(func=cmd_wrk)

    p = sub.add_parser("head")
    common(p)
    p.add_argument("--port", type=int, required=True)
    p.set_defaults(func=cmd_head)

    p = sub.add_parser("timed")
    common(p)
    p.add_argument("--kind", required=True)
    p.add_argument("--timeout", type=float, default=60.0)
    p.add_argument("cmd", nargs=argparse.REMAINDER)
    p.set_defaults(func=cmd_timed)

    p = sub.add_parser("load")
    common(p)
    p.set_defaults(func=cmd_load)

    p = sub.add_parser("openloop")
    common(p)
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--percent", type=float, required=True)
    p.add_argument("--connections", type=int, required=True)
    p.add_argument("--seconds", type=float, required=True)
    p.add_argument("--warmup", type=float, default=1.0)
    p.add_argument("--classpath", required=True)
    p.set_defaults(func=cmd_openloop)

    args = parser.parse_args()
    if getattr(args, "cmd", None) and args.cmd[0] == "--":
        args.cmd = args.cmd[1:]
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
