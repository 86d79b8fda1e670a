-- assess.lua: the figures and the wording of the targets report, one target at a time.
-- Everything here is worked out from a row of the targets table (docs/data.md); nothing
-- is estimated. Used by targets.lua in this folder.
local common = require "metrics.common"   -- from countybrief's scripts/ folder

local M = {}

-- First and last year of each plan period.
M.PLANS = {
  ["十三五"] = { 2016, 2020 },
  ["十四五"] = { 2021, 2025 },
  ["十五五"] = { 2026, 2030 },
}

-- An amount in the target's unit: money with 亿元/万元, anything else with its measure word.
function M.amount(value, unit)
  if unit == "元" then return fmt.yuan(value) end
  return fmt.count(value, unit)
end

-- The target as a phrase: ">=" 1亿元 -> "1亿元以上", ">" -> "超过…", "<=" -> "不超过…".
function M.goal(t)
  local v = M.amount(t.target_value, t.unit)
  local c = t.comparison
  if c == ">=" or c == "≥" then return v .. "以上" end
  if c == ">" then return "超过" .. v end
  if c == "<=" or c == "≤" then return "不超过" .. v end
  if c == "<" then return "低于" .. v end
  return v
end

-- "2021-2023" -> 2021, 2023; "2022" -> 2022, 2022; anything else -> nil
function M.years(period)
  if period == nil then return nil end
  local p = tostring(period)
  local a, b = p:match("^(%d%d%d%d)%-(%d%d%d%d)$")
  if a then return tonumber(a), tonumber(b) end
  if p:match("^%d%d%d%d$") then return tonumber(p), tonumber(p) end
  return nil
end

