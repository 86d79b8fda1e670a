/* test_data.c: data folders (tests/fixtures/, from $CB_TEST_DATA) and number parsing. */
#define _POSIX_C_SOURCE 200809L /* mkdtemp */

#include <stdlib.h>

#include <sys/stat.h>
#include <unistd.h>

#include "data.h"
#include "dataindex.h"
#include "render.h"
#include "synth.h"
#include "test.h"

/* $CB_TEST_DATA/name, in one of two rotating static buffers. */
static const char *fixture(const char *name)
{
    static char buf[2][1024];
    static int which;
    const char *root = getenv("CB_TEST_DATA");
    char *b = buf[which ^= 1];
    snprintf(b, sizeof buf[0], "%s/%s", root ? root : "tests/fixtures", name);
    return b;
}

#define ASSERT_PREFIX(msg, prefix)                                                         \
    do {                                                                                   \
        if (strncmp((msg), (prefix), strlen(prefix)) != 0)                                 \
            TEST_FAIL_("message \"%s\" does not start with \"%s\"", (msg), (prefix));     \
    } while (0)

/* Loading fixture `dir` fails with code and a message that starts with
 * "$CB_TEST_DATA/<prefix>"; the dataset is left empty. */
#define ASSERT_LOAD_FAILS(dir_, code_, prefix_)                                        \
    do {                                                                               \
        cb_dataset ds_;                                                                \
        cb_error e_ = {0};                                                             \
        int rc_ = cb_dataset_load(&ds_, fixture(dir_), &e_);                           \
        if (rc_ == CB_OK) cb_dataset_free(&ds_);                                       \
        ASSERT_EQ_INT(rc_, (code_));                                                   \
        ASSERT_EQ_INT(e_.code, (code_));                                               \
        ASSERT_PREFIX(e_.msg, fixture(prefix_));                                       \
        ASSERT(!strchr(e_.msg, '\n'));                                                 \
        ASSERT(ds_.ntables == 0 && !ds_.tables && !ds_.dir && !ds_.counties);          \
        /* rows kept on disk: the same checks, the same message */                    \
        cb_error l_ = {0};                                                             \
        rc_ = cb_dataset_load_lazy(&ds_, fixture(dir_), &l_);                          \
        if (rc_ == CB_OK) cb_dataset_free(&ds_);                                       \
        ASSERT_EQ_INT(rc_, (code_));                                                   \
        ASSERT_EQ_STR(l_.msg, e_.msg);                                                 \
        ASSERT(ds_.ntables == 0 && !ds_.tables && !ds_.dir && !ds_.counties);          \
    } while (0)

/* ---- numbers ---- */

TEST(number_accepted)
{
    static const struct { const char *s; double v; } ok[] = {
        {"0", 0}, {"42", 42}, {"-7", -7}, {"+3.5", 3.5}, {"1.", 1}, {".5", 0.5},
        {"1e3", 1000}, {"1E-2", 0.01}, {"-2.5e+10", -2.5e10}, {"  12  ", 12}, {"\t3", 3},
        {"007", 7}, {"-0", 0}, {"1e-400", 0}, {"123456789012", 123456789012.0},
    };
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
        double v = -1;
        if (!cb_parse_number(ok[i].s, &v)) TEST_FAIL_("rejected \"%s\"", ok[i].s);
        ASSERT_NEAR(v, ok[i].v, 1e-9 * (1 + fabs(ok[i].v)));
    }
}

TEST(number_rejected)
{
    static const char *const bad[] = {
        "", " ", "nan", "NaN", "inf", "-inf", "Infinity", "0x1A", "0X10", "1,00", "1 000",
        "12abc", "1e", "1e+", ".", "-", "+.", "1.2.3", "--1", "+-1", "1e999", "-1e999", "12%",
        "$5", "4.05亿", "\xd9\xa1\xd9\xa2" /* Arabic-Indic digits */, "1_000", "e5", "5e1.5",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        double v = 99;
        if (cb_parse_number(bad[i], &v)) TEST_FAIL_("accepted \"%s\" as %g", bad[i], v);
        ASSERT_EQ_INT(v == 99, 1); /* *out untouched */
    }
}

/* ---- the good folder ---- */

static int load_ok(cb_dataset *ds, int *test_failed_)
{
    cb_error e = {0};
    int rc = cb_dataset_load(ds, fixture("data_ok"), &e);
    if (rc != CB_OK) {
        fprintf(stderr, "load failed: %s\n", e.msg);
        *test_failed_ = 1;
    }
    return rc;
}

TEST(tables_listed_and_sorted)
{
    cb_dataset ds;
    if (load_ok(&ds, test_failed_) != CB_OK) return;
    /* not tables: schema.csv, notes.txt, .hidden.csv, the folder folder.csv/ */
    static const char *const names[] = {"counties", "events", "funds", "projects", "regions"};
    int ok = ds.ntables == 5;
    for (size_t i = 0; ok && i < 5; i++) ok = strcmp(ds.tables[i]->name, names[i]) == 0;
    const cb_table *p = cb_dataset_table(&ds, "projects");
    int found = p && strcmp(p->name, "projects") == 0 && cb_dataset_table(&ds, "regions") &&
                cb_dataset_table(&ds, "counties") == ds.counties &&
                !cb_dataset_table(&ds, "schema") && !cb_dataset_table(&ds, "notes") &&
                !cb_dataset_table(&ds, ".hidden") && !cb_dataset_table(&ds, "folder") &&
                !cb_dataset_table(&ds, "zzz") && !cb_dataset_table(&ds, "a");
    int path_ok = p && strcmp(p->path, fixture("data_ok/projects.csv")) == 0;
    cb_dataset_free(&ds);
    ASSERT(ok);
    ASSERT(found);
    ASSERT(path_ok);
    ASSERT(ds.ntables == 0 && !ds.tables);
}

TEST(counties_and_find)
{
    cb_dataset ds;
    if (load_ok(&ds, test_failed_) != CB_OK) return;
    /* counties.csv starts with a BOM: the first header is still "county_id" */
    size_t n = ds.ncounties;
    int col = cb_table_col(ds.counties, "county_id");
    const char *id0 = cb_county_id(&ds, 0), *name2 = cb_county_name(&ds, 2);
    long by_id = cb_dataset_find_county(&ds, "0102");
    long by_name = cb_dataset_find_county(&ds, "Gamma, Upper");
    long by_name2 = cb_dataset_find_county(&ds, "Alpha County");
    /* county 0104 is named "0101": the id match wins */
    long id_first = cb_dataset_find_county(&ds, "0101");
    long by_its_name = cb_dataset_find_county(&ds, "Beta");
    long none = cb_dataset_find_county(&ds, "0105");
    long none2 = cb_dataset_find_county(&ds, "");
    const cb_value *pop = cb_table_cell(ds.counties, 2, 2);
    const cb_value *pop0 = cb_table_cell(ds.counties, 0, 2);
    int types_ok = ds.counties->types[0] == CB_T_TEXT && ds.counties->types[1] == CB_T_TEXT &&
                   ds.counties->types[2] == CB_T_NUMBER;
    int pop_ok = pop->type == CB_T_NULL && pop0->type == CB_T_NUMBER && pop0->num == 12000;
    int name3_ok = strcmp(cb_county_name(&ds, 3), "0101") == 0;
    int oob = cb_county_id(&ds, 4) == NULL;
    char id0c[16], name2c[32];
    snprintf(id0c, sizeof id0c, "%s", id0 ? id0 : "(null)");
    snprintf(name2c, sizeof name2c, "%s", name2 ? name2 : "(null)");
    cb_dataset_free(&ds);
    ASSERT_EQ_INT(n, 4);
    ASSERT_EQ_INT(col, 0);
    ASSERT_EQ_STR(id0c, "0101");
    ASSERT_EQ_STR(name2c, "Gamma, Upper");
    ASSERT_EQ_INT(by_id, 1);
    ASSERT_EQ_INT(by_name, 2);
    ASSERT_EQ_INT(by_name2, 0);
    ASSERT_EQ_INT(id_first, 0);
    ASSERT_EQ_INT(by_its_name, 1);
    ASSERT_EQ_INT(none, -1);
    ASSERT_EQ_INT(none2, -1);
    ASSERT(types_ok);
    ASSERT(pop_ok);
    ASSERT(name3_ok);
    ASSERT(oob);
}

/* Checks run with the dataset loaded; the dataset is freed by the caller even on failure. */
static void check_projects(const cb_dataset *ds, int *test_failed_)
{
    const cb_table *t = cb_dataset_table(ds, "projects");
    ASSERT(t);
    ASSERT_EQ_INT(t->ncols, 7);
    ASSERT_EQ_INT(t->nrows, 5);
    ASSERT_EQ_INT(t->county_col, 0);
    /* county_id: text though the schema says number; code: text by schema ("007");
     * title, notes: inferred text; amount: number by schema; year: inferred number;
     * empty: no values, inferred number */
    static const cb_type want[] = {CB_T_TEXT, CB_T_TEXT, CB_T_TEXT, CB_T_NUMBER,
                                   CB_T_NUMBER, CB_T_TEXT, CB_T_NUMBER};
    for (size_t c = 0; c < 7; c++)
        if (t->types[c] != want[c]) TEST_FAIL_("column %s has type %d", t->cols[c], t->types[c]);
    ASSERT_EQ_INT(cb_table_col(t, "amount"), 3);
    ASSERT_EQ_INT(cb_table_col(t, "optional_column"), -1);

    const cb_value *v = cb_table_cell(t, 0, 1);
    ASSERT(v->type == CB_T_TEXT);
    ASSERT_EQ_STR(v->text, "007");
    v = cb_table_cell(t, 0, 3);
    ASSERT(v->type == CB_T_NUMBER);
    ASSERT_NEAR(v->num, 120.5, 1e-12);
    ASSERT(cb_table_cell(t, 2, 3)->type == CB_T_NULL);
    ASSERT_NEAR(cb_table_cell(t, 4, 3)->num, -300, 1e-12);
    v = cb_table_cell(t, 1, 4);
    ASSERT(v->type == CB_T_NUMBER && v->num == 2022 && v->text == NULL);
    ASSERT_EQ_STR(cb_table_cell(t, 1, 2)->text, "Road, north");
    ASSERT_EQ_STR(cb_table_cell(t, 1, 5)->text, "multi\nline");
    ASSERT(cb_table_cell(t, 0, 5)->type == CB_T_NULL);
    ASSERT(cb_table_cell(t, 3, 0)->type == CB_T_NULL);
    for (size_t r = 0; r < t->nrows; r++) ASSERT(cb_table_cell(t, r, 6)->type == CB_T_NULL);
    /* the row after the two-line field starts on line 5 */
    static const size_t lines[] = {2, 3, 5, 6, 7};
    for (size_t r = 0; r < 5; r++) ASSERT_EQ_INT(t->lines[r], lines[r]);
}

