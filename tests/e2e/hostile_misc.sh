#!/usr/bin/env bash
# hostile_misc.sh: issue 10's odds and ends, one class each.
# - plugins writable by others (the .so, its folder, a plugin folder) or owned by another
#   user are refused with the chmod/chown that fixes it, and load once fixed;
# - FIFOs, /dev/zero and `ln -s . loop` in the report and template folders: the input hash
#   and --watch never read them, never loop (render and check finish in seconds);
# - libharu's error codes never reach the user: a 70 KB heading renders, an extreme
#   SOURCE_DATE_EPOCH, a 1e9 pt page and 32,768 pages are sentences;
# - a font HarfBuzz cannot subset is one exit-4 line; --font at a folder or /dev/zero is
#   "not a font file";
# - --report FOLDER (as `new report` makes it) works for render and check; the scaffold's
#   README names the real output file.
set -euo pipefail
source "$(dirname "$0")/lib/common.bash"
cd "$TMP"

# cbt ARGS...: cb under a 60 s limit (the baseline hangs on several of these); SECS is set
cbt() {
    local t0=$SECONDS
    RC=0
    timeout -k 5 60 "$CB" "$@" >"$TMP/stdout" 2>"$TMP/stderr" </dev/null || RC=$?
    SECS=$((SECONDS - t0))
}
err_has() { # err_has WHAT TEXT: RC != 0 and stderr holds TEXT
    if [[ $RC -ne 0 && $RC -lt 124 ]] && has_text "$TMP/stderr" "$2"; then ok "$1"
    else not_ok "$1" "exit $RC: $(head -c 600 "$TMP/stderr")"; fi
}
no_code() { # no bare libharu code in stderr
    if grep -q 'libharu error 0x' "$TMP/stderr"; then not_ok "$1: no bare libharu code" "$(head -c 400 "$TMP/stderr")"
    else ok "$1: no bare libharu code"; fi
}

# --- plugins: StrictModes -------------------------------------------------------------
GOOD=$CB_BUILD/test-plugins/good.so
mkdir -p pl
cp "$GOOD" pl/x.so
chmod 755 pl
chmod 777 pl/x.so
cbt plugins --plugin pl/x.so
err_has "a world-writable .so is refused with the chmod that fixes it" \
    "pl/x.so: writable by others (mode 0777); run chmod go-w pl/x.so"
chmod go-w pl/x.so
cbt plugins --plugin pl/x.so
if [[ $RC -eq 0 ]] && grep -q '^good ' "$TMP/stdout"; then ok "after chmod go-w it loads"
else not_ok "after chmod go-w it loads" "exit $RC: $(cat "$TMP/stderr")"; fi
chmod 777 pl
cbt plugins --plugin pl/x.so
err_has "a .so in a world-writable folder is refused" "its folder $TMP/pl is writable by others (mode 0777); run chmod go-w $TMP/pl"
COUNTYBRIEF_PLUGIN_PATH=$TMP/pl cbt plugins
if has_text "$TMP/stdout" "refused $TMP/pl: writable by others (mode 0777); run chmod go-w $TMP/pl" &&
    ! grep -q '^good ' "$TMP/stdout"; then ok "a world-writable plugin folder is refused whole"
else not_ok "a world-writable plugin folder is refused whole" "$(cat "$TMP/stdout" "$TMP/stderr")"; fi
chmod 755 pl
COUNTYBRIEF_PLUGIN_PATH=$TMP/pl cbt plugins
if grep -q '^good ' "$TMP/stdout"; then ok "the plugin folder loads after chmod go-w"
else not_ok "the plugin folder loads after chmod go-w" "$(cat "$TMP/stdout" "$TMP/stderr")"; fi
if [[ $(id -u) -eq 0 ]]; then
    cp "$GOOD" pl/y.so
    chown 12345 pl/y.so
    cbt plugins --plugin pl/y.so
    err_has "a .so owned by another user is refused" "pl/y.so: owned by another user (uid 12345); run chown 0 pl/y.so"
    chown 12345 pl
    cbt plugins --plugin pl/x.so
    err_has "a .so in a folder owned by another user is refused" "its folder $TMP/pl is owned by another user (uid 12345)"
    chown 0 pl
