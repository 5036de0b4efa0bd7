#!/usr/bin/env bash
# bench/springboot/run.sh — one Spring Boot JVM alone against the same jar under `jcluster start -i 2` (issue 16).
#
# The jar: frameworks/apps/spring-boot (Spring Boot 4.0.7, Spring MVC on Tomcat, fat jar, GET / answers
# {"pid":…,"framework":"spring-boot"}), built with Maven when absent. Contenders, one at a time on one free port:
#   alone            java -jar app-spring-boot.jar --server.port=P   (one JVM, the JVM's defaults: G1, 1/4 of RAM)
#   jcluster         bin/jcluster start app-spring-boot.jar -i 2 -- --server.port=P   (unmodified: the agent path;
#                    each worker gets jcluster's lean flags and half the memory as -XX:MaxRAM)
#   alone-25, jcluster-25   the same on JDK 25 (with --jdk 25, or --jdk 17,25: both pairs, about twice as long)
# Each round starts each contender (a random order per round, seeded) and measures:
#   start-up (launch -> first 200; for the cluster also -> a 200 from both workers' pids); PSS (and RSS) of the
#   whole process tree idle, and its peak under load; after a warm-up (wrk, not counted), keep-alive and
#   `Connection: close` req/s and p99 (wrk -t2 -c64); latency at a fixed rate (bench/lib/OpenLoop.java) at 50% and
#   80% of the contender's own keep-alive req/s this round: p50/p99/p99.9; then kill -9: for the cluster, of one
#   worker -> a 200 from a new pid; alone, the service is down until something restarts it: the time from the kill
#   to the first 200 of a plain restart launched at once (what systemd's Restart=always would do, without its delay).
# Before round 1 each contender is started and stopped once, not measured (page cache; bin/jcluster's class data).
# The load average is printed (and recorded) before each measurement. Results: bench/springboot/results/STAMP.md
# (medians with the spread over the rounds [min–max]) and STAMP.jsonl (every raw figure), STAMP = date-time-commit.
#
# Usage: bench/springboot/run.sh [--rounds N] [--duration S] [--warmup S] [--jdk 17|25|17,25] [--seed N] [--quick]
#        env SPRING_JAR=PATH benchmarks another Spring Boot fat jar (it must take --server.port)
set -euo pipefail
NAME=springboot
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
BENCH_DIR=$(dirname "$HERE")
ROOT=$(dirname "$BENCH_DIR")
# shellcheck source=common.sh
source "$HERE/common.sh"

APP_DIR="$ROOT/frameworks/apps/spring-boot"
APP_JAR=${SPRING_JAR:-$APP_DIR/target/app-spring-boot.jar}
JDK17_HOME=$(dirname "$(dirname "$(readlink -f "$(command -v java)")")")
JDK25_HOME=${JDK25_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}
ROUNDS=2 DURATION=5 WARMUP=6 OPEN_SECONDS=5 JDKS="" SEED=""
KILL_DEADLINE=120      # s for a replacement Spring Boot worker to answer (its whole start, on a loaded machine)
READY_DEADLINE=180

usage() { sed -n '/^# Usage:/,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; }
while [ $# -gt 0 ]; do
    case "$1" in
        --rounds) ROUNDS=${2:?}; shift ;;
        --duration) DURATION=${2:?}; shift ;;
        --warmup) WARMUP=${2:?}; shift ;;
        --jdk) JDKS=${2:?}; shift ;;
        --seed) SEED=${2:?}; shift ;;
        --quick) ROUNDS=1 DURATION=2 WARMUP=2 OPEN_SECONDS=2 ;;
        -h|--help) usage; exit 0 ;;
        *) echo "run.sh: unknown argument '$1'" >&2; usage >&2; exit 2 ;;
    esac
    shift
