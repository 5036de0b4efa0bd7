#!/usr/bin/env bash
# bench/run.sh — jcluster against the seed's Node.js cluster, and against plain Netty.
#
# What it measures, per contender, on 127.0.0.1 (one contender at a time, all on the same port):
#   - throughput and latency: a warm-up that is not counted, then `wrk --latency` with keep-alive and
#     with `Connection: close` (every request a new connection: accept and hand-off); req/s, p50, p99,
#     errors (socket errors + non-2xx);
#   - the terms: each contender's response head (keep-alive and Connection: close), printed in the report;
#   - memory: VmRSS and PSS (smaps_rollup) of the primary and of each worker (its descendants), and the whole
#     cluster's totals, at idle and under load (peak);
#   - start-up: from launch to the first HTTP 200, and to a 200 from every worker (distinct pids in the
#     bodies, polled with bursts of concurrent one-shot requests);
#   - recovery: from `kill -9` of a worker to a 200 from a worker pid never seen before;
#   - latency at a fixed rate (open loop, bench/lib/OpenLoop.java) at 50% and 80% of the keep-alive req/s
#     (full runs, or --open-loop);
#   - control (jcluster-rr, jcluster-rr-25, pm2): `jcluster status` / `pm2 ls` time, and a rolling reload
#     under keep-alive load (wrk -c16): its time and the requests that failed.
# Rounds interleave the contenders (round 1: all, round 2: all, ...), each round in a random order (seeded);
# the load average is printed before each measurement; every figure is the median over the rounds, shown
# with its ratio to node-cluster from the same run and its spread over the rounds [min–max]. The report (Markdown + PNG chart)
# goes to bench/results/<date>-<time>-<commit>[-quick].md, copied to bench/results/latest.md; the
# targets are printed each as met / not met, then "targets: K/M met".
#
# Contenders: node-single, node-cluster, node-cluster-refork, node-http-cluster, pm2 (bench/node/; NODE_ENV=
# production), jcluster-single, jcluster-rr, jcluster-rr-25 (JDK 25), jcluster-none (bin/jcluster demo),
# plain-netty and plain-netty-lean (the workers' lean flags) (bench/baseline/PlainNetty.java).
#
# Installs what is missing: wrk and gnuplot-nox (apt-get), express@4 (npm ci in bench/node), the jar
# (mvn package); pm2@7 into the run's scratch directory (never global) when pm2 is selected. Exits 0 whatever the targets; non-zero only when the harness broke (bad arguments, the
# port in use, a contender that failed to start or died), after saying which and why. Everything it
# starts runs in its own process group and is killed on exit, error or interrupt.
#
# Usage: bench/run.sh [--quick] [--only NAME,NAME] [--port N] [--rounds N] [--duration S] [--warmup S]
#                     [--threads N] [--connections N] [--seed N] [--open-loop|--no-open-loop]
#        env JCLUSTER_JAR=PATH benchmarks that jar instead of jcluster-cli/target/jcluster.jar
set -euo pipefail

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(dirname "$BENCH_DIR")
DEFAULT_JAR="$ROOT/jcluster-cli/target/jcluster.jar"
JAR=${JCLUSTER_JAR:-$DEFAULT_JAR}   # env JCLUSTER_JAR: benchmark another build of the jar
# jcluster runs as users run it: bin/jcluster (the primary's lean flags and AppCDS); another build's jar
# runs with plain `java -jar`.
if [ "$JAR" = "$DEFAULT_JAR" ]; then JCLUSTER=("$ROOT/bin/jcluster"); else JCLUSTER=(java -jar "$JAR"); fi
PROBE=(python3 "$BENCH_DIR/lib/probe.py")
ALL_CONTENDERS=(node-single node-cluster node-cluster-refork node-http-cluster pm2 jcluster-single jcluster-rr
                jcluster-rr-25 jcluster-none plain-netty plain-netty-lean)
CLUSTERS=" node-cluster node-cluster-refork node-http-cluster pm2 jcluster-rr jcluster-rr-25 jcluster-none "   # kill -9
CONTROLLED=" pm2 jcluster-rr jcluster-rr-25 "   # control commands timed (status / pm2 ls) and a reload under load
JDK25_HOME=${JDK25_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}   # jcluster-rr-25: bin/jcluster with this java on PATH
PM2_VERSION=7
PM2_INSTANCES=2

COMMAND_LINE="bench/run.sh${*:+ $*}"
PORT=8000
QUICK=0
ONLY=""
ROUNDS="" DURATION="" WARMUP=""
WRK_THREADS=2
WRK_CONNECTIONS=64
READY_DEADLINE=60      # s from launch to the first 200
READY_GRACE=10         # s from the first 200 for the other workers to answer
STOP_DEADLINE=10       # s for a stopped contender to exit and free the port
WORKERS=$(nproc)
OPEN_LOOP=""           # latency at 50% and 80% of each contender's max, open loop: full runs (or --open-loop)
SEED=""                # the seed of each round's random order of contenders (printed, --seed to repeat it)

usage() {
    sed -n '/^# Usage:/,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'
    echo "Contenders: ${ALL_CONTENDERS[*]}"
}

