#!/usr/bin/env bash
# bad_input.sh: the promise made to someone who gets their input wrong. Each bad input
# ends with the exit status documented in `countybrief --help` (2 usage or unknown county,
# 3 data, 4 report/template/font, 5 output folder, 1 when only some counties failed), with
# ONE line on stderr for the failure that names the place to fix (folder, file:line[:column],
# script:line, path), and with no PDF and no temporary file left in the output folder.
set -euo pipefail
source "$(dirname "$0")/lib/common.bash"

DATA=$CB_SRC/examples/data

# expect NAME CODE REGEX [--keep FILE] -- ARGS...
#   runs `countybrief ARGS...` and checks: the exit status is CODE; stderr has exactly one
#   line besides the run's summary ("N rendered, N failed in ..."), and it matches REGEX
#   (grep -E); the output folder $OUTDIR (created empty beforehand unless NOMKDIR=1) holds
#   nothing afterwards, or only FILE with --keep.
expect() {
    local name=$1 code=$2 regex=$3 keep=""
    shift 3
    if [[ $1 == --keep ]]; then keep=$2; shift 2; fi
    shift # --
    [[ ${NOMKDIR:-0} == 1 ]] || mkdir -p "$OUTDIR"
    cb "$@"
    check_eq "$name: exit status $code" "$code" "$RC"
    local lines
    lines=$(grep -Ev '^[0-9]+ rendered, [0-9]+ skipped \(unchanged\), [0-9]+ failed in ' "$TMP/stderr" || true)
    local n
    n=$(printf '%s' "$lines" | grep -c . || true)
    if [[ $n -eq 1 ]]; then ok "$name: one line on stderr"; else
        not_ok "$name: one line on stderr (got $n)" "$(cat "$TMP/stderr")"; fi
    if grep -qE -- "$regex" <<<"$lines"; then ok "$name: the message matches /$regex/"; else
        not_ok "$name: the message matches /$regex/" "$(cat "$TMP/stderr")"; fi
    local left=""
    # manifest.json records the run, failures included; what matters here are the PDFs
    if [[ -d $OUTDIR ]]; then left=$(cd "$OUTDIR" && find . -mindepth 1 ! -name manifest.json | sed 's|^\./||' | sort | tr '\n' ' ' | sed 's/ $//'); fi
    check_eq "$name: output folder holds ${keep:-nothing} afterwards" "$keep" "$left"
}

# re TEXT: TEXT as a grep -E pattern that matches it literally
re() { sed 's/[][\\.*^$+?(){}|]/\\&/g' <<<"$1"; }

# a fresh copy of the example data
copy_data() { rm -rf "$1" && cp -r "$DATA" "$1"; }

# column number (from 1) of a CSV header field
col_of() { head -n 1 "$1" | tr -d '\r' | tr ',' '\n' | grep -nxF "$2" | cut -d: -f1 || true; }

# --- data folder missing ------------------------------------------------------------------
OUTDIR=$TMP/out-nodata
expect "missing data folder" 3 "$(re "$TMP/no-such-data")" -- \
    render --data "$TMP/no-such-data" --out "$OUTDIR"

# --- a quoted field never closed ----------------------------------------------------------
D=$TMP/d-quote
copy_data "$D"
# open a quote in the project name of the 6th data row (line 7); it is never closed
line=7
sed -i "${line}s/^\\([0-9]*\\),/\\1,\"/" "$D/projects.csv"
check "unterminated quote: the broken line starts a quoted field" grep -q '^[0-9]*,"' "$D/projects.csv"
OUTDIR=$TMP/out-quote
expect "unterminated quote" 3 "projects\\.csv:$line([^0-9]|\$)" -- render --data "$D" --out "$OUTDIR"

