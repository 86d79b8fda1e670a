/* test_cover_output.c: core/output.c branch by branch (tests/README.md, coverage): the
 * atomic write's failures and the names it passes over, what cb_file_open refuses, setting
 * aside, a folder's sync, the temporary-file pattern and the sweep; util.h's file identity
 * and mkdir -p beside them. Runs in a fresh folder under /tmp. */
#define _GNU_SOURCE /* unshare, CLONE_NEWUTS */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "output.h"
#include "test.h"

/* A fresh folder for one test (static buffer, removed with rm -rf by clean()). */
static const char *fresh_dir(void)
{
    static char dir[64];
    snprintf(dir, sizeof dir, "/tmp/cb-cover-output-XXXXXX");
    return mkdtemp(dir);
}

static void clean(const char *dir)
{
    char *cmd = cb_xasprintf("rm -rf '%s'", dir);
    if (system(cmd) != 0) fprintf(stderr, "could not remove %s\n", dir);
    free(cmd);
}

/* Number of entries of dir (without . and ..) whose name starts with '.', i.e. temporary
 * files, and all entries in *all. */
static int count_hidden(const char *dir, int *all)
{
    char *cmd = cb_xasprintf("ls -A '%s' | grep -c '^\\.'", dir);
    FILE *p = popen(cmd, "r");
    int n = -1;
    if (p && fscanf(p, "%d", &n) != 1) n = -1;
    if (p) pclose(p);
    free(cmd);
    if (all) {
        cmd = cb_xasprintf("ls -A '%s' | wc -l", dir);
        p = popen(cmd, "r");
        if (p && fscanf(p, "%d", all) != 1) *all = -1;
        if (p) pclose(p);
        free(cmd);
    }
    return n;
}

/* The host token output.c puts in temporary names (its rule, restated). */
static void host_token(char *tok, size_t n)
{
    char name[256] = "";
    gethostname(name, sizeof name - 1);
    name[40] = '\0';
    for (char *p = name; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') || *p == '-'))
            *p = '_';
    struct stat st;
    if (stat("/proc/self/ns/pid", &st) == 0) snprintf(tok, n, "%s_%lu", name, (unsigned long)st.st_ino);
    else snprintf(tok, n, "%s", name);
}

static void touch(const char *path)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd >= 0) close(fd);
}

static char *slurp(const char *path)
{
    cb_error err;
    size_t len;
    return cb_file_read(path, 1 << 20, &len, &err);
}

/* A pid that is surely not running: a child's, once reaped. */
static long dead_pid(void)
{
    pid_t pid = fork();
    if (pid == 0) _exit(0);
    waitpid(pid, NULL, 0);
    return (long)pid;
}

TEST(write_into_a_missing_folder)
{
    cb_error err;
    ASSERT_EQ_INT(cb_write_file_atomic("/tmp/cb-cover-no-such-folder/x.pdf", "a", 1, &err), CB_EIO);
    ASSERT_EQ_STR(err.msg, "/tmp/cb-cover-no-such-folder/x.pdf: cannot write: No such file or directory");
}

/* A bare name is written in the current folder. */
TEST(write_a_bare_name)
{
    const char *dir = fresh_dir();
    ASSERT(dir);
    char cwd[4096];
    ASSERT(getcwd(cwd, sizeof cwd));
    ASSERT_EQ_INT(chdir(dir), 0);
    cb_error err;
    int rc = cb_write_file_atomic("bare.txt", "hello", 5, &err);
    char *got = slurp("bare.txt");
    ASSERT_EQ_INT(chdir(cwd), 0);
    ASSERT_EQ_INT(rc, CB_OK);
    ASSERT_EQ_STR(got, "hello");
    free(got);
    ASSERT_EQ_INT(count_hidden(dir, NULL), 0);
    clean(dir);
}

/* Temporary names already taken (planted, or a crashed writer's of this pid) are passed
 * over and left alone; with every one of its 16 tries taken the write fails. The counter
 * in the names is output.c's, unknown here: every name but one in 16 is planted, so any
 * 16 tries in a row meet exactly one free name. */
