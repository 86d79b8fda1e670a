/* data_county.c: counties and partitions (data_int.h): which rows are whose, and the
 * lookups by county. */
#include "data_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

long cbd_county_lookup(const table_impl *counties, const char *id)
{
    if (counties->ix) { /* the index's id order, its rows not filled */
        const uint32_t *by_id = counties->ix->counties.by_id;
        size_t lo = 0, hi = counties->t.nrows;
        while (lo < hi) {
            size_t mid = lo + (hi - lo) / 2;
            int d = strcmp(id, cbd_index_text(counties, by_id[mid], counties->t.county_col));
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
int cbd_index_counties(table_impl *ti, cb_error *err)
{
    cb_table *t = &ti->t;
    char at[PLACE_MAX];
    ti->name_col = cb_table_col(t, "name");
    const char *missing = t->county_col < 0 ? "county_id" : ti->name_col < 0 ? "name" : NULL;
    if (missing)
        return cb_fail(err, CB_EDATA, "%s: missing column \"%s\" (counties need county_id "
                       "and name)", cbd_place_header(at, ti, -1), missing);
    size_t col = (size_t)t->county_col;
    ti->keys = cb_xmalloc(t->nrows * sizeof *ti->keys);
    for (size_t r = 0; r < t->nrows; r++) {
        const cb_value *v = cb_table_cell(t, r, col);
        if (v->type == CB_T_NULL)
            return cb_fail(err, CB_EDATA, "%s: empty county_id",
                           cbd_place_cell(at, ti, t->lines[r], (int)col));
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
                       cbd_place_cell(at, ti, t->lines[dup], (int)col),
                       cb_table_cell(t, dup, col)->text, cbd_line_word(ti), t->lines[orig]);
    return CB_OK;
}

int cbd_row_county(const table_impl *ti, const table_impl *counties, const char *text,
                   size_t line, size_t col, size_t *county, cb_error *err)
{
    *county = counties->t.nrows;
    if (!text) return CB_OK;
    long c = cbd_county_lookup(counties, text);
    if (c >= 0) {
        *county = (size_t)c;
        return CB_OK;
    }
    char at[PLACE_MAX];
    const char *more;
    int n = cbd_snippet_len(text, strlen(text), 60, &more);
    return cb_fail(err, CB_EDATA, "%s: unknown county_id \"%.*s%s\" (not in %s)",
                   cbd_place_cell(at, ti, line, (int)col), n, text, more,
                   counties->csv ? "counties.csv" : "the counties table");
}

void cbd_group_rows(const size_t *of, size_t n, size_t nc, size_t *first, size_t *order)
{
    memset(first, 0, (nc + 1) * sizeof *first);
    for (size_t r = 0; r < n; r++)
        if (of[r] < nc) first[of[r] + 1]++;
    for (size_t c = 0; c < nc; c++) first[c + 1] += first[c];
    size_t *next = cb_xmalloc((nc ? nc : 1) * sizeof *next);
    memcpy(next, first, nc * sizeof *next);
    for (size_t r = 0; r < n; r++)
        if (of[r] < nc) order[next[of[r]]++] = r;
    free(next);
}

/* Groups the rows by county, stable in file order. Rows with an empty county_id belong to
 * no county. */
int cbd_partition(table_impl *ti, const table_impl *counties, cb_error *err)
{
    cb_table *t = &ti->t;
    size_t nc = counties->t.nrows, col = (size_t)t->county_col;
    size_t *of = cb_xmalloc((t->nrows ? t->nrows : 1) * sizeof *of); /* county of each row */
    for (size_t r = 0; r < t->nrows; r++) {
        const cb_value *v = cb_table_cell(t, r, col);
        int rc = cbd_row_county(ti, counties, v->type == CB_T_NULL ? NULL : v->text, t->lines[r],
                                col, &of[r], err);
        if (rc != CB_OK) {
            free(of);
            return rc;
        }
    }
    t->first = cb_xmalloc((nc + 1) * sizeof *t->first);
    ti->nparts = nc;
    cbd_group_rows(of, t->nrows, nc, t->first, t->order);
    free(of);
    return CB_OK;
}

size_t cb_table_county_rows(const cb_table *t, size_t county, const size_t **rows)
{
    if (((const table_impl *)t)->lazy) return cbd_lazy_county_rows((const table_impl *)t, county, rows);
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

/* A cell's place in messages: "projects.csv:4:3, column "名称"" (CSV), else "book.xlsx, row
 * 4, column "名称"", malloc'd. */
static char *cell_place(const cb_table *t, size_t line, size_t col)
{
    size_t plen = strlen(t->path);
    if (plen > 4 && strcmp(t->path + plen - 4, ".csv") == 0)
        return cb_xasprintf("%s:%zu:%zu, column \"%s\"", t->path, line, col + 1, t->cols[col]);
    return cb_xasprintf("%s, row %zu, column \"%s\"", t->path, line, t->cols[col]);
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
                return cell_place(tb, tb->lines[rows[i]], c);
            }
    }
    return NULL;
}

int cb_dataset_first_text(cb_dataset *ds, const cb_table *t, size_t col, cb_error *err)
{
    if (cb_table_on_disk(t) && cb_dataset_focus_all(ds, err) != CB_OK) return err->code;
    double num;
    for (size_t r = 0; r < t->nrows; r++) {
        const cb_value *v = cb_table_cell(t, r, col);
        cb_number_status st = v->type == CB_T_TEXT && *v->text ? cb_number_parse(v->text, &num) : CB_NUM_OK;
        if (st != CB_NUM_OK) return cbd_fail_not_number((const table_impl *)t, t->lines[r], col, v->text, st, err);
    }
    return CB_OK;
}

static const char *county_text(const cb_dataset *ds, size_t county, int col)
{
    if (!ds->counties || county >= ds->ncounties || col < 0) return NULL;
    const table_impl *ti = (const table_impl *)ds->counties;
    if (ti->ix && !ds->counties->made[county]) return cbd_index_text(ti, county, col);
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
        ids[i] = ti->ix ? cbd_index_text(ti, ti->ix->counties.by_id[i], ti->t.county_col) : ti->keys[i].id;
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
    long c = cbd_county_lookup(ti, id_or_name);
    if (c >= 0) return c;
    for (size_t r = 0; r < ds->ncounties; r++) {
        const char *name = cb_county_name(ds, r);
        if (name && strcmp(name, id_or_name) == 0) return (long)r;
    }
    return -1;
}

