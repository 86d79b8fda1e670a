#!/usr/bin/env bash
# pdfa.sh: --pdf-standard writes PDF/A (docs/standards.md). With a-1b, both example
# briefings under every template (Chinese and English) and a 300-county synthetic batch pass
# Apache PDFBox's Preflight, the PDF/A-1b validator Debian ships (libpdfbox2-java), with no
# error, all files in one JVM (Validator_A1b's batch mode: a JVM start is seconds); a-2b,
# a-2u and a-3u renders, which no validator on Debian checks, pass our own rule checks
# (lib/pdfa_check.py: XMP parsed and in step with the info dictionary, pdfaid, the sRGB
# output intent, /ID, fonts embedded with ToUnicode, DeviceRGB only, direct outline
# destinations), a-1b's too plus its CIDSets and no transparency; qpdf --check finds
# nothing; the same inputs give the same bytes (SOURCE_DATE_EPOCH, --jobs 1 or 2); a
# request the content cannot meet (an image with an alpha channel under a-1b) fails each
# county with one line naming the image and writes nothing, while a-2b renders it; a new
# standard is a new input (no county skipped as unchanged); an unknown one is a usage error.
set -euo pipefail
source "$(dirname "$0")/lib/common.bash"
export SOURCE_DATE_EPOCH=1700000000

cb render --pdf-standard a-9z --out "$TMP/bad"
check_eq "--pdf-standard a-9z: usage error (exit 2)" 2 "$RC"
check "the message names the standards" grep -q -- "--pdf-standard a-9z: expected a-1b, a-2b, a-2u, a-3u or none" "$TMP/stderr"

# --- the example briefings, every template, both languages -------------------------------
TEMPLATES="briefing onepager dashboard jianbao"
render_all() { # STANDARD DIR
    local t
    for t in $TEMPLATES; do
        cb render --quiet --no-fsync --pdf-standard "$1" --template "$t" --lang zh,en --out "$2"
        [[ $RC -eq 0 ]] || not_ok "$1 --template $t --lang zh,en: exit 0" "$(cat "$TMP/stderr")"
    done
}
for s in a-1b a-2b a-2u a-3u; do
    render_all "$s" "$TMP/$s"
    check_eq "$s: 16 PDFs (2 counties, 4 templates, 2 languages)" 16 "$(find "$TMP/$s" -name '*.pdf' | wc -l)"
done
if "$PY" -c 'import pikepdf' 2>/dev/null; then
    for s in a-1b a-2b a-2u a-3u; do run_checks "$PY" "$E2E_LIB/pdfa_check.py" "$s" "$TMP/$s"/*.pdf; done
else
    skip "the PDF/A rule checks" "python3-pikepdf is not installed (.ci/install-deps --test)"
fi
bad=""
for f in "$TMP"/a-*/*.pdf; do qpdf --check "$f" >/dev/null 2>&1 || bad="$bad ${f#"$TMP"/}"; done
check_eq "qpdf --check: all 64 PDF/A files clean" "" "$bad"

