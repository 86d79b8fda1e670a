/* pdf.c: see pdf.h. */
#include "pdf.h"

#include <hpdf.h>
#include <libdeflate.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "countybrief/countybrief.h"
#include "pdf_hpdf.h"
#include "pdf_objstm.h"
#include "pdf_tags.h"
#include "pdf_pdfa.h"

typedef struct haru_status {
    HPDF_STATUS error, detail;
} haru_status;

static void on_haru_error(HPDF_STATUS error, HPDF_STATUS detail, void *ud)
{
    haru_status *st = ud;
    if (!st->error) { /* keep the first: later ones are usually its consequences */
        st->error = error;
        st->detail = detail;
    }
}

/* What a libharu error code means, in a sentence, for the codes a report, a template, a
 * font or the environment can cause; NULL for the others (then the code is all we have).
 * Their causes are mostly refused earlier (page size: template.c; page count: layout.c;
 * the document's date: clock.c; long texts: cb_pdf_text_string): this is the net below. */
static const char *haru_sentence(HPDF_STATUS code)
{
    switch (code) {
    case HPDF_ARRAY_COUNT_ERR: return "the document has more items in one PDF list than a PDF allows "
                                      "(32,767 pages, or as many images or fonts)";
    case HPDF_DICT_COUNT_ERR: return "a page uses more fonts or images than a PDF allows (4,095)";
    case HPDF_XREF_COUNT_ERR: return "the document has more objects than a PDF allows (8,388,607)";
    case HPDF_INVALID_DATE_TIME: return "the document's date is not a date a PDF can hold (0 to 253402300799)";
    case HPDF_PAGE_INVALID_SIZE: return "the page size is outside PDF's limits (3 to 14,400 points a side)";
    case HPDF_REAL_OUT_OF_RANGE: return "a position or size on the page is beyond what a PDF can hold";
    case HPDF_STRING_OUT_OF_RANGE:
    case HPDF_BINARY_LENGTH_ERR: return "a text (a bookmark or the document's title) is longer than a PDF "
                                        "string may be (64 KiB)";
    case HPDF_FAILD_TO_ALLOC_MEM: return "out of memory while writing the PDF";
    case HPDF_EXCEED_GSTATE_LIMIT: return "drawing nests more graphics states than a PDF allows (28)";
    case HPDF_INVALID_PNG_IMAGE:
    case HPDF_LIBPNG_ERROR: return "an image is not a PNG libharu can embed";
    case HPDF_INVALID_JPEG_DATA:
    case HPDF_UNSUPPORTED_JPEG_FORMAT: return "an image is not a JPEG libharu can embed";
    case HPDF_TTF_CANNOT_EMBEDDING_FONT:
    case HPDF_TTF_INVALID_CMAP:
    case HPDF_TTF_INVALID_FOMAT:
    case HPDF_TTF_MISSING_TABLE: return "the font cannot be embedded";
    }
    return NULL;
}

/* err for libharu's code (and detail), with what it was doing. */
static int haru_fail(cb_error *err, HPDF_STATUS code, HPDF_STATUS detail, const char *doing)
{
    const char *s = haru_sentence(code);
    if (s) return cb_fail(err, CB_EPDF, "%s (libharu error 0x%04X %s)", s, (unsigned)code, doing);
    return cb_fail(err, CB_EPDF, "libharu error 0x%04X (detail %u) %s", (unsigned)code, (unsigned)detail, doing);
}

/* ---- compressed streams ---------------------------------------------------------------- */

/* Streams are deflated here with libdeflate at its fastest level rather than by libharu's
 * zlib at its default: deflate was half of a briefing's time. Not ISA-L's igzip, though it
 * is about three times faster again: igzip picks its match finder by the CPU's instruction
 * set, so the same document deflated on a machine without SSE4.2 or AVX2 (an older node of
 * a cluster, another architecture, an emulator) gave other bytes (e2e.cpu_independent).
 * libdeflate's output depends only on the input, the level and its own version. */
#define DEFLATE_LEVEL 1

static struct libdeflate_compressor *compressor; /* one per process, kept: workers reuse it */
static cb_buf deflated;

void cb_pdf_release(void)
{
    libdeflate_free_compressor(compressor);
    compressor = NULL;
    cb_buf_free(&deflated);
    memset(&deflated, 0, sizeof deflated);
    cb_pdfa_release();
}

/* Deflates data[0..len) into `deflated` (a zlib stream, as FlateDecode wants). */
static HPDF_STATUS deflate_into(const void *data, size_t len)
{
    if (!compressor && !(compressor = libdeflate_alloc_compressor(DEFLATE_LEVEL))) return HPDF_FAILD_TO_ALLOC_MEM;
    size_t want = libdeflate_zlib_compress_bound(compressor, len); /* a zlib stream, as FlateDecode wants */
    if (deflated.cap < want) {
        deflated.s = cb_xrealloc(deflated.s, want);
        deflated.cap = want;
    }
    deflated.len = libdeflate_zlib_compress(compressor, data, len, deflated.s, deflated.cap);
    if (!deflated.len) return HPDF_FAILD_TO_ALLOC_MEM; /* not covered: the bound is always enough */
    return HPDF_OK;
}

/* Deflates data[0..len) into stream dict (one libharu made, a page's contents). */
static HPDF_STATUS put_deflated(HPDF_Dict dict, const void *data, size_t len)
{
    HPDF_STATUS st = deflate_into(data, len);
    return st == HPDF_OK ? cb_hpdf_set_flate(dict, deflated.s, deflated.len) : st;
}

