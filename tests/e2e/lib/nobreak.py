#!/usr/bin/env python3
"""nobreak.py: reads a PDF's lines back with PyMuPDF (characters and their boxes) and checks
the no-break rules of Chinese typesetting (clreq, GB/T 15834) as a reader sees them. Used by
nobreak.sh.

    nobreak.py check FILE.pdf [NAME]
    nobreak.py cells FILE.pdf

prints one "ok - ..." or "FAIL - ..." line per rule (the offending lines indented below),
exit 1 when any failed:
  * units: no line ends with a number while the next line of its paragraph or cell starts
    with the number's unit, measure word or percent sign ("1万 / 元", "75 / %"), no range
    dash parts two numbers ("2018— / 2020", "2018 / —2020"), no "第 / 3" and no sign ends
    a line before its number ("－ / 3.2%");
  * lone character: no last line of a paragraph or cell (or a line before a hard break)
    holds one CJK character alone ("公司落 / 户") after a full line;
  * heading: no heading (the PDF's bookmarks) is the last text of its page, nor followed
    by a single line when the page after goes on with what it began;
  * orphan and widow: no paragraph leaves its first line alone at a page's foot or carries
    its last line alone to the next page's top.

`cells` prints the text of each paragraph or table cell (its lines joined, grouped as below)
on a line of its own, page by page: a header "人口 / （万人）" reads "人口（万人）" whatever
line pdftotext puts the neighbouring cells on.

How the lines are grouped: lines of one size, one under the other (the next no more than
1.9 sizes lower) and overlapping across, make a paragraph or cell (the space between
paragraphs and table rows is larger). Across a page break, a paragraph goes on when its
last line on the page is full and the next page's first line is not indented like a
paragraph's first line. The running header and footer (the top and bottom 6 % of the
page) are left out.
"""
import re
import sys

import fitz  # PyMuPDF (python3-fitz)

import tap

DIGITS = "0123456789０１２３４５６７８９"
DASHES = "-~‒–—―−〜﹘－～"
SIGNS = "+-−±＋－￥¥$＄£€"
UNIT_MARKS = "%％‰‱℃°"
# the marks no line may start with (wrap.c: NO_START), left out when counting a last line's
# characters: "县。" is one character alone
CLOSING = "!%),.:;?]}°·’”‥…‧‰‼⁇⁈⁉℃、。々〉》」』】〕〗〙〛〞〟〻ゝゞ・ーヽヾ﹐﹑﹒﹔﹕﹖﹗﹚﹜﹞！％），．：；？］｝｠｡｣､･"



def report(ok, what, detail=()):
    tap.check(ok, what, list(detail))


def is_cjk(c):
    o = ord(c)
    return (0x4E00 <= o <= 0x9FFF or 0x3400 <= o <= 0x4DBF or 0xF900 <= o <= 0xFAFF
            or 0x20000 <= o <= 0x3134F or 0x3041 <= o <= 0x30FF)


class Line:
    def __init__(self, page, text, box, size):
        self.page, self.text, self.size = page, text, size
        self.x0, self.y0, self.x1, self.y1 = box

    def __repr__(self):
        return f"p{self.page + 1} y={self.y0:.0f} {self.text!r}"


def page_lines(page, pno):
    """The page's text lines without header and footer, top to bottom; pieces on one
    baseline closer than 0.7 sizes joined (a line drawn in several runs)."""
    h = page.rect.height
    pieces = []
    for block in page.get_text("rawdict")["blocks"]:
        for line in block.get("lines", []):
            for span in line["spans"]:
                chars = [c for c in span["chars"]]
                if not chars:
                    continue
                text = "".join(c["c"] for c in chars)
                if not text.strip():
                    continue
                x0 = min(c["bbox"][0] for c in chars)
                x1 = max(c["bbox"][2] for c in chars)
                y0, y1 = span["bbox"][1], span["bbox"][3]
                if y1 < 0.06 * h or y0 > 0.94 * h:
                    continue
                pieces.append(Line(pno, text, (x0, y0, x1, y1), round(span["size"], 1)))
    pieces.sort(key=lambda l: (round(l.y1), l.x0))
    out = []
    for p in pieces:
        last = out[-1] if out else None
        if (last and abs(last.y1 - p.y1) < 1 and abs(last.size - p.size) < 0.3
                and -1 < p.x0 - last.x1 < 0.7 * p.size):
            last.text += p.text
            last.x1 = max(last.x1, p.x1)
        else:
            out.append(p)
    out.sort(key=lambda l: (l.y0, l.x0))
    for l in out:
        l.text = l.text.rstrip()
    return out


def follows(a, b):
    """b is the line after a in one paragraph or cell (same page)."""
    return (abs(a.size - b.size) < 0.3 and 0.9 * a.size < b.y0 - a.y0 < 1.9 * a.size
            and b.x0 < a.x1 and a.x0 < b.x1)


def chains(lines):
    """The page's lines grouped into paragraphs and cells, each top to bottom."""
    groups, last_of = [], {}
    for l in lines:
        prev = None
        for g in groups:
            tail = g[-1]
            if id(tail) in last_of and follows(tail, l):
                prev = g
                break
        if prev:
            del last_of[id(prev[-1])]
            prev.append(l)
        else:
            prev = [l]
            groups.append(prev)
        last_of[id(l)] = True
    return groups


