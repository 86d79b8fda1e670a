#!/usr/bin/env bash
# fallback.sh: characters the main (Chinese) font lacks never crash a render or vanish.
# A character another installed TrueType font has (CJK Extension B 𠀀 U+20000 and 𪚥
# U+2A6A5 from HanaMin in fonts-hanazono, the emoji 😀 U+1F600 from DejaVu Sans) is drawn
# with that font, embedded as a second (third...) subset font whose ToUnicode map keeps
# the text extractable; a character no font has (U+10FFFD, private use) is drawn as □ and
# named in ONE warning per county with where it came from: the block and text, and the
# data cell (file:line:column) when it comes from the data. Every character leaves ink,
# line breaking keeps to the margins, and the bytes do not depend on what the process drew
# before. The fallback fonts are those .ci/install-deps installs (fonts-hanazono,
# fonts-dejavu-core): without them the fallback path (a second subset font, its ToUnicode
# map for characters beyond the BMP) would go unchecked, so their absence is a failure.
set -euo pipefail
source "$(dirname "$0")/lib/common.bash"

INK=("$PY" "$E2E_LIB/ink_check.py")
XB=$'\U00020000' XB2=$'\U0002A6A5' EMOJI=$'\U0001F600' NOFONT=$'\U0010FFFD' NOFONT2=$'\U0010FFFC'
ZWSP=$'\u200B' VS16=$'\uFE0F'

# covered HEX: some installed TrueType (glyf, not colour) font has the character
covered() {
    [[ -n $(fc-list ":charset=$1:fontformat=TrueType:color=False" file 2>/dev/null) ]]
}
fallback_family() { fc-list ":charset=$1:fontformat=TrueType:color=False" family 2>/dev/null | head -n 1; }
for pair in "20000:fonts-hanazono" "2A6A5:fonts-hanazono" "1F600:fonts-dejavu-core"; do
    if covered "${pair%%:*}"; then ok "U+${pair%%:*} has a fallback font: $(fallback_family "${pair%%:*}")"; else
        not_ok "U+${pair%%:*} has a fallback font" "no TrueType font has it: install ${pair#*:} (.ci/install-deps)"; fi
done

# the warning lines of a county (the name is enough: the ids differ)
warnings_of() { grep -F "warning: " "$TMP/stderr" | grep -F " $1: " || true; }

REPORT=$TMP/fallback.lua
cat >"$REPORT" <<EOF
doc:title(county.name .. "生僻字检验", "副标题${EMOJI}")
doc:heading("一、正文")
doc:paragraph("村名${XB}溪和${XB2}岭都在本县，今天天气很好${EMOJI}，收尾正常文字。无字体的字符${NOFONT}在此。零宽${ZWSP}空格${VS16}。" ..
  string.rep("长段落用于检验换行${XB}不变，", 12))
doc:heading("二、表格")
doc:table { columns = { { title = "项目" }, { title = "金额", align = "right" } },
            rows = { { "${XB}村道路", "100万元" }, { "普通项目${EMOJI}", "50万元" } } }
doc:heading("三、图表")
doc:add("chart.pie", { title = "图中${EMOJI}", slices = { { label = "甲${NOFONT2}", value = 2 }, { label = "乙${XB2}", value = 1 } } })
EOF

COUNTYBRIEF_SHOW_FONTS=1 cb render --report "$REPORT" --out "$TMP/out" --jobs 1
check_eq "render: exit 0" 0 "$RC"
role_fonts "$TMP/stderr" | cut -d' ' -f1 >"$TMP/roles.txt" # the template's faces
ZX=$TMP/out/500233-忠县.pdf
FJ=$TMP/out/500236-奉节县.pdf
for pdf in "$ZX" "$FJ"; do
    if [[ -f $pdf ]]; then ok "$(basename "$pdf") written"; else not_ok "$(basename "$pdf") written" "$(cat "$TMP/stderr")"; fi
done

