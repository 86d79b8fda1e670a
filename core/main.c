/* main.c: the countybrief command line. */
#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <math.h>
#include <signal.h>
#include <stdint.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "countybrief/countybrief.h"
#include "batch.h"
#include "manifest.h"
#include "check.h"
#include "dataindex.h"
#include "numfmt.h"
#include "paths.h"
#include "output.h"
#include "plugins.h"
#include "pool.h"
#include "repeats.h"
#include "render.h"
#include "synth.h"

/* Exit codes; documented in --help and the README. */
enum {
    EXIT_OK = 0,
    EXIT_SOME_FAILED = 1, /* at least one county failed; the others were written */
    EXIT_USAGE = 2,       /* bad option or argument, unknown county */
    EXIT_DATA = 3,        /* data folder missing or a CSV file is wrong */
    EXIT_SETUP = 4,       /* report, template or font missing or broken */
    EXIT_OUTPUT = 5,      /* the output folder cannot be created or written */
    /* 128 + the signal: stopped by SIGINT (130) or SIGTERM (143), pool.h */
};

static const char USAGE[] =
    "usage: countybrief render [options]   render one PDF briefing per county\n"
    "       countybrief list [--data DIR]   list the counties of a data folder\n"
    "       countybrief check [--report R] [--data D] [--template T] [--jobs N] [--timeout SEC]\n"
    "                                       run the report for every county without writing\n"
    "                                       PDFs, each in a worker process as render does;\n"
    "                                       print every error and warning\n"
    "       countybrief new report NAME [--dir DIR]\n"
    "                                       write a starter report folder NAME/\n"
    "       countybrief plugins             list loaded (and refused) plugins\n"
    "       countybrief manifest merge DIR [--data DIR | --expect N] [--quiet]\n"
    "                                       join the manifests of DIR (every shard layout;\n"
    "                                       the newest entry per county wins) into\n"
    "                                       manifest.json and prove it complete: exit 0\n"
    "                                       only when every county of the data (--data),\n"
    "                                       N counties, or else the count the manifests\n"
    "                                       record, has its PDF and none failed; 1 when\n"
    "                                       incomplete or failed; 3 when a manifest is\n"
    "                                       corrupt, of another data set or report\n"
    "       countybrief index --data DIR [--quiet]\n"
    "                                       write DIR/.countybrief-index, the data's index:\n"
    "                                       renders then read only their counties' rows\n"
    "       countybrief synth --counties N [--seed S] --out DIR\n"
    "                                       write a synthetic data set (labelled synthetic)\n"
    "       countybrief --help | --version\n"
    "\n"
    "render options:\n"
    "  --data DIR        data folder (default: the example data), or a source a plugin\n"
    "                    reads: sqlite:FILE.db, FILE.xlsx\n"
    "  --report R        report name under scripts/, or a .lua file (default: briefing)\n"
    "  --template T      template name under templates/, or a folder (default: briefing);\n"
    "                    files are then named <county_id>-<name>.T.pdf (.T.en.pdf in English)\n"
    "  --county C        only this county, by id or name; repeatable\n"
    "  --out DIR         output folder (default: ./out)\n"
    "  --lang LANG       zh (default) or en, for a report written in both (the briefing is);\n"
    "                    files are then named <county_id>-<name>.en.pdf\n"
    "  --font PATH       the Chinese TrueType font file (default: found by fontconfig);\n"
    "                    for en, DejaVu Sans comes first and this font draws Chinese names\n"
    "  --plugin FILE.so  load this plugin too (repeatable); plugins in the plugin folder\n"
    "                    and in COUNTYBRIEF_PLUGIN_PATH folders load by themselves\n"
    "  --jobs N          worker processes (default: the number of cores; fewer when the\n"
    "                    open-file or process limits allow no more, which is said)\n"
    "  --force           render every county, even those unchanged since the last run\n"
    "  --timeout SEC     give up on a county after SEC seconds (default 60; 0: never;\n"
    "                    at most 604800, a week)\n"
    "  --cpu-budget SEC  stop a county's report script after SEC seconds of CPU time\n"
    "                    (default 30; 0: no budget); the same for its declarations and\n"
    "                    template.lua\n"
    "  --lua-memory MIB  memory limit of a county's report script, and again of its\n"
    "                    document laid out (default 256; 0: none)\n"
    "  --date DATE       the documents' date (a cover's, the PDF's, os.date's): YYYY-MM-DD,\n"
    "                    seconds since 1970, or today (fixed for the run); SOURCE_DATE_EPOCH\n"
    "                    wins; without either a report may date its documents (doc:date),\n"
    "                    else they show no date\n"
    "  --shard K/N       render only shard K (1..N) of N stable, disjoint shares; without it\n"
    "                    the index comes from SLURM_ARRAY_TASK_ID or JOB_COMPLETION_INDEX\n"
    "                    (0-based: task 3 renders shard 4) and the count from --shards N\n"
    "  --shards N        the shard count when the index comes from the environment (also\n"
    "                    COUNTYBRIEF_SHARDS); needed unless the Slurm array is 0-MAX whole\n"
    "                    (then N = MAX+1); with it a re-run of one task (array 3), a\n"
    "                    sparse (3,5) or stepped (0-6:2) array renders exactly those\n"
    "                    indexes' shares\n"
    "  --quiet           print errors only\n"
    "  --watch           with --county: render, then render again whenever the report (or a\n"
    "                    module beside it), the template or the data change; Ctrl-C ends\n"
    "  --no-fsync        no fsync at all (PDFs, manifest, caches): faster on slow disks, and\n"
    "                    a crash of countybrief still leaves no partial file, but a power\n"
    "                    cut may lose the files written last or leave them empty\n"
    "  --encoding NAME   read every CSV file of the data folder in this encoding (GB18030,\n"
    "                    UTF-16, BIG5, ...; default: UTF-8, else GB18030, found per file)\n"
    "  --follow-links    read links in the data folder that lead out of it (default: such\n"
    "                    a link is skipped with a warning)\n"
    "\n"
    "Output files are named <county_id>-<name>.pdf, e.g. out/500233-忠县.pdf; the output\n"
    "folder's manifest.json (manifest.en.json, manifest.T.json... for other languages and\n"
    "templates) lists every file with its size, pages and sha256, and lets a re-run skip\n"
    "the counties whose inputs did not change. Two counties whose files would be one (also\n"
    "ignoring case) both fail; a county that fails has its previous PDF moved aside as\n"
    "NAME.pdf.stale. A report declared with report { scope = \"all\" } runs once over every\n"
    "county (or those --county names) and writes one file, e.g. out/compare.pdf.\n"
    "\n"
    "SIGTERM or SIGINT (Ctrl-C) stops render and check: no more counties start, those under\n"
    "way finish (stopped after 5 s, or at once on a second signal), the manifest keeps the\n"
    "counties done, and the next run renders the rest.\n"
    "\n"
    "exit status: 0 all rendered; 1 some counties failed (the others were written);\n"
    "  2 usage error or unknown county; 3 data error; 4 report, template, font or\n"
    "  --plugin error; 5 output folder cannot be written; 143 (130) stopped by SIGTERM\n"
    "  (SIGINT).\n";

