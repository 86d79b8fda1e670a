/*
 * layout_int.h: what the layout's files share (layout.c, layout_blocks.c, layout_page.c,
 * layout_missing.c); no other module includes it.
 *
 * One `lay` is the state of one cb_layout_run: the layout being built, the template and
 * font it borrows, the cursor on the current page and the open sections. Drawing goes through the cb_lay_* helpers below, which
 * push onto the current page and count against the layout's memory budget.
 */
#ifndef CB_LAYOUT_INT_H
#define CB_LAYOUT_INT_H

#include <string.h>

#include "doc.h"
#include "layout.h"
#include "wrap.h"

/* A line of a table of contents (layout_toc.c), kept in cb_layout.toc until the pages are
 * known. */
typedef struct cb_toc_slot {
    size_t heading;  /* which heading of the document (0: its first) */
    size_t page;     /* where the line is: page index and top */
    float y;
    int level;
    uint32_t node;   /* the line's node (a list item) */
    size_t at;       /* where its operations go in the page's (reading order): after what
                      * the page held when its place was kept */
} cb_toc_slot;
typedef struct cb_lay_wraps cb_lay_wraps; /* layout.c: cb_lay_wrap's lines, kept for a run */
/* The pages whose gaps a pass tightens, and by how much (lay's gap_k). */
#define CB_TIGHT_MAX 4
typedef struct cb_tight {
    size_t page[CB_TIGHT_MAX];
    float k[CB_TIGHT_MAX];
    size_t n;
} cb_tight;

typedef struct lay {
    cb_layout *out;
    cb_lay_wraps *wraps;        /* shared by a run's passes and lookaheads (NULL: none) */
    const cb_template *t;
    const cb_doc *doc;
    cb_font *font;              /* the document's font list */
    /* the typeface role (font.h) of the text being set, and whether it is bold: what
     * cb_lay_wrap and cb_lay_width measure with; cb_lay_text and cb_lay_aligned draw in the
     * role, bold as they are told (cb_lay_type sets both) */
    cb_font_role role;
    int bold;
    cb_page *page;
    float y;                    /* top of the space left on the current page */
    float top, bottom, left, right, width;
    float asc, desc;            /* font ascender and (negative) descender, in ems */
    const char *heading;        /* the last heading's text, to say where a block is */
    int lookahead;              /* layouts nested to try what follows a heading (scratch) */
    /* the open sections by heading level (index 1..4; CB_NODE_NONE: none open): a block
     * belongs to the deepest one, else to the document */
    uint32_t section[5];
    /* a trailing notes block that would be alone on the last page pulls the end of the
     * block before it over (cb_layout_run): while `pull` is laid out (pulling), the foot
     * of page pull_page is raised by pull_h. page_base: the index in the document of this
     * layout's first page (a lookahead's scratch pages start at the page it looks from) */
    const cb_block *pull;
    size_t pull_page, page_base;
    float pull_h;
    int pulling;
    float pull_room; /* the room left at the foot of page pull_page when it was left; -1: not yet */
    /* a page that the block after it, moving over, left a sixth empty or more (by the
     * cursor, under the last block's gap: about a fifth of its foot without ink) is laid
     * out again with the gaps between its blocks tightened (layout.c: lay_tight): gap_k,
     * the share of every gap cb_lay_gap keeps on the current page (1 but on `tight`'s
     * pages); hole_page, the first page so left (watched from the first block on, not in
     * a lookahead; SIZE_MAX: none) */
    const cb_tight *tight;
    float gap_k;
    int watch_holes;
    size_t hole_page;
    /* the strict grid (template.h: type.grid): the line pitch and the character cell, in
     * points; 0 when the template has none (an English document's lines are on the grid,
     * its characters are not: cell 0) */
    float pitch, cell;
    int numbers[5];             /* the heading numbers by level (1..4: type.numbering) */
} lay;

static inline int at_page_top(const lay *L) { return L->y >= L->top - 0.01f; }

/* Baseline that centres the glyphs' ascender-descender box in a line box of height lh
 * whose top is at y. */
static inline float baseline_in(const lay *L, float y, float lh, float size)
{
    return y - (lh + (L->asc + L->desc) * size) / 2;
}

/* The baseline that centres the ideographic em box (0.88 em above the baseline, 0.12
 * below: every CJK face's; digits and capitals are centred within about 0.02 em of it) at
 * height mid, whatever the face's ascender and descender. The one rule for text level
 * with something drawn (the charts plugin's chart.bar, doc:barchart, keeps its labels and
 * values level with their bars by the same rule: cx_level), so text of every face and size
 * sits level with it and with each other. */
