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
#define STALE_AFTER_S 7200 /* a temporary file this old is dead, whoever wrote it (2 hours) */

/* Process-wide settings (output.h), the only mutable file-scope state here: every writer
 * of the process follows them, including those with no engine at hand (the caches, synth),
 * and a worker inherits them at its fork. --no-fsync sets use_fsync once, before any file
 * is written; a batch's worker turns sync_dirs off for itself. */
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
    /* not covered: gethostname failing (only for a too small buffer) */
    if (gethostname(name, sizeof name - 1) != 0 || !name[0]) snprintf(name, sizeof name, "localhost");
    memcpy(host, name, sizeof host - 1); /* short enough for NAME_MAX with a long NAME */
    host[sizeof host - 1] = '\0';
    for (char *p = host; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') || *p == '-'))
            *p = '_';
    struct stat st;
    /* not covered: a system without /proc */
    if (stat("/proc/self/ns/pid", &st) == 0) snprintf(tok, sizeof tok, "%s_%lu", host, (unsigned long)st.st_ino);
    else snprintf(tok, sizeof tok, "%s", host);
    return tok;
}

/* A failure to write path: full-disk errors as "path: No space left on device". */
static int write_error(cb_error *err, const char *path, int e)
{
    /* not covered: EDQUOT (a disk quota: none where the tests run) */
    if (e == ENOSPC || e == EDQUOT || e == EFBIG)
        return cb_fail(err, CB_EIO, "%s: %s", path, strerror(e));
    return cb_fail(err, CB_EIO, "%s: cannot write: %s", path, strerror(e));
}

/* What is at a name that is neither a regular file nor a link, for a message. */
static const char *kind_of(mode_t m)
{
    if (S_ISDIR(m)) return "a folder";
    if (S_ISFIFO(m)) return "a FIFO";
    if (S_ISCHR(m) || S_ISBLK(m)) return "a device";
    if (S_ISSOCK(m)) return "a socket";
    return "not a regular file"; /* not covered: Linux has no other kind */
}

/* err for path, which is not a regular file (st) or could not be opened (e). */
static void open_error(cb_error *err, const char *path, const struct stat *st, int e)
{
    if (!err) return;
    if (!st) cb_fail(err, CB_EIO, "%s: %s", path, strerror(e));
    else if (S_ISLNK(st->st_mode)) cb_fail(err, CB_EIO, "%s: a symbolic link: not followed", path);
    else cb_fail(err, CB_EIO, "%s: not a regular file (%s)", path, kind_of(st->st_mode));
}

int cb_file_open(const char *path, int flags, int mode, cb_error *err)
{
    struct stat st;
    int fd = cb_open_regular(path, flags | O_NOFOLLOW, mode, &st);
    if (fd >= 0 && (flags & O_ACCMODE) != O_RDONLY && st.st_nlink > 1) {
        /* a hard link planted where ours should be: writing would change the other name's file */
        if (err) cb_fail(err, CB_EIO, "%s: has another hard link: not written through", path);
        close(fd);
        errno = EINVAL;
        return -1;
    }
    if (fd >= 0) return fd;
    int e = errno; /* EINVAL: st is not a regular file; ELOOP: a link; ENXIO: a FIFO without a reader */
    /* not covered: lstat failing (the name removed since the open, at that moment) and, after
     * ELOOP, ENXIO or EISDIR, a regular file there (those come from a link, a FIFO and a folder) */
    int odd = e == EINVAL || ((e == ELOOP || e == ENXIO || e == EISDIR) && lstat(path, &st) == 0 && !S_ISREG(st.st_mode));
    open_error(err, path, odd ? &st : NULL, e);
    errno = odd && !S_ISLNK(st.st_mode) ? EINVAL : e;
    return -1;
}

