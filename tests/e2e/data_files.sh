#!/usr/bin/env bash
# data_files.sh: the files of a data folder (docs/data.md, "Files and encodings").
#   links: a link to a file outside the folder is skipped with a warning naming it and its
#   target, on render, check (counted) and list, and is an error (exit 3) when the report
#   reads that table; --follow-links reads it; a link inside the
#   folder is read; a dangling link (a lost projects.csv) is an error, exit 3, on every
#   command; a FIFO or a folder named *.csv is skipped with a warning, without blocking;
#   encodings: GB18030 (Excel on Chinese Windows) and UTF-16 with a byte-order mark and
#   tabs (Excel's "Unicode text") render the same text as UTF-8, with one note per file;
#   --encoding forces one; a file in none says what to do;
#   headers: 100,000 columns fail at once with "at most 16384", a duplicate among 16,000
#   columns is found in linear time.
set -euo pipefail
source "$(dirname "$0")/lib/common.bash"

DATA=$CB_SRC/examples/data
export SOURCE_DATE_EPOCH=1700000000
C=500233

copy_data() { rm -rf "$1" && cp -r "$DATA" "$1"; }
# has_line FILE TEXT: FILE has a line with TEXT (literally)
has_line() { grep -qF -- "$2" "$1"; }
# expect_line WHAT FILE TEXT
expect_line() {
    if has_line "$2" "$3"; then ok "$1"; else not_ok "$1" "$(cat "$2")"; fi
}
# the stderr lines besides the run's summary
error_lines() { grep -Ev '^[0-9]+ rendered, [0-9]+ skipped \(unchanged\), [0-9]+ failed in ' "$TMP/stderr" || true; }
# a county's briefing as text, without spaces and line breaks
text_of() { flat "$1/$C-忠县.pdf"; }

cb render --data "$DATA" --county $C --out "$TMP/clean" --jobs 1
check_eq "the clean data renders" 0 "$RC"
CLEAN=$(text_of "$TMP/clean")

# --- a link out of the data folder: skipped, named, counted -------------------------------
D=$TMP/d-out
copy_data "$D"
printf 'county_id,secret\n500233,SHADOW-LINE-42\n' >"$TMP/outside.csv"
ln -s "$TMP/outside.csv" "$D/secrets.csv"
for cmd in render list check; do
    extra=()
    [[ $cmd == render ]] && extra=(--county $C --out "$TMP/out-link")
    cb "$cmd" --data "$D" "${extra[@]}"
    where=$TMP/stderr
    [[ $cmd == check ]] && where=$TMP/stdout
    check_eq "link out ($cmd): exit 0" 0 "$RC"
    expect_line "link out ($cmd): a warning names the file and its target" "$where" \
        "secrets.csv: skipped: a link to $TMP/outside.csv, outside the data folder"
done
expect_line "link out (check): the warning is counted" "$TMP/stdout" "check: 0 errors, 1 warning"
cb check --data "$D" --follow-links
check_eq "link out with --follow-links: exit 0" 0 "$RC"
check_eq "link out with --follow-links: no warning" "" "$(grep -F secrets.csv "$TMP/stdout" || true)"

# a table the report reads (projects, optional in the briefing) linked from outside: an error
D=$TMP/d-outknown
copy_data "$D"
mv "$D/projects.csv" "$TMP/projects-elsewhere.csv"
ln -s "$TMP/projects-elsewhere.csv" "$D/projects.csv"
for cmd in render check; do
    cb "$cmd" --data "$D" --out "$TMP/out-outknown"
    check_eq "link out, a table the report reads ($cmd): exit 3" 3 "$RC"
    cat "$TMP/stdout" "$TMP/stderr" >"$TMP/both"
    expect_line "link out, a table the report reads ($cmd): the error says why" "$TMP/both" \
        "projects.csv: skipped: a link to $TMP/projects-elsewhere.csv, outside the data folder (move the file into the folder, or pass --follow-links); report scripts/briefing.lua needs table \"projects\""
