/* axis.c: nice ticks, value axes with their labels, and category labels under a plot. */
#include "charts.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

double cx_nice_step(const cb_host_api *api, double raw)
{
    double step;
    int steps;
    api->nice_ticks(raw, 1, &step, &steps);
    return step;
}

void cx_nice_range(const cb_host_api *api, double vmin, double vmax, int max_steps, double *lo, double *step, int *steps)
{
    if (max_steps < 1) max_steps = 1;
    if (!isfinite(vmin) || !isfinite(vmax) || vmin > vmax) vmin = vmax = 0;
    if (vmin == vmax) { /* one value (or none): show it against zero */
        if (vmin > 0) vmin = 0;
        else if (vmax < 0) vmax = 0;
        else vmax = 1;
    }
    double s = cx_nice_step(api, (vmax - vmin) / max_steps);
    for (int guard = 0; guard < 8; guard++) {
        double a = floor(vmin / s + 1e-9), b = ceil(vmax / s - 1e-9);
        if (b - a <= max_steps || guard == 7) {
            *lo = a * s;
            *step = s;
            *steps = (int)(b - a) < 1 ? 1 : (int)(b - a);
            return;
        }
        s = cx_nice_step(api, s * 1.0001);
    }
}

int cx_max_steps(float plot_h, float tick_size)
{
    int n = (int)(plot_h / (tick_size * 2.6f));
    return n < 2 ? 2 : n > 5 ? 5 : n;
}

void cx_axis_fit(const cb_host_api *api, const cb_canvas *cv, cx_axis *a, const cx_chart *c, double vmin,
                 double vmax, int max_steps)
{
    if (!isfinite(vmin) || !isfinite(vmax)) vmin = vmax = 0;
    if (vmin > 0) vmin = 0;
    if (vmax < 0) vmax = 0;
    /* the scales of fmt.yuan's figures (core/numfmt.h), in each language */
    typedef struct { double scale; const char *unit; } scale;
    static const scale zh[] = {{1, "元"}, {1e4, "万元"}, {1e8, "亿元"}, {1e12, "万亿元"}},
                       en[] = {{1, "CNY"}, {1e6, "CNY million"}, {1e9, "CNY billion"}, {1e12, "CNY trillion"}};
    enum { NMONEY = sizeof zh / sizeof zh[0] };
    a->english = strcmp(cx_word(api, cv, "zh", "en"), "en") == 0;
    const scale *money = a->english ? en : zh;
    a->scale = 1;
    a->unit = c->unit;
    int u = 0;
    if (c->money) {
        double big = fmax(fabs(vmin), fabs(vmax));
        while (u + 1 < NMONEY && big >= money[u + 1].scale) u++;
    }
    for (;;) {
        if (c->money) {
            a->scale = money[u].scale;
            a->unit = money[u].unit;
        }
        cx_nice_range(api, vmin / a->scale, vmax / a->scale, max_steps, &a->lo, &a->step, &a->steps);
        /* The ticks round outward, so the top tick may reach the next unit: an axis up to
           10000 万元 reads 1 亿元, one up to 1,000 CNY million 1 CNY billion (numfmt's rule: a
           unit up once a whole number of the unit below reaches it). */
        double top = fmax(fabs(a->lo), fabs(a->lo + a->step * a->steps));
        if (!c->money || u + 1 >= NMONEY || top * a->scale < money[u + 1].scale) break;
        u++;
    }
    /* decimals that show the step: 2.5 -> 1, 0.25 -> 2, 50 -> 0 */
    int d = 0;
    double s = a->step;
    while (d < 6 && fabs(s * pow(10, d) - round(s * pow(10, d))) > 1e-6 * s * pow(10, d)) d++;
    a->decimals = d;
}

double cx_axis_hi(const cx_axis *a) { return (a->lo + a->step * a->steps) * a->scale; }

float cx_axis_y(const cx_axis *a, double v, float y0, float h)
{
    double span = a->step * a->steps;
    double t = (v / a->scale - a->lo) / span;
    if (!isfinite(t)) t = 0;
    if (t < 0) t = 0;
    if (t > 1) t = 1;
    return y0 + (float)t * h;
}

void cx_axis_label(const cb_host_api *api, const cb_canvas *cv, const cx_axis *a, int k, char *buf, size_t n)
{
    double v = a->lo + a->step * k;
    if (fabs(v) < a->step * 1e-9) v = 0;
    if (a->english && a->decimals <= 2) /* English figures: 2,500 (at most 2 decimals) */
        api->format_quantity(cv, buf, n, v, NULL, NULL);
    else
        api->format_decimal(buf, n, v, a->decimals);
}

float cx_axis_label_width(const cb_host_api *api, const cb_canvas *cv, const cx_axis *a, float size)
{
    float w = 0;
    char buf[64];
    for (int k = 0; k <= a->steps; k++) {
        cx_axis_label(api, cv, a, k, buf, sizeof buf);
        float tw = api->text_width(cv, size, buf);
        if (tw > w) w = tw;
    }
    return w;
}

