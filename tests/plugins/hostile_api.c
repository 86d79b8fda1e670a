/* hostile_api: a plugin that hands the host API bad values, for cover_plugins.sh. What its
 * cb_plugin_magic and init do is chosen by the environment variable CB_TEST_HOSTILE_API (the
 * probe child and the loader see the same environment):
 *   (unset)       loads: block hostile.draw (draws with NaN, infinite, negative and out of
 *                 range values, then a label), data sources "hostile" (scheme hostile:, cells
 *                 that are NaN, empty or NULL) and "hostext" (extension .hostext, scheme
 *                 hostext:, its load returns a positive code without a message)
 *   no_info       cb_plugin_magic returns NULL          -> refused
 *   short_info    a struct_size too small                -> refused
 *   bad_name      the plugin's name holds a space        -> refused
 *   block_name    a block named "bad name"               -> refused, naming the block
 *   module_name   a Lua module named "bad/mod"           -> refused, naming the module
 *   module_twice  the Lua module "hmod" registered twice -> refused (already registered)
 *   source_none   a data source with neither scheme nor extension -> refused
 *   source_ext    two data sources of extension .abc and .ABC -> refused, naming .ABC
 *   source_scheme a data source of scheme sqlite (the sqlite plugin's) -> refused, naming it
 *   fail_silent   init returns an error and no message    -> refused, with the code
 */
#include <lauxlib.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "countybrief/plugin.h"

static const char *mode(void)
{
    const char *m = getenv("CB_TEST_HOSTILE_API");
    return m ? m : "";
}

CB_PLUGIN_EXPORT const cb_plugin_magic_info *cb_plugin_magic(void)
{
    static cb_plugin_magic_info info = {sizeof(cb_plugin_magic_info), CB_PLUGIN_ABI_MAJOR,
                                        CB_PLUGIN_ABI_MINOR, "hostile_api", "1.0.0", NULL,
                                        CB_PLUGIN_LUA_ABI};
    if (strcmp(mode(), "no_info") == 0) return NULL;
    if (strcmp(mode(), "short_info") == 0) info.struct_size = 8;
    if (strcmp(mode(), "bad_name") == 0) info.name = "hostile api";
    return &info;
}

static void *draw_create(lua_State *L, int opts, const cb_host_api *api)
{
    (void)L; (void)opts; (void)api;
    static int state;
    return &state;
}

static float draw_measure(void *state, const cb_host_api *api, const cb_canvas *c, float width)
{
    (void)state; (void)width;
    /* widths of nothing measurable are 0 */
    if (api->text_width(c, 12, NULL) != 0 || api->text_width(c, NAN, "x") != 0 ||
        api->text_width(c, -1, "x") != 0)
        return 1000; /* a page and more: the test would see it */
    return 60;
}

static void draw_draw(void *state, const cb_host_api *api, cb_canvas *c, float w, float h)
{
    (void)state;
    float nan = NAN, inf = INFINITY;
    api->fill(c); /* no path yet: nothing painted */
    api->set_fill_rgb(c, nan, -1, 2);
    api->set_stroke_rgb(c, inf, 0.5f, -inf);
    api->set_line_width(c, nan);
    api->set_line_width(c, -3);
    api->set_dash(c, nan, -1);
    api->move_to(c, nan, 0);
    api->line_to(c, inf, h);
    api->curve_to(c, 0, nan, w, -inf, nan, nan);
    api->close_path(c);
    api->stroke(c);
    api->rect(c, 0, 0, nan, inf);
    api->fill_stroke(c);
    api->set_dash(c, 2, 1);
    api->rect(c, 1, 1, w - 2, h - 2);
    api->stroke(c);
    /* no current point: lineto, curveto and closepath are left out, and the path with them */
    api->line_to(c, 5, 5);
    api->curve_to(c, 1, 1, 2, 2, 3, 3);
    api->close_path(c);
    api->fill(c);
    /* beyond what a PDF can hold: clamped to 1e7; a dash under 1 pt is 1 pt, no gap: solid */
    api->set_dash(c, 0.3f, 0);
    api->move_to(c, 0, 0);
    api->line_to(c, 1e9f, -1e9f);
    api->stroke(c);
    api->text(c, 0, 0, 12, 0, NULL);
    api->text(c, 0, 0, 12, 0, "");
    api->text(c, 0, 0, nan, 0, "nan size");
    api->text(c, 0, 0, -4, 0, "negative size");
    api->text(c, 0, 0, 12, 0, "bad \xff utf-8");
    api->set_fill_rgb(c, 0, 0, 0);
    api->text(c, nan, inf, 12, 0, "hostile-origin");
    api->text(c, w, h / 2, 12, 2, "hostile-right");
}

