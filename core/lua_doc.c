/* lua_doc.c: the doc builder of report scripts (lua_int.h, docs/reports.md): doc:title,
 * doc:heading, doc:paragraph, doc:kpis, doc:table, doc:barchart, doc:progress, doc:notes,
 * doc:info, doc:date and doc:add (a plugin's block). Every block notes the script:line that
 * added it; every copy into the document is charged to the memory cap first. */
#include <malloc.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lua_api.h"
#include "lua_int.h"
#include "plugins.h"

/* Notes on block b the script:line adding it (luaL_where of the script's frame), for the
 * layout's messages, which come after the script ended. */
static cb_block *note_where(lua_State *L, cb_block *b)
{
    size_t n;
    luaL_where(L, 1);
    const char *w = lua_tolstring(L, -1, &n);
    while (n && (w[n - 1] == ':' || w[n - 1] == ' ')) n--; /* "script:line: " */
    char *copy = n ? cb_xstrndup(w, n) : NULL;
    lua_pop(L, 1);
    b->where = copy; /* the document's from here, even if charging it raises */
    cb_lua__charge(L, n ? n + 1 : 0);
    return b;
}

static cb_block *doc_add(lua_State *L, cb_doc *d, cb_block_kind kind)
{
    cb_lua__charge(L, sizeof(cb_block));
    return note_where(L, cb_doc_add(d, kind));
}

static cb_doc *check_doc(lua_State *L)
{
    cb_doc **d = luaL_checkudata(L, 1, CB_LUA_DOC_META);
    return *d;
}

/* Field `key` of the table at idx as a malloc'd string (numbers converted), or NULL. */
static char *opt_field_str(lua_State *L, int idx, const char *key, const char *what)
{
    int ty = lua_getfield(L, idx, key);
    char *s = NULL;
    if (ty == LUA_TSTRING || ty == LUA_TNUMBER) s = cb_lua__doc_strdup(L, lua_tostring(L, -1));
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
        return cb_lua__doc_strdup(L, b);
    }
    char *s = cb_lua__doc_strdup(L, luaL_tolstring(L, idx, NULL));
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
    cb_lua__charge(L, sizeof(cb_block) + (strlen(text) + 1) * (d->title ? 1 : 2) + (sub ? strlen(sub) + 1 : 0));
    cb_block *b = note_where(L, cb_doc_add(d, CB_BLOCK_TITLE));
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
    cb_lua__charge(L, sizeof(cb_block) + strlen(text) + 1);
    cb_block *b = note_where(L, cb_doc_add(d, CB_BLOCK_HEADING));
    b->text = cb_xstrdup(text);
    b->level = (int)level;
    return 0;
}

static int l_doc_paragraph(lua_State *L)
{
    cb_doc *d = check_doc(L);
    const char *text = luaL_checkstring(L, 2);
    cb_lua__charge(L, sizeof(cb_block) + strlen(text) + 1);
    note_where(L, cb_doc_add(d, CB_BLOCK_PARAGRAPH))->text = cb_xstrdup(text);
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
    b->items = cb_lua__doc_calloc(L, n, sizeof *b->items);
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
    read_items(L, 2, doc_add(L, d, CB_BLOCK_KPIS), read_kpi, "doc:kpis");
    return 0;
}

static int l_doc_barchart(lua_State *L)
{
    cb_doc *d = check_doc(L);
    luaL_checktype(L, 2, LUA_TTABLE);
    if (lua_getfield(L, 2, "bars") != LUA_TTABLE)
        return luaL_error(L, "doc:barchart: 'bars' must be a list of {label=, value=}");
    cb_block *b = doc_add(L, d, CB_BLOCK_BARCHART);
    b->text = opt_field_str(L, 2, "title", "doc:barchart");
    b->unit = opt_field_str(L, 2, "unit", "doc:barchart");
    read_items(L, lua_gettop(L), b, read_bar, "doc:barchart");
    return 0;
}

static int l_doc_progress(lua_State *L)
{
    cb_doc *d = check_doc(L);
    luaL_checktype(L, 2, LUA_TTABLE);
    read_items(L, 2, doc_add(L, d, CB_BLOCK_PROGRESS), read_progress, "doc:progress");
    return 0;
}

