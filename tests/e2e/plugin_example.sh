#!/usr/bin/env bash
# plugin_example.sh: the out-of-tree plugin example (examples/plugin, see docs/plugins.md),
# done exactly as a user would: install countybrief into a prefix, build the example
# against that installation only (pkg-config countybrief), render its report with the
# INSTALLED binary and --plugin, read the PDFs back (text from the plugin's Lua function,
# qpdf --check, ink check, a real QR code where the block stands), then install the plugin
# into the plugin folder and see `countybrief plugins` list it without --plugin, and a
# misspelt option of its block fail with the words of a built-in block.
#
# Needs cmake, pkg-config and a C compiler (.ci/install-deps: a missing one is a failure),
# libqrencode (libqrencode-dev) and zbarimg (zbar-tools), which .ci/install-deps --test
# installs: without libqrencode the test is skipped, without zbarimg the QR codes are not
# decoded (both: exit 77, Skipped).
set -euo pipefail
source "$(dirname "$0")/lib/common.bash"

EX=$CB_SRC/examples/plugin
REPORT=examples/plugin/qr_card.lua # relative to CB_SRC, as the README runs it
PREFIX=$TMP/prefix
BIN=$PREFIX/bin/countybrief
# only what this test installs may load: no plugin folders or share folder from the caller
unset COUNTYBRIEF_PLUGIN_PATH COUNTYBRIEF_PLUGIN_DIR COUNTYBRIEF_SHARE

# stop NAME [DETAIL]: a failure after which nothing else can be checked
stop() {
    not_ok "$@"
    finish || true
    exit 1
}

# --- what building a plugin needs ------------------------------------------------------
for tool in cmake pkg-config cc; do
    command -v "$tool" >/dev/null || stop "'$tool' is installed (needed to build a plugin)" \
        "Debian: apt-get install build-essential cmake pkg-config (.ci/install-deps)"
done
pkg-config --exists libqrencode ||
    skip_all "libqrencode is not installed: examples/plugin needs it (Debian libqrencode-dev, .ci/install-deps --test)"

# --- 1. install countybrief into a prefix ----------------------------------------------
if cmake --install "$CB_BUILD" --prefix "$PREFIX" >"$TMP/install.log" 2>&1; then
    ok "cmake --install $CB_BUILD --prefix \$TMP/prefix"
else
    stop "cmake --install $CB_BUILD --prefix \$TMP/prefix" "$(tail -n 20 "$TMP/install.log")"
fi
check "installed: bin/countybrief" test -x "$BIN"
check "installed: include/countybrief/plugin.h" test -f "$PREFIX/include/countybrief/plugin.h"
check "installed: include/countybrief/countybrief.h" test -f "$PREFIX/include/countybrief/countybrief.h"

