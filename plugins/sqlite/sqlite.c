/*
 * sqlite.c: the `sqlite` data source. It reads an SQLite database instead of a CSV folder.
 *
 *   countybrief render --data sqlite:figures.db      any file name, given with the scheme
 *   countybrief render --data figures.sqlite         the extension .sqlite alone is enough
 *
 * The plugin does not claim `.db` by itself, because many programs that are not SQLite use
 * that extension. For a `.db` file, write the scheme: `sqlite:figures.db`.
 *
 * What becomes a table:
 *  - Each user table of the main database becomes one countybrief table with the same name.
 *    The columns keep their declared order, and the rows come in rowid order, so the output
 *    is the same on every run. A WITHOUT ROWID table comes in primary-key order.
 *  - Each view also becomes a table, and a view is how a query is exposed as a table:
 *        CREATE VIEW funded_projects AS
 *            SELECT county_id, project, amount FROM projects
 *            WHERE amount IS NOT NULL ORDER BY amount DESC;
 *    A report then reads data.funded_projects. Its rows come in the order the view gives, so
 *    give the view an ORDER BY when the order matters. The columns are the view's result
 *    columns, and their names must be unique and non-empty.
 *  - The plugin skips SQLite's own tables (sqlite_*), virtual tables (FTS and the like) and
 *    their shadow tables. To use a virtual table's rows, select them in a view.
 *  - A table or view named `schema` (columns table, column, type, ...) types the columns,
 *    like schema.csv in a data folder. The host applies it, and it is not a data table
 *    itself. All the other data rules (counties, county_id, partitioning) are those of
 *    docs/data.md.
 *  - No other query syntax exists. `sqlite:FILE?...` is refused with a pointer to views.
 *    A view keeps the query with the data it reads, under a name. It can be tried in any
 *    SQLite tool, and it needs no quoting of '&', '=' or spaces on the command line.
 *
 * Cell types come from each value's storage class, not from the column's declared type:
 *    INTEGER, REAL  a number cell. An integer beyond +-2^53 is passed as its decimal text,
 *                   so that a text column (an ID, say) keeps every digit.
 *    TEXT           a text cell; '' is empty. The host turns text into a number where the
 *                   schema, or inference, makes the column a number.
 *    NULL           an empty cell (no value, never zero).
 *    BLOB           an error that names the table, the row and the column. So are an
 *                   infinite REAL and a text value that holds a NUL character.
 * So a database made with the sqlite3 shell's `.import --csv`, where every value is TEXT,
 * reads the same as the CSV folder it came from.
 *
 * Read-only: the database is opened with SQLITE_OPEN_READONLY and the URI parameter mode=ro,
 * and nothing is ever written to it. All the tables are read inside one read transaction, so
 * a program writing the database at the same time cannot mix an old table with a new one.
 * The plugin waits up to 5 s for a writer's lock. For a database in WAL mode, SQLite itself
 * creates the -wal and -shm files beside it, as it does for any reader. The database file
 * itself stays unchanged. For protection against a hostile file, trusted_schema is off and
 * defensive mode is on, and extensions are never loaded.
 *
 * Limits, so that no database hangs countybrief or exhausts its memory (docs/data.md, "Limits
 * of a data file"). The data is loaded once, before any county renders, so the per-county
 * --timeout does not cover it; instead:
 *  - the load deadline: every table and view together within 60 s (COUNTYBRIEF_LOAD_TIMEOUT
 *    in seconds sets another, 0 none), checked by SQLite's progress handler. A recursive
 *    view that never ends stops with "figures.db: view loop: stopped after 60 s (the load
 *    deadline; ...)";
 *  - SQLite's own heap at most 256 MiB while the database is read (sqlite3_hard_heap_limit64,
 *    restored after), with sorts and temporary tables in memory (temp_store), so a view
 *    sorting rows without end fails with "needs more than 256 MiB of memory in SQLite"
 *    rather than filling memory or a temporary file;
 *  - one value or row at most 16 MiB (SQLITE_LIMIT_LENGTH);
 *  - the budget of the spreadsheet readers (../source_budget.h): a table of at most 1,024
 *    columns, at most 8,388,608 cells and 256 MiB of text in the whole database.
 * The file named is opened even when it is a symbolic link: the user named it.
 *
 * Errors name the file as given and the place ("figures.db: table projects: ..."). A row's
 * `line` is its 1-based position in the table or view, so a bad cell reads
 * `figures.db: table projects, row 3, column "amount" expects a number, got "4.05亿"`.
 * A missing or unreadable file is CB_EIO. A file that is not a database, an SQL error
 * (such as a view over a dropped table) and a bad value are CB_EDATA. For both codes,
 * countybrief exits with status 3.
 *
 * Needs libsqlite3 3.37 or newer (PRAGMA table_list). On Debian, install libsqlite3-dev.
 */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <sqlite3.h>

