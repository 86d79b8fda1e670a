/* test_csv.c: cb_csv_parse on in-memory input. */
#include <stdlib.h>

#include "csvread.h"
#include "test.h"

/* Records are rendered as "LINE:<field><field>\n" so a whole parse is one string compare. */
typedef struct collect {
    cb_buf out;
    int calls;
    int stop_after;   /* return an error from this call (1-based), 0 for never */
    int bad_terminator;
} collect;

static int collect_fn(void *ud, const cb_csv_record *rec, cb_error *err)
{
    collect *c = ud;
    c->calls++;
    cb_buf_addf(&c->out, "%zu:", rec->line);
    for (size_t i = 0; i < rec->nfields; i++) {
        if (rec->fields[i][rec->lens[i]] != '\0') c->bad_terminator = 1;
        cb_buf_adds(&c->out, "<");
        cb_buf_add(&c->out, rec->fields[i], rec->lens[i]);
        cb_buf_adds(&c->out, ">");
    }
    cb_buf_adds(&c->out, "\n");
    if (c->calls == c->stop_after) return cb_fail(err, CB_ESCRIPT, "stop at %zu", rec->line);
    return CB_OK;
}

/* Parses data (len bytes) as "t.csv"; returns the rendering in a static buffer. */
static const char *parse_n(const char *data, size_t len, int *rc, cb_error *err)
{
    static char out[4096];
    collect c = {0};
    err->code = CB_OK;
    err->msg[0] = '\0';
    *rc = cb_csv_parse("t.csv", data, len, collect_fn, &c, err);
    snprintf(out, sizeof out, "%s%s", c.out.s ? c.out.s : "", c.bad_terminator ? "[no NUL]" : "");
    cb_buf_free(&c.out);
    return out;
}

static const char *parse(const char *data, int *rc, cb_error *err)
{
    return parse_n(data, strlen(data), rc, err);
}

/* Parses and expects success with the given rendering. */
#define ASSERT_PARSES(data, expect)                                                        \
    do {                                                                                   \
        int rc_;                                                                           \
        cb_error e_;                                                                       \
        const char *got_ = parse((data), &rc_, &e_);                                       \
        if (rc_ != CB_OK) TEST_FAIL_("parse failed: %s", e_.msg);                          \
        ASSERT_EQ_STR(got_, (expect));                                                     \
    } while (0)

#define ASSERT_PREFIX(msg, prefix)                                                         \
    do {                                                                                   \
        if (strncmp((msg), (prefix), strlen(prefix)) != 0)                                 \
            TEST_FAIL_("message \"%s\" does not start with \"%s\"", (msg), (prefix));     \
    } while (0)

/* Parses and expects CB_EDATA with a message starting with prefix. */
#define ASSERT_FAILS(data, len, prefix)                                                    \
    do {                                                                                   \
        int rc_;                                                                           \
        cb_error e_;                                                                       \
        parse_n((data), (len), &rc_, &e_);                                                 \
        ASSERT_EQ_INT(rc_, CB_EDATA);                                                      \
        ASSERT_EQ_INT(e_.code, CB_EDATA);                                                  \
        ASSERT_PREFIX(e_.msg, (prefix));                                                   \
        ASSERT(!strchr(e_.msg, '\n'));                                                     \
    } while (0)
#define ASSERT_FAILS_S(data, prefix) ASSERT_FAILS((data), strlen(data), (prefix))

TEST(simple)
{
    ASSERT_PARSES("a,b,c\n1,2,3\n", "1:<a><b><c>\n2:<1><2><3>\n");
}

TEST(comma_in_quotes)
{
    ASSERT_PARSES("a,\"b,c\",d\n", "1:<a><b,c><d>\n");
}

TEST(escaped_quotes)
{
    ASSERT_PARSES("\"a \"\"quoted\"\" word\",x\n\"\"\"\"\n", "1:<a \"quoted\" word><x>\n2:<\">\n");
}

TEST(newlines_in_quotes)
{
    ASSERT_PARSES("a,\"x\ny\nz\"\nb,c\n", "1:<a><x\ny\nz>\n4:<b><c>\n");
}

TEST(empty_fields)
{
    /* `""` alone is a record of one empty field; a blank line is no record */
    ASSERT_PARSES("a,,c\n,,\n\"\"\n\nx,\"\"\n", "1:<a><><c>\n2:<><><>\n3:<>\n5:<x><>\n");
}

TEST(utf8)
{
    ASSERT_PARSES("名称,金额\n北京市,\"4.05亿\"\n", "1:<名称><金额>\n2:<北京市><4.05亿>\n");
    /* a literal U+FFFD is valid text */
    ASSERT_PARSES("\xEF\xBF\xBD\n", "1:<\xEF\xBF\xBD>\n");
}

