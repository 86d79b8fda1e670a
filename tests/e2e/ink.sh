#!/usr/bin/env bash
# ink.sh: the promise that every character of a briefing is visible: no character that
# is in the PDF's text renders blank (a missing glyph in the font subset, a wrong CID to
# glyph mapping, an invisible text mode or colour). lib/ink_check.py renders each page and
# looks for ink in each character's cell; see its header for how.
#
# The checker is itself proved able to fail, on two broken copies of an example PDF whose
# text pdftotext still reads: one with all text drawn invisibly (render mode 3 Tr), and one
# whose glyph for 县 draws nothing in every font that has it (a TrueType font: the space's
# glyph; a CFF font, as the Noto faces the briefing template asks for: an empty charstring,
# made with fontTools), where exactly the 县 characters must be reported.
set -euo pipefail
source "$(dirname "$0")/lib/common.bash"

INK=("$PY" "$E2E_LIB/ink_check.py")
OUT=$TMP/out
render_examples "$OUT"
ZX=$OUT/500233-忠县.pdf
FJ=$OUT/500236-奉节县.pdf

# --- the real briefings ---------------------------------------------------------------
for pdf in "$ZX" "$FJ"; do
    name=$(basename "$pdf" .pdf)
    rc=0
    "${INK[@]}" check "$pdf" >"$TMP/ink.txt" 2>&1 || rc=$?
    summary=$(tail -n 1 "$TMP/ink.txt")
    if [[ $rc -eq 0 ]]; then ok "$name: no character renders blank ($summary)"; else
        not_ok "$name: no character renders blank (exit $rc)" "$(grep -v '^[0-9]* characters' "$TMP/ink.txt")"; fi
done

# --- negative control 1: all text invisible ---------------------------------------------
HID=$TMP/hidden.pdf
check "make the hidden-text copy" "${INK[@]}" hide-text "$FJ" "$HID"
check "hidden-text copy: qpdf --check passes" qpdf --check "$HID"
pdftext "$HID" "$TMP/hidden.txt"
if has_text "$TMP/hidden.txt" 奉节县 && has_text "$TMP/hidden.txt" 4.29亿元; then
    ok "hidden-text copy: pdftotext still reads its text"
else
    not_ok "hidden-text copy: pdftotext still reads its text"
fi
rc=0
"${INK[@]}" check "$HID" >"$TMP/ink.txt" 2>&1 || rc=$?
checked=$(sed -n 's/^\([0-9]*\) characters checked.*/\1/p' "$TMP/ink.txt")
nblank=$(grep -c '^BLANK' "$TMP/ink.txt" || true)
check_eq "hidden-text copy: the checker fails (exit 1)" 1 "$rc"
if [[ -n $checked && $checked -gt 0 && $nblank -eq $checked ]]; then
    ok "hidden-text copy: every one of the $checked characters is reported blank"
else
    not_ok "hidden-text copy: every character is reported blank" "$nblank of ${checked:-?} reported"
fi

# --- negative control 2: one glyph blank --------------------------------------------------
if [[ -n $(pdffonts "$FJ" 2>/dev/null | grep -F 'CID Type 0C') ]] && ! "$PY" -c 'import fontTools' 2>/dev/null; then
    skip_all "the blank-县 copy: its fonts are CFF and python3-fonttools is not installed (.ci/install-deps --test)"
fi
BL=$TMP/blank-xian.pdf
check "make the blank-县 copy" "${INK[@]}" blank-char "$FJ" "$BL" 县
pdftext "$BL" - | tr -d ' \n' >"$TMP/bl.txt"
expected=$(grep -o 县 "$TMP/bl.txt" | wc -l || true)
rc=0
"${INK[@]}" check "$BL" >"$TMP/ink.txt" 2>&1 || rc=$?
check_eq "blank-县 copy: the checker fails (exit 1)" 1 "$rc"
reported=$(sed -n "s/^BLANK .*: page [0-9]*: '\(.*\)' (character.*/\1/p" "$TMP/ink.txt" | sort | uniq -c |
    awk '{print $2 "×" $1}' | tr '\n' ' ' | sed 's/ $//')
check_eq "blank-县 copy: exactly the $expected 县 characters are reported, nothing else" "县×$expected" "$reported"
if [[ $expected -gt 0 ]]; then ok "blank-县 copy: its text holds 县 ($expected times)"; else
    not_ok "blank-县 copy: its text holds 县"; fi

finish
