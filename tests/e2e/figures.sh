#!/usr/bin/env bash
# figures.sh: figures and wording a reviewing office can't fault (issue 15, part 2).
# 1. Totals: the donut "援助资金投向" of every briefing shows as its total (列明合计, "Total
#    listed") the disjoint sum that lib/figures.py recomputes from the data (amounts that
#    part_of puts inside another counted amount are not added again): the example data, a
#    hand-made county whose 2021 allocation holds an 800万 cold-chain project, and a
#    synthetic batch. A total larger than that sum is an overlapping sum labelled 合计.
# 2. Wording: a 300-county synthetic batch (periods as years, ranges, 近年, 累计; one or
#    many items; parts), in Chinese and in English, has no 截至 with a range, no
#    单笔最大的一期, no English "the largest (" naming a kind, a training count that agrees
#    with the training table's rows, and, in English, the note on the Chinese left.
# 3. English keeps the projects table's outcome column and the legend's 其中 note.
set -euo pipefail
source "$(dirname "$0")/lib/common.bash"

FIG=("$PY" "$E2E_LIB/figures.py")
EX=$CB_SRC/examples/data

# verify WHAT KIND DATA OUT: lib/figures.py KIND finds nothing
verify() {
    local out
    if out=$("${FIG[@]}" "$2" "$3" "$4" 2>&1); then ok "$1 ($(tail -n 1 <<<"$out"))"
    else not_ok "$1" "$out"; fi
}
# render WHAT DATA OUT ARGS...: a batch that renders every county
render() {
    local what=$1 data=$2 out=$3
    shift 3
    cb render --data "$data" --out "$out" --jobs 2 --no-fsync --quiet "$@"
    if [[ $RC -eq 0 ]]; then ok "$what: every county renders"
    else not_ok "$what: every county renders" "exit $RC: $(head -c 600 "$TMP/stderr")"; fi
}

# --- 1. totals ---------------------------------------------------------------------------
render "example data" "$EX" "$TMP/ex"
verify "example data: each donut's total is the disjoint sum" totals "$EX" "$TMP/ex"
render "example data, English" "$EX" "$TMP/ex-en" --lang en
verify "example data, English: each donut's total is the disjoint sum" totals "$EX" "$TMP/ex-en"

for tpl in dashboard onepager; do # the condensed variants draw the same donut
    render "example data, $tpl" "$EX" "$TMP/ex-$tpl" --template "$tpl"
    verify "example data, $tpl: each donut's total is the disjoint sum" totals "$EX" "$TMP/ex-$tpl"
done

# the issue's county: 3000万 in 2021, of which 800万 for a cold-chain project; 1200万 in
# 2020; a 500万 project paid from nothing listed. Disjoint sum 4700万, not 5500万.
H=$TMP/hand
mkdir -p "$H"
cat >"$H/counties.csv" <<'EOF'
county_id,name,province,pair_since,years_paired,source
990001,试点县,重庆市,2010,13,手工样例
EOF
cat >"$H/allocations.csv" <<'EOF'
county_id,period,amount,purpose,projects,qualifier,projects_qualifier,id,part_of,source
990001,2020,12000000,饮水、教育,,,,2020资金,,手工样例
990001,2021,30000000,产业、交通,,,,2021资金,,手工样例
EOF
cat >"$H/projects.csv" <<'EOF'
county_id,project,partner,area,amount,year,outcome,id,part_of,source
990001,冷链物流中心,,产业,8000000,2021,2021年援助资金中安排,,2021资金,手工样例
990001,县医院门诊楼,,医疗卫生,5000000,2019,,,,手工样例
EOF
render "hand-made county" "$H" "$TMP/hand-out"
verify "hand-made county: the 800万 inside the 2021 allocation is counted once" totals "$H" "$TMP/hand-out"
has "hand-made county: the legend names the project inside its allocation as 其中" \
    "$TMP/hand-out/990001-试点县.pdf" "（其中冷链物流中心800万元）"

# a part_of that names no id: that county fails with one line naming the table, the row and
# the id; the other county renders
B=$TMP/bad
cp -R "$EX" "$B"
sed -i 's/,2020民生项目,2020援助资金,/,2020民生项目,2021援助,/' "$B/allocations.csv"
cb render --data "$B" --out "$TMP/bad-out" --no-fsync --quiet
check_eq "a part_of naming no id: exit 1, the other county written" "1 yes" \
    "$RC $([[ -f $TMP/bad-out/500236-奉节县.pdf && ! -e $TMP/bad-out/500233-忠县.pdf ]] && echo yes || echo no)"
if grep -qF '500233 忠县: allocations.csv: "其中：民生项目" is part_of "2021援助", which is no id of this county' \
    "$TMP/stderr"; then ok "... the message names the county, the table, the row and the id"
else not_ok "... the message names the county, the table, the row and the id" "$(cat "$TMP/stderr")"; fi

# --- 2. a 300-county synthetic batch, both languages ----------------------------------------
S=$TMP/synth
cb synth --counties 300 --seed 15 --out "$S"
check_eq "synth --counties 300 exits 0" 0 "$RC"
# the batch has the variety the sentences must read right over
"$PY" - "$S" >"$TMP/variety" <<'EOF'
import csv, re, sys
d = sys.argv[1]
a = list(csv.DictReader(open(f"{d}/allocations.csv", encoding="utf-8")))
t = list(csv.DictReader(open(f"{d}/training.csv", encoding="utf-8")))
p = list(csv.DictReader(open(f"{d}/projects.csv", encoding="utf-8")))
per = {}
for r in a: per[r["county_id"]] = per.get(r["county_id"], 0) + 1
tp = {}
for r in t:
    if not r.get("part_of"): tp[r["county_id"]] = tp.get(r["county_id"], 0) + 1
print("year", any(re.fullmatch(r"\d{4}", r["period"]) for r in a))
print("range", any(re.fullmatch(r"\d{4}-\d{4}", r["period"]) for r in a))
print("recent", any(r["period"] == "近年" for r in a + t))
print("cumulative", any(r["period"] == "累计" for r in t))
print("one-allocation", 1 in per.values())
print("one-programme", 1 in tp.values())
print("project-part", any(r.get("part_of") and r["amount"] for r in p))
print("training-part", any(r.get("part_of") for r in t))
EOF
check_eq "the synthetic batch varies: periods, one or many items, parts" \
    "year True range True recent True cumulative True one-allocation True one-programme True project-part True training-part True" \
    "$(tr '\n' ' ' <"$TMP/variety" | sed 's/ $//')"
render "300 synthetic counties" "$S" "$TMP/s-zh"
render "300 synthetic counties, English" "$S" "$TMP/s-en" --lang en
verify "300 synthetic counties: each donut's total is the disjoint sum" totals "$S" "$TMP/s-zh"
verify "300 synthetic counties: no sentence reads wrong" wording "$S" "$TMP/s-zh"
verify "300 synthetic counties, English: no sentence reads wrong" wording "$S" "$TMP/s-en"
verify "example data: no sentence reads wrong" wording "$EX" "$TMP/ex"
verify "example data, English: no sentence reads wrong" wording "$EX" "$TMP/ex-en"

# --- 3. English keeps what the Chinese shows (has: the text without spaces) -----------------
ZX=$(ls "$TMP/ex-en"/500233-*.en.pdf)
has "English: the projects table keeps its outcome column" "$ZX" Outcomeandnotes 筹建一年
has "English: the legend keeps the 其中 note, translated" "$ZX" ofwhichoverCNY5mforpublicservices
has "English: the training table marks its parts" "$ZX" ofwhich:电商实战专业人才

finish
