#!/usr/bin/env python3
"""glyphs.py: the glyphs of a PDF as drawn, read back with PyMuPDF (Debian's python3-fitz).

    import glyphs
    for page in glyphs.pages("x.pdf"):      # one list of lines per page
        for line in page:                   # characters on one baseline, left to right
            for g in line: g.c, g.x, g.x1, g.y, g.size, g.top, g.bottom

A glyph's x is its origin (where the PDF places it: TJ displacements and character spacing
included), x1 its origin plus its advance width in the PDF's font (/W), so a glyph drawn
with half its em cut (a compressed punctuation mark) overlaps its neighbour's box; top and
bottom bound its em on the baseline, 0.88 em above it and 0.12 em below (the ideographic em
box of the CJK faces; a Latin glyph's 0.3 em below, for descenders and "_"; not the box PyMuPDF gives, from the font's ascender and descender,
which for a bare CFF program, as a CFF face is embedded, are its FontBBox: nearly three ems
for Noto CJK, reaching into the table rows and rules around the line). A line is the run
of glyphs of one size on one baseline whose boxes follow each other (a gap of more than an
em starts another: table cells, legend columns), in x order, which is reading order for the
horizontal text countybrief writes.

`text(line)` gives a line's characters; `cells(line)` each glyph's own part of the line,
where its ink must be: its box, less what the boxes of the glyphs beside it cover, except
that a full-width punctuation mark (MARKS) cuts no neighbour's cell and no neighbour cuts a
mark's cell: a mark set half width (core/typeset.c) overlaps its neighbour's box with its
blank half, and which half that is only the face knows.

Run as a script, prints each line as "page y x size: text", for debugging a test.
"""
import sys

import fitz  # python3-fitz

EM_ABOVE = 0.88  # the part of a glyph's em box above the baseline
LATIN_BELOW = 0.3  # how far below the baseline a Latin glyph may reach: DejaVu Sans's "_"
                   # is inked from 0.14 to 0.24 em below it, wholly outside the CJK em box


def _below(c):
    """The part of the glyph of c's box below the baseline, in ems."""
    return 1 - EM_ABOVE if ord(c) >= 0x2E80 else LATIN_BELOW


class Glyph:
    __slots__ = ("c", "x", "x1", "y", "size", "top", "bottom", "font")

    def __init__(self, c, x, x1, y, size, top, bottom, font):
        self.c, self.x, self.x1, self.y = c, x, x1, y
        self.size, self.top, self.bottom, self.font = size, top, bottom, font

    def __repr__(self):
        return f"{self.c!r}@{self.x:.2f}"


def _page_lines(page):
    raw = page.get_text("rawdict", flags=fitz.TEXT_PRESERVE_WHITESPACE | fitz.TEXT_INHIBIT_SPACES)
    by_row = {}
    for block in raw["blocks"]:
        for line in block.get("lines", []):
            if line["dir"] != (1.0, 0.0):
                continue  # rotated text (the watermark)
            for span in line["spans"]:
                size = span["size"]
                for ch in span["chars"]:
                    x0, _, x1, _ = ch["bbox"]
                    ox, oy = ch["origin"]
                    g = Glyph(ch["c"], ox, ox + (x1 - x0), oy, size, oy - EM_ABOVE * size,
                              oy + _below(ch["c"]) * size, span["font"])
                    by_row.setdefault((round(oy, 1), round(size, 2)), []).append(g)
    lines = []
    for key in sorted(by_row):
        row = sorted(by_row[key], key=lambda g: g.x)
        cur = [row[0]]
        for g in row[1:]:
            if g.x - cur[-1].x1 > g.size:  # far apart: another column
                lines.append(cur)
                cur = []
            cur.append(g)
        lines.append(cur)
    lines.sort(key=lambda l: (l[0].y, l[0].x))
    return lines


def pages(pdf):
    """Per page, its lines (lists of Glyph), top to bottom."""
    with fitz.open(pdf) as doc:
        return [_page_lines(p) for p in doc]


def text(line):
    return "".join(g.c for g in line)


# the marks core/typeset.c may set half width: opening, closing, pause and stop marks
MARKS = set("“‘（《〈「『【〔〖［｛”’）》〉」』】〕〗］｝，、：；。！？")


def cells(line):
    """Per glyph, (glyph, x0, x1): the part of the line that is its own."""
    out = []
    for i, g in enumerate(line):
        x0, x1 = g.x, g.x1
        if g.c not in MARKS:
            if i and line[i - 1].c not in MARKS:
                x0 = max(x0, line[i - 1].x1)
            if i + 1 < len(line) and line[i + 1].c not in MARKS:
                x1 = min(x1, line[i + 1].x)
        if x1 <= x0:  # boxes that nest (a glyph drawn over another): its own box
            x0, x1 = g.x, g.x1
        out.append((g, x0, x1))
    return out


if __name__ == "__main__":
    for pno, page in enumerate(pages(sys.argv[1]), 1):
        for line in page:
            print(f"{pno} {line[0].y:.1f} {line[0].x:.1f} {line[0].size:g}: {text(line)}")