fi

# --- the input hash and --watch: no FIFO, device or link loop is followed --------------
cbt new report rep
check_eq "new report rep" 0 "$RC"
mkfifo rep/fifo.lua rep/fifo
ln -s /dev/zero rep/zero.lua
mkdir -p rep/sub
for i in 1 2 3 4 5 6 7 8; do ln -s .. "rep/sub/l$i"; ln -s . "rep/l$i"; done
mkdir tpl
cp "$CB_SRC/templates/briefing/template.lua" tpl/
mkfifo tpl/fifo
ln -s /dev/zero tpl/zero
for i in 1 2 3 4 5 6 7 8; do ln -s . "tpl/l$i"; done
cbt render --report rep/rep.lua --template ./tpl --out out1 --county 忠县 --quiet
if [[ $RC -eq 0 && $SECS -lt 30 && -f out1/500233-忠县.tpl.pdf ]]; then
    ok "render with FIFOs, /dev/zero and link loops in the report and template folders (${SECS} s)"
else not_ok "render with FIFOs, /dev/zero and link loops in the report and template folders" \
    "exit $RC after ${SECS} s: $(head -c 400 "$TMP/stderr")"; fi
cbt render --report rep/rep.lua --template ./tpl --out out1 --county 忠县
if [[ $RC -eq 0 ]] && has_text "$TMP/stdout" "1 skipped (unchanged)"; then ok "the second run finds the county unchanged"
else not_ok "the second run finds the county unchanged" "exit $RC: $(cat "$TMP/stdout" "$TMP/stderr")"; fi
echo '-- a change' >>rep/rep.lua
cbt render --report rep/rep.lua --template ./tpl --out out1 --county 忠县
if [[ $RC -eq 0 ]] && has_text "$TMP/stdout" "1 rendered"; then ok "a changed report is rendered again"
else not_ok "a changed report is rendered again" "exit $RC: $(cat "$TMP/stdout" "$TMP/stderr")"; fi
RC=0
timeout -k 5 8 "$CB" render --watch --report rep/rep.lua --template ./tpl --out out2 --county 忠县 \
    >"$TMP/watch.out" 2>"$TMP/watch.err" </dev/null || RC=$?
if [[ $RC -eq 124 ]] && has_text "$TMP/watch.err" "watching for changes" && has_text "$TMP/watch.out" "rendered"; then
    ok "--watch renders and watches the same folders"
else not_ok "--watch renders and watches the same folders" "exit $RC: $(cat "$TMP/watch.out" "$TMP/watch.err")"; fi

# --- libharu's codes become sentences, their causes refused first ----------------------
printf 'doc:heading(string.rep("a", 70000))\ndoc:heading(string.rep("标", 40000))\ndoc:info { title = string.rep("题", 40000) }\ndoc:paragraph("x")\n' >heading.lua
cbt render --report heading.lua --out out3 --county 忠县 --quiet
if [[ $RC -eq 0 && -f out3/500233-忠县.pdf ]]; then ok "a 70 KB heading and title render (the bookmark is cut)"
else not_ok "a 70 KB heading and title render" "exit $RC: $(head -c 400 "$TMP/stderr")"; fi
no_code "70 KB heading"
SOURCE_DATE_EPOCH=67768036191676800 cbt render --out out4 --county 忠县 --quiet
err_has "an extreme SOURCE_DATE_EPOCH is a sentence" "SOURCE_DATE_EPOCH=67768036191676800 is not a time a PDF can hold"
no_code "SOURCE_DATE_EPOCH"
mkdir -p wide
sed 's/^  page = {/  page = { width = 1e9,/' "$CB_SRC/templates/briefing/template.lua" >wide/template.lua
cbt render --template ./wide --out out5 --county 忠县 --quiet
err_has "page.width = 1e9 is a sentence" "PDF pages are at most 14400 points"
no_code "page.width"
mkdir -p tiny
cat >tiny/template.lua <<'EOF'
return {
  page = { width = 200, height = 200, margin = { top = 10, right = 10, bottom = 10, left = 10 } },
  type = { h1 = 150, h2 = 150 },
  header = false, footer = false,
}
EOF
echo 'for i = 1, 33000 do doc:heading("节") end' >pages.lua
cbt render --report pages.lua --template ./tiny --out out6 --county 忠县 --quiet
err_has "32,768 pages is a sentence naming the block" "passes 32767 pages at its block 32768 of 33000"
no_code "32,768 pages"
check "no PDF for the county over the page limit" test ! -e out6/500233-忠县.pdf

