#!/usr/bin/env bash
# Class data for the workers of an unmodified jar (issue 12): measures a 2-worker start with and without jcluster's
# archive, A/B alternating, on JDK 17 and 25, for the Spring Boot fat jar, the same app extracted
# (`java -Djarmode=tools -jar app.jar extract`) and the JDK HttpServer app. Not part of `mvn -B verify`.
#   frameworks/cds.sh                                  every case, 3 pairs each
#   frameworks/cds.sh --pairs 4 --cases jdk-http,spring-boot --jdks 17
#   frameworks/cds.sh --aot                            also the AOT cache on 25 (user flags: record, create, use)
# Needs jcluster-cli/target/jcluster.jar and the apps' jars (mvn -B -q -f frameworks/apps/X/pom.xml package).
# Results: frameworks/results/cds-DATE-COMMIT.md; logs and archives under frameworks/target/cds/.
#
# Modes, per run (a fresh JCLUSTER_HOME each; the same JCLUSTER_CDS_DIR in every mode, so the primary's own archive
# is the same and only the workers differ):
#   off  the workers map the JDK's default archive only (--jvm-args -XX:SharedArchiveFile=<the JDK's classes.jsa>:
#        jcluster leaves a user's archive alone), which is what they got before this change
#        (and, for the Spring Boot fat jar, JCLUSTER_EXTRACT=off: the jar itself, not jcluster's extracted copy)
#   on   jcluster's own archive for them (made by a warm-up start beforehand, as a user's second start finds it); a
#        Spring Boot fat jar's workers run jcluster's extracted copy of it (made by the warm-up start too)
#   aot  (JDK 25, --aot) the AOT cache made by hand: a training worker with -XX:AOTMode=record, then
#        java -XX:AOTMode=create, then --jvm-args -XX:AOTCache=...
# Figures per worker: CPU (user+sys) and PSS when the cluster is up (`start --daemon` returned: both listen),
# whether it maps jcluster's archive; per run: wall from launching `start` to its return; Spring Boot's own
# "process running for" per worker (JVM start to started).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/.." && pwd)"
pairs=3
cases="spring-boot,spring-boot-extracted,jdk-http"
jdks="17,25"
aot=0
while [[ $# -gt 0 ]]; do
  case "$1" in
    --pairs) pairs="$2"; shift 2 ;;
    --cases) cases="$2"; shift 2 ;;
    --jdks) jdks="$2"; shift 2 ;;
    --aot) aot=1; shift ;;
    *) echo "usage: $0 [--pairs N] [--cases a,b] [--jdks 17,25] [--aot]" >&2; exit 2 ;;
  esac
done
jdk17="${JDK17_HOME:-/usr/lib/jvm/java-17-openjdk-amd64}"
jdk25="${JDK25_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}"
jcluster="$root/bin/jcluster"
[[ -f "$root/jcluster-cli/target/jcluster.jar" ]] || { echo "cds: build jcluster-cli first" >&2; exit 2; }
commit="$(git -C "$root" rev-parse --short HEAD)"
stamp="$(date +%F)-$commit"
work="$here/target/cds/$stamp"
out="${CDS_OUT:-$here/results/cds-$stamp.md}"
homes="$(mktemp -d /tmp/jcl-cds.XXXXXX)"
mkdir -p "$work" "$here/results"
tck="$(getconf CLK_TCK)"
RESULT=""
started=()   # every primary this script started, killed with its workers at exit

cleanup() {
  local p c
  for p in ${started[@]+"${started[@]}"}; do
    for c in $(children "$p"); do kill -9 "$c" 2>/dev/null || true; done
    kill -9 "$p" 2>/dev/null || true
  done
}
trap cleanup EXIT
trap "exit 143" TERM INT   # so that cleanup runs

