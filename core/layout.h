/*
 * layout.h: turns a document into pages of positioned drawing operations.
 *
 * Blocks flow down the page inside the template's margins. Paragraphs and tables split
 * across pages (a split table repeats its header row); titles, KPI rows, charts and
 * progress rows move whole to the next page when they don't fit; a heading stays with
 * what follows it. Where a block may split is one rule for all (docs/templates.md, "Page
 * breaks"): at least two lines or three table rows on each side. Notes that end the
 * document are never alone on its last page: a second pass pulls the end of the block
 * before them over. A template's page.fit caps the page count: passes with smaller type.
 * Header and footer are added once the page count is known.
 *
 * Coordinates are PDF points with the origin at the bottom left of the page. Ownership:
 * the layout owns its pages, operations, structure nodes and strings; cb_layout_free
 * releases them.
 *
 * The display list is the only input of output (backend.h): besides the drawing it carries
 * the document's structure, so a backend can write a tagged PDF or another format without
 * looking at the document. Every operation names its node (cb_op.node), a node of the tree
 * in cb_layout.nodes or one of the artifact nodes. Reading order is the order of the pages
 * and, on a page, of the operations; nodes are numbered in document order (a parent before
 * its children, siblings in order). A node may have operations on several pages (a
 * paragraph or a table split across pages stays one node).
 */
#ifndef CB_LAYOUT_H
#define CB_LAYOUT_H

#include <stddef.h>
#include <stdint.h>

#include "font.h"
#include "template.h"

/* CB_OP_IMAGE: the PNG (bold == 0) or JPEG (bold == 1) file `text`, already checked
 * (template.h: cb_image_check), scaled into the box x, y, w, h. */
/* Faux bold's stroke width, in ems: 0.03 em thickens a stem by about as much as a bold
 * weight does (the stroke is centred on the outline: 0.015 em each side). */
#define CB_FAUX_BOLD_EM 0.03f

typedef enum cb_op_kind { CB_OP_TEXT, CB_OP_RECT, CB_OP_LINE, CB_OP_PATH, CB_OP_IMAGE } cb_op_kind;

/* One segment of a path drawn by a plugin block: 'm' move, 'l' line, 'c' curve (three
 * points), 'h' close, 'r' rectangle (x, y, w, h). Coordinates are page points. */
typedef struct cb_path_seg {
    char kind;
    float pt[6];
} cb_path_seg;

enum { CB_PAINT_FILL = 1, CB_PAINT_STROKE = 2 };

/* What a node is. The roles are those of tagged PDF (PDF 32000-1 14.8.4) and map onto
 * them one to one: Document, Sect, Title (PDF 2.0's; in PDF 1.7 a custom role the
 * RoleMap maps to H1: pdf_tags.h), H1..H4, P, L, LI, Table, TR, TH, TD, Figure, Caption, Link. */
typedef enum cb_role {
    CB_ROLE_DOCUMENT,    /* node 0, the root */
    CB_ROLE_SECTION,     /* a heading and what follows it, up to the next heading of its level
                          * or above (level: the heading's); also the cover (level 0) */
    CB_ROLE_TITLE,       /* the document's title: the title block's and the cover's */
    CB_ROLE_HEADING,     /* level 1..4, as its bookmark in the outline (cb_bookmark) */
    CB_ROLE_PARAGRAPH,
    CB_ROLE_LIST,
    CB_ROLE_LIST_ITEM,
    CB_ROLE_TABLE,       /* one node however many pages the table takes */
    CB_ROLE_ROW,
    CB_ROLE_HEADER_CELL, /* a column's header (its scope: the column) */
    CB_ROLE_DATA_CELL,
    CB_ROLE_FIGURE,      /* alt: its alternative text, made from the data it shows */
    CB_ROLE_CAPTION,     /* a figure's or list's title: a child of it */
    CB_ROLE_LINK,        /* no block makes one yet */
    CB_ROLE_ARTIFACT,    /* not content: level says which (cb_artifact); outside the tree */
} cb_role;

/* The kinds of artifact: each is a node of its own whose id is its kind (1..6). */
typedef enum cb_artifact {
    CB_ART_HEADER = 1,   /* the running header (and the logo beside it) */
    CB_ART_FOOTER,
    CB_ART_PAGE_NUMBER,  /* a header or footer line that shows the page number */
    CB_ART_WATERMARK,
    CB_ART_DECORATION,   /* rules, bands, panels and bars that only decorate */
    CB_ART_REPEATED,     /* a table's header row repeated on a later page */
} cb_artifact;