/* A new indirect stream object holding data deflated. */
static HPDF_Dict deflated_stream(HPDF_Doc pdf, const void *data, size_t len)
{
    return deflate_into(data, len) == HPDF_OK ? cb_hpdf_flate_stream(pdf, deflated.s, deflated.len) : NULL;
}

HPDF_Dict cb_pdf_deflated_stream(HPDF_Doc pdf, const void *data, size_t len) { return deflated_stream(pdf, data, len); }

int cb_pdf_deflate(const void *data, size_t len, cb_buf *out)
{
    if (deflate_into(data, len) != HPDF_OK) return 0;
    out->len = 0;
    cb_buf_add(out, deflated.s, deflated.len);
    return 1;
}

/* ---- text strings ------------------------------------------------------------------------ */

/* A PDF text string for UTF-8 s: a literal for printable ASCII, else UTF-16BE with a BOM
 * (so document info and bookmarks need no libharu encoder). libharu refuses strings past
 * 64 KiB (a 64 KB heading's bookmark failed the county): past TEXT_STRING_MAX bytes the
 * text is cut at a character and ends in "…"; the page itself shows it whole. */
#define TEXT_STRING_MAX 32768
void *cb_pdf_text_string(HPDF_Doc pdf, const char *s)
{
    const char *p = s, *end = s + strlen(s);
    while (p < end && *p >= 0x20 && *p < 0x7F) p++;
    if (p == end && end - s <= TEXT_STRING_MAX) return cb_hpdf_string(pdf, s);
    cb_buf b = {0};
    cb_buf_add(&b, "\xFE\xFF", 2);
    for (p = s; p < end;) {
        uint32_t cp = cb_utf8_next(&p, end);
        int cut = b.len + 4 + 2 > TEXT_STRING_MAX; /* room for this one and the ellipsis */
        if (cut) cp = 0x2026;
        uint16_t u[2];
        int k = 1;
        if (cp >= 0x10000) {
            u[0] = (uint16_t)(0xD800 + ((cp - 0x10000) >> 10));
            u[1] = (uint16_t)(0xDC00 + (cp & 0x3FF));
            k = 2;
        } else {
            u[0] = (uint16_t)cp;
        }
        for (int i = 0; i < k; i++) {
            unsigned char be[2] = {(unsigned char)(u[i] >> 8), (unsigned char)u[i]};
            cb_buf_add(&b, be, 2);
        }
        if (cut) break;
    }
    void *v = cb_hpdf_binary(pdf, b.s, b.len);
    cb_buf_free(&b);
    return v;
}

/* ---- fonts ------------------------------------------------------------------------------- */

/* A face's characters in the document and the Type 0 font drawing them. Codes are two
 * bytes, Identity-H: code = CID. A TrueType face's CIDFontType2 numbers the characters in
 * the document's order: code i + 1 is cps[i], the CIDToGIDMap takes it to the subset's
 * glyph. A CFF face's CIDFontType0 draws by the CFF program's own CIDs: the code of cps[i]
 * is sub.cids[i]. The ToUnicode map takes a code back to its character. */
typedef struct pdf_face {
    const uint32_t *cps; /* sorted */
    size_t n;
    cb_font_subset sub;
    int dw;              /* the most common width: the CIDFont's default */
    cb_buf widths;       /* the CIDFont's /W entry, written when the document is */
    HPDF_Dict font;
    HPDF_Dict desc;      /* its font descriptor */
} pdf_face;

static size_t code_index(const pdf_face *m, uint32_t cp)
{
    size_t lo = 0, hi = m->n; /* cps is sorted: binary search */
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (m->cps[mid] < cp) lo = mid + 1;
        else hi = mid;
    }
    return lo;
}

/* The code (= CID) of cps[i], and of character cp (which the face's set holds). */
static unsigned code_at(const pdf_face *m, size_t i)
{
    return m->sub.cids ? m->sub.cids[i] : (unsigned)i + 1;
}

static unsigned code_of(const pdf_face *m, uint32_t cp) { return code_at(m, code_index(m, cp)); }

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

/* The face's characters in the order of their codes, each code once: the order /W and
 * ToUnicode list them in. For TrueType that is 0..n-1; a CFF face's CIDs come in the
 * original font's order, and two characters of one glyph (a compatibility ideograph) share
 * a code, which then stands for the first. Returns the count; *order is malloc'd. */
static size_t code_order(const pdf_face *m, size_t **order)
{
    size_t *o = cb_xmalloc((m->n ? m->n : 1) * sizeof *o), k = 0;
    if (!m->sub.cids) {
        for (size_t i = 0; i < m->n; i++) o[i] = i;
        *order = o;
        return m->n;
    }
    uint64_t *key = cb_xmalloc((m->n ? m->n : 1) * sizeof *key); /* code, then index */
    for (size_t i = 0; i < m->n; i++) key[i] = (uint64_t)code_at(m, i) << 32 | i;
    qsort(key, m->n, sizeof *key, cmp_u64);
    for (size_t i = 0; i < m->n; i++) /* each code once; none for CID 0 (.notdef) */
        if (key[i] >> 32 && (!k || key[i] >> 32 != key[i - 1] >> 32)) o[k++] = (size_t)(key[i] & 0xFFFFFFFFu);
    free(key);
    *order = o;
    return k;
}

static int cmp_u16(const void *a, const void *b)
{
    return (int)*(const uint16_t *)a - (int)*(const uint16_t *)b;
}

