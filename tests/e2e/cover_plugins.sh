#!/usr/bin/env bash
# cover_plugins.sh: paths of core/plugins.c and core/plugin_*.c no other test takes
# (tests/README.md, coverage), through the test plugin hostile_api (tests/plugins/hostile_api.c), whose behaviour
# CB_TEST_HOSTILE_API chooses. A plugin whose magic gives no description, too short a one or
# a bad name, or whose init registers a block, module or data source that is invalid or taken
# (by name, scheme or extension: the message names which), or fails with no message, is
# refused: exit 4, one line naming the file and the reason, listed as refused by `countybrief
# plugins`. Drawing with NaN, infinite, negative or out-of-range values puts none of them in
# the PDF (colours clamped, line width and dash reset, coordinates 0 or at most 1e7, path
# segments with no current point left out); text of no size, empty
# or invalid UTF-8 is not drawn. A data source's NaN, infinite, empty and NULL cells are empty
# values; a source that fails without a message is named with its --data argument. Plugin
# folders that are missing, files, or writable by others.
set -euo pipefail
source "$(dirname "$0")/lib/common.bash"

TP=$CB_BUILD/test-plugins
if [[ ! -f $TP/hostile_api.so ]]; then
    not_ok "$TP/hostile_api.so is built"
    finish || exit 1
fi
TP=$(cd "$TP" && pwd -P)
H=$TP/hostile_api.so
mkdir -p "$TMP/none"
export COUNTYBRIEF_PLUGIN_DIR=$TMP/none
unset COUNTYBRIEF_PLUGIN_PATH
cd "$TMP"

# refused MODE REASON: with CB_TEST_HOSTILE_API=MODE, --plugin is refused for REASON
refused() {
    CB_TEST_HOSTILE_API=$1 cb plugins --plugin "$H"
    check_eq "$1: exit 4, one line naming the file and why" "4 countybrief: $H: $2" \
        "$RC $(cat "$TMP/stderr")"
    check_eq "$1: listed as refused" "refused $H: $2" "$(grep '^refused' "$TMP/stdout")"
}
refused no_info "cb_plugin_magic returned no valid description"
refused short_info "cb_plugin_magic returned no valid description"
refused bad_name "the plugin's name must be letters, digits, '.', '_' or '-' and it needs a version"
refused block_name "plugin 'hostile_api': block type 'bad name' is incomplete (needs version, a name of letters, digits, '.', '_' or '-', create, measure, draw)"
refused module_name "plugin 'hostile_api': Lua module 'bad/mod' has an invalid name (letters, digits, '.', '_' or '-') or no open function"
refused module_twice "plugin 'hostile_api': Lua module 'hmod' is already registered by plugin 'hostile_api' ($H)"
refused source_none "plugin 'hostile_api': data source 'nowhere' is incomplete (needs version, a name of letters, digits, '.', '_' or '-', load, and a scheme or an extension)"
refused source_ext "plugin 'hostile_api': data source extension '.ABC' is already registered by plugin 'hostile_api' ($H)"
refused fail_silent "plugin 'hostile_api': init failed with code -3 (no message)"
SQ=$(cd "$CB_BUILD/plugins" && pwd -P)/sqlite.so
CB_TEST_HOSTILE_API=source_scheme cb plugins --plugin "$SQ" --plugin "$H"
check_eq "source_scheme: refused, naming the scheme and the plugin that has it" \
    "4 countybrief: $H: plugin 'hostile_api': data source scheme 'sqlite' is already registered by plugin 'sqlite' ($SQ)" \
    "$RC $(cat "$TMP/stderr")"

# --- the plugin loaded: its listing, its drawing, its data --------------------------------
cb plugins --plugin "$H"
check_eq "plugins: the sources' --data forms" \
    "    source  hostile  (--data hostile:PATH)|    source  hostext  (--data hostext:PATH or --data FILE.hostext)" \
    "$(grep '^    source' "$TMP/stdout" | paste -sd'|')"

cat >h.lua <<'LUA'
doc:title(county.name .. "标题")
doc:add("hostile.draw", {})
local r = data.values[1]
doc:paragraph(string.format("a=%s b=%s c=%s", tostring(r.a), tostring(r.b), tostring(r.c)))
LUA
cb render --plugin "$H" --report h.lua --data hostile:x --out out
check_eq "hostile values: both counties render" "0 2" "$RC $(ls out/*.pdf 2>/dev/null | wc -l)"
has "NaN, empty and NULL cells are empty values; text drawn at NaN is drawn at 0" out/1-甲县.pdf \
    "a=nilb=nilc=nil" hostile-origin hostile-right
has "the finite cells are values; an infinite one is empty" out/2-乙县.pdf "a=7b=tc=nil"
check_eq "text of no size, empty, or invalid UTF-8 is not drawn" "" \
    "$(pdftext out/1-甲县.pdf - | grep -E 'nan size|negative size|utf-8' || true)"
