#!/usr/bin/env python3
"""pdfa_check.py: the rules of PDF/A that countybrief implements, checked one by one on its
output, for the parts no validator on Debian checks (PDF/A-2 and -3; PDFBox's Preflight
checks PDF/A-1b only). It checks what the writer promises, not all of ISO 19005.

    pdfa_check.py STANDARD PDF...   STANDARD: a-1b, a-2b, a-2u or a-3u

Per rule one line over all files: "ok - RULE (N files)" or "FAIL - RULE: FILE: why" (the
first few failing files). Exit 1 on any failure, 2 on a usage error. The rules:
  * xmp: the catalog's /Metadata is an unfiltered /Type /Metadata /Subtype /XML stream, an
    XMP packet (xpacket begin and end) that parses as XML;
  * pdfaid: pdfaid:part and pdfaid:conformance are the standard's;
  * info: dc:title, dc:creator (one entry), dc:description, pdf:Keywords, xmp:CreatorTool
    and pdf:Producer equal the info dictionary's Title, Author, Subject, Keywords, Creator
    and Producer, each present in both or in neither;
  * dates: xmp:CreateDate and xmp:ModifyDate are the info dictionary's CreationDate and
    ModDate, the same instant and the same zone (or all absent);
  * intent: one output intent, /S /GTS_PDFA1, its /DestOutputProfile an ICC profile of 3
    components (/N 3) with 'acsp' at byte 36 and the RGB colour space;
  * id: the trailer's /ID holds two 16-byte strings;
  * fonts: every font a Type 0 font with a ToUnicode map, its descendant's program
    embedded (FontFile2 or FontFile3); under PDF/A-1 a /CIDSet holding every code the
    ToUnicode map lists;
  * encrypt: no /Encrypt;
  * colour: content streams set colour only with rg and RG (DeviceRGB: the output intent's
    space), images are DeviceRGB or DeviceGray;
  * opaque (PDF/A-1 only): no image with /SMask, no page /Group, no ExtGState;
  * outline: each bookmark's /Dest is a direct array (PDFBox refuses indirect ones).
"""
import datetime
import re
import sys
import xml.etree.ElementTree as ET

import pikepdf

NS = {
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "dc": "http://purl.org/dc/elements/1.1/",
    "xmp": "http://ns.adobe.com/xap/1.0/",
    "pdf": "http://ns.adobe.com/pdf/1.3/",
    "pdfaid": "http://www.aiim.org/pdfa/ns/id/",
}
LEVELS = {"a-1b": ("1", "B"), "a-2b": ("2", "B"), "a-2u": ("2", "U"), "a-3u": ("3", "U")}
COLOUR_OPS = {"g", "G", "k", "K", "cs", "CS", "sc", "SC", "scn", "SCN"}


def pdf_date(s):
    """D:YYYYMMDDHHmmSS with a zone (Z, +HH'mm', -HH'mm') as an aware datetime and its
    offset in minutes."""
    m = re.fullmatch(r"D:(\d{14})(Z|[+-]\d\d'\d\d'?)?(?:00'00')?", s)
    if not m:
        raise ValueError(f"not a PDF date: {s}")
    zone = m.group(2) or "Z"
    minutes = 0 if zone == "Z" else (1 if zone[0] == "+" else -1) * (int(zone[1:3]) * 60 + int(zone[4:6]))
    when = datetime.datetime.strptime(m.group(1), "%Y%m%d%H%M%S")
    return when.replace(tzinfo=datetime.timezone(datetime.timedelta(minutes=minutes))), minutes