done
for n in "$ROUNDS" "$DURATION" "$WARMUP"; do
    [[ "$n" =~ ^[0-9]+$ && "$n" -gt 0 ]] || { echo "run.sh: '$n' is not a positive whole number" >&2; exit 2; }
done
: "${JDKS:=17}"   # JDK 25 too: --jdk 17,25 (about twice as long), or --jdk 25 alone
CONTENDERS=()
for jdk in ${JDKS//,/ }; do
    case "$jdk" in
        17) CONTENDERS+=(alone jcluster) ;;
        25) [ -x "$JDK25_HOME/bin/java" ] || { echo "run.sh: no JDK 25 at $JDK25_HOME (set JDK25_HOME)" >&2; exit 2; }
            CONTENDERS+=(alone-25 jcluster-25) ;;
        *) echo "run.sh: --jdk takes 17, 25 or 17,25" >&2; exit 2 ;;
    esac
done
: "${SEED:=$(( $(date +%s) % 32768 ))}"

make_work
need_tools
build_jcluster
if [ ! -f "$APP_JAR" ]; then
    log "building the Spring Boot jar (mvn -B -q package in frameworks/apps/spring-boot)"
    { mvn -B -q -o -DskipTests -f "$APP_DIR/pom.xml" package || mvn -B -q -DskipTests -f "$APP_DIR/pom.xml" package; } \
        > "$WORK/mvn-app.log" 2>&1 || { tail -30 "$WORK/mvn-app.log" >&2; die "could not build $APP_JAR"; }
fi
compile_open_loop
PORT=$(free_port)
CLUSTER_NAME="bench-sb-$$"
export JCLUSTER_HOME="$WORK/jcluster-home"   # a registry of our own: the cluster never meets a user's

contender_command() {  # sets CMD and EXPECT for contender $1
    local home=$JDK17_HOME
    [[ "$1" == *-25 ]] && home=$JDK25_HOME
    case "$1" in
        alone*)    EXPECT=1; CMD=(env JAVA_HOME="$home" "$home/bin/java" -jar "$APP_JAR" --server.port="$PORT") ;;
        jcluster*) EXPECT=2   # bin/jcluster runs the first java on PATH; the workers use the primary's
                   CMD=(env JAVA_HOME="$home" PATH="$home/bin:$PATH" "$ROOT/bin/jcluster" start "$APP_JAR" -i 2
                        --name "$CLUSTER_NAME" -- --server.port="$PORT") ;;
    esac
}

measure() {            # measure CONTENDER ROUND
    local c=$1 r=$2 logf="$WORK/$1.r$2.log"
    contender_command "$c"
    log "round $r: $c: ${CMD[*]}"
    load_avg "$c" "$r"
    start_server "$logf" "${CMD[@]}"
    wait_ready "$c" "$r" "$EXPECT" "$logf" || die "$c did not start (log: $logf)"
    if [ "$r" = 1 ]; then
        "${PROBE[@]}" head --record "$RECORDS" --round "$r" --contender "$c" --port "$PORT" | sed 's/^/    /'
        local w
        for w in $PRIMARY $(descendants_of "$PRIMARY"); do
            [ "$(cat "/proc/$w/comm" 2>/dev/null)" = java ] || continue
            printf '%s\t%s\n' "$c" "$(tr '\0' ' ' < "/proc/$w/cmdline")" >> "$WORK/cmdlines.tsv"
        done
    fi
    sleep 2   # Spring Boot logs and settles after its first answer
    "${PROBE[@]}" rss --record "$RECORDS" --round "$r" --contender "$c" --primary "$PRIMARY" | sed 's/^/    /'
    log "  warm-up (not counted): wrk keep-alive ${WARMUP}s, Connection: close $(( (WARMUP + 1) / 2 ))s"
    wrk_run "$c" "$r" keepalive "$WARMUP"
    wrk_run "$c" "$r" close $(( (WARMUP + 1) / 2 ))
    sample_start "$c" "$r"
    load_avg "$c" "$r"
    wrk_run "$c" "$r" keepalive "$DURATION" counted
    load_avg "$c" "$r"
    wrk_run "$c" "$r" close "$DURATION" counted
    for pct in 50 80; do
        load_avg "$c" "$r"
        open_loop "$c" "$r" "$pct" "$OPEN_SECONDS"
    done
    sample_stop
    load_avg "$c" "$r"
    if [[ "$c" == jcluster* ]]; then
        "${PROBE[@]}" kill --record "$RECORDS" --round "$r" --contender "$c" --port "$PORT" --primary "$PRIMARY" \
            --expect 2 --deadline "$KILL_DEADLINE" | sed 's/^/    /'
        stop_and_wait_port
    else   # one JVM: kill -9, then a plain restart at once; from the kill to its first 200
        local t_kill
        t_kill=$(date +%s%N)
        kill -KILL "$SERVER_PID"
        wait "$SERVER_PID" 2>/dev/null || true
        SERVER_PID=""
        local deadline=$((SECONDS + 10))
        while port_in_use "$PORT" && [ $SECONDS -lt $deadline ]; do sleep 0.01; done
        start_server "$logf.restart" "${CMD[@]}"
        wait_ready "$c/restart" "$r" 1 "$logf.restart" "$t_kill" || die "$c did not restart (log: $logf.restart)"
        stop_and_wait_port
    fi
}

