/* layout_blocks.c: each built-in block placed on the pages (the `place` of its row in
 * blocks.h's table), and a plugin block through its measure and draw on a canvas
 * (layout_int.h). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "blocks.h"
#include "canvas.h"
#include "layout_int.h"
#include "worker.h"

/* Characters drawn (not skipped: font.h), each followed by the justification spacing. */
static size_t count_chars(const char *s, size_t len)
{
    size_t n = 0;
    const char *p = s, *end = s + len;
    while (p < end)
        if (!cb_font_invisible(cb_utf8_next(&p, end))) n++;
    return n;
}

/* The title block on a grid (an official document): the title centred in the title face,
 * the subtitle centred under it, each line on whole grid lines, then an empty grid line;
 * no band, no rule. */
static void grid_title(lay *L, const cb_block *b)
{
    const cb_template *t = L->t;
    float ts = t->title_size, ss = t->body_size;
    float tlh = ceilf(ts * 1.3f / L->pitch - 0.01f) * L->pitch, slh = ceilf(ss * 1.3f / L->pitch - 0.01f) * L->pitch;
    cb_line *tl = NULL, *sl = NULL;
    cb_lay_type(L, CB_FONT_TITLE, t->bold_headings);
    size_t nt = cb_lay_wrap(L, b->text ? b->text : "", ts, L->width, L->width, &tl);
    cb_lay_type(L, CB_FONT_BODY, 0);
    size_t ns = b->subtitle ? cb_lay_wrap(L, b->subtitle, ss, L->width, L->width, &sl) : 0;
    cb_lay_snap(L);
    cb_lay_ensure(L, nt * tlh + ns * slh + L->pitch);
    cb_lay_open(L, CB_ROLE_TITLE);
    cb_lay_type(L, CB_FONT_TITLE, t->bold_headings);
    for (size_t i = 0; i < nt; i++) {
        cb_lay_aligned(L, L->left, L->width, grid_baseline(L->y, tlh, ts), ts, t->primary, t->bold_headings,
                       b->text + tl[i].start, tl[i].len, ALIGN_CENTER);
        L->y -= tlh;
    }
    if (ns) cb_lay_open(L, CB_ROLE_PARAGRAPH);
    cb_lay_type(L, CB_FONT_BODY, 0);
    for (size_t i = 0; i < ns; i++) {
        cb_lay_aligned(L, L->left, L->width, grid_baseline(L->y, slh, ss), ss, t->text, 0,
                       b->subtitle + sl[i].start, sl[i].len, ALIGN_CENTER);
        L->y -= slh;
    }
    L->y -= L->pitch;
    free(tl);
    free(sl);
}

void cb_title_place(lay *L, const cb_block *b, const cb_block *next)
{
    (void)next;
    if (L->pitch > 0) {
        grid_title(L, b);
        return;
    }
    const cb_template *t = L->t;
    float ts = t->title_size, ss = t->body_size;
    cb_line *tl = NULL, *sl = NULL;
    cb_lay_type(L, CB_FONT_TITLE, t->bold_headings);
    size_t nt = cb_lay_wrap(L, b->text ? b->text : "", ts, L->width, L->width, &tl);
    cb_lay_type(L, CB_FONT_BODY, 0);
    size_t ns = b->subtitle ? cb_lay_wrap(L, b->subtitle, ss, L->width, L->width, &sl) : 0;
    float tlh = ts * 1.3f, slh = ss * 1.6f;
    float h = 6 + 10 + nt * tlh + 6 + ns * slh + 12;
    cb_lay_ensure(L, h);
    cb_lay_at(L, CB_ART_DECORATION);
    cb_lay_rect(L, L->left, L->y - 4, L->width, 4, t->primary);
    L->y -= 4 + 10;
    cb_lay_open(L, CB_ROLE_TITLE);
    cb_lay_type(L, CB_FONT_TITLE, t->bold_headings);
    for (size_t i = 0; i < nt; i++) {
        cb_lay_text(L, L->left, baseline_in(L, L->y, tlh, ts), ts, t->primary, t->bold_headings,
                    b->text + tl[i].start, tl[i].len, 0);
        L->y -= tlh;
    }
    L->y -= 6;
    if (ns) cb_lay_open(L, CB_ROLE_PARAGRAPH);
    cb_lay_type(L, CB_FONT_BODY, 0);
    for (size_t i = 0; i < ns; i++) {
        cb_lay_text(L, L->left, baseline_in(L, L->y, slh, ss), ss, t->muted, 0,
                    b->subtitle + sl[i].start, sl[i].len, 0);
        L->y -= slh;
    }
    L->y -= 6;
    cb_lay_at(L, CB_ART_DECORATION);
    cb_lay_line(L, L->left, L->y, L->right, L->y, 0.6f, t->rule);
    cb_lay_gap(L, 8);
    free(tl);
    free(sl);
}

static void add_bookmark(lay *L, const char *title, int level)
{
    cb_layout *o = L->out;
    o->marks = cb_xgrow(o->marks, o->nmarks, sizeof *o->marks);
    o->marks[o->nmarks++] = (cb_bookmark){cb_xstrdup(title), level, o->npages - 1, L->y};
}

