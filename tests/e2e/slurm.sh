#!/usr/bin/env bash
# slurm.sh: examples/slurm/README.md works as written on a real Slurm. The test starts its
# own single-node cluster (munged with its own key and socket, slurmctld and slurmd with a
# private slurm.conf on free ports, everything in its temporary folder, stopped on exit
# whatever happens), then runs the README's ```sh blocks marked <!-- run: NAME --> as they
# are, in a folder that has the clone's examples/ and build/, with $SHARED (the README's
# shared folder) in the temporary folder:
#   install, data (300 synthetic counties), submit: the array of 8 and the merge after it
#   (afterany) complete: 300 PDFs, manifest.json with every county, one log per task that
#   needed no folder made beforehand;
#   submit again into a new OUT, task 5 cancelled: the merge fails (FAILED, non-zero) and
#   names index 5; rerun (--array=5): renders exactly shard 6 of 8 (the other PDFs are
#   untouched), and the merge after it succeeds with every county.
# Skipped (exit 77) when Slurm is not installed, or when the daemons cannot start or run a
# job here (with their logs).
set -euo pipefail
source "$(dirname "$0")/lib/common.bash"

for tool in munged mungekey slurmctld slurmd sbatch squeue scontrol scancel sinfo; do
    command -v "$tool" >/dev/null || skip_all "'$tool' is not installed (slurm-wlm, munge: .ci/install-deps --test)"
done
# a test run inside a Slurm job must not take that job's identity for its own
while read -r var; do [[ $var == SLURM_CONF ]] || unset "$var"; done < <(compgen -e SLURM_)

