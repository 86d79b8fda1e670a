#!/bin/bash
# bench/paired.sh: countybrief and the fastest peer (plain libharu + hb-subset) run alternately,
# pinned to CPU 0, N=300, PAIRS times: on a machine that other work shares, the load drifts
# between the peers' bench.sh and countybrief's runs in bench/peers.sh; alternating runs see
# about the same load, so the ratio of each pair is the fairer comparison.
#   bench/paired.sh [PAIRS=5]      needs bench/peers.sh's set-up in $W (data, $W/bin)
# Prints per pair: wall and CPU (user+sys) seconds of each, and the ratios; then the medians.
set -u
cd "$(dirname "$0")/.."
ROOT=$(pwd)
W=${W:-/tmp/peers}
CB=${BUILD:-$ROOT/build-bench}/core/countybrief
PAIRS=${1:-5}
[ -x "$W/bin/harubrief_hbsub" ] && [ -f "$W/cbdata/counties.csv" ] && [ -x "$CB" ] ||
    { echo "paired.sh: run bench/peers.sh first (needs $W/bin/harubrief_hbsub, $W/cbdata, $CB)" >&2; exit 1; }
peer=(taskset -c 0 "$W/bin/harubrief_hbsub" "$W/data" "$W/out/paired_peer" 300)
cb=(taskset -c 0 "$CB" render --quiet --force --jobs 1 --data "$W/cbdata" --report "$ROOT/bench/peer_briefing.lua"
    --template "$ROOT/bench/peer_template" --out "$W/out/paired_cb")
t() { /usr/bin/time -f "%e %U %S" "$@" 2>&1 >/dev/null | tail -1; }
t "${peer[@]}" >/dev/null; t "${cb[@]}" >/dev/null   # warm-up
echo "pair  load  peer_wall peer_cpu  cb_wall cb_cpu  wall_ratio cpu_ratio (countybrief/peer)"
for i in $(seq "$PAIRS"); do
    load=$(cut -d' ' -f1 /proc/loadavg)
    read -r pw pu ps <<<"$(t "${peer[@]}")"
    read -r cw cu cs <<<"$(t "${cb[@]}")"
    awk -v i="$i" -v l="$load" -v pw="$pw" -v pu="$pu" -v ps="$ps" -v cw="$cw" -v cu="$cu" -v cs="$cs" \
        'BEGIN { printf "%4d %5s  %8.2f %8.2f  %7.2f %6.2f  %10.2f %9.2f\n", i, l, pw, pu + ps, cw, cu + cs,
                 cw / pw, (cu + cs) / (pu + ps) }'
done | tee "$W/logs/paired.txt"
med() { sort -n | awk '{ v[NR] = $1 } END { m = int((NR + 1) / 2); printf "%.2f", v[m] }'; }
echo "median over $PAIRS pairs: countybrief/peer wall $(awk '{print $7}' "$W/logs/paired.txt" | med)," \
    "CPU $(awk '{print $8}' "$W/logs/paired.txt" | med); ms per briefing: peer wall" \
    "$(awk '{print $3 / 300 * 1000}' "$W/logs/paired.txt" | med), CPU $(awk '{print $4 / 300 * 1000}' "$W/logs/paired.txt" | med);" \
    "countybrief wall $(awk '{print $5 / 300 * 1000}' "$W/logs/paired.txt" | med), CPU $(awk '{print $6 / 300 * 1000}' "$W/logs/paired.txt" | med)"
