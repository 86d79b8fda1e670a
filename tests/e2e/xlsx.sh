#!/usr/bin/env bash
# xlsx.sh: the promise of the xlsx plugin (plugins/xlsx): a workbook holding the same tables
# as a CSV folder gives the same briefings (`--data book.xlsx` and `--data DIR` print the
# same text for every county); cells of every kind read as documented (dates as ISO text
# with Excel's 1900 leap-year bug, the 1904 system, inline and rich-text strings,
# booleans, formula results, wide sheets); and a bad workbook fails with exit status 3 and
# one line naming the file, sheet and cell, leaving no PDF.
#
# The workbooks are real .xlsx files made by lib/xlsx_make.py from CSV folders. (A
# cross-check with LibreOffice re-saving them ran only where soffice happened to be
# installed, a 200 MB dependency for two files; it is gone rather than silently skipped.)
set -euo pipefail
source "$(dirname "$0")/lib/common.bash"

MAKE=$E2E_LIB/xlsx_make.py
DATA=$CB_SRC/examples/data

cb plugins
if grep -qE '^ +source +xlsx +\(--data xlsx:PATH or --data FILE\.xlsx\)' "$TMP/stdout"; then
    ok "countybrief plugins lists the xlsx source"
else
    not_ok "countybrief plugins lists the xlsx source" "$(cat "$TMP/stdout" "$TMP/stderr")
is build/plugins/xlsx.so built? it needs libzip-dev and libexpat1-dev"
    finish || exit 1
fi

# mk NAME ARGS...: runs xlsx_make.py ARGS...; the test ends if the generator fails
mk() {
    local name=$1
    shift
    if ! "$PY" "$MAKE" "$@" >"$TMP/make.log" 2>&1; then
        not_ok "xlsx_make.py makes $name" "$(cat "$TMP/make.log")"
        finish || exit 1
    fi
}

# --- the example data as a workbook -----------------------------------------------------
BOOK=$TMP/book.xlsx
mk book.xlsx "$DATA" "$BOOK"
check "book.xlsx is a valid zip with a workbook, shared strings and one sheet per CSV" "$PY" -c '
import sys, zipfile
z = zipfile.ZipFile(sys.argv[1])
assert z.testzip() is None
names = set(z.namelist())
assert {"xl/workbook.xml", "xl/sharedStrings.xml", "xl/styles.xml"} <= names, names
sheets = [n for n in names if n.startswith("xl/worksheets/")]
assert len(sheets) == int(sys.argv[2]), sheets
' "$BOOK" "$(ls "$DATA"/*.csv | wc -l)"

cb list --data "$DATA"
csv_list=$(cat "$TMP/stdout")
cb list --data "$BOOK"
check_eq "list --data book.xlsx exits 0" 0 "$RC"
for pair in "500233 忠县" "500236 奉节县"; do
    read -r id name <<<"$pair"
    if grep -qP "^$id\t$name\t" "$TMP/stdout"; then ok "list --data book.xlsx shows $id $name"; else
        not_ok "list --data book.xlsx shows $id $name" "$(cat "$TMP/stdout" "$TMP/stderr")"; fi
done
check_same "list --data book.xlsx prints what list --data examples/data prints" "$csv_list" "$(cat "$TMP/stdout")"
cb list --data "xlsx:$BOOK"
check_same "list --data xlsx:book.xlsx (the scheme) prints the same" "$csv_list" "$(cat "$TMP/stdout")"

# render_from OUT ARGS...: `render --quiet --out OUT ARGS...`
render_from() {
    local out=$1
    shift
    cb render --quiet --out "$out" "$@"
}
render_from "$TMP/csv" --data "$DATA"
check_eq "render --data examples/data exits 0" 0 "$RC"
csv_pdfs=$(cd "$TMP/csv" && ls *.pdf | sort | tr '\n' ' ')
check_eq "the CSV folder gives two PDFs" "500233-忠县.pdf 500236-奉节县.pdf " "$csv_pdfs"

