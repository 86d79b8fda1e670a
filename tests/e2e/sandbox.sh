#!/usr/bin/env bash
# sandbox.sh: what a hostile or runaway report script can do to a batch: nothing beyond
# failing its own county. Each attack runs for 忠县 only (line 2 of its report), then the
# built-in briefing runs for both counties of the example data, with one worker (--jobs 1),
# so the process that was attacked goes on to render 奉节县 (unless a limit stopped it: then
# a fresh worker does, see interrupted.sh). For each attack: exit 1, one
# line naming 忠县 and the limit (with script:line where Lua has one), no PDF for 忠县, and
# 奉节县's PDF byte-identical to a clean run's. CPU attacks run with --cpu-budget 1 and must
# stop within ±100 ms of it; memory attacks run with --lua-memory 64 and must stop there.
# Also: the fixed clock, collectgarbage, state isolation (the string metatable), and
# byte-identical PDFs with the limits on or off.
#
# Timing is checked on CPU time (what the budget counts), from the worker's own message and
# from rusage; wall time is reported and only checked loosely, as other processes may share
# the machine. Under ASan (CB_SANITIZE in the build) the resident-set checks are skipped:
# ASan's shadow memory and quarantine are not the script's.
set -euo pipefail
source "$(dirname "$0")/lib/common.bash"

REP=$TMP/rep
mkdir -p "$REP"
ASAN=0
grep -q '^CB_SANITIZE:BOOL=ON' "$CB_BUILD/CMakeCache.txt" 2>/dev/null && ASAN=1
ZX=500233-忠县.pdf
FJ=500236-奉节县.pdf

# report NAME LUA: $REP/NAME.lua runs LUA for 忠县 only, from line 2, then the briefing.
report() {
    { printf 'if county.name == "忠县" then\n%s\nend\n' "$2"; cat "$CB_SRC/scripts/briefing.lua"; } >"$REP/$1.lua"
}

# run REPORT OUT [ARGS...]: renders the example data with $REP/REPORT.lua into $TMP/OUT with
# one worker; sets RC, WALL, CPU, RSS (see lib/sandbox_run.py) and ERR (stderr).
run() {
    local rep=$1 out=$2
    shift 2
    read -r RC WALL CPU RSS < <("$PY" "$E2E_LIB/sandbox_run.py" "$TMP/$out.stdout" "$TMP/$out.stderr" \
        "$CB" render --report "$REP/$rep.lua" --out "$TMP/$out" --jobs 1 --quiet "$@")
    ERR=$(cat "$TMP/$out.stderr")
}

# between LO X HI: LO <= X <= HI (decimal numbers)
between() { "$PY" -c 'import sys; lo, x, hi = map(float, sys.argv[1:]); sys.exit(not lo <= x <= hi)' "$@"; }
sub() { "$PY" -c 'import sys; print(f"{float(sys.argv[1]) - float(sys.argv[2]):.3f}")' "$1" "$2"; }

# attack NAME EXPECT [ARGS...]: runs report NAME; 忠县 must fail with a line containing
# "500233 忠县: EXPECT", and 奉节县 must match the clean run.
attack() {
    local name=$1 expect=$2
    shift 2
    run "$name" "$name" "$@"
    check_eq "$name: exit 1" 1 "$RC"
    if grep -qF -- "countybrief: 500233 忠县: $expect" <<<"$ERR"; then
        ok "$name: the error names the county and the limit"
    else
        not_ok "$name: the error names the county and the limit" "expected: 500233 忠县: $expect
actual:   $ERR"
    fi
    if [[ -e $TMP/$name/$ZX ]]; then not_ok "$name: no PDF for 忠县"; else ok "$name: no PDF for 忠县"; fi
    local why
    if why=$(same_pdf "$TMP/clean/$FJ" "$TMP/$name/$FJ"); then
        ok "$name: 奉节县's PDF is byte-identical to the clean run's"
    else
        # what differs, to tell a layout change from a byte-level one
        not_ok "$name: 奉节县's PDF is byte-identical to the clean run's" "$why
$(diff <(pdftext "$TMP/clean/$FJ" -) <(pdftext "$TMP/$name/$FJ" -) | head -n 10)
$(cat "$TMP/$name.stderr")"
    fi
}

