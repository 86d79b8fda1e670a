/* layout.c: see layout.h. */
#include "layout.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "canvas.h"
#include "wrap.h"
#include "numfmt.h"
#include "pool.h"

typedef struct lay {
    cb_layout *out;
    const cb_template *t;
    const cb_doc *doc;
    cb_font *font;
    cb_page *page;
    float y;                    /* top of the space left on the current page */
    float top, bottom, left, right, width;
    float asc, desc;            /* font ascender and (negative) descender, in ems */
    const char *heading;        /* the last heading's text, to say where a block is */
} lay;

/* ------------------------------------------------------------------ pages and ops */

int cb_page_charge(cb_page *p, size_t n)
{
    cb_layout *o = p->owner;
    if (!o || !o->mem_budget) return 1;
    if (o->mem_over || n > o->mem_budget - o->mem) {
        o->mem_over = 1;
        return 0;
    }
    o->mem += n;
    return 1;
}

static void new_page(lay *L)
{
    cb_layout *o = L->out;
    o->pages = cb_xgrow(o->pages, o->npages, sizeof *o->pages);
    L->page = &o->pages[o->npages++];
    memset(L->page, 0, sizeof *L->page);
    L->page->owner = o;
    cb_page_charge(L->page, sizeof *L->page);
    L->y = L->top;
}

static int at_page_top(const lay *L) { return L->y >= L->top - 0.01f; }

/* Starts a new page unless h points fit below the cursor (or the page is still empty,
 * where nothing would be gained). */
static void ensure(lay *L, float h)
{
    if (L->y - h < L->bottom && !at_page_top(L)) new_page(L);
}

cb_op *cb_page_push(cb_page *p, cb_op_kind kind)
{
    cb_op *op;
    size_t cap = p->cap ? p->cap * 2 : 64;
    if ((p->owner && p->owner->mem_over) ||
        (p->nops == p->cap && !cb_page_charge(p, (cap - p->cap) * sizeof *p->ops))) {
        op = &p->owner->scratch; /* past the budget: not kept, what the last use left freed */
        free(op->text);
        free(op->segs);
        memset(op, 0, sizeof *op);
        op->kind = kind;
        return op;
    }
    if (p->nops == p->cap) {
        p->cap = cap;
        p->ops = cb_xrealloc(p->ops, p->cap * sizeof *p->ops);
    }
    op = &p->ops[p->nops++];
    memset(op, 0, sizeof *op);
    op->kind = kind;
    return op;
}

static cb_op *push_op(lay *L, cb_op_kind kind) { return cb_page_push(L->page, kind); }

void cb_page_text(cb_page *p, cb_font *f, const cb_op *style, const char *s, size_t len)
{
    float x = style->x;
    while (len) {
        size_t n, drawn;
        float w;
        int face = cb_font_run(f, s, len, &n, &w, &drawn);
        if (!drawn) break; /* only invisible characters left */
        cb_page_charge(p, CB_HEAP_BYTES(n + 1));
        cb_op *op = cb_page_push(p, CB_OP_TEXT);
        op->x = x;
        op->y = style->y;
        op->size = style->size;
        op->color = style->color;
        op->bold = style->bold;
        op->spacing = style->spacing;
        op->font = face;
        op->text = cb_xstrndup(s, n);
        x += w * style->size + style->spacing * (float)drawn;
        s += n;
        len -= n;
    }
}

static void draw_text(lay *L, float x, float y, float size, cb_rgb c, int bold, const char *s,
                      size_t len, float spacing)
{
    if (!len) return;
    cb_op style = {.x = x, .y = y, .size = size, .color = c, .bold = bold, .spacing = spacing};
    cb_page_text(L->page, L->font, &style, s, len);
}

static void draw_rect(lay *L, float x, float y, float w, float h, cb_rgb c)
{
    cb_op *op = push_op(L, CB_OP_RECT);
    op->x = x;
    op->y = y;
    op->w = w;
    op->h = h;
    op->color = c;
}

static void draw_line(lay *L, float x0, float y0, float x1, float y1, float width, cb_rgb c)
{
    cb_op *op = push_op(L, CB_OP_LINE);
    op->x = x0;
    op->y = y0;
    op->w = x1 - x0;
    op->h = y1 - y0;
    op->size = width;
    op->color = c;
}

static float text_width(lay *L, const char *s, float size)
{
    return cb_font_width(L->font, s, strlen(s), size);
}

/* Baseline that centres the glyphs' ascender-descender box in a line box of height lh
 * whose top is at y. */
static float baseline_in(const lay *L, float y, float lh, float size)
{
    return y - (lh + (L->asc + L->desc) * size) / 2;
}

typedef enum { ALIGN_LEFT, ALIGN_CENTER, ALIGN_RIGHT } align_t;

static void draw_aligned(lay *L, float x, float w, float baseline, float size, cb_rgb c,
                         int bold, const char *s, size_t len, align_t a)
{
    float tw = cb_font_width(L->font, s, len, size);
    if (a == ALIGN_CENTER) x += (w - tw) / 2;
    else if (a == ALIGN_RIGHT) x += w - tw;
    draw_text(L, x, baseline, size, c, bold, s, len, 0);
}

static int english(const lay *L) { return strcmp(L->t->lang, "en") == 0; }

static void warn(lay *L, const char *fmt, const char *arg)
{
    cb_layout *o = L->out;
    o->warnings = cb_xgrow(o->warnings, o->nwarnings, sizeof *o->warnings);
    o->warnings[o->nwarnings++] = cb_xasprintf(fmt, arg);
}

/* ------------------------------------------------------------------ wrapping */

typedef struct measure {
    cb_font *font;
    float size;
} measure;

static float advance_at(void *ud, uint32_t cp)
{
    measure *m = ud;
    return cb_font_advance(m->font, cp) * m->size;
}

static size_t wrap(lay *L, const char *s, float size, float first_w, float w, cb_line **lines)
{
    measure m = {L->font, size};
    return cb_break_lines(s, strlen(s), first_w, w, advance_at, &m, lines);
}

/* Characters drawn (not skipped: font.h), each followed by the justification spacing. */
static size_t count_chars(const char *s, size_t len)
{
    size_t n = 0;
    const char *p = s, *end = s + len;
    while (p < end)
        if (!cb_font_invisible(cb_utf8_next(&p, end))) n++;
    return n;
}

/* ------------------------------------------------------------------ blocks */

static void lay_title(lay *L, const cb_block *b)
{
    const cb_template *t = L->t;
    float ts = t->title_size, ss = t->body_size;
    cb_line *tl = NULL, *sl = NULL;
    size_t nt = wrap(L, b->text ? b->text : "", ts, L->width, L->width, &tl);
    size_t ns = b->subtitle ? wrap(L, b->subtitle, ss, L->width, L->width, &sl) : 0;
    float tlh = ts * 1.3f, slh = ss * 1.6f;
    float h = 6 + 10 + nt * tlh + 6 + ns * slh + 12;
    ensure(L, h);
    draw_rect(L, L->left, L->y - 4, L->width, 4, t->primary);
    L->y -= 4 + 10;
    for (size_t i = 0; i < nt; i++) {
        draw_text(L, L->left, baseline_in(L, L->y, tlh, ts), ts, t->primary, 1,
                  b->text + tl[i].start, tl[i].len, 0);
        L->y -= tlh;
    }
    L->y -= 6;
    for (size_t i = 0; i < ns; i++) {
        draw_text(L, L->left, baseline_in(L, L->y, slh, ss), ss, t->muted, 0,
                  b->subtitle + sl[i].start, sl[i].len, 0);
        L->y -= slh;
    }
    L->y -= 6;
    draw_line(L, L->left, L->y, L->right, L->y, 0.6f, t->rule);
    L->y -= 8;
    free(tl);
    free(sl);
}