TEST(crlf)
{
    ASSERT_PARSES("a,b\r\nc,d\r\n", "1:<a><b>\n2:<c><d>\n");
    /* a CRLF inside quotes is kept as is */
    ASSERT_PARSES("\"x\r\ny\",z\r\nq\r\n", "1:<x\r\ny><z>\n3:<q>\n");
}

TEST(mixed_line_ends)
{
    ASSERT_PARSES("a\r\nb\nc\r\nd", "1:<a>\n2:<b>\n3:<c>\n4:<d>\n");
}

TEST(bom_stripped)
{
    ASSERT_PARSES("\xEF\xBB\xBFid,name\n1,x\n", "1:<id><name>\n2:<1><x>\n");
    ASSERT_PARSES("\xEF\xBB\xBF\"id\",name\n", "1:<id><name>\n");
    /* only the first one: a second BOM is data */
    ASSERT_PARSES("\xEF\xBB\xBF\xEF\xBB\xBF" "a\n", "1:<\xEF\xBB\xBF" "a>\n");
    ASSERT_PARSES("\xEF\xBB\xBF", "");
}

TEST(final_line_without_newline)
{
    ASSERT_PARSES("a,b\nc,d", "1:<a><b>\n2:<c><d>\n");
    ASSERT_PARSES("a\n\"q\"", "1:<a>\n2:<q>\n");
    ASSERT_PARSES("a,", "1:<a><>\n");
    ASSERT_PARSES("a,\"x\ny\"", "1:<a><x\ny>\n");
}

TEST(blank_lines)
{
    ASSERT_PARSES("\n\na\n\n  \n\t\nb\n\n", "3:<a>\n7:<b>\n");
    ASSERT_PARSES("a\r\n\r\nb\r\n", "1:<a>\n3:<b>\n");
    ASSERT_PARSES("", "");
    ASSERT_PARSES("\n\n", "");
}

TEST(spaces_trimmed_unless_quoted)
{
    ASSERT_PARSES(" a , b \n\" a \",c\n", "1:<a><b>\n2:< a ><c>\n");
    ASSERT_PARSES(" \"q\" ,x\n", "1:<q><x>\n");
}

TEST(record_lines)
{
    /* each record reports the line it starts on, after multi-line fields and blank lines */
    ASSERT_PARSES("\"x\ny\"\nz\n\n\"p\nq\n\nr\",s\nt\n",
                  "1:<x\ny>\n3:<z>\n5:<p\nq\n\nr><s>\n9:<t>\n");
    ASSERT_PARSES("a,\"1\n2\",\"3\n4\"\nb\n", "1:<a><1\n2><3\n4>\n4:<b>\n");
}

TEST(error_unterminated_quote)
{
    ASSERT_FAILS_S("a,b\nc,\"d\ne\n", "t.csv:2:2: unterminated quoted field");
    /* the quote of field 2 opens on line 2, after field 1 spans lines 1-2 */
    ASSERT_FAILS_S("\"x\ny\",\"open\nmore\nstill", "t.csv:2:2: unterminated quoted field");
    ASSERT_FAILS_S("\"", "t.csv:1:1: unterminated quoted field");
}

TEST(error_text_after_quote)
{
    ASSERT_FAILS_S("a,b\n\"x\"y,z\n", "t.csv:2:1: text after closing quote");
    ASSERT_FAILS_S("a,\"x\" \"\n", "t.csv:1:2: text after closing quote");
    ASSERT_FAILS_S("a\n\"x\ny\"z\n", "t.csv:3:1: text after closing quote");
    ASSERT_FAILS_S("a,b\"c\n", "t.csv:1:2: quote in an unquoted field");
}

TEST(error_invalid_utf8)
{
    ASSERT_FAILS_S("a,b\nc,d\xff\n", "t.csv:2:2: not UTF-8 or GB18030 text");
    /* overlong "/" on the second line of a quoted field */
    ASSERT_FAILS_S("a,\"x\ny\xc0\xaf\"\n", "t.csv:2:2: not UTF-8 or GB18030 text");
    /* a sequence cut short by the end of input */
    ASSERT_FAILS_S("a,\xe5\x8c", "t.csv:1:2: not UTF-8 or GB18030 text");
    /* UTF-16 surrogate encoded in UTF-8 */
    ASSERT_FAILS_S("\xed\xa0\x80\n", "t.csv:1:1: not UTF-8 or GB18030 text");
    ASSERT_FAILS("a,b\0c\n", 6, "t.csv:1:2: NUL byte");
}

