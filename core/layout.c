/* layout.c: see layout.h. The blocks are placed by layout_blocks.c, the cover, header and
 * footer by layout_page.c, missing characters noted by layout_missing.c (layout_int.h). */
#include "layout.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "blocks.h"
#include "layout_int.h"

/* ------------------------------------------------------------------ pages and ops */

static int charge(cb_layout *o, size_t n)
{
    if (!o || !o->mem_budget) return 1;
    if (o->mem_over || n > o->mem_budget - o->mem) {
        o->mem_over = 1;
        return 0;
    }
    o->mem += n;
    return 1;
}

int cb_page_charge(cb_page *p, size_t n) { return charge(p->owner, n); }

void cb_lay_new_page(lay *L)
{
    cb_layout *o = L->out;
    size_t page = L->page_base + o->npages - 1;
    if (L->pull && !L->lookahead && o->npages && page == L->pull_page)
        L->pull_room = L->y - L->t->margin_bottom; /* for lay_pulled: what the pull left there */
    if (L->watch_holes && !L->lookahead && o->npages && L->hole_page == SIZE_MAX &&
        L->y - L->t->margin_bottom >= (L->t->page_h - L->t->margin_top - L->t->margin_bottom) / 6 &&
        !(L->pull && page == L->pull_page))
        L->hole_page = page; /* for lay_tight */
    o->pages = cb_xgrow(o->pages, o->npages, sizeof *o->pages);
    L->page = &o->pages[o->npages++];
    memset(L->page, 0, sizeof *L->page);
    L->page->owner = o;
    cb_page_charge(L->page, sizeof *L->page);
    L->y = L->top;
    cb_lay_set_bottom(L);
}

void cb_lay_set_bottom(lay *L)
{
    size_t page = L->page_base + L->out->npages - 1;
    L->bottom = L->t->margin_bottom + (L->pulling && page == L->pull_page ? L->pull_h : 0);
    L->gap_k = 1;
    for (size_t i = 0; L->tight && i < L->tight->n; i++)
        if (L->tight->page[i] == page) L->gap_k = L->tight->k[i];
}

void cb_lay_ensure(lay *L, float h)
{
    if (L->y - h < L->bottom && !at_page_top(L)) cb_lay_new_page(L);
}

size_t cb_lay_lines_here(lay *L, float lh, size_t i, size_t n)
{
    if (i > 0) cb_lay_new_page(L); /* the page before took what it could */
    for (;;) {
        size_t m = n - i, room = 0;
        for (float y = L->y; room < m && y - lh >= L->bottom - 0.01f; y -= lh) room++; /* a grid's last line */
        if (room >= m) return m;
        size_t k = room;
        if (k && k + 1 == m) k--;    /* widow: the last line does not go over alone */
        if (i == 0 && k == 1) k = 0; /* orphan: nor does the first stay behind alone */
        if (k) return k;
        if (at_page_top(L)) return room ? room : 1; /* nothing to gain on a new page */
        cb_lay_new_page(L);
    }
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
        free(op->dx);
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
    op->node = p->owner ? p->owner->node_now : CB_NODE_DOCUMENT;
    return op;
}

cb_op *cb_lay_push(lay *L, cb_op_kind kind) { return cb_page_push(L->page, kind); }

/* Where the characters of a run go, set as part of its line (typeset.h): sets *x to the
 * end of the run and returns each drawn character's displacement from where the PDF's
 * own advances would put it (malloc'd, `drawn` of them), or NULL when all are 0. *prev is
 * the character before the run (0 at the line's start; set to the run's last), s[n..end)
 * what follows it on the line. */
static float *place_run(cb_font *f, const cb_op *style, const char *s, size_t n, const char *end,
                        uint32_t *prev, size_t drawn, float w, float *x)
{
    /* most runs (a table's figures, Han text without marks) take their faces' advances
     * (w ems) and need no more than a look at each character and the one after it (not
     * after a run of marks a stop mark began: wrap.h, cb_advance_carry) */
    const char *p = s, *stop = s + n;
    uint32_t cp = cb_utf8_step(&p, end);
    for (; !cb_carries_stop(*prev);) {
        const char *at = p;
        uint32_t next = p < end ? cb_utf8_step(&p, end) : 0;
        if (!cb_ts_plain(cp, next)) break;
        if (at >= stop) {
            *prev = cp;
            *x += w * style->size + style->spacing * (float)drawn;
            return NULL;
        }
        cp = next;
    }
    float *dx = NULL, pen = *x, natural = *x; /* where the next glyph goes, and where the PDF puts it */
    p = s;
    cp = cb_utf8_step(&p, end);
    for (size_t i = 0;;) {
        const char *at = p;
        uint32_t next = p < end ? cb_utf8_step(&p, end) : 0;
        if (!cb_font_invisible(cp)) {
            float shift = 0, face = cb_font_advance(f, cp) * style->size;
            float adv = cb_ts_plain(cp, next) ? face : cb_ts_advance(f, *prev, cp, next, &shift) * style->size;
            float here = pen + shift * style->size; /* where its glyph goes */
            if (fabsf(here - natural) > 1e-4f) {
                if (!dx) dx = cb_xcalloc(drawn, sizeof *dx);
                dx[i] = here - natural;
            }
            natural = here + face + style->spacing;
            pen += adv + style->spacing;
            i++;
        }
        *prev = cb_advance_carry(*prev, cp);
        if (at >= stop) break;
        cp = next;
    }
    *x = pen;
    return dx;
}

