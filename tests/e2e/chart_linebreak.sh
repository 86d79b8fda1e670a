#!/usr/bin/env bash
# chart_linebreak.sh: chart labels break by the rules of body text. The charts plugin wraps
# a long legend label to two lines through the host's line breaker (plugin.h: break_lines,
# core/wrap.c), so the 避头尾 rules are the same as in paragraphs: no line starts with a
# closing mark (。，）」” among them) and none ends with an opening mark (（「“).
#
# Pie legends whose labels carry each mark at every position around the point where the
# line is full, read back with pdftotext -raw (one text line per drawn line): for each mark
# some label must break right beside it (the case is exercised), and no label line may
# start with a closing mark or end with an opening one. Before ABI 1.2 the plugin had its
# own list of 13 closing marks (no 」) and no opening-mark rule, and this test failed.
set -euo pipefail
source "$(dirname "$0")/lib/common.bash"

unset COUNTYBRIEF_PLUGIN_DIR COUNTYBRIEF_PLUGIN_PATH

REPORT=$TMP/labels.lua
cat >"$REPORT" <<'EOF'
-- pie legends of two labels (more may merge into 其他) of 44 characters: MARK after K
-- filler characters, K = 20..39
doc:title("图例避头尾")
local FILL = "春夏秋冬东南西北甲乙丙丁戊己庚辛壬癸子丑寅卯辰巳午未申酉戌亥金木水火土日月星天地玄黄宇宙洪荒"
local function first(n) return FILL:sub(1, utf8.offset(FILL, n + 1) - 1) end
for _, mark in ipairs({ "。", "，", "）", "」", "”", "（", "「", "“" }) do
  for k0 = 20, 38, 2 do
    local slices = {}
    for k = k0, k0 + 1 do
      slices[#slices + 1] = { label = first(k) .. mark .. first(43 - k), value = 1 }
    end
    doc:add("chart.pie", { title = "图例" .. k0 .. mark, slices = slices })
  end
end
EOF
cb render --report "$REPORT" --out "$TMP/out" --county 500233
check_eq "render the legends: exit 0" 0 "$RC"
PDF=$TMP/out/500233-忠县.pdf
[[ -f $PDF ]] || { not_ok "the PDF was written" "$(cat "$TMP/stderr")"; finish; exit 1; }
# the lines as drawn (lib/glyphs.py): pdftotext -raw splits a line where a mark set half
# width (core/typeset.c) overlaps its neighbour; each line as "X<tab>TEXT", X its left edge
"$PY" "$E2E_LIB/glyphs.py" "$PDF" | sed -E "s/^[0-9]+ [0-9.]+ ([0-9.]+) [0-9.]+: /\1\t/" >"$TMP/raw.txt"

"$PY" - "$TMP/raw.txt" >"$TMP/check.out" <<'EOF' || true
import sys
FILL = "春夏秋冬东南西北甲乙丙丁戊己庚辛壬癸子丑寅卯辰巳午未申酉戌亥金木水火土日月星天地玄黄宇宙洪荒"
CLOSING, OPENING = "。，）」”", "（「“"
rows = [l.rstrip("\n").split("\t", 1) for l in open(sys.argv[1], encoding="utf-8")]
labels = {x for x, t in rows if t.startswith(FILL[:20])}  # the legends' label column
lines = [t.strip() for x, t in rows if x in labels]
exercised, bad, found = set(), [], 0
for i, l in enumerate(lines):
    # a label's first line: filler, its mark, filler; the second line follows it
    if not l.startswith(FILL[:20]) or i + 1 >= len(lines):
        continue
    nxt = lines[i + 1]
    if not nxt or nxt.startswith(FILL[:20]):
        continue  # one line: the next label follows
    found += 1
    label = l + nxt
    m = next(c for c in label if c in CLOSING + OPENING)
    k = label.index(m)
    b = len(l)
    # where a break would break the rule: before a closing mark, after an opening one
    at = k if m in CLOSING else k + 1
    if at - 1 <= b <= at + 1:
        exercised.add(m)
    if nxt[0] in CLOSING:
        bad.append(f"line starts with {nxt[0]}: {l} | {nxt}")
    if l[-1] in OPENING:
        bad.append(f"line ends with {l[-1]}: {l} | {nxt}")
print(f"labels broken in two: {found}")
missing = [m for m in CLOSING + OPENING if m not in exercised]
print("ok - every mark meets a line break" if found and not missing else
      f"FAIL - every mark meets a line break (not: {' '.join(missing)})")
print("ok - no label line starts with a closing mark or ends with an opening one" if not bad else
      "FAIL - no label line starts with a closing mark or ends with an opening one\n  " + "\n  ".join(bad))
EOF
while IFS= read -r line; do
    case $line in
    "ok - "*) ok "${line#ok - }" ;;
    "FAIL - "*) not_ok "${line#FAIL - }" ;;
    *) echo "# $line" ;;
    esac
done <"$TMP/check.out"
grep -qE '^(ok|FAIL) - ' "$TMP/check.out" || not_ok "the check ran" "$(cat "$TMP/check.out")"

finish
