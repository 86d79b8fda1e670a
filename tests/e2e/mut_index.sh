#!/usr/bin/env bash
# mut_index.sh: with a data index, a changed row re-renders exactly its county (a mutant
# of tests/mutation/ that data_index.sh lets through: each county's digest in the index
# read at the wrong place, so that one county's change also changes another's key). The
# change is to the first county's rows, whose digest comes first in the index.
set -euo pipefail
source "$(dirname "$0")/lib/common.bash"

cd "$TMP"
cp -r "$CB_SRC/examples/data" data
"$CB" index --data data --quiet
cb render --data data --out out --no-fsync
check "first run with the index: 2 rendered" grep -q '^2 rendered, 0 skipped' "$TMP/stdout"
sed -i '2s/忠县长江大桥/忠县长江二桥/' data/projects.csv
check "the edit is to 忠县's row" grep -q '^500233,忠县长江二桥,' data/projects.csv
"$CB" index --data data --quiet
cb render --data data --out out --no-fsync
check "a row of 忠县 changed, re-indexed: 1 rendered, 1 skipped" grep -q '^1 rendered, 1 skipped' "$TMP/stdout"
check "... and the one rendered is 忠县" grep -q '^wrote .*500233-忠县.pdf' "$TMP/stdout"
finish
