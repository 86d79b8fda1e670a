#!/usr/bin/env bash
# typography.sh: punctuation compression (标点挤压) and CJK–Latin spacing in the example
# briefings (core/typeset.c), read back from the glyphs' positions (lib/glyphs.py):
#   * kaiming (the default): no two adjacent full-width marks take more than 1.5 em
#     together ("。”", "”，", "）、" ...), in the briefings and in a paragraph of such runs;
#     the opening quote of the heading “十四五”目标与进展 starts within a quarter em of the
#     heading text's left edge (its blank half cut, no hole after the heading bar); a
#     quarter em between Han and Latin letters or digits, none between a number and its
#     unit ("29年");
#   * type.cjk_latin_space = false: no space between Han and Latin;
#   * type.punctuation = "quanjiao": every mark full width;
#   * bad values refused, naming the template file and the field.
# Widths are measured between the neighbours of what is measured, less the line's
# justification spacing (the Tc of its Han characters).
set -euo pipefail
source "$(dirname "$0")/lib/common.bash"

need_python fitz "PyMuPDF (python3-fitz)"

CHECK=$TMP/check.py
cat >"$CHECK" <<'EOF'
import statistics
import sys

sys.path.insert(0, sys.argv[1])
import fitz
import glyphs

mode, pdfs = sys.argv[2], sys.argv[3:]
MARKS = glyphs.MARKS
OPENING = set("“‘（《〈「『【〔〖［｛")


def han(c):
    return "\u4e00" <= c <= "\u9fff" or "\u3400" <= c <= "\u4dbf"


def latin(c):
    return c.isascii() and c.isalnum()


def tc(line):
    """The line's justification spacing: what Han characters take beyond their em."""
    gaps = [b.x - a.x - (a.x1 - a.x) for a, b in zip(line, line[1:]) if han(a.c) and han(b.c)]
    return statistics.median(gaps) if gaps else 0.0


def say(ok, what, detail=()):
    print(("ok - " if ok else "FAIL - ") + what)
    for d in list(detail)[:12]:
        print("  " + d)


def spans(line, n):
    """(i, ems) for each run of n marks line[i:i+n] with a non-mark glyph on both sides: the
    width the run is set at, in ems."""
    s = tc(line)
    for i in range(1, len(line) - n):
        run = line[i:i + n]
        before, after = line[i - 1], line[i + n]
        if all(g.c in MARKS for g in run) and before.c not in MARKS and after.c not in MARKS:
            em = run[0].x1 - run[0].x
            yield i, (after.x - before.x1 - (n + 1) * s) / em


def latin_gaps(line):
    """(pair, ems) between Han and Latin neighbours: the space after the first beyond its
    advance and the line's spacing."""
    s = tc(line)
    for k, (a, b) in enumerate(zip(line, line[1:])):
        if (han(a.c) and latin(b.c)) or (latin(a.c) and han(b.c)):
            prev = line[k - 1].c if k else ""
            yield prev + a.c + b.c, (b.x - a.x1 - s) / (a.x1 - a.x if han(a.c) else b.x1 - b.x)


pages = [(pdf, p) for pdf in pdfs for p in glyphs.pages(pdf)]
lines = [l for _, p in pages for l in p]

if mode == "kaiming":
    # n adjacent marks leave at most half an em of blank between inks: 1.5 em for two,
    # 2 em for three ("）”，" in a face whose parentheses are centred)
    wide, runs = [], 0
    for l in lines:
        for n in (2, 3, 4):
            for i, w in spans(l, n):
                runs += 1
                if w > 0.5 * n + 0.5 + 0.02:
                    wide.append(f"{glyphs.text(l[i - 1:i + n + 1])!r}: {w:.2f} em in {glyphs.text(l)!r}")
    say(runs >= 10 and not wide, f"no two adjacent marks wider than 1.5 em, no three than 2 ({runs} runs)", wide)

    # the heading quote: its ink against the heading text's left edge (where the other
    # headings of its size start: no quote before them)
    found = False
    for pdf in pdfs:
        with fitz.open(pdf) as doc:
            for pno, page in enumerate(glyphs.pages(pdf)):
                for l in page:
                    if not glyphs.text(l).startswith("“十四五”目标与进展"):
                        continue
                    size = l[0].size
                    edges = sorted({round(o[0].x, 1) for p in glyphs.pages(pdf) for o in p
                                    if o[0].size == size and han(o[0].c)})
                    if len(edges) != 1:
                        say(False, f"{pdf}: one left edge for the headings of {size} pt", [str(edges)])
                        continue
                    edge = edges[0]
                    # the page at 600 dpi from a quarter em left of the edge (past the bar)
                    clip = fitz.Rect(edge - size / 4, l[0].top, edge + size, l[0].bottom)
                    pix = doc[pno].get_pixmap(dpi=600, clip=clip, colorspace=fitz.csGRAY)
                    cols = [x for x in range(pix.width) if any(
                        pix.samples[y * pix.stride + x] < 128 for y in range(pix.height))]
                    ink = clip.x0 + cols[0] * 72 / 600 if cols else None
                    found = True
                    ok = ink is not None and ink - edge <= size / 4
                    say(ok, f"the heading quote starts within a quarter em of the heading's left edge "
                            f"({(ink - edge) / size if ink else float('nan'):.2f} em)",
                        [f"{pdf}: page {pno + 1}: edge {edge:.1f}, ink at {ink}"])
    say(found, "the heading “十四五”目标与进展 is there")

