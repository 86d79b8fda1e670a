/* font.c: see font.h. */
#include "font.h"

#include <fontconfig/fontconfig.h>
#include <hb-subset.h>
#include <hb.h>
#include <hb-ot.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <errno.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cff.h"
#include "output.h"

#define BMP_SIZE 0x10000
#define MAX_FACES 32          /* a document with more fallback faces than this is absurd */
#define FONT_MAX_BYTES (256u << 20) /* the largest CJK collections are a quarter of it */
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

const char *const cb_font_role_names[CB_FONT_NROLES] = {"body", "heading", "figures", "latin", "title",
                                                        "heading2"};

static int face_open(face **out, const char *path, int index, cb_error *err);
static void face_free(face *fc);

/*
 * The font fontconfig chose, remembered: initialising fontconfig reads and parses its
 * whole configuration, an eighth of a one-county run. The list is
 * ${XDG_CACHE_HOME:-~/.cache}/countybrief/font-lookup, one line per request:
 *     KEY \t PATH \t INDEX \t SIZE \t MTIME_NS
 * KEY names the request (family) and the state fontconfig answers from: its environment
 * variables and the modification times of its configuration and cache folders, which
 * installing or removing a font changes (fc-cache rewrites the cache folder), and of a
 * private FONTCONFIG_FILE, whose edits may offer or reject fonts. The answer is used only
 * while that font file is unchanged. COUNTYBRIEF_FONT_CACHE=0 turns it off.
 */
static char *font_cache_file(const char *name)
{
    const char *off = getenv("COUNTYBRIEF_FONT_CACHE");
    if (off && strcmp(off, "0") == 0) return NULL;
    return cb_cache_path(name);
}

static void stamp_path(cb_buf *b, const char *path)
{
    cb_file_id id;
    char text[CB_FILE_ID_TEXT];
    if (path && cb_file_id_at(path, &id) == 0) {
        cb_file_id_text(&id, text);
        cb_buf_addf(b, "|%s", text);
    } else {
        cb_buf_adds(b, "|-");
    }
}

static char *lookup_key(const char *request)
{
    cb_buf b = {0};
    cb_buf_addf(&b, "v3|%s", request ? request : ""); /* v3: CFF faces too */
    const char *vars[] = {"FONTCONFIG_FILE", "FONTCONFIG_PATH", "FONTCONFIG_SYSROOT"};
    for (size_t i = 0; i < 3; i++) cb_buf_addf(&b, "|%s", getenv(vars[i]) ? getenv(vars[i]) : "");
    const char *home = getenv("HOME"), *xdg = getenv("XDG_CACHE_HOME"), *data = getenv("XDG_DATA_HOME");
    char *user[4] = {
        xdg && *xdg ? cb_path_join(xdg, "fontconfig") : home ? cb_path_join(home, ".cache/fontconfig") : NULL,
        home ? cb_path_join(home, ".fonts") : NULL,
        data && *data ? cb_path_join(data, "fonts") : home ? cb_path_join(home, ".local/share/fonts") : NULL,
        home ? cb_path_join(home, ".config/fontconfig") : NULL,
    };
    const char *sys[] = {"/etc/fonts", "/etc/fonts/conf.d", "/var/cache/fontconfig", "/usr/share/fonts",
                         "/usr/local/share/fonts"};
    for (size_t i = 0; i < sizeof sys / sizeof *sys; i++) stamp_path(&b, sys[i]);
    for (size_t i = 0; i < 4; i++) {
        stamp_path(&b, user[i]);
        free(user[i]);
    }
    stamp_path(&b, getenv("FONTCONFIG_FILE"));
    for (char *c = b.s; *c; c++)
        if (*c == '\t' || *c == '\n') *c = ' ';
    return b.s;
}

/* The list is read and replaced whole, never through a link and only as a regular file
 * (output.h): a link or FIFO planted at its name is a miss, then replaced. */
#define LOOKUP_LIST_MAX ((size_t)1 << 20)

static int lookup_recall(const char *name, const char *key, char **path, int *index)
{
    char *list = font_cache_file(name);
    char *text = list ? cb_file_read(list, LOOKUP_LIST_MAX, NULL, NULL) : NULL;
    free(list);
    int found = 0;
    char *save = NULL;
    for (char *line = text ? strtok_r(text, "\n", &save) : NULL; line && !found; line = strtok_r(NULL, "\n", &save)) {
        char *f[4], *fsave = NULL, *p = line;
        int n = 0;
        for (char *t; n < 4 && (t = strtok_r(p, "\t", &fsave)); p = NULL) f[n++] = t;
        if (n != 4 || strcmp(f[0], key) != 0) continue;
        if (strcmp(f[1], "-") == 0) { /* remembered as not installed (the key holds the config) */
            *path = NULL;
            found = 1;
            continue;
        }
        cb_file_id then, now;
        if (cb_file_id_parse(f[3], &then) != 0 || cb_file_id_at(f[1], &now) != 0 || !cb_file_id_same(&then, &now))
            continue;
        *path = cb_xstrdup(f[1]);
        *index = atoi(f[2]);
        found = 1;
    }
    free(text);
    return found;
}

/* Remembers key's answer in list `name`: path NULL for none, else a settled file. "font-lookup"
 * holds the last request only; "font-match" keeps the other requests' lines too (a
 * template asks for a few faces), up to LOOKUP_KEEP of them. */
#define LOOKUP_KEEP 64
static void lookup_remember(const char *name, const char *key, const char *path, int index)
{
    char *list = font_cache_file(name);
    cb_file_id id = {0};
    char text[CB_FILE_ID_TEXT] = "-";
    if (!list || (path && (cb_file_id_at(path, &id) != 0 || !id.settled || strchr(path, '\t') ||
                           strchr(path, '\n')))) {
        free(list);
        return;
    }
    if (path) cb_file_id_text(&id, text);
    char *dir = cb_cache_path(NULL); /* its folders, as the plugin list's (mode 0700) */
    if (dir) (void)cb_mkdir_p(dir, 0700, "cache folder", NULL);
    free(dir);
    cb_buf b = {0};
    cb_buf_addf(&b, "%s\t%s\t%d\t%s\n", key, path ? path : "-", index, text);
    char *old = strcmp(name, "font-lookup") ? cb_file_read(list, LOOKUP_LIST_MAX, NULL, NULL) : NULL;
    size_t klen = strlen(key), kept = 0;
    for (char *line = old, *end; line && *line && kept < LOOKUP_KEEP; line = end + 1, kept++) {
        if (!(end = strchr(line, '\n'))) break;
        if (!(strncmp(line, key, klen) == 0 && line[klen] == '\t')) cb_buf_add(&b, line, (size_t)(end - line + 1));
    }
    free(old);
    cb_error err;
    (void)cb_write_file_atomic(list, b.s, b.len, &err); /* best effort: a cache */
    cb_buf_free(&b);
    free(list);
}

