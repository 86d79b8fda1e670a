/* charts.h: shared parts of the charts plugin (chart.line, chart.pie, chart.stacked,
 * chart.bar, chart.sparkline and the Lua module `charts`). Only countybrief/plugin.h is used: the
 * host draws, measures text in the document font and formats numbers. */
#ifndef CHARTS_H
#define CHARTS_H

#include <stddef.h>

#include <lauxlib.h>
#include <lua.h>

#include "countybrief/plugin.h"

/* ------------------------------------------------------------------ block state (opts.c) */

typedef enum cx_kind { CX_LINE, CX_PIE, CX_STACKED, CX_SPARK, CX_BAR } cx_kind;

typedef struct cx_series {
    char *name;   /* may be NULL: not shown in the legend */
    double *v;    /* one value per x label / category; NaN marks a gap */
} cx_series;

/* One chart block. Which fields are used depends on the kind. */
typedef struct cx_chart {
    cx_kind kind;
    const char *what;    /* "chart.line" (static) */
    char *title, *unit;
    char **x;            /* x labels (line), categories (stacked), slice labels (pie), bar labels */
    size_t nx;
    cx_series *s;        /* line, stacked */
    size_t ns;
    double *v;           /* slice values (pie), values (sparkline), bars; NaN = missing */
    char **text;         /* pie, bar: display text per slice or bar, may hold NULLs */
    size_t nv;
    char *label, *value; /* sparkline */
    char *center, *total_label; /* pie (donut centre) */
    char *other_label;   /* pie: the row the legend's tail merges into; NULL: cx_word's */
    char *empty_label;   /* the note of a chart without data; NULL: cx_word's */
    float height;
    int money, donut, totals;
} cx_chart;

/* Starts reading the options of `what` at index opts: checks that every key is one of
 * `keys` (NULL-terminated) by the host's check of every block (api->check_options, so the
 * message is doc:table's, "did you mean" included) and returns a zeroed chart owned by a guard pushed on the
 * stack, which frees it if a later luaL_error abandons it. */
cx_chart *cx_begin(lua_State *L, int opts, cx_kind kind, const char *what, const char *const *keys,
                   const cb_host_api *api);
/* Takes the chart from its guard (pops the guard): the block owns it from now on. */
cx_chart *cx_commit(lua_State *L, cx_chart *c);
void cx_free(cx_chart *c);

char *cx_opt_string(lua_State *L, int opts, const char *key, const cx_chart *c, int required);
int cx_opt_bool(lua_State *L, int opts, const char *key, const cx_chart *c);
float cx_opt_height(lua_State *L, int opts, const cx_chart *c, float def, float lo, float hi);
/* A required list of labels (strings or numbers) under key; fills c->x, c->nx. */
void cx_read_labels(lua_State *L, int opts, const char *key, cx_chart *c);
/* The list of {name=, values=} under "series": each series must have c->nx values; `per`
 * names what the values are counted against ("x labels", "categories"). */
void cx_read_series(lua_State *L, int opts, cx_chart *c, const char *per);
/* A list of numbers with gaps (nil in the middle, false, NaN) at index idx: returns a
 * malloc'd array (NaN for gaps) and its length. `ctx` names it in messages. */
double *cx_read_values(lua_State *L, int idx, size_t *n, const char *ctx);
char *cx_strdup(lua_State *L, const char *s);

/* ------------------------------------------------------------------ numbers (axis.c) */

/* The smallest "nice" number (1, 2, 2.5 or 5 times a power of ten) >= raw: the host's
 * ticks (api->nice_ticks, doc:barchart's), one step of raw, so the charts keep no copy. */
double cx_nice_step(const cb_host_api *api, double raw);
/* Ticks lo + k*step, k = 0..steps, covering [vmin, vmax], at most max_steps steps. */
void cx_nice_range(const cb_host_api *api, double vmin, double vmax, int max_steps, double *lo, double *step,
                   int *steps);

