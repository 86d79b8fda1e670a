/*
 * repeats.h: the same error in many counties, printed a few times and then counted.
 *
 * A batch where 2,000 counties fail the same way (a column missing from one file, a
 * plugin that crashes on one kind of data) should not bury the other lines: the first
 * CB_REPEATS_SHOWN errors of each kind are printed as they come, one line says the rest
 * are counted, and cb_repeats_summary prints "(and N more counties with the same error)"
 * at the end. Errors are of one kind when they are equal once the county's id and name
 * are taken out. The caller keeps every county's own message (the manifest has them all).
 */
#ifndef CB_REPEATS_H
#define CB_REPEATS_H

#include <stddef.h>
#include <stdio.h>

#define CB_REPEATS_SHOWN 3

typedef struct cb_repeat_kind cb_repeat_kind;
typedef struct cb_repeats {
    cb_repeat_kind *kinds; /* owned; cb_repeats_free */
    size_t n;
} cb_repeats;

/* Counts msg (the error of the county id, name) and prints it as "PREFIX msg\n" to out
 * unless CB_REPEATS_SHOWN of its kind were printed already. */
void cb_repeats_print(cb_repeats *r, FILE *out, const char *prefix, const char *msg, const char *id,
                      const char *name);
/* One line per kind that was cut short: "PREFIX <its last line> (and N more counties with
 * the same error)". */
void cb_repeats_summary(const cb_repeats *r, FILE *out, const char *prefix);
void cb_repeats_free(cb_repeats *r);

#endif /* CB_REPEATS_H */
