#!/usr/bin/env bash
# outfiles.sh: what countybrief writes and reads back in the output folder and its caches,
# tried as an attacker and as a user rendering by turns into one folder would:
#   - a link planted at the journal, the manifest, a temporary file or any cache file is never
#     written through (the file it points to is unchanged) and is replaced or refused with
#     one line naming it; a FIFO or /dev/zero at the manifest or the journal does not hang
#     the run or fill memory;
#   - two counties whose PDFs would be one file (also ignoring case or Unicode
#     normalisation) both fail, each naming the other, before anything is rendered;
#   - a county that fails has its previous PDF moved aside as NAME.pdf.stale (summary,
#     manifest);
#   - zh and en, briefing and onepager rendered by turns into one folder keep their own
#     files and manifests (the second round renders nothing); a report over all counties
#     can never take a county's file name; `manifest merge` per output set;
#   - the temporary-file sweep removes only files provably ours, at the documented age;
#   - the file digests of runs by turns (two reports) add up in the cache.
set -euo pipefail
source "$(dirname "$0")/lib/common.bash"

manifest_field() { # manifest_field FILE EXPR: a python expression over m (the manifest)
    "$PY" -c "import json,sys; m=json.load(open(sys.argv[1])); print($2)" "$1"
}
listing() { (cd "$1" && find . -mindepth 1 -maxdepth 1 -printf '%f\n' | LC_ALL=C sort | tr '\n' ' ' | sed 's/ $//'); }
# bounded CMD...: runs countybrief like cb, but stops it after 20 s (RC 124) and, unless it
# is a sanitizer build (which needs a large address space), within 2 GiB of memory
bounded() {
    RC=0
    (if ! sanitized; then ulimit -v 2097152; fi
     exec timeout -s KILL $((20 * SLOW)) "$CB" "$@") >"$TMP/stdout" 2>"$TMP/stderr" || RC=$?
}

# a small report and data: one title per county, so each render takes milliseconds
mkdir -p "$TMP/rep"
cat >"$TMP/rep/title.lua" <<'LUA'
doc:title(county.name, "ok")
LUA
cat >"$TMP/rep/fail5.lua" <<'LUA'
if county.id == "5" then error("county 5 fails now") end
doc:title(county.name, "ok")
LUA
D=$TMP/d
mkdir -p "$D"
printf 'county_id,name\n3,three\n5,five\n' >"$D/counties.csv"
R=(--data "$D" --report "$TMP/rep/title.lua")

# --- links planted at the journal, the manifest, a temporary file, the PDF -----------------
O=$TMP/links
mkdir -p "$O"
echo "precious" >"$TMP/victim"
ln -s "$TMP/victim" "$O/.manifest.json.journal"
ln -s "$TMP/victim" "$O/3-three.pdf"
host=$(hostname | cut -c1-40 | tr -c 'A-Za-z0-9\n-' '_')
[[ -e /proc/self/ns/pid ]] && host+="_$(stat -L -c %i /proc/self/ns/pid)"
# the manifest's temporary names of the process `exec` makes of this bash -c: N = 0..9
RC=0
bash -c 'for n in 0 1 2 3 4 5 6 7 8 9; do ln -s "$1" "$2/.manifest.json.tmp-$3-$$-$n"; done
         shift 3; exec "$@"' _ "$TMP/victim" "$O" "$host" "$CB" render "${R[@]}" --out "$O" \
    >"$TMP/stdout" 2>"$TMP/stderr" || RC=$?
check_eq "links planted: the run succeeds" 0 "$RC"
check_eq "links planted: the file they point to is unchanged" "precious" "$(cat "$TMP/victim")"
check "links planted: the manifest is a regular file" test -f "$O/manifest.json" -a ! -L "$O/manifest.json"
check "links planted: the PDF replaced the link at its name" test -f "$O/3-three.pdf" -a ! -L "$O/3-three.pdf"
if grep -qxF "countybrief: $O/.manifest.json.journal: a symbolic link: not followed; ignored, removed (a new journal is started)" "$TMP/stderr"; then
    ok "links planted: one line names the journal"; else not_ok "links planted: one line names the journal" "$(cat "$TMP/stderr")"; fi
check_eq "links planted: no journal left, the temporary-name links left alone" "10 " \
    "$(find "$O" -name '.manifest.json.tmp-*' -type l | wc -l) $(find "$O" -name '.*journal')"
