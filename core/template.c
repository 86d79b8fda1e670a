/* template.c: see template.h. */
#include "template.h"

#include <lauxlib.h>
#include <lua.h>
#include <stdlib.h>
#include <string.h>
#include <stdint.h>
#include <stdio.h>
#include <strings.h>

#include "lua_limits.h"

int cb_lang_known(const char *lang)
{
    return lang && (strcmp(lang, "zh") == 0 || strcmp(lang, "en") == 0);
}

static void set_defaults(cb_template *t, const char *lang)
{
    int en = strcmp(lang, "en") == 0;
    snprintf(t->lang, sizeof t->lang, "%s", lang);
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
    t->cell_padding = 1;
    t->justify = 1;
    t->bold_headings = 1;
    t->folio = (cb_folio){NULL, 14, 19.84f, 14}; /* 4号, 7 mm, one character */
    t->typeset = CB_TYPESET_DEFAULT;
    t->primary = (cb_rgb){0.102f, 0.227f, 0.420f};
    t->accent = (cb_rgb){0.722f, 0.196f, 0.165f};
    t->text = (cb_rgb){0.133f, 0.133f, 0.133f};
    t->muted = (cb_rgb){0.42f, 0.42f, 0.42f};
    t->rule = (cb_rgb){0.753f, 0.769f, 0.800f};
    t->band = (cb_rgb){0.953f, 0.961f, 0.973f};
    t->panel = (cb_rgb){0.933f, 0.953f, 0.980f};
    t->bar = (cb_rgb){0.180f, 0.420f, 0.710f};
    t->header = cb_xstrdup("{title}");
    t->footer = cb_xstrdup(en ? "Page {page} of {pages}" : "第 {page} 页 / 共 {pages} 页");
    t->latin_family = cb_xstrdup("DejaVu Sans");
    t->masthead_size = 36;  /* 小初 */
    t->masthead_rule = 1;   /* GB/T 9704's 0.35 mm */
    t->masthead_color = (cb_rgb){1, 0.2f, 0.2f}; /* C0 M80 Y80 K0 as 1-C, 1-M, 1-Y: #FF3333 */
}

/* A template being read: its file, the section ("page.", "type.", ...) for messages naming
 * the full key, and the language whose entries a table by language gives. */
typedef struct reader {
    const char *path;
    const char *section;
    const char *lang;
} reader;

/* Reads field `key` of the table on top of the stack as a number, if present. */
/* A number, or a table by language ({ zh = 10, en = 8.5 }: English words are wider) whose
 * entry for the document's language is read, if it has one. */
static int get_number(lua_State *L, reader *rd, const char *key, float *out, cb_error *err)
{
    int ty = lua_getfield(L, -1, key);
    int rc = CB_OK;
    if (ty == LUA_TTABLE) {
        lua_pushnil(L);
        while (rc == CB_OK && lua_next(L, -2)) {
            if (lua_type(L, -2) != LUA_TSTRING || !cb_lang_known(lua_tostring(L, -2)))
                rc = cb_fail(err, CB_ETEMPLATE, "%s: %s%s: the keys of a table by language must be \"zh\" or "
                             "\"en\"", rd->path, rd->section, key);
            else if (lua_type(L, -1) != LUA_TNUMBER)
                rc = cb_fail(err, CB_ETEMPLATE, "%s: %s%s.%s must be a number, got %s", rd->path, rd->section, key,
                             lua_tostring(L, -2), luaL_typename(L, -1));
            lua_pop(L, rc == CB_OK ? 1 : 2);
        }
        if (rc == CB_OK && lua_getfield(L, -1, rd->lang) == LUA_TNUMBER) *out = (float)lua_tonumber(L, -1);
        if (rc == CB_OK) lua_pop(L, 1);
    } else if (ty == LUA_TNUMBER) *out = (float)lua_tonumber(L, -1);
    else if (ty != LUA_TNIL)
        rc = cb_fail(err, CB_ETEMPLATE, "%s: %s%s must be a number, got %s", rd->path, rd->section, key,
                     lua_typename(L, ty));
    lua_pop(L, 1);
    return rc;
}

static int get_string(lua_State *L, reader *rd, const char *key, char **out, cb_error *err)
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
        rc = cb_fail(err, CB_ETEMPLATE, "%s: %s%s must be a string, got %s", rd->path, rd->section, key,
                     lua_typename(L, ty));
    }
    lua_pop(L, 1);
    return rc;
}