if mode in ("kaiming", "nospace"):
    want = 0.25 if mode == "kaiming" else 0.0
    bad, n, tight = [], 0, 0
    for l in lines:
        for pair, g in latin_gaps(l):
            # a number stays tight to its unit (29年, 4.05亿元) and 第 to its number: the
            # Han–digit pairs after a digit are not checked here
            if pair[-2].isdigit() and han(pair[-1]):
                if mode == "kaiming" and pair[-1] in "年个人元万亿次" and abs(g) <= 0.03:
                    tight += 1
                continue
            if pair[-2] == "第" or (pair[0].isdigit() and han(pair[-2])):
                continue
            n += 1
            if abs(g - want) > 0.03:
                bad.append(f"{pair!r}: {g:.2f} em in {glyphs.text(l)!r}")
    say(n >= 5 and not bad, f"{want:g} em between Han and Latin ({n} places)", bad)
    if mode == "kaiming":
        say(tight >= 5, f"numbers tight to their units ({tight} places)")

if mode == "quanjiao":
    narrow, n = [], 0
    for l in lines:
        for i, w in spans(l, 1):
            n += 1
            if abs(w - 1) > 0.02:
                narrow.append(f"{l[i].c!r}: {w:.2f} em in {glyphs.text(l)!r}")
    say(n >= 5 and not narrow, f"every mark full width ({n} marks)", narrow)
EOF

typography() { # MODE PDF...: the checks of MODE on the PDFs
    local mode=$1 out
    shift
    out=$("$PY" "$CHECK" "$E2E_LIB" "$mode" "$@" 2>&1) || true
    while IFS= read -r line; do
        case $line in
        "ok - "*) ok "$mode: ${line#ok - }" ;;
        "FAIL - "*) not_ok "$mode: ${line#FAIL - }" ;;
        *) echo "#$line" ;;
        esac
    done <<<"$out"
    grep -qE '^(ok|FAIL) - ' <<<"$out" || not_ok "$mode: the check ran" "$out"
}

# --- the briefings as the template sets them (kaiming, CJK–Latin space on) --------------
render_examples "$TMP/out"
# and a paragraph of adjacent marks: the briefings have few runs of them, and which of those
# end a line (and go unmeasured) depends on the face (none of WenQuanYi Micro Hei's centred
# marks, （）！？, is in a run here: those keep their em)
cat >"$TMP/marks.lua" <<'EOF'
doc:paragraph("他说：“今年完成。”随后，“一期”、“二期”均已开工；《规划》《年鉴》记载：“要抓落实。”" ..
  "据「甲」『乙』【丙】〔丁〕，完成率“九成”，全年“三增”。“新”字当头；‘旧’字收尾。")
EOF
cb render --report "$TMP/marks.lua" --county 忠县 --out "$TMP/marks" --no-fsync --quiet
check_eq "a paragraph of adjacent marks: exit 0" 0 "$RC"
typography kaiming "$TMP/out/500233-忠县.pdf" "$TMP/out/500236-奉节县.pdf" "$TMP"/marks/*.pdf

# --- a template that turns them off, or sets every mark full width ---------------------
variant() { # NAME SETTINGS: a copy of the briefing template with SETTINGS in its type table
    mkdir -p "$TMP/$1"
    cp -r "$CB_SRC/templates/briefing/." "$TMP/$1/"
    sed -i "s|^  type = {|  type = { $2|" "$TMP/$1/template.lua"
    grep -qF "$2" "$TMP/$1/template.lua" || not_ok "$1: the setting is in the copy"
    cb render --template "$TMP/$1" --out "$TMP/$1/out" --no-fsync --quiet
    check_eq "$1: exit 0" 0 "$RC"
}
variant nospace "cjk_latin_space = false,"
typography nospace "$TMP"/nospace/out/*.pdf
variant quanjiao 'punctuation = "quanjiao",'
typography quanjiao "$TMP"/quanjiao/out/*.pdf

# --- bad values ---------------------------------------------------------------------------
bad() { # SETTING MESSAGE
    mkdir -p "$TMP/bad"
    printf 'return { type = { %s } }\n' "$1" >"$TMP/bad/template.lua"
    cb render --template "$TMP/bad" --county 500233 --out "$TMP/bad/out" --no-fsync
    check_eq "type.$1: exit 4" 4 "$RC"
    if grep -qF "$TMP/bad/template.lua: $2" "$TMP/stderr"; then ok "type.$1: the file and the field named"
    else not_ok "type.$1: the file and the field named" "$(cat "$TMP/stderr")"; fi
}
bad 'punctuation = "compact"' 'type.punctuation "compact" is not kaiming, quanjiao or banjiao'
bad 'cjk_latin_space = "yes"' 'type.cjk_latin_space must be true or false'

finish
