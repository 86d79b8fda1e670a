/*
 * fuzz_encoding: how a data folder's CSV files are decoded (core/data.c, "Encodings"):
 * UTF-8, a UTF-16 byte-order mark, GB18030 found when a file is not UTF-8, --encoding,
 * tab-separated headers; and that the rows kept on disk read back the same from the
 * converted text (cb_dataset_load_lazy keeps byte offsets into it).
 *
 * The input is one table, written as t.csv into a scratch folder beside a fixed
 * counties.csv (ids 1 and 2). The first byte picks a mode:
 *   0     the rest as it is, the encoding found per file;
 *   1     the rest with --encoding GB18030;
 *   2     the rest with --encoding UTF-16LE;
 *   3     the rest is UTF-8 text: when it loads, its GB18030 form and its UTF-16 forms
 *         (little- and big-endian, with a byte-order mark) load too, to the same dataset.
 *
 * Checked (names for CB_FUZZ_IGNORE in brackets):
 *  [agree]    the folder loaded whole and with its rows on disk (all focused) both succeed
 *             with the same tables, cells and lines, or both fail;
 *  [dataset]  every text cell is non-empty valid UTF-8 and every number finite; a note
 *             names t.csv when it was read in another encoding (and only without
 *             --encoding);
 *  [error]    a failed load has one line of message, naming the file;
 *  [convert]  (mode 3) the converted forms give the dataset the UTF-8 text gives, lines
 *             included (unless the GB18030 bytes are themselves valid UTF-8: then they are
 *             UTF-8, as documented).
 */
#define _GNU_SOURCE /* mkdtemp */
#include <iconv.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "data.h"
#include "fuzz_common.h"

static char *scratch, *table_path;

static void remove_scratch(void)
{
    unlink(table_path);
    char *counties = cb_path_join(scratch, "counties.csv");
    unlink(counties);
    free(counties);
    rmdir(scratch);
}

static int make_scratch(void)
{
    if (scratch) return 1;
    if (!(scratch = fz_scratch_dir("enc"))) return 0;
    table_path = cb_path_join(scratch, "t.csv");
    char *counties = cb_path_join(scratch, "counties.csv");
    FILE *f = fopen(counties, "wb");
    free(counties);
    if (!f) return 0;
    fputs("county_id,name\n1,一\n2,二\n", f);
    fclose(f);
    atexit(remove_scratch);
    return 1;
}

static int write_table(const char *data, size_t len)
{
    FILE *f = fopen(table_path, "wb");
    if (!f) return 0;
    fwrite(data, 1, len, f);
    fclose(f);
    return 1;
}

/* A load of the folder: its result, message and dataset (empty on failure). */
typedef struct load {
    int rc;
    cb_error err;
    cb_dataset ds;
} load;

static void load_folder(load *l, const char *encoding, int lazy)
{
    cb_data_opts o = {.lazy = lazy, .encoding = encoding};
    memset(&l->err, 0, sizeof l->err);
    l->rc = cb_dataset_load_with(&l->ds, scratch, &o, &l->err);
    if (l->rc == CB_OK && lazy) {
        l->rc = cb_dataset_focus_all(&l->ds, &l->err);
        if (l->rc != CB_OK) cb_dataset_free(&l->ds);
    }
}

static void verify(const load *l, const char *encoding)
{
    if (l->rc != CB_OK) {
        CHECK("error", l->err.msg[0] && !strchr(l->err.msg, '\n'), "message: \"%s\"", l->err.msg);
        CHECK("error", strstr(l->err.msg, scratch) || strstr(l->err.msg, "--encoding"),
              "the message names no file: \"%s\"", l->err.msg);
        return;
    }
    const cb_dataset *ds = &l->ds;
    for (size_t i = 0; i < ds->ntables; i++) {
        const cb_table *t = ds->tables[i];
        for (size_t r = 0; r < t->nrows; r++)
            for (size_t c = 0; c < t->ncols; c++) {
                const cb_value *v = cb_table_cell(t, r, c);
                if (v->type == CB_T_TEXT)
                    CHECK("dataset", v->text[0] && cb_utf8_valid(v->text, strlen(v->text)),
                          "%s line %zu column %zu: bad text", t->name, t->lines[r], c + 1);
                else if (v->type == CB_T_NUMBER)
                    CHECK("dataset", isfinite(v->num), "%s line %zu: not finite", t->name,
                          t->lines[r]);
            }
    }
    for (size_t i = 0; i < ds->nnotes; i++)
        CHECK("dataset", ds->notes[i].warning || (!encoding && strstr(ds->notes[i].msg, "t.csv is not UTF-8")),
              "unexpected note: %s", ds->notes[i].msg);
}

