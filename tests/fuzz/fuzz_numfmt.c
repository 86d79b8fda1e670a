/*
 * fuzz_numfmt: every cb_fmt_* function (core/numfmt.c) with values decoded from the input
 * (fz_double: NaN, infinities, DBL_MAX, subnormals, -0, halves, decimals such as 12.345,
 * raw bits), decimals from -128 to 127, units and qualifiers from a list or from the input,
 * and output buffers of every size from 0 up.
 *
 * Input: [function][decimals][buffer size][unit][qualifier][value...][unit text...]
 *
 * Checked (names for CB_FUZZ_IGNORE in brackets):
 *  [snprintf]  with a large buffer the result is NUL-terminated and the returned length is
 *              its strlen; with a buffer of n bytes the function returns the same length,
 *              writes nothing at all when n is 0, never writes past n, and leaves a
 *              NUL-terminated prefix of the full text cut at a character boundary, at most
 *              3 bytes (one partial character) short of n - 1;
 *  [utf8]      the output (full or cut) is valid UTF-8;
 *  [dash]      NaN and the infinities give "—" and nothing else;
 *  [shape]     finite values give [-]digits[.digits] (with ',' every three digits for
 *              cb_fmt_thousands, and the unit, scale and qualifier where they belong); no
 *              "-0", no leading zeros, no trailing zeros after the point, at most the
 *              decimals asked for (clamped to 0..20), 2 for 万/亿/万亿, 0 for plain yuan;
 *  [unit]      the unit switches as numfmt.h says: 元 below 1万 (after rounding), 万元 below
 *              1亿, 亿元 below 1万亿, 万亿元 above; the shown number is below 10000 in
 *              元/万/亿 and at least 1 in 万/亿/万亿 (same for counts: none, 万, 亿, 万亿);
 *  [value]     the shown number times its unit is the value, within half a unit of the
 *              last decimal shown plus the 15-significant-digit rounding numfmt.c applies.
 */
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_common.h"
#include "numfmt.h"

enum { F_YUAN, F_WAN, F_COUNT, F_PERCENT, F_THOUSANDS, F_DECIMAL, F_COUNT_FN };
static const char *const fn_names[] = {"cb_fmt_yuan", "cb_fmt_wan", "cb_fmt_count",
                                       "cb_fmt_percent", "cb_fmt_thousands", "cb_fmt_decimal"};

static const char *const units[] = {"个", "人次", "人", "元", "亩", "%", "", "km", "千米", "项目",
                                    "😀", "a\xCC\x81", NULL};
static const char *const qualifiers[] = {"余", "多", "近", "约", "", "超过", "余余", "多 ",
                                         "x", NULL};
#define NUNITS (sizeof units / sizeof units[0])
#define NQUALS (sizeof qualifiers / sizeof qualifiers[0])

#define BIG 8192
#define CANARY 0xA5

typedef struct call {
    int fn;
    double v;
    int decimals;
    const char *unit, *qual;
} call;

static size_t run(const call *c, char *out, size_t n)
{
    switch (c->fn) {
    case F_YUAN: return cb_fmt_yuan(out, n, c->v);
    case F_WAN: return cb_fmt_wan(out, n, c->v);
    case F_COUNT: return cb_fmt_count(out, n, c->v, c->unit, c->qual);
    case F_PERCENT: return cb_fmt_percent(out, n, c->v, c->decimals);
    case F_THOUSANDS: return cb_fmt_thousands(out, n, c->v, c->decimals);
    default: return cb_fmt_decimal(out, n, c->v, c->decimals);
    }
}

static const call *cur;
static const char *cur_out;

static void describe(void)
{
    fprintf(stderr, "%s(value %.17g [%a], decimals %d, unit ", fn_names[cur->fn], cur->v, cur->v,
            cur->decimals);
    if (cur->unit) fz_dump(stderr, cur->unit, strlen(cur->unit));
    else fputs("NULL", stderr);
    fputs(", qualifier ", stderr);
    if (cur->qual) fz_dump(stderr, cur->qual, strlen(cur->qual));
    else fputs("NULL", stderr);
    fputs(") -> ", stderr);
    if (cur_out) fz_dump(stderr, cur_out, strlen(cur_out));
    fputc('\n', stderr);
}

#define EXPECT(name, cond, ...)                                                             \
    do {                                                                                    \
        if (!(cond) && !fz_ignored(name)) {                                                 \
            describe();                                                                     \
            CHECK(name, cond, __VA_ARGS__);                                                 \
        }                                                                                   \
    } while (0)

