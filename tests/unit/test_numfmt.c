/* test_numfmt.c: numfmt.c formatters and their Lua binding (lua_fmt.c). */
#include <lauxlib.h>
#include <lua.h>
#include <lualib.h>

#include "lua_fmt.h"
#include "numfmt.h"
#include "test.h"

#define DASH "\xe2\x80\x94"

/* Each CHECK formats into a roomy buffer and also checks the return value is the
 * length written, so every case exercises the snprintf-like contract. */
#define CHECK(call, want)                                  \
    do {                                                   \
        char out_[256];                                    \
        size_t r_ = cb_fmt_##call;                         \
        ASSERT_EQ_STR(out_, want);                         \
        ASSERT_EQ_INT(r_, strlen(want));                   \
    } while (0)
#define YUAN(v, want) CHECK(yuan(out_, sizeof out_, (v)), want)
#define WAN(v, want) CHECK(wan(out_, sizeof out_, (v)), want)
#define COUNT(v, u, q, want) CHECK(count(out_, sizeof out_, (v), (u), (q)), want)
#define PERCENT(v, d, want) CHECK(percent(out_, sizeof out_, (v), (d)), want)
#define THOUSANDS(v, d, want) CHECK(thousands(out_, sizeof out_, (v), (d)), want)
#define DECIMAL(v, d, want) CHECK(decimal(out_, sizeof out_, (v), (d)), want)
#define YUAN_EN(v, want) CHECK(en_yuan(out_, sizeof out_, (v)), want)
#define COUNT_EN(v, u, q, want) CHECK(en_count(out_, sizeof out_, (v), (u), (q)), want)

TEST(header_examples)
{
    YUAN(405000000, "4.05亿元");
    YUAN(84000000, "8400万元");
    YUAN(6100000, "610万元");
    YUAN(1000, "1000元");
    COUNT(468, "个", NULL, "468个");
    COUNT(2396, "人次", "余", "2396余人次");
    COUNT(200000, "人", "近", "近20万人");
    PERCENT(0.675, 1, "67.5%");
    THOUSANDS(1234567.5, 0, "1,234,568");
    DECIMAL(16.470, 2, "16.47");
    WAN(3000000, "300");
}

TEST(rounding_binary_noise)
{
    /* 4.05 is stored as 4.0499999999999998... */
    DECIMAL(405000000 / 1e8, 2, "4.05");
    DECIMAL(4.05, 1, "4.1");
    DECIMAL(2.675, 2, "2.68");
    DECIMAL(1.005, 2, "1.01");
    DECIMAL(0.045, 2, "0.05");
    DECIMAL(0.0449, 2, "0.04");
    DECIMAL(0.1 + 0.2, 17, "0.3");
    DECIMAL(1.15, 1, "1.2");
    DECIMAL(2.5, 0, "3");
    DECIMAL(0.5, 0, "1");
    DECIMAL(0.4999, 0, "0");
    DECIMAL(9.995, 2, "10");
    DECIMAL(999.996, 2, "1000");
    YUAN(405000000.0, "4.05亿元");
    YUAN(26755, "2.68万元");
    YUAN(12350, "1.24万元");
    YUAN(12345, "1.23万元");
    YUAN(267500, "26.75万元");
    YUAN(1000.5, "1001元");
    PERCENT(0.0005, 1, "0.1%");
    PERCENT(0.12345, 2, "12.35%");
}

TEST(trailing_zeros)
{
    YUAN(3000000, "300万元");
    YUAN(120000000, "1.2亿元");
    YUAN(100000000, "1亿元");
    YUAN(10000, "1万元");
    DECIMAL(300, 2, "300");
    DECIMAL(16.5, 2, "16.5");
    DECIMAL(2.999, 2, "3");
    DECIMAL(0.999, 2, "1");
    DECIMAL(1e20, 0, "1e+20"); /* more than 15 integer digits: scientific */
    DECIMAL(999999999999999, 0, "999999999999999");
    DECIMAL(-1.5e16, 2, "-1.5e+16");
    DECIMAL(1e-7, 2, "0");
    DECIMAL(0.000123, 6, "0.000123");
    PERCENT(1.0, 1, "100%");
    PERCENT(0.5, 2, "50%");
    THOUSANDS(1234.5, 2, "1,234.5");
    THOUSANDS(1234.0, 2, "1,234");
}

