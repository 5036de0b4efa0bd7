#!/usr/bin/env bash
# Adaptive size: the hello example under `jcluster start --instances MIN..MAX`, wrk at rising then falling connection
# counts; every second the workers serving (from `jcluster status --json`) are recorded, per step wrk's req/s and
# errors. Usage: bench/adaptive/run.sh [--range 1..4] [--step S] [--steps "1 4 16 64 128 16 0"] [--port P]
# The primary's thresholds and windows can be changed with JAVA_OPTS, e.g.
#   JAVA_OPTS="-Djcluster.adaptive.upCpu=40 -Djcluster.adaptive.upWindow=3s -Djcluster.adaptive.downWindow=10s"
# Results: bench/adaptive/results/STAMP.{tsv,md}
set -euo pipefail
cd "$(dirname "$0")/../.."
range=1..4
step=20
steps="1 4 16 64 128 16 0 0"
port=""
while [ $# -gt 0 ]; do
  case "$1" in
    --range) range="$2"; shift 2 ;;
    --step) step="$2"; shift 2 ;;
    --steps) steps="$2"; shift 2 ;;
    --port) port="$2"; shift 2 ;;
    *) echo "usage: $0 [--range MIN..MAX] [--step SECONDS] [--steps \"C1 C2 ...\"] [--port P]" >&2; exit 2 ;;
  esac
done
command -v wrk >/dev/null || { echo "wrk is needed (apt-get install -y wrk)" >&2; exit 1; }
[ -f jcluster-cli/target/jcluster.jar ] || mvn -B -q -DskipTests package
hello=examples/hello/target/jcluster-example-hello-0.1.0-SNAPSHOT.jar
[ -f "$hello" ] || mvn -B -q -DskipTests package
if [ -z "$port" ]; then
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
fi
export JAVA_OPTS="${JAVA_OPTS:--Djcluster.adaptive.upCpu=40 -Djcluster.adaptive.upWindow=3s -Djcluster.adaptive.downWindow=10s}"
export JCLUSTER_HOME=$(mktemp -d /tmp/jcluster-bench-adaptive.XXXXXX)
mkdir -p bench/adaptive/results
stamp=$(date -u +%Y%m%d-%H%M%S)-$(git rev-parse --short HEAD 2>/dev/null || echo snapshot)
tsv=bench/adaptive/results/$stamp.tsv
md=bench/adaptive/results/$stamp.md
log=$JCLUSTER_HOME/primary.log
admin=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
bin/jcluster start --name ramp --instances "$range" --admin "127.0.0.1:$admin" --classpath "$hello" \
  --main-class io.jcluster.examples.hello.HelloApp -- --port "$port" --host 127.0.0.1 >"$log" 2>&1 &
primary=$!
cleanup() {
  bin/jcluster stop ramp >/dev/null 2>&1 || kill "$primary" 2>/dev/null || true
  wait "$primary" 2>/dev/null || true
}
trap cleanup EXIT
for _ in $(seq 1 600); do grep -q " is up: " "$log" && break; sleep 0.2; done
grep -q " is up: " "$log" || { cat "$log"; exit 1; }
# The workers serving now: the sampler's last line.
serving() { tail -n 1 "$tsv" 2>/dev/null | cut -f3 || true; }
: >"$tsv"
echo 0 >"$JCLUSTER_HOME/connections"
# One sampler process, once a second, until the primary is gone: seconds, wrk's connections, workers serving.
python3 - "$admin" "$JCLUSTER_HOME/connections" "$tsv" "$primary" <<'PY' &
import json, os, sys, time, urllib.request
admin, conns, tsv, primary = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
t0 = time.time()
with open(tsv, "w") as out:
    out.write("second\tconnections\tserving\n")
    while True:
        try:
            os.kill(primary, 0)
        except OSError:
            break
        try:
            s = json.load(urllib.request.urlopen("http://127.0.0.1:%s/api/status" % admin, timeout=5))
            n = sum(1 for w in s["workers"] if w["state"] == "listening" and "leaving" not in w and not w.get("spare"))
        except Exception:
            n = "?"
        out.write("%d\t%s\t%s\n" % (time.time() - t0, open(conns).read().strip(), n))
        out.flush()
        time.sleep(max(0.0, 1 - (time.time() - t0) % 1))
PY
sampler=$!
{
  echo "# adaptive size: --instances $range, wrk ramp"
  echo
  echo "nproc $(nproc), load at start $(cut -d' ' -f1-3 /proc/loadavg); JAVA_OPTS: $JAVA_OPTS; $step s per step"
  echo
  echo "| step | connections | req/s | errors (socket + non-2xx) | serving at start | serving at end |"
  echo "|---|---|---|---|---|---|"
} >"$md"
i=0
for c in $steps; do
  i=$((i + 1))
  start_n=$(serving)
  if [ "$c" -gt 0 ]; then
    wrk -t "$(( c < 2 ? c : 2 ))" -c "$c" -d "${step}s" "http://127.0.0.1:$port/" >"$JCLUSTER_HOME/wrk.$i" 2>&1 &
    w=$!
  else
    w=""
  fi
  echo "$c" >"$JCLUSTER_HOME/connections"
  if [ -n "$w" ]; then wait "$w" || true; else sleep "$step"; fi
  end_n=$(serving)
  if [ -n "$w" ]; then
    rps=$(awk '/Requests\/sec/ {print $2}' "$JCLUSTER_HOME/wrk.$i")
    errs=$(awk '/Socket errors/ {gsub(",",""); n+=$4+$6+$8+$10} /Non-2xx/ {n+=$NF} END {print n+0}' "$JCLUSTER_HOME/wrk.$i")
  else
    rps=-; errs=0
  fi
  echo "| $i | $c | $rps | $errs | $start_n | $end_n |" >>"$md"
done
{
  echo
  echo "Decisions (the primary's log):"
  echo
  echo '```'
  grep -E "adaptive: |scale: " "$log" | sed -E 's/^[0-9T:.Z-]+ //' || true
  echo '```'
} >>"$md"
cat "$md"
