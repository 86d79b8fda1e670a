/* init_fails: a plugin whose cb_plugin_init fails with its own message (allocated with
 * api->strdup, freed by the host) AFTER registering a block ("test.undone") and a Lua
 * module ("undonemod"). The loader must refuse it with "init failed" and the message, and
 * undo both registrations: a report using doc:add("test.undone") then fails with "no block
 * type", `require "undonemod"` finds nothing, and `countybrief plugins` lists neither. */
#include <lauxlib.h>

#include "countybrief/plugin.h"

CB_PLUGIN_MAGIC("init_fails", "1.0.0", "registers a block, then fails its init")

static void *undone_create(lua_State *L, int opts, const cb_host_api *api)
{
    (void)opts; (void)api;
    luaL_error(L, "test.undone: this block must never be reachable");
    return NULL;
}

static float undone_measure(void *state, const cb_host_api *api, const cb_canvas *c, float width)
{
    (void)state; (void)api; (void)c; (void)width;
    return 10;
}

static void undone_draw(void *state, const cb_host_api *api, cb_canvas *c, float w, float h)
{
    (void)state; (void)api; (void)c; (void)w; (void)h;
}

static const cb_block_type UNDONE = {CB_BLOCK_TYPE_VERSION, "test.undone", undone_create,
                                     undone_measure, undone_draw, NULL, NULL};

static int open_undonemod(lua_State *L)
{
    lua_newtable(L);
    return 1;
}

int cb_plugin_init(cb_plugin *self, const cb_host_api *api, char **err)
{
    int rc;
    if ((rc = api->register_block(self, &UNDONE)) != CB_OK) return rc;
    if ((rc = api->register_lua_module(self, "undonemod", open_undonemod)) != CB_OK) return rc;
    *err = api->strdup("init_fails: licence file missing (on purpose)");
    return CB_ENOTFOUND;
}
