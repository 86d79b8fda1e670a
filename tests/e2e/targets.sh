#!/usr/bin/env bash
# targets.sh: the example report examples/reports/targets/targets.lua (十四五 targets and
# progress). For the example data: 忠县 shows its two targets (1亿元以上, 2000人以上) as
# bars without progress and says no progress is reported; 奉节县, which has no targets,
# gets a one-page note with its title. For synthetic data (`countybrief synth --counties 30
# --seed 3`): every county renders on one page; a county without targets says so; for each
# target with progress the page gives the completion percentage, what is left (for counts)
# and the pace word, all computed here from the synthetic targets.csv. A small fixture
# covers targets met, exceeded, on track, behind, of unknown pace, a ceiling (<=) and a
# target of another plan. Every PDF passes qpdf --check and leaves ink for each
# character; a re-render is byte-identical.
# shellcheck disable=SC1111  # the Chinese quotes “” in expected text are meant
set -euo pipefail
source "$(dirname "$0")/lib/common.bash"

unset COUNTYBRIEF_PLUGIN_DIR COUNTYBRIEF_PLUGIN_PATH
REPORT=$CB_SRC/examples/reports/targets/targets.lua
INK=("$PY" "$E2E_LIB/ink_check.py")

lacks() { if [[ $(flat "$2") != *"$3"* ]]; then ok "$1"; else not_ok "$1" "$2 contains $3"; fi; }

# --- the example data -------------------------------------------------------------------
cb render --report "$REPORT" --out "$TMP/ex"
check_eq "example data: exit 0" 0 "$RC"
[[ $RC -eq 0 ]] || not_ok "example data: stderr" "$(cat "$TMP/stderr")"
ZX=$TMP/ex/500233-忠县.pdf
FJ=$TMP/ex/500236-奉节县.pdf
# as laid out: each target's name and its goal, at the two ends of one line, read together
FLAT_LAYOUT=1 has "忠县: title, two targets, 1亿元 and 2000人" "$ZX" \
    "忠县“十四五”目标进展" 对口支援方：山东省、沈阳市 2项 0项 有进展数字 目标与进展 \
    无偿援助资金目标1亿元以上 人才和党政干部培训目标2000人以上 数据中尚无该目标的进展数字。
has "忠县: the reference figures are marked as cumulative, not progress" "$ZX" \
    "参考：指标表中累计无偿援助资金4.05亿元，为结对以来的累计数，不是“十四五”期间的进展。" \
    "累计培训各类人才2396余人次"
has "忠县: the assessment says progress is not reported" "$ZX" \
    评估 "忠县在数据中有2项“十四五”目标，都还没有进展数字，目前无法判断完成情况。" \
    资料来源：忠县篇·十四五目标。
lacks "忠县: no percentage without progress" "$ZX" "为目标的"
has "奉节县: a short page with its title saying there are no targets" "$FJ" \
    "奉节县“十四五”目标进展" "数据中没有奉节县的“十四五”目标，因此本报告没有目标进展可以列出。"
lacks "奉节县: no targets section" "$FJ" 目标与进展
for f in "$ZX" "$FJ"; do check_eq "$(basename "$f"): one page" 1 "$(pdf_pages "$f")"; done
check_eq "document title from doc:info" "忠县“十四五”目标进展" "$(pdf_info "$ZX" Title)"

cb render --report "$REPORT" --out "$TMP/ex2"
if cmp -s "$ZX" "$TMP/ex2/500233-忠县.pdf" && cmp -s "$FJ" "$TMP/ex2/500236-奉节县.pdf"; then
    ok "a second render is byte-identical"
else not_ok "a second render is byte-identical"; fi

