#!/usr/bin/env python3
"""Times control commands: wall (launch to exit) and CPU (user + sys of the process, from wait4) of each run.

Usage: timing.py --runs N --warmup N --seed S --records FILE LABEL=COMMAND [LABEL=COMMAND ...]
  COMMAND is a shell word list (shlex); LABEL names contender and command, e.g. after/status.
Every run of every command: the commands in a random order (seeded) each run, so A and B alternate and share the
machine's state; warm-up runs (the first writes a wrapper's class data archive) are not recorded. A run that exits
non-zero stops the timing with its output (a broken contender is no figure). One record per run (TSV): run, label,
wall_ms, cpu_ms, load1 (the 1-minute load average as the run started).
"""
import argparse
import os
import random
import shlex
import subprocess
import sys
import time


def one(cmd):
    start = time.perf_counter()
    p = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    out = p.stdout.read()
    _, status, usage = os.wait4(p.pid, 0)
    wall = (time.perf_counter() - start) * 1000
    p.returncode = os.waitstatus_to_exitcode(status)
    return wall, (usage.ru_utime + usage.ru_stime) * 1000, p.returncode, out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, required=True)
    ap.add_argument("--warmup", type=int, required=True)
    ap.add_argument("--seed", type=int, required=True)
    ap.add_argument("--records", required=True)
    ap.add_argument("commands", nargs="+")
    a = ap.parse_args()
    cmds = []
    for c in a.commands:
        label, _, line = c.partition("=")
        cmds.append((label, shlex.split(line)))
    rnd = random.Random(a.seed)
    with open(a.records, "w") as rec:
        rec.write("run\tlabel\twall_ms\tcpu_ms\tload1\n")
        for run in range(-a.warmup, a.runs):
            order = cmds[:]
            rnd.shuffle(order)
            for label, cmd in order:
                load1 = open("/proc/loadavg").read().split()[0]
                wall, cpu, code, out = one(cmd)
                if code != 0:
                    sys.stderr.write(f"timing.py: {label} ({shlex.join(cmd)}) exited {code}:\n"
                                     + out.decode(errors="replace"))
                    sys.exit(1)
                if run >= 0:
                    rec.write(f"{run + 1}\t{label}\t{wall:.1f}\t{cpu:.1f}\t{load1}\n")
            rec.flush()


if __name__ == "__main__":
    main()
