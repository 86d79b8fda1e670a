/* archive.c: the workbook file, its zip entries and their XML. See xlsx.h. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <zip.h>

#include "xlsx.h"

/* ------------------------------------------------------------------ messages */

static int vfail(xl_book *bk, int rc, const char *fmt, va_list ap)
{
    if (bk->msg) return rc; /* the first error is the one reported */
    char body[900];
    vsnprintf(body, sizeof body, fmt, ap);
    size_t n = strlen(bk->file) + strlen(body) + 3;
    bk->msg = xl_xrealloc(NULL, n);
    snprintf(bk->msg, n, "%s: %s", bk->file, body);
    bk->rc = rc;
    return rc;
}

int xl_fail(xl_book *bk, int rc, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vfail(bk, rc, fmt, ap);
    va_end(ap);
    return rc;
}

int xl_xml_fail(xl_xml *x, int rc, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vfail(x->bk, rc, fmt, ap);
    va_end(ap);
    xl_xml_stop(x, rc);
    return rc;
}

void xl_xml_stop(xl_xml *x, int rc)
{
    if (!x->rc) {
        x->rc = rc;
        XML_StopParser(x->p, XML_FALSE);
    }
}

/* ------------------------------------------------------------------ the archive */

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

void xl_book_init(xl_book *bk, const char *file, const cb_host_api *api, const char *kind)
{
    memset(bk, 0, sizeof *bk);
    bk->file = file;
    bk->api = api;
    bk->kind = kind;
    bk->timeout_s = cb_source_load_timeout_s();
    if (bk->timeout_s > 0) bk->deadline = now_s() + bk->timeout_s;
}

int xl_book_done(xl_book *bk, int rc, char **err)
{
    /* no message of ours after a sink error: the host has the builder's */
    if (rc != CB_OK && bk->msg) *err = bk->api->strdup(bk->msg);
    xl_close(bk);
    return rc;
}

int xl_open(xl_book *bk, const char *file)
{
    struct stat st;
    if (stat(file, &st) != 0)
        return xl_fail(bk, CB_EIO, "%s", errno == ENOENT ? "no such file" : strerror(errno));
    if (!S_ISREG(st.st_mode)) return xl_fail(bk, CB_EIO, "not a regular file");
    FILE *f = fopen(file, "rb");
    if (!f) return xl_fail(bk, CB_EIO, "cannot open: %s", strerror(errno));
    unsigned char magic[8] = {0};
    size_t got = fread(magic, 1, sizeof magic, f);
    fclose(f);
    static const unsigned char cfb[8] = {0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1};
    if (got == sizeof magic && memcmp(magic, cfb, sizeof cfb) == 0)
        return xl_fail(bk, CB_EDATA, "not %s but an OLE compound file (an old .xls workbook: "
                                     "name it .xls; or a password-protected one: save it "
                                     "without a password)", bk->kind);
    int code = 0;
    bk->zip = zip_open(file, ZIP_RDONLY, &code);
    if (!bk->zip) {
        zip_error_t ze;
        zip_error_init_with_code(&ze, code);
        int rc = xl_fail(bk, code == ZIP_ER_OPEN || code == ZIP_ER_READ ? CB_EIO : CB_EDATA,
                         "not %s: cannot read it as a zip archive (%s)", bk->kind,
                         zip_error_strerror(&ze));
        zip_error_fini(&ze);
        return rc;
    }
    return CB_OK;
}

void xl_close(xl_book *bk)
{
    if (bk->zip) zip_discard(bk->zip); /* read-only: nothing to write back */
    bk->zip = NULL;
    free(bk->msg);
    bk->msg = NULL;
}

int xl_has_entry(xl_book *bk, const char *entry)
{
    return zip_name_locate(bk->zip, entry, ZIP_FL_NOCASE) >= 0;
}

/* ------------------------------------------------------------------ XML */

/* "xl/worksheets/sheet1.xml (sheet projects)" or just the entry. */
static void entry_label(const xl_xml *x, char *out, size_t n)
{
    if (x->what) snprintf(out, n, "%s (%s)", x->entry, x->what);
    else snprintf(out, n, "%s", x->entry);
}

static void XMLCALL no_doctype(void *ud, const XML_Char *name, const XML_Char *sysid,
                               const XML_Char *pubid, int has_internal_subset)
{
    (void)name, (void)sysid, (void)pubid, (void)has_internal_subset;
    xl_xml *x = ud;
    char label[400];
    entry_label(x, label, sizeof label);
    xl_xml_fail(x, CB_EDATA, "%s, line %lu: a DOCTYPE is not allowed in a workbook part", label,
                (unsigned long)XML_GetCurrentLineNumber(x->p));
}

