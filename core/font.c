/* font.c: see font.h. */
#include "font.h"

#include <fontconfig/fontconfig.h>
#include <hb-subset.h>
#include <hb.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define BMP_SIZE 0x10000

struct cb_font {
    char *path;
    hb_blob_t *blob;
    hb_face_t *face;
    hb_font_t *font;
    float upem;
    float ascender, descender;
    float *bmp_advance; /* lazily filled per code point; NAN = not looked up yet */
};

int cb_font_find(const char *family, char **path, int *index, cb_error *err)
{
    if (!FcInit()) return cb_fail(err, CB_EFONT, "fontconfig: cannot initialise");
    FcPattern *pat = FcPatternCreate();
    if (family && *family) FcPatternAddString(pat, FC_FAMILY, (const FcChar8 *)family);
    FcLangSet *ls = FcLangSetCreate();
    FcLangSetAdd(ls, (const FcChar8 *)"zh-cn");
    FcPatternAddLangSet(pat, FC_LANG, ls);
    FcLangSetDestroy(ls);
    FcPatternAddString(pat, FC_FONTFORMAT, (const FcChar8 *)"TrueType");
    FcConfigSubstitute(NULL, pat, FcMatchPattern);
    FcDefaultSubstitute(pat);

    FcResult res;
    FcFontSet *set = FcFontSort(NULL, pat, FcTrue, NULL, &res);
    int rc = cb_fail(err, CB_EFONT,
                     "no Chinese TrueType font found through fontconfig%s%s%s (install "
                     "fonts-wqy-microhei, or pass --font PATH)",
                     family ? " for \"" : "", family ? family : "", family ? "\"" : "");
    for (int i = 0; set && i < set->nfont; i++) {
        FcPattern *p = set->fonts[i];
        FcChar8 *file = NULL, *fmt = NULL;
        FcCharSet *cs = NULL;
        int idx = 0;
        if (FcPatternGetString(p, FC_FILE, 0, &file) != FcResultMatch) continue;
        if (FcPatternGetString(p, FC_FONTFORMAT, 0, &fmt) != FcResultMatch ||
            strcmp((const char *)fmt, "TrueType") != 0)
            continue;
        /* "TrueType" also covers OpenType/CFF in fontconfig's terms; cb_font_open checks
         * for glyf outlines, which libharu needs. */
        if (FcPatternGetCharSet(p, FC_CHARSET, 0, &cs) != FcResultMatch ||
            !FcCharSetHasChar(cs, 0x4E2D) || !FcCharSetHasChar(cs, 0x5143))
            continue;
        FcPatternGetInteger(p, FC_INDEX, 0, &idx);
        if (family && *family) {
            FcChar8 *fam = NULL;
            int same = 0;
            for (int k = 0; FcPatternGetString(p, FC_FAMILY, k, &fam) == FcResultMatch; k++)
                if (strcasecmp((const char *)fam, family) == 0) same = 1;
            if (!same) continue;
        }
        cb_font *probe;
        cb_error perr;
        if (cb_font_open(&probe, (const char *)file, idx, &perr) != CB_OK) continue;
        cb_font_close(probe);
        *path = cb_xstrdup((const char *)file);
        *index = idx;
        rc = CB_OK;
        break;
    }
    if (set) FcFontSetDestroy(set);
    FcPatternDestroy(pat);
    FcFini(); /* the lookup is done once: release fontconfig's caches */
    return rc;
}