static int exit_for(int code)
{
    switch (code) {
    case CB_EUSAGE: return EXIT_USAGE;
    case CB_EDATA: return EXIT_DATA;
    case CB_EIO: return EXIT_DATA;
    case CB_ESCRIPT: case CB_EFONT: case CB_ETEMPLATE: case CB_ENOTFOUND: case CB_EPLUGIN:
        return EXIT_SETUP;
    default: return EXIT_SOME_FAILED;
    }
}

enum { OPT_DATA = 256, OPT_REPORT, OPT_TEMPLATE, OPT_COUNTY, OPT_OUT, OPT_FONT, OPT_QUIET, OPT_HELP,
       OPT_PLUGIN, OPT_JOBS, OPT_FORCE, OPT_TIMEOUT, OPT_SHARD, OPT_SHARDS, OPT_CPU_BUDGET, OPT_LUA_MEMORY,
       OPT_LANG, OPT_DATE };

static const struct option LONG_OPTS[] = {
    {"data", required_argument, 0, OPT_DATA},       {"report", required_argument, 0, OPT_REPORT},
    {"template", required_argument, 0, OPT_TEMPLATE}, {"county", required_argument, 0, OPT_COUNTY},
    {"out", required_argument, 0, OPT_OUT},         {"font", required_argument, 0, OPT_FONT},
    {"quiet", no_argument, 0, OPT_QUIET},           {"help", no_argument, 0, OPT_HELP},
    {"plugin", required_argument, 0, OPT_PLUGIN},   {"jobs", required_argument, 0, OPT_JOBS},
    {"force", no_argument, 0, OPT_FORCE},           {"timeout", required_argument, 0, OPT_TIMEOUT},
    {"shard", required_argument, 0, OPT_SHARD},     {"shards", required_argument, 0, OPT_SHARDS},
    {"cpu-budget", required_argument, 0, OPT_CPU_BUDGET}, {"lua-memory", required_argument, 0, OPT_LUA_MEMORY},
    {"lang", required_argument, 0, OPT_LANG},       {"date", required_argument, 0, OPT_DATE},
    {"no-fsync", no_argument, 0, 'F'},
    {"watch", no_argument, 0, 'W'},
    {"encoding", required_argument, 0, 'E'},
    {"follow-links", no_argument, 0, 'K'},
    {0, 0, 0, 0},
};

static int cmd_plugins(cb_render_opts *o)
{
    cb_error err;
    int rc = cb_plugins_load_all(o->plugins, o->nplugins, 1, &err);
    cb_plugins_print(stdout);
    if (rc != CB_OK) fprintf(stderr, "countybrief: %s\n", err.msg);
    cb_plugins_unload_all();
    return rc == CB_OK ? EXIT_OK : EXIT_SETUP;
}

static int cmd_list(cb_render_opts *o)
{
    cb_engine e;
    cb_error err;
    int rc = cb_engine_open_data(&e, o, &err);
    if (rc != CB_OK) {
        fprintf(stderr, "countybrief: %s\n", err.msg);
        cb_engine_close(&e);
        return rc == CB_EPLUGIN || rc == CB_EUSAGE ? exit_for(rc) : EXIT_DATA;
    }
    int pcol = cb_table_col(e.ds.counties, "province");
    for (size_t i = 0; i < e.ds.ncounties; i++) {
        const cb_value *p = pcol >= 0 ? cb_table_cell(e.ds.counties, i, (size_t)pcol) : NULL;
        /* tab-separated fields, each cleaned (util.h: a tab in one shows as \t) */
        const char *f[3] = {cb_county_id(&e.ds, i), cb_county_name(&e.ds, i), p && p->type == CB_T_TEXT ? p->text : ""};
        cb_buf line = {0};
        for (int k = 0; k < 3; k++) {
            if (k) cb_buf_add(&line, "\t", 1);
            cb_buf_add_clean(&line, f[k], strlen(f[k]), SIZE_MAX);
        }
        printf("%s\n", line.s);
        cb_buf_free(&line);
    }
    cb_engine_close(&e);
    return EXIT_OK;
}

/* Sorts the county indices a[0..n) and drops repeats; returns the new count. */
static size_t sort_unique(size_t *a, size_t n)
{
    for (size_t i = 1; i < n; i++)
        for (size_t j = i; j > 0 && a[j - 1] > a[j]; j--) {
            size_t x = a[j];
            a[j] = a[j - 1];
            a[j - 1] = x;
        }
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        if (!k || a[k - 1] != a[i]) a[k++] = a[i];
    return k;
}

/* ------------------------------------------------------------------ jobs in workers */

/*
 * check, --watch and reports over all counties run their counties in the batch's worker
 * pool (pool.h), as render does: a plugin that crashes, aborts or calls exit(), or a
 * county that runs away, costs that county (or that report), reported as an error, and
 * the command goes on.
 */
