/* lua_api.c: see lua_api.h. */
#include "lua_api.h"

#include <errno.h>
#include <fcntl.h>
#include <lauxlib.h>
#include <limits.h>
#include <locale.h>
#include <malloc.h>
#include <lua.h>
#include <poll.h>
#include <lualib.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "child.h"
#include "lua_fmt.h"
#include "numfmt.h"
#include "plugins.h"
#include "pool.h"

/* Registry keys (addresses are unique). */
static const char LOADED_KEY = 0;
#define DOC_META "countybrief.doc"

#define WHERE_MAX 256  /* "script:line" */
#define TRACE_MAX 768  /* " [traceback: ...]" */
#define MIB 1048576.0

/* Everything about one county's run. The state's allocator gets it as its userdata, so any
 * code holding the lua_State finds it with lua_getallocf: no registry lookup, no stack slot,
 * no allocation (the allocator and the hook must not allocate). */
typedef struct run_ctx {
    const cb_report_src *src;
    const cb_dataset *ds;
    size_t county;
    cb_doc *doc;
    lua_State *L; /* NULL while lua_newstate runs */

    /* memory: the Lua heap plus the script's text copied into doc stay under cap */
    size_t cap;            /* bytes; 0: no cap */
    double cap_mib;        /* the same, as the option gave it */
    size_t heap, docmem;   /* bytes in use */
    unsigned long refusals;
    char mem_where[WHERE_MAX], mem_trace[TRACE_MAX]; /* where the last refusal happened */

    /* CPU */
    double budget_s;       /* 0: no budget */
    double cpu_start;      /* thread CPU time when the timers were armed */
    int armed, has_hard;
    timer_t soft, hard;
    int cpu_hit;           /* the hook stopped the script */
    double cpu_used;
    char cpu_where[WHERE_MAX], cpu_trace[TRACE_MAX];

    int warn_on, warn_cont; /* warn("@on") */
    char warn_line[CB_CLEAN_MAX + 64]; /* a warning's pieces, written whole (on_warn) */
    size_t warn_len;

    /* scope "all": the counties the script sees (which: NULL for every one) */
    int all;
    const size_t *which;
    size_t nwhich;

    /* the prelude (cb_lua_report_prelude): needs { ... } and report { ... } fill needs_out
     * and decl_out, and the last of the decl_expected declarations stops the script; in a
     * county's run they do nothing */
    cb_needs *needs_out;
    cb_report_decl *decl_out;
    int decl_expected, decl_seen, needs_bad;
} run_ctx;

static run_ctx *get_ctx(lua_State *L)
{
    void *ud;
    lua_getallocf(L, &ud);
    return ud;
}

static void fmt_limit(char *buf, size_t n, double v) { snprintf(buf, n, "%g", v); }

/* ------------------------------------------------------------------ describing the stack */

#define TRACE_INNER 10 /* report frames shown from the innermost... */
#define TRACE_OUTER 3  /* ...and from the outermost, with "…" between on deeper stacks */
#define TRACE_SCAN 40  /* levels looked at from each end: C frames and load()ed chunks don't show */

/* One frame of a report file: fills where ("file:line") and frame ("file:line (name)");
 * 0 for C functions and load()ed strings, which have no file to point at. */
static int report_frame(lua_State *L, lua_Debug *ar, char *where, size_t wn, char *frame, size_t fn)
{
    if (!lua_getinfo(L, "Sln", ar) || ar->currentline <= 0 || ar->source[0] != '@') return 0;
    snprintf(where, wn, "%s:%d", ar->source + 1, ar->currentline);
    if (ar->name) snprintf(frame, fn, "%s:%d (%s)", ar->source + 1, ar->currentline, ar->name);
    else snprintf(frame, fn, "%s:%d", ar->source + 1, ar->currentline);
    return 1;
}

/* The level of the outermost frame, found as luaL_traceback does (lua_getstack walks the
 * frames from the innermost, so scanning them one by one would be quadratic). */
static int last_level(lua_State *L)
{
    lua_Debug ar;
    int li = 1, le = 1;
    while (lua_getstack(L, le, &ar)) {
        li = le;
        le *= 2;
    }
    while (li < le) {
        int m = (li + le) / 2;
        if (lua_getstack(L, m, &ar)) li = m + 1;
        else le = m;
    }
    return le - 1;
}

/* Describes the report's frames from `level` outwards: where gets the innermost as
 * "file:line" ("" if none), trace " [traceback: a:3 (f) < a:9]" ("" if none). A deep stack
 * (runaway recursion) shows its TRACE_INNER innermost and TRACE_OUTER outermost report
 * frames with " < …" between, so this costs little however deep the stack is. It only
 * reads the stack and allocates nothing from Lua: the allocator, the CPU hook and the
 * message handler all use it. */
static void describe_stack(lua_State *L, int level, char *where, size_t wn, char *trace, size_t tn)
{
    lua_Debug ar;
    char w[WHERE_MAX], frame[WHERE_MAX + 64];
    size_t len = 0;
    int shown = 0, lv;
    where[0] = trace[0] = '\0';
#define ADD(...)                                                                     \
    do {                                                                             \
        if (len < tn) {                                                              \
            int k_ = snprintf(trace + len, tn - len, __VA_ARGS__);                   \
            if (k_ > 0) len += (size_t)k_ < tn - len ? (size_t)k_ : tn - len - 1;    \
        }                                                                            \
    } while (0)
    for (lv = level; shown < TRACE_INNER && lv < level + TRACE_SCAN && lua_getstack(L, lv, &ar); lv++) {
        if (!report_frame(L, &ar, w, sizeof w, frame, sizeof frame)) continue;
        if (!where[0]) snprintf(where, wn, "%s", w);
        ADD("%s%s", shown++ ? " < " : " [traceback: ", frame);
    }
    if (lua_getstack(L, lv, &ar)) { /* more frames: the outermost few */
        int last = last_level(L), nout = 0, gap = 0;
        char outer[TRACE_OUTER][WHERE_MAX + 64], outer_where[WHERE_MAX] = "";
        int l2;
        for (l2 = last; l2 >= lv && l2 > last - TRACE_SCAN && nout < TRACE_OUTER; l2--) {
            if (!lua_getstack(L, l2, &ar) || !report_frame(L, &ar, w, sizeof w, outer[nout], sizeof outer[0]))
                continue;
            snprintf(outer_where, sizeof outer_where, "%s", w);
            nout++;
        }
        gap = l2 >= lv; /* levels between the two ends were not looked at */
        if (!where[0]) snprintf(where, wn, "%s", outer_where);
        if (gap && (shown || nout)) ADD("%s…", shown++ ? " < " : " [traceback: ");
        while (nout > 0) ADD("%s%s", shown++ ? " < " : " [traceback: ", outer[--nout]);
    }
    if (shown) ADD("]");
#undef ADD
}

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
    if (c->L && (ptr == NULL || any_refusal_readable()))
        describe_stack(c->L, 0, c->mem_where, sizeof c->mem_where, c->mem_trace, sizeof c->mem_trace);
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
        if (used > c->cap || nsize - osize > c->cap - used) {
            refuse(c, ptr);
            return NULL;
        }
    }
    void *p = realloc(ptr, nsize); /* not covered: realloc failing (no memory left) */
    if (!p) return nsize <= osize ? ptr : NULL; /* a failed shrink keeps the larger block */
    c->heap = c->heap - osize + nsize;
    return p;
}

/* Counts n bytes of doc's copies of the script's values against the cap, raising "not
 * enough memory" past it: doc:paragraph(big) in a loop would otherwise grow the process
 * without limit, outside the Lua heap. */
static void charge(lua_State *L, size_t n)
{
    run_ctx *c = get_ctx(L);
    size_t used = c->heap + c->docmem;
    if (c->cap && (used > c->cap || n > c->cap - used)) {
        refuse(c, NULL);
        lua_pushliteral(L, "not enough memory");
        lua_error(L);
    }
    c->docmem += n;
}

static char *doc_strdup(lua_State *L, const char *s)
{
    size_t n = strlen(s) + 1;
    charge(L, n);
    return memcpy(cb_xmalloc(n), s, n);
}

/* cb_xcalloc for doc, charged: n comes from the script (luaL_len can be anything), so an
 * overflowing or absurd size is an error here rather than an abort in cb_xcalloc. */
static void *doc_calloc(lua_State *L, size_t n, size_t size)
{
    if (n == 0) n = 1;
    if (n > SIZE_MAX / size) { /* not covered: n counts a Lua table's items, far fewer */
        refuse(get_ctx(L), NULL);
        lua_pushliteral(L, "not enough memory");
        lua_error(L);
    }
    charge(L, n * size);
    return cb_xcalloc(n, size);
}

/* Notes on block b the script:line adding it (luaL_where of the script's frame), for the
 * layout's messages, which come after the script ended. */
static cb_block *note_where(lua_State *L, cb_block *b)
{
    size_t n;
    luaL_where(L, 1);
    const char *w = lua_tolstring(L, -1, &n);
    while (n && (w[n - 1] == ':' || w[n - 1] == ' ')) n--; /* "script:line: " */
    char *copy = n ? cb_xstrndup(w, n) : NULL;
    lua_pop(L, 1);
    b->where = copy; /* the document's from here, even if charging it raises */
    charge(L, n ? n + 1 : 0);
    return b;
}

