/*
 * lua_chunks.c: loading chunks (lua_int.h): report scripts and modules as text only, the
 * cache of their compiled chunks, require, and load() restricted to text.
 *
 * Compiled chunks are kept in a cb_chunk_cache (lua_api.h) that the engine owns: each
 * county runs in a fresh Lua state, and reading and compiling the report and its modules
 * again for every county was a tenth of a briefing. A chunk is compiled from the text once,
 * dumped with its debug information (so messages keep script:line), and later states load
 * that dump. An entry is kept with the file's identity (util.h: a script edited within its
 * timestamp's second, or with its mtime put back, compiles anew under render --watch too).
 * Only our own dumps are loaded as binary: report code can load text only.
 */
#include <stdlib.h>
#include <string.h>

#include "lua_api.h"
#include "lua_int.h"
#include "plugins.h"

/* Registry key of require's table of loaded modules (its address is unique). */
static const char LOADED_KEY = 0;

typedef struct chunk {
    char *path, *name;
    cb_file_id id; /* not settled: not kept */
    cb_buf code;
} chunk;

struct cb_chunk_cache {
    chunk *v;
    size_t n;
};

cb_chunk_cache *cb_chunk_cache_new(void) { return cb_xcalloc(1, sizeof(cb_chunk_cache)); }

void cb_chunk_cache_free(cb_chunk_cache *cc)
{
    if (!cc) return;
    for (size_t i = 0; i < cc->n; i++) {
        free(cc->v[i].path);
        free(cc->v[i].name);
        cb_buf_free(&cc->v[i].code);
    }
    free(cc->v);
    free(cc);
}

static int dump_to_buf(lua_State *L, const void *p, size_t n, void *ud)
{
    (void)L;
    cb_buf_add(ud, p, n);
    return 0;
}

int cb_lua_load_text(lua_State *L, const char *text, size_t len, const char *chunkname)
{
    if (len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0) { text += 3; len -= 3; }
    /* the "#!" line's newline stays, so that the next line is line 2 */
    if (len && text[0] == '#') {
        const char *nl = memchr(text, '\n', len);
        size_t skip = nl ? (size_t)(nl - text) : len;
        text += skip;
        len -= skip;
    }
    return luaL_loadbufferx(L, text, len, chunkname, "t");
}

/* Loads a Lua text file as a chunk named `name` (for messages), with the globals as _ENV,
 * through the run's chunk cache (none: compiled each time). */
int cb_lua__load_script(lua_State *L, const char *path, const char *name)
{
    cb_chunk_cache *cc = cb_lua__ctx(L)->src->chunks;
    cb_file_id id;
    (void)cb_file_id_at(path, &id); /* missing: not settled, never kept */
    chunk *hit = NULL;
    for (size_t i = 0; cc && i < cc->n && !hit; i++)
        if (strcmp(cc->v[i].path, path) == 0 && strcmp(cc->v[i].name, name) == 0) hit = &cc->v[i];
    if (hit && cb_file_id_same(&hit->id, &id))
        return luaL_loadbufferx(L, hit->code.s, hit->code.len, name, "b");
    cb_error e;
    size_t len;
    char *text = cb_read_file(path, &len, &e);
    if (!text) {
        lua_pushstring(L, e.msg);
        return LUA_ERRFILE;
    }
    char *chunk = cb_xasprintf("@%s", name);
    int rc = cb_lua_load_text(L, text, len, chunk);
    free(chunk);
    free(text);
    if (rc != LUA_OK || !id.settled || !cc) return rc;
    if (!hit) {
        cc->v = cb_xrealloc(cc->v, (cc->n + 1) * sizeof *cc->v);
        hit = &cc->v[cc->n++];
        memset(hit, 0, sizeof *hit);
        hit->path = cb_xstrdup(path);
        hit->name = cb_xstrdup(name);
    }
    hit->code.len = 0;
    hit->id = id;
    if (lua_dump(L, dump_to_buf, &hit->code, 0) != 0) hit->id.settled = 0; /* not kept */
    return LUA_OK;
}

/* How messages name a file: relative to the share folder when inside it. */
static char *display_name(const cb_report_src *src, const char *path)
{
    if (src->share_dir) {
        size_t n = strlen(src->share_dir);
        if (strncmp(path, src->share_dir, n) == 0 && path[n] == '/') return cb_xstrdup(path + n + 1);
    }
    return cb_xstrdup(path);
}

