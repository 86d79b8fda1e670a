#!/usr/bin/env bash
# plugin_probe.sh: the promise of the plugin probe (core/plugin_probe.c) to someone who drops a
# broken plugin into a plugin folder: a plugin's code runs first in a throw-away child
# process, never in countybrief itself. One that crashes while loading (a constructor that
# segfaults, an init that aborts), hangs in its init, or cannot be loaded (an undefined
# symbol) is refused with a warning naming it and the cause, and the normal report still
# renders (exit 0); `countybrief plugins` lists it as refused with its cause; given with
# --plugin it stops countybrief with exit status 4 and the one-line reason. A plugin the
# probe accepts is then loaded by countybrief as before.
#
# The test plugins are built from tests/plugins/ into $CB_BUILD/test-plugins.
set -euo pipefail
source "$(dirname "$0")/lib/common.bash"

TP=$CB_BUILD/test-plugins
missing=""
for p in good ctor_crash init_abort init_hang unresolved; do
    [[ -f $TP/$p.so ]] || missing+=" $p.so"
done
if [[ -n $missing ]]; then
    not_ok "the test plugins are built in $TP" "missing:$missing (build the project first)"
    finish || exit 1
fi
DATA=$CB_SRC/examples/data

# the default plugin folder (build/plugins: charts, which the briefing needs) and the test's
unset COUNTYBRIEF_PLUGIN_DIR COUNTYBRIEF_PLUGIN_PATH
export COUNTYBRIEF_PLUGIN_PROBE_TIMEOUT=1 # the hang's deadline; one check below uses the default

# a folder per bad plugin, holding a copy (the path a warning shows), and one with all of them
declare -A CAUSE=(
    [ctor_crash]="died while loading (signal 11, Segmentation fault)"
    [init_abort]="died while loading (signal 6, Aborted)"
    [init_hang]="hung while loading (stopped after 1 s)"
    [unresolved]="not a loadable shared object ("
)
ALL=$TMP/all
mkdir -p "$ALL"
cp "$TP/good.so" "$ALL/"
for p in "${!CAUSE[@]}"; do
    mkdir -p "$TMP/pd-$p"
    cp "$TP/$p.so" "$TMP/pd-$p/"
    cp "$TP/$p.so" "$ALL/"
done
ALL=$(cd "$ALL" && pwd -P)

# re TEXT: TEXT as a grep -E pattern that matches it literally; warning_re PATH CAUSE: the
# folder warning for PATH
re() { sed 's/[][\\.*^$+?(){}|]/\\&/g' <<<"$1"; }
warning_re() { echo "^countybrief: warning: plugin refused: $(re "$1"): $(re "$2")"; }

# --- each bad plugin in a plugin folder: a warning, and the briefing still renders ----------------
for p in ctor_crash init_abort init_hang unresolved; do
    dir=$(cd "$TMP/pd-$p" && pwd -P)
    COUNTYBRIEF_PLUGIN_PATH=$dir timeout 60 "$CB" render --data "$DATA" --out "$TMP/out-$p" \
        >"$TMP/stdout" 2>"$TMP/stderr" && RC=0 || RC=$?
    check_eq "$p in a plugin folder: the briefing renders (exit 0)" 0 "$RC"
    check_eq "$p in a plugin folder: both PDFs, valid" "2 ok" \
        "$(find "$TMP/out-$p" -name '*.pdf' | wc -l) $(for f in "$TMP/out-$p"/*.pdf; do qpdf --check "$f" >/dev/null 2>&1 || echo bad; done | sort -u | grep . || echo ok)"
    check_eq "$p in a plugin folder: one warning naming it and the cause" 1 \
        "$(grep -cE "$(warning_re "$dir/$p.so" "${CAUSE[$p]}")" "$TMP/stderr" || true)"
    others=$(grep -v '^countybrief: warning: plugin refused: ' "$TMP/stderr" |
        grep -vxF 'countybrief: warning: plugin init_abort: init_abort: about to abort (on purpose)' || true)
    check_eq "$p in a plugin folder: no other message" "" "$others"
done
COUNTYBRIEF_PLUGIN_PATH=$TMP/pd-init_abort cb plugins
if grep -qxF 'countybrief: warning: plugin init_abort: init_abort: about to abort (on purpose)' "$TMP/stderr"; then
    ok "init_abort: the warning its init gave before dying is shown"; else
    not_ok "init_abort: the warning its init gave before dying is shown" "$(cat "$TMP/stderr")"; fi
cb plugins --plugin "$TP/unresolved.so"
if grep -qF "undefined symbol: cb_test_no_such_function" "$TMP/stderr"; then ok "unresolved: the cause names the missing symbol"; else
    not_ok "unresolved: the cause names the missing symbol" "$(cat "$TMP/stderr")"; fi

# --- all of them together, with a good plugin -----------------------------------------------------
COUNTYBRIEF_PLUGIN_PATH=$ALL cb render --data "$DATA" --out "$TMP/out-all" --jobs 2
check_eq "all four in one folder: the briefing renders (exit 0)" 0 "$RC"
check_eq "all four in one folder: one warning each" 4 \
    "$(grep -c '^countybrief: warning: plugin refused: ' "$TMP/stderr" || true)"
