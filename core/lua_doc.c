/* lua_doc.c: the doc builder of report scripts (lua_int.h, docs/reports.md): doc:add(NAME,
 * OPTIONS) for every block, built-in (blocks.h) or a plugin's; doc:NAME{...} for each
 * built-in, a method made from the table of blocks (its options read here, cb_*_read),
 * and for each shorthand of a plugin block (doc:barchart: chart.bar);
 * doc:info and doc:date. One check rejects any block's unknown options (plugins call it
 * through the host API). Every block notes the script:line that added it; every copy into
 * the document is charged to the memory cap first. */
#include <malloc.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "blocks.h"
#include "clock.h"
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

/* A text option of a block: the method's positional argument pos (opts 0, as in
 * doc:title("…")) or the field key of its options table. The string stays on the stack
 * while the caller uses it. */
static const char *text_opt(lua_State *L, int opts, int pos, const char *key, const char *what, int required)
{
    if (!opts) return required ? luaL_checkstring(L, pos) : luaL_optstring(L, pos, NULL);
    int ty = lua_getfield(L, opts, key);
    if (ty == LUA_TSTRING || ty == LUA_TNUMBER) return lua_tostring(L, -1);
    if (ty != LUA_TNIL) luaL_error(L, "%s: '%s' must be a string, got %s", what, key, lua_typename(L, ty));
    if (required) luaL_error(L, "%s: '%s' is required", what, key);
    return NULL;
}

void cb_title_read(lua_State *L, cb_doc *d, int opts)
{
    const char *text = text_opt(L, opts, 2, "text", "doc:title", 1);
    const char *sub = text_opt(L, opts, 3, "subtitle", "doc:title", 0);
    cb_lua__charge(L, sizeof(cb_block) + (strlen(text) + 1) * (d->title ? 1 : 2) + (sub ? strlen(sub) + 1 : 0));
    cb_block *b = note_where(L, cb_doc_add(d, CB_BLOCK_TITLE));
    b->text = cb_xstrdup(text);
    b->subtitle = sub ? cb_xstrdup(sub) : NULL;
    if (!d->title) d->title = cb_xstrdup(text);
}

void cb_heading_read(lua_State *L, cb_doc *d, int opts)
{
    const char *text = text_opt(L, opts, 2, "text", "doc:heading", 1);
    lua_Integer level = 1;
    if (!opts) {
        level = luaL_optinteger(L, 3, 1);
        luaL_argcheck(L, level >= 1 && level <= 4, 3, "heading level must be 1 to 4");
    } else if (lua_getfield(L, opts, "level") != LUA_TNIL) {
        int isint;
        level = lua_tointegerx(L, -1, &isint);
        if (!isint || level < 1 || level > 4) luaL_error(L, "doc:heading: 'level' must be 1 to 4");
    }
    cb_lua__charge(L, sizeof(cb_block) + strlen(text) + 1);
    cb_block *b = note_where(L, cb_doc_add(d, CB_BLOCK_HEADING));
    b->text = cb_xstrdup(text);
    b->level = (int)level;
}

