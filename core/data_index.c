/* data_index.c: a lazy load's use of the persistent index (data_int.h; the index file's
 * format is dataindex.c): the index found, matched to the folder, used, saved. */
#include "data_int.h"

#include <stdlib.h>
#include <string.h>

#include "manifest.h"

/* ---- the persistent index (dataindex.h): found, matched, used, saved ---- */

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
cb_dix *cbd_index_find(const char *dir, const dir_file *files, size_t nfiles,
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
    if (refused) cbd_add_note(ns, 1, cb_xasprintf("%s; ignored%s", refused, found ? "" : ", rebuilding"));
    free(refused);
    free(paths[0]);
    free(paths[1]);
    return found;
}

/* Table xt of the index, over f: its text opened as when it was indexed (converted from
 * the same encoding, the same length and separator, else INDEX_STALE). */
int cbd_lazy_from_index(dir_file *f, const cb_dix *ix, const cb_dix_table *xt,
                           const cb_data_opts *o, notes *ns, table_impl **out, cb_error *err)
{
    *out = NULL;
    /* the encoding the index pass chose: one text_open or parse_text would choose */
    const char *from = *xt->from ? xt->from : NULL;
    if (o->encoding && !cbd_is_utf8_name(o->encoding) ? !from || strcmp(from, o->encoding) != 0
        : from && strcmp(from, "GB18030") != 0 && strcmp(from, "UTF-16") != 0)
        return INDEX_STALE;
    int rc = cbd_text_fd(f, from, err);
    if (rc != CB_OK) return rc;
    if (f->len != xt->text_len) {
        cbd_text_close(f);
        return INDEX_STALE;
    }
    f->delim = xt->delim;
    if (f->from && !o->encoding)
        cbd_add_note(ns, 0, cb_xasprintf("%s is not UTF-8; read as %s", f->path, f->from));
    table_impl *ti = cbd_lazy_table_new(f);
    cb_table *t = &ti->t;
    lazy_rows *lz = ti->lazy;
    ti->header_line = xt->data_line ? xt->data_line - 1 : 1;
    cbd_table_columns(ti, xt->ncols, (const char *const *)xt->cols, NULL);
    lz->has_value = cb_xmalloc(t->ncols);
    for (size_t c = 0; c < t->ncols; c++) {
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
    rc = t->county_col < 0 ? INDEX_STALE : cbd_lazy_take_text(ti, f, xt->file, err);
    cbd_text_close(f);
    if (rc != CB_OK) {
        cbd_table_free(ti);
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
table_impl *cbd_counties_from_index(const dir_file *f, const cb_dix *ix)
{
    const cb_dix_counties *k = &ix->counties;
    size_t nc = ix->ncounties, ncols = k->ncols;
    table_impl *ti = cbd_table_new(f->stem, f->path, 1);
    cb_table *t = &ti->t;
    ti->header_line = 1;
    ti->settled = 1;
    ti->ix = ix;
    cbd_table_columns(ti, ncols, (const char *const *)k->cols, NULL);
    for (size_t c = 0; c < ncols; c++) t->types[c] = (cb_type)k->types[c];
    t->county_col = k->id_col; /* the index's (checked with it) */
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
const char *cbd_index_text(const table_impl *ti, size_t row, int col)
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
int cbd_index_save(const cb_dataset *ds, const dir_file *files, size_t nfiles,
                      const cb_data_opts *o, cb_error *err)
{
    int to_folder = o->index == CB_INDEX_WRITE;
    if (!o->clash_candidates) /* a caller's slip: an index without them would say "none" */
        return to_folder ? cb_fail(err, CB_EUSAGE, "%s: no index written: the caller gave no "
                                   "clash_candidates (data.h)", ds->dir) : CB_OK;
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
    uint32_t *clash = o->clash_candidates(ds, &nclash);
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

