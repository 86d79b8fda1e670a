/*
 * util.h: small helpers every module uses: growable byte buffers, checked allocation,
 * UTF-8 decoding, whole-file reads and error formatting.
 *
 * Allocation failure aborts with a message (cb_xmalloc and friends): the engine has no
 * useful way to continue without memory, and every caller stays simpler for it.
 */
#ifndef CB_UTIL_H
#define CB_UTIL_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include "countybrief/countybrief.h"

#if defined(__GNUC__)
#define CB_PRINTF(a, b) __attribute__((format(printf, a, b)))
#else
#define CB_PRINTF(a, b)
#endif

void *cb_xmalloc(size_t n);
void *cb_xcalloc(size_t n, size_t size);
void *cb_xrealloc(void *p, size_t n);
char *cb_xstrdup(const char *s);
/* Room for element n (0-based) of an array that grows one element at a time and never
 * shrinks: reallocated only when n is 0 or a power of two, to twice n, so adding n elements
 * copies O(n) bytes (a 33,000-page layout must not copy its page list 33,000 times). */
void *cb_xgrow(void *p, size_t n, size_t size);
char *cb_xstrndup(const char *s, size_t n);
char *cb_xasprintf(const char *fmt, ...) CB_PRINTF(1, 2);

/* FNV-1a over n bytes, from h: CB_FNV_SEED, or the hash of what comes before them (stable
 * across runs and machines; for tables, not for security). */
#define CB_FNV_SEED 1469598103934665603ull
#define CB_FNV_PRIME 1099511628211ull
uint64_t cb_fnv1a(uint64_t h, const void *p, size_t n);

/* Growable byte buffer; always NUL-terminated after the first add. Free with cb_buf_free. */
typedef struct cb_buf {
    char *s;
    size_t len, cap;
} cb_buf;

void cb_buf_add(cb_buf *b, const void *data, size_t n);
/* Room for n more bytes and the terminator: where they go (b->s + b->len), for a writer
 * that fills them itself (then b->len += n and the terminator are its to set). */
char *cb_buf_reserve(cb_buf *b, size_t n);
void cb_buf_adds(cb_buf *b, const char *s);
void cb_buf_addf(cb_buf *b, const char *fmt, ...) CB_PRINTF(2, 3);
void cb_buf_free(cb_buf *b);

/* Short description of an error code ("bad input data"); never NULL. */
const char *cb_strerror(int code);

/* Sets err (if not NULL) and returns code, so callers can `return cb_fail(err, ...)`. The
 * message is made one line and cleaned (cb_clean, above): at most CB_ERROR_MSG_MAX bytes,
 * ending "… N bytes more" when cut. */
int cb_fail(cb_error *err, int code, const char *fmt, ...) CB_PRINTF(3, 4);

/*
 * Text from user input (a script's error or print, a plugin's message, a data value, a
 * county name) made safe to show on a terminal or store in the manifest, by one rule:
 * control characters (C0, DEL, C1) and bidirectional overrides are escaped as \n, \t,
 * \r, \x1b, \u009b, \u202e; bytes that are not UTF-8 as \xff; all else (Chinese
 * included) is kept. Backslashes are kept as they are, so cleaning twice changes nothing.
 * cb_buf_add_clean appends s[0..len) to b, stopping at a character boundary before b
 * would pass max bytes; returns the number of bytes of s left out (0: all shown).
 * cb_clean: s cleaned, at most CB_CLEAN_MAX bytes then "… N bytes more", malloc'd.
 * cb_clean_asprintf: the same of a formatted text. cb_fail cleans its message too.
 */
#define CB_CLEAN_MAX 4096
size_t cb_buf_add_clean(cb_buf *b, const char *s, size_t len, size_t max);
char *cb_clean(const char *s);
char *cb_clean_asprintf(const char *fmt, ...) CB_PRINTF(1, 2);
char *cb_clean_vasprintf(const char *fmt, va_list ap);

/* Reads a whole file into a NUL-terminated malloc'd buffer (caller frees). On failure
 * returns NULL and sets err to "path: strerror". */
char *cb_read_file(const char *path, size_t *len, cb_error *err);

/* Decodes one UTF-8 sequence at *s (not past end) and advances *s. Invalid bytes decode
 * as U+FFFD and advance by one byte. */
uint32_t cb_utf8_next(const char **s, const char *end);
/* The same with the common cases inline (ASCII, and the three bytes of all of Chinese
 * text), for the loops that measure every character. */
static inline uint32_t cb_utf8_step(const char **s, const char *end)
{
    const unsigned char *p = (const unsigned char *)*s;
    if (p[0] < 0x80) {
        *s += 1;
        return p[0];
    }
    if (p[0] >= 0xE1 && p[0] <= 0xEC && end - *s >= 3 && (p[1] & 0xC0) == 0x80 && (p[2] & 0xC0) == 0x80) {
        *s += 3;
        return ((uint32_t)(p[0] & 0x0F) << 12) | ((uint32_t)(p[1] & 0x3F) << 6) | (p[2] & 0x3F);
    }
    return cb_utf8_next(s, end);
}
/* Encodes cp into out (at least 4 bytes); returns the byte count. */
int cb_utf8_encode(uint32_t cp, char *out);
/* 1 if s[0..len) is valid UTF-8. */
int cb_utf8_valid(const char *s, size_t len);

