#!/usr/bin/env bash
# ofd_reader.sh: a third-party OFD reader draws countybrief's OFD where the PDF draws it
# (docs/ofd.md). Both example briefings rendered with --format pdf,ofd; page 1 of each OFD
# drawn by ofd.js (an independent OFD renderer, npm, pinned by tests/ofd-reader/
# package-lock.json) in Debian's headless chromium (tests/ofd-reader/render.mjs), page 1 of
# the PDF by pdftoppm at the same pixel size (4 px per mm: ofd.js rounds its scale to 0.1
# px/mm), the two pictures compared by lib/ofd_reader_compare.py: every blob of ink (a word,
# a rule, a chart slice) of either picture has 90 % of its ink within 2 px (0.5 mm) of the
# other's and is found in the other picture at most 2 px from where it is, 99 % of all ink
# is near, and the rows of ink line up within 1 px. The comparison
# must catch a wrong OFD: a copy with one line of text moved 5 mm, one moved 1 mm, and one
# without a chart slice each fail it. On failure the pictures and their difference are
# kept in $CB_BUILD/ofd_reader-failed/. Skipped, saying so, only where chromium (or node)
# is not there or does not start.
set -euo pipefail
source "$(dirname "$0")/lib/common.bash"
# OFD_READER_PICTURES=DIR: also write each county's two pictures side by side to
# DIR/ofd-reader-ID.png (docs/ofd.md shows them)
PICTURES=${OFD_READER_PICTURES:+$(realpath -m "$OFD_READER_PICTURES")}
cd "$TMP"
READER=$CB_SRC/tests/ofd-reader
CHROMIUM=${CHROMIUM:-/usr/bin/chromium}
FAILDIR=$CB_BUILD/ofd_reader-failed
rm -rf "$FAILDIR"

if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
    skip_all "node and npm are not installed (.ci/install-deps --test): no OFD reader to run"
fi
[[ -x $CHROMIUM ]] || skip_all "chromium is not installed at $CHROMIUM (.ci/install-deps --test; or set CHROMIUM)"
need_python PIL "python3-pil"
need_python scipy "python3-scipy"
# the reader's packages: those .ci/install-deps --test installed, else an install from npm's
# own cache (no network) into the scratch folder
if [[ ! -d $READER/node_modules/ofd.js || ! -d $READER/node_modules/playwright-core ]]; then
    mkdir "$TMP/reader"
    cp "$READER/package.json" "$READER/package-lock.json" "$READER/page.html" "$READER/render.mjs" "$TMP/reader/"
    if ! (cd "$TMP/reader" && npm ci --offline --no-audit --no-fund --loglevel=error) >"$TMP/npm.log" 2>&1; then
        not_ok "the reader's npm packages are installed (run .ci/install-deps --test)" "$(cat "$TMP/npm.log")"
        finish || exit 1
    fi
    READER=$TMP/reader
fi
echo "# reader: ofd.js $(node -p "require('$READER/node_modules/ofd.js/package.json').version"), $("$CHROMIUM" --version 2>/dev/null | head -n 1)"

export SOURCE_DATE_EPOCH=1700000000
cb render --format pdf,ofd --out both --no-fsync --quiet
check_eq "--format pdf,ofd: exit 0" 0 "$RC"

# draw OFD PNG: page 1 of OFD by ofd.js, W pixels wide (set below); chromium that cannot
# start skips the rest
draw() {
    local rc=0
    node "$READER/render.mjs" "$1" "$2" "$W" >"$TMP/draw.out" 2>&1 || rc=$?
    if [[ $rc -eq 3 ]]; then skip_all "$(cat "$TMP/draw.out")"; fi
    return $rc
}
# compare NAME OFD.png PDF.png [FAILDIR]: the comparison's lines in $TMP/cmp.out
compare() {
    "$PY" "$E2E_LIB/ofd_reader_compare.py" "$2" "$3" "$1" ${4:+"$4"} >"$TMP/cmp.out" 2>&1 || true
}