static inline float baseline_centred(float mid, float size) { return mid - 0.38f * size; }

/* On a grid the ideographic em box is centred in the grid line of height lh whose top is
 * at y: a line's place depends on the grid only. */
static inline float grid_baseline(float y, float lh, float size) { return baseline_centred(y - lh / 2, size); }

/* The height of a body line: the grid's pitch on a grid (type.grid), else body size times
 * leading. Whatever sets text in body lines (paragraphs, the 报头 and 报尾, contents) uses it. */
static inline float cb_lay_body_lh(const lay *L)
{
    return L->pitch > 0 ? L->pitch : L->t->body_size * L->t->leading;
}

static inline int english(const lay *L) { return strcmp(L->t->lang, "en") == 0; }

typedef enum { ALIGN_LEFT, ALIGN_CENTER, ALIGN_RIGHT } align_t;

/* layout.c: pages, drawing, wrapping, warnings */
/* Sets the role and weight of the text set next (the block's, or a part's). */
static inline void cb_lay_type(lay *L, cb_font_role role, int bold)
{
    L->role = role;
    L->bold = bold;
}
/* The font list of the current role, bold or not. */
static inline cb_font *cb_lay_font(const lay *L, int bold) { return cb_font_for(L->font, L->role, bold); }

void cb_lay_new_page(lay *L);
/* Sets L->bottom for the current page: the template's margin, or higher (see `pull`);
 * and L->gap_k (see `tight`). */
void cb_lay_set_bottom(lay *L);
/* The space of g points between blocks (or between a heading and what it heads): less on
 * a tightened page (gap_k). A line's height, a row's padding and a grid's lines are not
 * gaps: they keep their size. */
static inline void cb_lay_gap(lay *L, float g) { L->y -= g * L->gap_k; }
/* Where blocks may break across pages (docs/templates.md, "Page breaks"): a run of lines
 * leaves at least CB_KEEP_LINES on each side, so one of n lines may start at a page's foot
 * with cb_lay_lines_min(n) of them (cb_lay_lines_here's rule); a table leaves on each side
 * of a split at least CB_KEEP_ROWS rows (a row broken between its lines, as a run of
 * lines, counting on both), so one that cannot moves whole. */
#define CB_KEEP_ROWS 3
#define CB_KEEP_LINES 2
static inline size_t cb_lay_lines_min(size_t n) { return n < 2 * CB_KEEP_LINES ? n : CB_KEEP_LINES; }
/* The column widths cw of table b (its first nrows rows) at type size, with px points of
 * padding each side of a cell, lh a line's height and pad a row's padding, when room
 * points are left below the cursor for its header and first rows (layout_table.c). */
void cb_table_widths(lay *L, const cb_block *b, size_t nrows, float size, float px, float lh, float pad, float room,
                     float *cw);
/* Starts a new page unless h points fit below the cursor (or the page is still empty,
 * where nothing would be gained). */
void cb_lay_ensure(lay *L, float h);
/* Of lines i..n-1 of a block set in lines lh points apart, how many go on the current page
 * from the cursor (at least one), after starting a new page when i > 0 (the page before
 * is full) or when the rules ask: no first line alone at a page's foot (orphan), no last
 * line alone at a page's top (widow), unless the page is empty already. */
size_t cb_lay_lines_here(lay *L, float lh, size_t i, size_t n);
cb_op *cb_lay_push(lay *L, cb_op_kind kind);
void cb_lay_text(lay *L, float x, float y, float size, cb_rgb c, int bold, const char *s, size_t len,
                 float spacing);
void cb_lay_rect(lay *L, float x, float y, float w, float h, cb_rgb c);
void cb_lay_line(lay *L, float x0, float y0, float x1, float y1, float width, cb_rgb c);
void cb_lay_aligned(lay *L, float x, float w, float baseline, float size, cb_rgb c, int bold, const char *s,
                    size_t len, align_t a);
float cb_lay_width(lay *L, const char *s, float size);
void cb_lay_warn(lay *L, const char *fmt, const char *arg);
size_t cb_lay_wrap(lay *L, const char *s, float size, float first_w, float w, cb_line **lines);
/* One rule for two texts on one line, s at the left and one rw points wide at the right (a
 * label and its value, a heading and its page number): s, set in the current type, whole
 * when it fits w with half an em before the other, else wrapped (cb_lay_wrap) within the
 * room left of it, the other text on its first line (*at 0; a table of contents puts its
 * number on the last); when that room is under a third of w, s takes the whole width and
 * the other text a line of its own below it (*at: its index, an empty line of s). Returns
 * the number of lines (*lines malloc'd); a block counts them all in its height. */