TEST(taken_temporary_names_are_passed_over)
{
    const char *dir = fresh_dir();
    ASSERT(dir);
    char tok[128], *path = cb_xasprintf("%s/f.pdf", dir);
    host_token(tok, sizeof tok);
    for (int n = 0; n < 4096; n++) {
        if (n % 16 == 15) continue;
        char *t = cb_xasprintf("%s/.f.pdf.tmp-%s-%ld-%d", dir, tok, (long)getpid(), n);
        touch(t);
        free(t);
    }
    cb_error err;
    ASSERT_EQ_INT(cb_write_file_atomic(path, "data", 4, &err), CB_OK);
    char *got = slurp(path);
    ASSERT_EQ_STR(got, "data");
    free(got);
    int all;
    ASSERT_EQ_INT(count_hidden(dir, &all), 4096 - 256); /* the planted ones, untouched */
    ASSERT_EQ_INT(all, 4096 - 256 + 1);
    /* now every name: 16 tries, all taken */
    for (int n = 15; n < 4096; n += 16) {
        char *t = cb_xasprintf("%s/.f.pdf.tmp-%s-%ld-%d", dir, tok, (long)getpid(), n);
        touch(t);
        free(t);
    }
    ASSERT_EQ_INT(cb_write_file_atomic(path, "new", 3, &err), CB_EIO);
    ASSERT_CONTAINS(err.msg, "f.pdf: cannot write: File exists");
    got = slurp(path);
    ASSERT_EQ_STR(got, "data"); /* the old file stays */
    free(got);
    free(path);
    clean(dir);
}

/* A NAME as long as a file name may be: the temporary name shortens it to fit NAME_MAX. */
TEST(long_name_is_shortened_in_the_temporary_name)
{
    const char *dir = fresh_dir();
    ASSERT(dir);
    char base[256];
    memset(base, 'n', 255);
    base[255] = '\0';
    char *path = cb_xasprintf("%s/%s", dir, base);
    cb_error err;
    ASSERT_EQ_INT(cb_write_file_atomic(path, "long", 4, &err), CB_OK);
    char *got = slurp(path);
    ASSERT_EQ_STR(got, "long");
    free(got);
    ASSERT_EQ_INT(count_hidden(dir, NULL), 0);
    free(path);
    clean(dir);
}

/* A folder where nothing can be created (/proc): the create's own error. */
TEST(write_where_nothing_can_be_created)
{
    cb_error err;
    ASSERT_EQ_INT(cb_write_file_atomic("/proc/cb-cover.pdf", "a", 1, &err), CB_EIO);
    ASSERT_CONTAINS(err.msg, "/proc/cb-cover.pdf: cannot write: ");
    ASSERT_EQ_INT(access("/proc/cb-cover.pdf", F_OK), -1);
}

/* Renaming over a folder fails: one line naming the path, the temporary file removed. */
TEST(rename_failure_leaves_no_temporary_file)
{
    const char *dir = fresh_dir();
    ASSERT(dir);
    char *path = cb_xasprintf("%s/x.pdf", dir), *inner = cb_xasprintf("%s/x.pdf/keep", dir);
    ASSERT_EQ_INT(mkdir(path, 0755), 0);
    touch(inner);
    cb_error err;
    ASSERT_EQ_INT(cb_write_file_atomic(path, "a", 1, &err), CB_EIO);
    ASSERT_CONTAINS(err.msg, "x.pdf: cannot write: Is a directory");
    ASSERT_EQ_INT(count_hidden(dir, NULL), 0);
    free(path);
    free(inner);
    clean(dir);
}

