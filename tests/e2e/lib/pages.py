#!/usr/bin/env python3
"""pages.py: reads a briefing's page breaks back from the PDF with PyMuPDF and checks the
rules of docs/templates.md ("Page breaks"). Used by pages.sh.

    pages.py TEMPLATE.lua NAME [--one-page] [--margins=TOP,RIGHT,BOTTOM,LEFT,BODY,LEADING] [--grid]
             [--no-last-page] FILE.pdf...
    pages.py selftest DIR      (each check fails on a PDF drawn in DIR to break it)

prints one "ok - ..." or "FAIL - ..." line per rule and template (the offending files and
pages indented below), exit 1 when any failed:
  * split: a table split across pages repeats its header at the top of every page it
    goes on to and leaves on each side of every split at least 3 rows (a row broken
    between its lines counts on both sides): so one of at most 4 rows is not split at all,
    nor a row alone, however tall, left at a page's foot;
  * start: no page but the last leaves room at its foot for what starts the next page:
    when the next page opens (under its heading, if any) with a table that is not the
    rest of one, the room below the page's last content is compared with what the rules
    ask to start there (the heading, the table's header and its first 3 rows, of a third
    row of 4 lines or more its first 2, when 3 rows can be left for the next page; else the
    whole table; and when the table is all the last page holds besides the notes, the
    notes too, which keep with it), and fails when it is larger by more than
    SLACK points (the heading's space above it, the gap under the block before; with
    --grid, a strict grid's pitch more: a block starts on the next grid line);
  * hole (not with --grid): no page but the last ends a fifth of the type area empty or
    more before a table that may split opening the next page and whose start (as above)
    needs at most TIGHT points more than that room: the page's gaps, tightened, give it
    (docs/templates.md, "Page breaks");
  * last page: the last page holds more than the notes (sources) that end the document:
    their short rule is not the first thing on it, nor are they carried over to it;
  * with --one-page: the document has one page.

What is what: a table's header row is a filled rectangle the width of the type area with
white text on it; its rows end in thin rules (0.4 point) the width of the type area; the
notes start with a short rule (30 % of the width). Content is what lies inside the
template's margins (page.margin: the header and footer are left out); the room at a page's
foot is measured from its last word box or drawing.
"""
import math
import re
import sys

import fitz  # PyMuPDF (python3-fitz)

SLACK = 32  # points: the heading's space above it (to 15), the gap under the block before (to 12), ink
# points a page's gaps give when they are tightened to 40 % (a page of a few blocks: a
# heading's space above and below it, a paragraph's or a chart's under it)
TIGHT = 24


def margins(template):
    text = open(template, encoding="utf-8").read()
    m = {k: 60.0 for k in ("top", "right", "bottom", "left")}
    for k, default in (("body", 10.5), ("leading", 1.7)):
        mm = re.search(r"\b%s\s*=\s*([0-9.]+)" % k, text)
        m[k] = float(mm.group(1)) if mm else default
    mm = re.search(r"margin\s*=\s*\{([^}]*)\}", text)
    if mm:
        for k, v in re.findall(r"(top|right|bottom|left)\s*=\s*([0-9.]+)", mm.group(1)):
            m[k] = float(v)
    return m


