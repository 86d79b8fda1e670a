-- compare.lua: the counties side by side. One document over all counties (scope "all"),
-- written to compare.pdf: totals, a ranking chart of the aid each county received, the
-- aid per resident where the data has populations, and a table of every county (aid,
-- projects, aid per project, people trained, population), ranked by aid.
--
--   countybrief render --report examples/reports/compare/compare.lua          # out/compare.pdf
--   countybrief render --report examples/reports/compare/compare.lua --lang en  # compare.en.pdf
--
-- The figures are worked out in figures.lua (this folder).
report { scope = "all", output = "compare", languages = { "zh", "en" } }
needs {
  indicators = { indicator = "text", value = "number" },
  training = optional { people = "number" },
}
local figures = require "figures"
local common = require "metrics.common"
local i18n = require "metrics.i18n"

local en = lang == "en"
local W = en and {
  title = "Counterpart support: the counties compared",
  subtitle = "%s · ranked by the aid received",
  counties = "counties", aid = "aid received (total)", projects = "aid projects (total)",
  trained = "person-times trained",
  ranking = "Aid received, by county",
  chart_top = "The %d counties that received the most aid",
  per_capita = "Aid per resident",
  per_capita_unit = "CNY per resident",
  table = "Every county",
  cols = { "Rank", "County", "Province", "Aid, CNY m", "Projects", "Per project, CNY m", "Trained",
           "Population", "Per resident, CNY" },
  most = "%s received the most aid (%s, %s of the total), %s the least (%s).",
  one = "The data has one county: %s, with %s in aid.",
  average = " On average a county received %s.",
  capita = "Per resident, %s received the most (%s) and %s the least (%s).",
  no_population = "The data gives no population, so this report shows no per-resident figures.",
  notes = "Notes and sources",
  summed = "Marked *: the data has no total of people trained for the county; the figure is the sum of its training rows, which may cover different periods.",
  definitions = "Aid is the indicator aid_total, projects projects_total, trained people_trained (person-times); aid per project divides the first by the second.",
  units = " Amounts in the table are in CNY m (million yuan).",
  sources = "Sources: ",
  sep = ", ", stop = ".",
} or {
  title = "对口支援各县对比",
  subtitle = "%s · 按累计援助资金排序",
  counties = "个县", aid = "援助资金合计", projects = "援建项目合计", trained = "培训人次合计",
  ranking = "各县援助资金",
  chart_top = "援助资金最多的%d个县",
  per_capita = "人均援助资金",
  per_capita_unit = "元/人",
  table = "各县数据",
  cols = { "排名", "县", "省份", "援助资金（万元）", "援建项目", "每个项目（万元）", "培训人次", "人口（万人）",
           "人均援助（元）" },
  most = "援助资金最多的是%s（%s，占合计的%s），最少的是%s（%s）。",
  one = "数据中只有一个县：%s，援助资金%s。",
  average = "平均每县%s。",
  capita = "按人口计，%s人均援助资金最多（%s），%s最少（%s）。",
  no_population = "数据中没有人口数字，因此本报告不列人均指标。",
  notes = "说明与资料来源",
  summed = "带*的培训人次：数据中没有该县的培训总数，为该县各培训行之和，各行时期可能不同。",
  definitions = "援助资金取指标 aid_total，援建项目取 projects_total，培训人次取 people_trained；每个项目的援助资金为两者之比。",
  units = "表中金额单位为万元。",
  sources = "资料来源：",
  sep = "、", stop = "。",
}

local CHART_MAX = 15 -- bars in a chart; the table lists every county

local list = figures.ranked(counties, data)
local n = #list
local name = function(f) return i18n.name(f.county, "name") end

doc:info { title = W.title, subject = W.title, author = "countybrief" }
doc:title(W.title, string.format(W.subtitle, en and (n .. " " .. W.counties) or (n .. W.counties)))

-- totals ---------------------------------------------------------------------------------
local aid_sum = figures.total(list, "aid")
local projects_sum = figures.total(list, "projects")
local trained_sum = figures.total(list, "trained")
doc:kpis {
  { value = en and fmt.count(n) or fmt.count(n, "个"), label = en and W.counties or "县（区）" },
  { value = fmt.yuan(aid_sum), label = W.aid },
  { value = en and fmt.count(projects_sum) or fmt.count(projects_sum, "个"), label = W.projects },
  { value = en and fmt.count(trained_sum) or fmt.count(trained_sum, "人次"), label = W.trained },
}