static int count_fn(void *ud, const cb_csv_record *rec, cb_error *err)
{
    (void)err;
    size_t *max = ud;
    for (size_t i = 0; i < rec->nfields; i++)
        if (rec->lens[i] > *max) *max = rec->lens[i];
    return CB_OK;
}

/* "h,h\n" + prefix + n copies of c + suffix */
static char *big_input(const char *prefix, size_t n, char c, const char *suffix, size_t *len)
{
    size_t lp = strlen(prefix), ls = strlen(suffix);
    char *s = malloc(4 + lp + n + ls + 1);
    memcpy(s, "h,h\n", 4);
    memcpy(s + 4, prefix, lp);
    memset(s + 4 + lp, c, n);
    memcpy(s + 4 + lp + n, suffix, ls + 1);
    *len = 4 + lp + n + ls;
    return s;
}

TEST(field_size_limit)
{
    size_t len, max = 0;
    cb_error e;
    /* exactly the limit passes, trailing spaces that get trimmed don't count */
    char *s = big_input("a,", CB_CSV_FIELD_MAX, 'x', "          \n", &len);
    int rc = cb_csv_parse("t.csv", s, len, count_fn, &max, &e);
    free(s);
    ASSERT_EQ_INT(rc, CB_OK);
    ASSERT_EQ_INT(max, CB_CSV_FIELD_MAX);

    s = big_input("a,", CB_CSV_FIELD_MAX + 1, 'x', "\n", &len);
    rc = cb_csv_parse("t.csv", s, len, count_fn, &max, &e);
    free(s);
    ASSERT_EQ_INT(rc, CB_EDATA);
    ASSERT_PREFIX(e.msg, "t.csv:2:2: field longer than 1 MiB");

    /* a quoted field reports the line it starts on */
    s = big_input("a\n\"\n", 2 * CB_CSV_FIELD_MAX, 'y', "\"\n", &len);
    rc = cb_csv_parse("t.csv", s, len, count_fn, &max, &e);
    free(s);
    ASSERT_EQ_INT(rc, CB_EDATA);
    ASSERT_PREFIX(e.msg, "t.csv:3:1: field longer than 1 MiB");

    /* a quote left open runs into the limit before the end of the file */
    s = big_input("\"", 3 * CB_CSV_FIELD_MAX, '\n', "", &len);
    rc = cb_csv_parse("t.csv", s, len, count_fn, &max, &e);
    free(s);
    ASSERT_EQ_INT(rc, CB_EDATA);
    ASSERT_PREFIX(e.msg, "t.csv:2:1: field longer than 1 MiB (is a quote left open?)");
}

TEST(callback_error_stops)
{
    collect c = {.stop_after = 2};
    cb_error e = {0};
    int rc = cb_csv_parse("t.csv", "a\nb\nc\n\"unterminated", 20, collect_fn, &c, &e);
    ASSERT_EQ_INT(rc, CB_ESCRIPT);
    ASSERT_EQ_INT(c.calls, 2);
    ASSERT_EQ_STR(e.msg, "stop at 2");
    cb_buf_free(&c.out);
}

TEST(fields_nul_terminated)
{
    /* parse_n appends "[no NUL]" when a field is not terminated */
    ASSERT_PARSES("abc,\"de\"\"f\",\n,\n", "1:<abc><de\"f><>\n2:<><>\n");
}

/* Each record's offset: parsing from it gives that record first (what a table kept on disk
 * relies on to read a county's rows back). */
typedef struct offsets {
    size_t n, off[16];
    char first[16][64];
} offsets;

static int offsets_fn(void *ud, const cb_csv_record *rec, cb_error *err)
{
    offsets *o = ud;
    (void)err;
    if (o->n < 16) {
        o->off[o->n] = rec->offset;
        snprintf(o->first[o->n], sizeof o->first[0], "%s|%s", rec->fields[0],
                 rec->nfields > 1 ? rec->fields[1] : "");
        o->n++;
    }
    return CB_OK;
}

static int first_only_fn(void *ud, const cb_csv_record *rec, cb_error *err)
{
    char *out = ud;
    (void)err;
    snprintf(out, 64, "%s|%s", rec->fields[0], rec->nfields > 1 ? rec->fields[1] : "");
    return CB_ESCRIPT; /* stop after the first */
}

