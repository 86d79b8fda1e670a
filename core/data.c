/* data.c: see data.h (and data_int.h for how the module is split): tables, cells and
 * column types, the schema, typing, and the builder every source's tables go through. */
#include "data_int.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

/* ---- string arena: one per table, so a dataset frees its strings in a few blocks ---- */

#define ARENA_BLOCK (64u * 1024)

char *cbd_arena_strndup(arena_block **a, const char *s, size_t n)
{
    arena_block *b = *a;
    if (!b || b->cap - b->used < n + 1) {
        int big = n + 1 > ARENA_BLOCK / 4;
        size_t cap = big ? n + 1 : ARENA_BLOCK;
        arena_block *nb = cb_xmalloc(sizeof *nb + cap);
        nb->used = 0;
        nb->cap = cap;
        if (big && b) {
            /* behind the current block, which keeps taking the small strings */
            nb->next = b->next;
            b->next = nb;
        } else {
            nb->next = b;
            *a = nb;
        }
        b = nb;
    }
    char *p = b->mem + b->used;
    memcpy(p, s, n);
    p[n] = '\0';
    b->used += n + 1;
    return p;
}

void cbd_arena_free(arena_block **a)
{
    while (*a) {
        arena_block *next = (*a)->next;
        free(*a);
        *a = next;
    }
}

/* ---- tables ---- */

table_impl *cbd_table_new(const char *name, const char *where, int csv)
{
    table_impl *ti = cb_xcalloc(1, sizeof *ti);
    ti->t.name = cb_xstrdup(name);
    ti->t.path = cb_xstrdup(where ? where : name);
    ti->t.county_col = -1;
    ti->name_col = -1;
    ti->csv = csv;
    return ti;
}

void cbd_table_columns(table_impl *ti, size_t ncols, const char *const *cols, const size_t *lens)
{
    cb_table *t = &ti->t;
    t->ncols = ncols;
    t->cols = cb_xmalloc(ncols * sizeof *t->cols);
    t->types = cb_xcalloc(ncols, sizeof *t->types);
    for (size_t c = 0; c < ncols; c++) {
        t->cols[c] = cbd_arena_strndup(&ti->arena, cols[c], lens ? lens[c] : strlen(cols[c]));
        if (strcmp(t->cols[c], "county_id") == 0) t->county_col = (int)c;
    }
}

int cbd_table_name_cmp(const void *a, const void *b)
{
    return strcmp((*(cb_table *const *)a)->name, (*(cb_table *const *)b)->name);
}

void cbd_table_free(table_impl *ti)
{
    if (!ti) return;
    cb_table *t = &ti->t;
    free(t->name);
    free(t->path);
    free(t->cols);
    free(t->types);
    free(t->cells);
    free(t->lines);
    free(t->order);
    free(t->first);
    for (size_t r = 0; t->made && r < t->nrows; r++) free(t->made[r]);
    free(t->made);
    free(ti->decl);
    free(ti->keys);
    cbd_lazy_free(ti->lazy, t->ncols);
    cbd_arena_free(&ti->arena);
    free(ti);
}

/* First `max` bytes or so of a cell for a message, cut on a UTF-8 boundary. */
int cbd_snippet_len(const char *s, size_t len, size_t max, const char **more)
{
    *more = "";
    if (len <= max) return (int)len;
    while (max > 0 && ((unsigned char)s[max] & 0xC0) == 0x80) max--;
    *more = "...";
    return (int)max;
}

/* ---- where messages point ---- */

#define PLACE_MAX 512

/* The header of a table, or one of its columns (col >= 0): "path:LINE[:COL]" for CSV,
 * "<where>[, column N]" otherwise (by number: the name may be what is wrong). */