-- per resident, where the data has the population
local with_pop = {}
for _, f in ipairs(list) do
  if f.aid and f.population then
    f.per_capita = f.aid / f.population
    with_pop[#with_pop + 1] = f
  end
end
table.sort(with_pop, function(a, b)
  if a.per_capita ~= b.per_capita then return a.per_capita > b.per_capita end
  return a.county.id < b.county.id
end)

-- the summary ----------------------------------------------------------------------------
local ranked = {}
for _, f in ipairs(list) do if f.rank then ranked[#ranked + 1] = f end end
if #ranked == 1 then
  doc:paragraph(string.format(W.one, name(ranked[1]), fmt.yuan(ranked[1].aid)))
elseif #ranked > 1 then
  local top, last = ranked[1], ranked[#ranked]
  local text = string.format(W.most, name(top), fmt.yuan(top.aid), fmt.percent(top.aid / aid_sum),
    name(last), fmt.yuan(last.aid)) .. string.format(W.average, fmt.yuan(aid_sum / #ranked))
  if #with_pop > 1 then
    local hi, lo = with_pop[1], with_pop[#with_pop]
    text = text .. (en and " " or "") .. string.format(W.capita, name(hi), fmt.yuan(hi.per_capita), name(lo),
      fmt.yuan(lo.per_capita))
  end
  doc:paragraph(text)
end

-- the ranking chart ----------------------------------------------------------------------
-- bars in 万元 or 亿元 (CNY million in English) by the largest amount, the exact amount beside
local function money_bars(rows, value_of, unit_of)
  local max = 0
  for _, f in ipairs(rows) do max = math.max(max, value_of(f)) end
  local scale, unit = unit_of(max)
  local bars = {}
  for i, f in ipairs(rows) do
    if i > CHART_MAX then break end
    bars[#bars + 1] = { label = (f.rank and (f.rank .. ". ") or "") .. name(f), value = value_of(f) / scale,
                        text = fmt.yuan(value_of(f)) }
  end
  return bars, unit
end

local function aid_unit(max)
  if en then return 1e6, "CNY million" end
  if max >= 1e8 then return 1e8, "亿元" end
  return 1e4, "万元"
end

if #ranked > 0 then
  doc:heading(W.ranking)
  local bars, unit = money_bars(ranked, function(f) return f.aid end, aid_unit)
  doc:barchart { title = #ranked > CHART_MAX and string.format(W.chart_top, CHART_MAX) or nil,
                 unit = unit, bars = bars }
end

if #with_pop > 0 then
  doc:heading(W.per_capita)
  local bars = {}
  for i, f in ipairs(with_pop) do
    if i > CHART_MAX then break end
    bars[#bars + 1] = { label = name(f), value = f.per_capita, text = fmt.yuan(f.per_capita) }
  end
  doc:barchart { unit = W.per_capita_unit, bars = bars }
end

-- every county -----------------------------------------------------------------------------
-- figures in the unit its header names: 万元 (CNY m: million), 万人, 元 per resident
doc:heading(W.table)
local function money(v, q)
  local s = en and fmt.thousands(v / 1e6, 2) or fmt.thousands(v / 1e4, 2)
  if q and q ~= "" then return en and ("over " .. s) or (s .. q) end
  return s
end
local any_summed, any_pop = false, #with_pop > 0
local rows = {}
for _, f in ipairs(list) do
  local trained = "—"
  if f.trained then
    trained = fmt.count(f.trained, nil, f.trained_q)
    if f.trained_summed then trained, any_summed = trained .. "*", true end
  end
  local row = {
    f.rank and tostring(f.rank) or "—", name(f), i18n.name(f.county, "province") or "",
    f.aid and money(f.aid, f.aid_q) or "—",
    f.projects and fmt.count(f.projects, nil, f.projects_q) or "—",
    f.aid and f.projects and f.projects > 0 and money(f.aid / f.projects) or "—",
    trained,
  }
  if any_pop then
    row[8] = f.population and (en and fmt.thousands(f.population) or fmt.decimal(f.population / 1e4, 2)) or "—"
    row[9] = f.per_capita and fmt.thousands(f.per_capita) or "—"
  end
  rows[#rows + 1] = row
end
-- widths in points on an A4 page, as shares
local c, widths = W.cols, en and { 36, 55, 58, 52, 48, 52, 62, 60, 52 } or { 34, 60, 70, 60, 50, 58, 60, 50, 50 }
local columns = {}
for i = 1, any_pop and 9 or 7 do
  columns[i] = { title = c[i], width = widths[i], align = i == 1 and "center" or (i > 3 and "right" or nil) }
end
doc:table { columns = columns, rows = rows }
if not any_pop then doc:paragraph(W.no_population) end

-- notes ------------------------------------------------------------------------------------
local seen, sources = {}, {}
for _, f in ipairs(list) do
  for _, s in ipairs(f.sources) do
    if not seen[s] then seen[s], sources[#sources + 1] = true, s end
  end
end
local notes = { W.definitions .. W.units }
if any_summed then notes[#notes + 1] = W.summed end
if #sources > 0 then notes[#notes + 1] = W.sources .. table.concat(sources, W.sep) .. W.stop end
doc:notes { title = W.notes, items = notes }
