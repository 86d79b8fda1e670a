/* template.c: see template.h. */
#include "template.h"

#include <lauxlib.h>
#include <lua.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static void set_defaults(cb_template *t)
{
    t->page_w = 595.276f; /* A4 */
    t->page_h = 841.890f;
    t->margin_top = 62;
    t->margin_bottom = 64;
    t->margin_left = t->margin_right = 54;
    t->body_size = 10.5f;
    t->leading = 1.7f;
    t->title_size = 22;
    t->h1_size = 14;
    t->h2_size = 11.5f;
    t->small_size = 8.5f;
    t->table_size = 9.5f;
    t->indent = 2;
    t->justify = 1;
    t->primary = (cb_rgb){0.102f, 0.227f, 0.420f};
    t->accent = (cb_rgb){0.722f, 0.196f, 0.165f};
    t->text = (cb_rgb){0.133f, 0.133f, 0.133f};
    t->muted = (cb_rgb){0.42f, 0.42f, 0.42f};
    t->rule = (cb_rgb){0.753f, 0.769f, 0.800f};
    t->band = (cb_rgb){0.953f, 0.961f, 0.973f};
    t->panel = (cb_rgb){0.933f, 0.953f, 0.980f};
    t->bar = (cb_rgb){0.180f, 0.420f, 0.710f};
    t->header = cb_xstrdup("{title}");
    t->footer = cb_xstrdup("第 {page} 页 / 共 {pages} 页");
}

/* The section being read ("page.", "type.", ...), for messages naming the full key. */
static const char *section = "";

/* Reads field `key` of the table on top of the stack as a number, if present. */
static int get_number(lua_State *L, const char *key, float *out, const char *path, cb_error *err)
{
    int ty = lua_getfield(L, -1, key);
    int rc = CB_OK;
    if (ty == LUA_TNUMBER) *out = (float)lua_tonumber(L, -1);
    else if (ty != LUA_TNIL)
        rc = cb_fail(err, CB_ETEMPLATE, "%s: %s%s must be a number, got %s", path, section, key,
                     lua_typename(L, ty));
    lua_pop(L, 1);
    return rc;
}

static int get_string(lua_State *L, const char *key, char **out, const char *path, cb_error *err)
{
    int ty = lua_getfield(L, -1, key);
    int rc = CB_OK;
    if (ty == LUA_TSTRING) {
        free(*out);
        *out = cb_xstrdup(lua_tostring(L, -1));
    } else if (ty == LUA_TBOOLEAN && !lua_toboolean(L, -1)) {
        free(*out); /* `header = false` turns it off */
        *out = NULL;
    } else if (ty != LUA_TNIL) {
        rc = cb_fail(err, CB_ETEMPLATE, "%s: %s%s must be a string, got %s", path, section, key,
                     lua_typename(L, ty));
    }
    lua_pop(L, 1);
    return rc;
}

static int parse_color(const char *s, cb_rgb *c)
{
    unsigned v;
    char tail;
    if (!s || s[0] != '#' || strlen(s) != 7 || sscanf(s + 1, "%6x%c", &v, &tail) != 1) return 0;
    c->r = ((v >> 16) & 0xFF) / 255.0f;
    c->g = ((v >> 8) & 0xFF) / 255.0f;
    c->b = (v & 0xFF) / 255.0f;
    return 1;
}

