#!/usr/bin/env bash
# cover_batch2.sh: core/batch.c's reading of an earlier manifest (tests/README.md, coverage),
# beside cover_batch.sh. An entry that cannot be trusted (no county_id, inputs, sha256, file
# or status; status "failed"; an inputs key or sha256 not 64 characters; a county the data
# does not have) is ignored: exactly its county is rendered again, the others are skipped.
# Two entries of one county with the same inputs: the newer generation is believed,
# wherever it is listed. A journal's entries of other inputs kept for a county outside the
# run; --force reads none.
set -euo pipefail
source "$(dirname "$0")/lib/common.bash"
cd "$TMP"

cb render --out m --quiet
check_eq "first run: exit 0" 0 "$RC"
cp m/manifest.json good.json

# edited PYTHON: PYTHON edits c, 奉节县's entry (m: the whole manifest), then a render
edited() {
    cp good.json m/manifest.json
    "$PY" - m/manifest.json "$1" <<'PY'
import json, sys
m = json.load(open(sys.argv[1]))
c = [c for c in m["counties"] if c["name"] == "奉节县"][0]
exec(sys.argv[2])
json.dump(m, open(sys.argv[1], "w"), ensure_ascii=False)
PY
    cb render --out m
}
# damaged NAME PYTHON: edited, then only 奉节县 renders again
damaged() {
    edited "$2"
    check_eq "$1: exactly 奉节县 rendered again" \
        "0 wrote m/500236-奉节县.pdf|1 rendered, 1 skipped (unchanged), 0 failed" \
        "$RC $(grep -o '^wrote [^ ]*' "$TMP/stdout")|$(grep -o '^1 rendered.* 0 failed' "$TMP/stdout" || cat "$TMP/stdout")"
}
for field in county_id inputs sha256 file status; do
    damaged "no $field" "del c['$field']"
done
damaged "status a number" "c['status'] = 1"
damaged "status failed" "c['status'] = 'failed'"
damaged "sha256 short" "c['sha256'] = c['sha256'][:63]"
damaged "a county the data does not have" "c['county_id'] = '999999'"

# two entries of 忠县 with the same inputs, one with a size the PDF does not have: the one
# of the newer generation is believed, wherever it is listed
dup() {
    cp good.json m/manifest.json
    "$PY" - m/manifest.json "$1" <<'PY'
import json, sys
m = json.load(open(sys.argv[1]))
c = dict([c for c in m["counties"] if c["name"] == "忠县"][0])
c["generation"] = c["generation"] + int(sys.argv[2])
c["bytes"] = 7
m["counties"].append(c)
json.dump(m, open(sys.argv[1], "w"), ensure_ascii=False)
PY
    cb render --out m
}
dup -1000
check_eq "an older entry of the same inputs, wrong, after the right one: ignored, nothing rendered" \
    "0 0 rendered, 2 skipped (unchanged), 0 failed" "$RC $(grep -o '^0 rendered.* 0 failed' "$TMP/stdout" || cat "$TMP/stdout")"
dup 1000
check_eq "a newer one, wrong: believed, 忠县 rendered again" \
    "0 wrote m/500233-忠县.pdf|1 rendered, 1 skipped (unchanged), 0 failed" \
    "$RC $(grep -o '^wrote [^ ]*' "$TMP/stdout")|$(grep -o '^1 rendered.* 0 failed' "$TMP/stdout" || cat "$TMP/stdout")"


# an "also" list (the other formats' files) that does not fit this run's formats (PDF
# alone): entries without a file or a full sha256 are ignored, and 奉节县 is skipped; one
# more than the formats can hold (kept to CB_FORMATS_MAX - 1), and the entry no longer
# matches the formats asked for: rendered again
damaged "also: more files than formats" "c['also'] = [{'file': 'x.ofd', 'sha256': 'a' * 64, 'bytes': 1}] * 4"
# kept NAME PYTHON: edited, then nothing renders
kept() {
    edited "$2"
    check_eq "$1: nothing rendered" "0 0 rendered, 2 skipped (unchanged), 0 failed" \
        "$RC $(grep -o '^0 rendered.* 0 failed' "$TMP/stdout" || cat "$TMP/stdout")"
}
kept "also: entries without a file or a sha256, or a short one" \
    "c['also'] = [{'sha256': 'a' * 64}, {'file': 'x.ofd'}, {'file': 'x.ofd', 'sha256': 'a' * 63}]"
kept "an entry without a generation (its manifest's is used)" "del c['generation']"


# a journal a killed run left (made by hand): 奉节县's entry of other inputs, newer, then
# its entry of these inputs again. 忠县 rendered alone: nothing to render, and 奉节县 keeps
# its newest entry, of the other inputs; with --force no entry is read: both rendered
journal() {
    cp good.json m/manifest.json
    "$PY" - m/manifest.json m/.manifest.json.journal <<'PY'
import json, sys
m = json.load(open(sys.argv[1]))
c = [c for c in m["counties"] if c["name"] == "奉节县"][0]
other = dict(c, inputs="f" * 64, generation=c["generation"] + 1)
with open(sys.argv[2], "w") as j:
    for e in (other, c):
        j.write("\n" + json.dumps(e, ensure_ascii=False))
PY
}
journal
cb render --out m --county 忠县
check_eq "a journal of two inputs, 忠县 alone: nothing rendered, 奉节县's newest entry kept" \
    "0 0 rendered, 1 skipped (unchanged), 0 failed|ffff" \
    "$RC $(grep -o '^0 rendered.* 0 failed' "$TMP/stdout" || cat "$TMP/stdout")|$("$PY" -c \
        "import json; print([c['inputs'][:4] for c in json.load(open('m/manifest.json'))['counties'] if c['name'] == '奉节县'][0])")"
journal
cb render --out m --force
check_eq "--force with a journal left: both rendered" "0 2 rendered" "$RC $(grep -o '^2 rendered' "$TMP/stdout")"

finish