/* ulimit -f: EFBIG from write (SIGXFSZ ignored), "path: File too large", nothing left. */
TEST(file_size_limit_is_a_full_disk_error)
{
    const char *dir = fresh_dir();
    ASSERT(dir);
    char *path = cb_xasprintf("%s/big.pdf", dir);
    fflush(NULL);
    pid_t pid = fork();
    if (pid == 0) { /* exit, not _exit: a coverage build writes its counts */
        struct rlimit r = {4096, 4096};
        setrlimit(RLIMIT_FSIZE, &r);
        static char data[16384];
        cb_error err;
        int rc = cb_write_file_atomic(path, data, sizeof data, &err);
        exit(rc == CB_EIO && strstr(err.msg, "big.pdf: File too large") && !strstr(err.msg, "cannot") ? 0 : 1);
    }
    int st;
    ASSERT_EQ_INT(waitpid(pid, &st, 0), pid);
    ASSERT(WIFEXITED(st) && WEXITSTATUS(st) == 0);
    int all;
    ASSERT_EQ_INT(count_hidden(dir, &all), 0);
    ASSERT_EQ_INT(all, 0);
    free(path);
    clean(dir);
}

/* --no-fsync: the same file, the setting read back. */
TEST(without_fsync)
{
    const char *dir = fresh_dir();
    ASSERT(dir);
    char *path = cb_xasprintf("%s/n.pdf", dir);
    cb_error err;
    ASSERT_EQ_INT(cb_output_fsync(), 1);
    cb_output_set_fsync(0);
    ASSERT_EQ_INT(cb_output_fsync(), 0);
    int rc = cb_write_file_atomic(path, "nf", 2, &err);
    cb_output_set_fsync(1);
    cb_output_set_dir_sync(0);
    int rc2 = cb_write_file_atomic(path, "nd", 2, &err);
    cb_output_set_dir_sync(1);
    ASSERT_EQ_INT(rc, CB_OK);
    ASSERT_EQ_INT(rc2, CB_OK);
    char *got = slurp(path);
    ASSERT_EQ_STR(got, "nd");
    free(got);
    free(path);
    clean(dir);
}

/* A folder synced: without fsync nothing is done; a missing folder is its errno. */
TEST(sync_dir_outcomes)
{
    ASSERT_EQ_INT(cb_output_sync_dir("/tmp/cb-cover-none/x/y"), ENOENT);
    ASSERT_EQ_INT(cb_output_sync_dir("/tmp/y"), 0);
    cb_output_set_fsync(0);
    ASSERT_EQ_INT(cb_output_sync_dir("/tmp/cb-cover-none/x/y"), 0);
    cb_output_set_fsync(1);
}

/* Each kind of thing at a name cb_file_open refuses, with its words and errno; err may be
 * NULL. */
