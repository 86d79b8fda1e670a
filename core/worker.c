/* worker.c: see worker.h. */
#include "worker.h"

#include <stddef.h>
#include <stdio.h>

/*
 * Process-wide state, each because no handle can reach it: my_mark and retiring belong to
 * a worker process (set once it is forked; cb_worker_mark and cb_worker_retire are called
 * from plugin calls deep in a county's render, which carry no pool).
 */
static cb_mark_slot *my_mark; /* in a worker: its slot; in the parent: NULL */
static int retiring;          /* in a worker: cb_worker_retire was called during this job */

void cb_worker_mark(int kind, const void *what, const char *fn)
{
    cb_mark_slot *m = my_mark;
    if (!m) return;
    m->what = what;
    if (fn) snprintf(m->fn, sizeof m->fn, "%s", fn);
    else m->fn[0] = '\0';
    m->kind = kind;
}

void cb_worker_retire(void)
{
    if (my_mark) retiring = 1;
}

void cb_worker_start(cb_mark_slot *slot)
{
    my_mark = slot;
}

int cb_worker_end_job(void)
{
    my_mark->kind = CB_MARK_NONE; /* a job's mark never outlives it */
    return retiring;
}