static int get_bool(lua_State *L, reader *rd, const char *key, int *out, cb_error *err)
{
    int ty = lua_getfield(L, -1, key);
    int rc = CB_OK;
    if (ty == LUA_TBOOLEAN) *out = lua_toboolean(L, -1);
    else if (ty != LUA_TNIL)
        rc = cb_fail(err, CB_ETEMPLATE, "%s: %s%s must be true or false", rd->path, rd->section, key);
    lua_pop(L, 1);
    return rc;
}

/* A text field that may differ by language: a string (or false) for every language, or a
 * table { zh = ..., en = ... } whose entry for rd->lang is used (none: *out keeps the
 * default). Every entry must be a string or false. */
static int get_text(lua_State *L, reader *rd, const char *key, char **out, cb_error *err)
{
    if (lua_getfield(L, -1, key) != LUA_TTABLE) {
        lua_pop(L, 1);
        return get_string(L, rd, key, out, err);
    }
    lua_pushnil(L);
    while (lua_next(L, -2)) {
        int kt = lua_type(L, -2), vt = lua_type(L, -1);
        if (kt != LUA_TSTRING || !cb_lang_known(lua_tostring(L, -2))) {
            int rc = cb_fail(err, CB_ETEMPLATE, "%s: %s%s: the keys of a table by language must "
                             "be \"zh\" or \"en\"", rd->path, rd->section, key);
            lua_pop(L, 3);
            return rc;
        }
        if (vt != LUA_TSTRING && !(vt == LUA_TBOOLEAN && !lua_toboolean(L, -1))) {
            int rc = cb_fail(err, CB_ETEMPLATE, "%s: %s%s.%s must be a string, got %s", rd->path,
                             rd->section, key, lua_tostring(L, -2), lua_typename(L, vt));
            lua_pop(L, 3);
            return rc;
        }
        lua_pop(L, 1);
    }
    int rc = get_string(L, rd, rd->lang, out, err);
    lua_pop(L, 1);
    return rc;
}

/* not covered: s NULL (the caller passes a string) */
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

/* ------------------------------------------------------------------ images */

/* A process-wide cache, filled at the first PNG checked: the same 256 values whoever fills
 * it, so no engine needs its own. */
static uint32_t crc_table[256];

static uint32_t png_crc(const unsigned char *p, size_t n)
{
    if (!crc_table[1])
        for (uint32_t i = 0; i < 256; i++) {
            uint32_t c = i;
            for (int k = 0; k < 8; k++) c = c & 1 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
            crc_table[i] = c;
        }
    uint32_t c = 0xFFFFFFFFu;
    for (size_t i = 0; i < n; i++) c = crc_table[(c ^ p[i]) & 0xFF] ^ (c >> 8);
    return c ^ 0xFFFFFFFFu;
}