#define CB_NODE_NONE UINT32_MAX /* the parent of the root and of the artifact nodes */
enum { CB_NODE_DOCUMENT = 0, CB_NODE_FIRST = CB_ART_REPEATED + 1 /* the first of content */ };
/* Whether node id is an artifact's: id is then its cb_artifact. */
#define CB_NODE_IS_ARTIFACT(id) ((id) >= CB_ART_HEADER && (id) <= CB_ART_REPEATED)

typedef struct cb_node {
    uint32_t parent;   /* CB_NODE_NONE for the root and the artifacts */
    uint8_t role;      /* cb_role */
    uint8_t level;     /* heading, section: 1..4; artifact: its cb_artifact; else 0 */
    char lang[10];     /* BCP 47, when not the document's (cb_layout.lang); else "" (no
                        * block sets one yet) */
    char *alt;         /* figure: its alternative text (owned, UTF-8); else NULL */
} cb_node;

typedef struct cb_op {
    cb_op_kind kind;
    float x, y;        /* text: baseline start; rect: lower-left corner; line: start */
    float w, h;        /* rect: size; line: end - start */
    float size;        /* text: font size; line: stroke width */
    float spacing;     /* text: extra space after each character (justification) */
    float angle;       /* text: rotation about (x, y), radians counter-clockwise */
    cb_rgb color;
    int bold;          /* text: faux bold, the face drawing it being no bold face: filled
                        * and stroked (text render mode 2) with a line CB_FAUX_BOLD_EM of
                        * the size wide; bold text in a bold face (font.h: roles) is not */
    int font;          /* text: the face drawing it (index in the font list, font.h), or
                        * CB_FACE_NONE: characters no face has, drawn as the replacement */
    uint32_t node;     /* what it is: its node in cb_layout.nodes (never a container's) */
    char *text;        /* text: UTF-8, owned; all of it drawn by `font` (see cb_page_text) */
    float *dx;         /* text: per drawn character, the horizontal displacement (points)
                        * before it, beyond its face's advance and `spacing`: punctuation
                        * compression and CJK–Latin spacing (typeset.h); owned; NULL when
                        * all are 0 */
    /* path: segments (owned), how to paint them, and the stroke's look */
    cb_path_seg *segs;
    size_t nsegs;
    int paint;         /* CB_PAINT_FILL | CB_PAINT_STROKE */
    cb_rgb stroke;
    float dash_on, dash_off;
} cb_op;

struct cb_layout;
typedef struct cb_page {
    size_t nops, cap;
    cb_op *ops;
    struct cb_layout *owner; /* whose memory budget it counts against; NULL: none */
} cb_page;

typedef struct cb_bookmark {
    char *title;
    int level;
    size_t page;       /* 0-based */
    float y;           /* top of the heading */
} cb_bookmark;

/* The standard a PDF is written to (--pdf-standard; docs/standards.md): plain PDF, or
 * PDF/A (ISO 19005; GB/T 23286) part 1, 2 or 3 at level B or U (pdf_pdfa.h). */
typedef enum cb_pdf_standard { CB_PDF_PLAIN, CB_PDF_A1B, CB_PDF_A2B, CB_PDF_A2U, CB_PDF_A3U } cb_pdf_standard;
/* --pdf-standard's words, for usage text and errors. */
#define CB_PDF_STANDARD_NAMES "a-1b, a-2b, a-2u, a-3u or none"
/* The standard named s ("a-2u"; "none": plain PDF), or -1. */
int cb_pdf_standard_parse(const char *s);
/* Its name as --pdf-standard takes it. */
const char *cb_pdf_standard_name(cb_pdf_standard s);

/* The document's information, for the file's metadata (copied from the document), and
 * the standard the file is written to (the run's, set by render.c). */
typedef struct cb_doc_info {
    char *title, *subject, *author, *keywords; /* owned; NULL when not set */
    int dated;         /* 0: no date; else `date` (clock.h), seconds since 1970 UTC */
    long long date;
    cb_pdf_standard standard;
} cb_doc_info;

