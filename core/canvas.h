/*
 * canvas.h: the drawing surface a plugin block draws on (countybrief/plugin.h: cb_canvas),
 * and the drawing half of the host API that writes into it.
 *
 * The layout (layout.c) makes a canvas for a block's box and hands it to the block's
 * measure and draw; the plugin host (plugin_host.c) puts the cb_canvas_* functions below into
 * the host API table. Drawing calls become the page's operations (layout.h: cb_page_push,
 * cb_page_text); a canvas without a page (measuring) ignores them. Paths count against the
 * layout's memory budget: past it, nothing more is kept.
 *
 * Ownership: the canvas borrows its page, font and template; cb_canvas_free releases the
 * path being built and gives its memory back to the budget. Values a plugin passes (NaN,
 * colours outside 0..1, negative widths) are clamped, never trusted.
 */
#ifndef CB_CANVAS_H
#define CB_CANVAS_H

#include "countybrief/plugin.h"
#include "font.h"
#include "layout.h"
#include "template.h"

struct cb_canvas {
    cb_page *page;          /* NULL while measuring: drawing calls are ignored */
    cb_font *font;
    float ox, oy;           /* the block box's lower-left corner on the page */
    cb_rgb fill, stroke;
    float line_width, dash_on, dash_off;
    cb_path_seg *segs;      /* the path being built */
    size_t nsegs, cap;
    size_t charged;         /* of the layout's memory budget, for segs: given back when freed */
    cb_theme theme;
    uint32_t node;          /* the block's node (layout.h), and its first operation on page */
    size_t first_op;
    int described;          /* the block said what it is (describe) */
};

void cb_canvas_init(cb_canvas *c, cb_page *page, cb_font *font, const cb_template *t,
                    float ox, float oy);
void cb_canvas_free(cb_canvas *c);

/* The host API's drawing calls (countybrief/plugin.h, "1.0: drawing"). */
void cb_canvas_set_fill_rgb(cb_canvas *c, float r, float g, float b);
void cb_canvas_set_stroke_rgb(cb_canvas *c, float r, float g, float b);
void cb_canvas_set_line_width(cb_canvas *c, float width);
void cb_canvas_set_dash(cb_canvas *c, float on, float off);
void cb_canvas_move_to(cb_canvas *c, float x, float y);
void cb_canvas_line_to(cb_canvas *c, float x, float y);
void cb_canvas_curve_to(cb_canvas *c, float x1, float y1, float x2, float y2, float x3, float y3);
void cb_canvas_close_path(cb_canvas *c);
void cb_canvas_rect(cb_canvas *c, float x, float y, float w, float h);
void cb_canvas_fill(cb_canvas *c);
void cb_canvas_stroke(cb_canvas *c);
void cb_canvas_fill_stroke(cb_canvas *c);
void cb_canvas_text(cb_canvas *c, float x, float y, float size, int align, const char *utf8);
float cb_canvas_text_width(const cb_canvas *c, float size, const char *utf8);
const cb_theme *cb_canvas_theme(const cb_canvas *c);
/* The host API's text and number calls of 1.2: line breaking by wrap.c's rules in the
 * canvas's font, and numfmt.c's money and counts in the canvas's language. */
size_t cb_canvas_break_lines(const cb_canvas *c, float size, const char *utf8, float width,
                             cb_text_line *lines, size_t max);
size_t cb_canvas_format_money(const cb_canvas *c, char *out, size_t n, double yuan);
size_t cb_canvas_format_quantity(const cb_canvas *c, char *out, size_t n, double v, const char *unit,
                                 const char *qualifier);
/* The host API's call of 1.3: the block's role and alternative text (cb_layout_describe). */
void cb_canvas_describe(cb_canvas *c, int role, const char *alt);
/* The host API's call of 1.4: a figure's caption, in the heading face, bold. */
void cb_canvas_caption(cb_canvas *c, float x, float top, float lh, float size, const char *utf8);

#endif /* CB_CANVAS_H */
