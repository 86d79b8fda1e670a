/*
 * xls.c: the `xls` data source. Reads an old binary Excel workbook (.xls: BIFF5 and BIFF8
 * in an OLE compound file, Excel 95 to 2003) with libfreexl, sheet by sheet, through the
 * same sheet-to-table rules and budget as the .xlsx reader (table.c). FreeXL gives every
 * cell as a number, text, or a date, date and time, or time already as ISO text.
 * Built when pkg-config finds freexl (Debian: libfreexl-dev). docs: plugins/xlsx/README.md.
 *
 * FreeXL runs in a child process. It parses the whole file when it opens it, and a crafted
 * file makes Debian's 1.0.6 read past a buffer (tests/fuzz/regressions/fuzz_workbook):
 * whatever a file does to FreeXL ends with the child, which has a memory limit and the
 * load deadline (an alarm in the child, and the parent's own poll of the pipe, after which
 * it kills the child). The child sends the cells down a pipe as records, which the parent reads
 * as untrusted input (every length and place checked) into the tables.
 */
#define _GNU_SOURCE /* pipe2 */
#include <errno.h>
#include <fcntl.h>
#include <freexl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "xlsx.h"

/* The child's address space (not under ASan, which reserves terabytes of it): FreeXL
 * holds every cell of every sheet, at most 65,536 x 256 a sheet. */
#define CHILD_MEMORY ((rlim_t)2 << 30)
#if defined(__SANITIZE_ADDRESS__)
#define XLS_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define XLS_ASAN 1
#endif
#endif
/* The child leaves with _exit, which drops gcov's counts: a coverage build writes them
 * first (the plugin sees only the public header, so not core's cb_child_exit). */
#ifdef CB_COVERAGE
void __gcov_dump(void);
#define child_exit(status) (__gcov_dump(), _exit(status))
#else
#define child_exit(status) _exit(status)
#endif
#define TEXT_MAX (1u << 20) /* a BIFF8 cell holds at most 32,767 characters */
#define XLS_MAX_COL 256u    /* BIFF8: columns A to IV */

/* Records from the child (integers in the host's byte order; the two ends are one binary):
 *   'S' u16 n, name[n]     a sheet begins        'R' u32 row   a row begins (1-based)
 *   'N' u16 col, double    a number              'T' u16 col, u32 n, text[n]
 *   'E'                    the row ends          'F'           the sheet ends
 *   'X' i32 rc, u16 n, m[n] an error, the message without the file's name
 *   'D'                    done: every sheet was sent */

/* ------------------------------------------------------------------ the child */

static const char *freexl_says(int code)
{
    switch (code) {
    case FREEXL_INSUFFICIENT_MEMORY: return "out of memory";
    case FREEXL_INVALID_CFBF_HEADER:
    case FREEXL_CFBF_INVALID_SIGNATURE: return "not an OLE compound file";
    case FREEXL_BIFF_WORKBOOK_NOT_FOUND: return "the file holds no Excel workbook stream";
    case FREEXL_UNSUPPORTED_CHARSET:
    case FREEXL_INVALID_CHARACTER: return "its text is in a character set that cannot be read";
    case FREEXL_CRAFTED_FILE: return "the file is damaged (or crafted)";
    default: return "the file is damaged";
    }
}

static void put(FILE *f, const void *p, size_t n) { fwrite(p, 1, n, f); }

static void put_error(FILE *f, int rc, const char *msg)
{
    int32_t code = rc;
    uint16_t n = (uint16_t)strlen(msg);
    put(f, "X", 1);
    put(f, &code, 4);
    put(f, &n, 2);
    put(f, msg, n);
}

static void put_text(FILE *f, char tag, uint16_t col, const char *s)
{
    uint32_t n = (uint32_t)strlen(s);
    put(f, &tag, 1);
    if (tag == 'T') put(f, &col, 2);
    if (tag == 'S') {
        uint16_t n16 = n > 0xFFFF ? 0xFFFF : (uint16_t)n;
        put(f, &n16, 2);
        put(f, s, n16);
        return;
    }
    put(f, &n, 4);
    put(f, s, n);
}

