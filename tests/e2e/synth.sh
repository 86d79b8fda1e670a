#!/usr/bin/env bash
# synth.sh: the promise of `countybrief synth`: a synthetic data folder that the briefing
# renders (one valid PDF per county, showing the county's name), that says on every row
# that it is synthetic, and that is byte-identical for the same --counties and --seed.
set -euo pipefail
source "$(dirname "$0")/lib/common.bash"

N=30
D=$TMP/d
FILES="allocations.csv counties.csv indicators.csv partners.csv projects.csv schema.csv targets.csv towns.csv training.csv works.csv"

# --- writing the data set ---------------------------------------------------------------
cb synth --counties $N --seed 1 --out "$D"
if [[ $RC -ne 0 ]]; then
    not_ok "synth --counties $N --seed 1 exits 0" "exit $RC: $(cat "$TMP/stderr")"
    finish || exit 1
fi
ok "synth --counties $N --seed 1 exits 0"
check_eq "synth writes the ten tables of examples/data, nothing else" "$FILES" \
    "$(cd "$D" && ls -A | sort | tr '\n' ' ' | sed 's/ $//')"
check_eq "counties.csv has $N counties" "$N" "$(($(wc -l <"$D/counties.csv") - 1))"
for f in $FILES; do
    check_eq "$f has the header of examples/data/$f" "$(head -n 1 "$CB_SRC/examples/data/$f")" \
        "$(head -n 1 "$D/$f")"
done

# every data row says it is synthetic: its source cell is the last field
bad=""
for f in $FILES; do
    [[ $f == schema.csv ]] && continue
    n=$(tail -n +2 "$D/$f" | grep -vcF '"合成数据（synthetic, seed 1）"' || true)
    [[ $n == 0 ]] || bad+="$f: $n rows without the synthetic source; "
done
if [[ -z $bad ]]; then ok "every data row's source reads 合成数据（synthetic, seed 1）"; else
    not_ok "every data row's source reads 合成数据（synthetic, seed 1）" "$bad"; fi
if grep -qF synthetic "$D/schema.csv"; then ok "schema.csv says the data is synthetic"; else
    not_ok "schema.csv says the data is synthetic"; fi

cb list --data "$D"
check_eq "list shows the $N counties" "$N" "$(grep -c . "$TMP/stdout" || true)"

# --- deterministic ----------------------------------------------------------------------
cb synth --counties $N --seed 1 --out "$TMP/d2"
check_eq "a second synth exits 0" 0 "$RC"
check "a second synth with the same arguments gives byte-identical files" diff -r "$D" "$TMP/d2"
# over an existing set: the files are replaced, nothing is left behind
cb synth --counties $N --seed 1 --out "$TMP/d2"
check "synth over an existing set gives the same files again, and no temporary" diff -r "$D" "$TMP/d2"
cb synth --counties $N --seed 2 --out "$TMP/d3"
if ! cmp -s "$D/projects.csv" "$TMP/d3/projects.csv"; then ok "another seed gives other data"; else
    not_ok "another seed gives other data"; fi

# --- bad arguments: usage error (exit 2), one line on stderr, nothing written -------------
bad_usage() { # WHAT ARGS...
    local what=$1
    shift
    cb synth "$@"
    local lines
    lines=$(grep -c . "$TMP/stderr" || true)
    if [[ $RC -eq 2 && $lines -eq 1 && ! -e $TMP/bad ]]; then
        ok "synth $what: exit 2, one line on stderr, nothing written"
    else
        not_ok "synth $what: exit 2, one line on stderr, nothing written" "exit $RC: $(cat "$TMP/stderr")"
    fi
}
bad_usage "--counties 0" --counties 0 --out "$TMP/bad"
bad_usage "--counties x" --counties x --out "$TMP/bad"
bad_usage "--counties 100001" --counties 100001 --out "$TMP/bad"
bad_usage "--seed -1" --counties 3 --seed -1 --out "$TMP/bad"
bad_usage "--bogus" --counties 3 --bogus --out "$TMP/bad"
bad_usage "without --out" --counties 3
bad_usage "without --counties" --out "$TMP/bad"
touch "$TMP/plain"
cb synth --counties 3 --out "$TMP/plain/sub"
if [[ $RC -eq 5 && $(cat "$TMP/stderr") == *"$TMP/plain"* ]]; then
    ok "synth into a path below a file: exit 5, the message names it"
else
    not_ok "synth into a path below a file: exit 5, the message names it" "exit $RC: $(cat "$TMP/stderr")"
fi

# --- the briefing renders every synthetic county ----------------------------------------
cb render --data "$D" --out "$TMP/o" --quiet
if [[ $RC -eq 0 ]]; then ok "render of the synthetic data exits 0"; else
    not_ok "render of the synthetic data exits 0" "exit $RC: $(cat "$TMP/stderr")"; fi
check_eq "render writes $N PDFs" "$N" "$(find "$TMP/o" -name '*.pdf' | wc -l)"

# the PDFs are named <county_id>-<name>.pdf after counties.csv
expected=$(tail -n +2 "$D/counties.csv" | cut -d, -f1,2 | tr , - | sed 's/$/.pdf/' | sort | tr '\n' ' ')
check_eq "the PDFs are named after counties.csv" "$expected" \
    "$(cd "$TMP/o" && ls -- *.pdf | sort | tr '\n' ' ')"

mapfile -t pdfs < <(find "$TMP/o" -name '*.pdf' | sort)
for i in 0 $((N / 2)) $((N - 1)); do
    pdf=${pdfs[$i]:-}
    [[ -n $pdf ]] || { not_ok "PDF #$i exists"; continue; }
    name=$(basename "$pdf" .pdf)
    check "$name: qpdf --check passes" qpdf --check "$pdf"
done

# one briefing read back: its county's name and a synthetic source note
pdf=${pdfs[0]:-$TMP/none.pdf}
county=$(basename "$pdf" .pdf)
county=${county#*-}
pdftext "$pdf" "$TMP/one.txt"
if has_text "$TMP/one.txt" "$county"; then ok "pdftotext of $(basename "$pdf") shows '$county'"; else
    not_ok "pdftotext of $(basename "$pdf") shows '$county'" "$(head -c 400 "$TMP/one.txt")"; fi
if tr -d ' \n' <"$TMP/one.txt" | grep -cF 'synthetic' >/dev/null; then ok "$county: the briefing's sources say synthetic"; else
    not_ok "$county: the briefing's sources say synthetic"; fi

finish
