#!/usr/bin/env bash
# shards_env.sh: a shard's identity never depends on how the scheduler launched it. The
# index comes from SLURM_ARRAY_TASK_ID or JOB_COMPLETION_INDEX (0-based), the count from
# --shards N, else COUNTYBRIEF_SHARDS, else a whole Slurm array 0..MAX. Re-running one
# index (--array=3), a sparse (3,5) or a stepped (0-6:2) array with the count renders
# exactly those indexes' shares (the files `--shard K/N` writes, the counties cb_shard_of
# puts there); without the count, an index outside it, an array larger than it, or --shard
# and --shards that disagree: exit 2, one line saying what was seen, nothing written.
set -euo pipefail
source "$(dirname "$0")/lib/common.bash"

DATA=$TMP/data
"$CB" synth --counties 48 --out "$DATA" >/dev/null
"$CB" list --data "$DATA" | cut -f1 | sort >"$TMP/all.ids"

# the ids of the PDFs in a folder, sorted
pdf_ids() { if [[ -d $1 ]]; then ls "$1" | sed -n 's/^\([0-9]*\)-.*\.pdf$/\1/p' | sort; fi; }

# cb_shard_of, computed here: FNV-1a 64 of the id, modulo the count
"$PY" - "$TMP/all.ids" "$TMP" <<'PY'
import sys
ids = open(sys.argv[1]).read().split()
for k in range(8):
    with open(f"{sys.argv[2]}/fnv.{k + 1}", "w") as f:
        for i in ids:
            h = 1469598103934665603
            for b in i.encode():
                h = ((h ^ b) * 1099511628211) % 2**64
            if h % 8 == k:
                f.write(i + "\n")
PY

# --- the reference: --shard K/8 partitions the counties as cb_shard_of does -------------
for k in 1 2 3 4 5 6 7 8; do cb render --data "$DATA" --out "$TMP/ref$k" --shard "$k/8" --quiet; done
cat "$TMP"/fnv.* | sort >"$TMP/fnv.all"
check_same "the eight shares together: every county once" "$(cat "$TMP/all.ids")" "$(cat "$TMP/fnv.all")"
bad=""
for k in 1 2 3 4 5 6 7 8; do
    [[ $(pdf_ids "$TMP/ref$k") == "$(sort "$TMP/fnv.$k")" ]] || bad+=" $k"
done
check_eq "--shard K/8 renders the counties cb_shard_of puts in share K" "" "$bad"

# runs countybrief in OUT with the environment given first; then same_as K OUT checks it
# rendered exactly shard K of 8, with its own manifest
run_env() { # run_env OUT VAR=VALUE... -- ARGS...
    local out=$1 env=()
    shift
    while [[ $1 != -- ]]; do env+=("$1"); shift; done
    shift
    RC=0
    env -u SLURM_ARRAY_TASK_ID -u SLURM_ARRAY_TASK_MIN -u SLURM_ARRAY_TASK_MAX -u SLURM_ARRAY_TASK_COUNT \
        -u SLURM_ARRAY_TASK_STEP -u JOB_COMPLETION_INDEX -u COUNTYBRIEF_SHARDS "${env[@]}" \
        "$CB" render --data "$DATA" --out "$out" "$@" >"$TMP/stdout" 2>"$TMP/stderr" || RC=$?
}
same_as() { # same_as WHAT K OUT: exit 0, shard K of 8's files and manifest, the line saying so
    local what=$1 k=$2 out=$3 n
    n=$(wc -l <"$TMP/fnv.$k")
    if [[ $RC -eq 0 && $(pdf_ids "$out") == "$(pdf_ids "$TMP/ref$k")" && -f $out/manifest.shard-$k-of-8.json ]] &&
        [[ $(ls "$out" | grep -c '^manifest') -eq 1 ]] && grep -qE "^shard $k of 8( \(|:)" "$TMP/stdout" &&
        has_text "$TMP/stdout" ": $n of 48 counties"; then
        ok "$what"
    else
        not_ok "$what" "exit $RC; $(cat "$TMP/stdout" "$TMP/stderr"; ls "$out" 2>&1 | head -5)"
    fi
}
refused() { # refused WHAT OUT PATTERN: exit 2, one stderr line matching PATTERN, nothing written
    local what=$1 out=$2 pat=$3
    if [[ $RC -eq 2 && $(wc -l <"$TMP/stderr") -eq 1 ]] && grep -qE -- "$pat" "$TMP/stderr" && [[ ! -e $out ]]; then
        ok "$what"
    else
        not_ok "$what" "exit $RC; stderr: $(cat "$TMP/stderr"); $(ls "$out" 2>&1 | head -3)"
    fi
}

