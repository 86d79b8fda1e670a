# counts.bash: checking what a render run says it did against what it did (sourced after
# common.bash, not a test). A run's exit status alone cannot tell a county counted as
# rendered from one that failed once another county already fails; the counts can.
#
#     cb render ... (without --quiet: a run with no failure then prints no summary)
#     check_counts "what" RENDERED SKIPPED FAILED OUTDIR [MANIFEST]
#
# passes when, all at once:
#   - the exit status is 1 if FAILED > 0, else 0;
#   - the summary line (stdout, or stderr when a county failed) reads
#     "R rendered, S skipped (unchanged), F failed";
#   - the manifest (OUTDIR/manifest.json unless MANIFEST is given) records the same three
#     counts, and as many county entries of each status;
#   - the PDFs in OUTDIR are exactly the files of the manifest's rendered and skipped
#     entries (a failed county leaves none).

check_counts() {
    local what=$1 r=$2 s=$3 f=$4 out=$5 manifest=${6:-$5/manifest.json}
    local want="$r rendered, $s skipped (unchanged), $f failed"
    check_eq "$what: exit $((f > 0 ? 1 : 0))" "$((f > 0 ? 1 : 0))" "$RC"
    check_eq "$what: the summary reads \"$want\"" "$want" \
        "$(grep -hE '^[0-9]+ rendered, [0-9]+ skipped \(unchanged\), [0-9]+ failed' "$TMP/stdout" "$TMP/stderr" |
           sed -E 's/ \([0-9]+ previous PDFs? moved aside.*//; s/ in [0-9.]+ s \(.*//')"
    check_eq "$what: the manifest counts and statuses agree" \
        "counts $r $s $f, statuses $r $s $f, PDFs on disk = its files" \
        "$("$PY" - "$out" "$manifest" <<'PY'
import json, os, sys
out, path = sys.argv[1], sys.argv[2]
m = json.load(open(path))
status = [c["status"] for c in m["counties"]]
files = sorted(c["file"] for c in m["counties"] if c["status"] != "failed")
disk = sorted(f for f in os.listdir(out) if f.endswith(".pdf"))
print("counts %s %s %s, statuses %d %d %d, PDFs on disk %s its files" % (
    m.get("rendered"), m.get("skipped"), m.get("failed"),
    status.count("rendered"), status.count("skipped"), status.count("failed"),
    "=" if files == disk else "!= (%s against %s)" % (disk, files)))
PY
)"
}