while [ $# -gt 0 ]; do
    case "$1" in
        --quick) QUICK=1 ;;
        --only) ONLY=${2:?--only needs a list}; shift ;;
        --only=*) ONLY=${1#*=} ;;
        --port) PORT=${2:?--port needs a number}; shift ;;
        --port=*) PORT=${1#*=} ;;
        --rounds) ROUNDS=${2:?}; shift ;;
        --duration) DURATION=${2:?}; shift ;;
        --warmup) WARMUP=${2:?}; shift ;;
        --threads) WRK_THREADS=${2:?}; shift ;;
        --connections) WRK_CONNECTIONS=${2:?}; shift ;;
        --seed) SEED=${2:?}; shift ;;
        --open-loop) OPEN_LOOP=1 ;;
        --no-open-loop) OPEN_LOOP=0 ;;
        -h|--help) usage; exit 0 ;;
        *) echo "run.sh: unknown argument '$1'" >&2; usage >&2; exit 2 ;;
    esac
    shift
done

if [ "$QUICK" = 1 ]; then
    MODE=quick; : "${ROUNDS:=1}" "${DURATION:=2}" "${WARMUP:=1}" "${OPEN_LOOP:=0}"; KILL_DEADLINE=1.5
else
    MODE=full; : "${ROUNDS:=3}" "${DURATION:=5}" "${WARMUP:=6}" "${OPEN_LOOP:=1}"; KILL_DEADLINE=3
fi
: "${SEED:=$(( $(date +%s) % 32768 ))}"
[[ "$SEED" =~ ^[0-9]+$ ]] || { echo "run.sh: --seed '$SEED' is not a whole number" >&2; exit 2; }
for n in "$PORT" "$ROUNDS" "$DURATION" "$WARMUP" "$WRK_THREADS" "$WRK_CONNECTIONS"; do
    [[ "$n" =~ ^[0-9]+$ && "$n" -gt 0 ]] || { echo "run.sh: '$n' is not a positive whole number" >&2; exit 2; }
done
RELOAD_SECONDS=60        # longest a reload under load may take before it counts as stuck

CONTENDERS=()
if [ -n "$ONLY" ]; then
    IFS=, read -r -a wanted <<< "$ONLY"
    for name in "${wanted[@]}"; do
        [[ " ${ALL_CONTENDERS[*]} " == *" $name "* ]] \
            || { echo "run.sh: unknown contender '$name' (known: ${ALL_CONTENDERS[*]})" >&2; exit 2; }
    done
    for name in "${ALL_CONTENDERS[@]}"; do   # keep the canonical order
        if [[ ",$ONLY," == *",$name,"* ]]; then CONTENDERS+=("$name"); fi
    done
else
    CONTENDERS=("${ALL_CONTENDERS[@]}")
fi

# ------------------------------------------------------------------------------ state and cleanup
exec 3>&1 4>&2         # the terminal, for the traps: they run inside whatever redirection was active
WORK=""               # the run's scratch directory (logs, wrk output, records), made once the port is free
RECORDS=""
declare -A STATUS REASON
SERVER_PID=""          # process group (and pid) of the running contender
SERVER_DESC=""         # its descendants seen so far, in case one left the group
PRIMARY=""             # the contender's primary (the workers' parent): SERVER_PID, except PM2's daemon
DAEMON_GROUP=""        # PM2's daemon runs in a session of its own even with --no-daemon: its process group
CHILD=""               # the foreground helper (wrk, probe, mvn, ...) we are waiting for
CHILD_WRK=""           # wrk running in the background during a reload
SAMPLER=""             # the RSS sampler running beside wrk
HARNESS_ERRORS=0

log() { printf '[%s] %s\n' "$(date +%H:%M:%S)" "$*"; }

descendants_of() {     # every descendant pid of $1, recursively
    local kid
    for kid in $(pgrep -P "$1" 2>/dev/null); do
        echo "$kid"
        descendants_of "$kid"
    done
}

stop_server() {
    [ -n "$SERVER_PID" ] || return 0
    local pid=$SERVER_PID pids deadline
    pids="$SERVER_DESC $(descendants_of "$pid" | tr '\n' ' ')"
    kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true
    deadline=$((SECONDS + STOP_DEADLINE / 2))
    while pgrep -g "$pid" > /dev/null 2>&1 && [ $SECONDS -lt $deadline ]; do sleep 0.1; done
    kill -KILL -- "-$pid" 2>/dev/null || true
    for p in $pids; do kill -KILL "$p" 2>/dev/null || true; done
    wait "$pid" 2>/dev/null || true
    if [ -n "$DAEMON_GROUP" ]; then
        kill -TERM -- "-$DAEMON_GROUP" 2>/dev/null || true
        deadline=$((SECONDS + STOP_DEADLINE / 2))
        while pgrep -g "$DAEMON_GROUP" > /dev/null 2>&1 && [ $SECONDS -lt $deadline ]; do sleep 0.1; done
        kill -KILL -- "-$DAEMON_GROUP" 2>/dev/null || true
    fi
    SERVER_PID="" SERVER_DESC="" PRIMARY="" DAEMON_GROUP=""
}

