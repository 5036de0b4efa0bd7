#!/usr/bin/env bash
# Builds the primary's SIGQUIT hook into OUT/native/linux-ARCH/. Optional: without a C compiler the jar is
# built without it, and the primary says at start that SIGQUIT is not handled.
set -euo pipefail
out=$1 java_home=$2
src="$(dirname "$0")/jcluster_signals.c"
arch=$(uname -m)
dest="$out/native/linux-$arch"
cc=${CC:-gcc}
if ! command -v "$cc" >/dev/null 2>&1; then
  echo "[jcluster] no C compiler ($cc): building without the SIGQUIT hook" >&2
  exit 0
fi
mkdir -p "$dest"
"$cc" -O2 -fPIC -shared -Wall -Wextra -Werror -I"$java_home/include" -I"$java_home/include/linux" \
  -o "$dest/libjcluster-signals.so" "$src"
