#!/usr/bin/env bash
# manpage.sh: docs/countybrief.1 says what `countybrief --help` says: every command of the
# usage and every --option of --help has its entry in the man page (COMMANDS, SYNOPSIS,
# OPTIONS), the man page has none --help lacks, its version is the binary's, and groff
# and man render it without a warning, with the sections a reader looks for.
set -euo pipefail
source "$(dirname "$0")/lib/common.bash"
source "$(dirname "$0")/lib/help.bash"

PAGE=$CB_SRC/docs/countybrief.1

if [[ ! -f $PAGE ]]; then
    not_ok "the man page $PAGE exists"
    finish || exit 1
fi
for tool in groff man; do
    if ! command -v "$tool" >/dev/null; then
        not_ok "$tool is installed (groff-base, man-db: .ci/install-deps --test)"
        finish || exit 1
    fi
done

help_read

# entries SECTION MARK: the man page's entries, from its source: the first word of the
# line after each MARK line in SECTION (.TP in COMMANDS and OPTIONS, .SY in SYNOPSIS)
entries() {
    awk -v sect="$1" -v mark="$2" '
        /^\.SH / { in_sect = ($0 ~ "^\\.SH \"?" sect "\"?$"); next }
        in_sect && $0 == mark { take = 1; next }
        in_sect && take && /^\.(B|BI|BR) / { gsub(/\\-/, "-"); gsub(/"/, ""); print $2 }
        { take = 0 }' "$PAGE" | sort -u
}
man_commands=$(entries COMMANDS .TP)
man_synopsis=$(entries SYNOPSIS ".SY countybrief" | grep -v '^-' || true)
man_options=$(entries OPTIONS .TP)

help_compare command "the man page's COMMANDS" "$HELP_COMMANDS" "$man_commands"
help_compare command "the man page's SYNOPSIS" "$HELP_COMMANDS" "$man_synopsis"
help_compare option "the man page's OPTIONS" "$HELP_OPTIONS" "$man_options"
help_pending

version=$("$CB" --version)
check_eq "the man page's version is the binary's" "\"$version\"" \
    "$(sed -nE 's/^\.TH [A-Z]+ 1 [0-9-]+ ("[^"]*").*/\1/p' "$PAGE")"

# --- it renders, without a warning ------------------------------------------------------------
if groff -man -Tutf8 -ww -z "$PAGE" 2>"$TMP/groff.err" && [[ ! -s $TMP/groff.err ]]; then
    ok "groff -man -Tutf8 -ww: no warning"
else
    not_ok "groff -man -Tutf8 -ww: no warning" "$(cat "$TMP/groff.err")"
fi
MANWIDTH=80 man --warnings -l "$PAGE" >"$TMP/man.txt" 2>"$TMP/man.err" || true
check_eq "man -l: no warning" "" "$(cat "$TMP/man.err")"
for section in NAME SYNOPSIS DESCRIPTION COMMANDS OPTIONS ENVIRONMENT "EXIT STATUS" FILES EXAMPLES "SEE ALSO"; do
    if grep -qx "$section" "$TMP/man.txt"; then ok "man -l shows the section $section"; else
        not_ok "man -l shows the section $section"; fi
done
wide=$(awk 'length > 80' "$TMP/man.txt")
check_eq "no line wider than 80 columns at MANWIDTH=80" "" "$wide"
check "Chinese text reads as Chinese (--county 忠县)" has_text "$TMP/man.txt" "--county 忠县"
# every exit status --help lists ("exit status: 0 all rendered; 1 some...") is in the man
# page's EXIT STATUS, which also has the stopped runs' 130 and 143
man_codes=$(sed -n '/^EXIT STATUS/,/^[A-Z]/p' "$TMP/man.txt" | grep -oE '^       [0-9]+(, [0-9]+)?' | grep -oE '[0-9]+')
help_codes=$(sed -n '/exit status/,$p' "$TMP/help.txt" | grep -oE '(: |; |^ +)[0-9]+ [a-z]' | grep -oE '[0-9]+')
help_compare "exit status" "the man page's EXIT STATUS" "$(sort -u <<<"$help_codes"$'\n'130$'\n'143)" "$(sort -u <<<"$man_codes")"

# every COUNTYBRIEF_* variable the engine or its plugins read is in ENVIRONMENT, and the
# page names none they do not read
code_vars=$(grep -rhoE '"COUNTYBRIEF_[A-Z_]+"' "$CB_SRC/core" "$CB_SRC/plugins" --include='*.c' --include='*.h' | tr -d '"' | sort -u)
man_vars=$(sed -n '/^ENVIRONMENT/,/^[A-Z]/p' "$TMP/man.txt" | grep -oE 'COUNTYBRIEF_[A-Z_]+' | sort -u)
help_compare "environment variable" "the man page's ENVIRONMENT" "$code_vars" "$man_vars"

finish
