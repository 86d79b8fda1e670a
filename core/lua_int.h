/*
 * lua_int.h: what the files of the report sandbox share (private to core/lua_*.c; users
 * include lua_api.h, or lua_limits.h for the limits and descriptions alone). It needs no
 * more than lua_limits.h, so that lua_limits.c stays below the report API; a file that
 * reads the run's source, data or document includes their headers itself. The sandbox is split as Lua splits its libraries, one concern a file:
 *   lua_api.c      the report's state: building it (the allow-list, the libraries
 *                  registered from luaL_Reg tables as linit.c does), running a report
 *   lua_limits.c   capped states: the memory cap and the CPU budget (timers, the signal
 *                  handler), and descriptions (lua_limits.h)
 *   lua_trace.c    describing the stack: messages with the report's own frames
 *   lua_chunks.c   loading chunks: text only, the chunk cache, require
 *   lua_base.c     the base library's replacements: print, spairs, collectgarbage, warn
 *   lua_os.c       the os table with a fixed clock
 *   lua_data.c     county, counties and data
 *   lua_doc.c      the doc builder
 *   lua_decl.c     report { } and needs { }
 *   lua_prelude.c  reading those declarations before any county runs
 *   lua_fmt.c      fmt (lua_fmt.h)
 *
 * Rules every file keeps:
 * - Context: everything about one run is its run_ctx, the state allocator's userdata
 *   (cb_lua__ctx): no registry lookup, no global. The run_ctx belongs to whoever made the
 *   state (on the C stack of the run; the description's is freed with its state) and lives
 *   until lua_close is done. The only process-wide state is the CPU budget's signal state
 *   in lua_limits.c (see there why) and caches that never change once set.
 * - Memory: the Lua heap goes through the capped allocator; whatever C memory a script's
 *   values cost the document (copied text, items, a plugin block's state) is charged first
 *   (cb_lua__charge, cb_lua__doc_strdup, cb_lua__doc_calloc), raising "not enough memory"
 *   past the cap. A copy belongs to the document as soon as it is made, so a Lua error
 *   raised after it leaks nothing: cb_doc_free frees it.
 * - Errors: functions called from Lua raise (luaL_error, with the script's line); C-side
 *   functions return CB_OK or a cb_error code with err set. The allocator, the CPU hook and
 *   the signal handler never allocate from Lua and never raise but as documented.
 * - Names: cb_lua_ is the public API (lua_api.h); cb_lua__ is private to these files.
 */
#ifndef CB_LUA_INT_H
#define CB_LUA_INT_H

#include <lauxlib.h>
#include <lua.h>
#include <time.h>

#include "lua_limits.h"

struct cb_report_src;
struct cb_dataset;
struct cb_doc;
struct cb_needs;
struct cb_report_decl;

#define CB_LUA_DOC_META "countybrief.doc"
#define CB_LUA_WHERE_MAX 256 /* "script:line" */
#define CB_LUA_TRACE_MAX 768 /* " [traceback: ...]" */

/* Everything about one county's run (see the rules above). */
typedef struct run_ctx {
    const struct cb_report_src *src;
    const struct cb_dataset *ds;
    size_t county;
    struct cb_doc *doc;
    lua_State *L; /* NULL while lua_newstate runs */

    /* memory: the Lua heap plus the script's text copied into doc stay under cap */
    size_t cap;            /* bytes; 0: no cap */
    double cap_mib;        /* the same, as the option gave it */
    size_t heap, docmem;   /* bytes in use */
    unsigned long refusals;
    char mem_where[CB_LUA_WHERE_MAX], mem_trace[CB_LUA_TRACE_MAX]; /* where the last refusal happened */

    /* CPU */
    double budget_s;       /* 0: no budget */
    double cpu_start;      /* thread CPU time when the timers were armed */
    int armed, has_hard;
    timer_t soft, hard;
    int cpu_hit;           /* the hook stopped the script */
    double cpu_used;
    char cpu_where[CB_LUA_WHERE_MAX], cpu_trace[CB_LUA_TRACE_MAX];

    int warn_on, warn_cont; /* warn("@on") */
    char warn_line[CB_CLEAN_MAX + 64]; /* a warning's pieces, written whole (cb_lua__on_warn) */
    size_t warn_len;

    /* scope "all": the counties the script sees (which: NULL for every one) */
    int all;
    const size_t *which;
    size_t nwhich;

    /* the prelude (cb_lua_report_prelude): needs { ... } and report { ... } fill needs_out
     * and decl_out, and the last of the decl_expected declarations stops the script; in a
     * county's run they do nothing */
    struct cb_needs *needs_out;
    struct cb_report_decl *decl_out;
    int decl_expected, decl_seen, needs_bad;
} run_ctx;

