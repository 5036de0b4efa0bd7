#!/usr/bin/env bash
# Reproduces FINDINGS.md F2: `jcluster reload` of an unmodified (agent) app never ends: it replaces its own
# replacements, one after another, until the client's timeout. Needs frameworks/apps/jdk-http built.
#   repro/reload-agent-loops.sh [--kill-first]
# Prints the reload's exit code and how many workers it replaced within 60 s (2 expected; exit 0 expected).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"; root="$(cd "$here/../.." && pwd)"
jar="$here/../apps/jdk-http/target/app-jdk-http.jar"
export JCLUSTER_HOME="$(mktemp -d)" JCLUSTER_CDS_DIR=off
port=$(python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])')
log="$JCLUSTER_HOME/primary.log"
"$root/bin/jcluster" start "$jar" --name loop -i 2 -- --port "$port" >"$log" 2>&1 &
primary=$!
trap 'kill -9 $primary 2>/dev/null || true' EXIT
for _ in $(seq 1 600); do grep -q "is up" "$log" && break; sleep 0.1; done
if [[ "${1:-}" == --kill-first ]]; then
  victim=$(curl -s "http://127.0.0.1:$port/" | sed 's/.*"pid":\([0-9]*\).*/\1/'); kill -9 "$victim"
  for _ in $(seq 1 600); do grep -q "restarts worker slot" "$log" && break; sleep 0.1; done
  sleep 3
fi
(sleep 30; echo "status during the reload:"; "$root/bin/jcluster" status loop 2>&1 | head -8) &
status_job=$!
rc=0; timeout 60 "$root/bin/jcluster" reload loop >/dev/null 2>&1 || rc=$?
wait $status_job || true
echo "reload exit: $rc (124 = still running after 60 s)"
echo "workers replaced: $(grep -c 'in a reload' "$log")"
grep "in a reload\|reload" "$log" | head -8
"$root/bin/jcluster" stop loop >/dev/null 2>&1 || true
wait $primary || true
