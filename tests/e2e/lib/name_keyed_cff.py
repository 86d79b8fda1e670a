#!/usr/bin/env python3
"""name_keyed_cff.py: makes a name-keyed (non-CID) OpenType CFF font for the tests.

    name_keyed_cff.py SOURCE.ttf|ttc[:INDEX] CHARS_FILE OUT.otf

Each character of CHARS_FILE (UTF-8 text) that the TrueType source has becomes one glyph,
named uniXXXX, its quadratic outline redrawn as cubic Type 2 charstrings, with the
source's advance. No installed font of Debian's is an OpenType CFF font without a ROS
(CID-keyed fonts are the CJK ones; Latin .otf fonts are not in the test dependencies), so
the test makes one with fontTools (python3-fonttools).
"""
import sys

from fontTools.fontBuilder import FontBuilder
from fontTools.pens.t2CharStringPen import T2CharStringPen
from fontTools.ttLib import TTFont


def main(argv):
    if len(argv) != 3:
        print(__doc__, file=sys.stderr)
        return 2
    src, _, index = argv[0].partition(":")
    font = TTFont(src, fontNumber=int(index or 0))
    cmap = font.getBestCmap()
    glyphs = font.getGlyphSet()
    hmtx = font["hmtx"]
    upem = font["head"].unitsPerEm
    chars = sorted({ord(c) for c in open(argv[1], encoding="utf-8").read() if ord(c) in cmap})
    order = [".notdef"] + [f"uni{cp:04X}" if cp < 0x10000 else f"u{cp:X}" for cp in chars]
    source = [".notdef"] + [cmap[cp] for cp in chars]
    charstrings, metrics = {}, {}
    for name, src_name in zip(order, source):
        width, lsb = hmtx[src_name]
        pen = T2CharStringPen(width, glyphs)
        glyphs[src_name].draw(pen)
        charstrings[name] = pen.getCharString()
        metrics[name] = (width, lsb)
    fb = FontBuilder(upem, isTTF=False)
    fb.setupGlyphOrder(order)
    fb.setupCharacterMap({cp: name for cp, name in zip(chars, order[1:])})
    fb.setupCFF("CBNameKeyedTest-Regular", {"FullName": "CB Name Keyed Test"}, charstrings, {})
    fb.setupHorizontalMetrics(metrics)
    hhea = font["hhea"]
    fb.setupHorizontalHeader(ascent=hhea.ascent, descent=hhea.descent)
    fb.setupNameTable({"familyName": "CB Name Keyed Test", "styleName": "Regular",
                       "psName": "CBNameKeyedTest-Regular"})
    fb.setupOS2(sTypoAscender=hhea.ascent, sTypoDescender=hhea.descent, usWinAscent=hhea.ascent,
                usWinDescent=-hhea.descent)
    fb.setupPost()
    fb.save(argv[2])
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
