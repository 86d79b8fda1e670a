/*
 * fuzz_csv: the CSV reader (core/csvread.c) and the dataset rules (core/data.c).
 *
 * The first byte picks a mode:
 *   0, 1  cb_csv_parse on the rest, as it is;
 *   2     the rest is tables separated by NUL bytes, each "[name byte]CSV text", fed to a
 *         cb_dataset_builder the way a plugin source would: cells as text, numbers
 *         (finite or not), NULL text or empty, rows too short or too long, now and then a
 *         call out of order;
 *   3     the same tables written as NAME.csv files into a scratch folder (on /dev/shm
 *         when there is one) and loaded with cb_dataset_load, and fed again as text cells
 *         to a builder in input order (so the schema may come after the tables it types):
 *         the two must agree.
 *
 * Checked (names for CB_FUZZ_IGNORE in brackets):
 *  [record]     every field is NUL-terminated at its length, holds no NUL and is valid
 *               UTF-8; record lines start at 1, never go down and stay within the input;
 *  [error]      a failed parse says "path:line[:col]: ..." with a line within the input;
 *               an error returned by the callback stops the parse and comes back as is;
 *  [roundtrip]  writing the records back as CSV (every field quoted) and parsing that
 *               gives the same records;
 *  [builder]    after a failed call every later call fails, finish included;
 *  [dataset]    a finished dataset keeps data.h's promises: tables sorted by unique name,
 *               the counties table with unique non-empty ids, every cell of its column's
 *               type (numbers finite, text non-empty valid UTF-8), county_id and the
 *               counties' name text, the partition listing each county's rows in file
 *               order and no other, lookups by id finding each county;
 *  [agree]      (mode 3) cb_dataset_load and the builder both succeed with equal datasets,
 *               or both fail;
 *  [number]     cb_number_parse on every short field (data.h, "Number cells"): a known
 *               status; a number is finite and cb_parse_number agrees; blanks around (space,
 *               tab, U+3000, U+00A0) change nothing; for ASCII text, its full-width form
 *               (１２３．５) parses the same, and a number's value is strtod's of the text
 *               without blanks and thousands separators.
 */
#define _GNU_SOURCE /* mkdtemp */
#include <dirent.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "csvread.h"
#include "data.h"
#include "fuzz_common.h"

/* ------------------------------------------------------------------ records */

typedef struct rec {
    size_t line, n;
    char **f;
    size_t *len;
} rec;

typedef struct recs {
    rec *v;
    size_t n, cap;
    size_t max_line;   /* lines in the input */
    size_t input_len;
    size_t stop_after; /* the callback fails at this record (0: never) */
    size_t calls;
} recs;

static void recs_free(recs *rs)
{
    for (size_t i = 0; i < rs->n; i++) {
        for (size_t k = 0; k < rs->v[i].n; k++) free(rs->v[i].f[k]);
        free(rs->v[i].f);
        free(rs->v[i].len);
    }
    free(rs->v);
    memset(rs, 0, sizeof *rs);
}

/* ------------------------------------------------------------------ number cells */