TEST(projects_types_and_values)
{
    cb_dataset ds;
    if (load_ok(&ds, test_failed_) != CB_OK) return;
    check_projects(&ds, test_failed_);
    cb_dataset_free(&ds);
}

static void check_partitions(const cb_dataset *ds, int *test_failed_)
{
    const size_t *rows;
    const cb_table *p = cb_dataset_table(ds, "projects");
    ASSERT(p && p->first);
    /* 0101: rows 1 and 4, in file order; 0102: rows 0 and 2; 0103, 0104: none; the row
     * without a county_id is in no partition */
    ASSERT_EQ_INT(cb_table_county_rows(p, 0, &rows), 2);
    ASSERT_EQ_INT(rows[0], 1);
    ASSERT_EQ_INT(rows[1], 4);
    ASSERT_EQ_INT(cb_table_county_rows(p, 1, &rows), 2);
    ASSERT_EQ_INT(rows[0], 0);
    ASSERT_EQ_INT(rows[1], 2);
    ASSERT_EQ_INT(cb_table_county_rows(p, 2, &rows), 0);
    ASSERT_EQ_INT(cb_table_county_rows(p, 3, &rows), 0);
    ASSERT_EQ_INT(cb_table_county_rows(p, 99, &rows), 0);

    const cb_table *f = cb_dataset_table(ds, "funds");
    ASSERT(f);
    ASSERT_EQ_INT(cb_table_county_rows(f, 2, &rows), 1);
    ASSERT_EQ_INT(rows[0], 0);
    /* CRLF file; "N/A" makes value a text column that keeps "1e3" as written */
    ASSERT(f->types[2] == CB_T_TEXT);
    ASSERT_EQ_STR(cb_table_cell(f, 0, 2)->text, "1e3");
    ASSERT_EQ_STR(cb_table_cell(f, 1, 1)->text, "local");

    /* shared table: every county gets all rows */
    const cb_table *r = cb_dataset_table(ds, "regions");
    ASSERT(r && r->county_col == -1 && !r->first);
    for (size_t c = 0; c < ds->ncounties; c++) {
        ASSERT_EQ_INT(cb_table_county_rows(r, c, &rows), 2);
        ASSERT_EQ_INT(rows[0], 0);
        ASSERT_EQ_INT(rows[1], 1);
    }
    ASSERT(r->types[1] == CB_T_NUMBER);
    ASSERT_NEAR(cb_table_cell(r, 1, 1)->num, 0.75, 1e-12);

    /* the counties table is partitioned by itself */
    for (size_t c = 0; c < ds->ncounties; c++) {
        ASSERT_EQ_INT(cb_table_county_rows(ds->counties, c, &rows), 1);
        ASSERT_EQ_INT(rows[0], c);
    }

    /* a header-only table */
    const cb_table *ev = cb_dataset_table(ds, "events");
    ASSERT(ev && ev->nrows == 0 && ev->county_col == 0);
    ASSERT_EQ_INT(cb_table_county_rows(ev, 0, &rows), 0);
}

TEST(partitions)
{
    cb_dataset ds;
    if (load_ok(&ds, test_failed_) != CB_OK) return;
    check_partitions(&ds, test_failed_);
    cb_dataset_free(&ds);
}

TEST(many_counties)
{
    /* 3000 counties x 20 rows, written to a temporary folder: checks the partition at
     * size (and that it stays fast: no scan of the counties per row) */
    char dir[] = "/tmp/cb_test_data_XXXXXX";
    ASSERT(mkdtemp(dir));
    char path[256];
    snprintf(path, sizeof path, "%s/counties.csv", dir);
    FILE *fc = fopen(path, "w");
    snprintf(path, sizeof path, "%s/rows.csv", dir);
    FILE *fr = fopen(path, "w");
    ASSERT(fc && fr);
    fprintf(fc, "county_id,name\n");
    fprintf(fr, "county_id,k\n");
    for (int i = 0; i < 3000; i++) fprintf(fc, "%05d,County %d\n", i * 7 % 3000, i);
    for (int k = 0; k < 20; k++)
        for (int i = 0; i < 3000; i++) fprintf(fr, "%05d,%d\n", (i * 13 + k) % 3000, k);
    fclose(fc);
    fclose(fr);

    cb_dataset ds;
    cb_error e = {0};
    int rc = cb_dataset_load(&ds, dir, &e);
    int bad = 0;
    if (rc == CB_OK) {
        const cb_table *t = cb_dataset_table(&ds, "rows");
        for (size_t c = 0; c < ds.ncounties && !bad; c++) {
            const size_t *rows;
            size_t n = cb_table_county_rows(t, c, &rows);
            bad = n != 20;
            for (size_t i = 0; i < n && !bad; i++) {
                const cb_value *id = cb_table_cell(t, rows[i], 0);
                const cb_value *k = cb_table_cell(t, rows[i], 1);
                bad = strcmp(id->text, cb_county_id(&ds, c)) != 0 || k->num != (double)i ||
                      (i && rows[i] <= rows[i - 1]);
            }
        }
        cb_dataset_free(&ds);
    }
    snprintf(path, sizeof path, "%s/counties.csv", dir);
    remove(path);
    snprintf(path, sizeof path, "%s/rows.csv", dir);
    remove(path);
    remove(dir);
    if (rc != CB_OK) TEST_FAIL_("load failed: %s", e.msg);
    ASSERT(!bad);
}

/* ---- errors ---- */

TEST(error_missing_folder)
{
    ASSERT_LOAD_FAILS("does_not_exist", CB_EIO, "does_not_exist: no such data folder");
    ASSERT_LOAD_FAILS("data_ok/counties.csv", CB_EIO, "data_ok/counties.csv: not a folder");
}

TEST(error_missing_counties)
{
    ASSERT_LOAD_FAILS("no_counties", CB_EDATA,
                      "no_counties/counties.csv: missing (every data folder needs a counties "
                      "table)");
}

TEST(error_text_in_number_column)
{
    ASSERT_LOAD_FAILS("bad_number", CB_EDATA,
                      "bad_number/funds.csv:3:3: column \"amount\" expects a number, got "
                      "\"4.05亿\"");
}

TEST(error_unknown_county)
{
    ASSERT_LOAD_FAILS("unknown_county", CB_EDATA,
                      "unknown_county/projects.csv:3:2: unknown county_id \"0199\"");
}

TEST(error_ragged_row)
{
    ASSERT_LOAD_FAILS("ragged", CB_EDATA,
                      "ragged/projects.csv:3: row has 2 fields, header has 3");
}

TEST(error_duplicate_header)
{
    ASSERT_LOAD_FAILS("dup_header", CB_EDATA,
                      "dup_header/projects.csv:1: duplicate column \"title\"");
}

TEST(error_counties)
{
    ASSERT_LOAD_FAILS("dup_county", CB_EDATA,
                      "dup_county/counties.csv:4:1: duplicate county_id \"0101\" (first on "
                      "line 2)");
    ASSERT_LOAD_FAILS("empty_county_id", CB_EDATA,
                      "empty_county_id/counties.csv:3:1: empty county_id");
    ASSERT_LOAD_FAILS("counties_no_name", CB_EDATA,
                      "counties_no_name/counties.csv:1: missing column \"name\"");
}

TEST(error_schema_type)
{
    ASSERT_LOAD_FAILS("bad_schema", CB_EDATA,
                      "bad_schema/schema.csv:2:3: type must be \"number\" or \"text\", got "
                      "\"int\"");
}

TEST(error_from_csv_and_empty_file)
{
    ASSERT_LOAD_FAILS("bad_csv", CB_EDATA,
                      "bad_csv/projects.csv:2:2: text after closing quote");
    ASSERT_LOAD_FAILS("empty_file", CB_EDATA, "empty_file/projects.csv: empty file");
}

/* ---- the builder (non-CSV sources) ---- */

#define N_(a) (sizeof(a) / sizeof((a)[0]))

/* Feeds one table of text cells ("" is empty) to b; lines[r] is row r's line. */
static int feed_text(cb_dataset_builder *b, const char *name, const char *where, size_t ncols,
                     const char *const *cols, size_t nrows, const char *const *cells,
                     const size_t *lines, cb_error *err)
{
    int rc = cb_dataset_builder_table(b, name, where, ncols, cols, err);
    cb_value row[16];
    for (size_t r = 0; r < nrows && rc == CB_OK; r++) {
        for (size_t c = 0; c < ncols; c++)
            row[c] = (cb_value){CB_T_TEXT, 0, cells[r * ncols + c]};
        rc = cb_dataset_builder_row(b, row, lines ? lines[r] : r + 2, err);
    }
    if (rc == CB_OK) rc = cb_dataset_builder_end_table(b, err);
    return rc;
}

/* tests/fixtures/data_ok as a workbook: same tables, cells and lines, the schema sheet in
 * the middle (so projects is typed at finish, the rest as rows come) and some cells given
 * as numbers, as a spreadsheet would. */
