#!/usr/bin/env bash
# block_options.sh: one block model (docs/reports.md, "Blocks and their options"). For
# every built-in block of that table: each documented option is accepted, through
# doc:NAME{...} and through doc:add("NAME", {...}) alike; a misspelt key fails the county
# (exit 1, no PDF) with one line naming script:line, the block, the key and exactly the
# options the table documents; a key a letter away names the one meant. Every plugin
# block `countybrief plugins` lists rejects a misspelt key with the same words, "did you
# mean" included (chart.pie).
set -euo pipefail
source "$(dirname "$0")/lib/common.bash"

unset COUNTYBRIEF_PLUGIN_DIR COUNTYBRIEF_PLUGIN_PATH
DOC=$CB_SRC/docs/reports.md

# the table: "| `NAME` | `opt` (required), `opt` |" or "| `NAME` | none: ... |"
declare -A OPTS=()
NAMES=()
while IFS='|' read -r _ name opts _; do
    name=$(sed -E 's/^ *`([a-z]+)` *$/\1/' <<<"$name")
    OPTS[$name]=$(grep -oE '`[a-z_]+`' <<<"$opts" | tr -d '`' | paste -sd, - | sed 's/,/, /g' || true)
    NAMES+=("$name")
done < <(awk '/^### Blocks and their options/{on=1; next} /^###/{on=0} on' "$DOC" | grep -E '^\| `[a-z]+` \|')
if ((${#NAMES[@]} < 8)); then
    not_ok "docs/reports.md lists the built-in blocks and their options" "found: ${NAMES[*]:-none}"
    finish || exit 1
fi
ok "docs/reports.md lists ${#NAMES[@]} built-in blocks: ${NAMES[*]}"

# a valid value of each option, and the items of a block whose options are its list
declare -A VALUE=(
    [text]='"文字"' [subtitle]='"副标题"' [level]=2 [columns]='{ { title = "县", width = 2, align = "right" } }'
    [rows]='{ { "忠县" } }' [title]='"标题"' [unit]='"万元"' [bars]='{ { label = "甲", value = 3, text = "3万元" } }'
    [items]='{ "注一", "注二" }' [name]='"对口支援工作简报"' [number]=3 [office]='"编印单位"'
    [date]='"2024-05-06"' [report]='"报送单位"' [send]='{ "抄送甲", "抄送乙" }' [issue]='"印发单位"' [copies]=40
)
declare -A ITEMS=(
    [kpis]='{ value = "4.05亿元", label = "资金" }'
    [progress]='{ label = "目标", value = "一半", fraction = 0.5, detail = "说明" }'
)
# options_of NAME: the Lua table of every documented option (or the block's items)
options_of() {
    local name=$1 body="" o
    if [[ -z ${OPTS[$name]} ]]; then
        if [[ -z ${ITEMS[$name]:-} ]]; then echo "no sample items for block $name" >&2; return 1; fi
        echo "{ ${ITEMS[$name]} }"
        return
    fi
    for o in ${OPTS[$name]//,/}; do
        if [[ -z ${VALUE[$o]:-} ]]; then echo "no sample value for option $o of block $name" >&2; return 1; fi
        body+="$o = ${VALUE[$o]}, "
    done
    echo "{ ${body%, } }"
}
render() { # SCRIPT-TEXT
    printf 'doc:title("块选项")\n%s\n' "$1" >"$TMP/r.lua"
    rm -rf "$TMP/out"
    cb render --report "$TMP/r.lua" --out "$TMP/out" --county 500233 --jobs 1
}
error_lines() { grep -Ev '^[0-9]+ rendered, .*failed in ' "$TMP/stderr" || true; }
pdfs() { find "$TMP/out" -name '*.pdf' 2>/dev/null | wc -l; }

# --- every documented option is accepted, both ways -----------------------------------
for name in "${NAMES[@]}"; do
    if ! opts=$(options_of "$name" 2>"$TMP/why"); then not_ok "$name: a sample of its options" "$(cat "$TMP/why")"; continue; fi
    for form in method add; do
        if [[ $form == method ]]; then call="doc:$name $opts"; else call="doc:add(\"$name\", $opts)"; fi
        render "$call"
        if [[ $RC -eq 0 && $(pdfs) -eq 1 ]]; then ok "$call: renders"; else
            not_ok "$call: renders" "exit $RC: $(error_lines)"; fi
    done
done

# --- a misspelt key: the same one line for every block ----------------------------------
for name in "${NAMES[@]}"; do
    opts=$(options_of "$name" 2>/dev/null) || continue
    list=${OPTS[$name]:-none, only the list of items}
    for form in method add; do
        with="${opts%\}}, colour = \"red\" }"
        if [[ $form == method ]]; then call="doc:$name $with"; else call="doc:add(\"$name\", $with)"; fi
        render "$call"
        want="500233 忠县: $TMP/r.lua:2: doc:$name: unknown option 'colour' (options: $list)"
        if [[ $RC -eq 1 && $(pdfs) -eq 0 ]] && grep -qF "$want" <<<"$(error_lines)"; then
            ok "doc:$name ($form) with colour: exit 1, '$want'"
        else
            not_ok "doc:$name ($form) with colour: exit 1 naming r.lua:2, the key and the documented options" \
                "exit $RC, $(pdfs) PDF: $(error_lines)"
        fi
    done
done

# a slip of a letter names the option meant
render 'doc:table { colums = { { title = "县" } }, rows = {} }'
if grep -qF "r.lua:2: doc:table: unknown option 'colums' (options: columns, rows); did you mean 'columns'?" <<<"$(error_lines)"; then
    ok "doc:table with colums: did you mean 'columns'?"
else
    not_ok "doc:table with colums: did you mean 'columns'?" "exit $RC: $(error_lines)"
fi
# a positional value among named options
render 'doc:notes { "注", items = {} }'
if grep -qF "r.lua:2: doc:notes: options must be named (key = value), found a number key" <<<"$(error_lines)"; then
    ok "doc:notes with a positional value: options must be named"
else
    not_ok "doc:notes with a positional value: options must be named" "exit $RC: $(error_lines)"
fi

# --- plugin blocks say it the same way -----------------------------------------------------
cb plugins
mapfile -t PBLOCKS < <(awk '$1 == "block" {print $2}' "$TMP/stdout")
if ((${#PBLOCKS[@]} == 0)); then not_ok "countybrief plugins lists plugin blocks" "$(cat "$TMP/stdout" "$TMP/stderr")"; fi
for name in "${PBLOCKS[@]}"; do
    render "doc:add(\"$name\", { colour = \"red\" })"
    want="500233 忠县: $TMP/r.lua:2: $name: unknown option 'colour' (options: "
    if [[ $RC -eq 1 ]] && grep -qF "$want" <<<"$(error_lines)"; then ok "$name with colour: '$want…'"; else
        not_ok "$name with colour: exit 1, '$want…'" "exit $RC: $(error_lines)"; fi
done
# ... and a slip of a letter names the option meant, as doc:table's does (one checker:
# the host's, api->check_options)
render 'doc:add("chart.pie", { titel = "占比", slices = { { label = "甲", value = 1 } } })'
want="r.lua:2: chart.pie: unknown option 'titel' (options: "
if [[ $RC -eq 1 ]] && grep -F "$want" <<<"$(error_lines)" | grep -qF "); did you mean 'title'?"; then
    ok "chart.pie with titel: did you mean 'title'?"
else
    not_ok "chart.pie with titel: '$want…); did you mean 'title'?'" "exit $RC: $(error_lines)"
fi

# doc:barchart is the charts plugin's chart.bar (a shorthand): with no plugin loaded it fails
# the county in one line saying so, as a plugin's block names the missing type (e2e.charts)
mkdir -p "$TMP/noplugins"
COUNTYBRIEF_PLUGIN_DIR=$TMP/noplugins render 'doc:barchart { title = "图", unit = "万元", bars = { { label = "甲", value = 3 } } }'
want="r.lua:2: doc:barchart needs the charts plugin (chart.bar), not loaded"
if [[ $RC -eq 1 && $(pdfs) -eq 0 && $(error_lines | wc -l) -eq 1 ]] && grep -qF "$want" <<<"$(error_lines)"; then
    ok "doc:barchart with no plugin loaded: one line, '$want'"
else
    not_ok "doc:barchart with no plugin loaded: one line, '$want'" "exit $RC: $(error_lines)"
fi

finish
