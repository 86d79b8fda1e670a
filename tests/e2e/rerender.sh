#!/usr/bin/env bash
# rerender.sh: a re-run renders exactly the counties whose inputs changed (batch.h,
# docs/manifests.md "What a county's hash covers"). The example data is rendered into one
# folder from copies of everything a PDF is made of; then each input is edited in turn and
# the run must render exactly the counties it affects, no fewer (a stale PDF) and no more:
# - one county's row (a partitioned table, counties.csv): that county only;
# - a shared table (translations.csv, no county_id), a new table, the report script, a
#   module next to it, in a linked folder or 4 folders down (a deeper one is an error),
#   the template, the Chinese and the English font, a fontconfig
#   fallback (added, then edited), a plugin .so, the clock (SOURCE_DATE_EPOCH, --date, or
#   none: then no day changes anything), --lua-memory, --cpu-budget, the data source (CSV folder, SQLite,
#   workbook): every county;
# - nothing changed: none ("0 rendered").
# And the English PDFs name the counties as translations.csv says after it is edited.
# Each run is checked twice: the "wrote" lines and the summary's counts.
set -euo pipefail
source "$(dirname "$0")/lib/common.bash"

for tool in sqlite3 faketime; do
    if ! command -v $tool >/dev/null; then
        printf "FAIL - required tool '%s' is not installed (Debian package %s)\n0 passed, 1 failed\n" $tool $tool
        exit 1
    fi
done

W=$TMP/w
OUT=$TMP/out
mkdir -p "$W/fonts" "$W/fccache" "$W/plugins" "$W/report" "$W/templates"
cp -r "$CB_SRC/examples/data" "$W/data"
cp "$CB_SRC/scripts/briefing.lua" "$W/report/"
cp -r "$CB_SRC/scripts/metrics" "$W/report/"
cp -r "$CB_SRC/templates/briefing" "$W/templates/"
cp "$CB_BUILD"/plugins/*.so "$W/plugins/"
export COUNTYBRIEF_PLUGIN_DIR=$W/plugins COUNTYBRIEF_PLUGIN_PATH=

# the fonts: a private fontconfig configuration over copies, so a test edits no system font
font_of() { fc-match -f '%{file}' "$1"; }
zh_font=$(font_of 'WenQuanYi Micro Hei:lang=zh-cn')
latin_font=$(font_of 'DejaVu Sans')
if [[ ! -f $zh_font || ! -f $latin_font ]]; then
    echo "# skip: needs fonts-wqy-microhei and fonts-dejavu-core (found '$zh_font', '$latin_font')"
    exit 77
fi
cp "$zh_font" "$latin_font" "$W/fonts/"
cat >"$W/fonts.conf" <<EOF
<?xml version="1.0"?>
<!DOCTYPE fontconfig SYSTEM "fonts.dtd">
<fontconfig><dir>$W/fonts</dir><cachedir>$W/fccache</cachedir></fontconfig>
EOF
export FONTCONFIG_FILE=$W/fonts.conf
export SOURCE_DATE_EPOCH=1700000000

IDS=(500233 500236) # 忠县, 奉节县
DATA_ARG=$W/data

# run ARGS...: renders into $OUT from the copies (at the time FAKE, "@YYYY-MM-DD HH:MM:SS"
# UTC, if set); sets RC, WROTE (the ids written, sorted) and SUMMARY ("N rendered, N skipped")
run() {
    RC=0
    ${FAKE:+env TZ=UTC faketime -f "$FAKE"} "$CB" render --jobs 2 --no-fsync --data "$DATA_ARG" \
        --report "$W/report/briefing.lua" --template "$W/templates/briefing" --out "$OUT" "$@" \
        >"$TMP/stdout" 2>"$TMP/stderr" || RC=$?
    WROTE=$(sed -n 's|^wrote .*/\([0-9]*\)-[^/]*\.pdf .*|\1|p' "$TMP/stdout" "$TMP/stderr" | sort -u | tr '\n' ' ')
    WROTE=${WROTE% }
    SUMMARY=$(sed -n 's/^\([0-9]*\) rendered, \([0-9]*\) skipped.*/\1 rendered, \2 skipped/p' \
        "$TMP/stdout" "$TMP/stderr" | tail -n 1)
}

