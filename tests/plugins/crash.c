/* A plugin that misbehaves on purpose, for tests/e2e/batch.sh and isolation.sh: each way a
 * plugin can take a worker down must cost the county that used it only, in render, check
 * and --watch.
 *   test.crash      draw aborts
 *   test.hang       draw never returns
 *   test.segv       draw raises SIGSEGV
 *   test.exit       draw calls exit(0), as a careless library might
 *   test.forkcrash  draw forks a child that sleeps on (holding every descriptor the worker
 *                   had, its result pipe too), then aborts
 *   test.forkexec   the same, the child running sleep(1): close-on-exec pipes close in it
 *   crashmod.segv() a Lua module function that raises SIGSEGV */
#include <fcntl.h>
#include <lauxlib.h>
#include <signal.h>
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

static void draw_segv(void *s, const cb_host_api *api, cb_canvas *c, float w, float h)
{
    (void)s; (void)api; (void)c; (void)w; (void)h;
    raise(SIGSEGV);
}

static void draw_exit(void *s, const cb_host_api *api, cb_canvas *c, float w, float h)
{
    (void)s; (void)api; (void)c; (void)w; (void)h;
    exit(0);
}

/* A child that outlives the worker; not holding the test's own output, so the test's
 * pipes still end when countybrief does. */
static void fork_sleeper(int exec)
{
    if (fork() != 0) return;
    int null = open("/dev/null", O_RDWR);
    for (int fd = 0; fd < 3; fd++) dup2(null, fd);
    if (exec) execlp("sleep", "sleep", "20", (char *)NULL);
    sleep(20);
    _exit(0);
}

static void draw_forkcrash(void *s, const cb_host_api *api, cb_canvas *c, float w, float h)
{
    (void)s; (void)api; (void)c; (void)w; (void)h;
    fork_sleeper(0);
    abort();
}

static void draw_forkexec(void *s, const cb_host_api *api, cb_canvas *c, float w, float h)
{
    (void)s; (void)api; (void)c; (void)w; (void)h;
    fork_sleeper(1);
    abort();
}

static int l_segv(lua_State *L)
{
    (void)L;
    raise(SIGSEGV);
    return 0;
}

static int open_crashmod(lua_State *L)
{
    static const luaL_Reg fns[] = {{"segv", l_segv}, {NULL, NULL}};
    luaL_newlib(L, fns);
    return 1;
}

static const cb_block_type CRASH = {CB_BLOCK_TYPE_VERSION, "test.crash", create, measure, draw_crash, NULL, NULL};
static const cb_block_type HANG = {CB_BLOCK_TYPE_VERSION, "test.hang", create, measure, draw_hang, NULL, NULL};

static const cb_block_type SEGV = {CB_BLOCK_TYPE_VERSION, "test.segv", create, measure, draw_segv, NULL, NULL};
static const cb_block_type EXIT = {CB_BLOCK_TYPE_VERSION, "test.exit", create, measure, draw_exit, NULL, NULL};
static const cb_block_type FORKCRASH = {CB_BLOCK_TYPE_VERSION, "test.forkcrash", create, measure, draw_forkcrash, NULL, NULL};
static const cb_block_type FORKEXEC = {CB_BLOCK_TYPE_VERSION, "test.forkexec", create, measure, draw_forkexec, NULL, NULL};

int cb_plugin_init(cb_plugin *self, const cb_host_api *api, char **err)
{
    (void)err;
    const cb_block_type *types[] = {&CRASH, &HANG, &SEGV, &EXIT, &FORKCRASH, &FORKEXEC};
    for (size_t i = 0; i < sizeof types / sizeof *types; i++) {
        int rc = api->register_block(self, types[i]);
        if (rc != CB_OK) return rc;
    }
    return api->register_lua_module(self, "crashmod", open_crashmod);
}
