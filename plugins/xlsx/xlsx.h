/*
 * xlsx.h: internals of the xlsx data-source plugin (not installed, not part of the ABI).
 *
 *   cells.c    pure helpers: cell references, numbers, number formats, Excel dates,
 *              _xHHHH_ escapes, growable buffers
 *   archive.c  the workbook file: zip entries with a size limit, streamed through expat;
 *              error messages
 *   xlsx.c     the parts (workbook, relationships, styles, shared strings), each sheet as
 *              one table, and the plugin's entry points
 */
#ifndef CB_XLSX_H
#define CB_XLSX_H

#include <expat.h>
#include <stddef.h>
#include <stdint.h>

#include "countybrief/plugin.h"
#include "../source_budget.h"

/* ------------------------------------------------------------------ limits */

/* A zip entry bigger than this once uncompressed is refused (a zip bomb, or no workbook
 * countybrief should be reading): checked against the declared size before reading and
 * against the bytes actually inflated while reading. */
#define XL_ENTRY_LIMIT ((uint64_t)256 << 20)
/* ... and the whole file may inflate to at most this, every entry read counted each time
 * it is read (a workbook.xml listing 100,000 sheets that all point at one big part) */
#define XL_BOOK_INFLATE_LIMIT ((uint64_t)1 << 30)
#define XL_MAX_COL 16384u   /* XFD */
#define XL_MAX_ROW 1048576u

/* What one workbook may expand to, across all its sheets (../source_budget.h) */
#define XL_MAX_TABLE_COLS CB_SOURCE_MAX_COLS
#define XL_CELL_BUDGET CB_SOURCE_CELL_BUDGET
#define XL_TEXT_BUDGET CB_SOURCE_TEXT_BUDGET

/* ------------------------------------------------------------------ buffers (cells.c) */

typedef struct xl_buf {
    char *s;
    size_t len, cap;
} xl_buf;

void *xl_xrealloc(void *p, size_t n); /* aborts when memory runs out, like the host */
void xl_buf_add(xl_buf *b, const char *s, size_t n);
void xl_buf_addc(xl_buf *b, char c);
const char *xl_buf_cstr(xl_buf *b); /* NUL-terminates (the NUL is not counted in len) */
void xl_buf_free(xl_buf *b);

/* ------------------------------------------------------------------ cells (cells.c) */

/* Parses a cell reference "C7" (letters then digits, no '$'): returns 0 and sets the
 * 1-based column and row; -1 when it is not a reference; -2 when it is out of range
 * (past column XFD or row 1048576, or row 0). */
int xl_parse_ref(const char *s, uint32_t *col, uint32_t *row);
/* Column letters of a 1-based column: 1 -> "A", 28 -> "AB" (out: 4 bytes). */
void xl_col_name(uint32_t col, char *out);
/* "C7" into out (16 bytes). */
void xl_ref_name(uint32_t col, uint32_t row, char *out);

/* A <v> number: optional sign, digits, fraction, exponent; surrounding blanks allowed.
 * Returns 1 and sets *out (finite), or 0. */
int xl_parse_number(const char *s, double *out);
/* A number as the host writes one into a text column: "500233", "16.47" (out: 32). */
void xl_number_text(double v, char *out);

/* What a number format shows. */
enum { XL_FMT_NUMBER = 0, XL_FMT_DATE, XL_FMT_DATETIME, XL_FMT_TIME };
/* The kind of built-in format numFmtId `id` (ECMA-376 18.8.30, with the zh-CN ids). */
int xl_builtin_format(unsigned id);
/* The kind of a custom format code; *elapsed is set for [h]/[m]/[s] durations. */
int xl_code_format(const char *code, int *elapsed);
/* Writes serial number v shown with a format of `kind` as text: "YYYY-MM-DD",
 * "YYYY-MM-DD HH:MM:SS" or "HH:MM:SS" (out: 40). Returns 0 when v is outside the dates
 * the date system can show (the caller keeps the number). */
int xl_format_serial(double v, int kind, int elapsed, int date1904, char *out);

/* Decodes the OOXML escapes _xHHHH_ in s[0..n) in place; returns the new length. */
size_t xl_decode_escapes(char *s, size_t n);

/* Accumulates the text of a string item (<si> or <is>): the <t> of the item and of its
 * rich-text runs <r>, not the phonetic runs <rPh>. As in Excel, each <t> without
 * xml:space="preserve" loses its leading and trailing XML whitespace, unless it is all
 * whitespace (a " " run between two words stays). */
typedef struct xl_text {
    xl_buf b;
    size_t seg;     /* where the current <t> began */
    int in_t;       /* inside a <t> that counts */
    int preserve;   /* that <t> has xml:space="preserve" */
    int rph;        /* depth inside <rPh> */
} xl_text;
void xl_text_reset(xl_text *t);
void xl_text_start(xl_text *t, const char *local, const char **attrs);
void xl_text_end(xl_text *t, const char *local);
void xl_text_chars(xl_text *t, const char *s, int len);

/* The local part of an expat namespace-qualified name ("uri|row" -> "row"). */
const char *xl_local(const char *name);
/* An attribute by local name, any namespace (attrs as expat gives them), or NULL. */
const char *xl_attr(const char **attrs, const char *local);
/* An attribute by local name whose namespace URI contains `ns_part`, or NULL. */
const char *xl_attr_ns(const char **attrs, const char *ns_part, const char *local);