ln -sf "$TMP/victim" "$O/manifest.json"
cb render "${R[@]}" --out "$O"
check_eq "a link at manifest.json: the run succeeds, rendering again" "0 2" \
    "$RC $(manifest_field "$O/manifest.json" "m['rendered']")"
check "a link at manifest.json: replaced by a file, its target unchanged" \
    test -f "$O/manifest.json" -a ! -L "$O/manifest.json" -a "$(cat "$TMP/victim")" = precious
if grep -qxF "countybrief: $O/manifest.json: a symbolic link: not followed; ignored, this run's manifest replaces it" "$TMP/stderr"; then
    ok "a link at manifest.json: one line names it"; else not_ok "a link at manifest.json: one line names it" "$(cat "$TMP/stderr")"; fi

# --- the caches: every list countybrief keeps under $XDG_CACHE_HOME/countybrief ------------
# a template whose heading face is not installed (its absence remembered in font-match, the
# default font looked up in font-lookup) and a character only a fallback font has (U+20000:
# font-fallbacks), so each list is written whatever fonts fontconfig has
export XDG_CACHE_HOME=$TMP/cache2
CACHES=(file-digests font-fallbacks font-lookup font-match probed-plugins)
mkdir -p "$XDG_CACHE_HOME/countybrief" "$TMP/lists"
printf 'return { type = { faces = { heading = "No Such Sans CJK" } } }\n' >"$TMP/lists/template.lua"
cat >"$TMP/rep/ext.lua" <<'LUA'
doc:title(county.name, "ok \u{20000}")
LUA
L=(--data "$D" --report "$TMP/rep/ext.lua" --template "$TMP/lists")
echo "precious" >"$TMP/victim2"
for c in "${CACHES[@]}"; do ln -s "$TMP/victim2" "$XDG_CACHE_HOME/countybrief/$c"; done
cb render "${L[@]}" --out "$TMP/caches"
check_eq "links at the caches: the run succeeds" 0 "$RC"
check_eq "links at the caches: the file they point to is unchanged" "precious" "$(cat "$TMP/victim2")"
regular=()
for c in "${CACHES[@]}"; do
    if [[ -f $XDG_CACHE_HOME/countybrief/$c && ! -L $XDG_CACHE_HOME/countybrief/$c ]]; then regular+=("$c"); fi
done
check_eq "links at the caches: each replaced by a regular file" "${CACHES[*]}" "${regular[*]}"
for c in "${CACHES[@]}"; do
    rm -f "$XDG_CACHE_HOME/countybrief/$c"
    mkfifo "$XDG_CACHE_HOME/countybrief/$c"
done
bounded render "${L[@]}" --out "$TMP/caches" --force
check_eq "FIFOs at the caches: the run finishes" 0 "$RC"

# the file digests of runs by turns add up: two reports (and the files they read) rendered
# into new folders one after the other both stay in the cache (a run rewriting it with its
# own files only made the next one hash the fonts again)
export XDG_CACHE_HOME=$TMP/cache3
for r in a b; do
    mkdir -p "$TMP/turn-rep-$r"
    cp "$TMP/rep/title.lua" "$TMP/turn-rep-$r/report.lua"
done
sleep 2 # a file changed in the last 2 seconds is hashed but not remembered (util.h: settled)
cb render --data "$D" --report "$TMP/turn-rep-a/report.lua" --out "$TMP/turn-a"
cb render --data "$D" --report "$TMP/turn-rep-b/report.lua" --out "$TMP/turn-b"
for r in a b; do
    check "runs by turns: the cache keeps the digest of report $r" \
        grep -qF "\"$TMP/turn-rep-$r/report.lua\"" "$XDG_CACHE_HOME/countybrief/file-digests"
done
export XDG_CACHE_HOME=$TMP/cache

# --- FIFOs and /dev/zero at the manifest and the journal ----------------------------------
for what in fifo zero; do
    for at in manifest.json .manifest.json.journal; do
        F=$TMP/$what$at
        mkdir -p "$F"
        if [[ $what == fifo ]]; then mkfifo "$F/$at"; else ln -s /dev/zero "$F/$at"; fi
        start=$SECONDS
        bounded render "${R[@]}" --out "$F"
        check_eq "$what at $at: the run finishes at once, exit 0" "0 yes" "$RC $([[ $((SECONDS - start)) -le $((10 * SLOW)) ]] && echo yes)"
        if grep -q "^countybrief: $F/$at: .*; ignored" "$TMP/stderr"; then ok "$what at $at: one line names it"; else
            not_ok "$what at $at: one line names it" "$(cat "$TMP/stderr")"; fi
    done