# --- text in a number column ---------------------------------------------------------------
# The amount of 忠文化展览馆 becomes "4.05亿". A quoted cell with a line break further up
# (allowed by RFC 4180) makes the reported line the physical line in the file.
D=$TMP/d-number
copy_data "$D"
f=$D/projects.csv
amount=$(col_of "$f" amount)
outcome=$(col_of "$f" outcome)
awk -F, -v OFS=, -v c="$outcome" 'NR == 2 { $c = "\"第一行\n第二行\"" } { print }' "$f" >"$f.new" && mv "$f.new" "$f"
line=$(grep -n '^[0-9]*,忠文化展览馆,' "$f" | cut -d: -f1 || true)
awk -F, -v OFS=, -v l="$line" -v c="$amount" 'NR == l { $c = "4.05亿" } { print }' "$f" >"$f.new" && mv "$f.new" "$f"
check "number column: the broken cell is in place (line $line, column $amount)" \
    grep -q "^[0-9]*,忠文化展览馆,[^,]*,[^,]*,4.05亿," "$f"
OUTDIR=$TMP/out-number
expect "number column holding text" 3 "projects\\.csv:$line:$amount([^0-9]|\$)" -- \
    render --data "$D" --out "$OUTDIR"

# the same file with a byte-order mark and CRLF line ends (both allowed): same place
sed -i '1s/^/\xEF\xBB\xBF/; s/$/\r/' "$f"
OUTDIR=$TMP/out-number-crlf
expect "number column holding text, BOM + CRLF file" 3 "projects\\.csv:$line:$amount([^0-9]|\$)" -- \
    render --data "$D" --out "$OUTDIR"

# --- unknown county ------------------------------------------------------------------------
OUTDIR=$TMP/out-county
expect "unknown county" 2 "不存在县" -- render --county 不存在县 --out "$OUTDIR"

# --- report with a syntax error ---------------------------------------------------------------
mkdir -p "$TMP/x"
cat >"$TMP/x/bad.lua" <<'EOF'
doc:title(county.name .. "简报")
doc:paragraph("第二行没问题。")
local broken = = 1
doc:paragraph("不会执行到这里。")
EOF
OUTDIR=$TMP/out-syntax
expect "report syntax error" 4 "bad\\.lua:3:" -- render --report "$TMP/x/bad.lua" --out "$OUTDIR"

# --- report with a runtime error for one county only ----------------------------------------
cat >"$TMP/x/rt.lua" <<'EOF'
-- fails for 忠县 only; the other counties get a small document
local name = county.name
if name == "忠县" then
  error("boom: no data for " .. name)
end
doc:title(name .. "测试简报")
doc:paragraph("这是一段测试文字。")
EOF
OUTDIR=$TMP/out-runtime
expect "report runtime error in one county" 1 "rt\\.lua:4:.*boom: no data for 忠县" \
    --keep 500236-奉节县.pdf -- render --report "$TMP/x/rt.lua" --out "$OUTDIR"
if grep -qE '1 rendered, 0 skipped \(unchanged\), 1 failed' "$TMP/stderr"; then ok "report runtime error: summary says 1 rendered, 1 failed"; else
    not_ok "report runtime error: summary says 1 rendered, 1 failed" "$(cat "$TMP/stderr")"; fi
check "report runtime error: 奉节县's PDF is a valid PDF" qpdf --check "$OUTDIR/500236-奉节县.pdf"

# --- fonts ------------------------------------------------------------------------------------
OUTDIR=$TMP/out-nofont
expect "missing font file" 4 "$(re "$TMP/missing.ttf")" -- render --font "$TMP/missing.ttf" --out "$OUTDIR"

echo "this is not a font" >"$TMP/notafont.ttf"
OUTDIR=$TMP/out-notfont
expect "font path is not a font" 4 "$(re "$TMP/notafont.ttf")" -- render --font "$TMP/notafont.ttf" --out "$OUTDIR"

# --- output folder that cannot be created -----------------------------------------------------
touch "$TMP/file"
OUTDIR=$TMP/file/out
NOMKDIR=1 expect "output folder under a regular file" 5 "$(re "$TMP/file")" -- render --out "$OUTDIR"

# --- usage errors -----------------------------------------------------------------------------
OUTDIR=$TMP/out-usage
expect "unknown option" 2 "--bogus" -- render --bogus --out "$OUTDIR"
expect "option missing its argument" 2 "--county" -- render --out "$OUTDIR" --county

finish
