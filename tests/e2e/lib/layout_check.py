#!/usr/bin/env python3
"""layout_check.py: reads a PDF's pages back as a reader sees them (pdftotext -layout, page
by page) and checks how a long paragraph and a long table were laid out. Used by layout.sh.

    layout_check.py paragraph-text OUT.txt
        writes the test paragraph: 2,000+ Chinese characters with ，。、（）《》 punctuation,
        Latin words and numbers ("GDP 增长 6.5%", "4.05亿元"), between two markers
    layout_check.py paragraph FILE.pdf PARA.txt
        the paragraph flows onto a following page, no line of it starts with closing
        punctuation or ends with opening punctuation, no character is lost or doubled, and
        no Latin word or number is split (nor parted from the measure word after it)
    layout_check.py table FILE.pdf NROWS TITLE...
        the table (rows whose first cell is R001, R002..., and whose last cell ends in
        Z001, Z002...) spans several pages, every page it
        spans starts with the header row (all TITLEs right above the first row of that page), and
        every row appears once, whole, and in order
    layout_check.py footer FILE.pdf
        every page's footer reads 第 i 页 / 共 N 页 with N = the page count from pdfinfo

Each check prints "ok - ..." or "FAIL - ..." (details indented below); the exit status is 1
when any check failed.
"""
import re
import subprocess
import sys

import tap

PARA_START = "长段落起始标记："
PARA_END = "长段落结束标记。"
# what a reader must never see: a line that starts with closing punctuation, or that ends
# with opening punctuation (wrap.h: "no line starts with closing punctuation such as ，。、）》
# and none ends with opening punctuation such as （《")
NO_START = "，。、）》"
NO_END = "（《"
WORD_CHAR = re.compile(r"[A-Za-z0-9.%-]")



def report(ok, what, detail=""):
    tap.check(ok, what, detail)


def run(cmd):
    return subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                          check=True).stdout.decode("utf-8")


def page_count(pdf):
    m = re.search(r"^Pages:\s+(\d+)", run(["pdfinfo", pdf]), re.M)
    return int(m.group(1))


def pages_text(pdf):
    """List of pages, each a list of lines of `pdftotext -layout` output."""
    return [run(["pdftotext", "-layout", "-f", str(i), "-l", str(i), pdf, "-"]).splitlines()
            for i in range(1, page_count(pdf) + 1)]


def squash(s):
    return re.sub(r"\s+", "", s)


# ---------------------------------------------------------------- the paragraph

def paragraph_text():
    frags = [
        "全县坚持以项目为抓手，", "GDP 增长 6.5%，", "完成固定资产投资 128.6 亿元。",
        "（含移民安置项目 23 个）", "《对口支援规划》明确提出", "教育、医疗、交通、饮水等民生领域",
        "引进 Internet 电商平台和 logistics 企业，", "年均增速达到 12%。", "群众满意度（抽样调查）超过 95%。",
        "建成 5G 基站 316 座、", "农村公路 1280 公里、", "饮水工程 42 处。", "据《统计公报》显示，",
        "城乡居民人均可支配收入（元）分别为 41250 和 18630，", "同比增长 7.2% 和 8.9%。",
        "产业协作方面，", "花椒、脆李、柑橘等特色产业（共 12 个品种）持续壮大，",
        "通过 O2O 模式销往山东、辽宁等地。", "人才培训累计 2396 人次，", "（其中基层干部 675 人次）",
        "覆盖 AI、Big Data 等新兴领域；", "《乡村振兴实施方案》要求", "到 2025 年实现目标、",
        "巩固拓展脱贫攻坚成果。", "各乡镇（街道）", "按照“一村一品”的思路，", "发展 e-commerce 直播带货，",
        "销售额突破 8200 万元。", "医疗卫生条件明显改善、", "新建卫生院 6 所（含 2 所中心卫生院），",
        "配备 DR、CT 等设备 47 台。", "累计获得援助资金4.05亿元，", "安排援建项目468个、",
        "接收大中专毕业生1104人。", "平均每个项目约86.54万元，",
    ]
    seed, out, n = 20240607, [PARA_START], 0
    while n < 2200:
        seed = (seed * 1103515245 + 12345) % 2 ** 31
        frag = frags[(seed >> 8) % len(frags)]
        out.append(frag)
        n += sum(1 for ch in frag if "\u4e00" <= ch <= "\u9fff")
    out.append("最后一句话。" + PARA_END)
    return "".join(out)


