#!/usr/bin/env python3
"""ink_check.py: proves that every character of a PDF's text leaves ink on the page.

    ink_check.py check [--stats] FILE.pdf...   exit 0 if no character renders blank, 1 if
                                               some do (each one is listed), 2 on a usage or
                                               tool error
    ink_check.py hide-text IN.pdf OUT.pdf      negative control: text stays extractable
                                               but every glyph is drawn invisibly (3 Tr)
    ink_check.py font-of FILE.pdf C            prints the BaseFont of the font that draws C
                                               (by the ToUnicode maps), exit 1 if none does
    ink_check.py blank-char IN.pdf OUT.pdf C   negative control: glyph C draws nothing in
                                               every font that draws it (TrueType: the
                                               space's glyph through the CIDToGIDMap; CFF:
                                               an empty charstring, with fontTools)

How `check` works, per page:
  * `pdftoppm -r 150 -gray` renders the page to a PGM (parsed here: no PIL needed);
  * glyphs.py (PyMuPDF) gives each character's place as the PDF draws it: its origin and
    its advance width in the font that draws it (the /W array of the embedded font), on its
    line. A character's cell is the part of its box no neighbour's box covers: a whole em
    for most, the inked half of a punctuation mark set half width (core/typeset.c cuts
    the blank half, so the box of the glyph before or after covers the other);
  * a cell has ink when at least MIN_INK of its pixels differ by INK_DELTA or more grey
    levels from the cell's most common value, its background (white, a table band, or the
    navy header row that carries white text). The thinnest real glyph, a middle dot at
    10.5 pt, leaves 3 such pixels at 150 dpi; a glyph drawn invisibly leaves 0.
Besides PyMuPDF for the glyphs' places, qpdf and poppler-utils do the PDF work.
"""
import base64
import json
import math
import os
import re
import subprocess
import sys
import tempfile
import unicodedata
from collections import Counter

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import glyphs  # noqa: E402 (beside this file)

DPI = 150
INK_DELTA = 64   # grey levels between ink and background
MIN_INK = 2      # ink pixels a character needs


def fail(msg):
    print(f"ink_check: {msg}", file=sys.stderr)
    sys.exit(2)


def run(cmd):
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    if p.returncode != 0:
        fail(f"{' '.join(cmd)} failed ({p.returncode}): {p.stderr.decode(errors='replace').strip()}")
    return p.stdout


# ---------------------------------------------------------------- font metrics from the PDF

HEX_PAIR_RE = re.compile(r"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>")
HEX_RANGE_RE = re.compile(r"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>")


def utf16(hexstr):
    return bytes.fromhex(hexstr).decode("utf-16-be", errors="replace")


def pdf_objects(pdf, *extra):
    doc = json.loads(run(["qpdf", "--json=2", "--json-key=qpdf", *extra, pdf]))
    return doc["qpdf"][1]


def obj_num(ref):
    """Object number of a reference "12 0 R"."""
    return int(ref.split()[0])


def type0_fonts(objs):
    """The Type0 fonts as (object number, dict), in object order."""
    out = []
    for key, o in objs.items():
        v = o.get("value")
        if key.startswith("obj:") and isinstance(v, dict) and v.get("/Subtype") == "/Type0":
            out.append((obj_num(key[4:]), v))
    return sorted(out, key=lambda t: t[0])


def tounicode(objs, font):
    """Dict character -> code from a Type0 font's ToUnicode map (None without one)."""
    if "/ToUnicode" not in font:
        return None
    stream = objs["obj:" + font["/ToUnicode"]]["stream"]
    text = base64.b64decode(stream["data"]).decode("latin-1")
    codes = {}
    for block in re.findall(r"beginbfrange(.*?)endbfrange", text, re.S):
        for lo, hi, dst in HEX_RANGE_RE.findall(block):
            first = ord(utf16(dst)[0])
            for k, cid in enumerate(range(int(lo, 16), int(hi, 16) + 1)):
                codes.setdefault(chr(first + k), cid)
    for block in re.findall(r"beginbfchar(.*?)endbfchar", text, re.S):
        for code, dst in HEX_PAIR_RE.findall(block):
            codes.setdefault(utf16(dst), int(code, 16))
    return codes


def char_codes(pdf):
    """List of (Type0 font object number, its dict character -> CID), in object order, from
    each font's ToUnicode map (a font without one maps every character to its own code)."""
    objs = pdf_objects(pdf, "--json-stream-data=inline", "--decode-level=generalized")
    return [(num, tounicode(objs, f)) for num, f in type0_fonts(objs)]


