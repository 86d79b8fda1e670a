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
} opening;

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

/* Where spec s is (bold: a pattern's bold weight): 1 with *path and *index, 0 if fontconfig
 * has no such face. */
static int spec_find(const cb_face_spec *s, int bold, char **path, int *index)
{
    if (s->file) {
        *path = cb_xstrdup(s->file);
        *index = s->index;
        return 1;
    }
    return s->pattern && cb_font_match(s->pattern, bold, path, index);
}

/* Adds role r's face (bold: its bold face) to f, if the template or fontconfig has one
 * that opens: a template file that does not is the error; anything else falls back with a
 * note (the body face, or faux bold). */
static int add_role(cb_font *f, const opening *o, int r, int bold, cb_error *err)
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
    const cb_face_spec *s = derived ? regular : own;
    char *path = NULL, field[40];
    int index = 0, face = -1;
    if (!s->pattern) /* a file's bold face is only ever named */
        if (derived || !s->file) return CB_OK;
    if (!spec_find(s, derived, &path, &index)) {
        if (!derived && o->notes)
            cb_buf_addf(o->notes, "%s: \"%s\" is not installed: the %s face instead\n",
                        field_of(t, r, bold, field, sizeof field), s->pattern, bold ? "regular (faux bold)" : "body");
        return CB_OK;
    }
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
    int index = 0, rc;
    if (!o->font_path && spec_find(s, 0, &path, &index)) {
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
    } else if (!o->font_path && s->pattern && o->notes) {
        cb_buf_addf(o->notes, "body: \"%s\" is not installed: the default face instead\n", s->pattern);
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

int cb_typefaces_open(cb_font **out, const cb_template *t, const char *font_path, cb_buf *notes,
                      cb_error *err)
{
    opening o = {t, font_path, notes, {.pattern = t->font_family}, NULL};
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
    if (rc == CB_OK) describe(&o, *out);
    if (rc != CB_OK) {
        cb_font_close(*out);
        *out = NULL;
    }
    return rc;
}
