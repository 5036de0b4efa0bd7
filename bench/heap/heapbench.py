#!/usr/bin/env python3
"""GC logs, fixed-rate runs and the report of bench/heap/run.sh.

  mark DIR STATE          remember how far each GC log in DIR (one per JVM, -Xlog:gc:file=DIR/%p.log) has got
  window DIR STATE ...    the GC pauses logged since `mark`, per JVM: count, total, max; one record
  openloop ... -- CMD     run OpenLoop (CMD) and record its line (rate, p50/p99/p99.9, errors)
  report --work W --out F the Markdown report (medians over the rounds, spreads [min–max])

Pauses are the unified-logging lines `[…] GC(n) Pause … 12.345ms` (young, mixed, remark, cleanup, full: every
stop-the-world phase -Xlog:gc prints); concurrent phases (`Concurrent …`) are not pauses and are not counted.
"""

import argparse
import json
import os
import re
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
from report import Figures, cell, command_lines, num, table  # noqa: E402  (bench/lib/report.py)

PAUSE = re.compile(r"\bPause\b(.*?)\s(\d+(?:\.\d+)?)ms\s*$")


def append(record_file, fields):
    with open(record_file, "a") as f:
        f.write(json.dumps(fields) + "\n")


def logs(directory):
    return sorted(n for n in os.listdir(directory) if n.endswith(".log")) if os.path.isdir(directory) else []


def cmd_mark(args):
    sizes = {n: os.path.getsize(os.path.join(args.dir, n)) for n in logs(args.dir)}
    with open(args.state, "w") as f:
        json.dump(sizes, f)
    return 0


def pauses_since(path, offset):
    with open(path, "rb") as f:
        f.seek(offset)
        text = f.read().decode("utf-8", "replace")
    found = []
    for line in text.splitlines():
        m = PAUSE.search(line)
        if m and "Concurrent" not in line:
            found.append(float(m.group(2)))
    return found


def cmd_window(args):
    marks = json.load(open(args.state)) if args.state and os.path.exists(args.state) else {}
    per_jvm = {}
    for name in logs(args.dir):
        p = pauses_since(os.path.join(args.dir, name), marks.get(name, 0))
        per_jvm[name[:-4]] = {"count": len(p), "total_ms": round(sum(p), 3), "max_ms": max(p) if p else 0.0}
    everything = [v for v in per_jvm.values()]
    fields = {"round": args.round, "contender": args.contender, "kind": args.kind,
              "jvms": len(per_jvm),
              "count": sum(v["count"] for v in everything),
              "total_ms": round(sum(v["total_ms"] for v in everything), 3),
              "max_ms": max((v["max_ms"] for v in everything), default=0.0),
              "per_jvm": per_jvm}
    append(args.record, fields)
    detail = ", ".join(f"pid {k}: {v['count']} pauses, {v['total_ms']:.1f} ms in all, max {v['max_ms']:.1f} ms"
                       for k, v in per_jvm.items())
    print(f"GC ({args.kind}): {fields['count']} pauses, {fields['total_ms']:.1f} ms in all, "
          f"max {fields['max_ms']:.1f} ms — {detail or 'no GC log'}")
    return 0


def cmd_openloop(args):
    cmd = args.cmd[1:] if args.cmd and args.cmd[0] == "--" else args.cmd
    try:
        result = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=args.timeout)
        output = result.stdout.decode("utf-8", "replace")
    except subprocess.TimeoutExpired:
        output = "timed out"
    line = next((l for l in output.splitlines() if l.startswith("rate=")), None)
    fields = {"round": args.round, "contender": args.contender, "kind": args.kind}
    if line is None:
        fields["note"] = output.strip()[-300:]
        append(args.record, fields)
        print(f"open loop ({args.kind}): no result: {fields['note']}")
        return 0
    for item in line.split():
        key, _, value = item.partition("=")
        number = float(value)
        fields[key] = None if number != number else number   # NaN: nothing answered in time
    fields["failed"] = (fields.get("errors") or 0) + (fields.get("unanswered") or 0)
    append(args.record, fields)
    print(f"open loop at {fields['rate']:.0f} req/s ({args.kind}): p50 {fields.get('p50_ms')} ms  p99 "
          f"{fields.get('p99_ms')} ms  p99.9 {fields.get('p999_ms')} ms  max {fields.get('max_ms')} ms  "
          f"achieved {fields.get('achieved'):.0f}/s  failed {fields['failed']:.0f}")
    return 0


# ------------------------------------------------------------------------------------------- report

