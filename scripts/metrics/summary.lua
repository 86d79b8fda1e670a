-- The summary paragraphs, written from the figures (never pasted text), in the
-- document's language.
local common = require "metrics.common"
local i18n = require "metrics.i18n"

local M = {}

local function partner_names(partners)
  local names = {}
  for _, p in ipairs(partners) do names[#names + 1] = i18n.name(p, "partner") end
  return names
end

-- The figures the paragraphs speak of -------------------------------------------------

-- The most recent allocation (by the last year of its period) and the largest one.
local function latest_and_largest(allocations)
  local latest, largest
  for _, a in ipairs(allocations) do
    if a.amount then
      local p = tostring(a.period or "")
      local year = tonumber(p:match("(%d%d%d%d)$"))
      if year and (not latest or year > latest.year or (year == latest.year and a.amount > latest.row.amount)) then
        latest = { year = year, row = a }
      end
      if not largest or a.amount > largest.amount then largest = a end
    end
  end
  return latest and latest.row, largest
end

-- The training rows that are not parts of another ("其中"), and the largest of them.
local function main_training(rows)
  local main = common.filter(rows, function(r)
    return r.people and not tostring(r.program or ""):match("^其中")
  end)
  local top = main[1]
  for _, r in ipairs(main) do
    if r.people > top.people then top = r end
  end
  return main, top
end

-- Chinese ------------------------------------------------------------------------------

-- Paragraph 1: who supports whom, for how long, with what in total.
local function overview(county, partners, ind)
  local names = partner_names(partners)
  local s = {}
  local who = #names > 0 and common.join(names) or "对口支援省市"
  local since = county.pair_since and (string.format("自%d年起", county.pair_since)) or nil
  local years = county.years_paired and string.format("%d年", county.years_paired) or nil
  s[#s + 1] = string.format("%s隶属%s。", county.name, county.province or "")
  if since then
    s[#s + 1] = string.format("%s%s对口支援%s%s。", who, since, county.name, years and ("，至今已" .. years) or "")
  else
    s[#s + 1] = string.format("%s对口支援%s%s。", who, county.name, years and ("，结对已" .. years) or "")
  end
  local aid, projects = ind.aid_total, ind.projects_total
  if aid and projects then
    local avg = aid.value / projects.value
    s[#s + 1] = string.format("累计获得援助资金%s，安排援建项目%s，平均每个项目约%s。",
      common.figure(aid), fmt.count(projects.value, "个"), fmt.yuan(avg))
  elseif aid then
    s[#s + 1] = string.format("累计获得援助资金%s。", common.figure(aid))
  end
  local people = {}
  if ind.migrants_resettled then people[#people + 1] = "接收安置外迁移民" .. common.figure(ind.migrants_resettled) end
  if ind.graduates_placed then people[#people + 1] = "安排接收大中专毕业生" .. common.figure(ind.graduates_placed) end
  if #people > 0 then s[#s + 1] = "支援方还" .. table.concat(people, "，") .. "。" end
  if ind.beneficiaries then s[#s + 1] = "援建项目惠及群众" .. common.figure(ind.beneficiaries) .. "。" end
  return table.concat(s)
end

-- Paragraph 2: the most recent allocation and the largest one.
local function money(allocations)
  local latest, largest = latest_and_largest(allocations)
  local s = {}
  if latest then
    local a = latest
    local n = a.projects and string.format("，安排项目%s", fmt.count(a.projects, "个", a.projects_qualifier)) or ""
    s[#s + 1] = string.format("最近一期（%s）统筹资金%s，投向%s%s。", common.period(a.period),
      common.money(a.amount, a.qualifier), a.purpose or "多个领域", n)
  end
  if largest and largest ~= latest then
    s[#s + 1] = string.format("数据中单笔最大的一期为%s的%s。", common.period(largest.period),
      common.money(largest.amount, largest.qualifier))
  end
  return table.concat(s)
end

-- Paragraph 3: how much training the data records, and the largest programme.
local function training(rows)
  local main, top = main_training(rows)
  if #main == 0 then return nil end
  return string.format("人才培训方面，数据记录了%d项培训，规模最大的是“%s”，%s%s。", #main,
    top.program, common.period(top.period), fmt.count(top.people, "人次", top.qualifier))
end

-- English ------------------------------------------------------------------------------

-- v to three significant digits, for "about": 865,385 -> 865,000
local function about(v)
  if v <= 0 or v ~= v then return v end
  local m = 10 ^ (math.floor(math.log(v, 10)) - 2)
  return math.floor(v / m + 0.5) * m
end

-- " (of which over CNY 5 million for public services)": the 其中 rows after `row` in its
-- period
local function of_which_en(allocations, row)
  local parts, after = {}, false
  for _, a in ipairs(allocations) do
    if a == row then after = true
    elseif after and tostring(a.period) == tostring(row.period) and a.amount then
      local part = (a.purpose or ""):match("^其中：(.*)$") or (a.purpose or ""):match("^其中:(.*)$")
      if not part then break end
      parts[#parts + 1] = common.money(a.amount, a.qualifier) .. " for " .. i18n.term(part)
    end
  end
  return #parts > 0 and (" (of which " .. common.join(parts) .. ")") or ""
end

local function overview_en(county, partners, ind)
  local name = i18n.name(county, "name")
  local names = partner_names(partners)
  local s = {}
  local province = i18n.name(county, "province")
  if province then s[#s + 1] = string.format("%s is in %s.", name, province) end
  local who = #names > 0 and common.join(names) or "Its partner provinces and cities"
  local verb = #names == 1 and "has supported" or "have supported"
  if county.pair_since then
    s[#s + 1] = string.format("%s %s %s under the counterpart support programme since %d%s.", who, verb, name,
      county.pair_since, county.years_paired and string.format(", for %d years", county.years_paired) or "")
  else
    s[#s + 1] = string.format("%s %s %s under the counterpart support programme%s.", who, verb, name,
      county.years_paired and string.format(" for %d years", county.years_paired) or "")
  end
  local aid, projects = ind.aid_total, ind.projects_total
  if aid and projects then
    s[#s + 1] = string.format("In total the county has received %s in aid for %s projects, about %s per project.",
      common.figure(aid), fmt.count(projects.value), fmt.yuan(about(aid.value / projects.value)))
  elseif aid then
    s[#s + 1] = string.format("In total the county has received %s in aid.", common.figure(aid))
  end
  local people = {}
  if ind.migrants_resettled then
    people[#people + 1] = "resettled " .. fmt.count(ind.migrants_resettled.value, "migrants", ind.migrants_resettled.qualifier)
  end
  if ind.graduates_placed then
    people[#people + 1] = "placed " .. fmt.count(ind.graduates_placed.value, "graduates", ind.graduates_placed.qualifier)
  end
  if #people > 0 then s[#s + 1] = "The partners also " .. common.join(people) .. "." end
  if ind.beneficiaries then
    s[#s + 1] = "The projects benefit " .. fmt.count(ind.beneficiaries.value, "people", ind.beneficiaries.qualifier) .. "."
  end
  return table.concat(s, " ")
end

local function money_en(allocations)
  local latest, largest = latest_and_largest(allocations)
  local s = {}
  if latest then
    local a = latest
    local n = a.projects and string.format(", funding %s projects", fmt.count(a.projects, nil, a.projects_qualifier)) or ""
    local purpose = a.purpose and i18n.term(a.purpose) or "several fields"
    s[#s + 1] = string.format("The latest allocation (%s) was %s for %s%s%s.", common.period(a.period),
      common.money(a.amount, a.qualifier), purpose, of_which_en(allocations, a), n)
  end
  if largest and largest ~= latest then
    s[#s + 1] = string.format("The largest single allocation in the data is %s (%s).",
      common.money(largest.amount, largest.qualifier), common.period(largest.period))
  end
  return table.concat(s, " ")
end

local function training_en(rows)
  local main, top = main_training(rows)
  if #main == 0 then return nil end
  local kind = top.kind and i18n.term(top.kind) or nil
  return string.format("The data records %d training programmes; the largest (%s%s) reached %s.", #main,
    kind and kind ~= top.kind and (kind .. ", ") or "", common.period(top.period),
    fmt.count(top.people, "person-times", top.qualifier))
end

-- Returns a list of paragraphs; opts.money = false or opts.training = false leaves out
-- the one on the allocations or on training.
function M.paragraphs(county, t, opts)
  opts = opts or {}
  local ind = common.index(t.indicators, "indicator")
  local en = i18n.english
  local out = { (en and overview_en or overview)(county, t.partners, ind) }
  local m = opts.money ~= false and #t.allocations > 0 and (en and money_en or money)(t.allocations) or nil
  if m and m ~= "" then out[#out + 1] = m end
  local tr = opts.training ~= false and (en and training_en or training)(t.training)
  if tr then out[#out + 1] = tr end
  return out
end

return M