typedef struct cb_layout {
    float page_w, page_h;
    size_t npages;
    cb_page *pages;
    size_t nmarks;
    cb_bookmark *marks;
    cb_doc_info info;
    char lang[8];      /* the document's language ("zh", "en": the template's) */
    /* the structure: nodes[0] the document, then the artifact nodes, then the content in
     * document order; node_now is the node new operations get (cb_page_push) */
    size_t nnodes;
    cb_node *nodes;
    uint32_t node_now;
    size_t nwarnings;
    char **warnings;   /* layout problems worth telling the author (text cut to fit) */
    /* characters no font has, in order of first use, each with where it was first met
     * ("table under "二、项目", row 2, column "名称": "𠀀村道路""); they are named in one
     * warning, warnings[missing_warning] */
    size_t nmissing;
    uint32_t *missing;
    char **missing_where;
    size_t missing_warning;
    uint32_t missing_as;  /* the character drawn instead (font.h: cb_font_replacement) */
    /* Memory: the pages, their operations, texts and paths, counted against the
     * document's budget (doc.h: mem_budget). Once over it, nothing more is kept (drawing
     * goes to `scratch`) and cb_layout_run fails naming the block. */
    size_t mem, mem_budget;
    int mem_over;
    cb_op scratch;
    /* the lines tables of contents keep until the pages are known (layout_toc.c) */
    size_t ntoc;
    struct cb_toc_slot *toc;
} cb_layout;

/* The most pages a document may have: libharu keeps a PDF's pages in one array, of at most
 * 32,767 items. A document growing past it fails in cb_layout_run, naming the block. */
#define CB_LAYOUT_MAX_PAGES 32767

struct cb_doc; /* doc.h: the layout reads the document; what comes after it does not */
int cb_layout_run(cb_layout *out, const struct cb_doc *doc, const cb_template *t, cb_font *font,
                  cb_error *err);

/* Adds to the missing-characters warning where each character comes from: where(ctx, ch)
 * is asked for each listed character ch (UTF-8) and gives a malloc'd place, e.g.
 * "examples/data/projects.csv:4:3" (data.h: cb_dataset_find_text), or NULL. Nothing to do
 * when no character is missing. The layout knows no data: the caller says where to look. */
void cb_layout_trace_missing(cb_layout *l, char *(*where)(void *ctx, const char *ch), void *ctx);

/* Pushes UTF-8 text s[0..len), set as one line (typeset.h), onto page p as text ops, one
 * per run of characters drawn by the same face of f (font.h; f may be a role's view),
 * each run placed after the one before: style gives the start x and baseline y, size,
 * spacing, color and bold (a run in a bold face is not faux bold). Measuring the same
 * text with cb_font_width gives its width (without spacing). Line breaking does not
 * change. */
void cb_page_text(cb_page *p, cb_font *f, const cb_op *style, const char *s, size_t len);

/* Appends a zeroed operation of `kind` to page p and returns it, of the node the page's
 * layout is at (node_now; a page of no layout: the document). Past the layout's memory
 * budget, a scratch operation that is not kept. */
cb_op *cb_page_push(cb_page *p, cb_op_kind kind);
/* Counts n more bytes of page p's layout against its budget: 1 if they may be allocated,
 * 0 once past it (then the layout fails; the caller allocates nothing). */
int cb_page_charge(cb_page *p, size_t n);
/* What malloc(n) takes from the heap (glibc: a 16-byte aligned chunk with an 8-byte
 * header, at least 32), for charging small allocations at their real cost. */
#define CB_HEAP_BYTES(n) ((n) + 8 <= 32 ? (size_t)32 : ((size_t)(n) + 8 + 15) & ~(size_t)15)
void cb_layout_free(cb_layout *l);
/* What a plugin block says it is (plugin.h: describe): content node `node` becomes a
 * figure with alternative text alt (copied; NULL or "": kept as it was) or a paragraph;
 * CB_ROLE_ARTIFACT makes the block's operations on page p from index `from` on, and what
 * it draws next, decoration. Anything else, or an artifact's node, is left as it is. */
void cb_layout_describe(cb_layout *l, cb_page *p, size_t from, uint32_t node, cb_role role, const char *alt);
/* A new node of the structure (role, heading level, parent), numbered next in document
 * order; past the memory budget the document (the layout then fails). */
uint32_t cb_layout_node(cb_layout *l, cb_role role, int level, uint32_t parent);

/* "Nice" axis ticks for a value range 0..max: sets the step and the number of steps so
 * that step is 1, 2, 2.5 or 5 times a power of ten and steps * step >= max. */
void cb_nice_ticks(double max, int max_steps, double *step, int *steps);

#endif /* CB_LAYOUT_H */
