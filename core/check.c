/* check.c: see check.h. */
#include "check.h"

#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"
#include "wrap.h"

static const char *type_name(cb_type t)
{
    return t == CB_T_NUMBER ? "number" : t == CB_T_TEXT ? "text" : "empty";
}

/* One line "PREFIX message" on out, cleaned: it names the data's files and columns. */
static void say(FILE *out, const char *prefix, const char *fmt, ...) CB_PRINTF(3, 4);
static void say(FILE *out, const char *prefix, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *m = cb_clean_vasprintf(fmt, ap);
    va_end(ap);
    fprintf(out, "%s%s\n", prefix, m);
    free(m);
}

size_t cb_check_needs(const cb_needs *n, cb_dataset *ds, const char *report, FILE *out,
                      const char *prefix)
{
    size_t problems = 0;
    if (!n || !n->declared) return 0;
    int folder = cb_is_dir(ds->dir);
    for (size_t i = 0; i < n->ntables; i++) {
        const cb_need_table *nt = &n->tables[i];
        const cb_table *t = cb_dataset_table(ds, nt->name);
        if (!t) {
            /* a file there but skipped (a link out of the folder): an error even for an
             * optional table, whose part would silently go missing */
            const char *skipped = cb_dataset_skipped(ds, nt->name);
            if (nt->optional && !skipped) continue;
            problems++;
            if (skipped)
                say(out, prefix, "%s; report %s needs table \"%s\"", skipped, report, nt->name);
            else if (folder)
                say(out, prefix, "%s/%s.csv: no such file, report %s needs table \"%s\"", ds->dir, nt->name,
                    report, nt->name);
            else
                say(out, prefix, "%s: no table \"%s\", report %s needs it", ds->dir, nt->name, report);
            continue;
        }
        for (size_t c = 0; c < nt->ncols; c++) {
            int col = cb_table_col(t, nt->cols[c]);
            const char *want = nt->types[c];
            if (col < 0) {
                problems++;
                say(out, prefix, "%s: no column \"%s\", report %s needs it (%s)", t->path, nt->cols[c], report,
                    want);
                continue;
            }
            if (!strcmp(want, "any") || cb_table_column_empty(t, (size_t)col)) continue;
            const char *have = type_name(t->types[col]);
            if (strcmp(have, want) != 0) {
                problems++;
                /* a column of numbers but for a cell of text: that cell, named as a load
                 * names a bad cell */
                cb_error cell = {0};
                if (!strcmp(want, "number") && cb_dataset_first_text(ds, t, (size_t)col, &cell) != CB_OK) {
                    say(out, prefix, "%s (report %s needs numbers there)", cell.msg, report);
                } else {
                    say(out, prefix, "%s: column \"%s\" is %s, report %s needs %s", t->path, nt->cols[c], have,
                        report, want);
                }
            }
        }
    }
    return problems;
}

typedef struct face_size {
    cb_font *font;
    float size;
} face_size;

static float face_advance(void *ud, uint32_t prev, uint32_t cp, uint32_t next)
{
    (void)prev, (void)next;
    const face_size *fs = ud;
    return cb_font_advance(fs->font, cp) * fs->size;
}

/* s's width on one line, every character after none: no run of it is wider (the advances
 * above ignore their neighbours), so it bounds widest_word at a fraction of its cost. */
static float whole_width(const char *s, cb_font *f, float size)
{
    face_size fs = {f, size};
    float w = 0;
    for (const char *p = s, *end = s + strlen(s); p < end;) w += face_advance(&fs, 0, cb_utf8_next(&p, end), 0);
    return w;
}

/* Widest run of s that a line does not break (wrap.h: cb_widest_run; a cell's broken
 * between words, as layout_table.c measures it), in points: its start and length. */
static float widest_word(const char *s, cb_font *f, float size, int words, size_t *ws, size_t *wl)
{
    face_size fs = {f, size};
    return cb_widest_run(s, strlen(s), face_advance, &fs, words, ws, wl);
}

static void add_warning(char ***w, size_t *n, char *s)
{
    *w = cb_xrealloc(*w, (*n + 1) * sizeof **w);
    (*w)[(*n)++] = s;
}

size_t cb_check_table_overflow(const cb_doc *doc, const cb_template *t, cb_font *f,
                               char ***warnings, size_t *n)
{
    size_t added = 0;
    const char *heading = NULL;
    size_t ntable = 0;
    float width = t->page_w - t->margin_left - t->margin_right, size = t->table_size, px = 5;
    /* tables are set in the figures face (layout), their header in its bold weight: a real
     * bold face is wider than the regular one */
    cb_font *regular = cb_font_for(f, CB_FONT_FIGURES, 0), *bold = cb_font_for(f, CB_FONT_FIGURES, 1);
    for (size_t i = 0; i < doc->nblocks; i++) {
        const cb_block *b = &doc->blocks[i];
        if (b->kind == CB_BLOCK_HEADING) heading = b->text;
        if (b->kind != CB_BLOCK_TABLE || !b->ncols) continue;
        ntable++;
        float total = 0;
        for (size_t c = 0; c < b->ncols; c++) total += b->cols[c].width > 0 ? b->cols[c].width : 1;
        /* the layout gives every column its widest run when all of them fit the width
         * (layout_table.c): then nothing is split. Whole widths bound the runs: most
         * tables are settled by them, the rest measure a cell's runs only when its whole
         * width passes the widest run found in its column. */
        float least = 0;
        for (int exact = 0; exact < 2; exact++) {
            least = 0;
            for (size_t c = 0; c < b->ncols; c++) {
                float most = 0;
                for (size_t r = 0; r <= b->nrows; r++) {
                    const char *s = r == 0 ? (b->cols[c].title ? b->cols[c].title : "") : b->cells[(r - 1) * b->ncols + c];
                    if (!s) continue;
                    cb_font *face = r == 0 ? bold : regular;
                    float whole = whole_width(s, face, size);
                    size_t ws, wl;
                    if (!exact) most = fmaxf(most, whole);
                    else if (whole > most) most = fmaxf(most, widest_word(s, face, size, r > 0, &ws, &wl));
                }
                least += most + 2 * px + 0.5f;
            }
            if (least <= width) break;
        }
        if (least <= width) continue;
        char *name = heading ? cb_xasprintf("table under \"%s\"", heading)
                             : cb_xasprintf("table %zu", ntable);
        for (size_t c = 0; c < b->ncols; c++) {
            float avail = width * (b->cols[c].width > 0 ? b->cols[c].width : 1) / total - 2 * px;
            const char *title = b->cols[c].title ? b->cols[c].title : "";
            for (size_t r = 0; r <= b->nrows; r++) { /* r == 0: the header */
                const char *s = r == 0 ? title : b->cells[(r - 1) * b->ncols + c];
                if (!s) continue;
                size_t ws, wl;
                if (whole_width(s, r == 0 ? bold : regular, size) <= avail + 0.01f) continue;
                float w = widest_word(s, r == 0 ? bold : regular, size, r > 0, &ws, &wl);
                if (w <= avail + 0.01f) continue;
                char *where = r == 0 ? cb_xstrdup("header") : cb_xasprintf("row %zu", r);
                add_warning(warnings, n,
                            cb_xasprintf("%s, column \"%s\", %s: \"%.*s\" is %.0f pt wide, wider than "
                                         "its column (%.0f pt): the text overflows and is split "
                                         "mid-word; widen the column or shorten the text",
                                         name, title, where, (int)wl, s + ws, w, avail));
                free(where);
                added++;
            }
        }
        free(name);
    }
    return added;
}
