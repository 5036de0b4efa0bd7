#!/usr/bin/env bash
# bench/control/run.sh — how long a control command takes: `jcluster status NAME`, `status NAME --json` and `ls`
# against a running demo cluster (2 workers, its own registry, a probed free port, no admin endpoint), and `pm2 ls`
# against PM2 running a 2-instance cluster when --pm2 names a pm2 binary.
#
# Each contender is a jcluster wrapper (bin/jcluster of some checkout, LABEL=PATH); several are timed A/B: every run
# runs each contender's commands once, in a random order (seeded), so they share the machine's state. Each contender
# keeps its class data archives in a scratch directory of its own (JCLUSTER_CDS_DIR): the warm-up runs, not counted,
# write them, as a user's first run does. Wall time is from launch to exit; CPU is user + sys of the process.
# The 1-minute load average is recorded with every run: figures taken while the machine is busy are no quiet figures.
#
# Results: bench/control/results/STAMP.md (the table, the command line, java, commit, load) and STAMP.tsv (every run).
#
# Usage: bench/control/run.sh [--runs N] [--warmup N] [--seed N] [--jdk JAVA_HOME] [--pm2 PATH] [LABEL=WRAPPER ...]
#   default contender: current=bin/jcluster of this checkout; the cluster runs with the first contender's wrapper.
#   Example (A/B): bench/control/run.sh before=/tmp/old-checkout/bin/jcluster after=bin/jcluster
set -euo pipefail

DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$DIR/../.." && pwd)
COMMAND_LINE="bench/control/run.sh${*:+ $*}"
RUNS=20
WARMUP=3
SEED=$(( $(date +%s) % 32768 ))
JDK=""
PM2=""
CONTENDERS=()
usage() { sed -n '/^# Usage:/,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; }
while [ $# -gt 0 ]; do
    case "$1" in
        --runs) RUNS=${2:?}; shift ;;
        --warmup) WARMUP=${2:?}; shift ;;
        --seed) SEED=${2:?}; shift ;;
        --jdk) JDK=${2:?}; shift ;;
        --pm2) PM2=$(readlink -f "${2:?}"); shift ;;
        -h|--help) usage; exit 0 ;;
        *=*) CONTENDERS+=("$1") ;;
        *) echo "run.sh: unknown argument '$1'" >&2; usage >&2; exit 2 ;;
    esac
    shift
done
for n in "$RUNS" "$WARMUP" "$SEED"; do
    [[ "$n" =~ ^[0-9]+$ ]] || { echo "run.sh: '$n' is not a whole number" >&2; exit 2; }
