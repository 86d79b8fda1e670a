/* font_lookup.c: fontconfig's part of the fonts (font.h): finding a font by family and by
 * pattern, the automatic fallback candidates, and the caches that spare a run initialising
 * fontconfig (font_int.h). */
#include "font_int.h"

#include <fontconfig/fontconfig.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "output.h"

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

/* 1 if fontconfig's format of face p is one cb__face_open may take: TrueType, or CFF (an
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
        /* cb__face_open below checks for glyf or 'CFF ' outlines (not CFF2) */
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
        if (cb__face_open(&probe, (const char *)file, idx, &perr) != CB_OK) continue;
        cb__face_free(probe);
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
    if (cb__face_open(&fc, (const char *)file, idx, &err) != CB_OK) return -1;
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

int cb__font_auto_pick(cb_font *f, uint32_t cp)
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
        if (k >= 0 && cb__face_has(f->faces[k], cp)) return k;
    }
    return CB_FACE_NONE;
}
