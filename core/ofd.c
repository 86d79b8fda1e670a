/* ofd.c: see ofd.h. */
#include "ofd.h"

#include <dlfcn.h>
#include <libdeflate.h>
#include <libxml/xmlwriter.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <zip.h>

#include "countybrief/countybrief.h"
#include "output.h"

#define OFD_NS "http://www.ofdspec.org/2016"
#define IMAGE_MAX ((size_t)64 << 20) /* an image file read into the package (logos: kilobytes) */

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

/* Opens soname and sets each function of its list; CB_EPDF naming what is missing. */
static int lib_open(const char *soname, const char *package, cb_error *err)
{
    void *h = dlopen(soname, RTLD_NOW | RTLD_LOCAL);
    if (!h) return cb_fail(err, CB_EPDF, "OFD output needs %s (Debian package %s): %s", soname, package, dlerror());
    const char *missing = NULL;
#define FN_SET(f) if (!missing && !(*(void **)&lib.f = dlsym(h, #f))) missing = #f;
    if (strstr(soname, "xml")) {
        XML_FNS(FN_SET)
    } else {
        ZIP_FNS(FN_SET)
    }
#undef FN_SET
    if (missing) return cb_fail(err, CB_EPDF, "OFD output needs %s with %s; this one lacks it", soname, missing);
    return CB_OK;
}

static int lib_load(cb_error *err)
{
    if (lib_loaded) return CB_OK;
    int rc = lib_open(CB_LIBXML2_SONAME, "libxml2", err);
    if (rc == CB_OK) rc = lib_open(CB_LIBZIP_SONAME, "libzip4", err);
    lib_loaded = rc == CB_OK;
    return rc;
}


/* A face the document draws with: its subset font file and its Font ID. */
typedef struct ofd_face {
    const cb_face_set *set;
    cb_font_subset sub;
    unsigned id;
} ofd_face;

/* An image file, embedded once however often it is drawn. */
typedef struct ofd_image {
    const char *path; /* the op's (the layout's, alive until the document ends) */
    unsigned id;      /* its MultiMedia ID */
    int jpeg;
} ofd_image;

/* One document being written (backend.h: its state). */
typedef struct ofd_doc {
    const cb_layout *l;
    cb_font *font;
    cb_face_set *sets;
    size_t nsets;
    ofd_face *faces;
    const ofd_face **by_face; /* face -> its font, NULL if the document does not use it */
    unsigned last_id;         /* IDs are given in order: the last is MaxUnitID */
    unsigned *page_ids;
    ofd_image *images;
    size_t nimages;
    zip_source_t *src;        /* the package, in memory */
    zip_t *zip;
    zip_int64_t root;         /* OFD.xml's entry: written last (its DocID), listed first */
    uint16_t dos_time, dos_date;
    uint64_t digest[2];       /* of the other XML parts and the images: the DocID */
    xmlBufferPtr buf;         /* the part being written */
    xmlTextWriterPtr w;
    int xml_failed;           /* a writer call failed (out of memory) */
    size_t page;              /* the page being written */
    cb_buf scratch;           /* nums()'s */
    cb_buf clean;             /* xml_text()'s */
    char *page_box;           /* "0 0 W H": every object's Boundary */
} ofd_doc;

/* ---- numbers ---------------------------------------------------------------------------- */

static double mm(double pt) { return pt * (25.4 / 72.0); }

/* v (millimetres) in thousandths, as every coordinate is written. */
static long long milli(double v)
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

static void add_milli(cb_buf *b, long long q)
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
static const char *nums(ofd_doc *d, int n, const double *v)
{
    d->scratch.len = 0;
    for (int i = 0; i < n; i++) add_milli(&d->scratch, milli(v[i]));
    return d->scratch.s;
}

/* ---- XML -------------------------------------------------------------------------------- */

/* Every writer call goes through these: a failure (out of memory) is remembered and ends
 * the part. */
static void xml_check(ofd_doc *d, int rc) { d->xml_failed |= rc < 0; }

static void el(ofd_doc *d, const char *name)
{
    xml_check(d, lib.xmlTextWriterStartElementNS(d->w, BAD_CAST "ofd", BAD_CAST name, NULL));
}

static void end(ofd_doc *d) { xml_check(d, lib.xmlTextWriterEndElement(d->w)); }

