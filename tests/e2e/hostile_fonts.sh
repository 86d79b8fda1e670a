#!/usr/bin/env bash
# hostile_fonts.sh: fonts that crash libharu 2.3.0 when it parses them itself (unitsPerEm = 0
# gives SIGFPE, numberOfHMetrics = 0xFFFF SIGSEGV), truncated or random files: countybrief
# reads fonts with HarfBuzz and hands libharu only the subset it writes, so each gives a
# clear error naming the file, or renders correctly, and never kills the process.
set -euo pipefail
source "$(dirname "$0")/lib/common.bash"

SRC_FONT=$(fc-match -f '%{file}' 'WenQuanYi Micro Hei')
"$PY" - "$SRC_FONT" "$TMP" <<'PY'
import os, struct, sys
src, tmp = sys.argv[1:]
data = bytearray(open(src, "rb").read())
# the first face of a collection: its table directory
off = struct.unpack(">I", data[12:16])[0] if data[:4] == b"ttcf" else 0
ntab = struct.unpack(">H", data[off + 4:off + 6])[0]
tables = {}
for i in range(ntab):
    rec = off + 12 + 16 * i
    tag, _, toff, tlen = struct.unpack(">4sIII", data[rec:rec + 16])
    tables[tag] = (toff, tlen)
def patched(tag, at, fmt, value, name):
    d = bytearray(data)
    struct.pack_into(fmt, d, tables[tag][0] + at, value)
    open(os.path.join(tmp, name), "wb").write(d)
patched(b"head", 18, ">H", 0, "upem0.ttc")          # unitsPerEm = 0
patched(b"hhea", 34, ">H", 0xFFFF, "hmetrics.ttc")  # numberOfHMetrics = 0xFFFF
open(os.path.join(tmp, "truncated.ttc"), "wb").write(data[:len(data) // 3])
open(os.path.join(tmp, "random.ttf"), "wb").write(os.urandom(200000))
open(os.path.join(tmp, "empty.ttf"), "wb").write(b"")
PY

for f in upem0.ttc hmetrics.ttc truncated.ttc random.ttf empty.ttf; do
    rm -rf "$TMP/out"
    cb render --font "$TMP/$f" --out "$TMP/out" --quiet
    if [[ $RC -eq 0 ]]; then
        # a font HarfBuzz can still read: the briefing must be right
        if pdftext "$TMP/out/500233-忠县.pdf" - | grep -q '4.05亿元'; then
            ok "$f: renders (HarfBuzz reads it), text intact"
        else
            not_ok "$f: rendered but the text is wrong"
        fi
        check "$f: qpdf --check" qpdf --check "$TMP/out/500233-忠县.pdf"
    elif [[ $RC -eq 4 && $(grep -c . "$TMP/stderr") -eq 1 && $(cat "$TMP/stderr") == *"$TMP/$f"* ]]; then
        ok "$f: exit 4 with one line naming the font ($(cut -c1-90 "$TMP/stderr"))"
    else
        not_ok "$f: a clear error naming the font, or a correct render" "exit $RC: $(cat "$TMP/stderr")"
    fi
    if [[ $RC -ge 128 ]]; then not_ok "$f: the process died (exit $RC)"; fi
done
finish