static void check_number(const char *f, size_t len)
{
    if (len > 80) return;
    double v = 0, w = 0;
    cb_number_status st = cb_number_parse(f, &v);
    CHECK("number", st == CB_NUM_OK || st == CB_NUM_NOT_NUMBER || st == CB_NUM_NOT_FINITE ||
                        st == CB_NUM_BAD_GROUPING, "status %d for \"%s\"", (int)st, f);
    if (st == CB_NUM_OK) CHECK("number", isfinite(v), "\"%s\" gives %g", f, v);
    CHECK("number", cb_parse_number(f, &w) == (st == CB_NUM_OK) && (st != CB_NUM_OK || v == w),
          "cb_parse_number disagrees on \"%s\"", f);

    /* blanks around */
    char *padded = cb_xasprintf(" \t\xE3\x80\x80%s\xC2\xA0 ", f);
    double pv = 0;
    cb_number_status pst = cb_number_parse(padded, &pv);
    CHECK("number", pst == st && (st != CB_NUM_OK || pv == v),
          "\"%s\" gives status %d (%g), with blanks around status %d (%g)", f, (int)st, v,
          (int)pst, pv);
    free(padded);

    /* ASCII: the full-width form, and the value */
    for (size_t i = 0; i < len; i++)
        if ((unsigned char)f[i] < 0x20 || (unsigned char)f[i] >= 0x7F) return;
    cb_buf wide = {0};
    cb_buf_add(&wide, "", 0);
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)f[i];
        if (c == ' ') {
            cb_buf_add(&wide, " ", 1);
            continue;
        }
        char enc[4];
        int k = cb_utf8_encode(0xFF01 + (c - 0x21), enc);
        cb_buf_add(&wide, enc, (size_t)k);
    }
    double fv = 0;
    cb_number_status fst = cb_number_parse(wide.s, &fv);
    CHECK("number", fst == st && (st != CB_NUM_OK || fv == v),
          "\"%s\" gives status %d (%g), full-width status %d (%g)", f, (int)st, v, (int)fst, fv);
    cb_buf_free(&wide);
    if (st == CB_NUM_OK) {
        char plain[96];
        size_t k = 0;
        for (size_t i = 0; i < len; i++)
            if (f[i] != ',' && f[i] != ' ' && f[i] != '\t') plain[k++] = f[i];
        plain[k] = '\0';
        double sv = strtod(plain, NULL);
        CHECK("number", sv == v, "\"%s\" gives %.17g, strtod(\"%s\") %.17g", f, v, plain, sv);
    }
}

static int on_record(void *ud, const cb_csv_record *r, cb_error *err)
{
    recs *rs = ud;
    rs->calls++;
    CHECK("error", !rs->stop_after || rs->calls <= rs->stop_after,
          "record callback after it returned an error");
    CHECK("record", r->nfields >= 1, "a record with no fields");
    CHECK("record", r->line >= 1 && r->line <= rs->max_line, "record line %zu of %zu", r->line,
          rs->max_line);
    CHECK("record", rs->n == 0 || r->line >= rs->v[rs->n - 1].line, "line %zu after line %zu",
          r->line, rs->v[rs->n - 1].line);
    size_t total = 0;
    for (size_t i = 0; i < r->nfields; i++) {
        CHECK("record", r->fields[i] != NULL, "field %zu is NULL", i);
        CHECK("record", r->fields[i][r->lens[i]] == '\0', "field %zu not NUL-terminated", i);
        CHECK("record", strlen(r->fields[i]) == r->lens[i], "field %zu holds a NUL", i);
        CHECK("record", cb_utf8_valid(r->fields[i], r->lens[i]), "field %zu is not UTF-8", i);
        total += r->lens[i];
        check_number(r->fields[i], r->lens[i]);
    }
    CHECK("record", total <= rs->input_len, "fields hold %zu bytes of a %zu-byte input", total,
          rs->input_len);
    if (rs->n == rs->cap) {
        rs->cap = rs->cap ? rs->cap * 2 : 16;
        rs->v = cb_xrealloc(rs->v, rs->cap * sizeof *rs->v);
    }
    rec *c = &rs->v[rs->n++];
    c->line = r->line;
    c->n = r->nfields;
    c->f = cb_xmalloc(r->nfields * sizeof *c->f);
    c->len = cb_xmalloc(r->nfields * sizeof *c->len);
    for (size_t i = 0; i < r->nfields; i++) {
        c->f[i] = cb_xstrndup(r->fields[i], r->lens[i]);
        c->len[i] = r->lens[i];
    }
    if (rs->stop_after && rs->calls == rs->stop_after)
        return cb_fail(err, CB_EDATA, "stop here");
    return CB_OK;
}

static size_t count_lines(const char *s, size_t len)
{
    size_t n = 1;
    for (size_t i = 0; i < len; i++)
        if (s[i] == '\n') n++;
    return n;
}