static int most_common_width(const cb_font_subset *sub, size_t n)
{
    if (!n) return 1000;
    uint16_t *w = cb_xmalloc(n * sizeof *w);
    memcpy(w, sub->widths, n * sizeof *w);
    qsort(w, n, sizeof *w, cmp_u16);
    int best = w[0];
    size_t best_run = 0;
    for (size_t i = 0, j; i < n; i = j) {
        for (j = i; j < n && w[j] == w[i]; j++) {}
        if (j - i > best_run) {
            best_run = j - i;
            best = w[i];
        }
    }
    free(w);
    return best;
}

/* The CIDFont's W entry: runs of consecutive codes whose width is not the default. Written
 * as text: libharu would make an object of every number. */
static void widths_entry(pdf_face *m)
{
    size_t *o, k = code_order(m, &o);
    cb_buf b = {0};
    cb_buf_adds(&b, "/W [");
    for (size_t i = 0; i < k;) {
        if (m->sub.widths[o[i]] == m->dw) {
            i++;
            continue;
        }
        cb_buf_addf(&b, "%u [", code_at(m, o[i]));
        unsigned next = code_at(m, o[i]); /* a run: consecutive codes (a CFF's may skip) */
        for (; i < k && m->sub.widths[o[i]] != m->dw && code_at(m, o[i]) == next; i++, next++)
            cb_buf_addf(&b, "%u ", (unsigned)m->sub.widths[o[i]]);
        b.s[b.len - 1] = ']';
    }
    cb_buf_adds(&b, "]\012");
    m->widths = b;
    free(o);
}

/* The ToUnicode map: each code to its character. */
static HPDF_Dict tounicode_stream(HPDF_Doc pdf, const pdf_face *m)
{
    size_t *o, k = code_order(m, &o);
    cb_buf b = {0};
    cb_buf_adds(&b, "/CIDInit /ProcSet findresource begin\n12 dict begin\nbegincmap\n"
                    "/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n"
                    "/CMapName /Adobe-Identity-UCS def\n/CMapType 2 def\n"
                    "1 begincodespacerange\n<0000> <FFFF>\nendcodespacerange\n");
    for (size_t i = 0; i < k; i++) {
        if (i % 100 == 0) { /* at most 100 entries per block */
            if (i) cb_buf_adds(&b, "endbfchar\n");
            cb_buf_addf(&b, "%zu beginbfchar\n", k - i < 100 ? k - i : 100);
        }
        uint32_t cp = m->cps[o[i]];
        unsigned code = code_at(m, o[i]);
        if (cp >= 0x10000) /* UTF-16BE surrogate pair */
            cb_buf_addf(&b, "<%04X> <%04X%04X>\n", code,
                        (unsigned)(0xD800 + ((cp - 0x10000) >> 10)), (unsigned)(0xDC00 + (cp & 0x3FF)));
        else
            cb_buf_addf(&b, "<%04X> <%04X>\n", code, (unsigned)cp);
    }
    if (k) cb_buf_adds(&b, "endbfchar\n");
    cb_buf_adds(&b, "endcmap\nCMapName currentdict /CMap defineresource pop\nend\nend\n");
    free(o);
    HPDF_Dict d = deflated_stream(pdf, b.s, b.len);
    cb_buf_free(&b);
    return d;
}

/* Six capital letters naming the subset (PDF 32000 9.6.4): a hash of the face's name and
 * the characters (not of the face's place in the font list, which depends on what the
 * process drew before). */
static void subset_tag(const cb_face_set *set, const char *psname, char tag[8])
{
    uint64_t h = cb_fnv1a(CB_FNV_SEED, psname, strlen(psname));
    /* each code point xored whole, not by bytes (FNV-1a's step on 32-bit units): the tags
     * stay those of earlier output */
    for (size_t i = 0; i < set->n; i++) h = (h ^ set->cps[i]) * CB_FNV_PRIME;
    for (int i = 0; i < 6; i++, h /= 26) tag[i] = (char)('A' + h % 26);
    tag[6] = '+';
    tag[7] = '\0';
}

/* Builds the Type 0 font of one face set: Type0 -> CIDFontType2 -> FontDescriptor ->
 * FontFile2 (a TrueType subset, deflated) with a CIDToGIDMap stream, or for a CFF face
 * Type0 -> CIDFontType0 -> FontDescriptor -> FontFile3 /CIDFontType0C (the subset's CFF
 * program, deflated; its charset maps CIDs to glyphs); and a ToUnicode stream. Returns
 * HPDF_OK or libharu's error (the handler has recorded it too). */
