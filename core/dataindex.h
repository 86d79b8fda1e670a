/*
 * dataindex.h: the persistent index of a CSV data folder (docs/data.md, "The index").
 *
 * What a lazy load (cb_dataset_load_lazy) learns by reading every row of the partitioned
 * tables, kept in one binary file so that the next load reads only what it uses: the
 * identity of every *.csv of the folder (size, modification time in ns, inode: not the
 * device, which differs between NFS clients), the options that change the parse, each
 * partitioned table's columns, types and which have a value, its text's length, and per
 * county the runs of adjacent rows it has in the table (byte range, first line, first row
 * number) and the county's input digest (cb_dataset.county_digests); and what every run
 * needs over all counties, computed once here: the counties digest of the manifests and the
 * output name clash candidates (render.h), so that a one-county run does not pass over all.
 *
 * The file: a fixed header (magic, version, byte order, length, CRC-64 of what follows),
 * then the body, native byte order, every array aligned to 8 bytes. cb_dix_open checks the
 * checksum and every count and offset of the body but the per-county arrays (each table's
 * first[] and ranges[], the digests, the counties' cells and their text) before anything
 * is used, so a corrupt, truncated or
 * forged file is refused whole; each county's share of those arrays has its own checksum
 * and is checked, with its runs' bounds, when it is first used (cb_dix_county_check), so
 * that a one-county load reads and checks only that county's share of them. It maps the
 * file and its large arrays are used in place.
 */
#ifndef CB_DATAINDEX_H
#define CB_DATAINDEX_H

#include <stddef.h>
#include <stdint.h>

#include "util.h"

#define CB_DIX_NAME ".countybrief-index" /* in the data folder: `countybrief index` writes it */

/* A run of adjacent rows of one county in a table's text. */
typedef struct cb_dix_range {
    uint64_t off;   /* the first row's record start in the text */
    uint32_t len;   /* bytes up to the record after the last row (blank lines included) */
    uint32_t line;  /* the first row's line */
    uint32_t row;   /* the first row's number among the table's data rows (0-based) */
    uint32_t nrows; /* >= 1 */
} cb_dix_range;

typedef struct cb_dix_file {
    char *name;       /* "projects.csv" */
    cb_file_id id;    /* as it was indexed (util.h; read back: settled), but for the device
                       * (0): it differs between the machines that share the folder over NFS */
} cb_dix_file;

typedef struct cb_dix_table {
    uint32_t file;            /* files[file] holds it */
    char delim;               /* ',' or '\t' */
    char *from;               /* the encoding its text was converted from; "" for none */
    uint64_t text_len;        /* bytes of its text (UTF-8: the file, or its conversion) */
    uint64_t data_off;        /* where the data rows begin (after the header) */
    uint32_t data_line;       /* the line they begin on */
    uint64_t nall;            /* data rows */
    uint32_t ncols;
    char **cols;              /* header names */
    unsigned char *types;     /* per column: a cb_type, CB_T_NUMBER or CB_T_TEXT */
    unsigned char *has_value; /* per column: 1 if some row has a value */
    uint64_t nranges;         /* runs in ranges */
    const uint32_t *first;    /* ncounties + 1: county c's runs are ranges[first[c]..first[c+1]) */
    const cb_dix_range *ranges;
} cb_dix_table;

/* The counties table as the load made it (it is read whole by every render: 30,000
 * counties are 2 MB of CSV to parse), cells in place: numbers by value, text in `text`. */
typedef struct cb_dix_counties {
    uint32_t file;                   /* files[file] is counties.csv */
    uint32_t ncols;
    char **cols;
    unsigned char *types;            /* per column: CB_T_NUMBER or CB_T_TEXT */
    int id_col, name_col;            /* the columns county_id and name */
    const uint32_t *lines;           /* per county: its row's line */
    const uint32_t *by_id;           /* the counties sorted by id */
    const unsigned char *cell_types; /* ncounties * ncols, row-major: a cb_type */
    const uint64_t *cell_vals;       /* a number's bits, or a text's offset in text */
    const char *text;                /* text_len bytes of NUL-terminated strings */
    uint64_t text_len;
} cb_dix_counties;

typedef struct cb_dix {
    char *encoding;           /* --encoding, "" for none */
    int follow_links;         /* --follow-links */
    size_t nfiles;
    cb_dix_file *files;       /* every *.csv of the folder, in the load's order (by stem) */
    size_t ncounties;
    size_t ntables;
    cb_dix_table *tables;     /* the partitioned tables */
    int has_counties;         /* counties below is set */
    cb_dix_counties counties;
    const unsigned char *digests; /* 32 * ncounties */
    /* What every run needs over all counties, computed once when the index is built: */
    char ids_digest[65];      /* cb_county_ids_digest of the county ids (hex) */
    uint64_t nclash;
    const uint32_t *clash;    /* cb_output_clash_candidates: ascending county numbers */
    const uint64_t *county_crcs; /* per county: the checksum of its share of first, ranges
                                  * and digests (cb_dix_county_check) */
    unsigned char *checked;   /* per county: 1 once cb_dix_county_check passed */
    char *path;               /* the file's path */
    void *map;                /* cb_dix_open: the file mapped, map_len bytes */
    size_t map_len;
} cb_dix;

/* Writes ix to path atomically (cb_write_file_atomic: never through a link); *bytes (may
 * be NULL) gets the file's size. An index too large for the format (2^32 runs in a table)
 * is CB_EDATA. Errors name path. */
int cb_dix_write(const char *path, const cb_dix *ix, size_t *bytes, cb_error *err);

/* Results of cb_dix_open besides CB_OK. */
enum {
    CB_DIX_NONE = 1,   /* nothing to use, nothing to say: no file, or another version */
    CB_DIX_CORRUPT = 2 /* refused: err->msg says why, e.g. "corrupt (checksum mismatch)" */
};

/* Opens and checks the index at path (cb_file_open: a link is refused, never followed);
 * a file longer than max_len is refused as corrupt without being read. On CB_OK, *ix holds
 * the index until cb_dix_close: its strings and small arrays are allocated, first, ranges
 * and digests point into the mapping. On error *ix is empty. */
int cb_dix_open(const char *path, uint64_t max_len, cb_dix *ix, cb_error *err);
void cb_dix_close(cb_dix *ix);

/* Checks county c's share of the per-county arrays (its runs in every table, first[c] and
 * first[c + 1], its digest, its row of the counties table) against its own checksum and
 * the tables' lengths, once; until it passed, nothing of it may be used. NULL if it is sound, else the problem (static),
 * e.g. "checksum mismatch": the index is damaged there. */
const char *cb_dix_county_check(cb_dix *ix, size_t c);

/* Checks row r of the counties table (cells of their column's type or empty, numbers
 * finite, texts inside the text, an id): NULL if sound, else the problem (static). Until
 * it passed, nothing of the row may be used; cb_dix_county_check includes it, and the
 * row's checksum. */
const char *cb_dix_counties_row_check(const cb_dix *ix, size_t r);

/* The cache's index file for data folder dir: ${XDG_CACHE_HOME:-~/.cache}/countybrief/
 * data-<hash of dir's real path>.index (malloc'd), or NULL when there is no cache
 * (no absolute XDG_CACHE_HOME or HOME, dir unresolvable, or COUNTYBRIEF_DATA_CACHE=0). */
char *cb_dix_cache_path(const char *dir);

#endif /* CB_DATAINDEX_H */
