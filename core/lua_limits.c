/*
 * lua_limits.c: the limits of every Lua state that runs user code (lua_limits.h): states
 * made with the capped allocator, the memory cap (and the charge for what the document
 * copies), the CPU budget (a CPU-time timer, its signal handler and hook, the hard stop),
 * the outcome of a run that met them, and descriptions (template.lua), run under them.
 *
 * Process-wide state, the only in the sandbox, all of it here:
 *   running    the run whose CPU timers are armed. A signal handler is handed no handle
 *              of ours, and a timer's signal can be delivered after the run that armed it
 *              has ended (queued as timer_delete ran), when its run_ctx (on that run's C
 *              stack) is gone: the handler must find the live run through a pointer the
 *              run clears as it stops. One run at a time arms timers in a process (a
 *              worker runs one county; the prelude's child one script).
 *   stuck_fd   where the hard stop writes "S<script:line>" before it ends the process: the
 *              prelude's result pipe in its child, -1 elsewhere. Kept beside running, not
 *              in the run_ctx, as the hard timer still fires during lua_close (finalizers),
 *              after the run stopped being `running`.
 *   installed  the SIGXCPU handler is set once per process.
 *   known      whether the loaded Lua's stack can be read at any allocation (a constant of
 *              the library, found once).
 */
#include "lua_limits.h"

#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lua_int.h"
#include "worker.h"

#define MIB 1048576.0

static void fmt_limit(char *buf, size_t n, double v) { snprintf(buf, n, "%g", v); }

/* ------------------------------------------------------------------ memory cap */

/* Whether the stack may be read while Lua is inside an allocation. Lua up to 5.4.4 grows
 * its stack by allocating a new one while the old stays valid, and every other allocation
 * happens where an emergency collection could run, so the stack is readable at any
 * allocation. From 5.4.5 on, while the stack itself is reallocated, its pointers are
 * offsets: there only fresh allocations (ptr == NULL, never the stack) are safe to read
 * at. Decided from the library actually loaded (lua_ident), not the headers. */
static int any_refusal_readable(void)
{
    static int known = -1;
    /* not covered: one side of the version tests (the suite runs one Lua, 5.4.4) */
    if (known < 0) {
        const char *v = strstr(lua_ident, "Lua 5.4.");
        known = v && v[8] >= '0' && v[8] <= '4' && !(v[9] >= '0' && v[9] <= '9');
    }
    return known;
}

static void refuse(run_ctx *c, const void *ptr)
{
    c->refusals++;
    c->mem_where[0] = c->mem_trace[0] = '\0';
    /* not covered: any_refusal_readable() 0 (Lua 5.4.5 and later; the suite runs 5.4.4) */
    if (c->L && (ptr == NULL || any_refusal_readable()))
        cb_lua__describe_stack(c->L, 0, c->mem_where, sizeof c->mem_where, c->mem_trace, sizeof c->mem_trace);
}

/* The state's allocator: realloc/free, refusing any growth past the cap. Lua then runs an
 * emergency collection and tries once more, and if that fails too raises "not enough
 * memory" (LUA_ERRMEM, which carries no position and calls no message handler: hence the
 * place is recorded here). Shrinking never fails, as Lua requires. */
static void *capped_alloc(void *ud, void *ptr, size_t osize, size_t nsize)
{
    run_ctx *c = ud;
    if (!ptr) osize = 0; /* then osize is the kind of object, not a size */
    if (nsize == 0) {
        free(ptr);
        c->heap -= osize;
        return NULL;
    }
    if (nsize > osize && c->cap) {
        size_t used = c->heap + c->docmem;
        /* not covered: used > cap (growth and doc's charges are refused before they pass the cap,
         * so used never exceeds it; kept so that the subtraction cannot wrap), here and in
         * cb_lua__charge */
        if (used > c->cap || nsize - osize > c->cap - used) {
            refuse(c, ptr);
            return NULL;
        }
    }
    void *p = realloc(ptr, nsize); /* not covered: realloc failing (no memory left): the line below */
    if (!p) return nsize <= osize ? ptr : NULL; /* a failed shrink keeps the larger block */
    c->heap = c->heap - osize + nsize;
    return p;
}