TEST(unit_switch_after_rounding)
{
    YUAN(99995000, "1亿元");      /* whole 万 would be 10000万 */
    YUAN(99999999, "1亿元");
    YUAN(99994999, "9999.5万元");
    YUAN(99990000, "9999万元");
    YUAN(9999.6, "1万元");
    YUAN(9999.5, "1万元");
    YUAN(9999.4, "9999元");
    YUAN(9999, "9999元");
    YUAN(-99995000, "-1亿元");
    COUNT(9999, "人", NULL, "9999人");
    COUNT(9999.5, "人", NULL, "1万人");
    COUNT(9999.996, "吨", NULL, "1万吨");
    COUNT(9999.49, "吨", NULL, "9999.49吨");
    COUNT(99995, "人", NULL, "10万人");
    WAN(99999999, "10000");
}

TEST(negative)
{
    YUAN(-3000000, "-300万元");
    YUAN(-405000000, "-4.05亿元");
    YUAN(-1000, "-1000元");
    YUAN(-2.5, "-3元"); /* half away from zero */
    WAN(-3000000, "-300");
    COUNT(-41000, "亩", NULL, "-4.1万亩");
    PERCENT(-0.25, 0, "-25%");
    THOUSANDS(-1234, 0, "-1,234");
    THOUSANDS(-1234567.5, 0, "-1,234,568");
    DECIMAL(-2.675, 2, "-2.68");
    DECIMAL(-0.5, 0, "-1");
}

TEST(zero)
{
    YUAN(0, "0元");
    YUAN(-0.0, "0元");
    YUAN(0.4, "0元");
    YUAN(-0.4, "0元"); /* never "-0" */
    WAN(0, "0");
    WAN(49, "0");
    WAN(50, "0.01");
    WAN(-49, "0");
    COUNT(0, "个", NULL, "0个");
    PERCENT(0, 1, "0%");
    PERCENT(-0.00001, 1, "0%");
    THOUSANDS(0, 0, "0");
    DECIMAL(0, 2, "0");
    DECIMAL(-0.001, 2, "0");
}

TEST(nan_inf)
{
    const double bad[] = {NAN, INFINITY, -INFINITY};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        YUAN(bad[i], DASH);
        WAN(bad[i], DASH);
        COUNT(bad[i], "人", "近", DASH);
        PERCENT(bad[i], 1, DASH);
        THOUSANDS(bad[i], 0, DASH);
        DECIMAL(bad[i], 2, DASH);
    }
}

TEST(wan_table_cells)
{
    WAN(3000000, "300");
    WAN(20000000, "2000");
    WAN(5500, "0.55");
    WAN(405000000, "40500");
    WAN(12345, "1.23");
    WAN(12355, "1.24");
}

TEST(count_values)
{
    COUNT(41000, "亩", NULL, "4.1万亩");
    COUNT(10600, "亩", NULL, "1.06万亩");
    COUNT(25300, "吨", NULL, "2.53万吨");
    COUNT(200000, "人", NULL, "20万人");
    COUNT(16.47, "千米", NULL, "16.47千米");
    COUNT(16.4749, "千米", NULL, "16.47千米");
    COUNT(12.345, "千米", NULL, "12.35千米");
    COUNT(3.0, "座", NULL, "3座");
    COUNT(123456, "人", NULL, "12.35万人");
    COUNT(150000000, "千瓦时", NULL, "1.5亿千瓦时"); /* >= 1亿 in 亿 */
    COUNT(99990000, "人", NULL, "9999万人");
    COUNT(100000000, "人", "近", "近1亿人");
}

