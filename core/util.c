/* util.c: see util.h. */
#include "util.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static void out_of_memory(size_t n)
{
    fprintf(stderr, "countybrief: out of memory (%zu bytes)\n", n);
    abort();
}

/* not covered: the allocation failures below (out_of_memory), which no test provokes */
void *cb_xmalloc(size_t n)
{
    void *p = malloc(n ? n : 1);
    if (!p) out_of_memory(n);
    return p;
}

void *cb_xcalloc(size_t n, size_t size)
{
    void *p = calloc(n ? n : 1, size ? size : 1);
    if (!p) out_of_memory(n * size);
    return p;
}

void *cb_xrealloc(void *p, size_t n)
{
    p = realloc(p, n ? n : 1);
    if (!p) out_of_memory(n);
    return p;
}

void *cb_xgrow(void *p, size_t n, size_t size)
{
    if (n & (n - 1)) return p; /* neither 0 nor a power of two: there is room */
    return cb_xrealloc(p, (n ? 2 * n : 1) * size);
}

uint64_t cb_fnv1a(uint64_t h, const void *p, size_t n)
{
    const unsigned char *b = p;
    for (size_t i = 0; i < n; i++) h = (h ^ b[i]) * CB_FNV_PRIME;
    return h;
}

char *cb_xstrdup(const char *s) { return cb_xstrndup(s, strlen(s)); }

char *cb_xstrndup(const char *s, size_t n)
{
    char *p = cb_xmalloc(n + 1);
    memcpy(p, s, n);
    p[n] = '\0';
    return p;
}

char *cb_xasprintf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    char *p = cb_xmalloc((size_t)n + 1);
    va_start(ap, fmt);
    vsnprintf(p, (size_t)n + 1, fmt, ap);
    va_end(ap);
    return p;
}

char *cb_buf_reserve(cb_buf *b, size_t n)
{
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap * 2 : 64;
        while (cap < b->len + n + 1) cap *= 2;
        b->s = cb_xrealloc(b->s, cap);
        b->cap = cap;
    }
    return b->s + b->len;
}

void cb_buf_add(cb_buf *b, const void *data, size_t n)
{
    char *at = cb_buf_reserve(b, n);
    if (n) memcpy(at, data, n);
    b->len += n;
    b->s[b->len] = '\0';
}

void cb_buf_adds(cb_buf *b, const char *s) { cb_buf_add(b, s, strlen(s)); }

void cb_buf_addf(cb_buf *b, const char *fmt, ...)
{
    char tmp[512];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(tmp, sizeof tmp, fmt, ap);
    va_end(ap);
    if (n < 0) return;
    if ((size_t)n < sizeof tmp) {
        cb_buf_add(b, tmp, (size_t)n);
        return;
    }
    char *big = cb_xmalloc((size_t)n + 1);
    va_start(ap, fmt);
    vsnprintf(big, (size_t)n + 1, fmt, ap);
    va_end(ap);
    cb_buf_add(b, big, (size_t)n);
    free(big);
}

void cb_buf_free(cb_buf *b)
{
    free(b->s);
    b->s = NULL;
    b->len = b->cap = 0;
}

/* The escape of code point cp (of n bytes at p) if it must not be shown as it is, in
 * out; 0 if it may. */
static int escape_of(uint32_t cp, const char *p, size_t n, char out[16])
{
    if (cp == 0xFFFD && n == 1) return snprintf(out, 16, "\\x%02x", (unsigned char)*p); /* not UTF-8 */
    if (cp == '\n') return snprintf(out, 16, "\\n");
    if (cp == '\t') return snprintf(out, 16, "\\t");
    if (cp == '\r') return snprintf(out, 16, "\\r");
    if (cp < 0x20 || cp == 0x7F) return snprintf(out, 16, "\\x%02x", (unsigned)cp);
    /* C1 controls; bidirectional overrides and isolates, which reorder what follows */
    if ((cp >= 0x80 && cp <= 0x9F) || (cp >= 0x202A && cp <= 0x202E) || (cp >= 0x2066 && cp <= 0x2069))
        return snprintf(out, 16, "\\u%04x", (unsigned)cp);
    return 0;
}

size_t cb_buf_add_clean(cb_buf *b, const char *s, size_t len, size_t max)
{
    const char *p = s, *end = s + len;
    while (p < end) {
        const char *q = p;
        uint32_t cp = cb_utf8_next(&q, end);
        char esc[16];
        int n = escape_of(cp, p, (size_t)(q - p), esc);
        size_t add = n ? (size_t)n : (size_t)(q - p);
        if (b->len + add > max) break;
        cb_buf_add(b, n ? esc : p, add);
        p = q;
    }
    if (!b->s) cb_buf_add(b, "", 0);
    return (size_t)(end - p);
}

