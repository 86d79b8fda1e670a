#!/usr/bin/env bash
# tabular.sh: tabular digits for the figures role (issue 14: type.faces.figures; core/font.c
# tabular_face). A face whose digits differ in width draws them, in tables, KPI values and
# charts, with its `tnum` glyphs (Cantarell, a CFF face: 1 is 0.42 em, 0 is 0.61 em) or,
# where it has none, its `hwid` ones (Noto Serif CJK SC: 1 is 0.47 em, 0 is 0.56 em), so a
# right-aligned column of numbers lines up digit under digit. Read back with PyMuPDF: in a
# right-aligned column, every number of the same count of digits starts at the same x and
# each digit is as wide as the others; the text extracts as the digits (ToUnicode maps the
# substituted glyphs back); the same digits in body text stay proportional. A face whose
# digits are already of one width (WenQuanYi Micro Hei, DejaVu, Noto Sans CJK) is drawn as
# before.
set -euo pipefail
source "$(dirname "$0")/lib/common.bash"

need_python fitz "PyMuPDF (python3-fitz)"
CANT=/usr/share/fonts/opentype/cantarell/Cantarell-Regular.otf
SERIF=/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc
cd "$TMP"

cat >report.lua <<'EOF'
doc:title("等宽数字测试")
local nums = { "1111", "8888", "1010", "4747", "111.1", "808.8", "11", "90", "1,111", "9,090" }
local rows = {}
for i, n in ipairs(nums) do rows[i] = { "指标", n } end
doc:table { columns = { { title = "项目", width = 2 }, { title = "数值", width = 1, align = "right" } },
            rows = rows }
doc:paragraph("正文中的数字1111与8888保持比例宽度。")
EOF

