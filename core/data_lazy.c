/* data_lazy.c: rows kept on disk (data.h, cb_dataset_load_lazy; data_int.h). */
#include "data_int.h"

#include <errno.h>
#include <nettle/sha2.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* ---- rows kept on disk (cb_dataset_load_lazy) ----
 *
 * A partitioned table of a CSV folder is read once to check and index it: each row's
 * types, its county, where its record starts in the file and its line; the cells are not
 * kept. What is kept is, per county, the runs of adjacent rows it has (cb_dix_range: byte
 * range, first line, first row number), the form the persistent index (dataindex.h) stores
 * them in, so that a table read from the index and one indexed here are the same.
 * cb_dataset_focus then reads one county's runs back (pread, parsed again) into the
 * table's cells. The file is read through a mapping whose pages are dropped as the index
 * pass goes (cbd_text_release), so the process never holds the whole file either.
 */

void cbd_lazy_free(lazy_rows *lz, size_t ncols)
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
    cbd_arena_free(&lz->text);
    cbd_guesses_free(lz->guess, ncols); /* a load that failed before settling */
    free(lz->bad_county);
    free(lz);
}

size_t cbd_lazy_county_rows(const table_impl *ti, size_t county, const size_t **rows)
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
    const table_impl *counties; /* NULL: its ids are not known (an error to come) */
    const schema *sc;
    int settle;               /* the schema is known: the types are fixed after the pass */
    dir_file *f;              /* the file; f->data maps its text */
    uint64_t *off;            /* per row: its record start; off[nall]: the text's end */
    uint32_t *line;           /* per row: its line */
    size_t *county_of;        /* per row: county index, or nparts for none */
    size_t rows_cap;
    struct sha256_ctx *digest; /* per county: its rows' fields (the batch's input hash) */
    uint32_t table_no;
} lazy_index;

static int lazy_header(lazy_index *ix, const cb_csv_record *rec, cb_error *err)
{
    table_impl *ti = ix->ti;
    ti->header_line = rec->line;
    int rc = cbd_check_header(ti, rec->nfields, rec->fields, err);
    if (rc != CB_OK) return rc;
    cbd_table_columns(ti, rec->nfields, rec->fields, rec->lens);
    cbd_declare(ti, ix->sc);
    ti->lazy->has_value = cb_xcalloc(ti->t.ncols, 1);
    ti->lazy->guess = cbd_guesses_new(ti->t.ncols);
    return CB_OK;
}

/* A row: typed as the builder types a row (errors now, in row order), its county found
 * (an unknown one is kept for cbd_finish, which says it where a table loaded whole is
 * partitioned), where it starts, and its fields into its county's digest. */