cleanup() {
    local rc=$?
    trap - EXIT INT TERM
    [ -n "$CHILD" ] && kill -TERM "$CHILD" 2>/dev/null
    [ -n "$CHILD_WRK" ] && kill -TERM "$CHILD_WRK" 2>/dev/null
    [ -n "$SAMPLER" ] && kill -TERM "$SAMPLER" 2>/dev/null
    stop_server
    if [ -n "$WORK" ]; then
        if [ "$rc" = 0 ]; then rm -rf "$WORK"; else echo "run.sh: work files kept in $WORK" >&4; fi
    fi
    exit "$rc"
}
trap cleanup EXIT
trap 'echo >&3; log "interrupted" >&3; exit 130' INT TERM

# Run a helper in the background and wait for it, so that INT/TERM are handled at once.
# (Not in a pipeline or $(...): there it would run in a subshell that the traps cannot see.)
run() { "$@" 3>&- 4>&- & CHILD=$!; local rc=0; wait "$CHILD" || rc=$?; CHILD=""; return "$rc"; }

fail_contender() {     # fail_contender NAME REASON
    STATUS[$1]=failed
    REASON[$1]=$2
    HARNESS_ERRORS=$((HARNESS_ERRORS + 1))
    log "FAILED $1: $2"
}

port_in_use() { [ -n "$(ss -Htln "sport = :$1" 2>/dev/null)" ]; }

port_owner() { ss -Htlnp "sport = :$1" 2>/dev/null | grep -o 'users:.*' | head -1; }

wait_port_free() {
    local deadline=$((SECONDS + STOP_DEADLINE))
    while port_in_use "$PORT"; do
        [ $SECONDS -lt $deadline ] || return 1
        sleep 0.1
    done
}

