#!/usr/bin/env bash
# jcluster across hosts behind a real HAProxy: three hosts as Linux network namespaces on one bridge, a
# `bin/jcluster start` of the demo app in each on the host's own address, HAProxy in front (127.0.0.1) with health
# checks on each host's /readyz, and wrk through it. Three scenarios, each under load:
#   sigterm  one host's primary gets SIGTERM (what Kubernetes and systemd send): /readyz turns 503 at once,
#            HAProxy takes the host out, it drains and exits; then it is started again and rejoins.
#   reload   a rolling reload of every host, one after another.
#   loss     one host lost abruptly (its link down): failures only while HAProxy has not yet marked it down;
#            then the link comes back and the host rejoins.
# Prints one table row per scenario (requests, failed, and for loss the window) and checks the goals; exits 1 when
# one is missed. Needs root (ip netns) and installs haproxy and wrk from Debian when they are missing. Every
# namespace, link and process it made is removed at the end, also on failure or Ctrl-C.
#
#   deploy/haproxy/run.sh [--quick] [--workers N] [--keep-logs]
#   JCLUSTER=path/to/bin/jcluster   the jcluster to run (default: this checkout's, built on first use)
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
jcluster="${JCLUSTER:-$root/bin/jcluster}"
quick=0
workers=2
keep_logs=0
while [[ $# -gt 0 ]]; do
  case "$1" in
    --quick) quick=1 ;;
    --workers) workers="$2"; shift ;;
    --keep-logs) keep_logs=1 ;;
    *) echo "usage: $0 [--quick] [--workers N] [--keep-logs]" >&2; exit 2 ;;
  esac
  shift
done
duration=$((quick ? 10 : 30))   # seconds of load per scenario
connections=$((quick ? 16 : 64))

