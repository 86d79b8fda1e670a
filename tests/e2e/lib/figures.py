#!/usr/bin/env python3
"""figures.py: checks a rendered batch of briefings against its data folder.

  figures.py totals DATA OUT     the donut's total (the figure under 列明合计 / "Total
                                 listed") of every county equals the disjoint sum of its
                                 allocations and projects: the amounts no other counted
                                 amount contains (part_of; without that column the older
                                 其中 rule, as docs/data.md says)
  figures.py wording DATA OUT    no generated sentence reads wrong (see BAD below); the
                                 training count agrees with the training table's rows;
                                 an English briefing with Chinese in it has the note

Prints one line per finding ("COUNTY: what"), and "checked N" last; exit status 1 when it
found something. OUT holds <id>-<name>.pdf (or .en.pdf) per county.
"""
import csv
import os
import re
import sys
from collections import defaultdict

LABEL = {"allocations": "purpose", "projects": "project", "training": "program"}


def rows(data, table):
    path = os.path.join(data, table + ".csv")
    if not os.path.exists(path):
        return [], False
    with open(path, encoding="utf-8-sig", newline="") as f:
        r = list(csv.DictReader(f))
    has = bool(r) and "part_of" in r[0]
    by = defaultdict(list)
    for row in r:
        row["_table"] = table
        by[row["county_id"]].append(row)
    return by, has


def num(s):
    try:
        return float(s)
    except (TypeError, ValueError):
        return None


def link(tables):
    """tables: {name: [rows of one county]} -> whole (id(row) -> row)."""
    ids, whole = {}, {}
    for t, rs in tables.items():
        for r in rs:
            if r.get("id"):
                ids[r["id"]] = r
    for t, rs in tables.items():
        above = {}
        for r in rs:
            label = r.get(LABEL[t]) or ""
            ref = r.get("part_of") or ""
            w = ids.get(ref) if ref else (above.get(r.get("period")) if label.startswith("其中") else None)
            if w is not None:
                whole[id(r)] = w
            if not label.startswith("其中"):
                above[r.get("period")] = r
    return whole


def disjoint(tables, key):
    whole = link(tables)
    total = 0.0
    for rs in tables.values():
        for r in rs:
            v = num(r.get(key))
            if v is None:
                continue
            w, inside = whole.get(id(r)), False
            while w is not None:
                if num(w.get(key)) is not None:
                    inside = True
                    break
                w = whole.get(id(w))
            if not inside:
                total += v
    return total


def text(pdf):
    """The PDF's text (PyMuPDF: a pdftotext per PDF is a process each, slow over 600)."""
    import fitz
    with fitz.open(pdf) as doc:
        return "\n".join(page.get_text() for page in doc)


ZH_UNIT = {"元": 1, "万元": 1e4, "亿元": 1e8, "万亿元": 1e12}
EN_UNIT = {"": 1, "thousand": 1e3, "million": 1e6, "billion": 1e9, "trillion": 1e12}


def hole_text(pdf):
    """The text in the donut's hole: the total's label and the line below it, centred on it
    (PyMuPDF words; the content stream's order puts legend rows in between)."""
    import fitz
    with fitz.open(pdf) as doc:
        for page in doc:
            words = page.get_text("words")
            for i, w in enumerate(words):
                if w[4] not in ("列明合计", "Total"):
                    continue
                if w[4] == "Total" and not (i + 1 < len(words) and words[i + 1][4] == "listed"):
                    continue
                x0 = w[0]
                x1 = words[i + 1][2] if w[4] == "Total" else w[2]
                mid, cy, below = (x0 + x1) / 2, (w[1] + w[3]) / 2, []
                for v in words: # boxes of CJK faces overlap: compare their centres
                    c, vy = (v[0] + v[2]) / 2, (v[1] + v[3]) / 2
                    if cy + 2 < vy < cy + 35 and abs(c - mid) < 45:
                        below.append(v)
                below.sort(key=lambda v: (round(v[1]), v[0]))
                return ("列明合计 " if w[4] != "Total" else "Total listed ") + " ".join(v[4] for v in below)
    return ""