const char *cbd_place_header(char *buf, const table_impl *ti, int col)
{
    const char *p = ti->t.path;
    if (ti->csv && col >= 0) snprintf(buf, PLACE_MAX, "%s:%zu:%d", p, ti->header_line, col + 1);
    else if (ti->csv) snprintf(buf, PLACE_MAX, "%s:%zu", p, ti->header_line);
    else if (col >= 0) snprintf(buf, PLACE_MAX, "%s, column %d", p, col + 1);
    else snprintf(buf, PLACE_MAX, "%s", p);
    return buf;
}

/* A row, or one of its cells (col >= 0): "path:LINE[:COL]" for CSV,
 * "<where>, row N[, column "name"]" otherwise. */
const char *cbd_place_cell(char *buf, const table_impl *ti, size_t line, int col)
{
    const char *p = ti->t.path;
    if (ti->csv && col >= 0) snprintf(buf, PLACE_MAX, "%s:%zu:%d", p, line, col + 1);
    else if (ti->csv) snprintf(buf, PLACE_MAX, "%s:%zu", p, line);
    else if (col >= 0)
        snprintf(buf, PLACE_MAX, "%s, row %zu, column \"%s\"", p, line, ti->t.cols[col]);
    else snprintf(buf, PLACE_MAX, "%s, row %zu", p, line);
    return buf;
}

/* How a table's rows are counted in messages: "(first on line 2)", "(first on row 2)". */
const char *cbd_line_word(const table_impl *ti) { return ti->csv ? "line" : "row"; }

/* ---- cells and column types ---- */

/* A number as text: integers without a fraction ("500233"), others with 15 digits. */
static const char *number_text(arena_block **arena, double v)
{
    char s[64];
    int n;
    if (v == 0) n = snprintf(s, sizeof s, "0"); /* not "-0" */
    else if (v == floor(v) && fabs(v) <= 9007199254740992.0) /* 2^53: exact integers */
        n = snprintf(s, sizeof s, "%.0f", v);
    else n = snprintf(s, sizeof s, "%.15g", v);
    return cbd_arena_strndup(arena, s, (size_t)n);
}

/* Why a number cell is not a number, after the quoted cell in the message. */
static const char *number_problem(cb_number_status st)
{
    switch (st) {
    case CB_NUM_NOT_FINITE: return " (not a finite number)";
    case CB_NUM_BAD_GROUPING:
        return " (thousands separators must split the digits in threes, as in 1,234,567)";
    default: return "";
    }
}

int cbd_fail_not_number(const table_impl *ti, size_t line, size_t col, const char *s,
                           cb_number_status st, cb_error *err)
{
    char at[PLACE_MAX];
    const char *more;
    int n = cbd_snippet_len(s, strlen(s), 60, &more);
    cbd_place_cell(at, ti, line, (int)col);
    if (ti->csv)
        return cb_fail(err, CB_EDATA, "%s: column \"%s\" expects a number, got \"%.*s%s\"%s", at,
                       ti->t.cols[col], n, s, more, number_problem(st));
    /* the place already ends in the column: `..., column "amount" expects a number` */
    return cb_fail(err, CB_EDATA, "%s expects a number, got \"%.*s%s\"%s", at, n, s, more,
                   number_problem(st));
}

int cbd_type_number(const table_impl *ti, const char *text, size_t line, size_t col,
                    double *num, cb_error *err)
{
    cb_number_status st = cb_number_parse(text, num);
    return st == CB_NUM_OK ? CB_OK : cbd_fail_not_number(ti, line, col, text, st, err);
}

int cbd_put_cell(table_impl *ti, arena_block **arena, cb_value *dst, const cb_value *src,
                 size_t len, int owned, cb_type type, size_t line, size_t col, cb_error *err)
{
    cb_value v = {CB_T_NULL, 0, NULL};
    if (src->type == CB_T_NUMBER) {
        if (type == CB_T_TEXT) {
            v.type = CB_T_TEXT;
            v.text = number_text(arena, src->num);
        } else {
            v.type = CB_T_NUMBER;
            v.num = src->num;
        }
    } else if (src->type == CB_T_TEXT) {
        if (type == CB_T_NUMBER) {
            int rc = cbd_type_number(ti, src->text, line, col, &v.num, err);
            if (rc != CB_OK) return rc;
            v.type = CB_T_NUMBER;
        } else {
            v.type = CB_T_TEXT;
            v.text = owned ? src->text : cbd_arena_strndup(arena, src->text, len);
        }
    }
    *dst = v;
    return CB_OK;
}

