#!/usr/bin/env bash
# hostile_data.sh: data as people really type and export it (docs/robustness.md, "Data").
# Each case is a copy of examples/data with one defect:
#   tolerated, with the very same PDFs as the clean data (byte for byte): CRLF/LF mixed
#   with blank lines and a byte-order mark; full-width digits (４０５，０００，０００．００);
#   thousands separators in quoted cells ("429,000,000");
#   accepted, and the report decides: a negative amount (shown as -4.05亿元; the funding
#   pie refuses a negative slice for that county only), a huge amount (1e300, shown as
#   1e+288万亿元, not 289 digits);
#   refused with exit 3 and ONE line naming file:line[:column]: a duplicate header,
#   invalid UTF-8, NaN / Inf / -inf / nan / 1e999 ("not a finite number"), separators out
#   of place ("1,23"), separators in an unquoted cell (the row splits).
set -euo pipefail
source "$(dirname "$0")/lib/common.bash"
source "$E2E_LIB/counts.bash"

DATA=$CB_SRC/examples/data
export SOURCE_DATE_EPOCH=1700000000

# a fresh copy of the example data
copy_data() { rm -rf "$1" && cp -r "$DATA" "$1"; }
# re TEXT: TEXT as a grep -E pattern that matches it literally
re() { sed 's/[][\\.*^$+?(){}|]/\\&/g' <<<"$1"; }
# the stderr lines besides the run's summary
error_lines() { grep -Ev '^[0-9]+ rendered, [0-9]+ skipped \(unchanged\), [0-9]+ failed in ' "$TMP/stderr" || true; }
# set_line FILE N TEXT: replaces line N of FILE (keeps its line end)
set_line() {
    awk -v n="$2" -v t="$3" '{ cr = sub(/\r$/, ""); if (NR == n) $0 = t; printf "%s%s\n", $0, (cr ? "\r" : "") }' \
        "$1" >"$1.new" && mv "$1.new" "$1"
}

# refused NAME REGEX: the data in $D fails with exit 3, one stderr line matching REGEX
# (grep -E), and no PDF
refused() {
    local out=$TMP/out-$RANDOM
    cb render --data "$D" --out "$out"
    check_eq "$1: exit status 3" 3 "$RC"
    local lines
    lines=$(error_lines)
    check_eq "$1: one line on stderr" 1 "$(printf '%s' "$lines" | grep -c . || true)"
    if grep -qE -- "$2" <<<"$lines"; then ok "$1: the message matches /$2/"; else
        not_ok "$1: the message matches /$2/" "$lines"; fi
    local pdfs
    pdfs=$( (find "$out" -name '*.pdf' 2>/dev/null || true) | wc -l)
    check_eq "$1: no PDF written" 0 "$pdfs"
}

