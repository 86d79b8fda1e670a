#!/usr/bin/env bash
# layout.sh: the promise of the page layout, as a reader sees it, on a purpose-built report:
#   * a long table splits across pages and every page it spans starts with its header row;
#     no row is lost, doubled, cut in two or moved out of order;
#   * a long paragraph (2,000+ Chinese characters, with ，。、（）《》 and Latin words and
#     numbers such as "GDP 增长 6.5%") flows onto the next page; none of its lines starts
#     with ，。、）》 or ends with （《, no character is lost or doubled at a break, no Latin
#     word or number is split, and no number is parted from its measure word ("1104人");
#   * the footer "第 i 页 / 共 N 页" gives the real page count on every page;
#   * every character of it leaves ink (lib/ink_check.py, also used by ink.sh).
# The text checks are in lib/layout_check.py.
set -euo pipefail
source "$(dirname "$0")/lib/common.bash"

LAYOUT=("$PY" "$E2E_LIB/layout_check.py")

# --- the report -------------------------------------------------------------------------
"${LAYOUT[@]}" paragraph-text "$TMP/para.txt"
TITLES=(序号 项目名称 所在乡镇 投资额 建设进度与说明)
NROWS=80
{
    printf 'local PARA = [==[%s]==]\n' "$(cat "$TMP/para.txt")"
    cat <<'EOF'
-- layout test: a title, a long paragraph and a table of 80 rows (some wrapping to 2-3 lines)
doc:info { title = "版式测试报告", subject = "分页与断行", author = "e2e", keywords = "layout" }
doc:title("版式测试报告", county.name .. "  ·  分页、断行与表格")
doc:heading("长段落")
doc:paragraph(PARA)
doc:heading("长表格")
local towns = { "忠州街道", "白公街道", "石宝镇", "拔山镇", "复兴镇", "新生街道" }
local notes = {
  "已开工",
  "主体工程完工，进入设备安装与调试阶段",
  "完成可研与初步设计（含环评、水保），计划年内开工；前期征地拆迁涉及农户 36 户，已全部签订协议并兑付补偿款",
}
local rows = {}
for i = 1, 80 do
  local n = string.format("%03d", i)
  rows[#rows + 1] = {
    "R" .. n,
    "第" .. i .. "号援建工程",
    towns[i % #towns + 1],
    string.format("%.1f万元", 37.5 * i),
    notes[i % #notes + 1] .. " Z" .. n,
  }
end
doc:table {
  columns = {
    { title = "序号", width = 0.8, align = "center" },
    { title = "项目名称", width = 2.0 },
    { title = "所在乡镇", width = 1.2 },
    { title = "投资额", width = 1.2, align = "right" },
    { title = "建设进度与说明", width = 4.0 },
  },
  rows = rows,
}
doc:paragraph("表格之后的一段文字。")
EOF
} >"$TMP/layout.lua"

cb render --report "$TMP/layout.lua" --county 500233 --out "$TMP/out"
check_eq "the layout report renders (exit 0)" 0 "$RC"
PDF=$TMP/out/500233-忠县.pdf
if [[ ! -f $PDF ]]; then
    not_ok "the layout report's PDF exists" "$(cat "$TMP/stderr")"
    finish || exit 1
fi
# A4 in the briefing template with the default CJK font: the title and the paragraph fill
# pages 1-2, the 80 rows pages 3-6. A layout change that moves this is one to look at (and
# then to write here); the footer check below compares each page's "共 N 页" with it.
check_eq "the layout report has 6 pages" 6 "$(pdf_pages "$PDF")"

# --- paragraph, table, footer ------------------------------------------------------------
run_checks "${LAYOUT[@]}" paragraph "$PDF" "$TMP/para.txt"
run_checks "${LAYOUT[@]}" table "$PDF" "$NROWS" "${TITLES[@]}"
run_checks "${LAYOUT[@]}" footer "$PDF"

# --- ink -------------------------------------------------------------------------------------
rc=0
"$PY" "$E2E_LIB/ink_check.py" check "$PDF" >"$TMP/ink.txt" 2>&1 || rc=$?
if [[ $rc -eq 0 ]]; then ok "no character renders blank ($(tail -n 1 "$TMP/ink.txt"))"; else
    not_ok "no character renders blank" "$(cat "$TMP/ink.txt")"; fi

finish
