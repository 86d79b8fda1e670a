/* cli_render.c: `countybrief render` (cli.h): a batch, or a report over all counties. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "output.h"
#include "pool.h"

/* A report over all counties: one run in a worker (the CPU budget's hard stop and
 * --timeout end it, not countybrief), one PDF, no manifest. In a sharded run only shard 1
 * renders it. */
static int render_all(cb_engine *e, const size_t *which, size_t n, const cb_batch_opts *bo)
{
    if (bo->nshards && bo->shard != 0) {
        if (!bo->quiet) printf("nothing to do: a report over all counties is rendered by shard 1\n");
        return EXIT_OK;
    }
    job_run r = {.e = e, .all = 1, .which = which, .n = n, .quiet = bo->quiet, .verb = "wrote"};
    size_t job = 0;
    int rc = run_jobs(&r, &job, 1, bo);
    if (rc == CB_OK && !r.finished && cb_pool_stop_signal()) {
        cb_output_sweep(e->out_dir); /* what the killed worker was writing */
        return say_stopped(cb_pool_stop_signal(), "0 rendered", 1, "render");
    }
    if (rc != CB_OK || r.failed) { /* its previous files no longer match the data (render.h) */
        char *who = cb_output_all_name(e);
        for (size_t k = 0; k < e->nformats; k++) {
            char *file = cb_output_file(e, -1, k);
            cb_output_retire(e, file, who);
            free(file);
        }
        free(who);
        return EXIT_SOME_FAILED;
    }
    return EXIT_OK;
}

/* "shard 4 of 8 (SLURM_ARRAY_TASK_ID=3): 375 of 3000 counties", before a sharded batch. */
static void say_shard(const cb_engine *e, const cb_batch_opts *bo, const char *from)
{
    size_t n = bo->which ? bo->nwhich : e->ds.ncounties, mine = 0;
    for (size_t i = 0; i < n; i++)
        mine += cb_shard_of(cb_county_id(&e->ds, bo->which ? bo->which[i] : i), bo->nshards) == bo->shard;
    printf("shard %zu of %zu%s%s%s: %zu of %s%zu count%s%s\n", bo->shard + 1, bo->nshards, *from ? " (" : "", from,
           *from ? ")" : "", mine, bo->which ? "the " : "", n, n == 1 ? "y" : "ies", bo->which ? " named" : "");
}

/* Renders language k of the run (cli_open_lang), as `render --lang` with it alone would. */
static int render_lang(cb_render_opts *o, const cli_ask *a, size_t k, cb_batch_opts *bo, const char *shard_from)
{
    char **counties = a->counties;
    size_t ncounties = a->ncounties;
    cb_engine e;
    cb_error err;
    int rc = cli_open_lang(&e, o, a, k, stdout, &err);
    if (rc != CB_OK) {
        fprintf(stderr, "countybrief: %s\n", err.msg);
        return exit_for(rc);
    }
    /* which counties: all, or those named (each checked before anything is written) */
    size_t *which = NULL;
    if (ncounties) {
        which = cb_xmalloc(ncounties * sizeof *which);
        for (size_t i = 0; i < ncounties; i++) {
            long k = cb_dataset_find_county(&e.ds, counties[i]);
            if (k < 0) {
                fprintf(stderr, "countybrief: %s: no such county in %s (try `countybrief list`)\n",
                        counties[i], e.data_dir);
                free(which);
                cb_engine_close(&e);
                return EXIT_USAGE;
            }
            which[i] = (size_t)k;
        }
    }
    bo->which = which;
    bo->nwhich = ncounties;
    if ((rc = cb_engine_prepare_output(&e, &err)) != CB_OK) {
        fprintf(stderr, "countybrief: %s\n", err.msg);
        free(which);
        cb_engine_close(&e);
        return EXIT_OUTPUT;
    }
    if (e.decl.scope == CB_SCOPE_ALL) {
        size_t n = sort_unique(which, ncounties);
        int code = render_all(&e, which, n, bo);
        free(which);
        cb_engine_close(&e);
        return code;
    }
    if (bo->nshards && !bo->quiet) say_shard(&e, bo, shard_from);
    cb_batch_summary sum;
    rc = cb_batch_run(&e, bo, &sum, &err);
    if (rc != CB_OK) fprintf(stderr, "countybrief: %s\n", err.msg);
    if (rc == CB_OK && sum.stopped && sum.left) {
        char done[160];
        snprintf(done, sizeof done, "%zu rendered", sum.rendered);
        if (sum.skipped) snprintf(done + strlen(done), sizeof done - strlen(done), ", %zu skipped (unchanged)", sum.skipped);
        if (sum.failed) snprintf(done + strlen(done), sizeof done - strlen(done), ", %zu failed", sum.failed);
        free(which);
        cb_engine_close(&e);
        return say_stopped(sum.stopped, done, sum.left, "render");
    }
    size_t done = sum.rendered + sum.failed;
    char stale[96] = "";
    if (sum.stale)
        snprintf(stale, sizeof stale, " (%zu previous PDF%s moved aside as .stale)", sum.stale, sum.stale == 1 ? "" : "s");
    if (!bo->quiet || sum.failed)
        fprintf(sum.failed ? stderr : stdout,
                "%zu rendered, %zu skipped (unchanged), %zu failed%s in %.2f s (%.1f per second)\n",
                sum.rendered, sum.skipped, sum.failed, stale, sum.seconds,
                sum.seconds > 0 ? done / sum.seconds : 0.0);
    free(which);
    cb_engine_close(&e);
    if (rc != CB_OK) return EXIT_OUTPUT;
    return sum.failed ? EXIT_SOME_FAILED : EXIT_OK;
}

/* Each language of the run in turn; the exit status is the first that is not 0. */
int cmd_render(cb_render_opts *o, const cli_ask *a, cb_batch_opts *bo, const char *shard_from)
{
    int code = EXIT_OK;
    for (size_t k = 0; k < cli_nlangs(a) && cli_lang_goes_on(code); k++) {
        int c = render_lang(o, a, k, bo, shard_from);
        if (code == EXIT_OK) code = c;
    }
    return code;
}
