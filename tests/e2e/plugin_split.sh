#!/usr/bin/env bash
# plugin_split.sh: plugin ABI 1.2 (countybrief/plugin.h). A plugin block whose type gives
# split() (cb_block_type version 2) splits across pages: the head where the page has room,
# the rest on the next pages, nothing lost, doubled or reordered (test plugin split.so,
# block test.rows: rows ROW-001, ROW-002, ... read back page by page with pdftotext). One
# whose split makes no progress moves to the next page whole, as every block did before.
# A plugin built with the 1.1 header (its cb_block_type of version 1 ends at destroy; built
# here, out of tree, with a trap where a split member would be) still loads and renders,
# and the host never reads past its struct.
set -euo pipefail
source "$(dirname "$0")/lib/common.bash"

unset COUNTYBRIEF_PLUGIN_DIR COUNTYBRIEF_PLUGIN_PATH
SPLIT=${SPLIT_SO:-$CB_BUILD/test-plugins/split.so}
cd "$TMP"

# rows_by_page PDF: "PAGE ROW-nnn" for every row label, in reading order
rows_by_page() {
    local n p
    n=$(pdf_pages "$1")
    for ((p = 1; p <= n; p++)); do
        pdftext -f "$p" -l "$p" -raw "$1" - | grep -oE 'ROW-[0-9]{3}' | sed "s/^/$p /" || true
    done
}

# --- a block that splits ------------------------------------------------------------------
cat >split.lua <<'EOF'
doc:title(county.name .. "分页")
doc:paragraph("前文。")
doc:add("test.rows", { rows = 70, row = 24 })
doc:paragraph("END-MARK")
EOF
if [[ ! -f $SPLIT ]]; then
    not_ok "the test plugin split.so is built" "no $SPLIT"
    finish
    exit 1
fi
cb render --plugin "$SPLIT" --report split.lua --out out --county 500233
check_eq "render a 70-row block (1680 points): exit 0" 0 "$RC"
PDF=out/500233-忠县.pdf
if [[ -f $PDF ]]; then
    rows_by_page "$PDF" >rows.txt
    want=$(seq -f 'ROW-%03g' 1 70)
    check_eq "every row once, in order (none lost or doubled)" "$want" "$(cut -d' ' -f2 rows.txt)"
    pages=$(cut -d' ' -f1 rows.txt | sort -u | wc -l)
    if ((pages >= 2)); then ok "the rows are on $pages pages"; else not_ok "the rows are on 2 pages or more" "$(cat rows.txt)"; fi
    first=$(head -n 1 rows.txt | cut -d' ' -f1)
    check_eq "the head is on the first page, under the paragraph before it" 1 "$first"
    last=$(tail -n 1 rows.txt | cut -d' ' -f1)
    endp=0
    for ((p = 1; p <= $(pdf_pages "$PDF"); p++)); do
        if pdftext -f "$p" -l "$p" "$PDF" - | grep -q END-MARK; then endp=$p; fi
    done
    check_eq "the paragraph after it follows its last part" "$last" "$endp"
    if grep -q "taller than a page" "$TMP/stderr"; then not_ok "no block was cut" "$(cat "$TMP/stderr")"
    else ok "no block was cut"; fi
else
    not_ok "the PDF was written" "$(cat "$TMP/stderr")"
fi

# --- a split with no progress: the block moves whole -------------------------------------
cat >whole.lua <<'EOF'
doc:title(county.name .. "整块")
doc:add("test.rows", { rows = 20, row = 24, split = false })
doc:add("test.rows", { rows = 20, row = 24, split = false })
EOF
cb render --plugin "$SPLIT" --report whole.lua --out out-whole --county 500233
check_eq "render two blocks that never split: exit 0" 0 "$RC"
PDF=out-whole/500233-忠县.pdf
if [[ -f $PDF ]]; then
    rows_by_page "$PDF" >whole.txt
    # ROW-001..020 twice; each block on one page, the second on the page after the first
    pages=$(awk '{print $1}' whole.txt | uniq | tr '\n' ' ')
    check_eq "each block whole on its own page" "1 2 " "$pages"
    check_eq "40 rows" 40 "$(wc -l <whole.txt)"
