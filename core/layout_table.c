/* layout_table.c: a table's column widths (cb_table_widths, layout_int.h): the script's
 * shares, or, when a column's text would wrap while another's leaves room unused, widths
 * from the cells' content as a browser's automatic table layout finds them, so that rows
 * take fewer lines and a table starts where its first rows can (docs/templates.md,
 * "Tables"). cb_table_place (layout_blocks.c) wraps and draws the cells. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "layout_int.h"

/* A column's relative width: non-positive or absurd values count as 1, so no width is
 * infinite or NaN whatever a script passes. */
static float col_share(float w) { return isfinite(w) && w > 0 && w < 1e4f ? w : 1; }

/* The widest line of s at size in the face set (its max-content width): its hard lines,
 * measured as the line breaker measures them (with the space between Chinese and Latin
 * that typeset.c adds, which the font's advances lack). */
static float max_content(lay *L, const char *s, float size)
{
    cb_line *lines = NULL;
    size_t n = *s ? cb_lay_wrap(L, s, size, 1e9f, 1e9f, &lines) : 0;
    float w = 0;
    for (size_t i = 0; i < n; i++) w = fmaxf(w, lines[i].width);
    free(lines);
    return w;
}

/* The lines the rows r0 .. r1 - 1 of a table (its header first) would take with column
 * widths cw, each cell estimated from its max-content width w[r * nc + c] (cb_table_widths),
 * as the sum of the rows' largest counts. */
static float est_lines(const float *w, size_t r0, size_t r1, size_t nc, const float *cw, float px)
{
    float sum = 0;
    for (size_t r = r0; r < r1; r++) {
        float most = 1;
        for (size_t c = 0; c < nc; c++) most = fmaxf(most, ceilf(w[r * nc + c] / (cw[c] - 2 * px) - 0.001f));
        sum += most;
    }
    return sum;
}

/* Tables of up to this many rows get their wrapping columns' widths searched for (the
 * search costs the rows squared); longer ones share the room freed by the deficits. */
#define WIDTHS_SEARCHED 80

/* The widening of columns cw by up to *spare points that makes the estimated lines of the
 * rows small: of every column and every width at which one of its cells would take a line
 * less, the one that saves most per point, while the room lasts. The lines of the first
 * `start` rows count `weight` times. */
static void widths_search(const float *w, size_t rows, size_t nc, float px, size_t start, float weight, float *cw,
                          float *spare)
{
    float lines = weight * est_lines(w, 0, start, nc, cw, px) + est_lines(w, 0, rows, nc, cw, px);
    while (*spare > 0.01f) {
        float best = 0, best_to = 0, best_lines = lines;
        size_t best_c = nc;
        for (size_t c = 0; c < nc; c++) {
            float was = cw[c];
            for (size_t r = 0; r < rows; r++) {
                float n = ceilf(w[r * nc + c] / (was - 2 * px) - 0.001f);
                if (n < 2) continue;
                float to = w[r * nc + c] / (n - 1) + 2 * px + 0.01f;
                if (to - was > *spare) continue;
                cw[c] = to;
                float now = weight * est_lines(w, 0, start, nc, cw, px) + est_lines(w, 0, rows, nc, cw, px);
                float gain = (lines - now) / (to - was);
                cw[c] = was;
                if (gain > best || (gain == best && gain > 0 && to - was < best_to - cw[best_c]))
                    best = gain, best_to = to, best_c = c, best_lines = now;
            }
        }
        if (best_c == nc) break;
        *spare -= best_to - cw[best_c];
        cw[best_c] = best_to;
        lines = best_lines;
    }
}

/* Widens the columns narrower than their min-content width minw (their widest run that a
 * line does not break) to it, when all the minimums fit: the room comes from the columns
 * with the most slack over their own, each brought down to no less than the level at
 * which the room is found (as CSS automatic table layout keeps every column at least its
 * min-content width). When the minimums cannot all fit, cw stays and the runs wider than
 * their column are split where they overflow. */