TEST(record_offsets)
{
    static const char *const inputs[] = {
        "a,b\n1,2\n3,4\n",
        "\xEF\xBB\xBF" "a,b\r\n1,2\r\n\r\n3,4",
        "a,b\r1,2\r3,4\r",
        "a,b\n\"x\ny\",2\n\n  \n\"q\"\"r\",\"s\r\nt\"\n5,6\n",
    };
    for (size_t k = 0; k < sizeof inputs / sizeof inputs[0]; k++) {
        offsets o = {0};
        cb_error e;
        size_t len = strlen(inputs[k]);
        ASSERT_EQ_INT(cb_csv_parse("t.csv", inputs[k], len, offsets_fn, &o, &e), CB_OK);
        ASSERT(o.n >= 3);
        for (size_t i = 0; i < o.n; i++) {
            char got[64] = "";
            ASSERT(o.off[i] <= len);
            cb_csv_parse("t.csv", inputs[k] + o.off[i], len - o.off[i], first_only_fn, got, &e);
            if (strcmp(got, o.first[i]) != 0)
                TEST_FAIL_("input %zu record %zu: from offset %zu parsed \"%s\", want \"%s\"", k, i,
                           o.off[i], got, o.first[i]);
        }
    }
}

TEST(tab_separated_and_sniffed)
{
    ASSERT_EQ_INT(cb_csv_sniff_delim("a\tb\n1\t2\n", 8), '\t');
    ASSERT_EQ_INT(cb_csv_sniff_delim("\xEF\xBB\xBF\n  \na\tb\n", 11), '\t'); /* BOM, blanks */
    ASSERT_EQ_INT(cb_csv_sniff_delim("a,b\tc\n", 6), ',');  /* a comma: CSV */
    ASSERT_EQ_INT(cb_csv_sniff_delim("name\nx\ty\n", 10), ','); /* the header decides */
    ASSERT_EQ_INT(cb_csv_sniff_delim("", 0), ',');
    static const char tsv[] = "a\tb c\t\"q\tx\"\n 1 \t,\t\n";
    collect c = {0};
    cb_error e;
    cb_csv_opts o = {'\t', 0};
    ASSERT_EQ_INT(cb_csv_parse_with("t.tsv", tsv, strlen(tsv), &o, collect_fn, &c, &e), CB_OK);
    /* tabs separate, commas are data, spaces around a field are trimmed */
    ASSERT_EQ_STR(c.out.s, "1:<a><b c><q\tx>\n2:<1><,><>\n");
    cb_buf_free(&c.out);
}

TEST(not_utf8_flagged_and_wide_rows_capped)
{
    collect c = {0};
    cb_error e;
    cb_csv_opts o = {0, 0};
    static const char gb[] = "a,b\n1,\xd6\xd2\xcf\xd8\n"; /* 忠县 in GB18030 */
    ASSERT_EQ_INT(cb_csv_parse_with("t.csv", gb, strlen(gb), &o, collect_fn, &c, &e), CB_EDATA);
    ASSERT_EQ_INT(o.not_utf8, 1);
    ASSERT_PREFIX(e.msg, "t.csv:2:2: not UTF-8 or GB18030 text; save it as \"CSV UTF-8\"");
    cb_buf_free(&c.out);
    /* a header of 20,000 columns stops at the cap, naming the line */
    cb_buf wide = {0};
    cb_buf_adds(&wide, "x\n");
    for (int i = 0; i < 20000; i++) cb_buf_addf(&wide, "%sc%d", i ? "," : "", i);
    c = (collect){0};
    ASSERT_EQ_INT(cb_csv_parse_with("t.csv", wide.s, wide.len, &o, collect_fn, &c, &e), CB_EDATA);
    ASSERT_EQ_INT(o.not_utf8, 0);
    ASSERT_EQ_STR(e.msg, "t.csv:2: more than 16384 columns; at most 16384");
    cb_buf_free(&c.out);
    cb_buf_free(&wide);
}

static const test_case tests[] = {
    TEST_ENTRY(simple),
    TEST_ENTRY(comma_in_quotes),
    TEST_ENTRY(escaped_quotes),
    TEST_ENTRY(newlines_in_quotes),
    TEST_ENTRY(empty_fields),
    TEST_ENTRY(utf8),
    TEST_ENTRY(crlf),
    TEST_ENTRY(mixed_line_ends),
    TEST_ENTRY(bom_stripped),
    TEST_ENTRY(final_line_without_newline),
    TEST_ENTRY(blank_lines),
    TEST_ENTRY(spaces_trimmed_unless_quoted),
    TEST_ENTRY(record_lines),
    TEST_ENTRY(error_unterminated_quote),
    TEST_ENTRY(error_text_after_quote),
    TEST_ENTRY(error_invalid_utf8),
    TEST_ENTRY(field_size_limit),
    TEST_ENTRY(callback_error_stops),
    TEST_ENTRY(fields_nul_terminated),
    TEST_ENTRY(record_offsets),
    TEST_ENTRY(tab_separated_and_sniffed),
    TEST_ENTRY(not_utf8_flagged_and_wide_rows_capped),
    {0},
};

TEST_MAIN(tests)
