#!/usr/bin/env bash
# columns.sh: no word of the example briefings is wider than its table column, in any
# shipped template and either language (a word that is gets split mid-word on the page).
# The check that warns of it measures a header in the bold face it is drawn in: a real
# bold face is wider than the regular one ("Classes" in Noto Sans CJK Bold at 9.5 pt
# overflowed a column the regular weight fitted, and was split "Classe|s" unwarned).
set -euo pipefail
source "$(dirname "$0")/lib/common.bash"

for t in briefing onepager dashboard jianbao; do
    for l in zh en; do
        cb render --template "$t" --lang "$l" --out "$TMP/o-$t-$l" --no-fsync
        check_eq "$t, --lang $l: exit 0, no word wider than its column" "0|" \
            "$RC|$(grep -F 'wider than its column' "$TMP/stderr" | cut -c1-200 | head -n 3 || true)"
    done
done

# the header is measured bold: "Classes" at 9.5 pt is 35.8 pt in DejaVu Sans (the English
# Latin face) and 40.0 pt in DejaVu Sans Bold; a column of 48 pt (38 pt inside its padding
# of 5 pt a side) on the briefing's 487.28 pt text width fits the one and not the other;
# the other column's word of 85 x (about 478 pt) leaves no room to widen it (a table
# whose widest words all fit gets them, layout_table.c, and nothing is split)
if fc-list 'DejaVu Sans:bold' file | grep -q .; then
    cd "$TMP"
    mkdir -p r
    cat >r/r.lua <<'LUA'
report { languages = { "zh", "en" } }
doc:table { columns = { { title = "Programme", width = 439.28 }, { title = "Classes", width = 48 } },
            rows = { { string.rep("x", 85), "1" } } }
LUA
    cb render --report r/r.lua --lang en --county 忠县 --out "$TMP/r" --no-fsync
    check "a bold header wider than its column warns, naming the header" \
        grep -qF 'column "Classes", header: "Classes"' "$TMP/stderr"
else
    skip "a bold header wider than its column warns" "DejaVu Sans Bold is not installed"
fi
finish
