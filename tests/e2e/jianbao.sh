#!/usr/bin/env bash
# jianbao.sh: the 简报 template (templates/jianbao): GB/T 9704-2012's page read back from the
# PDF (lib/jianbao_check.py):
#   * a report of headings and paragraphs (written here) rendered with --template jianbao:
#     A4, the type area 156 x 225 mm at 37 mm (top) and 28 mm (left) within 1 mm, filled
#     by 22 body lines at a constant pitch (225 mm / 22, within 0.1 pt) on a full page,
#     every line on the grid, each character in its 156 mm / 28 cell, at most 28 a line,
#     a table's next line back on the grid; headings numbered 一、 （一） （二） 二、 （一）
#     1. （1） （2） 2. (the report's texts are unnumbered) in 黑体, 楷体 and the body face
#     (levels 3 and 4), body in 仿宋, the title in
#     小标宋 (or the free fallbacks: Noto Serif CJK SC, Noto Sans CJK SC, AR PL UKai CN,
#     Noto Serif CJK SC Bold); page numbers "— N —" in 14 pt, 7 mm under the type area,
#     odd pages right and even pages left, 14 pt in;
#   * one line on stderr naming the faces used instead of those asked for (none with --quiet);
#   * the briefing report with --template jianbao, both example counties: the same page,
#     its body lines on the grid, its level-1 headings numbered 一、 二、 ...;
#   * the template fields' errors name the template and the field.
# Without the free fallback faces (fonts-noto-cjk, fonts-arphic-ukai) the test is skipped:
# the faces, and the em box the geometry is measured by, would be another font's.
set -euo pipefail
source "$(dirname "$0")/lib/common.bash"

need_python fitz "PyMuPDF (python3-fitz)"
for face in "Noto Serif CJK SC" "Noto Sans CJK SC" "AR PL UKai CN"; do
    [[ -n $(fc-list "$face" family) ]] || skip_all "the font $face is not installed (fonts-noto-cjk, fonts-arphic-ukai)"
done
cd "$TMP"

# --- a report of headings and paragraphs ---------------------------------------------------
cat >grid.lua <<'LUA'
-- paragraphs of Chinese with digits, Latin letters and marks, under headings of both levels
local function sentence(n)
  local k = n % 4
  if k == 0 then
    return string.format("%s地处长江上游，面积%d平方公里，辖%d个乡镇，户籍人口约%d万人。", county.name,
                         1000 + n * 37, 20 + n % 9, 30 + n)
  elseif k == 1 then
    return string.format("对口支援以来，支援方累计投入资金%d.%d亿元，实施“产业振兴”“民生改善”等项目%d个；",
                         n % 9 + 1, n % 7, 100 + n * 3)
  elseif k == 2 then
    return string.format("其中教育、医疗、饮水三类项目占比%d%%，覆盖全部%d个乡镇（街道）。", 40 + n % 50, 20 + n % 9)
  end
  return string.format("GDP年均增长%d.%d%%，农村居民人均可支配收入由%d元增加到%d元，增幅居全市前列。",
                       n % 9 + 5, n % 10, 8000 + n * 11, 15000 + n * 13)
