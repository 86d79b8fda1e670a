#!/usr/bin/env bash
# chart_reference.sh: plugins/charts/README.md, the reference of the charts plugin's
# options, says what the code does and keeps up with it.
#  - Every ```lua block of the README is a complete report (that is the README's
#    convention: option synopses are ```text). Each renders for 忠县 from the example data
#    with exit 0, and its PDF leaves ink for every character and contains every `text` in
#    backticks of the "Shows:" paragraph that follows the block (compared without spaces
#    and line breaks, as pdftotext reads a chart).
#  - The examples use all four blocks and the module `charts`.
#  - Every option key in the KEYS arrays of plugins/charts/*.c is a row "| `key` |" of the
#    option table in its block's section ("## chart.pie"), and that table has no option
#    the code does not accept.
#  - Every error message the plugin raises (the formats of its luaL_error and
#    luaL_argcheck calls) matches a line of the README.
set -euo pipefail
source "$(dirname "$0")/lib/common.bash"

unset COUNTYBRIEF_PLUGIN_DIR COUNTYBRIEF_PLUGIN_PATH
README=$CB_SRC/plugins/charts/README.md
SRC=$CB_SRC/plugins/charts
INK=("$PY" "$E2E_LIB/ink_check.py")

if [[ ! -f $README ]]; then
    not_ok "plugins/charts/README.md exists"
    finish || exit 1
fi


# --- the examples ---------------------------------------------------------------------------
# Writes $TMP/ex/N.lua, N.expect (one string a line) and N.name for each ```lua block, and
# N.error when the block has no "Shows:" paragraph with at least one `text`.
EX=$TMP/ex
mkdir -p "$EX"
"$PY" - "$README" "$EX" <<'PY'
import re, sys, os
readme, out = sys.argv[1], sys.argv[2]
lines = open(readme, encoding="utf-8").read().split("\n")
section, n, i = "(top)", 0, 0
while i < len(lines):
    line = lines[i]
    if line.startswith("## "):
        section = line[3:].strip()
    if line.strip() != "```lua":
        i += 1
        continue
    n += 1
    j = i + 1
    while j < len(lines) and lines[j].strip() != "```":
        j += 1
    code = "\n".join(lines[i + 1:j]) + "\n"
    k = j + 1
    while k < len(lines) and not lines[k].strip():
        k += 1
    para = []
    while k < len(lines) and lines[k].strip():
        para.append(lines[k])
        k += 1
    text = " ".join(para)
    base = os.path.join(out, "%02d" % n)
    open(base + ".lua", "w", encoding="utf-8").write(code)
    open(base + ".name", "w", encoding="utf-8").write("%s, example %d (README line %d)" % (section, n, i + 1))
    shows = re.findall(r"`([^`]+)`", text) if text.startswith("Shows:") else []
    if not shows:
        open(base + ".error", "w", encoding="utf-8").write(
            "no 'Shows:' paragraph with `texts` after the block: %s" % (text[:80] or "(none)"))
    open(base + ".expect", "w", encoding="utf-8").write("".join(s + "\n" for s in shows))
    i = j + 1
PY

count=$(find "$EX" -name '*.lua' | wc -l)
if ((count >= 5)); then ok "the README has $count lua examples"; else
    not_ok "the README has at least 5 lua examples (one per block, one for the module)" "found $count"; fi
