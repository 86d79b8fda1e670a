-- Dashboard: A4 landscape, teal and amber, a logo at the top right. See docs/templates.md.
local teal = "#0f5c6e"
return {
  page = {
    size = "A4",
    orientation = "landscape",
    margin = { top = 56, right = 48, bottom = 48, left = 48 },
  },
  type = {
    body = 9.5, leading = 1.55, title = 20, h1 = 13, h2 = 10.5,
    small = 7.5, table = 8.5, indent = 2, justify = true,
    faces = { body = "Noto Sans CJK SC", heading = "Noto Sans CJK SC", figures = "Noto Sans CJK SC" },
  },
  colors = {
    primary = teal, accent = "#d9822b", text = "#1e2328", muted = "#5f6b73",
    rule = "#b7c7cc", band = "#eff5f6", panel = "#e6f1f3", bar = "#2a8c9e",
  },
  header = { zh = "{title} · 数据看板", en = "{title} · Dashboard" },
  footer = "{page} / {pages}",
  logo = "logo.png",
}
