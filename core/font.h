/*
 * font.h: the document's fonts: found with fontconfig, measured with HarfBuzz, and each
 * face a document uses subset with HarfBuzz's subset API for embedding (pdf.c).
 *
 * Why subset: a CJK font is megabytes (WenQuanYi Micro Hei has 49,531 glyphs); a subset
 * holds only the glyphs the document draws, renumbered from 0.
 *
 * Ownership: cb_font owns its faces (HarfBuzz faces, and fontconfig's list of fallback
 * candidates once it is made); cb_font_close frees them. Subset blobs belong to the caller
 * (cb_font_subset_free). A cb_font is used by one thread at a time.
 */
#ifndef CB_FONT_H
#define CB_FONT_H

#include <stddef.h>
#include <stdint.h>

#include "typeset.h"
#include "util.h"

/*
 * The document's fonts: an ordered list of faces. Face 0 is the primary font (the one
 * cb_font_open opened); then come the fallbacks added with cb_font_add_fallback, in order;
 * then, unless turned off, fallbacks found through fontconfig as characters need them.
 * Each character is drawn with the first face in that order that has a glyph for it, so a
 * Chinese font covers the text while, say, a CJK Extension B character (U+20000) comes
 * from HanaMinB and an emoji from DejaVu Sans. (An English briefing would open a Latin
 * font and add the Chinese one as its first fallback.)
 *
 * Fontconfig's fallbacks: one sorted list of the installed TrueType and OpenType CFF faces
 * (TrueType first), made the first time a character is missing from the primary and
 * explicit faces; a character takes the first face of that list whose charset has it and
 * that can be embedded (glyf or CFF outlines, not a colour font). The choice depends only on the character and the installed fonts,
 * never on what was drawn before, so a document's bytes don't depend on which county a
 * worker process rendered first.
 *
 * A character no face has is drawn as cb_font_replacement (U+25A1 WHITE SQUARE from the
 * primary, or "?" if it lacks that too), with the replacement's width; layout warns about
 * it. Controls and default-ignorable characters (zero-width space, variation selectors,
 * soft hyphen, ...) are not drawn at all and have no width, whatever the faces have.
 */
typedef struct cb_font cb_font;

/* Finds a CJK font through fontconfig: `family` if given (may be NULL; TrueType or CFF
 * outlines, e.g. "Noto Serif CJK SC", face 2 of a .ttc), else the first installed face
 * that covers Chinese text, TrueType outlines preferred to CFF ones. Sets a malloc'd *path
 * and the face *index within a collection. */
int cb_font_find(const char *family, char **path, int *index, cb_error *err);

/* Finds the face fontconfig gives for `pattern` ("Noto Serif CJK SC", "DejaVu Serif:bold";
 * fontconfig's name syntax), whatever its outlines: the first in fontconfig's order whose
 * family is the pattern's, and with bold a bold weight (semibold or heavier). Sets a
 * malloc'd *path and *index and returns 1, or 0 if none is installed. The answer, found
 * or not, is remembered as cb_font_find's is (in the list "font-match", a line per
 * request). */
int cb_font_match(const char *pattern, int bold, char **path, int *index);

/* Opens face `index` of the font file at path as the primary face of a new font list, with
 * fontconfig fallbacks on. Fails with CB_EFONT naming the path if the file is missing,
 * unreadable, not a font, or has neither TrueType (glyf) nor CFF outlines. */
int cb_font_open(cb_font **out, const char *path, int index, cb_error *err);
/* Appends an explicit fallback face (tried before fontconfig's); same checks and errors as
 * cb_font_open. Call before measuring any text. */
int cb_font_add_fallback(cb_font *f, const char *path, int index, cb_error *err);
/*
 * Typeface roles. A document sets body text, headings and figures (KPI values, table
 * cells, charts) each in its own face, and Latin letters, digits and ASCII punctuation in
 * a Latin face whatever the role; each role may have a bold face. All of them are faces
 * of one list, the document's (the cb_font of cb_font_open: the PDF writer embeds each
 * face it draws with once, whichever role drew it). A role's text is measured and drawn
 * with a view of that list (cb_font_for): a cb_font whose pick order is [the Latin face,
 * for Latin text], [the role's face], then the list's own order (the primary = the body
 * face, the explicit faces that are not bold, fontconfig's fallbacks). Its face indexes
 * are the list's. A view is made on first use, copies the list's settings as they are then,
 * and is freed with the list; it is used by the list's thread, as the list is.
 *
 * The figures view draws the ASCII digits tabular, all of one advance: where the face it
 * would draw them with has digits of different widths, with that face's OpenType `tnum`
 * glyphs, else its `hwid` ones (Noto Serif CJK). Those come from a face of their own in the
 * list (same file, PostScript name + "-tnum", in no pick order), whose subset maps each
 * digit to its substituted glyph (cb_font_subset: gids, cids and widths are the glyph's, the
 * character stays the digit), so a writer embeds it as any other face.
 */