# --- extractable text ----------------------------------------------------------------
pdftext "$ZX" "$TMP/zx.txt"
tr -d ' \n' <"$TMP/zx.txt" >"$TMP/zx.flat"
has_text "$TMP/zx.flat" "收尾正常文字" && ok "the main font's text is there" || not_ok "the main font's text is there" "$(head -c 600 "$TMP/zx.txt")"
for pair in "20000:$XB:Ext-B 𠀀" "2A6A5:$XB2:Ext-B 𪚥" "1F600:$EMOJI:emoji 😀"; do
    hex=${pair%%:*} rest=${pair#*:}
    ch=${rest%%:*} what=${rest#*:}
    if has_text "$TMP/zx.flat" "村名" && grep -qF -- "$ch" "$TMP/zx.flat"; then
        ok "$what (U+$hex): drawn with a fallback font, pdftotext reads it"
    else
        not_ok "$what (U+$hex): drawn with a fallback font, pdftotext reads it" "$(head -c 600 "$TMP/zx.txt")"
    fi
done
if has_text "$TMP/zx.flat" "无字体的字符□在此"; then ok "U+10FFFD (no font) is drawn as □ in place"; else
    not_ok "U+10FFFD (no font) is drawn as □ in place" "$(grep -F 无字体 "$TMP/zx.txt")"; fi
if has_text "$TMP/zx.flat" "甲□"; then ok "U+10FFFC in a plugin block's text (chart legend) is drawn as □"; else
    not_ok "U+10FFFC in a plugin block's text (chart legend) is drawn as □" "$(head -c 900 "$TMP/zx.txt")"; fi
if grep -qF -- "$NOFONT" "$TMP/zx.flat"; then not_ok "U+10FFFD itself is not in the text"; else ok "U+10FFFD itself is not in the text"; fi
# invisible characters are neither drawn nor extracted, and need no warning
if has_text "$TMP/zx.flat" "零宽空格。"; then ok "a zero-width space and a variation selector are left out of the text"; else
    not_ok "a zero-width space and a variation selector are left out of the text" "$(grep -F 零宽 "$TMP/zx.txt")"; fi
if grep -qE 'U\+(200B|FE0F)' "$TMP/stderr"; then not_ok "no warning about invisible characters" "$(cat "$TMP/stderr")"; else
    ok "no warning about invisible characters"; fi

# --- one warning per county, naming the characters and where they are ------------------
for name in 忠县 奉节县; do
    w=$(warnings_of "$name")
    n=$(printf '%s' "$w" | grep -c . || true)
    check_eq "$name: one warning line" 1 "$n"
    # these two are the only characters no font has, and the warning says where each is
    wants=("U+10FFFD" "U+10FFFC" "drawn as \"□\"" "in paragraph under \"一、正文\": \"…字。无字体的字符"
        "U+10FFFC \"$NOFONT2\" in text drawn by a \"chart.pie\" block under \"三、图表\"")
    for want in "${wants[@]}"; do
        if grep -qF -- "$want" <<<"$w"; then ok "$name: the warning says: $want"; else
            not_ok "$name: the warning says: $want" "$w"; fi
    done
    if grep -qE "U\+(20000|2A6A5|1F600)" <<<"$w"; then not_ok "$name: the warning leaves out what a fallback font has" "$w"; else
        ok "$name: the warning leaves out what a fallback font has (U+20000, U+2A6A5, U+1F600)"; fi
done

# --- fonts: the fallbacks are embedded subsets with a ToUnicode map ---------------------
pdffonts "$ZX" 2>/dev/null | tail -n +3 >"$TMP/fonts.txt" || true
# the faces of the template's roles (COUNTYBRIEF_SHOW_FONTS=1: WenQuanYi Micro Hei alone,
# or the Noto faces), the body's among them, and two more: HanaMin for Ext-B, DejaVu Sans
# for the emoji (which these are: below)
names=$(awk '{print $1}' "$TMP/fonts.txt" | sed 's/^[A-Z]*+//')
others=$(grep -vxF -f "$TMP/roles.txt" <<<"$names" | grep -c . || true)
if [[ $others -eq 2 ]] && grep -qxF "$(head -n 1 "$TMP/roles.txt")" <<<"$names"; then
    ok "pdffonts lists the roles' faces ($(paste -sd' ' "$TMP/roles.txt")) and 2 fallback fonts"
else
    not_ok "pdffonts lists the roles' faces ($(paste -sd' ' "$TMP/roles.txt")) and 2 fallback fonts" "$(cat "$TMP/fonts.txt")"
fi
bad=$(awk '{ n = NF; if ($(n-4) != "yes" || $(n-3) != "yes" || $(n-2) != "yes") print }' "$TMP/fonts.txt")
if [[ -z $bad ]]; then ok "every font is embedded, subset and has a ToUnicode map"; else
    not_ok "every font is embedded, subset and has a ToUnicode map" "$bad"; fi
for pair in "20000:$XB" "1F600:$EMOJI"; do
    hex=${pair%%:*} ch=${pair#*:}
    base=$("${INK[@]}" font-of "$ZX" "$ch" || true)  # HPDFAC+DejaVuSans,Book
    ps=${base#*+}
    ps=${ps%%,*}
    if [[ -n $ps ]] && ! grep -qxF -- "$ps" "$TMP/roles.txt" && grep -qF -- "$base " "$TMP/fonts.txt" &&
        [[ -n $(fc-list ":postscriptname=$ps:charset=$hex" file) ]]; then
        ok "U+$hex is drawn by fallback font $ps (embedded subset; fontconfig says it has U+$hex)"
    else
        not_ok "U+$hex is drawn by an embedded fallback font that has it" "font: '$base'; $(cat "$TMP/fonts.txt")"
    fi
done
if [[ $(awk '{print $1}' "$TMP/fonts.txt" | sort | uniq -d | wc -l) -eq 0 ]]; then ok "no font is embedded twice"; else
    not_ok "no font is embedded twice" "$(cat "$TMP/fonts.txt")"; fi

# --- the PDF is sound, readers are silent, every character leaves ink ------------------
for pdf in "$ZX" "$FJ"; do
    name=$(basename "$pdf" .pdf)
    check "$name: qpdf --check passes" qpdf --check "$pdf"
    perr=$(pdftotext "$pdf" /dev/null 2>&1 || true)
    check_eq "$name: poppler prints no warning" "" "$perr"
    rc=0
    "${INK[@]}" check "$pdf" >"$TMP/ink.txt" 2>&1 || rc=$?
    if [[ $rc -eq 0 ]]; then ok "$name: ink check passes ($(tail -n 1 "$TMP/ink.txt"))"; else
        not_ok "$name: ink check passes (exit $rc)" "$(cat "$TMP/ink.txt")"; fi
done

# --- line breaking keeps to the margins with fallback runs in the lines ----------------
right=$(pdftotext -bbox "$ZX" - 2>/dev/null | sed -n 's/.*xMax="\([0-9.]*\)".*/\1/p' | sort -g | tail -n 1)
if awk -v r="$right" 'BEGIN { exit !(r <= 595.3 - 54 + 0.5) }'; then ok "no text beyond the right margin (rightmost $right)"; else
    not_ok "no text beyond the right margin" "rightmost word ends at $right"; fi
lines=$(grep -c "长段落用于检验换行" "$TMP/zx.txt" || true)
if [[ $lines -ge 3 ]]; then ok "the long paragraph wraps ($lines lines)"; else not_ok "the long paragraph wraps" "$(cat "$TMP/zx.txt")"; fi

# --- determinism: the same bytes whatever the process drew before ----------------------
cb render --report "$REPORT" --out "$TMP/alone" --county 奉节县
check_eq "奉节县 alone: exit 0" 0 "$RC"
if why=$(same_pdf "$FJ" "$TMP/alone/500236-奉节县.pdf"); then ok "奉节县 alone: the same bytes as after 忠县 in one process"; else
    not_ok "奉节县 alone: the same bytes as after 忠县 in one process" "$why"; fi
# faces found in another order in another process (emoji first, then Ext-B)
ORDER=$TMP/order.lua
cat >"$ORDER" <<EOF
if county.name == "忠县" then doc:paragraph("今天${EMOJI}") else doc:paragraph("村名${XB}溪${EMOJI}和${XB2}") end
EOF
cb render --report "$ORDER" --out "$TMP/o1" --jobs 1 --quiet
cb render --report "$ORDER" --out "$TMP/o2" --county 奉节县 --quiet
if why=$(same_pdf "$TMP/o1/500236-奉节县.pdf" "$TMP/o2/500236-奉节县.pdf"); then ok "fonts found in another order: the same bytes"; else
    not_ok "fonts found in another order: the same bytes" "$why"; fi

# --- the character no font has, traced to the data cell ---------------------------------
D=$TMP/data
cp -r "$CB_SRC/examples/data" "$D"
f=$D/projects.csv
line=$(grep -n '^500233,忠文化展览馆,' "$f" | cut -d: -f1 || true)
sed -i "${line}s/^500233,忠文化展览馆,/500233,忠文化${NOFONT}展览馆,/" "$f"
cb render --data "$D" --out "$TMP/data-out" --county 忠县
check_eq "data with U+10FFFD in a project name: exit 0" 0 "$RC"
w=$(warnings_of 忠县)
check_eq "data: one warning line" 1 "$(printf '%s' "$w" | grep -c . || true)"
if grep -qF "(data: $f:$line:2, column \"project\")" <<<"$w"; then ok "data: the warning names $(basename "$f"):$line:2, column \"project\""; else
    not_ok "data: the warning names $(basename "$f"):$line:2, column \"project\"" "$w"; fi
# the briefing first draws project names in its funding chart's legend (a plugin block),
# then in the project table
if grep -qE 'U\+10FFFD "[^"]*" in (text drawn by a "chart.pie" block under "援助资金投向"|table row [0-9]+, column "项目" under "重点援建项目")' <<<"$w"; then
    ok "data: the warning names the block where the character is first drawn"; else
    not_ok "data: the warning names the block where the character is first drawn" "$w"; fi
pdftext "$TMP/data-out/500233-忠县.pdf" - | tr -d ' \n' >"$TMP/d.flat"
if has_text "$TMP/d.flat" "忠文化□展览馆"; then ok "data: drawn as □ in the table"; else not_ok "data: drawn as □ in the table"; fi

finish
