#!/bin/bash
# bench/instr.sh: instructions (callgrind) to render a synthetic batch with --jobs 1, summed
# over the parent and its worker; unlike seconds, the count does not move with the load of a
# shared machine, so two builds can be compared while other work runs.
#   bench/instr.sh BUILD_DIR [BUILD_DIR...]     (N counties: COUNTIES=300, seed 7)
# Prints, per build: total instructions and instructions per county.
set -euo pipefail
N=${COUNTIES:-300}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
first=$1
"$first/core/countybrief" synth --counties "$N" --seed 7 --out "$tmp/data" >/dev/null
for build in "$@"; do
    rm -rf "$tmp/out" "$tmp"/cg.*
    valgrind --tool=callgrind --trace-children=yes --callgrind-out-file="$tmp/cg.%p" \
        "$build/core/countybrief" render --quiet --force --jobs 1 --no-fsync --data "$tmp/data" \
        --out "$tmp/out" >/dev/null 2>&1
    total=$(cat "$tmp"/cg.* | awk '/^summary:/ { s += $2 } END { printf "%.0f", s }')
    awk -v b="$build" -v t="$total" -v n="$N" 'BEGIN { printf "%-40s %14.0f instructions  %10.0f per county\n", b, t, t / n }'
done
