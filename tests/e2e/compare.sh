#!/usr/bin/env bash
# compare.sh: a report over all counties (report { scope = "all" }), with the example
# report examples/reports/compare/compare.lua: one PDF, compare.pdf (compare.en.pdf with
# --lang en), that ranks the counties by aid with a chart and a table. On the example data
# 奉节县 (4.29亿元) ranks before 忠县 (4.05亿元); on 12 synthetic counties the order and the
# figures of the table match what counties.csv and indicators.csv say; with a population
# column the per-resident figures appear. Also: --county narrows the counties, `check`
# runs the report once, a script error names script:line, a bad declaration is refused
# before anything runs, and a re-render is byte-identical.
set -euo pipefail
source "$(dirname "$0")/lib/common.bash"

unset COUNTYBRIEF_PLUGIN_DIR COUNTYBRIEF_PLUGIN_PATH
REPORT=$CB_SRC/examples/reports/compare/compare.lua
INK=("$PY" "$E2E_LIB/ink_check.py")

# in_order WHAT FILE.pdf TEXT...: the TEXTs appear in the PDF's text in this order (as
# pdftotext -layout reads it with FLAT_LAYOUT=1)
in_order() {
    local what=$1 pdf=$2 text rest pos=0
    shift 2
    text=$(flat "$pdf")
    rest=$text
    for want in "$@"; do
        if [[ $rest != *"$want"* ]]; then not_ok "$what" "'$want' missing or out of order"; return; fi
        rest=${rest#*"$want"}
        pos=$((pos + 1))
    done
    ok "$what"
}

# --- the example data -------------------------------------------------------------------
cb render --report "$REPORT" --out "$TMP/ex" --no-fsync
check_eq "example data: exit 0" 0 "$RC"
[[ $RC -eq 0 ]] || not_ok "example data: stderr" "$(cat "$TMP/stderr")"
check_eq "example data: one file, compare.pdf" "compare.pdf" "$(cd "$TMP/ex" && ls -- *.pdf | tr '\n' ' ' | sed 's/ $//')"
check "example data: the output line names the file" grep -qF "wrote $TMP/ex/compare.pdf (1 page" "$TMP/stdout"
PDF=$TMP/ex/compare.pdf
check_eq "example data: one page" 1 "$(pdf_pages "$PDF")"
has "example data: title, totals and both counties" "$PDF" 对口支援各县对比 2个县 8.34亿元 597个 奉节县 忠县
in_order "example data: 奉节县 (4.29亿元) ranks before 忠县 (4.05亿元) in the chart" "$PDF" \
    1.奉节县 2.忠县 单位：亿元
FLAT_LAYOUT=1 in_order "example data: the table ranks them the same way, with their figures" "$PDF" \
    各县数据 1奉节县重庆市42,900129 2忠县重庆市40,500468
has "example data: aid per project and people trained (summed rows marked *)" "$PDF" 332.56 86.54 2396余 约1.1万* \
    带*的培训人次
has "example data: the summary names the first and the last" "$PDF" \
    "援助资金最多的是奉节县（4.29亿元，占合计的51.4%），最少的是忠县（4.05亿元）。"
has "example data: without populations it says so" "$PDF" 数据中没有人口数字，因此本报告不列人均指标。
check_eq "example data: document title" "对口支援各县对比" "$(pdf_info "$PDF" Title)"

cb render --report "$REPORT" --lang en --out "$TMP/ex" --no-fsync
check_eq "English: exit 0" 0 "$RC"
EN=$TMP/ex/compare.en.pdf
check "English: compare.en.pdf, beside compare.pdf" test -f "$EN" -a -f "$PDF"
in_order "English: Fengjie County ranks before Zhong County" "$EN" \
    1.FengjieCounty 2.ZhongCounty "Unit:CNYmillion"
has "English: figures in English" "$EN" CNY417million "FengjieCountyreceivedthemostaid(CNY429million" \
    "ZhongCountytheleast(CNY405million)" 429 405
cb render --report "$REPORT" --out "$TMP/ex2" --no-fsync
check "a second render is byte-identical" same_pdf "$PDF" "$TMP/ex2/compare.pdf"
check "no manifest: a report over all counties writes one file" test ! -e "$TMP/ex2/manifest.json"

# --- 12 synthetic counties ----------------------------------------------------------------
SYN=$TMP/syn
cb synth --counties 12 --seed 7 --out "$SYN"
check_eq "synth: exit 0" 0 "$RC"
cb render --report "$REPORT" --data "$SYN" --out "$TMP/s" --no-fsync --quiet
check_eq "synthetic: exit 0" 0 "$RC"
[[ $RC -eq 0 ]] || not_ok "synthetic: stderr" "$(cat "$TMP/stderr")"
# the ranking and each table row's start, from the CSV: rank, name, province, aid in 万元
"$PY" - "$SYN" >"$TMP/rank.txt" <<'EOF'
import csv, sys
d = sys.argv[1]
counties = list(csv.DictReader(open(f"{d}/counties.csv", encoding="utf-8")))
aid = {r["county_id"]: float(r["value"]) for r in csv.DictReader(open(f"{d}/indicators.csv", encoding="utf-8"))
       if r["indicator"] == "aid_total"}
rows = sorted((c for c in counties if c["county_id"] in aid), key=lambda c: (-aid[c["county_id"]], c["county_id"]))
def wan(v):
    s = f"{v / 1e4:,.2f}".rstrip("0").rstrip(".")
    return s
for i, c in enumerate(rows, 1):
    print(f"{i}.{c['name']}\t{i}{c['name']}{c['province']}{wan(aid[c['county_id']])}")
EOF
check_eq "synthetic: 12 counties ranked" 12 "$(wc -l <"$TMP/rank.txt")"
mapfile -t BARS < <(cut -f1 "$TMP/rank.txt")
mapfile -t TROWS < <(cut -f2 "$TMP/rank.txt")
in_order "synthetic: the chart ranks the 12 counties by aid, as indicators.csv says" "$TMP/s/compare.pdf" "${BARS[@]}"
FLAT_LAYOUT=1 in_order "synthetic: the table lists them in that order with their province and aid (万元)" \
    "$TMP/s/compare.pdf" 各县数据 "${TROWS[@]}"

# with a population column: per-resident figures, ranked too
POP=$TMP/pop
cp -R "$SYN" "$POP"
awk -F, 'BEGIN { OFS = "," } NR == 1 { print $0 ",population"; next } { print $0 "," (300000 + NR * 41234) }' \
    "$SYN/counties.csv" >"$POP/counties.csv"
cb render --report "$REPORT" --data "$POP" --out "$TMP/p" --no-fsync --quiet
check_eq "with populations: exit 0" 0 "$RC"
"$PY" - "$POP" >"$TMP/capita.txt" <<'EOF'
import csv, sys
from decimal import Decimal, ROUND_HALF_UP
d = sys.argv[1]
counties = {c["county_id"]: c for c in csv.DictReader(open(f"{d}/counties.csv", encoding="utf-8"))}
aid = {r["county_id"]: float(r["value"]) for r in csv.DictReader(open(f"{d}/indicators.csv", encoding="utf-8"))
       if r["indicator"] == "aid_total"}
per = sorted(((aid[i] / float(c["population"]), i) for i, c in counties.items() if i in aid), key=lambda x: (-x[0], x[1]))
for v, i in per:
    print(f"{counties[i]['name']}{Decimal(repr(v)).quantize(Decimal('1'), rounding=ROUND_HALF_UP)}元")
EOF
mapfile -t CAP < <(cat "$TMP/capita.txt")
FLAT_LAYOUT=1 in_order "with populations: aid per resident, highest first, as counties.csv and indicators.csv say" \
    "$TMP/p/compare.pdf" 人均援助资金 "${CAP[@]}"
has "with populations: the summary compares aid per resident" "$TMP/p/compare.pdf" 按人口计
# each header cell read whole (lib/nobreak.py cells): pdftotext may read 人口 on one line with
# the next cell's 人均援助 and （万人） on the line after
"$PY" "$E2E_LIB/nobreak.py" cells "$TMP/p/compare.pdf" >"$TMP/p/cells.txt"
for col in 人口（万人） 人均援助（元）; do
    check "with populations: the table has the column $col" grep -qxF "$col" "$TMP/p/cells.txt"
done
ALL=("$PDF" "$EN" "$TMP/s/compare.pdf" "$TMP/p/compare.pdf")
bad=""
for f in "${ALL[@]}"; do qpdf --check "$f" >/dev/null 2>&1 || bad+="$f "; done
check_eq "qpdf --check passes for the ${#ALL[@]} PDFs" "" "$bad"
check "every character leaves ink" "${INK[@]}" check "${ALL[@]}"

# --- --county, check, errors ---------------------------------------------------------------
cb render --report "$REPORT" --county 忠县 --out "$TMP/one" --no-fsync --quiet
check_eq "--county 忠县: exit 0" 0 "$RC"
has "--county 忠县: only that county" "$TMP/one/compare.pdf" 1个县 数据中只有一个县：忠县，援助资金4.05亿元。
if [[ $(flat "$TMP/one/compare.pdf") != *奉节县* ]]; then ok "--county 忠县: 奉节县 left out"; else not_ok "--county 忠县: 奉节县 left out"; fi

cb check --report "$REPORT"
check_eq "check: exit 0" 0 "$RC"
check "check: one run, named by its file, summary over 2 counties" \
    grep -qx "check: 0 errors, 0 warnings in 2 counties (report $REPORT, data $CB_SRC/examples/data)" "$TMP/stdout"

cd "$TMP"
cat >broken.lua <<'LUA'
report { scope = "all", output = "cmp" }
doc:title("对比")
for i, c in ipairs(counties) do
  if i == 2 then local x = nil; doc:paragraph(x.name) end
end
LUA
cb render --report broken.lua --out "$TMP/b" --no-fsync
check_eq "script error: exit 1" 1 "$RC"
check "script error: one line naming the file and script:line" \
    grep -qx "countybrief: cmp.pdf: broken.lua:4: attempt to index a nil value (local 'x') \[traceback: broken.lua:4\]" "$TMP/stderr"
check "script error: no PDF" test ! -e "$TMP/b/cmp.pdf"
cb check --report broken.lua
check_eq "check of the broken report: exit 1" 1 "$RC"
check "check names the error the same way" grep -qF "error: cmp.pdf: broken.lua:4: attempt to index a nil value" "$TMP/stdout"

printf 'report { scope = "everything" }\ndoc:title("x")\n' >badscope.lua
cb render --report badscope.lua --out "$TMP/b" --no-fsync
check_eq "unknown scope: exit 4, before any county" 4 "$RC"
check "unknown scope: script:line and what is allowed" \
    grep -qF 'badscope.lua:1: report: scope must be "county" (one document per county) or "all"' "$TMP/stderr"
printf 'doc:title("x")\nreport { scope = "all" }\n' >late.lua
cb render --report late.lua --out "$TMP/b" --no-fsync
check_eq "scope \"all\" after another statement: exit 1" 1 "$RC"
check "scope \"all\" after another statement: says it must come first" \
    grep -qF 'late.lua:2: report { scope = "all" } must come first in the script' "$TMP/stderr"
cb render --report broken.lua --lang en --out "$TMP/b" --no-fsync
check_eq "--lang en for a report written in Chinese only: exit 2" 2 "$RC"
check "--lang en: the message says which languages the report has" \
    grep -qF "broken.lua: the report is written in zh, not en" "$TMP/stderr"

finish
