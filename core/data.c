/* data.c: see data.h. */
#define _GNU_SOURCE /* memfd_create */
#include "data.h"

#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <iconv.h>
#include <limits.h>
#include <nettle/sha2.h>
#include <strings.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "csvread.h"
#include "dataindex.h"
#include "manifest.h"
#include "render.h"

/* ---- string arena: one per table, so a dataset frees its strings in a few blocks ---- */

#define ARENA_BLOCK (64u * 1024)

typedef struct arena_block {
    struct arena_block *next;
    size_t used, cap;
    char mem[];
} arena_block;

static char *arena_strndup(arena_block **a, const char *s, size_t n)
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

static void arena_free(arena_block **a)
{
    while (*a) {
        arena_block *next = (*a)->next;
        free(*a);
        *a = next;
    }
}

/* ---- tables ---- */

typedef struct county_key {
    const char *id;
    size_t county;
} county_key;

typedef struct table_impl {
    cb_table t;          /* first, so the cb_table pointers in a dataset convert back */
    arena_block *arena;  /* header names and text cells */
    int csv;             /* messages: "path:LINE:COL" (CSV), or "<where>, row N, column "x"" */
    size_t header_line;  /* CSV only: the header row's line */
    size_t rows_cap;
    /* while building */
    cb_type *decl;       /* per column: the declared type, CB_T_NULL to infer; NULL until known */
    int eager;           /* decl was known when the table began: cells are typed as they come */
    int settled;         /* t->types is final */
    /* once finished */
    size_t nparts;       /* counties in the partition: first has nparts + 1 entries */
    int name_col;        /* counties table only */
    county_key *keys;    /* counties table only: sorted by id, for lookups */
    struct lazy_rows *lazy; /* rows kept on disk (cb_dataset_load_lazy), or NULL */
    const cb_dix *ix;    /* counties read from this persistent index (the dataset's), or
                          * NULL: no keys, its rows filled when used (counties_from_index) */
} table_impl;

static void lazy_free(struct lazy_rows *lz);

static void table_free(table_impl *ti)
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
    lazy_free(ti->lazy);
    arena_free(&ti->arena);
    free(ti);
}

/* First `max` bytes or so of a cell for a message, cut on a UTF-8 boundary. */
static int snippet_len(const char *s, size_t len, size_t max, const char **more)
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
static const char *place_header(char *buf, const table_impl *ti, int col)
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
static const char *place_cell(char *buf, const table_impl *ti, size_t line, int col)
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
static const char *line_word(const table_impl *ti) { return ti->csv ? "line" : "row"; }

/* ---- cells and column types ---- */

