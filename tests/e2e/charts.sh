#!/usr/bin/env bash
# charts.sh: the promise of the charts plugin (plugins/charts). `countybrief plugins` lists
# it with its four blocks (chart.line, chart.pie, chart.stacked, chart.sparkline) and the
# Lua module `charts`. A report using all four renders for both example counties into
# valid PDFs whose chart titles, legends, ticks and value labels are text a reader can
# find and that leaves ink. Bad options fail the county with exit 1 and a message naming
# script:line. The default briefing draws its funding donut with chart.pie, so without the
# plugin it fails for each county naming the missing block, and with it it still reads
# 忠县 / 4.05亿元.
set -euo pipefail
source "$(dirname "$0")/lib/common.bash"

unset COUNTYBRIEF_PLUGIN_DIR COUNTYBRIEF_PLUGIN_PATH
INK=("$PY" "$E2E_LIB/ink_check.py")

# error_lines: stderr without the run's summary line ("N rendered, ... failed in ...")
error_lines() { grep -Ev '^[0-9]+ rendered, .*failed in ' "$TMP/stderr" || true; }

# --- the plugin is there ----------------------------------------------------------------
cb plugins
check_eq "countybrief plugins exits 0" 0 "$RC"
if grep -qE '^charts [0-9]+\.[0-9]+\.[0-9]+ +\(ABI 1\.[0-9]+\)' "$TMP/stdout"; then
    ok "countybrief plugins lists the charts plugin"
else
    not_ok "countybrief plugins lists the charts plugin" "$(cat "$TMP/stdout" "$TMP/stderr")"
    finish || exit 1
fi
# the lines after "charts ..." up to the next plugin
section=$(awk '/^charts /{on=1; next} /^[^ ]/{on=0} on' "$TMP/stdout")
for block in chart.line chart.pie chart.stacked chart.sparkline; do
    if grep -qE "^ +block +${block//./\\.}\$" <<<"$section"; then ok "charts provides block $block"; else
        not_ok "charts provides block $block" "$section"; fi
done
if grep -qE '^ +module +charts$' <<<"$section"; then ok "charts provides Lua module charts"; else
    not_ok "charts provides Lua module charts" "$section"; fi

# --- a report with all four chart types -------------------------------------------------
REPORT=$TMP/charts.lua
cat >"$REPORT" <<'EOF'
-- all four chart types, partly from the county's data
local charts = require "charts"
local ind = {}
for _, r in ipairs(data.indicators) do ind[r.indicator] = r end
doc:title(county.name .. "图表检验")
local step, count = charts.nice_ticks(8400)
local lo, rstep, rcount = charts.nice_range(-37, 120)
doc:paragraph(string.format("刻度检验：%d×%d；%d+%d×%d。", step, count, lo, rstep, rcount))
doc:add("chart.sparkline", { label = "无偿援助资金（示意走势）", value = fmt.yuan(ind.aid_total.value),
                             values = { 1.1, 1.6, 2.2, false, 3.3, 4.0 } })