/* a and b hold the same tables, cells and lines; both loaded. */
static void compare(const cb_dataset *a, const cb_dataset *b, const char *what)
{
    CHECK(what, a->ntables == b->ntables, "%zu tables vs %zu", a->ntables, b->ntables);
    for (size_t i = 0; i < a->ntables; i++) {
        const cb_table *x = a->tables[i], *y = b->tables[i];
        CHECK(what, !strcmp(x->name, y->name) && x->ncols == y->ncols && x->nrows == y->nrows,
              "table %s (%zu x %zu) vs %s (%zu x %zu)", x->name, x->nrows, x->ncols, y->name,
              y->nrows, y->ncols);
        for (size_t c = 0; c < x->ncols; c++)
            CHECK(what, !strcmp(x->cols[c], y->cols[c]) && x->types[c] == y->types[c],
                  "%s column %zu", x->name, c + 1);
        for (size_t r = 0; r < x->nrows; r++) {
            CHECK(what, x->lines[r] == y->lines[r], "%s row %zu: line %zu vs %zu", x->name, r,
                  x->lines[r], y->lines[r]);
            for (size_t c = 0; c < x->ncols; c++) {
                const cb_value *u = cb_table_cell(x, r, c), *v = cb_table_cell(y, r, c);
                CHECK(what, u->type == v->type && (u->type != CB_T_NUMBER || u->num == v->num) &&
                      (u->type != CB_T_TEXT || !strcmp(u->text, v->text)),
                      "%s line %zu column %zu differs", x->name, x->lines[r], c + 1);
            }
        }
    }
}

/* Loads the folder whole and lazily, checks both and that they agree; keeps the whole one
 * in *out (the caller frees it). */
static void load_both(load *out, const char *encoding)
{
    load lazy;
    load_folder(out, encoding, 0);
    load_folder(&lazy, encoding, 1);
    verify(out, encoding);
    verify(&lazy, encoding);
    CHECK("agree", (out->rc == CB_OK) == (lazy.rc == CB_OK), "whole: %s; on disk: %s",
          out->rc == CB_OK ? "ok" : out->err.msg, lazy.rc == CB_OK ? "ok" : lazy.err.msg);
    /* both failed: not always with the same message, as a table on disk checks each row's
     * county as it comes, and one loaded whole once every row is in */
    if (out->rc == CB_OK) compare(&out->ds, &lazy.ds, "agree");
    if (lazy.rc == CB_OK) cb_dataset_free(&lazy.ds);
}

/* s[0..len) converted to `to` (with bom prepended), malloc'd, or NULL if iconv can't. */
static char *convert(const char *s, size_t len, const char *to, const char *bom, size_t *out_len)
{
    iconv_t cd = iconv_open(to, "UTF-8");
    if (cd == (iconv_t)-1) return NULL;
    size_t nb = strlen(bom), cap = nb + len * 4 + 16, room = cap - nb;
    char *buf = cb_xmalloc(cap), *op = buf + nb, *ip = (char *)s;
    memcpy(buf, bom, nb);
    size_t left = len;
    size_t r = iconv(cd, &ip, &left, &op, &room);
    iconv_close(cd);
    if (r == (size_t)-1 || left) {
        free(buf);
        return NULL;
    }
    *out_len = (size_t)(op - buf);
    return buf;
}

static void mode_convert(const char *s, size_t len)
{
    if (!cb_utf8_valid(s, len)) return;
    load base;
    if (!write_table(s, len)) return;
    load_both(&base, NULL);
    if (base.rc != CB_OK) return;
    static const struct { const char *to, *bom; } forms[] = {
        {"GB18030", ""}, {"UTF-16LE", "\xFF\xFE"}, {"UTF-16BE", "\xFE\xFF"},
    };
    for (size_t k = 0; k < sizeof forms / sizeof forms[0]; k++) {
        size_t n;
        /* a BOM of the input's own would be data after the converted one */
        if (*forms[k].bom && len >= 3 && !memcmp(s, "\xEF\xBB\xBF", 3)) continue;
        char *conv = convert(s, len, forms[k].to, forms[k].bom, &n);
        if (!conv) continue;
        int ambiguous = !*forms[k].bom && cb_utf8_valid(conv, n) && (n != len || memcmp(conv, s, n));
        if (write_table(conv, n) && !ambiguous) {
            load other;
            load_both(&other, NULL);
            CHECK("convert", other.rc == CB_OK, "%s: %s", forms[k].to, other.err.msg);
            compare(&base.ds, &other.ds, "convert");
            cb_dataset_free(&other.ds);
        }
        free(conv);
    }
    cb_dataset_free(&base.ds);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!size || !make_scratch()) return 0;
    const char *s = (const char *)data + 1;
    size_t len = size - 1;
    static const char *const forced[] = {NULL, "GB18030", "UTF-16LE"};
    int mode = data[0] % 4;
    if (mode == 3) {
        mode_convert(s, len);
        return 0;
    }
    if (!write_table(s, len)) return 0;
    load l;
    load_both(&l, forced[mode]);
    if (l.rc == CB_OK) cb_dataset_free(&l.ds);
    return 0;
}
