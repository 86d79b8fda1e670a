/*
 * data.h: the data folder as typed tables, partitioned by county.
 *
 * A data folder holds one CSV file per table (`projects.csv` is table `projects`) and an
 * optional `schema.csv` (columns table,column,type,unit,description) that fixes each
 * column's type: `number` or `text`. Columns the schema does not list are `number` when
 * every non-empty cell parses as a number, `text` otherwise. `counties.csv` is required
 * and lists the counties (`county_id`, `name`, ...); every other table that has a
 * `county_id` column is partitioned by it, and a table without one is shared by all.
 *
 * Other sources (an SQLite database, an .xlsx workbook) feed the same rules row by row
 * through a cb_dataset_builder (below); the CSV loader is itself a user of the builder, so
 * typing, validation and partitioning have one implementation.
 *
 * Ownership: the dataset owns every table, string and value; pointers stay valid until
 * cb_dataset_free. Loading is all-or-nothing: on error nothing is kept.
 */
#ifndef CB_DATA_H
#define CB_DATA_H

#include <stddef.h>

#include "util.h"

typedef enum cb_type { CB_T_NULL = 0, CB_T_NUMBER, CB_T_TEXT } cb_type;

typedef struct cb_value {
    cb_type type;     /* CB_T_NULL for an empty cell */
    double num;       /* when CB_T_NUMBER */
    const char *text; /* when CB_T_TEXT: UTF-8, NUL-terminated */
} cb_value;

typedef struct cb_table {
    char *name;        /* file stem: "projects" */
    char *path;        /* for messages: the CSV file as opened ("examples/data/projects.csv"),
                        * or a builder table's `where` ("figures.xlsx: sheet projects") */
    size_t ncols;
    char **cols;       /* header names */
    cb_type *types;    /* per column: CB_T_NUMBER or CB_T_TEXT */
    size_t nrows;
    cb_value *cells;   /* row-major, nrows * ncols */
    size_t *lines;     /* source line of each row (a builder row's `line`), for messages */
    int county_col;    /* index of `county_id`, or -1 for a shared table */
    /* Partition: rows of county c are order[first[c] .. first[c+1]) in file order. */
    size_t *order;
    size_t *first;     /* ncounties + 1 entries; NULL for a shared table */
    /* Rows made on first use (the counties read from the persistent index), else NULL:
     * row r's cells are made[r] (ncols of them) once made, cells is NULL; use
     * cb_table_cell, which makes the row. */
    cb_value **made;
} cb_table;
/* A table whose rows stay on disk (cb_dataset_load_lazy) holds in cells, lines and nrows
 * only the rows cb_dataset_focus loaded; use cb_table_county_rows, not order and first. */

/* What loading a folder has to say besides errors, one line each. */
typedef struct cb_data_note {
    int warning;  /* 1: a warning (a file skipped, named with the reason); 0: a note (a file
                   * read in another encoding than UTF-8) */
    char *msg;    /* "data/secrets.csv: skipped: a link to /etc/shadow, outside ..." */
} cb_data_note;

typedef struct cb_dataset {
    char *dir;              /* the data folder, or a builder's origin */
    cb_data_note *notes;    /* the load's warnings and notes, for the caller to print */
    size_t nnotes;
    size_t ntables;
    cb_table **tables;      /* sorted by name */
    const cb_table *counties;
    size_t ncounties;       /* == counties->nrows */
    /* cb_dataset_load_lazy only (else NULL): per county, 32 bytes of SHA-256 over the
     * fields of its rows in every table kept on disk (the batch's input hash) */
    unsigned char *county_digests;
    struct cb_dix *index;   /* the persistent index the load used (it holds the digests and
                             * the tables' row ranges), or NULL */
} cb_dataset;

/* Loads every *.csv of dir. Errors name the file and line (and column for a cell):
 * "data/funds.csv:3:3: column "amount" expects a number, got "4.05亿"". */
int cb_dataset_load(cb_dataset *ds, const char *dir, cb_error *err);

/*
 * The files of a folder (docs/data.md, "Files"): every visible *.csv is a table. A link is
 * followed only when its target (resolved) is inside the folder, unless follow_links; a
 * link out, and what is not a regular file (a folder, a FIFO, a device), is skipped with a
 * warning in ds->notes. A *.csv that cannot be read (a dangling link, no permission) is an
 * error naming it. Files are opened without following links and without blocking.
 *
 * Encodings: UTF-8 (a byte-order mark is dropped); a file that starts with a UTF-16
 * byte-order mark is UTF-16; a file that is not UTF-8 but is GB18030 is read as GB18030
 * (a note says so); `encoding` (iconv's names) forces one for every file. A file whose
 * first line has tabs and no comma is tab-separated. Lines in messages are the file's.
 */