# --- a whole array 0-7: the count from the range ----------------------------------------
for id in 0 3 7; do
    run_env "$TMP/full$id" SLURM_ARRAY_TASK_ID=$id SLURM_ARRAY_TASK_MIN=0 SLURM_ARRAY_TASK_MAX=7 \
        SLURM_ARRAY_TASK_COUNT=8 -- --jobs 2
    same_as "--array=0-7, task $id: shard $((id + 1)) of 8, the count from the range" $((id + 1)) "$TMP/full$id"
done
check "the line names the task" has_text "$TMP/stdout" "shard 8 of 8 (SLURM_ARRAY_TASK_ID=7): "

# --- re-running one index: --array=3 ------------------------------------------------------
ONE=(SLURM_ARRAY_TASK_ID=3 SLURM_ARRAY_TASK_MIN=3 SLURM_ARRAY_TASK_MAX=3 SLURM_ARRAY_TASK_COUNT=1)
run_env "$TMP/one" "${ONE[@]}" --
refused "--array=3 without a count: refused (never shard 1 of 1)" "$TMP/one" \
    'SLURM_ARRAY_TASK_ID=3 in an array of 1 task \(3-3\): the shard count is unknown; give --shards N'
run_env "$TMP/one" "${ONE[@]}" -- --shards 8
same_as "--array=3 --shards 8: exactly shard 4's share" 4 "$TMP/one"
run_env "$TMP/one_env" "${ONE[@]}" COUNTYBRIEF_SHARDS=8 --
same_as "--array=3 with COUNTYBRIEF_SHARDS=8: exactly shard 4's share" 4 "$TMP/one_env"
run_env "$TMP/one_win" "${ONE[@]}" COUNTYBRIEF_SHARDS=5 -- --shards 8
same_as "--shards 8 wins over COUNTYBRIEF_SHARDS=5" 4 "$TMP/one_win"

# --- sparse and stepped arrays --------------------------------------------------------------
run_env "$TMP/sparse" SLURM_ARRAY_TASK_ID=5 SLURM_ARRAY_TASK_MIN=3 SLURM_ARRAY_TASK_MAX=5 SLURM_ARRAY_TASK_COUNT=2 --
refused "--array=3,5 without a count: refused" "$TMP/sparse" 'SLURM_ARRAY_TASK_ID=5 in an array of 2 tasks \(3-5\)'
for id in 3 5; do
    run_env "$TMP/sparse$id" SLURM_ARRAY_TASK_ID=$id SLURM_ARRAY_TASK_MIN=3 SLURM_ARRAY_TASK_MAX=5 \
        SLURM_ARRAY_TASK_COUNT=2 -- --shards 8
    same_as "--array=3,5 --shards 8, task $id: exactly shard $((id + 1))'s share" $((id + 1)) "$TMP/sparse$id"
done
STEP=(SLURM_ARRAY_TASK_MIN=0 SLURM_ARRAY_TASK_MAX=6 SLURM_ARRAY_TASK_COUNT=4 SLURM_ARRAY_TASK_STEP=2)
run_env "$TMP/step" SLURM_ARRAY_TASK_ID=4 "${STEP[@]}" --
refused "--array=0-6:2 without a count: refused" "$TMP/step" 'SLURM_ARRAY_TASK_ID=4 in an array of 4 tasks \(0-6:2\)'
for id in 0 2 4 6; do
    run_env "$TMP/step$id" SLURM_ARRAY_TASK_ID=$id "${STEP[@]}" COUNTYBRIEF_SHARDS=8 --
    same_as "--array=0-6:2 with COUNTYBRIEF_SHARDS=8, task $id: exactly shard $((id + 1))'s share" \
        $((id + 1)) "$TMP/step$id"
done
run_env "$TMP/from1" SLURM_ARRAY_TASK_ID=2 SLURM_ARRAY_TASK_MIN=1 SLURM_ARRAY_TASK_MAX=7 SLURM_ARRAY_TASK_COUNT=7 --
refused "--array=1-7 without a count: refused" "$TMP/from1" 'array of 7 tasks \(1-7\)'
run_env "$TMP/bare" SLURM_ARRAY_TASK_ID=2 --
refused "SLURM_ARRAY_TASK_ID alone: refused" "$TMP/bare" 'SLURM_ARRAY_TASK_ID=2 without SLURM_ARRAY_TASK_MIN'