# expect WHAT "IDS" ARGS...: a run with ARGS renders exactly the counties IDS ("" for none)
# and skips the others
expect() {
    local what=$1 want=$2 n
    shift 2
    run "$@"
    n=$(wc -w <<<"$want")
    if [[ $RC == 0 && $WROTE == "$want" && $SUMMARY == "$n rendered, $((${#IDS[@]} - n)) skipped" ]]; then
        ok "$what: renders ${want:-none}"
    else
        not_ok "$what: renders ${want:-none}" "exit $RC; wrote: ${WROTE:-none}; summary: ${SUMMARY:-none}
$(tail -n 3 "$TMP/stderr")"
    fi
}
ALL="${IDS[*]}"
A=${IDS[0]}
B=${IDS[1]}

# edit_row FILE ID: changes the last field of county ID's first row of FILE (its "source")
edit_row() { sed -i "0,/^$2,/s/^\($2,.*\)\$/\1 (edited)/" "$1"; }
# touch_up FILE: one more line at the end, so its bytes change and what it says does not
touch_up() { printf '\n-- edited\n' >>"$1"; }

# --- CSV folder ---------------------------------------------------------------------------
expect "the first run" "$ALL"
expect "an unchanged re-run" ""
expect "a run with the same inputs once more" ""

edit_row "$W/data/projects.csv" "$A"
expect "$A's row of projects.csv edited" "$A"
edit_row "$W/data/counties.csv" "$B"
expect "$B's row of counties.csv edited" "$B"
edit_row "$W/data/towns.csv" "$B"
edit_row "$W/data/indicators.csv" "$A"
expect "a row of each county in two tables edited" "$ALL"

sed -i 's/^忠县,Zhong County,/忠县,Zhongzhou County,/' "$W/data/translations.csv"
expect "translations.csv (no county_id) edited" "$ALL"
printf 'key,value\nnote,unused\n' >"$W/data/extra.csv"
expect "a new shared table" "$ALL"
printf 'key,value\nnote,changed\n' >"$W/data/extra.csv"
expect "the new shared table edited" "$ALL"

touch_up "$W/report/briefing.lua"
expect "the report script edited" "$ALL"
touch_up "$W/report/metrics/common.lua"
expect "a module next to the report (metrics/common.lua) edited" "$ALL"
# modules wherever require finds them: through a link to a folder, 4 folders down
mkdir -p "$W/shared" "$W/report/a/b/c/d"
ln -s ../shared "$W/report/lib"
ln -s . "$W/report/loop" # a cycle: neither followed forever nor an input
echo 'return { x = 1 }' >"$W/shared/m.lua"
echo 'return { y = 1 }' >"$W/report/a/b/c/d/e.lua"
sed -i '0,/^local common = require "metrics.common"$/s//&\nlocal linked, deep = require "lib.m", require "a.b.c.d.e"/' \
    "$W/report/briefing.lua"
expect "the report requires two more modules" "$ALL"
touch_up "$W/shared/m.lua"
expect "a module in a linked folder (lib -> ../shared) edited" "$ALL"
touch_up "$W/report/a/b/c/d/e.lua"
expect "a module 4 folders down (a.b.c.d.e, the deepest) edited" "$ALL"
mkdir -p "$W/report/a/b/c/d/e"
echo 'return {}' >"$W/report/a/b/c/d/e/f.lua"
sed -i 's/require "a.b.c.d.e"$/require "a.b.c.d.e", require "a.b.c.d.e.f"/' "$W/report/briefing.lua"
run
if [[ $RC != 0 ]] && grep -qF "module name 'a.b.c.d.e.f' is more than 4 folders deep" "$TMP/stderr"; then
    ok "a module deeper than the hash looks is an error naming it"
else
    not_ok "a module deeper than the hash looks is an error naming it" "exit $RC; $(head -n 3 "$TMP/stderr")"
fi
sed -i 's/, require "a.b.c.d.e.f"$//' "$W/report/briefing.lua"
expect "back to two modules (the failed counties render again)" "$ALL"
touch_up "$W/templates/briefing/template.lua"
expect "the template edited" "$ALL"

printf '\0' >>"$W/fonts/$(basename "$zh_font")"
expect "the Chinese font edited" "$ALL"
cp "$(font_of 'DejaVu Sans:bold')" "$W/fonts/extra-fallback.ttf"
expect "a font added to fontconfig's fallbacks" "$ALL"
printf '\0' >>"$W/fonts/extra-fallback.ttf"
expect "that fallback font edited" "$ALL"
expect "nothing changed since" ""

