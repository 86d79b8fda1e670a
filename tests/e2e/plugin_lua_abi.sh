#!/usr/bin/env bash
# plugin_lua_abi.sh: a plugin shares lua_State* and Lua values with countybrief, so its magic
# (countybrief/plugin.h) names the Lua it was compiled against: LUA_VERSION_NUM and the sizes
# of lua_Number and lua_Integer. A plugin built against another Lua is refused like the
# other ABI refusals: exit status 4, ONE line naming the file, what it was built with and
# what countybrief has, listed as refused by `countybrief plugins`, none of its code run.
# A plugin whose magic predates those members (built with an older 1.x header) still loads.
#
# The plugins are built here, out of tree, with the C compiler and plugin.h alone, each
# faking one thing of its Lua before the header reads it.
set -euo pipefail
source "$(dirname "$0")/lib/common.bash"

CC=${CC:-cc}
command -v "$CC" >/dev/null || skip_all "no C compiler ($CC)"
LUA_CFLAGS=$(pkg-config --cflags lua5.4 2>/dev/null) || skip_all "no pkg-config lua5.4"
export COUNTYBRIEF_PLUGIN_DIR=$TMP/no-plugins
mkdir -p "$COUNTYBRIEF_PLUGIN_DIR"
unset COUNTYBRIEF_PLUGIN_PATH
cd "$TMP"

# build NAME FAKE [MAGIC]: NAME.so, a plugin named NAME whose C file has the lines FAKE after
# <lua.h>, before plugin.h, and the magic MAGIC written by hand (default: CB_PLUGIN_MAGIC);
# its init prints a marker no refused plugin may show
build() {
    local name=$1 fake=$2 magic=${3:-"CB_PLUGIN_MAGIC(\"$1\", \"1.0.0\", \"for plugin_lua_abi.sh\")"}
    cat >"$name.c" <<EOF
#include <stdio.h>
#include <lua.h>
$fake
#include "countybrief/plugin.h"
$magic
int cb_plugin_init(cb_plugin *self, const cb_host_api *api, char **err)
{
    (void)self; (void)api; (void)err;
    fputs("$name: PLUGIN CODE RAN\n", stderr);
    return CB_OK;
}
EOF
    # shellcheck disable=SC2086 # the flags are words
    if ! "$CC" -shared -fPIC -Wall -Wextra -Wno-missing-field-initializers -o "$name.so" "$name.c" \
        -I"$CB_SRC/core/include" $LUA_CFLAGS >"$name.log" 2>&1 || [[ -s $name.log ]]; then
        not_ok "$name.so builds out of tree without a warning" "$(cat "$name.log")"
        return 1
    fi
}

# refused NAME STRING...: `countybrief plugins --plugin NAME.so` exits 4 with one stderr line
# naming the file and holding every STRING; the plugin is listed as refused; none of its
# code ran
refused() {
    local name=$1 so=$TMP/$1.so s bad=""
    shift
    "$CB" plugins --plugin "$so" >stdout 2>stderr && RC=0 || RC=$?
    check_eq "$name: exit status 4" 4 "$RC"
    check_eq "$name: one line on stderr" 1 "$(grep -c . stderr || true)"
    for s in "$so: plugin '$name' was built against " "$@" "rebuild it"; do
        has_text stderr "$s" || bad+="lacks '$s'; "
    done
    if [[ -z $bad ]]; then ok "$name: the message names the file, its Lua and this countybrief's"
    else not_ok "$name: the message names the file, its Lua and this countybrief's" "$bad
$(cat stderr)"; fi
    if grep -qF "refused $so: " stdout; then ok "$name: \`plugins\` lists it as refused"
    else not_ok "$name: \`plugins\` lists it as refused" "$(cat stdout)"; fi
    if has_text stderr "PLUGIN CODE RAN"; then not_ok "$name: none of its code ran" "$(cat stderr)"
    else ok "$name: none of its code ran"; fi
}

# loads NAME: `countybrief plugins --plugin NAME.so` exits 0 and lists it as loaded
loads() {
    local so=$TMP/$1.so
    "$CB" plugins --plugin "$so" >stdout 2>stderr && RC=0 || RC=$?
    check_eq "$1: exit status 0" 0 "$RC"
    if grep -qE "^$1 +1\.0\.0 +\(ABI 1\.[0-9]+\) +$TMP/$1\.so\$" stdout; then ok "$1: loaded"
    else not_ok "$1: loaded" "$(cat stdout stderr)"; fi
}

HAS="this countybrief has Lua 5.4 with 8-byte numbers and 8-byte integers"

build same "" && loads same
build lua53 "#undef LUA_VERSION_NUM
#define LUA_VERSION_NUM 503" &&
    refused lua53 "Lua 5.3 with 8-byte numbers and 8-byte integers, but $HAS"
build lua55 "#undef LUA_VERSION_NUM
#define LUA_VERSION_NUM 505" &&
    refused lua55 "Lua 5.5 with 8-byte numbers and 8-byte integers, but $HAS"
build float "#define lua_Number float" &&
    refused float "Lua 5.4 with 4-byte numbers and 8-byte integers, but $HAS"
build int32 "#define lua_Integer int" &&
    refused int32 "Lua 5.4 with 8-byte numbers and 4-byte integers, but $HAS"
# a magic written by hand, positionally, as before: the new struct_size, no Lua members
build handmade "" '
CB_PLUGIN_EXPORT const cb_plugin_magic_info *cb_plugin_magic(void)
{
    static const cb_plugin_magic_info info = {sizeof(cb_plugin_magic_info), CB_PLUGIN_ABI_MAJOR,
                                              0, "handmade", "1.0.0", "no Lua members"};
    return &info;
}' && refused handmade "no Lua: its magic, written by hand, lacks CB_PLUGIN_LUA_ABI"

# a plugin built with the 1.1 header of before: its magic ends at description, its
# struct_size says so, and it loads unchecked
build old "" '
typedef struct old_magic {
    uint32_t struct_size;
    uint16_t abi_major, abi_minor;
    const char *name, *version, *description;
} old_magic;
CB_PLUGIN_EXPORT const old_magic *cb_plugin_magic(void)
{
    static const old_magic info = {sizeof(old_magic), 1, 1, "old", "1.0.0", "an old magic"};
    return &info;
}' && loads old

finish
