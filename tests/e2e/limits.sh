#!/usr/bin/env bash
# limits.sh: user-supplied Lua stays under the limits on every command, wherever it runs
# (docs/reports.md, "Limits"), messages quoting user text are cleaned and capped, the
# document's memory counts against --lua-memory, and any character may reach the line
# breaker:
#  - report { } / needs { } declarations (read before any county, in a child process):
#    a costly string.find, an endless __gc, a loop, a memory bomb;
#  - template.lua (read in countybrief's own process): a loop, a string that doubles;
#  - on render, check and render --watch: the command ends within the budget (or, for
#    --watch, keeps watching) with a message naming file:line and the limit;
#  - control characters and a 10 MB error() or print() are escaped and capped in stderr,
#    stdout and manifest.json; county names with them in `list` and `check`;
#  - a 150,000-row table and 300 line charts of 100,000 points fail that county with a
#    message naming the block, in bounded memory (peak resident set under 600 MB);
#  - flags, lone regional indicators, astral characters and invalid UTF-8 in table cells,
#    headings and paragraphs under check and render.
source "$(dirname "$0")/lib/common.bash"

ZX=忠县
D=$TMP/rep
mkdir -p "$D"
MAX_RSS_KB=$((600 * 1024))

# run NAME SECONDS ARGS...: countybrief ARGS under `timeout SECONDS`; sets RC (124: it was
# still running), WALL, RSS (KB, the largest process) and ERR, OUT (its stderr, stdout).
run() {
    local name=$1 secs=$2
    shift 2
    read -r RC WALL _ RSS < <("$PY" "$E2E_LIB/sandbox_run.py" "$TMP/$name.out" "$TMP/$name.err" \
        timeout -k 2 "$((secs * SLOW))" "$CB" "$@")
    ERR=$(cat "$TMP/$name.err")
    OUT=$(cat "$TMP/$name.out")
}

# says WHAT TEXT: stderr and stdout of the last run hold TEXT
says() {
    if grep -qF -- "$2" <<<"$ERR$OUT"; then ok "$1"; else not_ok "$1" "expected: $2
actual:   $(head -c 600 <<<"$ERR$OUT")"; fi
}

# peak WHAT: the largest process of the last run stayed under 600 MB
peak() {
    if sanitized; then skip "$1: peak under 600 MB" "a sanitizer build's memory is not a release's"; return; fi
    if ((RSS < MAX_RSS_KB)); then ok "$1: peak $((RSS / 1024)) MiB"; else not_ok "$1: peak under 600 MB" "$RSS KB"; fi
}

# ends NAME CODE: the last run exited with CODE (not killed by the timeout, not a crash)
ends() { check_eq "$1: exit $2 (no hang, no crash)" "$2" "$RC"; }

# report NAME TEXT: a report script whose first lines are TEXT, then a small document
report() { printf '%s\ndoc:title(county.name)\ndoc:paragraph("正文")\n' "$2" >"$D/$1.lua"; }

CPU="CPU budget of 1 s exceeded"
LIM=(--cpu-budget 1 --lua-memory 64)

# --- declarations, read before any county runs ----------------------------------------------
report find 'report { output = string.find(("a"):rep(100000), ".-.-.-.-b") and "x" or "y", scope = "all" }'
report gcdecl 'report { languages = (function() setmetatable({}, { __gc = function() while true do end end }) return { "zh" } end)() }'
report loopdecl 'needs { x = (function() while true do end end)() }'
report bombdecl 'report { output = (function() local s = "ab" while true do s = s .. s end end)() }'

