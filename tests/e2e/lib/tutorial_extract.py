#!/usr/bin/env python3
"""tutorial_extract.py: takes the code of docs/tutorial.md apart, exactly as written, for
tests/e2e/tutorial.sh.

    tutorial_extract.py steps TUTORIAL.md OUTDIR [--no-lua]
        Writes one folder per run step, in the tutorial's order, and lists them in
        OUTDIR/steps (one "NN-NAME" a line):
            OUTDIR/NN-NAME/files/...     every file the reader has at that point
            OUTDIR/NN-NAME/run.sh        the commands of the step's ```sh block
            OUTDIR/NN-NAME/expected.txt  the step's promised output (if the tutorial shows it)
        and OUTDIR/fmt.tsv: the rows "| `fmt.x(...)` | `result` |" of the tutorial's tables.
        --no-lua: a file without Lua blocks (examples/slurm/README.md) is not an error.
    tutorial_extract.py match EXPECTED ACTUAL
        Exit 0 if every non-empty line of EXPECTED matches a line of ACTUAL, else list the
        lines that do not and exit 1. A line matches when it is equal after runs of white
        space are made one space; "…" in EXPECTED stands for any text.

The markers, each an HTML comment on the line right above a fenced block:
    <!-- file: PATH -->     the block is the whole of PATH (a new file, or a new version)
    <!-- append: PATH -->   the block goes at the end of PATH, after one empty line
    <!-- replace: PATH -->  the block replaces the block last added to PATH
    <!-- fragment -->       a piece of code shown but not run
    <!-- run: NAME -->      the ```sh block is what the reader runs now; NAME names the step
    <!-- output: NAME -->   the ```text block is (part of) what step NAME prints
Every ```lua block must have one of the first four: an unmarked Lua block is an error, so
that no example escapes the test. Exit status 2 on a malformed tutorial.
"""
import os
import re
import sys

MARK_RE = re.compile(r"^<!--\s*(file|append|replace|fragment|run|output)\s*(?::\s*(\S+))?\s*-->\s*$")
FENCE_RE = re.compile(r"^```(\w*)\s*$")
FMT_ROW_RE = re.compile(r"^\|\s*`(fmt\.[^`]+)`\s*\|\s*`([^`]*)`\s*\|\s*$")


def die(msg):
    print(f"tutorial_extract: {msg}", file=sys.stderr)
    sys.exit(2)


def blocks(path):
    """Yields (line number, marker kind, marker argument, fence language, text) per fenced block."""
    with open(path, encoding="utf-8") as f:
        lines = f.read().split("\n")
    i = 0
    while i < len(lines):
        m = FENCE_RE.match(lines[i])
        if not m:
            i += 1
            continue
        lang, start = m.group(1), i
        j = i + 1
        while j < len(lines) and lines[j] != "```":
            j += 1
        if j == len(lines):
            die(f"{path}:{start + 1}: code block is not closed")
        text = "\n".join(lines[i + 1:j]) + "\n"
        kind = arg = None
        if start > 0:
            mm = MARK_RE.match(lines[start - 1])
            if mm:
                kind, arg = mm.group(1), mm.group(2)
            elif lines[start - 1].startswith("<!--"):
                die(f"{path}:{start}: unknown marker {lines[start - 1]!r}")
        yield start + 1, kind, arg, lang, text
        i = j + 1


def steps(tutorial, outdir, need_lua=True):
    files = {}        # path -> list of chunks (the blocks it is made of)
    order = []        # run steps in order: [name, folder]
    outputs = {}      # step name -> expected text
    n_lua = 0
    for line, kind, arg, lang, text in blocks(tutorial):
        where = f"{tutorial}:{line}"
        if lang == "lua":
            n_lua += 1
            if kind not in ("file", "append", "replace", "fragment"):
                die(f"{where}: a lua block needs a marker <!-- file|append|replace: PATH --> or <!-- fragment -->")
        if kind in ("file", "append", "replace"):
            if not arg:
                die(f"{where}: <!-- {kind}: PATH --> needs a path")
            if os.path.isabs(arg) or ".." in arg.split("/"):
                die(f"{where}: {arg}: the path must stay inside the working folder")
            if kind == "file":
                files[arg] = [text]
            elif arg not in files:
                die(f"{where}: <!-- {kind}: {arg} --> but no block made {arg} before")
            elif kind == "append":
                files[arg].append(text)
            else:
                files[arg][-1] = text
        elif kind == "run":
            if lang != "sh" or not arg:
                die(f"{where}: <!-- run: NAME --> must name a step and mark a ```sh block")
            if any(name == arg for name, _ in order):
                die(f"{where}: step {arg} is run twice")
            folder = os.path.join(outdir, f"{len(order) + 1:02d}-{arg}")
            for path, chunks in files.items():
                dest = os.path.join(folder, "files", path)
                os.makedirs(os.path.dirname(dest), exist_ok=True)
                with open(dest, "w", encoding="utf-8") as f:
                    f.write("\n".join(chunks))
            os.makedirs(folder, exist_ok=True)
            with open(os.path.join(folder, "run.sh"), "w", encoding="utf-8") as f:
                f.write(text)
            order.append([arg, folder])
        elif kind == "output":
            if lang != "text" or not arg:
                die(f"{where}: <!-- output: NAME --> must name a step and mark a ```text block")
            if not any(name == arg for name, _ in order):
                die(f"{where}: output of step {arg}, which has not been run yet")
            outputs[arg] = outputs.get(arg, "") + text
    if need_lua and n_lua == 0:
        die(f"{tutorial}: no lua blocks found")
    for name, folder in order:
        if name in outputs:
            with open(os.path.join(folder, "expected.txt"), "w", encoding="utf-8") as f:
                f.write(outputs[name])
    with open(os.path.join(outdir, "steps"), "w", encoding="utf-8") as f:
        for _, folder in order:
            f.write(os.path.basename(folder) + "\n")
    rows = []
    with open(tutorial, encoding="utf-8") as f:
        for ln in f:
            m = FMT_ROW_RE.match(ln.rstrip("\n"))
            if m:
                rows.append(f"{m.group(1)}\t{m.group(2)}\n")
    with open(os.path.join(outdir, "fmt.tsv"), "w", encoding="utf-8") as f:
        f.writelines(rows)


def norm(s):
    return " ".join(s.split())


def match(expected_path, actual_path):
    with open(expected_path, encoding="utf-8") as f:
        expected = [norm(ln) for ln in f if ln.strip()]
    with open(actual_path, encoding="utf-8", errors="replace") as f:
        actual = [norm(ln) for ln in f]
    missing = []
    for e in expected:
        pattern = re.compile("^" + ".*".join(re.escape(part) for part in e.split("…")) + "$")
        if not any(pattern.match(a) for a in actual):
            missing.append(e)
    for e in missing:
        print(f"not in the output: {e}")
    return 1 if missing else 0


def main(argv):
    if len(argv) in (4, 5) and argv[1] == "steps" and argv[4:] in ([], ["--no-lua"]):
        os.makedirs(argv[3], exist_ok=True)
        steps(argv[2], argv[3], need_lua=len(argv) == 4)
        return 0
    if len(argv) == 4 and argv[1] == "match":
        return match(argv[2], argv[3])
    die("usage: tutorial_extract.py steps TUTORIAL.md OUTDIR [--no-lua] | match EXPECTED ACTUAL")


if __name__ == "__main__":
    sys.exit(main(sys.argv))
