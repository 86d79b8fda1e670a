#!/usr/bin/env bash
# mut_output.sh: a write that fails leaves nothing behind (mutants of tests/mutation/ that
# outfiles.sh lets through): under a file-size limit (ulimit -f) every PDF write fails
# with "File too large", and neither a PDF nor a temporary file is left in the folder.
set -euo pipefail
source "$(dirname "$0")/lib/common.bash"

mkdir -p "$TMP/out"
RC=0
(ulimit -f 8 && exec "$CB" render --county 忠县 --out "$TMP/out" --no-fsync) >"$TMP/stdout" 2>"$TMP/stderr" || RC=$?
check_eq "a render under ulimit -f 8: exit 1" 1 "$RC"
check "... the error names the file and the cause" grep -qF "500233-忠县.pdf: File too large" "$TMP/stderr"
check_eq "... nothing left in the folder, no temporary file either" "" \
    "$(find "$TMP/out" -mindepth 1 -name '*.pdf*' -o -mindepth 1 -name '.*tmp-*' | sort)"
finish