-- Works out one target. Returns a table:
--   label, goal      the target's name and value as text
--   fraction         progress / target (nil without progress, or for an upper limit)
--   done, left       progress and what is left, as text (nil when unknown)
--   pace             "done", "ahead", "on_track", "slightly_behind", "behind", "unknown",
--                    or nil (no progress, or no plan period to compare with)
--   detail           one or two sentences for under the progress bar
function M.target(t, plan)
  local r = { label = t.target or t.indicator or "目标", goal = t.target_value and M.goal(t) or "未注明" }
  local upper = t.comparison == "<=" or t.comparison == "<" or t.comparison == "≤"
  if t.progress_value == nil or t.target_value == nil or t.target_value <= 0 then
    r.detail = "数据中尚无该目标的进展数字。"
    return r
  end
  local when = t.progress_period and common.period(t.progress_period) or "时期未注明"
  r.done = M.amount(t.progress_value, t.unit)
  r.fraction = t.progress_value / t.target_value
  r.period = when
  if upper then    -- a ceiling: the bar would mean the wrong thing
    r.detail = string.format("%s为%s，占上限的%s。", when, r.done, fmt.percent(r.fraction))
    r.fraction = nil
    return r
  end
  local s = { string.format("%s完成%s，为目标的%s", when, r.done, fmt.percent(r.fraction)) }
  if r.fraction >= 1 then
    r.pace = "done"
    s[#s + 1] = "，已完成目标"
    if t.progress_value > t.target_value then
      s[#s + 1] = "，超出" .. M.amount(t.progress_value - t.target_value, t.unit)
    end
    s[#s + 1] = "。"
    r.detail = table.concat(s)
    return r
  end
  r.left = M.amount(t.target_value - t.progress_value, t.unit)
  s[#s + 1] = "，尚差" .. r.left .. "。"
  -- the pace: the share of the plan period gone by the end of the progress period
  local span, first, last = plan and M.PLANS[plan], M.years(t.progress_period)
  if span and first and last >= span[1] then
    local total = span[2] - span[1] + 1
    local gone = math.min(last, span[2]) - span[1] + 1
    local share = gone / total
    local time = string.format("规划期%d年已过%d年（%s）", total, gone, fmt.percent(share))
    if first <= span[1] then          -- counted from the start of the plan: cumulative
      -- within half a percentage point of the time share counts as on track
      if r.fraction > share + 0.005 then r.pace = "ahead"
      elseif r.fraction >= share - 0.005 then r.pace = "on_track"
      elseif r.fraction >= share - 0.1 then r.pace = "slightly_behind"
      else r.pace = "behind" end
      local word = { ahead = "快于", on_track = "符合", slightly_behind = "略慢于", behind = "明显慢于" }
      s[#s + 1] = time .. "，" .. word[r.pace] .. "时间进度"
      local rest = span[2] - math.min(last, span[2])
      if rest > 0 then
        local per_year = (t.target_value - t.progress_value) / rest
        if t.unit ~= "元" then per_year = math.ceil(per_year) end   -- whole people, items
        s[#s + 1] = string.format("，余下%d年每年需完成约%s", rest, M.amount(per_year, t.unit))
      end
      s[#s + 1] = "。"
    elseif r.fraction >= share then   -- only a later part of the plan, already enough
      r.pace = "on_track"
      s[#s + 1] = string.format("仅%s就已达到时间进度：%s。", when, time)
    else
      r.pace = "unknown"
      s[#s + 1] = string.format("进展只注明了%s，无法判断是否达到时间进度。", when)
    end
  end
  r.detail = table.concat(s)
  return r
end

-- A reference figure from the indicators table for a target without progress, or nil:
-- "参考：指标表中累计培训各类人才2396余人次，为结对以来的累计数，不是“十四五”期间的进展。"
function M.reference(t, indicators, plan)
  if t.progress_value or not t.indicator then return nil end
  for _, row in ipairs(indicators) do
    if row.indicator == t.indicator and row.value then
      if row.period then
        return string.format("参考：指标表中%s%s为%s。", common.period(row.period), row.label or "", common.figure(row))
      end
      return string.format("参考：指标表中累计%s%s，为结对以来的累计数，不是“%s”期间的进展。",
        row.label or "", common.figure(row), plan or "规划")
    end
  end
  return nil
end

-- The assessment paragraph for all the targets of one county.
function M.summary(name, plan, results)
  local n, with, without = #results, {}, {}
  local done, ahead, on_track, behind, unknown = {}, {}, {}, {}, {}
  for _, r in ipairs(results) do
    if r.done then with[#with + 1] = r else without[#without + 1] = r.label end
    if r.pace == "done" then done[#done + 1] = r.label
    elseif r.pace == "ahead" then ahead[#ahead + 1] = r.label
    elseif r.pace == "on_track" then on_track[#on_track + 1] = r.label
    elseif r.pace == "slightly_behind" or r.pace == "behind" then behind[#behind + 1] = r.label
    elseif r.pace == "unknown" then unknown[#unknown + 1] = r.label end
  end
  local s = { string.format("%s在数据中有%d项“%s”目标", name, n, plan) }
  if #with == 0 then
    s[#s + 1] = "，都还没有进展数字，目前无法判断完成情况。"
    return table.concat(s)
  end
  if #with == n then
    s[#s + 1] = n == 1 and "，有进展数字。" or "，都有进展数字。"
  else
    s[#s + 1] = string.format("，其中%d项有进展数字。", #with)
  end
  local hi, lo
  for _, r in ipairs(with) do
    if r.fraction then
      if hi == nil or r.fraction > hi.fraction then hi = r end
      if lo == nil or r.fraction < lo.fraction then lo = r end
    end
  end
  if hi and hi ~= lo then
    s[#s + 1] = string.format("完成度最高的是%s（%s），最低的是%s（%s）。",
      hi.label, fmt.percent(hi.fraction), lo.label, fmt.percent(lo.fraction))
  end
  if #done > 0 then s[#s + 1] = common.join(done) .. "已完成目标。" end
  if #ahead > 0 then s[#s + 1] = common.join(ahead) .. "快于时间进度。" end
  if #on_track > 0 then s[#s + 1] = common.join(on_track) .. "达到时间进度。" end
  if #behind > 0 then s[#s + 1] = common.join(behind) .. "慢于时间进度，需要加快。" end
  if #unknown > 0 then s[#s + 1] = common.join(unknown) .. "的进展时期不完整，进度待核实。" end
  if #without > 0 then s[#s + 1] = common.join(without) .. "尚无进展数字。" end
  return table.concat(s)
end

return M
