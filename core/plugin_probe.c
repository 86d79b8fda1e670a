/* plugin_probe.c: a plugin's code runs first in a throw-away child (the probe), and the
 * cache of files a probe accepted (plugins.h; the rules in plugin_int.h).
 *
 * File-scope state, all of it of this process alone: probe_fd is set only in a probe
 * child (where its report goes); probes are the children under way, none left between two
 * calls of plugins.h; good is the probe cache as read from its file, a process-wide cache
 * freed with the registry. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "child.h"
#include "output.h"
#include "plugin_int.h"

/* ------------------------------------------------------------------ the probe
 *
 * The child loads the plugin exactly as the parent would (dlopen, magic, init) and reports
 * through a pipe: warnings its init printed ('W'), that init starts ('I': a crash after it
 * is init's, before it dlopen's), then the verdict ('R': CB_OK, or the
 * refusal's reason), and _exits. A child that dies (a constructor or init that crashes or
 * aborts) or does not answer within the deadline (COUNTYBRIEF_PLUGIN_PROBE_TIMEOUT seconds,
 * default 5; then killed) gets the plugin refused: the parent never maps it. Only an
 * accepted plugin is then loaded by the parent, which checks it again (a name taken by a
 * plugin loaded meanwhile), and so by the batch's workers. Its init thus runs twice: once
 * in the child, once for real. */

typedef struct probe_rec {
    int32_t kind; /* 'W', 'I' or 'R' */
    int32_t rc;
    uint32_t len; /* bytes of text that follow */
} probe_rec;

static int probe_fd = -1; /* in a probe child (see probe_body): where its report goes */

static void probe_send(char kind, int rc, const char *text)
{
    probe_rec r = {kind, rc, (uint32_t)strlen(text)};
    cb_buf b = {0};
    cb_buf_add(&b, &r, sizeof r);
    cb_buf_add(&b, text, r.len);
    for (size_t off = 0; off < b.len;) { /* one record at a time: a later crash loses no earlier one */
        ssize_t w = write(probe_fd, b.s + off, b.len - off);
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) break;
        off += (size_t)w;
    }
    cb_buf_free(&b);
}

int cb__in_probe(void) { return probe_fd >= 0; }

void cb__probe_tell(char kind, const char *text)
{
    if (probe_fd >= 0) probe_send(kind, 0, text);
}

/* A probe child under way. The children of a plugin folder run side by side (up to
 * CB__PROBE_AHEAD of them), so probing costs about one plugin's load, not the sum. */
typedef struct probe_job {
    char *key;      /* the plugin file's real path */
    cb_child c;     /* from: the child's report (child.h) */
    int error;      /* pipe or fork failed: errno */
} probe_job;

static struct {
    probe_job *jobs;
    size_t n;
} probes;

static double probe_limit_s(void)
{
    const char *s = getenv("COUNTYBRIEF_PLUGIN_PROBE_TIMEOUT");
    double v = s ? strtod(s, NULL) : 0;
    return v > 0 && v < 86400 ? v : 5;
}

/* The probe child: loads key and sends its verdict. */
static void probe_body(void *ud, int in, int out)
{
    (void)in;
    const char *key = ud;
    for (size_t i = 0; i + 1 < probes.n; i++) /* the other children's pipes */
        if (probes.jobs[i].c.from >= 0) close(probes.jobs[i].c.from);
    /* the plain signal, even where a sanitizer would catch it and exit */
    const int crash[] = {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT, SIGTRAP, SIGSYS};
    for (size_t i = 0; i < sizeof crash / sizeof *crash; i++) signal(crash[i], SIG_DFL);
    signal(SIGPIPE, SIG_DFL);
    probe_fd = out;
    cb_error e;
    int rc = cb__load_here(key, key, &e);
    const char *why = rc == CB_OK ? "" : cb__refusal(key); /* as recorded, not as in e */
    probe_send('R', rc, why ? why : e.msg);
    cb_child_exit(0);
}

/* Forks the child probing key; the job is kept until probe_finish. */
static probe_job *probe_start(const char *key)
{
    APPEND(probes.jobs, probes.n, ((probe_job){cb_xstrdup(key), {-1, -1, -1, 0, 0, 0}, 0}));
    probe_job *j = &probes.jobs[probes.n - 1];
    if (cb_child_start(&j->c, 0, probe_limit_s(), probe_body, j->key) != 0) j->error = errno;
    return j;
}

/* The record at *off of got (into rec) and its text, with *off moved past it; NULL at the
 * end or at a record not yet complete. */