# cpu_stop NAME LIMIT: all the processes' CPU time beyond that of a run rendering 奉节县
# alone is LIMIT s -100 ms .. +100 ms (+150 ms for process overhead: a worker's start, the
# unwinding), and the wall time is under half the --timeout deadline (the budget ended it).
cpu_stop() {
    local extra
    extra=$(sub "$CPU" "$BASE_CPU")
    if between "$(sub "$2" 0.1)" "$extra" "$(sub "$2" -0.25)"; then
        ok "$1: stopped after $extra s of CPU time beyond rendering 奉节县 alone (limit $2 s; wall ${WALL} s)"
    else
        not_ok "$1: stopped within ±100 ms of $2 s of CPU time" "CPU $CPU s, 奉节县 alone $BASE_CPU s: $extra s extra; wall $WALL s"
    fi
    # wall time only shows that the budget, not the 60 s --timeout deadline, ended the run:
    # other processes on the machine stretch it (seen: 2 s over with two suites beside it)
    if between "$(sub "$2" 0.1)" "$WALL" 30; then
        ok "$1: wall time $WALL s (well before the 60 s deadline; the machine may be shared)"
    else
        not_ok "$1: wall time between the budget and half the 60 s deadline" "wall $WALL s, clean $CLEAN_WALL s"
    fi
}

# reported NAME: the worker's own "stopped after X s of CPU time" is 1 s ±100 ms
reported() {
    local used
    used=$(sed -n 's/.*stopped after \([0-9.]*\) s of CPU time.*/\1/p' <<<"$ERR" | head -n 1)
    if [[ -n $used ]] && between 0.9 "$used" 1.1; then ok "$1: the script was stopped after $used s of CPU time"
    else not_ok "$1: the script was stopped after 1 s ±100 ms of CPU time" "$ERR"; fi
}

# mem_stop NAME: the largest process stayed under the clean run's + 64 MiB + 16 MiB slack
mem_stop() {
    if [[ $ASAN == 1 ]]; then skip "$1: the resident set" "not measured under ASan"; return; fi
    local limit=$((CLEAN_RSS + (64 + 16) * 1024))
    if ((RSS <= limit)); then ok "$1: peak resident set $((RSS / 1024)) MiB (clean run $((CLEAN_RSS / 1024)) MiB, cap 64 MiB)"
    else not_ok "$1: peak resident set under the clean run's + 64 MiB + slack" "$RSS KB > $limit KB"; fi
}

# --- clean runs: the reference, and determinism with the limits on and off ------------------
report clean ''
run clean clean
check_eq "clean run: exit 0" 0 "$RC"
check_eq "clean run: two PDFs" 2 "$(ls "$TMP/clean" | grep -c '\.pdf$' || true)"
run clean clean-again
CLEAN_WALL=$WALL CLEAN_RSS=$RSS
run clean base1 --county 奉节县 # what an attack run costs besides the attack (the lesser of two)
BASE_CPU=$CPU
run clean base2 --county 奉节县
between 0 "$CPU" "$BASE_CPU" && BASE_CPU=$CPU
run clean clean-off --cpu-budget 0 --lua-memory 0
run clean clean-tight --cpu-budget 1 --lua-memory 64
diffs=""
for d in clean-again clean-off clean-tight; do
    for f in "$ZX" "$FJ"; do cmp -s "$TMP/clean/$f" "$TMP/$d/$f" || diffs="$diffs $d/$f"; done
done
check_eq "byte-identical PDFs on reruns, with the limits off (0) and tight (1 s, 64 MiB)" "" "$diffs"
if cmp -s "$TMP/clean/$FJ" <(cd "$TMP" && "$CB" render --county 奉节县 --out "$TMP/builtin" --quiet && cat "$TMP/builtin/$FJ"); then
    ok "the clean report gives the built-in briefing's bytes"
else
    not_ok "the clean report gives the built-in briefing's bytes"
fi

