-- figures.lua: each county's comparable figures and their ranking, for compare.lua.
-- Everything comes from the data as it is; a figure the data lacks stays nil (shown as
-- "—") and is never estimated.
local common = require "metrics.common"   -- from countybrief's scripts/ folder
local parts = require "metrics.parts"

local M = {}

-- The population of a county, where the data has one: a `population` column of
-- counties.csv, else an indicator row `population` (people).
local function population(c, ind)
  if type(c.population) == "number" and c.population > 0 then return c.population end
  local row = ind.population
  if row and type(row.value) == "number" and row.value > 0 then return row.value end
  return nil
end

-- People trained: the indicator people_trained, else the sum of the county's training
-- rows (leaving out the parts of another row, part_of: their people are in it), flagged
-- as such.
local function trained(ind, training)
  local row = ind.people_trained
  if row and row.value then return row.value, row.qualifier, false end
  local sum, qualified, n = 0, false, 0
  for _, t in ipairs(parts.counted(parts.link { training = training }, training, "people")) do
    sum, n = sum + t.people, n + 1
    qualified = qualified or (t.qualifier ~= nil and t.qualifier ~= "")
  end
  if n == 0 then return nil end
  return sum, qualified and "约" or nil, true
end

-- One county's figures: { county, aid, aid_q, projects, trained, trained_q, trained_summed,
-- population, sources = { ... } }.
function M.of(c, d)
  local ind = common.index(d.indicators, "indicator")
  local f = { county = c, sources = {} }
  if ind.aid_total then f.aid, f.aid_q = ind.aid_total.value, ind.aid_total.qualifier end
  if ind.projects_total then f.projects, f.projects_q = ind.projects_total.value, ind.projects_total.qualifier end
  f.trained, f.trained_q, f.trained_summed = trained(ind, d.training)
  f.population = population(c, ind)
  for _, key in ipairs { "aid_total", "projects_total", "people_trained", "population" } do
    if ind[key] and ind[key].source then f.sources[#f.sources + 1] = ind[key].source end
  end
  return f
end

-- The counties ranked by aid, largest first; those without an aid figure last; ties by
-- county id (a stable order on every run). Sets f.rank (nil without aid).
function M.ranked(counties, data)
  local list = {}
  for _, c in ipairs(counties) do list[#list + 1] = M.of(c, data.of(c)) end
  table.sort(list, function(a, b)
    if (a.aid ~= nil) ~= (b.aid ~= nil) then return a.aid ~= nil end
    if a.aid and a.aid ~= b.aid then return a.aid > b.aid end
    return a.county.id < b.county.id
  end)
  for i, f in ipairs(list) do f.rank = f.aid and i or nil end
  return list
end

-- Sum of field `key` over the list, and how many counties have it.
function M.total(list, key)
  local s, n = 0, 0
  for _, f in ipairs(list) do
    if f[key] then s, n = s + f[key], n + 1 end
  end
  return s, n
end

return M