STAMP="$(date -u +%Y%m%d-%H%M%S)-$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo nocommit)"
{
    machine_facts
    printf 'command\t%s\n' "bench/springboot/run.sh${*:+ $*} (rounds $ROUNDS, warm-up ${WARMUP}s, runs ${DURATION}s, open loop ${OPEN_SECONDS}s, seed $SEED)"
    printf 'port\t%s\n' "$PORT"
    printf 'app\t%s (%s MB)\n' "${APP_JAR#"$ROOT"/}" "$(( $(stat -c %s "$APP_JAR") / 1048576 ))"
    printf 'java 17\t%s\n' "$("$JDK17_HOME/bin/java" -version 2>&1 | head -2 | tr '\n' ' ')"
    [[ "$JDKS" == *25* ]] && printf 'java 25\t%s\n' "$("$JDK25_HOME/bin/java" -version 2>&1 | head -2 | tr '\n' ' ')"
    printf 'wrk\t-t%s -c%s, --latency, --timeout 5s\n' "${WRK_THREADS:-2}" "${WRK_CONNECTIONS:-64}"
} > "$WORK/meta.tsv"
: > "$WORK/cmdlines.tsv"
log "$NAME: contenders ${CONTENDERS[*]}; $ROUNDS round(s); port $PORT; seed $SEED; work $WORK"

log "round 0 (not measured): each contender started and stopped once"
for c in "${CONTENDERS[@]}"; do
    contender_command "$c"
    start_server "$WORK/$c.r0.log" "${CMD[@]}"
    wait_ready "$c" 0 "$EXPECT" "$WORK/$c.r0.log" || die "$c did not start (log: $WORK/$c.r0.log)"
    stop_and_wait_port
done

for r in $(seq 1 "$ROUNDS"); do
    mapfile -t order < <(python3 -c 'import random, sys; n = sys.argv[3:]; random.Random(int(sys.argv[1]) * 100 + int(sys.argv[2])).shuffle(n); print("\n".join(n))' "$SEED" "$r" "${CONTENDERS[@]}")
    printf 'order, round %s\t%s\n' "$r" "${order[*]}" >> "$WORK/meta.tsv"
    for c in "${order[@]}"; do measure "$c" "$r"; done
done

mkdir -p "$HERE/results"
cp "$RECORDS" "$HERE/results/$STAMP.jsonl"
python3 "$HERE/report.py" --work "$WORK" --out "$HERE/results/$STAMP.md"
log "results: bench/springboot/results/$STAMP.md and .jsonl"
