#!/usr/bin/env python3
"""lang_check.py PDF DOCLANG: the language of each run of text in PDF's page contents, read
back with pikepdf (content operators, each font's ToUnicode map), printing "ok - ..." or
"FAIL - ..." per rule (tests/e2e/lang_runs.sh counts them).

A character's language is the /Lang of the innermost marked-content sequence around it that
has one, else the document's (the catalog's /Lang, which must be DOCLANG). Artifacts
(/Artifact sequences: running headers, footers) are not read aloud and not checked.

  - DOCLANG en: every Chinese character (CJK ideographs and punctuation, full-width forms)
    is in a sequence with /Lang (zh-CN); no Latin letter is; there are some of both;
  - DOCLANG zh-CN: no sequence has a /Lang (Latin words in Chinese are not marked);
  - every sequence with a /Lang is one with an MCID (a sibling of the document's, not a
    sequence nested in one: poppler's struct text loses text after a nested one).
"""
import os
import re
import sys

import pikepdf

import tap

name = ""


def check(ok, what, why=""):
    tap.check(ok, f"{name}: {what}", why)


def chinese(c):
    o = ord(c)
    return (0x2E80 <= o <= 0x9FFF or 0xF900 <= o <= 0xFAFF or 0xFE30 <= o <= 0xFE4F
            or 0xFF00 <= o <= 0xFFEF or 0x20000 <= o <= 0x3FFFF)


def latin(c):
    return c.isascii() and c.isalpha() or 0xC0 <= ord(c) <= 0x24F and c.isalpha()


def tounicode(font):
    """Dict code -> text from a Type0 font's ToUnicode map."""
    out = {}
    if "/ToUnicode" not in font:
        return out
    text = font.ToUnicode.read_bytes().decode("latin-1")

    def u16(h):
        return bytes.fromhex(h).decode("utf-16-be")

    for block in re.findall(r"beginbfchar(.*?)endbfchar", text, re.S):
        for code, dst in re.findall(r"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>", block):
            out[int(code, 16)] = u16(dst)
    for block in re.findall(r"beginbfrange(.*?)endbfrange", text, re.S):
        for lo, hi, dst in re.findall(r"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>", block):
            first = u16(dst)
            for k, code in enumerate(range(int(lo, 16), int(hi, 16) + 1)):
                out[code] = first[:-1] + chr(ord(first[-1]) + k)
    return out


def main():
    global name
    path, doclang = sys.argv[1], sys.argv[2]
    name = os.path.basename(path)
    pdf = pikepdf.open(path)
    check(str(pdf.Root.get("/Lang", "")) == doclang, f"the catalog's /Lang is {doclang}")
    cmaps = {}
    n_zh = n_latin = n_lang = 0
    bad_zh, bad_latin, nested = [], [], []
    for i, page in enumerate(pdf.pages):
        fonts = page.Resources.get("/Font", {})
        stack = []  # per sequence: (its /Lang or None, artifact, has MCID)
        font = None
        for operands, op in pikepdf.parse_content_stream(page):
            op = str(op)
            if op in ("BDC", "BMC"):
                props = operands[1] if op == "BDC" and len(operands) > 1 else None
                lang = mcid = None
                if isinstance(props, pikepdf.Dictionary):
                    lang = str(props["/Lang"]) if "/Lang" in props else None
                    mcid = props.get("/MCID")
                art = str(operands[0]) == "/Artifact" or any(s[1] for s in stack)
                if lang is not None:
                    n_lang += 1
                    if mcid is None or any(s[2] for s in stack):
                        nested.append(f"page {i + 1}: /Lang ({lang}) on a sequence without an MCID or nested")
                stack.append((lang, art, mcid is not None))
            elif op == "EMC":
                if stack:
                    stack.pop()
            elif op == "Tf":
                fname = str(operands[0])  # a page's name for a font: its own, per page
                f = fonts.get(fname)
                key = f.objgen if f is not None else None
                if key not in cmaps:
                    cmaps[key] = tounicode(f) if f is not None else {}
                font = cmaps[key]
            elif op in ("Tj", "TJ"):
                if any(s[1] for s in stack):
                    continue
                lang = next((s[0] for s in reversed(stack) if s[0] is not None), doclang)
                items = operands[0] if op == "TJ" else [operands[0]]
                text = ""
                for it in items:
                    if isinstance(it, pikepdf.String):
                        raw = bytes(it)
                        text += "".join(font.get(raw[k] << 8 | raw[k + 1], "\ufffd")
                                        for k in range(0, len(raw) - 1, 2))
                for c in text:
                    if chinese(c):
                        n_zh += 1
                        if lang != "zh-CN":
                            bad_zh.append(f"page {i + 1}: {text!r} in {lang}")
                    elif latin(c):
                        n_latin += 1
                        if lang == "zh-CN" and doclang != "zh-CN":
                            bad_latin.append(f"page {i + 1}: {text!r} in {lang}")
    if doclang == "zh-CN":
        check(n_lang == 0, "a Chinese document marks no run with a /Lang", f"{n_lang} sequences have one")
    else:
        check(n_zh > 0 and n_latin > 0, f"the pages show Chinese ({n_zh}) and Latin ({n_latin}) characters")
        check(not bad_zh, "every Chinese character is in a sequence with /Lang (zh-CN)", "; ".join(bad_zh[:3]))
        check(not bad_latin, "no Latin letter is in a sequence with /Lang (zh-CN)", "; ".join(bad_latin[:3]))
    check(not nested, "every /Lang is on a sequence with an MCID, nested in none", "; ".join(nested[:3]))
    return tap.status()


if __name__ == "__main__":
    sys.exit(main())