void cb_page_text(cb_page *p, cb_font *f, const cb_op *style, const char *s, size_t len)
{
    float x = style->x;
    const char *end = s + len;
    uint32_t prev = 0;
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
        op->bold = style->bold && !cb_font_face_bold(f, face); /* a bold face: no stroke over it */
        op->spacing = style->spacing;
        op->font = face;
        op->text = cb_xstrndup(s, n);
        op->dx = place_run(f, style, s, n, end, &prev, drawn, w, &x);
        if (op->dx) cb_page_charge(p, CB_HEAP_BYTES(drawn * sizeof *op->dx));
        s += n;
        len -= n;
    }
}

void cb_lay_text(lay *L, float x, float y, float size, cb_rgb c, int bold, const char *s, size_t len,
                 float spacing)
{
    if (!len) return;
    cb_op style = {.x = x, .y = y, .size = size, .color = c, .bold = bold, .spacing = spacing};
    cb_page_text(L->page, cb_lay_font(L, bold), &style, s, len);
}

void cb_lay_rect(lay *L, float x, float y, float w, float h, cb_rgb c)
{
    cb_op *op = cb_lay_push(L, CB_OP_RECT);
    op->x = x;
    op->y = y;
    op->w = w;
    op->h = h;
    op->color = c;
}

void cb_lay_line(lay *L, float x0, float y0, float x1, float y1, float width, cb_rgb c)
{
    cb_op *op = cb_lay_push(L, CB_OP_LINE);
    op->x = x0;
    op->y = y0;
    op->w = x1 - x0;
    op->h = y1 - y0;
    op->size = width;
    op->color = c;
}

float cb_lay_width(lay *L, const char *s, float size)
{
    return cb_font_width(cb_lay_font(L, L->bold), s, strlen(s), size);
}

void cb_lay_aligned(lay *L, float x, float w, float baseline, float size, cb_rgb c, int bold, const char *s,
                    size_t len, align_t a)
{
    float tw = cb_font_width(cb_lay_font(L, bold), s, len, size);
    if (a == ALIGN_CENTER) x += (w - tw) / 2;
    else if (a == ALIGN_RIGHT) x += w - tw;
    cb_lay_text(L, x, baseline, size, c, bold, s, len, 0);
}

size_t cb_lay_beside(lay *L, const char *s, float size, float w, float rw, cb_line **lines, size_t *at)
{
    size_t len = strlen(s);
    float room = w - rw - (rw > 0 ? size * 0.5f : 0);
    *at = 0;
    if (cb_font_width(cb_lay_font(L, L->bold), s, len, size) <= room) { /* drawn as before: one text */
        *lines = cb_xcalloc(1, sizeof **lines);
        (*lines)[0] = (cb_line){0, len, 0, 1};
        return 1;
    }
    if (room >= w / 3) return cb_lay_wrap(L, s, size, room, room, lines);
    /* the right text takes most of the line: s over the whole width, the other on a line
     * of its own below it */
    size_t n = cb_lay_wrap(L, s, size, w, w, lines);
    *lines = cb_xrealloc(*lines, (n + 1) * sizeof **lines);
    (*lines)[n] = (cb_line){len, 0, 0, 1};
    *at = n;
    return n + 1;
}

void cb_lay_warn(lay *L, const char *fmt, const char *arg)
{
    cb_layout *o = L->out;
    o->warnings = cb_xgrow(o->warnings, o->nwarnings, sizeof *o->warnings);
    o->warnings[o->nwarnings++] = cb_xasprintf(fmt, arg);
}

/* ------------------------------------------------------------------ structure */

