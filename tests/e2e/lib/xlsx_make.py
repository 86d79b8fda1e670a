#!/usr/bin/env python3
"""xlsx_make.py: turns a folder of CSV files into a real .xlsx workbook (Office Open XML,
standard library only), for the xlsx plugin's tests.

    xlsx_make.py [options] CSV_DIR OUT.xlsx

One worksheet per CSV file, named after the file (`projects.csv` -> sheet `projects`), in
file-name order; the CSV's first record is row 1. Cells are written as Excel writes them:
text as shared strings, numbers as numbers, empty cells left out, rows with no value left
out (so row numbers skip, as in a real workbook). A number is written as a number only
when the host would give the same text back (`468`, `16.47`, not `007` or `1.50`), so a
CSV folder and its workbook hold the same data.

Options:
  --strings inline     write text as inline strings (t="inlineStr") instead of shared ones
  --date1904           use the 1904 date system (workbookPr date1904="1")
  --offset R,C         move every table down R rows and right C columns
  --markers            read cells of the form {kind:payload} as special cells:
                         {date:2021-03-04}        a date serial styled m/d/yyyy (numFmtId 14)
                         {datecn:2021-03-04}      styled yyyy"年"m"月"d"日" (custom numFmt)
                         {datetime:2021-03-04 12:30:00}  styled m/d/yyyy h:mm (numFmtId 22)
                         {time:12:30:00}          styled h:mm:ss (numFmtId 21)
                         {elapsed:30:00:00}       styled [h]:mm:ss (custom)
                         {days:1234}              a number styled #,##0" days" (not a date)
                         {serial:N@STYLE}         number N with style STYLE (date, datecn,
                                                  datetime, time, elapsed, days, fixed)
                         {inline:text}            an inline string
                         {rich:a|b|c}             a shared string of rich-text runs a, b, c
                         {bool:1}                 a boolean
                         {error:#DIV/0!}          an error value
                         {str:text}               a formula with a string result
                         {formula:SUM(A1:A2)}     a formula with no saved result
                         {text:007}               text even though it looks like a number
                         {num:1.5E+3}             this exact <v> as a number
  --replace PART OLD NEW   after writing, replace the text OLD by NEW in zip entry PART
                       (`sheet:NAME` means that sheet's part); repeatable
  --pad-mib N          pad the first sheet's XML with N MiB of spaces (a zip bomb test)
"""
import argparse
import csv
import datetime
import math
import os
import re
import sys
import zipfile

NS_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
NS_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
NS_PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
REL_TYPE = NS_REL + "/"
CT_MAIN = "application/vnd.openxmlformats-officedocument.spreadsheetml."

# style index (cellXfs position) of each styled kind; see STYLES below
STYLE = {"date": 1, "datecn": 2, "datetime": 3, "time": 4, "elapsed": 5, "days": 6, "fixed": 7}

