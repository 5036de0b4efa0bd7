#!/usr/bin/env python3
"""The Markdown table of timing.py's records: per label, the median, min and max of wall and CPU time (ms), and the
1-minute load average seen over its runs. Usage: report.py RECORDS.tsv"""
import statistics
import sys
from collections import defaultdict

rows = defaultdict(list)
with open(sys.argv[1]) as f:
    next(f)
    for line in f:
        run, label, wall, cpu, load1 = line.rstrip("\n").split("\t")
        rows[label].append((float(wall), float(cpu), float(load1)))

print("| contender/command | runs | wall median (ms) | wall min–max | CPU median (ms) | CPU min–max | load1 min–max |")
print("|---|---:|---:|---:|---:|---:|---:|")
for label in sorted(rows):
    r = rows[label]
    wall = [x[0] for x in r]
    cpu = [x[1] for x in r]
    load = [x[2] for x in r]
    print(f"| {label} | {len(r)} | {statistics.median(wall):.0f} | {min(wall):.0f}–{max(wall):.0f} "
          f"| {statistics.median(cpu):.0f} | {min(cpu):.0f}–{max(cpu):.0f} | {min(load):.2f}–{max(load):.2f} |")