doc:add("chart.line", {
  title = "历年资金走势检验", money = true,
  x = { "2014", "2015", "2016", "2017", "2018", "2019", "2020", "2021" },
  series = {
    { name = "援助资金", values = { 2.1e7, 2.5e7, 3.0e7, 3.6e7, 4.2e7, 5.8e7, 8.4e7, 7.9e7 } },
    { name = "产业项目", values = { 0.6e7, 0.9e7, nil, 1.5e7, 2.0e7, 2.4e7, 2.2e7, false } },
    { name = "结余变动", values = { -0.5e7, 0.2e7, 0.4e7, -1.0e7, 0, 0.3e7, 0/0, 0.1e7 } },
  },
})
doc:add("chart.stacked", {
  title = "分领域资金检验", unit = "万元",
  categories = { "2018年", "2019年", "2020年", "2021年" },
  series = {
    { name = "医疗卫生", values = { 1200, 1500, 1800, 2000 } },
    { name = "教育培训", values = { 800, 900, false, 1600 } },
    { name = "产业发展", values = { 500, 1000, 1600, 2200 } },
  },
})
local slices = {}
for _, a in ipairs(data.allocations) do
  if a.amount and not (a.purpose or ""):find("^其中") then
    slices[#slices + 1] = { label = tostring(a.period) .. "期资金", value = a.amount }
  end
end
for _, p in ipairs(data.projects) do
  if p.amount then slices[#slices + 1] = { label = p.project, value = p.amount } end
end
doc:add("chart.pie", { title = "资金构成检验", slices = slices, donut = true, money = true })
doc:add("chart.pie", { title = "项目领域检验", unit = "个",
                       slices = { { label = "交通", value = 3 }, { label = "教育", value = 1 } } })
EOF
OUT=$TMP/out
cb render --report "$REPORT" --out "$OUT"
check_eq "render the four-chart report: exit 0" 0 "$RC"
[[ $RC -eq 0 ]] || not_ok "render the four-chart report: no error" "$(cat "$TMP/stderr")"

for pair in "500233-忠县 4.05亿元 忠文化展览馆" "500236-奉节县 4.29亿元 草堂社会福利院"; do
    read -r name total project <<<"$pair"
    pdf=$OUT/$name.pdf
    if [[ ! -f $pdf ]]; then
        not_ok "$name: the PDF was written"
        continue
    fi
    txt=$(flat "$pdf")
    missing=""
    for s in "${name#*-}图表检验" "刻度检验：2000×5；-50+50×4。" "$total" 无偿援助资金（示意走势） \
        历年资金走势检验 援助资金 产业项目 结余变动 单位：亿元 2014 2021 0.75 -0.25 \
        分领域资金检验 医疗卫生 教育培训 产业发展 2018年 5800万元 \
        资金构成检验 合计 "$project" "期资金" % \
        项目领域检验 交通 3个 75% 25%; do
        [[ $txt == *"$s"* ]] || missing+="'$s' "
    done
    check_eq "$name: pdftotext finds the titles, legends, ticks and value labels" "" "$missing"
    check "$name: qpdf --check passes" qpdf --check "$pdf"
    rc=0
    "${INK[@]}" check "$pdf" >"$TMP/ink.txt" 2>&1 || rc=$?
    if [[ $rc -eq 0 ]]; then ok "$name: ink check: no character renders blank ($(tail -n 1 "$TMP/ink.txt"))"; else
        not_ok "$name: ink check: no character renders blank (exit $rc)" "$(cat "$TMP/ink.txt")"; fi
done

# --- bad options: the county fails, naming script:line and what is wrong ------------------
BAD=$TMP/bad.lua
cat >"$BAD" <<'EOF'
doc:title("坏选项")
local x = { "2016", "2017", "2018", "2019", "2020", "2021" }
doc:add("chart.line", { x = x, series = { { name = "甲", values = { 1, 2, 3, 4, 5, 6 } }, { name = "乙", values = { 1, 2, 3, 4, 5 } } } })
EOF
cb render --report "$BAD" --out "$TMP/out-bad"
check_eq "series length mismatch: exit 1" 1 "$RC"
lines=$(error_lines)
for county in "500233 忠县" "500236 奉节县"; do
    if grep -qF "$county: $BAD:3: chart.line: series 2 has 5 values for 6 x labels" <<<"$lines"; then
        ok "series length mismatch: $county fails naming bad.lua:3: and the series"
    else
        not_ok "series length mismatch: $county fails naming bad.lua:3: and the series" "$lines"
    fi
done
left=$(find "$TMP/out-bad" -name '*.pdf' 2>/dev/null | wc -l)
check_eq "series length mismatch: no PDF written" 0 "$left"

# more bad options, one county each: the message names the block and the problem
bad_option() { # WHAT LUA EXPECTED
    printf 'doc:title("x")\n%s\n' "$2" >"$TMP/bad2.lua"
    cb render --report "$TMP/bad2.lua" --out "$TMP/out-bad2" --county 500233
    local lines
    lines=$(error_lines)
    if [[ $RC -eq 1 ]] && grep -qF "$TMP/bad2.lua:2: $3" <<<"$lines"; then ok "$1: exit 1, '$3'"; else
        not_ok "$1: exit 1 naming bad2.lua:2: $3" "exit $RC: $lines"; fi
}
bad_option "negative pie slice" 'doc:add("chart.pie", { slices = { { label = "甲", value = -1 } } })' \
    "chart.pie: slice 1 (甲) has a negative value (-1)"
bad_option "unknown option" 'doc:add("chart.stacked", { categories = {}, series = {}, colour = "red" })' \
    "chart.stacked: unknown option 'colour'"
bad_option "value of the wrong type" 'doc:add("chart.line", { x = { "a" }, series = { { name = "甲", values = { "1" } } } })' \
    "chart.line: series 1 (甲) 'values': value 1 must be a number"
bad_option "sparkline without label" 'doc:add("chart.sparkline", { value = "1", values = {} })' \
    "chart.sparkline: 'label' is required"
bad_option "height out of range" 'doc:add("chart.pie", { slices = {}, height = 5 })' \
    "chart.pie: 'height' must be from"
bad_option "nice_ticks steps" 'require("charts").nice_ticks(10, 0)' \
    "bad argument #2 to 'nice_ticks'"

# --- the default briefing needs the plugin ------------------------------------------------
EMPTY=$TMP/no-plugins
mkdir -p "$EMPTY"
RC=0
COUNTYBRIEF_PLUGIN_DIR=$EMPTY "$CB" render --out "$TMP/out-noplugin" >"$TMP/stdout" 2>"$TMP/stderr" || RC=$?
check_eq "briefing without the charts plugin: exit 1" 1 "$RC"
lines=$(error_lines)
for county in "500233 忠县" "500236 奉节县"; do
    if grep -E "^countybrief: $county: scripts/briefing\.lua:[0-9]+: " <<<"$lines" | grep -qF "no block type 'chart.pie'"; then
        ok "briefing without the plugin: $county fails naming scripts/briefing.lua:LINE and chart.pie"
    else
        not_ok "briefing without the plugin: $county fails naming scripts/briefing.lua:LINE and chart.pie" "$lines"
    fi
done
left=$(find "$TMP/out-noplugin" -name '*.pdf' 2>/dev/null | wc -l)
check_eq "briefing without the plugin: no PDF written" 0 "$left"

# --- with the plugin the briefing renders, with its donut ---------------------------------
cb render --quiet --out "$TMP/brief"
check_eq "briefing with the plugin: exit 0" 0 "$RC"
for pair in "500233-忠县 4.05亿元 忠文化展览馆" "500236-奉节县 4.29亿元 草堂社会福利院"; do
    read -r name total project <<<"$pair"
    pdf=$TMP/brief/$name.pdf
    txt=$(flat "$pdf" 2>/dev/null || true)
    missing=""
    for s in "${name#*-}" "$total" 援助资金投向 各期援助资金与单项投入 列明合计 "$project"; do
        [[ $txt == *"$s"* ]] || missing+="'$s' "
    done
    check_eq "$name: the briefing reads ${name#*-}, $total and its funding donut" "" "$missing"
    pages=$(pdf_pages "$pdf")
    if [[ $pages =~ ^[0-9]+$ ]] && ((pages >= 1 && pages <= 3)); then ok "$name: $pages pages (at most 3)"; else
        not_ok "$name: at most 3 pages" "pages: '$pages'"; fi
done
# the "其中" allocation is named in its period's slice, not counted twice
txt=$(flat "$TMP/brief/500233-忠县.pdf" 2>/dev/null || true)
if [[ $txt == *"（其中民生项目500多万元）"* && $txt == *"2400万元"* && $txt == *"75%"* ]]; then
    ok "忠县: the donut totals 2400万元, the 2020 slice is 75% and names 其中民生项目500多万元"
else
    not_ok "忠县: the donut totals 2400万元 with the 其中 row inside the 2020 slice" "$txt"
fi

# --- labels in the report's language: the legend's merged tail, a chart without data ------
LABELS=$TMP/labels.lua
cat >"$LABELS" <<'EOF'
local slices = {}
for i = 1, 30 do slices[i] = { label = "Item " .. i, value = 31 - i } end
doc:add("chart.pie", { title = "Many slices", slices = slices, height = 120, other_label = "All the rest" })
doc:add("chart.line", { title = "Nothing yet", x = { "2020", "2021" }, series = { { name = "a", values = { false, false } } },
                        empty_label = "No data yet" })
doc:add("chart.pie", { title = "Default", slices = slices, height = 120 })
EOF
cb render --report "$LABELS" --county 忠县 --out "$TMP/labels" --quiet --no-fsync
check_eq "other_label / empty_label: exit 0" 0 "$RC"
txt=$(pdftext "$TMP/labels/500233-忠县.pdf" - 2>/dev/null || true)
if [[ $txt == *"All the rest"* ]]; then ok "chart.pie: other_label names the merged tail"; else not_ok "chart.pie: other_label names the merged tail" "$txt"; fi
if [[ $txt == *"No data yet"* ]]; then ok "chart.line: empty_label replaces 暂无数据"; else not_ok "chart.line: empty_label replaces 暂无数据" "$txt"; fi
if [[ $txt == *"其他"* ]]; then ok "chart.pie: the merged tail is 其他 by default"; else not_ok "chart.pie: the merged tail is 其他 by default" "$txt"; fi

# --- a document in English: the charts' own words follow it (cb_theme.lang) ----------------
EN=$TMP/en_words.lua
cat >"$EN" <<'EOF'
report { languages = { "zh", "en" } }
local slices = {}
for i = 1, 30 do slices[i] = { label = "Item " .. i, value = 31 - i } end
doc:add("chart.pie", { title = "Many slices", slices = slices, height = 120, donut = true })
doc:add("chart.line", { title = "Nothing yet", x = { "2020", "2021" }, series = { { name = "a", values = { false, false } } } })
doc:add("chart.stacked", { title = "Trained", unit = "people", categories = { "2020", "2021" },
                           series = { { name = "a", values = { 3, 4 } } } })
EOF
cb render --report "$EN" --county 忠县 --lang en --out "$TMP/en_words" --quiet --no-fsync
check_eq "--lang en chart words: exit 0" 0 "$RC"
txt=$(pdftext "$TMP/en_words/500233-忠县.en.pdf" - 2>/dev/null || true)
missing=""
for w in Other Total "No data" "Unit: people"; do [[ $txt == *"$w"* ]] || missing+="'$w' "; done
check_eq "--lang en: the charts say Other, Total, No data and Unit: by themselves" "" "$missing"
for w in 其他 合计 暂无数据 单位; do [[ $txt != *"$w"* ]] || missing+="'$w' "; done
check_eq "--lang en: and none of their Chinese words" "" "$missing"

finish
