# bench/springboot/common.sh — shell helpers shared by bench/springboot/run.sh and bench/heap/run.sh (sourced).
# They reuse bench/lib: probe.py (readiness, kill -9, RSS/PSS, wrk parsing, load average, open loop) and
# OpenLoop.java. The sourcing script sets BENCH_DIR, ROOT and NAME (its name in messages) first.
#
# What it keeps: WORK (scratch directory, removed on success, kept on failure), RECORDS (jsonl), SERVER_PID (the
# running server's process group and pid: every server runs in a session of its own), PRIMARY (the server's main
# JVM: SERVER_PID, or bin/jcluster's java child on a run that writes its class data archive).

JAR="$ROOT/jcluster-cli/target/jcluster.jar"
PROBE=(python3 "$BENCH_DIR/lib/probe.py")
STOP_DEADLINE=${STOP_DEADLINE:-40}   # s for a server to stop after SIGTERM (Spring Boot drains), then SIGKILL
WORK=""
RECORDS=""
SERVER_PID=""
SERVER_DESC=""
PRIMARY=""
CHILD=""
SAMPLER=""

log() { printf '[%s] %s\n' "$(date +%H:%M:%S)" "$*"; }
die() { log "$NAME: $*" >&2; exit 1; }

descendants_of() {     # every descendant pid of $1, recursively
    local kid
    for kid in $(pgrep -P "$1" 2>/dev/null); do
        echo "$kid"
        descendants_of "$kid"
    done
}

stop_server() {        # SIGTERM to the server's group, STOP_DEADLINE s, then SIGKILL to the group and every descendant
    [ -n "$SERVER_PID" ] || return 0
    local pid=$SERVER_PID pids deadline
    pids="$SERVER_DESC $(descendants_of "$pid" | tr '\n' ' ')"
    kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true
    deadline=$((SECONDS + STOP_DEADLINE))
    while pgrep -g "$pid" > /dev/null 2>&1 && [ $SECONDS -lt $deadline ]; do sleep 0.1; done
    kill -KILL -- "-$pid" 2>/dev/null || true
    for p in $pids; do kill -KILL "$p" 2>/dev/null || true; done
    wait "$pid" 2>/dev/null || true
    SERVER_PID="" SERVER_DESC="" PRIMARY=""
}

cleanup() {
    local rc=$?
    trap - EXIT INT TERM
    [ -n "$CHILD" ] && kill -TERM "$CHILD" 2>/dev/null
    [ -n "$SAMPLER" ] && kill -TERM "$SAMPLER" 2>/dev/null
    stop_server
    if [ -n "$WORK" ]; then
        if [ "$rc" = 0 ]; then rm -rf "$WORK"; else echo "$NAME: work files kept in $WORK" >&2; fi
    fi
    exit "$rc"
}
trap cleanup EXIT
trap 'log "interrupted"; exit 130' INT TERM

# Run a helper in the background and wait for it, so that INT/TERM are handled at once.
run() { "$@" & CHILD=$!; local rc=0; wait "$CHILD" || rc=$?; CHILD=""; return "$rc"; }

make_work() {          # the scratch directory and the records file
    WORK=$(mktemp -d "/tmp/jcluster-$NAME.XXXXXX")
    RECORDS="$WORK/records.jsonl"
    : > "$RECORDS"
}