for cmd in render check; do
    run "find-$cmd" 30 $cmd --report "$D/find.lua" --county $ZX --out "$TMP/o-find" "${LIM[@]}"
    ends "declaration stuck in string.find, $cmd" 4
    says "declaration stuck in string.find, $cmd: file:line and the limit" "$D/find.lua:1: $CPU (stuck in a library call) (reading its declarations"
    run "gcdecl-$cmd" 30 $cmd --report "$D/gcdecl.lua" --county $ZX --out "$TMP/o-gc" "${LIM[@]}"
    ends "endless __gc in a declaration, $cmd" 1
    says "endless __gc in a declaration, $cmd: refused at its line" "$D/gcdecl.lua:1: setmetatable: __gc (a finalizer) is not available in report scripts"
    run "loopdecl-$cmd" 30 $cmd --report "$D/loopdecl.lua" --county $ZX --out "$TMP/o-loop" "${LIM[@]}"
    ends "loop in a declaration, $cmd" 1
    says "loop in a declaration, $cmd: file:line and the limit" "$D/loopdecl.lua:1: $CPU"
    run "bombdecl-$cmd" 30 $cmd --report "$D/bombdecl.lua" --county $ZX --out "$TMP/o-bomb" "${LIM[@]}"
    ends "memory bomb in a declaration, $cmd" 4
    says "memory bomb in a declaration, $cmd: file:line and the limit" "$D/bombdecl.lua:1: not enough memory: the report needs more than its memory limit of 64 MiB"
    peak "memory bomb in a declaration, $cmd"
done

# a finalizer in a county's run: check runs counties in its own process, where the CPU
# budget's hard stop would end check itself
report gccounty 'setmetatable({}, { __gc = function() while true do end end })'
run gccounty-check 30 check --report "$D/gccounty.lua" --county $ZX "${LIM[@]}"
ends "endless __gc in a county, check" 1
says "endless __gc in a county, check: refused at its line" "error: 500233 $ZX: $D/gccounty.lua:1: setmetatable: __gc"
says "endless __gc in a county, check: the summary" "check: 1 error"
# nor through a metatable C code sets again (optional's, a userdata's)
report gcmeta 'local mt = getmetatable(optional {}) ; assert(type(mt) ~= "table", "optional metatable reachable")
assert(getmetatable(doc) == false, "doc metatable reachable")'
run gcmeta 30 render --report "$D/gcmeta.lua" --county $ZX --out "$TMP/o-gcmeta" "${LIM[@]}"
ends "metatables set by C are protected" 0

# --- template.lua, read in countybrief's own process ----------------------------------------
for t in loop grow; do
    mkdir -p "$D/tpl-$t"
    cp "$CB_SRC/templates/briefing/template.lua" "$D/tpl-$t/"
done
printf 'local n = 0\nwhile true do n = n + 1 end\n' >"$D/tpl-loop/template.lua"
printf 'local s = "ab"\nwhile true do s = s .. s end\n' >"$D/tpl-grow/template.lua"
for cmd in render check; do
    run "tloop-$cmd" 30 $cmd --template "$D/tpl-loop" --county $ZX --out "$TMP/o-tl" "${LIM[@]}"
    ends "template.lua that loops, $cmd" 4
    says "template.lua that loops, $cmd: file:line and the limit" "$D/tpl-loop/template.lua:2: $CPU"
    run "tgrow-$cmd" 30 $cmd --template "$D/tpl-grow" --county $ZX --out "$TMP/o-tg" "${LIM[@]}"
    ends "template.lua that doubles a string, $cmd" 4
    says "template.lua that doubles a string, $cmd: file:line and the limit" "$D/tpl-grow/template.lua:2: not enough memory"
    peak "template.lua that doubles a string, $cmd"
done

# --- render --watch: the watcher survives and keeps watching ---------------------------------
run watch-tpl 8 render --watch --template "$D/tpl-loop" --county $ZX --out "$TMP/o-w1" "${LIM[@]}"
check_eq "--watch, template.lua that loops: still watching when stopped" 124 "$RC"
says "--watch, template.lua that loops: the error" "$D/tpl-loop/template.lua:2: $CPU"
says "--watch, template.lua that loops: then watches" "watching for changes"
run watch-find 8 render --watch --report "$D/find.lua" --county $ZX --out "$TMP/o-w2" "${LIM[@]}"
check_eq "--watch, declaration stuck in string.find: still watching when stopped" 124 "$RC"
says "--watch, declaration stuck in string.find: the error" "$D/find.lua:1: $CPU"
says "--watch, declaration stuck in string.find: then watches" "watching for changes"