int xl_parse(xl_xml *x, const char *entry, XML_StartElementHandler start,
             XML_EndElementHandler end, XML_CharacterDataHandler chars)
{
    xl_book *bk = x->bk;
    char label[400];
    x->entry = entry;
    x->rc = CB_OK;
    entry_label(x, label, sizeof label);

    zip_int64_t idx = zip_name_locate(bk->zip, entry, ZIP_FL_NOCASE);
    if (idx < 0) return xl_fail(bk, CB_EDATA, "%s is missing from the workbook", label);
    zip_stat_t st;
    zip_stat_init(&st);
    if (zip_stat_index(bk->zip, (zip_uint64_t)idx, 0, &st) != 0)
        return xl_fail(bk, CB_EDATA, "%s: %s", label, zip_strerror(bk->zip));
    if ((st.valid & ZIP_STAT_SIZE) && st.size > XL_ENTRY_LIMIT)
        return xl_fail(bk, CB_EDATA, "%s is %llu bytes uncompressed, over the limit of %llu MiB "
                                     "(a zip bomb?)", label, (unsigned long long)st.size,
                       (unsigned long long)(XL_ENTRY_LIMIT >> 20));
    zip_file_t *zf = zip_fopen_index(bk->zip, (zip_uint64_t)idx, 0);
    if (!zf) return xl_fail(bk, CB_EDATA, "%s cannot be read: %s", label, zip_strerror(bk->zip));

    XML_Parser p = XML_ParserCreateNS(NULL, '|');
    if (!p) {
        zip_fclose(zf);
        return xl_fail(bk, CB_ENOMEM, "%s: cannot create an XML parser", label);
    }
    x->p = p;
    XML_SetUserData(p, x);
    XML_SetElementHandler(p, start, end);
    XML_SetCharacterDataHandler(p, chars);
    XML_SetStartDoctypeDeclHandler(p, no_doctype);

    enum { CHUNK = 64 * 1024 };
    uint64_t total = 0;
    int rc = CB_OK;
    for (;;) {
        void *buf = XML_GetBuffer(p, CHUNK);
        if (!buf) {
            rc = xl_fail(bk, CB_ENOMEM, "%s: out of memory", label);
            break;
        }
        zip_int64_t n = zip_fread(zf, buf, CHUNK);
        if (n < 0) {
            rc = xl_fail(bk, CB_EDATA, "%s cannot be read: %s (a damaged file?)", label,
                         zip_file_strerror(zf));
            break;
        }
        total += (uint64_t)n;
        bk->inflated += (uint64_t)n;
        if (total > XL_ENTRY_LIMIT) { /* the declared size lied */
            rc = xl_fail(bk, CB_EDATA, "%s inflates to more than %llu MiB (a zip bomb?)", label,
                         (unsigned long long)(XL_ENTRY_LIMIT >> 20));
            break;
        }
        if (bk->inflated > XL_BOOK_INFLATE_LIMIT) {
            rc = xl_fail(bk, CB_EDATA, "%s: the file inflates to more than %llu MiB in all, its "
                                       "parts counted each time they are read (many sheets of "
                                       "one big part? a zip bomb?)", label,
                         (unsigned long long)(XL_BOOK_INFLATE_LIMIT >> 20));
            break;
        }
        if (bk->deadline > 0 && now_s() > bk->deadline) {
            rc = xl_fail(bk, CB_EDATA, "%s: stopped after %g s (the load deadline; "
                                       "COUNTYBRIEF_LOAD_TIMEOUT=SECONDS allows longer)", label,
                         bk->timeout_s);
            break;
        }
        if (XML_ParseBuffer(p, (int)n, n == 0) != XML_STATUS_OK) {
            if (x->rc) rc = x->rc; /* a handler's error, already recorded */
            else
                rc = xl_fail(bk, CB_EDATA, "%s, line %lu, column %lu: malformed XML: %s", label,
                             (unsigned long)XML_GetCurrentLineNumber(p),
                             (unsigned long)XML_GetCurrentColumnNumber(p) + 1,
                             XML_ErrorString(XML_GetErrorCode(p)));
            break;
        }
        if (x->rc) { /* stopped by a handler at the very end of a buffer */
            rc = x->rc;
            break;
        }
        if (n == 0) break;
    }
    XML_ParserFree(p);
    x->p = NULL;
    zip_fclose(zf);
    return rc;
}
