#!/usr/bin/env python3
"""Turn one bench/run.sh run into a Markdown report, a req/s chart and the target verdicts.

Inputs (all in the run's work directory):
  records.jsonl  one measurement per line, from probe.py (round, contender, kind, figures)
  meta.tsv       key<TAB>value: machine facts and the run's settings, in the order to print them
  status.tsv     contender<TAB>status<TAB>reason: "ok" or "failed" (and why) for each contender

Every figure is the median over the rounds; each is followed by its ratio to node-cluster in the
same run and, when there are two rounds or more, by its spread over the rounds [min–max]. Prints the
targets, each "met" or "not met", and last the line "targets: K/M met".
"""

import argparse
import collections
import json
import math
import os
import statistics
import subprocess
import sys

BASE = "node-cluster"
RR = "jcluster-rr"
RR_TWO = "jcluster-rr-2w"  # start-up of a 2-worker jcluster-rr, measured only when nproc != 2
RR25 = "jcluster-rr-25"
LEAN = "plain-netty-lean"
HTTP = "node-http-cluster"
PM2 = "pm2"
MB = 1024.0
INF = math.inf


def load(workdir):
    records = [json.loads(line) for line in open(os.path.join(workdir, "records.jsonl"))
               if line.strip()] if os.path.exists(os.path.join(workdir, "records.jsonl")) else []
    meta = []
    for line in open(os.path.join(workdir, "meta.tsv")):
        key, _, value = line.rstrip("\n").partition("\t")
        meta.append((key, value))
    status = collections.OrderedDict()
    for line in open(os.path.join(workdir, "status.tsv")):
        name, state, reason = (line.rstrip("\n").split("\t") + ["", ""])[:3]
        status[name] = (state, reason)
    return records, meta, status


class Figures:
    """Medians per (contender, kind, field) over the rounds."""

    def __init__(self, records):
        self.values = collections.defaultdict(list)
        for r in records:
            for field, value in r.items():
                if field in ("round", "contender", "kind"):
                    continue
                if isinstance(value, (int, float)) or value is None:
                    self.values[(r["contender"], r["kind"], field)].append((r["round"], value))

    def rounds(self, contender, kind, field):
        return sorted(self.values.get((contender, kind, field), []), key=lambda rv: rv[0])

    def spread(self, contender, kind, field, missing_is_inf=False):
        """(min, max) over the rounds (None is 'never' when missing_is_inf), or None below two values."""
        values = [v for _, v in self.rounds(contender, kind, field)]
        values = [INF if v is None else v for v in values] if missing_is_inf else [v for v in values if v is not None]
        return (min(values), max(values)) if len(values) >= 2 else None

    def median(self, contender, kind, field, missing_is_inf=False):
        """Median of the rounds. A missing value (None) is 'never happened' when missing_is_inf
        (a worker never replaced, a cluster never complete): it sorts last and may be the median."""
        values = [v for _, v in self.rounds(contender, kind, field)]
        if missing_is_inf:
            values = [INF if v is None else v for v in values]
        else:
            values = [v for v in values if v is not None]
        if not values:
            return None
        values.sort()
        mid = len(values) // 2
        if len(values) % 2:
            return values[mid]
        low, high = values[mid - 1], values[mid]
        return INF if INF in (low, high) else (low + high) / 2


# ------------------------------------------------------------------------------------ formatting

def num(value, unit="", decimals=0):
    if value is None:
        return "—"
    if value == INF:
        return "never"
    return f"{value:,.{decimals}f}{unit}"


def ratio(value, base):
    if value is None or base is None or value == INF or base == INF or base == 0:
        return ""
    return f" ({value / base:.2f}×)"


def cell(value, base, decimals=0, scale=1.0, spread=None):
    """The median, its ratio to the base, and the spread over the rounds [min–max] when there is one."""
    v = None if value is None else (value if value == INF else value / scale)
    b = None if base is None else (base if base == INF else base / scale)
    text = num(v, decimals=decimals) + ratio(v, b)
    if spread is not None and v is not None:
        low, high = (x if x == INF else x / scale for x in spread)
        text += f" [{num(low, decimals=decimals)}–{num(high, decimals=decimals)}]"
    return text