TEST(file_open_refuses_each_kind)
{
    const char *dir = fresh_dir();
    ASSERT(dir);
    char *reg = cb_xasprintf("%s/reg", dir), *hard = cb_xasprintf("%s/hard", dir),
         *sub = cb_xasprintf("%s/sub", dir), *sock = cb_xasprintf("%s/sock", dir),
         *lnk = cb_xasprintf("%s/lnk", dir), *none = cb_xasprintf("%s/none", dir);
    touch(reg);
    ASSERT_EQ_INT(link(reg, hard), 0);
    ASSERT_EQ_INT(mkdir(sub, 0755), 0);
    ASSERT_EQ_INT(symlink(sub, lnk), 0);
    int s = socket(AF_UNIX, SOCK_STREAM, 0);
    struct sockaddr_un a = {.sun_family = AF_UNIX};
    snprintf(a.sun_path, sizeof a.sun_path, "%s", sock);
    ASSERT_EQ_INT(bind(s, (struct sockaddr *)&a, sizeof a), 0);
    cb_error err;

    /* a hard link is read, never written through */
    int fd = cb_file_open(hard, O_RDONLY, 0, &err);
    ASSERT(fd >= 0);
    close(fd);
    ASSERT_EQ_INT(cb_file_open(hard, O_WRONLY | O_APPEND, 0, &err), -1);
    ASSERT_EQ_INT(errno, EINVAL);
    ASSERT_CONTAINS(err.msg, "/hard: has another hard link: not written through");
    ASSERT_EQ_INT(cb_file_open(hard, O_WRONLY | O_APPEND, 0, NULL), -1);

    ASSERT_EQ_INT(cb_file_open(sub, O_RDONLY, 0, &err), -1);
    ASSERT_EQ_INT(errno, EINVAL);
    ASSERT_CONTAINS(err.msg, "/sub: not a regular file (a folder)");
    ASSERT_EQ_INT(cb_file_open(sub, O_WRONLY | O_CREAT, 0644, &err), -1); /* EISDIR */
    ASSERT_EQ_INT(errno, EINVAL);
    ASSERT_CONTAINS(err.msg, "/sub: not a regular file (a folder)");

    ASSERT_EQ_INT(cb_file_open(sock, O_RDONLY, 0, &err), -1); /* ENXIO */
    ASSERT_EQ_INT(errno, EINVAL);
    ASSERT_CONTAINS(err.msg, "/sock: not a regular file (a socket)");

    ASSERT_EQ_INT(cb_file_open("/dev/null", O_RDONLY, 0, &err), -1);
    ASSERT_EQ_INT(errno, EINVAL);
    ASSERT_EQ_STR(err.msg, "/dev/null: not a regular file (a device)");

    /* a block device, if the machine shows one */
    const char *blk[] = {"/dev/loop0", "/dev/loop7", "/dev/vda", "/dev/sda", "/dev/nvme0n1"};
    for (size_t i = 0; i < sizeof blk / sizeof *blk; i++) {
        struct stat bst;
        if (stat(blk[i], &bst) != 0 || !S_ISBLK(bst.st_mode)) continue;
        ASSERT_EQ_INT(cb_file_open(blk[i], O_RDONLY, 0, &err), -1);
        ASSERT_EQ_INT(errno, EINVAL);
        ASSERT_CONTAINS(err.msg, ": not a regular file (a device)");
        break;
    }

    ASSERT_EQ_INT(cb_file_open(lnk, O_RDONLY, 0, &err), -1); /* a link to a folder */
    ASSERT_EQ_INT(errno, ELOOP);
    ASSERT_CONTAINS(err.msg, "/lnk: a symbolic link: not followed");
    ASSERT_EQ_INT(cb_file_open(lnk, O_RDONLY, 0, NULL), -1);
    ASSERT_EQ_INT(errno, ELOOP);

    ASSERT_EQ_INT(cb_file_open(none, O_RDONLY, 0, &err), -1);
    ASSERT_EQ_INT(errno, ENOENT);
    ASSERT_CONTAINS(err.msg, "/none: No such file or directory");
    /* a name under a file: ENOTDIR, not an odd kind */
    char *under = cb_xasprintf("%s/reg/x", dir);
    ASSERT_EQ_INT(cb_file_open(under, O_RDONLY, 0, &err), -1);
    ASSERT_EQ_INT(errno, ENOTDIR);
    ASSERT_CONTAINS(err.msg, "/reg/x: Not a directory");
    close(s);
    free(under);
    free(reg), free(hard), free(sub), free(sock), free(lnk), free(none);
    clean(dir);
}

TEST(file_read_empty_and_through_a_missing_name)
{
    const char *dir = fresh_dir();
    ASSERT(dir);
    char *e = cb_xasprintf("%s/empty", dir);
    touch(e);
    cb_error err;
    size_t len = 99;
    char *got = cb_file_read(e, 10, &len, &err);
    ASSERT(got && got[0] == '\0' && len == 0);
    free(got);
    got = cb_file_read(e, 10, NULL, &err); /* len may be NULL */
    ASSERT(got && got[0] == '\0');
    free(got);
    unlink(e);
    ASSERT(cb_file_read(e, 10, &len, &err) == NULL);
    ASSERT_EQ_INT(errno, ENOENT);
    /* exactly max bytes is read, one more is not (the refusal is in MiB) */
    int fd = open(e, O_WRONLY | O_CREAT, 0644);
    static char mib[(1 << 20) + 1];
    ASSERT_EQ_INT(write(fd, mib, sizeof mib), (long)sizeof mib);
    close(fd);
    got = cb_file_read(e, 1 << 20, &len, &err);
    ASSERT(got == NULL && errno == EFBIG);
    ASSERT_CONTAINS(err.msg, "/empty: larger than 1 MiB: not read");
    got = cb_file_read(e, (1 << 20) + 1, &len, &err);
    ASSERT(got != NULL && len == sizeof mib);
    free(got);
    free(e);
    clean(dir);
}

