/* lua_fmt.c: see lua_fmt.h. */
#include "lua_fmt.h"

#include <lauxlib.h>

#include "numfmt.h"

/* decimals arguments: clamp so a silly value cannot overflow the int the C API takes
 * (numfmt clamps further to its own range) */
static int opt_decimals(lua_State *L, int arg, int def)
{
    lua_Integer d = luaL_optinteger(L, arg, def);
    if (d < 0) return 0;
    if (d > 100) return 100;
    return (int)d;
}

/* Every formatter fits the same shape so one push helper serves them all. */
typedef struct fmt_args {
    double value;
    int decimals;
    const char *unit, *qualifier;
} fmt_args;

typedef size_t (*fmt_fn)(char *out, size_t n, const fmt_args *a);

/* Formats into a stack buffer; a longer result (long unit strings) is formatted again
 * into a luaL_Buffer sized from the first call's return value, so nothing leaks if Lua
 * raises an error. */
static int push_formatted(lua_State *L, fmt_fn fn, const fmt_args *a)
{
    char small[128];
    size_t need = fn(small, sizeof small, a);
    if (need < sizeof small) {
        lua_pushlstring(L, small, need);
        return 1;
    }
    luaL_Buffer b;
    char *p = luaL_buffinitsize(L, &b, need + 1);
    fn(p, need + 1, a);
    luaL_pushresultsize(&b, need);
    return 1;
}

static size_t do_yuan(char *o, size_t n, const fmt_args *a)
{
    return cb_fmt_yuan(o, n, a->value);
}
static size_t do_wan(char *o, size_t n, const fmt_args *a)
{
    return cb_fmt_wan(o, n, a->value);
}
static size_t do_count(char *o, size_t n, const fmt_args *a)
{
    return cb_fmt_count(o, n, a->value, a->unit, a->qualifier);
}
static size_t do_en_yuan(char *o, size_t n, const fmt_args *a)
{
    return cb_fmt_en_yuan(o, n, a->value);
}
static size_t do_en_count(char *o, size_t n, const fmt_args *a)
{
    return cb_fmt_en_count(o, n, a->value, a->unit, a->qualifier);
}
static size_t do_percent(char *o, size_t n, const fmt_args *a)
{
    return cb_fmt_percent(o, n, a->value, a->decimals);
}
static size_t do_thousands(char *o, size_t n, const fmt_args *a)
{
    return cb_fmt_thousands(o, n, a->value, a->decimals);
}
static size_t do_decimal(char *o, size_t n, const fmt_args *a)
{
    return cb_fmt_decimal(o, n, a->value, a->decimals);
}

static int l_yuan(lua_State *L)
{
    fmt_args a = {luaL_checknumber(L, 1), 0, NULL, NULL};
    return push_formatted(L, do_yuan, &a);
}

static int l_wan(lua_State *L)
{
    fmt_args a = {luaL_checknumber(L, 1), 0, NULL, NULL};
    return push_formatted(L, do_wan, &a);
}

static int l_en_yuan(lua_State *L)
{
    fmt_args a = {luaL_checknumber(L, 1), 0, NULL, NULL};
    return push_formatted(L, do_en_yuan, &a);
}

/* fmt.count's arguments, in either language */
static int push_count(lua_State *L, fmt_fn fn)
{
    /* separate statements: initializer order is unspecified, and argument #1 should be
     * the one reported when several are wrong */
    fmt_args a = {luaL_checknumber(L, 1), 0, NULL, NULL};
    a.unit = luaL_optstring(L, 2, NULL);
    a.qualifier = luaL_optstring(L, 3, NULL);
    return push_formatted(L, fn, &a);
}

static int l_count(lua_State *L) { return push_count(L, do_count); }
static int l_en_count(lua_State *L) { return push_count(L, do_en_count); }

static int l_percent(lua_State *L)
{
    fmt_args a = {luaL_checknumber(L, 1), 0, NULL, NULL};
    a.decimals = opt_decimals(L, 2, 1);
    return push_formatted(L, do_percent, &a);
}

static int l_thousands(lua_State *L)
{
    fmt_args a = {luaL_checknumber(L, 1), 0, NULL, NULL};
    a.decimals = opt_decimals(L, 2, 0);
    return push_formatted(L, do_thousands, &a);
}

static int l_decimal(lua_State *L)
{
    fmt_args a = {luaL_checknumber(L, 1), 0, NULL, NULL};
    a.decimals = opt_decimals(L, 2, 2);
    return push_formatted(L, do_decimal, &a);
}

static const luaL_Reg fmt_funcs[] = {
    {"yuan", l_yuan},
    {"wan", l_wan},
    {"count", l_count},
    {"percent", l_percent},
    {"thousands", l_thousands},
    {"decimal", l_decimal},
    {NULL, NULL},
};

int cb_lua_open_fmt(lua_State *L)
{
    luaL_newlib(L, fmt_funcs);
    return 1;
}

int cb_lua_open_fmt_en(lua_State *L)
{
    cb_lua_open_fmt(L);
    lua_pushcfunction(L, l_en_yuan);
    lua_setfield(L, -2, "yuan");
    lua_pushcfunction(L, l_en_count);
    lua_setfield(L, -2, "count");
    return 1;
}
