/* pdf.c: see pdf.h. */
#define _GNU_SOURCE /* memfd_create */
#include "pdf.h"

#include <errno.h>
#include <math.h>
#include <hpdf.h>
#include <hpdf_doc.h>     /* HPDF_Doc's xref, to add the ToUnicode stream */
#include <hpdf_objects.h> /* HPDF_Dict_Add, HPDF_DictStream_New */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "countybrief/countybrief.h"

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

/* The characters one face draws in a document: sorted, distinct. */
typedef struct face_set {
    int face;          /* index in the font list */
    uint32_t *cps;
    size_t n;
} face_set;

/* The face of a text op as drawn: a character no face has is the replacement, in face 0. */
static int op_face(const cb_op *op) { return op->font >= 0 ? op->font : 0; }

/*
 * Sorted distinct code points of every text operation, per face, into sets (one per face
 * used, the primary always first, the others in order of first use: the same document
 * gives the same order whatever the process drew before). Skipped characters (controls,
 * default-ignorables) are left out; a run of characters no face has contributes the
 * replacement character to face 0. Returns the number of sets.
 */
static size_t collect_codepoints(const cb_layout *l, cb_font *font, face_set *sets)
{
    size_t nfaces = cb_font_nfaces(font), nsets = 1;
    int *slot = cb_xmalloc(nfaces * sizeof *slot);          /* face -> set, or -1 */
    uint8_t **seen = cb_xcalloc(nfaces, sizeof *seen);      /* per set: a bit per code point */
    size_t *count = cb_xcalloc(nfaces, sizeof *count);
    for (size_t i = 0; i < nfaces; i++) slot[i] = -1;
    slot[0] = 0;
    sets[0].face = 0;
    seen[0] = cb_xcalloc(0x110000 / 8, 1);
    uint32_t repl = cb_font_replacement(font);
    for (size_t p = 0; p < l->npages; p++)
        for (size_t k = 0; k < l->pages[p].nops; k++) {
            const cb_op *op = &l->pages[p].ops[k];
            if (op->kind != CB_OP_TEXT) continue;
            int face = op_face(op);
            if (face >= (int)nfaces) continue; /* cannot happen: faces are never removed */
            if (slot[face] < 0) {
                slot[face] = (int)nsets;
                sets[nsets].face = face;
                seen[nsets] = cb_xcalloc(0x110000 / 8, 1);
                nsets++;
            }
            size_t si = (size_t)slot[face];
            uint8_t *bits = seen[si];
            const char *s = op->text, *end = s + strlen(s);
            while (s < end) {
                uint32_t cp = cb_utf8_next(&s, end);
                if (cb_font_invisible(cp)) continue;
                if (op->font < 0) cp = repl;
                if (!(bits[cp >> 3] & (1u << (cp & 7)))) {
                    bits[cp >> 3] |= (uint8_t)(1u << (cp & 7));
                    count[si]++;
                }
            }
        }
    for (size_t si = 0; si < nsets; si++) {
        size_t n = count[si], i = 0;
        uint32_t *cps = cb_xmalloc((n ? n : 1) * sizeof *cps);
        for (uint32_t cp = 0; cp < 0x110000 && i < n; cp++)
            if (seen[si][cp >> 3] & (1u << (cp & 7))) cps[i++] = cp;
        sets[si].cps = cps;
        sets[si].n = n;
        free(seen[si]);
    }
    free(seen);
    free(count);
    free(slot);
    return nsets;
}

static void free_sets(face_set *sets, size_t n)
{
    for (size_t i = 0; i < n; i++) free(sets[i].cps);
}

/* The ToUnicode map: code CB_SUBSET_BASE + i is the character cps[i] (see font.h). It also
 * replaces libharu 2.3.0's own map, which uses `begincidrange`, an operator a ToUnicode map
 * may not use (poppler warns on every page; other readers may lose copy and search).
 * Returns 0 on success. */