/* set_aside: moved (1), nothing or not a regular file (0), removed when .stale does not fit
 * a file name (2). */
TEST(set_aside_each_outcome)
{
    const char *dir = fresh_dir();
    ASSERT(dir);
    char *reg = cb_xasprintf("%s/r.pdf", dir), *stale = cb_xasprintf("%s/r.pdf.stale", dir),
         *lnk = cb_xasprintf("%s/l.pdf", dir);
    ASSERT_EQ_INT(cb_output_set_aside(reg), 0);
    cb_error err;
    ASSERT_EQ_INT(cb_write_file_atomic(reg, "old", 3, &err), CB_OK);
    ASSERT_EQ_INT(cb_output_set_aside(reg), 1);
    char *got = slurp(stale);
    ASSERT_EQ_STR(got, "old");
    free(got);
    ASSERT_EQ_INT(access(reg, F_OK), -1);
    ASSERT_EQ_INT(symlink(stale, lnk), 0);
    ASSERT_EQ_INT(cb_output_set_aside(lnk), 0); /* a link stays, its target too */
    ASSERT_EQ_INT(access(stale, F_OK), 0);
    char base[256];
    memset(base, 'q', 254);
    base[254] = '\0';
    char *longp = cb_xasprintf("%s/%s", dir, base);
    touch(longp);
    ASSERT_EQ_INT(cb_output_set_aside(longp), 2);
    ASSERT_EQ_INT(access(longp, F_OK), -1);
    free(longp), free(reg), free(stale), free(lnk);
    clean(dir);
}

TEST(temporary_name_pattern)
{
    ASSERT(cb_output_is_temp(".a.tmp-h-1-2"));
    ASSERT(cb_output_is_temp(".a.tmp-x.tmp-h_x-y-1-2"));   /* the last tag counts */
    ASSERT(!cb_output_is_temp(".tmp-h-1-2"));               /* the tag at once: no NAME */
    ASSERT(!cb_output_is_temp(".a.tmp-h-1-x"));             /* N not a number */
    ASSERT(!cb_output_is_temp(".a.tmp-1-2"));               /* no host */
    ASSERT(!cb_output_is_temp(".a.tmp-h-1"));               /* no N */
    ASSERT(!cb_output_is_temp(".a.tmp-h1-2"));              /* no '-' before the pid */
    ASSERT(!cb_output_is_temp(".a.tmp-h-1-123456789012345678901")); /* N of 21 digits */
    ASSERT(cb_output_is_temp(".a.tmp-h-1-12345678901234567890"));   /* 20 */
    ASSERT(!cb_output_is_temp(".a.tmp-h.x-1-2"));           /* '.' in the host */
    ASSERT(!cb_output_is_temp(".a"));
    ASSERT(!cb_output_is_temp(".a.tmp-"));                  /* nothing after the tag */
    ASSERT(!cb_output_is_temp(".a.tmp-12"));                /* only digits */
    ASSERT(!cb_output_is_temp(".a.tmp-x12"));               /* no '-' before N */
    ASSERT(!cb_output_is_temp(".a.tmp-1-2"));               /* no host before the pid */
    ASSERT(!cb_output_is_temp(".a.tmp-h--2"));              /* an empty pid */
    ASSERT(cb_output_is_temp(".a.tmp-HOST_9-z-1-2"));       /* capitals, '_', '-', digits */
    ASSERT(!cb_output_is_temp(".a.tmp-h~x-1-2"));           /* past 'z' */
    ASSERT(!cb_output_is_temp(".a.tmp-h[x-1-2"));           /* between 'Z' and 'a' */
    ASSERT(!cb_output_is_temp(".a.tmp-h:x-1-2"));           /* between '9' and 'A' */
}

/* The sweep removes exactly: this host's dead writers' files and anyone's over two hours
 * old; never a live writer's, a link, a folder, another user's or another name. */