/* A value axis: raw values are divided by `scale` for the tick labels. */
typedef struct cx_axis {
    double lo, step, scale;
    int steps, decimals;
    const char *unit;  /* shown as 单位：unit / Unit: unit (NULL: none) */
    int english;       /* the document is English (the canvas's theme): its tick labels too */
} cx_axis;

/* Fits an axis to raw values [vmin, vmax] (0 always included) for the document of cv.
 * With money the scale is 元, 万元, 亿元 or 万亿元 by the magnitude (English: CNY, CNY
 * million, billion or trillion, as fmt.yuan writes English figures), else c->unit as
 * given. */
void cx_axis_fit(const cb_host_api *api, const cb_canvas *cv, cx_axis *a, const cx_chart *c, double vmin,
                 double vmax, int max_steps);
/* How many tick steps a plot of height plot_h has room for (2 to 5). */
int cx_max_steps(float plot_h, float tick_size);
double cx_axis_hi(const cx_axis *a);
/* y of raw value v in a plot from y0 (bottom) to y0 + h. */
float cx_axis_y(const cx_axis *a, double v, float y0, float h);
/* Tick label k into buf: as many decimals as the step needs, in English with thousands
 * separators (the host's format_quantity: "2,500"). */
void cx_axis_label(const cb_host_api *api, const cb_canvas *cv, const cx_axis *a, int k, char *buf, size_t n);
/* Widest tick label at size. */
float cx_axis_label_width(const cb_host_api *api, const cb_canvas *cv, const cx_axis *a, float size);
/* Gridlines, zero line, tick labels left of x0 and the y axis line. */
void cx_axis_draw(const cb_host_api *api, cb_canvas *cv, const cx_axis *a, float x0, float x1,
                  float y0, float h, float size);
/* Labels under n slots from x0 to x1 (slot centres), thinned (line) or wrapped to two
 * lines (wrap != 0) when crowded. Returns nothing; draws below y (the axis line). */
void cx_xlabels(const cb_host_api *api, cb_canvas *cv, char **labels, size_t n, float x0, float x1,
                float y, float size, int wrap, float width);
/* Display text of raw value v in the document's language: with money the host's
 * format_money ("4.05亿元" / "CNY 405 million"), else decimals plus unit. */
void cx_value_text(const cb_host_api *api, const cb_canvas *cv, const cx_chart *c, double v, char *buf, size_t n);

/* ------------------------------------------------------------------ drawing (draw.c) */

#define CX_PI 3.14159265358979323846

typedef struct cx_rgb { float r, g, b; } cx_rgb;

cx_rgb cx_color(const cb_theme *t, size_t i);   /* series / slice colour i */
cx_rgb cx_rgb3(const float v[3]);
void cx_fill(const cb_host_api *api, cb_canvas *cv, cx_rgb c);
void cx_stroke(const cb_host_api *api, cb_canvas *cv, cx_rgb c, float width);
void cx_hline(const cb_host_api *api, cb_canvas *cv, float x0, float x1, float y, float w, cx_rgb c);
void cx_vline(const cb_host_api *api, cb_canvas *cv, float x, float y0, float y1, float w, cx_rgb c);
void cx_text(const cb_host_api *api, cb_canvas *cv, float x, float y, float size, int align, cx_rgb c,
             const char *s);
/* Text cut with "…" to at most maxw points. */
void cx_text_fit(const cb_host_api *api, cb_canvas *cv, float x, float y, float size, int align, cx_rgb c,
                 const char *s, float maxw);
/* Bytes of the longest prefix of s (whole UTF-8 characters) at most maxw wide. */
size_t cx_fit_prefix(const cb_host_api *api, const cb_canvas *cv, const char *s, float size, float maxw);
/* The first line of s broken at maxw by the host's rules, those of body text (plugin.h:
 * break_lines; 避头尾: no closing mark first on a line, no opening mark last): its bytes,
 * 0 when not one character fits; *next is where the second line starts. */