size_t cb_lay_beside(lay *L, const char *s, float size, float w, float rw, cb_line **lines, size_t *at);
/* cb_lay_wrap breaking between words where it can (wrap.h: cb_break_lines_words): a table's
 * cells, narrow columns where a word split shows. */
size_t cb_lay_wrap_words(lay *L, const char *s, float size, float first_w, float w, int words, cb_line **lines);
/* The widest run of s that cb_lay_wrap_words never breaks when a line can hold it (wrap.h:
 * cb_widest_run): a table column's min-content width. */
float cb_lay_widest_run(lay *L, const char *s, float size, int words);
/* The strict grid (L->pitch, L->cell). cb_lay_snap moves the cursor down to the next grid
 * line (nothing without a grid). On a character grid (cell > 0), cb_lay_wrap_cells wraps as
 * cb_lay_wrap does, a character about an em wide taking a cell and a narrower one (a
 * half-width digit or letter) half a cell; cb_lay_cells draws a line so wrapped from x,
 * avail points wide, each character centred in its cells. A run of half-width characters
 * of odd length is rounded up to whole cells (centred in them) while the line keeps within
 * avail, so the characters after it stay on the grid; with justify, what the line still
 * lacks of avail (a mark kept off a line's start) is spread between its characters. */
void cb_lay_snap(lay *L);
size_t cb_lay_wrap_cells(lay *L, const char *s, float size, float first_w, float w, cb_line **lines);
void cb_lay_cells(lay *L, float x, float avail, float baseline, float size, cb_rgb c, int bold, const char *s,
                  size_t len, int justify);

/* layout.c: the structure (layout.h: cb_node). New operations belong to the layout's
 * node_now. cb_lay_node appends a node (its memory charged; past the budget it returns the
 * document's, and the layout fails anyway); cb_lay_open appends one to the block's
 * container (the deepest open section) and makes it the current one; cb_lay_at makes
 * `node` current and returns the one before; cb_lay_alt gives a figure its alternative
 * text (taking alt, malloc'd). */
uint32_t cb_lay_node(lay *L, cb_role role, int level, uint32_t parent);
uint32_t cb_lay_container(const lay *L);
uint32_t cb_lay_open(lay *L, cb_role role);
uint32_t cb_lay_at(lay *L, uint32_t node);
void cb_lay_alt(lay *L, uint32_t node, char *alt);

/* layout_blocks.c: one block of the document, `next` the one after it (or NULL) */
/* A heading's number (type.numbering) into buf, counted in numbers[1..4]. */
void cb_heading_number(lay *L, int *numbers, int level, char *buf, size_t n);
void cb_lay_block(lay *L, const cb_block *b, const cb_block *next);

/* layout_page.c: the cover (the current page, the first), then once the page count is
 * known the header, footer, watermark and logo of every page */
void cb_lay_cover(lay *L);
void cb_lay_page_furniture(lay *L);
/* A date (clock.h: seconds since 1970) as "2024年5月1日", in English "1 May 2024" (UTC). */
void cb_lay_date(char *buf, size_t n, long long t, int en);

/* layout_masthead.c: the 报头 a template with a masthead draws on page 1 when the report
 * gives none (doc:masthead): the template's name alone. */
void cb_lay_masthead(lay *L, const cb_block *b);

/* layout_toc.c: a table of contents (doc:toc) keeps a line for each heading it lists
 * (cb_toc_place); once every block is placed, cb_lay_finish_toc writes each line with the
 * page its heading landed on (the number the footer shows). */
void cb_lay_finish_toc(lay *L);

/* layout_missing.c: the characters no font has, noted where they are first drawn */
typedef struct cb_lay_mark { /* a place in the pages: ops pushed after it are new */
    size_t page, op;
} cb_lay_mark;
cb_lay_mark cb_lay_mark_now(const lay *L);
/* b drew the ops since m (NULL: the page header or footer) */
void cb_lay_scan_since(lay *L, cb_lay_mark m, const cb_block *b);
void cb_lay_finish_missing(lay *L);

#endif /* CB_LAYOUT_INT_H */
