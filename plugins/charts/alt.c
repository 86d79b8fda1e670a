/* alt.c: what each chart says to a reader who cannot see it (plugin.h, ABI 1.3: describe):
 * alternative text made from the chart's data, in the document's language. A pie names
 * every slice with its amount and share (all of them, also those the legend merges into
 * 其他), a stacked chart every bar's parts and total, a line chart every point of each
 * series (or, past MAX_POINTS, the first, last, lowest and highest), a sparkline its
 * figure and its history the same way, a bar chart every bar's label and value as drawn. */
#include "charts.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_POINTS 40

/* A growing text; on running out of memory it stays as it was. */
typedef struct text {
    char *s;
    size_t len, cap;
} text;

static void add(text *t, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char tmp[256];
    int n = vsnprintf(tmp, sizeof tmp, fmt, ap);
    va_end(ap);
    if (n < 0) return;
    if (t->len + (size_t)n + 1 > t->cap) {
        size_t cap = (t->len + (size_t)n + 1) * 2;
        char *s = realloc(t->s, cap);
        if (!s) return;
        t->s = s;
        t->cap = cap;
    }
    if ((size_t)n < sizeof tmp) {
        memcpy(t->s + t->len, tmp, (size_t)n + 1);
    } else {
        va_start(ap, fmt);
        vsnprintf(t->s + t->len, (size_t)n + 1, fmt, ap);
        va_end(ap);
    }
    t->len += (size_t)n;
}

/* The words of one language. */
typedef struct words {
    const char *colon, *sep, *list, *pie, *donut, *line, *stacked, *share, *total, *unit, *nodata, *trend,
        *summary, *bar;
} words;

static const words ZH = {"：", "；", "，", "饼图", "环形图", "折线图", "堆积柱状图", "占", "合计", "（单位：%s）",
                         "暂无数据", "走势", "%zu个点，首%s %s，末%s %s，最低%s %s，最高%s %s", "条形图"};
static const words EN = {": ", "; ", ", ", "Pie chart", "Donut chart", "Line chart", "Stacked bar chart", "",
                         "total", " (unit: %s)", "No data", "trend",
                         "%zu points, first %s %s, last %s %s, lowest %s %s, highest %s %s", "Bar chart"};

/* The title, or what kind of chart it is, and its unit. */
static void head(text *t, const words *w, const cx_chart *c, const char *kind)
{
    add(t, "%s", c->title && *c->title ? c->title : kind);
    if (c->unit && *c->unit) add(t, w->unit, c->unit);
    add(t, "%s", w->colon);
}

/* Values v[0..n) under labels x (NULL: none): each "label value", or past MAX_POINTS a
 * summary of them. */
static void points(text *t, const words *w, const cb_host_api *api, const cb_canvas *cv, const cx_chart *c, char **x,
                   const double *v, size_t n)
{
    char a[96];
    if (n <= MAX_POINTS) {
        for (size_t i = 0; i < n; i++) {
            cx_value_text(api, cv, c, v[i], a, sizeof a);
            add(t, "%s%s%s%s", i ? w->list : "", x ? x[i] : "", x ? " " : "", a);
        }
        return;
    }
    size_t first = n, last = 0, lo = n, hi = n;
    for (size_t i = 0; i < n; i++) {
        if (isnan(v[i])) continue;
        if (first == n) first = i;
        last = i;
        if (lo == n || v[i] < v[lo]) lo = i;
        if (hi == n || v[i] > v[hi]) hi = i;
    }
    if (first == n) {
        add(t, "%s", w->nodata);
        return;
    }
    size_t at[4] = {first, last, lo, hi};
    char val[4][96];
    const char *lab[4];
    for (int k = 0; k < 4; k++) {
        cx_value_text(api, cv, c, v[at[k]], val[k], sizeof val[k]);
        lab[k] = x ? x[at[k]] : "";
    }
    add(t, w->summary, n, lab[0], val[0], lab[1], val[1], lab[2], val[2], lab[3], val[3]);
}

