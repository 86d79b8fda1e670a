/*
 * pdf_tags.h: what makes the PDF writer's file a tagged PDF (PDF 32000-1 14.7-14.8, by the
 * rules of PDF/UA-1: docs/standards.md): marked content in the page contents, the
 * structure tree, and the catalog's and pages' entries that go with them.
 *
 * Everything comes from the display list (layout.h). Each run of consecutive operations of
 * one content node becomes a marked-content sequence `/ROLE <</MCID n>> BDC ... EMC`
 * (MCIDs numbered per page from 0), whose parent in the structure is the node's element;
 * a run of an artifact node becomes an /Artifact sequence (running headers and footers as
 * /Pagination artifacts) and stays outside the tree. Sequences hold whole operations, and
 * each operation is whole in itself (its own BT/ET or q/Q), so they nest properly; the
 * writer's cached colours, widths and text state are graphics state, which marked content
 * leaves as it is.
 *
 * Elements are made for the nodes that hold content, their ancestors, and a table's empty
 * cells (every row keeps its columns); each element's kids come in reading order, the
 * order of the pages and, on a page, of the operations. A list item's content goes into
 * an LBody under its LI. The document's title is /Title, which the RoleMap maps to H1
 * (PDF 1.7 has no Title; a screen reader lists it among the headings). A heading is tagged
 * by its depth among the headings (H1, then H3 is tagged H2: PDF/UA forbids skipped levels,
 * Matterhorn 14-003), the depth its bookmark has in the outline.
 *
 * Lifetime: one cb_pdf_tags per document, made with it and freed after it is written (the
 * objects' texts live in it until then); it borrows the layout and the font. Objects it
 * adds to the libharu document belong to that document. Cost: a few bytes of content and
 * one record per run; nothing allocated per operation.
 */
#ifndef CB_PDF_TAGS_H
#define CB_PDF_TAGS_H

#include <hpdf.h>

#include "font.h"
#include "layout.h"
#include "util.h"

typedef struct cb_pdf_tags cb_pdf_tags;

cb_pdf_tags *cb_pdf_tags_new(const cb_layout *l, cb_font *font);
void cb_pdf_tags_free(cb_pdf_tags *t); /* t may be NULL */
/* Page `page` begins: its MCIDs start from 0. */
void cb_pdf_tags_page(cb_pdf_tags *t, size_t page);
/* Appends to content b the start of the marked content of run ops[0..n) (all of one
 * node); cb_pdf_tags_close ends it once the run is drawn. */
void cb_pdf_tags_open(cb_pdf_tags *t, cb_buf *b, const cb_op *ops, size_t n);
void cb_pdf_tags_close(cb_buf *b);
/* Text in another language than the document's, in a sequence of its own with its /Lang
 * (PDF 32000-1 14.9.2.2), a sibling of the sequences around it, not nested in them:
 * poppler's struct text (22.12) loses the rest of a sequence after a nested one without an
 * MCID. cb_pdf_tags_other_lang: the language such text is marked in ("zh-CN": Chinese
 * characters in a document not in Chinese), NULL when none is marked (the document is in
 * Chinese, whose Latin words are not marked: docs/standards.md says why; or the run being
 * drawn is an artifact's). cb_pdf_tags_lang: the /Lang of the sequence being written (NULL:
 * the document's). cb_pdf_tags_split ends that sequence (outside a text object) and begins
 * another of the same node, with /Lang lang or none; an empty one is begun again instead. */
const char *cb_pdf_tags_other_lang(const cb_pdf_tags *t);
const char *cb_pdf_tags_lang(const cb_pdf_tags *t);
void cb_pdf_tags_split(cb_pdf_tags *t, cb_buf *b, const char *lang);
/* The end of the run of Chinese text starting at s (before end): past its last Chinese
 * character before a letter of another script (spaces, digits and punctuation between two
 * Chinese characters belong to it, at its edges not); s itself when none starts there. */
const char *cb_pdf_tags_run_end(const char *s, const char *end);
/* The page's entries: /Tabs /S, and /StructParents when it has marked content. */
HPDF_STATUS cb_pdf_tags_end_page(cb_pdf_tags *t, HPDF_Page page);
/* The outline: a bookmark for each of the layout's marks, nested as the headings' tags are
 * (a heading one deeper than the nearest open heading of a lower level, so that no level
 * is skipped); the document opens with it shown. */
HPDF_STATUS cb_pdf_tags_outline(cb_pdf_tags *t, HPDF_Doc pdf, const HPDF_Page *pages);
/* The structure tree, the parent tree and the catalog's /StructTreeRoot, /MarkInfo,
 * /Lang and /ViewerPreferences, once every page is written (pages[i]: page i). */
HPDF_STATUS cb_pdf_tags_finish(cb_pdf_tags *t, HPDF_Doc pdf, const HPDF_Page *pages, size_t npages);

#endif /* CB_PDF_TAGS_H */
