/* test_hostile.c: number cells as people type them into spreadsheets (full-width digits,
 * thousands separators, NaN/Inf, huge and negative amounts), and what a data folder with
 * them loads as or fails with. The rules are in docs/data.md ("Numbers") and
 * docs/robustness.md. */
#define _POSIX_C_SOURCE 200809L /* mkdtemp */

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "batch.h"
#include "data.h"
#include "manifest.h"
#include "numfmt.h"
#include "output.h"
#include "pool.h"
#include "render.h"
#include "test.h"
#include "util.h"
#include "worker.h"

/* ---- cb_number_parse ---- */

TEST(full_width_digits)
{
    static const struct { const char *s; double v; } ok[] = {
        {"１２３", 123},
        {"１２３.５", 123.5},
        {"１２３．５", 123.5},          /* full-width point too */
        {"－５", -5},                  /* full-width hyphen-minus */
        {"＋７", 7},
        {"\xe2\x88\x92" "5", -5},      /* U+2212 MINUS SIGN */
        {"１ｅ３", 1000},               /* full-width e */
        {"1２3", 123},                 /* mixed widths */
        {"\xe3\x80\x80" "４２\xe3\x80\x80", 42}, /* ideographic spaces around */
        {"\xc2\xa0" "42", 42},         /* no-break space before */
    };
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
        double v = -1;
        cb_number_status st = cb_number_parse(ok[i].s, &v);
        if (st != CB_NUM_OK) TEST_FAIL_("\"%s\": status %d", ok[i].s, (int)st);
        ASSERT_NEAR(v, ok[i].v, 1e-9 * (1 + fabs(ok[i].v)));
        double w = -2;
        ASSERT_EQ_INT(cb_parse_number(ok[i].s, &w), 1);
        ASSERT_NEAR(w, ok[i].v, 1e-9 * (1 + fabs(ok[i].v)));
    }
}

TEST(thousands_separators)
{
    static const struct { const char *s; double v; } ok[] = {
        {"1,234,567", 1234567}, {"1,234", 1234}, {"12,345", 12345}, {"123,456", 123456},
        {"-1,234.5", -1234.5}, {"+1,000", 1000}, {"  1,000  ", 1000}, {"999,999.999", 999999.999},
        {"１，２３４", 1234}, {"１，２３４，５６７．８９", 1234567.89}, {"1,234e3", 1234000},
        {"405,000,000", 405000000},
    };
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
        double v = -1;
        cb_number_status st = cb_number_parse(ok[i].s, &v);
        if (st != CB_NUM_OK) TEST_FAIL_("\"%s\": status %d", ok[i].s, (int)st);
        ASSERT_NEAR(v, ok[i].v, 1e-9 * (1 + fabs(ok[i].v)));
    }
}

TEST(bad_grouping)
{
    /* numbers but for their separators: an error that says so, not "not a number" */
    static const char *const bad[] = {
        "1,23", "12,3456", "1234,567", ",123", "1,", "0,123", "1,,234", "1,2,3", "1.5,3",
        "1,234.5,6", "1e3,0", "-,5", "１，２３",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        double v = 99;
        cb_number_status st = cb_number_parse(bad[i], &v);
        if (st != CB_NUM_BAD_GROUPING) TEST_FAIL_("\"%s\": status %d, want bad grouping", bad[i], (int)st);
        ASSERT(v == 99);
        ASSERT_EQ_INT(cb_parse_number(bad[i], &v), 0);
    }
}

TEST(not_finite)
{
    static const char *const bad[] = {
        "NaN", "nan", "NAN", "-nan", "+NaN", "Inf", "inf", "-inf", "+inf", "INF", "Infinity",
        "-Infinity", "infinity", "  NaN  ", "ｎａｎ", "－ｉｎｆ", "1e999", "-1e999", "1e309",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        double v = 99;
        cb_number_status st = cb_number_parse(bad[i], &v);
        if (st != CB_NUM_NOT_FINITE) TEST_FAIL_("\"%s\": status %d, want not finite", bad[i], (int)st);
        ASSERT(v == 99);
    }
}

TEST(huge_and_negative_accepted)
{
    static const struct { const char *s; double v; } ok[] = {
        {"1e300", 1e300}, {"-1e300", -1e300}, {"1.7976931348623157e308", 1.7976931348623157e308},
        {"-405000000", -405000000}, {"-0.5", -0.5}, {"1e-400", 0},
        {"123456789012345678901234567890", 1.2345678901234568e29},
    };
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
        double v = 0;
        cb_number_status st = cb_number_parse(ok[i].s, &v);
        if (st != CB_NUM_OK) TEST_FAIL_("\"%s\": status %d", ok[i].s, (int)st);
        ASSERT_NEAR(v, ok[i].v, 1e-12 * (1 + fabs(ok[i].v)));
    }
}

