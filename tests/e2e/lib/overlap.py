"""overlap.py: no two texts drawn over each other (tests/e2e/overlap.sh). For each PDF, on
every page, the boxes of its text spans (PyMuPDF's: a run of one font, size and colour on
one line; see box()) must not overlap by more than TOL points either way; the glyphs inside one span
are one text's and not compared. A watermark (text drawn rotated: a line's direction off
the horizontal) is left out. One check per PDF, the overlapping pairs listed on failure.

    overlap.py NAME PDF...
"""
import sys

import fitz

from tap import check, status

TOL = 0.5  # points: boxes touching, or a hair over (rounding), are not overlaps


CLOSE = set("，。、；：？！）」』】》〉”’")  # full-width punctuation: ink in one half of the em,
OPEN = set("（「『【《〈“‘")               # the other half may be set tight (标点挤压)


def box(span):
    """A span's box: its characters' advances across (a full-width mark's inked half; spaces
    left out), one em tall about the baseline (ascent 0.8, descent 0.2): the font's own box,
    a CJK face's tall ascent and descent, would make lines set close overlap."""
    size = span["size"]
    xs = []
    for ch in span["chars"]:
        c = ch["c"]
        if not c.strip():
            continue
        x0, _, x1, _ = ch["bbox"]
        if c in CLOSE and x1 - x0 > size * 0.75:
            x1 = x0 + (x1 - x0) / 2
        elif c in OPEN and x1 - x0 > size * 0.75:
            x0 = x1 - (x1 - x0) / 2
        xs.append((x0, x1))
    if not xs:
        return None
    y = span["origin"][1]
    return fitz.Rect(min(a for a, _ in xs), y - 0.8 * size, max(b for _, b in xs), y + 0.2 * size)


def spans(page):
    out = []
    for block in page.get_text("rawdict")["blocks"]:
        for line in block.get("lines", []):
            dx, dy = line["dir"]
            if abs(dy) > 1e-3 or dx <= 0:  # rotated: a watermark
                continue
            for s in line["spans"]:
                r = box(s)
                if r is not None:
                    out.append((r, "".join(ch["c"] for ch in s["chars"])))
    return out


def overlaps(page):
    ss = spans(page)
    ss.sort(key=lambda t: t[0].y0)
    bad = []
    for i in range(len(ss)):
        a, ta = ss[i]
        for j in range(i + 1, len(ss)):
            b, tb = ss[j]
            if b.y0 >= a.y1 - TOL:
                break  # sorted by top: none further down reaches a
            w = min(a.x1, b.x1) - max(a.x0, b.x0)
            h = min(a.y1, b.y1) - max(a.y0, b.y0)
            if w > TOL and h > TOL:
                bad.append(f"page {page.number + 1}: {ta!r} over {tb!r} ({w:.1f} x {h:.1f} pt)")
    return bad


def main():
    name, pdfs = sys.argv[1], sys.argv[2:]
    check(bool(pdfs), f"{name}: PDFs to check")
    for path in pdfs:
        bad = []
        with fitz.open(path) as doc:
            for page in doc:
                bad += overlaps(page)
        check(not bad, f"{name}: {path.rsplit('/', 1)[-1]}: no two texts overlap", bad)
    sys.exit(status())


if __name__ == "__main__":
    main()