static void keep_min_content(float *cw, const float *minw, size_t nc)
{
    float deficit = 0, most = 0;
    for (size_t c = 0; c < nc; c++) {
        if (cw[c] < minw[c]) deficit += minw[c] - cw[c];
        else most = fmaxf(most, cw[c] - minw[c]);
    }
    if (deficit < 0.01f) return;
    /* the level t at which the slacks over it give the deficit, by bisection */
    float lo = 0, hi = most, taken = 0;
    for (int k = 0; k < 40; k++) {
        float t = (lo + hi) / 2, sum = 0;
        for (size_t c = 0; c < nc; c++) sum += fmaxf(0, cw[c] - minw[c] - t);
        if (sum > deficit) lo = t;
        else hi = t;
    }
    for (size_t c = 0; c < nc; c++) taken += fmaxf(0, cw[c] - minw[c] - hi);
    if (taken < deficit - 0.01f) return; /* the minimums do not fit */
    for (size_t c = 0; c < nc; c++) {
        if (cw[c] < minw[c]) cw[c] += (minw[c] - cw[c]) * taken / deficit;
        else if (cw[c] - minw[c] > hi) cw[c] = minw[c] + hi;
    }
}

/* run[c]: the widest run (cb_lay_widest_run; +0.5 pt as max_content's) of column c's header
 * (bold, broken anywhere) and its first nrows cells (broken between words), measured only
 * in a cell whose max-content width mc (cb_table_widths) passes `over`, the widest run
 * found so far and, with cw, its column's width cw[c] less the padding px: no run of the
 * others can be wider (a run is a piece of a line), and a run costs ICU's word bounds of
 * its whole cell, more than the rest of the table's widths together. */
static void runs_over(lay *L, const cb_block *b, size_t nrows, float size, float px, const float *mc, float over,
                      const float *cw, float *run)
{
    size_t nc = b->ncols;
    for (size_t c = 0; c < nc; c++) {
        run[c] = 0;
        float at_least = cw ? fmaxf(over, cw[c] - 2 * px) : over;
        for (size_t r = 0; r <= nrows; r++) {
            const char *s = r ? b->cells[(r - 1) * nc + c] : b->cols[c].title ? b->cols[c].title : "";
            if (!s || mc[r * nc + c] <= at_least || mc[r * nc + c] <= run[c]) continue;
            cb_lay_type(L, CB_FONT_FIGURES, r == 0);
            run[c] = fmaxf(run[c], cb_lay_widest_run(L, s, size, r > 0) + 0.5f);
        }
    }
    cb_lay_type(L, CB_FONT_FIGURES, 0);
}

/* The columns' widths cw over the text width (docs/templates.md, "Tables"): the script's
 * shares, unless a column's text would wrap in its share while another's is narrower than
 * its share. Then, as a browser's automatic table layout does, a column whose every cell
 * (and its header, bold) fits in less than its share keeps just that (its max-content
 * width), and the room freed goes to the columns that wrap (widths_search, each cell's
 * lines estimated from its max-content width), so that the rows take few lines; when the
 * header and first CB_KEEP_ROWS rows so made would not fit in `room` (what is left on the
 * page) but would with the room given first to them, it is. What is left then goes to
 * the columns short of their max-content, then by the shares. Last, whatever the path, a
 * column narrower than its min-content width (its widest run that a line does not break:
 * "2000万元" whole) gets it from the columns with most slack (keep_min_content). The text
 * and its order stay the same. lh and pad: a table line's height, a row's padding. */
