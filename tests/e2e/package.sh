#!/usr/bin/env bash
# package.sh: `cpack -G DEB` of the build folder gives countybrief_<version>_<arch>.deb whose
# Depends name every library the binary and the plugins load (computed by dpkg-shlibdeps)
# and the fonts; it holds the binary, plugins, scripts, templates, example data, header,
# .pc, man page, bash completion and copyright, all under /usr and owned by root; unpacked
# with `dpkg -x` into a temporary root (never installed into this machine) it renders the
# example briefings from there, and its man page and completion work.
set -euo pipefail
source "$(dirname "$0")/lib/common.bash"

command -v dpkg-deb >/dev/null || skip_all "dpkg-deb is not installed: no Debian package can be built or read here"
# stop WHAT [WHY]: a failure after which nothing else can be checked
stop() {
    not_ok "$@"
    finish || true
    exit 1
}
for tool in cpack dpkg-shlibdeps readelf man groff; do
    command -v "$tool" >/dev/null ||
        stop "'$tool' is installed" "Debian: cmake, dpkg-dev, binutils, man-db, groff-base (.ci/install-deps --test)"
done

# --- build the package, outside the build folder ------------------------------------------
# cpack runs the build's up-to-date check (the "preinstall" target) and installs into the
# -B folder: the build folder the other tests use gains nothing.
PKG=$TMP/pkg
version=$("$CB" --version | sed 's/^countybrief //')
arch=$(dpkg --print-architecture)
DEB=$PKG/countybrief_${version}_${arch}.deb
touch "$TMP/stamp"
if (cd "$CB_BUILD" && cpack -G DEB -B "$PKG") >"$TMP/cpack.log" 2>&1; then
    ok "cpack -G DEB in the build folder"
else
    stop "cpack -G DEB in the build folder" "$(tail -n 20 "$TMP/cpack.log")"
fi
[[ -f $DEB ]] || stop "it is named countybrief_${version}_${arch}.deb" "$(ls "$PKG")"
ok "it is named countybrief_${version}_${arch}.deb"
check_eq "nothing new at the top of the build folder (no .deb, no _CPack_Packages)" "" \
    "$(find "$CB_BUILD" -maxdepth 1 -newer "$TMP/stamp" \( -name '*.deb' -o -name _CPack_Packages \) -print)"
check "dpkg-deb --info reads it" dpkg-deb --info "$DEB"

# --- its control fields -------------------------------------------------------------------------
field() { dpkg-deb -f "$DEB" "$1"; }
check_eq "Package" countybrief "$(field Package)"
check_eq "Version" "$version" "$(field Version)"
check_eq "Architecture" "$arch" "$(field Architecture)"
check_eq "Section" text "$(field Section)"
check "Maintainer is set" test -n "$(field Maintainer)"
check "Description: a summary and an extended text" grep -q 'briefing' <<<"$(field Description | sed 1d)"
check_eq "... in lines of at most 80 columns" "" "$(field Description | awk 'length > 80')"
check_eq "no Homepage" "" "$(field Homepage)"
depends=$(field Depends)
# dep_names: the package names of Depends, one per line (alternatives and versions dropped)
dep_names=$(tr ',|' '\n\n' <<<"$depends" | sed -E 's/\(.*\)//; s/^ +//; s/ +$//' | grep . | sort -u)
for want in fonts-wqy-microhei fonts-dejavu-core libhpdf-2.3.0 liblua5.4-0 libharfbuzz0b libharfbuzz-subset0 \
    libfontconfig1 libc6 libsqlite3-0 libzip4; do
    if grep -qx "$want" <<<"$dep_names"; then ok "Depends names $want"; else not_ok "Depends names $want" "$depends"; fi