TEST(count_qualifiers)
{
    COUNT(2396, "人次", "余", "2396余人次");
    COUNT(3000, "万元", "多", "3000多万元");
    COUNT(30000, "亩", "余", "3万余亩");
    COUNT(25000, "人", "多", "2.5万多人");
    COUNT(200000, "人", "近", "近20万人");
    COUNT(200000, "人", "约", "约20万人");
    COUNT(300, "户", "约", "约300户");
    COUNT(300, NULL, NULL, "300");
    COUNT(300, "", "", "300");
    COUNT(30000, NULL, "余", "3万余");
    COUNT(30000, "", NULL, "3万");
}

TEST(thousands_grouping)
{
    THOUSANDS(999, 0, "999");
    THOUSANDS(1000, 0, "1,000");
    THOUSANDS(999999.5, 0, "1,000,000");
    THOUSANDS(123456.789, 2, "123,456.79");
    THOUSANDS(12345678901.0, 0, "12,345,678,901");
    THOUSANDS(0.5, 0, "1");
    THOUSANDS(1234.5678, -3, "1,235"); /* negative decimals act as 0 */
}

TEST(truncation)
{
    const char *full = "4.05亿元"; /* 4 + 3 + 3 bytes */
    size_t need = strlen(full);
    ASSERT_EQ_INT(cb_fmt_yuan(NULL, 0, 405000000), need);

    char buf[32];
    for (size_t n = 1; n <= need + 1; n++) {
        memset(buf, 'X', sizeof buf);
        ASSERT_EQ_INT(cb_fmt_yuan(buf, n, 405000000), need);
        size_t len = strlen(buf);
        ASSERT(len < n);                          /* NUL-terminated inside n */
        ASSERT(strncmp(buf, full, len) == 0);     /* a prefix of the full text */
        ASSERT(buf[n] == 'X');                    /* nothing written past n */
    }
    /* cuts fall on character boundaries: n = 6 has room for "4.05" + 1 byte of 亿 */
    cb_fmt_yuan(buf, 6, 405000000);
    ASSERT_EQ_STR(buf, "4.05");
    cb_fmt_yuan(buf, 8, 405000000);
    ASSERT_EQ_STR(buf, "4.05亿");
    cb_fmt_yuan(buf, 1, 405000000);
    ASSERT_EQ_STR(buf, "");
    ASSERT_EQ_INT(cb_fmt_count(buf, 4, 200000, "人", "近"), strlen("近20万人"));
    ASSERT_EQ_STR(buf, "近");
    ASSERT_EQ_INT(cb_fmt_thousands(buf, 3, 1234567, 0), strlen("1,234,567"));
    ASSERT_EQ_STR(buf, "1,");
    ASSERT_EQ_INT(cb_fmt_percent(NULL, 0, 0.675, 1), 5);
    ASSERT_EQ_INT(cb_fmt_decimal(NULL, 0, NAN, 2), 3);
}

TEST(huge_values)
{
    char buf[512];
    size_t r = cb_fmt_yuan(buf, sizeof buf, 1e300);
    ASSERT_EQ_INT(r, strlen(buf));
    ASSERT_EQ_STR(buf, "1e+288万亿元"); /* 1e288 万亿: not 289 digits */
    cb_fmt_yuan(buf, sizeof buf, -1.2345e300);
    ASSERT_EQ_STR(buf, "-1.2345e+288万亿元");
    cb_fmt_thousands(buf, sizeof buf, 1e300, 0);
    ASSERT_EQ_STR(buf, "1e+300");
    cb_fmt_count(buf, sizeof buf, 1e300, "人", "近");
    ASSERT_EQ_STR(buf, "近1e+288万亿人");
    cb_fmt_en_yuan(buf, sizeof buf, 1e300);
    ASSERT_EQ_STR(buf, "CNY 1e+288 trillion");
    r = cb_fmt_decimal(buf, sizeof buf, 5e-324, 20);
    ASSERT_EQ_STR(buf, "0");
    r = cb_fmt_decimal(buf, sizeof buf, 1.5, 1000); /* decimals clamped */
    ASSERT_EQ_STR(buf, "1.5");
}

