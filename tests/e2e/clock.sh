#!/usr/bin/env bash
# clock.sh: one clock for every date a document shows (core/clock.h): the cover, the PDF's
# CreationDate and ModDate, os.time and os.date in report scripts, and the input hash.
# SOURCE_DATE_EPOCH, else --date (YYYY-MM-DD, seconds, or today), else the report's own
# doc:date, else no date at all: an undated cover shows none (never today's), an undated
# PDF has no CreationDate. The date is resolved once in the parent, so a worker that
# renders after midnight still shows the run's day. Bad dates: one line, exit 2, nothing
# written. Changing the date re-renders, an unchanged one skips.
set -euo pipefail
source "$(dirname "$0")/lib/common.bash"

unset SOURCE_DATE_EPOCH
ZX=500233-忠县
mkdir -p "$TMP/tpl" "$TMP/rep"
printf 'return { cover = true }\n' >"$TMP/tpl/template.lua"
PDF=$ZX.tpl.pdf

# page1 DIR: the cover's text, flat
page1() { if [[ -f $1/$PDF ]]; then pdftext -f 1 -l 1 "$1/$PDF" - | tr -d ' \n'; fi; }
# dates DIR: the PDF's creation and modification dates, as pdfinfo prints them
dates() { echo "$(pdf_info "$1/$PDF" CreationDate)|$(pdf_info "$1/$PDF" ModDate)"; }
# cover OUT ARGS...: renders 忠县 with the cover template into $TMP/OUT
cover() {
    local out=$1
    shift
    cb render --template "$TMP/tpl" --county 忠县 --out "$TMP/$out" --no-fsync --quiet "$@"
}

# --- no date: the cover shows none, the PDF has no dates -------------------------------------
today_zh=$(date -u +%Y年%-m月%-d日)
cover nodate
check_eq "undated: exit 0" 0 "$RC"
p=$(page1 "$TMP/nodate")
if [[ -n $p && $p != *年*月*日* && $p != *"$today_zh"* ]]; then ok "undated: the cover shows no date (not today's)"
else not_ok "undated: the cover shows no date (not today's)" "$p"; fi
check_eq "undated: the PDF has neither CreationDate nor ModDate" "|" "$(dates "$TMP/nodate")"

# --- SOURCE_DATE_EPOCH and --date: one date, the same bytes ----------------------------------
SOURCE_DATE_EPOCH=1699920000 cover sde
cover date --date 2023-11-14
check_eq "--date 2023-11-14: exit 0" 0 "$RC"
check "SOURCE_DATE_EPOCH=1699920000 and --date 2023-11-14 give the same bytes" cmp "$TMP/sde/$PDF" "$TMP/date/$PDF"
has "the cover shows 2023年11月14日" "$TMP/date/$PDF" "2023年11月14日"
check_eq "the PDF's dates are that day" "Tue Nov 14 00:00:00 2023 UTC|Tue Nov 14 00:00:00 2023 UTC" "$(dates "$TMP/date")"
SOURCE_DATE_EPOCH=1700000000 cover sde2
cover date2 --date 1700000000
check "SOURCE_DATE_EPOCH=1700000000 and --date 1700000000 give the same bytes" cmp "$TMP/sde2/$PDF" "$TMP/date2/$PDF"
SOURCE_DATE_EPOCH=1700000000 cover both --date 2020-01-01
check "SOURCE_DATE_EPOCH wins over --date" cmp "$TMP/sde2/$PDF" "$TMP/both/$PDF"
cb render --lang en --template "$TMP/tpl" --county 忠县 --out "$TMP/en" --no-fsync --quiet --date 2024-02-29
has "in English: 29 February 2024" "$TMP/en/$ZX.tpl.en.pdf" "29February2024"

# --- --date today: that day, the same as naming it -------------------------------------------
day=$(date -u +%F)
cover today --date today
cover named --date "$day"
if [[ $(date -u +%F) != "$day" ]]; then skip "--date today is --date $day" "the day changed during the test"
else check "--date today gives the bytes of --date $day" cmp "$TMP/today/$PDF" "$TMP/named/$PDF"; fi

# --- bad dates: one line, exit 2, nothing written --------------------------------------------
for bad in 2023-02-30 2023-13-01 1969-12-31 2023-1-5 yesterday -5 1e9 " 5" 253402300800; do
    cb render --county 忠县 --out "$TMP/bad" --no-fsync --date "$bad"
    if [[ $RC -eq 2 && $(wc -l <"$TMP/stderr") -eq 1 && ! -e $TMP/bad ]] &&
        grep -qF -- "--date $bad is not a date" "$TMP/stderr"; then ok "--date '$bad': one line, exit 2, nothing written"
    else not_ok "--date '$bad': one line, exit 2, nothing written" "exit $RC; $(cat "$TMP/stderr")"; fi
done
cb check --county 忠县 --date 2023-02-30
check_eq "check --date 2023-02-30: exit 2" 2 "$RC"
for bad in 253402300800 12abc -1; do
    RC=0
    SOURCE_DATE_EPOCH=$bad "$CB" render --county 忠县 --out "$TMP/bad" --no-fsync --date 2023-11-14 >"$TMP/stdout" 2>"$TMP/stderr" || RC=$?
    if [[ $RC -eq 2 && $(wc -l <"$TMP/stderr") -eq 1 && ! -e $TMP/bad ]] &&
        grep -qF "SOURCE_DATE_EPOCH=$bad is not a time a PDF can hold" "$TMP/stderr"; then
        ok "SOURCE_DATE_EPOCH=$bad: one line, exit 2, nothing written"
    else not_ok "SOURCE_DATE_EPOCH=$bad: one line, exit 2, nothing written" "exit $RC; $(cat "$TMP/stderr")"; fi
