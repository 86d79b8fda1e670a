-- peer_briefing: the peer benchmark's county briefing (shared/bench-peers, harubrief.c), drawn
-- with countybrief's report API from the peers' synthetic data (gen_data.py), converted by
-- bench/peers.sh: counties.csv `id` renamed to `county_id`, a schema.csv that keeps the KPI
-- figures as text so they print exactly as the peers print them ("6.80", "12.0").
--
-- Page 1: title + subtitle, 6 KPI boxes (value with unit, label), a chart of the 6 categories
-- (horizontal bars here; the peers draw vertical ones), the 12-row project table (amounts with
-- thousands separators). Page 2: heading + the ~910-character narrative in 4 paragraphs.
-- Footer 第 X 页 / 共 Y 页 comes from the template.
--
--   countybrief render --data $W/cbdata --report bench/peer_briefing.lua --template bench/peer_template

local CATS = { "基础设施", "教育培训", "医疗卫生", "产业发展", "农业农村", "文化旅游" }
local KPI = {
  { key = "fund_yi", unit = "亿元", label = "援助资金" },
  { key = "projects", unit = "个", label = "援建项目" },
  { key = "trained", unit = "人次", label = "培训干部人才" },
  { key = "jobs", unit = "人", label = "带动就业" },
  { key = "firms", unit = "家", label = "引进企业" },
  { key = "benef_wan", unit = "万人", label = "受益群众" },
}

local title = county.name .. "对口援助工作简报"
doc:info { title = title }
doc:title(title, string.format("%s · 2024年度 · 第 %s 期", county.province or "", county.id))

-- KPI boxes: the figure exactly as in the data (text columns), then the unit
local boxes = {}
for i, k in ipairs(KPI) do
  boxes[i] = { value = tostring(county[k.key] or "—") .. k.unit, label = k.label }
end
doc:kpis(boxes)

-- bar chart of the 6 categories (万元)
local bars = {}
for i, cat in ipairs(CATS) do
  local v = county["bar" .. i] or 0
  bars[i] = { label = cat, value = v, text = string.format("%d", v) }
end
doc:barchart { title = "分类投入（万元）", unit = "万元", bars = bars }

-- the 12 projects
local rows = {}
for _, p in ipairs(data.projects) do
  rows[#rows + 1] = {
    p.seq or "", p.name or "", p.category or "",
    p.amount_wan and fmt.thousands(p.amount_wan) or "—", p.year or "",
  }
end
doc:heading("重点项目")
doc:table {
  columns = {
    { title = "序号", width = 32, align = "center" },
    { title = "项目名称", width = 245 },
    { title = "类别", width = 78 },
    { title = "金额（万元）", width = 85, align = "right" },
    { title = "年度", width = 55, align = "center" },
  },
  rows = rows,
}

-- page 2: the narrative, paragraphs joined by '|'
doc:heading("工作进展与成效")
for para in string.gmatch(county.summary or "", "[^|]+") do doc:paragraph(para) end
