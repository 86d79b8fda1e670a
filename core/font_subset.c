/* font_subset.c: the fonts' subsets (font.h): a face's program for the PDF, a whole font
 * file with its own cmap for OFD, a CFF program's CIDs (font_int.h). */
#include "font_int.h"

#include <hb-subset.h>
#include <hb.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cff.h"

static int subset_face(face *f, const uint32_t *cps, size_t n, int sfnt, cb_font_subset *out, cb_error *err);
static int cff_program(face *f, hb_face_t *sub, size_t n, cb_font_subset *out, cb_error *err);

/* Subsets a few characters once, at load: a font HarfBuzz cannot subset (a damaged OS/2 or
 * hmtx table) is then one error naming it, not "font subsetting failed" in every county. */
int cb__face_check_subset(face *fc, cb_error *err)
{
    static const uint32_t probe[] = {' ', '0', 'A', 'a', 0x4E2D /* 中 */, 0x53BF /* 县 */, 0x25A1};
    uint32_t cps[sizeof probe / sizeof *probe];
    size_t n = 0;
    for (size_t i = 0; i < sizeof probe / sizeof *probe; i++)
        if (cb__face_has(fc, probe[i])) cps[n++] = probe[i];
    cb_font_subset sub;
    cb_error inner;
    if (subset_face(fc, cps, n, 0, &sub, &inner) != CB_OK)
        return cb_fail(err, CB_EFONT, "%s: not a usable font (HarfBuzz cannot subset it for embedding: a "
                       "damaged table)", fc->path);
    cb_font_subset_free(&sub);
    return CB_OK;
}

/* 1 if face f's last whole-file subset is of the characters cps[0..n). */
static int whole_of(const face *f, const uint32_t *cps, size_t n)
{
    return f->whole.blob && f->whole_n == n && (!n || memcmp(f->whole_cps, cps, n * sizeof *cps) == 0);
}

/* *out as a copy of subset s (its blob referenced, its arrays copied) of n characters. */
static void subset_copy(const cb_font_subset *s, size_t n, cb_font_subset *out)
{
    memset(out, 0, sizeof *out);
    out->blob = hb_blob_reference((hb_blob_t *)s->blob);
    out->data = s->data;
    out->len = s->len;
    out->gids = cb_xmalloc((n ? n : 1) * sizeof *out->gids);
    out->widths = cb_xmalloc((n ? n : 1) * sizeof *out->widths);
    if (n) memcpy(out->gids, s->gids, n * sizeof *out->gids);
    if (n) memcpy(out->widths, s->widths, n * sizeof *out->widths);
}

int cb_font_subset_make(cb_font *fl, int face_index, const uint32_t *cps, size_t n,
                        cb_font_subset *out, cb_error *err)
{
    face *f = LIST(fl)->faces[face_index];
    if (!f->cff || !whole_of(f, cps, n)) return subset_face(f, cps, n, 0, out, err);
    cb_font_subset whole;
    subset_copy(&f->whole, n, &whole);
    hb_face_t *sub = hb_face_create((hb_blob_t *)whole.blob, 0);
    memset(out, 0, sizeof *out);
    out->gids = whole.gids, out->widths = whole.widths;
    whole.gids = whole.widths = NULL;
    out->cff = 1;
    int rc = cff_program(f, sub, n, out, err);
    hb_face_destroy(sub);
    cb_font_subset_free(&whole);
    return rc;
}

int cb_font_subset_sfnt(cb_font *fl, int face_index, const uint32_t *cps, size_t n, cb_font_subset *out,
                        cb_error *err)
{
    face *f = LIST(fl)->faces[face_index];
    if (!whole_of(f, cps, n)) {
        cb_font_subset s;
        int rc = subset_face(f, cps, n, 1, &s, err);
        if (rc != CB_OK) return rc;
        cb_font_subset_free(&f->whole);
        f->whole = s;
        free(f->whole_cps);
        f->whole_cps = cb_xmalloc((n ? n : 1) * sizeof *cps);
        if (n) memcpy(f->whole_cps, cps, n * sizeof *cps);
        f->whole_n = n;
    }
    subset_copy(&f->whole, n, out);
    return CB_OK;
}