#include "countybrief/plugin.h"
#include "../source_budget.h"

/* Limits of one load, so that no database can hang or exhaust countybrief (see the top):
 * SQLite's own heap during the load, and the longest string or row SQLite may build (the
 * load deadline is cb_source_load_timeout_s). */
#define HEAP_LIMIT ((sqlite3_int64)256 << 20)
#define LENGTH_LIMIT (16 << 20)

CB_PLUGIN_MAGIC("sqlite", "1.0.0",
                "SQLite databases as data: every table and view is a table "
                "(--data sqlite:FILE.db or FILE.sqlite)")

/* ------------------------------------------------------------------ state and errors */

typedef struct reader {
    const char *path;   /* the location as given, for messages */
    sqlite3 *db;
    cb_table_sink *sink;
    const cb_host_api *api;
    char **err;
    double timeout_s, deadline; /* seconds; CLOCK_MONOTONIC (0: none) */
    int timed_out;      /* the progress handler stopped a statement */
    uint64_t cells, text; /* spent of the budget (source_budget.h) */
} reader;

typedef struct entry {
    char *name;
    int view;           /* a view, not a table */
    int without_rowid;  /* a WITHOUT ROWID table */
} entry;

static int fail(reader *r, int code, const char *fmt, ...)
{
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (!*r->err) *r->err = r->api->strdup(msg);
    return code;
}

/* The connection's last error at `where` ("figures.db: table projects"). */
static int fail_sql(reader *r, const char *where)
{
    int code = sqlite3_extended_errcode(r->db) & 0xff;
    const char *msg = sqlite3_errmsg(r->db);
    if (r->timed_out)
        return fail(r, CB_EDATA, "%s: stopped after %g s (the load deadline; a view that never "
                                 "ends? COUNTYBRIEF_LOAD_TIMEOUT=SECONDS allows longer)", where,
                    r->timeout_s);
    switch (code) {
    case SQLITE_NOMEM:
        return fail(r, CB_EDATA, "%s: needs more than %lld MiB of memory in SQLite (a view that "
                                 "sorts or groups rows without end?)", where,
                    (long long)(HEAP_LIMIT >> 20));
    case SQLITE_TOOBIG:
        return fail(r, CB_EDATA, "%s: a value or row longer than %d MiB (%s)", where,
                    LENGTH_LIMIT >> 20, msg);
    case SQLITE_NOTADB: return fail(r, CB_EDATA, "%s: not an SQLite database (%s)", r->path, msg);
    case SQLITE_CANTOPEN:
    case SQLITE_IOERR:
    case SQLITE_PERM: return fail(r, CB_EIO, "%s: cannot read the database: %s", where, msg);
    default: return fail(r, CB_EDATA, "%s: %s", where, msg);
    }
}

static int prepare(reader *r, const char *sql, sqlite3_stmt **st, const char *where)
{
    if (!sql) return fail(r, CB_ENOMEM, "%s: out of memory", where);
    *st = NULL;
    if (sqlite3_prepare_v2(r->db, sql, -1, st, NULL) != SQLITE_OK) {
        sqlite3_finalize(*st);
        *st = NULL;
        return fail_sql(r, where);
    }
    return CB_OK;
}

