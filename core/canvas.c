/* canvas.c: see canvas.h. */
#include "canvas.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "numfmt.h"
#include "util.h"
#include "wrap.h"

void cb_canvas_init(cb_canvas *c, cb_page *page, cb_font *font, const cb_template *t, float ox, float oy)
{
    memset(c, 0, sizeof *c);
    c->page = page;
    c->font = font;
    c->ox = ox;
    c->oy = oy;
    c->fill = t->text;
    c->stroke = t->text;
    c->line_width = 1;
    cb_theme *th = &c->theme;
    const cb_rgb *src[] = {&t->primary, &t->accent, &t->text, &t->muted, &t->rule, &t->band, &t->panel, &t->bar};
    float *dst[] = {th->primary, th->accent, th->text, th->muted, th->rule, th->band, th->panel, th->bar};
    for (int i = 0; i < 8; i++) {
        dst[i][0] = src[i]->r;
        dst[i][1] = src[i]->g;
        dst[i][2] = src[i]->b;
    }
    th->body_size = t->body_size;
    th->small_size = t->small_size;
    th->table_size = t->table_size;
    th->lang = t->lang[0] ? t->lang : "zh";
    th->h2_size = t->h2_size;
    c->node = page && page->owner ? page->owner->node_now : CB_NODE_DOCUMENT;
    c->first_op = page ? page->nops : 0;
}

void cb_canvas_free(cb_canvas *c)
{
    cb_layout *o = c->page ? c->page->owner : NULL;
    if (o && o->mem_budget && !o->mem_over) o->mem -= c->charged; /* paint charged what it keeps */
    c->charged = 0;
    free(c->segs);
    c->segs = NULL;
    c->nsegs = c->cap = 0;
}

static float clamp01(float v) { return isfinite(v) ? (v < 0 ? 0 : v > 1 ? 1 : v) : 0; }
static float finite_or0(float v) { return isfinite(v) ? v : 0; }

void cb_canvas_set_fill_rgb(cb_canvas *c, float r, float g, float b) { c->fill = (cb_rgb){clamp01(r), clamp01(g), clamp01(b)}; }
void cb_canvas_set_stroke_rgb(cb_canvas *c, float r, float g, float b) { c->stroke = (cb_rgb){clamp01(r), clamp01(g), clamp01(b)}; }
void cb_canvas_set_line_width(cb_canvas *c, float w) { c->line_width = isfinite(w) && w >= 0 ? w : 1; }
void cb_canvas_set_dash(cb_canvas *c, float on, float off)
{
    c->dash_on = isfinite(on) && on > 0 ? on : 0;
    c->dash_off = isfinite(off) && off > 0 ? off : 0;
}

static void add_seg(cb_canvas *c, char kind, int npts, const float *pts)
{
    if (!c->page) return;
    if (c->nsegs == c->cap) {
        /* the path counts against the layout's memory budget; past it, it is not kept */
        size_t more = (c->cap ? c->cap : 32) * sizeof *c->segs;
        if (!cb_page_charge(c->page, more)) return;
        c->charged += more;
        c->cap = c->cap ? c->cap * 2 : 32;
        c->segs = cb_xrealloc(c->segs, c->cap * sizeof *c->segs);
    }
    cb_path_seg *s = &c->segs[c->nsegs++];
    memset(s, 0, sizeof *s);
    s->kind = kind;
    for (int i = 0; i < npts; i++) /* translate points from the box to the page */
        s->pt[i] = finite_or0(pts[i]) + ((i % 2 == 0) ? c->ox : c->oy);
}

void cb_canvas_move_to(cb_canvas *c, float x, float y) { add_seg(c, 'm', 2, (float[]){x, y}); }
void cb_canvas_line_to(cb_canvas *c, float x, float y) { add_seg(c, 'l', 2, (float[]){x, y}); }
void cb_canvas_curve_to(cb_canvas *c, float x1, float y1, float x2, float y2, float x3, float y3)
{
    add_seg(c, 'c', 6, (float[]){x1, y1, x2, y2, x3, y3});
}
void cb_canvas_close_path(cb_canvas *c) { add_seg(c, 'h', 0, NULL); }
void cb_canvas_rect(cb_canvas *c, float x, float y, float w, float h)
{
    add_seg(c, 'r', 2, (float[]){x, y});
    if (c->page && c->nsegs) { /* w and h are sizes: not translated */
        c->segs[c->nsegs - 1].pt[2] = finite_or0(w);
        c->segs[c->nsegs - 1].pt[3] = finite_or0(h);
    }
}

static void paint(cb_canvas *c, int how)
{
    if (!c->page || !c->nsegs || !cb_page_charge(c->page, CB_HEAP_BYTES(c->nsegs * sizeof *c->segs))) {
        c->nsegs = 0;
        return;
    }
    cb_op *op = cb_page_push(c->page, CB_OP_PATH);
    op->segs = cb_xmalloc(c->nsegs * sizeof *op->segs);
    memcpy(op->segs, c->segs, c->nsegs * sizeof *op->segs);
    op->nsegs = c->nsegs;
    op->paint = how;
    op->color = c->fill;
    op->stroke = c->stroke;
    op->size = c->line_width;
    op->dash_on = c->dash_on;
    op->dash_off = c->dash_off;
    c->nsegs = 0;
}

