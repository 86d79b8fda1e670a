/* pie.c: chart.pie, a pie or donut with a legend table (label, value, share) beside it. */
#include "charts.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const KEYS[] = {"title", "slices", "donut", "money", "unit", "center", "total_label",
                                   "other_label", "empty_label", "height", NULL};

void *cx_pie_create(lua_State *L, int opts, const cb_host_api *api)
{
    opts = lua_absindex(L, opts);
    cx_chart *c = cx_begin(L, opts, CX_PIE, "chart.pie", KEYS, api);
    c->title = cx_opt_string(L, opts, "title", c, 0);
    c->unit = cx_opt_string(L, opts, "unit", c, 0);
    c->money = cx_opt_bool(L, opts, "money", c);
    if (c->money && c->unit)
        luaL_error(L, "chart.pie: give 'unit' or 'money = true', not both (money formats values as 元, 万元 or 亿元)");
    c->donut = cx_opt_bool(L, opts, "donut", c);
    c->center = cx_opt_string(L, opts, "center", c, 0);
    c->total_label = cx_opt_string(L, opts, "total_label", c, 0);
    c->other_label = cx_opt_string(L, opts, "other_label", c, 0);
    c->empty_label = cx_opt_string(L, opts, "empty_label", c, 0);

    lua_getfield(L, opts, "slices");
    if (!lua_istable(L, -1))
        luaL_error(L, "chart.pie: 'slices' must be a list of {label=, value=}, got %s", luaL_typename(L, -1));
    int si = lua_gettop(L);
    size_t n = (size_t)luaL_len(L, si);
    if (n > 10000) luaL_error(L, "chart.pie: too many slices (%d)", (int)n);
    c->x = calloc(n ? n : 1, sizeof *c->x);
    c->text = calloc(n ? n : 1, sizeof *c->text);
    c->v = calloc(n ? n : 1, sizeof *c->v);
    if (!c->x || !c->text || !c->v) luaL_error(L, "out of memory");
    c->nx = c->nv = n;
    for (size_t i = 0; i < n; i++) c->v[i] = NAN;
    for (size_t i = 0; i < n; i++) {
        lua_rawgeti(L, si, (lua_Integer)i + 1);
        int it = lua_gettop(L);
        if (!lua_istable(L, it))
            luaL_error(L, "chart.pie: slice %d must be a table {label=, value=}, got %s", (int)i + 1,
                       luaL_typename(L, it));
        lua_getfield(L, it, "label");
        if (lua_type(L, -1) != LUA_TSTRING && lua_type(L, -1) != LUA_TNUMBER)
            luaL_error(L, "chart.pie: slice %d needs a 'label' string, got %s", (int)i + 1, luaL_typename(L, -1));
        c->x[i] = cx_strdup(L, lua_tostring(L, -1));
        lua_pop(L, 1);
        lua_getfield(L, it, "value");
        int vt = lua_type(L, -1);
        if (vt == LUA_TNUMBER) {
            double v = lua_tonumber(L, -1);
            if (v < 0)
                luaL_error(L, "chart.pie: slice %d (%s) has a negative value (%s): a pie shows parts of a whole",
                           (int)i + 1, c->x[i], lua_tostring(L, -1));
            c->v[i] = isfinite(v) ? v : NAN;
        } else if (vt != LUA_TNIL && !(vt == LUA_TBOOLEAN && !lua_toboolean(L, -1))) {
            luaL_error(L, "chart.pie: slice %d (%s): 'value' must be a number, got %s", (int)i + 1, c->x[i],
                       luaL_typename(L, -1));
        }
        lua_pop(L, 1);
        lua_getfield(L, it, "text");
        if (!lua_isnil(L, -1)) {
            if (lua_type(L, -1) != LUA_TSTRING)
                luaL_error(L, "chart.pie: slice %d (%s): 'text' must be a string, got %s", (int)i + 1, c->x[i],
                           luaL_typename(L, -1));
            c->text[i] = cx_strdup(L, lua_tostring(L, -1));
        }
        lua_pop(L, 2);
    }
    lua_pop(L, 1);
    /* default: tall enough for one legend row per slice */
    float def = 40 + (c->title ? 20 : 0) + 20 * (float)n;
    c->height = cx_opt_height(L, opts, c, def < 150 ? 150 : def > 420 ? 420 : def, 60, 700);
    return cx_commit(L, c);
}