/* Whether `next`, laid out right after heading b from the current position, would put
 * nothing on this page (a table whose header and first rows don't fit, a chart that moves
 * whole, a paragraph whose first two lines don't): then the heading must move too. Found
 * by laying both out on scratch pages, `next` with the block after it, so that a heading
 * right under b that would move for its own next takes b along (a few levels deep). */
static int next_leaves_page(lay *L, const cb_block *b, const cb_block *next)
{
    cb_layout scratch = {0};
    lay S = *L;
    S.out = &scratch;
    S.lookahead++;
    S.page_base = L->page_base + L->out->npages - 1;
    cb_lay_new_page(&S);
    S.y = L->y;
    cb_lay_block(&S, b, NULL);
    size_t ops = scratch.pages[0].nops;
    const cb_block *blocks = L->doc->blocks, *after = NULL;
    if (S.lookahead <= 3 && next >= blocks && next + 1 < blocks + L->doc->nblocks) after = next + 1;
    cb_lay_block(&S, next, after);
    int leaves = scratch.pages[0].nops == ops;
    cb_layout_free(&scratch);
    return leaves;
}

/* A heading of `level` closes the sections of its level and below and opens its own, in
 * the deepest one left open (else in the document); the heading is its first child. */
static void open_section(lay *L, int level)
{
    for (int k = level; k <= 4; k++) L->section[k] = CB_NODE_NONE;
    uint32_t sect = cb_lay_node(L, CB_ROLE_SECTION, level, cb_lay_container(L));
    L->section[level] = sect;
    cb_lay_at(L, cb_lay_node(L, CB_ROLE_HEADING, level, sect));
}

/* The number type.numbering gives the next heading of `level` (1..4), counted in numbers
 * (L->numbers; a table of contents counts a copy ahead; a heading restarts the levels
 * below it), into buf: 一、 （一） 1. （1）; in English
 * 1. (1) 1. (1) followed by a space. Empty without numbering. */
void cb_heading_number(lay *L, int *numbers, int level, char *buf, size_t n)
{
    buf[0] = 0;
    if (L->t->numbering != CB_NUMBERING_GONGWEN || level < 1 || level > 4) return;
    int v = ++numbers[level];
    for (int k = level + 1; k <= 4; k++) numbers[k] = 0;
    if (english(L)) {
        snprintf(buf, n, level % 2 ? "%d. " : "(%d) ", v);
        return;
    }
    if (level >= 3) {
        snprintf(buf, n, level == 3 ? "%d." : "（%d）", v);
        return;
    }
    static const char *const digit[] = {"", "一", "二", "三", "四", "五", "六", "七", "八", "九"};
    char num[32];
    if (v >= 100) snprintf(num, sizeof num, "%d", v);
    else snprintf(num, sizeof num, "%s%s%s", v >= 20 ? digit[v / 10] : "", v >= 10 ? "十" : "", digit[v % 10]);
    snprintf(buf, n, level == 1 ? "%s、" : "（%s）", num);
}

void cb_heading_place(lay *L, const cb_block *b, const cb_block *next)
{
    const cb_template *t = L->t;
    int level = b->level >= 1 && b->level <= 4 ? b->level : 1, grid = L->pitch > 0;
    float size = level == 1 ? t->h1_size : t->h2_size;
    float before = grid ? 0 : level == 1 ? size * 1.1f : size * 0.8f;
    /* on a grid a heading takes whole grid lines, indented as paragraphs are */
    float lh = grid ? ceilf(size * 1.3f / L->pitch - 0.01f) * L->pitch : size * 1.45f;
    float indent = grid ? t->indent * (L->cell > 0 ? L->cell : size) : level == 1 ? 9 : 0;
    /* levels 3 and 4 in the body face, at level 2's size (bold unless bold_headings is off) */
    cb_font_role role = level == 1 ? CB_FONT_HEADING : level == 2 ? CB_FONT_HEADING2 : CB_FONT_BODY;
    int bold = t->bold_headings;
    char num[48];
    cb_heading_number(L, L->numbers, level, num, sizeof num);
    char *text = cb_xasprintf("%s%s", num, b->text ? b->text : "");
    cb_line *lines = NULL;
    cb_lay_type(L, role, bold);
    size_t n = grid ? cb_lay_wrap_cells(L, text, size, L->width - indent, L->width, &lines)
                    : cb_lay_wrap(L, text, size, L->width - indent, L->width - indent, &lines);
    float h = n * lh;
    cb_lay_snap(L);
    /* keep with next: the heading, and the start of what follows it as that block's own
     * rule has it start at a page's foot (2 lines of a paragraph, a table's header and first
     * rows, a chart whole), must fit below it: one rule, the next block's */
    if (!at_page_top(L) && (L->y - h - before < L->bottom - 0.01f || (next && next_leaves_page(L, b, next))))
        cb_lay_new_page(L);
    cb_lay_type(L, role, bold); /* next_leaves_page laid out what follows */
    if (!at_page_top(L)) cb_lay_gap(L, before);
    add_bookmark(L, text, level);
    open_section(L, level);
    if (level == 1 && !grid) { /* an official document's headings have no bar */
        uint32_t heading = cb_lay_at(L, CB_ART_DECORATION);
        cb_lay_rect(L, L->left, L->y - h + lh * 0.2f, 3.5f, h - lh * 0.4f, t->accent);
        cb_lay_at(L, heading);
    }
    for (size_t i = 0; i < n; i++) {
        float x = L->left + (grid && i ? 0 : indent);
        cb_rgb c = level == 1 ? t->primary : t->text;
        if (L->cell > 0)
            cb_lay_cells(L, x, L->right - x, grid_baseline(L->y, lh, size), size, c, bold, text + lines[i].start,
                         lines[i].len, t->justify && !lines[i].last);
        else
            cb_lay_text(L, x, grid ? grid_baseline(L->y, lh, size) : baseline_in(L, L->y, lh, size), size, c, bold,
                        text + lines[i].start, lines[i].len, 0);
        L->y -= lh;
    }
    if (!grid) cb_lay_gap(L, size * 0.35f);
    free(lines);
    free(text);
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
        cb_lay_text(L, x, baseline, size, t->text, 0, s + k, w - k, 0);
        x += cb_font_width(cb_lay_font(L, 0), s + k, w - k, size);
        size_t sp = w;
        while (sp < len && s[sp] == ' ') sp++;
        x += cb_font_width(cb_lay_font(L, 0), s + w, sp - w, size) + (sp > w && w > k ? add : 0);
        k = sp;
    }
    return 1;
}