/* Parses data into rs; returns the parse's code. */
static int parse(const char *path, const char *data, size_t len, recs *rs, size_t stop_after,
                 cb_error *err)
{
    memset(rs, 0, sizeof *rs);
    rs->max_line = count_lines(data, len);
    rs->input_len = len;
    rs->stop_after = stop_after;
    err->code = 0;
    err->msg[0] = '\0';
    int rc = cb_csv_parse(path, data, len, on_record, rs, err);
    if (rc != CB_OK) {
        CHECK("error", rc == err->code, "returned %d, err says %d", rc, err->code);
        if (stop_after && rs->calls == stop_after) {
            CHECK("error", strcmp(err->msg, "stop here") == 0, "the callback's error became \"%s\"",
                  err->msg);
        } else {
            CHECK("error", rc == CB_EDATA, "code %d: %s", rc, err->msg);
            size_t pl = strlen(path);
            CHECK("error", strncmp(err->msg, path, pl) == 0 && err->msg[pl] == ':',
                  "message does not start with the path: %s", err->msg);
            char *end;
            unsigned long line = strtoul(err->msg + pl + 1, &end, 10);
            CHECK("error", line >= 1 && line <= rs->max_line && *end == ':',
                  "bad line in \"%s\" (%zu lines)", err->msg, rs->max_line);
        }
    }
    return rc;
}

static void roundtrip(const recs *rs)
{
    cb_buf b = {0};
    cb_buf_add(&b, "", 0);
    for (size_t i = 0; i < rs->n; i++) {
        for (size_t k = 0; k < rs->v[i].n; k++) {
            if (k) cb_buf_add(&b, ",", 1);
            cb_buf_add(&b, "\"", 1);
            const char *f = rs->v[i].f[k];
            for (size_t j = 0; j < rs->v[i].len[k]; j++) {
                if (f[j] == '"') cb_buf_add(&b, "\"", 1);
                cb_buf_add(&b, f + j, 1);
            }
            cb_buf_add(&b, "\"", 1);
        }
        cb_buf_add(&b, i % 2 ? "\r\n" : "\n", i % 2 ? 2 : 1);
    }
    recs again;
    cb_error err;
    int rc = parse("again.csv", b.s, b.len, &again, 0, &err);
    CHECK("roundtrip", rc == CB_OK, "the written records do not parse: %s", err.msg);
    CHECK("roundtrip", again.n == rs->n, "%zu records, then %zu", rs->n, again.n);
    for (size_t i = 0; i < rs->n; i++) {
        CHECK("roundtrip", again.v[i].n == rs->v[i].n, "record %zu: %zu fields, then %zu", i,
              rs->v[i].n, again.v[i].n);
        for (size_t k = 0; k < rs->v[i].n; k++)
            CHECK("roundtrip", again.v[i].len[k] == rs->v[i].len[k] &&
                                   memcmp(again.v[i].f[k], rs->v[i].f[k], rs->v[i].len[k]) == 0,
                  "record %zu field %zu changed", i, k);
    }
    recs_free(&again);
    cb_buf_free(&b);
}

/* ------------------------------------------------------------------ datasets */

