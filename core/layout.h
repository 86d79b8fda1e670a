/*
 * layout.h: turns a document into pages of positioned drawing operations.
 *
 * Blocks flow down the page inside the template's margins. Paragraphs and tables split
 * across pages (a split table repeats its header row); titles, KPI rows, charts and
 * progress rows move whole to the next page when they don't fit; a heading stays with
 * what follows it. Header and footer are added once the page count is known.
 *
 * Coordinates are PDF points with the origin at the bottom left of the page. Ownership:
 * the layout owns its pages, operations and strings; cb_layout_free releases them.
 */
#ifndef CB_LAYOUT_H
#define CB_LAYOUT_H

#include <stddef.h>
#include <stdint.h>

#include "doc.h"
#include "font.h"
#include "template.h"

/* CB_OP_IMAGE: the PNG (bold == 0) or JPEG (bold == 1) file `text`, already checked
 * (template.h: cb_image_check), scaled into the box x, y, w, h. */
typedef enum cb_op_kind { CB_OP_TEXT, CB_OP_RECT, CB_OP_LINE, CB_OP_PATH, CB_OP_IMAGE } cb_op_kind;

/* One segment of a path drawn by a plugin block: 'm' move, 'l' line, 'c' curve (three
 * points), 'h' close, 'r' rectangle (x, y, w, h). Coordinates are page points. */
typedef struct cb_path_seg {
    char kind;
    float pt[6];
} cb_path_seg;

enum { CB_PAINT_FILL = 1, CB_PAINT_STROKE = 2 };

typedef struct cb_op {
    cb_op_kind kind;
    float x, y;        /* text: baseline start; rect: lower-left corner; line: start */
    float w, h;        /* rect: size; line: end - start */
    float size;        /* text: font size; line: stroke width */
    float spacing;     /* text: extra space after each character (justification) */
    float angle;       /* text: rotation about (x, y), radians counter-clockwise */
    cb_rgb color;
    int bold;          /* text: drawn fill-then-stroke, the font having no bold face */
    int font;          /* text: the face drawing it (index in the font list, font.h), or
                        * CB_FACE_NONE: characters no face has, drawn as the replacement */
    char *text;        /* text: UTF-8, owned; all of it drawn by `font` (see cb_page_text) */
    /* path: segments (owned), how to paint them, and the stroke's look */
    cb_path_seg *segs;
    size_t nsegs;
    int paint;         /* CB_PAINT_FILL | CB_PAINT_STROKE */
    cb_rgb stroke;
    float dash_on, dash_off;
} cb_op;

struct cb_layout;
typedef struct cb_page {
    size_t nops, cap;
    cb_op *ops;
    struct cb_layout *owner; /* whose memory budget it counts against; NULL: none */
} cb_page;

typedef struct cb_bookmark {
    char *title;
    int level;
    size_t page;       /* 0-based */
    float y;           /* top of the heading */
} cb_bookmark;

typedef struct cb_layout {
    float page_w, page_h;
    size_t npages;
    cb_page *pages;
    size_t nmarks;
    cb_bookmark *marks;
    size_t nwarnings;
    char **warnings;   /* layout problems worth telling the author (text cut to fit) */
    /* characters no font has, in order of first use, each with where it was first met
     * ("table under "二、项目", row 2, column "名称": "𠀀村道路""); they are named in one
     * warning, warnings[missing_warning] */
    size_t nmissing;
    uint32_t *missing;
    char **missing_where;
    size_t missing_warning;
    uint32_t missing_as;  /* the character drawn instead (font.h: cb_font_replacement) */
    /* Memory: the pages, their operations, texts and paths, counted against the
     * document's budget (doc.h: mem_budget). Once over it, nothing more is kept (drawing
     * goes to `scratch`) and cb_layout_run fails naming the block. */
    size_t mem, mem_budget;
    int mem_over;
    cb_op scratch;
} cb_layout;

/* The most pages a document may have: libharu keeps a PDF's pages in one array, of at most
 * 32,767 items. A document growing past it fails in cb_layout_run, naming the block. */
#define CB_LAYOUT_MAX_PAGES 32767

int cb_layout_run(cb_layout *out, const cb_doc *doc, const cb_template *t, cb_font *font,
                  cb_error *err);

/* Adds to the missing-characters warning where each character comes from: where(ctx, ch)
 * is asked for each listed character ch (UTF-8) and gives a malloc'd place, e.g.
 * "examples/data/projects.csv:4:3" (data.h: cb_dataset_find_text), or NULL. Nothing to do
 * when no character is missing. The layout knows no data: the caller says where to look. */
void cb_layout_trace_missing(cb_layout *l, char *(*where)(void *ctx, const char *ch), void *ctx);

/* Pushes UTF-8 text s[0..len) onto page p as text ops, one per run of characters drawn
 * by the same face of f (font.h), each run placed after the one before: style gives the
 * start x and baseline y, size, spacing, color and bold. Measuring the same text with
 * cb_font_width gives its width (without spacing). Line breaking does not change. */
void cb_page_text(cb_page *p, cb_font *f, const cb_op *style, const char *s, size_t len);

/* Appends a zeroed operation of `kind` to page p and returns it. Past the layout's memory
 * budget, a scratch operation that is not kept. */
cb_op *cb_page_push(cb_page *p, cb_op_kind kind);
/* Counts n more bytes of page p's layout against its budget: 1 if they may be allocated,
 * 0 once past it (then the layout fails; the caller allocates nothing). */
int cb_page_charge(cb_page *p, size_t n);
/* What malloc(n) takes from the heap (glibc: a 16-byte aligned chunk with an 8-byte
 * header, at least 32), for charging small allocations at their real cost. */
#define CB_HEAP_BYTES(n) ((n) + 8 <= 32 ? (size_t)32 : ((size_t)(n) + 8 + 15) & ~(size_t)15)
void cb_layout_free(cb_layout *l);

/* "Nice" axis ticks for a value range 0..max: sets the step and the number of steps so
 * that step is 1, 2, 2.5 or 5 times a power of ten and steps * step >= max. */
void cb_nice_ticks(double max, int max_steps, double *step, int *steps);

#endif /* CB_LAYOUT_H */
