/*
 * qr.c: an example countybrief plugin, built out of tree against the installed engine.
 *
 * It provides
 *   - the block type "qr.code":   doc:add("qr.code", { text = "...", size = 90, caption = "...",
 *                                                     level = "M" })
 *     a QR code drawn with the host's drawing calls (one filled path of rectangles), with its
 *     4-module quiet zone and an optional caption centred below it;
 *   - the Lua module "qr" with one function:
 *         local version, modules = qr.version(text [, level])
 *     the QR version (1-40) and the number of modules a side (17 + 4 * version) that `text`
 *     needs, so that a report can say how dense its code is.
 *
 * The QR matrix comes from libqrencode. Everything else uses only countybrief/plugin.h.
 * The plugin keeps no global mutable state: each block's state is its own heap object.
 */
#include <errno.h>
#include <lauxlib.h>
#include <math.h>
#include <qrencode.h>
#include <stdlib.h>
#include <string.h>

#include "countybrief/plugin.h"

CB_PLUGIN_MAGIC("qr", "1.0.0", "QR codes: block qr.code, Lua module qr (example plugin)")

enum {
    QUIET = 4,          /* modules of white border the QR standard asks for, on each side */
    MAX_TEXT = 1200,    /* bytes: more makes a code too dense to print at a readable size */
};
#define DEFAULT_SIZE 90.0f /* points, quiet zone included */
#define MIN_SIZE 36.0f
#define MAX_SIZE 400.0f
#define MIN_MODULE 1.0f    /* points (0.35 mm): below that a phone camera struggles */
#define CAPTION_GAP 6.0f   /* points between the code and its caption */

typedef struct qr_block {
    float size;          /* side of the code with its quiet zone, in points */
    int modules;         /* modules a side, quiet zone not included */
    unsigned char *dark; /* modules * modules flags, row by row from the top */
    char *caption;       /* NULL when there is none */
} qr_block;

/* ------------------------------------------------------------------ encoding */

/* The error correction level at index idx of L: "L", "M" (default), "Q" or "H". */
static QRecLevel check_level(lua_State *L, int idx, const char *who)
{
    if (lua_isnoneornil(L, idx)) return QR_ECLEVEL_M;
    int is_string = lua_type(L, idx) == LUA_TSTRING; /* not a number: no conversion */
    const char *s = is_string ? lua_tostring(L, idx) : NULL;
    if (is_string && s[0] && !s[1]) {
        switch (s[0]) {
        case 'L': return QR_ECLEVEL_L;
        case 'M': return QR_ECLEVEL_M;
        case 'Q': return QR_ECLEVEL_Q;
        case 'H': return QR_ECLEVEL_H;
        }
    }
    if (is_string)
        luaL_error(L, "%s: 'level' must be \"L\", \"M\", \"Q\" or \"H\", got \"%s\"", who, s);
    luaL_error(L, "%s: 'level' must be \"L\", \"M\", \"Q\" or \"H\", got %s", who,
               luaL_typename(L, idx));
    return QR_ECLEVEL_M; /* not reached */
}

/* The text at index idx of L, checked: a non-empty string without NUL bytes, not too long. */
static const char *check_text(lua_State *L, int idx, const char *who, size_t *len)
{
    if (lua_type(L, idx) != LUA_TSTRING)
        luaL_error(L, "%s: 'text' must be a string, got %s", who, luaL_typename(L, idx));
    const char *s = lua_tolstring(L, idx, len);
    if (*len == 0) luaL_error(L, "%s: 'text' is empty: there is nothing to encode", who);
    if (strlen(s) != *len) luaL_error(L, "%s: 'text' must not contain NUL bytes", who);
    if (*len > MAX_TEXT)
        luaL_error(L, "%s: 'text' is too long (%d bytes; at most %d)", who, (int)*len, MAX_TEXT);
    return s;
}

/* Encodes text, or raises a Lua error. The caller frees the result with QRcode_free. */
static QRcode *encode(lua_State *L, const char *text, size_t len, QRecLevel level, const char *who)
{
    errno = 0;
    QRcode *qr = QRcode_encodeString(text, 0, level, QR_MODE_8, 1);
    if (!qr) {
        if (errno == ERANGE)
            luaL_error(L, "%s: 'text' is too long for a QR code at this level (%d bytes)", who,
                       (int)len);
        luaL_error(L, "%s: cannot encode 'text' (%s)", who, errno == ENOMEM ? "out of memory" : "libqrencode failed");
    }
    return qr;
}