static HPDF_STATUS add_font(HPDF_Doc pdf, cb_font *font, const cb_face_set *set, pdf_face *m)
{
    cb_font_face_info info;
    cb_font_face_info_get(font, set->face, &info);
    char name[112];
    subset_tag(set, info.psname, name);
    snprintf(name + 7, sizeof name - 7, "%s", info.psname);
    for (char *c = name; *c; c++) /* a name token: no delimiters or blanks */
        if (*c <= ' ' || *c >= 0x7F || strchr("()<>[]{}/%#", *c)) *c = '-';

    /* not covered: the HPDF_FAILD_TO_ALLOC_MEM returns below, taken only when libharu's
     * allocations fail (out of memory) */
    HPDF_STATUS st = HPDF_OK;
    HPDF_Dict file = deflated_stream(pdf, m->sub.data, m->sub.len);
    if (!file) return HPDF_FAILD_TO_ALLOC_MEM;
    if (m->sub.cff) st |= cb_hpdf_put_name(file, "Subtype", "CIDFontType0C");
    else st |= cb_hpdf_put_number(file, "Length1", (HPDF_INT32)m->sub.len);

    HPDF_Dict desc = cb_hpdf_dict(pdf, 1);
    if (!desc) return HPDF_FAILD_TO_ALLOC_MEM;
    st |= cb_hpdf_put_name(desc, "Type", "FontDescriptor");
    st |= cb_hpdf_put_name(desc, "FontName", name);
    st |= cb_hpdf_put_number(desc, "Flags", 4); /* symbolic: glyphs outside Latin sets */
    HPDF_Array bbox = cb_hpdf_array(pdf);
    if (!bbox) return HPDF_FAILD_TO_ALLOC_MEM;
    st |= cb_hpdf_put(desc, "FontBBox", bbox);
    for (int i = 0; i < 4; i++) st |= cb_hpdf_append_number(bbox, info.bbox[i]);
    st |= cb_hpdf_put_number(desc, "ItalicAngle", 0);
    st |= cb_hpdf_put_number(desc, "Ascent", info.ascent);
    st |= cb_hpdf_put_number(desc, "Descent", info.descent);
    st |= cb_hpdf_put_number(desc, "CapHeight", info.cap_height);
    st |= cb_hpdf_put_number(desc, "StemV", 80);
    st |= cb_hpdf_put(desc, m->sub.cff ? "FontFile3" : "FontFile2", file);
    m->desc = desc;

    HPDF_Dict gidmap = NULL;
    if (!m->sub.cff) { /* code i + 1 -> the subset's glyph of cps[i]; code 0 -> .notdef */
        uint8_t *map = cb_xmalloc(2 * (m->n + 1));
        map[0] = map[1] = 0;
        for (size_t i = 0; i < m->n; i++) {
            map[2 * i + 2] = (uint8_t)(m->sub.gids[i] >> 8);
            map[2 * i + 3] = (uint8_t)m->sub.gids[i];
        }
        gidmap = deflated_stream(pdf, map, 2 * (m->n + 1));
        free(map);
        if (!gidmap) return HPDF_FAILD_TO_ALLOC_MEM;
    }

    HPDF_Dict cid = cb_hpdf_dict(pdf, 1);
    HPDF_Dict sysinfo = cb_hpdf_dict(pdf, 0);
    if (!cid || !sysinfo) return HPDF_FAILD_TO_ALLOC_MEM;
    st |= cb_hpdf_put_name(cid, "Type", "Font");
    st |= cb_hpdf_put_name(cid, "Subtype", m->sub.cff ? "CIDFontType0" : "CIDFontType2");
    st |= cb_hpdf_put_name(cid, "BaseFont", name);
    st |= cb_hpdf_put(sysinfo, "Registry", cb_hpdf_string(pdf, "Adobe"));
    st |= cb_hpdf_put(sysinfo, "Ordering", cb_hpdf_string(pdf, "Identity"));
    st |= cb_hpdf_put_number(sysinfo, "Supplement", 0);
    st |= cb_hpdf_put(cid, "CIDSystemInfo", sysinfo);
    st |= cb_hpdf_put(cid, "FontDescriptor", desc);
    m->dw = most_common_width(&m->sub, m->n);
    st |= cb_hpdf_put_number(cid, "DW", m->dw);
    if (gidmap) st |= cb_hpdf_put(cid, "CIDToGIDMap", gidmap);
    widths_entry(m);
    cb_hpdf_put_raw(cid, m->widths.s);

    HPDF_Dict tu = tounicode_stream(pdf, m);
    HPDF_Dict t0 = cb_hpdf_dict(pdf, 1);
    HPDF_Array desc_fonts = cb_hpdf_array(pdf);
    if (!tu || !t0 || !desc_fonts) return HPDF_FAILD_TO_ALLOC_MEM;
    st |= cb_hpdf_put_name(t0, "Type", "Font");
    st |= cb_hpdf_put_name(t0, "Subtype", "Type0");
    st |= cb_hpdf_put_name(t0, "BaseFont", name);
    st |= cb_hpdf_put_name(t0, "Encoding", "Identity-H");
    st |= cb_hpdf_put(t0, "DescendantFonts", desc_fonts);
    st |= cb_hpdf_append(desc_fonts, cid);
    st |= cb_hpdf_put(t0, "ToUnicode", tu);
    m->font = t0;
    return st;
}

/* The document's date (clock.h) as both the creation and the modification date; an
 * undated document has neither. */
static void set_date(HPDF_Doc pdf, const cb_doc_info *doc)
{
    if (!doc->dated) return;
    time_t tt = (time_t)doc->date;
    struct tm tm;
    gmtime_r(&tt, &tm);
    HPDF_Date d = {tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                   'Z', 0, 0};
    HPDF_SetInfoDateAttr(pdf, HPDF_INFO_CREATION_DATE, d);
    HPDF_SetInfoDateAttr(pdf, HPDF_INFO_MOD_DATE, d);
}


/* ---- page content ------------------------------------------------------------------------ */

/* A number in a content stream: at most `dec` decimals (2 or 3), no exponent, no trailing
 * zeros; anything not finite (which layout never makes) as 0. */
