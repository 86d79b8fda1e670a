#!/usr/bin/env python3
"""masthead_check.py: a 简报's 报头, 报尾 and table of contents, read back from the PDF with
PyMuPDF (fitz). Prints "ok - ..." or "FAIL - ..." for each check (tests/e2e/masthead.sh
counts them); the type area is given in points from the page's left edge and top.

  masthead_check.py masthead PDF LEFT RIGHT NAME [number=第3期] [office=X] [date=Y]
      page 1 opens with NAME in red, centred on the type area, above everything else; then
      each given part where it belongs (number centred, office at the left, date at the
      right), a part given as "-" absent; a red rule as wide as the type area below them
  masthead_check.py distribution PDF LEFT RIGHT LINE... [-ABSENT...]
      the last page ends with the lines (报：…, （共印 N 份）) in order between two rules;
      no page before it has any; an -ABSENT text is on no page
  masthead_check.py toc PDF NAME...
      the contents list every NAME with the number (its footer's "— N —") of the page its
      heading (the outline's entry) is on
"""
import re
import sys

import fitz

import tap

TOL = 1.5  # points


def say(good, what, why=""):
    tap.check(good, what, why)


def lines(page):
    """The page's text lines, spans on one baseline joined left to right whatever blocks
    fitz put them in: (text, x0, y0, x1, y1, colour of the first span), top to bottom."""
    rows = {}
    for block in page.get_text("dict")["blocks"]:
        for line in block.get("lines", []):
            for s in line["spans"]:
                if s["text"].strip():
                    rows.setdefault(round(s["origin"][1] * 2) / 2, []).append(s)
    out = []
    for y in sorted(rows):
        spans = sorted(rows[y], key=lambda s: s["bbox"][0])
        text = "".join(s["text"] for s in spans).replace(" ", "")
        out.append((text, min(s["bbox"][0] for s in spans), min(s["bbox"][1] for s in spans),
                    max(s["bbox"][2] for s in spans), max(s["bbox"][3] for s in spans), spans[0]["color"]))
    return out


def red(rgb):
    r, g, b = rgb
    return r > 0.8 and g < 0.5 and b < 0.5


def rgb_of(color):
    return ((color >> 16) & 255) / 255, ((color >> 8) & 255) / 255, (color & 255) / 255


def masthead(doc, left, right, name, opts):
    page = doc[0]
    ls = lines(page)
    top = ls[0] if ls else None
    if not top or top[0] != name:
        say(False, f"page 1 opens with {name}", f"first line: {top[0] if top else 'none'}")
        return
    mid = (left + right) / 2
    say(abs((top[1] + top[3]) / 2 - mid) < TOL, f"{name} centred on the type area",
        f"centre {(top[1] + top[3]) / 2:.1f}, type area's {mid:.1f}")
    say(red(rgb_of(top[5])), f"{name} in red", f"#{top[5]:06x}")
    rules = [d["rect"] for d in page.get_drawings()
             if d.get("fill") and red(d["fill"]) and d["rect"].height < 5]
    below = [r for r in rules if r.y0 > top[4]]
    rule = below[0] if below else None
    say(rule is not None and abs(rule.x0 - left) < TOL and abs(rule.x1 - right) < TOL,
        "a red rule as wide as the type area under the masthead",
        f"{rule}" if rule else f"red rules: {rules}")
    rule_y = rule.y0 if rule else page.rect.height
    head = [l for l in ls if l[2] < rule_y]
    texts = [l[0] for l in head]
    num = opts.get("number")
    numbers = [l for l in head if re.fullmatch(r"第\d+期", l[0])]
    if num == "-":
        say(not numbers, "no 第 N 期 when the data has no number", f"{[l[0] for l in numbers]}")
    elif num:
        ok = len(numbers) == 1 and numbers[0][0] == num and abs((numbers[0][1] + numbers[0][3]) / 2 - mid) < TOL
        say(ok, f"{num} centred under the name", f"masthead lines: {texts}")
    em = 16
    for key, side in (("office", "left"), ("date", "right")):
        want = opts.get(key)
        if not want:
            continue
        found = [l for l in head if want != "-" and want in l[0]]
        if want == "-":
            extra = [t for t in texts[1:] if t not in (num,) and not re.fullmatch(r"第\d+期", t)]
            if key == "date":
                extra = [t for t in extra if re.search(r"\d+年\d+月\d+日", t)]
            else:
                extra = [t for t in extra if not re.search(r"\d+年\d+月\d+日", t)]
            say(not extra, f"no {key} in the masthead when the data has none", f"{extra}")
            continue
        if not found:
            say(False, f"{key} {want} in the masthead", f"masthead lines: {texts}")
            continue
        l = found[0]
        ok = abs(l[1] - (left + em)) < TOL + 1 if side == "left" else abs(l[3] - (right - em)) < TOL + 1
        say(ok, f"{key} {want} at the {side}, one character in", f"x {l[1]:.1f}..{l[3]:.1f}")


