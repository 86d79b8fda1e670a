#!/usr/bin/env bash
# completion.sh: the bash completion (docs/countybrief.bash, installed as
# share/bash-completion/completions/countybrief) offers the commands and options
# `countybrief --help` has and no others, each command the options of its usage line, folders
# for --out, .so files for --plugin, counties from the data folder's counties.csv, and works
# with --opt=value as readline splits it.
set -euo pipefail
source "$(dirname "$0")/lib/common.bash"
source "$(dirname "$0")/lib/help.bash"

SCRIPT=$CB_SRC/docs/countybrief.bash
if [[ ! -f $SCRIPT ]]; then
    not_ok "the completion script $SCRIPT exists"
    finish || exit 1
fi
help_read

# comp WORD...: what completing the last WORD offers, one per line, sorted. A child shell
# without -e/-u/pipefail, as an interactive one; the words are split as readline does
# (--data=DIR is "--data" "=" "DIR").
comp() {
    (
        set +euo pipefail
        source "$SCRIPT"
        COMP_WORDS=(countybrief "$@")
        COMP_CWORD=$#
        COMP_LINE="countybrief $*"
        COMP_POINT=${#COMP_LINE}
        _countybrief
        printf '%s\n' "${COMPREPLY[@]}"
    ) | grep . | sort || true
}
# offers WHAT EXPECTED WORD...: the completion of WORD... is EXPECTED (words, space-separated)
offers() {
    local what=$1 want=$2
    shift 2
    check_eq "$what" "$want" "$(comp "$@" | tr '\n' ' ' | sed 's/ $//')"
}

check_eq "it registers itself for countybrief" "complete -F _countybrief countybrief" \
    "$(bash -c 'source "$1"; complete -p countybrief' _ "$SCRIPT")"

# --- in step with --help --------------------------------------------------------------------
commands=$(comp "" | grep -v '^-')
help_compare command "the completion's commands" "$HELP_COMMANDS" "$commands"
all_opts=$( (comp --; for c in $commands; do
    case $c in manifest) comp manifest merge --;; new) comp new report --;; *) comp "$c" --;; esac
done) | sort -u)
help_compare option "the completion's options" "$HELP_OPTIONS" "$all_opts"
help_pending
# each command offers the options of its usage line
miss="" pairs=0
for c in $commands; do
    words=$c
    case $c in manifest) words="manifest merge";; new) words="new report";; esac
    offered=$(comp $words --)
    for o in $(sed '/^$/q' "$TMP/help.txt" | grep -E "^(usage:)? +countybrief $c " | grep -oE -- '--[a-z][a-z-]*' || true); do
        pairs=$((pairs + 1))
        grep -qxF -- "$o" <<<"$offered" || miss+="$c $o; "
    done
done
((pairs > 0)) || miss="no command's usage line with an option found in --help"
check_eq "each command offers the options of its usage line in --help ($pairs)" "" "$miss"

# --- what it offers -----------------------------------------------------------------------
offers "re<TAB>: render" "render" re
offers "m<TAB>: manifest" "manifest" m
offers "manifest <TAB>: merge" "merge" manifest ""
offers "new <TAB>: report" "report" new ""
offers "synth --<TAB>: its three options" "--counties --out --seed" synth --
offers "render --qu<TAB>: --quiet" "--quiet" render --qu
offers "render --sh<TAB>: --shard --shards" "--shard --shards" render --sh
offers "render --lang <TAB>: en zh" "en zh" render --lang ""
offers "render --jobs <TAB>: nothing (a number)" "" render --jobs ""

mkdir -p "$TMP/w/out.d" "$TMP/w/plug" && touch "$TMP/w/a.so" "$TMP/w/b.txt" "$TMP/w/r.lua"
cd "$TMP/w"
offers "render --out <TAB>: folders only" "out.d plug" render --out ""
offers "render --plugin <TAB>: folders and .so files" "a.so out.d plug" render --plugin ""
offers "render --report <TAB>: folders and .lua files" "out.d plug r.lua" render --report ""
offers "manifest merge <TAB>: folders" "out.d plug" manifest merge ""
offers "render --template=<TAB> (split at =): folders" "out.d plug" render --template = ""

cp -r "$CB_SRC/examples/data" "$TMP/w/data"
offers "--county 忠<TAB> from --data's counties.csv" "忠县" render --data data --county 忠
offers "--county 5002<TAB>: the ids" "500233 500236" check --data data --county 5002
offers "--data=DIR (split at =) --county <TAB>" "500233 500236 奉节县 忠县" render --data = data --county ""
mkdir "$TMP/w/bom" && printf '\xef\xbb\xbfname,county_id\r\n"甲县",1\r\n乙县,2\r\n' >"$TMP/w/bom/counties.csv"
offers "... a BOM, CRLF, a quoted name and another column order" "1 2 乙县 甲县" render --data bom --county ""

finish
