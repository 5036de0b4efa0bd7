#!/usr/bin/env bash
# reliability/peers/run.sh — the hello example behind the proxies people put in front of it, and a strict client.
#
# Starts, as real processes: a 2-worker cluster of the hello example (`bin/jcluster start`), HAProxy and nginx in
# front of it (keep-alive to the upstream). Then, through each proxy, with wrk:
#   - REQUESTS requests with keep-alive, and REQUESTS with `Connection: close` (a new client connection each);
#   - the same two while the workers are reloaded (`bin/jcluster reload`, one after the other; such a run goes on
#     until MIN_RELOADS reloads completed and REQUESTS requests were answered).
# Goals, per run: 0 wrk socket errors, 0 non-200 answers, 0 proxy-side errors (HAProxy: log lines whose status is
# not 200 or whose termination state is not "--", and `show errors`; nginx: access-log lines whose status or
# upstream status is not 200, error-log lines of level warn and above). Requests that wrk itself abandons when a
# run's time is up (HAProxy "400 CR" without a server, nginx 499 without an upstream status) are counted apart,
# as "wrk's end-of-run drops"; a request wrk gave up on before that would be a wrk timeout, a socket error. Then undici (Node's strict HTTP/1.1 client,
# pipelining) over the valid requests of the conformance corpus, directly and through each proxy: 0 errors.
#
# Usage: reliability/peers/run.sh [--short] [--doc FILE]
#   (default) the long form: 20,000 requests per run, at least 2 reloads per reload run
#   --short   2,000 requests per run, 1 reload per reload run (wrk in 2 s slices): the form `mvn verify` runs (PeersIT)
#   --doc F   write the figures into F, between the lines <!-- peers:begin --> and <!-- peers:end -->
# Installs what is missing: wrk, haproxy, nginx (apt-get), undici (npm ci here). Needs the built
# jcluster-cli/target/jcluster.jar. Everything it starts runs in its own process group and is stopped on exit,
# error or interrupt. Exit status: 0 every goal met; 1 a goal missed; 2 the harness broke; 3 a tool could not be
# installed (the test then skips, saying which).
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
JAR="$ROOT/jcluster-cli/target/jcluster.jar"
FORM=long
DOC=""
while [ $# -gt 0 ]; do
    case "$1" in
        --short) FORM=short ;;
        --doc) DOC=${2:?--doc needs a file}; shift ;;
        -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
        *) echo "peers: unknown argument '$1'" >&2; exit 2 ;;
    esac
    shift
done
# MAX_RELOADS (0: no limit): the short form stops reloading after its one reload, so that its run ends at the next
# slice (instead of waiting, without load, for a second reload that started meanwhile).
if [ "$FORM" = short ]; then REQUESTS=2000; MIN_RELOADS=1; MAX_RELOADS=1; ROUNDS=20; SLICE=2
else REQUESTS=20000; MIN_RELOADS=2; MAX_RELOADS=0; ROUNDS=200; SLICE=10; fi
WRK_THREADS=2
WRK_CONNECTIONS=32

say() { echo "peers: $*" >&2; }
broke() { say "$*"; exit 2; }

# --- tools ---
APT_UPDATED=0
need() { # need COMMAND PACKAGE
    command -v "$1" >/dev/null 2>&1 && return 0
    say "installing $2 (apt-get)"
    if [ "$APT_UPDATED" = 0 ]; then apt-get update -qq >/dev/null 2>&1 || true; APT_UPDATED=1; fi
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$2" >/dev/null 2>&1 || true
    command -v "$1" >/dev/null 2>&1 || { say "SKIP: cannot install $2 with apt-get"; exit 3; }
}
need wrk wrk
need haproxy haproxy
need nginx nginx
need curl curl
command -v node >/dev/null 2>&1 || { say "SKIP: node is not installed (undici needs Node >= 20.18.1)"; exit 3; }
if [ ! -d "$HERE/node_modules/undici" ]; then
    (cd "$HERE" && npm ci --no-audit --no-fund >/dev/null 2>&1) || { say "SKIP: cannot install undici (npm ci)"; exit 3; }
fi
[ -f "$JAR" ] || broke "no $JAR: build it first (mvn -B -q -DskipTests package -pl jcluster-cli -am)"

