-- 简报: the page of a Chinese government briefing, after GB/T 9704-2012 (党政机关公文格式).
-- A4; 天头 (top margin) 37 mm, 订口 (binding margin, left) 28 mm, 版心 (type area)
-- 156 × 225 mm. The type area is the same on every page, not mirrored: GB/T 9704 puts the
-- 订口 on the left of the page, and a double-sided print is bound on the left of its
-- front pages. Body text 3号 (16 pt) on a strict grid of 22 lines × 28 characters that
-- fills the type area:
--   line pitch      225 mm / 22 = 10.227 mm = 28.99 pt (a baseline every 28.99 pt)
--   character pitch 156 mm / 28 =  5.571 mm = 15.79 pt (a 16 pt character per cell,
--                   a half-width digit or letter half a cell, a run of them rounded
--                   up to whole cells: docs/templates.md, "The strict grid")
-- Punctuation is full width (全角式) and no quarter em separates Chinese from Latin, so
-- every mark takes a cell; a full line holds 28 characters and ends on the type area's
-- right edge. Headings: 一、 in 黑体, （一） in 楷体, 1. and （1） in the body face, all
-- 3号, not bold, indented two characters like paragraphs; the report's texts carry no
-- numbers. The title: 2号 小标宋, centred. Page numbers "— N —" in 4号 (14 pt), the top of the line 7 mm under the
-- type area, odd pages right and even pages left, one 14 pt character in from the type
-- area's edge. No running header.
-- The 报头 (masthead) and 报尾 (distribution block) are blocks of their own, above the first
-- body line and at the foot of the last page.
local mm = 72 / 25.4
local top, left, width, height = 37 * mm, 28 * mm, 156 * mm, 225 * mm
-- faces by role, each a list tried in order through fontconfig; the first installed one is
-- used, and a note on stderr says which when it is not the first (docs/templates.md)
local fangsong = { "FangSong", "仿宋_GB2312", "FZFangSong-Z02", "FZFangSong-Z02S", "仿宋",
                   "STFangsong", "Noto Serif CJK SC" }
return {
  page = {
    size = "A4",
    margin = { top = top, left = left, right = 595.276 - left - width,
               bottom = 841.890 - top - height },
  },
  type = {
    body = 16,        -- 3号
    title = 22,       -- 2号
    h1 = 16, h2 = 16, -- headings are 3号 too
    table = { zh = 10, en = 8.5 }, -- 10: between 五号 and 小五, the projects table's year column holds
                      -- "2020"; English words are wider: 8.5 keeps them whole in their columns
    padding = 0.6,    -- 2.7 pt above and below a cell's text: a table's header and first 3
                      -- rows fit where a 3号 heading leaves a page's foot (docs/templates.md)
    small = 10.5,     -- 五号: notes, KPI labels
    indent = 2,       -- two characters
    justify = true,
    punctuation = "quanjiao",
    cjk_latin_space = false,
    grid = { lines = 22, chars = 28 },
    numbering = "gongwen",  -- 一、 （一） 1. （1）, by heading level
    bold_headings = false,  -- 小标宋, 黑体 and 楷体 are set as they are
    faces = {
      body = fangsong,                                          -- 仿宋
      figures = fangsong,                                       -- tables, KPI values, charts
      title = { "FZXiaoBiaoSong-B05", "FZXiaoBiaoSong-B05S", "方正小标宋简体", "方正小标宋_GBK",
                "Noto Serif CJK SC:bold" },                     -- 小标宋, else a bold serif
      heading = { "SimHei", "黑体", "FZHei-B01", "FZHei-B01S", "STHeiti",
                  "Noto Sans CJK SC" },                         -- level 1 一、: 黑体
      heading2 = { "KaiTi", "楷体", "KaiTi_GB2312", "楷体_GB2312", "FZKai-Z03", "FZKai-Z03S",
                   "STKaiti", "AR PL UKai CN" },                -- level 2 （一）: 楷体
    },
  },
  colors = {
    primary = "#000000",
    accent  = "#000000",
    text    = "#000000",
    muted   = "#404040",
    rule    = "#808080",
    band    = "#f2f2f2",
    panel   = "#f2f2f2",
    bar     = "#595959",
  },
  -- 报头 on page 1 (docs/templates.md): the name in large red type centred, then 第 N 期,
  -- the office at the left and the date at the right, then a red rule as wide as the type
  -- area. The report gives the number, office and date (doc:masthead; the briefing from
  -- bulletin.csv) and may give another name; a part it lacks is left out. Red: C0 M80 Y80
  -- K0 as 1 - C, 1 - M, 1 - Y (no ICC profile) = #ff3333.
  masthead = {
    name = { zh = "对口支援工作简报", en = "Counterpart Support Bulletin" },
    color = "#ff3333",
    size = 36,   -- 小初, shrunk to fit one line
    rule = 1,    -- points: GB/T 9704's 0.35 mm
  },
  header = false,
  footer = false,
  folio = { text = "— {page} —", size = 14, below = 7 * mm, inset = 14 },
}
