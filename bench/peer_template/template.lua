-- The peer benchmark's page (shared/bench-peers/harubrief.c): A4, 50 pt margins, so text is set
-- to the same 495 pt measure; body 10.5 pt on 18 pt leading (10.5 x 1.7143); 2-em indent; no
-- running header (the peers have none); the default footer 第 X 页 / 共 Y 页. Colours and the
-- other sizes are countybrief's defaults (templates/briefing).
return {
  page = { size = "A4", margin = { top = 50, right = 50, bottom = 50, left = 50 } },
  type = { body = 10.5, leading = 18 / 10.5, indent = 2 },
  header = false,
}
