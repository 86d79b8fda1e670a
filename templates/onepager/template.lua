-- One page: A4 portrait, condensed. Small type, tight leading and narrow margins, and
-- `condensed`, which asks reports to show less (the briefing: ten projects, no notes
-- column), so a county briefing fits on a single sheet. See docs/templates.md.
return {
  condensed = true,
  page = {
    size = "A4",
    orientation = "portrait",
    margin = { top = 30, right = 28, bottom = 30, left = 28 },
    fit = 1, -- one page: the type a little smaller (to 80 %) when the county has more
  },
  type = {
    body = 7.5, leading = 1.35, title = 15, h1 = 9.5, h2 = 8,
    small = 7, table = 6.5, padding = 0.35, indent = 2, justify = true,
    faces = { body = "Noto Serif CJK SC", heading = "Noto Sans CJK SC", figures = "Noto Sans CJK SC" },
  },
  colors = {
    primary = "#1a3a6b", accent = "#b8322a", text = "#222222", muted = "#6b6b6b",
    rule = "#c0c4cc", band = "#f3f5f8", panel = "#eef3fa", bar = "#2e6bb5",
  },
  header = "{title}",
  footer = { zh = "{title} · 第 {page} 页 / 共 {pages} 页", en = "{title} · page {page} of {pages}" },
}