uint32_t cb_layout_node(cb_layout *o, cb_role role, int level, uint32_t parent)
{
    if (!charge(o, sizeof *o->nodes)) return CB_NODE_DOCUMENT; /* the layout fails */
    o->nodes = cb_xgrow(o->nodes, o->nnodes, sizeof *o->nodes);
    o->nodes[o->nnodes] = (cb_node){.parent = parent, .role = (uint8_t)role, .level = (uint8_t)level};
    return (uint32_t)o->nnodes++;
}

uint32_t cb_lay_node(lay *L, cb_role role, int level, uint32_t parent)
{
    return cb_layout_node(L->out, role, level, parent);
}

uint32_t cb_lay_container(const lay *L)
{
    for (int k = 4; k >= 1; k--)
        if (L->section[k] != CB_NODE_NONE) return L->section[k];
    return CB_NODE_DOCUMENT;
}

uint32_t cb_lay_open(lay *L, cb_role role)
{
    return L->out->node_now = cb_lay_node(L, role, 0, cb_lay_container(L));
}

uint32_t cb_lay_at(lay *L, uint32_t node)
{
    uint32_t was = L->out->node_now;
    L->out->node_now = node;
    return was;
}

void cb_lay_alt(lay *L, uint32_t node, char *alt)
{
    cb_layout *o = L->out;
    if (node < CB_NODE_FIRST || node >= o->nnodes || !charge(o, CB_HEAP_BYTES(strlen(alt) + 1))) {
        free(alt);
        return;
    }
    free(o->nodes[node].alt);
    o->nodes[node].alt = alt;
}

void cb_layout_describe(cb_layout *l, cb_page *p, size_t from, uint32_t node, cb_role role, const char *alt)
{
    if (node < CB_NODE_FIRST || node >= l->nnodes) return;
    cb_node *n = &l->nodes[node];
    if (role == CB_ROLE_ARTIFACT) { /* what it drew, and what it draws next */
        for (size_t i = from; i < p->nops; i++)
            if (p->ops[i].node == node) p->ops[i].node = CB_ART_DECORATION;
        l->node_now = CB_ART_DECORATION;
    } else if (role == CB_ROLE_PARAGRAPH) {
        n->role = CB_ROLE_PARAGRAPH;
        free(n->alt);
        n->alt = NULL;
    } else if (role == CB_ROLE_FIGURE && alt && *alt && charge(l, CB_HEAP_BYTES(strlen(alt) + 1))) {
        n->role = CB_ROLE_FIGURE;
        free(n->alt);
        n->alt = cb_xstrdup(alt);
    }
}

/* The root and the artifact nodes, the first of every layout. */
static void first_nodes(lay *L)
{
    cb_lay_node(L, CB_ROLE_DOCUMENT, 0, CB_NODE_NONE);
    for (int k = CB_ART_HEADER; k <= CB_ART_REPEATED; k++) cb_lay_node(L, CB_ROLE_ARTIFACT, k, CB_NODE_NONE);
    for (int k = 0; k < 5; k++) L->section[k] = CB_NODE_NONE;
}

static char *dup_or_null(const char *s) { return s ? cb_xstrdup(s) : NULL; }

/* ------------------------------------------------------------------ wrapping */

typedef struct measure {
    cb_font *font;
    float size;
    float cell; /* the grid's character cell, or 0: the faces' advances */
} measure;

/* The cells character cp takes on a character grid: one for a character over 0.6 em
 * wide (a Chinese character, a full-width mark, a Latin capital or "%"), half a cell for
 * a narrower one (a half-width digit or letter), none for one not drawn. */
static float cells_of(cb_font *f, uint32_t cp)
{
    if (cb_font_invisible(cp)) return 0;
    return cb_font_advance(f, cp) > 0.6f ? 1 : 0.5f;
}

static float advance_at(void *ud, uint32_t prev, uint32_t cp, uint32_t next)
{
    measure *m = ud;
    if (m->cell > 0) return cells_of(m->font, cp) * m->cell;
    return (cb_ts_plain(cp, next) ? cb_font_advance(m->font, cp) : cb_ts_advance(m->font, prev, cp, next, NULL)) *
           m->size;
}

/* The texts a run has wrapped and their lines: its passes, and the lookaheads of headings,
 * wrap the same texts in the same faces and widths again. An open-addressing table keyed
 * by the text (a copy), the face, the size and the widths; at most WRAPS_MAX entries and
 * WRAPS_BYTES of texts and lines (past that, new texts are wrapped each time: the cache
 * stays small beside the document's own budget). Owned by cb_layout_run (wraps_free). */
#define WRAPS_MAX 16384
#define WRAPS_BYTES (4u << 20)
typedef struct wrap_entry {
    char *s;        /* NULL: a free slot */
    size_t len, n;
    uint64_t hash;
    const cb_font *font;
    float size, first_w, w;
    int words;      /* broken between words where it can (wrap.h) */
    cb_line *lines; /* n of them */
} wrap_entry;

