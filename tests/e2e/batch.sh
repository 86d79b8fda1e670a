#!/usr/bin/env bash
# batch.sh: the promises of a batch run to someone who renders many counties again and
# again: manifest.json matches the files on disk (size, sha256, pages); an unchanged re-run
# renders nothing; a changed row re-renders exactly that county; a changed report
# re-renders all; --jobs 1 and --jobs 2 give byte-identical PDFs; shards partition the set
# and `manifest merge` joins them; a worker that crashes costs one county, not the batch.
set -euo pipefail
source "$(dirname "$0")/lib/common.bash"
source "$E2E_LIB/counts.bash"

# 24 counties: the two example counties, each copied under 12 ids
DATA=$TMP/data
mkdir -p "$DATA"
"$PY" "$E2E_LIB/county_copies.py" "$CB_SRC/examples/data" "$DATA" 12

manifest_field() { # manifest_field FILE EXPR: a python expression over m (the manifest)
    "$PY" -c "import json,sys; m=json.load(open(sys.argv[1])); print($2)" "$1"
}

# --- a first run, and the manifest against the disk ------------------------------------
cb render --data "$DATA" --out "$TMP/a" --jobs 2 --quiet
check_eq "first run: exit 0" 0 "$RC"
check_eq "first run: 24 PDFs" 24 "$(ls "$TMP/a" | grep -c '\.pdf$')"
check_eq "manifest: 24 counties, all rendered" "24 24" \
    "$(manifest_field "$TMP/a/manifest.json" "len(m['counties']), sum(c['status'] == 'rendered' for c in m['counties'])")"
bad=$("$PY" - "$TMP/a" <<'PY'
import hashlib, json, os, subprocess, sys
d = sys.argv[1]
m = json.load(open(os.path.join(d, "manifest.json")))
for c in m["counties"]:
    p = os.path.join(d, c["file"])
    data = open(p, "rb").read()
    pages = int([l for l in subprocess.run(["pdfinfo", p], capture_output=True, text=True).stdout.splitlines()
                 if l.startswith("Pages:")][0].split()[1])
    if len(data) != c["bytes"] or hashlib.sha256(data).hexdigest() != c["sha256"] or pages != c["pages"]:
        print(c["file"])
PY
)
check_eq "manifest: size, sha256 and pages match every file on disk" "" "$bad"

# --- an unchanged re-run renders nothing ------------------------------------------------
before=$(stat -c %Y.%s "$TMP/a"/*.pdf | md5sum)
cb render --data "$DATA" --out "$TMP/a" --jobs 2
check_counts "unchanged re-run" 0 24 0 "$TMP/a"
check_eq "unchanged re-run: no PDF was rewritten" "$before" "$(stat -c %Y.%s "$TMP/a"/*.pdf | md5sum)"

# --- one changed row re-renders one county -----------------------------------------------
sed -i 's/^50023305,aid_total,无偿援助资金,405000000/50023305,aid_total,无偿援助资金,406000000/' "$DATA/indicators.csv"
cb render --data "$DATA" --out "$TMP/a" --jobs 2
check_counts "a changed row" 1 23 0 "$TMP/a"
if grep -q '^wrote .*/50023305-忠县05.pdf' "$TMP/stdout"; then ok "a changed row re-renders only its county"; else
    not_ok "a changed row re-renders only its county" "$(cat "$TMP/stdout")"; fi
if pdftext "$TMP/a/50023305-忠县05.pdf" - | grep -q '4.06亿元'; then ok "the re-rendered county shows the new figure"; else
    not_ok "the re-rendered county shows the new figure"; fi

# --- a changed report re-renders all ------------------------------------------------------
cp "$CB_SRC/scripts/briefing.lua" "$TMP/report.lua"
mkdir -p "$TMP/rep"
cat >"$TMP/rep/r.lua" <<'LUA'
doc:title(county.name .. "简报", county.province)
doc:paragraph("第一版。")
LUA
cb render --data "$DATA" --out "$TMP/r" --report "$TMP/rep/r.lua" --quiet
echo 'doc:paragraph("第二版。")' >>"$TMP/rep/r.lua"
cb render --data "$DATA" --out "$TMP/r" --report "$TMP/rep/r.lua"
if grep -q '^24 rendered, 0 skipped' "$TMP/stdout"; then ok "a changed report re-renders every county"; else
    not_ok "a changed report re-renders every county" "$(cat "$TMP/stdout")"; fi
cb render --data "$DATA" --out "$TMP/r" --report "$TMP/rep/r.lua" --force
if grep -q '^24 rendered, 0 skipped' "$TMP/stdout"; then ok "--force renders unchanged counties"; else
    not_ok "--force renders unchanged counties" "$(cat "$TMP/stdout")"; fi

# --- file digests remembered in the manifest ----------------------------------------------
# inputs older than two seconds are remembered with their stat (size, times, inode) and not
# read again; a file rewritten to the same size with its old mtime put back is still seen
# (its ctime moved) and every county re-renders
mkdir -p "$TMP/tpl"
cp "$CB_SRC/templates/briefing/template.lua" "$TMP/tpl/"
touch -d '-1 hour' "$TMP/tpl/template.lua"
sleep 2 # its ctime too must be two seconds old
cb render --data "$DATA" --out "$TMP/t" --template "$TMP/tpl" --quiet # its own manifest, manifest.tpl.json
font=$(manifest_field "$TMP/t/manifest.tpl.json" "[f for f in m['files'] if f.endswith(('.ttf', '.ttc'))][0]")
check_eq "manifest: the font's digest is remembered" "$(sha256sum "$font" | cut -d' ' -f1)" \
    "$(manifest_field "$TMP/t/manifest.tpl.json" "m['files']['$font']['sha256']")"
check_eq "manifest: the template's digest is remembered" "$(sha256sum "$TMP/tpl/template.lua" | cut -d' ' -f1)" \
    "$(manifest_field "$TMP/t/manifest.tpl.json" "m['files']['$TMP/tpl/template.lua']['sha256']")"
touch -r "$TMP/tpl/template.lua" "$TMP/tpl.stamp"
sed -i 's/"#b8322a"/"#b8322b"/' "$TMP/tpl/template.lua"
touch -r "$TMP/tpl.stamp" "$TMP/tpl/template.lua"
cb render --data "$DATA" --out "$TMP/t" --template "$TMP/tpl"
if grep -q '^24 rendered, 0 skipped' "$TMP/stdout"; then ok "a template changed under its old mtime re-renders every county"; else
    not_ok "a template changed under its old mtime re-renders every county" "$(cat "$TMP/stdout")"; fi

# --- --jobs 1 and --jobs 2 give the same bytes -------------------------------------------
cb render --data "$DATA" --out "$TMP/j1" --jobs 1 --quiet
cb render --data "$DATA" --out "$TMP/j2" --jobs 2 --quiet
diffs=$(cd "$TMP/j1" && for f in *.pdf; do cmp -s "$f" "$TMP/j2/$f" || echo "$f"; done)
check_eq "--jobs 1 and --jobs 2: byte-identical PDFs" "" "$diffs"

# --- shards partition the set --------------------------------------------------------------
for k in 1 2 3; do cb render --data "$DATA" --out "$TMP/s" --shard "$k/3" --quiet; done
check_eq "3 shards: 24 PDFs in all" 24 "$(ls "$TMP/s" | grep -c '\.pdf$')"
check_eq "3 shards: each county in exactly one shard manifest" "24 24" "$("$PY" - "$TMP/s" <<'PY'
import glob, json, sys
ids = [c["county_id"] for f in glob.glob(sys.argv[1] + "/manifest.shard-*-of-3.json")
       for c in json.load(open(f))["counties"]]
print(len(ids), len(set(ids)))
PY
)"
cb manifest merge "$TMP/s"
check_eq "manifest merge: exit 0" 0 "$RC"
check_eq "manifest merge: 24 counties, 3 shards" "24 3" \
    "$(manifest_field "$TMP/s/manifest.json" "len(m['counties']), m['shards']")"
