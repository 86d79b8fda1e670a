#!/usr/bin/env bash
# mut_manifest.sh: a PDF the manifest lists is trusted as unchanged only while its size is the
# recorded one: one cut short (a full disk, a copy interrupted) or grown renders again, alone,
# and comes back byte-identical; the other county is skipped. Kills the mutant
# manifest-size-not-checked (tests/mutation/mutants.txt).
set -euo pipefail
source "$(dirname "$0")/lib/common.bash"

OUT=$TMP/out
ZX=$OUT/500233-忠县.pdf
cb render --out "$OUT" --jobs 1
check_eq "first run: exit 0" 0 "$RC"
cp "$ZX" "$TMP/ref.pdf"

for how in cut grown; do
    if [[ $how == cut ]]; then truncate -s 1000 "$ZX"; else printf '%%%%EOF\n' >>"$ZX"; fi
    cb render --out "$OUT" --jobs 1
    check_eq "$how: exit 0" 0 "$RC"
    if grep -qF "1 rendered, 1 skipped" "$TMP/stdout" "$TMP/stderr"; then ok "$how: 忠县 rendered again, 奉节县 skipped"
    else not_ok "$how: 忠县 rendered again, 奉节县 skipped" "$(cat "$TMP/stdout" "$TMP/stderr")"; fi
    if why=$(same_pdf "$TMP/ref.pdf" "$ZX"); then ok "$how: the PDF is whole again, byte-identical"
    else not_ok "$how: the PDF is whole again, byte-identical" "$why"; fi
done
# a check that can fail: an untouched folder skips both
cb render --out "$OUT" --jobs 1
if grep -qF "0 rendered, 2 skipped" "$TMP/stdout" "$TMP/stderr"; then ok "untouched: both skipped"
else not_ok "untouched: both skipped" "$(cat "$TMP/stdout" "$TMP/stderr")"; fi

finish