/* ------------------------------------------------------------------ the block */

/* doc:add("qr.code", opts): reads and checks the options, encodes the text. */
static void *qr_create(lua_State *L, int opts, const cb_host_api *api)
{
    static const char who[] = "qr.code";
    static const char *const keys[] = {"text", "size", "caption", "level", NULL};
    opts = lua_absindex(L, opts); /* stays right while values are pushed */
    api->check_options(L, opts, who, keys); /* a misspelt key fails as in doc:table */
    lua_getfield(L, opts, "text");
    size_t len;
    const char *text = check_text(L, -1, who, &len);

    lua_getfield(L, opts, "size");
    if (!lua_isnil(L, -1) && !lua_isnumber(L, -1))
        luaL_error(L, "%s: 'size' must be a number of points, got %s", who, luaL_typename(L, -1));
    float size = lua_isnil(L, -1) ? DEFAULT_SIZE : (float)lua_tonumber(L, -1);
    if (!(size >= MIN_SIZE && size <= MAX_SIZE))
        luaL_error(L, "%s: 'size' must be between %d and %d points, got %f", who, (int)MIN_SIZE,
                   (int)MAX_SIZE, (double)size);

    lua_getfield(L, opts, "caption");
    if (!lua_isnil(L, -1) && lua_type(L, -1) != LUA_TSTRING)
        luaL_error(L, "%s: 'caption' must be a string, got %s", who, luaL_typename(L, -1));
    const char *caption = lua_tostring(L, -1);

    lua_getfield(L, opts, "level");
    QRecLevel level = check_level(L, -1, who);

    /* From here on every error path frees what it holds before luaL_error (which does not
     * return): nothing may leak when a report passes bad options. */
    QRcode *qr = encode(L, text, len, level, who);
    int n = qr->width, version = qr->version;
    float module = size / (float)(n + 2 * QUIET);
    if (module < MIN_MODULE) {
        QRcode_free(qr);
        luaL_error(L, "%s: the text needs a version-%d code (%d modules a side), too dense to "
                   "read at size %d: give a size of at least %d or a shorter text",
                   who, version, n, (int)size, (int)ceilf(MIN_MODULE * (float)(n + 2 * QUIET)));
    }
    qr_block *b = calloc(1, sizeof *b);
    if (b) b->dark = malloc((size_t)n * (size_t)n);
    if (b && caption && *caption) b->caption = malloc(strlen(caption) + 1);
    if (!b || !b->dark || (caption && *caption && !b->caption)) {
        QRcode_free(qr);
        if (b) {
            free(b->dark);
            free(b->caption);
            free(b);
        }
        luaL_error(L, "%s: out of memory", who);
    }
    b->size = size;
    b->modules = n;
    for (int i = 0; i < n * n; i++) b->dark[i] = qr->data[i] & 1; /* bit 0: dark module */
    if (b->caption) strcpy(b->caption, caption);
    QRcode_free(qr);
    lua_pop(L, 4);
    return b;
}

/* Caption lines: breaks at '\n' and wherever the next character would pass maxw (Chinese
 * text has no spaces to break at). Draws each line, centred on cx, when cc->canvas is set
 * (draw); only counts them when it is NULL (measure). Returns the number of lines. */
typedef struct caption_ctx {
    const cb_host_api *api;
    const cb_canvas *measure_canvas; /* for text_width */
    cb_canvas *canvas;               /* NULL while measuring */
    float size, maxw, cx, top, leading;
} caption_ctx;

static size_t utf8_len(unsigned char c) { return c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4; }

static int caption_lines(const caption_ctx *cc, const char *s)
{
    size_t total = strlen(s);
    char *line = malloc(total + 1);
    if (!line) return 0;
    int nlines = 0;
    const char *p = s;
    while (*p) {
        size_t n = 0;
        while (p[n] && p[n] != '\n') {
            size_t k = utf8_len((unsigned char)p[n]);
            for (size_t j = 1; j < k; j++)
                if (!p[n + j]) k = j; /* a truncated sequence: stop at the NUL */
            memcpy(line, p, n + k);
            line[n + k] = '\0';
            if (n > 0 && cc->api->text_width(cc->measure_canvas, cc->size, line) > cc->maxw) break;
            n += k;
        }
        memcpy(line, p, n);
        line[n] = '\0';
        if (cc->canvas)
            cc->api->text(cc->canvas, cc->cx, cc->top - cc->size - (float)nlines * cc->leading,
                          cc->size, 1, line);
        nlines++;
        p += n;
        if (*p == '\n') p++;
    }
    free(line);
    return nlines;
}

