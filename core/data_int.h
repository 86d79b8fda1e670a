/*
 * data_int.h: what the files of the data module share (not for other modules: they use
 * data.h). The module is split by concern:
 *
 *   data.c         tables, cells and column types, the schema, typing, the builder
 *   data_county.c  counties and partitions: which rows are whose, county lookups
 *   data_number.c  number cells (cb_number_parse)
 *   data_csv.c     the CSV folder: files, encodings, each file a table fed to a builder
 *   data_lazy.c    rows kept on disk (cb_dataset_load_lazy): the index pass, reading back
 *   data_index.c   the persistent index (dataindex.c is its file format): found, matched,
 *                  used, saved
 *
 * One implementation of each rule: typing (cbd_put_cell, cbd_type_number, cbd_guess_see,
 * cbd_settle_types), the county of a row (cbd_row_county) and partitioning
 * (cbd_group_rows) serve the tables loaded whole and those kept on disk alike, and both
 * go through the builder's cbd_finish in the same order, so that they give the same
 * types, rows and messages, and the same first error (tests/unit/test_data.c).
 *
 * Ownership: a table_impl owns its strings (its arena), cells and arrays; a dataset owns
 * its tables (cb_dataset_free frees them with cbd_table_free). Pointers into a table stay
 * valid until it is freed; a table on disk's loaded rows until its next focus.
 * Errors: functions that can fail return CB_OK or a cb_error code set with cb_fail, the
 * message naming the place (cbd_place_header, cbd_place_cell); on error what they built is
 * freed or left to the caller's free, never half-kept in a dataset.
 */
#ifndef CB_DATA_INT_H
#define CB_DATA_INT_H

#include <stdint.h>

#include "csvread.h"
#include "data.h"
#include "dataindex.h"

/* ---- string arena: one per table, so a dataset frees its strings in a few blocks ---- */

typedef struct arena_block {
    struct arena_block *next;
    size_t used, cap;
    char mem[];
} arena_block;

/* A copy of s[0..n) with a NUL, living until cbd_arena_free. */
char *cbd_arena_strndup(arena_block **a, const char *s, size_t n);
void cbd_arena_free(arena_block **a);

/* ---- tables ---- */

typedef struct county_key {
    const char *id;
    size_t county;
} county_key;

typedef struct table_impl {
    cb_table t;          /* first, so the cb_table pointers in a dataset convert back */
    arena_block *arena;  /* header names and text cells */
    int csv;             /* messages: "path:LINE:COL" (CSV), or "<where>, row N, column "x"" */
    size_t header_line;  /* CSV only: the header row's line */
    size_t rows_cap;
    /* while building */
    cb_type *decl;       /* per column: the declared type, CB_T_NULL to infer; NULL until known */
    int eager;           /* decl was known when the table began: cells are typed as they come */
    int settled;         /* t->types is final */
    /* once finished */
    size_t nparts;       /* counties in the partition: first has nparts + 1 entries */
    int name_col;        /* counties table only */
    county_key *keys;    /* counties table only: sorted by id, for lookups */
    struct lazy_rows *lazy; /* rows kept on disk (cb_dataset_load_lazy), or NULL */
    const cb_dix *ix;    /* counties read from this persistent index (the dataset's), or
                          * NULL: no keys, its rows filled when used (cbd_counties_from_index) */
} table_impl;

/* An empty table named name, its messages naming where (csv: "path:LINE:COL" ones). */
table_impl *cbd_table_new(const char *name, const char *where, int csv);
/* Sets the header: the names copied (lens may be NULL), county_col found, types unset. */
void cbd_table_columns(table_impl *ti, size_t ncols, const char *const *cols, const size_t *lens);
void cbd_table_free(table_impl *ti);
/* strcmp of two table pointers' names (table_impl ** or cb_table **), for qsort. */
int cbd_table_name_cmp(const void *a, const void *b);

/* ---- where messages point ---- */

#define PLACE_MAX 512

/* First `max` bytes or so of a cell for a message, cut on a UTF-8 boundary. */
int cbd_snippet_len(const char *s, size_t len, size_t max, const char **more);
/* The header of a table, or one of its columns (col >= 0), into buf[PLACE_MAX]. */
const char *cbd_place_header(char *buf, const table_impl *ti, int col);
/* A row, or one of its cells (col >= 0), into buf[PLACE_MAX]. */
const char *cbd_place_cell(char *buf, const table_impl *ti, size_t line, int col);
/* How a table's rows are counted in messages: "line" (CSV) or "row". */
const char *cbd_line_word(const table_impl *ti);

