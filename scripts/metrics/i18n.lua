-- The briefing's words in each language it is written in (report { languages = ... } in
-- briefing.lua): M.t holds the labels of `lang`, M.term puts a Chinese label of the data
-- into English where the glossary knows it. Names (counties, provinces, partners) come
-- from the data: in English a column NAME_en of the row where the data has one, else the
-- shared table translations (zh -> en), else the Chinese name.
local M = {}

M.english = lang == "en"

local texts = {
  zh = {
    title = "%s对口支援工作简报",
    title_issue = "%s对口支援工作情况", -- under a 简报's masthead, which names the 简报
    subject = "%s（%s）对口支援资金、项目、人才培训与目标进展",
    keywords = "对口支援",
    partners = "对口支援方：",
    since = "%d年起结对",
    years = "结对%d年",
    overview = "概况",
    funding = "援助资金投向",
    funding_chart = "各期援助资金与单项投入",
    funding_total = "列明合计",
    funding_other = "其他",
    of_which = "（其中%s）",
    list_sep = "、",
    parts_more = "等%d项",
    projects = "重点援建项目",
    more_projects = "另有%s未列入上表（数据共记录%s）。",
    project_cols = { "项目", "支援方", "领域", "金额", "年份", "成效与说明" },
    training = "人才培训",
    training_cols = { "时期", "培训项目", "类别", "人次", "期/班", "学时" },
    industry = "产业协作与消费帮扶",
    industry_cols = { "指标", "数值" },
    towns = "特色产业小镇",
    town_cols = { "小镇", "乡镇", "产业", "规模与成效", "说明" },
    targets = "“十四五”目标与进展",
    target_goal = "目标 %s%s",
    at_least = "以上",
    target_done = "%s已完成%s，为目标的%s。",
    target_none = "数据中尚无该目标的进展数字。",
    target_cols = { "目标", "目标值", "完成", "进展" },
    sources = "资料来源（金额原始单位为元，按数量级显示为万元、亿元）",
    source_sep = "；",
  },
  en = {
    title = "%s: Counterpart Support Briefing",
    title_issue = "Counterpart support in %s",
    subject = "%s (%s): counterpart support funds, projects, training and targets",
    keywords = "counterpart support",
    partners = "Supported by ",
    since = "paired since %d",
    years = "%d years of pairing",
    overview = "Overview",
    funding = "Where the aid went",
    funding_chart = "Allocations by period and single projects",
    funding_total = "Total listed",
    funding_other = "Other",
    of_which = " (of which %s)",
    list_sep = ", ",
    parts_more = " and more, %d in all",
    projects = "Key projects",
    more_projects = "%s not listed above (the data records %s).",
    project_cols = { "Project", "Partner", "Sector", "Amount", "Year", "Outcome and notes" },
    training = "Training",
    training_cols = { "Period", "Programme", "Kind", "Person-times", "Classes", "Hours" },
    industry = "Industry cooperation and consumption support",
    industry_cols = { "Indicator", "Value" },
    towns = "Characteristic industry towns",
    town_cols = { "Town", "Township", "Industry", "Scale and results", "Notes" },
    targets = "14th Five-Year Plan targets and progress",
    target_goal = "target %s%s",
    at_least = " or more",
    target_done = "%s, %s done: %s of the target.",
    target_none = "The data has no progress figure for this target yet.",
    target_cols = { "Target", "Goal", "Done", "Progress" },
    sources = "Sources (parts of the newspaper feature; amounts are in yuan, CNY)",
    sources_names = "Sources (parts of the newspaper feature; amounts in yuan, CNY; English names of places: the usual pinyin forms, not from the feature)",
    source_sep = "; ",
    sources_short = "Sources (parts of the newspaper feature; amounts in CNY; Chinese text kept untranslated)",
    sources_names_short = "Sources (parts of the newspaper feature; amounts in CNY; place names in the usual " ..
      "pinyin; other Chinese text kept untranslated)",
    note = "Note",
    chinese_note = "Chinese text is kept untranslated, as the data gives it: names, notes, sources, and kinds " ..
      "the glossary lacks.",
  },
}
M.t = texts[lang] or texts.zh

