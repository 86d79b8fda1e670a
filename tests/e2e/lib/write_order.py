#!/usr/bin/env python3
"""write_order.py: checks the order of fsync and rename in an strace log (tests/e2e/write_order.sh).

    python3 write_order.py LOG MODE ROOT...

LOG is the output of `strace -f -o LOG -e trace=openat,open,fsync,fdatasync,rename,renameat,
renameat2,clone,clone3,fork,vfork`. Descriptors are mapped to paths through the open lines
of each process (a child starts with a copy of its parent's map). Every rename whose target
lies under one of the ROOT folders is a file put in place; with MODE "sync" each must have:
  - an fsync (or fdatasync) of the renamed temporary file, in the same process, before it;
  - an fsync of the target's folder, in any process, after it.
With MODE "nosync" there must be no fsync or fdatasync at all in the log.
Prints one line per rename checked ("ok rename TARGET"), one per violation ("bad ..."), and
a last line "renames N fsyncs M"; exits 1 on a violation.
"""
import os
import re
import sys

LINE = re.compile(r"^(\d+)\s+(.*)$")
CALL = re.compile(r"^(\w+)\((.*)\)\s+=\s+(-?\d+|\?)")


def strings(args):
    """The quoted strings of an strace argument list, unescaped only as far as comparing needs."""
    return re.findall(r'"((?:[^"\\]|\\.)*)"', args)


def first_fd(args):
    m = re.match(r"\s*(AT_FDCWD|-?\d+)", args)
    return m.group(1) if m else None


def main():
    log, mode, roots = sys.argv[1], sys.argv[2], [os.path.normpath(r) for r in sys.argv[3:]]
    pending = {}  # pid -> the start of an unfinished call
    events = []  # (pid, name, args, ret), in order of completion
    for raw in open(log, encoding="utf-8", errors="replace"):
        m = LINE.match(raw.rstrip("\n"))
        if not m:
            continue
        pid, rest = int(m.group(1)), m.group(2)
        if rest.endswith("<unfinished ...>"):
            pending[pid] = rest[: -len("<unfinished ...>")].rstrip()
            continue
        r = re.match(r"^<\.\.\. (\w+) resumed>(.*)$", rest)
        if r:
            rest = pending.pop(pid, r.group(1) + "(") + r.group(2)
        c = CALL.match(rest)
        if c:
            events.append((pid, c.group(1), c.group(2), c.group(3)))

    fds = {}  # pid -> {fd: path}
    syncs = []  # (index, pid, path)
    renames = []  # (index, pid, old, new)

    def resolve(pid, dirfd, name):
        if name.startswith("/"):
            return os.path.normpath(name)
        base = os.getcwd() if dirfd in (None, "AT_FDCWD") else fds.get(pid, {}).get(dirfd, "?")
        return os.path.normpath(os.path.join(base, name))

    for i, (pid, name, args, ret) in enumerate(events):
        table = fds.setdefault(pid, {})
        ok = ret not in ("?",) and not ret.startswith("-")
        if name in ("open", "openat") and ok:
            s = strings(args)
            if s:
                table[ret] = resolve(pid, None if name == "open" else first_fd(args), s[0])
        elif name in ("clone", "clone3", "fork", "vfork") and ok and ret != "0":
            fds[int(ret)] = dict(table)
        elif name in ("fsync", "fdatasync") and ok:
            syncs.append((i, pid, table.get(first_fd(args), "?fd " + str(first_fd(args)))))
        elif name in ("rename", "renameat", "renameat2") and ok:
            s = strings(args)
            if name == "rename":
                old, new = resolve(pid, None, s[0]), resolve(pid, None, s[1])
            else:
                dirs = re.findall(r"(AT_FDCWD|-?\d+),\s*\"", args)
                old, new = resolve(pid, dirs[0], s[0]), resolve(pid, dirs[1], s[1])
            renames.append((i, pid, old, new))

    bad = 0
    checked = 0
    if mode == "nosync":
        for i, pid, path in syncs:
            print(f"bad fsync of {path} (process {pid}) with --no-fsync")
            bad += 1
    for i, pid, old, new in renames:
        if not any(new == r or new.startswith(r + "/") for r in roots):
            continue
        checked += 1
        if mode != "sync":
            print(f"ok rename {new}")
            continue
        before = any(j < i and p == pid and path == old for j, p, path in syncs)
        after = any(j > i and path == os.path.dirname(new) for j, p, path in syncs)
        if not before:
            print(f"bad rename {old} -> {new}: the temporary file was not fsync'd before the rename")
        if not after:
            print(f"bad rename {old} -> {new}: its folder was not fsync'd after the rename")
        if before and after:
            print(f"ok rename {new}")
        bad += (not before) + (not after)
    print(f"renames {checked} fsyncs {len(syncs)}")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
