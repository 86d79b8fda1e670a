/* ofd_pkg.c: the OFD backend's package half (ofd_int.h): libxml2 and libzip, opened on first
 * use; the numbers and XML writer helpers every part is written with; the ZIP package its
 * parts go into, deflated, dated and digested so that its bytes are the input's. The page
 * content and the document's parts are ofd.c's. */
#include "ofd_int.h"

#include <dlfcn.h>
#include <libdeflate.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define OFD_NS "http://www.ofdspec.org/2016"

/* ---- libxml2 and libzip, loaded on first use ------------------------------------------ */

/* They are opened (dlopen) when the first OFD is written, not linked: a run that writes no
 * OFD maps neither (nor what they bring: ICU, libcrypto), as a CSV run maps no plugin's
 * libraries (e2e.plugin_deferred), and pays nothing for them at start. */
#define XML_FNS(X) \
    X(xmlBufferContent) X(xmlBufferCreate) X(xmlBufferFree) X(xmlBufferLength) \
    X(xmlFreeTextWriter) X(xmlNewTextWriterMemory) X(xmlTextWriterEndDocument) \
    X(xmlTextWriterEndElement) X(xmlTextWriterStartDocument) X(xmlTextWriterStartElementNS) \
    X(xmlTextWriterWriteAttribute) X(xmlTextWriterWriteElementNS) X(xmlTextWriterWriteString)
#define ZIP_FNS(X) \
    X(zip_close) X(zip_discard) X(zip_error_fini) X(zip_error_init) X(zip_error_set) \
    X(zip_error_strerror) X(zip_error_to_data) X(zip_file_add) X(zip_file_replace) \
    X(zip_file_set_dostime) X(zip_file_set_external_attributes) X(zip_get_error) \
    X(zip_open_from_source) X(zip_set_file_compression) X(zip_source_buffer) \
    X(zip_source_buffer_create) X(zip_source_close) X(zip_source_error) X(zip_source_free) \
    X(zip_source_function) X(zip_source_keep) X(zip_source_make_command_bitmap) \
    X(zip_source_open) X(zip_source_read) X(zip_source_stat) X(zip_stat_init)

static struct {
#define FN_FIELD(f) __typeof__(&f) f;
    XML_FNS(FN_FIELD) ZIP_FNS(FN_FIELD)
#undef FN_FIELD
} lib;
static int lib_loaded;

/* Opens soname and sets each function of its list; CB_EOFD naming what is missing. */
static int lib_open(const char *soname, const char *package, cb_error *err)
{
    void *h = dlopen(soname, RTLD_NOW | RTLD_LOCAL);
    if (!h) return cb_fail(err, CB_EOFD, "OFD output needs %s (Debian package %s): %s", soname, package, dlerror());
    const char *missing = NULL;
#define FN_SET(f) if (!missing && !(*(void **)&lib.f = dlsym(h, #f))) missing = #f;
    if (strstr(soname, "xml")) {
        XML_FNS(FN_SET)
    } else {
        ZIP_FNS(FN_SET)
    }
#undef FN_SET
    if (missing) return cb_fail(err, CB_EOFD, "OFD output needs %s with %s; this one lacks it", soname, missing);
    return CB_OK;
}

int ofd_lib_load(cb_error *err)
{
    if (lib_loaded) return CB_OK;
    int rc = lib_open(CB_LIBXML2_SONAME, "libxml2", err);
    if (rc == CB_OK) rc = lib_open(CB_LIBZIP_SONAME, "libzip4", err);
    lib_loaded = rc == CB_OK;
    return rc;
}

/* ---- numbers ---------------------------------------------------------------------------- */

/* v (millimetres) in thousandths, as every coordinate is written. */
long long ofd_milli(double v)
{
    if (!isfinite(v)) return 0;
    if (v > 1e9) v = 1e9;
    if (v < -1e9) v = -1e9;
    return llround(v * 1000);
}

/* Appends q thousandths as a decimal without trailing zeros, after a space unless b is
 * empty. */
/* u in decimal, written backwards ending before `end`; returns its first character (the
 * writer formats tens of thousands of numbers a briefing: no snprintf). */
static char *digits(char *end, unsigned long long u)
{
    do *--end = (char)('0' + u % 10); while ((u /= 10));
    return end;
}

void ofd_add_milli(cb_buf *b, long long q)
{
    char tmp[32], *e = tmp + sizeof tmp, *p = e;
    unsigned long long u = (unsigned long long)(q < 0 ? -q : q), fp = u % 1000;
    int frac = fp != 0;
    for (int i = 0; i < 3 && frac; i++, fp /= 10)
        if (fp % 10 || p != e) *--p = (char)('0' + fp % 10);
    if (frac) *--p = '.';
    p = digits(p, u / 1000);
    if (q < 0) *--p = '-';
    if (b->len) cb_buf_add(b, " ", 1);
    cb_buf_add(b, p, (size_t)(e - p));
}

