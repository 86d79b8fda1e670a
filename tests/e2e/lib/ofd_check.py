"""ofd_check.py OFD PDF XSD_DIR: checks an OFD package countybrief wrote against the PDF of
the same document (tests/e2e/ofd.sh). Prints "ok - ..." / "FAIL - ..." lines (run_checks).

- the package: OFD.xml first, every entry dated alike; every part it names is there
- every XML part validates against its schema (xmllint --schema, XSD_DIR: tests/ofd-xsd)
- IDs are distinct and at most MaxUnitID; Font, ResourceID and PageID name objects
- each embedded font file is an OpenType/TrueType font whose cmap has every character
  drawn with it (so text stays searchable)
- the page size in millimetres is the PDF's; the outline's titles are the PDF's bookmarks
- text: the same characters at the same places as PyMuPDF finds in the PDF (each within
  0.5 pt; the writer's own check, as no OFD reader runs here)
"""
import io
import math
import os
import re
import subprocess
import sys
import tempfile
import zipfile
import xml.etree.ElementTree as ET

import fitz

import tap
from fontTools.ttLib import TTFont

NS = {"ofd": "http://www.ofdspec.org/2016"}
MM = 72 / 25.4
TOL = 0.5  # points

ofd_path, pdf_path, xsd = sys.argv[1], sys.argv[2], sys.argv[3]
name = os.path.basename(ofd_path)


def check(what, good, why=""):
    tap.check(good, f"{name}: {what}", why)


z = zipfile.ZipFile(ofd_path)
infos = z.infolist()
names = [i.filename for i in infos]
check("a ZIP package, OFD.xml its first entry", names and names[0] == "OFD.xml", names[:3])
check("every entry has the same date", len({i.date_time for i in infos}) == 1, {i.date_time for i in infos})


def part(p):
    return ET.fromstring(z.read(p))


def join(base, loc):
    return os.path.normpath(os.path.join(os.path.dirname(base), loc)) if not loc.startswith("/") else loc[1:]


# schema validation of every part, each with its schema
schemas = {"OFD.xml": "OFD.xsd"}
ofd = part("OFD.xml")
root = ofd.find("ofd:DocBody/ofd:DocRoot", NS).text
doc = part(root)
schemas[root] = "Document.xsd"
res_parts = [join(root, e.text) for e in doc.findall("ofd:CommonData/ofd:PublicRes", NS)]
res_parts += [join(root, e.text) for e in doc.findall("ofd:CommonData/ofd:DocumentRes", NS)]
for r in res_parts:
    schemas[r] = "Res.xsd"
pages = [(int(p.get("ID")), join(root, p.get("BaseLoc"))) for p in doc.findall("ofd:Pages/ofd:Page", NS)]
for _, p in pages:
    schemas[p] = "Page.xsd"
missing = [p for p in schemas if p not in names]
check("every part Document.xml and OFD.xml name is in the package", not missing, missing)
bad = []
with tempfile.TemporaryDirectory() as tmp:
    for p, s in schemas.items():
        if p in missing:
            continue
        f = os.path.join(tmp, "part.xml")
        with open(f, "wb") as out:
            out.write(z.read(p))
        r = subprocess.run(["xmllint", "--noout", "--schema", os.path.join(xsd, s), f],
                           capture_output=True, text=True)
        if r.returncode != 0:
            bad.append(f"{p}: {r.stderr.strip()[:300]}")
check(f"{len(schemas)} XML parts validate against GB/T 33190's schemas", not bad, "\n    ".join(bad))

# IDs
ids, refs = [], []
parts = {p: part(p) for p in schemas if p not in missing}
for p, t in parts.items():
    for e in t.iter():
        tag = e.tag.split("}")[-1]
        if "ID" in e.attrib and tag not in ("Dest",):
            ids.append(int(e.get("ID")))
        for a in ("Font", "ResourceID", "PageID"):
            if a in e.attrib:
                refs.append((a, int(e.get(a))))
maxid = int(doc.find("ofd:CommonData/ofd:MaxUnitID", NS).text)
check("IDs are distinct and at most MaxUnitID", len(ids) == len(set(ids)) and max(ids) <= maxid,
      f"{len(ids)} IDs, {len(set(ids))} distinct, max {max(ids)}, MaxUnitID {maxid}")
dangling = [r for r in refs if r[1] not in set(ids)]
check("Font, ResourceID and PageID name objects of the document", not dangling, dangling[:5])