/* One wedge (or ring segment) from angle a0 to a1, clockwise when a1 < a0. */
static void wedge(const cb_host_api *api, cb_canvas *cv, float cx, float cy, float r, float rin, double a0,
                  double a1)
{
    if (rin > 0) {
        cx_arc(api, cv, cx, cy, r, a0, a1, 1);
        cx_arc(api, cv, cx, cy, rin, a1, a0, 0);
    } else {
        api->move_to(cv, cx, cy);
        cx_arc(api, cv, cx, cy, r, a0, a1, 0);
    }
    api->close_path(cv);
}

/* A legend label's line of maxw: the bytes of the first line, or the whole length when it
 * fits in one; *next is where the next line starts. */
static size_t first_line(const cb_host_api *api, const cb_canvas *cv, const char *s, float size, float maxw,
                         size_t *next)
{
    *next = strlen(s);
    if (api->text_width(cv, size, s) <= maxw) return *next;
    size_t cut = cx_break_prefix(api, cv, s, size, maxw, next);
    if (!cut) *next = strlen(s);
    return cut ? cut : strlen(s);
}

/* How many lines of maxw a legend label takes, at most LABEL_LINES (the last one is shrunk
 * or cut to fit): a label that names the parts inside its slice (其中 …) needs three. */
#define LABEL_LINES 3
static int label_lines(const cb_host_api *api, const cb_canvas *cv, const char *s, float size, float maxw)
{
    int k = 1;
    for (size_t next; k < LABEL_LINES && *s; k++) {
        if (first_line(api, cv, s, size, maxw, &next) == strlen(s)) break;
        s += next;
    }
    return k;
}

