#!/usr/bin/env bash
# chart_bar.sh: the bar chart is the charts plugin's (plugins/charts/hbar.c: chart.bar) and
# doc:barchart{...} its shorthand (docs/reports.md, "doc:barchart"). The two give the same
# page, pixel for pixel, the same structure and alternative text; the option check is the
# one of every chart (chart.pie's words), a shorthand's naming doc:barchart; its values
# are checked by the plugin with doc:barchart's messages; every bar starts on the value
# axis and ends inside it (PyMuPDF); the English figure's alternative text is English;
# without the plugin doc:barchart fails in one line saying so, and no PDF is written.
set -euo pipefail
source "$(dirname "$0")/lib/common.bash"

unset COUNTYBRIEF_PLUGIN_DIR COUNTYBRIEF_PLUGIN_PATH
cd "$TMP"
BARS='title = "各项投入", unit = "万元", bars = {
  { label = "甲", value = 1800 },
  { label = "基础设施建设与产业协作项目资金合计（含民生项目与人才培训）", value = 300, text = "300万元" },
  { label = "Ag 教育", value = 4715 },
  { label = "民生", value = 12.5 },
}'
render() { # NAME SCRIPT-TEXT [render options]
    local name=$1 text=$2
    shift 2
    printf '%sdoc:title("条形图")\ndoc:paragraph("前文。")\n%s\ndoc:paragraph("后文。")\n' "${HEAD:-}" "$text" >"$name.lua"
    rm -rf "out-$name"
    cb render --report "$name.lua" --out "out-$name" --county 500233 --jobs 1 "$@"
}
pdf_of() { find "out-$1" -name '*.pdf' 2>/dev/null | head -1; }
error_lines() { grep -Ev '^[0-9]+ rendered, .*failed in ' "$TMP/stderr" || true; }
# alt PDF: the alternative text of every Figure, one a line (pikepdf)
alt() {
    "$PY" - "$1" <<'EOF'
import sys
import pikepdf
pdf = pikepdf.open(sys.argv[1])
def walk(n):
    if isinstance(n, pikepdf.Array):
        for k in n: walk(k)
        return
    if not isinstance(n, pikepdf.Dictionary): return
    if n.get("/S") == "/Figure": print(str(n.get("/Alt", "")))
    if "/K" in n: walk(n["/K"])
walk(pdf.Root.StructTreeRoot)
EOF
}

# --- doc:barchart{...} is doc:add("chart.bar", {...}) -----------------------------------
render short "doc:barchart { $BARS }"
check "doc:barchart renders" test "$RC" -eq 0
render add "doc:add(\"chart.bar\", { $BARS })"
check "doc:add(\"chart.bar\") renders" test "$RC" -eq 0
pdftoppm -r 100 -png "$(pdf_of short)" short 2>/dev/null || true
pdftoppm -r 100 -png "$(pdf_of add)" add 2>/dev/null || true
check "the same page, pixel for pixel" cmp -s short-1.png add-1.png
pdfinfo -struct-text "$(pdf_of short)" >short.struct 2>/dev/null || true
pdfinfo -struct-text "$(pdf_of add)" >add.struct 2>/dev/null || true
check "the same structure (a Figure whose Caption is the title)" cmp -s short.struct add.struct
if grep -q "Caption" short.struct && grep -A1 "Caption" short.struct | grep -qF '"各项投入"'; then
    ok "the title is the figure's Caption"
else not_ok "the title is the figure's Caption" "$(cat short.struct)"; fi
if "$PY" -c "import pikepdf" 2>/dev/null; then
    want="各项投入（单位：万元）：甲 1800；基础设施建设与产业协作项目资金合计（含民生项目与人才培训） 300万元；Ag 教育 4715；民生 12.5"
    check_eq "the figure's alternative text: every bar as drawn" "$want" "$(alt "$(pdf_of short)")"
    check_eq "the same through doc:add" "$want" "$(alt "$(pdf_of add)")"
    HEAD=$'report { languages = { "zh", "en" } }\n' render en "doc:barchart { bars = { { label = \"North\", value = 1.2, text = \"1.2 m\" }, { label = \"South\", value = 3 } } }" --lang en
    check_eq "in English: 'Bar chart: North 1.2 m; South 3'" "Bar chart: North 1.2 m; South 3" "$(alt "$(pdf_of en)")"
else
    skip "alternative text" "pikepdf is not installed"
fi

