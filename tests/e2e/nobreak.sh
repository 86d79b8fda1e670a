#!/usr/bin/env bash
# nobreak.sh: the no-break rules of Chinese typesetting (clreq, GB/T 15834; core/wrap.c and
# cb_lay_lines_here), read back from the PDFs with PyMuPDF (lib/nobreak.py):
#   * no number parted from its unit, measure word or percent sign ("1万 / 元", "75 / %"),
#     from 第 before it ("第 / 3页"), its sign ("－ / 3.2%") or a range dash between two
#     numbers ("2018— / 2020年", "2018 / —2020年");
#   * no paragraph or table cell (nor a line before a hard break in one) ends with one CJK
#     character alone on its last line;
#   * no heading alone at a page's foot (one under another, over a table, included);
#   * no paragraph or notes line alone at a page's foot (orphan) or top (widow).
# A report built to provoke each case (paragraphs whose breaks fall on number+unit at
# every offset, hard breaks and kana after a full line, narrow table cells, headings and
# paragraphs at every height of the page), then the two example briefings.
set -euo pipefail
source "$(dirname "$0")/lib/common.bash"

need_python fitz "PyMuPDF (python3-fitz)"

cat >"$TMP/nobreak.lua" <<'EOF'
-- no-break test: every rule's case at many offsets from the line's and the page's end
doc:title("断行与分页规则测试", county.name .. "  ·  数字与单位、孤字、标题与孤行")

local HAN = "对口支援工作持续推进产业协作不断深化民生项目加快建设群众生活明显改善"
local function han(n, from) -- n characters of HAN from character `from` on, round the string
  local t, len = {}, utf8.len(HAN)
  for k = 0, n - 1 do
    local i = (from + k) % len + 1
    t[#t + 1] = HAN:sub(utf8.offset(HAN, i), utf8.offset(HAN, i + 1) - 1)
  end
  return table.concat(t)
end

doc:heading("数字与单位")
local tokens = { "见第3页", "2018—2020年", "2018–2020年", "2018－2020年", "2018～2020年",
  "2018年—2020年", "同比下降－3.2%", "增长＋12%", "下降-3.2%", "增长+12%", "单价￥500",
  "共１２３万元", "覆盖10个村", "人均50元/人", "提高3个百分点", "培训2396人次", "种植4.1万亩",
  "占比75%", "占比75％", "为3.5‰", "人均增收1万元", "安排接收1104人" }
for p = 1, 4 do
  local parts = {}
  for i = 1, 60 do
    parts[#parts + 1] = han((i * 7 + p) % 5 + 1, i + p) .. tokens[(i + p) % #tokens + 1]
  end
  doc:paragraph(table.concat(parts, "，") .. "。")
end

doc:heading("孤字")
-- a full first line is 44 characters after the indent, the next ones 46: lengths round
-- 91 leave one character on a last line, before a hard break or at the end, Han or kana
for k = 89, 93 do
  doc:paragraph(han(k, k) .. "\n" .. han(k - 44, k + 3) .. "あ")
end
local rows = {}
for k = 1, 12 do
  rows[#rows + 1] = { tostring(k), han(k + 8, k), han(k + 14, 2 * k) .. "\n" .. han(4, k) }
end
doc:table {
  columns = { { title = "序号", width = 0.6 }, { title = "项目", width = 1.1 }, { title = "说明", width = 1.3 } },
  rows = rows,
}

-- headings and paragraphs at every height of the page: each trial starts on a new page
-- (under a bar chart that fills one), with a paragraph of k lines, then a heading over a
-- heading over a table, a paragraph of five lines, a heading over a paragraph and notes
local bars = {}
for i = 1, 29 do bars[i] = { label = "第" .. i .. "项", value = i } end
for k = 26, 36 do
  doc:barchart { bars = bars }
  doc:paragraph(han(44 + 46 * (k - 2) + 30, k))
  doc:heading("第" .. k .. "组", 1)
  doc:heading("小节" .. k, 2)
  doc:table {
    columns = { { title = "指标", width = 2 }, { title = "数值", width = 1, align = "right" } },
    rows = { { "援助资金", "1800万元" }, { "援建项目", "20个" }, { "培训人次", "2396人次" } },
  }
  doc:paragraph(han(44 + 46 * 3 + 10, k + 1))
  doc:heading("第" .. k .. "组之二", 2)
  doc:paragraph(han(44 + 46 * 2 + 10, k + 2))
  doc:notes { items = { han(150, k), han(60, k + 1) } }
end
EOF

cb render --report "$TMP/nobreak.lua" --county 500233 --out "$TMP/out" --quiet
check_eq "the no-break report renders (exit 0)" 0 "$RC"
PDF=$TMP/out/500233-忠县.pdf
if [[ ! -f $PDF ]]; then
    not_ok "the no-break report's PDF exists" "$(cat "$TMP/stderr")"
    finish || exit 1
fi
run_checks "$PY" "$E2E_LIB/nobreak.py" check "$PDF" "no-break report"

render_examples "$TMP/examples"
for pdf in "$TMP/examples"/*.pdf; do
    run_checks "$PY" "$E2E_LIB/nobreak.py" check "$pdf" "$(basename "$pdf" .pdf)"
done

finish
