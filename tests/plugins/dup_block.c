/* dup_block: a plugin registering the block "test.box" that `good` (good.c) also registers.
 * Loaded after good, it must be refused with a message naming the block and the plugin that
 * holds it ("block 'test.box' is already registered by plugin 'good' (PATH)"), and the block
 * it registered first ("test.dupextra") must be undone while good's test.box keeps working.
 * Its init ignores register_block's result and returns CB_OK: the loader must refuse it
 * anyway, from the conflict it noted. */
#include <lauxlib.h>

#include "countybrief/plugin.h"

CB_PLUGIN_MAGIC("dup_block", "1.0.0", "registers a block name that good also registers")

static void *dup_create(lua_State *L, int opts, const cb_host_api *api)
{
    (void)opts; (void)api;
    luaL_error(L, "dup_block: this block must never be reachable");
    return NULL;
}

static float dup_measure(void *state, const cb_host_api *api, const cb_canvas *c, float width)
{
    (void)state; (void)api; (void)c; (void)width;
    return 10;
}

static void dup_draw(void *state, const cb_host_api *api, cb_canvas *c, float w, float h)
{
    (void)state; (void)api; (void)c; (void)w; (void)h;
}

static const cb_block_type EXTRA = {CB_BLOCK_TYPE_VERSION, "test.dupextra", dup_create,
                                    dup_measure, dup_draw, NULL, NULL};
static const cb_block_type BOX = {CB_BLOCK_TYPE_VERSION, "test.box", dup_create, dup_measure,
                                  dup_draw, NULL, NULL};

int cb_plugin_init(cb_plugin *self, const cb_host_api *api, char **err)
{
    (void)err;
    int rc = api->register_block(self, &EXTRA);
    if (rc != CB_OK) return rc;
    (void)api->register_block(self, &BOX); /* CB_EEXIST when good is loaded: ignored on purpose */
    return CB_OK;
}
