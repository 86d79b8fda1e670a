#!/usr/bin/env bash
# cover_batch.sh: core/batch.c paths no other test takes (tests/README.md, coverage).
# On a terminal: the progress bar, a failure printed on a line of its own above it, a
# previous PDF moved aside as .stale when its county now fails; no bar when stderr is a
# file or with --quiet. Reading back: a run of one county keeps the other's entry; damaged
# file digests are hashed again (nothing re-rendered); an entry with a damaged key is
# rendered again, alone; a link at the journal or the manifest is named, never followed.
set -euo pipefail
source "$(dirname "$0")/lib/common.bash"

# on_tty LOG ARGS...: countybrief with its terminal a pseudo-terminal (script(1), in
# util-linux); the terminal's text, CRs as "\r" lines, in LOG; sets RC
on_tty() {
    local log=$1
    shift
    RC=0
    script -qec "$(printf '%q ' "$CB" "$@")" /dev/null >"$log.raw" 2>&1 || RC=$?
    tr '\r' '\n' <"$log.raw" | grep -v '^$' >"$log" || true
}

cat >"$TMP/r.lua" <<'LUA'
if county.name == "奉节县" then error("boom in 奉节县") end
doc:title(county.name, "ok")
LUA

on_tty "$TMP/a.log" render --out "$TMP/a" --jobs 2
check_eq "terminal: exit 0" 0 "$RC"
check_eq "terminal: both PDFs" 2 "$(ls "$TMP/a" | grep -c '\.pdf$')"
check_eq "terminal: the bar ends full, nothing failed" "[==============================] 2/2" \
    "$(grep '/s  ETA' "$TMP/a.log" | tail -n1 | grep -o '^\[=*\] 2/2')"
check "terminal: the summary on its own line" grep -qx '2 rendered, 0 skipped (unchanged), 0 failed in .* s (.* per second)' "$TMP/a.log"
cp "$TMP/a/manifest.json" "$TMP/a.json"

on_tty "$TMP/b.log" render --out "$TMP/a" --report "$TMP/r.lua" --jobs 2
check_eq "terminal, a county fails: exit 1" 1 "$RC"
check "terminal: the error on a line of its own (the bar's line ended first)" \
    grep -qx 'countybrief: 500236 奉节县: .*r.lua:1: boom in 奉节县 \[traceback: .*r.lua:1\]' "$TMP/b.log"
check "terminal: the previous PDF said to be moved aside" \
    grep -q '^countybrief: 500236 奉节县: the previous .*500236-奉节县.pdf no longer matches the data: moved aside as 500236-奉节县.pdf.stale$' "$TMP/b.log"
check_eq "terminal: the bar counts the failure" "2/2 failed 1" \
    "$(grep '/s  ETA' "$TMP/b.log" | tail -n1 | sed -E 's/^\[=*\] (2\/2) .* (failed 1) *$/\1 \2/')"
check "terminal: the summary counts the failure and the .stale" \
    grep -qx '1 rendered, 0 skipped (unchanged), 1 failed (1 previous PDF moved aside as .stale) in .*' "$TMP/b.log"
check_eq "the .stale file is the earlier PDF" \
    "$("$PY" -c "import json,sys; print([c['sha256'] for c in json.load(open(sys.argv[1]))['counties'] if c['name'] == '奉节县'][0])" "$TMP/a.json")" \
    "$(sha256sum <"$TMP/a/500236-奉节县.pdf.stale" | cut -d' ' -f1)"
check_eq "manifest: failed, with its .stale" "failed 500236-奉节县.pdf.stale" \
    "$("$PY" -c "import json,sys; c=[c for c in json.load(open(sys.argv[1]))['counties'] if c['name']=='奉节县'][0]; print(c['status'], c['stale'])" "$TMP/a/manifest.json")"

on_tty "$TMP/q.log" render --out "$TMP/q" --quiet
check_eq "terminal, --quiet: exit 0" 0 "$RC"
check_eq "terminal, --quiet: prints nothing" "" "$(cat "$TMP/q.log")"
cb render --out "$TMP/f" --jobs 2
check_eq "stderr a file: exit 0" 0 "$RC"
check_eq "stderr a file: no bar, no CR" 0 "$(grep -c $'\r\|/s  ETA' "$TMP/stderr" || true)"

# --- reading back what earlier runs left -----------------------------------------------
man() { "$PY" -c "import json,sys; m=json.load(open(sys.argv[1])); print($2)" "$1"; }
cb render --out "$TMP/m" --quiet
cb render --out "$TMP/m" --county 忠县
check_eq "one county: exit 0, nothing to do" "0 0 rendered, 1 skipped (unchanged), 0 failed" \
    "$RC $(grep -o '^0 rendered.* 0 failed' "$TMP/stdout")"
check_eq "one county: the other's entry is kept, with its file" "忠县 skipped 500233-忠县.pdf|奉节县 rendered 500236-奉节县.pdf" \
    "$(man "$TMP/m/manifest.json" "'|'.join(c['name'] + ' ' + c['status'] + ' ' + c['file'] for c in m['counties'])")"

"$PY" - "$TMP/m/manifest.json" <<'PY'
import json, sys
m = json.load(open(sys.argv[1]))
for v in m["files"].values():  # digests that cannot be right: the files are hashed again
    v["sha256"] = "xyz"