# ------------------------------------------------------------------------------------ installation
install_tools() {
    local missing=()
    command -v wrk > /dev/null || missing+=(wrk)
    command -v gnuplot > /dev/null || missing+=(gnuplot-nox)
    command -v ss > /dev/null || missing+=(iproute2)
    command -v pgrep > /dev/null || missing+=(procps)
    command -v curl > /dev/null || missing+=(curl)
    if [ ${#missing[@]} -gt 0 ]; then
        log "installing ${missing[*]} (apt-get)"
        if ! { run timeout 600 apt-get update -qq > "$WORK/apt.log" 2>&1 &&
               run timeout 600 env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" \
                   >> "$WORK/apt.log" 2>&1; }; then
            tail -20 "$WORK/apt.log" >&2
            echo "run.sh: could not install ${missing[*]}" >&2
            exit 3
        fi
    fi
    for tool in python3 node npm java; do
        command -v "$tool" > /dev/null || { echo "run.sh: $tool is required and missing" >&2; exit 3; }
    done
}

needs() {              # needs PATTERN: some selected contender matches the glob
    local n
    # shellcheck disable=SC2053  # $1 is a glob on purpose
    for n in "${CONTENDERS[@]}"; do [[ "$n" == $1 ]] && return 0; done
    return 1
}

install_node() {
    [ -d "$BENCH_DIR/node/node_modules/express" ] && return 0
    log "installing express@4 in bench/node (npm ci)"
    run timeout 600 env -C "$BENCH_DIR/node" npm ci --no-audit --no-fund > "$WORK/npm.log" 2>&1 \
        || { tail -20 "$WORK/npm.log" >&2; echo "run.sh: npm ci in bench/node failed" >&2; exit 3; }
}

PM2=""
PM2_HOME=""
install_pm2() {        # PM2 into the run's scratch directory (never global), its state there too
    PM2_HOME="$WORK/pm2-home"
    mkdir -p "$WORK/pm2" "$PM2_HOME"
    log "installing pm2@$PM2_VERSION into $WORK/pm2 (npm, not global)"
    if ! run timeout 600 npm install --prefix "$WORK/pm2" --no-audit --no-fund --no-save "pm2@$PM2_VERSION" \
            > "$WORK/pm2-npm.log" 2>&1; then
        tail -20 "$WORK/pm2-npm.log" >&2
        PM2_PROBLEM="npm install pm2@$PM2_VERSION failed (its output: $WORK/pm2-npm.log)"
        return 1
    fi
    PM2="$WORK/pm2/node_modules/.bin/pm2"
}

compile_baseline() {   # PlainNetty.java -> classes, once per run (javac against the jar's Netty)
    BASELINE_CLASSES="$WORK/baseline"
    mkdir -p "$BASELINE_CLASSES"
    run javac -nowarn -cp "$JAR" -d "$BASELINE_CLASSES" "$BENCH_DIR/baseline/PlainNetty.java" \
        > "$WORK/javac.log" 2>&1 || { BASELINE_PROBLEM="javac failed: $(tail -5 "$WORK/javac.log" | tr '\n' ' ')"; return 1; }
}

OPEN_LOOP_CLASSES=""
compile_open_loop() {  # bench/lib/OpenLoop.java -> classes (javac against the jar's Netty); off if it fails
    OPEN_LOOP_CLASSES="$WORK/openloop"
    mkdir -p "$OPEN_LOOP_CLASSES"
    if ! run javac -nowarn -cp "$JAR" -d "$OPEN_LOOP_CLASSES" "$BENCH_DIR/lib/OpenLoop.java" > "$WORK/javac-openloop.log" 2>&1; then
        log "open-loop latency skipped: javac bench/lib/OpenLoop.java failed: $(tail -3 "$WORK/javac-openloop.log" | tr '\n' ' ')"
        OPEN_LOOP=0
    fi
}

build_jar() {          # returns non-zero (and says why) when the jar is missing and cannot be built
    [ -f "$JAR" ] && return 0
    if [ "$JAR" != "$DEFAULT_JAR" ]; then
        JAR_PROBLEM="does not exist (JCLUSTER_JAR=$JAR)"
        return 1
    fi
    log "jcluster-cli/target/jcluster.jar is missing: building it (mvn -B -q -DskipTests package)"
    if run timeout 1800 env -C "$ROOT" mvn -B -q -DskipTests package > "$WORK/mvn.log" 2>&1 && [ -f "$JAR" ]; then
        return 0
    fi
    JAR_PROBLEM="is missing and could not be built: mvn -B -q -DskipTests package failed (its output: $WORK/mvn.log)"
    tail -30 "$WORK/mvn.log" >&2
    return 1
}

# -------------------------------------------------------------------------------------- contenders
NODE_CPUS=1
# The Node contenders run as Node services are deployed: NODE_ENV=production (Express then caches views and
# sends terser errors; for this route it changes little). The seed's text sets no NODE_ENV (Express: development).
NODE_ENV_VALUE=production
# The workers' lean flags (ClusterSettings.LEAN_JVM_ARGS on this java), for plain-netty-lean: the same JVM terms.
LEAN_FLAGS=(-XX:+UseSerialGC -XX:CompileThresholdScaling=0.5 -Xms8m -XX:MaxHeapFreeRatio=40 -XX:MinHeapFreeRatio=10
            -XX:CICompilerCount=2 -XX:ReservedCodeCacheSize=32m -Xss512k -XX:+ExitOnOutOfMemoryError
            -Dio.netty.jfr.enabled=false -XX:MaxInlineLevel=9 -XX:InlineSmallCode=1000)
if java -XX:+UnlockExperimentalVMOptions -XX:TrimNativeHeapInterval=5000 -version > /dev/null 2>&1; then
    LEAN_FLAGS+=(-XX:+UnlockExperimentalVMOptions -XX:TrimNativeHeapInterval=5000)
fi
CLUSTER_NAME="bench-$$"   # jcluster registers clusters by name: one of our own, never the user's "demo"
BASELINE_CLASSES=""       # PlainNetty compiled once per run (javac), so its JVM does not carry the source launcher
contender_command() {  # sets CMD (argv), CWD and EXPECT (workers that must answer) for contender $1
    local workers=${2:-$WORKERS}
    local shim=()
    if [ "$PORT" != 8000 ]; then shim=(--require ./port-shim.js); fi   # single.js is verbatim: it says 8000
    # the admin endpoint (a dashboard on 8001) is an extra the other contenders do not have: off
    local demo=(demo --port "$PORT" --name "$CLUSTER_NAME" --admin off)
    CWD=$ROOT
    case "$1" in
        node-single)       CWD=$BENCH_DIR/node; EXPECT=1
                           CMD=(env PORT="$PORT" NODE_ENV="$NODE_ENV_VALUE" node "${shim[@]}" single.js) ;;
        node-cluster)      CWD=$BENCH_DIR/node; EXPECT=$NODE_CPUS
                           CMD=(env PORT="$PORT" NODE_ENV="$NODE_ENV_VALUE" node cluster.js) ;;
        node-cluster-refork) CWD=$BENCH_DIR/node; EXPECT=$NODE_CPUS
                           CMD=(env PORT="$PORT" NODE_ENV="$NODE_ENV_VALUE" node cluster-refork.js) ;;
        node-http-cluster) CWD=$BENCH_DIR/node; EXPECT=$NODE_CPUS
                           CMD=(env PORT="$PORT" NODE_ENV="$NODE_ENV_VALUE" node http-cluster.js) ;;
        pm2)               CWD=$BENCH_DIR/node; EXPECT=$PM2_INSTANCES
                           # --no-daemon: PM2's daemon (the primary) runs in the foreground, in our process group
                           CMD=(env PORT="$PORT" NODE_ENV="$NODE_ENV_VALUE" PM2_HOME="$PM2_HOME" "$PM2" start
                                pm2-worker.js -i "$PM2_INSTANCES" --name "$CLUSTER_NAME" --no-daemon) ;;
        jcluster-single)   EXPECT=1
                           CMD=(env -u JCLUSTER_SCHED_POLICY "${JCLUSTER[@]}" demo --single --port "$PORT") ;;
        jcluster-rr|jcluster-rr-2w) EXPECT=$workers
                           CMD=(env -u JCLUSTER_SCHED_POLICY "${JCLUSTER[@]}" "${demo[@]}" --workers "$workers") ;;
        jcluster-rr-25)    EXPECT=$workers   # bin/jcluster runs the first java on PATH; workers use the primary's
                           CMD=(env -u JCLUSTER_SCHED_POLICY JAVA_HOME="$JDK25_HOME" PATH="$JDK25_HOME/bin:$PATH"
                                "${JCLUSTER[@]}" "${demo[@]}" --workers "$workers") ;;
        jcluster-none)     EXPECT=$workers
                           CMD=(env JCLUSTER_SCHED_POLICY=none "${JCLUSTER[@]}" "${demo[@]}" --workers "$workers") ;;
        plain-netty)       EXPECT=1   # JVM defaults (G1, a quarter of RAM as the heap's limit)
                           CMD=(java -cp "$JAR:$BASELINE_CLASSES" PlainNetty "$PORT" "$WORKERS") ;;
        plain-netty-lean)  EXPECT=1
                           CMD=(java "${LEAN_FLAGS[@]}" -cp "$JAR:$BASELINE_CLASSES" PlainNetty "$PORT" "$WORKERS") ;;
    esac
}

