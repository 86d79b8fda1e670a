#!/usr/bin/env bash
# cover_font.sh: core/font.c paths no other test takes (tests/README.md, coverage).
# --font naming what is no usable font (missing, a folder, a device, over 256 MiB, a
# unitsPerEm over 16384, no glyf outlines) stops with exit 4 and one line naming the file,
# writing nothing. The remembered font lookup and fallback list (a template without
# installed role faces, so that the default font is looked up): a damaged or stale entry
# is a miss (fontconfig is asked again, the same font used, the list written anew, nothing
# re-rendered that was not before), a doctored but well-formed fallback list is believed
# (its fonts are an input of the county's key: the county renders again). A relative
# XDG_CACHE_HOME is ignored (the XDG rule): the lists go under $HOME/.cache.
set -euo pipefail
source "$(dirname "$0")/lib/common.bash"
cd "$TMP"

# --- --font: what is no usable font ----------------------------------------------------
SRC_FONT=$(fc-match -f '%{file}' 'WenQuanYi Micro Hei')
"$PY" - "$SRC_FONT" <<'PY'
import struct, sys
data = bytearray(open(sys.argv[1], "rb").read())
off = struct.unpack(">I", data[12:16])[0] if data[:4] == b"ttcf" else 0
ntab = struct.unpack(">H", data[off + 4:off + 6])[0]
recs = {bytes(data[off + 12 + 16 * i:off + 16 + 16 * i]): off + 12 + 16 * i for i in range(ntab)}
d = bytearray(data)  # unitsPerEm 20000: HarfBuzz takes it, TrueType allows 16 to 16384
struct.pack_into(">H", d, struct.unpack(">I", data[recs[b"head"] + 8:recs[b"head"] + 12])[0] + 18, 20000)
open("upem20000.ttc", "wb").write(d)
d = bytearray(data)  # the glyf table renamed: no outlines (neither glyf nor CFF)
d[recs[b"glyf"]:recs[b"glyf"] + 4] = b"glyx"
open("noglyf.ttc", "wb").write(d)
PY
fonts_of() { pdffonts "$1" 2>/dev/null | awk 'NR > 2 {print $1}' | sed 's/^[A-Z]*+//' | sort -u | paste -sd' '; }
mkdir -p afolder
truncate -s 300M huge.ttf # sparse: no disk used
bad_font() {
    cb render --font "$1" --county 忠县 --out "out-$2" --quiet
    check_eq "--font $1: exit 4, one line naming it, nothing written" "4 countybrief: $1: $3 no-out" \
        "$RC $(cat "$TMP/stderr") $([[ -e out-$2 ]] && echo out || echo no-out)"
}
bad_font missing.ttf missing "font file not found"
bad_font afolder folder "not a font file (a folder)"
bad_font /dev/null dev "not a font file (a device, FIFO or socket, not a regular file)"
bad_font huge.ttf huge "not a font file (314572800 bytes; a font is 1 byte to 256 MiB)"
bad_font upem20000.ttc upem "not a usable font (unitsPerEm is 20000; TrueType allows 16 to 16384)"
bad_font noglyf.ttc noglyf "the font has neither TrueType (glyf) nor CFF outlines; PDF embedding needs a .ttf/.ttc or an OpenType CFF .otf/.otc font"

# --- type.family, and what fontconfig offers ---------------------------------------------
family() {
    mkdir -p "tpl-$2"
    printf 'return { type = { family = "%s" } }\n' "$1" >"tpl-$2/template.lua"
    cb render --template "./tpl-$2" --county 忠县 --out "out-$2" --quiet
}
family "wenquanyi micro hei" wqy
check_eq "type.family matched in any case" "0 WenQuanYiMicroHei" "$RC $(fonts_of out-wqy/*.pdf)"
family HanaMinA hana
check_eq "type.family another Chinese font" "0 HanaMinA" "$RC $(fonts_of out-hana/*.pdf)"
family "DejaVu Sans" dejavu
check_eq "type.family a font without Chinese: exit 4, one line" \
    "4 countybrief: no Chinese TrueType or OpenType CFF font found through fontconfig for \"DejaVu Sans\" (install fonts-wqy-microhei, or pass --font PATH)" \
    "$RC $(cat "$TMP/stderr")"
# a private fontconfig whose only Chinese font has no glyf outlines: it is passed over
mkdir -p fcfonts
cp noglyf.ttc fcfonts/
cat >fonts.conf <<XML
<?xml version="1.0"?>
<!DOCTYPE fontconfig SYSTEM "fonts.dtd">
<fontconfig><dir>$TMP/fcfonts</dir><cachedir>$TMP/fccache</cachedir></fontconfig>
XML
FONTCONFIG_FILE=$TMP/fonts.conf cb render --county 忠县 --out out-fc --quiet
check_eq "fontconfig offering only a font without glyf outlines: exit 4, one line, nothing written" \
    "4 countybrief: no Chinese TrueType or OpenType CFF font found through fontconfig (install fonts-wqy-microhei, or pass --font PATH) no-out" \
    "$RC $(cat "$TMP/stderr") $([[ -e out-fc ]] && echo out || echo no-out)"
