#!/usr/bin/env python3
"""jianbao_check.py: the page of a 简报 (templates/jianbao, GB/T 9704-2012's geometry) read
back from its PDF with PyMuPDF (lib/glyphs.py): prints "ok - ..." / "FAIL - ..." lines.

    jianbao_check.py LIB MODE PDF...

MODE "grid": a report of headings and paragraphs (tests/e2e/jianbao.sh writes it). Every
    16 pt line is a body line or a heading: each on a grid line, each glyph in its cells,
    at most 28 cells a line; a page of body text holds 22 lines at a constant pitch that
    fill the type area; the headings are numbered 一、 （一） （二） 二、 （一） 1. （1）
    （2） 2. in the faces of their levels; the title in the title face.
MODE "briefing": the briefing report: its 16 pt lines set on the character grid have their
    baselines on the line grid, none leaves the type area or holds more than 28 cells, and
    the level-1 headings are numbered 一、 二、 ... in order.
Both: A4; page numbers "— N —" in 14 pt, the top of their em box 7 mm under the type area,
    odd pages right and even pages left, 14 pt in from the type area's edge.

The geometry: A4 (595.28 x 841.89 pt), type area 156 x 225 mm from 37 mm (top) and 28 mm
(left); line pitch 225 mm / 22, character cell 156 mm / 28. A glyph's em box is 0.88 em
above its baseline and 0.12 below (the CJK faces'), and a line's em box is centred on its
grid line.
"""
import math
import re
import sys

sys.path.insert(0, sys.argv[1])
import glyphs  # noqa: E402
import tap  # noqa: E402

MM = 72 / 25.4
PAGE_W, PAGE_H = 595.276, 841.890
TOP, LEFT, W, H = 37 * MM, 28 * MM, 156 * MM, 225 * MM
RIGHT, BOTTOM = LEFT + W, TOP + H
PITCH, CELL = H / 22, W / 28
BODY, FOLIO = 16.0, 14.0
FACES = {  # what each role may be set in: the faces asked for, then the free fallback
    "body": r"FangSong|Fangsong|FZFS|NotoSerifCJK\w*-Regular",
    "title": r"XiaoBiaoSong|XBS|NotoSerifCJK\w*-Bold",
    "heading1": r"SimHei|Heiti|FZHT|NotoSansCJK\w*-Regular",
    "heading2": r"KaiTi|Kaiti|FZKT|UKai",
}



def say(good, what, detail=()):
    tap.check(good, what, list(detail), limit=10)


def centre(line):
    """The middle of the line's em box (top-down), where its grid line's middle is."""
    return line[0].y - (0.88 - 0.12) / 2 * line[0].size


def grid_line(line):
    """(k, off): the grid line the line's box is centred on and how far off it is (pt)."""
    k = (centre(line) - TOP) / PITCH - 0.5
    return round(k), (k - round(k)) * PITCH


def cell_of(g):
    """A glyph's cells: 1 for one over 0.6 em wide, half for a narrower one."""
    return 1 if g.x1 - g.x > 0.6 * g.size else 0.5


def cells(line):
    """Cells the line's characters take."""
    return sum(cell_of(g) for g in line)


def rounded(line):
    """Cells the line takes with each run of Latin text (digits, letters, ASCII marks)
    rounded up to whole cells."""
    total, run = 0, 0
    for g in line + [None]:
        if g is not None and g.c.isascii():
            run += cell_of(g)
            continue
        total += math.ceil(run) + (cell_of(g) if g is not None else 0)
        run = 0
    return total


def on_char_grid(line):
    """Every Chinese character and full-width mark centred in its cell: its middle a half
    cell and a whole number of cells from the type area's left edge. (Digits and Latin
    letters take half cells or their own width, a run of them rounded up to whole cells
    and centred: they are not checked one by one.)"""
    def on(g):
        v = ((g.x + g.x1) / 2 - LEFT) / CELL - 0.5
        return abs(v - round(v)) < 0.005
    return all(on(g) for g in line if ord(g.c) >= 0x2000)


def text(line):
    return glyphs.text(line)


def is_size(line, size):
    return abs(line[0].size - size) < 0.01