static int read_settings(lua_State *L, cb_template *t, const char *path, cb_error *err)
{
    int rc;
    section = "page.";
    if (lua_getfield(L, -1, "page") == LUA_TTABLE) {
        char *size = NULL, *orient = NULL;
        if ((rc = get_string(L, "size", &size, path, err)) ||
            (rc = get_string(L, "orientation", &orient, path, err))) {
            free(size);
            free(orient);
            return rc;
        }
        if (size && strcasecmp(size, "A4") == 0) { t->page_w = 595.276f; t->page_h = 841.890f; }
        else if (size && strcasecmp(size, "A5") == 0) { t->page_w = 419.528f; t->page_h = 595.276f; }
        else if (size && strcasecmp(size, "Letter") == 0) { t->page_w = 612; t->page_h = 792; }
        else if (size) {
            rc = cb_fail(err, CB_ETEMPLATE, "%s: page.size \"%s\" is not A4, A5 or Letter", path, size);
            free(size);
            free(orient);
            return rc;
        }
        if (orient && strcasecmp(orient, "landscape") == 0) {
            float w = t->page_w;
            t->page_w = t->page_h;
            t->page_h = w;
        }
        free(size);
        free(orient);
        if ((rc = get_number(L, "width", &t->page_w, path, err)) ||
            (rc = get_number(L, "height", &t->page_h, path, err)))
            return rc;
        section = "page.margin.";
        if (lua_getfield(L, -1, "margin") == LUA_TTABLE) {
            if ((rc = get_number(L, "top", &t->margin_top, path, err)) ||
                (rc = get_number(L, "right", &t->margin_right, path, err)) ||
                (rc = get_number(L, "bottom", &t->margin_bottom, path, err)) ||
                (rc = get_number(L, "left", &t->margin_left, path, err)))
                return rc;
        }
        lua_pop(L, 1);
    }
    lua_pop(L, 1);
    section = "type.";
    if (lua_getfield(L, -1, "type") == LUA_TTABLE) {
        struct { const char *key; float *dst; } nums[] = {
            {"body", &t->body_size},   {"leading", &t->leading}, {"title", &t->title_size},
            {"h1", &t->h1_size},       {"h2", &t->h2_size},      {"small", &t->small_size},
            {"table", &t->table_size}, {"indent", &t->indent},
        };
        for (size_t i = 0; i < sizeof nums / sizeof nums[0]; i++)
            if ((rc = get_number(L, nums[i].key, nums[i].dst, path, err))) return rc;
        if ((rc = get_string(L, "family", &t->font_family, path, err))) return rc;
        int ty = lua_getfield(L, -1, "justify");
        if (ty == LUA_TBOOLEAN) t->justify = lua_toboolean(L, -1);
        else if (ty != LUA_TNIL)
            return cb_fail(err, CB_ETEMPLATE, "%s: type.justify must be true or false", path);
        lua_pop(L, 1);
    }
    lua_pop(L, 1);
    section = "colors.";
    if (lua_getfield(L, -1, "colors") == LUA_TTABLE) {
        struct { const char *key; cb_rgb *dst; } cols[] = {
            {"primary", &t->primary}, {"accent", &t->accent}, {"text", &t->text},
            {"muted", &t->muted},     {"rule", &t->rule},     {"band", &t->band},
            {"panel", &t->panel},     {"bar", &t->bar},
        };
        for (size_t i = 0; i < sizeof cols / sizeof cols[0]; i++) {
            char *s = NULL;
            if (lua_getfield(L, -1, cols[i].key) == LUA_TBOOLEAN) {
                lua_pop(L, 1);
                return cb_fail(err, CB_ETEMPLATE, "%s: colors.%s must be a \"#rrggbb\" string", path,
                               cols[i].key);
            }
            lua_pop(L, 1);
            if ((rc = get_string(L, cols[i].key, &s, path, err))) return rc;
            if (s && !parse_color(s, cols[i].dst)) {
                rc = cb_fail(err, CB_ETEMPLATE, "%s: colors.%s \"%s\" is not #rrggbb", path,
                             cols[i].key, s);
                free(s);
                return rc;
            }
            free(s);
        }
    }
    lua_pop(L, 1);
    section = "";
    if ((rc = get_string(L, "header", &t->header, path, err)) ||
        (rc = get_string(L, "footer", &t->footer, path, err)))
        return rc;
    if (t->page_w < 144 || t->page_h < 144 || t->margin_left + t->margin_right > t->page_w - 72 ||
        t->margin_top + t->margin_bottom > t->page_h - 144 || t->body_size < 4 || t->leading < 1)
        return cb_fail(err, CB_ETEMPLATE, "%s: page size, margins or type sizes leave no room "
                       "for text", path);
    return CB_OK;
}

int cb_template_load(cb_template *t, const char *name_or_dir, const char *share_dir, cb_error *err)
{
    memset(t, 0, sizeof *t);
    char *dir;
    /* a bare name is a shipped template; a folder is given as a path ("./mine") */
    if (strchr(name_or_dir, '/')) dir = cb_xstrdup(name_or_dir);
    else {
        char *base = cb_path_join(share_dir, "templates");
        dir = cb_path_join(base, name_or_dir);
        free(base);
    }
    char *path = cb_path_join(dir, "template.lua");
    if (!cb_is_file(path)) {
        int rc = cb_fail(err, CB_ENOTFOUND, "%s: no such template (expected %s)", name_or_dir, path);
        free(dir);
        free(path);
        return rc;
    }
    set_defaults(t);
    const char *slash = strrchr(dir, '/');
    t->name = cb_xstrdup(slash && slash[1] ? slash + 1 : dir);
    t->dir = dir;

    lua_State *L = luaL_newstate();
    int rc = CB_OK;
    if (!L) rc = cb_fail(err, CB_ENOMEM, "%s: cannot create a Lua state", path);
    else if (luaL_loadfilex(L, path, "t") != LUA_OK) {
        rc = cb_fail(err, CB_ETEMPLATE, "%s", lua_tostring(L, -1));
    } else {
        lua_newtable(L); /* empty environment: a template only returns data */
        lua_setupvalue(L, -2, 1);
        if (lua_pcall(L, 0, 1, 0) != LUA_OK) rc = cb_fail(err, CB_ETEMPLATE, "%s", lua_tostring(L, -1));
        else if (!lua_istable(L, -1)) rc = cb_fail(err, CB_ETEMPLATE, "%s: must return a table", path);
        else rc = read_settings(L, t, path, err);
    }
    if (L) lua_close(L);
    free(path);
    if (rc != CB_OK) cb_template_free(t);
    return rc;
}

void cb_template_free(cb_template *t)
{
    free(t->name);
    free(t->dir);
    free(t->font_family);
    free(t->header);
    free(t->footer);
    memset(t, 0, sizeof *t);
}
