/* mut_blocks: registers the block "test.mutone" twice, then a block type of version 0, and
 * says with api->warn how each registration was answered, for tests/e2e/mut_plugins.sh:
 * the second test.mutone must be refused as a duplicate (it is the last one registered,
 * where a loop that stops one short would miss it) and the version-0 type as incomplete.
 * Either refusal makes the loader refuse the plugin. */
#include <stdio.h>

#include <lauxlib.h>

#include "countybrief/plugin.h"

CB_PLUGIN_MAGIC("mut_blocks", "1.0.0", "registrations the loader must refuse")

static void *mb_create(lua_State *L, int opts, const cb_host_api *api)
{
    (void)opts; (void)api;
    luaL_error(L, "mut_blocks: this block must never be reachable");
    return NULL;
}

static float mb_measure(void *state, const cb_host_api *api, const cb_canvas *c, float width)
{
    (void)state; (void)api; (void)c; (void)width;
    return 10;
}

static void mb_draw(void *state, const cb_host_api *api, cb_canvas *c, float w, float h)
{
    (void)state; (void)api; (void)c; (void)w; (void)h;
}

static const cb_block_type ONE = {CB_BLOCK_TYPE_VERSION, "test.mutone", mb_create, mb_measure,
                                  mb_draw, NULL, NULL};
static const cb_block_type V0 = {0, "test.mutv0", mb_create, mb_measure, mb_draw, NULL, NULL};

int cb_plugin_init(cb_plugin *self, const cb_host_api *api, char **err)
{
    (void)err;
    char msg[160];
    int first = api->register_block(self, &ONE), second = api->register_block(self, &ONE);
    int v0 = api->register_block(self, &V0);
    snprintf(msg, sizeof msg, "test.mutone: first %s, second %s; version 0: %s",
             first == CB_OK ? "taken" : "refused", second == CB_EEXIST ? "refused as a duplicate" : "taken",
             v0 == CB_EUSAGE ? "refused as incomplete" : "taken");
    api->warn(self, msg);
    return CB_OK;
}
