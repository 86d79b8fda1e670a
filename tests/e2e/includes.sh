#!/usr/bin/env bash
# includes.sh: the module rules of docs/architecture.md hold. Every `#include "..."` of
# core/ and plugins/ (and libharu's private <hpdf_*.h>) is one its module's line of the
# rules allows; known exceptions are printed as debt, and one no file needs any more fails
# (lib/include_rules.py). Only the module the rules let include <hpdf_*.h> (pdf_hpdf.c)
# calls a libharu function that hpdf.h does not declare. And the engine library carries no
# tool: `countybrief synth`'s generator is linked into the binary, not into libcbcore.a.
set -euo pipefail
source "$(dirname "$0")/lib/common.bash"

rc=0
HPDF_INCLUDE_DIR=$(sed -n 's/^HPDF_INCLUDE_DIR:PATH=//p' "$CB_BUILD/CMakeCache.txt" 2>/dev/null || true) \
    "$PY" "$E2E_LIB/include_rules.py" "$CB_SRC" >"$TMP/rules.out" 2>&1 || rc=$?
before=$FAILED
while IFS= read -r line; do
    case $line in
    "ok - "*) ok "${line#ok - }" ;;
    "FAIL - "*) not_ok "${line#FAIL - }" ;;
    *) echo "$line" ;; # debt and the count
    esac
done <"$TMP/rules.out"
if ((rc != 0 && FAILED == before)); then not_ok "include_rules.py runs" "$(tail -n 5 "$TMP/rules.out")"; fi

# (nm into files: grep -q leaving a pipe early would fail it under pipefail)
LIB=$CB_BUILD/core/libcbcore.a
if [[ ! -f $LIB ]]; then
    skip "the engine library carries no synth" "no $LIB"
else
    nm -A "$LIB" >"$TMP/lib.nm" 2>/dev/null || true
    if grep -E ' [TD] cb_synth_' "$TMP/lib.nm" >"$TMP/lib.synth"; then
        not_ok "the engine library carries no synth (libcbcore.a defines cb_synth_*)" "$(cat "$TMP/lib.synth")"
    else
        ok "the engine library carries no synth"
    fi
fi
nm "$CB" >"$TMP/cb.nm" 2>&1 || true
if grep -q ' T cb_synth_write' "$TMP/cb.nm"; then
    ok "the countybrief binary carries synth"
elif grep -q 'no symbols' "$TMP/cb.nm"; then
    skip "the countybrief binary carries synth" "$CB is stripped"
else
    not_ok "the countybrief binary carries synth"
fi

finish
