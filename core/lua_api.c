/*
 * lua_api.c: the state of a report script (see lua_api.h; the other concerns are in the
 * files lua_int.h lists): the sandbox's allow-list and the libraries opened from it, as
 * linit.c opens Lua's, finalizers refused, the globals of a run, and running a report.
 */
#include "lua_api.h"

#include <lualib.h>
#include <stdio.h>
#include <string.h>

#include "lua_fmt.h"
#include "lua_int.h"

/* ------------------------------------------------------------------ finalizers */

/* Lua runs finalizers (__gc) with hooks off, so neither the CPU budget's stop nor anything
 * else could end one that loops: report code may not set them. An object is marked for
 * finalization only by setmetatable with a metatable that holds __gc at that moment
 * (adding __gc later does nothing), so it is enough that setmetatable refuses such a
 * metatable and that the metatables C code sets (userdata's: the doc, plugins' objects;
 * optional's) cannot be reached to add __gc before C sets them again. The original
 * function is upvalue 1. */
static int l_setmetatable(lua_State *L)
{
    if (lua_type(L, 2) == LUA_TTABLE) {
        lua_pushliteral(L, "__gc");
        if (lua_rawget(L, 2) != LUA_TNIL)
            return luaL_error(L, "setmetatable: __gc (a finalizer) is not available in report scripts: "
                              "finalizers run outside the CPU budget; use a <close> variable");
        lua_pop(L, 1);
    }
    lua_pushvalue(L, lua_upvalueindex(1));
    lua_insert(L, 1);
    lua_call(L, lua_gettop(L) - 1, 1);
    return 1;
}

/* getmetatable: as Lua's for tables and strings; a userdata's metatable, which C code
 * owns and sets again on new objects, reads as protected (its __metatable, else false). */
static int l_getmetatable(lua_State *L)
{
    luaL_checkany(L, 1);
    if (lua_type(L, 1) != LUA_TUSERDATA) {
        lua_pushvalue(L, lua_upvalueindex(1));
        lua_insert(L, 1);
        lua_call(L, lua_gettop(L) - 1, 1);
        return 1;
    }
    /* not covered: a userdata without a metatable, and one whose metatable has __metatable: the
     * only full userdata a script can hold is doc (lua_doc.c), whose metatable has none */
    if (!lua_getmetatable(L, 1)) return 0;
    if (lua_getfield(L, -1, "__metatable") == LUA_TNIL) lua_pushboolean(L, 0);
    return 1;
}

/* ------------------------------------------------------------------ the state */

/*
 * The sandbox's allow-list: the names of Lua's own libraries a report script sees, and
 * nothing else (docs/reports.md, "Libraries"). Whatever else a library defines, in this
 * build of Lua or a later one, is removed as the state is built: loadfile and dofile (they
 * read any file, loadfile also bytecode), string.dump (bytecode, which only C may load),
 * the Lua 5.3 compatibility functions some builds add to math (math.pow...), so that a
 * report runs the same on every build. io, os, package, debug and coroutine are never
 * opened; os is countybrief's own (lua_os.c), as are print, load, require, collectgarbage
 * and the wrapped setmetatable and getmetatable added after. Every state that runs report
 * code is built here (cb_lua__setup_state: the declarations, in or out of process, and each
 * county's run, in a worker or not); a template's template.lua runs with an empty
 * environment instead (cb_lua_run_description). tests/e2e/sandbox_surface.sh walks
 * everything reachable and compares it with the same list.
 */
static const char *const base_names[] = {
    "_G", "_VERSION", "assert", "collectgarbage", "error", "getmetatable", "ipairs", "load", "next", "pairs",
    "pcall", "print", "rawequal", "rawget", "rawlen", "rawset", "select", "setmetatable", "tonumber",
    "tostring", "type", "warn", "xpcall", NULL};
static const char *const string_names[] = {
    "byte", "char", "find", "format", "gmatch", "gsub", "len", "lower", "match", "pack", "packsize", "rep",
    "reverse", "sub", "unpack", "upper", NULL};
static const char *const table_names[] = {"concat", "insert", "move", "pack", "remove", "sort", "unpack", NULL};
static const char *const math_names[] = {
    "abs", "acos", "asin", "atan", "ceil", "cos", "deg", "exp", "floor", "fmod", "huge", "log", "max",
    "maxinteger", "min", "mininteger", "modf", "pi", "rad", "random", "randomseed", "sin", "sqrt", "tan",
    "tointeger", "type", "ult", NULL};