/* ------------------------------------------------------------------ limits */

static double mono_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Every few thousand SQLite instructions: past the deadline, the statement stops with
 * SQLITE_INTERRUPT (a recursive view that never ends, a huge cross join). */
static int past_deadline(void *ud)
{
    reader *r = ud;
    if (r->deadline > 0 && mono_s() > r->deadline) r->timed_out = 1;
    return r->timed_out;
}

/* Counts a row of ncols cells, the text among them, against the budget. */
static int spend(reader *r, const cb_cell *cells, const char **cols, int ncols, const char *where,
                 size_t row)
{
    char num[32];
    r->cells += (uint64_t)ncols;
    if (r->cells > CB_SOURCE_CELL_BUDGET)
        return fail(r, CB_EDATA, "%s, row %zu: the database expands to more than %s cells (rows "
                                 "times the columns of their table), more than countybrief holds "
                                 "in memory: use a CSV folder for data this large", where, row,
                    cb_source_grouped(CB_SOURCE_CELL_BUDGET, num));
    for (int c = 0; c < ncols; c++) {
        if (cells[c].type == CB_CELL_TEXT) r->text += strlen(cells[c].text);
        if (r->text > CB_SOURCE_TEXT_BUDGET)
            return fail(r, CB_EDATA, "%s, row %zu, column \"%s\": the database expands to more "
                                     "than %llu MiB of cell text, more than countybrief holds in "
                                     "memory", where, row, cols[c],
                        (unsigned long long)(CB_SOURCE_TEXT_BUDGET >> 20));
    }
    return CB_OK;
}

/* ------------------------------------------------------------------ opening */

/* "file:" URI for path with mode=ro. Every byte but [A-Za-z0-9/._~-] is %-escaped, so no
 * '?', '#' or '%' in a file name is read as URI syntax. Free with sqlite3_free. */
static char *readonly_uri(const char *path)
{
    sqlite3_str *s = sqlite3_str_new(NULL);
    /* "file:///abs/path" (an empty authority) or "file:rel/path" */
    sqlite3_str_appendall(s, path[0] == '/' ? "file://" : "file:");
    for (const unsigned char *p = (const unsigned char *)path; *p; p++) {
        unsigned c = *p;
        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
            c == '/' || c == '.' || c == '_' || c == '~' || c == '-')
            sqlite3_str_appendchar(s, 1, (char)c);
        else
            sqlite3_str_appendf(s, "%%%02X", c);
    }
    sqlite3_str_appendall(s, "?mode=ro");
    return sqlite3_str_finish(s);
}