struct cb_lay_wraps {
    wrap_entry *e;
    size_t cap, used; /* cap: a power of two, at least twice used */
    size_t bytes;     /* of the texts and lines held */
};

static uint64_t wrap_hash(const char *s, size_t len, const cb_font *font, float size, float first_w, float w,
                          int words)
{
    float k[4] = {size, first_w, w, (float)words};
    uint64_t h = cb_fnv1a(cb_fnv1a(CB_FNV_SEED, s, len), k, sizeof k);
    return cb_fnv1a(h, &font, sizeof font);
}

/* The slot of the key in c (a free one when it is not there). */
static wrap_entry *wrap_slot(cb_lay_wraps *c, uint64_t h, const char *s, size_t len, const cb_font *font,
                             float size, float first_w, float w, int words)
{
    for (size_t i = h & (c->cap - 1);; i = (i + 1) & (c->cap - 1)) {
        wrap_entry *e = &c->e[i];
        if (!e->s || (e->hash == h && e->len == len && e->font == font && e->size == size &&
                      e->first_w == first_w && e->w == w && e->words == words && memcmp(e->s, s, len) == 0))
            return e;
    }
}

static cb_line *lines_dup(const cb_line *l, size_t n)
{
    cb_line *d = cb_xmalloc((n ? n : 1) * sizeof *d);
    if (n) memcpy(d, l, n * sizeof *d);
    return d;
}

static void wraps_free(cb_lay_wraps *c)
{
    for (size_t i = 0; i < c->cap; i++) {
        free(c->e[i].s);
        free(c->e[i].lines);
    }
    free(c->e);
}

size_t cb_lay_wrap(lay *L, const char *s, float size, float first_w, float w, cb_line **lines)
{
    return cb_lay_wrap_words(L, s, size, first_w, w, 0, lines);
}

size_t cb_lay_wrap_words(lay *L, const char *s, float size, float first_w, float w, int words, cb_line **lines)
{
    measure m = {cb_lay_font(L, L->bold), size, 0};
    size_t len = strlen(s);
    cb_lay_wraps *c = L->wraps;
    if (!c) return cb_break_lines_words(s, len, first_w, w, advance_at, &m, words, lines);
    if (2 * (c->used + 1) > c->cap && c->used < WRAPS_MAX) { /* grow, keeping every entry */
        cb_lay_wraps g = {cb_xcalloc(c->cap ? 2 * c->cap : 256, sizeof *g.e), c->cap ? 2 * c->cap : 256, c->used,
                          c->bytes};
        for (size_t i = 0; i < c->cap; i++)
            if (c->e[i].s) {
                wrap_entry *e = &c->e[i];
                *wrap_slot(&g, e->hash, e->s, e->len, e->font, e->size, e->first_w, e->w, e->words) = *e;
            }
        free(c->e);
        *c = g;
    }
    uint64_t h = wrap_hash(s, len, m.font, size, first_w, w, words);
    wrap_entry *e = wrap_slot(c, h, s, len, m.font, size, first_w, w, words);
    if (e->s) {
        *lines = lines_dup(e->lines, e->n);
        return e->n;
    }
    size_t n = cb_break_lines_words(s, len, first_w, w, advance_at, &m, words, lines);
    size_t held = len + 1 + n * sizeof **lines;
    if (c->used < WRAPS_MAX && held <= WRAPS_BYTES - c->bytes) {
        *e = (wrap_entry){cb_xstrndup(s, len), len, n, h, m.font, size, first_w, w, words, lines_dup(*lines, n)};
        c->used++;
        c->bytes += held;
    }
    return n;
}

/* ------------------------------------------------------------------ the grid */

void cb_lay_snap(lay *L)
{
    if (L->pitch <= 0) return;
    float k = ceilf((L->top - L->y) / L->pitch - 0.01f); /* grid lines above the cursor */
    L->y = L->top - fmaxf(0, k) * L->pitch;
}

float cb_lay_widest_run(lay *L, const char *s, float size, int words)
{
    measure m = {cb_lay_font(L, L->bold), size, 0};
    return cb_widest_run(s, strlen(s), advance_at, &m, words, NULL, NULL);
}

size_t cb_lay_wrap_cells(lay *L, const char *s, float size, float first_w, float w, cb_line **lines)
{
    /* a hair over the widths: a line of exactly N cells must fit N cells' width */
    measure m = {cb_lay_font(L, L->bold), size, L->cell};
    return cb_break_lines(s, strlen(s), first_w + 0.01f, w + 0.01f, advance_at, &m, lines);
}