TEST(sweep_removes_exactly_the_dead)
{
    const char *dir = fresh_dir();
    ASSERT(dir);
    ASSERT_EQ_INT(cb_output_sweep("/tmp/cb-cover-no-such-folder"), 0);
    char tok[128];
    host_token(tok, sizeof tok);
    long dead = dead_pid(), live = (long)getppid(), me = (long)getpid();
    struct {
        const char *what;
        char *name;
        int gone;
    } f[] = {
        {"dead", cb_xasprintf(".a.pdf.tmp-%s-%ld-0", tok, dead), 1},
        {"mine", cb_xasprintf(".b.pdf.tmp-%s-%ld-0", tok, me), 1},
        {"live", cb_xasprintf(".c.pdf.tmp-%s-%ld-0", tok, live), 0},
        {"other host", cb_xasprintf(".d.pdf.tmp-elsewhere_1-%ld-0", dead), 0},
        {"other host, old", cb_xasprintf(".e.pdf.tmp-elsewhere_1-%ld-0", dead), 1},
        {"live, old", cb_xasprintf(".f.pdf.tmp-%s-%ld-0", tok, live), 1},
        {"link", cb_xasprintf(".g.pdf.tmp-%s-%ld-0", tok, dead), 0},
        {"folder", cb_xasprintf(".h.pdf.tmp-%s-%ld-0", tok, dead), 0},
        {"another user's", cb_xasprintf(".i.pdf.tmp-%s-%ld-0", tok, dead), 0},
        {"not a temporary name", cb_xasprintf(".j.pdf.tmp-%s-%ld-", tok, dead), 0},
    };
    size_t n = sizeof f / sizeof f[0];
    for (size_t i = 0; i < n; i++) {
        char *p = cb_xasprintf("%s/%s", dir, f[i].name);
        if (!strcmp(f[i].what, "link")) ASSERT_EQ_INT(symlink("/dev/null", p), 0);
        else if (!strcmp(f[i].what, "folder")) ASSERT_EQ_INT(mkdir(p, 0755), 0);
        else touch(p);
        if (strstr(f[i].what, "old")) {
            struct timespec t[2] = {{time(NULL) - 7300, 0}, {time(NULL) - 7300, 0}};
            ASSERT_EQ_INT(utimensat(AT_FDCWD, p, t, 0), 0);
        }
        if (!strcmp(f[i].what, "another user's") && chown(p, 65534, 65534) != 0 && geteuid() == 0)
            TEST_FAIL_("chown %s", p);
        if (!strcmp(f[i].what, "another user's") && geteuid() != 0) f[i].gone = 1; /* stays ours */
        free(p);
    }
    size_t expect = 0;
    for (size_t i = 0; i < n; i++) expect += (size_t)f[i].gone;
    ASSERT_EQ_INT(cb_output_sweep(dir), expect);
    for (size_t i = 0; i < n; i++) {
        char *p = cb_xasprintf("%s/%s", dir, f[i].name);
        struct stat st;
        int there = lstat(p, &st) == 0;
        if (there == f[i].gone) TEST_FAIL_("%s: %s after the sweep", f[i].what, there ? "still there" : "removed");
        free(p);
        free(f[i].name);
    }
    clean(dir);
}

/* The host part of the token: characters other than letters, digits and '-' become '_',
 * and a host without a name is "localhost". output.c keeps its token for the process, so
 * each case runs this binary again (test host_token_here) under its own host name, in a
 * UTS namespace: root only, elsewhere this says it checks nothing. */
static int sweep_sees_host_as(const char *hostname, const char *expect)
{
    pid_t pid = fork();
    if (pid == 0) {
        if (unshare(CLONE_NEWUTS) != 0 || sethostname(hostname, strlen(hostname)) != 0) _exit(77);
        setenv("CB_COVER_HOST", expect, 1);
        int null = open("/dev/null", O_WRONLY); /* its "1 passed" is not this run's */
        if (null >= 0) dup2(null, STDOUT_FILENO);
        execl("/proc/self/exe", "test_cover_output", "host_token_here", (char *)NULL);
        _exit(2);
    }
    int st;
    waitpid(pid, &st, 0);
    return WIFEXITED(st) ? WEXITSTATUS(st) : 3;
}