static void send_sheet(FILE *f, const void *h, unsigned short idx)
{
    const char *name = NULL;
    char fallback[32], msg[120];
    int fx = freexl_get_worksheet_name(h, idx, &name);
    if (fx == FREEXL_OK) fx = freexl_select_active_worksheet(h, idx);
    if (fx != FREEXL_OK) {
        snprintf(msg, sizeof msg, "sheet %u cannot be read: %s", idx + 1u, freexl_says(fx));
        put_error(f, CB_EDATA, msg);
        return;
    }
    if (!name || !*name) {
        snprintf(fallback, sizeof fallback, "Sheet%u", idx + 1u);
        name = fallback;
    }
    put_text(f, 'S', 0, name);
    unsigned int rows = 0;
    unsigned short cols = 0;
    if (freexl_worksheet_dimensions(h, &rows, &cols) != FREEXL_OK) rows = cols = 0;
    for (uint32_t r = 0; r < rows && r < XL_MAX_ROW; r++) {
        uint32_t row = r + 1;
        put(f, "R", 1);
        put(f, &row, 4);
        for (uint16_t c = 0; c < cols && c < XLS_MAX_COL; c++) {
            FreeXL_CellValue v;
            uint16_t col = c + 1;
            double d;
            if (freexl_get_cell_value(h, r, c, &v) != FREEXL_OK) continue;
            switch (v.type) {
            case FREEXL_CELL_INT:
            case FREEXL_CELL_DOUBLE:
                d = v.type == FREEXL_CELL_INT ? v.value.int_value : v.value.double_value;
                put(f, "N", 1);
                put(f, &col, 2);
                put(f, &d, sizeof d);
                break;
            case FREEXL_CELL_TEXT:
            case FREEXL_CELL_SST_TEXT:
            case FREEXL_CELL_DATE:
            case FREEXL_CELL_DATETIME:
            case FREEXL_CELL_TIME:
                if (v.value.text_value) put_text(f, 'T', col, v.value.text_value);
                break;
            default: break; /* FREEXL_CELL_NULL */
            }
        }
        put(f, "E", 1);
    }
    put(f, "F", 1);
}

static void child(const char *path, int fd, double timeout_s)
{
#ifndef XLS_ASAN
    struct rlimit lim = {CHILD_MEMORY, CHILD_MEMORY};
    setrlimit(RLIMIT_AS, &lim);
#endif
    if (timeout_s > 0) alarm(timeout_s < 1 ? 1 : (unsigned)(timeout_s + 0.5));
    FILE *f = fdopen(fd, "w");
    if (!f) child_exit(2);
    const void *h = NULL;
    int fx = freexl_open(path, &h);
    unsigned int info = 0, nsheets = 0;
    char msg[200];
    if (fx != FREEXL_OK) {
        unsigned char magic[4] = {0};
        FILE *in = fopen(path, "rb");
        size_t got = in ? fread(magic, 1, sizeof magic, in) : 0;
        if (in) fclose(in);
        if (got == sizeof magic && memcmp(magic, "PK\3\4", 4) == 0)
            put_error(f, CB_EDATA, "not an .xls workbook but a zip archive (an .xlsx or .ods "
                                   "file: name it so)");
        else {
            snprintf(msg, sizeof msg, "not an .xls workbook that can be read: %s", freexl_says(fx));
            put_error(f, fx == FREEXL_INSUFFICIENT_MEMORY ? CB_ENOMEM : CB_EDATA, msg);
        }
    } else if (freexl_get_info(h, FREEXL_BIFF_PASSWORD, &info) == FREEXL_OK &&
               info == FREEXL_BIFF_OBFUSCATED) {
        put_error(f, CB_EDATA, "the workbook is password-protected: save it without a password");
    } else if (freexl_get_info(h, FREEXL_BIFF_SHEET_COUNT, &nsheets) != FREEXL_OK || !nsheets) {
        put_error(f, CB_EDATA, "the workbook has no sheets");
    } else {
        for (unsigned int i = 0; i < nsheets && i <= 0xFFFF; i++) send_sheet(f, h, (unsigned short)i);
        put(f, "D", 1);
    }
    /* FreeXL's memory goes with the process: no freexl_close, no exit handlers */
    child_exit(fflush(f) == 0 ? 0 : 2);
}

/* ------------------------------------------------------------------ the parent */

/* The pipe from the child, read against the load deadline: the parent's own, since a
 * child that FreeXL's bugs have taken over could cancel its alarm(). */