/* Counts n bytes of doc's copies of the script's values against the cap, raising "not
 * enough memory" past it: doc:paragraph(big) in a loop would otherwise grow the process
 * without limit, outside the Lua heap. */
void cb_lua__charge(lua_State *L, size_t n)
{
    run_ctx *c = cb_lua__ctx(L);
    size_t used = c->heap + c->docmem;
    if (c->cap && (used > c->cap || n > c->cap - used)) {
        refuse(c, NULL);
        lua_pushliteral(L, "not enough memory");
        lua_error(L);
    }
    c->docmem += n;
}

char *cb_lua__doc_strdup(lua_State *L, const char *s)
{
    size_t n = strlen(s) + 1;
    cb_lua__charge(L, n);
    return memcpy(cb_xmalloc(n), s, n);
}

/* cb_xcalloc for doc, charged: n comes from the script (luaL_len can be anything), so an
 * overflowing or absurd size is an error here rather than an abort in cb_xcalloc. */
void *cb_lua__doc_calloc(lua_State *L, size_t n, size_t size)
{
    if (n == 0) n = 1;
    if (n > SIZE_MAX / size) { /* not covered: n counts a Lua table's items, far fewer */
        refuse(cb_lua__ctx(L), NULL);
        lua_pushliteral(L, "not enough memory");
        lua_error(L);
    }
    cb_lua__charge(L, n * size);
    return cb_xcalloc(n, size);
}

/* not covered: every call into Lua is protected (lua_pcall), so Lua never panics */
static int on_panic(lua_State *L)
{
    const char *msg = lua_tostring(L, -1);
    fprintf(stderr, "countybrief: unprotected error in a Lua state (%s)\n", msg ? msg : "?");
    return 0; /* Lua aborts */
}

/* A Lua state whose allocations c counts and caps, c->L set; NULL with err set (it may be
 * NULL): "name: cannot create a Lua state", naming the memory limit if that refused it. */
lua_State *cb_lua__new_state(run_ctx *c, const char *name, cb_error *err)
{
    lua_State *L = lua_newstate(capped_alloc, c);
    if (!L) { /* not covered: without a refusal of the cap (malloc failing) */
        cb_fail(err, CB_ENOMEM, "%s: cannot create a Lua state%s", name,
                c->refusals ? " within the memory limit (see --lua-memory)" : "");
        return NULL;
    }
    c->L = L;
    lua_atpanic(L, on_panic);
    return L;
}

/* ------------------------------------------------------------------ CPU budget */

/* A CPU-time timer of this thread fires SIGXCPU once the budget is spent; the handler only
 * sets a hook (lua_sethook is safe there: lua.c stops scripts on Ctrl-C the same way), and
 * the hook stops the script at its next instruction, call or return. Until then no hook
 * runs at all, so the budget costs normal code nothing. A second timer, CB_LUA_STUCK_GRACE_S
 * later, catches a script stuck inside one C call, where no hook can run: it ends the
 * process with CB_LUA_EXIT_STUCK, for the batch to report.
 *
 * Not covered by the tests: sigaction, timer_create and timer_settime failing (bad
 * arguments, or a process at its limit of timers). The hard stop is tested
 * (tests/e2e/sandbox.sh, limits.sh) but shows as never run: its process ends with _exit in
 * the signal handler, where writing coverage counts is not safe. */
enum { TIMER_SOFT = 1, TIMER_HARD = 2 };
#define STOP_MASK (LUA_MASKCALL | LUA_MASKRET | LUA_MASKLINE | LUA_MASKCOUNT)

static run_ctx *volatile running; /* the run whose timers are armed (see the top) */
static int stuck_fd = -1;         /* (see the top) */

void cb_lua__set_stuck_fd(int fd) { stuck_fd = fd; }

