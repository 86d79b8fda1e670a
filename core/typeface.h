/*
 * typeface.h: the document's font list as the template and the command line ask for it:
 * the body face (--font, else type.faces.body, else type.family, else the first installed
 * font that covers Chinese), then each role's face and bold face of type.faces (font.h:
 * cb_font_role), found through fontconfig or opened from the template's files. For an
 * English document the main font is type.family.en (DejaVu Sans), the Latin face of every
 * role, and the body face its first fallback, for Chinese names.
 *
 * A role named through fontconfig that is not installed, or cannot be embedded, falls
 * back quietly to the body face (a regular face) or to faux bold (a bold one); a role
 * without a bold face of its own takes its family's bold weight when fontconfig has one.
 * A file the template names that cannot be opened is an error naming the template file
 * and the field. What each role got, and why a role fell back, is in `notes` (lines).
 */
#ifndef CB_TYPEFACE_H
#define CB_TYPEFACE_H

#include "font.h"
#include "template.h"

/* Opens *out (cb_font_close frees it) for template t (its language: t->lang) and --font
 * (font_path, NULL: none). notes (may be NULL) gets a line per role: "heading: FILE:INDEX
 * (bold: FILE:INDEX | faux bold)", and one per fallback. said (may be NULL) gets one line
 * for the user when a role's list of faces ({ "FangSong", "Noto Serif CJK SC" }) lacks its
 * first: "fonts: body \"FangSong\" is not installed, \"Noto Serif CJK SC\" used; ...".
 * A role without a face of its own takes the body face; title and heading2 take the
 * heading's first. Errors are CB_EFONT or
 * CB_ETEMPLATE, one line naming the font or the template's field. */
int cb_typefaces_open(cb_font **out, const cb_template *t, const char *font_path, cb_buf *notes,
                      cb_buf *said, cb_error *err);

#endif /* CB_TYPEFACE_H */
