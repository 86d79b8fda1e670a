/* typeface.c: see typeface.h. */
#include "typeface.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* One open: the template, --font and where notes go. */
typedef struct opening {
    const cb_template *t;
    const char *font_path;
    cb_buf *notes;
    cb_face_spec family;       /* type.family, as a pattern */
    const cb_face_spec *body;  /* what the body face is: faces.body, `family`, or NULL (--font,
                                * the first font that covers Chinese) */
    const char *chose[CB_FONT_NROLES]; /* the pattern of each role's regular face found */
    cb_buf said;               /* roles whose list's first face is not installed */
} opening;

/* Pattern k of spec s: its pattern, then its list's others. */
static const char *spec_pattern(const cb_face_spec *s, size_t k) { return k ? s->alts[k - 1] : s->pattern; }

/* For the one line the user sees: role r asked for s's first face and got `got` (NULL:
 * none of the list's, the fallback `instead`). Only lists are told: a single pattern
 * falls back quietly, as it always has. */
static void say_substitute(opening *o, int r, const cb_face_spec *s, const char *got, const char *instead)
{
    if (!s->nalts) return;
    cb_buf_addf(&o->said, "%s%s \"%s\" is not installed, %s%s%s used", o->said.len ? "; " : "",
                cb_font_role_names[r], s->pattern, got ? "\"" : instead, got ? got : "", got ? "\"" : "");
}

/* Face index of path in *list, opening the list with it if there is none yet. */
static int open_face(cb_font **list, const char *path, int index, cb_error *err)
{
    int face;
    return *list ? cb_font_add_face(*list, path, index, &face, err) : cb_font_open(list, path, index, err);
}

/* The template's field of role r ("heading", "heading.bold"). */
static const char *field_of(const cb_template *t, int r, int bold, char *buf, size_t n)
{
    int table = t->faces[r][1].pattern || t->faces[r][1].file;
    snprintf(buf, n, "%s%s", cb_font_role_names[r], bold ? ".bold" : table ? ".regular" : "");
    return buf;
}

/* The body face the template does not choose: --font, else type.family (or the first
 * font that covers Chinese) through fontconfig. */
static int default_body(const opening *o, char **path, int *index, cb_error *err)
{
    if (!o->font_path) return cb_font_find(o->t->font_family, path, index, err);
    cb_font_spec(o->font_path, path, index); /* PATH or PATH:INDEX */
    return CB_OK;
}

/* Where spec s is (bold: a pattern's bold weight; a list: its first installed pattern):
 * 1 with *path, *index and *got (the pattern found, or NULL for a file), 0 if fontconfig
 * has none of it. */
static int spec_find(const cb_face_spec *s, int bold, char **path, int *index, const char **got)
{
    *got = NULL;
    if (s->file) {
        *path = cb_xstrdup(s->file);
        *index = s->index;
        return 1;
    }
    for (size_t k = 0; s->pattern && k <= s->nalts; k++)
        if (cb_font_match(spec_pattern(s, k), bold, path, index)) return *got = spec_pattern(s, k), 1;
    return 0;
}

/* Adds role r's face (bold: its bold face) to f, if the template or fontconfig has one
 * that opens: a template file that does not is the error; anything else falls back with a
 * note (the body face, or faux bold). */