void cb_paragraph_place(lay *L, const cb_block *b, const cb_block *next)
{
    (void)next;
    const cb_template *t = L->t;
    int grid = L->pitch > 0; /* each line on a grid line, each character in its cells */
    float size = t->body_size, lh = cb_lay_body_lh(L);
    float indent = t->indent * (L->cell > 0 ? L->cell : size);
    const char *s = b->text ? b->text : "";
    cb_line *lines = NULL;
    cb_lay_type(L, CB_FONT_BODY, 0);
    size_t n = grid ? cb_lay_wrap_cells(L, s, size, L->width - indent, L->width, &lines)
                    : cb_lay_wrap(L, s, size, L->width - indent, L->width, &lines);
    cb_lay_snap(L);
    cb_lay_open(L, CB_ROLE_PARAGRAPH);
    for (size_t i = 0, page_end = 0; i < n; i++) {
        if (i == page_end) page_end = i + cb_lay_lines_here(L, lh, i, n);
        float x = L->left + (i == 0 ? indent : 0);
        float avail = L->width - (i == 0 ? indent : 0);
        float spacing = 0;
        size_t nch = count_chars(s + lines[i].start, lines[i].len);
        if (t->justify && !lines[i].last && english(L) &&
            justify_words(L, x, grid ? grid_baseline(L->y, lh, size) : baseline_in(L, L->y, lh, size), size, s + lines[i].start, lines[i].len,
                          avail - lines[i].width)) {
            L->y -= lh;
            continue;
        }
        float bl = grid ? grid_baseline(L->y, lh, size) : baseline_in(L, L->y, lh, size);
        if (L->cell > 0) { /* each character in its cells */
            cb_lay_cells(L, x, avail, bl, size, t->text, 0, s + lines[i].start, lines[i].len,
                         t->justify && !lines[i].last);
            L->y -= lh;
            continue;
        }
        if (t->justify && !lines[i].last && nch > 1) {
            spacing = (avail - lines[i].width) / (float)(nch - 1);
            if (spacing < 0 || spacing > size * 0.5f) spacing = 0;
        }
        cb_lay_text(L, x, bl, size, t->text, 0, s + lines[i].start, lines[i].len, spacing);
        L->y -= lh;
    }
    if (!grid) cb_lay_gap(L, size * 0.5f); /* on a grid the next block starts on the next line */
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

/* Sets KPI value v from x on baseline, its number runs at size big and the rest at small,
 * each run set as a line of its own (typeset.h); draws it only if draw. Returns its width. */
static float kpi_value(lay *L, float x, float baseline, const char *v, float big, float small, int draw)
{
    const cb_template *t = L->t;
    const char *p = v, *end = v + strlen(v);
    float x0 = x;
    while (p < end) {
        int num = is_numeric_at(v, p);
        const char *run = p;
        while (p < end && is_numeric_at(v, p) == num) cb_utf8_next(&p, end);
        float size = num ? big : small;
        cb_lay_type(L, CB_FONT_FIGURES, num);
        if (draw) cb_lay_text(L, x, baseline, size, num ? t->accent : t->text, num, run, (size_t)(p - run), 0);
        x += cb_font_width(cb_lay_font(L, num), run, (size_t)(p - run), size);
    }
    return x - x0;
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
    float lw = cb_lay_width(L, label, size0);
    cb_line *lines = NULL;
    *size = size0;
    if (lw > w && lw * 0.9f > w) {
        *n = cb_lay_wrap(L, label, size0, w, w, &lines);
        if (*n <= 2) return lines;
        free(lines);
        cb_lay_warn(L, "KPI label \"%s\" shrunk to fit its box", label);
    }
    if (lw > w) *size = size0 * w / lw;
    *n = 1;
    lines = cb_xcalloc(1, sizeof *lines);
    lines[0].len = strlen(label);
    return lines;
}

void cb_kpis_place(lay *L, const cb_block *b, const cb_block *next)
{
    (void)next;
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
        cb_lay_type(L, CB_FONT_BODY, 0); /* labels: body text; values: figures */
        for (size_t i = first; i < last; i++) { /* a row with a two-line label is taller */
            const char *label = b->items[i].label ? b->items[i].label : "";
            lines[i - first] = kpi_label(L, label, bw - 8, label_size, &lsize[i - first], &nl[i - first]);
            if (nl[i - first] == 2) bh = 60 * k + llh;
        }
        cb_lay_ensure(L, bh + gap);
        float top = L->y;
        for (size_t i = first; i < last; i++) {
            const cb_item *it = &b->items[i];
            float x = L->left + (float)(i - first) * (bw + gap);
            /* a box is a figure: its label and value */
            cb_lay_alt(L, cb_lay_open(L, CB_ROLE_FIGURE),
                       cb_xasprintf(english(L) ? "%s: %s" : "%s：%s", it->label ? it->label : "",
                                    it->value ? it->value : ""));
            cb_lay_rect(L, x, top - bh, bw, bh, t->panel);
            cb_lay_rect(L, x, top - 2.5f * k, bw, 2.5f * k, t->primary);
            const char *v = it->value ? it->value : "";
            float big = 20 * k, small = 10.5f * k;
            float vw = kpi_value(L, 0, 0, v, big, small, 0);
            if (vw > bw - 10) { /* shrink to fit the box */
                float f = (bw - 10) / vw;
                big *= f;
                small *= f;
                vw *= f;
            }
            kpi_value(L, x + (bw - vw) / 2, top - 30 * k, v, big, small, 1);
            cb_lay_type(L, CB_FONT_BODY, 0);
            const char *label = it->label ? it->label : "";
            size_t m = nl[i - first];
            for (size_t l = 0; l < m; l++) /* bottom line at the usual place, the first above */
                cb_lay_aligned(L, x, bw, top - bh + 11 * k + (float)(m - 1 - l) * llh, lsize[i - first], t->muted, 0,
                               label + lines[i - first][l].start, lines[i - first][l].len, ALIGN_CENTER);
            free(lines[i - first]);
        }
        L->y = top - bh - gap;
    }
    cb_lay_gap(L, 6 * k);
}

