/* output.c: see output.h. */
#include "output.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>

#define TMP_TAG ".tmp-"
#define STALE_AFTER_S 3600 /* a temporary file this old is dead, whoever wrote it */

static int use_fsync = 1, sync_dirs = 1;

void cb_output_set_fsync(int on) { use_fsync = on != 0; }
void cb_output_set_dir_sync(int on) { sync_dirs = on != 0; }
int cb_output_fsync(void) { return use_fsync; }

/* This writer's host: the host name, then the PID namespace, since a pid means something
 * only inside its namespace (containers sharing a host name and a volume). Only letters,
 * digits, '_' and '-', so the name parses back unambiguously from its end. */
static const char *host_token(void)
{
    static char tok[96];
    if (tok[0]) return tok;
    char name[256] = "", host[41];
    if (gethostname(name, sizeof name - 1) != 0 || !name[0]) snprintf(name, sizeof name, "localhost");
    memcpy(host, name, sizeof host - 1); /* short enough for NAME_MAX with a long NAME */
    host[sizeof host - 1] = '\0';
    for (char *p = host; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') || *p == '-'))
            *p = '_';
    struct stat st;
    if (stat("/proc/self/ns/pid", &st) == 0) snprintf(tok, sizeof tok, "%s_%lu", host, (unsigned long)st.st_ino);
    else snprintf(tok, sizeof tok, "%s", host);
    return tok;
}

/* A failure to write path: full-disk errors as "path: No space left on device". */
static int write_error(cb_error *err, const char *path, int e)
{
    if (e == ENOSPC || e == EDQUOT || e == EFBIG)
        return cb_fail(err, CB_EIO, "%s: %s", path, strerror(e));
    return cb_fail(err, CB_EIO, "%s: cannot write: %s", path, strerror(e));
}

/* fsync of the folder holding a renamed file. Filesystems that cannot sync a folder
 * (EINVAL, ENOTSUP) have nothing to do. */
static int sync_dir(const char *dir)
{
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) return errno;
    int e = 0;
    if (fsync(fd) != 0 && errno != EINVAL && errno != ENOTSUP && errno != EROFS) e = errno;
    close(fd);
    return e;
}

int cb_write_file_atomic(const char *path, const void *data, size_t len, cb_error *err)
{
    static int xfsz_ignored;
    static unsigned long counter;
    if (!xfsz_ignored) { /* ulimit -f: EFBIG from write(), not a killed process */
        signal(SIGXFSZ, SIG_IGN);
        xfsz_ignored = 1;
    }
    const char *slash = strrchr(path, '/');
    char *dir = slash ? cb_xstrndup(path, slash == path ? 1 : (size_t)(slash - path)) : cb_xstrdup(".");
    const char *base = slash ? slash + 1 : path;
    char suffix[160];
    snprintf(suffix, sizeof suffix, TMP_TAG "%s-%ld-%lu", host_token(), (long)getpid(), counter++);
    /* a long NAME is shortened in the temporary name: it must fit NAME_MAX */
    size_t keep = strlen(base), room = NAME_MAX - 1 - strlen(suffix);
    if (keep > room) keep = room;
    char *tmp = slash ? cb_xasprintf("%.*s.%.*s%s", (int)(slash - path + 1), path, (int)keep, base, suffix)
                      : cb_xasprintf(".%.*s%s", (int)keep, base, suffix);

    int saved = 0;
    int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    if (fd < 0) {
        saved = errno;
    } else {
        const char *p = data;
        size_t left = len;
        while (left && !saved) {
            ssize_t w = write(fd, p, left);
            if (w < 0 && errno == EINTR) continue;
            if (w < 0) saved = errno;
            else if (w == 0) saved = ENOSPC;
            else {
                p += w;
                left -= (size_t)w;
            }
        }
        if (!saved && use_fsync && fsync(fd) != 0) saved = errno;
        if (close(fd) != 0 && !saved && errno != EINTR) saved = errno;
        if (!saved && rename(tmp, path) != 0) saved = errno;
        if (saved) unlink(tmp);
        else if (use_fsync && sync_dirs) saved = sync_dir(dir); /* the file is in place; its name may not last */
    }
    free(tmp);
    free(dir);
    return saved ? write_error(err, path, saved) : CB_OK;
}

/* Splits ".NAME.tmp-HOST-PID-N" into host (pointer and length) and pid; 0 if not ours. */
static int parse_temp(const char *name, const char **host, size_t *hlen, long *pid)
{
    if (name[0] != '.') return 0;
    const char *tag = NULL;
    for (const char *s = strstr(name, TMP_TAG); s; s = strstr(s + 1, TMP_TAG)) tag = s;
    if (!tag || tag == name) return 0;
    const char *h = tag + strlen(TMP_TAG), *end = h + strlen(h);
    const char *dash2 = end, *dash1;
    while (dash2 > h && dash2[-1] >= '0' && dash2[-1] <= '9') dash2--;
    if (dash2 == end || dash2 <= h || dash2[-1] != '-') return 0;
    dash1 = --dash2; /* the '-' before N */
    while (dash1 > h && dash1[-1] >= '0' && dash1[-1] <= '9') dash1--;
    if (dash1 == dash2 || dash1 <= h || dash1[-1] != '-') return 0;
    *pid = strtol(dash1, NULL, 10);
    *host = h;
    *hlen = (size_t)(dash1 - 1 - h);
    return *hlen > 0 && *pid > 0;
}

int cb_output_is_temp(const char *name)
{
    const char *h;
    size_t n;
    long pid;
    return parse_temp(name, &h, &n, &pid);
}

size_t cb_output_sweep(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d) return 0;
    const char *me = host_token();
    size_t removed = 0;
    time_t now = time(NULL);
    struct dirent *de;
    while ((de = readdir(d))) {
        const char *h;
        size_t hlen;
        long pid;
        if (!parse_temp(de->d_name, &h, &hlen, &pid)) continue;
        char *path = cb_path_join(dir, de->d_name);
        struct stat st;
        if (lstat(path, &st) == 0 && S_ISREG(st.st_mode)) {
            int here = hlen == strlen(me) && strncmp(h, me, hlen) == 0;
            /* our own pid: a leftover of an earlier process that had it (we write nothing
             * before sweeping) */
            int dead = here && (pid == (long)getpid() || (kill((pid_t)pid, 0) != 0 && errno == ESRCH));
            if ((dead || now - st.st_mtime > STALE_AFTER_S) && unlink(path) == 0) removed++;
        }
        free(path);
    }
    closedir(d);
    return removed;
}