static void put_num(cb_buf *b, double v, int dec)
{
    if (!isfinite(v)) v = 0;
    if (v > 1e7) v = 1e7;
    if (v < -1e7) v = -1e7;
    long long scale = dec == 3 ? 1000 : 100;
    long long q = llround(v * (double)scale);
    char tmp[40], *e = tmp + sizeof tmp, *p = e;
    *--p = ' '; /* every number is followed by a space */
    int neg = q < 0;
    unsigned long long u = (unsigned long long)(neg ? -q : q);
    unsigned long long ip = u / (unsigned long long)scale, fp = u % (unsigned long long)scale;
    if (fp) {
        int digits = dec;
        while (fp % 10 == 0) {
            fp /= 10;
            digits--;
        }
        for (int i = 0; i < digits; i++, fp /= 10) *--p = (char)('0' + fp % 10);
        *--p = '.';
    }
    do *--p = (char)('0' + ip % 10); while ((ip /= 10));
    if (neg && u) *--p = '-';
    cb_buf_add(b, p, (size_t)(e - p));
}

static void put_nums(cb_buf *b, int n, const double *v)
{
    for (int i = 0; i < n; i++) put_num(b, v[i], 2);
}

/* What the content stream has set so far, so repeats are not written again. */
typedef struct pen {
    cb_rgb fill, stroke;
    float line_width, char_space, font_size;
    int have_fill, have_stroke, have_width, render;
    HPDF_Dict font;
} pen;

static void set_color(cb_buf *b, cb_rgb c, int stroke, cb_rgb *cur, int *have)
{
    if (*have && cur->r == c.r && cur->g == c.g && cur->b == c.b) return;
    put_num(b, c.r, 3);
    put_num(b, c.g, 3);
    put_num(b, c.b, 3);
    cb_buf_adds(b, stroke ? "RG\n" : "rg\n");
    *cur = c;
    *have = 1;
}

static void set_line_width(cb_buf *b, pen *p, float w)
{
    if (p->have_width && p->line_width == w) return;
    put_num(b, w, 3);
    cb_buf_adds(b, "w\n");
    p->line_width = w;
    p->have_width = 1;
}

/* A path from a plugin block, inside q/Q so its dash and line width don't leak into what
 * follows (nor into the pen). */
static void draw_path(cb_buf *b, const cb_op *op)
{
    int open = 0; /* lineto/curveto need a current point */
    cb_buf_adds(b, "q\n");
    if (op->paint & CB_PAINT_FILL) {
        pen scratch = {0};
        set_color(b, op->color, 0, &scratch.fill, &scratch.have_fill);
    }
    if (op->paint & CB_PAINT_STROKE) {
        pen scratch = {0};
        set_color(b, op->stroke, 1, &scratch.stroke, &scratch.have_stroke);
        set_line_width(b, &scratch, op->size);
        if (op->dash_on > 0) {
            double on = floor(op->dash_on + 0.5), off = floor(op->dash_off + 0.5);
            if (on < 1) on = 1;
            cb_buf_adds(b, "[");
            put_num(b, on, 2);
            if (off > 0) put_num(b, off, 2);
            cb_buf_adds(b, "] 0 d\n");
        }
    }
    for (size_t i = 0; i < op->nsegs; i++) {
        const cb_path_seg *s = &op->segs[i];
        double v[6];
        for (int k = 0; k < 6; k++) v[k] = s->pt[k];
        switch (s->kind) {
        case 'm': put_nums(b, 2, v); cb_buf_adds(b, "m\n"); open = 1; break;
        case 'l': if (open) { put_nums(b, 2, v); cb_buf_adds(b, "l\n"); } break;
        case 'c': if (open) { put_nums(b, 6, v); cb_buf_adds(b, "c\n"); } break;
        case 'h': if (open) cb_buf_adds(b, "h\n"); break;
        case 'r': put_nums(b, 4, v); cb_buf_adds(b, "re\n"); open = 1; break;
        }
    }
    if (open) {
        if (op->paint == (CB_PAINT_FILL | CB_PAINT_STROKE)) cb_buf_adds(b, "B\n");
        else if (op->paint & CB_PAINT_FILL) cb_buf_adds(b, "f\n");
        else cb_buf_adds(b, "S\n");
    }
    cb_buf_adds(b, "Q\n");
}

/* The images of a document, each file loaded once. */
typedef struct image_cache {
    size_t n;
    const char *path[8];
    HPDF_Image img[8];
    int opaque;        /* transparency is refused (PDF/A-1: cb_pdfa_opaque) */
    const char *alpha; /* then the first image that has it (libharu gave it an /SMask) */
} image_cache;

/* An image op: the file was checked when the template was read (cb_image_check). */
static void draw_image(HPDF_Doc pdf, HPDF_Page page, image_cache *ic, cb_buf *b, const cb_op *op)
{
    HPDF_Image img = NULL;
    for (size_t i = 0; i < ic->n && !img; i++)
        if (strcmp(ic->path[i], op->text) == 0) img = ic->img[i];
    if (!img) {
        img = op->bold ? HPDF_LoadJpegImageFromFile(pdf, op->text)
                       : HPDF_LoadPngImageFromFile(pdf, op->text);
        if (!img) return; /* the error handler has recorded why */
        if (ic->opaque && !ic->alpha && cb_hpdf_has(img, "SMask")) ic->alpha = op->text;
        if (ic->n < sizeof ic->img / sizeof ic->img[0]) {
            ic->path[ic->n] = op->text;
            ic->img[ic->n++] = img;
        }
    }
    const char *name = cb_hpdf_image_name(page, img);
    if (!name) return;
    double v[6] = {op->w, 0, 0, op->h, op->x, op->y};
    cb_buf_adds(b, "q\n");
    put_nums(b, 6, v);
    cb_buf_addf(b, "cm\n/%s Do\nQ\n", name);
}