else
    not_ok "the PDF was written" "$(cat "$TMP/stderr")"
fi

# --- a plugin built with the 1.1 header still loads and renders ---------------------------
CC=${CC:-cc}
LUA_CFLAGS=$(pkg-config --cflags lua5.4 2>/dev/null || true)
if ! command -v "$CC" >/dev/null || [[ -z $LUA_CFLAGS ]]; then
    skip "a plugin built with the 1.1 header loads" "no C compiler ($CC) or no pkg-config lua5.4"
else
    cat >old.c <<'EOF'
/* A block plugin as built with the 1.1 header: magic minor 1, cb_block_type version 1,
 * which ends at destroy. What follows it in memory is a trap the host must never take
 * for a split member. */
#include <stdio.h>
#include <stdlib.h>
#include "countybrief/plugin.h"
CB_PLUGIN_MAGIC_MINOR("old", "1.0.0", "built with the 1.1 header", 1)
typedef struct old_block_type { /* cb_block_type of ABI 1.0 and 1.1 */
    uint32_t version;
    const char *name;
    void *(*create)(lua_State *L, int opts, const cb_host_api *api);
    float (*measure)(void *state, const cb_host_api *api, const cb_canvas *c, float width);
    void (*draw)(void *state, const cb_host_api *api, cb_canvas *c, float width, float height);
    void (*destroy)(void *state);
} old_block_type;
static int trap(void) { fputs("old: SPLIT READ PAST A VERSION 1 STRUCT\n", stderr); abort(); }
static int state; /* the blocks keep nothing */
static void *create(lua_State *L, int opts, const cb_host_api *api) { (void)L; (void)opts; (void)api; return &state; }
static float measure(void *s, const cb_host_api *api, const cb_canvas *c, float w) { (void)s; (void)api; (void)c; (void)w; return 500; }
static void draw(void *s, const cb_host_api *api, cb_canvas *c, float w, float h)
{
    (void)s; (void)w;
    api->text(c, 6, h - 20, 10, 0, "OLD-BLOCK");
}
static const struct { old_block_type t; int (*after)(void); } OLD = {
    {1, "old.block", create, measure, draw, NULL}, trap};
int cb_plugin_init(cb_plugin *self, const cb_host_api *api, char **err)
{
    (void)err;
    return api->register_block(self, (const cb_block_type *)&OLD.t);
}
EOF
    # shellcheck disable=SC2086 # the flags are words
    if "$CC" -shared -fPIC -Wall -Wextra -o old.so old.c -I"$CB_SRC/core/include" $LUA_CFLAGS >old.log 2>&1; then
        cat >old.lua <<'EOF'
doc:title(county.name .. "旧插件")
doc:paragraph("前文。")
doc:add("old.block", {})
doc:add("old.block", {})
EOF
        cb plugins --plugin "$TMP/old.so"
        if grep -qE "^old +1\.0\.0 +\(ABI 1\.1\) " "$TMP/stdout"; then ok "the 1.1 plugin loads (ABI 1.1)"
        else not_ok "the 1.1 plugin loads (ABI 1.1)" "$(cat "$TMP/stdout" "$TMP/stderr")"; fi
        cb render --plugin "$TMP/old.so" --report old.lua --out out-old --county 500233
        check_eq "the 1.1 plugin's blocks render: exit 0" 0 "$RC"
        if has_text "$TMP/stderr" "SPLIT READ"; then not_ok "the host reads no split from a version 1 struct" "$(cat "$TMP/stderr")"
        else ok "the host reads no split from a version 1 struct"; fi
        if [[ -f out-old/500233-忠县.pdf ]]; then
            got=$(for p in 1 2; do
                pdftext -f "$p" -l "$p" out-old/500233-忠县.pdf - | grep -c OLD-BLOCK || true; done | tr '\n' ' ')
            check_eq "its two 500-point blocks each whole, one a page" "1 1 " "$got"
        fi
    else
        not_ok "the 1.1 plugin builds out of tree" "$(cat old.log)"
    fi
fi

finish