static int replace_tounicode(HPDF_Doc pdf, HPDF_Font font, const uint32_t *cps, size_t n)
{
    HPDF_Dict dict = (HPDF_Dict)font;
    HPDF_Dict cmap = HPDF_DictStream_New(dict->mmgr, pdf->xref);
    if (!cmap) return -1;
    cmap->filter = HPDF_STREAM_FILTER_FLATE_DECODE;
    cb_buf b = {0};
    cb_buf_adds(&b, "/CIDInit /ProcSet findresource begin\n12 dict begin\nbegincmap\n"
                    "/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n"
                    "/CMapName /Adobe-Identity-UCS def\n/CMapType 2 def\n"
                    "1 begincodespacerange\n<0000> <FFFF>\nendcodespacerange\n");
    for (size_t i = 0; i < n; i++) {
        if (i % 100 == 0) { /* at most 100 entries per block */
            if (i) cb_buf_adds(&b, "endbfchar\n");
            cb_buf_addf(&b, "%zu beginbfchar\n", n - i < 100 ? n - i : 100);
        }
        uint32_t cp = cps[i];
        if (cp >= 0x10000) /* UTF-16BE surrogate pair */
            cb_buf_addf(&b, "<%04X> <%04X%04X>\n", (unsigned)(CB_SUBSET_BASE + i),
                        (unsigned)(0xD800 + ((cp - 0x10000) >> 10)), (unsigned)(0xDC00 + (cp & 0x3FF)));
        else
            cb_buf_addf(&b, "<%04X> <%04X>\n", (unsigned)(CB_SUBSET_BASE + i), (unsigned)cp);
    }
    if (n) cb_buf_adds(&b, "endbfchar\n");
    cb_buf_adds(&b, "endcmap\nCMapName currentdict /CMap defineresource pop\nend\nend\n");
    HPDF_STATUS st = HPDF_Stream_Write(cmap->stream, (const HPDF_BYTE *)b.s, (HPDF_UINT)b.len);
    cb_buf_free(&b);
    if (st != HPDF_OK) return -1;
    return HPDF_Dict_Add(dict, "ToUnicode", cmap) == HPDF_OK ? 0 : -1;
}

