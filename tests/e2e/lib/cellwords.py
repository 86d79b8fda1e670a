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

A second check, on the lines of one table cell (consecutive as above, or sharing their
right edge instead of their left: a right-aligned cell, "2000万" over "元"; inside a table,
with no row's rule or fill edge between them): no break falls where the line breaker forbids one
between a number and what belongs to it (wrap.c: keep_numbers_with_units, UAX #14): a
line ending in a digit (or in 万 亿 千 百 after one) over a line starting with a unit of
UNITS ("2000万|元", "1104|人") or with % ‰ ℃; a number split between its digits
("12|3", "4.|05", "1,|200"), or its sign ("-|3.2%"). A line that is a list item's number
alone ("1." over "2.") is not a cell's, and only lines inside a table are checked
(table_spans: a chart's legend, set by its plugin, is not).
"""
import re
import sys

import fitz  # PyMuPDF (python3-fitz)

# wrap.c's UNITS: the measure words, magnitudes and units that stay with a number
UNITS = set("万个亩人亿件位余倍元克公册分千升台号名吨周场块处多天套家层岁平年度座张户所批斤方日月期村条栋株次点班百种立米辆里间页项")
NUMBER_END = re.compile(r"[0-9０-９][万亿千百]{0,2}$")
SIGN_END = re.compile(r"(^|[^0-9A-Za-z])[-+−－＋￥¥$]$")


def table_spans(page):
    """The y ranges of a page's tables: runs of drawings at least half the page wide (a
    table's header bar, its rows' rules and fills) less than 200 pt apart; a chart's legend,
    its rules narrower, is not one."""
    ys = sorted((d["rect"].y0, d["rect"].y1) for d in page.get_drawings()
                if d["rect"].width >= 0.5 * page.rect.width)
    spans = []
    for y0, y1 in ys:
        if spans and y0 - spans[-1][1] < 200:
            spans[-1][1] = max(spans[-1][1], y1)
        else:
            spans.append([y0, y1])
    return spans


def row_edges(page):
    """The y of every edge of a drawing at least half the page wide: a table's row rules
    and fills, which no two lines of one cell have between them."""
    return sorted({y for d in page.get_drawings() if d["rect"].width >= 0.5 * page.rect.width
                   for y in (d["rect"].y0, d["rect"].y1)})


def splits_number(tail, head):
    """The rule the break tail|head breaks, or None."""
    if not head:
        return None
    if NUMBER_END.search(tail) and (head[0] in UNITS or head[0] in "%‰℃％"):
        return "a number from its unit"
    if re.search(r"[0-9][.,]?$", tail) and re.match(r"[.,]?[0-9]", head):
        return "a number"
    if SIGN_END.search(tail) and head[0].isdigit():
        return "a number from its sign"
    return None


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
    fails, pairs, units, unit_pairs = [], 0, [], 0
    for pdf in sys.argv[3:]:
        doc = fitz.open(pdf)
        for n, page in enumerate(doc):
            lines = lines_of(page)
            spans = table_spans(page)
            edges = row_edges(page)
            width = page.rect.width * 0.6
            for a in lines:
                for b in lines:
                    # one cell's lines share their left edge, or their right (a right-aligned cell)
                    left, right = abs(a[0] - b[0]) <= 0.5, abs(a[2] - b[2]) <= 0.5
                    if not (left or right) or not (0 < b[1] - a[1] <= 1.8 * a[3]) or abs(a[3] - b[3]) > 0.1:
                        continue
                    if a[2] - a[0] > width or b[2] - b[0] > width:
                        continue
                    tail, head = a[4][-5:], b[4][:5]
                    # numbers: lines inside a table, no row's rule between them, not a list's
                    # item numbers ("1." over "2.", drawn apart from their text)
                    if (any(y0 <= a[1] and b[1] <= y1 for y0, y1 in spans)
                            and not any(a[1] + a[3] / 2 < y < b[1] + b[3] / 2 for y in edges)
                            and not re.fullmatch(r"[0-9]+[.)、]", a[4])):
                        unit_pairs += 1
                        rule = splits_number(tail, head)
                        if rule:
                            units.append(f"{pdf.rsplit('/', 1)[-1]} p{n + 1}: \"{a[4][-8:]}|{b[4][:8]}\" splits {rule}")
                    if not left:
                        continue
                    pairs += 1
                    joined = tail + head
                    for name, root in names.items():
                        k = joined.find(name)
                        while k >= 0:
                            if k < len(tail) < k + root:  # the break falls inside the root
                                fails.append(f"{pdf.rsplit('/', 1)[-1]} p{n + 1}: \"{a[4][-8:]}|{b[4][:8]}\" "
                                             f"splits {name}")
                            k = joined.find(name, k + 1)
    if units:
        print(f"FAIL - {label}: no table cell breaks a number from its unit ({len(units)} breaks of "
              f"{unit_pairs} in {len(sys.argv) - 3} PDFs)")
        for f in units[:8]:
            print("    " + f)
    else:
        print(f"ok - {label}: no table cell breaks a number from its unit ({unit_pairs} breaks)")
    if fails:
        print(f"FAIL - {label}: no table cell breaks inside a place name ({len(fails)} breaks of "
              f"{pairs} in {len(sys.argv) - 3} PDFs)")
        for f in fails[:8]:
            print("    " + f)
        return 1
    print(f"ok - {label}: no table cell breaks inside a place name ({pairs} breaks in {len(sys.argv) - 3} PDFs)")
    return 1 if units else 0


if __name__ == "__main__":
    sys.exit(main())