def check_folios(name, pages):
    bad = []
    for n, page in enumerate(pages, 1):
        folios = [l for l in page if is_size(l, FOLIO) and re.fullmatch(r"— *\d+ *—", text(l).strip())]
        if len(folios) != 1:
            bad.append(f"page {n}: {len(folios)} page numbers")
            continue
        f = folios[0]
        num = int(re.sub(r"\D", "", text(f)))
        x0, x1, top = f[0].x, f[-1].x1, f[0].top
        want_top = BOTTOM + 7 * MM
        if num != n:
            bad.append(f"page {n}: numbered {text(f)!r}")
        if abs(top - want_top) > MM:
            bad.append(f"page {n}: top of the number {top:.1f} pt, not {want_top:.1f} (7 mm under the type area)")
        if n % 2 and abs(x1 - (RIGHT - FOLIO)) > MM:
            bad.append(f"page {n} (odd): ends at {x1:.1f} pt, not {RIGHT - FOLIO:.1f} (right, 14 pt in)")
        if not n % 2 and abs(x0 - (LEFT + FOLIO)) > MM:
            bad.append(f"page {n} (even): starts at {x0:.1f} pt, not {LEFT + FOLIO:.1f} (left, 14 pt in)")
        if any(c.isdigit() and g.x1 - g.x > 0.6 * FOLIO for g in f for c in g.c):
            bad.append(f"page {n}: the number's digits are not half width")
    say(not bad, f"{name}: page numbers '— N —' in 14 pt, 7 mm under the type area, odd pages right and "
        f"even pages left, 14 pt in ({len(pages)} pages)", bad)


def check_page_size(name, pdf):
    import fitz
    with fitz.open(pdf) as doc:
        sizes = {(round(p.rect.width, 1), round(p.rect.height, 1)) for p in doc}
    say(sizes == {(round(PAGE_W, 1), round(PAGE_H, 1))}, f"{name}: every page is A4", [str(sizes)])


def check_lines(name, lines, strict):
    """The body and heading lines (16 pt) of a document: on the line grid, inside the type
    area, at most 28 cells. strict: every one on the character grid too (their first glyph
    at least: a line stretched to the right edge spreads what it lacks)."""
    off, out, long_, loose = [], [], [], []
    for pno, l in lines:
        k, d = grid_line(l)
        if abs(d) > 0.1 or not 0 <= k < 22:
            off.append(f"page {pno}: {text(l)[:20]!r} is {d:+.2f} pt off grid line {k}")
        if l[0].x < LEFT - 0.5 or l[-1].x1 > RIGHT + 0.5:
            out.append(f"page {pno}: {text(l)[:20]!r} spans {l[0].x:.1f}..{l[-1].x1:.1f} pt, "
                       f"the type area {LEFT:.1f}..{RIGHT:.1f}")
        if cells(l) > 28:
            long_.append(f"page {pno}: {cells(l):g} cells: {text(l)!r}")
        if strict and not on_char_grid(l[:1]):
            loose.append(f"page {pno}: {text(l)[:20]!r} starts off the character grid at {l[0].x:.2f}")
    say(lines and not off, f"{name}: {len(lines)} body and heading lines, each centred on a grid line "
        f"(pitch {PITCH:.3f} pt from the type area's top at {TOP:.2f} pt, within 0.1 pt)", off)
    say(lines and not out, f"{name}: no body or heading line leaves the type area "
        f"({LEFT / MM:.0f} mm to {RIGHT / MM:.0f} mm)", out)
    say(lines and not long_, f"{name}: at most 28 characters a line (a half-width digit or letter half)", long_)
    if strict:
        say(not loose, f"{name}: every line starts on the character grid (cell {CELL:.3f} pt)", loose)


def body_lines(pages):
    return [(n, l) for n, page in enumerate(pages, 1) for l in page if is_size(l, BODY)]