int cb_font_open(cb_font **out, const char *path, int index, cb_error *err)
{
    *out = NULL;
    if (!cb_is_file(path)) return cb_fail(err, CB_EFONT, "%s: font file not found", path);
    hb_blob_t *blob = hb_blob_create_from_file_or_fail(path);
    if (!blob) return cb_fail(err, CB_EFONT, "%s: font file cannot be read", path);
    hb_face_t *face = hb_face_create(blob, (unsigned)index);
    if (hb_face_get_glyph_count(face) == 0 || hb_face_get_upem(face) < 16) {
        hb_face_destroy(face);
        hb_blob_destroy(blob);
        return cb_fail(err, CB_EFONT, "%s: not a usable font (no glyphs, or face %d missing)",
                       path, index);
    }
    hb_blob_t *glyf = hb_face_reference_table(face, HB_TAG('g', 'l', 'y', 'f'));
    unsigned glyf_len = hb_blob_get_length(glyf);
    hb_blob_destroy(glyf);
    if (glyf_len == 0) {
        hb_face_destroy(face);
        hb_blob_destroy(blob);
        return cb_fail(err, CB_EFONT,
                       "%s: the font has no TrueType (glyf) outlines; PDF embedding needs a "
                       ".ttf/.ttc font", path);
    }
    cb_font *f = cb_xcalloc(1, sizeof *f);
    f->path = cb_xstrdup(path);
    f->blob = blob;
    f->face = face;
    f->font = hb_font_create(face);
    f->upem = (float)hb_face_get_upem(face);
    hb_font_set_scale(f->font, (int)f->upem, (int)f->upem);
    hb_font_extents_t ext;
    if (hb_font_get_h_extents(f->font, &ext)) {
        f->ascender = ext.ascender / f->upem;
        f->descender = ext.descender / f->upem;
    } else {
        f->ascender = 0.88f;
        f->descender = -0.12f;
    }
    f->bmp_advance = cb_xmalloc(sizeof(float) * BMP_SIZE);
    for (size_t i = 0; i < BMP_SIZE; i++) f->bmp_advance[i] = NAN;
    *out = f;
    return CB_OK;
}

void cb_font_close(cb_font *f)
{
    if (!f) return;
    hb_font_destroy(f->font);
    hb_face_destroy(f->face);
    hb_blob_destroy(f->blob);
    free(f->bmp_advance);
    free(f->path);
    free(f);
}

const char *cb_font_path(const cb_font *f) { return f->path; }

static float lookup_advance(cb_font *f, uint32_t cp)
{
    hb_codepoint_t gid = 0;
    if (!hb_font_get_nominal_glyph(f->font, cp, &gid)) gid = 0; /* .notdef */
    return hb_font_get_glyph_h_advance(f->font, gid) / f->upem;
}

float cb_font_advance(cb_font *f, uint32_t cp)
{
    if (cp >= BMP_SIZE) return lookup_advance(f, cp);
    float a = f->bmp_advance[cp];
    if (isnan(a)) a = f->bmp_advance[cp] = lookup_advance(f, cp);
    return a;
}

int cb_font_has(cb_font *f, uint32_t cp)
{
    hb_codepoint_t gid;
    return hb_font_get_nominal_glyph(f->font, cp, &gid) && gid != 0;
}

float cb_font_width(cb_font *f, const char *s, size_t len, float size)
{
    const char *p = s, *end = s + len;
    float w = 0;
    while (p < end) w += cb_font_advance(f, cb_utf8_next(&p, end));
    return w * size;
}

void cb_font_metrics(const cb_font *f, float *ascender, float *descender)
{
    *ascender = f->ascender;
    *descender = f->descender;
}

static void put16(uint8_t *p, unsigned v)
{
    p[0] = (uint8_t)(v >> 8);
    p[1] = (uint8_t)v;
}

/* A cmap table (format 4, Windows Unicode BMP) mapping CB_SUBSET_BASE + i to gids[i]. */
static hb_blob_t *contiguous_cmap(const hb_codepoint_t *gids, size_t n)
{
    const unsigned segs = 2; /* the run, and the 0xFFFF end segment the format requires */
    size_t sub_len = 16 + 8 * segs + 2 * n;
    size_t len = 4 + 8 + sub_len;
    uint8_t *b = cb_xcalloc(len, 1);
    put16(b + 0, 0);  /* version */
    put16(b + 2, 1);  /* one encoding record */
    put16(b + 4, 3);  /* platform: Windows */
    put16(b + 6, 1);  /* encoding: Unicode BMP */
    b[8] = 0; b[9] = 0; put16(b + 10, 12); /* offset of the subtable */
    uint8_t *s = b + 12;
    put16(s + 0, 4);
    put16(s + 2, (unsigned)sub_len);
    put16(s + 4, 0);               /* language */
    put16(s + 6, 2 * segs);        /* segCountX2 */
    put16(s + 8, 4);               /* searchRange = 2 * 2^floor(log2(segs)) */
    put16(s + 10, 1);              /* entrySelector */
    put16(s + 12, 0);              /* rangeShift */
    uint8_t *end = s + 14, *start = end + 2 * segs + 2, *delta = start + 2 * segs;
    uint8_t *range = delta + 2 * segs, *glyphs = range + 2 * segs;
    put16(end + 0, (unsigned)(CB_SUBSET_BASE + n - 1));
    put16(end + 2, 0xFFFF);
    put16(start + 0, CB_SUBSET_BASE);
    put16(start + 2, 0xFFFF);
    put16(delta + 0, 0);
    put16(delta + 2, 1);
    put16(range + 0, 2 * segs);    /* from this entry to glyphIdArray[0] */
    put16(range + 2, 0);
    for (size_t i = 0; i < n; i++) put16(glyphs + 2 * i, gids[i]);
    return hb_blob_create((const char *)b, (unsigned)len, HB_MEMORY_MODE_WRITABLE, b, free);
}