/* ---- the schema table ---- */

static cb_type schema_type(const schema *sc, const char *table, const char *column)
{
    /* schemas list tens of columns: a scan per table column is plenty */
    for (size_t i = 0; sc && i < sc->n; i++)
        if (strcmp(sc->e[i].table, table) == 0 && strcmp(sc->e[i].column, column) == 0)
            return sc->e[i].type;
    return CB_T_NULL;
}

static const char *const schema_cols[] = {"table", "column", "type"};

/* The schema table's header has the columns it needs (checked as it begins). */
static int schema_check_header(const table_impl *ti, cb_error *err)
{
    char at[PLACE_MAX];
    for (int i = 0; i < 3; i++)
        if (cb_table_col(&ti->t, schema_cols[i]) < 0)
            return cb_fail(err, CB_EDATA, "%s: missing column \"%s\"", cbd_place_header(at, ti, -1),
                           schema_cols[i]);
    return CB_OK;
}

/* Reads the entries of a finished schema table (every cell text). */
static int schema_read(schema *sc, const table_impl *ti, cb_error *err)
{
    const cb_table *t = &ti->t;
    char at[PLACE_MAX];
    int col[3];
    for (int i = 0; i < 3; i++) col[i] = cb_table_col(t, schema_cols[i]);
    for (size_t r = 0; r < t->nrows; r++) {
        const char *f[3];
        for (int i = 0; i < 3; i++) {
            const cb_value *v = cb_table_cell(t, r, (size_t)col[i]);
            f[i] = v->type == CB_T_TEXT ? v->text : "";
        }
        size_t line = t->lines[r];
        if (!*f[0])
            return cb_fail(err, CB_EDATA, "%s: empty table name",
                           cbd_place_cell(at, ti, line, col[0]));
        if (!*f[1])
            return cb_fail(err, CB_EDATA, "%s: empty column name",
                           cbd_place_cell(at, ti, line, col[1]));
        cb_type type;
        if (strcmp(f[2], "number") == 0) type = CB_T_NUMBER;
        else if (strcmp(f[2], "text") == 0) type = CB_T_TEXT;
        else
            return cb_fail(err, CB_EDATA, "%s: type must be \"number\" or \"text\", got \"%s\"",
                           cbd_place_cell(at, ti, line, col[2]), f[2]);
        for (size_t i = 0; i < sc->n; i++)
            if (strcmp(sc->e[i].table, f[0]) == 0 && strcmp(sc->e[i].column, f[1]) == 0)
                return cb_fail(err, CB_EDATA, "%s: %s.%s is described twice (first on %s %zu)",
                               cbd_place_cell(at, ti, line, -1), f[0], f[1], cbd_line_word(ti),
                               sc->e[i].line);
        if (sc->n == sc->cap) {
            sc->cap = sc->cap ? sc->cap * 2 : 32;
            sc->e = cb_xrealloc(sc->e, sc->cap * sizeof *sc->e);
        }
        sc->e[sc->n++] = (schema_entry){f[0], f[1], type, line};
    }
    return CB_OK;
}

/* ---- typing a table ---- */

/* The declared type of each column: the schema's, but county_id is always text (ids like
 * "0101" keep their zeros) and so are the counties' names and the whole schema table. */