typedef struct cell_lines {
    cb_line *lines;
    size_t n;
} cell_lines;


/* A place in a table's rows: row r from its line a on (a > 0: the rest of a row broken
 * between its lines), and the rows' lines and heights (cb_table_place). */
typedef struct tpos {
    size_t r, a;
} tpos;
typedef struct trows {
    const size_t *n; /* the lines of each row, at least 1 */
    size_t nrows;
    float lh, pad;   /* a line's height, a row's padding above and below it together */
} trows;

static float part_h(const trows *T, size_t lines) { return (float)lines * T->lh + T->pad; }
static int before(tpos p, tpos q) { return p.r < q.r || (p.r == q.r && p.a < q.a); }

/* The parts of rows from p to q: a row broken between its lines counts on each side. */
static size_t parts(const trows *T, tpos p, tpos q)
{
    size_t n = 0;
    for (size_t r = p.r; r < T->nrows && before((tpos){r, r == p.r ? p.a : 0}, q); r++) n++;
    return n;
}

/* Where the part of a table from `from` on that goes on the current page under its header
 * (head_h points) ends: the rows that fit, and of the next the lines that fit when it may
 * break between them (a row of at least 2 * CB_KEEP_LINES lines, CB_KEEP_LINES or more on
 * each side, as cb_lay_lines_min gives a paragraph); at least a line. Fewer when what
 * would be left for the next page would be less than CB_KEEP_ROWS rows (docs/templates.md,
 * "Page breaks"): then the last CB_KEEP_ROWS go over, the first of them broken between its
 * lines if it may be, when this page keeps CB_KEEP_ROWS too. */
static tpos segment_end(const lay *L, const trows *T, float head_h, tpos from)
{
    float y = L->y - head_h;
    tpos p = from;
    while (p.r < T->nrows) {
        size_t left = T->n[p.r] - p.a;
        int first = p.r == from.r && p.a == from.a;
        if (y - part_h(T, left) >= L->bottom - 0.01f) {
            y -= part_h(T, left);
            p = (tpos){p.r + 1, 0};
            continue;
        }
        float room = y - T->pad - L->bottom + 0.01f;
        size_t fit = room > 0 ? (size_t)(room / T->lh) : 0, most = left - cb_lay_lines_min(left);
        if (fit > most) fit = most;
        if (fit >= CB_KEEP_LINES) p.a += fit;
        else if (first && at_page_top(L)) /* taller than a page: cut */
            p.a += fit > 0 ? fit : left > 1 ? 1 : 0;
        if (first && p.r == from.r && p.a == from.a) p = (tpos){p.r + 1, 0}; /* at least a row */
        break;
    }
    tpos end = {T->nrows, 0};
    if (p.r >= T->nrows || T->nrows < CB_KEEP_ROWS || parts(T, p, end) >= CB_KEEP_ROWS) return p;
    /* too little left for the next page: its last CB_KEEP_ROWS rows go over, the first
     * of them broken between its lines when it may be and this page keeps enough */
    size_t r = T->nrows - CB_KEEP_ROWS, n = T->n[r];
    tpos tail = {r, n >= 2 * CB_KEEP_LINES ? n - CB_KEEP_LINES : 0};
    if (before(tail, p) && before(from, tail) && parts(T, from, tail) >= CB_KEEP_ROWS) return tail;
    tail.a = 0;
    if (before(tail, p) && before(from, tail) && parts(T, from, tail) >= CB_KEEP_ROWS) return tail;
    return p;
}