static int font_find_uncached(const char *family, char **path, int *index, cb_error *err);

/* 1 if fontconfig's format of face p is one face_open may take: TrueType, or CFF (an
 * OpenType font with CFF outlines; a bare CFF file is then no font to HarfBuzz). Type 1 and
 * bitmap formats are not. */
static int outline_format(FcPattern *p)
{
    FcChar8 *fmt = NULL;
    return FcPatternGetString(p, FC_FONTFORMAT, 0, &fmt) == FcResultMatch &&
           (strcmp((const char *)fmt, "TrueType") == 0 || strcmp((const char *)fmt, "CFF") == 0);
}

int cb_font_find(const char *family, char **path, int *index, cb_error *err)
{
    char *key = lookup_key(family);
    int rc = CB_OK;
    if (!lookup_recall("font-lookup", key, path, index) || !*path) {
        rc = font_find_uncached(family, path, index, err);
        if (rc == CB_OK) lookup_remember("font-lookup", key, *path, *index);
    }
    free(key);
    return rc;
}

static int font_match_uncached(const char *pattern, int bold, char **path, int *index)
{
    /* not covered: FcInit fails only out of memory */
    if (!FcInit()) return 0;
    FcPattern *pat = FcNameParse((const FcChar8 *)pattern);
    FcChar8 *want = NULL;
    if (!pat || FcPatternGetString(pat, FC_FAMILY, 0, &want) != FcResultMatch) {
        if (pat) FcPatternDestroy(pat);
        FcFini();
        return 0;
    }
    char *family = cb_xstrdup((const char *)want);
    if (bold) {
        FcPatternDel(pat, FC_WEIGHT);
        FcPatternAddInteger(pat, FC_WEIGHT, FC_WEIGHT_BOLD);
    }
    FcConfigSubstitute(NULL, pat, FcMatchPattern);
    FcDefaultSubstitute(pat);
    FcResult res;
    FcFontSet *set = FcFontSort(NULL, pat, FcFalse, NULL, &res);
    int found = 0;
    for (int i = 0; set && i < set->nfont && !found; i++) {
        FcPattern *p = set->fonts[i];
        FcChar8 *file = NULL, *fam = NULL;
        int weight = FC_WEIGHT_REGULAR, same = 0;
        if (FcPatternGetString(p, FC_FILE, 0, &file) != FcResultMatch) continue;
        for (int k = 0; FcPatternGetString(p, FC_FAMILY, k, &fam) == FcResultMatch; k++)
            same |= strcasecmp((const char *)fam, family) == 0;
        FcPatternGetInteger(p, FC_WEIGHT, 0, &weight);
        if (!same || (bold && weight < FC_WEIGHT_DEMIBOLD)) continue;
        *path = cb_xstrdup((const char *)file);
        *index = 0;
        FcPatternGetInteger(p, FC_INDEX, 0, index);
        found = 1;
    }
    if (set) FcFontSetDestroy(set);
    FcPatternDestroy(pat);
    free(family);
    FcFini(); /* as cb_font_find: each lookup is done once */
    return found;
}

int cb_font_match(const char *pattern, int bold, char **path, int *index)
{
    char *request = cb_xasprintf("match%s|%s", bold ? ":bold" : "", pattern);
    char *key = lookup_key(request);
    *path = NULL;
    int found = lookup_recall("font-match", key, path, index);
    if (!found) {
        found = font_match_uncached(pattern, bold, path, index);
        lookup_remember("font-match", key, found ? *path : NULL, found ? *index : 0);
    }
    free(key);
    free(request);
    return *path != NULL;
}

