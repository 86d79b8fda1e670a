/* cells.c: pure helpers of the xlsx plugin. See xlsx.h. */
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "xlsx.h"

/* ------------------------------------------------------------------ buffers */

void *xl_xrealloc(void *p, size_t n)
{
    void *q = realloc(p, n ? n : 1);
    if (!q) {
        fputs("countybrief: xlsx plugin: out of memory\n", stderr);
        abort();
    }
    return q;
}

static void buf_reserve(xl_buf *b, size_t extra)
{
    if (b->len + extra + 1 <= b->cap) return;
    size_t cap = b->cap ? b->cap : 64;
    while (cap < b->len + extra + 1) cap *= 2;
    b->s = xl_xrealloc(b->s, cap);
    b->cap = cap;
}

void xl_buf_add(xl_buf *b, const char *s, size_t n)
{
    buf_reserve(b, n);
    memcpy(b->s + b->len, s, n);
    b->len += n;
    b->s[b->len] = '\0';
}

void xl_buf_addc(xl_buf *b, char c) { xl_buf_add(b, &c, 1); }

const char *xl_buf_cstr(xl_buf *b)
{
    buf_reserve(b, 0);
    b->s[b->len] = '\0';
    return b->s;
}

void xl_buf_free(xl_buf *b)
{
    free(b->s);
    memset(b, 0, sizeof *b);
}

/* ------------------------------------------------------------------ references */

int xl_parse_ref(const char *s, uint32_t *col, uint32_t *row)
{
    uint64_t c = 0, r = 0;
    size_t nl = 0, nd = 0;
    const char *p = s;
    for (; *p >= 'A' && *p <= 'Z'; p++, nl++)
        if (nl < 4) c = c * 26 + (uint64_t)(*p - 'A' + 1);
    for (; *p >= '0' && *p <= '9'; p++, nd++)
        if (nd < 8) r = r * 10 + (uint64_t)(*p - '0');
    if (*p || !nl || !nd) return -1;
    if (nl > 3 || c > XL_MAX_COL || nd > 7 || r < 1 || r > XL_MAX_ROW) return -2;
    *col = (uint32_t)c;
    *row = (uint32_t)r;
    return 0;
}

void xl_col_name(uint32_t col, char *out)
{
    char tmp[4];
    int n = 0;
    while (col > 0 && n < 3) {
        uint32_t rem = (col - 1) % 26;
        tmp[n++] = (char)('A' + rem);
        col = (col - 1) / 26;
    }
    for (int i = 0; i < n; i++) out[i] = tmp[n - 1 - i];
    out[n] = '\0';
}

void xl_ref_name(uint32_t col, uint32_t row, char *out)
{
    char letters[4];
    xl_col_name(col, letters);
    snprintf(out, 16, "%s%u", letters, (unsigned)row);
}

/* ------------------------------------------------------------------ numbers */

int xl_parse_number(const char *s, double *out)
{
    const char *p = s;
    while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r') p++;
    const char *start = p;
    if (*p == '+' || *p == '-') p++;
    size_t digits = 0;
    while (isdigit((unsigned char)*p)) p++, digits++;
    if (*p == '.') {
        p++;
        while (isdigit((unsigned char)*p)) p++, digits++;
    }
    if (!digits) return 0;
    if (*p == 'e' || *p == 'E') {
        p++;
        if (*p == '+' || *p == '-') p++;
        if (!isdigit((unsigned char)*p)) return 0;
        while (isdigit((unsigned char)*p)) p++;
    }
    const char *end = p;
    while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r') p++;
    if (*p) return 0;
    /* the grammar is checked above; strtod only converts (the host runs in the C locale) */
    char *e;
    double v = strtod(start, &e);
    if (e != end || !isfinite(v)) return 0;
    *out = v;
    return 1;
}

void xl_number_text(double v, char *out)
{
    if (v == 0) snprintf(out, 32, "0");
    else if (v == floor(v) && fabs(v) <= 9007199254740992.0) snprintf(out, 32, "%.0f", v);
    else snprintf(out, 32, "%.15g", v);
}

/* ------------------------------------------------------------------ number formats */

int xl_builtin_format(unsigned id)
{
    switch (id) {
    case 14: case 15: case 16: case 17:              /* m/d/yyyy, d-mmm-yy, d-mmm, mmm-yy */
    case 27: case 28: case 29: case 30: case 31:     /* zh-CN: yyyy"年"m"月" ... */
    case 36: case 50: case 51: case 52: case 53: case 54: case 57: case 58:
        return XL_FMT_DATE;
    case 22:                                         /* m/d/yyyy h:mm */
        return XL_FMT_DATETIME;
    case 18: case 19: case 20: case 21:              /* h:mm AM/PM ... h:mm:ss */
    case 32: case 33: case 34: case 35: case 55: case 56: /* zh-CN: h"时"mm"分" ... */
    case 45: case 46: case 47:                       /* mm:ss, [h]:mm:ss, mmss.0 */
        return XL_FMT_TIME;
    default:
        return XL_FMT_NUMBER;
    }
}