/* The numbers v[0..n) (millimetres) as one attribute value, in d->scratch. */
const char *ofd_nums(ofd_doc *d, int n, const double *v)
{
    d->scratch.len = 0;
    for (int i = 0; i < n; i++) ofd_add_milli(&d->scratch, ofd_milli(v[i]));
    return d->scratch.s;
}

/* ---- XML -------------------------------------------------------------------------------- */

/* Every writer call goes through these: a failure (out of memory) is remembered and ends
 * the part. */
static void xml_check(ofd_doc *d, int rc) { d->xml_failed |= rc < 0; }

void ofd_el(ofd_doc *d, const char *name)
{
    xml_check(d, lib.xmlTextWriterStartElementNS(d->w, BAD_CAST "ofd", BAD_CAST name, NULL));
}

void ofd_end(ofd_doc *d) { xml_check(d, lib.xmlTextWriterEndElement(d->w)); }

void ofd_attr(ofd_doc *d, const char *name, const char *value)
{
    xml_check(d, lib.xmlTextWriterWriteAttribute(d->w, BAD_CAST name, BAD_CAST value));
}

void ofd_attr_id(ofd_doc *d, const char *name, unsigned id)
{
    char v[16];
    v[15] = '\0';
    ofd_attr(d, name, digits(v + 15, id));
}

void ofd_attr_nums(ofd_doc *d, const char *name, int n, const double *v) { ofd_attr(d, name, ofd_nums(d, n, v)); }

/* Text as XML 1.0 may hold it: valid UTF-8 (cb_utf8_next's U+FFFD for a bad byte), without
 * the characters XML forbids (controls but tab and newlines, U+FFFE, U+FFFF). In d->clean. */
const char *ofd_xml_text(ofd_doc *d, const char *s)
{
    d->clean.len = 0;
    for (const char *p = s, *end = s + strlen(s); p < end;) {
        uint32_t cp = cb_utf8_next(&p, end);
        if ((cp < 0x20 && cp != '\t' && cp != '\n' && cp != '\r') || cp == 0xFFFE || cp == 0xFFFF) continue;
        char u[4];
        cb_buf_add(&d->clean, u, (size_t)cb_utf8_encode(cp, u));
    }
    cb_buf_add(&d->clean, "", 1);
    return d->clean.s;
}

void ofd_text_el(ofd_doc *d, const char *name, const char *text)
{
    xml_check(d, lib.xmlTextWriterWriteElementNS(d->w, BAD_CAST "ofd", BAD_CAST name, NULL, BAD_CAST ofd_xml_text(d, text)));
}

/* An element or text as it is (no ofd_xml_text): path data, characters already encoded. */
void ofd_raw_el(ofd_doc *d, const char *name, const char *text)
{
    xml_check(d, lib.xmlTextWriterWriteElementNS(d->w, BAD_CAST "ofd", BAD_CAST name, NULL, BAD_CAST text));
}

void ofd_string(ofd_doc *d, const char *text) { xml_check(d, lib.xmlTextWriterWriteString(d->w, BAD_CAST text)); }

/* Starts a part whose root element is `root`. */
void ofd_part_open(ofd_doc *d, const char *root)
{
    d->buf = lib.xmlBufferCreate();
    d->w = d->buf ? lib.xmlNewTextWriterMemory(d->buf, 0) : NULL;
    if (!d->w) {
        d->xml_failed = 1;
        return;
    }
    xml_check(d, lib.xmlTextWriterStartDocument(d->w, "1.0", "UTF-8", NULL));
    xml_check(d, lib.xmlTextWriterStartElementNS(d->w, BAD_CAST "ofd", BAD_CAST root, BAD_CAST OFD_NS));
}

/* ---- the package ------------------------------------------------------------------------ */

static int zip_failed(zip_error_t *ze, const char *doing, cb_error *err)
{
    return cb_fail(err, CB_EOFD, "libzip: %s while %s", lib.zip_error_strerror(ze), doing);
}

/* Gives entry i its fixed date and attributes (so the package's bytes are the input's). */
static int entry_fixed(ofd_doc *d, zip_uint64_t i, int deflate, cb_error *err)
{
    if (lib.zip_file_set_dostime(d->zip, i, d->dos_time, d->dos_date, 0) < 0 ||
        lib.zip_set_file_compression(d->zip, i, deflate ? ZIP_CM_DEFLATE : ZIP_CM_STORE, 0) < 0 ||
        lib.zip_file_set_external_attributes(d->zip, i, 0, ZIP_OPSYS_UNIX, 0100644u << 16) < 0)
        return zip_failed(lib.zip_get_error(d->zip), "setting an entry's date", err);
    return CB_OK;
}