control_commands() {   # sets STATUS_CMD and RELOAD_CMD for a contender in $CONTROLLED
    case "$1" in
        pm2)            STATUS_CMD=(env PM2_HOME="$PM2_HOME" "$PM2" ls)
                        RELOAD_CMD=(env PM2_HOME="$PM2_HOME" "$PM2" reload "$CLUSTER_NAME") ;;
        jcluster-rr)    STATUS_CMD=("${JCLUSTER[@]}" status "$CLUSTER_NAME")
                        RELOAD_CMD=("${JCLUSTER[@]}" reload "$CLUSTER_NAME") ;;
        jcluster-rr-25) STATUS_CMD=(env JAVA_HOME="$JDK25_HOME" PATH="$JDK25_HOME/bin:$PATH" "${JCLUSTER[@]}" status "$CLUSTER_NAME")
                        RELOAD_CMD=(env JAVA_HOME="$JDK25_HOME" PATH="$JDK25_HOME/bin:$PATH" "${JCLUSTER[@]}" reload "$CLUSTER_NAME") ;;
    esac
}

# start_contender NAME ROUND [WORKERS]: launch, wait until every worker answers; non-zero on failure
start_contender() {
    local name=$1 round=$2 log_file="$WORK/$1.r$2.log" t0 out="$WORK/ready.out" rc=0
    contender_command "$name" "${3:-}"
    if port_in_use "$PORT"; then
        fail_contender "$name" "port $PORT is in use before start ($(port_owner "$PORT")); pick another with --port"
        return 1
    fi
    log "round $round: starting $name: ${CMD[*]}"
    t0=$(date +%s%N)
    (cd "$CWD" && exec setsid "${CMD[@]}") > "$log_file" 2>&1 < /dev/null 3>&- 4>&- &
    SERVER_PID=$!
    run "${PROBE[@]}" ready --record "$RECORDS" --round "$round" --contender "$name" --port "$PORT" \
        --t0-ns "$t0" --expect "$EXPECT" --pid "$SERVER_PID" --deadline "$READY_DEADLINE" \
        --grace "$READY_GRACE" > "$out" 2>&1 || rc=$?
    sed 's/^/    /' "$out"
    PRIMARY=$SERVER_PID
    if [ "$name" = pm2 ]; then   # `pm2 --no-daemon` starts the daemon in a session of its own and streams logs
        PRIMARY=$(cat "$PM2_HOME/pm2.pid" 2>/dev/null || true)
        if [[ "$PRIMARY" =~ ^[0-9]+$ ]]; then DAEMON_GROUP=$PRIMARY; else PRIMARY=$SERVER_PID; fi
    elif [ "$(cat "/proc/$SERVER_PID/comm" 2>/dev/null)" = bash ]; then
        # bin/jcluster waits for java (instead of exec-ing it) on the run that writes its class data archive:
        # the primary is then the wrapper's java child, not the 3 MB bash process
        local kid
        kid=$(pgrep -P "$SERVER_PID" java | head -1 || true)
        if [ -n "$kid" ]; then PRIMARY=$kid; fi
    fi
    SERVER_DESC="$(descendants_of "$SERVER_PID" | tr '\n' ' ') $(descendants_of "$PRIMARY" | tr '\n' ' ')"
    if [ "$rc" != 0 ]; then
        local why code=""
        kill -0 "$SERVER_PID" 2>/dev/null || { wait "$SERVER_PID" 2>/dev/null || code=$?; }
        why="$(tail -1 "$out")${code:+ (exit code $code)}; last output: $(tail -5 "$log_file" | tr '\n' ' ' | cut -c1-400)"
        stop_server
        fail_contender "$name" "did not start in round $round: $why"
        return 1
    fi
}

# still_running NAME ROUND WHAT: the contender's primary is alive after WHAT
still_running() {
    kill -0 "$SERVER_PID" 2>/dev/null && return 0
    local tail_text
    tail_text=$(tail -5 "$WORK/$1.r$2.log" | tr '\n' ' ' | cut -c1-400)
    stop_server
    fail_contender "$1" "exited during $3 in round $2; last output: $tail_text"
    return 1
}

wrk_args() {           # wrk_args KIND DURATION: sets WRK_ARGS
    WRK_ARGS=(-t"$WRK_THREADS" -c"$WRK_CONNECTIONS" -d"${2}s" --timeout 2s --latency)
    if [ "$1" = close ]; then WRK_ARGS+=(-H 'Connection: close'); fi
}

wrk_text() {           # wrk_text KIND DURATION: the wrk command line as text, for the report
    wrk_args "$1" "$2"
    local text="wrk ${WRK_ARGS[*]} http://127.0.0.1:$PORT/"
    echo "${text/-H Connection: close/-H \'Connection: close\'}"
}