class Page:
    """What one page holds inside the margins: header rows, row rules, the notes' rule, and
    the top and bottom of its content."""

    def __init__(self, page, m):
        self.h = page.rect.height
        self.top, self.bottom = m["top"] - 2, self.h - m["bottom"] + 2
        left, right = m["left"], page.rect.width - m["right"]
        width = right - left
        spans, self.body = [], []  # body: the lines of paragraphs' size, (top, bottom)
        for b in page.get_text("dict")["blocks"]:
            for l in b.get("lines", []):
                sizes = {round(s["size"], 1) for s in l["spans"] if s["text"].strip()}
                mid = (l["bbox"][1] + l["bbox"][3]) / 2
                if sizes == {round(m["body"], 1)} and self.top <= mid <= self.bottom:
                    self.body.append((l["bbox"][1], l["bbox"][3], l["bbox"][0], l["bbox"][2]))
                for s in l["spans"]:
                    mid = (s["bbox"][1] + s["bbox"][3]) / 2  # a CJK face's box passes its line's
                    if s["text"].strip() and self.top <= mid <= self.bottom:
                        spans.append(s)
        # the tops of the text's lines (a table row's lines: one per line top in its band)
        words = [w for w in page.get_text("words") if self.top <= (w[1] + w[3]) / 2 <= self.bottom]
        self.tops = [(w[1] + w[3]) / 2 for w in words]  # their middles
        self.heads, self.rules, self.notes = [], [], None
        # what the page holds, measured by its word boxes and drawings: the hole at its foot
        # is what lies under the last of them
        ys = [w[1] for w in words] + [w[3] for w in words]
        for d in page.get_drawings():
            r = d["rect"]
            if r.y0 < self.top or r.y1 > self.bottom:
                continue
            ys += [r.y0, r.y1]
            full = abs(r.x0 - left) < 1 and abs(r.x1 - right) < 1
            if d.get("fill") is not None and full and r.height >= 8:
                white = [s["text"] for s in spans if s["color"] == 0xFFFFFF
                         and r.y0 <= (s["bbox"][1] + s["bbox"][3]) / 2 <= r.y1]
                if white:
                    self.heads.append((r.y0, r.y1, "".join(white)))
            for it in d["items"]:
                if it[0] != "l" or abs(it[1].y - it[2].y) > 0.01:
                    continue
                x0, x1 = sorted((it[1].x, it[2].x))
                w = d.get("width") or 0
                if abs(x0 - left) < 1 and abs(x1 - right) < 1 and abs(w - 0.4) < 0.05:
                    self.rules.append(it[1].y)
                elif abs(x0 - left) < 1 and abs(x1 - x0 - 0.3 * width) < 1:
                    self.notes = it[1].y
        self.heads.sort()
        self.body = sorted(self.body)
        self.left, self.right = left, right
        self.pitch = m["body"] * m["leading"]
        self.rules.sort()
        self.first = min(ys) if ys else None
        self.last = max(ys) if ys else None

    def segments(self):
        """Each table part on the page: [header top, header bottom, header text, row rules,
        the lines of each row (its text's distinct line tops)]."""
        out = []
        for i, (y0, y1, text) in enumerate(self.heads):
            stop = self.heads[i + 1][0] if i + 1 < len(self.heads) else self.h
            rules = [y for y in self.rules if y1 < y < stop]
            lines, top = [], y1
            for y in rules:
                tops = sorted({round(t) for t in self.tops if top < t < y})
                lines.append(tops)
                top = y
            out.append([y0, y1, text, rules, lines])
        return out

    def opening_paragraph(self):
        """The lines of the paragraph that opens the page (under its heading, if any; none
        when a table comes first) and whether it ends on the page."""
        if not self.body or self.first is None or self.body[0][0] - self.first > 60:
            return [], False
        if any(y0 < self.body[0][0] for y0, _, _ in self.heads):
            return [], False
        lines = []
        for ln in self.body:  # lines of a run share the line's top within a point
            if lines and abs(ln[0] - lines[-1][0]) < 1:
                lines[-1] = (lines[-1][0], max(ln[1], lines[-1][1]), min(ln[2], lines[-1][2]), max(ln[3], lines[-1][3]))
            elif not lines or ln[0] - lines[-1][0] <= self.pitch + 1:
                lines.append(ln)
            else:
                break
        # a heading of the body's size (on a grid) over the paragraph's first line
        if len(lines) > 1 and lines[0][3] < self.right - self.pitch and lines[1][3] >= self.right - self.pitch:
            lines = lines[1:]
        # a paragraph's first line starts at the margin (or its indent) and is full: not a
        # chart's caption or legend (a paragraph of one line is not told from a caption)
        if lines[0][2] > self.left + 3 * self.pitch or lines[0][3] < self.right - self.pitch:
            return [], False
        return lines, len(lines) < len(self.body) or lines[-1][1] < self.last - 4