# --- the library surface ----------------------------------------------------------------------
R=$REP
report exec 'os.execute("touch " .. os.tmpname())'
attack exec "$R/exec.lua:2: os.execute is not available in report scripts"
report io 'local f = io.open("/etc/passwd")'
attack io "$R/io.lua:2: attempt to index a nil value (global 'io'); report scripts have no io library"
report require_up 'require "../../etc/passwd"'
attack require_up "$R/require_up.lua:2: module name '../../etc/passwd' may only hold letters"
report require_abs 'require "/etc/passwd"'
attack require_abs "$R/require_abs.lua:2: module name '/etc/passwd' may only hold letters"
report bytecode 'assert(load("\27Lua\84\0"))'
attack bytecode "$R/bytecode.lua:2: attempt to load a binary chunk (mode is 't')"
report gc_stop 'collectgarbage("stop")'
attack gc_stop "$R/gc_stop.lua:2: collectgarbage(\"stop\") is not available in report scripts"

# a county that rewires the string metatable and the string library changes only itself
report strmeta 'getmetatable("").__index.rep = function() return "HACKED" end
string.format = function() return "HACKED" end
getmetatable("").__index = { len = function() return -1 end }'
run strmeta strmeta
if why=$(same_pdf "$TMP/clean/$FJ" "$TMP/strmeta/$FJ"); then
    ok "string metatable: the next county in the same worker gets a fresh one (byte-identical PDF)"
else
    not_ok "string metatable: the next county in the same worker gets a fresh one" "$why
$ERR"
fi

# the fixed clock and the harmless rest of os
cat >"$REP/clock.lua" <<'LUA'
local t = os.date("*t")
doc:title("时钟", os.date("%Y-%m-%d %H:%M:%S %Z"))
doc:paragraph(string.format("time=%d clock=%s diff=%s noon=%d year=%d gc=%s/%s count=%s",
  os.time(), os.clock(), os.difftime(10, 4), os.time { year = 2024, month = 2, day = 29 }, t.year,
  collectgarbage(), collectgarbage("step"), type(collectgarbage("count"))))
doc:paragraph(string.format("getenv=%s", select(2, pcall(function() return os.getenv("HOME") end))))
LUA
SOURCE_DATE_EPOCH=1700000000 "$CB" render --report "$REP/clock.lua" --out "$TMP/clock" --county 忠县 --quiet
text=$(pdftext "$TMP/clock/$ZX" - | tr -s ' \n' ' ')
if grep -qF "2023-11-14 22:13:20 GMT" <<<"$text" &&
    grep -qF "time=1700000000 clock=0.0 diff=6.0 noon=1709208000 year=2023 gc=0/false count=number" <<<"$text"; then
    ok "os.time/os.date follow SOURCE_DATE_EPOCH in UTC; os.clock is 0; collectgarbage count/collect/step"
else
    not_ok "os.time/os.date follow SOURCE_DATE_EPOCH in UTC; os.clock is 0; collectgarbage" "$text"
fi
if grep -qF "os.getenv is not available in report scripts" <<<"$text"; then ok "os.getenv is refused by name"
else not_ok "os.getenv is refused by name" "$text"; fi
env -u SOURCE_DATE_EPOCH "$CB" render --report "$REP/clock.lua" --out "$TMP/clock0" --county 忠县 --quiet --date 2024-05-01
if pdftext "$TMP/clock0/$ZX" - | grep -qF "2024-05-01 00:00:00 GMT"; then ok "without SOURCE_DATE_EPOCH the clock is --date's (undated: e2e/clock.sh)"
else not_ok "without SOURCE_DATE_EPOCH the clock is --date's (undated: e2e/clock.sh)"; fi

# --- memory: --lua-memory 64 ------------------------------------------------------------------
MEM="not enough memory: the report needs more than its memory limit of 64 MiB"
report rep31 "local s = string.rep('x', 2^31)"
run rep31 rep31 --lua-memory 64
check_eq "string.rep('x', 2^31): exit 1" 1 "$RC"
# Lua 5.4's string library refuses results over INT_MAX bytes before allocating anything
if grep -qF "500233 忠县: $R/rep31.lua:2: resulting string too large" <<<"$ERR" || grep -qF "500233 忠县: $R/rep31.lua:2: $MEM" <<<"$ERR"; then
    ok "string.rep('x', 2^31): refused, naming the county, the place and the limit"
else
    not_ok "string.rep('x', 2^31): refused, naming the county, the place and the limit" "$ERR"
