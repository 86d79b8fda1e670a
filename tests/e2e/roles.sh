#!/usr/bin/env bash
# roles.sh: typeface roles in templates (type.faces, docs/templates.md; core/typeface.c).
# A template naming TrueType faces for the roles (HanaMinA body, WenQuanYi Micro Hei
# headings, its Mono face from a file in the template folder for figures, DejaVu Serif for
# Latin) embeds each face once, and the characters read back (PyMuPDF) are in the face of
# their role: headings in the heading face, paragraphs in the body face, tables in the
# figures face, Latin letters and digits in the Latin face whatever the role; bold text is
# drawn in a real bold face where the role has one (DejaVu Serif Bold, found through
# fontconfig: render mode 0) and faux bold (render mode 2) where not. A role file that is
# missing or not a font is refused in one line naming the template file and the field;
# changing a role's face re-renders (the batch's input hash). The briefing template asks
# for Noto Serif CJK SC (body) and Noto Sans CJK SC (headings, figures): without them it
# takes WenQuanYi Micro Hei; with them (FONTCONFIG_FILE naming a configuration that has
# them) the choice is checked as COUNTYBRIEF_SHOW_FONTS=1 prints it (embedding the CFF
# Noto faces is another part of issue 14: whether they are then used or fall back, each
# role names the Noto face it resolved to).
set -euo pipefail
source "$(dirname "$0")/lib/common.bash"

unset COUNTYBRIEF_PLUGIN_DIR COUNTYBRIEF_PLUGIN_PATH
cd "$TMP"
WQY=/usr/share/fonts/truetype/wqy/wqy-microhei.ttc
for f in "$WQY" /usr/share/fonts/truetype/hanazono/HanaMinA.ttf /usr/share/fonts/truetype/dejavu/DejaVuSerif.ttf; do
    if [[ ! -f $f ]]; then # .ci/install-deps: fonts-wqy-microhei, fonts-hanazono, fonts-dejavu-core
        not_ok "$f is installed (.ci/install-deps)"
        finish || exit 1
    fi
done
if ! "$PY" -c 'import fitz, pikepdf' 2>/dev/null; then
    skip_all "PyMuPDF and pikepdf not installed (python3-fitz, python3-pikepdf: .ci/install-deps --test)"
fi

# a template: the briefing's, with the roles set to $1
mkdir -p tpl
cp "$CB_SRC/templates/briefing/template.lua" tpl/
cp "$WQY" tpl/wqy.ttc
set_faces() {
    "$PY" - "$CB_SRC/templates/briefing/template.lua" tpl/template.lua "$1" <<'EOF'
import re, sys
src, dst, faces = sys.argv[1:]
text = open(src, encoding="utf-8").read()
text, n = re.subn(r"(?s)\n    faces = \{.*?\n    \},", "\n    faces = " + faces + ",", text)
assert n == 1, "the briefing template has no type.faces"
open(dst, "w", encoding="utf-8").write(text)
EOF
}
FACES='{ body = "HanaMinA", heading = "WenQuanYi Micro Hei", figures = "wqy.ttc:1", latin = "DejaVu Serif" }'
set_faces "$FACES"

# --- every role in its face --------------------------------------------------------------
COUNTYBRIEF_SHOW_FONTS=1 cb render --county 忠县 --template "$TMP/tpl" --out out --no-fsync
PDF=out/500233-忠县.tpl.pdf
check_eq "render with roles: exit 0, no warning" "0|" "$RC|$(grep -v '^countybrief: fonts: ' "$TMP/stderr" || true)"
fonts=$(pdffonts "$PDF" 2>/dev/null | awk 'NR > 2 {print $1}' | sed 's/^[A-Z]*+//' | sort | paste -sd' ')
check_eq "pdffonts: each role's face once, and the Latin face's bold weight" \
    "DejaVuSerif DejaVuSerif-Bold HanaMinA WenQuanYiMicroHei WenQuanYiMicroHeiMono" "$fonts"
check "COUNTYBRIEF_SHOW_FONTS=1 names each role's face" grep -q \
    "^countybrief: fonts: figures: $TMP/tpl/wqy.ttc:1 (bold: faux)" "$TMP/stderr"

# what each character is drawn in: PyMuPDF's font name per character, and the render mode
# of each text run (pikepdf: the content stream's Tf and Tr)
"$PY" - "$PDF" >faces.txt <<'EOF'
import collections, re, sys
import fitz, pikepdf
path = sys.argv[1]
doc = fitz.open(path)
for page in doc:
    for block in page.get_text("rawdict")["blocks"]:
        for line in block.get("lines", []):
            for span in line["spans"]:
                text = "".join(ch["c"] for ch in span["chars"]).strip()
                if text: print("span", re.sub(r"^[A-Z]{6}\+", "", span["font"]), round(span["size"]), text)