static int build_data_ok(cb_dataset *ds, cb_error *err)
{
    static const char *const p_cols[] = {"county_id", "code", "title", "amount", "year",
                                         "notes", "empty"};
    static const char *const p_cells[] = {
        "0102", "007", "Bridge", "120.5", "2021", "", "",
        "0101", "008", "Road, north", "80", "2022", "multi\nline", "",
        "0102", "009", "School", "", "2023", "x", "",
        "", "010", "Unassigned", "5", "2020", "", "",
        "0101", "011", "Clinic", "-3e2", "2019", "", "",
    };
    static const size_t p_lines[] = {2, 3, 5, 6, 7};
    static const char *const s_cols[] = {"table", "column", "type", "unit", "description"};
    static const char *const s_cells[] = {
        "projects", "amount", "number", "万元", "Project budget",
        "projects", "code", "text", "", "Codes keep their leading zeros",
        "projects", "county_id", "number", "", "Forced to text anyway",
        "optional_table", "x", "number", "", "A table this folder does not have",
        "projects", "optional_column", "text", "", "A column projects.csv does not have",
    };
    static const char *const f_cols[] = {"county_id", "source", "value"};
    static const char *const f_cells[] = {"0103", "central", "1e3", "0101", "local", "N/A"};
    static const char *const e_cols[] = {"county_id", "what"};
    static const char *const c_cols[] = {"county_id", "name", "population"};
    static const char *const c_ids[] = {"0101", "0102", "0103", "0104"};
    static const char *const c_names[] = {"Alpha County", "Beta", "Gamma, Upper", "0101"};
    static const double c_pop[] = {12000, 8000, -1, 500};
    static const char *const r_cols[] = {"region", "share"};

    cb_dataset_builder *b = cb_dataset_builder_new("book.xlsx");
    int rc = feed_text(b, "projects", "book.xlsx: sheet projects", 7, p_cols, 5, p_cells,
                       p_lines, err);
    if (rc == CB_OK)
        rc = feed_text(b, "schema", "book.xlsx: sheet schema", 5, s_cols, 5, s_cells, NULL, err);
    if (rc == CB_OK)
        rc = cb_dataset_builder_table(b, "counties", "book.xlsx: sheet counties", 3, c_cols, err);
    for (size_t r = 0; r < 4 && rc == CB_OK; r++) {
        cb_value row[3] = {{CB_T_TEXT, 0, c_ids[r]}, {CB_T_TEXT, 0, c_names[r]},
                           {CB_T_NUMBER, c_pop[r], NULL}};
        if (c_pop[r] < 0) row[2] = (cb_value){CB_T_NULL, 0, NULL};
        rc = cb_dataset_builder_row(b, row, r + 2, err);
    }
    if (rc == CB_OK) rc = cb_dataset_builder_end_table(b, err);
    if (rc == CB_OK) rc = cb_dataset_builder_table(b, "regions", "book.xlsx: sheet regions", 2,
                                                   r_cols, err);
    if (rc == CB_OK) {
        cb_value row[2] = {{CB_T_TEXT, 0, "North"}, {CB_T_NUMBER, 0.25, NULL}};
        rc = cb_dataset_builder_row(b, row, 2, err);
    }
    if (rc == CB_OK) {
        cb_value row[2] = {{CB_T_TEXT, 0, "South"}, {CB_T_TEXT, 0, " .75"}};
        rc = cb_dataset_builder_row(b, row, 3, err);
    }
    if (rc == CB_OK) rc = cb_dataset_builder_end_table(b, err);
    if (rc == CB_OK)
        rc = feed_text(b, "funds", "book.xlsx: sheet funds", 3, f_cols, 2, f_cells, NULL, err);
    if (rc == CB_OK)
        rc = feed_text(b, "events", "book.xlsx: sheet events", 2, e_cols, 0, NULL, NULL, err);
    if (rc != CB_OK) {
        cb_dataset_builder_free(b);
        memset(ds, 0, sizeof *ds);
        return rc;
    }
    return cb_dataset_builder_finish(b, ds, err);
}

/* Same tables, columns, types, cells, lines and partitions. */
static void check_same_content(const cb_dataset *a, const cb_dataset *b, int *test_failed_)
{
    ASSERT_EQ_INT(a->ntables, b->ntables);
    ASSERT_EQ_INT(a->ncounties, b->ncounties);
    ASSERT_EQ_STR(a->counties->name, "counties");
    ASSERT_EQ_STR(b->counties->name, "counties");
    for (size_t i = 0; i < a->ntables; i++) {
        const cb_table *x = a->tables[i], *y = b->tables[i];
        ASSERT_EQ_STR(x->name, y->name);
        ASSERT_EQ_INT(x->ncols, y->ncols);
        ASSERT_EQ_INT(x->nrows, y->nrows);
        ASSERT_EQ_INT(x->county_col, y->county_col);
        ASSERT_EQ_INT(!x->first && !cb_table_on_disk(x), !y->first && !cb_table_on_disk(y));
        for (size_t c = 0; c < x->ncols; c++) {
            ASSERT_EQ_STR(x->cols[c], y->cols[c]);
            if (x->types[c] != y->types[c])
                TEST_FAIL_("%s.%s: type %d != %d", x->name, x->cols[c], x->types[c], y->types[c]);
        }
        for (size_t r = 0; r < x->nrows; r++) {
            ASSERT_EQ_INT(x->lines[r], y->lines[r]);
            for (size_t c = 0; c < x->ncols; c++) {
                const cb_value *u = cb_table_cell(x, r, c), *v = cb_table_cell(y, r, c);
                if (u->type != v->type || u->num != v->num || !u->text != !v->text ||
                    (u->text && strcmp(u->text, v->text) != 0))
                    TEST_FAIL_("%s row %zu column %s differs", x->name, r, x->cols[c]);
            }
        }
        for (size_t k = 0; k < a->ncounties; k++) {
            const size_t *ra, *rb;
            size_t na = cb_table_county_rows(x, k, &ra), nb = cb_table_county_rows(y, k, &rb);
            ASSERT_EQ_INT(na, nb);
            for (size_t j = 0; j < na; j++) ASSERT_EQ_INT(ra[j], rb[j]);
        }
    }
}

TEST(builder_same_as_csv)
{
    cb_dataset csv, book;
    if (load_ok(&csv, test_failed_) != CB_OK) return;
    cb_error e = {0};
    int rc = build_data_ok(&book, &e);
    if (rc != CB_OK) {
        cb_dataset_free(&csv);
        TEST_FAIL_("build failed: %s", e.msg);
    }
    int failed = 0;
    check_same_content(&csv, &book, &failed);
    check_projects(&book, &failed);
    check_partitions(&book, &failed);
    int meta_ok = strcmp(book.dir, "book.xlsx") == 0 &&
                  strcmp(cb_dataset_table(&book, "funds")->path, "book.xlsx: sheet funds") == 0 &&
                  !cb_dataset_table(&book, "schema") &&
                  cb_dataset_find_county(&book, "Gamma, Upper") == 2;
    cb_dataset_free(&csv);
    cb_dataset_free(&book);
    ASSERT(!failed);
    ASSERT(meta_ok);
}

/* projects(county_id, code, amount) with code "007": the schema, here last, makes code
 * text and amount a number; without it code is inferred as a number. */
static int build_codes(cb_dataset *ds, int with_schema, const char *amount, cb_error *err)
{
    static const char *const c_cols[] = {"county_id", "name"};
    static const char *const c_cells[] = {"0101", "Alpha", "0102", "Beta"};
    static const char *const p_cols[] = {"county_id", "code", "amount"};
    const char *p_cells[] = {"0101", "007", "12.5", "0102", "008", amount};
    static const size_t p_lines[] = {4, 9};
    static const char *const s_cols[] = {"table", "column", "type"};
    static const char *const s_cells[] = {"projects", "code", "text", "projects", "amount",
                                          "number"};
    cb_dataset_builder *b = cb_dataset_builder_new("book.xlsx");
    int rc = feed_text(b, "counties", "book.xlsx: sheet counties", 2, c_cols, 2, c_cells, NULL,
                       err);
    if (rc == CB_OK)
        rc = feed_text(b, "projects", "book.xlsx: sheet projects", 3, p_cols, 2, p_cells,
                       p_lines, err);
    if (rc == CB_OK && with_schema)
        rc = feed_text(b, "schema", "book.xlsx: sheet schema", 3, s_cols, 2, s_cells, NULL, err);
    if (rc != CB_OK) {
        cb_dataset_builder_free(b);
        memset(ds, 0, sizeof *ds);
        return rc;
    }
    return cb_dataset_builder_finish(b, ds, err);
}

TEST(builder_schema_last)
{
    cb_dataset ds;
    cb_error e = {0};
    int rc = build_codes(&ds, 1, "30", &e);
    if (rc != CB_OK) TEST_FAIL_("build failed: %s", e.msg);
    const cb_table *t = cb_dataset_table(&ds, "projects");
    int ok = t && t->types[1] == CB_T_TEXT && t->types[2] == CB_T_NUMBER &&
             strcmp(cb_table_cell(t, 0, 1)->text, "007") == 0 &&
             cb_table_cell(t, 1, 2)->num == 30 && t->lines[1] == 9 &&
             ds.ntables == 2 && !cb_dataset_table(&ds, "schema");
    cb_dataset_free(&ds);
    ASSERT(ok);

    /* without the schema, "007" is inferred as the number 7 */
    rc = build_codes(&ds, 0, "30", &e);
    if (rc != CB_OK) TEST_FAIL_("build failed: %s", e.msg);
    t = cb_dataset_table(&ds, "projects");
    ok = t && t->types[1] == CB_T_NUMBER && cb_table_cell(t, 0, 1)->num == 7 &&
         !cb_table_cell(t, 0, 1)->text;
    cb_dataset_free(&ds);
    ASSERT(ok);
}

