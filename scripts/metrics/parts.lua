-- Which amounts are parts of others. A row of allocations, projects or training may give
-- an `id`, and a row may name in its `part_of` the id of the row it is part of (same
-- county; money in allocations and projects, people in training). A total adds only the
-- rows that no counted row contains: the disjoint sum. Data without a part_of column keeps
-- the older convention: a row whose label starts with 其中 is part of the nearest row
-- above it in the same table and period that is not itself a 其中 row.
local M = {}

-- the table's label column, and the measure its amounts are in
local label_col = { allocations = "purpose", projects = "project", training = "program" }
local measure = { allocations = "amount", projects = "amount", training = "people" }

-- "其中：民生项目" -> "民生项目" (a byte class cannot hold "：", three bytes in UTF-8)
local function of_which(s)
  return s and (s:match("^其中：(.*)$") or s:match("^其中:(.*)$") or s:match("^其中(.*)$"))
end

-- Links the rows of `t` (a table of tables: allocations, projects, training, each a list
-- of rows, any may be missing). Returns a handle: h.whole[row] (the row it is part of),
-- h.parts[row] (its parts, in data order), h.table[row] (its table's name). Errors, naming
-- the table and the row, on a part_of that names no id of the county, on an id given
-- twice, on a part in another measure than its whole, and on a loop.
function M.link(t)
  local h = { whole = {}, parts = {}, table = {} }
  local ids, order = {}, { "allocations", "projects", "training" }
  for _, tname in ipairs(order) do
    for _, r in ipairs(t[tname] or {}) do
      h.table[r] = tname
      local id = r.id ~= nil and tostring(r.id) or nil
      if id and id ~= "" then
        if ids[id] then
          error(string.format("%s.csv: the id \"%s\" is given twice in this county's data", tname, id), 0)
        end
        ids[id] = r
      end
    end
  end
  local function name(r) return tostring(r[label_col[h.table[r]]] or r.period or "?") end
  for _, tname in ipairs(order) do
    local above = {} -- period -> the last row that is not a 其中 row (the older convention)
    for _, r in ipairs(t[tname] or {}) do
      local ref = r.part_of ~= nil and tostring(r.part_of) or ""
      local whole
      if ref ~= "" then
        whole = ids[ref]
        if not whole then
          error(string.format("%s.csv: \"%s\" is part_of \"%s\", which is no id of this county's " ..
            "allocations, projects or training", tname, name(r), ref), 0)
        end
        if measure[h.table[whole]] ~= measure[tname] then
          error(string.format("%s.csv: \"%s\" is part_of \"%s\", a row of %s: a part is in the " ..
            "measure of its whole (money in allocations and projects, people in training)",
            tname, name(r), ref, h.table[whole]), 0)
        end
      elseif of_which(r[label_col[tname]]) then
        whole = above[tostring(r.period)]
      end
      if whole then
        h.whole[r] = whole
        h.parts[whole] = h.parts[whole] or {}
        table.insert(h.parts[whole], r)
      end
      if not of_which(r[label_col[tname]]) then above[tostring(r.period)] = r end
    end
  end
  for _, tname in ipairs(order) do -- a loop would make every row of it a part of nothing
    for _, r in ipairs(t[tname] or {}) do
      local seen, w = { [r] = true }, h.whole[r]
      while w do
        if seen[w] then
          error(string.format("%s.csv: \"%s\" is, through part_of, part of itself", tname, name(r)), 0)
        end
        seen[w], w = true, h.whole[w]
      end
    end
  end
  return h
end

-- true when a row above r (its whole, or the whole's whole...) has an amount in the same
-- measure: r is inside a counted amount and a total must not add it again
function M.inside(h, r)
  local key = measure[h.table[r]]
  local w = h.whole[r]
  while w do
    if type(w[key]) == "number" then return true end
    w = h.whole[w]
  end
  return false
end

-- The rows of `rows` with an amount in `key` that a total adds: those not inside another
-- counted amount. Their sum is the disjoint sum.
function M.counted(h, rows, key)
  local out = {}
  for _, r in ipairs(rows) do
    if type(r[key]) == "number" and not M.inside(h, r) then out[#out + 1] = r end
  end
  return out
end

-- The rows inside r that have an amount, at any depth, in data order of each level.
function M.within(h, r, key)
  local out = {}
  local function walk(w)
    for _, p in ipairs(h.parts[w] or {}) do
      if type(p[key]) == "number" then out[#out + 1] = p end
      walk(p)
    end
  end
  walk(r)
  return out
end

-- A part's label without its "其中：" prefix: "其中：民生项目" -> "民生项目".
function M.label(h, r)
  local s = r[label_col[h.table[r]]]
  return of_which(s) or s
end

return M
