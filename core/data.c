/* data.c: see data.h. */
#include "data.h"

#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "csvread.h"

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
    size_t header_line;
    size_t rows_cap;
    size_t nparts;       /* counties in the partition: first has nparts + 1 entries */
    int name_col;        /* counties table only */
    county_key *keys;    /* counties table only: sorted by id, for lookups */
} table_impl;

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
    free(ti->keys);
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

/* Header names must be non-empty and unique. */
static int check_header(const char *path, const cb_csv_record *rec, cb_error *err)
{
    for (size_t i = 0; i < rec->nfields; i++) {
        if (rec->lens[i] == 0)
            return cb_fail(err, CB_EDATA, "%s:%zu:%zu: empty column name", path, rec->line,
                           i + 1);
        /* headers are short: a quadratic check is cheaper than sorting */
        for (size_t j = 0; j < i; j++)
            if (strcmp(rec->fields[i], rec->fields[j]) == 0)
                return cb_fail(err, CB_EDATA, "%s:%zu: duplicate column \"%s\"", path,
                               rec->line, rec->fields[i]);
    }
    return CB_OK;
}

static int check_width(const char *path, const cb_csv_record *rec, size_t ncols,
                       cb_error *err)
{
    if (rec->nfields == ncols) return CB_OK;
    return cb_fail(err, CB_EDATA, "%s:%zu: row has %zu field%s, header has %zu", path,
                   rec->line, rec->nfields, rec->nfields == 1 ? "" : "s", ncols);
}

static int header_index(const cb_csv_record *rec, const char *name)
{
    for (size_t i = 0; i < rec->nfields; i++)
        if (strcmp(rec->fields[i], name) == 0) return (int)i;
    return -1;
}

/* ---- schema.csv ---- */

typedef struct schema_entry {
    char *table, *column;
    cb_type type;
    size_t line;
} schema_entry;

typedef struct schema {
    const char *path;
    arena_block *arena;
    schema_entry *e;
    size_t n, cap;
    size_t ncols;
    int have_header;
    int col_table, col_column, col_type;
} schema;

static cb_type schema_type(const schema *sc, const char *table, const char *column)
{
    /* schemas list tens of columns: a scan per table column is plenty */
    for (size_t i = 0; sc && i < sc->n; i++)
        if (strcmp(sc->e[i].table, table) == 0 && strcmp(sc->e[i].column, column) == 0)
            return sc->e[i].type;
    return CB_T_NULL;
}

static int schema_record(void *ud, const cb_csv_record *rec, cb_error *err)
{
    schema *sc = ud;
    int rc;
    if (!sc->have_header) {
        if ((rc = check_header(sc->path, rec, err)) != CB_OK) return rc;
        static const char *const need[] = {"table", "column", "type"};
        int *idx[] = {&sc->col_table, &sc->col_column, &sc->col_type};
        for (int i = 0; i < 3; i++) {
            *idx[i] = header_index(rec, need[i]);
            if (*idx[i] < 0)
                return cb_fail(err, CB_EDATA, "%s:%zu: missing column \"%s\"", sc->path,
                               rec->line, need[i]);
        }
        sc->ncols = rec->nfields;
        sc->have_header = 1;
        return CB_OK;
    }
    if ((rc = check_width(sc->path, rec, sc->ncols, err)) != CB_OK) return rc;
    const char *table = rec->fields[sc->col_table], *column = rec->fields[sc->col_column];
    const char *type = rec->fields[sc->col_type];
    if (!*table)
        return cb_fail(err, CB_EDATA, "%s:%zu:%d: empty table name", sc->path, rec->line,
                       sc->col_table + 1);
    if (!*column)
        return cb_fail(err, CB_EDATA, "%s:%zu:%d: empty column name", sc->path, rec->line,
                       sc->col_column + 1);
    cb_type t;
    if (strcmp(type, "number") == 0) t = CB_T_NUMBER;
    else if (strcmp(type, "text") == 0) t = CB_T_TEXT;
    else
        return cb_fail(err, CB_EDATA, "%s:%zu:%d: type must be \"number\" or \"text\", got \"%s\"",
                       sc->path, rec->line, sc->col_type + 1, type);
    for (size_t i = 0; i < sc->n; i++)
        if (strcmp(sc->e[i].table, table) == 0 && strcmp(sc->e[i].column, column) == 0)
            return cb_fail(err, CB_EDATA, "%s:%zu: %s.%s is described twice (first on line %zu)",
                           sc->path, rec->line, table, column, sc->e[i].line);
    if (sc->n == sc->cap) {
        sc->cap = sc->cap ? sc->cap * 2 : 32;
        sc->e = cb_xrealloc(sc->e, sc->cap * sizeof *sc->e);
    }
    schema_entry *e = &sc->e[sc->n++];
    e->table = arena_strndup(&sc->arena, table, strlen(table));
    e->column = arena_strndup(&sc->arena, column, strlen(column));
    e->type = t;
    e->line = rec->line;
    return CB_OK;
}