def font_of(fonts, ch):
    """(index into fonts, code) of the font drawing ch: the first whose map has it."""
    for i, (_, codes) in enumerate(fonts):
        if codes is not None and ch in codes:
            return i, codes[ch]
    for i, (_, codes) in enumerate(fonts):
        if codes is None:
            return i, ord(ch)
    return 0, ord(ch)


# ---------------------------------------------------------------- text boxes and pixels

def read_pgm(path):
    with open(path, "rb") as fh:
        data = fh.read()
    m = re.match(rb"P5\s+(\d+)\s+(\d+)\s+(\d+)\s", data)
    if not m or m.group(3) != b"255":
        fail(f"{path}: not an 8-bit binary PGM")
    return int(m.group(1)), int(m.group(2)), data[m.end():]


def ink(img, cell_box):
    w, h, px = img
    k = DPI / 72.0
    c0, c1 = math.ceil(cell_box[0] * k), math.floor(cell_box[2] * k)
    r0, r1 = math.ceil(cell_box[1] * k), math.floor(cell_box[3] * k)
    c0, r0 = max(c0, 0), max(r0, 0)
    c1, r1 = min(max(c1, c0 + 1), w), min(max(r1, r0 + 1), h)
    values = [px[r * w + c] for r in range(r0, r1) for c in range(c0, c1)]
    if not values:
        return 0
    bg = Counter(values).most_common(1)[0][0]
    return sum(1 for v in values if abs(v - bg) >= INK_DELTA)


def check(pdfs, stats):
    blank, total = [], 0
    least = None
    for pdf in pdfs:
        pages = glyphs.pages(pdf)
        with tempfile.TemporaryDirectory() as tmp:
            run(["pdftoppm", "-r", str(DPI), "-gray", pdf, os.path.join(tmp, "p")])
            files = sorted(f for f in os.listdir(tmp) if f.endswith(".pgm"))
            if len(files) != len(pages):
                fail(f"{pdf}: {len(files)} rendered pages, {len(pages)} text pages")
            for pno, (lines, fname) in enumerate(zip(pages, files), 1):
                img = read_pgm(os.path.join(tmp, fname))
                for line in lines:
                    for i, (g, cx0, cx1) in enumerate(glyphs.cells(line)):
                        if g.c.isspace() or unicodedata.category(g.c) in ("Cc", "Cf"):
                            continue  # nothing to see: spaces, controls, zero-width marks
                        total += 1
                        n = ink(img, (cx0, g.top, cx1, g.bottom))
                        text = glyphs.text(line)
                        if least is None or n < least[0]:
                            least = (n, g.c, text, pno)
                        if n < MIN_INK:
                            blank.append(f"{os.path.basename(pdf)}: page {pno}: {g.c!r} "
                                         f"(character {i + 1} of {text!r}, x={cx0:.1f}, y={g.top:.1f})")
    for b in blank:
        print(f"BLANK {b}")
    if stats and least:
        print(f"least ink: {least[0]} pixels for {least[1]!r} in {least[2]!r} (page {least[3]})")
    print(f"{total} characters checked, {len(blank)} blank")
    if total == 0:
        print("no characters found: nothing was checked")
        return 1
    return 1 if blank else 0


# ---------------------------------------------------------------- negative controls

def qdf(src, dst):
    run(["qpdf", "--qdf", "--object-streams=disable", src, dst])


