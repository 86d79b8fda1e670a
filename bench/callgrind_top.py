#!/usr/bin/python3
"""Where a countybrief worker's instructions go, per briefing, from callgrind files written with
--trace-children=yes (bench/profile.sh).

A forked worker's callgrind file also holds what its parent did before the fork (callgrind keeps
the counters across fork), so the worker's own cost is taken under worker_main, and a function's
exclusive cost is the worker file's minus the parent file's (approximate for functions that both
run after the fork, which is only the parent's waiting loop).

Usage: callgrind_top.py COUNTIES PARENT.out WORKER.out    prints Markdown
"""
import re
import subprocess
import sys

LINE = re.compile(r"^\s*([\d,]+) \(\s*[\d.]+%\)\s+(?:\S*?):(.+?) \[(.+)\]\s*$")


def annotate(path, inclusive):
    args = ["callgrind_annotate", "--threshold=100"] + (["--inclusive=yes"] if inclusive else []) + [path]
    txt = subprocess.run(args, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True).stdout
    d = {}
    for line in txt.splitlines():
        m = LINE.match(line)
        if m:
            name = m.group(2).strip()
            lib = m.group(3).rsplit("/", 1)[-1]
            key = name if not name.startswith("0x") else "%s:%s" % (lib, name)
            d[key] = d.get(key, 0) + int(m.group(1).replace(",", ""))
            d.setdefault("@lib:" + key, lib)
    return d


# (function, what it is); the indent in the label shows nesting
ROWS = [
    ("worker_main", "one county in a worker, all of it"),
    ("cb_lua_run_report", "  Lua: new state, report script, doc API"),
    ("luaL_loadbufferx", "    Lua: parsing/loading scripts"),
    ("cb_layout_run", "  layout (line breaking, pages)"),
    ("cb_break_lines", "    line breaking (libunibreak + widths)"),
    ("cb_backend_write", "  PDF output, all of it"),
    ("cb_font_subset_make", "    hb-subset of the font to the used characters"),
    ("hb_subset_or_fail", "      hb_subset_or_fail"),
    ("HPDF_LoadTTFontFromFile", "    HPDF_LoadTTFontFromFile (parse the subset TTF)"),
    ("HPDF_GetFont", "    HPDF_GetFont"),
    ("HPDF_Type0Font_New", "      HPDF_Type0Font_New (CID font, 64K CIDToGIDMap)"),
    ("HPDF_SetCurrentEncoder", "    HPDF_SetCurrentEncoder (UTF-8 CMap encoder init)"),
    ("HPDF_Page_TextOut", "    HPDF_Page_TextOut (drawing text)"),
    ("HPDF_Font_TextWidth", "    HPDF_Font_TextWidth"),
    ("HPDF_SaveToStream", "    HPDF_SaveToStream (writing the PDF)"),
    ("HPDF_Stream_WriteToStreamWithDeflate", "      streams through zlib"),
    ("deflate", "        zlib deflate"),
    ("HPDF_TTFontDef_SaveFontData", "      HPDF_TTFontDef_SaveFontData (rebuilds the TTF byte by byte; its deflate is counted above)"),
    ("HPDF_Free", "    HPDF_Free"),
]


def main():
    n = int(sys.argv[1])
    parent_f, worker_f = sys.argv[2], sys.argv[3]
    pi, pe = annotate(parent_f, True), annotate(parent_f, False)
    wi, we = annotate(worker_f, True), annotate(worker_f, False)
    total = wi.get("worker_main", 0)
    if not total:
        sys.exit("no worker_main in %s" % worker_f)
    out = []
    p = out.append
    p("Worker: %.1f M instructions per briefing (%d briefings); parent: %.1f M instructions for the run "
      "(start-up, data, input hashing, manifest)." % (total / n / 1e6, n, pi.get("main", 0) / 1e6))
    p("")
    p("| inclusive cost | M instr / briefing | % of the worker |")
    p("|---|---|---|")
    for fn, label in ROWS:
        v = wi.get(fn)
        if v is None:
            continue
        if fn != "worker_main":
            v -= pi.get(fn, 0)  # inherited from before the fork (zero for rendering functions)
        p("| %s `%s` | %.2f | %.1f%% |" % (label.replace("  ", "&nbsp;&nbsp;"), fn, v / n / 1e6, 100 * v / total))
    sha = wi.get("nettle_sha256_update", 0) - pi.get("nettle_sha256_update", 0)
    if sha > 0:
        p("| &nbsp;&nbsp;sha256 of the PDF for the manifest `nettle_sha256_update` | %.2f | %.1f%% |" % (
            sha / n / 1e6, 100 * sha / total))
    p("")
    p("Top exclusive (self) costs in the worker:")
    p("")
    p("| function | library | M instr / briefing | % of the worker |")
    p("|---|---|---|---|")
    ex = []
    for k, v in we.items():
        if k.startswith("@lib:"):
            continue
        v -= pe.get(k, 0)
        if v > 0:
            ex.append((v, k, we.get("@lib:" + k, "?")))
    for v, k, lib in sorted(ex, reverse=True)[:15]:
        p("| `%s` | %s | %.2f | %.1f%% |" % (k.split(":", 1)[-1] if ":" in k else k, lib, v / n / 1e6, 100 * v / total))
    # by library
    libs = {}
    for v, k, lib in ex:
        libs[lib] = libs.get(lib, 0) + v
    p("")
    p("Self cost by library: " + ", ".join("%s %.0f%%" % (l, 100 * v / total)
                                            for l, v in sorted(libs.items(), key=lambda x: -x[1])[:8]))
    p("")
    p("Parent (once per run): " + ", ".join(
        "%s %.1f M" % (fn, pi[fn] / 1e6) for fn in ("cb_engine_open", "cb_font_find", "FcInit", "cb_engine_open_data",
                                                   "cb_plugins_load_all", "hash_file", "cb_batch_run") if fn in pi) +
      " instructions.")
    print("\n".join(out))


if __name__ == "__main__":
    main()
