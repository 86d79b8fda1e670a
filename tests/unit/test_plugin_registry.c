/*
 * test_plugin_registry.c: two engines in one process share the plugin registry (plugins.h):
 * each cb_plugins_load_all holds it, each cb_plugins_unload_all lets go of one hold, and
 * only the last unloads. So an engine closing never takes a block, a Lua module or a data
 * source from under another that is still open, and the second engine's load neither loads
 * a plugin twice, nor fails on the names the first one registered, nor repeats its warnings.
 *
 * The plugins are the ones built beside this test (build/plugins), probed through a cache
 * of its own (XDG_CACHE_HOME in a temporary folder), so a second round finds the data
 * sources deferred (loaded only when --data names them).
 */
#define _GNU_SOURCE /* mkdtemp, setenv */
#include <lauxlib.h>
#include <lualib.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "plugins.h"
#include "test.h"

static char cache[] = "/tmp/cb_plugin_registry.XXXXXX";

static void remove_cache(void)
{
    char path[sizeof cache + 64];
    snprintf(path, sizeof path, "%s/countybrief/probed-plugins", cache);
    unlink(path);
    *strrchr(path, '/') = '\0';
    rmdir(path);
    rmdir(cache);
}

static void setup(void)
{
    static int made; /* not "the name still ends in X": mkdtemp's last letter is an X in
                      * one run of 62, and a second mkdtemp of the made name aborted */
    if (!made) {
        if (!mkdtemp(cache)) abort();
        made = 1;
        atexit(remove_cache);
    }
    setenv("XDG_CACHE_HOME", cache, 1);
    unsetenv("COUNTYBRIEF_PROBE_CACHE");
    unsetenv("COUNTYBRIEF_PLUGIN_DIR"); /* the build's plugins */
    unsetenv("COUNTYBRIEF_PLUGIN_PATH");
}

/* One engine's cb_engine_open_data, as far as plugins go. */
static int open_engine(const char *const *files, size_t nfiles, cb_error *err)
{
    return cb_plugins_load_all(files, nfiles, 1, err);
}

/* charts.nice_ticks(95) through the charts plugin's Lua module: its step (20), or -1. */
static double nice_ticks_step(void)
{
    lua_CFunction open = cb_plugins_module("charts");
    if (!open) return -1;
    lua_State *L = luaL_newstate();
    lua_pushcfunction(L, open);
    lua_pushstring(L, "charts");
    double step = -1;
    if (lua_pcall(L, 1, 1, 0) == LUA_OK && lua_getfield(L, -1, "nice_ticks") == LUA_TFUNCTION) {
        lua_pushnumber(L, 95);
        if (lua_pcall(L, 1, 2, 0) == LUA_OK) step = lua_tonumber(L, -2);
    }
    lua_close(L);
    return step;
}

/* A chart.pie block created and freed through the plugin's own code: 1 if it went. */
static int pie_block_works(void)
{
    const char *owner = NULL;
    const cb_block_type *t = cb_plugins_block("chart.pie", &owner);
    if (!t || !owner || strcmp(owner, "charts") != 0) return 0;
    lua_State *L = luaL_newstate();
    luaL_dostring(L, "return {slices = {{label = '一', value = 3}, {label = '二', value = 1}}}");
    void *state = t->create(L, -1, cb_host_api_get());
    if (state && t->destroy) t->destroy(state);
    lua_close(L);
    return state != NULL;
}

/* The sqlite plugin's source reading a file that is not there: its own message, or "". */
static void sqlite_message(char *out, size_t n)
{
    const char *location = NULL;
    const cb_source_type *src = cb_plugins_source("sqlite:/nonexistent/cb-test.db", &location);
    out[0] = '\0';
    if (!src) return;
    cb_dataset ds;
    cb_error err;
    if (cb_plugins_load_dataset(src, location, "sqlite:/nonexistent/cb-test.db", &ds, &err) == CB_OK)
        cb_dataset_free(&ds);
    else snprintf(out, n, "%s", err.msg);
}

/* Engine a opens, engine b opens (one of them also naming a plugin that is refused), a
 * closes: b still has every block, module and source; b closes: all are gone. */