# --- every bar starts on the value axis and ends inside it --------------------------------
if "$PY" -c "import fitz" 2>/dev/null; then
    render axes 'doc:barchart { title = "资金", unit = "万元", bars = {
      { label = "2018—2020年 三大类项目 1", value = 8400 }, { label = "2018—2020年 三大类项目 2", value = 2000 },
      { label = "2018—2020年 三大类项目 3", value = 1790 }, { label = "2018—2020年 三大类项目 4", value = 610 } } }'
    out=$("$PY" - "$(pdf_of axes)" <<'EOF'
import sys
import fitz
doc = fitz.open(sys.argv[1])
page = doc[0]
lines, bars = [], []
for d in page.get_drawings():
    for it in d["items"]:
        if it[0] == "l" and d.get("width") and d["width"] >= 0.79: lines.append((it[1], it[2]))
        if it[0] == "re" and d.get("fill") and it[1].height <= 13.01 and it[1].width > 0: bars.append(it[1])
h = max((l for l in lines if abs(l[0].y - l[1].y) < 0.01), key=lambda l: abs(l[1].x - l[0].x))
v = max((l for l in lines if abs(l[0].x - l[1].x) < 0.01), key=lambda l: abs(l[1].y - l[0].y))
x0, x1 = min(h[0].x, h[1].x), max(h[0].x, h[1].x)
top, bottom = min(v[0].y, v[1].y), max(v[0].y, v[1].y)
bars = [r for r in bars if top <= (r.y0 + r.y1) / 2 <= bottom]  # the plot's, not a heading's mark
bad = [r for r in bars if abs(r.x0 - x0) > 0.01 or r.x1 > x1 + 0.01]
print("%d bars, axis %.2f..%.2f, %d off it" % (len(bars), x0, x1, len(bad)))
EOF
    ) || true
    if [[ $out == "4 bars, "*", 0 off it" ]]; then ok "every bar on its axis: $out"; else not_ok "every bar on its axis" "$out"; fi
else
    skip "bars on their axis" "PyMuPDF is not installed"
fi

# --- one option check: the charts' -------------------------------------------------------
render opt 'doc:add("chart.bar", { titel = "图", bars = {} })'
want="opt.lua:3: chart.bar: unknown option 'titel' (options: title, unit, bars); did you mean 'title'?"
if [[ $RC -eq 1 ]] && grep -qF "$want" <<<"$(error_lines)"; then ok "chart.bar with titel: '$want'"; else
    not_ok "chart.bar with titel: '$want'" "exit $RC: $(error_lines)"; fi
render pie 'doc:add("chart.pie", { titel = "图", slices = {} })'
if [[ $RC -eq 1 ]] && grep -qF "pie.lua:3: chart.pie: unknown option 'titel' (options: " <<<"$(error_lines)" &&
    grep -qF "); did you mean 'title'?" <<<"$(error_lines)"; then
    ok "chart.pie says it the same way"
else not_ok "chart.pie says it the same way" "exit $RC: $(error_lines)"; fi
render shortopt 'doc:barchart { titel = "图", bars = {} }'
want="shortopt.lua:3: doc:barchart: unknown option 'titel' (options: title, unit, bars); did you mean 'title'?"
if [[ $RC -eq 1 && -z $(pdf_of shortopt) ]] && grep -qF "$want" <<<"$(error_lines)"; then
    ok "doc:barchart with titel: '$want', no PDF"
else not_ok "doc:barchart with titel: '$want', no PDF" "exit $RC: $(error_lines)"; fi
# the plugin checks the bars with doc:barchart's words, at the script's line
render bad 'doc:barchart { bars = { { label = "甲", value = "1" } } }'
want="bad.lua:3: doc:barchart: item 1: 'value' must be a number, got string"
if [[ $RC -eq 1 ]] && grep -qF "$want" <<<"$(error_lines)"; then ok "a bad value: '$want'"; else
    not_ok "a bad value: '$want'" "exit $RC: $(error_lines)"; fi
render bad2 'doc:add("chart.bar", { bars = "x" })'
want="bad2.lua:3: chart.bar: 'bars' must be a list of {label=, value=}"
if [[ $RC -eq 1 ]] && grep -qF "$want" <<<"$(error_lines)"; then ok "through doc:add: '$want'"; else
    not_ok "through doc:add: '$want'" "exit $RC: $(error_lines)"; fi

# --- without the plugin: one clear line -------------------------------------------------
mkdir -p noplugins
COUNTYBRIEF_PLUGIN_DIR=$TMP/noplugins render none 'doc:barchart { title = "图", bars = { { label = "甲", value = 3 } } }'
want="none.lua:3: doc:barchart needs the charts plugin (chart.bar), not loaded"
if [[ $RC -eq 1 && -z $(pdf_of none) ]] && grep -qF "$want" <<<"$(error_lines)"; then
    ok "no plugins: exit 1, no PDF, '$want'"
else not_ok "no plugins: exit 1, no PDF, '$want'" "exit $RC: $(error_lines)"; fi

cb plugins
if grep -qE '^ +block +chart\.bar$' "$TMP/stdout"; then ok "countybrief plugins lists chart.bar"; else
    not_ok "countybrief plugins lists chart.bar" "$(cat "$TMP/stdout")"; fi

finish
