#!/usr/bin/env python3
"""tagged_check.py PDF LANG [--roles=A,B,...] [ALT...]: the rules of a tagged PDF (PDF/UA-1's, those we
implement: docs/standards.md) checked one by one on PDF, printing "ok - ..." or
"FAIL - ..." per rule (tests/e2e/tagged.sh counts them).

  - catalog: /MarkInfo << /Marked true >>, /Lang LANG, /ViewerPreferences
    << /DisplayDocTitle true >>, /StructTreeRoot with /ParentTree and /ParentTreeNextKey,
    a /RoleMap entry for every type that is not a standard one;
  - pages: /Tabs /S on each; /StructParents on each with marked content;
  - content streams: marked content nests with BT/ET and q/Q; every MCID once on its
    page; none inside an artifact; artifacts hold no MCID;
  - tree: every MCID is referenced exactly once, and every reference (an integer with the
    element's /Pg, or an MCR) names an MCID of its page; the parent tree gives each MCID
    the element that references it;
  - roles: Document, H1, P, Table, TR, TH, TD, Figure present (or those --roles names);
    every TH /Scope /Column;
    every Figure a non-empty /Alt; every table one header row first (TH), no TH after it,
    every row as many cells; a table whose cells lie on several pages is still one;
  - each ALT (a string) is found in some Figure's /Alt;
  - headings: the H1..H4 elements, in order, are the outline's entries, at their levels
    (the title, a Title element, is not in the outline);
  - reading order: the struct text (pdfinfo -struct-text) read in order is found in the
    same order in pdftotext -raw's reading of the page contents (spaces ignored).
"""
import re
import subprocess
import sys

import pikepdf

import tap

STANDARD = set(
    "Document Part Art Sect Div BlockQuote Caption TOC TOCI Index NonStruct Private P H H1 H2 H3 H4 H5 H6 "
    "L LI Lbl LBody Table TR TH TD THead TBody TFoot Span Quote Note Reference BibEntry Code Link Annot Ruby "
    "RB RT RP Warichu WT WP Figure Formula Form".split())

def check(ok, what, why=""):
    tap.check(ok, what, why)


def kids(e):
    k = e.get("/K")
    if k is None:
        return []
    return list(k) if isinstance(k, pikepdf.Array) else [k]


def is_elem(x):
    return isinstance(x, pikepdf.Dictionary) and "/S" in x