def grid_mode(pdf):
    name = "grid report"
    pages = glyphs.pages(pdf)
    check_page_size(name, pdf)
    check_folios(name, pages)
    lines = body_lines(pages)
    check_lines(name, lines, True)
    # every glyph in its cells, but on a line that lacks a cell or more of 28 (a number or a
    # mark kept whole on the next line) and is stretched to the right edge (justified)
    exact = [l for _, l in lines if on_char_grid(l)]
    loose = [f"{cells(l):g} cells ({rounded(l)} rounded): {text(l)}" for _, l in lines
             if not on_char_grid(l) and (rounded(l) == 28 or rounded(l) < 28 and abs(l[-1].x1 - RIGHT) > 0.2)]
    say(len(exact) >= 0.6 * len(lines) and not loose,
        f"{name}: {len(exact)} of {len(lines)} lines have every Chinese character and mark centred in its cell "
        "(at least 60%); the others lack a cell or more (a number or a mark kept whole on the next line) and "
        "are justified to the type area's right edge, or hold more half-cell runs of digits than they have "
        "room to round up", loose)
    full = [l for _, l in lines if rounded(l) == 28 and l[0].x < LEFT + CELL]
    say(len(full) >= 10 and all(abs(l[-1].x1 - RIGHT) < CELL / 2 and abs(l[0].x - LEFT) < CELL / 2 for l in full),
        f"{name}: {len(full)} lines of 28 cells (digits and Latin letters half a cell, a run of them rounded "
        f"up to whole cells), each from the type area's left edge to its right ({LEFT / MM:.1f} to "
        f"{RIGHT / MM:.1f} mm)")
    # a page of body text only: 22 lines, a constant pitch, filling the type area
    fulls = [n for n, page in enumerate(pages, 1)
             if n > 1 and len([l for l in page if is_size(l, BODY)]) == 22]
    say(len(fulls) >= 2, f"{name}: 22 body lines on each full page (pages {fulls})",
        [f"page {n}: {len([l for l in p if is_size(l, BODY)])} lines" for n, p in enumerate(pages, 1)])
    bad = []
    for n in fulls:
        ls = [l for l in pages[n - 1] if is_size(l, BODY)]
        gaps = [b[0].y - a[0].y for a, b in zip(ls, ls[1:])]
        if max(abs(g - PITCH) for g in gaps) > 0.1:
            bad.append(f"page {n}: pitches {min(gaps):.3f}..{max(gaps):.3f} pt")
        top, bottom = centre(ls[0]) - PITCH / 2, centre(ls[-1]) + PITCH / 2
        if abs(top - TOP) > MM or abs(bottom - BOTTOM) > MM:
            bad.append(f"page {n}: the lines fill {top / MM:.2f}..{bottom / MM:.2f} mm, not 37..262 mm")
        if abs(min(l[0].x for l in ls) - LEFT) > MM or abs(max(l[-1].x1 for l in ls) - RIGHT) > MM:
            bad.append(f"page {n}: the lines span {min(l[0].x for l in ls) / MM:.2f}.."
                       f"{max(l[-1].x1 for l in ls) / MM:.2f} mm, not 28..184 mm")
    say(fulls and not bad, f"{name}: on a full page the 22 lines are {PITCH:.3f} pt apart (within 0.1 pt) "
        "and fill the type area, 156 x 225 mm at 37 mm from the top and 28 mm from the left (within 1 mm)", bad)
    # the ladder and its faces
    ladder = r"[一二三四五六七八九十]+、|（[一二三四五六七八九十]+）|\d+\.(?!\d)|（\d+）"
    heads = [(text(l), l[0].font) for _, l in lines if re.match(ladder, text(l))]
    want = ["一、", "（一）", "（二）", "二、", "（一）", "1.", "（1）", "（2）", "2."]
    got = [re.match(ladder, t).group(0) for t, _ in heads]
    say(got == want, f"{name}: heading numbers {' '.join(want)} generated in order", [str(got)])

    def face_of(t):
        return "heading1" if re.match(r"[一二三四五六七八九十]+、", t) else \
            "heading2" if re.match(r"（[一二三四五六七八九十]+）", t) else "body"
    bad = [f"{t!r} in {f}" for t, f in heads if not re.search(FACES[face_of(t)], f)]
    say(heads and not bad, f"{name}: level-1 headings in 黑体 ({FACES['heading1']}), level-2 in 楷体 "
        f"({FACES['heading2']}), levels 3 and 4 in the body face", bad)
    body = [l for _, l in lines if not re.match(ladder, text(l))]
    bad = sorted({l[0].font for l in body if not re.search(FACES["body"], l[0].font)})
    say(body and not bad, f"{name}: body text in 仿宋 ({FACES['body']})", bad)
    titles = [l for page in pages[:1] for l in page if is_size(l, 22)]
    say(titles and all(re.search(FACES["title"], l[0].font) for l in titles),
        f"{name}: the title in 2号 (22 pt) 小标宋 ({FACES['title']})", [l[0].font for l in titles])


def briefing_mode(pdfs):
    for pdf in pdfs:
        name = re.sub(r".*/", "", pdf)
        pages = glyphs.pages(pdf)
        check_page_size(name, pdf)
        check_folios(name, pages)
        lines = [(n, l) for n, l in body_lines(pages) if on_char_grid(l)]
        check_lines(name, lines, False)
        say(len(lines) >= 10, f"{name}: {len(lines)} lines set on the character grid (at least 10)")
        heads = [text(l) for _, l in lines if re.match(r"[一二三四五六七八九十]+、", text(l))]
        nums = [re.match(r"([^、]+)、", h).group(1) for h in heads]
        want = list("一二三四五六七八九")[:len(nums)]
        say(len(nums) >= 3 and nums == want, f"{name}: level-1 headings numbered {'、'.join(want)}、 in order",
            heads)


if __name__ == "__main__":
    mode, pdfs = sys.argv[2], sys.argv[3:]
    if mode == "grid":
        grid_mode(pdfs[0])
    else:
        briefing_mode(pdfs)
    sys.exit(tap.status())