# --- the same bytes ------------------------------------------------------------------------
cb render --quiet --no-fsync --pdf-standard a-2u --jobs 1 --out "$TMP/again"
differ=""
for f in "$TMP/again"/*.pdf; do same_pdf "$f" "$TMP/a-2u/${f##*/}" >/dev/null || differ="$differ ${f##*/}"; done
check_eq "a-2u again with --jobs 1: byte-identical (XMP dates, /ID)" "" "$differ"
ids=$("$PY" -c 'import pikepdf,sys; print(len({bytes(pikepdf.open(f).trailer.ID[0]) for f in sys.argv[1:]}))' \
    "$TMP/again"/*.pdf 2>/dev/null || echo "pikepdf failed")
check_eq "the two counties' /IDs differ" 2 "$ids"

# --- a new standard is a new input --------------------------------------------------------
cb render --no-fsync --out "$TMP/switch"
cb render --no-fsync --pdf-standard a-2u --out "$TMP/switch"
check "plain, then a-2u into the same folder: both counties rendered again" grep -q "^2 rendered, 0 skipped" "$TMP/stdout"

# --- what the content cannot meet ---------------------------------------------------------
cp -r "$CB_SRC/templates/dashboard" "$TMP/alpha"
"$PY" - "$TMP/alpha/logo.png" <<'EOF'
import struct, sys, zlib
def chunk(kind, data):
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
rows = b"".join(b"\0" + b"\x10\x60\x70\x80" * 4 for _ in range(4))  # 4x4 RGBA, half transparent
png = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 4, 4, 8, 6, 0, 0, 0)) \
    + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")
open(sys.argv[1], "wb").write(png)
EOF
cb render --no-fsync --pdf-standard a-1b --template "$TMP/alpha" --out "$TMP/alpha-1b"
check_eq "a-1b with a logo that has an alpha channel: exit 1 (counties failed)" 1 "$RC"
lines=$(grep -c "the image .*alpha/logo.png has transparency (an alpha channel), which PDF/A-1 (--pdf-standard a-1b) does not allow" "$TMP/stderr" || true)
check_eq "each of the 2 counties fails with one line naming the image" 2 "$lines"
check_eq "no PDF written" 0 "$(find "$TMP/alpha-1b" -name '*.pdf' 2>/dev/null | wc -l)"
cb render --quiet --no-fsync --pdf-standard a-2b --template "$TMP/alpha" --out "$TMP/alpha-2b"
check_eq "the same with a-2b (transparency allowed): exit 0" 0 "$RC"

# --- metadata texts XML and a PDF string cannot both hold as they are ---------------------
# controls (a tab, \1), XML's own characters, a title past a PDF string's 32 KiB: the info
# dictionary and the XMP packet show the same cleaned text
mkdir -p "$TMP/meta"
cat >"$TMP/meta/meta.lua" <<'EOF'
doc:info({title = "A\tB\1C & <x> ]]> \"q\" " .. string.rep("长", 20000), author = "Zhang, Li & Wang",
          subject = "s\r\nt", keywords = "a; b, <c>"})
doc:paragraph("text")
EOF
cb render --quiet --no-fsync --pdf-standard a-1b --report "$TMP/meta/meta.lua" --county 500233 --out "$TMP/meta-1b"
check_eq "a report's awkward metadata texts under a-1b: exit 0" 0 "$RC"
if "$PY" -c 'import pikepdf' 2>/dev/null; then
    run_checks "$PY" "$E2E_LIB/pdfa_check.py" a-1b "$TMP/meta-1b"/*.pdf
fi

# --- PDFBox Preflight (PDF/A-1b) ----------------------------------------------------------
JARS=""
for j in preflight pdfbox2 xmpbox fontbox2 commons-logging javax.activation jaxb-api; do
    [[ -f /usr/share/java/$j.jar ]] && JARS="$JARS${JARS:+:}/usr/share/java/$j.jar" || JARS=""
    [[ -n $JARS ]] || break
done
if ! command -v java >/dev/null || [[ -z $JARS ]]; then
    skip_all "PDFBox Preflight: java or the PDFBox jars are missing (openjdk-17-jre-headless, libpdfbox2-java, libactivation-java, libjaxb-api-java: .ci/install-deps --test)"
fi
cb synth --counties 300 --seed 1 --out "$TMP/synth"
check_eq "synth 300: exit 0" 0 "$RC"
cb render --quiet --no-fsync --pdf-standard a-1b --data "$TMP/synth" --out "$TMP/a-1b-synth"
check_eq "a-1b, 300 synthetic counties: exit 0" 0 "$RC"
find "$TMP/a-1b" "$TMP/a-1b-synth" "$TMP/meta-1b" -name '*.pdf' | sort >"$TMP/preflight.list"
n=$(wc -l <"$TMP/preflight.list")
check_eq "317 files for Preflight" 317 "$n"
# batch LIST: each file of LIST in one JVM, "The file F is a valid PDF/A-1b file" or its errors
java -cp "$JARS" org.apache.pdfbox.preflight.Validator_A1b batch "$TMP/preflight.list" >"$TMP/preflight.out" 2>&1 || true
valid=$(grep -c "is a valid PDF/A-1b file" "$TMP/preflight.out" || true)
if [[ $valid -eq $n ]]; then
    ok "Preflight: all $n a-1b files valid PDF/A-1b, no error"
else
    not_ok "Preflight: all $n a-1b files valid PDF/A-1b ($valid are)" \
        "$(grep -v "is a valid PDF/A-1b file" "$TMP/preflight.out" | grep . | sort | uniq -c | sort -rn)"
fi
finish
