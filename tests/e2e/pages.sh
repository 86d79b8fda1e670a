#!/usr/bin/env bash
# pages.sh: where blocks break across pages (docs/templates.md, "Page breaks"), read back
# from the PDFs with PyMuPDF (lib/pages.py): a table split across pages repeats its header
# and leaves at least 3 rows on each side (a row broken between its lines counting on both;
# a table that cannot moves whole); no page but
# the last leaves room at its foot for the table that opens the next, nor a fifth of the
# page empty before one that its gaps, tightened, make room for (not on a grid); the last page holds
# more than the notes (sources) that end the document; the onepager template keeps to one
# page. Each template (jianbao too), in Chinese and English, for the example data and for a batch of
# synthetic counties (varied tables and notes at every height of the page); first the
# checker itself, on PDFs drawn to break each rule.
set -euo pipefail
source "$(dirname "$0")/lib/common.bash"

need_python fitz "PyMuPDF (python3-fitz)"

mkdir -p "$TMP/self"
run_checks "$PY" "$E2E_LIB/pages.py" selftest "$TMP/self"

cb synth --counties 200 --seed 1 --out "$TMP/synth"
check_eq "synth writes a batch of 200 counties (exit 0)" 0 "$RC"

for template in briefing onepager dashboard jianbao; do
    one=()
    [[ $template == onepager ]] && one=(--one-page)
    # jianbao computes its margins (GB/T 9704's type area, in mm) and its grid's pitch
    [[ $template == jianbao ]] && one=(--margins=104.88,73.70,99.21,79.37,16,1.8118 --grid)
    for lang in zh en; do
        for data in examples synth; do
            args=(render --quiet --out "$TMP/$template-$lang-$data" --template "$template")
            [[ $lang == en ]] && args+=(--lang en)
            # the synthetic batch in English with one template: its tables are the same
            [[ $data == synth ]] && { [[ $lang == zh || $template == onepager ]] || continue; }
            [[ $data == synth ]] && args+=(--data "$TMP/synth")
            cb "${args[@]}"
            check_eq "$template $lang $data renders (exit 0)" 0 "$RC"
            pdfs=("$TMP/$template-$lang-$data"/*.pdf)
            [[ -f ${pdfs[0]} ]] || { not_ok "$template $lang $data wrote PDFs"; continue; }
            run_checks "$PY" "$E2E_LIB/pages.py" "$CB_SRC/templates/$template/template.lua" \
                "$template $lang $data" "${one[@]}" "${pdfs[@]}"
        done
    done
done

# jianbao under the 报头 of the sample bulletin (examples/reports/jianbao): the heading that
# falls at page 1's foot keeps with the 2 lines its paragraph may start with there, no more.
# Its 报尾 (GB/T 9704's 版记) may take the last page alone, below the notes: not checked
cp -r "$CB_SRC/examples/data" "$TMP/bulletin"
cp "$CB_SRC/examples/reports/jianbao/bulletin.sample.csv" "$TMP/bulletin/bulletin.csv"
for lang in zh en; do
    cb render --quiet --template jianbao --lang "$lang" --data "$TMP/bulletin" --out "$TMP/jb-$lang"
    check_eq "jianbao $lang with the sample bulletin renders (exit 0)" 0 "$RC"
    run_checks "$PY" "$E2E_LIB/pages.py" "$CB_SRC/templates/jianbao/template.lua" "jianbao $lang bulletin" \
        --margins=104.88,73.70,99.21,79.37,16,1.8118 --grid --no-last-page "$TMP/jb-$lang"/*.pdf
done

# 奉节县's projects table (a first row of four lines of notes) starts on page 1 under its
# heading, with its header and first 3 rows: the page's gaps tightened make room for them
fj=$(ls "$TMP/briefing-zh-examples"/500236-*.pdf 2>/dev/null | head -1 || true)
if [[ -f $fj ]]; then
    pdftotext -f 1 -l 1 "$fj" "$TMP/fj-1.txt" 2>/dev/null || true
    for row in 重点援建项目 成效与说明 草堂社会福利院 失能人员供养中心 移民小区改造; do
        check "briefing zh 奉节县: page 1 holds \"$row\" (the projects table starts there)" grep -q "$row" "$TMP/fj-1.txt"
    done
else
    not_ok "briefing zh 奉节县 rendered for the projects table check"
fi

# the pull that gives the sources note company takes the least a block must move: 忠县's
# English 简报 ends with two tall progress targets; pulling the notes' height moved the
# whole block and its heading over and left page 4 more than half empty (348 pt); now the
# first target stays on page 4 and the second goes over with the notes
jb=$(ls "$TMP/jianbao-en-examples"/500233-*.pdf 2>/dev/null | head -1 || true)
if [[ -f $jb ]]; then
    pages=$(pdfinfo "$jb" 2>/dev/null | sed -n 's/^Pages: *//p')
    pdftotext -f $((pages - 1)) -l $((pages - 1)) -layout "$jb" "$TMP/jb-before-last.txt" 2>/dev/null || true
    pdftotext -f "$pages" -l "$pages" -layout "$jb" "$TMP/jb-last.txt" 2>/dev/null || true
    check "jianbao en 忠县: the progress heading and first target stay on the page before the last" \
        grep -q 'Five-Year Plan targets and progress' "$TMP/jb-before-last.txt"
    check "jianbao en 忠县: the last target goes over with the sources note" \
        grep -q 'People trained' "$TMP/jb-last.txt"
else
    not_ok "jianbao en 忠县 rendered for the pull check"
fi

finish
