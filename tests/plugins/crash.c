/* A plugin that misbehaves on purpose, for tests/e2e/batch.sh: block "test.crash" aborts
 * the process while drawing, block "test.hang" never returns. A batch must lose only the
 * county that used them. */
#include <lauxlib.h>
#include <stdlib.h>
#include <unistd.h>

#include "countybrief/plugin.h"

CB_PLUGIN_MAGIC("crash", "1.0.0", "crashes and hangs on purpose (tests only)")

static void *create(lua_State *L, int opts, const cb_host_api *api)
{
    (void)L; (void)opts; (void)api;
    static int state;
    return &state;
}

static float measure(void *s, const cb_host_api *api, const cb_canvas *c, float w)
{
    (void)s; (void)api; (void)c; (void)w;
    return 10;
}

static void draw_crash(void *s, const cb_host_api *api, cb_canvas *c, float w, float h)
{
    (void)s; (void)api; (void)c; (void)w; (void)h;
    abort();
}

static void draw_hang(void *s, const cb_host_api *api, cb_canvas *c, float w, float h)
{
    (void)s; (void)api; (void)c; (void)w; (void)h;
    for (;;) pause();
}

static const cb_block_type CRASH = {CB_BLOCK_TYPE_VERSION, "test.crash", create, measure, draw_crash, NULL};
static const cb_block_type HANG = {CB_BLOCK_TYPE_VERSION, "test.hang", create, measure, draw_hang, NULL};

int cb_plugin_init(cb_plugin *self, const cb_host_api *api, char **err)
{
    (void)err;
    int rc = api->register_block(self, &CRASH);
    return rc == CB_OK ? api->register_block(self, &HANG) : rc;
}