# --- fonts: one exit-4 line up front ---------------------------------------------------
SRC_FONT=$(fc-match -f '%{file}' 'WenQuanYi Micro Hei')
"$PY" - "$SRC_FONT" "$TMP/os2.ttc" <<'PY'
import struct, sys
src, dst = sys.argv[1:]
data = bytearray(open(src, "rb").read())
off = struct.unpack(">I", data[12:16])[0] if data[:4] == b"ttcf" else 0
for i in range(struct.unpack(">H", data[off + 4:off + 6])[0]):
    rec = off + 12 + 16 * i
    if data[rec:rec + 4] == b"OS/2":
        struct.pack_into(">I", data, rec + 12, 6)  # the OS/2 table cut to 6 bytes
open(dst, "wb").write(data)
PY
cbt render --font "$TMP/os2.ttc" --out out7 --quiet
if [[ $RC -eq 4 && $(grep -c . "$TMP/stderr") -eq 1 ]] && has_text "$TMP/stderr" "$TMP/os2.ttc: not a usable font"; then
    ok "a font HarfBuzz cannot subset: one exit-4 line naming it"
else not_ok "a font HarfBuzz cannot subset: one exit-4 line naming it" "exit $RC: $(head -c 600 "$TMP/stderr")"; fi
for f in "$TMP/tpl" /dev/zero; do
    cbt render --font "$f" --out out8 --county 忠县 --quiet
    if [[ $RC -eq 4 ]] && has_text "$TMP/stderr" "$f: not a font file"; then ok "--font $f: not a font file"
    else not_ok "--font $f: not a font file" "exit $RC: $(cat "$TMP/stderr")"; fi
done

# --- --report FOLDER, the scaffold's README ----------------------------------------------
cbt new report myreport
cbt render --report myreport --out out9 --county 忠县 --quiet
if [[ $RC -eq 0 && -f out9/500233-忠县.pdf ]]; then ok "render --report FOLDER"
else not_ok "render --report FOLDER" "exit $RC: $(cat "$TMP/stderr")"; fi
cbt check --report myreport/ --county 忠县
if [[ $RC -eq 0 ]] && has_text "$TMP/stdout" "report myreport/myreport.lua"; then ok "check --report FOLDER/"
else not_ok "check --report FOLDER/" "exit $RC: $(cat "$TMP/stdout" "$TMP/stderr")"; fi
mkdir two && printf 'needs { }\ndoc:paragraph("a")\n' >two/a.lua && printf 'needs { }\ndoc:paragraph("b")\n' >two/b.lua
cbt render --report two --out out10 --county 忠县 --quiet
err_has "a folder with two reports asks which" "name the script (--report two/NAME.lua)"
if has_text myreport/README.md 'out/<county_id>-<name>.pdf' && ! has_text myreport/README.md 'out/<county>.pdf'; then
    ok "the scaffold's README names out/<county_id>-<name>.pdf"
else not_ok "the scaffold's README names out/<county_id>-<name>.pdf" "$(cat myreport/README.md)"; fi

finish