def check(pdf, m, one_page, fails, slack=SLACK, grid=False):
    doc = fitz.open(pdf)
    pages = [Page(p, m) for p in doc]
    name = pdf.rsplit("/", 1)[-1]
    if one_page and len(pages) != 1:
        fails["one page"].append(f"{name}: {len(pages)} pages")
    # tables: segments joined across pages when a page ends with one and the next starts
    # with the same header
    tables, prev = [], None
    for n, p in enumerate(pages):
        segs = p.segments()
        orphan = [y for y in p.rules if not p.heads or y < p.heads[0][0]]
        if orphan:
            fails["split"].append(f"{name} p{n + 1}: {len(orphan)} table rows without a header above them")
        for k, s in enumerate(segs):
            cont = (k == 0 and prev is not None and prev[2] == s[2] and abs(s[0] - p.first) < 4)
            if cont:
                tables[-1].append((n, s))
            else:
                tables.append([(n, s)])
        last = segs[-1] if segs else None
        prev = last if last and last[3] and last[3][-1] >= p.last - 4 else None
    def keeps(seg):  # a side of a break: 3 rows (parts of rows)
        return len(seg[3]) >= 3
    for t in tables:
        rows = [len(s[3]) for _, s in t]
        if len(t) > 1 and (not keeps(t[0][1]) or not keeps(t[-1][1])):
            fails["split"].append(f"{name} p{t[0][0] + 1}: table \"{t[0][1][2][:24]}\" split as {rows} rows "
                                  f"of {[[len(x) for x in s[4]] for _, s in t]} lines")
    # room left at a page's foot for the table that opens the next page
    starts = {}
    for t in tables:
        starts.setdefault(t[0][0], t)
    for n in range(len(pages) - 1):
        p, q, t = pages[n], pages[n + 1], starts.get(n + 1)
        segs = q.segments()
        if p.last is None or not t or not segs or t[0][1][0] != segs[0][0] or segs[0][0] - q.first > 60:
            continue  # the next page opens with something else than a table (under its heading)
        y1, rules, lines = t[0][1][1], t[0][1][3], t[0][1][4]
        total = sum(len(s[3]) for _, s in t)
        # it may split when 3 rows can stay on each side: 6 rows, or 5 with a third row of
        # 4 lines or more broken between its lines (its first 2 here)
        splits = total >= 6 or (total == 5 and len(lines) > 2 and len(lines[2]) >= 4)
        keep = min(3 if splits else total, len(rules))
        need = (rules[keep - 1] if keep else y1) - q.first
        if splits and keep == 3 and len(lines[2]) >= 4:
            need -= lines[2][-1] - lines[2][1]
        if n + 1 == len(pages) - 1 and q.notes is not None and len(t) == 1 and not splits:
            need = q.last - q.first  # the notes keep with it: both would have to fit
        room = p.bottom - 2 - p.last
        if room > need + slack:
            fails["start"].append(f"{name} p{n + 1}: {room:.0f} pt left at the foot, the table opening "
                                  f"the next page needed {need:.0f} to start there")
        elif not grid and splits and room >= (p.bottom - p.top) / 5 and need <= room + TIGHT:
            fails["hole"].append(f"{name} p{n + 1}: {room:.0f} pt (a fifth of the page or more) left at the "
                                 f"foot, the table opening the next page needed {need:.0f}: its gaps tightened "
                                 f"give that")
    # the same for a paragraph that opens the next page: its first two lines (all of one
    # of at most three), which no widow or orphan rule keeps from the page before
    for n in range(len(pages) - 1):
        p, q = pages[n], pages[n + 1]
        lines, ends = q.opening_paragraph()
        if p.last is None or not lines:
            continue
        keep = len(lines) if ends and len(lines) <= 3 else 2
        need = lines[min(keep, len(lines)) - 1][1] - q.first
        if n + 1 == len(pages) - 1 and q.notes is not None and ends and lines[-1][1] <= q.notes:
            need = q.last - q.first  # the notes keep with it: both would have to fit
        room = p.bottom - 2 - p.last
        if grid:  # in whole grid lines: those left under the last ink, those it needs (its heading's too)
            top, pitch = p.top + 2, p.pitch
            # below the last ink and the gap a block leaves under it (to 10 pt: a KPI row's)
            left = round((p.bottom - 2 - top) / pitch) - math.ceil((p.last + 10 - top) / pitch - 0.02)
            want = round((lines[min(keep, len(lines)) - 1][0] - q.first) / pitch) + 1
            if n + 1 == len(pages) - 1 and q.notes is not None and ends and lines[-1][1] <= q.notes:
                want = 10 ** 6  # the notes keep with it (measured above, not in lines)
            if left >= want:
                fails["start"].append(f"{name} p{n + 1}: {left} grid lines left at the foot, the paragraph "
                                      f"opening the next page needed {want} to start there")
        elif room > need + slack:
            fails["start"].append(f"{name} p{n + 1}: {room:.0f} pt left at the foot, the paragraph opening "
                                  f"the next page needed {need:.0f} to start there")
    # the last page
    last = pages[-1]
    at = max((n for n, p in enumerate(pages) if p.notes is not None), default=None)
    if at is not None and at < len(pages) - 1 and last.first is not None and not last.heads:
        fails["last page"].append(f"{name}: the notes go on alone to the last page")
    elif at == len(pages) - 1 and last.first is not None and last.notes <= last.first + 1:
        fails["last page"].append(f"{name}: the last page holds only the notes")