done
(( RUNS > 0 && WARMUP > 0 )) || { echo "run.sh: --runs and --warmup must be at least 1" >&2; exit 2; }
[ ${#CONTENDERS[@]} -gt 0 ] || CONTENDERS=("current=$ROOT/bin/jcluster")
if [ -n "$JDK" ]; then
    [ -x "$JDK/bin/java" ] || { echo "run.sh: no $JDK/bin/java" >&2; exit 2; }
    export JAVA_HOME="$JDK" PATH="$JDK/bin:$PATH"
fi
declare -A WRAPPER
for c in "${CONTENDERS[@]}"; do
    label=${c%%=*}
    bin=$(readlink -f "${c#*=}")
    [[ "$label" =~ ^[A-Za-z0-9._-]+$ ]] || { echo "run.sh: bad label '$label'" >&2; exit 2; }
    [ -x "$bin" ] || { echo "run.sh: $label: $bin is not executable" >&2; exit 2; }
    [ -f "$(dirname "$bin")/../jcluster-cli/target/jcluster.jar" ] \
        || { echo "run.sh: $label: build its jar first (no jcluster-cli/target/jcluster.jar next to $bin)" >&2; exit 2; }
    WRAPPER[$label]=$bin
done
FIRST=${CONTENDERS[0]%%=*}

WORK=$(mktemp -d -t jcluster-control.XXXXXX)
export JCLUSTER_HOME="$WORK/home"
CLUSTER_PID=""
PM2_HOME=""
cleanup() {
    set +e
    if [ -n "$CLUSTER_PID" ] && kill -0 "$CLUSTER_PID" 2>/dev/null; then
        JCLUSTER_CDS_DIR=off timeout 30 "${WRAPPER[$FIRST]}" stop ctl >/dev/null 2>&1
        kill -KILL -- "-$CLUSTER_PID" 2>/dev/null
    fi
    if [ -n "$PM2_HOME" ]; then PM2_HOME="$PM2_HOME" timeout 30 "$PM2" kill >/dev/null 2>&1; fi
    rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

PORT=$(free_port)
echo "control: starting the demo cluster 'ctl' (2 workers, port $PORT) with $FIRST's wrapper; load: $(cut -d' ' -f1-3 /proc/loadavg)"
JCLUSTER_CDS_DIR=off setsid "${WRAPPER[$FIRST]}" demo --workers 2 --port "$PORT" --name ctl --admin off \
    > "$WORK/cluster.log" 2>&1 < /dev/null &
CLUSTER_PID=$!
for _ in $(seq 1 120); do
    if JCLUSTER_CDS_DIR=off "${WRAPPER[$FIRST]}" status ctl 2>/dev/null | grep -q 'workers 2/2'; then break; fi
    kill -0 "$CLUSTER_PID" 2>/dev/null || { cat "$WORK/cluster.log" >&2; echo "run.sh: the cluster died" >&2; exit 1; }
    sleep 0.5
done
JCLUSTER_CDS_DIR=off "${WRAPPER[$FIRST]}" status ctl | grep -q 'workers 2/2' \
    || { cat "$WORK/cluster.log" >&2; echo "run.sh: the cluster did not start in 60 s" >&2; exit 1; }

TIMED=()
for c in "${CONTENDERS[@]}"; do
    label=${c%%=*}
    mkdir -p "$WORK/cds-$label"
    run=(env "JCLUSTER_CDS_DIR=$WORK/cds-$label" "${WRAPPER[$label]}")
    TIMED+=("$label/status=${run[*]@Q} status ctl" "$label/status-json=${run[*]@Q} status ctl --json"
            "$label/ls=${run[*]@Q} ls")
done
PM2_VERSION=""
if [ -n "$PM2" ]; then
    PM2_HOME="$WORK/pm2-home"
    export PM2_HOME
    cat > "$WORK/app.js" <<'JS'
require('http').createServer((q, s) => s.end('hello')).listen(Number(process.env.PORT));
JS
    PORT=$(free_port) "$PM2" start "$WORK/app.js" -i 2 --name ctl > "$WORK/pm2.log" 2>&1 \
        || { cat "$WORK/pm2.log" >&2; echo "run.sh: pm2 start failed" >&2; exit 1; }
    PM2_VERSION=$("$PM2" --version 2>/dev/null | tail -1)
    TIMED+=("pm2/ls=${PM2@Q} ls")
fi

STAMP=$(date -u +%Y%m%d-%H%M%S)
mkdir -p "$DIR/results"
RECORDS="$DIR/results/$STAMP.tsv"
LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
echo "control: timing ${#TIMED[@]} commands, $RUNS runs each after $WARMUP warm-up runs (seed $SEED); load: $LOAD_BEFORE"
python3 "$DIR/timing.py" --runs "$RUNS" --warmup "$WARMUP" --seed "$SEED" --records "$RECORDS" "${TIMED[@]}"
LOAD_AFTER=$(cut -d' ' -f1-3 /proc/loadavg)
{
    echo "# Control commands: wall and CPU time ($STAMP UTC)"
    echo
    echo "- command line: \`$COMMAND_LINE\`"
    echo "- commit: $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null)$( [ -n "$(git -C "$ROOT" status --porcelain 2>/dev/null)" ] && echo ' (work tree has uncommitted changes)')"
    echo "- java: $(java -version 2>&1 | head -1); $(nproc) CPUs"
    for c in "${CONTENDERS[@]}"; do echo "- contender ${c%%=*}: ${WRAPPER[${c%%=*}]}"; done
    [ -n "$PM2" ] && echo "- pm2 $PM2_VERSION: \`pm2 ls\` with a 2-instance cluster (node $(node --version))"
    echo "- $RUNS runs each after $WARMUP warm-up runs, in a random order each run (seed $SEED)"
    echo "- load average (1, 5, 15 min) before: $LOAD_BEFORE; after: $LOAD_AFTER"
    echo "- every run: $STAMP.tsv"
    echo
    python3 "$DIR/report.py" "$RECORDS"
} > "$DIR/results/$STAMP.md"
cat "$DIR/results/$STAMP.md"