TEST(not_numbers)
{
    static const char *const bad[] = {
        "", " ", "\xe3\x80\x80", "abc", "4.05亿", "１２３元", "1 000", "１ ０００", "0x1A", "1_000",
        "\xd9\xa1\xd9\xa2" /* Arabic-Indic digits */, "12%", "--1", "1,2a", "nana", "info",
        "in", "n/a", "N/A", "—", "1e", ".", "１２３\xe3\x80\x81", /* ideographic comma */
        "1.2.3", "e5",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        double v = 99;
        cb_number_status st = cb_number_parse(bad[i], &v);
        if (st != CB_NUM_NOT_NUMBER) TEST_FAIL_("\"%s\": status %d, want not a number", bad[i], (int)st);
        ASSERT(v == 99);
    }
}

TEST(long_cell)
{
    /* longer than the parser's stack buffers: still parsed, no overflow */
    char s[400];
    memset(s, '1', 300);
    s[300] = '\0';
    double v = 0;
    ASSERT_EQ_INT(cb_number_parse(s, &v), CB_NUM_OK);
    ASSERT(v > 1e299 && v < 1.2e300);
    memset(s, '9', 399);
    s[399] = '\0';
    ASSERT_EQ_INT(cb_number_parse(s, &v), CB_NUM_NOT_FINITE);
    for (int i = 0; i < 399; i++) s[i] = i % 4 == 1 ? ',' : '1';
    ASSERT_EQ_INT(cb_number_parse(s, &v), CB_NUM_BAD_GROUPING);
}

/* ---- whole folders ---- */

typedef struct folder {
    char dir[64];
    char files[4][128];
    int nfiles;
} folder;

static void folder_new(folder *f)
{
    memset(f, 0, sizeof *f);
    snprintf(f->dir, sizeof f->dir, "/tmp/cb_test_hostile_XXXXXX");
    if (!mkdtemp(f->dir)) abort();
}

static void folder_put(folder *f, const char *name, const char *text)
{
    char path[sizeof f->files[0]];
    snprintf(path, sizeof path, "%s/%s", f->dir, name);
    memcpy(f->files[f->nfiles], path, sizeof path);
    FILE *fp = fopen(f->files[f->nfiles++], "wb");
    if (!fp) abort();
    fputs(text, fp);
    fclose(fp);
}

static void folder_free(folder *f)
{
    for (int i = 0; i < f->nfiles; i++) remove(f->files[i]);
    rmdir(f->dir);
}

/* Loads the folder with counties.csv and the given funds.csv (and schema.csv when not
 * NULL); on failure copies the message, with the folder's path cut off, into msg. */
static int load_funds(const char *funds, const char *schema, cb_dataset *ds, char *msg, size_t n)
{
    folder f;
    folder_new(&f);
    folder_put(&f, "counties.csv", "county_id,name\n01,A\n02,B\n");
    folder_put(&f, "funds.csv", funds);
    if (schema) folder_put(&f, "schema.csv", schema);
    cb_error e = {0};
    int rc = cb_dataset_load(ds, f.dir, &e);
    if (rc != CB_OK) {
        const char *m = strncmp(e.msg, f.dir, strlen(f.dir)) == 0 ? e.msg + strlen(f.dir) + 1 : e.msg;
        size_t k = strlen(m) < n - 1 ? strlen(m) : n - 1;
        memcpy(msg, m, k);
        msg[k] = '\0';
    }
    folder_free(&f);
    return rc;
}

static const char SCHEMA[] = "table,column,type\nfunds,amount,number\nfunds,note,text\n";

TEST(folder_normalised_numbers)
{
    cb_dataset ds;
    char msg[512] = "";
    int rc = load_funds("county_id,amount,note\n"
                        "01,\"1,234,567\",grouped\n"
                        "01,１２３.５,full-width\n"
                        "02,-405000000,negative\n"
                        "02,1e300,huge\n"
                        "02,\"１，０００\",both\n",
                        SCHEMA, &ds, msg, sizeof msg);
    if (rc != CB_OK) TEST_FAIL_("load failed: %s", msg);
    const cb_table *t = cb_dataset_table(&ds, "funds");
    static const double want[] = {1234567, 123.5, -405000000, 1e300, 1000};
    int ok = t && t->types[1] == CB_T_NUMBER && t->nrows == 5;
    for (size_t r = 0; ok && r < 5; r++)
        ok = cb_table_cell(t, r, 1)->type == CB_T_NUMBER && cb_table_cell(t, r, 1)->num == want[r];
    cb_dataset_free(&ds);
    ASSERT(ok);

    /* the same without a schema: inferred as numbers */
    rc = load_funds("county_id,amount\n01,\"1,234\"\n01,１２\n02,-3\n", NULL, &ds, msg, sizeof msg);
    if (rc != CB_OK) TEST_FAIL_("load failed: %s", msg);
    t = cb_dataset_table(&ds, "funds");
    ok = t && t->types[1] == CB_T_NUMBER && cb_table_cell(t, 0, 1)->num == 1234 &&
         cb_table_cell(t, 1, 1)->num == 12 && cb_table_cell(t, 2, 1)->num == -3;
    cb_dataset_free(&ds);
    ASSERT(ok);
}

