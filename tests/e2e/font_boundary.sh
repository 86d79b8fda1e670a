#!/usr/bin/env bash
# font_boundary.sh: libharu 2.3.0 cannot write a document whose embedded font copy ends
# exactly on its 4096-byte buffer boundary (about one document in a thousand). These three
# synthetic counties hit it; each must still render, with all its text extractable.
set -euo pipefail
source "$(dirname "$0")/lib/common.bash"

cb synth --counties 3000 --seed 1 --out "$TMP/data"
check_eq "synth: exit 0" 0 "$RC"
cb render --data "$TMP/data" --county 963180 --county 969915 --county 998793 --out "$TMP/out" --quiet
check_eq "the three counties render (exit 0)" 0 "$RC"
for f in "$TMP"/out/*.pdf; do
    check "$(basename "$f"): qpdf --check passes" qpdf --check "$f"
    name=$(basename "$f" .pdf | cut -d- -f2)
    if pdftext "$f" - | grep -q "$name"; then ok "$(basename "$f"): the county name is in the text"; else
        not_ok "$(basename "$f"): the county name is in the text"; fi
done
finish
