#!/usr/bin/env bash
# overlap.sh: no two texts drawn over each other (lib/overlap.py: on every page no two text
# spans' boxes overlap by 0.5 pt or more; a watermark left out), for what puts two texts on
# one line, one at the left and one at the right (layout.c: cb_lay_beside: the left one
# wraps in the room left of the other): progress labels and their values, a table of
# contents' titles and page numbers, a masthead's office and date; and for all else drawn.
#   * both example counties with every template in Chinese and English;
#   * 100 synthetic counties with every template (Chinese) and the briefing (English);
#   * a report written here with long progress labels beside long values (and short ones,
#     which stay on one line), a long masthead office, and a table of contents of long
#     headings (scope "all"), in Chinese and English; its wrapped label, office and title
#     read back (pdftotext) with the value, date and page number on the right line.
set -euo pipefail
source "$(dirname "$0")/lib/common.bash"

need_python fitz "PyMuPDF (python3-fitz)"
check_py="$E2E_LIB/overlap.py"

cb synth --counties 100 --seed 3 --out "$TMP/synth"
check_eq "synth writes 100 counties (exit 0)" 0 "$RC"

for template in briefing dashboard onepager jianbao; do
    for lang in zh en; do
        for data in examples synth; do
            [[ $data == synth && $lang == en && $template != briefing ]] && continue
            out="$TMP/$template-$lang-$data"
            args=(render --quiet --no-fsync --out "$out" --template "$template" --lang "$lang")
            [[ $data == synth ]] && args+=(--data "$TMP/synth")
            cb "${args[@]}"
            check_eq "$template $lang $data renders (exit 0)" 0 "$RC"
            run_checks "$PY" "$check_py" "$template $lang $data" "$out"/*.pdf
        done
    done
done

# --- long texts beside their right-hand ones ---------------------------------------------------
cat >"$TMP/long.lua" <<'LUA'
report { scope = "all", output = "long", languages = { "zh", "en" } }
local en = lang == "en"
local office = en and "The Office of the Leading Group for Counterpart Support and Cooperation of the Municipal People's Government"
  or "市人民政府对口支援和东西部协作工作领导小组办公室综合协调处（市对口支援工作联络服务中心）"
doc:masthead { number = 12, office = office, date = "2024-06-03" }
doc:toc { title = en and "Contents" or "目 录", level = 2 }
local long = en and "Progress of the counterpart support projects agreed in the framework agreement of the fourteenth five-year period, heading "
  or "“十四五”时期对口支援框架协议约定的产业协作、劳务协作、人才交流与民生改善项目推进情况之"
for i = 1, 6 do
  doc:heading { text = long .. i, level = 1 }
  doc:heading { text = long .. i .. (en and ", its second level" or "（续）"), level = 2 }
  doc:paragraph(en and "A paragraph." or "一段正文。")
  doc:progress {
    { label = long .. i, value = en and "target CNY 100 million or more" or "目标1亿元以上", fraction = 0.4 },
    { label = en and "Short label" or "短标签", value = en and "40%" or "40%", fraction = 0.4,
      detail = en and "A detail." or "说明。" },
    { label = long .. i, value = en and "target CNY 100 million or more (grants)"
      or "目标1亿元以上，其中无偿援助资金6000万元", fraction = 1 },
  }
end
LUA
for template in jianbao briefing; do
    for lang in zh en; do
        out="$TMP/long-$template-$lang"
        cb render --quiet --no-fsync --report "$TMP/long.lua" --template "$template" --lang "$lang" --out "$out"
        check_eq "long texts, $template $lang: renders (exit 0)" 0 "$RC"
        pdf=$(ls "$out"/*.pdf 2>/dev/null | head -n 1)
        [[ -f $pdf ]] || { not_ok "long texts, $template $lang: wrote a PDF"; continue; }
        run_checks "$PY" "$check_py" "long texts, $template $lang" "$pdf"
        text=$(pdftotext -layout "$pdf" -)
        # the value stays on the label's first line, the date on the office's
        if [[ $lang == en ]]; then v="target CNY 100 million or more"; d="3 June 2024"; s="Short label"
        else v="目标 ?1 ?亿元以上"; d="2024 ?年 ?6 ?月 ?3 ?日"; s="短标签"; fi
        check "long texts, $template $lang: a wrapped label's first line holds its value" \
            grep -qE "^ *(Progress|“十四五”).*$v" <<<"$text"
        check "long texts, $template $lang: a short label beside its value on one line" \
            grep -qE "^ *$s +40%" <<<"$text"
        check "long texts, $template $lang: the office's first line holds the date" \
            grep -qE "^ *(The Office|市人民政府).* $d" <<<"$text"
        # a wrapped title: its page number on its last line (the line ending in its number)
        check "long texts, $template $lang: a wrapped contents title ends with its page number" \
            grep -qE "(heading [0-9]+(, its second level)?|续）) +[0-9]+ *$" <<<"$text"
    done
done

finish