static int open_db(reader *r)
{
    const char *path = r->path;
    if (!*path)
        return fail(r, CB_EIO, "sqlite: no database file given (write --data sqlite:FILE.db)");
    if (strchr(path, '?'))
        return fail(r, CB_EDATA,
                    "%s: sqlite:FILE takes no ?parameters; to expose a query as a table, save "
                    "it in the database as a view (CREATE VIEW name AS SELECT ...)", path);
    struct stat st;
    if (stat(path, &st) != 0)
        return fail(r, CB_EIO, "%s: %s", path,
                    errno == ENOENT ? "no such database file" : strerror(errno));
    if (S_ISDIR(st.st_mode))
        return fail(r, CB_EIO, "%s: is a folder, not an SQLite database file", path);
    int fd = open(path, O_RDONLY); /* a clear message for an unreadable file */
    if (fd < 0) return fail(r, CB_EIO, "%s: cannot read: %s", path, strerror(errno));
    close(fd);

    char *uri = readonly_uri(path);
    if (!uri) return fail(r, CB_ENOMEM, "%s: out of memory", path);
    int rc = sqlite3_open_v2(uri, &r->db, SQLITE_OPEN_READONLY | SQLITE_OPEN_URI, NULL);
    sqlite3_free(uri);
    if (rc != SQLITE_OK) {
        rc = r->db ? fail(r, CB_EIO, "%s: cannot open: %s", path, sqlite3_errmsg(r->db))
                   : fail(r, CB_ENOMEM, "%s: out of memory", path);
        sqlite3_close(r->db);
        r->db = NULL;
        return rc;
    }
    sqlite3_extended_result_codes(r->db, 1);
    sqlite3_busy_timeout(r->db, 5000);
    r->timeout_s = cb_source_load_timeout_s();
    r->deadline = r->timeout_s > 0 ? mono_s() + r->timeout_s : 0;
    sqlite3_progress_handler(r->db, 10000, past_deadline, r);
    sqlite3_limit(r->db, SQLITE_LIMIT_LENGTH, LENGTH_LIMIT);
    /* sorts and temporary tables in memory, under the heap limit: never in files that
     * grow without bound */
    sqlite3_exec(r->db, "PRAGMA temp_store = MEMORY", NULL, NULL, NULL);
    sqlite3_db_config(r->db, SQLITE_DBCONFIG_DEFENSIVE, 1, (int *)NULL);
    sqlite3_db_config(r->db, SQLITE_DBCONFIG_TRUSTED_SCHEMA, 0, (int *)NULL);
    sqlite3_db_config(r->db, SQLITE_DBCONFIG_ENABLE_LOAD_EXTENSION, 0, (int *)NULL);
    /* one read transaction for every table: a consistent snapshot */
    if (sqlite3_exec(r->db, "BEGIN", NULL, NULL, NULL) != SQLITE_OK) return fail_sql(r, path);
    return CB_OK;
}

/* ------------------------------------------------------------------ what to read */

static void free_entries(entry *e, size_t n)
{
    for (size_t i = 0; i < n; i++) free(e[i].name);
    free(e);
}

/* The tables and views of the main database: `schema` first, so that the host can type the
 * other tables row by row, then the rest by name (byte order). */
static int list_tables(reader *r, entry **out, size_t *nout)
{
    static const char SQL[] =
        "SELECT name, type = 'view', wr FROM pragma_table_list "
        "WHERE schema = 'main' AND type IN ('table', 'view') "
        "AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' "
        "ORDER BY name <> 'schema', name";
    sqlite3_stmt *st;
    int rc = prepare(r, SQL, &st, r->path);
    if (rc != CB_OK) return rc;
    entry *list = NULL;
    size_t n = 0;
    int s;
    while ((s = sqlite3_step(st)) == SQLITE_ROW) {
        const char *name = (const char *)sqlite3_column_text(st, 0);
        entry *grown = realloc(list, (n + 1) * sizeof *list);
        char *copy = name ? malloc(strlen(name) + 1) : NULL;
        if (!grown || !copy) {
            free(copy);
            free_entries(grown ? grown : list, n);
            sqlite3_finalize(st);
            return fail(r, CB_ENOMEM, "%s: out of memory", r->path);
        }
        list = grown;
        strcpy(copy, name);
        list[n].name = copy;
        list[n].view = sqlite3_column_int(st, 1);
        list[n].without_rowid = sqlite3_column_int(st, 2);
        n++;
    }
    if (s != SQLITE_DONE) {
        rc = fail_sql(r, r->path);
        free_entries(list, n);
        sqlite3_finalize(st);
        return rc;
    }
    sqlite3_finalize(st);
    if (n == 0)
        return fail(r, CB_EDATA, "%s: the database has no tables (countybrief needs at least "
                                 "a counties table)", r->path);
    *out = list;
    *nout = n;
    return CB_OK;
}

/* Sets *sql to the statement that reads table e's rows in a fixed order: by rowid (under a
 * name no column hides), or by primary key for a WITHOUT ROWID table. `all` is
 * "SELECT * FROM ..." prepared, for its column names. */