typedef struct cb_data_opts {
    int lazy;             /* as cb_dataset_load_lazy: partitioned tables stay on disk */
    int follow_links;     /* --follow-links: links may lead out of the folder */
    const char *encoding; /* --encoding: every CSV file's; NULL: found as above */
    int index;            /* lazy loads: the persistent index (dataindex.h, docs/data.md) */
    /* With an index: the counties whose output names might clash, which the index keeps for
     * a render (render.h's cb_output_clash_candidates: output names are no business of the
     * data). An index is saved only with it: NULL makes CB_INDEX_WRITE fail (CB_EUSAGE)
     * and CB_INDEX_USE save none. */
    uint32_t *(*clash_candidates)(const cb_dataset *ds, size_t *n);
} cb_data_opts;

/* cb_data_opts.index: CB_INDEX_NONE reads and indexes every partitioned file; CB_INDEX_USE
 * reads DIR/.countybrief-index, else the cache's index, when it matches the folder (the
 * files' size, time and inode, the options), else reads the files and saves the index to
 * the cache (best effort); a corrupt one is a warning in notes. CB_INDEX_WRITE reads the
 * files and writes DIR/.countybrief-index (`countybrief index`): failing to is an error. */
enum { CB_INDEX_NONE = 0, CB_INDEX_USE, CB_INDEX_WRITE };

/* cb_dataset_load or cb_dataset_load_lazy (o->lazy) with options; o may be NULL. An
 * unknown encoding is CB_EUSAGE. */
int cb_dataset_load_with(cb_dataset *ds, const char *dir, const cb_data_opts *o,
                         cb_error *err);
void cb_dataset_free(cb_dataset *ds);
/*
 * As cb_dataset_load, with the same checks and messages, but the partitioned tables (those
 * with a county_id column, but counties) keep their rows on disk: the memory held does not
 * grow with the data beyond a few bytes per row. Before reading a county's rows call
 * cb_dataset_focus; rows of other counties then read as none (cb_table_county_rows gives
 * 0) until focused. cb_dataset_focus_all loads every row (a report over all counties).
 * Focusing fails (CB_EIO, naming the file) if a data file changed since it was indexed.
 * A table's row indices and cell pointers stay valid until the next focus.
 */
int cb_dataset_load_lazy(cb_dataset *ds, const char *dir, cb_error *err);
int cb_dataset_focus(cb_dataset *ds, size_t county, cb_error *err);
int cb_dataset_focus_all(cb_dataset *ds, cb_error *err);
/* With a persistent index, checks county's share of it once (cb_dix_county_check) before
 * its rows or its digest (county_digests) are used: CB_EDATA naming the index if damaged
 * there. cb_dataset_focus and cb_dataset_focus_all check themselves. */
int cb_dataset_county_check(cb_dataset *ds, size_t county, cb_error *err);
/* 1 if t keeps its rows on disk. */
int cb_table_on_disk(const cb_table *t);
/* 1 if column col has no value in any row (of the whole file, for a table on disk). */
int cb_table_column_empty(const cb_table *t, size_t col);

/*
 * Building a dataset from another source, table by table and row by row, with the same
 * rules as a CSV folder: a table named `schema` (columns table,column,type) types columns
 * like schema.csv and is not kept as a data table; other columns are inferred; county_id
 * (and the counties' `name`) is always text; a `counties` table with county_id and name is
 * required, its ids non-empty and unique; every county_id must be one of them; tables are
 * partitioned by county and sorted by name.
 *
 * Call order: new, then for each table: table, row..., end_table; then finish. The schema
 * table may come at any point. Tables that begin after it has ended are typed as their
 * rows come, so a bad cell fails in cb_dataset_builder_row; tables before it (or all of
 * them, without a schema) are typed in cb_dataset_builder_finish, whose messages still
 * name the row and column.
 *
 * Messages name the place: "<where>" for a table, "<where>, row N" for a row (N is the
 * `line` given to cb_dataset_builder_row), "<where>, row N, column "amount"" for a cell,
 * e.g. `figures.xlsx: sheet funds, row 3, column "amount" expects a number, got "4.05亿"`.
 *
 * Errors: after any error the builder only accepts cb_dataset_builder_free (or finish,
 * which fails and frees it). Nothing of a failed build is kept. All strings are copied.
 */
typedef struct cb_dataset_builder cb_dataset_builder;

/* Starts a dataset from a non-CSV source; origin names it in messages (e.g.
 * "figures.xlsx") and becomes the dataset's dir. */
cb_dataset_builder *cb_dataset_builder_new(const char *origin);

/* Starts table `name` (non-empty, not used before; "schema" is the schema table). where
 * names it in messages, e.g. "figures.xlsx: sheet projects" or "db.sqlite: table
 * projects" (NULL: the name). Column names must be non-empty, UTF-8 and unique. The
 * previous table must have ended. */
int cb_dataset_builder_table(cb_dataset_builder *b, const char *name, const char *where,
                             size_t ncols, const char *const *cols, cb_error *err);

/* Adds a row of ncols cells to the current table. cells[i] is CB_T_NULL, CB_T_NUMBER (num,
 * finite) or CB_T_TEXT (text: UTF-8, copied; NULL or "" is an empty cell). A text cell in
 * a `number` column is converted with cb_parse_number, or it is an error naming the row
 * and column. A number cell in a text column (declared, inferred, or county_id) becomes its
 * text: integers without a fraction (500233 -> "500233"), others with %.15g. line is the
 * row's place in the source, kept in cb_table.lines and used in messages. */