TEST(builder_error_text_in_number_column)
{
    static const char *const want =
        "book.xlsx: sheet projects, row 9, column \"amount\" expects a number, got \"4.05亿\"";
    /* schema last: found at finish, still naming the row and column */
    cb_dataset ds;
    cb_error e = {0};
    int rc = build_codes(&ds, 1, "4.05亿", &e);
    if (rc == CB_OK) cb_dataset_free(&ds);
    ASSERT_EQ_INT(rc, CB_EDATA);
    ASSERT_EQ_INT(e.code, CB_EDATA);
    ASSERT_EQ_STR(e.msg, want);
    ASSERT(ds.ntables == 0 && !ds.tables && !ds.dir && !ds.counties);
    /* without the schema the column is simply text */
    rc = build_codes(&ds, 0, "4.05亿", &e);
    ASSERT_EQ_INT(rc, CB_OK);
    ASSERT(cb_dataset_table(&ds, "projects")->types[2] == CB_T_TEXT);
    cb_dataset_free(&ds);

    /* schema first: the row itself fails, and the builder takes nothing more */
    static const char *const s_cols[] = {"table", "column", "type"};
    static const char *const s_cells[] = {"funds", "amount", "number"};
    static const char *const f_cols[] = {"county_id", "amount"};
    cb_dataset_builder *b = cb_dataset_builder_new("db.sqlite");
    e = (cb_error){0};
    ASSERT_EQ_INT(feed_text(b, "schema", "db.sqlite: table schema", 3, s_cols, 1, s_cells,
                            NULL, &e), CB_OK);
    ASSERT_EQ_INT(cb_dataset_builder_table(b, "funds", "db.sqlite: table funds", 2, f_cols, &e),
                  CB_OK);
    cb_value row[2] = {{CB_T_TEXT, 0, "0101"}, {CB_T_TEXT, 0, " 12 "}};
    ASSERT_EQ_INT(cb_dataset_builder_row(b, row, 1, &e), CB_OK);
    row[1].text = "12%";
    rc = cb_dataset_builder_row(b, row, 2, &e);
    ASSERT_EQ_INT(rc, CB_EDATA);
    ASSERT_EQ_STR(e.msg, "db.sqlite: table funds, row 2, column \"amount\" expects a number, "
                         "got \"12%\"");
    ASSERT_EQ_INT(cb_dataset_builder_end_table(b, &e), CB_EDATA);
    ASSERT_CONTAINS(e.msg, "db.sqlite: an earlier error");
    rc = cb_dataset_builder_finish(b, &ds, &e); /* fails, and frees b */
    ASSERT_EQ_INT(rc, CB_EDATA);
    ASSERT(ds.ntables == 0 && !ds.tables && !ds.dir);
}

/* Checks run with the dataset loaded; the caller frees it even on failure. */
static void check_number_cells(const cb_dataset *ds, int *test_failed_)
{
    ASSERT_EQ_STR(cb_county_id(ds, 0), "500233");
    ASSERT_EQ_STR(cb_county_name(ds, 0), "12");
    ASSERT_EQ_INT(cb_dataset_find_county(ds, "500233"), 0);
    const cb_table *t = cb_dataset_table(ds, "projects");
    const size_t *rows;
    ASSERT_EQ_INT(cb_table_county_rows(t, 0, &rows), 2);
    ASSERT_EQ_STR(cb_table_cell(t, 1, 0)->text, "500233");
    ASSERT(t->types[1] == CB_T_TEXT && t->types[2] == CB_T_TEXT);
    ASSERT(t->types[3] == CB_T_NUMBER && t->types[4] == CB_T_NUMBER);
    ASSERT_EQ_STR(cb_table_cell(t, 0, 1)->text, "2.5");
    ASSERT_EQ_STR(cb_table_cell(t, 1, 1)->text, "0");
    ASSERT_EQ_STR(cb_table_cell(t, 0, 2)->text, "7");
    ASSERT(cb_table_cell(t, 0, 2)->type == CB_T_TEXT && cb_table_cell(t, 0, 2)->num == 0);
    ASSERT_EQ_STR(cb_table_cell(t, 1, 2)->text, "N/A");
    ASSERT(cb_table_cell(t, 1, 3)->type == CB_T_NUMBER && cb_table_cell(t, 1, 3)->num == 3);
    ASSERT(cb_table_cell(t, 0, 3)->num == 1e20);
    ASSERT(cb_table_cell(t, 1, 4)->type == CB_T_NULL);
}

TEST(builder_number_cells_in_text_columns)
{
    static const char *const c_cols[] = {"county_id", "name"};
    static const char *const p_cols[] = {"county_id", "label", "mixed", "big", "frac"};
    static const char *const s_cols[] = {"table", "column", "type"};
    static const char *const s_cells[] = {"projects", "label", "text"};
    cb_dataset_builder *b = cb_dataset_builder_new("book.xlsx");
    cb_error e = {0};
    int rc = feed_text(b, "schema", "book.xlsx: sheet schema", 3, s_cols, 1, s_cells, NULL, &e);
    if (rc == CB_OK) rc = cb_dataset_builder_table(b, "counties", "c", 2, c_cols, &e);
    if (rc == CB_OK) {
        /* a numeric id and a numeric name: both columns are text */
        cb_value row[2] = {{CB_T_NUMBER, 500233, NULL}, {CB_T_NUMBER, 12, NULL}};
        rc = cb_dataset_builder_row(b, row, 2, &e);
    }
    if (rc == CB_OK) rc = cb_dataset_builder_end_table(b, &e);
    if (rc == CB_OK) rc = cb_dataset_builder_table(b, "projects", "p", 5, p_cols, &e);
    if (rc == CB_OK) {
        cb_value row[5] = {{CB_T_TEXT, 0, "500233"}, {CB_T_NUMBER, 2.5, NULL},
                           {CB_T_NUMBER, 7, NULL}, {CB_T_NUMBER, 1e20, NULL},
                           {CB_T_NUMBER, 0.1, NULL}};
        rc = cb_dataset_builder_row(b, row, 2, &e);
    }
    if (rc == CB_OK) {
        /* "N/A" makes `mixed` a text column; `big` and `frac` stay numbers */
        cb_value row[5] = {{CB_T_NUMBER, 500233, NULL}, {CB_T_NUMBER, -0.0, NULL},
                           {CB_T_TEXT, 0, "N/A"}, {CB_T_TEXT, 0, "3"}, {CB_T_TEXT, 0, ""}};
        rc = cb_dataset_builder_row(b, row, 3, &e);
    }
    if (rc == CB_OK) rc = cb_dataset_builder_end_table(b, &e);
    cb_dataset ds;
    if (rc != CB_OK) {
        cb_dataset_builder_free(b);
        TEST_FAIL_("build failed: %s", e.msg);
    }
    rc = cb_dataset_builder_finish(b, &ds, &e);
    if (rc != CB_OK) TEST_FAIL_("finish failed: %s", e.msg);
    int failed = 0;
    check_number_cells(&ds, &failed);
    cb_dataset_free(&ds);
    ASSERT(!failed);

    /* large and fractional numbers in a text column */
    b = cb_dataset_builder_new("x");
    static const char *const one[] = {"county_id", "name"};
    ASSERT_EQ_INT(cb_dataset_builder_table(b, "counties", "x: counties", 2, one, &e), CB_OK);
    static const double nums[] = {1e20, 0.1, -42, 1.0 / 3, 9007199254740993.0};
    static const char *const texts[] = {"1e+20", "0.1", "-42", "0.333333333333333",
                                        "9007199254740992"};
    for (size_t i = 0; i < N_(nums); i++) {
        cb_value row[2] = {{CB_T_TEXT, 0, texts[i]}, {CB_T_NUMBER, nums[i], NULL}};
        ASSERT_EQ_INT(cb_dataset_builder_row(b, row, i + 1, &e), CB_OK);
    }
    ASSERT_EQ_INT(cb_dataset_builder_end_table(b, &e), CB_OK);
    ASSERT_EQ_INT(cb_dataset_builder_finish(b, &ds, &e), CB_OK);
    failed = 0;
    for (size_t i = 0; i < N_(nums) && !failed; i++)
        if (strcmp(cb_county_name(&ds, i), texts[i]) != 0) failed = (int)i + 1;
    char got[64];
    snprintf(got, sizeof got, "%s", failed ? cb_county_name(&ds, (size_t)failed - 1) : "");
    cb_dataset_free(&ds);
    if (failed) TEST_FAIL_("number %zu written as \"%s\"", (size_t)failed - 1, got);
}

/* Builds counties (id, name) and one table `t` (county_id, x) from rows of text and
 * returns finish's code; the dataset is freed. */
static int build_small(const char *const *counties, size_t ncounties,
                       const char *const *rows, size_t nrows, cb_error *err)
{
    static const char *const c_cols[] = {"county_id", "name"};
    static const char *const t_cols[] = {"county_id", "x"};
    static const size_t lines[] = {2, 3, 5, 7, 11};
    cb_dataset_builder *b = cb_dataset_builder_new("db.sqlite");
    int rc = CB_OK;
    if (counties)
        rc = feed_text(b, "counties", "db.sqlite: table counties", 2, c_cols, ncounties,
                       counties, lines, err);
    if (rc == CB_OK)
        rc = feed_text(b, "projects", "db.sqlite: table projects", 2, t_cols, nrows, rows,
                       lines, err);
    if (rc != CB_OK) {
        cb_dataset_builder_free(b);
        return rc;
    }
    cb_dataset ds;
    rc = cb_dataset_builder_finish(b, &ds, err);
    int empty = ds.ntables == 0 && !ds.tables && !ds.dir && !ds.counties;
    if (rc == CB_OK) cb_dataset_free(&ds);
    else if (!empty) return 99; /* a failed finish keeps nothing */
    return rc;
}

