#!/usr/bin/env bash
# masthead.sh: a 简报's 报头 (masthead), 报尾 (distribution block) and an issue over every
# county with its table of contents (docs/templates.md "masthead", docs/reports.md
# doc:masthead, doc:distribution, doc:toc, docs/data.md bulletin), read back from the PDF
# (lib/masthead_check.py): the name centred in red on page 1, 第 N 期 only when the data has a
# number, the office at the left and the date at the right, a red rule as wide as the type
# area; the distribution lines at the foot of the last page only, each only when the data
# has it; one PDF for the issue whose contents give each county the page its section starts
# on; and bad bulletin rows named in one line. The template is tests/fixtures/jianbao (a
# stand-in with GB/T 9704's type area and the masthead section), the bulletin the sample
# examples/reports/jianbao/bulletin.sample.csv over a copy of examples/data.
source "$(dirname "$0")/lib/common.bash"

need_python fitz "PyMuPDF (python3-fitz)"
tpl=$CB_SRC/tests/fixtures/jianbao
check_py=$CB_SRC/tests/e2e/lib/masthead_check.py
left=79.37 right=$("$PY" -c 'print(595.276 - 73.70)') # the template's type area, in points
data=$TMP/data
cp -r "$CB_SRC/examples/data" "$data"
cp "$CB_SRC/examples/reports/jianbao/bulletin.sample.csv" "$data/bulletin.csv"

# the briefing with the masthead template: 忠县's row has every field, 奉节县's only an
# office and one office to report to
cb render --template "$tpl" --data "$data" --out "$TMP/o" --quiet --no-fsync
check_eq "render with bulletin.csv: exit 0" 0 "$RC"
check_eq "render with bulletin.csv: nothing on stderr" "" "$(cat "$TMP/stderr")"
zx=$(ls "$TMP"/o/500233-*.pdf 2>/dev/null) fj=$(ls "$TMP"/o/500236-*.pdf 2>/dev/null)
if [[ -f $zx && -f $fj ]]; then
    run_checks "$PY" "$check_py" masthead "$zx" "$left" "$right" 对口支援工作简报 number=第3期 \
        office=示例编印单位（忠县） date=2024年5月6日
    run_checks "$PY" "$check_py" distribution "$zx" "$left" "$right" 报：示例报送单位甲、示例报送单位乙 \
        送：示例抄送单位 发：示例印发单位 （共印40份）
    run_checks "$PY" "$check_py" masthead "$fj" "$left" "$right" 对口支援工作简报 number=- \
        office=示例编印单位（奉节县） date=-
    run_checks "$PY" "$check_py" distribution "$fj" "$left" "$right" 报：示例报送单位甲 -送： -发： -共印
else
    not_ok "both briefings written" "$(ls "$TMP/o")"
fi

