/*
 * numfmt.c: see numfmt.h.
 *
 * Rounding method: a double is first turned into a decimal digit string with 15
 * significant digits (snprintf "%.14e"). 15 digits is what a double holds reliably, so
 * this step removes binary noise: 4.05 (stored as 4.0499999999999998...) becomes "405"
 * with the point after the first digit, and 2.675 becomes "2675". All later work is done
 * on that digit string: scaling to 万/亿/percent only moves the decimal point (exact, no
 * division error), and rounding half away from zero is done on the digits themselves.
 * The cost is that digits past the 15th significant one are lost, which no report
 * figure needs.
 *
 * Unit choice (元, 万, 亿, 万亿; in English none, million, billion, trillion): a value
 * moves to the larger unit once, rounded to a whole number of the smaller unit, it
 * reaches the larger one. So 99995000 yuan (9999.5万, whole 10000万) is "1亿元" as
 * numfmt.h requires, 99990000 stays "9999万元", 9999.6 yuan is "1万元", a count of 9999
 * stays "9999", and 999500000 is "1 billion" while 995000000 is "995 million".
 *
 * Output goes through a small writer that counts every byte it would write and stores
 * only what fits, so each function returns the needed length like snprintf. When output
 * is truncated the cut is moved back to a UTF-8 character boundary so that out is always
 * valid UTF-8 (a half 亿 would break the PDF text layer).
 */
#include "numfmt.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DEC_DIGITS 15   /* significant digits kept from a double */
#define MAX_DECIMALS 20 /* more than this is meaningless at 15 significant digits */

static const char DASH[] = "\xe2\x80\x94"; /* U+2014 EM DASH, shown for NaN/Inf */

/* |value| = 0.dig[0]dig[1]... * 10^point; zero is ndig == 0, point == 0. dig has room
 * for the one extra leading digit a rounding carry can add. Trailing zero digits are
 * always trimmed, so a rendered fraction never ends in '0'. */
typedef struct cb_dec {
    int neg;
    int ndig;
    int point;
    char dig[DEC_DIGITS + 1];
} cb_dec;

static void dec_trim(cb_dec *d)
{
    while (d->ndig > 0 && d->dig[d->ndig - 1] == '0') d->ndig--;
    if (d->ndig == 0) { /* one zero: never "-0", never "000" */
        d->neg = 0;
        d->point = 0;
    }
}

/* v must be finite. */
static cb_dec dec_from(double v)
{
    cb_dec d = {0};
    char buf[40];
    /* "d.dddddddddddddde+XX": one digit, point, DEC_DIGITS - 1 digits, exponent */
    snprintf(buf, sizeof buf, "%.*e", DEC_DIGITS - 1, fabs(v));
    d.neg = signbit(v) != 0;
    d.dig[0] = buf[0];
    memcpy(d.dig + 1, buf + 2, DEC_DIGITS - 1);
    d.ndig = DEC_DIGITS;
    d.point = atoi(strchr(buf, 'e') + 1) + 1;
    dec_trim(&d);
    return d;
}

/* Multiplies by 10^n: only the point moves, so it is exact. */
static void dec_shift(cb_dec *d, int n)
{
    if (d->ndig > 0) d->point += n;
}

/* Rounds half away from zero to `decimals` digits after the point. Working on the
 * magnitude's digits makes "round up" mean "away from zero" for both signs. */
static void dec_round(cb_dec *d, int decimals)
{
    int keep = d->point + decimals; /* digits that stay */
    if (d->ndig <= keep) return;
    if (keep < 0) { /* below half a unit of the last place */
        d->ndig = 0;
        dec_trim(d);
        return;
    }
    int up = d->dig[keep] >= '5';
    d->ndig = keep;
    if (up) {
        int i = keep - 1;
        for (; i >= 0; i--) {
            if (d->dig[i] != '9') {
                d->dig[i]++;
                break;
            }
            d->dig[i] = '0';
        }
        if (i < 0) { /* carry out of the top: 999.6 -> 1000 */
            memmove(d->dig + 1, d->dig, (size_t)keep);
            d->dig[0] = '1';
            d->ndig = keep + 1;
            d->point++;
        }
    }
    dec_trim(d);
}

/* 1 if |d| >= 10^k. A non-zero 0.D * 10^point lies in [10^(point-1), 10^point). */
static int dec_ge_pow10(const cb_dec *d, int k) { return d->ndig > 0 && d->point - 1 >= k; }

/* Units by magnitude, as powers of ten from the plain number up: 万, 亿, 万亿 in Chinese;
 * million, billion, trillion in English. */