/* Unit boundaries ------------------------------------------------------------------- */

/* Every unit boundary (万, 亿, 万亿; million, billion, trillion), for money and counts, in
 * both languages: just below, at and just above it, and a value that rounds up across it
 * (99995000 people is "1亿人", never "10000万人"). Rule (numfmt.c): a value moves up a
 * unit once, rounded to a whole number of the unit below, it reaches the unit above. */
typedef struct boundary_case {
    double v;
    const char *yuan, *people; /* as money, and as a count of 人 (people) */
} boundary_case;

static const boundary_case zh[] = {
    /* 元 | 万 */
    {9999, "9999元", "9999人"}, {9999.49, "9999元", "9999.49人"}, {9999.5, "1万元", "1万人"},
    {10000, "1万元", "1万人"}, {10001, "1万元", "1万人"}, {10050, "1.01万元", "1.01万人"},
    {-9999.5, "-1万元", "-1万人"},
    /* 万 | 亿 */
    {99990000, "9999万元", "9999万人"}, {99994999, "9999.5万元", "9999.5万人"},
    {99995000, "1亿元", "1亿人"}, {99999999, "1亿元", "1亿人"}, {100000000, "1亿元", "1亿人"},
    {100000001, "1亿元", "1亿人"}, {100500000, "1.01亿元", "1.01亿人"},
    {-99995000, "-1亿元", "-1亿人"},
    /* 亿 | 万亿 */
    {999900000000, "9999亿元", "9999亿人"}, {999949999999, "9999.5亿元", "9999.5亿人"},
    {999950000000, "1万亿元", "1万亿人"}, {999999999999, "1万亿元", "1万亿人"},
    {1e12, "1万亿元", "1万亿人"}, {1000000000001, "1万亿元", "1万亿人"},
    {1.2e12, "1.2万亿元", "1.2万亿人"}, {12345600000000, "12.35万亿元", "12.35万亿人"},
    {-999950000000, "-1万亿元", "-1万亿人"},
    /* nothing above 万亿 */
    {99999e12, "99999万亿元", "99999万亿人"},
};

static const boundary_case en[] = {
    /* none | million */
    {995000, "CNY 995,000", "995,000 people"}, {999999.49, "CNY 999,999", "999,999.49 people"},
    {999999.5, "CNY 1 million", "1 million people"}, {1e6, "CNY 1 million", "1 million people"},
    {1000001, "CNY 1 million", "1 million people"},
    {1005000, "CNY 1.01 million", "1.01 million people"},
    {-999999.5, "CNY -1 million", "-1 million people"},
    /* million | billion */
    {995000000, "CNY 995 million", "995 million people"},
    {999494999, "CNY 999.49 million", "999.49 million people"},
    {999499999, "CNY 999.5 million", "999.5 million people"},
    {999500000, "CNY 1 billion", "1 billion people"}, {999999999, "CNY 1 billion", "1 billion people"},
    {1e9, "CNY 1 billion", "1 billion people"}, {1000000001, "CNY 1 billion", "1 billion people"},
    {3.44e9, "CNY 3.44 billion", "3.44 billion people"},
    {-995000000, "CNY -995 million", "-995 million people"},
    /* billion | trillion */
    {995e9, "CNY 995 billion", "995 billion people"},
    {999499999999, "CNY 999.5 billion", "999.5 billion people"},
    {999500000000, "CNY 1 trillion", "1 trillion people"}, {1e12, "CNY 1 trillion", "1 trillion people"},
    {1.5e12, "CNY 1.5 trillion", "1.5 trillion people"},
    /* nothing above trillion */
    {1e15, "CNY 1,000 trillion", "1,000 trillion people"},
};

typedef size_t (*boundary_fn)(char *out, size_t n, double v);
static size_t count_people(char *o, size_t n, double v) { return cb_fmt_count(o, n, v, "人", NULL); }
static size_t en_count_people(char *o, size_t n, double v) { return cb_fmt_en_count(o, n, v, "people", NULL); }

