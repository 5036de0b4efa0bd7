#!/usr/bin/env bash
# Hot spares: kill -9 -> first new connection served by the successor: --spares 1 (warm-up on), --spares 1 with the HTTP warm-up off, and no spare (the restart
# policy's new JVM). Usage: bench/spares/run.sh [--kills N] [--port P]   (results: bench/spares/results/)
set -euo pipefail
cd "$(dirname "$0")/../.."
kills=5
port=""
while [ $# -gt 0 ]; do
  case "$1" in
    --kills) kills="$2"; shift 2 ;;
    --port) port="$2"; shift 2 ;;
    *) echo "usage: $0 [--kills N] [--port P]" >&2; exit 2 ;;
  esac
done
[ -f jcluster-cli/target/jcluster.jar ] || mvn -B -q -DskipTests package
[ -f examples/hello/target/jcluster-example-hello-0.1.0-SNAPSHOT.jar ] || mvn -B -q -DskipTests package
if [ -z "$port" ]; then
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
fi
mkdir -p bench/spares/results
stamp=$(date -u +%Y%m%d-%H%M%S)-$(git rev-parse --short HEAD)
out=bench/spares/results/$stamp.jsonl
echo "nproc $(nproc), load $(cut -d' ' -f1-3 /proc/loadavg), port $port" >&2
python3 bench/spares/failover.py --spares 1 --kills "$kills" --port "$port" --out "$out"
python3 bench/spares/failover.py --spares 1 --cold --kills "$kills" --port "$port" --out "$out"
python3 bench/spares/failover.py --spares 0 --kills "$kills" --port "$port" --out "$out"
python3 - "$out" > "bench/spares/results/$stamp.md" <<'PY'
import json, statistics, sys
recs = [json.loads(l) for l in open(sys.argv[1])]
print("# kill -9 -> first new connection served by the successor\n")
def cell(v):
    return "-" if not v else "%.0f / %.0f / %.0f" % (statistics.median(v), min(v), max(v))
print("| spares | warm-up | kills | kill -> promoted in the primary, ms (median / min / max) | kill -> first response from the successor, ms | failed on new connections | failed in flight at the kill | load1 |")
print("|---|---|---|---|---|---|---|---|")
for k, warm in sorted({(r["spares"], r.get("warm", False)) for r in recs}, reverse=True):
    rs = [r for r in recs if r["spares"] == k and r.get("warm", False) == warm]
    first = [r["first_ms"] for r in rs if r["first_ms"] is not None]
    prom = [r["promoted_ms"] for r in rs if r.get("promoted_ms") is not None]
    print("| %d | %s | %d | %s | %s | %d | %d | %.1f |" % (k, "on" if warm else "off", len(rs), cell(prom), cell(first),
          sum(r["failed_new"] for r in rs), sum(r["failed_inflight"] for r in rs),
          statistics.mean(r["load1"] for r in rs)))
errs = sorted({e for r in recs for e in r["errors"]})
if errs:
    print("\nErrors seen: " + "; ".join(errs))
PY
cat "bench/spares/results/$stamp.md"