void cx_axis_draw(const cb_host_api *api, cb_canvas *cv, const cx_axis *a, float x0, float x1,
                  float y0, float h, float size)
{
    const cb_theme *t = api->theme(cv);
    cx_rgb grid = {0.88f, 0.89f, 0.91f}, axis = {0.35f, 0.35f, 0.35f}, muted = cx_rgb3(t->muted);
    char buf[64];
    for (int k = 0; k <= a->steps; k++) {
        float y = y0 + h * (float)k / (float)a->steps;
        double v = a->lo + a->step * k;
        if (k > 0 && fabs(v) > a->step * 1e-9) cx_hline(api, cv, x0, x1, y, 0.5f, grid);
        cx_hline(api, cv, x0 - 3, x0, y, 0.6f, axis);
        cx_axis_label(api, cv, a, k, buf, sizeof buf);
        cx_text(api, cv, x0 - 5, y - size * 0.35f, size, 2, muted, buf);
    }
    /* the zero line (the bottom when all values are positive) */
    float yz = cx_axis_y(a, 0, y0, h);
    cx_hline(api, cv, x0, x1, yz, 0.8f, axis);
    cx_vline(api, cv, x0, y0, y0 + h, 0.8f, axis);
}

void cx_value_text(const cb_host_api *api, const cb_canvas *cv, const cx_chart *c, double v, char *buf, size_t n)
{
    if (!isfinite(v)) {
        snprintf(buf, n, "—");
        return;
    }
    if (c->money) {
        api->format_money(cv, buf, n, v);
        return;
    }
    if (strcmp(cx_word(api, cv, "zh", "en"), "en") == 0 && (!c->unit || strcmp(c->unit, "%") != 0)) {
        api->format_quantity(cv, buf, n, v, c->unit, NULL); /* "3,800 people", as English text writes counts */
        return;
    }
    size_t len = api->format_decimal(buf, n, v, 2);
    if (c->unit && len < n) snprintf(buf + len, n - len, "%s", c->unit);
}

void cx_xlabels(const cb_host_api *api, cb_canvas *cv, char **labels, size_t n, float x0, float x1,
                float y, float size, int wrap, float width)
{
    if (!n) return;
    const cb_theme *t = api->theme(cv);
    cx_rgb muted = cx_rgb3(t->muted), axis = {0.35f, 0.35f, 0.35f};
    float slot = (x1 - x0) / (float)n, gap = size * 0.8f;
    float maxw = 0;
    for (size_t i = 0; i < n; i++) {
        float w = api->text_width(cv, size, labels[i]);
        if (w > maxw) maxw = w;
    }
    float base = y - 3 - size * 1.05f;
    if (wrap) {
        /* slots too narrow for the labels' two lines: thin them as on a time axis */
        float room = slot - gap * 0.5f;
        int fits = 1;
        for (size_t i = 0; i < n && fits; i++) {
            const char *s = labels[i];
            if (api->text_width(cv, size, s) <= room) continue;
            size_t next, cut = cx_break_prefix(api, cv, s, size, room, &next);
            fits = cut > 0 && api->text_width(cv, size, s + next) <= room;
        }
        if (!fits && slot < size * 3) wrap = 0;
    }
    if (wrap) {
        /* categories: every label, wrapped to two lines of the slot's width, then cut */
        float room = slot - gap * 0.5f;
        if (room < size) room = size;
        for (size_t i = 0; i < n; i++) {
            float cx = x0 + slot * ((float)i + 0.5f);
            const char *s = labels[i];
            if (api->text_width(cv, size, s) <= room) {
                cx_text(api, cv, cx, base, size, 1, muted, s);
                continue;
            }
            size_t next, cut = cx_break_prefix(api, cv, s, size, room, &next);
            if (!cut) { /* not one character fits */
                cx_text_fit(api, cv, cx, base, size, 1, muted, s, room);
                continue;
            }
            char first[512];
            if (cut >= sizeof first) cut = sizeof first - 1;
            memcpy(first, s, cut);
            first[cut] = 0;
            cx_text(api, cv, cx, base, size, 1, muted, first);
            cx_text_fit(api, cv, cx, base - size * 1.25f, size, 1, muted, s + next, room);
        }
        return;
    }
    /* a time axis (or crowded categories): thin the labels so they never touch, always
     * keeping the last */
    size_t every = 1;
    while (every < n && maxw + gap > slot * (float)every) every++;
    for (size_t i = 0; i < n; i++) {
        float cx = x0 + slot * ((float)i + 0.5f);
        cx_vline(api, cv, cx, y - 3, y, 0.6f, axis);
        if ((n - 1 - i) % every) continue;
        float w = api->text_width(cv, size, labels[i]);
        if (w > width) {
            cx_text_fit(api, cv, 0, base, size, 0, muted, labels[i], width);
            continue;
        }
        /* keep the first and last labels inside the block */
        float lx = cx - w / 2;
        if (lx < 0) lx = 0;
        if (lx + w > width) lx = width - w;
        cx_text(api, cv, lx, base, size, 0, muted, labels[i]);
    }
}