/* The tables a subset leaves out. A TrueType face keeps only what a CIDFontType2 font
 * program needs (PDF 32000 9.9): no cmap, names, layout or hinting. A CFF face keeps its
 * 'CFF ' table alone: that is the CIDFontType0C program the PDF embeds (pdf.c), and the
 * other tables would only cost subsetting time. A whole font file (sfnt, for OFD) keeps
 * cmap, post and name as well, whatever its outlines. */
static void drop_tables(const face *f, int sfnt, hb_set_t *drop)
{
    if (f->cff && !sfnt) {
        hb_tag_t tags[64];
        unsigned count = 64;
        for (unsigned at = 0; hb_face_get_table_tags(f->face, at, &count, tags), count; at += count, count = 64)
            for (unsigned i = 0; i < count; i++)
                if (tags[i] != HB_TAG('C', 'F', 'F', ' ')) hb_set_add(drop, tags[i]);
        return;
    }
    static const char *const dropped[] = {"cmap", "post", "name", "GSUB", "GPOS", "GDEF", "vhea",
                                          "vmtx", "FFTM", "gasp", "kern", "BASE", "morx", "DSIG",
                                          "VORG", "meta", "JSTF", "MATH", "hdmx", "LTSH", "VDMX",
                                          NULL};
    for (int i = sfnt ? 3 : 0; dropped[i]; i++) hb_set_add(drop, hb_tag_from_string(dropped[i], -1));
    if (sfnt) hb_set_add(drop, HB_TAG('c', 'm', 'a', 'p')); /* written by whole_file */
}

static void put16(cb_buf *b, unsigned v)
{
    unsigned char x[2] = {(unsigned char)(v >> 8), (unsigned char)v};
    cb_buf_add(b, x, 2);
}

static void put32(cb_buf *b, uint32_t v)
{
    put16(b, v >> 16);
    put16(b, v & 0xFFFF);
}

/* A cmap table taking cps[i] to gids[i] (sorted characters; gid 0: left out): format 4 for
 * the BMP (platform 3, encoding 1) when it fits, format 12 for all (3, 10). Runs of
 * characters whose glyphs follow one another are one segment, one group. */
static hb_blob_t *cmap_table(const uint32_t *cps, const uint16_t *gids, size_t n)
{
    cb_buf f4 = {0}, f12 = {0}, seg = {0}; /* seg: the BMP runs, start, end, gid (u32 each) */
    size_t ngroups = 0, nseg = 0;
    for (size_t i = 0, j; i < n; i = j) {
        for (j = i + 1; j < n && cps[j] == cps[j - 1] + 1 && gids[j] == gids[j - 1] + 1 && gids[i]; j++) {}
        if (!gids[i]) {
            j = i + 1;
            continue;
        }
        put32(&f12, cps[i]), put32(&f12, cps[j - 1]), put32(&f12, gids[i]), ngroups++;
        if (cps[i] < 0xFFFF) {
            uint32_t end = cps[j - 1] < 0xFFFF ? cps[j - 1] : 0xFFFE;
            put32(&seg, cps[i]), put32(&seg, end), put32(&seg, gids[i]), nseg++;
        }
    }
    size_t segs = nseg + 1, len4 = 16 + 8 * segs;
    int with4 = len4 <= 0xFFFF;
    if (with4) {
        unsigned p2 = 1, log2 = 0;
        while (p2 * 2 <= segs) p2 *= 2, log2++;
        put16(&f4, 4), put16(&f4, (unsigned)len4), put16(&f4, 0), put16(&f4, (unsigned)(2 * segs));
        put16(&f4, 2 * p2), put16(&f4, log2), put16(&f4, (unsigned)(2 * segs - 2 * p2));
        const unsigned char *r = (const unsigned char *)seg.s;
#define SEG(k, f) ((uint32_t)r[12 * (k) + 4 * (f) + 2] << 8 | r[12 * (k) + 4 * (f) + 3])
        for (size_t k = 0; k < nseg; k++) put16(&f4, SEG(k, 1));
        put16(&f4, 0xFFFF), put16(&f4, 0); /* the last segment's end, the pad */
        for (size_t k = 0; k < nseg; k++) put16(&f4, SEG(k, 0));
        put16(&f4, 0xFFFF);
        for (size_t k = 0; k < nseg; k++) put16(&f4, (SEG(k, 2) - SEG(k, 0)) & 0xFFFF);
        put16(&f4, 1);
#undef SEG
        for (size_t k = 0; k < segs; k++) put16(&f4, 0); /* idRangeOffset: deltas only */
    }
    cb_buf t = {0};
    unsigned ntables = with4 ? 2 : 1;
    put16(&t, 0), put16(&t, ntables);
    uint32_t at = 4 + 8 * ntables;
    if (with4) put16(&t, 3), put16(&t, 1), put32(&t, at), at += (uint32_t)f4.len;
    put16(&t, 3), put16(&t, 10), put32(&t, at);
    cb_buf_add(&t, f4.s, f4.len);
    put16(&t, 12), put16(&t, 0), put32(&t, (uint32_t)(16 + 12 * ngroups)), put32(&t, 0), put32(&t, (uint32_t)ngroups);
    cb_buf_add(&t, f12.s, f12.len);
    cb_buf_free(&f4);
    cb_buf_free(&f12);
    cb_buf_free(&seg);
    return hb_blob_create(t.s, (unsigned)t.len, HB_MEMORY_MODE_WRITABLE, t.s, free);
}

