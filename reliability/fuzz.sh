#!/usr/bin/env bash
# Fuzzes this module's Jazzer targets for N minutes in all (default 2), split evenly between them:
#   reliability/fuzz.sh 10
# Targets: CodecFuzzTest#frames (the IPC frame decoder) and HttpFuzzTest#requests (the HTTP layer's request
# handling). Each run starts from the saved seeds (src/test/resources/.../<Test>Inputs/<method>/, which
# `mvn verify` replays as regression tests) plus the corpus grown by earlier runs (target/fuzz/corpus-*/).
# Findings are written to reliability/target/fuzz/findings/; to keep one as a regression test, copy it into
# the target's Inputs directory. Exit status: 0 when no target found anything, 1 otherwise.
set -euo pipefail
minutes="${1:-2}"
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"

mvn_() { mvn -B -q -o "$@" || mvn -B -q "$@"; }
mvn_ -pl reliability -am install -DskipTests
mvn_ -pl reliability test-compile dependency:build-classpath -Dmdep.includeScope=test \
    -Dmdep.outputFile=target/test-classpath.txt

m=reliability
cp="$m/target/test-classes:$m/target/classes:$(cat $m/target/test-classpath.txt)"
targets=(CodecFuzzTest:frames HttpFuzzTest:requests)
seconds=$(( minutes * 60 / ${#targets[@]} ))
(( seconds < 10 )) && seconds=10
mkdir -p "$m/target/fuzz/findings"
export JAZZER_FUZZ=1
status=0
summary="$m/target/fuzz/summary.md"
{
    echo "### 5. fuzzing (Jazzer, last \`reliability/fuzz.sh $minutes\` run)"
    echo
    echo "- date: $(date -Iseconds), commit \`$(git rev-parse --short HEAD 2>/dev/null || echo unknown)\`, load before: \`$(uptime)\`"
    echo
    echo "| target | time | runs | corpus | distinct findings |"
    echo "|---|---|---|---|---|"
} > "$summary"
for t in "${targets[@]}"; do
    class="${t%%:*}"; method="${t##*:}"
    corpus="$m/target/fuzz/corpus-$class-$method"
    seeds="$m/src/test/resources/io/jcluster/reliability/fuzz/${class}Inputs/$method"
    log="$m/target/fuzz/$class-$method.log"
    mkdir -p "$corpus"
    echo ">> fuzzing $class#$method for $seconds s (log: $log)"
    # -timeout: an input running longer than 10 s is a hang; -rss_limit_mb with -Xmx: an OOM is a finding.
    if ! java -Xmx1g -cp "$cp" com.code_intelligence.jazzer.Jazzer \
            --target_class="io.jcluster.reliability.fuzz.$class" --target_method="$method" \
            --instrumentation_includes='io.jcluster.**:io.netty.handler.codec.**' \
            --keep_going=50 -artifact_prefix="$m/target/fuzz/findings/$class-" \
            -max_total_time="$seconds" -timeout=10 -rss_limit_mb=3072 \
            "$corpus" "$seeds" > "$log" 2>&1; then
        status=1
    fi
    done_line=$(grep -E '^#[0-9]+[[:space:]]+DONE' "$log" | tail -1 || true)
    echo "   ${done_line:-no summary (see the log)}"
    findings=$(grep -c '^== Java Exception' "$log" || true)
    echo "   distinct findings: $findings"
    runs=$(echo "$done_line" | grep -Eo '^#[0-9]+' | tr -d '#' || true)
    corp=$(echo "$done_line" | grep -Eo 'corp: [^ ]+' | cut -d' ' -f2 || true)
    what=$(grep '^== Java Exception' "$log" | sed 's/^== Java Exception: //' | cut -c1-120 | tr '\n|' '; ' || true)
    echo "| $class#$method | $seconds s | ${runs:-?} | ${corp:-?} | $findings${what:+: $what} |" >> "$summary"
    if (( findings > 0 )); then
        status=1
        grep -A1 '^== Java Exception' "$log" | grep -v '^--$' | sed 's/^/   /' | head -40
    fi
done
ls -1 "$m/target/fuzz/findings" 2>/dev/null | sed 's/^/   finding file: /' || true
exit $status
