#!/usr/bin/env bash
# mut_template.sh: template values at the edges that templates.sh does not reach (mutants
# of tests/mutation/): a colour must be exactly #rrggbb, its last digit too.
set -euo pipefail
source "$(dirname "$0")/lib/common.bash"

mkdir -p "$TMP/tpl"
for bad in '#12345g' '#12345' '#1234567' '123456#'; do
    printf 'return { colors = { primary = "%s" } }\n' "$bad" >"$TMP/tpl/template.lua"
    cb render --template "$TMP/tpl" --county 忠县 --out "$TMP/out" --no-fsync
    check_eq "colors.primary \"$bad\": exit 4" 4 "$RC"
    check "... named" grep -qF "template.lua: colors.primary \"$bad\" is not #rrggbb" "$TMP/stderr"
done
printf 'return { colors = { primary = "#12345f" } }\n' >"$TMP/tpl/template.lua"
cb render --template "$TMP/tpl" --county 忠县 --out "$TMP/out" --no-fsync --quiet
check_eq "colors.primary \"#12345f\": exit 0" 0 "$RC"
finish