def distribution(doc, left, right, args):
    want = [a for a in args if not a.startswith("-")]
    absent = [a[1:] for a in args if a.startswith("-")]
    last = doc[len(doc) - 1]
    ls = [l for l in lines(last) if not re.fullmatch(r"—\d+—", l[0])]
    tail = [l[0] for l in ls[-len(want):]] if want else []
    got = [t for t in tail]
    ok = len(tail) == len(want) and all(t.startswith(w.replace(" ", "")) for t, w in zip(tail, want))
    say(ok, "the last page ends with " + " / ".join(want), f"its last lines: {got}")
    for i in range(len(doc) - 1):
        text = doc[i].get_text().replace(" ", "")
        early = [w for w in want if w.replace(" ", "")[:3] in text and w.startswith(("报", "送", "发", "（共印"))]
        say(not early, f"page {i + 1} (not the last) has no distribution line", f"{early}")
    for a in absent:
        hits = [i + 1 for i in range(len(doc)) if a in doc[i].get_text().replace(" ", "")]
        say(not hits, f"no {a} when the data has none", f"on pages {hits}")
    if want:
        bottom = max(l[4] for l in ls[-len(want):])
        rules = [d["rect"] for d in last.get_drawings() if d.get("fill") and d["rect"].height < 2
                 and abs(d["rect"].x0 - left) < TOL and abs(d["rect"].x1 - right) < TOL]
        first_y = min((l[2] for l in ls[-len(want):]), default=0)
        around = [r for r in rules if first_y - 20 < r.y0 < bottom + 12]
        has_lines = any(w.startswith(("报", "送", "发")) for w in want)
        say(not has_lines or len(around) >= 2, "two full-width rules around the 报/送/发 lines",
            f"rules: {rules}")


def folio(doc, pno):
    """The number page pno (from 1) shows in its footer ("— N —"), else None."""
    for l in lines(doc[pno - 1]):
        m = re.fullmatch(r"—(\d+)—", l[0])
        if m:
            return int(m.group(1))
    return None


def toc(doc, names):
    outline = {title: page for level, title, page in doc.get_toc()}
    listed = {}
    for pno in range(len(doc)):
        for l in lines(doc[pno]):
            m = re.fullmatch(r"(.+?)(\d+)", l[0])
            if m and m.group(1) in names and l[3] > doc[pno].rect.width / 2:
                listed.setdefault(m.group(1), int(m.group(2)))
    for n in names:
        if n not in listed:
            say(False, f"the contents list {n}", f"listed: {listed}")
            continue
        shown, on = listed[n], outline.get(n)
        text = doc[on - 1].get_text().replace(" ", "") if on else ""
        say(on is not None and folio(doc, on) == shown and n in text,
            f"the contents give {n} page {shown}, the number of the page its section starts on",
            f"outline: PDF page {on}, numbered {folio(doc, on) if on else None}")


def main(argv):
    doc = fitz.open(argv[2])
    if argv[1] == "masthead":
        opts = dict(a.split("=", 1) for a in argv[6:])
        masthead(doc, float(argv[3]), float(argv[4]), argv[5], opts)
    elif argv[1] == "distribution":
        distribution(doc, float(argv[3]), float(argv[4]), argv[5:])
    elif argv[1] == "toc":
        toc(doc, argv[3:])
    else:
        sys.exit(f"masthead_check.py: unknown check {argv[1]}")


if __name__ == "__main__":
    main(sys.argv)