void cbd_declare(table_impl *ti, const schema *sc)
{
    cb_table *t = &ti->t;
    int is_counties = strcmp(t->name, "counties") == 0;
    int is_schema = strcmp(t->name, "schema") == 0;
    ti->decl = cb_xcalloc(t->ncols, sizeof *ti->decl);
    for (size_t c = 0; c < t->ncols; c++) {
        const char *col = t->cols[c];
        if (is_schema || strcmp(col, "county_id") == 0 ||
            (is_counties && strcmp(col, "name") == 0))
            ti->decl[c] = CB_T_TEXT;
        else
            ti->decl[c] = schema_type(sc, t->name, col);
    }
}

/* An undeclared column is numbers when every non-empty cell is one, text otherwise. A
 * column whose cells are all numbers but for some NaN or Inf is an error naming the first
 * of those: such a column is a figure with holes a spreadsheet filled with error values. */
col_guess *cbd_guesses_new(size_t ncols)
{
    col_guess *g = cb_xcalloc(ncols ? ncols : 1, sizeof *g);
    for (size_t c = 0; c < ncols; c++) g[c].numeric = 1;
    return g;
}

void cbd_guesses_free(col_guess *g, size_t ncols)
{
    for (size_t c = 0; g && c < ncols; c++) free(g[c].nonfinite_text);
    free(g);
}

void cbd_guess_see(col_guess *g, const char *text, size_t line, double *num)
{
    if (!g->numeric) return; /* text: nothing changes that */
    cb_number_status st = cb_number_parse(text, num);
    if (st == CB_NUM_NOT_FINITE) {
        if (!g->nonfinite_text) {
            g->nonfinite_line = line;
            g->nonfinite_text = cb_xstrdup(text);
        }
    } else if (st != CB_NUM_OK) {
        g->numeric = 0;
    }
}

int cbd_settle_types(table_impl *ti, col_guess *guess, cb_error *err)
{
    cb_table *t = &ti->t;
    int rc = CB_OK;
    for (size_t c = 0; c < t->ncols && rc == CB_OK; c++) {
        const col_guess *g = &guess[c];
        if (ti->decl[c] != CB_T_NULL) t->types[c] = ti->decl[c];
        else if (g->numeric && g->nonfinite_text)
            rc = cbd_fail_not_number(ti, g->nonfinite_line, c, g->nonfinite_text, CB_NUM_NOT_FINITE,
                                     err);
        /* a column with no values at all counts as numbers: nothing contradicts it */
        else t->types[c] = g->numeric ? CB_T_NUMBER : CB_T_TEXT;
    }
    cbd_guesses_free(guess, t->ncols);
    if (rc != CB_OK) return rc;
    free(ti->decl);
    ti->decl = NULL;
    ti->settled = 1;
    return CB_OK;
}

/* The cells of an undeclared column c as its type (settled) holds them; text cells of a
 * number column were parsed into num as they were seen. */
static void convert_column(table_impl *ti, size_t c)
{
    cb_table *t = &ti->t;
    int numeric = t->types[c] == CB_T_NUMBER;
    for (size_t r = 0; r < t->nrows; r++) {
        cb_value *v = &t->cells[r * t->ncols + c];
        if (v->type == CB_T_NULL) continue;
        if (numeric) {
            v->type = CB_T_NUMBER;
            v->text = NULL;
        } else if (v->type == CB_T_NUMBER) {
            v->type = CB_T_TEXT;
            v->text = number_text(&ti->arena, v->num);
            v->num = 0;
        } else {
            v->num = 0;
        }
    }
}

/* Fixes the column types once every row is in. Cells of declared columns are converted
 * now unless they were typed as they came (errors in row order); the rest is inferred. */