cp /usr/share/fonts/truetype/hanazono/HanaMinA.ttf fcfonts/ # .ci/install-deps: fonts-hanazono
FONTCONFIG_FILE=$TMP/fonts.conf cb render --county 忠县 --out out-fc --quiet
check_eq "... with a usable one beside it: that one" "0 HanaMinA" "$RC $(fonts_of out-fc/500233-忠县.pdf)"
rm -rf "$XDG_CACHE_HOME"

# --- the remembered lookup and fallback list ----------------------------------------------
C=$XDG_CACHE_HOME/countybrief
LOOK=$C/font-lookup FALL=$C/font-fallbacks MATCH=$C/font-match
# a template whose heading face is not installed: the body face is then the default font
# (font-lookup), the heading pattern's absence is remembered (font-match), whatever fonts
# fontconfig has (the briefing's Noto faces would take the place of the default font)
T=$TMP/lists
mkdir -p "$T"
printf 'return { type = { faces = { heading = "No Such Sans CJK" } } }\n' >"$T/template.lua"
printf 'doc:title(county.name)\ndoc:paragraph("村名\\u{20000}溪")\n' >r.lua
summary() { grep -o '^[0-9]* rendered, [0-9]* skipped' "$TMP/stdout" || true; }
cb render --report r.lua --template "$T" --county 忠县 --out out
check_eq "first render: the main font and the Ext-B fallback" "0 HanaMinA WenQuanYiMicroHei" \
    "$RC $(fonts_of out/500233-忠县.lists.pdf)"
check "the three lists written" test -s "$LOOK" -a -s "$FALL" -a -s "$MATCH"
cp "$LOOK" look.good
cp "$FALL" fall.good

# damaged LOOKUP: the same font found again, the list written anew, nothing re-rendered
key=$(cut -f1 look.good)
damaged_lookup() {
    printf '%s' "$1" >"$LOOK"
    rm -rf "out-$2"
    cb render --report r.lua --template "$T" --county 忠县 --out "out-$2" --quiet
    check_eq "font-lookup $2: a miss: the same fonts" "0 HanaMinA WenQuanYiMicroHei" \
        "$RC $(fonts_of "out-$2/500233-忠县.lists.pdf")"
    check "font-lookup $2: the list written anew" cmp -s look.good "$LOOK"
}
damaged_lookup $'garbage\n\tx\t\n'"$key"$'\tonly-three\t0\n' "damaged"
damaged_lookup "$key	$TMP/gone.ttf	0	5177387	1"$'\n' "a font file since removed"
damaged_lookup "$(cut -f1-3 look.good)	12	$(cut -f5 look.good)"$'\n' "a size that is not the file's"

# FALLBACKS: damaged or stale lines are a miss (same key: nothing re-rendered); a doctored
# well-formed list is believed (a key of other fonts: the county renders again)
damaged_fallbacks() {
    printf '%s' "$1" >"$FALL"
    cb render --report r.lua --template "$T" --county 忠县 --out out
    check_eq "font-fallbacks $2: a miss: nothing re-rendered" "0 0 rendered, 1 skipped" "$RC $(summary)"
    check "font-fallbacks $2: the list written anew" cmp -s fall.good "$FALL"
}
k=$(head -n1 fall.good)
damaged_fallbacks "$k"$'\nno tab here\n'"$(tail -n +2 fall.good)"$'\n' "a line without tabs"
damaged_fallbacks "$k"$'\nx\t0\t/x\n'"$(tail -n +2 fall.good)"$'\n' "a line of unknown kind"
damaged_fallbacks "$(sed -E 's/^d\t[0-9]+\t/d\t1\t/' fall.good)"$'\n' "a folder time that changed"
damaged_fallbacks "other key"$'\n'"$(tail -n +2 fall.good)"$'\n' "another key"
{ head -n1 fall.good; grep -m1 -P '^f\t' fall.good; grep -P '^d\t' fall.good; } >"$FALL"
cb render --report r.lua --template "$T" --county 忠县 --out out
check_eq "font-fallbacks doctored to one font: believed, the county renders again" "0 1 rendered, 0 skipped" "$RC $(summary)"
check_eq "... the text still drawn with the fonts that have it" "HanaMinA WenQuanYiMicroHei" "$(fonts_of out/500233-忠县.lists.pdf)"

# --- a relative XDG_CACHE_HOME is ignored ----------------------------------------------------
mkdir -p home rel
RC=0
(cd rel && HOME=$TMP/home XDG_CACHE_HOME=relcache "$CB" render --report ../r.lua --template "$T" --county 忠县 --out "$TMP/out-rel" --quiet) || RC=$?
check_eq "XDG_CACHE_HOME relative: renders, the lists under \$HOME/.cache, nothing in the relative folder" \
    "0 font-fallbacks font-lookup font-match|" \
    "$RC $(ls "$TMP/home/.cache/countybrief" | grep font | paste -sd' ')|$(ls rel)"
RC=0
(cd rel && env -u HOME -u XDG_CACHE_HOME "$CB" render --report ../r.lua --template "$T" --county 忠县 --out "$TMP/out-nohome" --quiet) || RC=$?
check_eq "neither HOME nor XDG_CACHE_HOME: renders, writes no list" "0 HanaMinA WenQuanYiMicroHei|" \
    "$RC $(fonts_of "$TMP/out-nohome/500233-忠县.lists.pdf")|$(ls rel)"

finish
