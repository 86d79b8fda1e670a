#!/usr/bin/env bash
# interrupted.sh: a county whose script a limit stopped leaves nothing behind for the next
# county. With one worker (--jobs 1), 忠县's script is cut short by the CPU budget (a bare
# loop, and loops inside pcall and xpcall, whose handlers catch the stop) or by the memory
# cap (a string flood, copies into the document, and a refusal the script catches with
# pcall and then renders anyway), and 奉节县 is rendered after it:
#   - the process that writes 奉节县's PDF ran no other county: the worker the limit struck
#     retired after its reply and a fresh fork took its place (worker.h, cb_worker_retire),
#     as strace -ff shows (the job numbers each process read from its pipe);
#   - 奉节县's PDF is byte-identical to a clean run's, also with glibc's malloc filling new
#     and freed memory (MALLOC_PERTURB_) and with a larger environment (which moves the
#     stack and the heap): a value or an order that depended on memory the stopped run
#     left, or on addresses, would differ here, every time rather than once in a while.
#
# Skipped (exit 77) when strace is not installed; the byte checks run first either way.
set -euo pipefail
source "$(dirname "$0")/lib/common.bash"

REP=$TMP/rep
mkdir -p "$REP"
ZX=500233-忠县.pdf
FJ=500236-奉节县.pdf
# strace and LeakSanitizer don't mix (LSan refuses to run under ptrace): no leak check there
export ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0

# report NAME LUA: $REP/NAME.lua runs LUA for 忠县 only, then the briefing
report() {
    { printf 'if county.name == "忠县" then\n%s\nend\n' "$2"; cat "$CB_SRC/scripts/briefing.lua"; } >"$REP/$1.lua"
}

# render NAME OUT [ARGS...]: both counties with $REP/NAME.lua into $TMP/OUT, one worker
render() {
    local rep=$1 out=$2
    shift 2
    RC=0
    "$CB" render --report "$REP/$rep.lua" --out "$TMP/$out" --jobs 1 --quiet "$@" 2>"$TMP/$out.stderr" || RC=$?
}

# same_as_clean WHAT OUT [FILE]: FILE (奉节县's PDF) in $TMP/OUT is the clean run's, byte for byte
same_as_clean() {
    local f=${3:-$FJ}
    local why
    if why=$(same_pdf "$TMP/clean/$f" "$TMP/$2/$f"); then
        ok "$1: byte-identical to the clean run's"
    else
        not_ok "$1: byte-identical to the clean run's" "$why
$(cat "$TMP/$2.stderr")"
    fi
}

report clean ''
render clean clean
check_eq "clean run: exit 0" 0 "$RC"

CPU="--cpu-budget 0.5"
MEM="--lua-memory 64"
# name | limit | 1 if 忠县 still renders (its script caught the refusal) | the Lua for 忠县
CASES=(
    "loop|$CPU|0|while true do end"
    "pcall_loop|$CPU|0|print(pcall(function() while true do end end))"
    "xpcall_loop|$CPU|0|xpcall(function() while true do end end, function() return 'handled' end)"
    "concat|$MEM|0|local x = 'x' while true do x = x .. x end"
    "docmem|$MEM|0|local s = ('x'):rep(1 << 20) for i = 1, 1e6 do doc:paragraph(s) end"
    "caught_mem|$MEM|1|local ok = pcall(string.rep, 'x', 1 << 30) assert(not ok)"
)

# --- the bytes, plain and with memory and addresses moved -----------------------------------
for c in "${CASES[@]}"; do
    IFS='|' read -r name limit renders lua <<<"$c"
    report "$name" "$lua"
    # shellcheck disable=SC2086 # the limit is an option and its value
    render "$name" "$name" $limit
    check_eq "$name: exit $((1 - renders))" "$((1 - renders))" "$RC"
    same_as_clean "$name: 奉节县 after it" "$name"
    if ((renders)); then same_as_clean "$name: 忠县, which caught the refusal and went on," "$name" "$ZX"; fi
    # shellcheck disable=SC2086
    MALLOC_PERTURB_=165 render "$name" "$name-perturb" $limit
    same_as_clean "$name: 奉节县 after it, MALLOC_PERTURB_=165" "$name-perturb"
    # shellcheck disable=SC2086
    CB_PAD=$(printf '%*s' 12345 '') render "$name" "$name-env" $limit
    same_as_clean "$name: 奉节县 after it, with 12 KB more environment" "$name-env"
done

# --- the worker the limit struck renders nothing more -----------------------------------
if ! command -v strace >/dev/null; then
    echo "# skip - strace is not installed (Debian package strace): which process rendered what is not checked"
    finish
    exit 77
fi
# jobs FILE: the job numbers a process read from its pipe (4-byte reads; not the end mark)
jobs() { grep -E '^read\([0-9]+, "[^"]*", 4\) += 4$' "$1" | grep -vc '\\377\\377\\377\\377' || true; }
for c in "${CASES[@]}"; do
    IFS='|' read -r name limit renders lua <<<"$c"
    mkdir -p "$TMP/st-$name"
    RC=0
    # shellcheck disable=SC2086
    strace -ff -qq -e trace=read,rename,renameat,renameat2 -e signal=SIGXCPU -o "$TMP/st-$name/p" \
        "$CB" render --report "$REP/$name.lua" --out "$TMP/st-$name/out" --jobs 1 --quiet $limit \
        2>"$TMP/st-$name.stderr" || RC=$?
    writer=$(grep -lE 'rename[a-z0-9]*\(.*, "500236-[^"]*\.pdf"\) = 0' "$TMP/st-$name"/p.* || true)
    if [[ -z $writer || $(wc -l <<<"$writer") -ne 1 ]]; then
        not_ok "$name: one process wrote 奉节县's PDF" "exit $RC; writers: $writer
$(cat "$TMP/st-$name.stderr")"
        continue
    fi
    check_eq "$name: the process that wrote 奉节县's PDF ran no other county (jobs it read)" 1 "$(jobs "$writer")"
    if [[ $limit == "$CPU" ]]; then
        if grep -q SIGXCPU "$writer"; then not_ok "$name: the CPU budget's stop struck another process than 奉节县's"
        else ok "$name: the CPU budget's stop struck another process than 奉节县's"; fi
    fi
done

finish