plugin=$(ls "$W/plugins"/*.so | head -n 1)
printf '\0' >>"$plugin"
expect "a plugin ($(basename "$plugin")) edited" "$ALL"

SOURCE_DATE_EPOCH=1700000001 expect "SOURCE_DATE_EPOCH changed" "$ALL"
sed -i 's/^return {$/return { cover = true,/' "$W/templates/briefing/template.lua"
expect "the template has a cover now (the date)" "$ALL"
# without SOURCE_DATE_EPOCH, --date today: the cover shows the day it was rendered (at the
# time libfaketime gives, file times left alone; ASan accepts the preload only without its
# link-order check); without either, no date, whatever the day
export ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0 NO_FAKE_STAT=1
unset SOURCE_DATE_EPOCH
FAKE="@2031-03-04 08:00:00" expect "--date today, on 4 March 2031" "$ALL" --date today
FAKE="@2031-03-04 20:00:00" expect "--date today, later that day" "" --date today
FAKE="@2031-03-05 08:00:00" expect "--date today, the next day" "$ALL" --date today
has "the cover shows that day" "$(find "$OUT" -name "$A-*.pdf" ! -name '*.en.pdf' | head -n 1)" "2031年3月5日"
FAKE="@2031-03-05 09:00:00" expect "--date 2031-03-05 (the same day)" "" --date 2031-03-05
FAKE="@2031-03-05 10:00:00" expect "no date at all" "$ALL"
FAKE="@2031-03-06 10:00:00" expect "no date at all, the next day" ""
export SOURCE_DATE_EPOCH=1700000000
expect "SOURCE_DATE_EPOCH set back" "$ALL"

expect "--lua-memory 300" "$ALL" --lua-memory 300
expect "--lua-memory 300 again" "" --lua-memory 300
expect "--cpu-budget 9" "$ALL" --cpu-budget 9
expect "the default limits again" "$ALL"

# --- --lang en: its own output set; the names come from translations.csv -------------------
expect "--lang en, first run" "$ALL" --lang en
expect "--lang en, unchanged" "" --lang en
en_pdf() { find "$OUT" -name "$1-*.en.pdf" | head -n 1; }
has "the English PDF of $A names it as translations.csv says" "$(en_pdf "$A")" "ZhongzhouCounty"
sed -i 's/^忠县,Zhongzhou County,/忠县,Zhong Xian County,/' "$W/data/translations.csv"
expect "--lang en, translations.csv edited" "$ALL" --lang en
has "the English PDF of $A has the new name" "$(en_pdf "$A")" "ZhongXianCounty"
if [[ $(flat "$(en_pdf "$A")") == *ZhongzhouCounty* ]]; then
    not_ok "the English PDF of $A no longer has the old name"
else
    ok "the English PDF of $A no longer has the old name"
fi
expect "the Chinese set after the same edit" "$ALL"
latin_copy=$W/fonts/$(basename "$latin_font")
printf '\0' >>"$latin_copy"
expect "--lang en, the English font (DejaVu Sans) edited" "$ALL" --lang en

# --- SQLite: the same data from another source, then edited there -------------------------
DB=$W/figures.db
for f in "$W/data"/*.csv; do printf '.import --csv "%s" "%s"\n' "$f" "$(basename "$f" .csv)"; done |
    sqlite3 -bail "$DB"
DATA_ARG=sqlite:$DB
expect "the same tables from SQLite (another data source)" "$ALL"
expect "SQLite, unchanged" ""
sqlite3 "$DB" "UPDATE projects SET source = source || ' (again)' WHERE rowid = (SELECT min(rowid) FROM projects WHERE county_id = '$B')"
expect "SQLite: $B's row of projects edited" "$B"
sqlite3 "$DB" "UPDATE translations SET en = 'Fengjie' WHERE zh = '奉节县'"
expect "SQLite: translations edited" "$ALL"

# --- a workbook (.ods) ----------------------------------------------------------------------
if "$PY" "$E2E_LIB/workbook_make.py" ods "$W/data" "$W/book.ods" >"$TMP/make.log" 2>&1; then
    DATA_ARG=$W/book.ods
    expect "the same tables from a workbook (another data source)" "$ALL"
    expect "workbook, unchanged" ""
    edit_row "$W/data/training.csv" "$A"
    "$PY" "$E2E_LIB/workbook_make.py" ods "$W/data" "$W/book.ods" >"$TMP/make.log" 2>&1
    expect "workbook: $A's row of training edited" "$A"
else
    not_ok "workbook_make.py ods" "$(cat "$TMP/make.log")"
fi

finish