TEST(host_token_of_odd_host_names)
{
    if (getenv("CB_COVER_HOST")) return; /* in the child */
    int rc = sweep_sees_host_as("my.host name", "my_host_name");
    if (rc == 77) {
        printf("# skip host_token_of_odd_host_names: no UTS namespace here\n");
        return;
    }
    ASSERT_EQ_INT(rc, 0);
    ASSERT_EQ_INT(sweep_sees_host_as("", "localhost"), 0);
    ASSERT_EQ_INT(sweep_sees_host_as("Zz-09.~A", "Zz-09__A"), 0); /* each class, and past 'z' */
}

/* The child's side: a dead writer's file under the expected host token is swept, so
 * that is this process's token. */
TEST(host_token_here)
{
    const char *expect = getenv("CB_COVER_HOST");
    if (!expect) return; /* only run by host_token_of_odd_host_names */
    const char *dir = fresh_dir();
    struct stat st;
    ASSERT(dir && stat("/proc/self/ns/pid", &st) == 0);
    char *p = cb_xasprintf("%s/.x.tmp-%s_%lu-%ld-0", dir, expect, (unsigned long)st.st_ino, dead_pid());
    touch(p);
    size_t n = cb_output_sweep(dir);
    int gone = access(p, F_OK) != 0;
    free(p);
    clean(dir);
    ASSERT_EQ_INT(n, 1);
    ASSERT(gone);
}

/* ---- cb_file_id and cb_mkdir_p (util.h): the one "is this file unchanged?" and mkdir -p */

static int set_times(const char *path, time_t mtime)
{
    struct timespec ts[2] = {{mtime, 0}, {mtime, 0}};
    return utimensat(AT_FDCWD, path, ts, 0);
}

TEST(file_id_sees_what_size_and_mtime_miss)
{
    const char *dir = fresh_dir();
    char *p = cb_path_join(dir, "report.lua"), *q = cb_path_join(dir, "other.lua");
    cb_error err;
    ASSERT(cb_write_file_atomic(p, "aaaa", 4, &err) == CB_OK);
    time_t old = time(NULL) - 3600;
    ASSERT_EQ_INT(set_times(p, old), 0);
    cb_file_id then, now;
    ASSERT_EQ_INT(cb_file_id_at(p, &then), 0);
    /* the mtime was set just now, so the ctime is fresh: not settled, never "the same" */
    ASSERT(!then.settled);
    ASSERT(!cb_file_id_same(&then, &then));
    ASSERT(cb_file_id_equal(&then, &then));
    then.settled = 1; /* as if remembered two seconds later */
    /* edited in place, same size, the mtime put back: only the ctime tells */
    int fd = open(p, O_WRONLY);
    ASSERT(fd >= 0 && write(fd, "bbbb", 4) == 4);
    close(fd);
    struct timespec pause = {0, 20 * 1000000L};
    nanosleep(&pause, NULL);
    ASSERT_EQ_INT(set_times(p, old), 0);
    ASSERT_EQ_INT(cb_file_id_at(p, &now), 0);
    ASSERT(now.size == then.size && now.mtime_ns == then.mtime_ns && now.ino == then.ino);
    ASSERT(now.ctime_ns != then.ctime_ns);
    ASSERT(!cb_file_id_same(&then, &now));
    /* replaced by another file of the same size and mtime: the inode tells */
    cb_file_id b;
    ASSERT(cb_write_file_atomic(q, "cccc", 4, &err) == CB_OK);
    ASSERT_EQ_INT(set_times(q, old), 0);
    ASSERT_EQ_INT(rename(q, p), 0);
    ASSERT_EQ_INT(cb_file_id_at(p, &b), 0);
    now.settled = 1;
    ASSERT(b.ino != now.ino);
    ASSERT(!cb_file_id_same(&now, &b));
    /* the text form round-trips, remembered (settled) */
    char text[CB_FILE_ID_TEXT];
    cb_file_id back;
    cb_file_id_text(&b, text);
    ASSERT_EQ_INT(cb_file_id_parse(text, &back), 0);
    ASSERT(back.settled && cb_file_id_equal(&back, &b));
    ASSERT_EQ_INT(cb_file_id_parse("1 2 3", &back), -1);
    ASSERT_EQ_INT(cb_file_id_parse("1 2 3 4 5 x", &back), -1);
    /* missing: -1, never settled */
    ASSERT_EQ_INT(cb_file_id_at(q, &back), -1);
    ASSERT(!back.settled);
    free(p);
    free(q);
    clean(dir);
}