def shown_total(t):
    """The figure under the donut's total label, in yuan, and its last digit's half."""
    m = re.search(r"列明合计\s*([\d.,]+)\s*(万亿元|亿元|万元|元)", t)
    if m:
        s, unit = m.group(1).replace(",", ""), ZH_UNIT[m.group(2)]
    else:
        m = re.search(r"Total listed\s*CNY ([\d.,]+)\s*(thousand|million|billion|trillion|m|bn)?", t)
        if not m:
            return None, None
        u = {"m": "million", "bn": "billion"}.get(m.group(2) or "", m.group(2) or "")
        s, unit = m.group(1).replace(",", ""), EN_UNIT[u]
    dec = len(s.split(".")[1]) if "." in s else 0
    return float(s) * unit, 0.5 * unit * 10 ** -dec


def pdfs(out):
    for f in sorted(os.listdir(out)):
        if f.endswith(".pdf"):
            yield f.split("-", 1)[0], os.path.join(out, f)


def totals(data, out):
    alloc, _ = rows(data, "allocations")
    proj, _ = rows(data, "projects")
    bad = n = 0
    for cid, pdf in pdfs(out):
        tables = {"allocations": alloc.get(cid, []) if alloc else [], "projects": proj.get(cid, []) if proj else []}
        want = disjoint(tables, "amount")
        got, half = shown_total(hole_text(pdf))
        n += 1
        if want == 0 and got is None:
            continue
        if got is None:
            print(f"{cid}: no donut total, the disjoint sum is {want:.0f}")
            bad += 1
        elif abs(got - want) > half + 0.01:
            more = " (an overlapping sum labelled a total)" if got > want else ""
            print(f"{cid}: the donut's total is {got:.0f}, the disjoint sum {want:.0f}{more}")
            bad += 1
    print(f"checked {n}")
    return bad


# sentences that read wrong, in any briefing
BAD = [
    (re.compile(r"截至\d{4}年?[—–-]+\d{4}"), "截至 with a range"),
    (re.compile(r"截至(近年|累计|近两年)"), "截至 with a span"),
    (re.compile(r"单笔最大的一期"), "单笔最大的一期"),
    (re.compile(r"the largest \("), "English 'the largest (' naming a kind"),
    (re.compile(r"By \d{4}[–-]\d{4}"), "English 'By' with a range"),
    (re.compile(r"By (recent years|cumulative)"), "English 'By' with a span"),
]
NOTE = "Chinese text is kept untranslated, as the data gives it"
NOTE_SHORT = "Chinese text kept untranslated)"  # a condensed template's sources title
CJK = re.compile(r"[\u3400-\u9fff]")
EN_NUM = {"one": 1}


def wording(data, out):
    training, _ = rows(data, "training")
    bad = n = 0
    for cid, pdf in pdfs(out):
        n += 1
        t = text(pdf)
        flat = re.sub(r"\s+", "", t)          # Chinese: line breaks and thin spaces out
        words = re.sub(r"\s+", " ", t)        # English: one space
        found = []
        for rx, what in BAD:
            m = rx.search(flat) or rx.search(words)
            if m:
                found.append(f"{what}: {m.group(0)}")
        nrows = len(training.get(cid, [])) if training else 0
        m = re.search(r"数据记录了(?:“[^”]*”)?(\d+)项培训(?:（表中另列其中的(\d+)个分项）)?", flat)
        if nrows and not m and not re.search(r"The data records [\d,one]+ training", words):
            found.append("no sentence counts the training rows (has its wording changed? then change this test)")
        if m:
            said = int(m.group(1)) + int(m.group(2) or 0)
            if said != nrows:
                found.append(f"the summary counts {said} training rows ({m.group(0)}), the table has {nrows}")
        m = re.search(r"The data records ([\d,]+|one) training programmes?", words)
        if m:
            g = re.search(r"The table also lists ([\d,]+|one) groups? within", words)
            said = int(EN_NUM.get(m.group(1), m.group(1).replace(",", "")))
            said += int(EN_NUM.get(g.group(1), g.group(1).replace(",", ""))) if g else 0
            if said != nrows:
                found.append(f"the summary counts {said} training rows ({m.group(0)}), the table has {nrows}")
        if pdf.endswith(".en.pdf") and CJK.search(t) and NOTE not in words and NOTE_SHORT not in words:
            found.append("Chinese text in the English briefing without the note that says so")
        for f in found:
            print(f"{cid}: {f}")
        bad += len(found)
    print(f"checked {n}")
    return bad


if __name__ == "__main__":
    what, data, out = sys.argv[1:4]
    sys.exit(1 if {"totals": totals, "wording": wording}[what](data, out) else 0)
