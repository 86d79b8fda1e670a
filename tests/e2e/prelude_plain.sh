#!/usr/bin/env bash
# prelude_plain.sh: which declarations (report { }, needs { }) are read in countybrief's own
# process and which in a child (core/lua_prelude.c). Lua itself decides, running them in a
# bare state: those that only build tables of literals, names and operators on them are
# read in-process (no fork), whatever their syntax (["key"] =, "z" .. "h", -1, comments);
# any library call, metatable or long-running code is read in a child, where the CPU
# budget's hard stop can end it. Counted with strace (fork/clone of `check`, which runs the
# county in a process of its own: a script read in-process forks as often as one whose
# declaration is a table of one string). Skipped (exit 77) when strace is not installed.
set -euo pipefail
source "$(dirname "$0")/lib/common.bash"

if ! command -v strace >/dev/null; then skip_all "strace is not installed (Debian package strace)"; fi
# strace and LeakSanitizer don't mix (LSan refuses to run under ptrace)
export ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0

# forks NAME DECLARATIONS: writes a report opening with DECLARATIONS, runs check on it for
# one county under strace; sets FORKS to the processes it started, RC to its exit status
forks() {
    printf '%s\ndoc:title(county.name)\n' "$2" >"$TMP/$1.lua"
    RC=0
    strace -f -qq -e trace=fork,vfork,clone,clone3 -o "$TMP/$1.trace" \
        "$CB" check --report "$TMP/$1.lua" --county 忠县 --cpu-budget 5 >"$TMP/$1.out" 2>&1 || RC=$?
    FORKS=$(grep -cE '^[0-9]+ +(fork|vfork|clone|clone3)\(' "$TMP/$1.trace" || true)
}

forks ref 'report { scope = "county" }' # a first run probes the plugins (a fork each)
forks ref 'report { scope = "county" }'
check_eq "the reference: check passes" 0 "$RC"
REF=$FORKS
in_process() {
    forks "$1" "$2"
    check_eq "$1: read in this process (as many forks as the reference)" "$REF" "$FORKS"
    check_eq "$1: check passes" 0 "$RC"
}
in_child() {
    forks "$1" "$2"
    if ((FORKS > REF)); then ok "$1: read in a child process (a fork more)"
    else not_ok "$1: read in a child process (a fork more)" "$FORKS forks, $REF for the reference; $(cat "$TMP/$1.out")"; fi
}

in_process literals 'report { languages = { "zh" }, scope = "county" }
needs { projects = optional { project = "text", amount = "number" } }'
in_process comments '#!/usr/bin/env countybrief
-- a comment, then [[ a long one ]]
--[==[ report { scope = "all" } ]==]
needs ( { towns = optional { ["town"] = "text" } } ) ;'
in_process operators 'report { languages = { "z" .. "h" }, scope = "coun" .. "ty" }
needs { projects = { amount = #"ab" > -1 and "number" or "text" } }'

in_child library 'needs { projects = { amount = string.lower("NUMBER") } }'
in_child method 'needs { projects = { amount = ("number"):lower() } }'
in_child metatable 'needs(setmetatable({}, {}))'
in_child loop 'report { languages = (function() for i = 1, 1e5 do end return { "zh" } end)() }'

finish
