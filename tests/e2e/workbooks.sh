#!/usr/bin/env bash
# workbooks.sh: data files that are not a CSV folder, as people have them and as an attacker
# would make them (issue 10).
#   - .ods and .xls (old binary Excel) are read by extension, and the example data in either
#     gives the same text in every briefing as the CSV folder; ODS cells of every kind.
#   - Spreadsheets that expand in memory fail quickly with one line naming the file, sheet
#     and row or cell, in bounded memory: a 16,384-column header (xlsx and ods), 1,024
#     columns over 20,000 one-cell rows, one 1 MiB shared string in 20,000 cells, one ODS
#     row repeated a million times, one row of 16,384 cells of 1 MiB each (xlsx and ods).
#   - An SQLite view that never ends stops at the load deadline (COUNTYBRIEF_LOAD_TIMEOUT),
#     one that sorts without end at SQLite's memory limit, a huge value at the length limit.
#   - A --data file no reader claims says which formats countybrief reads.
#   - Broken .ods and .xls files fail with exit status 3 and one line, and no PDF.
# The workbooks come from lib/workbook_make.py; .xls needs xlwt (Debian python3-xlwt).
set -euo pipefail
source "$(dirname "$0")/lib/common.bash"

MAKE=$E2E_LIB/workbook_make.py
DATA=$CB_SRC/examples/data
ASAN=0
grep -q '^CB_SANITIZE:BOOL=ON' "$CB_BUILD/CMakeCache.txt" 2>/dev/null && ASAN=1

# mk KIND ARGS...: runs workbook_make.py; the test ends if the generator fails
mk() {
    if ! "${MKPY:-$PY}" "$MAKE" "$@" >"$TMP/make.log" 2>&1; then
        not_ok "workbook_make.py $1" "$(cat "$TMP/make.log")"
        finish || exit 1
    fi
}

# re TEXT: TEXT as a grep -E pattern that matches it literally
re() { sed 's/[][\\.*^$+?(){}|]/\\&/g' <<<"$1"; }

# limited CMD...: runs CMD with at most 60 s and (outside ASan) 4 GB of address space, so
# that a tree without the budget fails here instead of taking the machine's memory; sets
# RC, SECS and RSS_MB (peak resident set), stdout and stderr as cb does
limited() {
    local vm=unlimited
    [[ $ASAN == 1 ]] || vm=4000000
    RC=0
    (ulimit -v "$vm" && exec /usr/bin/time -f '%e %M' -o "$TMP/time" timeout -s KILL 60 "$@") \
        >"$TMP/stdout" 2>"$TMP/stderr" || RC=$?
    read -r SECS RSS_KB < <(tail -n 1 "$TMP/time") || true
    RSS_MB=$((${RSS_KB:-0} / 1024))
}

# expect_fail NAME REGEX MAX_SECONDS MAX_MB ARGS...: `list ARGS` exits 3 within
# MAX_SECONDS and MAX_MB of resident memory, with one line on stderr matching REGEX
expect_fail() {
    local name=$1 regex=$2 secs=$3 mb=$4
    shift 4
    limited env "${ENVV[@]}" "$CB" list "$@"
    check_eq "$name: exit status 3" 3 "$RC"
    local n
    n=$(grep -c . "$TMP/stderr" || true)
    if [[ $n -eq 1 ]] && grep -qE -- "$regex" "$TMP/stderr"; then ok "$name: one line, /$regex/"; else
        not_ok "$name: one line, /$regex/" "$(head -c 600 "$TMP/stderr")"; fi
    if awk -v s="${SECS:-999}" -v m="$secs" 'BEGIN { exit !(s + 0 <= m) }'; then
        ok "$name: stops within $secs s (${SECS} s)"
    else
        not_ok "$name: stops within $secs s" "took ${SECS:-?} s"
    fi
    if [[ $ASAN == 1 ]]; then skip "$name: at most $mb MB resident" "not measured under ASan"
    elif ((RSS_MB <= mb)); then ok "$name: at most $mb MB resident ($RSS_MB MB)"
    else not_ok "$name: at most $mb MB resident" "$RSS_MB MB"; fi
}
ENVV=(COUNTYBRIEF_LOAD_TIMEOUT=)

