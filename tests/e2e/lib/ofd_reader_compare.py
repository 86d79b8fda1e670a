"""ofd_reader_compare.py OFD.png PDF.png NAME [FAILDIR]: does a page drawn by a third-party
OFD reader (ofd.js) put its ink where pdftoppm's picture of the PDF's page does?
ofd_reader_compare.py --side-by-side OFD.png PDF.png NAME OUT.png: the two pictures side by
side, labelled, as docs/ofd-reader-*.png show them.

Prints "ok - ..." / "FAIL - ..." lines (common.bash's run_checks counts them). The pictures
must be the same size. The reader may draw text with an installed font rather than the
embedded subset (ofd.js does: it takes the font's FamilyName and ignores Bold), so the
metric looks at where ink is, not at glyph shapes:

  ink     a pixel darker than luminance INK (text, rules, bars, dark fills; not the pale
          card backgrounds, which have no ink to misplace).
  blob    a connected group of ink (8-connected after closing gaps of BRIDGE pixels): a
          word, a run of characters, a rule, a chart slice.
  mark    a pixel darker than luminance MARK, or one of two neighbours (across or down)
          whose darkness (255 - luminance) adds up to more than PAIR: ink, and a pale
          hairline a rasteriser spread over two rows of pixels (chromium draws a 0.4 pt
          grey rule as two very light rows where pdftoppm draws one darker one); not the
          pale card fill (luminance 242: 2 x 13 < PAIR).
  near    an ink pixel with a mark of the other picture within R pixels (Euclidean).
  blob check  in both pictures, every blob of at least MIN_PX ink pixels has at least
          BLOB_NEAR of its ink near: text drawn R pixels or more from where the PDF has it
          (a shifted, missing or extra run) fails, naming the blob's box.
  offset  each blob of at least OFFSET_PX ink pixels is found in the other picture where it
          is: of the shifts up to SEARCH pixels across and down, the one under which the
          other picture's darkness correlates most with the blob's darkness (over the
          blob's pixels and the gaps closed) is at most MOVE pixels each way (a line of
          text moved 1 mm, 4 px, is found about 4 px away).
  global  of all ink of both pictures, at least GLOBAL_NEAR is near.
  lines   the rows that hold ink (the text lines' vertical extents, rules) agree: the
          row profiles' best alignment is a shift of at most SHIFT pixels.

On failure, FAILDIR (if given) gets NAME-ofd.png, NAME-pdf.png and NAME-diff.png (black:
ink in both; red: the PDF's only; blue: the reader's only; the failing blobs boxed).
"""
import os
import sys

import numpy as np
from PIL import Image, ImageDraw, ImageFont
from scipy import ndimage

import tap

INK = 200          # luminance below which a pixel is ink (0-255)
MARK = 235         # ... a mark (the pale card fill is 242)
PAIR = 30          # ... or two neighbours this dark together
BRIDGE = 2         # gaps closed before grouping ink into blobs (pixels)
R = 2.0            # "near": within this many pixels (0.5 mm at 4 px/mm, about 1.4 pt)
MIN_PX = 12        # blobs smaller than this are anti-aliasing specks, not checked
BLOB_NEAR = 0.90   # each blob: at least this share of its ink near
GLOBAL_NEAR = 0.99  # all ink: at least this share near
SHIFT = 1          # the row profiles align within this many pixels
OFFSET_PX = 40     # blobs this large are looked for in the other picture ...
SEARCH = 6         # ... up to this many pixels away
MOVE = 2           # ... and must be found at most this far (pixels, across and down)

if sys.argv[1] == "--side-by-side":
    ofd_png, pdf_png, name, out = sys.argv[2:6]
    a, p = Image.open(ofd_png).convert("RGB"), Image.open(pdf_png).convert("RGB")
    gap, top = 16, 40
    img = Image.new("RGB", (a.width + p.width + gap, max(a.height, p.height) + top), (200, 200, 200))
    img.paste(a, (0, top))
    img.paste(p, (a.width + gap, top))
    draw = ImageDraw.Draw(img)
    font = None
    for path in ("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
                 "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"):
        if os.path.exists(path):
            font = ImageFont.truetype(path, 20)
            break
    draw.text((8, 8), f"{name}.ofd, page 1, drawn by ofd.js in chromium", fill=(0, 0, 0), font=font)
    draw.text((a.width + gap + 8, 8), f"{name}.pdf, page 1, drawn by pdftoppm", fill=(0, 0, 0), font=font)
    img.quantize(colors=128).save(out, optimize=True)
    sys.exit(0)