done
if [[ $depends =~ libhpdf-2\.3\.0\ \(\>=\ [0-9] ]]; then ok "... with versions, as dpkg-shlibdeps computes them"; else
    not_ok "... with versions, as dpkg-shlibdeps computes them" "$depends"; fi
check_eq "Recommends the briefing's Noto faces, the fallback font, jianbao's 楷体, what OFD output opens (libxml2, libzip) and the word bounds of table cells (ICU)" \
    "fonts-noto-cjk, fonts-hanazono, fonts-arphic-ukai, libxml2, libzip4, libicu72" "$(field Recommends)"

# --- what it holds ----------------------------------------------------------------------------
dpkg-deb -c "$DEB" >"$TMP/contents"
files=$(awk '{print $6}' "$TMP/contents" | sed 's|^\./|/|')
for f in /usr/bin/countybrief /usr/share/countybrief/scripts/briefing.lua \
    /usr/share/countybrief/scripts/scaffold/report.lua.in /usr/share/countybrief/templates/briefing/template.lua \
    /usr/share/countybrief/templates/dashboard/logo.png /usr/share/countybrief/examples/data/counties.csv \
    /usr/include/countybrief/countybrief.h /usr/include/countybrief/plugin.h \
    /usr/share/man/man1/countybrief.1.gz /usr/share/bash-completion/completions/countybrief \
    /usr/share/doc/countybrief/copyright; do
    if grep -qxF "$f" <<<"$files"; then ok "it holds $f"; else not_ok "it holds $f"; fi
done
pc=$(grep -E '^/usr/lib/.*pkgconfig/countybrief\.pc$' <<<"$files" || true)
check "it holds countybrief.pc under /usr/lib" test -n "$pc"
# every plugin the build made, in the plugin folder
plugin_dir=$(grep -E '^/usr/lib/.*countybrief/plugins/$' <<<"$files" || true)
for so in "$CB_BUILD"/plugins/*.so; do
    name=$(basename "$so")
    if grep -qxF "$plugin_dir$name" <<<"$files"; then ok "it holds the plugin $name"; else
        not_ok "it holds the plugin $name" "plugin folder: ${plugin_dir:-none}"; fi
done
check_eq "every path is under /usr" "" "$(grep -v '^/usr/' <<<"$files" | grep -vx '/' || true)"
check_eq "every file is root's" "" "$(awk '$2 != "root/root"' "$TMP/contents")"

# --- Depends cover what the binary and the plugins load ------------------------------------
ROOT=$TMP/root
dpkg -x "$DEB" "$ROOT" || stop "dpkg -x into a temporary root"
ok "dpkg -x into a temporary root"
BIN=$ROOT/usr/bin/countybrief
check "the binary is stripped" bash -c "! readelf -S '$BIN' | grep -q '\.debug_info'"
# each ELF's NEEDED sonames, resolved by the loader (ldd), then the packages that ship those
# files: one dpkg -S for all (it reads the whole package database each time). A path is
# asked as the loader found it and without /usr, as Debian 12 still ships many libraries
# under /lib.
: >"$TMP/needed"
for elf in "$BIN" "$ROOT$plugin_dir"*.so; do
    ldd "$elf" >"$TMP/ldd" 2>&1 || true
    for soname in $(readelf -d "$elf" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p'); do
        lib=$(awk -v s="$soname" '$1 == s && $2 == "=>" {print $3; exit}' "$TMP/ldd")
        lib=$(readlink -f "$lib")
        printf '%s %s %s\n' "$(basename "$elf")" "$soname" "$lib" >>"$TMP/needed"
    done
done
# shellcheck disable=SC2046
dpkg -S $(awk '{print $3; sub("^/usr", "", $3); print $3}' "$TMP/needed" | sort -u) 2>/dev/null |
    sed -E 's/^([^:]+):[^ ]* (.*)/\2 \1/' >"$TMP/owners" || true
miss=""
[[ -s $TMP/needed ]] || miss="no NEEDED library found by readelf"
while read -r elf soname lib; do
    owner=$(awk -v a="$lib" -v b="${lib#/usr}" '$1 == a || $1 == b {print $2; exit}' "$TMP/owners")
    grep -qxF "${owner:-?}" <<<"$dep_names" || miss+="$elf: $soname ($lib, ${owner:-no package}); "
done <"$TMP/needed"
check_eq "Depends names the package of every library the binary and the plugins load" "" "$miss"

# --- it works from where it was unpacked ------------------------------------------------------
unset COUNTYBRIEF_SHARE COUNTYBRIEF_PLUGIN_DIR COUNTYBRIEF_PLUGIN_PATH
cd /
check_eq "the unpacked binary: --version" "countybrief $version" "$("$BIN" --version)"
"$BIN" plugins >"$TMP/plugins.txt" 2>&1 || true
for p in charts sqlite xlsx; do
    if grep -qF "$ROOT${plugin_dir}$p.so" "$TMP/plugins.txt"; then ok "plugins: $p loads from the unpacked root"; else
        not_ok "plugins: $p loads from the unpacked root" "$(cat "$TMP/plugins.txt")"; fi
done
if "$BIN" list >"$TMP/list.txt" 2>&1 && grep -q '500233' "$TMP/list.txt"; then ok "list: the unpacked example data"; else
    not_ok "list: the unpacked example data" "$(cat "$TMP/list.txt")"; fi
OUT=$TMP/out
if "$BIN" render --quiet --no-fsync --out "$OUT" >"$TMP/render.log" 2>&1; then ok "render the examples from the unpacked root"; else
    not_ok "render the examples from the unpacked root" "$(cat "$TMP/render.log")"; fi
has "忠县: the briefing's text" "$OUT/500233-忠县.pdf" 忠县 4.05亿元
# doc:barchart is the charts plugin's chart.bar: the unpacked plugin folder provides it
printf 'doc:title("条形图")\ndoc:barchart { title = "各项投入", bars = { { label = "甲", value = 3 } } }\n' >"$TMP/bar.lua"
if "$BIN" render --quiet --no-fsync --report "$TMP/bar.lua" --county 忠县 --out "$TMP/bar" >"$TMP/bar.log" 2>&1; then
    ok "doc:barchart renders from the unpacked root (the charts plugin's chart.bar)"
else not_ok "doc:barchart renders from the unpacked root (the charts plugin's chart.bar)" "$(cat "$TMP/bar.log")"; fi
has "... with its title" "$TMP/bar/500233-忠县.pdf" 各项投入
has "奉节县: the briefing's text" "$OUT/500236-奉节县.pdf" 奉节县 4.29亿元
if "$BIN" render --quiet --no-fsync --template dashboard --lang en --county 忠县 --out "$OUT" >"$TMP/render.log" 2>&1; then
    ok "render --template dashboard --lang en (the logo, the English font)"
else
    not_ok "render --template dashboard --lang en" "$(cat "$TMP/render.log")"
fi
check "... the file is there" test -s "$OUT/500233-忠县.dashboard.en.pdf"
if (cd "$TMP" && "$BIN" new report mine >/dev/null && "$BIN" render --quiet --no-fsync --report mine --county 忠县 \
    --out "$TMP/mine") >"$TMP/new.log" 2>&1; then ok "new report: the scaffold from the unpacked root renders"; else
    not_ok "new report: the scaffold from the unpacked root renders" "$(cat "$TMP/new.log")"; fi
check_eq "the .pc file's plugindir is the unpacked plugin folder" "$ROOT${plugin_dir%/}" \
    "$(PKG_CONFIG_PATH=$ROOT${pc%/*} pkg-config --variable=plugindir countybrief 2>&1 | xargs realpath -m)"
check "copyright is the LICENSE" cmp "$ROOT/usr/share/doc/countybrief/copyright" "$CB_SRC/LICENSE"

# --- its man page and completion --------------------------------------------------------------
MANPAGE=$ROOT/usr/share/man/man1/countybrief.1.gz
if zcat "$MANPAGE" | groff -man -Tutf8 -ww -z 2>"$TMP/groff.err" && [[ ! -s $TMP/groff.err ]]; then
    ok "the man page renders with groff -ww, no warning"
else
    not_ok "the man page renders with groff -ww, no warning" "$(cat "$TMP/groff.err")"
fi
MANWIDTH=80 man --warnings -l "$MANPAGE" >"$TMP/man.txt" 2>"$TMP/man.err" || true
check_eq "man -l on the packed man page: no warning" "" "$(cat "$TMP/man.err")"
check "... it shows NAME and countybrief's version" grep -q "countybrief $version" "$TMP/man.txt"
check "... it is gzip'd reproducibly (no name, no time)" bash -c "[[ \$(od -An -tu1 -j4 -N4 '$MANPAGE' | tr -d ' ') == 0000 ]]"
# the completion, with the unpacked countybrief first in PATH: counties and templates from
# the example data and templates beside it
comp() {
    PATH=$ROOT/usr/bin:$PATH bash -c 'source "$1"; shift; COMP_WORDS=(countybrief "$@"); COMP_CWORD=$#
        _countybrief; printf "%s\n" "${COMPREPLY[@]}"' _ "$ROOT/usr/share/bash-completion/completions/countybrief" "$@" |
        grep . | sort | tr '\n' ' ' | sed 's/ $//' || true
}
check_eq "completion: render --county 忠<TAB> (the example data beside the binary)" "忠县" "$(comp render --county 忠)"
check_eq "completion: render --template <TAB> (the installed templates)" "briefing dashboard jianbao onepager" \
    "$(mkdir "$TMP/empty" && cd "$TMP/empty" && comp render --template "")"

finish