/* XML is deflated here, with libdeflate at its fastest level, and handed to libzip as
 * data already compressed (a source whose stat says so: libzip copies it as it is): zlib's
 * deflate, libzip's own, took three times as long. As with the PDF's streams (pdf.c), the
 * bytes depend only on the input, the level and libdeflate's version. */
static struct libdeflate_compressor *compressor; /* one per process, kept: workers reuse it */

void ofd_release(void)
{
    libdeflate_free_compressor(compressor);
    compressor = NULL;
}

/* A deflated part as a libzip source (zip_source_function's callback). */
typedef struct packed {
    char *data;         /* the deflated bytes, owned */
    size_t len, size;   /* deflated, and before */
    uint32_t crc;       /* of the bytes before */
    size_t at;          /* read so far */
    zip_error_t error;
} packed;

static zip_int64_t packed_cmd(void *ud, void *data, zip_uint64_t len, zip_source_cmd_t cmd)
{
    packed *p = ud;
    switch (cmd) {
    case ZIP_SOURCE_OPEN: p->at = 0; return 0;
    case ZIP_SOURCE_READ: {
        size_t n = p->len - p->at < len ? p->len - p->at : (size_t)len;
        memcpy(data, p->data + p->at, n);
        p->at += n;
        return (zip_int64_t)n;
    }
    case ZIP_SOURCE_CLOSE: return 0;
    case ZIP_SOURCE_STAT: {
        zip_stat_t *st = data;
        lib.zip_stat_init(st);
        st->valid = ZIP_STAT_SIZE | ZIP_STAT_COMP_SIZE | ZIP_STAT_COMP_METHOD | ZIP_STAT_CRC;
        st->size = p->size;
        st->comp_size = p->len;
        st->comp_method = ZIP_CM_DEFLATE;
        st->crc = p->crc;
        return sizeof *st;
    }
    case ZIP_SOURCE_ERROR: return lib.zip_error_to_data(&p->error, data, len);
    case ZIP_SOURCE_FREE:
        lib.zip_error_fini(&p->error);
        free(p->data);
        free(p);
        return 0;
    case ZIP_SOURCE_SUPPORTS:
        return lib.zip_source_make_command_bitmap(ZIP_SOURCE_OPEN, ZIP_SOURCE_READ, ZIP_SOURCE_CLOSE, ZIP_SOURCE_STAT,
                                              ZIP_SOURCE_ERROR, ZIP_SOURCE_FREE, -1);
    default:
        lib.zip_error_set(&p->error, ZIP_ER_OPNOTSUPP, 0);
        return -1;
    }
}

/* data[0..len) deflated, as a source; NULL when out of memory. */
static zip_source_t *deflated_source(ofd_doc *d, const void *data, size_t len)
{
    if (!compressor && !(compressor = libdeflate_alloc_compressor(1))) return NULL; /* not covered */
    packed *p = cb_xcalloc(1, sizeof *p);
    size_t bound = libdeflate_deflate_compress_bound(compressor, len);
    p->data = cb_xmalloc(bound ? bound : 1);
    p->len = libdeflate_deflate_compress(compressor, data, len, p->data, bound);
    p->size = len;
    p->crc = (uint32_t)libdeflate_crc32(0, data, len);
    lib.zip_error_init(&p->error);
    zip_source_t *s = p->len ? lib.zip_source_function(d->zip, packed_cmd, p) : NULL;
    if (!s) packed_cmd(p, NULL, 0, ZIP_SOURCE_FREE); /* not covered: the bound is always enough */
    return s;
}

/* Adds data[0..len) (copied) as entry `name`; at index `replace` instead when >= 0. The XML
 * is deflated; files that are compressed already (fonts compress by a tenth; PNG, JPEG) are
 * stored. The digest DocID is made of takes every part but fonts (which follow from the
 * text and the faces named) and OFD.xml. */
int ofd_add_entry(ofd_doc *d, const char *name, const void *data, size_t len, zip_int64_t replace, int xml,
                     cb_error *err)
{
    zip_source_t *s;
    if (xml) {
        s = deflated_source(d, data, len);
    } else {
        void *copy = cb_xmalloc(len ? len : 1);
        memcpy(copy, data, len);
        if (!(s = lib.zip_source_buffer(d->zip, copy, len, 1))) free(copy);
    }
    if (!s) return zip_failed(lib.zip_get_error(d->zip), name, err); /* not covered: out of memory */
    zip_int64_t i = replace >= 0 ? (lib.zip_file_replace(d->zip, (zip_uint64_t)replace, s, 0) < 0 ? -1 : replace)
                                 : lib.zip_file_add(d->zip, name, s, ZIP_FL_ENC_UTF_8);
    if (i < 0) {
        lib.zip_source_free(s);
        return zip_failed(lib.zip_get_error(d->zip), name, err); /* not covered: out of memory */
    }
    for (int k = 0; k < 2 && replace < 0; k++) {
        d->digest[k] = cb_fnv1a(d->digest[k], name, strlen(name) + 1);
        if (!strstr(name, "/font_")) d->digest[k] = cb_fnv1a(d->digest[k], data, len);
    }
    return entry_fixed(d, (zip_uint64_t)i, xml, err);
}