static int font_find_uncached(const char *family, char **path, int *index, cb_error *err)
{
    /* not covered: FcInit fails only out of memory (a missing or broken FONTCONFIG_FILE still
     * initialises, with fontconfig's own message) */
    if (!FcInit()) return cb_fail(err, CB_EFONT, "fontconfig: cannot initialise");
    FcPattern *pat = FcPatternCreate();
    if (family && *family) FcPatternAddString(pat, FC_FAMILY, (const FcChar8 *)family);
    FcLangSet *ls = FcLangSetCreate();
    FcLangSetAdd(ls, (const FcChar8 *)"zh-cn");
    FcPatternAddLangSet(pat, FC_LANG, ls);
    FcLangSetDestroy(ls);
    /* with no family asked for, TrueType faces come first (fontconfig ranks the format above
     * the family): the default font stays what it was before CFF faces were usable */
    if (!family || !*family) FcPatternAddString(pat, FC_FONTFORMAT, (const FcChar8 *)"TrueType");
    FcConfigSubstitute(NULL, pat, FcMatchPattern);
    FcDefaultSubstitute(pat);

    FcResult res;
    FcFontSet *set = FcFontSort(NULL, pat, FcTrue, NULL, &res);
    int rc = cb_fail(err, CB_EFONT,
                     "no Chinese TrueType or OpenType CFF font found through fontconfig%s%s%s (install "
                     "fonts-wqy-microhei, or pass --font PATH)",
                     family ? " for \"" : "", family ? family : "", family ? "\"" : "");
    for (int i = 0; set && i < set->nfont; i++) {
        FcPattern *p = set->fonts[i];
        FcChar8 *file = NULL;
        FcCharSet *cs = NULL;
        int idx = 0;
        if (FcPatternGetString(p, FC_FILE, 0, &file) != FcResultMatch || !outline_format(p)) continue;
        /* face_open below checks for glyf or 'CFF ' outlines (not CFF2) */
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
        face *probe;
        cb_error perr;
        if (face_open(&probe, (const char *)file, idx, &perr) != CB_OK) continue;
        face_free(probe);
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

static void face_free(face *fc)
{
    if (!fc) return;
    hb_font_destroy(fc->font);
    hb_face_destroy(fc->face);
    hb_blob_destroy(fc->blob);
    cb_font_subset_free(&fc->whole);
    free(fc->whole_cps);
    free(fc->path);
    free(fc->psname);
    free(fc);
}

static void unmap(void *ud)
{
    size_t *m = ud; /* {address, length} */
    munmap((void *)m[0], m[1]);
    free(m);
}

/* The font file path as a blob, mapped from the descriptor its type and size were checked
 * on: a folder, /dev/zero or a FIFO there is "not a font file" and never read. */
static int font_blob(const char *path, hb_blob_t **blob, cb_error *err)
{
    struct stat st;
    int fd = cb_open_regular(path, O_RDONLY, 0, &st);
    if (fd < 0 && errno != EINVAL)
        return cb_fail(err, CB_EFONT, errno == ENOENT || errno == ENOTDIR ? "%s: font file not found"
                       : "%s: font file cannot be read (%s)", path, strerror(errno));
    if (fd < 0)
        return cb_fail(err, CB_EFONT, "%s: not a font file (%s)", path, cb_is_dir(path) ? "a folder"
                       : "a device, FIFO or socket, not a regular file");
    if (st.st_size <= 0 || (unsigned long long)st.st_size > FONT_MAX_BYTES) {
        close(fd);
        return cb_fail(err, CB_EFONT, "%s: not a font file (%lld bytes; a font is 1 byte to %u MiB)", path,
                       (long long)st.st_size, FONT_MAX_BYTES >> 20);
    }
    /* not covered: mmap of a regular file of checked size, and the blob, fail only out of
     * memory */
    void *p = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
    int saved = errno;
    close(fd);
    if (p == MAP_FAILED) return cb_fail(err, CB_EFONT, "%s: font file cannot be read (%s)", path, strerror(saved));
    size_t *m = cb_xmalloc(2 * sizeof *m);
    m[0] = (size_t)p;
    m[1] = (size_t)st.st_size;
    *blob = hb_blob_create_or_fail(p, (unsigned)st.st_size, HB_MEMORY_MODE_READONLY_MAY_MAKE_WRITABLE, m, unmap);
    if (!*blob) {
        unmap(m);
        return cb_fail(err, CB_ENOMEM, "%s: font file cannot be read (out of memory)", path);
    }
    return CB_OK;
}

static int subset_face(face *f, const uint32_t *cps, size_t n, int sfnt, cb_font_subset *out, cb_error *err);
static int cff_program(face *f, hb_face_t *sub, size_t n, cb_font_subset *out, cb_error *err);
static int face_has(const face *fc, uint32_t cp);

static unsigned table_length(hb_face_t *hface, hb_tag_t tag)
{
    hb_blob_t *t = hb_face_reference_table(hface, tag);
    unsigned len = hb_blob_get_length(t);
    hb_blob_destroy(t);
    return len;
}

/* Subsets a few characters once, at load: a font HarfBuzz cannot subset (a damaged OS/2 or
 * hmtx table) is then one error naming it, not "font subsetting failed" in every county. */
static int face_check_subset(face *fc, cb_error *err)
{
    static const uint32_t probe[] = {' ', '0', 'A', 'a', 0x4E2D /* 中 */, 0x53BF /* 县 */, 0x25A1};
    uint32_t cps[sizeof probe / sizeof *probe];
    size_t n = 0;
    for (size_t i = 0; i < sizeof probe / sizeof *probe; i++)
        if (face_has(fc, probe[i])) cps[n++] = probe[i];
    cb_font_subset sub;
    cb_error inner;
    if (subset_face(fc, cps, n, 0, &sub, &inner) != CB_OK)
        return cb_fail(err, CB_EFONT, "%s: not a usable font (HarfBuzz cannot subset it for embedding: a "
                       "damaged table)", fc->path);
    cb_font_subset_free(&sub);
    return CB_OK;
}

static int face_open(face **out, const char *path, int index, cb_error *err)
{
    *out = NULL;
    hb_blob_t *blob;
    int rc = font_blob(path, &blob, err);
    if (rc != CB_OK) return rc;
    hb_face_t *hface = hb_face_create(blob, (unsigned)index);
    if (hb_face_get_glyph_count(hface) == 0 || hb_face_get_upem(hface) < 16) {
        hb_face_destroy(hface);
        hb_blob_destroy(blob);
        return cb_fail(err, CB_EFONT, "%s: not a usable font (no glyphs, or face %d missing)",
                       path, index);
    }
    /* HarfBuzz reads a unitsPerEm of 0 as 1000, but the subset keeps the raw value and
     * libharu divides by it (SIGFPE): check the table itself */
    hb_blob_t *head = hb_face_reference_table(hface, HB_TAG('h', 'e', 'a', 'd'));
    unsigned head_len = 0;
    const unsigned char *hd = (const unsigned char *)hb_blob_get_data(head, &head_len);
    unsigned upem = head_len >= 20 ? (unsigned)(hd[18] << 8 | hd[19]) : 0;
    hb_blob_destroy(head);
    if (upem < 16 || upem > 16384) {
        hb_face_destroy(hface);
        hb_blob_destroy(blob);
        return cb_fail(err, CB_EFONT, "%s: not a usable font (unitsPerEm is %u; TrueType allows "
                       "16 to 16384)", path, upem);
    }
    /* TrueType (glyf) or CFF outlines: the two PDF embeds as a CIDFont (CFF2, a variable
     * font's, it does not) */
    unsigned glyf_len = table_length(hface, HB_TAG('g', 'l', 'y', 'f'));
    unsigned cff_len = glyf_len ? 0 : table_length(hface, HB_TAG('C', 'F', 'F', ' '));
    if (glyf_len == 0 && cff_len == 0) {
        hb_face_destroy(hface);
        hb_blob_destroy(blob);
        return cb_fail(err, CB_EFONT,
                       "%s: the font has neither TrueType (glyf) nor CFF outlines; PDF embedding needs a "
                       ".ttf/.ttc or an OpenType CFF .otf/.otc font", path);
    }
    face *fc = cb_xcalloc(1, sizeof *fc);
    fc->path = cb_xstrdup(path);
    fc->index = index;
    fc->cff = glyf_len == 0;
    fc->blob = blob;
    fc->face = hface;
    fc->font = hb_font_create(hface);
    fc->upem = (float)hb_face_get_upem(hface);
    hb_font_set_scale(fc->font, (int)fc->upem, (int)fc->upem);
    hb_font_extents_t ext;
    if (hb_font_get_h_extents(fc->font, &ext)) {
        fc->ascender = ext.ascender / fc->upem;
        fc->descender = ext.descender / fc->upem;
    } else {
        fc->ascender = 0.88f;
        fc->descender = -0.12f;
    }
    char name[256];
    unsigned name_len = sizeof name;
    if (hb_ot_name_get_utf8(hface, HB_OT_NAME_ID_POSTSCRIPT_NAME, HB_LANGUAGE_INVALID, &name_len,
                            name) > 0)
        fc->psname = cb_xstrdup(name);
    if ((rc = face_check_subset(fc, err)) != CB_OK) {
        face_free(fc);
        return rc;
    }
    *out = fc;
    return CB_OK;
}

/* The glyph face fc draws cp with (a tabular face's digits: its own), 0 if none. */
static hb_codepoint_t face_glyph(const face *fc, uint32_t cp)
{
    hb_codepoint_t gid;
    if (cp - '0' < 10 && fc->digit[cp - '0']) return fc->digit[cp - '0'];
    return hb_font_get_nominal_glyph(fc->font, cp, &gid) ? gid : 0;
}

static int face_has(const face *fc, uint32_t cp) { return face_glyph(fc, cp) != 0; }

static float face_advance(const face *fc, uint32_t cp)
{
    return hb_font_get_glyph_h_advance(fc->font, face_glyph(fc, cp)) / fc->upem; /* 0: .notdef's */
}

/* The glyphs of the ASCII digits 0-9 into g: the cmap's, or with OpenType feature `tag`
 * (not 0) their substitutes by the feature's lookups alone (no other feature: the engine
 * draws the cmap's glyphs, unshaped). 1 if all ten are there and of one advance. */
static int digits_tabular(const face *fc, hb_tag_t tag, hb_codepoint_t g[10])
{
    hb_tag_t feats[2] = {tag, 0};
    hb_set_t *lookups = hb_set_create();
    if (tag) hb_ot_layout_collect_lookups(fc->face, HB_OT_TAG_GSUB, NULL, NULL, feats, lookups);
    hb_set_t *glyphs = hb_set_create();
    int ok = 1;
    for (uint32_t d = 0; d < 10; d++) {
        ok = ok && hb_font_get_nominal_glyph(fc->font, '0' + d, &g[d]) && g[d];
        /* a single substitution: the closure of {glyph} under a lookup is {glyph, its
         * substitute} (HarfBuzz 6.0 gives no alternates of a single substitution) */
        for (hb_codepoint_t k = HB_SET_VALUE_INVALID, alt = HB_SET_VALUE_INVALID; ok && hb_set_next(lookups, &k);) {
            hb_set_clear(glyphs);
            hb_set_add(glyphs, g[d]);
            hb_ot_layout_lookup_substitute_closure(fc->face, k, glyphs);
            hb_set_del(glyphs, g[d]);
            if (hb_set_get_population(glyphs) == 1 && hb_set_next(glyphs, &alt)) g[d] = alt;
        }
        ok = ok && hb_font_get_glyph_h_advance(fc->font, g[d]) == hb_font_get_glyph_h_advance(fc->font, g[0]);
    }
    hb_set_destroy(glyphs);
    hb_set_destroy(lookups);
    return ok;
}

/*
 * The face of list l that draws face `base`'s digits tabular (font.h: figures): base itself
 * when its digits are all of one advance already (WenQuanYi, DejaVu, Noto Sans CJK) or no
 * feature makes them so; else a face of the same file whose digits are the glyphs of the
 * `tnum` feature (tabular figures), or where a face has none, of `hwid` (half-width forms:
 * Noto Serif CJK's proportional digits become its half-width ones). It shares base's
 * HarfBuzz objects, is made once, and is in no pick order: only a figures view draws with
 * it, and only digits, so its subset holds the digits alone and the PDF's ToUnicode maps
 * their glyphs back to them.
 */
static int tabular_face(cb_font *l, int base)
{
    const face *b = l->faces[base];
    hb_codepoint_t g[10];
    if (l->tabular[base]) return l->tabular[base] - 1;
    l->tabular[base] = (unsigned char)(base + 1);
    if (b->digit[0] || digits_tabular(b, 0, g) || l->nfaces >= MAX_FACES) return base;
    if (!digits_tabular(b, HB_TAG('t', 'n', 'u', 'm'), g) && !digits_tabular(b, HB_TAG('h', 'w', 'i', 'd'), g))
        return base;
    face *fc = cb_xmalloc(sizeof *fc);
    *fc = *b;
    memcpy(fc->digit, g, sizeof g);
    fc->path = cb_xstrdup(b->path);
    /* its own PostScript name: two subsets of one name may not differ in their glyphs */
    fc->psname = cb_xmalloc(strlen(b->psname ? b->psname : "Font") + 6);
    sprintf(fc->psname, "%s-tnum", b->psname ? b->psname : "Font");
    hb_blob_reference(fc->blob);
    hb_face_reference(fc->face);
    hb_font_reference(fc->font);
    l->faces[l->nfaces] = fc;
    l->bold[l->nfaces] = l->bold[base]; /* a bold face's digits: not thickened again */
    l->tabular[base] = (unsigned char)(l->nfaces + 1);
    return (int)l->nfaces++;
}

int cb_font_open(cb_font **out, const char *path, int index, cb_error *err)
{
    *out = NULL;
    face *primary;
    int rc = face_open(&primary, path, index, err);
    if (rc != CB_OK) return rc;
    cb_font *f = cb_xcalloc(1, sizeof *f);
    f->faces[0] = primary;
    f->nfaces = f->nexplicit = 1;
    f->auto_fallback = 1;
    f->replacement = face_has(primary, 0x25A1) ? 0x25A1 : '?';
    f->replacement_advance = face_advance(primary, f->replacement);
    f->bmp_pick = cb_xmalloc(BMP_SIZE);
    memset(f->bmp_pick, PICK_UNKNOWN, BMP_SIZE);
    f->bmp_advance = cb_xmalloc(sizeof(float) * BMP_SIZE);
    for (int r = 0; r < CB_FONT_NROLES; r++) f->role_face[r][0] = f->role_face[r][1] = -1;
    f->role_face[CB_FONT_BODY][0] = 0;
    f->first = f->latin = f->digits = -1;
    f->figures_digits[0] = f->figures_digits[1] = -2;
    *out = f;
    return CB_OK;
}

int cb_font_add_fallback(cb_font *f, const char *path, int index, cb_error *err)
{
    if (f->picked || f->nfaces >= MAX_FACES)
        return cb_fail(err, CB_EFONT, "%s: too many fallback fonts, or added after text was "
                       "measured", path);
    face *fc;
    int rc = face_open(&fc, path, index, err);
    if (rc != CB_OK) return rc;
    f->faces[f->nfaces++] = fc;
    f->nexplicit = f->nfaces;
    return CB_OK;
}

int cb_font_add_face(cb_font *f, const char *path, int index, int *face, cb_error *err)
{
    for (size_t k = 0; k < f->nexplicit; k++)
        if (!f->faces[k]->digit[0] && f->faces[k]->index == index && strcmp(f->faces[k]->path, path) == 0) {
            *face = (int)k;
            return CB_OK;
        }
    int rc = cb_font_add_fallback(f, path, index, err);
    *face = (int)f->nfaces - 1;
    return rc;
}

void cb_font_set_role(cb_font *f, cb_font_role role, int bold, int face)
{
    if (role == CB_FONT_BODY && !bold) return; /* the primary */
    f->role_face[role][bold] = face;
    if (bold) f->bold[face] = 1;
    /* the list's own text (the body's) takes the Latin face first too */
    if (role == CB_FONT_LATIN && !bold) f->latin = face;
}

int cb_font_role_face(const cb_font *f, cb_font_role role, int bold) { return LIST(f)->role_face[role][bold]; }
int cb_font_face_bold(const cb_font *f, int face) { return face >= 0 && LIST(f)->bold[face]; }

/* A view of list l (font.h): its settings as l's now, its own empty choice tables. */
static cb_font *view_make(cb_font *l, int first, int latin, int digits)
{
    cb_font *v = cb_xmalloc(sizeof *v);
    *v = *l;
    memset(v->views, 0, sizeof v->views);
    memset(v->blank, 0, sizeof v->blank); /* its marks may come from other faces */
    v->list = l;
    v->first = first;
    v->latin = latin;
    v->digits = digits;
    v->bmp_pick = cb_xmalloc(BMP_SIZE);
    memset(v->bmp_pick, PICK_UNKNOWN, BMP_SIZE);
    v->bmp_advance = cb_xmalloc(sizeof(float) * BMP_SIZE);
    v->astral = NULL;
    v->nastral = v->astral_cap = 0;
    return v;
}

cb_font *cb_font_for(cb_font *f, cb_font_role role, int bold)
{
    cb_font *l = LIST(f);
    if (l->views[role][bold]) return l->views[role][bold];
    int first = l->role_face[role][bold], latin = l->role_face[CB_FONT_LATIN][bold], digits = -1;
    if (first < 0 && bold) first = l->role_face[role][0];
    if (latin < 0) latin = l->latin;
    if (role == CB_FONT_LATIN) first = latin;
    if (role == CB_FONT_FIGURES && l->figures_digits[bold] == -2) { /* the face its digits come from, tabular */
        int base = latin >= 0 && face_has(l->faces[latin], '0') ? latin
                   : first >= 0 && face_has(l->faces[first], '0') ? first : cb_font_pick(l, '0');
        if (base >= 0 && (digits = tabular_face(l, base)) == base) digits = -1;
        l->figures_digits[bold] = digits;
    }
    if (role == CB_FONT_FIGURES) digits = l->figures_digits[bold];
    if ((first < 0 || first == 0) && latin == l->latin && digits < 0) return l; /* picks as the list does */
    for (int r = 0; r < CB_FONT_NROLES; r++) /* a role that picks the same */
        for (int b = 0; b < 2; b++)
            if (l->views[r][b] && l->views[r][b]->first == first && l->views[r][b]->latin == latin &&
                l->views[r][b]->digits == digits)
                return l->views[r][b];
    return l->views[role][bold] = view_make(l, first, latin, digits);
}

void cb_font_set_auto_fallback(cb_font *f, int on) { f->auto_fallback = on; }

void cb_font_close(cb_font *f)
{
    if (!f) return;
    for (int r = 0; r < CB_FONT_NROLES; r++)
        for (int b = 0; b < 2; b++) cb_font_close(f->views[r][b]);
    free(f->bmp_pick);
    free(f->bmp_advance);
    free(f->astral);
    if (f->list) { /* a view: the rest is its list's */
        free(f);
        return;
    }
    for (size_t i = 0; i < f->nfaces; i++) face_free(f->faces[i]);
    free(f->cand_face);
    if (f->cands) FcFontSetDestroy(f->cands);
    if (f->fc) FcConfigDestroy(f->fc);
    free(f);
}

const char *cb_font_path(const cb_font *f) { return LIST(f)->faces[0]->path; }
size_t cb_font_nfaces(const cb_font *f) { return LIST(f)->nfaces; }
const char *cb_font_face_path(const cb_font *f, int i) { return LIST(f)->faces[i]->path; }
int cb_font_face_index(const cb_font *f, int i) { return LIST(f)->faces[i]->index; }
uint32_t cb_font_replacement(const cb_font *f) { return f->replacement; }

void cb_font_spec(const char *spec, char **path, int *index)
{
    const char *colon = strrchr(spec, ':'), *d = colon ? colon + 1 : NULL;
    size_t digits = d ? strspn(d, "0123456789") : 0;
    *index = 0;
    if (!d || colon == spec || digits == 0 || digits > 5 || d[digits]) { /* no face index */
        *path = cb_xstrdup(spec);
        return;
    }
    *path = cb_xstrndup(spec, (size_t)(colon - spec));
    *index = atoi(d);
}

/* ---- fontconfig's fallback candidates */

/* The installed TrueType and CFF faces in fontconfig's order of preference for Chinese
 * text (TrueType ones first, as before CFF faces were usable), made once. A private
 * configuration: cb_font_find's FcFini does not touch it. */
static void load_candidates(cb_font *f)
{
    f->fc_tried = 1;
    f->fc = FcInitLoadConfigAndFonts();
    if (!f->fc) return;
    FcPattern *pat = FcPatternCreate();
    FcLangSet *ls = FcLangSetCreate();
    FcLangSetAdd(ls, (const FcChar8 *)"zh-cn");
    FcPatternAddLangSet(pat, FC_LANG, ls);
    FcLangSetDestroy(ls);
    FcPatternAddString(pat, FC_FONTFORMAT, (const FcChar8 *)"TrueType");
    FcConfigSubstitute(f->fc, pat, FcMatchPattern);
    FcDefaultSubstitute(pat);
    FcResult res;
    f->cands = FcFontSort(f->fc, pat, FcFalse, NULL, &res);
    FcPatternDestroy(pat);
    if (!f->cands) return;
    f->cand_face = cb_xmalloc((f->cands->nfont ? (size_t)f->cands->nfont : 1) * sizeof(int));
    for (int i = 0; i < f->cands->nfont; i++) f->cand_face[i] = -2;
}

/* Whether candidate i may be used at all, judged from fontconfig's description. */
static int candidate_ok(FcPattern *p)
{
    FcBool color = FcFalse;
    if (!outline_format(p)) return 0; /* Type 1, bitmap */
    if (FcPatternGetBool(p, FC_COLOR, 0, &color) == FcResultMatch && color) return 0;
    FcBool outline = FcTrue;
    if (FcPatternGetBool(p, FC_OUTLINE, 0, &outline) == FcResultMatch && !outline) return 0;
    return 1;
}

/* The face of candidate i, opened the first time; -1 if it cannot be used. */
static int candidate_face(cb_font *f, int i)
{
    if (f->cand_face[i] != -2) return f->cand_face[i];
    f->cand_face[i] = -1;
    FcPattern *p = f->cands->fonts[i];
    FcChar8 *file = NULL;
    int idx = 0;
    if (f->nfaces >= MAX_FACES || FcPatternGetString(p, FC_FILE, 0, &file) != FcResultMatch)
        return -1;
    FcPatternGetInteger(p, FC_INDEX, 0, &idx);
    for (size_t k = 0; k < f->nexplicit; k++) /* already open as an explicit face */
        if (f->faces[k]->index == idx && strcmp(f->faces[k]->path, (const char *)file) == 0) {
            f->cand_face[i] = (int)k;
            return (int)k;
        }
    /* The same font under another path (a Debian alternatives link, a copy, another
     * version): libharu knows a font by its PostScript name, so one name may stand for one
     * face only. That is the explicit face of that name, else the first usable candidate
     * in the order: a choice that depends on the installed fonts alone. */
    FcChar8 *ps = NULL;
    if (FcPatternGetString(p, FC_POSTSCRIPT_NAME, 0, &ps) == FcResultMatch) {
        for (size_t k = 0; k < f->nexplicit; k++)
            if (f->faces[k]->psname && strcmp(f->faces[k]->psname, (const char *)ps) == 0) return -1;
        for (int k = 0; k < i; k++) {
            FcChar8 *other = NULL;
            if (FcPatternGetString(f->cands->fonts[k], FC_POSTSCRIPT_NAME, 0, &other) == FcResultMatch &&
                strcmp((const char *)ps, (const char *)other) == 0 && candidate_ok(f->cands->fonts[k]))
                return -1;
        }
    }
    face *fc;
    cb_error err;
    if (face_open(&fc, (const char *)file, idx, &err) != CB_OK) return -1;
    f->faces[f->nfaces] = fc;
    f->cand_face[i] = (int)f->nfaces++;
    return f->cand_face[i];
}

/*
 * The candidates cb_font_fallback_candidates gives, remembered as the font lookup is:
 * making the list initialises fontconfig, which costs as much as a re-run with nothing to
 * render. ${XDG_CACHE_HOME:-~/.cache}/countybrief/font-fallbacks holds
 *     KEY                              (lookup_key: fontconfig's configuration and caches)
 *     f \t INDEX \t PATH               per candidate, in order
 *     d \t MTIME_NS \t FOLDER          per folder holding one
 * and is used while the key and every folder's time are unchanged: adding or removing a
 * font changes its folder's time, a new folder changes the configuration.
 */
/* 1 if the folder at path is as id_text (a "d" line's) says. */
static int folder_unchanged(const char *id_text, size_t len, const char *path)
{
    char text[CB_FILE_ID_TEXT];
    cb_file_id then, now;
    snprintf(text, sizeof text, "%.*s", (int)len, id_text);
    return cb_file_id_parse(text, &then) == 0 && cb_file_id_at(path, &now) == 0 && cb_file_id_same(&then, &now);
}

static int fallbacks_recall(const char *key, void (*fn)(void *ud, const char *path, int index), void *ud)
{
    char *list = font_cache_file("font-fallbacks");
    char *text = list ? cb_file_read(list, LOOKUP_LIST_MAX, NULL, NULL) : NULL;
    free(list);
    size_t klen = strlen(key);
    int ok = text && strncmp(text, key, klen) == 0 && text[klen] == '\n';
    /* first the folders, then the faces: a stale list calls fn for none */
    for (int pass = 0; ok && pass < 2; pass++) {
        for (char *line = text + klen + 1, *end; ok && *line; line = end + 1) {
            if (!(end = strchr(line, '\n'))) break;
            char *tab = strchr(line, '\t'), *tab2 = tab ? strchr(tab + 1, '\t') : NULL;
            if (!tab2 || tab2 > end || (line[0] != 'f' && line[0] != 'd')) {
                ok = 0;
                break;
            }
            *end = '\0';
            if (pass == 0 && line[0] == 'd') ok = folder_unchanged(tab + 1, (size_t)(tab2 - tab - 1), tab2 + 1);
            if (pass == 1 && line[0] == 'f') fn(ud, tab2 + 1, atoi(tab + 1));
            *end = '\n';
        }
    }
    free(text);
    return ok;
}

static void fallbacks_remember(const char *key, const cb_font *f)
{
    char *list = font_cache_file("font-fallbacks");
    if (!list) return;
    cb_buf b = {0}, dirs = {0};
    cb_buf_addf(&b, "%s\n", key);
    for (int i = 0; i < f->cands->nfont; i++) {
        FcPattern *p = f->cands->fonts[i];
        FcChar8 *file = NULL;
        int idx = 0;
        if (!candidate_ok(p) || FcPatternGetString(p, FC_FILE, 0, &file) != FcResultMatch) continue;
        if (strpbrk((const char *)file, "\t\n")) goto out; /* no line could hold it */
        FcPatternGetInteger(p, FC_INDEX, 0, &idx);
        cb_buf_addf(&b, "f\t%d\t%s\n", idx, (const char *)file);
        char *dir = cb_xstrdup((const char *)file), *slash = strrchr(dir, '/');
        if (slash) *slash = '\0';
        cb_file_id id;
        char text[CB_FILE_ID_TEXT];
        if (cb_file_id_at(dir, &id) != 0 || !id.settled) { /* not settled: not remembered */
            free(dir);
            goto out;
        }
        cb_file_id_text(&id, text);
        char *line = cb_xasprintf("d\t%s\t%s\n", text, dir);
        if (!dirs.s || !strstr(dirs.s, line)) cb_buf_adds(&dirs, line);
        free(line);
        free(dir);
    }
    if (dirs.s) cb_buf_adds(&b, dirs.s);
    char *folder = cb_cache_path(NULL);
    if (folder) (void)cb_mkdir_p(folder, 0700, "cache folder", NULL);
    free(folder);
    cb_error err;
    (void)cb_write_file_atomic(list, b.s, b.len, &err); /* best effort: a cache */
out:
    cb_buf_free(&b);
    cb_buf_free(&dirs);
    free(list);
}

void cb_font_fallback_candidates(cb_font *f, void (*fn)(void *ud, const char *path, int index),
                                 void *ud)
{
    if (!f->auto_fallback) return;
    char *key = f->fc_tried ? NULL : lookup_key("\x01" "fallbacks") /* no family name */;
    if (key && fallbacks_recall(key, fn, ud)) {
        free(key);
        return;
    }
    if (!f->fc_tried) load_candidates(f);
    for (int i = 0; f->cands && i < f->cands->nfont; i++) {
        FcPattern *p = f->cands->fonts[i];
        FcChar8 *file = NULL;
        int idx = 0;
        if (!candidate_ok(p) || FcPatternGetString(p, FC_FILE, 0, &file) != FcResultMatch) continue;
        FcPatternGetInteger(p, FC_INDEX, 0, &idx);
        fn(ud, (const char *)file, idx);
    }
    if (key && f->cands) fallbacks_remember(key, f);
    free(key);
}

static int auto_pick(cb_font *f, uint32_t cp)
{
    if (!f->fc_tried) load_candidates(f);
    if (!f->cands) return CB_FACE_NONE;
    for (int i = 0; i < f->cands->nfont; i++) {
        if (f->cand_face[i] == -1) continue;
        FcPattern *p = f->cands->fonts[i];
        FcCharSet *cs = NULL;
        if (FcPatternGetCharSet(p, FC_CHARSET, 0, &cs) != FcResultMatch || !FcCharSetHasChar(cs, cp))
            continue;
        if (f->cand_face[i] == -2 && !candidate_ok(p)) {
            f->cand_face[i] = -1;
            continue;
        }
        int k = candidate_face(f, i);
        if (k >= 0 && face_has(f->faces[k], cp)) return k;
    }
    return CB_FACE_NONE;
}

/* ---- choosing a face per character */

static int compute_pick(cb_font *f, uint32_t cp)
{
    cb_font *l = LIST(f);
    f->picked = l->picked = 1;
    /* invisible even where the font has a (blank) glyph: nothing to see or to search */
    if (cb_font_invisible(cp)) return CB_FACE_SKIP;
    if (f->digits >= 0 && cp - '0' < 10) return f->digits;
    if (f->latin >= 0 && cb_font_latin_text(cp) && face_has(l->faces[f->latin], cp)) return f->latin;
    if (f->list) /* a view: its role's face, then as its list picks */
        return f->first >= 0 && face_has(l->faces[f->first], cp) ? f->first : cb_font_pick(l, cp);
    if (face_has(f->faces[0], cp)) return 0;
    for (size_t i = 1; i < f->nexplicit; i++)
        if (!f->bold[i] && !f->faces[i]->digit[0] && face_has(f->faces[i], cp)) return (int)i;
    if (cp >= 0xD800 && cp <= 0xDFFF) return CB_FACE_NONE; /* U+FFFD stands for bad UTF-8 */
    return f->auto_fallback ? auto_pick(f, cp) : CB_FACE_NONE;
}

static float advance_of(cb_font *f, int pick, uint32_t cp)
{
    if (pick >= 0) return face_advance(LIST(f)->faces[pick], cp);
    return pick == CB_FACE_NONE ? f->replacement_advance : 0;
}

static astral *astral_slot(cb_font *f, uint32_t cp)
{
    if (2 * (f->nastral + 1) > f->astral_cap) {
        size_t cap = f->astral_cap ? f->astral_cap * 2 : 64;
        astral *t = cb_xcalloc(cap, sizeof *t);
        for (size_t i = 0; i < f->astral_cap; i++) {
            if (!f->astral[i].cp) continue;
            size_t h = (f->astral[i].cp * 2654435761u) & (cap - 1);
            while (t[h].cp) h = (h + 1) & (cap - 1);
            t[h] = f->astral[i];
        }
        free(f->astral);
        f->astral = t;
        f->astral_cap = cap;
    }
    size_t h = (cp * 2654435761u) & (f->astral_cap - 1);
    while (f->astral[h].cp && f->astral[h].cp != cp) h = (h + 1) & (f->astral_cap - 1);
    return &f->astral[h];
}

static astral *astral_lookup(cb_font *f, uint32_t cp)
{
    astral *a = astral_slot(f, cp);
    if (!a->cp) {
        int pick = compute_pick(f, cp);
        a = astral_slot(f, cp); /* compute_pick does not touch the table, but be safe */
        a->cp = cp;
        a->pick = pick;
        a->advance = advance_of(f, pick, cp);
        f->nastral++;
    }
    return a;
}

static void bmp_fill(cb_font *f, uint32_t cp)
{
    int pick = compute_pick(f, cp);
    f->bmp_pick[cp] = pick >= 0 ? (uint8_t)pick : pick == CB_FACE_NONE ? PICK_NONE : PICK_SKIP;
    f->bmp_advance[cp] = advance_of(f, pick, cp);
}

int cb_font_pick(cb_font *f, uint32_t cp)
{
    if (cp >= BMP_SIZE) return astral_lookup(f, cp)->pick;
    if (f->bmp_pick[cp] == PICK_UNKNOWN) bmp_fill(f, cp);
    uint8_t p = f->bmp_pick[cp];
    return p == PICK_NONE ? CB_FACE_NONE : p == PICK_SKIP ? CB_FACE_SKIP : p;
}

float cb_font_advance(cb_font *f, uint32_t cp)
{
    if (cp >= BMP_SIZE) return astral_lookup(f, cp)->advance;
    if (f->bmp_pick[cp] == PICK_UNKNOWN) bmp_fill(f, cp);
    return f->bmp_advance[cp];
}

int cb_font_has(cb_font *f, uint32_t cp) { return cb_font_pick(f, cp) >= 0; }

int cb_font_run(cb_font *f, const char *s, size_t len, size_t *run_len, float *width,
                size_t *drawn)
{
    const char *p = s, *end = s + len;
    int face = CB_FACE_SKIP; /* none yet: skipped characters join the run they are in */
    float w = 0;
    size_t n = 0;
    while (p < end) {
        const char *at = p;
        uint32_t cp = cb_utf8_step(&p, end);
        int pick;
        float adv;
        if (cp < BMP_SIZE) {
            if (f->bmp_pick[cp] == PICK_UNKNOWN) bmp_fill(f, cp);
            uint8_t k = f->bmp_pick[cp];
            pick = k == PICK_NONE ? CB_FACE_NONE : k == PICK_SKIP ? CB_FACE_SKIP : k;
            adv = f->bmp_advance[cp];
        } else {
            const astral *a = astral_lookup(f, cp);
            pick = a->pick;
            adv = a->advance;
        }
        if (pick == CB_FACE_SKIP) continue;
        if (face == CB_FACE_SKIP) face = pick;
        else if (pick != face) {
            p = at;
            break;
        }
        w += adv;
        n++;
    }
    *run_len = (size_t)(p - s);
    *width = w;
    *drawn = n;
    return face;
}

float cb_font_width(cb_font *f, const char *s, size_t len, float size)
{
    if (f->has_ts) return cb_ts_width(f, s, len) * size;
    const char *p = s, *end = s + len;
    float w = 0;
    while (p < end) w += cb_font_advance(f, cb_utf8_next(&p, end));
    return w * size;
}

void cb_font_metrics(const cb_font *f, float *ascender, float *descender)
{
    *ascender = LIST(f)->faces[0]->ascender;
    *descender = LIST(f)->faces[0]->descender;
}

void cb_font_face_info_get(const cb_font *fl, int face_index, cb_font_face_info *out)
{
    const face *f = LIST(fl)->faces[face_index];
    float k = 1000 / f->upem; /* font units to PDF glyph space */
    memset(out, 0, sizeof *out);
    out->psname = f->psname && *f->psname ? f->psname : "Font";
    unsigned flen = sizeof out->family;
    if (!hb_ot_name_get_utf8(f->face, HB_OT_NAME_ID_TYPOGRAPHIC_FAMILY, HB_LANGUAGE_INVALID, &flen, out->family)) {
        flen = sizeof out->family; /* a face of the four basic styles has no typographic family */
        hb_ot_name_get_utf8(f->face, HB_OT_NAME_ID_FONT_FAMILY, HB_LANGUAGE_INVALID, &flen, out->family);
    }
    out->ascent = (int)lrintf(f->ascender * 1000);
    out->descent = (int)lrintf(f->descender * 1000);
    hb_blob_t *head = hb_face_reference_table(f->face, HB_TAG('h', 'e', 'a', 'd'));
    unsigned len = 0;
    const unsigned char *hd = (const unsigned char *)hb_blob_get_data(head, &len);
    if (len >= 44) /* xMin, yMin, xMax, yMax: signed 16-bit at byte 36 */
        for (int i = 0; i < 4; i++)
            out->bbox[i] = (int)lrintf((int16_t)(hd[36 + 2 * i] << 8 | hd[37 + 2 * i]) * k);
    hb_blob_destroy(head);
    hb_position_t cap = 0;
    out->cap_height = hb_ot_metrics_get_position(f->font, HB_OT_METRICS_TAG_CAP_HEIGHT, &cap) && cap
                          ? (int)lrintf(cap * k)
                          : out->ascent;
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
        old[i] = face_glyph(f, cps[i]);
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

/* ---- typesetting (typeset.h) */

void cb_font_set_typeset(cb_font *f, const cb_typeset *ts)
{
    f->has_ts = ts != NULL;
    if (ts) f->ts = *ts;
}

const cb_typeset *cb_font_typeset(const cb_font *f) { return f->has_ts ? &f->ts : NULL; }

/* Which half of the glyph of cp (about one em wide) face fc leaves blank: as the face's
 * `halt` feature (alternate half widths, OpenType) positions it where the face has it,
 * else from the glyph's ink, which must keep to one half of the em. */
static int face_blank_half(const face *fc, uint32_t cp)
{
    hb_codepoint_t gid;
    if (!hb_font_get_nominal_glyph(fc->font, cp, &gid)) return CB_BLANK_NONE;
    float adv = hb_font_get_glyph_h_advance(fc->font, gid) / fc->upem;
    if (adv < 0.9f || adv > 1.1f) return CB_BLANK_NONE; /* proportional: a Latin face's */
    hb_buffer_t *buf = hb_buffer_create();
    hb_buffer_add_codepoints(buf, &cp, 1, 0, 1);
    hb_buffer_set_direction(buf, HB_DIRECTION_LTR);
    hb_buffer_set_script(buf, HB_SCRIPT_HAN);
    hb_buffer_set_language(buf, hb_language_from_string("zh", -1));
    hb_feature_t halt = {HB_TAG('h', 'a', 'l', 't'), 1, 0, (unsigned)-1};
    hb_shape(fc->font, buf, &halt, 1);
    unsigned n = 0;
    hb_glyph_position_t *pos = hb_buffer_get_glyph_positions(buf, &n);
    int side = CB_BLANK_NONE;
    if (n == 1 && pos[0].x_advance < 0.6f * adv * fc->upem) /* the face has it */
        side = pos[0].x_offset < 0 ? CB_BLANK_LEFT : CB_BLANK_RIGHT;
    hb_buffer_destroy(buf);
    hb_glyph_extents_t ext;
    if (side != CB_BLANK_NONE || !hb_font_get_glyph_extents(fc->font, gid, &ext) || ext.width <= 0)
        return side;
    float left = ext.x_bearing / fc->upem, right = (ext.x_bearing + ext.width) / fc->upem;
    const float slack = 0.08f; /* ink may reach a little past the middle */
    if (left >= adv / 2 - slack) return CB_BLANK_LEFT;
    if (right <= adv / 2 + slack) return CB_BLANK_RIGHT;
    return CB_BLANK_NONE; /* centred, as in traditional Chinese faces */
}

int cb_font_blank_half(cb_font *f, uint32_t cp)
{
    int i = cb_mark_index(cp);
    if (i < 0) return CB_BLANK_NONE;
    if (!f->blank[i]) {
        int pick = cb_font_pick(f, cp);
        f->blank[i] = (signed char)(1 + (pick >= 0 ? face_blank_half(LIST(f)->faces[pick], cp) : CB_BLANK_NONE));
    }
    return f->blank[i] - 1;
}