/* The run of the state L: its allocator's userdata (no allocation, no stack slot). */
static inline run_ctx *cb_lua__ctx(lua_State *L)
{
    void *ud;
    lua_getallocf(L, &ud);
    return ud;
}

/* lua_api.c: the report's state */
/* lua_CFunction: the libraries and globals of c, then the script loaded, returned. */
int cb_lua__setup_state(lua_State *L);

/* lua_limits.c: capped states, the memory cap and the CPU budget */
/* A Lua state whose allocations c counts and caps, c->L set; NULL with err set (it may be
 * NULL): "name: cannot create a Lua state", naming the memory limit if that refused it. */
lua_State *cb_lua__new_state(run_ctx *c, const char *name, cb_error *err);
void cb_lua__set_limits(run_ctx *c, const cb_lua_limits *limits); /* NULL: the defaults */
void cb_lua__charge(lua_State *L, size_t n);               /* raises past the cap */
char *cb_lua__doc_strdup(lua_State *L, const char *s);     /* charged; the caller owns it */
void *cb_lua__doc_calloc(lua_State *L, size_t n, size_t size);
/* Arms the CPU budget's soft stop and, with hard, the hard stop, which ends the process
 * (only in a process of its own); stop_script after the script, disarm after lua_close. */
int cb_lua__cpu_arm(run_ctx *c, int hard, cb_error *err);
void cb_lua__cpu_stop_script(run_ctx *c);
void cb_lua__cpu_disarm(run_ctx *c);
/* Where the hard stop writes "S<script:line>" before ending the process; -1: nowhere. */
void cb_lua__set_stuck_fd(int fd);
int cb_lua__limit_hit(const run_ctx *c, int status, const char *msg);
int cb_lua__run_outcome(run_ctx *c, int status, const char *name, const char *who, int code, cb_error *err);

/* lua_trace.c: describing the stack */
void cb_lua__describe_stack(lua_State *L, int level, char *where, size_t wn, char *trace, size_t tn);
int cb_lua__traceback_handler(lua_State *L); /* the message handler of every pcall */

/* lua_chunks.c: loading chunks and modules */
void cb_lua__open_modules(lua_State *L); /* require's table of loaded modules */
int cb_lua__load_script(lua_State *L, const char *path, const char *name);
int cb_lua__require(lua_State *L);
int cb_lua__load(lua_State *L); /* load(), text only */

/* lua_base.c, lua_os.c: the base library's replacements and os */
int cb_lua__print(lua_State *L);
int cb_lua__spairs(lua_State *L);
int cb_lua__collectgarbage(lua_State *L);
void cb_lua__on_warn(void *ud, const char *msg, int tocont);
void cb_lua__open_os(lua_State *L);

/* lua_data.c, lua_doc.c, lua_decl.c: the globals of a run */
void cb_lua__open_data(lua_State *L, const run_ctx *c); /* county or counties, and data */
void cb_lua__open_doc(lua_State *L, run_ctx *c);
void cb_lua__open_decl(lua_State *L);                     /* needs, optional, report */

#endif /* CB_LUA_INT_H */