typedef struct rd {
    int fd;
    unsigned char buf[64 * 1024];
    size_t pos, len;
    double timeout_s, deadline; /* CLOCK_MONOTONIC (0: none) */
    int bad;       /* the stream broke off or made no sense */
    int eof;       /* ... because it ended (the child exited or closed it) */
    int timed_out; /* ... because the deadline passed */
} rd;

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* More bytes into r->buf: 0 at the end of the stream, an error or the deadline. */
static int fill(rd *r)
{
    for (;;) {
        int ms = -1;
        if (r->deadline > 0) {
            double left = r->deadline - now_s();
            if (left <= 0) {
                r->timed_out = 1;
                return 0;
            }
            ms = left > 3600 ? 3600 * 1000 : (int)(left * 1000) + 1;
        }
        struct pollfd pfd = {r->fd, POLLIN, 0};
        int k = poll(&pfd, 1, ms);
        if (k < 0 && errno == EINTR) continue;
        if (k < 0) {
            r->eof = 1;
            return 0;
        }
        if (k == 0) continue; /* the deadline, checked above */
        ssize_t n = read(r->fd, r->buf, sizeof r->buf);
        if (n < 0 && (errno == EINTR || errno == EAGAIN)) continue;
        if (n <= 0) {
            r->eof = 1;
            return 0;
        }
        r->pos = 0;
        r->len = (size_t)n;
        return 1;
    }
}

static int get(rd *r, void *p, size_t n)
{
    unsigned char *out = p;
    while (!r->bad && n) {
        if (r->pos == r->len && !fill(r)) {
            r->bad = 1;
            break;
        }
        size_t k = r->len - r->pos < n ? r->len - r->pos : n;
        memcpy(out, r->buf + r->pos, k);
        r->pos += k;
        out += k;
        n -= k;
    }
    return !r->bad;
}

/* n bytes of text into b (NUL-terminated), n at most max */
static int get_text(rd *r, xl_buf *b, uint32_t n, uint32_t max)
{
    char chunk[4096];
    b->len = 0;
    if (n > max) r->bad = 1;
    for (uint32_t k; !r->bad && n; n -= k) {
        k = n < sizeof chunk ? n : (uint32_t)sizeof chunk;
        if (get(r, chunk, k)) xl_buf_add(b, chunk, k);
    }
    xl_buf_cstr(b);
    return !r->bad;
}

/* The records into tables; CB_OK once 'D' came. */
static int read_records(xl_book *bk, rd *r, cb_table_sink *sink)
{
    xl_sheet tbl;
    int in_sheet = 0, in_row = 0, rc = CB_OK;
    uint32_t prev_row = 0, prev_col = 0;
    xl_buf name = {0}, text = {0};
    for (;;) {
        char tag;
        uint16_t col = 0, n16 = 0;
        uint32_t row = 0, n = 0;
        int32_t code = 0;
        double d;
        if (!get(r, &tag, 1)) break;
        if (tag == 'S' && !in_sheet && get(r, &n16, 2) && get_text(r, &name, n16, 0xFFFF)) {
            xl_sheet_init(&tbl, bk, name.s, sink);
            in_sheet = 1;
            prev_row = 0;
        } else if (tag == 'R' && in_sheet && !in_row && get(r, &row, 4)) {
            if (row <= prev_row || row > XL_MAX_ROW) r->bad = 1;
            xl_sheet_row(&tbl, row);
            in_row = 1;
            prev_row = row;
            prev_col = 0;
        } else if ((tag == 'N' || tag == 'T') && in_row && get(r, &col, 2)) {
            if (col <= prev_col || col > XLS_MAX_COL) r->bad = 1;
            prev_col = col;
            if (r->bad) break;
            if (tag == 'N' && get(r, &d, sizeof d)) rc = xl_sheet_number(&tbl, col, d);
            if (tag == 'T' && get(r, &n, 4) && get_text(r, &text, n, TEXT_MAX))
                rc = xl_sheet_text(&tbl, col, text.s, text.len);
        } else if (tag == 'E' && in_row) {
            in_row = 0;
            rc = xl_sheet_row_end(&tbl, 1);
        } else if (tag == 'F' && in_sheet && !in_row) {
            rc = xl_sheet_finish(&tbl);
            xl_sheet_free(&tbl);
            in_sheet = 0;
        } else if (tag == 'X' && get(r, &code, 4) && get(r, &n16, 2) && get_text(r, &text, n16, 0xFFFF)) {
            rc = xl_fail(bk, code < 0 && code >= CB_ENOMEM ? code : CB_EDATA, "%s", text.s);
        } else if (tag == 'D' && !in_sheet) {
            rc = 1; /* done */
        } else {
            r->bad = 1;
        }
        if (r->bad || rc != CB_OK) break;
    }
    if (in_sheet) xl_sheet_free(&tbl);
    xl_buf_free(&name);
    xl_buf_free(&text);
    if (rc == 1) return CB_OK;
    return rc != CB_OK ? rc : CB_EDATA; /* the stream ended early: the caller says why */
}