int xl_code_format(const char *code, int *elapsed)
{
    int date = 0, time = 0, pending_m = 0;
    char prev = 0; /* the last date or time letter seen, lower case */
    *elapsed = 0;
    for (const char *p = code; *p && *p != ';'; p++) { /* the first section decides */
        char c = *p;
        if (c == '"') { /* literal text */
            for (p++; *p && *p != '"'; p++) {}
            if (!*p) break;
            continue;
        }
        if (c == '\\' || c == '_' || c == '*') { /* escaped, padding or fill character */
            if (p[1]) p++;
            continue;
        }
        if (c == '[') { /* [h] [mm] [ss] are durations; [Red], [$-804], [>100] are not */
            const char *q = p + 1;
            char l = (char)tolower((unsigned char)*q);
            size_t n = 0;
            while (tolower((unsigned char)q[n]) == l && l) n++;
            if (n && q[n] == ']' && (l == 'h' || l == 'm' || l == 's')) {
                time = 1;
                *elapsed = 1;
                prev = l;
            }
            while (*p && *p != ']') p++;
            if (!*p) break;
            continue;
        }
        char l = (char)tolower((unsigned char)c);
        if (strncasecmp(p, "am/pm", 5) == 0 || strncasecmp(p, "a/p", 3) == 0) {
            time = 1;
            p += l == 'a' && tolower((unsigned char)p[1]) == 'm' ? 4 : 2;
            continue;
        }
        if (l == 'y' || l == 'd' || l == 'h' || l == 's' || l == 'm') {
            while (tolower((unsigned char)p[1]) == l) p++;
            if (l == 'm') {
                /* minutes after hours or before seconds, months otherwise */
                if (prev == 'h') time = 1;
                else pending_m = 1;
            } else {
                if (pending_m) {
                    if (l == 's') time = 1;
                    else date = 1;
                    pending_m = 0;
                }
                if (l == 'y' || l == 'd') date = 1;
                else time = 1;
            }
            prev = l;
        }
    }
    if (pending_m) date = 1;
    return date && time ? XL_FMT_DATETIME : date ? XL_FMT_DATE : time ? XL_FMT_TIME : XL_FMT_NUMBER;
}

/* Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm). */
static long long days_from_civil(long long y, unsigned m, unsigned d)
{
    y -= m <= 2;
    long long era = (y >= 0 ? y : y - 399) / 400;
    unsigned yoe = (unsigned)(y - era * 400);
    unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + (long long)doe - 719468;
}

static void civil_from_days(long long z, long long *y, unsigned *m, unsigned *d)
{
    z += 719468;
    long long era = (z >= 0 ? z : z - 146096) / 146097;
    unsigned doe = (unsigned)(z - era * 146097);
    unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    long long yy = (long long)yoe + era * 400;
    unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    unsigned mp = (5 * doy + 2) / 153;
    *d = doy - (153 * mp + 2) / 5 + 1;
    *m = mp < 10 ? mp + 3 : mp - 9;
    *y = yy + (*m <= 2);
}

int xl_format_serial(double v, int kind, int elapsed, int date1904, char *out)
{
    if (!isfinite(v) || v < 0 || v >= 3e6) return 0;
    long long secs = llround(v * 86400.0); /* to the second: 0.9999999 of a day is midnight */
    long long day = secs / 86400;
    unsigned rem = (unsigned)(secs % 86400);
    if (kind == XL_FMT_TIME) {
        long long h = elapsed ? secs / 3600 : rem / 3600;
        snprintf(out, 40, "%02lld:%02u:%02u", h, rem / 60 % 60, rem % 60);
        return 1;
    }
    long long y;
    unsigned m, d;
    if (date1904) {
        /* 1904 system: serial 0 is 1904-01-01 */
        if (day > 2957003) return 0; /* 9999-12-31 */
        civil_from_days(days_from_civil(1904, 1, 1) + day, &y, &m, &d);
    } else {
        /* 1900 system: serial 1 is 1900-01-01. Lotus 1-2-3 took 1900 for a leap year and
         * Excel kept it: serial 60 is the day that never was, 1900-02-29, so from serial
         * 61 (1900-03-01) on, serials count from 1899-12-30. */
        if (day < 1 || day > 2958465) return 0; /* before 1900-01-01, after 9999-12-31 */
        if (day == 60) y = 1900, m = 2, d = 29;
        else civil_from_days(days_from_civil(1899, 12, 31) + day - (day > 60), &y, &m, &d);
    }
    if (kind == XL_FMT_DATETIME)
        snprintf(out, 40, "%04lld-%02u-%02u %02u:%02u:%02u", y, m, d, rem / 3600, rem / 60 % 60,
                 rem % 60);
    else
        snprintf(out, 40, "%04lld-%02u-%02u", y, m, d);
    return 1;
}

