-- briefing: the county briefing. One to three pages per county: title, key figures,
-- summary, funding chart, projects, training, industry and partnership, 十四五 targets,
-- sources. Every part is left out when the county's data lacks it.
needs { -- checked before any county runs; every table may be absent (its part is left out)
  indicators = optional { indicator = "text", value = "number" },
  partners = optional { partner = "text" },
  allocations = optional { amount = "number", purpose = "text" },
  projects = optional { project = "text", amount = "number" },
  training = optional { people = "number" },
  towns = optional { town = "text" },
  targets = optional { target_value = "number" },
}
local common = require "metrics.common"
local kpis = require "metrics.kpis"
local funding = require "metrics.funding"
local summary = require "metrics.summary"

local name = county.name
local partners = data.partners
local indicators = data.indicators
local ind = common.index(indicators, "indicator")

local partner_names = {}
for _, p in ipairs(partners) do partner_names[#partner_names + 1] = p.partner end

local title = name .. "对口支援工作简报"
doc:info {
  title = title,
  subject = string.format("%s（%s）对口支援资金、项目、人才培训与目标进展", name, county.province or ""),
  author = "countybrief",
  keywords = table.concat({ "对口支援", name, county.province or "", table.concat(partner_names, " ") }, " "),
}

-- title block ------------------------------------------------------------------------
local sub = { county.province or "" }
if #partner_names > 0 then sub[#sub + 1] = "对口支援方：" .. table.concat(partner_names, "、") end
if county.pair_since then sub[#sub + 1] = string.format("%d年起结对", county.pair_since) end
if county.years_paired then sub[#sub + 1] = string.format("结对%d年", county.years_paired) end
doc:title(title, table.concat(sub, "  ·  "))

-- key figures ------------------------------------------------------------------------
local items = kpis.items(indicators, 6)
if #items > 0 then doc:kpis(items) end

-- summary ----------------------------------------------------------------------------
doc:heading("概况")
for _, p in ipairs(summary.paragraphs(county, data)) do doc:paragraph(p) end

-- funding ----------------------------------------------------------------------------
-- A donut (block chart.pie of the charts plugin: the briefing needs it) of each period's
-- allocation and each project with an amount, with amount and share beside it. An
-- allocation "其中：…" is part of the one before it in the same period: it is named in
-- that slice's label rather than counted twice.
local function funding_slices(allocations, projects)
  local slices, by_period = {}, {}
  for _, a in ipairs(allocations) do
    if a.amount then
      local purpose = a.purpose or ""
      local part = purpose:match("^其中：(.*)$") or purpose:match("^其中:(.*)$")
      local amount = common.money(a.amount, a.qualifier)
      local parent = part and by_period[tostring(a.period)]
      if parent then
        parent.label = parent.label .. "（其中" .. part .. amount .. "）"
      else
        local s = { label = common.period(a.period) .. " " .. purpose, value = a.amount, text = amount }
        slices[#slices + 1] = s
        if not part then by_period[tostring(a.period)] = s end
      end
    end
  end
  for _, p in ipairs(projects) do
    if p.amount then slices[#slices + 1] = { label = p.project, value = p.amount, text = fmt.yuan(p.amount) } end
  end
  -- stable order: by amount, then by label
  table.sort(slices, function(x, y)
    if x.value ~= y.value then return x.value > y.value end
    return x.label < y.label
  end)
  return slices
end

local slices = funding_slices(data.allocations, data.projects)
if #slices > 0 then
  doc:heading("援助资金投向")
  -- compact: one legend row per slice (a long tail would be grouped as 其他)
  doc:add("chart.pie", {
    title = "各期援助资金与单项投入", slices = slices, donut = true, money = true,
    total_label = "列明合计", height = math.min(300, math.max(130, 36 + 24 * #slices)),
  })
end

-- projects ---------------------------------------------------------------------------
-- a briefing stays short: at most MAX_PROJECTS rows, those with amounts first
local MAX_PROJECTS = 20
local projects = funding.notable_projects(data.projects)
if #projects > 0 then
  doc:heading("重点援建项目")
  local rows = {}
  for i, p in ipairs(projects) do
    if i > MAX_PROJECTS then break end
    rows[#rows + 1] = {
      p.project, p.partner or "—", p.area or "",
      p.amount and fmt.yuan(p.amount) or "—",
      p.year and tostring(p.year) or "—",
      p.outcome or "",
    }
  end
  doc:table {
    columns = {
      { title = "项目", width = 2.3 },
      { title = "支援方", width = 1.65 },
      { title = "领域", width = 1.0 },
      { title = "金额", width = 1.1, align = "right" },
      { title = "年份", width = 0.75, align = "center" },
      { title = "成效与说明", width = 3.3 },
    },
    rows = rows,
  }
  if #projects > MAX_PROJECTS then
    doc:paragraph(string.format("另有%s未列入上表（数据共记录%s）。",
      fmt.count(#projects - MAX_PROJECTS, "个项目"), fmt.count(#projects, "个项目")))
  end
end

-- training ---------------------------------------------------------------------------
local training = data.training
if #training > 0 then
  doc:heading("人才培训")
  local rows = {}
  for _, t in ipairs(training) do
    rows[#rows + 1] = {
      common.period(t.period), t.program, t.kind or "",
      t.people and fmt.count(t.people, "人次", t.qualifier) or "—",
      t.sessions and tostring(t.sessions) or "—",
      t.hours and tostring(t.hours) or "—",
    }
  end
  doc:table {
    columns = {
      { title = "时期", width = 0.9, align = "center" },
      { title = "培训项目", width = 3.0 },
      { title = "类别", width = 1.4 },
      { title = "人次", width = 1.2, align = "right" },
      { title = "期/班", width = 0.7, align = "right" },
      { title = "学时", width = 0.7, align = "right" },
    },
    rows = rows,
  }
end

-- industry and partnership -----------------------------------------------------------
local towns = data.towns
local extra = {}
for _, key in ipairs { "investment_projects", "investment_agreed", "consumption_sales",
                       "consumption_volume", "ecommerce_sales", "enterprises_visited",
                       "yew_area", "yew_jobs" } do
  local row = ind[key]
  if row then
    extra[#extra + 1] = { (row.period and common.period(row.period) .. " " or "") .. row.label, common.figure(row) }
  end
end
if #towns > 0 or #extra > 0 then
  doc:heading("产业协作与消费帮扶")
  if #extra > 0 then
    doc:table {
      columns = { { title = "指标", width = 3 }, { title = "数值", width = 1.4, align = "right" } },
      rows = extra,
    }
  end
  if #towns > 0 then
    local rows = {}
    for _, t in ipairs(towns) do
      local scale = {}
      if t.villages then scale[#scale + 1] = fmt.count(t.villages, "个村") end
      if t.area_mu then scale[#scale + 1] = fmt.count(t.area_mu, "亩") end
      if t.annual_output then scale[#scale + 1] = "年产值" .. fmt.yuan(t.annual_output) end
      if t.visitors then scale[#scale + 1] = "游客" .. fmt.count(t.visitors, "人") end
      if t.income_per_capita then scale[#scale + 1] = "人均增收" .. fmt.yuan(t.income_per_capita) end
      rows[#rows + 1] = { t.town, t.township or "", t.industry or "", table.concat(scale, "，"), t.note or "" }
    end
    doc:heading("特色产业小镇", 2)
    doc:table {
      columns = {
        { title = "小镇", width = 1.1 }, { title = "乡镇", width = 0.9 }, { title = "产业", width = 1.3 },
        { title = "规模与成效", width = 2.2 }, { title = "说明", width = 3.2 },
      },
      rows = rows,
    }
  end
end

-- targets ----------------------------------------------------------------------------
local targets = data.targets
if #targets > 0 then
  doc:heading("“十四五”目标与进展")
  local items = {}
  for _, t in ipairs(targets) do
    local goal = t.unit == "元" and fmt.yuan(t.target_value) or fmt.count(t.target_value, t.unit)
    local more = (t.comparison == ">=" or t.comparison == "≥") and "以上" or ""
    local item = { label = (t.plan or "") .. " " .. t.target, value = "目标 " .. goal .. more }
    if t.progress_value then
      item.fraction = t.progress_value / t.target_value
      local done = t.unit == "元" and fmt.yuan(t.progress_value) or fmt.count(t.progress_value, t.unit)
      item.detail = string.format("截至%s已完成%s，为目标的%s。", common.period(t.progress_period),
        done, fmt.percent(item.fraction))
    else
      item.detail = "数据中尚无该目标的进展数字。"
    end
    items[#items + 1] = item
  end
  doc:progress(items)
end

-- sources ----------------------------------------------------------------------------
local seen, sources = {}, {}
for _, tname in ipairs { "counties", "partners", "indicators", "allocations", "projects",
                         "training", "towns", "works", "targets" } do
  local rows = tname == "counties" and { county } or data[tname]
  for _, r in ipairs(rows) do
    if r.source and not seen[r.source] then
      seen[r.source] = true
      sources[#sources + 1] = r.source
    end
  end
end
if #sources > 0 then
  doc:notes {
    title = "资料来源（金额原始单位为元，按数量级显示为万元、亿元）",
    items = { table.concat(sources, "；") },
  }
end
