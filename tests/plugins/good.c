/* A minimal plugin for the loader tests: one block ("test.box"), one Lua module
 * ("testmod"), one data source (scheme "testsrc"). */
#include <lauxlib.h>
#include <stdlib.h>

#include "countybrief/plugin.h"

CB_PLUGIN_MAGIC("good", "1.0.0", "loader test plugin")

typedef struct box { float h; char *label; const cb_host_api *api; } box;

static void *box_create(lua_State *L, int opts, const cb_host_api *api)
{
    lua_getfield(L, opts, "height");
    float h = (float)luaL_optnumber(L, -1, 40);
    lua_getfield(L, opts, "label");
    const char *label = luaL_optstring(L, -1, "box");
    if (h <= 0) luaL_error(L, "test.box: height must be positive");
    box *b = malloc(sizeof *b);
    if (!b) luaL_error(L, "test.box: out of memory");
    b->h = h;
    b->label = api->strdup(label); /* host memory: released with api->free */
    b->api = api;
    return b;
}

static float box_measure(void *state, const cb_host_api *api, const cb_canvas *c, float width)
{
    (void)api; (void)c; (void)width;
    return ((box *)state)->h;
}

static void box_draw(void *state, const cb_host_api *api, cb_canvas *c, float w, float h)
{
    box *b = state;
    api->set_fill_rgb(c, 0.9f, 0.3f, 0.2f);
    api->set_stroke_rgb(c, 0, 0, 0);
    api->set_line_width(c, 1);
    api->rect(c, 0, 0, w, h);
    api->fill_stroke(c);
    api->set_fill_rgb(c, 1, 1, 1);
    api->text(c, w / 2, h / 2 - 4, 12, 1, b->label);
}

static void box_destroy(void *state)
{
    box *b = state;
    b->api->free(b->label);
    free(b);
}

static const cb_block_type BOX = {CB_BLOCK_TYPE_VERSION, "test.box", box_create, box_measure,
                                  box_draw, box_destroy, NULL};

static int l_double(lua_State *L)
{
    lua_pushnumber(L, 2 * luaL_checknumber(L, 1));
    return 1;
}

static int open_testmod(lua_State *L)
{
    lua_newtable(L);
    lua_pushcfunction(L, l_double);
    lua_setfield(L, -2, "double");
    return 1;
}

/* testsrc:N gives two counties and N indicator rows each */
static int src_load(const char *location, cb_table_sink *sink, const cb_host_api *api, char **err)
{
    int n = atoi(location);
    if (n < 0) {
        *err = api->strdup("testsrc: N must not be negative");
        return CB_EDATA;
    }
    const char *ccols[] = {"county_id", "name"};
    api->table_begin(sink, "counties", "testsrc counties", 2, ccols);
    cb_cell r1[] = {{CB_CELL_TEXT, 0, "1"}, {CB_CELL_TEXT, 0, "甲县"}};
    cb_cell r2[] = {{CB_CELL_TEXT, 0, "2"}, {CB_CELL_TEXT, 0, "乙县"}};
    api->table_row(sink, r1, 1);
    api->table_row(sink, r2, 2);
    api->table_end(sink);
    const char *icols[] = {"county_id", "value"};
    api->table_begin(sink, "values", "testsrc values", 2, icols);
    for (int i = 0; i < 2 * n; i++) {
        cb_cell r[] = {{CB_CELL_TEXT, 0, i % 2 ? "2" : "1"}, {CB_CELL_NUMBER, i, NULL}};
        if (api->table_row(sink, r, (size_t)i + 1) != CB_OK) return CB_EDATA;
    }
    return api->table_end(sink);
}

static const cb_source_type SRC = {CB_SOURCE_TYPE_VERSION, "testsrc", "testsrc", NULL, src_load};

int cb_plugin_init(cb_plugin *self, const cb_host_api *api, char **err)
{
    (void)err;
    int rc;
    if ((rc = api->register_block(self, &BOX)) != CB_OK) return rc;
    if ((rc = api->register_lua_module(self, "testmod", open_testmod)) != CB_OK) return rc;
    return api->register_source(self, &SRC);
}
