/* test_mut_csv.c: CSV limits at their exact boundaries (mutants of tests/mutation/ that
 * the wider tests let through: a limit off by one). */
#include <stdlib.h>

#include "csvread.h"
#include "test.h"

static int count_fields(void *ud, const cb_csv_record *rec, cb_error *err)
{
    (void)err;
    *(size_t *)ud = rec->nfields;
    return CB_OK;
}

/* A one-line record of n fields "c0,c1,...". */
static cb_buf row_of(size_t n)
{
    cb_buf b = {0};
    for (size_t i = 0; i < n; i++) cb_buf_addf(&b, "%sc%zu", i ? "," : "", i);
    cb_buf_adds(&b, "\n");
    return b;
}

TEST(columns_at_the_cap_and_one_past)
{
    cb_error e;
    size_t got = 0;
    cb_buf at = row_of(CB_CSV_COLS_MAX), past = row_of(CB_CSV_COLS_MAX + 1);
    int rc_at = cb_csv_parse("t.csv", at.s, at.len, count_fields, &got, &e);
    size_t got_at = got;
    got = 0;
    int rc_past = cb_csv_parse("t.csv", past.s, past.len, count_fields, &got, &e);
    cb_buf_free(&at);
    cb_buf_free(&past);
    ASSERT_EQ_INT(rc_at, CB_OK);
    ASSERT_EQ_INT(got_at, CB_CSV_COLS_MAX);
    ASSERT_EQ_INT(rc_past, CB_EDATA);
    ASSERT_EQ_INT(got, 0);
    ASSERT_EQ_STR(e.msg, "t.csv:1: more than 16384 columns; at most 16384");
}

static const test_case tests[] = {
    TEST_ENTRY(columns_at_the_cap_and_one_past),
    {0},
};

TEST_MAIN(tests)