/* ---- the schema and typing ---- */

typedef struct schema_entry {
    const char *table, *column; /* in the schema table's arena */
    cb_type type;
    size_t line;
} schema_entry;

typedef struct schema {
    schema_entry *e;
    size_t n, cap;
} schema;

/* The error for a cell s that is not a number (st says why), naming it. */
int cbd_fail_not_number(const table_impl *ti, size_t line, size_t col, const char *s,
                        cb_number_status st, cb_error *err);
/* Sets ti->decl, each column's declared type (CB_T_NULL: to infer) under schema sc. */
void cbd_declare(table_impl *ti, const schema *sc);
/* Column names: non-empty, unique, UTF-8, not too many; errors name the header. */
int cbd_check_header(const table_impl *ti, size_t ncols, const char *const *cols,
                     cb_error *err);

/*
 * Stores src into *dst (which may be src itself) as a column of type `type` holds it:
 * CB_T_NUMBER parses text (an error naming the cell if it is not a number), CB_T_TEXT
 * writes numbers out, CB_T_NULL (type not known yet) keeps the cell as it came. Text is
 * copied into *arena unless it already lives there (`owned`). Empty text has become
 * CB_T_NULL before.
 */
int cbd_put_cell(table_impl *ti, arena_block **arena, cb_value *dst, const cb_value *src,
                 size_t len, int owned, cb_type type, size_t line, size_t col, cb_error *err);
/* Text of a cell (non-empty) in a declared number column: *num, or the error naming it. */
int cbd_type_number(const table_impl *ti, const char *text, size_t line, size_t col,
                    double *num, cb_error *err);

/* What is known of an undeclared column as its cells come: numbers until one is not. */
typedef struct col_guess {
    unsigned char numeric;  /* every value so far is a number (NaN and Inf count) */
    size_t nonfinite_line;  /* where the first NaN or Inf was */
    char *nonfinite_text;   /* its text (malloc'd), NULL: none yet */
} col_guess;

/* One guess per column, each numbers so far. */
col_guess *cbd_guesses_new(size_t ncols);
void cbd_guesses_free(col_guess *g, size_t ncols);
/* Text of a non-empty cell of an undeclared column seen; *num set if it is a number. */
void cbd_guess_see(col_guess *g, const char *text, size_t line, double *num);
/* Fixes t->types: a declared column's (ti->decl), else its guess's; a column of numbers
 * but for a NaN or Inf is the error naming the first. Frees guess; on success ti->decl
 * too, and the table is settled. */
int cbd_settle_types(table_impl *ti, col_guess *guess, cb_error *err);

/* ---- the builder (data.c) ---- */

struct cb_dataset_builder {
    char *origin;
    table_impl **tables;  /* data tables, in the order they began */
    size_t ntables, cap;
    table_impl *cur;      /* the table being filled, or NULL */
    table_impl *schema_t; /* the schema table once it has begun (not a data table) */
    schema sc;            /* its entries, once it has ended */
    int have_schema;
    int failed;           /* the code of an earlier error: only free is left */
};

/* Begins table `name`; csv selects "path:LINE:COL" messages, with the header on
 * header_line. */
int cbd_begin_table(cb_dataset_builder *b, const char *name, const char *where, int csv,
                    size_t header_line, size_t ncols, const char *const *cols, cb_error *err);
/* Adds a row of the current table; lens (may be NULL) are the text cells' lengths. */
int cbd_add_row(cb_dataset_builder *b, const cb_value *cells, const size_t *lens,
                size_t line, cb_error *err);
int cbd_end_table(cb_dataset_builder *b, cb_error *err);
/* Adds a table made elsewhere (one kept on disk, the counties from an index). */
void cbd_add_table(cb_dataset_builder *b, table_impl *ti);
/* The builder's counties table, or NULL. */
table_impl *cbd_builder_counties(const cb_dataset_builder *b);
/* Settles what is left (in the order the tables began), checks the counties and
 * partitions every table (a table on disk: says the first unknown county_id its index
 * pass met), in name order. The tables stay the builder's. */
int cbd_finish(cb_dataset_builder *b, cb_error *err);
/* Moves the builder's tables, sorted by name, and origin into *ds, and frees b. */
void cbd_builder_move(cb_dataset_builder *b, cb_dataset *ds);

