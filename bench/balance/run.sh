#!/usr/bin/env bash
# bench/balance/run.sh: jcluster's --balance rr and least-connections, and Node's cluster (round-robin), under a load
# that makes round-robin uneven: a third of the connections held open and busy (GET /slow, which holds the
# worker's event loop), arriving every other connection, the rest short (GET /, a new connection each).
#   bench/balance/run.sh                       # 20 s measured per contender, results to bench/balance/results.md
#   bench/balance/run.sh --quick               # 8 s each
#   bench/balance/run.sh --only rr,least-connections --duration 30 --workers 2 --port 9100
# Each contender: warm-up (short requests), placement (long, short, long, short...), then the measured run;
# load.js prints where the long connections sit and the fast requests' p50/p99. For jcluster, /api/status (its
# admin endpoint, polled with curl while the load runs) gives each worker's open connections as the workers count them.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
duration=20 warmup=5 workers=2 port="" only="rr,least-connections,node-cluster" out="$here/results.md"
longs=6 shorts=12 slow_ms=20 think_ms=80
while [[ $# -gt 0 ]]; do
  case "$1" in
    --quick) duration=8 warmup=3 ;;
    --duration) duration="$2"; shift ;;
    --workers) workers="$2"; shift ;;
    --port) port="$2"; shift ;;
    --only) only="$2"; shift ;;
    --out) out="$2"; shift ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
  shift
done
command -v node >/dev/null || { echo "node is needed" >&2; exit 1; }
jar="$root/jcluster-cli/target/jcluster.jar"
[[ -f "$jar" ]] || (cd "$root" && mvn -B -q -DskipTests package -pl jcluster-cli -am)
# A free port below the ephemeral range (32768+): one from that range may be any client's local port a moment later,
# and the contenders bind every interface, which such a connection blocks.
free_port() {
  python3 -c '
import random, socket
for _ in range(200):
    p = random.randint(20000, 32000)
    s = socket.socket()
    try:
        s.bind(("0.0.0.0", p))
        print(p)
        break
    except OSError:
        pass
    finally:
        s.close()
else:
    raise SystemExit("no free port")'
}
fixed_port="$port"

tmp="$(mktemp -d -t jcluster-balance.XXXXXX)"
started=()
cleanup() {
  for p in "${started[@]}"; do [[ -n "$p" ]] && kill -TERM "$p" 2>/dev/null || true; done
  for p in "${started[@]}"; do [[ -n "$p" ]] && wait "$p" 2>/dev/null || true; done
  rm -rf "$tmp"
}
trap cleanup EXIT
export JCLUSTER_HOME="$tmp/home" JCLUSTER_CDS_DIR=off
javac -cp "$jar" -d "$tmp/classes" "$here/SlowApp.java"

await_line() { # FILE REGEX SECONDS PID
  for _ in $(seq 1 $(( $3 * 10 ))); do
    grep -qE "$2" "$1" && return 0
    kill -0 "$4" 2>/dev/null || break
    sleep 0.1
  done
  echo "no line /$2/ in $1 within $3 s:" >&2; tail -n 20 "$1" >&2; return 1
}

load() { # LABEL
  node "$here/load.js" --port "$port" --longs "$longs" --shorts "$shorts" --slow-ms "$slow_ms" \
    --think-ms "$think_ms" --duration "$duration" --warmup "$warmup" --label "$1"
}

rows=()
IFS=, read -ra contenders <<<"$only"
for c in "${contenders[@]}"; do
  # A port probed per contender (the machine is shared: one probed once may be taken by the next contender's turn).
  port="${fixed_port:-$(free_port)}"
  admin_port="$(free_port)"
  if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
    echo "port $port is taken" >&2; exit 1
  fi
  log="$tmp/$c.log"
  status_json="$tmp/$c.status.json"
  admin=""
  case "$c" in
    rr|least-connections|sticky)
      "$root/bin/jcluster" start --name "bal-$c" --instances "$workers" --classpath "$tmp/classes" --main-class SlowApp \
        --balance "$c" --drain-timeout 2s --admin "127.0.0.1:$admin_port" -- "$port" >"$log" 2>&1 &
      pid=$!; started+=("$pid")
      await_line "$log" "is up: $workers worker" 120 "$pid" || { rows+=("| jcluster --balance $c | failed to start (see above) | | | | | | | |"); continue; }
      admin="http://127.0.0.1:$admin_port/api/status"
      label="jcluster --balance $c" ;;
    node-cluster)
      node "$here/cluster.js" "$port" "$workers" >"$log" 2>&1 &
      pid=$!; started+=("$pid")
      await_line "$log" "node cluster up" 60 "$pid" || { rows+=("| node cluster | failed to start (see above) | | | | | | | |"); continue; }
      label="node cluster (rr)" ;;
    *) echo "unknown contender $c" >&2; exit 2 ;;
  esac
  echo "== $label" >&2
  load "$label" >"$tmp/$c.result" &
  loader=$!
  # Every second while it runs (jcluster): /api/status, the workers' own count of their open connections; the
  # sample with the most connections in all is kept (one of the measured phase, when every long one is open).
  best=-1
  while kill -0 "$loader" 2>/dev/null; do
    if [[ -n "$admin" ]] && curl -fs --max-time 2 "$admin" -o "$tmp/sample.json"; then
      total="$(python3 -c 'import json,sys; print(sum(w.get("connections",0) for w in json.load(open(sys.argv[1]))["workers"]))' "$tmp/sample.json")"
      if (( total > best )); then best=$total; cp "$tmp/sample.json" "$status_json"; fi
    fi
    sleep 1
  done
  wait "$loader"
  result="$(cat "$tmp/$c.result")"
  echo "$result" >&2
  kill -TERM "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  started=()
  rows+=("$(python3 - "$result" "$status_json" <<'PY'
import json, os, sys
r = json.loads(sys.argv[1])
def per(d):
    return " / ".join(str(v) for _, v in sorted(d.items(), key=lambda kv: -kv[1])) or "-"
conns = "-"
if os.path.exists(sys.argv[2]) and os.path.getsize(sys.argv[2]) > 0:
    s = json.load(open(sys.argv[2]))
    conns = " / ".join(str(w.get("connections")) for w in sorted(s["workers"], key=lambda w: -w.get("connections", 0)))
print(f"| {r['label']} | {per(r['longsPerPid'])} | {conns} | {per(r['fastPerPid'])} | {r['fastRequests']} "
      f"| {r['p50ms']} | {r['p99ms']} | {r['maxms']} | {r['errors'] + r['longErrors']} |")
PY
)")
done

{
  echo "## $(date -u '+%Y-%m-%d %H:%M UTC'): $workers workers, $(nproc) CPUs, load average $(cut -d' ' -f1-3 /proc/loadavg) at the end"
  echo
  echo "$longs long connections (GET /slow?ms=$slow_ms, then $think_ms ms idle, again), $shorts clients of short ones"
  echo "(GET /, a new connection each), ${duration} s measured after ${warmup} s of warm-up. Long connections per worker"
  echo "as the clients saw them; open connections per worker as the workers count them (jcluster's /api/status, the"
  echo "sample of the run with the most in all)."
  echo
  echo "| contender | long conns per worker | open conns per worker (/api/status) | fast requests per worker | fast requests | p50 ms | p99 ms | max ms | errors |"
  echo "|---|---|---|---|---|---|---|---|---|"
  printf '%s\n' "${rows[@]}"
  echo
} | tee -a "$out"