TEST(folder_nonfinite_is_an_error)
{
    cb_dataset ds;
    char msg[512] = "";
    /* declared number column */
    int rc = load_funds("county_id,amount,note\n01,5,x\n\n02,NaN,y\n", SCHEMA, &ds, msg, sizeof msg);
    if (rc == CB_OK) cb_dataset_free(&ds);
    ASSERT_EQ_INT(rc, CB_EDATA);
    ASSERT_EQ_STR(msg, "funds.csv:4:2: column \"amount\" expects a number, got \"NaN\" (not a finite number)");
    rc = load_funds("county_id,amount,note\n01,-inf,x\n", SCHEMA, &ds, msg, sizeof msg);
    if (rc == CB_OK) cb_dataset_free(&ds);
    ASSERT_EQ_STR(msg, "funds.csv:2:2: column \"amount\" expects a number, got \"-inf\" (not a finite number)");
    rc = load_funds("county_id,amount,note\n01,1e999,x\n", SCHEMA, &ds, msg, sizeof msg);
    if (rc == CB_OK) cb_dataset_free(&ds);
    ASSERT_EQ_STR(msg, "funds.csv:2:2: column \"amount\" expects a number, got \"1e999\" (not a finite number)");
    /* inferred column: numbers with an Inf among them is an error too... */
    rc = load_funds("county_id,amount\n01,5\n02,\n02,Inf\n01,nan\n", NULL, &ds, msg, sizeof msg);
    if (rc == CB_OK) cb_dataset_free(&ds);
    ASSERT_EQ_INT(rc, CB_EDATA);
    ASSERT_EQ_STR(msg, "funds.csv:4:2: column \"amount\" expects a number, got \"Inf\" (not a finite number)");
    /* ...but in a column of words "NaN" is a word */
    rc = load_funds("county_id,code\n01,NaN\n02,abc\n", NULL, &ds, msg, sizeof msg);
    if (rc != CB_OK) TEST_FAIL_("load failed: %s", msg);
    const cb_table *t = cb_dataset_table(&ds, "funds");
    int ok = t && t->types[1] == CB_T_TEXT && strcmp(cb_table_cell(t, 0, 1)->text, "NaN") == 0;
    cb_dataset_free(&ds);
    ASSERT(ok);
}

TEST(folder_bad_grouping_is_an_error)
{
    cb_dataset ds;
    char msg[512] = "";
    int rc = load_funds("county_id,amount,note\n01,\"1,23\",x\n", SCHEMA, &ds, msg, sizeof msg);
    if (rc == CB_OK) cb_dataset_free(&ds);
    ASSERT_EQ_INT(rc, CB_EDATA);
    ASSERT_EQ_STR(msg, "funds.csv:2:2: column \"amount\" expects a number, got \"1,23\" (thousands "
                       "separators must split the digits in threes, as in 1,234,567)");
    /* unquoted, the separators split the row into more fields than the header has */
    rc = load_funds("county_id,amount,note\n01,1,234,567,x\n", SCHEMA, &ds, msg, sizeof msg);
    if (rc == CB_OK) cb_dataset_free(&ds);
    ASSERT_EQ_INT(rc, CB_EDATA);
    ASSERT_CONTAINS(msg, "funds.csv:2: row has 5 fields, header has 3");
    /* an undeclared column with such a cell is text, as it was */
    rc = load_funds("county_id,ids\n01,\"1,2\"\n02,3\n", NULL, &ds, msg, sizeof msg);
    if (rc != CB_OK) TEST_FAIL_("load failed: %s", msg);
    const cb_table *t = cb_dataset_table(&ds, "funds");
    int ok = t && t->types[1] == CB_T_TEXT && strcmp(cb_table_cell(t, 0, 1)->text, "1,2") == 0 &&
             strcmp(cb_table_cell(t, 1, 1)->text, "3") == 0;
    cb_dataset_free(&ds);
    ASSERT(ok);
}

