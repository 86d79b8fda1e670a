/* split: a block that splits across pages (plugin.h, "Blocks across pages"), for
 * tests/e2e/plugin_split.sh. Block test.rows draws `rows` rows of `row` points, each the
 * text ROW-nnn (numbered from 1); its split keeps whole rows, so a page break never cuts
 * one. With `split = false` it splits never (always "no progress"): it moves whole, or is
 * cut to a page when taller than one. */
#include <lauxlib.h>
#include <stdio.h>
#include <stdlib.h>

#include "countybrief/plugin.h"

CB_PLUGIN_MAGIC("split", "1.0.0", "a block that splits across pages")

typedef struct rows { int first, count, splits; float row; } rows;

static rows *rows_new(int first, int count, int splits, float row)
{
    rows *r = malloc(sizeof *r);
    if (r) *r = (rows){first, count, splits, row};
    return r;
}

static void *rows_create(lua_State *L, int opts, const cb_host_api *api)
{
    (void)api;
    lua_getfield(L, opts, "rows");
    lua_Integer n = luaL_optinteger(L, -1, 10);
    lua_getfield(L, opts, "row");
    float row = (float)luaL_optnumber(L, -1, 24);
    lua_getfield(L, opts, "split");
    int splits = lua_isnil(L, -1) || lua_toboolean(L, -1);
    if (n < 1 || n > 999 || !(row >= 12 && row <= 200)) luaL_error(L, "test.rows: 1 to 999 rows of 12 to 200 points");
    rows *r = rows_new(1, (int)n, splits, row);
    if (!r) luaL_error(L, "test.rows: out of memory");
    return r;
}

static float rows_measure(void *state, const cb_host_api *api, const cb_canvas *c, float width)
{
    (void)api; (void)c; (void)width;
    const rows *r = state;
    return r->row * (float)r->count;
}

static void rows_draw(void *state, const cb_host_api *api, cb_canvas *c, float w, float h)
{
    const rows *r = state;
    for (int i = 0; i < r->count; i++) {
        float top = h - r->row * (float)i;
        char label[32];
        snprintf(label, sizeof label, "ROW-%03d", r->first + i);
        api->set_stroke_rgb(c, 0.6f, 0.6f, 0.6f);
        api->rect(c, 0, top - r->row, w, r->row);
        api->stroke(c);
        api->set_fill_rgb(c, 0, 0, 0);
        api->text(c, 6, top - r->row / 2 - 4, 10, 0, label);
    }
}

static int rows_split(const void *state, const cb_host_api *api, const cb_canvas *c, float width,
                      float available, void **head, void **rest)
{
    (void)api; (void)c; (void)width;
    const rows *r = state;
    int k = (int)(available / r->row);
    if (!r->splits || k < 1 || k >= r->count) return 0; /* no progress */
    *head = rows_new(r->first, k, 1, r->row);
    *rest = rows_new(r->first + k, r->count - k, 1, r->row);
    if (*head && *rest) return 1;
    free(*head);
    free(*rest);
    return 0;
}

static const cb_block_type ROWS = {
    .version = CB_BLOCK_TYPE_VERSION, .name = "test.rows", .create = rows_create,
    .measure = rows_measure, .draw = rows_draw, .destroy = free, .split = rows_split,
};

int cb_plugin_init(cb_plugin *self, const cb_host_api *api, char **err)
{
    (void)err;
    return api->register_block(self, &ROWS);
}
