#!/usr/bin/env bash
# isolation.sh: no crash and no hang of the parent, whatever a plugin or a county does.
# check, render --watch and reports over all counties isolate each county in a worker as
# render does: a plugin block that segfaults, aborts or calls exit(0), a Lua module function
# that segfaults, a county that never ends, each costs that county (or that report), with a
# line naming the plugin and block, and the command goes on and exits non-zero. A plugin
# that forks a lingering child and crashes is reported as the crash it is, also with
# --timeout 0. Numeric options are parsed strictly. --jobs beyond the open-file limit runs
# fewer workers and says so. Output lines reach a pipe as they are printed. The same error
# in many counties is printed three times, then counted.
set -euo pipefail
source "$(dirname "$0")/lib/common.bash"
source "$E2E_LIB/counts.bash"

CRASH=$CB_BUILD/test-plugins/crash.so
cd "$TMP"

# report_with BLOCK: a report whose county 忠县 uses plugin block BLOCK
report_with() {
    printf 'doc:title(county.name)\nif county.name == "忠县" then doc:add("%s") end\ndoc:paragraph("正文")\n' "$1" >"$1.lua"
}
has() { # has WHAT FILE PATTERN (grep -E)
    if grep -qE -- "$3" "$2"; then ok "$1"; else not_ok "$1" "$(cat "$2")"; fi
}

