#!/usr/bin/env bash
# mut_sandbox.sh: library functions a report script must not reach, each called in turn
# (mutants of tests/mutation/ that the attack list of sandbox.sh lets through): the
# county fails with one line naming the script line and saying what to use instead.
set -euo pipefail
source "$(dirname "$0")/lib/common.bash"

mkdir -p "$TMP/rep"
# refused NAME CALL EXPECTED: a report whose line 2 is CALL fails for 忠县 with EXPECTED
refused() {
    printf 'doc:title(county.name)\n%s\n' "$2" >"$TMP/rep/$1.lua"
    cb render --report "$TMP/rep/$1.lua" --county 忠县 --out "$TMP/out-$1" --no-fsync
    check_eq "$1: exit 1" 1 "$RC"
    check "$1: the message" grep -qF -- "$TMP/rep/$1.lua:2: $3" "$TMP/stderr"
    if [[ -e $TMP/out-$1/500233-忠县.pdf ]]; then not_ok "$1: no PDF"; else ok "$1: no PDF"; fi
}

printf 'return {}\n' >"$TMP/rep/mod.lua"
refused dofile 'dofile("'"$TMP"'/rep/mod.lua")' \
    "attempt to call a nil value (global 'dofile'); report scripts have no dofile: use require"
finish
