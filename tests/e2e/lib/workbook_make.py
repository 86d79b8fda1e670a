#!/usr/bin/env python3
"""workbook_make.py: workbooks for tests/e2e/workbooks.sh (and the fuzz seeds).

    workbook_make.py ods CSV_DIR OUT.ods        a CSV folder as an OpenDocument spreadsheet
    workbook_make.py xls CSV_DIR OUT.xls        ... as an old binary Excel workbook (BIFF8,
                                                with xlwt: Debian python3-xlwt)
    workbook_make.py wide-header OUT.xlsx       a sheet whose header has 16,384 columns over
                                                20,000 one-cell rows (about 190 KB)
    workbook_make.py wide-rows OUT.xlsx         a 1,024-column header over 20,000 one-cell rows
    workbook_make.py long-string OUT.xlsx       one 1 MiB shared string in 20,000 cells
    workbook_make.py long-row OUT.xlsx          one 1 MiB shared string in each cell of
                                                row 1, A1 to XFD1 (16 GiB of text)
    workbook_make.py long-header OUT.xlsx       300 sheets of one part: a header of one 1 MiB
                                                shared string (300 MiB of names, no row)
    workbook_make.py many-sheets OUT.xlsx       100 sheets of one part of 64 MiB of white space
                                                (6.4 GiB to inflate from about 70 KB)
    workbook_make.py long-value OUT.ods         an ODS cell whose office:string-value is 2 MiB
    workbook_make.py ods-raw OUT.ods NAME ROW...  a counties sheet, then sheet NAME of the
                                                rows given as content.xml (<table:table-row>s)

As xlsx_make.py does, one sheet per CSV file, named after it, and a cell is written as a
number only when countybrief would give the same text back (so a folder and its workbook
hold the same data). Standard library only, except xls (xlwt).
"""
import csv
import os
import re
import sys
import zipfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from xlsx_make import as_number, col_name  # noqa: E402

NS = {
    "office": "urn:oasis:names:tc:opendocument:xmlns:office:1.0",
    "table": "urn:oasis:names:tc:opendocument:xmlns:table:1.0",
    "text": "urn:oasis:names:tc:opendocument:xmlns:text:1.0",
    "calcext": "urn:org:documentfoundation:names:experimental:calc:xmlns:calcext:1.0",
}
ODS_MIME = "application/vnd.oasis.opendocument.spreadsheet"


def tables(csv_dir):
    for f in sorted(os.listdir(csv_dir)):
        if f.endswith(".csv"):
            with open(os.path.join(csv_dir, f), newline="", encoding="utf-8-sig") as fh:
                yield f[:-4], list(csv.reader(fh))


def esc(s):
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")


def ods_para(p):
    """A paragraph's text as ODF writes it: white space collapses, so a run of spaces is
    one space and <text:s/> for the rest, a space at the start <text:s/>, a tab <text:tab/>."""
    p = re.sub(r"(?<= ) +|^ ", lambda m: '<text:s text:c="%d"/>' % len(m.group()), esc(p))
    return p.replace("\t", "<text:tab/>")


def ods_cell(v):
    if v == "":
        return "<table:table-cell/>"
    n = as_number(v)
    if n is not None:
        return '<table:table-cell office:value-type="float" office:value="%s"><text:p>%s</text:p></table:table-cell>' % (v, v)
    # a line break is a new paragraph in ODS
    paras = "".join("<text:p>%s</text:p>" % ods_para(p) for p in v.split("\n"))
    return '<table:table-cell office:value-type="string">%s</table:table-cell>' % paras


def write_ods(out, sheets_xml):
    content = ('<?xml version="1.0" encoding="UTF-8"?>\n<office:document-content %s office:version="1.2">'
               "<office:body><office:spreadsheet>%s</office:spreadsheet></office:body></office:document-content>"
               % (" ".join('xmlns:%s="%s"' % kv for kv in NS.items()), sheets_xml))
    manifest = ('<?xml version="1.0" encoding="UTF-8"?>\n<manifest:manifest xmlns:manifest='
                '"urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2">'
                '<manifest:file-entry manifest:full-path="/" manifest:media-type="%s"/>'
                '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
                "</manifest:manifest>" % ODS_MIME)
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr(zipfile.ZipInfo("mimetype"), ODS_MIME, compress_type=zipfile.ZIP_STORED)
        z.writestr("META-INF/manifest.xml", manifest)
        z.writestr("content.xml", content)


def ods(csv_dir, out):
    parts = []
    for name, rows in tables(csv_dir):
        parts.append('<table:table table:name="%s">' % esc(name))
        for r in rows:
            parts.append("<table:table-row>%s</table:table-row>" % "".join(ods_cell(v) for v in r))
        parts.append("</table:table>")
    write_ods(out, "".join(parts))


