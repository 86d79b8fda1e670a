/* lua_data.c: the data a report script sees (lua_int.h, docs/reports.md): `county` and
 * `data` in a run per county; `counties`, `data` and data.of(c) in a run over all. Rows
 * are built into Lua tables on first use of a table, then cached in the data table. */
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "data.h"
#include "lua_int.h"

static void push_value(lua_State *L, const cb_value *v)
{
    if (v->type == CB_T_NUMBER) {
        double d = v->num;
        if (d == (double)(lua_Integer)d && d > -9e15 && d < 9e15) lua_pushinteger(L, (lua_Integer)d);
        else lua_pushnumber(L, d);
    } else if (v->type == CB_T_TEXT) {
        lua_pushstring(L, v->text);
    } else {
        lua_pushnil(L);
    }
}

static void push_row(lua_State *L, const cb_table *t, size_t row)
{
    lua_createtable(L, 0, (int)t->ncols);
    for (size_t c = 0; c < t->ncols; c++) {
        const cb_value *v = cb_table_cell(t, row, c);
        if (v->type == CB_T_NULL) continue;
        push_value(L, v);
        lua_setfield(L, -2, t->cols[c]);
    }
}

static int size_cmp(const void *a, const void *b)
{
    size_t x = *(const size_t *)a, y = *(const size_t *)b;
    return x < y ? -1 : x > y;
}

/* The rows of table t that the selected counties own, and those that no county owns (an
 * empty county_id: a row about the whole issue, such as bulletin's), in file order, in a
 * userdata pushed on the stack (so a memory error leaks nothing); *n set. Every county
 * selected (which == NULL) or a shared table: all rows, returned as NULL with nothing
 * pushed. */
static const size_t *selected_rows(lua_State *L, const run_ctx *c, const cb_table *t, size_t *n)
{
    *n = t->nrows;
    if (!c->which || t->county_col < 0) return NULL;
    size_t *rows = lua_newuserdatauv(L, (t->nrows ? t->nrows : 1) * sizeof *rows, 0), k = 0;
    for (size_t i = 0; i < c->nwhich; i++) {
        const size_t *own;
        size_t m = cb_table_county_rows(t, c->which[i], &own);
        memcpy(rows + k, own, m * sizeof *own);
        k += m;
    }
    for (size_t r = 0; r < t->nrows; r++)
        if (cb_table_cell(t, r, (size_t)t->county_col)->type == CB_T_NULL) rows[k++] = r;
    qsort(rows, k, sizeof *rows, size_cmp);
    *n = k;
    return rows;
}

/* data.<name>: built on first use, then cached in the data table. Upvalue 1 is the county
 * whose rows it holds, or -1 for the rows of every county the report sees (scope "all"). */
static int data_index(lua_State *L)
{
    const char *name = luaL_checkstring(L, 2);
    run_ctx *c = cb_lua__ctx(L);
    lua_Integer county = lua_tointeger(L, lua_upvalueindex(1));
    const cb_table *t = cb_dataset_table(c->ds, name);
    if (!t) {
        lua_newtable(L); /* a table the data folder lacks reads as empty */
    } else {
        const size_t *rows;
        size_t n;
        if (county >= 0) n = cb_table_county_rows(t, (size_t)county, &rows);
        else rows = selected_rows(L, c, t, &n);
        lua_createtable(L, n > INT_MAX ? 0 : (int)n, 0);
        for (size_t i = 0; i < n; i++) {
            push_row(L, t, rows ? rows[i] : i);
            lua_rawseti(L, -2, (lua_Integer)i + 1);
        }
    }
    lua_pushvalue(L, 2);
    lua_pushvalue(L, -2);
    lua_rawset(L, 1);
    return 1;
}

/* Pushes an empty data table whose rows are those of county (-1: every county seen). */
static void push_data(lua_State *L, lua_Integer county)
{
    lua_newtable(L);
    lua_createtable(L, 0, 1);
    lua_pushinteger(L, county);
    lua_pushcclosure(L, data_index, 1);
    lua_setfield(L, -2, "__index");
    lua_setmetatable(L, -2);
}

/* 1 if county k is one of those the report sees. */
static int county_seen(const run_ctx *c, size_t k)
{
    if (!c->which) return 1;
    for (size_t i = 0; i < c->nwhich; i++)
        if (c->which[i] == k) return 1;
    return 0;
}

/* data.of(c): one county's rows, as `data` is in a report per county; c is a row of
 * `counties` or a county's id or name. Upvalue 1 caches the tables by county. */
static int data_of(lua_State *L)
{
    run_ctx *c = cb_lua__ctx(L);
    const char *key = NULL;
    if (lua_type(L, 1) == LUA_TTABLE) {
        lua_getfield(L, 1, "id");
        key = lua_tostring(L, -1);
        if (!key) return luaL_argerror(L, 1, "a county (a row of counties) has an 'id'");
    } else {
        key = luaL_checkstring(L, 1);
    }
    long k = cb_dataset_find_county(c->ds, key);
    if (k < 0 || !county_seen(c, (size_t)k))
        return luaL_error(L, "data.of: no county '%s' among this report's counties", key);
    if (lua_rawgeti(L, lua_upvalueindex(1), (lua_Integer)k + 1) != LUA_TNIL) return 1;
    lua_pop(L, 1);
    push_data(L, k);
    lua_pushvalue(L, -1);
    lua_rawseti(L, lua_upvalueindex(1), (lua_Integer)k + 1);
    return 1;
}

/* Pushes county k's row of counties.csv with its `id`. */
static void push_county(lua_State *L, const run_ctx *c, size_t k)
{
    push_row(L, c->ds->counties, k);
    lua_pushstring(L, cb_county_id(c->ds, k));
    lua_setfield(L, -2, "id");
}

/* The globals of a report over all counties: counties (the rows seen, in data order:
 * which is ascending) and data (their rows, and data.of). */
static void push_scope_all(lua_State *L, const run_ctx *c)
{
    size_t n = c->which ? c->nwhich : c->ds->ncounties;
    lua_createtable(L, n > INT_MAX ? 0 : (int)n, 0);
    for (size_t i = 0; i < n; i++) {
        push_county(L, c, c->which ? c->which[i] : i);
        lua_rawseti(L, -2, (lua_Integer)i + 1);
    }
    lua_setglobal(L, "counties");
    push_data(L, -1);
    lua_newtable(L);
    lua_pushcclosure(L, data_of, 1);
    lua_setfield(L, -2, "of");
    lua_setglobal(L, "data");
}


void cb_lua__open_data(lua_State *L, const run_ctx *c)
{
    if (c->all) {
        push_scope_all(L, c);
    } else {
        push_county(L, c, c->county);
        lua_setglobal(L, "county");
        push_data(L, (lua_Integer)c->county);
        lua_setglobal(L, "data");
    }
}