void cb_canvas_fill(cb_canvas *c) { paint(c, CB_PAINT_FILL); }
void cb_canvas_stroke(cb_canvas *c) { paint(c, CB_PAINT_STROKE); }
void cb_canvas_fill_stroke(cb_canvas *c) { paint(c, CB_PAINT_FILL | CB_PAINT_STROKE); }

float cb_canvas_text_width(const cb_canvas *c, float size, const char *utf8)
{
    if (!utf8 || !isfinite(size) || size <= 0) return 0;
    return cb_font_width(c->font, utf8, strlen(utf8), size);
}

void cb_canvas_text(cb_canvas *c, float x, float y, float size, int align, const char *utf8)
{
    if (!c->page || !utf8 || !*utf8 || !isfinite(size) || size <= 0) return;
    size_t len = strlen(utf8);
    if (!cb_utf8_valid(utf8, len)) return;
    float w = cb_font_width(c->font, utf8, len, size);
    if (align == 1) x -= w / 2;
    else if (align == 2) x -= w;
    /* one op per run of characters of the same font face (layout.h) */
    cb_op style = {.x = finite_or0(x) + c->ox, .y = finite_or0(y) + c->oy, .size = size,
                   .color = c->fill};
    cb_page_text(c->page, c->font, &style, utf8, len);
}

const cb_theme *cb_canvas_theme(const cb_canvas *c) { return &c->theme; }

/* ------------------------------------------------------------------ 1.2: text and numbers */

typedef struct sized { cb_font *font; float size; } sized;

static float sized_advance(void *ud, uint32_t prev, uint32_t cp, uint32_t next)
{
    const sized *m = ud;
    return cb_ts_advance(m->font, prev, cp, next, NULL) * m->size;
}

size_t cb_canvas_break_lines(const cb_canvas *c, float size, const char *utf8, float width,
                             cb_text_line *out, size_t max)
{
    if (!utf8 || !*utf8 || !isfinite(size) || size <= 0) return 0;
    if (!isfinite(width) || width < 0) width = 0;
    sized m = {c->font, size};
    cb_line *lines = NULL;
    size_t n = cb_break_lines(utf8, strlen(utf8), width, width, sized_advance, &m, &lines);
    for (size_t i = 0; i < n && i < max && out; i++)
        out[i] = (cb_text_line){lines[i].start, lines[i].len, lines[i].width};
    free(lines);
    return n;
}

static int canvas_english(const cb_canvas *c) { return c->theme.lang && strcmp(c->theme.lang, "en") == 0; }

size_t cb_canvas_format_money(const cb_canvas *c, char *out, size_t n, double yuan)
{
    return canvas_english(c) ? cb_fmt_en_yuan(out, n, yuan) : cb_fmt_yuan(out, n, yuan);
}

size_t cb_canvas_format_quantity(const cb_canvas *c, char *out, size_t n, double v, const char *unit,
                                 const char *qualifier)
{
    return canvas_english(c) ? cb_fmt_en_count(out, n, v, unit, qualifier)
                             : cb_fmt_count(out, n, v, unit, qualifier);
}

/* ------------------------------------------------------------------ 1.3: structure */

void cb_canvas_describe(cb_canvas *c, int role, const char *alt)
{
    static const cb_role roles[] = {[CB_BLOCK_ROLE_FIGURE] = CB_ROLE_FIGURE,
                                    [CB_BLOCK_ROLE_ARTIFACT] = CB_ROLE_ARTIFACT,
                                    [CB_BLOCK_ROLE_PARAGRAPH] = CB_ROLE_PARAGRAPH};
    if (!c->page || !c->page->owner || role < 0 || role > CB_BLOCK_ROLE_PARAGRAPH) return;
    c->described |= role != CB_BLOCK_ROLE_FIGURE || (alt && *alt); /* else: the fallback */
    cb_layout_describe(c->page->owner, c->page, c->first_op, c->node, roles[role], alt);
}

/* ------------------------------------------------------------------ 1.4: captions */

void cb_canvas_caption(cb_canvas *c, float x, float top, float lh, float size, const char *utf8)
{
    if (!c->page || !utf8 || !*utf8 || !isfinite(size) || size <= 0 || !isfinite(top) || !isfinite(lh)) return;
    size_t len = strlen(utf8);
    if (!cb_utf8_valid(utf8, len)) return;
    float asc, desc;
    cb_font_metrics(c->font, &asc, &desc);
    /* a caption of the figure (as long as the block is one: not after describe) */
    cb_layout *o = c->page->owner;
    uint32_t was = o ? o->node_now : CB_NODE_DOCUMENT;
    if (o && was == c->node) o->node_now = cb_layout_node(o, CB_ROLE_CAPTION, 0, c->node);
    cb_op style = {.x = finite_or0(x) + c->ox, .y = top - (lh + (asc + desc) * size) / 2 + c->oy, .size = size,
                   .color = c->fill, .bold = 1};
    cb_page_text(c->page, cb_font_for(c->font, CB_FONT_HEADING, 1), &style, utf8, len);
    if (o) o->node_now = was;
}