# --- control characters and long messages ----------------------------------------------------
# print with 90,000 arguments from a deep stack: every argument converted in place
report printmany 'local t = {} for i = 1, 90000 do t[i] = i end
local function r(n) if n > 0 then return 1 + r(n - 1) end return 0 end
r(40000)
print(table.unpack(t))'
run printmany 60 render --report "$D/printmany.lua" --county $ZX --out "$TMP/o-printmany" "${LIM[@]}"
ends "print with 90,000 arguments" 0
says "print with 90,000 arguments: cut, with what is left counted" "bytes more"
report esc 'print("\27[2J\27]0;owned\7", "中文\194\155\226\128\174")
if county.name == "忠县" then error(("x"):rep(10 * 1024 * 1024)) end
print(("y"):rep(10 * 1024 * 1024))
error("bad \27[31m red \1 中文 \255 end")'
# no_raw WHAT FILE: FILE holds no control character but the newlines and tabs countybrief
# writes itself, and no ESC written as JSON's \u001b
RAW='[\x00-\x08\x0b-\x1f\x7f]|\xc2[\x80-\x9f]|\xe2\x80[\xaa-\xae]|\\u001b'
no_raw() {
    if LC_ALL=C grep -qaP "$RAW" "$2"; then
        not_ok "$1" "$(LC_ALL=C grep -naP "$RAW" "$2" | head -c 300 | cat -v)"
    else ok "$1"; fi
}
small() { # small WHAT FILE KB
    local n
    n=$(wc -c <"$2")
    if ((n < $3 * 1024)); then ok "$1 ($n bytes)"; else not_ok "$1" "$n bytes"; fi
}
run esc-render 60 render --report "$D/esc.lua" --out "$TMP/o-esc" --jobs 1
ends "control characters and 10 MB messages, render" 1
no_raw "render: no raw control character in stderr" "$TMP/esc-render.err"
no_raw "render: none in manifest.json" "$TMP/o-esc/manifest.json"
small "render: stderr capped" "$TMP/esc-render.err" 24
small "render: manifest.json capped" "$TMP/o-esc/manifest.json" 24
says "render: escapes shown" 'bad \x1b[31m red \x01 中文 \xff end'
says "render: print escaped" '\x1b[2J\x1b]0;owned\x07	中文\u009b\u202e'
says "render: a 10 MB error says how much is left out" "bytes more [traceback: $D/esc.lua:2]"
says "render: a 10 MB print says how much is left out" "yyyy… "
has_text "$TMP/o-esc/manifest.json" 'bad \\x1b[31m red \\x01 中文 \\xff end' && ok "manifest: the error escaped" || not_ok "manifest: the error escaped" "$(grep -a error "$TMP/o-esc/manifest.json" | head -c 400)"
run esc-check 60 check --report "$D/esc.lua"
ends "control characters and 10 MB messages, check" 1
no_raw "check: no raw control character in stdout and stderr" <(cat "$TMP/esc-check.out" "$TMP/esc-check.err")
small "check: output capped" <(cat "$TMP/esc-check.out" "$TMP/esc-check.err") 24

