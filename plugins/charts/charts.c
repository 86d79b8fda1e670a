/* charts.c: the charts plugin's registration: five block types and the Lua module
 * `charts`. Block state is a cx_chart (opts.c); the kinds draw in line.c, pie.c, bar.c,
 * hbar.c and spark.c. */
#include "charts.h"

#include <math.h>
#include <string.h>

/* runs on hosts from ABI 1.2 on; their alternative text (1.3) only where the host has it */
CB_PLUGIN_MAGIC_MINOR("charts", "1.0.0", "charts: chart.line, chart.pie, chart.stacked, chart.bar, chart.sparkline; module charts",
                      2)

/* A chart's height is its option's, but a bar chart's, which its labels make. */
static float measure(void *state, const cb_host_api *api, const cb_canvas *c, float width)
{
    const cx_chart *ch = state;
    if (ch && ch->kind == CX_BAR) return cx_bar_measure(ch, api, c, width);
    return ch ? ch->height : 0;
}

static void destroy(void *state) { cx_free(state); }

/* Every kind says what it shows (alt.c), then draws. */
static void draw(void *state, const cb_host_api *api, cb_canvas *cv, float w, float h)
{
    static void (*const by_kind[])(void *, const cb_host_api *, cb_canvas *, float, float) = {
        [CX_LINE] = cx_line_draw, [CX_PIE] = cx_pie_draw, [CX_STACKED] = cx_stacked_draw, [CX_SPARK] = cx_spark_draw,
        [CX_BAR] = cx_bar_draw};
    cx_chart *c = state;
    if (!c) return;
    cx_describe(api, cv, c);
    by_kind[c->kind](state, api, cv, w, h);
}

static const cb_block_type BLOCKS[] = {
    {CB_BLOCK_TYPE_VERSION, "chart.line", cx_line_create, measure, draw, destroy, NULL},
    {CB_BLOCK_TYPE_VERSION, "chart.pie", cx_pie_create, measure, draw, destroy, NULL},
    {CB_BLOCK_TYPE_VERSION, "chart.stacked", cx_stacked_create, measure, draw, destroy, NULL},
    {CB_BLOCK_TYPE_VERSION, "chart.bar", cx_bar_create, measure, draw, destroy, NULL},
    {CB_BLOCK_TYPE_VERSION, "chart.sparkline", cx_spark_create, measure, draw, destroy, NULL},
};

const cb_block_type *cx_block_type(const char *name)
{
    for (size_t i = 0; i < sizeof BLOCKS / sizeof BLOCKS[0]; i++)
        if (strcmp(BLOCKS[i].name, name) == 0) return &BLOCKS[i];
    return NULL;
}

/* ------------------------------------------------------------------ module charts */

/* The host's API table, for the module's functions, which Lua calls without it: one table
 * per process, constant, the same every init is given. */
static const cb_host_api *HOST;

/* Whole numbers as Lua integers, so that string.format("%d", step) works. */
static void push_num(lua_State *L, double v)
{
    if (v == floor(v) && fabs(v) < 9007199254740992.0) lua_pushinteger(L, (lua_Integer)v);
    else lua_pushnumber(L, v);
}

static int opt_steps(lua_State *L, int arg)
{
    lua_Integer steps = luaL_optinteger(L, arg, 5);
    luaL_argcheck(L, steps >= 1 && steps <= 100, arg, "steps must be from 1 to 100");
    return (int)steps;
}

/* charts.nice_ticks(max [, steps = 5]) -> step, count: ticks 0, step, ... count*step >= max,
 * the same as doc:barchart's axis. */
static int l_nice_ticks(lua_State *L)
{
    double max = luaL_checknumber(L, 1);
    int steps = opt_steps(L, 2), n;
    double step;
    HOST->nice_ticks(max, steps, &step, &n);
    push_num(L, step);
    lua_pushinteger(L, n);
    return 2;
}

/* charts.nice_range(min, max [, steps = 5]) -> lo, step, count: ticks lo + k*step for
 * k = 0..count covering [min, max] and 0, as chart.line's value axis. */
static int l_nice_range(lua_State *L)
{
    double lo = luaL_checknumber(L, 1), hi = luaL_checknumber(L, 2);
    int steps = opt_steps(L, 3), n;
    luaL_argcheck(L, isfinite(lo), 1, "min must be a finite number");
    luaL_argcheck(L, isfinite(hi), 2, "max must be a finite number");
    luaL_argcheck(L, lo <= hi, 2, "max must not be less than min");
    double first, step;
    cx_nice_range(HOST, fmin(lo, 0), fmax(hi, 0), steps, &first, &step, &n);
    push_num(L, first);
    push_num(L, step);
    lua_pushinteger(L, n);
    return 3;
}

static int open_charts(lua_State *L)
{
    static const luaL_Reg fns[] = {{"nice_ticks", l_nice_ticks}, {"nice_range", l_nice_range}, {NULL, NULL}};
    luaL_newlib(L, fns);
    lua_pushliteral(L, "1.0.0");
    lua_setfield(L, -2, "version");
    return 1;
}

int cb_plugin_init(cb_plugin *self, const cb_host_api *api, char **err)
{
    (void)err;
    int rc;
    HOST = api;
    for (size_t i = 0; i < sizeof BLOCKS / sizeof BLOCKS[0]; i++)
        if ((rc = api->register_block(self, &BLOCKS[i])) != CB_OK) return rc;
    return api->register_lua_module(self, "charts", open_charts);
}