TEST(builder_error_counties)
{
    static const char *const rows[] = {"0101", "a", "", "b", "0199", "c"};
    static const char *const counties[] = {"0101", "Alpha", "0102", "Beta", "0101", "Gamma"};
    cb_error e = {0};
    ASSERT_EQ_INT(build_small(NULL, 0, rows, 1, &e), CB_EDATA);
    ASSERT_EQ_STR(e.msg, "db.sqlite: missing the counties table (every dataset needs one, "
                         "with columns county_id and name)");
    ASSERT_EQ_INT(build_small(counties, 2, rows, 3, &e), CB_EDATA);
    ASSERT_EQ_STR(e.msg, "db.sqlite: table projects, row 5, column \"county_id\": unknown "
                         "county_id \"0199\" (not in the counties table)");
    ASSERT_EQ_INT(build_small(counties, 2, rows, 2, &e), CB_OK);
    ASSERT_EQ_INT(build_small(counties, 3, rows, 2, &e), CB_EDATA);
    ASSERT_EQ_STR(e.msg, "db.sqlite: table counties, row 5, column \"county_id\": duplicate "
                         "county_id \"0101\" (first on row 2)");
    static const char *const no_id[] = {"", "Alpha"};
    ASSERT_EQ_INT(build_small(no_id, 1, rows, 0, &e), CB_EDATA);
    ASSERT_EQ_STR(e.msg, "db.sqlite: table counties, row 2, column \"county_id\": empty "
                         "county_id");
}

TEST(builder_error_columns_and_tables)
{
    static const char *const dup[] = {"county_id", "title", "title"};
    static const char *const empty[] = {"county_id", ""};
    static const char *const ok[] = {"county_id", "name"};
    cb_error e = {0};
    cb_dataset_builder *b = cb_dataset_builder_new("book.xlsx");
    ASSERT_EQ_INT(cb_dataset_builder_table(b, "projects", "book.xlsx: sheet P", 3, dup, &e),
                  CB_EDATA);
    ASSERT_EQ_STR(e.msg, "book.xlsx: sheet P: duplicate column \"title\"");
    cb_dataset_builder_free(b);

    b = cb_dataset_builder_new("book.xlsx");
    ASSERT_EQ_INT(cb_dataset_builder_table(b, "projects", "book.xlsx: sheet P", 2, empty, &e),
                  CB_EDATA);
    ASSERT_EQ_STR(e.msg, "book.xlsx: sheet P, column 2: empty column name");
    cb_dataset_builder_free(b);

    b = cb_dataset_builder_new("book.xlsx");
    ASSERT_EQ_INT(feed_text(b, "counties", "book.xlsx: sheet 1", 2, ok, 0, NULL, NULL, &e),
                  CB_OK);
    ASSERT_EQ_INT(cb_dataset_builder_table(b, "counties", "book.xlsx: sheet 2", 2, ok, &e),
                  CB_EDATA);
    ASSERT_EQ_STR(e.msg, "book.xlsx: sheet 2: duplicate table \"counties\" (already from "
                         "book.xlsx: sheet 1)");
    cb_dataset_builder_free(b);

    /* two schema tables */
    static const char *const s_cols[] = {"table", "column", "type"};
    b = cb_dataset_builder_new("book.xlsx");
    ASSERT_EQ_INT(feed_text(b, "schema", "book.xlsx: sheet S", 3, s_cols, 0, NULL, NULL, &e),
                  CB_OK);
    ASSERT_EQ_INT(cb_dataset_builder_table(b, "schema", "book.xlsx: sheet T", 3, s_cols, &e),
                  CB_EDATA);
    ASSERT_EQ_STR(e.msg, "book.xlsx: sheet T: duplicate table \"schema\" (already from "
                         "book.xlsx: sheet S)");
    cb_dataset_builder_free(b);

    /* a bad schema names its row and column */
    static const char *const s_bad[] = {"projects", "x", "int"};
    b = cb_dataset_builder_new("book.xlsx");
    ASSERT_EQ_INT(feed_text(b, "schema", "book.xlsx: sheet S", 3, s_cols, 1, s_bad, NULL, &e),
                  CB_EDATA);
    ASSERT_EQ_STR(e.msg, "book.xlsx: sheet S, row 2, column \"type\": type must be \"number\" "
                         "or \"text\", got \"int\"");
    cb_dataset_builder_free(b);

    /* a row outside a table, a table left open */
    b = cb_dataset_builder_new("book.xlsx");
    cb_value cells[2] = {{CB_T_TEXT, 0, "a"}, {CB_T_TEXT, 0, "b"}};
    ASSERT_EQ_INT(cb_dataset_builder_row(b, cells, 1, &e), CB_EDATA);
    cb_dataset_builder_free(b);
    b = cb_dataset_builder_new("book.xlsx");
    ASSERT_EQ_INT(cb_dataset_builder_table(b, "counties", "book.xlsx: sheet 1", 2, ok, &e),
                  CB_OK);
    cb_dataset ds;
    ASSERT_EQ_INT(cb_dataset_builder_finish(b, &ds, &e), CB_EDATA);
    ASSERT_EQ_STR(e.msg, "book.xlsx: sheet 1: table \"counties\" was not ended");
    ASSERT(!ds.tables && !ds.dir);
}

TEST(builder_error_bad_cells)
{
    static const char *const ok[] = {"county_id", "name"};
    cb_error e = {0};
    cb_value bad[][2] = {
        {{CB_T_TEXT, 0, "0101"}, {CB_T_NUMBER, NAN, NULL}},
        {{CB_T_TEXT, 0, "0101"}, {CB_T_TEXT, 0, "\xff"}},
    };
    static const char *const want[] = {
        "b: c, row 4, column \"name\": not a finite number",
        "b: c, row 4, column \"name\": invalid UTF-8",
    };
    for (size_t i = 0; i < N_(bad); i++) {
        cb_dataset_builder *b = cb_dataset_builder_new("b");
        ASSERT_EQ_INT(cb_dataset_builder_table(b, "counties", "b: c", 2, ok, &e), CB_OK);
        int rc = cb_dataset_builder_row(b, bad[i], 4, &e);
        cb_dataset_builder_free(b);
        ASSERT_EQ_INT(rc, CB_EDATA);
        ASSERT_EQ_STR(e.msg, want[i]);
    }
}

TEST(builder_free_unfinished)
{
    /* LeakSanitizer (the -fsanitize=address build) reports anything left behind */
    static const char *const c_cols[] = {"county_id", "name"};
    static const char *const c_cells[] = {"0101", "Alpha", "0102", "Beta"};
    static const char *const s_cols[] = {"table", "column", "type"};
    static const char *const s_cells[] = {"projects", "amount", "number"};
    static const char *const p_cols[] = {"county_id", "amount", "note"};
    cb_error e = {0};
    cb_dataset_builder_free(NULL);
    cb_dataset_builder *b = cb_dataset_builder_new("book.xlsx");
    ASSERT_EQ_INT(feed_text(b, "counties", "book.xlsx: sheet counties", 2, c_cols, 2, c_cells,
                            NULL, &e), CB_OK);
    ASSERT_EQ_INT(feed_text(b, "schema", "book.xlsx: sheet schema", 3, s_cols, 1, s_cells, NULL,
                            &e), CB_OK);
    /* an open table with rows holding every kind of cell */
    ASSERT_EQ_INT(cb_dataset_builder_table(b, "projects", "book.xlsx: sheet projects", 3,
                                           p_cols, &e), CB_OK);
    for (size_t r = 0; r < 200; r++) {
        cb_value row[3] = {{CB_T_NUMBER, 101, NULL}, {CB_T_TEXT, 0, "1.5"},
                           {CB_T_TEXT, 0, "a note long enough to need its own memory"}};
        if (r % 3 == 0) row[2] = (cb_value){CB_T_NUMBER, (double)r, NULL};
        ASSERT_EQ_INT(cb_dataset_builder_row(b, row, r + 2, &e), CB_OK);
    }
    cb_dataset_builder_free(b);

    /* freed after an error in a row */
    b = cb_dataset_builder_new("book.xlsx");
    ASSERT_EQ_INT(feed_text(b, "schema", "book.xlsx: sheet schema", 3, s_cols, 1, s_cells, NULL,
                            &e), CB_OK);
    static const char *const p_bad[] = {"0101", "lots", "x"};
    ASSERT_EQ_INT(feed_text(b, "projects", "book.xlsx: sheet projects", 3, p_cols, 1, p_bad,
                            NULL, &e), CB_EDATA);
    cb_dataset_builder_free(b);

    /* tables waiting for the schema, freed before it comes */
    b = cb_dataset_builder_new("book.xlsx");
    ASSERT_EQ_INT(feed_text(b, "counties", "book.xlsx: sheet counties", 2, c_cols, 2, c_cells,
                            NULL, &e), CB_OK);
    ASSERT_EQ_INT(feed_text(b, "projects", "book.xlsx: sheet projects", 3, p_cols, 1, p_bad,
                            NULL, &e), CB_OK);
    cb_dataset_builder_free(b);
}

/* ---- rows kept on disk ---- */

/* Each county's rows of every table, and the whole table once all is focused, are those
 * of the dataset loaded whole. */
static void check_lazy_matches_with(const char *dir, const cb_data_opts *o, int *test_failed_)
{
    cb_dataset whole, lazy;
    cb_error e = {0};
    ASSERT_EQ_INT(cb_dataset_load(&whole, dir, &e), CB_OK);
    if (cb_dataset_load_with(&lazy, dir, o, &e) != CB_OK) {
        cb_dataset_free(&whole);
        TEST_FAIL_("lazy load of %s: %s", dir, e.msg);
    }
    ASSERT_EQ_INT(lazy.ntables, whole.ntables);
    ASSERT_EQ_INT(lazy.ncounties, whole.ncounties);
    ASSERT(lazy.county_digests != NULL);
    size_t on_disk = 0;
    for (size_t i = 0; i < lazy.ntables; i++) on_disk += (size_t)cb_table_on_disk(lazy.tables[i]);
    ASSERT(on_disk > 0);
    for (size_t k = 0; k < whole.ncounties; k++) {
        ASSERT_EQ_INT(cb_dataset_focus(&lazy, k, &e), CB_OK);
        for (size_t i = 0; i < whole.ntables; i++) {
            const cb_table *x = whole.tables[i], *y = lazy.tables[i];
            ASSERT_EQ_STR(x->name, y->name);
            for (size_t c = 0; c < x->ncols; c++) {
                ASSERT_EQ_INT(x->types[c], y->types[c]);
                ASSERT_EQ_INT(cb_table_column_empty(x, c), cb_table_column_empty(y, c));
            }
            const size_t *rx, *ry;
            size_t nx = cb_table_county_rows(x, k, &rx), ny = cb_table_county_rows(y, k, &ry);
            ASSERT_EQ_INT(nx, ny);
            for (size_t j = 0; j < nx; j++) {
                ASSERT_EQ_INT(x->lines[rx[j]], y->lines[ry[j]]);
                for (size_t c = 0; c < x->ncols; c++) {
                    const cb_value *u = cb_table_cell(x, rx[j], c), *v = cb_table_cell(y, ry[j], c);
                    if (u->type != v->type || u->num != v->num || !u->text != !v->text ||
                        (u->text && strcmp(u->text, v->text) != 0))
                        TEST_FAIL_("%s: %s line %zu column %s differs", dir, x->name, x->lines[rx[j]],
                                   x->cols[c]);
                }
            }
            /* another county's rows are not loaded */
            if (cb_table_on_disk(y) && whole.ncounties > 1)
                ASSERT_EQ_INT(cb_table_county_rows(y, (k + 1) % whole.ncounties, &ry), 0);
        }
    }
    ASSERT_EQ_INT(cb_dataset_focus_all(&lazy, &e), CB_OK);
    check_same_content(&whole, &lazy, test_failed_);
    cb_dataset_free(&whole);
    cb_dataset_free(&lazy);
}