static int load_schema(schema *sc, const char *path, cb_error *err)
{
    size_t len;
    char *data = cb_read_file(path, &len, err);
    if (!data) return err ? err->code : CB_EIO;
    sc->path = path;
    int rc = cb_csv_parse(path, data, len, schema_record, sc, err);
    free(data);
    return rc;
}

static void schema_free(schema *sc)
{
    free(sc->e);
    arena_free(&sc->arena);
}

/* ---- one table file ---- */

typedef struct table_load {
    table_impl *ti;
    const schema *sc;
    int is_counties;
    cb_type *decl;          /* per column: fixed type, or CB_T_NULL to infer it */
    unsigned char *numeric; /* per inferred column: every non-empty cell so far is a number */
} table_load;

static int table_header(table_load *ld, const cb_csv_record *rec, cb_error *err)
{
    cb_table *t = &ld->ti->t;
    int rc = check_header(t->path, rec, err);
    if (rc != CB_OK) return rc;
    t->ncols = rec->nfields;
    t->cols = cb_xmalloc(t->ncols * sizeof *t->cols);
    t->types = cb_xcalloc(t->ncols, sizeof *t->types);
    ld->decl = cb_xcalloc(t->ncols, sizeof *ld->decl);
    ld->numeric = cb_xmalloc(t->ncols);
    memset(ld->numeric, 1, t->ncols);
    t->county_col = -1;
    for (size_t c = 0; c < t->ncols; c++) {
        t->cols[c] = arena_strndup(&ld->ti->arena, rec->fields[c], rec->lens[c]);
        ld->decl[c] = schema_type(ld->sc, t->name, t->cols[c]);
        /* ids like "0101" must keep their zeros, and names are display text */
        if (strcmp(t->cols[c], "county_id") == 0) {
            t->county_col = (int)c;
            ld->decl[c] = CB_T_TEXT;
        } else if (ld->is_counties && strcmp(t->cols[c], "name") == 0) {
            ld->decl[c] = CB_T_TEXT;
        }
    }
    ld->ti->header_line = rec->line;
    return CB_OK;
}

static int table_record(void *ud, const cb_csv_record *rec, cb_error *err)
{
    table_load *ld = ud;
    table_impl *ti = ld->ti;
    cb_table *t = &ti->t;
    if (!t->cols) return table_header(ld, rec, err);
    int rc = check_width(t->path, rec, t->ncols, err);
    if (rc != CB_OK) return rc;
    if (t->nrows == ti->rows_cap) {
        ti->rows_cap = ti->rows_cap ? ti->rows_cap * 2 : 64;
        t->cells = cb_xrealloc(t->cells, ti->rows_cap * t->ncols * sizeof *t->cells);
        t->lines = cb_xrealloc(t->lines, ti->rows_cap * sizeof *t->lines);
    }
    cb_value *row = &t->cells[t->nrows * t->ncols];
    for (size_t c = 0; c < t->ncols; c++) {
        const char *s = rec->fields[c];
        size_t len = rec->lens[c];
        cb_value *v = &row[c];
        *v = (cb_value){CB_T_NULL, 0, NULL};
        if (len == 0) continue;
        switch (ld->decl[c]) {
        case CB_T_NUMBER:
            if (!cb_parse_number(s, &v->num)) {
                const char *more;
                int n = snippet_len(s, len, 60, &more);
                return cb_fail(err, CB_EDATA,
                               "%s:%zu:%zu: column \"%s\" expects a number, got \"%.*s%s\"",
                               t->path, rec->line, c + 1, t->cols[c], n, s, more);
            }
            v->type = CB_T_NUMBER;
            break;
        case CB_T_TEXT:
            v->type = CB_T_TEXT;
            v->text = arena_strndup(&ti->arena, s, len);
            break;
        default:
            /* kept as text until the whole column is seen; the number is parsed meanwhile */
            v->type = CB_T_TEXT;
            v->text = arena_strndup(&ti->arena, s, len);
            if (ld->numeric[c] && !cb_parse_number(s, &v->num)) ld->numeric[c] = 0;
            break;
        }
    }
    t->lines[t->nrows++] = rec->line;
    return CB_OK;
}