/* Appends "… N bytes more" when more bytes were left out. */
static void add_more(cb_buf *b, size_t more)
{
    if (more) cb_buf_addf(b, "… %zu byte%s more", more, more == 1 ? "" : "s");
}

char *cb_clean(const char *s)
{
    cb_buf b = {0};
    add_more(&b, cb_buf_add_clean(&b, s, strlen(s), CB_CLEAN_MAX));
    return b.s;
}

/* fmt formatted into a malloc'd string. */
static char *vformat(const char *fmt, va_list ap)
{
    va_list copy;
    va_copy(copy, ap);
    int n = vsnprintf(NULL, 0, fmt, copy);
    va_end(copy);
    if (n < 0) n = 0;
    char *p = cb_xmalloc((size_t)n + 1);
    p[0] = '\0';
    vsnprintf(p, (size_t)n + 1, fmt, ap);
    return p;
}

char *cb_clean_vasprintf(const char *fmt, va_list ap)
{
    char *raw = vformat(fmt, ap);
    char *clean = cb_clean(raw);
    free(raw);
    return clean;
}

char *cb_clean_asprintf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *clean = cb_clean_vasprintf(fmt, ap);
    va_end(ap);
    return clean;
}

int cb_fail(cb_error *err, int code, const char *fmt, ...)
{
    if (err) {
        /* formatted apart first: the arguments may be err->msg itself */
        va_list ap;
        va_start(ap, fmt);
        char *raw = vformat(fmt, ap);
        va_end(ap);
        /* one line: messages from libraries (Lua, libcsv) may hold newlines */
        for (char *p = raw; *p; p++)
            if (*p == '\n' || *p == '\r') *p = ' ';
        cb_buf b = {0};
        size_t room = sizeof err->msg - sizeof "… 18446744073709551615 bytes more";
        add_more(&b, cb_buf_add_clean(&b, raw, strlen(raw), room));
        memcpy(err->msg, b.s, b.len + 1);
        cb_buf_free(&b);
        free(raw);
        err->code = code;
    }
    return code;
}

char *cb_read_file(const char *path, size_t *len, cb_error *err)
{
    FILE *fp = fopen(path, "rb");
    if (!fp) {
        cb_fail(err, CB_EIO, "%s: %s", path, strerror(errno));
        return NULL;
    }
    cb_buf b = {0};
    char chunk[65536];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, fp)) > 0) cb_buf_add(&b, chunk, n);
    int failed = ferror(fp);
    int saved = errno;
    fclose(fp);
    if (failed) {
        cb_buf_free(&b);
        cb_fail(err, CB_EIO, "%s: %s", path, strerror(saved ? saved : EIO));
        return NULL;
    }
    if (!b.s) cb_buf_add(&b, "", 0);
    if (len) *len = b.len;
    return b.s;
}

uint32_t cb_utf8_next(const char **ps, const char *end)
{
    const unsigned char *s = (const unsigned char *)*ps;
    const unsigned char *e = (const unsigned char *)end;
    unsigned c = s[0];
    int n;
    uint32_t cp, min;
    if (c < 0x80) { *ps += 1; return c; }
    else if ((c & 0xE0) == 0xC0) { n = 1; cp = c & 0x1F; min = 0x80; }
    else if ((c & 0xF0) == 0xE0) { n = 2; cp = c & 0x0F; min = 0x800; }
    else if ((c & 0xF8) == 0xF0) { n = 3; cp = c & 0x07; min = 0x10000; }
    else { *ps += 1; return 0xFFFD; }
    if (e - s <= n) { *ps += 1; return 0xFFFD; }
    for (int i = 1; i <= n; i++) {
        if ((s[i] & 0xC0) != 0x80) { *ps += 1; return 0xFFFD; }
        cp = (cp << 6) | (s[i] & 0x3F);
    }
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) { *ps += 1; return 0xFFFD; }
    *ps += n + 1;
    return cp;
}

int cb_utf8_encode(uint32_t cp, char *out)
{
    unsigned char *o = (unsigned char *)out;
    if (cp < 0x80) { o[0] = (unsigned char)cp; return 1; }
    if (cp < 0x800) { o[0] = 0xC0 | (cp >> 6); o[1] = 0x80 | (cp & 0x3F); return 2; }
    if (cp < 0x10000) {
        o[0] = 0xE0 | (cp >> 12); o[1] = 0x80 | ((cp >> 6) & 0x3F); o[2] = 0x80 | (cp & 0x3F);
        return 3;
    }
    o[0] = 0xF0 | (cp >> 18); o[1] = 0x80 | ((cp >> 12) & 0x3F);
    o[2] = 0x80 | ((cp >> 6) & 0x3F); o[3] = 0x80 | (cp & 0x3F);
    return 4;
}