static void check_lazy_matches(const char *dir, int *test_failed_)
{
    cb_data_opts o = {.lazy = 1};
    check_lazy_matches_with(dir, &o, test_failed_);
}

TEST(lazy_same_as_whole)
{
    check_lazy_matches(fixture("data_ok"), test_failed_);
    const char *ex = getenv("CB_EXAMPLES");
    char path[1024];
    snprintf(path, sizeof path, "%s/data", ex ? ex : "examples");
    check_lazy_matches(path, test_failed_);
    char tmp[] = "/tmp/cb-test-lazy-XXXXXX";
    ASSERT(mkdtemp(tmp));
    cb_error e = {0};
    ASSERT_EQ_INT(cb_synth_write(tmp, 40, 3, &e), CB_OK);
    check_lazy_matches(tmp, test_failed_);
    char cmd[1100];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmp);
    ASSERT_EQ_INT(system(cmd), 0);
}

/* A scratch folder (a mkdtemp template) holding files[0] = files[1], files[2] = files[3],
 * ... (name, text; NULL ends them). 1 on success. */
static int folder_with(char *tmp, const char *const *files)
{
    if (!mkdtemp(tmp)) return 0;
    for (size_t i = 0; files[i]; i += 2) {
        char path[1200];
        snprintf(path, sizeof path, "%s/%s", tmp, files[i]);
        FILE *f = fopen(path, "w");
        if (!f) return 0;
        fputs(files[i + 1], f);
        if (fclose(f) != 0) return 0;
    }
    return 1;
}

static void remove_folder(const char *tmp)
{
    char cmd[1100];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmp);
    if (system(cmd) != 0) fprintf(stderr, "could not remove %s\n", tmp);
}

/* The typing and partitioning rules at their edges, loaded whole and with the partitioned
 * tables kept on disk, with and without a schema: the same types (numbers with thousands
 * separators and full-width digits, percentages, blanks, mixed and empty columns), the
 * same cells and lines, and the same rows of each county in the same order (interleaved
 * counties, rows of no county, a county without rows, ids with leading zeros). */
TEST(lazy_same_as_whole_edge_cases)
{
    static const char *const counties =
        "county_id,name,pop\n0101,甲县,\"1,234\"\n0102,乙县,\n0103,丙县,７８\n";
    static const char *const figures =
        "county_id,amount,share,mixed,blank,fw,exp,code\n"
        "0102,\"1,234,567\",12%,1,,１，２３４,1e3,007\n"
        "0101,１２３．５,3.5%,two,,－５,-2.5E-2,010\n"
        ",7,,3,,,,\n"
        "0102,\" 42 \",0%,,,＋６,0,\n"
        "0101,−5,,4.5,,,1E+2,011\n"
        "0102,,\"1,5%\",x y,,,,012\n";
    static const char *const shared = "kind,rate\na,\"1,000\"\nb,\nc,2.5\n";
    static const char *const schema = "table,column,type\nfigures,code,text\nfigures,share,text\n";
    for (int with_schema = 0; with_schema < 2; with_schema++) {
        char tmp[] = "/tmp/cb-test-edges-XXXXXX";
        const char *files[] = {"counties.csv", counties, "figures.csv", figures, "shared.csv", shared,
                               with_schema ? "schema.csv" : NULL, schema, NULL};
        ASSERT(folder_with(tmp, files));
        check_lazy_matches(tmp, test_failed_);
        cb_dataset ds;
        cb_error e = {0};
        ASSERT_EQ_INT(cb_dataset_load(&ds, tmp, &e), CB_OK);
        const cb_table *t = cb_dataset_table(&ds, "figures");
        /* the rules themselves, so that both agreeing on something else fails */
        static const char *const cols[] = {"amount", "share", "mixed", "blank", "fw", "exp", "code"};
        const cb_type want[] = {CB_T_NUMBER, CB_T_TEXT, CB_T_TEXT, CB_T_NUMBER, CB_T_NUMBER,
                                CB_T_NUMBER, with_schema ? CB_T_TEXT : CB_T_NUMBER};
        for (size_t i = 0; i < 7; i++) ASSERT_EQ_INT(t->types[cb_table_col(t, cols[i])], want[i]);
        const size_t *rows;
        ASSERT_EQ_INT(cb_table_county_rows(t, 1, &rows), 3); /* 0102: lines 2, 5, 7 */
        ASSERT_EQ_INT(t->lines[rows[0]] * 100 + t->lines[rows[1]] * 10 + t->lines[rows[2]], 257);
        ASSERT_EQ_INT(cb_table_county_rows(t, 2, &rows), 0);
        int amount = cb_table_col(t, "amount"), fw = cb_table_col(t, "fw");
        ASSERT(cb_table_cell(t, 0, (size_t)amount)->num == 1234567);
        ASSERT(cb_table_cell(t, 3, (size_t)amount)->num == 42);
        ASSERT(cb_table_cell(t, 0, (size_t)fw)->num == 1234 && cb_table_cell(t, 1, (size_t)fw)->num == -5);
        cb_dataset_free(&ds);
        remove_folder(tmp);
    }
}

/* Folders with two errors each: loaded whole and with the partitioned tables on disk, the
 * same error comes first (an error in typing before one in partitioning, whatever their
 * rows or tables; the files in the same order). */
TEST(lazy_same_first_error)
{
    static const char *const counties = "county_id,name\n1,A\n2,B\n";
    static const char *const cases[][8] = {
        /* an unknown county on row 2, a NaN among the numbers of an inferred column on 3 */
        {"projects.csv", "county_id,amount\n9,5\n1,NaN\n2,6\n"},
        /* the same with a declared column: "x" is no number */
        {"projects.csv", "county_id,amount\n9,5\n1,x\n", "schema.csv",
         "table,column,type\nprojects,amount,number\n"},
        /* an unknown county in one table, bad typing in a later one */
        {"alpha.csv", "county_id,v\n7,1\n", "zeta.csv", "county_id,v\n1,x\n", "schema.csv",
         "table,column,type\nzeta,v,number\n"},
        /* a table on disk and a table loaded whole, both badly typed */
        {"alpha.csv", "county_id,v\n1,x\n", "zeta.csv", "k,v\na,y\n", "schema.csv",
         "table,column,type\nalpha,v,number\nzeta,v,number\n"},
        /* a table sorted before the counties, and the counties, both badly typed */
        {"allocations.csv", "county_id,v\n1,x\n", "counties.csv", "county_id,name,pop\n1,A,y\n",
         "schema.csv", "table,column,type\nallocations,v,number\ncounties,pop,number\n"},
        /* a duplicate county_id, and a table badly typed */
        {"counties.csv", "county_id,name\n1,A\n1,B\n", "projects.csv", "county_id,v\n1,x\n",
         "schema.csv", "table,column,type\nprojects,v,number\n"},
        /* no schema: NaN among numbers in a table on disk and in a table loaded whole */
        {"alpha.csv", "county_id,v\n1,1\n2,inf\n", "beta.csv", "k,v\na,1\nb,NaN\n"},
    };
    int differ = 0;
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        char tmp[] = "/tmp/cb-test-first-XXXXXX";
        const char *files[12] = {"counties.csv", counties};
        size_t n = 2;
        for (size_t k = 0; k < 8 && cases[i][k]; k += 2) {
            size_t at = strcmp(cases[i][k], "counties.csv") == 0 ? 0 : n;
            files[at] = cases[i][k];
            files[at + 1] = cases[i][k + 1];
            if (at == n) n += 2;
        }
        files[n] = NULL;
        ASSERT(folder_with(tmp, files));
        cb_dataset whole, lazy;
        cb_error ew = {0}, el = {0};
        int rw = cb_dataset_load(&whole, tmp, &ew), rl = cb_dataset_load_lazy(&lazy, tmp, &el);
        if (rw == CB_OK) cb_dataset_free(&whole);
        if (rl == CB_OK) cb_dataset_free(&lazy);
        remove_folder(tmp);
        if (rw != CB_EDATA || rl != CB_EDATA || strcmp(ew.msg + strlen(tmp), el.msg + strlen(tmp)) != 0) {
            fprintf(stderr, "case %zu: loaded whole: \"%s\"; on disk: \"%s\"\n", i, ew.msg, el.msg);
            differ++;
        }
    }
    ASSERT_EQ_INT(differ, 0);
}

/* Tables read through the persistent index (dataindex.h) are those of a scan: the same
 * rows, lines, types and digests, from the folder's index and from the cache's. */