done
# a manifest past the read-back cap (256 MiB, sparse: no disk) is not read
B=$TMP/big
mkdir -p "$B"
truncate -s 300M "$B/manifest.json"
bounded render "${R[@]}" --out "$B"
check_eq "a 300 MB manifest: exit 0, not read" 0 "$RC"
if grep -qF "countybrief: $B/manifest.json: larger than 256 MiB: not read; ignored" "$TMP/stderr"; then
    ok "a 300 MB manifest: one line says so"; else not_ok "a 300 MB manifest: one line says so" "$(cat "$TMP/stderr")"; fi

# --- counties whose PDFs would be one file --------------------------------------------------
C=$TMP/clash
mkdir -p "$C/d"
printf 'county_id,name\n1-a,b\n1,a-b\na/b,x\na_b,x\nQ1,y\nq1,y\n\xc3\x84,z\nA\xcc\x88,z\n3,three\n' >"$C/d/counties.csv"
cb render --data "$C/d" --report "$TMP/rep/title.lua" --out "$C/o"
check_eq "clashing names: exit 1, the county of its own rendered, no clashing file" "1 3-three.pdf manifest.json" \
    "$RC $(listing "$C/o")"
for pair in "1-a b|1 a-b|1-a-b.pdf" "a/b x|a_b x|a_b-x.pdf" "Q1 y|q1 y|Q1-y.pdf = q1-y.pdf"; do
    IFS='|' read -r one two file <<<"$pair"
    if grep -qF "countybrief: $one: its PDF would be one file with that of $two, $file" "$TMP/stderr" &&
        grep -qF "countybrief: $two: its PDF would be one file with that of $one," "$TMP/stderr"; then
        ok "clash $one / $two: each fails naming the other"; else not_ok "clash $one / $two: each fails naming the other" "$(cat "$TMP/stderr")"; fi
done
check_eq "clashing names: Unicode normalisation (Ä, A + U+0308) is a clash too" 2 \
    "$(grep -c " z: its PDF would be one file" "$TMP/stderr" || true)"
check_eq "clashing names: the manifest records 8 failures" 8 \
    "$(manifest_field "$C/o/manifest.json" "sum(c['status'] == 'failed' for c in m['counties'])")"
cb check --data "$C/d" --report "$TMP/rep/title.lua"
check_eq "check: the 8 clashing counties are errors" "1 8" "$RC $(grep -c '^error: .*its PDF would be one file' "$TMP/stdout" || true)"
cb render --data "$C/d" --report "$TMP/rep/title.lua" --out "$C/o1" --county 1
check_eq "--county 1 alone: refused as well (the whole data is checked)" "1 manifest.json" "$RC $(listing "$C/o1")"

# --- a county that fails: its previous PDF moved aside ------------------------------------
S=$TMP/stale
cb render "${R[@]}" --out "$S" --quiet
cb render --data "$D" --report "$TMP/rep/fail5.lua" --out "$S"
check_eq "a county that fails: exit 1; its old PDF is now 5-five.pdf.stale" \
    "1 3-three.pdf 5-five.pdf.stale manifest.json" "$RC $(listing "$S")"
if grep -qxF "countybrief: 5 five: the previous $S/5-five.pdf no longer matches the data: moved aside as 5-five.pdf.stale" "$TMP/stderr" &&
    grep -q "^1 rendered, 0 skipped (unchanged), 1 failed (1 previous PDF moved aside as .stale) in" "$TMP/stderr"; then
    ok "a county that fails: a line and the summary say so"; else not_ok "a county that fails: a line and the summary say so" "$(cat "$TMP/stderr")"; fi
check_eq "a county that fails: the manifest records the stale file" "failed 5-five.pdf.stale" \
    "$(manifest_field "$S/manifest.json" "[c['status'] + ' ' + c['stale'] for c in m['counties'] if c['county_id'] == '5'][0]")"

# --- output sets rendered by turns into one folder ------------------------------------------
A=$TMP/alt
round() {
    local line=""
    for set in "" "--lang en" "--template onepager" "--template onepager --lang en"; do
        # shellcheck disable=SC2086
        cb render --out "$A" $set
        line+="$RC:$(tail -n 1 "$TMP/stdout" | cut -d, -f1) "
    done
    echo "${line% }"
}
check_eq "zh, en, onepager, onepager en: the first round renders each" \
    "0:2 rendered 0:2 rendered 0:2 rendered 0:2 rendered" "$(round)"
