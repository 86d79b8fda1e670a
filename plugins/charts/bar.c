/* bar.c: chart.stacked, vertical stacked bars with a legend and totals above the bars. */
#include "charts.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

static const char *const KEYS[] = {"title", "unit", "categories", "series", "height", "money", "totals", "empty_label", NULL};

void *cx_stacked_create(lua_State *L, int opts, const cb_host_api *api)
{
    opts = lua_absindex(L, opts);
    cx_chart *c = cx_begin(L, opts, CX_STACKED, "chart.stacked", KEYS, api);
    c->title = cx_opt_string(L, opts, "title", c, 0);
    c->empty_label = cx_opt_string(L, opts, "empty_label", c, 0);
    c->unit = cx_opt_string(L, opts, "unit", c, 0);
    c->money = cx_opt_bool(L, opts, "money", c);
    if (c->money && c->unit)
        luaL_error(L, "chart.stacked: give 'unit' or 'money = true', not both (money picks 元, 万元 or 亿元)");
    lua_getfield(L, opts, "totals");
    if (!lua_isnil(L, -1) && !lua_isboolean(L, -1))
        luaL_error(L, "chart.stacked: 'totals' must be true or false, got %s", luaL_typename(L, -1));
    c->totals = lua_isnil(L, -1) || lua_toboolean(L, -1);
    lua_pop(L, 1);
    c->height = cx_opt_height(L, opts, c, 200, 80, 700);
    cx_read_labels(L, opts, "categories", c);
    cx_read_series(L, opts, c, "categories");
    return cx_commit(L, c);
}

typedef struct stack { double pos, neg, total; int any; } stack;

void cx_stacked_draw(void *state, const cb_host_api *api, cb_canvas *cv, float w, float h)
{
    cx_chart *c = state;
    const cb_theme *t = api->theme(cv);
    float tick = t->small_size - 0.5f;
    size_t n = c->nx;
    stack *st = calloc(n ? n : 1, sizeof *st);
    if (!st) return;
    double lo = 0, hi = 0;
    int any = 0;
    for (size_t i = 0; i < n; i++) {
        for (size_t s = 0; s < c->ns; s++) {
            double v = c->s[s].v[i];
            if (isnan(v)) continue;
            if (v > 0) st[i].pos += v;
            else st[i].neg += v;
            st[i].total += v;
            st[i].any = 1;
        }
        any |= st[i].any;
        if (st[i].pos > hi) hi = st[i].pos;
        if (st[i].neg < lo) lo = st[i].neg;
    }

    float top = cx_title(api, cv, c, w, h);
    cx_axis a;
    cx_axis_fit(api, cv, &a, c, lo, hi, 5);
    char unit[128] = "";
    if (a.unit && *a.unit) snprintf(unit, sizeof unit, "%s%s", cx_word(api, cv, "单位：", "Unit: "), a.unit);
    cx_legend_item items[64];
    size_t ni = c->ns < 64 ? c->ns : 64;
    for (size_t s = 0; s < ni; s++) items[s] = (cx_legend_item){c->s[s].name, cx_color(t, s)};
    top -= cx_legend(api, cv, items, ni, 'b', unit, w, top, 1);

    /* categories may take two lines under the axis */
    float plot_top = top - tick * 0.6f - 2, plot_bot = 3 + tick * 2.7f + 2;
    float ph = plot_top - plot_bot;
    if (ph < 10) ph = 10;
    float x0 = 0, x1 = w - 2, slot = 0;
    int max_steps = cx_max_steps(ph, tick);

    /* totals: the size that fits every slot, or none */
    float vsize = t->small_size - 0.5f;
    int totals = c->totals && any && n > 0;
    char buf[64];
    if (totals) {
        cx_axis_fit(api, cv, &a, c, lo, hi, max_steps);
        x0 = cx_axis_label_width(api, cv, &a, tick) + 8;
        slot = (x1 - x0) / (float)n;
        float widest = 0;
        for (size_t i = 0; i < n; i++) {
            if (!st[i].any) continue;
            cx_value_text(api, cv, c, st[i].total, buf, sizeof buf);
            float tw = api->text_width(cv, vsize, buf);
            if (tw > widest) widest = tw;
        }
        if (widest > slot - 4) vsize *= (slot - 4) / widest;
        if (vsize < 6.5f) totals = 0;
    }
    /* room for the totals inside the plot: raise the top (or lower the bottom) */
    double lo_e = lo, hi_e = hi;
    for (int iter = 0; iter < 8; iter++) {
        cx_axis_fit(api, cv, &a, c, lo_e, hi_e, max_steps);
        if (!totals) break;
        double span = (a.step * a.steps) * a.scale;
        int up = 0, down = 0;
        for (size_t i = 0; i < n; i++) {
            if (!st[i].any) continue;
            if (st[i].pos > 0 || st[i].neg == 0) {
                float y = cx_axis_y(&a, st[i].pos, 0, ph);
                if (y + 3 + vsize * 1.1f > ph) up = 1;
            } else {
                float y = cx_axis_y(&a, st[i].neg, 0, ph);
                if (y - 3 - vsize * 1.1f < 0) down = 1;
            }
        }
        if (!up && !down) break;
        if (up) hi_e = cx_axis_hi(&a) + span * 0.1;
        if (down) lo_e = a.lo * a.scale - span * 0.1;
    }
    x0 = cx_axis_label_width(api, cv, &a, tick) + 8;
    slot = n ? (x1 - x0) / (float)n : 0;
    cx_axis_draw(api, cv, &a, x0, x1, plot_bot, ph, tick);
    cx_xlabels(api, cv, c->x, n, x0, x1, plot_bot, tick, 1, w);
    if (!any) {
        cx_nodata(api, cv, x0, plot_bot, x1 - x0, ph, 1, c->empty_label);
        free(st);
        return;
    }
    float bw = fminf(slot * 0.6f, 46);
    for (size_t i = 0; i < n; i++) {
        float bx = x0 + slot * ((float)i + 0.5f) - bw / 2;
        double up = 0, down = 0;
        for (size_t s = 0; s < c->ns; s++) {
            double v = c->s[s].v[i];
            if (isnan(v) || v == 0) continue;
            double from = v > 0 ? up : down, to = from + v;
            if (v > 0) up = to;
            else down = to;
            float ya = cx_axis_y(&a, from, plot_bot, ph), yb = cx_axis_y(&a, to, plot_bot, ph);
            if (fabsf(yb - ya) < 0.3f) continue;
            cx_fill(api, cv, cx_color(t, s));
            cx_stroke(api, cv, (cx_rgb){1, 1, 1}, 0.6f);
            api->rect(cv, bx, fminf(ya, yb), bw, fabsf(yb - ya));
            api->fill_stroke(cv);
        }
        if (!totals || !st[i].any) continue;
        cx_value_text(api, cv, c, st[i].total, buf, sizeof buf);
        float cx = x0 + slot * ((float)i + 0.5f);
        if (st[i].pos > 0 || st[i].neg == 0)
            cx_text(api, cv, cx, cx_axis_y(&a, st[i].pos, plot_bot, ph) + 3 + vsize * 0.2f, vsize, 1,
                    cx_rgb3(t->text), buf);
        else
            cx_text(api, cv, cx, cx_axis_y(&a, st[i].neg, plot_bot, ph) - 3 - vsize * 0.85f, vsize, 1,
                    cx_rgb3(t->text), buf);
    }
    free(st);
}
