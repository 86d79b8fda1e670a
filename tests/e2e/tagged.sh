#!/usr/bin/env bash
# tagged.sh: every PDF is a tagged PDF (docs/standards.md, "Tagged PDF"). The example
# briefings under every template (briefing, onepager, dashboard, jianbao), in Chinese and in
# English, and the 简报 issue with its table of contents, each checked rule by rule
# (lib/tagged_check.py): catalog (/MarkInfo, /Lang, /ViewerPreferences, /StructTreeRoot,
# /RoleMap), pages (/Tabs /S, /StructParents), marked content that nests with BT/ET and q/Q,
# every MCID referenced once from the tree and from the parent tree, artifacts outside it,
# Document/H1/P/Table/TR/TH/TD/Figure present, the headings those of the outline at their
# levels, TH with /Scope /Column, each table one (also one split across pages), the pie
# chart's alternative text naming every slice with its amount and share, alternative text
# cut to a PDF string's limit, the struct text (pdfinfo -struct-text) in the order of
# the page content, headings that skip a level tagged by their depth as the outline nests
# them, and each run of Chinese text in an English document in a sequence of its own with
# /Lang (zh-CN), no Latin letter in one, no /Lang in a Chinese document (lib/lang_check.py).
# qpdf --check passes on each.
set -euo pipefail
source "$(dirname "$0")/lib/common.bash"

cd "$TMP"
render() { # render NAME ARGS...: into out/NAME, or a failed check
    local name=$1
    shift
    cb render --quiet --no-fsync --out "out/$name" "$@"
    check_eq "render $name ($*): exit 0" 0 "$RC"
}
for t in briefing onepager dashboard jianbao; do render "$t" --template "$t"; done
render en --lang en
render issue --report "$CB_SRC/examples/reports/jianbao/issue.lua" --template jianbao
# a chart whose alternative text would pass a PDF string's limit: cut at 32,767 bytes with "…"
cat >long.lua <<'EOF'
local bars = {}
for i = 1, 12 do bars[#bars + 1] = { label = "第" .. i .. "项" .. string.rep("长", 2000), value = i } end
doc:title("长")
doc:barchart { title = "很长的图", unit = "万元", bars = bars }
doc:paragraph("完。")
EOF
render long --report long.lua --county 忠县
# headings that skip levels (1, 3, 4, 2, 4, 3): tagged by depth, H1 H2 H3 H2 H3 H3, as the
# outline nests them (PDF/UA: no skipped level, Matterhorn 14-003)
cat >jump.lua <<'EOF2'
doc:title("标题")
doc:heading("一级", 1)
doc:paragraph("正文一。")
doc:heading("三级", 3)
doc:paragraph("正文二。")
doc:heading("四级", 4)
doc:heading("二级", 2)
doc:paragraph("正文三。")
doc:heading("四级乙", 4)
doc:heading("三级乙", 3)
doc:paragraph("完。")
EOF2
render jump --report jump.lua --county 忠县

# the pie's slices, as the legend shows them: label, amount, share (examples/data)
declare -A PIE=(
    [忠县]="忠文化展览馆 300万元，占12.5%|马灌迎宾湖整治工程 300万元，占12.5%"
    [奉节县]="草堂社会福利院 2000万元，占15.6%|近年 卫生院、便民中心、移民小区 610万元，占4.8%"
)
declare -A PIE_EN=([忠县]="CNY 3 million, 12.5%" [奉节县]="CNY 20 million, 15.6%") # "label amount, share"
for pdf in out/*/*.pdf; do
    name=$(basename "$pdf" .pdf)
    county=${name#*-}
    county=${county%%.*}
    check "$name: qpdf --check passes" qpdf --check "$pdf"
    lang=zh-CN
    [[ $pdf == out/en/* ]] && lang=en
    args=("$pdf" "$lang")
    if [[ $pdf == out/issue/* ]]; then # headings, paragraphs and the contents: a list
        args+=(--roles=Document,Sect,H1,P,L,LI,LBody,Caption)
    elif [[ $pdf == out/jump/* ]]; then
        args+=(--roles=Document,H1,H2,H3,P)
    elif [[ $pdf == out/long/* ]]; then
        args+=(--roles=Document,P,Figure,Caption "长长…")
    elif [[ $lang == zh-CN ]]; then
        IFS='|' read -r -a slices <<<"${PIE[$county]}"
        args+=("${slices[@]}")
    else
        args+=("${PIE_EN[$county]}")
    fi
    run_checks "$PY" "$E2E_LIB/tagged_check.py" "${args[@]}" >"$TMP/one.log"
    # each run of text in its language: Chinese in an English document marked zh-CN
    run_checks "$PY" "$E2E_LIB/lang_check.py" "$pdf" "$lang" >>"$TMP/one.log"
    cat "$TMP/one.log" >>"$TMP/checks.log"
    cat "$TMP/one.log"
done
# a table split across pages is one Table (the 简报's project table goes over a page)
split=$(awk '/^# .* tables, [0-9]+ across pages$/ { n += $(NF - 2) } END { print n + 0 }' "$TMP/checks.log")
if ((split > 0)); then ok "tables split across pages checked as one Table ($split)"; else not_ok "no table split across pages: the one-table rule went unchecked"; fi
finish