/* Settles the inferred column types once every cell has been seen. */
static void table_finish_types(table_load *ld)
{
    cb_table *t = &ld->ti->t;
    for (size_t c = 0; c < t->ncols; c++) {
        if (ld->decl[c] != CB_T_NULL) {
            t->types[c] = ld->decl[c];
            continue;
        }
        /* a column with no values at all counts as numbers: nothing contradicts it */
        t->types[c] = ld->numeric[c] ? CB_T_NUMBER : CB_T_TEXT;
        for (size_t r = 0; r < t->nrows; r++) {
            cb_value *v = &t->cells[r * t->ncols + c];
            if (v->type == CB_T_NULL) continue;
            if (ld->numeric[c]) {
                v->type = CB_T_NUMBER;
                v->text = NULL;
            } else {
                v->num = 0;
            }
        }
    }
}

static int load_table(table_impl *ti, const schema *sc, cb_error *err)
{
    cb_table *t = &ti->t;
    size_t len;
    char *data = cb_read_file(t->path, &len, err);
    if (!data) return err ? err->code : CB_EIO;
    table_load ld = {.ti = ti, .sc = sc, .is_counties = strcmp(t->name, "counties") == 0};
    t->county_col = -1;
    ti->name_col = -1;
    int rc = cb_csv_parse(t->path, data, len, table_record, &ld, err);
    free(data);
    if (rc == CB_OK && !t->cols)
        rc = cb_fail(err, CB_EDATA, "%s: empty file (a header row is required)", t->path);
    if (rc == CB_OK) table_finish_types(&ld);
    free(ld.decl);
    free(ld.numeric);
    return rc;
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

static long county_lookup(const table_impl *counties, const char *id)
{
    const county_key *k = bsearch(id, counties->keys, counties->t.nrows, sizeof *k,
                                  key_find_cmp);
    return k ? (long)k->county : -1;
}

/* Checks counties.csv (columns, non-empty unique ids) and builds its id index. */
static int index_counties(table_impl *ti, cb_error *err)
{
    cb_table *t = &ti->t;
    ti->name_col = cb_table_col(t, "name");
    const char *missing = t->county_col < 0 ? "county_id" : ti->name_col < 0 ? "name" : NULL;
    if (missing)
        return cb_fail(err, CB_EDATA, "%s:%zu: missing column \"%s\" (counties need county_id "
                       "and name)", t->path, ti->header_line, missing);
    size_t col = (size_t)t->county_col;
    ti->keys = cb_xmalloc(t->nrows * sizeof *ti->keys);
    for (size_t r = 0; r < t->nrows; r++) {
        const cb_value *v = cb_table_cell(t, r, col);
        if (v->type == CB_T_NULL)
            return cb_fail(err, CB_EDATA, "%s:%zu:%zu: empty county_id", t->path, t->lines[r],
                           col + 1);
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
        return cb_fail(err, CB_EDATA, "%s:%zu:%zu: duplicate county_id \"%s\" (first on line %zu)",
                       t->path, t->lines[dup], col + 1,
                       cb_table_cell(t, dup, col)->text, t->lines[orig]);
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
            const char *more;
            int n = snippet_len(v->text, strlen(v->text), 60, &more);
            free(of);
            return cb_fail(err, CB_EDATA, "%s:%zu:%zu: unknown county_id \"%.*s%s\" (not in "
                           "counties.csv)", t->path, t->lines[r], col + 1, n, v->text, more);
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

/* ---- the folder ---- */

typedef struct dir_file {
    char *file; /* "projects.csv" */
    char *stem; /* "projects" */
} dir_file;

static int dir_file_cmp(const void *a, const void *b)
{
    return strcmp(((const dir_file *)a)->stem, ((const dir_file *)b)->stem);
}

static void dir_files_free(dir_file *f, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(f[i].file);
        free(f[i].stem);
    }
    free(f);
}

/* The visible regular *.csv files of dir, sorted by stem. */
static int list_csv(const char *dir, dir_file **out, size_t *nout, cb_error *err)
{
    DIR *d = opendir(dir);
    if (!d) return cb_fail(err, CB_EIO, "%s: %s", dir, strerror(errno));
    dir_file *f = NULL;
    size_t n = 0, cap = 0;
    struct dirent *de;
    while ((de = readdir(d)) != NULL) {
        const char *name = de->d_name;
        size_t len = strlen(name);
        if (name[0] == '.' || len <= 4 || strcmp(name + len - 4, ".csv") != 0) continue;
        char *path = cb_path_join(dir, name);
        int regular = cb_is_file(path);
        free(path);
        if (!regular) continue;
        if (n == cap) {
            cap = cap ? cap * 2 : 16;
            f = cb_xrealloc(f, cap * sizeof *f);
        }
        f[n].file = cb_xstrdup(name);
        f[n].stem = cb_xstrndup(name, len - 4);
        n++;
    }
    closedir(d);
    if (n) qsort(f, n, sizeof *f, dir_file_cmp);
    *out = f;
    *nout = n;
    return CB_OK;
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

static int load_all(cb_dataset *ds, const char *dir, cb_error *err)
{
    int rc = check_dir(dir, err);
    if (rc != CB_OK) return rc;
    dir_file *files = NULL;
    size_t nfiles = 0;
    if ((rc = list_csv(dir, &files, &nfiles, err)) != CB_OK) return rc;
    ds->dir = cb_xstrdup(dir);

    dir_file key = {NULL, "counties"};
    if (!nfiles || !bsearch(&key, files, nfiles, sizeof *files, dir_file_cmp)) {
        char *path = cb_path_join(dir, "counties.csv");
        rc = cb_fail(err, CB_EDATA, "%s: missing (every data folder needs a counties table)",
                     path);
        free(path);
        dir_files_free(files, nfiles);
        return rc;
    }

    schema sc = {0};
    int have_schema = 0;
    char *schema_path = NULL;
    key.stem = "schema";
    if (bsearch(&key, files, nfiles, sizeof *files, dir_file_cmp)) {
        have_schema = 1;
        schema_path = cb_path_join(dir, "schema.csv");
        rc = load_schema(&sc, schema_path, err);
    }

    ds->tables = cb_xcalloc(nfiles, sizeof *ds->tables);
    table_impl *counties = NULL;
    for (size_t i = 0; i < nfiles && rc == CB_OK; i++) {
        if (strcmp(files[i].stem, "schema") == 0) continue;
        table_impl *ti = cb_xcalloc(1, sizeof *ti);
        ti->t.name = cb_xstrdup(files[i].stem);
        ti->t.path = cb_path_join(dir, files[i].file);
        ds->tables[ds->ntables++] = &ti->t;
        rc = load_table(ti, have_schema ? &sc : NULL, err);
        if (strcmp(ti->t.name, "counties") == 0) counties = ti;
    }
    schema_free(&sc);
    free(schema_path);
    dir_files_free(files, nfiles);
    if (rc != CB_OK) return rc;

    if ((rc = index_counties(counties, err)) != CB_OK) return rc;
    ds->counties = &counties->t;
    ds->ncounties = counties->t.nrows;
    for (size_t i = 0; i < ds->ntables; i++) {
        table_impl *ti = (table_impl *)ds->tables[i];
        cb_table *t = &ti->t;
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

int cb_dataset_load(cb_dataset *ds, const char *dir, cb_error *err)
{
    memset(ds, 0, sizeof *ds);
    int rc = load_all(ds, dir, err);
    if (rc != CB_OK) cb_dataset_free(ds);
    return rc;
}

void cb_dataset_free(cb_dataset *ds)
{
    if (!ds) return;
    for (size_t i = 0; i < ds->ntables; i++) table_free((table_impl *)ds->tables[i]);
    free(ds->tables);
    free(ds->dir);
    memset(ds, 0, sizeof *ds);
}

/* ---- lookups ---- */

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

size_t cb_table_county_rows(const cb_table *t, size_t county, const size_t **rows)
{
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

static const char *county_text(const cb_dataset *ds, size_t county, int col)
{
    if (!ds->counties || county >= ds->ncounties || col < 0) return NULL;
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

/* ---- numbers ---- */

static int is_digit(char c) { return c >= '0' && c <= '9'; }

/*
 * The grammar is checked here and strtod only converts: strtod alone would also take hex,
 * "inf", "nan" and locale-specific forms. (The engine runs in the "C" locale, so strtod's
 * decimal point is '.'.)
 */
int cb_parse_number(const char *s, double *out)
{
    const char *p = s;
    while (*p == ' ' || *p == '\t') p++;
    const char *start = p;
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
    const char *end = p;
    while (*p == ' ' || *p == '\t') p++;
    if (*p) return 0;
    char *e;
    double v = strtod(start, &e);
    if (e != end || !isfinite(v)) return 0; /* 1e999 overflows: not a usable number */
    *out = v;
    return 1;
}