ofd_png, pdf_png, name = sys.argv[1:4]
faildir = sys.argv[4] if len(sys.argv) > 4 else None


def report(good, what, why=""):
    tap.check(good, what, why, limit=12)


def load(path):
    img = Image.open(path).convert("RGB")
    a = np.asarray(img, dtype=np.float32)
    lum = 0.299 * a[..., 0] + 0.587 * a[..., 1] + 0.114 * a[..., 2]
    dark = 255 - lum
    pair = np.zeros_like(dark)
    pair[:-1, :] = dark[:-1, :] + dark[1:, :]
    pair[1:, :] = np.maximum(pair[1:, :], pair[:-1, :])
    across = np.zeros_like(dark)
    across[:, :-1] = dark[:, :-1] + dark[:, 1:]
    across[:, 1:] = np.maximum(across[:, 1:], across[:, :-1])
    return img, lum < INK, (lum < MARK) | (np.maximum(pair, across) > PAIR), dark


ofd_img, ofd_ink, ofd_mark, ofd_dark = load(ofd_png)
pdf_img, pdf_ink, pdf_mark, pdf_dark = load(pdf_png)
if ofd_img.size != pdf_img.size:
    report(False, f"{name}: the reader's page is the PDF's size", f"ofd.js {ofd_img.size}, pdftoppm {pdf_img.size}")
    sys.exit(0)
w, h = pdf_img.size
report(True, f"{name}: the reader's page is the PDF's size ({w}x{h})")

# distance from every pixel to the nearest mark of each picture
dist_to = {k: ndimage.distance_transform_edt(~mark) for k, mark in (("ofd", ofd_mark), ("pdf", pdf_mark))}
near = {"ofd": dist_to["pdf"] <= R, "pdf": dist_to["ofd"] <= R}  # ink of k near the other's
inks = {"ofd": ofd_ink, "pdf": pdf_ink}
darks = {"ofd": ofd_dark, "pdf": pdf_dark}
# the other picture's darkness, padded by SEARCH for the offset search
padded = {"pdf": np.pad(ofd_dark, SEARCH), "ofd": np.pad(pdf_dark, SEARCH)}
shifts = sorted(((dx, dy) for dx in range(-SEARCH, SEARCH + 1) for dy in range(-SEARCH, SEARCH + 1)),
                key=lambda d: (abs(d[0]) + abs(d[1]), d))  # ties: the nearest


def offset(blob, ys, xs, other):
    """the shift of the other picture's darkness that matches the blob's (its darkness over
    its region) most: their correlation's peak"""
    best, at = -1.0, (0, 0)
    for dx, dy in shifts:
        score = float((other[ys.start + SEARCH + dy:ys.stop + SEARCH + dy,
                             xs.start + SEARCH + dx:xs.stop + SEARCH + dx] * blob).sum())
        if score > best:
            best, at = score, (dx, dy)
    return at


