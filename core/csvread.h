/*
 * csvread.h: RFC 4180 CSV reading on libcsv in strict mode.
 *
 * Accepted: quoted fields with commas, newlines and doubled quotes; CRLF or LF line ends
 * (mixed too); a UTF-8 byte-order mark at the very start (stripped); a final line without
 * a line end; blank lines (skipped); a tab instead of the comma (cb_csv_opts). Errors carry
 * "path:line[:col]": an unterminated quote, text after a closing quote (`"x"y`), invalid
 * UTF-8, a field over CB_CSV_FIELD_MAX bytes, a record over CB_CSV_RECORD_MAX bytes or
 * CB_CSV_COLS_MAX fields. Row-length checks (ragged rows) are the caller's, since it knows
 * the header. The input is UTF-8: other encodings are converted before (data.c).
 */
#ifndef CB_CSVREAD_H
#define CB_CSVREAD_H

#include <stddef.h>

#include "util.h"

#define CB_CSV_FIELD_MAX (1u << 20)   /* 1 MiB: larger fields are input mistakes */
#define CB_CSV_RECORD_MAX (32u << 20) /* 32 MiB: a record (a header) of all its fields */
#define CB_CSV_COLS_MAX 16384         /* fields in a record: Excel's column limit */

/* One record. fields[i] is NUL-terminated and valid only during the callback. */
typedef struct cb_csv_record {
    size_t line;          /* physical line (1-based) where the record starts */
    size_t offset;        /* byte offset in data where the record starts (blank lines or the
                           * LF of a CRLF before it may be included): parsing data from
                           * there gives this record first */
    size_t nfields;
    const char **fields;
    const size_t *lens;
} cb_csv_record;

/* Called once per record, header included. Return CB_OK to go on, or a negative code
 * after filling err to stop the parse with that error. */
typedef int (*cb_csv_record_fn)(void *ud, const cb_csv_record *rec, cb_error *err);

/* Parses data[0..len) and calls fn for each record. path is used only in messages. */
int cb_csv_parse(const char *path, const char *data, size_t len, cb_csv_record_fn fn,
                 void *ud, cb_error *err);

typedef struct cb_csv_opts {
    char delim;      /* in: the field separator, ',' or '\t'; 0 is ',' */
    int not_utf8;    /* out: 1 when the parse failed on bytes that are not UTF-8 (data.c
                      * then tries another encoding) */
} cb_csv_opts;

/* As cb_csv_parse, with options (NULL: the defaults). With a tab separator, tabs are data:
 * only spaces around a field are trimmed. */
int cb_csv_parse_with(const char *path, const char *data, size_t len, cb_csv_opts *o,
                      cb_csv_record_fn fn, void *ud, cb_error *err);

/* ',' or '\t': tab-separated when the first line that is not blank has a tab and no
 * comma (Excel's "Unicode text" is tab-separated). Looks at most at the first 1 MiB. */
char cb_csv_sniff_delim(const char *data, size_t len);

#endif /* CB_CSVREAD_H */