JOB_COMPLETION_INDEX=1 cb render --data "$DATA" --out "$TMP/k8s" --shards 3 --quiet
check_eq "JOB_COMPLETION_INDEX=1 with --shards 3 renders shard 2 of 3" \
    "$(manifest_field "$TMP/s/manifest.shard-2-of-3.json" "len(m['counties'])")" \
    "$(ls "$TMP/k8s" | grep -c '\.pdf$')"
SLURM_ARRAY_TASK_ID=0 SLURM_ARRAY_TASK_MIN=0 SLURM_ARRAY_TASK_MAX=2 SLURM_ARRAY_TASK_COUNT=3 cb render --data "$DATA" --out "$TMP/slurm" --quiet
check_eq "SLURM_ARRAY_TASK_ID=0 of an array 0-2 renders shard 1 of 3" \
    "$(manifest_field "$TMP/s/manifest.shard-1-of-3.json" "len(m['counties'])")" \
    "$(ls "$TMP/slurm" | grep -c '\.pdf$')"
cb render --data "$DATA" --out "$TMP/x" --shard 4/3
check_eq "--shard 4/3: usage error" 2 "$RC"

# --- a crashing or hanging worker costs one county ---------------------------------------
cat >"$TMP/rep/crash.lua" <<'LUA'
if county.name == "奉节县03" then doc:add("test.crash") end  -- the worker aborts
if county.name == "忠县05" then doc:add("test.hang") end     -- the worker never answers
if county.name == "忠县07" then error("boom in 忠县07") end
doc:title(county.name, "ok")
LUA
cb render --data "$DATA" --out "$TMP/c" --report "$TMP/rep/crash.lua" --jobs 2 --timeout 3 --quiet \
    --plugin "$CB_BUILD/test-plugins/crash.so"
check_counts "a crash, a hang and an error" 21 0 3 "$TMP/c" # (exactly one of each: batch_counts.sh)
check_eq "a crash, a hang and an error: the other 21 PDFs are written" 21 "$(ls "$TMP/c" | grep -c '\.pdf$')"
if grep -q '奉节县03: the worker process died (signal 6' "$TMP/stderr"; then ok "the crash is reported with its signal"; else
    not_ok "the crash is reported with its signal" "$(cat "$TMP/stderr")"; fi
if grep -q '忠县05: timed out after 3 s' "$TMP/stderr"; then ok "the hang is stopped at the deadline"; else
    not_ok "the hang is stopped at the deadline" "$(cat "$TMP/stderr")"; fi
check_eq "the manifest records the three failures" "奉节县03 忠县05 忠县07" \
    "$(manifest_field "$TMP/c/manifest.json" "' '.join(sorted(c['name'] for c in m['counties'] if c['status'] == 'failed'))")"

finish