/* Begins op's text object: its colours, BT, the text state that changed, its position. */
static void text_object(cb_buf *b, pen *p, const pdf_face *m, const char *fname, const cb_op *op)
{
    set_color(b, op->color, 0, &p->fill, &p->have_fill);
    if (op->bold) { /* faux bold (layout.h): thicken the outline with a stroke */
        set_color(b, op->color, 1, &p->stroke, &p->have_stroke);
        set_line_width(b, p, op->size * CB_FAUX_BOLD_EM);
    }
    cb_buf_adds(b, "BT\n");
    if (p->font != m->font || p->font_size != op->size) {
        cb_buf_addf(b, "/%s ", fname);
        put_num(b, op->size, 2);
        cb_buf_adds(b, "Tf\n");
        p->font = m->font;
        p->font_size = op->size;
    }
    int render = op->bold ? 2 : 0;
    if (p->render != render) {
        cb_buf_adds(b, render ? "2 Tr\n" : "0 Tr\n");
        p->render = render;
    }
    if (p->char_space != op->spacing) {
        put_num(b, op->spacing, 3);
        cb_buf_adds(b, "Tc\n");
        p->char_space = op->spacing;
    }
    if (op->angle != 0) { /* rotated about its start (the watermark) */
        double c = cos(op->angle), s = sin(op->angle);
        double v[6] = {c, s, -s, c, op->x, op->y};
        for (int i = 0; i < 4; i++) put_num(b, v[i], 3);
        put_nums(b, 2, v + 4);
        cb_buf_adds(b, "Tm\n");
    } else {
        double v[2] = {op->x, op->y};
        put_nums(b, 2, v);
        cb_buf_adds(b, "Td\n");
    }
}

/* Ends the text-showing operator begun (*shown), Tj or TJ (dx); *open: inside its string. */
static void end_show(cb_buf *b, const float *dx, int *shown, int *open)
{
    if (*shown) cb_buf_adds(b, !dx ? "> Tj\n" : *open ? ">] TJ\n" : "] TJ\n");
    *shown = *open = 0;
}

/* A text op: its characters as two-byte codes of its face's font, in hex. Skipped
 * characters are dropped; in a run no face has, each character is the replacement. When
 * tags marks text in another language (pdf_tags.h: cb_pdf_tags_other_lang), each run of it
 * is a text object in a sequence of its own, begun where the glyphs before it end (their
 * widths as the font's /W gives them, the spacing and the displacements). */
static void draw_text(HPDF_Page page, cb_font *font, const pdf_face *m, cb_buf *b, pen *p,
                      const cb_op *op, cb_pdf_tags *tags)
{
    const char *fname = cb_hpdf_font_name(page, m->font);
    if (!fname) return; /* the error handler has recorded why */
    const char *lang = tags && op->angle == 0 ? cb_pdf_tags_other_lang(tags) : NULL;
    int shown = 0, open = 0, in_bt = 0; /* a show operator begun; inside its string; BT */
    const char *run = NULL;             /* the end of the run in lang being drawn */
    double adv = 0;                     /* how far the glyphs drawn have moved, in points */
    static const char hex[] = "0123456789ABCDEF";
    const char *s = op->text, *end = s + strlen(s);
    unsigned repl = op->font < 0 ? code_of(m, cb_font_replacement(font)) : 0;
    for (size_t i = 0; s < end || !in_bt;) {
        if (lang && s < end) {
            if (run && s >= run) run = NULL;
            const char *r = run ? run : cb_pdf_tags_run_end(s, end);
            run = r != s ? r : NULL;
            if (!run != !cb_pdf_tags_lang(tags)) { /* the language changes here */
                end_show(b, op->dx, &shown, &open);
                if (in_bt) cb_buf_adds(b, "ET\n");
                cb_pdf_tags_split(tags, b, run ? lang : NULL);
                if (in_bt) {
                    double v[2] = {op->x + adv, op->y};
                    cb_buf_adds(b, "BT\n");
                    put_nums(b, 2, v);
                    cb_buf_adds(b, "Td\n");
                }
            }
        }
        if (!in_bt) {
            in_bt = 1;
            text_object(b, p, m, fname, op);
            continue;
        }
        uint32_t cp = cb_utf8_next(&s, end);
        if (cb_font_invisible(cp)) continue;
        /* displaced characters (layout.h: dx) as TJ's numbers, in thousandths of the size,
         * a positive one moving left; else one string for Tj */
        if (!shown) {
            cb_buf_adds(b, op->dx ? "[" : "<");
            shown = 1;
            open = !op->dx;
        }
        if (op->dx && op->dx[i] != 0) {
            if (open) cb_buf_adds(b, ">");
            put_num(b, -op->dx[i] * 1000 / op->size, 2);
            open = 0;
            adv += op->dx[i];
        }
        if (!open) cb_buf_adds(b, "<");
        open = 1;
        i++;
        size_t k = code_index(m, op->font < 0 ? cb_font_replacement(font) : cp);
        unsigned code = op->font < 0 ? repl : code_at(m, k);
        char h[4] = {hex[code >> 12 & 15], hex[code >> 8 & 15], hex[code >> 4 & 15], hex[code & 15]};
        cb_buf_add(b, h, 4);
        if (lang) adv += (k < m->n ? m->sub.widths[k] : m->dw) * op->size / 1000.0 + op->spacing;
    }
    if (!shown) { /* nothing drawn: an empty string, as ever */
        cb_buf_adds(b, op->dx ? "[" : "<");
        shown = 1;
        open = !op->dx;
    }
    end_show(b, op->dx, &shown, &open);
    cb_buf_adds(b, "ET\n");
}

/* Appends op to page content b; faces[f] is face f's font (NULL if the document does not
 * use the face), p what the content has set so far, tags as draw_text's. */