# the shipped template (templates/jianbao: the same type area, on the 22-line grid, 仿宋 and
# 黑体/楷体 faces): the same 报头 and 报尾
cb render --template jianbao --data "$data" --county 忠县 --out "$TMP/shipped" --quiet --no-fsync
pdf=$(ls "$TMP"/shipped/*.pdf 2>/dev/null | head -n 1)
check_eq "render --template jianbao with bulletin.csv: exit 0" 0 "$RC"
if [[ -f $pdf ]]; then
    run_checks "$PY" "$check_py" masthead "$pdf" "$left" "$right" 对口支援工作简报 number=第3期 \
        office=示例编印单位（忠县） date=2024年5月6日
    run_checks "$PY" "$check_py" distribution "$pdf" "$left" "$right" 报：示例报送单位甲、示例报送单位乙 \
        送：示例抄送单位 发：示例印发单位 （共印40份）
fi

# no bulletin: the template's name and rule alone, no 报尾, nothing made up
cb render --template "$tpl" --county 忠县 --out "$TMP/none" --quiet --no-fsync
pdf=$(ls "$TMP"/none/*.pdf 2>/dev/null | head -n 1)
check_eq "no bulletin.csv: exit 0" 0 "$RC"
if [[ -f $pdf ]]; then
    run_checks "$PY" "$check_py" masthead "$pdf" "$left" "$right" 对口支援工作简报 number=- office=- date=-
    run_checks "$PY" "$check_py" distribution "$pdf" "$left" "$right" -报： -送： -发： -共印
fi
# the briefing template has no masthead: bulletin.csv changes nothing there
cb render --data "$data" --county 忠县 --out "$TMP/plain" --quiet --no-fsync
pdf=$(ls "$TMP"/plain/*.pdf 2>/dev/null | head -n 1)
check_eq "briefing template with bulletin.csv: exit 0" 0 "$RC"
check_eq "briefing template: no masthead, no 报尾" "" \
    "$(flat "$pdf" | grep -oE '示例编印单位|第3期|报：示例|共印' | sort -u | tr '\n' ' ')"

# the issue over every county: one PDF, contents with each county's page
cb render --report "$CB_SRC/examples/reports/jianbao/issue.lua" --template "$tpl" --data "$data" \
    --out "$TMP/issue" --quiet --no-fsync
check_eq "issue over every county: exit 0" 0 "$RC"
check_eq "issue over every county: one PDF" 1 "$(ls "$TMP"/issue/*.pdf 2>/dev/null | wc -l)"
pdf=$(ls "$TMP"/issue/*.pdf 2>/dev/null | head -n 1)
if [[ -f $pdf ]]; then
    run_checks "$PY" "$check_py" masthead "$pdf" "$left" "$right" 对口支援工作简报 number=第12期 \
        office=示例编印单位（汇总） date=2024年6月3日
    run_checks "$PY" "$check_py" toc "$pdf" 忠县 奉节县
    run_checks "$PY" "$check_py" distribution "$pdf" "$left" "$right" 报：示例报送单位甲、示例报送单位乙 \
        送：示例抄送单位 发：各区县示例单位 （共印60份）
fi
# many counties: the contents run over a page and still give every county its page
cb synth --counties 60 --seed 3 --out "$TMP/s60"
cp "$CB_SRC/examples/reports/jianbao/bulletin.sample.csv" "$TMP/bull.csv"
grep -v '^50023' "$TMP/bull.csv" >"$TMP/s60/bulletin.csv"
cb render --report "$CB_SRC/examples/reports/jianbao/issue.lua" --template "$tpl" --data "$TMP/s60" \
    --out "$TMP/issue60" --quiet --no-fsync
check_eq "issue over 60 synthetic counties: exit 0" 0 "$RC"
pdf=$(ls "$TMP"/issue60/*.pdf 2>/dev/null | head -n 1)
if [[ -f $pdf ]]; then
    mapfile -t names < <(tail -n +2 "$TMP/s60/counties.csv" | cut -d, -f2)
    run_checks "$PY" "$check_py" toc "$pdf" "${names[@]}"
fi
# with a cover, which has no number: the contents give the numbers the footers show
mkdir -p "$TMP/covered"
sed 's/^  header = false,/  header = false, cover = true,/' "$tpl/template.lua" >"$TMP/covered/template.lua"
cb render --report "$CB_SRC/examples/reports/jianbao/issue.lua" --template "$TMP/covered" --data "$TMP/s60" \
    --out "$TMP/issuec" --quiet --no-fsync
check_eq "issue with a cover: exit 0" 0 "$RC"
pdf=$(ls "$TMP"/issuec/*.pdf 2>/dev/null | head -n 1)
[[ -f $pdf ]] && run_checks "$PY" "$check_py" toc "$pdf" "${names[@]:0:5}" "${names[@]: -5}"

# bad rows: one line naming the file (and the row where the data loader knows it)
bad() { # bad WHAT EXPECTED-SUBSTRING: render the copy with the broken bulletin.csv
    cb render --template "$tpl" --data "$data" --county 忠县 --out "$TMP/bad" --quiet --no-fsync
    local err
    err=$(grep -v '^countybrief: [0-9]* problem' "$TMP/stderr" | grep -v ' rendered, ' || true)
    if [[ $RC -ne 0 && $(wc -l <<<"$err") -eq 1 && $err == *"$2"* ]]; then ok "$1: one line, exit $RC"
    else not_ok "$1: one line naming $2, non-zero exit" "exit $RC: $(cat "$TMP/stderr")"; fi
    cp "$CB_SRC/examples/reports/jianbao/bulletin.sample.csv" "$data/bulletin.csv"
}
echo '999999,对口支援工作简报,1,,,,,,,示例' >>"$data/bulletin.csv"
bad "a row for an unknown county" 'bulletin.csv:5:1: unknown county_id "999999"'
sed -i 's/,40,示例/,四十,示例/' "$data/bulletin.csv"
bad "copies not a number" 'bulletin.csv:2:9: column "copies" expects a number, got "四十"'
echo '500233,对口支援工作简报,4,,,,,,,示例' >>"$data/bulletin.csv"
bad "two rows for one county" 'bulletin: two rows for county 500233'
sed -i 's/2024-05-06/2024-13-06/' "$data/bulletin.csv"
bad "a date that is no day" "doc:masthead: 'date' must be a day as YYYY-MM-DD, got '2024-13-06'"

finish
