/*
 * template.h: the look of a briefing: page size, margins, type sizes, colours, header and
 * footer. A template is a folder holding `template.lua`, a Lua file that returns a table
 * of settings (see templates/briefing/template.lua); it runs with no libraries and an
 * empty environment, so it can only describe, never act. Unset fields keep the defaults,
 * which are those of templates/briefing.
 */
#ifndef CB_TEMPLATE_H
#define CB_TEMPLATE_H

#include "font.h"
#include "typeset.h"
#include "util.h"

typedef struct cb_rgb {
    float r, g, b;
} cb_rgb;

/* One face a template asks for (type.faces): a fontconfig pattern, or a font file; or a
 * list of patterns, the first installed one taken ({ "FangSong", "Noto Serif CJK SC" }). */
typedef struct cb_face_spec {
    char *pattern;   /* "Noto Sans CJK SC", "DejaVu Serif:bold"; a list's first; or NULL */
    char **alts;     /* a list's other patterns, in order (owned); NULL: none */
    size_t nalts;
    char *file;      /* else the file's path (a relative one joined to the template folder) */
    int index;       /* the file's face in a collection ("NotoSansCJK-Bold.ttc:2") */
} cb_face_spec;

/* Heading numbers a template may generate (type.numbering). */
typedef enum cb_numbering {
    CB_NUMBERING_NONE,
    CB_NUMBERING_GONGWEN  /* 一、 （一） 1. （1）: GB/T 9704's ladder, by heading level */
} cb_numbering;

/* The page number of a government document (folio): its text ({page}, {pages}), size,
 * distance below the type area and inset from its edge, on the outside of the page (odd
 * pages right, even pages left). */
typedef struct cb_folio {
    char *text;      /* NULL: no folio */
    float size;      /* points */
    float below;     /* type area's bottom edge to the top of the number's em box */
    float inset;     /* from the type area's right (odd) or left (even) edge */
} cb_folio;

typedef struct cb_template {
    char *name;
    char *dir;
    float page_w, page_h;                 /* points */
    float margin_top, margin_right, margin_bottom, margin_left;
    float body_size, leading;             /* leading as a multiple of the size */
    float title_size, h1_size, h2_size, small_size, table_size;
    float indent;                         /* first-line indent of paragraphs, in ems */
    float cell_padding;                   /* table cells' vertical padding, x 4.5 pt */
    int justify;                          /* 1: justify paragraph lines */
    int bold_headings;                    /* 0: title and headings in their regular face */
    int grid_lines, grid_chars;           /* type.grid: body lines and characters filling
                                           * the type area (a strict grid); 0: none */
    cb_numbering numbering;               /* heading numbers generated */
    cb_typeset typeset;                   /* punctuation compression, CJK–Latin space */
    cb_rgb primary, accent, text, muted, rule, band, panel, bar;
    char *font_family;                    /* Chinese font's fontconfig family, or NULL for
                                           * the first that covers Chinese */
    char *latin_family;                   /* lang "en": the main font's family (the
                                           * Chinese one is its fallback) */
    cb_face_spec faces[CB_FONT_NROLES][2]; /* type.faces: each role's face and bold face
                                           * (font.h: cb_font_role); unset: both NULL */
    char lang[8];                         /* the language its texts were read for */
    int condensed;                        /* reports may shorten what they show */
    int fit;                              /* page.fit: at most this many pages (type made
                                           * smaller to stay within); 0: no limit */
    char *header;                         /* top of pages 2+; NULL for none */
    char *footer;                         /* bottom of every page; NULL for none */
    cb_folio folio;                       /* a page number outside the footer; text NULL: none */
    /* In header and footer, {title}, {page} and {pages} are replaced. */
    char *watermark;                      /* diagonal text under every page; NULL for none */
    char *logo;                           /* full path of a checked PNG or JPEG; NULL for none */
    int logo_jpeg;                        /* 1: JPEG, 0: PNG */
    int logo_w, logo_h;                   /* pixels, 1..CB_LOGO_MAX_SIDE */
    int cover;                            /* 1: a cover page before the content */
    char *cover_title, *cover_subtitle;   /* NULL: the document title / the county */
    /* masthead = { ... }: page 1 opens with a 简报's 报头 (layout_masthead.c). The name is
     * the report's (doc:masthead) else this one; size its points (shrunk to fit the
     * width), rule the red rule's thickness; color is the 报头's and its rule's. */
    int masthead;
    char *masthead_name;                  /* NULL: none unless the report gives one */
    float masthead_size, masthead_rule;
    cb_rgb masthead_color;
} cb_template;

#define CB_LOGO_MAX_SIDE 4096

/* Type sizes a template may set (points), every one of body, title, h1, h2, small, table. */
#define CB_TYPE_MIN_PT 4
#define CB_TYPE_MAX_PT 300

/* Checks that path is a complete PNG (every chunk whole with a good CRC, IHDR first and
 * consistent, IDAT, IEND last) or JPEG (SOI, a frame header, EOI), at most
 * CB_LOGO_MAX_SIDE pixels a side, before libharu (and libpng, which aborts on some broken
 * files) sees it. Sets *jpeg, *w, *h; on failure fills err (CB_ETEMPLATE) naming path. */
int cb_image_check(const char *path, int *jpeg, int *w, int *h, cb_error *err);

/* Languages countybrief renders: "zh" (the default) and "en". */
#define CB_LANG_DEFAULT "zh"
int cb_lang_known(const char *lang);

/* Loads a template by name (a folder under share_dir/templates) or by folder path, for
 * the default language. */
int cb_template_load(cb_template *t, const char *name_or_dir, const char *share_dir,
                     cb_error *err);
/* The same for language lang (cb_lang_known): a text field (header, footer, watermark,
 * cover title and subtitle, type.family) may be a table by language, { zh = "第 {page} 页",
 * en = "Page {page}" }, of which lang's entry is used; without one, the built-in default
 * of that language. */
int cb_template_load_lang(cb_template *t, const char *name_or_dir, const char *share_dir,
                          const char *lang, cb_error *err);
/* The same under the limits of report scripts (lua_limits.h's cb_lua_limits: --lua-memory,
 * --cpu-budget; NULL: their defaults): template.lua runs in the parent process, so a
 * template that loops or grows without end is stopped, naming its line and the limit. */
struct cb_lua_limits;
int cb_template_load_limited(cb_template *t, const char *name_or_dir, const char *share_dir,
                             const char *lang, const struct cb_lua_limits *limits, cb_error *err);
void cb_template_free(cb_template *t);

#endif /* CB_TEMPLATE_H */