/* 1 (and a line on stderr) if fn(v) is not want */
static int boundary_wrong(const char *what, boundary_fn fn, double v, const char *want)
{
    char out[128];
    size_t r = fn(out, sizeof out, v);
    if (strcmp(out, want) == 0 && r == strlen(want)) return 0;
    fprintf(stderr, "%s(%.17g): \"%s\", want \"%s\"\n", what, v, out, want);
    return 1;
}

/* Checks every row as money and as a count, printing each mismatch; returns their number. */
static int check_boundaries(boundary_fn yuan, boundary_fn people, const boundary_case *c, size_t n)
{
    int bad = 0;
    for (size_t i = 0; i < n; i++)
        bad += boundary_wrong("yuan", yuan, c[i].v, c[i].yuan) +
               boundary_wrong("people", people, c[i].v, c[i].people);
    return bad;
}

TEST(unit_boundaries)
{
    int bad = check_boundaries(cb_fmt_yuan, count_people, zh, sizeof zh / sizeof zh[0]) +
              check_boundaries(cb_fmt_en_yuan, en_count_people, en, sizeof en / sizeof en[0]);
    ASSERT_EQ_INT(bad, 0);
}

TEST(english)
{
    YUAN_EN(405000000, "CNY 405 million");
    YUAN_EN(84000000, "CNY 84 million");
    YUAN_EN(5000, "CNY 5,000");
    YUAN_EN(5000.5, "CNY 5,001");
    YUAN_EN(0, "CNY 0");
    YUAN_EN(NAN, DASH);
    COUNT_EN(2396, "person-times", "余", "over 2,396 person-times");
    COUNT_EN(2396, "person-times", "多", "over 2,396 person-times");
    COUNT_EN(1.5e6, "people", "近", "nearly 1.5 million people");
    COUNT_EN(300, "mu", "约", "about 300 mu");
    COUNT_EN(300, "mu", "上下", "上下 300 mu");
    COUNT_EN(16.4749, "km", NULL, "16.47 km");
    COUNT_EN(468, NULL, NULL, "468");
    COUNT_EN(468, "", "", "468");
    COUNT_EN(INFINITY, "people", "近", DASH);
}

/* Lua binding ----------------------------------------------------------------------- */

static lua_State *new_lua(void)
{
    lua_State *L = luaL_newstate();
    luaL_openlibs(L);
    cb_lua_open_fmt(L);
    lua_setglobal(L, "fmt");
    return L;
}

/* Runs code that returns one value; copies it (or the error) into out. Returns 0 on
 * success, 1 on a Lua error. */
static int run_lua(lua_State *L, const char *code, char *out, size_t n)
{
    int err = luaL_dostring(L, code);
    const char *s = lua_tostring(L, -1);
    snprintf(out, n, "%s", s ? s : "(nil)");
    lua_settop(L, 0);
    return err != 0;
}

/* closes L before failing, so a failed case does not leak the state under ASan */
#define LUA_EQ(code, want)                                                       \
    do {                                                                         \
        char got_[512];                                                          \
        int e_ = run_lua(L, code, got_, sizeof got_);                            \
        if (e_ || strcmp(got_, want) != 0) {                                     \
            lua_close(L);                                                        \
            TEST_FAIL_("%s: %s\"%s\", want \"%s\"", code, e_ ? "error " : "", got_, \
                       want);                                                    \
        }                                                                        \
    } while (0)

TEST(lua_open_sets_no_global)
{
    lua_State *L = luaL_newstate();
    ASSERT_EQ_INT(cb_lua_open_fmt(L), 1);
    int is_table = lua_istable(L, -1);
    lua_getglobal(L, "fmt");
    int global_nil = lua_isnil(L, -1);
    lua_close(L);
    ASSERT(is_table);
    ASSERT(global_nil);
}

