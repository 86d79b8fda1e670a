#!/usr/bin/env bash
# cover_layout.sh: core/layout.c paths no other test takes (tests/README.md, coverage): the
# warning about a character no installed font has names the field of every kind of block
# that holds it (title, subtitle, heading, KPI label and value, table header and cell, the
# text of a plugin block such as a bar chart (chart.bar: doc:barchart), progress label, value and detail, notes title and note), with
# the heading it is under and an excerpt of the field (line breaks as spaces, "…" where cut);
# past three characters the rest are only listed. The PDF shows □ in place.
set -euo pipefail
source "$(dirname "$0")/lib/common.bash"
cd "$TMP"

X=$(printf '\U0010FFFD') # no font has it (a private-use character of plane 16)
# where LUA EXPECTED: a report of LUA warns of X in EXPECTED (the text after its name)
where() {
    printf '%s\n' "$1" >r.lua
    cb render --report r.lua --county 忠县 --out out --jobs 1
    local got
    got=$(grep -o "U+10FFFD \"$X\" in .*" "$TMP/stderr" || true)
    check_eq "$2 (exit $RC)" "U+10FFFD \"$X\" in $2 (exit 0)" "$got (exit $RC)"
}
where "doc:title('标题$X', '副')" "title: \"标题$X\""
where "doc:title('标题', '副$X')" "subtitle: \"副$X\""
where "doc:heading('章$X')" "heading: \"章$X\""
where "doc:heading('章') doc:kpis{{value='1$X', label='人口'}}" "KPI \"人口\" value under \"章\": \"1$X\""
where "doc:kpis{{value='1', label='人${X}口'}}" "KPI label: \"人${X}口\""
where "doc:table{columns={{title='甲$X'},{title='乙'}}, rows={{'1','2'}}}" "table header, column 1: \"甲$X\""
where "doc:table{columns={{title='甲'},{title='乙'}}, rows={{'1','2'},{'3','4$X'}}}" "table row 2, column \"乙\": \"4$X\""
has "... the PDF has □ in the cell" out/500233-忠县.pdf "34□"
# a bar chart is the charts plugin's chart.bar (doc:barchart): named as a plugin's block is
where "doc:barchart{title='图$X', unit='万', bars={{label='a', value=1}}}" "text drawn by a \"chart.bar\" block"
where "doc:barchart{title='图', unit='万', bars={{label='a', value=1, text='1$X'}}}" "text drawn by a \"chart.bar\" block"
where "doc:progress{{label='进$X', value='1', fraction=0.5}}" "progress label: \"进$X\""
where "doc:progress{{label='进', value='1$X', fraction=0.5}}" "progress value: \"1$X\""
where "doc:progress{{label='进', value='1', fraction=0.5, detail='细$X'}}" "progress detail: \"细$X\""
where "doc:notes{title='注$X', items={'a'}}" "notes title: \"注$X\""
where "doc:notes{title='注', items={'a', 'b$X'}}" "note 2: \"b$X\""

# five characters: three described (excerpts cut with "…", a line break as a space), two listed
c() { printf "\\U0010FFF$1"; }
printf '%s\n' "doc:heading('一') doc:paragraph('甲$(c 1)乙\n丙$(c 2)丁一二三四五六七八九十$(c 3)甲乙丙丁戊己庚辛壬癸子丑寅卯 $(c 4)$(c 5)')" >r.lua
cb render --report r.lua --county 忠县 --out out5 --jobs 1
check_eq "five characters: one warning, three described, two only listed" \
    "countybrief: warning: 500233 忠县: 5 characters that no installed font has, drawn as \"□\": U+10FFF1 \"$(c 1)\" in paragraph under \"一\": \"甲$(c 1)乙 丙$(c 2)丁一二三…\"; U+10FFF2 \"$(c 2)\" in paragraph under \"一\": \"甲$(c 1)乙 丙$(c 2)丁一二三四五六七…\"; U+10FFF3 \"$(c 3)\" in paragraph under \"一\": \"…三四五六七八九十$(c 3)甲乙丙丁戊己庚辛…\", also U+10FFF4 \"$(c 4)\", U+10FFF5 \"$(c 5)\"" \
    "$(cat "$TMP/stderr")"
has "... each drawn as □ in place" out5/500233-忠县.pdf "甲□乙丙□丁一二三四五六七八九十□甲乙" "卯□□"

finish
