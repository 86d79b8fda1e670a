#!/bin/bash
# bench/profile.sh: where countybrief's time goes on the peers' page (bench/peer_briefing.lua).
#
#   bench/profile.sh [COUNTIES=50]
#
# 1. callgrind --trace-children=yes on a COUNTIES-county --jobs 1 run: instructions per briefing
#    in the worker by function (bench/callgrind_top.py), and the parent's once-per-run costs.
# 2. perf (if it can sample here): cycles by library for N=300 --jobs 1 pinned, and for 20
#    1-county runs (start-up). Instruction counts and cycles differ: zlib's share of cycles is
#    higher, and callgrind's CPU has no SHA-NI, so sha256 looks ~10x dearer there than it is.
# 3. What the PDF's streams are before deflate, for one briefing.
# Needs the data of bench/peers.sh in $W (runs bench/peer_data.sh if missing) and a Release
# build in build-bench (Release has symbols for countybrief's functions; libharu, zlib are
# Debian's, so their static functions show as addresses). Output: stdout, files in $W/profile.
set -u
cd "$(dirname "$0")/.."
ROOT=$(pwd)
export W=${W:-/tmp/peers}
N=${1:-50}
CB=${BUILD:-$ROOT/build-bench}/core/countybrief
P=$W/profile
PY=/usr/bin/python3
[ -x "$CB" ] || { echo "profile.sh: no $CB: build it (bench/peers.sh does)" >&2; exit 1; }
[ -f "$W/cbdata/counties.csv" ] || bash "$ROOT/bench/peer_data.sh" || exit 1
rm -rf "$P" && mkdir -p "$P"
args=(render --quiet --force --data "$W/cbdata" --report "$ROOT/bench/peer_briefing.lua"
      --template "$ROOT/bench/peer_template")
counties=()
for i in $(seq 1 "$N"); do counties+=(--county "$i"); done

echo "## callgrind: $N counties, --jobs 1"
valgrind --tool=callgrind --trace-children=yes --callgrind-out-file="$P/cg.%p" \
    "$CB" "${args[@]}" --out "$P/out" --jobs 1 "${counties[@]}" 2>"$P/valgrind.log"
parent=$(grep -l "^cmd:" "$P"/cg.* | while read -r f; do grep -q "worker_main" "$f" || echo "$f"; done | head -1)
worker=$(grep -l "worker_main" "$P"/cg.* | head -1)
[ -n "$parent" ] && [ -n "$worker" ] || { echo "profile.sh: callgrind files not found in $P" >&2; exit 1; }
$PY "$ROOT/bench/callgrind_top.py" "$N" "$parent" "$worker" | tee "$P/callgrind.md"

if perf record -q -o "$P/perf.probe" -- true >/dev/null 2>&1; then
    echo
    echo "## perf: cycles by library, N=300 --jobs 1 pinned to CPU 0"
    perf record -q -F 2000 -o "$P/perf300.data" -- taskset -c 0 "$CB" "${args[@]}" --out "$P/out300" --jobs 1 >/dev/null 2>&1
    perf report -i "$P/perf300.data" --no-children --sort dso --stdio 2>/dev/null | grep -E "^ +[0-9.]+%" | head -12 | tee "$P/perf300.txt"
    echo
    echo "## perf: 20 1-county runs (--county 1), by library and by symbol"
    perf record -q -F 5000 -o "$P/perf1.data" -- sh -c \
        "for i in \$(seq 20); do taskset -c 0 $CB ${args[*]} --out $P/out1 --jobs 1 --county 1; done" >/dev/null 2>&1
    perf report -i "$P/perf1.data" --no-children --sort dso --stdio 2>/dev/null | grep -E "^ +[0-9.]+%" | head -12 | tee "$P/perf1.txt"
    perf report -i "$P/perf1.data" --no-children --sort sym --stdio 2>/dev/null | grep -E "^ +[0-9.]+%" | head -12 | tee -a "$P/perf1.txt"
else
    echo "(perf cannot sample here: skipped)"
fi

echo
echo "## the streams of one briefing, before and after deflate"
f=$(ls "$P"/out/1-*.pdf | head -1)
$PY - "$f" <<'EOF'
import re, subprocess, sys
f = sys.argv[1]
def show(o, *a):
    return subprocess.run(["qpdf", "--show-object=%d" % o, *a, f], stdout=subprocess.PIPE,
                          stderr=subprocess.DEVNULL).stdout
kinds = {}
for o in range(1, 200):
    d = show(o)
    if not d or d.strip() == b"null":
        continue
    for k, pat in (("CIDToGIDMap", rb"/CIDToGIDMap (\d+) 0 R"), ("font file (FontFile2)", rb"/FontFile2 (\d+) 0 R"),
                   ("ToUnicode CMap", rb"/ToUnicode (\d+) 0 R"), ("page content", rb"/Contents (\d+) 0 R")):
        for m in re.finditer(pat, d):
            kinds.setdefault(int(m.group(1)), k)
tot_raw = tot_z = 0
rows = []
for o, k in sorted(kinds.items()):
    raw = len(show(o, "--filtered-stream-data"))
    z = len(show(o, "--raw-stream-data"))
    tot_raw += raw; tot_z += z
    rows.append((k, o, raw, z))
print("| stream | object | bytes before deflate | bytes in the PDF |")
print("|---|---|---|---|")
for k, o, raw, z in rows:
    print("| %s | %d | %d | %d |" % (k, o, raw, z))
print("| all these | | %d | %d |" % (tot_raw, tot_z))
EOF