run_wrk() {            # run_wrk KIND DURATION OUTFILE
    wrk_args "$1" "$2"
    run timeout $(($2 + 15)) wrk "${WRK_ARGS[@]}" "http://127.0.0.1:$PORT/" > "$3" 2>&1
}

measure() {            # measure NAME ROUND: one contender, one round
    local name=$1 round=$2 tag=(--record "$RECORDS" --round "$2" --contender "$1")
    log "  load average before starting $name: $(cut -d' ' -f1-3 /proc/loadavg)"
    start_contender "$name" "$round" || return 0
    "${PROBE[@]}" head "${tag[@]}" --port "$PORT" | sed 's/^/    /' || true

    sleep 0.3
    "${PROBE[@]}" rss "${tag[@]}" --primary "$PRIMARY" --kind rss_idle | sed 's/^/    /'

    log "  warm-up ${WARMUP}s keep-alive + ${WARMUP}s close (not counted)"
    run_wrk keepalive "$WARMUP" "$WORK/warmup.txt" || true
    run_wrk close "$WARMUP" "$WORK/warmup.txt" || true
    still_running "$name" "$round" "the warm-up" || return 0

    "${PROBE[@]}" load "${tag[@]}" | sed 's/^/    /'

    rm -f "$WORK/stop-sampler"
    "${PROBE[@]}" rss-sample "${tag[@]}" --primary "$PRIMARY" --stop-file "$WORK/stop-sampler" \
        --max-seconds $((4 * DURATION + 30)) > "$WORK/sampler.out" 2>&1 3>&- 4>&- &
    SAMPLER=$!
    for kind in keepalive close; do
        run_wrk "$kind" "$DURATION" "$WORK/$name.r$round.$kind.txt" || true
        "${PROBE[@]}" wrk "${tag[@]}" --kind "$kind" --file "$WORK/$name.r$round.$kind.txt" \
            | sed 's/^/    /' || true
    done
    touch "$WORK/stop-sampler"
    wait "$SAMPLER" 2>/dev/null || true
    SAMPLER=""
    sed 's/^/    /' "$WORK/sampler.out"
    still_running "$name" "$round" "the measured wrk runs" || return 0

    if [ "$OPEN_LOOP" = 1 ]; then
        for percent in 50 80; do
            run "${PROBE[@]}" openloop "${tag[@]}" --port "$PORT" --percent "$percent" \
                --connections "$WRK_CONNECTIONS" --seconds "$DURATION" --warmup 1 \
                --classpath "$JAR:$OPEN_LOOP_CLASSES" > "$WORK/openloop.out" 2>&1 || true
            sed 's/^/    /' "$WORK/openloop.out"
        done
        still_running "$name" "$round" "the open-loop runs" || return 0
    fi

    if [[ "$CLUSTERS" == *" $name "* ]]; then
        SERVER_DESC="$SERVER_DESC $(descendants_of "$PRIMARY" | tr '\n' ' ')"
        run "${PROBE[@]}" kill "${tag[@]}" --port "$PORT" --primary "$PRIMARY" --expect "$EXPECT" \
            --deadline "$KILL_DEADLINE" > "$WORK/kill.out" 2>&1 || true
        sed 's/^/    /' "$WORK/kill.out"
        SERVER_DESC="$SERVER_DESC $(descendants_of "$PRIMARY" | tr '\n' ' ')"
    fi

    if [[ "$CONTROLLED" == *" $name "* ]]; then
        control "$name" "$round"
        still_running "$name" "$round" "the control commands and the reload" || return 0
    fi

    stop_server
    wait_port_free || fail_contender "$name" "port $PORT still in use ${STOP_DEADLINE}s after stopping it in round $round ($(port_owner "$PORT"))"
}

# control NAME ROUND: the status command (3 times) and a rolling reload under keep-alive load (wrk -c16):
# how long each takes, and how many requests failed while the reload ran.
control() {
    local name=$1 round=$2 tag=(--record "$RECORDS" --round "$2" --contender "$1") i wrk_pid
    control_commands "$name"
    for i in 1 2 3; do
        run "${PROBE[@]}" timed "${tag[@]}" --kind status_cmd -- "${STATUS_CMD[@]}" > "$WORK/timed.out" 2>&1 || true
        sed 's/^/    /' "$WORK/timed.out"
    done
    wrk -t1 -c16 -d"${RELOAD_SECONDS}s" --timeout 2s "http://127.0.0.1:$PORT/" > "$WORK/$name.r$round.reload.txt" 2>&1 3>&- 4>&- &
    wrk_pid=$!
    CHILD_WRK=$wrk_pid
    sleep 2
    run "${PROBE[@]}" timed "${tag[@]}" --kind reload_cmd --timeout "$((RELOAD_SECONDS - 4))" -- "${RELOAD_CMD[@]}" \
        > "$WORK/timed.out" 2>&1 || true
    sed 's/^/    /' "$WORK/timed.out"
    sleep 1   # requests right after the reload count too
    kill -INT "$wrk_pid" 2>/dev/null || true   # wrk prints its figures on SIGINT
    wait "$wrk_pid" 2>/dev/null || true
    CHILD_WRK=""
    "${PROBE[@]}" wrk "${tag[@]}" --kind reload_load --file "$WORK/$name.r$round.reload.txt" | sed 's/^/    /' || true
}

