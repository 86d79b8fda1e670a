#!/usr/bin/env bash
# batch_counts.sh: what a batch says it did is what it did. For each run the exit status,
# the summary line ("N rendered, N skipped (unchanged), N failed"), the manifest's counts
# and per-county statuses and the PDFs on disk must agree exactly (lib/counts.bash): a run
# where every county renders; an unchanged re-run; runs where exactly one county fails, by
# a worker that crashes (abort in a plugin), a Lua error, or a hang stopped at --timeout,
# so that its exit status 1 and the count 1 come from that county alone; and the re-run
# that retries only the failed county.
set -euo pipefail
source "$(dirname "$0")/lib/common.bash"
source "$E2E_LIB/counts.bash"

# 8 counties: the two example counties, each under 4 ids (忠县00..03, 奉节县00..03)
DATA=$TMP/data
mkdir -p "$DATA"
"$PY" "$E2E_LIB/county_copies.py" "$CB_SRC/examples/data" "$DATA" 4
CRASH=$CB_BUILD/test-plugins/crash.so

failed_names() { # the names of the manifest's failed counties, sorted
    "$PY" -c "import json,sys; print(' '.join(sorted(c['name'] for c in json.load(open(sys.argv[1]))['counties'] if c['status'] == 'failed')))" "$1"
}

# report_failing HOW: $TMP/HOW/r.lua, a report in which 奉节县02 alone fails, by HOW
# (crash, error, hang); each in a folder of its own, as the modules next to a report are
# inputs of its counties
report_failing() {
    local stmt
    case $1 in
        crash) stmt='doc:add("test.crash")' ;;   # the worker aborts (signal 6)
        error) stmt='error("boom in " .. county.name)' ;;
        hang) stmt='doc:add("test.hang")' ;;     # the worker never answers
    esac
    printf 'doc:title(county.name, "ok")\nif county.name == "奉节县02" then %s end\ndoc:paragraph("一切正常。")\n' \
        "$stmt" >"$TMP/$1/r.lua"
}

# --- every county renders; an unchanged re-run renders none ------------------------------
mkdir -p "$TMP/ok"
printf 'doc:title(county.name, "ok")\ndoc:paragraph("一切正常。")\n' >"$TMP/ok/r.lua"
cb render --data "$DATA" --out "$TMP/ok/out" --report "$TMP/ok/r.lua" --jobs 2
check_counts "all succeed" 8 0 0 "$TMP/ok/out"
cb render --data "$DATA" --out "$TMP/ok/out" --report "$TMP/ok/r.lua" --jobs 2
check_counts "all succeed, unchanged re-run" 0 8 0 "$TMP/ok/out"

# --- exactly one county fails, three ways -------------------------------------------------
for how in crash error hang; do
    mkdir -p "$TMP/$how"
    report_failing "$how"
    cb render --data "$DATA" --out "$TMP/$how/out" --report "$TMP/$how/r.lua" --jobs 2 --timeout 3 --plugin "$CRASH"
    check_counts "one county fails ($how)" 7 0 1 "$TMP/$how/out"
    check_eq "one county fails ($how): the manifest names it failed" "奉节县02" "$(failed_names "$TMP/$how/out/manifest.json")"
done
if grep -q '奉节县02: timed out after 3 s' "$TMP/stderr"; then ok "one county fails (hang): stopped at the deadline"; else
    not_ok "one county fails (hang): stopped at the deadline" "$(cat "$TMP/stderr")"; fi

# the unchanged re-run of the crash: the seven are skipped, the failed county is tried again
cb render --data "$DATA" --out "$TMP/crash/out" --report "$TMP/crash/r.lua" --jobs 2 --plugin "$CRASH"
check_counts "one county crashes, re-run" 0 7 1 "$TMP/crash/out"
if grep -q '奉节县02: the worker process died (signal 6' "$TMP/stderr"; then ok "one county crashes, re-run: the crash is reported with its signal"; else
    not_ok "one county crashes, re-run: the crash is reported with its signal" "$(cat "$TMP/stderr")"; fi

# another report: every county renders again, the one that crashed too
cb render --data "$DATA" --out "$TMP/crash/out" --report "$TMP/ok/r.lua" --jobs 2
check_counts "the crash fixed in another report" 8 0 0 "$TMP/crash/out"

finish
