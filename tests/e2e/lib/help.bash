# help.bash: what `countybrief --help` lists, for the tests that check a copy of it (the man
# page in manpage.sh, the bash completion in completion.sh). Sourced after common.bash.
#     help_read                          HELP_COMMANDS, HELP_OPTIONS: one per line, sorted;
#                                        the text in $TMP/help.txt
#     help_compare WHAT WHERE HELP_LIST LIST
#                                        two checks: each of HELP_LIST is in LIST, and back
#     help_pending                       a check that PENDING holds only what --help lacks

# In the copies ahead of --help: issue 11's new surface, which other branches add to --help.
# Once --help has one, help_pending says so and it is taken out of this list.
PENDING=""

help_read() {
    cb --help
    check_eq "--help exits 0" 0 "$RC"
    cp "$TMP/stdout" "$TMP/help.txt"
    # commands: the first word after "countybrief" on the usage lines (the first paragraph);
    # options: every --word anywhere
    HELP_COMMANDS=$(sed '/^$/q' "$TMP/help.txt" | sed -nE 's/^(usage:)? +countybrief ([a-z]+).*/\2/p' | sort -u)
    HELP_OPTIONS=$(grep -oE -- '--[a-z][a-z-]*' "$TMP/help.txt" | sort -u)
    if grep -qx render <<<"$HELP_COMMANDS" && grep -qx -- --data <<<"$HELP_OPTIONS"; then
        ok "--help read: $(wc -l <<<"$HELP_COMMANDS") commands, $(wc -l <<<"$HELP_OPTIONS") options"
    else
        not_ok "--help read (render, --data)" "$HELP_COMMANDS"$'\n'"$HELP_OPTIONS"
    fi
}

help_compare() {
    local what=$1 where=$2 item miss="" extra=""
    for item in $3; do
        grep -qxF -- "$item" <<<"$4" || miss+="$item "
    done
    for item in $4; do
        grep -qxF -- "$item" <<<"$3" || [[ " $PENDING " == *" $item "* ]] || extra+="$item "
    done
    check_eq "every $what of --help is in $where" "" "$miss"
    check_eq "$where has no $what that --help lacks" "" "$extra"
}

help_pending() {
    local item stale=""
    for item in $PENDING; do
        grep -qxF -- "$item" <<<"$HELP_COMMANDS"$'\n'"$HELP_OPTIONS" && stale+="$item "
    done
    check_eq "PENDING in tests/e2e/lib/help.bash lists only what --help lacks (take out what it has)" "" "$stale"
}