children() { cat /proc/"$1"/task/*/children 2>/dev/null || true; }
freeport() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
load() { cut -d' ' -f1 /proc/loadavg; }

app_jar() {
  case "$1" in
    spring-boot) echo "$here/apps/spring-boot/target/app-spring-boot.jar" ;;
    spring-boot-extracted) echo "$work/extracted/app-spring-boot.jar" ;;
    jdk-http) echo "$here/apps/jdk-http/target/app-jdk-http.jar" ;;
  esac
}
app_args() {
  case "$1" in
    spring-boot*) echo "--server.port=$2" ;;
    *) echo "--port $2" ;;
  esac
}

if [[ ",$cases," == *",spring-boot-extracted,"* && ! -f "$work/extracted/app-spring-boot.jar" ]]; then
  "$jdk17/bin/java" -Djarmode=tools -jar "$here/apps/spring-boot/target/app-spring-boot.jar" extract \
    --destination "$work/extracted" >/dev/null
fi

# run_start JDK CASE NAME CDSDIR EXTRA_JVM_ARGS: one 2-worker (1 with WORKERS=1) start; sets RESULT to
# "wall_ms | cpu1 cpu2 | pss1 pss2 | maps1 maps2 | spring1 spring2" (or FAILED) and leaves the cluster running
# (stop_cluster ends it). maps: jcl = jcluster's archive, aot = an AOT cache, jdk = the JDK's default archive.
run_start() {
  local jdk="$1" case="$2" name="$3" cdsdir="$4" jvmargs="$5" workers="${WORKERS:-2}"
  local home="$homes/$name"; rm -rf "$home"; mkdir -p "$home" # short: the control socket's path has a limit
  local port; port="$(freeport)"
  local jar; jar="$(app_jar "$case")"
  local -a extra=(); [[ -n "$jvmargs" ]] && extra=(--jvm-args "$jvmargs")
  local t0 t1
  t0=$(date +%s%N)
  # shellcheck disable=SC2046
  if ! PATH="$jdk/bin:$PATH" JCLUSTER_HOME="$home" JCLUSTER_CDS_DIR="$cdsdir" JCLUSTER_EXTRACT="${EXTRACT:-}" timeout 600 "$jcluster" start "$jar" \
      --name "$name" --daemon -i "$workers" --ready-timeout 300s ${extra[@]+"${extra[@]}"} -- $(app_args "$case" "$port") \
      >"$work/$name.start.log" 2>&1; then
    echo "cds: start failed: $work/$name.start.log" >&2
    [[ -f "$home/$name.pid" ]] && started+=("$(cat "$home/$name.pid")")
    RESULT=FAILED; return
  fi
  t1=$(date +%s%N)
  local primary; primary="$(cat "$home/$name.pid")"; started+=("$primary")
  local line="$(( (t1 - t0) / 1000000 ))" cpus="" psss="" maps="" w
  for w in $(children "$primary"); do
    grep -q -- '-javaagent' /proc/"$w"/cmdline 2>/dev/null || continue
    cpus+=" $(awk -v t="$tck" '{printf "%.2f", ($14+$15)/t}' /proc/"$w"/stat)"
    psss+=" $(awk '/^Pss:/{printf "%.1f", $2/1024}' /proc/"$w"/smaps_rollup)"
    if grep -q "$cdsdir/.*\.jsa" /proc/"$w"/maps; then maps+=" jcl"
    elif grep -q '\.aot$' /proc/"$w"/maps; then maps+=" aot"
    elif grep -q 'classes.*\.jsa$' /proc/"$w"/maps; then maps+=" jdk"
    else maps+=" -"; fi
  done
  cp -r "$home/logs" "$work/logs-$name" 2>/dev/null || true
  local spring; spring="$(grep -rhoE 'process running for [0-9.]+' "$home" 2>/dev/null | awk '{printf " %s", $4}' || true)"
  RESULT="$line |$cpus |$psss |$maps |${spring:- -}"
  STOP_HOME="$home"; STOP_NAME="$name"; STOP_JDK="$jdk"; STOP_PRIMARY="$primary"; STOP_CDS="$cdsdir"
}

stop_cluster() {
  PATH="$STOP_JDK/bin:$PATH" JCLUSTER_HOME="$STOP_HOME" JCLUSTER_CDS_DIR="$STOP_CDS" timeout 120 "$jcluster" stop \
    "$STOP_NAME" >>"$work/$STOP_NAME.start.log" 2>&1 || true
  for _ in $(seq 1 600); do
    [[ -d /proc/$STOP_PRIMARY ]] && ! grep -q '^State:.*Z' /proc/"$STOP_PRIMARY"/status 2>/dev/null || break
    sleep 0.1
  done
}

{
  echo "# Class data for workers of an unmodified jar — $stamp"
  echo
  echo "\`frameworks/cds.sh --pairs $pairs --cases $cases --jdks $jdks$([[ $aot == 1 ]] && echo ' --aot')\`; host: $(nproc) CPUs."
  echo "Per run: wall = launching \`start --daemon -i 2\` to its return (both workers listening); per worker: CPU"
  echo "(user+sys, s) and PSS (MB) at that moment, whether it maps jcluster's archive, Spring Boot's \"process running"
  echo "for\" (s). Load = the 1-minute load average before the run."
  echo
  echo "| JDK | app | pair | mode | load | wall ms | CPU s (w1 w2) | PSS MB (w1 w2) | maps archive | Spring started s |"
  echo "|---|---|---|---|---|---|---|---|---|---|"
} >"$out"

for j in ${jdks//,/ }; do
  jdk="$jdk17"; [[ "$j" == 25 ]] && jdk="$jdk25"
  [[ -x "$jdk/bin/java" ]] || { echo "cds: no JDK $j at $jdk; skipped" >&2; continue; }
  default_jsa="$jdk/lib/server/classes.jsa"
  for c in ${cases//,/ }; do
    cdsdir="$work/cds-$j-$c"; rm -rf "$cdsdir"; mkdir -p "$cdsdir"
    echo "cds: JDK $j $c: warm-up (makes the archive)"
    # The same command as the measured runs (-i 2: the memory share per worker is a JVM flag, part of the key); the
    # dump starts when the first worker listens and is killed if the primary stops first: wait for it (at most 5 min).
    run_start "$jdk" "$c" "warm-$j-$c" "$cdsdir" ""
    archive=""
    for _ in $(seq 1 1500); do
      archive="$(ls "$cdsdir"/*.jsa 2>/dev/null | grep -v '/cli-' | head -1 || true)"
      [[ -n "$archive" || "$RESULT" == FAILED ]] && break
      sleep 0.2
    done
    [[ "$RESULT" != FAILED ]] && stop_cluster
    echo "cds: archive: ${archive:-none} ($( [[ -n "$archive" ]] && du -m "$archive" | cut -f1 ) MB)"
    modes=(off on)
    if [[ "$aot" == 1 && "$j" == 25 ]]; then
      conf="$work/aot-$c.aotconf"; cache="$work/aot-$c.aot"
      WORKERS=1 run_start "$jdk" "$c" "train-$j-$c" "$cdsdir" "-XX:AOTMode=record -XX:AOTConfiguration=$conf"
      [[ "$RESULT" != FAILED ]] && stop_cluster
      "$jdk/bin/java" -XX:AOTMode=create -XX:AOTConfiguration="$conf" -XX:AOTCache="$cache" -cp "$(app_jar "$c")" \
        >"$work/aot-$c.create.log" 2>&1 || echo "cds: AOT create failed: $work/aot-$c.create.log" >&2
      [[ -f "$cache" ]] && modes+=(aot)
    fi
    for p in $(seq 1 "$pairs"); do
      order=("${modes[@]}")
      (( p % 2 == 0 )) && order=($(printf '%s\n' "${modes[@]}" | tac))
      for m in "${order[@]}"; do
        case "$m" in
          off) args="-XX:SharedArchiveFile=$default_jsa" ;;
          on) args="" ;;
          aot) args="-XX:AOTCache=$cache" ;;
        esac
        l="$(load)"
        # off is the start before jcluster extracted a Spring Boot fat jar, too: the workers run the jar itself.
        extract=""; [[ "$m" == off ]] && extract=off
        EXTRACT="$extract" run_start "$jdk" "$c" "$m-$j-$c-$p" "$cdsdir" "$args"; r="$RESULT"
        [[ "$r" != FAILED ]] && stop_cluster
        echo "cds: JDK $j $c pair $p $m: $r (load $l)"
        echo "| $j | $c | $p | $m | $l | $r |" >>"$out"
      done
    done
  done
done
echo >>"$out"
echo "Archives: $(ls -l "$work"/cds-*/*.jsa 2>/dev/null | awk '{printf "%s %d MB; ", $NF, $5/1048576}')" >>"$out"
echo "cds: results in $out"
