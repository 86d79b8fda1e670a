#!/usr/bin/env bash
# font_lookup.sh: the font fontconfig chose is remembered (core/font_lookup.c) in
# $XDG_CACHE_HOME/countybrief/font-lookup, and the remembered answer is used only while the
# font file is unchanged. A list doctored to name another Chinese font (HanaMinA, a copy in
# the test folder) proves the list is read; touching that copy makes countybrief ask
# fontconfig again; COUNTYBRIEF_FONT_CACHE=0 never reads it; with a private
# FONTCONFIG_FILE, editing it (it may offer or reject fonts) makes it ask again too. The
# template sets no type.faces, so the body face is the font looked up (the briefing's would
# be Noto Serif CJK SC where fontconfig has it, a match remembered in font-match instead).
set -euo pipefail
source "$(dirname "$0")/lib/common.bash"

mkdir -p "$TMP/plain"
printf 'return {}\n' >"$TMP/plain/template.lua"
T=(--template "$TMP/plain" --county 忠县)

LIST=$XDG_CACHE_HOME/countybrief/font-lookup
font_of() { pdffonts "$1" 2>/dev/null | awk 'NR > 2 {print $1}' | sed 's/^[A-Z]*+//' | sort -u | tr '\n' ' ' | sed 's/ $//'; }

cb render "${T[@]}" --out "$TMP/a" --quiet --no-fsync
check_eq "first render: exit 0" 0 "$RC"
check "the lookup is remembered" test -s "$LIST"
wqy=$(cut -f2 "$LIST")
check_eq "it names the font fontconfig found" "WenQuanYiMicroHei" "$(font_of "$TMP/a/500233-忠县.plain.pdf")"

HANA=/usr/share/fonts/truetype/hanazono/HanaMinA.ttf
if [[ ! -f $HANA ]]; then # a font countybrief falls back to: .ci/install-deps installs it
    not_ok "$HANA is installed (fonts-hanazono, .ci/install-deps)"
    finish || exit 1
fi
cp "$HANA" "$TMP/HanaMinA.ttf"
# its identity as the list keeps it (util.h, cb_file_id_text): dev ino size mtime_ns ctime_ns
id=$("$PY" -c "import os,sys; s=os.stat(sys.argv[1]); print(s.st_dev, s.st_ino, s.st_size, s.st_mtime_ns, s.st_ctime_ns)" "$TMP/HanaMinA.ttf")
key=$(cut -f1 "$LIST")
printf '%s\t%s\t0\t%s\n' "$key" "$TMP/HanaMinA.ttf" "$id" >"$LIST"
cb render "${T[@]}" --out "$TMP/b" --quiet --no-fsync
check_eq "a remembered answer is used while its file is unchanged" "HanaMinA" "$(font_of "$TMP/b/500233-忠县.plain.pdf")"

COUNTYBRIEF_FONT_CACHE=0 "$CB" render "${T[@]}" --out "$TMP/c" --quiet --no-fsync --force
check_eq "COUNTYBRIEF_FONT_CACHE=0 asks fontconfig" "WenQuanYiMicroHei" "$(font_of "$TMP/c/500233-忠县.plain.pdf")"

touch -d '+1 minute' "$TMP/HanaMinA.ttf"
cb render "${T[@]}" --out "$TMP/d" --quiet --no-fsync
check_eq "the file changed: fontconfig is asked again" "WenQuanYiMicroHei" "$(font_of "$TMP/d/500233-忠县.plain.pdf")"
check_same "and the list holds its answer" "$wqy" "$(cut -f2 "$LIST")"

# a private configuration (the system's, included): its time is part of the key
cat >"$TMP/fonts.conf" <<XML
<?xml version="1.0"?>
<!DOCTYPE fontconfig SYSTEM "urn:fontconfig:fonts.dtd">
<fontconfig><include ignore_missing="yes">${FONTCONFIG_FILE:-/etc/fonts/fonts.conf}</include></fontconfig>
XML
export FONTCONFIG_FILE=$TMP/fonts.conf
cb render "${T[@]}" --out "$TMP/e" --quiet --no-fsync
id=$("$PY" -c "import os,sys; s=os.stat(sys.argv[1]); print(s.st_dev, s.st_ino, s.st_size, s.st_mtime_ns, s.st_ctime_ns)" "$TMP/HanaMinA.ttf")
printf '%s\t%s\t0\t%s\n' "$(cut -f1 "$LIST")" "$TMP/HanaMinA.ttf" "$id" >"$LIST"
cb render "${T[@]}" --out "$TMP/f" --quiet --no-fsync
check_eq "FONTCONFIG_FILE: a remembered answer is used while the configuration is unchanged" "HanaMinA" \
    "$(font_of "$TMP/f/500233-忠县.plain.pdf")"
touch -d '+1 minute' "$TMP/fonts.conf"
cb render "${T[@]}" --out "$TMP/g" --quiet --no-fsync
check_eq "FONTCONFIG_FILE edited: fontconfig is asked again" "WenQuanYiMicroHei" "$(font_of "$TMP/g/500233-忠县.plain.pdf")"
finish