# --- processes, cleaned up whatever happens ---
TMP=$(mktemp -d /tmp/jcluster-peers.XXXXXX)
NAME="peers-$$"
GROUPS_STARTED=()
OK=0
cleanup() {
    trap - EXIT INT TERM
    "$ROOT/bin/jcluster" stop "$NAME" --timeout 10s >/dev/null 2>&1 || true
    for pg in "${GROUPS_STARTED[@]}"; do kill -TERM -- "-$pg" 2>/dev/null || true; done
    local left tries=0
    while [ $tries -lt 20 ]; do # up to 2 s for the groups to go, then SIGKILL what is left
        left=0
        for pg in "${GROUPS_STARTED[@]}"; do kill -0 -- "-$pg" 2>/dev/null && left=1; done
        [ "$left" = 0 ] && break
        sleep 0.1; tries=$((tries + 1))
    done
    for pg in "${GROUPS_STARTED[@]}"; do kill -KILL -- "-$pg" 2>/dev/null || true; done
    if [ "$OK" = 1 ]; then rm -rf "$TMP"; else say "logs kept in $TMP"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM
start_group() { # start_group LOG COMMAND...: runs COMMAND in a new process group; sets STARTED_PID
    local log=$1; shift
    setsid "$@" >"$log" 2>&1 < /dev/null &
    STARTED_PID=$!
    GROUPS_STARTED+=("$STARTED_PID")
}

read -r APP_PORT HAPROXY_PORT NGINX_PORT < <(python3 -c '
import socket
socks = [socket.socket() for _ in range(3)]
for s in socks: s.bind(("127.0.0.1", 0))
print(*[s.getsockname()[1] for s in socks])
for s in socks: s.close()')

wait_200() { # wait_200 URL SECONDS
    local deadline=$((SECONDS + $2))
    while [ $SECONDS -lt $deadline ]; do
        [ "$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 "$1" || true)" = 200 ] && return 0
        sleep 0.3
    done
    return 1
}

say "cluster $NAME on $APP_PORT (2 workers), HAProxy on $HAPROXY_PORT, nginx on $NGINX_PORT; logs in $TMP"
start_group "$TMP/cluster.log" "$ROOT/bin/jcluster" start --main-class io.jcluster.examples.hello.HelloApp \
    --classpath "$JAR" --name "$NAME" -i 2 -- --port "$APP_PORT"
wait_200 "http://127.0.0.1:$APP_PORT/" 90 || { tail -20 "$TMP/cluster.log" >&2; broke "the cluster did not answer"; }

# HAProxy: keep-alive on both sides, idle server connections reused (http-reuse always) and dropped before the
# app's 5 s keep-alive timeout would close them (pool-purge-delay 2s); a request that meets a connection the
# server is closing at that moment is retried (retry-on), as RFC 9112 §9.3.1 allows for idempotent requests.
cat > "$TMP/haproxy.cfg" <<EOF
global
    log stdout format raw local0
    stats socket $TMP/haproxy.sock mode 600 level admin
    maxconn 4096
defaults
    mode http
    log global
    log-format "%ST %tsc %rc %b/%s"
    option dontlognull
    option http-keep-alive
    timeout connect 5s
    timeout client 30s
    timeout server 30s
    timeout http-keep-alive 10s
    retries 3
    retry-on conn-failure empty-response response-timeout
    http-reuse always
frontend web
    bind 127.0.0.1:$HAPROXY_PORT
    default_backend jcluster
backend jcluster
    server app 127.0.0.1:$APP_PORT pool-purge-delay 2s
EOF
haproxy -c -f "$TMP/haproxy.cfg" >/dev/null 2>&1 || { haproxy -c -f "$TMP/haproxy.cfg" >&2 || true; broke "bad HAProxy configuration"; }
start_group "$TMP/haproxy.log" haproxy -db -f "$TMP/haproxy.cfg"
HAPROXY_PID=$STARTED_PID

# nginx: HTTP/1.1 and keep-alive to the upstream, idle upstream connections closed at 4 s (before the app's 5 s).
mkdir -p "$TMP/nginx"
cat > "$TMP/nginx.conf" <<EOF
user root root;
worker_processes 1;
pid $TMP/nginx/nginx.pid;
error_log $TMP/nginx-error.log warn;
events { worker_connections 4096; }
http {
    log_format peers '\$status \$upstream_status';
    access_log $TMP/nginx-access.log peers;
    client_body_temp_path $TMP/nginx/body;
    proxy_temp_path $TMP/nginx/proxy;
    fastcgi_temp_path $TMP/nginx/fastcgi;
    uwsgi_temp_path $TMP/nginx/uwsgi;
    scgi_temp_path $TMP/nginx/scgi;
    upstream jcluster {
        server 127.0.0.1:$APP_PORT;
        keepalive 32;
        keepalive_timeout 4s;
    }
    server {
        listen 127.0.0.1:$NGINX_PORT;
        keepalive_requests 1000000;
        location / {
            proxy_pass http://jcluster;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
        }
    }
}
EOF
: > "$TMP/nginx-error.log"; : > "$TMP/nginx-access.log"
nginx -t -c "$TMP/nginx.conf" -p "$TMP/nginx" -g 'daemon off;' >/dev/null 2>&1 \
    || { nginx -t -c "$TMP/nginx.conf" -p "$TMP/nginx" -g 'daemon off;' >&2 || true; broke "bad nginx configuration"; }
start_group "$TMP/nginx.out" nginx -c "$TMP/nginx.conf" -p "$TMP/nginx" -g 'daemon off;'
NGINX_PID=$STARTED_PID
wait_200 "http://127.0.0.1:$HAPROXY_PORT/" 30 || broke "HAProxy did not answer"
wait_200 "http://127.0.0.1:$NGINX_PORT/" 30 || broke "nginx did not answer"

# --- the proxies' own accounts ---
lines() { wc -l < "$1" | tr -d ' '; }
haproxy_errors() { # haproxy_errors FROM_LINE: bad log lines since then
    tail -n +"$(($1 + 1))" "$TMP/haproxy.log" \
        | awk '$1 ~ /^[0-9]+$/ && ($1 != 200 || substr($2, 1, 2) != "--") && !($1 == 400 && $2 ~ /^CR/ && $4 ~ /<NOSRV>/)' \
        | wc -l | tr -d ' '
}
haproxy_client_drops() { # what wrk dropped at the end of its runs: never reached the server
    tail -n +"$(($1 + 1))" "$TMP/haproxy.log" | awk '$1 == 400 && $2 ~ /^CR/ && $4 ~ /<NOSRV>/' | wc -l | tr -d ' '
}
nginx_client_drops() { # 499 before the upstream answered: wrk closed the connection at the end of a run
    tail -n +"$(($1 + 1))" "$TMP/nginx-access.log" | awk '$1 == 499 && $2 == "-"' | wc -l | tr -d ' '
}
haproxy_retries() {
    tail -n +"$(($1 + 1))" "$TMP/haproxy.log" | awk '$1 ~ /^[0-9]+$/ && $3 ~ /^\+?[1-9]/' | wc -l | tr -d ' '
}
haproxy_show_errors() {
    python3 - "$TMP/haproxy.sock" <<'PY'
import socket, sys, re
s = socket.socket(socket.AF_UNIX); s.connect(sys.argv[1]); s.sendall(b"show errors\n")
out = b""
while True:
    d = s.recv(65536)
    if not d: break
    out += d
print(sum(int(n) for n in re.findall(rb"Total events captured on .*: (\d+)", out)))
PY
}
nginx_errors() { # nginx_errors FROM_ACCESS_LINE FROM_ERROR_LINE
    local a e
    a=$(tail -n +"$(($1 + 1))" "$TMP/nginx-access.log" | awk '($1 != 200 || $2 != "200") && !($1 == 499 && $2 == "-")' \
        | wc -l | tr -d ' ')
    e=$(tail -n +"$(($2 + 1))" "$TMP/nginx-error.log" | grep -c '\[\(warn\|error\|crit\|alert\|emerg\)\]' || true)
    echo $((a + e))
}

# --- the runs ---
RESULTS=()
FAILED=0
run_wrk() { # run_wrk PROXY PORT MODE(keep-alive|close) RELOAD(0|1)
    # wrk runs for a duration: runs of SLICE seconds are repeated until REQUESTS were answered (and, when
    # reloading, MIN_RELOADS reloads completed), their counts summed.
    local proxy=$1 port=$2 mode=$3 reload=$4
    local hdr=() reloads=0 reloader="" slice=$SLICE start=$SECONDS i=0
    [ "$mode" = close ] && hdr=(-H "Connection: close")
    local hl al el
    hl=$(lines "$TMP/haproxy.log"); al=$(lines "$TMP/nginx-access.log"); el=$(lines "$TMP/nginx-error.log")
    local done_file="$TMP/reloads-$proxy-$mode" stop_file="$TMP/stop-reloading-$proxy-$mode"
    : > "$done_file"
    if [ "$reload" = 1 ]; then
        ( while [ ! -f "$stop_file" ] && { [ "$MAX_RELOADS" = 0 ] || [ "$(lines "$done_file")" -lt "$MAX_RELOADS" ]; }; do
              if "$ROOT/bin/jcluster" reload "$NAME" >>"$TMP/reload.log" 2>&1; then echo ok >> "$done_file"
              else echo "reload failed" >> "$TMP/reload.log"; sleep 1; fi
          done ) &
        reloader=$!
    fi
    local requests=0 non200=0 sock=0 secs=0 out
    while { [ "$requests" -lt "$REQUESTS" ] || { [ "$reload" = 1 ] && [ "$(lines "$done_file")" -lt "$MIN_RELOADS" ]; }; } \
            && [ $((SECONDS - start)) -lt 300 ]; do
        i=$((i + 1)); out="$TMP/wrk-$proxy-$mode-$reload-$i.txt"
        wrk -t"$WRK_THREADS" -c"$WRK_CONNECTIONS" -d"${slice}s" --timeout 10s -s "$HERE/count.lua" "${hdr[@]}" \
            "http://127.0.0.1:$port/" > "$out" 2>&1 || true
        local r n s
        r=$(sed -n 's/^COUNT requests=\([0-9]*\).*/\1/p' "$out"); n=$(sed -n 's/^COUNT .*non200=\([0-9]*\).*/\1/p' "$out")
        s=$(sed -n 's/.*Socket errors: connect \([0-9]*\), read \([0-9]*\), write \([0-9]*\), timeout \([0-9]*\).*/\1 \2 \3 \4/p' "$out" \
            | awk '{print $1 + $2 + $3 + $4}')
        [ -n "$r" ] || { sed -n '1,20p' "$out" >&2; broke "wrk failed"; }
        requests=$((requests + r)); non200=$((non200 + ${n:-0})); sock=$((sock + ${s:-0})); secs=$((secs + slice))
    done
    if [ -n "$reloader" ]; then
        # The reload under way finishes (it may still be draining an old worker), then the loop ends.
        touch "$stop_file"
        local waited=0
        while kill -0 "$reloader" 2>/dev/null && [ $waited -lt 120 ]; do sleep 1; waited=$((waited + 1)); done
        kill "$reloader" 2>/dev/null || true; wait "$reloader" 2>/dev/null || true
        reloads=$(lines "$done_file")
    fi
    # A proxy that died during the run (not by our hand) makes the run meaningless: say so.
    for p in "haproxy:$HAPROXY_PID" "nginx:$NGINX_PID"; do
        kill -0 "${p#*:}" 2>/dev/null || broke "${p%%:*} (pid ${p#*:}) died during the $proxy $mode run (killed from outside?)"
    done
    local rps=$((requests / (secs > 0 ? secs : 1))) perr retries
    # The proxy writes its last log lines: one per answered request (at most 5 s).
    local log="$TMP/haproxy.log" from=$hl deadline=$((SECONDS + 5))
    [ "$proxy" = nginx ] && { log="$TMP/nginx-access.log"; from=$al; }
    while [ $(($(lines "$log") - from)) -lt "$requests" ] && [ $SECONDS -lt $deadline ]; do sleep 0.1; done
    local drops="-"
    if [ "$proxy" = haproxy ]; then perr=$(haproxy_errors "$hl"); retries=$(haproxy_retries "$hl"); drops=$(haproxy_client_drops "$hl")
    else perr=$(nginx_errors "$al" "$el"); retries="-"; drops=$(nginx_client_drops "$al"); fi
    local verdict=met
    if [ "$requests" -lt "$REQUESTS" ] || [ "$non200" != 0 ] || [ "$sock" != 0 ] || [ "$perr" != 0 ] \
        || { [ "$reload" = 1 ] && [ "$reloads" -lt "$MIN_RELOADS" ]; }; then verdict="NOT MET"; FAILED=1; fi
    local what="$mode"; [ "$reload" = 1 ] && what="$mode, reloading"
    RESULTS+=("| $proxy | $what | $requests | $rps | $sock | $non200 | $perr | $retries | $drops | $([ "$reload" = 1 ] && echo "$reloads" || echo -) | $verdict |")
    say "$proxy $what: $requests requests ($rps/s), socket errors $sock, non-200 $non200, proxy errors $perr, retries $retries, wrk's end-of-run drops $drops, reloads $reloads: $verdict"
}

for proxy in haproxy nginx; do
    port=$HAPROXY_PORT; [ "$proxy" = nginx ] && port=$NGINX_PORT
    for mode in keep-alive close; do
        run_wrk "$proxy" "$port" "$mode" 0
    done
done
for proxy in haproxy nginx; do
    port=$HAPROXY_PORT; [ "$proxy" = nginx ] && port=$NGINX_PORT
    for mode in keep-alive close; do
        run_wrk "$proxy" "$port" "$mode" 1
    done
done
SHOW_ERRORS=$(haproxy_show_errors || echo "?")
[ "$SHOW_ERRORS" = 0 ] || { FAILED=1; say "HAProxy show errors: $SHOW_ERRORS invalid messages captured"; }

# --- the strict client ---
STRICT=()
for target in "direct:$APP_PORT" "haproxy:$HAPROXY_PORT" "nginx:$NGINX_PORT"; do
    line=$(node "$HERE/strict-client.mjs" "http://127.0.0.1:${target#*:}" "$ROUNDS" 2>&1 | tail -1) || FAILED=1
    say "undici ${target%%:*}: $line"
    STRICT+=("| ${target%%:*} | $line |")
    case "$line" in *'"errors":0,'*) ;; *) FAILED=1 ;; esac
