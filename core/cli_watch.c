/* cli_watch.c: `countybrief render --watch` (cli.h): render, then again on every change
 * of the report, its modules, the template or the data. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "cli.h"
#include "paths.h"
#include "pool.h"

static uint64_t mix(uint64_t h, const void *p, size_t n) { return cb_fnv1a(h, p, n); }

/* Folds a file's path and identity (util.h: an edit that keeps size and mtime changes the
 * ctime) into the stamp. */
static void stamp_file(void *ud, const char *path, const struct stat *st)
{
    uint64_t *h = ud;
    cb_file_id id = cb_file_id_of(st);
    *h = mix(*h, path, strlen(path));
    *h = mix(*h, &id, offsetof(cb_file_id, settled)); /* its settling is no change */
}

/* Stamps path itself (missing: "-"), then, a folder, its files as cb_walk_files finds them
 * (regular files only, no folder links: never a hang or a loop). */
static void stamp(uint64_t *h, const char *path, const char *suffix, int depth)
{
    struct stat st;
    if (stat(path, &st) != 0) *h = mix(*h, "-", 1);
    else if (!S_ISDIR(st.st_mode)) stamp_file(h, path, &st);
    else cb_walk_files(path, suffix, depth, stamp_file, h);
}

/* What --watch looks at: the report and the modules it can require (as the input hash,
 * batch.c), the template folder, the data. */
static uint64_t watch_stamp(const cb_render_opts *o)
{
    const char *share = cb_share_dir();
    uint64_t h = CB_FNV_SEED;
    char *report = cb_report_file(o->report ? o->report : "briefing", share, NULL);
    if (report) {
        stamp(&h, report, NULL, 0);
        const char *slash = strrchr(report, '/');
        char *dir = slash ? cb_xstrndup(report, (size_t)(slash - report)) : cb_xstrdup(".");
        stamp(&h, dir, ".lua", CB_MODULE_DEPTH);
        free(dir);
        free(report);
    } else {
        h = mix(h, "-", 1); /* the error is printed by the render */
    }
    char *scripts = cb_path_join(share, "scripts");
    stamp(&h, scripts, ".lua", CB_MODULE_DEPTH);
    free(scripts);
    const char *tpl = o->template_name ? o->template_name : "briefing";
    char *tdir = strchr(tpl, '/') ? cb_xstrdup(tpl) : cb_xasprintf("%s/templates/%s", share, tpl);
    stamp(&h, tdir, NULL, 1);
    free(tdir);
    char *data = o->data_dir ? cb_xstrdup(o->data_dir) : cb_path_join(share, "examples/data");
    stamp(&h, data, NULL, 1);
    free(data);
    return h;
}

/* --watch of a report over all counties: the counties named (none: all), in a worker. */
static void watch_render_all(cb_engine *e, char **counties, size_t ncounties, const cb_batch_opts *bo)
{
    size_t *which = ncounties ? cb_xmalloc(ncounties * sizeof *which) : NULL, n = 0;
    for (size_t i = 0; i < ncounties; i++) {
        long k = cb_dataset_find_county(&e->ds, counties[i]);
        if (k >= 0) which[n++] = (size_t)k;
        else fprintf(stderr, "countybrief: %s: no such county in %s\n", counties[i], e->data_dir);
    }
    n = sort_unique(which, n);
    job_run r = {.e = e, .all = 1, .which = which, .n = n, .verb = "rendered"};
    size_t job = 0;
    run_jobs(&r, &job, 1, bo);
    free(which);
}

/* 1 if the report runs once over all counties (then --watch needs no --county). */
static int report_is_all(cb_render_opts *o)
{
    cb_engine e;
    cb_error err;
    int all = cb_engine_open(&e, o, &err) == CB_OK && e.decl.scope == CB_SCOPE_ALL;
    cb_engine_close(&e);
    return all;
}

/* Renders language k of the watch (cli_open_lang); 0 when the language list itself is
 * wrong (a language the report is not written in), which renders none of them. */
static int watch_render_lang(cb_render_opts *o, const cli_ask *a, size_t k, const cb_batch_opts *bo)
{
    char **counties = a->counties;
    size_t ncounties = a->ncounties;
    cb_engine e;
    cb_error err;
    int rc = cli_open_lang(&e, o, a, k, stdout, &err);
    if (rc == CB_OK && (rc = cb_engine_prepare_output(&e, &err)) != CB_OK) cb_engine_close(&e);
    if (rc != CB_OK) {
        fprintf(stderr, "countybrief: %s\n", err.msg);
        return rc != CB_EUSAGE;
    }
    if (e.decl.scope == CB_SCOPE_ALL) {
        watch_render_all(&e, counties, ncounties, bo);
        cb_engine_close(&e);
        return 1;
    }
    size_t *jobs = cb_xmalloc(ncounties * sizeof *jobs), n = 0;
    char **clash = cb_output_clashes(&e);
    for (size_t i = 0; i < ncounties; i++) {
        long k = cb_dataset_find_county(&e.ds, counties[i]);
        if (k < 0) fprintf(stderr, "countybrief: %s: no such county in %s\n", counties[i], e.data_dir);
        else if (clash && clash[k]) fprintf(stderr, "countybrief: %s\n", clash[k]);
        else jobs[n++] = (size_t)k;
    }
    cb_output_clashes_free(&e, clash);
    job_run r = {.e = &e, .verb = "rendered"};
    run_jobs(&r, jobs, n, bo);
    free(jobs);
    cb_engine_close(&e);
    return 1;
}

/* One round of the watch: every language, as a render with it alone would. */
static void watch_render_once(cb_render_opts *o, const cli_ask *a, const cb_batch_opts *bo)
{
    for (size_t k = 0; k < cli_nlangs(a) && !cb_pool_stop_signal(); k++)
        if (!watch_render_lang(o, a, k, bo)) break;
}

int cmd_watch(cb_render_opts *o, const cli_ask *a, const cb_batch_opts *bo)
{
    if (!a->ncounties && !report_is_all(o)) {
        fprintf(stderr, "countybrief: --watch needs --county NAME (the county to re-render)\n");
        return EXIT_USAGE;
    }
    watch_render_once(o, a, bo);
    /* stamped after the first render, which may create the output folder among the files
     * watched (a report in the current folder): that is no change of the author's */
    uint64_t last = watch_stamp(o);
    if (!o->quiet) fprintf(stderr, "countybrief: watching for changes (Ctrl-C to stop)\n");
    while (!cb_pool_stop_signal()) { /* Ctrl-C: the end of a watch, exit 0 (a render under way finishes) */
        struct timespec ts = {0, 300 * 1000000L};
        nanosleep(&ts, NULL);
        if (cb_pool_stop_signal()) break;
        uint64_t now = watch_stamp(o);
        if (now == last) continue;
        last = now;
        watch_render_once(o, a, bo);
    }
    return EXIT_OK;
}