void cx_pie_draw(void *state, const cb_host_api *api, cb_canvas *cv, float w, float h)
{
    cx_chart *c = state;
    const cb_theme *t = api->theme(cv);
    float top = cx_title(api, cv, c, w, h);
    float ah = top - 8, size = t->small_size, rowh = size * 2.3f, line2 = size * 1.3f;
    if (ah < 20) ah = 20;
    size_t n = c->nx;
    const char **label = calloc(n + 1, sizeof *label);
    const char **text = calloc(n + 1, sizeof *text);
    double *val = calloc(n + 1, sizeof *val);
    cx_rgb *col = calloc(n + 1, sizeof *col);
    float *rh = calloc(n + 1, sizeof *rh);
    if (!label || !text || !val || !col || !rh) goto done;
    double all = 0;
    for (size_t i = 0; i < n; i++) {
        label[i] = c->x[i];
        text[i] = c->text[i];
        val[i] = c->v[i];
        col[i] = cx_color(t, i);
        if (!isnan(val[i])) all += val[i];
    }

    /* the pie's size, then the legend's columns: label, value, share */
    float d = fminf(fminf(ah, w * 0.40f), 210), r = d / 2, rin = c->donut ? r * 0.58f : 0;
    float cx = 14 + r, cy = 4 + ah / 2;
    float lx = cx + r + 26, keyw = size * 0.85f;
    char buf[96], pct[64];
    float valw = 0, pctw = api->text_width(cv, size, "100.0%"), namew = 0;
    for (size_t i = 0; i <= n; i++) {
        if (i < n && text[i]) snprintf(buf, sizeof buf, "%s", text[i]);
        else cx_value_text(api, cv, c, i < n ? val[i] : all, buf, sizeof buf);
        valw = fmaxf(valw, api->text_width(cv, size, buf));
        if (i < n) namew = fmaxf(namew, api->text_width(cv, size, label[i]));
    }
    float lw = fminf(w - lx, fmaxf(200, keyw + 6 + namew + 24 + valw + 12 + pctw));
    float labw = lw - keyw - 6 - valw - pctw - 24;
    if (labw < size * 2) labw = size * 2;

    /* rows of one to LABEL_LINES lines; a tail that does not fit becomes one "其他" ("Other") row */
    size_t rows = n;
    for (;;) {
        float used = 0;
        for (size_t i = 0; i < rows; i++) {
            int merged = rows < n && i == rows - 1;
            rh[i] = rowh + (merged ? 0 : (float)(label_lines(api, cv, label[i], size, labw) - 1) * line2);
            used += rh[i];
        }
        if (used <= ah || rows <= 2) break;
        rows--;
    }
    if (rows < n) {
        size_t k = rows - 1;
        label[k] = c->other_label ? c->other_label : cx_word(api, cv, "其他", "Other");
        text[k] = NULL;
        val[k] = 0;
        for (size_t i = k; i < n; i++)
            if (!isnan(c->v[i])) val[k] += c->v[i];
        col[k] = (cx_rgb){0.72f, 0.73f, 0.75f};
    }
    double total = 0;
    size_t visible = 0;
    for (size_t i = 0; i < rows; i++)
        if (!isnan(val[i]) && val[i] > 0) {
            total += val[i];
            visible++;
        }

    /* the pie, left */
    if (visible == 0) {
        cx_fill(api, cv, cx_rgb3(t->band));
        wedge(api, cv, cx, cy, r, rin, CX_PI / 2, CX_PI / 2 - 2 * CX_PI);
        api->fill(cv);
        cx_stroke(api, cv, cx_rgb3(t->rule), 0.6f);
        cx_circle(api, cv, cx, cy, r);
        if (rin > 0) cx_circle(api, cv, cx, cy, rin);
        api->stroke(cv);
        cx_nodata(api, cv, cx - r, cy - r, 2 * r, 2 * r, 0, c->empty_label);
    } else {
        double a = CX_PI / 2;
        for (size_t i = 0; i < rows; i++) {
            if (isnan(val[i]) || val[i] <= 0) continue;
            double b = a - 2 * CX_PI * val[i] / total;
            if (visible == 1) b = a - 2 * CX_PI;
            cx_fill(api, cv, col[i]);
            wedge(api, cv, cx, cy, r, rin, a, b);
            if (visible > 1) {
                cx_stroke(api, cv, (cx_rgb){1, 1, 1}, 1);
                api->fill_stroke(cv);
            } else {
                api->fill(cv);
            }
            a = b;
        }
    }
    if (c->donut && visible > 0) {
        /* the total in the hole: a small label over a large figure, shrunk to fit */
        const char *lab = c->total_label ? c->total_label : cx_word(api, cv, "合计", "Total");
        if (c->center) snprintf(buf, sizeof buf, "%s", c->center);
        else cx_value_text(api, cv, c, total, buf, sizeof buf);
        float room = 2 * rin * 0.84f, big = fminf(rin * 0.42f, 15);
        while (big > 6 && api->text_width(cv, big, buf) > room) big -= 0.5f;
        float small = fminf(size, big * 0.8f);
        float block = small * 1.25f + big * 0.85f;
        float base_big = cy - block / 2 + big * 0.05f;
        cx_text_fit(api, cv, cx, base_big + big * 0.85f + small * 0.45f, small, 1, cx_rgb3(t->muted), lab, room);
        cx_text_fit(api, cv, cx, base_big, big, 1, cx_rgb3(t->primary), buf, room);
    }

    /* the legend table, right, centred on the pie */
    if (w - lx < 60) goto done;
    float lh = 0;
    for (size_t i = 0; i < rows; i++) lh += rh[i];
    float rt = cy + lh / 2;
    for (size_t i = 0; i < rows; i++) {
        float mid = cx_baseline(rt, rh[i], size);
        int lines = (int)((rh[i] - rowh) / line2 + 0.5f) + 1;
        float base1 = mid + (float)(lines - 1) * line2 / 2;
        cx_fill(api, cv, col[i]);
        api->rect(cv, lx, base1 - size * 0.1f, keyw, keyw);
        api->fill(cv);
        const char *rest = label[i];
        for (int k = 0; k < lines - 1; k++) { /* whole lines, then the rest fitted */
            size_t next, cut = first_line(api, cv, rest, size, labw, &next);
            char line[512];
            if (cut >= sizeof line) cut = sizeof line - 1;
            memcpy(line, rest, cut);
            line[cut] = 0;
            cx_text(api, cv, lx + keyw + 6, base1 - (float)k * line2, size, 0, cx_rgb3(t->text), line);
            rest += next;
        }
        cx_text_fit(api, cv, lx + keyw + 6, base1 - (float)(lines - 1) * line2, size, 0, cx_rgb3(t->text), rest,
                    labw);
        if (text[i]) snprintf(buf, sizeof buf, "%s", text[i]);
        else cx_value_text(api, cv, c, val[i], buf, sizeof buf);
        cx_text(api, cv, lx + lw - pctw - 12, mid, size, 2, cx_rgb3(t->text), buf);
        if (isnan(val[i]) || !(total > 0)) snprintf(pct, sizeof pct, "—");
        else {
            size_t len = api->format_decimal(pct, sizeof pct - 2, val[i] / total * 100, 1);
            if (len < sizeof pct - 2) strcat(pct, "%");
        }
        cx_text(api, cv, lx + lw, mid, size, 2, cx_rgb3(t->muted), pct);
        rt -= rh[i];
        if (i + 1 < rows) cx_hline(api, cv, lx, lx + lw, rt, 0.4f, cx_rgb3(t->rule));
    }
done:
    free(label);
    free(text);
    free(val);
    free(col);
    free(rh);
}
