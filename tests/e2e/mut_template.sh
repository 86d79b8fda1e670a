#!/usr/bin/env bash
# mut_template.sh: template values at the edges that templates.sh does not reach (mutants
# of tests/mutation/): a colour must be exactly #rrggbb, its last digit too; a type size of
# exactly the largest allowed (300 points) is taken, one more refused; a logo given by an
# absolute path (outside the template folder) is refused; margins that leave less than an
# inch of line are refused.
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
printf 'return { page = { width = 3000, height = 3000 }, type = { title = 300 } }\n' >"$TMP/tpl/template.lua"
cb render --template "$TMP/tpl" --county 忠县 --out "$TMP/out" --no-fsync --quiet
check_eq "type.title = 300 (the largest allowed) on a 3000 pt page: exit 0" 0 "$RC"
printf 'return { page = { width = 3000, height = 3000 }, type = { title = 301 } }\n' >"$TMP/tpl/template.lua"
cb render --template "$TMP/tpl" --county 忠县 --out "$TMP/out" --no-fsync
check_eq "type.title = 301: exit 4" 4 "$RC"
check "... named" grep -qF "template.lua: type.title is 301 points; it must be 4 to 300" "$TMP/stderr"
printf 'logo' >"$TMP/logo.png"
printf 'return { logo = "%s" }\n' "$TMP/logo.png" >"$TMP/tpl/template.lua"
cb render --template "$TMP/tpl" --county 忠县 --out "$TMP/out" --no-fsync
check_eq "a logo by absolute path: exit 4" 4 "$RC"
check "... named" grep -qF "template.lua: logo \"$TMP/logo.png\" must name a file in the template folder" "$TMP/stderr"
printf 'return { page = { margin = { left = 270, right = 270 } } }\n' >"$TMP/tpl/template.lua"
cb render --template "$TMP/tpl" --county 忠县 --out "$TMP/out" --no-fsync
check_eq "margins leaving 55 pt of line: exit 4" 4 "$RC"
check "... named" grep -qF "template.lua: page size, margins or type sizes leave no room for text" "$TMP/stderr"
finish
