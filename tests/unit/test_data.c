/* test_data.c: data folders (tests/fixtures/, from $CB_TEST_DATA) and number parsing. */
#define _POSIX_C_SOURCE 200809L /* mkdtemp */

#include <stdlib.h>

#include "data.h"
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
        "", " ", "nan", "NaN", "inf", "-inf", "Infinity", "0x1A", "0X10", "1,000", "1 000",
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
    {0},
};

TEST_MAIN(tests)