def fcell(fig, contender, kind, field, base, decimals=0, scale=1.0, inf=False):
    """cell() for one figure of one contender: median, ratio to the base, spread over the rounds."""
    return cell(fig.median(contender, kind, field, inf), base, decimals, scale,
                fig.spread(contender, kind, field, inf))


def table(header, rows):
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)


# --------------------------------------------------------------------------------------- targets

def command_lines(workdir):
    """The report section listing each contender's JVM command line (workdir/cmdlines.tsv: contender<TAB>cmdline)."""
    path = os.path.join(workdir, "cmdlines.tsv")
    if not os.path.exists(path) or not os.path.getsize(path):
        return []
    out = ["", "## The JVMs' command lines (round 1, from /proc)", ""]
    for line in open(path):
        c, _, cmd = line.rstrip("\n").partition("\t")
        out.append(f"- `{c}`: `{cmd.strip()}`")
    return out


def started(fig, contender):
    return any(v is not None for _, v in fig.rounds(contender, "start", "first_ms"))


def targets(fig):
    """[(description, measured text, met)]: the earlier ten targets, then issue 16's goals."""
    return earlier_targets(fig) + goals(fig)


def goals(fig):
    """Issue 16's goals for jcluster, always the same nine."""
    rps = lambda c, k: fig.median(c, k, "rps")
    out = []
    for kind, label, other, factor in (("keepalive", "keep-alive", LEAN, 1.0), ("keepalive", "keep-alive", HTTP, 3),
                                       ("close", "Connection: close", LEAN, 0.95), ("close", "Connection: close", HTTP, 4)):
        mine, theirs = rps(RR, kind), rps(other, kind)
        desc = f"{label} req/s ≥ {factor:g}× {other} ({RR})"
        if mine is None or theirs is None:
            missing = " and ".join(c for c, v in ((RR, mine), (other, theirs)) if v is None)
            out.append((desc, f"not measured: no {missing} figure in this run", False))
        else:
            out.append((desc, f"{mine:,.0f} vs {factor:g} × {theirs:,.0f} = {factor * theirs:,.0f}"
                              f" ({mine / theirs:.2f}×)", mine >= factor * theirs))

    mine, theirs = fig.median(RR, "rss_load", "total_pss_kb"), fig.median(BASE, "rss_load", "total_pss_kb")
    desc = f"the whole cluster's PSS under load ≤ 0.6× {BASE}'s ({RR})"
    if mine is None or theirs is None:
        out.append((desc, f"not measured: needs both {RR} and {BASE} in the run", False))
    else:
        out.append((desc, f"{mine / MB:.1f} MB vs 0.6 × {theirs / MB:.1f} MB = {0.6 * theirs / MB:.1f} MB"
                          f" ({mine / theirs:.2f}×)", mine <= 0.6 * theirs))

    mine = fig.median(RR25, "kill", "replaced_ms", missing_is_inf=True)
    desc = f"on JDK 25: kill -9 of a worker → replacement answering ≤ 150 ms ({RR25})"
    out.append((desc, "not measured" if mine is None else
                ("no new worker answered" if mine == INF else f"{mine:,.0f} ms"), mine is not None and mine <= 150))

    two = [n for n in fig.values if n[0] == RR25 and n[1] == "start"]
    count = fig.median(RR25, "start", "workers_expected")
    mine = fig.median(RR25, "start", "ready_ms", missing_is_inf=True) if two else None
    desc = f"on JDK 25: cluster of 2 ready (every worker answering) ≤ 500 ms ({RR25})"
    if mine is not None and count != 2:
        out.append((desc, f"not measured: {RR25} ran {count:g} workers (nproc), not 2", False))
    else:
        out.append((desc, "not measured" if mine is None else
                    ("not every worker answered" if mine == INF else f"{mine:,.0f} ms"),
                    mine is not None and mine <= 500))

    mine, theirs = fig.median(RR, "status_cmd", "ms"), fig.median(PM2, "status_cmd", "ms")
    desc = f"a control command (`jcluster status`) answers in ≤ 0.25 s ({RR})"
    out.append((desc, "not measured" if mine is None else f"{mine:,.0f} ms", mine is not None and mine <= 250))
    desc = "`jcluster status` answers faster than `pm2 ls`"
    if mine is None or theirs is None:
        out.append((desc, "not measured: needs both jcluster-rr and pm2 in the run", False))
    else:
        out.append((desc, f"{mine:,.0f} ms vs {theirs:,.0f} ms", mine < theirs))
    return out


