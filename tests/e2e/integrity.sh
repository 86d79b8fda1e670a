#!/usr/bin/env bash
# integrity.sh: the promise of the output folder (core/output.c) to someone whose batch
# runs out of disk or is killed: a PDF at a final path is always complete (never empty,
# never cut short), a full disk fails the county with one line naming the file and the
# cause (the first three; the others are counted), the summary counts the failures
# exactly, PDFs written earlier stay intact, a manifest that cannot be written is an error
# (non-zero exit) and the old one stays; after a kill -9 at any moment, the next run sweeps
# the temporary files the dead run left and completes the set, rendering only what is
# missing.
#
# The full disk is a tmpfs (needs root, as in CI) sized from the PDFs this build makes with
# the fonts at hand (Noto CJK PDFs are twice the WenQuanYi ones): the three PDFs written first,
# the next county's and room for the manifest, no more. Where mount is not permitted the
# test says so and simulates the full disk with a file-size limit (ulimit -f: EFBIG) instead;
# CB_TEST_NO_MOUNT=1 forces that path. That path renders a report of digits (PDFs of 7 to
# 35 KB) and sets the limit between the two sizes.
set -euo pipefail
source "$(dirname "$0")/lib/common.bash"

# pdf_problems DIR: every PDF of DIR that is empty or fails qpdf --check (warnings too: a
# truncated PDF is "damaged" and only repaired with warnings)
pdf_problems() {
    find "$1" -maxdepth 1 -name '*.pdf' -print0 |
        xargs -0 -r -P 4 -I{} sh -c '[ -s "$1" ] && qpdf --check "$1" >/dev/null 2>&1 || echo "$(basename "$1")"' _ {} |
        sort
}
pdf_count() { find "$1" -maxdepth 1 -name '*.pdf' | wc -l; }
temp_files() { find "$1" -maxdepth 1 -name '.*.tmp-*' -printf '%f\n' | sort; }
summary() { grep -E '^[0-9]+ rendered, [0-9]+ skipped \(unchanged\), [0-9]+ failed in ' "$@" || true; }
manifest_field() { # manifest_field FILE EXPR: a python expression over m (the manifest)
    "$PY" -c "import json,sys; m=json.load(open(sys.argv[1])); print($2)" "$1"
}

"$CB" synth --counties 20 --seed 1 --out "$TMP/d20" --quiet
"$CB" synth --counties 100 --seed 1 --out "$TMP/d100" --quiet

# the checker itself: a PDF cut short must be caught (the 20 PDFs give the disk's size below)
mkdir -p "$TMP/probe"
cb render --data "$TMP/d20" --out "$TMP/probe" --quiet
one=$(find "$TMP/probe" -name '*.pdf' | head -n 1)
head -c 30000 "$one" >"$TMP/probe/cut.pdf"
: >"$TMP/probe/empty.pdf"
check_eq "the checker catches a cut-short and an empty PDF" "cut.pdf empty.pdf" "$(pdf_problems "$TMP/probe" | tr '\n' ' ' | sed 's/ $//')"

# --- a full disk -------------------------------------------------------------------------
# its size in 4 KB pages (a tmpfs counts whole pages): the three PDFs written first (902435,
# 912414, 916815), the next in the batch's order (919698), and twice the manifest's and the
# journal's pages (the old manifest stays while the new one is written); every other PDF is
# larger than that room, so exactly four PDFs fit and the manifest still does
pages() { local f n=0; for f; do n=$((n + ($(stat -c %s "$f") + 4095) / 4096)); done; echo "$n"; }
room=$((2 * $(pages "$TMP/probe/manifest.json") + 2))
disk=$(($(pages "$TMP/probe"/{902435,912414,916815,919698}-*.pdf) + room))
small=$(for f in "$TMP/probe"/[0-9]*.pdf; do pages "$f"; done | sort -n | head -n 1)
check "full disk: each PDF ($small pages or more) is larger than the room left for the manifest ($room pages)" \
    test "$small" -gt "$room"