bad_boxes = []
for k, other in (("pdf", "the reader"), ("ofd", "the PDF")):
    ink = inks[k]
    closed = ndimage.binary_dilation(ink, structure=np.ones((2 * BRIDGE + 1, 2 * BRIDGE + 1), bool))
    labels, n = ndimage.label(closed, structure=np.ones((3, 3), bool))
    regions = labels       # each blob's pixels, ink and the gaps closed
    labels = labels * ink  # the blob of each ink pixel
    size = np.bincount(labels.ravel(), minlength=n + 1)
    good = np.bincount(labels.ravel(), weights=(ink & near[k]).ravel(), minlength=n + 1)
    boxes = ndimage.find_objects(labels)
    checked, bad, worst = 0, [], 1.0
    moved, largest, looked = [], 0, 0
    for i in range(1, n + 1):
        if size[i] < MIN_PX or boxes[i - 1] is None:
            continue
        checked += 1
        share = good[i] / size[i]
        worst = min(worst, share)
        ys, xs = boxes[i - 1]
        if share < BLOB_NEAR:
            bad.append((share, xs.start, ys.start, xs.stop - xs.start, ys.stop - ys.start, int(size[i])))
        if size[i] >= OFFSET_PX:
            looked += 1
            dx, dy = offset((regions[ys, xs] == i) * darks[k][ys, xs], ys, xs, padded[k])
            largest = max(largest, abs(dx), abs(dy))
            if abs(dx) > MOVE or abs(dy) > MOVE:
                moved.append((xs.start, ys.start, xs.stop - xs.start, ys.stop - ys.start, dx, dy))
    bad.sort()
    bad_boxes += [(k, b) for b in bad]
    whose = "the PDF's" if k == "pdf" else "the reader's"
    report(not bad and checked > 0,
           f"{name}: each of {whose} {checked} blobs of ink has {BLOB_NEAR:.0%} of it within {R:g} px of {other}'s marks"
           + (f" ({len(bad)} do not)" if bad else f" (the least {worst:.0%})"),
           "\n".join(f"blob at x={x} y={y} ({bw}x{bh} px, {px} px of ink): {s:.0%} near" for s, x, y, bw, bh, px in bad))
    bad_boxes += [(k, (0, x, y, bw, bh, 0)) for x, y, bw, bh, _, _ in moved]
    report(not moved and looked > 0,
           f"{name}: each of {whose} {looked} blobs of {OFFSET_PX}+ px is found in {other}'s picture at most {MOVE} px from where it is"
           + (f" ({len(moved)} are not)" if moved else f" (the largest offset {largest} px)"),
           "\n".join(f"blob at x={x} y={y} ({bw}x{bh} px): found {dx:+d},{dy:+d} px away" for x, y, bw, bh, dx, dy in moved))

total = ofd_ink.sum() + pdf_ink.sum()
share = ((ofd_ink & near["ofd"]).sum() + (pdf_ink & near["pdf"]).sum()) / max(total, 1)
report(share >= GLOBAL_NEAR and total > 0,
       f"{name}: {share:.2%} of all ink (both pictures, {int(total)} px) is within {R:g} px of the other's marks (at least {GLOBAL_NEAR:.0%})")

# rows with ink: text lines, rules. The best shift of one profile against the other.
rows = {k: inks[k].sum(axis=1).astype(np.float64) for k in inks}
best, best_at = -1.0, 0
for s in range(-8, 9):
    a = rows["pdf"][max(0, s):h + min(0, s)]
    b = rows["ofd"][max(0, -s):h + min(0, -s)]
    c = float(np.dot(a - a.mean(), b - b.mean()) / (np.linalg.norm(a - a.mean()) * np.linalg.norm(b - b.mean()) or 1))
    if c > best:
        best, best_at = c, s
report(abs(best_at) <= SHIFT, f"{name}: the rows of ink line up (best vertical shift {best_at:+d} px, correlation {best:.3f})")

if tap.failed and faildir:
    os.makedirs(faildir, exist_ok=True)
    ofd_img.save(os.path.join(faildir, f"{name}-ofd.png"))
    pdf_img.save(os.path.join(faildir, f"{name}-pdf.png"))
    diff = np.full((h, w, 3), 255, np.uint8)
    diff[pdf_ink & ~ofd_ink] = (220, 0, 0)
    diff[ofd_ink & ~pdf_ink] = (0, 60, 220)
    diff[pdf_ink & ofd_ink] = (0, 0, 0)
    img = Image.fromarray(diff)
    draw = ImageDraw.Draw(img)
    for k, (_, x, y, bw, bh, _) in bad_boxes:
        draw.rectangle((x - 3, y - 3, x + bw + 2, y + bh + 2), outline=(220, 0, 0) if k == "pdf" else (0, 60, 220))
    img.save(os.path.join(faildir, f"{name}-diff.png"))
    print(f"# the pictures and their difference: {faildir}/{name}-{{ofd,pdf,diff}}.png")
