#!/usr/bin/env bash
# plugin_builtin_names.sh: a plugin registering a block type under the name of a built-in
# block (doc:table is doc:add("table"), so the plugin's block could never be reached) is
# refused (core/plugin_registry.c): for every built-in's name (read from core/blocks.c's
# table, so a new built-in is covered too), a plugin built out of tree against the public
# header and registering that name is refused with exit 4 and one line naming the
# plugin's path and the name, listed as refused by `countybrief plugins`, and a report that
# loads it renders nothing. The same plugin under a name of its own loads.
set -euo pipefail
source "$(dirname "$0")/lib/common.bash"

command -v cc >/dev/null || { not_ok "cc is installed (build-essential, .ci/install-deps)"; finish || exit 1; }
mkdir -p "$TMP/none"
export COUNTYBRIEF_PLUGIN_DIR=$TMP/none
unset COUNTYBRIEF_PLUGIN_PATH
cd "$TMP"

# a plugin whose one block is named by CB_TEST_BLOCK_NAME at init
cat >clash.c <<'EOF'
#include <stdlib.h>
#include <countybrief/plugin.h>

CB_PLUGIN_MAGIC("clash", "1.0.0", "registers a block under the name CB_TEST_BLOCK_NAME gives")

static void *create(lua_State *L, int opts, const cb_host_api *api) { (void)L, (void)opts, (void)api; return NULL; }
static float measure(void *s, const cb_host_api *api, const cb_canvas *c, float w) { (void)s, (void)api, (void)c, (void)w; return 10; }
static void draw(void *s, const cb_host_api *api, cb_canvas *c, float w, float h) { (void)s, (void)api, (void)c, (void)w, (void)h; }
static cb_block_type type = {CB_BLOCK_TYPE_VERSION, NULL, create, measure, draw, NULL, NULL};

int cb_plugin_init(cb_plugin *self, const cb_host_api *api, char **err)
{
    (void)err;
    type.name = getenv("CB_TEST_BLOCK_NAME");
    return api->register_block(self, &type);
}
EOF
LUA_CFLAGS=$(pkg-config --cflags lua5.4 2>/dev/null || true)
# shellcheck disable=SC2086 # word splitting of the flags is meant
if ! cc -shared -fPIC -Wall -Wextra -Werror -I"$CB_SRC/core/include" $LUA_CFLAGS -o clash.so clash.c 2>cc.log; then
    not_ok "the plugin builds out of tree against core/include" "$(cat cc.log)"
    finish || exit 1
fi
SO=$(pwd -P)/clash.so

# the built-ins' names, as core/blocks.c's table gives them ([CB_BLOCK_X] = {"name", ...)
# and its shorthands of plugin blocks ({"barchart", "chart.bar", ...}: doc:add("barchart") is one)
mapfile -t names < <(grep -o '^ *\[CB_BLOCK_[A-Z]*\] = {"[a-z]*"' "$CB_SRC/core/blocks.c" | sed 's/.*{"//; s/"$//'
                     grep -o '^ *{"[a-z]*", "[a-z.]*", "[a-z]*"},' "$CB_SRC/core/blocks.c" | sed 's/^ *{"//; s/".*//')
check "core/blocks.c names the built-ins and shorthands (title, table, barchart, ...: ${#names[@]})" \
    test "${#names[@]}" -ge 11
printf 'doc:title("x")\n' >r.lua
for name in "${names[@]}"; do
    CB_TEST_BLOCK_NAME=$name cb plugins --plugin "$SO"
    check_eq "a block named '$name': refused, exit 4, one line naming the plugin and the name" \
        "4 countybrief: $SO: plugin 'clash': block '$name' is the name of a built-in block (doc:$name)" \
        "$RC $(cat "$TMP/stderr")"
    check_eq "... listed as refused" \
        "refused $SO: plugin 'clash': block '$name' is the name of a built-in block (doc:$name)" \
        "$(grep '^refused' "$TMP/stdout" || true)"
done
CB_TEST_BLOCK_NAME=table cb render --plugin "$SO" --report r.lua --county 500233 --out out --quiet
check_eq "render with it: exit 4, the one line, no PDF" \
    "4 1 0" "$RC $(wc -l <"$TMP/stderr") $(find out -name '*.pdf' 2>/dev/null | wc -l)"
CB_TEST_BLOCK_NAME=clash.box cb plugins --plugin "$SO"
check_eq "under a name of its own ('clash.box') it loads" "0 1" "$RC $(grep -c 'block  *clash.box' "$TMP/stdout")"

finish
