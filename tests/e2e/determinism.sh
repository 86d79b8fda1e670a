#!/usr/bin/env bash
# determinism.sh: the same inputs give the same bytes. Three runs of a 1,000-county
# synthetic batch (two with --jobs 2, one with --jobs 1, each into its own folder) write
# byte-identical PDFs, whatever order the workers took the counties in, and each run's
# manifest lists the same sha256 per county. Under a sanitizer build 300 counties: the
# release stage runs the 1,000, and three ASan runs of them outlasted the test's 600 s on a
# loaded machine (the property is the same; the count is a hang guard's cost).
set -euo pipefail
source "$(dirname "$0")/lib/common.bash"

n=1000
if sanitized; then n=300; fi
cb synth --counties "$n" --seed 7 --out "$TMP/data"
check_eq "synth $n: exit 0" 0 "$RC"
for run in 1 2 3; do
    jobs=2
    [[ $run -eq 3 ]] && jobs=1
    cb render --data "$TMP/data" --out "$TMP/run$run" --jobs "$jobs" --no-fsync --quiet
    check_eq "run $run (--jobs $jobs): exit 0" 0 "$RC"
done
check_eq "run 1: $n PDFs" "$n" "$(find "$TMP/run1" -name '*.pdf' | wc -l)"
sums() { (cd "$1" && sha256sum -- *.pdf); }
sums "$TMP/run1" >"$TMP/sums1"
for run in 2 3; do
    sums "$TMP/run$run" >"$TMP/sums$run"
    differ=$(diff "$TMP/sums1" "$TMP/sums$run" | grep -c '^<' || true)
    check_eq "run $run: every PDF byte-identical to run 1's" 0 "$differ"
done
manifest_sums() {
    "$PY" -c "import json,sys; m=json.load(open(sys.argv[1])); print('\n'.join(sorted(c['county_id'] + ' ' + c['sha256'] for c in m['counties'])))" "$1/manifest.json"
}
check_same "the three manifests list the same sha256 per county" "$(manifest_sums "$TMP/run1")" "$(manifest_sums "$TMP/run2")"
check_same "the manifest of the --jobs 1 run too" "$(manifest_sums "$TMP/run1")" "$(manifest_sums "$TMP/run3")"
finish