/* ---- counties and partitions (data_county.c) ---- */

/* The county of id in the counties table, or -1. */
long cbd_county_lookup(const table_impl *counties, const char *id);
/* Checks the counties table (columns, non-empty unique ids) and builds its id index. */
int cbd_index_counties(table_impl *ti, cb_error *err);
/* The county of a row on `line` whose county_id cell (column col) holds text (NULL: empty,
 * no county: *county = the number of counties), or the error naming the cell. */
int cbd_row_county(const table_impl *ti, const table_impl *counties, const char *text,
                   size_t line, size_t col, size_t *county, cb_error *err);
/* Groups n rows by county, stable in row order (a counting sort): of[r] is row r's county
 * (nc: none); county c's rows become order[first[c] .. first[c+1]). first has nc + 1
 * entries, order room for n. */
void cbd_group_rows(const size_t *of, size_t n, size_t nc, size_t *first, size_t *order);
/* Partitions a table loaded whole. */
int cbd_partition(table_impl *ti, const table_impl *counties, cb_error *err);

/* ---- the CSV folder (data_csv.c) ---- */

/*
 * One *.csv of the folder, open, and its text as UTF-8. The file is opened without
 * following links (a link is resolved first and must stay inside the folder, see
 * open_entry), never blocks (O_NONBLOCK: a FIFO is refused, not waited for) and is a
 * regular file. Its text is the file itself, mapped, or for another encoding its
 * conversion to UTF-8 in an anonymous memory file (memfd): either way `tfd` and `data`
 * hold UTF-8, which a table on disk reads back by offset. Line ends are kept by every
 * conversion, so lines in messages are the file's.
 */
typedef struct dir_file {
    char *file;        /* "projects.csv" */
    char *stem;        /* "projects" */
    char *path;        /* "data/projects.csv", for messages */
    int fd;            /* the file; -1 when closed */
    int tfd;           /* its UTF-8 text: fd itself, or a memfd; -1 when handed on */
    const char *data;  /* tfd mapped (or "" when empty), len bytes; NULL until mapped */
    size_t len;
    size_t dropped;    /* the mapping's pages before this offset were let go */
    char delim;        /* ',' or '\t' (cb_csv_sniff_delim) */
    const char *from;  /* the encoding converted from, or NULL for UTF-8 */
    cb_file_id id;     /* the file's identity when opened, for the index (dataindex.h) */
} dir_file;

/* What a folder's load has to say besides errors (skipped files, encodings). */
typedef struct notes {
    cb_data_note *v;
    size_t n, cap;
} notes;

void cbd_add_note(notes *ns, int warning, char *msg); /* takes msg */
void cbd_notes_free(notes *ns);

/* The row of rec has the header's width, or the error naming its line. */
int cbd_check_width(const char *path, const cb_csv_record *rec, size_t ncols, cb_error *err);
/* The folder's CSV files, open and sorted; checks the folder and that it has counties.csv
 * before anything is read, so the message names the file to add. */
int cbd_open_folder(const char *dir, const cb_data_opts *o, dir_file **files,
                    size_t *nfiles, notes *ns, cb_error *err);
void cbd_dir_files_free(dir_file *f, size_t n);
/* The error for a file without even a header. */
int cbd_fail_empty(const dir_file *f, cb_error *err);
/* Feeds f to b as a table (its text closed after). */
int cbd_load_csv_table(cb_dataset_builder *b, dir_file *f, const cb_data_opts *o, notes *ns,
                       cb_error *err);
/* Where files[i] comes in a load: the schema first, so every table is typed as it is read,
 * then the counties, then the rest by name. */
void cbd_load_order(const dir_file *files, size_t nfiles, size_t *order);
int cbd_is_utf8_name(const char *enc);
/* f's text, converted from `from` (NULL: the file as it is), into f->tfd and f->len, not
 * mapped. */
int cbd_text_fd(dir_file *f, const char *from, cb_error *err);
/* f's text mapped (f->data), its encoding found as docs/data.md says, its separator. */
int cbd_text_open(dir_file *f, const cb_data_opts *o, const char *from, cb_error *err);
/* Parses f with fn in its encoding (a file not UTF-8 tried again as GB18030, restart
 * undoing the first parse); notes the encoding read. */
int cbd_parse_text(dir_file *f, const cb_data_opts *o, cb_csv_record_fn fn, void *ud,
                   void (*restart)(void *ud), notes *ns, cb_error *err);
