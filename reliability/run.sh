#!/usr/bin/env bash
# The long form of the reliability suite: every scenario with long durations (60 s of chaos, 100,000
# connections, …; a few minutes in all), its figures written into docs/reliability.md with the date, the
# commit (git rev-parse --short HEAD) and the machine's load.
#   reliability/run.sh                    # every scenario
#   reliability/run.sh chaos leaks        # only these (the figures section then holds only them)
#   FORM=short reliability/run.sh         # the short form, printed only (docs untouched)
# Scenarios: chaos chaos-none disconnect disconnect-none rolling sigterm sigterm-queued scale-down
#            drain-deadline orphans leaks bad-input ipc-security boot-failure boot-failure-after-init; and,
#            only when named, soak (30 minutes: mixed load with a kill -9, a rolling reload and a scale up and
#            down every minute; -Dreliability.soak.minutes=N in JAVA_OPTS).
#            Fuzzing is separate: reliability/fuzz.sh MINUTES.
# Exit status: 0 when every goal was met.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
form="${FORM:-long}"

mvn_() { mvn -B -q -o "$@" || mvn -B -q "$@"; }
mvn_ -pl reliability -am install -DskipTests
mvn_ -pl reliability dependency:build-classpath -Dmdep.includeScope=runtime -Dmdep.outputFile=target/classpath.txt

# Jars only, as a deployed application runs (a directory on the classpath would turn off the workers' CDS).
jar=$(ls reliability/target/jcluster-reliability-*.jar | grep -v -- '-tests\|-sources' | head -1)
cp="$jar:$(cat reliability/target/classpath.txt)"
doc=()
[[ "$form" == long ]] && doc=(--doc docs/reliability.md)
exec java -Xmx512m ${JAVA_OPTS:-} -cp "$cp" io.jcluster.reliability.Suite "$form" "${doc[@]}" "$@"