char *cb_file_read(const char *path, size_t max, size_t *len, cb_error *err)
{
    int fd = cb_file_open(path, O_RDONLY, 0, err);
    if (fd < 0) return NULL;
    cb_buf b = {0};
    char chunk[65536];
    int e = 0;
    for (;;) {
        ssize_t n = read(fd, chunk, sizeof chunk);
        /* not covered: EINTR (a handled signal) and read errors (EIO, a disk failing), so
         * their message below */
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) e = errno;
        if (n <= 0) break;
        if (b.len + (size_t)n > max) { /* grown past what we read back: never a file of ours */
            e = EFBIG;
            break;
        }
        cb_buf_add(&b, chunk, (size_t)n);
    }
    close(fd);
    if (e == EFBIG) cb_fail(err, CB_EIO, "%s: larger than %zu MiB: not read", path, max >> 20);
    else if (e) cb_fail(err, CB_EIO, "%s: %s", path, strerror(e));
    if (e) {
        cb_buf_free(&b);
        errno = e;
        return NULL;
    }
    cb_buf_add(&b, "", 0); /* NUL-terminated, also when empty */
    if (len) *len = b.len;
    return b.s;
}

int cb_output_set_aside(const char *path)
{
    struct stat st;
    if (lstat(path, &st) != 0 || !S_ISREG(st.st_mode)) return 0;
    char *to = cb_xasprintf("%s.stale", path);
    /* not covered: -1 (a folder where root may neither rename nor unlink: read-only) */
    int rc = rename(path, to) == 0 ? 1 : unlink(path) == 0 ? 2 : -1;
    free(to);
    return rc;
}

/* The folder of path, opened (a link to a folder is followed), and path's last component. */
static int open_parent(const char *path, const char **base)
{
    const char *slash = strrchr(path, '/');
    *base = slash ? slash + 1 : path; /* not covered: slash == path, a file in / */
    char *dir = slash ? cb_xstrndup(path, slash == path ? 1 : (size_t)(slash - path)) : cb_xstrdup(".");
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    free(dir);
    return fd;
}

/* fsync of the folder holding a renamed file. Filesystems that cannot sync a folder
 * (EINVAL, ENOTSUP) have nothing to do. */
static int sync_dir(int dfd)
{
    /* not covered: a folder fsync that fails, whichever way (EIO, a disk failing; EINVAL,
     * ENOTSUP or EROFS: the tests' file systems sync folders) */
    if (fsync(dfd) != 0 && errno != EINVAL && errno != ENOTSUP && errno != EROFS) return errno;
    return 0;
}

int cb_output_sync_dir(const char *path)
{
    if (!use_fsync) return 0;
    const char *base;
    int dfd = open_parent(path, &base);
    if (dfd < 0) return errno;
    int e = sync_dir(dfd);
    close(dfd);
    return e;
}

/* Bytes per write(): the page cache keeps a file in folios about the size of the writes
 * that made it, and a mapping of the file (the data index's) maps a whole folio on a
 * fault: small writes keep what a reader of a few pages counts in its resident set small. */
#define WRITE_CHUNK (64u << 10)

/* Writes data to fd whole. 0 or an errno. */
static int write_whole(int fd, const void *data, size_t len)
{
    const char *p = data;
    while (len) {
        ssize_t w = write(fd, p, len < WRITE_CHUNK ? len : WRITE_CHUNK);
        /* not covered: EINTR (a handled signal), and 0 written, which a regular file never
         * returns for len > 0 (kept so a 0 cannot loop forever) */
        if (w < 0 && errno == EINTR) continue;
        if (w < 0) return errno;
        if (w == 0) return ENOSPC;
        p += w;
        len -= (size_t)w;
    }
    return 0;
}

/* Not covered by the tests: fsync and close failing (EIO on a failing disk, a lost NFS
 * server); the failures of open, write (EFBIG, ENOSPC) and rename are. */
