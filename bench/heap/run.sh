#!/usr/bin/env bash
# bench/heap/run.sh — "smaller heaps and pauses" (README), measured: one JVM with heap H against `jcluster -i 2`
# with H/2 per worker (the same total heap), the same collector and the same other flags, the same app.
#
# The app: bench/heap/HeapApp.java (compiled here with javac against jcluster.jar), GET / allocates a few hundred kB
# of short-lived objects per request and reads through a bounded LRU cache that grows to tens of MB, then churns.
#   one-jvm     java LEAN GC -Xmx$H -Xlog:gc:… -cp jcluster.jar:CLASSES HeapApp P      (binds the port itself,
#               one event loop per CPU)
#   jcluster-2  bin/jcluster start --main-class HeapApp --classpath CLASSES -i 2 --jvm-args="GC -Xmx$((H/2)) -Xlog:gc:…"
#               -- P   (round-robin hand-off by the primary, one event loop per worker; each worker has its own cache)
# LEAN = the workers' default flags (ClusterSettings.LEAN_JVM_ARGS, as bench/run.sh lists them), given to the one JVM
# too, so that the heap's split is the only difference; GC = -XX:-UseSerialGC -XX:+Use<GC>GC (the workers' default is
# Serial; --gc Serial keeps it). The command lines, from /proc, are in the report.
# Before round 1 the one JVM is started, warmed up and its keep-alive max taken (wrk -t2 -c64): R. Each round then
# runs both contenders (random order, seeded): start, warm-up (wrk, not counted), its own keep-alive max (shown), then
# at fixed rates of 50% and 80% of R (bench/lib/OpenLoop.java, open loop, 64 connections): latency p50/p99/p99.9/max
# and, from each JVM's -Xlog:gc over that run, the GC pauses (count, total, longest) per JVM and for all; the peak
# PSS/RSS of the process tree. The load average is printed before each measurement.
# Results: bench/heap/results/STAMP.md (and .jsonl, every raw figure), STAMP = date-time-commit.
#
# Usage: bench/heap/run.sh [--heap 512m] [--gc G1|Serial|Parallel] [--rounds N] [--seconds S] [--warmup S]
#                          [--alloc-kb N] [--cache-mb N] [--rates 50,80] [--seed N] [--quick]
set -euo pipefail
NAME=heap
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
BENCH_DIR=$(dirname "$HERE")
ROOT=$(dirname "$BENCH_DIR")
# shellcheck source=../springboot/common.sh
source "$BENCH_DIR/springboot/common.sh"
HB=(python3 "$HERE/heapbench.py")

HEAP=512m GC=G1 ROUNDS=2 OPEN_SECONDS=10 WARMUP=8 ALLOC_KB=300 CACHE_MB=32 RATES=50,80 SEED=""
usage() { sed -n '/^# Usage:/,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; }
while [ $# -gt 0 ]; do
    case "$1" in
        --heap) HEAP=${2:?}; shift ;;
        --gc) GC=${2:?}; shift ;;
        --rounds) ROUNDS=${2:?}; shift ;;
        --seconds) OPEN_SECONDS=${2:?}; shift ;;
        --warmup) WARMUP=${2:?}; shift ;;
        --alloc-kb) ALLOC_KB=${2:?}; shift ;;
        --cache-mb) CACHE_MB=${2:?}; shift ;;
        --rates) RATES=${2:?}; shift ;;
        --seed) SEED=${2:?}; shift ;;
        --quick) ROUNDS=1 OPEN_SECONDS=3 WARMUP=3 ;;
        -h|--help) usage; exit 0 ;;
        *) echo "run.sh: unknown argument '$1'" >&2; usage >&2; exit 2 ;;
    esac
    shift
done
[[ "$HEAP" =~ ^([0-9]+)([mMgG])$ ]] || { echo "run.sh: --heap takes e.g. 512m or 2g" >&2; exit 2; }
HEAP_MB=${BASH_REMATCH[1]}
[[ "${BASH_REMATCH[2]}" =~ [gG] ]] && HEAP_MB=$((HEAP_MB * 1024))
HALF="$((HEAP_MB / 2))m"
case "$GC" in
    G1|Parallel) GC_FLAGS=(-XX:-UseSerialGC "-XX:+Use${GC}GC") ;;
    Serial) GC_FLAGS=(-XX:+UseSerialGC) ;;
    *) echo "run.sh: --gc takes G1, Serial or Parallel" >&2; exit 2 ;;
