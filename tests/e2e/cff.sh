#!/usr/bin/env bash
# cff.sh: OpenType CFF fonts (core/font.c, core/font_subset.c, core/cff.c, core/pdf.c add_font) open, measure and
# embed as a CIDFontType0 font whose FontFile3 /CIDFontType0C is the subset's bare CFF
# program, drawn by the CIDs the program's charset gives (HarfBuzz's subset of a CID-keyed
# CFF keeps the original CIDs), with no CIDToGIDMap:
#   * both example briefings with --font at face 2 ("SC") of NotoSerifCJK-Regular.ttc
#     (`--font PATH:INDEX`) and with the template's type.family "Noto Serif CJK SC":
#     pdffonts shows `CID Type 0C` and `emb sub uni`, qpdf --check and poppler (pdftotext,
#     pdftoppm) print nothing; every character leaves ink (lib/ink_check.py); each drawn
#     code is a CID of the embedded program, each ToUnicode code is the CID the original
#     face gives that character and each /W width its advance (lib/cff_check.py, proved
#     able to fail on a copy whose map is off by one); the text reads back as with the
#     default (TrueType) font;
#   * a name-keyed (non-CID) CFF font, made from WenQuanYi's glyphs for the characters of
#     忠县's briefing with fontTools (lib/name_keyed_cff.py: Debian has no such font),
#     embedded with CID = glyph index, 奉节县's other characters from the TrueType fallback;
#   * --font at a TrueType face still gives the default's bytes, a face index beyond the
#     collection is one line, exit 4, and a batch re-renders when only the face changes.
# The briefings are set with a copy of the briefing template without type.faces, so that
# --font sets every role and "the default" is the default Chinese face, WenQuanYi Micro Hei,
# with the Noto faces installed too (the briefing template's own roles: examples.sh, roles.sh).
# The Noto faces (fonts-noto-cjk) must be visible to fontconfig: without them that part
# is skipped (point FONTCONFIG_FILE at a configuration that lists them).
set -euo pipefail
source "$(dirname "$0")/lib/common.bash"

INK=("$PY" "$E2E_LIB/ink_check.py")
CFF=("$PY" "$E2E_LIB/cff_check.py")
export SOURCE_DATE_EPOCH=1700000000
cd "$TMP"

# the briefing template without its typeface roles (type.faces): every role in the body
# face, which is --font where given, else the default Chinese face, WenQuanYi Micro Hei
# (TrueType, chosen before the CFF Noto faces), whether the Noto faces are installed or not
cp -r "$CB_SRC/templates/briefing" plain # its files: 500233-忠县.plain.pdf
"$PY" - plain/template.lua <<'PYEOF'
import re, sys
text, n = re.subn(r"(?s)\n    faces = \{.*?\n    \},", "", open(sys.argv[1]).read())
assert n == 1, "the briefing template has no type.faces"
open(sys.argv[1], "w").write(text)
PYEOF

# render_with NAME ARGS...: the example briefings into out-NAME with that template and ARGS
render_with() {
    local name=$1
    shift
    cb render --quiet --template ./plain --out "out-$name" "$@"
    check_eq "$name: both briefings render" "0 2" "$RC $(ls out-"$name"/*.pdf 2>/dev/null | wc -l)"
    [[ $RC -eq 0 ]] || sed 's/^/    /' "$TMP/stderr"
}

# font_row PDF PSNAME: pdffonts' type and emb/sub/uni columns of the font named PSNAME
font_row() {
    pdffonts "$1" 2>/dev/null | awk -v n="$2" 'NR > 2 { sub(/^[A-Z]+\+/, "", $1); if ($1 != n) next
        row = $2; for (i = 3; i <= NF - 2; i++) row = row " " $i; print row }'
}

# poppler_quiet PDF: 0 if qpdf --check passes without a warning and pdftotext and pdftoppm
# print nothing on stderr
poppler_quiet() {
    qpdf --check "$1" >"$TMP/qpdf.txt" 2>&1 && ! grep -qi warning "$TMP/qpdf.txt" &&
        [[ -z $(pdftotext "$1" /dev/null 2>&1) && -z $(pdftoppm -r 30 -gray "$1" "$TMP/pp" 2>&1) ]]
}