def hide_text(src, dst):
    """Every BT ... ET draws with render mode 3 (neither fill nor stroke)."""
    with tempfile.TemporaryDirectory() as tmp:
        q = os.path.join(tmp, "q.pdf")
        qdf(src, q)
        data = open(q, "rb").read()
        # only page content streams: QDF marks each with "%% Contents for page N"
        parts = re.split(rb"(%% Contents for page \d+\n)", data)
        changed = 0
        for i in range(2, len(parts), 2):
            head, sep, tail = parts[i].partition(b"endstream")
            head, n1 = re.subn(rb"(?m)^BT$", b"BT\n3 Tr", head)
            head, n2 = re.subn(rb"(?m)^[0-7] Tr$", b"3 Tr", head)
            changed += n1
            parts[i] = head + sep + tail
        if not changed:
            fail(f"{src}: no text objects found to hide")
        open(q, "wb").write(b"".join(parts))
        fixed = subprocess.run(["fix-qdf", q], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        if fixed.returncode != 0:
            fail(f"fix-qdf failed: {fixed.stderr.decode(errors='replace')}")
        open(dst, "wb").write(fixed.stdout)


def blank_char(src, dst, ch):
    """Makes the glyph of `ch` draw nothing in every font that draws ch (by the ToUnicode
    maps): a TrueType font (CIDFontType2) maps its CID to the glyph of U+0020 through the
    CIDToGIDMap (the font must draw a space too); a CFF font (CIDFontType0, FontFile3
    /CIDFontType0C) gets an empty charstring for it, as a space has (fontTools)."""
    with tempfile.TemporaryDirectory() as tmp:
        q = os.path.join(tmp, "q.pdf")
        qdf(src, q)
        objs = pdf_objects(q, "--json-stream-data=inline", "--decode-level=generalized")
        data = bytearray(open(q, "rb").read())
        blanked = 0
        for num, font in type0_fonts(objs):
            codes = tounicode(objs, font)
            if codes is None or ch not in codes:
                continue
            desc = font["/DescendantFonts"]
            if isinstance(desc, str):
                desc = objs["obj:" + desc]["value"]
            cidfont = objs["obj:" + desc[0]]["value"]
            if cidfont.get("/Subtype") == "/CIDFontType0":
                fd = objs["obj:" + cidfont["/FontDescriptor"]]["value"]
                ref = fd.get("/FontFile3")
                old = base64.b64decode(objs["obj:" + ref]["stream"]["data"])
                new = empty_cff_glyph(old, codes[ch])
            else:
                ref = cidfont.get("/CIDToGIDMap")
                if not isinstance(ref, str) or not ref.endswith(" R"):
                    fail(f"{src}: {font.get('/BaseFont')}: no CIDToGIDMap stream")
                old = base64.b64decode(objs["obj:" + ref]["stream"]["data"])
                cid, space = codes[ch], codes.get(" ", ord(" "))
                new = old[:2 * cid] + old[2 * space:2 * space + 2] + old[2 * cid + 2:]
            # QDF writes streams decoded: the stream's bytes follow "N 0 obj ... stream\n"
            s = re.search(rb"(?m)^" + str(obj_num(ref)).encode() + rb" 0 obj\n.*?stream\n", data, re.S)
            if not s or data[s.end():s.end() + len(old)] != old:
                fail(f"{src}: object {ref} is not where QDF puts it")
            data[s.end():s.end() + len(old)] = new
            blanked += 1
        if not blanked:
            fail(f"{src}: no font draws {ch!r}")
        open(q, "wb").write(data)
        fixed = subprocess.run(["fix-qdf", q], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        if fixed.returncode != 0:
            fail(f"fix-qdf failed: {fixed.stderr.decode(errors='replace')}")
        open(dst, "wb").write(fixed.stdout)


def empty_cff_glyph(program, cid):
    """The CFF program with the glyph of `cid` (CID-keyed: glyph "cidNNNNN"; name-keyed:
    glyph index) replaced by one that draws nothing."""
    try:
        from fontTools.cffLib import CFFFontSet
        from fontTools.ttLib import TTFont
    except ImportError:
        fail("a CFF font: blank-char needs fontTools (python3-fonttools)")
    import io
    cff = CFFFontSet()
    cff.decompile(io.BytesIO(program), None)
    top = cff[cff.fontNames[0]]
    name = f"cid{cid:05d}" if hasattr(top, "ROS") else top.charset[cid]
    glyph = top.CharStrings[name]
    glyph.decompile()
    glyph.program = ["endchar"]
    out = io.BytesIO()
    cff.compile(out, TTFont(recalcBBoxes=False))  # a font for its options only
    return out.getvalue()


def font_of_char(pdf, ch):
    objs = pdf_objects(pdf, "--json-stream-data=inline", "--decode-level=generalized")
    for _, f in type0_fonts(objs):
        codes = tounicode(objs, f)
        if codes is not None and ch in codes:
            print(f.get("/BaseFont", "?").lstrip("/"))
            return 0
    return 1


def main(argv):
    if len(argv) == 3 and argv[0] == "font-of":
        return font_of_char(argv[1], argv[2])
    if len(argv) >= 2 and argv[0] == "check":
        stats = "--stats" in argv
        return check([a for a in argv[1:] if a != "--stats"], stats)
    if len(argv) == 3 and argv[0] == "hide-text":
        hide_text(argv[1], argv[2])
        return 0
    if len(argv) == 4 and argv[0] == "blank-char":
        blank_char(argv[1], argv[2], argv[3])
        return 0
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