esac
for n in "$ROUNDS" "$OPEN_SECONDS" "$WARMUP" "$ALLOC_KB" "$CACHE_MB"; do
    [[ "$n" =~ ^[0-9]+$ && "$n" -gt 0 ]] || { echo "run.sh: '$n' is not a positive whole number" >&2; exit 2; }
done
: "${SEED:=$(( $(date +%s) % 32768 ))}"

# The workers' default flags (ClusterSettings.LEAN_JVM_ARGS; bench/run.sh lists the same for plain-netty-lean).
LEAN_FLAGS=(-XX:+UseSerialGC -XX:CompileThresholdScaling=0.5 -Xms8m -XX:MaxHeapFreeRatio=40 -XX:MinHeapFreeRatio=10
            -XX:CICompilerCount=2 -XX:ReservedCodeCacheSize=32m -Xss512k -XX:+ExitOnOutOfMemoryError
            -Dio.netty.jfr.enabled=false -XX:MaxInlineLevel=9 -XX:InlineSmallCode=1000)
if java -XX:+UnlockExperimentalVMOptions -XX:TrimNativeHeapInterval=5000 -version > /dev/null 2>&1; then
    LEAN_FLAGS+=(-XX:+UnlockExperimentalVMOptions -XX:TrimNativeHeapInterval=5000)
fi

make_work
need_tools
build_jcluster
compile_open_loop
CLASSES="$WORK/app"
mkdir -p "$CLASSES"
javac -nowarn -cp "$JAR" -d "$CLASSES" "$HERE/HeapApp.java" > "$WORK/javac-app.log" 2>&1 \
    || { cat "$WORK/javac-app.log" >&2; die "javac bench/heap/HeapApp.java failed"; }
PORT=$(free_port)
CLUSTER_NAME="bench-heap-$$"
export JCLUSTER_HOME="$WORK/jcluster-home"
OPEN_LOOP=(java -XX:+UseSerialGC -Xms64m -cp "$JAR:$OPEN_LOOP_CLASSES" OpenLoop "$PORT")

contender_command() {  # contender_command NAME GC_LOG_DIR: sets CMD and EXPECT
    local xlog="-Xlog:gc:file=$2/%p.log"
    case "$1" in
        one-jvm)    EXPECT=1
                    CMD=(java "${LEAN_FLAGS[@]}" "${GC_FLAGS[@]}" "-Xmx$HEAP" "$xlog" -cp "$JAR:$CLASSES" HeapApp
                         "$PORT" "$ALLOC_KB" "$CACHE_MB") ;;
        jcluster-2) EXPECT=2
                    CMD=("$ROOT/bin/jcluster" start --main-class HeapApp --classpath "$CLASSES" -i 2 --name "$CLUSTER_NAME"
                         "--jvm-args=${GC_FLAGS[*]} -Xmx$HALF $xlog" -- "$PORT" "$ALLOC_KB" "$CACHE_MB") ;;
    esac
}

launch() {             # launch CONTENDER ROUND: start it with a GC log directory of its own; ready
    local c=$1 r=$2
    GCDIR="$WORK/gc/$c.r$r"
    mkdir -p "$GCDIR"
    contender_command "$c" "$GCDIR"
    log "round $r: $c: ${CMD[*]}"
    start_server "$WORK/$c.r$r.log" "${CMD[@]}"
    wait_ready "$c" "$r" "$EXPECT" "$WORK/$c.r$r.log" || die "$c did not start (log: $WORK/$c.r$r.log)"
}