# render_with NAME FILE INDEX: the report with the figures role in face INDEX of FILE and
# the body in Noto Serif CJK SC (proportional digits), into out-NAME; the PDF's path in $PDF
render_with() {
    local name=$1 file=$2 index=$3
    mkdir -p "tpl-$name"
    printf 'return { type = { faces = { body = "%s:2", figures = "%s:%s" } } }\n' "$SERIF" "$file" "$index" \
        >"tpl-$name/template.lua"
    cb render --report report.lua --county 500233 --template "$TMP/tpl-$name" --out "out-$name" --quiet --no-fsync
    PDF=$(ls "out-$name"/*.pdf 2>/dev/null | head -1)
    check_eq "$name as the figures face: renders (exit 0, no message)" "0|" "$RC|$(cat "$TMP/stderr")"
}

# column_check NAME: the right-aligned column's numbers, as PyMuPDF reads them
column_check() {
    "$PY" - "$PDF" "$1" <<'EOF'
import re, sys, collections
import fitz
path, name = sys.argv[1:]
want = ["1111", "8888", "1010", "4747", "111.1", "808.8", "11", "90", "1,111", "9,090"]
doc = fitz.open(path)
page = doc[0]
chars = [c for b in page.get_text("rawdict")["blocks"] for l in b.get("lines", [])
         for s in l["spans"] for c in s["chars"]]
lines = collections.defaultdict(list)
for c in chars:
    lines[round(c["origin"][1], 1)].append(c)
cells, body = [], []
for y, cs in sorted(lines.items()):
    cs.sort(key=lambda c: c["bbox"][0])
    text = "".join(c["c"] for c in cs)
    if text.startswith("正文"):
        body = [c for c in cs if c["c"].isdigit()]
    m = re.match(r"^指标\s*(\S+)$", text)
    if m:
        num = [c for c in cs if c["c"] in "0123456789.,"]
        cells.append(("".join(c["c"] for c in num), num))
ok = lambda good, what: print(("ok - " if good else "FAIL - ") + name + ": " + what)
got = [t for t, _ in cells]
ok(got == want, "the column's numbers extract as the digits (%s)" % " ".join(got))
digits = [c for _, num in cells for c in num if c["c"].isdigit()]
widths = sorted({round(c["bbox"][2] - c["bbox"][0], 2) for c in digits})
ok(len(widths) == 1, "every digit in the column one width (widths %s pt)" % widths)
by_shape = collections.defaultdict(set)
for text, num in cells:
    by_shape[re.sub(r"\d", "9", text)].add(round(num[0]["bbox"][0], 2))
ragged = {k: sorted(v) for k, v in by_shape.items() if len(v) > 1}
ok(not ragged, "numbers of one shape start at one x, right-aligned (%s)" % (ragged or "all aligned"))
rights = sorted({round(num[-1]["bbox"][2], 1) for _, num in cells})
ok(len(rights) == 1, "... and end at one x (%s)" % rights)
bw = {c["c"]: round(c["bbox"][2] - c["bbox"][0], 2) for c in body}
ok(len(bw) == 2 and bw["1"] < bw["8"], "the body text's digits keep their own widths (1: %s, 8: %s)"
   % (bw.get("1"), bw.get("8")))
EOF
}

if [[ -f $CANT ]]; then
    render_with cantarell "$CANT" 0
    [[ -n $PDF ]] && run_checks column_check cantarell
    check "... its tnum digits are a subset of their own (pdffonts: Cantarell-Regular-tnum)" \
        grep -q 'Cantarell-Regular-tnum .*CID Type 0C .* yes yes yes' <(pdffonts "$PDF")
    check "... each code draws the tnum glyph of the digit its ToUnicode names, at its width (lib/cff_check.py)" \
        "$PY" "$E2E_LIB/cff_check.py" "$PDF" "$CANT" "$SERIF:2"
    # a bold face's tabular digits (a table's header, KPI values) are that bold face's:
    # drawn as they are, never faux bold over it (render mode 2)
    printf 'return { type = { faces = { body = "%s:2", figures = { regular = "%s", bold = "%s" } } } }\n' \
        "$SERIF" "$CANT" "${CANT/Regular/Bold}" >tpl-cantarell/template.lua
    cb render --county 500233 --template "$TMP/tpl-cantarell" --out out-bold --quiet --no-fsync
    check_eq "Cantarell and Cantarell Bold as the figures faces: Cantarell-Bold-tnum drawn in render mode 0 only" \
        "0 0" "$RC $("$PY" - out-bold/*.pdf <<'EOF'
import sys, pikepdf
pdf, modes = pikepdf.open(sys.argv[1]), set()
for page in pdf.pages:
    fonts, font, mode = page.Resources.get("/Font", {}), None, 0
    for operands, op in pikepdf.parse_content_stream(page):
        op = str(op)
        if op == "Tf": font = str(fonts[operands[0]].BaseFont).split("+")[-1]
        elif op == "Tr": mode = int(operands[0])
        elif op in ("Tj", "TJ") and font == "Cantarell-Bold-tnum": modes.add(mode)
print(" ".join(str(m) for m in sorted(modes)) or "none")
EOF
)"
else
    skip "Cantarell (a face with tnum) as the figures face" "fonts-cantarell is not installed (.ci/install-deps --test)"
fi
if [[ -f $SERIF ]]; then
    render_with notoserif "$SERIF" 2
    [[ -n $PDF ]] && run_checks column_check notoserif
    check "... each code draws the hwid glyph of the digit its ToUnicode names, at its width (lib/cff_check.py)" \
        "$PY" "$E2E_LIB/cff_check.py" "$PDF" "$SERIF:2"
else
    skip "Noto Serif CJK SC (hwid) as the figures face" "fonts-noto-cjk is not installed"
fi

# digits already of one width: no second face
render_with wqy /usr/share/fonts/truetype/wqy/wqy-microhei.ttc 0
check_eq "WenQuanYi Micro Hei as the figures face: one face, its digits as they are" "WenQuanYiMicroHei" \
    "$(pdffonts "$PDF" 2>/dev/null | awk 'NR > 2 {print $1}' | sed 's/^[A-Z]*+//' | grep -v NotoSerif | sort -u | paste -sd' ')"

finish
