#!/usr/bin/env python3
"""The Markdown report of one bench/springboot/run.sh run.

Inputs in --work: records.jsonl (probe.py's records; round 0 is the unmeasured first start), meta.tsv
(key<TAB>value), cmdlines.tsv (contender<TAB>a JVM's command line, from /proc). Every figure is the median over
the rounds, its ratio to the one JVM alone on the same JDK, and with two rounds or more its spread [min–max].
"""

import argparse
import json
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
from report import Figures, cell, command_lines, num, table  # noqa: E402  (bench/lib/report.py: medians, spreads, cells)

MB = 1024.0


def base_of(contender):
    return "alone-25" if contender.endswith("-25") else "alone"


def rows(fig, contenders):
    def line(label, kind, field, decimals=0, scale=1.0, inf=False):
        out = [label]
        for c in contenders:
            b = fig.median(base_of(c), kind, field, inf)
            out.append(cell(fig.median(c, kind, field, inf), b, decimals, scale, fig.spread(c, kind, field, inf)))
        return out

    table_rows = [
        line("start-up: launch → first 200 (ms)", "start", "first_ms"),
        line("start-up: launch → a 200 from every worker (ms)", "start", "ready_ms", inf=True),
        line("PSS idle, whole process tree (MB)", "rss_idle", "total_pss_kb", 1, MB),
        line("RSS idle, whole process tree (MB)", "rss_idle", "total_kb", 1, MB),
        line("PSS under load, peak, whole tree (MB)", "rss_load", "total_pss_kb", 1, MB),
        line("RSS under load, peak, whole tree (MB)", "rss_load", "total_kb", 1, MB),
        line("keep-alive req/s (wrk -t2 -c64)", "keepalive", "rps"),
        line("keep-alive p99 (ms)", "keepalive", "p99_ms", 2),
        line("keep-alive errors", "keepalive", "errors"),
        line("Connection: close req/s", "close", "rps"),
        line("Connection: close p99 (ms)", "close", "p99_ms", 2),
        line("Connection: close errors", "close", "errors"),
    ]
    for pct in (50, 80):
        kind = f"open{pct}"
        table_rows += [
            line(f"open loop at {pct}% of own max: rate (req/s)", kind, "rate"),
            line(f"open loop {pct}%: p50 (ms)", kind, "p50_ms", 2),
            line(f"open loop {pct}%: p99 (ms)", kind, "p99_ms", 2),
            line(f"open loop {pct}%: p99.9 (ms)", kind, "p999_ms", 2),
            line(f"open loop {pct}%: failed (errors + unanswered)", kind, "failed"),
        ]
    recover = ["kill -9 → a 200 from a new pid (ms); alone: kill → a plain restart's first 200"]
    for c in contenders:
        if c.startswith("alone"):
            v = fig.median(c + "/restart", "start", "first_ms")
            recover.append("down until restarted; restart: " + cell(v, None, 0, 1.0, fig.spread(c + "/restart", "start", "first_ms")))
        else:
            recover.append(cell(fig.median(c, "kill", "replaced_ms", True), None, 0, 1.0,
                                fig.spread(c, "kill", "replaced_ms", True)))
    table_rows.append(recover)
    table_rows.append(line("kill -9: failed probe requests meanwhile", "kill", "failed_probes"))
    return table_rows


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--work", required=True)
    parser.add_argument("--out", required=True)
    args = parser.parse_args()
    records = [json.loads(line) for line in open(os.path.join(args.work, "records.jsonl")) if line.strip()]
    for r in records:   # one figure for "requests that did not get an answer" in the open-loop runs
        if r["kind"] in ("open50", "open80") and "errors" in r:
            r["failed"] = (r.get("errors") or 0) + (r.get("unanswered") or 0)
    measured = [r for r in records if r["round"] >= 1]
    fig = Figures(measured)
    meta = [line.rstrip("\n").split("\t", 1) for line in open(os.path.join(args.work, "meta.tsv")) if "\t" in line]
    order = ["alone", "jcluster", "alone-25", "jcluster-25"]
    contenders = [c for c in order if any(r["contender"] == c for r in measured)]

    out = ["# Spring Boot alone against `jcluster start -i 2`", ""]
    out += [f"- **{k}**: {v}" for k, v in meta]
    out += ["", "Contenders: `alone` = `java -jar app-spring-boot.jar --server.port=P` (one JVM, the JVM's defaults); "
            "`jcluster` = `bin/jcluster start app-spring-boot.jar -i 2 -- --server.port=P` (the same jar, unmodified: "
            "jcluster's agent in each worker, the workers' lean flags, each worker's share of the memory as "
            "`-XX:MaxRAM`); `-25`: the same on JDK 25. Each cell: the median over the rounds, (its ratio to `alone` "
            "on the same JDK), [min–max over the rounds]. A difference inside the spread is not a result.", ""]
    out.append(table(["figure"] + [f"`{c}`" for c in contenders], rows(fig, contenders)))

    out += ["", "## Load average (1 min) before the measurements, per contender: min–max", ""]
    loads = []
    for c in contenders:
        values = [r["load1"] for r in measured if r["contender"] == c and r["kind"] == "load"]
        loads.append([f"`{c}`", f"{min(values):.2f}–{max(values):.2f}" if values else "—"])
    out.append(table(["contender", "load average"], loads))

    first = [r for r in records if r["round"] == 0 and r["kind"] == "start"]
    if first:
        out += ["", "## First start (round 0, not measured: cold page cache; bin/jcluster writes its class data archive)", ""]
        out.append(table(["contender", "first 200 (ms)", "200 from every worker (ms)"],
                         [[f"`{r['contender']}`", num(r["first_ms"]), num(r["ready_ms"])] for r in first]))

    heads = [r for r in records if r["kind"] == "head"]
    if heads:
        out += ["", "## Response heads (round 1), as received", ""]
        for r in heads:
            out.append(f"- `{r['contender']}` keep-alive: `{' | '.join(r['keepalive_head'].splitlines())}`")
            out.append(f"- `{r['contender']}` close: `{' | '.join(r['close_head'].splitlines())}`")

    out += command_lines(args.work)
    out += ["", "Raw records: the `.jsonl` file beside this one (round 0 is the unmeasured first start).", ""]
    with open(args.out, "w") as f:
        f.write("\n".join(out))
    print(table(["figure"] + contenders, rows(fig, contenders)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
