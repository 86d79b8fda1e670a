/*
 * font.h: the document font: found with fontconfig, measured with HarfBuzz, and subset
 * per document with HarfBuzz's subset API before libharu sees it.
 *
 * Why subset: libharu 2.3.0 embeds a TrueType font whole (hundreds of KB per PDF) and reads
 * composite-glyph component ids as signed 16-bit, so in a large CJK font (WenQuanYi Micro
 * Hei has 49,531 glyphs) most Chinese characters would render blank. A subset renumbers
 * the glyphs from 0, holds only what the document uses, and is a freshly written file, so
 * libharu never parses the original.
 *
 * Ownership: cb_font owns its HarfBuzz face; cb_font_close frees it. Subset blobs belong
 * to the caller (cb_font_subset_free).
 */
#ifndef CB_FONT_H
#define CB_FONT_H

#include <stddef.h>
#include <stdint.h>

#include "util.h"

typedef struct cb_font cb_font;

/* Finds a CJK TrueType font through fontconfig: `family` if given (may be NULL), else the
 * first installed face that covers Chinese text and has TrueType outlines. Sets a malloc'd
 * *path and the face *index within a collection. */
int cb_font_find(const char *family, char **path, int *index, cb_error *err);

/* Opens face `index` of the font file at path. Fails with CB_EFONT naming the path if the
 * file is missing, unreadable, not a font, or has no TrueType (glyf) outlines. */
int cb_font_open(cb_font **out, const char *path, int index, cb_error *err);
void cb_font_close(cb_font *f);
const char *cb_font_path(const cb_font *f);

/* Advance width of cp as a fraction of the em (0.5 for a half-width glyph). */
float cb_font_advance(cb_font *f, uint32_t cp);
/* 1 if the font maps cp to a glyph. */
int cb_font_has(cb_font *f, uint32_t cp);
/* Width of UTF-8 text s[0..len) at `size` points. */
float cb_font_width(cb_font *f, const char *s, size_t len, float size);
/* Ascender and descender (negative) as fractions of the em. */
void cb_font_metrics(const cb_font *f, float *ascender, float *descender);

/* A TrueType subset of the font holding the code points cps[0..n) (sorted, distinct).
 *
 * The subset's cmap does not map cps themselves: it maps the private-use code points
 * CB_SUBSET_BASE + i to the glyph of cps[i], one contiguous run. libharu 2.3.0 builds its
 * CID font by looking up every BMP code point in the cmap with a linear scan of the cmap's
 * segments, which costs about half of a briefing's time with a document's scattered
 * Chinese characters; one run makes that scan trivial. Text is drawn with the private-use
 * codes (cb_font_subset_code) and the PDF's ToUnicode map gives the real characters back,
 * so extraction and search are unchanged. It also lets characters beyond the BMP through
 * libharu, whose UTF-8 encoder stops at U+FFFF. */
#define CB_SUBSET_BASE 0xE000u
#define CB_SUBSET_MAX 6400u /* the BMP private-use area U+E000..U+F8FF */

typedef struct cb_font_subset {
    void *blob; /* hb_blob_t */
    const char *data;
    size_t len;
} cb_font_subset;

int cb_font_subset_make(cb_font *f, const uint32_t *cps, size_t n, cb_font_subset *out,
                        cb_error *err);
void cb_font_subset_free(cb_font_subset *s);

#endif /* CB_FONT_H */