/* ------------------------------------------------------------------ strings */

static int hexval(char c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

size_t xl_decode_escapes(char *s, size_t n)
{
    size_t i = 0, o = 0;
    while (i < n) {
        if (s[i] == '_' && i + 7 <= n && s[i + 1] == 'x' && s[i + 6] == '_') {
            int h[4];
            for (int k = 0; k < 4; k++) h[k] = hexval(s[i + 2 + k]);
            if (h[0] >= 0 && h[1] >= 0 && h[2] >= 0 && h[3] >= 0) {
                unsigned cp = (unsigned)(h[0] << 12 | h[1] << 8 | h[2] << 4 | h[3]);
                if (cp && (cp < 0xD800 || cp > 0xDFFF)) { /* 1 to 3 UTF-8 bytes for 7 */
                    if (cp < 0x80) {
                        s[o++] = (char)cp;
                    } else if (cp < 0x800) {
                        s[o++] = (char)(0xC0 | cp >> 6);
                        s[o++] = (char)(0x80 | (cp & 0x3F));
                    } else {
                        s[o++] = (char)(0xE0 | cp >> 12);
                        s[o++] = (char)(0x80 | (cp >> 6 & 0x3F));
                        s[o++] = (char)(0x80 | (cp & 0x3F));
                    }
                    i += 7;
                    continue;
                }
            }
        }
        s[o++] = s[i++];
    }
    return o;
}

static int xml_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

void xl_text_reset(xl_text *t)
{
    t->b.len = 0;
    t->seg = 0;
    t->in_t = t->preserve = t->rph = 0;
}

void xl_text_start(xl_text *t, const char *local, const char **attrs)
{
    if (strcmp(local, "rPh") == 0) {
        t->rph++;
    } else if (strcmp(local, "t") == 0 && !t->rph) {
        const char *sp = xl_attr_ns(attrs, "XML/1998/namespace", "space");
        t->in_t = 1;
        t->preserve = sp && strcmp(sp, "preserve") == 0;
        t->seg = t->b.len;
    }
}

void xl_text_end(xl_text *t, const char *local)
{
    if (strcmp(local, "rPh") == 0) {
        if (t->rph) t->rph--;
    } else if (strcmp(local, "t") == 0 && t->in_t) {
        t->in_t = 0;
        char *seg = t->b.s ? t->b.s + t->seg : NULL;
        size_t n = t->b.len - t->seg;
        size_t a = 0;
        while (seg && a < n && xml_space(seg[a])) a++;
        if (seg && !t->preserve && a < n) { /* as Excel: a blank-only run stays (" ") */
            while (n > a && xml_space(seg[n - 1])) n--;
            memmove(seg, seg + a, n - a);
            n -= a;
        }
        if (seg) n = xl_decode_escapes(seg, n);
        t->b.len = t->seg + n;
        if (t->b.s) t->b.s[t->b.len] = '\0';
    }
}

void xl_text_chars(xl_text *t, const char *s, int len)
{
    if (t->in_t && !t->rph && len > 0) xl_buf_add(&t->b, s, (size_t)len);
}

/* ------------------------------------------------------------------ expat names */

const char *xl_local(const char *name)
{
    const char *bar = strrchr(name, '|');
    return bar ? bar + 1 : name;
}

const char *xl_attr(const char **attrs, const char *local)
{
    for (size_t i = 0; attrs && attrs[i]; i += 2)
        if (strcmp(xl_local(attrs[i]), local) == 0) return attrs[i + 1];
    return NULL;
}

const char *xl_attr_ns(const char **attrs, const char *ns_part, const char *local)
{
    for (size_t i = 0; attrs && attrs[i]; i += 2) {
        const char *bar = strrchr(attrs[i], '|');
        if (!bar || strcmp(bar + 1, local) != 0) continue;
        size_t n = (size_t)(bar - attrs[i]), k = strlen(ns_part);
        for (size_t j = 0; j + k <= n; j++)
            if (strncmp(attrs[i] + j, ns_part, k) == 0) return attrs[i + 1];
    }
    return NULL;
}
