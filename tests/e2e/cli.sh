#!/usr/bin/env bash
# cli.sh: the promises of the command line itself: --version and --help say what they
# should, `list` shows the counties, `render` with no options works from any current
# directory (the example data, scripts and templates are found from the binary, not the
# cwd) and writes to ./out, --county picks counties by name or id, and --quiet is quiet.
set -euo pipefail
source "$(dirname "$0")/lib/common.bash"

# the share folder must be found without help
unset COUNTYBRIEF_SHARE

# --- --version --------------------------------------------------------------------------
cb --version
check_eq "--version exits 0" 0 "$RC"
version=$(cat "$TMP/stdout")
if [[ $version =~ ^countybrief\ [0-9]+\.[0-9]+\.[0-9]+$ ]]; then ok "--version prints 'countybrief X.Y.Z' ($version)"; else
    not_ok "--version prints 'countybrief X.Y.Z'" "got: $version"; fi
project_version=$(sed -n 's/^project(countybrief VERSION \([0-9.]*\).*/\1/p' "$CB_SRC/CMakeLists.txt")
check_eq "--version matches the project version in CMakeLists.txt" "countybrief $project_version" "$version"

# --- --help -------------------------------------------------------------------------------
cb --help
check_eq "--help exits 0" 0 "$RC"
help=$TMP/help.txt
cp "$TMP/stdout" "$help"
for word in render list --data --report --template --county --out --font --quiet; do
    if grep -qe "$word" "$help"; then ok "--help mentions $word"; else not_ok "--help mentions $word"; fi
done
# the exit codes, each with its meaning, after "exit status"
codes=$(sed -n '/exit status/,$p' "$help" | tr '\n' ' ')
for code in 0 1 2 3 4 5; do
    if grep -qE "(^|[ :;])$code [a-z]" <<<"$codes"; then ok "--help documents exit status $code"; else
        not_ok "--help documents exit status $code" "$codes"; fi
done

# --- list ---------------------------------------------------------------------------------
cb list
check_eq "list exits 0" 0 "$RC"
for pair in "500233 忠县" "500236 奉节县"; do
    read -r id name <<<"$pair"
    if grep -qE "(^|[[:space:]])$id[[:space:]]+$name([[:space:]]|\$)" "$TMP/stdout"; then
        ok "list shows $id $name"
    else
        not_ok "list shows $id $name" "$(cat "$TMP/stdout")"
    fi
done
check_eq "list prints one line per county" 2 "$(grep -c . "$TMP/stdout" || true)"

# --- render with no options, from an unrelated directory ----------------------------------
mkdir "$TMP/elsewhere"
cd "$TMP/elsewhere"
cb render
cd "$OLDPWD"
check_eq "render with no options exits 0 (cwd: an empty temp dir)" 0 "$RC"
check_eq "it writes the two example briefings to ./out" "500233-忠县.pdf 500236-奉节县.pdf" \
    "$(ls "$TMP/elsewhere/out" 2>/dev/null | grep '\.pdf$' | sort | tr '\n' ' ' | sed 's/ $//')"
pdftext "$TMP/elsewhere/out/500233-忠县.pdf" "$TMP/zx.txt"
if has_text "$TMP/zx.txt" 4.05亿元 && has_text "$TMP/zx.txt" 概况; then
    ok "they hold the example data laid out by scripts/briefing.lua"
else
    not_ok "they hold the example data laid out by scripts/briefing.lua"
fi
for f in 500233-忠县.pdf 500236-奉节县.pdf; do
    if grep -qF "wrote out/$f" "$TMP/stdout"; then ok "it reports 'wrote out/$f'"; else
        not_ok "it reports 'wrote out/$f'" "$(cat "$TMP/stdout")"; fi
done

# --- --county -----------------------------------------------------------------------------
# render_only NAME EXPECTED ARGS...: render with ARGS into a fresh folder, expect those files
render_only() {
    local what=$1 expected=$2 out=$TMP/only-$RANDOM
    shift 2
    cb render --out "$out" "$@"
    check_eq "$what: exit 0" 0 "$RC"
    check_eq "$what: writes only $expected" "$expected" "$(ls "$out" 2>/dev/null | grep '\.pdf$' | sort | tr '\n' ' ' | sed 's/ $//')"
}
render_only "--county 忠县 (by name)" "500233-忠县.pdf" --county 忠县
render_only "--county 500236 (by id)" "500236-奉节县.pdf" --county 500236
render_only "--county twice" "500233-忠县.pdf 500236-奉节县.pdf" --county 500236 --county 忠县

# --- --quiet ------------------------------------------------------------------------------
cb render --quiet --out "$TMP/quiet"
check_eq "--quiet: exit 0" 0 "$RC"
check_eq "--quiet: nothing on stdout" "" "$(cat "$TMP/stdout")"
check_eq "--quiet: nothing on stderr" "" "$(cat "$TMP/stderr")"
check_eq "--quiet: both files still written" 2 "$(ls "$TMP/quiet" | grep -c '\.pdf$' || true)"

finish
