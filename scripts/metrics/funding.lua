-- Where the money went: allocations by period and single projects with an amount.
local common = require "metrics.common"
local parts = require "metrics.parts"

local M = {}

-- Bars for the funding chart, largest first: {label=, value= (万元), text=}, one per
-- amount that is not inside another (part_of): the bars add up to the disjoint sum.
-- links: parts.link of the data, made here when nil.
function M.bars(allocations, projects, links)
  links = links or parts.link { allocations = allocations, projects = projects }
  local bars = {}
  for _, a in ipairs(parts.counted(links, allocations, "amount")) do
    local label = common.period(a.period) .. " " .. (a.purpose or "")
    bars[#bars + 1] = { label = label, value = a.amount / 1e4, text = common.money(a.amount, a.qualifier) }
  end
  for _, p in ipairs(parts.counted(links, projects, "amount")) do
    bars[#bars + 1] = { label = p.project, value = p.amount / 1e4, text = fmt.yuan(p.amount) }
  end
  -- stable sort: by value, then by label, so equal amounts keep one order on every run
  table.sort(bars, function(x, y)
    if x.value ~= y.value then return x.value > y.value end
    return x.label < y.label
  end)
  return bars
end

-- Projects for the table: those with an amount first (largest first), then the rest in
-- data order.
function M.notable_projects(projects)
  local with, without = {}, {}
  for i, p in ipairs(projects) do
    p._order = i
    if p.amount then with[#with + 1] = p else without[#without + 1] = p end
  end
  table.sort(with, function(x, y)
    if x.amount ~= y.amount then return x.amount > y.amount end
    return x._order < y._order
  end)
  for _, p in ipairs(without) do with[#with + 1] = p end
  return with
end

return M
