-- issue.lua: one 简报 issue over every county (scope "all"), for the jianbao template: the
-- 报头 from the issue's row of bulletin.csv (county_id empty), a table of contents of the
-- counties with the page each county's section starts on, a section per county (its
-- overview, funding and training as the briefing words them), and the 报尾. Without a
-- bulletin row the masthead shows the template's name alone and there is no 报尾.
--
--   countybrief render --report examples/reports/jianbao/issue.lua --template jianbao
--
-- The example data has no bulletin (the article names no issue, office or distribution);
-- bulletin.sample.csv (this folder) is a sample to try it with: see README.md.
report { scope = "all", output = "issue", languages = { "zh", "en" } }
needs {
  indicators = optional { indicator = "text", value = "number" },
  partners = optional { partner = "text" },
  allocations = optional { amount = "number", purpose = "text" },
  training = optional { people = "number" },
  translations = optional { zh = "text", en = "text" },
  bulletin = optional { number = "number", copies = "number" },
}
local summary = require "metrics.summary"
local bulletin = require "metrics.bulletin"
local i18n = require "metrics.i18n"

local en = lang == "en"
local W = en and { title = "Counterpart support: %d counties", toc = "Contents" }
  or { title = "对口支援工作情况（%d个县）", toc = "目 录" }

local issue = bulletin.row(data.bulletin, nil)
if issue then bulletin.masthead(doc, issue) end
local title = string.format(W.title, #counties)
doc:info { title = title, subject = title, author = "countybrief" }
doc:toc { title = W.toc }
for _, c in ipairs(counties) do
  doc:heading(i18n.name(c, "name"))
  for _, p in ipairs(summary.paragraphs(c, data.of(c))) do doc:paragraph(p) end
end
if issue then bulletin.distribution(doc, issue) end