/* Lets the mapping's pages before offset go (every few MB). */
void cbd_text_release(dir_file *f, size_t offset);
/* Lets go of f's text (its mapping, and its memfd or the hand-off of tfd). */
void cbd_text_close(dir_file *f);

/* ---- rows kept on disk (data_lazy.c) ---- */

#define FOCUS_NONE (-1L)
#define FOCUS_ALL (-2L)

typedef struct lazy_rows {
    int fd;                    /* the table's text: the file, or its conversion */
    cb_file_id id;             /* the text as indexed: a later change is an error */
    size_t nall;               /* data rows in the file */
    uint64_t data_off, text_len; /* the rows' bytes are [data_off, text_len) */
    size_t data_line;          /* the first row's line */
    const uint32_t *first;     /* nparts + 1: county c's runs are ranges[first[c] .. first[c+1]) */
    const cb_dix_range *ranges;
    uint32_t *own_first;       /* first and ranges when indexed here (else they are in the */
    cb_dix_range *own_ranges;  /* persistent index's mapping, which the dataset holds) */
    size_t nparts;
    unsigned char *has_value;  /* per column: some row has a value */
    char delim;                /* the file's field separator */
    char *from;                /* the encoding its text was converted from, or NULL */
    uint32_t file_no;          /* its place among the folder's files (the digests') */
    long focus;                /* the county whose rows are loaded, FOCUS_NONE or FOCUS_ALL */
    size_t *ident;             /* 0 .. t->nrows - 1: the loaded county's rows */
    size_t *order, *ofirst;    /* FOCUS_ALL: rows by county, as an eager table's order/first */
    size_t cells_cap;
    arena_block *text;         /* the loaded rows' text */
    col_guess *guess;          /* indexed but not settled (no schema): the columns' guesses */
    size_t bad_line;           /* the first row whose county_id is not a county's, and */
    char *bad_county;          /* that id (NULL: none), said in cbd_finish */
} lazy_rows;

void cbd_lazy_free(lazy_rows *lz, size_t ncols);
size_t cbd_lazy_county_rows(const table_impl *ti, size_t county, const size_t **rows);
/* A table of f whose rows will stay on disk, before its index pass. */
table_impl *cbd_lazy_table_new(const dir_file *f);
/* The table takes f's text descriptor to read rows back by offset. */
int cbd_lazy_take_text(table_impl *ti, dir_file *f, uint32_t file_no, cb_error *err);
/* A table indexed without a schema settled from its guesses (cbd_finish). */
int cbd_lazy_settle(table_impl *ti, cb_error *err);
/* The error for the first unknown county_id of a table on disk's index pass, or CB_OK. */
int cbd_lazy_county_error(const table_impl *ti, const table_impl *counties, cb_error *err);
/* Loads the open folder's files, the partitioned ones kept on disk, with the persistent
 * index ix (NULL: each partitioned file is read and indexed); INDEX_STALE if ix turns out
 * not to fit. */
int cbd_load_lazy(cb_dataset *ds, const char *dir, dir_file *files, size_t nfiles,
                  const cb_data_opts *o, const cb_dix *ix, notes *ns, cb_error *err);

/* ---- the persistent index (data_index.c) ---- */

#define INDEX_STALE 100 /* an internal result: the index does not fit the folder; load again without */

/* The index to load with (the folder's, else the cache's) if it matches, else NULL. */
cb_dix *cbd_index_find(const char *dir, const dir_file *files, size_t nfiles,
                       const cb_data_opts *o, notes *ns);
/* Table xt of the index over f, into *out; INDEX_STALE if it does not fit. */
int cbd_lazy_from_index(dir_file *f, const cb_dix *ix, const cb_dix_table *xt,
                        const cb_data_opts *o, notes *ns, table_impl **out, cb_error *err);
/* The counties table from the index, its rows made on first use. */
table_impl *cbd_counties_from_index(const dir_file *f, const cb_dix *ix);
/* Cell (row, col) of counties read from an index if it is text, else "". */
const char *cbd_index_text(const table_impl *ti, size_t row, int col);
/* Writes what the load learnt as an index (o->index says where). */
int cbd_index_save(const cb_dataset *ds, const dir_file *files, size_t nfiles,
                   const cb_data_opts *o, cb_error *err);

#endif /* CB_DATA_INT_H */