static int lazy_index_record(void *ud, const cb_csv_record *rec, cb_error *err)
{
    lazy_index *ix = ud;
    table_impl *ti = ix->ti;
    cb_table *t = &ti->t;
    lazy_rows *lz = ti->lazy;
    if (!t->cols) return lazy_header(ix, rec, err);
    int rc = cbd_check_width(t->path, rec, t->ncols, err);
    if (rc != CB_OK) return rc;
    size_t nc = ix->counties ? ix->counties->t.nrows : 0, county = nc;
    for (size_t c = 0; c < t->ncols; c++) {
        const char *f = rec->fields[c];
        if (!rec->lens[c]) continue; /* an empty cell */
        lz->has_value[c] = 1;
        double v;
        if (ti->decl[c] == CB_T_NUMBER) {
            if ((rc = cbd_type_number(ti, f, rec->line, c, &v, err)) != CB_OK) return rc;
        } else if (ti->decl[c] == CB_T_NULL) {
            cbd_guess_see(&lz->guess[c], f, rec->line, &v);
        }
        if ((int)c == t->county_col && ix->counties) {
            long k = cbd_county_lookup(ix->counties, f);
            if (k >= 0) {
                county = (size_t)k;
            } else if (!lz->bad_county) {
                lz->bad_line = rec->line;
                lz->bad_county = cb_xstrdup(f);
            }
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
    cbd_text_release(ix->f, rec->offset);
    return CB_OK;
}

int cbd_lazy_settle(table_impl *ti, cb_error *err)
{
    col_guess *guess = ti->lazy->guess;
    ti->lazy->guess = NULL;
    return cbd_settle_types(ti, guess, err);
}

int cbd_lazy_county_error(const table_impl *ti, const table_impl *counties, cb_error *err)
{
    const lazy_rows *lz = ti->lazy;
    size_t county;
    if (!lz->bad_county) return CB_OK;
    return cbd_row_county(ti, counties, lz->bad_county, lz->bad_line, (size_t)ti->t.county_col,
                          &county, err);
}

/* Each county's runs of adjacent rows, in file order (rows by county as cbd_partition
 * groups them); a run ends where the next row is not adjacent or its bytes would pass
 * 4 GB. */
static int lazy_partition(lazy_index *ix, cb_error *err)
{
    lazy_rows *lz = ix->ti->lazy;
    size_t nc = ix->counties ? ix->counties->t.nrows : 0, nall = lz->nall;
    if (nall > UINT32_MAX)
        return cb_fail(err, CB_EDATA, "%s: more than %u rows", ix->ti->t.path, UINT32_MAX);
    size_t *first = cb_xmalloc((nc + 1) * sizeof *first);
    size_t *order = cb_xmalloc((nall ? nall : 1) * sizeof *order);
    cbd_group_rows(ix->county_of, nall, nc, first, order);
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
    free(ix->off);
    free(ix->line);
    free(ix->county_of);
    ix->off = NULL;
    ix->line = NULL;
    ix->county_of = NULL;
    ix->rows_cap = 0;
}

/* A table of f whose rows will stay on disk, before its index pass. */
table_impl *cbd_lazy_table_new(const dir_file *f)
{
    table_impl *ti = cbd_table_new(f->stem, f->path, 1);
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
    cbd_table_free(ix->ti);
    ix->ti = cbd_lazy_table_new(ix->f);
}

/* The table takes f's text descriptor (the file, or its conversion) to read rows back by
 * offset, and notes what the text is, so that a change is seen. */
int cbd_lazy_take_text(table_impl *ti, dir_file *f, uint32_t file_no, cb_error *err)
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
    lazy_index ix = {.ti = cbd_lazy_table_new(f), .counties = counties, .sc = sc,
                     .settle = sc != NULL, .f = f, .digest = digest, .table_no = table_no};
    int rc = cbd_parse_text(f, o, lazy_index_record, &ix, lazy_restart, ns, err);
    table_impl *ti = ix.ti;
    lazy_rows *lz = ti->lazy;
    if (rc == CB_OK && !ti->t.cols)
        rc = cbd_fail_empty(f, err);
    /* settled as the builder settles a table: now if the schema is known, else in finish */
    if (rc == CB_OK && ix.settle) rc = cbd_lazy_settle(ti, err);
    if (rc == CB_OK) {
        if (!ix.off) ix.off = cb_xmalloc(sizeof *ix.off);
        ix.off[lz->nall] = f->len;
        lz->data_off = lz->nall ? ix.off[0] : f->len;
        lz->data_line = lz->nall ? ix.line[0] : 0;
        rc = lazy_partition(&ix, err);
    }
    if (rc == CB_OK) rc = cbd_lazy_take_text(ti, f, table_no, err);
    cbd_text_close(f);
    lazy_index_clear(&ix);
    if (rc != CB_OK) {
        cbd_table_free(ti);
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
    for (size_t c = 0; c < t->ncols; c++) { /* typed as the builder types a row */
        cb_value in = {rec->lens[c] ? CB_T_TEXT : CB_T_NULL, 0, rec->fields[c]};
        if (cbd_put_cell(ti, &lz->text, &row[c], &in, rec->lens[c], 0, t->types[c], rec->line, c,
                         err) != CB_OK)
            return lazy_changed(ti, err); /* it was a number when indexed */
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
    buf->len = 0;
    cb_buf_reserve(buf, (size_t)len);
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
    cbd_arena_free(&lz->text);
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
    if (cbd_text_open(f, o, NULL, &e) != CB_OK) return 0; /* loaded whole, with the message */
    size_t n = f->len < 65536 ? f->len : 65536;
    const char *nl = memchr(f->data, '\n', n);
    peek pk = {0, 0};
    cb_csv_opts co = {f->delim, 0};
    /* a huge or odd header: loaded whole, with the usual messages */
    if (nl) cb_csv_parse_with(f->path, f->data, (size_t)(nl - f->data) + 1, &co, peek_record,
                              &pk, &e);
    cbd_text_close(f);
    return pk.seen && pk.has_county;
}

/* The counties' ids, once the schema and the counties are in, for the index passes: an
 * error there (a duplicate id) is left for cbd_finish to say where a load that keeps
 * every row says it, the passes going on without counties meanwhile (*out NULL). With an
 * index, INDEX_STALE if its counties are not these. */
static int lazy_counties(cb_dataset_builder *b, const cb_dix *ix, table_impl **out)
{
    table_impl *counties = cbd_builder_counties(b);
    cb_error e;
    *out = NULL;
    if (counties && !counties->ix && cbd_index_counties(counties, &e) != CB_OK) {
        free(counties->keys);
        counties->keys = NULL;
        counties = NULL;
    }
    if (ix && (!counties || ix->ncounties != counties->t.nrows)) return INDEX_STALE;
    *out = counties;
    return CB_OK;
}

/* The files go in cbd_load_order, as a load that keeps every row takes them, the
 * partitioned ones indexed in their place and the rest through the builder; cbd_finish
 * then settles, checks and partitions them all. */
int cbd_load_lazy(cb_dataset *ds, const char *dir, dir_file *files, size_t nfiles,
                  const cb_data_opts *o, const cb_dix *ix, notes *ns, cb_error *err)
{
    unsigned char *lazy = cb_xcalloc(nfiles ? nfiles : 1, 1);
    const cb_dix_table **from_ix = cb_xcalloc(nfiles ? nfiles : 1, sizeof *from_ix);
    for (size_t i = 0; ix && i < ix->ntables; i++) {
        lazy[ix->tables[i].file] = 1;
        from_ix[ix->tables[i].file] = &ix->tables[i];
    }
    for (size_t i = 0; !ix && i < nfiles; i++) lazy[i] = (unsigned char)partitioned_file(&files[i], o);
    size_t *order = cb_xmalloc((nfiles ? nfiles : 1) * sizeof *order);
    cbd_load_order(files, nfiles, order);
    cb_dataset_builder *b = cb_dataset_builder_new(dir);
    int rc = CB_OK;
    int ix_counties = ix && ix->has_counties; /* not parsed again */
    if (ix_counties) cbd_add_table(b, cbd_counties_from_index(&files[ix->counties.file], ix));
    size_t k = 0;
    for (; k < nfiles && rc == CB_OK; k++) { /* the schema and the counties */
        size_t i = order[k];
        if (strcmp(files[i].stem, "schema") != 0 && strcmp(files[i].stem, "counties") != 0) break;
        if (!(ix_counties && i == ix->counties.file)) rc = cbd_load_csv_table(b, &files[i], o, ns, err);
    }
    table_impl *counties = NULL;
    if (rc == CB_OK) rc = lazy_counties(b, ix, &counties);
    size_t nc = counties ? counties->t.nrows : 0;
    struct sha256_ctx *digest = NULL;
    if (!ix) {
        digest = cb_xmalloc((nc ? nc : 1) * sizeof *digest);
        for (size_t c = 0; c < nc; c++) sha256_init(&digest[c]);
    }
    for (; k < nfiles && rc == CB_OK; k++) {
        size_t i = order[k];
        table_impl *ti = NULL;
        if (!lazy[i])
            rc = cbd_load_csv_table(b, &files[i], o, ns, err);
        else if (ix)
            rc = cbd_lazy_from_index(&files[i], ix, from_ix[i], o, ns, &ti, err);
        else
            rc = lazy_index_file(&files[i], counties, b->have_schema ? &b->sc : NULL, o, ns,
                                 digest, (uint32_t)i, &ti, err);
        if (ti) cbd_add_table(b, ti);
    }
    free(order);
    free(lazy);
    free(from_ix);
    if (rc == CB_OK) rc = cbd_finish(b, err);
    if (rc != CB_OK) {
        free(digest);
        cb_dataset_builder_free(b);
        return rc;
    }
    cbd_builder_move(b, ds);
    if (ix) { /* in place, in the index's mapping */
        ds->county_digests = (unsigned char *)ix->digests;
        return CB_OK;
    }
    ds->county_digests = cb_xmalloc((nc ? nc : 1) * 32);
    for (size_t c = 0; c < nc; c++) sha256_digest(&digest[c], 32, ds->county_digests + 32 * c);
    free(digest);
    return o->index ? cbd_index_save(ds, files, nfiles, o, err) : CB_OK;
}

int cb_dataset_load_lazy(cb_dataset *ds, const char *dir, cb_error *err)
{
    cb_data_opts o = {.lazy = 1};
    return cb_dataset_load_with(ds, dir, &o, err);
}