TEST(folder_line_ends_and_blank_lines)
{
    /* CRLF and LF mixed, blank lines (empty, spaces, CRLF-only) skipped; lines still count */
    cb_dataset ds;
    char msg[512] = "";
    int rc = load_funds("county_id,amount,note\r\n"
                        "01,1,a\n"
                        "\r\n"
                        "   \n"
                        "02,2,b\r\n"
                        "\n"
                        "02,3,c",
                        SCHEMA, &ds, msg, sizeof msg);
    if (rc != CB_OK) TEST_FAIL_("load failed: %s", msg);
    const cb_table *t = cb_dataset_table(&ds, "funds");
    int ok = t && t->nrows == 3 && t->lines[0] == 2 && t->lines[1] == 5 && t->lines[2] == 7 &&
             cb_table_cell(t, 2, 1)->num == 3 && strcmp(cb_table_cell(t, 1, 2)->text, "b") == 0;
    cb_dataset_free(&ds);
    ASSERT(ok);
}

/* ---- formatting what was accepted ---- */

TEST(format_huge_and_negative)
{
    char buf[256];
    size_t r = cb_fmt_yuan(buf, sizeof buf, 1e300);
    ASSERT_EQ_STR(buf, "1e+288万亿元");
    ASSERT(r < 32);
    cb_fmt_yuan(buf, sizeof buf, -405000000);
    ASSERT_EQ_STR(buf, "-4.05亿元");
    cb_fmt_yuan(buf, sizeof buf, -3000000);
    ASSERT_EQ_STR(buf, "-300万元");
    cb_fmt_wan(buf, sizeof buf, 1e300);
    ASSERT_EQ_STR(buf, "1e+296");
    cb_fmt_decimal(buf, sizeof buf, 1.7976931348623157e308, 2);
    ASSERT_EQ_STR(buf, "1.79769313486232e+308");
    cb_fmt_thousands(buf, sizeof buf, 999999999999999, 0);
    ASSERT_EQ_STR(buf, "999,999,999,999,999"); /* 15 digits: still written out */
}

/* ---- cb_clean and cb_fail: messages quoting user text (util.h) ---- */

TEST(clean_escapes_controls_keeps_chinese)
{
    char *c = cb_clean("a\x1b[2Jb\x07\x01\n\t\r\x7f 中文 \xC2\x9B \xE2\x80\xAE \xFF\xC0\x80 \xE4\xB8 \\x1b");
    ASSERT_EQ_STR(c, "a\\x1b[2Jb\\x07\\x01\\n\\t\\r\\x7f 中文 \\u009b \\u202e \\xff\\xc0\\x80 \\xe4\\xb8 \\x1b");
    char *twice = cb_clean(c); /* cleaning is idempotent */
    ASSERT_EQ_STR(twice, c);
    free(twice);
    free(c);
    c = cb_clean("\xF0\x9F\x87\xA8\xF0\x9F\x87\xB3 \xF0\x9F\x98\x80"); /* astral: kept */
    ASSERT_EQ_STR(c, "\xF0\x9F\x87\xA8\xF0\x9F\x87\xB3 \xF0\x9F\x98\x80");
    free(c);
}

TEST(clean_caps_long_text_at_a_character)
{
    size_t n = 10u << 20;
    char *big = malloc(n + 1);
    for (size_t i = 0; i < n; i += 3) memcpy(big + i, "中", 3 < n - i ? 3 : n - i);
    big[n] = '\0';
    char *c = cb_clean(big);
    ASSERT(strlen(c) <= CB_CLEAN_MAX + 40);
    ASSERT(cb_utf8_valid(c, strlen(c)));
    ASSERT_CONTAINS(c, "… ");
    ASSERT_CONTAINS(c, " bytes more");
    size_t shown = strstr(c, "…") - c, more = strtoull(strstr(c, "…") + 4, NULL, 10);
    ASSERT(shown + more == n);
    free(c);
    cb_error err;
    ASSERT_EQ_INT(cb_fail(&err, CB_ESCRIPT, "x.lua:1: %s", big), CB_ESCRIPT);
    ASSERT(strlen(err.msg) < sizeof err.msg);
    ASSERT_CONTAINS(err.msg, " bytes more");
    ASSERT(cb_utf8_valid(err.msg, strlen(err.msg)));
    free(big);
    /* a message built from itself, cleaned, one line */
    cb_fail(&err, CB_EDATA, "a\x1b\nb");
    cb_fail(&err, CB_EDATA, "%s%s", err.msg, " c");
    ASSERT_EQ_STR(err.msg, "a\\x1b b c");
}

/* ---- cb_walk_files: what the input hash and --watch read (issue 10) ---- */