enum { NSCALES = 4 };
static const int ZH_SCALE[NSCALES] = {0, 4, 8, 12};
static const int EN_SCALE[NSCALES] = {0, 6, 9, 12};

/* The unit d is shown in (an index into scale): it moves up a unit once, rounded to a
 * whole number of the unit below, it reaches the unit above. The test is on rounded
 * figures, so that no rounding can carry the shown number up to 10000 of a unit. */
static int dec_scale(const cb_dec *d, const int *scale)
{
    int k = 0;
    while (k + 1 < NSCALES) {
        cb_dec t = *d;
        dec_shift(&t, -scale[k]);
        dec_round(&t, 0);
        if (!dec_ge_pow10(&t, scale[k + 1] - scale[k])) break;
        k++;
    }
    return k;
}

static int clamp_decimals(int decimals)
{
    return decimals < 0 ? 0 : decimals > MAX_DECIMALS ? MAX_DECIMALS : decimals;
}

/* snprintf-like sink: counts everything, stores what fits with room for the NUL. */
typedef struct cb_wr {
    char *out;
    size_t n, len;
} cb_wr;

static void wr_put(cb_wr *w, const char *s, size_t len)
{
    if (w->len + 1 < w->n) {
        size_t room = w->n - 1 - w->len;
        memcpy(w->out + w->len, s, len < room ? len : room);
    }
    w->len += len;
}

static void wr_puts(cb_wr *w, const char *s)
{
    if (s) wr_put(w, s, strlen(s));
}

static void wr_putc(cb_wr *w, char c) { wr_put(w, &c, 1); }

/* Length of the UTF-8 sequence a lead byte starts (1 for ASCII and stray bytes). */
static size_t utf8_seq_len(unsigned char c)
{
    if (c >= 0xF0) return 4;
    if (c >= 0xE0) return 3;
    if (c >= 0xC0) return 2;
    return 1;
}

static size_t wr_finish(cb_wr *w)
{
    if (w->n == 0) return w->len;
    size_t end = w->len;
    if (end >= w->n) {
        /* truncated: drop a trailing partial character */
        end = w->n - 1;
        size_t j = end;
        while (j > 0 && ((unsigned char)w->out[j - 1] & 0xC0) == 0x80) j--;
        if (j > 0 && j - 1 + utf8_seq_len((unsigned char)w->out[j - 1]) > end) end = j - 1;
    }
    w->out[end] = '\0';
    return w->len;
}

static size_t wr_dash(cb_wr *w)
{
    wr_puts(w, DASH);
    return wr_finish(w);
}

/* Writes d as plain decimal, optionally with ',' every three integer digits. A number
 * whose integer part needs more than DEC_DIGITS digits is written in scientific notation
 * instead ("1e+292", "-1.5e+20"): its digits past the 15th are not known, and a figure of
 * hundreds of digits would run out of any box. */
static void dec_write(cb_wr *w, const cb_dec *d, int group)
{
    if (d->neg) wr_putc(w, '-');
    if (d->point > DEC_DIGITS) {
        char e[16];
        wr_putc(w, d->dig[0]);
        if (d->ndig > 1) {
            wr_putc(w, '.');
            wr_put(w, d->dig + 1, (size_t)(d->ndig - 1));
        }
        snprintf(e, sizeof e, "e+%d", d->point - 1);
        wr_puts(w, e);
        return;
    }
    if (d->point <= 0) {
        wr_putc(w, '0');
    } else {
        for (int i = 0; i < d->point; i++) {
            if (group && i > 0 && (d->point - i) % 3 == 0) wr_putc(w, ',');
            wr_putc(w, i < d->ndig ? d->dig[i] : '0');
        }
    }
    if (d->ndig > d->point) {
        wr_putc(w, '.');
        for (int i = d->point; i < d->ndig; i++) wr_putc(w, i < 0 ? '0' : d->dig[i]);
    }
}

size_t cb_fmt_yuan(char *out, size_t n, double yuan)
{
    static const char *const unit[NSCALES] = {"元", "万元", "亿元", "万亿元"};
    cb_wr w = {out, n, 0};
    if (!isfinite(yuan)) return wr_dash(&w);
    cb_dec d = dec_from(yuan);
    int k = dec_scale(&d, ZH_SCALE);
    dec_shift(&d, -ZH_SCALE[k]);
    dec_round(&d, k ? 2 : 0); /* whole yuan, 2 decimals of 万/亿/万亿 */
    dec_write(&w, &d, 0);
    wr_puts(&w, unit[k]);
    return wr_finish(&w);
}