static const char *const utf8_names[] = {"char", "charpattern", "codepoint", "codes", "len", "offset", NULL};

/* Removes from the table on top of the stack every field whose key is not one of names. */
static void keep_only(lua_State *L, const char *const *names)
{
    lua_pushnil(L);
    while (lua_next(L, -2)) {
        lua_pop(L, 1);
        int keep = 0;
        /* not covered: a key not a string (Lua's libraries name every field) */
        if (lua_type(L, -1) == LUA_TSTRING)
            for (int i = 0; names[i] && !keep; i++) keep = strcmp(lua_tostring(L, -1), names[i]) == 0;
        if (keep) continue;
        lua_pushvalue(L, -1);
        lua_pushnil(L);
        lua_rawset(L, -4); /* clearing a field during lua_next is allowed */
    }
}

/* The base library's functions countybrief replaces or adds (lua_chunks.c, lua_base.c), and
 * those it wraps (the finalizers, above). */
static const luaL_Reg globals[] = {
    {"load", cb_lua__load},   {"require", cb_lua__require},           {"spairs", cb_lua__spairs},
    {"print", cb_lua__print}, {"collectgarbage", cb_lua__collectgarbage}, {NULL, NULL}};
static const luaL_Reg wrapped[] = {{"setmetatable", l_setmetatable}, {"getmetatable", l_getmetatable}, {NULL, NULL}};

/* Lua's libraries as the allow-list keeps them, then countybrief's: as linit.c opens them. */
static void open_libs(lua_State *L, int english)
{
    static const struct {
        const char *name;
        lua_CFunction open;
        const char *const *keep;
    } libs[] = {
        {LUA_GNAME, luaopen_base, base_names},          {LUA_TABLIBNAME, luaopen_table, table_names},
        {LUA_STRLIBNAME, luaopen_string, string_names}, {LUA_MATHLIBNAME, luaopen_math, math_names},
        {LUA_UTF8LIBNAME, luaopen_utf8, utf8_names},
    };
    for (size_t i = 0; i < sizeof libs / sizeof libs[0]; i++) {
        luaL_requiref(L, libs[i].name, libs[i].open, 1);
        keep_only(L, libs[i].keep);
        lua_pop(L, 1);
    }
    for (const luaL_Reg *f = globals; f->name; f++) lua_register(L, f->name, f->func);
    for (const luaL_Reg *f = wrapped; f->name; f++) { /* f gets the original as upvalue 1 */
        lua_getglobal(L, f->name);
        lua_pushcclosure(L, f->func, 1);
        lua_setglobal(L, f->name);
    }
    cb_lua__open_os(L);
    if (english) cb_lua_open_fmt_en(L); /* the same names, English figures */
    else cb_lua_open_fmt(L);
    lua_setglobal(L, "fmt");
}

/* The language of this run: the one asked for, else the default. */
static const char *run_lang(const run_ctx *c)
{
    /* not covered: no language (every caller's src is the engine's, whose lang render.c always
     * fills, with the default when none is asked) */
    return c->src->lang && *c->src->lang ? c->src->lang : CB_LANG_DEFAULT;
}

static void set_num(lua_State *L, const char *key, double v)
{
    lua_pushnumber(L, v);
    lua_setfield(L, -2, key);
}

/* template: what a report may adapt to (docs/reports.md): the text area and type sizes in
 * points, whether the template is condensed and whether it has a masthead. */
static void push_template(lua_State *L, const cb_template *t)
{
    lua_createtable(L, 0, 8);
    /* not covered: a template without a name (template.c names every template it loads) */
    lua_pushstring(L, t->name ? t->name : "");
    lua_setfield(L, -2, "name");
    lua_pushboolean(L, t->condensed);
    lua_setfield(L, -2, "condensed");
    lua_pushboolean(L, t->masthead);
    lua_setfield(L, -2, "masthead");
    set_num(L, "width", t->page_w - t->margin_left - t->margin_right);
    set_num(L, "height", t->page_h - t->margin_top - t->margin_bottom);
    set_num(L, "page_width", t->page_w);
    set_num(L, "page_height", t->page_h);
    lua_createtable(L, 0, 7);
    set_num(L, "body", t->body_size);
    set_num(L, "leading", t->leading);
    set_num(L, "title", t->title_size);
    set_num(L, "h1", t->h1_size);
    set_num(L, "h2", t->h2_size);
    set_num(L, "small", t->small_size);
    set_num(L, "table", t->table_size);
    lua_setfield(L, -2, "type");
}

