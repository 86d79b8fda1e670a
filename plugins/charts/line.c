/* line.c: chart.line, time series with several series, gaps, markers and a legend. */
#include "charts.h"

#include <math.h>
#include <stdio.h>

static const char *const KEYS[] = {"title", "unit", "x", "series", "height", "money", "empty_label", NULL};

void *cx_line_create(lua_State *L, int opts, const cb_host_api *api)
{
    opts = lua_absindex(L, opts);
    cx_chart *c = cx_begin(L, opts, CX_LINE, "chart.line", KEYS, api);
    c->title = cx_opt_string(L, opts, "title", c, 0);
    c->empty_label = cx_opt_string(L, opts, "empty_label", c, 0);
    c->unit = cx_opt_string(L, opts, "unit", c, 0);
    c->money = cx_opt_bool(L, opts, "money", c);
    if (c->money && c->unit)
        luaL_error(L, "chart.line: give 'unit' or 'money = true', not both (money picks 元, 万元 or 亿元)");
    c->height = cx_opt_height(L, opts, c, 200, 80, 700);
    cx_read_labels(L, opts, "x", c);
    cx_read_series(L, opts, c, "x labels");
    return cx_commit(L, c);
}

/* Draws series s; markers at every point when there are few, else at the last one and
 * at points standing alone between gaps. */
static void draw_series(const cb_host_api *api, cb_canvas *cv, const cx_chart *c, const cx_axis *a, size_t s,
                        cx_rgb col, float x0, float slot, float y0, float ph)
{
    const double *v = c->s[s].v;
    size_t n = c->nx;
    cx_stroke(api, cv, col, 1.8f);
    int open = 0, any = 0;
    for (size_t i = 0; i < n; i++) {
        if (isnan(v[i])) {
            open = 0;
            continue;
        }
        float x = x0 + slot * ((float)i + 0.5f), y = cx_axis_y(a, v[i], y0, ph);
        if (open) api->line_to(cv, x, y);
        else api->move_to(cv, x, y);
        open = 1;
        any = 1;
    }
    if (any) api->stroke(cv);
    size_t last = n;
    for (size_t i = n; i-- > 0;)
        if (!isnan(v[i])) {
            last = i;
            break;
        }
    int all = n <= 24;
    cx_fill(api, cv, (cx_rgb){1, 1, 1});
    cx_stroke(api, cv, col, 1.3f);
    for (size_t i = 0; i < n; i++) {
        if (isnan(v[i])) continue;
        int alone = (i == 0 || isnan(v[i - 1])) && (i + 1 == n || isnan(v[i + 1]));
        if (!all && !alone && i != last) continue;
        cx_circle(api, cv, x0 + slot * ((float)i + 0.5f), cx_axis_y(a, v[i], y0, ph), i == last ? 2.8f : 2.3f);
        api->fill_stroke(cv);
    }
}

void cx_line_draw(void *state, const cb_host_api *api, cb_canvas *cv, float w, float h)
{
    cx_chart *c = state;
    const cb_theme *t = api->theme(cv);
    float tick = t->small_size - 0.5f;
    double lo = INFINITY, hi = -INFINITY;
    for (size_t s = 0; s < c->ns; s++)
        for (size_t i = 0; i < c->nx; i++) {
            double v = c->s[s].v[i];
            if (isnan(v)) continue;
            if (v < lo) lo = v;
            if (v > hi) hi = v;
        }
    int empty = !(lo <= hi);
    if (empty) lo = hi = 0;
    cx_axis a;
    cx_axis_fit(api, cv, &a, c, lo, hi, 5);

    float top = cx_title(api, cv, c, w, h);
    char unit[128] = "";
    if (a.unit && *a.unit) snprintf(unit, sizeof unit, "%s%s", cx_word(api, cv, "单位：", "Unit: "), a.unit);
    cx_legend_item items[64];
    size_t ni = c->ns < 64 ? c->ns : 64;
    for (size_t s = 0; s < ni; s++) items[s] = (cx_legend_item){c->s[s].name, cx_color(t, s)};
    top -= cx_legend(api, cv, items, ni, 'l', unit, w, top, 1);

    float plot_top = top - tick * 0.6f - 2;
    float plot_bot = 3 + tick * 1.4f + 2;
    float ph = plot_top - plot_bot;
    if (ph < 10) ph = 10;
    cx_axis_fit(api, cv, &a, c, lo, hi, cx_max_steps(ph, tick));
    float x0 = cx_axis_label_width(api, cv, &a, tick) + 8, x1 = w - 2;
    cx_axis_draw(api, cv, &a, x0, x1, plot_bot, ph, tick);
    cx_xlabels(api, cv, c->x, c->nx, x0, x1, plot_bot, tick, 0, w);
    if (empty) {
        cx_nodata(api, cv, x0, plot_bot, x1 - x0, ph, 1, c->empty_label);
        return;
    }
    float slot = (x1 - x0) / (float)c->nx;
    for (size_t s = c->ns; s-- > 0;) draw_series(api, cv, c, &a, s, cx_color(t, s), x0, slot, plot_bot, ph);
}