static cb_block *doc_add(lua_State *L, cb_doc *d, cb_block_kind kind)
{
    charge(L, sizeof(cb_block));
    return note_where(L, cb_doc_add(d, kind));
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

static run_ctx *volatile running; /* the run whose timers are armed */
/* Where the hard stop writes "S<script:line>" before ending the process (the prelude's
 * result pipe); -1: nowhere. */
static int stuck_fd = -1;

static double thread_cpu_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static int traceback_handler(lua_State *L);

static void cpu_hook(lua_State *L, lua_Debug *ar)
{
    run_ctx *c = get_ctx(L);
    if (ar->event != LUA_HOOKLINE && ar->event != LUA_HOOKCOUNT) {
        /* calls and returns: our message handler runs (stopping it would only turn the
         * error into "error in error handling"); any other function, C or Lua, is stopped
         * before it starts or as it returns */
        lua_getinfo(L, "f", ar);
        int ours = lua_tocfunction(L, -1) == traceback_handler;
        lua_pop(L, 1);
        if (ours) return;
    }
    if (!c->cpu_hit) {
        c->cpu_hit = 1;
        c->cpu_used = thread_cpu_s() - c->cpu_start;
        describe_stack(L, 0, c->cpu_where, sizeof c->cpu_where, c->cpu_trace, sizeof c->cpu_trace);
    }
    /* The hook stays set: a pcall that catches this error gets it again at its caller's
     * next instruction, up to the top, whose message cb_lua_run_report writes itself. */
    char b[32], msg[WHERE_MAX + 64];
    fmt_limit(b, sizeof b, c->budget_s);
    snprintf(msg, sizeof msg, "%s%sCPU budget of %s s exceeded", c->cpu_where, c->cpu_where[0] ? ": " : "", b);
    lua_pushstring(L, msg);
    lua_error(L);
}

static void on_cpu_signal(int sig, siginfo_t *si, void *uctx)
{
    (void)sig;
    (void)uctx;
    run_ctx *c = running;
    if (si && si->si_code == SI_TIMER && si->si_value.sival_int == TIMER_HARD) {
        /* stuck in one C call since before the soft stop, so the stack is as it was then
         * and reading it allocates nothing; the process ends anyway (not covered: it ends
         * before gcov writes its counts) */
        if (stuck_fd >= 0) {
            char rec[WHERE_MAX + 1] = "S", trace[TRACE_MAX];
            if (c && c->L) describe_stack(c->L, 0, rec + 1, sizeof rec - 1, trace, sizeof trace);
            ssize_t w = write(stuck_fd, rec, strlen(rec));
            (void)w;
        }
        _exit(CB_LUA_EXIT_STUCK);
    }
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
static int cpu_arm(run_ctx *c, int hard, cb_error *err)
{
    static int installed;
    if (c->budget_s <= 0) return CB_OK;
    if (!installed) {
        struct sigaction sa;
        memset(&sa, 0, sizeof sa);
        sa.sa_sigaction = on_cpu_signal;
        sa.sa_flags = SA_SIGINFO | SA_RESTART;
        sigemptyset(&sa.sa_mask);
        /* not covered: sigaction and the timers failing here (they fail on bad arguments only) */
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
static void cpu_stop_script(run_ctx *c)
{
    if (!c->armed) return;
    timer_delete(c->soft);
    running = NULL;
    lua_sethook(c->L, NULL, 0, 0);
}

static void cpu_disarm(run_ctx *c)
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

/* ------------------------------------------------------------------ loading chunks */

/*
 * Compiled chunks, kept per process: each county runs in a fresh Lua state, and reading
 * and compiling the report and its modules again for every county was a tenth of a
 * briefing. A chunk is compiled from the text once, dumped with its debug information (so
 * messages keep script:line), and later states load that dump. An entry is kept with the
 * file's identity (util.h: a script edited within its timestamp's second, or with its
 * mtime put back, compiles anew under render --watch too). Only our own dumps are loaded as binary: report code can load text only.
 */
typedef struct chunk_cache {
    char *path, *name;
    cb_file_id id; /* not settled: not kept */
    cb_buf code;
} chunk_cache;

static chunk_cache *chunks;
static size_t nchunks;

static int dump_to_buf(lua_State *L, const void *p, size_t n, void *ud)
{
    (void)L;
    cb_buf_add(ud, p, n);
    return 0;
}

int cb_lua_load_text(lua_State *L, const char *text, size_t len, const char *chunkname)
{
    if (len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0) { text += 3; len -= 3; }
    /* the "#!" line's newline stays, so that the next line is line 2 */
    if (len && text[0] == '#') {
        const char *nl = memchr(text, '\n', len);
        size_t skip = nl ? (size_t)(nl - text) : len;
        text += skip;
        len -= skip;
    }
    return luaL_loadbufferx(L, text, len, chunkname, "t");
}

/* Loads a Lua text file as a chunk named `name` (for messages), with the globals as _ENV. */
static int load_script(lua_State *L, const char *path, const char *name)
{
    cb_file_id id;
    (void)cb_file_id_at(path, &id); /* missing: not settled, never kept */
    chunk_cache *hit = NULL;
    for (size_t i = 0; i < nchunks && !hit; i++)
        if (strcmp(chunks[i].path, path) == 0 && strcmp(chunks[i].name, name) == 0) hit = &chunks[i];
    if (hit && cb_file_id_same(&hit->id, &id))
        return luaL_loadbufferx(L, hit->code.s, hit->code.len, name, "b");
    cb_error e;
    size_t len;
    char *text = cb_read_file(path, &len, &e);
    if (!text) {
        lua_pushstring(L, e.msg);
        return LUA_ERRFILE;
    }
    char *chunk = cb_xasprintf("@%s", name);
    int rc = cb_lua_load_text(L, text, len, chunk);
    free(chunk);
    free(text);
    if (rc != LUA_OK || !id.settled) return rc;
    if (!hit) {
        chunks = cb_xrealloc(chunks, (nchunks + 1) * sizeof *chunks);
        hit = &chunks[nchunks++];
        memset(hit, 0, sizeof *hit);
        hit->path = cb_xstrdup(path);
        hit->name = cb_xstrdup(name);
    }
    hit->code.len = 0;
    hit->id = id;
    if (lua_dump(L, dump_to_buf, &hit->code, 0) != 0) hit->id.settled = 0; /* not kept */
    return LUA_OK;
}

void cb_lua_forget_chunks(void)
{
    for (size_t i = 0; i < nchunks; i++) {
        free(chunks[i].path);
        free(chunks[i].name);
        cb_buf_free(&chunks[i].code);
    }
    free(chunks);
    chunks = NULL;
    nchunks = 0;
}

/* How messages name a file: relative to the share folder when inside it. */
static char *display_name(const cb_report_src *src, const char *path)
{
    if (src->share_dir) {
        size_t n = strlen(src->share_dir);
        if (strncmp(path, src->share_dir, n) == 0 && path[n] == '/') return cb_xstrdup(path + n + 1);
    }
    return cb_xstrdup(path);
}

/* require(name): the report's folder, then scripts/; modules are cached per state. */
static int l_require(lua_State *L)
{
    const char *name = luaL_checkstring(L, 1);
    lua_rawgetp(L, LUA_REGISTRYINDEX, &LOADED_KEY);
    if (lua_getfield(L, -1, name) != LUA_TNIL) {
        const char *v = lua_tostring(L, -1);
        if (v && strcmp(v, "\x01loading") == 0)
            return luaL_error(L, "module '%s' requires itself (a require cycle)", name);
        return 1;
    }
    lua_pop(L, 1);
    for (const char *p = name; *p; p++)
        if (!(*p == '.' || *p == '_' || *p == '-' || (*p >= '0' && *p <= '9') ||
              (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z')))
            return luaL_error(L, "module name '%s' may only hold letters, digits, '_', '-' and '.'", name);
    int parts = 1; /* each a folder but the last: as deep as the input hash looks */
    for (const char *p = name; *p; p++) parts += *p == '.';
    if (!*name || *name == '.' || name[strlen(name) - 1] == '.' || strstr(name, ".."))
        return luaL_error(L, "module name '%s' has an empty part", name);
    if (parts > CB_MODULE_DEPTH + 1)
        return luaL_error(L, "module name '%s' is more than %d folders deep", name, CB_MODULE_DEPTH);
    lua_CFunction open = cb_plugins_module(name);
    if (open) { /* a module from a compiled plugin */
        lua_pushcfunction(L, open);
        lua_pushstring(L, name);
        lua_call(L, 1, 1);
        if (lua_isnil(L, -1)) {
            lua_pop(L, 1);
            lua_pushboolean(L, 1);
        }
        lua_pushvalue(L, -1);
        lua_setfield(L, -3, name);
        return 1;
    }
    run_ctx *c = get_ctx(L);
    char *rel = cb_xasprintf("%s.lua", name);
    for (char *p = rel; p < rel + strlen(rel) - 4; p++)
        if (*p == '.') *p = '/';
    const char *dirs[2] = {c->src->dir, c->src->scripts_dir};
    char *found = NULL;
    for (int i = 0; i < 2 && !found; i++) {
        if (!dirs[i]) continue;
        char *path = cb_path_join(dirs[i], rel);
        if (cb_is_file(path)) found = path;
        else free(path);
    }
    if (!found) {
        lua_pushfstring(L, "module '%s' not found (no plugin provides it, and no %s in the "
                        "report's folder or the scripts folder%s)", name, rel, cb_plugins_refusal_summary());
        free(rel);
        return luaL_error(L, "%s", lua_tostring(L, -1)); /* with the caller's script:line */
    }
    free(rel);
    char *shown = display_name(c->src, found);
    int rc = load_script(L, found, shown);
    free(found);
    free(shown);
    if (rc != LUA_OK) return lua_error(L);
    /* mark it as loading, so a module that requires itself (through others) is caught */
    lua_pushliteral(L, "\x01loading");
    lua_setfield(L, -3, name);
    lua_pushstring(L, name);
    lua_call(L, 1, 1);
    if (lua_isnil(L, -1)) {
        lua_pop(L, 1);
        lua_pushboolean(L, 1);
    }
    lua_pushvalue(L, -1);
    lua_setfield(L, -3, name); /* _LOADED[name] = module */
    return 1;
}

/* load() restricted to text chunks: precompiled bytecode can crash the VM. */
static int l_load_text(lua_State *L)
{
    size_t len;
    const char *s = luaL_checklstring(L, 1, &len);
    const char *chunkname = luaL_optstring(L, 2, s);
    int has_env = !lua_isnone(L, 4);
    if (luaL_loadbufferx(L, s, len, chunkname, "t") != LUA_OK) {
        lua_pushnil(L);
        lua_insert(L, -2);
        return 2;
    }
    if (has_env) {
        lua_pushvalue(L, 4);
        if (!lua_setupvalue(L, -2, 1)) lua_pop(L, 1);
    }
    return 1;
}

/* spairs(t): iterate in sorted key order (numbers, then strings, then false and true, then
 * the rest). Every type has its rank, so the order is total (else it would follow the
 * table's hash order, which may differ from run to run). */
static int spairs_rank(int type)
{
    return type == LUA_TNUMBER ? 0 : type == LUA_TSTRING ? 1 : type == LUA_TBOOLEAN ? 2 : 3;
}

static int spairs_cmp(lua_State *L)
{
    int ta = lua_type(L, 1), tb = lua_type(L, 2);
    if (ta != tb) lua_pushboolean(L, spairs_rank(ta) < spairs_rank(tb));
    else if (ta == LUA_TNUMBER || ta == LUA_TSTRING) lua_pushboolean(L, lua_compare(L, 1, 2, LUA_OPLT));
    else lua_pushboolean(L, ta == LUA_TBOOLEAN && !lua_toboolean(L, 1) && lua_toboolean(L, 2));
    return 1;
}

static int spairs_next(lua_State *L)
{
    /* upvalues: 1 = table, 2 = sorted keys, 3 = position */
    lua_Integer i = lua_tointeger(L, lua_upvalueindex(3)) + 1;
    lua_pushinteger(L, i);
    lua_replace(L, lua_upvalueindex(3));
    if (lua_rawgeti(L, lua_upvalueindex(2), i) == LUA_TNIL) return 1;
    lua_pushvalue(L, -1);
    lua_gettable(L, lua_upvalueindex(1));
    return 2;
}

static int l_spairs(lua_State *L)
{
    luaL_checktype(L, 1, LUA_TTABLE);
    lua_newtable(L);
    lua_Integer n = 0;
    lua_pushnil(L);
    while (lua_next(L, 1)) {
        lua_pop(L, 1);
        lua_pushvalue(L, -1);
        lua_rawseti(L, 2, ++n);
    }
    /* table.sort(keys, spairs_cmp) */
    lua_getglobal(L, "table");
    lua_getfield(L, -1, "sort");
    lua_pushvalue(L, 2);
    lua_pushcfunction(L, spairs_cmp);
    lua_call(L, 2, 0);
    lua_pop(L, 1);
    lua_pushvalue(L, 1);
    lua_pushvalue(L, 2);
    lua_pushinteger(L, 0);
    lua_pushcclosure(L, spairs_next, 3);
    return 1;
}

/* print: to stderr, one line cleaned (util.h: cb_clean) and capped at CB_CLEAN_MAX. */
static int l_print(lua_State *L)
{
    if (get_ctx(L)->needs_out) return 0; /* reading the needs declaration: silent */
    int n = lua_gettop(L);
    luaL_checkstack(L, n, "too many arguments to print"); /* a C function is promised 20 slots */
    for (int i = 1; i <= n; i++) luaL_tolstring(L, i, NULL); /* first: they may raise */
    cb_buf b = {0};
    size_t more = 0;
    for (int i = 1; i <= n; i++) {
        size_t len;
        const char *s = lua_tolstring(L, n + i, &len);
        if (more) more += len + (i > 1);
        else if (i > 1 && b.len + 1 > CB_CLEAN_MAX) more = len + 1;
        else {
            if (i > 1) cb_buf_add(&b, "\t", 1);
            more = cb_buf_add_clean(&b, s, len, CB_CLEAN_MAX);
        }
    }
    if (more) cb_buf_addf(&b, "… %zu byte%s more", more, more == 1 ? "" : "s");
    fprintf(stderr, "%s\n", b.s ? b.s : "");
    cb_buf_free(&b);
    return 0;
}

/* ------------------------------------------------------------------ data */

static void push_value(lua_State *L, const cb_value *v)
{
    if (v->type == CB_T_NUMBER) {
        double d = v->num;
        if (d == (double)(lua_Integer)d && d > -9e15 && d < 9e15) lua_pushinteger(L, (lua_Integer)d);
        else lua_pushnumber(L, d);
    } else if (v->type == CB_T_TEXT) {
        lua_pushstring(L, v->text);
    } else {
        lua_pushnil(L);
    }
}

static void push_row(lua_State *L, const cb_table *t, size_t row)
{
    lua_createtable(L, 0, (int)t->ncols);
    for (size_t c = 0; c < t->ncols; c++) {
        const cb_value *v = cb_table_cell(t, row, c);
        if (v->type == CB_T_NULL) continue;
        push_value(L, v);
        lua_setfield(L, -2, t->cols[c]);
    }
}

static int size_cmp(const void *a, const void *b)
{
    size_t x = *(const size_t *)a, y = *(const size_t *)b;
    return x < y ? -1 : x > y;
}

/* The rows of table t that the selected counties own, in file order, in a userdata pushed
 * on the stack (so a memory error leaks nothing); *n set. Every county selected (which ==
 * NULL) or a shared table: all rows, returned as NULL with nothing pushed. */
static const size_t *selected_rows(lua_State *L, const run_ctx *c, const cb_table *t, size_t *n)
{
    *n = t->nrows;
    if (!c->which || t->county_col < 0) return NULL;
    size_t *rows = lua_newuserdatauv(L, (t->nrows ? t->nrows : 1) * sizeof *rows, 0), k = 0;
    for (size_t i = 0; i < c->nwhich; i++) {
        const size_t *own;
        size_t m = cb_table_county_rows(t, c->which[i], &own);
        memcpy(rows + k, own, m * sizeof *own);
        k += m;
    }
    qsort(rows, k, sizeof *rows, size_cmp);
    *n = k;
    return rows;
}

/* data.<name>: built on first use, then cached in the data table. Upvalue 1 is the county
 * whose rows it holds, or -1 for the rows of every county the report sees (scope "all"). */
static int data_index(lua_State *L)
{
    const char *name = luaL_checkstring(L, 2);
    run_ctx *c = get_ctx(L);
    lua_Integer county = lua_tointeger(L, lua_upvalueindex(1));
    const cb_table *t = cb_dataset_table(c->ds, name);
    if (!t) {
        lua_newtable(L); /* a table the data folder lacks reads as empty */
    } else {
        const size_t *rows;
        size_t n;
        if (county >= 0) n = cb_table_county_rows(t, (size_t)county, &rows);
        else rows = selected_rows(L, c, t, &n);
        lua_createtable(L, n > INT_MAX ? 0 : (int)n, 0);
        for (size_t i = 0; i < n; i++) {
            push_row(L, t, rows ? rows[i] : i);
            lua_rawseti(L, -2, (lua_Integer)i + 1);
        }
    }
    lua_pushvalue(L, 2);
    lua_pushvalue(L, -2);
    lua_rawset(L, 1);
    return 1;
}

/* Pushes an empty data table whose rows are those of county (-1: every county seen). */
static void push_data(lua_State *L, lua_Integer county)
{
    lua_newtable(L);
    lua_createtable(L, 0, 1);
    lua_pushinteger(L, county);
    lua_pushcclosure(L, data_index, 1);
    lua_setfield(L, -2, "__index");
    lua_setmetatable(L, -2);
}

/* 1 if county k is one of those the report sees. */
static int county_seen(const run_ctx *c, size_t k)
{
    if (!c->which) return 1;
    for (size_t i = 0; i < c->nwhich; i++)
        if (c->which[i] == k) return 1;
    return 0;
}

/* data.of(c): one county's rows, as `data` is in a report per county; c is a row of
 * `counties` or a county's id or name. Upvalue 1 caches the tables by county. */
static int data_of(lua_State *L)
{
    run_ctx *c = get_ctx(L);
    const char *key = NULL;
    if (lua_type(L, 1) == LUA_TTABLE) {
        lua_getfield(L, 1, "id");
        key = lua_tostring(L, -1);
        if (!key) return luaL_argerror(L, 1, "a county (a row of counties) has an 'id'");
    } else {
        key = luaL_checkstring(L, 1);
    }
    long k = cb_dataset_find_county(c->ds, key);
    if (k < 0 || !county_seen(c, (size_t)k))
        return luaL_error(L, "data.of: no county '%s' among this report's counties", key);
    if (lua_rawgeti(L, lua_upvalueindex(1), (lua_Integer)k + 1) != LUA_TNIL) return 1;
    lua_pop(L, 1);
    push_data(L, k);
    lua_pushvalue(L, -1);
    lua_rawseti(L, lua_upvalueindex(1), (lua_Integer)k + 1);
    return 1;
}

/* Pushes county k's row of counties.csv with its `id`. */
static void push_county(lua_State *L, const run_ctx *c, size_t k)
{
    push_row(L, c->ds->counties, k);
    lua_pushstring(L, cb_county_id(c->ds, k));
    lua_setfield(L, -2, "id");
}

/* The globals of a report over all counties: counties (the rows seen, in data order:
 * which is ascending) and data (their rows, and data.of). */
static void push_scope_all(lua_State *L, const run_ctx *c)
{
    size_t n = c->which ? c->nwhich : c->ds->ncounties;
    lua_createtable(L, n > INT_MAX ? 0 : (int)n, 0);
    for (size_t i = 0; i < n; i++) {
        push_county(L, c, c->which ? c->which[i] : i);
        lua_rawseti(L, -2, (lua_Integer)i + 1);
    }
    lua_setglobal(L, "counties");
    push_data(L, -1);
    lua_newtable(L);
    lua_pushcclosure(L, data_of, 1);
    lua_setfield(L, -2, "of");
    lua_setglobal(L, "data");
}

/* ------------------------------------------------------------------ doc builder */

static cb_doc *check_doc(lua_State *L)
{
    cb_doc **d = luaL_checkudata(L, 1, DOC_META);
    return *d;
}

/* Field `key` of the table at idx as a malloc'd string (numbers converted), or NULL. */
static char *opt_field_str(lua_State *L, int idx, const char *key, const char *what)
{
    int ty = lua_getfield(L, idx, key);
    char *s = NULL;
    if (ty == LUA_TSTRING || ty == LUA_TNUMBER) s = doc_strdup(L, lua_tostring(L, -1));
    else if (ty != LUA_TNIL) {
        luaL_error(L, "%s: '%s' must be a string, got %s", what, key, lua_typename(L, ty));
    }
    lua_pop(L, 1);
    return s;
}

static char *req_field_str(lua_State *L, int idx, const char *key, const char *what)
{
    char *s = opt_field_str(L, idx, key, what);
    if (!s) luaL_error(L, "%s: '%s' is required", what, key);
    return s;
}

static double opt_field_num(lua_State *L, int idx, const char *key, double dflt, const char *what)
{
    int ty = lua_getfield(L, idx, key);
    double v = dflt;
    if (ty == LUA_TNUMBER) v = lua_tonumber(L, -1);
    else if (ty != LUA_TNIL) luaL_error(L, "%s: '%s' must be a number, got %s", what, key, lua_typename(L, ty));
    lua_pop(L, 1);
    return v;
}

/* Value of a cell: nil → NULL, anything else as tostring(). */
static char *cell_string(lua_State *L, int idx)
{
    if (lua_isnil(L, idx)) return NULL;
    if (lua_type(L, idx) == LUA_TNUMBER && lua_isinteger(L, idx)) {
        char b[32];
        snprintf(b, sizeof b, "%lld", (long long)lua_tointeger(L, idx));
        return doc_strdup(L, b);
    }
    char *s = doc_strdup(L, luaL_tolstring(L, idx, NULL));
    lua_pop(L, 1);
    return s;
}

static int l_doc_info(lua_State *L)
{
    cb_doc *d = check_doc(L);
    luaL_checktype(L, 2, LUA_TTABLE);
    struct { const char *key; char **dst; } f[] = {{"title", &d->title}, {"subject", &d->subject},
                                                   {"author", &d->author}, {"keywords", &d->keywords}};
    for (size_t i = 0; i < 4; i++) {
        char *s = opt_field_str(L, 2, f[i].key, "doc:info");
        if (s) {
            free(*f[i].dst);
            *f[i].dst = s;
        }
    }
    return 0;
}

static int l_doc_title(lua_State *L)
{
    cb_doc *d = check_doc(L);
    const char *text = luaL_checkstring(L, 2);
    const char *sub = luaL_optstring(L, 3, NULL);
    charge(L, sizeof(cb_block) + (strlen(text) + 1) * (d->title ? 1 : 2) + (sub ? strlen(sub) + 1 : 0));
    cb_block *b = note_where(L, cb_doc_add(d, CB_BLOCK_TITLE));
    b->text = cb_xstrdup(text);
    b->subtitle = sub ? cb_xstrdup(sub) : NULL;
    if (!d->title) d->title = cb_xstrdup(text);
    return 0;
}

static int l_doc_heading(lua_State *L)
{
    cb_doc *d = check_doc(L);
    const char *text = luaL_checkstring(L, 2);
    lua_Integer level = luaL_optinteger(L, 3, 1);
    luaL_argcheck(L, level == 1 || level == 2, 3, "heading level must be 1 or 2");
    charge(L, sizeof(cb_block) + strlen(text) + 1);
    cb_block *b = note_where(L, cb_doc_add(d, CB_BLOCK_HEADING));
    b->text = cb_xstrdup(text);
    b->level = (int)level;
    return 0;
}

static int l_doc_paragraph(lua_State *L)
{
    cb_doc *d = check_doc(L);
    const char *text = luaL_checkstring(L, 2);
    charge(L, sizeof(cb_block) + strlen(text) + 1);
    note_where(L, cb_doc_add(d, CB_BLOCK_PARAGRAPH))->text = cb_xstrdup(text);
    return 0;
}

/* Reads the array at idx into the items of block b, each item a table read by `one`. The
 * items belong to the block from the start, so a Lua error in the middle leaks nothing:
 * the document frees what was read (the county fails, or the script caught the error). */
typedef void (*item_reader)(lua_State *L, int idx, cb_item *it, const char *what);
static void read_note(lua_State *L, int idx, cb_item *it, const char *what);

static void read_items(lua_State *L, int idx, cb_block *b, item_reader one, const char *what)
{
    luaL_checktype(L, idx, LUA_TTABLE);
    size_t n = (size_t)luaL_len(L, idx);
    b->items = doc_calloc(L, n, sizeof *b->items);
    b->nitems = n;
    for (size_t i = 0; i < n; i++) {
        lua_rawgeti(L, idx, (lua_Integer)i + 1);
        if (!lua_istable(L, -1) && one != read_note)
            luaL_error(L, "%s: item %d must be a table, got %s", what, (int)i + 1, luaL_typename(L, -1));
        char ctx[64];
        snprintf(ctx, sizeof ctx, "%s: item %d", what, (int)i + 1);
        one(L, lua_gettop(L), &b->items[i], ctx);
        lua_pop(L, 1);
    }
}

static void read_kpi(lua_State *L, int idx, cb_item *it, const char *what)
{
    it->value = req_field_str(L, idx, "value", what);
    it->label = req_field_str(L, idx, "label", what);
}

static void read_bar(lua_State *L, int idx, cb_item *it, const char *what)
{
    it->label = req_field_str(L, idx, "label", what);
    it->number = opt_field_num(L, idx, "value", 0, what);
    it->value = opt_field_str(L, idx, "text", what);
}

static void read_progress(lua_State *L, int idx, cb_item *it, const char *what)
{
    it->label = req_field_str(L, idx, "label", what);
    it->value = opt_field_str(L, idx, "value", what);
    it->detail = opt_field_str(L, idx, "detail", what);
    it->number = opt_field_num(L, idx, "fraction", -1, what);
}

static void read_note(lua_State *L, int idx, cb_item *it, const char *what)
{
    int ty = lua_type(L, idx);
    if (ty != LUA_TSTRING && ty != LUA_TNUMBER)
        luaL_error(L, "%s must be a string, got %s", what, lua_typename(L, ty));
    it->label = cell_string(L, idx);
}

static int l_doc_kpis(lua_State *L)
{
    cb_doc *d = check_doc(L);
    luaL_checktype(L, 2, LUA_TTABLE);
    read_items(L, 2, doc_add(L, d, CB_BLOCK_KPIS), read_kpi, "doc:kpis");
    return 0;
}

static int l_doc_barchart(lua_State *L)
{
    cb_doc *d = check_doc(L);
    luaL_checktype(L, 2, LUA_TTABLE);
    if (lua_getfield(L, 2, "bars") != LUA_TTABLE)
        return luaL_error(L, "doc:barchart: 'bars' must be a list of {label=, value=}");
    cb_block *b = doc_add(L, d, CB_BLOCK_BARCHART);
    b->text = opt_field_str(L, 2, "title", "doc:barchart");
    b->unit = opt_field_str(L, 2, "unit", "doc:barchart");
    read_items(L, lua_gettop(L), b, read_bar, "doc:barchart");
    return 0;
}

static int l_doc_progress(lua_State *L)
{
    cb_doc *d = check_doc(L);
    luaL_checktype(L, 2, LUA_TTABLE);
    read_items(L, 2, doc_add(L, d, CB_BLOCK_PROGRESS), read_progress, "doc:progress");
    return 0;
}

static int l_doc_notes(lua_State *L)
{
    cb_doc *d = check_doc(L);
    luaL_checktype(L, 2, LUA_TTABLE);
    if (lua_getfield(L, 2, "items") != LUA_TTABLE)
        return luaL_error(L, "doc:notes: 'items' must be a list of strings");
    cb_block *b = doc_add(L, d, CB_BLOCK_NOTES);
    b->text = opt_field_str(L, 2, "title", "doc:notes");
    read_items(L, lua_gettop(L), b, read_note, "doc:notes");
    return 0;
}

static int l_doc_table(lua_State *L)
{
    cb_doc *d = check_doc(L);
    luaL_checktype(L, 2, LUA_TTABLE);
    if (lua_getfield(L, 2, "columns") != LUA_TTABLE)
        return luaL_error(L, "doc:table: 'columns' must be a list of {title=, width=, align=}");
    int ci = lua_gettop(L);
    if (lua_getfield(L, 2, "rows") != LUA_TTABLE) return luaL_error(L, "doc:table: 'rows' must be a list of rows");
    int ri = lua_gettop(L);
    size_t nc = (size_t)luaL_len(L, ci), nr = (size_t)luaL_len(L, ri);
    if (nc == 0) return luaL_error(L, "doc:table: needs at least one column");
    /* validate everything before allocating, so an error leaks nothing */
    for (size_t c = 0; c < nc; c++) {
        if (lua_rawgeti(L, ci, (lua_Integer)c + 1) != LUA_TTABLE)
            return luaL_error(L, "doc:table: column %d must be a table", (int)c + 1);
        if (lua_getfield(L, -1, "title") != LUA_TSTRING)
            return luaL_error(L, "doc:table: column %d needs a 'title' string", (int)c + 1);
        lua_pop(L, 1);
        int ty = lua_getfield(L, -1, "align");
        if (ty != LUA_TNIL) {
            const char *a = lua_tostring(L, -1);
            if (!a || (strcmp(a, "left") && strcmp(a, "right") && strcmp(a, "center")))
                return luaL_error(L, "doc:table: column %d align must be \"left\", \"right\" or \"center\"", (int)c + 1);
        }
        lua_pop(L, 1);
        ty = lua_getfield(L, -1, "width");
        if (ty != LUA_TNIL && (ty != LUA_TNUMBER || lua_tonumber(L, -1) <= 0))
            return luaL_error(L, "doc:table: column %d width must be a positive number", (int)c + 1);
        lua_pop(L, 2);
    }
    for (size_t r = 0; r < nr; r++) {
        if (lua_rawgeti(L, ri, (lua_Integer)r + 1) != LUA_TTABLE)
            return luaL_error(L, "doc:table: row %d must be a list of cells", (int)r + 1);
        size_t n = (size_t)luaL_len(L, -1);
        if (n > nc) return luaL_error(L, "doc:table: row %d has %d cells but the table has %d column%s", (int)r + 1,
                              (int)n, (int)nc, nc == 1 ? "" : "s");
        lua_pop(L, 1);
    }
    /* the arrays are charged before the block exists, so it never has ncols without cols */
    /* not covered: nr counts a Lua table's rows, far fewer */
    if (nr > (SIZE_MAX / 2 / sizeof(char *)) / nc) return luaL_error(L, "doc:table: too many rows");
    charge(L, sizeof(cb_block) + nc * sizeof(cb_column) + nr * nc * sizeof(char *));
    cb_block *b = note_where(L, cb_doc_add(d, CB_BLOCK_TABLE));
    b->ncols = nc;
    b->nrows = nr;
    b->cols = cb_xcalloc(nc, sizeof *b->cols);
    b->cells = cb_xcalloc(nr * nc > 0 ? nr * nc : 1, sizeof *b->cells);
    for (size_t c = 0; c < nc; c++) {
        lua_rawgeti(L, ci, (lua_Integer)c + 1);
        lua_getfield(L, -1, "title");
        b->cols[c].title = doc_strdup(L, lua_tostring(L, -1));
        lua_pop(L, 1);
        lua_getfield(L, -1, "align");
        const char *a = lua_tostring(L, -1);
        b->cols[c].align = a ? a[0] : 'l';
        lua_pop(L, 1);
        lua_getfield(L, -1, "width");
        b->cols[c].width = lua_isnumber(L, -1) ? (float)lua_tonumber(L, -1) : 1.0f;
        lua_pop(L, 2);
    }
    for (size_t r = 0; r < nr; r++) {
        lua_rawgeti(L, ri, (lua_Integer)r + 1);
        for (size_t c = 0; c < nc; c++) {
            lua_rawgeti(L, -1, (lua_Integer)c + 1);
            b->cells[r * nc + c] = cell_string(L, -1);
            lua_pop(L, 1);
        }
        lua_pop(L, 1);
    }
    return 0;
}

/* The bytes in use in the C heap (glibc's count), to charge a plugin block's state (a
 * chart's points), which its create() allocates outside the Lua heap, to the document. */
static size_t c_heap_in_use(void)
{
    struct mallinfo2 m = mallinfo2();
    return m.uordblks + m.hblkhd;
}

/* doc:add(name, options): a block type registered by a compiled plugin. */
static int l_doc_add(lua_State *L)
{
    cb_doc *d = check_doc(L);
    const char *name = luaL_checkstring(L, 2);
    if (lua_isnoneornil(L, 3)) {
        lua_settop(L, 2);
        lua_newtable(L);
    }
    luaL_checktype(L, 3, LUA_TTABLE);
    lua_settop(L, 3);
    const char *owner = NULL;
    const cb_block_type *t = cb_plugins_block(name, &owner);
    if (!t)
        return luaL_error(L, "doc:add: no block type '%s': no loaded plugin provides it "
                          "(`countybrief plugins` lists them%s)", name, cb_plugins_refusal_summary());
    charge(L, sizeof(cb_block)); /* before create: nothing to undo if this raises */
    run_ctx *c = get_ctx(L);
    size_t lua0 = c->heap, heap0 = c_heap_in_use();
    void *state = t->create(L, 3, cb_host_api_get());
    if (!state) return luaL_error(L, "doc:add: block '%s' (plugin %s) rejected its options", name, owner);
    size_t heap = c_heap_in_use(), lua = c->heap > lua0 ? c->heap - lua0 : 0;
    size_t grew = heap > heap0 + lua ? heap - heap0 - lua : 0; /* the state, in the C heap */
    cb_block *b = cb_doc_add(d, CB_BLOCK_PLUGIN);
    b->ptype = t;
    b->pstate = state;
    b->papi = cb_host_api_get();
    /* after: the state is the document's, should these raise */
    charge(L, grew);
    note_where(L, b);
    return 0;
}

/* doc:date("YYYY-MM-DD" or seconds): the document's date, when the run has none (clock.h);
 * doc:date(): the date, in seconds since 1970, or nil. */
static int l_doc_date(lua_State *L)
{
    cb_doc *d = check_doc(L);
    if (lua_isnone(L, 2)) {
        if (d->dated) lua_pushinteger(L, (lua_Integer)d->date);
        else lua_pushnil(L);
        return 1;
    }
    long long t;
    const char *s = luaL_checkstring(L, 2); /* an integer too, as its digits */
    if (!cb_date_parse(s, &t))
        return luaL_error(L, "doc:date: '%s' is not a date: expected YYYY-MM-DD (1970-01-01 to 9999-12-31) or "
                          "whole seconds since 1970", s);
    if (d->dated != CB_DATED_RUN) {
        d->date = t;
        d->dated = CB_DATED_REPORT;
    }
    return 0;
}

static const luaL_Reg doc_methods[] = {
    {"add", l_doc_add},           {"date", l_doc_date},
    {"info", l_doc_info},         {"title", l_doc_title},       {"heading", l_doc_heading},
    {"paragraph", l_doc_paragraph}, {"kpis", l_doc_kpis},       {"table", l_doc_table},
    {"barchart", l_doc_barchart}, {"progress", l_doc_progress}, {"notes", l_doc_notes},
    {NULL, NULL},
};

/* ------------------------------------------------------------------ os and collectgarbage */

/* The scripts' clock: the document's date (clock.h), the one its cover and PDF show; with
 * none, an error rather than a date no one chose. */
static lua_Integer fixed_time(lua_State *L)
{
    const cb_doc *d = get_ctx(L)->doc;
    if (!d->dated)
        luaL_error(L, "the document has no date to read the time from: give render --date YYYY-MM-DD, "
                   "set SOURCE_DATE_EPOCH, or date it with doc:date(\"YYYY-MM-DD\") first");
    return (lua_Integer)d->date;
}

static time_t check_time(lua_State *L, int arg)
{
    lua_Integer t = luaL_checkinteger(L, arg);
    luaL_argcheck(L, (time_t)t == t, arg, "time out-of-bounds");
    return (time_t)t;
}

/* A field of os.time's date table, as loslib.c reads it. */
static int date_field(lua_State *L, const char *key, int d, int delta)
{
    int isnum;
    int ty = lua_getfield(L, 1, key);
    lua_Integer v = lua_tointegerx(L, -1, &isnum);
    if (!isnum) {
        if (ty != LUA_TNIL) return luaL_error(L, "field '%s' is not an integer", key);
        if (d < 0) return luaL_error(L, "field '%s' missing in date table", key);
        v = d;
    } else {
        if (!(v >= 0 ? v - delta <= INT_MAX : INT_MIN + delta <= v))
            return luaL_error(L, "field '%s' is out-of-bound", key);
        v -= delta;
    }
    lua_pop(L, 1);
    return (int)v;
}

/* os.time(): the fixed clock; os.time{year=, month=, day=, hour=12, min=0, sec=0}: that
 * moment in UTC (not local time, which would differ between machines). */
static int l_os_time(lua_State *L)
{
    if (lua_isnoneornil(L, 1)) {
        lua_pushinteger(L, fixed_time(L));
        return 1;
    }
    luaL_checktype(L, 1, LUA_TTABLE);
    lua_settop(L, 1);
    struct tm tm;
    memset(&tm, 0, sizeof tm);
    tm.tm_year = date_field(L, "year", -1, 1900);
    tm.tm_mon = date_field(L, "month", -1, 1);
    tm.tm_mday = date_field(L, "day", -1, 0);
    tm.tm_hour = date_field(L, "hour", 12, 0);
    tm.tm_min = date_field(L, "min", 0, 0);
    tm.tm_sec = date_field(L, "sec", 0, 0);
    time_t t = timegm(&tm);
    if (t == (time_t)-1 && !(tm.tm_year == 69 && tm.tm_mon == 11 && tm.tm_mday == 31))
        return luaL_error(L, "time result cannot be represented in this installation");
    lua_pushinteger(L, (lua_Integer)t);
    return 1;
}

static locale_t c_locale(void)
{
    static locale_t loc;
    if (!loc) loc = newlocale(LC_ALL_MASK, "C", (locale_t)0);
    return loc;
}

static void set_field(lua_State *L, const char *key, int v)
{
    lua_pushinteger(L, v);
    lua_setfield(L, -2, key);
}

/* os.date([format [, time]]): as Lua's, always in UTC and the C locale; time defaults to
 * the fixed clock. */
static int l_os_date(lua_State *L)
{
    size_t slen;
    const char *s = luaL_optlstring(L, 1, "%c", &slen);
    time_t t = lua_isnoneornil(L, 2) ? (time_t)fixed_time(L) : check_time(L, 2);
    const char *se = s + slen;
    if (*s == '!') s++; /* UTC is all there is */
    struct tm tm;
    if (!gmtime_r(&t, &tm)) return luaL_error(L, "date result cannot be represented in this installation");
    if (strcmp(s, "*t") == 0) {
        lua_createtable(L, 0, 9);
        set_field(L, "year", tm.tm_year + 1900);
        set_field(L, "month", tm.tm_mon + 1);
        set_field(L, "day", tm.tm_mday);
        set_field(L, "hour", tm.tm_hour);
        set_field(L, "min", tm.tm_min);
        set_field(L, "sec", tm.tm_sec);
        set_field(L, "yday", tm.tm_yday + 1);
        set_field(L, "wday", tm.tm_wday + 1);
        lua_pushboolean(L, 0);
        lua_setfield(L, -2, "isdst");
        return 1;
    }
    static const char valid[] = "aAbBcCdDeFgGhHIjmMnprRStTuUVwWxXyYzZ%"; /* C99 */
    luaL_Buffer b;
    luaL_buffinit(L, &b);
    while (s < se) {
        if (*s != '%') {
            luaL_addchar(&b, *s++);
            continue;
        }
        if (++s >= se || !*s || !strchr(valid, *s)) {
            char bad[2] = {s < se ? *s : '\0', '\0'};
            return luaL_argerror(L, 1, lua_pushfstring(L, "invalid conversion specifier '%%%s'", bad));
        }
        char conv[3] = {'%', *s++, '\0'};
        char *buf = luaL_prepbuffsize(&b, 250);
        luaL_addsize(&b, c_locale() ? strftime_l(buf, 250, conv, &tm, c_locale()) : strftime(buf, 250, conv, &tm));
    }
    luaL_pushresult(&b);
    return 1;
}

/* os.clock(): CPU time would differ between runs; it is 0. */
static int l_os_clock(lua_State *L)
{
    lua_pushnumber(L, 0.0);
    return 1;
}

static int l_os_difftime(lua_State *L)
{
    time_t t1 = check_time(L, 1), t2 = lua_isnoneornil(L, 2) ? 0 : check_time(L, 2);
    lua_pushnumber(L, (lua_Number)difftime(t1, t2));
    return 1;
}

/* os.execute and the rest of the real os library: a clear error rather than "attempt to
 * call a nil value". Any other missing name is nil, as usual. */
static int l_os_index(lua_State *L)
{
    static const char *const absent[] = {"execute", "exit", "getenv", "remove", "rename", "tmpname", "setlocale", NULL};
    const char *k = lua_tostring(L, 2);
    for (int i = 0; k && absent[i]; i++)
        if (strcmp(k, absent[i]) == 0)
            return luaL_error(L, "os.%s is not available in report scripts: they cannot run programs, "
                              "touch files or read the environment", k);
    return 0;
}

static void open_os(lua_State *L)
{
    static const luaL_Reg fns[] = {{"time", l_os_time},   {"date", l_os_date},
                                   {"clock", l_os_clock}, {"difftime", l_os_difftime},
                                   {NULL, NULL}};
    luaL_newlib(L, fns);
    lua_createtable(L, 0, 1);
    lua_pushcfunction(L, l_os_index);
    lua_setfield(L, -2, "__index");
    lua_setmetatable(L, -2);
    lua_setglobal(L, "os");
}

/* collectgarbage: "count" as usual; "collect" and "step" do nothing (Lua collects by itself,
 * and fully before it refuses memory); anything else would change how the collector runs
 * and is refused. */
static int l_collectgarbage(lua_State *L)
{
    const char *opt = luaL_optstring(L, 1, "collect");
    if (strcmp(opt, "count") == 0) {
        int kb = lua_gc(L, LUA_GCCOUNT), bytes = lua_gc(L, LUA_GCCOUNTB);
        lua_pushnumber(L, (lua_Number)kb + (lua_Number)bytes / 1024);
        return 1;
    }
    if (strcmp(opt, "collect") == 0) {
        lua_pushinteger(L, 0);
        return 1;
    }
    if (strcmp(opt, "step") == 0) {
        lua_pushboolean(L, 0);
        return 1;
    }
    return luaL_error(L, "collectgarbage(\"%s\") is not available in report scripts (only \"count\"; "
                      "\"collect\" and \"step\" do nothing)", opt);
}

/* ------------------------------------------------------------------ needs */

#define OPTIONAL_META "countybrief.optional"

/* optional { col = "type", ... }: marks a table of needs as optional; returns it. */
static int l_optional(lua_State *L)
{
    luaL_checktype(L, 1, LUA_TTABLE);
    lua_settop(L, 1);
    luaL_setmetatable(L, OPTIONAL_META);
    return 1;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int cmp_need_table(const void *a, const void *b)
{
    return strcmp(((const cb_need_table *)a)->name, ((const cb_need_table *)b)->name);
}

void cb_needs_free(cb_needs *n)
{
    if (!n) return;
    for (size_t i = 0; i < n->ntables; i++) {
        cb_need_table *t = &n->tables[i];
        for (size_t c = 0; c < t->ncols; c++) {
            free(t->cols[c]);
            free(t->types[c]);
        }
        free(t->cols);
        free(t->types);
        free(t->name);
    }
    free(n->tables);
    memset(n, 0, sizeof *n);
}

/* A bad declaration (needs { ... } or report { ... }): "script:line: WHAT: message". */
static int decl_fail(lua_State *L, run_ctx *c, const char *what, const char *fmt, const char *a)
{
    c->needs_bad = 1;
    luaL_where(L, 1);
    lua_pushstring(L, what);
    lua_pushfstring(L, fmt, a);
    lua_concat(L, 3);
    return lua_error(L);
}

static int needs_fail(lua_State *L, run_ctx *c, const char *fmt, const char *a)
{
    cb_needs_free(c->needs_out);
    return decl_fail(L, c, "needs: ", fmt, a);
}

/* After a declaration in the prelude: the last one stops the script (done). */
static int prelude_step(lua_State *L, run_ctx *c)
{
    if (++c->decl_seen < c->decl_expected) return 0;
    lua_pushlightuserdata(L, (void *)&OPTIONAL_META[0]);
    return lua_error(L);
}

/* needs { table = { column = "text" | "number" | "any", ... } | optional { ... }, ... } */
static int l_needs(lua_State *L)
{
    run_ctx *c = get_ctx(L);
    luaL_checktype(L, 1, LUA_TTABLE);
    if (!c->needs_out) return 0; /* a county's run: checked before it started */
    cb_needs *n = c->needs_out;
    cb_needs_free(n);
    lua_settop(L, 1);
    luaL_getmetatable(L, OPTIONAL_META); /* 2 */
    lua_pushnil(L);
    while (lua_next(L, 1)) { /* key -2, value -1 */
        if (lua_type(L, -2) != LUA_TSTRING) return needs_fail(L, c, "%s", "table names must be strings");
        const char *tname = lua_tostring(L, -2);
        if (lua_type(L, -1) != LUA_TTABLE)
            return needs_fail(L, c, "table \"%s\" must be { column = \"type\", ... }", tname);
        n->tables = cb_xrealloc(n->tables, (n->ntables + 1) * sizeof *n->tables);
        cb_need_table *t = &n->tables[n->ntables++];
        memset(t, 0, sizeof *t);
        t->name = cb_xstrdup(tname);
        if (lua_getmetatable(L, -1)) {
            t->optional = lua_rawequal(L, -1, 2);
            lua_pop(L, 1);
        }
        lua_pushnil(L);
        while (lua_next(L, -2)) {
            if (lua_type(L, -2) != LUA_TSTRING)
                return needs_fail(L, c, "table \"%s\": column names must be strings", tname);
            const char *col = lua_tostring(L, -2);
            const char *ty = lua_type(L, -1) == LUA_TSTRING ? lua_tostring(L, -1) : "";
            if (strcmp(ty, "text") && strcmp(ty, "number") && strcmp(ty, "any")) {
                char what[256];
                snprintf(what, sizeof what, "%s.%s", tname, col);
                return needs_fail(L, c, "%s: the type must be \"text\", \"number\" or \"any\"", what);
            }
            t->cols = cb_xrealloc(t->cols, (t->ncols + 1) * sizeof *t->cols);
            t->types = cb_xrealloc(t->types, (t->ncols + 1) * sizeof *t->types);
            t->cols[t->ncols] = cb_xstrdup(col);
            t->types[t->ncols++] = cb_xstrdup(ty);
            lua_pop(L, 1);
        }
        /* sort columns (with their types) by name */
        for (size_t i = 1; i < t->ncols; i++)
            for (size_t j = i; j > 0 && strcmp(t->cols[j - 1], t->cols[j]) > 0; j--) {
                char *x = t->cols[j]; t->cols[j] = t->cols[j - 1]; t->cols[j - 1] = x;
                x = t->types[j]; t->types[j] = t->types[j - 1]; t->types[j - 1] = x;
            }
        lua_pop(L, 1);
    }
    if (n->ntables) qsort(n->tables, n->ntables, sizeof *n->tables, cmp_need_table);
    (void)cmp_str;
    n->declared = 1;
    return prelude_step(L, c);
}

/* ------------------------------------------------------------------ report { ... } */

void cb_report_decl_free(cb_report_decl *d)
{
    if (!d) return;
    free(d->output);
    memset(d, 0, sizeof *d);
}

int cb_report_decl_has_lang(const cb_report_decl *d, const char *lang)
{
    if (!d || !d->nlangs) return strcmp(lang, CB_LANG_DEFAULT) == 0;
    for (size_t i = 0; i < d->nlangs; i++)
        if (strcmp(d->langs[i], lang) == 0) return 1;
    return 0;
}

static int report_fail(lua_State *L, run_ctx *c, const char *fmt, const char *a)
{
    cb_report_decl_free(c->decl_out);
    return decl_fail(L, c, "report: ", fmt, a);
}

/* report { languages = { ... } }: the languages, each one countybrief renders. */
static int read_languages(lua_State *L, run_ctx *c, cb_report_decl *d)
{
    if (!lua_istable(L, -1)) return report_fail(L, c, "%s", "languages must be a list such as { \"zh\", \"en\" }");
    lua_Integer n = luaL_len(L, -1);
    if (n < 1 || n > CB_LANGS_MAX) return report_fail(L, c, "%s", "languages must list 1 to 8 languages");
    for (lua_Integer i = 1; i <= n; i++) {
        lua_rawgeti(L, -1, i);
        const char *lang = lua_type(L, -1) == LUA_TSTRING ? lua_tostring(L, -1) : NULL;
        if (!cb_lang_known(lang))
            return report_fail(L, c, "languages: \"%s\" is not a language countybrief renders (zh, en)",
                               lang ? lang : luaL_typename(L, -1));
        snprintf(d->langs[d->nlangs++], sizeof d->langs[0], "%s", lang);
        lua_pop(L, 1);
    }
    return 0;
}

/* report { output = "name" }: a plain file name (without .pdf) for a report over all. */
static int read_output(lua_State *L, run_ctx *c, cb_report_decl *d)
{
    const char *o = lua_type(L, -1) == LUA_TSTRING ? lua_tostring(L, -1) : NULL;
    if (!o || !o[0] || o[0] == '.' || strchr(o, '/') || strchr(o, '\\') || strlen(o) > 200)
        return report_fail(L, c, "%s", "output must be a file name without folder, such as \"compare\"");
    d->output = cb_xstrdup(o);
    return 0;
}

/* report { scope = "county" | "all", languages = { "zh", "en" }, output = "name" } */
static int l_report(lua_State *L)
{
    run_ctx *c = get_ctx(L);
    luaL_checktype(L, 1, LUA_TTABLE);
    if (!c->decl_out) { /* a county's run: read before it started, if it came first */
        if (c->src->decl && c->src->decl->declared) return 0;
        /* not read: harmless unless it asks for another scope, which only counts first */
        lua_getfield(L, 1, "scope");
        const char *scope = lua_tostring(L, -1);
        if (scope && strcmp(scope, "county") != 0)
            return luaL_error(L, "report { scope = \"%s\" } must come first in the script (only "
                              "comments and needs { ... } may come before it)", scope);
        return 0;
    }
    cb_report_decl *d = c->decl_out;
    cb_report_decl_free(d);
    lua_settop(L, 1);
    lua_pushnil(L);
    while (lua_next(L, 1)) {
        const char *k = lua_type(L, -2) == LUA_TSTRING ? lua_tostring(L, -2) : "?";
        if (!strcmp(k, "scope")) {
            const char *v = lua_type(L, -1) == LUA_TSTRING ? lua_tostring(L, -1) : "";
            if (strcmp(v, "county") && strcmp(v, "all"))
                return report_fail(L, c, "%s", "scope must be \"county\" (one document per county) or \"all\" (one over every county)");
            d->scope = !strcmp(v, "all") ? CB_SCOPE_ALL : CB_SCOPE_COUNTY;
        } else if (!strcmp(k, "languages")) {
            read_languages(L, c, d);
        } else if (!strcmp(k, "output")) {
            read_output(L, c, d);
        } else {
            return report_fail(L, c, "unknown field '%s' (known: scope, languages, output)", k);
        }
        lua_pop(L, 1);
    }
    if (d->output && d->scope != CB_SCOPE_ALL)
        return report_fail(L, c, "%s", "output names the file of a report with scope = \"all\"; a report "
                           "per county writes <county_id>-<name>.pdf");
    d->declared = 1;
    return prelude_step(L, c);
}

/* ------------------------------------------------------------------ finalizers */

/* Lua runs finalizers (__gc) with hooks off, so neither the CPU budget's stop nor anything
 * else could end one that loops: report code may not set them. An object is marked for
 * finalization only by setmetatable with a metatable that holds __gc at that moment
 * (adding __gc later does nothing), so it is enough that setmetatable refuses such a
 * metatable and that the metatables C code sets (userdata's: the doc, plugins' objects;
 * optional's) cannot be reached to add __gc before C sets them again. The original
 * function is upvalue 1. */
static int l_setmetatable(lua_State *L)
{
    if (lua_type(L, 2) == LUA_TTABLE) {
        lua_pushliteral(L, "__gc");
        if (lua_rawget(L, 2) != LUA_TNIL)
            return luaL_error(L, "setmetatable: __gc (a finalizer) is not available in report scripts: "
                              "finalizers run outside the CPU budget; use a <close> variable");
        lua_pop(L, 1);
    }
    lua_pushvalue(L, lua_upvalueindex(1));
    lua_insert(L, 1);
    lua_call(L, lua_gettop(L) - 1, 1);
    return 1;
}

/* getmetatable: as Lua's for tables and strings; a userdata's metatable, which C code
 * owns and sets again on new objects, reads as protected (its __metatable, else false). */
static int l_getmetatable(lua_State *L)
{
    luaL_checkany(L, 1);
    if (lua_type(L, 1) != LUA_TUSERDATA) {
        lua_pushvalue(L, lua_upvalueindex(1));
        lua_insert(L, 1);
        lua_call(L, lua_gettop(L) - 1, 1);
        return 1;
    }
    if (!lua_getmetatable(L, 1)) return 0;
    if (lua_getfield(L, -1, "__metatable") == LUA_TNIL) lua_pushboolean(L, 0);
    return 1;
}

/* Replaces the global `name` with f, which gets the original as upvalue 1. */
static void wrap_global(lua_State *L, const char *name, lua_CFunction f)
{
    lua_getglobal(L, name);
    lua_pushcclosure(L, f, 1);
    lua_setglobal(L, name);
}

/* ------------------------------------------------------------------ the state */

/*
 * The sandbox's allow-list: the names of Lua's own libraries a report script sees, and
 * nothing else (docs/reports.md, "Libraries"). Whatever else a library defines, in this
 * build of Lua or a later one, is removed as the state is built: loadfile and dofile (they
 * read any file, loadfile also bytecode), string.dump (bytecode, which only C may load),
 * the Lua 5.3 compatibility functions some builds add to math (math.pow...), so that a
 * report runs the same on every build. io, os, package, debug and coroutine are never
 * opened; os is countybrief's own (open_os), as are print, load, require, collectgarbage
 * and the wrapped setmetatable and getmetatable added after. Every state that runs report
 * code is built here (setup_state: the declarations, in or out of process, and each
 * county's run, in a worker or not); a template's template.lua runs with an empty
 * environment instead (cb_lua_run_description). tests/e2e/sandbox_surface.sh walks
 * everything reachable and compares it with the same list.
 */
static const char *const base_names[] = {
    "_G", "_VERSION", "assert", "collectgarbage", "error", "getmetatable", "ipairs", "load", "next", "pairs",
    "pcall", "print", "rawequal", "rawget", "rawlen", "rawset", "select", "setmetatable", "tonumber",
    "tostring", "type", "warn", "xpcall", NULL};
static const char *const string_names[] = {
    "byte", "char", "find", "format", "gmatch", "gsub", "len", "lower", "match", "pack", "packsize", "rep",
    "reverse", "sub", "unpack", "upper", NULL};
static const char *const table_names[] = {"concat", "insert", "move", "pack", "remove", "sort", "unpack", NULL};
static const char *const math_names[] = {
    "abs", "acos", "asin", "atan", "ceil", "cos", "deg", "exp", "floor", "fmod", "huge", "log", "max",
    "maxinteger", "min", "mininteger", "modf", "pi", "rad", "random", "randomseed", "sin", "sqrt", "tan",
    "tointeger", "type", "ult", NULL};
static const char *const utf8_names[] = {"char", "charpattern", "codepoint", "codes", "len", "offset", NULL};

/* Removes from the table on top of the stack every field whose key is not one of names. */
static void keep_only(lua_State *L, const char *const *names)
{
    lua_pushnil(L);
    while (lua_next(L, -2)) {
        lua_pop(L, 1);
        int keep = 0;
        if (lua_type(L, -1) == LUA_TSTRING)
            for (int i = 0; names[i] && !keep; i++) keep = strcmp(lua_tostring(L, -1), names[i]) == 0;
        if (keep) continue;
        lua_pushvalue(L, -1);
        lua_pushnil(L);
        lua_rawset(L, -4); /* clearing a field during lua_next is allowed */
    }
}

static void open_libs(lua_State *L, int english)
{
    static const struct {
        const char *name;
        lua_CFunction open;
        const char *const *keep;
    } libs[] = {
        {LUA_GNAME, luaopen_base, base_names},          {LUA_TABLIBNAME, luaopen_table, table_names},
        {LUA_STRLIBNAME, luaopen_string, string_names}, {LUA_MATHLIBNAME, luaopen_math, math_names},
        {LUA_UTF8LIBNAME, luaopen_utf8, utf8_names},
    };
    for (size_t i = 0; i < sizeof libs / sizeof libs[0]; i++) {
        luaL_requiref(L, libs[i].name, libs[i].open, 1);
        keep_only(L, libs[i].keep);
        lua_pop(L, 1);
    }
    lua_register(L, "load", l_load_text);
    lua_register(L, "require", l_require);
    lua_register(L, "spairs", l_spairs);
    lua_register(L, "print", l_print);
    lua_register(L, "collectgarbage", l_collectgarbage);
    wrap_global(L, "setmetatable", l_setmetatable);
    wrap_global(L, "getmetatable", l_getmetatable);
    open_os(L);
    if (english) cb_lua_open_fmt_en(L); /* the same names, English figures */
    else cb_lua_open_fmt(L);
    lua_setglobal(L, "fmt");
}

/* The language of this run: the one asked for, else the default. */
static const char *run_lang(const run_ctx *c)
{
    return c->src->lang && *c->src->lang ? c->src->lang : CB_LANG_DEFAULT;
}

static void set_num(lua_State *L, const char *key, double v)
{
    lua_pushnumber(L, v);
    lua_setfield(L, -2, key);
}

/* template: what a report may adapt to (docs/reports.md): the text area and type sizes in
 * points, and whether the template is condensed. */
static void push_template(lua_State *L, const cb_template *t)
{
    lua_createtable(L, 0, 8);
    lua_pushstring(L, t->name ? t->name : "");
    lua_setfield(L, -2, "name");
    lua_pushboolean(L, t->condensed);
    lua_setfield(L, -2, "condensed");
    set_num(L, "width", t->page_w - t->margin_left - t->margin_right);
    set_num(L, "height", t->page_h - t->margin_top - t->margin_bottom);
    set_num(L, "page_width", t->page_w);
    set_num(L, "page_height", t->page_h);
    lua_createtable(L, 0, 7);
    set_num(L, "body", t->body_size);
    set_num(L, "leading", t->leading);
    set_num(L, "title", t->title_size);
    set_num(L, "h1", t->h1_size);
    set_num(L, "h2", t->h2_size);
    set_num(L, "small", t->small_size);
    set_num(L, "table", t->table_size);
    lua_setfield(L, -2, "type");
}

/* Seeds math.random from the county id, so reruns give the same output. */
static void seed_random(lua_State *L, const char *id)
{
    lua_Integer h = 5381;
    for (const unsigned char *p = (const unsigned char *)id; *p; p++) h = h * 33 + *p;
    lua_getglobal(L, "math");
    lua_getfield(L, -1, "randomseed");
    lua_pushinteger(L, h);
    lua_call(L, 1, 0);
    lua_pop(L, 1);
}

/* For "attempt to index a nil value (global 'io')": what is missing on purpose. */
static const char *absent_hint(const char *msg)
{
    static const char *const absent[][2] = {
        {"(global 'io')", "; report scripts have no io library: they cannot read or write files"},
        {"(global 'package')", "; report scripts have no package library: use require"},
        {"(global 'debug')", "; report scripts have no debug library"},
        {"(global 'coroutine')", "; report scripts have no coroutine library"},
        {"(global 'dofile')", "; report scripts have no dofile: use require"},
        {"(global 'loadfile')", "; report scripts have no loadfile: use require"},
        {"(field 'dump')", "; report scripts have no string.dump: load takes text only"},
    };
    for (size_t i = 0; i < sizeof absent / sizeof absent[0]; i++)
        if (strstr(msg, absent[i][0])) return absent[i][1];
    return "";
}

/* Message handler: the error plus the report's own frames, on one line. It runs where the
 * error was raised, so it also places "not enough memory" from a library's buffer. */
static int traceback_handler(lua_State *L)
{
    run_ctx *c = get_ctx(L);
    const char *msg = lua_tostring(L, 1);
    if (!msg) msg = luaL_tolstring(L, 1, NULL);
    char where[WHERE_MAX], trace[TRACE_MAX];
    describe_stack(L, 1, where, sizeof where, trace, sizeof trace);
    if (c->refusals && strcmp(msg, "not enough memory") == 0 && where[0]) {
        memcpy(c->mem_where, where, sizeof where);
        memcpy(c->mem_trace, trace, sizeof trace);
    }
    /* a long message is cut here, so that the traceback stays and the count is right;
     * cb_fail cleans the whole */
    char out[CB_ERROR_MSG_MAX + TRACE_MAX];
    size_t len = strlen(msg), keep = CB_ERROR_MSG_MAX / 2;
    if (len > keep)
        while (keep > 0 && ((unsigned char)msg[keep] & 0xC0) == 0x80) keep--; /* whole characters */
    if (len > keep) snprintf(out, sizeof out, "%.*s… %zu bytes more%s", (int)keep, msg, len - keep, trace);
    else snprintf(out, sizeof out, "%s%s%s", msg, absent_hint(msg), trace);
    lua_pushstring(L, out);
    return 1;
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
static lua_State *new_state(run_ctx *c, const char *name, cb_error *err)
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

/* warn(): off until warn("@on"), then "Lua warning: ..." on stderr, as in the lua program. */
static void on_warn(void *ud, const char *msg, int tocont)
{
    run_ctx *c = ud;
    if (!c->warn_cont && msg[0] == '@') {
        if (strcmp(msg, "@on") == 0) c->warn_on = 1;
        else if (strcmp(msg, "@off") == 0) c->warn_on = 0;
        return;
    }
    if (c->warn_on) {
        /* the message whole, in one write: workers share stderr, and pieces written one by
         * one came out inside another worker's lines */
        if (!c->warn_cont) c->warn_len = (size_t)snprintf(c->warn_line, sizeof c->warn_line, "Lua warning: ");
        char *clean = cb_clean(msg);
        size_t n = strlen(clean), room = sizeof c->warn_line - 1 - c->warn_len; /* 1: the newline */
        if (n > room) {
            n = room;
            while (n && (clean[n] & 0xC0) == 0x80) n--; /* never half a character */
        }
        memcpy(c->warn_line + c->warn_len, clean, n);
        c->warn_len += n;
        free(clean);
        if (!tocont) {
            c->warn_line[c->warn_len++] = '\n';
            fwrite(c->warn_line, 1, c->warn_len, stderr);
        }
    }
    c->warn_cont = tocont;
}

/* Everything before the script runs, protected (it allocates, so it can meet the cap):
 * the libraries and globals, then the script loaded, which it returns. */
static int setup_state(lua_State *L)
{
    run_ctx *c = get_ctx(L);
    lua_newtable(L);
    lua_rawsetp(L, LUA_REGISTRYINDEX, &LOADED_KEY);
    open_libs(L, strcmp(run_lang(c), "en") == 0);
    seed_random(L, c->all ? "all" : cb_county_id(c->ds, c->county));

    if (c->all) {
        push_scope_all(L, c);
    } else {
        push_county(L, c, c->county);
        lua_setglobal(L, "county");
        push_data(L, (lua_Integer)c->county);
        lua_setglobal(L, "data");
    }
    lua_pushstring(L, run_lang(c));
    lua_setglobal(L, "lang");
    if (c->src->tpl) {
        push_template(L, c->src->tpl);
        lua_setglobal(L, "template");
    }
    /* doc, dated by the run's clock when it has one */
    const cb_clock *clk = c->src->clock;
    if (clk && clk->set) {
        c->doc->date = clk->t;
        c->doc->dated = CB_DATED_RUN;
    }
    cb_doc **ud = lua_newuserdatauv(L, sizeof *ud, 0);
    *ud = c->doc;
    if (luaL_newmetatable(L, DOC_META)) {
        luaL_newlib(L, doc_methods);
        lua_setfield(L, -2, "__index");
    }
    lua_setmetatable(L, -2);
    lua_setglobal(L, "doc");
    /* needs, optional */
    luaL_newmetatable(L, OPTIONAL_META); /* l_optional sets it: protected, so no __gc is added */
    lua_pushliteral(L, "optional");
    lua_setfield(L, -2, "__metatable");
    lua_pop(L, 1);
    lua_register(L, "needs", l_needs);
    lua_register(L, "optional", l_optional);
    lua_register(L, "report", l_report);

    if (load_script(L, c->src->path, c->src->chunkname) != LUA_OK) return lua_error(L);
    return 1;
}

/* A limit as used: v == 0 is the default, v < 0 none (0 here). */
static double limit_value(double v, double dflt) { return v == 0 ? dflt : v < 0 ? 0 : v; }

/* Sets c's memory cap and CPU budget from limits (NULL: the defaults). */
static void set_limits(run_ctx *c, const cb_lua_limits *limits)
{
    static const cb_lua_limits dflt;
    if (!limits) limits = &dflt;
    double mib = limit_value(limits->memory_mib, CB_LUA_DEFAULT_MEMORY_MIB);
    c->cap_mib = mib;
    c->cap = mib * MIB >= (double)SIZE_MAX ? 0 : (size_t)(mib * MIB);
    c->budget_s = limit_value(limits->cpu_budget_s, CB_LUA_DEFAULT_CPU_BUDGET_S);
}

/* 1 if the run ended (status, error message msg) on a limit rather than by itself. */
static int limit_hit(const run_ctx *c, int status, const char *msg)
{
    return c->cpu_hit || (status != LUA_OK && c->refusals &&
                          (status == LUA_ERRMEM || status == LUA_ERRERR ||
                           (msg && strncmp(msg, "not enough memory", 17) == 0)));
}

/* The outcome of a run with status (its message on top of the stack): CB_OK, or err set
 * with code, naming the limit reached and where ("name" when no line is known), or the
 * script's own message. who says what ran out of memory ("the report"). */
static int run_outcome(run_ctx *c, int status, const char *name, const char *who, int code, cb_error *err)
{
    char limit[32];
    const char *msg = status == LUA_OK ? NULL : lua_tostring(c->L, -1);
    /* a limit struck (even one the script caught with pcall): its longjmp left from where
     * the limit found the script, so the worker is not to run another county (pool.h) */
    if (c->cpu_hit || c->refusals) cb_pool_retire();
    if (c->cpu_hit) { /* whatever the script's own handlers made of it */
        fmt_limit(limit, sizeof limit, c->budget_s);
        return cb_fail(err, code, "%s: CPU budget of %s s exceeded (stopped after %.2f s of CPU time; see --cpu-budget)%s",
                       c->cpu_where[0] ? c->cpu_where : name, limit, c->cpu_used, c->cpu_trace);
    }
    if (limit_hit(c, status, msg)) {
        fmt_limit(limit, sizeof limit, c->cap_mib);
        return cb_fail(err, code, "%s: not enough memory: %s needs more than its memory limit of %s MiB "
                       "(see --lua-memory)%s", c->mem_where[0] ? c->mem_where : name, who, limit, c->mem_trace);
    }
    if (status != LUA_OK) return cb_fail(err, code, "%s", msg ? msg : "(error object is not a string)");
    return CB_OK;
}

/* Runs the script as ctx (src, ds, doc, and the county or the counties) says. */
static int run_report(run_ctx *c, cb_error *err);

int cb_lua_run_report(const cb_report_src *src, const cb_dataset *ds, size_t county,
                      cb_doc *doc, cb_error *err)
{
    run_ctx ctx;
    memset(&ctx, 0, sizeof ctx);
    ctx.src = src;
    ctx.ds = ds;
    ctx.county = county;
    ctx.doc = doc;
    return run_report(&ctx, err);
}

int cb_lua_run_report_all(const cb_report_src *src, const cb_dataset *ds, const size_t *which,
                          size_t n, cb_doc *doc, cb_error *err)
{
    run_ctx ctx;
    memset(&ctx, 0, sizeof ctx);
    ctx.src = src;
    ctx.ds = ds;
    ctx.doc = doc;
    ctx.all = 1;
    ctx.which = which;
    ctx.nwhich = n;
    return run_report(&ctx, err);
}

static int run_report(run_ctx *c, cb_error *err)
{
    const cb_report_src *src = c->src;
    set_limits(c, &src->limits);
    c->doc->mem_budget = c->cap; /* and the same for the document laid out */
    lua_State *L = new_state(c, src->chunkname, err);
    if (!L) return err ? err->code : CB_ENOMEM;
    lua_setwarnf(L, on_warn, c);

    /* stack: 1 = message handler, 2 = the script (returned by setup_state) */
    lua_pushcfunction(L, traceback_handler);
    lua_pushcfunction(L, setup_state);
    int status = lua_pcall(L, 0, 1, 1);
    int rc = CB_OK;
    if (status == LUA_OK) {
        rc = cpu_arm(c, 1, err);
        if (rc == CB_OK) status = lua_pcall(L, 0, 0, 1);
        cpu_stop_script(c);
    }
    if (rc == CB_OK) rc = run_outcome(c, status, src->chunkname, "the report", CB_ESCRIPT, err);
    lua_close(L);
    cpu_disarm(c);
    return rc;
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
    set_limits(c, limits);
    lua_State *L = new_state(c, path, err);
    if (!L) {
        free(c);
        return NULL;
    }
    lua_pushcfunction(L, load_description);
    lua_pushlightuserdata(L, (void *)path);
    int status = lua_pcall(L, 1, 1, 0), rc = CB_OK;
    if (status == LUA_OK) {
        rc = cpu_arm(c, 0, err);
        if (rc == CB_OK) status = lua_pcall(L, 0, 1, 0);
        cpu_stop_script(c);
    }
    if (rc == CB_OK) rc = run_outcome(c, status, path, "it", code, err);
    cpu_disarm(c);
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

/* ------------------------------------------------------------------ the prelude */

/* The declarations at the top of a script are found in its text, so that only they run
 * before the counties do: report { ... } and needs { ... } calls, in any order, before
 * any other statement (comments, a BOM and a #! line may come first). */

/* Past the long bracket ([[ ]], [==[ ]==]) that starts at s, or NULL if there is none. */
static const char *long_bracket_end(const char *s)
{
    size_t eq = strspn(s + 1, "=");
    if (s[1 + eq] != '[' || eq > 60) return NULL;
    char close[64] = "]";
    memset(close + 1, '=', eq);
    close[1 + eq] = ']';
    close[2 + eq] = '\0';
    const char *e = strstr(s + 2 + eq, close);
    return e ? e + 2 + eq : NULL;
}

/* s past spaces and comments. */
static const char *skip_blank(const char *s)
{
    for (;;) {
        s += strspn(s, " \t\r\n\f\v");
        if (strncmp(s, "--", 2) != 0) return s;
        s += 2;
        const char *e = s[0] == '[' ? long_bracket_end(s) : NULL;
        s = e ? e : s + strcspn(s, "\n");
    }
}

/* Past the quoted string that starts at s, or NULL if it does not end on its line. */
static const char *skip_quoted(const char *s)
{
    char q = *s++;
    for (; *s && *s != q && *s != '\n'; s++)
        if (*s == '\\' && s[1]) s++;
    return *s == q ? s + 1 : NULL;
}

/* Past the bracketed group ({ }, ( )) that starts at s, strings and comments skipped; NULL
 * if it does not close. */
static const char *skip_group(const char *s)
{
    int depth = 0;
    for (;;) {
        s = skip_blank(s);
        const char *e = s;
        if (*s == '"' || *s == '\'') e = skip_quoted(s);
        else if (*s == '[' && long_bracket_end(s)) e = long_bracket_end(s); /* else t[k] */
        if (!e) return NULL;
        if (e != s) {
            s = e;
            continue;
        }
        if (!*s) return NULL;
        if (*s == '{' || *s == '(' || *s == '[') depth++;
        else if ((*s == '}' || *s == ')' || *s == ']') && --depth == 0) return s + 1;
        s++;
    }
}

static int ident_char(char c)
{
    return c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

/* How many report/needs calls open the script text s; *end: past the last of them. */
static int count_declarations(const char *s, const char **end)
{
    if (!strncmp(s, "\xEF\xBB\xBF", 3)) s += 3;
    if (s[0] == '#') s += strcspn(s, "\n");
    int n = 0;
    for (*end = s;;) {
        s = skip_blank(s);
        size_t id = !strncmp(s, "needs", 5) ? 5 : !strncmp(s, "report", 6) ? 6 : 0;
        if (!id || ident_char(s[id])) return n;
        const char *p = skip_blank(s + id);
        if (*p != '{' && *p != '(') return n;
        if (!(p = skip_group(p))) return n;
        n++;
        *end = s = skip_blank(p);
        if (*s == ';') s++;
    }
}

/* 1 if the declarations, the text s up to end, hold nothing but literals (strings,
 * numbers, true, false, nil), names, tables and the calls report { }, needs { } and
 * optional { }: then they run no function but those, in time and memory bounded by their
 * length, and cannot get stuck where only the hard stop could end them. The usual
 * declarations are such; anything else (an operator, a field access, another call, a
 * function) makes this 0. */
static int plain_declarations(const char *s, const char *end)
{
    static const char *const keywords[] = {"and", "break", "do", "else", "elseif", "end", "for", "function",
                                           "goto", "if", "in", "local", "not", "or", "repeat", "return",
                                           "then", "until", "while", NULL};
    enum { OTHER, NAME, CLOSE, STRING } prev = OTHER;
    const char *name = "";
    size_t name_len = 0;
    if (!strncmp(s, "\xEF\xBB\xBF", 3)) s += 3;
    if (s[0] == '#') s += strcspn(s, "\n");
    while ((s = skip_blank(s)) < end) {
        const char *e = s;
        int open = *s == '(' || *s == '{', string = *s == '"' || *s == '\'' || (*s == '[' && long_bracket_end(s));
        if ((open || string) && (prev == NAME || prev == CLOSE || prev == STRING)) { /* a call */
            int ours = prev == NAME && ((name_len == 6 && !strncmp(name, "report", 6)) ||
                                        (name_len == 5 && !strncmp(name, "needs", 5)) ||
                                        (name_len == 8 && !strncmp(name, "optional", 8)));
            if (!ours) return 0;
        }
        if (string) {
            if (!(e = *s == '[' ? long_bracket_end(s) : skip_quoted(s))) return 0;
            prev = STRING;
        } else if (ident_char(*s) && !(*s >= '0' && *s <= '9')) {
            while (ident_char(*e)) e++;
            for (int i = 0; keywords[i]; i++)
                if (strlen(keywords[i]) == (size_t)(e - s) && !strncmp(s, keywords[i], (size_t)(e - s))) return 0;
            prev = NAME;
            name = s;
            name_len = (size_t)(e - s);
        } else if (*s >= '0' && *s <= '9') {
            while (ident_char(*e) || *e == '.') e++;
            prev = OTHER;
        } else if (strchr("{}(),;=", *s) && *s) {
            e = s + 1;
            prev = *s == ')' || *s == '}' ? CLOSE : OTHER;
        } else {
            return 0;
        }
        s = e;
    }
    return 1;
}

static void needs_hook(lua_State *L, lua_Debug *ar)
{
    (void)ar;
    lua_sethook(L, needs_hook, LUA_MASKCOUNT, 1); /* from now on, at every instruction */
    luaL_error(L, "needs: not reached");
}

/* Reads the declarations in this process: the prelude proper. hard: with the CPU budget's
 * hard stop, which ends the process (only in the child). */
static int prelude_here(const cb_report_src *src, const cb_dataset *ds, int expected, int hard,
                        cb_needs *needs, cb_report_decl *decl, cb_error *err)
{
    cb_doc doc;
    cb_doc_init(&doc);
    run_ctx ctx;
    memset(&ctx, 0, sizeof ctx);
    ctx.src = src;
    ctx.ds = ds;
    ctx.doc = &doc;
    ctx.needs_out = needs;
    ctx.decl_out = decl;
    ctx.decl_expected = expected;
    set_limits(&ctx, &src->limits);
    lua_State *L = new_state(&ctx, src->chunkname, err);
    if (!L) {
        cb_doc_free(&doc);
        return err ? err->code : CB_ENOMEM;
    }
    lua_setwarnf(L, on_warn, &ctx);
    lua_pushcfunction(L, traceback_handler);
    lua_pushcfunction(L, setup_state);
    int status = lua_pcall(L, 0, 1, 1);
    int rc = CB_OK;
    if (status == LUA_OK) {
        /* the declarations come first: a script that runs on without them is stopped soon */
        lua_sethook(L, needs_hook, LUA_MASKCOUNT, 1000000);
        rc = cpu_arm(&ctx, hard, err);
        if (rc == CB_OK) status = lua_pcall(L, 0, 0, 1);
        cpu_stop_script(&ctx);
    }
    const char *msg = status == LUA_OK ? NULL : lua_tostring(L, -1);
    if (rc != CB_OK) {
        /* the timers could not be armed: err is set */
    } else if (ctx.needs_bad) {
        rc = cb_fail(err, CB_ESCRIPT, "%s", msg ? msg : "bad declaration");
    } else if (limit_hit(&ctx, status, msg)) { /* it would stop every county the same way */
        rc = run_outcome(&ctx, status, src->chunkname, "the report", CB_ESCRIPT, err);
        size_t n = strlen(err->msg);
        snprintf(err->msg + n, sizeof err->msg - n, " (reading its declarations, report { } and needs { })");
    }
    if (rc != CB_OK || ctx.decl_seen < expected) {
        /* a bad declaration, or an error before the last one: the real run tells */
        cb_needs_free(needs);
        cb_report_decl_free(decl);
    }
    lua_close(L);
    cpu_disarm(&ctx);
    cb_doc_free(&doc);
    return rc;
}

/* The prelude's result travels from its child as "R", then rc, the message, the report
 * declaration and the needs, as u32 numbers and strings (u32 length, or ~0 for none, and
 * the bytes). The hard stop writes "S<script:line>" instead. */
static void put_u32(cb_buf *b, size_t v)
{
    uint32_t x = (uint32_t)v;
    cb_buf_add(b, &x, sizeof x);
}

static void put_str(cb_buf *b, const char *s)
{
    put_u32(b, s ? strlen(s) : UINT32_MAX);
    if (s) cb_buf_adds(b, s);
}

static void put_prelude(cb_buf *b, int rc, const cb_error *err, const cb_needs *n, const cb_report_decl *d)
{
    cb_buf_add(b, "R", 1);
    put_u32(b, (uint32_t)rc);
    put_str(b, rc == CB_OK ? "" : err->msg);
    put_u32(b, (size_t)d->declared);
    put_u32(b, (size_t)d->scope);
    put_str(b, d->output);
    put_u32(b, d->nlangs);
    for (size_t i = 0; i < d->nlangs; i++) put_str(b, d->langs[i]);
    put_u32(b, (size_t)n->declared);
    put_u32(b, n->ntables);
    for (size_t i = 0; i < n->ntables; i++) {
        const cb_need_table *t = &n->tables[i];
        put_str(b, t->name);
        put_u32(b, (size_t)t->optional);
        put_u32(b, t->ncols);
        for (size_t c = 0; c < t->ncols; c++) {
            put_str(b, t->cols[c]);
            put_str(b, t->types[c]);
        }
    }
}

typedef struct reader {
    const char *p, *end;
    int bad;
} reader;

static size_t get_u32(reader *r)
{
    uint32_t x = 0;
    if (r->end - r->p < (ptrdiff_t)sizeof x) r->bad = 1;
    else memcpy(&x, r->p, sizeof x), r->p += sizeof x;
    return r->bad ? 0 : x;
}

/* A string of the record, malloc'd (NULL: none, or the record is cut). */
static char *get_str(reader *r)
{
    size_t n = get_u32(r);
    if (r->bad || n == UINT32_MAX) return NULL;
    if ((size_t)(r->end - r->p) < n) {
        r->bad = 1;
        return NULL;
    }
    char *s = cb_xstrndup(r->p, n);
    r->p += n;
    return s;
}

/* Reads put_prelude's record; 0 if it is cut or malformed. */
static int get_prelude(reader *r, int *rc, cb_error *err, cb_needs *n, cb_report_decl *d)
{
    *rc = (int)get_u32(r);
    char *msg = get_str(r);
    if (msg && *rc != CB_OK) cb_fail(err, *rc, "%s", msg);
    free(msg);
    d->declared = (int)get_u32(r);
    d->scope = get_u32(r) ? CB_SCOPE_ALL : CB_SCOPE_COUNTY;
    d->output = get_str(r);
    size_t nl = get_u32(r);
    for (size_t i = 0; i < nl && i < CB_LANGS_MAX && !r->bad; i++) {
        char *l = get_str(r);
        snprintf(d->langs[d->nlangs++], sizeof d->langs[0], "%s", l ? l : "");
        free(l);
    }
    n->declared = (int)get_u32(r);
    size_t nt = get_u32(r);
    for (size_t i = 0; i < nt && !r->bad; i++) {
        n->tables = cb_xrealloc(n->tables, (n->ntables + 1) * sizeof *n->tables);
        cb_need_table *t = &n->tables[n->ntables++];
        memset(t, 0, sizeof *t);
        t->name = get_str(r);
        t->optional = (int)get_u32(r);
        size_t nc = get_u32(r);
        for (size_t c = 0; c < nc && !r->bad; c++) {
            t->cols = cb_xrealloc(t->cols, (t->ncols + 1) * sizeof *t->cols);
            t->types = cb_xrealloc(t->types, (t->ncols + 1) * sizeof *t->types);
            t->cols[t->ncols] = get_str(r);
            t->types[t->ncols++] = get_str(r);
            if (!t->cols[t->ncols - 1] || !t->types[t->ncols - 1]) r->bad = 1;
        }
        if (!t->name) r->bad = 1;
    }
    return !r->bad && r->p == r->end;
}

/* The child's side: reads the declarations with every limit, sends the result, ends. */
static void prelude_child(int fd, const cb_report_src *src, const cb_dataset *ds, int expected)
{
    cb_needs needs;
    cb_report_decl decl;
    cb_error err;
    memset(&needs, 0, sizeof needs);
    memset(&decl, 0, sizeof decl);
    stuck_fd = fd;
    int rc = prelude_here(src, ds, expected, 1, &needs, &decl, &err);
    stuck_fd = -1;
    cb_buf b = {0};
    put_prelude(&b, rc, &err, &needs, &decl);
    cb_child_exit(cb_write_all(fd, b.s, b.len) != 0);
}

/* Compiles the script into this process's chunk cache (a compiled chunk runs no code), so
 * that the prelude's child and the workers forked later find it there, as when the prelude
 * ran in this process. A failure is left to the child, which meets it again. */
static void warm_chunk(const cb_report_src *src)
{
    run_ctx c;
    memset(&c, 0, sizeof c);
    set_limits(&c, &src->limits);
    lua_State *L = new_state(&c, src->chunkname, NULL);
    if (!L) return;
    load_script(L, src->path, src->chunkname);
    lua_close(L);
}

typedef struct prelude_args {
    const cb_report_src *src;
    const cb_dataset *ds;
    int expected;
} prelude_args;

static void prelude_body(void *ud, int in, int out)
{
    const prelude_args *a = ud;
    (void)in;
    prelude_child(out, a->src, a->ds, a->expected);
}

/*
 * The declarations run user code before any worker exists, and that code must be held to
 * the same limits as a county's run: memory (the capped allocator), CPU (the budget's
 * hook) and, for a script stuck inside one C call (string.find with a costly pattern, a
 * plugin's function), the hard stop, which can only end a process: no longjmp out of a
 * signal handler is safe where the C call may hold malloc's lock. Plain declarations
 * (plain_declarations: literals and tables, as nearly every report has) call nothing that
 * could get stuck, so they run here, under the cap and the CPU budget's soft stop. Any
 * other is read in a child process, which sends its result back on a pipe (if fork fails:
 * here, without the hard stop). The child costs a fork and the pages it touches: 1 to 2
 * ms on common hardware, about 20 ms on a virtual machine where page faults are dear.
 */
int cb_lua_report_prelude(const cb_report_src *src, const cb_dataset *ds, cb_needs *needs,
                          cb_report_decl *decl, cb_error *err)
{
    memset(needs, 0, sizeof *needs);
    memset(decl, 0, sizeof *decl);
    if (!ds->ncounties) return CB_OK;
    size_t len;
    cb_error rerr;
    char *text = cb_read_file(src->path, &len, &rerr);
    const char *end = NULL;
    int expected = text ? count_declarations(text, &end) : 0, plain = expected && plain_declarations(text, end);
    free(text);
    if (!expected) return CB_OK; /* nothing declared (declarations must come first) */
    if (plain) return prelude_here(src, ds, expected, 0, needs, decl, err);
    warm_chunk(src);
    /* its wall-time deadline (child.h): the CPU budget's (the default's when off) twice, and 10 s */
    double cpu = src->limits.cpu_budget_s > 0 ? src->limits.cpu_budget_s : CB_LUA_DEFAULT_CPU_BUDGET_S;
    prelude_args args = {src, ds, expected};
    cb_child child;
    if (cb_child_start(&child, 0, 2 * cpu + 10, prelude_body, &args) != 0)
        return prelude_here(src, ds, expected, 0, needs, decl, err);
    cb_buf b = {0};
    int killed = cb_child_read(&child, &b, NULL, NULL);
    int status = cb_child_reap(&child, killed);
    int rc = CB_OK;
    reader r = {b.s, b.s + b.len, 0};
    char why[128] = "CPU budget exceeded (stuck in a library call)";
    if (killed) {
        rc = cb_fail(err, CB_ESCRIPT, "%s: stopped after %.0f s of waiting (reading its declarations, report { } "
                     "and needs { }: blocked in a library call?)", src->chunkname, 2 * cpu + 10);
    } else if (b.len && b.s[0] == 'S') { /* the hard stop: stuck in one C call */
        cb_lua_describe_exit(status, &src->limits, why, sizeof why);
        rc = cb_fail(err, CB_ESCRIPT, "%s: %s (reading its declarations, report { } and needs { }; see --cpu-budget)",
                     b.len > 1 ? b.s + 1 : src->chunkname, why);
    } else if (b.len && b.s[0] == 'R' && (r.p++, get_prelude(&r, &rc, err, needs, decl))) {
        /* the child's result */
    } else { /* not covered: the child crashing, or a message cut short (get_prelude's r->bad) */
        cb_child_death(status, NULL, why, sizeof why);
        rc = cb_fail(err, CB_ESCRIPT, "%s: the process reading its declarations (report { } and needs { }) %s",
                     src->chunkname, why);
    }
    if (rc != CB_OK) {
        cb_needs_free(needs);
        cb_report_decl_free(decl);
    }
    cb_buf_free(&b);
    return rc;
}
