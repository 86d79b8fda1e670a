#!/usr/bin/env bash
# templates.sh: the shipped templates (briefing, onepager, dashboard) render the briefing
# for both example counties without a warning; onepager fits each on exactly one A4 page
# (it is condensed: KPI boxes and charts follow its small type, and the briefing shows
# less) and still shows every section; and the template options watermark, logo and cover
# (docs/templates.md).
source "$(dirname "$0")/lib/common.bash"

counties=(忠县 奉节县)

for tpl in briefing onepager dashboard; do
    for c in "${counties[@]}"; do
        out=$TMP/$tpl-$c
        cb render --template "$tpl" --county "$c" --out "$out" --no-fsync
        check_eq "$tpl/$c: exit 0" 0 "$RC"
        check_eq "$tpl/$c: no warning" "" "$(cat "$TMP/stderr")"
        pdf=$(ls "$out"/*.pdf 2>/dev/null | head -n 1)
        if [[ -z $pdf ]]; then not_ok "$tpl/$c: a PDF was written" "$(cat "$TMP/stderr")"; continue; fi
        check "$tpl/$c: qpdf --check" qpdf --check "$pdf"
        check "$tpl/$c: every character leaves ink" "$PY" "$CB_SRC/tests/e2e/lib/ink_check.py" check "$pdf"
        pages=$(pdfinfo "$pdf" 2>/dev/null | awk '/^Pages:/ {print $2}')
        if [[ $tpl == onepager ]]; then
            check_eq "onepager/$c: exactly one page (pdfinfo Pages: 1)" 1 "$pages"
            text=$(pdftext "$pdf" - | tr -d ' \n')
            miss=""
            for want in 对口支援工作简报 概况 援助资金投向 重点援建项目 人才培训 资料来源 第1页/共1页; do
                [[ $text == *"$want"* ]] || miss+="$want "
            done
            [[ $c == 忠县 ]] && for want in "“十四五”目标与进展" 另有10个项目未列入上表; do
                [[ $text == *"$want"* ]] || miss+="$want "
            done
            [[ $c == 奉节县 ]] && for want in 产业协作与消费帮扶 特色产业小镇 花椒小镇; do
                [[ $text == *"$want"* ]] || miss+="$want "
            done
            check_eq "onepager/$c: every section of the briefing is on the page" "" "$miss"
        fi
        if [[ $tpl == dashboard ]]; then
            size=$(pdfinfo "$pdf" 2>/dev/null | awk '/^Page size:/ {print $3, $5}')
            w=${size% *} h=${size#* }
            if "$PY" -c "import sys; sys.exit(0 if float('$w') > float('$h') else 1)" 2>/dev/null; then
                ok "dashboard/$c: landscape ($w x $h)"
            else
                not_ok "dashboard/$c: landscape" "page size: $size"
            fi
            n=$(pdfimages -list "$pdf" 2>/dev/null | awk 'NR > 2 && $3 == "image"' | wc -l)
            if [[ $n -ge 1 ]]; then ok "dashboard/$c: logo image present ($n)"; else not_ok "dashboard/$c: logo image present"; fi
        fi
    done
done

# watermark + cover + logo in a template folder of our own
wm=$TMP/wm
mkdir -p "$wm"
cp "$CB_SRC/templates/dashboard/logo.png" "$wm/"
cat >"$wm/template.lua" <<'LUA'
return { watermark = "内部资料", logo = "logo.png", cover = { subtitle = "{title} · 封面" } }
LUA
SOURCE_DATE_EPOCH=1700000000 cb render --template "$wm" --county 忠县 --out "$TMP/o-wm" --quiet --no-fsync
check_eq "watermark/cover: exit 0" 0 "$RC"
pdf=$(ls "$TMP/o-wm"/*.pdf 2>/dev/null | head -n 1)
check "watermark/cover: qpdf --check" qpdf --check "$pdf"
pages=$(pdfinfo "$pdf" 2>/dev/null | awk '/^Pages:/ {print $2}')
wm_pages=0
for ((p = 1; p <= pages; p++)); do
    if pdftext -raw -f "$p" -l "$p" "$pdf" - | tr -d ' \n' | grep -q 内部资料; then wm_pages=$((wm_pages + 1)); fi
done
check_eq "watermark on every page" "$pages" "$wm_pages"
cover=$(pdftext -f 1 -l 1 "$pdf" -)
if [[ $cover == *忠县对口支援工作简报* && $cover == *2023年11月14日* && $cover == *封面* ]]; then
    ok "cover: title, subtitle and SOURCE_DATE_EPOCH date"
else
    not_ok "cover: title, subtitle and date" "$cover"
fi
if ! pdftext -f 1 -l 1 "$pdf" - | grep -q '第 1 页'; then ok "cover: no page number"; else not_ok "cover: no page number"; fi
check_eq "cover: first content page is page 1" 1 "$(pdftext -f 2 -l 2 "$pdf" - | tr -d " " | grep -c "第1页/共$((pages - 1))页")"
n=$(pdfimages -list "$pdf" 2>/dev/null | awk 'NR > 2 && $3 == "image"' | wc -l)
if [[ $n -ge $pages ]]; then ok "logo on every page ($n images)"; else not_ok "logo on every page" "$n images, $pages pages"; fi

# broken logos: exit 4, the file named, no crash, no PDF
bad_logo() { # NAME WHAT: writes $TMP/bad-NAME/logo.png with python, then renders
    local name=$1 what=$2 dir=$TMP/bad-$1
    mkdir -p "$dir"
    printf 'return { logo = "logo.png" }\n' >"$dir/template.lua"
    "$PY" - "$dir/logo.png" "$name" "$CB_SRC/templates/dashboard/logo.png" <<'PY'
import struct, sys, zlib
out, kind, good = sys.argv[1], sys.argv[2], open(sys.argv[3], "rb").read()
def chunk(t, d): return struct.pack(">I", len(d)) + t + d + struct.pack(">I", zlib.crc32(t + d))
if kind == "truncated":
    data = good[: len(good) // 2]
elif kind == "oversized":
    data = (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 20000, 20000, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(b"\0" * 64)) + chunk(b"IEND", b""))
elif kind == "badihdr":
    data = (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 16, 16, 3, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(b"\0" * 64)) + chunk(b"IEND", b""))
elif kind == "jpegtrunc":
    data = bytes.fromhex("ffd8ffe000104a46494600010100000100010000ffc0001108001000100301220002110103110100")
else:
    data = b"not an image"
open(out, "wb").write(data)
PY
    cb render --template "$dir" --county 忠县 --out "$dir/out" --quiet --no-fsync
    check_eq "$what: exit 4" 4 "$RC"
    if grep -q "$dir/logo.png" "$TMP/stderr"; then ok "$what: message names the file"; else not_ok "$what: message names the file" "$(cat "$TMP/stderr")"; fi
    if ls "$dir/out"/*.pdf >/dev/null 2>&1; then not_ok "$what: no PDF written"; else ok "$what: no PDF written"; fi
}
bad_logo truncated "truncated PNG logo"
bad_logo oversized "oversized PNG logo"
bad_logo badihdr "inconsistent PNG IHDR"
bad_logo jpegtrunc "truncated JPEG logo"
bad_logo garbage "logo that is no image"

# type sizes libharu can't draw: exit 4, the key named, no PDF
dir=$TMP/bad-size
mkdir -p "$dir"
printf 'return { type = { small = 0 } }\n' >"$dir/template.lua"
cb render --template "$dir" --county 忠县 --out "$dir/out" --quiet --no-fsync
check_eq "type.small = 0: exit 4" 4 "$RC"
if grep -q "template.lua: type.small is 0 points" "$TMP/stderr"; then ok "type.small = 0: message names the key"; else not_ok "type.small = 0: message names the key" "$(cat "$TMP/stderr")"; fi
if ls "$dir/out"/*.pdf >/dev/null 2>&1; then not_ok "type.small = 0: no PDF written"; else ok "type.small = 0: no PDF written"; fi

finish
