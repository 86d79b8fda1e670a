#!/usr/bin/env bash
# merge.sh: incremental state is kept by county, not by shard layout, and `countybrief
# manifest merge` proves completeness. On 300 synthetic counties: a missing shard is named
# with its array index (exit 1); after a full run, `render --shard 1/2` and a merge keep
# the complete manifest; going from 8 shards to 4, from one machine to shards and back
# re-renders nothing, and stale layouts never block a merge; --data finds a county added or
# removed, --expect a count; a deleted PDF counts as missing, a failed county as failed; a
# corrupt, truncated, foreign or mixed manifest is one line naming it (exit 3); a merge
# never replaces manifest.json with a less complete one.
set -euo pipefail
source "$(dirname "$0")/lib/common.bash"

D=$TMP/data
cb synth --counties 300 --seed 1 --out "$D"
check_eq "synth 300: exit 0" 0 "$RC"
mkdir -p "$TMP/rep"
echo 'doc:title(county.name, "ok")' >"$TMP/rep/tiny.lua"
echo 'doc:title(county.name, "other")' >"$TMP/rep/other.lua"
R=(--data "$D" --report "$TMP/rep/tiny.lua" --no-fsync --jobs 2)

manifest_field() { # manifest_field FILE EXPR: a python expression over m (the manifest)
    "$PY" -c "import json,sys; m=json.load(open(sys.argv[1])); print($2)" "$1"
}
summary() { grep -E '^[0-9]+ rendered, [0-9]+ skipped' "$TMP/stdout" | sed 's/ in .*//'; }
# a sharded run of layout N: shards "$@" (K of N) into folder OUT, summaries added up
shards() {
    local out=$1 n=$2 rendered=0 skipped=0
    shift 2
    for k in "$@"; do
        cb render "${R[@]}" --out "$out" --shard "$k/$n"
        [[ $RC -eq 0 ]] || { echo "shard $k/$n: exit $RC"; cat "$TMP/stderr"; }
        read -r r s < <(summary | awk '{print $1, $3}')
        rendered=$((rendered + r)) skipped=$((skipped + s))
    done
    echo "$rendered rendered, $skipped skipped"
}
in_shard() { # in_shard K N: how many counties shard K of N has (the manifest of a run)
    manifest_field "$1" "len(m['counties'])"
}

# --- shard 4 of 8 missing: named, with its index, exit 1 -----------------------------------
A=$TMP/a
check_eq "7 of 8 shards: 300 rendered between them, less shard 4" "ok" \
    "$(out=$(shards "$A" 8 1 2 3 5 6 7 8) && [[ $out == *" rendered, 0 skipped" ]] && echo ok || echo "$out")"
have=0
for k in 1 2 3 5 6 7 8; do have=$((have + $(in_shard "$A/manifest.shard-$k-of-8.json"))); done
miss=$((300 - have))
cb manifest merge "$A"
check_eq "shard 4 of 8 missing: exit 1" 1 "$RC"
check_eq "shard 4 of 8 missing: the summary counts and names it" \
    "manifest.json: $have of 300 counties; $miss missing (shard 4 of 8 not run: index 3), 0 failed" "$(head -1 "$TMP/stdout")"
if grep -qxF "missing shards: 4 of 8 (array index 3): re-run those indexes" "$TMP/stdout"; then
    ok "shard 4 of 8 missing: its array index to re-run"; else not_ok "shard 4 of 8 missing: its array index to re-run" "$(cat "$TMP/stdout")"; fi
check_eq "shard 4 of 8 missing: the merged manifest lists the $have there are" "$have" \
    "$(manifest_field "$A/manifest.json" "len(m['counties'])")"
check_eq "each shard manifest records its shard, the count and the data" "2 8 300 $(cut -d, -f1 "$D/counties.csv" | tail -n +2 | LC_ALL=C sort | sha256sum | cut -d' ' -f1)" \
    "$(manifest_field "$A/manifest.shard-2-of-8.json" "m['shard'], m['shards'], m['counties_total'], m['counties_digest']" | tr -d '(),'"'")"
check_eq "shard 4 of 8 re-run: $miss rendered" "$miss rendered, 0 skipped" "$(shards "$A" 8 4)"
cb manifest merge "$A"
check_eq "all 8 shards: exit 0" 0 "$RC"
check_eq "all 8 shards: 300 of 300" "manifest.json: 300 of 300 counties; 0 missing, 0 failed" "$(cat "$TMP/stdout")"
check_eq "all 8 shards: manifest.json lists 300 counties, layout 8" "300 8" \
    "$(manifest_field "$A/manifest.json" "len(m['counties']), m['shards']" | tr -d '(),')"
