/*
 * lua_decl.c: what a report declares about itself, with the globals report { ... } and
 * needs { ... } (and optional { ... }) at the top of its script (lua_api.h, docs/reports.md).
 * In the prelude (lua_prelude.c) they fill the run's needs_out and decl_out, and the last
 * of them stops the script; in a county's run they do nothing (report checks that no other
 * scope is asked for too late). A malformed one raises "script:line: needs: ..." or
 * "script:line: report: ...", and what was read so far is freed.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lua_api.h"
#include "lua_int.h"
#include "template.h"

#define OPTIONAL_META "countybrief.optional"

/* optional { col = "type", ... }: marks a table of needs as optional; returns it. */
static int l_optional(lua_State *L)
{
    luaL_checktype(L, 1, LUA_TTABLE);
    lua_settop(L, 1);
    luaL_setmetatable(L, OPTIONAL_META);
    return 1;
}

static int cmp_need_table(const void *a, const void *b)
{
    return strcmp(((const cb_need_table *)a)->name, ((const cb_need_table *)b)->name);
}

void cb_needs_free(cb_needs *n)
{
    if (!n) return;
    for (size_t i = 0; i < n->ntables; i++) {
        cb_need_table *t = &n->tables[i];
        for (size_t c = 0; c < t->ncols; c++) {
            free(t->cols[c]);
            free(t->types[c]);
        }
        free(t->cols);
        free(t->types);
        free(t->name);
    }
    free(n->tables);
    memset(n, 0, sizeof *n);
}

/* A bad declaration (needs { ... } or report { ... }): "script:line: WHAT: message". */
static int decl_fail(lua_State *L, run_ctx *c, const char *what, const char *fmt, const char *a)
{
    c->needs_bad = 1;
    luaL_where(L, 1);
    lua_pushstring(L, what);
    lua_pushfstring(L, fmt, a);
    lua_concat(L, 3);
    return lua_error(L);
}

static int needs_fail(lua_State *L, run_ctx *c, const char *fmt, const char *a)
{
    cb_needs_free(c->needs_out);
    return decl_fail(L, c, "needs: ", fmt, a);
}

/* After a declaration in the prelude: the last one stops the script (done). */
static int prelude_step(lua_State *L, run_ctx *c)
{
    if (++c->decl_seen < c->decl_expected) return 0;
    lua_pushlightuserdata(L, (void *)&OPTIONAL_META[0]);
    return lua_error(L);
}

/* needs { table = { column = "text" | "number" | "any", ... } | optional { ... }, ... } */
static int l_needs(lua_State *L)
{
    run_ctx *c = cb_lua__ctx(L);
    luaL_checktype(L, 1, LUA_TTABLE);
    if (!c->needs_out) return 0; /* a county's run: checked before it started */
    cb_needs *n = c->needs_out;
    cb_needs_free(n);
    lua_settop(L, 1);
    luaL_getmetatable(L, OPTIONAL_META); /* 2 */
    lua_pushnil(L);
    while (lua_next(L, 1)) { /* key -2, value -1 */
        if (lua_type(L, -2) != LUA_TSTRING) return needs_fail(L, c, "%s", "table names must be strings");
        const char *tname = lua_tostring(L, -2);
        if (lua_type(L, -1) != LUA_TTABLE)
            return needs_fail(L, c, "table \"%s\" must be { column = \"type\", ... }", tname);
        n->tables = cb_xrealloc(n->tables, (n->ntables + 1) * sizeof *n->tables);
        cb_need_table *t = &n->tables[n->ntables++];
        memset(t, 0, sizeof *t);
        t->name = cb_xstrdup(tname);
        if (lua_getmetatable(L, -1)) {
            t->optional = lua_rawequal(L, -1, 2);
            lua_pop(L, 1);
        }
        lua_pushnil(L);
        while (lua_next(L, -2)) {
            if (lua_type(L, -2) != LUA_TSTRING)
                return needs_fail(L, c, "table \"%s\": column names must be strings", tname);
            const char *col = lua_tostring(L, -2);
            const char *ty = lua_type(L, -1) == LUA_TSTRING ? lua_tostring(L, -1) : "";
            if (strcmp(ty, "text") && strcmp(ty, "number") && strcmp(ty, "any")) {
                char what[256];
                snprintf(what, sizeof what, "%s.%s", tname, col);
                return needs_fail(L, c, "%s: the type must be \"text\", \"number\" or \"any\"", what);
            }
            t->cols = cb_xrealloc(t->cols, (t->ncols + 1) * sizeof *t->cols);
            t->types = cb_xrealloc(t->types, (t->ncols + 1) * sizeof *t->types);
            t->cols[t->ncols] = cb_xstrdup(col);
            t->types[t->ncols++] = cb_xstrdup(ty);
            lua_pop(L, 1);
        }
        /* sort columns (with their types) by name */
        for (size_t i = 1; i < t->ncols; i++)
            for (size_t j = i; j > 0 && strcmp(t->cols[j - 1], t->cols[j]) > 0; j--) {
                char *x = t->cols[j]; t->cols[j] = t->cols[j - 1]; t->cols[j - 1] = x;
                x = t->types[j]; t->types[j] = t->types[j - 1]; t->types[j - 1] = x;
            }
        lua_pop(L, 1);
    }
    if (n->ntables) qsort(n->tables, n->ntables, sizeof *n->tables, cmp_need_table);
    n->declared = 1;
    return prelude_step(L, c);
}

