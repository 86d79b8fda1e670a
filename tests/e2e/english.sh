#!/usr/bin/env bash
# english.sh: the briefing in English (`--lang en`): every label in English, amounts as
# "CNY 405 million", counts with thousands separators, county and partner names from the
# data's translations table, Chinese only where the data's names are Chinese. The main font
# is DejaVu Sans with the briefing's Chinese faces as its fallback (Noto Sans CJK SC for
# tables, Noto Serif CJK SC for body text where fontconfig has them, WenQuanYi Micro Hei
# where not; --font replaces the body face); the footer reads "Page i of N";
# files are named <county_id>-<name>.en.pdf. Also: a report written in Chinese only refuses
# --lang en, an unknown language is a usage error, and the templates' texts follow the
# language.
set -euo pipefail
source "$(dirname "$0")/lib/common.bash"

unset COUNTYBRIEF_PLUGIN_DIR COUNTYBRIEF_PLUGIN_PATH
INK=("$PY" "$E2E_LIB/ink_check.py")
OUT=$TMP/en
# the Chinese faces the briefing's roles take (templates/briefing/template.lua), as pdffonts
# lists them after DejaVu Sans: TABLE draws table cells, BODY paragraphs and the sources
if fc-list 'Noto Serif CJK SC' file | grep -q . && fc-list 'Noto Sans CJK SC' file | grep -q .; then
    TABLE=NotoSansCJKsc-Regular BODY=NotoSerifCJKsc-Regular
    ZH="$TABLE $BODY "
else
    TABLE=WenQuanYiMicroHei BODY=WenQuanYiMicroHei
    ZH="WenQuanYiMicroHei "
fi

# has WHAT FILE.pdf TEXT...: pdftotext's text of the PDF holds every TEXT (spaces kept)
has() {
    local what=$1 pdf=$2 text miss=""
    shift 2
    text=$(pdftext "$pdf" - | tr '\n' ' ' | tr -s ' ')
    for want in "$@"; do [[ $text == *"$want"* ]] || miss+="missing: $want"$'\n'; done
    if [[ -z $miss ]]; then ok "$what"; else not_ok "$what" "$pdf"$'\n'"$miss"; fi
}

cb render --lang en --out "$OUT" --no-fsync
check_eq "render --lang en: exit 0" 0 "$RC"
check_eq "render --lang en: no warning (no missing character, nothing cut)" "" "$(cat "$TMP/stderr")"
check_eq "files are named <county_id>-<name>.en.pdf" "500233-忠县.en.pdf 500236-奉节县.en.pdf" \
    "$(cd "$OUT" && ls -- *.pdf | sort | tr '\n' ' ' | sed 's/ $//')"
ZX=$OUT/500233-忠县.en.pdf
FJ=$OUT/500236-奉节县.en.pdf

has "忠县: title, names and the aid as CNY 405 million" "$ZX" "Zhong County: Counterpart Support Briefing" \
    "Chongqing" "Supported by Shandong Province and Shenyang City" "CNY 405 million" \
    "In total the county has received CNY 405 million in aid for 468 projects, about CNY 865,000 per project."
has "忠县: counts with thousands separators and qualifiers in words" "$ZX" "4,715" "1,104" "over 2,396" \
    "resettled 4,715 migrants and placed 1,104 graduates"
has "忠县: allocations in millions" "$ZX" "CNY 18 million" "of which over CNY 5 million for public services"
has "忠县: every heading and column in English" "$ZX" Overview "Where the aid went" "Key projects" Training \
    "Industry cooperation and consumption support" "14th Five-Year Plan targets and progress" \
    Project Partner Sector Amount Year Period Programme Kind Person "target CNY 100 million or more" \
    "Sources (parts of the newspaper feature"
has "奉节县: CNY 429 million, CNY 84 million, CNY 3.44 billion, nearly 200,000" "$FJ" \
    "Fengjie County" "Liaoning Province" "CNY 429 million" "CNY 84 million" "CNY 3.44 billion" \
    "nearly 200,000" "since 1993, for 29 years" "Characteristic industry towns" "Sichuan pepper"
