#!/usr/bin/env bash
# cover_lua.sh: the report API of core/lua_*.c, answer by answer (tests/README.md,
# coverage): every refusal of doc:table and the other blocks, each one line naming
# script:line; the cells a table keeps in the PDF; require's refused names, a missing
# module, a cycle, a syntax error; load takes text only; spairs in one order whatever the
# hash order; getmetatable; a report over all counties (counties, data, data.of) seeing only
# the counties asked for; print and warn cut long lines; a deep traceback; the declarations
# (report { }, needs { }) read from the text with BOM, #! line, comments and strings, and
# each refusal of them naming script:line; a memory limit too small for any Lua state named,
# and one too small for the report's libraries and data.
set -euo pipefail
source "$(dirname "$0")/lib/common.bash"

m=$TMP/m
mkdir -p "$m/sub"
cat >"$m/api.lua" <<'LUA'
local function e(f) print("error", select(2, pcall(f))) end
-- doc:table, every refusal
e(function() return doc:table({}) end)
e(function() return doc:table({columns = {}}) end)
e(function() return doc:table({columns = {}, rows = {}}) end)
e(function() return doc:table({columns = {"x"}, rows = {}}) end)
e(function() return doc:table({columns = {{width = 1}}, rows = {}}) end)
e(function() return doc:table({columns = {{title = "a", align = "middle"}}, rows = {}}) end)
e(function() return doc:table({columns = {{title = "a", align = {}}}, rows = {}}) end)
e(function() return doc:table({columns = {{title = "a", width = 0}}, rows = {}}) end)
e(function() return doc:table({columns = {{title = "a", width = "2"}}, rows = {}}) end)
e(function() return doc:table({columns = {{title = "a"}}, rows = {"r"}}) end)
e(function() return doc:table({columns = {{title = "a"}}, rows = {{1, 2}}}) end)
e(function() return doc:table({columns = {{title = "a"}, {title = "b"}}, rows = {{1, 2, 3}}}) end)
-- the other blocks' refusals
e(function() return doc:heading("h", 5) end)
e(function() return doc:barchart({}) end)
e(function() return doc:barchart({bars = {{label = "x", value = "1"}}}) end)
e(function() return doc:notes({}) end)
e(function() return doc:notes({items = {{}}}) end)
e(function() return doc:kpis({"x"}) end)
e(function() return doc:kpis({{label = "x"}}) end)
e(function() return doc:info({title = true}) end)
e(function() return doc:add("chart.nothing") end)
e(function() return doc:add("chart.pie") end)
-- require: names refused, modules missing, a cycle, a syntax error
e(function() return require("a/b") end)
e(function() return require("a..b") end)
e(function() return require(".a") end)
e(function() return require("a.") end)
e(function() return require("a.b.c.d.e.f") end)
e(function() return require("nowhere") end)
e(function() return require("cyc") end)
e(function() return require("broken") end)
print("require", require("empty"), require("sub.mod").v, require("sub.mod") == require("sub.mod"))
-- load: text only, an environment, a name
print("load", load("\27Lua binary"))
print("load", load("return x", "=chunk", "t", {x = 42})(), load("return 1")(), load("syntax error here", "=named"))
-- spairs: numbers, strings, false and true
local keys = {}
for k in spairs({b = 1, [2] = 1, a = 1, [1] = 1, [true] = 1, [false] = 1}) do keys[#keys + 1] = tostring(k) end
print("spairs", table.concat(keys, " "))
local orders = {}
for i = 1, 40 do -- tables of other sizes: other hash orders
  local t = {b = 1, [2] = 1, a = 1, [1] = 1, [true] = 1, [false] = 1}
  for j = 1, i do t["x" .. j] = 1 end
  local seen = {}
  for k in spairs(t) do if not tostring(k):match("^x") then seen[#seen + 1] = tostring(k) end end
  orders[table.concat(seen, " ")] = true
end
local n = 0
for o in pairs(orders) do n = n + 1 end
print("spairs orders", n, orders["1 2 a b false true"])
-- metatables
print("meta", getmetatable(doc), getmetatable("").__index == string, getmetatable({}), pcall(getmetatable))
print("setmeta", getmetatable(setmetatable({}, nil)), getmetatable(setmetatable({}, {__index = {}})) ~= nil)
-- the cells a table keeps
doc:table({columns = {{title = "列甲", align = "right", width = 2}, {title = "列乙", align = "center"}, {title = "列丙"}},
           rows = {{12345, 2.5, true}, {nil, "文字", -7}}})
doc:heading("二级标题", 2)
LUA
printf 'return require("cyc2")\n' >"$m/cyc.lua"
printf 'return require("cyc")\n' >"$m/cyc2.lua"
printf 'return {\n' >"$m/broken.lua"
printf 'local x = 1\n' >"$m/empty.lua"
printf 'return { v = "sub" }\n' >"$m/sub/mod.lua"

expect=$(cat <<EOF
error	$m/api.lua:3: doc:table: 'columns' must be a list of {title=, width=, align=}
error	$m/api.lua:4: doc:table: 'rows' must be a list of rows
error	$m/api.lua:5: doc:table: needs at least one column
error	$m/api.lua:6: doc:table: column 1 must be a table
error	$m/api.lua:7: doc:table: column 1 needs a 'title' string
error	$m/api.lua:8: doc:table: column 1 align must be "left", "right" or "center"
error	$m/api.lua:9: doc:table: column 1 align must be "left", "right" or "center"
error	$m/api.lua:10: doc:table: column 1 width must be a positive number
error	$m/api.lua:11: doc:table: column 1 width must be a positive number
error	$m/api.lua:12: doc:table: row 1 must be a list of cells
error	$m/api.lua:13: doc:table: row 1 has 2 cells but the table has 1 column
error	$m/api.lua:14: doc:table: row 1 has 3 cells but the table has 2 columns
error	$m/api.lua:16: bad argument #2 to 'heading' (heading level must be 1 to 4)
error	$m/api.lua:17: doc:barchart: 'bars' must be a list of {label=, value=}
error	$m/api.lua:18: doc:barchart: item 1: 'value' must be a number, got string
error	$m/api.lua:19: doc:notes: 'items' must be a list of strings
error	$m/api.lua:20: doc:notes: item 1 must be a string, got table
error	$m/api.lua:21: doc:kpis: item 1 must be a table, got string
error	$m/api.lua:22: doc:kpis: item 1: 'value' is required
error	$m/api.lua:23: doc:info: 'title' must be a string, got boolean
error	$m/api.lua:24: doc:add: no block type 'chart.nothing': no loaded plugin provides it (\`countybrief plugins\` lists them)
error	$m/api.lua:25: chart.pie: 'slices' must be a list of {label=, value=}, got nil
error	$m/api.lua:27: module name 'a/b' may only hold letters, digits, '_', '-' and '.'
error	$m/api.lua:28: module name 'a..b' has an empty part
error	$m/api.lua:29: module name '.a' has an empty part
error	$m/api.lua:30: module name 'a.' has an empty part
error	$m/api.lua:31: module name 'a.b.c.d.e.f' is more than 4 folders deep
error	$m/api.lua:32: module 'nowhere' not found (no plugin provides it, and no nowhere.lua in the report's folder or the scripts folder)
error	$m/cyc2.lua:1: module 'cyc' requires itself (a require cycle)
error	$m/broken.lua:2: unexpected symbol near <eof>
require	true	sub	true
load	nil	attempt to load a binary chunk (mode is 't')
load	42	1	nil	named:1: syntax error near 'error'
spairs	1 2 a b false true
spairs orders	1	true
meta	false	true	nil	false	bad argument #1 to 'getmetatable' (value expected)
setmeta	nil	true
EOF
)
cb render --out "$TMP/o-api" --report "$m/api.lua" --county 忠县 --no-fsync --quiet
check_eq "api: exit 0" 0 "$RC"
check_eq "api: every answer" "$expect" "$(cat "$TMP/stderr")"
text=$(pdftext -layout "$TMP/o-api"/*.pdf - 2>/dev/null | tr -s ' ' | sed 's/^ //')
check_eq "api: the table's cells as tostring gives them (integers without .0, nil empty)" \
    "列甲 列乙 列丙|12345 2.5 true|文字 -7" "$(grep -E '^(列甲|12345|文字)' <<<"$text" | paste -sd'|')"
check "api: the level-2 heading is drawn" grep -q 二级标题 <<<"$text"

# a report over all counties sees only those asked for
cat >"$m/all.lua" <<'LUA'
report { scope = "all", output = "all" }
local function e(f) print("error", select(2, pcall(f))) end
print("counties", #counties, counties[1].id, counties[1].name)
print("rows", #data.projects, #data.nothing)
local a = data.of(counties[1])
print("of", #a.projects, data.of(counties[1]) == a, data.of(counties[1].id) == a, #data.of(counties[1].name).projects)
e(function() return data.of({}) end)
e(function() return data.of("500236") end)
doc:title("all")
LUA
zhong=$(awk -F, '$1 == 500233' "$CB_SRC/examples/data/projects.csv" | wc -l)
cb render --out "$TMP/o-all" --report "$m/all.lua" --county 忠县 --no-fsync --quiet
check_eq "scope all, --county 忠县: exit 0, all.pdf" "0 all.pdf" "$RC $(ls "$TMP/o-all" | grep pdf)"
check_eq "scope all, --county 忠县: counties, data and data.of hold 忠县's rows only" "counties	1	500233	忠县
rows	$zhong	0
of	$zhong	true	true	$zhong
error	$m/all.lua:7: bad argument #1 to 'of' (a county (a row of counties) has an 'id')
error	$m/all.lua:8: data.of: no county '500236' among this report's counties" "$(cat "$TMP/stderr")"

# print and warn cut long lines whole characters at a time; a deep traceback keeps both ends
cat >"$m/noise.lua" <<'LUA'
print(string.rep("长", 1400), "tail")
print(string.rep("x", 4100), "after", "more")
print("a", nil, 1.5, true)
warn("not shown")
warn("@on")
warn("shown ", "in ", "pieces")
warn(string.rep("长", 2000))
warn(string.rep("长", 1000), string.rep("长", 1000))
warn("@off")
warn("hidden again")
local function rec(n) if n == 0 then local t = nil; return t.x end return rec(n - 1) + 1 end
rec(40)
LUA
cb render --out "$TMP/o-noise" --report "$m/noise.lua" --county 忠县 --no-fsync --quiet
check_eq "noise: the county fails (exit 1)" 1 "$RC"
mapfile -t lines <"$TMP/stderr"
check_eq "print: a line past 4096 bytes is cut after a whole character, the rest counted" \
    "4095 … 110 bytes more" "$(sed 's/… .*//' <<<"${lines[0]}" | tr -d '\n' | wc -c) ${lines[0]##*长}"
check_eq "print: arguments past the cap are counted, not printed" "4096 … 15 bytes more" \
    "$(sed 's/… .*//' <<<"${lines[1]}" | tr -d '\n' | wc -c) ${lines[1]##*x}"
check_eq "print: tostring of each argument, tab-separated" "a	nil	1.5	true" "${lines[2]}"
check_eq "warn: off until @on, pieces in one line" "Lua warning: shown in pieces" "${lines[3]}"
w=${lines[4]#Lua warning: }
check_eq "warn: a long warning is cut as print's lines are" "1382 … 1905 bytes more" "${#w} ${w##*长}"
w=${lines[5]#Lua warning: }
check_eq "warn: a warning in long pieces is cut to the line's room, whole characters" \
    "1382 " "${#w} ${w//长/}"
check_eq "warn: nothing after @off" "" "$(grep -e hidden -e 'not shown' "$TMP/stderr" || true)"
check "traceback: both ends of a 40-deep recursion, the middle left out" grep -qE \
    "noise.lua:11: attempt to index a nil value \(local 't'\) \[traceback: ($m/noise.lua:11 \(rec\) < )+… < ($m/noise.lua:11 \(rec\) < )+$m/noise.lua:12\]" "$TMP/stderr"

# the declarations, read from the script's text before the counties run
d=$TMP/d
mkdir -p "$d"
n=0
decl() { # WHAT EXIT EXPECTED(stderr line or file written) SCRIPT...
    local what=$1 want_rc=$2 want=$3
    shift 3
    n=$((n + 1))
    printf '%b\n' "$@" >"$d/s$n.lua"
    printf 'doc:title("t")\n' >>"$d/s$n.lua"
    cb render --out "$d/o$n" --report "$d/s$n.lua" --county 忠县 --no-fsync --quiet
    local got
    if [[ $want_rc == 0 ]]; then got=$(ls "$d/o$n" | grep pdf || true); else got=$(head -n 1 "$TMP/stderr"); fi
    got=${got//$d\//}
    check_eq "declarations: $what" "$want_rc ${want//SCRIPT/s$n.lua}" "$RC ${got% \[traceback: *}"
}
decl "after a BOM, a #! line and comments" 0 decl.pdf '\xef\xbb\xbf#!/usr/bin/env countybrief' \
    '--[==[ a long\ncomment ]==] -- and a short one' \
    'needs({ projects = { project = "text", amount = "any" } }); report { scope = "all", output = "decl" }'
decl "with an operator (read in a child process)" 0 child.pdf \
    'report { scope = "a" .. "ll", output = "child" }\nneeds { counties = optional { name = "text" } }'
decl "strings with braces, escapes and long brackets" 0 'br}a_ce.pdf' \
    'report { scope = "all", output = "br}a\\"ce", languages = { [[zh]] } }'
decl "a long-bracket key, a trailing comma, two in a row" 0 x.pdf \
    "report { scope = \"all\", output = 'x', [ [==[languages]==] ] = { \"zh\", 'en', }, } needs { projects = { year = \"number\" } }"
decl "a keyword (read in a child process)" 0 t.pdf 'report { scope = true and "all", output = "t" }'
decl "three, the last needs { }" 0 p.pdf \
    'report { scope = "all", output = "p", languages = { "zh" } } needs { projects = { amount = "number" } } needs { counties = { name = "text" } }'
decl "a #! line alone" 0 500233-忠县.pdf '#!/usr/bin/env countybrief'
bad() { # WHAT MESSAGE SCRIPT: refused before any county runs, exit 4, script:line named
    decl "$1 refused" 4 "countybrief: SCRIPT:1: $2" "$3"
}
bad "an unknown scope" 'report: scope must be "county" (one document per county) or "all" (one over every county)' 'report { scope = "x" }'
bad "languages as a string" 'report: languages must be a list such as { "zh", "en" }' 'report { languages = "zh" }'
bad "no languages" 'report: languages must list 1 to 8 languages' 'report { languages = {} }'
bad "an unknown language" 'report: languages: "fr" is not a language countybrief renders (zh, en)' 'report { languages = { "fr" } }'
bad "a language that is no string" 'report: languages: "number" is not a language countybrief renders (zh, en)' 'report { languages = { 1 } }'
bad "an output in another folder" 'report: output must be a file name without folder, such as "compare"' 'report { scope = "all", output = "../x" }'
bad "an output that is no string" 'report: output must be a file name without folder, such as "compare"' 'report { scope = "all", output = 5 }'
for o in '""' '".hidden"' '"a\\\\b"' "\"$(printf 'o%.0s' {1..201})\""; do
    bad "output = $(cut -c1-12 <<<"$o")" 'report: output must be a file name without folder, such as "compare"' "report { scope = \"all\", output = $o }"
done
bad "nine languages" 'report: languages must list 1 to 8 languages' 'report { languages = { "zh", "zh", "zh", "zh", "zh", "zh", "zh", "zh", "zh" } }'
bad "a scope that is no string" 'report: scope must be "county" (one document per county) or "all" (one over every county)' 'report { scope = 5 }'
bad "an output per county" 'report: output names the file of a report with scope = "all"; a report per county writes <county_id>-<name>.pdf' 'report { output = "x" }'
bad "an unknown field" "report: unknown field 'foo' (known: scope, languages, output)" 'report { foo = 1 }'
bad "a field without a name" "report: unknown field '?' (known: scope, languages, output)" 'report { 1 }'
bad "a table name that is no string" 'needs: table names must be strings' 'needs { "projects" }'
bad "a table that is no table" 'needs: table "projects" must be { column = "type", ... }' 'needs { projects = 5 }'
bad "a column name that is no string" 'needs: table "projects": column names must be strings' 'needs { projects = { "text" } }'
bad "an unknown type" 'needs: projects.project: the type must be "text", "number" or "any"' 'needs { projects = { project = "date" } }'
bad "a type that is no string" 'needs: projects.project: the type must be "text", "number" or "any"' 'needs { projects = { project = 5 } }'
decl "a number, a call of report with two arguments" 0 n.pdf 'report({ scope = "all", output = "n" }, 5)'
decl "report { scope = \"county\" } after a statement" 0 500233-忠县.pdf 'local x = 1\nreport { scope = "county" }'
decl "another call (read in a child process, where print is silent)" 0 c.pdf \
    'report { scope = tostring("all"), output = print("printed once") or "c" }'
check_eq "... print printed once, by the report's own run" 1 "$(grep -c 'printed once' "$TMP/stderr")"
decl "an index (read in a child process)" 0 i.pdf 'report { scope = "all", output = "i", languages = { [1] = "zh" } }'
decl "a missing optional table" 0 500233-忠县.pdf 'needs { nosuch = optional { a = "text" } }'
decl "report { scope = \"all\" } after a statement refused in the county" 1 \
    'countybrief: 500233 忠县: SCRIPT:2: report { scope = "all" } must come first in the script (only comments and needs { ... } may come before it)' \
    'local x = 1\nreport { scope = "all" }'
decl "an unclosed declaration: Lua's syntax error" 4 "countybrief: SCRIPT:2: '}' expected (to close '{' at line 1) near 'doc'" 'report { scope = "all"'
decl "an unclosed long comment: Lua's syntax error" 4 "countybrief: SCRIPT:4: unfinished long comment (starting at line 1) near <eof>" \
    '--[[ unclosed comment\nreport { scope = "all", output = "u" }'

# a language the report does not declare
printf 'report { languages = { "zh" } }\ndoc:title("t")\n' >"$d/zh.lua"
cb render --out "$d/o-zh" --report "$d/zh.lua" --county 忠县 --lang en --no-fsync --quiet
check_eq "report { languages = { \"zh\" } } rendered with --lang en: refused" 2 "$RC"
check "... naming the report and its languages" grep -qF "$d/zh.lua: the report is written in zh, not en" "$TMP/stderr"

# a memory limit too small for a Lua state at all: the message names the limit, whichever
# state it stopped (the declarations' or the template's)
printf 'doc:title("t")\n' >"$d/plain.lua"
for script in zh plain; do
    cb render --out "$d/o-mem-$script" --report "$d/$script.lua" --county 忠县 --lua-memory 0.001 --no-fsync --quiet
    check_eq "--lua-memory 0.001, $script.lua: exit 1, no PDF" "1 " "$RC $(ls "$d/o-mem-$script" 2>/dev/null | grep pdf || true)"
    check "... the message names the memory limit" grep -qE \
        "(zh.lua|templates/briefing/template.lua): cannot create a Lua state within the memory limit \(see --lua-memory\)" "$TMP/stderr"
done


# a limit the template's description and the Lua state fit in, but not the report's
# libraries and data (opened before the script runs): the report named, the limit too
cb render --out "$d/o-mem-setup" --report "$d/plain.lua" --county 忠县 --lua-memory 0.01 --no-fsync --quiet
check_eq "--lua-memory 0.01: exit 1, no PDF" "1 " "$RC $(ls "$d/o-mem-setup" 2>/dev/null | grep pdf || true)"
check "... the report named, with the memory limit" grep -qF \
    "plain.lua: not enough memory: the report needs more than its memory limit of 0.01 MiB (see --lua-memory)" "$TMP/stderr"

finish
