/* font.c: see font.h. The faces, the picks of a face per character, runs, metrics and the
 * tabular sister faces; fontconfig's lookups and their caches are font_lookup.c's, subsets
 * font_subset.c's (font_int.h: what the three share). */
#include "font_int.h"

#include <hb.h>
#include <hb-ot.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#define FONT_MAX_BYTES (256u << 20) /* the largest CJK collections are a quarter of it */

const char *const cb_font_role_names[CB_FONT_NROLES] = {"body", "heading", "figures", "latin", "title",
                                                        "heading2"};

void cb__face_free(face *fc)
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

static unsigned table_length(hb_face_t *hface, hb_tag_t tag)
{
    hb_blob_t *t = hb_face_reference_table(hface, tag);
    unsigned len = hb_blob_get_length(t);
    hb_blob_destroy(t);
    return len;
}

int cb__face_open(face **out, const char *path, int index, cb_error *err)
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
    if ((rc = cb__face_check_subset(fc, err)) != CB_OK) {
        cb__face_free(fc);
        return rc;
    }
    *out = fc;
    return CB_OK;
}

/* The glyph face fc draws cp with (a tabular face's digits: its own), 0 if none. */
hb_codepoint_t cb__face_glyph(const face *fc, uint32_t cp)
{
    hb_codepoint_t gid;
    if (cp - '0' < 10 && fc->digit[cp - '0']) return fc->digit[cp - '0'];
    return hb_font_get_nominal_glyph(fc->font, cp, &gid) ? gid : 0;
}

int cb__face_has(const face *fc, uint32_t cp) { return cb__face_glyph(fc, cp) != 0; }

static float face_advance(const face *fc, uint32_t cp)
{
    return hb_font_get_glyph_h_advance(fc->font, cb__face_glyph(fc, cp)) / fc->upem; /* 0: .notdef's */
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
    int rc = cb__face_open(&primary, path, index, err);
    if (rc != CB_OK) return rc;
    cb_font *f = cb_xcalloc(1, sizeof *f);
    f->faces[0] = primary;
    f->nfaces = f->nexplicit = 1;
    f->auto_fallback = 1;
    f->replacement = cb__face_has(primary, 0x25A1) ? 0x25A1 : '?';
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
    int rc = cb__face_open(&fc, path, index, err);
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
        int base = latin >= 0 && cb__face_has(l->faces[latin], '0') ? latin
                   : first >= 0 && cb__face_has(l->faces[first], '0') ? first : cb_font_pick(l, '0');
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
    for (size_t i = 0; i < f->nfaces; i++) cb__face_free(f->faces[i]);
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

/* ---- choosing a face per character */

static int compute_pick(cb_font *f, uint32_t cp)
{
    cb_font *l = LIST(f);
    f->picked = l->picked = 1;
    /* invisible even where the font has a (blank) glyph: nothing to see or to search */
    if (cb_font_invisible(cp)) return CB_FACE_SKIP;
    if (f->digits >= 0 && cp - '0' < 10) return f->digits;
    if (f->latin >= 0 && cb_font_latin_text(cp) && cb__face_has(l->faces[f->latin], cp)) return f->latin;
    if (f->list) /* a view: its role's face, then as its list picks */
        return f->first >= 0 && cb__face_has(l->faces[f->first], cp) ? f->first : cb_font_pick(l, cp);
    if (cb__face_has(f->faces[0], cp)) return 0;
    for (size_t i = 1; i < f->nexplicit; i++)
        if (!f->bold[i] && !f->faces[i]->digit[0] && cb__face_has(f->faces[i], cp)) return (int)i;
    if (cp >= 0xD800 && cp <= 0xDFFF) return CB_FACE_NONE; /* U+FFFD stands for bad UTF-8 */
    return f->auto_fallback ? cb__font_auto_pick(f, cp) : CB_FACE_NONE;
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