# --- a private single-node cluster ------------------------------------------------------
# munged refuses a socket in a folder that not everyone can enter
chmod 755 "$TMP"
C=$TMP/cluster
mkdir -p "$C/munge" "$C/state" "$C/spool" "$C/log"
chmod 755 "$C/munge"
PIDS=()
stop_daemons() {
    if [[ ${#PIDS[@]} -gt 1 ]]; then # slurmctld is up: end the jobs before their daemons
        timeout 10 scancel --quiet --user="$(id -un)" 2>/dev/null || true
        for _ in $(seq 50); do [[ -z $(squeue -h 2>/dev/null) ]] && break; sleep 0.1; done
    fi
    local pid
    for ((i = ${#PIDS[@]} - 1; i >= 0; i--)); do kill "${PIDS[i]}" 2>/dev/null || true; done
    for pid in "${PIDS[@]}"; do
        for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
        kill -KILL "$pid" 2>/dev/null || true
    done
}
trap 'stop_daemons; rm -rf "$TMP"' EXIT

# no_slurm WHY: the daemons' logs, then the test ends Skipped
no_slurm() {
    echo "# the daemons' logs:"
    for f in "$C"/log/*; do
        echo "--- $f"
        tail -n 15 "$f"
    done
    skip_all "$1"
}

mungekey --create --keyfile="$C/munge/key" 2>"$C/log/mungekey" ||
    dd if=/dev/urandom of="$C/munge/key" bs=1024 count=1 status=none
chmod 600 "$C/munge/key"
munged --foreground --socket="$C/munge/socket" --key-file="$C/munge/key" --pid-file="$C/munge/pid" \
    --seed-file="$C/munge/seed" --log-file="$C/log/munged" >"$C/log/munged.out" 2>&1 &
PIDS+=($!)
for _ in $(seq 50); do [[ -S $C/munge/socket ]] && break; sleep 0.1; done
[[ -S $C/munge/socket ]] || no_slurm "munged did not start"

read -r CTLD_PORT SLURMD_PORT < <("$PY" -c '
import socket
s = [socket.socket() for _ in range(2)]
for x in s: x.bind(("127.0.0.1", 0))
print(*(x.getsockname()[1] for x in s))')
# 2 CPUs whatever the machine has (config_overrides: slurmd takes them from here), so that
# the tasks of 2 CPUs run one after the other and task 5 is still pending when cancelled
MEM=$(free -m | awk '/^Mem:/ { print int($2 / 2) }')
export SLURM_CONF=$C/slurm.conf
cat >"$SLURM_CONF" <<EOF
ClusterName=cbtest
SlurmctldHost=localhost(127.0.0.1)
SlurmctldPort=$CTLD_PORT
SlurmdPort=$SLURMD_PORT
SlurmUser=$(id -un)
SlurmdUser=$(id -un)
AuthType=auth/munge
AuthInfo=socket=$C/munge/socket
CredType=cred/munge
StateSaveLocation=$C/state
SlurmdSpoolDir=$C/spool
SlurmctldPidFile=$C/slurmctld.pid
SlurmdPidFile=$C/slurmd.pid
SlurmctldLogFile=$C/log/slurmctld
SlurmdLogFile=$C/log/slurmd
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
MpiDefault=none
ReturnToService=2
SlurmdParameters=config_overrides
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU_Memory
NodeName=localhost NodeAddr=127.0.0.1 CPUs=2 RealMemory=$MEM State=UNKNOWN
PartitionName=debug Nodes=localhost Default=YES MaxTime=INFINITE State=UP
EOF
slurmctld -D -c >"$C/log/slurmctld.out" 2>&1 &
PIDS+=($!)
slurmd -D -N localhost >"$C/log/slurmd.out" 2>&1 &
PIDS+=($!)
for _ in $(seq 300); do
    [[ $(sinfo -h -n localhost -o %T 2>/dev/null) == idle ]] && break
    sleep 0.1
done
[[ $(sinfo -h -n localhost -o %T 2>/dev/null) == idle ]] || no_slurm "the node did not become idle in 30 s"

# job_state ID: "STATE EXIT" of a finished job, e.g. "COMPLETED 0:0" (scontrol keeps it 5 min)
job_state() { scontrol show job "$1" 2>/dev/null | sed -n 's/.*JobState=\([A-Z_]*\).*/\1/p; s/.*[^d]ExitCode=\([0-9:]*\).*/\1/p' | head -n 2 | paste -sd' '; }
# wait_job ID: until the job (every task of an array) has left the queue; 0 if it did in 2 min
wait_job() {
    for _ in $(seq 1200); do
        [[ -z $(squeue -h -j "$1" 2>/dev/null) ]] && return 0
        sleep 0.1
    done
    return 1
}

probe=$(sbatch --parsable --chdir="$C" --output="$C/log/probe.out" --wrap true 2>&1) || no_slurm "sbatch failed: $probe"
wait_job "$probe" || no_slurm "a trivial job did not end in 2 minutes"
[[ $(job_state "$probe") == "COMPLETED 0:0" ]] || no_slurm "a trivial job did not run: $(job_state "$probe")"
ok "a single-node Slurm $(sinfo -V | cut -d' ' -f2) runs jobs (munged, slurmctld, slurmd on localhost)"

# --- the README, as written -------------------------------------------------------------
STEPS=$TMP/steps
if ! "$PY" "$E2E_LIB/tutorial_extract.py" steps "$CB_SRC/examples/slurm/README.md" "$STEPS" --no-lua >"$TMP/extract.log" 2>&1; then
    not_ok "extract the commands of examples/slurm/README.md" "$(cat "$TMP/extract.log")"
    finish || exit 1
fi
# the clone the reader is in: its examples/ and its build/
WORK=$TMP/clone
mkdir -p "$WORK"
ln -s "$CB_SRC/examples" "$WORK/examples"
ln -s "$CB_BUILD" "$WORK/build"
# the README's `export SHARED=/shared`
export SHARED=$TMP/shared
mkdir -p "$SHARED"
ENVF=$TMP/env # the environment a step leaves to the next, as in the reader's shell
export -p >"$ENVF"

# step NAME: runs the README's block NAME in $WORK as the reader's shell would (set -e);
# sets RC and STEP_OUT (its output file); NAME must exist
step() {
    local d
    d=$(grep -- "-$1\$" "$STEPS/steps")
    STEP_OUT=$TMP/$1-$((++NSTEP)).out
    RC=0
    bash -ec 'source "$1"; cd "$3"; source "$2"; export -p >"$1"' step "$ENVF" "$STEPS/$d/run.sh" "$WORK" \
        >"$STEP_OUT" 2>&1 || RC=$?
}
NSTEP=0
# ids OUTPUT: "ARRAY MERGE", the job ids submit.sh printed
ids() { sed -n 's/^array job \([0-9]*\):.*/\1/p; s/^merge job \([0-9]*\):.*/\1/p' "$1" | paste -sd' '; }
# pdfs DIR: how many PDFs DIR holds
pdfs() { find "$1" -maxdepth 1 -name '*.pdf' | wc -l; }
# complete DIR: manifest.json of DIR lists 300 distinct counties, none failed
complete() {
    "$PY" -c 'import json, sys
m = json.load(open(sys.argv[1] + "/manifest.json"))
ids = [c["county_id"] for c in m["counties"] if c["status"] != "failed"]
print(len(set(ids)), len(ids))' "$1" 2>&1
}

step install
check_eq "install: exit 0" 0 "$RC"
check "install: countybrief on the PATH runs from \$SHARED" grep -q '^countybrief ' "$STEP_OUT"
step data
check_eq "data: 300 synthetic counties, exit 0" 0 "$RC"
# the reader's DATA and OUT, for the checks
read -r DATA OUT < <(bash -c 'source "$1"; echo "$DATA $OUT"' step "$ENVF")
[[ $OUT == "$SHARED"/* && -d $DATA ]] || { not_ok "data: DATA and OUT set under \$SHARED" "$(cat "$STEP_OUT")"; finish || exit 1; }

# submit.sh without DATA, or without countybrief on the PATH: one line, exit 2, nothing queued
RC=0
(cd "$WORK" && env -u DATA OUT="$OUT" examples/slurm/submit.sh) >"$TMP/nodata" 2>&1 || RC=$?
check_eq "submit.sh without DATA: exit 2, one line saying to export it" "2 1" "$RC $(grep -c 'export DATA=' "$TMP/nodata")"
RC=0
(cd "$WORK" && env DATA="$DATA" OUT="$OUT" PATH=/usr/bin:/bin examples/slurm/submit.sh) >"$TMP/nopath" 2>&1 || RC=$?
check_eq "submit.sh without countybrief on the PATH: exit 2, one line" "2 1" "$RC $(grep -c 'not on the PATH' "$TMP/nopath")"
check_eq "nothing was queued" "" "$(squeue -h)"

step submit
check_eq "submit: exit 0" 0 "$RC"
read -r ARRAY MERGE <<<"$(ids "$STEP_OUT")"
if [[ -z ${MERGE:-} ]]; then not_ok "submit: prints the two job ids" "$(cat "$STEP_OUT")"; finish || exit 1; fi
check "the array and the merge end within 2 minutes" wait_job "$MERGE"
check_eq "merge after the array: COMPLETED, exit 0" "COMPLETED 0:0" "$(job_state "$MERGE")"
logs=$(for k in 0 1 2 3 4 5 6 7; do [[ -f $WORK/countybrief-${ARRAY}_$k.out ]] && echo "$k"; done | paste -sd' ')
check_eq "a log per task in the submit folder, which needed no folder made first" "0 1 2 3 4 5 6 7" "$logs"
check_eq "300 PDFs in \$OUT" 300 "$(pdfs "$OUT")"
check_eq "manifest.json: every county once, none failed" "300 300" "$(complete "$OUT")"

# --- task 5 cancelled, the merge fails naming it, the README's re-run --------------------
echo "export OUT=$SHARED/briefings-again" >>"$ENVF"
OUT=$SHARED/briefings-again
step submit
read -r ARRAY MERGE <<<"$(ids "$STEP_OUT")"
# the node runs one task of 2 CPUs at a time: task 5 is still pending
scancel "${ARRAY}_5"
check "submit again, task 5 cancelled: the array and the merge end" wait_job "$MERGE"
state=$(job_state "$MERGE")
if [[ $state == FAILED\ * && $state != *" 0:0" ]]; then ok "a task missing: the merge fails ($state)"; else
    not_ok "a task missing: the merge fails" "$state"; fi
log=$WORK/countybrief-merge-$MERGE.out
if grep -Eq 'index(es)? ([0-9]+, )*5([^0-9]|$)' "$log"; then ok "the merge's log names index 5 as missing"; else
    not_ok "the merge's log names index 5 as missing" "$(cat "$log")"; fi
before=$(pdfs "$OUT")
check "7 of 8 shares rendered" test "$before" -gt 200 -a "$before" -lt 300
find "$OUT" -maxdepth 1 -name '*.pdf' -printf '%f %T@\n' | sort >"$TMP/before"

step rerun
check_eq "rerun (--array=5): exit 0" 0 "$RC"
read -r ARRAY MERGE <<<"$(ids "$STEP_OUT")"
check "rerun: the task and the merge end" wait_job "$MERGE"
check_eq "rerun: the merge COMPLETED, exit 0" "COMPLETED 0:0" "$(job_state "$MERGE")"
check_eq "rerun: 300 PDFs" 300 "$(pdfs "$OUT")"
check_eq "rerun: manifest.json: every county once, none failed" "300 300" "$(complete "$OUT")"
find "$OUT" -maxdepth 1 -name '*.pdf' -printf '%f %T@\n' | sort >"$TMP/after"
check_eq "rerun: only shard 6 of 8 rendered, the other PDFs untouched" "" "$(comm -23 "$TMP/before" "$TMP/after")"
check "rerun: shard 6 of 8 wrote its manifest" test -f "$OUT/manifest.shard-6-of-8.json"

if [[ $FAILED -gt 0 ]]; then # what the jobs and daemons said, since the folder goes away
    for f in "$WORK"/*.out "$C"/log/slurmctld "$C"/log/slurmd; do
        [[ -f $f ]] || continue
        echo "--- $f"
        tail -n 8 "$f"
    done
fi
finish