static void verify_dataset(const cb_dataset *ds)
{
    CHECK("dataset", ds->ntables >= 1 && ds->tables, "no tables");
    for (size_t i = 1; i < ds->ntables; i++)
        CHECK("dataset", strcmp(ds->tables[i - 1]->name, ds->tables[i]->name) < 0,
              "tables \"%s\", \"%s\" out of order or repeated", ds->tables[i - 1]->name,
              ds->tables[i]->name);
    const cb_table *ct = ds->counties;
    CHECK("dataset", ct && ct == cb_dataset_table(ds, "counties"), "counties not found");
    CHECK("dataset", ds->ncounties == ct->nrows, "ncounties %zu, rows %zu", ds->ncounties, ct->nrows);
    int idc = cb_table_col(ct, "county_id"), namec = cb_table_col(ct, "name");
    CHECK("dataset", idc >= 0 && namec >= 0, "counties lack county_id or name");
    CHECK("dataset", ct->types[idc] == CB_T_TEXT && ct->types[namec] == CB_T_TEXT,
          "county_id or name is not text");
    for (size_t c = 0; c < ds->ncounties; c++) {
        const char *id = cb_county_id(ds, c);
        CHECK("dataset", id && *id, "county %zu has no id", c);
        CHECK("dataset", cb_county_name(ds, c) != NULL, "county %zu has no name", c);
        CHECK("dataset", cb_dataset_find_county(ds, id) == (long)c, "county id \"%s\" finds %ld, not %zu",
              id, cb_dataset_find_county(ds, id), c);
    }
    for (size_t i = 0; i < ds->ntables; i++) {
        const cb_table *t = ds->tables[i];
        CHECK("dataset", t->name && *t->name && strcmp(t->name, "schema") != 0, "table name \"%s\"",
              t->name ? t->name : "(null)");
        CHECK("dataset", t->ncols >= 1, "table %s has no columns", t->name);
        for (size_t c = 0; c < t->ncols; c++) {
            CHECK("dataset", t->cols[c] && *t->cols[c], "empty column name in %s", t->name);
            for (size_t k = 0; k < c; k++)
                CHECK("dataset", strcmp(t->cols[c], t->cols[k]) != 0, "duplicate column %s", t->cols[c]);
            CHECK("dataset", t->types[c] == CB_T_NUMBER || t->types[c] == CB_T_TEXT,
                  "%s.%s has type %d", t->name, t->cols[c], t->types[c]);
        }
        CHECK("dataset", t->county_col == cb_table_col(t, "county_id"), "%s: county_col %d", t->name,
              t->county_col);
        if (t->county_col >= 0)
            CHECK("dataset", t->types[t->county_col] == CB_T_TEXT, "%s.county_id is not text", t->name);
        for (size_t r = 0; r < t->nrows; r++)
            for (size_t c = 0; c < t->ncols; c++) {
                const cb_value *v = cb_table_cell(t, r, c);
                if (v->type == CB_T_NULL) continue;
                CHECK("dataset", v->type == t->types[c], "%s row %zu col %zu: type %d in a %d column",
                      t->name, r, c, v->type, t->types[c]);
                if (v->type == CB_T_NUMBER)
                    CHECK("dataset", isfinite(v->num), "%s row %zu col %zu: %g", t->name, r, c, v->num);
                else
                    CHECK("dataset", v->text && *v->text && cb_utf8_valid(v->text, strlen(v->text)),
                          "%s row %zu col %zu: bad text", t->name, r, c);
            }
        /* the partition */
        const size_t *rows;
        if (t->county_col < 0) {
            CHECK("dataset", t->first == NULL, "shared table %s has a partition", t->name);
            size_t n = cb_table_county_rows(t, 0, &rows);
            CHECK("dataset", n == t->nrows, "shared table %s lists %zu of %zu rows", t->name, n, t->nrows);
            for (size_t k = 0; k < n; k++) CHECK("dataset", rows[k] == k, "shared %s: row order", t->name);
            continue;
        }
        CHECK("dataset", t->first != NULL, "table %s has no partition", t->name);
        size_t listed = 0, with_id = 0;
        for (size_t r = 0; r < t->nrows; r++)
            if (cb_table_cell(t, r, (size_t)t->county_col)->type != CB_T_NULL) with_id++;
        for (size_t c = 0; c < ds->ncounties; c++) {
            size_t n = cb_table_county_rows(t, c, &rows);
            const char *id = cb_county_id(ds, c);
            for (size_t k = 0; k < n; k++) {
                CHECK("dataset", rows[k] < t->nrows, "%s: row %zu of %zu", t->name, rows[k], t->nrows);
                CHECK("dataset", k == 0 || rows[k] > rows[k - 1], "%s: rows of county %zu out of order",
                      t->name, c);
                const cb_value *v = cb_table_cell(t, rows[k], (size_t)t->county_col);
                CHECK("dataset", v->type == CB_T_TEXT && strcmp(v->text, id) == 0,
                      "%s: row %zu listed for county %s", t->name, rows[k], id);
            }
            listed += n;
        }
        CHECK("dataset", listed == with_id, "%s: %zu rows listed, %zu have a county_id", t->name,
              listed, with_id);
        CHECK("dataset", cb_table_county_rows(t, ds->ncounties, &rows) == 0,
              "%s: rows for a county past the end", t->name);
    }
}