MNT=$TMP/disk
mkdir -p "$MNT"
mounted=0
if [[ -z ${CB_TEST_NO_MOUNT:-} ]] && mount -t tmpfs -o size=$((disk * 4))k tmpfs "$MNT" 2>"$TMP/mount.err"; then
    mounted=1
    trap 'umount "$MNT" 2>/dev/null || true; rm -rf "$TMP"' EXIT
    NOSPACE="No space left on device"
    limit() { "$@"; }
    REPORT=()
else
    skip "full disk on a tmpfs (ENOSPC); a file-size limit (ulimit -f, EFBIG) stands in for it" \
        "cannot mount one: $(cat "$TMP/mount.err" 2>/dev/null || echo CB_TEST_NO_MOUNT)"
    NOSPACE="File too large"
    limit() { (ulimit -f 18 && "$@"); } # 18 KB: the manifest and some of the PDFs fit
    cat >"$TMP/digits.lua" <<'LUA'
doc:title(county.name, "integrity")
for p = 1, 20 * (1 + tonumber(county.id) % 6) do
    local t = {}
    for k = 1, 30 do t[#t + 1] = tostring(math.random(100000, 999999)) end
    doc:paragraph(table.concat(t, " "))
end
LUA
    REPORT=(--report "$TMP/digits.lua")
fi
OUT=$MNT/out

# three PDFs first: they must survive what follows
cb render --data "$TMP/d20" --out "$OUT" "${REPORT[@]}" --county 902435 --county 912414 --county 916815 --quiet
check_eq "full disk: 3 PDFs written first" "0 3" "$RC $(pdf_count "$OUT")"
(cd "$OUT" && sha256sum -- *.pdf) >"$TMP/first.sha"

# one worker: with two, a failed write's freed space could go to the other's PDF and leave
# too little for the manifest (exit 5, now and then); with one the space left is the same
# each run
limit "$CB" render --data "$TMP/d20" --out "$OUT" "${REPORT[@]}" --jobs 1 >"$TMP/stdout" 2>"$TMP/stderr" && RC=0 || RC=$?
n=$(pdf_count "$OUT")
failed=$((20 - n))
if ((mounted)); then check_eq "full disk: the next county's PDF fits, no other" 4 "$n"; fi
check_eq "full disk: exit status 1 (some counties failed)" 1 "$RC"
if ((failed > 0)); then ok "full disk: some counties failed ($failed of 20; $n PDFs fit)"; else
    not_ok "full disk: some counties failed" "all 20 fit: the disk was not full"; fi
check_eq "full disk: the summary counts the failures exactly" \
    "$((n - 3)) rendered, 3 skipped (unchanged), $failed failed" \
    "$(summary "$TMP/stderr" | sed 's/ in .*//')"
# the same error in many counties: three lines, then a count (core/repeats.h)
shown=$((failed < 3 ? failed : 3))
check_eq "full disk: a line for each of the first $shown failed counties, naming its file and '$NOSPACE'" "$shown" \
    "$(grep -cE "^countybrief: [0-9]+ [^ ]+: $(printf '%s' "$OUT" | sed 's/[.[\*^$]/\\&/g')/[0-9]+-[^/]+\.pdf: $NOSPACE\$" "$TMP/stderr" || true)"
if ((failed > 3)); then
    check "full disk: the others counted" grep -qE ": $NOSPACE \(and $((failed - 3)) more count(y|ies) with the same error\)\$" "$TMP/stderr"
fi
check_eq "full disk: no other message" "" \
    "$(grep -vE "(: $NOSPACE\$|: $NOSPACE \(and [0-9]+ more count|^countybrief: more counties fail with the error of |^[0-9]+ rendered, )" "$TMP/stderr" || true)"
check_eq "full disk: every PDF at a final path is complete (qpdf --check, not empty)" "" "$(pdf_problems "$OUT")"
check_eq "full disk: the PDFs written before are unchanged" "" "$(cd "$OUT" && sha256sum --quiet -c "$TMP/first.sha" 2>&1)"
check_eq "full disk: no temporary file left" "" "$(temp_files "$OUT")"
check_eq "full disk: the manifest lists the failed counties and the files on disk" "$failed $n" \
    "$(manifest_field "$OUT/manifest.json" "sum(c['status'] == 'failed' for c in m['counties']), sum(c['status'] != 'failed' for c in m['counties'])")"

# the manifest itself cannot be written: an error, a non-zero exit, the old one kept
cp "$OUT/manifest.json" "$TMP/manifest.before"
if ((mounted)); then
    dd if=/dev/zero of="$MNT/filler" bs=4k 2>/dev/null || true # every last block
    again() { "$@"; }
else
    again() { (ulimit -f 4 && "$@"); } # 4 KB: smaller than the manifest
fi
again "$CB" render --data "$TMP/d20" --out "$OUT" "${REPORT[@]}" --jobs 2 >"$TMP/stdout" 2>"$TMP/stderr" && RC=0 || RC=$?
check_eq "manifest unwritable: exit status 5 (output cannot be written)" 5 "$RC"
if grep -qxF "countybrief: $OUT/manifest.json: $NOSPACE" "$TMP/stderr"; then ok "manifest unwritable: one line names manifest.json and the cause"; else
    not_ok "manifest unwritable: one line names manifest.json and the cause" "$(cat "$TMP/stderr")"; fi
check_eq "manifest unwritable: the summary still counts the failures exactly" \
    "0 rendered, $n skipped (unchanged), $failed failed" "$(summary "$TMP/stderr" | sed 's/ in .*//')"
check "manifest unwritable: the previous manifest is intact" cmp "$TMP/manifest.before" "$OUT/manifest.json"
check_eq "manifest unwritable: the $n PDFs are intact" "$n " "$(pdf_count "$OUT") $(pdf_problems "$OUT")"
check_eq "manifest unwritable: no temporary file left" "" "$(temp_files "$OUT")"
if ((mounted)); then umount "$MNT"; fi

# --- the sweep: only dead writers' temporary files --------------------------------------
# .NAME.tmp-HOST-PID-N, HOST being the host name (40 characters, others than letters,
# digits and '-' as '_') and the PID namespace: see core/output.h
S=$TMP/sweep
mkdir -p "$S"
host=$(hostname | cut -c1-40 | tr -c 'A-Za-z0-9\n-' '_')
[[ -e /proc/self/ns/pid ]] && host+="_$(stat -L -c %i /proc/self/ns/pid)"
sleep 0 & dead=$!
wait "$dead"
touch "$S/.dead.pdf.tmp-$host-$dead-0"            # this host, the writer is gone: swept
touch "$S/.live.pdf.tmp-$host-$$-0"               # this host, the writer (this shell) lives: kept
touch "$S/.far.pdf.tmp-elsewhere_1-$dead-0"       # another host, recent: kept (it may be writing)
touch -d '2 hours ago' "$S/.old.pdf.tmp-elsewhere_1-$dead-1" # another host, 2 hours old: swept
touch "$S/.notours.pdf.tmp" "$S/keep.txt"         # not a temporary file of ours: kept
cb render --data "$TMP/d20" --out "$S" --county 902435
check_eq "sweep: a run removes only dead writers' temporary files" \
    ".far.pdf.tmp-elsewhere_1-$dead-0 .live.pdf.tmp-$host-$$-0 .notours.pdf.tmp keep.txt" \
    "$(cd "$S" && find . -maxdepth 1 -type f ! -name '*.pdf' ! -name manifest.json -printf '%f\n' | LC_ALL=C sort | tr '\n' ' ' | sed 's/ $//')"
if grep -q "^countybrief: removed 2 temporary files left in $S by an interrupted run" "$TMP/stderr"; then
    ok "sweep: says how many it removed"; else not_ok "sweep: says how many it removed" "$(cat "$TMP/stderr")"; fi

# --- kill -9 at random moments ---------------------------------------------------------------
# Runs 1-9 re-render everything (--force), so each kill lands while PDFs are being replaced;
# odd runs lose only the parent (its workers finish their county, then exit), even runs the
# whole process group (workers die in the middle of a write). After each kill every PDF at a
# final path must be complete. Run 10 renders for new inputs (another SOURCE_DATE_EPOCH, so
# every county is due) and is killed half-way: the next run must sweep its temporary files
# and render exactly the counties run 10 did not finish.
K=$TMP/killed
mkdir -p "$K" # a kill may come before countybrief creates it
bad=""
for i in 1 2 3 4 5 6 7 8 9 10; do
    if ((i < 10)); then
        set -- --force
        pause=$(awk -v r="$RANDOM" 'BEGIN { printf "%.2f", r / 32767 * 1.5 }')
    else
        set --
        export SOURCE_DATE_EPOCH=1700000000
        pause=$(awk -v r="$RANDOM" 'BEGIN { printf "%.2f", 0.3 + r / 32767 * 0.7 }')
        touch "$TMP/run10.start"
    fi
    setsid "$CB" render --data "$TMP/d100" --out "$K" --jobs 2 --quiet "$@" >/dev/null 2>&1 &
    pid=$!
    sleep "$pause"
    if ((i % 2)); then kill -9 "$pid" 2>/dev/null || true; else kill -9 -- "-$pid" 2>/dev/null || true; fi
    wait "$pid" 2>/dev/null || true
    for _ in $(seq 1 200); do pgrep -s "$pid" >/dev/null || break; sleep 0.05; done # orphaned workers
    problems=$(pdf_problems "$K")
    [[ -z $problems ]] || bad+="after kill $i: $problems"$'\n'
done
set --
check_eq "kill -9 x10: every PDF at a final path is complete after each kill" "" "$bad"
find "$K" -maxdepth 1 -name '*.pdf' -newer "$TMP/run10.start" -printf '%f\n' | sort >"$TMP/done10"
echo "# after the kills: $(pdf_count "$K") PDFs, $(wc -l <"$TMP/done10") of them rendered by run 10, $(temp_files "$K" | wc -l) temporary files"

cb render --data "$TMP/d100" --out "$K" --jobs 2
check_eq "after the kills: the next run completes (exit 0)" 0 "$RC"
check_eq "after the kills: no temporary file is left" "" "$(temp_files "$K")"
check_eq "after the kills: 100 PDFs, all complete" "100 " "$(pdf_count "$K") $(pdf_problems "$K")"
read -r r s <<<"$(summary "$TMP/stdout" | sed -E 's/^([0-9]+) rendered, ([0-9]+) skipped.*/\1 \2/')"
check_eq "after the kills: rendered + skipped = 100" 100 "$((${r:-0} + ${s:-0}))"
sed -n 's|^wrote .*/\([^/]*\.pdf\) (.*|\1|p' "$TMP/stdout" | sort >"$TMP/rendered"
find "$K" -maxdepth 1 -name '*.pdf' -printf '%f\n' | sort | comm -23 - "$TMP/rendered" >"$TMP/skipped"
check_eq "after the kills: it skips only counties run 10 finished (never an outdated PDF)" "" \
    "$(comm -23 "$TMP/skipped" "$TMP/done10")"
# ... and renders only the others, but for those in flight at the kill: a worker may rename
# its PDF into place just before the parent, which records it, dies (2 jobs)
extra=$(comm -13 "$TMP/skipped" "$TMP/done10" | wc -l)
if ((extra <= 2)); then ok "after the kills: it renders only what run 10 did not finish ($r rendered; $extra in flight at the kill)"; else
    not_ok "after the kills: it renders only what run 10 did not finish" "$extra finished by run 10 rendered again: $(comm -13 "$TMP/skipped" "$TMP/done10" | head -5)"; fi
cb render --data "$TMP/d100" --out "$K" --jobs 2
check_eq "then: an unchanged re-run renders nothing" "0 rendered, 100 skipped (unchanged), 0 failed" \
    "$(summary "$TMP/stdout" | sed 's/ in .*//')"
bad=$("$PY" - "$K" <<'PY'
import hashlib, json, os, sys
d = sys.argv[1]
m = json.load(open(os.path.join(d, "manifest.json")))
for c in m["counties"]:
    data = open(os.path.join(d, c["file"]), "rb").read()
    if len(data) != c["bytes"] or hashlib.sha256(data).hexdigest() != c["sha256"]:
        print(c["file"])
print(len(m["counties"]))
PY
)
check_eq "then: the manifest lists 100 counties whose size and sha256 match the files" 100 "$bad"
check_eq "then: no journal is left once the manifest is written" "" "$(find "$K" -name '.*journal')"

finish