/* A face's characters in the document, and the PDF font drawing them. */
typedef struct pdf_face {
    const uint32_t *cps;  /* sorted: code CB_SUBSET_BASE + i draws cps[i] */
    size_t n;
    HPDF_Font hfont;
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

/* Re-encodes op's UTF-8 text into its face's subset codes (CB_SUBSET_BASE + index), into
 * buf: skipped characters are dropped, and in a run no face has every character becomes
 * the replacement. */
static const char *encode_text(cb_font *font, const pdf_face *m, const cb_op *op, cb_buf *buf)
{
    buf->len = 0;
    const char *s = op->text, *end = s + strlen(s);
    size_t repl = op->font < 0 ? code_index(m, cb_font_replacement(font)) : 0;
    while (s < end) {
        uint32_t cp = cb_utf8_next(&s, end);
        if (cb_font_invisible(cp)) continue;
        size_t i = op->font < 0 ? repl : code_index(m, cp);
        char enc[4];
        int k = cb_utf8_encode(CB_SUBSET_BASE + (uint32_t)i, enc);
        cb_buf_add(buf, enc, (size_t)k);
    }
    if (!buf->s) cb_buf_add(buf, "", 0);
    return buf->s;
}

static void set_date(HPDF_Doc pdf)
{
    const char *sde = getenv("SOURCE_DATE_EPOCH");
    if (!sde || !*sde) return;
    char *end;
    long long v = strtoll(sde, &end, 10);
    if (*end || v < 0) return;
    time_t tt = (time_t)v;
    struct tm tm;
    gmtime_r(&tt, &tm);
    HPDF_Date d = {tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                   'Z', 0, 0};
    HPDF_SetInfoDateAttr(pdf, HPDF_INFO_CREATION_DATE, d);
    HPDF_SetInfoDateAttr(pdf, HPDF_INFO_MOD_DATE, d);
}

/* A path from a plugin block, inside a saved graphics state so its dash and line width
 * don't leak into what follows. */
static void draw_path(HPDF_Page page, const cb_op *op)
{
    HPDF_Page_GSave(page);
    if (op->paint & CB_PAINT_FILL) HPDF_Page_SetRGBFill(page, op->color.r, op->color.g, op->color.b);
    if (op->paint & CB_PAINT_STROKE) {
        HPDF_Page_SetRGBStroke(page, op->stroke.r, op->stroke.g, op->stroke.b);
        HPDF_Page_SetLineWidth(page, op->size);
        if (op->dash_on > 0) {
            HPDF_UINT16 dash[2] = {(HPDF_UINT16)(op->dash_on + 0.5f), (HPDF_UINT16)(op->dash_off + 0.5f)};
            if (!dash[0]) dash[0] = 1;
            HPDF_Page_SetDash(page, dash, dash[1] ? 2 : 1, 0);
        }
    }
    int open = 0; /* libharu refuses lineto/curveto before a moveto */
    for (size_t i = 0; i < op->nsegs; i++) {
        const cb_path_seg *s = &op->segs[i];
        switch (s->kind) {
        case 'm': HPDF_Page_MoveTo(page, s->pt[0], s->pt[1]); open = 1; break;
        case 'l': if (open) HPDF_Page_LineTo(page, s->pt[0], s->pt[1]); break;
        case 'c': if (open) HPDF_Page_CurveTo(page, s->pt[0], s->pt[1], s->pt[2], s->pt[3], s->pt[4], s->pt[5]); break;
        case 'h': if (open) HPDF_Page_ClosePath(page); break;
        case 'r': HPDF_Page_Rectangle(page, s->pt[0], s->pt[1], s->pt[2], s->pt[3]); open = 1; break;
        }
    }
    if (open) {
        if (op->paint == (CB_PAINT_FILL | CB_PAINT_STROKE)) HPDF_Page_FillStroke(page);
        else if (op->paint & CB_PAINT_FILL) HPDF_Page_Fill(page);
        else HPDF_Page_Stroke(page);
    }
    HPDF_Page_GRestore(page);
}

/* The images of a document, each file loaded once. */
typedef struct image_cache {
    size_t n;
    const char *path[8];
    HPDF_Image img[8];
} image_cache;

/* An image op: the file was checked when the template was read (cb_image_check). */
static void draw_image(HPDF_Doc pdf, HPDF_Page page, image_cache *ic, const cb_op *op)
{
    HPDF_Image img = NULL;
    for (size_t i = 0; i < ic->n && !img; i++)
        if (strcmp(ic->path[i], op->text) == 0) img = ic->img[i];
    if (!img) {
        img = op->bold ? HPDF_LoadJpegImageFromFile(pdf, op->text)
                       : HPDF_LoadPngImageFromFile(pdf, op->text);
        if (!img) return; /* the error handler has recorded why */
        if (ic->n < sizeof ic->img / sizeof ic->img[0]) {
            ic->path[ic->n] = op->text;
            ic->img[ic->n++] = img;
        }
    }
    HPDF_Page_DrawImage(page, img, op->x, op->y, op->w, op->h);
}

/* faces[f] is face f's PDF font (NULL for a face the document does not use). */
static void draw_ops(HPDF_Doc pdf, HPDF_Page page, cb_font *font, const pdf_face *const *faces,
                     const cb_page *p, cb_buf *buf, image_cache *ic)
{
    for (size_t k = 0; k < p->nops; k++) {
        const cb_op *op = &p->ops[k];
        switch (op->kind) {
        case CB_OP_RECT:
            HPDF_Page_SetRGBFill(page, op->color.r, op->color.g, op->color.b);
            HPDF_Page_Rectangle(page, op->x, op->y, op->w, op->h);
            HPDF_Page_Fill(page);
            break;
        case CB_OP_LINE:
            HPDF_Page_SetRGBStroke(page, op->color.r, op->color.g, op->color.b);
            HPDF_Page_SetLineWidth(page, op->size);
            HPDF_Page_MoveTo(page, op->x, op->y);
            HPDF_Page_LineTo(page, op->x + op->w, op->y + op->h);
            HPDF_Page_Stroke(page);
            break;
        case CB_OP_PATH:
            draw_path(page, op);
            break;
        case CB_OP_IMAGE:
            draw_image(pdf, page, ic, op);
            break;
        case CB_OP_TEXT: {
            const pdf_face *m = faces[op_face(op)];
            if (!m) break; /* cannot happen: every op's face was collected */
            HPDF_Page_SetRGBFill(page, op->color.r, op->color.g, op->color.b);
            if (op->bold) {
                /* the CJK font has no bold face: thicken the outline with a stroke */
                HPDF_Page_SetRGBStroke(page, op->color.r, op->color.g, op->color.b);
                HPDF_Page_SetLineWidth(page, op->size * 0.035f);
            }
            HPDF_Page_BeginText(page);
            HPDF_Page_SetFontAndSize(page, m->hfont, op->size);
            if (op->bold) HPDF_Page_SetTextRenderingMode(page, HPDF_FILL_THEN_STROKE);
            if (op->spacing) HPDF_Page_SetCharSpace(page, op->spacing);
            if (op->angle != 0) { /* rotated about its start (the watermark) */
                float c = cosf(op->angle), sn = sinf(op->angle);
                HPDF_Page_SetTextMatrix(page, c, sn, -sn, c, op->x, op->y);
                HPDF_Page_ShowText(page, encode_text(font, m, op, buf));
            } else {
                HPDF_Page_TextOut(page, op->x, op->y, encode_text(font, m, op, buf));
            }
            if (op->spacing) HPDF_Page_SetCharSpace(page, 0);
            if (op->bold) HPDF_Page_SetTextRenderingMode(page, HPDF_FILL);
            HPDF_Page_EndText(page);
            break;
        }
        }
    }
}

#define RETRY_FONT_SIZE 1 /* render_once's answer: try again with another font size */

/* Subsets face set->face to set's characters and writes the subset into an anonymous
 * in-memory file for libharu to load, whose descriptor goes to *fd_out. */
static int subset_file(cb_font *font, const face_set *set, int *fd_out, cb_error *err)
{
    const char *path = cb_font_face_path(font, set->face);
    cb_font_subset sub;
    int rc = cb_font_subset_make(font, set->face, set->cps, set->n, &sub, err);
    if (rc != CB_OK) return rc;
    int fd = memfd_create("countybrief-font", MFD_CLOEXEC);
    if (fd < 0) {
        cb_font_subset_free(&sub);
        return cb_fail(err, CB_EFONT, "%s: cannot create an in-memory font file: %s", path,
                       strerror(errno));
    }
    size_t off = 0;
    while (off < sub.len) {
        ssize_t w = write(fd, sub.data + off, sub.len - off);
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) {
            close(fd);
            cb_font_subset_free(&sub);
            return cb_fail(err, CB_EFONT, "%s: cannot write the font subset", path);
        }
        off += (size_t)w;
    }
    cb_font_subset_free(&sub);
    *fd_out = fd;
    return CB_OK;
}

