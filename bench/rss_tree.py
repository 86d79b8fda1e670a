#!/usr/bin/python3
"""Peak RSS of every process of a command's process tree, separately.

/usr/bin/time -v reports one "Maximum resident set size": the largest of the command and the
children it waited for, so for countybrief (a parent that forks a pool of workers) it is the
max over the parent and each worker, never a sum, and it cannot say which process it was.
This polls /proc every few milliseconds and keeps each process's VmHWM (its own peak RSS, which
the kernel tracks, so a late poll still sees an earlier peak). Processes that live less than a
poll interval can be missed; countybrief's workers live for the whole batch.

RSS counts the pages a forked worker shares with its parent (copy-on-write: the loaded data,
the font): every 20th poll also reads /proc/PID/smaps_rollup and keeps the largest private
(Private_Clean + Private_Dirty, the memory only that process holds) and PSS seen; those are
sampled, not tracked peaks.

Usage: rss_tree.py OUT.json CMD [ARG...]    exit status: the command's
OUT.json: {"root_kb": parent's VmHWM, "children": [{"pid", "comm", "hwm_kb", "private_kb",
           "pss_kb", "life_s": how long it was seen}...], "max_child_kb", "max_child_private_kb", "max_child_pss_kb", "n_children",
           "wall_s"}
"""
import json
import os
import subprocess
import sys
import time

POLL = 0.003


def status(pid):
    try:
        with open("/proc/%d/status" % pid) as f:
            d = {}
            for line in f:
                k, _, v = line.partition(":")
                d[k] = v.strip()
            return d
    except OSError:
        return None


def rollup(pid):
    """(private kB, pss kB) from smaps_rollup, or None"""
    try:
        with open("/proc/%d/smaps_rollup" % pid) as f:
            d = {}
            for line in f:
                k, _, v = line.partition(":")
                if k in ("Private_Clean", "Private_Dirty", "Pss"):
                    d[k] = int(v.split()[0])
            return d.get("Private_Clean", 0) + d.get("Private_Dirty", 0), d.get("Pss", 0)
    except (OSError, ValueError):
        return None


def children_of(pid):
    out = []
    try:
        for tid in os.listdir("/proc/%d/task" % pid):
            try:
                with open("/proc/%d/task/%s/children" % (pid, tid)) as f:
                    out += [int(x) for x in f.read().split()]
            except OSError:
                pass
    except OSError:
        pass
    return out


def main():
    out, cmd = sys.argv[1], sys.argv[2:]
    t0 = time.monotonic()
    p = subprocess.Popen(cmd, stdout=subprocess.DEVNULL)
    hwm = {}    # pid -> (comm, kB)
    priv = {}   # pid -> (private kB, pss kB), the largest sampled
    seen_t = {}  # pid -> [first, last] time it was seen
    root_kb = 0
    tick = 0
    while True:
        tick += 1
        # the tree under the command (taskset/env exec, so the root is the command itself)
        todo, seen = [p.pid], []
        while todo:
            q = todo.pop()
            seen.append(q)
            todo += children_of(q)
        for q in seen:
            s = status(q)
            if not s or "VmHWM" not in s:
                continue
            kb = int(s["VmHWM"].split()[0])
            if q == p.pid:
                root_kb = max(root_kb, kb)
            else:
                hwm[q] = (s.get("Name", "?"), max(kb, hwm.get(q, ("", 0))[1]))
                now = time.monotonic() - t0
                seen_t.setdefault(q, [now, now])[1] = now
                if tick % 20 == 2:
                    r = rollup(q)
                    if r:
                        o = priv.get(q, (0, 0))
                        priv[q] = (max(o[0], r[0]), max(o[1], r[1]))
        if p.poll() is not None:
            break
        time.sleep(POLL)
    wall = time.monotonic() - t0
    kids = [{"pid": k, "comm": v[0], "hwm_kb": v[1], "private_kb": priv.get(k, (0, 0))[0],
             "pss_kb": priv.get(k, (0, 0))[1], "life_s": round(seen_t[k][1] - seen_t[k][0], 3)}
            for k, v in sorted(hwm.items())]
    res = {"cmd": cmd, "root_kb": root_kb, "children": kids, "n_children": len(kids),
           "max_child_kb": max((k["hwm_kb"] for k in kids), default=0),
           "max_child_private_kb": max((k["private_kb"] for k in kids), default=0),
           "max_child_pss_kb": max((k["pss_kb"] for k in kids), default=0), "wall_s": round(wall, 3),
           "rc": p.returncode}
    with open(out, "w") as f:
        json.dump(res, f)
    sys.exit(p.returncode)


if __name__ == "__main__":
    main()
