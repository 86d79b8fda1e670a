#!/usr/bin/env python3
"""include_rules.py SRC: checks the #include lines of SRC/core and SRC/plugins against the
rules of SRC/docs/architecture.md (its ```rules block; the format is described there).

Prints one line per finding, as the e2e scripts do: "ok - ...", "FAIL - ..." and, for each
known exception in use, "debt - ..." (not a failure). Exit status 1 on a failure."""
import os
import re
import sys

src = sys.argv[1]
doc = os.path.join(src, "docs", "architecture.md")
text = open(doc, encoding="utf-8").read()
m = re.search(r"^```rules\n(.*?)^```", text, re.S | re.M)
if not m:
    print(f"FAIL - {doc} has a ```rules block")
    sys.exit(1)

allowed, exceptions, failed = {}, {}, False


def fail(msg):
    global failed
    failed = True
    print(f"FAIL - {msg}")


for line in m.group(1).splitlines():
    line = line.strip()
    if not line or line.startswith("#"):
        continue
    if line.startswith("!"):
        head, _, reason = line[1:].partition(": ")
        module, *headers = head.split()
        for h in headers:
            exceptions[(module, h)] = reason.strip()
        continue
    module, *headers = line.split()
    allowed[module] = set(h for h in headers if h != "-")


def module_of(rel):
    """The rules' name for the module of the file at rel (relative to src)."""
    parts = rel.split("/")
    if parts[0] == "plugins":
        return "plugins/*"
    if parts[:2] == ["core", "include"]:
        return "countybrief/" + os.path.splitext(parts[-1])[0]
    if parts[:2] == ["core", "tools"]:
        return "tools/" + parts[2]
    return os.path.splitext(parts[-1])[0]


INCLUDE = re.compile(r'^\s*#\s*include\s*(?:"([^"]+)"|<(hpdf_[^>]+\.h)>)')
files = []
for top in ("core", "plugins"):
    for d, _, names in os.walk(os.path.join(src, top)):
        files += [os.path.join(d, n) for n in names if n.endswith((".c", ".h"))]
used, nincludes = set(), 0
for path in sorted(files):
    rel = os.path.relpath(path, src)
    module = module_of(rel)
    if module not in allowed:
        fail(f"{rel}: its module '{module}' has no line in the rules of docs/architecture.md")
        continue
    own = os.path.splitext(os.path.basename(path))[0]
    bad = []
    with open(path, encoding="utf-8", errors="replace") as f:
        for n, line in enumerate(f, 1):
            m = INCLUDE.match(line)
            if not m:
                continue
            nincludes += 1
            if m.group(2):
                name = f"<{m.group(2)}>"
            else:
                name = m.group(1)[:-2] if m.group(1).endswith(".h") else m.group(1)
                if name == own:
                    continue
                # a plugin's own headers, beside it
                if module == "plugins/*" and "/" not in name and os.path.exists(
                        os.path.join(os.path.dirname(path), m.group(1))):
                    continue
            if name in allowed[module]:
                continue
            if (module, name) in exceptions:
                used.add((module, name))
                continue
            bad.append(f"{rel}:{n}: includes {m.group(1) or m.group(2)}, which module '{module}' "
                       f"may not (allowed: {' '.join(sorted(allowed[module])) or 'nothing'})")
    if bad:
        for b in bad:
            fail(b)
    else:
        print(f"ok - {rel}: its includes are allowed")
# libharu's internals: only the module whose line allows <hpdf_*.h> (as an exception) may
# call what libharu's public header does not declare; every other file calls hpdf.h's API
hpdf = next((os.path.join(d, "hpdf.h") for d in (os.environ.get("HPDF_INCLUDE_DIR", ""), "/usr/include",
                                                  "/usr/local/include") if d and os.path.exists(os.path.join(d, "hpdf.h"))), None)
private_ok = {m for (m, h) in exceptions if h.startswith("<hpdf_")} | \
             {m for m, hs in allowed.items() if any(h.startswith("<hpdf_") for h in hs)}
if not hpdf:
    print("# hpdf.h not found (HPDF_INCLUDE_DIR): libharu calls not checked")
else:
    public = set(re.findall(r"^HPDF_EXPORT\([^)]*\)\s*(HPDF_\w+)",
                            open(hpdf, encoding="utf-8", errors="replace").read(), re.M))
    for path in sorted(files):
        rel = os.path.relpath(path, src)
        if module_of(rel) in private_ok:
            continue
        text = open(path, encoding="utf-8", errors="replace").read()
        calls = set(re.findall(r"\b(HPDF_[A-Z][A-Za-z_]*)\s*\(", text)) - public
        if calls:
            fail(f"{rel}: calls libharu's internal {', '.join(sorted(calls))} (not in hpdf.h): "
                 f"only the module allowed <hpdf_*.h> may")
        elif "HPDF_" in text:
            print(f"ok - {rel}: calls only libharu's public API (hpdf.h)")
for (module, name), reason in sorted(exceptions.items()):
    if (module, name) in used:
        print(f"debt - {module} includes {name}: {reason}")
    else:
        fail(f"the exception '{module} includes {name}' is no longer needed: remove its line")
print(f"# {len(files)} files, {nincludes} includes checked")
sys.exit(1 if failed else 0)