size_t cx_break_prefix(const cb_host_api *api, const cb_canvas *cv, const char *s, float size, float maxw,
                       size_t *next);
/* Appends an arc (centre cx, cy, radius r, from angle a0 to a1 in radians, either way) as
 * cubic Béziers of at most 90°; starts with move_to when move, else line_to. */
void cx_arc(const cb_host_api *api, cb_canvas *cv, float cx, float cy, float r, double a0, double a1,
            int move);
void cx_circle(const cb_host_api *api, cb_canvas *cv, float cx, float cy, float r);
/* Baseline for text of size centred in a row whose top is top and height rowh. */
float cx_baseline(float top, float rowh, float size);
/* The baseline that centres text's ideographic em box (0.88 em above the baseline, 0.12
 * below, every CJK face's) at height mid: text of every face and size level with a bar. */
float cx_level(float mid, float size);

/* The title row at the top of the box; returns the y below it. */
float cx_title(const cb_host_api *api, cb_canvas *cv, const cx_chart *c, float width, float top);
/* "No data" in the middle of a box, on a white patch when patch != 0. */
/* A chart's own word in the document's language (cb_theme.lang, ABI 1.1): en, else zh. */
const char *cx_word(const cb_host_api *api, const cb_canvas *cv, const char *zh, const char *en);

void cx_nodata(const cb_host_api *api, cb_canvas *cv, float x, float y, float w, float h, int patch,
               const char *label);

/* Legend entries: keys of kind 'l' (line with marker) or 'b' (box). */
typedef struct cx_legend_item { const char *name; cx_rgb color; } cx_legend_item;
/* Lays the legend out right-aligned in rows from top, leaving room for `left_text` (drawn
 * at the left of the first row, muted, may be NULL). Draws when draw != 0. Returns the
 * height used. */
float cx_legend(const cb_host_api *api, cb_canvas *cv, const cx_legend_item *items, size_t n, char key,
                const char *left_text, float width, float top, int draw);

/* ------------------------------------------------------------------ alternative text (alt.c) */

/* Tells the host what chart c is and shows (api->describe, ABI 1.3; nothing on an older
 * host): a figure whose alternative text is made from its data. */
void cx_describe(const cb_host_api *api, cb_canvas *cv, const cx_chart *c);

/* ------------------------------------------------------------------ the blocks */

/* The block type called name ("chart.bar"), or NULL: for a harness that links the charts
 * in (tests/fuzz/fuzz_document.c) and builds a chart's state itself. */
const cb_block_type *cx_block_type(const char *name);

void *cx_line_create(lua_State *L, int opts, const cb_host_api *api);
void cx_line_draw(void *state, const cb_host_api *api, cb_canvas *cv, float w, float h);
void *cx_pie_create(lua_State *L, int opts, const cb_host_api *api);
void cx_pie_draw(void *state, const cb_host_api *api, cb_canvas *cv, float w, float h);
void *cx_stacked_create(lua_State *L, int opts, const cb_host_api *api);
void cx_stacked_draw(void *state, const cb_host_api *api, cb_canvas *cv, float w, float h);
void *cx_spark_create(lua_State *L, int opts, const cb_host_api *api);
void cx_spark_draw(void *state, const cb_host_api *api, cb_canvas *cv, float w, float h);
void *cx_bar_create(lua_State *L, int opts, const cb_host_api *api);
float cx_bar_measure(const cx_chart *c, const cb_host_api *api, const cb_canvas *cv, float width);
void cx_bar_draw(void *state, const cb_host_api *api, cb_canvas *cv, float w, float h);
/* What bar i shows: its text, else its value with at most two decimals (in buf). */
const char *cx_bar_text(const cb_host_api *api, const cx_chart *c, size_t i, char *buf, size_t n);

#endif