same_text_as_csv() {
    local label=$1 data=$2 out=$TMP/out-$1
    render_from "$out" --data "$data"
    if [[ $RC -ne 0 ]]; then
        not_ok "$label: render exits 0" "$(cat "$TMP/stderr")"
        return
    fi
    ok "$label: render exits 0"
    check_same "$label: the same PDF files as from the CSV folder" "$csv_pdfs" \
        "$(cd "$out" && ls *.pdf | sort | tr '\n' ' ')"
    local f
    for f in "$TMP"/csv/*.pdf; do
        f=$(basename "$f")
        [[ -f $out/$f ]] || continue
        pdftext "$TMP/csv/$f" "$TMP/csv.txt"
        pdftext "$out/$f" "$TMP/xlsx.txt"
        if [[ -s $TMP/csv.txt ]] && cmp -s "$TMP/csv.txt" "$TMP/xlsx.txt"; then
            ok "$label: $f has the same text as from the CSV folder"
        else
            not_ok "$label: $f has the same text as from the CSV folder" \
                "$(diff "$TMP/csv.txt" "$TMP/xlsx.txt" | head -n 20)"
        fi
    done
}
same_text_as_csv book.xlsx "$BOOK"

# the same data written differently: inline strings, tables not at A1, the 1904 system
mk inline.xlsx "$DATA" "$TMP/inline.xlsx" --strings inline
same_text_as_csv "inline strings" "$TMP/inline.xlsx"
mk offset.xlsx "$DATA" "$TMP/offset.xlsx" --offset 2,1 --date1904
same_text_as_csv "tables at B3, 1904 dates" "$TMP/offset.xlsx"

# --- cells of every kind ------------------------------------------------------------------
C=$TMP/cells
mkdir -p "$C"
printf 'county_id,name\n1,测试县\n' >"$C/counties.csv"
# key,value: the value column holds text, so every value reads as a string. An empty
# record (row 3) leaves a gap in the row numbers; `gap` has no value cell at all.
cat >"$C/cells.csv" <<'EOF'
key,value
date,{date:2021-03-04}
,
datecn,{datecn:2023-12-31}
first,{date:1900-01-01}
feb28,{serial:59@date}
leap,{serial:60@date}
mar1,{serial:61@date}
datetime,{datetime:2021-03-04 12:30:00}
time,{time:12:30:05}
elapsed,{elapsed:30:15:00}
inline,{inline:内联文字}
rich,{rich:富|文本| 有 空格 }
str,{str:公式结果}
text,{text:007}
escape,a_x0041_b
spaces, 前后空格 
trim,修剪
blankrun,{rich:hello| |world}
gap,
EOF
cat >"$C/nums.csv" <<'EOF'
key,value
true,{bool:1}
false,{bool:0}
days,{days:1234}
fixed,{serial:0.25@fixed}
sci,{num:1.5E+3}
EOF
# 30 columns: AA to AD
{
    seq -f 'c%g' 1 30 | paste -sd,
    seq -f 'v%g' 1 30 | paste -sd,
} >"$C/wide.csv"
cat >"$TMP/cells.lua" <<'EOF'
-- prints each cell as [key=value] (spaces as _) and each number as {key=value}
for _, r in ipairs(data.cells) do
  doc:paragraph("[" .. r.key .. "=" .. (tostring(r.value):gsub(" ", "_")) .. "]")
end
for _, r in ipairs(data.nums) do
  doc:paragraph("{" .. r.key .. "=" .. tostring(r.value) .. "}")
end
local w = data.wide[1]
doc:paragraph("<wide=" .. #data.wide .. "," .. w.c1 .. "," .. w.c26 .. "," .. w.c27 .. "," .. w.c30 .. ">")
EOF

# the <t> of 修剪 gets blanks around it without xml:space="preserve": they are dropped, but
# not a run that is only a blank
for system in 1900 1904; do
    extra=()
    [[ $system == 1904 ]] && extra=(--date1904)
    mk "cells-$system.xlsx" "$C" "$TMP/cells-$system.xlsx" --markers "${extra[@]}" \
        --replace xl/sharedStrings.xml '<t>修剪</t>' $'<t>  修剪\n </t>' \
        --replace xl/sharedStrings.xml '<t xml:space="preserve"> </t>' '<t> </t>'
    out=$TMP/out-cells-$system
    cb render --quiet --data "$TMP/cells-$system.xlsx" --report "$TMP/cells.lua" --out "$out"
    if [[ $RC -ne 0 || ! -f $out/1-测试县.pdf ]]; then
        not_ok "cells ($system date system): render exits 0" "$(cat "$TMP/stderr")"
        continue
    fi
    ok "cells ($system date system): render exits 0"
    pdftext "$out/1-测试县.pdf" "$TMP/cells.txt"
    for want in "[date=2021-03-04]" "[datecn=2023-12-31]" "[datetime=2021-03-04_12:30:00]" \
        "[time=12:30:05]" "[elapsed=30:15:00]" "[inline=内联文字]" "[rich=富文本_有_空格_]" \
        "[str=公式结果]" "[text=007]" "[escape=a_x0041_b]" "[spaces=_前后空格_]" "[trim=修剪]" \
        "[blankrun=hello_world]" "[gap=nil]" "{true=1}" "{false=0}" "{days=1234}" "{fixed=0.25}" \
        "{sci=1500}" "<wide=1,v1,v26,v27,v30>"; do
        if has_text "$TMP/cells.txt" "$want"; then ok "cells ($system): $want"; else
            not_ok "cells ($system): $want" "$(cat "$TMP/cells.txt")"; fi
    done
    if [[ $system == 1900 ]]; then
        # serial 60 is the 1900-02-29 that Excel (after Lotus 1-2-3) counts
        for want in "[first=1900-01-01]" "[feb28=1900-02-28]" "[leap=1900-02-29]" "[mar1=1900-03-01]"; do
            if has_text "$TMP/cells.txt" "$want"; then ok "cells (1900): $want"; else
                not_ok "cells (1900): $want" "$(cat "$TMP/cells.txt")"; fi
        done
    fi
    if grep -q PHONETIC "$TMP/cells.txt"; then not_ok "cells ($system): phonetic runs are not text"; else
        ok "cells ($system): phonetic runs are not text"; fi
done

# --- bad workbooks ------------------------------------------------------------------------
# expect_fail NAME REGEX DATA: `render --data DATA` exits 3 with one line on stderr that
# matches REGEX (grep -E), and writes no PDF
expect_fail() {
    local name=$1 regex=$2 data=$3 out=$TMP/out-fail
    rm -rf "$out"
    cb render --data "$data" --out "$out"
    check_eq "$name: exit status 3" 3 "$RC"
    local lines n
    lines=$(grep -Ev '^[0-9]+ rendered, ' "$TMP/stderr" || true)
    n=$(printf '%s' "$lines" | grep -c . || true)
    if [[ $n -eq 1 ]]; then ok "$name: one line on stderr"; else
        not_ok "$name: one line on stderr (got $n)" "$(cat "$TMP/stderr")"; fi
    if grep -qE -- "$regex" <<<"$lines"; then ok "$name: the message matches /$regex/"; else
        not_ok "$name: the message matches /$regex/" "$(cat "$TMP/stderr")"; fi
    local pdfs
    pdfs=$(find "$out" -name "*.pdf" 2>/dev/null | wc -l || true)
    check_eq "$name: no PDF written" 0 "$pdfs"
}

# re TEXT: TEXT as a grep -E pattern that matches it literally
re() { sed 's/[][\\.*^$+?(){}|]/\\&/g' <<<"$1"; }

expect_fail "missing file" "^countybrief: $(re "$TMP/no-such.xlsx"): no such file" "$TMP/no-such.xlsx"

printf 'this is not a zip archive\n' >"$TMP/garbage.xlsx"
expect_fail "not a zip" "$(re "$TMP/garbage.xlsx"): not an \.xlsx workbook" "$TMP/garbage.xlsx"

head -c 2000 "$BOOK" >"$TMP/truncated.xlsx"
expect_fail "truncated zip" "$(re "$TMP/truncated.xlsx"): not an \.xlsx workbook" "$TMP/truncated.xlsx"

# damaged compressed data inside the projects sheet's entry
"$PY" - "$BOOK" "$TMP/damaged.xlsx" <<'EOF'
import sys, zipfile
data = bytearray(open(sys.argv[1], "rb").read())
info = zipfile.ZipFile(sys.argv[1]).getinfo(
    [n for n in zipfile.ZipFile(sys.argv[1]).namelist() if n.endswith("sheet5.xml")][0])
start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra) + 40
for k in range(start, start + 32):
    data[k] ^= 0x55
open(sys.argv[2], "wb").write(data)
EOF
expect_fail "damaged zip entry" "$(re "$TMP/damaged.xlsx"): xl/worksheets/sheet5\.xml \(sheet projects\)" \
    "$TMP/damaged.xlsx"

"$PY" -c 'import sys, zipfile; zipfile.ZipFile(sys.argv[1], "w").writestr("notes.txt", "hello")' "$TMP/other.zip.xlsx"
expect_fail "a zip without a workbook" "$(re "$TMP/other.zip.xlsx"): not an Excel workbook: the archive has no xl/workbook\.xml" \
    "$TMP/other.zip.xlsx"

# a text value in a number column (allocations.amount, row 3 of the sheet)
D=$TMP/d-text
rm -rf "$D" && cp -r "$DATA" "$D"
sed -i '3s/^\(500233,2020,\)5000000,/\1五百万,/' "$D/allocations.csv"
check "text in a number column: the CSV has the change" grep -q '^500233,2020,五百万,' "$D/allocations.csv"
mk d-text.xlsx "$D" "$TMP/d-text.xlsx"
expect_fail "text in a number column" \
    "^countybrief: $(re "$TMP/d-text.xlsx: sheet allocations, row 3, column \"amount\" expects a number, got \"五百万\"")" \
    "$TMP/d-text.xlsx"
# the same workbook with its tables at B3: the row is the sheet's row
mk d-text-offset.xlsx "$D" "$TMP/d-text-offset.xlsx" --offset 2,1
expect_fail "text in a number column, table at B3" "$(re "sheet allocations, row 5, column \"amount\"")" \
    "$TMP/d-text-offset.xlsx"

mk malformed.xlsx "$DATA" "$TMP/malformed.xlsx" --replace sheet:projects '</sheetData>' ''
expect_fail "malformed sheet XML" \
    "$(re "$TMP/malformed.xlsx: xl/worksheets/sheet5.xml (sheet projects), line ")[0-9]+, column [0-9]+: malformed XML: mismatched tag" \
    "$TMP/malformed.xlsx"

mk badref.xlsx "$DATA" "$TMP/badref.xlsx" --replace sheet:projects '<c r="B3"' '<c r="XFE3"'
expect_fail "cell reference past column XFD" \
    "$(re "$TMP/badref.xlsx: sheet projects, row 3: cell reference XFE3 is out of range")" "$TMP/badref.xlsx"

mk badrow.xlsx "$DATA" "$TMP/badrow.xlsx" --replace sheet:projects '<row r="3">' '<row r="1048577">'
expect_fail "row number past 1048576" "$(re "sheet projects: row number \"1048577\" is out of range")" \
    "$TMP/badrow.xlsx"

mk bomb.xlsx "$DATA" "$TMP/bomb.xlsx" --pad-mib 257
size=$(stat -c %s "$TMP/bomb.xlsx")
if ((size < 2 * 1024 * 1024)); then ok "bomb.xlsx is small on disk ($size bytes)"; else
    not_ok "bomb.xlsx is small on disk" "$size bytes"; fi
expect_fail "an entry over 256 MiB uncompressed" \
    "$(re "$TMP/bomb.xlsx: xl/worksheets/sheet1.xml (sheet allocations) is ")[0-9]+ bytes uncompressed, over the limit of 256 MiB" \
    "$TMP/bomb.xlsx"

# cells that hold no usable value
E=$TMP/e
mkdir -p "$E"
cp "$C/counties.csv" "$E/"
printf 'key,value\na,1\nb,{error:#DIV/0!}\n' >"$E/bad.csv"
mk error.xlsx "$E" "$TMP/error.xlsx" --markers
expect_fail "an error value" "$(re "$TMP/error.xlsx: sheet bad, cell B3: the cell holds the error value #DIV/0!")" \
    "$TMP/error.xlsx"
printf 'key,value\na,1\nb,{formula:SUM(B2:B2)}\n' >"$E/bad.csv"
mk formula.xlsx "$E" "$TMP/formula.xlsx" --markers
expect_fail "a formula without a saved result" "$(re "sheet bad, cell B3: a formula without a saved result")" \
    "$TMP/formula.xlsx"
printf 'key,value\na,1\nb,2,3\n' >"$E/bad.csv"
mk outside.xlsx "$E" "$TMP/outside.xlsx"
expect_fail "a value right of the header" \
    "$(re "sheet bad, cell C3: a value outside the table: its header (row 1) spans columns A to B")" \
    "$TMP/outside.xlsx"
printf 'key,,value\na,1,2\n' >"$E/bad.csv"
mk hole.xlsx "$E" "$TMP/hole.xlsx"
expect_fail "an empty column name" "$(re "sheet bad, cell B1: empty column name in the header (row 1)")" \
    "$TMP/hole.xlsx"

finish
