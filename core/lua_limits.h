/*
 * lua_limits.h: the limits every Lua state of countybrief runs under, and descriptions
 * (template.lua), the smallest use of them: the sandbox's lowest layer, below the report
 * API (lua_api.h) and the templates, which include this alone.
 *
 * Limits (cb_lua_limits): the state's memory goes through a capped allocator, and a CPU
 * timer armed for the run sets a hook once the budget is spent, so normal code runs with no
 * hook at all. A script stuck inside one C call past the budget ends its (worker) process
 * with CB_LUA_EXIT_STUCK; cb_lua_describe_exit turns that status into a message.
 */
#ifndef CB_LUA_LIMITS_H
#define CB_LUA_LIMITS_H

#include "util.h"

#define CB_LUA_DEFAULT_MEMORY_MIB 256 /* --lua-memory */
#define CB_LUA_DEFAULT_CPU_BUDGET_S 30 /* --cpu-budget; below --timeout's default of 60 s */
/* How long past its budget a script may stay inside one C call (string.find with a
 * pathological pattern, a __gc finalizer) before its process is ended. */
#define CB_LUA_STUCK_GRACE_S 0.1
/* The exit status of a worker process ended that way: distinct from a normal exit (0) and
 * from exit(1), and below 126 so that shells don't read it as "not executable". */
#define CB_LUA_EXIT_STUCK 86

/* The limits of one county's run. A zero field means the default, so a zero-initialised
 * struct is safe; a negative field means no limit. */
typedef struct cb_lua_limits {
    double memory_mib;   /* Lua heap plus the text handed to doc, in MiB */
    double cpu_budget_s; /* CPU time of the script (and its modules), in seconds */
} cb_lua_limits;

/* Runs the Lua file at path as a description (template.lua): a chunk that only returns a
 * value, run with no library and an empty environment, under limits (NULL: the
 * defaults; its memory cap, and its CPU budget, which needs no hard stop there). Returns
 * the state with the chunk's result on top (close with cb_lua_close_description), or
 * NULL with err set to code and "path:line: message", naming the limit when one was
 * reached ("template.lua:3: CPU budget of 30 s exceeded (stopped after ...)"). */
struct lua_State;
struct lua_State *cb_lua_run_description(const char *path, const cb_lua_limits *limits, int code,
                                         cb_error *err);
void cb_lua_close_description(struct lua_State *L);

/* If wait_status (from waitpid) is a worker ended by the CPU budget's hard stop, writes
 * "CPU budget of N s exceeded (stuck in a library call)" into buf and returns 1; otherwise
 * leaves buf alone and returns 0. limits: those the worker ran with (NULL: the defaults). */
int cb_lua_describe_exit(int wait_status, const cb_lua_limits *limits, char *buf, size_t n);

#endif /* CB_LUA_LIMITS_H */
