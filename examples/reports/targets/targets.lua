-- targets.lua: the 十四五 targets of each county and how far the data says they have got.
-- One page per county: key figures, a progress bar per target (target value, progress,
-- what is left, pace against the plan period), an assessment and the sources.
-- A county without targets gets a short page that says so.
--
--   countybrief render --report examples/reports/targets/targets.lua --out /tmp/targets
--
-- The calculations and wording are in assess.lua (this folder); common.period and
-- common.join come from scripts/metrics/common.lua.
local assess = require "assess"
local common = require "metrics.common"

local PLAN = "十四五"

-- this plan's targets; rows of other plans are counted for a note
local targets, other = {}, 0
for _, t in ipairs(data.targets) do
  if t.plan == PLAN then targets[#targets + 1] = t else other = other + 1 end
end

local partners = {}
for _, p in ipairs(data.partners) do partners[#partners + 1] = p.partner end

local title = county.name .. "“" .. PLAN .. "”目标进展"
local sub = { county.province or "" }
if #partners > 0 then sub[#sub + 1] = "对口支援方：" .. table.concat(partners, "、") end
doc:info { title = title, subject = county.name .. "“" .. PLAN .. "”对口支援目标与进展", author = "countybrief" }
doc:title(title, table.concat(sub, "  ·  "))

-- a county without targets: one short page ---------------------------------------------
if #targets == 0 then
  doc:paragraph(string.format("数据中没有%s的“%s”目标，因此本报告没有目标进展可以列出。", county.name, PLAN))
  local notes = { "目标来自数据的 targets 表；该表中没有本县“" .. PLAN .. "”规划期的行。" }
  if other > 0 then notes[#notes + 1] = string.format("该表中有本县其他规划期的目标%d项，不在本报告范围内。", other) end
  doc:notes { title = "说明", items = notes }
  return
end

-- the figures ---------------------------------------------------------------------------
local results = {}
for i, t in ipairs(targets) do results[i] = assess.target(t, PLAN) end

local reported, on_pace = 0, 0
for _, r in ipairs(results) do
  if r.done then reported = reported + 1 end
  if r.pace == "done" or r.pace == "ahead" or r.pace == "on_track" then on_pace = on_pace + 1 end
end
local boxes = {
  { value = fmt.count(#targets, "项"), label = "“" .. PLAN .. "”目标" },
  { value = fmt.count(reported, "项"), label = "有进展数字" },
}
if reported > 0 then
  boxes[#boxes + 1] = { value = fmt.count(on_pace, "项"), label = "已完成或达到时间进度" }
end
doc:kpis(boxes)

-- a bar per target ----------------------------------------------------------------------
doc:heading("目标与进展")
local items = {}
for i, t in ipairs(targets) do
  local r = results[i]
  local detail = r.detail
  local ref = assess.reference(t, data.indicators, PLAN)
  if ref then detail = detail .. ref end
  items[i] = { label = r.label, value = "目标 " .. r.goal, fraction = r.fraction, detail = detail }
end
doc:progress(items)

-- the assessment ------------------------------------------------------------------------
doc:heading("评估")
doc:paragraph(assess.summary(county.name, PLAN, results))

-- sources -------------------------------------------------------------------------------
local seen, sources = {}, {}
for _, t in ipairs(targets) do
  if t.source and not seen[t.source] then
    seen[t.source] = true
    sources[#sources + 1] = t.source
  end
end
local notes = {}
if #sources > 0 then notes[#notes + 1] = "资料来源：" .. table.concat(sources, "；") .. "。" end
notes[#notes + 1] = string.format("时间进度按“%s”规划期%d—%d年计；完成度为进展数字除以目标值。",
  PLAN, assess.PLANS[PLAN][1], assess.PLANS[PLAN][2])
if other > 0 then notes[#notes + 1] = string.format("另有其他规划期的目标%d项，不在本报告范围内。", other) end
doc:notes { title = "说明", items = notes }
