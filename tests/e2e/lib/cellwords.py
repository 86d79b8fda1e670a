#!/usr/bin/env python3
"""cellwords.py: reads table cells' line breaks back from the PDFs with PyMuPDF and fails
when a break falls inside a place name of the data (a partner: 沈阳市, 山东省): the cell
"山东省、沈阳市" must not read "山东省、沈" over "阳市". Used by cellwords.sh.

    cellwords.py NAME NAMES.txt FILE.pdf...

NAMES.txt holds the names, one a line (the partners of the data checked). Two lines are consecutive lines of one cell when
they start at the same x (within half a point), the second a line's pitch (at most 1.8
times their size) under the first, and both are narrower than 60 % of the page's text
(a paragraph's lines, which break anywhere as Chinese text is justified, are full). The
name's last character (省, 市) may go to the next line alone after its root (沈阳|市):
what is checked is that no break falls inside the root.
"""
import sys

import fitz  # PyMuPDF (python3-fitz)


def lines_of(page):
    out = []
    for b in page.get_text("dict")["blocks"]:
        for l in b.get("lines", []):
            text = "".join(s["text"] for s in l["spans"]).strip()
            size = max((s["size"] for s in l["spans"]), default=0)
            if text:
                out.append((l["bbox"][0], l["bbox"][1], l["bbox"][2], size, text))
    return out


def main():
    label, names_file = sys.argv[1], sys.argv[2]
    # each name and the length of its root (the name without a last 省, 市, ...)
    names = {n: len(n) - 1 if len(n) >= 3 and n[-1] in "省市区县镇村" else len(n)
             for n in open(names_file, encoding="utf-8").read().split() if len(n) >= 2}
    fails, pairs = [], 0
    for pdf in sys.argv[3:]:
        doc = fitz.open(pdf)
        for n, page in enumerate(doc):
            lines = lines_of(page)
            width = page.rect.width * 0.6
            for a in lines:
                for b in lines:
                    if abs(a[0] - b[0]) > 0.5 or not (0 < b[1] - a[1] <= 1.8 * a[3]) or abs(a[3] - b[3]) > 0.1:
                        continue
                    if a[2] - a[0] > width or b[2] - b[0] > width:
                        continue
                    pairs += 1
                    tail, head = a[4][-5:], b[4][:5]
                    joined = tail + head
                    for name, root in names.items():
                        k = joined.find(name)
                        while k >= 0:
                            if k < len(tail) < k + root:  # the break falls inside the root
                                fails.append(f"{pdf.rsplit('/', 1)[-1]} p{n + 1}: \"{a[4][-8:]}|{b[4][:8]}\" "
                                             f"splits {name}")
                            k = joined.find(name, k + 1)
    if fails:
        print(f"FAIL - {label}: no table cell breaks inside a place name ({len(fails)} breaks of "
              f"{pairs} in {len(sys.argv) - 3} PDFs)")
        for f in fails[:8]:
            print("    " + f)
        return 1
    print(f"ok - {label}: no table cell breaks inside a place name ({pairs} breaks in {len(sys.argv) - 3} PDFs)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
