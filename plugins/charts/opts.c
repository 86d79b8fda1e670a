/* opts.c: reading a chart's options from Lua, and freeing the chart.
 *
 * create() may raise a Lua error at any point (luaL_error longjmps), so the chart being
 * built is owned by a guard userdata until cx_commit: if the script's error abandons it,
 * the guard's __gc frees it (at the next collection, at the latest when the county's Lua
 * state closes). Everything read is stored in the chart as soon as it is allocated. */
#include "charts.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define GUARD_META "countybrief.charts.guard"

typedef struct guard { cx_chart *c; } guard;

void cx_free(cx_chart *c)
{
    if (!c) return;
    free(c->title);
    free(c->unit);
    for (size_t i = 0; c->x && i < c->nx; i++) free(c->x[i]);
    free(c->x);
    for (size_t i = 0; c->s && i < c->ns; i++) {
        free(c->s[i].name);
        free(c->s[i].v);
    }
    free(c->s);
    free(c->v);
    for (size_t i = 0; c->text && i < c->nv; i++) free(c->text[i]);
    free(c->text);
    free(c->label);
    free(c->value);
    free(c->center);
    free(c->total_label);
    free(c->other_label);
    free(c->empty_label);
    free(c);
}

static int guard_gc(lua_State *L)
{
    guard *g = luaL_checkudata(L, 1, GUARD_META);
    cx_free(g->c);
    g->c = NULL;
    return 0;
}

static void *xcalloc(lua_State *L, size_t n, size_t size)
{
    void *p = calloc(n ? n : 1, size);
    if (!p) luaL_error(L, "out of memory");
    return p;
}

char *cx_strdup(lua_State *L, const char *s)
{
    size_t n = strlen(s);
    char *p = xcalloc(L, n + 1, 1);
    memcpy(p, s, n);
    return p;
}

cx_chart *cx_begin(lua_State *L, int opts, cx_kind kind, const char *what, const char *const *keys,
                   const cb_host_api *api)
{
    /* unknown keys are typos: the host says so as it does for doc:table */
    api->check_options(L, opts, what, keys);
    guard *g = lua_newuserdatauv(L, sizeof *g, 0);
    g->c = NULL;
    if (luaL_newmetatable(L, GUARD_META)) {
        lua_pushcfunction(L, guard_gc);
        lua_setfield(L, -2, "__gc");
    }
    lua_setmetatable(L, -2);
    g->c = xcalloc(L, 1, sizeof *g->c);
    g->c->kind = kind;
    g->c->what = what;
    return g->c;
}

cx_chart *cx_commit(lua_State *L, cx_chart *c)
{
    guard *g = luaL_checkudata(L, -1, GUARD_META);
    g->c = NULL;
    lua_pop(L, 1);
    return c;
}

/* A string or number at idx, as text (integers without ".0"). */
static const char *as_text(lua_State *L, int idx, char *buf, size_t n)
{
    if (lua_type(L, idx) == LUA_TSTRING) return lua_tostring(L, idx);
    if (lua_isinteger(L, idx)) {
        snprintf(buf, n, "%lld", (long long)lua_tointeger(L, idx));
        return buf;
    }
    if (lua_type(L, idx) == LUA_TNUMBER) {
        snprintf(buf, n, "%.14g", (double)lua_tonumber(L, idx));
        return buf;
    }
    return NULL;
}

char *cx_opt_string(lua_State *L, int opts, const char *key, const cx_chart *c, int required)
{
    lua_getfield(L, opts, key);
    char buf[64];
    char *out = NULL;
    if (lua_isnil(L, -1)) {
        if (required) luaL_error(L, "%s: '%s' is required", c->what, key);
    } else {
        const char *s = as_text(L, -1, buf, sizeof buf);
        if (!s) luaL_error(L, "%s: '%s' must be a string, got %s", c->what, key, luaL_typename(L, -1));
        out = cx_strdup(L, s);
    }
    lua_pop(L, 1);
    return out;
}

int cx_opt_bool(lua_State *L, int opts, const char *key, const cx_chart *c)
{
    lua_getfield(L, opts, key);
    if (!lua_isnil(L, -1) && !lua_isboolean(L, -1))
        luaL_error(L, "%s: '%s' must be true or false, got %s", c->what, key, luaL_typename(L, -1));
    int v = lua_toboolean(L, -1);
    lua_pop(L, 1);
    return v;
}

float cx_opt_height(lua_State *L, int opts, const cx_chart *c, float def, float lo, float hi)
{
    lua_getfield(L, opts, "height");
    float h = def;
    if (!lua_isnil(L, -1)) {
        if (lua_type(L, -1) != LUA_TNUMBER)
            luaL_error(L, "%s: 'height' must be a number, got %s", c->what, luaL_typename(L, -1));
        double v = lua_tonumber(L, -1);
        if (!(v >= lo && v <= hi))
            luaL_error(L, "%s: 'height' must be from %d to %d points, got %s", c->what, (int)lo, (int)hi,
                       lua_tostring(L, -1));
        h = (float)v;
    }
    lua_pop(L, 1);
    return h;
}

/* The length of the list at idx: its largest integer key (so that nil gaps in the middle
 * count), or an error naming ctx if it has other keys. */
