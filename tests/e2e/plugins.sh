#!/usr/bin/env bash
# plugins.sh: the promise of the plugin loader (core/plugins.c) to someone who installs a
# plugin. A bad plugin given with --plugin stops countybrief with exit status 4 and ONE line
# naming the file and why it was refused (ABI major, newer minor, no cb_plugin_magic, no
# cb_plugin_init, init failed with the plugin's own message, a block or plugin name already
# taken, not a shared object), and the plugin's init never runs when its magic is refused.
# A bad plugin in a plugin FOLDER only warns: reports that do not need it still render,
# `countybrief plugins` lists it as refused with its reason, and a report that uses one of
# its blocks fails for each county with script:line, naming the block and the refusal. A
# failed init leaves nothing registered. The good plugin's block, Lua module and data
# source work end to end.
#
# The test plugins are built from tests/plugins/ into $CB_BUILD/test-plugins (never into
# build/plugins, which countybrief loads by itself); see tests/plugins/CMakeLists.txt.
set -euo pipefail
source "$(dirname "$0")/lib/common.bash"
source "$E2E_LIB/counts.bash"

TP=$CB_BUILD/test-plugins
missing=""
for p in good wrong_major newer_minor no_magic no_init init_fails dup_block dup_name; do
    [[ -f $TP/$p.so ]] || missing+=" $p.so"
done
if [[ -n $missing ]]; then
    not_ok "the test plugins are built in $TP" "missing:$missing (build the project first)"
    finish || exit 1
fi
TP=$(cd "$TP" && pwd -P) # the loader shows loaded plugins by their real path
GOOD=$TP/good.so
DATA=$CB_SRC/examples/data

# Every run is also checked for a sanitizer report: in the CI build (CB_SANITIZE=ON,
# ASAN_OPTIONS=detect_leaks=1) a leak or a bad access in the loader or a plugin fails the
# test even where the expected exit status happens to be the sanitizer's (1).
eval "$(declare -f cb | sed '1s/^cb /cb_unchecked /')"
cb() {
    cb_unchecked "$@"
    if grep -qE 'Sanitizer|runtime error:' "$TMP/stderr"; then
        not_ok "countybrief $* runs without a sanitizer report" "$(grep -vE '^ *#[0-9]' "$TMP/stderr" | head -n 5)
$(grep -E '^ *#[0-9]' "$TMP/stderr" | head -n 12)"
    fi
}

# Only the plugins a check names: not the default folder (build/plugins), nor the caller's.
EMPTY=$TMP/no-plugins
mkdir -p "$EMPTY"
export COUNTYBRIEF_PLUGIN_DIR=$EMPTY
unset COUNTYBRIEF_PLUGIN_PATH

cd "$TMP"