# GNUInstallDirs puts pkgconfig/ under lib/, lib64/ or lib/<multiarch>/: look, do not guess
PCDIR=""
for d in "$PREFIX"/lib*/pkgconfig "$PREFIX"/lib/*/pkgconfig; do
    if [[ -f $d/countybrief.pc ]]; then PCDIR=$d; break; fi
done
[[ -n $PCDIR ]] || stop "installed: countybrief.pc" "$(cd "$PREFIX" && find . -name '*.pc')"
ok "installed: ${PCDIR#"$PREFIX"/}/countybrief.pc"
export PKG_CONFIG_PATH=$PCDIR${PKG_CONFIG_PATH:+:$PKG_CONFIG_PATH}

check_eq "pkg-config finds the installed countybrief.pc" "$PCDIR" \
    "$(pkg-config --variable=pcfiledir countybrief 2>&1)"
incdir=$(pkg-config --variable=includedir countybrief 2>/dev/null || true)
check "pkg-config includedir holds countybrief/plugin.h ($incdir)" \
    test -f "$incdir/countybrief/plugin.h"
plugindir=$(realpath -m "$(pkg-config --variable=plugindir countybrief 2>/dev/null || true)")
case $plugindir in
"$PREFIX"/*) ok "pkg-config plugindir is inside the prefix (${plugindir#"$PREFIX"/})" ;;
*) not_ok "pkg-config plugindir is inside the prefix" "plugindir: $plugindir" ;;
esac

# --- 2. build the example out of tree, against the installed engine ---------------------
if cmake -S "$EX" -B "$TMP/build" -DCMAKE_EXPORT_COMPILE_COMMANDS=ON >"$TMP/configure.log" 2>&1; then
    ok "configure examples/plugin with PKG_CONFIG_PATH=\$TMP/prefix/${PCDIR#"$PREFIX"/}"
else
    stop "configure examples/plugin" "$(tail -n 20 "$TMP/configure.log")"
fi
if cmake --build "$TMP/build" >"$TMP/build.log" 2>&1; then ok "build examples/plugin"; else
    stop "build examples/plugin" "$(tail -n 20 "$TMP/build.log")"; fi
if grep -qiE 'warning' "$TMP/build.log"; then
    not_ok "examples/plugin builds without a warning" "$(grep -iE -A3 'warning' "$TMP/build.log")"
else
    ok "examples/plugin builds without a warning"
fi
SO=$TMP/build/qr.so
[[ -f $SO ]] || stop "the build made qr.so" "$(ls "$TMP/build")"
ok "the build made qr.so"

# built against the installed header only: the compiler's dependency list (or, without
# one, the compile command) names the prefix's plugin.h and nothing in the source tree
deps=$(find "$TMP/build" -name 'qr.c.o.d' -exec cat {} + 2>/dev/null || true)
[[ -n $deps ]] || deps=$(cat "$TMP/build/compile_commands.json")
if [[ $deps == *"$CB_SRC/core"* ]]; then
    not_ok "the plugin compiles without the source tree's headers" \
        "$(grep -o "$CB_SRC/core[^ ]*" <<<"$deps" | sort -u)"
else
    ok "the plugin compiles without the source tree's headers"
fi
used=$(grep -o '[^ ]*countybrief/plugin\.h' <<<"$deps" | head -n 1 || true)
if [[ -n $used && $(realpath -m "$used") == "$PREFIX/include/countybrief/plugin.h" ]]; then
    ok "the plugin compiles against the installed plugin.h"
elif [[ -z $used ]]; then
    ok "the plugin compiles against the installed include folder (no dependency file to read)"
else
    not_ok "the plugin compiles against the installed plugin.h" "used: $used"
fi
exported=$(nm -D --defined-only "$SO" 2>/dev/null | awk '{print $3}' | grep -v '^_' | sort | paste -sd ' ' - || true)
check_eq "qr.so exports only cb_plugin_init and cb_plugin_magic" "cb_plugin_init cb_plugin_magic" "$exported"

# --- 3. render the example report with the installed binary and --plugin ---------------
cd "$CB_SRC"
OUT=$TMP/out
RC=0
"$BIN" render --plugin "$SO" --report "$REPORT" --out "$OUT" >"$TMP/stdout" 2>"$TMP/stderr" || RC=$?
check_eq "installed countybrief render --plugin qr.so --report $REPORT: exit 0" 0 "$RC"
[[ $RC -eq 0 ]] || not_ok "render: no error message" "$(cat "$TMP/stderr")"
check_eq "render: two PDFs, named <county_id>-<name>.pdf" "500233-忠县.pdf 500236-奉节县.pdf" \
    "$(cd "$OUT" 2>/dev/null && ls -- *.pdf | sort | paste -sd ' ' -)"

# qr_check PDF NAME: the QR code drawn by the block, found on the page between the text
# above it and its caption: dark modules in a square of n x n modules (n as qr.version
# said), about half of them dark, with an empty 4-module quiet zone all around.
qr_check() {
    local pdf=$1 n=$2
    pdftoppm -r 150 -gray -f 1 -l 1 "$pdf" "$TMP/qrpage" 2>/dev/null
    pdftotext -bbox -f 1 -l 1 "$pdf" "$TMP/qrpage.html" 2>/dev/null
    "$PY" - "$TMP"/qrpage*.pgm "$TMP/qrpage.html" "$n" <<'PY'
import html, re, sys
pgm, bbox, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
data = open(pgm, "rb").read()
tok, pos = [], 0
while len(tok) < 4:  # P5 width height maxval, comments allowed
    m = re.compile(rb"\s*(#[^\n]*\n\s*)*(\S+)").match(data, pos)
    tok.append(m.group(2)); pos = m.end()
w, h = int(tok[1]), int(tok[2])
px = data[pos + 1:]
words = [(float(a), float(b), float(c), float(d), html.unescape(t)) for a, b, c, d, t in
         re.findall(r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>',
                    open(bbox, encoding="utf-8").read())]
cap = [wd for wd in words if "扫码读取" in wd[4]]
if not cap:
    sys.exit("no caption (a word with 扫码读取) on the page")
cap_top = cap[0][1]
above = max((wd[3] for wd in words if wd[3] < cap_top - 1), default=0)
s = w / 595.276  # pixels per point (A4 is 595.276 pt wide)
y0, y1 = int(above * s) + 2, int(cap_top * s) - 2
dark = [(x, y) for y in range(y0, y1) for x in range(w) if px[y * w + x] < 128]
if not dark:
    sys.exit("nothing dark between the text above the code and its caption: the block drew nothing")
xs, ys = [p[0] for p in dark], [p[1] for p in dark]
bx0, bx1, by0, by1 = min(xs), max(xs) + 1, min(ys), max(ys) + 1
bw, bh = bx1 - bx0, by1 - by0
problems = []
if abs(bw - bh) > 2:
    problems.append(f"not square: {bw} x {bh} px")
mod = bw / n
if mod < 3:
    problems.append(f"modules of {mod:.2f} px at 150 dpi: too small to scan")
density = len(dark) / float(bw * bh)
if not 0.35 <= density <= 0.65:
    problems.append(f"{density:.0%} of the code is dark (a QR code is about half dark)")
q = int(4 * mod) - 2  # the quiet zone, less a pixel of anti-aliasing on each side
ring_dark = sum(1 for y in range(max(by0 - q, 0), min(by1 + q, h)) for x in range(max(bx0 - q, 0), min(bx1 + q, w))
                if not (bx0 <= x < bx1 and by0 <= y < by1) and px[y * w + x] < 128)
if by0 - q < y0 - 2 or ring_dark:
    problems.append(f"the quiet zone is not clear ({ring_dark} dark pixels in it)")
# the three finder patterns: the centre of each 7x7 corner square is dark, the ring around
# that centre (1 module in) is light
for name, (cx, cy) in {"top-left": (3.5, 3.5), "top-right": (n - 3.5, 3.5), "bottom-left": (3.5, n - 3.5)}.items():
    at = lambda mx, my: px[int(by0 + my * mod) * w + int(bx0 + mx * mod)]
    if at(cx, cy) >= 128 or at(cx - 2, cy) < 128 or at(cx, cy + 2) < 128 or at(cx + 3, cy) >= 128:
        problems.append(f"no finder pattern at the {name} corner")
if problems:
    sys.exit("; ".join(problems))
print(f"{bw}x{bh} px, {n} modules of {mod:.1f} px, {density:.0%} dark")
PY
    rm -f "$TMP"/qrpage*
}

for pdf in "$OUT/500233-忠县.pdf" "$OUT/500236-奉节县.pdf"; do
    name=$(basename "$pdf" .pdf)
    county=${name#*-}
    if [[ ! -f $pdf ]]; then
        not_ok "$name: the PDF exists"
        continue
    fi
    pdftext "$pdf" "$TMP/$name.txt"
    flat=$(tr -d ' \n' <"$TMP/$name.txt")
    for s in "${county}数据卡片" "扫码读取${county}关键数据" 资料来源; do
        if [[ $flat == *"$s"* ]]; then ok "$name: text contains '$s'"; else not_ok "$name: text contains '$s'"; fi
    done
    # the sentence built from qr.version(payload): "为第V版二维码，每边N个模块", N = 17 + 4V
    if [[ $flat =~ 为第([0-9]+)版二维码，每边([0-9]+)个模块 ]]; then
        v=${BASH_REMATCH[1]} n=${BASH_REMATCH[2]}
        if ((v >= 1 && v <= 40 && n == 17 + 4 * v)); then
            ok "$name: the text shows qr.version's result (version $v, $n modules a side)"
        else
            not_ok "$name: qr.version's result is consistent" "version $v, $n modules (expected 17 + 4 * version)"
        fi
    else
        n=0
        not_ok "$name: the text shows qr.version's result ('为第V版二维码，每边N个模块')" "$(head -c 600 "$TMP/$name.txt")"
    fi
    check "$name: qpdf --check passes" qpdf --check "$pdf"
    check "$name: ink check (every character leaves ink)" "$PY" "$E2E_LIB/ink_check.py" check "$pdf"

    # the block draws with the host's rectangles: one per run of dark modules
    qpdf --qdf --object-streams=disable "$pdf" "$TMP/$name.qdf.pdf" 2>/dev/null || true
    nre=$(grep -ac ' re$' "$TMP/$name.qdf.pdf" 2>/dev/null || true)
    if ((n > 0 && ${nre:-0} >= n)); then ok "$name: the content stream holds $nre rectangles (>= $n)"; else
        not_ok "$name: the content stream holds at least one rectangle per module row" "$nre rectangles, $n rows"; fi

    if ((n > 0)) && out=$(qr_check "$pdf" "$n" 2>&1); then
        ok "$name: a square QR code with a clear quiet zone stands above the caption ($out)"
    else
        not_ok "$name: a square QR code with a clear quiet zone stands above the caption" "$out"
    fi

    if command -v zbarimg >/dev/null; then
        pdftoppm -r 150 -png -f 1 -l 1 "$pdf" "$TMP/scan" 2>/dev/null || true
        decoded=$(zbarimg -q --raw "$TMP"/scan*.png 2>/dev/null || true)
        rm -f "$TMP"/scan*.png
        id=${name%%-*}
        if [[ $decoded == "countybrief $id $county"* ]]; then
            ok "$name: zbarimg decodes the QR code ('countybrief $id $county…')"
        else
            not_ok "$name: zbarimg decodes the QR code" "decoded: '$decoded'"
        fi
    else
        skip "$name: zbarimg decodes the QR code" "zbarimg is not installed (Debian zbar-tools)"
    fi
done

# --- 4. installed into the plugin folder, the plugin loads without --plugin ------------
if cmake --install "$TMP/build" >"$TMP/install-plugin.log" 2>&1; then
    ok "cmake --install of the example"
else
    not_ok "cmake --install of the example" "$(tail -n 20 "$TMP/install-plugin.log")"
fi
check "qr.so is in the plugin folder ${plugindir#"$PREFIX"/}" test -f "$plugindir/qr.so"
RC=0
"$BIN" plugins >"$TMP/stdout" 2>"$TMP/stderr" || RC=$?
check_eq "installed countybrief plugins: exit 0" 0 "$RC"
listed=$(cat "$TMP/stdout")
for s in "qr 1.0.0  (ABI 1.4)  $plugindir/qr.so" "    block   qr.code" "    module  qr"; do
    shown=${s#"${s%%[! ]*}"}
    if grep -qxF -- "$s" <<<"$listed"; then ok "countybrief plugins lists '$shown'"; else
        not_ok "countybrief plugins lists '$shown'" "$listed"; fi
done
if grep -q '^refused.*qr\.so' <<<"$listed"; then not_ok "countybrief plugins does not refuse qr.so" "$listed"; else
    ok "countybrief plugins does not refuse qr.so"; fi

RC=0
"$BIN" render --quiet --report "$REPORT" --out "$TMP/out2" >"$TMP/stdout" 2>"$TMP/stderr" || RC=$?
check_eq "render without --plugin, from the plugin folder: exit 0" 0 "$RC"
[[ $RC -eq 0 ]] || not_ok "render from the plugin folder: no error message" "$(cat "$TMP/stderr")"
for f in 500233-忠县.pdf 500236-奉节县.pdf; do
    check "$f: the same bytes as with --plugin" same_pdf "$OUT/$f" "$TMP/out2/$f"
done

# a misspelt option fails as a built-in block's does (the host's check_options)
printf 'doc:add("qr.code", { text = "x", sise = 90 })\n' >"$TMP/slip.lua"
RC=0
"$BIN" render --quiet --report "$TMP/slip.lua" --county 500233 --out "$TMP/out3" >"$TMP/stdout" 2>"$TMP/stderr" || RC=$?
want="slip.lua:1: qr.code: unknown option 'sise' (options: text, size, caption, level); did you mean 'size'?"
if [[ $RC -eq 1 ]] && grep -qF "$want" "$TMP/stderr"; then ok "qr.code with sise: exit 1, '$want'"; else
    not_ok "qr.code with sise: exit 1, '$want'" "exit $RC: $(cat "$TMP/stderr")"; fi

finish