static size_t list_len(lua_State *L, int idx, const char *ctx)
{
    idx = lua_absindex(L, idx);
    lua_Integer max = 0;
    lua_pushnil(L);
    while (lua_next(L, idx)) {
        lua_pop(L, 1);
        if (!lua_isinteger(L, -1) || lua_tointeger(L, -1) < 1) {
            char buf[64];
            const char *k = as_text(L, -1, buf, sizeof buf);
            luaL_error(L, "%s must be a list, but has the key %s%s%s", ctx, k ? "'" : "a ",
                       k ? k : luaL_typename(L, -1), k ? "'" : "");
        }
        if (lua_tointeger(L, -1) > max) max = lua_tointeger(L, -1);
    }
    if (max > 100000) luaL_error(L, "%s has too many items (%I)", ctx, (lua_Integer)max);
    return (size_t)max;
}

void cx_read_labels(lua_State *L, int opts, const char *key, cx_chart *c)
{
    lua_getfield(L, opts, key);
    if (!lua_istable(L, -1))
        luaL_error(L, "%s: '%s' must be a list of labels, got %s", c->what, key, luaL_typename(L, -1));
    char ctx[64];
    snprintf(ctx, sizeof ctx, "%s: '%s'", c->what, key);
    size_t n = list_len(L, -1, ctx);
    c->x = xcalloc(L, n, sizeof *c->x);
    c->nx = n;
    for (size_t i = 0; i < n; i++) {
        lua_rawgeti(L, -1, (lua_Integer)i + 1);
        char buf[64];
        const char *s = as_text(L, -1, buf, sizeof buf);
        if (!s)
            luaL_error(L, "%s: '%s' item %d must be a string, got %s", c->what, key, (int)i + 1,
                       luaL_typename(L, -1));
        c->x[i] = cx_strdup(L, s);
        lua_pop(L, 1);
    }
    lua_pop(L, 1);
}

double *cx_read_values(lua_State *L, int idx, size_t *n, const char *ctx)
{
    idx = lua_absindex(L, idx);
    if (!lua_istable(L, idx))
        luaL_error(L, "%s must be a list of numbers, got %s", ctx, luaL_typename(L, idx));
    size_t len = list_len(L, idx, ctx);
    /* the array is anchored in a userdata while it is filled: a bad value raises */
    double *tmp = lua_newuserdatauv(L, (len ? len : 1) * sizeof *tmp, 0);
    for (size_t i = 0; i < len; i++) {
        lua_rawgeti(L, idx, (lua_Integer)i + 1);
        int t = lua_type(L, -1);
        if (t == LUA_TNUMBER) {
            double v = lua_tonumber(L, -1);
            tmp[i] = isfinite(v) ? v : NAN;
        } else if (t == LUA_TNIL || (t == LUA_TBOOLEAN && !lua_toboolean(L, -1))) {
            tmp[i] = NAN;
        } else {
            luaL_error(L, "%s: value %d must be a number (or false for a gap), got %s", ctx, (int)i + 1,
                       luaL_typename(L, -1));
        }
        lua_pop(L, 1);
    }
    double *out = xcalloc(L, len, sizeof *out);
    memcpy(out, tmp, len * sizeof *out);
    lua_pop(L, 1);
    *n = len;
    return out;
}

void cx_read_series(lua_State *L, int opts, cx_chart *c, const char *per)
{
    lua_getfield(L, opts, "series");
    if (!lua_istable(L, -1))
        luaL_error(L, "%s: 'series' must be a list of {name=, values=}, got %s", c->what, luaL_typename(L, -1));
    char ctx[256];
    snprintf(ctx, sizeof ctx, "%s: 'series'", c->what);
    size_t n = list_len(L, -1, ctx);
    c->s = xcalloc(L, n, sizeof *c->s);
    c->ns = n;
    for (size_t i = 0; i < n; i++) {
        lua_rawgeti(L, -1, (lua_Integer)i + 1);
        int si = lua_gettop(L);
        if (!lua_istable(L, si))
            luaL_error(L, "%s: series %d must be a table {name=, values=}, got %s", c->what, (int)i + 1,
                       luaL_typename(L, si));
        lua_getfield(L, si, "name");
        if (!lua_isnil(L, -1)) {
            char buf[64];
            const char *s = as_text(L, -1, buf, sizeof buf);
            if (!s) luaL_error(L, "%s: series %d: 'name' must be a string, got %s", c->what, (int)i + 1,
                               luaL_typename(L, -1));
            c->s[i].name = cx_strdup(L, s);
        }
        lua_pop(L, 1);
        lua_getfield(L, si, "values");
        snprintf(ctx, sizeof ctx, "%s: series %d%s%s%s 'values'", c->what, (int)i + 1,
                 c->s[i].name ? " (" : "", c->s[i].name ? c->s[i].name : "", c->s[i].name ? ")" : "");
        if (lua_isnil(L, -1)) luaL_error(L, "%s: series %d needs 'values', a list of numbers", c->what, (int)i + 1);
        size_t nv = 0;
        c->s[i].v = cx_read_values(L, -1, &nv, ctx);
        if (nv != c->nx)
            luaL_error(L, "%s: series %d has %d value%s for %d %s%s", c->what, (int)i + 1, (int)nv,
                       nv == 1 ? "" : "s", (int)c->nx, per,
                       nv < c->nx ? " (mark a missing value with false: a trailing nil is not counted)" : "");
        lua_pop(L, 2);
    }
    lua_pop(L, 1);
}
