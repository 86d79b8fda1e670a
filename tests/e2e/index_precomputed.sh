#!/usr/bin/env bash
# index_precomputed.sh: what `countybrief index` computes once over all counties, so that a
# one-county run does not (core/dataindex.h): the output name clash candidates and the
# manifest's counties_digest. With the index, for every output set (default, another
# template, another language), a render reports exactly the clashes a render without any
# index reports, names the same files, and writes the same counties_total and
# counties_digest; a one-county render with the index refuses a clashing county as the full
# run does.
set -euo pipefail
source "$(dirname "$0")/lib/common.bash"

export SOURCE_DATE_EPOCH=1700000000
export XDG_CACHE_HOME=$TMP/cache
mkdir -p "$TMP/rep"
cat >"$TMP/rep/title.lua" <<'LUA'
report { languages = { "zh", "en" } }
doc:title(county.name, "ok")
LUA

# clashes by punctuation, by case, by Unicode normalisation (Ä, A + U+0308); a partitioned
# table so that the load is lazy and goes through the index
D=$TMP/d
mkdir -p "$D"
printf 'county_id,name\n1-a,b\n1,a-b\na/b,x\na_b,x\nQ1,y\nq1,y\n\xc3\x84,z\nA\xcc\x88,z\n3,three\n7,seven\n' >"$D/counties.csv"
printf 'county_id,v\n3,1\n1,2\nQ1,3\n7,4\n' >"$D/projects.csv"
cb index --data "$D" --quiet
check_eq "index written" "0 yes" "$RC $([[ -f $D/.countybrief-index ]] && echo yes)"
# the same data, no index anywhere (hard links: the same bytes, no index beside them)
N=$TMP/n
mkdir -p "$N"
ln "$D/counties.csv" "$D/projects.csv" "$N/"

# clashes OUT: the run's clash lines, the folder's name cut, sorted
clashes() { grep 'would be one file' "$TMP/stderr" | sort; }
# digest MANIFEST: counties_total and counties_digest
digest() { "$PY" -c 'import json,sys; m=json.load(open(sys.argv[1])); print(m["counties_total"], m["counties_digest"])' "$1"; }

for set in "" "--template onepager" "--lang en"; do
    what=${set:-default set}
    # shellcheck disable=SC2086
    COUNTYBRIEF_DATA_CACHE=0 cb render --data "$N" --report "$TMP/rep/title.lua" --out "$TMP/o-no$RANDOM" $set --no-fsync
    want_rc=$RC want=$(clashes)
    mf_no=$(ls -d "$TMP"/o-no*/ | tail -1)
    rm -rf "$TMP/o-ix"
    # shellcheck disable=SC2086
    cb render --data "$D" --report "$TMP/rep/title.lua" --out "$TMP/o-ix" $set --no-fsync
    check_eq "$what: the same exit with the index" "$want_rc" "$RC"
    check_eq "$what: 8 clash lines" 8 "$(clashes | wc -l)"
    check_same "$what: the same clash lines with the index" "$want" "$(clashes)"
    mf=$(cd "$TMP/o-ix" && ls manifest*.json)
    check_same "$what: the same counties_total and counties_digest with the index" \
        "$(digest "$mf_no/$mf")" "$(digest "$TMP/o-ix/$mf")"
    check_same "$what: the same files with the index" "$(ls "$mf_no")" "$(ls "$TMP/o-ix")"
    rm -rf "$mf_no"
done

# one county with the index: a clashing one is refused as in the full run, naming the other
rm -rf "$TMP/one"
cb render --data "$D" --report "$TMP/rep/title.lua" --out "$TMP/one" --county q1 --no-fsync
check_eq "one clashing county with the index: exit 1, nothing rendered" "1 manifest.json" "$RC $(ls "$TMP/one")"
check "one clashing county: the line names the other" grep -qF "q1 y: its PDF would be one file with that of Q1 y" "$TMP/stderr"
rm -rf "$TMP/one"
cb render --data "$D" --report "$TMP/rep/title.lua" --out "$TMP/one" --county 7 --no-fsync
check_eq "one county of its own with the index: rendered" "0 7-seven.pdf manifest.json" "$RC $(ls "$TMP/one" | tr '\n' ' ' | sed 's/ $//')"

finish
