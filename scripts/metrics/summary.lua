-- The summary paragraphs, written from the figures (never pasted text), in the
-- document's language.
local common = require "metrics.common"
local i18n = require "metrics.i18n"
local parts = require "metrics.parts"

local M = {}

local function partner_names(partners)
  local names = {}
  for _, p in ipairs(partners) do names[#names + 1] = i18n.name(p, "partner") end
  return names
end

-- The figures the paragraphs speak of -------------------------------------------------

-- The most recent allocation (by the last year of its period) and the largest one, of
-- those not inside another (a part is never the largest, nor an allocation of its own).
local function latest_and_largest(links, allocations)
  local latest, largest
  local counted = parts.counted(links, allocations, "amount")
  for _, a in ipairs(counted) do
    local year = tonumber(tostring(a.period or ""):match("(%d%d%d%d)$"))
    if year and (not latest or year > latest.year or (year == latest.year and a.amount > latest.row.amount)) then
      latest = { year = year, row = a }
    end
    if not largest or a.amount > largest.amount then largest = a end
  end
  return latest and latest.row, largest, #counted
end

-- The amounts inside `row` (part_of), for its sentence: "（其中民生项目500多万元）",
-- " (of which over CNY 5 million for public services)"
local function of_which(links, row)
  local list = {}
  for _, p in ipairs(parts.within(links, row, "amount")) do
    local amount, what = common.money(p.amount, p.qualifier), parts.label(links, p)
    list[#list + 1] = i18n.english and (amount .. " for " .. i18n.term(what)) or (what .. amount)
  end
  if #list == 0 then return "" end
  if i18n.english then return " (of which " .. common.join(list) .. ")" end
  return "（其中" .. table.concat(list, "、") .. "）"
end

-- The start of the aid figure's sentence: its period where the row has one, else 累计
-- ("In total")
local function aid_when(aid, en)
  local p = aid.period ~= nil and tostring(aid.period) ~= "" and common.period(aid.period)
  if en then return p and ("In " .. p .. " the county received") or "In total the county has received" end
  return p and (p .. "获得援助资金") or "累计获得援助资金"
end

-- The training rows that are not parts of another (each a row of the table), how many
-- rows are parts (listed under them in the table), and the largest of the main rows.
local function main_training(links, rows)
  local main = common.filter(rows, function(r) return not links.whole[r] end)
  local top
  for _, r in ipairs(main) do
    if r.people and (not top or r.people > top.people) then top = r end
  end
  return main, #rows - #main, top
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
    s[#s + 1] = string.format("%s%s，安排援建项目%s，平均每个项目约%s。", aid_when(aid),
      common.figure(aid), fmt.count(projects.value, "个"), fmt.yuan(avg))
  elseif aid then
    s[#s + 1] = string.format("%s%s。", aid_when(aid), common.figure(aid))
  end
  local people = {}
  if ind.migrants_resettled then people[#people + 1] = "接收安置外迁移民" .. common.figure(ind.migrants_resettled) end
  if ind.graduates_placed then people[#people + 1] = "安排接收大中专毕业生" .. common.figure(ind.graduates_placed) end
  if #people > 0 then s[#s + 1] = "支援方还" .. table.concat(people, "，") .. "。" end
  if ind.beneficiaries then s[#s + 1] = "援建项目惠及群众" .. common.figure(ind.beneficiaries) .. "。" end
  return table.concat(s)
end

-- Paragraph 2: the most recent allocation and the largest one.
local function money(links, allocations)
  local latest, largest, count = latest_and_largest(links, allocations)
  local s = {}
  local function projects(a)
    return a.projects and string.format("，安排项目%s", fmt.count(a.projects, "个", a.projects_qualifier)) or ""
  end
  if count == 1 then -- the one allocation: not "the latest" nor "the largest"
    local a = largest
    return string.format("数据中按期记录的援助资金只有一笔：%s统筹%s，投向%s%s%s。", common.period(a.period),
      common.money(a.amount, a.qualifier), a.purpose or "多个领域", of_which(links, a), projects(a))
  end
  if latest then
    local a = latest
    s[#s + 1] = string.format("最近一期（%s）统筹资金%s，投向%s%s%s。", common.period(a.period),
      common.money(a.amount, a.qualifier), a.purpose or "多个领域", of_which(links, a), projects(a))
  end
  if largest and largest ~= latest then
    s[#s + 1] = string.format("金额最大的一笔是%s安排的%s%s。", common.period(largest.period),
      common.money(largest.amount, largest.qualifier), largest.purpose and ("，投向" .. largest.purpose) or "")
  end
  return table.concat(s)
end

-- Paragraph 3: how much training the data records, and the largest programme.
local function training(links, rows)
  local main, nparts, top = main_training(links, rows)
  if #main == 0 then return nil end
  local listed = nparts > 0 and string.format("（表中另列其中的%s）", fmt.count(nparts, "个分项")) or ""
  if not top then return string.format("人才培训方面，数据记录了%s%s，未列人次。", fmt.count(#main, "项培训"), listed) end
  local size = common.period(top.period) .. fmt.count(top.people, "人次", top.qualifier)
  if #main == 1 then
    return string.format("人才培训方面，数据记录了“%s”1项培训%s，%s。", top.program, listed, size)
  end
  return string.format("人才培训方面，数据记录了%s%s，人次最多的是“%s”，%s。", fmt.count(#main, "项培训"),
    listed, top.program, size)
end

-- English ------------------------------------------------------------------------------

-- v to three significant digits, for "about": 865,385 -> 865,000
local function about(v)
  if v <= 0 or v ~= v then return v end
  local m = 10 ^ (math.floor(math.log(v, 10)) - 2)
  return math.floor(v / m + 0.5) * m
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
    s[#s + 1] = string.format("%s %s in aid for %s projects, about %s per project.", aid_when(aid, true),
      common.figure(aid), fmt.count(projects.value), fmt.yuan(about(aid.value / projects.value)))
  elseif aid then
    s[#s + 1] = string.format("%s %s in aid.", aid_when(aid, true), common.figure(aid))
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

local function money_en(links, allocations)
  local latest, largest, count = latest_and_largest(links, allocations)
  local s = {}
  local function projects(a)
    return a.projects and string.format(", funding %s projects", fmt.count(a.projects, nil, a.projects_qualifier)) or ""
  end
  if count == 1 then -- the one allocation: not "the latest" nor "the largest"
    local a = largest
    return string.format("The data records one allocation by period: %s (%s) for %s%s%s.",
      common.money(a.amount, a.qualifier),
      common.period(a.period), a.purpose and i18n.term(a.purpose) or "several fields", of_which(links, a), projects(a))
  end
  if latest then
    local a = latest
    local purpose = a.purpose and i18n.term(a.purpose) or "several fields"
    s[#s + 1] = string.format("The latest allocation (%s) was %s for %s%s%s.", common.period(a.period),
      common.money(a.amount, a.qualifier), purpose, of_which(links, a), projects(a))
  end
  if largest and largest ~= latest then
    s[#s + 1] = string.format("The largest allocation in the data is %s (%s)%s.",
      common.money(largest.amount, largest.qualifier), common.period(largest.period),
      largest.purpose and (" for " .. i18n.term(largest.purpose)) or "")
  end
  return table.concat(s, " ")
end

local function training_en(links, rows)
  local main, nparts, top = main_training(links, rows)
  if #main == 0 then return nil end
  local listed = nparts > 0 and string.format(" The table also lists %s within %s.",
    nparts == 1 and "one group" or (fmt.count(nparts) .. " groups"), #main == 1 and "it" or "them") or ""
  if not top then
    return string.format("The data records %s training programmes, without person-times.", fmt.count(#main)) .. listed
  end
  local name, size = i18n.name(top, "program"), fmt.count(top.people, "person-times", top.qualifier)
  if #main == 1 then
    return string.format("The data records one training programme, “%s” (%s), with %s.", name,
      common.period(top.period), size) .. listed
  end
  return string.format("The data records %s training programmes; the largest, “%s” (%s), reached %s.",
    fmt.count(#main), name, common.period(top.period), size) .. listed
end

-- Returns a list of paragraphs; opts.money = false or opts.training = false leaves out
-- the one on the allocations or on training.
-- opts.links: parts.link(t), when the caller has it.
function M.paragraphs(county, t, opts)
  opts = opts or {}
  local links = opts.links or parts.link(t)
  local ind = common.index(t.indicators, "indicator")
  local en = i18n.english
  local out = { (en and overview_en or overview)(county, t.partners, ind) }
  local m = opts.money ~= false and #t.allocations > 0 and (en and money_en or money)(links, t.allocations) or nil
  if m and m ~= "" then out[#out + 1] = m end
  local tr = opts.training ~= false and (en and training_en or training)(links, t.training)
  if tr then out[#out + 1] = tr end
  return out
end

return M
