#!/usr/bin/env python3
"""Writes the seed corpora in tests/fuzz/corpus/<harness>/ from the example data, the test
fixtures and a few hand-made documents, in each harness's input format (see the comment at
the top of each fuzz_*.c). Run it again after changing a format:

    python3 tests/fuzz/make_seeds.py
"""
import os
import struct

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
CORPUS = os.path.join(HERE, "corpus")

# fuzz_csv.c: table_names, in order
TABLES = ["counties", "schema", "projects", "funds", "towns", "notes", "indicators", "a"]


def write(harness, name, data):
    d = os.path.join(CORPUS, harness)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


def head(path, lines):
    with open(path, "rb") as f:
        return b"".join(f.readlines()[:lines])


def chunks(files):
    """Mode 2/3 payload: [name byte]CSV, NUL-separated."""
    out = []
    for stem, data in files:
        # the name byte is taken modulo 8; never 0, which separates tables
        out.append(bytes([TABLES.index(stem) + 8]) + data)
    return b"\0".join(out)


def csv_seeds():
    ex = os.path.join(ROOT, "examples", "data")
    for f in sorted(os.listdir(ex)):
        write("fuzz_csv", "raw-" + f, b"\x00" + head(os.path.join(ex, f), 8))
    write("fuzz_csv", "stop-counties", b"\x05" + head(os.path.join(ex, "counties.csv"), 3))
    write("fuzz_csv", "raw-quoted",
          b"\x00\xef\xbb\xbfa,\"b,c\",\"d\"\"e\"\r\n\"multi\nline\",  x  ,\r\n\"\"\n\n  \n1,2,3")
    dataset = [("counties", head(os.path.join(ex, "counties.csv"), 3)),
               ("schema", head(os.path.join(ex, "schema.csv"), 12)),
               ("projects", head(os.path.join(ex, "projects.csv"), 6)),
               ("indicators", head(os.path.join(ex, "indicators.csv"), 6))]
    write("fuzz_csv", "builder-example", b"\x02\x00" + chunks(dataset))
    write("fuzz_csv", "builder-schema-last", b"\x02\x81" + chunks(dataset[::-1]))
    write("fuzz_csv", "folder-example", b"\x03" + chunks(dataset))
    write("fuzz_csv", "folder-numbers", b"\x03" + chunks([
        ("counties", "county_id,name\n0101,甲县\n0102,乙县\n".encode()),
        ("funds", "county_id,amount,share\n0101,\"1,234,567\",１２．５\n0102, -5 ,1e3\n"
                  "0101,,\n".encode()),
        ("a", "k,v\nx,１，２３４\ny,−7\n".encode())]))
    fx = os.path.join(ROOT, "tests", "fixtures")
    for case in sorted(c for c in os.listdir(fx) if os.path.isdir(os.path.join(fx, c))):
        files = []
        free = [t for t in TABLES]
        for f in sorted(os.listdir(os.path.join(fx, case))):
            p = os.path.join(fx, case, f)
            if f.startswith(".") or not f.endswith(".csv") or not os.path.isfile(p):
                continue
            stem = f[:-4] if f[:-4] in free else free[-1]
            free.remove(stem)
            with open(p, "rb") as fh:
                whole = fh.read()
            files.append((stem, whole if len(whole) < 4096 else head(p, 8)))
        if files:
            write("fuzz_csv", "folder-fixture-" + case, b"\x03" + chunks(files))


def numfmt_seeds():
    # [function][decimals][buffer size][unit][qualifier] then fz_double: [selector][...]
    def special(i):
        return bytes([0, i])
    seeds = {
        "yuan-405000000": bytes([0, 2, 100, 0, 4]) + special(20),
        "yuan-99995000": bytes([0, 2, 5, 0, 4]) + special(18),
        "wan-tiny-buffer": bytes([1, 2, 3, 0, 4]) + special(21),
        "count-yu": bytes([2, 0, 200, 1, 0]) + special(13),
        "count-jin": bytes([2, 0, 9, 2, 2]) + special(23),
        "percent": bytes([3, 1, 50, 0, 0]) + special(10),
        "thousands": bytes([4, 0, 50, 0, 0]) + special(45),
        "decimal-raw": bytes([5, 20, 255, 0, 0, 1]) + struct.pack(">d", 2.675),
        "decimal-huge": bytes([5, 2, 30, 0, 0]) + special(31),
        "count-own-unit": bytes([2, 2, 40, 0xF0, 0xF1]) + special(24) + b"\x06\xe4\xba\xba\xe6\xac\xa1" + b"\x03\xe7\xba\xa6",
    }
    for name, data in seeds.items():
        write("fuzz_numfmt", name, data)


