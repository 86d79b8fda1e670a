/* layout_toc.c: a table of contents (doc:toc; layout_int.h). Its place in the flow keeps one
 * line (a grid line: the body size times the leading) for each heading after it up to its
 * level, a number known before the layout; the lines are written once every block is
 * placed, when each heading's page is known: its bookmark's (layout_blocks.c adds one per
 * heading, in document order). So one pass of the layout does, and the table's size never
 * moves what follows it. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "blocks.h"
#include "layout_int.h"

/* Whether heading block h is listed by table of contents b. */
static int listed(const cb_block *b, const cb_block *h)
{
    return h->kind == CB_BLOCK_HEADING && (h->level == 2 ? 2 : 1) <= b->level;
}

/* The lines of a heading's title at level in a table of contents (cb_lay_beside): the room
 * left of a page number of three digits, so the count known here holds when the numbers
 * are. Returns their number; *lines (when not NULL) malloc'd. */
static size_t title_lines(lay *L, const char *title, int level, cb_line **lines)
{
    float size = L->t->body_size, indent = level == 2 ? 2 * size : 0;
    cb_lay_type(L, CB_FONT_FIGURES, 0);
    float rw = cb_lay_width(L, "000", size);
    cb_lay_type(L, CB_FONT_BODY, 0);
    cb_line *l = NULL;
    size_t at, n = cb_lay_beside(L, title, size, L->width - indent, rw, &l, &at); /* the number: last line */
    if (lines) *lines = l;
    else free(l);
    return n;
}

void cb_toc_place(lay *L, const cb_block *b, const cb_block *next)
{
    (void)next;
    const cb_template *t = L->t;
    const cb_doc *d = L->doc;
    const char *title = b->text ? b->text : english(L) ? "Contents" : "目录";
    float lh = cb_lay_body_lh(L), ts = t->h1_size;
    size_t heading = 0; /* the headings before b, then each after it */
    for (const cb_block *h = d->blocks; h < b; h++) heading += h->kind == CB_BLOCK_HEADING;
    cb_lay_ensure(L, lh * 2);
    uint32_t list = cb_lay_open(L, CB_ROLE_LIST);
    cb_lay_at(L, cb_lay_node(L, CB_ROLE_CAPTION, 0, list));
    cb_lay_type(L, CB_FONT_HEADING, 1);
    cb_lay_aligned(L, L->left, L->width, baseline_in(L, L->y, lh, ts), ts, t->text, 1, title, strlen(title),
                   ALIGN_CENTER);
    L->y -= lh;
    int numbers[5]; /* the headings' numbers, counted ahead as cb_heading_place will */
    memcpy(numbers, L->numbers, sizeof numbers);
    for (const cb_block *h = b + 1; h < d->blocks + d->nblocks; h++) {
        if (h->kind != CB_BLOCK_HEADING) continue;
        char num[48];
        cb_heading_number(L, numbers, h->level >= 1 && h->level <= 4 ? h->level : 1, num, sizeof num);
        if (listed(b, h)) {
            char *title = cb_xasprintf("%s%s", num, h->text ? h->text : "");
            size_t n = title_lines(L, title, h->level == 2 ? 2 : 1, NULL);
            free(title);
            cb_lay_ensure(L, lh * n);
            uint32_t node = cb_lay_node(L, CB_ROLE_LIST_ITEM, 0, list);
            cb_layout *o = L->out;
            o->toc = cb_xgrow(o->toc, o->ntoc, sizeof *o->toc);
            o->toc[o->ntoc++] = (cb_toc_slot){heading, o->npages - 1, L->y, h->level == 2 ? 2 : 1, node,
                                              L->page->nops};
            L->y -= lh * n;
        }
        heading++;
    }
    L->y -= lh * 0.5f;
}

static void reverse_ops(cb_op *a, size_t n)
{
    for (size_t i = 0; i < n / 2; i++) {
        cb_op tmp = a[i];
        a[i] = a[n - 1 - i];
        a[n - 1 - i] = tmp;
    }
}

/* Moves page p's operations from `from` on (the ones just drawn) to index `to`: the order
 * of a page's operations is its reading order (layout.h). */
static void move_ops(cb_page *p, size_t from, size_t to)
{
    if (to >= from || from > p->nops) return;
    reverse_ops(p->ops + to, from - to);
    reverse_ops(p->ops + from, p->nops - from);
    reverse_ops(p->ops + to, p->nops - to);
}

/* Draws line s of a table of contents at the end of its page's operations. */
static void toc_line(lay *L, const cb_toc_slot *s, size_t first)
{
    const cb_template *t = L->t;
    cb_layout *o = L->out;
    float size = t->body_size, lh = cb_lay_body_lh(L);
    const cb_bookmark *m = &o->marks[s->heading];
    char num[32];
    snprintf(num, sizeof num, "%zu", m->page + 1 - first);
    L->page = &o->pages[s->page];
    cb_lay_at(L, s->node);
    float x = L->left + (s->level == 2 ? 2 * size : 0);
    cb_line *tl = NULL;
    size_t n = title_lines(L, m->title, s->level, &tl); /* cb_lay_type: the body face */
    float base = 0, tw = 0;
    for (size_t i = 0; i < n; i++) { /* the number and the leader on the last line */
        base = baseline_in(L, s->y - i * lh, lh, size);
        cb_lay_text(L, x, base, size, t->text, 0, m->title + tl[i].start, tl[i].len, 0);
    }
    if (n) tw = cb_font_width(cb_lay_font(L, 0), m->title + tl[n - 1].start, tl[n - 1].len, size);
    free(tl);
    cb_lay_type(L, CB_FONT_FIGURES, 0);
    float nw = cb_lay_width(L, num, size);
    cb_lay_aligned(L, L->left, L->width, base, size, t->text, 0, num, strlen(num), ALIGN_RIGHT);
    float x0 = x + tw + size * 0.5f, x1 = L->right - nw - size * 0.5f;
    if (x1 - x0 < size) return;
    cb_lay_at(L, CB_ART_DECORATION); /* the leader: dots from the title to its page */
    if (!cb_page_charge(L->page, CB_HEAP_BYTES(2 * sizeof(cb_path_seg)))) return;
    cb_op *op = cb_lay_push(L, CB_OP_PATH);
    op->segs = cb_xcalloc(2, sizeof *op->segs);
    op->segs[0] = (cb_path_seg){'m', {x0, base + size * 0.1f}};
    op->segs[1] = (cb_path_seg){'l', {x1, base + size * 0.1f}};
    op->nsegs = 2;
    op->paint = CB_PAINT_STROKE;
    op->stroke = t->muted;
    op->size = 1;
    op->dash_on = 1;
    op->dash_off = 3;
}

void cb_lay_finish_toc(lay *L)
{
    cb_layout *o = L->out;
    size_t first = L->t->cover ? 1 : 0; /* the cover has no number (layout_page.c) */
    size_t moved = 0;                   /* lines' operations moved onto the page so far */
    for (size_t i = 0; i < o->ntoc; i++) {
        const cb_toc_slot *s = &o->toc[i];
        if (s->heading >= o->nmarks || s->page >= o->npages) continue; /* not covered: one mark a heading */
        if (i && s->page != o->toc[i - 1].page) moved = 0;
        cb_page *pg = &o->pages[s->page];
        size_t before = pg->nops;
        toc_line(L, s, first);
        move_ops(pg, before, s->at + moved); /* drawn last, read in its place */
        moved += pg->nops - before;
    }
}
