#!/usr/bin/env bash
# The framework matrix (issue 12): builds each app from Maven Central (one at a time), then clusters each with the
# real bin/jcluster (2 workers) and measures it. Not part of the root `mvn -B verify` (it takes ~15 minutes).
#   frameworks/run.sh                      build, then run every case (JDK 25 cases when JDK25_HOME exists)
#   frameworks/run.sh --no-build           run with the jars already built
#   frameworks/run.sh --cases jetty12,jdk-http
# Results: frameworks/results/DATE-COMMIT.md; the primaries' logs: frameworks/target/matrix-logs/DATE-COMMIT/.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/.." && pwd)"
build=1
cases=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    --no-build) build=0; shift ;;
    --cases) cases=(--cases "$2"); shift 2 ;;
    *) echo "usage: $0 [--no-build] [--cases a,b]" >&2; exit 2 ;;
  esac
done
jdk25="${JDK25_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}"
jdk25_args=()
[[ -x "$jdk25/bin/java" ]] && jdk25_args=(--jdk25 "$jdk25")

if [[ "$build" == 1 ]]; then
  echo "matrix: building jcluster's command line (root: $root)"
  (cd "$root" && mvn -B -q -DskipTests -pl jcluster-cli -am package)
  # One module at a time: the machine's 2 cores are shared.
  for m in apps/jdk-http apps/spring-boot apps/jetty12 apps/vertx5 apps/vertx5-netty418 apps/javalin apps/undertow apps/netty-iouring runner; do
    echo "matrix: building frameworks/$m"
    mvn -B -q -f "$here/$m/pom.xml" package
  done
fi
commit="$(git -C "$root" rev-parse --short HEAD)"
stamp="$(date +%F)-$commit"
mkdir -p "$here/results" "$here/target/matrix-logs/$stamp"
echo "matrix: load average $(cut -d' ' -f1-3 /proc/loadavg); results in frameworks/results/$stamp.md"
# Bounded: the whole run at most an hour; the runner reaps every process it started, also when killed.
timeout --signal=TERM --kill-after=30s 3600 java -cp "$here/runner/target/classes" matrix.runner.Matrix \
  --root "$root" --frameworks "$here" --out "$here/results/$stamp.md" --logs "$here/target/matrix-logs/$stamp" \
  --commit "$commit" ${jdk25_args[@]+"${jdk25_args[@]}"} ${cases[@]+"${cases[@]}"}
