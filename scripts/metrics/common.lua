-- Helpers shared by the report scripts: indexing rows, sums, money with qualifiers,
-- periods as prose. Figures follow the document's language (`lang`, set by --lang):
-- Chinese by default, English when the report runs with --lang en.
local M = {}

local english = lang == "en"

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

-- The article's qualifiers in English (fmt.count in English uses the same words).
local en_qualifier = { ["余"] = "over", ["多"] = "over", ["近"] = "nearly", ["约"] = "about" }

-- A yuan amount with the article's qualifier: 余/多 go before the unit ("8200余万元"),
-- 近/约 before the number ("近5万元"); in English "over CNY 82 million".
function M.money(value, qualifier)
  local s = fmt.yuan(value)
  if english then
    local q = qualifier and qualifier ~= "" and (en_qualifier[qualifier] or qualifier)
    return q and (q .. " " .. s) or s
  end
  if qualifier == "余" or qualifier == "多" then
    local num, unit = s:match("^(.-)(万亿元)$") -- before 亿元, which it ends with
    if not num then num, unit = s:match("^(.-)(亿元)$") end
    if not num then num, unit = s:match("^(.-)(万元)$") end
    if not num then num, unit = s:match("^(.-)(元)$") end
    return num .. qualifier .. unit
  elseif qualifier and qualifier ~= "" then
    return qualifier .. s
  end
  return s
end

-- The data's measure words in English ("" where the noun says it: 468 projects).
local en_unit = {
  ["个"] = "", ["人"] = "people", ["人次"] = "person-times", ["家"] = "companies", ["亩"] = "mu",
  ["吨"] = "tonnes", ["千米"] = "km", ["公里"] = "km", ["平方米"] = "m²", ["座"] = "", ["台"] = "",
  ["栋"] = "", ["年"] = "years", ["项"] = "", ["次"] = "times",
}

-- A unit of the data in the document's language.
function M.unit(u)
  if not english or u == nil then return u end
  return en_unit[u] or u
end

-- An indicator row as display text: money for 元, a count with its measure word otherwise.
function M.figure(row)
  if row.unit == "元" then return M.money(row.value, row.qualifier) end
  return fmt.count(row.value, M.unit(row.unit), row.qualifier)
end

-- "a、b和c"; in English "a, b and c"
function M.join(list)
  if #list <= 1 then return list[1] or "" end
  if english then return table.concat(list, ", ", 1, #list - 1) .. " and " .. list[#list] end
  return table.concat(list, "、", 1, #list - 1) .. "和" .. list[#list]
end

local en_period = { ["累计"] = "cumulative", ["近年"] = "recent years", ["近两年"] = "the last two years" }

-- a period as prose: "2020" -> "2020年", "2018-2020" -> "2018—2020年", "近年" -> "近年";
-- in English "2020", "2018–2020", "recent years"
function M.period(p)
  if p == nil then return "" end
  p = tostring(p)
  local a, b = p:match("^(%d%d%d%d)%-(%d%d%d%d)$")
  if english then
    if a then return a .. "–" .. b end
    return en_period[p] or p
  end
  if a then return a .. "—" .. b .. "年" end
  if p:match("^%d%d%d%d$") then return p .. "年" end
  return p
end

-- When a running figure was reached, to start a sentence: a year is a point ("截至2022年",
-- "By 2022"), a range or a word is a span ("2021—2022年", "In 2021–2022", "近年",
-- "In recent years"): 截至 with a range would read as a date that is two years.
function M.by(p)
  local s = M.period(p)
  local year = p ~= nil and tostring(p):match("^%d%d%d%d$")
  if english then
    if s == "" then return "So far" elseif s == "cumulative" then return "In total" end
    return (year and "By " or "In ") .. s
  end
  return year and ("截至" .. s) or s
end

return M