static int add_role(cb_font *f, opening *o, int r, int bold, cb_error *err)
{
    const cb_template *t = o->t;
    const cb_face_spec *own = &t->faces[r][bold], *regular = &t->faces[r][0];
    /* a role without a bold face of its own: its regular pattern's bold weight, if the
     * regular face is the one it names (not --font, not the body face instead) */
    int derived = bold && !own->pattern && !own->file;
    if (r == CB_FONT_BODY && o->font_path) return CB_OK; /* --font's family is not the template's */
    if (r == CB_FONT_BODY) regular = o->body;
    else if (derived && cb_font_role_face(f, (cb_font_role)r, 0) < 0) return CB_OK;
    if (derived && !regular) return CB_OK;
    /* the bold weight of the family the regular face was found as (a list's) */
    cb_face_spec found = {.pattern = (char *)o->chose[r]};
    const cb_face_spec *s = derived ? regular->nalts && o->chose[r] ? &found : regular : own;
    char *path = NULL, field[40];
    const char *got;
    int index = 0, face = -1;
    if (!s->pattern) /* a file's bold face is only ever named */
        if (derived || !s->file) return CB_OK;
    if (!spec_find(s, derived, &path, &index, &got)) {
        if (!derived && o->notes)
            cb_buf_addf(o->notes, "%s: \"%s\" is not installed: the %s face instead\n",
                        field_of(t, r, bold, field, sizeof field), s->pattern, bold ? "regular (faux bold)" : "body");
        if (!derived && !bold) say_substitute(o, r, s, NULL, "the body face is");
        return CB_OK;
    }
    if (!derived && !bold) o->chose[r] = got;
    if (!derived && got && got != s->pattern) say_substitute(o, r, s, got, NULL);
    cb_error inner;
    int rc = cb_font_add_face(f, path, index, &face, &inner);
    if (rc != CB_OK && s->file) {
        rc = cb_fail(err, CB_ETEMPLATE, "%s/template.lua: type.faces.%s: %s", t->dir, field_of(t, r, bold, field, sizeof field),
                     inner.msg);
    } else if (rc != CB_OK) {
        if (o->notes)
            cb_buf_addf(o->notes, "%s: \"%s\"%s is %s:%d, which cannot be used (%s): the %s face instead\n",
                        field_of(t, r, bold, field, sizeof field), s->pattern, derived ? " (bold)" : "", path, index,
                        inner.msg, bold ? "regular (faux bold)" : "body");
        rc = CB_OK;
    } else {
        /* a bold face that is some role's regular one is no bold face: faux bold over it */
        for (int k = 0; bold && k < CB_FONT_NROLES; k++)
            if (face == 0 || cb_font_role_face(f, (cb_font_role)k, 0) == face) face = -1;
        if (face >= 0) cb_font_set_role(f, (cb_font_role)r, bold, face);
    }
    free(path);
    return rc;
}

/* The body face, into *list (opened with it as the primary if NULL): --font, else the
 * template's body face, else the default one (a body face not installed or not usable
 * falls back to it). */
static int open_body(cb_font **list, opening *o, cb_error *err)
{
    const cb_face_spec *s = &o->t->faces[CB_FONT_BODY][0];
    char *path = NULL, field[40];
    const char *got;
    int index = 0, rc;
    if (!o->font_path && spec_find(s, 0, &path, &index, &got)) {
        o->chose[CB_FONT_BODY] = got;
        if (got && got != s->pattern) say_substitute(o, CB_FONT_BODY, s, got, NULL);
        cb_error inner;
        rc = open_face(list, path, index, &inner);
        if (rc != CB_OK && !s->file && o->notes)
            cb_buf_addf(o->notes, "body: \"%s\" is %s:%d, which cannot be used (%s): the default face instead\n",
                        s->pattern, path, index, inner.msg);
        free(path);
        if (rc == CB_OK) return o->body = s, CB_OK;
        if (s->file)
            return cb_fail(err, CB_ETEMPLATE, "%s/template.lua: type.faces.%s: %s", o->t->dir,
                           field_of(o->t, CB_FONT_BODY, 0, field, sizeof field), inner.msg);
    } else if (!o->font_path && s->pattern) {
        if (o->notes) cb_buf_addf(o->notes, "body: \"%s\" is not installed: the default face instead\n", s->pattern);
        say_substitute(o, CB_FONT_BODY, s, NULL, "the default face is");
    }
    path = NULL;
    if ((rc = default_body(o, &path, &index, err)) == CB_OK) rc = open_face(list, path, index, err);
    o->body = !o->font_path && o->t->font_family ? &o->family : NULL;
    free(path);
    return rc;
}