/* One attempt at the PDF, with one subset font per set (see collect_codepoints). */
static int render_once(const cb_layout *l, const cb_doc *doc, cb_font *font,
                       const face_set *sets, size_t nsets, cb_buf *out, cb_error *err)
{
    size_t nfaces = cb_font_nfaces(font);
    int *fds = cb_xmalloc(nsets * sizeof *fds);
    pdf_face *pf = cb_xcalloc(nsets, sizeof *pf);
    const pdf_face **by_face = cb_xcalloc(nfaces, sizeof *by_face);
    for (size_t i = 0; i < nsets; i++) fds[i] = -1;
    int rc = CB_OK;
    haru_status st = {0, 0};
    HPDF_Doc pdf = NULL;
    for (size_t i = 0; i < nsets && rc == CB_OK; i++)
        rc = subset_file(font, &sets[i], &fds[i], err);
    if (rc != CB_OK) goto done;

    pdf = HPDF_New(on_haru_error, &st);
    if (!pdf) {
        rc = cb_fail(err, CB_ENOMEM, "libharu: cannot create a document");
        goto done;
    }
    HPDF_SetCompressionMode(pdf, HPDF_COMP_ALL);
    HPDF_UseUTFEncodings(pdf);
    HPDF_SetCurrentEncoder(pdf, "UTF-8");
    for (size_t i = 0; i < nsets; i++) {
        char fdpath[64];
        snprintf(fdpath, sizeof fdpath, "/proc/self/fd/%d", fds[i]);
        const char *path = cb_font_face_path(font, sets[i].face);
        const char *fname = HPDF_LoadTTFontFromFile(pdf, fdpath, HPDF_TRUE);
        HPDF_Font hfont = fname ? HPDF_GetFont(pdf, fname, "UTF-8") : NULL;
        for (size_t k = 0; hfont && k < i; k++)
            if (pf[k].hfont == hfont) hfont = NULL; /* two faces under one PostScript name */
        if (!hfont) {
            rc = cb_fail(err, CB_EFONT, "%s: libharu cannot load the font subset (error "
                         "0x%04X, detail %u)", path, (unsigned)st.error, (unsigned)st.detail);
            goto done;
        }
        if (replace_tounicode(pdf, hfont, sets[i].cps, sets[i].n) != 0 && !st.error) {
            rc = cb_fail(err, CB_EPDF, "libharu: cannot write the ToUnicode map");
            goto done;
        }
        pf[i] = (pdf_face){sets[i].cps, sets[i].n, hfont};
        by_face[sets[i].face] = &pf[i];
    }

    if (doc->title) HPDF_SetInfoAttr(pdf, HPDF_INFO_TITLE, doc->title);
    if (doc->subject) HPDF_SetInfoAttr(pdf, HPDF_INFO_SUBJECT, doc->subject);
    if (doc->author) HPDF_SetInfoAttr(pdf, HPDF_INFO_AUTHOR, doc->author);
    if (doc->keywords) HPDF_SetInfoAttr(pdf, HPDF_INFO_KEYWORDS, doc->keywords);
    HPDF_SetInfoAttr(pdf, HPDF_INFO_CREATOR, "countybrief " CB_VERSION_STRING);
    set_date(pdf);

    HPDF_Page *pages = cb_xcalloc(l->npages ? l->npages : 1, sizeof *pages);
    cb_buf textbuf = {0};
    image_cache images = {0};
    for (size_t i = 0; i < l->npages && !st.error; i++) {
        pages[i] = HPDF_AddPage(pdf);
        HPDF_Page_SetWidth(pages[i], l->page_w);
        HPDF_Page_SetHeight(pages[i], l->page_h);
        draw_ops(pdf, pages[i], font, by_face, &l->pages[i], &textbuf, &images);
    }
    cb_buf_free(&textbuf);
    if (l->nmarks && !st.error) {
        HPDF_Encoder utf8 = HPDF_GetEncoder(pdf, "UTF-8");
        HPDF_Outline parent = NULL;
        for (size_t i = 0; i < l->nmarks; i++) {
            const cb_bookmark *m = &l->marks[i];
            HPDF_Outline o = HPDF_CreateOutline(pdf, m->level > 1 ? parent : NULL, m->title, utf8);
            if (!o) break;
            HPDF_Outline_SetOpened(o, HPDF_TRUE);
            HPDF_Destination dst = HPDF_Page_CreateDestination(pages[m->page]);
            HPDF_Destination_SetFitH(dst, m->y + 4); /* SetXYZ rejects zoom 0 ("keep") */
            HPDF_Outline_SetDestination(o, dst);
            if (m->level <= 1) parent = o;
        }
        HPDF_SetPageMode(pdf, HPDF_PAGE_MODE_USE_OUTLINE);
    }
    free(pages);
    if (!st.error) HPDF_SaveToStream(pdf);
    if (st.error == HPDF_INVALID_OBJECT) {
        /* libharu 2.3.0 fails to seek to the end of its in-memory font copy when that copy
         * ends exactly on its 4096-byte buffer boundary (an empty 'prep' table last): about
         * one document in a thousand. A subset one glyph larger has another size. */
        rc = RETRY_FONT_SIZE;
        goto done;
    }
    if (st.error) {
        rc = cb_fail(err, CB_EPDF, "libharu error 0x%04X (detail %u) while writing the PDF",
                     (unsigned)st.error, (unsigned)st.detail);
        goto done;
    }
    HPDF_ResetStream(pdf);
    for (;;) {
        HPDF_BYTE chunk[65536];
        HPDF_UINT32 n = sizeof chunk;
        HPDF_STATUS s = HPDF_ReadFromStream(pdf, chunk, &n);
        if (n) cb_buf_add(out, chunk, n);
        if (s == HPDF_STREAM_EOF) break;
        if (s != HPDF_OK) {
            rc = cb_fail(err, CB_EPDF, "libharu error 0x%04X reading the PDF from memory", (unsigned)s);
            goto done;
        }
    }
    rc = CB_OK;
done:
    if (pdf) HPDF_Free(pdf);
    for (size_t i = 0; i < nsets; i++)
        if (fds[i] >= 0) close(fds[i]);
    free(fds);
    free(pf);
    free(by_face);
    return rc;
}