measure_start_only() { # measure_start_only NAME ROUND WORKERS: start-up time only
    start_contender "$1" "$2" "$3" || return 0
    stop_server
    wait_port_free || fail_contender "$1" "port $PORT still in use after stopping it"
}

# ------------------------------------------------------------------------------------------- main
if port_in_use "$PORT"; then
    echo "run.sh: port $PORT is already in use ($(port_owner "$PORT")); stop that or pass --port N" >&2
    exit 2
fi
WORK=$(mktemp -d /tmp/jcluster-bench.XXXXXX)
RECORDS="$WORK/records.jsonl"
: > "$RECORDS"
install_tools
if needs 'node-*'; then
    install_node
    NODE_CPUS=$(node -p 'require("os").cpus().length')
fi
JAR_PROBLEM="" PM2_PROBLEM="" BASELINE_PROBLEM=""
if needs pm2; then install_pm2 || true; fi
if needs 'jcluster-*' || needs 'plain-netty*'; then
    build_jar || true
fi
if needs 'plain-netty*' && [ -z "$JAR_PROBLEM" ]; then compile_baseline || true; fi
if [ "$OPEN_LOOP" = 1 ]; then
    if [ -f "$JAR" ]; then compile_open_loop; else OPEN_LOOP=0; fi   # the client uses the jar's Netty
fi

for name in "${CONTENDERS[@]}"; do
    STATUS[$name]=ok
    REASON[$name]=""
    if [[ -n "$JAR_PROBLEM" && ( "$name" == jcluster-* || "$name" == plain-netty* ) ]]; then
        fail_contender "$name" "the jar $JAR_PROBLEM"
    elif [[ -n "$BASELINE_PROBLEM" && "$name" == plain-netty* ]]; then
        fail_contender "$name" "$BASELINE_PROBLEM"
    elif [[ -n "$PM2_PROBLEM" && "$name" == pm2 ]]; then
        fail_contender "$name" "$PM2_PROBLEM"
    elif [[ "$name" == jcluster-rr-25 && ! -x "$JDK25_HOME/bin/java" ]]; then
        fail_contender "$name" "no JDK 25 at $JDK25_HOME (set JDK25_HOME)"
    fi
done
EXTRA_START=""         # the "cluster of 2 ready" target needs a 2-worker jcluster when nproc != 2
if [ "$WORKERS" != 2 ] && [ "${STATUS[jcluster-rr]:-}" = ok ]; then
    EXTRA_START=jcluster-rr-2w
    STATUS[jcluster-rr-2w]=ok
    REASON[jcluster-rr-2w]=""
fi

COMMIT=$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo nocommit)
DIRTY=""
if [ -n "$(git -C "$ROOT" status --porcelain 2>/dev/null)" ]; then DIRTY=" (work tree has uncommitted changes)"; fi
REPORT_NAME="$(date +%Y%m%d-%H%M%S)-$COMMIT"
if [ "$QUICK" = 1 ]; then REPORT_NAME+=-quick; fi
{
    printf 'date\t%s\n' "$(date '+%Y-%m-%d %H:%M:%S %Z')"
    printf 'commit\t%s\n' "$COMMIT$DIRTY"
    printf 'mode\t%s\n' "$MODE"
    printf 'command\t%s\n' "\`$COMMAND_LINE\`"
    printf 'nproc\t%s\n' "$(nproc)"
    printf 'cpu\t%s\n' "$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //')"
    printf 'memory\t%s\n' "$(free -h | awk '/^Mem:/ {print $2}')"
    printf 'kernel\t%s\n' "$(uname -srm)"
    printf 'java -version\t%s\n' "$(java -version 2>&1 | sed -n '1p;3p' | paste -sd';' - | sed 's/;/; /')"
    printf 'node --version\t%s\n' "$(node --version)"
    printf 'NODE_ENV\t%s for every Node contender (the seed sets none: Express then runs as development)\n' "$NODE_ENV_VALUE"
    if needs jcluster-rr-25; then
        printf 'jcluster-rr-25 java\t%s\n' "$("$JDK25_HOME/bin/java" -version 2>&1 | sed -n '1p;3p' | paste -sd';' - | sed 's/;/; /')"
    fi
    if needs pm2; then printf 'pm2\t%s (cluster mode, %s instances, NODE_ENV=%s)\n' "$(PM2_HOME=$PM2_HOME "$PM2" --version 2>/dev/null | tail -1)" "$PM2_INSTANCES" "$NODE_ENV_VALUE"; fi
    if needs plain-netty-lean; then printf 'plain-netty-lean flags\t%s\n' "${LEAN_FLAGS[*]}"; fi
    printf 'jcluster contenders\t`bin/jcluster demo --name %s --admin off` (no admin endpoint: the others have none)\n' "$CLUSTER_NAME"
    printf 'open loop\t%s\n' "$([ "$OPEN_LOOP" = 1 ] && echo "bench/lib/OpenLoop.java at 50% and 80% of each contender's keep-alive req/s, ${WRK_CONNECTIONS} connections, 1 s + ${DURATION} s each" || echo "not run (full runs, or --open-loop)")"
    printf 'order\teach round in a random order (seed %s; `--seed %s` repeats it)\n' "$SEED" "$SEED"
    printf 'express\t%s\n' "$(cd "$BENCH_DIR/node" && node -p 'require("express/package.json").version' 2>/dev/null \
        || echo 'not installed')"
    printf 'wrk\t%s\n' "$(wrk -v 2>&1 | head -1 | sed 's/ Copyright.*//')"
    printf 'load average at start\t%s\n' "$(cut -d' ' -f1-3 /proc/loadavg)"
    printf 'workers (N)\t%s (jcluster --workers and plain-netty event loops: nproc; node clusters: os.cpus().length = %s)\n' "$WORKERS" "$NODE_CPUS"
    printf 'rounds\t%s\n' "$ROUNDS"
    printf 'warm-up\t%ss keep-alive + %ss Connection: close per contender and round, not counted\n' "$WARMUP" "$WARMUP"
    printf 'wrk_keepalive\t%s\n' "$(wrk_text keepalive "$DURATION")"
    printf 'wrk_close\t%s\n' "$(wrk_text close "$DURATION")"
    printf 'kill -9 deadline\t%s s\n' "$KILL_DEADLINE"
} > "$WORK/meta.tsv"