qpdf --qdf --object-streams=disable out/1-甲县.pdf q.pdf || true
check_eq "no NaN or infinity in the page" "" "$(grep -aiwE 'nan|-?inf(inity)?' q.pdf || true)"
check "the fill colour (NaN, -1, 2) clamped to 0 0 1" grep -aqx '0 0 1 rg' q.pdf
check "the stroke colour (inf, 0.5, -inf) clamped to 0 0.5 0" grep -aqx '0 0.5 0 RG' q.pdf
check_eq "line widths NaN and -3 give 1 (after each clamped stroke colour)" "1 w" \
    "$(grep -a -A1 -x '0 0.5 0 RG' q.pdf | grep -avx -e '0 0.5 0 RG' -e '--' | sort -u)"
check_eq "dash (NaN, -1) is solid; then (2, 1); (0.3, 0) is 1 pt, no gap" "[2 1 ] 0 d|[1 ] 0 d" \
    "$(grep -axE '\[.*\] [0-9.]+ d' q.pdf | paste -sd'|')"
check "coordinates beyond what a PDF holds are clamped to 1e7" grep -aqx '10000000 -10000000 l' q.pdf
pdftoppm -r 20 out/1-甲县.pdf pages 2>ppm.err || true
check_eq "lineto, curveto and closepath with no current point are left out: poppler reads the page without a complaint" \
    "" "$(cat ppm.err)"
check "the NaN-sized rectangle has size 0" grep -aqE '^[0-9.]+ [0-9.]+ 0 0 re$' q.pdf

cb render --plugin "$H" --report h.lua --data x.hostext --out out2
check_eq "a source failing with no message: exit 3, named by its --data" \
    "3 countybrief: --data x.hostext: data source 'hostext' failed (code 1) and gave no reason" \
    "$RC $(cat "$TMP/stderr")"
check_eq "... nothing written" "" "$(ls out2 2>/dev/null || true)"

# --- plugin folders -------------------------------------------------------------------------
COUNTYBRIEF_PLUGIN_DIR= cb plugins
check_eq "no plugin folder at all" "0 no plugins loaded (searched: no folder)" "$RC $(cat "$TMP/stdout")"
mkdir -p open
cp "$H" open/
chmod 0777 open
touch afile
COUNTYBRIEF_PLUGIN_PATH=$TMP/missing:$TMP/afile:$TMP/open cb plugins
check_eq "missing, file and open folders: exit 0, all named as searched, the open one refused" \
    "0 no plugins loaded (searched: $TMP/none, $TMP/missing, $TMP/afile, $TMP/open)|refused $TMP/open: writable by others (mode 0777); run chmod go-w $TMP/open" \
    "$RC $(paste -sd'|' "$TMP/stdout")"
COUNTYBRIEF_PLUGIN_PATH=$TMP/missing:$TMP/afile:$TMP/open cb list
check_eq "list: the folder writable by others warned of, once, with what to do" \
    "0 countybrief: warning: plugin folder refused: $TMP/open: writable by others (mode 0777); run chmod go-w $TMP/open" \
    "$RC $(cat "$TMP/stderr")"

# --- a file no reader claims: the message lists what is read, and what was refused ----------
mkdir -p hp
cp "$H" hp/
touch x.txt noext
COUNTYBRIEF_PLUGIN_DIR=$TMP/none cb list --data x.txt
check_eq "no plugins, a .txt: exit 3, only CSV folders are read" \
    "3 countybrief: x.txt: not a data folder, and no reader for '.txt'; countybrief reads a folder of CSV files" \
    "$RC $(cat "$TMP/stderr")"
COUNTYBRIEF_PLUGIN_DIR=$TMP/hp cb list --data noext
check_eq "hostile_api in the folder, a file without extension: its extension and schemes listed" \
    "3 countybrief: noext: not a data folder; countybrief reads a folder of CSV files, .hostext files, and a file of any name as hostile:FILE or hostext:FILE" \
    "$RC $(cat "$TMP/stderr")"
CB_TEST_HOSTILE_API=fail_silent COUNTYBRIEF_PLUGIN_DIR=$TMP/hp cb list --data x.txt
check_eq "... refused: warned of, and named in the error, with why" \
    "3 countybrief: warning: plugin refused: $TMP/hp/hostile_api.so: plugin 'hostile_api': init failed with code -3 (no message)|countybrief: x.txt: not a data folder, and no reader for '.txt'; countybrief reads a folder of CSV files; refused plugins: $TMP/hp/hostile_api.so (plugin 'hostile_api': init failed with code -3 (no message))" \
    "$RC $(paste -sd'|' "$TMP/stderr")"
CB_TEST_HOSTILE_API=fail_silent COUNTYBRIEF_PLUGIN_DIR=$TMP/hp cb list --data missing.hostext
check_eq "... a data file that is not there: said so, the refusal named" \
    "3 countybrief: missing.hostext: no such data folder; refused plugins: $TMP/hp/hostile_api.so (plugin 'hostile_api': init failed with code -3 (no message))" \
    "$RC $(tail -n1 "$TMP/stderr")"

finish