void cb_lay_cells(lay *L, float x, float avail, float baseline, float size, cb_rgb c, int bold, const char *s,
                  size_t len, int justify)
{
    cb_font *f = cb_lay_font(L, bold);
    size_t count = 0;
    for (const char *q = s, *end = s + len; q < end;) count += !cb_font_invisible(cb_utf8_next(&q, end));
    if (!count) return;
    /* each drawn character's cells (w), advance (adv) and where in its cells it starts
     * (off: centred). A run of Latin text (digits, letters, ASCII marks) that ends on a
     * half cell is rounded up to whole cells, as long as the line keeps within avail, so
     * the characters after it are back on the grid (its last character takes the half
     * cell). A run whose advances fit its cells is set at its own advances, centred as a
     * whole ("GDP"); else each character is centred in its own cells ("2020": digits of
     * 0.55 em in half cells of 0.49 em). */
    float *w = cb_xmalloc(3 * count * sizeof *w), *adv = w + count, *off = adv + count;
    unsigned char *latin = cb_xmalloc(count + 1); /* Latin text (font.h), a 0 after the last */
    float total = 0, cells = avail / L->cell + 0.01f;
    size_t i = 0;
    for (const char *q = s, *end = s + len; q < end;) {
        uint32_t cp = cb_utf8_next(&q, end);
        if (cb_font_invisible(cp)) continue;
        w[i] = cells_of(f, cp);
        adv[i] = cb_font_advance(f, cp) * size;
        latin[i] = (unsigned char)cb_font_latin_text(cp);
        total += w[i++];
    }
    latin[count] = 0;
    float pad = 0; /* what rounding the runs up adds */
    for (size_t k = 0, run = 0; k < count; k++) {
        off[k] = (w[k] * L->cell - adv[k]) / 2;
        if (!latin[k]) run = k + 1;
        if (!latin[k] || latin[k + 1]) continue; /* not a run's last */
        float in = 0, natural = 0;
        for (size_t r = run; r <= k; r++) in += w[r], natural += adv[r];
        float more = ceilf(in) > in && total + pad + 0.5f <= cells ? 0.5f : 0;
        w[k] += more;
        pad += more;
        if (natural <= (in + more) * L->cell) { /* at its own advances, centred */
            float o = ((in + more) * L->cell - natural) / 2, cell_at = 0; /* from the run's start */
            for (size_t r = run; r <= k; r++) {
                off[r] = o - cell_at;
                o += adv[r];
                cell_at += w[r] * L->cell;
            }
        } else {
            for (size_t r = run; r <= k; r++) off[r] += more * L->cell / 2;
        }
    }
    float extra = justify && count > 1 ? (avail - (total + pad) * L->cell) / (float)(count - 1) : 0;
    if (extra < 0 || extra > size * 0.5f) extra = 0;
    cb_page *p = L->page;
    size_t first = p->nops;
    cb_lay_text(L, x, baseline, size, c, bold, s, len, 0);
    /* each op's characters go to their places: the op starts at its first one's and each
     * character after is displaced from where the one before it ends (layout.h: dx) */
    float at_cells = 0, pen = 0;
    size_t drawn = 0;
    for (size_t k = first; k < p->nops; k++) {
        cb_op *op = &p->ops[k];
        const char *q = op->text, *end = op->text + strlen(op->text);
        size_t n = 0, j = 0;
        for (const char *r = q; r < end;) n += !cb_font_invisible(cb_utf8_next(&r, end));
        float *dx = cb_xcalloc(n ? n : 1, sizeof *dx);
        while (q < end && drawn < count) {
            if (cb_font_invisible(cb_utf8_next(&q, end))) continue;
            float at = x + at_cells * L->cell + (float)drawn * extra + off[drawn];
            if (latin[drawn]) /* a digit wider than its half cell stays inside the type area */
                at = fminf(fmaxf(at, L->left), L->right - adv[drawn]);
            if (j == 0) op->x = at;
            else dx[j] = at - pen;
            pen = at + adv[drawn];
            at_cells += w[drawn];
            drawn++;
            j++;
        }
        free(op->dx);
        op->dx = dx;
        op->spacing = 0;
        cb_page_charge(p, CB_HEAP_BYTES(n * sizeof *dx));
    }
    free(w);
    free(latin);
}

/* ------------------------------------------------------------------ entry points */

/* What a pass asks the next (see lay's `pull`): block's end pulled over from page. */
typedef struct pull_req {
    const cb_block *block;
    size_t page;
    float h;
} pull_req;