static int starts_with(const char *s, const char *prefix)
{
    return strncmp(s, prefix, strlen(prefix)) == 0;
}

static int ends_with(const char *s, size_t len, const char *suffix)
{
    size_t n = strlen(suffix);
    return len >= n && memcmp(s + len - n, suffix, n) == 0;
}

/* Parses the number at the start of s: [-]digits[,ddd...][.digits]. Returns its length (0
 * if none) and sets *value, the count of decimals and whether it has a fraction. */
static size_t parse_shown(const char *s, size_t len, int grouped, double *value, int *decimals)
{
    char buf[1024];
    size_t k = 0, i = 0;
    int neg = 0;
    if (i < len && s[i] == '-') {
        neg = 1;
        buf[k++] = s[i++];
    }
    size_t int_start = i, digits = 0, since_comma = 0;
    int saw_comma = 0;
    while (i < len && ((s[i] >= '0' && s[i] <= '9') || (grouped && s[i] == ','))) {
        if (s[i] == ',') {
            /* a comma after 1-3 digits at first, exactly 3 after that */
            EXPECT("shape", digits > 0 && since_comma <= 3 && (!saw_comma || since_comma == 3),
                   "misplaced ',' at %zu", i);
            saw_comma = 1;
            since_comma = 0;
            i++;
            continue;
        }
        if (k < sizeof buf - 2) buf[k++] = s[i];
        digits++;
        since_comma++;
        i++;
    }
    if (!digits) return 0;
    if (saw_comma) EXPECT("shape", since_comma == 3, "the last group has %zu digits", since_comma);
    if (grouped && !saw_comma) EXPECT("shape", digits <= 3, "%zu digits and no ','", digits);
    EXPECT("shape", !(digits > 1 && s[int_start] == '0'), "leading zero");
    *decimals = 0;
    int sci = 0;
    if (i < len && s[i] == '.') {
        buf[k++] = s[i++];
        size_t frac = 0;
        while (i < len && s[i] >= '0' && s[i] <= '9') {
            if (k < sizeof buf - 2) buf[k++] = s[i];
            frac++;
            i++;
        }
        EXPECT("shape", frac > 0, "a point without decimals");
        EXPECT("shape", s[i - 1] != '0', "a trailing zero after the point");
        *decimals = (int)frac;
        sci = i < len && s[i] == 'e';
        if (sci) EXPECT("shape", digits + frac <= 15, "%zu significant digits", digits + frac);
    }
    if (sci || (i < len && s[i] == 'e')) {
        /* scientific notation: for an integer part of more than 15 digits (numfmt.h) */
        EXPECT("shape", digits == 1 && !saw_comma && s[int_start] != '0', "mantissa");
        EXPECT("shape", i + 2 < len && s[i + 1] == '+', "exponent sign");
        buf[k++] = 'e';
        i += 2;
        int e = 0;
        size_t ed = 0;
        while (i < len && s[i] >= '0' && s[i] <= '9') {
            e = e * 10 + (s[i] - '0');
            if (k < sizeof buf - 2) buf[k++] = s[i];
            i++;
            ed++;
        }
        EXPECT("shape", ed > 0 && e >= 15, "exponent %d: scientific notation for %d integer digits", e, e + 1);
        *decimals = -1; /* no decimals shown: the precision is the 15 digits */
    } else {
        EXPECT("shape", digits <= 15, "%zu integer digits, not in scientific notation", digits);
    }
    buf[k] = '\0';
    *value = strtod(buf, NULL);
    EXPECT("shape", !(neg && *value == 0), "negative zero shown");
    return i;
}

static void check_value(double shown, double scale, int decimals, double v)
{
    /* the shown number rounds v / scale to `decimals` places, after numfmt.c's own rounding
     * of v to 15 significant digits */
    double expect = v / scale;
    if (!isfinite(expect)) return; /* DBL_MAX as a percentage: nothing to compare with */
    if (!isfinite(shown)) { /* DBL_MAX to 15 digits, 1.79769313486232e+308, reads as inf */
        EXPECT("value", fabs(expect) > DBL_MAX / (1 + 1e-14), "shown %g for %.17g", shown, expect);
        return;
    }
    double tol = (decimals < 0 ? 0 : 0.5 * pow(10, -decimals) * (1 + 1e-9)) + fabs(expect) * 1e-14 + 1e-300;
    EXPECT("value", fabs(shown - expect) <= tol,
           "shown %.17g, value / unit %.17g, off by %.3g (tolerance %.3g)", shown, expect,
           fabs(shown - expect), tol);
}

static int clamp_dec(int d) { return d < 0 ? 0 : d > 20 ? 20 : d; }