static void add_bookmark(lay *L, const char *title, int level)
{
    cb_layout *o = L->out;
    o->marks = cb_xgrow(o->marks, o->nmarks, sizeof *o->marks);
    o->marks[o->nmarks++] = (cb_bookmark){cb_xstrdup(title), level, o->npages - 1, L->y};
}

static void lay_block(lay *L, const cb_block *b, const cb_block *next);

/* Whether `next`, laid out right after heading b from the current position, would put
 * nothing on this page (a table whose header and first rows don't fit, a chart that moves
 * whole): then the heading must move too. Found by laying both out on scratch pages. */
static int next_leaves_page(lay *L, const cb_block *b, const cb_block *next)
{
    cb_layout scratch = {0};
    lay S = *L;
    S.out = &scratch;
    new_page(&S);
    S.y = L->y;
    lay_block(&S, b, NULL);
    size_t ops = scratch.pages[0].nops;
    lay_block(&S, next, NULL);
    int leaves = scratch.pages[0].nops == ops;
    cb_layout_free(&scratch);
    return leaves;
}

static void lay_heading(lay *L, const cb_block *b, const cb_block *next)
{
    const cb_template *t = L->t;
    int level = b->level == 2 ? 2 : 1;
    float size = level == 1 ? t->h1_size : t->h2_size;
    float before = level == 1 ? size * 1.1f : size * 0.8f;
    float lh = size * 1.45f;
    float indent = level == 1 ? 9 : 0;
    cb_line *lines = NULL;
    size_t n = wrap(L, b->text ? b->text : "", size, L->width - indent, L->width - indent, &lines);
    float h = n * lh;
    /* keep with next: the heading plus about three body lines, and the start of what
     * follows it must fit below it */
    float keep = h + before + 3 * t->body_size * t->leading;
    if (!at_page_top(L) && (L->y - keep < L->bottom || (next && next_leaves_page(L, b, next))))
        new_page(L);
    if (!at_page_top(L)) L->y -= before;
    add_bookmark(L, b->text ? b->text : "", level);
    if (level == 1) draw_rect(L, L->left, L->y - h + lh * 0.2f, 3.5f, h - lh * 0.4f, t->accent);
    for (size_t i = 0; i < n; i++) {
        draw_text(L, L->left + indent, baseline_in(L, L->y, lh, size), size,
                  level == 1 ? t->primary : t->text, 1, b->text + lines[i].start, lines[i].len, 0);
        L->y -= lh;
    }
    L->y -= size * 0.35f;
    free(lines);
}

/* English text is justified by widening the spaces between words, not every character:
 * draws the line word by word and returns 1, or 0 (nothing drawn) for a line without
 * spaces or one that would need gaps wider than 1.5 em. */
static int justify_words(lay *L, float x, float baseline, float size, const char *s, size_t len,
                         float extra)
{
    size_t gaps = 0;
    for (size_t k = 1; k < len; k++) gaps += s[k] == ' ' && s[k - 1] != ' ';
    if (!gaps || extra < 0 || extra / (float)gaps > size * 1.5f) return 0;
    float add = extra / (float)gaps;
    const cb_template *t = L->t;
    size_t k = 0;
    while (k < len) {
        size_t w = k;
        while (w < len && s[w] != ' ') w++;
        draw_text(L, x, baseline, size, t->text, 0, s + k, w - k, 0);
        x += cb_font_width(L->font, s + k, w - k, size);
        size_t sp = w;
        while (sp < len && s[sp] == ' ') sp++;
        x += cb_font_width(L->font, s + w, sp - w, size) + (sp > w && w > k ? add : 0);
        k = sp;
    }
    return 1;
}

static void lay_paragraph(lay *L, const cb_block *b)
{
    const cb_template *t = L->t;
    float size = t->body_size, lh = size * t->leading;
    float indent = t->indent * size;
    const char *s = b->text ? b->text : "";
    cb_line *lines = NULL;
    size_t n = wrap(L, s, size, L->width - indent, L->width, &lines);
    for (size_t i = 0; i < n; i++) {
        /* no single first line at the foot of a page (orphan) */
        if (L->y - lh < L->bottom || (i == 0 && n > 1 && L->y - 2 * lh < L->bottom)) {
            if (!at_page_top(L)) new_page(L);
        }
        float x = L->left + (i == 0 ? indent : 0);
        float avail = L->width - (i == 0 ? indent : 0);
        float spacing = 0;
        size_t nch = count_chars(s + lines[i].start, lines[i].len);
        if (t->justify && !lines[i].last && english(L) &&
            justify_words(L, x, baseline_in(L, L->y, lh, size), size, s + lines[i].start, lines[i].len,
                          avail - lines[i].width)) {
            L->y -= lh;
            continue;
        }
        if (t->justify && !lines[i].last && nch > 1) {
            spacing = (avail - lines[i].width) / (float)(nch - 1);
            if (spacing < 0 || spacing > size * 0.5f) spacing = 0;
        }
        draw_text(L, x, baseline_in(L, L->y, lh, size), size, t->text, 0, s + lines[i].start,
                  lines[i].len, spacing);
        L->y -= lh;
    }
    L->y -= size * 0.5f;
    free(lines);
}

/* A KPI value such as "4.05亿元" or "近20万人": digits large, words small. */
static int is_numeric_cp(unsigned char c) { return (c >= '0' && c <= '9') || c == '.' || c == ',' || c == '%' || c == '-' || c == '+'; }

/* The byte at p of value v is part of the number: also the 'e' of "1e+288万亿元". */
static int is_numeric_at(const char *v, const char *p)
{
    if (*p == 'e')
        return p > v && p[-1] >= '0' && p[-1] <= '9' && (p[1] == '+' || p[1] == '-');
    return is_numeric_cp((unsigned char)*p);
}

static float kpi_value_width(lay *L, const char *v, float big, float small)
{
    float w = 0;
    const char *p = v, *end = v + strlen(v);
    while (p < end) {
        int num = is_numeric_at(v, p);
        uint32_t cp = cb_utf8_next(&p, end);
        w += cb_font_advance(L->font, cp) * (num ? big : small);
    }
    return w;
}

static void draw_kpi_value(lay *L, float x, float baseline, const char *v, float big, float small)
{
    const cb_template *t = L->t;
    const char *p = v, *end = v + strlen(v);
    while (p < end) {
        int num = is_numeric_at(v, p);
        const char *run = p;
        while (p < end && is_numeric_at(v, p) == num) cb_utf8_next(&p, end);
        float size = num ? big : small;
        draw_text(L, x, baseline, size, num ? t->accent : t->text, num, run, (size_t)(p - run), 0);
        x += cb_font_width(L->font, run, (size_t)(p - run), size);
    }
}

