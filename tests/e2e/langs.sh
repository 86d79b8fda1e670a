#!/usr/bin/env bash
# langs.sh: `--lang zh,en` renders every language of the list in one run: each language's
# files and manifest named as a separate `--lang` run names them, the PDFs byte-identical
# to two separate runs, and a second run skips them all. A language countybrief does not
# render, one named twice, an empty one, or one the report is not written in is a one-line
# usage error naming it, before anything is written. `check --lang zh,en` checks both;
# `render --watch --lang zh,en` renders both.
set -euo pipefail
source "$(dirname "$0")/lib/common.bash"

unset COUNTYBRIEF_PLUGIN_DIR COUNTYBRIEF_PLUGIN_PATH
export SOURCE_DATE_EPOCH=1700000000
ZX=500233-忠县 FJ=500236-奉节县

# the reference: two separate runs
cb render --out "$TMP/sep" --no-fsync --quiet
cb render --lang en --out "$TMP/sep" --no-fsync --quiet
check_eq "two separate runs: exit 0" 0 "$RC"

cb render --lang zh,en --out "$TMP/one" --no-fsync
check_eq "render --lang zh,en: exit 0" 0 "$RC"
check_eq "... no error, no warning" "" "$(cat "$TMP/stderr")"
check_eq "... both languages' files and manifests, named as separate runs name them" \
    "$ZX.en.pdf $ZX.pdf $FJ.en.pdf $FJ.pdf manifest.en.json manifest.json" \
    "$(cd "$TMP/one" && LC_ALL=C ls | LC_ALL=C sort | tr '\n' ' ' | sed 's/ $//')"
same=1
for f in "$ZX.pdf" "$ZX.en.pdf" "$FJ.pdf" "$FJ.en.pdf"; do
    same_pdf "$TMP/sep/$f" "$TMP/one/$f" || same=0
done
check_eq "... the PDFs byte-identical to two separate runs'" 1 "$same"
check "... a line names each language's run" grep -qxF "language en (2 of 2)" "$TMP/stdout"
check_eq "... one summary per language" 2 "$(grep -c ' rendered, ' "$TMP/stdout")"
for m in manifest.json manifest.en.json; do
    check_eq "... $m lists its language's files" \
        "$(jq -r '[.counties[].file] | sort | join(" ")' "$TMP/sep/$m")" \
        "$(jq -r '[.counties[].file] | sort | join(" ")' "$TMP/one/$m")"
done

cb render --lang en,zh --out "$TMP/one" --no-fsync
check_eq "a second run, the other order: exit 0" 0 "$RC"
check_eq "... every county of both languages skipped" 2 \
    "$(grep -c '^0 rendered, 2 skipped (unchanged), 0 failed' "$TMP/stdout")"

cb render --lang zh,en --county 忠县 --out "$TMP/single" --no-fsync --quiet
check_eq "--county with --lang zh,en: both files of that county only" "$ZX.en.pdf $ZX.pdf" \
    "$(cd "$TMP/single" && ls -- *.pdf | LC_ALL=C sort | tr '\n' ' ' | sed 's/ $//')"

# usage errors: one line naming the language, exit 2, nothing written
bad() { # WHAT LIST MESSAGE [ARGS...]
    local what=$1 list=$2 msg=$3
    shift 3
    cb render --lang "$list" --out "$TMP/bad" --no-fsync "$@"
    check_eq "--lang $list ($what): exit 2" 2 "$RC"
    check_eq "... one line naming it" "countybrief: $msg" "$(cat "$TMP/stderr")"
    check "... nothing written" test ! -e "$TMP/bad"
}
bad "unknown" zh,fr "--lang zh,fr: fr: unknown language (countybrief renders zh and en)"
bad "twice" en,en "--lang en,en: en is named twice"
bad "empty" "zh," "--lang zh,: an empty language in the list (give them as zh,en)"
printf 'doc:title(county.name)\n' >"$TMP/zh_only.lua"
bad "not the report's" zh,en \
    "$TMP/zh_only.lua: the report is written in zh, not en (a report lists its languages with report { languages = { ... } })" \
    --report "$TMP/zh_only.lua"

cb check --lang zh,en --county 忠县
check_eq "check --lang zh,en: exit 0" 0 "$RC"
check_eq "... a summary per language" 2 "$(grep -c '^check: 0 errors, 0 warnings in 1 county' "$TMP/stdout")"
cb check --lang zh,en --report "$TMP/zh_only.lua"
check_eq "check --lang zh,en of a Chinese-only report: exit 2" 2 "$RC"
check "... says so" grep -qF "the report is written in zh, not en" "$TMP/stdout"

# --watch: both languages at the start (the watch then ends on SIGTERM: a background job
# of a script ignores SIGINT, and countybrief keeps it so)
"$CB" render --watch --lang zh,en --county 奉节县 --out "$TMP/watch" --no-fsync >"$TMP/w.out" 2>"$TMP/w.err" &
pid=$!
for _ in $(seq 1 100); do
    [[ -f $TMP/watch/$FJ.en.pdf ]] && grep -q 'watching' "$TMP/w.err" && break
    sleep 0.1
done
kill -TERM "$pid" 2>/dev/null || true
wrc=0
wait "$pid" || wrc=$?
check_eq "--watch --lang zh,en: both files rendered, exit 0 on SIGTERM" "0 $FJ.en.pdf $FJ.pdf" \
    "$wrc $(cd "$TMP/watch" 2>/dev/null && ls -- *.pdf | LC_ALL=C sort | tr '\n' ' ' | sed 's/ $//')"

finish