done
check_eq "link out, a table the report reads: no PDF" 0 "$( (find "$TMP/out-outknown" -name '*.pdf' 2>/dev/null || true) | wc -l)"

# --- a link inside the folder: read ---------------------------------------------------------
D=$TMP/d-in
copy_data "$D"
mv "$D/projects.csv" "$D/projects-2024.csv"
ln -s projects-2024.csv "$D/projects.csv"
cb render --data "$D" --county $C --out "$TMP/out-in" --jobs 1
check_eq "link inside: exit 0" 0 "$RC"
check_eq "link inside: nothing on stderr" "" "$(error_lines)"
check_same "link inside: the same text as the clean data" "$CLEAN" "$(text_of "$TMP/out-in")"

# --- a dangling link: an error on every command ---------------------------------------------
D=$TMP/d-dangling
copy_data "$D"
rm "$D/projects.csv"
ln -s projects-old.csv "$D/projects.csv"
for cmd in render list check; do
    cb "$cmd" --data "$D" --out "$TMP/out-dangling"
    check_eq "dangling link ($cmd): exit 3" 3 "$RC"
    cat "$TMP/stdout" "$TMP/stderr" >"$TMP/both"
    expect_line "dangling link ($cmd): the message names the file and its target" "$TMP/both" \
        "projects.csv: a link to projects-old.csv, which does not exist"
done
expect_line "dangling link (check): counted as an error" "$TMP/stdout" "check: 1 error"
check_eq "dangling link: no PDF" 0 "$( (find "$TMP/out-dangling" -name '*.pdf' 2>/dev/null || true) | wc -l)"

# --- unreadable (not as root: root reads everything) -----------------------------------------
# (root reads any file: as root the check runs as nobody, setpriv from util-linux)
AS_USER=()
if [[ $(id -u) -eq 0 ]]; then
    AS_USER=(setpriv --reuid=nobody --regid=nogroup --clear-groups env XDG_CACHE_HOME="$TMP/d-noperm-cache")
    chmod 755 "$TMP"
fi
D=$TMP/d-noperm
copy_data "$D"
chmod 000 "$D/projects.csv"
mkdir -m 777 "$TMP/d-noperm-cache"
RC=0
"${AS_USER[@]}" "$CB" check --data "$D" >"$TMP/stdout" 2>"$TMP/stderr" || RC=$?
check_eq "no permission: exit 3" 3 "$RC"
expect_line "no permission: named" "$TMP/stdout" "projects.csv: cannot be read (permission denied)"

# --- a FIFO and a folder named *.csv: skipped with a warning, no hang -------------------------
D=$TMP/d-fifo
copy_data "$D"
mkfifo "$D/extra.csv"
mkdir "$D/archive.csv"
RC=0
timeout $((20 * SLOW)) "$CB" check --data "$D" --county $C >"$TMP/stdout" 2>"$TMP/stderr" || RC=$?
check_eq "FIFO: check ends, exit 0" 0 "$RC"
expect_line "FIFO: named" "$TMP/stdout" "extra.csv: skipped: a named pipe (FIFO), not a file"
expect_line "folder: named" "$TMP/stdout" "archive.csv: skipped: a folder, not a file"
expect_line "FIFO and folder: counted" "$TMP/stdout" "check: 0 errors, 2 warnings"

# --- GB18030, as Excel on Chinese Windows saves "CSV" ----------------------------------------
D=$TMP/d-gb
copy_data "$D"
for t in counties projects training; do iconv -f UTF-8 -t GB18030 "$DATA/$t.csv" >"$D/$t.csv"; done
check "GB18030: the files are not UTF-8" bash -c "! iconv -f UTF-8 -t UTF-8 '$D/projects.csv' >/dev/null 2>&1"
cb render --data "$D" --county $C --out "$TMP/out-gb" --jobs 1
check_eq "GB18030: exit 0" 0 "$RC"
check_same "GB18030: the same text as UTF-8" "$CLEAN" "$(text_of "$TMP/out-gb")"
expect_line "GB18030: a note names the file" "$TMP/stderr" \
    "countybrief: note: $D/training.csv is not UTF-8; read as GB18030"