/* Boxes per row: as many as stay at least ten body characters wide, at most 6 (4 on the
 * default A4 page), spread evenly over the rows (7 items: 4 and 3). */
static size_t kpis_per_row(const lay *L, size_t n, float gap)
{
    float min_w = 10 * L->t->body_size;
    size_t most = (size_t)fmaxf(1, floorf((L->width + gap) / (min_w + gap)));
    if (most > 6) most = 6;
    size_t rows = (n + most - 1) / most;
    return (n + rows - 1) / rows;
}

/* A KPI label in a box of width w: one line, a little smaller if need be (by up to 10%,
 * which reads the same), else two lines, else shrunk onto one with a warning. Returns the
 * lines (caller frees) and sets *n and *size. */
static cb_line *kpi_label(lay *L, const char *label, float w, float size0, float *size, size_t *n)
{
    float lw = text_width(L, label, size0);
    cb_line *lines = NULL;
    *size = size0;
    if (lw > w && lw * 0.9f > w) {
        *n = wrap(L, label, size0, w, w, &lines);
        if (*n <= 2) return lines;
        free(lines);
        warn(L, "KPI label \"%s\" shrunk to fit its box", label);
    }
    if (lw > w) *size = size0 * w / lw;
    *n = 1;
    lines = cb_xcalloc(1, sizeof *lines);
    lines[0].len = strlen(label);
    return lines;
}

static void lay_kpis(lay *L, const cb_block *b)
{
    const cb_template *t = L->t;
    size_t n = b->nitems;
    if (!n) return;
    /* sized with the body type: the default 10.5 pt gives 60 pt boxes and 20 pt digits */
    float k = fminf(1.6f, fmaxf(0.5f, t->body_size / 10.5f));
    float gap = 8, label_size = t->small_size + 0.5f, llh = label_size * 1.25f;
    size_t cols = kpis_per_row(L, n, gap);
    float bw = (L->width - gap * (cols - 1)) / cols;
    for (size_t r = 0; r * cols < n; r++) {
        size_t first = r * cols, last = first + cols < n ? first + cols : n;
        cb_line *lines[6] = {0};
        size_t nl[6] = {0};
        float lsize[6], bh = 60 * k;
        for (size_t i = first; i < last; i++) { /* a row with a two-line label is taller */
            const char *label = b->items[i].label ? b->items[i].label : "";
            lines[i - first] = kpi_label(L, label, bw - 8, label_size, &lsize[i - first], &nl[i - first]);
            if (nl[i - first] == 2) bh = 60 * k + llh;
        }
        ensure(L, bh + gap);
        float top = L->y;
        for (size_t i = first; i < last; i++) {
            const cb_item *it = &b->items[i];
            float x = L->left + (float)(i - first) * (bw + gap);
            draw_rect(L, x, top - bh, bw, bh, t->panel);
            draw_rect(L, x, top - 2.5f * k, bw, 2.5f * k, t->primary);
            const char *v = it->value ? it->value : "";
            float big = 20 * k, small = 10.5f * k;
            float vw = kpi_value_width(L, v, big, small);
            if (vw > bw - 10) { /* shrink to fit the box */
                float f = (bw - 10) / vw;
                big *= f;
                small *= f;
                vw *= f;
            }
            draw_kpi_value(L, x + (bw - vw) / 2, top - 30 * k, v, big, small);
            const char *label = it->label ? it->label : "";
            size_t m = nl[i - first];
            for (size_t l = 0; l < m; l++) /* bottom line at the usual place, the first above */
                draw_aligned(L, x, bw, top - bh + 11 * k + (float)(m - 1 - l) * llh, lsize[i - first], t->muted, 0,
                             label + lines[i - first][l].start, lines[i - first][l].len, ALIGN_CENTER);
            free(lines[i - first]);
        }
        L->y = top - bh - gap;
    }
    L->y -= 6 * k;
}

typedef struct cell_lines {
    cb_line *lines;
    size_t n;
} cell_lines;

/* A column's relative width: non-positive or absurd values count as 1, so no width is
 * infinite or NaN whatever a script passes. */
static float col_share(float w) { return isfinite(w) && w > 0 && w < 1e4f ? w : 1; }

/* A bar's value: NaN, infinities and values too small or large for a float page draw as
 * 0, so the scale stays finite. */
static double bar_value(double v) { return isfinite(v) && v > 1e-9 && v < 1e30 ? v : 0; }