TEST(index_same_as_scan)
{
    char tmp[] = "/tmp/cb-test-index-XXXXXX", cache[64];
    ASSERT(mkdtemp(tmp));
    snprintf(cache, sizeof cache, "%s/cache", tmp);
    char *xdg = getenv("XDG_CACHE_HOME") ? strdup(getenv("XDG_CACHE_HOME")) : NULL;
    setenv("XDG_CACHE_HOME", cache, 1);
    char data[64];
    snprintf(data, sizeof data, "%s/data", tmp);
    cb_error e = {0};
    ASSERT_EQ_INT(cb_synth_write(data, 40, 3, &e), CB_OK);
    cb_dataset scan, used;
    cb_data_opts w = {.lazy = 1, .index = CB_INDEX_WRITE, .clash_candidates = cb_output_clash_candidates};
    cb_data_opts u = {.lazy = 1, .index = CB_INDEX_USE, .clash_candidates = cb_output_clash_candidates};
    cb_data_opts bare = {.lazy = 1, .index = CB_INDEX_WRITE}; /* no clash candidates: no index */
    ASSERT_EQ_INT(cb_dataset_load_with(&scan, data, &bare, &e), CB_EUSAGE);
    ASSERT_EQ_INT(cb_dataset_load_with(&scan, data, &w, &e), CB_OK);
    ASSERT(scan.index == NULL);
    ASSERT_EQ_INT(cb_dataset_load_with(&used, data, &u, &e), CB_OK);
    ASSERT(used.index != NULL);
    ASSERT_EQ_INT(used.ncounties, scan.ncounties);
    ASSERT(memcmp(used.county_digests, scan.county_digests, 32 * scan.ncounties) == 0);
    cb_dataset_free(&scan);
    cb_dataset_free(&used);
    check_lazy_matches_with(data, &u, test_failed_); /* the folder's */
    char ix[96];
    snprintf(ix, sizeof ix, "%s/.countybrief-index", data);
    ASSERT_EQ_INT(unlink(ix), 0);
    ASSERT_EQ_INT(cb_dataset_load_with(&scan, data, &u, &e), CB_OK); /* saves the cache's */
    ASSERT(scan.index == NULL);
    cb_dataset_free(&scan);
    check_lazy_matches_with(data, &u, test_failed_); /* the cache's */
    ASSERT_EQ_INT(cb_dataset_load_with(&used, data, &u, &e), CB_OK);
    ASSERT(used.index != NULL);
    cb_dataset_free(&used);
    if (xdg) setenv("XDG_CACHE_HOME", xdg, 1);
    else unsetenv("XDG_CACHE_HOME");
    free(xdg);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmp);
    ASSERT_EQ_INT(system(cmd), 0);
}

/* Every prefix of an index and every byte of it changed is refused, never read past. */
TEST(index_damage_refused)
{
    char tmp[] = "/tmp/cb-test-index-XXXXXX";
    ASSERT(mkdtemp(tmp));
    cb_error e = {0};
    ASSERT_EQ_INT(cb_synth_write(tmp, 3, 5, &e), CB_OK);
    cb_dataset ds;
    cb_data_opts w = {.lazy = 1, .index = CB_INDEX_WRITE, .clash_candidates = cb_output_clash_candidates};
    ASSERT_EQ_INT(cb_dataset_load_with(&ds, tmp, &w, &e), CB_OK);
    cb_dataset_free(&ds);
    char path[96], bad[96];
    snprintf(path, sizeof path, "%s/.countybrief-index", tmp);
    snprintf(bad, sizeof bad, "%s/bad", tmp);
    size_t len = 0;
    char *good = cb_read_file(path, &len, &e);
    ASSERT(good != NULL && len > 64);
    cb_dix ix;
    ASSERT_EQ_INT(cb_dix_open(path, UINT64_MAX, &ix, &e), CB_OK);
    cb_dix_close(&ix);
    for (size_t n = 0; n < len; n += n < 64 ? 1 : 7) {
        FILE *f = fopen(bad, "wb");
        ASSERT(f && fwrite(good, 1, n, f) == n && fclose(f) == 0);
        int r = cb_dix_open(bad, UINT64_MAX, &ix, &e);
        if (r == CB_OK) TEST_FAIL_("a prefix of %zu of %zu bytes was accepted", n, len);
    }
    for (size_t i = 0; i < len; i += i < 64 ? 1 : 5) {
        good[i] ^= 0x5a;
        FILE *f = fopen(bad, "wb");
        ASSERT(f && fwrite(good, 1, len, f) == len && fclose(f) == 0);
        good[i] ^= 0x5a;
        int r = cb_dix_open(bad, UINT64_MAX, &ix, &e), used = r == CB_OK;
        /* or refused where it is used: a county's share is checked then */
        for (size_t c = 0; used && r == CB_OK && c < ix.ncounties; c++)
            if (cb_dix_county_check(&ix, c)) r = CB_DIX_CORRUPT;
        if (used) cb_dix_close(&ix);
        if (r == CB_OK) TEST_FAIL_("byte %zu of %zu changed was accepted", i, len);
    }
    ASSERT_EQ_INT(cb_dix_open(path, 16, &ix, &e), CB_DIX_CORRUPT); /* larger than allowed */
    ASSERT(strstr(e.msg, "corrupt (larger than the data could need)") != NULL);
    free(good);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmp);
    ASSERT_EQ_INT(system(cmd), 0);
}

/* Counties read from the index are made a row at a time, when first used: looking a county
 * up by id, its id and name, touch no row; every cell is what the scan gave; a damaged row
 * fails its own county only, not the index. */
TEST(index_counties_on_first_use)
{
    char tmp[] = "/tmp/cb-test-rows-XXXXXX";
    ASSERT(mkdtemp(tmp));
    cb_error e = {0};
    ASSERT_EQ_INT(cb_synth_write(tmp, 40, 5, &e), CB_OK);
    cb_dataset a, b;
    cb_data_opts w = {.lazy = 1, .index = CB_INDEX_WRITE, .clash_candidates = cb_output_clash_candidates};
    cb_data_opts u = {.lazy = 1, .index = CB_INDEX_USE, .clash_candidates = cb_output_clash_candidates};
    ASSERT_EQ_INT(cb_dataset_load_with(&a, tmp, &w, &e), CB_OK);
    ASSERT_EQ_INT(cb_dataset_load_with(&b, tmp, &u, &e), CB_OK);
    ASSERT(b.index != NULL && b.counties->made != NULL && a.counties->made == NULL);
    ASSERT_EQ_INT((int)b.ncounties, 40);
    for (size_t c = 0; c < a.ncounties; c++) {
        ASSERT_EQ_INT((int)cb_dataset_find_county(&b, cb_county_id(&a, c)), (int)c);
        ASSERT_EQ_STR(cb_county_name(&b, c), cb_county_name(&a, c));
    }
    for (size_t c = 0; c < b.ncounties; c++) ASSERT(!b.counties->made[c]);
    for (size_t r = 0; r < a.ncounties; r++)
        for (size_t k = 0; k < a.counties->ncols; k++) {
            const cb_value *x = cb_table_cell(a.counties, r, k), *y = cb_table_cell(b.counties, r, k);
            ASSERT_EQ_INT(x->type, y->type);
            if (x->type == CB_T_NUMBER) ASSERT(x->num == y->num);
            if (x->type == CB_T_TEXT) ASSERT_EQ_STR(x->text, y->text);
        }
    /* county 7's name damaged in the index: the index opens, county 7 alone is refused */
    char path[96], *name = cb_xstrdup(cb_county_name(&a, 7));
    cb_dataset_free(&a);
    cb_dataset_free(&b);
    snprintf(path, sizeof path, "%s/.countybrief-index", tmp);
    size_t len = 0;
    char *text = cb_read_file(path, &len, &e), *at = NULL;
    ASSERT(text != NULL);
    for (size_t i = 0; i + strlen(name) < len && !at; i++)
        if (memcmp(text + i, name, strlen(name) + 1) == 0) at = text + i;
    ASSERT(at != NULL);
    at[0] ^= 0x01;
    FILE *f = fopen(path, "wb");
    ASSERT(f && fwrite(text, 1, len, f) == len && fclose(f) == 0);
    cb_dix ix;
    ASSERT_EQ_INT(cb_dix_open(path, UINT64_MAX, &ix, &e), CB_OK);
    for (size_t c = 0; c < ix.ncounties; c++)
        ASSERT(c == 7 ? cb_dix_county_check(&ix, c) != NULL : cb_dix_county_check(&ix, c) == NULL);
    cb_dix_close(&ix);
    free(text);
    free(name);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmp);
    ASSERT_EQ_INT(system(cmd), 0);
}

TEST(lazy_digests_and_changed_file)
{
    char tmp[] = "/tmp/cb-test-lazy-XXXXXX";
    ASSERT(mkdtemp(tmp));
    cb_error e = {0};
    ASSERT_EQ_INT(cb_synth_write(tmp, 5, 9, &e), CB_OK);
    cb_dataset a, b;
    ASSERT_EQ_INT(cb_dataset_load_lazy(&a, tmp, &e), CB_OK);
    ASSERT_EQ_INT(cb_dataset_load_lazy(&b, tmp, &e), CB_OK);
    /* the same files give the same digests; counties differ from each other */
    ASSERT(memcmp(a.county_digests, b.county_digests, 32 * a.ncounties) == 0);
    ASSERT(memcmp(a.county_digests, a.county_digests + 32, 32) != 0);
    /* a file rewritten after the index: focusing says so, naming it */
    char path[1100];
    snprintf(path, sizeof path, "%s/projects.csv", tmp);
    FILE *fp = fopen(path, "a");
    ASSERT(fp != NULL);
    fputs("\n", fp);
    fclose(fp);
    ASSERT_EQ_INT(cb_dataset_focus(&a, 0, &e), CB_EIO);
    ASSERT(strstr(e.msg, "projects.csv: the file changed") != NULL);
    cb_dataset_free(&a);
    cb_dataset_free(&b);
    char cmd[1100];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmp);
    ASSERT_EQ_INT(system(cmd), 0);
}

/* ---- the folder's files: links, odd files, encodings, headers ---- */