check_eq "... the second round renders nothing" "0:0 rendered 0:0 rendered 0:0 rendered 0:0 rendered" "$(round)"
check_eq "... each set its own PDFs and manifest" \
    "500233-忠县.en.pdf 500233-忠县.onepager.en.pdf 500233-忠县.onepager.pdf 500233-忠县.pdf 500236-奉节县.en.pdf 500236-奉节县.onepager.en.pdf 500236-奉节县.onepager.pdf 500236-奉节县.pdf manifest.en.json manifest.json manifest.onepager.en.json manifest.onepager.json" \
    "$(listing "$A")"
check_eq "... the onepager is one page, the briefing more" "1 yes" \
    "$(pdf_pages "$A/500233-忠县.onepager.pdf") $([[ $(pdf_pages "$A/500233-忠县.pdf") -gt 1 ]] && echo yes)"
mkdir -p "$TMP/tpl/en"
cp "$CB_SRC/templates/onepager/template.lua" "$TMP/tpl/en/"
cb render --out "$TMP/tplen" --template "$TMP/tpl/en"
check_eq "a template named like a language: refused (exit 2), nothing written" "2 no" \
    "$RC $([[ -e $TMP/tplen/500233-忠县.en.pdf ]] && echo yes || echo no)"

# a report over all counties named like a county: its own file, the county's untouched
cat >"$TMP/rep/all.lua" <<'LUA'
report { scope = "all", output = "500233-忠县" }
doc:title("all", #counties .. " counties")
LUA
before=$(sha256sum "$A/500233-忠县.pdf")
cb render --out "$A" --report "$TMP/rep/all.lua"
check_eq "scope all, output \"500233-忠县\": written as 500233_忠县.pdf, the county's PDF unchanged" \
    "0 yes $before" "$RC $([[ -f $A/500233_忠县.pdf ]] && echo yes) $(sha256sum "$A/500233-忠县.pdf")"

# shards of an output set, merged into that set's manifest
M=$TMP/merge
cb render --out "$M" --lang en --shard 1/2 --quiet
cb render --out "$M" --lang en --shard 2/2 --quiet
cb manifest merge "$M"
check_eq "manifest merge: the en shards join into manifest.en.json" "0 2" \
    "$RC $(manifest_field "$M/manifest.en.json" "len(m['counties'])" 2>/dev/null)"

# --- a hard link planted at the journal: never appended through -------------------------
H=$TMP/hard
mkdir -p "$H"
echo "precious" >"$TMP/victim-hard"
if ln "$TMP/victim-hard" "$H/.manifest.json.journal" 2>/dev/null; then
    cb render "${R[@]}" --out "$H" --quiet --force
    check_eq "hard link at the journal: the run renders" 0 "$RC"
    check_eq "hard link at the journal: its other name's file is unchanged" precious "$(cat "$TMP/victim-hard")"
else
    skip "hard link at the journal" "ln refused (fs.protected_hardlinks or another file system)"
fi

# --- the sweep: only what is provably ours, at 2 hours --------------------------------------
W=$TMP/sweep
mkdir -p "$W"
sleep 0 & dead=$!
wait "$dead"
echo "precious" >"$TMP/victim3"
touch -d '90 minutes ago' "$W/.a.pdf.tmp-elsewhere_1-$dead-0"          # another host, 1.5 h: kept
touch -d '3 hours ago' "$W/.b.pdf.tmp-elsewhere_1-$dead-1"             # another host, 3 h: swept
touch -d '3 hours ago' "$W/.c.pdf.tmp-bad host-$dead-2"                # not the pattern: kept
touch -d '3 hours ago' "$W/..tmp-elsewhere_1-$dead-3"                  # no NAME: kept
ln -s "$TMP/victim3" "$W/.d.pdf.tmp-$host-$dead-4"                     # a link, its writer dead: kept
touch -h -d '3 hours ago' "$W/.d.pdf.tmp-$host-$dead-4"
cb render "${R[@]}" --out "$W" --quiet
check_eq "sweep: only the 3-hour-old file of the exact pattern goes" \
    "..tmp-elsewhere_1-$dead-3 .a.pdf.tmp-elsewhere_1-$dead-0 .c.pdf.tmp-bad host-$dead-2 .d.pdf.tmp-$host-$dead-4" \
    "$(cd "$W" && find . -maxdepth 1 -name '.*tmp*' -printf '%f\n' | LC_ALL=C sort | tr '\n' ' ' | sed 's/ $//')"
check_eq "sweep: the link's target is there" precious "$(cat "$TMP/victim3")"

finish