static void draw_op(HPDF_Doc pdf, HPDF_Page page, cb_font *font, const pdf_face *const *faces, const cb_op *op,
                    cb_buf *b, pen *p, image_cache *ic, cb_pdf_tags *tags)
{
    double v[4] = {op->x, op->y, op->w, op->h};
    switch (op->kind) {
    case CB_OP_RECT:
        set_color(b, op->color, 0, &p->fill, &p->have_fill);
        put_nums(b, 4, v);
        cb_buf_adds(b, "re\nf\n");
        break;
    case CB_OP_LINE:
        set_color(b, op->color, 1, &p->stroke, &p->have_stroke);
        set_line_width(b, p, op->size);
        v[2] += v[0];
        v[3] += v[1];
        put_nums(b, 2, v);
        cb_buf_adds(b, "m\n");
        put_nums(b, 2, v + 2);
        cb_buf_adds(b, "l\nS\n");
        break;
    case CB_OP_PATH:
        draw_path(b, op);
        break;
    case CB_OP_IMAGE:
        draw_image(pdf, page, ic, b, op);
        break;
    case CB_OP_TEXT: {
        const pdf_face *m = faces[cb_op_face(op)];
        if (m) draw_text(page, font, m, b, p, op, tags); /* else cannot happen: collected */
        break;
    }
    }
}

/* ---- the backend ---------------------------------------------------------------------- */

/* The info dictionary's /Creator (and the XMP packet's xmp:CreatorTool). */
#define CREATOR "countybrief " CB_VERSION_STRING

/* One document being written (backend.h: its state). */
typedef struct pdf_doc {
    const cb_layout *l;
    cb_font *font;
    cb_face_set *sets;
    size_t nsets;
    pdf_face *pf;
    const pdf_face **by_face;  /* face -> its font, NULL if the document does not use it */
    haru_status st;
    HPDF_Doc pdf;
    HPDF_Page *pages;
    size_t npages;
    HPDF_Page page;            /* the page being written */
    pen pen;
    cb_buf content;            /* its content stream */
    image_cache images;
    cb_pdf_tags *tags;         /* its structure (pdf_tags.h) */
    cb_pdfa *pdfa;             /* PDF/A's (pdf_pdfa.h); NULL for a plain PDF */
} pdf_doc;

/* CB_OK, or err from libharu's first error (its handler recorded it). */
static int haru_check(pdf_doc *d, cb_error *err)
{
    return d->st.error ? haru_fail(err, d->st.error, d->st.detail, "while writing the PDF") : CB_OK;
}

static void pdf_free_document(void *state)
{
    pdf_doc *d = state;
    if (!d) return;
    if (d->pdf) HPDF_Free(d->pdf);
    for (size_t i = 0; i < d->nsets; i++) {
        cb_font_subset_free(&d->pf[i].sub);
        cb_buf_free(&d->pf[i].widths);
    }
    free(d->pf);
    free(d->by_face);
    cb_face_sets_free(d->sets, d->nsets);
    free(d->pages);
    cb_buf_free(&d->content);
    cb_pdf_tags_free(d->tags);
    cb_pdfa_free(d->pdfa);
    free(d);
}

/* Subsets every face the display list draws with (all its pages are known: fonts come
 * first), then starts the document with its fonts and information. */
static int pdf_begin_document(void **state, const cb_layout *l, cb_font *font, cb_error *err)
{
    pdf_doc *d = cb_xcalloc(1, sizeof *d);
    *state = d;
    d->l = l;
    d->font = font;
    size_t nfaces = cb_font_nfaces(font);
    d->sets = cb_face_sets(l, font, &d->nsets);
    d->pf = cb_xcalloc(d->nsets, sizeof *d->pf);
    d->by_face = cb_xcalloc(nfaces, sizeof *d->by_face);
    for (size_t i = 0; i < d->nsets; i++) {
        int rc = cb_font_subset_make(font, d->sets[i].face, d->sets[i].cps, d->sets[i].n, &d->pf[i].sub, err);
        d->pf[i].cps = d->sets[i].cps;
        d->pf[i].n = d->sets[i].n;
        d->by_face[d->sets[i].face] = &d->pf[i];
        if (rc != CB_OK) return rc;
    }
    d->pdf = HPDF_New(on_haru_error, &d->st);
    if (!d->pdf) return cb_fail(err, CB_ENOMEM, "libharu: cannot create a document"); /* not covered: out of memory */
    /* fonts and page contents are deflated here (put_deflated); libharu only compresses
     * the images it loads */
    HPDF_SetCompressionMode(d->pdf, HPDF_COMP_IMAGE);
    for (size_t i = 0; i < d->nsets && !d->st.error; i++)
        if (add_font(d->pdf, font, &d->sets[i], &d->pf[i]) != HPDF_OK && !d->st.error)
            d->st.error = HPDF_FAILD_TO_ALLOC_MEM;
    HPDF_SetInfoAttr(d->pdf, HPDF_INFO_CREATOR, CREATOR);
    const char *info_keys[] = {"Title", "Subject", "Author", "Keywords"};
    const char *info_vals[] = {l->info.title, l->info.subject, l->info.author, l->info.keywords};
    /* PDF/A: the texts the XMP packet shows too; pdfuaid:part 0 until the document is
     * tagged (pdf_tags.c: then 1) */
    if ((d->pdfa = cb_pdfa_new(&l->info, 1))) cb_pdfa_info_texts(d->pdfa, info_vals);
    d->images.opaque = cb_pdfa_opaque(d->pdfa);
    for (size_t i = 0; i < d->nsets && !d->st.error; i++)
        if (cb_pdfa_cidset(d->pdfa, d->pdf, d->pf[i].desc, d->pf[i].sub.cids, d->pf[i].n) != HPDF_OK && !d->st.error)
            d->st.error = HPDF_FAILD_TO_ALLOC_MEM;
    for (int i = 0; i < 4; i++)
        if (info_vals[i]) cb_hpdf_info(d->pdf, info_keys[i], cb_pdf_text_string(d->pdf, info_vals[i]));
    set_date(d->pdf, &l->info);
    d->pages = cb_xcalloc(l->npages ? l->npages : 1, sizeof *d->pages);
    d->tags = cb_pdf_tags_new(l, font);
    return haru_check(d, err);
}

