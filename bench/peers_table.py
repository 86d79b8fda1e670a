#!/usr/bin/python3
"""The tables of bench/peers.sh, from the logs it and the peers' bench.sh write in $W/logs.

Peers (shared/bench-peers/bench.sh): TOOL.{1,300}.json (hyperfine), TOOL.{1,300}.time
(/usr/bin/time -v), TOOL.check.json (check.py). countybrief (bench/peers.sh): the same names for
tool "countybrief" (--jobs 1, pinned to CPU 0) plus countybrief_j2.300.json (--jobs 2, unpinned),
countybrief*.rss.json (bench/rss_tree.py: peak RSS of each process) and scale.*.json.

Usage: peers_table.py LOGDIR     prints Markdown to stdout
"""
import json
import math
import os
import re
import sys

L = sys.argv[1] if len(sys.argv) > 1 else "/tmp/peers/logs"
PEERS = [("haru_hbsub", "plain libharu + hb-subset"), ("haru_full", "plain libharu, own embedding"),
         ("reportlab", "ReportLab"), ("typst_evict10", "Typst (evict every 10)"), ("typst", "Typst"),
         ("xelatex", "XeLaTeX + ctex")]
NAN = float("nan")


def jload(name):
    p = os.path.join(L, name)
    if not os.path.exists(p):
        return None
    with open(p) as f:
        return json.load(f)


def hf(name):
    """(median, min, max, mean user+system) seconds of a hyperfine export, or None"""
    j = jload(name)
    if not j:
        return None
    r = j["results"][0]
    return r["median"], min(r["times"]), max(r["times"]), r["user"] + r["system"]


def time_rss_mb(name):
    p = os.path.join(L, name)
    if not os.path.exists(p):
        return NAN
    m = re.search(r"Maximum resident set size \(kbytes\): (\d+)", open(p).read())
    return int(m.group(1)) / 1024 if m else NAN


def workers(rss):
    """the children that lived for most of the run (short-lived ones are plugin probes)"""
    w = [c for c in rss["children"] if c.get("life_s", rss["wall_s"]) >= 0.3 * rss["wall_s"]]
    return w or rss["children"]


def f1(x, fmt="%.1f"):
    return "—" if x is None or (isinstance(x, float) and math.isnan(x)) else fmt % x


def row(tool, check=None):
    w300, w1 = hf(tool + ".300.json"), hf(tool + ".1.json")
    ck = jload((check or tool) + ".check.json")
    if not w300:
        return None
    return {
        "ms": w300[0] / 300 * 1000, "spread": (w300[1] / 300 * 1000, w300[2] / 300 * 1000),
        "cpu_ms": w300[3] / 300 * 1000, "one_cpu_ms": w1[3] * 1000 if w1 else NAN,
        "per_s": 300 / w300[0], "one_ms": w1[0] * 1000 if w1 else NAN,
        "rss": time_rss_mb(tool + ".300.time"), "kb": ck["mean_kb"] if ck else NAN,
        "text": ("pass" if ck["text_pass"] else "FAIL") if ck else "—",
        "qpdf": "%d/%d" % (ck["qpdf_pass"], ck["pdfs"]) if ck else "—",
    }


