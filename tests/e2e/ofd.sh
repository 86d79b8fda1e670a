#!/usr/bin/env bash
# ofd.sh: `render --format ofd` and `--format pdf,ofd` (docs/ofd.md). Both example
# briefings, a logo and a watermark, English (a TrueType Latin face) and a report over all
# counties written as OFD beside the PDF; each package checked part by part against GB/T
# 33190's schemas (tests/ofd-xsd) and against the PDF of the same layout: the same
# characters at the same places within 0.5 pt, fonts whose cmaps have them, the outline
# (lib/ofd_check.py). Deterministic bytes; the manifest lists every file and a re-run
# skips only when they all are there; bad --format values and a county whose OFD cannot be
# made fail alone, naming the cause.
set -euo pipefail
source "$(dirname "$0")/lib/common.bash"
cd "$TMP"
command -v xmllint >/dev/null || skip_all "xmllint is not installed (libxml2-utils)"
XSD=$CB_SRC/tests/ofd-xsd
export SOURCE_DATE_EPOCH=1700000000

# --- both formats in one run --------------------------------------------------------------
cb render --out pdfonly --no-fsync --quiet
cb render --format pdf,ofd --out both --no-fsync
check_eq "--format pdf,ofd: exit 0" 0 "$RC"
for c in 500233-忠县 500236-奉节县; do
    check "$c: a PDF and an OFD" test -s "both/$c.pdf" -a -s "both/$c.ofd"
    check "$c: the PDF is the one --format pdf writes" cmp "both/$c.pdf" "pdfonly/$c.pdf"
    run_checks "$PY" "$E2E_LIB/ofd_check.py" "both/$c.ofd" "both/$c.pdf" "$XSD"
done
check "a line for each file written" grep -qF "wrote both/500233-忠县.ofd (" "$TMP/stdout"
"$PY" - both/manifest.json >also <<'PY' || true
import json, sys
m = json.load(open(sys.argv[1]))
for c in m["counties"]:
    print(c["file"], " ".join(a["file"] for a in c.get("also", [])))
PY
check_eq "the manifest: the PDF as the file, the OFD under also" \
    "500233-忠县.pdf 500233-忠县.ofd|500236-奉节县.pdf 500236-奉节县.ofd" "$(paste -sd'|' also)"
# CreationDate from the one clock (SOURCE_DATE_EPOCH)
check "OFD.xml: CreationDate from the run's date" grep -q "<ofd:CreationDate>2023-11-14</ofd:CreationDate>" \
    <(unzip -p both/500233-忠县.ofd OFD.xml)

# --- deterministic, and skipped when unchanged -------------------------------------------
cb render --format pdf,ofd --out again --no-fsync --quiet
check "the same input gives the same OFD bytes" cmp both/500233-忠县.ofd again/500233-忠县.ofd
cb render --format pdf,ofd --out both --no-fsync
check "a re-run with both formats skips both counties" grep -q "0 rendered, 2 skipped" "$TMP/stdout"
rm -f both/500236-奉节县.ofd
cb render --format pdf,ofd --out both --no-fsync
check "an OFD removed: that county renders again" grep -q "1 rendered, 1 skipped" "$TMP/stdout"
check "... and its OFD is back" test -s both/500236-奉节县.ofd
cb render --format pdf --out both --no-fsync
check "--format pdf after pdf,ofd: the inputs differ, so they render" grep -q "2 rendered, 0 skipped" "$TMP/stdout"

# --- shards and manifest merge: an entry is complete only with every file ---------------
for k in 1 2; do cb render --format pdf,ofd --shard "$k/2" --out shards --no-fsync --quiet; done
cb manifest merge shards
check_eq "manifest merge of two shards with both formats: exit 0" 0 "$RC"
rm -f shards/500233-忠县.ofd
cb manifest merge shards
check_eq "... an OFD removed: the merge is incomplete (exit 1)" 1 "$RC"

# --- OFD alone ------------------------------------------------------------------------------
cb render --format ofd --county 忠县 --out ofdonly --no-fsync --quiet
check_eq "--format ofd: exit 0, an OFD and no PDF" "0 500233-忠县.ofd" "$RC $(cd ofdonly && ls *.pdf *.ofd 2>/dev/null)"
check "... the manifest's file is the OFD" grep -q '"file": "500233-忠县.ofd"' ofdonly/manifest.json

# --- a logo, a watermark (rotated text), English (DejaVu Sans, TrueType) --------------------
mkdir wm
cp "$CB_SRC/templates/dashboard/logo.png" wm/
echo 'return { watermark = "内部资料", logo = "logo.png" }' >wm/template.lua
cb render --template "$TMP/wm" --lang en --county 忠县 --format pdf,ofd --out wmout --no-fsync --quiet
check_eq "watermark, logo, English: exit 0" 0 "$RC"
run_checks "$PY" "$E2E_LIB/ofd_check.py" wmout/500233-忠县.wm.en.ofd wmout/500233-忠县.wm.en.pdf "$XSD"
check "... the logo is an ImageObject of a MultiMedia" grep -q "<ofd:ImageObject" \
    <(unzip -p wmout/500233-忠县.wm.en.ofd Doc_0/Pages/Page_0/Content.xml)

# --- a report over all counties ---------------------------------------------------------------
cb render --report "$CB_SRC/examples/reports/compare/compare.lua" --format pdf,ofd --out all --no-fsync --quiet
check_eq "scope = \"all\": exit 0, compare.pdf and compare.ofd" "0 compare.ofd compare.pdf" \
    "$RC $(cd all && ls *.pdf *.ofd | sort | xargs)"
run_checks "$PY" "$E2E_LIB/ofd_check.py" all/compare.ofd all/compare.pdf "$XSD"

# --- bad cases --------------------------------------------------------------------------------
cb render --format xps --out bad --no-fsync
check_eq "--format xps: a usage error naming it" "2 countybrief: --format xps: no format \"xps\" (there are pdf, ofd; several as pdf,ofd)" \
    "$RC $(cat "$TMP/stderr")"
cb render --format pdf,pdf --out bad --no-fsync
check_eq "--format pdf,pdf: a usage error" "2 countybrief: --format pdf,pdf: pdf is named twice" "$RC $(cat "$TMP/stderr")"
check "... nothing written" test ! -e bad/500233-忠县.pdf

finish