def selftest(tmp):
    """Each rule fails on a PDF made to break it (drawn here as the engine draws), and none on
    one that keeps them: the checks can fail."""
    m = {"top": 62.0, "right": 54.0, "bottom": 64.0, "left": 54.0, "body": 10.0, "leading": 1.8}
    left, right = 54, 595 - 54

    def table(page, y, rows, head=True, lines=1):
        if head:
            page.draw_rect(fitz.Rect(left, y, right, y + 20), color=None, fill=(0.1, 0.2, 0.4))
            page.insert_text((left + 4, y + 14), "Project", color=(1, 1, 1), fontsize=9)
            y += 20
        for _ in range(rows):
            for i in range(lines):
                page.insert_text((left + 4, y + 14 + 13 * i), "row", fontsize=9)
            y += 20 + 13 * (lines - 1)
            page.draw_line((left, y), (right, y), color=(0.7, 0.7, 0.7), width=0.4)
        return y

    def text(page, y0, y1):
        for y in range(int(y0), int(y1), 18):
            page.insert_text((left, y + 12), "paragraph " * 10, fontsize=10)  # a full line

    def notes(page, y):
        page.draw_line((left, y), (left + 0.3 * (right - left), y), color=(0.7, 0.7, 0.7), width=0.5)
        page.insert_text((left, y + 14), "sources", fontsize=8)

    def make(name, build):
        doc = fitz.open()
        build(doc)
        path = f"{tmp}/{name}.pdf"
        doc.save(path)
        return path

    def good(doc):
        p = doc.new_page(width=595, height=842)
        text(p, 70, 300)
        table(p, 310, 8)
        notes(p, 520)

    def split(doc):  # 2 rows at the foot, the rest over
        p = doc.new_page(width=595, height=842)
        text(p, 70, 700)
        table(p, 712, 2)
        table(doc.new_page(width=595, height=842), 62, 9)

    def tall(doc):  # one row of 3 lines alone at the foot, the rest over
        p = doc.new_page(width=595, height=842)
        text(p, 70, 680)
        table(p, 692, 1, lines=3)
        table(doc.new_page(width=595, height=842), 62, 9)

    def start(doc):  # a page a third empty, the next opening with a long table
        p = doc.new_page(width=595, height=842)
        text(p, 70, 500)
        q = doc.new_page(width=595, height=842)
        notes(q, table(q, 62, 12) + 20)

    def hole(doc):  # a fifth of the page left, the next opening with a table of tall rows
        p = doc.new_page(width=595, height=842)  # that the page's gaps, tightened, make room for
        text(p, 70, 614)
        q = doc.new_page(width=595, height=842)
        notes(q, table(q, 62, 8, lines=4) + 20)

    def para(doc):  # the same with a long paragraph
        p = doc.new_page(width=595, height=842)
        table(p, 70, 10)
        q = doc.new_page(width=595, height=842)
        text(q, 62, 400)
        notes(q, 420)

    def alone(doc):
        p = doc.new_page(width=595, height=842)
        text(p, 70, 770)
        notes(doc.new_page(width=595, height=842), 62)

    cases = [("good", good, set()), ("split", split, {"split"}), ("tall", tall, {"split"}), ("start", start, {"start"}),
             ("hole", hole, {"hole"}), ("para", para, {"start"}),
             ("alone", alone, {"last page"})]
    bad = 0
    for name, build, want in cases:
        fails = {r: [] for r in ("split", "start", "hole", "last page", "one page")}
        check(make(name, build), m, name == "good", fails)
        got = {r for r, f in fails.items() if f}
        if got == want:
            print(f"ok - checker self-test: {name} fails {sorted(want) or 'nothing'}")
        else:
            bad = 1
            print(f"FAIL - checker self-test: {name} fails {sorted(got)}, not {sorted(want)}")
            for r in got:
                print("    " + "; ".join(fails[r]))
    return bad


def main():
    if sys.argv[1] == "selftest":
        return selftest(sys.argv[2])
    template, label = sys.argv[1], sys.argv[2]
    args = sys.argv[3:]
    one_page = "--one-page" in args
    given = [a for a in args if a.startswith("--margins=")]  # a template that computes them
    grid = "--grid" in args
    no_last = "--no-last-page" in args  # the last page may hold a 简报's 报尾 alone (GB/T 9704's 版记)
    pdfs = [a for a in args if a not in ("--one-page", "--grid", "--no-last-page") and a not in given]
    m = margins(template)
    for a in given:
        m.update(zip(("top", "right", "bottom", "left", "body", "leading"), map(float, a[10:].split(","))))
    rules = ["split", "start"] + ([] if grid else ["hole"]) + ([] if no_last else ["last page"]) + (["one page"] if one_page else [])
    fails = {r: [] for r in rules + ["hole", "last page", "one page"]}
    # on a grid a block starts on the next grid line: up to one line's pitch more is lost
    slack = SLACK + (m["body"] * m["leading"] if grid else 0)
    for pdf in pdfs:
        check(pdf, m, one_page, fails, slack, grid)
    bad = 0
    for r in rules:
        if fails[r]:
            bad = 1
            print(f"FAIL - {label}: {r} ({len(fails[r])} of {len(pdfs)} PDFs' pages)")
            for f in fails[r][:8]:
                print("    " + f)
        else:
            print(f"ok - {label}: {r} ({len(pdfs)} PDFs)")
    return bad


if __name__ == "__main__":
    sys.exit(main())