cb manifest merge "$A" --quiet
check_eq "--quiet: nothing printed when complete" "0 " "$RC $(cat "$TMP/stdout" "$TMP/stderr")"

# --- changing the layout re-renders nothing; old layouts never block ----------------------
check_eq "8 -> 4 shards: nothing re-rendered" "0 rendered, 300 skipped" "$(shards "$A" 4 1 2 3 4)"
cb manifest merge "$A"
check_eq "8 -> 4 shards: merge exit 0, the 8 shard manifests still there" "0 8" \
    "$RC $(ls "$A" | grep -c '^manifest\.shard-.-of-8\.json$')"
cb render "${R[@]}" --out "$A"
check_eq "shards -> one machine: nothing re-rendered" "0 rendered, 300 skipped (unchanged), 0 failed" "$(summary)"
check_eq "one machine -> 2 shards: nothing re-rendered" "0 rendered, 300 skipped" "$(shards "$A" 2 1 2)"
cb render "${R[@]}" --out "$A"
check_eq "and back: nothing re-rendered" "0 rendered, 300 skipped (unchanged), 0 failed" "$(summary)"
check_eq "8 shards again: nothing re-rendered" "0 rendered, 300 skipped" "$(shards "$A" 8 1 2 3 4 5 6 7 8)"
cb manifest merge "$A"
check_eq "every layout in one folder: merge exit 0" 0 "$RC"

# --- a full run, then one shard, then a merge: the complete manifest stays -------------------
C=$TMP/c
cb render "${R[@]}" --out "$C"
check_eq "full run: exit 0" 0 "$RC"
shards "$C" 2 1 >/dev/null
cb manifest merge "$C"
check_eq "full run + shard 1/2 + merge: exit 0, 300 counties" "0 300" \
    "$RC $(manifest_field "$C/manifest.json" "len(m['counties'])")"
cp "$C/manifest.json" "$TMP/complete.json"
# the newest word on one county says it failed, though its PDF is there: less complete
"$PY" - "$C/manifest.shard-1-of-2.json" <<'PY'
import json, sys
m = json.load(open(sys.argv[1]))
m["counties"][0].update(status="failed", generation=m["generation"] + 1, error="made to fail")
json.dump(m, open(sys.argv[1], "w"))
PY
cb manifest merge "$C"
check_eq "a less complete union: exit 1" 1 "$RC"
if grep -qxF "manifest.json not replaced: it has 300 counties present, the merge only 299" "$TMP/stdout"; then
    ok "a less complete union: says manifest.json is not replaced"; else
    not_ok "a less complete union: says manifest.json is not replaced" "$(cat "$TMP/stdout")"; fi
check "a less complete union: manifest.json unchanged" cmp "$TMP/complete.json" "$C/manifest.json"