typedef struct job_run {
    cb_engine *e;
    int check;             /* check (no PDF) rather than render */
    int all;               /* a report over all counties: job 0, over which[0..n) (n = 0: all) */
    const size_t *which;
    size_t n;
    int quiet;
    const char *verb;      /* a rendered county's line: "wrote" or "rendered" */
    size_t failed;
    size_t finished;       /* jobs done (the rest: stopped, pool.h) */
    /* check: results kept until those of the jobs before them are printed */
    const size_t *jobs;    /* the counties, in the order they are printed */
    size_t *order;         /* the position in jobs of each county */
    char **got;            /* per position: the reply, until printed */
    size_t *glen;
    int *grc, *gdied;
    size_t njobs, printed, errors, warnings;
    cb_repeats repeats;
} job_run;

/* What a render job sends back; the PDF's path, or the error, follows. */
typedef struct render_msg {
    double ms;
    uint64_t pages, bytes;
} render_msg;

static int job_work(void *ctx, size_t job, cb_buf *reply)
{
    job_run *r = ctx;
    cb_error err;
    int rc;
    if (r->check) { /* the error (or ""), then each warning, each ending in NUL */
        char **w = NULL;
        size_t nw = 0;
        rc = r->all ? cb_check_all(r->e, r->which, r->n, &w, &nw, &err)
                    : cb_check_county(r->e, job, &w, &nw, &err);
        cb_buf_add(reply, rc == CB_OK ? "" : err.msg, rc == CB_OK ? 1 : strlen(err.msg) + 1);
        for (size_t k = 0; k < nw; k++) {
            cb_buf_add(reply, w[k], strlen(w[k]) + 1);
            free(w[k]);
        }
        free(w);
        return rc;
    }
    cb_render_result res;
    rc = r->all ? cb_render_all(r->e, r->which, r->n, &res, &err) : cb_render_county(r->e, job, &res, &err);
    render_msg m = {res.ms, res.pages, res.bytes};
    cb_buf_add(reply, &m, sizeof m);
    cb_buf_adds(reply, rc == CB_OK ? res.path : err.msg);
    free(res.path);
    return rc;
}

/* "<id> <name>" of a county job, or the file of a report over all counties; malloc'd. */
static char *job_who(const job_run *r, size_t job)
{
    if (r->all) return cb_output_all_name(r->e);
    return cb_clean_asprintf("%s %s", cb_county_id(&r->e->ds, job), cb_county_name(&r->e->ds, job));
}

/* An error line, the same error in many counties counted (repeats.h). */
static void job_error(job_run *r, size_t job, FILE *out, const char *prefix, const char *msg)
{
    const char *id = r->all ? NULL : cb_county_id(&r->e->ds, job);
    const char *name = r->all ? NULL : cb_county_name(&r->e->ds, job);
    cb_repeats_print(&r->repeats, out, prefix, msg, id, name);
}

static void render_done(void *ctx, size_t job, int rc, int died, const char *reply, size_t len)
{
    job_run *r = ctx;
    r->finished++;
    char *who = job_who(r, job);
    render_msg m = {0, 0, 0};
    if (!died && len >= sizeof m) memcpy(&m, reply, sizeof m);
    const char *text = died ? reply : len >= sizeof m ? reply + sizeof m : "(message lost)";
    if (!died && rc == CB_OK) {
        if (!r->quiet && !strcmp(r->verb, "wrote"))
            printf("wrote %s (%llu page%s, %.1f KB, %.0f ms)\n", text, (unsigned long long)m.pages,
                   m.pages == 1 ? "" : "s", m.bytes / 1024.0, m.ms);
        else if (!r->quiet)
            printf("rendered %s in %.0f ms\n", text, m.ms);
    } else {
        r->failed++;
        char *msg = died ? cb_xasprintf("%s: %s", who, text) : cb_xstrdup(text);
        job_error(r, job, stderr, "countybrief: ", msg);
        free(msg);
    }
    free(who);
}

/* Prints a check result: its error, or why its worker died, and its warnings. */
static void check_print(job_run *r, size_t job, int rc, int died, const char *reply, size_t len)
{
    char *who = job_who(r, job);
    if (died || rc != CB_OK) {
        char *msg = died ? cb_xasprintf("%s: %s", who, reply) : cb_xstrdup(len ? reply : "(message lost)");
        job_error(r, job, stdout, "error: ", msg);
        free(msg);
        r->errors++;
    }
    size_t first = died || !len ? len : strlen(reply) + 1;
    for (size_t off = first; off < len; off += strlen(reply + off) + 1) {
        printf("warning: %s: %s\n", who, reply + off);
        r->warnings++;
    }
    free(who);
}

/* check's results come in the order workers finish; they are printed in county order. */
static void check_done(void *ctx, size_t job, int rc, int died, const char *reply, size_t len)
{
    job_run *r = ctx;
    r->finished++;
    size_t k = r->all ? 0 : r->order[job];
    r->got[k] = cb_xmalloc(len + 1);
    memcpy(r->got[k], reply, len);
    r->got[k][len] = '\0';
    r->glen[k] = len;
    r->grc[k] = rc;
    r->gdied[k] = died;
    for (; r->printed < r->njobs && r->got[r->printed]; r->printed++) {
        size_t p = r->printed;
        check_print(r, r->jobs[p], r->grc[p], r->gdied[p], r->got[p], r->glen[p]);
        free(r->got[p]);
        r->got[p] = NULL;
    }
}

/* Runs jobs[0..n) (counties, or job 0 of a report over all) in the worker pool, each
 * result printed as it comes (check: in order). CB_OK, or the pool's error, printed. */