TEST(file_id_of_an_old_file_is_settled)
{
    struct stat st;
    ASSERT_EQ_INT(stat("/etc/passwd", &st), 0); /* written long before the test runs */
    cb_file_id id = cb_file_id_of(&st);
    ASSERT(id.settled == (time(NULL) - st.st_ctim.tv_sec >= CB_FILE_ID_FRESH_S &&
                          time(NULL) - st.st_mtim.tv_sec >= CB_FILE_ID_FRESH_S));
    st.st_mtim.tv_sec = time(NULL) + 60; /* a time in the future: not settled */
    ASSERT(!cb_file_id_of(&st).settled);
    st.st_mtim.tv_sec = time(NULL) - 60;
    st.st_ctim.tv_sec = time(NULL) - 1; /* changed a second ago */
    ASSERT(!cb_file_id_of(&st).settled);
    st.st_ctim.tv_sec = time(NULL) - 60;
    ASSERT(cb_file_id_of(&st).settled);
}

TEST(mkdir_p_each_outcome)
{
    const char *dir = fresh_dir();
    char *deep = cb_xasprintf("%s/a/b/c", dir), *file = cb_xasprintf("%s/f", dir);
    char *under = cb_xasprintf("%s/f/x", dir), *link = cb_xasprintf("%s/l", dir);
    cb_error err;
    ASSERT_EQ_INT(cb_mkdir_p(deep, 0700, "output folder", &err), CB_OK);
    ASSERT(cb_is_dir(deep));
    ASSERT_EQ_INT(cb_mkdir_p(deep, 0700, "output folder", &err), CB_OK); /* there already */
    touch(file);
    ASSERT_EQ_INT(cb_mkdir_p(file, 0777, "output folder", &err), CB_EIO);
    ASSERT_CONTAINS(err.msg, ": exists and is not a folder (the output folder)");
    ASSERT_EQ_INT(cb_mkdir_p(under, 0777, "output folder", &err), CB_EIO);
    ASSERT_CONTAINS(err.msg, "/f/x: cannot create output folder: Not a directory");
    ASSERT_EQ_INT(cb_mkdir_p(under, 0700, "cache folder", NULL), CB_EIO); /* no message asked */
    ASSERT_EQ_INT(symlink(file, link), 0); /* a link planted at the name, to a file */
    ASSERT_EQ_INT(cb_mkdir_p(link, 0700, "cache folder", &err), CB_EIO);
    free(deep);
    free(file);
    free(under);
    free(link);
    clean(dir);
}

static const test_case tests[] = {
    TEST_ENTRY(file_id_sees_what_size_and_mtime_miss),
    TEST_ENTRY(file_id_of_an_old_file_is_settled),
    TEST_ENTRY(mkdir_p_each_outcome),
    TEST_ENTRY(write_into_a_missing_folder),
    TEST_ENTRY(write_a_bare_name),
    TEST_ENTRY(taken_temporary_names_are_passed_over),
    TEST_ENTRY(long_name_is_shortened_in_the_temporary_name),
    TEST_ENTRY(write_where_nothing_can_be_created),
    TEST_ENTRY(rename_failure_leaves_no_temporary_file),
    TEST_ENTRY(file_size_limit_is_a_full_disk_error),
    TEST_ENTRY(without_fsync),
    TEST_ENTRY(file_open_refuses_each_kind),
    TEST_ENTRY(file_read_empty_and_through_a_missing_name),
    TEST_ENTRY(set_aside_each_outcome),
    TEST_ENTRY(temporary_name_pattern),
    TEST_ENTRY(sweep_removes_exactly_the_dead),
    TEST_ENTRY(sync_dir_outcomes),
    TEST_ENTRY(host_token_of_odd_host_names),
    TEST_ENTRY(host_token_here),
    {0},
};

TEST_MAIN(tests)