# --- check: a crash, an abort, an exit(0), a module function, a runaway county ------------
# (under ASan a segfault is its report and exit 1, or signal 6 with abort_on_error, as CI
# runs it; and exit(0) LeakSanitizer's exit 23)
for case in "test.segv|died \(signal (11, Segmentation fault|6, Aborted)\)|exited \(status 1" \
            "test.crash|died \(signal 6, Aborted\)" \
            "test.exit|exited \(status (0, exit\(\) was called|23)\)"; do
    block=${case%%|*}
    want=${case#*|}
    report_with "$block"
    RC=0
    timeout 60 "$CB" check --report "$block.lua" --plugin "$CRASH" >"$TMP/stdout" 2>"$TMP/stderr" || RC=$?
    check_eq "check, $block: exit 1" 1 "$RC"
    has "check, $block: one error naming the county, the cause, the block and its plugin" "$TMP/stdout" \
        "^error: 500233 忠县: the worker process ($want).* in block $block of plugin crash$"
    has "check, $block: the other county is checked, the summary counts the error" "$TMP/stdout" \
        "^check: 1 error, 0 warnings in 2 counties"
done
printf 'doc:title(county.name)\nif county.name == "忠县" then require("crashmod").segv() end\ndoc:paragraph("x")\n' >mod.lua
cb check --report mod.lua --plugin "$CRASH"
check_eq "check, a Lua module function that segfaults: exit 1" 1 "$RC"
has "check: the death message names the module function and its plugin" "$TMP/stdout" \
    "^error: 500233 忠县: the worker process .* in function crashmod.segv of plugin crash$"
report_with test.hang
RC=0
timeout 60 "$CB" check --report test.hang.lua --plugin "$CRASH" --timeout 2 >"$TMP/stdout" 2>&1 || RC=$?
check_eq "check, a county that never ends: exit 1 (not killed by the test's timeout)" 1 "$RC"
has "check, a county that never ends: stopped at --timeout, naming the block that hung" "$TMP/stdout" \
    "^error: 500233 忠县: timed out after 2 s \(the worker was stopped\) in block test.hang of plugin crash$"

# --- the plugin probe says where a plugin crashed: its init, or dlopen ---------------------
cb plugins --plugin "$CB_BUILD/test-plugins/init_abort.so"
has "probe: a crash in init is named" "$TMP/stderr" "init_abort.so: died while loading \(signal 6, Aborted\) in its cb_plugin_init$"
cb plugins --plugin "$CB_BUILD/test-plugins/ctor_crash.so"
has "probe: a crash in a constructor is named" "$TMP/stderr" "ctor_crash.so: died while loading \(signal 11, Segmentation fault\) in dlopen"

# --- render --watch keeps watching -----------------------------------------------------
report_with test.segv
cp test.segv.lua watched.lua
timeout 60 "$CB" render --watch --report watched.lua --county 忠县 --county 奉节县 --out "$TMP/w" \
    --plugin "$CRASH" >"$TMP/watch.log" 2>&1 &
WPID=$!
for _ in $(seq 1 100); do grep -q "watching for changes" "$TMP/watch.log" && break; sleep 0.1; done
has "--watch: the crash is one line naming the county, the block and its plugin" "$TMP/watch.log" \
    "^countybrief: 500233 忠县: the worker process .* in block test.segv of plugin crash$"
has "--watch: the other county is rendered" "$TMP/watch.log" "^rendered $TMP/w/500236-奉节县.pdf in"
if kill -0 "$WPID" 2>/dev/null; then ok "--watch: still watching after the crash"; else
    not_ok "--watch: still watching after the crash" "$(cat "$TMP/watch.log")"; fi
sleep 1.1 # a new mtime
printf 'doc:title(county.name)\ndoc:paragraph("好了")\n' >watched.lua
for _ in $(seq 1 100); do grep -q "^rendered $TMP/w/500233-忠县.pdf" "$TMP/watch.log" && break; sleep 0.1; done
has "--watch: the fixed report renders the county" "$TMP/watch.log" "^rendered $TMP/w/500233-忠县.pdf in"
kill -INT "$WPID" 2>/dev/null || true
WRC=0
wait "$WPID" || WRC=$?
check_eq "--watch: exit 0 on SIGINT" 0 "$WRC"

# --- a report over all counties that loses its worker ----------------------------------
printf 'report { scope = "all", output = "all" }\ndoc:title("全部")\ndoc:add("test.segv")\n' >all.lua
cb render --report all.lua --plugin "$CRASH" --out "$TMP/all"
check_eq "scope all, render: exit 1" 1 "$RC"
has "scope all, render: says the worker died, naming the file and the block" "$TMP/stderr" \
    "^countybrief: all.pdf: the worker process .* in block test.segv of plugin crash$"
cb check --report all.lua --plugin "$CRASH"
check_eq "scope all, check: exit 1" 1 "$RC"
has "scope all, check: says the worker died" "$TMP/stdout" \
    "^error: all.pdf: the worker process .* in block test.segv of plugin crash$"
has "scope all, check: counted" "$TMP/stdout" "^check: 1 error"
timeout 60 "$CB" render --watch --report all.lua --plugin "$CRASH" --out "$TMP/all" >"$TMP/watch.log" 2>&1 &
WPID=$!
for _ in $(seq 1 100); do grep -q "watching for changes" "$TMP/watch.log" && break; sleep 0.1; done
has "scope all, --watch: says the worker died" "$TMP/watch.log" "^countybrief: all.pdf: the worker process"
if kill -0 "$WPID" 2>/dev/null; then ok "scope all, --watch: still watching"; else
    not_ok "scope all, --watch: still watching" "$(cat "$TMP/watch.log")"; fi
kill -INT "$WPID" 2>/dev/null || true
wait "$WPID" || true

# --- a plugin that forks a lingering child, then crashes ----------------------------------
for block in test.forkcrash test.forkexec; do
    report_with "$block"
    for t in 0 20; do
        RC=0
        start=$SECONDS
        timeout 30 "$CB" render --report "$block.lua" --plugin "$CRASH" --out "$TMP/f$t" --timeout $t --quiet \
            >"$TMP/stdout" 2>"$TMP/stderr" || RC=$?
        check_eq "$block, --timeout $t: the run ends, exit 1" 1 "$RC"
        has "$block, --timeout $t: reported as the crash, not a timeout" "$TMP/stderr" \
            "^countybrief: 500233 忠县: the worker process died \(signal 6, Aborted\) in block $block of plugin crash$"
        if ((SECONDS - start < 10 * SLOW)); then ok "$block, --timeout $t: within seconds"; else
            not_ok "$block, --timeout $t: within seconds" "took $((SECONDS - start)) s"; fi
    done
done

# --- numeric options -------------------------------------------------------------------
for bad in "--timeout nan" "--timeout inf" "--timeout -1" "--timeout 3000000" "--timeout 5s" "--timeout ''" \
           "--jobs 1.5" "--jobs 0" "--jobs 1e9" "--shards 0" "--shards nan" "--shard 1/1e9" "--shard 0x1/2" \
           "--cpu-budget nan" "--cpu-budget inf" "--lua-memory -5" "--lua-memory 1e400"; do
    eval "cb render --out '$TMP/n' --county 忠县 $bad"
    opt=${bad%% *}
    if [[ $RC == 2 ]] && grep -qE "^countybrief: $opt .*: expected" "$TMP/stderr"; then ok "$bad: refused, exit 2"; else
        not_ok "$bad: refused, exit 2" "exit $RC: $(cat "$TMP/stderr")"; fi
done
cb render --out "$TMP/n" --county 忠县 --timeout 604800 --quiet
check_eq "--timeout 604800 (a week): accepted" 0 "$RC"
RC=0
JOB_COMPLETION_INDEX=abc COUNTYBRIEF_SHARDS=2 "$CB" render --out "$TMP/n" --county 忠县 >/dev/null 2>&1 || RC=$?
check_eq "JOB_COMPLETION_INDEX=abc: refused, exit 2" 2 "$RC"

# --- 40 counties: the example's two, each under 20 ids -------------------------------------
DATA=$TMP/data
mkdir -p "$DATA"
"$PY" "$E2E_LIB/county_copies.py" "$CB_SRC/examples/data" "$DATA" 20
printf 'doc:title(county.name)\ndoc:paragraph("x")\n' >tiny.lua

# --- --jobs beyond the open-file limit -------------------------------------------------
RC=0
(ulimit -n 48 && exec "$CB" render --data "$DATA" --report tiny.lua --out "$TMP/j" --jobs 1000 --no-fsync) \
    >"$TMP/stdout" 2>"$TMP/stderr" || RC=$?
check_eq "--jobs 1000 under ulimit -n 48: exit 0" 0 "$RC"
check_eq "--jobs 1000 under ulimit -n 48: all 40 PDFs" 40 "$(ls "$TMP/j" | grep -c '\.pdf$' || true)"
has "--jobs 1000 under ulimit -n 48: one line says how many workers run, and why" "$TMP/stderr" \
    "^countybrief: running [0-9]+ worker processes, not 40: the limit on open files \(ulimit -n 48\) allows no more$"

# --- lines reach a pipe as they are printed ----------------------------------------------
printf 'doc:title(county.name)\nif county.name == "忠县05" then doc:add("test.hang") end\n' >slow.lua
"$CB" render --data "$DATA" --report slow.lua --plugin "$CRASH" --out "$TMP/p" --jobs 2 --timeout 8 --no-fsync 2>/dev/null \
    | cat >"$TMP/live.log" &
PPID_=$!
for _ in $(seq 1 50); do grep -q "^wrote" "$TMP/live.log" && break; sleep 0.1; done
if grep -q "^wrote" "$TMP/live.log" && kill -0 "$PPID_" 2>/dev/null; then ok "render | cat: the wrote lines come while the batch runs"; else
    not_ok "render | cat: the wrote lines come while the batch runs" "live.log: $(head -c 300 "$TMP/live.log")"; fi
wait "$PPID_" || true

# --- the same error in many counties ---------------------------------------------------
printf 'doc:title(county.name)\nerror("no figures for " .. county.name)\n' >fails.lua
cb render --data "$DATA" --report fails.lua --out "$TMP/e" --jobs 2 --no-fsync
check_counts "40 counties, one error" 0 0 40 "$TMP/e"
check_eq "40 counties, one error: three of them printed" 3 "$(grep ': fails.lua:2: no figures for ' "$TMP/stderr" | grep -vc 'more counties')"
has "40 counties, one error: one line says the rest are counted" "$TMP/stderr" \
    "^countybrief: more counties fail with the error of .*: counted at the end$"
has "40 counties, one error: the count at the end" "$TMP/stderr" \
    "fails.lua:2: no figures for .* \(and 37 more counties with the same error\)$"
check_eq "40 counties, one error: each in the manifest" 40 \
    "$("$PY" -c "import json,sys; m=json.load(open(sys.argv[1])); print(sum(1 for c in m['counties'] if 'no figures for '+c['name'] in c.get('error','')))" "$TMP/e/manifest.json")"
cb check --data "$DATA" --report fails.lua
check_eq "check, 40 counties, one error: three printed" 3 "$(grep '^error: .*fails.lua:2: no figures for ' "$TMP/stdout" | grep -vc 'more counties')"
has "check, 40 counties, one error: the count at the end" "$TMP/stdout" "\(and 37 more counties with the same error\)$"
has "check, 40 counties, one error: all 40 counted" "$TMP/stdout" "^check: 40 errors, 0 warnings in 40 counties"

finish