cb plugins
for src in "ods  (--data ods:PATH or --data FILE.ods)" "xls  (--data xls:PATH or --data FILE.xls)"; do
    if grep -qF "source  $src" "$TMP/stdout"; then ok "countybrief plugins lists: source $src"
    else not_ok "countybrief plugins lists: source $src" "$(cat "$TMP/stdout" "$TMP/stderr")"; fi
done

# --- the example data as .ods and .xls ----------------------------------------------------
XLSPY=$PY
"$PY" -c 'import xlwt' 2>/dev/null || XLSPY=/usr/bin/python3 # Debian's python3-xlwt
mk ods "$DATA" "$TMP/book.ods"
MKPY=$XLSPY mk xls "$DATA" "$TMP/book.xls"

cb list --data "$DATA"
csv_list=$(cat "$TMP/stdout")
cb render --quiet --data "$DATA" --out "$TMP/csv"
check_eq "render --data examples/data exits 0" 0 "$RC"
for book in book.ods book.xls; do
    cb list --data "$TMP/$book"
    check_same "list --data $book prints what list --data examples/data prints" "$csv_list" \
        "$(cat "$TMP/stdout" "$TMP/stderr")"
    out=$TMP/out-$book
    cb render --quiet --data "$TMP/$book" --out "$out"
    check_eq "render --data $book exits 0" 0 "$RC"
    for f in "$TMP"/csv/*.pdf; do
        f=$(basename "$f")
        pdftext "$TMP/csv/$f" "$TMP/a.txt"
        pdftext "$out/$f" "$TMP/b.txt" 2>/dev/null || true
        if [[ -s $TMP/a.txt ]] && cmp -s "$TMP/a.txt" "$TMP/b.txt"; then
            ok "$book: $f has the same text as from the CSV folder"
        else
            not_ok "$book: $f has the same text as from the CSV folder" \
                "$(cat "$TMP/stderr"; diff "$TMP/a.txt" "$TMP/b.txt" 2>&1 | head -n 20)"
        fi
    done
done

# --- ODS cells of every kind ---------------------------------------------------------------
cell() { printf '<table:table-row><table:table-cell office:value-type="string"><text:p>%s</text:p></table:table-cell>%s</table:table-row>' "$1" "$2"; }
mk ods-raw "$TMP/cells.ods" cells \
    "$(cell key '<table:table-cell office:value-type="string"><text:p>value</text:p></table:table-cell>')" \
    "$(cell date '<table:table-cell office:value-type="date" office:date-value="2021-03-04"><text:p>3/4/21</text:p></table:table-cell>')" \
    "$(cell datetime '<table:table-cell office:value-type="date" office:date-value="2021-03-04T12:30:00"/>')" \
    "$(cell time '<table:table-cell office:value-type="time" office:time-value="PT30H15M00S"/>')" \
    "$(cell bool '<table:table-cell office:value-type="boolean" office:boolean-value="true"><text:p>TRUE</text:p></table:table-cell>')" \
    "$(cell pct '<table:table-cell office:value-type="percentage" office:value="0.25"><text:p>25%</text:p></table:table-cell>')" \
    "$(cell paras '<table:table-cell office:value-type="string"><text:p>第一</text:p><text:p>第二</text:p></table:table-cell>')" \
    "$(cell spaces '<table:table-cell office:value-type="string"><text:p><text:s/>a <text:s text:c="2"/>b<text:tab/>c</text:p></table:table-cell>')" \
    "$(cell span '<table:table-cell office:value-type="string"><office:annotation><text:p>NOTE</text:p></office:annotation><text:p>富<text:span>文本</text:span></text:p></table:table-cell>')" \
    '<table:table-row table:number-rows-repeated="3"><table:table-cell table:number-columns-repeated="2"/></table:table-row>' \
    "$(cell twice '<table:table-cell office:value-type="float" office:value="7" table:number-columns-repeated="1"/>')"
cat >"$TMP/cells.lua" <<'EOF'
for _, r in ipairs(data.cells) do
  doc:paragraph("[" .. r.key .. "=" .. (tostring(r.value):gsub(" ", "_"):gsub("\t", "<tab>"):gsub("\n", "<nl>")) .. "]")
end
EOF
cb render --quiet --data "$TMP/cells.ods" --report "$TMP/cells.lua" --out "$TMP/out-cells"
check_eq "cells.ods: render exits 0" 0 "$RC"
pdftext "$TMP/out-cells/1-测试县.pdf" "$TMP/cells.txt" 2>/dev/null || true
for want in "[date=2021-03-04]" "[datetime=2021-03-04_12:30:00]" "[time=30:15:00]" "[bool=1]" \
    "[pct=0.25]" "[paras=第一<nl>第二]" "[spaces=_a___b<tab>c]" "[span=富文本]" "[twice=7]"; do
    if has_text "$TMP/cells.txt" "$want"; then ok "cells.ods: $want"; else
        not_ok "cells.ods: $want" "$(cat "$TMP/cells.txt" "$TMP/stderr")"; fi
done
if grep -q NOTE "$TMP/cells.txt"; then not_ok "cells.ods: a comment is not the cell's text"; else
    ok "cells.ods: a comment is not the cell's text"; fi

# --- spreadsheets that expand in memory ----------------------------------------------------
mk wide-header "$TMP/wide.xlsx"
size=$(stat -c %s "$TMP/wide.xlsx")
if ((size < 300000)); then ok "wide.xlsx is small ($size bytes)"; else not_ok "wide.xlsx is small" "$size bytes"; fi
expect_fail "16,384-column header" "$(re "$TMP/wide.xlsx: sheet big, row 1: the header has more than 1,024 columns; a table has at most 1,024")" \
    10 100 --data "$TMP/wide.xlsx"
mk wide-rows "$TMP/rows.xlsx"
expect_fail "1,024 columns over 20,000 one-cell rows" \
    "$(re "$TMP/rows.xlsx: sheet big, row 8192: the workbook expands to more than 8,388,608 cells")" \
    30 400 --data "$TMP/rows.xlsx"
mk long-string "$TMP/long.xlsx"
expect_fail "one 1 MiB shared string in 20,000 cells" \
    "$(re "$TMP/long.xlsx: sheet big, cell A257: the workbook expands to more than 256 MiB of cell text")" \
    30 450 --data "$TMP/long.xlsx"
mk ods-raw "$TMP/wide.ods" wide \
    '<table:table-row><table:table-cell table:number-columns-repeated="16384" office:value-type="string"><text:p>c</text:p></table:table-cell></table:table-row>'
expect_fail "ods: one header cell repeated over 16,384 columns" \
    "$(re "$TMP/wide.ods: sheet wide, row 1: the header has more than 1,024 columns; a table has at most 1,024")" \
    10 100 --data "$TMP/wide.ods"
mk ods-raw "$TMP/tall.ods" tall \
    "$(cell v '')" \
    "<table:table-row table:number-rows-repeated=\"1048000\">$(printf '<table:table-cell office:value-type="string"><text:p>%01000d</text:p></table:table-cell>' 0)</table:table-row>"
expect_fail "ods: a row of 1,000 bytes repeated 1,048,000 times" \
    "$(re "$TMP/tall.ods: sheet tall, cell A")[0-9]+: the workbook expands to more than 256 MiB of cell text" \
    30 450 --data "$TMP/tall.ods"

# one row's text, before the row ends: 1 MiB in each of 16,384 cells (16 GiB)
mk long-row "$TMP/longrow.xlsx"
expect_fail "one 1 MiB shared string in every cell of row 1" \
    "$(re "$TMP/longrow.xlsx: sheet big, cell ")[A-Z]+1: the workbook expands to more than 256 MiB of cell text" \
    30 450 --data "$TMP/longrow.xlsx"
mk ods-raw "$TMP/longrow.ods" longrow \
    '<table:table-row><table:table-cell table:number-columns-repeated="16384" office:value-type="string"><text:p><text:s text:c="1048576"/></text:p></table:table-cell></table:table-row>'
expect_fail "ods: 1 MiB of spaces repeated over 16,384 columns" \
    "$(re "$TMP/longrow.ods: sheet longrow, cell ")[A-Z]+1: the workbook expands to more than 256 MiB of cell text" \
    30 450 --data "$TMP/longrow.ods"

# empty cells repeated past 2^32 columns in all: the column stays past XFD, never wraps to 0
empty=$(printf '<table:table-cell table:number-columns-repeated="1048576"/>%.0s' $(seq 1024))
mk ods-raw "$TMP/wrap.ods" wrap "<table:table-row>" "$empty" "$empty" "$empty" "${empty%6\"/>}5\"/>" \
    '<table:table-cell office:value-type="string"><text:p>x</text:p></table:table-cell></table:table-row>'
expect_fail "ods: 4,096 empty cells repeated 1,048,576 times, then a value" \
    "$(re "$TMP/wrap.ods: sheet wrap, row 1: more than 16384 columns")" 10 100 --data "$TMP/wrap.ods"

# a header's names count against the budget, as its rows do
mk long-header "$TMP/header.xlsx"
expect_fail "300 headers of one 1 MiB name" \
    "$(re "$TMP/header.xlsx: sheet big256, cell A1: the workbook expands to more than 256 MiB of cell text")" \
    30 450 --data "$TMP/header.xlsx"

# a zip bomb of many sheets on one part: the whole file's inflated bytes, and the deadline
mk many-sheets "$TMP/many.xlsx"
expect_fail "100 sheets of one 64 MiB part" \
    "$(re "$TMP/many.xlsx: xl/worksheets/sheet2.xml (sheet big16): the file inflates to more than 1024 MiB in all")" \
    45 100 --data "$TMP/many.xlsx"
ENVV=(COUNTYBRIEF_LOAD_TIMEOUT=1)
expect_fail "100 sheets of one 64 MiB part, a 1 s deadline" \
    "$(re "$TMP/many.xlsx: xl/worksheets/sheet2.xml (sheet big")[0-9]+\): stopped after 1 s \(the load deadline" \
    8 100 --data "$TMP/many.xlsx"
ENVV=(COUNTYBRIEF_LOAD_TIMEOUT=)

# office:string-value has the cell text's limit, as the cell's paragraphs do
mk long-value "$TMP/value.ods"
expect_fail "ods: an office:string-value of 2 MiB" \
    "$(re "$TMP/value.ods: sheet long, cell A1: more than 1024 KiB of text in one cell")" 10 100 \
    --data "$TMP/value.ods"

# --- SQLite views that never end -----------------------------------------------------------
if command -v sqlite3 >/dev/null; then
    sq() { rm -f "$1"; sqlite3 "$1" "CREATE TABLE counties(county_id TEXT, name TEXT); INSERT INTO counties VALUES('1', '测试县'); $2"; }
    sq "$TMP/loop.db" "CREATE VIEW loop AS WITH RECURSIVE r(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM r) SELECT x AS v FROM r WHERE x < 0;"
    ENVV=(COUNTYBRIEF_LOAD_TIMEOUT=2)
    expect_fail "a recursive view that never ends" \
        "$(re "$TMP/loop.db: view loop: stopped after 2 s (the load deadline")" 8 100 --data "sqlite:$TMP/loop.db"
    sq "$TMP/sort.db" "CREATE VIEW sorted AS WITH RECURSIVE r(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM r) SELECT x AS v, printf('%.100c', 'x') AS pad FROM r ORDER BY x DESC;"
    ENVV=(COUNTYBRIEF_LOAD_TIMEOUT=40)
    expect_fail "a view that sorts rows without end" \
        "$(re "$TMP/sort.db: view sorted: needs more than 256 MiB of memory in SQLite")" 40 450 --data "sqlite:$TMP/sort.db"
    ENVV=(COUNTYBRIEF_LOAD_TIMEOUT=)
    sq "$TMP/big.db" "CREATE VIEW v AS SELECT hex(zeroblob(10000000)) AS t;"
    expect_fail "a view of one 20 MB value" "$(re "$TMP/big.db: view v: a value or row longer than 16 MiB")" \
        10 200 --data "sqlite:$TMP/big.db"
else
    skip "SQLite views" "sqlite3 is not installed (Debian sqlite3, .ci/install-deps --test)"
fi

# --- a file no reader claims ---------------------------------------------------------------
printf 'county_id,name\n' >"$TMP/data.txt"
cb list --data "$TMP/data.txt"
check_eq "data.txt: exit status 3" 3 "$RC"
check "data.txt: names the extension and the formats countybrief reads" grep -qE \
    "$(re "$TMP/data.txt: not a data folder, and no reader for '.txt'; countybrief reads a folder of CSV files, ")(.*)\.xlsx, \.ods and \.xls files(.*) sqlite:FILE" \
    "$TMP/stderr"

# --- broken .ods and .xls ------------------------------------------------------------------
# bad NAME REGEX FILE: render exits 3 with one line matching REGEX, and writes no PDF
bad() {
    local out=$TMP/out-bad
    rm -rf "$out"
    cb render --data "$3" --out "$out"
    check_eq "$1: exit status 3" 3 "$RC"
    if [[ $(grep -cEv '^[0-9]+ rendered, ' "$TMP/stderr") -eq 1 ]] && grep -qE -- "$2" "$TMP/stderr"; then
        ok "$1: one line, /$2/"
    else
        not_ok "$1: one line, /$2/" "$(cat "$TMP/stderr")"
    fi
    check_eq "$1: no PDF written" 0 "$(find "$out" -name '*.pdf' 2>/dev/null | wc -l)"
}
cp "$TMP/book.ods" "$TMP/zip.xls"
bad ".xls that is a zip" "$(re "$TMP/zip.xls: not an .xls workbook but a zip archive")" "$TMP/zip.xls"
head -c 3000 "$TMP/book.xls" >"$TMP/cut.xls"
bad "truncated .xls" "$(re "$TMP/cut.xls: not an .xls workbook that can be read")" "$TMP/cut.xls"
cp "$TMP/book.xls" "$TMP/ole.ods"
bad ".ods that is an OLE file" "$(re "$TMP/ole.ods: not an .ods spreadsheet but an OLE compound file")" "$TMP/ole.ods"
printf 'not a zip\n' >"$TMP/garbage.ods"
bad "not a zip" "$(re "$TMP/garbage.ods: not an .ods spreadsheet: cannot read it as a zip archive")" "$TMP/garbage.ods"
mk ods-raw "$TMP/err.ods" bad "$(cell k '<table:table-cell/>')" \
    "$(cell a '<table:table-cell table:formula="of:=1/0" office:value-type="float" office:value="0" calcext:value-type="error"><text:p>#DIV/0!</text:p></table:table-cell>')"
bad "an error value" "$(re "$TMP/err.ods: sheet bad, cell B2: the cell holds the error value #DIV/0!")" "$TMP/err.ods"
mk ods-raw "$TMP/formula.ods" bad "$(cell k '<table:table-cell office:value-type="string"><text:p>v</text:p></table:table-cell>')" \
    "$(cell a '<table:table-cell table:formula="of:=SUM([.B1])"/>')"
bad "a formula without a saved result" "$(re "sheet bad, cell B2: a formula without a saved result")" "$TMP/formula.ods"
mk ods-raw "$TMP/num.ods" bad "$(cell k '<table:table-cell office:value-type="string"><text:p>v</text:p></table:table-cell>')" \
    "$(cell a '<table:table-cell office:value-type="float" office:value="4.05亿"/>')"
bad "a float that is no number" "$(re "sheet bad, cell B2: \"4.05亿\" is not a number")" "$TMP/num.ods"
mk ods-raw "$TMP/spaces.ods" bad "$(cell k '<table:table-cell office:value-type="string"><text:p><text:s text:c="100000000"/>x<text:s text:c="100000000"/></text:p></table:table-cell>')"
bad "a cell of 100,000,000 spaces" "$(re "sheet bad, cell B1: more than 1024 KiB of text in one cell")" "$TMP/spaces.ods"

finish