int cb_dataset_builder_row(cb_dataset_builder *b, const cb_value *cells, size_t line,
                           cb_error *err);

/* Ends the current table. Ending the schema table checks it and reads its entries. */
int cb_dataset_builder_end_table(cb_dataset_builder *b, cb_error *err);

/* Finishes: types the tables not typed yet, checks the counties and the county_id of
 * every row, partitions, and moves everything into *ds (ds->dir = origin). On error *ds is
 * left empty. The builder is freed either way. */
int cb_dataset_builder_finish(cb_dataset_builder *b, cb_dataset *ds, cb_error *err);

/* Frees a builder that will not be finished (after an error, say); NULL is fine. */
void cb_dataset_builder_free(cb_dataset_builder *b);

const cb_table *cb_dataset_table(const cb_dataset *ds, const char *name);
/* The warning that says why table `name`'s file was skipped ("data/x.csv: skipped: ..."),
 * or NULL. */
const char *cb_dataset_skipped(const cb_dataset *ds, const char *name);
/* Column index by name, or -1. */
int cb_table_col(const cb_table *t, const char *name);
/* Makes row of a table with made (cb_table_cell calls it). */
void cb_table_make_row(const cb_table *t, size_t row);
static inline const cb_value *cb_table_cell(const cb_table *t, size_t row, size_t col)
{
    if (t->made) {
        if (!t->made[row]) cb_table_make_row(t, row);
        return &t->made[row][col];
    }
    return &t->cells[row * t->ncols + col];
}
/* Rows of county `county` (index into the counties table) in file order: sets *rows to
 * an array of row indices and returns their count. A shared table returns all rows. */
size_t cb_table_county_rows(const cb_table *t, size_t county, const size_t **rows);
/* Where `text` first occurs in the data of county (its rows of each table, all rows of a
 * shared table): the cell's place, "examples/data/projects.csv:4:3, column "名称"" (CSV) or
 * "book.xlsx, row 4, column "名称"", malloc'd; NULL when no text cell contains it. */
char *cb_dataset_find_text(const cb_dataset *ds, size_t county, const char *text);
/* The first cell of column col of t (a table of ds) that is text, not a number: CB_EDATA
 * with the message a load gives a number column's bad cell ("bulletin.csv:2:9: column
 * "copies" expects a number, got "forty""), else CB_OK. For a column a report needs as
 * numbers: a table whose rows stay on disk is read whole first (cb_dataset_focus_all,
 * whose error it returns). */
int cb_dataset_first_text(cb_dataset *ds, const cb_table *t, size_t col, cb_error *err);

/* The county's id and display name (columns `county_id` and `name`). */
const char *cb_county_id(const cb_dataset *ds, size_t county);
const char *cb_county_name(const cb_dataset *ds, size_t county);
/* What the persistent index the load used (NULL without one) computed over all counties
 * when it was built: the manifest's counties_digest (cb_county_ids_digest), and the output
 * name clash candidates (cb_output_clash_candidates, *n of them). Owned by ds. */
const char *cb_dataset_ids_digest(const cb_dataset *ds);
const uint32_t *cb_dataset_clash_candidates(const cb_dataset *ds, size_t *n);

/* Finds a county by id or name; returns its index or -1. */
long cb_dataset_find_county(const cb_dataset *ds, const char *id_or_name);
/* The county ids in byte order (strcmp), the order lookups keep them in, into
 * ids[ds->ncounties] (borrowed from ds). */
void cb_dataset_ids_sorted(const cb_dataset *ds, const char **ids);

/*
 * Number cells (docs/data.md, "Numbers"): optional sign, digits, optional fraction and
 * exponent, spaces around allowed (also the ideographic space U+3000 and U+00A0). Also
 * accepted, as spreadsheets are typed: full-width characters (１２３．５, －５, ＋, ，;
 * U+2212 MINUS SIGN too) and thousands separators in the integer part, grouped in threes
 * ("1,234,567", "１，２３４"). Not numbers: NaN and infinities in any spelling or case, and
 * anything beyond a double's range (1e999); "1,23" (separators out of place); hex, "1 000",
 * units ("4.05亿"), other digits (Arabic-Indic).
 */
typedef enum cb_number_status {
    CB_NUM_OK = 0,
    CB_NUM_NOT_NUMBER,   /* not a number at all */
    CB_NUM_NOT_FINITE,   /* NaN, Inf, -inf, Infinity..., or out of range: 1e999 */
    CB_NUM_BAD_GROUPING, /* a number but for its separators: "1,23", "1234,567", "1.5,3" */
} cb_number_status;

/* Parses a number cell; sets *out only on CB_NUM_OK. */
cb_number_status cb_number_parse(const char *s, double *out);
/* 1 and *out set if s is a number (cb_number_parse gives CB_NUM_OK), else 0. */
int cb_parse_number(const char *s, double *out);

#endif /* CB_DATA_H */