static const char *probe_next(const cb_buf *got, size_t *off, probe_rec *rec)
{
    if (*off + sizeof *rec > got->len) return NULL;
    memcpy(rec, got->s + *off, sizeof *rec);
    if (*off + sizeof *rec + rec->len > got->len) return NULL;
    const char *text = got->s + *off + sizeof *rec;
    *off += sizeof *rec + rec->len;
    return text;
}

/* The text of the first complete record of kind in got (into rec), or NULL. */
static const char *probe_find(const cb_buf *got, char kind, probe_rec *rec)
{
    const char *text;
    for (size_t off = 0; (text = probe_next(got, &off, rec));)
        if (rec->kind == kind) return text;
    return NULL;
}

/* 1 once got holds the verdict. */
static int probe_verdict(const cb_buf *got, void *ud)
{
    (void)ud;
    probe_rec rec;
    return probe_find(got, 'R', &rec) != NULL;
}

/* Forgets job j (its child reaped). */
static void probe_drop(probe_job *j)
{
    free(j->key);
    *j = probes.jobs[--probes.n];
    if (!probes.n) {
        free(probes.jobs);
        probes.jobs = NULL;
    }
}

/* Waits for the verdict of job j (removing it): CB_OK, or the plugin refused with its
 * reason (and the warnings its init printed, shown first). */
static int probe_finish(probe_job *j, const char *path, cb_error *err)
{
    cb_buf got = {0};
    /* a child probed side by side with a slow one may have answered long ago: what it sent
     * counts even past its deadline (cb_child_read) */
    int hung = !j->error && cb_child_read(&j->c, &got, probe_verdict, NULL);
    int status = cb_child_reap(&j->c, hung);
    probe_rec rec;
    const char *verdict = probe_find(&got, 'R', &rec), *text;
    char reason[CB__REASON_MAX] = "";
    int accepted = 0;
    if (j->error) {
        snprintf(reason, sizeof reason, "cannot be checked before loading (%s)", strerror(j->error));
    } else if (verdict) {
        accepted = rec.rc == CB_OK;
        snprintf(reason, sizeof reason, "%.*s", (int)rec.len, verdict);
    } else {
        if (hung) snprintf(reason, sizeof reason, "hung while loading (stopped after %g s)", probe_limit_s());
        else cb_child_death(status, "while loading", reason, sizeof reason);
        size_t len = strlen(reason);
        snprintf(reason + len, sizeof reason - len, "%s",
                 probe_find(&got, 'I', &rec) ? " in its cb_plugin_init" : " in dlopen (a constructor, or a library it needs)");
    }
    for (size_t off = 0; !accepted && (text = probe_next(&got, &off, &rec));)
        if (rec.kind == 'W') fprintf(stderr, "%.*s\n", (int)rec.len, text); /* before the refusal */
    cb_buf_free(&got);
    probe_drop(j);
    return accepted ? CB_OK : cb__refuse(err, path, NULL, "%s%s", reason, NULL);
}

void cb__probe_cancel_all(void)
{
    while (probes.n) {
        (void)cb_child_reap(&probes.jobs[0].c, 1);
        probe_drop(&probes.jobs[0]);
    }
}

int cb__probe(const char *path, const char *key, cb_error *err)
{
    for (size_t i = 0; i < probes.n; i++)
        if (strcmp(probes.jobs[i].key, key) == 0) return probe_finish(&probes.jobs[i], path, err);
    return probe_finish(probe_start(key), path, err);
}

void cb__probe_ahead(const char *path)
{
    char real[PATH_MAX];
    const char *key = realpath(path, real) ? real : path;
    if (cb__plugin_at(key) || cb__refusal(key)) return;
    for (size_t i = 0; i < probes.n; i++)
        if (strcmp(probes.jobs[i].key, key) == 0) return;
    if (cb_is_file(path) && !cb__probe_known_good(key)) probe_start(key);
}

/* ------------------------------------------------------------------ plugins known good
 *
 * Files a probe accepted, remembered by identity so later runs load them without probing
 * again (a fork and a full load per plugin: a fifth of a
 * one-county run). The list is ${XDG_CACHE_HOME:-~/.cache}/countybrief/probed-plugins:
 * a first line naming this countybrief's version (another version probes anew), then
 * "dev ino size mtime_ns ctime_ns path" per file. A file changed in any way (rebuilt,
 * copied over, touched) has another stat and is probed again. COUNTYBRIEF_PROBE_CACHE=0
 * turns the list off. */

#define PROBE_CACHE_HEADER "countybrief " CB_VERSION_STRING " probed plugins\n"
#define PROBE_CACHE_MAX ((size_t)4 << 20) /* 256 lines of at most PATH_MAX and some */

static struct {
    int loaded;
    char *path;   /* NULL: no list */
    char **lines; /* "dev ino size mtime ctime path", or a plugin's sources ("S\tID\t...":
                   * plugin_defer.c), without the newline */
    size_t n;
} good;

