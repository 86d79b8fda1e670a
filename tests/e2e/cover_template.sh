#!/usr/bin/env bash
# cover_template.sh: template keys as a reader of the PDF sees them (core/template.c;
# tests/README.md, coverage; test_cover_template.c checks each key and refusal one by
# one): page.size A5 and Letter in landscape give those page sizes; header = false leaves
# the header out; a footer by language is the English one in an English document and the
# default in a Chinese one; a broken template.lua is refused naming template.lua:line, no PDF.
set -euo pipefail
source "$(dirname "$0")/lib/common.bash"

render_with() { # NAME TEMPLATE_LUA [ARGS...]: renders 忠县 with that template into $TMP/o-NAME
    local name=$1 lua=$2
    shift 2
    mkdir -p "$TMP/t-$name"
    printf '%s\n' "$lua" >"$TMP/t-$name/template.lua"
    cb render --template "$TMP/t-$name" --county 忠县 --out "$TMP/o-$name" --no-fsync --quiet "$@"
    pdf=$(ls "$TMP/o-$name"/*.pdf 2>/dev/null | head -n 1 || true)
}
page_size() { pdfinfo "$1" 2>/dev/null | awk '/^Page size:/ {print $3 " x " $5}'; }

render_with a5 'return { page = { size = "A5" } }'
check_eq "page.size A5: exit 0, 419.528 x 595.276 pt" "0 419.528 x 595.276" "$RC $(page_size "$pdf")"
render_with letter 'return { page = { size = "letter", orientation = "landscape" } }'
check_eq "page.size Letter, landscape: exit 0, 792 x 612 pt" "0 792 x 612" "$RC $(page_size "$pdf")"

render_with texts 'return { header = false, footer = { zh = "中文页脚 {page}", en = "English footer {page}" } }' --lang en
text=$(pdftext "$pdf" - 2>/dev/null)
check_eq "English: exit 0, the footer's en entry on every page, no zh one" \
    "0 $(pdfinfo "$pdf" | awk '/^Pages:/ {print $2}') 0" \
    "$RC $(grep -c 'English footer [0-9]' <<<"$text") $(grep -c 中文页脚 <<<"$text" || true)"
title=$(pdfinfo "$pdf" | sed -n 's/^Title: *//p')
check_eq "header = false: the title is not repeated at the top of page 2" "" \
    "$(pdftext -f 2 -l 2 "$pdf" - 2>/dev/null | head -n 3 | grep -F "$title" || true)"
render_with texts-zh 'return { footer = { en = "English footer {page}" } }'
check "Chinese, a footer with no zh entry: the default footer" grep -q '第1页/共' <<<"$(pdftext "$pdf" - 2>/dev/null | tr -d ' ')"

render_with broken $'return {\n  page = { size = "A4" },\n  colors = { primary = "#123456" '
check_eq "a template.lua that does not parse: exit 4, no PDF" "4 " "$RC $pdf"
check "... the message names template.lua and the line" grep -qF "$TMP/t-broken/template.lua:4: '}' expected (to close '{' at line 3) near <eof>" "$TMP/stderr"

finish