TEST(lua_functions)
{
    lua_State *L = new_lua();
    LUA_EQ("return fmt.yuan(405000000)", "4.05亿元");
    LUA_EQ("return fmt.yuan(99995000)", "1亿元");
    LUA_EQ("return fmt.wan(3000000)", "300");
    LUA_EQ("return fmt.count(468)", "468");
    LUA_EQ("return fmt.count(468, '个')", "468个");
    LUA_EQ("return fmt.count(30000, '亩', '余')", "3万余亩");
    LUA_EQ("return fmt.count(200000, '人', '近')", "近20万人");
    LUA_EQ("return fmt.count(5, nil, '约')", "约5");
    LUA_EQ("return fmt.percent(0.675)", "67.5%");
    LUA_EQ("return fmt.percent(0.12345, 2)", "12.35%");
    LUA_EQ("return fmt.thousands(1234567.5)", "1,234,568");
    LUA_EQ("return fmt.thousands(1234.567, 2)", "1,234.57");
    LUA_EQ("return fmt.decimal(2.675)", "2.68");
    LUA_EQ("return fmt.decimal(16.47123, 3)", "16.471");
    LUA_EQ("return fmt.yuan(0/0)", DASH);
    LUA_EQ("return fmt.decimal(math.huge)", DASH);
    LUA_EQ("return fmt.yuan(math.tointeger(405000000))", "4.05亿元");
    /* longer than the binding's stack buffer */
    LUA_EQ("return #fmt.count(1, string.rep('x', 300))", "301");
    lua_close(L);
}

TEST(lua_english)
{
    lua_State *L = luaL_newstate();
    luaL_openlibs(L);
    cb_lua_open_fmt_en(L);
    lua_setglobal(L, "fmt");
    LUA_EQ("return fmt.yuan(405000000)", "CNY 405 million");
    LUA_EQ("return fmt.yuan(995000000)", "CNY 995 million");
    LUA_EQ("return fmt.count(2396, 'person-times', '余')", "over 2,396 person-times");
    LUA_EQ("return fmt.count(99995000)", "100 million");
    LUA_EQ("return fmt.wan(3000000)", "300");             /* the others as in Chinese */
    LUA_EQ("return #fmt.count(1, string.rep('x', 300))", "302"); /* "1 x..." */
    lua_close(L);
}

TEST(lua_argument_errors)
{
    lua_State *L = new_lua();
    char msg[512];
    int e1 = run_lua(L, "return fmt.yuan('x')", msg, sizeof msg);
    char msg2[512];
    int e2 = run_lua(L, "return fmt.count(1, {})", msg2, sizeof msg2);
    char msg3[512];
    int e3 = run_lua(L, "return fmt.percent()", msg3, sizeof msg3);
    lua_close(L);
    ASSERT(e1);
    ASSERT_CONTAINS(msg, "number expected");
    ASSERT_CONTAINS(msg, "bad argument #1 to 'yuan'");
    ASSERT(e2);
    ASSERT_CONTAINS(msg2, "bad argument #2 to 'count'");
    ASSERT(e3);
    ASSERT_CONTAINS(msg3, "number expected, got no value");
}

static const test_case tests[] = {
    TEST_ENTRY(header_examples),
    TEST_ENTRY(rounding_binary_noise),
    TEST_ENTRY(trailing_zeros),
    TEST_ENTRY(unit_switch_after_rounding),
    TEST_ENTRY(negative),
    TEST_ENTRY(zero),
    TEST_ENTRY(nan_inf),
    TEST_ENTRY(wan_table_cells),
    TEST_ENTRY(count_values),
    TEST_ENTRY(count_qualifiers),
    TEST_ENTRY(thousands_grouping),
    TEST_ENTRY(truncation),
    TEST_ENTRY(huge_values),
    TEST_ENTRY(unit_boundaries),
    TEST_ENTRY(english),
    TEST_ENTRY(lua_open_sets_no_global),
    TEST_ENTRY(lua_functions),
    TEST_ENTRY(lua_english),
    TEST_ENTRY(lua_argument_errors),
    {0},
};

TEST_MAIN(tests)
