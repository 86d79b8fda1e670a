-- The KPI row: the county's headline figures, in a fixed order, only those it has.
local common = require "metrics.common"
local i18n = require "metrics.i18n"

local M = {}

-- indicator keys in the order a reader expects them
M.order = {
  "aid_total", "projects_total", "people_trained", "migrants_resettled",
  "graduates_placed", "cadres_seconded", "beneficiaries", "investment_agreed",
  "investment_projects", "consumption_sales",
}

-- shorter labels for the boxes, where the data's label is long
local box_label = {
  aid_total = "无偿援助资金",
  projects_total = "援建项目",
  people_trained = "培训各类人才",
  migrants_resettled = "安置外迁移民",
  graduates_placed = "接收大中专毕业生",
  cadres_seconded = "干部挂职锻炼",
  beneficiaries = "惠及群众",
  investment_agreed = "引进协议投资",
  investment_projects = "引进投资项目",
  consumption_sales = "消费帮扶销售额",
}

-- In English the noun goes into the label, the box shows the figure: "468" / "aid projects".
local box_label_en = {
  aid_total = "aid funds (grants)",
  projects_total = "aid projects",
  people_trained = "person-times trained",
  migrants_resettled = "migrants resettled",
  graduates_placed = "graduates placed",
  cadres_seconded = "cadre secondments",
  beneficiaries = "people benefiting",
  investment_agreed = "investment agreed",
  investment_projects = "investment projects",
  consumption_sales = "consumption aid sales",
}

local function box(row, key)
  if i18n.english then
    local label = box_label_en[key] or i18n.indicator[key] or key
    if row.period and row.period ~= "" then label = label .. ", " .. common.period(row.period) end
    local value = row.unit == "元" and common.money(row.value, row.qualifier)
                  or fmt.count(row.value, nil, row.qualifier)
    return { value = value, label = label, key = key }
  end
  local label = box_label[key] or row.label
  if row.period and row.period ~= "" then label = common.period(row.period) .. label end
  return { value = common.figure(row), label = label, key = key }
end

-- Returns up to `max` items {value=, label=} from the indicator rows.
function M.items(indicators, max)
  local by_key = common.index(indicators, "indicator")
  local items = {}
  for _, key in ipairs(M.order) do
    local row = by_key[key]
    if row and row.value and #items < max then items[#items + 1] = box(row, key) end
  end
  return items
end

return M
