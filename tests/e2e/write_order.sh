#!/usr/bin/env bash
# write_order.sh: every file countybrief puts in place is fsync'd before its rename and its
# folder after it, observed with strace: PDFs (written by workers, whose folder the
# manifest's fsync covers), the manifest, a report over all counties, `manifest merge`,
# `index`, `new report`, `synth`, and the caches (plugins probed, font lookup, data index).
# For each rename into one of those folders, lib/write_order.py finds an fsync of the
# temporary file's descriptor in the same process before it and an fsync of the folder's
# descriptor after it (descriptors mapped to paths through the open lines). With --no-fsync
# there is no fsync at all, of any file (PDFs, manifest, caches), and the renames still happen.
set -euo pipefail
source "$(dirname "$0")/lib/common.bash"

if ! command -v strace >/dev/null || ! strace -f -o /dev/null true 2>/dev/null; then
    echo "# skip: strace is not installed or cannot trace here (apt-get install strace)"
    exit 77
fi

# LeakSanitizer cannot run under ptrace (strace): in a sanitizer build it would abort
export ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0

CACHE=$XDG_CACHE_HOME/countybrief
DATA=$TMP/data
cp -r "$CB_SRC/examples/data" "$DATA"

# traced WHAT MODE MIN ROOTS -- ARGS...: runs countybrief ARGS under strace, then checks the
# log (MODE sync or nosync) for renames into ROOTS; at least MIN renames must be seen.
traced() {
    local what=$1 mode=$2 min=$3 roots=() log out rc=0 n
    shift 3
    while [[ $1 != -- ]]; do roots+=("$1"); shift; done
    shift
    log=$TMP/strace.$RANDOM.log
    strace -f -qq -s 4096 -o "$log" -e trace=openat,open,fsync,fdatasync,rename,renameat,renameat2,clone,clone3,fork,vfork \
        "$CB" "$@" >"$TMP/cmd.out" 2>&1 || rc=$?
    if [[ $rc != 0 ]]; then
        not_ok "$what: exit 0" "$(head -n 5 "$TMP/cmd.out")"
        return
    fi
    out=$("$PY" "$E2E_LIB/write_order.py" "$log" "$mode" "${roots[@]}") || rc=$?
    n=$(sed -n 's/^renames \([0-9]*\) .*/\1/p' <<<"$out")
    if [[ $rc != 0 ]]; then
        not_ok "$what: $( [[ $mode == sync ]] && echo "fsync before each rename, folder fsync after" || echo "no fsync")" \
            "$(grep -v '^ok' <<<"$out")"
    elif ((n < min)); then
        not_ok "$what: at least $min renames seen" "$out"
    elif [[ $mode == sync ]]; then
        ok "$what: $n files, each fsync'd before its rename and its folder after"
    else
        ok "$what: $n files renamed into place, no fsync ($(tail -n 1 <<<"$out"))"
    fi
}

# render: two PDFs (workers), the manifest, the caches (first run: plugins, fonts, index)
traced "render, two workers" sync 6 "$TMP/out" "$CACHE" -- render --out "$TMP/out" --jobs 2 --quiet
# one county: its PDF and the manifest
traced "render --county" sync 2 "$TMP/out1" -- render --data "$DATA" --county 忠县 --out "$TMP/out1" --quiet
traced "a report over all counties" sync 1 "$TMP/all" -- render --report "$CB_SRC/examples/reports/compare/compare.lua" --out "$TMP/all" --quiet
# shards, then the merged manifest
"$CB" render --out "$TMP/sh" --shard 1/2 --quiet >/dev/null 2>&1
"$CB" render --out "$TMP/sh" --shard 2/2 --quiet >/dev/null 2>&1
traced "manifest merge" sync 1 "$TMP/sh" -- manifest merge "$TMP/sh" --quiet
traced "index" sync 1 "$DATA" -- index --data "$DATA" --quiet
mkdir "$TMP/new"
traced "new report" sync 1 "$TMP/new" -- new report mine --dir "$TMP/new"
traced "synth" sync 10 "$TMP/syn" -- synth --counties 3 --out "$TMP/syn"
rm -rf "$CACHE"
traced "render --no-fsync" nosync 6 "$TMP/nosync" "$CACHE" -- render --out "$TMP/nosync" --jobs 2 --quiet --no-fsync

finish