int cb_write_file_atomic(const char *path, const void *data, size_t len, cb_error *err)
{
    static int xfsz_ignored;
    static unsigned long counter;
    if (!xfsz_ignored) { /* ulimit -f: EFBIG from write(), not a killed process */
        signal(SIGXFSZ, SIG_IGN);
        xfsz_ignored = 1;
    }
    const char *base;
    int dfd = open_parent(path, &base), fd = -1, saved = 0;
    char tmp[NAME_MAX + 1];
    /* the temporary file: created here, never through a link (O_EXCL, O_NOFOLLOW); a name
     * taken (planted) is passed over for the next */
    for (int tries = 0; dfd >= 0 && fd < 0 && tries < 16; tries++) {
        char suffix[160];
        snprintf(suffix, sizeof suffix, TMP_TAG "%s-%ld-%lu", host_token(), (long)getpid(), counter++);
        /* a long NAME is shortened in the temporary name: it must fit NAME_MAX */
        size_t keep = strlen(base), room = NAME_MAX - 1 - strlen(suffix);
        if (keep > room) keep = room;
        snprintf(tmp, sizeof tmp, ".%.*s%s", (int)keep, base, suffix);
        fd = openat(dfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
        if (fd < 0 && errno != EEXIST) break;
    }
    if (fd < 0) {
        saved = errno;
    } else {
        saved = write_whole(fd, data, len);
        if (!saved && use_fsync && fsync(fd) != 0) saved = errno;
        if (close(fd) != 0 && !saved && errno != EINTR) saved = errno;
        /* within the folder: a link at path is replaced, never followed */
        if (!saved && renameat(dfd, tmp, dfd, base) != 0) saved = errno;
        if (saved) unlinkat(dfd, tmp, 0);
        else if (use_fsync && sync_dirs) saved = sync_dir(dfd); /* the file is in place; its name may not last */
    }
    if (dfd >= 0) close(dfd);
    return saved ? write_error(err, path, saved) : CB_OK;
}

/* Splits ".NAME.tmp-HOST-PID-N" into host (pointer and length) and pid; 0 if the name is
 * not exactly of that form (NAME not empty, HOST of letters, digits, '_' and '-'). */
static int parse_temp(const char *name, const char **host, size_t *hlen, long *pid)
{
    if (name[0] != '.') return 0;
    const char *tag = NULL;
    for (const char *s = strstr(name, TMP_TAG); s; s = strstr(s + 1, TMP_TAG)) tag = s;
    if (!tag || tag <= name + 1) return 0;
    const char *h = tag + strlen(TMP_TAG), *end = h + strlen(h);
    const char *dash2 = end, *dash1;
    while (dash2 > h && dash2[-1] >= '0' && dash2[-1] <= '9') dash2--;
    if (dash2 == end || dash2 <= h || dash2[-1] != '-') return 0;
    dash1 = --dash2; /* the '-' before N */
    while (dash1 > h && dash1[-1] >= '0' && dash1[-1] <= '9') dash1--;
    if (dash1 == dash2 || dash1 <= h || dash1[-1] != '-' || dash2 - dash1 > 10 || end - dash2 > 21) return 0;
    for (const char *c = h; c < dash1 - 1; c++)
        if (!((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') || (*c >= '0' && *c <= '9') || *c == '_' ||
              *c == '-'))
            return 0;
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
        struct stat st;
        if (!parse_temp(de->d_name, &h, &hlen, &pid) ||
            /* not covered: fstatat failing (the file removed since readdir: another sweeper at that
             * moment) */
            fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0 || !S_ISREG(st.st_mode) ||
            st.st_uid != geteuid())
            continue;
        /* not covered: another host's name exactly as long as ours (the tests' other hosts are
         * longer or shorter) */
        int here = hlen == strlen(me) && strncmp(h, me, hlen) == 0;
        /* our own pid: a leftover of an earlier process that had it (we write nothing
         * before sweeping) */
        /* not covered: kill failing otherwise (EPERM: another user's process; root, running the
         * tests, may signal any) */
        int dead = here && (pid == (long)getpid() || (kill((pid_t)pid, 0) != 0 && errno == ESRCH));
        /* not covered: unlinkat failing (removed at that moment by another sweeper, or a read-only
         * folder) */
        if ((dead || now - st.st_mtime >= STALE_AFTER_S) && unlinkat(dirfd(d), de->d_name, 0) == 0) removed++;
    }
    closedir(d);
    return removed;
}
