#!/usr/bin/env bash
# mut_data.sh: data errors at the edges that bad_input.sh does not reach (mutants of
# tests/mutation/): a row with one field more than its header is refused, like one with a
# field less; of three rows with one county_id the message names the first repeat and the
# first row; "NaN" in a text column is text, not a number that is not finite.
set -euo pipefail
source "$(dirname "$0")/lib/common.bash"

cd "$TMP"
cp -r "$CB_SRC/examples/data" wide
lines=$(wc -l <wide/towns.csv)
printf '500236,x,x,x,1,1,,,,,x,extra\n' >>wide/towns.csv
cb render --data wide --out out-wide --no-fsync
check_eq "a row with a field more than its header: exit 3" 3 "$RC"
check "... named with file and line" grep -qF "countybrief: wide/towns.csv:$((lines + 1)): row has 12 fields, header has 11" "$TMP/stderr"

cp -r "$CB_SRC/examples/data" dup
printf '500233,忠县,重庆市,,29,忠县篇·开篇\n500233,忠县,重庆市,,29,忠县篇·开篇\n' >>dup/counties.csv
cb render --data dup --out out-dup --no-fsync
check_eq "a county_id three times: exit 3" 3 "$RC"
check "... the first repeat named, and the row it repeats" \
    grep -qF 'countybrief: dup/counties.csv:4:1: duplicate county_id "500233" (first on line 2)' "$TMP/stderr"

cp -r "$CB_SRC/examples/data" nan
printf 'county_id,label\n500233,NaN\n500236,一般\n' >nan/extra.csv # label: not in schema.csv, inferred
cb render --data nan --out out-nan --no-fsync --quiet
check_eq "NaN in a text column: exit 0" 0 "$RC"
finish
