#!/usr/bin/env bash
# mut_check.sh: data checks at the edges that authoring.sh does not reach (mutants of
# tests/mutation/): a column with no values at all meets any type a report needs (nothing
# in it contradicts the need), in `check` and in `render`.
set -euo pipefail
source "$(dirname "$0")/lib/common.bash"

cd "$TMP"
cp -r "$CB_SRC/examples/data" data
printf 'county_id,note,count\n500233,,\n500236,,\n' >data/extra.csv
cat >empty.lua <<'LUA'
needs {
  extra = { note = "text", count = "number" },
}
doc:title(county.name)
LUA
cb check --report empty.lua --data data
check_eq "check: empty columns meet text and number needs: exit 0" 0 "$RC"
check "... no problem reported" grep -q '^check: 0 errors, 0 warnings' "$TMP/stdout"
cb render --report empty.lua --data data --out "$TMP/out" --no-fsync --quiet
check_eq "render: exit 0" 0 "$RC"
finish