def xls(csv_dir, out):
    import xlwt

    book = xlwt.Workbook(encoding="utf-8")
    for name, rows in tables(csv_dir):
        sh = book.add_sheet(name)
        for i, r in enumerate(rows):
            for j, v in enumerate(r):
                if v == "":
                    continue
                n = as_number(v)
                sh.write(i, j, n if n is not None else v)
    book.save(out)


def xlsx(out, sheet_rows, strings, names=("big",)):
    """A minimal workbook: one sheet `big` (rows of XML), the shared strings given; with
    more names, each is a sheet of the same part."""
    main = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("xl/workbook.xml", '<workbook xmlns="%s" xmlns:r="%s"><sheets>'
                   '<sheet name="counties" sheetId="1" r:id="rId1"/>%s'
                   "</sheets></workbook>" % (main, rel, "".join(
                       '<sheet name="%s" sheetId="%d" r:id="rId2"/>' % (n, i + 2) for i, n in enumerate(names))))
        z.writestr("xl/_rels/workbook.xml.rels",
                   '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
                   '<Relationship Id="rId1" Type="%s/worksheet" Target="worksheets/sheet1.xml"/>'
                   '<Relationship Id="rId2" Type="%s/worksheet" Target="worksheets/sheet2.xml"/>'
                   '<Relationship Id="rId3" Type="%s/sharedStrings" Target="sharedStrings.xml"/>'
                   "</Relationships>" % (rel, rel, rel))
        z.writestr("xl/sharedStrings.xml", '<sst xmlns="%s">%s</sst>'
                   % (main, "".join("<si><t>%s</t></si>" % esc(s) for s in strings)))
        z.writestr("xl/worksheets/sheet1.xml", '<worksheet xmlns="%s"><sheetData>'
                   '<row r="1"><c r="A1" t="inlineStr"><is><t>county_id</t></is></c><c r="B1" t="inlineStr"><is><t>name</t></is></c></row>'
                   '<row r="2"><c r="A2" t="inlineStr"><is><t>1</t></is></c><c r="B2" t="inlineStr"><is><t>one</t></is></c></row>'
                   "</sheetData></worksheet>" % main)
        z.writestr("xl/worksheets/sheet2.xml", '<worksheet xmlns="%s"><sheetData>%s</sheetData></worksheet>'
                   % (main, "".join(sheet_rows)))


def one_cell_rows(first, n, cell):
    return ['<row r="%d"><c r="A%d"%s</c></row>' % (r, r, cell) for r in range(first, first + n)]


def wide(out, ncols):
    header = '<row r="1">%s</row>' % "".join('<c r="%s1" t="s"><v>%d</v></c>' % (col_name(c), c - 1)
                                            for c in range(1, ncols + 1))
    xlsx(out, [header] + one_cell_rows(2, 20000, "><v>1</v>"), ["c%d" % c for c in range(1, ncols + 1)])


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    what, args = sys.argv[1], sys.argv[2:]
    if what == "ods":
        ods(*args)
    elif what == "xls":
        xls(*args)
    elif what == "wide-header":
        wide(args[0], 16384)
    elif what == "wide-rows":
        wide(args[0], 1024)
    elif what == "long-string":
        header = '<row r="1"><c r="A1" t="s"><v>0</v></c></row>'
        xlsx(args[0], [header] + one_cell_rows(2, 20000, ' t="s"><v>1</v>'), ["text", "x" * (1 << 20)])
    elif what == "long-row":
        header = '<row r="1">%s</row>' % ('<c t="s"><v>0</v></c>' * 16384)
        xlsx(args[0], [header], ["x" * (1 << 20)])
    elif what == "long-header":
        header = '<row r="1"><c t="s"><v>0</v></c></row>'
        xlsx(args[0], [header], ["x" * (1 << 20)], ["big%d" % i for i in range(1, 301)])
    elif what == "many-sheets":
        xlsx(args[0], [" " * (64 << 20)], [], ["big%d" % i for i in range(1, 101)])
    elif what == "long-value":
        sys.argv[1:] = ["ods-raw", args[0], "long", '<table:table-row><table:table-cell office:value-type="string" '
                        'office:string-value="%s"/></table:table-row>' % ("x" * (2 << 20))]
        main()
    elif what == "ods-raw":
        # a counties sheet (county 1, 测试县), then sheet NAME of the rows given as XML
        counties = ('<table:table table:name="counties"><table:table-row>%s%s</table:table-row>'
                    "<table:table-row>%s%s</table:table-row></table:table>"
                    % tuple(ods_cell(v) for v in ("county_id", "name", "1", "测试县")))
        write_ods(args[0], counties + '<table:table table:name="%s">%s</table:table>'
                  % (esc(args[1]), "".join(args[2:])))
    else:
        sys.exit("workbook_make.py: unknown kind %r\n%s" % (what, __doc__))


if __name__ == "__main__":
    main()