static void compare_datasets(const cb_dataset *a, const cb_dataset *b)
{
    CHECK("agree", a->ntables == b->ntables, "%zu tables vs %zu", a->ntables, b->ntables);
    for (size_t i = 0; i < a->ntables; i++) {
        const cb_table *x = a->tables[i], *y = b->tables[i];
        CHECK("agree", strcmp(x->name, y->name) == 0, "table %s vs %s", x->name, y->name);
        CHECK("agree", x->ncols == y->ncols && x->nrows == y->nrows, "%s: shape", x->name);
        CHECK("agree", x->county_col == y->county_col, "%s: county_col", x->name);
        for (size_t c = 0; c < x->ncols; c++) {
            CHECK("agree", strcmp(x->cols[c], y->cols[c]) == 0, "%s: column %zu", x->name, c);
            CHECK("agree", x->types[c] == y->types[c], "%s.%s: type %d (folder) vs %d (builder)",
                  x->name, x->cols[c], x->types[c], y->types[c]);
        }
        for (size_t r = 0; r < x->nrows; r++) {
            CHECK("agree", x->lines[r] == y->lines[r], "%s row %zu: line %zu vs %zu", x->name, r,
                  x->lines[r], y->lines[r]);
            for (size_t c = 0; c < x->ncols; c++) {
                const cb_value *u = cb_table_cell(x, r, c), *v = cb_table_cell(y, r, c);
                CHECK("agree", u->type == v->type, "%s row %zu col %zu: type", x->name, r, c);
                if (u->type == CB_T_NUMBER)
                    CHECK("agree", memcmp(&u->num, &v->num, sizeof u->num) == 0, "%s row %zu col %zu: %g vs %g",
                          x->name, r, c, u->num, v->num);
                if (u->type == CB_T_TEXT)
                    CHECK("agree", strcmp(u->text, v->text) == 0, "%s row %zu col %zu: text", x->name, r, c);
            }
        }
        for (size_t c = 0; c <= a->ncounties && x->first; c++) {
            const size_t *p, *q;
            size_t n = cb_table_county_rows(x, c, &p), m = cb_table_county_rows(y, c, &q);
            CHECK("agree", n == m && (n == 0 || memcmp(p, q, n * sizeof *p) == 0),
                  "%s: rows of county %zu", x->name, c);
        }
    }
}

/* ------------------------------------------------------------------ tables from the input */

static const char *const table_names[] = {"counties", "schema", "projects", "funds",
                                          "towns",    "notes",  "indicators", "a"};
#define NNAMES (sizeof table_names / sizeof table_names[0])

typedef struct chunk {
    const char *name;
    uint8_t sel;
    const char *data;
    size_t len;
} chunk;

/* Splits at NUL bytes; the first byte of each piece names the table. Names are unique
 * (a later piece with a name already taken is dropped), at most 8 pieces. */
static size_t split(const uint8_t *data, size_t size, chunk *out, size_t max)
{
    size_t n = 0;
    const uint8_t *p = data, *end = data + size;
    while (p < end && n < max) {
        const uint8_t *z = memchr(p, 0, (size_t)(end - p));
        const uint8_t *e = z ? z : end;
        if (e > p) {
            chunk c = {table_names[p[0] % NNAMES], p[0], (const char *)p + 1, (size_t)(e - p - 1)};
            int dup = 0;
            for (size_t i = 0; i < n; i++) dup |= strcmp(out[i].name, c.name) == 0;
            if (!dup) out[n++] = c;
        }
        if (!z) break;
        p = z + 1;
    }
    return n;
}

/* A tiny generator for the builder's choices, seeded by the input. */
static uint32_t rng_next(uint32_t *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 17;
    *s ^= *s << 5;
    return *s;
}

typedef struct calls {
    int failed;       /* a call has failed */
    size_t after;     /* calls after that */
} calls;

/* Records a builder call's result: once one fails, all later ones must. */
static int note(calls *k, int rc, const char *what)
{
    if (k->failed) {
        CHECK("builder", rc != CB_OK, "%s succeeded after an earlier error", what);
        k->after++;
    }
    if (rc != CB_OK) k->failed = 1;
    return rc;
}

