#!/usr/bin/env bash
# pdf_layout.sh: the PDF's file layout per --pdf-standard (docs/standards.md, "File layout").
# Plain PDF (the default) and PDF/A-2b, -2u and -3u: PDF 1.5 or later, every object that may
# be in an object stream is (only streams are not: qpdf --show-xref), a cross-reference
# stream instead of a table (the trailer's /Type /XRef, with /Root and /Info; /ID under
# PDF/A), smaller than the same objects in a classic file (qpdf's rewrite); PDF/A-1b
# (which forbids both streams): a classic table and trailer, no object stream. Every file
# passes qpdf --check and reads the same in both layouts (pdftotext, pdffonts,
# pdfinfo -struct-text, the outline against qpdf's classic rewrite); PyMuPDF and pikepdf
# open it; a second render gives the same bytes.
set -euo pipefail
source "$(dirname "$0")/lib/common.bash"

need_python pikepdf "pikepdf (python3-pikepdf)"
need_python fitz "PyMuPDF (python3-fitz)"
cd "$TMP"
fonts() { pdffonts "$1" | awk '{ NF -= 2; print }'; } # without the object numbers (qpdf renumbers)
for std in none a-2b a-2u a-3u a-1b; do
    langs=zh
    [[ $std == none || $std == a-2u ]] && langs=zh,en
    cb render --quiet --no-fsync --pdf-standard "$std" --lang $langs --out "out/$std"
    check_eq "render --pdf-standard $std --lang $langs: exit 0" 0 "$RC"
    cb render --quiet --no-fsync --force --pdf-standard "$std" --lang $langs --out "again/$std"
    for pdf in out/$std/*.pdf; do
        name="$std $(basename "$pdf")"
        check "$name: qpdf --check passes" qpdf --check "$pdf"
        check "$name: byte-identical when rendered again" cmp "$pdf" "again/$std/$(basename "$pdf")"
        xref=$(qpdf --show-xref "$pdf")
        ncomp=$(grep -c ': compressed;' <<<"$xref" || true)
        # the objects outside object streams, as numbers
        plain=$(awk -F/ '/uncompressed/ { printf "%s ", $1 }' <<<"$xref")
        version=$(head -c 8 "$pdf")
        if [[ $std == a-1b ]]; then
            check_eq "$name: no object stream (PDF/A-1)" 0 "$ncomp"
            check_eq "$name: PDF 1.4" "%PDF-1.4" "$version"
            check "$name: a classic cross-reference table and trailer" \
                "$PY" -c 'import sys; d = open(sys.argv[1], "rb").read(); sys.exit(not (b"\nxref\n0 " in d and b"\ntrailer\n" in d))' "$pdf"
            continue
        fi
        check "$name: PDF 1.5 or later ($version)" test "${version#%PDF-1.}" -ge 5
        check "$name: objects in object streams ($ncomp)" test "$ncomp" -gt 100
        check "$name: only streams outside them" "$PY" - "$pdf" $plain <<'EOF'
import sys, pikepdf
pdf = pikepdf.open(sys.argv[1])
bad = [n for n in sys.argv[2:] if not isinstance(pdf.get_object(int(n), 0), pikepdf.Stream)]
print("not streams:", bad) if bad else None
sys.exit(1 if bad else 0)
EOF
        want_id=1
        [[ $std == none ]] && want_id=0
        check "$name: a cross-reference stream with the trailer's entries" "$PY" - "$pdf" "$want_id" <<'EOF'
import sys, pikepdf
pdf = pikepdf.open(sys.argv[1])
t = pdf.trailer
ok = t.get("/Type") == "/XRef" and "/Root" in t and "/Info" in t and ("/ID" in t) == (sys.argv[2] == "1")
ok = ok and b"\ntrailer" not in open(sys.argv[1], "rb").read()[-2048:]
sys.exit(0 if ok else 1)
EOF
        qpdf --object-streams=disable --stream-data=preserve "$pdf" classic.pdf
        size=$(stat -c %s "$pdf") csize=$(stat -c %s classic.pdf)
        check "$name: smaller than classic ($size < 0.9 × $csize bytes)" test $((size * 10)) -lt $((csize * 9))
        check_same "$name: pdftotext reads the same as classic" "$(pdftotext classic.pdf - | md5sum)" "$(pdftotext "$pdf" - | md5sum)"
        check_same "$name: pdffonts reads the same as classic" "$(fonts classic.pdf)" "$(fonts "$pdf")"
        check_same "$name: pdfinfo -struct-text reads the same as classic" \
            "$(pdfinfo -struct-text classic.pdf | md5sum)" "$(pdfinfo -struct-text "$pdf" | md5sum)"
        check_same "$name: the outline reads the same as classic" \
            "$("$PY" "$E2E_LIB/pdf_outline.py" classic.pdf)" "$("$PY" "$E2E_LIB/pdf_outline.py" "$pdf")"
        check "$name: PyMuPDF and pikepdf read every page" "$PY" - "$pdf" <<'EOF'
import sys, fitz, pikepdf
d = fitz.open(sys.argv[1])
p = pikepdf.open(sys.argv[1])
sys.exit(0 if len(d) == len(p.pages) > 0 and all(pg.get_text().strip() for pg in d) else 1)
EOF
    done
done
finish