m["counties"][1]["inputs"] = "short"  # 奉节县's key damaged: it cannot be trusted
json.dump(m, open(sys.argv[1], "w"))
PY
cb render --out "$TMP/m"
check_eq "damaged digests and key: exactly the county with the damaged key is rendered" \
    "0 wrote $TMP/m/500236-奉节县.pdf|1 rendered, 1 skipped (unchanged), 0 failed" \
    "$RC $(grep -o '^wrote [^ ]*' "$TMP/stdout")|$(grep -o '^1 rendered.* 0 failed' "$TMP/stdout")"
check_eq "the digests are right again" 64 \
    "$(man "$TMP/m/manifest.json" "min(len(v['sha256']) for v in m['files'].values())")"

echo keep >"$TMP/target"
ln -s "$TMP/target" "$TMP/m/.manifest.json.journal"
cb render --out "$TMP/m"
check_eq "a link at the journal: exit 0, nothing rendered" "0 0 rendered" "$RC $(grep -o '^0 rendered' "$TMP/stdout")"
check "a link at the journal: named, removed" grep -qx "countybrief: $TMP/m/.manifest.json.journal: a symbolic link: not followed; ignored, removed (a new journal is started)" "$TMP/stderr"
check_eq "a link at the journal: gone, its target untouched" "no keep" \
    "$([[ -L $TMP/m/.manifest.json.journal ]] && echo yes || echo no) $(cat "$TMP/target")"

# a folder at the journal's name: no journal this run (it is only for a run killed half
# way), the run and its manifest as always
mkdir -p "$TMP/j/.manifest.json.journal"
cb render --out "$TMP/j"
check_eq "a folder at the journal: both rendered, both in the manifest" "0 2 rendered|2" \
    "$RC $(grep -o '^2 rendered' "$TMP/stdout")|$(man "$TMP/j/manifest.json" "sum(c['status'] == 'rendered' for c in m['counties'])")"

mv "$TMP/m/manifest.json" "$TMP/m.json"
ln -s "$TMP/m.json" "$TMP/m/manifest.json"
before=$(sha256sum <"$TMP/m.json")
cb render --out "$TMP/m"
check_eq "a link at the manifest: both rendered again" "0 2 rendered" "$RC $(grep -o '^2 rendered' "$TMP/stdout")"
check "a link at the manifest: named" grep -qx "countybrief: $TMP/m/manifest.json: a symbolic link: not followed; ignored, this run's manifest replaces it" "$TMP/stderr"
check_eq "a link at the manifest: replaced by a file, its target untouched" "file same" \
    "$([[ -L $TMP/m/manifest.json ]] && echo link || echo file) $([[ $(sha256sum <"$TMP/m.json") == "$before" ]] && echo same)"


# a FIFO at the journal's name (EINVAL, where a link is ELOOP): named, removed; a link at
# another layout's manifest (read for the counties this run's own does not know): named,
# ignored, left alone
mkfifo "$TMP/m/.manifest.json.journal"
cb render --out "$TMP/m"
check_eq "a FIFO at the journal: exit 0, gone" "0 no" "$RC $([[ -p $TMP/m/.manifest.json.journal ]] && echo yes || echo no)"
check "a FIFO at the journal: named" grep -qx "countybrief: $TMP/m/.manifest.json.journal: not a regular file (a FIFO); ignored, removed (a new journal is started)" "$TMP/stderr"
mkdir "$TMP/s"
ln -s "$TMP/target" "$TMP/s/manifest.shard-1-of-2.json"
cb render --out "$TMP/s"
check_eq "a link at another layout's manifest: both rendered, the link left" "0 2 rendered link" \
    "$RC $(grep -o '^2 rendered' "$TMP/stdout") $([[ -L $TMP/s/manifest.shard-1-of-2.json ]] && echo link)"
check "a link at another layout's manifest: named" grep -qx "countybrief: $TMP/s/manifest.shard-1-of-2.json: a symbolic link: not followed; ignored, not this run's" "$TMP/stderr"

# a county named twice: rendered once; a data folder without counties (header rows only),
# on a terminal: an empty manifest, the bar full at 0/0; one temporary file of a dead run
# swept ("1 temporary file")
cb render --out "$TMP/t" --county 忠县 --county 忠县
check_eq "a county named twice: rendered once" "0 1 rendered|1" \
    "$RC $(grep -o '^1 rendered' "$TMP/stdout")|$(man "$TMP/t/manifest.json" "len(m['counties'])")"
mkdir "$TMP/none" "$TMP/z"
for f in "$CB_SRC"/examples/data/*.csv; do head -n 1 "$f" >"$TMP/none/$(basename "$f")"; done
touch -d '3 hours ago' "$TMP/z/.a.pdf.tmp-elsewhere-1-0"
on_tty "$TMP/z.log" render --data "$TMP/none" --out "$TMP/z"
check_eq "no counties: exit 0, an empty manifest" "0 0 0" \
    "$RC $(man "$TMP/z/manifest.json" "m['counties_total'], len(m['counties'])" | tr -d '(),')"
check "no counties: the bar full at 0/0" grep -q '^\[==============================\] 0/0 ' "$TMP/z.log"
check "no counties: the one temporary file swept, named in the singular" \
    grep -qx "countybrief: removed 1 temporary file left in $TMP/z by an interrupted run" "$TMP/z.log"

finish
