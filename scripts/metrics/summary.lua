-- The summary paragraphs, written from the figures (never pasted text).
local common = require "metrics.common"

local M = {}

local function partner_names(partners)
  local names = {}
  for _, p in ipairs(partners) do names[#names + 1] = p.partner end
  return names
end

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
  if #allocations == 0 then return nil end
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
  local s = {}
  if latest then
    local a = latest.row
    local n = a.projects and string.format("，安排项目%s", fmt.count(a.projects, "个", a.projects_qualifier)) or ""
    s[#s + 1] = string.format("最近一期（%s）统筹资金%s，投向%s%s。", common.period(a.period),
      common.money(a.amount, a.qualifier), a.purpose or "多个领域", n)
  end
  if largest and (not latest or largest ~= latest.row) then
    s[#s + 1] = string.format("数据中单笔最大的一期为%s的%s。", common.period(largest.period),
      common.money(largest.amount, largest.qualifier))
  end
  return table.concat(s)
end

-- Paragraph 3: how much training the data records, and the largest programme.
local function training(rows)
  local main = common.filter(rows, function(r)
    return r.people and not tostring(r.program or ""):match("^其中")
  end)
  if #main == 0 then return nil end
  local top = main[1]
  for _, r in ipairs(main) do
    if r.people > top.people then top = r end
  end
  return string.format("人才培训方面，数据记录了%d项培训，规模最大的是“%s”，%s%s。", #main,
    top.program, common.period(top.period), fmt.count(top.people, "人次", top.qualifier))
end

-- Returns a list of paragraphs.
function M.paragraphs(county, t)
  local ind = common.index(t.indicators, "indicator")
  local out = { overview(county, t.partners, ind) }
  local m = money(t.allocations)
  if m and m ~= "" then out[#out + 1] = m end
  local tr = training(t.training)
  if tr then out[#out + 1] = tr end
  return out
end

return M
