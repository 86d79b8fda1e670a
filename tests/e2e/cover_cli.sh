#!/usr/bin/env bash
# cover_cli.sh: core/main.c's argument checks no other test takes (tests/README.md,
# coverage): each misuse of new report, synth, index, manifest merge and the command itself
# exits 2 (3 or 5 where the arguments are right but the data or the folder is not) with its
# first line saying what is wrong or how the command is used, and writes nothing.
set -euo pipefail
source "$(dirname "$0")/lib/common.bash"
cd "$TMP"
mkdir -p work
cd work

# says RC FIRST-LINE ARGS...: countybrief ARGS exits RC, stderr's first line is FIRST-LINE,
# nothing is written in the current folder
says() {
    local want_rc=$1 want=$2
    shift 2
    cb "$@"
    check_eq "countybrief $*" "$want_rc $want|" "$RC $(head -n1 "$TMP/stderr")|$(ls -A)"
}
U_NEW="usage: countybrief new report NAME [--dir DIR]"
says 2 "$U_NEW" new
says 2 "$U_NEW" new report
says 2 "$U_NEW" new thing x
says 2 "$U_NEW" new report a b
says 2 "$U_NEW" new report --dir
says 2 "$U_NEW" new report --bogus n2
says 2 "countybrief: new report: '.x' is not a usable name (no '/', no leading '.')" new report .x
says 2 "countybrief: new report: 'a\\b' is not a usable name (no '/', no leading '.')" new report 'a\b'
says 2 "countybrief: new report: '' is not a usable name (no '/', no leading '.')" new report ''
says 5 "countybrief: nodir/nm: cannot create the folder: No such file or directory" new report --dir=nodir nm

U_SYNTH="usage: countybrief synth --counties N (1..100000) [--seed S] --out DIR"
says 2 "countybrief: synth: bad option or value 'abc'" synth --counties abc --out s
says 2 "countybrief: synth: bad option or value 'x'" synth --seed x --counties 2 --out s
says 2 "countybrief: synth: bad option or value '--bogus'" synth --bogus
says 2 "$U_SYNTH" synth --counties 5
says 2 "$U_SYNTH" synth --counties 0 --out s
says 2 "$U_SYNTH" synth --counties 5 --out s extra

U_INDEX="usage: countybrief index --data DIR [--encoding NAME] [--follow-links] [--quiet]"
says 2 "$U_INDEX" index
says 2 "countybrief: index: bad option or value '--data'" index --data
says 2 "$U_INDEX" index --data x extra
says 3 "countybrief: $TMP/none: no such data folder" index --encoding gbk --follow-links --quiet --data "$TMP/none"

U_MERGE="usage: countybrief manifest merge DIR [--data DIR | --expect N] [--quiet]"
says 2 "$U_MERGE" manifest
says 2 "$U_MERGE" manifest merge
says 2 "$U_MERGE" manifest frob d
says 2 "$U_MERGE" manifest merge d --data x --expect 3
says 2 "countybrief: manifest merge: unexpected '--data'" manifest merge --data
says 2 "countybrief: manifest merge: unexpected '--bogus'" manifest merge d --bogus

says 2 "countybrief: unknown command 'frobnicate'" frobnicate
says 2 "usage: countybrief render [options]   render one PDF briefing per county"
for h in -h --help help; do
    cb "$h"
    check_eq "countybrief $h: the usage on stdout, exit 0" \
        "0 usage: countybrief render [options]   render one PDF briefing per county|" \
        "$RC $(head -n1 "$TMP/stdout")|$(cat "$TMP/stderr")"
done

finish