size_t cb_fmt_wan(char *out, size_t n, double yuan)
{
    cb_wr w = {out, n, 0};
    if (!isfinite(yuan)) return wr_dash(&w);
    cb_dec d = dec_from(yuan);
    dec_shift(&d, -4);
    dec_round(&d, 2);
    dec_write(&w, &d, 0);
    return wr_finish(&w);
}

/* 余 and 多 read after the number ("2396余人次", "3万余亩"); anything else (近, 约, ...)
 * reads before it. */
static int qualifier_follows(const char *q)
{
    return strcmp(q, "余") == 0 || strcmp(q, "多") == 0;
}

size_t cb_fmt_count(char *out, size_t n, double value, const char *unit, const char *qualifier)
{
    static const char *const scale[NSCALES] = {"", "万", "亿", "万亿"};
    cb_wr w = {out, n, 0};
    if (!isfinite(value)) return wr_dash(&w);
    const char *q = qualifier ? qualifier : "";
    int follows = qualifier_follows(q);
    cb_dec d = dec_from(value);
    int k = dec_scale(&d, ZH_SCALE);
    dec_shift(&d, -ZH_SCALE[k]);
    /* integers have no digits after the point, so this prints them whole */
    dec_round(&d, 2);
    if (!follows) wr_puts(&w, q);
    dec_write(&w, &d, 0);
    wr_puts(&w, scale[k]);
    if (follows) wr_puts(&w, q);
    wr_puts(&w, unit);
    return wr_finish(&w);
}

/* An English figure: "405 million", "3.44 billion" (2 decimals), below a million with
 * thousands separators and at most `decimals` decimals ("2,396"). */
static void en_figure(cb_wr *w, double v, int decimals)
{
    static const char *const word[NSCALES] = {"", " million", " billion", " trillion"};
    cb_dec d = dec_from(v);
    int k = dec_scale(&d, EN_SCALE);
    dec_shift(&d, -EN_SCALE[k]);
    dec_round(&d, k ? 2 : clamp_decimals(decimals));
    dec_write(w, &d, 1);
    wr_puts(w, word[k]);
}

size_t cb_fmt_en_yuan(char *out, size_t n, double yuan)
{
    cb_wr w = {out, n, 0};
    if (!isfinite(yuan)) return wr_dash(&w);
    wr_puts(&w, "CNY ");
    en_figure(&w, yuan, 0);
    return wr_finish(&w);
}

/* The article's qualifiers in English: 余/多 "over", 近 "nearly", 约 "about"; any other
 * is written as given. */
static const char *en_qualifier(const char *q)
{
    if (!q || !*q) return NULL;
    if (qualifier_follows(q)) return "over";
    if (strcmp(q, "近") == 0) return "nearly";
    if (strcmp(q, "约") == 0) return "about";
    return q;
}

size_t cb_fmt_en_count(char *out, size_t n, double value, const char *unit, const char *qualifier)
{
    cb_wr w = {out, n, 0};
    if (!isfinite(value)) return wr_dash(&w);
    const char *q = en_qualifier(qualifier);
    if (q) {
        wr_puts(&w, q);
        wr_putc(&w, ' ');
    }
    en_figure(&w, value, 2);
    if (unit && *unit) {
        wr_putc(&w, ' ');
        wr_puts(&w, unit);
    }
    return wr_finish(&w);
}

size_t cb_fmt_percent(char *out, size_t n, double ratio, int decimals)
{
    cb_wr w = {out, n, 0};
    if (!isfinite(ratio)) return wr_dash(&w);
    cb_dec d = dec_from(ratio);
    dec_shift(&d, 2);
    dec_round(&d, clamp_decimals(decimals));
    dec_write(&w, &d, 0);
    wr_putc(&w, '%');
    return wr_finish(&w);
}

/* Trailing zeros are dropped here too: decimals is a maximum, as everywhere else. */
size_t cb_fmt_thousands(char *out, size_t n, double value, int decimals)
{
    cb_wr w = {out, n, 0};
    if (!isfinite(value)) return wr_dash(&w);
    cb_dec d = dec_from(value);
    dec_round(&d, clamp_decimals(decimals));
    dec_write(&w, &d, 1);
    return wr_finish(&w);
}

size_t cb_fmt_decimal(char *out, size_t n, double value, int decimals)
{
    cb_wr w = {out, n, 0};
    if (!isfinite(value)) return wr_dash(&w);
    cb_dec d = dec_from(value);
    dec_round(&d, clamp_decimals(decimals));
    dec_write(&w, &d, 0);
    return wr_finish(&w);
}
