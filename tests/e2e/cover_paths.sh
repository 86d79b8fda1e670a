#!/usr/bin/env bash
# cover_paths.sh: where countybrief finds its own files (core/paths.c) when the binary is not
# run from its build tree (tests/README.md, coverage). A copy installed as PREFIX/bin with
# PREFIX/share/countybrief and PREFIX/lib/countybrief/plugins beside it uses those, even after
# the whole prefix is moved; a copy with nothing beside it and no build tree above it uses
# the configured install paths (here: no plugins, the source tree's data); an empty
# COUNTYBRIEF_SHARE counts as unset.
set -euo pipefail
source "$(dirname "$0")/lib/common.bash"
unset COUNTYBRIEF_SHARE COUNTYBRIEF_PLUGIN_DIR COUNTYBRIEF_PLUGIN_PATH
libdir=$(sed -n 's/^CMAKE_INSTALL_LIBDIR:[A-Z]*=//p' "$CB_BUILD/CMakeCache.txt")
libdir=${libdir:-lib}
prefix=$(sed -n 's/^CMAKE_INSTALL_PREFIX:[A-Z]*=//p' "$CB_BUILD/CMakeCache.txt")

# --- an installed tree: PREFIX/bin, PREFIX/share/countybrief, PREFIX/LIBDIR/countybrief/plugins
P=$TMP/prefix
mkdir -p "$P/bin" "$P/share/countybrief" "$P/$libdir/countybrief/plugins"
cp "$CB" "$P/bin/countybrief"
cp -r "$CB_SRC/scripts" "$CB_SRC/templates" "$CB_SRC/examples" "$P/share/countybrief/"
# the installed example data differs from the source tree's: 忠县 renamed 测试县
sed -i 's/^500233,忠县,/500233,测试县,/' "$P/share/countybrief/examples/data/counties.csv"
cp "$CB_BUILD"/plugins/*.so "$P/$libdir/countybrief/plugins/"
rm "$P/$libdir/countybrief/plugins/xlsx.so" # only those beside it: not all of the build's

RC=0
"$P/bin/countybrief" list >"$TMP/list" 2>"$TMP/err" || RC=$?
check_eq "installed: list shows the installed example data (测试县)" "0 测试县 奉节县" \
    "$RC $(cut -f2 "$TMP/list" | tr '\n' ' ' | sed 's/ $//')"
RC=0
"$P/bin/countybrief" plugins >"$TMP/plugins" 2>"$TMP/err" || RC=$?
check_eq "installed: the plugins beside it, only those" "0 charts sqlite" \
    "$RC $(grep -o '^[a-z_]* [0-9.]*  (ABI' "$TMP/plugins" | cut -d' ' -f1 | tr '\n' ' ' | sed 's/ $//')"
check "installed: each from PREFIX/$libdir/countybrief/plugins" \
    grep -q " $P/$libdir/countybrief/plugins/sqlite.so\$" "$TMP/plugins"

mv "$P" "$TMP/moved"
RC=0
"$TMP/moved/bin/countybrief" render --out "$TMP/out-moved" --quiet 2>"$TMP/err" || RC=$?
check_eq "the prefix moved: renders the moved tree's data" "0 500233-测试县.pdf 500236-奉节县.pdf" \
    "$RC $(cd "$TMP/out-moved" && ls *.pdf | tr '\n' ' ' | sed 's/ $//')"

# --- a lone copy: no share beside it, no CMakeCache.txt above it ------------------------
mkdir -p "$TMP/lone"
cp "$CB" "$TMP/lone/countybrief"
RC=0
"$TMP/lone/countybrief" plugins >"$TMP/plugins" 2>"$TMP/err" || RC=$?
check_eq "a lone copy: no plugins, the configured folder named" \
    "0 no plugins loaded (searched: $prefix/$libdir/countybrief/plugins)" "$RC $(cat "$TMP/plugins")"
if [[ -f $prefix/share/countybrief/scripts/briefing.lua ]]; then
    skip "a lone copy: the source tree's example data" "countybrief is installed at $prefix: its share folder is used"
else
    RC=0
    "$TMP/lone/countybrief" list >"$TMP/list" 2>"$TMP/err" || RC=$?
    check_eq "a lone copy, nothing installed: the source tree's example data (two counties)" \
        "0 2" "$RC $(wc -l <"$TMP/list")"
fi

# --- COUNTYBRIEF_SHARE ------------------------------------------------------------------
RC=0
COUNTYBRIEF_SHARE= "$CB" list >"$TMP/list" 2>"$TMP/err" || RC=$?
check_eq "COUNTYBRIEF_SHARE empty: as unset (the build's source tree)" "0 2" "$RC $(wc -l <"$TMP/list")"
mkdir -p "$TMP/share/examples"
cp -r "$CB_SRC/examples/data" "$TMP/share/examples/"
sed -i 's/^500236,奉节县,/500236,别处县,/' "$TMP/share/examples/data/counties.csv"
RC=0
COUNTYBRIEF_SHARE=$TMP/share "$CB" list >"$TMP/list" 2>"$TMP/err" || RC=$?
check_eq "COUNTYBRIEF_SHARE set: its example data" "0 忠县 别处县" "$RC $(cut -f2 "$TMP/list" | tr '\n' ' ' | sed 's/ $//')"

finish
