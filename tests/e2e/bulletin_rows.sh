#!/usr/bin/env bash
# bulletin_rows.sh: the rows of bulletin.csv (docs/data.md, "bulletin") as a user reads them.
# A cell that is not a number in a column the report needs as numbers (bulletin's copies
# and number, any table's) is named by file, row and column, as the loader names a bad
# cell, in `render` and in `check`, for a table whose rows stay on disk too; and an issue
# over every county (scope "all") narrowed with --county keeps the issue's own row (the one
# whose county_id is empty): its 报头 and 报尾, not only the counties' rows.
source "$(dirname "$0")/lib/common.bash"

data=$TMP/data
cp -r "$CB_SRC/examples/data" "$data"
sample=$CB_SRC/examples/reports/jianbao/bulletin.sample.csv

# not a number: one line naming the file, row and column, exit non-zero
notnum() { # notnum WHAT SED EXPECTED [ARGS...]
    local what=$1 expr=$2 want=$3
    shift 3
    cp "$sample" "$data/bulletin.csv"
    sed -i "$expr" "$data/bulletin.csv"
    cb "$@" --data "$data"
    local err
    err=$(grep -v ' problems\? with the data\| rendered, ' "$TMP/stderr" || true)
    if [[ $RC -ne 0 && $(wc -l <<<"$err") -eq 1 && $err == *"$want"* ]]; then ok "$what: names the cell, exit $RC"
    else not_ok "$what: one line naming $want, non-zero exit" "exit $RC: $(cat "$TMP/stderr")"; fi
}
r=(render --template jianbao --out "$TMP/o" --quiet --no-fsync)
notnum "copies not a number (render)" 's/,40,示例/,forty,示例/' \
    'bulletin.csv:2:9: column "copies" expects a number, got "forty"' "${r[@]}"
notnum "copies not a number, the issue's row (render)" 's/,60,示例/,六十份,示例/' \
    'bulletin.csv:4:9: column "copies" expects a number, got "六十份"' "${r[@]}"
notnum "number not a number (render)" 's/^500233,对口支援工作简报,3,/500233,对口支援工作简报,第三,/' \
    'bulletin.csv:2:3: column "number" expects a number, got "第三"' "${r[@]}"
notnum "number not a number (render --county)" 's/^500236,对口支援工作简报,,/500236,对口支援工作简报,x7,/' \
    'bulletin.csv:3:3: column "number" expects a number, got "x7"' "${r[@]}" --county 忠县
# check goes on to run the counties: the cell is among its errors
sed -i 's/,40,示例/,forty,示例/' "$data/bulletin.csv"
cb check --template jianbao --data "$data" --quiet
check "check names the cell (exit $RC)" test "$RC" -ne 0 -a -n \
    "$(grep '^error: .*bulletin.csv:2:9: column "copies" expects a number, got "forty"' "$TMP/stdout")"
cp "$sample" "$data/bulletin.csv"
cb render --template jianbao --data "$data" --out "$TMP/ok" --quiet --no-fsync
check_eq "the sample bulletin renders (exit 0)" 0 "$RC"

# the issue over every county, narrowed to one county: the issue's row stays
has_issue() { # has_issue WHAT PDF: the issue's 报头 (第12期, its office) and 报尾 (共印60份)
    local t
    t=$(flat "$2")
    if [[ $t == *第12期* && $t == *示例编印单位（汇总）* && $t == *（共印60份）* && $t != *示例编印单位（忠县）* ]]; then
        ok "$1: the issue's 报头 and 报尾"
    else not_ok "$1: the issue's 报头 and 报尾" "$t"; fi
}
issue=$CB_SRC/examples/reports/jianbao/issue.lua
for sel in "" "--county 忠县" "--county 500236" "--county 忠县 --county 奉节县"; do
    # shellcheck disable=SC2086
    cb render --report "$issue" --template jianbao --data "$data" $sel --out "$TMP/issue" --quiet --no-fsync --force
    check_eq "issue ${sel:-over every county}: exit 0" 0 "$RC"
    pdf=$(ls "$TMP"/issue/*.pdf 2>/dev/null | head -n 1)
    [[ -f $pdf ]] && has_issue "issue ${sel:-over every county}" "$pdf"
done
# and the counties it was narrowed to only
cb render --report "$issue" --template jianbao --data "$data" --county 忠县 --out "$TMP/one" --quiet --no-fsync
t=$(flat "$TMP"/one/*.pdf)
check_eq "issue --county 忠县: 忠县's section, not 奉节县's" "yes no" \
    "$([[ $t == *忠县隶属* ]] && echo yes || echo no) $([[ $t == *奉节县隶属* ]] && echo yes || echo no)"

finish