static void attr(ofd_doc *d, const char *name, const char *value)
{
    xml_check(d, lib.xmlTextWriterWriteAttribute(d->w, BAD_CAST name, BAD_CAST value));
}

static void attr_id(ofd_doc *d, const char *name, unsigned id)
{
    char v[16];
    v[15] = '\0';
    attr(d, name, digits(v + 15, id));
}

static void attr_nums(ofd_doc *d, const char *name, int n, const double *v) { attr(d, name, nums(d, n, v)); }

/* Text as XML 1.0 may hold it: valid UTF-8 (cb_utf8_next's U+FFFD for a bad byte), without
 * the characters XML forbids (controls but tab and newlines, U+FFFE, U+FFFF). In d->clean. */
static const char *xml_text(ofd_doc *d, const char *s)
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

static void text_el(ofd_doc *d, const char *name, const char *text)
{
    xml_check(d, lib.xmlTextWriterWriteElementNS(d->w, BAD_CAST "ofd", BAD_CAST name, NULL, BAD_CAST xml_text(d, text)));
}

/* Starts a part whose root element is `root`. */
static void part_open(ofd_doc *d, const char *root)
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
    return cb_fail(err, CB_EPDF, "libzip: %s while %s", lib.zip_error_strerror(ze), doing);
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

