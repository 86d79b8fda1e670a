/*
 * pdf.h: the PDF backend (backend.h): writes a display list as PDF through libharu, into
 * memory.
 *
 * libharu holds the document's objects and writes the file; the parts it is slow or wrong
 * at are made here with its object layer (pdf_hpdf.h, the one place that reaches into
 * libharu's internals): each face's font (a Type 0 font over a HarfBuzz subset, CIDs
 * numbered in the document's character order, our own CIDToGIDMap, widths and ToUnicode
 * map), and the page content streams (written directly, without libharu's per-operator
 * state checks). Every stream is deflated with libdeflate. libharu never parses a font
 * file, so a malformed font can't crash it. libharu's errors are recorded by the handler
 * and checked at each step: we never longjmp out of libharu, which would skip our own
 * cleanup. The PDF's dates are the document's (cb_layout.info, clock.h), none when it has
 * none: never the time of the run, so equal input gives equal bytes.
 */
#ifndef CB_PDF_H
#define CB_PDF_H

#include <hpdf.h>

#include "backend.h"

extern const cb_backend cb_pdf_backend;

/* Frees what the writer keeps between documents (its deflate state), at a process's end
 * (cb_pdf_backend.release). */
void cb_pdf_release(void);

/* For the writer's own files (pdf_pdfa.c): a new indirect stream object of document pdf
 * holding data[0..len) deflated; NULL when libharu failed (its handler recorded why). */
HPDF_Dict cb_pdf_deflated_stream(HPDF_Doc pdf, const void *data, size_t len);
/* A PDF text string object for UTF-8 s (the info dictionary's entries, bookmarks): a
 * literal for printable ASCII, else UTF-16BE, cut with "…" past 32 KiB. */
void *cb_pdf_text_string(HPDF_Doc pdf, const char *s);
/* data[0..len) deflated (zlib) into out, replacing what it held: 1, or 0 out of memory. */
int cb_pdf_deflate(const void *data, size_t len, cb_buf *out);

#endif /* CB_PDF_H */