static int settle(table_impl *ti, const schema *sc, cb_error *err)
{
    cb_table *t = &ti->t;
    int rc;
    if (!ti->decl) cbd_declare(ti, sc);
    if (!ti->eager) {
        for (size_t r = 0; r < t->nrows; r++)
            for (size_t c = 0; c < t->ncols; c++) {
                if (ti->decl[c] == CB_T_NULL) continue;
                cb_value *v = &t->cells[r * t->ncols + c];
                rc = cbd_put_cell(ti, &ti->arena, v, v, 0, 1, ti->decl[c], t->lines[r], c, err);
                if (rc != CB_OK) return rc;
            }
    }
    col_guess *guess = cbd_guesses_new(t->ncols);
    unsigned char *inferred = cb_xcalloc(t->ncols ? t->ncols : 1, 1);
    for (size_t c = 0; c < t->ncols; c++) {
        if (ti->decl[c] != CB_T_NULL) continue;
        inferred[c] = 1;
        for (size_t r = 0; r < t->nrows && guess[c].numeric; r++) {
            cb_value *v = &t->cells[r * t->ncols + c];
            if (v->type == CB_T_TEXT) cbd_guess_see(&guess[c], v->text, t->lines[r], &v->num);
        }
    }
    rc = cbd_settle_types(ti, guess, err);
    for (size_t c = 0; c < t->ncols && rc == CB_OK; c++)
        if (inferred[c]) convert_column(ti, c);
    free(inferred);
    return rc;
}

/* ---- the builder: every source's tables, CSV included, go through it ---- */

cb_dataset_builder *cb_dataset_builder_new(const char *origin)
{
    cb_dataset_builder *b = cb_xcalloc(1, sizeof *b);
    b->origin = cb_xstrdup(origin ? origin : "(data)");
    return b;
}

void cb_dataset_builder_free(cb_dataset_builder *b)
{
    if (!b) return;
    for (size_t i = 0; i < b->ntables; i++) cbd_table_free(b->tables[i]);
    free(b->tables);
    cbd_table_free(b->schema_t);
    free(b->sc.e);
    free(b->origin);
    free(b);
}

/* Column names must be non-empty and unique (and UTF-8, from a source that is not CSV:
 * the CSV reader has checked that already), and at most CB_CSV_COLS_MAX of them. Repeats
 * are found with a hash set: a header of 16,384 columns checks in linear time. */
int cbd_check_header(const table_impl *ti, size_t ncols, const char *const *cols,
                        cb_error *err)
{
    char at[PLACE_MAX];
    if (ncols == 0) return cb_fail(err, CB_EDATA, "%s: no columns", cbd_place_header(at, ti, -1));
    if (ncols > CB_CSV_COLS_MAX)
        return cb_fail(err, CB_EDATA, "%s: %zu columns; at most %d", cbd_place_header(at, ti, -1),
                       ncols, CB_CSV_COLS_MAX);
    size_t mask = 15;
    while (mask < 2 * ncols) mask = mask * 2 + 1;
    size_t *slot = cb_xcalloc(mask + 1, sizeof *slot); /* column index + 1, or 0 */
    int rc = CB_OK;
    for (size_t i = 0; i < ncols && rc == CB_OK; i++) {
        const char *name = cols && cols[i] ? cols[i] : "";
        if (!*name) {
            rc = cb_fail(err, CB_EDATA, "%s: empty column name", cbd_place_header(at, ti, (int)i));
            break;
        }
        if (!ti->csv && !cb_utf8_valid(name, strlen(name))) {
            rc = cb_fail(err, CB_EDATA, "%s: column name is not valid UTF-8",
                         cbd_place_header(at, ti, (int)i));
            break;
        }
        uint64_t h = cb_fnv1a(CB_FNV_SEED, name, strlen(name));
        size_t k = (size_t)h & mask;
        for (; slot[k]; k = (k + 1) & mask)
            if (strcmp(name, cols[slot[k] - 1]) == 0) {
                rc = cb_fail(err, CB_EDATA, "%s: duplicate column \"%s\"",
                             cbd_place_header(at, ti, -1), name);
                break;
            }
        slot[k] = i + 1;
    }
    free(slot);
    return rc;
}