static void mode_builder(const uint8_t *data, size_t size)
{
    if (!size) return;
    uint32_t seed = 0x9E3779B9u ^ data[0] ^ (uint32_t)size << 8;
    chunk ch[8];
    size_t nch = split(data + 1, size - 1, ch, 8);
    cb_dataset_builder *b = cb_dataset_builder_new(data[0] & 1 ? "book.xlsx" : NULL);
    calls k = {0, 0};
    cb_error err;
    int open = 0; /* a table has begun and not ended */
    for (size_t i = 0; i < nch; i++) {
        recs rs;
        char path[64];
        snprintf(path, sizeof path, "%s.csv", ch[i].name);
        int rc = parse(path, ch[i].data, ch[i].len, &rs, 0, &err);
        if (rc != CB_OK) {
            recs_free(&rs);
            continue;
        }
        char where[64];
        snprintf(where, sizeof where, "book.xlsx: sheet %zu", i + 1);
        const char *w = ch[i].sel & 0x80 ? where : NULL;
        size_t ncols = rs.n ? rs.v[0].n : 0;
        const char *const *cols = rs.n ? (const char *const *)rs.v[0].f : NULL;
        /* now and then a row before any table: refused */
        if (!open && (rng_next(&seed) & 63) == 0) {
            cb_value none = {CB_T_NULL, 0, NULL};
            rc = note(&k, cb_dataset_builder_row(b, &none, 1, &err), "row outside a table");
            CHECK("builder", rc != CB_OK, "a row outside a table was accepted");
        }
        if (note(&k, cb_dataset_builder_table(b, ch[i].name, w, ncols, cols, &err), "table") == CB_OK)
            open = 1;
        cb_value *cells = cb_xcalloc(ncols ? ncols : 1, sizeof *cells);
        for (size_t r = 1; r < rs.n; r++) {
            for (size_t c = 0; c < ncols; c++) {
                uint32_t x = rng_next(&seed);
                const char *f = c < rs.v[r].n ? rs.v[r].f[c] : NULL;
                cb_value v = {CB_T_TEXT, 0, f};
                double num;
                if (!f || (x & 31) == 0) v = (cb_value){CB_T_NULL, 0, NULL};
                else if ((x & 31) == 1) v.text = NULL; /* NULL text: an empty cell */
                else if ((x & 7) == 2 && cb_parse_number(f, &num)) v = (cb_value){CB_T_NUMBER, num, NULL};
                else if ((x & 255) == 3) /* not finite, or any number: refused or kept */
                    v = (cb_value){CB_T_NUMBER, fz_special_doubles[(x >> 8) % FZ_NSPECIAL], NULL};
                cells[c] = v;
            }
            note(&k, cb_dataset_builder_row(b, cells, rs.v[r].line, &err), "row");
        }
        free(cells);
        if ((rng_next(&seed) & 31) != 0) {
            note(&k, cb_dataset_builder_end_table(b, &err), "end_table");
            open = 0;
        }
        recs_free(&rs);
    }
    cb_dataset ds;
    int rc = cb_dataset_builder_finish(b, &ds, &err);
    if (k.failed) CHECK("builder", rc != CB_OK, "finish succeeded after an earlier error");
    if (rc == CB_OK) {
        verify_dataset(&ds);
        cb_dataset_free(&ds);
    } else {
        CHECK("builder", ds.ntables == 0 && ds.tables == NULL, "a failed finish left tables");
    }
}

/* ------------------------------------------------------------------ mode 3: folder vs builder */

static char *scratch;       /* the scratch folder */
static char *written[8];    /* files there from the last input */

static void remove_scratch(void)
{
    for (size_t i = 0; i < 8; i++)
        if (written[i]) {
            unlink(written[i]);
            free(written[i]);
            written[i] = NULL;
        }
    if (scratch) rmdir(scratch);
}

static int make_scratch(void)
{
    if (scratch) return 1;
    if (!(scratch = fz_scratch_dir("csv"))) return 0;
    atexit(remove_scratch);
    return 1;
}