static uint32_t be32(const unsigned char *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static int check_png(const char *path, const unsigned char *d, size_t n, int *w, int *h,
                     cb_error *err)
{
    size_t off = 8;
    int seen_ihdr = 0, seen_idat = 0, seen_iend = 0, color = 0;
    while (off < n && !seen_iend) {
        if (n - off < 12)
            return cb_fail(err, CB_ETEMPLATE, "%s: PNG file is truncated (incomplete chunk at "
                           "byte %zu)", path, off);
        uint32_t len = be32(d + off);
        const unsigned char *type = d + off + 4;
        if (len > 0x7FFFFFFFu || len > n - off - 12)
            return cb_fail(err, CB_ETEMPLATE, "%s: PNG file is truncated or corrupt (chunk "
                           "%.4s at byte %zu runs past the end)", path, (const char *)type, off);
        if (be32(d + off + 8 + len) != png_crc(type, len + 4))
            return cb_fail(err, CB_ETEMPLATE, "%s: PNG file is corrupt (bad CRC in chunk %.4s)",
                           path, (const char *)type);
        const unsigned char *body = d + off + 8;
        if (!seen_ihdr) {
            if (memcmp(type, "IHDR", 4) != 0 || len != 13)
                return cb_fail(err, CB_ETEMPLATE, "%s: PNG file does not start with an IHDR chunk",
                               path);
            uint32_t pw = be32(body), ph = be32(body + 4);
            int depth = body[8];
            color = body[9];
            int depth_ok = (color == 0 && (depth == 1 || depth == 2 || depth == 4 || depth == 8 || depth == 16)) ||
                           (color == 3 && (depth == 1 || depth == 2 || depth == 4 || depth == 8)) ||
                           ((color == 2 || color == 4 || color == 6) && (depth == 8 || depth == 16));
            if (!pw || !ph || !depth_ok || body[10] != 0 || body[11] != 0 || body[12] > 1)
                return cb_fail(err, CB_ETEMPLATE, "%s: PNG header (IHDR) is inconsistent", path);
            if (pw > CB_LOGO_MAX_SIDE || ph > CB_LOGO_MAX_SIDE)
                return cb_fail(err, CB_ETEMPLATE, "%s: image is %u x %u pixels; at most %d x %d "
                               "allowed", path, (unsigned)pw, (unsigned)ph, CB_LOGO_MAX_SIDE,
                               CB_LOGO_MAX_SIDE);
            *w = (int)pw;
            *h = (int)ph;
            seen_ihdr = 1;
        } else if (memcmp(type, "IHDR", 4) == 0) {
            return cb_fail(err, CB_ETEMPLATE, "%s: PNG file has two IHDR chunks", path);
        } else if (memcmp(type, "IDAT", 4) == 0) {
            seen_idat = 1;
        } else if (memcmp(type, "IEND", 4) == 0) {
            seen_iend = 1;
        } else if (!(type[0] & 0x20) && memcmp(type, "PLTE", 4) != 0) {
            return cb_fail(err, CB_ETEMPLATE, "%s: PNG file has an unknown critical chunk %.4s",
                           path, (const char *)type);
        }
        off += 12 + (size_t)len;
    }
    if (!seen_iend)
        return cb_fail(err, CB_ETEMPLATE, "%s: PNG file is truncated (no IEND chunk)", path);
    if (!seen_idat)
        return cb_fail(err, CB_ETEMPLATE, "%s: PNG file has no image data (IDAT)", path);
    (void)color;
    return CB_OK;
}

static int check_jpeg(const char *path, const unsigned char *d, size_t n, int *w, int *h,
                      cb_error *err)
{
    size_t off = 2;
    int have_sof = 0;
    while (off + 4 <= n) {
        if (d[off] != 0xFF)
            return cb_fail(err, CB_ETEMPLATE, "%s: JPEG file is corrupt (no marker at byte %zu)",
                           path, off);
        unsigned m = d[off + 1];
        if (m == 0xFF) { off++; continue; }
        if (m == 0xD8 || m == 0x01 || (m >= 0xD0 && m <= 0xD7)) { off += 2; continue; }
        if (m == 0xD9) break;
        size_t len = (size_t)d[off + 2] << 8 | d[off + 3];
        if (len < 2 || off + 2 + len > n)
            return cb_fail(err, CB_ETEMPLATE, "%s: JPEG file is truncated (segment at byte %zu "
                           "runs past the end)", path, off);
        if (m >= 0xC0 && m <= 0xCF && m != 0xC4 && m != 0xC8 && m != 0xCC) {
            if (len < 8)
                return cb_fail(err, CB_ETEMPLATE, "%s: JPEG frame header is too short", path);
            int jh = d[off + 5] << 8 | d[off + 6], jw = d[off + 7] << 8 | d[off + 8];
            int comps = d[off + 9];
            if (!jw || !jh || (comps != 1 && comps != 3 && comps != 4))
                return cb_fail(err, CB_ETEMPLATE, "%s: JPEG frame header is inconsistent", path);
            if (jw > CB_LOGO_MAX_SIDE || jh > CB_LOGO_MAX_SIDE)
                return cb_fail(err, CB_ETEMPLATE, "%s: image is %d x %d pixels; at most %d x %d "
                               "allowed", path, jw, jh, CB_LOGO_MAX_SIDE, CB_LOGO_MAX_SIDE);
            *w = jw;
            *h = jh;
            have_sof = 1;
        }
        if (m == 0xDA) break; /* start of scan: entropy-coded data follows */
        off += 2 + len;
    }
    if (!have_sof)
        return cb_fail(err, CB_ETEMPLATE, "%s: JPEG file has no frame header (SOF) before its "
                       "image data", path);
    /* the file must end with EOI (a few bytes of padding after it are tolerated) */
    size_t k = n, stop = n > 64 ? n - 64 : 0;
    int eoi = 0;
    while (k >= 2 && k > stop && !eoi) {
        if (d[k - 2] == 0xFF && d[k - 1] == 0xD9) eoi = 1;
        k--;
    }
    if (!eoi) return cb_fail(err, CB_ETEMPLATE, "%s: JPEG file is truncated (no EOI marker)", path);
    return CB_OK;
}

int cb_image_check(const char *path, int *jpeg, int *w, int *h, cb_error *err)
{
    FILE *f = fopen(path, "rb");
    if (!f) return cb_fail(err, CB_ETEMPLATE, "%s: cannot open the image", path);
    cb_buf b = {0};
    unsigned char chunk[65536];
    size_t got;
    int rc = CB_OK;
    while ((got = fread(chunk, 1, sizeof chunk, f)) > 0) {
        cb_buf_add(&b, chunk, got);
        if (b.len > 32u << 20) {
            rc = cb_fail(err, CB_ETEMPLATE, "%s: image file is larger than 32 MiB", path);
            break;
        }
    }
    fclose(f);
    const unsigned char *d = (const unsigned char *)b.s;
    static const unsigned char png_sig[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};
    if (rc != CB_OK) {
    } else if (b.len >= 8 && memcmp(d, png_sig, 8) == 0) {
        *jpeg = 0;
        rc = check_png(path, d, b.len, w, h, err);
    } else if (b.len >= 4 && d[0] == 0xFF && d[1] == 0xD8 && d[2] == 0xFF) {
        *jpeg = 1;
        rc = check_jpeg(path, d, b.len, w, h, err);
    } else {
        rc = cb_fail(err, CB_ETEMPLATE, "%s: not a PNG or JPEG file", path);
    }
    cb_buf_free(&b);
    return rc;
}

/* ------------------------------------------------------------------ settings */

/* type.family: a string names the Chinese font; a table by language names the Chinese
 * font (zh) and the main font of an English document (en). */
static int read_family(lua_State *L, reader *rd, cb_template *t, cb_error *err)
{
    const char *was = rd->lang;
    int rc = CB_OK, by_lang = lua_getfield(L, -1, "family") == LUA_TTABLE;
    lua_pop(L, 1);
    if (by_lang) {
        rd->lang = "en";
        rc = get_text(L, rd, "family", &t->latin_family, err);
    }
    rd->lang = "zh";
    if (rc == CB_OK) rc = get_text(L, rd, "family", &t->font_family, err);
    rd->lang = was;
    if (rc == CB_OK && !t->latin_family) t->latin_family = cb_xstrdup("DejaVu Sans");
    return rc;
}

/* One face of type.faces (cb_face_spec): a file when the text ends in .ttf, .otf, .ttc or
 * .otc (then ":N" may name a face of a collection) or holds a '/', else a fontconfig
 * pattern. A file must exist: the field and the file are named when it does not. */
static int read_face(reader *rd, cb_template *t, const char *field, const char *text,
                     cb_face_spec *out, cb_error *err)
{
    size_t n = strlen(text), k = n;
    while (k > 0 && text[k - 1] >= '0' && text[k - 1] <= '9') k--;
    size_t stem = k > 0 && k < n && text[k - 1] == ':' ? k - 1 : n;
    static const char *const exts[] = {".ttf", ".otf", ".ttc", ".otc"};
    int file = memchr(text, '/', n) != NULL;
    for (size_t i = 0; i < 4 && !file; i++)
        file = stem > 4 && strncasecmp(text + stem - 4, exts[i], 4) == 0;
    if (!*text)
        return cb_fail(err, CB_ETEMPLATE, "%s: type.faces.%s is empty: name a font (a fontconfig "
                       "family, or a file)", rd->path, field);
    if (!file) {
        out->pattern = cb_xstrdup(text);
        return CB_OK;
    }
    char *name = cb_xstrndup(text, stem);
    out->file = name[0] == '/' ? cb_xstrdup(name) : cb_path_join(t->dir, name);
    out->index = stem < n ? atoi(text + stem + 1) : 0;
    free(name);
    if (!cb_is_file(out->file))
        return cb_fail(err, CB_ETEMPLATE, "%s: type.faces.%s: font file %s not found", rd->path, field,
                       out->file);
    return CB_OK;
}

/* The face on top of the stack, named `field` in messages: a string (read_face), or a
 * list of fontconfig patterns tried in order ({ "FangSong", "Noto Serif CJK SC" }). */
static int read_face_value(lua_State *L, reader *rd, cb_template *t, const char *field, cb_face_spec *out,
                           cb_error *err)
{
    if (lua_type(L, -1) == LUA_TSTRING) return read_face(rd, t, field, lua_tostring(L, -1), out, err);
    size_t n = (size_t)lua_rawlen(L, -1);
    int rc = n ? CB_OK : cb_fail(err, CB_ETEMPLATE, "%s: type.faces.%s is an empty list: name a font", rd->path, field);
    for (size_t i = 1; i <= n && rc == CB_OK; i++) {
        int vt = lua_rawgeti(L, -1, (lua_Integer)i);
        if (vt != LUA_TSTRING || !*lua_tostring(L, -1))
            rc = cb_fail(err, CB_ETEMPLATE, "%s: type.faces.%s[%zu] must be a font family (a non-empty string), "
                         "got %s", rd->path, field, i, vt == LUA_TSTRING ? "\"\"" : lua_typename(L, vt));
        else if (i == 1) out->pattern = cb_xstrdup(lua_tostring(L, -1));
        else {
            out->alts = cb_xgrow(out->alts, out->nalts, sizeof *out->alts);
            out->alts[out->nalts++] = cb_xstrdup(lua_tostring(L, -1));
        }
        lua_pop(L, 1);
    }
    return rc;
}

/* type.faces = { body = F, heading = F, figures = F, latin = F, title = F, heading2 = F }:
 * each F a face or list of faces (read_face_value) or { regular = F, bold = F }. */
static int read_faces(lua_State *L, reader *rd, cb_template *t, cb_error *err)
{
    int ty = lua_getfield(L, -1, "faces"), rc = CB_OK;
    if (ty != LUA_TTABLE) {
        lua_pop(L, 1);
        return ty == LUA_TNIL ? CB_OK : cb_fail(err, CB_ETEMPLATE, "%s: type.faces must be a table "
                                                "{ body = ..., heading = ... }, got %s", rd->path,
                                                lua_typename(L, ty));
    }
    lua_pushnil(L);
    while (rc == CB_OK && lua_next(L, -2)) {
        int role = -1;
        const char *key = lua_type(L, -2) == LUA_TSTRING ? lua_tostring(L, -2) : "?";
        for (int r = 0; r < CB_FONT_NROLES; r++)
            if (strcmp(key, cb_font_role_names[r]) == 0) role = r;
        if (role < 0) {
            rc = cb_fail(err, CB_ETEMPLATE, "%s: type.faces.%s: not a role (body, heading, figures, "
                         "latin, title, heading2)", rd->path, key);
        } else if (lua_type(L, -1) == LUA_TSTRING || (lua_type(L, -1) == LUA_TTABLE && lua_rawlen(L, -1) > 0)) {
            rc = read_face_value(L, rd, t, key, &t->faces[role][0], err);
        } else if (lua_type(L, -1) == LUA_TTABLE) {
            static const char *const weights[] = {"regular", "bold"};
            for (int b = 0; b < 2 && rc == CB_OK; b++) {
                char field[40];
                snprintf(field, sizeof field, "%s.%s", key, weights[b]);
                int vt = lua_getfield(L, -1, weights[b]);
                if (vt == LUA_TSTRING || vt == LUA_TTABLE)
                    rc = read_face_value(L, rd, t, field, &t->faces[role][b], err);
                else if (vt != LUA_TNIL)
                    rc = cb_fail(err, CB_ETEMPLATE, "%s: type.faces.%s must be a string, got %s", rd->path,
                                 field, lua_typename(L, vt));
                lua_pop(L, 1);
            }
        } else {
            rc = cb_fail(err, CB_ETEMPLATE, "%s: type.faces.%s must be a string or { regular = ..., "
                         "bold = ... }, got %s", rd->path, key, luaL_typename(L, -1));
        }
        lua_pop(L, 1);
    }
    if (rc != CB_OK) lua_pop(L, 1); /* the key lua_next left */
    lua_pop(L, 1);
    return rc;
}

/* masthead = true or { name =, color =, size =, rule = } (docs/templates.md). */
static int read_masthead(lua_State *L, reader *rd, cb_template *t, cb_error *err)
{
    int ty = lua_getfield(L, -1, "masthead"), rc = CB_OK;
    if (ty == LUA_TBOOLEAN) t->masthead = lua_toboolean(L, -1);
    else if (ty == LUA_TTABLE) {
        char *color = NULL;
        t->masthead = 1;
        rd->section = "masthead.";
        if ((rc = get_text(L, rd, "name", &t->masthead_name, err)) ||
            (rc = get_number(L, rd, "size", &t->masthead_size, err)) ||
            (rc = get_number(L, rd, "rule", &t->masthead_rule, err)) ||
            (rc = get_string(L, rd, "color", &color, err)))
            ; /* rc says it */
        else if (color && !parse_color(color, &t->masthead_color))
            rc = cb_fail(err, CB_ETEMPLATE, "%s: masthead.color \"%s\" is not #rrggbb", rd->path, color);
        else if (!(t->masthead_size >= CB_TYPE_MIN_PT && t->masthead_size <= CB_TYPE_MAX_PT))
            rc = cb_fail(err, CB_ETEMPLATE, "%s: masthead.size is %g points; it must be %d to %d", rd->path,
                         (double)t->masthead_size, CB_TYPE_MIN_PT, CB_TYPE_MAX_PT);
        else if (!(t->masthead_rule >= 0 && t->masthead_rule <= 12))
            rc = cb_fail(err, CB_ETEMPLATE, "%s: masthead.rule is %g points; it must be 0 to 12", rd->path,
                         (double)t->masthead_rule);
        free(color);
        rd->section = "";
    } else if (ty != LUA_TNIL)
        rc = cb_fail(err, CB_ETEMPLATE, "%s: masthead must be true, false or a table, got %s", rd->path,
                     lua_typename(L, ty));
    lua_pop(L, 1);
    return rc;
}

/* type.grid = { lines = N, chars = N }: a strict grid of N body lines and N characters a
 * line filling the type area (1 to 200 each). */
static int read_grid(lua_State *L, reader *rd, cb_template *t, cb_error *err)
{
    int ty = lua_getfield(L, -1, "grid"), rc = CB_OK;
    if (ty == LUA_TTABLE) {
        const char *keys[] = {"lines", "chars"};
        int *dst[] = {&t->grid_lines, &t->grid_chars};
        for (int i = 0; i < 2 && rc == CB_OK; i++) {
            int isint = 0;
            lua_getfield(L, -1, keys[i]);
            lua_Integer v = lua_tointegerx(L, -1, &isint);
            if (!isint || v < 1 || v > 200)
                rc = cb_fail(err, CB_ETEMPLATE, "%s: type.grid.%s must be a whole number from 1 to 200",
                             rd->path, keys[i]);
            else *dst[i] = (int)v;
            lua_pop(L, 1);
        }
    } else if (ty != LUA_TNIL) {
        rc = cb_fail(err, CB_ETEMPLATE, "%s: type.grid must be a table { lines = ..., chars = ... }, got %s",
                     rd->path, lua_typename(L, ty));
    }
    lua_pop(L, 1);
    return rc;
}

/* type.numbering: "gongwen" (一、 （一） 1. （1）) or "none". */
static int read_numbering(lua_State *L, reader *rd, cb_template *t, cb_error *err)
{
    char *s = NULL;
    int rc = get_string(L, rd, "numbering", &s, err);
    if (rc == CB_OK && s && strcmp(s, "gongwen") == 0) t->numbering = CB_NUMBERING_GONGWEN;
    else if (rc == CB_OK && s && strcmp(s, "none") == 0) t->numbering = CB_NUMBERING_NONE;
    else if (rc == CB_OK && s)
        rc = cb_fail(err, CB_ETEMPLATE, "%s: type.numbering \"%s\" is not gongwen or none", rd->path, s);
    free(s);
    return rc;
}

/* folio = { text = "— {page} —", size = 14, below = 19.84, inset = 14 }: the page number
 * on the outside of each page; text may be by language. */
static int read_folio(lua_State *L, reader *rd, cb_template *t, cb_error *err)
{
    int ty = lua_getfield(L, -1, "folio"), rc = CB_OK;
    if (ty == LUA_TTABLE) {
        rd->section = "folio.";
        t->folio.text = cb_xstrdup("— {page} —");
        if ((rc = get_text(L, rd, "text", &t->folio.text, err)) == CB_OK &&
            (rc = get_number(L, rd, "size", &t->folio.size, err)) == CB_OK &&
            (rc = get_number(L, rd, "below", &t->folio.below, err)) == CB_OK)
            rc = get_number(L, rd, "inset", &t->folio.inset, err);
        if (rc == CB_OK && !(t->folio.size >= CB_TYPE_MIN_PT && t->folio.size <= CB_TYPE_MAX_PT))
            rc = cb_fail(err, CB_ETEMPLATE, "%s: folio.size is %g points; it must be %d to %d", rd->path,
                         (double)t->folio.size, CB_TYPE_MIN_PT, CB_TYPE_MAX_PT);
        rd->section = "";
    } else if (ty != LUA_TNIL && !(ty == LUA_TBOOLEAN && !lua_toboolean(L, -1))) {
        rc = cb_fail(err, CB_ETEMPLATE, "%s: folio must be a table { text = ..., size = ... } or false, got %s",
                     rd->path, lua_typename(L, ty));
    }
    lua_pop(L, 1);
    return rc;
}

static int read_settings(lua_State *L, reader *rd, cb_template *t, cb_error *err)
{
    const char *path = rd->path;
    int rc, ty;
    rd->section = "page.";
    if (lua_getfield(L, -1, "page") == LUA_TTABLE) {
        char *size = NULL, *orient = NULL;
        if ((rc = get_string(L, rd, "size", &size, err)) ||
            (rc = get_string(L, rd, "orientation", &orient, err))) {
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
        float fit = 0;
        if ((rc = get_number(L, rd, "width", &t->page_w, err)) ||
            (rc = get_number(L, rd, "height", &t->page_h, err)) || (rc = get_number(L, rd, "fit", &fit, err)))
            return rc;
        if (!(fit >= 0 && fit <= 1000 && fit == (float)(int)fit))
            return cb_fail(err, CB_ETEMPLATE, "%s: page.fit is %g; it must be a whole number of pages, "
                           "1 to 1000 (or 0: no limit)", path, (double)fit);
        t->fit = (int)fit;
        rd->section = "page.margin.";
        if (lua_getfield(L, -1, "margin") == LUA_TTABLE) {
            if ((rc = get_number(L, rd, "top", &t->margin_top, err)) ||
                (rc = get_number(L, rd, "right", &t->margin_right, err)) ||
                (rc = get_number(L, rd, "bottom", &t->margin_bottom, err)) ||
                (rc = get_number(L, rd, "left", &t->margin_left, err)))
                return rc;
        }
        lua_pop(L, 1);
    }
    lua_pop(L, 1);
    rd->section = "type.";
    if (lua_getfield(L, -1, "type") == LUA_TTABLE) {
        struct { const char *key; float *dst; } nums[] = {
            {"body", &t->body_size},   {"leading", &t->leading}, {"title", &t->title_size},
            {"h1", &t->h1_size},       {"h2", &t->h2_size},      {"small", &t->small_size},
            {"table", &t->table_size}, {"indent", &t->indent}, {"padding", &t->cell_padding},
        };
        for (size_t i = 0; i < sizeof nums / sizeof nums[0]; i++)
            if ((rc = get_number(L, rd, nums[i].key, nums[i].dst, err))) return rc;
        if ((rc = read_family(L, rd, t, err)) || (rc = read_faces(L, rd, t, err)) ||
            (rc = read_grid(L, rd, t, err)) || (rc = read_numbering(L, rd, t, err)) ||
            (rc = get_bool(L, rd, "bold_headings", &t->bold_headings, err)) ||
            (rc = get_bool(L, rd, "justify", &t->justify, err)) ||
            (rc = get_bool(L, rd, "cjk_latin_space", &t->typeset.cjk_latin, err)))
            return rc;
        char *punct = NULL;
        if ((rc = get_string(L, rd, "punctuation", &punct, err))) return rc;
        int scheme = punct ? cb_punct_parse(punct) : (int)t->typeset.punct;
        if (scheme < 0) {
            rc = cb_fail(err, CB_ETEMPLATE, "%s: type.punctuation \"%s\" is not kaiming, quanjiao or "
                         "banjiao", path, punct);
            free(punct);
            return rc;
        }
        free(punct);
        t->typeset.punct = (cb_punct)scheme;
    }
    lua_pop(L, 1);
    rd->section = "colors.";
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
            if ((rc = get_string(L, rd, cols[i].key, &s, err))) return rc;
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
    rd->section = "";
    if ((rc = get_text(L, rd, "header", &t->header, err)) ||
        (rc = get_text(L, rd, "footer", &t->footer, err)) ||
        (rc = get_text(L, rd, "watermark", &t->watermark, err)) || (rc = read_folio(L, rd, t, err)))
        return rc;
    if ((rc = get_bool(L, rd, "condensed", &t->condensed, err))) return rc;
    if (t->watermark && !t->watermark[0]) {
        free(t->watermark);
        t->watermark = NULL;
    }
    char *logo = NULL;
    if ((rc = get_string(L, rd, "logo", &logo, err))) return rc;
    if (logo) {
        if (!logo[0] || strstr(logo, "..") || logo[0] == '/') {
            rc = cb_fail(err, CB_ETEMPLATE, "%s: logo \"%s\" must name a file in the template "
                         "folder", path, logo);
            free(logo);
            return rc;
        }
        t->logo = cb_path_join(t->dir, logo);
        free(logo);
        if (!cb_is_file(t->logo))
            return cb_fail(err, CB_ETEMPLATE, "%s: logo file %s not found", path, t->logo);
        if ((rc = cb_image_check(t->logo, &t->logo_jpeg, &t->logo_w, &t->logo_h, err))) return rc;
    }
    if ((rc = read_masthead(L, rd, t, err))) return rc;
    ty = lua_getfield(L, -1, "cover");
    if (ty == LUA_TBOOLEAN) t->cover = lua_toboolean(L, -1);
    else if (ty == LUA_TTABLE) {
        t->cover = 1;
        rd->section = "cover.";
        if ((rc = get_text(L, rd, "title", &t->cover_title, err)) ||
            (rc = get_text(L, rd, "subtitle", &t->cover_subtitle, err)))
            return rc;
        rd->section = "";
    } else if (ty != LUA_TNIL)
        return cb_fail(err, CB_ETEMPLATE, "%s: cover must be true, false or a table, got %s", path,
                       lua_typename(L, ty));
    lua_pop(L, 1);
    /* libharu fails the whole document on text drawn at 0 points or less, and layout draws
     * small print half a point under the template's sizes: keep every size readable */
    struct { const char *key; float v; } sizes[] = {
        {"body", t->body_size}, {"title", t->title_size}, {"h1", t->h1_size},
        {"h2", t->h2_size},     {"small", t->small_size}, {"table", t->table_size},
    };
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++)
        if (!(sizes[i].v >= CB_TYPE_MIN_PT && sizes[i].v <= CB_TYPE_MAX_PT))
            return cb_fail(err, CB_ETEMPLATE, "%s: type.%s is %g points; it must be %d to %d",
                           path, sizes[i].key, (double)sizes[i].v, CB_TYPE_MIN_PT, CB_TYPE_MAX_PT);
    /* PDF's own page limits (ISO 32000, annex C): libharu refuses more with an error code */
    if (!(t->page_w >= 144 && t->page_w <= 14400 && t->page_h >= 144 && t->page_h <= 14400))
        return cb_fail(err, CB_ETEMPLATE, "%s: the page is %g x %g points; PDF pages are at most "
                       "14400 points (200 inches) a side, and countybrief's at least 144", path,
                       (double)t->page_w, (double)t->page_h);
    if (t->margin_left + t->margin_right > t->page_w - 72 ||
        /* not covered: body_size < 4 (the sizes' check above refuses it first) */
        t->margin_top + t->margin_bottom > t->page_h - 144 || t->body_size < 4 || t->leading < 1 ||
        t->cell_padding < 0 || t->cell_padding > 4)
        return cb_fail(err, CB_ETEMPLATE, "%s: page size, margins or type sizes leave no room "
                       "for text", path);
    return CB_OK;
}

int cb_template_load(cb_template *t, const char *name_or_dir, const char *share_dir, cb_error *err)
{
    return cb_template_load_lang(t, name_or_dir, share_dir, CB_LANG_DEFAULT, err);
}

int cb_template_load_lang(cb_template *t, const char *name_or_dir, const char *share_dir,
                          const char *lang, cb_error *err)
{
    return cb_template_load_limited(t, name_or_dir, share_dir, lang, NULL, err);
}

int cb_template_load_limited(cb_template *t, const char *name_or_dir, const char *share_dir,
                             const char *lang, const cb_lua_limits *limits, cb_error *err)
{
    memset(t, 0, sizeof *t);
    if (!cb_lang_known(lang))
        return cb_fail(err, CB_EUSAGE, "%s: unknown language (countybrief knows zh and en)", lang);
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
    set_defaults(t, lang);
    const char *slash = strrchr(dir, '/');
    t->name = cb_xstrdup(slash && slash[1] ? slash + 1 : dir);
    t->dir = dir;

    /* empty environment: a template only returns data */
    lua_State *L = cb_lua_run_description(path, limits, CB_ETEMPLATE, err);
    int rc = L ? CB_OK : err ? err->code : CB_ETEMPLATE; /* not covered: err NULL (callers pass one) */
    if (L && !lua_istable(L, -1)) rc = cb_fail(err, CB_ETEMPLATE, "%s: must return a table", path);
    else if (L) {
        reader rd = {path, "", lang};
        rc = read_settings(L, &rd, t, err);
    }
    cb_lua_close_description(L);
    free(path);
    if (rc != CB_OK) cb_template_free(t);
    return rc;
}

void cb_template_free(cb_template *t)
{
    free(t->name);
    free(t->dir);
    free(t->font_family);
    free(t->latin_family);
    for (int r = 0; r < CB_FONT_NROLES; r++)
        for (int b = 0; b < 2; b++) {
            free(t->faces[r][b].pattern);
            for (size_t i = 0; i < t->faces[r][b].nalts; i++) free(t->faces[r][b].alts[i]);
            free(t->faces[r][b].alts);
            free(t->faces[r][b].file);
        }
    free(t->header);
    free(t->footer);
    free(t->folio.text);
    free(t->watermark);
    free(t->logo);
    free(t->cover_title);
    free(t->cover_subtitle);
    free(t->masthead_name);
    memset(t, 0, sizeof *t);
}