static void pie(text *t, const words *w, const cb_host_api *api, const cb_canvas *cv, const cx_chart *c)
{
    head(t, w, c, c->donut ? w->donut : w->pie);
    double total = 0;
    for (size_t i = 0; i < c->nx; i++)
        if (!isnan(c->v[i]) && c->v[i] > 0) total += c->v[i];
    if (!(total > 0)) {
        add(t, "%s", c->empty_label ? c->empty_label : w->nodata);
        return;
    }
    char val[96], pct[64];
    for (size_t i = 0; i < c->nx; i++) {
        if (c->text[i]) snprintf(val, sizeof val, "%s", c->text[i]);
        else cx_value_text(api, cv, c, c->v[i], val, sizeof val);
        if (isnan(c->v[i])) snprintf(pct, sizeof pct, "—");
        else if (api->format_decimal(pct, sizeof pct - 2, c->v[i] / total * 100, 1) < sizeof pct - 2) strcat(pct, "%");
        add(t, "%s%s %s%s%s%s", i ? w->sep : "", c->x[i], val, w->list, w->share, pct);
    }
    if (c->center) snprintf(val, sizeof val, "%s", c->center);
    else cx_value_text(api, cv, c, total, val, sizeof val);
    add(t, "%s%s %s", w->sep, c->total_label ? c->total_label : w->total, val);
}

static void series(text *t, const words *w, const cb_host_api *api, const cb_canvas *cv, const cx_chart *c, const char *kind)
{
    head(t, w, c, kind);
    if (!c->nx || !c->ns) {
        add(t, "%s", c->empty_label ? c->empty_label : w->nodata);
        return;
    }
    if (c->kind == CX_LINE) { /* by series: its points */
        for (size_t s = 0; s < c->ns; s++) {
            if (s) add(t, "%s", w->sep);
            if (c->s[s].name) add(t, "%s%s", c->s[s].name, w->colon);
            points(t, w, api, cv, c, c->x, c->s[s].v, c->nx);
        }
        return;
    }
    char val[96];
    for (size_t i = 0; i < c->nx; i++) { /* by bar: its parts and their total */
        double sum = 0;
        add(t, "%s%s%s", i ? w->sep : "", c->x[i], w->colon);
        for (size_t s = 0; s < c->ns; s++) {
            double v = c->s[s].v[i];
            if (!isnan(v)) sum += v;
            cx_value_text(api, cv, c, v, val, sizeof val);
            add(t, "%s%s%s%s", s ? w->list : "", c->s[s].name ? c->s[s].name : "", c->s[s].name ? " " : "", val);
        }
        cx_value_text(api, cv, c, sum, val, sizeof val);
        if (c->ns > 1) add(t, "%s%s %s", w->list, w->total, val);
    }
}

/* Every bar's label and value as drawn ("城关镇 12.3；…"). */
static void bars(text *t, const words *w, const cb_host_api *api, const cx_chart *c)
{
    head(t, w, c, w->bar);
    char val[64];
    for (size_t i = 0; i < c->nx; i++)
        add(t, "%s%s %s", i ? w->sep : "", c->x[i], cx_bar_text(api, c, i, val, sizeof val));
}

static void spark(text *t, const words *w, const cb_host_api *api, const cb_canvas *cv, const cx_chart *c)
{
    add(t, "%s%s%s%s%s%s", c->label ? c->label : "", w->colon, c->value ? c->value : "", w->sep, w->trend, w->colon);
    points(t, w, api, cv, c, NULL, c->v, c->nv);
}

void cx_describe(const cb_host_api *api, cb_canvas *cv, const cx_chart *c)
{
    if (api->abi_minor < 3 || !api->describe) return; /* an older host: its own fallback */
    const words *w = strcmp(cx_word(api, cv, "zh", "en"), "en") == 0 ? &EN : &ZH;
    text t = {0};
    switch (c->kind) {
    case CX_PIE: pie(&t, w, api, cv, c); break;
    case CX_LINE: series(&t, w, api, cv, c, w->line); break;
    case CX_STACKED: series(&t, w, api, cv, c, w->stacked); break;
    case CX_SPARK: spark(&t, w, api, cv, c); break;
    case CX_BAR: bars(&t, w, api, c); break;
    }
    api->describe(cv, CB_BLOCK_ROLE_FIGURE, t.s);
    free(t.s);
}