/* The main font of an English document: type.family.en through fontconfig. */
static int open_latin_main(cb_font **out, const opening *o, cb_error *err)
{
    char *path = NULL;
    int index = 0;
    if (!cb_font_match(o->t->latin_family, 0, &path, &index))
        return cb_fail(err, CB_EFONT, "no TrueType font \"%s\" found through fontconfig (install fonts-dejavu-core, "
                       "or set type.family.en in the template)", o->t->latin_family);
    int rc = cb_font_open(out, path, index, err);
    free(path);
    return rc;
}

/* notes' line for each role: its face, its bold face. */
static void describe(const opening *o, cb_font *f)
{
    for (int r = 0; r < CB_FONT_NROLES && o->notes; r++) {
        int face = r == CB_FONT_BODY ? 0 : cb_font_role_face(f, (cb_font_role)r, 0);
        int bold = cb_font_role_face(f, (cb_font_role)r, 1);
        cb_buf_addf(o->notes, "%s: ", cb_font_role_names[r]);
        if (face < 0) cb_buf_adds(o->notes, r == CB_FONT_LATIN ? "as the role's face" : "the body face");
        else cb_buf_addf(o->notes, "%s:%d", cb_font_face_path(f, face), cb_font_face_index(f, face));
        if (bold >= 0) cb_buf_addf(o->notes, " (bold: %s:%d)\n", cb_font_face_path(f, bold), cb_font_face_index(f, bold));
        else cb_buf_adds(o->notes, " (bold: faux)\n");
    }
}

/* A role the template names no face for that defaults to another's (font.h: title and
 * heading2 take the heading's faces). */
static void inherit_roles(cb_font *f)
{
    for (int r = CB_FONT_TITLE; r <= CB_FONT_HEADING2; r++)
        if (cb_font_role_face(f, (cb_font_role)r, 0) < 0) /* its own regular face: its own bold */
            for (int bold = 0; bold < 2; bold++)
                if (cb_font_role_face(f, CB_FONT_HEADING, bold) >= 0)
                    cb_font_set_role(f, (cb_font_role)r, bold, cb_font_role_face(f, CB_FONT_HEADING, bold));
}

int cb_typefaces_open(cb_font **out, const cb_template *t, const char *font_path, cb_buf *notes,
                      cb_buf *said, cb_error *err)
{
    opening o = {t, font_path, notes, {.pattern = t->font_family}, NULL, {0}, {0}};
    int english = strcmp(t->lang, "en") == 0, rc;
    *out = NULL;
    if (!english) rc = open_body(out, &o, err);
    else if ((rc = open_latin_main(out, &o, err)) == CB_OK && (rc = open_body(out, &o, err)) == CB_OK)
        cb_font_set_role(*out, CB_FONT_LATIN, 0, 0); /* the body face is its first fallback */
    /* English: Latin text is the main font's, its bold the family's */
    cb_template en = english ? *t : (cb_template){0};
    if (english) {
        memset(en.faces[CB_FONT_LATIN], 0, sizeof en.faces[CB_FONT_LATIN]);
        en.faces[CB_FONT_LATIN][0].pattern = t->latin_family;
        o.t = &en;
    }
    /* regular faces first: they come before the bold ones in the list's own order */
    for (int bold = 0; bold < 2 && rc == CB_OK; bold++)
        for (int r = 0; r < CB_FONT_NROLES && rc == CB_OK; r++)
            if (bold || r != CB_FONT_BODY) {
                if (english && r == CB_FONT_LATIN && !bold) continue; /* the main font */
                rc = add_role(*out, &o, r, bold, err);
            }
    if (rc == CB_OK) {
        inherit_roles(*out);
        describe(&o, *out);
    }
    if (rc == CB_OK && said && o.said.len) cb_buf_addf(said, "fonts: %s\n", o.said.s);
    cb_buf_free(&o.said);
    if (rc != CB_OK) {
        cb_font_close(*out);
        *out = NULL;
    }
    return rc;
}