all=$(cat "$EX"/*.lua 2>/dev/null || true)
for block in chart.line chart.pie chart.stacked chart.sparkline; do
    if grep -qF "doc:add(\"$block\"" <<<"$all"; then ok "an example adds $block"; else
        not_ok "an example adds $block"; fi
done
if grep -qF 'require "charts"' <<<"$all"; then ok "an example uses the module charts"; else
    not_ok "an example uses the module charts"; fi

for lua in "$EX"/*.lua; do
    base=${lua%.lua}
    name=$(cat "$base.name")
    if [[ -f $base.error ]]; then
        not_ok "$name: $(cat "$base.error")"
        continue
    fi
    out=$base.out
    cb render --report "$lua" --county 忠县 --out "$out" --quiet --no-fsync
    pdf=$out/500233-忠县.pdf
    if [[ $RC -ne 0 || ! -f $pdf ]]; then
        not_ok "$name: renders with exit 0" "exit $RC: $(cat "$TMP/stderr")"
        continue
    fi
    ok "$name: renders with exit 0"
    txt=$(flat "$pdf")
    missing=""
    while IFS= read -r s; do
        s=${s// /}
        [[ -z $s || $txt == *"$s"* ]] || missing+="'$s' "
    done <"$base.expect"
    check_eq "$name: the PDF shows what the README says ($(wc -l <"$base.expect") texts)" "" "$missing"
    rc=0
    "${INK[@]}" check "$pdf" >"$TMP/ink.txt" 2>&1 || rc=$?
    if [[ $rc -eq 0 ]]; then ok "$name: no character renders blank"; else
        not_ok "$name: no character renders blank (exit $rc)" "$(cat "$TMP/ink.txt")"; fi
done

# --- every option key of the code is documented in its block's section ----------------------
"$PY" - "$SRC" "$README" >"$TMP/keys.txt" <<'PY'
import glob, os, re, sys
src, readme = sys.argv[1], sys.argv[2]
doc = open(readme, encoding="utf-8").read().split("\n")

def section(name):
    """The lines of '## name' up to the next '## ' heading, or None."""
    for i, line in enumerate(doc):
        if line.strip() == "## " + name:
            j = i + 1
            while j < len(doc) and not doc[j].startswith("## "):
                j += 1
            return doc[i + 1:j]
    return None

found = 0
for path in sorted(glob.glob(os.path.join(src, "*.c"))):
    code = open(path, encoding="utf-8").read()
    m = re.search(r"KEYS\[\]\s*=\s*\{(.*?)\};", code, re.S)
    if not m:
        continue
    keys = re.findall(r'"([^"]+)"', m.group(1))
    b = re.search(r'cx_begin\(\s*L\s*,\s*\w+\s*,\s*\w+\s*,\s*"([^"]+)"', code)
    block = b.group(1) if b else "?"
    found += 1
    lines = section(block)
    if lines is None:
        print("FAIL\t%s: the README has no section '## %s'\t" % (block, block))
        continue
    rows = set()
    for line in lines:
        r = re.match(r"\|\s*`([A-Za-z_][A-Za-z0-9_]*)`\s*\|", line)
        if r:
            rows.add(r.group(1))
    missing = [k for k in keys if k not in rows]
    extra = sorted(rows - set(keys))
    print("%s\t%s (%s): every key of KEYS (%s) has a row in the option table\t%s" % (
        "FAIL" if missing else "ok", block, os.path.basename(path), ", ".join(keys), " ".join(missing)))
    print("%s\t%s: the option table has no key the code refuses\t%s" % (
        "FAIL" if extra else "ok", block, " ".join(extra)))
if found < 4:
    print("FAIL\tKEYS arrays found in plugins/charts/*.c: %d, expected 4\t" % found)
PY
while IFS=$'\t' read -r verdict what detail; do
    if [[ $verdict == ok ]]; then ok "$what"; else not_ok "$what" "missing: $detail"; fi
done <"$TMP/keys.txt"

# --- every error message of the plugin is in the README ---------------------------------------
"$PY" - "$SRC" "$README" >"$TMP/errors.txt" <<'PY'
import glob, os, re, sys
src, readme = sys.argv[1], sys.argv[2]
doc = open(readme, encoding="utf-8").read()
lit = r'((?:"(?:[^"\\]|\\.)*"\s*)+)'
fmts = []
for path in sorted(glob.glob(os.path.join(src, "*.c"))):
    code = open(path, encoding="utf-8").read()
    for m in re.finditer(r"luaL_error\(\s*L\s*,\s*" + lit, code):
        fmts.append(m.group(1))
    for m in re.finditer(r"luaL_argcheck\(\s*L\s*,[^;]*?,\s*\w+\s*,\s*" + lit + r"\)", code):
        fmts.append(m.group(1))
missing = []
for f in fmts:
    text = "".join(re.findall(r'"((?:[^"\\]|\\.)*)"', f))
    text = bytes(text, "utf-8").decode("unicode_escape").encode("latin-1").decode("utf-8")
    pattern = ""
    for part in re.split(r"(%l*[sdI])", text):
        pattern += ".*?" if re.fullmatch(r"%l*[sdI]", part) else re.escape(part)
    if not re.search(pattern, doc):
        missing.append(text)
print(len(fmts))
for t in missing:
    print(t)
PY
nfmt=$(head -n 1 "$TMP/errors.txt")
if ((nfmt >= 30)); then ok "found $nfmt error messages in plugins/charts/*.c"; else
    not_ok "found at least 30 error messages in plugins/charts/*.c" "found $nfmt"; fi
missing=$(tail -n +2 "$TMP/errors.txt")
check_eq "every error message of plugins/charts/*.c is in the README" "" "$missing"

finish