/* A copy of the subset with its cmap replaced by the contiguous private-use run for cps. */
static hb_face_t *remap_cmap(hb_face_t *subset, const uint32_t *cps, size_t n)
{
    /* the subsetter's result is a builder face, which cannot list its tables: read it back
     * as a font file first */
    hb_blob_t *file = hb_face_reference_blob(subset);
    hb_face_t *sub = hb_face_create(file, 0);
    hb_blob_destroy(file);
    hb_font_t *font = hb_font_create(sub);
    hb_codepoint_t *gids = cb_xmalloc((n ? n : 1) * sizeof *gids);
    for (size_t i = 0; i < n; i++)
        if (!hb_font_get_nominal_glyph(font, cps[i], &gids[i])) gids[i] = 0;
    hb_font_destroy(font);
    hb_face_t *built = hb_face_builder_create();
    hb_tag_t tags[64];
    unsigned count = 64;
    hb_face_get_table_tags(sub, 0, &count, tags);
    for (unsigned i = 0; i < count; i++) {
        if (tags[i] == HB_TAG('c', 'm', 'a', 'p')) continue;
        hb_blob_t *t = hb_face_reference_table(sub, tags[i]);
        hb_face_builder_add_table(built, tags[i], t);
        hb_blob_destroy(t);
    }
    hb_blob_t *cmap = contiguous_cmap(gids, n);
    hb_face_builder_add_table(built, HB_TAG('c', 'm', 'a', 'p'), cmap);
    hb_blob_destroy(cmap);
    hb_face_destroy(sub);
    free(gids);
    return built;
}

int cb_font_subset_make(cb_font *f, const uint32_t *cps, size_t n, cb_font_subset *out,
                        cb_error *err)
{
    memset(out, 0, sizeof *out);
    if (n > CB_SUBSET_MAX)
        return cb_fail(err, CB_EFONT, "%s: the document uses %zu distinct characters; at most %u "
                       "fit one embedded font", f->path, n, CB_SUBSET_MAX);
    hb_subset_input_t *in = hb_subset_input_create_or_fail();
    if (!in) return cb_fail(err, CB_ENOMEM, "%s: cannot start font subsetting", f->path);
    hb_set_t *uni = hb_subset_input_unicode_set(in);
    for (size_t i = 0; i < n; i++) hb_set_add(uni, cps[i]);
    /* libharu embeds only the core TrueType tables: don't spend time subsetting the rest */
    hb_set_t *drop = hb_subset_input_set(in, HB_SUBSET_SETS_DROP_TABLE_TAG);
    static const char *const dropped[] = {"GSUB", "GPOS", "GDEF", "vhea", "vmtx", "FFTM",
                                          "gasp", "kern", "BASE", "morx", "DSIG", NULL};
    for (int i = 0; dropped[i]; i++) hb_set_add(drop, hb_tag_from_string(dropped[i], -1));
    hb_subset_input_set_flags(in, HB_SUBSET_FLAGS_NO_HINTING);
    hb_face_t *sub = hb_subset_or_fail(f->face, in);
    hb_subset_input_destroy(in);
    if (!sub) return cb_fail(err, CB_EFONT, "%s: font subsetting failed", f->path);
    hb_face_t *remapped = remap_cmap(sub, cps, n);
    hb_face_destroy(sub);
    hb_blob_t *blob = hb_face_reference_blob(remapped);
    hb_face_destroy(remapped);
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
    memset(s, 0, sizeof *s);
}