[[ $(id -u) == 0 ]] || { echo "run.sh: needs root (ip netns)" >&2; exit 2; }
need() {
  command -v "$1" >/dev/null 2>&1 && return
  echo "run.sh: installing $2 from Debian..." >&2
  { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$2"; } >/dev/null 2>&1 \
    || { echo "run.sh: could not install $2" >&2; exit 2; }
}
need haproxy haproxy
need wrk wrk
need curl curl
need ip iproute2

hello="$(ls "$root"/examples/hello/target/jcluster-example-hello-*.jar 2>/dev/null | grep -v sources | head -1 || true)"
if [[ -z "$hello" ]]; then
  (cd "$root" && mvn -B -q -Dmaven.test.skip=true -pl examples/hello -am package) >/dev/null
  hello="$(ls "$root"/examples/hello/target/jcluster-example-hello-*.jar | head -1)"
fi

# ---- the hosts ----
tag="jc$$"                       # names of this run's namespaces and links (short: link names hold 15 bytes)
net=10.77.$(( $$ % 200 + 20 ))   # a /24 of its own, so two runs never share addresses
bridge="${tag}br"
work="$(mktemp -d -t jcluster-haproxy.XXXXXX)"
# Below the kernel's ephemeral ports (32768-60999 by default): one picked from inside them was taken by another
# process's connection once in CI (haproxy: "cannot bind socket (Address already in use)" for its stats port).
low=$(cut -f1 /proc/sys/net/ipv4/ip_local_port_range 2>/dev/null || echo 32768)
front=$(( 10000 + $$ % ( low > 12000 ? low - 10002 : 2000 ) ))
stats=$(( front + 1 ))
pids=()
cleanup() {
  set +e
  for p in "${pids[@]}"; do kill -9 "$p" 2>/dev/null; done
  for h in 1 2 3; do
    if ip netns list 2>/dev/null | grep -qw "${tag}h$h"; then
      ip netns pids "${tag}h$h" 2>/dev/null | xargs -r kill -9 2>/dev/null
      ip netns del "${tag}h$h" 2>/dev/null
    fi
    ip link del "${tag}h${h}o" 2>/dev/null
  done
  ip link del "$bridge" 2>/dev/null
  if [[ $keep_logs == 1 ]]; then echo "logs: $work" >&2; else rm -rf "$work"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

ip link add "$bridge" type bridge
ip addr add "$net.1/24" dev "$bridge"
ip link set "$bridge" up
for h in 1 2 3; do
  ns="${tag}h$h"
  ip netns add "$ns"
  ip link add "${tag}h${h}o" type veth peer name eth0 netns "$ns"
  ip link set "${tag}h${h}o" master "$bridge" up
  ip -n "$ns" addr add "$net.1$h/24" dev eth0
  ip -n "$ns" link set eth0 up
  ip -n "$ns" link set lo up
done

host_addr() { echo "$net.1$1"; }

# Starts host $1's cluster in the foreground (in the background of this script), registry and logs its own.
start_host() {
  local h=$1 addr; addr="$(host_addr "$1")"
  mkdir -p "$work/h$h"
  ip netns exec "${tag}h$h" env JCLUSTER_HOME="$work/h$h" "$jcluster" start "$hello" --name "h$h" \
    --instances "$workers" --admin "$addr:8001" --drain-timeout 10s -- --port 8000 --host "$addr" \
    >>"$work/h$h/out.log" 2>&1 &
  pids+=($!)
  echo $! >"$work/h$h/pid"
}

ready_code() { curl -s -o /dev/null -m 1 -w '%{http_code}' "http://$(host_addr "$1"):8001/readyz" || true; }

# wait_until SECONDS DESCRIPTION COMMAND...: polls COMMAND every 10 ms; fails the run at the deadline.
wait_until() {
  local deadline=$((SECONDS + $1)) what=$2
  shift 2
  until "$@"; do
    if (( SECONDS > deadline )); then echo "run.sh: $what did not happen in time" >&2; exit 1; fi
    sleep 0.01
  done
}
not_ready() { [[ "$(ready_code "$1")" != 200 ]]; }
gone() { ! kill -0 "$1" 2>/dev/null; }

await_ready() {
  local h=$1 deadline=$((SECONDS + 90))
  until [[ "$(ready_code "$h")" == 200 ]]; do
    if (( SECONDS > deadline )); then
      echo "host $h did not become ready in 90 s:" >&2; tail -20 "$work/h$h/out.log" >&2; exit 1
    fi
    sleep 0.2
  done
}

for h in 1 2 3; do start_host "$h"; done
for h in 1 2 3; do await_ready "$h"; done

# ---- HAProxy ----
cat >"$work/haproxy.cfg" <<EOF
global
    log stdout format raw local0
    maxconn 4096
defaults
    mode http
    log global
    option httplog
    # When the request was accepted (epoch seconds and milliseconds, zero-padded: epoch ms), server, status, termination state, total time: what is counted.
    log-format "%Ts%ms %b/%s %ST %ts %Ta"
    timeout connect 1s
    timeout client 30s
    timeout server 5s
    # A connection refused, or a keep-alive connection a draining server closed before answering: retried on
    # another server (the request was never processed), as a production configuration does.
    retries 2
    retry-on conn-failure empty-response
    option redispatch 1
    http-reuse safe
frontend web
    bind 127.0.0.1:$front
    default_backend hosts
frontend stats
    bind 127.0.0.1:$stats
    stats enable
    stats uri /stats
backend hosts
    balance roundrobin
    option httpchk GET /readyz
    http-check expect status 200
    default-server check port 8001 inter 500ms fastinter 250ms fall 1 rise 2
    server h1 $(host_addr 1):8000
    server h2 $(host_addr 2):8000
    server h3 $(host_addr 3):8000
EOF
haproxy -c -f "$work/haproxy.cfg" >/dev/null
haproxy -db -f "$work/haproxy.cfg" >"$work/haproxy.log" 2>&1 &
pids+=($!)
haproxy_pid=$!
deadline=$((SECONDS + 20))
until curl -s -o /dev/null -m 1 "http://127.0.0.1:$front/"; do
  (( SECONDS < deadline )) || { echo "haproxy did not start:" >&2; cat "$work/haproxy.log" >&2; exit 1; }
  sleep 0.2
done

# The state HAProxy holds for server $1 (UP, DOWN, ...), from its stats CSV.
server_state() { curl -s -m 1 "http://127.0.0.1:$stats/stats;csv" | awk -F, -v s="$1" '$1=="hosts" && $2==s {print $18}'; }
await_state() {
  local s=$1 want=$2 deadline=$((SECONDS + 60))
  until [[ "$(server_state "$s")" == "$want"* ]]; do
    (( SECONDS < deadline )) || { echo "HAProxy never saw $s $want" >&2; exit 1; }
    sleep 0.1
  done
}
for h in 1 2 3; do await_state "h$h" UP; done

now_ms() { date +%s%3N; }

# Runs wrk for the scenario's duration in the background; sets wrk_pid and wrk_out.
load() {
  wrk_out="$work/wrk-$1.txt"
  wrk -t2 -c"$connections" -d"${duration}s" --timeout 5s --latency "http://127.0.0.1:$front/" >"$wrk_out" 2>&1 &
  wrk_pid=$!
  pids+=($wrk_pid)
  log_from=$(wc -l <"$work/haproxy.log")
}
# After wrk ends: requests and failures (wrk's socket errors and non-2xx, and HAProxy's own log of failed requests).
finish() {
  wait "$wrk_pid"
  requests=$(awk '/requests in/ {print $1}' "$wrk_out")
  non2xx=$(awk '/Non-2xx/ {print $NF}' "$wrk_out"); non2xx=${non2xx:-0}
  sockerr=$(awk '/Socket errors/ {gsub(/,/,""); print $4+$6+$8+$10}' "$wrk_out"); sockerr=${sockerr:-0}
  # Request lines are "accepted-epoch-ms backend/server status termination total-ms"; a failure is a status
  # of 5xx or -1/0 (no answer), or a termination state other than "--".
  tail -n +"$((log_from + 1))" "$work/haproxy.log" | awk 'NF == 5 && $2 ~ /^hosts\// && ($3 >= 500 || $3 <= 0 || $4 != "--")' \
    >"$work/failed-$1.log" || true
  proxy_failed=$(wc -l <"$work/failed-$1.log")
}

declare -A result
missed=0
goal() { # goal NAME CONDITION-MET(0/1) DETAIL
  if [[ $2 == 1 ]]; then echo "  [MET]    $1 ($3)"; else echo "  [MISSED] $1 ($3)"; missed=1; fi
}

# ---- scenario: SIGTERM to one host's primary ----
echo "== sigterm: host 1's primary gets SIGTERM under load"
load sigterm
sleep 3
t0=$(now_ms)
kill -TERM "$(cat "$work/h1/pid")"
wait_until 10 "host 1's /readyz turning non-200 after SIGTERM" not_ready 1
t_ready=$(( $(now_ms) - t0 ))
await_state h1 DOWN
t_down=$(( $(now_ms) - t0 ))
wait_until 60 "host 1's primary exiting after SIGTERM" gone "$(cat "$work/h1/pid")"
t_exit=$(( $(now_ms) - t0 ))
finish sigterm
failed=$((non2xx + sockerr))
echo "  /readyz not 200 after ${t_ready} ms; HAProxy marked it DOWN after ${t_down} ms; the primary exited after ${t_exit} ms"
echo "  requests $requests, failed $failed (wrk: $non2xx non-2xx, $sockerr socket errors; HAProxy logged $proxy_failed)"
# "At once": well inside one health-check interval of HAProxy's (500 ms) plus the poll's own curl; a loaded 2-core
# machine keeps 2 s.
goal "/readyz turns 503 at once (< 2 s, measured by polling with curl)" $(( t_ready < 2000 )) "${t_ready} ms"
goal "0 failed requests" $(( failed == 0 && proxy_failed == 0 )) "$failed failed, $proxy_failed in HAProxy's log"
result[sigterm]="| SIGTERM to one host's primary | $requests | $failed | /readyz 503 after ${t_ready} ms, out of HAProxy after ${t_down} ms, exited after ${t_exit} ms |"
start_host 1
await_ready 1
await_state h1 UP

# ---- scenario: rolling reload of every host ----
echo "== reload: every host reloaded, one after another, under load"
load reload
sleep 2
t0=$(now_ms)
for h in 1 2 3; do
  ip netns exec "${tag}h$h" env JCLUSTER_HOME="$work/h$h" "$jcluster" reload "h$h" >>"$work/h$h/reload.log" 2>&1 \
    || { echo "reload of host $h failed:" >&2; cat "$work/h$h/reload.log" >&2; exit 1; }
done
t_reload=$(( $(now_ms) - t0 ))
finish reload
failed=$((non2xx + sockerr))
echo "  3 hosts reloaded in ${t_reload} ms; requests $requests, failed $failed (HAProxy logged $proxy_failed)"
goal "0 failed requests" $(( failed == 0 && proxy_failed == 0 )) "$failed failed, $proxy_failed in HAProxy's log"
result[reload]="| rolling reload of 3 hosts × $workers workers | $requests | $failed | all reloaded in ${t_reload} ms |"

# ---- scenario: a host lost abruptly ----
echo "== loss: host 2's link goes down under load, then comes back"
load loss
sleep 3
t0=$(now_ms)
ip link set "${tag}h2o" down
await_state h2 DOWN
t_down_abs=$(now_ms)
t_down=$(( t_down_abs - t0 ))
sleep 3
ip link set "${tag}h2o" master "$bridge" up
await_state h2 UP
t_up=$(( $(now_ms) - t0 ))
finish loss
failed=$((non2xx + sockerr))
# Failures HAProxy logged, by when each request was accepted: before it marked the host down (the health-check
# window) or after.
after=$(awk -v t="$t_down_abs" '$1 > t { n++ } END { print n + 0 }' "$work/failed-loss.log")
within=$(( proxy_failed - after ))
echo "  link down → HAProxy marked h2 DOWN after ${t_down} ms; back UP after ${t_up} ms"
echo "  requests $requests, failed $failed (wrk: $non2xx non-2xx, $sockerr socket errors); HAProxy logged $proxy_failed: $within accepted before the DOWN, $after after"
goal "failures only in the health-check window" $(( after == 0 )) "$after failed requests accepted after h2 was marked DOWN"
goal "the host rejoins" 1 "UP after ${t_up} ms"
result[loss]="| one host's link down for ~3 s | $requests | $failed | $within failed in the window: link down → out of HAProxy in ${t_down} ms; 0 after; rejoined after ${t_up} ms |"

echo
echo "| scenario (3 hosts × $workers workers, wrk -c$connections ${duration}s through HAProxy $(haproxy -v | awk 'NR==1{print $3}')) | requests | failed | notes |"
echo "|---|---|---|---|"
echo "${result[sigterm]}"
echo "${result[reload]}"
echo "${result[loss]}"
exit $missed