done

# --- os.time and os.date follow the same clock; a report dates its own document --------------
cat >"$TMP/rep/clock.lua" <<'LUA'
doc:title("时钟")
doc:paragraph("os.date=" .. os.date("%Y-%m-%d") .. " os.time=" .. os.time() .. " doc:date=" .. doc:date())
LUA
cb render --report "$TMP/rep/clock.lua" --template "$TMP/tpl" --county 忠县 --out "$TMP/os" --no-fsync --quiet --date 2024-05-01
has "os.date, os.time and doc:date() read --date" "$TMP/os/$ZX.tpl.pdf" "os.date=2024-05-01os.time=1714521600doc:date=1714521600" "2024年5月1日"
cb render --report "$TMP/rep/clock.lua" --county 忠县 --out "$TMP/os0" --no-fsync --quiet
if [[ $RC -eq 1 ]] && grep -qF "clock.lua:2: the document has no date to read the time from" "$TMP/stderr"; then
    ok "undated: os.date is an error naming the line, not 1970"
else not_ok "undated: os.date is an error naming the line, not 1970" "exit $RC; $(cat "$TMP/stderr")"; fi
cat >"$TMP/rep/issued.lua" <<'LUA'
doc:date("2024-05-01") -- the data's date of issue
doc:title("时钟")
doc:paragraph("os.date=" .. os.date("%Y-%m-%d"))
LUA
cb render --report "$TMP/rep/issued.lua" --template "$TMP/tpl" --county 忠县 --out "$TMP/issued" --no-fsync --quiet
has "doc:date dates the cover and os.date" "$TMP/issued/$ZX.tpl.pdf" "os.date=2024-05-01" "2024年5月1日"
check_eq "doc:date dates the PDF" "Wed May  1 00:00:00 2024 UTC" "$(pdf_info "$TMP/issued/$ZX.tpl.pdf" CreationDate)"
cb render --report "$TMP/rep/issued.lua" --template "$TMP/tpl" --county 忠县 --out "$TMP/issued2" --no-fsync --quiet --date 2023-11-14
has "--date wins over doc:date" "$TMP/issued2/$ZX.tpl.pdf" "os.date=2023-11-14" "2023年11月14日"
printf 'doc:date("2024-02-30")\ndoc:title("x")\n' >"$TMP/rep/baddate.lua"
cb render --report "$TMP/rep/baddate.lua" --county 忠县 --out "$TMP/baddate" --no-fsync --quiet
if [[ $RC -eq 1 ]] && grep -qF "baddate.lua:1: doc:date: '2024-02-30' is not a date" "$TMP/stderr"; then ok "doc:date of no real day: an error naming the line"
else not_ok "doc:date of no real day: an error naming the line" "exit $RC; $(cat "$TMP/stderr")"; fi

# --- the input hash: another date re-renders, the same date skips ----------------------------
# run WHAT EXPECTED ARGS...: renders both counties with the cover into one folder
run() {
    local what=$1 want=$2 line
    shift 2
    cb render --template "$TMP/tpl" --out "$TMP/hash" --no-fsync --jobs 1 "$@"
    line=$(grep -E '^[0-9]+ rendered' "$TMP/stdout" || true)
    if [[ $RC -eq 0 && $line == "$want"* ]]; then ok "$what: $want"; else not_ok "$what: $want" "exit $RC; $line"; fi
}
run "--date 2023-11-14" "2 rendered, 0 skipped" --date 2023-11-14
run "--date 2023-11-14 again" "0 rendered, 2 skipped" --date 2023-11-14
run "--date 2023-11-15" "2 rendered, 0 skipped" --date 2023-11-15
SOURCE_DATE_EPOCH=1699920000 run "SOURCE_DATE_EPOCH of 2023-11-14" "2 rendered, 0 skipped"
run "--date 2023-11-14 after that SOURCE_DATE_EPOCH (the same date)" "0 rendered, 2 skipped" --date 2023-11-14
run "no date" "2 rendered, 0 skipped"
run "no date again" "0 rendered, 2 skipped"

# --- the run crosses midnight: every worker shows the day the run began ----------------------
# A preloaded time() says 23:59:59 in the process that starts and the next day (00:00:01)
# in every process forked from it: a date read in a worker would be the next day's.
cat >"$TMP/midnight.c" <<'C'
#include <time.h>
#include <unistd.h>
static pid_t first;
__attribute__((constructor)) static void init(void) { first = getpid(); }
time_t time(time_t *t)
{
    time_t v = getpid() == first ? 1699919999 : 1699920001; /* 2023-11-13 23:59:59, 11-14 00:00:01 */
    if (t) *t = v;
    return v;
}
C
if ! ${CC:-cc} -shared -fPIC -o "$TMP/midnight.so" "$TMP/midnight.c" 2>"$TMP/cc.err"; then
    skip "--jobs 2 across midnight" "no C compiler: $(head -c 200 "$TMP/cc.err")"
else
    RC=0
    ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0 LD_PRELOAD=$TMP/midnight.so \
        "$CB" render --template "$TMP/tpl" --out "$TMP/midnight" --no-fsync --quiet --jobs 2 --date today \
        >"$TMP/stdout" 2>"$TMP/stderr" || RC=$?
    check_eq "--jobs 2 --date today across midnight: exit 0, two PDFs" "0 2" "$RC $(ls "$TMP/midnight"/*.pdf | wc -l)"
    shown=$(for f in "$TMP/midnight"/*.pdf; do pdftext -f 1 -l 1 "$f" - | grep -o '20[0-9]*年[0-9]*月[0-9]*日' || true; done | sort | uniq -c | tr -s ' ')
    check_eq "every PDF shows the day the run began" " 2 2023年11月13日" "$shown"
fi

finish
