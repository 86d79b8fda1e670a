/* test_infer.c: column types inferred for a source that hands over rows (a workbook, a
 * database), where no schema declares them: "NaN" or "Inf" among text is text; among
 * numbers it is a figure with a hole, an error naming the cell. */
#include <string.h>

#include "data.h"
#include "test.h"

/* A workbook-like dataset: counties, and table t (county_id, v) with the given v cells. */
static int build(cb_dataset *ds, const char *const *v, size_t n, cb_error *err)
{
    static const char *const ccols[] = {"county_id", "name"};
    static const char *const tcols[] = {"county_id", "v"};
    cb_dataset_builder *b = cb_dataset_builder_new("book.xlsx");
    int rc = cb_dataset_builder_table(b, "counties", "book.xlsx: sheet counties", 2, ccols, err);
    cb_value row[2] = {{CB_T_TEXT, 0, "0101"}, {CB_T_TEXT, 0, "Alpha"}};
    if (rc == CB_OK) rc = cb_dataset_builder_row(b, row, 2, err);
    if (rc == CB_OK) rc = cb_dataset_builder_end_table(b, err);
    if (rc == CB_OK) rc = cb_dataset_builder_table(b, "t", "book.xlsx: sheet t", 2, tcols, err);
    for (size_t r = 0; r < n && rc == CB_OK; r++) {
        cb_value cells[2] = {{CB_T_TEXT, 0, "0101"}, {CB_T_TEXT, 0, v[r]}};
        rc = cb_dataset_builder_row(b, cells, r + 2, err);
    }
    if (rc == CB_OK) rc = cb_dataset_builder_end_table(b, err);
    if (rc != CB_OK) {
        cb_dataset_builder_free(b);
        memset(ds, 0, sizeof *ds);
        return rc;
    }
    return cb_dataset_builder_finish(b, ds, err);
}

TEST(nan_among_text_is_text)
{
    static const char *const v[] = {"NaN", "road", "Inf", "school"}; /* NaN first: seen before the text */
    cb_dataset ds;
    cb_error e;
    ASSERT_EQ_INT(build(&ds, v, 4, &e), CB_OK);
    const cb_table *t = cb_dataset_table(&ds, "t");
    ASSERT(t != NULL);
    if (t) {
        int c = cb_table_col(t, "v");
        ASSERT_EQ_INT(t->types[c], CB_T_TEXT);
        ASSERT_EQ_STR(cb_table_cell(t, 0, (size_t)c)->text, "NaN");
    }
    cb_dataset_free(&ds);
}

TEST(nan_among_numbers_is_an_error)
{
    static const char *const v[] = {"12", "NaN", "3.5"};
    cb_dataset ds;
    cb_error e;
    ASSERT_EQ_INT(build(&ds, v, 3, &e), CB_EDATA);
    ASSERT_CONTAINS(e.msg, "book.xlsx: sheet t");
    ASSERT_CONTAINS(e.msg, "NaN");
}

TEST(numbers_are_numbers)
{
    static const char *const v[] = {"12", "", "3.5"};
    cb_dataset ds;
    cb_error e;
    ASSERT_EQ_INT(build(&ds, v, 3, &e), CB_OK);
    const cb_table *t = cb_dataset_table(&ds, "t");
    ASSERT(t != NULL);
    if (t) ASSERT_EQ_INT(t->types[cb_table_col(t, "v")], CB_T_NUMBER);
    cb_dataset_free(&ds);
}

static const test_case tests[] = {
    TEST_ENTRY(nan_among_text_is_text),
    TEST_ENTRY(nan_among_numbers_is_an_error),
    TEST_ENTRY(numbers_are_numbers),
    {0},
};

TEST_MAIN(tests)