def check_paragraph(pdf, para_file):
    para = open(para_file, encoding="utf-8").read().strip()
    # the running header of pages after the first is the document title
    header = re.search(r"^Title:\s+(.*)$", run(["pdfinfo", pdf]), re.M).group(1).strip()
    npages = page_count(pdf)
    footer = re.compile(r"^\s*第\s*\d+\s*页\s*/\s*共\s*\d+\s*页\s*$")
    lines, first_page, last_page, inside = [], None, None, False
    for pno, page in enumerate(pages_text(pdf), 1):
        for line in page:
            if not inside and PARA_START in line:
                inside, first_page = True, pno
                line = line[line.index(PARA_START):]
            if not inside:
                continue
            stripped = line.strip()
            # page furniture between the two parts: running header (the document title,
            # first line of a page) and footer; blank lines
            if not stripped or footer.match(stripped) or stripped == header:
                continue
            lines.append((pno, stripped))
            if PARA_END in squash("".join(s for _, s in lines[-2:])):  # the marker may wrap
                inside, last_page = False, pno
                break
        if last_page:
            break
    report(first_page is not None and last_page is not None,
           "the long paragraph is found in the text (start and end markers)")
    if first_page is None or last_page is None:
        return
    report(last_page > first_page,
           f"the paragraph flows onto a following page (pages {first_page}-{last_page} of {npages})")
    report(len(lines) >= 40, f"the paragraph is set in many lines ({len(lines)})")
    bad_start = [f"page {p}: {s}" for p, s in lines if s[0] in NO_START]
    report(not bad_start, f"no line of the paragraph starts with any of {NO_START}",
           "\n".join(bad_start))
    bad_end = [f"page {p}: {s}" for p, s in lines if s[-1] in NO_END]
    report(not bad_end, f"no line of the paragraph ends with any of {NO_END}", "\n".join(bad_end))
    got, want = squash("".join(s for _, s in lines)), squash(para)
    if got != want:
        i = next((k for k in range(min(len(got), len(want))) if got[k] != want[k]), min(len(got), len(want)))
        report(False, "the paragraph's characters all appear once, in order",
               f"first difference at character {i}:\n  expected …{want[max(0, i - 20):i + 20]}…\n"
               f"  found    …{got[max(0, i - 20):i + 20]}…")
        return
    report(True, f"the paragraph's {len(want)} characters all appear once, in order")
    # Where each line break falls in the source text: between para[p] and para[q].
    # wrap.h: "Latin words and numbers stay whole when they fit", and wrap.c keeps a number
    # with the measure word right after it ("1104人", "4.05亿元").
    pos = [i for i, ch in enumerate(para) if not ch.isspace()]
    split_words, split_units, k = [], [], 0
    for (pno, line), (_, nxt) in zip(lines, lines[1:]):
        k += len(squash(line))
        p, q = pos[k - 1], pos[k]
        if q != p + 1:
            continue  # a space in the source: breaking there is right
        a, b = para[p], para[q]
        where = f"page {pno}: …{line[-12:]} / {nxt[:12]}…"
        if WORD_CHAR.match(a) and WORD_CHAR.match(b) and a != "-":  # "e-" / "commerce" is fine
            split_words.append(where)
        elif a.isdigit() and "\u4e00" <= b <= "\u9fff":
            split_units.append(where)
    report(not split_words, "no Latin word or number is split between two lines (except after a hyphen)",
           "\n".join(split_words))
    report(not split_units, "no number is split from the measure word after it (1104人)",
           "\n".join(split_units))


# ---------------------------------------------------------------- the table

def check_table(pdf, nrows, titles):
    pages = pages_text(pdf)
    where = {}       # row number -> list of (page, line index) of its start marker
    ends = {}        # row number -> list of pages of its end marker
    for pno, page in enumerate(pages, 1):
        for li, line in enumerate(page):
            for m in re.finditer(r"\bR(\d{3})\b", line):
                where.setdefault(int(m.group(1)), []).append((pno, li))
            for m in re.finditer(r"Z(\d{3})", squash(line)):
                ends.setdefault(int(m.group(1)), []).append(pno)
    missing = [r for r in range(1, nrows + 1) if r not in where]
    doubled = [r for r in range(1, nrows + 1) if len(where.get(r, [])) > 1]
    report(not missing and not doubled, f"each of the {nrows} rows appears exactly once",
           f"missing: {missing}\ndoubled: {doubled}")
    if missing:
        return
    split = [r for r in range(1, nrows + 1) if ends.get(r) != [where[r][0][0]]]
    report(not split, "each row is whole on one page (its first and last cell on the same page)",
           "\n".join(f"row {r}: starts on page {where[r][0][0]}, ends on {ends.get(r)}" for r in split))
    order = [where[r][0] for r in range(1, nrows + 1)]
    report(order == sorted(order), "the rows appear in order")
    first, last = where[1][0][0], where[nrows][0][0]
    report(last > first, f"the table splits across pages ({first}-{last})")
    for pno in range(first, last + 1):
        page = pages[pno - 1]
        rows_here = [li for r in range(1, nrows + 1) for p, li in where[r] if p == pno]
        if not rows_here:
            report(False, f"page {pno}: holds rows of the table")
            continue
        top = min(rows_here)
        # the header row: the (at most two, should a title wrap) text lines right above
        # the page's first row
        above = [line for line in page[:top] if line.strip()][-2:]
        absent = [t for t in titles if t not in squash("".join(above))]
        report(not absent, f"page {pno}: starts with the header row ({' | '.join(titles)})",
               f"not right above the first row: {absent}\n" + "\n".join(above))


# ---------------------------------------------------------------- footer

def check_footer(pdf):
    pages = pages_text(pdf)
    n = len(pages)
    bad = []
    for pno, page in enumerate(pages, 1):
        found = [squash(l) for l in page if re.search(r"第\s*\d+\s*页", l)]
        if found != [f"第{pno}页/共{n}页"]:
            bad.append(f"page {pno}: {found}")
    report(not bad, f"every page's footer reads 第 i 页 / 共 {n} 页 ({n} pages per pdfinfo)",
           "\n".join(bad))


def main(argv):
    if len(argv) == 2 and argv[0] == "paragraph-text":
        with open(argv[1], "w", encoding="utf-8") as fh:
            fh.write(paragraph_text())
        return 0
    if len(argv) == 3 and argv[0] == "paragraph":
        check_paragraph(argv[1], argv[2])
    elif len(argv) >= 4 and argv[0] == "table":
        check_table(argv[1], int(argv[2]), argv[3:])
    elif len(argv) == 2 and argv[0] == "footer":
        check_footer(argv[1])
    else:
        print(__doc__, file=sys.stderr)
        return 2
    return tap.status()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
