#!/usr/bin/env bash
# tutorial.sh: docs/tutorial.md works as written. The code blocks are taken out of the
# tutorial exactly as they are (tests/e2e/lib/tutorial_extract.py, by their <!-- file: -->,
# <!-- append: --> and <!-- replace: --> markers) and the ```sh blocks marked
# <!-- run: NAME --> run in one working folder, in order, as a reader runs them, with
# `countybrief` on the PATH. Each step's output matches what the tutorial shows for it,
# and the PDFs hold what the tutorial promises: the key figures (3项, 2396余人次, 675人次
# for 忠县), the generated sentence, the chart and table, the deliberate mistake's message
# naming training.lua at the line with county.pair_since, the message for the synthetic
# counties without training rows, the sources, the same pages from the report moved into
# its own folder with a module, and the stacked chart of the second report. The fmt table
# of the tutorial gives what it says. Finally, two broken copies of the tutorial (a code
# edit that fails at run time, an unmarked Lua block) make this test fail.
#
# TUTORIAL_MD=FILE tests another copy of the tutorial (the negative controls use it).
# shellcheck disable=SC1111  # the Chinese quotes “” in expected text are meant
set -euo pipefail
source "$(dirname "$0")/lib/common.bash"

TUTORIAL=${TUTORIAL_MD:-$CB_SRC/docs/tutorial.md}
EXTRACT=("$PY" "$E2E_LIB/tutorial_extract.py")
STEPS=$TMP/steps
WORK=$TMP/work
mkdir -p "$WORK" "$TMP/bin"
ln -s "$CB" "$TMP/bin/countybrief"
unset COUNTYBRIEF_PLUGIN_DIR COUNTYBRIEF_PLUGIN_PATH

# lacks NAME FILE.pdf TEXT: the flat text does not contain TEXT
lacks() {
    if [[ $(flat "$2") != *"$3"* ]]; then ok "$1"; else not_ok "$1" "$2 contains $3"; fi
}
pages_eq() { check_eq "$1" "$3" "$(pdf_pages "$2")"; }

# --- take the tutorial apart ------------------------------------------------------------
if ! "${EXTRACT[@]}" steps "$TUTORIAL" "$STEPS" >"$TMP/extract.log" 2>&1; then
    not_ok "extract the code of $TUTORIAL" "$(cat "$TMP/extract.log")"
    finish || exit 1
fi
ok "extract the code blocks of the tutorial (every lua block is marked)"