pdf = pikepdf.open(path)
modes = collections.defaultdict(set)
for page in pdf.pages:
    fonts = page.Resources.get("/Font", {})
    font, mode = None, 0
    for operands, op in pikepdf.parse_content_stream(page):
        op = str(op)
        if op == "Tf": font = re.sub(r"^[A-Z]{6}\+", "", str(fonts[operands[0]].BaseFont)[1:])
        elif op == "Tr": mode = int(operands[0])
        elif op in ("Tj", "TJ"): modes[font].add(mode)
for font, ms in sorted(modes.items()):
    print("mode", font, " ".join(str(m) for m in sorted(ms)))
EOF
# font_of SIZE TEXT...: the fonts of the spans of SIZE points (rounded; - any) that are one
# of TEXT, sorted, distinct; font_in TEXT: of those that hold it
font_of() {
    local size=$1
    shift
    for t in "$@"; do
        awk -v t="$t" -v s="$size" '$1 == "span" && (s == "-" || $3 == s) {f = $2; $1 = $2 = $3 = ""; if (substr($0, 4) == t) print f}' faces.txt
    done | sort -u | paste -sd' '
}
font_in() { awk -v t="$1" '$1 == "span" && index($0, t) {print $2}' faces.txt | sort -u | paste -sd' '; }
mode() { awk -v f="$1" '$1 == "mode" && $2 == f {$1 = $2 = ""; print substr($0, 3)}' faces.txt; }
check_eq "the title and headings in the heading face" "WenQuanYiMicroHei" \
    "$(font_of - 概况 援助资金投向 重点援建项目)"
check_eq "paragraphs' Han characters in the body face" "HanaMinA" "$(font_in 忠县隶属重庆市。)"
check_eq "... their digits in the Latin face" "DejaVuSerif" "$(font_of 10 4715 86.54)"
check_eq "table cells and headers in the figures face" "WenQuanYiMicroHeiMono" \
    "$(font_of - 忠文化展览馆 成效与说明)"
check_eq "KPI values: digits in the Latin face's bold weight, words in the figures face" \
    "DejaVuSerif-Bold WenQuanYiMicroHeiMono" "$(font_of 20 4.05 2396) $(font_of 10 亿元 余人次)"
check_eq "bold in a real bold face: never faux (render mode 0 only)" "0" "$(mode DejaVuSerif-Bold)"
check_eq "bold in faces without a bold weight: faux bold (render mode 2); the headings are all bold" "2" \
    "$(mode WenQuanYiMicroHei)"
check_eq "... the figures face: regular cells, faux bold headers" "0 2" "$(mode WenQuanYiMicroHeiMono)"

# --- a role's face changed: the county renders again -------------------------------------
summary() { grep -o '^[0-9]* rendered, [0-9]* skipped' "$TMP/stdout" || true; }
mkdir -p lat
printf 'return { type = { faces = { latin = "lat.ttf" } } }\n' >lat/template.lua
cp /usr/share/fonts/truetype/dejavu/DejaVuSerif.ttf lat/lat.ttf
cb render --county 忠县 --template "$TMP/lat" --out outl --no-fsync
cb render --county 忠县 --template "$TMP/lat" --out outl --no-fsync
check_eq "the same roles: nothing re-rendered" "0 0 rendered, 1 skipped" "$RC $(summary)"
cp /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf lat/lat.ttf
cb render --county 忠县 --template "$TMP/lat" --out outl --no-fsync
check_eq "a role's font file replaced (template.lua unchanged): rendered again, in the new face" \
    "0 1 rendered, 0 skipped DejaVuSans" \
    "$RC $(summary) $(pdffonts outl/500233-忠县.lat.pdf 2>/dev/null | awk 'NR > 2 {print $1}' | sed 's/^[A-Z]*+//' | grep DejaVu)"
printf 'return { type = { faces = { latin = "lat.ttf", heading = "HanaMinA" } } }\n' >lat/template.lua
cb render --county 忠县 --template "$TMP/lat" --out outl --no-fsync
check_eq "a role added to the template: rendered again" "0 1 rendered, 0 skipped" "$RC $(summary)"

# --- a role file missing or not a font: one line naming the template file and the field ------
set_faces '{ heading = "WenQuanYi Micro Hei", figures = { regular = "wqy.ttc", bold = "fonts/missing.ttf" } }'
cb render --county 忠县 --template "$TMP/tpl" --out bad --no-fsync
check_eq "a missing role file: exit 4, one line naming the template, the field and the file" \
    "4|countybrief: $TMP/tpl/template.lua: type.faces.figures.bold: font file $TMP/tpl/fonts/missing.ttf not found|" \
    "$RC|$(cat "$TMP/stderr")|$(ls bad 2>/dev/null || true)"