end
local n = 0
local function para()
  local t = {}
  for _ = 1, 4 do
    n = n + 1
    t[#t + 1] = sentence(n)
  end
  doc:paragraph(table.concat(t))
end
doc:title(county.name .. "对口支援工作简报")
doc:heading("总体情况")
doc:heading("基本县情", 2)
for _ = 1, 3 do para() end
doc:heading("援助投入", 2)
for _ = 1, 4 do para() end
doc:table { columns = { { title = "项目" }, { title = "金额", align = "right" } },
            rows = { { "饮水工程", "300万元" }, { "卫生院", "1800万元" } } }
for _ = 1, 10 do para() end
doc:heading("下一步工作")
doc:heading("产业协作", 2)
doc:heading("消费帮扶", 3)
doc:heading("农产品进社区", 4)
doc:heading("农产品进机关", 4)
for _ = 1, 4 do para() end
doc:heading("劳务协作", 3)
for _ = 1, 8 do para() end
LUA
cb render --report grid.lua --template jianbao --county 忠县 --out grid --no-fsync
check_eq "a report renders with --template jianbao (exit 0)" 0 "$RC"
pdf=grid/500233-忠县.jianbao.pdf
check "it writes $pdf" test -s "$pdf"
if [[ -s $pdf ]]; then
    run_checks "$PY" "$E2E_LIB/jianbao_check.py" "$E2E_LIB" grid "$pdf"
    check "no running header or footer besides the page number" \
        bash -c '! pdftotext "$1" - 2>/dev/null | grep -q "第 .* 页"' _ "$pdf"
fi

# --- the note naming the faces used instead ----------------------------------------------
if [[ -z $(fc-list FangSong family) && -z $(fc-list "仿宋_GB2312" family) && -z $(fc-list FZFangSong-Z02 family) ]]; then
    n=$(grep -c '^countybrief: note: fonts: ' "$TMP/stderr" || true)
    check_eq "one line on stderr names the faces used instead of those asked for" 1 "$n"
    check "it says the body is Noto Serif CJK SC as 仿宋 is missing" \
        grep -qF 'body "FangSong" is not installed, "Noto Serif CJK SC" used' "$TMP/stderr"
    cb render --report grid.lua --template jianbao --county 忠县 --out grid --no-fsync --quiet
    check_eq "--quiet: not even the note" "0|" "$RC|$(cat "$TMP/stderr")"
else
    skip "the note naming a fallback face" "a 仿宋 face is installed: nothing falls back"
fi

# --- the briefing, both example counties ---------------------------------------------------
cb render --template jianbao --out brief --no-fsync
check_eq "the briefing renders with --template jianbao (exit 0)" 0 "$RC"
briefs=(brief/500233-忠县.jianbao.pdf brief/500236-奉节县.jianbao.pdf)
check "both example counties' 简报 are written" test -s "${briefs[0]}" -a -s "${briefs[1]}"
if [[ -s ${briefs[0]} && -s ${briefs[1]} ]]; then
    run_checks "$PY" "$E2E_LIB/jianbao_check.py" "$E2E_LIB" briefing "${briefs[@]}"
    for b in "${briefs[@]}"; do
        check "$b: qpdf --check" qpdf --check "$b"
        check "$b: every character leaves ink" "$PY" "$E2E_LIB/ink_check.py" check "$b"
    done
    check_eq "no warning but the note on the faces" "" "$(grep -v '^countybrief: note: fonts: ' "$TMP/stderr" | grep -v '^wrote \|rendered' || true)"
    for b in "${briefs[@]}"; do
        check "$b: the report's own heading text has no number of its own (一、概况, not 一、一、)" \
            bash -c 'pdftotext "$1" - 2>/dev/null | grep -q "^一、概况" && ! pdftotext "$1" - | grep -q "一、一、"' _ "$b"
    done
fi

# --- the new template fields' errors -----------------------------------------------------
bad_field() { # what FIELD-LUA MESSAGE
    mkdir -p "bad$1"
    printf 'return { %s }\n' "$2" >"bad$1/template.lua"
    cb render --template "./bad$1" --county 忠县 --out "badout$1"
    if [[ $RC -eq 4 ]] && grep -qF -- "bad$1/template.lua: $3" "$TMP/stderr"; then
        ok "template error: $3"
    else
        not_ok "template error: $3 (exit 4)" "exit $RC: $(cat "$TMP/stderr")"
    fi
}
bad_field 1 'type = { grid = { lines = 0, chars = 28 } }' "type.grid.lines must be a whole number from 1 to 200"
bad_field 2 'type = { grid = 22 }' "type.grid must be a table { lines = ..., chars = ... }, got number"
bad_field 3 'type = { numbering = "roman" }' 'type.numbering "roman" is not gongwen or none'
bad_field 4 'folio = { size = 0 }' "folio.size is 0 points; it must be 4 to 300"
bad_field 5 'type = { faces = { body = { "FangSong", 3 } } }' "type.faces.body[2] must be a font family (a non-empty string), got number"
bad_field 6 'type = { bold_headings = 1 }' "type.bold_headings must be true or false"
bad_field 7 'type = { table = { fr = 9 } }' 'type.table: the keys of a table by language must be "zh" or "en"'
bad_field 8 'type = { table = { en = "9" } }' "type.table.en must be a number, got string"

# --- English on the jianbao page: a number by language ({ zh = 10, en = 8.5 } for tables)
# keeps every English word whole in its column, and the Chinese pages are as they were
cb render --template jianbao --lang en --out en --no-fsync
check_eq "--lang en --template jianbao: exit 0, no word wider than its column" "0 " \
    "$RC $(grep -c 'wider than its column' "$TMP/stderr" | grep -v '^0$' || true)"

finish
