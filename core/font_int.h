/*
 * font_int.h: what the font's files share (font.c: faces, picks, runs, metrics;
 * font_lookup.c: fontconfig's lookups, fallback candidates and their caches;
 * font_subset.c: subsets and whole font files); no other module includes it.
 */
#ifndef CB_FONT_INT_H
#define CB_FONT_INT_H

#include <fontconfig/fontconfig.h>
#include <hb.h>

#include "font.h"

#define BMP_SIZE 0x10000
#define MAX_FACES 32          /* a document with more fallback faces than this is absurd */
#define PICK_UNKNOWN 0xFF     /* bmp_pick: not looked up yet */
#define PICK_NONE 0xFE
#define PICK_SKIP 0xFD

/* One font file's face, as HarfBuzz reads it. */
typedef struct face {
    char *path;
    int index;
    hb_blob_t *blob;
    hb_face_t *face;
    hb_font_t *font;
    float upem;
    float ascender, descender;
    char *psname;   /* the PostScript name (libharu's name for the font), or NULL */
    int cff;        /* CFF outlines (an OpenType 'CFF ' table), not TrueType (glyf) ones */
    /* the last whole-file subset made (cb_font_subset_sfnt) and its characters: a CFF
     * face's program for the same characters (cb_font_subset_make) is its 'CFF ' table, so
     * a document written as OFD and PDF is subset once */
    cb_font_subset whole;
    uint32_t *whole_cps;
    size_t whole_n;
    /* a tabular face (tabular_face): the same file's face drawing the ASCII digits with
     * these glyphs, all of one advance; 0 for an ordinary face */
    hb_codepoint_t digit[10];
} face;

/* A non-BMP character's choice (BMP ones are in flat tables). */
typedef struct astral {
    uint32_t cp;    /* 0: empty slot (U+0000 is BMP) */
    int pick;
    float advance;
} astral;

struct cb_font {
    face *faces[MAX_FACES];
    size_t nfaces;
    size_t nexplicit;      /* faces[0 .. nexplicit): the primary and cb_font_add_fallback's */
    int auto_fallback;
    int picked;            /* a character's face was chosen: the face list is fixed now */
    uint32_t replacement;
    float replacement_advance;
    /* the choice and advance of each BMP code point, filled as characters are met */
    uint8_t *bmp_pick;     /* face index, PICK_NONE, PICK_SKIP or PICK_UNKNOWN */
    float *bmp_advance;
    astral *astral;        /* open addressing, cap a power of two */
    size_t nastral, astral_cap;
    /* fontconfig's candidates, made on the first character the explicit faces lack */
    int fc_tried;
    FcConfig *fc;
    FcFontSet *cands;
    int *cand_face;        /* per candidate: face index, -1 unusable, -2 not opened yet */
    /* roles (font.h): each role's face and bold face, -1 none; bold faces marked */
    int role_face[CB_FONT_NROLES][2];
    unsigned char bold[MAX_FACES];
    unsigned char tabular[MAX_FACES]; /* per face: its tabular face (tabular_face) + 1, 0 not yet known */
    struct cb_font *views[CB_FONT_NROLES][2]; /* made by cb_font_for, owned here */
    /* a view: the list it draws from (NULL: f is a list), the face it tries first (-1:
     * none) and the Latin face it tries first for Latin text (-1: none) */
    struct cb_font *list;
    int first, latin;
    int digits;            /* a figures view's face for the ASCII digits (its tabular face), or -1 */
    int figures_digits[2]; /* a list's: that face of its figures view, bold or not; -2 not known yet */
    /* typesetting (typeset.h): the setting, and each mark's blank half + 1 (0: not yet
     * looked at) */
    int has_ts;
    cb_typeset ts;
    signed char blank[CB_MARK_COUNT];
};

/* The list whose faces f picks from: f itself, or a view's list. */
#define LIST(f) ((f)->list ? (f)->list : (f))

/* font.c */
/* Opens face index of the font file at path, checked usable (outlines, unitsPerEm, a test
 * subset); cb__face_free frees one (NULL: nothing). */
int cb__face_open(face **out, const char *path, int index, cb_error *err);
void cb__face_free(face *fc);
/* The glyph face fc draws cp with (a tabular face's digits: its own), 0 if none. */
hb_codepoint_t cb__face_glyph(const face *fc, uint32_t cp);
int cb__face_has(const face *fc, uint32_t cp);

/* font_lookup.c: the first of fontconfig's candidates that has cp, opened into f's faces;
 * CB_FACE_NONE if none. */
int cb__font_auto_pick(cb_font *f, uint32_t cp);

/* font_subset.c: subsets a few characters once, at load: a font HarfBuzz cannot subset is
 * then one error naming it. */
int cb__face_check_subset(face *fc, cb_error *err);

#endif /* CB_FONT_INT_H */