# without_prose: stdin's flat text less every run (3+ characters) of the data's own Chinese
# prose, which the projects' outcome and the towns' note columns show as written (the
# sources note says so): the text left is the briefing's own
without_prose() {
    "$PY" -c '
import csv, sys
d = sys.argv[1]
prose = [r["outcome"] for r in csv.DictReader(open(d + "/projects.csv", encoding="utf-8"))]
prose += [r["note"] for r in csv.DictReader(open(d + "/towns.csv", encoding="utf-8"))]
prose = [p.replace(" ", "") for p in prose if p]
t, out, i = sys.stdin.read(), [], 0
while i < len(t):
    n = 0
    while i + n < len(t) and any(t[i:i + n + 1] in p for p in prose): n += 1
    if n >= 3: i += n
    else: out.append(t[i]); i += 1
print("".join(out))' "$CB_SRC/examples/data"
}
# fonts_of FILE.pdf: its fonts as pdffonts lists them, the first two (DejaVu Sans) as they
# come, the Chinese faces after them sorted (which comes first follows where the first
# Chinese name is: the summary names the largest programme); sorted WORD...: one line
sorted() { printf '%s\n' "$@" | sort | tr '\n' ' '; }
fonts_of() {
    local l
    l=$(pdffonts "$1" 2>/dev/null | tail -n +3 | awk '{print $1}' | sed 's/^[A-Z]*+//')
    printf '%s ' $(head -n 2 <<<"$l") $(tail -n +3 <<<"$l" | sort)
}
for f in "$ZX" "$FJ"; do
    name=$(basename "$f")
    text=$(flat "$f" | without_prose)
    text=${text%%Sources(*} # the sources name parts of the Chinese article
    left=""
    for zh in 概况 援助资金投向 重点援建项目 培训项目 产业协作 特色产业小镇 资料来源 亿元 万元 第1页 对口支援方 人次 年; do
        [[ $text == *"$zh"* ]] && left+="$zh "
    done
    check_eq "$name: no Chinese label or unit before the sources" "" "$left"
    pages=$(pdf_pages "$f")
    bad=""
    ((${pages:-0} > 0)) || bad="no page"
    for ((i = 1; i <= ${pages:-0}; i++)); do
        pdftext -f "$i" -l "$i" "$f" - | tr -s ' ' | grep -qF "Page $i of $pages" || bad+="page $i "
    done
    check_eq "$name: every footer reads Page i of $pages" "" "$bad"
    check_eq "$name: DejaVu Sans first (its Bold for bold text), the Chinese faces as fallback" \
        "DejaVuSans-Bold DejaVuSans $(sorted $ZH)" "$(fonts_of "$f")"
    check "$name: qpdf --check" qpdf --check "$f"
    if [[ $(pdftext "$f" -) != *□* ]]; then ok "$name: no replacement box"; else not_ok "$name: no replacement box"; fi
    check_eq "$name: document title in English" \
        "$([[ $name == 500233* ]] && echo "Zhong County: Counterpart Support Briefing" || echo "Fengjie County: Counterpart Support Briefing")" \
        "$(pdf_info "$f" Title)"
done
check "every character leaves ink" "${INK[@]}" check "$ZX" "$FJ"
check "the English font draws the Latin text" bash -c "'${INK[0]}' '${INK[1]}' font-of '$ZX' Z | grep -q DejaVuSans"
check "the Chinese faces draw the Chinese names: $TABLE in a table" bash -c "'${INK[0]}' '${INK[1]}' font-of '$ZX' 馆 | grep -q '+$TABLE\$'"
check "... $BODY in the sources" bash -c "'${INK[0]}' '${INK[1]}' font-of '$ZX' 篇 | grep -q '+$BODY\$'"

# the Chinese briefing is unchanged beside it, in the same folder
cb render --out "$OUT" --no-fsync --quiet
check_eq "the Chinese briefing renders into the same folder" 0 "$RC"
check "both languages side by side" test -f "$OUT/500233-忠县.pdf" -a -f "$ZX"
has "the Chinese briefing stays Chinese" "$OUT/500233-忠县.pdf" 概况 4.05亿元

# templates follow the language (a template other than briefing names its files too:
# <county_id>-<name>.<template>.en.pdf)
for tpl in onepager dashboard; do
    cb render --lang en --template "$tpl" --county 忠县 --out "$TMP/$tpl" --no-fsync
    check_eq "$tpl --lang en: exit 0, no warning" "0 " "$RC $(cat "$TMP/stderr")"
done
has "onepager in English: its footer" "$TMP/onepager/500233-忠县.onepager.en.pdf" \
    "Zhong County: Counterpart Support Briefing · page 1 of 1"
check_eq "onepager in English: one page" 1 "$(pdf_pages "$TMP/onepager/500233-忠县.onepager.en.pdf")"
has "dashboard in English: its header" "$TMP/dashboard/500233-忠县.dashboard.en.pdf" "Counterpart Support Briefing · Dashboard"
mkdir -p "$TMP/cover-tpl"
printf 'return { cover = true, footer = { zh = "第 {page} 页", en = "p. {page}" } }\n' >"$TMP/cover-tpl/template.lua"
SOURCE_DATE_EPOCH=1700000000 cb render --lang en --template "$TMP/cover-tpl" --county 忠县 --out "$TMP/cover" --no-fsync
check_eq "a template with a cover and a footer by language: exit 0" 0 "$RC"
has "the cover's date in English, the footer in the template's English" "$TMP/cover/500233-忠县.cover-tpl.en.pdf" \
    "14 November 2023" "p. 1"
printf 'return { footer = { zh = "x", fr = "y" } }\n' >"$TMP/cover-tpl/template.lua"
cb render --lang en --template "$TMP/cover-tpl" --county 忠县 --out "$TMP/cover" --no-fsync
check_eq "a table by language with another key: exit 4" 4 "$RC"
check "... the message names the field" grep -qF 'template.lua: footer: the keys of a table by language must be "zh" or "en"' "$TMP/stderr"

# fonts: the template's English family, and --font as the Chinese font in both languages
printf 'return { type = { family = { en = "DejaVu Serif" } } }\n' >"$TMP/cover-tpl/template.lua"
cb render --lang en --template "$TMP/cover-tpl" --county 忠县 --out "$TMP/serif" --no-fsync --quiet
check_eq "type.family.en picks the English font (and its bold weight)" "DejaVuSerif-Bold DejaVuSerif WenQuanYiMicroHei " \
    "$(pdffonts "$TMP/serif/500233-忠县.cover-tpl.en.pdf" 2>/dev/null | tail -n +3 | awk '{print $1}' | sed 's/^[A-Z]*+//' | tr '\n' ' ')"
printf 'return { type = { family = { en = "No Such Sans" } } }\n' >"$TMP/cover-tpl/template.lua"
cb render --lang en --template "$TMP/cover-tpl" --county 忠县 --out "$TMP/serif" --no-fsync
check_eq "an English font that is not installed: exit 4" 4 "$RC"
check "... named, with what to do" grep -qF 'no TrueType font "No Such Sans" found through fontconfig (install fonts-dejavu-core, or set type.family.en in the template)' "$TMP/stderr"
WQY=$(fc-match -f '%{file}' "WenQuanYi Micro Hei")
cb render --lang en --font "$WQY" --county 忠县 --out "$TMP/font" --no-fsync --quiet
# --font is the body face: the table face stays the template's
check_eq "--font with --lang en: the Chinese body face, DejaVu Sans still first" \
    "DejaVuSans-Bold DejaVuSans $(sorted ${ZH/$BODY /} WenQuanYiMicroHei)" "$(fonts_of "$TMP/font/500233-忠县.en.pdf")"
check "... it draws the sources' Chinese" bash -c "'${INK[0]}' '${INK[1]}' font-of '$TMP/font/500233-忠县.en.pdf' 篇 | grep -q '+WenQuanYiMicroHei\$'"

# --- languages a report does not have -------------------------------------------------
printf 'doc:title(county.name)\n' >"$TMP/zh_only.lua"
cb render --lang en --report "$TMP/zh_only.lua" --out "$TMP/x" --no-fsync
check_eq "--lang en for a report without English: exit 2" 2 "$RC"
check "... says what the report has" grep -qF "zh_only.lua: the report is written in zh, not en" "$TMP/stderr"
check "... nothing written" test ! -e "$TMP/x/500233-忠县.en.pdf"
cb render --lang fr --out "$TMP/x" --no-fsync
check_eq "--lang fr: exit 2" 2 "$RC"
check "... names the languages countybrief renders" grep -qF -- "--lang fr: unknown language (countybrief renders zh and en)" "$TMP/stderr"
printf 'report { languages = { "zh", "en" } }\ndoc:paragraph(lang .. " " .. fmt.yuan(405000000) .. " " .. fmt.count(2396, "person-times", "余") .. " " .. fmt.count(1.5e6) .. " " .. fmt.yuan(999999999))\n' >"$TMP/both.lua"
cb render --lang en --report "$TMP/both.lua" --county 忠县 --out "$TMP/x" --no-fsync
check_eq "a report declaring both languages: exit 0" 0 "$RC"
has "fmt in English: lang, CNY millions, thousands and qualifiers, billions after rounding" \
    "$TMP/x/500233-忠县.en.pdf" "en CNY 405 million over 2,396 person-times 1.5 million CNY 1 billion"
cb render --report "$TMP/both.lua" --county 忠县 --out "$TMP/x" --no-fsync
# 余 and the Latin unit after it: a quarter em apart (core/typeset.c), which pdftotext reads as a space
has "... and in Chinese without --lang" "$TMP/x/500233-忠县.pdf" "zh 4.05亿元 2396余 person-times 150万 10亿元"

finish
