#!/usr/bin/env bash
# mut_font.sh: the font list as a report sees it (mutants of tests/mutation/ that the
# font tests let through). --font names the Chinese font by its file: in English, where
# it comes second after DejaVu Sans, a copy of the font outside fontconfig's folders must
# still draw every Chinese character (no other font, no missing glyph; the template has no
# type.faces, so no role takes a face of its own as the briefing's headings take Noto Sans
# CJK SC). Characters that every font list skips (zero-width space, word joiner, variation
# selector, soft hyphen, tags, shorthand format controls) are neither drawn nor reported
# missing, whatever the fonts hold.
set -euo pipefail
source "$(dirname "$0")/lib/common.bash"

WQY=$(fc-match -f '%{file}' "WenQuanYi Micro Hei")
if [[ $WQY != *wqy* ]]; then
    echo "# skip: WenQuanYi Micro Hei is not installed (fonts-wqy-microhei)"
    exit 77
fi
mkdir -p "$TMP/font" "$TMP/rep" "$TMP/plain"
cp "$WQY" "$TMP/font/copy.ttc"
printf 'return {}\n' >"$TMP/plain/template.lua"
cat >"$TMP/rep/r.lua" <<'LUA'
report { languages = { "zh", "en" } }
doc:title(county.name .. "简报")
doc:paragraph("甲\u{200B}乙\u{2060}丙\u{FE0F}丁\u{00AD}戊\u{E0041}己\u{1BCA0}庚\u{200D}辛")
LUA

fonts_of() { pdffonts "$1" 2>/dev/null | tail -n +3 | awk '{print $1}' | sed 's/^[A-Z]*+//' | sort | tr '\n' ' '; }

cb render --report "$TMP/rep/r.lua" --template "$TMP/plain" --lang en --font "$TMP/font/copy.ttc" --county 忠县 --out "$TMP/en" --no-fsync
check_eq "--lang en --font COPY: exit 0" 0 "$RC"
check_eq "... DejaVu Sans and the copy (for every Chinese character), no other font" "DejaVuSans WenQuanYiMicroHei " \
    "$(fonts_of "$TMP/en/500233-忠县.plain.en.pdf")"
check_eq "... nothing reported missing" "" "$(cat "$TMP/stderr")"

cb render --report "$TMP/rep/r.lua" --county 忠县 --out "$TMP/zh" --no-fsync
check_eq "invisible characters: exit 0" 0 "$RC"
check_eq "... none reported missing" "" "$(cat "$TMP/stderr")"
check_eq "... none in the text layer" "甲乙丙丁戊己庚辛" \
    "$(pdftext "$TMP/zh/500233-忠县.pdf" - | grep -o '甲.*辛' | tr -d ' ')"
finish