free_port() {          # a port nothing listens on now (the kernel's pick for port 0)
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

port_in_use() { [ -n "$(ss -Htln "sport = :$1" 2>/dev/null)" ]; }

stop_and_wait_port() {  # stop_server, then wait (at most 20 s) until nothing listens on $PORT
    stop_server
    local deadline=$((SECONDS + 20))
    while port_in_use "$PORT" && [ $SECONDS -lt $deadline ]; do sleep 0.1; done
    port_in_use "$PORT" && die "port $PORT still in use after a stop"
    return 0
}

need_tools() {         # wrk from Debian when missing; the rest must be there
    if ! command -v wrk > /dev/null; then
        log "installing wrk (apt-get)"
        { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk; } > "$WORK/apt.log" 2>&1 \
            || { tail -5 "$WORK/apt.log" >&2; die "could not install wrk"; }
    fi
    for tool in python3 java javac ss pgrep curl; do
        command -v "$tool" > /dev/null || die "$tool is required and missing"
    done
}

build_jcluster() {     # jcluster-cli/target/jcluster.jar, built (offline first) when missing
    [ -f "$JAR" ] && return 0
    log "jcluster-cli/target/jcluster.jar is missing: building it (mvn -B -q -Dmaven.test.skip=true -pl jcluster-cli -am package)"
    (cd "$ROOT" && { mvn -B -q -o -Dmaven.test.skip=true -pl jcluster-cli -am package || mvn -B -q -Dmaven.test.skip=true -pl jcluster-cli -am package; }) \
        > "$WORK/mvn.log" 2>&1 || { tail -30 "$WORK/mvn.log" >&2; die "could not build jcluster.jar (log: $WORK/mvn.log)"; }
}

OPEN_LOOP_CLASSES=""
compile_open_loop() {  # bench/lib/OpenLoop.java against the jar's Netty, once per run
    OPEN_LOOP_CLASSES="$WORK/openloop"
    mkdir -p "$OPEN_LOOP_CLASSES"
    javac -nowarn -cp "$JAR" -d "$OPEN_LOOP_CLASSES" "$BENCH_DIR/lib/OpenLoop.java" > "$WORK/javac-openloop.log" 2>&1 \
        || { cat "$WORK/javac-openloop.log" >&2; die "javac bench/lib/OpenLoop.java failed"; }
}

# start_server LOGFILE CMD...: launch in a session of its own (its own process group); sets SERVER_PID, T0_NS
start_server() {
    local log_file=$1
    shift
    port_in_use "$PORT" && die "port $PORT is in use before a start ($(ss -Htlnp "sport = :$PORT" | head -1))"
    T0_NS=$(date +%s%N)
    (exec setsid "$@") > "$log_file" 2>&1 < /dev/null &
    SERVER_PID=$!
    PRIMARY=$SERVER_PID
}

# wait_ready CONTENDER ROUND EXPECT LOGFILE [T0_NS]: probe.py ready (first 200, and a 200 from EXPECT pids)
wait_ready() {
    local out="$WORK/ready.out" rc=0
    run "${PROBE[@]}" ready --record "$RECORDS" --round "$2" --contender "$1" --port "$PORT" --t0-ns "${5:-$T0_NS}" \
        --expect "$3" --pid "$SERVER_PID" --deadline "${READY_DEADLINE:-180}" --grace "${READY_GRACE:-120}" \
        > "$out" 2>&1 || rc=$?
    sed 's/^/    /' "$out"
    if [ "$(cat "/proc/$SERVER_PID/comm" 2>/dev/null)" = bash ]; then   # bin/jcluster writing its CDS archive
        local kid
        kid=$(pgrep -P "$SERVER_PID" java | head -1 || true)
        [ -n "$kid" ] && PRIMARY=$kid
    fi
    SERVER_DESC="$(descendants_of "$SERVER_PID" | tr '\n' ' ')"
    if [ "$rc" != 0 ] || ! grep -q '^ready' "$out"; then
        log "$1 did not get ready; last output:"
        tail -20 "$4" >&2
        return 1
    fi
}

load_avg() { "${PROBE[@]}" load --record "$RECORDS" --round "$2" --contender "$1" | sed 's/^/    /'; }

# wrk_run CONTENDER ROUND KIND SECONDS [counted]: wrk -t2 -c64 (keep-alive, or close when KIND=close)
wrk_run() {
    local extra=() out="$WORK/wrk.$1.$2.$3.txt"
    [ "$3" = close ] && extra=(-H 'Connection: close')
    run wrk -t"${WRK_THREADS:-2}" -c"${WRK_CONNECTIONS:-64}" -d"$4s" --timeout 5s --latency "${extra[@]}" \
        "http://127.0.0.1:$PORT/" > "$out" 2>&1 || true
    if [ "${5:-}" = counted ]; then
        "${PROBE[@]}" wrk --record "$RECORDS" --round "$2" --contender "$1" --kind "$3" --file "$out" | sed 's/^/    /' \
            || { cat "$out" >&2; return 1; }
    fi
}

# open_loop CONTENDER ROUND PERCENT SECONDS: probe.py openloop at PERCENT of this round's keep-alive req/s
open_loop() {
    "${PROBE[@]}" openloop --record "$RECORDS" --round "$2" --contender "$1" --port "$PORT" --percent "$3" \
        --connections "${WRK_CONNECTIONS:-64}" --seconds "$4" --warmup 1 --classpath "$JAR:$OPEN_LOOP_CLASSES" \
        | sed 's/^/    /'
}

sample_start() {       # RSS/PSS peaks of the server's tree until sample_stop
    rm -f "$WORK/sample.stop"
    "${PROBE[@]}" rss-sample --record "$RECORDS" --round "$2" --contender "$1" --primary "$PRIMARY" \
        --kind "${3:-rss_load}" --stop-file "$WORK/sample.stop" > "$WORK/sample.out" 2>&1 &
    SAMPLER=$!
}

sample_stop() {
    touch "$WORK/sample.stop"
    wait "$SAMPLER" 2>/dev/null || true
    SAMPLER=""
    sed 's/^/    /' "$WORK/sample.out"
}

record_json() {        # record_json CONTENDER ROUND KIND JSON-FIELDS (without braces): one line in RECORDS
    printf '{"round": %s, "contender": "%s", "kind": "%s", %s}\n' "$2" "$1" "$3" "$4" >> "$RECORDS"
}

machine_facts() {      # key<TAB>value lines for the report's header
    printf 'date\t%s\n' "$(date -u '+%Y-%m-%d %H:%M UTC')"
    printf 'commit\t%s\n' "$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)"
    printf 'machine\t%s CPUs (%s), %s MB RAM, kernel %s\n' "$(nproc)" \
        "$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')" \
        "$(awk '/MemTotal/ {print int($2/1024)}' /proc/meminfo)" "$(uname -r)"
    printf 'load average at start\t%s\n' "$(cut -d' ' -f1-3 /proc/loadavg)"
}
