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

#include "doc.h"
#include "font.h"
#include "template.h"

typedef enum cb_op_kind { CB_OP_TEXT, CB_OP_RECT, CB_OP_LINE, CB_OP_PATH } cb_op_kind;

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
    cb_rgb color;
    int bold;          /* text: drawn fill-then-stroke, the font having no bold face */
    char *text;        /* text: UTF-8, owned */
    /* path: segments (owned), how to paint them, and the stroke's look */
    cb_path_seg *segs;
    size_t nsegs;
    int paint;         /* CB_PAINT_FILL | CB_PAINT_STROKE */
    cb_rgb stroke;
    float dash_on, dash_off;
} cb_op;

typedef struct cb_page {
    size_t nops, cap;
    cb_op *ops;
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
} cb_layout;

int cb_layout_run(cb_layout *out, const cb_doc *doc, const cb_template *t, cb_font *font,
                  cb_error *err);

/* Appends a zeroed operation of `kind` to page p and returns it. */
cb_op *cb_page_push(cb_page *p, cb_op_kind kind);
void cb_layout_free(cb_layout *l);

/* "Nice" axis ticks for a value range 0..max: sets the step and the number of steps so
 * that step is 1, 2, 2.5 or 5 times a power of ten and steps * step >= max. */
void cb_nice_ticks(double max, int max_steps, double *step, int *steps);

#endif /* CB_LAYOUT_H */
