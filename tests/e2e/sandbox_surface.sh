#!/usr/bin/env bash
# sandbox_surface.sh: everything a report script can reach, compared with an exact
# allow-list. tests/fixtures/sandbox_surface/surface_walk.lua walks the globals, every table
# reachable from them, the metatables of what it meets (as getmetatable shows them), the
# string metatable and the metatables of what optional {} and data.of return; each name it
# finds must be on the list below, and each name on the list must be found. It runs inside
# the declaration (so in the process that reads the declarations, "prelude") and again in
# each county's run ("run"), for reports per county and over all counties, with render
# (workers, one or two at a time), check and --lang en. The allow-list is that of
# core/lua_api.c (base_names and the others) and docs/reports.md ("Libraries"): a name
# added to or removed from the sandbox must change all three.
# Then a template's template.lua, which runs with an empty environment: none of these
# names, nor the string metatable, is reachable from it.
set -euo pipefail
source "$(dirname "$0")/lib/common.bash"

REP=$TMP/rep
mkdir -p "$REP"
cp "$CB_SRC/tests/fixtures/sandbox_surface/surface_walk.lua" "$REP/"
printf '%s\n' 'report { languages = { "zh", "en", require("surface_walk")() } }' 'doc:title("surface")' >"$REP/county.lua"
printf '%s\n' 'report { scope = "all", output = "surface", languages = { "zh", require("surface_walk")() } }' \
    'doc:title("surface")' >"$REP/all.lua"

# The allow-list: "PATH TYPE" or "PATH TYPE -> PATH" (a table met before). Scope column:
# every run (*), a report per county (county), over all counties (all); phase column: both,
# or run only (while the declarations are read, template is nil).
ALLOW=$(
    cat <<'LIST'
* both _G table
* both _G table -> _G
* both _ENV table -> _G
* both _VERSION string
* both assert function
* both collectgarbage function
* both error function
* both getmetatable function
* both ipairs function
* both load function
* both next function
* both pairs function
* both pcall function
* both print function
* both rawequal function
* both rawget function
* both rawlen function
* both rawset function
* both require function
* both select function
* both setmetatable function
* both tonumber function
* both tostring function
* both type function
* both warn function
* both xpcall function
* both string table
* both string.byte function
* both string.char function
* both string.find function
* both string.format function
* both string.gmatch function
* both string.gsub function
* both string.len function
* both string.lower function
* both string.match function
* both string.pack function
* both string.packsize function
* both string.rep function
* both string.reverse function
* both string.sub function
* both string.unpack function
* both string.upper function
* both getmetatable('') table
* both getmetatable('').__index table -> string
* both getmetatable('').__add function
* both getmetatable('').__sub function
* both getmetatable('').__mul function
* both getmetatable('').__div function
* both getmetatable('').__idiv function
* both getmetatable('').__mod function
* both getmetatable('').__pow function
* both getmetatable('').__unm function
* both table table
* both table.concat function
* both table.insert function
* both table.move function
* both table.pack function
* both table.remove function
* both table.sort function
* both table.unpack function
* both math table
* both math.abs function
* both math.acos function
* both math.asin function
* both math.atan function
* both math.ceil function
* both math.cos function
* both math.deg function
* both math.exp function
* both math.floor function
* both math.fmod function
* both math.huge number
* both math.log function
* both math.max function
* both math.maxinteger number
* both math.min function
* both math.mininteger number
* both math.modf function
* both math.pi number
* both math.rad function
* both math.random function
* both math.randomseed function
* both math.sin function
* both math.sqrt function
* both math.tan function
* both math.tointeger function
* both math.type function
* both math.ult function
* both utf8 table
* both utf8.char function
* both utf8.charpattern string
* both utf8.codepoint function
* both utf8.codes function
* both utf8.len function
* both utf8.offset function
* both os table
* both os.clock function
* both os.date function
* both os.difftime function
* both os.time function
* both os<metatable> table
* both os<metatable>.__index function
* both fmt table
* both fmt.count function
* both fmt.decimal function
* both fmt.percent function
* both fmt.thousands function
* both fmt.wan function
* both fmt.yuan function
* both spairs function
* both lang string
* both doc userdata
* both doc<metatable> boolean
* both needs function
* both optional function
* both optional{}<metatable> string
* both report function
* both data table
* both data<metatable> table
* both data<metatable>.__index function
* run template table
* run template.condensed boolean
* run template.height number
* run template.masthead boolean
* run template.name string
* run template.page_height number
* run template.page_width number
* run template.width number
* run template.type table
* run template.type.body number
* run template.type.h1 number
* run template.type.h2 number
* run template.type.leading number
* run template.type.small number
* run template.type.table number
* run template.type.title number
county both county table
all prelude county table
all run counties table
all run counties[1] table
all run data.of function
all run data.of(counties[1]) table
all run data.of(counties[1])<metatable> table
all run data.of(counties[1])<metatable>.__index function
LIST
)

