# bash completion for countybrief(1), installed as share/bash-completion/completions/countybrief
# (bash-completion loads it the first time countybrief is completed; `source` it otherwise:
# it needs nothing of bash-completion's). Completes the commands, each command's options,
# files and folders for the options that name them, and counties from counties.csv of the
# data folder (--data, else the example data installed beside the binary).
# tests/e2e/completion.sh checks it against `countybrief --help`.

# _countybrief_share: the installed share folder beside the countybrief found in PATH ("" if none)
_countybrief_share() {
    local bin
    bin=$(type -P countybrief) && bin=$(readlink -f "$bin") || return
    bin=${bin%/*}
    [[ -d $bin/../share/countybrief ]] && printf '%s\n' "$bin/../share/countybrief"
}

# _countybrief_add COMMAND...: adds the lines COMMAND prints to COMPREPLY
_countybrief_add() {
    mapfile -t -O "${#COMPREPLY[@]}" COMPREPLY < <("$@")
}

# _countybrief_dirs CUR: folders
_countybrief_dirs() {
    compopt -o filenames 2>/dev/null
    _countybrief_add compgen -d -- "$1"
}

# _countybrief_files CUR EXT...: folders, and files ending in .EXT
_countybrief_files() {
    local cur=$1 f ext IFS=$'\n'
    shift
    _countybrief_dirs "$cur"
    for f in $(compgen -f -- "$cur"); do
        [[ -d $f ]] && continue
        for ext; do [[ $f == *."$ext" ]] && COMPREPLY+=("$f") && break; done
    done
}

# _countybrief_names CUR DIR SUFFIX: the names of DIR's entries ending in SUFFIX, without it
# (the built-in reports: scripts/*.lua; templates: templates/*/)
_countybrief_names() {
    local f names=()
    [[ -d $2 ]] || return
    for f in "$2"/*"$3"; do
        [[ -e $f ]] || continue
        f=${f%"$3"}
        names+=("${f##*/}")
    done
    _countybrief_add compgen -W "${names[*]}" -- "$1"
}

# _countybrief_counties CUR DATA: the ids and names in DATA/counties.csv that start with CUR
# (its county_id and name columns wherever the header puts them). One awk, not a bash
# loop: a data folder may hold 40,000 counties.
_countybrief_counties() {
    [[ -f $2/counties.csv ]] || return
    _countybrief_add env LC_ALL=C awk -F, -v cur="$1" '
        { sub(/\r$/, "") }
        NR == 1 {
            if (substr($0, 1, 3) == "\357\273\277") $0 = substr($0, 4)
            for (i = 1; i <= NF; i++) { if ($i == "county_id") id = i; if ($i == "name") nm = i }
            next
        }
        {
            for (k = 0; k < 2; k++) {
                c = k ? nm : id
                if (!c) continue
                w = $c
                gsub(/^"|"$/, "", w)
                if (w != "" && index(w, cur) == 1) print w
            }
        }' "$2/counties.csv"
}

_countybrief() {
    local cur=${COMP_WORDS[COMP_CWORD]} prev='' cmd=${COMP_WORDS[1]:-} i data='' share
    COMPREPLY=()
    ((COMP_CWORD > 1)) && prev=${COMP_WORDS[COMP_CWORD - 1]}
    # --opt=value: readline splits it at '=' (COMP_WORDBREAKS)
    if [[ $cur == = ]]; then
        cur=
    elif [[ $prev == = ]] && ((COMP_CWORD > 2)); then
        prev=${COMP_WORDS[COMP_CWORD - 2]}
    fi
    if ((COMP_CWORD == 1)); then
        _countybrief_add compgen -W "render check list index plugins manifest new synth --help --version" -- "$cur"
        return
    fi
    for ((i = 2; i < COMP_CWORD; i++)); do
        [[ ${COMP_WORDS[i]} == --data ]] && data=${COMP_WORDS[i + 1]}
        [[ ${COMP_WORDS[i]} == --data && ${COMP_WORDS[i + 1]} == = ]] && data=${COMP_WORDS[i + 2]}
    done

    case $prev in
    --data) _countybrief_files "$cur" db sqlite sqlite3 xlsx ods xls; return ;;
    --out | --dir) _countybrief_dirs "$cur"; return ;;
    --report)
        _countybrief_files "$cur" lua
        [[ $cur == */* ]] || _countybrief_names "$cur" "$(_countybrief_share)/scripts" .lua
        return ;;
    --template)
        _countybrief_dirs "$cur"
        [[ $cur == */* ]] || _countybrief_names "$cur" "$(_countybrief_share)/templates" /
        return ;;
    --plugin) _countybrief_files "$cur" so; return ;;
    --font) _countybrief_files "$cur" ttf ttc otf; return ;;
    --lang) _countybrief_add compgen -W "zh en" -- "$cur"; return ;;
    --format) _countybrief_add compgen -W "pdf ofd pdf,ofd" -- "$cur"; return ;;
    --encoding) _countybrief_add compgen -W "UTF-8 GB18030 UTF-16 BIG5" -- "$cur"; return ;;
    --county)
        if [[ -z $data ]] && share=$(_countybrief_share); then data=$share/examples/data; fi
        [[ -n $data ]] && _countybrief_counties "$cur" "$data"
        return ;;
    --date) _countybrief_add compgen -W "today" -- "$cur"; return ;;
    --pdf-standard) _countybrief_add compgen -W "a-1b a-2b a-2u a-3u none" -- "$cur"; return ;;
    --jobs | --timeout | --cpu-budget | --lua-memory | --shard | --shards | --expect | \
        --counties | --seed)
        return ;;
    esac

    local opts
    case $cmd in
    render)
        opts="--data --report --template --county --out --lang --format --font --plugin --jobs --force
            --timeout --cpu-budget --lua-memory --date --shard --shards --quiet --watch --no-fsync
            --encoding --follow-links --pdf-standard --help" ;;
    check)
        opts="--data --report --template --county --lang --font --plugin --jobs --timeout
            --cpu-budget --lua-memory --date --shard --shards --quiet --encoding --follow-links --help" ;;
    list) opts="--data --plugin --encoding --follow-links --help" ;;
    index) opts="--data --quiet --help" ;;
    plugins) opts="--plugin --help" ;;
    synth) opts="--counties --seed --out" ;;
    manifest)
        if ((COMP_CWORD == 2)); then _countybrief_add compgen -W merge -- "$cur"; return; fi
        opts="--data --expect --quiet" ;;
    new)
        if ((COMP_CWORD == 2)); then _countybrief_add compgen -W report -- "$cur"; return; fi
        opts="--dir" ;;
    *) return ;;
    esac
    if [[ $cur == -* ]]; then
        _countybrief_add compgen -W "$opts" -- "$cur"
    elif [[ $cmd == manifest ]]; then
        _countybrief_dirs "$cur" # the output folder to merge
    fi
}
complete -F _countybrief countybrief