def xmp_date(s):
    when = datetime.datetime.fromisoformat(s.replace("Z", "+00:00"))
    return when, int(when.utcoffset().total_seconds() // 60)


def info_text(info, key):
    v = info.get("/" + key)
    return None if v is None else str(v)


def xmp_text(desc_root, path):
    el = desc_root.find(".//" + path, NS)
    return None if el is None else (el.text or "")


def check_file(path, standard):
    """{rule: None (held) or why it did not}"""
    part, level = LEVELS[standard]
    out = {}
    pdf = pikepdf.open(path)
    root, info = pdf.Root, pdf.docinfo

    meta = root.get("/Metadata")
    xml = None
    if meta is None:
        out["xmp"] = "no /Metadata in the catalog"
    elif "/Filter" in meta:
        out["xmp"] = "the metadata stream is filtered"
    elif meta.get("/Type") != "/Metadata" or meta.get("/Subtype") != "/XML":
        out["xmp"] = "not /Type /Metadata /Subtype /XML"
    else:
        raw = meta.read_bytes()
        if not raw.startswith(b"<?xpacket begin=") or not raw.rstrip().endswith(b"<?xpacket end=\"w\"?>"):
            out["xmp"] = "no xpacket header or trailer"
        else:
            try:
                xml = ET.fromstring(raw)
                out["xmp"] = None
            except ET.ParseError as e:
                out["xmp"] = f"does not parse: {e}"
    if xml is None:
        for rule in ("pdfaid", "info", "dates"):
            out[rule] = "no XMP packet"
    else:
        got = (xmp_text(xml, "pdfaid:part"), xmp_text(xml, "pdfaid:conformance"))
        out["pdfaid"] = None if got == (part, level) else f"part, conformance {got}, expected {(part, level)}"
        pairs = [("Title", "dc:title/rdf:Alt/rdf:li"), ("Subject", "dc:description/rdf:Alt/rdf:li"),
                 ("Keywords", "pdf:Keywords"), ("Creator", "xmp:CreatorTool"), ("Producer", "pdf:Producer")]
        bad = [f"{k}: info {info_text(info, k)!r}, XMP {xmp_text(xml, p)!r}" for k, p in pairs
               if info_text(info, k) != xmp_text(xml, p)]
        creators = [li.text for li in xml.findall(".//dc:creator/rdf:Seq/rdf:li", NS)]
        author = info_text(info, "Author")
        if creators != ([author] if author is not None else []):
            bad.append(f"Author: info {author!r}, dc:creator {creators!r}")
        out["info"] = "; ".join(bad) or None
        bad = []
        for k, p in (("CreationDate", "xmp:CreateDate"), ("ModDate", "xmp:ModifyDate")):
            i, x = info_text(info, k), xmp_text(xml, p)
            if (i is None) != (x is None):
                bad.append(f"{k} {i!r}, {p} {x!r}: one without the other")
            elif i is not None and pdf_date(i) != xmp_date(x):
                bad.append(f"{k} {i!r} is not {p} {x!r} (instant and zone)")
        out["dates"] = "; ".join(bad) or None

    intents = root.get("/OutputIntents")
    if intents is None or len(intents) != 1:
        out["intent"] = f"{0 if intents is None else len(intents)} output intents, expected 1"
    else:
        oi = intents[0]
        prof = oi.get("/DestOutputProfile")
        data = prof.read_bytes() if prof is not None else b""
        if oi.get("/S") != "/GTS_PDFA1":
            out["intent"] = f"/S {oi.get('/S')}"
        elif prof is None or prof.get("/N") != 3:
            out["intent"] = "no /DestOutputProfile with /N 3"
        elif data[36:40] != b"acsp" or data[16:20] != b"RGB ":
            out["intent"] = f"the profile says {data[36:40]!r} at 36 and {data[16:20]!r} at 16"
        else:
            out["intent"] = None

    ids = pdf.trailer.get("/ID")
    out["id"] = None if ids is not None and len(ids) == 2 and all(len(bytes(s)) == 16 for s in ids) \
        else f"/ID {ids!r}"
    out["encrypt"] = "/Encrypt in the trailer" if "/Encrypt" in pdf.trailer else None

    bad, colour, opaque = [], [], []
    seen = set()
    for pno, page in enumerate(pdf.pages, 1):
        if part == "1" and "/Group" in page.obj:
            opaque.append(f"page {pno} has a /Group")
        res = page.obj.get("/Resources", {})
        if part == "1" and "/ExtGState" in res:
            opaque.append(f"page {pno} has an ExtGState")
        for name, font in res.get("/Font", {}).items():
            if font.objgen in seen:
                continue
            seen.add(font.objgen)
            if font.get("/Subtype") != "/Type0" or "/ToUnicode" not in font:
                bad.append(f"{font.get('/BaseFont')}: not Type 0 with ToUnicode")
                continue
            desc = font.DescendantFonts[0].FontDescriptor
            if "/FontFile2" not in desc and "/FontFile3" not in desc:
                bad.append(f"{font.BaseFont}: not embedded")
            if part == "1":
                if "/CIDSet" not in desc:
                    bad.append(f"{font.BaseFont}: no /CIDSet")
                    continue
                bits = desc.CIDSet.read_bytes()
                codes = [int(c, 16) for c in re.findall(rb"<([0-9A-F]{4})> <", font.ToUnicode.read_bytes())]
                missing = [c for c in codes if c // 8 >= len(bits) or not bits[c // 8] & (0x80 >> (c % 8))]
                if missing:
                    bad.append(f"{font.BaseFont}: CIDSet lacks {missing[:5]}")
        for name, xo in res.get("/XObject", {}).items():
            if xo.get("/Subtype") != "/Image":
                continue
            if xo.get("/ColorSpace") not in ("/DeviceRGB", "/DeviceGray"):
                colour.append(f"image {name}: {xo.get('/ColorSpace')}")
            if part == "1" and "/SMask" in xo:
                opaque.append(f"image {name} has an /SMask")
        ops = {str(op) for _, op in pikepdf.parse_content_stream(page)}
        if ops & COLOUR_OPS:
            colour.append(f"page {pno} uses {sorted(ops & COLOUR_OPS)}")
    out["fonts"] = "; ".join(bad) or None
    out["colour"] = "; ".join(colour) or None
    if part == "1":
        out["opaque"] = "; ".join(opaque) or None

    bad = []
    item = root.get("/Outlines", {}).get("/First")
    stack = [item] if item is not None else []
    while stack:
        it = stack.pop()
        d = it.obj if hasattr(it, "obj") else it
        dest = d.get("/Dest")
        if dest is None or not isinstance(dest, pikepdf.Array) or dest.is_indirect:
            bad.append(f"bookmark {d.get('/Title')}: /Dest {'indirect' if dest is not None and dest.is_indirect else dest!r}")
        for k in ("/Next", "/First"):
            if k in d:
                stack.append(d[k])
    out["outline"] = "; ".join(bad) or None
    return out


def main():
    if len(sys.argv) < 3 or sys.argv[1] not in LEVELS:
        print(__doc__.strip().splitlines()[3].strip(), file=sys.stderr)
        return 2
    standard, files = sys.argv[1], sys.argv[2:]
    fails, held = {}, {}
    for f in files:
        for rule, why in check_file(f, standard).items():
            held.setdefault(rule, 0)
            if why is None:
                held[rule] += 1
            else:
                fails.setdefault(rule, []).append(f"{f}: {why}")
    for rule in held:
        if rule in fails:
            for line in fails[rule][:3]:
                print(f"FAIL - {standard}: {rule}: {line}")
        else:
            print(f"ok - {standard}: {rule} ({held[rule]} files)")
    return 1 if fails else 0


if __name__ == "__main__":
    sys.exit(main())
