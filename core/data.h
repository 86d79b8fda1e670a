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
    char *path;        /* as opened, for messages: "examples/data/projects.csv" */
    size_t ncols;
    char **cols;       /* header names */
    cb_type *types;    /* per column: CB_T_NUMBER or CB_T_TEXT */
    size_t nrows;
    cb_value *cells;   /* row-major, nrows * ncols */
    size_t *lines;     /* source line of each row, for messages */
    int county_col;    /* index of `county_id`, or -1 for a shared table */
    /* Partition: rows of county c are order[first[c] .. first[c+1]) in file order. */
    size_t *order;
    size_t *first;     /* ncounties + 1 entries; NULL for a shared table */
} cb_table;

typedef struct cb_dataset {
    char *dir;
    size_t ntables;
    cb_table **tables;      /* sorted by name */
    const cb_table *counties;
    size_t ncounties;       /* == counties->nrows */
} cb_dataset;

/* Loads every *.csv of dir. Errors name the file and line (and column for a cell). */
int cb_dataset_load(cb_dataset *ds, const char *dir, cb_error *err);
void cb_dataset_free(cb_dataset *ds);

const cb_table *cb_dataset_table(const cb_dataset *ds, const char *name);
/* Column index by name, or -1. */
int cb_table_col(const cb_table *t, const char *name);
static inline const cb_value *cb_table_cell(const cb_table *t, size_t row, size_t col)
{
    return &t->cells[row * t->ncols + col];
}
/* Rows of county `county` (index into the counties table) in file order: sets *rows to
 * an array of row indices and returns their count. A shared table returns all rows. */
size_t cb_table_county_rows(const cb_table *t, size_t county, const size_t **rows);

/* The county's id and display name (columns `county_id` and `name`). */
const char *cb_county_id(const cb_dataset *ds, size_t county);
const char *cb_county_name(const cb_dataset *ds, size_t county);
/* Finds a county by id or name; returns its index or -1. */
long cb_dataset_find_county(const cb_dataset *ds, const char *id_or_name);

/* Parses a CSV number cell: optional sign, digits, optional fraction and exponent,
 * surrounding spaces allowed. Returns 1 and sets *out, or 0 if s is not a number. */
int cb_parse_number(const char *s, double *out);

#endif /* CB_DATA_H */
