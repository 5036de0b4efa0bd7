#!/usr/bin/env bash
# .ci/time-its.sh — how long chosen test classes take, from their own reports: for an A/B of a change to test time.
#
# Usage: .ci/time-its.sh [-C DIR] [-l LABEL] RESULTS_FILE MODULES CLASSES
#   -C DIR        the checkout to build and test (default: this one); e.g. a clone at the commit before the change
#   -l LABEL      a name for the run in the results (default: the checkout's short commit)
#   RESULTS_FILE  one line per class is appended: label, commit, load average before and after, class, seconds,
#                 tests, failures, errors, skipped
#   MODULES       the modules whose classes run (the reactor adds what they need: -am), e.g. reliability,jcluster-cli
#   CLASSES       failsafe's -Dit.test value, e.g. 'io.jcluster.reliability.GracefulIT,io.jcluster.cli.BadInputIT'
#
# Runs, in DIR: mvn -B -o verify -pl MODULES -am -Dtest=none -Dit.test=CLASSES (unit tests skipped, never install).
# Only the classes' own time is read (the build's is not): compare runs taken back to back, A/B alternating, at
# the same load; the load average is written with each line for that reason.
set -euo pipefail
dir=$(cd "$(dirname "$0")/.." && pwd)
label=""
while getopts "C:l:" o; do
    case "$o" in
        C) dir=$(cd "$OPTARG" && pwd) ;;
        l) label=$OPTARG ;;
        *) sed -n '2,14p' "$0" >&2; exit 2 ;;
    esac
done
shift $((OPTIND - 1))
[ $# -eq 3 ] || { sed -n '2,14p' "$0" >&2; exit 2; }
results=$(realpath -m "$1") modules=$2 classes=$3
commit=$(git -C "$dir" rev-parse --short HEAD)
[ -n "$label" ] || label=$commit
# Reports of an earlier run of these classes would be read as this run's: gone first.
for c in ${classes//,/ }; do
    find "$dir" -path '*/target/*-reports/*' \( -name "TEST-${c%%#*}.xml" -o -name "TEST-${c%%#*}\$*.xml" \) -delete
done
load_before=$(cut -d' ' -f1-3 /proc/loadavg)
status=0
(cd "$dir" && mvn -B -o -q verify -pl "$modules" -am -Dtest=none -Dsurefire.failIfNoSpecifiedTests=false \
    -Dit.test="$classes" -Dfailsafe.failIfNoSpecifiedTests=false) || status=$?
load_after=$(cut -d' ' -f1-3 /proc/loadavg)
python3 - "$dir" "$classes" "$label" "$commit" "$load_before" "$load_after" >>"$results" <<'PY'
import glob, os, sys, xml.etree.ElementTree as ET
root, classes, label, commit, before, after = sys.argv[1:]
for c in classes.split(','):
    name = c.split('#')[0].strip()
    # the class's report and any of its @Nested classes' ones, added up
    files = [f for pattern in ('TEST-' + name + '.xml', 'TEST-' + name + '$*.xml')
             for f in glob.glob(os.path.join(root, '**', 'target', '*-reports', pattern), recursive=True)]
    if not files:
        print(f"{label}\t{commit}\tload {before} / {after}\t{name}\tno report")
        continue
    suites = [ET.parse(f).getroot() for f in files]
    total = lambda key: sum(float(s.get(key) or 0) for s in suites)
    print(f"{label}\t{commit}\tload {before} / {after}\t{name}\t{total('time'):.1f} s\ttests {total('tests'):.0f}\t"
          f"failures {total('failures'):.0f}\terrors {total('errors'):.0f}\tskipped {total('skipped'):.0f}")
PY
tail -n "$(tr ',' '\n' <<<"$classes" | wc -l)" "$results"
exit "$status"