/* A number as text: integers without a fraction ("500233"), others with 15 digits. */
static const char *number_text(table_impl *ti, double v)
{
    char s[64];
    int n;
    if (v == 0) n = snprintf(s, sizeof s, "0"); /* not "-0" */
    else if (v == floor(v) && fabs(v) <= 9007199254740992.0) /* 2^53: exact integers */
        n = snprintf(s, sizeof s, "%.0f", v);
    else n = snprintf(s, sizeof s, "%.15g", v);
    return arena_strndup(&ti->arena, s, (size_t)n);
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

static int fail_not_number(const table_impl *ti, size_t line, size_t col, const char *s,
                           cb_number_status st, cb_error *err)
{
    char at[PLACE_MAX];
    const char *more;
    int n = snippet_len(s, strlen(s), 60, &more);
    place_cell(at, ti, line, (int)col);
    if (ti->csv)
        return cb_fail(err, CB_EDATA, "%s: column \"%s\" expects a number, got \"%.*s%s\"%s", at,
                       ti->t.cols[col], n, s, more, number_problem(st));
    /* the place already ends in the column: `..., column "amount" expects a number` */
    return cb_fail(err, CB_EDATA, "%s expects a number, got \"%.*s%s\"%s", at, n, s, more,
                   number_problem(st));
}

/*
 * Stores src into *dst (which may be src itself) as a column of type `type` holds it:
 * CB_T_NUMBER parses text (an error if it is not a number), CB_T_TEXT writes numbers out,
 * CB_T_NULL (type not known yet) keeps the cell as it came. Text is copied into the table's
 * arena unless it already lives there (`owned`). Empty text has become CB_T_NULL before.
 */
static int put_cell(table_impl *ti, cb_value *dst, const cb_value *src, size_t len, int owned,
                    cb_type type, size_t line, size_t col, cb_error *err)
{
    cb_value v = {CB_T_NULL, 0, NULL};
    if (src->type == CB_T_NUMBER) {
        if (type == CB_T_TEXT) {
            v.type = CB_T_TEXT;
            v.text = number_text(ti, src->num);
        } else {
            v.type = CB_T_NUMBER;
            v.num = src->num;
        }
    } else if (src->type == CB_T_TEXT) {
        if (type == CB_T_NUMBER) {
            cb_number_status st = cb_number_parse(src->text, &v.num);
            if (st != CB_NUM_OK) return fail_not_number(ti, line, col, src->text, st, err);
            v.type = CB_T_NUMBER;
        } else {
            v.type = CB_T_TEXT;
            v.text = owned ? src->text : arena_strndup(&ti->arena, src->text, len);
        }
    }
    *dst = v;
    return CB_OK;
}

/* ---- the schema table ---- */

typedef struct schema_entry {
    const char *table, *column; /* in the schema table's arena */
    cb_type type;
    size_t line;
} schema_entry;

typedef struct schema {
    schema_entry *e;
    size_t n, cap;
} schema;

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
            return cb_fail(err, CB_EDATA, "%s: missing column \"%s\"", place_header(at, ti, -1),
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
                           place_cell(at, ti, line, col[0]));
        if (!*f[1])
            return cb_fail(err, CB_EDATA, "%s: empty column name",
                           place_cell(at, ti, line, col[1]));
        cb_type type;
        if (strcmp(f[2], "number") == 0) type = CB_T_NUMBER;
        else if (strcmp(f[2], "text") == 0) type = CB_T_TEXT;
        else
            return cb_fail(err, CB_EDATA, "%s: type must be \"number\" or \"text\", got \"%s\"",
                           place_cell(at, ti, line, col[2]), f[2]);
        for (size_t i = 0; i < sc->n; i++)
            if (strcmp(sc->e[i].table, f[0]) == 0 && strcmp(sc->e[i].column, f[1]) == 0)
                return cb_fail(err, CB_EDATA, "%s: %s.%s is described twice (first on %s %zu)",
                               place_cell(at, ti, line, -1), f[0], f[1], line_word(ti),
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
static void declare(table_impl *ti, const schema *sc)
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
static int infer_column(table_impl *ti, size_t c, cb_error *err)
{
    cb_table *t = &ti->t;
    int numeric = 1;
    size_t nonfinite = t->nrows; /* first row holding NaN or Inf */
    for (size_t r = 0; r < t->nrows && numeric; r++) {
        cb_value *v = &t->cells[r * t->ncols + c];
        if (v->type != CB_T_TEXT) continue;
        cb_number_status st = cb_number_parse(v->text, &v->num);
        if (st == CB_NUM_NOT_FINITE) {
            if (nonfinite == t->nrows) nonfinite = r;
        } else if (st != CB_NUM_OK) {
            numeric = 0;
        }
    }
    if (numeric && nonfinite < t->nrows)
        return fail_not_number(ti, t->lines[nonfinite], c, t->cells[nonfinite * t->ncols + c].text,
                               CB_NUM_NOT_FINITE, err);
    /* a column with no values at all counts as numbers: nothing contradicts it */
    t->types[c] = numeric ? CB_T_NUMBER : CB_T_TEXT;
    for (size_t r = 0; r < t->nrows; r++) {
        cb_value *v = &t->cells[r * t->ncols + c];
        if (v->type == CB_T_NULL) continue;
        if (numeric) {
            v->type = CB_T_NUMBER; /* num was parsed above */
            v->text = NULL;
        } else if (v->type == CB_T_NUMBER) {
            v->type = CB_T_TEXT;
            v->text = number_text(ti, v->num);
            v->num = 0;
        } else {
            v->num = 0;
        }
    }
    return CB_OK;
}

/* Fixes the column types once every row is in. Cells of declared columns are converted
 * now unless they were typed as they came (errors in row order); the rest is inferred. */
static int settle(table_impl *ti, const schema *sc, cb_error *err)
{
    cb_table *t = &ti->t;
    int rc;
    if (!ti->decl) declare(ti, sc);
    if (!ti->eager) {
        for (size_t r = 0; r < t->nrows; r++)
            for (size_t c = 0; c < t->ncols; c++) {
                if (ti->decl[c] == CB_T_NULL) continue;
                cb_value *v = &t->cells[r * t->ncols + c];
                rc = put_cell(ti, v, v, 0, 1, ti->decl[c], t->lines[r], c, err);
                if (rc != CB_OK) return rc;
            }
    }
    for (size_t c = 0; c < t->ncols; c++) {
        if (ti->decl[c] != CB_T_NULL) t->types[c] = ti->decl[c];
        else if ((rc = infer_column(ti, c, err)) != CB_OK) return rc;
    }
    free(ti->decl);
    ti->decl = NULL;
    ti->settled = 1;
    return CB_OK;
}

/* ---- counties and partitions ---- */

static int key_cmp(const void *a, const void *b)
{
    const county_key *x = a, *y = b;
    int c = strcmp(x->id, y->id);
    if (c) return c;
    return x->county < y->county ? -1 : x->county > y->county;
}

static int key_find_cmp(const void *key, const void *elem)
{
    return strcmp((const char *)key, ((const county_key *)elem)->id);
}

static const char *index_text(const table_impl *ti, size_t row, int col);

static long county_lookup(const table_impl *counties, const char *id)
{
    if (counties->ix) { /* the index's id order, its rows not filled */
        const uint32_t *by_id = counties->ix->counties.by_id;
        size_t lo = 0, hi = counties->t.nrows;
        while (lo < hi) {
            size_t mid = lo + (hi - lo) / 2;
            int d = strcmp(id, index_text(counties, by_id[mid], counties->t.county_col));
            if (d == 0) return (long)by_id[mid];
            if (d < 0) hi = mid;
            else lo = mid + 1;
        }
        return -1;
    }
    const county_key *k = bsearch(id, counties->keys, counties->t.nrows, sizeof *k,
                                  key_find_cmp);
    return k ? (long)k->county : -1;
}

/* Checks the counties table (columns, non-empty unique ids) and builds its id index. */
static int index_counties(table_impl *ti, cb_error *err)
{
    cb_table *t = &ti->t;
    char at[PLACE_MAX];
    ti->name_col = cb_table_col(t, "name");
    const char *missing = t->county_col < 0 ? "county_id" : ti->name_col < 0 ? "name" : NULL;
    if (missing)
        return cb_fail(err, CB_EDATA, "%s: missing column \"%s\" (counties need county_id "
                       "and name)", place_header(at, ti, -1), missing);
    size_t col = (size_t)t->county_col;
    ti->keys = cb_xmalloc(t->nrows * sizeof *ti->keys);
    for (size_t r = 0; r < t->nrows; r++) {
        const cb_value *v = cb_table_cell(t, r, col);
        if (v->type == CB_T_NULL)
            return cb_fail(err, CB_EDATA, "%s: empty county_id",
                           place_cell(at, ti, t->lines[r], (int)col));
        ti->keys[r] = (county_key){v->text, r};
    }
    qsort(ti->keys, t->nrows, sizeof *ti->keys, key_cmp);
    /* report the duplicate that comes first in the file */
    size_t dup = t->nrows, orig = 0;
    for (size_t i = 1; i < t->nrows; i++)
        if (strcmp(ti->keys[i].id, ti->keys[i - 1].id) == 0 && ti->keys[i].county < dup) {
            dup = ti->keys[i].county;
            orig = ti->keys[i - 1].county;
        }
    if (dup < t->nrows)
        return cb_fail(err, CB_EDATA, "%s: duplicate county_id \"%s\" (first on %s %zu)",
                       place_cell(at, ti, t->lines[dup], (int)col),
                       cb_table_cell(t, dup, col)->text, line_word(ti), t->lines[orig]);
    return CB_OK;
}

/* Groups the rows by county, stable in file order (a counting sort). Rows with an empty
 * county_id belong to no county. */
static int partition(table_impl *ti, const table_impl *counties, cb_error *err)
{
    cb_table *t = &ti->t;
    size_t nc = counties->t.nrows, col = (size_t)t->county_col;
    size_t *of = cb_xmalloc(t->nrows * sizeof *of); /* county of each row, nc for none */
    t->first = cb_xcalloc(nc + 1, sizeof *t->first);
    ti->nparts = nc;
    for (size_t r = 0; r < t->nrows; r++) {
        const cb_value *v = cb_table_cell(t, r, col);
        of[r] = nc;
        if (v->type == CB_T_NULL) continue;
        long c = county_lookup(counties, v->text);
        if (c < 0) {
            char at[PLACE_MAX];
            const char *more;
            int n = snippet_len(v->text, strlen(v->text), 60, &more);
            free(of);
            return cb_fail(err, CB_EDATA, "%s: unknown county_id \"%.*s%s\" (not in %s)",
                           place_cell(at, ti, t->lines[r], (int)col), n, v->text, more,
                           counties->csv ? "counties.csv" : "the counties table");
        }
        of[r] = (size_t)c;
        t->first[c + 1]++;
    }
    for (size_t c = 0; c < nc; c++) t->first[c + 1] += t->first[c];
    size_t *next = cb_xmalloc(nc * sizeof *next);
    memcpy(next, t->first, nc * sizeof *next);
    for (size_t r = 0; r < t->nrows; r++)
        if (of[r] < nc) t->order[next[of[r]]++] = r;
    free(next);
    free(of);
    return CB_OK;
}

/* ---- the builder: every source's tables, CSV included, go through it ---- */

struct cb_dataset_builder {
    char *origin;
    table_impl **tables;  /* data tables, in the order they began */
    size_t ntables, cap;
    table_impl *cur;      /* the table being filled, or NULL */
    table_impl *schema_t; /* the schema table once it has begun (not a data table) */
    schema sc;            /* its entries, once it has ended */
    int have_schema;
    int failed;           /* the code of an earlier error: only free is left */
};

cb_dataset_builder *cb_dataset_builder_new(const char *origin)
{
    cb_dataset_builder *b = cb_xcalloc(1, sizeof *b);
    b->origin = cb_xstrdup(origin ? origin : "(data)");
    return b;
}

void cb_dataset_builder_free(cb_dataset_builder *b)
{
    if (!b) return;
    for (size_t i = 0; i < b->ntables; i++) table_free(b->tables[i]);
    free(b->tables);
    table_free(b->schema_t);
    free(b->sc.e);
    free(b->origin);
    free(b);
}

/* Column names must be non-empty and unique (and UTF-8, from a source that is not CSV:
 * the CSV reader has checked that already), and at most CB_CSV_COLS_MAX of them. Repeats
 * are found with a hash set: a header of 16,384 columns checks in linear time. */
static int check_header(const table_impl *ti, size_t ncols, const char *const *cols,
                        cb_error *err)
{
    char at[PLACE_MAX];
    if (ncols == 0) return cb_fail(err, CB_EDATA, "%s: no columns", place_header(at, ti, -1));
    if (ncols > CB_CSV_COLS_MAX)
        return cb_fail(err, CB_EDATA, "%s: %zu columns; at most %d", place_header(at, ti, -1),
                       ncols, CB_CSV_COLS_MAX);
    size_t mask = 15;
    while (mask < 2 * ncols) mask = mask * 2 + 1;
    size_t *slot = cb_xcalloc(mask + 1, sizeof *slot); /* column index + 1, or 0 */
    int rc = CB_OK;
    for (size_t i = 0; i < ncols && rc == CB_OK; i++) {
        const char *name = cols && cols[i] ? cols[i] : "";
        if (!*name) {
            rc = cb_fail(err, CB_EDATA, "%s: empty column name", place_header(at, ti, (int)i));
            break;
        }
        if (!ti->csv && !cb_utf8_valid(name, strlen(name))) {
            rc = cb_fail(err, CB_EDATA, "%s: column name is not valid UTF-8",
                         place_header(at, ti, (int)i));
            break;
        }
        uint64_t h = 1469598103934665603ULL; /* FNV-1a */
        for (const unsigned char *p = (const unsigned char *)name; *p; p++)
            h = (h ^ *p) * 1099511628211ULL;
        size_t k = (size_t)h & mask;
        for (; slot[k]; k = (k + 1) & mask)
            if (strcmp(name, cols[slot[k] - 1]) == 0) {
                rc = cb_fail(err, CB_EDATA, "%s: duplicate column \"%s\"",
                             place_header(at, ti, -1), name);
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
static int begin_table(cb_dataset_builder *b, const char *name, const char *where, int csv,
                       size_t header_line, size_t ncols, const char *const *cols, cb_error *err)
{
    int rc = check_open(b, 0, err);
    if (rc != CB_OK) return rc;
    if (!name || !*name)
        return cb_fail(err, CB_EDATA, "%s: empty table name", where ? where : b->origin);
    table_impl *ti = cb_xcalloc(1, sizeof *ti);
    ti->t.name = cb_xstrdup(name);
    ti->t.path = cb_xstrdup(where ? where : name);
    ti->t.county_col = -1;
    ti->name_col = -1;
    ti->csv = csv;
    ti->header_line = header_line;
    int is_schema = strcmp(name, "schema") == 0;
    const table_impl *other = is_schema ? b->schema_t : NULL;
    for (size_t i = 0; !is_schema && !other && i < b->ntables; i++)
        if (strcmp(b->tables[i]->t.name, name) == 0) other = b->tables[i];
    if (other)
        rc = cb_fail(err, CB_EDATA, "%s: duplicate table \"%s\" (already from %s)", ti->t.path,
                     name, other->t.path);
    else
        rc = check_header(ti, ncols, cols, err);
    if (rc != CB_OK) {
        table_free(ti);
        return rc;
    }

    cb_table *t = &ti->t;
    t->ncols = ncols;
    t->cols = cb_xmalloc(ncols * sizeof *t->cols);
    t->types = cb_xcalloc(ncols, sizeof *t->types);
    for (size_t c = 0; c < ncols; c++) {
        t->cols[c] = arena_strndup(&ti->arena, cols[c], strlen(cols[c]));
        if (strcmp(t->cols[c], "county_id") == 0) t->county_col = (int)c;
    }
    if (is_schema && (rc = schema_check_header(ti, err)) != CB_OK) {
        table_free(ti);
        return rc;
    }
    /* with the schema known (or being the schema), cells are typed as they come */
    if (is_schema || b->have_schema) {
        declare(ti, is_schema ? NULL : &b->sc);
        ti->eager = 1;
    }
    if (is_schema) {
        b->schema_t = ti;
    } else {
        if (b->ntables == b->cap) {
            b->cap = b->cap ? b->cap * 2 : 16;
            b->tables = cb_xrealloc(b->tables, b->cap * sizeof *b->tables);
        }
        b->tables[b->ntables++] = ti;
    }
    b->cur = ti;
    return CB_OK;
}

/* Adds a row of the current table; lens (may be NULL) are the text cells' lengths. An
 * empty text cell is an empty cell. */
static int add_row(cb_dataset_builder *b, const cb_value *cells, const size_t *lens,
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
        int rc = put_cell(ti, &row[c], &in, len, owned, ti->eager ? ti->decl[c] : CB_T_NULL,
                          line, c, err);
        if (rc != CB_OK) return rc;
    }
    t->lines[t->nrows++] = line;
    return CB_OK;
}

static int end_table(cb_dataset_builder *b, cb_error *err)
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

static int table_ptr_cmp(const void *a, const void *b)
{
    return strcmp((*(table_impl *const *)a)->t.name, (*(table_impl *const *)b)->t.name);
}

/* Types what is left, checks the counties and partitions every table. The tables stay the
 * builder's until the caller moves them. */
static int finish(cb_dataset_builder *b, cb_error *err)
{
    int rc = check_open(b, 0, err);
    if (rc != CB_OK) return rc;
    const schema *sc = b->have_schema ? &b->sc : NULL;
    table_impl *counties = NULL;
    for (size_t i = 0; i < b->ntables; i++) {
        table_impl *ti = b->tables[i];
        if (!ti->settled && (rc = settle(ti, sc, err)) != CB_OK) return rc;
        if (strcmp(ti->t.name, "counties") == 0) counties = ti;
    }
    if (!counties)
        return cb_fail(err, CB_EDATA, "%s: missing the counties table (every dataset needs "
                       "one, with columns county_id and name)", b->origin);
    if (b->ntables > 1) qsort(b->tables, b->ntables, sizeof *b->tables, table_ptr_cmp);

    if (!counties->keys && !counties->ix && (rc = index_counties(counties, err)) != CB_OK) return rc;
    for (size_t i = 0; i < b->ntables; i++) {
        table_impl *ti = b->tables[i];
        cb_table *t = &ti->t;
        if (t->order) continue; /* the counties from the persistent index */
        t->order = cb_xmalloc(t->nrows * sizeof *t->order);
        if (t->county_col < 0) {
            /* shared: every county sees all rows */
            for (size_t r = 0; r < t->nrows; r++) t->order[r] = r;
            continue;
        }
        if ((rc = partition(ti, counties, err)) != CB_OK) return rc;
    }
    return CB_OK;
}

int cb_dataset_builder_table(cb_dataset_builder *b, const char *name, const char *where,
                             size_t ncols, const char *const *cols, cb_error *err)
{
    int rc = begin_table(b, name, where, 0, 0, ncols, cols, err);
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
        if (bad) return cb_fail(err, CB_EDATA, "%s: %s", place_cell(at, ti, line, (int)c), bad);
    }
    return CB_OK;
}

int cb_dataset_builder_row(cb_dataset_builder *b, const cb_value *cells, size_t line,
                           cb_error *err)
{
    int rc = check_open(b, 1, err);
    if (rc == CB_OK) rc = check_cells(b->cur, cells, line, err);
    if (rc == CB_OK) rc = add_row(b, cells, NULL, line, err);
    if (rc != CB_OK) b->failed = rc;
    return rc;
}

int cb_dataset_builder_end_table(cb_dataset_builder *b, cb_error *err)
{
    int rc = end_table(b, err);
    if (rc != CB_OK) b->failed = rc;
    return rc;
}

int cb_dataset_builder_finish(cb_dataset_builder *b, cb_dataset *ds, cb_error *err)
{
    memset(ds, 0, sizeof *ds);
    int rc = finish(b, err);
    if (rc == CB_OK) {
        ds->dir = b->origin;
        b->origin = NULL;
        ds->ntables = b->ntables;
        ds->tables = cb_xmalloc(b->ntables * sizeof *ds->tables);
        for (size_t i = 0; i < b->ntables; i++) {
            ds->tables[i] = &b->tables[i]->t;
            if (strcmp(ds->tables[i]->name, "counties") == 0) ds->counties = ds->tables[i];
        }
        ds->ncounties = ds->counties->nrows;
        b->ntables = 0;
    }
    cb_dataset_builder_free(b);
    return rc;
}

/* ---- the CSV folder: each file is a table fed to a builder ---- */

static int check_width(const char *path, const cb_csv_record *rec, size_t ncols,
                       cb_error *err)
{
    if (rec->nfields == ncols) return CB_OK;
    return cb_fail(err, CB_EDATA, "%s:%zu: row has %zu field%s, header has %zu", path,
                   rec->line, rec->nfields, rec->nfields == 1 ? "" : "s", ncols);
}

/*
 * One *.csv of the folder, open, and its text as UTF-8. The file is opened without
 * following links (a link is resolved first and must stay inside the folder, see
 * open_entry), never blocks (O_NONBLOCK: a FIFO is refused, not waited for) and is a
 * regular file. Its text is the file itself, mapped, or for another encoding its
 * conversion to UTF-8 in an anonymous memory file (memfd): either way `tfd` and `data`
 * hold UTF-8, which a table on disk reads back by offset. Line ends are kept by every
 * conversion, so lines in messages are the file's.
 */
typedef struct dir_file {
    char *file;        /* "projects.csv" */
    char *stem;        /* "projects" */
    char *path;        /* "data/projects.csv", for messages */
    int fd;            /* the file; -1 when closed */
    int tfd;           /* its UTF-8 text: fd itself, or a memfd; -1 when handed on */
    const char *data;  /* tfd mapped (or "" when empty), len bytes; NULL until mapped */
    size_t len;
    size_t dropped;    /* the mapping's pages before this offset were let go */
    char delim;        /* ',' or '\t' (cb_csv_sniff_delim) */
    const char *from;  /* the encoding converted from, or NULL for UTF-8 */
    cb_file_id id;     /* the file's identity when opened, for the index (dataindex.h) */
} dir_file;

#define DROP_EVERY (8u << 20) /* bytes parsed between two drops of the mapping's pages */

/* The mapping at base before offset is read and not needed again: lets its pages go
 * (every DROP_EVERY bytes), so that reading a file never holds all of it. *dropped: the
 * offset up to which they went already. */
static void release_pages(const char *base, size_t *dropped, size_t offset)
{
    if (offset - *dropped < DROP_EVERY) return;
    size_t page = (size_t)sysconf(_SC_PAGESIZE), upto = offset / page * page;
    madvise((void *)(base + *dropped), upto - *dropped, MADV_DONTNEED);
    *dropped = upto;
}

static void text_release(dir_file *f, size_t offset) { release_pages(f->data, &f->dropped, offset); }

typedef struct csv_load {
    cb_dataset_builder *b;
    dir_file *f;
    const char *name, *path;
    size_t ncols;     /* 0 until the header is read */
    cb_value *cells;  /* one row's cells */
} csv_load;

static int csv_record(void *ud, const cb_csv_record *rec, cb_error *err)
{
    csv_load *ld = ud;
    if (!ld->cells) {
        int rc = begin_table(ld->b, ld->name, ld->path, 1, rec->line, rec->nfields,
                             rec->fields, err);
        if (rc != CB_OK) return rc;
        ld->ncols = rec->nfields;
        ld->cells = cb_xmalloc(ld->ncols * sizeof *ld->cells);
        return CB_OK;
    }
    int rc = check_width(ld->path, rec, ld->ncols, err);
    if (rc != CB_OK) return rc;
    for (size_t c = 0; c < ld->ncols; c++)
        ld->cells[c] = (cb_value){CB_T_TEXT, 0, rec->fields[c]}; /* "" is an empty cell */
    text_release(ld->f, rec->offset);
    return add_row(ld->b, ld->cells, rec->lens, rec->line, err);
}

/* Drops the table being read (a parse that will be tried again in another encoding). */
static void drop_current(cb_dataset_builder *b)
{
    table_impl *ti = b->cur;
    if (!ti) return;
    if (ti == b->schema_t) b->schema_t = NULL;
    else b->ntables--; /* the table begun last */
    table_free(ti);
    b->cur = NULL;
}

static int dir_file_cmp(const void *a, const void *b)
{
    return strcmp(((const dir_file *)a)->stem, ((const dir_file *)b)->stem);
}

/* Lets go of f's text (its mapping, and its memfd or the hand-off of tfd). */
static void text_close(dir_file *f)
{
    if (f->data && f->len) munmap((void *)f->data, f->len);
    f->data = NULL;
    f->dropped = 0;
    if (f->tfd >= 0 && f->tfd != f->fd) close(f->tfd);
    f->tfd = -1;
    f->from = NULL;
}

static void dir_files_free(dir_file *f, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        text_close(&f[i]);
        if (f[i].fd >= 0) close(f[i].fd);
        free(f[i].file);
        free(f[i].stem);
        free(f[i].path);
    }
    free(f);
}

/* What a folder's load has to say besides errors (skipped files, encodings). */
typedef struct notes {
    cb_data_note *v;
    size_t n, cap;
} notes;

static void add_note(notes *ns, int warning, char *msg)
{
    if (ns->n == ns->cap) {
        ns->cap = ns->cap ? ns->cap * 2 : 8;
        ns->v = cb_xrealloc(ns->v, ns->cap * sizeof *ns->v);
    }
    ns->v[ns->n++] = (cb_data_note){warning, msg};
}

static void notes_free(notes *ns)
{
    for (size_t i = 0; i < ns->n; i++) free(ns->v[i].msg);
    free(ns->v);
    memset(ns, 0, sizeof *ns);
}

/* What a file that is not a regular one is, for messages. */
static const char *file_kind(mode_t m)
{
    return S_ISDIR(m) ? "a folder" : S_ISFIFO(m) ? "a named pipe (FIFO)" : S_ISSOCK(m) ? "a socket"
         : S_ISCHR(m) || S_ISBLK(m) ? "a device" : "something else";
}

/* 1 if the resolved path `real` is inside the resolved folder `dir`. */
static int inside(const char *dir, const char *real)
{
    size_t n = strlen(dir);
    if (n == 1 && dir[0] == '/') return 1;
    return strncmp(real, dir, n) == 0 && real[n] == '/';
}

/*
 * Opens entry f->file of the folder (dfd, resolved path real_dir) into f->fd. A link is
 * followed only when its target, resolved, is inside the folder (or with follow_links);
 * otherwise, and for what is not a regular file (a folder, a FIFO, a device), *skip is set
 * to why (the caller warns and goes on). Errors, naming the file: a dangling link, no
 * permission: a table was meant there and cannot be read.
 */
static int open_entry(int dfd, const char *real_dir, dir_file *f, int follow_links,
                      char **skip, cb_error *err)
{
    struct stat st;
    *skip = NULL;
    if (fstatat(dfd, f->file, &st, AT_SYMLINK_NOFOLLOW) != 0)
        return cb_fail(err, CB_EIO, "%s: %s", f->path, strerror(errno));
    int fd;
    if (S_ISLNK(st.st_mode)) {
        char *target = realpath(f->path, NULL);
        if (!target) {
            int e = errno;
            char to[PATH_MAX];
            ssize_t n = readlinkat(dfd, f->file, to, sizeof to - 1);
            to[n > 0 ? n : 0] = '\0';
            return cb_fail(err, CB_EIO, "%s: a link to %s, which %s", f->path, to,
                           e == ENOENT ? "does not exist" : strerror(e));
        }
        if (!follow_links && !inside(real_dir, target)) {
            *skip = cb_xasprintf("%s: skipped: a link to %s, outside the data folder (move the "
                                 "file into the folder, or pass --follow-links)", f->path, target);
            free(target);
            return CB_OK;
        }
        fd = open(target, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
        free(target);
    } else {
        fd = openat(dfd, f->file, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
    }
    if (fd < 0) {
        if (errno == EACCES || errno == EPERM)
            return cb_fail(err, CB_EIO, "%s: cannot be read (permission denied)", f->path);
        return cb_fail(err, CB_EIO, "%s: %s", f->path, strerror(errno));
    }
    int stat_ok = fstat(fd, &st) == 0, e = errno;
    if (!stat_ok || !S_ISREG(st.st_mode)) {
        close(fd);
        if (!stat_ok) return cb_fail(err, CB_EIO, "%s: %s", f->path, strerror(e));
        *skip = cb_xasprintf("%s: skipped: %s, not a file", f->path, file_kind(st.st_mode));
        return CB_OK;
    }
    f->fd = fd;
    f->id = cb_file_id_of(&st);
    return CB_OK;
}

/* The visible *.csv files of dir, open, sorted by stem. A file skipped (a link out of the
 * folder, a folder) is a warning in ns; a file that cannot be read is an error. */
static int list_csv(const char *dir, const cb_data_opts *o, dir_file **out, size_t *nout,
                    notes *ns, cb_error *err)
{
    int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    char *real_dir = dfd >= 0 ? realpath(dir, NULL) : NULL;
    DIR *d = real_dir ? fdopendir(dfd) : NULL;
    if (!d) {
        int e = errno;
        if (dfd >= 0) close(dfd);
        free(real_dir);
        return cb_fail(err, CB_EIO, "%s: %s", dir, strerror(e));
    }
    dir_file *f = NULL;
    size_t n = 0, cap = 0;
    int rc = CB_OK;
    struct dirent *de;
    while (rc == CB_OK && (de = readdir(d)) != NULL) {
        const char *name = de->d_name;
        size_t len = strlen(name);
        if (name[0] == '.' || len <= 4 || strcmp(name + len - 4, ".csv") != 0) continue;
        if (n == cap) {
            cap = cap ? cap * 2 : 16;
            f = cb_xrealloc(f, cap * sizeof *f);
        }
        f[n] = (dir_file){cb_xstrdup(name), cb_xstrndup(name, len - 4), cb_path_join(dir, name),
                          -1, -1, NULL, 0, 0, ',', NULL, {0}};
        char *skip;
        rc = open_entry(dirfd(d), real_dir, &f[n], o->follow_links, &skip, err);
        if (!skip) {
            n++;
            continue;
        }
        add_note(ns, 1, skip);
        free(f[n].file);
        free(f[n].stem);
        free(f[n].path);
    }
    closedir(d);
    free(real_dir);
    if (rc != CB_OK) {
        dir_files_free(f, n);
        return rc;
    }
    if (n) qsort(f, n, sizeof *f, dir_file_cmp);
    *out = f;
    *nout = n;
    return CB_OK;
}

/* Converts the whole of fd (from encoding `from`) to UTF-8 in a memfd, into *out. An
 * error names the line (counted in the output: every encoding here keeps line ends). */
static int convert_fd(const dir_file *f, const char *from, int *out, cb_error *err)
{
    struct stat st;
    if (fstat(f->fd, &st) != 0) return cb_fail(err, CB_EIO, "%s: %s", f->path, strerror(errno));
    size_t len = (size_t)st.st_size;
    char *in = len ? mmap(NULL, len, PROT_READ, MAP_PRIVATE, f->fd, 0) : "";
    if (in == MAP_FAILED) return cb_fail(err, CB_EIO, "%s: %s", f->path, strerror(errno));
    iconv_t cd = iconv_open("UTF-8", from);
    int mfd = cd == (iconv_t)-1 ? -1 : memfd_create("countybrief-csv", MFD_CLOEXEC);
    int rc = CB_OK;
    if (cd == (iconv_t)-1)
        rc = cb_fail(err, CB_EUSAGE, "--encoding %s: an encoding iconv does not know (try "
                     "GB18030, UTF-16, BIG5, LATIN1)", from);
    else if (mfd < 0)
        rc = cb_fail(err, CB_EIO, "%s: cannot convert (%s)", f->path, strerror(errno));
    char buf[64 * 1024];
    char *ip = in;
    size_t left = len, lines = 1, dropped = 0;
    while (rc == CB_OK) {
        char *op = buf;
        size_t room = sizeof buf;
        size_t r = iconv(cd, left ? &ip : NULL, left ? &left : NULL, &op, &room);
        int e = errno;
        for (const char *q = buf; (q = memchr(q, '\n', (size_t)(op - q))) != NULL; q++) lines++;
        for (const char *q = buf; q < op;) {
            ssize_t k = write(mfd, q, (size_t)(op - q));
            if (k < 0 && errno == EINTR) continue;
            if (k <= 0) {
                rc = cb_fail(err, CB_EIO, "%s: cannot convert (%s)", f->path, strerror(errno));
                break;
            }
            q += k;
        }
        release_pages(in, &dropped, (size_t)(ip - in));
        if (r != (size_t)-1 && !left) break;
        if (r == (size_t)-1 && e != E2BIG)
            rc = cb_fail(err, CB_EDATA, "%s:%zu: not valid %s text", f->path, lines, from);
    }
    if (cd != (iconv_t)-1) iconv_close(cd);
    if (len) munmap(in, len);
    if (rc != CB_OK) {
        if (mfd >= 0) close(mfd);
        return rc;
    }
    *out = mfd;
    return CB_OK;
}

static int is_utf8_name(const char *enc)
{
    return !strcasecmp(enc, "UTF-8") || !strcasecmp(enc, "UTF8");
}

/*
 * Maps f's text: converted from `from` (not NULL), or from --encoding (UTF-8: as it is),
 * or without one from UTF-16 when the file starts with its byte-order mark, else as it is.
 */
/* f's text, converted from `from` (NULL: the file as it is), into f->tfd and f->len, not
 * mapped (a table read through the persistent index reads only its counties' rows). */
static int text_fd(dir_file *f, const char *from, cb_error *err)
{
    text_close(f);
    int rc = from ? convert_fd(f, from, &f->tfd, err) : CB_OK;
    if (rc != CB_OK) return rc;
    if (!from) f->tfd = f->fd;
    f->from = from;
    struct stat st;
    if (fstat(f->tfd, &st) != 0) return cb_fail(err, CB_EIO, "%s: %s", f->path, strerror(errno));
    f->len = (size_t)st.st_size;
    return CB_OK;
}

static int text_open(dir_file *f, const cb_data_opts *o, const char *from, cb_error *err)
{
    if (!from && o->encoding && !is_utf8_name(o->encoding)) from = o->encoding;
    unsigned char bom[2];
    if (!from && !o->encoding && pread(f->fd, bom, 2, 0) == 2 &&
        ((bom[0] == 0xFF && bom[1] == 0xFE) || (bom[0] == 0xFE && bom[1] == 0xFF)))
        from = "UTF-16";
    int rc = text_fd(f, from, err);
    if (rc != CB_OK) return rc;
    f->data = f->len ? mmap(NULL, f->len, PROT_READ, MAP_PRIVATE, f->tfd, 0) : "";
    if (f->data == MAP_FAILED) {
        f->data = NULL;
        return cb_fail(err, CB_EIO, "%s: %s", f->path, strerror(errno));
    }
    f->delim = cb_csv_sniff_delim(f->data, f->len);
    return CB_OK;
}

/*
 * Parses f with fn, in its encoding: a file that is not UTF-8 (and no --encoding) is tried
 * again as GB18030, what Excel on Chinese Windows saves as "CSV"; `restart` (may be NULL)
 * undoes what the first parse did. If it is not GB18030 either, the UTF-8 error stands; an
 * error in the GB18030 text is given as such.
 */
static int parse_text(dir_file *f, const cb_data_opts *o, cb_csv_record_fn fn, void *ud,
                      void (*restart)(void *ud), notes *ns, cb_error *err)
{
    int rc = text_open(f, o, NULL, err);
    if (rc != CB_OK) return rc;
    cb_csv_opts co = {f->delim, 0};
    rc = cb_csv_parse_with(f->path, f->data, f->len, &co, fn, ud, err);
    if (rc != CB_OK && co.not_utf8 && !f->from && !o->encoding) {
        cb_error first = *err;
        if (text_open(f, o, "GB18030", err) != CB_OK) {
            *err = first;
            return rc;
        }
        if (restart) restart(ud);
        co = (cb_csv_opts){f->delim, 0};
        rc = cb_csv_parse_with(f->path, f->data, f->len, &co, fn, ud, err);
        if (rc != CB_OK) /* an error in the file read as GB18030: say so */
            rc = cb_fail(err, rc, "%s (the file is not UTF-8: read as GB18030)", err->msg);
    }
    if (rc == CB_OK && f->from && !o->encoding)
        add_note(ns, 0, cb_xasprintf("%s is not UTF-8; read as %s", f->path, f->from));
    return rc;
}

static void csv_restart(void *ud)
{
    csv_load *ld = ud;
    drop_current(ld->b);
    free(ld->cells);
    ld->cells = NULL;
    ld->ncols = 0;
}

static int load_csv_table(cb_dataset_builder *b, dir_file *f, const cb_data_opts *o,
                          notes *ns, cb_error *err)
{
    csv_load ld = {.b = b, .f = f, .name = f->stem, .path = f->path};
    int rc = parse_text(f, o, csv_record, &ld, csv_restart, ns, err);
    if (rc == CB_OK && !ld.cells)
        rc = cb_fail(err, CB_EDATA, "%s: empty file (a header row is required)", f->path);
    free(ld.cells);
    text_close(f);
    if (rc == CB_OK) rc = end_table(b, err);
    return rc;
}

static int check_dir(const char *dir, cb_error *err)
{
    struct stat st;
    if (stat(dir, &st) != 0) {
        if (errno == ENOENT) return cb_fail(err, CB_EIO, "%s: no such data folder", dir);
        return cb_fail(err, CB_EIO, "%s: %s", dir, strerror(errno));
    }
    if (!S_ISDIR(st.st_mode)) return cb_fail(err, CB_EIO, "%s: not a folder", dir);
    return CB_OK;
}

/* Feeds files[i] to b, unless skip[i]: the schema first, so every table is typed as it is
 * read and errors come in order. */
static int load_tables(cb_dataset_builder *b, dir_file *files, size_t nfiles,
                       const unsigned char *skip, const cb_data_opts *o, notes *ns,
                       cb_error *err)
{
    dir_file key = {.stem = "schema"};
    dir_file *sf = bsearch(&key, files, nfiles, sizeof *files, dir_file_cmp);
    int rc = sf ? load_csv_table(b, sf, o, ns, err) : CB_OK;
    for (size_t i = 0; i < nfiles && rc == CB_OK; i++)
        if (&files[i] != sf && !(skip && skip[i])) rc = load_csv_table(b, &files[i], o, ns, err);
    return rc;
}

/* The folder's CSV files, open and sorted; checks the folder and that it has counties.csv
 * before anything is read, so the message names the file to add. */
static int open_folder(const char *dir, const cb_data_opts *o, dir_file **files,
                       size_t *nfiles, notes *ns, cb_error *err)
{
    int rc = check_dir(dir, err);
    if (rc != CB_OK) return rc;
    if ((rc = list_csv(dir, o, files, nfiles, ns, err)) != CB_OK) return rc;
    dir_file key = {.stem = "counties"};
    if (*nfiles && bsearch(&key, *files, *nfiles, sizeof **files, dir_file_cmp)) return CB_OK;
    char *path = cb_path_join(dir, "counties.csv");
    for (size_t i = 0; i < ns->n; i++) /* skipped: the warning says why */
        if (ns->v[i].warning && !strncmp(ns->v[i].msg, path, strlen(path)) &&
            ns->v[i].msg[strlen(path)] == ':')
            rc = cb_fail(err, CB_EDATA, "%s", ns->v[i].msg);
    if (rc == CB_OK)
        rc = cb_fail(err, CB_EDATA, "%s: missing (every data folder needs a counties table)",
                     path);
    free(path);
    dir_files_free(*files, *nfiles);
    return rc;
}

static int load_all(cb_dataset *ds, const char *dir, const cb_data_opts *o, cb_error *err)
{
    dir_file *files = NULL;
    size_t nfiles = 0;
    notes ns = {0};
    int rc = open_folder(dir, o, &files, &nfiles, &ns, err);
    if (rc != CB_OK) {
        notes_free(&ns);
        return rc;
    }
    cb_dataset_builder *b = cb_dataset_builder_new(dir);
    rc = load_tables(b, files, nfiles, NULL, o, &ns, err);
    dir_files_free(files, nfiles);
    if (rc != CB_OK) {
        cb_dataset_builder_free(b);
        notes_free(&ns);
        return rc;
    }
    rc = cb_dataset_builder_finish(b, ds, err);
    if (rc == CB_OK) {
        ds->notes = ns.v;
        ds->nnotes = ns.n;
    } else {
        notes_free(&ns);
    }
    return rc;
}

static int load_lazy(cb_dataset *ds, const char *dir, const cb_data_opts *o, cb_error *err);

int cb_dataset_load_with(cb_dataset *ds, const char *dir, const cb_data_opts *o,
                         cb_error *err)
{
    static const cb_data_opts defaults = {0};
    memset(ds, 0, sizeof *ds);
    if (!o) o = &defaults;
    return o->lazy ? load_lazy(ds, dir, o, err) : load_all(ds, dir, o, err);
}

int cb_dataset_load(cb_dataset *ds, const char *dir, cb_error *err)
{
    return cb_dataset_load_with(ds, dir, NULL, err);
}

int cb_dataset_load_lazy(cb_dataset *ds, const char *dir, cb_error *err)
{
    cb_data_opts o = {.lazy = 1};
    return cb_dataset_load_with(ds, dir, &o, err);
}

void cb_dataset_free(cb_dataset *ds)
{
    if (!ds) return;
    for (size_t i = 0; i < ds->ntables; i++) table_free((table_impl *)ds->tables[i]);
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

static size_t lazy_county_rows(const table_impl *ti, size_t county, const size_t **rows);

size_t cb_table_county_rows(const cb_table *t, size_t county, const size_t **rows)
{
    if (((const table_impl *)t)->lazy) return lazy_county_rows((const table_impl *)t, county, rows);
    if (!t->first) {
        *rows = t->order;
        return t->nrows;
    }
    const table_impl *ti = (const table_impl *)t;
    if (county >= ti->nparts) {
        *rows = NULL;
        return 0;
    }
    *rows = t->order + t->first[county];
    return t->first[county + 1] - t->first[county];
}

char *cb_dataset_find_text(const cb_dataset *ds, size_t county, const char *text)
{
    for (size_t t = 0; t < ds->ntables; t++) {
        const cb_table *tb = ds->tables[t];
        const size_t *rows;
        size_t n = cb_table_county_rows(tb, county, &rows);
        for (size_t i = 0; i < n; i++)
            for (size_t c = 0; c < tb->ncols; c++) {
                const cb_value *v = cb_table_cell(tb, rows[i], c);
                if (v->type != CB_T_TEXT || !strstr(v->text, text)) continue;
                size_t line = tb->lines[rows[i]];
                size_t plen = strlen(tb->path);
                if (plen > 4 && strcmp(tb->path + plen - 4, ".csv") == 0)
                    return cb_xasprintf("%s:%zu:%zu, column \"%s\"", tb->path, line, c + 1, tb->cols[c]);
                return cb_xasprintf("%s, row %zu, column \"%s\"", tb->path, line, tb->cols[c]);
            }
    }
    return NULL;
}

static const char *county_text(const cb_dataset *ds, size_t county, int col)
{
    if (!ds->counties || county >= ds->ncounties || col < 0) return NULL;
    const table_impl *ti = (const table_impl *)ds->counties;
    if (ti->ix && !ds->counties->made[county]) return index_text(ti, county, col);
    const cb_value *v = cb_table_cell(ds->counties, county, (size_t)col);
    return v->type == CB_T_TEXT ? v->text : "";
}

const char *cb_county_id(const cb_dataset *ds, size_t county)
{
    return ds->counties ? county_text(ds, county, ds->counties->county_col) : NULL;
}

const char *cb_county_name(const cb_dataset *ds, size_t county)
{
    if (!ds->counties) return NULL;
    return county_text(ds, county, ((const table_impl *)ds->counties)->name_col);
}

void cb_dataset_ids_sorted(const cb_dataset *ds, const char **ids)
{
    const table_impl *ti = (const table_impl *)ds->counties;
    for (size_t i = 0; ti && i < ds->ncounties; i++)
        ids[i] = ti->ix ? index_text(ti, ti->ix->counties.by_id[i], ti->t.county_col) : ti->keys[i].id;
}

const char *cb_dataset_ids_digest(const cb_dataset *ds)
{
    return ds->index ? ds->index->ids_digest : NULL;
}

const uint32_t *cb_dataset_clash_candidates(const cb_dataset *ds, size_t *n)
{
    *n = ds->index ? (size_t)ds->index->nclash : 0;
    return ds->index ? ds->index->clash : NULL;
}

long cb_dataset_find_county(const cb_dataset *ds, const char *id_or_name)
{
    if (!ds->counties || !id_or_name) return -1;
    const table_impl *ti = (const table_impl *)ds->counties;
    long c = county_lookup(ti, id_or_name);
    if (c >= 0) return c;
    for (size_t r = 0; r < ds->ncounties; r++) {
        const char *name = cb_county_name(ds, r);
        if (name && strcmp(name, id_or_name) == 0) return (long)r;
    }
    return -1;
}


/* ---- rows kept on disk (cb_dataset_load_lazy) ----
 *
 * A partitioned table of a CSV folder is read once to check and index it: each row's
 * types, its county, where its record starts in the file and its line; the cells are not
 * kept. What is kept is, per county, the runs of adjacent rows it has (cb_dix_range: byte
 * range, first line, first row number), the form the persistent index (dataindex.h) stores
 * them in, so that a table read from the index and one indexed here are the same.
 * cb_dataset_focus then reads one county's runs back (pread, parsed again) into the
 * table's cells. The file is read through a mapping whose pages are dropped as the index
 * pass goes (text_release), so the process never holds the whole file either.
 */

#define FOCUS_NONE (-1L)
#define FOCUS_ALL (-2L)

typedef struct lazy_rows {
    int fd;                    /* the table's text: the file, or its conversion */
    cb_file_id id;             /* the text as indexed: a later change is an error */
    size_t nall;               /* data rows in the file */
    uint64_t data_off, text_len; /* the rows' bytes are [data_off, text_len) */
    size_t data_line;          /* the first row's line */
    const uint32_t *first;     /* nparts + 1: county c's runs are ranges[first[c] .. first[c+1]) */
    const cb_dix_range *ranges;
    uint32_t *own_first;       /* first and ranges when indexed here (else they are in the */
    cb_dix_range *own_ranges;  /* persistent index's mapping, which the dataset holds) */
    size_t nparts;
    unsigned char *has_value;  /* per column: some row has a value */
    char delim;                /* the file's field separator */
    char *from;                /* the encoding its text was converted from, or NULL */
    uint32_t file_no;          /* its place among the folder's files (the digests') */
    long focus;                /* the county whose rows are loaded, FOCUS_NONE or FOCUS_ALL */
    size_t *ident;             /* 0 .. t->nrows - 1: the loaded county's rows */
    size_t *order, *ofirst;    /* FOCUS_ALL: rows by county, as an eager table's order/first */
    size_t cells_cap;
    arena_block *text;         /* the loaded rows' text */
} lazy_rows;

static void lazy_free(lazy_rows *lz)
{
    if (!lz) return;
    if (lz->fd >= 0) close(lz->fd);
    free(lz->own_first);
    free(lz->own_ranges);
    free(lz->has_value);
    free(lz->from);
    free(lz->ident);
    free(lz->order);
    free(lz->ofirst);
    arena_free(&lz->text);
    free(lz);
}

static size_t lazy_county_rows(const table_impl *ti, size_t county, const size_t **rows)
{
    const lazy_rows *lz = ti->lazy;
    *rows = NULL;
    if (county >= lz->nparts) return 0;
    if (lz->focus == FOCUS_ALL) {
        *rows = lz->order + lz->ofirst[county];
        return lz->ofirst[county + 1] - lz->ofirst[county];
    }
    if (lz->focus != (long)county) return 0;
    *rows = lz->ident;
    return ti->t.nrows;
}

int cb_table_on_disk(const cb_table *t) { return ((const table_impl *)t)->lazy != NULL; }

int cb_table_column_empty(const cb_table *t, size_t col)
{
    const table_impl *ti = (const table_impl *)t;
    if (col >= t->ncols) return 1;
    if (ti->lazy) return !ti->lazy->has_value[col];
    for (size_t r = 0; r < t->nrows; r++)
        if (cb_table_cell(t, r, col)->type != CB_T_NULL) return 0;
    return 1;
}

/* What the index pass of one file keeps track of. */
typedef struct lazy_index {
    table_impl *ti;
    const table_impl *counties;
    const schema *sc;
    dir_file *f;              /* the file; f->data maps its text */
    uint64_t *off;            /* per row: its record start; off[nall]: the text's end */
    uint32_t *line;           /* per row: its line */
    size_t *county_of;        /* per row: county index, or nparts for none */
    size_t rows_cap;
    unsigned char *maybe_number; /* undeclared columns: every value so far is a number */
    size_t *nonfinite_line;   /* ... and where the first NaN or Inf was (0: none) */
    char **nonfinite_text;
    struct sha256_ctx *digest; /* per county: its rows' fields (the batch's input hash) */
    uint32_t table_no;
} lazy_index;

static int lazy_header(lazy_index *ix, const cb_csv_record *rec, cb_error *err)
{
    table_impl *ti = ix->ti;
    cb_table *t = &ti->t;
    ti->header_line = rec->line;
    int rc = check_header(ti, rec->nfields, rec->fields, err);
    if (rc != CB_OK) return rc;
    t->ncols = rec->nfields;
    t->cols = cb_xmalloc(t->ncols * sizeof *t->cols);
    t->types = cb_xcalloc(t->ncols, sizeof *t->types);
    for (size_t c = 0; c < t->ncols; c++) {
        t->cols[c] = arena_strndup(&ti->arena, rec->fields[c], rec->lens[c]);
        if (strcmp(t->cols[c], "county_id") == 0) t->county_col = (int)c;
    }
    declare(ti, ix->sc);
    ti->lazy->has_value = cb_xcalloc(t->ncols, 1);
    ix->maybe_number = cb_xmalloc(t->ncols);
    memset(ix->maybe_number, 1, t->ncols);
    ix->nonfinite_line = cb_xcalloc(t->ncols, sizeof *ix->nonfinite_line);
    ix->nonfinite_text = cb_xcalloc(t->ncols, sizeof *ix->nonfinite_text);
    return CB_OK;
}

static int lazy_index_record(void *ud, const cb_csv_record *rec, cb_error *err)
{
    lazy_index *ix = ud;
    table_impl *ti = ix->ti;
    cb_table *t = &ti->t;
    lazy_rows *lz = ti->lazy;
    if (!t->cols) return lazy_header(ix, rec, err);
    int rc = check_width(t->path, rec, t->ncols, err);
    if (rc != CB_OK) return rc;
    size_t nc = ix->counties->t.nrows, county = nc;
    for (size_t c = 0; c < t->ncols; c++) {
        const char *f = rec->fields[c];
        if (!rec->lens[c]) continue; /* an empty cell */
        lz->has_value[c] = 1;
        cb_type want = ti->decl[c];
        double v;
        if (want == CB_T_NUMBER) {
            cb_number_status st = cb_number_parse(f, &v);
            if (st != CB_NUM_OK) return fail_not_number(ti, rec->line, c, f, st, err);
        } else if (want == CB_T_NULL && ix->maybe_number[c]) {
            cb_number_status st = cb_number_parse(f, &v);
            if (st == CB_NUM_NOT_FINITE && !ix->nonfinite_line[c]) {
                ix->nonfinite_line[c] = rec->line;
                ix->nonfinite_text[c] = cb_xstrdup(f);
            } else if (st != CB_NUM_OK && st != CB_NUM_NOT_FINITE) {
                ix->maybe_number[c] = 0;
            }
        }
        if ((int)c == t->county_col) {
            long k = county_lookup(ix->counties, f);
            if (k < 0) {
                char at[PLACE_MAX];
                const char *more;
                int n = snippet_len(f, rec->lens[c], 60, &more);
                return cb_fail(err, CB_EDATA, "%s: unknown county_id \"%.*s%s\" (not in counties.csv)",
                               place_cell(at, ti, rec->line, (int)c), n, f, more);
            }
            county = (size_t)k;
        }
    }
    if (lz->nall == ix->rows_cap) {
        ix->rows_cap = ix->rows_cap ? ix->rows_cap * 2 : 1024;
        ix->off = cb_xrealloc(ix->off, (ix->rows_cap + 1) * sizeof *ix->off);
        ix->line = cb_xrealloc(ix->line, ix->rows_cap * sizeof *ix->line);
        ix->county_of = cb_xrealloc(ix->county_of, ix->rows_cap * sizeof *ix->county_of);
    }
    ix->off[lz->nall] = rec->offset;
    ix->line[lz->nall] = rec->line > UINT32_MAX ? UINT32_MAX : (uint32_t)rec->line;
    ix->county_of[lz->nall++] = county;
    if (county < nc) {
        struct sha256_ctx *d = &ix->digest[county];
        sha256_update(d, sizeof ix->table_no, (const uint8_t *)&ix->table_no);
        for (size_t c = 0; c < t->ncols; c++) sha256_update(d, rec->lens[c] + 1, (const uint8_t *)rec->fields[c]);
    }
    text_release(ix->f, rec->offset);
    return CB_OK;
}

/* The types of the undeclared columns, as infer_column gives them. */
static int lazy_settle(lazy_index *ix, cb_error *err)
{
    table_impl *ti = ix->ti;
    cb_table *t = &ti->t;
    for (size_t c = 0; c < t->ncols; c++) {
        if (ti->decl[c] != CB_T_NULL) {
            t->types[c] = ti->decl[c];
        } else if (ix->maybe_number[c] && ix->nonfinite_line[c]) {
            return fail_not_number(ti, ix->nonfinite_line[c], c, ix->nonfinite_text[c],
                                   CB_NUM_NOT_FINITE, err);
        } else {
            t->types[c] = ix->maybe_number[c] ? CB_T_NUMBER : CB_T_TEXT;
        }
    }
    free(ti->decl);
    ti->decl = NULL;
    ti->settled = 1;
    return CB_OK;
}

/* Each county's runs of adjacent rows, in file order (rows by county as partition() sorts
 * them); a run ends where the next row is not adjacent or its bytes would pass 4 GB. */
static int lazy_partition(lazy_index *ix, cb_error *err)
{
    lazy_rows *lz = ix->ti->lazy;
    size_t nc = ix->counties->t.nrows, nall = lz->nall;
    if (nall > UINT32_MAX)
        return cb_fail(err, CB_EDATA, "%s: more than %u rows", ix->ti->t.path, UINT32_MAX);
    size_t *first = cb_xcalloc(nc + 1, sizeof *first);
    size_t *order = cb_xmalloc((nall ? nall : 1) * sizeof *order);
    for (size_t r = 0; r < nall; r++)
        if (ix->county_of[r] < nc) first[ix->county_of[r] + 1]++;
    for (size_t c = 0; c < nc; c++) first[c + 1] += first[c];
    size_t *next = cb_xmalloc((nc ? nc : 1) * sizeof *next);
    memcpy(next, first, nc * sizeof *next);
    for (size_t r = 0; r < nall; r++)
        if (ix->county_of[r] < nc) order[next[ix->county_of[r]]++] = r;
    free(next);
    lz->own_first = cb_xmalloc((nc + 1) * sizeof *lz->own_first);
    size_t n = 0, cap = 0;
    int rc = CB_OK;
    for (size_t c = 0; c < nc && rc == CB_OK; c++) {
        lz->own_first[c] = (uint32_t)n;
        for (size_t k = first[c]; k < first[c + 1]; k++) {
            size_t r = order[k];
            uint64_t end = ix->off[r + 1];
            cb_dix_range *last = n > lz->own_first[c] ? &lz->own_ranges[n - 1] : NULL;
            if (last && last->row + last->nrows == r && end - last->off <= UINT32_MAX) {
                last->len = (uint32_t)(end - last->off);
                last->nrows++;
                continue;
            }
            if (end - ix->off[r] > UINT32_MAX) {
                rc = cb_fail(err, CB_EDATA, "%s:%u: a row longer than 4 GB", ix->ti->t.path, ix->line[r]);
                break;
            }
            if (n == cap) {
                cap = cap ? cap * 2 : 1024;
                lz->own_ranges = cb_xrealloc(lz->own_ranges, cap * sizeof *lz->own_ranges);
            }
            lz->own_ranges[n++] = (cb_dix_range){ix->off[r], (uint32_t)(end - ix->off[r]), ix->line[r],
                                                 (uint32_t)r, 1};
        }
    }
    lz->own_first[nc] = (uint32_t)n;
    free(first);
    free(order);
    lz->first = lz->own_first;
    lz->ranges = lz->own_ranges;
    lz->nparts = nc;
    return rc;
}

static void lazy_index_clear(lazy_index *ix)
{
    if (ix->ti->t.cols)
        for (size_t c = 0; c < ix->ti->t.ncols; c++) free(ix->nonfinite_text[c]);
    free(ix->nonfinite_text);
    free(ix->nonfinite_line);
    free(ix->maybe_number);
    free(ix->off);
    free(ix->line);
    free(ix->county_of);
    ix->nonfinite_text = NULL;
    ix->nonfinite_line = NULL;
    ix->maybe_number = NULL;
    ix->off = NULL;
    ix->line = NULL;
    ix->county_of = NULL;
    ix->rows_cap = 0;
}

/* A table of f whose rows will stay on disk, before its index pass. */
static table_impl *lazy_table_new(const dir_file *f)
{
    table_impl *ti = cb_xcalloc(1, sizeof *ti);
    ti->t.name = cb_xstrdup(f->stem);
    ti->t.path = cb_xstrdup(f->path);
    ti->t.county_col = -1;
    ti->name_col = -1;
    ti->csv = 1;
    ti->lazy = cb_xcalloc(1, sizeof *ti->lazy);
    ti->lazy->fd = -1;
    ti->lazy->focus = FOCUS_NONE;
    return ti;
}

/* Undoes a first index pass before the file is read again in another encoding. The
 * county digests keep what that pass fed them: it is the same for the same bytes, so the
 * input hash still changes exactly when the file does. */
static void lazy_restart(void *ud)
{
    lazy_index *ix = ud;
    lazy_index_clear(ix);
    table_free(ix->ti);
    ix->ti = lazy_table_new(ix->f);
}

/* The table takes f's text descriptor (the file, or its conversion) to read rows back by
 * offset, and notes what the text is, so that a change is seen. */
static int lazy_take_text(table_impl *ti, dir_file *f, uint32_t file_no, cb_error *err)
{
    lazy_rows *lz = ti->lazy;
    struct stat st;
    if (fstat(f->tfd, &st) != 0) return cb_fail(err, CB_EIO, "%s: %s", f->path, strerror(errno));
    lz->id = cb_file_id_of(&st);
    lz->text_len = f->len;
    lz->delim = f->delim;
    lz->from = f->from ? cb_xstrdup(f->from) : NULL;
    lz->file_no = file_no;
    lz->fd = f->tfd;
    if (f->tfd == f->fd) f->fd = -1;
    f->tfd = -1;
    return CB_OK;
}

/* Indexes one partitioned CSV file into *out (a table whose rows stay on disk); takes
 * f's text descriptor. */
static int lazy_index_file(dir_file *f, const table_impl *counties, const schema *sc,
                           const cb_data_opts *o, notes *ns, struct sha256_ctx *digest,
                           uint32_t table_no, table_impl **out, cb_error *err)
{
    *out = NULL;
    lazy_index ix = {.ti = lazy_table_new(f), .counties = counties, .sc = sc, .f = f,
                     .digest = digest, .table_no = table_no};
    int rc = parse_text(f, o, lazy_index_record, &ix, lazy_restart, ns, err);
    table_impl *ti = ix.ti;
    lazy_rows *lz = ti->lazy;
    if (rc == CB_OK && !ti->t.cols)
        rc = cb_fail(err, CB_EDATA, "%s: empty file (a header row is required)", f->path);
    if (rc == CB_OK) rc = lazy_settle(&ix, err);
    if (rc == CB_OK) {
        if (!ix.off) ix.off = cb_xmalloc(sizeof *ix.off);
        ix.off[lz->nall] = f->len;
        lz->data_off = lz->nall ? ix.off[0] : f->len;
        lz->data_line = lz->nall ? ix.line[0] : 0;
        rc = lazy_partition(&ix, err);
    }
    if (rc == CB_OK) rc = lazy_take_text(ti, f, table_no, err);
    text_close(f);
    lazy_index_clear(&ix);
    if (rc != CB_OK) {
        table_free(ti);
        return rc;
    }
    *out = ti;
    return CB_OK;
}

/* ---- reading a county's rows back ---- */

typedef struct lazy_fill {
    table_impl *ti;
    size_t line0;         /* the run's first line */
    size_t left;          /* rows still to come from this run */
    size_t base;          /* the first row's line in the run's text (0: not read yet); the
                           * text may begin with the line end before it (a CR LF's LF) */
} lazy_fill;

static int lazy_changed(const table_impl *ti, cb_error *err)
{
    return cb_fail(err, CB_EIO, "%s: the file changed while countybrief was reading it; run "
                   "again", ti->t.path);
}

static int lazy_fill_record(void *ud, const cb_csv_record *rec, cb_error *err)
{
    lazy_fill *fl = ud;
    table_impl *ti = fl->ti;
    cb_table *t = &ti->t;
    lazy_rows *lz = ti->lazy;
    if (!fl->left || rec->nfields != t->ncols) return lazy_changed(ti, err);
    fl->left--;
    cb_value *row = &t->cells[t->nrows * t->ncols];
    for (size_t c = 0; c < t->ncols; c++) {
        cb_value v = {CB_T_NULL, 0, NULL};
        if (rec->lens[c]) {
            if (t->types[c] == CB_T_NUMBER) {
                if (cb_number_parse(rec->fields[c], &v.num) != CB_NUM_OK) return lazy_changed(ti, err);
                v.type = CB_T_NUMBER;
            } else {
                v.type = CB_T_TEXT;
                v.text = arena_strndup(&lz->text, rec->fields[c], rec->lens[c]);
            }
        }
        row[c] = v;
    }
    if (!fl->base) fl->base = rec->line;
    t->lines[t->nrows++] = fl->line0 + (rec->line - fl->base);
    return CB_OK;
}

/* Appends the nrows rows in the text's bytes [off, off + len) (one read), the first on
 * line `line`, to the loaded cells; buf is reused between calls. */
static int lazy_fill_run(table_impl *ti, uint64_t off, uint64_t len, size_t line, size_t nrows,
                         cb_buf *buf, cb_error *err)
{
    lazy_rows *lz = ti->lazy;
    if (len > SIZE_MAX - 1) return lazy_changed(ti, err);
    if (buf->cap < len + 1) {
        buf->s = cb_xrealloc(buf->s, (size_t)len + 1);
        buf->cap = (size_t)len + 1;
    }
    size_t got = 0;
    while (got < len) {
        ssize_t k = pread(lz->fd, buf->s + got, (size_t)len - got, (off_t)(off + got));
        if (k < 0 && errno == EINTR) continue;
        if (k <= 0) break;
        got += (size_t)k;
    }
    if (got < len) return lazy_changed(ti, err);
    buf->s[len] = '\0';
    lazy_fill fl = {ti, line, nrows, 0};
    cb_csv_opts co = {lz->delim, 0};
    int rc = cb_csv_parse_with(ti->t.path, buf->s, (size_t)len, &co, lazy_fill_record, &fl, err);
    if (rc == CB_OK && fl.left) rc = lazy_changed(ti, err);
    return rc;
}

/* Room for n rows in the cells (n <= the file's rows: checked by the callers). */
static void lazy_reserve(table_impl *ti, size_t n)
{
    cb_table *t = &ti->t;
    lazy_rows *lz = ti->lazy;
    arena_free(&lz->text);
    t->nrows = 0;
    if (n <= lz->cells_cap) return;
    lz->cells_cap = n;
    t->cells = cb_xrealloc(t->cells, n * t->ncols * sizeof *t->cells);
    t->lines = cb_xrealloc(t->lines, n * sizeof *t->lines);
}

/* FOCUS_ALL's rows by county: county c's rows are order[ofirst[c] .. ofirst[c+1]). */
static int lazy_order_all(table_impl *ti, cb_error *err)
{
    lazy_rows *lz = ti->lazy;
    if (lz->order) return CB_OK;
    size_t *order = cb_xmalloc((lz->nall ? lz->nall : 1) * sizeof *order), k = 0;
    size_t *ofirst = cb_xmalloc((lz->nparts + 1) * sizeof *ofirst);
    for (size_t c = 0; c < lz->nparts; c++) {
        ofirst[c] = k;
        for (uint32_t g = lz->first[c]; g < lz->first[c + 1]; g++)
            for (uint32_t i = 0; i < lz->ranges[g].nrows; i++) {
                if (k == lz->nall) { /* more rows than the file has: not the file indexed */
                    free(order);
                    free(ofirst);
                    return lazy_changed(ti, err);
                }
                order[k++] = lz->ranges[g].row + i;
            }
    }
    ofirst[lz->nparts] = k;
    lz->order = order;
    lz->ofirst = ofirst;
    return CB_OK;
}

static int lazy_focus(table_impl *ti, long county, cb_error *err)
{
    lazy_rows *lz = ti->lazy;
    if (lz->focus == county) return CB_OK;
    lz->focus = FOCUS_NONE;
    struct stat st;
    cb_file_id now;
    if (fstat(lz->fd, &st) != 0 || (now = cb_file_id_of(&st), !cb_file_id_equal(&now, &lz->id)))
        return lazy_changed(ti, err);
    cb_buf buf = {0};
    size_t n = 0;
    int rc = CB_OK;
    if (county == FOCUS_ALL) {
        rc = lazy_order_all(ti, err);
        n = lz->nall;
        if (rc == CB_OK) lazy_reserve(ti, n);
        if (rc == CB_OK && n)
            rc = lazy_fill_run(ti, lz->data_off, lz->text_len - lz->data_off, lz->data_line, n, &buf, err);
    } else {
        const cb_dix_range *g = lz->ranges + lz->first[county], *end = lz->ranges + lz->first[county + 1];
        for (const cb_dix_range *r = g; r < end; r++) n += r->nrows;
        if (n > lz->nall) rc = lazy_changed(ti, err); /* runs overlap: not the file indexed */
        if (rc == CB_OK) lazy_reserve(ti, n);
        for (const cb_dix_range *r = g; r < end && rc == CB_OK; r++)
            rc = lazy_fill_run(ti, r->off, r->len, r->line, r->nrows, &buf, err);
    }
    cb_buf_free(&buf);
    if (rc != CB_OK) {
        ti->t.nrows = 0;
        return rc;
    }
    lz->ident = cb_xrealloc(lz->ident, (n ? n : 1) * sizeof *lz->ident);
    for (size_t i = 0; i < n; i++) lz->ident[i] = i;
    lz->focus = county;
    return CB_OK;
}

int cb_dataset_county_check(cb_dataset *ds, size_t county, cb_error *err)
{
    if (county >= ds->ncounties) return cb_fail(err, CB_EDATA, "no county number %zu", county);
    const char *bad = ds->index ? cb_dix_county_check(ds->index, county) : NULL;
    if (!bad) return CB_OK;
    return cb_fail(err, CB_EDATA, "%s: corrupt (%s, where county %s's rows are); run countybrief index --data %s "
                   "again, or remove it", ds->index->path, bad, cb_county_id(ds, county), ds->dir);
}

int cb_dataset_focus(cb_dataset *ds, size_t county, cb_error *err)
{
    int rc = cb_dataset_county_check(ds, county, err);
    if (rc != CB_OK) return rc;
    for (size_t i = 0; i < ds->ntables; i++) {
        table_impl *ti = (table_impl *)ds->tables[i];
        int rc = ti->lazy ? lazy_focus(ti, (long)county, err) : CB_OK;
        if (rc != CB_OK) return rc;
    }
    return CB_OK;
}

int cb_dataset_focus_all(cb_dataset *ds, cb_error *err)
{
    for (size_t c = 0; c < ds->ncounties; c++) {
        int rc = cb_dataset_county_check(ds, c, err);
        if (rc != CB_OK) return rc;
    }
    for (size_t i = 0; i < ds->ntables; i++) {
        table_impl *ti = (table_impl *)ds->tables[i];
        int rc = ti->lazy ? lazy_focus(ti, FOCUS_ALL, err) : CB_OK;
        if (rc != CB_OK) return rc;
    }
    return CB_OK;
}

/* The first record of path: its header, to tell a partitioned table (county_id, not the
 * counties or schema table) from one loaded whole. Reads at most 64 KB. */
typedef struct peek { int has_county; int seen; } peek;

static int peek_record(void *ud, const cb_csv_record *rec, cb_error *err)
{
    peek *pk = ud;
    (void)err;
    for (size_t c = 0; c < rec->nfields; c++)
        if (strcmp(rec->fields[c], "county_id") == 0) pk->has_county = 1;
    pk->seen = 1;
    return CB_EDATA; /* stop: the header is all we want */
}

static int partitioned_file(dir_file *f, const cb_data_opts *o)
{
    if (strcmp(f->stem, "counties") == 0 || strcmp(f->stem, "schema") == 0) return 0;
    cb_error e;
    if (text_open(f, o, NULL, &e) != CB_OK) return 0; /* loaded whole, with the message */
    size_t n = f->len < 65536 ? f->len : 65536;
    const char *nl = memchr(f->data, '\n', n);
    peek pk = {0, 0};
    cb_csv_opts co = {f->delim, 0};
    /* a huge or odd header: loaded whole, with the usual messages */
    if (nl) cb_csv_parse_with(f->path, f->data, (size_t)(nl - f->data) + 1, &co, peek_record,
                              &pk, &e);
    text_close(f);
    return pk.seen && pk.has_county;
}

static int ds_table_cmp(const void *a, const void *b)
{
    return strcmp((*(cb_table *const *)a)->name, (*(cb_table *const *)b)->name);
}

/* ---- the persistent index (dataindex.h): found, matched, used, saved ---- */

#define INDEX_STALE 100 /* an internal result: the index does not fit the folder; load again without */

/* 1 if ix was made from the folder as it is now: the same files (name and identity, util.h,
 * but for the device)
 * and options, and its tables are partitioned files (not counties or schema). */
static int index_matches(const cb_dix *ix, const dir_file *files, size_t nfiles, const cb_data_opts *o)
{
    if (strcmp(ix->encoding, o->encoding ? o->encoding : "") != 0 ||
        ix->follow_links != !!o->follow_links || ix->nfiles != nfiles)
        return 0;
    for (size_t i = 0; i < nfiles; i++) {
        const cb_dix_file *x = &ix->files[i];
        cb_file_id here = files[i].id;
        here.dev = 0; /* the index keeps no device (dataindex.h) */
        if (strcmp(x->name, files[i].file) != 0 || !cb_file_id_equal(&x->id, &here))
            return 0;
    }
    unsigned char *seen = cb_xcalloc(nfiles ? nfiles : 1, 1);
    int ok = 1;
    for (size_t i = 0; ok && i < ix->ntables; i++) {
        const dir_file *f = &files[ix->tables[i].file];
        ok = !seen[ix->tables[i].file] && strcmp(f->stem, "counties") != 0 &&
             strcmp(f->stem, "schema") != 0;
        seen[ix->tables[i].file] = 1;
    }
    free(seen);
    return ok;
}

/* The index to load with: the folder's own (CB_DIX_NAME), else the cache's, if it matches
 * the folder; else NULL. A refused one (corrupt, a link) is said once in ns. */
static cb_dix *index_find(const char *dir, const dir_file *files, size_t nfiles,
                          const cb_data_opts *o, notes *ns)
{
    uint64_t data = 0;
    for (size_t i = 0; i < nfiles; i++) data += (uint64_t)files[i].id.size;
    char *paths[2] = {cb_path_join(dir, CB_DIX_NAME), cb_dix_cache_path(dir)};
    char *refused = NULL;
    cb_dix *found = NULL;
    for (size_t i = 0; i < 2 && !found; i++) {
        if (!paths[i]) continue;
        cb_dix *ix = cb_xcalloc(1, sizeof *ix);
        cb_error e;
        /* runs, first entries and digests: far below 64 bytes per byte of data */
        int r = cb_dix_open(paths[i], data * 64 + (1u << 20), ix, &e);
        if (r == CB_DIX_CORRUPT && !refused) refused = cb_xstrdup(e.msg);
        if (r == CB_OK && index_matches(ix, files, nfiles, o)) {
            found = ix;
            continue;
        }
        cb_dix_close(ix);
        free(ix);
    }
    if (refused) add_note(ns, 1, cb_xasprintf("%s; ignored%s", refused, found ? "" : ", rebuilding"));
    free(refused);
    free(paths[0]);
    free(paths[1]);
    return found;
}

/* Table xt of the index, over f: its text opened as when it was indexed (converted from
 * the same encoding, the same length and separator, else INDEX_STALE). */
static int lazy_from_index(dir_file *f, const cb_dix *ix, const cb_dix_table *xt,
                           const cb_data_opts *o, notes *ns, table_impl **out, cb_error *err)
{
    *out = NULL;
    /* the encoding the index pass chose: one text_open or parse_text would choose */
    const char *from = *xt->from ? xt->from : NULL;
    if (o->encoding && !is_utf8_name(o->encoding) ? !from || strcmp(from, o->encoding) != 0
        : from && strcmp(from, "GB18030") != 0 && strcmp(from, "UTF-16") != 0)
        return INDEX_STALE;
    int rc = text_fd(f, from, err);
    if (rc != CB_OK) return rc;
    if (f->len != xt->text_len) {
        text_close(f);
        return INDEX_STALE;
    }
    f->delim = xt->delim;
    if (f->from && !o->encoding)
        add_note(ns, 0, cb_xasprintf("%s is not UTF-8; read as %s", f->path, f->from));
    table_impl *ti = lazy_table_new(f);
    cb_table *t = &ti->t;
    lazy_rows *lz = ti->lazy;
    ti->header_line = xt->data_line ? xt->data_line - 1 : 1;
    t->ncols = xt->ncols;
    t->cols = cb_xmalloc(t->ncols * sizeof *t->cols);
    t->types = cb_xmalloc(t->ncols * sizeof *t->types);
    lz->has_value = cb_xmalloc(t->ncols);
    for (size_t c = 0; c < t->ncols; c++) {
        t->cols[c] = arena_strndup(&ti->arena, xt->cols[c], strlen(xt->cols[c]));
        if (strcmp(t->cols[c], "county_id") == 0) t->county_col = (int)c;
        t->types[c] = (cb_type)xt->types[c];
        lz->has_value[c] = xt->has_value[c];
    }
    ti->settled = 1;
    lz->nall = (size_t)xt->nall;
    lz->data_off = xt->data_off;
    lz->data_line = xt->data_line;
    lz->first = xt->first;
    lz->ranges = xt->ranges;
    lz->nparts = ix->ncounties;
    rc = t->county_col < 0 ? INDEX_STALE : lazy_take_text(ti, f, xt->file, err);
    text_close(f);
    if (rc != CB_OK) {
        table_free(ti);
        return rc;
    }
    *out = ti;
    return CB_OK;
}

/* The counties table of ds as the index stores it (*k's arrays allocated, its strings in
 * text); 0 if it cannot be (not from the folder's counties.csv, a line past 2^32). */
static int counties_view(const cb_dataset *ds, const dir_file *files, size_t nfiles,
                         cb_dix_counties *k, cb_buf *text)
{
    const table_impl *ti = (const table_impl *)ds->counties;
    const cb_table *t = &ti->t;
    size_t nc = t->nrows, ncells = nc * t->ncols;
    k->file = UINT32_MAX;
    for (size_t i = 0; i < nfiles; i++)
        if (strcmp(files[i].stem, "counties") == 0) k->file = (uint32_t)i;
    if (k->file == UINT32_MAX || !ti->csv || !ti->keys) return 0;
    for (size_t r = 0; r < nc; r++)
        if (t->lines[r] > UINT32_MAX) return 0;
    k->ncols = (uint32_t)t->ncols;
    k->cols = t->cols;
    k->types = cb_xmalloc(t->ncols);
    for (size_t c = 0; c < t->ncols; c++) k->types[c] = (unsigned char)t->types[c];
    uint32_t *lines = cb_xmalloc((nc ? nc : 1) * sizeof *lines), *by_id = cb_xmalloc((nc ? nc : 1) * sizeof *by_id);
    unsigned char *types = cb_xmalloc(ncells ? ncells : 1);
    uint64_t *vals = cb_xmalloc((ncells ? ncells : 1) * sizeof *vals);
    for (size_t r = 0; r < nc; r++) {
        lines[r] = (uint32_t)t->lines[r];
        by_id[r] = (uint32_t)ti->keys[r].county;
    }
    for (size_t i = 0; i < ncells; i++) {
        const cb_value *v = &t->cells[i];
        types[i] = (unsigned char)v->type;
        vals[i] = 0;
        if (v->type == CB_T_NUMBER) memcpy(&vals[i], &v->num, sizeof v->num);
        if (v->type != CB_T_TEXT) continue;
        vals[i] = text->len;
        cb_buf_add(text, v->text, strlen(v->text) + 1);
    }
    cb_buf_add(text, "", 1); /* never empty */
    k->lines = lines;
    k->by_id = by_id;
    k->cell_types = types;
    k->cell_vals = vals;
    k->text = text->s;
    k->text_len = text->len;
    return 1;
}

/* The counties table from the index, as the builder would have made it but for its cells:
 * a row's are made when first used (cb_table_make_row, texts in the index's mapping), and
 * ids are looked up in the index's id order, so that one county's run does not touch every
 * county's row. */
static table_impl *counties_from_index(const dir_file *f, const cb_dix *ix)
{
    const cb_dix_counties *k = &ix->counties;
    size_t nc = ix->ncounties, ncols = k->ncols;
    table_impl *ti = cb_xcalloc(1, sizeof *ti);
    cb_table *t = &ti->t;
    t->name = cb_xstrdup(f->stem);
    t->path = cb_xstrdup(f->path);
    ti->csv = 1;
    ti->header_line = 1;
    ti->settled = 1;
    ti->ix = ix;
    t->ncols = ncols;
    t->cols = cb_xmalloc(ncols * sizeof *t->cols);
    t->types = cb_xmalloc(ncols * sizeof *t->types);
    for (size_t c = 0; c < ncols; c++) {
        t->cols[c] = arena_strndup(&ti->arena, k->cols[c], strlen(k->cols[c]));
        t->types[c] = (cb_type)k->types[c];
    }
    t->county_col = k->id_col;
    ti->name_col = k->name_col;
    t->nrows = ti->rows_cap = nc;
    t->made = cb_xcalloc(nc ? nc : 1, sizeof *t->made);
    t->lines = cb_xmalloc((nc ? nc : 1) * sizeof *t->lines);
    t->order = cb_xmalloc((nc ? nc : 1) * sizeof *t->order);
    t->first = cb_xmalloc((nc + 1) * sizeof *t->first);
    for (size_t r = 0; r < nc; r++) {
        t->lines[r] = k->lines[r];
        t->order[r] = t->first[r] = r;
    }
    t->first[nc] = nc;
    ti->nparts = nc;
    return ti;
}

/* Cell (row, col) of counties read from an index if it is text, else "": that cell checked
 * alone (the row is checked when made, and with its county). */
static const char *index_text(const table_impl *ti, size_t row, int col)
{
    const cb_dix_counties *k = &ti->ix->counties;
    size_t i = row * k->ncols + (size_t)col;
    return col >= 0 && k->cell_types[i] == CB_T_TEXT && k->cell_vals[i] < k->text_len ? k->text + k->cell_vals[i] : "";
}

void cb_table_make_row(const cb_table *t, size_t row)
{
    const table_impl *ti = (const table_impl *)t;
    const cb_dix_counties *k = &ti->ix->counties;
    cb_value *v = t->made[row] = cb_xcalloc(t->ncols, sizeof *v);
    if (cb_dix_counties_row_check(ti->ix, row)) { /* empty but for an id: its county fails when used */
        v[t->county_col] = (cb_value){CB_T_TEXT, 0, ""};
        return;
    }
    for (size_t c = 0, i = row * t->ncols; c < t->ncols; c++, i++) {
        v[c] = (cb_value){(cb_type)k->cell_types[i], 0, NULL};
        if (v[c].type == CB_T_NUMBER) memcpy(&v[c].num, &k->cell_vals[i], sizeof v[c].num);
        else if (v[c].type == CB_T_TEXT) v[c].text = k->text + k->cell_vals[i];
    }
}

/* Writes what the load learnt as an index: to the folder (CB_INDEX_WRITE: errors count) or
 * to the cache (best effort: a cache that cannot be written costs the next run a scan). */
static int index_save(const cb_dataset *ds, const dir_file *files, size_t nfiles,
                      const cb_data_opts *o, cb_error *err)
{
    int to_folder = o->index == CB_INDEX_WRITE;
    char *path = to_folder ? cb_path_join(ds->dir, CB_DIX_NAME) : cb_dix_cache_path(ds->dir);
    if (!path) return CB_OK;
    cb_dix v = {.encoding = (char *)(o->encoding ? o->encoding : ""), .follow_links = !!o->follow_links,
                .nfiles = nfiles, .ncounties = ds->ncounties, .digests = ds->county_digests};
    v.files = cb_xcalloc(nfiles ? nfiles : 1, sizeof *v.files);
    for (size_t i = 0; i < nfiles; i++)
        v.files[i] = (cb_dix_file){files[i].file, files[i].id};
    v.tables = cb_xcalloc(ds->ntables ? ds->ntables : 1, sizeof *v.tables);
    for (size_t i = 0; i < ds->ntables; i++) {
        const table_impl *ti = (const table_impl *)ds->tables[i];
        const lazy_rows *lz = ti->lazy;
        if (!lz) continue;
        cb_dix_table *x = &v.tables[v.ntables++];
        *x = (cb_dix_table){lz->file_no, lz->delim, lz->from ? lz->from : "", lz->text_len, lz->data_off,
                            (uint32_t)lz->data_line, lz->nall, (uint32_t)ti->t.ncols, ti->t.cols,
                            cb_xmalloc(ti->t.ncols), lz->has_value, lz->first[ds->ncounties], lz->first, lz->ranges};
        for (size_t c = 0; c < ti->t.ncols; c++) x->types[c] = (unsigned char)ti->t.types[c];
    }
    cb_buf text = {0};
    v.has_counties = counties_view(ds, files, nfiles, &v.counties, &text);
    const char **ids = cb_xmalloc((ds->ncounties ? ds->ncounties : 1) * sizeof *ids);
    cb_dataset_ids_sorted(ds, ids);
    cb_county_ids_digest(ids, ds->ncounties, v.ids_digest);
    free(ids);
    size_t nclash;
    uint32_t *clash = cb_output_clash_candidates(ds, &nclash);
    v.clash = clash;
    v.nclash = nclash;
    if (!to_folder) {
        char *folder = cb_xstrdup(path);
        *strrchr(folder, '/') = '\0';
        (void)cb_mkdir_p(folder, 0700, "cache folder", NULL);
        free(folder);
    }
    cb_error e;
    int rc = cb_dix_write(path, &v, NULL, &e);
    if (rc != CB_OK && to_folder) rc = cb_fail(err, rc, "%s", e.msg);
    else rc = CB_OK;
    for (size_t i = 0; i < v.ntables; i++) free(v.tables[i].types);
    free(v.tables);
    free(v.counties.types);
    free((void *)v.counties.lines);
    free((void *)v.counties.by_id);
    free((void *)v.counties.cell_types);
    free((void *)v.counties.cell_vals);
    cb_buf_free(&text);
    free(v.files);
    free(clash);
    free(path);
    return rc;
}

static void add_table(cb_dataset_builder *b, table_impl *ti)
{
    if (b->ntables == b->cap) {
        b->cap = b->cap ? b->cap * 2 : 16;
        b->tables = cb_xrealloc(b->tables, b->cap * sizeof *b->tables);
    }
    b->tables[b->ntables++] = ti;
}

/* The lazy load of the open folder's files, with the index ix (NULL: each partitioned
 * file is read and indexed). Returns INDEX_STALE if ix turns out not to fit. */
static int load_lazy_files(cb_dataset *ds, const char *dir, dir_file *files, size_t nfiles,
                           const cb_data_opts *o, const cb_dix *ix, notes *ns, cb_error *err)
{
    /* the schema, the counties and the shared tables go through the builder as usual */
    unsigned char *lazy = cb_xcalloc(nfiles ? nfiles : 1, 1);
    const cb_dix_table **from_ix = cb_xcalloc(nfiles ? nfiles : 1, sizeof *from_ix);
    for (size_t i = 0; ix && i < ix->ntables; i++) {
        lazy[ix->tables[i].file] = 1;
        from_ix[ix->tables[i].file] = &ix->tables[i];
    }
    for (size_t i = 0; !ix && i < nfiles; i++) lazy[i] = (unsigned char)partitioned_file(&files[i], o);
    cb_dataset_builder *b = cb_dataset_builder_new(dir);
    int rc = CB_OK;
    if (ix && ix->has_counties) { /* not parsed again */
        lazy[ix->counties.file] = 1;
        add_table(b, counties_from_index(&files[ix->counties.file], ix));
    }
    rc = load_tables(b, files, nfiles, lazy, o, ns, err);
    if (ix && ix->has_counties) lazy[ix->counties.file] = 0;
    if (rc == CB_OK) rc = finish(b, err);
    table_impl *counties = NULL;
    for (size_t i = 0; rc == CB_OK && i < b->ntables; i++)
        if (strcmp(b->tables[i]->t.name, "counties") == 0) counties = b->tables[i];
    size_t nc = counties ? counties->t.nrows : 0;
    if (rc == CB_OK && ix && ix->ncounties != nc) rc = INDEX_STALE;
    struct sha256_ctx *digest = NULL;
    if (!ix) {
        digest = cb_xmalloc((nc ? nc : 1) * sizeof *digest);
        for (size_t c = 0; c < nc; c++) sha256_init(&digest[c]);
    }
    for (size_t i = 0; i < nfiles && rc == CB_OK; i++) {
        if (!lazy[i]) continue;
        for (size_t k = 0; k < b->ntables; k++) /* a name taken twice can't happen in a folder */
            if (strcmp(b->tables[k]->t.name, files[i].stem) == 0)
                rc = cb_fail(err, CB_EDATA, "%s: duplicate table", files[i].file);
        table_impl *ti = NULL;
        if (rc == CB_OK && ix)
            rc = lazy_from_index(&files[i], ix, from_ix[i], o, ns, &ti, err);
        else if (rc == CB_OK)
            rc = lazy_index_file(&files[i], counties, b->have_schema ? &b->sc : NULL, o, ns,
                                 digest, (uint32_t)i, &ti, err);
        if (rc == CB_OK) add_table(b, ti);
    }
    free(lazy);
    free(from_ix);
    if (rc != CB_OK) {
        free(digest);
        cb_dataset_builder_free(b);
        return rc;
    }
    ds->dir = b->origin;
    b->origin = NULL;
    ds->ntables = b->ntables;
    ds->tables = cb_xmalloc(b->ntables * sizeof *ds->tables);
    for (size_t i = 0; i < b->ntables; i++) ds->tables[i] = &b->tables[i]->t;
    qsort(ds->tables, ds->ntables, sizeof *ds->tables, ds_table_cmp);
    ds->counties = &counties->t;
    ds->ncounties = nc;
    b->ntables = 0;
    cb_dataset_builder_free(b);
    if (ix) { /* in place, in the index's mapping */
        ds->county_digests = (unsigned char *)ix->digests;
        return CB_OK;
    }
    ds->county_digests = cb_xmalloc((nc ? nc : 1) * 32);
    for (size_t c = 0; c < nc; c++) sha256_digest(&digest[c], 32, ds->county_digests + 32 * c);
    free(digest);
    return o->index ? index_save(ds, files, nfiles, o, err) : CB_OK;
}

static int load_lazy(cb_dataset *ds, const char *dir, const cb_data_opts *o, cb_error *err)
{
    for (int pass = 0;; pass++) {
        dir_file *files = NULL;
        size_t nfiles = 0;
        notes ns = {0};
        int rc = open_folder(dir, o, &files, &nfiles, &ns, err);
        if (rc != CB_OK) {
            notes_free(&ns);
            return rc;
        }
        cb_dix *ix = o->index == CB_INDEX_USE && pass == 0 ? index_find(dir, files, nfiles, o, &ns) : NULL;
        rc = load_lazy_files(ds, dir, files, nfiles, o, ix, &ns, err);
        dir_files_free(files, nfiles);
        if (rc == CB_OK) {
            ds->index = ix;
            ds->notes = ns.v;
            ds->nnotes = ns.n;
            return CB_OK;
        }
        notes_free(&ns);
        if (ix) cb_dix_close(ix);
        free(ix);
        if (rc != INDEX_STALE) {
            cb_dataset_free(ds);
            return rc;
        }
        cb_dataset_free(ds);
    }
}

/* ---- numbers ---- */

static int is_digit(char c) { return c >= '0' && c <= '9'; }

/* A character of a number cell as the ASCII it stands for: full-width forms (U+FF01 ..
 * U+FF5E, as a Chinese input method types them: １２３．５) map to ASCII, U+2212 MINUS
 * SIGN to '-'. Other non-ASCII characters give 0. */
static char number_char(uint32_t cp)
{
    if (cp < 0x80) return (char)cp;
    if (cp >= 0xFF01 && cp <= 0xFF5E) return (char)(cp - 0xFF01 + 0x21);
    if (cp == 0x2212) return '-';
    return 0;
}

/* Spaces around a number: ASCII space and tab, the ideographic space, no-break space. */
static int is_blank_cp(uint32_t cp) { return cp == ' ' || cp == '\t' || cp == 0x3000 || cp == 0xA0; }

/* a (NUL-terminated ASCII) is NaN or an infinity, with any sign and case. */
static int names_nonfinite(const char *a)
{
    if (*a == '+' || *a == '-') a++;
    static const char *const words[] = {"nan", "inf", "infinity"};
    for (size_t w = 0; w < 3; w++) {
        size_t i = 0;
        while (words[w][i] && a[i] && (a[i] | 0x20) == words[w][i]) i++;
        if (!words[w][i] && !a[i]) return 1;
    }
    return 0;
}

/* The strict grammar, on ASCII without separators: optional sign, digits with an optional
 * fraction (at least one digit in all), optional exponent. */
static int number_grammar(const char *p)
{
    if (*p == '+' || *p == '-') p++;
    size_t digits = 0;
    while (is_digit(*p)) p++, digits++;
    if (*p == '.') {
        p++;
        while (is_digit(*p)) p++, digits++;
    }
    if (!digits) return 0;
    if (*p == 'e' || *p == 'E') {
        p++;
        if (*p == '+' || *p == '-') p++;
        if (!is_digit(*p)) return 0;
        while (is_digit(*p)) p++;
    }
    return *p == '\0';
}

/* Thousands separators in a (ASCII) are where they belong: only in the integer part,
 * which they split into a first group of 1-3 digits (not starting with 0) and groups of
 * exactly 3. */
static int grouping_ok(const char *a)
{
    const char *p = a;
    if (*p == '+' || *p == '-') p++;
    size_t group = 0, groups = 0;
    int lead_zero = *p == '0';
    for (; is_digit(*p) || *p == ','; p++) {
        if (is_digit(*p)) {
            group++;
            continue;
        }
        if (groups == 0 ? (group == 0 || group > 3 || lead_zero) : group != 3) return 0;
        groups++;
        group = 0;
    }
    if (groups && group != 3) return 0;
    return strchr(p, ',') == NULL; /* none in the fraction or exponent */
}

cb_number_status cb_number_parse(const char *s, double *out)
{
    /* normalise: trim blanks, full-width to ASCII; commas kept in a, dropped in b */
    size_t len = strlen(s);
    char stack_a[96], stack_b[96];
    char *a = len < sizeof stack_a ? stack_a : cb_xmalloc(len + 1);
    char *b = len < sizeof stack_b ? stack_b : cb_xmalloc(len + 1);
    const char *p = s, *end = s + len;
    size_t na = 0, nb = 0, last_solid = 0;
    int commas = 0;
    cb_number_status st = CB_NUM_OK;
    while (p < end) {
        uint32_t cp = cb_utf8_next(&p, end);
        if (is_blank_cp(cp)) {
            if (na) a[na++] = ' '; /* inner blanks stay, so "1 000" is no number */
            continue;
        }
        char c = number_char(cp);
        if (!c || c == ' ') {
            st = CB_NUM_NOT_NUMBER;
            break;
        }
        a[na++] = c;
        last_solid = na;
        if (c == ',') commas = 1;
        else b[nb++] = c;
    }
    na = last_solid; /* trailing blanks */
    a[na] = '\0';
    b[nb] = '\0';
    if (st == CB_NUM_OK) {
        if (names_nonfinite(a)) st = CB_NUM_NOT_FINITE;
        else if (strchr(a, ' ') || !number_grammar(b)) st = CB_NUM_NOT_NUMBER;
        else if (commas && !grouping_ok(a)) st = CB_NUM_BAD_GROUPING;
    }
    if (st == CB_NUM_OK) {
        /* the grammar is checked above and strtod only converts: alone it would also take
         * hex, "inf", "nan" and locale forms (the engine runs in the "C" locale, so its
         * decimal point is '.') */
        double v = strtod(b, NULL);
        if (!isfinite(v)) st = CB_NUM_NOT_FINITE; /* 1e999 overflows */
        else *out = v;
    }
    if (a != stack_a) free(a);
    if (b != stack_b) free(b);
    return st;
}

int cb_parse_number(const char *s, double *out) { return cb_number_parse(s, out) == CB_NUM_OK; }
