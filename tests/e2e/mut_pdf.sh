#!/usr/bin/env bash
# mut_pdf.sh: PDF objects that the other PDF checks let through (mutants of
# tests/mutation/): with SOURCE_DATE_EPOCH both of the PDF's dates, creation and
# modification, are that moment in UTC, so a re-render at another time is the same file;
# and the font's width array (/W) gives each glyph its own width, so a reader places
# "iiii" and "mmmm" at their widths (m is more than twice as wide as i in any of the fonts).
set -euo pipefail
source "$(dirname "$0")/lib/common.bash"

SOURCE_DATE_EPOCH=1700000000 cb render --county 忠县 --out "$TMP/out" --no-fsync --quiet
check_eq "render with SOURCE_DATE_EPOCH: exit 0" 0 "$RC"
for key in CreationDate ModDate; do
    check_eq "$key is SOURCE_DATE_EPOCH (2023-11-14T22:13:20Z)" "2023-11-14T22:13:20Z" \
        "$(pdfinfo -isodates "$TMP/out/500233-忠县.pdf" 2>/dev/null | sed -n "s/^$key: *//p" || true)"
done

mkdir -p "$TMP/rep"
printf 'doc:title("甲")\ndoc:paragraph("iiii mmmm")\n' >"$TMP/rep/w.lua"
cb render --report "$TMP/rep/w.lua" --county 忠县 --out "$TMP/w" --no-fsync --quiet
check_eq "a report of iiii and mmmm: exit 0" 0 "$RC"
ratio=$(pdftotext -bbox "$TMP/w/500233-忠县.pdf" - 2>/dev/null | "$PY" -c '
import re, sys
w = {m.group(3): float(m.group(2)) - float(m.group(1))
     for m in re.finditer(r"<word xMin=\"([0-9.]+)\" yMin=\"[0-9.]+\" xMax=\"([0-9.]+)\" yMax=\"[0-9.]+\">(\w+)</word>", sys.stdin.read())}
print("%.2f" % (w["mmmm"] / w["iiii"]) if w.get("iiii") else "none")')
check "the widths of mmmm and iiii as read back: more than 2:1 (got $ratio)" \
    "$PY" -c 'import sys; sys.exit(not float(sys.argv[1]) > 2)' "$ratio"
finish
