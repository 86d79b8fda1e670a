/* lua_api.c: see lua_api.h. */
#include "lua_api.h"

#include <lauxlib.h>
#include <lua.h>
#include <lualib.h>
#include <stdlib.h>
#include <string.h>

#include "lua_fmt.h"
#include "plugins.h"

/* Registry keys (addresses are unique). */
static const char CTX_KEY = 0;
static const char LOADED_KEY = 0;
#define DOC_META "countybrief.doc"

typedef struct run_ctx {
    const cb_report_src *src;
    const cb_dataset *ds;
    size_t county;
    cb_doc *doc;
} run_ctx;

static run_ctx *get_ctx(lua_State *L)
{
    lua_rawgetp(L, LUA_REGISTRYINDEX, &CTX_KEY);
    run_ctx *c = lua_touserdata(L, -1);
    lua_pop(L, 1);
    return c;
}

/* ------------------------------------------------------------------ loading chunks */

/* Loads a Lua text file as a chunk named `name` (for messages), with the globals as _ENV. */
static int load_script(lua_State *L, const char *path, const char *name)
{
    cb_error e;
    size_t len;
    char *text = cb_read_file(path, &len, &e);
    if (!text) {
        lua_pushstring(L, e.msg);
        return LUA_ERRFILE;
    }
    char *chunk = cb_xasprintf("@%s", name);
    const char *body = text;
    if (len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0) { body += 3; len -= 3; }
    int rc = luaL_loadbufferx(L, body, len, chunk, "t");
    free(chunk);
    free(text);
    return rc;
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
static int l_require(lua_State *L)
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
    lua_CFunction open = cb_plugins_module(name);
    if (open) { /* a module from a compiled plugin */
        lua_pushcfunction(L, open);
        lua_pushstring(L, name);
        lua_call(L, 1, 1);
        if (lua_isnil(L, -1)) {
            lua_pop(L, 1);
            lua_pushboolean(L, 1);
        }
        lua_pushvalue(L, -1);
        lua_setfield(L, -3, name);
        return 1;
    }
    run_ctx *c = get_ctx(L);
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
    int rc = load_script(L, found, shown);
    free(found);
    free(shown);
    if (rc != LUA_OK) return lua_error(L);
    /* mark it as loading, so a module that requires itself (through others) is caught */
    lua_pushliteral(L, "\x01loading");
    lua_setfield(L, -3, name);
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

/* load() restricted to text chunks: precompiled bytecode can crash the VM. */
static int l_load_text(lua_State *L)
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

/* spairs(t): iterate in sorted key order (numbers before strings). */
static int spairs_cmp(lua_State *L)
{
    int ta = lua_type(L, 1), tb = lua_type(L, 2);
    if (ta != tb) lua_pushboolean(L, ta == LUA_TNUMBER);
    else if (ta == LUA_TNUMBER || ta == LUA_TSTRING) lua_pushboolean(L, lua_compare(L, 1, 2, LUA_OPLT));
    else lua_pushboolean(L, 0);
    return 1;
}

static int spairs_next(lua_State *L)
{
    /* upvalues: 1 = table, 2 = sorted keys, 3 = position */
    lua_Integer i = lua_tointeger(L, lua_upvalueindex(3)) + 1;
    lua_pushinteger(L, i);
    lua_replace(L, lua_upvalueindex(3));
    if (lua_rawgeti(L, lua_upvalueindex(2), i) == LUA_TNIL) return 1;
    lua_pushvalue(L, -1);
    lua_gettable(L, lua_upvalueindex(1));
    return 2;
}

static int l_spairs(lua_State *L)
{
    luaL_checktype(L, 1, LUA_TTABLE);
    lua_newtable(L);
    lua_Integer n = 0;
    lua_pushnil(L);
    while (lua_next(L, 1)) {
        lua_pop(L, 1);
        lua_pushvalue(L, -1);
        lua_rawseti(L, 2, ++n);
    }
    /* table.sort(keys, spairs_cmp) */
    lua_getglobal(L, "table");
    lua_getfield(L, -1, "sort");
    lua_pushvalue(L, 2);
    lua_pushcfunction(L, spairs_cmp);
    lua_call(L, 2, 0);
    lua_pop(L, 1);
    lua_pushvalue(L, 1);
    lua_pushvalue(L, 2);
    lua_pushinteger(L, 0);
    lua_pushcclosure(L, spairs_next, 3);
    return 1;
}

static int l_print(lua_State *L)
{
    int n = lua_gettop(L);
    for (int i = 1; i <= n; i++) {
        if (i > 1) fputc('\t', stderr);
        fputs(luaL_tolstring(L, i, NULL), stderr);
        lua_pop(L, 1);
    }
    fputc('\n', stderr);
    return 0;
}

/* ------------------------------------------------------------------ data */

static void push_value(lua_State *L, const cb_value *v)
{
    if (v->type == CB_T_NUMBER) {
        double d = v->num;
        if (d == (double)(lua_Integer)d && d > -9e15 && d < 9e15) lua_pushinteger(L, (lua_Integer)d);
        else lua_pushnumber(L, d);
    } else if (v->type == CB_T_TEXT) {
        lua_pushstring(L, v->text);
    } else {
        lua_pushnil(L);
    }
}

static void push_row(lua_State *L, const cb_table *t, size_t row)
{
    lua_createtable(L, 0, (int)t->ncols);
    for (size_t c = 0; c < t->ncols; c++) {
        const cb_value *v = cb_table_cell(t, row, c);
        if (v->type == CB_T_NULL) continue;
        push_value(L, v);
        lua_setfield(L, -2, t->cols[c]);
    }
}

/* data.<name>: built on first use, then cached in the data table. */
static int data_index(lua_State *L)
{
    const char *name = luaL_checkstring(L, 2);
    run_ctx *c = get_ctx(L);
    const cb_table *t = cb_dataset_table(c->ds, name);
    if (!t) {
        lua_newtable(L); /* a table the data folder lacks reads as empty */
    } else {
        const size_t *rows;
        size_t n = cb_table_county_rows(t, c->county, &rows);
        lua_createtable(L, (int)n, 0);
        for (size_t i = 0; i < n; i++) {
            push_row(L, t, rows ? rows[i] : i);
            lua_rawseti(L, -2, (lua_Integer)i + 1);
        }
    }
    lua_pushvalue(L, 2);
    lua_pushvalue(L, -2);
    lua_rawset(L, 1);
    return 1;
}

/* ------------------------------------------------------------------ doc builder */

static cb_doc *check_doc(lua_State *L)
{
    cb_doc **d = luaL_checkudata(L, 1, DOC_META);
    return *d;
}

/* Field `key` of the table at idx as a malloc'd string (numbers converted), or NULL. */
static char *opt_field_str(lua_State *L, int idx, const char *key, const char *what)
{
    int ty = lua_getfield(L, idx, key);
    char *s = NULL;
    if (ty == LUA_TSTRING || ty == LUA_TNUMBER) s = cb_xstrdup(lua_tostring(L, -1));
    else if (ty != LUA_TNIL) {
        luaL_error(L, "%s: '%s' must be a string, got %s", what, key, lua_typename(L, ty));
    }
    lua_pop(L, 1);
    return s;
}

static char *req_field_str(lua_State *L, int idx, const char *key, const char *what)
{
    char *s = opt_field_str(L, idx, key, what);
    if (!s) luaL_error(L, "%s: '%s' is required", what, key);
    return s;
}

static double opt_field_num(lua_State *L, int idx, const char *key, double dflt, const char *what)
{
    int ty = lua_getfield(L, idx, key);
    double v = dflt;
    if (ty == LUA_TNUMBER) v = lua_tonumber(L, -1);
    else if (ty != LUA_TNIL) luaL_error(L, "%s: '%s' must be a number, got %s", what, key, lua_typename(L, ty));
    lua_pop(L, 1);
    return v;
}

/* Value of a cell: nil → NULL, anything else as tostring(). */
static char *cell_string(lua_State *L, int idx)
{
    if (lua_isnil(L, idx)) return NULL;
    if (lua_type(L, idx) == LUA_TNUMBER && lua_isinteger(L, idx)) {
        char b[32];
        snprintf(b, sizeof b, "%lld", (long long)lua_tointeger(L, idx));
        return cb_xstrdup(b);
    }
    char *s = cb_xstrdup(luaL_tolstring(L, idx, NULL));
    lua_pop(L, 1);
    return s;
}

static int l_doc_info(lua_State *L)
{
    cb_doc *d = check_doc(L);
    luaL_checktype(L, 2, LUA_TTABLE);
    struct { const char *key; char **dst; } f[] = {{"title", &d->title}, {"subject", &d->subject},
                                                   {"author", &d->author}, {"keywords", &d->keywords}};
    for (size_t i = 0; i < 4; i++) {
        char *s = opt_field_str(L, 2, f[i].key, "doc:info");
        if (s) {
            free(*f[i].dst);
            *f[i].dst = s;
        }
    }
    return 0;
}

static int l_doc_title(lua_State *L)
{
    cb_doc *d = check_doc(L);
    const char *text = luaL_checkstring(L, 2);
    const char *sub = luaL_optstring(L, 3, NULL);
    cb_block *b = cb_doc_add(d, CB_BLOCK_TITLE);
    b->text = cb_xstrdup(text);
    b->subtitle = sub ? cb_xstrdup(sub) : NULL;
    if (!d->title) d->title = cb_xstrdup(text);
    return 0;
}

static int l_doc_heading(lua_State *L)
{
    cb_doc *d = check_doc(L);
    const char *text = luaL_checkstring(L, 2);
    lua_Integer level = luaL_optinteger(L, 3, 1);
    luaL_argcheck(L, level == 1 || level == 2, 3, "heading level must be 1 or 2");
    cb_block *b = cb_doc_add(d, CB_BLOCK_HEADING);
    b->text = cb_xstrdup(text);
    b->level = (int)level;
    return 0;
}

static int l_doc_paragraph(lua_State *L)
{
    cb_doc *d = check_doc(L);
    const char *text = luaL_checkstring(L, 2);
    cb_doc_add(d, CB_BLOCK_PARAGRAPH)->text = cb_xstrdup(text);
    return 0;
}

/* Reads the array at idx into the items of block b, each item a table read by `one`. The
 * items belong to the block from the start, so a Lua error in the middle leaks nothing:
 * the document frees what was read (the county fails, or the script caught the error). */
typedef void (*item_reader)(lua_State *L, int idx, cb_item *it, const char *what);
static void read_note(lua_State *L, int idx, cb_item *it, const char *what);

static void read_items(lua_State *L, int idx, cb_block *b, item_reader one, const char *what)
{
    luaL_checktype(L, idx, LUA_TTABLE);
    size_t n = (size_t)luaL_len(L, idx);
    b->items = cb_xcalloc(n ? n : 1, sizeof *b->items);
    b->nitems = n;
    for (size_t i = 0; i < n; i++) {
        lua_rawgeti(L, idx, (lua_Integer)i + 1);
        if (!lua_istable(L, -1) && one != read_note)
            luaL_error(L, "%s: item %d must be a table, got %s", what, (int)i + 1, luaL_typename(L, -1));
        char ctx[64];
        snprintf(ctx, sizeof ctx, "%s: item %d", what, (int)i + 1);
        one(L, lua_gettop(L), &b->items[i], ctx);
        lua_pop(L, 1);
    }
}

static void read_kpi(lua_State *L, int idx, cb_item *it, const char *what)
{
    it->value = req_field_str(L, idx, "value", what);
    it->label = req_field_str(L, idx, "label", what);
}

static void read_bar(lua_State *L, int idx, cb_item *it, const char *what)
{
    it->label = req_field_str(L, idx, "label", what);
    it->number = opt_field_num(L, idx, "value", 0, what);
    it->value = opt_field_str(L, idx, "text", what);
}

static void read_progress(lua_State *L, int idx, cb_item *it, const char *what)
{
    it->label = req_field_str(L, idx, "label", what);
    it->value = opt_field_str(L, idx, "value", what);
    it->detail = opt_field_str(L, idx, "detail", what);
    it->number = opt_field_num(L, idx, "fraction", -1, what);
}

static void read_note(lua_State *L, int idx, cb_item *it, const char *what)
{
    int ty = lua_type(L, idx);
    if (ty != LUA_TSTRING && ty != LUA_TNUMBER)
        luaL_error(L, "%s must be a string, got %s", what, lua_typename(L, ty));
    it->label = cell_string(L, idx);
}

static int l_doc_kpis(lua_State *L)
{
    cb_doc *d = check_doc(L);
    luaL_checktype(L, 2, LUA_TTABLE);
    read_items(L, 2, cb_doc_add(d, CB_BLOCK_KPIS), read_kpi, "doc:kpis");
    return 0;
}

static int l_doc_barchart(lua_State *L)
{
    cb_doc *d = check_doc(L);
    luaL_checktype(L, 2, LUA_TTABLE);
    if (lua_getfield(L, 2, "bars") != LUA_TTABLE)
        return luaL_error(L, "doc:barchart: 'bars' must be a list of {label=, value=}");
    cb_block *b = cb_doc_add(d, CB_BLOCK_BARCHART);
    b->text = opt_field_str(L, 2, "title", "doc:barchart");
    b->unit = opt_field_str(L, 2, "unit", "doc:barchart");
    read_items(L, lua_gettop(L), b, read_bar, "doc:barchart");
    return 0;
}

static int l_doc_progress(lua_State *L)
{
    cb_doc *d = check_doc(L);
    luaL_checktype(L, 2, LUA_TTABLE);
    read_items(L, 2, cb_doc_add(d, CB_BLOCK_PROGRESS), read_progress, "doc:progress");
    return 0;
}

static int l_doc_notes(lua_State *L)
{
    cb_doc *d = check_doc(L);
    luaL_checktype(L, 2, LUA_TTABLE);
    if (lua_getfield(L, 2, "items") != LUA_TTABLE)
        return luaL_error(L, "doc:notes: 'items' must be a list of strings");
    cb_block *b = cb_doc_add(d, CB_BLOCK_NOTES);
    b->text = opt_field_str(L, 2, "title", "doc:notes");
    read_items(L, lua_gettop(L), b, read_note, "doc:notes");
    return 0;
}

static int l_doc_table(lua_State *L)
{
    cb_doc *d = check_doc(L);
    luaL_checktype(L, 2, LUA_TTABLE);
    if (lua_getfield(L, 2, "columns") != LUA_TTABLE)
        return luaL_error(L, "doc:table: 'columns' must be a list of {title=, width=, align=}");
    int ci = lua_gettop(L);
    if (lua_getfield(L, 2, "rows") != LUA_TTABLE) return luaL_error(L, "doc:table: 'rows' must be a list of rows");
    int ri = lua_gettop(L);
    size_t nc = (size_t)luaL_len(L, ci), nr = (size_t)luaL_len(L, ri);
    if (nc == 0) return luaL_error(L, "doc:table: needs at least one column");
    /* validate everything before allocating, so an error leaks nothing */
    for (size_t c = 0; c < nc; c++) {
        if (lua_rawgeti(L, ci, (lua_Integer)c + 1) != LUA_TTABLE)
            return luaL_error(L, "doc:table: column %d must be a table", (int)c + 1);
        if (lua_getfield(L, -1, "title") != LUA_TSTRING)
            return luaL_error(L, "doc:table: column %d needs a 'title' string", (int)c + 1);
        lua_pop(L, 1);
        int ty = lua_getfield(L, -1, "align");
        if (ty != LUA_TNIL) {
            const char *a = lua_tostring(L, -1);
            if (!a || (strcmp(a, "left") && strcmp(a, "right") && strcmp(a, "center")))
                return luaL_error(L, "doc:table: column %d align must be \"left\", \"right\" or \"center\"", (int)c + 1);
        }
        lua_pop(L, 1);
        ty = lua_getfield(L, -1, "width");
        if (ty != LUA_TNIL && (ty != LUA_TNUMBER || lua_tonumber(L, -1) <= 0))
            return luaL_error(L, "doc:table: column %d width must be a positive number", (int)c + 1);
        lua_pop(L, 2);
    }
    for (size_t r = 0; r < nr; r++) {
        if (lua_rawgeti(L, ri, (lua_Integer)r + 1) != LUA_TTABLE)
            return luaL_error(L, "doc:table: row %d must be a list of cells", (int)r + 1);
        size_t n = (size_t)luaL_len(L, -1);
        if (n > nc) return luaL_error(L, "doc:table: row %d has %d cells but the table has %d column%s", (int)r + 1,
                              (int)n, (int)nc, nc == 1 ? "" : "s");
        lua_pop(L, 1);
    }
    cb_block *b = cb_doc_add(d, CB_BLOCK_TABLE);
    b->ncols = nc;
    b->nrows = nr;
    b->cols = cb_xcalloc(nc, sizeof *b->cols);
    b->cells = cb_xcalloc(nr * nc > 0 ? nr * nc : 1, sizeof *b->cells);
    for (size_t c = 0; c < nc; c++) {
        lua_rawgeti(L, ci, (lua_Integer)c + 1);
        lua_getfield(L, -1, "title");
        b->cols[c].title = cb_xstrdup(lua_tostring(L, -1));
        lua_pop(L, 1);
        lua_getfield(L, -1, "align");
        const char *a = lua_tostring(L, -1);
        b->cols[c].align = a ? a[0] : 'l';
        lua_pop(L, 1);
        lua_getfield(L, -1, "width");
        b->cols[c].width = lua_isnumber(L, -1) ? (float)lua_tonumber(L, -1) : 1.0f;
        lua_pop(L, 2);
    }
    for (size_t r = 0; r < nr; r++) {
        lua_rawgeti(L, ri, (lua_Integer)r + 1);
        for (size_t c = 0; c < nc; c++) {
            lua_rawgeti(L, -1, (lua_Integer)c + 1);
            b->cells[r * nc + c] = cell_string(L, -1);
            lua_pop(L, 1);
        }
        lua_pop(L, 1);
    }
    return 0;
}

/* doc:add(name, options): a block type registered by a compiled plugin. */
static int l_doc_add(lua_State *L)
{
    cb_doc *d = check_doc(L);
    const char *name = luaL_checkstring(L, 2);
    if (lua_isnoneornil(L, 3)) {
        lua_settop(L, 2);
        lua_newtable(L);
    }
    luaL_checktype(L, 3, LUA_TTABLE);
    lua_settop(L, 3);
    const char *owner = NULL;
    const cb_block_type *t = cb_plugins_block(name, &owner);
    if (!t)
        return luaL_error(L, "doc:add: no block type '%s': no loaded plugin provides it "
                          "(`countybrief plugins` lists them%s)", name, cb_plugins_refusal_summary());
    void *state = t->create(L, 3, cb_host_api_get());
    if (!state) return luaL_error(L, "doc:add: block '%s' (plugin %s) rejected its options", name, owner);
    cb_block *b = cb_doc_add(d, CB_BLOCK_PLUGIN);
    b->ptype = t;
    b->pstate = state;
    return 0;
}

static const luaL_Reg doc_methods[] = {
    {"add", l_doc_add},
    {"info", l_doc_info},         {"title", l_doc_title},       {"heading", l_doc_heading},
    {"paragraph", l_doc_paragraph}, {"kpis", l_doc_kpis},       {"table", l_doc_table},
    {"barchart", l_doc_barchart}, {"progress", l_doc_progress}, {"notes", l_doc_notes},
    {NULL, NULL},
};

/* ------------------------------------------------------------------ the state */

static void open_libs(lua_State *L)
{
    static const luaL_Reg libs[] = {
        {LUA_GNAME, luaopen_base},        {LUA_TABLIBNAME, luaopen_table},
        {LUA_STRLIBNAME, luaopen_string}, {LUA_MATHLIBNAME, luaopen_math},
        {LUA_UTF8LIBNAME, luaopen_utf8},  {NULL, NULL},
    };
    for (const luaL_Reg *lib = libs; lib->func; lib++) {
        luaL_requiref(L, lib->name, lib->func, 1);
        lua_pop(L, 1);
    }
    static const char *const removed[] = {"dofile", "loadfile", NULL};
    for (int i = 0; removed[i]; i++) {
        lua_pushnil(L);
        lua_setglobal(L, removed[i]);
    }
    lua_register(L, "load", l_load_text);
    lua_register(L, "require", l_require);
    lua_register(L, "spairs", l_spairs);
    lua_register(L, "print", l_print);
    cb_lua_open_fmt(L);
    lua_setglobal(L, "fmt");
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

/* Message handler: the error plus the report's own frames, on one line. */
static int traceback_handler(lua_State *L)
{
    const char *msg = lua_tostring(L, 1);
    if (!msg) msg = luaL_tolstring(L, 1, NULL);
    luaL_Buffer b;
    luaL_buffinit(L, &b);
    luaL_addstring(&b, msg);
    lua_Debug ar;
    int first = 1;
    for (int level = 1; lua_getstack(L, level, &ar); level++) {
        lua_getinfo(L, "Sln", &ar);
        if (ar.currentline <= 0 || ar.source[0] != '@') continue; /* C functions, strings */
        char frame[512];
        snprintf(frame, sizeof frame, "%s%s:%d%s%s%s", first ? " [traceback: " : " < ",
                 ar.source + 1, ar.currentline, ar.name ? " (" : "", ar.name ? ar.name : "",
                 ar.name ? ")" : "");
        luaL_addstring(&b, frame);
        first = 0;
    }
    if (!first) luaL_addchar(&b, ']');
    luaL_pushresult(&b);
    return 1;
}

int cb_lua_run_report(const cb_report_src *src, const cb_dataset *ds, size_t county,
                      cb_doc *doc, cb_error *err)
{
    lua_State *L = luaL_newstate();
    if (!L) return cb_fail(err, CB_ENOMEM, "%s: cannot create a Lua state", src->chunkname);
    run_ctx ctx = {src, ds, county, doc};
    lua_pushlightuserdata(L, &ctx);
    lua_rawsetp(L, LUA_REGISTRYINDEX, &CTX_KEY);
    lua_newtable(L);
    lua_rawsetp(L, LUA_REGISTRYINDEX, &LOADED_KEY);
    open_libs(L);
    seed_random(L, cb_county_id(ds, county));

    /* county */
    push_row(L, ds->counties, county);
    lua_pushstring(L, cb_county_id(ds, county));
    lua_setfield(L, -2, "id");
    lua_setglobal(L, "county");
    /* data */
    lua_newtable(L);
    lua_newtable(L);
    lua_pushcfunction(L, data_index);
    lua_setfield(L, -2, "__index");
    lua_setmetatable(L, -2);
    lua_setglobal(L, "data");
    /* doc */
    cb_doc **ud = lua_newuserdatauv(L, sizeof *ud, 0);
    *ud = doc;
    if (luaL_newmetatable(L, DOC_META)) {
        luaL_newlib(L, doc_methods);
        lua_setfield(L, -2, "__index");
    }
    lua_setmetatable(L, -2);
    lua_setglobal(L, "doc");

    int rc = CB_OK;
    lua_pushcfunction(L, traceback_handler);
    if (load_script(L, src->path, src->chunkname) != LUA_OK)
        rc = cb_fail(err, CB_ESCRIPT, "%s", lua_tostring(L, -1));
    else if (lua_pcall(L, 0, 0, 1) != LUA_OK)
        rc = cb_fail(err, CB_ESCRIPT, "%s", lua_tostring(L, -1));
    lua_close(L);
    return rc;
}