/* key's line: its identity (util.h) and path; -1 if it has none to remember or match (not
 * settled: a file written in the last seconds is probed every time). */
static int file_identity(const char *key, char *out, size_t cap)
{
    cb_file_id id;
    char text[CB_FILE_ID_TEXT];
    if (cb_file_id_at(key, &id) != 0 || !id.settled) return -1;
    cb_file_id_text(&id, text);
    snprintf(out, cap, "%s %s", text, key);
    return 0;
}

static void good_load(void)
{
    if (good.loaded) return;
    good.loaded = 1;
    const char *off = getenv("COUNTYBRIEF_PROBE_CACHE");
    if (off && strcmp(off, "0") == 0) return;
    if (!(good.path = cb_cache_path("probed-plugins"))) return;
    /* read and replaced never through a link, only as a regular file (output.h) */
    char *text = cb_file_read(good.path, PROBE_CACHE_MAX, NULL, NULL), *save = NULL;
    if (!text || strncmp(text, PROBE_CACHE_HEADER, strlen(PROBE_CACHE_HEADER)) != 0) {
        free(text);
        return;
    }
    char *end = strrchr(text, '\n'); /* a torn last line is left out */
    end[1] = '\0';
    for (char *line = strtok_r(text + strlen(PROBE_CACHE_HEADER), "\n", &save); line;
         line = strtok_r(NULL, "\n", &save))
        APPEND(good.lines, good.n, cb_xstrdup(line));
    free(text);
}

int cb__probe_known_good(const char *key)
{
    good_load();
    char id[PATH_MAX + 128];
    if (!good.path || file_identity(key, id, sizeof id) != 0) return 0;
    for (size_t i = 0; i < good.n; i++)
        if (strcmp(good.lines[i], id) == 0) return 1;
    return 0;
}

/* Adds line to the probe cache (its file and good.lines). */
static void cache_append(const char *line)
{
    if (!good.path) return;
    char *dir = cb_xstrdup(good.path);
    *strrchr(dir, '/') = '\0';
    (void)cb_mkdir_p(dir, 0700, "cache folder", NULL);
    free(dir);
    /* a list grown past 256 lines (files rebuilt many times) starts over */
    int fresh = good.n == 0 || good.n >= 256;
    int fd = fresh ? -1 : cb_file_open(good.path, O_WRONLY | O_APPEND, 0600, NULL);
    cb_buf b = {0};
    if (fd < 0) { /* new, or not a file (a link, say): the whole list replaces what is there */
        cb_buf_adds(&b, PROBE_CACHE_HEADER);
        for (size_t i = 0; i < good.n; i++) {
            if (!fresh) cb_buf_addf(&b, "%s\n", good.lines[i]);
            else free(good.lines[i]);
        }
        if (fresh) good.n = 0;
    }
    cb_buf_addf(&b, "%s\n", line);
    if (fd >= 0) {
        ssize_t w = write(fd, b.s, b.len); /* one write: lines of runs side by side don't mix */
        (void)w;
        close(fd);
    } else {
        cb_error err;
        (void)cb_write_file_atomic(good.path, b.s, b.len, &err); /* best effort: a cache */
    }
    cb_buf_free(&b);
    APPEND(good.lines, good.n, cb_xstrdup(line));
}

void cb__probe_remember(const char *key)
{
    char id[PATH_MAX + 128];
    if (good.path && file_identity(key, id, sizeof id) == 0) cache_append(id);
}

const char *cb__probe_cached_sources(const char *key)
{
    char id[PATH_MAX + 128];
    if (!good.path || file_identity(key, id, sizeof id) != 0) return NULL;
    size_t n = strlen(id);
    for (size_t i = 0; i < good.n; i++)
        if (strncmp(good.lines[i], "S\t", 2) == 0 && strncmp(good.lines[i] + 2, id, n) == 0 &&
            good.lines[i][2 + n] == '\t')
            return good.lines[i] + 2 + n + 1;
    return NULL;
}

void cb__probe_remember_sources(const char *key, const char *fields)
{
    char id[PATH_MAX + 128];
    if (!good.path || cb__probe_cached_sources(key) || file_identity(key, id, sizeof id) != 0 ||
        strchr(id, '\t') || strchr(id, '\n'))
        return;
    char *line = cb_xasprintf("S\t%s\t%s", id, fields);
    cache_append(line);
    free(line);
}

void cb__probe_cache_free(void)
{
    for (size_t i = 0; i < good.n; i++) free(good.lines[i]);
    free(good.lines);
    free(good.path);
    memset(&good, 0, sizeof good);
}
