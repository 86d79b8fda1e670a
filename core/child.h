/*
 * child.h: a child process this process supervises: the batch's workers (pool.c), the
 * plugin probe (plugin_probe.c) and the reading of a report's declarations (lua_prelude.c). One
 * fork, one pipe discipline, one deadline, and one sentence for a child's death.
 *
 * cb_child_start forks with stdio flushed (nothing buffered is written twice if the child
 * calls exit()) and with pipes whose ends are all close-on-exec (a process the child, or a
 * plugin in it, starts never holds them). The child runs body(ud, in, out): out is the
 * write end of its pipe to the parent, in the read end of the parent's pipe to it
 * (CB_CHILD_DUPLEX; else -1); body must not return (it ends with cb_child_exit, util.h),
 * and closes what else it must not hold (the pipes of the other children). In the parent:
 * 0 with *c filled, or -1 with errno set and no process started, no descriptor left open.
 *
 * The parent owns c's descriptors and the child's status until cb_child_reap. A parent
 * watching many children at once (pool.c) polls c->from itself and marks a child it found
 * ended by waitpid (c->ended, c->status); one child at a time is read with cb_child_read.
 *
 * Errors are not cb_error here: each caller names the child (a worker, a plugin file, a
 * report) in its own message; cb_child_death is the phrase all of them use for how it ended.
 */
#ifndef CB_CHILD_H
#define CB_CHILD_H

#include <stddef.h>
#include <sys/types.h>

#include "util.h"

#define CB_CHILD_DUPLEX 1 /* cb_child_start: a pipe to the child too (c->to) */

typedef struct cb_child {
    pid_t pid;       /* -1: none (not started, or reaped) */
    int from, to;    /* the parent's ends: what the child writes; what it reads (-1: none) */
    double deadline; /* cb_now_s() after which cb_child_read kills it; 0: none */
    int ended;       /* its status was collected (by cb_child_read or the caller's waitpid) */
    int status;      /* the wait status, once ended */
} cb_child;

int cb_child_start(cb_child *c, int flags, double limit_s, void (*body)(void *ud, int in, int out), void *ud);

/* Reads what the child sends, appending to b, until the end of its pipe, until the child
 * has ended and its pipe holds nothing more (a process it started may keep the pipe open),
 * until enough(b, ud) is 1 (NULL: never), or until its deadline: then it is killed
 * (SIGKILL) and the result is 1; else 0. What a child sent counts even when its deadline
 * has passed before it is read (children read one after another). */
int cb_child_read(cb_child *c, cb_buf *b, int (*enough)(const cb_buf *b, void *ud), void *ud);

/* Closes c's pipes, kills the child first if kill_it (SIGKILL) and waits for it, unless
 * already ended; c->pid is -1 after. Returns its wait status. */
int cb_child_reap(cb_child *c, int kill_it);

/* How a child that ended with wait status `status` unasked ended, one phrase into buf:
 * "died (signal 11, Segmentation fault)", "exited (status 1)", "exited (status 0, exit()
 * was called)". doing (NULL: none) goes after the verb: "died while loading (signal 6,
 * Aborted)". Callers name the child before it and add where it was after it ("the worker
 * process died (signal 6, Aborted) in block B of plugin P"). */
void cb_child_death(int status, const char *doing, char *buf, size_t n);

#endif