COUNTYBRIEF_PLUGIN_PATH=$ALL cb plugins
check_eq "\`plugins\`: exit 0 (refusals in a folder are not errors)" 0 "$RC"
if grep -qE "^good +1\.0\.0 +\(ABI 1\.[0-9]+\) +$(re "$ALL/good.so")\$" "$TMP/stdout"; then
    ok "\`plugins\`: the good plugin is loaded"; else not_ok "\`plugins\`: the good plugin is loaded" "$(cat "$TMP/stdout")"; fi
for p in ctor_crash init_abort init_hang unresolved; do
    if grep -qF "refused $ALL/$p.so: ${CAUSE[$p]}" "$TMP/stdout"; then ok "\`plugins\`: $p is refused with its cause"; else
        not_ok "\`plugins\`: $p is refused with its cause" "$(cat "$TMP/stdout")"; fi
done

# --- the parent never maps a refused plugin: the dynamic loader's own log -------------------------
# LD_DEBUG=files logs every library a process maps, each line led by its pid (forked probe
# children write to the same log): the countybrief process, whose pid is known through exec,
# maps only the good plugin; the probe children map each of them.
# (a fresh list of plugins known good: the good one is probed too)
ld_run() { # ld_run TAG: `countybrief plugins` over $ALL, the loader's log in $TMP/TAG.*
    rm -f "$TMP/$1".*
    COUNTYBRIEF_PLUGIN_PATH=$ALL LD_DEBUG=files LD_DEBUG_OUTPUT=$TMP/$1 \
        bash -c 'echo $$ >"$1.parent"; exec "$2" plugins >/dev/null 2>&1' _ "$TMP/$1" "$CB" || true
}
mapped() { # mapped TAG PIDS-PATTERN: the plugins of $ALL mapped by those processes
    cat "$TMP/$1".[0-9]* | grep -E "^ *($2):" | grep -oE "file=$(re "$ALL")/[a-z_]+\.so" | sed 's|.*/||' |
        sort -u | tr '\n' ' ' | sed 's/ $//'
}
probed() { # probed TAG: the plugins of $ALL mapped by the probe children
    local parent
    parent=$(cat "$TMP/$1.parent")
    cat "$TMP/$1".[0-9]* | grep -vE "^ *$parent:" | grep -oE "file=$(re "$ALL")/[a-z_]+\.so" | sed 's|.*/||' |
        sort -u | tr '\n' ' ' | sed 's/ $//'
}
export XDG_CACHE_HOME=$TMP/cache-ld
ld_run ld
if [[ -n $(cat "$TMP"/ld.[0-9]* 2>/dev/null) ]]; then
    check_eq "the countybrief process mapped the good plugin and none of the bad ones" "good.so" "$(mapped ld "$(cat "$TMP/ld.parent")")"
    check_eq "the probe children mapped each plugin" "ctor_crash.so good.so init_abort.so init_hang.so unresolved.so" "$(probed ld)"
    # a plugin once accepted is known good: not probed again until its file changes
    ld_run ld2
    check_eq "next run: only the bad plugins are probed again" "ctor_crash.so init_abort.so init_hang.so unresolved.so" "$(probed ld2)"
    check_eq "next run: the good plugin is still loaded" "good.so" "$(mapped ld2 "$(cat "$TMP/ld2.parent")")"
    cp "$ALL/good.so" "$TMP/good-copy.so" && mv "$TMP/good-copy.so" "$ALL/good.so" # a new file, same bytes
    ld_run ld3
    check_eq "a replaced plugin file is probed again" "ctor_crash.so good.so init_abort.so init_hang.so unresolved.so" "$(probed ld3)"
else
    skip "which process mapped which plugin" "the dynamic loader wrote no LD_DEBUG log (LD_DEBUG_OUTPUT=$TMP/ld)"
fi
export XDG_CACHE_HOME=$TMP/cache

# --- given with --plugin: exit 4 and the one-line reason --------------------------------------------
for p in ctor_crash init_abort init_hang unresolved; do
    cb render --data "$DATA" --out "$TMP/out-explicit-$p" --plugin "$TP/$p.so"
    check_eq "--plugin $p.so: exit status 4" 4 "$RC"
    reason=$(grep -vxF 'countybrief: warning: plugin init_abort: init_abort: about to abort (on purpose)' "$TMP/stderr" || true)
    if [[ $(grep -c . <<<"$reason") -eq 1 && $reason == "countybrief: $TP/$p.so: ${CAUSE[$p]}"* ]]; then
        ok "--plugin $p.so: one line naming the file and the cause"; else
        not_ok "--plugin $p.so: one line naming the file and the cause" "$(cat "$TMP/stderr")"; fi
    if [[ ! -e $TMP/out-explicit-$p ]]; then ok "--plugin $p.so: nothing written"; else
        not_ok "--plugin $p.so: nothing written" "$(ls -A "$TMP/out-explicit-$p")"; fi
done

# the default deadline: a few seconds, then the hang is stopped
unset COUNTYBRIEF_PLUGIN_PROBE_TIMEOUT
start=$(date +%s.%N)
cb plugins --plugin "$TP/init_hang.so"
took=$(awk -v a="$start" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')
check_eq "default deadline: init_hang is stopped, exit 4" 4 "$RC"
if grep -qF "$TP/init_hang.so: hung while loading (stopped after 5 s)" "$TMP/stderr" &&
    awk -v t="$took" 'BEGIN { exit !(t >= 4.5 && t < 15) }'; then
    ok "default deadline: stopped after 5 s (took $took s)"; else
    not_ok "default deadline: stopped after 5 s (took $took s)" "$(cat "$TMP/stderr")"; fi

finish
