/* lua_base.c: the base library's functions that report scripts get in countybrief's own
 * version (lua_int.h), as lbaselib.c's: spairs, print, collectgarbage and warn's output. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lua_int.h"

/* spairs(t): iterate in sorted key order (numbers, then strings, then false and true, then
 * the rest). Every type has its rank, so the order is total (else it would follow the
 * table's hash order, which may differ from run to run). */
static int spairs_rank(int type)
{
    return type == LUA_TNUMBER ? 0 : type == LUA_TSTRING ? 1 : type == LUA_TBOOLEAN ? 2 : 3;
}

static int spairs_cmp(lua_State *L)
{
    int ta = lua_type(L, 1), tb = lua_type(L, 2);
    if (ta != tb) lua_pushboolean(L, spairs_rank(ta) < spairs_rank(tb));
    else if (ta == LUA_TNUMBER || ta == LUA_TSTRING) lua_pushboolean(L, lua_compare(L, 1, 2, LUA_OPLT));
    else lua_pushboolean(L, ta == LUA_TBOOLEAN && !lua_toboolean(L, 1) && lua_toboolean(L, 2));
    return 1;
}

static int spairs_next(lua_State *L)
{
    /* upvalues: 1 = table, 2 = sorted keys, 3 = position */
    lua_Integer i = lua_tointeger(L, lua_upvalueindex(3)) + 1;
    lua_pushinteger(L, i);
    lua_replace(L, lua_upvalueindex(3));
    if (lua_rawgeti(L, lua_upvalueindex(2), i) == LUA_TNIL) return 1;
    lua_pushvalue(L, -1);
    lua_gettable(L, lua_upvalueindex(1));
    return 2;
}

int cb_lua__spairs(lua_State *L)
{
    luaL_checktype(L, 1, LUA_TTABLE);
    lua_newtable(L);
    lua_Integer n = 0;
    lua_pushnil(L);
    while (lua_next(L, 1)) {
        lua_pop(L, 1);
        lua_pushvalue(L, -1);
        lua_rawseti(L, 2, ++n);
    }
    /* table.sort(keys, spairs_cmp) */
    lua_getglobal(L, "table");
    lua_getfield(L, -1, "sort");
    lua_pushvalue(L, 2);
    lua_pushcfunction(L, spairs_cmp);
    lua_call(L, 2, 0);
    lua_pop(L, 1);
    lua_pushvalue(L, 1);
    lua_pushvalue(L, 2);
    lua_pushinteger(L, 0);
    lua_pushcclosure(L, spairs_next, 3);
    return 1;
}

/* print: to stderr, one line cleaned (util.h: cb_clean) and capped at CB_CLEAN_MAX. */
int cb_lua__print(lua_State *L)
{
    if (cb_lua__ctx(L)->needs_out) return 0; /* reading the needs declaration: silent */
    int n = lua_gettop(L);
    luaL_checkstack(L, n, "too many arguments to print"); /* a C function is promised 20 slots */
    for (int i = 1; i <= n; i++) luaL_tolstring(L, i, NULL); /* first: they may raise */
    cb_buf b = {0};
    size_t more = 0;
    for (int i = 1; i <= n; i++) {
        size_t len;
        const char *s = lua_tolstring(L, n + i, &len);
        if (more) more += len + (i > 1);
        else if (i > 1 && b.len + 1 > CB_CLEAN_MAX) more = len + 1;
        else {
            if (i > 1) cb_buf_add(&b, "\t", 1);
            more = cb_buf_add_clean(&b, s, len, CB_CLEAN_MAX);
        }
    }
    if (more) cb_buf_addf(&b, "… %zu byte%s more", more, more == 1 ? "" : "s");
    fprintf(stderr, "%s\n", b.s ? b.s : "");
    cb_buf_free(&b);
    return 0;
}

/* collectgarbage: "count" as usual; "collect" and "step" do nothing (Lua collects by itself,
 * and fully before it refuses memory); anything else would change how the collector runs
 * and is refused. */
int cb_lua__collectgarbage(lua_State *L)
{
    const char *opt = luaL_optstring(L, 1, "collect");
    if (strcmp(opt, "count") == 0) {
        int kb = lua_gc(L, LUA_GCCOUNT), bytes = lua_gc(L, LUA_GCCOUNTB);
        lua_pushnumber(L, (lua_Number)kb + (lua_Number)bytes / 1024);
        return 1;
    }
    if (strcmp(opt, "collect") == 0) {
        lua_pushinteger(L, 0);
        return 1;
    }
    if (strcmp(opt, "step") == 0) {
        lua_pushboolean(L, 0);
        return 1;
    }
    return luaL_error(L, "collectgarbage(\"%s\") is not available in report scripts (only \"count\"; "
                      "\"collect\" and \"step\" do nothing)", opt);
}


/* warn(): off until warn("@on"), then "Lua warning: ..." on stderr, as in the lua program. */
void cb_lua__on_warn(void *ud, const char *msg, int tocont)
{
    run_ctx *c = ud;
    if (!c->warn_cont && msg[0] == '@') {
        if (strcmp(msg, "@on") == 0) c->warn_on = 1;
        else if (strcmp(msg, "@off") == 0) c->warn_on = 0;
        return;
    }
    if (c->warn_on) {
        /* the message whole, in one write: workers share stderr, and pieces written one by
         * one came out inside another worker's lines */
        if (!c->warn_cont) c->warn_len = (size_t)snprintf(c->warn_line, sizeof c->warn_line, "Lua warning: ");
        char *clean = cb_clean(msg);
        size_t n = strlen(clean), room = sizeof c->warn_line - 1 - c->warn_len; /* 1: the newline */
        if (n > room) {
            n = room;
            while (n && (clean[n] & 0xC0) == 0x80) n--; /* never half a character */
        }
        memcpy(c->warn_line + c->warn_len, clean, n);
        c->warn_len += n;
        free(clean);
        if (!tocont) {
            c->warn_line[c->warn_len++] = '\n';
            fwrite(c->warn_line, 1, c->warn_len, stderr);
        }
    }
    c->warn_cont = tocont;
}
