#!/usr/bin/env bash
# data_index.sh: the persistent data index (docs/data.md, "The index").
#   `countybrief index --data DIR` writes DIR/.countybrief-index and says so; a render with
#   it reads only its county's rows of the partitioned tables (strace: projects.csv is
#   neither mapped nor read whole), and its PDF is byte-identical to one rendered without
#   any index; without DIR's index a render saves one to the cache and the next render uses
#   it, writing nothing into the data folder; an edited or touched CSV, a file added, or
#   another --encoding makes the index stale: rebuilt silently, the changed row in the PDF;
#   a corrupt, truncated, garbage, huge index and a link planted at either path: one line
#   "...; ignored, rebuilding", the right PDF, nothing written through the link; a county's
#   runs are checked when it is used: a byte changed in another county's is harmless (never
#   read), in the rendered county's own or forged past the file (checksums recomputed) that
#   county fails with one line naming the index.
set -euo pipefail
source "$(dirname "$0")/lib/common.bash"

export SOURCE_DATE_EPOCH=1700000000
export XDG_CACHE_HOME=$TMP/cache
CACHE=$XDG_CACHE_HOME/countybrief

D=$TMP/data
"$CB" synth --counties 200 --seed 7 --out "$D" >/dev/null
ID=$(sed -n 2p "$D/counties.csv" | cut -d, -f1)
IX=$D/.countybrief-index