def report_rows(fig, contenders, percents):
    def line(label, kind, field, decimals=0, scale=1.0):
        out = [label]
        for c in contenders:
            b = fig.median(contenders[0], kind, field)
            out.append(cell(fig.median(c, kind, field), b, decimals, scale, fig.spread(c, kind, field)))
        return out

    rows = [line("own max, keep-alive req/s (wrk -t2 -c64)", "keepalive", "rps"),
            line("own max: p99 (ms)", "keepalive", "p99_ms", 2)]
    for pct in percents:
        o, g = f"open{pct}", f"gc{pct}"
        rows += [line(f"**{pct}%** of the one JVM's max: rate (req/s)", o, "rate"),
                 line(f"{pct}%: latency p50 (ms)", o, "p50_ms", 2),
                 line(f"{pct}%: latency p99 (ms)", o, "p99_ms", 2),
                 line(f"{pct}%: latency p99.9 (ms)", o, "p999_ms", 2),
                 line(f"{pct}%: latency max (ms)", o, "max_ms", 2),
                 line(f"{pct}%: failed requests", o, "failed"),
                 line(f"{pct}%: GC pauses, all JVMs (count)", g, "count"),
                 line(f"{pct}%: GC pause time, all JVMs (ms)", g, "total_ms", 1),
                 line(f"{pct}%: longest GC pause (ms)", g, "max_ms", 2),
                 line(f"{pct}%: GC pause time per JVM (ms)", g, "per_jvm_total_ms", 1)]
    rows += [line("PSS under load, peak, whole tree (MB)", "rss_load", "total_pss_kb", 1, 1024.0),
             line("RSS under load, peak, whole tree (MB)", "rss_load", "total_kb", 1, 1024.0)]
    return rows


def cmd_report(args):
    records = [json.loads(l) for l in open(os.path.join(args.work, "records.jsonl")) if l.strip()]
    for r in records:
        if r["kind"].startswith("gc") and r.get("jvms"):
            r["per_jvm_total_ms"] = r["total_ms"] / r["jvms"]
    measured = [r for r in records if r["round"] >= 1]
    fig = Figures(measured)
    meta = [l.rstrip("\n").split("\t", 1) for l in open(os.path.join(args.work, "meta.tsv")) if "\t" in l]
    contenders = [c for c in ("one-jvm", "jcluster-2") if any(r["contender"] == c for r in measured)]
    percents = sorted({int(r["kind"][4:]) for r in measured if r["kind"].startswith("open")})
    out = ["# Smaller heaps and pauses? One JVM against `jcluster -i 2` at the same total heap", ""]
    out += [f"- **{k}**: {v}" for k, v in meta]
    out += ["", "Each cell: the median over the rounds (its ratio to `one-jvm`) [min–max over the rounds]; both "
            "contenders get the same request rates (a share of the one JVM's keep-alive max, measured once before "
            "round 1). GC figures are for the fixed-rate run only (from each JVM's -Xlog:gc).", ""]
    out.append(table(["figure"] + [f"`{c}`" for c in contenders], report_rows(fig, contenders, percents)))
    out += ["", "## Per JVM, each fixed-rate run: GC pauses (count, total ms, max ms)", ""]
    rows = []
    for r in measured:
        if r["kind"].startswith("gc"):
            rows.append([r["round"], f"`{r['contender']}`", r["kind"][2:] + "%",
                         "; ".join(f"pid {k}: {v['count']}, {v['total_ms']:.1f}, {v['max_ms']:.2f}"
                                   for k, v in r["per_jvm"].items())])
    out.append(table(["round", "contender", "rate", "per JVM"], rows))
    caches = [r for r in measured if r["kind"] == "cache"]
    if caches:
        out += ["", "## Cache entries (1 kB each) at the end of each contender's run, per pid", ""]
        out.append(table(["round", "contender", "entries"],
                         [[r["round"], f"`{r['contender']}`", r["entries"]] for r in caches]))
    out += ["", "## Load average (1 min) before the measurements, per contender: min–max", ""]
    loads = []
    for c in contenders:
        values = [r["load1"] for r in measured if r["contender"] == c and r["kind"] == "load"]
        loads.append([f"`{c}`", f"{min(values):.2f}–{max(values):.2f}" if values else "—"])
    out.append(table(["contender", "load average"], loads))
    out += command_lines(args.work)
    out += ["", "Raw records: the `.jsonl` file beside this one.", ""]
    with open(args.out, "w") as f:
        f.write("\n".join(out))
    print(table(["figure"] + contenders, report_rows(fig, contenders, percents)))
    return 0


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("mark")
    p.add_argument("dir")
    p.add_argument("state")
    p.set_defaults(func=cmd_mark)
    for name, func in (("window", cmd_window), ("openloop", cmd_openloop)):
        p = sub.add_parser(name)
        p.add_argument("--record", required=True)
        p.add_argument("--round", type=int, required=True)
        p.add_argument("--contender", required=True)
        p.add_argument("--kind", required=True)
        p.set_defaults(func=func)
        if name == "window":
            p.add_argument("dir")
            p.add_argument("state", nargs="?")
        else:
            p.add_argument("--timeout", type=float, default=120)
            p.add_argument("cmd", nargs=argparse.REMAINDER)
    p = sub.add_parser("report")
    p.add_argument("--work", required=True)
    p.add_argument("--out", required=True)
    p.set_defaults(func=cmd_report)
    args = parser.parse_args()
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