static int l_doc_notes(lua_State *L)
{
    cb_doc *d = check_doc(L);
    luaL_checktype(L, 2, LUA_TTABLE);
    if (lua_getfield(L, 2, "items") != LUA_TTABLE)
        return luaL_error(L, "doc:notes: 'items' must be a list of strings");
    cb_block *b = doc_add(L, d, CB_BLOCK_NOTES);
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
    /* the arrays are charged before the block exists, so it never has ncols without cols */
    /* not covered: nr counts a Lua table's rows, far fewer */
    if (nr > (SIZE_MAX / 2 / sizeof(char *)) / nc) return luaL_error(L, "doc:table: too many rows");
    cb_lua__charge(L, sizeof(cb_block) + nc * sizeof(cb_column) + nr * nc * sizeof(char *));
    cb_block *b = note_where(L, cb_doc_add(d, CB_BLOCK_TABLE));
    b->ncols = nc;
    b->nrows = nr;
    b->cols = cb_xcalloc(nc, sizeof *b->cols);
    b->cells = cb_xcalloc(nr * nc > 0 ? nr * nc : 1, sizeof *b->cells);
    for (size_t c = 0; c < nc; c++) {
        lua_rawgeti(L, ci, (lua_Integer)c + 1);
        lua_getfield(L, -1, "title");
        b->cols[c].title = cb_lua__doc_strdup(L, lua_tostring(L, -1));
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

/* The bytes in use in the C heap (glibc's count), to charge a plugin block's state (a
 * chart's points), which its create() allocates outside the Lua heap, to the document. */
static size_t c_heap_in_use(void)
{
    struct mallinfo2 m = mallinfo2();
    return m.uordblks + m.hblkhd;
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
    cb_lua__charge(L, sizeof(cb_block)); /* before create: nothing to undo if this raises */
    run_ctx *c = cb_lua__ctx(L);
    size_t lua0 = c->heap, heap0 = c_heap_in_use();
    void *state = t->create(L, 3, cb_host_api_get());
    if (!state) return luaL_error(L, "doc:add: block '%s' (plugin %s) rejected its options", name, owner);
    size_t heap = c_heap_in_use(), lua = c->heap > lua0 ? c->heap - lua0 : 0;
    size_t grew = heap > heap0 + lua ? heap - heap0 - lua : 0; /* the state, in the C heap */
    cb_block *b = cb_doc_add(d, CB_BLOCK_PLUGIN);
    b->ptype = t;
    b->pstate = state;
    b->papi = cb_host_api_get();
    /* after: the state is the document's, should these raise */
    cb_lua__charge(L, grew);
    note_where(L, b);
    return 0;
}

/* doc:date("YYYY-MM-DD" or seconds): the document's date, when the run has none (clock.h);
 * doc:date(): the date, in seconds since 1970, or nil. */
static int l_doc_date(lua_State *L)
{
    cb_doc *d = check_doc(L);
    if (lua_isnone(L, 2)) {
        if (d->dated) lua_pushinteger(L, (lua_Integer)d->date);
        else lua_pushnil(L);
        return 1;
    }
    long long t;
    const char *s = luaL_checkstring(L, 2); /* an integer too, as its digits */
    if (!cb_date_parse(s, &t))
        return luaL_error(L, "doc:date: '%s' is not a date: expected YYYY-MM-DD (1970-01-01 to 9999-12-31) or "
                          "whole seconds since 1970", s);
    if (d->dated != CB_DATED_RUN) {
        d->date = t;
        d->dated = CB_DATED_REPORT;
    }
    return 0;
}

static const luaL_Reg doc_methods[] = {
    {"add", l_doc_add},           {"date", l_doc_date},
    {"info", l_doc_info},         {"title", l_doc_title},       {"heading", l_doc_heading},
    {"paragraph", l_doc_paragraph}, {"kpis", l_doc_kpis},       {"table", l_doc_table},
    {"barchart", l_doc_barchart}, {"progress", l_doc_progress}, {"notes", l_doc_notes},
    {NULL, NULL},
};

/* The global doc: c's document, dated by the run's clock when it has one. */
void cb_lua__open_doc(lua_State *L, run_ctx *c)
{
    const cb_clock *clk = c->src->clock;
    if (clk && clk->set) {
        c->doc->date = clk->t;
        c->doc->dated = CB_DATED_RUN;
    }
    cb_doc **ud = lua_newuserdatauv(L, sizeof *ud, 0);
    *ud = c->doc;
    if (luaL_newmetatable(L, CB_LUA_DOC_META)) {
        luaL_newlib(L, doc_methods);
        lua_setfield(L, -2, "__index");
    }
    lua_setmetatable(L, -2);
    lua_setglobal(L, "doc");
}
