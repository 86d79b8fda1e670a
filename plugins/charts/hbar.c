/* hbar.c: chart.bar, horizontal bars of one series with their labels left of the bars and
 * their values right of them; `doc:barchart{...}` is its shorthand (the host's doc). */
#include "charts.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const KEYS[] = {"title", "unit", "bars", NULL};

/* A text field of the table at idx: a string or a number as Lua writes it (tostring), or
 * NULL when absent; `ctx` names it in messages. */
static char *field_text(lua_State *L, int idx, const char *key, const char *ctx)
{
    int ty = lua_getfield(L, idx, key);
    char *s = NULL;
    if (ty == LUA_TSTRING || ty == LUA_TNUMBER) s = cx_strdup(L, lua_tostring(L, -1));
    else if (ty != LUA_TNIL) luaL_error(L, "%s: '%s' must be a string, got %s", ctx, key, lua_typename(L, ty));
    lua_pop(L, 1);
    return s;
}

void *cx_bar_create(lua_State *L, int opts, const cb_host_api *api)
{
    opts = lua_absindex(L, opts);
    cx_chart *c = cx_begin(L, opts, CX_BAR, "chart.bar", KEYS, api);
    if (lua_getfield(L, opts, "bars") != LUA_TTABLE)
        luaL_error(L, "%s: 'bars' must be a list of {label=, value=}", c->what);
    int list = lua_gettop(L);
    c->title = field_text(L, opts, "title", c->what);
    c->unit = field_text(L, opts, "unit", c->what);
    size_t n = (size_t)luaL_len(L, list);
    if (n > 100000) luaL_error(L, "%s: too many bars (%d)", c->what, (int)n);
    /* the chart owns each array as soon as it exists: a bad bar raises, the guard frees */
    c->x = calloc(n ? n : 1, sizeof *c->x);
    c->text = calloc(n ? n : 1, sizeof *c->text);
    c->v = calloc(n ? n : 1, sizeof *c->v);
    if (!c->x || !c->text || !c->v) luaL_error(L, "out of memory");
    c->nx = c->nv = n;
    for (size_t i = 0; i < n; i++) {
        char ctx[64];
        snprintf(ctx, sizeof ctx, "%s: item %d", c->what, (int)i + 1);
        if (lua_rawgeti(L, list, (lua_Integer)i + 1) != LUA_TTABLE)
            luaL_error(L, "%s must be a table, got %s", ctx, luaL_typename(L, -1));
        int it = lua_gettop(L);
        if (!(c->x[i] = field_text(L, it, "label", ctx))) luaL_error(L, "%s: 'label' is required", ctx);
        int ty = lua_getfield(L, it, "value");
        if (ty != LUA_TNUMBER && ty != LUA_TNIL)
            luaL_error(L, "%s: 'value' must be a number, got %s", ctx, lua_typename(L, ty));
        c->v[i] = ty == LUA_TNUMBER ? lua_tonumber(L, -1) : 0;
        lua_pop(L, 1);
        c->text[i] = field_text(L, it, "text", ctx);
        lua_pop(L, 1);
    }
    lua_pop(L, 1);
    return cx_commit(L, c);
}

/* A bar's length: NaN, infinities and values too small or large for a float page draw as
 * 0, so the scale stays finite. */
static double bar_value(double v) { return isfinite(v) && v > 1e-9 && v < 1e30 ? v : 0; }

/* What bar i shows: its text, else its value with two decimals (buf holds it). */
const char *cx_bar_text(const cb_host_api *api, const cx_chart *c, size_t i, char *buf, size_t n)
{
    if (c->text[i]) return c->text[i];
    api->format_decimal(buf, n, c->v[i], 2);
    return buf;
}

/* The sizes of the chart in the document's type: its caption (a level-2 heading's size
 * less a point, where the host says it: ABI 1.4), labels, ticks and values. */
typedef struct sizes {
    float title, label, lh, tick, value, title_h, labw;
} sizes;

static sizes sizes_of(const cb_host_api *api, const cb_canvas *cv, const cx_chart *c, float width)
{
    const cb_theme *t = api->theme(cv);
    sizes z;
    z.title = fmaxf(4, (api->abi_minor >= 4 ? t->h2_size : t->body_size + 1) - 1);
    z.label = fmaxf(4, t->table_size - 0.5f);
    z.lh = z.label * 1.3f;
    z.tick = t->small_size - 0.5f;
    z.value = t->small_size;
    z.title_h = c->title ? z.title * 1.8f : 0;
    /* the label column: as wide as the widest label, at most 36% of the width */
    z.labw = 0;
    for (size_t i = 0; i < c->nx; i++) {
        float w = api->text_width(cv, z.label, c->x[i]);
        if (w > z.labw) z.labw = w;
    }
    if (z.labw > width * 0.36f) z.labw = width * 0.36f;
    return z;
}

/* The lines of bar i's label in the label column; an empty label is one empty line. */
static size_t label_lines(const cb_host_api *api, const cb_canvas *cv, const cx_chart *c, size_t i, const sizes *z)
{
    size_t n = api->break_lines(cv, z->label, c->x[i], z->labw, NULL, 0);
    return n ? n : 1;
}