/* The full output of a finite value, checked against the function's contract. */
static void check_finite(const call *c, const char *out, size_t len)
{
    const char *p = out;
    size_t rest = len;
    double shown;
    int dec;
    switch (c->fn) {
    case F_YUAN: {
        size_t k = parse_shown(p, rest, 0, &shown, &dec);
        EXPECT("shape", k > 0, "no number");
        const char *unit = out + k;
        double scale;
        if (strcmp(unit, "万亿元") == 0) scale = 1e12;
        else if (strcmp(unit, "亿元") == 0) scale = 1e8;
        else if (strcmp(unit, "万元") == 0) scale = 1e4;
        else {
            EXPECT("shape", strcmp(unit, "元") == 0, "unknown unit");
            scale = 1;
        }
        EXPECT("shape", dec <= (scale == 1 ? 0 : 2), "%d decimals", dec);
        EXPECT("unit", scale == 1e12 || fabs(shown) < 10000, "%g in a unit too small", shown);
        EXPECT("unit", scale == 1 || shown == 0 || fabs(shown) >= 1, "%g in a unit too large", shown);
        /* 元 is chosen only when the rounded yuan are below 1万, 万 only below 1亿, 亿 only
         * below 1万亿 */
        if (scale == 1) EXPECT("unit", fabs(c->v) < 9999.5 + 1e-9 * fabs(c->v), "元 for %g", c->v);
        if (scale == 1e4) EXPECT("unit", fabs(c->v) < 99995000 * (1 + 1e-14), "万元 for %g", c->v);
        if (scale == 1e8) EXPECT("unit", fabs(c->v) >= 99995000 * (1 - 1e-14), "亿元 for %g", c->v);
        if (scale == 1e8) EXPECT("unit", fabs(c->v) < 999950000000 * (1 + 1e-14), "亿元 for %g", c->v);
        if (scale == 1e12) EXPECT("unit", fabs(c->v) >= 999950000000 * (1 - 1e-14), "万亿元 for %g", c->v);
        check_value(shown, scale, dec < 0 ? -1 : scale == 1 ? 0 : 2, c->v);
        break;
    }
    case F_WAN: {
        size_t k = parse_shown(p, rest, 0, &shown, &dec);
        EXPECT("shape", k > 0 && k == len, "not just a number");
        EXPECT("shape", dec <= 2, "%d decimals", dec);
        check_value(shown, 1e4, dec < 0 ? -1 : 2, c->v);
        break;
    }
    case F_COUNT: {
        const char *q = c->qual ? c->qual : "";
        int follows = strcmp(q, "余") == 0 || strcmp(q, "多") == 0;
        if (!follows) {
            EXPECT("shape", starts_with(p, q), "the qualifier does not lead");
            p += strlen(q);
            rest -= strlen(q);
        }
        size_t k = parse_shown(p, rest, 0, &shown, &dec);
        EXPECT("shape", k > 0, "no number");
        p += k;
        /* then the scale (none, 万, 亿 or 万亿), the qualifier if it follows, and the unit */
        char tail[512];
        snprintf(tail, sizeof tail, "%s%s", follows ? q : "", c->unit ? c->unit : "");
        double scale = 0;
        if (strcmp(p, tail) == 0) scale = 1;
        else if (starts_with(p, "万") && strcmp(p + strlen("万"), tail) == 0) scale = 1e4;
        else if (starts_with(p, "亿") && strcmp(p + strlen("亿"), tail) == 0) scale = 1e8;
        else if (starts_with(p, "万亿") && strcmp(p + strlen("万亿"), tail) == 0) scale = 1e12;
        EXPECT("shape", scale != 0, "after the number: expected [万|亿|万亿]\"%s\"", tail);
        EXPECT("shape", dec <= 2, "%d decimals", dec);
        EXPECT("unit", scale == 1e12 || fabs(shown) < 10000, "%g in a scale too small", shown);
        EXPECT("unit", scale == 1 || shown == 0 || fabs(shown) >= 1, "%g in a scale too large", shown);
        if (scale == 1) EXPECT("unit", fabs(c->v) < 9999.5 + 1e-9 * fabs(c->v), "no 万 for %g", c->v);
        check_value(shown, scale, dec < 0 ? -1 : 2, c->v);
        break;
    }
    case F_PERCENT: {
        EXPECT("shape", ends_with(out, len, "%"), "no %%");
        size_t k = parse_shown(p, rest - 1, 0, &shown, &dec);
        EXPECT("shape", k > 0 && k == len - 1, "not a number and %%");
        EXPECT("shape", dec <= clamp_dec(c->decimals), "%d decimals", dec);
        check_value(shown, 0.01, dec < 0 ? -1 : clamp_dec(c->decimals), c->v);
        break;
    }
    case F_THOUSANDS:
    case F_DECIMAL: {
        size_t k = parse_shown(p, rest, c->fn == F_THOUSANDS, &shown, &dec);
        EXPECT("shape", k > 0 && k == len, "not just a number");
        EXPECT("shape", dec <= clamp_dec(c->decimals), "%d decimals", dec);
        check_value(shown, 1, dec < 0 ? -1 : clamp_dec(c->decimals), c->v);
        break;
    }
    }
}

