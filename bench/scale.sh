#!/bin/bash
# bench/scale.sh: countybrief against many counties (issue 11: the persistent data index).
#
#   bench/scale.sh [--work DIR] [--cb PATH] [--sizes "300 3000 30000"] [--cases "LIST"]
#
# For each size N, synthetic data (`countybrief synth --counties N --seed 1`, generated once
# and kept in DIR/synth-N) is rendered with --no-fsync, and each case is measured with
# /usr/bin/time (wall, user and system CPU, peak RSS of the process tree's largest member:
# the parent, or a worker) and, for the one-county case, hyperfine (-N, 10 runs, warm):
#   first    a full render, no index anywhere (the cache emptied): the scan, then the save
#   rerun    the same again, unchanged: the index from the cache, no county rendered
#   one      one county (the first id) into an empty folder, with the index
#   one-scan the same without any index (COUNTYBRIEF_DATA_CACHE=0): what a render paid before
#   shard    --shard 1/8 into an empty folder: N/8 counties rendered
#   shard-re the same shard again, unchanged: the shard's parent alone (load, keys, manifest)
#   index    `countybrief index --data DIR`: the scan that writes DIR/.countybrief-index
# (default cases: all but index; the folder's own index is removed before and after, so every
# case but `index` uses the cache's). Prints a markdown table. DIR defaults to /tmp/cb-scale;
# the cache is DIR/xdg. Peak RSS includes what every render has (fonts, plugins): compare
# with `one` against the 11-county example data for the floor.
set -u
cd "$(dirname "$0")/.."
W=/tmp/cb-scale
CB=$PWD/build/core/countybrief
SIZES="300 3000 30000"
CASES="first rerun one one-scan shard shard-re"
while [ $# -gt 0 ]; do
    case "$1" in
    --work) W=$2; shift 2 ;;
    --cb) CB=$2; shift 2 ;;
    --sizes) SIZES=$2; shift 2 ;;
    --cases) CASES=$2; shift 2 ;;
    *) echo "usage: bench/scale.sh [--work DIR] [--cb PATH] [--sizes \"N ...\"] [--cases \"LIST\"]" >&2; exit 2 ;;
    esac
done
mkdir -p "$W"
export XDG_CACHE_HOME=$W/xdg
T=$W/time.txt

# row N CASE CMD...: runs CMD under /usr/bin/time and prints a table row
row() {
    local n=$1 what=$2
    shift 2
    if ! /usr/bin/time -f "%e %U %S %M" -o "$T" "$@" >"$W/out.log" 2>&1; then
        echo "| $n | $what | failed: $(tail -1 "$W/out.log") | | | |"
        return
    fi
    read -r wall user sys rss <"$T"
    printf '| %s | %s | %.2f | %.2f | %.2f | %.1f |\n' "$n" "$what" "$wall" "$user" "$sys" "$(echo "$rss / 1024" | bc -l)"
}

echo "| counties | case | wall s | user s | sys s | peak RSS MB |"
echo "|---:|---|---:|---:|---:|---:|"
hf=""
for n in $SIZES; do
    D=$W/synth-$n
    if [ ! -f "$D/.complete" ]; then
        rm -rf "$D" && "$CB" synth --counties "$n" --seed 1 --out "$D" && touch "$D/.complete" || exit 1
    fi
    id=$(sed -n 2p "$D/counties.csv" | cut -d, -f1)
    rm -f "$D/.countybrief-index"
    for c in $CASES; do
        case $c in
        first)
            rm -rf "$XDG_CACHE_HOME" "$W/out-$n"
            row "$n" "first run (no index)" "$CB" render --data "$D" --out "$W/out-$n" --no-fsync --quiet ;;
        rerun)
            row "$n" "unchanged re-run" "$CB" render --data "$D" --out "$W/out-$n" --no-fsync --quiet ;;
        one)
            rm -rf "$W/one"
            row "$n" "one county" "$CB" render --data "$D" --county "$id" --out "$W/one" --no-fsync --quiet
            if command -v hyperfine >/dev/null; then
                hf+=$(hyperfine -N -w 2 -r 10 --time-unit millisecond --export-markdown "$W/hf.md" \
                    "$CB render --data $D --county $id --out $W/one --no-fsync --quiet --force" >/dev/null 2>&1 &&
                    sed -n 3p "$W/hf.md" | sed "s/^| \`[^\`]*\`/| $n counties, one county/")$'\n'
            fi ;;
        one-scan)
            rm -rf "$W/one"
            row "$n" "one county, no index (as before)" env COUNTYBRIEF_DATA_CACHE=0 "$CB" render --data "$D" \
                --county "$id" --out "$W/one" --no-fsync --quiet ;;
        shard)
            rm -rf "$W/shard-$n"
            row "$n" "shard 1/8" "$CB" render --data "$D" --shard 1/8 --out "$W/shard-$n" --no-fsync --quiet ;;
        shard-re)
            row "$n" "shard 1/8, unchanged re-run" "$CB" render --data "$D" --shard 1/8 --out "$W/shard-$n" \
                --no-fsync --quiet ;;
        index)
            row "$n" "countybrief index" "$CB" index --data "$D" --quiet
            rm -f "$D/.countybrief-index" ;;
        esac
    done
done
if [ -n "$hf" ]; then
    echo
    echo "| one county (hyperfine, warm, --force) | mean ms | min ms | max ms |"
    echo "|---|---:|---:|---:|"
    printf '%s' "$hf" | awk -F'|' '{printf "|%s| %s | %s | %s |\n", $2, $3, $4, $5}'
fi