def main():
    path, lang = sys.argv[1], sys.argv[2]
    want = {"Document", "H1", "P", "Table", "TR", "TH", "TD", "Figure"}
    alts = []
    for a in sys.argv[3:]:
        if a.startswith("--roles="):
            want = set(a[8:].split(","))
        else:
            alts.append(a)
    name = path.rsplit("/", 1)[-1]
    pdf = pikepdf.open(path)
    root = pdf.Root
    mi = root.get("/MarkInfo")
    check(mi is not None and bool(mi.get("/Marked")), f"{name}: /MarkInfo << /Marked true >>")
    check(str(root.get("/Lang", "")) == lang, f"{name}: /Lang ({lang})", f"got {root.get('/Lang')}")
    vp = root.get("/ViewerPreferences")
    check(vp is not None and bool(vp.get("/DisplayDocTitle")), f"{name}: /ViewerPreferences << /DisplayDocTitle true >>")
    str_root = root.get("/StructTreeRoot")
    check(str_root is not None and "/ParentTree" in str_root and "/ParentTreeNextKey" in str_root,
          f"{name}: /StructTreeRoot with /ParentTree and /ParentTreeNextKey")
    if str_root is None:
        return
    rolemap = str_root.get("/RoleMap", pikepdf.Dictionary())

    # --- the content streams
    page_of = {}  # objgen -> page index
    mcids = []    # per page: set of MCIDs
    nest_ok, once_ok, art_ok, tabs_ok, sp_ok = True, True, True, True, True
    why = []
    for i, page in enumerate(pdf.pages):
        page_of[page.obj.objgen] = i
        tabs_ok &= str(page.obj.get("/Tabs", "")) == "/S"
        seen = set()
        stack = []  # ("mc", is_artifact, q depth, in_text) / ("q",) / ("BT",)
        qdepth, in_text = 0, False
        for operands, op in pikepdf.parse_content_stream(page):
            op = str(op)
            if op in ("BDC", "BMC"):
                tag = str(operands[0])
                art = tag == "/Artifact" or any(s[0] == "mc" and s[1] for s in stack)
                if op == "BDC" and isinstance(operands[1], pikepdf.Dictionary) and "/MCID" in operands[1]:
                    m = int(operands[1].MCID)
                    if art:
                        art_ok = False
                        why.append(f"page {i + 1}: MCID {m} inside an artifact")
                    if m in seen:
                        once_ok = False
                        why.append(f"page {i + 1}: MCID {m} twice")
                    seen.add(m)
                stack.append(("mc", art, qdepth, in_text))
            elif op == "EMC":
                if not stack or stack[-1][0] != "mc" or stack[-1][2] != qdepth or stack[-1][3] != in_text:
                    nest_ok = False
                    why.append(f"page {i + 1}: EMC does not close a sequence opened at this q depth and text state")
                if stack:
                    stack.pop()
            elif op == "q":
                qdepth += 1
            elif op == "Q":
                qdepth -= 1
            elif op == "BT":
                in_text = True
            elif op == "ET":
                in_text = False
        if stack:
            nest_ok = False
            why.append(f"page {i + 1}: {len(stack)} sequences left open")
        mcids.append(seen)
        if seen:
            sp_ok &= "/StructParents" in page.obj
    check(tabs_ok, f"{name}: /Tabs /S on every page")
    check(sp_ok, f"{name}: /StructParents on every page with marked content")
    check(nest_ok, f"{name}: marked content nests with BT/ET and q/Q", "; ".join(why[:3]))
    check(once_ok and art_ok, f"{name}: each MCID once on its page, none inside an artifact", "; ".join(why[:3]))
    check(sum(len(s) for s in mcids) > 0, f"{name}: the pages have marked content")

    # --- the tree
    refs = {}     # (page, mcid) -> element objgen
    bad_refs = []
    elems = []    # (depth, element) in order
    types = set()

    def walk(e, depth, parent):
        elems.append((depth, e))
        s = str(e.S)[1:]
        types.add(s)
        if parent is not None and e.get("/P") is not None and e.P.objgen != parent.objgen:
            bad_refs.append(f"{s}: /P is not its parent")
        pg = e.get("/Pg")
        for k in kids(e):
            if is_elem(k):
                walk(k, depth + 1, e)
                continue
            if isinstance(k, int) or (isinstance(k, pikepdf.Object) and k._type_code == pikepdf.ObjectType.integer):
                m, page = int(k), pg
            elif isinstance(k, pikepdf.Dictionary) and "/MCID" in k:
                m, page = int(k.MCID), k.get("/Pg", pg)
            else:
                bad_refs.append(f"{s}: a kid that is neither element nor MCR")
                continue
            if page is None or page.objgen not in page_of:
                bad_refs.append(f"{s}: MCID {m} without its page")
                continue
            key = (page_of[page.objgen], m)
            if key in refs:
                bad_refs.append(f"{s}: MCID {m} of page {key[0] + 1} referenced twice")
            if m not in mcids[key[0]]:
                bad_refs.append(f"{s}: MCID {m} is not on page {key[0] + 1}")
            refs[key] = e.objgen

    top = str_root.K
    walk(top, 0, None)
    all_mcids = {(p, m) for p, s in enumerate(mcids) for m in s}
    check(not bad_refs and set(refs) == all_mcids,
          f"{name}: every MCID referenced exactly once from the tree, every reference an MCID of its page",
          "; ".join(bad_refs[:3]) + f" (unreferenced: {sorted(all_mcids - set(refs))[:5]})")
    # the parent tree
    nums = list(str_root.ParentTree.get("/Nums", []))
    ptree = {int(nums[i]): nums[i + 1] for i in range(0, len(nums), 2)}
    pt_ok, pt_why = True, []
    for p, page in enumerate(pdf.pages):
        if not mcids[p]:
            continue
        arr = ptree.get(int(page.obj.get("/StructParents", -1)))
        for m in mcids[p]:
            if arr is None or m >= len(arr) or arr[m].objgen != refs.get((p, m)):
                pt_ok = False
                pt_why.append(f"page {p + 1} MCID {m}")
    check(pt_ok, f"{name}: the parent tree gives each MCID the element that references it", ", ".join(pt_why[:5]))
    check(int(str_root.ParentTreeNextKey) > max(ptree) if ptree else True, f"{name}: /ParentTreeNextKey past every key")
    nonstd = {t for t in types if t not in STANDARD}
    check(all(f"/{t}" in rolemap and str(rolemap[f"/{t}"])[1:] in STANDARD for t in nonstd),
          f"{name}: a /RoleMap entry to a standard type for each other type ({', '.join(sorted(nonstd)) or 'none'})")
    check(str(top.S) == "/Document", f"{name}: the tree's root is Document")
    check(want <= types, f"{name}: {', '.join(sorted(want))} in the tree",
          f"missing {sorted(want - types)}")

    # --- roles' attributes
    ths = [e for _, e in elems if str(e.S) == "/TH"]
    check((ths or "TH" not in want) and all(str(e.get("/A", {}).get("/Scope", "")) == "/Column" for e in ths),
          f"{name}: every TH has /Scope /Column ({len(ths)})")
    figs = [e for _, e in elems if str(e.S) == "/Figure"]
    check((figs or "Figure" not in want) and all(str(e.get("/Alt", "")).strip() for e in figs), f"{name}: every Figure has alternative text ({len(figs)})")
    longest = max((len(bytes(e.Alt)) for e in figs if "/Alt" in e), default=0)
    check(longest <= 32767, f"{name}: every /Alt at most 32,767 bytes (PDF/A-1's string limit): {longest}")
    alt_text = [str(e.get("/Alt", "")) for e in figs]
    for a in alts:
        check(any(a in t for t in alt_text), f"{name}: a Figure's /Alt says '{a}'", "\n    ".join(alt_text[-3:]))

    # --- tables: one header row, rows of equal length, split tables whole
    tables = [e for _, e in elems if str(e.S) == "/Table"]
    t_ok, t_why, split = True, [], 0
    for t in tables:
        rows = [k for k in kids(t) if is_elem(k)]
        cells = [[str(c.S) for c in kids(r) if is_elem(c)] for r in rows]
        if not rows or any(str(r.S) != "/TR" for r in rows) or set(cells[0]) != {"/TH"} or \
                any("/TH" in c for c in cells[1:]) or len({len(c) for c in cells}) != 1:
            t_ok = False
            t_why.append(f"table of {len(rows)} rows: {cells[:2]}")
        pages = set()
        for r in rows:
            for c in kids(r):
                if is_elem(c) and c.get("/Pg") is not None:
                    pages.add(page_of.get(c.Pg.objgen))
        split += len(pages) > 1
    check((tables or "Table" not in want) and t_ok, f"{name}: each table ({len(tables)}) one header row of TH first, then rows of TD of as many cells",
          "; ".join(t_why[:2]))
    print(f"# {name}: {len(tables)} tables, {split} across pages")

    # --- reading order: the struct text in the order of the page content
    st = subprocess.run(["pdfinfo", "-struct-text", path], capture_output=True, text=True).stdout
    pieces = [re.sub(r"\s+", "", m.group(1)) for m in re.finditer(r'^\s*"(.*)"\s*$', st, re.M)]
    pieces = [p for p in pieces if p]
    raw = re.sub(r"\s+", "", subprocess.run(["pdftotext", "-raw", path, "-"], capture_output=True, text=True).stdout)
    at, lost = 0, None
    for p in pieces:
        i = raw.find(p, at)
        if i < 0:
            lost = p
            break
        at = i + len(p)
    check(pieces and lost is None,
          f"{name}: the struct text ({len(pieces)} pieces) reads in the order of the page content",
          f"not found after position {at}: {lost!r}")
    # the headings are the outline: the same titles, in order, at the same levels
    heads = [(m.group(1), re.sub(r"\s+", "", m.group(2))) for m in
             re.finditer(r'^\s*(H[1-4]|Title)\b.*\n\s*"(.*)"\s*$', st, re.M)]
    kinds = [str(e.S)[1:] for _, e in elems if str(e.S) in ("/H1", "/H2", "/H3", "/H4", "/Title")]
    shown = [(int(h[0][1]), h[1]) for h, k in zip(heads, kinds) if k != "Title"]
    marks = []
    with pdf.open_outline() as o:
        def walk_outline(items, level):
            for it in items:
                marks.append((level, re.sub(r"\s+", "", it.title)))
                walk_outline(it.children, level + 1)
        walk_outline(o.root, 1)
    check(len(heads) == len(kinds) and shown == marks,
          f"{name}: the headings (H1..H4, {len(shown)}) are the outline's entries at their levels",
          f"headings {shown[:4]}..., outline {marks[:4]}...")
    # what the struct text leaves out is only artifacts: headers, footers, repeated headers
    print(f"# {name}: {len(elems)} structure elements")


main()
sys.exit(tap.status())