/* require(name): the report's folder, then scripts/; modules are cached per state. */
void cb_lua__open_modules(lua_State *L)
{
    lua_newtable(L);
    lua_rawsetp(L, LUA_REGISTRYINDEX, &LOADED_KEY);
}

/* Calls a module's loader (on top, above require's table of loaded modules) with its name
 * and keeps what it returns (true for nothing) as the module, left on top. */
static int run_loader(lua_State *L, const char *name)
{
    lua_pushstring(L, name);
    lua_call(L, 1, 1);
    if (lua_isnil(L, -1)) {
        lua_pop(L, 1);
        lua_pushboolean(L, 1);
    }
    lua_pushvalue(L, -1);
    lua_setfield(L, -3, name); /* _LOADED[name] = module */
    return 1;
}

int cb_lua__require(lua_State *L)
{
    const char *name = luaL_checkstring(L, 1);
    lua_rawgetp(L, LUA_REGISTRYINDEX, &LOADED_KEY);
    if (lua_getfield(L, -1, name) != LUA_TNIL) {
        const char *v = lua_tostring(L, -1);
        if (v && strcmp(v, "\x01loading") == 0)
            return luaL_error(L, "module '%s' requires itself (a require cycle)", name);
        return 1;
    }
    lua_pop(L, 1);
    for (const char *p = name; *p; p++)
        if (!(*p == '.' || *p == '_' || *p == '-' || (*p >= '0' && *p <= '9') ||
              (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z')))
            return luaL_error(L, "module name '%s' may only hold letters, digits, '_', '-' and '.'", name);
    int parts = 1; /* each a folder but the last: as deep as the input hash looks */
    for (const char *p = name; *p; p++) parts += *p == '.';
    if (!*name || *name == '.' || name[strlen(name) - 1] == '.' || strstr(name, ".."))
        return luaL_error(L, "module name '%s' has an empty part", name);
    if (parts > CB_MODULE_DEPTH + 1)
        return luaL_error(L, "module name '%s' is more than %d folders deep", name, CB_MODULE_DEPTH);
    lua_CFunction open = cb_plugins_module(name);
    if (open) { /* a module from a compiled plugin */
        lua_pushcfunction(L, open);
        return run_loader(L, name);
    }
    run_ctx *c = cb_lua__ctx(L);
    char *rel = cb_xasprintf("%s.lua", name);
    for (char *p = rel; p < rel + strlen(rel) - 4; p++)
        if (*p == '.') *p = '/';
    const char *dirs[2] = {c->src->dir, c->src->scripts_dir};
    char *found = NULL;
    for (int i = 0; i < 2 && !found; i++) {
        if (!dirs[i]) continue;
        char *path = cb_path_join(dirs[i], rel);
        if (cb_is_file(path)) found = path;
        else free(path);
    }
    if (!found) {
        lua_pushfstring(L, "module '%s' not found (no plugin provides it, and no %s in the "
                        "report's folder or the scripts folder%s)", name, rel, cb_plugins_refusal_summary());
        free(rel);
        return luaL_error(L, "%s", lua_tostring(L, -1)); /* with the caller's script:line */
    }
    free(rel);
    char *shown = display_name(c->src, found);
    int rc = cb_lua__load_script(L, found, shown);
    free(found);
    free(shown);
    if (rc != LUA_OK) return lua_error(L);
    /* mark it as loading, so a module that requires itself (through others) is caught */
    lua_pushliteral(L, "\x01loading");
    lua_setfield(L, -3, name);
    return run_loader(L, name);
}

/* load() restricted to text chunks: precompiled bytecode can crash the VM. */
int cb_lua__load(lua_State *L)
{
    size_t len;
    const char *s = luaL_checklstring(L, 1, &len);
    const char *chunkname = luaL_optstring(L, 2, s);
    int has_env = !lua_isnone(L, 4);
    if (luaL_loadbufferx(L, s, len, chunkname, "t") != LUA_OK) {
        lua_pushnil(L);
        lua_insert(L, -2);
        return 2;
    }
    if (has_env) {
        lua_pushvalue(L, 4);
        if (!lua_setupvalue(L, -2, 1)) lua_pop(L, 1);
    }
    return 1;
}

