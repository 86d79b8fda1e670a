/*
 * clock.h: the document's date, the one clock for every date a document shows: the cover,
 * the PDF's creation and modification dates, os.time and os.date in report scripts; and
 * the manifest's input hash, which covers it (batch.c).
 *
 * A run's date is resolved once, before any worker forks, so every county and worker of
 * the run shows the same day even when the run crosses midnight: SOURCE_DATE_EPOCH when it
 * is set, else the --date the user gave, else none. A report may then date its own
 * document (doc:date) when the run has no date. Without any, no date is printed (the PDF
 * has no CreationDate, a cover shows none): never the machine's today unless --date today
 * asks for it, and then it is that day, fixed for the run.
 */
#ifndef CB_CLOCK_H
#define CB_CLOCK_H

#include "util.h"

/* The last second a PDF date can hold: 9999-12-31 23:59:59 UTC (four year digits). */
#define CB_DATE_MAX 253402300799LL

typedef struct cb_clock {
    int set;     /* 0: the run has no date */
    long long t; /* seconds since 1970-01-01 UTC, 0 to CB_DATE_MAX */
} cb_clock;

/* SOURCE_DATE_EPOCH (reproducible-builds.org): 1 and *t when set, 0 when unset or empty,
 * -1 when not a whole number of seconds from 0 to CB_DATE_MAX. */
int cb_source_date(long long *t);

/* A date as --date and doc:date take it: YYYY-MM-DD (a real day, 1970-01-01 to 9999-12-31;
 * midnight UTC) or whole seconds since 1970 (0 to CB_DATE_MAX). 1 with *t, else 0. */
int cb_date_parse(const char *s, long long *t);

/* The run's date: SOURCE_DATE_EPOCH, else date (--date: as cb_date_parse, or "today", the
 * current UTC day at midnight, read here once), else none (date NULL or ""). CB_EUSAGE with
 * one sentence when either is malformed. */
int cb_clock_resolve(cb_clock *c, const char *date, cb_error *err);

#endif /* CB_CLOCK_H */