/* Bar i's row: at least 22 points, else its label's lines. */
static float row_h(size_t lines, const sizes *z) { return fmaxf(22, (float)lines * z->lh + 8); }

/* The title, 6 points, the bars, 28 points of axis and unit; nothing without bars. */
float cx_bar_measure(const cx_chart *c, const cb_host_api *api, const cb_canvas *cv, float width)
{
    if (!c->nx) return 0;
    sizes z = sizes_of(api, cv, c, width);
    float bars_h = 0;
    for (size_t i = 0; i < c->nx; i++) bars_h += row_h(label_lines(api, cv, c, i, &z), &z);
    return z.title_h + 6 + bars_h + 28;
}

void cx_bar_draw(void *state, const cb_host_api *api, cb_canvas *cv, float w, float h)
{
    cx_chart *c = state;
    const cb_theme *t = api->theme(cv);
    size_t n = c->nx;
    if (!n) return;
    sizes z = sizes_of(api, cv, c, w);
    cx_rgb text = cx_rgb3(t->text), muted = cx_rgb3(t->muted);
    if (c->title) { /* its caption, set as headings are */
        cx_fill(api, cv, text);
        if (api->abi_minor >= 4 && api->caption) api->caption(cv, 0, h, z.title_h, z.title, c->title);
        else api->text(cv, 0, cx_baseline(h, z.title_h, z.title), z.title, 0, c->title);
    }
    cb_text_line *lines = NULL; /* each bar's label, broken in the label column */
    size_t *nl = calloc(n, sizeof *nl), total = 0;
    if (!nl) return;
    double vmax = 0;
    for (size_t i = 0; i < n; i++) {
        total += nl[i] = label_lines(api, cv, c, i, &z);
        if (bar_value(c->v[i]) > vmax) vmax = bar_value(c->v[i]);
    }
    if (!(lines = calloc(total ? total : 1, sizeof *lines))) {
        free(nl);
        return;
    }
    float bars_h = 0;
    for (size_t i = 0, at = 0; i < n; at += nl[i], i++) {
        api->break_lines(cv, z.label, c->x[i], z.labw, lines + at, nl[i]);
        bars_h += row_h(nl[i], &z);
    }
    float plot_top = h - z.title_h - 6, plot_bot = plot_top - bars_h;
    /* values right of the bars: room for the widest */
    float valw = 0;
    char buf[64];
    for (size_t i = 0; i < n; i++) valw = fmaxf(valw, api->text_width(cv, z.value, cx_bar_text(api, c, i, buf, sizeof buf)));
    float x0 = z.labw + 10, x1 = w - valw - 8;
    double step;
    int steps;
    api->nice_ticks(vmax, 5, &step, &steps);
    float scale = (float)((x1 - x0) / (step * steps));
    cx_rgb grid = {0.88f, 0.89f, 0.91f}, axis = {0.35f, 0.35f, 0.35f};
    for (int k = 0; k <= steps; k++) {
        float gx = x0 + (float)(k * step) * scale;
        if (k) cx_vline(api, cv, gx, plot_bot, plot_top, 0.5f, grid);
        cx_vline(api, cv, gx, plot_bot, plot_bot - 3, 0.6f, axis);
        api->format_decimal(buf, sizeof buf, k * step, 2);
        cx_text(api, cv, gx, plot_bot - 3 - z.tick - 1, z.tick, 1, muted, buf);
    }
    float y = plot_top;
    for (size_t i = 0, at = 0; i < n; at += nl[i], i++) {
        float rh = row_h(nl[i], &z), mid = y - rh / 2, bh = fminf(13, rh - 8), block = (float)nl[i] * z.lh;
        for (size_t k = 0; k < nl[i]; k++) { /* level with the bar, as its value is */
            const cb_text_line *l = &lines[at + k];
            char *s = malloc(l->len + 1);
            if (!s) break;
            memcpy(s, c->x[i] + l->start, l->len);
            s[l->len] = 0;
            cx_text(api, cv, z.labw, cx_level(mid + block / 2 - ((float)k + 0.5f) * z.lh, z.label), z.label, 2, text, s);
            free(s);
        }
        float bw = (float)(bar_value(c->v[i]) * scale);
        if (!(bw >= 0) || bw > x1 - x0) bw = bw > 0 ? x1 - x0 : 0;
        cx_fill(api, cv, cx_rgb3(t->bar));
        api->rect(cv, x0, mid - bh / 2, bw, bh);
        api->fill(cv);
        cx_text(api, cv, x0 + bw + 4, cx_level(mid, z.value), z.value, 0, text, cx_bar_text(api, c, i, buf, sizeof buf));
        y -= rh;
    }
    cx_vline(api, cv, x0, plot_bot, plot_top, 0.8f, axis);
    cx_hline(api, cv, x0, x1, plot_bot, 0.8f, axis);
    if (c->unit) {
        const char *word = cx_word(api, cv, "单位：", "Unit: ");
        char *u = malloc(strlen(word) + strlen(c->unit) + 1);
        if (u) strcat(strcpy(u, word), c->unit);
        cx_text(api, cv, x1, plot_bot - 3 - 2 * z.tick - 6, z.tick, 2, muted, u);
        free(u);
    }
    free(lines);
    free(nl);
}