# expected SCOPE PHASE: the allow-list for that scope and phase, sorted
expected() {
    awk -v scope="$1" -v phase="$2" '($1 == "*" || $1 == scope) && ($2 == "both" || $2 == phase) {
        $1 = ""; $2 = ""; sub(/^  /, ""); print }' <<<"$ALLOW" | sort -u
}

# compare WHAT SCOPE PHASE LOG: the names the walk sent in LOG for PHASE against the list
compare() {
    local what=$1 scope=$2 phase=$3 log=$4 found extra missing
    found=$(sed -n "s/^Lua warning: SURFACE $phase //p" "$log" | sort -u)
    if [[ -z $found ]]; then
        not_ok "$what ($phase): the walk ran" "$(head -n 20 "$log")"
        return
    fi
    extra=$(comm -13 <(expected "$scope" "$phase") <(printf '%s\n' "$found"))
    missing=$(comm -23 <(expected "$scope" "$phase") <(printf '%s\n' "$found"))
    if [[ -z $extra && -z $missing ]]; then
        ok "$what ($phase): exactly the allow-list ($(wc -l <<<"$found") names)"
    else
        not_ok "$what ($phase): exactly the allow-list" "$({
            [[ -z $extra ]] || sed 's/^/reachable but not on the allow-list: /' <<<"$extra"
            [[ -z $missing ]] || sed 's/^/on the allow-list but not reachable: /' <<<"$missing"
        })"
    fi
}

# surface WHAT SCOPE ARGS...: runs countybrief ARGS, then compares both phases
surface() {
    local what=$1 scope=$2 log
    shift 2
    log=$TMP/$(tr -c 'a-z0-9\n' _ <<<"$what").log
    local rc=0
    "$CB" "$@" >"$log" 2>&1 || rc=$?
    check_eq "$what: exit 0" 0 "$rc"
    compare "$what" "$scope" prelude "$log"
    compare "$what" "$scope" run "$log"
}

surface "render, two workers" county render --report "$REP/county.lua" --out "$TMP/o1" --jobs 2
surface "render one county, one worker" county render --report "$REP/county.lua" --out "$TMP/o2" --jobs 1 --county 忠县
surface "render --lang en" county render --report "$REP/county.lua" --out "$TMP/o3" --lang en
surface "check" county check --report "$REP/county.lua" --jobs 2
surface "render, scope all" all render --report "$REP/all.lua" --out "$TMP/o4"
surface "check, scope all" all check --report "$REP/all.lua"

# a name taken out says so (as io, dofile and loadfile do: sandbox.sh)
printf '%s\n' 'local f = string.dump(print)' >"$REP/dump.lua"
cb render --report "$REP/dump.lua" --out "$TMP/o6" --county 忠县 --quiet
check_eq "string.dump: the error says why it is missing" \
    "1 countybrief: 500233 忠县: $REP/dump.lua:1: attempt to call a nil value (field 'dump'); report scripts have no string.dump: load takes text only" \
    "$RC $(sed 's/ \[traceback.*//' "$TMP/stderr" | head -n 1)"

# --- template.lua: an empty environment -------------------------------------------------------
# Each name a report sees, and those it must never see, is nil there: the first one
# reachable would stop the template with "attempt to concatenate a ... value (global
# 'NAME')". And a string has no metatable, so no string library either.
TPL=$TMP/tpl
cp -r "$CB_SRC/templates/briefing" "$TPL"
{
    for name in $(awk '$3 ~ /^[A-Za-z_][A-Za-z0-9_]*$/ && $3 != "_ENV" { print $3 }' <<<"$ALLOW" | sort -u) \
        io package debug coroutine dofile loadfile os require; do
        printf 'if %s ~= nil then return %s .. nil end\n' "$name" "$name"
    done
    cat "$CB_SRC/templates/briefing/template.lua"
} >"$TPL/template.lua"
cb render --template "$TPL" --out "$TMP/o5" --county 忠县 --quiet
check_eq "template.lua reaches none of the report's names" "0 " "$RC $(head -n 3 "$TMP/stderr")"
{
    echo 'local rep = ("").rep'
    cat "$CB_SRC/templates/briefing/template.lua"
} >"$TPL/template.lua"
cb render --template "$TPL" --out "$TMP/o5" --county 忠县 --quiet
check_eq "template.lua: a string has no metatable (no string library)" \
    "4 countybrief: $TPL/template.lua:1: attempt to index a string value (constant '')" "$RC $(head -n 3 "$TMP/stderr")"

finish