fi
report rep "local s = string.rep('x', 2^31 - 1)"
attack rep "$R/rep.lua:2: $MEM" --lua-memory 64
mem_stop rep
report concat "local x = 'x'
while true do x = x .. x end"
attack concat "$R/concat.lua:3: $MEM" --lua-memory 64
mem_stop concat
report table "local t = {}
for i = 1, 1 << 26 do t[i] = i end  -- 1 GiB of array"
attack table "$R/table.lua:3: $MEM" --lua-memory 64
mem_stop table
report docmem 'local s = ("x"):rep(1 << 20)
for i = 1, 1e6 do doc:paragraph(s) end  -- copies outside the Lua heap count too'
attack docmem "$R/docmem.lua:3: $MEM" --lua-memory 64
mem_stop docmem
report recursion "local function f() return 1 + f() end
f()"
run recursion recursion --lua-memory 64
check_eq "infinite recursion: exit 1" 1 "$RC"
if grep -qF "500233 忠县: $R/recursion.lua:2: $MEM" <<<"$ERR" || grep -qF "500233 忠县: $R/recursion.lua:2: stack overflow" <<<"$ERR"; then
    ok "infinite recursion: stopped by the memory cap or Lua's stack limit, with its place"
else
    not_ok "infinite recursion: stopped by the memory cap or Lua's stack limit, with its place" "$ERR"
fi
line=$(grep -m1 '500233 忠县' <<<"$ERR" || true)
if [[ $line == *" < … < "* && ${#line} -lt 1100 ]]; then ok "infinite recursion: a short traceback (innermost and outermost frames)"
else not_ok "infinite recursion: a short traceback" "$line"; fi
cmp -s "$TMP/clean/$FJ" "$TMP/recursion/$FJ" && ok "infinite recursion: 奉节县 byte-identical" ||
    not_ok "infinite recursion: 奉节县 byte-identical"

# --- CPU: --cpu-budget 1 ----------------------------------------------------------------------
CPU_MSG="CPU budget of 1 s exceeded"
report loop "while true do end"
attack loop "$R/loop.lua:2: $CPU_MSG" --cpu-budget 1
reported loop
cpu_stop loop 1
report pcall_loop 'print(pcall(function() while true do end end))
doc:title("caught it")'
attack pcall_loop "$R/pcall_loop.lua:2: $CPU_MSG" --cpu-budget 1
reported pcall_loop
cpu_stop pcall_loop 1
report xpcall_loop 'local ok = xpcall(function() while true do end end, function() return "handled" end)
for i = 1, 10 do pcall(error, "again") end'
attack xpcall_loop "$R/xpcall_loop.lua:2: $CPU_MSG" --cpu-budget 1
reported xpcall_loop
cpu_stop xpcall_loop 1
report find '("a"):rep(3000):find(".-.-.-b")  -- minutes inside one C call'
attack find "$CPU_MSG (stuck in a library call)" --cpu-budget 1
cpu_stop find 1.1
report gc_loop 'setmetatable({}, { __gc = function() while true do end end })  -- finalizers run without hooks'
attack gc_loop "$R/gc_loop.lua:2: setmetatable: __gc (a finalizer) is not available in report scripts" --cpu-budget 1
run loop loop-unlimited --cpu-budget 0 --timeout 2
if grep -qF "500233 忠县: timed out after 2 s" <<<"$ERR"; then ok "--cpu-budget 0: no budget (the --timeout deadline stops it)"
else not_ok "--cpu-budget 0: no budget (the --timeout deadline stops it)" "$ERR"; fi

# --- options ------------------------------------------------------------------------------------
cb render --cpu-budget soon --out "$TMP/x"
check_eq "--cpu-budget soon: usage error" 2 "$RC"
cb render --lua-memory -5 --out "$TMP/x"
check_eq "--lua-memory -5: usage error" 2 "$RC"
if "$CB" --help | grep -c -- '--cpu-budget SEC' >/dev/null && "$CB" --help | grep -c -- '--lua-memory MIB' >/dev/null; then ok "--help lists --cpu-budget and --lua-memory"
else not_ok "--help lists --cpu-budget and --lua-memory"; fi

finish
