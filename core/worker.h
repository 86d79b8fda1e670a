/*
 * worker.h: what a pool worker process is doing, for pool.c to read: the plugin code it is
 * in (its mark, so that a crash names the block or module) and whether it must exit after
 * its job (retired). Set from deep in a county's render (doc.c, layout_blocks.c, plugins.c,
 * lua_limits.c), which carries no pool: this sits below them, the worker pool (pool.h)
 * above.
 */
#ifndef CB_WORKER_H
#define CB_WORKER_H

/* A worker's slot of the page shared with the parent (pool.c maps one per worker before
 * it forks): the plugin code the worker is in. */
typedef struct cb_mark_slot {
    volatile int kind;
    const void *volatile what;
    char fn[48];
} cb_mark_slot;

/* What plugin code a worker is running, for its death message: a tiny store into its slot
 * (nothing outside a worker). kind CB_MARK_BLOCK: what is the cb_block_type;
 * CB_MARK_MODULE: what is the plugin registry's module entry and fn the Lua function
 * (NULL: the module's open function); CB_MARK_NONE clears. plugins.h's
 * cb_plugins_describe turns a mark into words in the parent. */
enum { CB_MARK_NONE, CB_MARK_BLOCK, CB_MARK_MODULE };
void cb_worker_mark(int kind, const void *what, const char *fn);

/* In a worker: this process runs no job after the current one. Called when a limit (the
 * CPU budget's stop, the memory cap) cut a script short at a point of its own choosing:
 * the longjmp that stops it may leave behind, past lua_close, whatever the code it cut
 * was in the middle of (a plugin's state, the C heap's layout), and the next county must
 * not start from that. The worker sends its reply, then exits; the parent forks a fresh
 * one for the next job. Costs a fork per county stopped so, nothing otherwise. Outside a
 * worker: nothing. */
void cb_worker_retire(void);

/* For pool.c, in a worker once it is forked: slot is its mark slot (this process is a
 * worker from now on). */
void cb_worker_start(cb_mark_slot *slot);
/* For pool.c: the job just run ends; returns 1 when cb_worker_retire was called during
 * it (the worker exits after its reply). Clears the mark: a job's mark never outlives it. */
int cb_worker_end_job(void);

#endif /* CB_WORKER_H */