static int xls_load(const char *location, cb_table_sink *sink, const cb_host_api *api, char **err)
{
    xl_book bk;
    xl_book_init(&bk, location, api, "an .xls workbook");
    struct stat st;
    int rc = CB_OK, fds[2];
    if (stat(location, &st) != 0)
        rc = xl_fail(&bk, CB_EIO, "%s", errno == ENOENT ? "no such file" : strerror(errno));
    else if (!S_ISREG(st.st_mode))
        rc = xl_fail(&bk, CB_EIO, "not a regular file");
    else if ((uint64_t)st.st_size > XL_ENTRY_LIMIT)
        rc = xl_fail(&bk, CB_EDATA, "the file is %llu bytes, over the limit of %llu MiB for an "
                                    ".xls workbook", (unsigned long long)st.st_size,
                     (unsigned long long)(XL_ENTRY_LIMIT >> 20));
    else if (access(location, R_OK) != 0)
        rc = xl_fail(&bk, CB_EIO, "cannot open: %s", strerror(errno));
    else if (pipe2(fds, O_CLOEXEC) != 0)
        rc = xl_fail(&bk, CB_EIO, "cannot create a pipe: %s", strerror(errno));
    if (rc != CB_OK) return xl_book_done(&bk, rc, err);

    double timeout_s = cb_source_load_timeout_s();
    fflush(NULL); /* nothing buffered is written twice */
    pid_t pid = fork();
    if (pid == 0) {
        close(fds[0]);
        child(location, fds[1], timeout_s);
    }
    close(fds[1]);
    if (pid < 0) {
        close(fds[0]);
        return xl_book_done(&bk, xl_fail(&bk, CB_EIO, "cannot start the .xls reader: %s",
                                         strerror(errno)), err);
    }
    rd *r = xl_xrealloc(NULL, sizeof *r);
    memset(r, 0, sizeof *r);
    r->fd = fds[0];
    r->timeout_s = timeout_s;
    if (timeout_s > 0) r->deadline = now_s() + timeout_s;
    rc = read_records(&bk, r, sink);
    /* the child is done with, whatever it does now: an error, the budget, or 'D' and a
     * child that would not exit */
    kill(pid, SIGKILL);
    close(fds[0]);
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {}
    if (rc != CB_OK && !bk.msg && r->bad) { /* the child broke off, or the parent stopped it */
        if (r->timed_out || (WIFSIGNALED(status) && WTERMSIG(status) == SIGALRM))
            rc = xl_fail(&bk, CB_EDATA, "stopped after %g s (the load deadline; "
                                        "COUNTYBRIEF_LOAD_TIMEOUT=SECONDS allows longer)", timeout_s);
        else if (!r->eof) /* the parent killed it */
            rc = xl_fail(&bk, CB_EDATA, "the .xls reader sent malformed records (libfreexl on a "
                                        "damaged or crafted file?): save it as .xlsx");
        else if (WIFSIGNALED(status))
            rc = xl_fail(&bk, CB_EDATA, "the .xls reader (libfreexl) crashed on this file "
                                        "(signal %d): it is damaged or crafted; save it as .xlsx",
                         WTERMSIG(status));
        else
            rc = xl_fail(&bk, CB_EDATA, "the .xls reader (libfreexl) stopped on this file (exit "
                                        "status %d, out of memory?): it is damaged, crafted or "
                                        "too large; save it as .xlsx",
                         WIFEXITED(status) ? WEXITSTATUS(status) : -1);
    }
    free(r);
    return xl_book_done(&bk, rc, err);
}

const cb_source_type xl_xls_source = {CB_SOURCE_TYPE_VERSION, "xls", "xls", ".xls", xls_load};