def main():
    out = []
    p = out.append
    rows = [(t, d, row(t)) for t, d in PEERS]
    rows = [(t, d, r) for t, d, r in rows if r]
    cb = row("countybrief")
    cbn = row("countybrief_nofsync", "countybrief")
    j2 = hf("countybrief_j2.300.json")
    j2n = hf("countybrief_nofsync_j2.300.json")
    rss1 = jload("countybrief.300.rss.json")
    rss2 = jload("countybrief_j2.300.rss.json")

    p("| tool | ms/briefing | briefings/s | 1-county run ms | peak RSS MB (N=300) | mean PDF KB | text check | qpdf --check | CPU ms/briefing (user+sys) | 1-county CPU ms |")
    p("|---|---|---|---|---|---|---|---|---|---|")
    for t, d, r in rows + ([("countybrief", "**countybrief --jobs 1**", cb)] if cb else []) + (
            [("countybrief_nofsync", "**countybrief --jobs 1 --no-fsync**", cbn)] if cbn else []):
        p("| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |" % (
            d, f1(r["ms"]), f1(r["per_s"]),
            f1(r["one_ms"], "%.0f"), f1(r["rss"], "%.0f"), f1(r["kb"]), r["text"], r["qpdf"],
            f1(r["cpu_ms"]), f1(r["one_cpu_ms"], "%.0f")))
    if cb and j2:
        p("| **countybrief --jobs 2** (2 cores, unpinned) | %s (wall/300) | %s | — | %s | %s | %s | %s | %s | — |" % (
            f1(j2[0] / 300 * 1000), f1(300 / j2[0]),
            f1(rss2["max_child_kb"] / 1024, "%.0f") + " per worker" if rss2 else "—",
            f1(cb["kb"]), cb["text"], cb["qpdf"], f1(j2[3] / 300 * 1000)))
    if cb and j2n:
        p("| **countybrief --jobs 2 --no-fsync** (2 cores, unpinned) | %s (wall/300) | %s | — | — | %s | %s | %s | %s | — |" % (
            f1(j2n[0] / 300 * 1000), f1(300 / j2n[0]), f1(cb["kb"]), cb["text"], cb["qpdf"], f1(j2n[3] / 300 * 1000)))
    p("")
    p("CPU ms (user+system of the command and the children it waited for, hyperfine's mean) moves much "
      "less than wall time when other work shares the core; node's extra threads count in it.")
    p("")
    p("All rows: hyperfine `-N --runs 3 --warmup 1`, median; pinned rows `taskset -c 0`. "
      "Spread (min–max ms/briefing over the 3 runs): " + ", ".join(
          "%s %.1f–%.1f" % (t, r["spread"][0], r["spread"][1]) for t, _, r in rows + [("countybrief", "", cb), ("countybrief --no-fsync", "", cbn)] if r))
    if rss1:
        p("")
        p("countybrief peak RSS per process (bench/rss_tree.py, VmHWM of each process): --jobs 1: parent %.1f MB, "
          "worker %.1f MB (/usr/bin/time -v: %.1f MB, which is the max over the parent and its waited-for "
          "workers, not a sum)." % (rss1["root_kb"] / 1024, rss1["max_child_kb"] / 1024, cb["rss"]) +
          (" --jobs 2: parent %.1f MB, workers %s MB%s." % (
              rss2["root_kb"] / 1024, " and ".join("%.1f" % (c["hwm_kb"] / 1024) for c in workers(rss2)),
              "" if len(workers(rss2)) == len(rss2["children"]) else
              " (and %d short-lived children of %s MB: plugin probes)" % (
                  len(rss2["children"]) - len(workers(rss2)),
                  ", ".join("%.1f" % (c["hwm_kb"] / 1024) for c in rss2["children"] if c not in workers(rss2))))
           if rss2 else "") +
          (" Of a worker's RSS, only %.1f MB is its own (private, largest sample; PSS %.1f MB): the rest is "
           "shared copy-on-write with the parent (data, font, libraries)." % (
               rss1.get("max_child_private_kb", 0) / 1024, rss1.get("max_child_pss_kb", 0) / 1024)
           if rss1.get("max_child_private_kb") else ""))

    if cb and rows:
        p("")
        p("| metric | best peer | best peer's value | countybrief | countybrief / best peer |%s" % (
            " countybrief --no-fsync / best peer |" if cbn else ""))
        p("|---|---|---|---|---|%s" % ("---|" if cbn else ""))
        for key, name, unit, lower in (("ms", "ms per briefing (one core)", "ms", True),
                                       ("cpu_ms", "CPU ms per briefing (user+sys)", "ms", True),
                                       ("one_ms", "1-county run", "ms", True),
                                       ("one_cpu_ms", "1-county run, CPU (user+sys)", "ms", True),
                                       ("rss", "peak RSS (N=300)", "MB", True),
                                       ("kb", "mean PDF", "KB", True)):
            cands = [(r[key], d) for t, d, r in rows if not math.isnan(r[key])]
            if not cands:
                continue
            bv, bd = min(cands)
            v = cb[key]
            ratio = v / bv
            def how(ratio):
                if math.isnan(ratio):
                    return "—"
                if abs(ratio - 1) < 0.005:
                    return "1.00× (same)"
                return ("%.2f× (%.1f× better)" % (ratio, 1 / ratio)) if ratio < 1 else ("%.2f× (worse)" % ratio)
            p("| %s | %s | %s %s | %s %s | %s |%s" % (name, bd, f1(bv), unit, f1(v), unit, how(ratio),
                                                    (" %s |" % how(cbn[key] / bv)) if cbn else ""))
        if j2:
            best = max(r["per_s"] for _, _, r in rows)
            p("| briefings/s | %s (one core) | %.1f/s | %.1f/s with --jobs 2 | %.2f× |%s" % (
                min(rows, key=lambda x: x[2]["ms"])[1], best, 300 / j2[0], (300 / j2[0]) / best,
                (" %.2f× (%.1f/s) |" % ((300 / j2n[0]) / best, 300 / j2n[0])) if cbn and j2n else (" — |" if cbn else "")))

    # targets
    sc = {n: jload("scale.%d.json" % n) for n in (300, 3000)}
    if cb:
        p("")
        p("| target | goal | measured | met? |")
        p("|---|---|---|---|")

        def tgt(name, goal, val, ok, unit=""):
            if val is None or (isinstance(val, float) and math.isnan(val)):
                p("| %s | %s | not measured | — |" % (name, goal))
                return
            p("| %s | %s | %s | %s |" % (name, goal, val if isinstance(val, str) else f1(val) + unit,
                                         "met" if ok else "**missed**"))
        tgt("time per briefing, one core (peer page, --jobs 1)", "≤ 5 ms", cb["ms"], cb["ms"] <= 5, " ms")
        if cbn:
            tgt("time per briefing, one core (peer page, --jobs 1 --no-fsync)", "≤ 5 ms", cbn["ms"], cbn["ms"] <= 5, " ms")
            tgt("CPU time per briefing (peer page, --jobs 1, user+sys)", "≤ 5 ms", cb["cpu_ms"], cb["cpu_ms"] <= 5, " ms")
        tgt("throughput, --jobs 2 (peer page)", "≥ 350 /s", 300 / j2[0] if j2 else None,
            j2 and 300 / j2[0] >= 350, " /s")
        if j2n:
            tgt("throughput, --jobs 2 --no-fsync (peer page)", "≥ 350 /s", 300 / j2n[0], 300 / j2n[0] >= 350, " /s")
        if sc[300] and sc[300].get("per_s"):
            tgt("throughput, --jobs 2 (briefing report, synth 300)", "≥ 350 /s", sc[300]["per_s"],
                sc[300]["per_s"] >= 350, " /s")
        tgt("1-county run (peer page)", "≤ 30 ms", cb["one_ms"], cb["one_ms"] <= 30, " ms")
        if cbn:
            tgt("1-county run (peer page, --no-fsync)", "≤ 30 ms", cbn["one_ms"], cbn["one_ms"] <= 30, " ms")
        w = [x for x in ([rss1 and rss1["max_child_kb"] / 1024, rss2 and rss2["max_child_kb"] / 1024] +
                         [sc[n] and sc[n].get("worker_mb") for n in (300, 3000)]) if x]
        if w:
            flat, ok = "", max(w) <= 32
            if sc[300] and sc[3000] and sc[300].get("worker_mb") and sc[3000].get("worker_mb"):
                flat = "; synth 300 → 3000: %.1f → %.1f MB" % (sc[300]["worker_mb"], sc[3000]["worker_mb"])
                ok = ok and sc[3000]["worker_mb"] <= sc[300]["worker_mb"] * 1.1
                if sc[3000].get("worker_private_mb"):
                    flat += " (private, sampled: %.1f → %.1f MB)" % (sc[300].get("worker_private_mb", NAN),
                                                                    sc[3000]["worker_private_mb"])
            tgt("peak RSS per worker, flat 300 → 3000", "≤ 32 MB", "max RSS %.1f MB%s" % (max(w), flat), ok)
        tgt("mean PDF (peer page)", "≤ 60 KB", cb["kb"], cb["kb"] <= 60, " KB")
        for n in (300, 3000):
            if sc[n] and sc[n].get("mean_kb"):
                tgt("mean PDF (briefing report, synth %d)" % n, "≤ 60 KB", sc[n]["mean_kb"], sc[n]["mean_kb"] <= 60, " KB")
        for n in (300, 3000):
            if sc[n] and sc[n].get("rerun_s") is not None:
                tgt("unchanged re-run, synth %d (--jobs 2)" % n, "≤ 1 s", "%.2f s" % sc[n]["rerun_s"],
                    sc[n]["rerun_s"] <= 1)

    if any(sc.values()):
        p("")
        p("Scale: the real `briefing` report on `countybrief synth` data, --jobs 2 (unpinned):")
        p("")
        p("| counties | render (median of 3) | briefings/s | ms per briefing (wall) | peak RSS parent / worker MB | worker private / PSS MB (sampled) | /usr/bin/time max RSS MB | mean PDF KB | pages | qpdf --check | unchanged re-run (median of 5) |")
        p("|---|---|---|---|---|---|---|---|---|---|---|")
        for n in (300, 3000):
            s = sc[n]
            if not s:
                continue
            p("| %d | %s s | %s | %s | %s / %s | %s / %s | %s | %s | %s | %s | %s s |" % (
                n, f1(s.get("wall_s"), "%.2f"), f1(s.get("per_s")), f1(s.get("wall_s", NAN) / n * 1000, "%.2f"),
                f1(s.get("parent_mb")), f1(s.get("worker_mb")), f1(s.get("worker_private_mb")),
                f1(s.get("worker_pss_mb")), f1(s.get("time_rss_mb")), f1(s.get("mean_kb")),
                s.get("pages", "—"), s.get("qpdf", "—"), f1(s.get("rerun_s"), "%.3f")))
    print("\n".join(out))


if __name__ == "__main__":
    main()
