/* pool.c: see pool.h. */
#define _GNU_SOURCE /* pipe2, ppoll */
#include "pool.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "child.h"
#include "plugins.h"
#include "worker.h"

/* What a worker sends back per job; len bytes of reply follow. */
typedef struct reply_hdr {
    uint32_t job;
    int32_t rc;
    uint32_t len;
    uint32_t retire; /* the worker exits after this reply (cb_worker_retire) */
} reply_hdr;

/*
 * Process-wide state: the only mutable file-scope variables here are stop_sig/stop_count
 * below, because the signal handler writes them (a worker's mark and retirement are
 * worker.c's). Everything else of a run lives in its pool, on cb_pool_run's stack.
 */

typedef struct worker {
    cb_child c;            /* pid -1: none (not started, died, or its slot given up); from:
                            * replies out, to: job numbers in; ended: reaped by the waitpid
                            * sweep, its status in c.status */
    size_t job;            /* index into jobs being run, or SIZE_MAX when idle */
    double started;
    int off;               /* not restarted: a spawn failed on a process or file limit */
    cb_buf in;             /* reply bytes read so far */
} worker;

typedef struct pool {
    const cb_pool_opts *o;
    sigset_t mask;         /* the caller's signal mask: SIGINT and SIGTERM wait outside ppoll */
    worker *w;
    size_t nw;             /* slots */
    size_t usable;         /* slots not off */
    cb_mark_slot *marks;   /* nw slots shared with the workers (MAP_SHARED before fork) */
} pool;

/* ------------------------------------------------------------------ a worker's life */

static void worker_main(pool *p, size_t slot, int in, int out)
{
    const cb_pool_opts *o = p->o;
    cb_worker_start(&p->marks[slot]);
    cb_buf b = {0};
    uint32_t job;
    while (cb_read_all(in, &job, sizeof job) == 0 && job != UINT32_MAX) {
        reply_hdr h;
        memset(&h, 0, sizeof h); /* padding too: the struct goes through a pipe whole */
        h.job = job;
        b.len = 0;
        cb_buf_add(&b, &h, sizeof h);
        h.rc = o->work(o->ctx, job, &b);
        int retire = cb_worker_end_job();
        h.len = (uint32_t)(b.len - sizeof h);
        h.retire = (uint32_t)retire;
        memcpy(b.s, &h, sizeof h);
        if (cb_write_all(out, b.s, b.len) != 0 || retire) break; /* one write: header and reply */
    }
    cb_buf_free(&b);
    if (o->worker_exit) o->worker_exit(o->ctx);
    cb_child_exit(0);
}

typedef struct spawning {
    pool *p;
    size_t i;
    pid_t parent;
} spawning;

static void worker_body(void *ud, int in, int out)
{
    spawning *sp = ud;
    pool *p = sp->p;
    for (size_t k = 0; k < p->nw; k++) /* the other workers' pipes are not this worker's */
        if (p->w[k].c.pid > 0 && k != sp->i) {
            close(p->w[k].c.to);
            close(p->w[k].c.from);
        }
    signal(SIGPIPE, SIG_DFL);
    signal(SIGINT, SIG_IGN); /* the parent decides when to stop (pool.h) */
    signal(SIGTERM, SIG_IGN);
    sigprocmask(SIG_SETMASK, &p->mask, NULL);
    /* ignoring SIGTERM, a worker must still end with a parent killed by SIGKILL */
    if (prctl(PR_SET_PDEATHSIG, SIGKILL) != 0 || getppid() != sp->parent) cb_child_exit(0);
    worker_main(p, sp->i, in, out);
}

static int spawn(pool *p, size_t i, cb_error *err)
{
    worker *w = &p->w[i];
    memset((void *)&p->marks[i], 0, sizeof p->marks[i]);
    spawning sp = {p, i, getpid()};
    if (cb_child_start(&w->c, CB_CHILD_DUPLEX, 0, worker_body, &sp) != 0)
        return cb_fail(err, CB_EIO, "cannot start a worker process: %s", strerror(errno));
    w->job = SIZE_MAX;
    w->in.len = 0;
    return CB_OK;
}