/* The failure of a document over its memory budget while block b was laid out. */
static int over_budget(const cb_doc *doc, const cb_block *b, cb_error *err)
{
    const cb_builtin *row = cb_builtin_of(b->kind);
    const char *kind = b->kind == CB_BLOCK_PLUGIN && b->ptype ? b->ptype->name : row ? row->name : "?";
    return cb_fail(err, CB_ENOMEM, "the document passed its memory budget (%.0f MiB; see --lua-memory) in "
                   "block %s%s%s", doc->mem_budget / 1048576.0, kind, b->where ? " at " : "",
                   b->where ? b->where : "");
}

/* Whether doc has a block of kind. */
static int has_block(const cb_doc *doc, cb_block_kind kind)
{
    for (size_t i = 0; i < doc->nblocks; i++)
        if (doc->blocks[i].kind == kind) return 1;
    return 0;
}

/* Whether the trailing notes, blocks[first..] (laid out from m on), have the last page to
 * themselves, with nothing else on it: then *pr asks the next pass to pull the end of the
 * block before them over (their height, set from a page's top, raises the foot of the
 * page that block ends on), so that the last page holds its last lines or rows too. */
static int notes_alone(lay *L, size_t first, cb_lay_mark m, pull_req *pr)
{
    const cb_doc *doc = L->doc;
    if (first == 0 || first >= doc->nblocks || m.page + 1 >= L->out->npages) return 0;
    cb_layout scratch = {0};
    lay S = *L;
    S.out = &scratch;
    S.lookahead++;
    S.pulling = 0;
    cb_lay_new_page(&S);
    for (size_t i = first; i < doc->nblocks; i++)
        cb_lay_block(&S, &doc->blocks[i], i + 1 < doc->nblocks ? &doc->blocks[i + 1] : NULL);
    float h = scratch.npages == 1 ? S.top - S.y : S.top - S.bottom;
    cb_layout_free(&scratch);
    /* and the gaps above them and under the block before, within two body lines: more
     * only pulls a line or row more over */
    *pr = (pull_req){&doc->blocks[first - 1], m.page, h + 4 + 2 * cb_lay_body_lh(L)};
    return 1;
}

/* What a pass did: the room a pull left at the foot of the page it pulled from (-1: none),
 * whether the trailing notes still have the last page to themselves, and the first page
 * a block moving whole left a fifth empty or more (SIZE_MAX: none; lay_tight). */
typedef struct pass_res {
    float room;
    int alone;
    size_t hole_page;
} pass_res;

/* One pass: the document laid out with template t (pr: the pull asked by the pass
 * before, or NULL; tight: the pages whose gaps are tightened), and *want set when its
 * trailing notes ask for a pull; *room is the space left at the foot of its last page. */