# --- report scripts -----------------------------------------------------------------------
cat >good.lua <<'EOF'
-- good.lua: uses the good plugin's Lua module, block and (through --data testsrc:N) source
local m = require "testmod"
doc:title(county.name .. "插件测试")
doc:paragraph("testmod.double(21) = " .. m.double(21))
doc:add("test.box", { height = 30, label = "BOXLABEL" })
local sum = 0
for _, r in ipairs(data.values) do sum = sum + r.value end
doc:paragraph(string.format("values rows %d sum %d", #data.values, sum))
EOF
cat >plain.lua <<'EOF'
-- plain.lua: needs no plugin
doc:title(county.name .. "简报")
doc:paragraph("no plugin needed")
EOF
cat >undone.lua <<'EOF'
doc:title(county.name)
doc:add("test.undone", {})
EOF
cat >dupextra.lua <<'EOF'
doc:title(county.name)
doc:add("test.dupextra")
EOF
cat >req_undone.lua <<'EOF'
doc:title(county.name)
local u = require "undonemod"
EOF
cat >boxerr.lua <<'EOF'
doc:title(county.name)

doc:add("test.box", { height = -1 })
EOF
echo "this is text, not ELF" >junk.so
JUNK=$TMP/junk.so

# re TEXT: TEXT as a grep -E pattern that matches it literally
re() { sed 's/[][\\.*^$+?(){}|]/\\&/g' <<<"$1"; }

# lines FILE: the number of non-empty lines of FILE
lines() { grep -c . "$1" || true; }

# has_all WHAT FILE STRING...: FILE holds every STRING (fixed strings)
has_all() {
    local what=$1 file=$2 s bad=""
    shift 2
    for s in "$@"; do has_text "$file" "$s" || bad+="lacks '$s'; "; done
    if [[ -z $bad ]]; then ok "$what"; else not_ok "$what" "$bad
$(cat "$file")"; fi
}

# lacks_all WHAT FILE STRING...: FILE holds none of the STRINGs
lacks_all() {
    local what=$1 file=$2 s bad=""
    shift 2
    for s in "$@"; do ! has_text "$file" "$s" || bad+="has '$s'; "; done
    if [[ -z $bad ]]; then ok "$what"; else not_ok "$what" "$bad
$(cat "$file")"; fi
}

# refused NAME FILE [--after PLUGIN] -- STRING...: `countybrief plugins [--plugin PLUGIN]
# --plugin FILE` exits 4 with one stderr line naming FILE and holding every STRING, lists FILE
# as refused on stdout, and no code of the refused plugin ran.
refused() {
    local name=$1 file=$2 before=()
    shift 2
    if [[ $1 == --after ]]; then before=(--plugin "$2"); shift 2; fi
    shift # --
    cb plugins "${before[@]}" --plugin "$file"
    check_eq "$name: exit status 4" 4 "$RC"
    local n
    n=$(lines "$TMP/stderr")
    if [[ $n -eq 1 ]]; then ok "$name: one line on stderr"; else
        not_ok "$name: one line on stderr (got $n)" "$(cat "$TMP/stderr")"; fi
    has_all "$name: the message names $file and the reason" "$TMP/stderr" "$file: " "$@"
    if grep -qF -- "refused $file: " "$TMP/stdout"; then ok "$name: \`plugins\` lists it as refused"; else
        not_ok "$name: \`plugins\` lists it as refused" "$(cat "$TMP/stdout")"; fi
    lacks_all "$name: none of its code ran" "$TMP/stderr" "PLUGIN CODE RAN"
}

# --- each refusal, given with --plugin ------------------------------------------------------
refused "wrong ABI major" "$TP/wrong_major.so" -- "plugin 'wrong_major'" ABI major
refused "newer ABI minor" "$TP/newer_minor.so" -- "plugin 'newer_minor'" ABI newer
refused "no magic" "$TP/no_magic.so" -- cb_plugin_magic
refused "no init" "$TP/no_init.so" -- cb_plugin_init
refused "failing init" "$TP/init_fails.so" -- "plugin 'init_fails'" "init failed" \
    "init_fails: licence file missing (on purpose)"
refused "duplicate block" "$TP/dup_block.so" --after "$GOOD" -- "plugin 'dup_block'" \
    "block 'test.box'" "already registered by plugin 'good'" "$GOOD"
refused "duplicate plugin name" "$TP/dup_name.so" --after "$GOOD" -- "'good'" "already loaded" "$GOOD"
refused "not a shared object" "$JUNK" -- "not a loadable shared object"
refused "missing file" "$TMP/no-such-plugin.so" -- "no such plugin file"

# after a refusal of the second plugin, the first is still listed whole
cb plugins --plugin "$GOOD" --plugin "$TP/dup_block.so"
has_all "duplicate block: good is still listed with its block test.box" "$TMP/stdout" \
    "$GOOD" "test.box"
lacks_all "duplicate block: dup_block's other block (test.dupextra) was undone" "$TMP/stdout" \
    "test.dupextra"

cb plugins --plugin "$GOOD" --plugin "$GOOD"
check_eq "the same --plugin twice: exit status 0" 0 "$RC"
check_eq "the same --plugin twice: good is listed once" 1 "$(grep -c '^good ' "$TMP/stdout" || true)"

# render stops before writing anything
cb render --plugin "$TP/wrong_major.so" --data "$DATA" --out "$TMP/out-refused"
check_eq "render --plugin wrong_major.so: exit status 4" 4 "$RC"
check_eq "render --plugin wrong_major.so: one line on stderr" 1 "$(lines "$TMP/stderr")"
has_all "render --plugin wrong_major.so: the message names the file and the ABI" "$TMP/stderr" \
    "$TP/wrong_major.so: " ABI major
if [[ ! -e $TMP/out-refused ]] || [[ -z $(ls -A "$TMP/out-refused") ]]; then
    ok "render --plugin wrong_major.so: nothing written"
else
    not_ok "render --plugin wrong_major.so: nothing written" "$(ls -A "$TMP/out-refused")"
fi

# --- the good plugin: block, module and data source ------------------------------------------
cb render --plugin "$GOOD" --report good.lua --data testsrc:3 --out "$TMP/out-good"
check_eq "good plugin: render --data testsrc:3 exits 0" 0 "$RC"
[[ $RC -eq 0 ]] || not_ok "good plugin: render output" "$(cat "$TMP/stderr")"
check_eq "good plugin: the source gives two counties, one PDF each" "1-甲县.pdf 2-乙县.pdf" \
    "$(cd "$TMP/out-good" 2>/dev/null && ls -- *.pdf | sort | tr '\n' ' ' | sed 's/ $//')"
pdftext "$TMP/out-good/1-甲县.pdf" "$TMP/jia.txt"
pdftext "$TMP/out-good/2-乙县.pdf" "$TMP/yi.txt"
has_all "good plugin: 甲县's PDF shows the module's result, the block's label and its source rows" \
    "$TMP/jia.txt" "甲县插件测试" "testmod.double(21) = 42" BOXLABEL "values rows 3 sum 6"
has_all "good plugin: 乙县's PDF shows its own source rows" "$TMP/yi.txt" "乙县插件测试" \
    BOXLABEL "values rows 3 sum 9"

cb list --plugin "$GOOD" --data testsrc:1
check_eq "good plugin: list --data testsrc:1" "$(printf '1\t甲县\t\n2\t乙县\t')" "$(cat "$TMP/stdout")"

cb render --plugin "$GOOD" --report good.lua --data testsrc:-1 --out "$TMP/out-src-err"
check_eq "good plugin: a failing source exits 3" 3 "$RC"
has_all "good plugin: a failing source's message is shown" "$TMP/stderr" "testsrc: N must not be negative"

cb render --plugin "$GOOD" --report boxerr.lua --data "$DATA" --out "$TMP/out-boxerr"
check_counts "good plugin: a block rejecting its options fails each county" 0 0 2 "$TMP/out-boxerr"
check_eq "good plugin: the block's error names script:line, once per county" 2 \
    "$(grep -cF "boxerr.lua:3: test.box: height must be positive" "$TMP/stderr" || true)"

# --- a plugin folder with good and bad plugins --------------------------------------------------
# copies, so the paths shown are the folder's; dup_block sorts after good.so so that good
# (loaded first) keeps test.box
PD=$TMP/plugin-folder
mkdir -p "$PD"
cp "$GOOD" "$TP/init_fails.so" "$TP/wrong_major.so" "$PD/"
cp "$TP/dup_block.so" "$PD/zz_dup_block.so"
cp "$JUNK" "$PD/junk.so"
PD=$(cd "$PD" && pwd -P)
BAD=(init_fails.so junk.so wrong_major.so zz_dup_block.so)

export COUNTYBRIEF_PLUGIN_PATH=$PD

cb render --report plain.lua --data "$DATA" --out "$TMP/out-plain"
check_eq "folder: a report not needing the refused plugins renders (exit 0)" 0 "$RC"
check_eq "folder: both PDFs written" 2 "$(find "$TMP/out-plain" -name '*.pdf' 2>/dev/null | wc -l)"
for b in "${BAD[@]}"; do
    check_eq "folder: one warning line for $b" 1 \
        "$(grep -c "^countybrief: warning: plugin refused: $(re "$PD/$b"): " "$TMP/stderr" || true)"
done
check_eq "folder: no other line on stderr" "${#BAD[@]}" "$(lines "$TMP/stderr")"
lacks_all "folder: no code of a plugin refused by its magic ran" "$TMP/stderr" "PLUGIN CODE RAN"

cb render --quiet --report plain.lua --data "$DATA" --out "$TMP/out-plain-quiet"
check_eq "folder: render --quiet exits 0" 0 "$RC"
check_eq "folder: render --quiet prints no warning" "" "$(cat "$TMP/stderr")"

cb plugins
check_eq "folder: \`plugins\` exits 0 (refusals in a folder are not errors)" 0 "$RC"
check_eq "folder: \`plugins\` prints nothing on stderr" "" "$(cat "$TMP/stderr")"
out=$TMP/stdout
# good: name version (ABI x.y) path, then its description and what it provides
if grep -qE "^good +1\.0\.0 +\(ABI 1\.4\) +$(re "$PD/good.so")\$" "$out"; then
    ok "folder: \`plugins\` lists good: name, version, ABI 1.4, path"
else
    not_ok "folder: \`plugins\` lists good: name, version, ABI 1.4, path" "$(cat "$out")"
fi
for re in '^ +loader test plugin$' '^ +block +test\.box$' '^ +module +testmod$' '^ +source +testsrc +\(--data testsrc:'; do
    if grep -qE -- "$re" "$out"; then ok "folder: \`plugins\` shows /$re/"; else
        not_ok "folder: \`plugins\` shows /$re/" "$(cat "$out")"; fi
done
has_all "folder: \`plugins\` shows each refused plugin with its reason" "$out" \
    "refused $PD/init_fails.so: plugin 'init_fails': init failed" "licence file missing (on purpose)" \
    "refused $PD/junk.so: not a loadable shared object" \
    "refused $PD/wrong_major.so: plugin 'wrong_major' was built for plugin ABI" \
    "refused $PD/zz_dup_block.so: plugin 'dup_block': block 'test.box' is already registered by plugin 'good'"
lacks_all "folder: nothing of a refused plugin is registered" "$out" test.undone undonemod test.dupextra
check_eq "folder: \`plugins\` lists one loaded plugin" 1 "$(grep -cE '^[^ ]+ [^ ]+  \(ABI ' "$out" || true)"

# a report using a block of a refused plugin: fails per county, naming the block and the refusal
cb render --report undone.lua --data "$DATA" --out "$TMP/out-undone"
check_counts "refused block: every county fails" 0 0 2 "$TMP/out-undone"
n=$(grep -cF "undone.lua:2: doc:add: no block type 'test.undone'" "$TMP/stderr" || true)
check_eq "refused block: one error per county with script:line naming the block" 2 "$n"
n=$(grep -F "no block type 'test.undone'" "$TMP/stderr" |
    grep -F "$PD/init_fails.so (plugin 'init_fails': init failed" | grep -c '^countybrief: 50023[36] ' || true)
check_eq "refused block: each error names its county and lists the refused plugin with its reason" 2 "$n"
check_eq "refused block: no PDF written" 0 "$(find "$TMP/out-undone" -name '*.pdf' 2>/dev/null | wc -l)"

# a failed init or a refused duplicate leaves nothing registered
cb render --report dupextra.lua --data "$DATA" --out "$TMP/out-dupextra"
check_eq "undone block of a refused duplicate: render exits 1" 1 "$RC"
has_all "undone block of a refused duplicate: the message names it and the refusal" "$TMP/stderr" \
    "dupextra.lua:2: doc:add: no block type 'test.dupextra'" "$PD/zz_dup_block.so"
cb render --report req_undone.lua --data "$DATA" --out "$TMP/out-req-undone"
check_eq "undone module of a failed init: render exits 1" 1 "$RC"
has_all "undone module of a failed init: require names it and the refusal" "$TMP/stderr" \
    "req_undone.lua:2: module 'undonemod' not found" "$PD/init_fails.so"

# good, loaded from the folder next to refused plugins, still works whole
cb render --report good.lua --data testsrc:2 --out "$TMP/out-folder-good"
check_eq "folder: good's block, module and source work (exit 0)" 0 "$RC"
pdftext "$TMP/out-folder-good/1-甲县.pdf" "$TMP/folder-jia.txt"
has_all "folder: good's PDF shows module, block and source" "$TMP/folder-jia.txt" \
    "testmod.double(21) = 42" BOXLABEL "values rows 2 sum 2"

# an explicit --plugin refusal is still an error when folders are in use
cb plugins --plugin "$TP/dup_name.so"
check_eq "folder + --plugin dup_name.so: exit status 4" 4 "$RC"
check_eq "folder + --plugin dup_name.so: one line on stderr" 1 "$(lines "$TMP/stderr")"
has_all "folder + --plugin dup_name.so: names the plugin already loaded from the folder" "$TMP/stderr" \
    "$TP/dup_name.so: " "already loaded" "$PD/good.so"
unset COUNTYBRIEF_PLUGIN_PATH

# --- the default folder ---------------------------------------------------------------------
COUNTYBRIEF_PLUGIN_DIR=$PD cb plugins
check_eq "COUNTYBRIEF_PLUGIN_DIR=folder: \`plugins\` exits 0" 0 "$RC"
has_all "COUNTYBRIEF_PLUGIN_DIR=folder: its plugins load by themselves" "$TMP/stdout" \
    "$PD/good.so" "refused $PD/init_fails.so"

COUNTYBRIEF_PLUGIN_DIR=$EMPTY cb plugins
check_eq "COUNTYBRIEF_PLUGIN_DIR=empty folder: \`plugins\` exits 0" 0 "$RC"
has_all "COUNTYBRIEF_PLUGIN_DIR=empty folder: \`plugins\` says no plugins loaded" "$TMP/stdout" \
    "no plugins loaded"
lacks_all "COUNTYBRIEF_PLUGIN_DIR=empty folder: nothing refused" "$TMP/stdout" "refused"

finish
