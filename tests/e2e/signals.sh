#!/usr/bin/env bash
# signals.sh: a run stopped by SIGTERM (a scheduler, `kubectl delete`) or SIGINT (Ctrl-C)
# stops handing out counties, lets the running ones finish (killed after a few seconds, or
# at once on a second signal), writes the manifest of the counties done, leaves no journal
# and no temporary file, says so in one line and exits 143 / 130; the next run renders only
# the rest. A terminal's Ctrl-C reaches the whole process group: the workers ignore it, no
# county fails. As PID 1 (a container) SIGTERM works the same. check stops the same way.
set -euo pipefail
source "$(dirname "$0")/lib/common.bash"

DATA=$TMP/data
"$CB" synth --counties 400 --out "$DATA" >/dev/null
mkdir -p "$TMP/rep"
cat >"$TMP/rep/slow.lua" <<'LUA'
-- each county spins a while, so that a batch is caught mid-run
local x = 0
for i = 1, 500000 do x = x + i % 7 end
doc:title(county.name, "slow " .. x)
LUA
cat >"$TMP/rep/hang.lua" <<'LUA'
doc:add("test.hang") -- the worker never answers
LUA
HANG=(--report "$TMP/rep/hang.lua" --plugin "$CB_BUILD/test-plugins/crash.so" --timeout 0)

PGIDS=()
cleanup() { # whatever a failed check left running (the baseline's orphaned workers): by group
    for g in "${PGIDS[@]}"; do kill -KILL -- "-$g" 2>/dev/null || true; done
    rm -rf "$TMP"
}
trap cleanup EXIT

# start OUT ARGS...: countybrief ARGS in a session (and process group) of its own, in the
# background, with SIGINT and SIGTERM at their defaults (a script's background job starts
# with SIGINT ignored, which countybrief keeps); sets PID (countybrief's) and PGID
start() {
    local out=$1
    shift
    env --default-signal=INT,TERM setsid "$@" >"$out.stdout" 2>"$out.stderr" &
    PID=$!
    PGID=$PID
    PGIDS+=("$PGID")
}
# pdfs_at_least DIR N: waits (20 s at most) until DIR holds N PDFs
pdfs_at_least() {
    for _ in $(seq 1 400); do
        [[ $(ls "$1" 2>/dev/null | grep -c '\.pdf$') -ge $2 ]] && return 0
        sleep 0.05
    done
    return 1
}
# workers_up PID N: waits (30 s at most) until countybrief PID has forked its N workers
workers_up() {
    for _ in $(seq 1 600); do
        [[ $(pgrep -c -P "$1" || true) -ge $2 ]] && return 0
        sleep 0.05
    done
    return 1
}
# alive PID: the process runs (a zombie, ended but not yet waited for, does not)
alive() {
    local s
    s=$(ps -o stat= -p "$1" 2>/dev/null) || return 1
    [[ $s != Z* ]]
}
# ended PID SECONDS: waits for PID to end; sets RC (124: still running, then killed)
ended() {
    RC=124
    for _ in $(seq 1 $(($2 * 20))); do
        if ! alive "$1"; then
            RC=0
            wait "$1" || RC=$?
            return 0
        fi
        sleep 0.05
    done
    kill -KILL -- "-$1" 2>/dev/null || true
    wait "$1" 2>/dev/null || true
}
# stopped_clean WHAT DIR CODE SIG: the exit status, the one line, and the folder as a normal
# end leaves it: a manifest listing exactly the PDFs there, no journal, no temporary file
stopped_clean() {
    local what=$1 dir=$2 code=$3 sig=$4 line n
    check_eq "$what: exit $code" "$code" "$RC"
    line=$(grep "stopped by $sig" "$dir.stderr" || true)
    n=$(ls "$dir" | grep -c '\.pdf$' || true)
    if [[ $line =~ ^countybrief:\ stopped\ by\ $sig:\ ([0-9]+)\ rendered,\ ([0-9]+)\ left\ to\ render\;\ run\ again\ to\ resume$ ]] &&
        [[ ${BASH_REMATCH[1]} == "$n" && $((BASH_REMATCH[1] + BASH_REMATCH[2])) == 400 && $n -gt 0 ]]; then
        ok "$what: one line: $n rendered, $((400 - n)) left"
    else
        not_ok "$what: one line: N rendered, M left to render" "$(cat "$dir.stderr")"
    fi
    local diff
    diff=$("$PY" - "$dir" <<'PY'
import json, os, sys
d = sys.argv[1]
try:
    m = json.load(open(os.path.join(d, "manifest.json")))
except Exception as e:
    print("no manifest:", e); sys.exit()
listed = sorted(c["file"] for c in m["counties"] if c["status"] != "failed")
failed = [c["county_id"] for c in m["counties"] if c["status"] == "failed"]
there = sorted(f for f in os.listdir(d) if f.endswith(".pdf"))
if listed != there: print("manifest:", len(listed), "PDFs:", len(there))
if failed: print("failed:", failed[:5])
PY
)
    check_eq "$what: the manifest lists exactly the PDFs written, none failed" "" "$diff"
    check_eq "$what: no journal, no temporary file left" "" "$(ls -A "$dir" | grep -E 'journal|\.tmp-' || true)"
}

