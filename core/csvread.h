/*
 * csvread.h: RFC 4180 CSV reading on libcsv in strict mode.
 *
 * Accepted: quoted fields with commas, newlines and doubled quotes; CRLF or LF line ends
 * (mixed too); a UTF-8 byte-order mark at the very start (stripped); a final line without
 * a line end; blank lines (skipped). Errors carry "path:line[:col]": an unterminated quote,
 * text after a closing quote (`"x"y`), invalid UTF-8, a field over CB_CSV_FIELD_MAX bytes.
 * Row-length checks (ragged rows) are the caller's, since it knows the header.
 */
#ifndef CB_CSVREAD_H
#define CB_CSVREAD_H

#include <stddef.h>

#include "util.h"

#define CB_CSV_FIELD_MAX (1u << 20) /* 1 MiB: larger fields are input mistakes */

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

#endif /* CB_CSVREAD_H */
