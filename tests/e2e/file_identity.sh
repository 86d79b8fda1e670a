#!/usr/bin/env bash
# file_identity.sh: every cache that asks "is this file unchanged?" asks it of the file's
# whole identity (core/util.h, cb_file_id: size, mtime and ctime to the nanosecond, inode,
# device), never of size and mtime alone. A report edited in place within the same second,
# to the same size, with its mtime put back (touch -d, an editor or a sync tool that keeps
# times) is a changed report: `render --watch` renders it again, and the new PDF has the new
# text, not a compiled chunk of the old one.
source "$(dirname "$0")/lib/common.bash"
cd "$TMP"

cb new report starter >/dev/null
cp starter/starter.lua watched.lua
touch -d '-1 hour' watched.lua # settled: its compiled chunk may be kept
timeout 60 "$CB" render --watch --report watched.lua --county 忠县 --out "$TMP/w" >"$TMP/watch.log" 2>&1 &
WPID=$!
for _ in $(seq 1 150); do grep -q "^rendered" "$TMP/watch.log" && break; sleep 0.1; done
check "watch renders first" grep -qF "rendered $TMP/w/500233-忠县.pdf in" "$TMP/watch.log"
pdftext "$TMP/w/500233-忠县.pdf" "$TMP/w1.txt"
check "the first PDF has the first title" has_text "$TMP/w1.txt" "忠县简报"

# the same size ("简报" and "周报" are six bytes each), written in place (same inode), the
# mtime to the nanosecond put back: only the ctime tells
before=$(stat -c '%s %i %y' watched.lua)
mtime=$(stat -c '%y' watched.lua)
new=$(sed 's/county.name .. "简报"/county.name .. "周报"/' watched.lua)
printf '%s\n' "$new" >watched.lua
touch -d "$mtime" watched.lua
check_eq "the edit kept size, inode and mtime" "$before" "$(stat -c '%s %i %y' watched.lua)"
for _ in $(seq 1 100); do [[ $(grep -c "^rendered" "$TMP/watch.log") -ge 2 ]] && break; sleep 0.1; done
check_eq "watch renders again after the edit" 2 "$(grep -c '^rendered' "$TMP/watch.log")"
pdftext "$TMP/w/500233-忠县.pdf" "$TMP/w2.txt"
check "the new PDF has the new title" has_text "$TMP/w2.txt" "忠县周报"
kill -INT "$WPID"
WRC=0
wait "$WPID" || WRC=$?
check_eq "watch ends with exit 0 on SIGINT" 0 "$WRC"

# a re-render into the same folder: the input hash takes the report's digest from the
# manifest's list while its identity holds (core/batch_hash.c); edited the same way, the county
# is rendered again with the new text
cp watched.lua again.lua
touch -d '-1 hour' again.lua
cb render --quiet --report again.lua --county 忠县 --out "$TMP/r1"
check_eq "render exits 0" 0 "$RC"
mtime=$(stat -c '%y' again.lua)
new=$(sed 's/county.name .. "周报"/county.name .. "月报"/' again.lua)
printf '%s\n' "$new" >again.lua
touch -d "$mtime" again.lua
cb render --quiet --report again.lua --county 忠县 --out "$TMP/r1"
check_eq "the second render exits 0" 0 "$RC"
pdftext "$TMP/r1/500233-忠县.pdf" "$TMP/r2.txt"
check "the second render has the new title" has_text "$TMP/r2.txt" "忠县月报"

finish