# --- SIGTERM mid-batch, then the next run renders only the rest ------------------------------
start "$TMP/term" "$CB" render --data "$DATA" --out "$TMP/term" --report "$TMP/rep/slow.lua" --jobs 1
pdfs_at_least "$TMP/term" 3 || true
kill -TERM "$PID"
ended "$PID" 20
stopped_clean "SIGTERM mid-batch" "$TMP/term" 143 SIGTERM
done_before=$(ls "$TMP/term" | grep -c '\.pdf$' || true)
cb render --data "$DATA" --out "$TMP/term" --report "$TMP/rep/slow.lua" --jobs 2
if [[ $RC -eq 0 ]] && grep -q "^$((400 - done_before)) rendered, $done_before skipped (unchanged), 0 failed" "$TMP/stdout"; then
    ok "the next run resumes: $((400 - done_before)) rendered, $done_before skipped"
else
    not_ok "the next run resumes: only the rest rendered" "exit $RC; $(tail -n 2 "$TMP/stdout" "$TMP/stderr")"
fi
check_eq "then: 400 PDFs" 400 "$(ls "$TMP/term" | grep -c '\.pdf$')"

# --- Ctrl-C: SIGINT to the whole process group; the workers ignore it -------------------------
start "$TMP/int" "$CB" render --data "$DATA" --out "$TMP/int" --report "$TMP/rep/slow.lua" --jobs 2
pdfs_at_least "$TMP/int" 3 || true
kill -INT -- "-$PGID"
ended "$PID" 20
stopped_clean "SIGINT to the process group" "$TMP/int" 130 SIGINT
check_eq "SIGINT: no county failed, no worker died" "" "$(grep -E 'died|failed' "$TMP/int.stderr" || true)"

# --- running counties finish, but within a deadline; a second signal stops at once ----------
start "$TMP/hang" "$CB" render --data "$DATA" --out "$TMP/hang" "${HANG[@]}" --jobs 2
workers_up "$PID" 2 || true # loaded, and both workers in a county that never ends
sleep 0.3
t0=$(date +%s%N)
kill -TERM "$PID"
ended "$PID" 15
secs=$((($(date +%s%N) - t0) / 1000000000))
check_eq "SIGTERM with two counties that never end: exit 143" 143 "$RC"
if ((secs >= 4 && secs <= 9)); then ok "they are killed after the few seconds' grace (${secs} s)"; else
    not_ok "they are killed after the few seconds' grace" "took ${secs} s"; fi
check "the line: 0 rendered, 400 left" grep -q "stopped by SIGTERM: 0 rendered, 400 left to render" "$TMP/hang.stderr"
check_eq "the manifest lists no county; no journal, no temporary file" "0" \
    "$("$PY" -c "import json,sys; print(len(json.load(open(sys.argv[1]))['counties']))" "$TMP/hang/manifest.json" 2>&1
       ls -A "$TMP/hang" | grep -E 'journal|\.tmp-' || true)"
start "$TMP/hang2" "$CB" render --data "$DATA" --out "$TMP/hang2" "${HANG[@]}" --jobs 2
workers_up "$PID" 2 || true
sleep 0.3
t0=$(date +%s%N)
kill -TERM "$PID"
sleep 0.3
kill -TERM "$PID" 2>/dev/null || true
ended "$PID" 15
ms=$((($(date +%s%N) - t0) / 1000000))
if [[ $RC -eq 143 ]] && ((ms < 3000)); then ok "a second SIGTERM stops at once (${ms} ms), exit 143"; else
    not_ok "a second SIGTERM stops at once" "exit $RC after $ms ms"; fi
check "and still writes the manifest" test -f "$TMP/hang2/manifest.json"
check_eq "no worker outlives countybrief" "" "$(pgrep -g "$PGID" 2>/dev/null || true)"

# --- check stops the same way -----------------------------------------------------------------
start "$TMP/chk" "$CB" check --data "$DATA" --report "$TMP/rep/slow.lua" --jobs 1
workers_up "$PID" 1 || true
sleep 0.5
kill -TERM "$PID"
ended "$PID" 20
if [[ $RC -eq 143 ]] && grep -qE '^countybrief: stopped by SIGTERM: [0-9]+ checked, [0-9]+ left to check; run again to resume$' \
    "$TMP/chk.stderr"; then ok "check: SIGTERM stops it, exit 143, one line"; else
    not_ok "check: SIGTERM stops it, exit 143, one line" "exit $RC; $(cat "$TMP/chk.stderr")"; fi

# --- as PID 1 (a container): SIGTERM works -------------------------------------------------
if ! unshare --pid --fork --mount-proc true 2>"$TMP/unshare.err"; then
    skip "countybrief as PID 1" "unshare --pid --fork --mount-proc is not permitted here: $(head -n 1 "$TMP/unshare.err")"
else
    start "$TMP/pid1" unshare --pid --fork --mount-proc "$CB" render --data "$DATA" --out "$TMP/pid1" \
        --report "$TMP/rep/slow.lua" --jobs 1
    pdfs_at_least "$TMP/pid1" 3 || true
    init=$(pgrep -P "$PID" || true) # countybrief: PID 1 inside, this PID outside
    if [[ -n $init ]]; then kill -TERM "$init"; fi
    ended "$PID" 20
    stopped_clean "SIGTERM to countybrief as PID 1" "$TMP/pid1" 143 SIGTERM
fi

finish