printf 'not a font\n' >tpl/text.ttf
set_faces '{ latin = "text.ttf" }'
cb render --county 忠县 --template "$TMP/tpl" --out bad --no-fsync
check_eq "a role file that is no font: exit 4, one line naming the template and the field" \
    "4 1" "$RC $(wc -l <"$TMP/stderr")"
check "... it reads \"TEMPLATE: type.faces.latin: FILE: not a ...\"" grep -q \
    "^countybrief: $TMP/tpl/template.lua: type.faces.latin: $TMP/tpl/text.ttf: " "$TMP/stderr"
set_faces '{ headings = "WenQuanYi Micro Hei" }'
cb render --county 忠县 --template "$TMP/tpl" --out bad --no-fsync
check_eq "an unknown role: exit 4, one line naming it" \
    "4|countybrief: $TMP/tpl/template.lua: type.faces.headings: not a role (body, heading, figures, latin, title, heading2)" \
    "$RC|$(cat "$TMP/stderr")"

# --- the briefing template: Noto when installed, WenQuanYi Micro Hei when not ---------------
# without Noto: the system's configuration (its family preferences too: a bare list of font
# folders ranks the Chinese faces in no useful order, AR PL UKai before WenQuanYi) with the
# Noto CJK faces rejected, as on a machine that lacks them
cat >nonoto.conf <<XML
<?xml version="1.0"?>
<!DOCTYPE fontconfig SYSTEM "urn:fontconfig:fonts.dtd">
<fontconfig><cachedir>$TMP/fccache</cachedir><include ignore_missing="yes">/etc/fonts/fonts.conf</include>
<selectfont><rejectfont><glob>*/NotoSansCJK*</glob><glob>*/NotoSerifCJK*</glob></rejectfont></selectfont></fontconfig>
XML
FONTCONFIG_FILE=$TMP/nonoto.conf COUNTYBRIEF_SHOW_FONTS=1 cb render --county 忠县 --out plain --no-fsync
check_eq "briefing without Noto: exit 0, every role in WenQuanYi Micro Hei" "0 WenQuanYiMicroHei" \
    "$RC $(pdffonts plain/500233-忠县.pdf 2>/dev/null | awk 'NR > 2 {print $1}' | sed 's/^[A-Z]*+//' | sort -u | paste -sd' ')"
check "... each role said to fall back quietly (COUNTYBRIEF_SHOW_FONTS=1)" grep -q \
    '^countybrief: fonts: heading: "Noto Sans CJK SC" is not installed: the body face instead$' "$TMP/stderr"
cb render --county 忠县 --out plain2 --no-fsync --quiet --font "$WQY"
check_eq "--font overrides the body face" "0" "$RC"

# with Noto: the configuration $FONTCONFIG_FILE names (or the system's) must list them
if fc-list 'Noto Serif CJK SC' file | grep -q . && fc-list 'Noto Sans CJK SC' file | grep -q .; then
    COUNTYBRIEF_SHOW_FONTS=1 cb render --county 忠县 --out noto --no-fsync --quiet
    # used: "body: FILE:2 (bold: ...)"; else "body: "Noto Serif CJK SC" is FILE:2, which cannot be used"
    for role in "body NotoSerifCJK" "heading NotoSansCJK" "figures NotoSansCJK"; do
        set -- $role
        check "briefing with Noto: $1 resolves to $2-Regular.ttc face 2 (SC)" grep -qE \
            "^countybrief: fonts: $1: (\"[^\"]*\" is )?/[^ ]*/$2-Regular\.ttc:2[ ,]" "$TMP/stderr"
    done
    if grep -q '^countybrief: fonts: heading: /[^ ]*NotoSansCJK-Regular\.ttc:2 ' "$TMP/stderr"; then
        check "... headings bold in Noto Sans CJK Bold (NotoSansCJK-Bold.ttc face 2), no faux bold" grep -qE \
            '^countybrief: fonts: heading: .*\(bold: /[^ ]*/NotoSansCJK-Bold\.ttc:2\)$' "$TMP/stderr"
    else
        skip "headings bold in Noto Sans CJK Bold" "the Noto faces (CFF) cannot be embedded by this build"
    fi
else
    skip "the briefing template with Noto" "Noto Serif/Sans CJK SC not installed (fonts-noto-cjk; or FONTCONFIG_FILE=/work/fc/fonts.conf)"
fi
finish