def earlier_targets(fig):
    """[(description, measured text, met)] for the earlier targets (the harness's first issue), the same ten."""
    rps = lambda c, k: fig.median(c, k, "rps")
    out = []

    def throughput(kind, label, other, factor):
        mine, theirs = rps(RR, kind), rps(other, kind)
        desc = f"{label} req/s ≥ {factor:g}× {other} ({RR})"
        if mine is None or theirs is None:
            missing = " and ".join(c for c, v in ((RR, mine), (other, theirs)) if v is None)
            out.append((desc, f"not measured: no {missing} figure in this run", False))
        else:
            out.append((desc, f"{mine:,.0f} vs {factor:g} × {theirs:,.0f} = {factor * theirs:,.0f}"
                              f" ({mine / theirs:.2f}×)", mine >= factor * theirs))

    for kind, label, factors in (("keepalive", "keep-alive", (8, 2, 0.95)),
                                 ("close", "Connection: close", (3, 2, 0.9))):
        for other, factor in zip((BASE, "node-http-cluster", "plain-netty"), factors):
            throughput(kind, label, other, factor)

    mine = fig.median(RR, "rss_load", "worker_mean_kb")
    theirs = fig.median(BASE, "rss_load", "worker_mean_kb")
    desc = f"{RR} worker RSS under load ≤ 0.5× a {BASE} worker's"
    if mine is None or theirs is None:
        out.append((desc, "not measured: needs both jcluster-rr and node-cluster in the run", False))
    else:
        out.append((desc, f"{mine / MB:.1f} MB vs 0.5 × {theirs / MB:.1f} MB = {theirs / MB / 2:.1f} MB",
                    mine <= 0.5 * theirs))

    mine = fig.median(RR, "rss_load", "primary_kb")
    desc = f"{RR} primary RSS under load ≤ 64 MB"
    out.append((desc, "not measured" if mine is None else f"{mine / MB:.1f} MB",
                mine is not None and mine <= 64 * MB))

    mine = fig.median(RR, "kill", "replaced_ms", missing_is_inf=True)
    desc = f"kill -9 of a {RR} worker → new worker answering ≤ 300 ms"
    out.append((desc, "not measured" if mine is None else
                ("no new worker answered" if mine == INF else f"{mine:,.0f} ms"),
                mine is not None and mine <= 300))

    who = RR_TWO if started(fig, RR_TWO) else RR
    mine = fig.median(who, "start", "ready_ms", missing_is_inf=True) if started(fig, who) else None
    desc = "jcluster cluster of 2 ready (every worker answering) ≤ 1 s"
    out.append((desc, "not measured" if mine is None else
                ("not every worker answered" if mine == INF else f"{mine:,.0f} ms ({who})"),
                mine is not None and mine <= 1000))
    return out


# ----------------------------------------------------------------------------------------- chart

def chart(fig, contenders, workdir, png, title):
    data = os.path.join(workdir, "chart.dat")
    rows = [(c, fig.median(c, "keepalive", "rps"), fig.median(c, "close", "rps")) for c in contenders]
    rows = [r for r in rows if r[1] is not None or r[2] is not None]
    if not rows:
        return "no req/s figures to chart"
    with open(data, "w") as f:
        for name, ka, close in rows:
            f.write(f'"{name}" {ka if ka is not None else "NaN"} {close if close is not None else "NaN"}\n')
    script = os.path.join(workdir, "chart.gp")
    label = 'sprintf("%.1fk", column({col})/1000.0)'
    with open(script, "w") as f:
        f.write(f"""set terminal pngcairo size 1200,600 font "sans,11"
set output "{png}"
set title "{title}"
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.85 border -1
set boxwidth 0.95
set ylabel "requests per second (median of rounds)"
set yrange [0:*]
set offsets 0, 0, graph 0.08, 0
set grid ytics
set key top left
set xtics nomirror scale 0
set datafile missing "NaN"
plot "{data}" using 2:xtic(1) title "keep-alive" lc rgb "#4477aa", \\
     "" using 3 title "Connection: close" lc rgb "#ee6677", \\
     "" using ($0-1.0/6):2:({label.format(col=2)}) with labels offset 0,0.7 notitle, \\
     "" using ($0+1.0/6):3:({label.format(col=3)}) with labels offset 0,0.7 notitle
""")
    result = subprocess.run(["gnuplot", script], capture_output=True, text=True)
    if result.returncode != 0:
        return "gnuplot failed: " + result.stderr.strip()
    return None