log "jcluster benchmark ($MODE): ${CONTENDERS[*]}; $ROUNDS round(s) of ${DURATION}s per mode; port $PORT; N=$WORKERS"
# Users start from class data archives after their first run (bin/jcluster and the primary write them at a
# graceful exit). One unmeasured start and stop writes them, so round 1 is like the others. `demo --single`
# runs its primary with other flags (C2: it serves HTTP itself), hence an archive of its own.
primes=()
if needs jcluster-rr || needs jcluster-none; then primes+=(jcluster-rr); fi   # the same flags, one archive
if needs jcluster-rr-25; then primes+=(jcluster-rr-25); fi                      # its own java, its own archive
if needs jcluster-single; then primes+=(jcluster-single); fi
for prime in "${primes[@]}"; do
    if [ "${STATUS[$prime]:-ok}" != ok ]; then continue; fi
    log "priming: one unmeasured start and stop of $prime (writes the class data archives)"
    saved_records=$RECORDS; RECORDS="$WORK/prime.jsonl"
    if start_contender "$prime" 0 > "$WORK/prime.out" 2>&1; then
        # a graceful stop, with time for the JVMs to write their archives (seconds), then the usual stop
        kill -TERM -- "-$SERVER_PID" 2>/dev/null || true
        prime_deadline=$((SECONDS + 120))   # writing the archives takes seconds; far more on a loaded machine
        while pgrep -g "$SERVER_PID" > /dev/null 2>&1 && [ $SECONDS -lt $prime_deadline ]; do sleep 0.2; done
        stop_server
    fi
    RECORDS=$saved_records
done
RANDOM=$SEED
for round in $(seq 1 "$ROUNDS"); do
    order=("${CONTENDERS[@]}")      # a fresh random order each round (Fisher-Yates), so drift spreads evenly
    for ((i = ${#order[@]} - 1; i > 0; i--)); do
        j=$((RANDOM % (i + 1))); tmp=${order[i]}; order[i]=${order[j]}; order[j]=$tmp
    done
    log "round $round order: ${order[*]}"
    printf '{"round": %s, "contender": "*", "kind": "order", "order": "%s"}\n' "$round" "${order[*]}" >> "$RECORDS"
    for name in "${order[@]}"; do
        if [ "${STATUS[$name]}" = ok ]; then measure "$name" "$round"; fi
    done
    if [ -n "$EXTRA_START" ] && [ "${STATUS[jcluster-rr-2w]}" = ok ]; then
        measure_start_only jcluster-rr-2w "$round" 2
    fi
done

for name in "${CONTENDERS[@]}" $EXTRA_START; do
    printf '%s\t%s\t%s\n' "$name" "${STATUS[$name]}" "${REASON[$name]}"
done > "$WORK/status.tsv"

mkdir -p "$BENCH_DIR/results"
MD="$BENCH_DIR/results/$REPORT_NAME.md"
PNG="$BENCH_DIR/results/$REPORT_NAME.png"
echo
python3 "$BENCH_DIR/lib/report.py" --workdir "$WORK" --markdown "$MD" --png "$PNG" > "$WORK/targets.txt"
cp "$RECORDS" "$BENCH_DIR/results/$REPORT_NAME.jsonl"
cp "$MD" "$BENCH_DIR/results/latest.md"
cp "$PNG" "$BENCH_DIR/results/latest.png"
log "report: ${MD#"$ROOT"/} (copied to bench/results/latest.md), chart: ${PNG#"$ROOT"/}"
if [ "$HARNESS_ERRORS" -gt 0 ]; then
    echo "run.sh: the harness broke for $HARNESS_ERRORS contender(s):" >&2
    for name in "${CONTENDERS[@]}" $EXTRA_START; do
        if [ "${STATUS[$name]}" != ok ]; then echo "  $name: ${REASON[$name]}" >&2; fi
    done
fi
cat "$WORK/targets.txt"
[ "$HARNESS_ERRORS" -eq 0 ] || exit 1
