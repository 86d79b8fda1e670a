#!/usr/bin/env bash
# cpu_independent.sh: the same briefing is the same bytes on any x86-64 machine. The example
# counties are rendered natively and again under qemu-user emulating CPUs with fewer
# instruction sets (qemu64: the x86-64 baseline, no SSE4.2, no AVX; Haswell: AVX2, no
# AVX-512), as the nodes of a cluster may be. A library that picks its code by the CPU and
# whose output depends on it (ISA-L's igzip chose its deflate match finder so: the PDFs
# differed from the font stream on, and an e2e.sandbox comparison failed in CI) makes them
# differ. qemu-user is the Debian package qemu-user (.ci/install-deps --test).
set -euo pipefail
source "$(dirname "$0")/lib/common.bash"

command -v qemu-x86_64 >/dev/null || skip_all "qemu-x86_64 is not installed (Debian package qemu-user)"
[[ $(uname -m) == x86_64 ]] || skip_all "not an x86-64 machine"
# ASan's shadow memory cannot be mapped under qemu-user
sanitized && skip_all "a sanitizer build does not run under qemu-user"

cb render --out "$TMP/native" --jobs 1 --quiet
check_eq "native: exit 0" 0 "$RC"
for cpu in qemu64 Haswell; do
    RC=0
    qemu-x86_64 -cpu "$cpu" "$CB" render --out "$TMP/$cpu" --jobs 1 --quiet 2>"$TMP/$cpu.err" || RC=$?
    check_eq "$cpu: exit 0" 0 "$RC"
    for f in "$TMP"/native/*.pdf; do
        name=$(basename "$f")
        if why=$(same_pdf "$f" "$TMP/$cpu/$name"); then ok "$cpu: $name byte-identical to the native render"
        else not_ok "$cpu: $name byte-identical to the native render" "$why"; fi
    done
done
# a check that can fail: a PDF that differs from the native one is told apart
cp "$TMP/native/500233-忠县.pdf" "$TMP/altered.pdf"
printf '%%' >>"$TMP/altered.pdf"
if same_pdf "$TMP/native/500233-忠县.pdf" "$TMP/altered.pdf" >/dev/null; then not_ok "negative control: a changed byte is seen"
else ok "negative control: a changed byte is seen"; fi

finish