/* Seeds math.random from the county id, so reruns give the same output. */
static void seed_random(lua_State *L, const char *id)
{
    lua_Integer h = 5381;
    for (const unsigned char *p = (const unsigned char *)id; *p; p++) h = h * 33 + *p;
    lua_getglobal(L, "math");
    lua_getfield(L, -1, "randomseed");
    lua_pushinteger(L, h);
    lua_call(L, 1, 0);
    lua_pop(L, 1);
}

/* Everything before the script runs, protected (it allocates, so it can meet the cap):
 * the libraries and globals, then the script loaded, which it returns. */
int cb_lua__setup_state(lua_State *L)
{
    run_ctx *c = cb_lua__ctx(L);
    cb_lua__open_modules(L);
    open_libs(L, strcmp(run_lang(c), "en") == 0);
    seed_random(L, c->all ? "all" : cb_county_id(c->ds, c->county));
    cb_lua__open_data(L, c);
    lua_pushstring(L, run_lang(c));
    lua_setglobal(L, "lang");
    if (c->src->tpl) {
        push_template(L, c->src->tpl);
        lua_setglobal(L, "template");
    }
    cb_lua__open_doc(L, c);
    cb_lua__open_decl(L);
    /* not covered: the script failing to load here: render.c checks its syntax up front, so only a
     * report edited or removed since, or a chunk over the memory limit when the libraries fitted */
    if (cb_lua__load_script(L, c->src->path, c->src->chunkname) != LUA_OK) return lua_error(L);
    return 1;
}

/* Runs the script as ctx (src, ds, doc, and the county or the counties) says. */
static int run_report(run_ctx *c, cb_error *err);

int cb_lua_run_report(const cb_report_src *src, const cb_dataset *ds, size_t county,
                      cb_doc *doc, cb_error *err)
{
    run_ctx ctx;
    memset(&ctx, 0, sizeof ctx);
    ctx.src = src;
    ctx.ds = ds;
    ctx.county = county;
    ctx.doc = doc;
    return run_report(&ctx, err);
}

int cb_lua_run_report_all(const cb_report_src *src, const cb_dataset *ds, const size_t *which,
                          size_t n, cb_doc *doc, cb_error *err)
{
    run_ctx ctx;
    memset(&ctx, 0, sizeof ctx);
    ctx.src = src;
    ctx.ds = ds;
    ctx.doc = doc;
    ctx.all = 1;
    ctx.which = which;
    ctx.nwhich = n;
    return run_report(&ctx, err);
}

static int run_report(run_ctx *c, cb_error *err)
{
    const cb_report_src *src = c->src;
    cb_lua__set_limits(c, &src->limits);
    c->doc->mem_budget = c->cap; /* and the same for the document laid out */
    lua_State *L = cb_lua__new_state(c, src->chunkname, err);
    /* not covered: no state (the template's description, run first under the same limits, fails
     * first: e2e/cover_lua.sh) */
    if (!L) return err ? err->code : CB_ENOMEM;
    lua_setwarnf(L, cb_lua__on_warn, c);

    /* stack: 1 = message handler, 2 = the script (returned by cb_lua__setup_state) */
    lua_pushcfunction(L, cb_lua__traceback_handler);
    lua_pushcfunction(L, cb_lua__setup_state);
    int status = lua_pcall(L, 0, 1, 1);
    int rc = CB_OK;
    if (status == LUA_OK) {
        rc = cb_lua__cpu_arm(c, 1, err);
        /* not covered: rc not CB_OK, here and below: cb_lua__cpu_arm failing (see lua_limits.c) */
        if (rc == CB_OK) status = lua_pcall(L, 0, 0, 1);
        cb_lua__cpu_stop_script(c);
    }
    if (rc == CB_OK) rc = cb_lua__run_outcome(c, status, src->chunkname, "the report", CB_ESCRIPT, err);
    lua_close(L);
    cb_lua__cpu_disarm(c);
    return rc;
}