# same_pdfs NAME: the data in $D renders (exit 0, nothing on stderr) into the same bytes as
# the clean data
same_pdfs() {
    local out=$TMP/out-$RANDOM
    cb render --data "$D" --out "$out" --jobs 1
    check_eq "$1: exit 0" 0 "$RC"
    check_eq "$1: nothing on stderr" "" "$(error_lines)"
    for f in "$TMP"/clean/*.pdf; do
        local why
        if why=$(same_pdf "$f" "$out/$(basename "$f")"); then ok "$1: $(basename "$f") is byte-identical to the clean data's"; else
            not_ok "$1: $(basename "$f") is byte-identical to the clean data's" "$why
$(pdftext "$out/$(basename "$f")" - | head -n 12)"; fi
    done
}

cb render --out "$TMP/clean" --jobs 1
check_eq "clean example data: exit 0" 0 "$RC"

# --- tolerated: line ends, blank lines, byte-order mark -----------------------------------
D=$TMP/d-lineends
copy_data "$D"
# indicators: every other line CRLF, blank lines (empty, spaces, CRLF only) here and there
awk '{ printf "%s%s\n", $0, (NR % 2 ? "\r" : ""); if (NR == 3) print ""; if (NR == 6) print "   "; if (NR == 9) printf "\r\n" }' \
    "$D/indicators.csv" >"$D/x" && mv "$D/x" "$D/indicators.csv"
printf '\n\n' >>"$D/indicators.csv"
# projects: byte-order mark and CRLF throughout
{ printf '\xef\xbb\xbf'; sed 's/$/\r/' "$DATA/projects.csv"; } >"$D/projects.csv"
check "line ends: the indicators file mixes CRLF and LF" bash -c "grep -c \$'\\r\$' '$D/indicators.csv' | grep -qv '^0\$' && grep -qv \$'\\r\$' '$D/indicators.csv'"
check "line ends: the indicators file has blank lines" grep -qxE '[[:space:]]*' "$D/indicators.csv"
same_pdfs "CRLF/LF mix, blank lines, BOM"

# --- tolerated: full-width digits and thousands separators ----------------------------
D=$TMP/d-numbers
copy_data "$D"
f=$D/indicators.csv
set_line "$f" 2 "500233,aid_total,无偿援助资金,４０５，０００，０００．００,元,,,忠县篇·开篇数据"
set_line "$f" 11 '500236,aid_total,援助资金,"429,000,000",元,,,奉节篇·开篇数据'
line=$(grep -n '^500233,2020,18000000,' "$D/allocations.csv" | cut -d: -f1)
sed -i "${line}s/^500233,2020,18000000,/500233,2020,１８００００００,/" "$D/allocations.csv"
line=$(grep -n '^500233,忠文化展览馆,' "$D/projects.csv" | cut -d: -f1)
sed -i "${line}s/,3000000,2020,/,\"3,000,000\",２０２０,/" "$D/projects.csv"
check "numbers: the cells are rewritten" grep -q '"3,000,000",２０２０' "$D/projects.csv"
same_pdfs "full-width digits and thousands separators"

# --- accepted, the report decides: negative and huge amounts ---------------------------
D=$TMP/d-negative
copy_data "$D"
set_line "$D/indicators.csv" 2 "500233,aid_total,无偿援助资金,-405000000,元,,,忠县篇·开篇数据"
cb render --data "$D" --out "$TMP/out-neg"
check_eq "negative aid_total: exit 0" 0 "$RC"
pdftext "$TMP/out-neg/500233-忠县.pdf" - | tr -d ' \n' >"$TMP/neg.txt"
if has_text "$TMP/neg.txt" "-4.05亿元"; then ok "negative aid_total: shown as -4.05亿元"; else
    not_ok "negative aid_total: shown as -4.05亿元" "$(head -c 400 "$TMP/neg.txt")"; fi

D=$TMP/d-negative-pie
copy_data "$D"
line=$(grep -n '^500233,2020,18000000,' "$D/allocations.csv" | cut -d: -f1)
sed -i "${line}s/^500233,2020,18000000,/500233,2020,-18000000,/" "$D/allocations.csv"
cb render --data "$D" --out "$TMP/out-negpie"
check_counts "negative allocation (one county fails)" 1 0 1 "$TMP/out-negpie"
lines=$(error_lines)
check_eq "negative allocation: one line on stderr" 1 "$(printf '%s' "$lines" | grep -c . || true)"
if grep -qE '500233 忠县: scripts/briefing\.lua:[0-9]+: chart\.pie: .*negative value \(-18000000\)' <<<"$lines"; then
    ok "negative allocation: the briefing's pie refuses it, naming the script line and value"; else
    not_ok "negative allocation: the briefing's pie refuses it, naming the script line and value" "$lines"; fi
if [[ -f $TMP/out-negpie/500236-奉节县.pdf && ! -e $TMP/out-negpie/500233-忠县.pdf ]]; then
    ok "negative allocation: the other county still renders"; else not_ok "negative allocation: the other county still renders"; fi

D=$TMP/d-huge
copy_data "$D"
set_line "$D/indicators.csv" 2 "500233,aid_total,无偿援助资金,1e300,元,,,忠县篇·开篇数据"
line=$(grep -n '^500233,忠文化展览馆,' "$D/projects.csv" | cut -d: -f1)
sed -i "${line}s/,3000000,2020,/,1e300,2020,/" "$D/projects.csv"
cb render --data "$D" --out "$TMP/out-huge"
check_eq "huge amounts (1e300): exit 0" 0 "$RC"
pdftext "$TMP/out-huge/500233-忠县.pdf" "$TMP/huge.txt"
if has_text "$TMP/huge.txt" "1e+288万亿元"; then ok "huge amounts: shown as 1e+288万亿元"; else
    not_ok "huge amounts: shown as 1e+288万亿元" "$(head -n 20 "$TMP/huge.txt")"; fi
if grep -qE '[0-9]{16}' "$TMP/huge.txt"; then not_ok "huge amounts: no run of 16 or more digits in the text" "$(grep -E '[0-9]{16}' "$TMP/huge.txt" | head -n 3)"; else
    ok "huge amounts: no run of 16 or more digits in the text"; fi
check_same "huge amounts: as many pages as the clean briefing" "$(pdf_pages "$TMP/clean/500233-忠县.pdf")" "$(pdf_pages "$TMP/out-huge/500233-忠县.pdf")"

# --- refused: a duplicate header ---------------------------------------------------------
D=$TMP/d-dupheader
copy_data "$D"
sed -i '1s/,year,/,amount,/' "$D/projects.csv"
refused "duplicate header" "projects\\.csv:1: duplicate column \"amount\""

# --- refused: invalid UTF-8 ---------------------------------------------------------------
D=$TMP/d-utf8
copy_data "$D"
line=$(grep -n '^500233,忠文化展览馆,' "$D/projects.csv" | cut -d: -f1)
sed -i "${line}s/忠文化展览馆/忠文化\\xff展览馆/" "$D/projects.csv"
check "invalid UTF-8: the byte is in place" grep -qa $'\xff' "$D/projects.csv"
refused "invalid UTF-8" "projects\\.csv:$line:2: not UTF-8 or GB18030 text"

# --- refused: NaN and infinities, in any spelling ------------------------------------------
for v in NaN Inf -inf nan Infinity 1e999 ＮａＮ; do
    D=$TMP/d-nonfinite
    copy_data "$D"
    set_line "$D/indicators.csv" 11 "500236,aid_total,援助资金,$v,元,,,奉节篇·开篇数据"
    refused "value $v" "indicators\\.csv:11:4: column \"value\" expects a number, got \"$(re "$v")\" \\(not a finite number\\)"
done

# --- refused: thousands separators out of place, or unquoted --------------------------------
D=$TMP/d-grouping
copy_data "$D"
set_line "$D/indicators.csv" 2 '500233,aid_total,无偿援助资金,"4,05,000,000",元,,,忠县篇·开篇数据'
refused "separators out of place" "indicators\\.csv:2:4: column \"value\" expects a number, got \"4,05,000,000\" \\(thousands separators must split the digits in threes"
D=$TMP/d-unquoted
copy_data "$D"
set_line "$D/indicators.csv" 2 '500233,aid_total,无偿援助资金,405,000,000,元,,,忠县篇·开篇数据'
refused "unquoted separators" "indicators\\.csv:2: row has 10 fields, header has 8"

finish