# --- indexes outside the count --------------------------------------------------------------
run_env "$TMP/out1" SLURM_ARRAY_TASK_ID=8 -- --shards 8
refused "SLURM_ARRAY_TASK_ID=8 with --shards 8: refused" "$TMP/out1" \
    'SLURM_ARRAY_TASK_ID=8 is outside the 8 shards \(--shards 8\): task ids are 0-based, 0 to 7'
run_env "$TMP/out2" SLURM_ARRAY_TASK_ID=2 SLURM_ARRAY_TASK_MIN=0 SLURM_ARRAY_TASK_MAX=9 SLURM_ARRAY_TASK_COUNT=10 -- --shards 8
refused "--array=0-9 with --shards 8: every task refused, tasks 8-9 named" "$TMP/out2" \
    "the array's tasks 8-9 \(SLURM_ARRAY_TASK_MAX=9\) are outside the 8 shards"
run_env "$TMP/out3" JOB_COMPLETION_INDEX=8 COUNTYBRIEF_SHARDS=8 --
refused "JOB_COMPLETION_INDEX=8 with COUNTYBRIEF_SHARDS=8: refused" "$TMP/out3" \
    'JOB_COMPLETION_INDEX=8 is outside the 8 shards \(COUNTYBRIEF_SHARDS=8\)'

# --- Kubernetes: the index, and the count given -------------------------------------------
run_env "$TMP/k8s" JOB_COMPLETION_INDEX=2 --
refused "JOB_COMPLETION_INDEX without a count: refused" "$TMP/k8s" \
    'JOB_COMPLETION_INDEX=2: the shard count is unknown; give --shards N or COUNTYBRIEF_SHARDS'
run_env "$TMP/k8s" JOB_COMPLETION_INDEX=2 COUNTYBRIEF_SHARDS=8 --
same_as "JOB_COMPLETION_INDEX=2, COUNTYBRIEF_SHARDS=8: shard 3's share" 3 "$TMP/k8s"

# --- the options themselves --------------------------------------------------------------
run_env "$TMP/dis" -- --shard 4/8 --shards 6
refused "--shard 4/8 with --shards 6: refused" "$TMP/dis" '--shard 4/8 and --shards 6 disagree'
run_env "$TMP/agree" -- --shard 4/8 --shards 8
same_as "--shard 4/8 with --shards 8: shard 4" 4 "$TMP/agree"
run_env "$TMP/wins" SLURM_ARRAY_TASK_ID=3 SLURM_ARRAY_TASK_MIN=3 SLURM_ARRAY_TASK_MAX=3 SLURM_ARRAY_TASK_COUNT=1 -- --shard 2/8
same_as "--shard 2/8 wins over the environment" 2 "$TMP/wins"
run_env "$TMP/noidx" -- --shards 8
refused "--shards 8 without an index: refused" "$TMP/noidx" '--shards 8 gives a shard count but no shard index'
run_env "$TMP/noidx2" COUNTYBRIEF_SHARDS=8 --
refused "COUNTYBRIEF_SHARDS=8 without an index: refused" "$TMP/noidx2" 'COUNTYBRIEF_SHARDS=8 gives a shard count'
run_env "$TMP/garb" SLURM_ARRAY_TASK_ID=3x -- --shards 8
refused "SLURM_ARRAY_TASK_ID=3x: refused, named" "$TMP/garb" 'SLURM_ARRAY_TASK_ID=3x: expected a whole number'
run_env "$TMP/garb2" JOB_COMPLETION_INDEX=1 COUNTYBRIEF_SHARDS=0 --
refused "COUNTYBRIEF_SHARDS=0: refused, named" "$TMP/garb2" 'COUNTYBRIEF_SHARDS=0: expected a whole number of shards'
run_env "$TMP/quiet" JOB_COMPLETION_INDEX=2 COUNTYBRIEF_SHARDS=8 -- --quiet
check_eq "--quiet: no shard line" "" "$(cat "$TMP/stdout")"

# list and check do not shard: the scheduler's variables do not concern them
RC=0
SLURM_ARRAY_TASK_ID=3 "$CB" list --data "$DATA" >"$TMP/list.out" 2>&1 || RC=$?
check_eq "list in a one-task array: every county" "0 48" "$RC $(wc -l <"$TMP/list.out")"

finish
