-- briefing: the county briefing. One to three pages per county: title, key figures,
-- summary, funding chart, projects, training, industry and partnership, 十四五 targets,
-- sources. Every part is left out when the county's data lacks it. In Chinese, or in
-- English with --lang en (words in metrics/i18n.lua); shorter on a condensed template
-- (onepager), so that it fits one page.
report { languages = { "zh", "en" } }
needs { -- checked before any county runs; every table may be absent (its part is left out)
  indicators = optional { indicator = "text", value = "number" },
  partners = optional { partner = "text" },
  allocations = optional { amount = "number", purpose = "text" },
  projects = optional { project = "text", amount = "number" },
  training = optional { people = "number" },
  towns = optional { town = "text" },
  targets = optional { target_value = "number" },
  translations = optional { zh = "text", en = "text" }, -- English names, for --lang en
  bulletin = optional { number = "number", copies = "number" }, -- a 简报's masthead and distribution
}
local common = require "metrics.common"
local kpis = require "metrics.kpis"
local funding = require "metrics.funding"
local summary = require "metrics.summary"
local i18n = require "metrics.i18n"
local bulletin = require "metrics.bulletin"
local parts = require "metrics.parts"

local T, en = i18n.t, i18n.english
local condensed = template and template.condensed
local name = i18n.name(county, "name")
local partners = data.partners
local indicators = data.indicators
local ind = common.index(indicators, "indicator")
-- which amounts are parts of others (an error naming the table and row when part_of is wrong)
local links = parts.link(data)

