#!/usr/bin/env bash
# valgrind.sh: the two example counties rendered under valgrind (memcheck), the render
# worker and the plugin probe children included (--jobs 1 still forks a worker): no
# invalid read, write or free anywhere, and no block definitely or indirectly lost whose
# allocation passes through our code (core/, plugins/). Leaks that lie wholly inside a
# system library are not ours to fix and are not counted.
#
# Skipped (exit 77) when valgrind is not installed (Debian package valgrind, which
# .ci/install-deps --test installs) and for a sanitizer build (build-asan), which cannot
# run under valgrind.
set -euo pipefail
source "$(dirname "$0")/lib/common.bash"

command -v valgrind >/dev/null || skip_all "valgrind is not installed (Debian package valgrind)"
if ldd "$CB" 2>/dev/null | grep -cE 'lib(a|ub)san' >/dev/null; then # -c reads all: no SIGPIPE under pipefail
    skip_all "$CB is built with sanitizers, which do not run under valgrind"
fi

# Source files of ours, as valgrind names them in a stack frame: "(render.c:190)".
OURS=$(find "$CB_SRC/core" "$CB_SRC/plugins" -name '*.c' -printf '%f\n' | sort -u |
    sed 's/\./\\./' | paste -sd '|')
# A frame in our code: one of those files, or, without debug information, our binaries.
OUR_FRAME="\\(($OURS):[0-9]+\\)|\\(in $(dirname "$CB")/|\\(in ${CB_BUILD%/}/"

# problems LOG...: every invalid access and every definitely or indirectly lost record with
# a frame of ours, each as its first lines (what, where)
problems() {
    awk -v ours="$OUR_FRAME" '
        function flush() { if (rec != "" && mine) print rec; rec = ""; mine = 0 }
        { sub(/^==[0-9]+== ?/, "") }
        /^Invalid (read|write|free)|^Mismatched free/ { flush(); rec = $0; mine = 1; n = 0; next }
        /are (definitely|indirectly) lost in loss record/ { flush(); rec = $0; mine = 0; n = 0; next }
        /^$/ { flush(); next }
        rec != "" { if ($0 ~ ours) mine = 1; if (n++ < 6) rec = rec "\n    " $0 }
        END { flush() }
    ' "$@"
}

# the checker itself: a leak through render.c and an invalid read count, a leak inside
# fontconfig does not
mkdir -p "$TMP/probe"
cat >"$TMP/probe/1.log" <<'LOG'
==1== 16 bytes in 1 blocks are definitely lost in loss record 1 of 2
==1==    at 0x48417B4: malloc (in /usr/libexec/valgrind/vgpreload_memcheck-amd64-linux.so)
==1==    by 0x4A1B2C3: FcStrCopy (in /usr/lib/x86_64-linux-gnu/libfontconfig.so.1.12.0)
==1==
==1== 32 bytes in 1 blocks are definitely lost in loss record 2 of 2
==1==    at 0x48417B4: malloc (in /usr/libexec/valgrind/vgpreload_memcheck-amd64-linux.so)
==1==    by 0x119161: cb_render_county (render.c:190)
==1==
==1== Invalid read of size 4
==1==    at 0x4B42913: hb_ot_name_get_utf8 (in /usr/lib/x86_64-linux-gnu/libharfbuzz.so.0.60000.0)
==1==
LOG
check_eq "the checker flags a leak through our code and an invalid read, not a library's own leak" \
    "32 bytes in 1 blocks are definitely lost in loss record 2 of 2|Invalid read of size 4" \
    "$(problems "$TMP/probe/1.log" | grep -v '^ ' | paste -sd '|')"

# --- the two example counties ----------------------------------------------------------
# common.bash gives the test its own plugin cache: no plugin is known good yet, so each is
# probed and the probe children run under valgrind too
unset COUNTYBRIEF_PLUGIN_PATH
mkdir -p "$TMP/vg" "$TMP/out"
RC=0
valgrind --trace-children=yes --leak-check=full --show-leak-kinds=definite,indirect \
    --num-callers=30 --log-file="$TMP/vg/%p.log" --suppressions="$E2E_LIB/fontconfig.supp" \
    "$CB" render --out "$TMP/out" --jobs 1 --no-fsync --quiet >"$TMP/stdout" 2>"$TMP/stderr" || RC=$?
check_eq "render under valgrind: exit status 0" 0 "$RC"
check_eq "render under valgrind: both PDFs written" 2 "$(find "$TMP/out" -name '*.pdf' | wc -l)"

logs=("$TMP"/vg/*.log)
if [[ ${#logs[@]} -ge 2 ]]; then ok "valgrind followed the worker process (${#logs[@]} processes)"; else
    not_ok "valgrind followed the worker process" "only ${#logs[@]} log: ${logs[*]}"; fi
finished=$(grep -l "ERROR SUMMARY" "${logs[@]}" | wc -l)
check_eq "every process traced ran to its end (an ERROR SUMMARY in each log)" "${#logs[@]}" "$finished"

found=$(problems "${logs[@]}")
if [[ -z $found ]]; then ok "no invalid read, write or free; nothing of ours definitely or indirectly lost"; else
    not_ok "no invalid read, write or free; nothing of ours definitely or indirectly lost" "$found"; fi
grep -h "ERROR SUMMARY" "${logs[@]}" | sed 's/^==[0-9]*== //' | sort | uniq -c |
    sed -E 's/^ *([0-9]+) /# \1 processes: /'

finish