/* Subset face sub with the cmap taking cps to gids added: a whole font file (HarfBuzz's
 * own cmap subsetting walks the source's whole cmap, tens of thousands of entries for a
 * CJK face: most of a subset's time). Takes sub. */
static hb_blob_t *whole_file(hb_face_t *built, const uint32_t *cps, const uint16_t *gids, size_t n)
{
    hb_blob_t *file = hb_face_reference_blob(built); /* a builder face lists no tables: */
    hb_face_destroy(built);                          /* read its file back */
    hb_face_t *sub = hb_face_create(file, 0), *b = hb_face_builder_create();
    hb_blob_destroy(file);
    hb_tag_t tags[64];
    unsigned count = 64;
    for (unsigned at = 0; hb_face_get_table_tags(sub, at, &count, tags), count; at += count, count = 64)
        for (unsigned i = 0; i < count; i++) {
            hb_blob_t *t = hb_face_reference_table(sub, tags[i]);
            hb_face_builder_add_table(b, tags[i], t);
            hb_blob_destroy(t);
        }
    hb_blob_t *cmap = cmap_table(cps, gids, n);
    hb_face_builder_add_table(b, HB_TAG('c', 'm', 'a', 'p'), cmap);
    hb_blob_destroy(cmap);
    hb_face_destroy(sub);
    hb_blob_t *blob = hb_face_reference_blob(b);
    hb_face_destroy(b);
    return blob;
}

/* A CFF subset's result: the bare 'CFF ' table of the subset face, and the CID of each
 * character's glyph in it (cff.h), checked to be a CID the program has. */
static int cff_program(face *f, hb_face_t *sub, size_t n, cb_font_subset *out, cb_error *err)
{
    hb_blob_t *cff = hb_face_reference_table(sub, HB_TAG('C', 'F', 'F', ' '));
    unsigned len = 0;
    const unsigned char *d = (const unsigned char *)hb_blob_get_data(cff, &len);
    unsigned nglyphs = 0;
    for (size_t i = 0; i < n; i++)
        if (out->gids[i] >= nglyphs) nglyphs = out->gids[i] + 1u;
    uint16_t *cid_of = cb_xmalloc((nglyphs ? nglyphs : 1) * sizeof *cid_of);
    int keyed = len ? cb_cff_cids(d, len, cid_of, nglyphs) : -1;
    out->cids = cb_xmalloc((n ? n : 1) * sizeof *out->cids);
    for (size_t i = 0; keyed >= 0 && i < n; i++) out->cids[i] = cid_of[out->gids[i]];
    free(cid_of);
    out->blob = cff;
    out->data = (const char *)d;
    out->len = len;
    if (keyed < 0) {
        cb_font_subset_free(out);
        return cb_fail(err, CB_EFONT, "%s: font subsetting produced no CFF font program this can read", f->path);
    }
    return CB_OK;
}