int cb_utf8_valid(const char *s, size_t len)
{
    const char *p = s, *end = s + len;
    while (p < end) {
        const char *q = p;
        uint32_t cp = cb_utf8_next(&q, end);
        if (cp == 0xFFFD && !(q - p == 3 && (unsigned char)p[0] == 0xEF)) return 0;
        p = q;
    }
    return 1;
}

char *cb_path_join(const char *a, const char *b)
{
    size_t la = strlen(a);
    if (la && a[la - 1] == '/') return cb_xasprintf("%s%s", a, b);
    return cb_xasprintf("%s/%s", a, b);
}

int cb_is_dir(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

int cb_is_file(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

char *cb_cache_path(const char *name)
{
    const char *xdg = getenv("XDG_CACHE_HOME"), *home = getenv("HOME");
    char *dir = xdg && *xdg == '/' ? cb_path_join(xdg, "countybrief")
              : home && *home == '/' ? cb_xasprintf("%s/.cache/countybrief", home) : NULL;
    if (!dir || !name) return dir;
    char *path = cb_path_join(dir, name);
    free(dir);
    return path;
}

int cb_mkdir_p(const char *dir, unsigned mode, const char *what, cb_error *err)
{
    char *p = cb_xstrdup(dir);
    int rc = CB_OK;
    for (char *q = p + 1;; q++) {
        if (*q && *q != '/') continue;
        char c = *q;
        *q = '\0';
        if (mkdir(p, (mode_t)mode) != 0 && errno != EEXIST) {
            rc = err ? cb_fail(err, CB_EIO, "%s: cannot create %s: %s", p, what, strerror(errno)) : CB_EIO;
            break;
        }
        *q = c;
        if (!c) break;
    }
    free(p);
    if (rc == CB_OK && !cb_is_dir(dir))
        rc = err ? cb_fail(err, CB_EIO, "%s: exists and is not a folder (the %s)", dir, what) : CB_EIO;
    return rc;
}

static long long ns_of(const struct timespec *t)
{
    return (long long)t->tv_sec * 1000000000 + t->tv_nsec;
}

cb_file_id cb_file_id_of(const struct stat *st)
{
    time_t now = time(NULL);
    return (cb_file_id){(long long)st->st_size, ns_of(&st->st_mtim), ns_of(&st->st_ctim),
                        (long long)st->st_ino, (long long)st->st_dev,
                        now - st->st_mtim.tv_sec >= CB_FILE_ID_FRESH_S && now - st->st_ctim.tv_sec >= CB_FILE_ID_FRESH_S};
}

int cb_file_id_at(const char *path, cb_file_id *id)
{
    struct stat st;
    if (stat(path, &st) != 0) {
        memset(id, 0, sizeof *id);
        return -1;
    }
    *id = cb_file_id_of(&st);
    return 0;
}

int cb_file_id_equal(const cb_file_id *a, const cb_file_id *b)
{
    return a->size == b->size && a->mtime_ns == b->mtime_ns && a->ctime_ns == b->ctime_ns && a->ino == b->ino &&
           a->dev == b->dev;
}

int cb_file_id_same(const cb_file_id *then, const cb_file_id *now)
{
    return then->settled && cb_file_id_equal(then, now);
}

void cb_file_id_text(const cb_file_id *id, char out[CB_FILE_ID_TEXT])
{
    snprintf(out, CB_FILE_ID_TEXT, "%lld %lld %lld %lld %lld", id->dev, id->ino, id->size, id->mtime_ns,
             id->ctime_ns);
}

int cb_file_id_parse(const char *s, cb_file_id *id)
{
    int end = 0;
    memset(id, 0, sizeof *id);
    if (sscanf(s, "%lld %lld %lld %lld %lld%n", &id->dev, &id->ino, &id->size, &id->mtime_ns, &id->ctime_ns,
               &end) != 5 || s[end] != '\0')
        return -1;
    id->settled = 1;
    return 0;
}

double cb_now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

int cb_write_all(int fd, const void *p, size_t n)
{
    const char *c = p;
    while (n) {
        ssize_t w = write(fd, c, n);
        /* not covered: EINTR: countybrief's handlers are SA_RESTART, so the kernel restarts it */
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) return -1;
        c += w;
        n -= (size_t)w;
    }
    return 0;
}

int cb_read_all(int fd, void *p, size_t n)
{
    char *c = p;
    while (n) {
        ssize_t r = read(fd, c, n);
        /* not covered: EINTR, as in cb_write_all */
        if (r < 0 && errno == EINTR) continue;
        if (r <= 0) return -1;
        c += r;
        n -= (size_t)r;
    }
    return 0;
}

#ifdef CB_COVERAGE
void __gcov_dump(void); /* gcc's libgcov, linked by --coverage */
#endif

void cb_child_exit(int status)
{
#ifdef CB_COVERAGE
    __gcov_dump();
#endif
    _exit(status);
}

const char *cb_strerror(int code)
{
    switch (code) {
#define CB__ERRNO_TEXT(name, val, text) case val: return text;
        CB_ERRNO_MAP(CB__ERRNO_TEXT)
#undef CB__ERRNO_TEXT
    }
    return "unknown error";
}

static int walk_name_cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The folders a walk is inside, innermost first: a link back to one of them is a cycle. */
typedef struct walk_up {
    dev_t dev;
    ino_t ino;
    const struct walk_up *up;
} walk_up;

static void walk(const char *dir, const char *suffix, int depth, cb_walk_fn fn, void *ud, const walk_up *up)
{
    DIR *d = opendir(dir);
    if (!d) return;
    struct stat here;
    walk_up me = {0, 0, up};
    if (fstat(dirfd(d), &here) == 0) me = (walk_up){here.st_dev, here.st_ino, up};
    char **names = NULL;
    size_t n = 0, sl = suffix ? strlen(suffix) : 0;
    struct dirent *de;
    while ((de = readdir(d))) {
        if (de->d_name[0] == '.') continue;
        names = cb_xrealloc(names, (n + 1) * sizeof *names);
        names[n++] = cb_xstrdup(de->d_name);
    }
    closedir(d);
    if (n) qsort(names, n, sizeof *names, walk_name_cmp);
    for (size_t i = 0; i < n; i++) {
        char *p = cb_path_join(dir, names[i]);
        size_t len = strlen(names[i]);
        struct stat st;
        if (stat(p, &st) == 0 && S_ISDIR(st.st_mode)) {
            /* a link to a folder is entered as require follows it, unless it leads back
             * into the walk: `ln -s . loop` can neither cycle nor multiply the walk */
            const walk_up *w = &me;
            while (w && !(w->dev == st.st_dev && w->ino == st.st_ino)) w = w->up;
            if (depth > 0 && !w) walk(p, suffix, depth - 1, fn, ud, &me);
        } else if ((!suffix || (len >= sl && strcmp(names[i] + len - sl, suffix) == 0)) &&
                   S_ISREG(st.st_mode)) {
            fn(ud, p, &st); /* a FIFO or a device is no module: never opened */
        }
        free(p);
        free(names[i]);
    }
    free(names);
}

void cb_walk_files(const char *dir, const char *suffix, int depth, cb_walk_fn fn, void *ud)
{
    walk(dir, suffix, depth, fn, ud, NULL);
}

int cb_open_regular(const char *path, int flags, int mode, struct stat *st)
{
    int fd = open(path, flags | O_CLOEXEC | O_NONBLOCK, (mode_t)mode);
    if (fd < 0) return -1;
    int bad = fstat(fd, st) != 0 ? errno : S_ISREG(st->st_mode) ? 0 : EINVAL;
    if (bad) {
        close(fd);
        errno = bad;
        return -1;
    }
    fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
    return fd;
}

/* Optimal string alignment distance (Damerau-Levenshtein without repeated edits of a
 * substring), at most 32 bytes each: a name longer is never near. */
static size_t slip_distance(const char *a, const char *b)
{
    size_t n = strlen(a), m = strlen(b);
    if (n > 32 || m > 32) return SIZE_MAX;
    size_t d[33][33];
    for (size_t i = 0; i <= n; i++) d[i][0] = i;
    for (size_t j = 0; j <= m; j++) d[0][j] = j;
    for (size_t i = 1; i <= n; i++)
        for (size_t j = 1; j <= m; j++) {
            size_t best = d[i - 1][j - 1] + (a[i - 1] != b[j - 1]);
            if (d[i - 1][j] + 1 < best) best = d[i - 1][j] + 1;
            if (d[i][j - 1] + 1 < best) best = d[i][j - 1] + 1;
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] && d[i - 2][j - 2] + 1 < best)
                best = d[i - 2][j - 2] + 1;
            d[i][j] = best;
        }
    return d[n][m];
}

const char *cb_nearest_name(const char *word, const char *const *names)
{
    size_t most = strlen(word) <= 4 ? 1 : 2, best = SIZE_MAX;
    const char *found = NULL;
    for (size_t i = 0; names[i]; i++) {
        size_t k = slip_distance(word, names[i]);
        if (k > most || k > best) continue;
        found = k < best ? names[i] : NULL; /* a tie: no guess */
        best = k;
    }
    return found;
}