done

# --- the report ---
report() {
    echo "Measured $(date -u +%Y-%m-%d) at commit $(git -C "$ROOT" rev-parse --short HEAD), form $FORM" \
         "($REQUESTS requests per run, wrk -t$WRK_THREADS -c$WRK_CONNECTIONS; reload runs until $MIN_RELOADS reload(s) completed)," \
         "$(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg); $(haproxy -v | head -1 | cut -d' ' -f1-3), $(nginx -v 2>&1 | cut -d' ' -f3)," \
         "wrk $(wrk -v 2>&1 | head -1 | cut -d' ' -f2), undici $(node -p "require('$HERE/node_modules/undici/package.json').version"), Node $(node -v)."
    echo
    echo "| proxy | run | requests | req/s | wrk socket errors | non-200 | proxy-side errors | proxy retries | wrk's end-of-run drops | reloads | goal |"
    echo "|---|---|---|---|---|---|---|---|---|---|---|"
    printf '%s\n' "${RESULTS[@]}"
    echo
    echo "HAProxy \`show errors\`: $SHOW_ERRORS invalid messages captured."
    echo
    echo "| strict client target | result |"
    echo "|---|---|"
    printf '%s\n' "${STRICT[@]}"
}
report | tee "$TMP/report.md"
if [ -n "$DOC" ]; then
    python3 - "$DOC" "$TMP/report.md" <<'PY'
import sys, re
doc, rep = sys.argv[1], open(sys.argv[2]).read().strip()
text = open(doc).read()
begin, end = "<!-- peers:begin -->", "<!-- peers:end -->"
if begin not in text:
    raise SystemExit(f"{doc} has no {begin} line")
head, rest = text.split(begin, 1)
tail = rest.split(end, 1)[1]
open(doc, "w").write(head + begin + "\n" + rep + "\n" + end + tail)
PY
    say "figures written into $DOC"
fi
[ "$FAILED" = 0 ] && OK=1
if [ "$FAILED" = 0 ]; then say "every goal met"; exit 0; else say "a goal was NOT MET"; exit 1; fi
