/* cli_check.c: `countybrief check` (cli.h): every county run and laid out, no PDF. */
#include <stdio.h>
#include <stdlib.h>

#include "check.h"
#include "cli.h"
#include "pool.h"

/* check for a report over all counties: one run over those named (or all), its errors
 * and warnings named by the file it writes. */
static void check_all(job_run *r, char **counties, size_t ncounties, const cb_batch_opts *bo,
                      size_t *checked)
{
    cb_engine *e = r->e;
    size_t *which = ncounties ? cb_xmalloc(ncounties * sizeof *which) : NULL, n = 0;
    for (size_t k = 0; k < ncounties; k++) {
        long i = cb_dataset_find_county(&e->ds, counties[k]);
        if (i >= 0) which[n++] = (size_t)i;
        else {
            printf("error: %s: no such county in %s\n", counties[k], e->data_dir);
            r->errors++;
        }
    }
    n = sort_unique(which, n);
    *checked = ncounties ? n : e->ds.ncounties;
    r->all = 1;
    r->which = which;
    r->n = ncounties ? n : 0;
    size_t job = 0;
    run_jobs(r, &job, 1, bo);
    free(which);
}

/* Checks language k of the run (cli_open_lang), as `check --lang` with it alone would. */
static int check_lang(cb_render_opts *o, const cli_ask *a, size_t k, const cb_batch_opts *bo)
{
    char **counties = a->counties;
    size_t ncounties = a->ncounties;
    cb_engine e;
    cb_error err;
    o->keep_needs = 1;
    int rc = cli_open_lang(&e, o, a, k, stdout, &err);
    if (rc != CB_OK) {
        printf("error: %s\ncheck: 1 error, 0 warnings\n", err.msg);
        return exit_for(rc);
    }
    size_t data_errors = cb_check_needs(&e.needs, &e.ds, e.report_name, stdout, "error: ");
    size_t checked = 0;
    job_run r = {.e = &e, .check = 1};
    for (size_t i = 0; i < e.ds.nnotes; i++) { /* skipped files, encodings (data.h) */
        printf("%s: %s\n", e.ds.notes[i].warning ? "warning" : "note", e.ds.notes[i].msg);
        r.warnings += (size_t)e.ds.notes[i].warning;
    }
    if (e.decl.scope == CB_SCOPE_ALL) {
        check_all(&r, counties, ncounties, bo, &checked);
        goto summary;
    }
    size_t *jobs = cb_xmalloc((e.ds.ncounties ? e.ds.ncounties : 1) * sizeof *jobs), njobs = 0;
    char **clash = cb_output_clashes(&e);
    for (size_t i = 0; i < e.ds.ncounties; i++) {
        int wanted = !ncounties;
        for (size_t k = 0; k < ncounties && !wanted; k++)
            wanted = cb_dataset_find_county(&e.ds, counties[k]) == (long)i;
        if (!wanted) continue;
        if (clash && clash[i]) { /* not checked: it would not be rendered */
            printf("error: %s\n", clash[i]);
            r.errors++;
            checked++;
            continue;
        }
        jobs[njobs++] = i;
        checked++;
    }
    cb_output_clashes_free(&e, clash);
    run_jobs(&r, jobs, njobs, bo);
    free(jobs);
summary:
    if (cb_pool_stop_signal() && r.finished < r.njobs) {
        char done[64];
        snprintf(done, sizeof done, "%zu checked", r.finished);
        cb_engine_close(&e);
        return say_stopped(cb_pool_stop_signal(), done, r.njobs - r.finished, "check");
    }
    size_t errors = r.errors + data_errors, warnings = r.warnings;
    printf("check: %zu error%s, %zu warning%s in %zu count%s (report %s, data %s)\n", errors,
           errors == 1 ? "" : "s", warnings, warnings == 1 ? "" : "s", checked,
           checked == 1 ? "y" : "ies", e.report_name, e.data_dir);
    cb_engine_close(&e);
    return data_errors ? EXIT_DATA : errors ? EXIT_SOME_FAILED : EXIT_OK;
}

/* Each language of the run in turn, all checked whatever each finds (the data's errors
 * too: its layout differs by language) unless one is not the report's or a stop came; the
 * exit status is the first that is not 0. */
int cmd_check(cb_render_opts *o, const cli_ask *a, const cb_batch_opts *bo)
{
    int code = EXIT_OK;
    for (size_t k = 0; k < cli_nlangs(a) && code != EXIT_USAGE && !cb_pool_stop_signal(); k++) {
        int c = check_lang(o, a, k, bo);
        if (code == EXIT_OK) code = c;
    }
    return code;
}