static void lay_table(lay *L, const cb_block *b)
{
    const cb_template *t = L->t;
    size_t nc = b->ncols;
    if (!nc) return;
    float size = t->table_size, lh = size * 1.45f, px = 5, py = 4.5f * t->cell_padding;
    float total = 0;
    for (size_t c = 0; c < nc; c++) total += col_share(b->cols[c].width);
    float *cw = cb_xmalloc(nc * sizeof *cw), *cx = cb_xmalloc(nc * sizeof *cx);
    float x = L->left;
    for (size_t c = 0; c < nc; c++) {
        cw[c] = L->width * col_share(b->cols[c].width) / total;
        cx[c] = x;
        x += cw[c];
    }
    /* wrap the header and every cell once */
    cell_lines *head = cb_xcalloc(nc, sizeof *head);
    float head_h = 0;
    for (size_t c = 0; c < nc; c++) {
        const char *s = b->cols[c].title ? b->cols[c].title : "";
        head[c].n = wrap(L, s, size, cw[c] - 2 * px, cw[c] - 2 * px, &head[c].lines);
        if (head[c].n * lh > head_h) head_h = head[c].n * lh;
    }
    head_h += 2 * py;
    size_t ncells = b->nrows * nc;
    /* the wrapped cells count against the memory budget while the table is laid out */
    size_t held = ncells * sizeof(cell_lines) + b->nrows * sizeof(float), nrows = b->nrows;
    if (!cb_page_charge(L->page, held)) nrows = 0; /* too big: laid out empty, and failed */
    cell_lines *cells = cb_xcalloc(nrows ? ncells : 1, sizeof *cells);
    float *row_h = cb_xcalloc(nrows ? nrows : 1, sizeof *row_h);
    for (size_t r = 0; r < nrows; r++) {
        float h = lh;
        for (size_t c = 0; c < nc; c++) {
            const char *s = b->cells[r * nc + c] ? b->cells[r * nc + c] : "";
            cell_lines *cl = &cells[r * nc + c];
            cl->n = wrap(L, s, size, cw[c] - 2 * px, cw[c] - 2 * px, &cl->lines);
            cl->lines = cb_xrealloc(cl->lines, cl->n * sizeof *cl->lines); /* kept: no spare room */
            held += CB_HEAP_BYTES(cl->n * sizeof *cl->lines);
            if (cl->n * lh > h) h = cl->n * lh;
            cb_page_charge(L->page, CB_HEAP_BYTES(cl->n * sizeof *cl->lines));
        }
        row_h[r] = h + 2 * py;
        if (L->out->mem_over) nrows = r + 1; /* stop here: the layout fails */
    }

    /* no header stranded at the foot of a page with fewer than two rows under it */
    float start_h = head_h;
    for (size_t r = 0; r < nrows && r < 2; r++) start_h += row_h[r];
    ensure(L, start_h);
    int header_drawn = 0;
    for (size_t r = 0; r <= nrows && !L->out->mem_over; r++) {
        int is_body = r < nrows;
        float need = is_body ? row_h[r] : 0;
        if (!header_drawn) need += head_h;
        if (L->y - need < L->bottom && !at_page_top(L)) {
            new_page(L);
            header_drawn = 0;
        }
        if (!header_drawn) {
            draw_rect(L, L->left, L->y - head_h, L->width, head_h, t->primary);
            for (size_t c = 0; c < nc; c++) {
                const char *s = b->cols[c].title ? b->cols[c].title : "";
                align_t a = b->cols[c].align == 'r' ? ALIGN_RIGHT : b->cols[c].align == 'c' ? ALIGN_CENTER : ALIGN_LEFT;
                float block = head[c].n * lh, y0 = L->y - (head_h - block) / 2;
                for (size_t i = 0; i < head[c].n; i++)
                    draw_aligned(L, cx[c] + px, cw[c] - 2 * px, baseline_in(L, y0 - i * lh, lh, size),
                                 size, (cb_rgb){1, 1, 1}, 1, s + head[c].lines[i].start,
                                 head[c].lines[i].len, a);
            }
            L->y -= head_h;
            header_drawn = 1;
        }
        if (!is_body) break;
        if (r % 2 == 1) draw_rect(L, L->left, L->y - row_h[r], L->width, row_h[r], t->band);
        for (size_t c = 0; c < nc; c++) {
            const char *s = b->cells[r * nc + c] ? b->cells[r * nc + c] : "";
            cell_lines *cl = &cells[r * nc + c];
            align_t a = b->cols[c].align == 'r' ? ALIGN_RIGHT : b->cols[c].align == 'c' ? ALIGN_CENTER : ALIGN_LEFT;
            for (size_t i = 0; i < cl->n; i++)
                draw_aligned(L, cx[c] + px, cw[c] - 2 * px,
                             baseline_in(L, L->y - py - i * lh, lh, size), size, t->text, 0,
                             s + cl->lines[i].start, cl->lines[i].len, a);
        }
        L->y -= row_h[r];
        draw_line(L, L->left, L->y, L->right, L->y, 0.4f, t->rule);
    }
    L->y -= 12 * t->table_size / 9.5f; /* 12 pt under the default 9.5 pt table type */
    for (size_t c = 0; c < nc; c++) free(head[c].lines);
    for (size_t i = 0; i < nrows * nc; i++) free(cells[i].lines);
    free(head);
    free(cells);
    free(row_h);
    if (!L->out->mem_over && L->out->mem_budget) L->out->mem -= held; /* given back */
    free(cw);
    free(cx);
}

void cb_nice_ticks(double max, int max_steps, double *step, int *steps)
{
    if (!(max > 0) || !isfinite(max) || max_steps < 1) {
        *step = 1;
        *steps = 1;
        return;
    }
    if (max < 1e-200) max = 1e-200; /* subnormal values: keep the arithmetic finite */
    double raw = max / max_steps;
    double mag = pow(10, floor(log10(raw)));
    static const double mult[] = {1, 2, 2.5, 5, 10};
    double s = mag * 10;
    for (size_t i = 0; i < sizeof mult / sizeof mult[0]; i++)
        if (mult[i] * mag * max_steps >= max * (1 - 1e-12)) {
            s = mult[i] * mag;
            break;
        }
    *step = s;
    double n = ceil(max / s - 1e-9);
    *steps = n >= 1 && n <= 1000 ? (int)n : 1;
    if (*steps < 1) *steps = 1;
}

static void lay_barchart(lay *L, const cb_block *b)
{
    const cb_template *t = L->t;
    size_t n = b->nitems;
    if (!n) return;
    float title_size = fmaxf(4, t->h2_size - 1), lsize = fmaxf(4, t->table_size - 0.5f), llh = lsize * 1.3f;
    float tick_size = t->small_size - 0.5f, vsize = t->small_size;
    /* label column: as wide as the widest label, at most 36% of the width */
    float labw = 0;
    for (size_t i = 0; i < n; i++) {
        float w = text_width(L, b->items[i].label ? b->items[i].label : "", lsize);
        if (w > labw) labw = w;
    }
    float maxlab = L->width * 0.36f;
    if (labw > maxlab) labw = maxlab;
    cell_lines *labels = cb_xcalloc(n, sizeof *labels);
    float *rowh = cb_xcalloc(n, sizeof *rowh);
    float bars_h = 0;
    double vmax = 0;
    for (size_t i = 0; i < n; i++) {
        labels[i].n = wrap(L, b->items[i].label ? b->items[i].label : "", lsize, labw, labw, &labels[i].lines);
        rowh[i] = fmaxf(22, labels[i].n * llh + 8);
        bars_h += rowh[i];
        if (bar_value(b->items[i].number) > vmax) vmax = bar_value(b->items[i].number);
    }
    float title_h = b->text ? title_size * 1.8f : 0;
    float axis_h = 30;
    ensure(L, title_h + 6 + bars_h + axis_h + 8);
    if (b->text) {
        draw_text(L, L->left, baseline_in(L, L->y, title_size * 1.8f, title_size), title_size,
                  t->text, 1, b->text, strlen(b->text), 0);
        L->y -= title_h;
    }
    L->y -= 6;
    /* value labels sit right of the bars: reserve room for the widest */
    float valw = 0;
    char buf[64];
    for (size_t i = 0; i < n; i++) {
        const char *v = b->items[i].value;
        if (!v) { cb_fmt_decimal(buf, sizeof buf, b->items[i].number, 2); v = buf; }
        float w = text_width(L, v, vsize);
        if (w > valw) valw = w;
    }
    float x0 = L->left + labw + 10, x1 = L->right - valw - 8;
    double step;
    int steps;
    cb_nice_ticks(vmax, 5, &step, &steps);
    double span = step * steps;
    float scale = (float)((x1 - x0) / span);
    float plot_top = L->y, plot_bot = L->y - bars_h;
    cb_rgb grid = {0.88f, 0.89f, 0.91f}, axis = {0.35f, 0.35f, 0.35f};
    for (int k = 0; k <= steps; k++) {
        float gx = x0 + (float)(k * step) * scale;
        if (k) draw_line(L, gx, plot_bot, gx, plot_top, 0.5f, grid);
        draw_line(L, gx, plot_bot, gx, plot_bot - 3, 0.6f, axis);
        cb_fmt_decimal(buf, sizeof buf, k * step, 2);
        float tw = text_width(L, buf, tick_size);
        draw_text(L, gx - tw / 2, plot_bot - 3 - tick_size - 1, tick_size, t->muted, 0, buf, strlen(buf), 0);
    }
    float y = plot_top;
    for (size_t i = 0; i < n; i++) {
        const cb_item *it = &b->items[i];
        float mid = y - rowh[i] / 2, bh = fminf(13, rowh[i] - 8);
        float block = labels[i].n * llh;
        for (size_t k = 0; k < labels[i].n; k++)
            draw_aligned(L, L->left, labw, baseline_in(L, mid + block / 2 - k * llh, llh, lsize), lsize,
                         t->text, 0, it->label + labels[i].lines[k].start, labels[i].lines[k].len, ALIGN_RIGHT);
        float bw = (float)(bar_value(it->number) * scale);
        if (!(bw >= 0) || bw > x1 - x0) bw = bw > 0 ? x1 - x0 : 0;
        draw_rect(L, x0, mid - bh / 2, bw, bh, t->bar);
        const char *v = it->value;
        if (!v) { cb_fmt_decimal(buf, sizeof buf, it->number, 2); v = buf; }
        draw_text(L, x0 + bw + 4, mid - vsize * 0.35f, vsize, t->text, 0, v, strlen(v), 0);
        y -= rowh[i];
    }
    draw_line(L, x0, plot_bot, x0, plot_top, 0.8f, axis);
    draw_line(L, x0, plot_bot, x1, plot_bot, 0.8f, axis);
    if (b->unit) {
        char *u = cb_xasprintf(english(L) ? "Unit: %s" : "单位：%s", b->unit);
        float uw = text_width(L, u, tick_size);
        draw_text(L, x1 - uw, plot_bot - 3 - 2 * tick_size - 6, tick_size, t->muted, 0, u, strlen(u), 0);
        free(u);
    }
    L->y = plot_bot - axis_h - 8;
    for (size_t i = 0; i < n; i++) free(labels[i].lines);
    free(labels);
    free(rowh);
}