/* Feeds the chunks to a builder as cb_dataset_load would, but in input order. */
static int build_like_folder(const chunk *ch, size_t nch, cb_dataset *ds, cb_error *err)
{
    cb_dataset_builder *b = cb_dataset_builder_new(scratch);
    int rc = CB_OK;
    for (size_t i = 0; i < nch && rc == CB_OK; i++) {
        recs rs;
        char path[64];
        snprintf(path, sizeof path, "%s.csv", ch[i].name);
        rc = parse(path, ch[i].data, ch[i].len, &rs, 0, err);
        if (rc == CB_OK && rs.n == 0) rc = cb_fail(err, CB_EDATA, "empty file");
        if (rc == CB_OK)
            rc = cb_dataset_builder_table(b, ch[i].name, NULL, rs.v[0].n,
                                          (const char *const *)rs.v[0].f, err);
        cb_value *cells = rs.n ? cb_xcalloc(rs.v[0].n, sizeof *cells) : NULL;
        for (size_t r = 1; r < rs.n && rc == CB_OK; r++) {
            if (rs.v[r].n != rs.v[0].n) {
                rc = cb_fail(err, CB_EDATA, "ragged row");
                break;
            }
            for (size_t c = 0; c < rs.v[0].n; c++) cells[c] = (cb_value){CB_T_TEXT, 0, rs.v[r].f[c]};
            rc = cb_dataset_builder_row(b, cells, rs.v[r].line, err);
        }
        free(cells);
        if (rc == CB_OK) rc = cb_dataset_builder_end_table(b, err);
        recs_free(&rs);
    }
    if (rc != CB_OK) {
        cb_dataset_builder_free(b);
        memset(ds, 0, sizeof *ds);
        return rc;
    }
    return cb_dataset_builder_finish(b, ds, err);
}

static void mode_folder(const uint8_t *data, size_t size)
{
    if (!make_scratch()) return;
    chunk ch[8];
    size_t nch = split(data, size, ch, 8);
    for (size_t i = 0; i < 8; i++)
        if (written[i]) {
            unlink(written[i]);
            free(written[i]);
            written[i] = NULL;
        }
    for (size_t i = 0; i < nch; i++) {
        written[i] = cb_xasprintf("%s/%s.csv", scratch, ch[i].name);
        FILE *f = fopen(written[i], "wb");
        if (!f) return;
        fwrite(ch[i].data, 1, ch[i].len, f);
        fclose(f);
    }
    cb_dataset a, b;
    cb_error ea, eb;
    int ra = cb_dataset_load(&a, scratch, &ea);
    int rb = build_like_folder(ch, nch, &b, &eb);
    CHECK("agree", (ra == CB_OK) == (rb == CB_OK), "folder: %s; builder: %s",
          ra == CB_OK ? "ok" : ea.msg, rb == CB_OK ? "ok" : eb.msg);
    if (ra == CB_OK) {
        verify_dataset(&a);
        verify_dataset(&b);
        compare_datasets(&a, &b);
    } else {
        CHECK("dataset", a.ntables == 0 && a.tables == NULL, "a failed load left tables");
        CHECK("error", ea.msg[0] && ra == ea.code, "a failed load without a message");
    }
    cb_dataset_free(&a);
    cb_dataset_free(&b);
}

/* ------------------------------------------------------------------ entry */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!size) return 0;
    switch (data[0] % 4) {
    case 0:
    case 1: {
        const char *s = (const char *)data + 1;
        size_t len = size - 1;
        recs rs;
        cb_error err;
        /* mode 1 stops the parse from the callback at some record */
        size_t stop = data[0] % 4 == 1 ? 1 + (data[0] >> 2) % 8 : 0;
        int rc = parse("in.csv", s, len, &rs, stop, &err);
        if (rc == CB_OK) {
            CHECK("error", !stop || rs.calls < stop, "the callback's error was lost");
            roundtrip(&rs);
        }
        recs_free(&rs);
        break;
    }
    case 2: mode_builder(data + 1, size - 1); break;
    default: mode_folder(data + 1, size - 1); break;
    }
    return 0;
}