def load(pdf):
    doc = fitz.open(pdf)
    pages = [page_lines(p, i) for i, p in enumerate(doc)]
    return doc, pages


def continues(a_chain, b_chain, right):
    """b_chain, first on the next page, goes on with a_chain, last on this one."""
    a, b = a_chain[-1], b_chain[0]
    return (abs(a.size - b.size) < 0.3 and a.x1 >= right - 1.5 * a.size
            and b.x0 < min(l.x0 for l in a_chain) + 0.5 * a.size)


def bottom_chain(groups):
    return max(groups, key=lambda g: g[-1].y1) if groups else None


def top_chain(groups):
    return min(groups, key=lambda g: g[0].y0) if groups else None


def pairs(pages, groups, right):
    """Every pair of consecutive lines of one paragraph or cell, across pages too."""
    for gs in groups:
        for g in gs:
            yield from zip(g, g[1:])
    for p in range(len(pages) - 1):
        a, b = bottom_chain(groups[p]), top_chain(groups[p + 1])
        if a and b and continues(a, b, right):
            yield a[-1], b[0]


def split_number(a, b):
    """Why the break between lines a and b parts a number from what belongs to it, or None."""
    ta, tb = a.text.rstrip(), b.text.lstrip()
    if not ta or not tb:
        return None
    last, first = ta[-1], tb[0]
    if last in DIGITS and (is_cjk(first) or first in UNIT_MARKS):
        return "a number and its unit"
    if last in DIGITS and first in DASHES and len(tb) > 1 and tb[1] in DIGITS:
        return "a range dash from the number before it"
    if last in DASHES and first in DIGITS and re.search("[0-9０-９][\u4e00-\u9fff]{0,5}$", ta[:-1]):
        return "a range dash from the number after it"
    if last == "第" and first in DIGITS:
        return "第 and its number"
    if last in SIGNS and first in DIGITS and (len(ta) == 1 or ta[-2] not in DIGITS):
        return "a sign and its number"
    return None


def lone(line):
    core = [c for c in line.text if not c.isspace() and c not in CLOSING]
    return len(core) == 1 and is_cjk(core[0])


def check(pdf, name):
    doc, pages = load(pdf)
    groups = [chains(p) for p in pages]
    right = max((l.x1 for p in pages for l in p), default=0)

    bad = [f"{a!r} / {b!r}: {why}" for a, b in pairs(pages, groups, right)
           for why in [split_number(a, b)] if why]
    report(not bad, f"{name}: no number parted across a line break from its unit, sign, "
           "第 or range dash", bad)

    bad = []
    for gs in groups:
        for g in gs:
            widest = max(l.x1 for l in g)
            for prev, l in zip(g, g[1:]):
                if lone(l) and prev.x1 >= widest - 1.5 * l.size:
                    bad.append(f"{prev!r} / {l!r}")
    # a paragraph's last line alone on the next page's top counts as its last line too
    for p in range(len(pages) - 1):
        a, b = bottom_chain(groups[p]), top_chain(groups[p + 1])
        if a and b and continues(a, b, right) and len(b) == 1 and lone(b[0]):
            bad.append(f"{a[-1]!r} / {b[0]!r}")
    report(not bad, f"{name}: no paragraph or cell ends with one CJK character alone on its "
           "last line", bad)

    bad = []
    toc = doc.get_toc(simple=False)
    titles = {re.sub(r"\s+", "", t[1]) for t in toc}

    def is_heading(line):
        s = re.sub(r"\s+", "", line.text)
        return any(s and t.startswith(s) for t in titles)

    for level, title, pno, _dest in toc:
        p = pno - 1
        if p < 0 or p >= len(pages):
            continue
        want = re.sub(r"\s+", "", title)
        heads = [l for l in pages[p] if l.text and want.startswith(re.sub(r"\s+", "", l.text))
                 and l.size > min((x.size for x in pages[p]), default=0)]
        if not heads:
            bad.append(f"heading {title!r} not found on page {pno}")
            continue
        h = heads[0]
        chain = [g for g in groups[p] if h in g][0]
        below = sorted({round(l.y0) for l in pages[p] if l.y0 > chain[-1].y1 - 0.5})
        rest = [l for q in pages[p + 1:] for l in q]
        if not rest:
            continue
        if not below:
            bad.append(f"{h!r}: the last text of its page")
        elif len(below) == 1 and not is_heading(pages[p + 1][0] if pages[p + 1] else rest[0]):
            bad.append(f"{h!r}: one line under it, the rest on the next page")
    report(not bad, f"{name}: no heading alone at a page's foot ({len(toc)} headings)", bad)

    bad = []
    for p in range(len(pages) - 1):
        a, b = bottom_chain(groups[p]), top_chain(groups[p + 1])
        if not (a and b and continues(a, b, right)):
            continue
        if len(a) == 1:
            bad.append(f"orphan: {a[0]!r}, then {b[0]!r}")
        if len(b) == 1:
            bad.append(f"widow: {a[-1]!r}, then {b[0]!r} alone")
    report(not bad, f"{name}: no paragraph line alone at a page's foot or top", bad)


def main(argv):
    if len(argv) in (2, 3) and argv[0] == "check":
        check(argv[1], argv[2] if len(argv) == 3 else argv[1])
        return tap.status()
    if len(argv) == 2 and argv[0] == "cells":
        for lines in load(argv[1])[1]:
            for g in chains(lines):
                print("".join(l.text for l in g))
        return 0
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