static double thread_cpu_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static void cpu_hook(lua_State *L, lua_Debug *ar)
{
    run_ctx *c = cb_lua__ctx(L);
    /* not covered: a line event (with a count of 1 the count event comes first at every
     * instruction, and this hook raises the error there); and ours below: the message handler's
     * call is seen only when the signal lands while a C function runs that then raises an error of
     * its own (an error raised in this hook calls the handler with hooks off) */
    if (ar->event != LUA_HOOKLINE && ar->event != LUA_HOOKCOUNT) {
        /* calls and returns: our message handler runs (stopping it would only turn the
         * error into "error in error handling"); any other function, C or Lua, is stopped
         * before it starts or as it returns */
        lua_getinfo(L, "f", ar);
        int ours = lua_tocfunction(L, -1) == cb_lua__traceback_handler;
        lua_pop(L, 1);
        if (ours) return;
    }
    if (!c->cpu_hit) {
        c->cpu_hit = 1;
        c->cpu_used = thread_cpu_s() - c->cpu_start;
        cb_lua__describe_stack(L, 0, c->cpu_where, sizeof c->cpu_where, c->cpu_trace, sizeof c->cpu_trace);
    }
    /* The hook stays set: a pcall that catches this error gets it again at its caller's
     * next instruction, up to the top, whose message cb_lua_run_report writes itself. */
    char b[32], msg[CB_LUA_WHERE_MAX + 64];
    fmt_limit(b, sizeof b, c->budget_s);
    /* not covered: no place found, here and in cb_lua__run_outcome (a script stopped always has a
     * line of its Lua on the stack, its main chunk at least) */
    snprintf(msg, sizeof msg, "%s%sCPU budget of %s s exceeded", c->cpu_where, c->cpu_where[0] ? ": " : "", b);
    lua_pushstring(L, msg);
    lua_error(L);
}

static void on_cpu_signal(int sig, siginfo_t *si, void *uctx)
{
    (void)sig;
    (void)uctx;
    run_ctx *c = running;
    /* not covered: si NULL (SA_SIGINFO always passes one), a SIGXCPU not from our timers (kill,
     * RLIMIT_CPU), and the hard stop (below) */
    if (si && si->si_code == SI_TIMER && si->si_value.sival_int == TIMER_HARD) {
        /* stuck in one C call since before the soft stop, so the stack is as it was then
         * and reading it allocates nothing; the process ends anyway (not covered: it ends
         * before gcov writes its counts) */
        if (stuck_fd >= 0) {
            char rec[CB_LUA_WHERE_MAX + 1] = "S", trace[CB_LUA_TRACE_MAX];
            if (c && c->L) cb_lua__describe_stack(c->L, 0, rec + 1, sizeof rec - 1, trace, sizeof trace);
            ssize_t w = write(stuck_fd, rec, strlen(rec));
            (void)w;
        }
        _exit(CB_LUA_EXIT_STUCK);
    }
    /* not covered: c NULL (the soft timer's signal delivered after its run ended: a signal at an
     * exact moment) and c->L NULL (set before the timers are armed) */
    if (c && c->L) lua_sethook(c->L, cpu_hook, STOP_MASK, 1);
}

static int set_timer(timer_t t, double s)
{
    struct itimerspec its;
    memset(&its, 0, sizeof its);
    its.it_value.tv_sec = (time_t)s;
    its.it_value.tv_nsec = (long)((s - (double)(time_t)s) * 1e9);
    if (its.it_value.tv_sec == 0 && its.it_value.tv_nsec == 0) its.it_value.tv_nsec = 1; /* 0 disarms */
    return timer_settime(t, 0, &its, NULL);
}

/* Arms the soft stop and, with hard, the hard stop, which ends the process: only in a
 * process of its own (a worker, the prelude's child). */