typedef enum cb_font_role {
    CB_FONT_BODY, CB_FONT_HEADING, CB_FONT_FIGURES, CB_FONT_LATIN,
    CB_FONT_TITLE,    /* the document's title: the heading's faces unless named */
    CB_FONT_HEADING2, /* level-2 headings: the heading's faces unless named */
    CB_FONT_NROLES
} cb_font_role;
/* The role names a template uses ("body", "heading", "figures", "latin", "title",
 * "heading2"). */
extern const char *const cb_font_role_names[CB_FONT_NROLES];
/* Face `index` of path as a face of list f: the face already open at that path and index,
 * else opened (checks and errors as cb_font_add_fallback's) and appended to the explicit
 * faces. Sets *face to its index. Call before measuring any text. */
int cb_font_add_face(cb_font *f, const char *path, int index, int *face, cb_error *err);
/* Makes face (an index of f) the role's face, or its bold face when bold. A bold face is
 * left out of the list's own order (regular text never falls back to it) and text drawn
 * bold in it is not thickened (layout.h: cb_op.bold). The body role's regular face is the
 * primary, always. Call before measuring any text. */
void cb_font_set_role(cb_font *f, cb_font_role role, int bold, int face);
/* The role's face (bold: its bold face), or -1 if it has none of its own. */
int cb_font_role_face(const cb_font *f, cb_font_role role, int bold);
/* The font list a role's text is measured and drawn with (bold: with its bold faces,
 * where it has them): a view of f's list, or the list itself when the role has no face of
 * its own. Never NULL. f may itself be a view: its list's role is given. */
cb_font *cb_font_for(cb_font *f, cb_font_role role, int bold);
/* 1 if face (an index of the list) was set as a bold face. */
int cb_font_face_bold(const cb_font *f, int face);
/* Whether Latin text takes the Latin face first: ASCII letters, digits, punctuation and
 * space, and the Latin letters of U+00C0..U+024F but for the signs x and / (U+00D7,
 * U+00F7). Full-width forms and CJK punctuation are not Latin text. */
static inline int cb_font_latin_text(uint32_t cp)
{
    return (cp >= 0x20 && cp < 0x7F) || (cp >= 0xC0 && cp <= 0x24F && cp != 0xD7 && cp != 0xF7);
}

/* Turns fontconfig fallbacks on (the default) or off. Call before measuring any text. */
void cb_font_set_auto_fallback(cb_font *f, int on);
void cb_font_close(cb_font *f);
/* The primary face's file. */
const char *cb_font_path(const cb_font *f);

/* Face choice for one character: a face index (0 = primary), or one of these. */
#define CB_FACE_NONE (-1) /* no face has it: draw cb_font_replacement in face 0 */
#define CB_FACE_SKIP (-2) /* a control or default-ignorable character: not drawn */
int cb_font_pick(cb_font *f, uint32_t cp);

/* The longest start of s[0..len) that one face draws: returns that face (or CB_FACE_NONE)
 * and sets *run_len (bytes; skipped characters inside it included), *width (the sum of
 * the advances, in ems) and *drawn (characters drawn). Text of skipped characters only
 * returns CB_FACE_SKIP, all of it in the run. */
int cb_font_run(cb_font *f, const char *s, size_t len, size_t *run_len, float *width,
                size_t *drawn);

/* 1 for the characters every font list skips (CB_FACE_SKIP): C0/C1 controls, Unicode's
 * Default_Ignorable_Code_Point (zero-width space and joiners, soft hyphen, variation
 * selectors, BOM, tags...), and anything beyond U+10FFFF. Inline: the PDF writer and
 * layout ask it for every character. */
static inline int cb_font_invisible(uint32_t cp)
{
    if (cp < 0x20) return 1;
    if (cp < 0x7F) return 0;
    if (cp >= 0x2070 && cp < 0xFE00) return cp == 0x3164; /* CJK, punctuation, symbols */
    return (cp <= 0x9F) || cp == 0x00AD || cp == 0x034F || cp == 0x061C || cp == 0x115F ||
           cp == 0x1160 || cp == 0x17B4 || cp == 0x17B5 || (cp >= 0x180B && cp <= 0x180F) ||
           (cp >= 0x200B && cp <= 0x200F) || (cp >= 0x202A && cp <= 0x202E) ||
           (cp >= 0x2060 && cp <= 0x206F) || (cp >= 0xFE00 && cp <= 0xFE0F) || cp == 0xFEFF ||
           cp == 0xFFA0 || (cp >= 0xFFF0 && cp <= 0xFFF8) || (cp >= 0x1BCA0 && cp <= 0x1BCA3) ||
           (cp >= 0x1D173 && cp <= 0x1D17A) || (cp >= 0xE0000 && cp <= 0xE0FFF) ||
           cp > 0x10FFFF;
}
/* The character drawn instead of one no face has: U+25A1, or '?'. */
uint32_t cb_font_replacement(const cb_font *f);
/* The fontconfig fallbacks a character may be drawn from (glyf or CFF outlines, not colour),
 * in fontconfig's order, each as fn(ud, path, index); none when fallbacks are off. Makes
 * the candidate list if no character has yet (once per font list: worker processes forked
 * afterwards share it). For the batch's input hash: the faces a county may use. */
