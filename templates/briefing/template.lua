-- The default look: A4 portrait, navy headings, red key figures.
-- A template returns one table; every field is optional (see docs/templates.md).
return {
  page = {
    size = "A4",
    orientation = "portrait",
    margin = { top = 62, right = 54, bottom = 64, left = 54 },
  },
  type = {
    body = 10.5,     -- points
    leading = 1.7,   -- line height as a multiple of the size
    title = 22,
    h1 = 14,
    h2 = 11.5,
    small = 8.5,
    table = 9.5,
    indent = 2,      -- first-line indent of paragraphs, in characters
    justify = true,
    -- typeface roles (docs/templates.md): a fontconfig family or a font file each; a role
    -- whose font is not installed takes the default Chinese face (WenQuanYi Micro Hei)
    faces = {
      body = "Noto Serif CJK SC",   -- paragraphs
      heading = "Noto Sans CJK SC", -- title and headings
      figures = "Noto Sans CJK SC", -- KPI values, tables, charts
    },
  },
  colors = {
    primary = "#1a3a6b",
    accent  = "#b8322a",
    text    = "#222222",
    muted   = "#6b6b6b",
    rule    = "#c0c4cc",
    band    = "#f3f5f8",
    panel   = "#eef3fa",
    bar     = "#2e6bb5",
  },
  header = "{title}",
  -- a text may differ by language (--lang): a table { zh = ..., en = ... }
  footer = { zh = "第 {page} 页 / 共 {pages} 页", en = "Page {page} of {pages}" },
}
