#!/usr/bin/env bash
# cover_pdf.sh: core/pdf.c paths no other test takes (tests/README.md, coverage): the
# document title and bookmarks hold characters beyond U+FFFF (UTF-16 surrogate pairs) and
# plain ASCII as written; a logo is embedded once and drawn on every page.
set -euo pipefail
source "$(dirname "$0")/lib/common.bash"
cd "$TMP"

printf 'doc:title(county.name .. "\\u{20000}村")\ndoc:heading("章\\u{20001}节")\ndoc:heading("plain ascii heading")\ndoc:paragraph("x")\n' >t.lua
cb render --report t.lua --county 忠县 --out out --quiet
P=out/500233-忠县.pdf
check_eq "a title beyond U+FFFF: exit 0, the document's title as written" "0 忠县𠀀村" "$RC $(pdf_info "$P" Title)"
check_eq "bookmarks: beyond U+FFFF and ASCII, as written" "章𠀁节|plain ascii heading" \
    "$(qpdf --json --json-key=outlines "$P" | "$PY" -c 'import json,sys; print("|".join(o["title"] for o in json.load(sys.stdin)["outlines"]))')"

printf 'doc:title(county.name)\nfor i = 1, 120 do doc:paragraph("第" .. i .. "段，文字文字文字文字。") end\n' >long.lua
cb render --template dashboard --report long.lua --county 忠县 --out logo --quiet
P=logo/500233-忠县.dashboard.pdf # a template other than the default names its files
pages=$(pdf_pages "$P")
check_eq "the dashboard report: exit 0" 0 "$RC"
check "... several pages" test "${pages:-0}" -ge 3
{ pdfimages -list "$P" 2>/dev/null || true; } | awk 'NR > 2 && $3 == "image" {print $1, $11}' >images
check_eq "the logo on every page" "$pages" "$(cut -d' ' -f1 images | sort -u | wc -l)"
check_eq "... one image object for all of them" 1 "$(cut -d' ' -f2 images | sort -u | wc -l)"


finish