/* ------------------------------------------------------------------ archive (archive.c) */

typedef struct xl_book {
    const char *file;          /* as given: names the workbook in every message */
    const char *kind;          /* "an .xlsx workbook": what the file should be */
    const cb_host_api *api;
    struct zip *zip;
    int rc;                    /* first error */
    char *msg;                 /* its message (malloc), "book.xlsx: ..." */
    uint64_t cells, text;      /* spent of the budget (table.c) */
    uint64_t inflated;         /* bytes inflated from the archive so far (archive.c) */
    double timeout_s, deadline; /* the load deadline: seconds; CLOCK_MONOTONIC (0: none) */
} xl_book;

/* Records the first error "<file>: <message>" and returns rc. */
int xl_fail(xl_book *bk, int rc, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;

void xl_book_init(xl_book *bk, const char *file, const cb_host_api *api, const char *kind);
/* Ends a load that returns rc: *err from the first error recorded, and xl_close. */
int xl_book_done(xl_book *bk, int rc, char **err);
/* Opens the workbook file: CB_EIO when it cannot be read, CB_EDATA when it is no zip. */
int xl_open(xl_book *bk, const char *file);
void xl_close(xl_book *bk);
/* 1 when the archive holds `entry`. */
int xl_has_entry(xl_book *bk, const char *entry);

/* Parser state handed to the handlers: every handler's user data starts with this. */
typedef struct xl_xml {
    xl_book *bk;
    XML_Parser p;
    const char *entry;   /* zip entry being parsed */
    const char *what;    /* "sheet projects", or NULL: for messages */
    int rc;              /* set by xl_xml_fail (or a sink error): stops the parse */
} xl_xml;

/* Streams zip entry `entry` through expat (namespace-aware, no DOCTYPE allowed) with the
 * given handlers and user data x (x->bk, x->what set by the caller). Errors: missing
 * entry, entry over XL_ENTRY_LIMIT, the file over XL_BOOK_INFLATE_LIMIT in all, the load
 * deadline (cb_source_load_timeout_s) passed, unreadable data, malformed XML with expat's line and
 * column, or what a handler reported. */
int xl_parse(xl_xml *x, const char *entry, XML_StartElementHandler start,
             XML_EndElementHandler end, XML_CharacterDataHandler chars);
/* From a handler: records the error (message as xl_fail) and stops the parser. */
int xl_xml_fail(xl_xml *x, int rc, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;
/* From a handler: stops the parser with rc whose message is already recorded elsewhere
 * (the host's sink). */
void xl_xml_stop(xl_xml *x, int rc);

/* ------------------------------------------------------------------ a sheet's table (table.c) */

/* One sheet becoming one table, whatever the format: cells are set row by row (columns
 * ascending), and each row ends with xl_sheet_row_end. The first row that holds a value is
 * the header; the table spans its first to last non-empty cell; an empty row is skipped;
 * a value outside the header's columns is an error. Rows go to the host as they end,
 * counted against the workbook's budget (bk->cells, bk->text). Every function returning
 * int returns CB_OK or an error whose message is recorded (xl_fail, or the host's). */
enum { XL_SLOT_EMPTY = 0, XL_SLOT_NUMBER, XL_SLOT_TEXT };

typedef struct xl_slot {
    unsigned char type;
    double num;
    size_t off; /* XL_SLOT_TEXT: into rowtext */
} xl_slot;

typedef struct xl_sheet {
    xl_book *bk;
    const char *name;         /* the sheet's name: the table's (borrowed) */
    char *where;              /* "book.xlsx: sheet projects" */
    cb_table_sink *sink;
    uint32_t row;             /* the row being filled, 1-based */
    xl_slot *slots;           /* its cells by column - 1 */
    uint32_t nslots, used;    /* allocated; highest column set */
    uint32_t first;           /* the row's first column with a value, or 0 */
    xl_buf rowtext;           /* its text cells, each NUL-terminated */
    int header;               /* the header row has been read */
    uint32_t c0, c1, hrow;    /* its first and last column, its row */
    cb_cell *out;
} xl_sheet;

void xl_sheet_init(xl_sheet *s, xl_book *bk, const char *name, cb_table_sink *sink);
void xl_sheet_free(xl_sheet *s);
/* Starts row `row` (1-based, above the rows before it), with no cell set. */
void xl_sheet_row(xl_sheet *s, uint32_t row);
/* Sets the cell at column col (1-based, <= XL_MAX_COL, above the row's cells before it).
 * Text of length 0 is an empty cell. Fails (CB_EDATA, message recorded) when the row's
 * values span more than XL_MAX_TABLE_COLS columns, or when the workbook's text spent and
 * this row's pass XL_TEXT_BUDGET. */
int xl_sheet_number(xl_sheet *s, uint32_t col, double v);
int xl_sheet_text(xl_sheet *s, uint32_t col, const char *text, size_t len);
/* Ends the row; `times` > 1 repeats it in the rows below (an ODS repeated row). */
int xl_sheet_row_end(xl_sheet *s, uint32_t times);
/* Ends the table, if the sheet had one. */
int xl_sheet_finish(xl_sheet *s);

/* ------------------------------------------------------------------ the sources */

extern const cb_source_type xl_ods_source; /* ods.c */
#ifdef CB_XLSX_XLS
extern const cb_source_type xl_xls_source; /* xls.c, built when libfreexl is found */
#endif

#endif /* CB_XLSX_H */
