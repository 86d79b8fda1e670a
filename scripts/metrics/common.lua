-- Helpers shared by the report scripts: indexing rows, sums, money with qualifiers.
local M = {}

-- rows keyed by the value of column `key` (first row wins)
function M.index(rows, key)
  local t = {}
  for _, r in ipairs(rows) do
    local k = r[key]
    if k ~= nil and t[k] == nil then t[k] = r end
  end
  return t
end

-- rows for which keep(row) is true, in order
function M.filter(rows, keep)
  local out = {}
  for _, r in ipairs(rows) do
    if keep(r) then out[#out + 1] = r end
  end
  return out
end

-- sum of a numeric column, skipping empty cells
function M.sum(rows, col)
  local s = 0
  for _, r in ipairs(rows) do
    if type(r[col]) == "number" then s = s + r[col] end
  end
  return s
end

-- A yuan amount with the article's qualifier: 余/多 go before the unit ("8200余万元"),
-- 近/约 before the number ("近5万元").
function M.money(value, qualifier)
  local s = fmt.yuan(value)
  if qualifier == "余" or qualifier == "多" then
    local num, unit = s:match("^(.-)(亿元)$")
    if not num then num, unit = s:match("^(.-)(万元)$") end
    if not num then num, unit = s:match("^(.-)(元)$") end
    return num .. qualifier .. unit
  elseif qualifier and qualifier ~= "" then
    return qualifier .. s
  end
  return s
end

-- An indicator row as display text: money for 元, a count with its measure word otherwise.
function M.figure(row)
  if row.unit == "元" then return M.money(row.value, row.qualifier) end
  return fmt.count(row.value, row.unit, row.qualifier)
end

-- "a、b和c"
function M.join(list)
  if #list <= 1 then return list[1] or "" end
  return table.concat(list, "、", 1, #list - 1) .. "和" .. list[#list]
end

-- a period as prose: "2020" -> "2020年", "2018-2020" -> "2018—2020年", "近年" -> "近年"
function M.period(p)
  if p == nil then return "" end
  p = tostring(p)
  local a, b = p:match("^(%d%d%d%d)%-(%d%d%d%d)$")
  if a then return a .. "—" .. b .. "年" end
  if p:match("^%d%d%d%d$") then return p .. "年" end
  return p
end

return M
