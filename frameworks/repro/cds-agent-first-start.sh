#!/usr/bin/env bash
# Reproduces FINDINGS.md F1: with class data sharing on (the default) and no archive yet for the app (its first
# start; here: an empty JCLUSTER_CDS_DIR), an unmodified (agent) app's first worker is asked to write the archive
# (-XX:ArchiveClassesAtExit) and the JVM refuses to start with a java agent:
#   "Must enable AllowArchivingWithJavaAgent in order to run Java agent during CDS dumping"
# The start fails (exit 8). UnmodifiedAppIT does not see it: it runs with JCLUSTER_CDS_DIR=off.
# Needs frameworks/apps/jdk-http built. Prints the start's exit code (0 expected) and the worker's error.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"; root="$(cd "$here/../.." && pwd)"
jar="$here/../apps/jdk-http/target/app-jdk-http.jar"
export JCLUSTER_HOME="$(mktemp -d)" JCLUSTER_CDS_DIR="$(mktemp -d)"
port=$(python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])')
rc=0; out="$(timeout 120 "$root/bin/jcluster" start "$jar" --name cds --daemon -i 2 -- --port "$port" 2>&1)" || rc=$?
echo "start --daemon exit: $rc"
grep -h "CDS\|AllowArchiving\|failed to start" "$JCLUSTER_HOME"/logs/cds/*.log 2>/dev/null | sort -u | head -5 || true
echo "$out" | tail -2
"$root/bin/jcluster" stop cds >/dev/null 2>&1 || true
rm -rf "$JCLUSTER_CDS_DIR"