void cb_table_place(lay *L, const cb_block *b, const cb_block *next)
{
    (void)next;
    const cb_template *t = L->t;
    size_t nc = b->ncols;
    if (!nc) return;
    float size = t->table_size, lh = size * 1.45f, px = 5, py = 4.5f * t->cell_padding;
    float *cw = cb_xmalloc(nc * sizeof *cw), *cx = cb_xmalloc(nc * sizeof *cx);
    cb_table_widths(L, b, b->nrows, size, px, lh, 2 * py, L->y - L->bottom, cw);
    float x = L->left;
    for (size_t c = 0; c < nc; c++) {
        cx[c] = x;
        x += cw[c];
    }
    /* wrap the header and every cell once */
    cell_lines *head = cb_xcalloc(nc, sizeof *head);
    float head_h = 0;
    cb_lay_type(L, CB_FONT_FIGURES, 1); /* a table is figures: its header bold */
    for (size_t c = 0; c < nc; c++) {
        const char *s = b->cols[c].title ? b->cols[c].title : "";
        head[c].n = cb_lay_wrap(L, s, size, cw[c] - 2 * px, cw[c] - 2 * px, &head[c].lines);
        if (head[c].n * lh > head_h) head_h = head[c].n * lh;
    }
    head_h += 2 * py;
    size_t ncells = b->nrows * nc;
    /* the wrapped cells count against the memory budget while the table is laid out */
    size_t held = ncells * sizeof(cell_lines) + b->nrows * sizeof(size_t), nrows = b->nrows;
    if (!cb_page_charge(L->page, held)) nrows = 0; /* too big: laid out empty, and failed */
    cell_lines *cells = cb_xcalloc(nrows ? ncells : 1, sizeof *cells);
    size_t *row_n = cb_xcalloc(nrows ? nrows : 1, sizeof *row_n); /* each row's lines */
    cb_lay_type(L, CB_FONT_FIGURES, 0);
    for (size_t r = 0; r < nrows; r++) {
        row_n[r] = 1;
        for (size_t c = 0; c < nc; c++) {
            const char *s = b->cells[r * nc + c] ? b->cells[r * nc + c] : "";
            cell_lines *cl = &cells[r * nc + c];
            cl->n = cb_lay_wrap_words(L, s, size, cw[c] - 2 * px, cw[c] - 2 * px, 1, &cl->lines);
            cl->lines = cb_xrealloc(cl->lines, cl->n * sizeof *cl->lines); /* kept: no spare room */
            held += CB_HEAP_BYTES(cl->n * sizeof *cl->lines);
            if (cl->n > row_n[r]) row_n[r] = cl->n;
            cb_page_charge(L->page, CB_HEAP_BYTES(cl->n * sizeof *cl->lines));
        }
        if (L->out->mem_over) nrows = r + 1; /* stop here: the layout fails */
    }
    trows T = {row_n, nrows, lh, 2 * py};

    /* where it may start (docs/templates.md, "Page breaks"): with its header and first
     * CB_KEEP_ROWS rows (the last of them broken between its lines if it may be) when it
     * may split, leaving as many for the next page; else whole */
    int splits = nrows >= 2 * CB_KEEP_ROWS ||
                 (nrows == 2 * CB_KEEP_ROWS - 1 && row_n[CB_KEEP_ROWS - 1] >= 2 * CB_KEEP_LINES);
    float start_h = head_h;
    for (size_t r = 0; r < nrows && (!splits || r < CB_KEEP_ROWS); r++)
        start_h += part_h(&T, splits && r == CB_KEEP_ROWS - 1 ? cb_lay_lines_min(row_n[r]) : row_n[r]);
    cb_lay_ensure(L, start_h);
    /* one table node however many pages it takes; its header row once, repeated as an
     * artifact; a row broken across pages is one row of it, its cells one cell each */
    uint32_t table = cb_lay_open(L, CB_ROLE_TABLE), head_row = CB_NODE_NONE;
    uint32_t *cell_node = cb_xmalloc(nc * sizeof *cell_node);
    for (tpos p = {0, 0}; !L->out->mem_over;) {
        tpos end = segment_end(L, &T, head_h, p);
        int first = head_row == CB_NODE_NONE;
        if (first) head_row = cb_lay_node(L, CB_ROLE_ROW, 0, table);
        cb_lay_at(L, first ? CB_ART_DECORATION : CB_ART_REPEATED);
        cb_lay_rect(L, L->left, L->y - head_h, L->width, head_h, t->primary);
        for (size_t c = 0; c < nc; c++) {
            const char *s = b->cols[c].title ? b->cols[c].title : "";
            if (first) cb_lay_at(L, cb_lay_node(L, CB_ROLE_HEADER_CELL, 0, head_row));
            align_t a = b->cols[c].align == 'r' ? ALIGN_RIGHT : b->cols[c].align == 'c' ? ALIGN_CENTER : ALIGN_LEFT;
            float block = head[c].n * lh, y0 = L->y - (head_h - block) / 2;
            for (size_t i = 0; i < head[c].n; i++)
                cb_lay_aligned(L, cx[c] + px, cw[c] - 2 * px, baseline_in(L, y0 - i * lh, lh, size),
                               size, (cb_rgb){1, 1, 1}, 1, s + head[c].lines[i].start,
                               head[c].lines[i].len, a);
        }
        L->y -= head_h;
        for (; before(p, end) && !L->out->mem_over; p = p.a ? p : (tpos){p.r + 1, 0}) {
            size_t r = p.r, to = r == end.r ? end.a : row_n[r]; /* its lines p.a .. to here */
            float h = part_h(&T, to - p.a);
            cb_lay_at(L, CB_ART_DECORATION);
            if (r % 2 == 1) cb_lay_rect(L, L->left, L->y - h, L->width, h, t->band);
            if (p.a == 0) {
                uint32_t row = cb_lay_node(L, CB_ROLE_ROW, 0, table);
                for (size_t c = 0; c < nc; c++) cell_node[c] = cb_lay_node(L, CB_ROLE_DATA_CELL, 0, row);
            }
            for (size_t c = 0; c < nc; c++) {
                const char *s = b->cells[r * nc + c] ? b->cells[r * nc + c] : "";
                cb_lay_at(L, cell_node[c]);
                cell_lines *cl = &cells[r * nc + c];
                align_t a = b->cols[c].align == 'r' ? ALIGN_RIGHT : b->cols[c].align == 'c' ? ALIGN_CENTER : ALIGN_LEFT;
                for (size_t i = p.a; i < cl->n && i < to; i++)
                    cb_lay_aligned(L, cx[c] + px, cw[c] - 2 * px,
                                   baseline_in(L, L->y - py - (float)(i - p.a) * lh, lh, size), size, t->text, 0,
                                   s + cl->lines[i].start, cl->lines[i].len, a);
            }
            L->y -= h;
            cb_lay_at(L, CB_ART_DECORATION);
            cb_lay_line(L, L->left, L->y, L->right, L->y, 0.4f, t->rule);
            p.a = to < row_n[r] ? to : 0; /* the rest of a row broken here goes on */
        }
        if (p.r >= nrows) break;
        cb_lay_new_page(L); /* the page is full: the rest goes on */
    }
    free(cell_node);
    cb_lay_gap(L, 12 * t->table_size / 9.5f); /* 12 pt under the default 9.5 pt table type */
    for (size_t c = 0; c < nc; c++) free(head[c].lines);
    for (size_t i = 0; i < nrows * nc; i++) free(cells[i].lines);
    free(head);
    free(cells);
    free(row_n);
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

void cb_progress_place(lay *L, const cb_block *b, const cb_block *next)
{
    (void)next;
    const cb_template *t = L->t;
    float size = t->body_size, small = t->small_size + 0.5f;
    /* bar and gaps sized with the body type: 8 pt bars under the default 10.5 pt */
    float k = fminf(1.6f, fmaxf(0.5f, size / 10.5f)), bar = 8 * k, gap = 10 * k;
    uint32_t list = cb_lay_open(L, CB_ROLE_LIST);
    for (size_t i = 0; i < b->nitems; i++) {
        const cb_item *it = &b->items[i];
        uint32_t item = cb_lay_node(L, CB_ROLE_LIST_ITEM, 0, list);
        cb_line *dl = NULL;
        cb_lay_type(L, CB_FONT_BODY, 0);
        size_t nd = it->detail ? cb_lay_wrap(L, it->detail, small, L->width, L->width, &dl) : 0;
        const char *label = it->label ? it->label : "";
        cb_lay_type(L, CB_FONT_FIGURES, 1); /* the value is a figure */
        float vw = it->value ? cb_lay_width(L, it->value, size) : 0;
        cb_lay_type(L, CB_FONT_HEADING, 1); /* a bold label, as headings are (a body bold face
                                             * for a few labels would cost a whole face) */
        cb_line *ll = NULL;
        size_t at, nl = cb_lay_beside(L, label, size, L->width, vw, &ll, &at);
        float lh = size * 1.6f, llh = size * 1.45f; /* a wrapped label's next lines */
        float h = lh + (nl - 1) * llh + 2 + bar + 6 * k + nd * small * 1.5f + gap;
        cb_lay_ensure(L, h);
        float bl = baseline_in(L, L->y, lh, size);
        cb_lay_at(L, item);
        for (size_t l = 0; l < nl; l++)
            cb_lay_text(L, L->left, bl - l * llh, size, t->text, 1, label + ll[l].start, ll[l].len, 0);
        free(ll);
        cb_lay_type(L, CB_FONT_FIGURES, 1);
        if (it->value)
            cb_lay_aligned(L, L->left, L->width, bl - at * llh, size, t->primary, 1, it->value, strlen(it->value),
                           ALIGN_RIGHT);
        cb_lay_type(L, CB_FONT_BODY, 0);
        L->y -= lh + (nl - 1) * llh + 2;
        if (it->number >= 0) { /* the bar: a figure of the fraction; without one, decoration */
            uint32_t fig = cb_lay_node(L, CB_ROLE_FIGURE, 0, item);
            cb_lay_alt(L, fig, it->value ? cb_xasprintf(english(L) ? "%s: %s" : "%s：%s", label, it->value)
                                         : cb_xasprintf("%s %.0f%%", label, fmin(it->number, 1) * 100));
            cb_lay_at(L, fig);
        } else {
            cb_lay_at(L, CB_ART_DECORATION);
        }
        cb_lay_rect(L, L->left, L->y - bar, L->width, bar, t->panel);
        if (it->number >= 0) {
            double f = it->number > 1 ? 1 : it->number;
            if (f > 0) cb_lay_rect(L, L->left, L->y - bar, (float)(L->width * f), bar, it->number >= 1 ? t->bar : t->accent);
        }
        L->y -= bar + 6 * k;
        cb_lay_at(L, item);
        for (size_t d = 0; d < nd; d++) {
            cb_lay_text(L, L->left, baseline_in(L, L->y, small * 1.5f, small), small, t->muted, 0,
                        it->detail + dl[d].start, dl[d].len, 0);
            L->y -= small * 1.5f;
        }
        cb_lay_gap(L, gap);
        free(dl);
    }
}

void cb_notes_place(lay *L, const cb_block *b, const cb_block *next)
{
    (void)next;
    const cb_template *t = L->t;
    float size = t->small_size, lh = size * 1.55f;
    cb_lay_type(L, CB_FONT_HEADING, 1); /* a caption, set as headings are: a body bold face
                                         * for one line would cost the PDF a whole face */
    cb_line *tl = NULL;
    size_t nt = b->text ? cb_lay_wrap(L, b->text, size, L->width, L->width, &tl) : 0;
    /* the title (a long one wraps) and the first item's first lines (as many as may
     * start a page's foot: its lines follow cb_lay_lines_here) */
    cb_lay_type(L, CB_FONT_BODY, 0);
    float numw = b->nitems > 1 ? cb_lay_width(L, "00. ", size) : 0;
    cb_line *first = NULL;
    size_t n1 = b->nitems && b->items[0].label
                ? cb_lay_wrap(L, b->items[0].label, size, L->width - numw, L->width - numw, &first) : 0;
    free(first);
    cb_lay_type(L, CB_FONT_HEADING, 1);
    cb_lay_ensure(L, 8 + lh * (float)(nt + cb_lay_lines_min(n1)));
    if (!at_page_top(L)) cb_lay_gap(L, 4);
    uint32_t list = cb_lay_node(L, CB_ROLE_LIST, 0, cb_lay_container(L));
    cb_lay_at(L, CB_ART_DECORATION);
    cb_lay_line(L, L->left, L->y, L->left + L->width * 0.3f, L->y, 0.5f, t->rule);
    L->y -= 4;
    if (b->text) { /* the list's caption */
        cb_lay_at(L, cb_lay_node(L, CB_ROLE_CAPTION, 0, list));
        for (size_t k = 0, page_end = 0; k < nt; k++) {
            if (k == page_end) page_end = k + cb_lay_lines_here(L, lh, k, nt);
            cb_lay_text(L, L->left, baseline_in(L, L->y, lh, size), size, t->muted, 1, b->text + tl[k].start,
                        tl[k].len, 0);
            L->y -= lh;
        }
        free(tl);
    }
    cb_lay_type(L, CB_FONT_BODY, 0);
    for (size_t i = 0; i < b->nitems; i++) {
        const char *s = b->items[i].label ? b->items[i].label : "";
        cb_line *lines = NULL;
        size_t n = cb_lay_wrap(L, s, size, L->width - numw, L->width - numw, &lines);
        char num[32] = "";
        if (b->nitems > 1) snprintf(num, sizeof num, "%zu.", i + 1);
        cb_lay_at(L, cb_lay_node(L, CB_ROLE_LIST_ITEM, 0, list));
        for (size_t k = 0, page_end = 0; k < n; k++) {
            if (k == page_end) page_end = k + cb_lay_lines_here(L, lh, k, n);
            float bl = baseline_in(L, L->y, lh, size);
            if (k == 0) cb_lay_text(L, L->left, bl, size, t->muted, 0, num, strlen(num), 0);
            cb_lay_text(L, L->left + numw, bl, size, t->muted, 0, s + lines[k].start, lines[k].len, 0);
            L->y -= lh;
        }
        free(lines);
    }
    cb_lay_gap(L, 6);
}

/* A plugin block's height for state st at the text width (plugin.h: measure): a crash
 * in it names the block; a height that is not a number counts as 0. */
static float plugin_height(const cb_block *b, const void *st, const cb_canvas *mc, float width)
{
    cb_worker_mark(CB_MARK_BLOCK, b->ptype, NULL);
    float h = b->ptype->measure((void *)st, b->papi, mc, width);
    cb_worker_mark(CB_MARK_NONE, NULL, NULL);
    return isfinite(h) && h > 0 ? h : 0;
}

static void plugin_destroy(const cb_block *b, void *st)
{
    if (!st || !b->ptype->destroy) return;
    cb_worker_mark(CB_MARK_BLOCK, b->ptype, NULL);
    b->ptype->destroy(st);
    cb_worker_mark(CB_MARK_NONE, NULL, NULL);
}

/* Asks a version-2 block to split st (h points tall) at `avail` points (plugin.h, "Blocks
 * across pages"): 1 with *head (hh points, at most avail) and *rest, both ours; 0 for no
 * progress. A head too tall, or one of less than a point, or a rest not at least a point
 * shorter than the whole, counts as none: each split takes a point off, so none loops. */
static int plugin_split(const cb_block *b, const void *st, const cb_canvas *mc, float width, float h,
                        float avail, void **head, float *hh, void **rest)
{
    *head = *rest = NULL;
    cb_worker_mark(CB_MARK_BLOCK, b->ptype, NULL);
    int ok = b->ptype->split(st, b->papi, mc, width, avail, head, rest);
    cb_worker_mark(CB_MARK_NONE, NULL, NULL);
    if (ok && *head && *rest && (*hh = plugin_height(b, *head, mc, width)) <= avail && *hh >= 1 &&
        plugin_height(b, *rest, mc, width) <= h - 1)
        return 1;
    plugin_destroy(b, *head);
    plugin_destroy(b, *rest);
    *head = *rest = NULL;
    return 0;
}

/* Draws st, part of figure fig, in a box of the text width and height h below the cursor.
 * Returns 1 if the block said what it is (plugin.h: describe). */
static int plugin_draw(lay *L, const cb_block *b, void *st, float h, uint32_t fig)
{
    cb_canvas c;
    cb_lay_at(L, fig);
    cb_canvas_init(&c, L->page, cb_font_for(L->font, CB_FONT_FIGURES, 0), L->t, L->left, L->y - h);
    cb_worker_mark(CB_MARK_BLOCK, b->ptype, NULL);
    b->ptype->draw(st, b->papi, &c, L->width, h);
    cb_worker_mark(CB_MARK_NONE, NULL, NULL);
    cb_canvas_free(&c);
    return c.described;
}

/* The alternative text of a block that gave none: its type's name, then the texts it drew
 * (on pages from `page` on), which say more than the name alone. */
static char *plugin_alt(lay *L, const cb_block *b, uint32_t fig, size_t page)
{
    cb_buf a = {0};
    cb_buf_adds(&a, b->ptype->name);
    const char *sep = english(L) ? ": " : "：";
    for (size_t p = page; p < L->out->npages; p++)
        for (size_t k = 0; k < L->out->pages[p].nops; k++) {
            const cb_op *op = &L->out->pages[p].ops[k];
            if (op->node != fig || op->kind != CB_OP_TEXT) continue;
            cb_buf_adds(&a, sep);
            cb_buf_adds(&a, op->text);
            sep = " ";
        }
    return a.s;
}

/* A block from a plugin: it says how tall it is at the text width, then draws in that box.
 * One that does not fit below the cursor is split when its type can (version 2: the head
 * here, the rest on the next page, split again as needed), else it moves to the next
 * page whole; one taller than a page that cannot split is cut to the page. Every part
 * belongs to one Figure of the structure. */
static void lay_plugin(lay *L, const cb_block *b)
{
    const cb_block_type *ty = b->ptype;
    int splits = ty->version >= 2 && ty->split, described = 0;
    cb_canvas mc; /* for measuring: no page */
    cb_canvas_init(&mc, NULL, cb_font_for(L->font, CB_FONT_FIGURES, 0), L->t, 0, 0); /* a plugin's text: figures */
    void *st = b->pstate, *rest_owned = NULL; /* a rest from split is ours to destroy */
    float h = plugin_height(b, st, &mc, L->width), room = L->top - L->bottom;
    if (h <= 0) { /* nothing to show (a bar chart without bars): no room, no figure */
        cb_canvas_free(&mc);
        return;
    }
    uint32_t fig = CB_NODE_NONE; /* one figure for every part, unless it says otherwise */
    size_t page0 = 0;
    for (;;) {
        float avail = L->y - L->bottom;
        void *head, *rest;
        float hh;
        if (h > avail && splits && avail > 0 &&
            plugin_split(b, st, &mc, L->width, h, avail, &head, &hh, &rest)) {
            if (fig == CB_NODE_NONE) {
                fig = cb_lay_open(L, CB_ROLE_FIGURE);
                page0 = L->out->npages - 1;
            }
            described |= plugin_draw(L, b, head, hh, fig);
            plugin_destroy(b, head);
            plugin_destroy(b, rest_owned);
            st = rest_owned = rest;
            h = plugin_height(b, st, &mc, L->width);
            cb_lay_new_page(L);
            continue;
        }
        if (h > avail && !at_page_top(L)) { /* whole, on the next page */
            cb_lay_new_page(L);
            continue;
        }
        break;
    }
    if (h > room) {
        cb_lay_warn(L, "block \"%s\" is taller than a page: cut to the page", ty->name);
        h = room;
    }
    if (fig == CB_NODE_NONE) {
        fig = cb_lay_open(L, CB_ROLE_FIGURE);
        page0 = L->out->npages - 1;
    }
    described |= plugin_draw(L, b, st, h, fig);
    if (!described) cb_lay_alt(L, fig, plugin_alt(L, b, fig, page0));
    plugin_destroy(b, rest_owned);
    cb_canvas_free(&mc);
    L->y -= h;
    cb_lay_gap(L, 10);
}

void cb_lay_block(lay *L, const cb_block *b, const cb_block *next)
{
    const cb_builtin *t = cb_builtin_of(b->kind);
    int pull = b == L->pull;
    if (pull) {
        L->pulling = 1;
        cb_lay_set_bottom(L);
    }
    if (t) t->place(L, b, next);
    else lay_plugin(L, b); /* a plugin's block: its type is b->ptype */
    if (pull) {
        L->pulling = 0;
        cb_lay_set_bottom(L);
    }
}