# cff_briefings NAME PSNAME TYPE FACE...: the checks every CFF-set briefing passes
cff_briefings() {
    local name=$1 ps=$2 type=$3
    shift 3
    for pdf in out-"$name"/*.pdf; do
        local county rc=0
        county=$(basename "$pdf" .pdf)
        check_eq "$name $county: pdffonts shows $ps as $type, embedded subset with ToUnicode" \
            "$type Identity-H yes yes yes" "$(font_row "$pdf" "$ps")"
        if poppler_quiet "$pdf"; then ok "$name $county: qpdf --check clean, poppler prints nothing"; else
            not_ok "$name $county: qpdf --check clean, poppler prints nothing" "$(cat "$TMP/qpdf.txt")"; fi
        "${INK[@]}" check "$pdf" >"$TMP/ink.txt" 2>&1 || rc=$?
        if [[ $rc -eq 0 ]]; then ok "$name $county: no character renders blank ($(tail -n 1 "$TMP/ink.txt"))"; else
            not_ok "$name $county: no character renders blank" "$(head -n 5 "$TMP/ink.txt")"; fi
        rc=0
        "${CFF[@]}" "$pdf" "$@" >"$TMP/cff.txt" 2>&1 || rc=$?
        if [[ $rc -eq 0 ]]; then ok "$name $county: codes are the program's CIDs, the map and widths the face's ($(tail -n 1 "$TMP/cff.txt"))"; else
            not_ok "$name $county: codes are the program's CIDs, the map and widths the face's" "$(head -n 5 "$TMP/cff.txt")"; fi
        check_eq "$name $county: the text reads back as with the default font" "$(flat out-tt/"$county".pdf)" "$(flat "$pdf")"
    done
}

# --- the default (TrueType) font, and --font at a TrueType face ------------------------------
render_with tt
WQY=$(fc-match -f '%{file}' "WenQuanYi Micro Hei")
render_with ttfont --font "$WQY"
render_with ttface --font "$WQY:0"
for c in 500233-忠县.plain 500236-奉节县.plain; do
    if cmp -s "out-tt/$c.pdf" "out-ttfont/$c.pdf" && cmp -s "out-tt/$c.pdf" "out-ttface/$c.pdf"; then
        ok "$c: --font $WQY and $WQY:0 (TrueType) give the default's bytes"
    else not_ok "$c: --font $WQY and $WQY:0 (TrueType) give the default's bytes"; fi
done
check_eq "the default Chinese face is WenQuanYi Micro Hei, embedded as a CIDFontType2 (TrueType)" \
    "CID TrueType Identity-H yes yes yes" \
    "$(font_row out-tt/500233-忠县.plain.pdf WenQuanYiMicroHei)"

# --- a name-keyed CFF font ----------------------------------------------------------------
if "$PY" -c 'import fontTools, pikepdf' 2>/dev/null; then
    flat out-tt/500233-忠县.plain.pdf >chars.txt
    if "$PY" "$E2E_LIB/name_keyed_cff.py" "$WQY" chars.txt namekeyed.otf 2>"$TMP/mk.txt"; then
        ok "make a name-keyed CFF font (fontTools)"
        render_with namekeyed --font namekeyed.otf
        cff_briefings namekeyed CBNameKeyedTest-Regular "CID Type 0C" namekeyed.otf
        check_eq "奉节县: the characters the name-keyed font lacks come from the TrueType fallback" \
            "CID TrueType Identity-H yes yes yes" "$(font_row out-namekeyed/500236-奉节县.plain.pdf WenQuanYiMicroHei)"
    else
        not_ok "make a name-keyed CFF font (fontTools)" "$(cat "$TMP/mk.txt")"
    fi
else
    skip "a name-keyed CFF font" "python3-fonttools or python3-pikepdf is not installed (.ci/install-deps --test)"
fi

# --- Noto Serif CJK SC, a CID-keyed CFF face of a collection -------------------------------
NOTO=$(fc-list -f '%{file}:%{index}\n' 'Noto Serif CJK SC:style=Regular' 2>/dev/null | head -n 1)
if [[ -z $NOTO ]] || ! "$PY" -c 'import fontTools, pikepdf' 2>/dev/null; then
    skip_all "Noto Serif CJK SC is not visible to fontconfig (fonts-noto-cjk; or FONTCONFIG_FILE), or python3-fonttools/pikepdf missing"
fi
render_with noto --font "$NOTO"
cff_briefings noto NotoSerifCJKsc-Regular "CID Type 0C" "$NOTO"

mkdir -p tpl-noto
printf 'return { type = { family = "Noto Serif CJK SC" } }\n' >tpl-noto/template.lua
cb render --quiet --template ./tpl-noto --county 忠县 --out out-family
check_eq "type.family \"Noto Serif CJK SC\" reaches the CFF face" "0 CID Type 0C Identity-H yes yes yes" \
    "$RC $(font_row out-family/*.pdf NotoSerifCJKsc-Regular)"

# the checker fails on a copy whose ToUnicode map is one code off for one character
"$PY" - out-noto/500233-忠县.plain.pdf off-by-one.pdf <<'PYEOF'
import re, sys, pikepdf
pdf = pikepdf.open(sys.argv[1])
for obj in pdf.objects:
    if isinstance(obj, pikepdf.Dictionary) and obj.get("/Subtype") == "/Type0":
        text = obj.ToUnicode.read_bytes().decode("latin-1")
        m = re.search(r"beginbfchar\n<([0-9A-F]{4})>", text)
        new = text[:m.start(1)] + "%04X" % (int(m.group(1), 16) + 1) + text[m.end(1):]
        obj.ToUnicode.write(new.encode("latin-1"))
pdf.save(sys.argv[2])
PYEOF
rc=0
"${CFF[@]}" off-by-one.pdf "$NOTO" >"$TMP/cff.txt" 2>&1 || rc=$?
check_eq "a map one code off: cff_check fails, naming one character" "1 1" \
    "$rc $(grep -c "is code .*, but its CID is" "$TMP/cff.txt" || true)"

# a fontconfig fallback may be a CFF face: ㋿ (U+32FF) is in the Noto faces and in no
# TrueType font installed here
REIWA=$'\u32FF'
if [[ -z $(fc-list ':charset=32FF:fontformat=TrueType' file 2>/dev/null) ]]; then
    printf 'doc:title("年号%s")\ndoc:paragraph("令和%s元年。")\n' "$REIWA" "$REIWA" >reiwa.lua
    cb render --report reiwa.lua --county 忠县 --out out-reiwa
    fb=$(pdffonts out-reiwa/*.pdf 2>/dev/null | awk 'NR > 2 && $1 ~ /Noto/ { print $2, $3, $4 }' | head -n 1)
    check_eq "a character only a Noto face has: drawn from it as a CFF fallback, no warning" \
        "0 CID Type 0C " "$RC $fb $(grep -F warning "$TMP/stderr" || true)"
    if "${INK[@]}" check out-reiwa/*.pdf >"$TMP/ink.txt" 2>&1; then ok "... and it leaves ink"; else
        not_ok "... and it leaves ink" "$(head -n 5 "$TMP/ink.txt")"; fi
    check "... and reads back" grep -q "令和${REIWA}元年" <(pdftext out-reiwa/*.pdf -)
else
    skip "a CFF fallback face" "a TrueType font has U+32FF here"
fi

# a face beyond the collection; another face of the same file re-renders a batch
cb render --quiet --font "${NOTO%:*}:99" --county 忠县 --out out-bad
check_eq "--font FILE:99: exit 4, one line naming the file and face, nothing written" \
    "4 countybrief: ${NOTO%:*}: not a usable font (no glyphs, or face 99 missing) no-out" \
    "$RC $(cat "$TMP/stderr") $([[ -e out-bad ]] && echo out || echo no-out)"
TC=$(fc-list -f '%{file}:%{index}\n' 'Noto Serif CJK TC:style=Regular' 2>/dev/null | grep -F "${NOTO%:*}:" | head -n 1)
if [[ -n $TC ]]; then
    cb render --quiet --template ./plain --font "$TC" --county 忠县 --out out-noto
    check_eq "the batch re-renders when only the collection's face changes ($TC)" \
        "0 CID Type 0C Identity-H yes yes yes" "$RC $(font_row out-noto/500233-忠县.plain.pdf NotoSerifCJKtc-Regular)"
else
    skip "re-render on another face of the collection" "no Noto Serif CJK TC face in ${NOTO%:*}"
fi

finish