static void lay_progress(lay *L, const cb_block *b)
{
    const cb_template *t = L->t;
    float size = t->body_size, small = t->small_size + 0.5f;
    /* bar and gaps sized with the body type: 8 pt bars under the default 10.5 pt */
    float k = fminf(1.6f, fmaxf(0.5f, size / 10.5f)), bar = 8 * k, gap = 10 * k;
    for (size_t i = 0; i < b->nitems; i++) {
        const cb_item *it = &b->items[i];
        cb_line *dl = NULL;
        size_t nd = it->detail ? wrap(L, it->detail, small, L->width, L->width, &dl) : 0;
        float h = size * 1.6f + 2 + bar + 6 * k + nd * small * 1.5f + gap;
        ensure(L, h);
        float lh = size * 1.6f, bl = baseline_in(L, L->y, lh, size);
        const char *label = it->label ? it->label : "";
        draw_text(L, L->left, bl, size, t->text, 1, label, strlen(label), 0);
        if (it->value)
            draw_aligned(L, L->left, L->width, bl, size, t->primary, 1, it->value, strlen(it->value), ALIGN_RIGHT);
        L->y -= lh + 2;
        draw_rect(L, L->left, L->y - bar, L->width, bar, t->panel);
        if (it->number >= 0) {
            double f = it->number > 1 ? 1 : it->number;
            if (f > 0) draw_rect(L, L->left, L->y - bar, (float)(L->width * f), bar, it->number >= 1 ? t->bar : t->accent);
        }
        L->y -= bar + 6 * k;
        for (size_t d = 0; d < nd; d++) {
            draw_text(L, L->left, baseline_in(L, L->y, small * 1.5f, small), small, t->muted, 0,
                      it->detail + dl[d].start, dl[d].len, 0);
            L->y -= small * 1.5f;
        }
        L->y -= gap;
        free(dl);
    }
}

static void lay_notes(lay *L, const cb_block *b)
{
    const cb_template *t = L->t;
    float size = t->small_size, lh = size * 1.55f;
    ensure(L, 8 + lh * 3);
    if (!at_page_top(L)) L->y -= 4;
    draw_line(L, L->left, L->y, L->left + L->width * 0.3f, L->y, 0.5f, t->rule);
    L->y -= 4;
    if (b->text) { /* a long title wraps */
        cb_line *tl = NULL;
        size_t nt = wrap(L, b->text, size, L->width, L->width, &tl);
        for (size_t k = 0; k < nt; k++) {
            if (L->y - lh < L->bottom) new_page(L);
            draw_text(L, L->left, baseline_in(L, L->y, lh, size), size, t->muted, 1, b->text + tl[k].start,
                      tl[k].len, 0);
            L->y -= lh;
        }
        free(tl);
    }
    float numw = b->nitems > 1 ? text_width(L, "00. ", size) : 0;
    for (size_t i = 0; i < b->nitems; i++) {
        const char *s = b->items[i].label ? b->items[i].label : "";
        cb_line *lines = NULL;
        size_t n = wrap(L, s, size, L->width - numw, L->width - numw, &lines);
        char num[32] = "";
        if (b->nitems > 1) snprintf(num, sizeof num, "%zu.", i + 1);
        for (size_t k = 0; k < n; k++) {
            if (L->y - lh < L->bottom) new_page(L);
            float bl = baseline_in(L, L->y, lh, size);
            if (k == 0) draw_text(L, L->left, bl, size, t->muted, 0, num, strlen(num), 0);
            draw_text(L, L->left + numw, bl, size, t->muted, 0, s + lines[k].start, lines[k].len, 0);
            L->y -= lh;
        }
        free(lines);
    }
    L->y -= 6;
}

/* A block from a plugin: it says how tall it is at the text width, then draws in that box. */
static void lay_plugin(lay *L, const cb_block *b)
{
    const cb_host_api *api = b->papi;
    cb_canvas c;
    cb_canvas_init(&c, NULL, L->font, L->t, 0, 0);
    cb_pool_mark(CB_MARK_BLOCK, b->ptype, NULL); /* a crash names the block */
    float h = b->ptype->measure(b->pstate, api, &c, L->width);
    cb_pool_mark(CB_MARK_NONE, NULL, NULL);
    float room = L->top - L->bottom;
    if (!isfinite(h) || h < 0) h = 0;
    if (h > room) {
        warn(L, "block \"%s\" is taller than a page: cut to the page", b->ptype->name);
        h = room;
    }
    ensure(L, h);
    cb_canvas_init(&c, L->page, L->font, L->t, L->left, L->y - h);
    cb_pool_mark(CB_MARK_BLOCK, b->ptype, NULL);
    b->ptype->draw(b->pstate, api, &c, L->width, h);
    cb_pool_mark(CB_MARK_NONE, NULL, NULL);
    cb_canvas_free(&c);
    L->y -= h + 10;
}

/* ------------------------------------------------------------------ header and footer */

/* Replaces each {key} in pattern by its value. */
static char *expand(const char *pattern, const char *const *keys, const char *const *vals, size_t n)
{
    cb_buf b = {0};
    const char *p = pattern;
    while (*p) {
        int done = 0;
        if (*p == '{') {
            for (size_t i = 0; i < n && !done; i++) {
                size_t kl = strlen(keys[i]);
                if (strncmp(p + 1, keys[i], kl) == 0 && p[1 + kl] == '}') {
                    cb_buf_adds(&b, vals[i]);
                    p += kl + 2;
                    done = 1;
                }
            }
        }
        if (!done) cb_buf_add(&b, p++, 1);
    }
    if (!b.s) cb_buf_add(&b, "", 0);
    return b.s;
}