void cb_table_widths(lay *L, const cb_block *b, size_t nrows, float size, float px, float lh, float pad,
                         float room, float *cw)
{
    size_t nc = b->ncols, rows = 1 + (nrows <= WIDTHS_SEARCHED ? nrows : 0);
    float total = 0, *need = cb_xmalloc(nc * sizeof *need), *w = cb_xcalloc(rows * nc, sizeof *w);
    float *alt = cb_xmalloc(nc * sizeof *alt), *least = cb_xcalloc(nc, sizeof *least);
    float *minw = cb_xcalloc(nc, sizeof *minw), *mc = cb_xcalloc((nrows + 1) * nc, sizeof *mc);
    for (size_t c = 0; c < nc; c++) total += col_share(b->cols[c].width);
    for (size_t c = 0; c < nc; c++) {
        cw[c] = L->width * col_share(b->cols[c].width) / total;
        cb_lay_type(L, CB_FONT_FIGURES, 1);
        const char *title = b->cols[c].title ? b->cols[c].title : "";
        need[c] = w[c] = mc[c] = max_content(L, title, size) + 0.5f; /* and for rounding */
        cb_lay_type(L, CB_FONT_FIGURES, 0);
        for (size_t r = 0; r < nrows; r++) {
            const char *s = b->cells[r * nc + c];
            float m = mc[(r + 1) * nc + c] = s ? max_content(L, s, size) + 0.5f : 0;
            if (r + 1 < rows) w[(r + 1) * nc + c] = m;
            need[c] = fmaxf(need[c], m);
        }
        need[c] += 2 * px;
    }
    float spare = 0;
    int wraps = 0;
    for (size_t c = 0; c < nc; c++) {
        if (need[c] <= cw[c]) spare += cw[c] - need[c];
        else wraps = 1;
    }
    if (spare > 0.5f && wraps) {
        for (size_t c = 0; c < nc; c++)
            if (need[c] <= cw[c]) cw[c] = need[c];
        memcpy(alt, cw, nc * sizeof *cw);
        float alt_spare = spare;
        size_t start = 1 + CB_KEEP_ROWS < rows ? 1 + CB_KEEP_ROWS : rows;
        widths_search(w, rows, nc, px, start, 0, cw, &spare);
        if (rows > start) {
            float h = est_lines(w, 0, start, nc, cw, px) * lh + (float)start * pad;
            if (h > room) { /* the start first, the wrapping columns narrowed to their
                               * longest words: if that lets the table start here */
                runs_over(L, b, rows - 1, size, px, mc, 3 * size, NULL, least); /* not less than 3 em */
                for (size_t c = 0; c < nc; c++) least[c] = fmaxf(3 * size, least[c]) + 2 * px;
                for (size_t c = 0; c < nc; c++)
                    if (alt[c] > least[c] && alt[c] < need[c]) alt_spare += alt[c] - least[c], alt[c] = least[c];
                widths_search(w, rows, nc, px, start, 1000, alt, &alt_spare);
                if (est_lines(w, 0, start, nc, alt, px) * lh + (float)start * pad <= room) {
                    memcpy(cw, alt, nc * sizeof *cw);
                    spare = alt_spare;
                }
            }
        }
        /* the rest to the columns still short of their max-content, as far as it goes */
        for (int again = 1; again && spare > 0.01f;) {
            again = 0;
            float short_by = 0, given = 0;
            for (size_t c = 0; c < nc; c++) short_by += fmaxf(0, need[c] - cw[c]);
            if (short_by < 0.01f) break;
            for (size_t c = 0; c < nc; c++) {
                if (cw[c] >= need[c] - 0.01f) continue;
                float add = fminf(spare * (need[c] - cw[c]) / short_by, need[c] - cw[c]);
                cw[c] += add;
                given += add;
                if (cw[c] >= need[c] - 0.01f) again = 1;
            }
            spare -= given;
        }
        for (size_t c = 0; c < nc && spare > 0.01f; c++) /* all fit: the rest by the shares */
            cw[c] += spare * col_share(b->cols[c].width) / total;
    }
    /* a run wider than its column is in a cell wider than it: those settle whether any
     * column is short of its minimum; only then are every column's minimums needed */
    runs_over(L, b, nrows, size, px, mc, 0, cw, minw);
    int short_of = 0;
    for (size_t c = 0; c < nc; c++) short_of |= cw[c] < (minw[c] += 2 * px);
    if (short_of) {
        runs_over(L, b, nrows, size, px, mc, 0, NULL, minw);
        for (size_t c = 0; c < nc; c++) minw[c] += 2 * px;
        keep_min_content(cw, minw, nc);
    }
    free(mc);
    free(minw);
    free(alt);
    free(least);
    free(need);
    free(w);
}
