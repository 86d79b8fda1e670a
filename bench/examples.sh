#!/bin/bash
# Time and memory of rendering the example data (both counties), and the PDF sizes.
#   bench/examples.sh [BUILD_DIR]      (default: build-bench, a Release build made here)
# Uses hyperfine (median of repeated runs) and /usr/bin/time -v (peak RSS).
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build-bench}
if [ ! -x "$build/core/countybrief" ]; then
    cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=Release >/dev/null
    cmake --build "$build" -j2 >/dev/null
fi
cb="$build/core/countybrief"
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

echo "== hyperfine: render both example counties"
hyperfine --warmup 3 --runs 30 --style basic "$cb render --quiet --out $out/h"
echo "== hyperfine: render one county"
hyperfine --warmup 3 --runs 30 --style basic "$cb render --quiet --county 忠县 --out $out/h1"

echo "== /usr/bin/time -v: render both example counties"
/usr/bin/time -v "$cb" render --quiet --out "$out/t" 2>"$out/time.txt"
grep -E "Elapsed|Maximum resident" "$out/time.txt"

echo "== PDF sizes"
for f in "$out"/t/*.pdf; do
    printf '%8d bytes  %s pages  %s\n' "$(stat -c %s "$f")" \
        "$(pdfinfo "$f" 2>/dev/null | awk '/^Pages:/ {print $2}')" "$(basename "$f")"
done
