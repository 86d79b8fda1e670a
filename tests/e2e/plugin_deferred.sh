#!/usr/bin/env bash
# plugin_deferred.sh: a plugin that only reads data (its init registers data sources and
# nothing else: xlsx, sqlite) costs a run nothing until --data needs it (core/plugin_defer.c,
# "deferred"). Once it was loaded and probed good, later runs do not map it (nor the
# libraries it brings: libzip, libcrypto, libsqlite3), and:
# - a render from a CSV folder maps neither, and renders the same PDF;
# - an unchanged re-run skips its county: the plugins still count in the input hash;
# - --data FILE.sqlite loads the sqlite plugin the moment it is needed, and renders;
# - `countybrief plugins` lists every plugin as before, in the same order.
# Needs the sqlite3 shell (Debian package sqlite3) for the last two.
set -euo pipefail
source "$(dirname "$0")/lib/common.bash"

DATA=$CB_SRC/examples/data
unset COUNTYBRIEF_PLUGIN_DIR COUNTYBRIEF_PLUGIN_PATH COUNTYBRIEF_PROBE_CACHE
id=$(sed -n 2p "$DATA/counties.csv" | cut -d, -f1)


# what `countybrief plugins` lists when every plugin is loaded (no cache: nothing deferred)
COUNTYBRIEF_PROBE_CACHE=0 cb plugins
plugins_first=$(cat "$TMP/stdout")
for p in charts sqlite xlsx; do
    check "countybrief plugins: $p is loaded (the build's plugin folder)" grep -qE "^$p " "$TMP/stdout"
done

# the first run loads every plugin (the probe cache learns what they provide) ...
LD_DEBUG=files "$CB" render --data "$DATA" --county "$id" --out "$TMP/a" --quiet --no-fsync >/dev/null 2>"$TMP/ld1" && RC=0 || RC=$?
check_eq "first run: exit 0" 0 "$RC"
check "first run: xlsx.so is mapped (nothing known yet)" grep -q 'xlsx\.so' "$TMP/ld1"
# ... a later one maps only what it needs
rm -rf "$TMP/b"
LD_DEBUG=files "$CB" render --data "$DATA" --county "$id" --out "$TMP/b" --quiet --no-fsync >/dev/null 2>"$TMP/ld2" && RC=0 || RC=$?
check_eq "second run: exit 0" 0 "$RC"
check "second run: charts.so, which the briefing draws with, is mapped" grep -q 'charts\.so' "$TMP/ld2"
for lib in xlsx.so sqlite.so libzip.so libcrypto.so libsqlite3.so; do
    if grep -q "file=[^ ]*${lib//./\\.}" "$TMP/ld2"; then
        not_ok "second run: $lib is not mapped" "$(grep "file=[^ ]*$lib" "$TMP/ld2" | head -3)"
    else
        ok "second run: $lib is not mapped"
    fi
done
pa=$(ls "$TMP/a"/*.pdf) pb=$(ls "$TMP/b"/*.pdf)
check "the same PDF either way" same_pdf "$pa" "$pb"

# unchanged: skipped, so the deferred plugins are in the input hash as before
cb render --data "$DATA" --county "$id" --out "$TMP/a" --no-fsync
check_eq "unchanged re-run: exit 0" 0 "$RC"
check "unchanged re-run: the county is skipped (the same input hash)" grep -q '"skipped": 1' "$TMP/a/manifest.json"

cb plugins
check_eq "countybrief plugins, sqlite and xlsx deferred: the same list, in the same order" "$plugins_first" "$(cat "$TMP/stdout")"

if command -v sqlite3 >/dev/null; then
    for f in "$DATA"/*.csv; do
        printf '.import --csv "%s" "%s"\n' "$f" "$(basename "$f" .csv)"
    done | sqlite3 -bail "$TMP/figures.sqlite"
    LD_DEBUG=files "$CB" render --data "$TMP/figures.sqlite" --county "$id" --out "$TMP/c" --quiet --no-fsync \
        >/dev/null 2>"$TMP/ld3" && RC=0 || RC=$?
    check_eq "--data FILE.sqlite with sqlite deferred: exit 0" 0 "$RC"
    check "--data FILE.sqlite: the sqlite plugin is loaded when needed" grep -q 'sqlite\.so' "$TMP/ld3"
    check "--data FILE.sqlite: the PDF" test -s "$(ls "$TMP/c"/*.pdf 2>/dev/null | head -1)"
else
    not_ok "the sqlite3 shell is installed (Debian package sqlite3)"
fi

finish