/* Closes w's pipes and collects its exit status (already collected when w->c.ended). */
static int reap(worker *w)
{
    return cb_child_reap(&w->c, 0);
}

/* Appends to why what worker i was running when it stopped: " in block B of plugin P". */
static void add_mark(const pool *p, size_t i, char *why, size_t n)
{
    const cb_mark_slot *m = &p->marks[i];
    char where[256];
    if (m->kind != CB_MARK_NONE &&
        cb_plugins_describe(m->kind, m->what, m->fn[0] ? m->fn : NULL, where, sizeof where)) {
        size_t len = strlen(why);
        snprintf(why + len, n - len, " %s", where);
    }
}

static void describe_death(const pool *p, size_t i, int status, char *why, size_t n)
{
    if (WIFSIGNALED(status) || !cb_lua_describe_exit(status, p->o->limits, why, n)) { /* or stuck past its CPU budget */
        char how[128];
        cb_child_death(status, NULL, how, sizeof how);
        snprintf(why, n, "the worker process %s", how);
    }
    add_mark(p, i, why, n);
}

/* ------------------------------------------------------------------ limits */

static size_t open_fds(void)
{
    DIR *d = opendir("/proc/self/fd");
    if (!d) return 16;
    size_t n = 0;
    struct dirent *de;
    while ((de = readdir(d)))
        if (de->d_name[0] != '.') n++;
    closedir(d);
    return n; /* counts the folder's own descriptor: one to spare */
}

/* The workers RLIMIT_NOFILE leaves room for: each holds two pipe ends in the parent (four
 * while it is forked), and the parent keeps some for the manifest, journal and fonts. */
static size_t fd_room(size_t want, long *limit)
{
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) != 0 || rl.rlim_cur == RLIM_INFINITY) return want;
    size_t used = open_fds() + 16 + 2;
    size_t room = rl.rlim_cur > used ? (size_t)(rl.rlim_cur - used) / 2 : 0;
    *limit = (long)rl.rlim_cur;
    return room < want ? (room ? room : 1) : want;
}

static void say_capped(const pool *p, size_t got, size_t wanted, const char *why)
{
    if (p->o->quiet) return;
    fprintf(stderr, "countybrief: running %zu worker process%s, not %zu: %s\n", got, got == 1 ? "" : "es",
            wanted, why);
}

/* ------------------------------------------------------------------ the parent */

/* Set by the handler of SIGINT and SIGTERM (process-wide, see the top of this file). */
static volatile sig_atomic_t stop_sig, stop_count;

static void on_stop(int sig)
{
    if (!stop_sig) stop_sig = sig;
    if (stop_count < 2) stop_count++;
}

void cb_pool_catch_stop(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_stop;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = SA_RESTART; /* reads and writes go on; poll and sleeps return EINTR */
    const int sigs[] = {SIGINT, SIGTERM};
    for (size_t i = 0; i < 2; i++) {
        struct sigaction was;
        /* ignored when we started (`countybrief render &` in a script): the starter's wish */
        if (sigaction(sigs[i], NULL, &was) == 0 && was.sa_handler != SIG_IGN) sigaction(sigs[i], &sa, NULL);
    }
}

int cb_pool_stop_signal(void)
{
    return stop_sig;
}

/* Hands job k to idle worker i. 0, or -1 when the worker is gone (reaped: try again). */
static int hand_out(worker *w, size_t job, size_t k)
{
    uint32_t j = (uint32_t)job;
    if (cb_write_all(w->c.to, &j, sizeof j) != 0) {
        reap(w);
        return -1;
    }
    w->job = k;
    w->started = cb_now_s();
    return 0;
}

/* Reads what worker i has for us: 1 when its reply is complete, 0 for more to come, -1
 * when its pipe ended (the worker died, or closed it). */
static int take_reply(worker *w)
{
    size_t need = sizeof(reply_hdr), want = 65536;
    if (w->in.len >= need) {
        reply_hdr h;
        memcpy(&h, w->in.s, sizeof h);
        need += h.len;
        if (need - w->in.len > want) want = need - w->in.len;
    }
    char *at = cb_buf_reserve(&w->in, want);
    ssize_t r;
    do r = read(w->c.from, at, want);
    while (r < 0 && errno == EINTR);
    if (r <= 0) return -1;
    w->in.len += (size_t)r;
    if (w->in.len < sizeof(reply_hdr)) return 0;
    reply_hdr h;
    memcpy(&h, w->in.s, sizeof h);
    return w->in.len >= sizeof h + h.len ? 1 : 0;
}