for c in 500233-忠县 500236-奉节县; do
    # 4 px per mm, the page's size in millimetres from the PDF's points
    read -r W H < <(pdfinfo "both/$c.pdf" | awk '/^Page size:/ { printf "%d %d\n", $3 / 72 * 25.4 * 4 + 0.5, $5 / 72 * 25.4 * 4 + 0.5 }')
    pdftoppm -f 1 -l 1 -scale-to-x "$W" -scale-to-y "$H" -png -singlefile "both/$c.pdf" "$c-pdf"
    if draw "both/$c.ofd" "$c-ofd.png"; then
        ok "$c: ofd.js draws page 1 of the OFD ($(cat "$TMP/draw.out"))"
    else
        not_ok "$c: ofd.js draws page 1 of the OFD" "$(cat "$TMP/draw.out")"
        continue
    fi
    run_checks "$PY" "$E2E_LIB/ofd_reader_compare.py" "$c-ofd.png" "$c-pdf.png" "$c" "$FAILDIR"
    if [[ -n $PICTURES ]]; then
        mkdir -p "$PICTURES"
        "$PY" "$E2E_LIB/ofd_reader_compare.py" --side-by-side "$c-ofd.png" "$c-pdf.png" "$c" "$PICTURES/ofd-reader-${c%%-*}.png"
    fi
done

# --- the comparison catches a wrong OFD ------------------------------------------------------
# broken WHAT EDIT: a copy of 忠县's OFD whose page 1 (Content.xml) is edited by EDIT, a
# Python function of the XML text; ofd.js draws it and the comparison must fail
broken() {
    "$PY" - both/500233-忠县.ofd broken.ofd "$2" <<'PYEOF'
import re, sys, zipfile
src, dst, edit = sys.argv[1:4]
page = "Doc_0/Pages/Page_0/Content.xml"

def shift(mm):
    # the longest TextCode: a line of body text
    def f(xml):
        m = max(re.finditer(r'<ofd:TextCode X="([0-9.]+)"([^>]*>([^<]*)</ofd:TextCode>)', xml), key=lambda m: len(m.group(3)))
        return xml[:m.start()] + '<ofd:TextCode X="%.3f"%s' % (float(m.group(1)) + mm, m.group(2)) + xml[m.end():]
    return f

def no_slice(xml):
    # the first filled path drawn with curves (B): a slice of the donut chart
    m = re.search(r'<ofd:PathObject [^>]*Fill="true"[^>]*>(?:(?!</ofd:PathObject>).)*?<ofd:AbbreviatedData>[^<]* B [^<]*</ofd:AbbreviatedData></ofd:PathObject>', xml, re.S)
    return xml[:m.start()] + xml[m.end():]

fn = {"shift5": shift(5.0), "shift1": shift(1.0), "no_slice": no_slice}[edit]
with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w") as zout:
    for info in zin.infolist():
        data = zin.read(info.filename)
        if info.filename == page:
            new = fn(data.decode()).encode()
            assert new != data, "the edit changed nothing"
            data = new
        zout.writestr(info, data)
PYEOF
}
c=500233-忠县
for edit in "shift5:a line of text moved 5 mm to the right" "shift1:a line of text moved 1 mm to the right" \
    "no_slice:a slice of the chart left out"; do
    what=${edit#*:}
    rm -f broken.ofd broken.png
    if ! broken "$what" "${edit%%:*}" >"$TMP/edit.out" 2>&1; then
        not_ok "caught: $what" "the edit failed: $(cat "$TMP/edit.out")"
        continue
    fi
    if ! draw broken.ofd broken.png; then
        not_ok "caught: $what" "ofd.js did not draw the edited OFD: $(cat "$TMP/draw.out")"
        continue
    fi
    compare "$c" broken.png "$c-pdf.png" "$TMP/kept-${edit%%:*}"
    if grep -q '^FAIL - .*blobs of' "$TMP/cmp.out"; then
        ok "caught: $what ($(grep -m 1 -A 1 '^FAIL - .*blobs of' "$TMP/cmp.out" | tail -n 1 | sed 's/^ *//'))"
    else
        not_ok "caught: $what" "$(cat "$TMP/cmp.out")"
    fi
done
check_eq "a failed comparison keeps both pictures and their difference" "$c-diff.png $c-ofd.png $c-pdf.png" \
    "$(cd "$TMP/kept-shift5" 2>/dev/null && echo *)"

finish