static int check_open(cb_dataset_builder *b, int want_open, cb_error *err)
{
    if (b->failed)
        return cb_fail(err, b->failed, "%s: an earlier error stopped this dataset", b->origin);
    if (want_open && !b->cur)
        return cb_fail(err, CB_EDATA, "%s: no table begun", b->origin);
    if (!want_open && b->cur)
        return cb_fail(err, CB_EDATA, "%s: table \"%s\" was not ended", b->cur->t.path,
                       b->cur->t.name);
    return CB_OK;
}

/* Begins table `name`; csv selects "path:LINE:COL" messages, with the header on
 * header_line. */
int cbd_begin_table(cb_dataset_builder *b, const char *name, const char *where, int csv,
                       size_t header_line, size_t ncols, const char *const *cols, cb_error *err)
{
    int rc = check_open(b, 0, err);
    if (rc != CB_OK) return rc;
    if (!name || !*name)
        return cb_fail(err, CB_EDATA, "%s: empty table name", where ? where : b->origin);
    table_impl *ti = cbd_table_new(name, where, csv);
    ti->header_line = header_line;
    int is_schema = strcmp(name, "schema") == 0;
    const table_impl *other = is_schema ? b->schema_t : NULL;
    for (size_t i = 0; !is_schema && !other && i < b->ntables; i++)
        if (strcmp(b->tables[i]->t.name, name) == 0) other = b->tables[i];
    if (other)
        rc = cb_fail(err, CB_EDATA, "%s: duplicate table \"%s\" (already from %s)", ti->t.path,
                     name, other->t.path);
    else
        rc = cbd_check_header(ti, ncols, cols, err);
    if (rc != CB_OK) {
        cbd_table_free(ti);
        return rc;
    }
    cbd_table_columns(ti, ncols, cols, NULL);
    if (is_schema && (rc = schema_check_header(ti, err)) != CB_OK) {
        cbd_table_free(ti);
        return rc;
    }
    /* with the schema known (or being the schema), cells are typed as they come */
    if (is_schema || b->have_schema) {
        cbd_declare(ti, is_schema ? NULL : &b->sc);
        ti->eager = 1;
    }
    if (is_schema) b->schema_t = ti;
    else cbd_add_table(b, ti);
    b->cur = ti;
    return CB_OK;
}

/* Adds a row of the current table; lens (may be NULL) are the text cells' lengths. An
 * empty text cell is an empty cell. */
int cbd_add_row(cb_dataset_builder *b, const cb_value *cells, const size_t *lens,
                   size_t line, cb_error *err)
{
    table_impl *ti = b->cur;
    cb_table *t = &ti->t;
    if (t->nrows == ti->rows_cap) {
        ti->rows_cap = ti->rows_cap ? ti->rows_cap * 2 : 64;
        t->cells = cb_xrealloc(t->cells, ti->rows_cap * t->ncols * sizeof *t->cells);
        t->lines = cb_xrealloc(t->lines, ti->rows_cap * sizeof *t->lines);
    }
    cb_value *row = &t->cells[t->nrows * t->ncols];
    const cb_value *above = t->nrows ? row - t->ncols : NULL;
    for (size_t c = 0; c < t->ncols; c++) {
        cb_value in = cells[c];
        size_t len = 0;
        int owned = 0;
        if (in.type == CB_T_TEXT) {
            len = !in.text ? 0 : lens ? lens[c] : strlen(in.text);
            if (len == 0) in = (cb_value){CB_T_NULL, 0, NULL};
            /* a text the row above has too (an id, a source) is kept once: big tables
             * repeat much */
            const cb_value *up = above ? &above[c] : NULL;
            if (len && up && up->type == CB_T_TEXT && strncmp(up->text, in.text, len) == 0 &&
                up->text[len] == '\0') {
                in.text = up->text;
                owned = 1;
            }
        }
        int rc = cbd_put_cell(ti, &ti->arena, &row[c], &in, len, owned,
                              ti->eager ? ti->decl[c] : CB_T_NULL, line, c, err);
        if (rc != CB_OK) return rc;
    }
    t->lines[t->nrows++] = line;
    return CB_OK;
}

