#!/usr/bin/env bash
# mut_sandbox.sh: library functions a report script must not reach, each called in turn
# (mutants of tests/mutation/ that the attack list of sandbox.sh lets through): the
# county fails with one line naming the script line and saying what to use instead. Also,
# in a few seconds, the limits sandbox.sh measures at length (a mutation run needs a
# test that fails fast): bytecode, one allocation past the memory limit, text handed to
# doc past it, a loop without calls past the CPU budget, and the fixed os.clock.
set -euo pipefail
source "$(dirname "$0")/lib/common.bash"

mkdir -p "$TMP/rep"
# refused NAME CALL EXPECTED [ARGS...]: a report whose line 2 is CALL fails for 忠县 with
# EXPECTED
refused() {
    local name=$1 call=$2 expect=$3
    shift 3
    printf 'doc:title(county.name)\n%s\n' "$call" >"$TMP/rep/$name.lua"
    set -- "$name" "$call" "$expect" "$@"
    cb render --report "$TMP/rep/$1.lua" --county 忠县 --out "$TMP/out-$1" --no-fsync "${@:4}"
    check_eq "$1: exit 1" 1 "$RC"
    check "$1: the message" grep -qF -- "$TMP/rep/$1.lua:2: $3" "$TMP/stderr"
    if [[ -e $TMP/out-$1/500233-忠县.pdf ]]; then not_ok "$1: no PDF"; else ok "$1: no PDF"; fi
}

printf 'return {}\n' >"$TMP/rep/mod.lua"
refused dofile 'dofile("'"$TMP"'/rep/mod.lua")' \
    "attempt to call a nil value (global 'dofile'); report scripts have no dofile: use require"
refused bytecode 'assert(load("\27Lua\84\0"))' \
    "attempt to load a binary chunk (mode is 't')"
MEM="not enough memory: the report needs more than its memory limit of 64 MiB"
refused rep "local s = string.rep('x', 100 * 2^20)" "$MEM" --lua-memory 64
# one allocation past the limit is refused before it is made: the worker never holds 1 GiB
printf 'doc:title(county.name)\nlocal s = string.rep("x", 2^30)\n' >"$TMP/rep/gib.lua"
read -r RC _ _ RSS < <("$PY" "$E2E_LIB/sandbox_run.py" "$TMP/gib.out" "$TMP/gib.err" \
    "$CB" render --report "$TMP/rep/gib.lua" --county 忠县 --out "$TMP/out-gib" --no-fsync --lua-memory 64)
check_eq "string.rep of 1 GiB under --lua-memory 64: exit 1" 1 "$RC"
if grep -q '^CB_SANITIZE:BOOL=ON' "$CB_BUILD/CMakeCache.txt" 2>/dev/null; then
    ok "... peak resident set not checked under ASan (its shadow memory is not the script's)"
elif ((RSS < 400 * 1024)); then ok "... peak resident set $((RSS / 1024)) MiB, far under 1 GiB"
else not_ok "... peak resident set far under 1 GiB" "$((RSS / 1024)) MiB"; fi
refused docmem "local s = string.rep('x', 2^20); for i = 1, 100 do doc:paragraph(s .. i) end" "$MEM" --lua-memory 64
refused loop "while true do end" "CPU budget of 1 s exceeded" --cpu-budget 1
printf 'doc:title(county.name)\nfor i = 1, 1e6 do end\nassert(os.clock() == 0, "os.clock is not 0")\n' >"$TMP/rep/clock.lua"
cb render --report "$TMP/rep/clock.lua" --county 忠县 --out "$TMP/out-clock" --no-fsync
check_eq "os.clock() is 0 after some work: exit 0" 0 "$RC"
finish