STYLES = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<styleSheet xmlns="%s">
<numFmts count="3"><numFmt numFmtId="164" formatCode="yyyy&quot;年&quot;m&quot;月&quot;d&quot;日&quot;"/><numFmt numFmtId="165" formatCode="[h]:mm:ss"/><numFmt numFmtId="166" formatCode="#,##0&quot; days&quot;"/></numFmts>
<fonts count="1"><font><sz val="11"/><name val="Calibri"/></font></fonts>
<fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill></fills>
<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>
<cellStyleXfs count="2"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/><xf numFmtId="14" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>
<cellXfs count="8"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/><xf numFmtId="14" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/><xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/><xf numFmtId="22" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/><xf numFmtId="21" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/><xf numFmtId="165" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/><xf numFmtId="166" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/><xf numFmtId="2" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/></cellXfs>
<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>
</styleSheet>
""" % NS_MAIN

NUMBER = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?")
ESCAPE_LIKE = re.compile(r"_(x[0-9A-Fa-f]{4}_)")
MARKER = re.compile(r"\{([a-z0-9]+):(.*)\}", re.S)


def fail(msg):
    sys.exit("xlsx_make.py: " + msg)


def host_number_text(v):
    """The text countybrief gives a number in a text column (core/data.c number_text)."""
    if v == 0:
        return "0"
    if v == math.floor(v) and abs(v) <= 2 ** 53:
        return "%.0f" % v
    return "%.15g" % v


def as_number(s):
    """The number s is, when writing it as one loses nothing; else None."""
    if not NUMBER.fullmatch(s):
        return None
    v = float(s)
    if not math.isfinite(v) or host_number_text(v) != s:
        return None
    return v


def xml_text(s):
    """Text for an element: XML-escaped, with OOXML _xHHHH_ escapes for control characters
    and for a literal that looks like one (as Excel writes them)."""
    s = ESCAPE_LIKE.sub(r"_x005F_\1", s)
    s = "".join(c if c in "\t\n\r" or ord(c) >= 0x20 else "_x%04X_" % ord(c) for c in s)
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def xml_attr(s):
    return xml_text(s).replace('"', "&quot;")


def t_elem(s):
    space = ' xml:space="preserve"' if s != s.strip() or "\n" in s else ""
    return "<t%s>%s</t>" % (space, xml_text(s))


def col_name(c):
    """1 -> A, 28 -> AB"""
    out = ""
    while c:
        c, r = divmod(c - 1, 26)
        out = chr(65 + r) + out
    return out


def serial(day, date1904):
    if date1904:
        return (day - datetime.date(1904, 1, 1)).days
    n = (day - datetime.date(1899, 12, 31)).days
    return n + 1 if day >= datetime.date(1900, 3, 1) else n  # Excel's 1900-02-29


def seconds(hms):
    h, m, s = (int(x) for x in hms.split(":"))
    return h * 3600 + m * 60 + s


class Book:
    def __init__(self, args):
        self.args = args
        self.sst = []
        self.sst_index = {}
        self.sst_refs = 0

    def shared(self, key, xml):
        self.sst_refs += 1
        if key not in self.sst_index:
            self.sst_index[key] = len(self.sst)
            self.sst.append(xml)
        return self.sst_index[key]

    def text_cell(self, ref, s):
        if self.args.strings == "inline":
            return '<c r="%s" t="inlineStr"><is>%s</is></c>' % (ref, t_elem(s))
        return '<c r="%s" t="s"><v>%d</v></c>' % (ref, self.shared(("t", s), t_elem(s)))

    def number_cell(self, ref, v_text, style=None):
        s = ' s="%d"' % STYLE[style] if style else ""
        return '<c r="%s"%s><v>%s</v></c>' % (ref, s, v_text)

    def marker_cell(self, ref, kind, p, where):
        d1904 = self.args.date1904
        if kind in ("date", "datecn"):
            day = datetime.date.fromisoformat(p)
            return self.number_cell(ref, str(serial(day, d1904)), kind)
        if kind == "datetime":
            day, hms = p.split(" ")
            v = serial(datetime.date.fromisoformat(day), d1904) + seconds(hms) / 86400
            return self.number_cell(ref, repr(v), kind)
        if kind in ("time", "elapsed"):
            return self.number_cell(ref, repr(seconds(p) / 86400), kind)
        if kind == "days":
            return self.number_cell(ref, p, "days")
        if kind == "serial":
            v, style = p.split("@")
            return self.number_cell(ref, v, style)
        if kind == "inline":
            return '<c r="%s" t="inlineStr"><is>%s</is></c>' % (ref, t_elem(p))
        if kind == "rich":
            runs = "".join('<r><rPr><b/></rPr>%s</r>' % t_elem(run) for run in p.split("|"))
            # a phonetic run, which is not part of the text
            runs += '<rPh sb="0" eb="1"><t>PHONETIC</t></rPh>'
            return '<c r="%s" t="s"><v>%d</v></c>' % (ref, self.shared(("r", p), runs))
        if kind == "bool":
            return '<c r="%s" t="b"><v>%s</v></c>' % (ref, p)
        if kind == "error":
            return '<c r="%s" t="e"><f>1/0</f><v>%s</v></c>' % (ref, xml_text(p))
        if kind == "str":
            return '<c r="%s" t="str"><f>"%s"</f><v>%s</v></c>' % (ref, xml_text(p), xml_text(p))
        if kind == "formula":
            return '<c r="%s"><f>%s</f></c>' % (ref, xml_text(p))
        if kind == "text":
            return self.text_cell(ref, p)
        if kind == "num":
            return self.number_cell(ref, p)
        fail("%s: unknown marker {%s:...}" % (where, kind))

    def sheet_xml(self, path):
        dr, dc = self.args.offset
        rows = []
        with open(path, newline="", encoding="utf-8-sig") as f:
            for i, record in enumerate(csv.reader(f, strict=True)):
                r = i + 1 + dr
                cells = []
                for j, value in enumerate(record):
                    if value == "":
                        continue  # a missing cell is an empty cell
                    ref = "%s%d" % (col_name(j + 1 + dc), r)
                    m = MARKER.fullmatch(value) if self.args.markers else None
                    if m:
                        cells.append(self.marker_cell(ref, m.group(1), m.group(2),
                                                      "%s:%d" % (path, i + 1)))
                    elif as_number(value) is not None:
                        cells.append(self.number_cell(ref, value))
                    else:
                        cells.append(self.text_cell(ref, value))
                if cells:  # rows with no value are left out
                    rows.append('<row r="%d">%s</row>' % (r, "".join(cells)))
        return ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
                '<worksheet xmlns="%s" xmlns:r="%s"><sheetData>%s</sheetData></worksheet>\n'
                % (NS_MAIN, NS_REL, "\n".join(rows)))

    def sst_xml(self):
        items = "".join("<si>%s</si>" % x for x in self.sst)
        return ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
                '<sst xmlns="%s" count="%d" uniqueCount="%d">%s</sst>\n'
                % (NS_MAIN, self.sst_refs, len(self.sst), items))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("csv_dir")
    ap.add_argument("out")
    ap.add_argument("--strings", choices=("shared", "inline"), default="shared")
    ap.add_argument("--date1904", action="store_true")
    ap.add_argument("--markers", action="store_true")
    ap.add_argument("--offset", default="0,0")
    ap.add_argument("--replace", nargs=3, action="append", default=[], metavar=("PART", "OLD", "NEW"))
    ap.add_argument("--pad-mib", type=int, default=0)
    args = ap.parse_args()
    args.offset = tuple(int(x) for x in args.offset.split(","))

    names = sorted(f for f in os.listdir(args.csv_dir) if f.endswith(".csv"))
    if not names:
        fail("%s: no .csv files" % args.csv_dir)
    book = Book(args)
    sheets = []  # (name, part, xml)
    for i, f in enumerate(names, 1):
        name = f[:-4]
        if len(name) > 31 or re.search(r"[\[\]:*?/\\]", name):
            fail("%s: not a valid sheet name" % name)
        sheets.append((name, "xl/worksheets/sheet%d.xml" % i,
                       book.sheet_xml(os.path.join(args.csv_dir, f))))

    workbook = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
                '<workbook xmlns="%s" xmlns:r="%s"><workbookPr%s/><sheets>%s</sheets></workbook>\n'
                % (NS_MAIN, NS_REL, ' date1904="1"' if args.date1904 else "",
                   "".join('<sheet name="%s" sheetId="%d" r:id="rId%d"/>' % (xml_attr(n), i, i)
                           for i, (n, _, _) in enumerate(sheets, 1))))
    k = len(sheets)
    wb_rels = "".join('<Relationship Id="rId%d" Type="%sworksheet" Target="worksheets/sheet%d.xml"/>'
                      % (i, REL_TYPE, i) for i in range(1, k + 1))
    wb_rels += '<Relationship Id="rId%d" Type="%sstyles" Target="styles.xml"/>' % (k + 1, REL_TYPE)
    if book.sst:
        wb_rels += ('<Relationship Id="rId%d" Type="%ssharedStrings" Target="sharedStrings.xml"/>'
                    % (k + 2, REL_TYPE))
    overrides = "".join('<Override PartName="/%s" ContentType="%sworksheet+xml"/>' % (p, CT_MAIN)
                        for _, p, _ in sheets)
    if book.sst:
        overrides += ('<Override PartName="/xl/sharedStrings.xml" ContentType="%ssharedStrings+xml"/>'
                      % CT_MAIN)
    parts = {
        "[Content_Types].xml":
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/xl/workbook.xml" ContentType="%ssheet.main+xml"/>'
            '<Override PartName="/xl/styles.xml" ContentType="%sstyles+xml"/>%s</Types>\n'
            % (CT_MAIN, CT_MAIN, overrides),
        "_rels/.rels":
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<Relationships xmlns="%s"><Relationship Id="rId1" Type="%sofficeDocument" '
            'Target="xl/workbook.xml"/></Relationships>\n' % (NS_PKG_REL, REL_TYPE),
        "xl/workbook.xml": workbook,
        "xl/_rels/workbook.xml.rels":
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<Relationships xmlns="%s">%s</Relationships>\n' % (NS_PKG_REL, wb_rels),
        "xl/styles.xml": STYLES,
    }
    if book.sst:
        parts["xl/sharedStrings.xml"] = book.sst_xml()
    for _, p, x in sheets:
        parts[p] = x

    for part, old, new in args.replace:
        if part.startswith("sheet:"):
            found = [p for n, p, _ in sheets if n == part[6:]]
            if not found:
                fail("--replace: no sheet %s" % part[6:])
            part = found[0]
        if part not in parts or old not in parts[part]:
            fail("--replace: %r is not in %s" % (old, part))
        parts[part] = parts[part].replace(old, new)

    with zipfile.ZipFile(args.out, "w", zipfile.ZIP_DEFLATED) as z:
        for part, text in parts.items():
            if args.pad_mib and part == sheets[0][1]:
                head, tail = text.split("<sheetData>", 1)
                with z.open(part, "w") as f:
                    f.write((head + "<sheetData>").encode())
                    block = b" " * (1 << 20)
                    for _ in range(args.pad_mib):
                        f.write(block)
                    f.write(tail.encode())
            else:
                z.writestr(part, text.encode("utf-8"))


if __name__ == "__main__":
    main()