int cbd_end_table(cb_dataset_builder *b, cb_error *err)
{
    int rc = check_open(b, 1, err);
    if (rc != CB_OK) return rc;
    table_impl *ti = b->cur;
    b->cur = NULL;
    if (ti == b->schema_t) {
        rc = schema_read(&b->sc, ti, err);
        b->have_schema = rc == CB_OK;
        return rc;
    }
    /* without the schema yet, typing waits for finish: the schema may still come */
    return ti->eager ? settle(ti, &b->sc, err) : CB_OK;
}

void cbd_add_table(cb_dataset_builder *b, table_impl *ti)
{
    if (b->ntables == b->cap) {
        b->cap = b->cap ? b->cap * 2 : 16;
        b->tables = cb_xrealloc(b->tables, b->cap * sizeof *b->tables);
    }
    b->tables[b->ntables++] = ti;
}

table_impl *cbd_builder_counties(const cb_dataset_builder *b)
{
    for (size_t i = 0; i < b->ntables; i++)
        if (strcmp(b->tables[i]->t.name, "counties") == 0) return b->tables[i];
    return NULL;
}

int cbd_finish(cb_dataset_builder *b, cb_error *err)
{
    int rc = check_open(b, 0, err);
    if (rc != CB_OK) return rc;
    const schema *sc = b->have_schema ? &b->sc : NULL;
    for (size_t i = 0; i < b->ntables; i++) {
        table_impl *ti = b->tables[i];
        if (ti->settled) continue;
        rc = ti->lazy ? cbd_lazy_settle(ti, err) : settle(ti, sc, err);
        if (rc != CB_OK) return rc;
    }
    table_impl *counties = cbd_builder_counties(b);
    if (!counties)
        return cb_fail(err, CB_EDATA, "%s: missing the counties table (every dataset needs "
                       "one, with columns county_id and name)", b->origin);
    if (b->ntables > 1) qsort(b->tables, b->ntables, sizeof *b->tables, cbd_table_name_cmp);

    if (!counties->keys && !counties->ix && (rc = cbd_index_counties(counties, err)) != CB_OK) return rc;
    for (size_t i = 0; i < b->ntables; i++) {
        table_impl *ti = b->tables[i];
        cb_table *t = &ti->t;
        if (t->order) continue; /* the counties from the persistent index */
        if (ti->lazy) { /* indexed already: an unknown county_id it met is said now */
            if ((rc = cbd_lazy_county_error(ti, counties, err)) != CB_OK) return rc;
            continue;
        }
        t->order = cb_xmalloc(t->nrows * sizeof *t->order);
        if (t->county_col < 0) {
            /* shared: every county sees all rows */
            for (size_t r = 0; r < t->nrows; r++) t->order[r] = r;
            continue;
        }
        if ((rc = cbd_partition(ti, counties, err)) != CB_OK) return rc;
    }
    return CB_OK;
}

int cb_dataset_builder_table(cb_dataset_builder *b, const char *name, const char *where,
                             size_t ncols, const char *const *cols, cb_error *err)
{
    int rc = cbd_begin_table(b, name, where, 0, 0, ncols, cols, err);
    if (rc != CB_OK) b->failed = rc;
    return rc;
}

