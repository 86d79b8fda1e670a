#!/usr/bin/env bash
# cover_sandbox.sh: the sandbox's os and collectgarbage (core/lua_os.c, lua_base.c; tests/README.md,
# coverage), answer by answer: os.time and os.date from SOURCE_DATE_EPOCH (an error without a date),
# in UTC, C locale; date tables and their bad fields; every conversion error; os.clock
# 0; difftime; the os functions a report may not have and the collectgarbage options it
# may not use, each one line naming script:line; a finalizer refused.
set -euo pipefail
source "$(dirname "$0")/lib/common.bash"

cat >"$TMP/os.lua" <<'LUA'
print("time", os.time(), os.time{year=2020, month=2, day=29}, os.time{year=2020, month=1, day=1, hour=0})
print("epoch-1", os.time{year=1969, month=12, day=31, hour=23, min=59, sec=59})
print("date", os.date(), os.date("!%Y-%m-%d %H:%M:%S", 86400), os.date("%%x|%a %b", 0))
local t = os.date("*t", 1582934400)
print("*t", t.year, t.month, t.day, t.hour, t.min, t.sec, t.yday, t.wday, t.isdst, os.date("!*t", 0).year)
print("clock", os.clock(), os.difftime(10, 4), os.difftime(10))
print("gc", collectgarbage("count") > 0, collectgarbage(), collectgarbage("collect"), collectgarbage("step"))
print("os.nothing", os.nothing)
local bad = {
  function() return os.execute("ls") end,
  function() return os.getenv("HOME") end,
  function() return collectgarbage("stop") end,
  function() return os.time{year=2020, month="x", day=1} end,
  function() return os.time{year=2020, day=1} end,
  function() return os.time{year=2020, month=1, day=1, sec=2^40} end,
  function() return os.time{year=-2^40, month=1, day=1} end,
  function() return os.date("%Q") end,
  function() return os.date("%") end,
  function() return os.date("%Y", 2^60) end,
  function() return os.date("*t", 1.5) end,
  function() return os.difftime(1.5) end,
  function() return setmetatable({}, {__gc = function() end}) end,
}
for i, f in ipairs(bad) do print("error", i, select(2, pcall(f))) end
doc:title(county.name, "ok")
LUA

expect=$(cat <<EOF
time	1700000000	1582977600	1577836800
epoch-1	-1
date	Tue Nov 14 22:13:20 2023	1970-01-02 00:00:00	%x|Thu Jan
*t	2020	2	29	0	0	0	60	7	false	1970
clock	0.0	6.0	10.0
gc	true	0	0	false
os.nothing	nil
error	1	$TMP/os.lua:10: os.execute is not available in report scripts: they cannot run programs, touch files or read the environment
error	2	$TMP/os.lua:11: os.getenv is not available in report scripts: they cannot run programs, touch files or read the environment
error	3	$TMP/os.lua:12: collectgarbage("stop") is not available in report scripts (only "count"; "collect" and "step" do nothing)
error	4	$TMP/os.lua:13: field 'month' is not an integer
error	5	$TMP/os.lua:14: field 'month' missing in date table
error	6	$TMP/os.lua:15: field 'sec' is out-of-bound
error	7	$TMP/os.lua:16: field 'year' is out-of-bound
error	8	$TMP/os.lua:17: bad argument #1 to 'date' (invalid conversion specifier '%Q')
error	9	$TMP/os.lua:18: bad argument #1 to 'date' (invalid conversion specifier '%')
error	10	$TMP/os.lua:19: date result cannot be represented in this installation
error	11	$TMP/os.lua:20: bad argument #2 to 'date' (number has no integer representation)
error	12	$TMP/os.lua:21: bad argument #1 to 'difftime' (number has no integer representation)
error	13	$TMP/os.lua:22: setmetatable: __gc (a finalizer) is not available in report scripts: finalizers run outside the CPU budget; use a <close> variable
EOF
)
RC=0
SOURCE_DATE_EPOCH=1700000000 "$CB" render --out "$TMP/o" --report "$TMP/os.lua" --county 忠县 >"$TMP/out" 2>&1 || RC=$?
check_eq "os and collectgarbage: exit 0" 0 "$RC"
check_eq "os and collectgarbage: every answer" "$expect" "$(grep -v -e "^wrote " -e "^1 rendered" "$TMP/out" || true)"

RC=0
env -u SOURCE_DATE_EPOCH "$CB" render --out "$TMP/o2" --report "$TMP/os.lua" --county 忠县 >"$TMP/out" 2>&1 || RC=$?
check_eq "without a date (no SOURCE_DATE_EPOCH, --date or doc:date): os.time() is an error naming the line" \
    "1 1" "$RC $(grep -c "os.lua:1: the document has no date to read the time from" "$TMP/out")"

finish
