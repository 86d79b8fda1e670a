/* csvread.c: see csvread.h. */
#include "csvread.h"

#include <stdlib.h>
#include <string.h>

#include <csv.h> /* libcsv */

/* Input is fed to libcsv one physical line at a time (so line numbers are known when a
 * record or an error comes back), in pieces of at most CSV_PIECE bytes so that a huge
 * field is caught after CB_CSV_FIELD_MAX bytes rather than buffered whole. A piece also
 * ends after a CR, so at most one record ends in a piece and the next one starts where the
 * next piece does: that is its offset. */
#define CSV_PIECE (64u * 1024)
/* libcsv grows its field buffer by a fixed step; a larger step keeps big fields linear. */
#define CSV_BLOCK (64u * 1024)

typedef struct csv_state {
    const char *path;
    cb_csv_record_fn fn;
    void *ud;
    cb_error *err;
    cb_csv_opts *opts;    /* NULL: the defaults */
    int rc;               /* first error; once set, libcsv's callbacks are ignored */
    size_t line;          /* physical line being fed (1-based) */
    size_t rec_line;      /* line where the current record began */
    size_t field_line;    /* line where the current field began */
    size_t rec_off;       /* byte offset where the current record began */
    int ended;            /* a record ended in the piece being fed */
    cb_buf bytes;         /* the current record's fields, each followed by a NUL */
    size_t nfields, cap;
    size_t *offs;         /* field starts in bytes */
    size_t *lens;
    const char **ptrs;    /* built from offs when the record ends (bytes may move) */
} csv_state;

/* 1-based line of byte off of a field that began on line `line`. */
static size_t line_at(const char *s, size_t off, size_t line)
{
    for (size_t i = 0; i < off; i++)
        if (s[i] == '\n') line++;
    return line;
}

/* Offset of the first byte that is not valid UTF-8 (same rule as cb_utf8_valid: an
 * invalid byte decodes as U+FFFD of length 1, a real U+FFFD has 3). Called on text that has
 * one, so the loop never runs to the end (not covered: p == end). */
static size_t utf8_bad_offset(const char *s, size_t len)
{
    const char *p = s, *end = s + len;
    while (p < end) {
        const char *q = p;
        if (cb_utf8_next(&q, end) == 0xFFFD && q - p == 1) break;
        p = q;
    }
    return (size_t)(p - s);
}

static void on_field(void *data, size_t len, void *vst)
{
    csv_state *st = vst;
    const char *s = data;
    size_t col = st->nfields + 1;
    if (st->rc) return;
    if (len > CB_CSV_FIELD_MAX) {
        st->rc = cb_fail(st->err, CB_EDATA, "%s:%zu:%zu: field longer than 1 MiB", st->path,
                         st->field_line, col);
        return;
    }
    const char *nul = memchr(s, '\0', len);
    if (nul) {
        /* NULs break every C string downstream; they mostly mean a UTF-16 file */
        st->rc = cb_fail(st->err, CB_EDATA, "%s:%zu:%zu: NUL byte: not CSV text (UTF-16 without a "
                         "byte-order mark? save it as \"CSV UTF-8\" in Excel, or pass --encoding)",
                         st->path, line_at(s, (size_t)(nul - s), st->field_line), col);
        return;
    }
    if (!cb_utf8_valid(s, len)) {
        if (st->opts) st->opts->not_utf8 = 1;
        st->rc = cb_fail(st->err, CB_EDATA, "%s:%zu:%zu: not UTF-8 or GB18030 text; save it as "
                         "\"CSV UTF-8\" in Excel, or pass --encoding", st->path,
                         line_at(s, utf8_bad_offset(s, len), st->field_line), col);
        return;
    }
    if (st->nfields == CB_CSV_COLS_MAX) {
        st->rc = cb_fail(st->err, CB_EDATA, "%s:%zu: more than %d columns; at most %d", st->path,
                         st->rec_line, CB_CSV_COLS_MAX, CB_CSV_COLS_MAX);
        return;
    }
    if (st->bytes.len + len >= CB_CSV_RECORD_MAX) {
        st->rc = cb_fail(st->err, CB_EDATA, "%s:%zu: row longer than %u MiB", st->path,
                         st->rec_line, CB_CSV_RECORD_MAX >> 20);
        return;
    }
    if (st->nfields == st->cap) {
        st->cap = st->cap ? st->cap * 2 : 16;
        st->offs = cb_xrealloc(st->offs, st->cap * sizeof *st->offs);
        st->lens = cb_xrealloc(st->lens, st->cap * sizeof *st->lens);
        st->ptrs = cb_xrealloc(st->ptrs, st->cap * sizeof *st->ptrs);
    }
    st->offs[st->nfields] = st->bytes.len;
    st->lens[st->nfields] = len;
    cb_buf_add(&st->bytes, s, len);
    cb_buf_add(&st->bytes, "", 1); /* keeps the NUL inside len, before the next field */
    st->nfields++;
    /* the next field starts after this delimiter, on the same line */
    st->field_line = st->line;
}