# --- run the steps in order -------------------------------------------------------------
declare -A DIR RC
while read -r step; do
    name=${step#[0-9][0-9]-}
    d=$STEPS/$step
    DIR[$name]=$d
    if [[ -d $d/files ]]; then cp -R "$d/files/." "$WORK/"; fi
    RC[$name]=0
    (cd "$WORK" && PATH="$TMP/bin:$PATH" bash "$d/run.sh") >"$d/output" 2>&1 || RC[$name]=$?
    # keep the PDFs of out/ as they are after this step (later steps overwrite them)
    if [[ -d $WORK/out ]]; then
        mkdir -p "$d/out"
        cp "$WORK"/out/*.pdf* "$d/out/" 2>/dev/null || true # .pdf.stale too
    fi
    check_eq "step $name: its commands exit 0" 0 "${RC[$name]}"
    if [[ -f $d/expected.txt ]]; then
        check "step $name: prints what the tutorial shows" \
            "${EXTRACT[@]}" match "$d/expected.txt" "$d/output"
    fi
done <"$STEPS/steps"

for name in list look first kpis mistake sentence blocks again synth sources folder trend; do
    if [[ -z ${DIR[$name]:-} ]]; then
        not_ok "the tutorial has a step '$name'" "$(cat "$STEPS/steps")"
        finish || exit 1
    fi
done
ok "the tutorial has all its steps"
ZX=500233-忠县.pdf
FJ=500236-奉节县.pdf

# --- 1. look: print shows nil for the empty pair_since ---------------------------------
if grep -qP '^忠县\t重庆市\tnil\t29$' "${DIR[look]}/output"; then ok "look.lua prints county fields, nil for an empty cell"
else not_ok "look.lua prints county fields, nil for an empty cell" "$(cat "${DIR[look]}/output")"; fi

# --- 2. first page ----------------------------------------------------------------------
has "first: the title and subtitle" "${DIR[first]}/out/$ZX" 忠县人才培训报告 重庆市·对口支援人才培训
pages_eq "first: one page" "${DIR[first]}/out/$ZX" 1

# --- 3. key figures ---------------------------------------------------------------------
has "kpis: 3项, 2396余人次 and 675人次 for 忠县" "${DIR[kpis]}/out/$ZX" \
    3项 培训项目 2396余人次 单项最大（累计） 675人次 2020年培训

# --- 4. the deliberate mistake and its fix ----------------------------------------------
out=${DIR[mistake]}/output
line=$(sed -n "s/^countybrief: 500233 忠县: training\.lua:\([0-9]*\): attempt to concatenate a nil value (field 'pair_since').*/\1/p" "$out")
if [[ -n $line ]]; then
    ok "mistake: one line names 500233 忠县 and training.lua:$line"
    src=$(sed -n "${line}p" "${DIR[mistake]}/files/training.lua")
    if [[ $src == *county.pair_since* ]]; then ok "mistake: training.lua:$line is the line with county.pair_since"
    else not_ok "mistake: training.lua:$line is the line with county.pair_since" "line $line: $src"; fi
    if grep -qF "means line $line of \`training.lua\`" "$TUTORIAL"; then ok "mistake: the tutorial's prose names line $line"
    else not_ok "mistake: the tutorial's prose names line $line"; fi
else
    not_ok "mistake: one line names 500233 忠县 and training.lua:LINE" "$(cat "$out")"
fi
if grep -qx 'exit status 1' "$out"; then ok "mistake: exit status 1"; else not_ok "mistake: exit status 1" "$(cat "$out")"; fi
check_eq "mistake: the failed county's old PDF is moved aside as .stale, as it was" \
    "$(flat "${DIR[kpis]}/out/$ZX") no" "$(flat "${DIR[mistake]}/out/$ZX.stale") $([[ -e ${DIR[mistake]}/out/$ZX ]] && echo yes || echo no)"
has "sentence: the generated sentence for 忠县" "${DIR[sentence]}/out/$ZX" \
    概况 "结对29年来，数据记录了忠县3项人才培训。规模最大的是“各类人才培训（含基层党政干部）”，累计2396余人次。最近一年（2020年）培训675人次。"

# --- 5. chart and table, all counties ---------------------------------------------------
has "blocks: 忠县 has chart and table" "${DIR[blocks]}/out/$ZX" \
    各期各类培训人次 单位：人次 2020年人才培训 累计致富带头人培训 300余人次 培训明细 其中：电商实战专业人才 25人次
has "blocks: 奉节县 has chart, table and its own sentence" "${DIR[blocks]}/out/$FJ" \
    自1993年结对以来，数据记录了奉节县3项人才培训 累计线上课程 近1万人次 2021年培训 390人次 培训明细
for f in "$ZX" "$FJ"; do pages_eq "blocks: $f has one page" "${DIR[blocks]}/out/$f" 1; done
if grep -qF "2 rendered, 0 skipped (unchanged), 0 failed" "${DIR[blocks]}/output"; then ok "blocks: both counties rendered"
else not_ok "blocks: both counties rendered" "$(cat "${DIR[blocks]}/output")"; fi

# --- 6. counties without training rows (synthetic data) ---------------------------------
SYN=$WORK/synth
OUTS=$WORK/out-synth
check_eq "synth: one PDF per synthetic county" "$(($(wc -l <"$SYN/counties.csv") - 1))" \
    "$(find "$OUTS" -name '*.pdf' | wc -l)"
# counties of counties.csv with no row in training.csv, as "id name"
mapfile -t EMPTY < <("$PY" - "$SYN" <<'EOF'
import csv, sys
d = sys.argv[1]
have = {r["county_id"] for r in csv.DictReader(open(f"{d}/training.csv", encoding="utf-8"))}
for r in csv.DictReader(open(f"{d}/counties.csv", encoding="utf-8")):
    if r["county_id"] not in have:
        print(r["county_id"], r["name"])
EOF
)
check_eq "synth: four counties without training rows, as the tutorial says" 4 "${#EMPTY[@]}"
found_mh=no
for c in "${EMPTY[@]}"; do
    id=${c% *} nm=${c#* }
    [[ $nm == 蒙华县 ]] && found_mh=yes
    has "synth: $nm says it has no training rows" "$OUTS/$id-$nm.pdf" "数据中没有${nm}的人才培训记录。"
    lacks "synth: $nm has no table" "$OUTS/$id-$nm.pdf" 培训明细
done
check_eq "synth: 蒙华县 (the tutorial's example) has no training rows" yes "$found_mh"
# the two counties with empty pair_since / years_paired that the tutorial names
row() { awk -F, -v n="$1" '$2 == n { print $4 "|" $5 }' "$SYN/counties.csv"; }
check_eq "synth: 威通县 has no pair_since, 28 years_paired" "|28" "$(row 威通县)"
check_eq "synth: 秀峰县 has neither" "|" "$(row 秀峰县)"
has "synth: 威通县's sentence" "$(ls "$OUTS"/*-威通县.pdf)" "结对28年来，数据记录了威通县"
has "synth: 秀峰县's sentence" "$(ls "$OUTS"/*-秀峰县.pdf)" "结对以来，数据记录了秀峰县"

# --- 7. sources -------------------------------------------------------------------------
has "sources: 忠县's note" "${DIR[sources]}/out/$ZX" "资料来源忠县篇·开篇数据；忠县篇·人才培训2020"
has "sources: 奉节县's note" "${DIR[sources]}/out/$FJ" 资料来源 奉节篇·人才培训赴辽培训

# --- 8. the report in its own folder, with a module: the same pages ---------------------
for f in "$ZX" "$FJ"; do
    a=$(pdftext -layout "${DIR[sources]}/out/$f" -)
    b=$(pdftext -layout "$WORK/out-folder/$f" -)
    if [[ -n $a && $a == "$b" ]]; then ok "folder: $f reads as in step 7"
    else not_ok "folder: $f reads as in step 7" "$(diff <(echo "$a") <(echo "$b") | head -20)"; fi
done

# --- 9. the second report: chart.stacked ------------------------------------------------
XS=$(ls "$WORK"/out-trend/*-仙水县.pdf 2>/dev/null || true)
BJ=$(ls "$WORK"/out-trend/*-宝江县.pdf 2>/dev/null || true)
has "trend: 仙水县's stacked chart" "$XS" 仙水县历年人才培训 各年培训人次 2019年 2020年 2022年 443人次 赴外培训 教师培训
has "trend: 宝江县's stacked chart" "$BJ" 宝江县历年人才培训 2019年 2020年

# --- the fmt table ----------------------------------------------------------------------
{
    echo 'doc:title("fmt")'
    while IFS=$'\t' read -r call _; do printf 'print("FMT", %s)\n' "$call"; done <"$STEPS/fmt.tsv"
} >"$TMP/fmt.lua"
cb render --report "$TMP/fmt.lua" --county 忠县 --out "$TMP/fmt-out"
want=$(cut -f2 "$STEPS/fmt.tsv")
got=$(sed -n 's/^FMT\t//p' "$TMP/stderr" "$TMP/stdout")
if [[ $(wc -l <"$STEPS/fmt.tsv") -ge 5 && $want == "$got" ]]; then ok "the tutorial's fmt table is right"
else not_ok "the tutorial's fmt table is right" "$(diff <(echo "$want") <(echo "$got"))"; fi

# --- the PDFs are sound -----------------------------------------------------------------
FINAL=("$WORK/out/$ZX" "$WORK/out/$FJ" "$WORK/out-folder/$ZX" "$XS" "$(ls "$OUTS"/*-蒙华县.pdf)")
for f in "${FINAL[@]}"; do check "qpdf --check $(basename "$f")" qpdf --check "$f"; done
check "every character leaves ink" "$PY" "$E2E_LIB/ink_check.py" check "${FINAL[@]}"

# --- negative controls: a broken tutorial fails this test -------------------------------
if [[ -z ${TUTORIAL_MD:-} ]]; then
    broken() { # broken WHAT SED-SCRIPT: this test fails on the tutorial edited by SED-SCRIPT
        local copy=$TMP/broken.md
        sed "$2" "$TUTORIAL" >"$copy"
        if cmp -s "$copy" "$TUTORIAL"; then not_ok "negative control: $1" "the edit changed nothing"; return; fi
        if TUTORIAL_MD=$copy bash "$0" >"$TMP/broken.log" 2>&1; then
            not_ok "negative control: $1 fails the test" "$(tail -5 "$TMP/broken.log")"
        else
            ok "negative control: $1 fails the test"
        fi
    }
    broken "a typo in a field name (t.peple)" '0,/if t.people and not part/s//if t.peple and not part/'
    broken "an unmarked lua block" '0,/^<!-- file: look.lua -->$/s///'
    broken "a silently wrong figure (其中 rows counted)" '0,/t.part_of ~= nil/s//t.kind == nil/'
fi

finish