void cb_paragraph_read(lua_State *L, cb_doc *d, int opts)
{
    const char *text = text_opt(L, opts, 2, "text", "doc:paragraph", 1);
    cb_lua__charge(L, sizeof(cb_block) + strlen(text) + 1);
    note_where(L, cb_doc_add(d, CB_BLOCK_PARAGRAPH))->text = cb_xstrdup(text);
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

/* A block of items (kpis, progress, notes): where its items are, how one is
 * read, and whether a title and unit come with them. */
typedef struct items_block {
    cb_block_kind kind;
    const char *what;     /* "doc:notes", for messages */
    const char *list;     /* the option holding the items; NULL: the options are the list */
    const char *not_list; /* the message when that option is not a list */
    int titled, unit;     /* it has the option 'title', 'unit' */
    item_reader one;
} items_block;

static void read_items_block(lua_State *L, cb_doc *d, int opts, const items_block *k)
{
    int list = opts;
    if (k->list) {
        if (lua_getfield(L, opts, k->list) != LUA_TTABLE) luaL_error(L, "%s: %s", k->what, k->not_list);
        list = lua_gettop(L);
    }
    cb_block *b = doc_add(L, d, k->kind);
    if (k->titled) b->text = opt_field_str(L, opts, "title", k->what);
    if (k->unit) b->unit = opt_field_str(L, opts, "unit", k->what);
    read_items(L, list, b, k->one, k->what);
}

void cb_kpis_read(lua_State *L, cb_doc *d, int opts)
{
    static const items_block k = {CB_BLOCK_KPIS, "doc:kpis", NULL, NULL, 0, 0, read_kpi};
    read_items_block(L, d, opts, &k);
}

void cb_progress_read(lua_State *L, cb_doc *d, int opts)
{
    static const items_block k = {CB_BLOCK_PROGRESS, "doc:progress", NULL, NULL, 0, 0, read_progress};
    read_items_block(L, d, opts, &k);
}

void cb_notes_read(lua_State *L, cb_doc *d, int opts)
{
    static const items_block k = {CB_BLOCK_NOTES, "doc:notes", "items", "'items' must be a list of strings", 1, 0,
                                  read_note};
    read_items_block(L, d, opts, &k);
}

/* Reads the fields of a masthead or distribution block (their options, in the order of
 * the items: doc.h's CB_MH_*, CB_DIST_*) as texts: a list of texts is joined with "、",
 * an empty text is no text; the fields `whole` (a mask) must be whole numbers from 1. */
static void read_fields(lua_State *L, cb_doc *d, int opts, cb_block_kind kind, const char *const *keys,
                        size_t n, unsigned whole, const char *what)
{
    cb_block *b = doc_add(L, d, kind);
    b->items = cb_lua__doc_calloc(L, n, sizeof *b->items);
    b->nitems = n;
    for (size_t i = 0; i < n; i++) {
        int top = lua_gettop(L);
        int ty = lua_getfield(L, opts, keys[i]);
        if (ty == LUA_TTABLE) { /* a list of offices */
            int list = lua_gettop(L);
            lua_Integer len = luaL_len(L, list);
            luaL_Buffer buf;
            luaL_buffinit(L, &buf); /* may push a box: the list by its index */
            for (lua_Integer k = 1; k <= len; k++) {
                if (lua_rawgeti(L, list, k) != LUA_TSTRING)
                    luaL_error(L, "%s: '%s' item %d must be a string, got %s", what, keys[i], (int)k,
                               luaL_typename(L, -1));
                const char *s = lua_tostring(L, -1);
                lua_pop(L, 1);
                if (!*s) continue;
                if (luaL_bufflen(&buf)) luaL_addstring(&buf, "、");
                luaL_addstring(&buf, s);
            }
            luaL_pushresult(&buf);
            lua_replace(L, list);
        } else if (ty != LUA_TNIL && ty != LUA_TSTRING && ty != LUA_TNUMBER)
            luaL_error(L, "%s: '%s' must be a string, got %s", what, keys[i], lua_typename(L, ty));
        const char *s = lua_tostring(L, -1);
        if (s && *s && (whole >> i & 1)) {
            int isint;
            lua_Integer v = lua_tointegerx(L, -1, &isint);
            if (!isint || v < 1 || v > 999999999)
                luaL_error(L, "%s: '%s' must be a whole number from 1, got '%s'", what, keys[i], s);
            lua_pushfstring(L, "%I", v); /* " 12 " and 12.0 as 12 */
            s = lua_tostring(L, -1);
        }
        if (s && *s) b->items[i].label = cb_lua__doc_strdup(L, s);
        lua_settop(L, top);
    }
}

void cb_masthead_read(lua_State *L, cb_doc *d, int opts)
{
    read_fields(L, d, opts, CB_BLOCK_MASTHEAD, cb_builtin_of(CB_BLOCK_MASTHEAD)->keys, CB_MH_N, 1u << CB_MH_NUMBER, "doc:masthead");
    const char *date = d->blocks[d->nblocks - 1].items[CB_MH_DATE].label;
    long long t;
    if (date && (strlen(date) != 10 || !cb_date_parse(date, &t)))
        luaL_error(L, "doc:masthead: 'date' must be a day as YYYY-MM-DD, got '%s'", date);
}

void cb_distribution_read(lua_State *L, cb_doc *d, int opts)
{
    read_fields(L, d, opts, CB_BLOCK_DISTRIBUTION, cb_builtin_of(CB_BLOCK_DISTRIBUTION)->keys, CB_DIST_N, 1u << CB_DIST_COPIES, "doc:distribution");
}

void cb_toc_read(lua_State *L, cb_doc *d, int opts)
{
    lua_Integer level = 1;
    if (lua_getfield(L, opts, "level") != LUA_TNIL) {
        int isint;
        level = lua_tointegerx(L, -1, &isint);
        if (!isint || (level != 1 && level != 2)) luaL_error(L, "doc:toc: 'level' must be 1 or 2");
    }
    lua_pop(L, 1);
    cb_block *b = doc_add(L, d, CB_BLOCK_TOC);
    b->level = (int)level;
    b->text = opt_field_str(L, opts, "title", "doc:toc");
}

void cb_table_read(lua_State *L, cb_doc *d, int opts)
{
    if (lua_getfield(L, opts, "columns") != LUA_TTABLE)
        luaL_error(L, "doc:table: 'columns' must be a list of {title=, width=, align=}");
    int ci = lua_gettop(L);
    if (lua_getfield(L, opts, "rows") != LUA_TTABLE) luaL_error(L, "doc:table: 'rows' must be a list of rows");
    int ri = lua_gettop(L);
    size_t nc = (size_t)luaL_len(L, ci), nr = (size_t)luaL_len(L, ri);
    if (nc == 0) luaL_error(L, "doc:table: needs at least one column");
    /* validate everything before allocating, so an error leaks nothing */
    for (size_t c = 0; c < nc; c++) {
        if (lua_rawgeti(L, ci, (lua_Integer)c + 1) != LUA_TTABLE)
            luaL_error(L, "doc:table: column %d must be a table", (int)c + 1);
        if (lua_getfield(L, -1, "title") != LUA_TSTRING)
            luaL_error(L, "doc:table: column %d needs a 'title' string", (int)c + 1);
        lua_pop(L, 1);
        int ty = lua_getfield(L, -1, "align");
        if (ty != LUA_TNIL) {
            const char *a = lua_tostring(L, -1);
            if (!a || (strcmp(a, "left") && strcmp(a, "right") && strcmp(a, "center")))
                luaL_error(L, "doc:table: column %d align must be \"left\", \"right\" or \"center\"", (int)c + 1);
        }
        lua_pop(L, 1);
        ty = lua_getfield(L, -1, "width");
        if (ty != LUA_TNIL && (ty != LUA_TNUMBER || lua_tonumber(L, -1) <= 0))
            luaL_error(L, "doc:table: column %d width must be a positive number", (int)c + 1);
        lua_pop(L, 2);
    }
    for (size_t r = 0; r < nr; r++) {
        if (lua_rawgeti(L, ri, (lua_Integer)r + 1) != LUA_TTABLE)
            luaL_error(L, "doc:table: row %d must be a list of cells", (int)r + 1);
        size_t n = (size_t)luaL_len(L, -1);
        if (n > nc) luaL_error(L, "doc:table: row %d has %d cells but the table has %d column%s", (int)r + 1,
                              (int)n, (int)nc, nc == 1 ? "" : "s");
        lua_pop(L, 1);
    }
    /* the arrays are charged before the block exists, so it never has ncols without cols */
    /* not covered: nr counts a Lua table's rows, far fewer */
    if (nr > (SIZE_MAX / 2 / sizeof(char *)) / nc) luaL_error(L, "doc:table: too many rows");
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
}

/* blocks.h: the one check of every block's options, built-in or plugin. */
void cb_check_options(lua_State *L, int opts, const char *what, const char *const *keys, int list)
{
    opts = lua_absindex(L, opts);
    lua_pushnil(L);
    while (lua_next(L, opts)) {
        lua_pop(L, 1);
        if (list && lua_isinteger(L, -1) && lua_tointeger(L, -1) >= 1) continue;
        if (lua_type(L, -1) != LUA_TSTRING)
            luaL_error(L, "%s: %s, found a %s key", what,
                       list ? "its items must be a list" : "options must be named (key = value)",
                       luaL_typename(L, -1));
        const char *k = lua_tostring(L, -1);
        size_t i = 0;
        while (keys[i] && strcmp(keys[i], k) != 0) i++;
        if (keys[i]) continue;
        luaL_Buffer b;
        luaL_buffinit(L, &b);
        for (i = 0; keys[i]; i++) {
            if (i) luaL_addstring(&b, ", ");
            luaL_addstring(&b, keys[i]);
        }
        if (!i) luaL_addstring(&b, list ? "none, only the list of items" : "none");
        luaL_pushresult(&b);
        const char *near = cb_nearest_name(k, keys);
        luaL_error(L, "%s: unknown option '%s' (options: %s)%s%s%s", what, k, lua_tostring(L, -1),
                   near ? "; did you mean '" : "", near ? near : "", near ? "'?" : "");
    }
}

/* Block t from the options table at opts: checked, then read. */
static void add_builtin(lua_State *L, cb_doc *d, const cb_builtin *t, int opts)
{
    char what[32];
    snprintf(what, sizeof what, "doc:%s", t->name);
    cb_check_options(L, opts, what, t->keys, t->list);
    t->read(L, d, opts);
}

/* doc:NAME(...), the method of built-in block t (upvalue 1): doc:NAME{...} is doc:add("NAME",
 * {...}); a text block also takes its text as arguments, doc:paragraph("…"). */
static int l_doc_block(lua_State *L)
{
    const cb_builtin *t = lua_touserdata(L, lua_upvalueindex(1));
    cb_doc *d = check_doc(L);
    if (t->positional && !lua_istable(L, 2)) {
        t->read(L, d, 0);
        return 0;
    }
    luaL_checktype(L, 2, LUA_TTABLE);
    lua_settop(L, 2);
    add_builtin(L, d, t, 2);
    return 0;
}

/* The bytes in use in the C heap (glibc's count), to charge a plugin block's state (a
 * chart's points), which its create() allocates outside the Lua heap, to the document. */
static size_t c_heap_in_use(void)
{
    struct mallinfo2 m = mallinfo2();
    return m.uordblks + m.hblkhd;
}

static int add_shorthand(lua_State *L, cb_doc *d, const cb_shorthand *s);

/* doc:add(name, options): a built-in block, a shorthand's, or a block type registered by a
 * compiled plugin. */
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
    const cb_builtin *bt = cb_builtin_named(name);
    if (bt) {
        add_builtin(L, d, bt, 3);
        return 0;
    }
    const cb_shorthand *sh = cb_shorthand_named(name);
    if (sh) {
        lua_remove(L, 2);
        return add_shorthand(L, d, sh);
    }
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

/* Shorthand s of a plugin block, the options at index 2: doc:add(s->type, options) run
 * protected, so that its messages name the shorthand as a built-in's name its method
 * ("doc:barchart: 'bars' must be ...", at the script's line), and the block notes the
 * script's line (the protected call's frame has none). */
static int add_shorthand(lua_State *L, cb_doc *d, const cb_shorthand *s)
{
    char what[32];
    snprintf(what, sizeof what, "doc:%s", s->name);
    if (!cb_plugins_block(s->type, NULL))
        return luaL_error(L, "%s needs the %s plugin (%s), not loaded (`countybrief plugins` lists the plugins%s)",
                          what, s->plugin, s->type, cb_plugins_refusal_summary());
    size_t nblocks = d->nblocks, n = strlen(s->type);
    lua_pushcfunction(L, l_doc_add);
    lua_pushvalue(L, 1);
    lua_pushstring(L, s->type);
    lua_pushvalue(L, 2);
    if (lua_pcall(L, 3, 0, 0) != LUA_OK) {
        const char *m = lua_type(L, -1) == LUA_TSTRING ? lua_tostring(L, -1) : NULL;
        if (m && strncmp(m, s->type, n) == 0 && m[n] == ':') { /* "chart.bar: ..." */
            luaL_where(L, 1);
            lua_pushfstring(L, "%s%s%s", lua_tostring(L, -1), what, m + n);
        }
        return lua_error(L); /* anything else (out of memory, a limit) as it was */
    }
    if (d->nblocks > nblocks) {
        cb_block *b = &d->blocks[d->nblocks - 1];
        free(b->where);
        b->where = NULL;
        note_where(L, b);
    }
    return 0;
}

/* doc:NAME{...}, the method of shorthand s (upvalue 1). */
static int l_doc_shorthand(lua_State *L)
{
    const cb_shorthand *s = lua_touserdata(L, lua_upvalueindex(1));
    cb_doc *d = check_doc(L);
    luaL_checktype(L, 2, LUA_TTABLE);
    lua_settop(L, 2);
    return add_shorthand(L, d, s);
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
    {"add", l_doc_add}, {"date", l_doc_date}, {"info", l_doc_info}, {NULL, NULL},
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
        const cb_builtin *t;
        for (size_t i = 0; (t = cb_builtin_at(i)) != NULL; i++) { /* doc:NAME, from the table */
            lua_pushlightuserdata(L, (void *)t);
            lua_pushcclosure(L, l_doc_block, 1);
            lua_setfield(L, -2, t->name);
        }
        const cb_shorthand *sh;
        for (size_t i = 0; (sh = cb_shorthand_at(i)) != NULL; i++) { /* doc:barchart */
            lua_pushlightuserdata(L, (void *)sh);
            lua_pushcclosure(L, l_doc_shorthand, 1);
            lua_setfield(L, -2, sh->name);
        }
        lua_setfield(L, -2, "__index");
    }
    lua_setmetatable(L, -2);
    lua_setglobal(L, "doc");
}