# --- synthetic data ---------------------------------------------------------------------
SYN=$TMP/synth
cb synth --counties 30 --seed 3 --out "$SYN"
check_eq "synth: exit 0" 0 "$RC"
cb render --report "$REPORT" --data "$SYN" --out "$TMP/syn" --quiet
check_eq "synthetic data: exit 0" 0 "$RC"
[[ $RC -eq 0 ]] || not_ok "synthetic data: stderr" "$(cat "$TMP/stderr")"
check_eq "synthetic data: one PDF per county" 30 "$(find "$TMP/syn" -name '*.pdf' | wc -l)"
more=""
for f in "$TMP"/syn/*.pdf; do [[ $(pdf_pages "$f") == 1 ]] || more+="$(basename "$f") "; done
check_eq "synthetic data: every county on one page" "" "$more"

# What each page must say, from targets.csv: "file<TAB>text" lines. fmt.percent is half
# away from zero at one decimal, without trailing zeros; a count below 1万 is plain digits.
"$PY" - "$SYN" >"$TMP/expect.tsv" <<'EOF'
import csv, sys
from decimal import Decimal, ROUND_HALF_UP
d = sys.argv[1]
counties = {r["county_id"]: r["name"] for r in csv.DictReader(open(f"{d}/counties.csv", encoding="utf-8"))}
rows = [r for r in csv.DictReader(open(f"{d}/targets.csv", encoding="utf-8")) if r["plan"] == "十四五"]
def pct(x):
    s = str(Decimal(repr(x * 100)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))
    return (s.rstrip("0").rstrip(".") if "." in s else s) + "%"
def period(p):
    return p.replace("-", "—") + "年"
with_targets = set()
for r in rows:
    cid = r["county_id"]
    with_targets.add(cid)
    f = f"{cid}-{counties[cid]}.pdf"
    if not r["progress_value"]:
        continue
    goal, done = float(r["target_value"]), float(r["progress_value"])
    frac = done / goal
    print(f"{f}\t{r['target']}")
    print(f"{f}\t{period(r['progress_period'])}完成")
    print(f"{f}\t为目标的{pct(frac)}")
    if frac < 1 and r["unit"] != "元" and goal - done < 10000:
        print(f"{f}\t尚差{int(goal - done)}{r['unit']}。")
    years = r["progress_period"].split("-")
    first, last = int(years[0]), int(years[-1])
    if frac < 1 and first == 2021:
        share = (min(last, 2025) - 2021 + 1) / 5
        word = ("快于" if frac > share + 0.005 else "符合" if frac >= share - 0.005
                else "略慢于" if frac >= share - 0.1 else "明显慢于")
        print(f"{f}\t规划期5年已过{min(last, 2025) - 2020}年（{pct(share)}），{word}时间进度")
for cid, name in counties.items():
    if cid not in with_targets:
        print(f"{cid}-{name}.pdf\t数据中没有{name}的“十四五”目标，因此本报告没有目标进展可以列出。")
EOF
n=$(cut -f1 "$TMP/expect.tsv" | sort -u | wc -l)
if [[ $n -ge 20 ]] && grep -q '为目标的' "$TMP/expect.tsv" && grep -q '时间进度' "$TMP/expect.tsv"; then
    ok "synthetic data: $n counties to check, some with progress and pace"
else not_ok "synthetic data: counties to check, some with progress" "$(cat "$TMP/expect.tsv")"; fi
fails=""
while IFS=$'\t' read -r file want; do
    [[ $(flat "$TMP/syn/$file") == *"$want"* ]] || fails+="$file: missing $want"$'\n'
done <"$TMP/expect.tsv"
if [[ -z $fails ]]; then ok "synthetic data: percentages, what is left and pace match targets.csv"
else not_ok "synthetic data: percentages, what is left and pace match targets.csv" "$fails"; fi

# one county pinned by hand, so that the expectations above cannot drift with the report
XS=$TMP/syn/911330-仙水县.pdf
has "仙水县 (synthetic): its three targets with progress" "$XS" \
    目标5000万元以上 "2021—2023年完成3290万元，为目标的65.8%，尚差1710万元。" \
    "规划期5年已过3年（60%），快于时间进度，余下2年每年需完成约855万元。" \
    "2022年完成152人次，为目标的30.4%，尚差348人次。进展只注明了2022年，无法判断是否达到时间进度。" \
    为目标的71.6% "完成度最高的是干部挂职锻炼（71.6%），最低的是人才和党政干部培训（30.4%）。"

# --- a fixture: met, exceeded, on track, behind, unknown pace, a ceiling, another plan -----
FX=$TMP/fixture
cp -R "$CB_SRC/examples/data" "$FX"
cat >>"$FX/targets.csv" <<'EOF'
500236,十四五,无偿援助资金,aid_total,100000000,元,>=,120000000,2021-2022,测试行
500236,十四五,干部挂职锻炼,cadres_seconded,100,人次,>=,100,2021,测试行
500236,十四五,人才培训,people_trained,1000,人次,>=,300,2021-2024,测试行
500236,十四五,人均成本,x,5000,元,<=,4000,2023,测试行
500236,十三五,旧目标,x,10,个,>=,10,2020,测试行
500236,十四五,挂职锻炼,x,100,人次,>=,60,2021-2023,测试行
500236,十四五,外销农产品,x,1000,吨,>=,700,2023,测试行
500236,十四五,外销果品,x,1000,吨,>=,500,2023,测试行
EOF
cb render --report "$REPORT" --data "$FX" --county 奉节县 --out "$TMP/fx"
check_eq "fixture: exit 0" 0 "$RC"
has "fixture: met, exceeded, on track, behind, unknown pace, a ceiling, another plan" "$TMP/fx/500236-奉节县.pdf" \
    "2021—2022年完成1.2亿元，为目标的120%，已完成目标，超出2000万元。" \
    "2021年完成100人次，为目标的100%，已完成目标。" \
    "规划期5年已过4年（80%），明显慢于时间进度，余下1年每年需完成约700人次。" \
    "目标不超过5000元" "2023年为4000元，占上限的80%。" \
    "规划期5年已过3年（60%），符合时间进度，余下2年每年需完成约20人次。" \
    "2023年完成700吨，为目标的70%，尚差300吨。仅2023年就已达到时间进度：规划期5年已过3年（60%）。" \
    "2023年完成500吨，为目标的50%，尚差500吨。进展只注明了2023年，无法判断是否达到时间进度。" \
    "奉节县在数据中有7项“十四五”目标，都有进展数字。" 无偿援助资金和干部挂职锻炼已完成目标。 \
    挂职锻炼和外销农产品达到时间进度。 外销果品的进展时期不完整，进度待核实。 7项7项4项 已完成或达到时间进度 \
    "另有其他规划期的目标1项，不在本报告范围内。"

# --- sound PDFs -------------------------------------------------------------------------
ALL=("$ZX" "$FJ" "$TMP"/syn/*.pdf "$TMP/fx/500236-奉节县.pdf")
bad=""
for f in "${ALL[@]}"; do qpdf --check "$f" >/dev/null 2>&1 || bad+="$(basename "$f") "; done
check_eq "qpdf --check passes for all ${#ALL[@]} PDFs" "" "$bad"
check "every character leaves ink (${#ALL[@]} PDFs)" "${INK[@]}" check "${ALL[@]}"

finish