-- English labels of the indicators (the data's `label` column is Chinese).
M.indicator = {
  aid_total = "Aid funds (grants)", projects_total = "Aid projects", people_trained = "People trained",
  migrants_resettled = "Migrants resettled", graduates_placed = "Graduates placed",
  cadres_seconded = "Cadre secondments", beneficiaries = "People benefiting",
  leaders_trained = "Local business leaders trained", enterprises_visited = "Companies visiting",
  ecommerce_sales = "Rural e-commerce sales", investment_projects = "Investment projects attracted",
  investment_agreed = "Investment agreed", consumption_volume = "Farm produce sold to Liaoning",
  consumption_sales = "Consumption-support sales", yew_area = "Yew plantations",
  yew_townships = "Townships planting yew", yew_jobs = "Jobs in yew planting",
  livestream_company_sales = "Livestream company sales",
}

-- The data's recurring Chinese labels (sectors, purposes, kinds of training, industries).
local glossary = {
  ["交通"] = "transport", ["医疗卫生"] = "health care", ["卫生"] = "health", ["饮水"] = "drinking water",
  ["基础设施"] = "infrastructure", ["教育"] = "education", ["民生"] = "public services",
  ["民生项目"] = "public services", ["产业"] = "industry", ["文化"] = "culture", ["生态"] = "environment",
  ["旅游"] = "tourism", ["社会福利"] = "social welfare", ["移民安置"] = "resettlement",
  ["招商引资"] = "investment", ["移民小区"] = "resettlement estates", ["扶贫基建"] = "poverty-relief works",
  ["人才培训"] = "training", ["卫生院"] = "clinics", ["便民中心"] = "service centres",
  ["4个特色产业小镇"] = "4 industry towns", ["致富带头人培训"] = "business leaders",
  ["创业技能培训"] = "entrepreneurship", ["赴辽培训"] = "training in Liaoning", ["线上课程"] = "online courses",
  ["业务培训"] = "professional training", ["花椒"] = "Sichuan pepper", ["鲜花"] = "flowers",
  ["乡村旅游"] = "rural tourism", ["蔬菜"] = "vegetables", ["农旅融合"] = "agritourism",
  ["中药材"] = "medicinal herbs", ["十四五"] = "14th Five-Year Plan",
  ["专业技术培训"] = "professional and technical", ["教师培训"] = "teacher training",
  ["干部培训"] = "cadre training", ["技能培训"] = "skills training", ["赴外培训"] = "training away",
}

-- s in English where the glossary has it (also each part of "a、b"); else s as it is.
function M.term(s)
  if not M.english or s == nil or s == "" then return s end
  if glossary[s] then return glossary[s] end
  local parts, all = {}, true
  for part in (s .. "、"):gmatch("(.-)、") do
    parts[#parts + 1] = glossary[part] or part
    all = all and glossary[part] ~= nil
  end
  return all and table.concat(parts, ", ") or s
end

-- s with a capital first letter in English ("Recent years" at the start of a cell).
function M.cap(s)
  if not M.english or type(s) ~= "string" then return s end
  return (s:gsub("^%l", string.upper))
end

-- M.term for a table cell or a label: capitalised.
function M.Term(s) return M.cap(M.term(s)) end

-- English forms of the data's Chinese names (table translations; empty in Chinese).
local english_names = {}
if M.english then
  for _, r in ipairs(data.translations) do
    if r.zh and r.en then english_names[r.zh] = r.en end
  end
end
M.has_english_names = next(english_names) ~= nil

-- A name from the data in the document's language: in English row[col .. "_en"], else
-- the translations entry for row[col]; else row[col] itself.
function M.name(row, col)
  local v = row[col]
  if not M.english then return v end
  return row[col .. "_en"] or english_names[v] or v
end

-- "山东省、沈阳市" (a project's partners), each partner in English where translations has it,
-- short for a table cell: "Shandong, Shenyang".
function M.partners(s)
  if not M.english or not s then return s end
  local parts = {}
  for part in (s .. "、"):gmatch("(.-)、") do
    local en = english_names[part]
    parts[#parts + 1] = en and en:gsub(" Province$", ""):gsub(" City$", "") or part
  end
  return table.concat(parts, ", ")
end

return M