/* Runs a shell command built like printf; 1 if it exited 0. */
static int shell(const char *fmt, const char *a, const char *b)
{
    char cmd[4096];
    snprintf(cmd, sizeof cmd, fmt, a, b);
    return system(cmd) == 0;
}

/* The dataset's warnings (warning = 1) or notes (0) that contain `text`. */
static size_t notes_with(const cb_dataset *ds, int warning, const char *text)
{
    size_t n = 0;
    for (size_t i = 0; i < ds->nnotes; i++)
        n += ds->notes[i].warning == warning && strstr(ds->notes[i].msg, text) != NULL;
    return n;
}

/* A scratch folder: tmp (a mkdtemp template) made, synthetic data of n counties written
 * to dir = tmp/data, other = tmp/<name> for the test's use. 1 on success. */
static int scratch(char *tmp, char *dir, char *other, const char *name, size_t n)
{
    cb_error e;
    if (!mkdtemp(tmp)) return 0;
    snprintf(dir, 1100, "%s/data", tmp);
    snprintf(other, 1100, "%s/%s", tmp, name);
    return cb_synth_write(dir, n, 5, &e) == CB_OK;
}

TEST(folder_links_and_odd_files)
{
    char tmp[] = "/tmp/cb-test-files-XXXXXX", dir[1100], out[1100];
    ASSERT(scratch(tmp, dir, out, "outside.csv", 3));
    cb_error e = {0};
    ASSERT(shell("printf 'k,v\\nsecret,1\\n' > '%s' && cd '%s' && ln -s projects.csv again.csv",
                 out, dir));
    ASSERT(shell("ln -s '%s' '%s/secrets.csv'", out, dir));
    ASSERT(shell("mkfifo '%s/pipe.csv' && mkdir '%s/folder.csv'", dir, dir));
    cb_data_opts o = {0};
    for (int lazy = 0; lazy < 2; lazy++) {
        o.lazy = lazy;
        cb_dataset ds;
        ASSERT_EQ_INT(cb_dataset_load_with(&ds, dir, &o, &e), CB_OK);
        ASSERT(cb_dataset_table(&ds, "secrets") == NULL);
        ASSERT(cb_dataset_table(&ds, "again") != NULL); /* a link inside the folder */
        ASSERT(cb_dataset_table(&ds, "pipe") == NULL);
        ASSERT_EQ_INT(notes_with(&ds, 1, "secrets.csv: skipped: a link to "), 1);
        ASSERT_EQ_INT(notes_with(&ds, 1, "outside the data folder"), 1);
        ASSERT_EQ_INT(notes_with(&ds, 1, "pipe.csv: skipped: a named pipe (FIFO)"), 1);
        ASSERT_EQ_INT(notes_with(&ds, 1, "folder.csv: skipped: a folder"), 1);
        cb_dataset_free(&ds);
    }
    o.follow_links = 1;
    cb_dataset ds;
    ASSERT_EQ_INT(cb_dataset_load_with(&ds, dir, &o, &e), CB_OK);
    ASSERT(cb_dataset_table(&ds, "secrets") != NULL);
    ASSERT_EQ_INT(notes_with(&ds, 1, "secrets.csv"), 0);
    cb_dataset_free(&ds);
    /* a dangling link is an error naming it, eager or not */
    ASSERT(shell("cd '%s' && rm again.csv projects.csv && ln -s gone.csv projects.csv%s", dir, ""));
    for (int lazy = 0; lazy < 2; lazy++) {
        o.lazy = lazy;
        ASSERT_EQ_INT(cb_dataset_load_with(&ds, dir, &o, &e), CB_EIO);
        ASSERT_CONTAINS(e.msg, "projects.csv: a link to gone.csv, which does not exist");
    }
    ASSERT(shell("rm -rf '%s' '%s'", tmp, tmp));
}

/* A copy of folder `from` in `to` with `files` (a shell glob) converted by `iconv ARGS`. */
static int convert_folder(const char *from, const char *to, const char *files,
                          const char *args)
{
    char *cmd = cb_xasprintf("rm -rf '%s' && cp -r '%s' '%s' && cd '%s' && for f in %s; do "
                             "iconv %s < \"$f\" > \"$f.x\" && mv \"$f.x\" \"$f\" || exit 1; done",
                             to, from, to, to, files, args);
    int ok = system(cmd) == 0;
    free(cmd);
    return ok;
}

TEST(encodings_same_content)
{
    char tmp[] = "/tmp/cb-test-enc-XXXXXX", dir[1100], conv[1100];
    ASSERT(scratch(tmp, dir, conv, "conv", 12));
    cb_error e = {0};
    cb_dataset whole, other;
    ASSERT_EQ_INT(cb_dataset_load(&whole, dir, &e), CB_OK);
    static const struct { const char *files, *args, *as; size_t notes; } cases[] = {
        {"*.csv", "-f UTF-8 -t GB18030", "GB18030", 0}, /* found per file */
        {"projects.csv counties.csv", "-f UTF-8 -t UTF-16", "UTF-16", 2}, /* with a BOM */
    };
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        ASSERT(convert_folder(dir, conv, cases[k].files, cases[k].args));
        for (int lazy = 0; lazy < 2; lazy++) {
            cb_data_opts o = {.lazy = lazy};
            if (cb_dataset_load_with(&other, conv, &o, &e) != CB_OK)
                TEST_FAIL_("%s: %s", cases[k].as, e.msg);
            if (lazy) ASSERT_EQ_INT(cb_dataset_focus_all(&other, &e), CB_OK);
            check_same_content(&whole, &other, test_failed_);
            size_t notes = notes_with(&other, 0, "is not UTF-8; read as ");
            ASSERT(k == 0 ? notes > 2 : notes == cases[k].notes); /* ASCII files need none */
            cb_dataset_free(&other);
        }
        check_lazy_matches(conv, test_failed_);
    }
    /* --encoding: every file, no note; a file that is not in it says where */
    cb_data_opts o = {.lazy = 1, .encoding = "GB18030"};
    ASSERT(convert_folder(dir, conv, "*.csv", "-f UTF-8 -t GB18030"));
    ASSERT_EQ_INT(cb_dataset_load_with(&other, conv, &o, &e), CB_OK);
    ASSERT_EQ_INT(other.nnotes, 0);
    cb_dataset_free(&other);
    o.encoding = "UTF-16LE";
    ASSERT(cb_dataset_load_with(&other, conv, &o, &e) != CB_OK);
    o.encoding = "NO-SUCH-ENCODING";
    ASSERT_EQ_INT(cb_dataset_load_with(&other, conv, &o, &e), CB_EUSAGE);
    ASSERT_CONTAINS(e.msg, "--encoding NO-SUCH-ENCODING");
    cb_dataset_free(&whole);
    char cmd[1100];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmp);
    ASSERT_EQ_INT(system(cmd), 0);
}

TEST(header_capped_and_checked_linearly)
{
    enum { N = 16385 };
    char **cols = malloc(N * sizeof *cols);
    ASSERT(cols != NULL);
    for (size_t i = 0; i < N; i++) {
        cols[i] = malloc(16);
        snprintf(cols[i], 16, "c%zu", i);
    }
    cb_error e = {0};
    cb_dataset_builder *b = cb_dataset_builder_new("wide.xlsx");
    ASSERT_EQ_INT(cb_dataset_builder_table(b, "wide", "wide.xlsx: sheet wide", N,
                                           (const char *const *)cols, &e), CB_EDATA);
    ASSERT_EQ_STR(e.msg, "wide.xlsx: sheet wide: 16385 columns; at most 16384");
    cb_dataset_builder_free(b);
    /* 16,384 columns, the last a repeat of one near the start */
    snprintf(cols[N - 2], 16, "c7");
    b = cb_dataset_builder_new("wide.xlsx");
    ASSERT_EQ_INT(cb_dataset_builder_table(b, "wide", NULL, N - 1, (const char *const *)cols,
                                           &e), CB_EDATA);
    ASSERT_EQ_STR(e.msg, "wide: duplicate column \"c7\"");
    cb_dataset_builder_free(b);
    for (size_t i = 0; i < N; i++) free(cols[i]);
    free(cols);
}

static const test_case tests[] = {
    TEST_ENTRY(number_accepted),
    TEST_ENTRY(number_rejected),
    TEST_ENTRY(tables_listed_and_sorted),
    TEST_ENTRY(counties_and_find),
    TEST_ENTRY(projects_types_and_values),
    TEST_ENTRY(partitions),
    TEST_ENTRY(many_counties),
    TEST_ENTRY(error_missing_folder),
    TEST_ENTRY(error_missing_counties),
    TEST_ENTRY(error_text_in_number_column),
    TEST_ENTRY(error_unknown_county),
    TEST_ENTRY(error_ragged_row),
    TEST_ENTRY(error_duplicate_header),
    TEST_ENTRY(error_counties),
    TEST_ENTRY(error_schema_type),
    TEST_ENTRY(error_from_csv_and_empty_file),
    TEST_ENTRY(builder_same_as_csv),
    TEST_ENTRY(builder_schema_last),
    TEST_ENTRY(builder_error_text_in_number_column),
    TEST_ENTRY(builder_number_cells_in_text_columns),
    TEST_ENTRY(builder_error_counties),
    TEST_ENTRY(builder_error_columns_and_tables),
    TEST_ENTRY(builder_error_bad_cells),
    TEST_ENTRY(builder_free_unfinished),
    TEST_ENTRY(lazy_same_as_whole),
    TEST_ENTRY(lazy_same_as_whole_edge_cases),
    TEST_ENTRY(lazy_same_first_error),
    TEST_ENTRY(index_same_as_scan),
    TEST_ENTRY(index_damage_refused),
    TEST_ENTRY(index_counties_on_first_use),
    TEST_ENTRY(lazy_digests_and_changed_file),
    TEST_ENTRY(folder_links_and_odd_files),
    TEST_ENTRY(encodings_same_content),
    TEST_ENTRY(header_capped_and_checked_linearly),
    {0},
};

TEST_MAIN(tests)
