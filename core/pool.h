/*
 * pool.h: pre-forked worker processes that run jobs (a county, or a report over all
 * counties) one at a time each, in isolation from the parent and from each other.
 *
 * cb_pool_run forks its workers after the caller has loaded everything (data, font,
 * template, plugins), so they share it copy-on-write and pay no start-up per job. The
 * parent hands out job numbers and collects results: a worker runs o->work, which returns
 * a code and appends a reply; the parent passes both to o->done. A worker that crashes,
 * aborts, exits (a plugin calling exit(0)), stops answering or passes the deadline costs its
 * job only: o->done gets died = 1 and a sentence saying why ("the worker process died
 * (signal 11, Segmentation fault) in block chart.pie of plugin charts"), and a new worker
 * takes its place. A worker that died is noticed by waitpid even when a process it forked
 * still holds its pipe open.
 *
 * Per job the pipes cost what a bare pool must: one write to hand the job out, one read
 * for it in the worker, one write of the reply, one read of it (more only for a reply that
 * does not fit one read). The pipes are close-on-exec; the workers are capped to what
 * RLIMIT_NOFILE and RLIMIT_NPROC allow (one line on stderr says so, unless quiet).
 */
#ifndef CB_POOL_H
#define CB_POOL_H

#include <stddef.h>
#include <stdint.h>

#include "lua_limits.h"
#include "util.h"

/* In a worker: runs job and appends what the parent should get to reply; returns a code
 * (CB_OK or a cb_error code), handed to done as rc. */
typedef int (*cb_pool_work_fn)(void *ctx, size_t job, cb_buf *reply);
/* In the parent, once per job, in the order jobs finish. died = 0: rc and the reply
 * (len bytes) as the worker sent them. died = 1: the worker died or was stopped; rc is
 * CB_EIO and reply the sentence why (NUL-terminated). reply is the pool's: copy what
 * is kept. */
typedef void (*cb_pool_done_fn)(void *ctx, size_t job, int rc, int died, const char *reply,
                                size_t len);

typedef struct cb_pool_opts {
    int workers;                  /* <= 0: the number of cores; never more than jobs */
    double timeout_s;             /* per job; <= 0: none */
    int quiet;                    /* no line about workers capped by the limits */
    const cb_lua_limits *limits;  /* the CPU budget: names a worker its hard stop ended */
    cb_pool_work_fn work;
    cb_pool_done_fn done;
    void (*tick)(void *ctx);      /* NULL, or called at least every tick_ms (progress) */
    int tick_ms;
    void (*worker_exit)(void *ctx); /* NULL, or run by a worker before it exits */
    void *ctx;
} cb_pool_opts;

/* Runs jobs[0..n) (each < UINT32_MAX) on the pool's workers and stops them. Returns CB_OK
 * when every job got its done call or the run was stopped (below), or CB_EIO when no
 * worker could be started at all (err says why). SIGPIPE is ignored while it runs. */
int cb_pool_run(const cb_pool_opts *o, const size_t *jobs, size_t n, cb_error *err);

/*
 * Stopping on SIGINT or SIGTERM. cb_pool_catch_stop installs handlers in the parent that
 * only note the signal (so SIGTERM works for PID 1 in a container too, which ignores a
 * signal left at its default). Workers ignore both, so a terminal's Ctrl-C, sent to the
 * whole process group, never kills one mid-PDF: the parent decides. Once a signal is
 * noted, cb_pool_run hands out no more jobs, lets the running ones finish for up to
 * CB_POOL_STOP_GRACE_S seconds, then kills them; a second signal kills them at once. A job
 * not handed out, or killed so, gets no done call (its output is the killed worker's
 * temporary file at most: cb_output_sweep removes it). The caller then writes what it
 * keeps (the manifest) as at a normal end and exits with 128 + cb_pool_stop_signal().
 * A signal noted while no pool runs (loading the data) takes effect when the next starts.
 * A signal ignored when countybrief started (a script's `countybrief render &`) stays so.
 */
#define CB_POOL_STOP_GRACE_S 5.0
void cb_pool_catch_stop(void);
/* The first SIGINT or SIGTERM noted since cb_pool_catch_stop, or 0. */
int cb_pool_stop_signal(void);

/* A worker's mark (the plugin code it is in, named in its death message) and its
 * retirement after a limit struck are set through worker.h, below the render's modules. */

#endif /* CB_POOL_H */
