#!/usr/bin/env bash
# native/build.sh OUT JAVA_HOME SRC NAME: builds SRC into OUT/native/linux-ARCH/libNAME.so. Optional: without a C
# compiler the jar is built without it, and the code that loads it says so and takes its pure-Java path.
set -euo pipefail
out=$1 java_home=$2 src=$3 name=$4
arch=$(uname -m)
dest="$out/native/linux-$arch"
cc=${CC:-gcc}
if ! command -v "$cc" >/dev/null 2>&1; then
  echo "[jcluster] no C compiler ($cc): building without lib$name.so" >&2
  exit 0
fi
mkdir -p "$dest"
"$cc" -O2 -fPIC -shared -Wall -Wextra -Werror -I"$java_home/include" -I"$java_home/include/linux" \
  -o "$dest/lib$name.so" "$src"