static const cb_block_type DRAW = {CB_BLOCK_TYPE_VERSION, "hostile.draw", draw_create,
                                   draw_measure, draw_draw, NULL, NULL};

/* hostile:N: two counties; their values a NaN, an empty text and a NULL text (all empty) */
static int src_load(const char *location, cb_table_sink *sink, const cb_host_api *api, char **err)
{
    (void)location; (void)err;
    const char *ccols[] = {"county_id", "name"};
    api->table_begin(sink, "counties", NULL, 2, ccols);
    cb_cell r1[] = {{CB_CELL_TEXT, 0, "1"}, {CB_CELL_TEXT, 0, "甲县"}};
    cb_cell r2[] = {{CB_CELL_TEXT, 0, "2"}, {CB_CELL_TEXT, 0, "乙县"}};
    api->table_row(sink, r1, 1);
    api->table_row(sink, r2, 2);
    api->table_end(sink);
    const char *icols[] = {"county_id", "a", "b", "c"};
    api->table_begin(sink, "values", "hostile values", 4, icols);
    cb_cell v1[] = {{CB_CELL_TEXT, 0, "1"}, {CB_CELL_NUMBER, NAN, NULL}, {CB_CELL_TEXT, 0, ""},
                    {CB_CELL_TEXT, 0, NULL}};
    cb_cell v2[] = {{CB_CELL_TEXT, 0, "2"}, {CB_CELL_NUMBER, 7, NULL}, {CB_CELL_TEXT, 0, "t"},
                    {CB_CELL_NUMBER, INFINITY, NULL}};
    api->table_row(sink, v1, 1);
    api->table_row(sink, v2, 2);
    return api->table_end(sink);
}

static int ext_load(const char *location, cb_table_sink *sink, const cb_host_api *api, char **err)
{
    (void)location; (void)sink; (void)api; (void)err;
    return 1; /* not a CB_E* code, no message */
}

static const cb_source_type SRC = {CB_SOURCE_TYPE_VERSION, "hostile", "hostile", NULL, src_load};
static const cb_source_type EXT = {CB_SOURCE_TYPE_VERSION, "hostext", "hostext", ".hostext", ext_load};

static int open_hmod(lua_State *L)
{
    lua_newtable(L);
    return 1;
}

int cb_plugin_init(cb_plugin *self, const cb_host_api *api, char **err)
{
    (void)err;
    const char *m = mode();
    if (strcmp(m, "block_name") == 0) {
        static const cb_block_type BAD = {CB_BLOCK_TYPE_VERSION, "bad name", draw_create,
                                          draw_measure, draw_draw, NULL, NULL};
        (void)api->register_block(self, &BAD);
        return CB_OK; /* the loader refuses it anyway */
    }
    if (strcmp(m, "module_name") == 0) return api->register_lua_module(self, "bad/mod", open_hmod);
    if (strcmp(m, "module_twice") == 0) {
        (void)api->register_lua_module(self, "hmod", open_hmod);
        return api->register_lua_module(self, "hmod", open_hmod);
    }
    if (strcmp(m, "source_none") == 0) {
        static const cb_source_type NONE = {CB_SOURCE_TYPE_VERSION, "nowhere", NULL, NULL, src_load};
        return api->register_source(self, &NONE);
    }
    if (strcmp(m, "source_ext") == 0) {
        static const cb_source_type A = {CB_SOURCE_TYPE_VERSION, "lower", NULL, ".abc", src_load};
        static const cb_source_type B = {CB_SOURCE_TYPE_VERSION, "upper", NULL, ".ABC", src_load};
        (void)api->register_source(self, &A);
        return api->register_source(self, &B);
    }
    if (strcmp(m, "source_scheme") == 0) {
        static const cb_source_type S = {CB_SOURCE_TYPE_VERSION, "mysqlite", "sqlite", NULL, src_load};
        return api->register_source(self, &S);
    }
    if (strcmp(m, "fail_silent") == 0) return CB_EDATA;
    int rc;
    if ((rc = api->register_block(self, &DRAW)) != CB_OK) return rc;
    if ((rc = api->register_source(self, &SRC)) != CB_OK) return rc;
    return api->register_source(self, &EXT);
}
