#!/usr/bin/env python3
"""pdf_outline.py FILE.pdf: prints the PDF's outline (bookmarks), one line per entry:
depth<TAB>page (from 1)<TAB>title. Reads qpdf's JSON, so it needs only qpdf."""
import json
import subprocess
import sys


def walk(items, depth):
    for it in items:
        print(f"{depth}\t{it.get('destpageposfrom1', 0)}\t{it.get('title', '')}")
        walk(it.get("kids", []), depth + 1)


doc = json.loads(subprocess.run(["qpdf", "--json=2", "--json-key=outlines", sys.argv[1]],
                                check=True, stdout=subprocess.PIPE).stdout)
walk(doc.get("outlines", []), 1)