static void on_row(int term, void *vst)
{
    csv_state *st = vst;
    (void)term;
    /* after a refused field; nfields == 0 is a guard (not covered: libcsv ends a row only
     * after a field, and a refused one sets rc) */
    if (st->rc || st->nfields == 0) return;
    for (size_t i = 0; i < st->nfields; i++) st->ptrs[i] = st->bytes.s + st->offs[i];
    cb_csv_record rec = {st->rec_line, st->rec_off, st->nfields, st->ptrs, st->lens};
    int rc = st->fn(st->ud, &rec, st->err);
    if (rc != CB_OK) st->rc = rc;
    st->nfields = 0;
    st->bytes.len = 0;
    st->ended = 1;
    /* a lone CR ends a record mid-line; after a LF the next line start resets these */
    st->rec_line = st->field_line = st->line;
}

/*
 * Blank lines (empty or only spaces and tabs) are skipped: libcsv reports no record for
 * them. A line holding just `""` is a record with one empty field: the quotes make it data.
 * As libcsv does by default, spaces and tabs around an unquoted field (and around the
 * quotes of a quoted one) are trimmed; quote a field to keep them.
 */
static int space_only(unsigned char c) { return c == ' '; }

int cb_csv_parse(const char *path, const char *data, size_t len, cb_csv_record_fn fn,
                 void *ud, cb_error *err)
{
    return cb_csv_parse_with(path, data, len, NULL, fn, ud, err);
}

int cb_csv_parse_with(const char *path, const char *data, size_t len, cb_csv_opts *o,
                      cb_csv_record_fn fn, void *ud, cb_error *err)
{
    const char *start = data;
    if (len >= 3 && memcmp(data, "\xEF\xBB\xBF", 3) == 0) {
        data += 3;
        len -= 3;
    }
    struct csv_parser p;
    csv_init(&p, CSV_STRICT | CSV_STRICT_FINI | CSV_APPEND_NULL);
    csv_set_realloc_func(&p, cb_xrealloc);
    csv_set_blk_size(&p, CSV_BLOCK);
    if (o && o->delim == '\t') {
        csv_set_delim(&p, '\t');
        csv_set_space_func(&p, space_only);
    }
    if (o) o->not_utf8 = 0;

    csv_state st = {.path = path, .fn = fn, .ud = ud, .err = err, .opts = o,
                    .line = 1, .rec_line = 1, .field_line = 1};
    size_t pos = 0, bom = st.rec_off = (size_t)(data - start);
    int line_start = 1;
    while (pos < len) { /* every error breaks out */
        /* libcsv keeps its state in the public struct: `quoted` after a LF means the LF
         * was inside a quoted field, so a new line starts a record only otherwise */
        if (line_start && !p.quoted) st.rec_line = st.field_line = st.line;
        size_t n = len - pos < CSV_PIECE ? len - pos : CSV_PIECE;
        const char *nl = memchr(data + pos, '\n', n);
        const char *cr = memchr(data + pos, '\r', nl ? (size_t)(nl - (data + pos)) : n);
        if (cr) n = (size_t)(cr - (data + pos)) + 1;
        else if (nl) n = (size_t)(nl - (data + pos)) + 1;
        if (cr) nl = NULL;
        size_t done = csv_parse(&p, data + pos, n, on_field, on_row, &st);
        if (st.ended) {
            st.ended = 0;
            st.rec_off = bom + pos + n;
        }
        if (st.rc) break;
        if (done < n) {
            /* strict mode: a quote where none may be (the only error left, as allocation
             * aborts in cb_xrealloc) */
            const char *what = p.quoted
                ? "text after closing quote"
                : "quote in an unquoted field (quote the field, doubling its quotes)";
            st.rc = cb_fail(err, CB_EDATA, "%s:%zu:%zu: %s", path, st.line, st.nfields + 1, what);
            break;
        }
        /* the field so far, minus what may still be trimmed (trailing spaces, a quote) */
        if (p.entry_pos > (size_t)CB_CSV_FIELD_MAX + p.spaces + 1) {
            st.rc = cb_fail(err, CB_EDATA, "%s:%zu:%zu: field longer than 1 MiB%s", path,
                            st.field_line, st.nfields + 1,
                            p.quoted ? " (is a quote left open?)" : "");
            break;
        }
        pos += n;
        line_start = nl != NULL;
        if (nl) st.line++;
    }
    if (!st.rc && csv_fini(&p, on_field, on_row, &st) != 0)
        st.rc = cb_fail(err, CB_EDATA,
                        "%s:%zu:%zu: unterminated quoted field (the quote opened here is never "
                        "closed)", path, st.field_line, st.nfields + 1);
    csv_free(&p);
    cb_buf_free(&st.bytes);
    free(st.offs);
    free(st.lens);
    free(st.ptrs);
    return st.rc;
}

char cb_csv_sniff_delim(const char *data, size_t len)
{
    size_t n = len < CB_CSV_FIELD_MAX ? len : CB_CSV_FIELD_MAX;
    if (n >= 3 && memcmp(data, "\xEF\xBB\xBF", 3) == 0) data += 3, n -= 3;
    const char *p = data, *end = data + n;
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        const char *eol = nl ? nl : end;
        int tab = 0;
        for (const char *q = p; q < eol; q++) {
            if (*q == ',') return ',';
            if (*q == '\t') tab = 1;
            else if (*q != ' ' && *q != '\r') tab |= 2; /* the line is not blank */
        }
        if (tab & 2) return tab & 1 ? '\t' : ','; /* the header decides */
        p = eol + 1;
    }
    return ',';
}