local partner_names = {}
for _, p in ipairs(partners) do partner_names[#partner_names + 1] = i18n.name(p, "partner") end

-- under a masthead (jianbao) the title says what the issue reports, not the 简报's name again
local title = string.format(template and template.masthead and T.title_issue or T.title, name)
doc:info {
  title = title,
  subject = string.format(T.subject, name, i18n.name(county, "province") or ""),
  author = "countybrief",
  keywords = table.concat({ T.keywords, name, i18n.name(county, "province") or "",
                            table.concat(partner_names, " ") }, " "),
}

-- masthead (a template with one, jianbao): the county's issue, if bulletin has it --------
local issue = template and template.masthead and bulletin.row(data.bulletin, county.id)
if issue then bulletin.masthead(doc, issue) end

-- title block ------------------------------------------------------------------------
local sub = { i18n.name(county, "province") or "" }
if #partner_names > 0 then
  sub[#sub + 1] = T.partners .. (en and common.join(partner_names) or table.concat(partner_names, "、"))
end
if county.pair_since then sub[#sub + 1] = string.format(T.since, county.pair_since) end
if county.years_paired then sub[#sub + 1] = string.format(T.years, county.years_paired) end
doc:title(title, table.concat(sub, "  ·  "))

-- key figures ------------------------------------------------------------------------
local items = kpis.items(indicators, 6)
if #items > 0 then doc:kpis(items) end

-- summary ----------------------------------------------------------------------------
doc:heading(T.overview)
-- condensed: only the overview; the funding chart and the training table show the rest
local paragraphs = summary.paragraphs(county, data, { money = not condensed, training = not condensed, links = links })
for _, p in ipairs(paragraphs) do
  doc:paragraph(p)
end

-- funding ----------------------------------------------------------------------------
-- the donut's centre in English: "CNY 24 million", on a condensed template (or when
-- short is true) "CNY 24m"; v a number, or the text of one
local function compact_cny(v, short)
  local s = type(v) == "number" and fmt.yuan(v) or v
  return (condensed or short) and s:gsub(" million$", "m"):gsub(" billion$", "bn"):gsub(" trillion$", "tn") or s
end

-- A donut (block chart.pie of the charts plugin: the briefing needs it) of each period's
-- allocation and each project with an amount, with amount and share beside it. A row
-- that is part of another (part_of, metrics/parts.lua) is named in its whole's label as
-- 其中 rather than counted twice: the slices are disjoint, their sum is a 合计.
local function funding_slices(allocations, projects)
  local slices = {}
  local function add(r, label, text)
    -- the parts inside r: two named (the legend has two lines a row), then how many more
    local within, all = {}, parts.within(links, r, "amount")
    for i, p in ipairs(all) do
      if i > 2 then
        within[#within] = within[#within] .. string.format(T.parts_more, #all)
        break
      end
      local amount = common.money(p.amount, p.qualifier)
      within[#within + 1] = en and (compact_cny(amount, true) .. " for " .. i18n.term(parts.label(links, p)))
                              or (parts.label(links, p) .. amount)
    end
    if #within > 0 then label = label .. string.format(T.of_which, table.concat(within, T.list_sep)) end
    slices[#slices + 1] = { label = label, value = r.amount, text = text }
  end
  for _, a in ipairs(parts.counted(links, allocations, "amount")) do
    add(a, i18n.cap(common.period(a.period)) .. (en and ": " or " ") .. i18n.term(a.purpose or ""),
        common.money(a.amount, a.qualifier))
  end
  for _, p in ipairs(parts.counted(links, projects, "amount")) do add(p, p.project, fmt.yuan(p.amount)) end
  -- stable order: by amount, then by label
  table.sort(slices, function(x, y)
    if x.value ~= y.value then return x.value > y.value end
    return x.label < y.label
  end)
  return slices
end

-- The donut's height: room for a legend row per slice (two lines for a long label) in
-- the template's type, so that no slice is merged into 其他; at least the default's size
-- (130 pt at 8.5 pt small type), less on a condensed template (at most 150 pt there, the
-- chart merging the smallest slices into 其他: the onepager keeps to one page).
local function pie_height(slices)
  local ty = template and template.type or { body = 10.5, small = 8.5 }
  local k, rows = ty.small / 8.5, 0
  local room = (template and template.width or 487) * 0.45 -- the legend's label column, about
  for _, sl in ipairs(slices) do -- a long label (English, or naming its parts) takes up to 3 lines
    local wide = select(2, sl.label:gsub("[\224-\244]", "")) -- a CJK character: about 1 em
    local width = (wide + (#sl.label - 3 * wide) * 0.55) * ty.small
    rows = rows + 1 + 0.6 * math.min(2, math.floor(width / room))
  end
  local need = ty.body * 1.9 + 16 + rows * 2.3 * ty.small
  if condensed then return math.min(150, math.max(80, need)) end
  return math.min(300, math.max(need, 130 * k, (36 + 24 * #slices) * k))
end

local slices = funding_slices(data.allocations, data.projects)
if #slices > 0 then
  doc:heading(T.funding)
  local total = 0
  for _, sl in ipairs(slices) do total = total + sl.value end
  doc:add("chart.pie", {
    title = not condensed and T.funding_chart or nil, -- condensed: the heading says it
    slices = slices, donut = true, money = not en or nil,
    total_label = T.funding_total, other_label = T.funding_other,
    center = en and compact_cny(total) or nil,
    height = pie_height(slices),
  })
end

-- projects ---------------------------------------------------------------------------
-- a briefing stays short: at most MAX_PROJECTS rows, those with amounts first (on a
-- condensed template fewer, without the notes column)
local MAX_PROJECTS = condensed and 7 or 20
-- the notes columns (projects, towns) hold the article's Chinese prose: in English too (as
-- written; the sources note says so), not on a condensed template
local with_notes = not condensed
-- the line under a table that lists `shown` of `total` rows: how many more the data has
local function more_rows(shown, total, zh_unit, en_one, en_many)
  local more = total - shown
  doc:paragraph(string.format(T.more_projects,
    en and fmt.count(more, more == 1 and en_one .. " is" or en_many .. " are") or fmt.count(more, zh_unit),
    en and fmt.count(total, (en_many:gsub("^more ", ""))) or fmt.count(total, zh_unit)))
end
local projects = funding.notable_projects(data.projects)
if #projects > 0 then
  doc:heading(T.projects)
  local rows = {}
  for i, p in ipairs(projects) do
    if i > MAX_PROJECTS then break end
    rows[#rows + 1] = {
      p.project, i18n.partners(p.partner) or "—", i18n.Term(p.area) or "",
      p.amount and fmt.yuan(p.amount) or "—",
      p.year and tostring(p.year) or "—",
      with_notes and (p.outcome or "") or nil,
    }
  end
  local c = T.project_cols
  local columns = { -- English words are longer, Chinese project names too
    { title = c[1], width = en and (with_notes and 1.9 or 2.25) or 2.3 },
    { title = c[2], width = en and (with_notes and 1.4 or 1.75) or 1.65 },
    { title = c[3], width = en and (with_notes and 1.85 or 1.35) or 1.0 }, -- "Infrastructure"
    { title = c[4], width = en and (with_notes and 1.25 or 1.35) or 1.1, align = "right" },
    { title = c[5], width = en and (with_notes and 0.85 or 0.6) or 0.75, align = "center" },
  }
  if with_notes then columns[6] = { title = c[6], width = en and 3.2 or 3.3 } end
  doc:table { columns = columns, rows = rows }
  if #projects > MAX_PROJECTS then more_rows(MAX_PROJECTS, #projects, "个项目", "more project", "more projects") end
end

-- training ---------------------------------------------------------------------------
local training = data.training
-- a condensed template's page holds a few rows of them too, as of projects (not parting
-- a programme from its 其中 rows): the onepager's one page is the report's to keep
local max_training = #training
if condensed and max_training > 6 then
  max_training = 6
  while max_training > 1 and links.whole[training[max_training + 1]] do max_training = max_training - 1 end
end
if #training > 0 then
  doc:heading(T.training)
  local rows = {}
  for i, t in ipairs(training) do
    if i > max_training then break end
    -- a part (part_of) reads as one: "其中：…", in English "of which: …"
    local program = t.program
    if program and links.whole[t] and parts.label(links, t) == program then program = "其中：" .. program end
    if en and program and links.whole[t] then program = "of which: " .. parts.label(links, t) end
    rows[#rows + 1] = {
      i18n.cap(common.period(t.period)), program, i18n.Term(t.kind) or "",
      t.people and (en and fmt.count(t.people, nil, t.qualifier) or fmt.count(t.people, "人次", t.qualifier)) or "—",
      t.sessions and tostring(t.sessions) or "—",
      t.hours and tostring(t.hours) or "—",
    }
  end
  local c = T.training_cols
  doc:table {
    columns = {
      { title = c[1], width = en and 1.15 or 0.9, align = "center" },
      { title = c[2], width = en and 2.35 or 3.0 },
      { title = c[3], width = en and 1.6 or 1.4 },
      { title = c[4], width = en and 1.3 or 1.2, align = "right" },
      { title = c[5], width = en and 1.05 or 0.7, align = "right" },
      { title = c[6], width = en and 0.9 or 0.7, align = "right" },
    },
    rows = rows,
  }
  if #training > max_training then more_rows(max_training, #training, "行", "more row", "more rows") end
end

-- industry and partnership -----------------------------------------------------------
local towns = data.towns
local extra = {}
for _, key in ipairs { "investment_projects", "investment_agreed", "consumption_sales",
                       "consumption_volume", "ecommerce_sales", "enterprises_visited",
                       "yew_area", "yew_jobs" } do
  local row = ind[key]
  if row then
    local label = en and (i18n.indicator[key] or key) or row.label
    local period = row.period and common.period(row.period)
    if en then label = period and (label .. " (" .. period .. ")") or label
    else label = period and (period .. " " .. label) or label end
    extra[#extra + 1] = { label, common.figure(row) }
  end
end
if #towns > 0 or #extra > 0 then
  doc:heading(T.industry)
  if #extra > 0 then
    local c = T.industry_cols
    local columns = { { title = c[1], width = 3 }, { title = c[2], width = 1.4, align = "right" } }
    if condensed and #extra > 2 then -- two figures a row: half the height
      local half, rows = math.ceil(#extra / 2), {}
      for i = 1, half do
        local right = extra[i + half] or { "", "" }
        rows[i] = { extra[i][1], extra[i][2], right[1], right[2] }
      end
      columns[3], columns[4] = columns[1], columns[2]
      extra = rows
    end
    doc:table { columns = columns, rows = extra }
  end
  if #towns > 0 then
    local rows = {}
    for _, t in ipairs(towns) do
      local scale = {}
      if en then
        if t.villages then scale[#scale + 1] = fmt.count(t.villages, t.villages == 1 and "village" or "villages") end
        if t.area_mu then scale[#scale + 1] = fmt.count(t.area_mu, "mu") end
        if t.annual_output then scale[#scale + 1] = "output " .. fmt.yuan(t.annual_output) .. " a year" end
        if t.visitors then scale[#scale + 1] = fmt.count(t.visitors, "visitors") end
        if t.income_per_capita then scale[#scale + 1] = "income up " .. fmt.yuan(t.income_per_capita) .. " a head" end
      else
        if t.villages then scale[#scale + 1] = fmt.count(t.villages, "个村") end
        if t.area_mu then scale[#scale + 1] = fmt.count(t.area_mu, "亩") end
        if t.annual_output then scale[#scale + 1] = "年产值" .. fmt.yuan(t.annual_output) end
        if t.visitors then scale[#scale + 1] = "游客" .. fmt.count(t.visitors, "人") end
        if t.income_per_capita then scale[#scale + 1] = "人均增收" .. fmt.yuan(t.income_per_capita) end
      end
      rows[#rows + 1] = { t.town, t.township or "", i18n.Term(t.industry) or "",
                          table.concat(scale, en and ", " or "，"), with_notes and (t.note or "") or nil }
    end
    local c = T.town_cols
    local columns = {
      { title = c[1], width = 1.1 }, { title = c[2], width = en and 1.15 or 0.9 }, { title = c[3], width = 1.3 },
      { title = c[4], width = 2.2 },
    }
    if with_notes then columns[5] = { title = c[5], width = 3.2 } end
    -- condensed: the table's first header names it, without a heading of its own
    if condensed then columns[1].title = T.towns else doc:heading(T.towns, 2) end
    doc:table { columns = columns, rows = rows }
  end
end

-- targets ----------------------------------------------------------------------------
local targets = data.targets
if #targets > 0 then
  doc:heading(T.targets)
  local items = {}
  for _, t in ipairs(targets) do
    local unit = common.unit(t.unit)
    local goal = t.unit == "元" and fmt.yuan(t.target_value) or fmt.count(t.target_value, unit)
    local more = (t.comparison == ">=" or t.comparison == "≥") and T.at_least or ""
    local label = en and ((i18n.indicator[t.indicator] or t.target) .. " (" .. i18n.term(t.plan or "") .. ")")
                  or ((t.plan or "") .. " " .. t.target)
    local item = { label = label, value = string.format(T.target_goal, goal, more) }
    if t.progress_value then
      item.fraction = t.progress_value / t.target_value
      local done = t.unit == "元" and fmt.yuan(t.progress_value) or fmt.count(t.progress_value, unit)
      item.detail = string.format(T.target_done, common.by(t.progress_period), done, fmt.percent(item.fraction))
    else
      item.detail = T.target_none
    end
    items[#items + 1] = item
  end
  if condensed then -- a row per target instead of a bar
    local rows = {}
    for i, it in ipairs(items) do
      rows[i] = { it.label, it.value, it.fraction and fmt.percent(it.fraction) or "—", it.detail }
    end
    local c = T.target_cols
    doc:table {
      columns = { { title = c[1], width = en and 2.4 or 2.2 }, { title = c[2], width = en and 2.2 or 1.6, align = "right" },
                  { title = c[3], width = 0.7, align = "right" }, { title = c[4], width = en and 3.1 or 3.6 } },
      rows = rows,
    }
  else
    doc:progress(items)
  end
end

-- sources ----------------------------------------------------------------------------
local seen, sources = {}, {}
for _, tname in ipairs { "counties", "partners", "indicators", "allocations", "projects",
                         "training", "towns", "works", "targets", "bulletin" } do
  local rows = tname == "counties" and { county } or tname == "bulletin" and { issue or nil } or data[tname]
  for _, r in ipairs(rows) do
    if r.source and not seen[r.source] then
      seen[r.source] = true
      sources[#sources + 1] = r.source
    end
  end
end
-- condensed: "奉节篇·开篇；奉节篇·开篇数据" as "奉节篇：开篇；开篇数据"
local function grouped(list)
  local out, prefix = {}, nil
  for _, src in ipairs(list) do
    local p, rest = src:match("^(.-)·(.+)$")
    if p and p == prefix then out[#out + 1] = rest
    elseif p then out[#out + 1] = p .. (en and ": " or "：") .. rest; prefix = p
    else out[#out + 1] = src; prefix = nil end
  end
  return out
end
if #sources > 0 then
  if condensed then sources = grouped(sources) end
  local title = en and i18n.has_english_names and T.sources_names or T.sources
  -- in English: the Chinese left in the document (names, notes, kinds the glossary lacks);
  -- condensed, in a shorter title (the page has no line to spare)
  local items = { table.concat(sources, T.source_sep), T.chinese_note }
  if condensed and en then
    title, items[2] = i18n.has_english_names and T.sources_names_short or T.sources_short, nil
  end
  doc:notes { title = title, items = items }
elseif en then
  doc:notes { title = T.note, items = { T.chinese_note } }
end
if issue then bulletin.distribution(doc, issue) end