/* The job of worker i failed for the reason why: tells the caller, frees the slot. */
static void job_died(pool *p, size_t i, const size_t *jobs, const char *why)
{
    worker *w = &p->w[i];
    size_t k = w->job;
    w->job = SIZE_MAX;
    p->o->done(p->o->ctx, jobs[k], CB_EIO, 1, why, strlen(why));
}

int cb_pool_run(const cb_pool_opts *o, const size_t *jobs, size_t n, cb_error *err)
{
    if (!n) return CB_OK;
    pool P = {.o = o}, *p = &P;
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    size_t wanted = o->workers > 0 ? (size_t)o->workers : (size_t)(cores > 0 ? cores : 1);
    if (wanted > n) wanted = n;
    long nofile = 0;
    p->nw = fd_room(wanted, &nofile);
    if (p->nw < wanted) {
        char why[128];
        snprintf(why, sizeof why, "the limit on open files (ulimit -n %ld) allows no more", nofile);
        say_capped(p, p->nw, wanted, why);
    }
    p->usable = p->nw;
    p->w = cb_xcalloc(p->nw, sizeof *p->w);
    for (size_t i = 0; i < p->nw; i++) p->w[i].c.pid = -1;
    p->marks = mmap(NULL, p->nw * sizeof *p->marks, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (p->marks == MAP_FAILED) { /* not covered: an anonymous mapping of a few KiB fails only out of memory */
        free(p->w);
        return cb_fail(err, CB_EIO, "cannot map memory for the workers: %s", strerror(errno));
    }
    struct pollfd *pfd = cb_xcalloc(p->nw, sizeof *pfd);
    void (*old_pipe)(int) = signal(SIGPIPE, SIG_IGN); /* a dead worker's pipe must not kill us */
    /* a stop signal is taken only in ppoll, so one that comes between the check of
     * stop_sig and the wait still ends the wait at once */
    sigset_t stop_set;
    sigemptyset(&stop_set);
    sigaddset(&stop_set, SIGINT);
    sigaddset(&stop_set, SIGTERM);
    sigprocmask(SIG_BLOCK, &stop_set, &p->mask);
    int rc = CB_OK;
    size_t next = 0, busy = 0;
    double last_sweep = cb_now_s(), stop_at = 0;
    while (rc == CB_OK && ((next < n && !stop_sig) || busy)) {
        if (stop_sig && !stop_at) stop_at = cb_now_s() + CB_POOL_STOP_GRACE_S;
        if (stop_at && (stop_count > 1 || cb_now_s() >= stop_at)) break; /* the busy are killed below */
        /* (re)start workers and hand out work */
        for (size_t i = 0; i < p->nw && next < n && !stop_sig; i++) {
            worker *w = &p->w[i];
            if (w->off) continue;
            if (w->c.pid < 0) {
                cb_error serr;
                if (spawn(p, i, &serr) != CB_OK) {
                    size_t live = 0;
                    for (size_t k = 0; k < p->nw; k++) live += p->w[k].c.pid > 0;
                    if (!live) {
                        rc = cb_fail(err, CB_EIO, "%s", serr.msg);
                        break;
                    }
                    /* a process or file limit: go on with the workers we have */
                    say_capped(p, live, p->usable, serr.msg);
                    for (size_t k = 0; k < p->nw; k++) p->w[k].off = p->w[k].c.pid <= 0;
                    p->usable = live;
                    continue; /* the live workers after this one still get work */
                }
            }
            if (w->job != SIZE_MAX) continue;
            if (hand_out(w, jobs[next], next) == 0) {
                next++;
                busy++;
            }
        }
        if (rc != CB_OK) break;
        /* wait for a reply, a deadline, the next tick, or a second (a worker whose pipe a
         * process it forked still holds open is found dead by waitpid, not by its pipe) */
        int wait_ms = o->tick && o->tick_ms > 0 ? o->tick_ms : -1;
        if (!busy && next < n) wait_ms = 0; /* nothing handed out this pass: try again at once */
        double now = cb_now_s();
        for (size_t i = 0; i < p->nw; i++) {
            worker *w = &p->w[i];
            pfd[i].fd = w->c.pid > 0 && w->job != SIZE_MAX ? w->c.from : -1;
            pfd[i].events = POLLIN;
            pfd[i].revents = 0;
            if (pfd[i].fd < 0) continue;
            double left_s = 1.0;
            if (o->timeout_s > 0 && w->started + o->timeout_s - now < left_s) left_s = w->started + o->timeout_s - now;
            int left = left_s > 0 ? (int)(left_s * 1000) + 1 : 0;
            if (wait_ms < 0 || left < wait_ms) wait_ms = left;
        }
        if (stop_at && (wait_ms < 0 || (stop_at - now) * 1000 + 1 < wait_ms))
            wait_ms = stop_at > now ? (int)((stop_at - now) * 1000) + 1 : 0;
        struct timespec ts = {wait_ms / 1000, (long)(wait_ms % 1000) * 1000000L};
        /* not covered: ppoll fails only with EINTR (handled) or arguments it cannot take */
        if (ppoll(pfd, p->nw, wait_ms < 0 ? NULL : &ts, &p->mask) < 0 && errno != EINTR) {
            rc = cb_fail(err, CB_EIO, "poll: %s", strerror(errno));
            break;
        }
        now = cb_now_s();
        int sweep = now - last_sweep >= 1.0;
        if (sweep) last_sweep = now;
        for (size_t i = 0; i < p->nw; i++) {
            worker *w = &p->w[i];
            if (w->c.pid <= 0 || w->job == SIZE_MAX) continue;
            char why[512];
            if (pfd[i].revents & (POLLIN | POLLHUP | POLLERR)) {
                int got = take_reply(w);
                if (got == 1) {
                    reply_hdr h;
                    memcpy(&h, w->in.s, sizeof h);
                    size_t k = w->job;
                    w->job = SIZE_MAX;
                    busy--;
                    w->in.s[sizeof h + h.len] = '\0';
                    o->done(o->ctx, jobs[k], h.rc, 0, w->in.s + sizeof h, h.len);
                    w->in.len = 0;
                    if (h.retire) reap(w); /* it is exiting: the next job gets a fresh fork */
                    continue;
                }
                if (got == 0) continue;
                /* the pipe ended: the worker died, or closed it and is stopped */
                if (!w->c.ended && waitpid(w->c.pid, &w->c.status, WNOHANG) == w->c.pid) w->c.ended = 1;
                if (!w->c.ended) kill(w->c.pid, SIGKILL);
                describe_death(p, i, reap(w), why, sizeof why);
            } else if (o->timeout_s > 0 && now - w->started > o->timeout_s) {
                kill(w->c.pid, SIGKILL);
                reap(w);
                snprintf(why, sizeof why, "timed out after %g s (the worker was stopped)", o->timeout_s);
                add_mark(p, i, why, sizeof why);
            } else if (sweep && waitpid(w->c.pid, &w->c.status, WNOHANG) == w->c.pid) {
                w->c.ended = 1; /* its pipe is held open by a process it forked */
                describe_death(p, i, reap(w), why, sizeof why);
            } else {
                continue;
            }
            busy--;
            job_died(p, i, jobs, why);
        }
        if (o->tick) o->tick(o->ctx);
    }
    for (size_t i = 0; i < p->nw; i++) {
        worker *w = &p->w[i];
        if (w->c.pid <= 0) continue;
        uint32_t quit = UINT32_MAX;
        if (w->job != SIZE_MAX) kill(w->c.pid, SIGKILL); /* only when the run was cut short or stopped */
        else (void)cb_write_all(w->c.to, &quit, sizeof quit);
        reap(w);
    }
    for (size_t i = 0; i < p->nw; i++) cb_buf_free(&p->w[i].in);
    signal(SIGPIPE, old_pipe);
    sigprocmask(SIG_SETMASK, &p->mask, NULL);
    munmap(p->marks, p->nw * sizeof *p->marks);
    free(p->w);
    free(pfd);
    return rc;
}