/* A source's cells: known types, finite numbers, UTF-8 text. */
static int check_cells(const table_impl *ti, const cb_value *cells, size_t line, cb_error *err)
{
    char at[PLACE_MAX];
    for (size_t c = 0; c < ti->t.ncols; c++) {
        const cb_value *v = &cells[c];
        const char *bad = NULL;
        if (v->type == CB_T_NUMBER) {
            if (!isfinite(v->num)) bad = "not a finite number";
        } else if (v->type == CB_T_TEXT) {
            if (v->text && !cb_utf8_valid(v->text, strlen(v->text))) bad = "invalid UTF-8";
        } else if (v->type != CB_T_NULL) {
            bad = "unknown cell type";
        }
        if (bad) return cb_fail(err, CB_EDATA, "%s: %s", cbd_place_cell(at, ti, line, (int)c), bad);
    }
    return CB_OK;
}

int cb_dataset_builder_row(cb_dataset_builder *b, const cb_value *cells, size_t line,
                           cb_error *err)
{
    int rc = check_open(b, 1, err);
    if (rc == CB_OK) rc = check_cells(b->cur, cells, line, err);
    if (rc == CB_OK) rc = cbd_add_row(b, cells, NULL, line, err);
    if (rc != CB_OK) b->failed = rc;
    return rc;
}

int cb_dataset_builder_end_table(cb_dataset_builder *b, cb_error *err)
{
    int rc = cbd_end_table(b, err);
    if (rc != CB_OK) b->failed = rc;
    return rc;
}

int cb_dataset_builder_finish(cb_dataset_builder *b, cb_dataset *ds, cb_error *err)
{
    memset(ds, 0, sizeof *ds);
    int rc = cbd_finish(b, err);
    if (rc == CB_OK) cbd_builder_move(b, ds);
    else cb_dataset_builder_free(b);
    return rc;
}

void cbd_builder_move(cb_dataset_builder *b, cb_dataset *ds)
{
    ds->dir = b->origin;
    b->origin = NULL;
    ds->counties = &cbd_builder_counties(b)->t;
    ds->ncounties = ds->counties->nrows;
    ds->ntables = b->ntables;
    ds->tables = cb_xmalloc(b->ntables * sizeof *ds->tables);
    for (size_t i = 0; i < b->ntables; i++) ds->tables[i] = &b->tables[i]->t;
    b->ntables = 0;
    cb_dataset_builder_free(b);
}

void cb_dataset_free(cb_dataset *ds)
{
    if (!ds) return;
    for (size_t i = 0; i < ds->ntables; i++) cbd_table_free((table_impl *)ds->tables[i]);
    free(ds->tables);
    free(ds->dir);
    if (ds->index) { /* the digests are in its mapping */
        cb_dix_close(ds->index);
        free(ds->index);
    } else {
        free(ds->county_digests);
    }
    for (size_t i = 0; i < ds->nnotes; i++) free(ds->notes[i].msg);
    free(ds->notes);
    memset(ds, 0, sizeof *ds);
}

/* ---- lookups ---- */

const char *cb_dataset_skipped(const cb_dataset *ds, const char *table)
{
    char *file = cb_xasprintf("%s.csv", table), *path = cb_path_join(ds->dir, file);
    size_t n = strlen(path);
    const char *msg = NULL;
    for (size_t i = 0; !msg && i < ds->nnotes; i++)
        if (ds->notes[i].warning && strncmp(ds->notes[i].msg, path, n) == 0 &&
            strncmp(ds->notes[i].msg + n, ": skipped: ", 11) == 0)
            msg = ds->notes[i].msg;
    free(file);
    free(path);
    return msg;
}

static int table_find_cmp(const void *key, const void *elem)
{
    return strcmp((const char *)key, (*(cb_table *const *)elem)->name);
}

const cb_table *cb_dataset_table(const cb_dataset *ds, const char *name)
{
    if (!ds->ntables) return NULL;
    cb_table *const *t = bsearch(name, ds->tables, ds->ntables, sizeof *ds->tables,
                                 table_find_cmp);
    return t ? *t : NULL;
}

int cb_table_col(const cb_table *t, const char *name)
{
    for (size_t c = 0; c < t->ncols; c++)
        if (strcmp(t->cols[c], name) == 0) return (int)c;
    return -1;
}