# county names and data values in list and check
mkdir -p "$TMP/data-esc"
cp "$CB_SRC"/examples/data/*.csv "$TMP/data-esc/"
"$PY" - "$TMP/data-esc/counties.csv" <<'PYEOF'
import sys
p = sys.argv[1]
s = open(p, encoding="utf-8").read().replace("忠县", "忠\x1b[31m县\u202e", 1)
open(p, "w", encoding="utf-8").write(s)
PYEOF
run list-esc 30 list --data "$TMP/data-esc"
ends "county name with control characters, list" 0
no_raw "list: no raw control character" "$TMP/list-esc.out"
says "list: the name escaped" '忠\x1b[31m县\u202e'
# a word wider than the page (a column gets its widest word when all of them fit: layout_table.c)
report warn 'doc:table { columns = { { title = county.name, width = 0.01 }, { title = "x" } }, rows = { { county.name .. "\27[1m" .. string.rep("VeryLongWordThatOverflows", 8) } } }'
run warn-esc 30 check --data "$TMP/data-esc" --report "$D/warn.lua"
no_raw "check: warnings quoting the data have no raw control character" "$TMP/warn-esc.out"
says "check: the county named escaped" '500233 忠\x1b[31m县\u202e: '

# --- memory of the document ------------------------------------------------------------------
report bigtable 'local rows = {}
for i = 1, 150000 do rows[i] = { i, "项目" .. i, i * 3 } end
doc:table { columns = { { title = "n" }, { title = "名称" }, { title = "v" } }, rows = rows }'
report charts 'local x, v = {}, {}
for i = 1, 100000 do x[i] = tostring(i); v[i] = i % 97 end
for k = 1, 300 do doc:add("chart.line", { title = "c" .. k, x = x, series = { { name = "s", values = v } } }) end'
report charts40 'local x, v = {}, {}
for i = 1, 100000 do x[i] = tostring(i); v[i] = i % 97 end
for k = 1, 40 do doc:add("chart.line", { title = "c" .. k, x = x, series = { { name = "s", values = v } } }) end'
for cmd in render check; do
    run "big-$cmd" 120 $cmd --report "$D/bigtable.lua" --county $ZX --out "$TMP/o-big" --lua-memory 64 --timeout $((120 * SLOW))
    ends "150,000-row table, $cmd" 1
    says "150,000-row table, $cmd: the block and its line" "500233 $ZX: the document passed its memory budget (64 MiB; see --lua-memory) in block table at $D/bigtable.lua:3"
    peak "150,000-row table, $cmd"
done
run charts 120 render --report "$D/charts.lua" --county $ZX --out "$TMP/o-charts" --lua-memory 64 --timeout $((120 * SLOW))
ends "300 line charts of 100,000 points" 1
if sanitized; then # ASan's allocator hides what a block's create allocates: caught in layout
    says "300 line charts of 100,000 points: the line and the limit" "in block chart.line at $D/charts.lua:3"
else
    says "300 line charts of 100,000 points: the line and the limit" "$D/charts.lua:3: not enough memory: the report needs more than its memory limit of 64 MiB"
fi
peak "300 line charts"
run charts40 120 render --report "$D/charts40.lua" --county $ZX --out "$TMP/o-charts40" --timeout $((120 * SLOW))
ends "40 line charts of 100,000 points, default limit" 1
says "40 line charts: laid out past the budget, the block and its line" "the document passed its memory budget (256 MiB; see --lua-memory) in block chart.line at $D/charts40.lua:3"
peak "40 line charts"
if [[ ! -e "$TMP/o-charts40/500233-$ZX.pdf" ]]; then ok "40 line charts: no PDF"; else not_ok "40 line charts: no PDF"; fi

# --- any character reaches the line breaker --------------------------------------------------
report flags 'local odd = { "🇨🇳", "\u{1F1E6}x", "\u{1F1E6}\u{1F1E6}\u{1F1E6}", "𠀀𝄞😀", "a\255\254b", "\u{FFFF}", "🇨🇳🇺🇸 国旗" }
doc:heading(table.concat(odd, " "))
for _, s in ipairs(odd) do doc:paragraph(s) end
doc:table { columns = { { title = odd[1] }, { title = odd[2], width = 0.2 } },
            rows = { { odd[1], odd[2] }, { odd[3], odd[4] }, { odd[5], odd[6] }, { odd[7], odd[2] } } }
doc:kpis { { value = odd[1], label = odd[2] } }
doc:notes { items = odd }'
run flags-check 60 check --report "$D/flags.lua" --county $ZX
check_eq "flags, regional indicators, astral, invalid UTF-8: check ends normally" 0 "$RC"
says "check: its summary" "check: 0 errors"
run flags-render 60 render --report "$D/flags.lua" --county $ZX --out "$TMP/o-flags"
ends "flags, regional indicators, astral, invalid UTF-8: render" 0

finish