# ---------------------------------------------------------------------------------------- report

def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--workdir", required=True)
    parser.add_argument("--markdown", required=True)
    parser.add_argument("--png", required=True)
    args = parser.parse_args()

    records, meta, status = load(args.workdir)
    fig = Figures(records)
    settings = dict(meta)
    contenders = [c for c in status if c != RR_TWO]
    # every contender that answered at least once; one that failed in a later round still shows
    # the rounds it completed
    ok = [c for c in contenders if started(fig, c)]
    rounds = settings.get("rounds", "?")
    base = lambda kind, field, inf=False: fig.median(BASE, kind, field, inf)

    md = [f"# jcluster benchmark — {settings.get('date', '')} — {settings.get('commit', '')}", ""]
    md.append(f"Mode **{settings.get('mode', '')}**: {rounds} round(s), contenders interleaved in a random "
              "order each round, each figure the median over the rounds followed by its ratio to "
              "**node-cluster** in this same run (`(1.00×)`), where node-cluster has that figure, and by "
              "its spread over the rounds `[min–max]` (two rounds or more): a difference inside the "
              "spread is not a result.")
    md.append("")
    md.append("## Machine and settings")
    md.append("")
    md += [f"- **{k}**: {v}" for k, v in meta if k not in ("date", "commit", "mode")]
    md.append("")

    failed = [(c, status[c][1]) for c in status if status[c][0] != "ok"]
    if failed:
        md.append("## Contenders that failed")
        md.append("")
        md += [f"- **{c}**: {why}" for c, why in failed]
        md.append("")

    for kind, title in (("keepalive", "Keep-alive"), ("close", "Connection: close")):
        md.append(f"## {title} — `{settings.get('wrk_' + kind, '')}`")
        md.append("")
        rows = []
        for c in ok:
            rows.append([c,
                         fcell(fig, c, kind, "rps", base(kind, "rps")),
                         fcell(fig, c, kind, "p50_ms", base(kind, "p50_ms"), 2),
                         fcell(fig, c, kind, "p99_ms", base(kind, "p99_ms"), 2),
                         fcell(fig, c, kind, "errors", base(kind, "errors"))])
        md.append(table(["contender", "req/s", "p50 latency ms", "p99 latency ms",
                         "errors (socket + non-2xx)"], rows))
        md.append("")

    open_loop = [c for c in ok if fig.rounds(c, "open50", "rate") or fig.rounds(c, "open80", "rate")]
    if open_loop:
        md.append("## Latency at a fixed request rate (open loop) — milliseconds")
        md.append("")
        md.append("`bench/lib/OpenLoop.java` sends requests on a schedule (wrk2's way) at 50% and 80% of the "
                  "contender's keep-alive req/s in the same round, over as many keep-alive connections as wrk "
                  "used, and times each from the moment it was due: queueing behind a slow answer counts, "
                  "which closed-loop wrk hides. Failed: unanswered 5 s after the schedule ended, or lost "
                  "with a connection. The client runs on the same 2 cores.")
        md.append("")
        rows = []
        for c in open_loop:
            row = [c]
            for kind in ("open50", "open80"):
                row += [fcell(fig, c, kind, "rate", None), fcell(fig, c, kind, "p50_ms", None, 2),
                        fcell(fig, c, kind, "p99_ms", None, 2), fcell(fig, c, kind, "p999_ms", None, 2),
                        cell((fig.median(c, kind, "unanswered") or 0) + (fig.median(c, kind, "errors") or 0), None)
                        if fig.rounds(c, kind, "unanswered") else "—"]
            rows.append(row)
        md.append(table(["contender", "50%: req/s", "p50", "p99", "p99.9", "failed",
                         "80%: req/s", "p50", "p99", "p99.9", "failed"], rows))
        md.append("")

    md.append("## Memory — the whole cluster's PSS in MB (what a user's machine pays)")
    md.append("")
    md.append("PSS from `/proc/PID/smaps_rollup`: a page shared by k processes counts 1/k in each, so the "
              "total counts shared pages (the JVM's library, the class data archive, Node's binary) once; "
              "RSS totals count them once per process. Under load: the peak of each process over samples "
              "every 250 ms through both measured wrk runs, summed.")
    md.append("")
    rows = []
    for c in ok:
        rows.append([c] + [fcell(fig, c, kind, field, base(kind, field), 1, MB)
                           for kind, field in (("rss_idle", "total_pss_kb"), ("rss_load", "total_pss_kb"),
                                               ("rss_load", "primary_pss_kb"), ("rss_load", "worker_mean_pss_kb"),
                                               ("rss_load", "total_kb"))])
    md.append(table(["contender", "total PSS idle", "total PSS load", "primary PSS load",
                     "worker PSS load (mean)", "total RSS load (for comparison)"], rows))
    md.append("")

    md.append("## Memory — VmRSS in MB")
    md.append("")
    md.append("Idle: once every worker answered, before any load. Under load: the peak of samples "
              "taken every 250 ms through both measured wrk runs. Worker: the mean over the workers "
              "(the primary's descendants); total: primary plus every worker. Single-process "
              "contenders have only a primary.")
    md.append("")
    rows = []
    for c in ok:
        count = max((len(r["workers_kb"]) for r in records
                     if r["contender"] == c and r["kind"] == "rss_idle"), default=0)
        row = [c, str(count)]
        for kind in ("rss_idle", "rss_load"):
            for field in ("primary_kb", "worker_mean_kb", "total_kb"):
                row.append(fcell(fig, c, kind, field, base(kind, field), 1, MB))
        last = {r["kind"]: r["workers_kb"] for r in records
                if r["contender"] == c and r["kind"] in ("rss_idle", "rss_load")}
        row.append(" → ".join(" / ".join(f"{kb / MB:.1f}" for kb in last[k])
                              for k in ("rss_idle", "rss_load") if last.get(k)) or "—")
        rows.append(row)
    md.append(table(["contender", "workers", "primary idle", "worker idle", "total idle",
                     "primary load", "worker load", "total load",
                     "each worker, last round: idle → load"], rows))
    md.append("")

    md.append("## Start-up and recovery — milliseconds")
    md.append("")
    md.append("Start-up: from launching the command to the first HTTP 200, and to a 200 from every "
              "worker (distinct pids in the bodies; `never` = not every worker answered in time). "
              "kill -9: from SIGKILL of one worker that had answered to the first 200 from a pid "
              "never seen before (`never` = no replacement within the deadline); failed probes are "
              "probe requests that got no 200 meanwhile.")
    md.append("")
    rows = []
    for c in ok + ([RR_TWO] if started(fig, RR_TWO) else []):
        rows.append([c,
                     fcell(fig, c, "start", "first_ms", base("start", "first_ms")),
                     fcell(fig, c, "start", "ready_ms", base("start", "ready_ms", True), inf=True),
                     fcell(fig, c, "kill", "replaced_ms", base("kill", "replaced_ms", True), inf=True)
                     if fig.rounds(c, "kill", "replaced_ms") else "n/a (single process)",
                     fcell(fig, c, "kill", "failed_probes", base("kill", "failed_probes"))
                     if fig.rounds(c, "kill", "failed_probes") else "—"])
    md.append(table(["contender", "first 200", "every worker answering", "kill -9 → new worker",
                     "failed probes during recovery"], rows))
    md.append("")

    controlled = [c for c in ok if fig.rounds(c, "status_cmd", "ms")]
    if controlled:
        md.append("## Control commands and a reload under load")
        md.append("")
        md.append("Status: `jcluster status NAME` (a new JVM each time: nearly all of it is the JVM's start) "
                  "or `pm2 ls`, 3 times a round, wall time. Reload: `jcluster reload NAME` or `pm2 reload NAME` "
                  "(every worker replaced) while `wrk -t1 -c16` keeps keep-alive connections busy, from 2 s "
                  "before the command to 1 s after it. wrk's errors count events (a reset connection, a failed "
                  "read or connect, a non-2xx answer), not requests: wrk reconnects and may fail again, so "
                  "the count can exceed the requests a client would have lost; 0 means none failed.")
        md.append("")
        def exits(c):   # None: the reload command was stopped at its time limit
            values = [v for _, v in fig.rounds(c, "reload_cmd", "exit")]
            return " / ".join("timed out" if v is None else f"{v:g}" for v in values) or "—"

        rows = [[c, fcell(fig, c, "status_cmd", "ms", None), fcell(fig, c, "reload_cmd", "ms", None),
                 exits(c), fcell(fig, c, "reload_load", "errors", None),
                 fcell(fig, c, "reload_load", "requests", None)] for c in controlled]
        md.append(table(["contender", "status / ls ms", "reload ms", "reload exit status (per round)",
                         "wrk errors during the reload (socket errors + non-2xx)",
                         "requests answered during the reload run"], rows))
        md.append("")

    heads = {}
    for r in records:
        if r["kind"] == "head" and r["contender"] not in heads:
            heads[r["contender"]] = r
    if heads:
        md.append("## Response heads — the terms each contender serves on")
        md.append("")
        md.append("The status line and headers each contender sent (first round) to `GET / HTTP/1.1` with "
                  "keep-alive and with `Connection: close`, as bytes on the wire.")
        md.append("")
        for c in [c for c in contenders if c in heads]:
            md.append(f"**{c}**")
            md.append("")
            md.append("```")
            md.append("# keep-alive")
            md += heads[c]["keepalive_head"].split("\r\n")
            md.append("# Connection: close")
            md += heads[c]["close_head"].split("\r\n")
            md.append("```")
            md.append("")

    md.append("## Per-round req/s")
    md.append("")
    md.append("With the load average (1 min) read before each measured run: a round on a busier machine "
              "shows here. Contenders ran in a random order each round:")
    md.append("")
    for r in records:
        if r["kind"] == "order":
            md.append(f"- round {r['round']}: {r['order']}")
    md.append("")
    nrounds = max((r["round"] for r in records), default=0)
    rows = []
    for c in ok:
        row = [c]
        for kind in ("keepalive", "close"):
            per = dict(fig.rounds(c, kind, "rps"))
            row += [num(per.get(i)) for i in range(1, nrounds + 1)]
        loads = dict(fig.rounds(c, "load", "load1"))
        row += [num(loads.get(i), decimals=2) for i in range(1, nrounds + 1)]
        rows.append(row)
    md.append(table(["contender"] + [f"keep-alive r{i}" for i in range(1, nrounds + 1)]
                    + [f"close r{i}" for i in range(1, nrounds + 1)]
                    + [f"load r{i}" for i in range(1, nrounds + 1)], rows))
    md.append("")

    png_name = os.path.basename(args.png)
    title = f"req/s per contender, median of {rounds} round(s) — {settings.get('date', '')}, " \
            f"commit {settings.get('commit', '').split(' ')[0]} ({settings.get('mode', '')})"
    problem = chart(fig, ok, args.workdir, args.png, title)
    md.append("## Chart")
    md.append("")
    md.append(f"Chart not drawn: {problem}" if problem else f"![req/s per contender]({png_name})")
    md.append("")

    verdicts = targets(fig)
    met = sum(1 for _, _, m in verdicts if m)
    md.append("## Targets")
    md.append("")
    md.append(table(["target", "measured", "verdict"],
                    [[d, t, "met" if m else "not met"] for d, t, m in verdicts]))
    md.append("")
    md.append(f"targets: {met}/{len(verdicts)} met")
    md.append("")
    with open(args.markdown, "w") as f:
        f.write("\n".join(md))

    if problem:
        print(f"chart: {problem}", file=sys.stderr)
    for desc, text, m in verdicts:
        print(f"{desc}: {text} — {'met' if m else 'not met'}")
    print(f"targets: {met}/{len(verdicts)} met")


if __name__ == "__main__":
    main()