static int run_jobs(job_run *r, const size_t *jobs, size_t n, const cb_batch_opts *bo)
{
    cb_pool_opts po = {bo->jobs, bo->timeout_s, bo->quiet, &r->e->src.limits, job_work,
                       r->check ? check_done : render_done, NULL, 0, NULL, r};
    r->jobs = jobs;
    r->njobs = n;
    if (r->check) {
        r->order = cb_xcalloc(r->all ? 1 : r->e->ds.ncounties, sizeof *r->order);
        for (size_t k = 0; k < n && !r->all; k++) r->order[jobs[k]] = k;
        r->got = cb_xcalloc(n, sizeof *r->got);
        r->glen = cb_xcalloc(n, sizeof *r->glen);
        r->grc = cb_xcalloc(n, sizeof *r->grc);
        r->gdied = cb_xcalloc(n, sizeof *r->gdied);
    }
    cb_error err;
    int rc = cb_pool_run(&po, jobs, n, &err);
    if (rc != CB_OK) {
        fprintf(r->check ? stdout : stderr, "%s%s\n", r->check ? "error: " : "countybrief: ", err.msg);
        r->errors++;
        r->failed++;
    }
    cb_repeats_summary(&r->repeats, r->check ? stdout : stderr, r->check ? "error: " : "countybrief: ");
    cb_repeats_free(&r->repeats);
    if (r->check) {
        for (; r->printed < n; r->printed++) { /* stopped (pool.h): the results that came */
            size_t p = r->printed;
            if (r->got[p]) check_print(r, r->jobs[p], r->grc[p], r->gdied[p], r->got[p], r->glen[p]);
        }
        for (size_t k = 0; k < n; k++) free(r->got[k]);
        free(r->order);
        free(r->got);
        free(r->glen);
        free(r->grc);
        free(r->gdied);
    }
    fflush(NULL);
    return rc;
}

/* Stopped by sig (pool.h) with left of the run's jobs not done: one line, and the exit
 * status a shell gives a process the signal ended. done: "412 rendered, 3 failed" */
