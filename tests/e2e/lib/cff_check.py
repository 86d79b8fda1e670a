#!/usr/bin/env python3
"""cff_check.py: proves that a PDF's CFF fonts (CIDFontType0, FontFile3 /CIDFontType0C) draw
the characters their ToUnicode maps name, with the font's own CIDs and widths.

    cff_check.py PDF FONTFILE[:INDEX]...   exit 0 if every CIDFontType0 font of the PDF is a
                                           subset of one of the given faces and checks out,
                                           1 (each fault listed) if not, 2 on a usage error

Per CIDFontType0 font (the face it comes from is found by its PostScript name):
  * the embedded program is a bare CFF (fontTools.cffLib reads it), and each code the
    content streams draw with the font (Tj and TJ strings, two bytes a code) is a CID its
    charset has: none falls to .notdef;
  * each code of the ToUnicode map is the CID (CID-keyed face: its glyph "cidNNNNN"; a
    name-keyed face: the subset's glyph index of that character's glyph name) the original
    face's cmap gives the character: the text reads back as what was drawn;
  * each code's width (/W, else /DW) is the original glyph's advance in thousandths of an em.
A font named after a face's PostScript name + "-tnum" holds that face's tabular digits (the
figures role: its `tnum` glyphs, else its `hwid` ones, font.h): its digits are checked
against those glyphs, and it must hold nothing but digits.
A face given that the PDF does not use is an error too. Prints one summary line.
Uses pikepdf and fontTools (python3-pikepdf, python3-fonttools).
"""
import io
import re
import sys

import pikepdf
from fontTools.cffLib import CFFFontSet
from fontTools.ttLib import TTFont

BFCHAR_RE = re.compile(r"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>")


def utf16(hexstr):
    return bytes.fromhex(hexstr).decode("utf-16-be")


def tounicode(stream):
    text = stream.read_bytes().decode("latin-1")
    out = {}
    for block in re.findall(r"beginbfchar(.*?)endbfchar", text, re.S):
        for code, dst in BFCHAR_RE.findall(block):
            out[int(code, 16)] = utf16(dst)
    if "beginbfrange" in text:
        raise ValueError("bfrange in ToUnicode: not read here")
    return out


def widths(cid_font):
    w, out, i = list(cid_font.get("/W", [])), {}, 0
    while i < len(w):
        first, nxt = int(w[i]), w[i + 1]
        if isinstance(nxt, pikepdf.Array):
            for k, x in enumerate(nxt):
                out[first + k] = float(x)
            i += 2
        else:
            for c in range(first, int(nxt) + 1):
                out[c] = float(w[i + 2])
            i += 3
    return out, float(cid_font.get("/DW", 1000))


def drawn_codes(pdf):
    """{id of the Type0 font object: set of codes drawn with it}."""
    out = {}
    for page in pdf.pages:
        fonts = page.Resources.get("/Font", {})
        current = None
        for operands, op in pikepdf.parse_content_stream(page):
            op = str(op)
            if op == "Tf":
                f = fonts.get(str(operands[0]))
                current = f.objgen if f is not None else None
            elif op in ("Tj", "TJ", "'", '"') and current is not None:
                strings = operands[0] if op == "TJ" else operands[-1:]
                for s in strings:
                    if isinstance(s, pikepdf.String):
                        b = bytes(s)
                        out.setdefault(current, set()).update(
                            b[i] << 8 | b[i + 1] for i in range(0, len(b) - 1, 2))
    return out


def tabular_digits(font, cmap):
    """{digit: glyph name} under the face's tnum feature, else hwid (single substitutions),
    as core/font.c's tabular_face picks them; {} if neither maps all ten."""
    if "GSUB" not in font:
        return {}
    gsub = font["GSUB"].table
    for tag in ("tnum", "hwid"):
        subst = {}
        for rec in gsub.FeatureList.FeatureRecord:
            if rec.FeatureTag != tag:
                continue
            for li in rec.Feature.LookupListIndex:
                for st in gsub.LookupList.Lookup[li].SubTable:
                    st = getattr(st, "ExtSubTable", st)
                    subst.update(getattr(st, "mapping", None) or {})
        got = {d: subst.get(cmap.get(ord(d))) for d in "0123456789"}
        if all(got.values()):
            return got
    return {}


def face_of(spec):
    path, _, index = spec.rpartition(":") if re.search(r":\d+$", spec) else (spec, "", "0")
    font = TTFont(path, fontNumber=int(index), lazy=True)
    cff = font["CFF "].cff
    cmap = font.getBestCmap()
    return {"font": font, "cmap": cmap, "upem": font["head"].unitsPerEm, "tab": tabular_digits(font, cmap),
            "cid_keyed": hasattr(cff[cff.fontNames[0]], "ROS"), "hmtx": font["hmtx"],
            "psname": font["name"].getDebugName(6), "spec": spec}


def main(argv):
    if len(argv) < 2:
        print(__doc__, file=sys.stderr)
        return 2
    faces = [face_of(s) for s in argv[1:]]
    pdf = pikepdf.open(argv[0])
    drawn = drawn_codes(pdf)
    faults, checked, used = [], 0, set()
    for obj in pdf.objects:
        if not isinstance(obj, pikepdf.Dictionary) or obj.get("/Subtype") != "/Type0":
            continue
        cid_font = obj.DescendantFonts[0]
        if cid_font.get("/Subtype") != "/CIDFontType0":
            continue
        name = str(obj.BaseFont)[1:].split("+", 1)[-1]
        tnum = name.endswith("-tnum")
        face = next((f for f in faces if f["psname"] == (name[:-5] if tnum else name)), None)
        if face is None:
            faults.append(f"{name}: a CFF font of none of the given faces")
            continue
        used.add(face["spec"])
        ff = cid_font.FontDescriptor.FontFile3
        if ff.get("/Subtype") != "/CIDFontType0C" or "/CIDToGIDMap" in cid_font:
            faults.append(f"{name}: FontFile3 is not /CIDFontType0C, or a CIDToGIDMap is there")
        cff = CFFFontSet()
        cff.decompile(io.BytesIO(ff.read_bytes()), None)
        top = cff[cff.fontNames[0]]
        charset = top.charset
        if face["cid_keyed"]:
            cids = {int(g[3:]) for g in charset if g.startswith("cid")}
        else:
            cids = set(range(len(charset)))
        cids.discard(0)
        for code in sorted(drawn.get(obj.objgen, ())):
            if code not in cids:
                faults.append(f"{name}: code {code} is drawn but is no CID of the embedded program")
        w, dw = widths(cid_font)
        for code, text in sorted(tounicode(obj.ToUnicode).items()):
            checked += 1
            glyph = face["cmap"].get(ord(text[0])) if len(text) == 1 else None
            if tnum:
                glyph = face["tab"].get(text)
            if glyph is None:
                faults.append(f"{name}: code {code} maps to {text!r}, which the face lacks")
                continue
            want = int(glyph[3:]) if face["cid_keyed"] else charset.index(glyph)
            if code != want:
                faults.append(f"{name}: {text!r} (U+{ord(text):04X}) is code {code}, but its CID is {want}")
            adv = face["hmtx"][glyph][0] * 1000 / face["upem"]
            if abs(w.get(code, dw) - adv) > 0.5:
                faults.append(f"{name}: {text!r} width {w.get(code, dw)}, the font's advance is {adv:.1f}")
    for f in faces:
        if f["spec"] not in used:
            faults.append(f"{f['spec']}: the PDF has no CIDFontType0 font of it")
    for f in faults:
        print(f)
    print(f"{checked} codes checked, {len(faults)} faults")
    return 1 if faults else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