static int lay_pass(cb_layout *out, const cb_doc *doc, const cb_template *t, cb_font *font, cb_lay_wraps *wraps,
                    const cb_tight *tight, const pull_req *pr, pull_req *want, float *room, pass_res *res,
                    cb_error *err)
{
    memset(out, 0, sizeof *out);
    out->mem_budget = doc->mem_budget;
    lay L = {0};
    out->page_w = t->page_w;
    out->page_h = t->page_h;
    L.out = out;
    L.wraps = wraps;
    L.t = t;
    L.doc = doc;
    L.font = font;
    L.top = t->page_h - t->margin_top;
    L.bottom = t->margin_bottom;
    L.left = t->margin_left;
    L.right = t->page_w - t->margin_right;
    L.width = L.right - L.left;
    L.pull_room = -1;
    L.tight = tight;
    L.gap_k = 1;
    L.hole_page = SIZE_MAX;
    if (pr) {
        L.pull = pr->block;
        L.pull_page = pr->page;
        L.pull_h = pr->h;
    }
    if (t->grid_lines > 0) { /* the grid fills the type area */
        L.pitch = (L.top - L.bottom) / (float)t->grid_lines;
        L.cell = english(&L) ? 0 : L.width / (float)t->grid_chars;
    }
    cb_font_metrics(font, &L.asc, &L.desc);
    out->info = (cb_doc_info){dup_or_null(doc->title), dup_or_null(doc->subject), dup_or_null(doc->author),
                              dup_or_null(doc->keywords), doc->dated, doc->date, CB_PDF_PLAIN};
    snprintf(out->lang, sizeof out->lang, "%s", t->lang[0] ? t->lang : "zh");
    first_nodes(&L);
    cb_lay_new_page(&L);
    if (t->cover) {
        cb_lay_cover(&L);
        cb_lay_new_page(&L);
    }
    /* a template with a masthead and a report giving none: the template's name alone */
    if (t->masthead && !has_block(doc, CB_BLOCK_MASTHEAD)) cb_lay_masthead(&L, NULL);
    L.watch_holes = 1;
    size_t notes = doc->nblocks; /* the first of the notes blocks that end the document */
    while (notes > 0 && doc->blocks[notes - 1].kind == CB_BLOCK_NOTES) notes--;
    cb_lay_mark notes_at = {0, 0};
    for (size_t i = 0; i < doc->nblocks; i++) {
        const cb_block *b = &doc->blocks[i];
        cb_lay_mark m = cb_lay_mark_now(&L);
        if (i == notes) notes_at = m;
        cb_lay_block(&L, b, i + 1 < doc->nblocks ? &doc->blocks[i + 1] : NULL);
        if (out->mem_over) return over_budget(doc, b, err);
        cb_lay_scan_since(&L, m, b);
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
    cb_lay_finish_toc(&L);
    *room = L.y - L.bottom;
    if (res) *res = (pass_res){L.pull_room, notes < doc->nblocks && notes_at.page + 1 < out->npages, L.hole_page};
    if (!pr && notes_alone(&L, notes, notes_at, want)) return CB_OK; /* the caller lays out again */
    cb_lay_page_furniture(&L);
    /* the content's characters are all noted already: what is new comes from the header,
     * footer, cover or watermark (which lay_page_furniture puts first on the page) */
    cb_lay_scan_since(&L, (cb_lay_mark){0, 0}, NULL);
    cb_lay_finish_missing(&L);
    return CB_OK;
}

/* Tightening (see lay's `tight`; docs/templates.md, "Page breaks"): while a pass leaves a
 * page a sixth empty or more because the block after it moved over (a table whose header
 * and first rows do not fit, a chart, a heading with what it keeps with), that page's gaps
 * between blocks are laid out at 70 %, then 40 %, of their size, and the first that lets
 * the block start there (the page no longer so left, no more pages) is kept; a few pages
 * at most, in order. As TeX shrinks its glue: a tighter page, rather than a hole at its
 * foot. On a strict grid the lines keep their pitch: only the gaps that are not grid lines
 * (under a chart or a table) shrink, and what follows still starts on the next grid line.
 * On return *out, *want, *room and *res are the pass kept (laid out last). */
static int lay_tight(cb_layout *out, const cb_doc *doc, const cb_template *t, cb_font *font, cb_lay_wraps *wraps,
                     cb_tight *tight, pull_req *want, float *room, pass_res *res, cb_error *err)
{
    static const float kept[] = {0.7f, 0.4f};
    int rc = CB_OK, stale = 0; /* stale: *out is a rejected try, not the pass kept */
    while (res->hole_page != SIZE_MAX && tight->n < CB_TIGHT_MAX) {
        size_t page = res->hole_page, pages = out->npages;
        int taken = 0;
        tight->page[tight->n] = page;
        for (size_t i = 0; i < sizeof kept / sizeof *kept && !taken; i++) {
            tight->k[tight->n++] = kept[i];
            pull_req w = {0};
            pass_res r;
            float rm;
            cb_layout_free(out);
            rc = lay_pass(out, doc, t, font, wraps, tight, NULL, &w, &rm, &r, err);
            if (rc) return rc;
            taken = r.hole_page != page && out->npages <= pages;
            if (taken) *want = w, *room = rm, *res = r;
            else tight->n--;
            stale = !taken;
        }
        if (!taken) break;
    }
    if (stale) { /* the last try was not kept: the pass that was, again */
        cb_layout_free(out);
        rc = lay_pass(out, doc, t, font, wraps, tight, NULL, want, room, res, err);
    }
    return rc;
}

/* A pass, tightened where a block moving whole leaves a hole (lay_tight), and a second
 * one when its trailing notes asked for a pull, unless the pass is to be done again
 * anyway with smaller type (`fit`: more than fit pages; the layout is then left
 * unfinished). */
static int lay_pulled(cb_layout *out, const cb_doc *doc, const cb_template *t, cb_font *font, cb_lay_wraps *wraps,
                      int fit, float *room, cb_error *err)
{
    pull_req want = {0};
    cb_tight tight = {0};
    pass_res res0;
    int rc = lay_pass(out, doc, t, font, wraps, &tight, NULL, &want, room, &res0, err);
    if (rc || (fit && out->npages > (size_t)fit)) return rc;
    if (res0.hole_page != SIZE_MAX) rc = lay_tight(out, doc, t, font, wraps, &tight, &want, room, &res0, err);
    if (rc || !want.block) return rc;
    /* The notes' height pulls over about as much as they hold; but a block of a few tall
     * items (progress targets), or one whose heading keeps with all of it, may move whole
     * and leave a fifth of the page it came from empty or more: then a half and a quarter
     * of that pull are tried too, and of those that still give the notes company (the
     * last page never holds them alone) the one leaving the least room there is taken. */
    static const float part[] = {1, 0.5f, 0.25f};
    const size_t nparts = sizeof part / sizeof *part;
    float area = t->page_h - t->margin_top - t->margin_bottom, best_room = 0;
    size_t best = 0;
    for (size_t k = 0; k <= nparts; k++) {
        if (k == nparts && best == nparts - 1) break; /* the best is the one laid out */
        size_t use = k < nparts ? k : best;
        pull_req pr = want;
        pr.h *= part[use];
        pass_res res;
        cb_layout_free(out);
        rc = lay_pass(out, doc, t, font, wraps, &tight, &pr, NULL, room, &res, err);
        if (rc || k == nparts || (k == 0 && res.room < area / 5)) break;
        if (k == 0 || (!res.alone && res.room < best_room)) best = k, best_room = res.room;
    }
    return rc;
}

/* page.fit: the type made smaller by FIT_STEP at a time, down to FIT_LEAST of the
 * template's, until the document takes at most t->fit pages. The first smaller size tried
 * is the square root of the share of the content that fits (a text's height shrinks with
 * its size and its line count too, so no more than that is needed): the one above it on
 * the FIT_STEP grid. */
#define FIT_STEP 0.04f
#define FIT_LEAST 0.8f

int cb_layout_run(cb_layout *out, const cb_doc *doc, const cb_template *t, cb_font *font, cb_error *err)
{
    cb_template smaller;
    const cb_template *use = t;
    cb_lay_wraps wraps = {0};
    for (int step = 1;; step++) {
        float room = 0;
        int last = 1 - FIT_STEP * (float)step < FIT_LEAST - 1e-4f; /* the smallest type tried */
        int rc = lay_pulled(out, doc, use, font, &wraps, last ? 0 : t->fit, &room, err);
        if (rc || !t->fit || out->npages <= (size_t)t->fit) {
            wraps_free(&wraps);
            return rc;
        }
        if (step == 1) { /* skip the sizes that cannot be enough */
            float page = t->page_h - t->margin_top - t->margin_bottom;
            float share = page * (float)t->fit / (page * (float)out->npages - room);
            while (share > 0 && share < 1 && 1 - FIT_STEP * (float)(step + 1) >= fmaxf(sqrtf(share), FIT_LEAST) - 1e-4f)
                step++;
        }
        float k = 1 - FIT_STEP * (float)step;
        if (k < FIT_LEAST - 1e-4f) { /* `last` was this pass: the layout is finished */
            wraps_free(&wraps);
            out->warnings = cb_xgrow(out->warnings, out->nwarnings, sizeof *out->warnings);
            out->warnings[out->nwarnings++] =
                cb_xasprintf("the document takes %zu pages, more than the template's page.fit of %d, even with "
                             "its type at %.0f%%", out->npages, t->fit, (double)(FIT_LEAST * 100));
            return CB_OK;
        }
        cb_layout_free(out);
        smaller = *t;
        float *sizes[] = {&smaller.body_size, &smaller.title_size, &smaller.h1_size, &smaller.h2_size,
                          &smaller.small_size, &smaller.table_size, &smaller.cell_padding};
        for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) *sizes[i] *= k;
        use = &smaller;
    }
}