static int pdf_begin_page(void *state, size_t i, cb_error *err)
{
    pdf_doc *d = state;
    d->page = d->pages[i] = HPDF_AddPage(d->pdf);
    if (!d->page && !d->st.error) d->st.error = HPDF_FAILD_TO_ALLOC_MEM; /* not covered: the handler says why */
    if (!d->page) return haru_check(d, err);
    d->npages = i + 1;
    HPDF_Page_SetWidth(d->page, d->l->page_w);
    HPDF_Page_SetHeight(d->page, d->l->page_h);
    memset(&d->pen, 0, sizeof d->pen);
    d->content.len = 0;
    cb_pdf_tags_page(d->tags, i);
    return haru_check(d, err);
}

static int pdf_ops(void *state, const cb_op *ops, size_t n, cb_error *err)
{
    pdf_doc *d = state;
    cb_pdf_tags_open(d->tags, &d->content, ops, n); /* marked content: whole operations */
    for (size_t k = 0; k < n; k++) draw_op(d->pdf, d->page, d->font, d->by_face, &ops[k], &d->content, &d->pen,
                                           &d->images, d->tags);
    cb_pdf_tags_close(&d->content);
    if (d->images.alpha) /* PDF/A-1 */
        return cb_fail(err, CB_EPDF, "the image %s has transparency (an alpha channel), which PDF/A-1 "
                       "(--pdf-standard a-1b) does not allow: use a-2b or a-2u, or an image without it",
                       d->images.alpha); /* libharu's errors are checked when the page ends */
    return CB_OK;
}

static int pdf_end_page(void *state, cb_error *err)
{
    pdf_doc *d = state;
    if (put_deflated(cb_hpdf_page_contents(d->page), d->content.s ? d->content.s : "", d->content.len) != HPDF_OK &&
        !d->st.error)
        d->st.error = HPDF_FAILD_TO_ALLOC_MEM;
    if (cb_pdf_tags_end_page(d->tags, d->page) != HPDF_OK && !d->st.error) d->st.error = HPDF_FAILD_TO_ALLOC_MEM;
    cb_pdfa_hash(d->pdfa, deflated.s, deflated.len); /* the page as deflated: a fifth to hash */
    return haru_check(d, err);
}

/* The structure tree and the outline, then the whole file into out. */
static int pdf_end_document(void *state, cb_buf *out, cb_error *err)
{
    pdf_doc *d = state;
    const cb_layout *l = d->l;
    HPDF_Doc pdf = d->pdf;
    if (!d->st.error && cb_pdf_tags_finish(d->tags, pdf, d->pages, d->npages) != HPDF_OK && !d->st.error)
        d->st.error = HPDF_FAILD_TO_ALLOC_MEM;
    if (!d->st.error && cb_pdf_tags_outline(d->tags, pdf, d->pages) != HPDF_OK && !d->st.error)
        d->st.error = HPDF_FAILD_TO_ALLOC_MEM;
    if (!d->st.error && cb_pdfa_finish(d->pdfa, pdf, CREATOR) != HPDF_OK && !d->st.error)
        d->st.error = HPDF_FAILD_TO_ALLOC_MEM;
    /* object streams (pdf_objstm.h) except under PDF/A-1, which forbids them */
    int compact = l->info.standard != CB_PDF_A1B;
    if (compact) cb_hpdf_min_version(pdf, HPDF_VER_15);
    if (!d->st.error) HPDF_SaveToStream(pdf);
    int rc = haru_check(d, err);
    if (rc != CB_OK) return rc;
    HPDF_ResetStream(pdf);
    HPDF_UINT32 size = HPDF_GetStreamSize(pdf), got = size;
    cb_buf classic = {0}, *to = compact ? &classic : out; /* libharu's file, before pdf_objstm.c */
    HPDF_BYTE *at = (HPDF_BYTE *)cb_buf_reserve(to, size);
    HPDF_STATUS s = size ? HPDF_ReadFromStream(pdf, at, &got) : HPDF_OK;
    if ((s != HPDF_OK && s != HPDF_STREAM_EOF) || got != size) {
        cb_buf_free(&classic);
        return haru_fail(err, s, 0, "reading the PDF from memory");
    }
    to->len += size;
    to->s[to->len] = '\0';
    if (compact && !cb_pdf_objstm(to->s, to->len, out)) cb_buf_add(out, to->s, to->len); /* not covered */
    cb_buf_free(&classic);
    return CB_OK;
}

const cb_backend cb_pdf_backend = {
    .name = "pdf",
    .ext = "pdf",
    .begin_document = pdf_begin_document,
    .begin_page = pdf_begin_page,
    .ops = pdf_ops,
    .end_page = pdf_end_page,
    .end_document = pdf_end_document,
    .free_document = pdf_free_document,
    .release = cb_pdf_release,
};
