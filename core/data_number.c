/* data_number.c: number cells (data.h, cb_number_parse; docs/data.md, "Numbers"). */
#include "data.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* ---- numbers ---- */

static int is_digit(char c) { return c >= '0' && c <= '9'; }

/* A character of a number cell as the ASCII it stands for: full-width forms (U+FF01 ..
 * U+FF5E, as a Chinese input method types them: １２３．５) map to ASCII, U+2212 MINUS
 * SIGN to '-'. Other non-ASCII characters give 0. */
static char number_char(uint32_t cp)
{
    if (cp < 0x80) return (char)cp;
    if (cp >= 0xFF01 && cp <= 0xFF5E) return (char)(cp - 0xFF01 + 0x21);
    if (cp == 0x2212) return '-';
    return 0;
}

/* Spaces around a number: ASCII space and tab, the ideographic space, no-break space. */
static int is_blank_cp(uint32_t cp) { return cp == ' ' || cp == '\t' || cp == 0x3000 || cp == 0xA0; }

/* a (NUL-terminated ASCII) is NaN or an infinity, with any sign and case. */
static int names_nonfinite(const char *a)
{
    if (*a == '+' || *a == '-') a++;
    static const char *const words[] = {"nan", "inf", "infinity"};
    for (size_t w = 0; w < 3; w++) {
        size_t i = 0;
        while (words[w][i] && a[i] && (a[i] | 0x20) == words[w][i]) i++;
        if (!words[w][i] && !a[i]) return 1;
    }
    return 0;
}

/* The strict grammar, on ASCII without separators: optional sign, digits with an optional
 * fraction (at least one digit in all), optional exponent. */
static int number_grammar(const char *p)
{
    if (*p == '+' || *p == '-') p++;
    size_t digits = 0;
    while (is_digit(*p)) p++, digits++;
    if (*p == '.') {
        p++;
        while (is_digit(*p)) p++, digits++;
    }
    if (!digits) return 0;
    if (*p == 'e' || *p == 'E') {
        p++;
        if (*p == '+' || *p == '-') p++;
        if (!is_digit(*p)) return 0;
        while (is_digit(*p)) p++;
    }
    return *p == '\0';
}

/* Thousands separators in a (ASCII) are where they belong: only in the integer part,
 * which they split into a first group of 1-3 digits (not starting with 0) and groups of
 * exactly 3. */
static int grouping_ok(const char *a)
{
    const char *p = a;
    if (*p == '+' || *p == '-') p++;
    size_t group = 0, groups = 0;
    int lead_zero = *p == '0';
    for (; is_digit(*p) || *p == ','; p++) {
        if (is_digit(*p)) {
            group++;
            continue;
        }
        if (groups == 0 ? (group == 0 || group > 3 || lead_zero) : group != 3) return 0;
        groups++;
        group = 0;
    }
    if (groups && group != 3) return 0;
    return strchr(p, ',') == NULL; /* none in the fraction or exponent */
}

cb_number_status cb_number_parse(const char *s, double *out)
{
    /* normalise: trim blanks, full-width to ASCII; commas kept in a, dropped in b */
    size_t len = strlen(s);
    char stack_a[96], stack_b[96];
    char *a = len < sizeof stack_a ? stack_a : cb_xmalloc(len + 1);
    char *b = len < sizeof stack_b ? stack_b : cb_xmalloc(len + 1);
    const char *p = s, *end = s + len;
    size_t na = 0, nb = 0, last_solid = 0;
    int commas = 0;
    cb_number_status st = CB_NUM_OK;
    while (p < end) {
        uint32_t cp = cb_utf8_next(&p, end);
        if (is_blank_cp(cp)) {
            if (na) a[na++] = ' '; /* inner blanks stay, so "1 000" is no number */
            continue;
        }
        char c = number_char(cp);
        if (!c || c == ' ') {
            st = CB_NUM_NOT_NUMBER;
            break;
        }
        a[na++] = c;
        last_solid = na;
        if (c == ',') commas = 1;
        else b[nb++] = c;
    }
    na = last_solid; /* trailing blanks */
    a[na] = '\0';
    b[nb] = '\0';
    if (st == CB_NUM_OK) {
        if (names_nonfinite(a)) st = CB_NUM_NOT_FINITE;
        else if (strchr(a, ' ') || !number_grammar(b)) st = CB_NUM_NOT_NUMBER;
        else if (commas && !grouping_ok(a)) st = CB_NUM_BAD_GROUPING;
    }
    if (st == CB_NUM_OK) {
        /* the grammar is checked above and strtod only converts: alone it would also take
         * hex, "inf", "nan" and locale forms (the engine runs in the "C" locale, so its
         * decimal point is '.') */
        double v = strtod(b, NULL);
        if (!isfinite(v)) st = CB_NUM_NOT_FINITE; /* 1e999 overflows */
        else *out = v;
    }
    if (a != stack_a) free(a);
    if (b != stack_b) free(b);
    return st;
}

int cb_parse_number(const char *s, double *out) { return cb_number_parse(s, out) == CB_NUM_OK; }
