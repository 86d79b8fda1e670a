#!/usr/bin/env bash
# mut_pdf.sh: the document information dictionary (mutants of tests/mutation/ that the
# other PDF checks let through): with SOURCE_DATE_EPOCH both of the PDF's dates, creation
# and modification, are that moment in UTC, so a re-render at another time is the same file.
set -euo pipefail
source "$(dirname "$0")/lib/common.bash"

SOURCE_DATE_EPOCH=1700000000 cb render --county 忠县 --out "$TMP/out" --no-fsync --quiet
check_eq "render with SOURCE_DATE_EPOCH: exit 0" 0 "$RC"
for key in CreationDate ModDate; do
    check_eq "$key is SOURCE_DATE_EPOCH (2023-11-14T22:13:20Z)" "2023-11-14T22:13:20Z" \
        "$(pdfinfo -isodates "$TMP/out/500233-忠县.pdf" 2>/dev/null | sed -n "s/^$key: *//p" || true)"
done
finish