int cb_lua__cpu_arm(run_ctx *c, int hard, cb_error *err)
{
    static int installed;
    if (c->budget_s <= 0) return CB_OK;
    if (!installed) {
        struct sigaction sa;
        memset(&sa, 0, sizeof sa);
        sa.sa_sigaction = on_cpu_signal;
        sa.sa_flags = SA_SIGINFO | SA_RESTART;
        sigemptyset(&sa.sa_mask);
        /* not covered: sigaction and the timers failing, here and below (they fail on bad
     * arguments only, or a process at its limit of timers) */
        if (sigaction(SIGXCPU, &sa, NULL) != 0)
            return cb_fail(err, CB_ESCRIPT, "cannot set up the CPU budget: sigaction: %s", strerror(errno));
        installed = 1;
    }
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGXCPU);
    sigprocmask(SIG_UNBLOCK, &set, NULL);
    struct sigevent sev;
    memset(&sev, 0, sizeof sev);
    sev.sigev_notify = SIGEV_SIGNAL;
    sev.sigev_signo = SIGXCPU;
    sev.sigev_value.sival_int = TIMER_SOFT;
    if (timer_create(CLOCK_THREAD_CPUTIME_ID, &sev, &c->soft) != 0)
        return cb_fail(err, CB_ESCRIPT, "cannot set up the CPU budget: timer_create: %s", strerror(errno));
    sev.sigev_value.sival_int = TIMER_HARD;
    c->has_hard = hard;
    if (hard && timer_create(CLOCK_THREAD_CPUTIME_ID, &sev, &c->hard) != 0) {
        int e = errno;
        timer_delete(c->soft);
        return cb_fail(err, CB_ESCRIPT, "cannot set up the CPU budget: timer_create: %s", strerror(e));
    }
    running = c;
    c->armed = 1;
    c->cpu_start = thread_cpu_s();
    if (set_timer(c->soft, c->budget_s) != 0 || (hard && set_timer(c->hard, c->budget_s + CB_LUA_STUCK_GRACE_S) != 0)) {
        int e = errno;
        timer_delete(c->soft);
        if (hard) timer_delete(c->hard);
        running = NULL;
        c->armed = 0;
        return cb_fail(err, CB_ESCRIPT, "cannot set up the CPU budget: timer_settime: %s", strerror(e));
    }
    return CB_OK;
}

/* After the script: no more hook. The hard timer stays until lua_close is done, as
 * finalizers (__gc) run there, with hooks off. */
void cb_lua__cpu_stop_script(run_ctx *c)
{
    if (!c->armed) return;
    timer_delete(c->soft);
    running = NULL;
    lua_sethook(c->L, NULL, 0, 0);
}

void cb_lua__cpu_disarm(run_ctx *c)
{
    if (!c->armed) return;
    if (c->has_hard) timer_delete(c->hard);
    c->armed = 0;
}

int cb_lua_describe_exit(int wait_status, const cb_lua_limits *limits, char *buf, size_t n)
{
    double b = limits ? limits->cpu_budget_s : 0;
    if (b == 0) b = CB_LUA_DEFAULT_CPU_BUDGET_S;
    if (b < 0 || !WIFEXITED(wait_status) || WEXITSTATUS(wait_status) != CB_LUA_EXIT_STUCK) return 0;
    char s[32];
    fmt_limit(s, sizeof s, b);
    snprintf(buf, n, "CPU budget of %s s exceeded (stuck in a library call)", s);
    return 1;
}

/* A limit as used: v == 0 is the default, v < 0 none (0 here). */
static double limit_value(double v, double dflt) { return v == 0 ? dflt : v < 0 ? 0 : v; }

/* Sets c's memory cap and CPU budget from limits (NULL: the defaults). */
void cb_lua__set_limits(run_ctx *c, const cb_lua_limits *limits)
{
    static const cb_lua_limits dflt;
    if (!limits) limits = &dflt;
    double mib = limit_value(limits->memory_mib, CB_LUA_DEFAULT_MEMORY_MIB);
    c->cap_mib = mib;
    c->cap = mib * MIB >= (double)SIZE_MAX ? 0 : (size_t)(mib * MIB);
    c->budget_s = limit_value(limits->cpu_budget_s, CB_LUA_DEFAULT_CPU_BUDGET_S);
}