static int subset_face(face *f, const uint32_t *cps, size_t n, int sfnt, cb_font_subset *out, cb_error *err)
{
    memset(out, 0, sizeof *out);
    if (n > CB_SUBSET_MAX)
        return cb_fail(err, CB_EFONT, "%s: the document uses %zu distinct characters; at most %u "
                       "fit one embedded font", f->path, n, CB_SUBSET_MAX);
    hb_subset_input_t *in = hb_subset_input_create_or_fail();
    if (!in) return cb_fail(err, CB_ENOMEM, "%s: cannot start font subsetting", f->path);
    /* by characters: HarfBuzz looks each up; a glyph set instead makes it walk the whole
     * cmap (tens of thousands of entries) to find their characters */
    hb_codepoint_t *old = cb_xmalloc((n ? n : 1) * sizeof *old);
    hb_set_t *unicodes = hb_subset_input_unicode_set(in);
    for (size_t i = 0; i < n; i++) {
        old[i] = cb__face_glyph(f, cps[i]);
        if (cps[i] - '0' < 10 && f->digit[0]) /* a tabular face's digit: by its glyph */
            hb_set_add(hb_subset_input_glyph_set(in), old[i]);
        else
            hb_set_add(unicodes, cps[i]);
    }
    drop_tables(f, sfnt, hb_subset_input_set(in, HB_SUBSET_SETS_DROP_TABLE_TAG));
    hb_subset_input_set_flags(in, HB_SUBSET_FLAGS_NO_HINTING);
    hb_subset_plan_t *plan = hb_subset_plan_create_or_fail(f->face, in);
    hb_subset_input_destroy(in);
    hb_face_t *sub = plan ? hb_subset_plan_execute_or_fail(plan) : NULL;
    if (!sub) {
        hb_subset_plan_destroy(plan);
        free(old);
        return cb_fail(err, CB_EFONT, "%s: font subsetting failed", f->path);
    }
    const hb_map_t *to_new = hb_subset_plan_old_to_new_glyph_mapping(plan);
    out->gids = cb_xmalloc((n ? n : 1) * sizeof *out->gids);
    out->widths = cb_xmalloc((n ? n : 1) * sizeof *out->widths);
    for (size_t i = 0; i < n; i++) {
        hb_codepoint_t g = hb_map_get(to_new, old[i]);
        out->gids[i] = g == HB_MAP_VALUE_INVALID ? 0 : (uint16_t)g;
        float w = hb_font_get_glyph_h_advance(f->font, old[i]) * 1000 / f->upem;
        out->widths[i] = (uint16_t)(w <= 0 ? 0 : w >= 65535 ? 65535 : lrintf(w));
    }
    hb_subset_plan_destroy(plan);
    free(old);
    out->cff = f->cff && !sfnt;
    if (out->cff) {
        int rc = cff_program(f, sub, n, out, err);
        hb_face_destroy(sub);
        return rc;
    }
    hb_blob_t *blob;
    if (sfnt) {
        blob = whole_file(sub, cps, out->gids, n);
    } else {
        blob = hb_face_reference_blob(sub);
        hb_face_destroy(sub);
    }
    unsigned len = 0;
    out->data = hb_blob_get_data(blob, &len);
    out->len = len;
    out->blob = blob;
    if (!len) {
        cb_font_subset_free(out);
        return cb_fail(err, CB_EFONT, "%s: font subsetting produced no data", f->path);
    }
    return CB_OK;
}

void cb_font_subset_free(cb_font_subset *s)
{
    if (s->blob) hb_blob_destroy((hb_blob_t *)s->blob);
    free(s->gids);
    free(s->cids);
    free(s->widths);
    memset(s, 0, sizeof *s);
}