/* ------------------------------------------------------------------ report { ... } */

void cb_report_decl_free(cb_report_decl *d)
{
    if (!d) return;
    free(d->output);
    memset(d, 0, sizeof *d);
}

int cb_report_decl_has_lang(const cb_report_decl *d, const char *lang)
{
    if (!d || !d->nlangs) return strcmp(lang, CB_LANG_DEFAULT) == 0;
    for (size_t i = 0; i < d->nlangs; i++)
        if (strcmp(d->langs[i], lang) == 0) return 1;
    return 0;
}

static int report_fail(lua_State *L, run_ctx *c, const char *fmt, const char *a)
{
    cb_report_decl_free(c->decl_out);
    return decl_fail(L, c, "report: ", fmt, a);
}

/* report { languages = { ... } }: the languages, each one countybrief renders. */
static int read_languages(lua_State *L, run_ctx *c, cb_report_decl *d)
{
    if (!lua_istable(L, -1)) return report_fail(L, c, "%s", "languages must be a list such as { \"zh\", \"en\" }");
    lua_Integer n = luaL_len(L, -1);
    if (n < 1 || n > CB_LANGS_MAX) return report_fail(L, c, "%s", "languages must list 1 to 8 languages");
    for (lua_Integer i = 1; i <= n; i++) {
        lua_rawgeti(L, -1, i);
        const char *lang = lua_type(L, -1) == LUA_TSTRING ? lua_tostring(L, -1) : NULL;
        if (!cb_lang_known(lang))
            return report_fail(L, c, "languages: \"%s\" is not a language countybrief renders (zh, en)",
                               lang ? lang : luaL_typename(L, -1));
        snprintf(d->langs[d->nlangs++], sizeof d->langs[0], "%s", lang);
        lua_pop(L, 1);
    }
    return 0;
}

/* report { output = "name" }: a plain file name (without .pdf) for a report over all. */
static int read_output(lua_State *L, run_ctx *c, cb_report_decl *d)
{
    const char *o = lua_type(L, -1) == LUA_TSTRING ? lua_tostring(L, -1) : NULL;
    if (!o || !o[0] || o[0] == '.' || strchr(o, '/') || strchr(o, '\\') || strlen(o) > 200)
        return report_fail(L, c, "%s", "output must be a file name without folder, such as \"compare\"");
    d->output = cb_xstrdup(o);
    return 0;
}

/* report { scope = "county" | "all", languages = { "zh", "en" }, output = "name" } */
static int l_report(lua_State *L)
{
    run_ctx *c = cb_lua__ctx(L);
    luaL_checktype(L, 1, LUA_TTABLE);
    if (!c->decl_out) { /* a county's run: read before it started, if it came first */
        if (c->src->decl && c->src->decl->declared) return 0;
        /* not read: harmless unless it asks for another scope, which only counts first */
        lua_getfield(L, 1, "scope");
        const char *scope = lua_tostring(L, -1);
        if (scope && strcmp(scope, "county") != 0)
            return luaL_error(L, "report { scope = \"%s\" } must come first in the script (only "
                              "comments and needs { ... } may come before it)", scope);
        return 0;
    }
    cb_report_decl *d = c->decl_out;
    cb_report_decl_free(d);
    lua_settop(L, 1);
    lua_pushnil(L);
    while (lua_next(L, 1)) {
        const char *k = lua_type(L, -2) == LUA_TSTRING ? lua_tostring(L, -2) : "?";
        if (!strcmp(k, "scope")) {
            const char *v = lua_type(L, -1) == LUA_TSTRING ? lua_tostring(L, -1) : "";
            if (strcmp(v, "county") && strcmp(v, "all"))
                return report_fail(L, c, "%s", "scope must be \"county\" (one document per county) or \"all\" (one over every county)");
            d->scope = !strcmp(v, "all") ? CB_SCOPE_ALL : CB_SCOPE_COUNTY;
        } else if (!strcmp(k, "languages")) {
            read_languages(L, c, d);
        } else if (!strcmp(k, "output")) {
            read_output(L, c, d);
        } else {
            return report_fail(L, c, "unknown field '%s' (known: scope, languages, output)", k);
        }
        lua_pop(L, 1);
    }
    if (d->output && d->scope != CB_SCOPE_ALL)
        return report_fail(L, c, "%s", "output names the file of a report with scope = \"all\"; a report "
                           "per county writes <county_id>-<name>.pdf");
    d->declared = 1;
    return prelude_step(L, c);
}

/* needs, optional and report; optional's metatable (set by l_optional, protected, so no
 * __gc can be added to it). */
void cb_lua__open_decl(lua_State *L)
{
    static const luaL_Reg fns[] = {{"needs", l_needs}, {"optional", l_optional}, {"report", l_report}, {NULL, NULL}};
    luaL_newmetatable(L, OPTIONAL_META);
    lua_pushliteral(L, "optional");
    lua_setfield(L, -2, "__metatable");
    lua_pop(L, 1);
    for (const luaL_Reg *f = fns; f->name; f++) lua_register(L, f->name, f->func);
}