void cb_layout_free(cb_layout *l)
{
    for (size_t i = 0; i < l->npages; i++) {
        for (size_t k = 0; k < l->pages[i].nops; k++) {
            free(l->pages[i].ops[k].text);
            free(l->pages[i].ops[k].segs);
            free(l->pages[i].ops[k].dx);
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
    for (size_t i = 0; i < l->nnodes; i++) free(l->nodes[i].alt);
    free(l->nodes);
    char **info[] = {&l->info.title, &l->info.subject, &l->info.author, &l->info.keywords};
    for (size_t i = 0; i < 4; i++) free(*info[i]);
    free(l->scratch.text);
    free(l->scratch.segs);
    free(l->scratch.dx);
    free(l->toc);
    memset(l, 0, sizeof *l);
}

static const char *const STANDARDS[] = {"none", "a-1b", "a-2b", "a-2u", "a-3u"}; /* cb_pdf_standard's */

int cb_pdf_standard_parse(const char *s)
{
    for (int i = 0; i < (int)(sizeof STANDARDS / sizeof STANDARDS[0]); i++)
        if (!strcmp(s, STANDARDS[i])) return i;
    return -1;
}

const char *cb_pdf_standard_name(cb_pdf_standard s)
{
    return (unsigned)s < sizeof STANDARDS / sizeof STANDARDS[0] ? STANDARDS[s] : "none";
}