# --- --data: counties added and removed; --expect -------------------------------------------
first=$(sed -n 2p "$D/counties.csv" | cut -d, -f1)
D2=$TMP/data-added
cp -a "$D" "$D2"
for f in "$D2"/*.csv; do # county 999999: a copy of the first, under another id and name
    [[ $(head -1 "$f") == county_id,* ]] || continue
    grep "^$first," "$f" | sed "s/^$first,/999999,/" >>"$f"
done
sed -i '$ s/^999999,[^,]*,/999999,新增县,/' "$D2/counties.csv"
cb manifest merge "$A" --data "$D2"
check_eq "--data with a county added: exit 1" 1 "$RC"
check_eq "--data with a county added: named" "manifest.json: 300 of 301 counties; 1 missing, 0 failed
missing: 999999" "$(cat "$TMP/stdout")"
D3=$TMP/data-removed
cp -a "$D" "$D3"
for f in "$D3"/*.csv; do sed -i "/^$first,/d" "$f"; done
A3=$TMP/a3
cp -a "$A" "$A3"
cb manifest merge "$A3" --data "$D3"
check_eq "--data with a county removed: exit 0, named as dropped" "0 manifest.json: 299 of 299 counties; 0 missing, 0 failed
no longer in the data (dropped): $first" "$RC $(cat "$TMP/stdout")"
check_eq "--data with a county removed: manifest.json without it" "299 False" \
    "$(manifest_field "$A3/manifest.json" "len(m['counties']), '$first' in [c['county_id'] for c in m['counties']]")"
cb render "${R[@]}" --data "$D2" --out "$A"
check_eq "the county added: it alone is rendered" "1 rendered, 300 skipped (unchanged), 0 failed" "$(summary)"
cb manifest merge "$A" --data "$D2"
check_eq "--data after rendering it: exit 0" 0 "$RC"
cb manifest merge "$A"
check_eq "without --data: the newest run's count" "0 manifest.json: 301 of 301 counties; 0 missing, 0 failed" \
    "$RC $(cat "$TMP/stdout")"
cb manifest merge "$A" --expect 301
check_eq "--expect 301: exit 0" 0 "$RC"
cb manifest merge "$A" --expect 302
check_eq "--expect 302: exit 1, 1 missing" "1 manifest.json: 301 of 302 counties; 1 missing, 0 failed" \
    "$RC $(cat "$TMP/stdout")"
cb manifest merge "$A" --data "$D2" --expect 3
check_eq "--data and --expect: usage error" 2 "$RC"
cb manifest merge "$A" --expect many
check_eq "--expect many: usage error" 2 "$RC"
cb manifest merge
check_eq "no folder: usage error" 2 "$RC"

# --- a deleted PDF is missing; a failed county is failed -----------------------------------
pdf=$(ls "$A" | grep "^$first-.*\.pdf$")
rm "$A/$pdf"
cb manifest merge "$A"
check_eq "a deleted PDF: exit 1, named" "1 manifest.json: 300 of 301 counties; 1 missing, 0 failed
missing: $first" "$RC $(cat "$TMP/stdout")"
name=$(sed -n 3p "$D/counties.csv" | cut -d, -f2)
fid=$(sed -n 3p "$D/counties.csv" | cut -d, -f1)
printf 'if county.name == "%s" then error("made to fail") end\ndoc:title(county.name, "ok")\n' "$name" >"$TMP/rep/fail.lua"
cb render --data "$D" --report "$TMP/rep/fail.lua" --no-fsync --jobs 2 --out "$TMP/f" --shard 1/1
check_eq "a county made to fail: render exit 1" 1 "$RC"
cb manifest merge "$TMP/f"
check_eq "a failed county: merge exit 1, named" "1 manifest.json: 299 of 300 counties; 0 missing, 1 failed
failed: $fid" "$RC $(cat "$TMP/stdout")"

# --- corrupt, truncated, foreign and mixed manifests: one line, exit 3 ---------------------
bad() { # bad WHAT: a copy of the complete folder $TMP/b, to spoil
    rm -rf "$TMP/b"
    cp -a "$TMP/good" "$TMP/b"
}
mkdir -p "$TMP/good"
shards "$TMP/good" 4 1 2 3 4 >/dev/null
bad
echo '{"counties": [oops' >"$TMP/b/manifest.shard-2-of-4.json"
cb manifest merge "$TMP/b"
check_eq "corrupt manifest: exit 3" 3 "$RC"
check_eq "corrupt manifest: one line naming it, line and column" \
    "1 yes" "$(wc -l <"$TMP/stderr") $(grep -q "manifest.shard-2-of-4.json: not valid JSON at line 1, column" "$TMP/stderr" && echo yes || cat "$TMP/stderr")"
bad
head -c 3000 "$TMP/good/manifest.shard-3-of-4.json" >"$TMP/b/manifest.shard-3-of-4.json"
cb manifest merge "$TMP/b"
if [[ $RC -eq 3 ]] && grep -q "manifest.shard-3-of-4.json: not valid JSON at line .*(truncated or corrupt)" "$TMP/stderr"; then
    ok "truncated manifest: exit 3, named"; else not_ok "truncated manifest: exit 3, named" "$RC $(cat "$TMP/stderr")"; fi
bad
echo '[1, 2]' >"$TMP/b/manifest.shard-3-of-4.json"
cb manifest merge "$TMP/b"
check_eq "a JSON file that is no manifest: exit 3, named" \
    "3 countybrief: $TMP/b/manifest.shard-3-of-4.json: not a countybrief manifest (no \"counties\" list)" "$RC $(cat "$TMP/stderr")"
cb synth --counties 200 --seed 2 --out "$TMP/other-data"
cb render --data "$TMP/other-data" --report "$TMP/rep/tiny.lua" --no-fsync --out "$TMP/other" --shard 2/4 --quiet
bad
cp "$TMP/other/manifest.shard-2-of-4.json" "$TMP/b/"
cb manifest merge "$TMP/b"
check_eq "a manifest of another data set: exit 3" 3 "$RC"
if grep -q "manifest.shard-2-of-4.json is of another data set (200 counties, digest [0-9a-f]*) than manifest.shard-1-of-4.json (300 counties, digest [0-9a-f]*): two runs in one folder?" "$TMP/stderr"; then
    ok "a manifest of another data set: one line, both counts"; else not_ok "a manifest of another data set: one line, both counts" "$(cat "$TMP/stderr")"; fi
bad
cb render --data "$D" --report "$TMP/rep/other.lua" --no-fsync --out "$TMP/b" --shard 3/4 --quiet
cb manifest merge "$TMP/b"
check_eq "a folder of two reports: exit 3" 3 "$RC"
if grep -q "manifest.shard-3-of-4.json is of report .*other.lua (template briefing), .*manifest.shard-1-of-4.json of report .*tiny.lua .*: a folder mixing two reports" "$TMP/stderr"; then
    ok "a folder of two reports: one line naming both"; else not_ok "a folder of two reports: one line naming both" "$(cat "$TMP/stderr")"; fi
bad
"$PY" - "$TMP/b/manifest.shard-1-of-4.json" "$TMP/b/manifest.shard-2-of-4.json" <<'PY'
import json, sys
a, b = (json.load(open(p)) for p in sys.argv[1:])
a["counties"].append(b["counties"][0])
json.dump(a, open(sys.argv[1], "w"))
PY
cb manifest merge "$TMP/b"
if [[ $RC -eq 3 ]] && grep -q "manifest.shard-2-of-4.json: county .* is also in manifest.shard-1-of-4.json: shards of one layout overlap" "$TMP/stderr"; then
    ok "two shards of one layout claiming a county: exit 3"; else not_ok "two shards of one layout claiming a county: exit 3" "$RC $(cat "$TMP/stderr")"; fi
bad
ln -sf /etc/passwd "$TMP/b/manifest.shard-4-of-4.json"
cb manifest merge "$TMP/b"
if [[ $RC -eq 3 ]] && grep -q "manifest.shard-4-of-4.json: .*link" "$TMP/stderr"; then
    ok "a manifest that is a link: not followed, exit 3"; else not_ok "a manifest that is a link: not followed, exit 3" "$RC $(cat "$TMP/stderr")"; fi
bad
cb manifest merge "$TMP/b"
check_eq "the unspoilt copy: exit 0" 0 "$RC"

# --- a shard killed before its manifest: its journal counts, in any later layout -----------
bad
"$PY" - "$TMP/b/manifest.shard-2-of-4.json" "$TMP/b/.manifest.shard-2-of-4.json.journal" <<'PY'
import json, os, sys
m = json.load(open(sys.argv[1]))
with open(sys.argv[2], "w") as j:
    for c in m["counties"]:
        j.write("\n" + json.dumps(c))
os.unlink(sys.argv[1])
PY
cb render "${R[@]}" --out "$TMP/b"
check_eq "a killed shard's journal: a run on one machine re-renders nothing" \
    "0 rendered, 300 skipped (unchanged), 0 failed" "$(summary)"

# --- the data lost a county, the shards were re-run in another layout: merge without --data --
bad
check_eq "a county removed, re-run in 2 shards: nothing re-rendered" "0 rendered, 299 skipped" \
    "$(R=(--data "$D3" --report "$TMP/rep/tiny.lua" --no-fsync --jobs 2) && shards "$TMP/b" 2 1 2)"
cb manifest merge "$TMP/b"
check_eq "a county removed: merge without --data is complete, the old layout's extra county left out" \
    "0 manifest.json: 299 of 299 counties; 0 missing, 0 failed" "$RC $(head -1 "$TMP/stdout")"
cb manifest merge "$TMP/b" --expect 299
check_eq "a county removed: --expect 299 too" 0 "$RC"

# --- twelve PDFs gone: ten named, then the rest counted; a PDF of another size is missing too --
bad
pdfs=("$TMP"/b/*.pdf)
rm "${pdfs[@]:0:12}"
printf 'x' >>"${pdfs[12]}"
cb manifest merge "$TMP/b" --data "$D"
check_eq "13 missing: the summary, ten ids and the rest counted" \
    "1 manifest.json: 287 of 300 counties; 13 missing, 0 failed|and 3 more" \
    "$RC $(head -1 "$TMP/stdout")|$(sed -n 2p "$TMP/stdout" | grep -o 'and [0-9]* more$')"
finish
