#!/usr/bin/env bash
# mut_pool.sh: a county whose worker dies counts as failed, in the summary, the manifest
# and the exit status (a mutant of tests/mutation/ that batch.sh lets through, since there
# another county fails with exit 1 anyway): here the crash is the only failure.
set -euo pipefail
source "$(dirname "$0")/lib/common.bash"

mkdir -p "$TMP/rep"
{ printf 'if county.name == "奉节县" then doc:add("test.crash") end  -- the worker aborts\n'
  cat "$CB_SRC/scripts/briefing.lua"; } >"$TMP/rep/crash.lua"
cb render --out "$TMP/out" --report "$TMP/rep/crash.lua" --jobs 1 --no-fsync \
    --plugin "$CB_BUILD/test-plugins/crash.so"
check_eq "one county's worker aborts: exit 1" 1 "$RC"
check "... the summary counts it failed" grep -q '^1 rendered, 0 skipped (unchanged), 1 failed' "$TMP/stderr"
check "... the crash is reported with its signal" grep -qF '奉节县: the worker process died (signal 6' "$TMP/stderr"
check_eq "... the manifest says failed" "failed" \
    "$("$PY" -c 'import json,sys; print([c["status"] for c in json.load(open(sys.argv[1]))["counties"] if c["county_id"] == "500236"][0])' "$TMP/out/manifest.json")"
check_eq "... and the other county is written" "500233-忠县.pdf" "$(ls "$TMP/out" | grep '\.pdf$')"
finish
