/* cli_jobs.c: jobs of render, check and --watch in the worker pool (cli.h). */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "pool.h"

int exit_for(int code)
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

size_t sort_unique(size_t *a, size_t n)
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
    for (size_t k = 0; rc == CB_OK && k < res.nalso; k++) /* the other formats' files: "\nBYTES PATH" */
        cb_buf_addf(reply, "\n%zu %s", res.also[k].bytes, res.also[k].path);
    cb_render_result_free(&res);
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
        for (const char *t = text, *nl; !r->quiet && !strcmp(r->verb, "wrote") && t; t = nl ? nl + 1 : NULL) {
            nl = strchr(t, '\n');
            if (t != text) m.bytes = strtoull(t, (char **)&t, 10), t++; /* "BYTES PATH" */
            printf("wrote %.*s (%llu page%s, %.1f KB, %.0f ms)\n", nl ? (int)(nl - t) : (int)strlen(t), t,
                   (unsigned long long)m.pages, m.pages == 1 ? "" : "s", m.bytes / 1024.0, m.ms);
        }
        if (!r->quiet && strcmp(r->verb, "wrote")) { /* --watch: every format's file, one line */
            printf("rendered %.*s", (int)strcspn(text, "\n"), text);
            for (const char *t = strchr(text, '\n'); t; t = strchr(t, '\n'))
                if ((t = strchr(t + 1, ' '))) printf(", %.*s", (int)strcspn(t + 1, "\n"), t + 1);
            printf(" in %.0f ms\n", m.ms);
        }
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

int run_jobs(job_run *r, const size_t *jobs, size_t n, const cb_batch_opts *bo)
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

int say_stopped(int sig, const char *done, size_t left, const char *verb)
{
    fprintf(stderr, "countybrief: stopped by %s: %s, %zu left to %s; run again to resume\n",
            sig == SIGINT ? "SIGINT" : "SIGTERM", done, left, verb);
    return 128 + sig;
}

size_t cli_nlangs(const cli_ask *a)
{
    return a->nlangs ? a->nlangs : 1;
}

int cli_open_lang(cb_engine *e, cb_render_opts *o, const cli_ask *a, size_t k, FILE *out, cb_error *err)
{
    if (a->nlangs) o->lang = a->langs[k];
    int rc = cb_engine_open(e, o, err);
    for (size_t i = 0; rc == CB_OK && k == 0 && i < a->nlangs; i++) rc = cb_engine_check_lang(e, a->langs[i], err);
    if (rc != CB_OK) cb_engine_close(e);
    else if (a->nlangs > 1 && !o->quiet) fprintf(out, "language %s (%zu of %zu)\n", o->lang, k + 1, a->nlangs);
    return rc;
}

int cli_lang_goes_on(int code)
{
    return (code == EXIT_OK || code == EXIT_SOME_FAILED) && !cb_pool_stop_signal();
}
