#!/usr/bin/env bash
# cellwords.sh: table cells break between words (wrap.h: cb_break_lines_words), read back
# from the PDFs with PyMuPDF (lib/cellwords.py): no line break inside a cell falls inside
# a place name of the data (the partners: "山东省、沈|阳市" fails) nor between a number and
# its unit where the line breaker forbids it ("2000万|元" fails: layout_table.c gives a
# column its min-content width when all fit), in every template and
# language, for the example data and 200 synthetic counties (narrow columns, partners the
# dictionary knows and some it does not: 潍坊市, 东莞市).
set -euo pipefail
source "$(dirname "$0")/lib/common.bash"

need_python fitz "PyMuPDF (python3-fitz)"

cb synth --counties 200 --seed 1 --out "$TMP/synth"
check_eq "synth writes a batch of 200 counties (exit 0)" 0 "$RC"
# the names: every partner of both data sets, one a line
for f in "$CB_SRC/examples/data/partners.csv" "$TMP/synth/partners.csv"; do
    "$PY" -c 'import csv, sys
for r in csv.DictReader(open(sys.argv[1], encoding="utf-8")):
    print("\n".join(n.strip() for n in r["partner"].split("、") if n.strip()))' "$f"
done | sort -u >"$TMP/names.txt"

for template in briefing onepager dashboard jianbao; do
    for lang in zh en; do
        for data in examples synth; do
            # the synthetic batch in English with one template: its tables are the same
            [[ $data == synth && $lang == en && $template != jianbao ]] && continue
            args=(render --quiet --no-fsync --out "$TMP/$template-$lang-$data" --template "$template" --lang "$lang")
            [[ $data == synth ]] && args+=(--data "$TMP/synth")
            cb "${args[@]}"
            check_eq "$template $lang $data renders (exit 0)" 0 "$RC"
            pdfs=("$TMP/$template-$lang-$data"/*.pdf)
            [[ -f ${pdfs[0]} ]] || { not_ok "$template $lang $data wrote PDFs"; continue; }
            run_checks "$PY" "$E2E_LIB/cellwords.py" "$template $lang $data" "$TMP/names.txt" "${pdfs[@]}"
        done
    done
done

finish