/* Ends the part being written and adds it as entry `name` (at `replace` when >= 0). */
int ofd_part_close(ofd_doc *d, const char *name, zip_int64_t replace, cb_error *err)
{
    if (d->w) {
        xml_check(d, lib.xmlTextWriterEndDocument(d->w)); /* closes every open element */
        lib.xmlFreeTextWriter(d->w);                      /* flushes into buf */
        d->w = NULL;
    }
    int rc = d->xml_failed ? cb_fail(err, CB_ENOMEM, "out of memory while writing %s", name)
                           : ofd_add_entry(d, name, lib.xmlBufferContent(d->buf), (size_t)lib.xmlBufferLength(d->buf), replace, 1,
                                       err);
    if (d->buf) lib.xmlBufferFree(d->buf);
    d->buf = NULL;
    return rc;
}

/* The DOS date every entry gets: the document's (UTC), else the first DOS date. */
static void dos_stamp(ofd_doc *d)
{
    int y = 1980, mo = 1, day = 1, h = 0, mi = 0, s = 0;
    if (d->l->info.dated) {
        time_t t = (time_t)d->l->info.date;
        struct tm tm;
        gmtime_r(&t, &tm);
        y = tm.tm_year + 1900, mo = tm.tm_mon + 1, day = tm.tm_mday, h = tm.tm_hour, mi = tm.tm_min, s = tm.tm_sec;
    }
    if (y < 1980 || y > 2107) y = y < 1980 ? 1980 : 2107, mo = 1, day = 1, h = mi = s = 0;
    d->dos_date = (uint16_t)((y - 1980) << 9 | mo << 5 | day);
    d->dos_time = (uint16_t)(h << 11 | mi << 5 | s / 2);
}

/* ---- the package opened, read back, freed (the backend's begin, end and free) --------- */

int ofd_pkg_open(ofd_doc *d, cb_error *err)
{
    d->digest[0] = CB_FNV_SEED;
    d->digest[1] = CB_FNV_SEED ^ 0x5bd1e9955bd1e995ull; /* a second lane: 128 bits */
    dos_stamp(d);
    zip_error_t ze;
    lib.zip_error_init(&ze);
    d->src = lib.zip_source_buffer_create(NULL, 0, 0, &ze);
    d->zip = d->src ? lib.zip_open_from_source(d->src, ZIP_TRUNCATE, &ze) : NULL;
    if (!d->zip) {
        int rc = zip_failed(&ze, "starting the package", err); /* not covered: out of memory */
        lib.zip_error_fini(&ze);
        return rc;
    }
    lib.zip_error_fini(&ze);
    lib.zip_source_keep(d->src); /* the package is read back from it once closed */
    zip_source_t *empty = lib.zip_source_buffer(d->zip, NULL, 0, 0);
    d->root = empty ? lib.zip_file_add(d->zip, "OFD.xml", empty, ZIP_FL_ENC_UTF_8) : -1;
    if (d->root < 0) {
        if (empty) lib.zip_source_free(empty);
        return zip_failed(lib.zip_get_error(d->zip), "adding OFD.xml", err); /* not covered: out of memory */
    }
    return CB_OK;
}

int ofd_pkg_close(ofd_doc *d, cb_buf *out, cb_error *err)
{
    if (lib.zip_close(d->zip) < 0) return zip_failed(lib.zip_get_error(d->zip), "writing the package", err);
    d->zip = NULL;
    zip_stat_t st;
    if (lib.zip_source_stat(d->src, &st) < 0 || lib.zip_source_open(d->src) < 0)
        return zip_failed(lib.zip_source_error(d->src), "reading the package back", err); /* not covered */
    size_t len = (size_t)st.size;
    zip_int64_t got = lib.zip_source_read(d->src, cb_buf_reserve(out, len), len);
    lib.zip_source_close(d->src);
    if (got < 0 || (size_t)got != len) return zip_failed(lib.zip_source_error(d->src), "reading the package back", err);
    out->len += len;
    out->s[out->len] = '\0';
    return CB_OK;
}

void ofd_pkg_free(ofd_doc *d)
{
    if (d->w) lib.xmlFreeTextWriter(d->w);
    if (d->buf) lib.xmlBufferFree(d->buf);
    if (d->zip) lib.zip_discard(d->zip);
    if (d->src) lib.zip_source_free(d->src);
}

