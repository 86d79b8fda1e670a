/*
 * pdf.h: writes a laid-out document as PDF through libharu, into memory.
 *
 * libharu holds the document's objects and writes the file; the parts it is slow or wrong
 * at are made here with its object API: each face's font (a Type 0 font over a HarfBuzz
 * subset, CIDs numbered in the document's character order, our own CIDToGIDMap, widths
 * and ToUnicode map), and the page content streams (written directly, without libharu's
 * per-operator state checks). Every stream is deflated with ISA-L (igzip). libharu never parses
 * a font file, so a malformed font can't crash it. libharu's errors are recorded by the
 * handler and checked at the end: we never longjmp out of libharu, which would skip our own
 * cleanup.
 */
#ifndef CB_PDF_H
#define CB_PDF_H

#include "doc.h"
#include "font.h"
#include "layout.h"
#include "util.h"

/* Renders layout l of document doc into out (appended; caller frees with cb_buf_free).
 * The PDF's dates are the document's (doc->date, clock.h), none when it has none: never
 * the time of the run, so equal input gives equal bytes. */
int cb_pdf_render(const cb_layout *l, const cb_doc *doc, cb_font *font, cb_buf *out,
                  cb_error *err);

/* Frees what the writer keeps between documents (its deflate state), at a process's end. */
void cb_pdf_release(void);

#endif /* CB_PDF_H */