measure() {            # measure CONTENDER ROUND
    local c=$1 r=$2
    load_avg "$c" "$r"
    launch "$c" "$r"
    if [ "$r" = 1 ]; then
        local w
        for w in $PRIMARY $(descendants_of "$PRIMARY"); do
            [ "$(cat "/proc/$w/comm" 2>/dev/null)" = java ] || continue
            printf '%s\t%s\n' "$c" "$(tr '\0' ' ' < "/proc/$w/cmdline")" >> "$WORK/cmdlines.tsv"
        done
    fi
    log "  warm-up (not counted): wrk keep-alive ${WARMUP}s"
    wrk_run "$c" "$r" keepalive "$WARMUP"
    load_avg "$c" "$r"
    wrk_run "$c" "$r" keepalive 5 counted
    sample_start "$c" "$r"
    for pct in ${RATES//,/ }; do
        local rate=$(( MAX_RPS * pct / 100 ))
        load_avg "$c" "$r"
        "${HB[@]}" mark "$GCDIR" "$WORK/gc.mark"
        "${HB[@]}" openloop --record "$RECORDS" --round "$r" --contender "$c" --kind "open$pct" \
            -- "${OPEN_LOOP[@]}" "$rate" "${WRK_CONNECTIONS:-64}" "$OPEN_SECONDS" 1 | sed 's/^/    /'
        "${HB[@]}" window --record "$RECORDS" --round "$r" --contender "$c" --kind "gc$pct" "$GCDIR" "$WORK/gc.mark" \
            | sed 's/^/    /'
    done
    sample_stop
    # each pid's cache size now (a few answers: round-robin reaches both workers)
    local i body entries=""
    for i in 1 2 3 4; do
        body=$(curl -s --max-time 5 "http://127.0.0.1:$PORT/" || true)
        [[ "$body" =~ \"cached\":([0-9]+),\"pid\":([0-9]+) ]] && entries+="${BASH_REMATCH[2]}:${BASH_REMATCH[1]} "
    done
    entries=$(tr ' ' '\n' <<< "$entries" | sort -u | tr '\n' ' ')
    log "  cache entries (pid:entries): $entries"
    record_json "$c" "$r" cache "\"entries\": \"${entries% }\""
    stop_and_wait_port
}

STAMP="$(date -u +%Y%m%d-%H%M%S)-$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo nocommit)"
: > "$WORK/cmdlines.tsv"
log "$NAME: heap $HEAP (one JVM) against 2 x $HALF, $GC GC; $ROUNDS round(s); port $PORT; seed $SEED; work $WORK"

log "round 0 (not measured): the one JVM's keep-alive max, the rate base; a first start of the cluster"
load_avg one-jvm 0
launch one-jvm 0
wrk_run one-jvm 0 keepalive "$WARMUP"
load_avg one-jvm 0
wrk_run one-jvm 0 keepalive 5 counted
MAX_RPS=$(python3 -c 'import json, sys
v = [r["rps"] for r in map(json.loads, open(sys.argv[1])) if r["kind"] == "keepalive" and r["round"] == 0]
print(int(v[-1]))' "$RECORDS")
stop_and_wait_port
launch jcluster-2 0
stop_and_wait_port
log "the one JVM's max: $MAX_RPS req/s; fixed rates: $RATES % of it"
{
    machine_facts
    printf 'command\t%s\n' "bench/heap/run.sh${*:+ $*} (heap $HEAP against 2 x $HALF, $GC; rounds $ROUNDS; warm-up ${WARMUP}s; fixed-rate runs 1 s + ${OPEN_SECONDS}s; seed $SEED)"
    printf 'app\tHeapApp: %s kB of short-lived objects per request; an LRU cache of up to %s MB (1 kB values) per JVM\n' "$ALLOC_KB" "$CACHE_MB"
    printf 'java\t%s\n' "$(java -version 2>&1 | head -2 | tr '\n' ' ')"
    printf "one JVM's keep-alive max (round 0)\t%s req/s (wrk -t2 -c64, after a %ss warm-up); the fixed rates are %s %% of it\n" "$MAX_RPS" "$WARMUP" "$RATES"
} > "$WORK/meta.tsv"

for r in $(seq 1 "$ROUNDS"); do
    mapfile -t order < <(python3 -c 'import random, sys; n = sys.argv[3:]; random.Random(int(sys.argv[1]) * 100 + int(sys.argv[2])).shuffle(n); print("\n".join(n))' "$SEED" "$r" one-jvm jcluster-2)
    printf 'order, round %s\t%s\n' "$r" "${order[*]}" >> "$WORK/meta.tsv"
    for c in "${order[@]}"; do measure "$c" "$r"; done
done

mkdir -p "$HERE/results"
cp "$RECORDS" "$HERE/results/$STAMP.jsonl"
"${HB[@]}" report --work "$WORK" --out "$HERE/results/$STAMP.md"
log "results: bench/heap/results/$STAMP.md and .jsonl"