# the reference: rendered with no index anywhere
REF=$TMP/ref
COUNTYBRIEF_DATA_CACHE=0 "$CB" render --data "$D" --county "$ID" --out "$REF" --quiet --no-fsync
PDF=$(cd "$REF" && ls ./*.pdf | head -1)
PDF=${PDF#./}
check_eq "no index and no cache without COUNTYBRIEF_DATA_CACHE" "" "$(ls -A "$D" | grep -v '\.csv$' || true)$(ls "$CACHE" 2>/dev/null | grep index || true)"

# render_one OUT [ARGS...]: renders county $ID into OUT (stderr in $TMP/stderr)
render_one() {
    local out=$1
    shift
    rm -rf "$out"
    cb render --data "$D" --county "$ID" --out "$out" --no-fsync --quiet "$@"
}
# same_as_ref WHAT OUT: the county's PDF in OUT is byte-identical to the reference
same_as_ref() {
    local why
    if why=$(same_pdf "$REF/$PDF" "$2/$PDF"); then ok "$1"; else not_ok "$1" "$why
$(cat "$TMP/stderr")"; fi
}
# traced OUT: renders under strace; sets MAPPED (1 if projects.csv was mapped) and READ (the
# bytes read from it by read and pread)
traced() {
    rm -rf "$1"
    local rc=0
    # LeakSanitizer cannot run under ptrace (an ASan build): the leak check is other tests' job
    ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" \
        strace -f -y -e trace=read,pread64,mmap -o "$TMP/trace" "$CB" render --data "$D" --county "$ID" \
        --out "$1" --no-fsync --quiet 2>"$TMP/stderr" || rc=$?
    # a run that failed maps and reads nothing: the checks on MAPPED would pass without it
    check_eq "render under strace into $(basename "$1"): exit 0" 0 "$rc"
    MAPPED=$(grep -c 'mmap(.*projects\.csv>' "$TMP/trace" || true)
    READ=$(grep -E '^[0-9]+ +p?read(64)?\([0-9]+<[^>]*projects\.csv>' "$TMP/trace" |
        sed -E 's/.*= ([0-9]+)$/\1/' | awk '{s += $1} END {print s + 0}')
}
PROJECTS=$(stat -c %s "$D/projects.csv")

# --- countybrief index -----------------------------------------------------------------------
cb index --data "$D"
check_eq "index: exit 0" 0 "$RC"
if grep -Eq "^wrote $IX \(200 counties, 8 tables, [0-9.]+ (kB|MB)\) in [0-9.]+ s$" "$TMP/stdout"; then
    ok "index: one line names the file, counties, tables and size"
else
    not_ok "index: one line names the file, counties, tables and size" "$(cat "$TMP/stdout" "$TMP/stderr")"
fi
check "index: the file is there" test -f "$IX"
cb index --data "$D" --quiet
check_eq "index --quiet: says nothing" "0:" "$RC:$(cat "$TMP/stdout" "$TMP/stderr")"
cb index --data "$TMP/none"
check_eq "index of a missing folder: exit 3" 3 "$RC"
cb index
check_eq "index without --data: usage, exit 2" 2 "$RC"

# --- used: only the county's rows are read --------------------------------------------------
traced "$TMP/o1"
check_eq "with the index, projects.csv is not mapped" 0 "$MAPPED"
if ((READ > 0 && READ * 20 < PROJECTS)); then
    ok "with the index, the county's rows of projects.csv are read ($READ of $PROJECTS bytes)"
else
    not_ok "with the index, the county's rows of projects.csv are read ($READ of $PROJECTS bytes)"
fi
render_one "$TMP/o1"
same_as_ref "with the index: the same PDF, byte for byte" "$TMP/o1"
check_eq "with the index: nothing said" "" "$(cat "$TMP/stderr")"
check_eq "a render with the folder's index writes no cache" "" "$(ls "$CACHE" 2>/dev/null | grep index || true)"

# --- the cache: saved by a render, used by the next; nothing written into the data ---------
rm -f "$IX"
before=$(ls -A "$D")
render_one "$TMP/o2"
same_as_ref "without the folder's index: the same PDF" "$TMP/o2"
check_same "a render writes nothing into the data folder" "$before" "$(ls -A "$D")"
CIX=$(ls "$CACHE"/data-*.index 2>/dev/null | head -1 || true)
check "a render saves the index to the cache" test -f "$CIX"
check_eq "the cache folder is private (0700)" 700 "$(stat -c %a "$CACHE")"
traced "$TMP/o3"
check_eq "the next render uses the cache's index (projects.csv not mapped)" 0 "$MAPPED"
same_as_ref "with the cache's index: the same PDF" "$TMP/o3"

# --- stale: touched, edited, a file added, another --encoding ------------------------------
"$CB" index --data "$D" --quiet
touch "$D/projects.csv"
traced "$TMP/o4"
check_eq "a touched CSV: the index is stale, the file is read again" 1 "$((MAPPED > 0))"
check_eq "a touched CSV: rebuilt silently" "" "$(cat "$TMP/stderr")"
traced "$TMP/o4b"
check_eq "... and the rebuilt index (in the cache) is used next" 0 "$MAPPED"
# the county's first project gets a new name, in place (same size) and then longer
row=$(grep -n "^$ID," "$D/projects.csv" | head -1 | cut -d: -f1)
name=$(sed -n "${row}p" "$D/projects.csv" | cut -d, -f2)
"$CB" index --data "$D" --quiet
sed -i "${row}s/^$ID,[^,]*,/$ID,INDEXPROBE,/" "$D/projects.csv"
render_one "$TMP/o5"
if flat "$TMP/o5/$PDF" | grep -q INDEXPROBE; then ok "an edited row shows in the PDF"; else
    not_ok "an edited row shows in the PDF" "$(cat "$TMP/stderr")"; fi
check_eq "an edited CSV: nothing said" "" "$(cat "$TMP/stderr")"
sed -i "${row}s/INDEXPROBE/$name/" "$D/projects.csv"
render_one "$TMP/o6"
same_as_ref "edited back: the same PDF as the reference" "$TMP/o6"
printf 'county_id,x\n%s,1\n' "$ID" >"$D/extra.csv"
traced "$TMP/o7"
check_eq "a file added: the index is stale" 1 "$((MAPPED > 0))"
rm "$D/extra.csv"
"$CB" index --data "$D" --quiet
render_one "$TMP/o8" --encoding UTF-8
same_as_ref "--encoding UTF-8: rebuilt, the same PDF" "$TMP/o8"

# --- refused: one line, the right PDF --------------------------------------------------------
# refused WHAT REASON: a render with the index at $IX as prepared says it once and renders
refused() {
    render_one "$TMP/o9"
    local want="countybrief: warning: $IX: $2; ignored, rebuilding"
    check_eq "$1: one line" "$want" "$(cat "$TMP/stderr")"
    same_as_ref "$1: the right PDF" "$TMP/o9"
    rm -f "$CACHE"/data-*.index # so the next case reads $IX again
}
"$CB" index --data "$D" --quiet
cp "$IX" "$TMP/good-index"
SIZE=$(stat -c %s "$IX")
restore() { cp "$TMP/good-index" "$IX" && touch -r "$TMP/good-index" "$IX"; }
# the index's layout (core/dataindex.c), walked: WALK MODE IN [OUT]
#   where: the offsets of a byte of the header part, of the first run of county 0 (the
#          county rendered: the first of counties.csv) and of the last county's first run
#   forge: OUT gets county 0's first run pointing past its file, with county 0's checksum
#          and the header's recomputed as a forger would (CRCs are linear: only the changes'
#          contribution is added)
cat >"$TMP/walk.py" <<'EOF'
import struct, sys
d = bytearray(open(sys.argv[2], 'rb').read())
T = []
for i in range(256):
    x = i
    for _ in range(8): x = (x >> 1) ^ 0xC96C5795D7870F42 if x & 1 else x >> 1
    T.append(x)
def lin(b):  # the CRC's linear part: what a change of these bytes (the tail) adds
    c = 0
    for x in b: c = T[(c ^ x) & 0xFF] ^ (c >> 8)
    return c
p = 32
def u32():
    global p; v = struct.unpack_from('<I', d, p)[0]; p += 4; return v
def u64():
    global p; v = struct.unpack_from('<Q', d, p)[0]; p += 8; return v
def s():
    global p; n = u32(); p += n + 1
def align():
    global p; p += (8 - p % 8) % 8
s(); u32()
for _ in range(u32()): s(); u64(); u64(); u64(); u64()
nc = u64()
tables = []
for _ in range(u32()):
    u32(); p += 1; s(); text_len = u64(); u64(); u32(); u64()
    for _ in range(u32()): s(); p += 2
    nranges = u64(); align()
    first = struct.unpack_from('<%dI' % (nc + 1), d, p); p += 4 * (nc + 1)
    align(); tables.append((text_len, first, p)); p += 24 * nranges
text_len, first, ranges = tables[0]
if sys.argv[1] == 'where':
    last = max(c for c in range(nc) if first[c + 1] > first[c])
    print(40, ranges + 24 * first[0] + 1, ranges + 24 * first[last] + 1)
    sys.exit(0)
at = ranges + 24 * first[0]
old = struct.unpack_from('<Q', d, at)[0]
struct.pack_into('<Q', d, at, text_len + 1000)
delta = struct.pack('<Q', old ^ (text_len + 1000))
rest = 24 * (first[1] - first[0]) - 8 + sum(8 + 24 * (f[1] - f[0]) for _, f, _ in tables[1:])
crcs = len(d) - 8 * nc
c0 = lin(delta + bytes(rest))
struct.pack_into('<Q', d, crcs, struct.unpack_from('<Q', d, crcs)[0] ^ c0)
h = lin(struct.pack('<Q', c0) + bytes(8 * (nc - 1)))
struct.pack_into('<Q', d, 24, struct.unpack_from('<Q', d, 24)[0] ^ h)
open(sys.argv[3], 'wb').write(d)
EOF
read -r HEAD_AT OWN_AT OTHER_AT < <("$PY" "$TMP/walk.py" where "$TMP/good-index")
flip() { printf '\xff' | dd of="$IX" bs=1 seek="$1" conv=notrunc status=none; }
flip "$HEAD_AT"
refused "a flipped byte" "corrupt (checksum mismatch)"
restore
# a county's runs are checked when it is used: a byte changed in another county's is never
# read (the right PDF, nothing said); in the rendered county's, that county fails naming the
# index, nothing written
flip "$OTHER_AT"
render_one "$TMP/o9"
check_eq "a flipped byte in another county's runs: nothing said" "0 " "$RC $(cat "$TMP/stderr")"
same_as_ref "a flipped byte in another county's runs: the right PDF" "$TMP/o9"
restore
flip "$OWN_AT"
render_one "$TMP/o9"
check_eq "a flipped byte in the county's own runs: it fails, nothing written" "1 manifest.json" "$RC $(ls "$TMP/o9")"
check_eq "a flipped byte in the county's own runs: a line naming the index" \
    "countybrief: $IX: corrupt (checksum mismatch, where county $ID's rows are); run countybrief index --data $D again, or remove it" \
    "$(head -1 "$TMP/stderr")"
restore
head -c $((SIZE / 2)) "$TMP/good-index" >"$IX"
refused "a truncated index" "corrupt (truncated)"
head -c 16 "$TMP/good-index" >"$IX"
refused "an index cut in its header" "corrupt (truncated)"
head -c 5000 /dev/urandom >"$IX"
refused "garbage" "corrupt (not an index)"
rm -f "$IX"
truncate -s 20G "$IX"
refused "a huge (sparse) file" "corrupt (larger than the data could need)"
rm -f "$IX"
# forged: a run of rows pointing past the file, the checksums recomputed
"$PY" "$TMP/walk.py" forge "$TMP/good-index" "$IX"
render_one "$TMP/o9"
check_eq "a forged run past the file: the county fails, a line naming the index" \
    "1 countybrief: $IX: corrupt (a row's bytes outside its file, where county $ID's rows are); run countybrief index --data $D again, or remove it" \
    "$RC $(head -1 "$TMP/stderr")"

# --- links: refused, never written through --------------------------------------------------
echo "precious" >"$TMP/target"
ln -sf "$TMP/target" "$IX"
refused "a link at the folder's index" "a symbolic link: not followed"
check_eq "the link's target is untouched" "precious" "$(cat "$TMP/target")"
cb index --data "$D" --quiet
check_eq "index over a link: the target is untouched" "precious" "$(cat "$TMP/target")"
check "index over a link: a regular file replaces the link" test -f "$IX" -a ! -L "$IX"
rm -f "$IX"
render_one "$TMP/o10" # saves the cache's index
CIX=$(ls "$CACHE"/data-*.index 2>/dev/null | head -1 || true)
ln -sf "$TMP/target" "$CIX"
render_one "$TMP/o11"
check_eq "a link at the cache's index: one line" \
    "countybrief: warning: $CIX: a symbolic link: not followed; ignored, rebuilding" "$(cat "$TMP/stderr")"
same_as_ref "a link at the cache's index: the right PDF" "$TMP/o11"
check_eq "a link at the cache's index: the target is untouched" "precious" "$(cat "$TMP/target")"
check "a link at the cache's index: replaced by a regular file" test -f "$CIX" -a ! -L "$CIX"

finish
