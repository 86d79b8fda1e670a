-- jianbao: a 简报 as a government office issues it (GB/T 9704-2012's 版头 and 版记).
-- page, grid and faces: (jbgrid)
return {
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
}