/* Moves the ops of `under` to the front of page p, so they are drawn first. */
static void prepend_ops(cb_page *p, cb_page *under)
{
    if (!under->nops) return;
    size_t n = p->nops + under->nops;
    cb_op *ops = cb_xmalloc(n * sizeof *ops);
    memcpy(ops, under->ops, under->nops * sizeof *ops);
    if (p->nops) memcpy(ops + under->nops, p->ops, p->nops * sizeof *ops);
    free(p->ops);
    free(under->ops);
    p->ops = ops;
    p->nops = p->cap = n;
    memset(under, 0, sizeof *under);
}

/* The template's watermark, centred on page p along its rising diagonal, under the
 * content: light grey, as large as about half the diagonal allows. */
static void lay_watermark(lay *L, cb_page *p)
{
    const cb_template *t = L->t;
    const char *s = t->watermark;
    float w1 = cb_font_width(L->font, s, strlen(s), 1);
    if (w1 <= 0) return;
    float a = atan2f(t->page_h, t->page_w), c = cosf(a), sn = sinf(a);
    float diag = hypotf(t->page_w, t->page_h);
    float size = 0.55f * diag / w1;
    float cap = fminf(t->page_w, t->page_h) * 0.18f;
    if (size > cap) size = cap;
    if (size < 12) size = 12;
    float tw = w1 * size;
    /* start of the baseline: centre minus half the width along the text, and down by the
     * middle of the glyph box across it */
    float off = (L->asc + L->desc) / 2 * size;
    float x0 = t->page_w / 2 - tw / 2 * c + off * sn;
    float y0 = t->page_h / 2 - tw / 2 * sn - off * c;
    cb_page tmp = {0};
    cb_op style = {.x = 0, .y = 0, .size = size, .color = {0.86f, 0.86f, 0.86f}};
    cb_page_text(&tmp, L->font, &style, s, strlen(s));
    for (size_t k = 0; k < tmp.nops; k++) {
        cb_op *op = &tmp.ops[k];
        float dx = op->x;
        op->x = x0 + dx * c;
        op->y = y0 + dx * sn;
        op->angle = a;
    }
    prepend_ops(p, &tmp);
}

/* The logo scaled to fit a box of height h and at most max_w wide, its right edge at
 * x_right and its bottom at y. */
static void draw_logo(lay *L, float x_right, float y, float h, float max_w)
{
    const cb_template *t = L->t;
    float w = h * (float)t->logo_w / (float)t->logo_h;
    if (w > max_w) {
        h *= max_w / w;
        w = max_w;
    }
    cb_op *op = push_op(L, CB_OP_IMAGE);
    op->x = x_right - w;
    op->y = y;
    op->w = w;
    op->h = h;
    op->bold = t->logo_jpeg;
    op->text = cb_xstrdup(t->logo);
}

/* Height of the logo in the page header: it sits above the header rule and stays 8 pt
 * inside the page edge; 0 when the top margin leaves too little room. */
static float header_logo_h(const cb_template *t)
{
    float h = t->margin_top - 28;
    if (h > 24) h = 24;
    return h >= 10 ? h : 0;
}