/* Joins a and b with one '/', malloc'd. */
char *cb_path_join(const char *a, const char *b);
int cb_is_dir(const char *path);
int cb_is_file(const char *path);
/* countybrief's cache folder, ${XDG_CACHE_HOME:-~/.cache}/countybrief, joined with name
 * (NULL: the folder itself), malloc'd; NULL when neither variable is an absolute path. */
char *cb_cache_path(const char *name);
/* mkdir -p: creates dir and its missing parents with mode (less the umask): 0777 for the
 * user's folders (the output, synth's), 0700 for the cache (another user's could vouch for
 * anything). What exists is used as it is, a link to a folder too (the user named it);
 * dir itself must end up a folder. CB_OK, or CB_EIO with "PART: cannot create WHAT: why"
 * or "DIR: exists and is not a folder (the WHAT)" in err (what: "output folder"); a
 * cache's caller may pass err NULL and let its open say what failed. */
int cb_mkdir_p(const char *dir, unsigned mode, const char *what, cb_error *err);

/*
 * A file's identity: what every cache asks "is this file unchanged?" with (batch.c's
 * digests, the compiled chunks of lua_chunks.c, the font caches, the plugins known good,
 * render --watch, the data's lazy tables): size, modification and change times to the
 * nanosecond, inode and device. Editing in place changes the ctime even where size and
 * mtime are kept (touch -d); replacing the file changes the inode.
 *
 * Settled: a file whose mtime or ctime is within CB_FILE_ID_FRESH_S seconds of now may be
 * written again within the file system's time granularity with all five unchanged, so an
 * identity taken then must not vouch for the content later: a cache does not remember it
 * (settled 0), and cb_file_id_same is false for it. A time in the future is not settled.
 */
struct stat;
#define CB_FILE_ID_FRESH_S 2
typedef struct cb_file_id {
    long long size, mtime_ns, ctime_ns, ino, dev;
    int settled; /* may be remembered: its times are CB_FILE_ID_FRESH_S or more in the past */
} cb_file_id;

/* The identity of the file st describes, taken now. */
cb_file_id cb_file_id_of(const struct stat *st);
/* Of path, following links (as open would): 0, or -1 (missing, unreadable: *id zeroed, not
 * settled). */
int cb_file_id_at(const char *path, cb_file_id *id);
/* 1 if then, remembered, still names the file now is: then settled, and all five equal. */
int cb_file_id_same(const cb_file_id *then, const cb_file_id *now);
/* 1 if all five are equal, settled or not: for a file held open through a run, whose change
 * is an error there and then (a write within the same tick cannot be seen). */
int cb_file_id_equal(const cb_file_id *a, const cb_file_id *b);
/* The text form cache files keep, "dev ino size mtime_ns ctime_ns" (no tab or newline),
 * into out (CB_FILE_ID_TEXT bytes); cb_file_id_parse reads it back (settled: it was
 * remembered), 0, or -1 if s is not one. */
#define CB_FILE_ID_TEXT 112
void cb_file_id_text(const cb_file_id *id, char out[CB_FILE_ID_TEXT]);
int cb_file_id_parse(const char *s, cb_file_id *id);

/* Seconds on the monotonic clock (for durations and deadlines). */
double cb_now_s(void);
/* Writes or reads all n bytes on fd, going on after EINTR and short counts; 0, or -1 on an
 * error or (reading) end of file. */
int cb_write_all(int fd, const void *p, size_t n);
int cb_read_all(int fd, void *p, size_t n);
/* Ends a forked child at once, as _exit(status) (no atexit handlers, no stdio flush); in a
 * coverage build (CB_COVERAGE) it first writes the child's gcov counts, which _exit loses.
 * Not async-signal-safe in a coverage build: signal handlers call _exit themselves. */
#if defined(__GNUC__)
__attribute__((noreturn))
#endif
void cb_child_exit(int status);
/* Calls fn(ud, path, st) for every regular file below dir whose name ends in suffix (NULL:
 * any name), in sorted order, entering at most depth levels of subfolders (0: dir's own
 * files). Names starting with '.' are skipped; a link counts as what it leads to (st is
 * its target's stat): a link to a folder is entered unless it leads back to a folder the
 * walk is inside (no cycles); FIFOs and devices are skipped without being opened. path is
 * only valid during the call. */
struct stat;
typedef void (*cb_walk_fn)(void *ud, const char *path, const struct stat *st);
void cb_walk_files(const char *dir, const char *suffix, int depth, cb_walk_fn fn, void *ud);

/* Opens path with open(2)'s flags and mode (plus O_CLOEXEC, and O_NONBLOCK while opening:
 * a FIFO there cannot block) and checks that it is a regular file; returns the descriptor,
 * in blocking mode, with *st filled, or -1 with errno set (EINVAL: not a regular file, *st
 * says what it is). The one way countybrief opens a file it did not just create: inputs the
 * user named (links followed), and its own files through cb_file_open (output.h: never a
 * link). */
int cb_open_regular(const char *path, int flags, int mode, struct stat *st);

/* The one of `names` (NULL-terminated) that `word` is a slip of one or two letters away
 * from (a letter more, less, changed or two swapped; one letter only for words of up to
 * four), for a "did you mean" in a message; NULL when none or more than one is nearest. */
const char *cb_nearest_name(const char *word, const char *const *names);

#endif /* CB_UTIL_H */
