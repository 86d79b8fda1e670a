/* clock.c: see clock.h. */
#include "clock.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Whole seconds 0..CB_DATE_MAX, digits only (no sign, no space): 1 with *t. */
static int parse_seconds(const char *s, long long *t)
{
    if (!*s || strspn(s, "0123456789") != strlen(s)) return 0;
    char *end;
    errno = 0;
    long long v = strtoll(s, &end, 10);
    if (*end || errno || v > CB_DATE_MAX) return 0;
    *t = v;
    return 1;
}

int cb_source_date(long long *t)
{
    const char *s = getenv("SOURCE_DATE_EPOCH");
    if (!s || !*s) return 0;
    return parse_seconds(s, t) ? 1 : -1;
}

int cb_date_parse(const char *s, long long *t)
{
    int y, m, d, n = 0;
    if (strlen(s) == 10 && sscanf(s, "%4d-%2d-%2d%n", &y, &m, &d, &n) == 3 && n == 10 && s[4] == '-' &&
        s[7] == '-' && strspn(s, "0123456789-") == 10 && y >= 1970 && m >= 1 && m <= 12 && d >= 1 && d <= 31) {
        struct tm tm = {.tm_year = y - 1900, .tm_mon = m - 1, .tm_mday = d};
        time_t v = timegm(&tm);
        if (tm.tm_mday != d || tm.tm_mon != m - 1) return 0; /* 2023-02-30 rolled over */
        *t = (long long)v;
        return 1;
    }
    return parse_seconds(s, t);
}

int cb_clock_resolve(cb_clock *c, const char *date, cb_error *err)
{
    memset(c, 0, sizeof *c);
    int got = cb_source_date(&c->t);
    if (got < 0)
        return cb_fail(err, CB_EUSAGE, "SOURCE_DATE_EPOCH=%.40s is not a time a PDF can hold: it must be "
                       "whole seconds since 1970, 0 to %lld (the end of the year 9999)",
                       getenv("SOURCE_DATE_EPOCH"), CB_DATE_MAX);
    if (got) {
        c->set = 1;
        return CB_OK;
    }
    if (!date || !*date) return CB_OK;
    if (!strcmp(date, "today")) {
        time_t now = time(NULL);
        c->t = (long long)now - (long long)now % 86400;
    } else if (!cb_date_parse(date, &c->t)) {
        return cb_fail(err, CB_EUSAGE, "--date %.40s is not a date: expected YYYY-MM-DD (1970-01-01 to "
                       "9999-12-31), whole seconds since 1970 (0 to %lld) or today", date, CB_DATE_MAX);
    }
    c->set = 1;
    return CB_OK;
}