static float side_at(const qr_block *b, float width) { return b->size < width ? b->size : width; }

static float caption_height(const cb_theme *th, int nlines)
{
    if (nlines <= 0) return 0;
    float fs = th->small_size, leading = fs * 1.5f;
    return CAPTION_GAP + fs + (float)(nlines - 1) * leading + fs * 0.3f; /* 0.3: descenders */
}

static float qr_measure(void *state, const cb_host_api *api, const cb_canvas *mc, float width)
{
    qr_block *b = state;
    float side = side_at(b, width);
    if (!b->caption) return side;
    const cb_theme *th = api->theme(mc);
    caption_ctx cc = {api, mc, NULL, th->small_size, width, 0, 0, th->small_size * 1.5f};
    return side + caption_height(th, caption_lines(&cc, b->caption));
}

static void qr_draw(void *state, const cb_host_api *api, cb_canvas *c, float width, float height)
{
    qr_block *b = state;
    const cb_theme *th = api->theme(c);
    float side = side_at(b, width);
    float x0 = (width - side) / 2, y0 = height - side; /* lower-left of the code, quiet zone incl. */
    float m = side / (float)(b->modules + 2 * QUIET);

    /* the quiet zone: white, framed by a hairline in the template's rule colour */
    api->set_fill_rgb(c, 1, 1, 1);
    api->set_stroke_rgb(c, th->rule[0], th->rule[1], th->rule[2]);
    api->set_line_width(c, 0.5f);
    api->rect(c, x0, y0, side, side);
    api->fill_stroke(c);

    /* the modules: one rectangle per horizontal run of dark modules, all filled as one path
     * so that neighbouring runs show no hairline seams when rasterised */
    api->set_fill_rgb(c, th->text[0], th->text[1], th->text[2]);
    for (int r = 0; r < b->modules; r++) {
        float y = y0 + side - (float)(QUIET + r + 1) * m; /* row 0 is the top row */
        for (int col = 0; col < b->modules;) {
            if (!b->dark[r * b->modules + col]) {
                col++;
                continue;
            }
            int start = col;
            while (col < b->modules && b->dark[r * b->modules + col]) col++;
            api->rect(c, x0 + (float)(QUIET + start) * m, y, (float)(col - start) * m, m);
        }
    }
    api->fill(c);

    if (b->caption) {
        api->set_fill_rgb(c, th->muted[0], th->muted[1], th->muted[2]);
        caption_ctx cc = {api, c, c, th->small_size, width, width / 2, y0 - CAPTION_GAP,
                          th->small_size * 1.5f};
        caption_lines(&cc, b->caption);
    }
}

static void qr_destroy(void *state)
{
    qr_block *b = state;
    if (!b) return;
    free(b->dark);
    free(b->caption);
    free(b);
}

static const cb_block_type QR_BLOCK = {
    CB_BLOCK_TYPE_VERSION, "qr.code", qr_create, qr_measure, qr_draw, qr_destroy, NULL,
};

/* ------------------------------------------------------------------ the Lua module */

/* qr.version(text [, level]) -> version, modules a side */
static int l_version(lua_State *L)
{
    static const char who[] = "qr.version";
    size_t len;
    const char *text = check_text(L, 1, who, &len);
    QRecLevel level = check_level(L, 2, who);
    QRcode *qr = encode(L, text, len, level, who);
    lua_pushinteger(L, qr->version);
    lua_pushinteger(L, qr->width);
    QRcode_free(qr);
    return 2;
}

static int open_qr(lua_State *L)
{
    static const luaL_Reg fns[] = {{"version", l_version}, {NULL, NULL}};
    luaL_newlib(L, fns);
    return 1;
}

/* ------------------------------------------------------------------ entry point */

int cb_plugin_init(cb_plugin *self, const cb_host_api *api, char **err)
{
    int rc = api->register_block(self, &QR_BLOCK);
    if (rc != CB_OK) {
        *err = api->strdup("cannot register block qr.code");
        return rc;
    }
    rc = api->register_lua_module(self, "qr", open_qr);
    if (rc != CB_OK) {
        *err = api->strdup("cannot register Lua module qr");
        return rc;
    }
    return CB_OK;
}