static int rows_sql(reader *r, const entry *e, sqlite3_stmt *all, const char *where, char **sql)
{
    sqlite3_str *s = sqlite3_str_new(r->db);
    sqlite3_str_appendf(s, "SELECT * FROM main.\"%w\"", e->name);
    if (!e->without_rowid) {
        static const char *const ALIASES[] = {"rowid", "_rowid_", "oid"};
        int ncols = sqlite3_column_count(all);
        for (size_t a = 0; a < sizeof ALIASES / sizeof *ALIASES; a++) {
            int hidden = 0;
            for (int c = 0; c < ncols && !hidden; c++) {
                const char *name = sqlite3_column_name(all, c);
                hidden = name && strcasecmp(name, ALIASES[a]) == 0;
            }
            if (!hidden) {
                sqlite3_str_appendf(s, " ORDER BY %s", ALIASES[a]);
                break;
            }
        }
    } else {
        sqlite3_stmt *pk;
        int rc = prepare(r, "SELECT name FROM pragma_table_info(?1, 'main') WHERE pk > 0 ORDER BY pk",
                         &pk, where);
        if (rc != CB_OK) {
            sqlite3_free(sqlite3_str_finish(s));
            return rc;
        }
        sqlite3_bind_text(pk, 1, e->name, -1, SQLITE_STATIC);
        const char *sep = " ORDER BY ";
        while (sqlite3_step(pk) == SQLITE_ROW) {
            sqlite3_str_appendf(s, "%s\"%w\"", sep, (const char *)sqlite3_column_text(pk, 0));
            sep = ", ";
        }
        sqlite3_finalize(pk);
    }
    *sql = sqlite3_str_finish(s);
    return *sql ? CB_OK : fail(r, CB_ENOMEM, "%s: out of memory", where);
}

/* ------------------------------------------------------------------ reading */

/* Column c of the current row as a cell; text points into the statement until the next
 * step. Errors name the row and column like the host does. */
static int read_cell(reader *r, sqlite3_stmt *st, int c, cb_cell *cell, const char *where,
                     size_t row)
{
    cell->type = CB_CELL_EMPTY;
    cell->number = 0;
    cell->text = NULL;
    switch (sqlite3_column_type(st, c)) {
    case SQLITE_NULL: return CB_OK;
    case SQLITE_INTEGER: {
        sqlite3_int64 v = sqlite3_column_int64(st, c);
        const sqlite3_int64 exact = (sqlite3_int64)1 << 53;
        if (v >= -exact && v <= exact) {
            cell->type = CB_CELL_NUMBER;
            cell->number = (double)v;
            return CB_OK;
        }
        break; /* too large for a double: as text, every digit kept */
    }
    case SQLITE_FLOAT: {
        double v = sqlite3_column_double(st, c);
        if (!isfinite(v))
            return fail(r, CB_EDATA, "%s, row %zu, column \"%s\": holds an infinite number",
                        where, row, sqlite3_column_name(st, c));
        cell->type = CB_CELL_NUMBER;
        cell->number = v;
        return CB_OK;
    }
    case SQLITE_TEXT: break;
    default: /* SQLITE_BLOB */
        return fail(r, CB_EDATA,
                    "%s, row %zu, column \"%s\": holds a BLOB (%d bytes of binary data); "
                    "countybrief reads only INTEGER, REAL, TEXT and NULL values",
                    where, row, sqlite3_column_name(st, c), sqlite3_column_bytes(st, c));
    }
    const char *text = (const char *)sqlite3_column_text(st, c);
    int bytes = sqlite3_column_bytes(st, c);
    if (!text) {
        if (sqlite3_errcode(r->db) == SQLITE_NOMEM) return fail(r, CB_ENOMEM, "%s: out of memory", where);
        return CB_OK; /* zero-length text */
    }
    if (strlen(text) != (size_t)bytes)
        return fail(r, CB_EDATA, "%s, row %zu, column \"%s\": the text holds a NUL character",
                    where, row, sqlite3_column_name(st, c));
    cell->type = CB_CELL_TEXT;
    cell->text = text;
    return CB_OK;
}

