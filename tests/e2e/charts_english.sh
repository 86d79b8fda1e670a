#!/usr/bin/env bash
# charts_english.sh: the charts plugin's figures in the document's language (plugins/charts/
# axis.c, through the host's format_money and format_quantity). A report in Chinese and
# English with money charts (chart.line, chart.stacked with totals, chart.pie) and a chart
# with a unit of its own: under --lang en the value axis is in CNY, CNY million, billion or
# trillion as the English briefing writes amounts ("Unit: CNY million", ticks 0, 20, 40,
# 60), tick labels carry thousands separators ("2,000"), totals and the pie's amounts read
# "CNY 58 million", a total with a unit of its own "3,800 people"; no 元, 万 or 亿 is left on the page. In Chinese the same charts are as
# before (单位：万元, ticks 0 2000 4000 6000, 5800万元).
set -euo pipefail
source "$(dirname "$0")/lib/common.bash"

unset COUNTYBRIEF_PLUGIN_DIR COUNTYBRIEF_PLUGIN_PATH
PLUGIN=$CB_BUILD/plugins/charts.so
if [[ ! -f $PLUGIN ]]; then
    not_ok "the charts plugin is built ($PLUGIN)"
    finish || exit 1
fi
cd "$TMP"

cat >r.lua <<'EOF'
report { languages = { "zh", "en" } }
local en = lang == "en"
doc:title(en and "Charts" or "图表")
doc:add("chart.line", { title = en and "Funds by year" or "历年援助资金", money = true,
  x = { "2016", "2017", "2018", "2019" },
  series = { { name = en and "Grants" or "无偿援助", values = { 2.1e7, 2.5e7, 3.0e7, 5.8e7 } } } })
doc:add("chart.stacked", { title = en and "Funds by county" or "各县资金", money = true, totals = true,
  categories = { "A", "B" },
  series = { { name = en and "Grants" or "无偿", values = { 3.2e7, 1.0e7 } },
             { name = en and "Loans" or "贷款", values = { 2.6e7, 0.5e7 } } } })
doc:add("chart.pie", { title = en and "By sector" or "构成", money = true,
  slices = { { label = en and "Health" or "卫生", value = 5.8e7 }, { label = en and "Schools" or "教育", value = 1.5e7 } } })
doc:add("chart.line", { title = en and "Trainees" or "培训人数", unit = en and "people" or "人",
  x = { "2018", "2019", "2020" }, series = { { name = en and "Trainees" or "人数", values = { 1200, 2600, 5400 } } } })
doc:add("chart.stacked", { title = en and "Trainees by county" or "各县培训", unit = en and "people" or "人", totals = true,
  categories = { "A", "B" },
  series = { { name = en and "Men" or "男", values = { 1200, 700 } }, { name = en and "Women" or "女", values = { 2600, 900 } } } })
doc:add("chart.line", { title = en and "Big funds" or "大额资金", money = true,
  x = { "2019", "2020" }, series = { { name = en and "Funds" or "资金", values = { 6.5e8, 1.2e9 } } } })
EOF

for lang in zh en; do
    cb render --plugin "$PLUGIN" --report r.lua --county 500233 --lang $lang --out out --quiet --no-fsync
    check_eq "$lang: renders (exit 0, no message)" "0|" "$RC|$(cat "$TMP/stderr")"
done
EN=$(ls out/*.en.pdf 2>/dev/null | head -1 || true)
ZH=$(ls out/*.pdf 2>/dev/null | grep -v '\.en\.pdf$' | head -1 || true)
pdftotext -layout "$EN" en.txt 2>/dev/null || true
pdftotext -layout "$ZH" zh.txt 2>/dev/null || true
words() { tr -s ' ' '\n' <"$1" | grep -v '^$'; }

check "en: the money axes' unit is CNY million (Unit: CNY million)" grep -q 'Unit: CNY million' en.txt
check "en: ... and CNY billion where the values reach a billion (Unit: CNY billion)" grep -q 'Unit: CNY billion' en.txt
check "en: the unit chart's axis keeps its unit (Unit: people)" grep -q 'Unit: people' en.txt
check "en: tick labels in English figures (6,000 on the trainees' axis)" grep -qx '6,000' <(words en.txt)
check "en: money ticks in CNY million (60 on the funds' axis)" grep -qx '60' <(words en.txt)
check "en: totals and the pie's amounts as English amounts (CNY 58 million)" grep -q 'CNY 58 million' en.txt
check "en: a total with a unit of its own in English figures (3,800 people)" grep -q '3,800 people' en.txt
check "zh: ... as before in Chinese (3800人)" grep -q '3800人' zh.txt
check_eq "en: no 元, 万 or 亿 anywhere on the page" "" "$(grep -o '[元万亿]' en.txt | sort -u | paste -sd' ')"
check "zh: the money axis in 万元 (单位：万元)" grep -q '单位：万元' zh.txt
check "zh: ... its ticks in 万元 (6000)" grep -qx '6000' <(words zh.txt)
check "zh: the pie's amounts as fmt.yuan writes them (5800万元)" grep -q '5800万元' zh.txt
check "zh: 亿元 where the values reach 1亿 (单位：亿元)" grep -q '单位：亿元' zh.txt

finish