static void count_walked(void *ud, const char *path, const struct stat *st)
{
    (void)path;
    if (S_ISREG(st->st_mode)) (*(int *)ud)++; /* anything else would not count */
}

TEST(walk_skips_fifos_devices_and_folder_links)
{
    char dir[] = "/tmp/cb-walk.XXXXXX";
    ASSERT(mkdtemp(dir) != NULL);
    char *sub = cb_path_join(dir, "sub"), *a = cb_path_join(dir, "a.lua"), *b = cb_path_join(sub, "b.lua");
    char *fifo = cb_path_join(dir, "fifo.lua"), *zero = cb_path_join(dir, "zero.lua"), *l1 = cb_path_join(dir, "l1"),
         *l2 = cb_path_join(sub, "l2"), *txt = cb_path_join(dir, "c.txt");
    ASSERT(mkdir(sub, 0700) == 0);
    FILE *f = fopen(a, "w");
    fputs("return 1\n", f);
    fclose(f);
    f = fopen(b, "w");
    fclose(f);
    f = fopen(txt, "w");
    fclose(f);
    ASSERT(mkfifo(fifo, 0600) == 0);
    ASSERT(symlink("/dev/zero", zero) == 0);
    ASSERT(symlink(".", l1) == 0);  /* a loop */
    ASSERT(symlink("..", l2) == 0); /* and one a level down */
    int n = 0;
    cb_walk_files(dir, ".lua", 8, count_walked, &n);
    ASSERT_EQ_INT(n, 2); /* a.lua, sub/b.lua: never the FIFO, the device or through a link */
    n = 0;
    cb_walk_files(dir, NULL, 0, count_walked, &n);
    ASSERT_EQ_INT(n, 2); /* a.lua, c.txt: depth 0 is the folder's own files */
    const char *rm[] = {l2, b, l1, zero, fifo, txt, a, sub};
    for (size_t i = 0; i < sizeof rm / sizeof *rm; i++) remove(rm[i]);
    remove(dir);
    free(sub), free(a), free(b), free(fifo), free(zero), free(l1), free(l2), free(txt);
}

/* ---- SOURCE_DATE_EPOCH: one parser, a range a PDF date can hold ---- */

TEST(source_date_epoch_range)
{
    static const struct { const char *v; int rc; } cases[] = {
        {"", 0}, {"0", 1}, {"1700000000", 1}, {"253402300799", 1}, {"253402300800", -1},
        {"67768036191676800", -1}, {"99999999999999999999999", -1}, {"-1", -1}, {"12abc", -1},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        setenv("SOURCE_DATE_EPOCH", cases[i].v, 1);
        long long t = -5;
        int rc = cb_source_date(&t);
        if (rc != cases[i].rc) TEST_FAIL_("SOURCE_DATE_EPOCH=%s: %d, not %d", cases[i].v, rc, cases[i].rc);
    }
    unsetenv("SOURCE_DATE_EPOCH");
    long long t;
    ASSERT_EQ_INT(cb_source_date(&t), 0);
}

/* ---- the run's date (clock.h): SOURCE_DATE_EPOCH, else --date, else none ---- */

TEST(clock_resolve)
{
    static const struct { const char *v; long long t; } dates[] = {
        {"1970-01-01", 0}, {"2023-11-14", 1699920000}, {"2024-02-29", 1709164800},
        {"9999-12-31", 253402214400LL}, {"1700000000", 1700000000}, {"0", 0}, {"253402300799", 253402300799LL},
        {"2023-02-29", -1}, {"2024-02-30", -1}, {"2023-00-10", -1}, {"2023-04-31", -1}, {"1969-12-31", -1},
        {"2023-1-05", -1}, {"2023/11/14", -1}, {"+2023-11-14", -1}, {" 1700000000", -1}, {"+1", -1},
        {"-1", -1}, {"1e9", -1}, {"253402300800", -1}, {"", -1}, {"today", -1},
    };
    for (size_t i = 0; i < sizeof dates / sizeof *dates; i++) {
        long long t = -1;
        int ok = cb_date_parse(dates[i].v, &t);
        if (ok != (dates[i].t >= 0) || (ok && t != dates[i].t))
            TEST_FAIL_("cb_date_parse(\"%s\"): %d %lld, not %lld", dates[i].v, ok, t, dates[i].t);
    }
    cb_clock c;
    cb_error err;
    unsetenv("SOURCE_DATE_EPOCH");
    ASSERT_EQ_INT(cb_clock_resolve(&c, NULL, &err), CB_OK);
    ASSERT_EQ_INT(c.set, 0); /* no date: none, not today */
    ASSERT_EQ_INT(cb_clock_resolve(&c, "2023-11-14", &err), CB_OK);
    ASSERT_EQ_INT(c.set && c.t == 1699920000, 1);
    time_t now = time(NULL);
    ASSERT_EQ_INT(cb_clock_resolve(&c, "today", &err), CB_OK);
    ASSERT_EQ_INT(c.set && c.t % 86400 == 0 && c.t <= now && now - c.t < 86400 + 5, 1);
    ASSERT_EQ_INT(cb_clock_resolve(&c, "2023-02-29", &err), CB_EUSAGE);
    ASSERT_EQ_INT(strstr(err.msg, "--date 2023-02-29 is not a date") != NULL, 1);
    setenv("SOURCE_DATE_EPOCH", "1700000000", 1); /* it wins over --date */
    ASSERT_EQ_INT(cb_clock_resolve(&c, "2020-01-01", &err), CB_OK);
    ASSERT_EQ_INT(c.set && c.t == 1700000000, 1);
    setenv("SOURCE_DATE_EPOCH", "soon", 1);
    ASSERT_EQ_INT(cb_clock_resolve(&c, "2020-01-01", &err), CB_EUSAGE);
    ASSERT_EQ_INT(strstr(err.msg, "SOURCE_DATE_EPOCH=soon is not a time a PDF can hold") != NULL, 1);
    unsetenv("SOURCE_DATE_EPOCH");
}