static void two_engines(int *test_failed_, int deferred)
{
    cb_error err;
    ASSERT_EQ_INT(open_engine(NULL, 0, &err), CB_OK);
    size_t n = cb_plugins_count();
    ASSERT(n >= 3); /* charts, sqlite, xlsx */
    ASSERT_EQ_INT(open_engine(NULL, 0, &err), CB_OK); /* engine b: nothing loaded twice */
    ASSERT_EQ_INT(cb_plugins_count(), n);
    const char *missing[] = {"/nonexistent/cb-test-plugin.so"};
    ASSERT_EQ_INT(open_engine(missing, 1, &err), CB_EPLUGIN); /* engine c fails to open... */
    ASSERT_CONTAINS(err.msg, "cb-test-plugin.so: no such plugin file");
    cb_plugins_unload_all(); /* ...and is closed all the same */
    ASSERT_EQ_INT(cb_plugins_count(), n);
    cb_plugins_unload_all(); /* engine a closes */

    ASSERT_EQ_INT(cb_plugins_count(), n);
    char msg[CB_ERROR_MSG_MAX];
    if (deferred) { /* the source first: loaded now, for engine b */
        sqlite_message(msg, sizeof msg);
        ASSERT_CONTAINS(msg, "cb-test.db");
    }
    ASSERT(pie_block_works());
    ASSERT_NEAR(nice_ticks_step(), 20, 0);
    sqlite_message(msg, sizeof msg);
    ASSERT_CONTAINS(msg, "cb-test.db");

    cb_plugins_unload_all(); /* engine b, the last, closes: everything is unloaded */
    ASSERT_EQ_INT(cb_plugins_count(), 0);
    ASSERT(!cb_plugins_block("chart.pie", NULL));
    ASSERT(!cb_plugins_module("charts"));
    const char *location;
    ASSERT(!cb_plugins_source("sqlite:x.db", &location));
    cb_plugins_unload_all(); /* one close too many: nothing to let go of, no harm */
    ASSERT_EQ_INT(cb_plugins_count(), 0);
}

TEST(two_engines_probed)
{
    setup();
    two_engines(test_failed_, 0);
}

/* The second round of a process (or a later run) finds sqlite and xlsx in the probe cache
 * and defers them: engine b's first --data loads them after engine a closed. */
TEST(two_engines_deferred)
{
    setup();
    cb_error err;
    ASSERT_EQ_INT(open_engine(NULL, 0, &err), CB_OK); /* fills the cache */
    cb_plugins_unload_all();
    two_engines(test_failed_, 1);
}

/* What a second engine's load prints about a plugin folder holding a file that is not a
 * plugin: nothing, as the first engine's load said it already; after the last close, a new
 * load says it again. */
TEST(second_engine_warns_once)
{
    setup();
    char dir[sizeof cache + 16], so[sizeof dir + 16], log[sizeof dir + 16];
    snprintf(dir, sizeof dir, "%s/extra", cache);
    snprintf(so, sizeof so, "%s/bad.so", dir);
    snprintf(log, sizeof log, "%s/stderr", cache);
    ASSERT(mkdir(dir, 0755) == 0);
    FILE *f = fopen(so, "w");
    ASSERT(f && fputs("not a shared object\n", f) >= 0 && fclose(f) == 0);
    setenv("COUNTYBRIEF_PLUGIN_PATH", dir, 1);
    fflush(stderr);
    int saved = dup(2), fd = open(log, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    dup2(fd, 2);
    cb_error err;
    int a = cb_plugins_load_all(NULL, 0, 0, &err), b = cb_plugins_load_all(NULL, 0, 0, &err);
    cb_plugins_unload_all();
    cb_plugins_unload_all();
    int c = cb_plugins_load_all(NULL, 0, 0, &err);
    cb_plugins_unload_all();
    fflush(stderr);
    dup2(saved, 2);
    close(saved);
    close(fd);
    unsetenv("COUNTYBRIEF_PLUGIN_PATH");
    char text[4096] = "";
    f = fopen(log, "r");
    size_t n = f ? fread(text, 1, sizeof text - 1, f) : 0;
    if (f) fclose(f);
    text[n] = '\0';
    unlink(log);
    unlink(so);
    rmdir(dir);
    ASSERT(a == CB_OK && b == CB_OK && c == CB_OK);
    size_t told = 0;
    for (const char *p = text; (p = strstr(p, "plugin refused: ")); p++) told++;
    ASSERT_CONTAINS(text, "bad.so: ");
    ASSERT_EQ_INT(told, 2); /* the first engine's load and the load after the last close */
}

static const test_case tests[] = {
    TEST_ENTRY(two_engines_probed),
    TEST_ENTRY(two_engines_deferred),
    TEST_ENTRY(second_engine_warns_once),
    {0},
};

TEST_MAIN(tests)
