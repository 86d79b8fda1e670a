/* test_cover_csvread.c: core/csvread.c branch by branch (tests/README.md, coverage): the
 * limits of a record, a quote left open on a huge field, errors inside a record, the
 * separator sniffer's line ends. */
#include <stdlib.h>

#include "csvread.h"
#include "test.h"

/* Counts records and their fields. */
typedef struct tally {
    int records;
    size_t fields;
} tally;

static int tally_fn(void *ud, const cb_csv_record *rec, cb_error *err)
{
    (void)err;
    tally *t = ud;
    t->records++;
    t->fields += rec->nfields;
    return CB_OK;
}

/* A record of 33 fields of 1,000,000 bytes each: every field is within its 1 MiB, the
 * record is over its 32 MiB, refused at the field that passes it, naming the line. */
TEST(record_over_32_mib)
{
    size_t field = 1000000, nf = 40;
    cb_buf b = {0};
    cb_buf_adds(&b, "id\n");
    char *f = malloc(field);
    memset(f, 'x', field);
    for (size_t i = 0; i < nf; i++) {
        if (i) cb_buf_add(&b, ",", 1);
        cb_buf_add(&b, f, field);
    }
    cb_buf_adds(&b, "\n");
    free(f);
    tally t = {0};
    cb_error e;
    ASSERT_EQ_INT(cb_csv_parse("big.csv", b.s, b.len, tally_fn, &t, &e), CB_EDATA);
    ASSERT_EQ_STR(e.msg, "big.csv:2: row longer than 32 MiB");
    ASSERT_EQ_INT(t.records, 1); /* the header only */
    /* 33 such fields (33,000,000 bytes, under 32 MiB = 33,554,432) are read */
    b.len = 3 + 33 * (field + 1) - 1;
    cb_buf_adds(&b, "\n");
    t = (tally){0};
    ASSERT_EQ_INT(cb_csv_parse("big.csv", b.s, b.len, tally_fn, &t, &e), CB_OK);
    ASSERT_EQ_INT(t.records, 2);
    ASSERT_EQ_INT(t.fields, 34);
    cb_buf_free(&b);
}

/* A quote opened and never closed before 1 MiB: caught while reading, with the hint. */
TEST(open_quote_over_1_mib)
{
    size_t n = (1u << 20) + 100;
    char *s = malloc(n + 8);
    memcpy(s, "a\n\"", 3);
    memset(s + 3, 'y', n);
    tally t = {0};
    cb_error e;
    ASSERT_EQ_INT(cb_csv_parse("q.csv", s, n + 3, tally_fn, &t, &e), CB_EDATA);
    ASSERT_EQ_STR(e.msg, "q.csv:2:1: field longer than 1 MiB (is a quote left open?)");
    /* unquoted, the same length has no hint */
    s[2] = 'y';
    ASSERT_EQ_INT(cb_csv_parse("q.csv", s, n + 3, tally_fn, &t, &e), CB_EDATA);
    ASSERT_EQ_STR(e.msg, "q.csv:2:1: field longer than 1 MiB");
    free(s);
}

/* A field refused inside a record (a NUL byte, bytes that are not UTF-8) stops the parse
 * there: the record is not passed on, nor any after it. */
TEST(error_inside_a_record_stops_it)
{
    static const char nul[] = "a,b\nc,d\0e,f\ng,h\n";
    tally t = {0};
    cb_error e;
    cb_csv_opts o = {0, 0};
    ASSERT_EQ_INT(cb_csv_parse_with("n.csv", nul, sizeof nul - 1, &o, tally_fn, &t, &e), CB_EDATA);
    ASSERT_CONTAINS(e.msg, "n.csv:2:2: NUL byte: not CSV text");
    ASSERT_EQ_INT(o.not_utf8, 0);
    ASSERT_EQ_INT(t.records, 1);
    static const char bad[] = "a,b\n\xff,d\ng,h\n";
    t = (tally){0};
    ASSERT_EQ_INT(cb_csv_parse_with("u.csv", bad, sizeof bad - 1, &o, tally_fn, &t, &e), CB_EDATA);
    ASSERT_CONTAINS(e.msg, "u.csv:2:1: not UTF-8");
    ASSERT_EQ_INT(o.not_utf8, 1);
    ASSERT_EQ_INT(t.records, 1);
    /* a real U+FFFD is text; the bad byte after it is found on its line */
    static const char fffd[] = "a\n\"x\xEF\xBF\xBD\n\xC3\"\n";
    t = (tally){0};
    ASSERT_EQ_INT(cb_csv_parse("r.csv", fffd, sizeof fffd - 1, tally_fn, &t, &e), CB_EDATA);
    ASSERT_CONTAINS(e.msg, "r.csv:3:1: not UTF-8");
    ASSERT_EQ_INT(cb_csv_parse("r.csv", fffd, 8, tally_fn, &t, &e), CB_EDATA); /* open quote */
    ASSERT_CONTAINS(e.msg, "unterminated quoted field");
}

/* The sniffer: the first line that is not blank decides, whatever ends it (LF, CRLF, the
 * end of the data); a line of spaces and CRs is blank. */
TEST(sniff_line_ends)
{
    ASSERT_EQ_INT(cb_csv_sniff_delim("a\tb", 3), '\t');             /* no line end at all */
    ASSERT_EQ_INT(cb_csv_sniff_delim("ab", 2), ',');
    ASSERT_EQ_INT(cb_csv_sniff_delim(" \r\na\tb\r\n", 9), '\t');     /* " \r" is blank */
    ASSERT_EQ_INT(cb_csv_sniff_delim("\t\r\nx,y\n", 8), ',');       /* so is a lone tab */
    ASSERT_EQ_INT(cb_csv_sniff_delim("  \n \r\n", 6), ',');          /* all blank */
    ASSERT_EQ_INT(cb_csv_sniff_delim("\xEF\xBB\xBF" "a\tb", 6), '\t');
}

static const test_case tests[] = {
    TEST_ENTRY(record_over_32_mib),
    TEST_ENTRY(open_quote_over_1_mib),
    TEST_ENTRY(error_inside_a_record_stops_it),
    TEST_ENTRY(sniff_line_ends),
    {0},
};

TEST_MAIN(tests)