def wrap_seeds():
    # [flags][width/2][first width/2][ascii][cjk][space][other] then the text;
    # ascii 7 -> 5.25 pt, cjk 13 -> 9.75 pt, space 3 -> 2.25 pt
    texts = {
        "cjk": "对口支援精准发力助推发展",
        "punct": "援建项目，培训人才。资金、项目）完成",
        "open": "援助资金（亿元）见文《规划》",
        "latin": "GDP growth 6.5% 增长GDP 6.5%",
        "units": "毕业生1104人，无偿援助资金4.05亿元",
        "hard": "第一行\n第二行\r\n第三行  \n\n",
        "long": "2020年，忠县将山东省、沈阳市援助的资金统筹用于基层公共卫生能力、贫困村产业发展、"
                "农村饮水、教育、交通出行等工作（共20余个项目），other words here。",
        "url": "https://example.org/countybrief/docs/templates.md?section=header",
    }
    for name, t in texts.items():
        write("fuzz_wrap", name, bytes([0, 40, 36, 7, 13, 3, 1]) + t.encode())
    write("fuzz_wrap", "alphabet", bytes([1, 20, 18, 7, 13, 3, 1]) + bytes(range(0, 256, 3)))
    write("fuzz_wrap", "hanging", bytes([2, 20, 60, 7, 13, 3, 1]) + texts["long"].encode())


# fuzz_document.c's text(): [head: pieces-1 | 0xFF = NULL] then per piece a tag:
# 0x00|n raw n bytes, 0x40|n n alphabet bytes, 0x80 run [count][glyph], 0xC0|i phrase i
def text(s):
    b = s.encode() if isinstance(s, str) else s
    pieces = [b[i:i + 63] for i in range(0, len(b), 63)][:4] or [b""]
    return bytes([len(pieces) - 1]) + b"".join(bytes([len(p)]) + p for p in pieces)


def phrase(i):
    return bytes([0, 0xC0 | i])


NULL = b"\xff"


def dbl(x):
    return b"\x01" + struct.pack(">d", x)


def document_seeds():
    title = b"\x00" + text("忠县对口支援工作简报") + text("2020年度")
    heading = b"\x01\x00" + text("一、总体情况")
    para = b"\x02" + phrase(0)
    kpis = b"\x03\x04" + b"".join(text(v) + text(l) for v, l in
                                  [("4.05亿元", "无偿援助资金"), ("468个", "援建项目"),
                                   ("2396余人次", "人才培训"), ("近20万人", "受益群众")])
    # columns: title, width selector (>= 200: a double follows), alignment
    table = (b"\x04\x02\x03" + text("项目") + b"\xd0\x02\x04" + b"\x00"
             + text("金额（万元）") + b"\x80\x01" + text("备注") + b"\x00\x02"
             + b"".join(text(c) for c in ["忠县长江大桥", "8400", "交通",
                                          "鲁忠医技大楼", "610", "医疗卫生",
                                          "合计", "9010", ""]))
    bars = (b"\x05" + text("援助资金") + text("万元") + b"\x03"
            + text("2019") + b"\x01" + dbl(8400) + NULL
            + text("2020") + b"\x01" + dbl(1800) + text("1800万元")
            + text("2021") + b"\x00\x02\x58" + NULL)
    progress = (b"\x06\x02" + text("十四五无偿援助资金") + text("405%") + text("目标1亿元") + b"\x01" + dbl(1.0)
                + text("培训") + NULL + NULL + b"\x00\x64")
    notes = b"\x07" + text("说明") + b"\x02" + text("数据来源：忠县篇") + phrase(8)
    write("fuzz_document", "briefing", b"\x00\x00" + title + heading + para + kpis + heading
          + table + bars + progress + notes)
    write("fuzz_document", "briefing-template", b"\x01" + bytes([5, 30, 30, 30, 30, 8, 5]) +
          bytes([20, 12, 9, 6, 14, 0xfe, 1]) + phrase(6) + phrase(5) +
          # cell padding 3.5, a cover page with title and subtitle, a watermark
          b"\xf0" + text("封面{title}") + text("忠县") + text("内部资料") +
          b"\x00" + title + para + table)
    write("fuzz_document", "long-table", b"\x00\x00\x04\x08\x18" +
          b"".join(text("列%d" % i) + b"\x00\x01" for i in range(9)) +
          b"".join(phrase(i % 27) if i % 5 == 0 else text(str(i)) for i in range(9 * 24)))
    write("fuzz_document", "headings", b"\x00\x0f" + text("T") + text("S") + text("A") + text("K") +
          b"".join(b"\x01" + bytes([i & 1]) + text("标题%d" % i) + b"\x02" + phrase(i % 27)
                   for i in range(12)))