/* A unit or qualifier from the input: valid UTF-8 only (the functions copy it through, and
 * the caller vouches for it), at most 60 bytes. */
static char *text_from(fz_reader *r, int is_unit)
{
    const uint8_t *raw;
    size_t n = fz_bytes(r, fz_u8(r) % 61, &raw);
    cb_buf b = {0};
    cb_buf_add(&b, "", 0);
    const char *s = (const char *)raw, *end = s + n;
    while (s < end) {
        const char *q = s;
        uint32_t cp = cb_utf8_next(&q, end);
        if (cp && !(cp == 0xFFFD && q - s != 3)) cb_buf_add(&b, s, (size_t)(q - s));
        s = q;
    }
    /* a unit starting like a number ("5个", ".5") would read as more digits */
    if (is_unit && b.len && strchr("0123456789.,eE", b.s[0])) {
        char *t = cb_xasprintf("个%s", b.s);
        cb_buf_free(&b);
        return t;
    }
    return b.s;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fz_reader r = {data, size};
    call c;
    c.fn = fz_u8(&r) % F_COUNT_FN;
    c.decimals = (int8_t)fz_u8(&r);
    uint8_t nsel = fz_u8(&r);
    uint8_t usel = fz_u8(&r), qsel = fz_u8(&r);
    c.v = fz_double(&r);
    char *own_unit = NULL, *own_qual = NULL;
    c.unit = units[usel % NUNITS];
    c.qual = qualifiers[qsel % NQUALS];
    if (usel >= 0xF0) c.unit = own_unit = text_from(&r, 1);
    if (qsel >= 0xF0) c.qual = own_qual = text_from(&r, 0);
    cur = &c;
    cur_out = NULL;

    /* the full text */
    static char full[BIG];
    memset(full, CANARY, sizeof full);
    size_t need = run(&c, full, sizeof full);
    EXPECT("snprintf", need < sizeof full, "needs %zu bytes", need);
    EXPECT("snprintf", memchr(full, '\0', sizeof full) != NULL, "not NUL-terminated");
    cur_out = full;
    EXPECT("snprintf", strlen(full) == need, "returned %zu, strlen %zu", need, strlen(full));
    EXPECT("utf8", cb_utf8_valid(full, need), "invalid UTF-8");
    if (!isfinite(c.v)) EXPECT("dash", strcmp(full, "\xe2\x80\x94") == 0, "not a dash");
    else check_finite(&c, full, need);

    /* a buffer of n bytes, inside a larger one filled with a canary */
    size_t n = nsel < 200 ? nsel : (size_t)nsel * 4;
    if (n > need + 8) n = need + 8;
    static char small[BIG + 64];
    memset(small, CANARY, sizeof small);
    char *out = small + 16;
    size_t got = run(&c, n ? out : NULL, n);
    EXPECT("snprintf", got == need, "with %zu bytes returned %zu, with %d returned %zu", n, got, BIG, need);
    for (size_t i = 0; i < 16; i++)
        EXPECT("snprintf", (unsigned char)small[i] == CANARY, "wrote before the buffer");
    for (size_t i = n; i < n + 32; i++)
        EXPECT("snprintf", (unsigned char)out[i] == CANARY, "wrote byte %zu of a %zu-byte buffer", i, n);
    if (n > 0) {
        const char *nul = memchr(out, '\0', n);
        EXPECT("snprintf", nul != NULL, "no NUL in %zu bytes", n);
        size_t k = (size_t)(nul - out);
        EXPECT("snprintf", memcmp(out, full, k) == 0, "not a prefix of the full text");
        if (need < n) EXPECT("snprintf", k == need, "fits in %zu but cut at %zu", n, k);
        else EXPECT("snprintf", k + 4 >= n, "cut at %zu of %zu: more than a partial character lost", k, n);
        EXPECT("utf8", cb_utf8_valid(out, k), "cut output is invalid UTF-8");
    }
    free(own_unit);
    free(own_qual);
    return 0;
}
