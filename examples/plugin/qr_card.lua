-- qr_card.lua: a one-page data card per county with a QR code, using the example plugin
-- (examples/plugin/qr.c): the Lua module `qr` and the block type "qr.code".
--
--   countybrief render --plugin build/qr.so --report examples/plugin/qr_card.lua --out /tmp/cards
local qr = require "qr"                   -- from the plugin
local common = require "metrics.common"   -- from countybrief's scripts folder

local MAX_ITEMS = 6 -- figures in the code: more makes it denser and harder to scan

-- the county's figures, in the order of the data
local items, sources, seen = {}, {}, {}
for _, r in ipairs(data.indicators) do
  if r.value and #items < MAX_ITEMS then
    local label = r.label
    if r.period then label = label .. "（" .. common.period(r.period) .. "）" end
    items[#items + 1] = { label = label, value = common.figure(r) }
    if r.source and not seen[r.source] then
      seen[r.source] = true
      sources[#sources + 1] = r.source
    end
  end
end

local partners = {}
for _, p in ipairs(data.partners) do partners[#partners + 1] = p.partner end

-- what the code holds: plain UTF-8 text a phone shows as it is
local lines = { string.format("countybrief %s %s（%s）", county.id, county.name, county.province or "") }
if #partners > 0 then lines[#lines + 1] = "结对支援：" .. common.join(partners) end
for _, it in ipairs(items) do lines[#lines + 1] = it.label .. "：" .. it.value end
if #sources > 0 then lines[#lines + 1] = "来源：" .. table.concat(sources, "；") end
local payload = table.concat(lines, "\n")

local version, modules = qr.version(payload, "M")

doc:info { title = county.name .. "数据卡片", subject = "对口支援关键数据与二维码",
           keywords = "二维码 " .. county.name }
doc:title(county.name .. "数据卡片",
          (county.province or "") .. " · 行政区划代码 " .. county.id ..
          (#partners > 0 and (" · 结对" .. common.join(partners)) or ""))

doc:paragraph(string.format(
  "本页汇总%s对口支援的%d项关键数据，并把它们编成下方的二维码。用手机扫描即可读出文字版数据，无需联网，" ..
  "便于在会议材料和展板上引用。", county.name, #items))

local rows = {}
for i, it in ipairs(items) do rows[#rows + 1] = { tostring(i), it.label, it.value } end
doc:table {
  columns = { { title = "序号", width = 0.6, align = "center" }, { title = "指标", width = 3 },
              { title = "数值", width = 1.6, align = "right" } },
  rows = rows,
}

doc:paragraph(string.format(
  "二维码以UTF-8文本编码上表内容和资料来源，共%d字节，纠错等级M（约15%%的污损仍可读出），" ..
  "为第%d版二维码，每边%d个模块，四周留有4个模块宽的空白边。", #payload, version, modules))

doc:add("qr.code", {
  text = payload,
  size = 160,
  level = "M",
  caption = string.format("扫码读取%s关键数据（第%d版，%d×%d模块）", county.name, version, modules, modules),
})

if #sources > 0 then doc:notes { title = "资料来源", items = sources } end
