-- A 简报's 报头 (masthead) and 报尾 (distribution block) from the optional table bulletin
-- (docs/data.md): an issue's row gives its name, number, office and date, and whom it goes
-- to (report_to, send_to, issue_to) in how many copies. A field the row lacks is left out;
-- nothing is made up. A county's briefing takes the county's row; an issue over every
-- county (scope "all") the row whose county_id is empty.

local M = {}

-- The issue's row among rows: the one whose county_id is id (nil: empty), or nil. Two rows
-- for one issue are an error naming the table and the issue.
function M.row(rows, id)
  local found
  for _, r in ipairs(rows) do
    if r.county_id == id then
      if found then
        error(string.format("bulletin: two rows for %s; an issue takes one (number %s and %s)",
          id and ("county " .. id) or "the issue over every county (county_id empty)",
          tostring(found.number), tostring(r.number)), 0)
      end
      found = r
    end
  end
  return found
end

-- The masthead of row r (first in the document) and its distribution block (last).
function M.masthead(doc, r)
  doc:masthead { name = r.name, number = r.number, office = r.office, date = r.date }
end

function M.distribution(doc, r)
  doc:distribution { report = r.report_to, send = r.send_to, issue = r.issue_to, copies = r.copies }
end

return M
