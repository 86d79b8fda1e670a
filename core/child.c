/* child.c: see child.h. */
#define _GNU_SOURCE /* pipe2 */
#include "child.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static void close_pair(int p[2])
{
    if (p[0] >= 0) close(p[0]);
    if (p[1] >= 0) close(p[1]);
}

int cb_child_start(cb_child *c, int flags, double limit_s, void (*body)(void *ud, int in, int out), void *ud)
{
    int up[2] = {-1, -1}, down[2] = {-1, -1}, e;
    *c = (cb_child){-1, -1, -1, limit_s > 0 ? cb_now_s() + limit_s : 0, 0, 0};
    /* not covered: pipe2 and fork fail only out of descriptors or processes, which the
     * pool's fd_room and the kernel's process limit keep a run from reaching */
    if (pipe2(up, O_CLOEXEC) != 0) return -1;
    if ((flags & CB_CHILD_DUPLEX) && pipe2(down, O_CLOEXEC) != 0) {
        e = errno;
        close_pair(up);
        errno = e;
        return -1;
    }
    fflush(NULL);
    pid_t pid = fork();
    if (pid < 0) {
        e = errno;
        close_pair(up);
        close_pair(down);
        errno = e;
        return -1;
    }
    if (pid == 0) {
        close(up[0]);
        if (down[1] >= 0) close(down[1]);
        body(ud, down[0], up[1]);
        cb_child_exit(0); /* not reached: body ends the child */
    }
    close(up[1]);
    if (down[0] >= 0) close(down[0]);
    c->pid = pid;
    c->from = up[0];
    c->to = down[1];
    return 0;
}

int cb_child_read(cb_child *c, cb_buf *b, int (*enough)(const cb_buf *b, void *ud), void *ud)
{
    char chunk[4096];
    for (;;) {
        if (enough && enough(b, ud)) return 0;
        double left = c->deadline > 0 ? c->deadline - cb_now_s() : 1;
        struct pollfd p = {c->from, POLLIN, 0};
        /* at most 50 ms between looks at whether the child has ended */
        int n = poll(&p, 1, c->ended || left <= 0 ? 0 : left < 0.05 ? (int)(left * 1000) + 1 : 50);
        ssize_t got = n > 0 ? read(c->from, chunk, sizeof chunk) : 0;
        if (got > 0) {
            cb_buf_add(b, chunk, (size_t)got);
            continue;
        }
        if (got < 0 && errno == EINTR) continue;
        if ((n > 0 && got <= 0) || c->ended) return 0; /* the end, or all the ended child wrote */
        if (n < 0 && errno != EINTR) return 0;
        if (!c->ended && waitpid(c->pid, &c->status, WNOHANG) == c->pid) {
            c->ended = 1;
            continue; /* what it wrote before it ended is still read */
        }
        if (c->deadline > 0 && cb_now_s() >= c->deadline) {
            kill(c->pid, SIGKILL);
            return 1;
        }
    }
}

int cb_child_reap(cb_child *c, int kill_it)
{
    if (c->from >= 0) close(c->from);
    if (c->to >= 0) close(c->to);
    c->from = c->to = -1;
    if (c->pid > 0 && !c->ended) {
        if (kill_it) kill(c->pid, SIGKILL);
        while (waitpid(c->pid, &c->status, 0) < 0 && errno == EINTR) {}
        c->ended = 1;
    }
    c->pid = -1;
    return c->status;
}

void cb_child_death(int status, const char *doing, char *buf, size_t n)
{
    const char *sp = doing ? " " : "", *what = doing ? doing : "";
    if (WIFSIGNALED(status))
        snprintf(buf, n, "died%s%s (signal %d, %s)", sp, what, WTERMSIG(status), strsignal(WTERMSIG(status)));
    else
        snprintf(buf, n, "exited%s%s (status %d%s)", sp, what, WIFEXITED(status) ? WEXITSTATUS(status) : -1,
                 WIFEXITED(status) && WEXITSTATUS(status) == 0 ? ", exit() was called" : "");
}