/* 1 if the run ended (status, error message msg) on a limit rather than by itself. */
int cb_lua__limit_hit(const run_ctx *c, int status, const char *msg)
{
    return c->cpu_hit || (status != LUA_OK && c->refusals &&
                          (status == LUA_ERRMEM || status == LUA_ERRERR ||
                           (msg && strncmp(msg, "not enough memory", 17) == 0)));
}

/* The outcome of a run with status (its message on top of the stack): CB_OK, or err set
 * with code, naming the limit reached and where ("name" when no line is known), or the
 * script's own message. who says what ran out of memory ("the report"). */
int cb_lua__run_outcome(run_ctx *c, int status, const char *name, const char *who, int code, cb_error *err)
{
    char limit[32];
    const char *msg = status == LUA_OK ? NULL : lua_tostring(c->L, -1);
    /* a limit struck (even one the script caught with pcall): its longjmp left from where
     * the limit found the script, so the worker is not to run another county (pool.h) */
    if (c->cpu_hit || c->refusals) cb_worker_retire();
    if (c->cpu_hit) { /* whatever the script's own handlers made of it */
        fmt_limit(limit, sizeof limit, c->budget_s);
        return cb_fail(err, code, "%s: CPU budget of %s s exceeded (stopped after %.2f s of CPU time; see --cpu-budget)%s",
                       c->cpu_where[0] ? c->cpu_where : name, limit, c->cpu_used, c->cpu_trace);
    }
    if (cb_lua__limit_hit(c, status, msg)) {
        fmt_limit(limit, sizeof limit, c->cap_mib);
        return cb_fail(err, code, "%s: not enough memory: %s needs more than its memory limit of %s MiB "
                       "(see --lua-memory)%s", c->mem_where[0] ? c->mem_where : name, who, limit, c->mem_trace);
    }
    /* not covered: msg NULL (a report's message handler makes every error a string, and a
     * description, without a library, can raise nothing else) */
    if (status != LUA_OK) return cb_fail(err, code, "%s", msg ? msg : "(error object is not a string)");
    return CB_OK;
}

/* ------------------------------------------------------------------ descriptions */

/* Loads the file (light userdata 1) as a chunk whose environment is an empty table. */
static int load_description(lua_State *L)
{
    if (luaL_loadfilex(L, lua_touserdata(L, 1), "t") != LUA_OK) return lua_error(L);
    lua_newtable(L);
    lua_setupvalue(L, -2, 1);
    return 1;
}

/* A description has no library and no metatable to reach, so it can call no C function
 * that could hold it past the budget: the soft stop is enough, and it runs in-process. */
lua_State *cb_lua_run_description(const char *path, const cb_lua_limits *limits, int code, cb_error *err)
{
    run_ctx *c = cb_xcalloc(1, sizeof *c);
    cb_lua__set_limits(c, limits);
    lua_State *L = cb_lua__new_state(c, path, err);
    if (!L) {
        free(c);
        return NULL;
    }
    lua_pushcfunction(L, load_description);
    lua_pushlightuserdata(L, (void *)path);
    int status = lua_pcall(L, 1, 1, 0), rc = CB_OK;
    if (status == LUA_OK) {
        rc = cb_lua__cpu_arm(c, 0, err);
        /* not covered: rc not CB_OK, here and below: cb_lua__cpu_arm failing (see there) */
        if (rc == CB_OK) status = lua_pcall(L, 0, 1, 0);
        cb_lua__cpu_stop_script(c);
    }
    if (rc == CB_OK) rc = cb_lua__run_outcome(c, status, path, "it", code, err);
    cb_lua__cpu_disarm(c);
    if (rc == CB_OK) return L;
    cb_lua_close_description(L);
    return NULL;
}

void cb_lua_close_description(lua_State *L)
{
    if (!L) return;
    void *c;
    lua_getallocf(L, &c);
    lua_close(L);
    free(c);
}