def encoding_seeds():
    """fuzz_encoding.c: [mode byte] then one table, t.csv, beside counties 1 and 2."""
    ex = os.path.join(ROOT, "examples", "data")
    for stem in ("projects", "towns", "training"):
        utf8 = head(os.path.join(ex, stem + ".csv"), 6).replace(b"500233", b"1").replace(b"500236", b"2")
        text = utf8.decode("utf-8")
        tabbed = text.replace(",", "\t") if '"' not in text else text
        write("fuzz_encoding", stem + "-utf8", b"\x00" + utf8)
        write("fuzz_encoding", stem + "-gb18030", b"\x00" + text.encode("gb18030"))
        write("fuzz_encoding", stem + "-utf16le-tabs", b"\x00\xff\xfe" + tabbed.encode("utf-16-le"))
        write("fuzz_encoding", stem + "-utf16be", b"\x00\xfe\xff" + text.encode("utf-16-be"))
        write("fuzz_encoding", stem + "-forced-gb18030", b"\x01" + text.encode("gb18030"))
        write("fuzz_encoding", stem + "-forced-utf16le", b"\x02" + text.encode("utf-16-le"))
        write("fuzz_encoding", stem + "-convert", b"\x03" + utf8)
    write("fuzz_encoding", "latin1", b"\x00county_id,town\n1,caf\xe9\n")
    write("fuzz_encoding", "utf8-tabs", b"\x00county_id\tname\tnote\n1\t\xe5\xbf\xa0\ta,b\n")
    write("fuzz_encoding", "gb18030-shared", b"\x00" + "地区,金额\n忠县,1\n".encode("gb18030"))

def workbook_seeds():
    """fuzz_workbook.c: a small data folder as .xlsx and .ods, each as zip entries (the form
    the fuzzer mutates best) and as the file itself, and as .xls when xlwt is there. The
    regression inputs (regressions/fuzz_workbook/) are the two workbooks that once expanded
    to gigabytes: write them with tests/e2e/lib/workbook_make.py wide-header / long-string."""
    import io
    import subprocess
    import sys
    import tempfile
    import zipfile

    lib = os.path.join(ROOT, "tests", "e2e", "lib")
    tables = {"counties": "county_id,name\n500233,忠县\n500236,奉节县\n",
              "projects": "county_id,project,amount,year\n500233,忠县长江大桥,84000000,2019\n"
                          "500236,\"脐橙, 花椒\",,2021\n",
              "schema": "table,column,type\nprojects,amount,number\n"}
    with tempfile.TemporaryDirectory() as tmp:
        data = os.path.join(tmp, "data")
        os.mkdir(data)
        for name, text in tables.items():
            with open(os.path.join(data, name + ".csv"), "w", encoding="utf-8") as f:
                f.write(text)
        made = {}
        for kind, tool, args in (("xlsx", "xlsx_make.py", [data]), ("ods", "workbook_make.py", ["ods", data]),
                                 ("xls", "workbook_make.py", ["xls", data])):
            out = os.path.join(tmp, "book." + kind)
            for py in (sys.executable, "/usr/bin/python3"):  # xls: Debian's python3-xlwt
                if subprocess.run([py, os.path.join(lib, tool)] + args + [out],
                                  stderr=subprocess.DEVNULL).returncode == 0:
                    made[kind] = open(out, "rb").read()
                    break
    for kind, form in (("xlsx", 0), ("ods", 1)):
        z = zipfile.ZipFile(io.BytesIO(made[kind]))
        entries = b"\0".join(n.encode() + b"\0" + z.read(n) for n in z.namelist())
        write("fuzz_workbook", kind + "-entries", bytes([4 | form]) + entries)
        write("fuzz_workbook", kind + "-file", bytes([form]) + made[kind])
    if "xls" in made:
        write("fuzz_workbook", "xls-file", b"\x02" + made["xls"])


if __name__ == "__main__":
    csv_seeds()
    encoding_seeds()
    numfmt_seeds()
    wrap_seeds()
    document_seeds()
    workbook_seeds()