/* Adds up to `want` of the spare characters that set lacks; returns how many it added. */
static size_t add_spares(face_set *set, size_t want)
{
    /* characters the document may not use, to change a subset's size on a retry */
    static const uint32_t spare[] = {0x3000, 0x2014, 0x00B7, 0x2026};
    size_t added = 0;
    for (size_t k = 0; k < sizeof spare / sizeof spare[0] && added < want; k++) {
        size_t i = 0;
        while (i < set->n && set->cps[i] < spare[k]) i++;
        if (i < set->n && set->cps[i] == spare[k]) continue;
        set->cps = cb_xrealloc(set->cps, (set->n + 1) * sizeof *set->cps);
        memmove(set->cps + i + 1, set->cps + i, (set->n - i) * sizeof *set->cps);
        set->cps[i] = spare[k];
        set->n++;
        added++;
    }
    return added;
}

int cb_pdf_render(const cb_layout *l, const cb_doc *doc, cb_font *font, cb_buf *out,
                  cb_error *err)
{
    face_set *sets = cb_xcalloc(cb_font_nfaces(font), sizeof *sets);
    size_t nsets = collect_codepoints(l, font, sets);
    int rc;
    for (size_t attempt = 0;; attempt++) {
        size_t before = out->len;
        rc = render_once(l, doc, font, sets, nsets, out, err);
        if (rc != RETRY_FONT_SIZE) break;
        out->len = before;
        /* every subset grows by attempt + 1 characters its face may lack: that changes
         * its cmap, and so its size, whichever font hit the boundary */
        free_sets(sets, nsets);
        nsets = collect_codepoints(l, font, sets);
        size_t added = 0;
        for (size_t i = 0; i < nsets; i++) added += add_spares(&sets[i], attempt + 1);
        if (!added || attempt >= 3) {
            rc = render_once(l, doc, font, sets, nsets, out, err);
            if (rc != CB_OK)
                rc = cb_fail(err, CB_EPDF, "libharu error 0x%04X while writing the PDF",
                             (unsigned)HPDF_INVALID_OBJECT);
            break;
        }
    }
    free_sets(sets, nsets);
    free(sets);
    return rc;
}
