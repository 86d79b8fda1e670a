/*
 * cli.h: the countybrief command's own modules (main.c and cli_*.c), private to the
 * binary: the exit codes, the shared worker-pool runs of render, check and --watch, and
 * one entry point per command. Each command prints its own errors (one line each) and
 * returns the process's exit status.
 */
#ifndef CB_CLI_H
#define CB_CLI_H

#include <stddef.h>
#include <stdio.h>

#include "batch.h"
#include "render.h"
#include "repeats.h"

/* Exit codes; documented in --help and the README. */
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

/* The exit status of an error code of the engine (countybrief.h). */
int exit_for(int code);

/* Sorts the county indices a[0..n) and drops repeats; returns the new count. */
size_t sort_unique(size_t *a, size_t n);

/* A numeric option: its range, whether it must be whole, and words for the error. */
typedef struct num_opt {
    int opt;
    const char *name;
    double min, max;
    int whole;
    const char *what;
} num_opt;

/* Parses s whole as a decimal finite number in no's range (whole when no->whole): 1, or 0
 * for "", " 5", "5s", "0x10", "nan", "inf", "1e999" and anything out of range. */
int parse_number(const char *s, const num_opt *no, double *v);

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
/* Runs jobs[0..n) (counties, or job 0 of a report over all) in the worker pool, each
 * result printed as it comes (check: in order). CB_OK, or the pool's error, printed. */
int run_jobs(job_run *r, const size_t *jobs, size_t n, const cb_batch_opts *bo);

/* Stopped by sig (pool.h) with left of the run's jobs not done: one line, and the exit
 * status a shell gives a process the signal ended. done: "412 rendered, 3 failed" */
int say_stopped(int sig, const char *done, size_t left, const char *verb);

/* ------------------------------------------------------------------ commands */

/* What render, check and --watch were asked besides the engine's options: the counties
 * named (--county), and the languages --lang listed ("zh,en": each in turn, as separate
 * runs would; none: o->lang alone). */
typedef struct cli_ask {
    char **counties;
    size_t ncounties;
    const char *const *langs;
    size_t nlangs;
} cli_ask;

/* The languages of a run: a->nlangs, or 1 (o->lang alone). */
size_t cli_nlangs(const cli_ask *a);
/* Opens e for language k of a (o->lang set to it; none listed: o->lang as given). With
 * several languages, the first checks every other against the report (cb_engine_check_lang),
 * so a language the report is not written in stops the command before anything renders,
 * and once e is open a line on out names the language of the run that follows (unless
 * o->quiet). CB_OK, or the error in err with e closed. */
int cli_open_lang(cb_engine *e, cb_render_opts *o, const cli_ask *a, size_t k, FILE *out, cb_error *err);
/* Whether a command over several languages goes on to the next after one ended in code:
 * after county failures yes (as a batch goes on after one), after an error of the run
 * itself (usage, data, setup, output) or a stop (pool.h) no. */
int cli_lang_goes_on(int code);

int cmd_render(cb_render_opts *o, const cli_ask *a, cb_batch_opts *bo, const char *shard_from);
int cmd_check(cb_render_opts *o, const cli_ask *a, const cb_batch_opts *bo);
int cmd_watch(cb_render_opts *o, const cli_ask *a, const cb_batch_opts *bo);
int cmd_list(cb_render_opts *o);
int cmd_new(int argc, char **argv);
int cmd_synth(int argc, char **argv);
int cmd_index(int argc, char **argv);
int cmd_manifest(int argc, char **argv);

#endif /* CB_CLI_H */