# resources: fonts (with cmaps) and media
fonts, media = {}, {}
for r in res_parts:
    t = parts.get(r)
    if t is None:
        continue
    base = join(r, t.get("BaseLoc") + "/x")
    for f in t.findall("ofd:Fonts/ofd:Font", NS):
        fonts[int(f.get("ID"))] = join(base, f.find("ofd:FontFile", NS).text)
    for m in t.findall("ofd:MultiMedias/ofd:MultiMedia", NS):
        media[int(m.get("ID"))] = join(base, m.find("ofd:MediaFile", NS).text)
absent = [f for f in list(fonts.values()) + list(media.values()) if f not in names]
check(f"the {len(fonts)} font files and {len(media)} images are in the package", not absent, absent)
cmaps = {}
for i, f in fonts.items():
    if f in names:
        try:
            cmaps[i] = TTFont(io.BytesIO(z.read(f))).getBestCmap() or {}
        except Exception as e:  # noqa: BLE001 - any failure to read is the finding
            cmaps[i] = None
            check(f"{f} is a font fontTools reads", False, e)

pdf = fitz.open(pdf_path)
box = [float(v) for v in doc.find("ofd:CommonData/ofd:PageArea/ofd:PhysicalBox", NS).text.split()]
r0 = pdf[0].rect
check("PhysicalBox is the PDF's page in millimetres",
      abs(box[2] * MM - r0.width) < 0.1 and abs(box[3] * MM - r0.height) < 0.1, f"{box} vs {r0}")
check("as many pages as the PDF", len(pages) == len(pdf), f"{len(pages)} vs {len(pdf)}")
toc = [t[1] for t in pdf.get_toc()]
outline = [e.get("Title") for e in doc.iter("{%s}OutlineElem" % NS["ofd"])]
check("the outline's titles are the PDF's bookmarks, in order", outline == toc, f"{outline} vs {toc}")


def deltas(s):
    out, v = [], (s or "").split()
    i = 0
    while i < len(v):
        if v[i] == "g":
            out += [float(v[i + 2])] * int(v[i + 1])
            i += 3
        else:
            out.append(float(v[i]))
            i += 1
    return out


uncovered, far, count, unmatched = [], [], 0, []
for k, (pid, p) in enumerate(pages):
    if p not in parts or k >= len(pdf):
        continue
    want = {}
    for b in pdf[k].get_text("rawdict")["blocks"]:
        for ln in b.get("lines", []):
            for sp in ln["spans"]:
                for c in sp["chars"]:
                    if c["c"].strip():
                        want.setdefault(c["c"], []).append(c["origin"])
    for t in parts[p].iter("{%s}TextObject" % NS["ofd"]):
        font = int(t.get("Font"))
        ctm = [float(v) for v in t.get("CTM", "1 0 0 1 0 0").split()]
        bx = [float(v) for v in t.get("Boundary").split()]
        for code in t.findall("ofd:TextCode", NS):
            x, y = float(code.get("X")), float(code.get("Y"))
            dx = deltas(code.get("DeltaX"))
            for i, ch in enumerate(code.text or ""):
                if i:
                    x += dx[i - 1] if i - 1 < len(dx) else 0
                px = (ctm[0] * x + ctm[2] * y + ctm[4] + bx[0]) * MM
                py = (ctm[1] * x + ctm[3] * y + ctm[5] + bx[1]) * MM
                cm = cmaps.get(font)
                if cm is not None and ord(ch) not in cm:
                    uncovered.append(ch)
                if not ch.strip():
                    continue
                count += 1
                cands = want.get(ch, [])
                best = min(cands, key=lambda o: math.hypot(o[0] - px, o[1] - py), default=None)
                if best is None:
                    unmatched.append(f"page {k + 1} {ch!r} at {px:.2f},{py:.2f}")
                    continue
                d = math.hypot(best[0] - px, best[1] - py)
                if d > TOL:
                    far.append(f"page {k + 1} {ch!r}: OFD {px:.2f},{py:.2f}, PDF {best[0]:.2f},{best[1]:.2f}")
                cands.remove(best)
    for ch, left in want.items():
        unmatched += [f"page {k + 1}: {ch!r} in the PDF only" for _ in left]
check("every character drawn is in its font's cmap", not uncovered, "".join(sorted(set(uncovered)))[:80])
check(f"{count} characters: the same as the PDF's, page by page", count > 0 and not unmatched,
      "\n    ".join(unmatched[:8]))
check(f"each within {TOL} pt of where the PDF draws it", count > 0 and not far, "\n    ".join(far[:8]))
sys.exit(tap.status())