check_eq "GB18030: one note per converted file" 3 "$(grep -c 'read as GB18030' "$TMP/stderr" || true)"

# --encoding: every file in one encoding, no note
D=$TMP/d-gball
copy_data "$D"
for f in "$DATA"/*.csv; do iconv -f UTF-8 -t GB18030 "$f" >"$D/$(basename "$f")"; done
cb render --data "$D" --county $C --out "$TMP/out-gball" --jobs 1 --encoding GB18030
check_eq "--encoding GB18030: exit 0" 0 "$RC"
check_same "--encoding GB18030: the same text" "$CLEAN" "$(text_of "$TMP/out-gball")"
check_eq "--encoding GB18030: no note" "" "$(grep -F note: "$TMP/stderr" || true)"
cb list --data "$D" --encoding GB18030
check_eq "--encoding GB18030 (list): exit 0" 0 "$RC"
expect_line "--encoding GB18030 (list): the county's name" "$TMP/stdout" "忠县"
cb render --data "$D" --county $C --out "$TMP/out-bad" --encoding NO-SUCH-ENCODING
check_eq "--encoding NO-SUCH-ENCODING: exit 2" 2 "$RC"
expect_line "--encoding NO-SUCH-ENCODING: said" "$TMP/stderr" "--encoding NO-SUCH-ENCODING: an encoding iconv does not know"

# --- UTF-16 with a byte-order mark, tab-separated (Excel's "Unicode text") --------------------
D=$TMP/d-u16
copy_data "$D"
for t in projects towns; do
    check_eq "UTF-16: $t.csv has no quotes and no tabs to mangle" 0 "$(grep -c $'["\t]' "$DATA/$t.csv" || true)"
    { printf '\xff\xfe'; tr ',' '\t' <"$DATA/$t.csv" | iconv -f UTF-8 -t UTF-16LE; } >"$D/$t.csv"
done
cb render --data "$D" --county $C --out "$TMP/out-u16" --jobs 1
check_eq "UTF-16: exit 0" 0 "$RC"
check_same "UTF-16: the same text as UTF-8" "$CLEAN" "$(text_of "$TMP/out-u16")"
expect_line "UTF-16: a note names the file" "$TMP/stderr" "$D/towns.csv is not UTF-8; read as UTF-16"

# --- neither: a message that says what to do -------------------------------------------------
D=$TMP/d-latin1
copy_data "$D"
printf 'county_id,town\n500233,caf\xe9\xff\n' >"$D/towns.csv"
cb render --data "$D" --county $C --out "$TMP/out-latin1"
check_eq "not text: exit 3" 3 "$RC"
expect_line "not text: file:line:col and what to do" "$TMP/stderr" \
    "towns.csv:2:2: not UTF-8 or GB18030 text; save it as \"CSV UTF-8\" in Excel, or pass --encoding"

# --- headers: capped, and checked in linear time ----------------------------------------------
D=$TMP/d-wide
copy_data "$D"
"$PY" -c "print(','.join('c%d' % i for i in range(100000)))" >"$D/towns.csv"
start=$SECONDS
cb check --data "$D"
check_eq "100,000 columns: exit 3" 3 "$RC"
expect_line "100,000 columns: capped" "$TMP/stdout" "towns.csv:1: more than 16384 columns; at most 16384"
"$PY" -c "print(','.join('c%d' % i for i in range(16000)) + ',c7')" >"$D/towns.csv"
cb check --data "$D"
check_eq "16,001 columns with a repeat: exit 3" 3 "$RC"
expect_line "16,001 columns with a repeat: named" "$TMP/stdout" "towns.csv:1: duplicate column \"c7\""
elapsed=$((SECONDS - start))
if ((elapsed <= 10 * SLOW)); then ok "wide headers: checked in ${elapsed}s"; else not_ok "wide headers: checked in ${elapsed}s (over $((10 * SLOW)) s)"; fi

finish