/* ---- output names and the output folder (output.h, render.h) ---- */

TEST(output_names)
{
    static const struct { const char *id, *name, *set, *file; } cases[] = {
        {"500233", "忠县", "", "500233-忠县.pdf"},
        {"500233", "忠县", ".en", "500233-忠县.en.pdf"},
        {"500233", "忠县", ".onepager.en", "500233-忠县.onepager.en.pdf"},
        {"1-a", "b", "", "1-a-b.pdf"},            /* the same as 1 + a-b: cb_output_clashes */
        {"a/b", "x", "", "a_b-x.pdf"},
        {".hidden", "..", "", "_hidden-__.pdf"},  /* no dot file, no folder */
        {"1", "a.en", "", "1-a_en.pdf"},          /* never another set's 1-a.en.pdf */
        {"1", "a:b*c?\"<>|\\\x01", "", "1-a_b_c_______.pdf"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *f = cb_output_name(cases[i].id, cases[i].name, cases[i].set);
        ASSERT_EQ_STR(f, cases[i].file);
        free(f);
    }
}

/* manifest names (manifest.h): each output set's, every shard layout's, their journals */
TEST(manifest_names)
{
    static const struct { const char *name, *set; size_t k, n; int journal; } ours[] = {
        {"manifest.json", "", 0, 0, 0},
        {"manifest.en.json", ".en", 0, 0, 0},
        {"manifest.shard-3-of-8.json", "", 3, 8, 0},
        {"manifest.onepager.en.shard-1-of-2.json", ".onepager.en", 1, 2, 0},
        {".manifest.shard-12-of-12.json.journal", "", 12, 12, 1},
        {".manifest.en.json.journal", ".en", 0, 0, 1},
        {"manifest.shard-9-of-8.json", ".shard-9-of-8", 0, 0, 0}, /* no shard: another set's name */
    };
    for (size_t i = 0; i < sizeof ours / sizeof ours[0]; i++) {
        cb_manifest_name nm;
        ASSERT(cb_manifest_parse_name(ours[i].name, &nm));
        ASSERT_EQ_STR(nm.set, ours[i].set);
        ASSERT_EQ_INT(nm.shard, ours[i].k);
        ASSERT_EQ_INT(nm.shards, ours[i].n);
        ASSERT_EQ_INT(nm.journal, ours[i].journal);
        free(nm.name);
        free(nm.set);
    }
    static const char *const not_ours[] = {"manifesto.json", "manifest.json.tmp-h-1-2", "manifest.jsonx",
                                           "xmanifest.json", ".manifest.json", "manifest.json.journal",
                                           "manifest"};
    for (size_t i = 0; i < sizeof not_ours / sizeof not_ours[0]; i++) {
        cb_manifest_name nm;
        ASSERT(!cb_manifest_parse_name(not_ours[i], &nm));
    }
}

/* counties_digest: over the ids sorted by byte, each followed by a newline */
TEST(county_ids_digest)
{
    const char *ids[] = {"b", "a", "c"};
    char d[65];
    cb_county_ids_digest(ids, 3, d);
    ASSERT_EQ_STR(ids[0], "a");
    /* printf 'a\nb\nc\n' | sha256sum */
    ASSERT_EQ_STR(d, "880553fca8fcea94e325ee2cfb48e5a985cc797f39a14cc6d3cedecfeb2ae4d2");
}

TEST(temp_names_exactly)
{
    ASSERT(cb_output_is_temp(".x.pdf.tmp-host_123-42-0"));
    ASSERT(cb_output_is_temp(".manifest.json.tmp-a-b-c-1-2"));
    ASSERT(!cb_output_is_temp("x.pdf.tmp-host-42-0"));      /* no leading '.' */
    ASSERT(!cb_output_is_temp("..tmp-host-42-0"));          /* no NAME */
    ASSERT(!cb_output_is_temp(".x.tmp-bad host-42-0"));     /* not a host token */
    ASSERT(!cb_output_is_temp(".x.tmp-host-42-"));
    ASSERT(!cb_output_is_temp(".x.tmp--42-0"));
    ASSERT(!cb_output_is_temp(".x.tmp-host-0-0"));          /* pid 0 */
    ASSERT(!cb_output_is_temp(".x.tmp-host-12345678901-0")); /* no such pid */
}

TEST(own_files_never_through_a_link)
{
    char dir[] = "/tmp/cb-own-XXXXXX";
    ASSERT(mkdtemp(dir) != NULL);
    char *reg = cb_path_join(dir, "reg"), *lnk = cb_path_join(dir, "lnk"), *fifo = cb_path_join(dir, "fifo");
    cb_error err;
    ASSERT_EQ_INT(cb_write_file_atomic(reg, "abc", 3, &err), CB_OK);
    ASSERT_EQ_INT(symlink(reg, lnk), 0);
    ASSERT_EQ_INT(mkfifo(fifo, 0600), 0);
    size_t len = 0;
    char *text = cb_file_read(reg, 3, &len, &err);
    ASSERT(text && len == 3);
    free(text);
    ASSERT(cb_file_read(reg, 2, &len, &err) == NULL); /* over the cap */
    ASSERT(strstr(err.msg, "larger than") != NULL);
    ASSERT(cb_file_read(lnk, 100, &len, &err) == NULL && errno == ELOOP);
    ASSERT(strstr(err.msg, "a symbolic link: not followed") != NULL);
    ASSERT(cb_file_read(fifo, 100, &len, &err) == NULL && errno == EINVAL); /* at once */
    ASSERT(strstr(err.msg, "not a regular file (a FIFO)") != NULL);
    ASSERT(cb_file_open(lnk, O_WRONLY | O_APPEND, 0, &err) < 0);
    /* replacing the link's name replaces the link, not its target */
    ASSERT_EQ_INT(cb_write_file_atomic(lnk, "xyz", 3, &err), CB_OK);
    text = cb_file_read(reg, 3, &len, &err);
    ASSERT(text && strcmp(text, "abc") == 0);
    free(text);
    ASSERT_EQ_INT(cb_output_set_aside(reg), 1);
    ASSERT_EQ_INT(cb_output_set_aside(reg), 0);
    char *stale = cb_xasprintf("%s.stale", reg);
    unlink(stale);
    unlink(lnk);
    unlink(fifo);
    rmdir(dir);
    free(stale);
    free(reg);
    free(lnk);
    free(fifo);
}

/* ---- shards and stopping (docs/robustness.md) ---- */

TEST(shard_of_is_stable)
{
    /* FNV-1a 64 of the id modulo the count: the same on every machine and every run, so a
     * shard re-run anywhere renders the same counties (values computed independently) */
    ASSERT_EQ_INT((int)cb_shard_of("500233", 8), 6);
    ASSERT_EQ_INT((int)cb_shard_of("500236", 8), 5);
    ASSERT_EQ_INT((int)cb_shard_of("500233", 3), 1);
    ASSERT_EQ_INT((int)cb_shard_of("110101", 1000000), 187005);
    ASSERT_EQ_INT((int)cb_shard_of("500233", 0), 0);
}

typedef struct stop_run {
    int done, died;
} stop_run;

static int slow_job(void *ctx, size_t job, cb_buf *reply)
{
    (void)ctx;
    (void)job;
    struct timespec ts = {0, 200 * 1000000L};
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {}
    cb_buf_add(reply, "", 1);
    return CB_OK;
}

static void stop_done(void *ctx, size_t job, int rc, int died, const char *reply, size_t len)
{
    (void)job; (void)rc; (void)reply; (void)len;
    stop_run *r = ctx;
    r->done++;
    r->died += died;
    if (r->done == 1) kill(0, SIGINT); /* a terminal's Ctrl-C: the whole process group */
}

/* In a child of its own group (the stop is noted once per process): 20 jobs of 200 ms on
 * two workers, Ctrl-C to the group after the first: the workers ignore it and finish their
 * jobs, no more are handed out, the pool returns at once. */
TEST(pool_stops_on_a_signal)
{
    pid_t pid = fork();
    if (pid == 0) {
        setpgid(0, 0);
        cb_pool_catch_stop();
        stop_run r = {0, 0};
        cb_pool_opts po = {2, 0, 1, NULL, slow_job, stop_done, NULL, 0, NULL, &r};
        size_t jobs[20];
        for (size_t i = 0; i < 20; i++) jobs[i] = i;
        cb_error err;
        double t0 = cb_now_s();
        int rc = cb_pool_run(&po, jobs, 20, &err);
        double dt = cb_now_s() - t0;
        /* the two first jobs, and at most one more per worker: the signal, sent from done
         * here, is taken at the pool's next wait, after it handed out the next jobs */
        int code = rc != CB_OK ? 10 : cb_pool_stop_signal() != SIGINT ? 11 : r.died ? 12
                 : r.done < 2 || r.done > 4 ? 13 : dt > 1.5 ? 14 : 0;
        _exit(code);
    }
    int status = -1;
    ASSERT(pid > 0 && waitpid(pid, &status, 0) == pid);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
        TEST_FAIL_("the child ended with status %d (10: pool error, 11: no SIGINT noted, 12: a worker died, "
                   "13: jobs done out of range, 14: too slow)", WIFEXITED(status) ? WEXITSTATUS(status) : -1);
}

/* The worker's pid, and a retirement after jobs 1 and 3 (as after a limit's stop). */
static int pid_job(void *ctx, size_t job, cb_buf *reply)
{
    (void)ctx;
    pid_t me = getpid();
    cb_buf_add(reply, &me, sizeof me);
    if (job == 1 || job == 3) cb_worker_retire();
    return CB_OK;
}

typedef struct pid_run {
    pid_t pid[5];
    int done, died;
} pid_run;

static void pid_done(void *ctx, size_t job, int rc, int died, const char *reply, size_t len)
{
    pid_run *r = ctx;
    r->done++;
    r->died += died || rc != CB_OK;
    if (!died && len == sizeof(pid_t) && job < 5) memcpy(&r->pid[job], reply, sizeof(pid_t));
}

/* One worker, five jobs, jobs 1 and 3 retire it: every job is done (none died), job 2 and
 * job 4 run in fresh processes, job 1 in the same as job 0 (retiring is per job). */
TEST(pool_retires_a_worker)
{
    pid_run r;
    memset(&r, 0, sizeof r);
    cb_pool_opts po = {1, 0, 1, NULL, pid_job, pid_done, NULL, 0, NULL, &r};
    size_t jobs[5] = {0, 1, 2, 3, 4};
    cb_error err;
    ASSERT_EQ_INT(cb_pool_run(&po, jobs, 5, &err), CB_OK);
    ASSERT_EQ_INT(r.done, 5);
    ASSERT_EQ_INT(r.died, 0);
    ASSERT(r.pid[0] > 0 && r.pid[0] == r.pid[1]);
    ASSERT(r.pid[2] > 0 && r.pid[2] != r.pid[1] && r.pid[2] == r.pid[3]);
    ASSERT(r.pid[4] > 0 && r.pid[4] != r.pid[3] && r.pid[4] != r.pid[1]);
    cb_worker_retire(); /* outside a worker: nothing */
}

static const test_case tests[] = {
    TEST_ENTRY(full_width_digits),
    TEST_ENTRY(thousands_separators),
    TEST_ENTRY(bad_grouping),
    TEST_ENTRY(not_finite),
    TEST_ENTRY(huge_and_negative_accepted),
    TEST_ENTRY(not_numbers),
    TEST_ENTRY(long_cell),
    TEST_ENTRY(folder_normalised_numbers),
    TEST_ENTRY(folder_nonfinite_is_an_error),
    TEST_ENTRY(folder_bad_grouping_is_an_error),
    TEST_ENTRY(folder_line_ends_and_blank_lines),
    TEST_ENTRY(format_huge_and_negative),
    TEST_ENTRY(clean_escapes_controls_keeps_chinese),
    TEST_ENTRY(clean_caps_long_text_at_a_character),
    TEST_ENTRY(walk_skips_fifos_devices_and_folder_links),
    TEST_ENTRY(source_date_epoch_range),
    TEST_ENTRY(clock_resolve),
    TEST_ENTRY(output_names),
    TEST_ENTRY(manifest_names),
    TEST_ENTRY(county_ids_digest),
    TEST_ENTRY(temp_names_exactly),
    TEST_ENTRY(own_files_never_through_a_link),
    TEST_ENTRY(shard_of_is_stable),
    TEST_ENTRY(pool_stops_on_a_signal),
    TEST_ENTRY(pool_retires_a_worker),
    {0},
};

TEST_MAIN(tests)