static int emit_table(reader *r, const entry *e)
{
    char where[1024];
    snprintf(where, sizeof where, "%s: %s %s", r->path, e->view ? "view" : "table", e->name);
    sqlite3_stmt *st;
    char *sql = sqlite3_mprintf("SELECT * FROM main.\"%w\"", e->name);
    int rc = prepare(r, sql, &st, where);
    sqlite3_free(sql);
    if (rc != CB_OK) return rc;
    if (!e->view) { /* again, now with the order */
        rc = rows_sql(r, e, st, where, &sql);
        sqlite3_finalize(st);
        if (rc != CB_OK) return rc;
        rc = prepare(r, sql, &st, where);
        sqlite3_free(sql);
        if (rc != CB_OK) return rc;
    }

    int ncols = sqlite3_column_count(st);
    char n1[32], n2[32];
    if ((unsigned)ncols > CB_SOURCE_MAX_COLS)
        rc = fail(r, CB_EDATA, "%s: %s columns; a table has at most %s", where,
                  cb_source_grouped((uint64_t)ncols, n1), cb_source_grouped(CB_SOURCE_MAX_COLS, n2));
    const char **cols = calloc(ncols > 0 ? (size_t)ncols : 1, sizeof *cols);
    cb_cell *cells = calloc(ncols > 0 ? (size_t)ncols : 1, sizeof *cells);
    if (rc == CB_OK && (!cols || !cells)) rc = fail(r, CB_ENOMEM, "%s: out of memory", where);
    for (int c = 0; c < ncols && rc == CB_OK; c++)
        if (!(cols[c] = sqlite3_column_name(st, c))) rc = fail(r, CB_ENOMEM, "%s: out of memory", where);
    if (rc == CB_OK) rc = r->api->table_begin(r->sink, e->name, where, (size_t)ncols, cols);

    size_t row = 0;
    while (rc == CB_OK) {
        int s = sqlite3_step(st);
        if (s == SQLITE_DONE) break;
        if (s != SQLITE_ROW) {
            rc = fail_sql(r, where);
            break;
        }
        row++;
        for (int c = 0; c < ncols && rc == CB_OK; c++) rc = read_cell(r, st, c, &cells[c], where, row);
        if (rc == CB_OK) rc = spend(r, cells, cols, ncols, where, row);
        if (rc == CB_OK) rc = r->api->table_row(r->sink, cells, row);
    }
    if (rc == CB_OK) rc = r->api->table_end(r->sink);
    free(cols);
    free(cells);
    sqlite3_finalize(st);
    return rc;
}

static int sqlite_load(const char *location, cb_table_sink *sink, const cb_host_api *api, char **err)
{
    reader r = {location, NULL, sink, api, err, 0, 0, 0, 0, 0};
    /* SQLite's heap is the process's: limited while the database is read, as it was after */
    sqlite3_int64 heap_was = sqlite3_hard_heap_limit64(-1);
    sqlite3_hard_heap_limit64(heap_was > 0 && heap_was < HEAP_LIMIT ? heap_was : HEAP_LIMIT);
    int rc = open_db(&r);
    entry *list = NULL;
    size_t n = 0;
    if (rc == CB_OK) rc = list_tables(&r, &list, &n);
    for (size_t i = 0; i < n && rc == CB_OK; i++) rc = emit_table(&r, &list[i]);
    free_entries(list, n);
    if (r.db) {
        sqlite3_exec(r.db, "ROLLBACK", NULL, NULL, NULL); /* ends the read transaction */
        sqlite3_close(r.db);
    }
    sqlite3_hard_heap_limit64(heap_was);
    return rc;
}

static const cb_source_type SQLITE_SOURCE = {CB_SOURCE_TYPE_VERSION, "sqlite", "sqlite", ".sqlite",
                                             sqlite_load};

int cb_plugin_init(cb_plugin *self, const cb_host_api *api, char **err)
{
    (void)err;
    return api->register_source(self, &SQLITE_SOURCE);
}
