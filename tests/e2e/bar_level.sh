#!/usr/bin/env bash
# bar_level.sh: a bar chart's labels and values sit level with their bars in every face
# (plugins/charts/hbar.c: cx_level, the rule of core/layout_int.h's baseline_centred for text beside what it labels). Read
# back with PyMuPDF: per bar, the middle of each text's ideographic em box (its baseline
# less 0.38 of its size; the label's lines averaged) is within 0.1 pt of the bar's
# middle, for the label and for the value, with the body in WenQuanYi Micro Hei, Noto
# Serif CJK SC (a tall ascender: the labels sat 0.7 pt below their values) and Noto Sans
# CJK SC, and in English (DejaVu Sans).
set -euo pipefail
source "$(dirname "$0")/lib/common.bash"

need_python fitz "PyMuPDF (python3-fitz)"
cd "$TMP"

cat >report.lua <<'EOF'
report { languages = { "zh", "en" } }
doc:title("条形图文字对齐测试")
doc:barchart { title = "各项投入", unit = "万元", bars = {
  { label = "甲", value = 1800 },
  { label = "基础设施建设与产业协作项目资金合计（含民生项目与人才培训）", value = 300, text = "300万元" },
  { label = "Ag 教育", value = 4715 },
  { label = "民生", value = 12.5 },
} }
EOF

# level NAME: per bar, the label's and the value's em-box middles against the bar's
level() {
    "$PY" - "$PDF" "$1" <<'EOF'
import sys
import fitz
path, name = sys.argv[1:]
doc = fitz.open(path)
page = doc[0]
# the bars: filled rectangles at one left edge, at most 13 pt high
rects = [d["rect"] for d in page.get_drawings() if d.get("fill") and d["rect"].height <= 13.01
         and d["rect"].width > 0]
lefts = {}
for r in rects:
    lefts.setdefault(round(r.x0, 1), []).append(r)
bars = max(lefts.values(), key=len)
chars = [(c, s["size"]) for b in page.get_text("rawdict")["blocks"] for l in b.get("lines", [])
         for s in l["spans"] for c in s["chars"] if not c["c"].isspace()]
ok = lambda good, what: print(("ok - " if good else "FAIL - ") + name + ": " + what)
ok(len(bars) == 4, "four bars found (%d)" % len(bars))
worst = []
for r in sorted(bars, key=lambda r: r.y0):
    mid = (r.y0 + r.y1) / 2
    near = [(c, size) for c, size in chars if abs(c["origin"][1] - 0.38 * size - mid) < 14]
    label = [(c, size) for c, size in near if c["bbox"][2] <= r.x0 + 0.01]
    value = [(c, size) for c, size in near if c["bbox"][0] >= r.x1 - 0.01]
    for what, cs in (("label", label), ("value", value)):
        if not cs:
            worst.append("%s of the bar at %.1f not found" % (what, mid))
            continue
        lines = sorted({round(c["origin"][1], 2) for c, _ in cs})
        size = cs[0][1]
        centre = sum(lines) / len(lines) - 0.38 * size
        if abs(centre - mid) > 0.1:
            text = "".join(c["c"] for c, _ in cs)
            worst.append("%s %r %.2f pt %s the bar's middle" % (what, text, abs(centre - mid),
                                                                "below" if centre > mid else "above"))
ok(not worst, "labels and values level with their bars within 0.1 pt (%s)" % ("; ".join(worst) or "all"))
EOF
}

SERIF=/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc
SANS=/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc
for face in "wqy:/usr/share/fonts/truetype/wqy/wqy-microhei.ttc:0" "notoserif:$SERIF:2" "notosans:$SANS:2"; do
    name=${face%%:*} spec=${face#*:}
    if [[ ! -f ${spec%:*} ]]; then
        skip "$name" "${spec%:*} is not installed"
        continue
    fi
    mkdir -p "tpl-$name"
    printf 'return { type = { faces = { body = "%s", figures = "%s", heading = "%s" } } }\n' "$spec" "$spec" "$spec" \
        >"tpl-$name/template.lua"
    cb render --report report.lua --county 500233 --template "$TMP/tpl-$name" --out "out-$name" --quiet --no-fsync
    PDF=$(ls "out-$name"/*.pdf 2>/dev/null | head -1 || true)
    check_eq "$name: renders (exit 0, no message)" "0|" "$RC|$(cat "$TMP/stderr")"
    [[ -n $PDF ]] && run_checks level "$name"
done
cb render --report report.lua --county 500233 --template "$TMP/tpl-notoserif" --lang en --out out-en --quiet --no-fsync
PDF=$(ls out-en/*.pdf 2>/dev/null | head -1 || true)
check_eq "English (DejaVu Sans for Latin): renders (exit 0, no message)" "0|" "$RC|$(cat "$TMP/stderr")"
[[ -n $PDF ]] && run_checks level en

finish