static int say_stopped(int sig, const char *done, size_t left, const char *verb)
{
    fprintf(stderr, "countybrief: stopped by %s: %s, %zu left to %s; run again to resume\n",
            sig == SIGINT ? "SIGINT" : "SIGTERM", done, left, verb);
    return 128 + sig;
}

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
    if (rc != CB_OK || r.failed) { /* its previous PDF no longer matches the data (render.h) */
        char *file = cb_output_all_name(e);
        cb_output_retire(e, file, file);
        free(file);
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

static int cmd_render(cb_render_opts *o, char **counties, size_t ncounties, cb_batch_opts *bo, const char *shard_from)
{
    cb_engine e;
    cb_error err;
    int rc = cb_engine_open(&e, o, &err);
    if (rc != CB_OK) {
        fprintf(stderr, "countybrief: %s\n", err.msg);
        int code = exit_for(rc);
        cb_engine_close(&e);
        return code;
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

/* countybrief synth --counties N [--seed S] --out DIR */
static int cmd_synth(int argc, char **argv)
{
    static const struct option opts[] = {
        {"counties", required_argument, 0, 'n'}, {"seed", required_argument, 0, 's'},
        {"out", required_argument, 0, 'o'},      {"quiet", no_argument, 0, 'q'},
        {0, 0, 0, 0},
    };
    unsigned long long n = 0, seed = 1;
    const char *out = NULL;
    int c;
    optind = 2;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        char *end = NULL;
        int bad_number = (c == 'n' || c == 's') && !(optarg[0] >= '0' && optarg[0] <= '9');
        if (c == 'n') n = strtoull(optarg, &end, 10);
        else if (c == 's') seed = strtoull(optarg, &end, 10);
        else if (c == 'o') out = optarg;
        if (c == '?' || bad_number || (end && *end)) {
            fprintf(stderr, "countybrief: synth: bad option or value '%s'\n", argv[optind - 1]);
            return EXIT_USAGE;
        }
    }
    if (!n || n > CB_SYNTH_MAX_COUNTIES || !out || optind < argc) {
        fprintf(stderr, "usage: countybrief synth --counties N (1..%d) [--seed S] --out DIR\n",
                CB_SYNTH_MAX_COUNTIES);
        return EXIT_USAGE;
    }
    cb_error err;
    if (cb_synth_write(out, (size_t)n, (uint64_t)seed, &err) != CB_OK) {
        fprintf(stderr, "countybrief: %s\n", err.msg);
        return EXIT_OUTPUT;
    }
    return EXIT_OK;
}

/* countybrief index --data DIR [--encoding NAME] [--follow-links] [--quiet]: reads the
 * folder as a render does and writes its index, DIR/.countybrief-index (dataindex.h). */
static int cmd_index(int argc, char **argv)
{
    static const struct option opts[] = {
        {"data", required_argument, 0, 'd'},     {"encoding", required_argument, 0, 'e'},
        {"follow-links", no_argument, 0, 'l'},   {"quiet", no_argument, 0, 'q'},
        {0, 0, 0, 0},
    };
    cb_data_opts dopts = {.lazy = 1, .index = CB_INDEX_WRITE, .clash_candidates = cb_output_clash_candidates};
    const char *dir = NULL;
    int quiet = 0, c;
    optind = 2;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        if (c == 'd') dir = optarg;
        else if (c == 'e') dopts.encoding = optarg;
        else if (c == 'l') dopts.follow_links = 1;
        else if (c == 'q') quiet = 1;
        else {
            fprintf(stderr, "countybrief: index: bad option or value '%s'\n", argv[optind - 1]);
            return EXIT_USAGE;
        }
    }
    if (!dir || optind < argc) {
        fprintf(stderr, "usage: countybrief index --data DIR [--encoding NAME] [--follow-links] [--quiet]\n");
        return EXIT_USAGE;
    }
    double t0 = cb_now_s();
    cb_dataset ds;
    cb_error err;
    int rc = cb_dataset_load_with(&ds, dir, &dopts, &err);
    char *path = cb_path_join(dir, CB_DIX_NAME), counties[32];
    if (rc != CB_OK) { /* the data (3), or the index that could not be written (5) */
        fprintf(stderr, "countybrief: %s\n", err.msg);
        int written = strncmp(err.msg, path, strlen(path)) == 0;
        free(path);
        return written ? EXIT_OUTPUT : exit_for(rc);
    }
    for (size_t i = 0; i < ds.nnotes; i++)
        if (ds.notes[i].warning || !quiet)
            fprintf(stderr, "countybrief: %s: %s\n", ds.notes[i].warning ? "warning" : "note", ds.notes[i].msg);
    size_t ntables = 0;
    for (size_t i = 0; i < ds.ntables; i++) ntables += (size_t)cb_table_on_disk(ds.tables[i]);
    struct stat st;
    cb_fmt_thousands(counties, sizeof counties, (double)ds.ncounties, 0);
    if (!quiet && stat(path, &st) == 0)
        printf("wrote %s (%s count%s, %zu table%s, %.1f %s) in %.1f s\n", path, counties,
               ds.ncounties == 1 ? "y" : "ies", ntables, ntables == 1 ? "" : "s",
               (double)st.st_size / (st.st_size < 100000 ? 1e3 : 1e6), st.st_size < 100000 ? "kB" : "MB",
               cb_now_s() - t0);
    free(path);
    cb_dataset_free(&ds);
    return EXIT_OK;
}

/* A numeric option: its range, whether it must be whole, and words for the error. */
typedef struct num_opt {
    int opt;
    const char *name;
    double min, max;
    int whole;
    const char *what;
} num_opt;

#define MAX_SHARDS 1000000
static const num_opt NUM_OPTS[] = {
    {OPT_JOBS, "jobs", 1, 4096, 1, "a whole number of worker processes, 1 to 4096"},
    {OPT_TIMEOUT, "timeout", 0, 604800, 0, "seconds, 0 (no limit) to 604800 (a week)"},
    {OPT_SHARDS, "shards", 1, MAX_SHARDS, 1, "a whole number of shards, 1 to 1000000"},
    {OPT_CPU_BUDGET, "cpu-budget", 0, 604800, 0, "seconds, 0 (no budget) to 604800 (a week)"},
    {OPT_LUA_MEMORY, "lua-memory", 0, 1048576, 0, "MiB, 0 (no limit) to 1048576 (1 TiB)"},
};

static const num_opt *num_opt_of(int opt)
{
    for (size_t i = 0; i < sizeof NUM_OPTS / sizeof *NUM_OPTS; i++)
        if (NUM_OPTS[i].opt == opt) return &NUM_OPTS[i];
    return NULL;
}

/* Parses s whole as a decimal finite number in no's range (whole when no->whole): 1, or 0
 * for "", " 5", "5s", "0x10", "nan", "inf", "1e999" and anything out of range. */
static int parse_number(const char *s, const num_opt *no, double *v)
{
    char *end;
    if (!(*s == '-' || *s == '.' || (*s >= '0' && *s <= '9')) || strpbrk(s, "xXpP")) return 0; /* no hex */
    errno = 0;
    *v = strtod(s, &end);
    return end != s && !*end && errno == 0 && isfinite(*v) && *v >= no->min && *v <= no->max &&
           (!no->whole || *v == floor(*v));
}

/* Parses "K/N" (1 <= K <= N) into a 0-based shard. */
static int parse_shard(const char *s, size_t *k, size_t *n)
{
    const char *slash = strchr(s, '/');
    if (!slash || slash - s > 15) return 0;
    char first[16];
    memcpy(first, s, (size_t)(slash - s));
    first[slash - s] = '\0';
    num_opt no = {0, "", 1, MAX_SHARDS, 1, ""};
    double a, b;
    if (!parse_number(first, &no, &a) || !parse_number(slash + 1, &no, &b) || a > b) return 0;
    *k = (size_t)(a - 1);
    *n = (size_t)b;
    return 1;
}

/* A whole number min..max from the environment variable name: 1 with *v set, 0 when it is
 * unset or empty, -1 (said in one line, what it should be) when it is anything else. */
static int env_whole(const char *name, long min, long max, const char *what, long *v)
{
    const char *s = getenv(name);
    if (!s || !*s) return 0;
    num_opt no = {0, "", (double)min, (double)max, 1, what};
    double d;
    if (parse_number(s, &no, &d)) {
        *v = (long)d;
        return 1;
    }
    fprintf(stderr, "countybrief: %s=%s: expected %s\n", name, s, what);
    return -1;
}

/* The shard of a render (0-based *k of *n), the rules of --help: --shard K/N (have_shard),
 * else the index from SLURM_ARRAY_TASK_ID or JOB_COMPLETION_INDEX (0-based) and the count
 * from --shards N (shards), COUNTYBRIEF_SHARDS or a Slurm array 0..MAX whole. Returns 1
 * with from naming the index's variable ("SLURM_ARRAY_TASK_ID=3"; "" for --shard), 0 when
 * the run is not sharded, -1 when the shard is unknown or does not fit: one line says
 * why (never a silent "shard 1 of 1", which would render everything). */
#define INDEX "a whole number, 0 or more (a 0-based index)"
static int shard_resolve(int have_shard, size_t shards, size_t *k, size_t *n, char *from, size_t fromlen)
{
    from[0] = '\0';
    if (have_shard) {
        if (shards && shards != *n) {
            fprintf(stderr, "countybrief: --shard %zu/%zu and --shards %zu disagree on the shard count; give one of them\n",
                    *k + 1, *n, shards);
            return -1;
        }
        return 1;
    }
    long count = 0, id = 0, mn = 0, mx = 0, cnt = 0, step = 1;
    char said[64] = ""; /* where the count came from */
    int got = 0;
    if (shards) {
        count = (long)shards;
        snprintf(said, sizeof said, "--shards %ld", count);
    } else if ((got = env_whole("COUNTYBRIEF_SHARDS", 1, MAX_SHARDS, num_opt_of(OPT_SHARDS)->what, &count)) < 0) {
        return -1;
    } else if (got) {
        snprintf(said, sizeof said, "COUNTYBRIEF_SHARDS=%ld", count);
    }
    const char *var = "SLURM_ARRAY_TASK_ID";
    if ((got = env_whole(var, 0, LONG_MAX / 2, INDEX, &id)) == 0)
        got = env_whole(var = "JOB_COMPLETION_INDEX", 0, LONG_MAX / 2, INDEX, &id);
    if (got < 0) return -1;
    if (!got) {
        if (!count) return 0;
        fprintf(stderr, "countybrief: %s gives a shard count but no shard index: give --shard K/N, or run in a "
                        "Slurm array (SLURM_ARRAY_TASK_ID) or a Kubernetes Indexed Job (JOB_COMPLETION_INDEX)\n", said);
        return -1;
    }
    snprintf(from, fromlen, "%s=%ld", var, id);
    int slurm = var[0] == 'S', range = 0;
    if (slurm) { /* the array as Slurm describes it (all three, or none) */
        int a = env_whole("SLURM_ARRAY_TASK_MIN", 0, LONG_MAX / 2, INDEX, &mn);
        int b = env_whole("SLURM_ARRAY_TASK_MAX", 0, LONG_MAX / 2, INDEX, &mx);
        int c = env_whole("SLURM_ARRAY_TASK_COUNT", 1, LONG_MAX / 2, "a whole number of tasks", &cnt);
        int d = env_whole("SLURM_ARRAY_TASK_STEP", 1, LONG_MAX / 2, "a whole number of tasks", &step);
        if (a < 0 || b < 0 || c < 0 || d < 0) return -1;
        range = a && b && c && mn <= mx;
        if (!d) step = 1;
    }
    if (!count) {
        if (slurm && range && mn == 0 && cnt == mx + 1 && step == 1 && mx < MAX_SHARDS) {
            count = cnt; /* a whole array 0..MAX: one task per shard */
        } else if (slurm && range) {
            char steps[32] = "";
            if (step != 1) snprintf(steps, sizeof steps, ":%ld", step);
            fprintf(stderr, "countybrief: %s in an array of %ld task%s (%ld-%ld%s): the shard count is unknown; "
                            "give --shards N or COUNTYBRIEF_SHARDS\n", from, cnt, cnt == 1 ? "" : "s", mn, mx, steps);
            return -1;
        } else {
            fprintf(stderr, "countybrief: %s%s: the shard count is unknown; give --shards N or COUNTYBRIEF_SHARDS\n",
                    from, slurm ? " without SLURM_ARRAY_TASK_MIN, _MAX and _COUNT" : "");
            return -1;
        }
        snprintf(said, sizeof said, "the array 0-%ld", mx);
    }
    if (id >= count) {
        fprintf(stderr, "countybrief: %s is outside the %ld shard%s (%s): %s are 0-based, 0 to %ld\n", from, count,
                count == 1 ? "" : "s", said, slurm ? "task ids" : "indexes", count - 1);
        return -1;
    }
    if (slurm && range && mx >= count) { /* this task fits, but some of its array would not */
        char tasks[64];
        if (mx > count) snprintf(tasks, sizeof tasks, "tasks %ld-%ld", count, mx);
        else snprintf(tasks, sizeof tasks, "task %ld", mx);
        fprintf(stderr, "countybrief: the array's %s (SLURM_ARRAY_TASK_MAX=%ld) %s outside the %ld shard%s (%s): "
                        "task ids are 0-based, 0 to %ld\n", tasks, mx, mx > count ? "are" : "is", count,
                count == 1 ? "" : "s", said, count - 1);
        return -1;
    }
    *k = (size_t)id;
    *n = (size_t)count;
    return 1;
}

/* ------------------------------------------------------------------ new report */

/* Replaces every "{{NAME}}" of text with name; malloc'd. */
static char *fill_name(const char *text, const char *name)
{
    cb_buf b = {0};
    for (const char *p = text; *p;) {
        const char *q = strstr(p, "{{NAME}}");
        if (!q) { cb_buf_add(&b, p, strlen(p)); break; }
        cb_buf_add(&b, p, (size_t)(q - p));
        cb_buf_add(&b, name, strlen(name));
        p = q + 8;
    }
    cb_buf_add(&b, "", 1);
    return b.s;
}

/* countybrief new report NAME [--dir DIR] */
static int cmd_new(int argc, char **argv)
{
    const char *dir = ".", *name = NULL;
    int bad = argc < 4 || strcmp(argv[2], "report") != 0;
    for (int i = 3; !bad && i < argc; i++) {
        if (!strcmp(argv[i], "--dir") && i + 1 < argc) dir = argv[++i];
        else if (!strncmp(argv[i], "--dir=", 6)) dir = argv[i] + 6;
        else if (argv[i][0] != '-' && !name) name = argv[i];
        else bad = 1;
    }
    if (bad || !name) {
        fprintf(stderr, "usage: countybrief new report NAME [--dir DIR]\n");
        return EXIT_USAGE;
    }
    if (!name[0] || name[0] == '.' || strchr(name, '/') || strchr(name, '\\')) {
        fprintf(stderr, "countybrief: new report: '%s' is not a usable name (no '/', no leading '.')\n", name);
        return EXIT_USAGE;
    }
    char *folder = strcmp(dir, ".") ? cb_path_join(dir, name) : cb_xstrdup(name);
    struct stat st;
    if (lstat(folder, &st) == 0) {
        fprintf(stderr, "countybrief: %s already exists: not overwriting it (pick another NAME or --dir)\n", folder);
        free(folder);
        return EXIT_USAGE;
    }
    char *scaffold = cb_path_join(cb_share_dir(), "scripts/scaffold");
    static const char *const files[][2] = {{"report.lua.in", ".lua"}, {"README.md.in", "README.md"}};
    char *text[2] = {0};
    cb_error err;
    for (int i = 0; i < 2; i++) {
        char *src = cb_path_join(scaffold, files[i][0]);
        size_t len;
        char *raw = cb_read_file(src, &len, &err);
        free(src);
        if (!raw) {
            fprintf(stderr, "countybrief: %s\n", err.msg);
            free(text[0]);
            free(scaffold);
            free(folder);
            return EXIT_SETUP;
        }
        text[i] = fill_name(raw, name);
        free(raw);
    }
    free(scaffold);
    int rc = EXIT_OK;
    if (mkdir(folder, 0777) != 0) {
        fprintf(stderr, "countybrief: %s: cannot create the folder: %s\n", folder, strerror(errno));
        rc = errno == EEXIST ? EXIT_USAGE : EXIT_OUTPUT;
    }
    for (int i = 0; i < 2 && rc == EXIT_OK; i++) {
        char *fname = i == 0 ? cb_xasprintf("%s.lua", name) : cb_xstrdup(files[i][1]);
        char *path = cb_path_join(folder, fname);
        if (cb_write_file_atomic(path, text[i], strlen(text[i]), &err) != CB_OK) {
            fprintf(stderr, "countybrief: %s\n", err.msg);
            rc = EXIT_OUTPUT;
        } else if (i == 0) {
            printf("wrote %s and %s/README.md\n", path, folder);
            printf("try it:  countybrief render --report %s --county 忠县\n", folder);
        }
        free(path);
        free(fname);
    }
    free(text[0]);
    free(text[1]);
    free(folder);
    return rc;
}

/* ------------------------------------------------------------------ check */

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

static int cmd_check(cb_render_opts *o, char **counties, size_t ncounties, const cb_batch_opts *bo)
{
    cb_engine e;
    cb_error err;
    o->keep_needs = 1;
    int rc = cb_engine_open(&e, o, &err);
    if (rc != CB_OK) {
        printf("error: %s\ncheck: 1 error, 0 warnings\n", err.msg);
        int code = exit_for(rc);
        cb_engine_close(&e);
        return code;
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

/* ------------------------------------------------------------------ render --watch */

static uint64_t mix(uint64_t h, const void *p, size_t n)
{
    for (size_t i = 0; i < n; i++) h = (h ^ ((const unsigned char *)p)[i]) * 1099511628211ULL;
    return h;
}

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
    uint64_t h = 1469598103934665603ULL;
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

static void watch_render_once(cb_render_opts *o, char **counties, size_t ncounties, const cb_batch_opts *bo)
{
    cb_engine e;
    cb_error err;
    int rc = cb_engine_open(&e, o, &err);
    if (rc == CB_OK) rc = cb_engine_prepare_output(&e, &err);
    if (rc != CB_OK) {
        fprintf(stderr, "countybrief: %s\n", err.msg);
        cb_engine_close(&e);
        return;
    }
    if (e.decl.scope == CB_SCOPE_ALL) {
        watch_render_all(&e, counties, ncounties, bo);
        cb_engine_close(&e);
        return;
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
}

static int cmd_watch(cb_render_opts *o, char **counties, size_t ncounties, const cb_batch_opts *bo)
{
    if (!ncounties && !report_is_all(o)) {
        fprintf(stderr, "countybrief: --watch needs --county NAME (the county to re-render)\n");
        return EXIT_USAGE;
    }
    watch_render_once(o, counties, ncounties, bo);
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
        watch_render_once(o, counties, ncounties, bo);
    }
    return EXIT_OK;
}

#define MERGE_USAGE "usage: countybrief manifest merge DIR [--data DIR | --expect N] [--quiet]\n"

/* `countybrief manifest merge DIR [--data DIR | --expect N] [--quiet]` (manifest.h). */
static int cmd_manifest(int argc, char **argv)
{
    const char *dir = NULL, *data = NULL, *expect = NULL;
    int quiet = 0;
    for (int i = 3; i < argc; i++) {
        if (!strcmp(argv[i], "--quiet")) quiet = 1;
        else if (!strcmp(argv[i], "--data") && i + 1 < argc && !data) data = argv[++i];
        else if (!strcmp(argv[i], "--expect") && i + 1 < argc && !expect) expect = argv[++i];
        else if (argv[i][0] != '-' && !dir) dir = argv[i];
        else {
            fprintf(stderr, "countybrief: manifest merge: unexpected '%s'\n" MERGE_USAGE, argv[i]);
            return EXIT_USAGE;
        }
    }
    if (argc < 3 || strcmp(argv[2], "merge") != 0 || !dir || (data && expect)) {
        fputs(MERGE_USAGE, stderr);
        return EXIT_USAGE;
    }
    cb_merge_opts mo = {.quiet = quiet};
    num_opt eo = {0, "expect", 1, 1e9, 1, ""};
    double n = 0;
    if (expect && !parse_number(expect, &eo, &n)) {
        fprintf(stderr, "countybrief: --expect %s: expected a whole number of counties, 1 to 1000000000\n", expect);
        return EXIT_USAGE;
    }
    mo.expect = (size_t)n;
    cb_engine e;
    if (data) { /* its counties only: the tables stay on disk (data.h) */
        cb_render_opts o = {.data_dir = data, .quiet = 1};
        cb_error err;
        int rc = cb_engine_open_data(&e, &o, &err);
        if (rc != CB_OK) {
            fprintf(stderr, "countybrief: %s\n", err.msg);
            cb_engine_close(&e);
            return rc == CB_EPLUGIN || rc == CB_EUSAGE ? exit_for(rc) : EXIT_DATA;
        }
        mo.nids = e.ds.ncounties;
        mo.ids = cb_xmalloc((mo.nids ? mo.nids : 1) * sizeof *mo.ids);
        for (size_t i = 0; i < mo.nids; i++) mo.ids[i] = cb_county_id(&e.ds, i);
        mo.have_ids = 1;
    }
    int rc = cb_manifest_merge(dir, &mo);
    if (data) {
        free(mo.ids);
        cb_engine_close(&e);
    }
    return rc;
}

int main(int argc, char **argv)
{
    setvbuf(stdout, NULL, _IOLBF, 0); /* `countybrief render | tee log` shows each line as it comes */
    if (argc < 2) {
        fputs(USAGE, stderr);
        return EXIT_USAGE;
    }
    const char *cmd = argv[1];
    if (!strcmp(cmd, "--help") || !strcmp(cmd, "-h") || !strcmp(cmd, "help")) {
        fputs(USAGE, stdout);
        return EXIT_OK;
    }
    if (!strcmp(cmd, "--version")) {
        printf("countybrief %s\n", CB_VERSION_STRING);
        return EXIT_OK;
    }
    if (!strcmp(cmd, "synth")) return cmd_synth(argc, argv);
    if (!strcmp(cmd, "index")) return cmd_index(argc, argv);
    if (!strcmp(cmd, "new")) return cmd_new(argc, argv);
    if (!strcmp(cmd, "manifest")) return cmd_manifest(argc, argv);
    if (strcmp(cmd, "render") && strcmp(cmd, "list") && strcmp(cmd, "plugins") && strcmp(cmd, "check")) {
        fprintf(stderr, "countybrief: unknown command '%s'\n\n%s", cmd, USAGE);
        return EXIT_USAGE;
    }
    cb_render_opts o = {0};
    char **counties = cb_xmalloc(sizeof(char *) * (size_t)argc);
    const char **plugins = cb_xmalloc(sizeof(char *) * (size_t)argc);
    size_t ncounties = 0, nplugins = 0;
    int quiet = 0, watch = 0, c;
    const char *date = NULL;
    cb_batch_opts bo = {0};
    bo.timeout_s = 60;
    size_t shards = 0;
    int have_shard = 0;
    optind = 2;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "", LONG_OPTS, NULL)) != -1) {
        switch (c) {
        case OPT_DATA: o.data_dir = optarg; break;
        case OPT_REPORT: o.report = optarg; break;
        case OPT_TEMPLATE: o.template_name = optarg; break;
        case OPT_COUNTY: counties[ncounties++] = optarg; break;
        case OPT_OUT: o.out_dir = optarg; break;
        case OPT_FONT: o.font_path = optarg; break;
        case OPT_LANG: o.lang = optarg; break;
        case OPT_DATE: date = optarg; break;
        case OPT_QUIET: quiet = 1; break;
        case OPT_PLUGIN: plugins[nplugins++] = optarg; break;
        case OPT_FORCE: bo.force = 1; break;
        case OPT_JOBS:
        case OPT_TIMEOUT:
        case OPT_SHARDS:
        case OPT_CPU_BUDGET:
        case OPT_LUA_MEMORY: {
            const num_opt *no = num_opt_of(c);
            double v;
            if (!parse_number(optarg, no, &v)) {
                fprintf(stderr, "countybrief: --%s %s: expected %s\n", no->name, optarg, no->what);
                free(counties);
                free(plugins);
                return EXIT_USAGE;
            }
            if (c == OPT_JOBS) bo.jobs = (int)v;
            else if (c == OPT_TIMEOUT) bo.timeout_s = v;
            else if (c == OPT_SHARDS) shards = (size_t)v;
            else if (c == OPT_CPU_BUDGET) o.lua_limits.cpu_budget_s = v > 0 ? v : -1; /* 0: no limit */
            else o.lua_limits.memory_mib = v > 0 ? v : -1;
            break;
        }
        case OPT_SHARD:
            if (!parse_shard(optarg, &bo.shard, &bo.nshards)) {
                fprintf(stderr, "countybrief: --shard %s: expected K/N with 1 <= K <= N\n", optarg);
                free(counties);
                free(plugins);
                return EXIT_USAGE;
            }
            have_shard = 1;
            break;
        case 'F': cb_output_set_fsync(0); break; /* --no-fsync */
        case 'W': watch = 1; break;
        case 'E': o.encoding = optarg; break;
        case 'K': o.follow_links = 1; break;
        case OPT_HELP: fputs(USAGE, stdout); free(counties); free(plugins); return EXIT_OK;
        default:
            fprintf(stderr, "countybrief: %s: unknown option or missing argument\n", argv[optind - 1]);
            free(counties);
            free(plugins);
            return EXIT_USAGE;
        }
    }
    if (optind < argc) {
        fprintf(stderr, "countybrief: unexpected argument '%s'\n", argv[optind]);
        free(counties);
        free(plugins);
        return EXIT_USAGE;
    }
    o.plugins = plugins;
    o.nplugins = nplugins;
    o.quiet = quiet;
    bo.quiet = quiet;
    char shard_from[64] = "";
    if (!strcmp(cmd, "render") && shard_resolve(have_shard, shards, &bo.shard, &bo.nshards, shard_from, sizeof shard_from) < 0) {
        free(counties);
        free(plugins);
        return EXIT_USAGE;
    }
    /* the run's date, resolved once here, before any worker forks or --watch renders again:
     * every county of the run shows the same day, even past midnight (clock.h) */
    cb_clock clock = {0};
    cb_error cerr;
    if (!strcmp(cmd, "render") || !strcmp(cmd, "check")) {
        if (cb_clock_resolve(&clock, date, &cerr) != CB_OK) {
            fprintf(stderr, "countybrief: %s\n", cerr.msg);
            free(counties);
            free(plugins);
            return EXIT_USAGE;
        }
        o.clock = &clock;
    }
    if (!strcmp(cmd, "render") || !strcmp(cmd, "check")) cb_pool_catch_stop(); /* a stop flushes the manifest (pool.h) */
    int rc = !strcmp(cmd, "list")      ? cmd_list(&o)
             : !strcmp(cmd, "plugins") ? cmd_plugins(&o)
             : !strcmp(cmd, "check")   ? cmd_check(&o, counties, ncounties, &bo)
             : watch                   ? cmd_watch(&o, counties, ncounties, &bo)
                                       : cmd_render(&o, counties, ncounties, &bo, shard_from);
    free(counties);
    free(plugins);
    return rc;
}