void cb_font_fallback_candidates(cb_font *f, void (*fn)(void *ud, const char *path, int index),
                                 void *ud);
/* Faces opened so far (they only ever get added: an index stays valid). */
size_t cb_font_nfaces(const cb_font *f);
const char *cb_font_face_path(const cb_font *f, int face);
/* Its face index in that file (a .ttc collection's faces share one path). */
int cb_font_face_index(const cb_font *f, int face);

/* Reads a --font argument: "PATH" or "PATH:INDEX", INDEX a face of a collection (decimal
 * digits; "NotoSerifCJK-Regular.ttc:2"). Sets a malloc'd *path and *index (0 if none). A
 * path that itself ends in ":DIGITS" is given with ":0" after it. */
void cb_font_spec(const char *spec, char **path, int *index);

/* Advance width of cp as drawn (by its face; the replacement's width for a character no
 * face has; 0 for a skipped one) as a fraction of the em (0.5 for a half-width glyph). */
float cb_font_advance(cb_font *f, uint32_t cp);
/* 1 if some face of the list maps cp to a glyph. */
int cb_font_has(cb_font *f, uint32_t cp);
/* Width of UTF-8 text s[0..len) at `size` points, set as one line (typeset.h). */
float cb_font_width(cb_font *f, const char *s, size_t len, float size);
/* The typesetting every width above and every line follow (typeset.h; copied), or NULL
 * (the default: advances as the faces give them). Call before measuring any text. */
void cb_font_set_typeset(cb_font *f, const cb_typeset *ts);
const cb_typeset *cb_font_typeset(const cb_font *f);
/* Which half of a full-width mark's em its face leaves blank (typeset.h: CB_BLANK_LEFT,
 * _RIGHT, or _NONE for a centred mark, one not about an em wide, or not a mark), from the
 * face's `halt` feature or else its ink; remembered per character. */
int cb_font_blank_half(cb_font *f, uint32_t cp);
/* The primary face's ascender and descender (negative) as fractions of the em. */
void cb_font_metrics(const cb_font *f, float *ascender, float *descender);

/* What a PDF font descriptor (and an OFD's Font) needs of a face, in thousandths of an em. */
typedef struct cb_font_face_info {
    const char *psname; /* the PostScript name ("Font" if the face has none); owned by f */
    /* the family name (the typographic family, else the font family; "" if none): what a
     * reader that substitutes an installed font looks for (the OFD's FamilyName) */
    char family[128];
    int ascent, descent, cap_height;
    int bbox[4];        /* xMin, yMin, xMax, yMax */
} cb_font_face_info;
void cb_font_face_info_get(const cb_font *f, int face, cb_font_face_info *out);

/* A subset of face `face` of the list holding the glyphs of the code points cps[0..n)
 * (sorted, distinct). Each face a document uses is embedded as its own subset.
 *
 * A TrueType face gives a TrueType file without a cmap: the PDF maps its character codes to
 * the subset's glyph ids itself (gids), and its ToUnicode map gives the characters back.
 * A CFF face gives the bare CFF font program (the subset's 'CFF ' table), drawn by CID:
 * cids[i] is the CID of cps[i]'s glyph (the original font's CID for a CID-keyed CFF, which
 * the subset keeps; the subset's glyph index for a name-keyed one). */
#define CB_SUBSET_MAX 65534u /* codes 1..n, two bytes each, 0 being .notdef */

typedef struct cb_font_subset {
    void *blob;        /* hb_blob_t */
    const char *data;  /* the TrueType file, or the CFF font program */
    size_t len;
    int cff;           /* 1: data is a CFF font program (a PDF CIDFontType0C) */
    uint16_t *gids;    /* gids[i]: the subset's glyph drawing cps[i] (0 if the face lacks it) */
    uint16_t *cids;    /* CFF only (else NULL): cids[i], the CID of gids[i] */
    uint16_t *widths;  /* widths[i]: its advance in thousandths of an em */
} cb_font_subset;

int cb_font_subset_make(cb_font *f, int face, const uint32_t *cps, size_t n,
                        cb_font_subset *out, cb_error *err);
/* The same subset as a whole OpenType or TrueType file with a cmap (written here from the
 * subset's glyph map: format 4 for the BMP, 12 for all), post and name tables (no layout or
 * hinting tables), for formats that embed font files (OFD: ofd.h): data is the file, cff
 * is 0 and cids NULL, gids and widths as above. Errors as above. The face keeps the last
 * such subset: cb_font_subset_make of the same characters in a CFF face then takes its
 * program from it instead of subsetting again (the same bytes). */
int cb_font_subset_sfnt(cb_font *f, int face, const uint32_t *cps, size_t n, cb_font_subset *out,
                        cb_error *err);
void cb_font_subset_free(cb_font_subset *s);

#endif /* CB_FONT_H */