static void ofd_release(void)
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
static int add_entry(ofd_doc *d, const char *name, const void *data, size_t len, zip_int64_t replace, int xml,
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
static int part_close(ofd_doc *d, const char *name, zip_int64_t replace, cb_error *err)
{
    if (d->w) {
        xml_check(d, lib.xmlTextWriterEndDocument(d->w)); /* closes every open element */
        lib.xmlFreeTextWriter(d->w);                      /* flushes into buf */
        d->w = NULL;
    }
    int rc = d->xml_failed ? cb_fail(err, CB_ENOMEM, "out of memory while writing %s", name)
                           : add_entry(d, name, lib.xmlBufferContent(d->buf), (size_t)lib.xmlBufferLength(d->buf), replace, 1,
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

/* ---- fonts ------------------------------------------------------------------------------ */

static int cmp_cp(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return x < y ? -1 : x > y;
}

/* Character cp's advance in face m, in thousandths of an em: the subset's width, as the
 * PDF's /W has it (the same places, character by character). */
static double advance(const ofd_face *m, uint32_t cp)
{
    const uint32_t *at = bsearch(&cp, m->set->cps, m->set->n, sizeof cp, cmp_cp);
    return at ? m->sub.widths[at - m->set->cps] : 0;
}

/* PublicRes.xml: the colour space and each face, with its file under Res/. */
static int write_public_res(ofd_doc *d, cb_error *err)
{
    char name[64];
    for (size_t i = 0; i < d->nsets; i++) {
        const ofd_face *m = &d->faces[i];
        int otf = m->sub.len >= 4 && memcmp(m->sub.data, "OTTO", 4) == 0;
        snprintf(name, sizeof name, "Doc_0/Res/font_%u.%s", m->id, otf ? "otf" : "ttf");
        int rc = add_entry(d, name, m->sub.data, m->sub.len, -1, 0, err);
        if (rc != CB_OK) return rc;
    }
    part_open(d, "Res");
    attr(d, "BaseLoc", "Res");
    el(d, "ColorSpaces");
    el(d, "ColorSpace");
    attr(d, "ID", "1");
    attr(d, "Type", "RGB");
    attr(d, "BitsPerComponent", "8");
    end(d);
    end(d);
    el(d, "Fonts");
    for (size_t i = 0; i < d->nsets; i++) {
        const ofd_face *m = &d->faces[i];
        cb_font_face_info fi;
        cb_font_face_info_get(d->font, m->set->face, &fi);
        el(d, "Font");
        attr_id(d, "ID", m->id);
        attr(d, "FontName", xml_text(d, fi.psname));
        if (fi.family[0]) attr(d, "FamilyName", xml_text(d, fi.family));
        if (cb_font_face_bold(d->font, m->set->face)) attr(d, "Bold", "true");
        int otf = m->sub.len >= 4 && memcmp(m->sub.data, "OTTO", 4) == 0;
        snprintf(name, sizeof name, "font_%u.%s", m->id, otf ? "otf" : "ttf");
        text_el(d, "FontFile", name);
        end(d);
    }
    end(d);
    return part_close(d, "Doc_0/PublicRes.xml", -1, err);
}

/* ---- page content ----------------------------------------------------------------------- */

static void color_el(ofd_doc *d, const char *name, cb_rgb c)
{
    float ch[3] = {c.r, c.g, c.b};
    d->scratch.len = 0;
    for (int i = 0; i < 3; i++) add_milli(&d->scratch, 1000 * lrintf((ch[i] < 0 ? 0 : ch[i] > 1 ? 1 : ch[i]) * 255));
    el(d, name);
    attr(d, "Value", d->scratch.s);
    end(d);
}

/* Starts a graphic object: its ID, and the page as its Boundary (its coordinates are the
 * page's). */
static void object(ofd_doc *d, const char *kind)
{
    el(d, kind);
    attr_id(d, "ID", ++d->last_id);
    attr(d, "Boundary", d->page_box);
}

/* A point of the page (PDF points, y up) as OFD's (mm, y down), appended to path data. */
static void add_point(ofd_doc *d, cb_buf *b, double x, double y)
{
    add_milli(b, milli(mm(x)));
    add_milli(b, milli(mm(d->l->page_h - y)));
}

static void add_cmd(cb_buf *b, const char *c)
{
    if (b->len) cb_buf_add(b, " ", 1);
    cb_buf_adds(b, c);
}

static void add_rect(ofd_doc *d, cb_buf *b, const float *r)
{
    add_cmd(b, "M");
    add_point(d, b, r[0], r[1]);
    add_cmd(b, "L");
    add_point(d, b, r[0] + r[2], r[1]);
    add_cmd(b, "L");
    add_point(d, b, r[0] + r[2], r[1] + r[3]);
    add_cmd(b, "L");
    add_point(d, b, r[0], r[1] + r[3]);
    add_cmd(b, "C");
}

/* A PathObject: paint (CB_PAINT_*), its colours, line width (points) and data. */
static void path_object(ofd_doc *d, int paint, cb_rgb fill, cb_rgb stroke, double width, const double *dash,
                        const cb_buf *data)
{
    object(d, "PathObject");
    if (paint & CB_PAINT_STROKE) {
        double w = mm(width);
        attr_nums(d, "LineWidth", 1, &w);
        if (dash) attr_nums(d, "DashPattern", 2, dash);
    } else {
        attr(d, "Stroke", "false");
    }
    if (paint & CB_PAINT_FILL) attr(d, "Fill", "true");
    if (paint & CB_PAINT_STROKE) color_el(d, "StrokeColor", stroke);
    if (paint & CB_PAINT_FILL) color_el(d, "FillColor", fill);
    xml_check(d, lib.xmlTextWriterWriteElementNS(d->w, BAD_CAST "ofd", BAD_CAST "AbbreviatedData", NULL,
                                             BAD_CAST(data->s ? data->s : "")));
    end(d);
}

/* A path from a plugin block (layout.h: cb_path_seg). A segment kind the writer does not
 * know fails the document, naming it: never a shape silently missing. */
static int draw_path(ofd_doc *d, const cb_op *op, cb_error *err)
{
    cb_buf b = {0};
    int open = 0; /* lines and curves need a current point, as in the PDF */
    for (size_t i = 0; i < op->nsegs; i++) {
        const cb_path_seg *s = &op->segs[i];
        switch (s->kind) {
        case 'm':
            add_cmd(&b, "M");
            add_point(d, &b, s->pt[0], s->pt[1]);
            open = 1;
            break;
        case 'l':
            if (open) add_cmd(&b, "L"), add_point(d, &b, s->pt[0], s->pt[1]);
            break;
        case 'c':
            if (!open) break;
            add_cmd(&b, "B");
            for (int k = 0; k < 6; k += 2) add_point(d, &b, s->pt[k], s->pt[k + 1]);
            break;
        case 'h':
            if (open) add_cmd(&b, "C");
            break;
        case 'r':
            add_rect(d, &b, s->pt);
            open = 1;
            break;
        default:
            cb_buf_free(&b);
            return cb_fail(err, CB_EPDF, "the OFD writer cannot draw a path segment of kind '%c' (0x%02X)",
                           s->kind >= 0x20 && s->kind < 0x7F ? s->kind : '?', (unsigned char)s->kind);
        }
    }
    if (open) {
        double dash[2], *dp = NULL;
        if ((op->paint & CB_PAINT_STROKE) && op->dash_on > 0) { /* whole points, as the PDF has them */
            double on = floor(op->dash_on + 0.5), off = floor(op->dash_off + 0.5);
            dash[0] = mm(on < 1 ? 1 : on);
            dash[1] = mm(off > 0 ? off : on < 1 ? 1 : on);
            dp = dash;
        }
        path_object(d, op->paint, op->color, op->stroke, op->size, dp, &b);
    }
    cb_buf_free(&b);
    return CB_OK;
}

/* An image op: the file, checked when the template was read, embedded once. */
static int draw_image(ofd_doc *d, const cb_op *op, cb_error *err)
{
    const ofd_image *im = NULL;
    for (size_t i = 0; i < d->nimages && !im; i++)
        if (strcmp(d->images[i].path, op->text) == 0) im = &d->images[i];
    if (!im) {
        size_t len;
        cb_error inner;
        char *data = cb_file_read(op->text, IMAGE_MAX, &len, &inner);
        if (!data) return cb_fail(err, CB_EPDF, "cannot embed the image: %s", inner.msg);
        d->images = cb_xgrow(d->images, d->nimages, sizeof *d->images);
        ofd_image *n = &d->images[d->nimages++];
        n->path = op->text;
        n->id = ++d->last_id;
        n->jpeg = op->bold;
        char name[64];
        snprintf(name, sizeof name, "Doc_0/Res/image_%u.%s", n->id, n->jpeg ? "jpg" : "png");
        int rc = add_entry(d, name, data, len, -1, 0, err);
        free(data);
        if (rc != CB_OK) return rc;
        im = n;
    }
    el(d, "ImageObject");
    attr_id(d, "ID", ++d->last_id);
    double box[4] = {mm(op->x), mm(d->l->page_h - op->y - op->h), mm(op->w), mm(op->h)};
    attr_nums(d, "Boundary", 4, box);
    double ctm[6] = {box[2], 0, 0, box[3], 0, 0};
    attr_nums(d, "CTM", 6, ctm);
    attr_id(d, "ResourceID", im->id);
    end(d);
    return CB_OK;
}

/* Appends q to DeltaX list b: runs of one value as "g N V" (GB/T 33190 7.7.2) once three
 * or more. *run, *last: the run so far. */
static void delta_flush(cb_buf *b, long long last, size_t run)
{
    if (!run) return;
    if (run >= 3) {
        cb_buf_adds(b, b->len ? " g" : "g");
        add_milli(b, 1000 * (long long)run);
        add_milli(b, last);
        return;
    }
    for (size_t i = 0; i < run; i++) add_milli(b, last);
}

/* A text op: one TextObject, one TextCode. Each character's place is where the PDF draws
 * it: the advance before it (the subset's width), the spacing and its own displacement
 * (layout.h: dx), rounded from the start, not step by step, so no error builds up. */
static void draw_text(ofd_doc *d, const cb_op *op)
{
    const ofd_face *m = d->by_face[cb_op_face(op)];
    if (!m) return; /* cannot happen: every face drawn was collected */
    cb_buf chars = {0}, deltas = {0};
    uint32_t repl = op->font < 0 ? cb_font_replacement(d->font) : 0;
    double pos = 0, first = 0; /* points along the line from op->x */
    long long prev = 0, last = 0;
    size_t n = 0, run = 0;
    const char *s = op->text, *e = s + strlen(s);
    while (s < e) {
        uint32_t cp = cb_utf8_next(&s, e);
        if (cb_font_invisible(cp)) continue;
        if (op->font < 0) cp = repl;
        pos += op->dx ? op->dx[n] : 0;
        long long at = milli(mm(pos));
        if (n == 0) {
            first = pos;
        } else {
            long long q = at - prev;
            if (run && q != last) delta_flush(&deltas, last, run), run = 0;
            last = q;
            run++;
        }
        prev = at;
        pos += advance(m, cp) * op->size / 1000 + op->spacing;
        char u[4];
        cb_buf_add(&chars, u, (size_t)cb_utf8_encode(cp, u));
        n++;
    }
    delta_flush(&deltas, last, run);
    if (n) {
        object(d, "TextObject");
        attr_id(d, "Font", m->id);
        double size = mm(op->size);
        attr_nums(d, "Size", 1, &size);
        if (op->bold) { /* faux bold (layout.h): the outline thickened by a stroke */
            attr(d, "Stroke", "true");
            double w = mm(op->size * CB_FAUX_BOLD_EM);
            attr_nums(d, "LineWidth", 1, &w);
        }
        double at[2] = {mm(op->x + first), mm(d->l->page_h - op->y)};
        if (op->angle != 0) { /* rotated about its start (the watermark); with y down, a turn
                               * counter-clockwise is (cos, -sin, sin, cos) */
            char ctm[160];
            double c = cos(op->angle), sn = sin(op->angle);
            int k = snprintf(ctm, sizeof ctm, "%.6f %.6f %.6f %.6f", c, -sn, sn, c);
            snprintf(ctm + k, sizeof ctm - (size_t)k, " %s", nums(d, 2, at));
            attr(d, "CTM", ctm);
            at[0] = mm(first), at[1] = 0;
        }
        color_el(d, "FillColor", op->color);
        if (op->bold) color_el(d, "StrokeColor", op->color);
        el(d, "TextCode");
        attr_nums(d, "X", 1, at);
        attr_nums(d, "Y", 1, at + 1);
        if (deltas.len) {
            cb_buf_add(&deltas, "", 1);
            attr(d, "DeltaX", deltas.s);
        }
        cb_buf_add(&chars, "", 1);
        xml_check(d, lib.xmlTextWriterWriteString(d->w, BAD_CAST chars.s));
        end(d);
        end(d);
    }
    cb_buf_free(&chars);
    cb_buf_free(&deltas);
}

/* ---- the backend ------------------------------------------------------------------------ */

static void ofd_free_document(void *state)
{
    ofd_doc *d = state;
    if (!d) return;
    if (d->w) lib.xmlFreeTextWriter(d->w);
    if (d->buf) lib.xmlBufferFree(d->buf);
    if (d->zip) lib.zip_discard(d->zip);
    if (d->src) lib.zip_source_free(d->src);
    for (size_t i = 0; i < d->nsets; i++) cb_font_subset_free(&d->faces[i].sub);
    free(d->faces);
    free(d->by_face);
    cb_face_sets_free(d->sets, d->nsets);
    free(d->page_ids);
    free(d->images);
    cb_buf_free(&d->scratch);
    cb_buf_free(&d->clean);
    free(d->page_box);
    free(d);
}

/* Subsets every face the display list draws with, opens the package in memory, and writes
 * the fonts and PublicRes.xml. */
static int ofd_begin_document(void **state, const cb_layout *l, cb_font *font, cb_error *err)
{
    int rc = lib_load(err);
    if (rc != CB_OK) return rc;
    ofd_doc *d = cb_xcalloc(1, sizeof *d);
    *state = d;
    d->l = l;
    d->font = font;
    size_t nfaces = cb_font_nfaces(font);
    d->sets = cb_face_sets(l, font, &d->nsets);
    d->faces = cb_xcalloc(d->nsets, sizeof *d->faces);
    d->by_face = cb_xcalloc(nfaces, sizeof *d->by_face);
    d->last_id = 1; /* 1: the colour space */
    double box[4] = {0, 0, mm(l->page_w), mm(l->page_h)};
    d->page_box = cb_xstrdup(nums(d, 4, box));
    for (size_t i = 0; i < d->nsets; i++) {
        ofd_face *m = &d->faces[i];
        m->set = &d->sets[i];
        m->id = ++d->last_id;
        d->by_face[m->set->face] = m;
        rc = cb_font_subset_sfnt(font, m->set->face, m->set->cps, m->set->n, &m->sub, err);
        if (rc != CB_OK) return rc;
    }
    d->page_ids = cb_xcalloc(l->npages ? l->npages : 1, sizeof *d->page_ids);
    d->digest[0] = CB_FNV_SEED;
    d->digest[1] = CB_FNV_SEED ^ 0x5bd1e9955bd1e995ull; /* a second lane: 128 bits */
    dos_stamp(d);
    zip_error_t ze;
    lib.zip_error_init(&ze);
    d->src = lib.zip_source_buffer_create(NULL, 0, 0, &ze);
    d->zip = d->src ? lib.zip_open_from_source(d->src, ZIP_TRUNCATE, &ze) : NULL;
    if (!d->zip) {
        rc = zip_failed(&ze, "starting the package", err); /* not covered: out of memory */
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
    return write_public_res(d, err);
}

static int ofd_begin_page(void *state, size_t i, cb_error *err)
{
    ofd_doc *d = state;
    (void)err;
    d->page = i;
    d->page_ids[i] = ++d->last_id;
    part_open(d, "Page");
    el(d, "Content");
    el(d, "Layer");
    attr_id(d, "ID", ++d->last_id);
    return CB_OK;
}

static const char *const op_names[] = {"text", "rectangle", "line", "path", "image"};

static int ofd_ops(void *state, const cb_op *ops, size_t n, cb_error *err)
{
    ofd_doc *d = state;
    for (size_t k = 0; k < n; k++) {
        const cb_op *op = &ops[k];
        int rc = CB_OK;
        cb_buf b = {0};
        switch (op->kind) {
        case CB_OP_TEXT:
            draw_text(d, op);
            break;
        case CB_OP_RECT: {
            float r[4] = {op->x, op->y, op->w, op->h};
            add_rect(d, &b, r);
            path_object(d, CB_PAINT_FILL, op->color, op->color, 0, NULL, &b);
            break;
        }
        case CB_OP_LINE:
            add_cmd(&b, "M");
            add_point(d, &b, op->x, op->y);
            add_cmd(&b, "L");
            add_point(d, &b, op->x + op->w, op->y + op->h);
            path_object(d, CB_PAINT_STROKE, op->color, op->color, op->size, NULL, &b);
            break;
        case CB_OP_PATH:
            rc = draw_path(d, op, err);
            break;
        case CB_OP_IMAGE:
            rc = draw_image(d, op, err);
            break;
        default: /* a kind added to layout.h and not here: fail, never a shape missing */
            rc = cb_fail(err, CB_EPDF, "the OFD writer cannot draw an operation of kind %d (it draws %s, %s, "
                         "%s, %s and %s)", (int)op->kind, op_names[0], op_names[1], op_names[2], op_names[3],
                         op_names[4]);
        }
        cb_buf_free(&b);
        if (rc != CB_OK) return rc;
    }
    return CB_OK;
}

static int ofd_end_page(void *state, cb_error *err)
{
    ofd_doc *d = state;
    char name[64];
    snprintf(name, sizeof name, "Doc_0/Pages/Page_%zu/Content.xml", d->page);
    return part_close(d, name, -1, err);
}

/* The outline from bookmark *i on, while deeper than `level` (a heading under the nearest
 * heading above its level, as in the PDF). */
static void outline(ofd_doc *d, size_t *i, int level)
{
    const cb_layout *l = d->l;
    while (*i < l->nmarks) {
        const cb_bookmark *m = &l->marks[*i];
        int lv = m->level >= 1 && m->level <= 4 ? m->level : 1;
        if (lv <= level) return;
        el(d, "OutlineElem");
        attr(d, "Title", xml_text(d, m->title ? m->title : ""));
        el(d, "Actions");
        el(d, "Action");
        attr(d, "Event", "CLICK");
        el(d, "Goto");
        el(d, "Dest");
        attr(d, "Type", "XYZ");
        attr_id(d, "PageID", d->page_ids[m->page < l->npages ? m->page : 0]);
        double at[2] = {0, mm(l->page_h - m->y - 4)};
        if (at[1] < 0) at[1] = 0;
        attr_nums(d, "Left", 1, at);
        attr_nums(d, "Top", 1, at + 1);
        end(d);
        end(d);
        end(d);
        end(d);
        ++*i;
        outline(d, i, lv);
        end(d);
    }
}

/* DocumentRes.xml (the images), Document.xml, OFD.xml; then the package into out. */
static int ofd_end_document(void *state, cb_buf *out, cb_error *err)
{
    ofd_doc *d = state;
    const cb_layout *l = d->l;
    int rc = CB_OK;
    if (d->nimages) {
        part_open(d, "Res");
        attr(d, "BaseLoc", "Res");
        el(d, "MultiMedias");
        for (size_t i = 0; i < d->nimages; i++) {
            char name[48];
            el(d, "MultiMedia");
            attr_id(d, "ID", d->images[i].id);
            attr(d, "Type", "Image");
            attr(d, "Format", d->images[i].jpeg ? "JPEG" : "PNG");
            snprintf(name, sizeof name, "image_%u.%s", d->images[i].id, d->images[i].jpeg ? "jpg" : "png");
            text_el(d, "MediaFile", name);
            end(d);
        }
        if ((rc = part_close(d, "Doc_0/DocumentRes.xml", -1, err)) != CB_OK) return rc;
    }

    part_open(d, "Document");
    el(d, "CommonData");
    char v[32];
    snprintf(v, sizeof v, "%u", d->last_id);
    text_el(d, "MaxUnitID", v);
    el(d, "PageArea");
    double box[4] = {0, 0, mm(l->page_w), mm(l->page_h)};
    text_el(d, "PhysicalBox", nums(d, 4, box));
    end(d);
    text_el(d, "PublicRes", "PublicRes.xml");
    if (d->nimages) text_el(d, "DocumentRes", "DocumentRes.xml");
    text_el(d, "DefaultCS", "1");
    end(d);
    el(d, "Pages");
    for (size_t i = 0; i < l->npages; i++) {
        char loc[48];
        snprintf(loc, sizeof loc, "Pages/Page_%zu/Content.xml", i);
        el(d, "Page");
        attr_id(d, "ID", d->page_ids[i]);
        attr(d, "BaseLoc", loc);
        end(d);
    }
    end(d);
    if (l->nmarks) {
        el(d, "Outlines");
        size_t i = 0;
        outline(d, &i, 0);
        end(d);
        el(d, "VPreferences");
        text_el(d, "PageMode", "UseOutlines");
        end(d);
    }
    if ((rc = part_close(d, "Doc_0/Document.xml", -1, err)) != CB_OK) return rc;

    /* OFD.xml: the document's information; its DocID the digest of everything else */
    char id[33];
    snprintf(id, sizeof id, "%016llx%016llx", (unsigned long long)d->digest[0], (unsigned long long)d->digest[1]);
    part_open(d, "OFD");
    attr(d, "Version", "1.0");
    attr(d, "DocType", "OFD");
    el(d, "DocBody");
    el(d, "DocInfo");
    text_el(d, "DocID", id);
    if (l->info.title) text_el(d, "Title", l->info.title);
    if (l->info.author) text_el(d, "Author", l->info.author);
    if (l->info.subject) text_el(d, "Subject", l->info.subject);
    if (l->info.dated) {
        time_t t = (time_t)l->info.date;
        struct tm tm;
        gmtime_r(&t, &tm);
        snprintf(v, sizeof v, "%04d-%02d-%02d", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
        text_el(d, "CreationDate", v);
    }
    if (l->info.keywords) { /* "a, b；c": one Keyword each; without such marks, "a b c" */
        el(d, "Keywords");
        int any = 0;
        char *k = cb_xstrdup(l->info.keywords);
        static const char *const marks[] = {"\xEF\xBC\x8C", "\xEF\xBC\x9B", "\xE3\x80\x81", NULL}; /* ，；、 */
        for (int i = 0; marks[i]; i++) /* the full-width ones as ',' */
            for (char *z; (z = strstr(k, marks[i]));) memcpy(z, ",  ", 3);
        const char *sep = strpbrk(k, ",;") ? ",;" : " \t";
        for (char *p = k, *q; *p; p = *q ? q + 1 : q) {
            q = p + strcspn(p, sep);
            char *e = q;
            while (*p == ' ' || *p == '\t') p++;
            while (e > p && (e[-1] == ' ' || e[-1] == '\t')) e--;
            if (e > p) {
                char c = *e;
                *e = '\0';
                text_el(d, "Keyword", p);
                *e = c;
                any = 1;
            }
        }
        if (!any) text_el(d, "Keyword", l->info.keywords);
        free(k);
        end(d);
    }
    text_el(d, "Creator", "countybrief");
    text_el(d, "CreatorVersion", CB_VERSION_STRING);
    end(d);
    text_el(d, "DocRoot", "Doc_0/Document.xml");
    if ((rc = part_close(d, "OFD.xml", d->root, err)) != CB_OK) return rc;

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

const cb_backend cb_ofd_backend = {
    .name = "ofd",
    .ext = "ofd",
    .begin_document = ofd_begin_document,
    .begin_page = ofd_begin_page,
    .ops = ofd_ops,
    .end_page = ofd_end_page,
    .end_document = ofd_end_document,
    .free_document = ofd_free_document,
    .release = ofd_release,
};
