#!/usr/bin/env bash
# mut_hash.sh: inputs of a county's hash that live outside the data, each changed in turn
# (the clock, a font after the first of the list, a plugin file, a module of the scripts
# folder that a report elsewhere requires), must re-render every county, and an unchanged
# re-run none. Mutants of tests/mutation/ that leave one of them out of the hash survive
# every other test. (The data tables, --lang and the report itself: batch.sh.)
set -euo pipefail
source "$(dirname "$0")/lib/common.bash"

SHARE=$TMP/share
mkdir -p "$SHARE" "$TMP/rep" "$TMP/plug" "$TMP/font"
cp -r "$CB_SRC/scripts" "$CB_SRC/templates" "$SHARE/"
export COUNTYBRIEF_SHARE=$SHARE
cp "$CB_SRC/scripts/briefing.lua" "$TMP/rep/report.lua" # its metrics.* modules: in $SHARE/scripts
cp "$CB_BUILD/test-plugins/good.so" "$TMP/plug/good.so"
chmod 0644 "$TMP/plug/good.so"
cp "$(fc-match -f '%{file}' "WenQuanYi Micro Hei")" "$TMP/font/cjk.ttc"
export SOURCE_DATE_EPOCH=1700000000

# run WHAT EXPECTED: renders both example counties in English (DejaVu Sans, then the font
# given) into one folder; the summary line must start with EXPECTED.
run() {
    cb render --data "$CB_SRC/examples/data" --report "$TMP/rep/report.lua" --lang en --font "$TMP/font/cjk.ttc" --plugin "$TMP/plug/good.so" \
        --out "$TMP/out" --jobs 1 --no-fsync
    local line
    line=$(grep -E '^[0-9]+ rendered' "$TMP/stdout" || true)
    if [[ $RC -eq 0 && $line == "$2"* ]]; then ok "$1: $2"; else
        not_ok "$1: $2" "exit $RC; $line $(head -c 600 "$TMP/stderr")"; fi
}

run "first run" "2 rendered, 0 skipped"
run "unchanged re-run" "0 rendered, 2 skipped"
SOURCE_DATE_EPOCH=1700086400 run "another SOURCE_DATE_EPOCH" "2 rendered, 0 skipped"
run "unchanged re-run (the first clock again)" "2 rendered, 0 skipped"
printf '\0\0\0\0' >>"$TMP/font/cjk.ttc"
run "the second font of the list changed" "2 rendered, 0 skipped"
printf '\0\0\0\0' >>"$TMP/plug/good.so"
run "a plugin file changed" "2 rendered, 0 skipped"
printf '\n-- changed\n' >>"$SHARE/scripts/metrics/common.lua"
run "a module of the scripts folder changed" "2 rendered, 0 skipped"
run "unchanged re-run at the end" "0 rendered, 2 skipped"
finish