/* The document's date (clock.h) as "2024年5月1日" (UTC). */
static void cover_date(char *buf, size_t n, long long t, int en)
{
    time_t tt = (time_t)t;
    struct tm tm;
    gmtime_r(&tt, &tm);
    static const char *const months[] = {"January", "February", "March", "April", "May", "June", "July",
                                         "August", "September", "October", "November", "December"};
    if (en) snprintf(buf, n, "%d %s %d", tm.tm_mday, months[tm.tm_mon], tm.tm_year + 1900);
    else snprintf(buf, n, "%d年%d月%d日", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
}

/* The cover page (the current page, the first): a band, the logo, the title, the
 * subtitle (by default the document's subject, which names the county) and the date. */
static void lay_cover(lay *L)
{
    const cb_template *t = L->t;
    const char *keys[] = {"title"};
    const char *vals[] = {L->doc->title ? L->doc->title : ""};
    char *title = expand(t->cover_title ? t->cover_title : vals[0], keys, vals, 1);
    const char *sub_src = t->cover_subtitle ? t->cover_subtitle : L->doc->subject;
    char *sub = sub_src ? expand(sub_src, keys, vals, 1) : NULL;
    draw_rect(L, 0, t->page_h - 14, t->page_w, 14, t->primary);
    draw_rect(L, 0, 0, t->page_w, 6, t->primary);
    float room = L->top - L->bottom;
    if (t->logo) {
        float lh = fminf(72, room * 0.15f);
        draw_logo(L, L->right, L->top - lh, lh, L->width * 0.4f);
    }
    float ts = t->title_size * 1.5f, tlh = ts * 1.3f, ss = t->body_size * 1.3f, slh = ss * 1.6f;
    cb_line *tl = NULL, *sl = NULL;
    size_t nt = wrap(L, title, ts, L->width, L->width, &tl);
    size_t ns = sub ? wrap(L, sub, ss, L->width, L->width, &sl) : 0;
    float block = nt * tlh + 18 + ns * slh;
    float y = L->top - room * 0.38f + block / 2;
    if (y > L->top - room * 0.2f) y = L->top - room * 0.2f;
    for (size_t i = 0; i < nt; i++) {
        draw_text(L, L->left, baseline_in(L, y, tlh, ts), ts, t->primary, 1, title + tl[i].start,
                  tl[i].len, 0);
        y -= tlh;
    }
    y -= 8;
    draw_rect(L, L->left, y - 3, fminf(80, L->width), 3, t->accent);
    y -= 10;
    for (size_t i = 0; i < ns; i++) {
        if (y - slh < L->bottom + 40) break;
        draw_text(L, L->left, baseline_in(L, y, slh, ss), ss, t->muted, 0, sub + sl[i].start,
                  sl[i].len, 0);
        y -= slh;
    }
    char date[64];
    if (L->doc->dated) { /* an undated document shows no date, never the day it was made */
        cover_date(date, sizeof date, L->doc->date, english(L));
        draw_text(L, L->left, L->bottom + 10, t->body_size * 1.2f, t->text, 0, date, strlen(date), 0);
    }
    draw_line(L, L->left, L->bottom + 10 + t->body_size * 2, L->right,
              L->bottom + 10 + t->body_size * 2, 0.6f, t->rule);
    free(tl);
    free(sl);
    free(title);
    free(sub);
}

static void lay_page_furniture(lay *L)
{
    const cb_template *t = L->t;
    float size = t->small_size;
    size_t first = t->cover ? 1 : 0; /* the cover has no header, footer or number */
    char page[32], pages[32];
    snprintf(pages, sizeof pages, "%zu", L->out->npages - first);
    float logo_h = t->logo ? header_logo_h(t) : 0;
    for (size_t i = 0; i < L->out->npages; i++) {
        L->page = &L->out->pages[i];
        if (t->watermark) lay_watermark(L, L->page);
        if (i < first) continue;
        snprintf(page, sizeof page, "%zu", i + 1 - first);
        const char *keys[] = {"page", "pages", "title"};
        const char *vals[] = {page, pages, L->doc->title ? L->doc->title : ""};
        float y = t->page_h - t->margin_top + 22;
        if (t->header && i > first) { /* page 1 carries the title block instead */
            char *h = expand(t->header, keys, vals, 3);
            draw_text(L, L->left, y, size, t->muted, 0, h, strlen(h), 0);
            draw_line(L, L->left, y - 5, L->right, y - 5, 0.4f, t->rule);
            free(h);
        }
        if (logo_h > 0) draw_logo(L, L->right, y - 2, logo_h, L->width * 0.25f);
        if (t->footer) {
            char *f = expand(t->footer, keys, vals, 3);
            float fy = t->margin_bottom - 30;
            if (fy < 14) fy = 14;
            draw_aligned(L, L->left, L->width, fy, size, t->muted, 0, f, strlen(f), ALIGN_CENTER);
            free(f);
        }
    }
}

static void lay_block(lay *L, const cb_block *b, const cb_block *next)
{
    switch (b->kind) {
    case CB_BLOCK_TITLE: lay_title(L, b); break;
    case CB_BLOCK_HEADING: lay_heading(L, b, next); break;
    case CB_BLOCK_PARAGRAPH: lay_paragraph(L, b); break;
    case CB_BLOCK_KPIS: lay_kpis(L, b); break;
    case CB_BLOCK_TABLE: lay_table(L, b); break;
    case CB_BLOCK_BARCHART: lay_barchart(L, b); break;
    case CB_BLOCK_PROGRESS: lay_progress(L, b); break;
    case CB_BLOCK_NOTES: lay_notes(L, b); break;
    case CB_BLOCK_PLUGIN: lay_plugin(L, b); break;
    }
}

/* ------------------------------------------------------------------ characters no font has */

#define MISSING_LISTED 3  /* characters the warning describes; the rest are only counted */
#define EXCERPT_CHARS 8   /* characters of context each side of a missing one */

/* "…eight chars before<cp>eight after…" around the first cp in s, or NULL without one. */
static char *excerpt(const char *s, uint32_t cp)
{
    if (!s) return NULL;
    const char *p = s, *end = s + strlen(s), *hit = NULL;
    while (p < end && !hit) {
        const char *at = p;
        if (cb_utf8_next(&p, end) == cp) hit = at;
    }
    if (!hit) return NULL;
    const char *a = hit;
    for (int k = 0; k < EXCERPT_CHARS && a > s; k++)
        do a--; while (a > s && ((unsigned char)*a & 0xC0) == 0x80);
    const char *b = hit;
    for (int k = 0; k < EXCERPT_CHARS + 1 && b < end; k++) cb_utf8_next(&b, end);
    cb_buf out = {0};
    if (a > s) cb_buf_adds(&out, "…");
    for (const char *c = a; c < b; c++) /* one line: line breaks and tabs become spaces */
        cb_buf_add(&out, (*c == '\n' || *c == '\r' || *c == '\t') ? " " : c, 1);
    if (b < end) cb_buf_adds(&out, "…");
    return out.s;
}

/* Where in block b the character cp is: the field that holds it, with some context. */
static char *describe_in_block(const cb_block *b, const char *heading, uint32_t cp)
{
    char *ex = NULL, *what = NULL;
    const char *under = heading && *heading ? heading : NULL;
#define TRY(field, ...)                                                                  \
    if (!ex && (ex = excerpt((field), cp))) what = cb_xasprintf(__VA_ARGS__)
    switch (b->kind) {
    case CB_BLOCK_TITLE:
        TRY(b->text, "title");
        TRY(b->subtitle, "subtitle");
        under = NULL;
        break;
    case CB_BLOCK_HEADING:
        TRY(b->text, "heading");
        under = NULL;
        break;
    case CB_BLOCK_PARAGRAPH:
        TRY(b->text, "paragraph");
        break;
    case CB_BLOCK_KPIS:
        for (size_t i = 0; i < b->nitems && !ex; i++) {
            const char *label = b->items[i].label ? b->items[i].label : "";
            TRY(b->items[i].label, "KPI label");
            TRY(b->items[i].value, "KPI \"%s\" value", label);
        }
        break;
    case CB_BLOCK_TABLE:
        for (size_t c = 0; c < b->ncols && !ex; c++) TRY(b->cols[c].title, "table header, column %zu", c + 1);
        for (size_t r = 0; r < b->nrows && !ex; r++)
            for (size_t c = 0; c < b->ncols && !ex; c++)
                TRY(b->cells[r * b->ncols + c], "table row %zu, column \"%s\"", r + 1,
                    b->cols[c].title ? b->cols[c].title : "");
        break;
    case CB_BLOCK_BARCHART:
        TRY(b->text, "chart title");
        TRY(b->unit, "chart unit");
        for (size_t i = 0; i < b->nitems && !ex; i++) {
            TRY(b->items[i].label, "chart label");
            TRY(b->items[i].value, "chart value");
        }
        break;
    case CB_BLOCK_PROGRESS:
        for (size_t i = 0; i < b->nitems && !ex; i++) {
            TRY(b->items[i].label, "progress label");
            TRY(b->items[i].value, "progress value");
            TRY(b->items[i].detail, "progress detail");
        }
        break;
    case CB_BLOCK_NOTES:
        TRY(b->text, "notes title");
        for (size_t i = 0; i < b->nitems && !ex; i++) TRY(b->items[i].label, "note %zu", i + 1);
        break;
    case CB_BLOCK_PLUGIN:
        break;
    }
#undef TRY
    if (!ex) /* a plugin block's own text, or text a script passed it */
        what = cb_xasprintf("text drawn by a \"%s\" block",
                            b->kind == CB_BLOCK_PLUGIN && b->ptype ? b->ptype->name : "?");
    char *where = under ? cb_xasprintf("%s under \"%s\"%s%s%s", what, under, ex ? ": \"" : "",
                                       ex ? ex : "", ex ? "\"" : "")
                        : cb_xasprintf("%s%s%s%s", what, ex ? ": \"" : "", ex ? ex : "",
                                       ex ? "\"" : "");
    free(what);
    free(ex);
    return where;
}

/* A place in the pages: ops pushed after it are new. */
typedef struct mark {
    size_t page, op;
} mark;

static mark mark_now(const lay *L)
{
    const cb_layout *o = L->out;
    return (mark){o->npages - 1, o->pages[o->npages - 1].nops};
}

static void note_missing(lay *L, uint32_t cp, char *where)
{
    cb_layout *o = L->out;
    for (size_t i = 0; i < o->nmissing; i++)
        if (o->missing[i] == cp) {
            free(where);
            return;
        }
    o->missing = cb_xgrow(o->missing, o->nmissing, sizeof *o->missing);
    o->missing_where = cb_xgrow(o->missing_where, o->nmissing, sizeof *o->missing_where);
    o->missing[o->nmissing] = cp;
    o->missing_where[o->nmissing++] = where;
}

/* Notes the characters no face has in the ops of page p from op k on; b is the block that
 * drew them (NULL: the page header or footer). */
static void scan_missing(lay *L, size_t p, size_t k, const cb_block *b)
{
    const cb_page *pg = &L->out->pages[p];
    for (; k < pg->nops; k++) {
        const cb_op *op = &pg->ops[k];
        if (op->kind != CB_OP_TEXT || op->font != CB_FACE_NONE) continue;
        const char *s = op->text, *end = s + strlen(s);
        while (s < end) {
            uint32_t cp = cb_utf8_next(&s, end);
            if (cb_font_pick(L->font, cp) != CB_FACE_NONE) continue;
            int known = 0;
            for (size_t i = 0; i < L->out->nmissing && !known; i++) known = L->out->missing[i] == cp;
            if (known) continue;
            note_missing(L, cp, b ? describe_in_block(b, L->heading, cp)
                                  : cb_xstrdup("the page header or footer"));
        }
    }
}

static void scan_since(lay *L, mark m, const cb_block *b)
{
    for (size_t p = m.page; p < L->out->npages; p++) scan_missing(L, p, p == m.page ? m.op : 0, b);
}

/* U+20000 "𠀀" */
static void add_char_name(cb_buf *b, uint32_t cp)
{
    char enc[5] = {0};
    enc[cb_utf8_encode(cp, enc)] = '\0';
    cb_buf_addf(b, "U+%04X \"%s\"", (unsigned)cp, enc);
}

/* The one warning naming the missing characters; `extra[i]` (may be NULL) is appended to
 * character i's place. */
static char *missing_warning(const cb_layout *l, char *const *extra)
{
    cb_buf b = {0};
    char rep[5] = {0};
    rep[cb_utf8_encode(l->missing_as, rep)] = '\0';
    cb_buf_addf(&b, "%zu character%s that no installed font has, drawn as \"%s\": ", l->nmissing,
                l->nmissing == 1 ? "" : "s", rep);
    for (size_t i = 0; i < l->nmissing; i++) {
        if (i) cb_buf_adds(&b, i < MISSING_LISTED ? "; " : ", ");
        if (i == MISSING_LISTED) cb_buf_adds(&b, "also ");
        add_char_name(&b, l->missing[i]);
        if (i >= MISSING_LISTED) continue;
        cb_buf_addf(&b, " in %s", l->missing_where[i]);
        if (extra && extra[i]) cb_buf_addf(&b, " (data: %s)", extra[i]);
    }
    return b.s;
}

static void finish_missing(lay *L)
{
    cb_layout *o = L->out;
    if (!o->nmissing) return;
    o->warnings = cb_xgrow(o->warnings, o->nwarnings, sizeof *o->warnings);
    o->missing_warning = o->nwarnings;
    o->missing_as = cb_font_replacement(L->font);
    o->warnings[o->nwarnings++] = missing_warning(o, NULL);
}

void cb_layout_trace_missing(cb_layout *l, char *(*where)(void *ctx, const char *ch), void *ctx)
{
    if (!l->nmissing || l->missing_warning >= l->nwarnings) return;
    char **extra = cb_xcalloc(l->nmissing, sizeof *extra);
    int found = 0;
    for (size_t i = 0; i < l->nmissing && i < MISSING_LISTED; i++) {
        char ch[5] = {0};
        ch[cb_utf8_encode(l->missing[i], ch)] = '\0';
        found |= (extra[i] = where(ctx, ch)) != NULL;
    }
    if (found) {
        free(l->warnings[l->missing_warning]);
        l->warnings[l->missing_warning] = missing_warning(l, extra);
    }
    for (size_t i = 0; i < l->nmissing; i++) free(extra[i]);
    free(extra);
}

/* ------------------------------------------------------------------ entry points */

/* The failure of a document over its memory budget while block b was laid out. */
static int over_budget(const cb_doc *doc, const cb_block *b, cb_error *err)
{
    static const char *const kinds[] = {"title", "heading", "paragraph", "kpis", "table",
                                        "barchart", "progress", "notes", "plugin"};
    const char *kind = b->kind == CB_BLOCK_PLUGIN && b->ptype ? b->ptype->name
                       : (size_t)b->kind < sizeof kinds / sizeof kinds[0] ? kinds[b->kind] : "?";
    return cb_fail(err, CB_ENOMEM, "the document passed its memory budget (%.0f MiB; see --lua-memory) in "
                   "block %s%s%s", doc->mem_budget / 1048576.0, kind, b->where ? " at " : "",
                   b->where ? b->where : "");
}

int cb_layout_run(cb_layout *out, const cb_doc *doc, const cb_template *t, cb_font *font,
                  cb_error *err)
{
    memset(out, 0, sizeof *out);
    out->mem_budget = doc->mem_budget;
    lay L = {0};
    out->page_w = t->page_w;
    out->page_h = t->page_h;
    L.out = out;
    L.t = t;
    L.doc = doc;
    L.font = font;
    L.top = t->page_h - t->margin_top;
    L.bottom = t->margin_bottom;
    L.left = t->margin_left;
    L.right = t->page_w - t->margin_right;
    L.width = L.right - L.left;
    cb_font_metrics(font, &L.asc, &L.desc);
    new_page(&L);
    if (t->cover) {
        lay_cover(&L);
        new_page(&L);
    }
    for (size_t i = 0; i < doc->nblocks; i++) {
        const cb_block *b = &doc->blocks[i];
        mark m = mark_now(&L);
        lay_block(&L, b, i + 1 < doc->nblocks ? &doc->blocks[i + 1] : NULL);
        if (out->mem_over) return over_budget(doc, b, err);
        scan_since(&L, m, b);
        if (b->kind == CB_BLOCK_HEADING) L.heading = b->text;
        if (out->npages > CB_LAYOUT_MAX_PAGES) { /* stop early: the PDF could not hold it */
            const char *h = L.heading ? L.heading : "";
            int n = (int)strlen(h);
            if (n > 60) /* a character's start */
                for (n = 60; n > 0 && ((unsigned char)h[n] & 0xC0) == 0x80; n--) {}
            return cb_fail(err, CB_EPDF, "the document passes %d pages at its block %zu of %zu%s%.*s%s%s: "
                           "a PDF holds at most %d pages here (split the report, or shorten what it adds)",
                           CB_LAYOUT_MAX_PAGES, i + 1, doc->nblocks, *h ? " (under the heading \"" : "", n, h,
                           n < (int)strlen(h) ? "…" : "", *h ? "\")" : "", CB_LAYOUT_MAX_PAGES);
        }
    }
    lay_page_furniture(&L);
    /* the content's characters are all noted already: what is new comes from the header,
     * footer, cover or watermark (which lay_page_furniture puts first on the page) */
    for (size_t p = 0; p < out->npages; p++) scan_missing(&L, p, 0, NULL);
    finish_missing(&L);
    return CB_OK;
}

void cb_layout_free(cb_layout *l)
{
    for (size_t i = 0; i < l->npages; i++) {
        for (size_t k = 0; k < l->pages[i].nops; k++) {
            free(l->pages[i].ops[k].text);
            free(l->pages[i].ops[k].segs);
        }
        free(l->pages[i].ops);
    }
    free(l->pages);
    for (size_t i = 0; i < l->nmarks; i++) free(l->marks[i].title);
    free(l->marks);
    for (size_t i = 0; i < l->nwarnings; i++) free(l->warnings[i]);
    free(l->warnings);
    for (size_t i = 0; i < l->nmissing; i++) free(l->missing_where[i]);
    free(l->missing);
    free(l->missing_where);
    free(l->scratch.text);
    free(l->scratch.segs);
    memset(l, 0, sizeof *l);
}
